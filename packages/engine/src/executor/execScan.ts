/*
 * execScan.ts — the qual-and-project step every scan node shares
 * (PostgreSQL's execScan.c, ExecScan): a row in the scan slot is filtered by
 * the node's qual, then projected through its target list, unless the
 * target list is exactly the scan row, in which case the scan slot itself is
 * returned (ExecConditionalAssignProjectionInfo) and nothing is copied.
 *
 * Exports: ScanProjection
 */

import type { Plan } from '../nodes/plannodes.ts';
import { INDEX_VAR } from '../nodes/primnodes.ts';
import type { EState, ExprContext, PlanState } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { ExecBuildProjectionInfo, ExecInitQual } from './execExpr.ts';

export class ScanProjection {
  readonly scanSlot: TupleTableSlot;
  readonly resultSlot: TupleTableSlot;
  readonly qual: ((ec: ExprContext) => boolean) | null;
  private readonly project: (() => void) | null;

  /**
   * scanrelid is the varno plain Vars of the scan row carry (INDEX_VAR for
   * an index-only scan); scanNatts the scan row's width.
   */
  constructor(ps: PlanState, plan: Plan, estate: EState, econtext: ExprContext, scanrelid: number, scanNatts: number) {
    this.scanSlot = new TupleTableSlot(scanNatts);
    econtext.scantuple = this.scanSlot;
    this.qual = plan.qual.length > 0 ? ExecInitQual(plan.qual, ps, estate) : null;
    const tl = plan.targetlist;
    const identity =
      tl.length === scanNatts &&
      tl.every((t, i) => t.expr.type === 'Var' && (t.expr.varno === scanrelid || (scanrelid === INDEX_VAR && t.expr.varno === INDEX_VAR)) && t.expr.varattno === i + 1);
    if (identity) {
      this.resultSlot = this.scanSlot;
      this.project = null;
    } else {
      this.resultSlot = new TupleTableSlot(tl.length);
      this.project = ExecBuildProjectionInfo(tl, econtext, this.resultSlot, ps, estate);
    }
  }

  /** Filters and projects the row now in the scan slot: the output slot, or null when the qual rejects it. */
  emit(ps: PlanState, econtext: ExprContext): TupleTableSlot | null {
    if (this.qual !== null && !this.qual(econtext)) {
      if (ps.instrument !== null) ps.instrument.nfiltered1++;
      return null;
    }
    if (this.project === null) return this.scanSlot;
    this.project();
    const out = this.resultSlot;
    out.tid = this.scanSlot.tid;
    out.tableOid = this.scanSlot.tableOid;
    return out;
  }
}
