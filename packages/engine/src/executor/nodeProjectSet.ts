/*
 * nodeProjectSet.ts — ProjectSet (PostgreSQL 10+'s nodeProjectSet.c):
 * set-returning functions in a target list (`SELECT generate_series(1, 3),
 * x FROM t`).
 *
 * For each input row, every SRF of the target list starts; output rows are
 * produced in lockstep: row k takes the k-th value of each SRF, NULL from
 * an SRF that has already ended, until all have ended. Non-SRF columns are
 * evaluated again for each output row. An input row for which every SRF
 * returns no rows produces no output. A strict SRF with a NULL argument
 * returns no rows.
 *
 * Exports: ProjectSetState
 */

import type { ProjectSet } from '../nodes/plannodes.ts';
import type { Expr, FuncExpr, OpExpr } from '../nodes/primnodes.ts';
import { lookupFunctionByOid } from '../utils/fmgr/fmgrtab.ts';
import type { FunctionInfo } from '../utils/fmgr/fmgrtypes.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import type { EState, ExprContext, ExprState, PlanState } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { ExecInitExpr, ExecInitExprList } from './execExpr.ts';
import { ExecInitNode } from './execProcnode.ts';
import { PlanStateBase } from './execUtils.ts';

/** A compiled set-returning call: evaluate the arguments, start the set. */
export interface SetFunction {
  start(ec: ExprContext): Iterator<unknown>;
}

const EMPTY_ITER: Iterator<unknown> = { next: () => ({ done: true, value: undefined }) };

/** Compiles an SRF call (FuncExpr or OpExpr returning a set) for ProjectSet and FunctionScan. */
export function ExecInitSetFunction(e: FuncExpr | OpExpr, parent: PlanState | null, estate: EState): SetFunction {
  const fn: FunctionInfo = lookupFunctionByOid(e.type === 'FuncExpr' ? e.funcid : e.opfuncid);
  const implSet = fn.implSet;
  if (implSet === undefined) throw new PgError(SQLSTATE.feature_not_supported, `set-returning function ${fn.proname} is not implemented`);
  const args = ExecInitExprList(e.args, parent, estate);
  const strict = fn.proisstrict;
  const ctx = estate.fmgr;
  return {
    start(ec: ExprContext): Iterator<unknown> {
      const vals = new Array<unknown>(args.length);
      for (let i = 0; i < args.length; i++) {
        const v = args[i](ec);
        if (v === null && strict) return EMPTY_ITER;
        vals[i] = v;
      }
      return implSet(vals, ctx)[Symbol.iterator]();
    },
  };
}

export function isSetReturning(e: Expr): e is FuncExpr | OpExpr {
  return (e.type === 'FuncExpr' && e.funcretset) || (e.type === 'OpExpr' && e.opretset);
}

export class ProjectSetState extends PlanStateBase<ProjectSet> {
  private readonly child: PlanState | null;
  private readonly slot: TupleTableSlot;
  /** Per target entry: an SRF, or a plain expression. */
  private readonly srfs: (SetFunction | null)[];
  private readonly exprs: (ExprState | null)[];
  private readonly iters: (Iterator<unknown> | null)[];
  private haveRow = false;
  private childDone = false;

  constructor(plan: ProjectSet, estate: EState) {
    super(plan, estate);
    this.child = plan.lefttree !== null ? ExecInitNode(plan.lefttree, estate) : null;
    this.slot = new TupleTableSlot(plan.targetlist.length);
    this.srfs = plan.targetlist.map((t) => (isSetReturning(t.expr) ? ExecInitSetFunction(t.expr, this, estate) : null));
    this.exprs = plan.targetlist.map((t) => (isSetReturning(t.expr) ? null : ExecInitExpr(t.expr, this, estate)));
    this.iters = this.srfs.map(() => null);
  }

  /** One lockstep output row from the running SRFs, or false when all ended. */
  private produce(): boolean {
    const out = this.slot.values;
    let any = false;
    for (let i = 0; i < this.srfs.length; i++) {
      const it = this.iters[i];
      if (it === null) continue;
      const r = it.next();
      if (r.done === true) {
        this.iters[i] = EMPTY_ITER;
        out[i] = null;
      } else {
        any = true;
        out[i] = r.value === undefined ? null : r.value;
      }
    }
    if (!any) return false;
    const ec = this.econtext;
    for (let i = 0; i < this.exprs.length; i++) {
      const e = this.exprs[i];
      if (e !== null) out[i] = e(ec);
    }
    return true;
  }

  next(): TupleTableSlot | null {
    const ec = this.econtext;
    for (;;) {
      if (this.haveRow && this.produce()) return this.slot;
      this.haveRow = false;
      if (this.childDone) return null;
      if (this.child !== null) {
        const s = this.child.next();
        if (s === null) {
          this.childDone = true;
          return null;
        }
        ec.outertuple = s;
      } else {
        // No FROM: the SRFs run once.
        this.childDone = true;
      }
      this.estate.checkInterrupts();
      for (let i = 0; i < this.srfs.length; i++) {
        const f = this.srfs[i];
        this.iters[i] = f !== null ? f.start(ec) : null;
      }
      this.haveRow = true;
    }
  }

  rescan(): void {
    this.haveRow = false;
    this.childDone = false;
    this.child?.rescan();
  }

  end(): void {
    this.child?.end();
  }

  children(): PlanState[] {
    return this.child !== null ? [this.child] : [];
  }
}
