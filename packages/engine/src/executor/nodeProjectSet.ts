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
 * A set-returning call inside an expression (`generate_series(1, 3) + 1`)
 * runs in the same lockstep, and the expression around it is evaluated
 * with its current value — what PostgreSQL gets from a ProjectSet below a
 * projection. A set-returning call in the arguments of another
 * (`generate_series(1, generate_series(1, 2))`) needs two ProjectSet levels
 * and is 0A000 here.
 *
 * Exports: ProjectSetState
 */

import type { ProjectSet } from '../nodes/plannodes.ts';
import type { Expr, FuncExpr, OpExpr } from '../nodes/primnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { lookupFunctionByOid } from '../utils/fmgr/fmgrtab.ts';
import type { FunctionInfo } from '../utils/fmgr/fmgrtypes.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import type { EState, ExprContext, ExprState, PlanState } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { ExecInitExprList, ExecInitExprWithOverrides } from './execExpr.ts';
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
  // Polymorphic SRFs (unnest(anyarray), jsonb_each) read their actual argument types.
  const argTypes = e.args.map((a) => exprType(a));
  return {
    start(ec: ExprContext): Iterator<unknown> {
      const vals = new Array<unknown>(args.length);
      for (let i = 0; i < args.length; i++) {
        const v = args[i](ec);
        if (v === null && strict) return EMPTY_ITER;
        vals[i] = v;
      }
      return implSet(vals, ctx, argTypes)[Symbol.iterator]();
    },
  };
}

export function isSetReturning(e: Expr): e is FuncExpr | OpExpr {
  return (e.type === 'FuncExpr' && e.funcretset) || (e.type === 'OpExpr' && e.opretset);
}

/** The outermost set-returning calls inside an expression (not inside subplans). */
function findSetReturning(e: unknown, out: (FuncExpr | OpExpr)[]): void {
  if (e === null || typeof e !== 'object') return;
  if (Array.isArray(e)) {
    for (const x of e) findSetReturning(x, out);
    return;
  }
  const n = e as Expr;
  if (n.type === 'SubPlan') return;
  if (n.type === 'FuncExpr' || n.type === 'OpExpr') {
    if (isSetReturning(n)) {
      out.push(n);
      return;
    }
  }
  for (const k in n) {
    const v = (n as unknown as Record<string, unknown>)[k];
    if (v !== null && typeof v === 'object') findSetReturning(v, out);
  }
}

function nestedSetError(): never {
  throw new PgError(SQLSTATE.feature_not_supported, 'a set-returning function in the arguments of another set-returning function is not supported');
}

export class ProjectSetState extends PlanStateBase<ProjectSet> {
  private readonly child: PlanState | null;
  private readonly slot: TupleTableSlot;
  /** Every set-returning call of the target list, run in lockstep. */
  private readonly srfs: SetFunction[] = [];
  private readonly iters: Iterator<unknown>[] = [];
  /** The current value of each set-returning call, and whether it has ended. */
  private readonly current: unknown[] = [];
  /** Per target entry: the index of its SRF when the entry is one, else -1. */
  private readonly directSrf: number[];
  /** Per target entry that is not a bare SRF: its expression (reading `current` for nested SRFs). */
  private readonly exprs: (ExprState | null)[];
  private haveRow = false;
  private childDone = false;

  constructor(plan: ProjectSet, estate: EState) {
    super(plan, estate);
    this.child = plan.lefttree !== null ? ExecInitNode(plan.lefttree, estate) : null;
    this.slot = new TupleTableSlot(plan.targetlist.length);
    const addSrf = (e: FuncExpr | OpExpr): number => {
      const inner: (FuncExpr | OpExpr)[] = [];
      findSetReturning(e.args, inner);
      if (inner.length > 0) nestedSetError();
      this.srfs.push(ExecInitSetFunction(e, this, estate));
      this.current.push(null);
      return this.srfs.length - 1;
    };
    this.directSrf = plan.targetlist.map((t) => (isSetReturning(t.expr) ? addSrf(t.expr) : -1));
    this.exprs = plan.targetlist.map((t, i) => {
      if (this.directSrf[i] >= 0) return null;
      const nested: (FuncExpr | OpExpr)[] = [];
      findSetReturning(t.expr, nested);
      const overrides = new Map<Expr, ExprState>();
      for (const n of nested) {
        const k = addSrf(n);
        const current = this.current;
        overrides.set(n, () => current[k]);
      }
      return ExecInitExprWithOverrides(t.expr, this, estate, overrides);
    });
  }

  /** One lockstep output row from the running SRFs, or false when all ended. */
  private produce(): boolean {
    const cur = this.current;
    let any = false;
    for (let i = 0; i < this.iters.length; i++) {
      const r = this.iters[i].next();
      if (r.done === true) {
        this.iters[i] = EMPTY_ITER;
        cur[i] = null;
      } else {
        any = true;
        cur[i] = r.value === undefined ? null : r.value;
      }
    }
    if (!any) return false;
    const out = this.slot.values;
    const ec = this.econtext;
    for (let i = 0; i < out.length; i++) {
      const d = this.directSrf[i];
      out[i] = d >= 0 ? cur[d] : (this.exprs[i] as ExprState)(ec);
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
      for (let i = 0; i < this.srfs.length; i++) this.iters[i] = this.srfs[i].start(ec);
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
