/*
 * nodeUnique.ts — Unique (PostgreSQL's nodeUnique.c): SELECT DISTINCT over
 * sorted input, returning the first row of each run of equal rows (NULLs
 * equal to each other, as grouping treats them).
 *
 * Exports: UniqueState
 */

import type { Unique } from '../nodes/plannodes.ts';
import type { EState, PlanState, TupleTableSlot } from './execnodes.ts';
import { groupEqualityFn } from './execGrouping.ts';
import { ExecInitNode } from './execProcnode.ts';
import { PlanStateBase } from './execUtils.ts';

export class UniqueState extends PlanStateBase<Unique> {
  private readonly child: PlanState;
  private readonly equal: (a: readonly unknown[], b: readonly unknown[]) => boolean;
  /** The last row returned, copied into a reused array. */
  private readonly prev: unknown[];
  private havePrev = false;

  constructor(plan: Unique, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null) throw new Error('Unique without a child');
    this.child = ExecInitNode(plan.lefttree, estate);
    this.equal = groupEqualityFn(plan.uniqColIdx, plan.uniqOperators);
    this.prev = new Array<unknown>(plan.lefttree.targetlist.length).fill(null);
  }

  next(): TupleTableSlot | null {
    for (;;) {
      const s = this.child.next();
      if (s === null) return null;
      if (this.havePrev && this.equal(s.values, this.prev)) continue;
      const v = s.values;
      const prev = this.prev;
      for (let i = 0; i < prev.length; i++) prev[i] = v[i];
      this.havePrev = true;
      return s;
    }
  }

  rescan(): void {
    this.havePrev = false;
    this.child.rescan();
  }

  end(): void {
    this.child.end();
  }

  children(): PlanState[] {
    return [this.child];
  }
}
