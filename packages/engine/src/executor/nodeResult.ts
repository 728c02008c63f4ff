/*
 * nodeResult.ts — Result (PostgreSQL's nodeResult.c): a query without FROM
 * (`SELECT 1 + 1`: one row), or a projection and one-time filter above a
 * child. resconstantqual ("One-Time Filter" in EXPLAIN) depends on no row,
 * so it is evaluated once per scan: false means no rows at all, and the
 * child is never run.
 *
 * Exports: ResultState
 */

import type { Result } from '../nodes/plannodes.ts';
import type { EState, PlanState, TupleTableSlot as Slot } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { ExecBuildProjectionInfo, ExecInitQual } from './execExpr.ts';
import { ExecInitNode } from './execProcnode.ts';
import { PlanStateBase } from './execUtils.ts';

export class ResultState extends PlanStateBase<Result> {
  private readonly child: PlanState | null;
  private readonly slot: TupleTableSlot;
  private readonly project: () => void;
  private readonly qual: (ec: typeof this.econtext) => boolean;
  private readonly constQual: ((ec: typeof this.econtext) => boolean) | null;
  private constChecked = false;
  private constOk = true;
  private done = false;

  constructor(plan: Result, estate: EState) {
    super(plan, estate);
    this.child = plan.lefttree !== null ? ExecInitNode(plan.lefttree, estate) : null;
    this.slot = new TupleTableSlot(plan.targetlist.length);
    this.project = ExecBuildProjectionInfo(plan.targetlist, this.econtext, this.slot, this, estate);
    this.qual = ExecInitQual(plan.qual, this, estate);
    this.constQual = plan.resconstantqual !== null ? ExecInitQual([plan.resconstantqual], this, estate) : null;
  }

  next(): Slot | null {
    if (!this.constChecked) {
      this.constChecked = true;
      this.constOk = this.constQual === null || this.constQual(this.econtext);
    }
    if (!this.constOk || this.done) return null;
    const ec = this.econtext;
    if (this.child === null) {
      this.done = true;
      if (!this.qual(ec)) return null;
      this.project();
      return this.slot;
    }
    for (;;) {
      const row = this.child.next();
      if (row === null) {
        this.done = true;
        return null;
      }
      ec.outertuple = row;
      if (!this.qual(ec)) {
        if (this.instrument !== null) this.instrument.nfiltered1++;
        continue;
      }
      this.project();
      return this.slot;
    }
  }

  rescan(): void {
    this.constChecked = false;
    this.done = false;
    this.child?.rescan();
  }

  end(): void {
    this.child?.end();
  }

  children(): PlanState[] {
    return this.child !== null ? [this.child] : [];
  }
}
