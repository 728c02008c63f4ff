/*
 * execScan.ts — the qual-and-project step every scan node shares
 * (PostgreSQL's execScan.c, ExecScan): a row in the scan slot is filtered by
 * the node's qual, then projected through its target list, unless the
 * target list is exactly the scan row, in which case the scan slot itself is
 * returned (ExecConditionalAssignProjectionInfo) and nothing is copied.
 *
 * Exports: ScanProjection, scanAttsNeeded, LimitsOutputColumns, limitsOutputColumns
 */

import type { Plan } from '../nodes/plannodes.ts';
import { INDEX_VAR, type Expr } from '../nodes/primnodes.ts';
import type { EState, ExprContext, PlanState } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { ExecBuildProjectionInfo, ExecInitQual } from './execExpr.ts';

/**
 * How many leading attributes of a row the expressions read (what
 * slot_getsomeattrs is asked for): the highest attribute number of a Var of
 * `varno`; all of them (natts) for a whole-row Var. A system column (ctid,
 * tableoid) needs none: it is read from the slot's tid and tableOid, not its
 * values, so UPDATE and DELETE plans (which carry a junk ctid) deform only
 * the columns they compute with. The walk looks at every field, so Vars in
 * SubPlan arguments count too; over-counting is harmless.
 */
export function scanAttsNeeded(exprs: readonly unknown[], varno: number, natts: number): number {
  let max = 0;
  const walk = (e: unknown): void => {
    if (max >= natts || e === null || typeof e !== 'object') return;
    if (Array.isArray(e)) {
      for (const x of e) walk(x);
      return;
    }
    const n = e as { type?: string; varno?: number; varattno?: number };
    if (n.type === 'Var' && n.varno === varno) {
      const att = n.varattno ?? 0;
      if (att === 0) max = natts;
      else if (att > 0) max = Math.max(max, att);
      return;
    }
    for (const k in n) {
      const v = (n as Record<string, unknown>)[k];
      if (v !== null && typeof v === 'object') walk(v);
    }
  };
  walk(exprs);
  return Math.min(max, natts);
}

/**
 * A scan node that can deform fewer columns when its parent reads only the
 * leading ones of its output (SeqScan, IndexScan, BitmapHeapScan: an Agg
 * above a physical target list tells it so before the first row).
 */
export interface LimitsOutputColumns {
  limitOutputColumns(natts: number): void;
}

export function limitsOutputColumns(ps: PlanState): ps is PlanState & LimitsOutputColumns {
  return typeof (ps as Partial<LimitsOutputColumns>).limitOutputColumns === 'function';
}

export class ScanProjection {
  readonly scanSlot: TupleTableSlot;
  readonly resultSlot: TupleTableSlot;
  readonly qual: ((ec: ExprContext) => boolean) | null;
  private readonly project: (() => void) | null;
  /** The target list is the scan row itself (no projection step). */
  get identity(): boolean {
    return this.project === null;
  }

  /**
   * scanrelid is the varno plain Vars of the scan row carry (INDEX_VAR for
   * an index-only scan); scanNatts the scan row's width; quals the part of
   * the plan's qual left to evaluate here (SeqScan hands a leading part to
   * the storage layer as scan keys).
   */
  constructor(ps: PlanState, plan: Plan, estate: EState, econtext: ExprContext, scanrelid: number, scanNatts: number, quals: readonly Expr[] = plan.qual) {
    this.scanSlot = new TupleTableSlot(scanNatts);
    econtext.scantuple = this.scanSlot;
    this.qual = quals.length > 0 ? ExecInitQual(quals, ps, estate) : null;
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
