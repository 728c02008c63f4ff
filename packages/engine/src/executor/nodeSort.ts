/*
 * nodeSort.ts — Sort (PostgreSQL's nodeSort.c with tuplesort.c's in-memory
 * path): reads every child row, sorts them, returns them in order.
 *
 * The order is the sort operators': an operator of btree strategy 1 ("<")
 * sorts ascending by the type's comparison, strategy 5 (">") descending;
 * NULLs first or last per key. The sort is stable (Array.prototype.sort is),
 * which PostgreSQL's is not; stability never contradicts it.
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
import { MemoryAccount, PlanStateBase, planReadsExecParams } from './execUtils.ts';

export class SortState extends PlanStateBase<Sort> {
  private readonly child: PlanState;
  private readonly slot: TupleTableSlot;
  private readonly compare: (a: readonly unknown[], b: readonly unknown[]) => number;
  private readonly mem: MemoryAccount;
  private readonly childReadsParams: boolean;
  private rows: unknown[][] | null = null;
  private pos = 0;

  constructor(plan: Sort, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null) throw new Error('Sort without a child');
    this.child = ExecInitNode(plan.lefttree, estate);
    this.slot = new TupleTableSlot(plan.lefttree.targetlist.length);
    this.compare = rowComparator(plan.sortColIdx, plan.sortOperators, plan.nullsFirst);
    this.mem = new MemoryAccount(estate, 'Sort');
    this.childReadsParams = planReadsExecParams(plan.lefttree, estate.plannedstmt);
  }

  private load(): unknown[][] {
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
    if (this.rows === null) {
      this.rows = this.load();
      this.pos = 0;
    }
    if (this.pos >= this.rows.length) return null;
    this.slot.values = this.rows[this.pos++];
    return this.slot;
  }

  rescan(): void {
    // Replay the sorted rows unless the input may have changed (ExecReScanSort).
    if (this.rows !== null && !this.childReadsParams) {
      this.pos = 0;
      return;
    }
    this.rows = null;
    this.child.rescan();
  }

  end(): void {
    this.rows = null;
    this.child.end();
  }

  children(): PlanState[] {
    return [this.child];
  }
}
