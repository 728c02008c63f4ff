/*
 * nodeMergeAppend.ts — MergeAppend (PostgreSQL's nodeMergeAppend.c): merges
 * children that are each sorted on the same keys into one sorted stream,
 * with a binary heap of the children by their current row. A child's slot
 * stays valid until its next() is called, so rows are not copied.
 *
 * Exports: MergeAppendState
 */

import type { MergeAppend } from '../nodes/plannodes.ts';
import type { EState, PlanState, TupleTableSlot } from './execnodes.ts';
import { rowComparator } from './execGrouping.ts';
import { ExecInitNode } from './execProcnode.ts';
import { PlanStateBase } from './execUtils.ts';

export class MergeAppendState extends PlanStateBase<MergeAppend> {
  private readonly subs: PlanState[];
  private readonly current: (TupleTableSlot | null)[];
  private readonly compare: (a: readonly unknown[], b: readonly unknown[]) => number;
  /** Indexes of children with a current row, as a min-heap. */
  private heap: number[] = [];
  private started = false;
  /** The child whose row was returned last: advance it on the next call. */
  private lastReturned = -1;

  constructor(plan: MergeAppend, estate: EState) {
    super(plan, estate);
    this.subs = plan.mergeplans.map((p) => ExecInitNode(p, estate));
    this.current = this.subs.map(() => null);
    this.compare = rowComparator(plan.sortColIdx, plan.sortOperators, plan.nullsFirst);
  }

  private less(i: number, j: number): boolean {
    const c = this.compare((this.current[this.heap[i]] as TupleTableSlot).values, (this.current[this.heap[j]] as TupleTableSlot).values);
    // Ties go to the earlier child, keeping the merge stable.
    return c < 0 || (c === 0 && this.heap[i] < this.heap[j]);
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(l, m)) m = l;
      if (r < h.length && this.less(r, m)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }

  next(): TupleTableSlot | null {
    if (!this.started) {
      this.started = true;
      this.heap = [];
      for (let k = 0; k < this.subs.length; k++) {
        this.current[k] = this.subs[k].next();
        if (this.current[k] !== null) this.heap.push(k);
      }
      for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
    } else if (this.lastReturned >= 0) {
      const k = this.lastReturned;
      this.current[k] = this.subs[k].next();
      if (this.current[k] === null) {
        const last = this.heap.pop() as number;
        if (this.heap.length > 0 && last !== k) this.heap[0] = last;
      }
      if (this.heap.length > 0) this.siftDown(0);
    }
    if (this.heap.length === 0) {
      this.lastReturned = -1;
      return null;
    }
    this.lastReturned = this.heap[0];
    return this.current[this.lastReturned];
  }

  rescan(): void {
    for (const s of this.subs) s.rescan();
    this.started = false;
    this.lastReturned = -1;
  }

  end(): void {
    for (const s of this.subs) s.end();
  }

  children(): PlanState[] {
    return this.subs;
  }
}
