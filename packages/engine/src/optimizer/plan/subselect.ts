/*
 * subselect.ts — sub-selects inside expressions (PostgreSQL's
 * optimizer/plan/subselect.c).
 *
 * Exports:
 *   replaceCorrelationVars(root, e)  outer-level Vars become PARAM_EXEC Params the
 *                                    enclosing level supplies (SS_replace_correlation_vars)
 *   processSublinks(root, e)         each SubLink becomes a SubPlan (make_subplan):
 *                                    - uncorrelated EXISTS / EXPR / ARRAY: an initplan run
 *                                      once, the SubLink replaced by the Param it sets;
 *                                    - ANY / ALL: a SubPlan whose testexpr compares with
 *                                      Params the subplan's output columns set; an
 *                                      uncorrelated ANY with a hashable "=" is hashed;
 *                                    - correlated: a SubPlan rerun per row, with parParam
 *                                      set from args before each run.
 *   chargeForInitplans(plan, initPlans)  adds the initplans' costs to the plan they run under
 */

import type { Expr, Param, SubLink, SubPlan } from '../../nodes/primnodes.ts';
import { exprType, exprTypmod } from '../../nodes/nodeFuncs.ts';
import type { Plan } from '../../nodes/plannodes.ts';
import type { PlannerInfo } from '../pathnodes.ts';
import { clampRowEst, costExprEval, relationByteSize } from '../path/costsize.ts';
import { mapChildren, mutateExpr, walkExpr } from '../util/exprwalk.ts';
import { featureNotSupported } from '../../utils/errors.ts';
import { newExecParam } from './createplan.ts';
import { subqueryPlanner } from './planner.ts';
import { opIsHashjoinable } from '../util/lsyscache.ts';

const BOOLOID = 16;

/** The PARAM_EXEC a parent level supplies for an outer Var or Aggref (replace_outer_var). */
function paramForOuterVar(root: PlannerInfo, e: Expr & { type: 'Var' }): Param {
  let target = root;
  for (let i = 0; i < e.varlevelsup; i++) {
    if (target.parent_root === null) throw new Error('outer Var refers above the top query level');
    target = target.parent_root;
  }
  const v = { ...e, varlevelsup: 0, location: -1 };
  let item = target.plan_params.find((p) => p.item.varno === v.varno && p.item.varattno === v.varattno);
  if (item === undefined) {
    item = { item: v, paramId: newExecParam(root, v.vartype) };
    target.plan_params.push(item);
  }
  return { type: 'Param', paramkind: 'PARAM_EXEC', paramid: item.paramId, paramtype: e.vartype, paramtypmod: e.vartypmod, location: e.location };
}

export function replaceCorrelationVars(root: PlannerInfo, e: Expr): Expr {
  if (root.parent_root === null) return e;
  return mutateExpr(e, (n) => {
    if (n.type === 'Var' && n.varlevelsup > 0) return paramForOuterVar(root, n);
    if (n.type === 'Aggref' && n.agglevelsup > 0) featureNotSupported('aggregate functions of an outer query level');
    return undefined;
  });
}

/** Whether a plan node keeps its output so a rescan is cheap (ExecMaterializesOutput). */
function materializesOutput(p: Plan): boolean {
  return p.type === 'Material' || p.type === 'FunctionScan' || p.type === 'CteScan' || p.type === 'WorkTableScan' || p.type === 'Sort';
}

/** Cost of evaluating a SubPlan (cost_subplan). */
function costSubplan(root: PlannerInfo, sp: SubPlan, plan: Plan): void {
  const c = root.glob.cost;
  let startup = 0;
  let perTuple = 0;
  if (sp.testexpr !== null) perTuple += costExprEval(root, sp.testexpr).per_tuple;
  if (sp.useHashTable) {
    startup += plan.total_cost + c.cpu_operator_cost * plan.plan_rows;
  } else {
    const run = plan.total_cost - plan.startup_cost;
    if (sp.subLinkType === 'EXISTS_SUBLINK') perTuple += run / clampRowEst(plan.plan_rows);
    else if (sp.subLinkType === 'ALL_SUBLINK' || sp.subLinkType === 'ANY_SUBLINK') {
      perTuple += 0.5 * run;
      perTuple += 0.5 * plan.plan_rows * c.cpu_operator_cost;
    } else perTuple += run;
    if (sp.parParam.length === 0 && materializesOutput(plan)) startup += plan.startup_cost;
    else perTuple += plan.startup_cost;
  }
  sp.startup_cost = startup;
  sp.per_call_cost = perTuple;
}

/** Whether ANY's test is a hashable equality per column (subplan_is_hashable / test_opexpr_is_hashable). */
function testexprIsHashable(e: Expr | null): boolean {
  if (e === null) return false;
  if (e.type === 'OpExpr') return opIsHashjoinable(e.opno) && e.args[1].type === 'Param';
  if (e.type === 'BoolExpr' && e.boolop === 'AND_EXPR') return e.args.every(testexprIsHashable);
  return false;
}

function makeSubplan(root: PlannerInfo, sl: SubLink, isTopQual: boolean): Expr {
  const tupleFraction = sl.subLinkType === 'EXISTS_SUBLINK' ? 1.0 : sl.subLinkType === 'ANY_SUBLINK' || sl.subLinkType === 'ALL_SUBLINK' ? 0.5 : 0.0;
  const saved = root.plan_params;
  root.plan_params = [];
  // EXISTS needs no output columns, order or duplicate removal (simplify_EXISTS_query).
  const subselect = sl.subLinkType === 'EXISTS_SUBLINK' && !sl.subselect.hasAggs && sl.subselect.havingQual === null && sl.subselect.setOperations === null
    ? { ...sl.subselect, targetList: [], sortClause: [], distinctClause: [], hasDistinctOn: false }
    : sl.subselect;
  const { plan, subroot } = subqueryPlanner(root.glob, subselect, root, false, tupleFraction);
  const params = root.plan_params;
  root.plan_params = saved;
  const planId = root.glob.subplans.push(plan);
  root.glob.subroots.push(subroot);
  const firstTle = plan.targetlist.find((t) => !t.resjunk);
  const firstColType = firstTle === undefined ? 0 : exprType(firstTle.expr);
  const sp: SubPlan = {
    type: 'SubPlan', subLinkType: sl.subLinkType, testexpr: null, paramIds: [], plan_id: planId, plan_name: `SubPlan ${planId}`,
    firstColType, firstColTypmod: firstTle === undefined ? -1 : exprTypmod(firstTle.expr), useHashTable: false, unknownEqFalse: isTopQual,
    setParam: [], parParam: params.map((p) => p.paramId), args: params.map((p) => p.item), startup_cost: 0, per_call_cost: 0,
  };
  const correlated = params.length > 0;
  if (!correlated && (sl.subLinkType === 'EXISTS_SUBLINK' || sl.subLinkType === 'EXPR_SUBLINK' || sl.subLinkType === 'ARRAY_SUBLINK')) {
    // An initplan: run once, its result in a Param.
    const t = sl.subLinkType === 'EXISTS_SUBLINK' ? BOOLOID : exprType(sl);
    const pid = newExecParam(root, t);
    sp.setParam = [pid];
    sp.plan_name = `InitPlan ${planId}`;
    costSubplan(root, sp, plan);
    root.init_plans.push(sp);
    return { type: 'Param', paramkind: 'PARAM_EXEC', paramid: pid, paramtype: t, paramtypmod: sl.subLinkType === 'EXPR_SUBLINK' ? sp.firstColTypmod : -1, location: sl.location };
  }
  if (sl.subLinkType === 'ANY_SUBLINK' || sl.subLinkType === 'ALL_SUBLINK' || sl.subLinkType === 'ROWCOMPARE_SUBLINK') {
    // The test's Params name the subplan's output columns; give each a PARAM_EXEC slot.
    const outCols = plan.targetlist.filter((t) => !t.resjunk);
    const ids = outCols.map((t) => newExecParam(root, exprType(t.expr)));
    sp.paramIds = ids;
    sp.testexpr = sl.testexpr === null ? null : mutateExpr(sl.testexpr, (n) => {
      if (n.type === 'Param' && n.paramkind === 'PARAM_EXEC' && n.paramid >= 1 && n.paramid <= ids.length) return { ...n, paramid: ids[n.paramid - 1] };
      return undefined;
    });
    const c = root.glob.cost;
    if (!correlated && sl.subLinkType === 'ANY_SUBLINK' && testexprIsHashable(sp.testexpr)
      && relationByteSize(plan.plan_rows, plan.plan_width) <= c.work_mem * 1024 * c.hash_mem_multiplier) {
      sp.useHashTable = true;
    }
  }
  if (sl.subLinkType === 'MULTIEXPR_SUBLINK') featureNotSupported('multiple-column UPDATE SET from a sub-select');
  costSubplan(root, sp, plan);
  return sp;
}

/** Replaces every SubLink in e (at this level) with a SubPlan or an initplan's Param (SS_process_sublinks). */
export function processSublinks(root: PlannerInfo, e: Expr, isQual: boolean): Expr {
  const rec = (n: Expr, top: boolean): Expr => {
    if (n.type === 'SubLink') {
      const testexpr = n.testexpr === null ? null : rec(n.testexpr, false);
      return makeSubplan(root, { ...n, testexpr }, top);
    }
    if (n.type === 'BoolExpr' && n.boolop === 'AND_EXPR' && top) return { ...n, args: n.args.map((a) => rec(a, true)) };
    return mapChildren(n, (c) => rec(c, false));
  };
  if (!walkExpr(e, (n) => n.type === 'SubLink')) return e;
  return rec(e, isQual);
}

/** Initplans run before their plan's first row: charge them to it (SS_charge_for_initplans). */
export function chargeForInitplans(plan: Plan, initPlans: SubPlan[]): void {
  let cost = 0;
  for (const sp of initPlans) cost += sp.startup_cost + sp.per_call_cost;
  plan.startup_cost += cost;
  plan.total_cost += cost;
}
