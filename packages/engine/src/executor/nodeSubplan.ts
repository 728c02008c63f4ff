/*
 * nodeSubplan.ts — subqueries inside expressions (PostgreSQL's
 * nodeSubplan.c): SubPlan expression nodes and initplans.
 *
 * Exports:
 *   ExecInitSubPlan(subplan, parent, estate): ExprState   a SubPlan in an expression
 *   ExecInitInitPlans(initPlans, estate): () => void       arms a node's initplans; the result re-arms them
 *   getSubplanState(estate, planId)                         the PlanState of PlannedStmt.subplans[planId - 1]
 *
 * A correlated SubPlan sets its parParam PARAM_EXEC values from its args,
 * rescans its plan and reads rows, on every evaluation. An uncorrelated
 * EXPR/EXISTS/ARRAY subquery is an initplan: it runs once, the first time
 * one of its setParam values is read (execExpr.ts compileParam), and again
 * after its owning node is rescanned.
 *
 * NULL semantics of `x op ANY (subquery)`: true if some row gives true;
 * otherwise NULL if some row gave NULL; otherwise false (false for no rows).
 * ALL mirrors it. So `1 NOT IN (SELECT NULL::int)` is NULL, not true.
 */

import type { Expr, OpExpr, Param, SubPlan } from '../nodes/primnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { ArrayValue } from '../utils/adt/array.ts';
import type { Datum } from '../utils/adt/datum.ts';
import { PgError, SQLSTATE, elog } from '../utils/errors.ts';
import type { EState, ExprContext, ExprState, PlanState } from './execnodes.ts';
import { ExecInitExpr } from './execExpr.ts';
import { equalityFn, TupleKeyer, type HashKey } from './execGrouping.ts';
import { ExecInitNode } from './execProcnode.ts';
import { executorPrivate, MemoryAccount, type ParamExecPlan } from './execUtils.ts';

export function getSubplanState(estate: EState, planId: number): PlanState {
  const priv = executorPrivate(estate);
  const existing = priv.subplanStates[planId - 1];
  if (existing !== null && existing !== undefined) return existing;
  const plan = estate.plannedstmt.subplans[planId - 1];
  if (plan === undefined) elog(`subplan ${planId} does not exist`);
  const ps = ExecInitNode(plan, estate);
  priv.subplanStates[planId - 1] = ps;
  return ps;
}

function tooManyRows(): never {
  throw new PgError('21000', 'more than one row returned by a subquery used as an expression');
}

/**
 * Runs a subplan from the start (rescanning it after its first run). Two
 * SubPlan nodes may share a plan_id, so whether the state has run is kept
 * per state (ExecutorPrivate.startedSubplans), not per runner.
 */
class SubPlanRunner {
  readonly ps: PlanState;
  private readonly started: Set<PlanState>;
  constructor(estate: EState, planId: number) {
    this.ps = getSubplanState(estate, planId);
    this.started = executorPrivate(estate).startedSubplans;
  }
  start(): PlanState {
    if (this.started.has(this.ps)) this.ps.rescan();
    else this.started.add(this.ps);
    return this.ps;
  }
}

export function ExecInitSubPlan(sp: SubPlan, parent: PlanState | null, estate: EState): ExprState {
  const runner = new SubPlanRunner(estate, sp.plan_id);
  const vals = estate.execParams;
  const parParam = sp.parParam;
  const args = sp.args.map((a) => ExecInitExpr(a, parent, estate));
  const setArgs = (ec: ExprContext): void => {
    for (let i = 0; i < parParam.length; i++) vals[parParam[i]] = args[i](ec);
  };
  const paramIds = sp.paramIds;
  const testexpr = sp.testexpr !== null ? ExecInitExpr(sp.testexpr, parent, estate) : null;

  switch (sp.subLinkType) {
    case 'EXISTS_SUBLINK':
      return (ec) => {
        setArgs(ec);
        const ps = runner.start();
        return ps.next() !== null;
      };
    case 'EXPR_SUBLINK':
      return (ec) => {
        setArgs(ec);
        const ps = runner.start();
        const slot = ps.next();
        if (slot === null) return null;
        const v = slot.values[0];
        if (ps.next() !== null) tooManyRows();
        return v;
      };
    case 'ARRAY_SUBLINK': {
      const elemType = sp.firstColType;
      return (ec) => {
        setArgs(ec);
        const ps = runner.start();
        const out: (Datum | null)[] = [];
        for (let slot = ps.next(); slot !== null; slot = ps.next()) out.push(slot.values[0] as Datum | null);
        return ArrayValue.of(elemType, out);
      };
    }
    case 'ROWCOMPARE_SUBLINK': {
      if (testexpr === null) return elog('ROWCOMPARE subplan without testexpr');
      return (ec) => {
        setArgs(ec);
        const ps = runner.start();
        const slot = ps.next();
        if (slot === null) return null;
        for (let i = 0; i < paramIds.length; i++) vals[paramIds[i]] = slot.values[i];
        if (ps.next() !== null) tooManyRows();
        return testexpr(ec);
      };
    }
    case 'ANY_SUBLINK':
    case 'ALL_SUBLINK': {
      if (testexpr === null) return elog('ANY/ALL subplan without testexpr');
      if (sp.useHashTable && sp.subLinkType === 'ANY_SUBLINK' && parParam.length === 0) {
        const hashed = buildHashedAny(sp, parent, estate, runner);
        if (hashed !== null) return hashed;
      }
      const isAny = sp.subLinkType === 'ANY_SUBLINK';
      return (ec) => {
        setArgs(ec);
        const ps = runner.start();
        let sawNull = false;
        for (let slot = ps.next(); slot !== null; slot = ps.next()) {
          for (let i = 0; i < paramIds.length; i++) vals[paramIds[i]] = slot.values[i];
          const r = testexpr(ec);
          if (r === null) sawNull = true;
          else if (isAny) {
            if (r === true) return true;
          } else if (r !== true) {
            return false;
          }
        }
        return sawNull ? null : !isAny;
      };
    }
    default:
      throw new PgError(SQLSTATE.feature_not_supported, `subquery of kind ${sp.subLinkType} is not supported`);
  }
}

/**
 * `(a, b) IN (SELECT x, y ...)` over an uncorrelated subquery, through a
 * hash table built on first use (ExecHashSubPlan): rows without NULLs go in
 * the table; rows with a NULL are kept aside, because they make a failed
 * probe NULL instead of false when they could have matched.
 * Returns null when testexpr is not a conjunction of `lhs = Param` (the
 * caller then loops instead).
 */
function buildHashedAny(sp: SubPlan, parent: PlanState | null, estate: EState, runner: SubPlanRunner): ExprState | null {
  const clauses: OpExpr[] = [];
  const te = sp.testexpr as Expr;
  if (te.type === 'OpExpr') clauses.push(te);
  else if (te.type === 'BoolExpr' && te.boolop === 'AND_EXPR' && te.args.every((a) => a.type === 'OpExpr')) clauses.push(...(te.args as OpExpr[]));
  else return null;
  const cols: number[] = [];
  for (const c of clauses) {
    const p = c.args[1];
    if (c.args.length !== 2 || p.type !== 'Param' || p.paramkind !== 'PARAM_EXEC') return null;
    const col = sp.paramIds.indexOf((p as Param).paramid);
    if (col < 0) return null;
    cols.push(col);
  }
  const lhs = clauses.map((c) => ExecInitExpr(c.args[0], parent, estate));
  const n = lhs.length;
  const lhsKeyer = new TupleKeyer(clauses.map((c) => exprType(c.args[0])));
  const rowKeyer = new TupleKeyer(clauses.map((c) => exprType(c.args[1])));
  const eqs = clauses.map((c) => equalityFn(c.opno));
  const identity = Array.from({ length: n }, (_, i) => i);
  let table: Set<HashKey> | null = null;
  let nullRows: unknown[][] = [];
  let allRows: unknown[][] = [];
  const mem = new MemoryAccount(estate, 'hashed subplan');
  const lhsVals = new Array<unknown>(n);

  const build = (): void => {
    table = new Set();
    nullRows = [];
    allRows = [];
    const ps = runner.start();
    for (let slot = ps.next(); slot !== null; slot = ps.next()) {
      const row = cols.map((c) => slot.values[c]);
      mem.addRow(row);
      allRows.push(row);
      const k = rowKeyer.key(row, identity, false);
      if (k === null) nullRows.push(row);
      else table.add(k);
    }
  };
  // Could `lhs` equal `row` for some values of their NULL columns?
  const couldMatch = (row: readonly unknown[]): boolean => {
    for (let i = 0; i < n; i++) {
      const a = lhsVals[i];
      const b = row[i];
      if (a !== null && b !== null && !eqs[i](a, b)) return false;
    }
    return true;
  };
  return (ec) => {
    if (table === null) build();
    if (allRows.length === 0) return false;
    for (let i = 0; i < n; i++) lhsVals[i] = lhs[i](ec);
    const k = lhsKeyer.key(lhsVals, identity, false);
    if (k !== null) {
      if ((table as Set<HashKey>).has(k)) return true;
      for (const r of nullRows) if (couldMatch(r)) return null;
      return false;
    }
    for (const r of allRows) if (couldMatch(r)) return null;
    return false;
  };
}

/**
 * Arms the initplans of one plan node: each setParam gets a runner that the
 * first read of the param triggers. Returns the function that re-arms them
 * (called when the owning node is rescanned, as PostgreSQL's ExecReScan
 * resets a node's initplans whose params changed).
 */
export function ExecInitInitPlans(initPlans: readonly SubPlan[], estate: EState): () => void {
  const priv = executorPrivate(estate);
  const vals = estate.execParams;
  const runners: ParamExecPlan[] = initPlans.map((sp) => {
    const runner = new SubPlanRunner(estate, sp.plan_id);
    const setParam = sp.setParam;
    const self: ParamExecPlan = {
      run(): void {
        for (const id of setParam) priv.paramExecPlans[id] = null;
        const ps = runner.start();
        switch (sp.subLinkType) {
          case 'EXISTS_SUBLINK':
            vals[setParam[0]] = ps.next() !== null;
            break;
          case 'ARRAY_SUBLINK': {
            const out: (Datum | null)[] = [];
            for (let slot = ps.next(); slot !== null; slot = ps.next()) out.push(slot.values[0] as Datum | null);
            vals[setParam[0]] = ArrayValue.of(sp.firstColType, out);
            break;
          }
          case 'EXPR_SUBLINK':
          case 'ROWCOMPARE_SUBLINK':
          case 'MULTIEXPR_SUBLINK': {
            const slot = ps.next();
            if (slot === null) {
              for (const id of setParam) vals[id] = null;
            } else {
              for (let i = 0; i < setParam.length; i++) vals[setParam[i]] = slot.values[i];
              if (ps.next() !== null) tooManyRows();
            }
            break;
          }
          default:
            throw new PgError(SQLSTATE.feature_not_supported, `initplan of kind ${sp.subLinkType} is not supported`);
        }
      },
    };
    return self;
  });
  const arm = (): void => {
    initPlans.forEach((sp, i) => {
      for (const id of sp.setParam) priv.paramExecPlans[id] = runners[i];
    });
  };
  arm();
  return arm;
}

