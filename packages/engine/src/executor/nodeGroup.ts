/*
 * nodeGroup.ts — Group (PostgreSQL's nodeGroup.c): GROUP BY without
 * aggregates over sorted input: one row per run of equal grouping columns,
 * projected from the run's first row, filtered by the qual (HAVING).
 *
 * Exports: GroupState
 */

import type { Group } from '../nodes/plannodes.ts';
import type { EState, PlanState } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { ExecBuildProjectionInfo, ExecInitQual } from './execExpr.ts';
import { groupEqualityFn } from './execGrouping.ts';
import { ExecInitNode } from './execProcnode.ts';
import { PlanStateBase } from './execUtils.ts';

export class GroupState extends PlanStateBase<Group> {
  private readonly child: PlanState;
  private readonly equal: (a: readonly unknown[], b: readonly unknown[]) => boolean;
  private readonly first: TupleTableSlot;
  private readonly slot: TupleTableSlot;
  private readonly project: () => void;
  private readonly qual: (ec: typeof this.econtext) => boolean;
  /** The first row of the next group has been read into `first`. */
  private pending = false;
  private done = false;

  constructor(plan: Group, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null) throw new Error('Group without a child');
    this.child = ExecInitNode(plan.lefttree, estate);
    this.equal = groupEqualityFn(plan.grpColIdx, plan.grpOperators);
    this.first = new TupleTableSlot(plan.lefttree.targetlist.length);
    this.slot = new TupleTableSlot(plan.targetlist.length);
    this.econtext.outertuple = this.first;
    this.project = ExecBuildProjectionInfo(plan.targetlist, this.econtext, this.slot, this, estate);
    this.qual = ExecInitQual(plan.qual, this, estate);
  }

  private copyInto(values: readonly unknown[]): void {
    const f = this.first.values;
    for (let i = 0; i < f.length; i++) f[i] = values[i];
  }

  next(): TupleTableSlot | null {
    for (;;) {
      if (this.done) return null;
      if (!this.pending) {
        const s = this.child.next();
        if (s === null) {
          this.done = true;
          return null;
        }
        this.copyInto(s.values);
      }
      this.pending = false;
      // Project the group now (from its first row), then skip the rest of it.
      const ok = this.qual(this.econtext);
      if (ok) this.project();
      for (;;) {
        const s = this.child.next();
        if (s === null) {
          this.done = true;
          break;
        }
        if (!this.equal(s.values, this.first.values)) {
          this.copyInto(s.values);
          this.pending = true;
          break;
        }
      }
      if (ok) return this.slot;
      if (this.instrument !== null) this.instrument.nfiltered1++;
    }
  }

  rescan(): void {
    this.pending = false;
    this.done = false;
    this.child.rescan();
  }

  end(): void {
    this.child.end();
  }

  children(): PlanState[] {
    return [this.child];
  }
}
