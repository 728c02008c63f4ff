/*
 * nodeSort.ts — Sort (PostgreSQL's nodeSort.c with tuplesort.c's in-memory
 * path): reads every child row, sorts them, returns them in order.
 *
 * The order is the sort operators': an operator of btree strategy 1 ("<")
 * sorts ascending by the type's comparison, strategy 5 (">") descending;
 * NULLs first or last per key. The sort is stable (Array.prototype.sort is),
 * which PostgreSQL's is not; stability never contradicts it.
 *
 * Bounded sort: a Limit directly above tells the sort how many rows it will
 * read (setBound, PostgreSQL's ExecSetTupleBound); the sort then keeps only
 * that many in a max-heap ("top-N heapsort"), so ORDER BY ... LIMIT n over
 * a big input needs memory for n rows only. Ties keep input order.
 *
 * Memory: the kept rows count against work_mem (execUtils.ts MemoryAccount);
 * past it the query fails with 53200, where PostgreSQL would switch to an
 * external merge sort on temporary files (not implemented yet).
 *
 * Exports: SortState
 */

import type { Sort } from '../nodes/plannodes.ts';
import type { EState, PlanState } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { rowComparator } from './execGrouping.ts';
import { ExecInitNode } from './execProcnode.ts';
import { MemoryAccount, PlanStateBase, rescanRerunsInput } from './execUtils.ts';

export class SortState extends PlanStateBase<Sort> {
  private readonly child: PlanState;
  private readonly slot: TupleTableSlot;
  private readonly compare: (a: readonly unknown[], b: readonly unknown[]) => number;
  private readonly mem: MemoryAccount;
  private readonly childReadsParams: boolean;
  private rows: unknown[][] | null = null;
  private pos = 0;
  /** Rows the parent will read at most (-1: all). */
  private bound = -1;
  private boundUsed = -1;
  /** rescan() was called: decide at the next call whether the stored rows can be replayed. */
  private rescanPending = false;

  constructor(plan: Sort, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null) throw new Error('Sort without a child');
    this.child = ExecInitNode(plan.lefttree, estate);
    this.slot = new TupleTableSlot(plan.lefttree.targetlist.length);
    this.compare = rowComparator(plan.sortColIdx, plan.sortOperators, plan.nullsFirst);
    this.mem = new MemoryAccount(estate, 'Sort');
    this.childReadsParams = rescanRerunsInput(plan.lefttree, estate);
  }

  /** ExecSetTupleBound: the parent will read at most n rows (-1 for all). */
  setBound(n: number): void {
    this.bound = Number.isFinite(n) && n >= 0 ? n : -1;
  }

  /** Keeps the `bound` smallest rows in a max-heap (ties: the earlier row is smaller), then sorts them. */
  private loadBounded(bound: number): unknown[][] {
    const heap: unknown[][] = [];
    const seqs: number[] = [];
    const cmp = this.compare;
    // a > b in the output order: compare, then arrival.
    const greater = (i: number, j: number): boolean => {
      const c = cmp(heap[i], heap[j]);
      return c > 0 || (c === 0 && seqs[i] > seqs[j]);
    };
    const swap = (i: number, j: number): void => {
      [heap[i], heap[j]] = [heap[j], heap[i]];
      [seqs[i], seqs[j]] = [seqs[j], seqs[i]];
    };
    const siftDown = (i: number): void => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && greater(l, m)) m = l;
        if (r < heap.length && greater(r, m)) m = r;
        if (m === i) return;
        swap(i, m);
        i = m;
      }
    };
    const mem = this.mem;
    mem.reset();
    let seq = 0;
    if (bound > 0) {
      for (let s = this.child.next(); s !== null; s = this.child.next()) {
        seq++;
        if (heap.length < bound) {
          const v = s.copyValues();
          mem.addRow(v);
          heap.push(v);
          seqs.push(seq);
          for (let i = heap.length - 1; i > 0; ) {
            const p = (i - 1) >> 1;
            if (!greater(i, p)) break;
            swap(i, p);
            i = p;
          }
        } else if (cmp(s.values, heap[0]) < 0) {
          // Smaller than the largest kept row: it replaces it (a later equal row never does).
          heap[0] = s.copyValues();
          seqs[0] = seq;
          siftDown(0);
        }
      }
    } else {
      while (this.child.next() !== null) seq++;
    }
    const order = heap.map((_, i) => i).sort((i, j) => cmp(heap[i], heap[j]) || seqs[i] - seqs[j]);
    if (this.instrument !== null) this.instrument.extra.set('Sort Method', `top-N heapsort  Memory: ${mem.kB}kB`);
    return order.map((i) => heap[i]);
  }

  private load(): unknown[][] {
    this.boundUsed = this.bound;
    if (this.bound >= 0) return this.loadBounded(this.bound);
    const rows: unknown[][] = [];
    const mem = this.mem;
    mem.reset();
    for (let s = this.child.next(); s !== null; s = this.child.next()) {
      const v = s.copyValues();
      mem.addRow(v);
      rows.push(v);
    }
    rows.sort(this.compare);
    if (this.instrument !== null) this.instrument.extra.set('Sort Method', `quicksort  Memory: ${mem.kB}kB`);
    return rows;
  }

  next(): TupleTableSlot | null {
    if (this.rescanPending) {
      this.rescanPending = false;
      // Replay the sorted rows unless the input may have changed or a different bound applies (ExecReScanSort).
      if (this.rows === null || this.childReadsParams || this.bound !== this.boundUsed) {
        this.rows = null;
        this.child.rescan();
      }
    }
    if (this.rows === null) {
      this.rows = this.load();
      this.pos = 0;
    }
    if (this.pos >= this.rows.length) return null;
    this.slot.values = this.rows[this.pos++];
    return this.slot;
  }

  rescan(): void {
    this.pos = 0;
    this.rescanPending = true;
  }

  end(): void {
    this.rows = null;
    this.child.end();
  }

  children(): PlanState[] {
    return [this.child];
  }
}
