/*
 * planner.ts — the planner's entry point and the per-query-level driver
 * (PostgreSQL's optimizer/plan/planner.c and planmain.c).
 *
 * Exports:
 *   planner(query, ctx): PlannedStmt      plan one statement (standard_planner)
 *   PlannerContext                         what the caller supplies
 *   subqueryPlanner(glob, parse, parent, hasRecursion, tupleFraction)
 *                                          plan one query level (subquery_planner)
 *   planSubqueryRel, findCtePlan           used by allpaths / createplan for FROM items
 *
 * One query level goes through (README.md "Pipeline"):
 *   1. WITH: CTEs referenced once are inlined as sub-selects, others planned
 *      once as CTE subplans (SS_process_ctes);
 *   2. the join tree is reshaped (prepjointree.ts): join alias Vars
 *      flattened, EXISTS/IN sub-selects made semi/anti joins, simple
 *      sub-selects and views pulled up, outer joins reduced;
 *   3. every expression is preprocessed: outer Vars become Params,
 *      constants folded, remaining SubLinks made SubPlans;
 *   4. query_planner: base relations, clause placement, paths, join search;
 *   5. grouping_planner: aggregation, window functions, DISTINCT, ORDER BY,
 *      LIMIT, FOR UPDATE, INSERT/UPDATE/DELETE on top, the cheapest
 *      combination chosen by cost.
 */

import type { CommonTableExpr, Query, RangeTblEntry } from '../../nodes/parsenodes.ts';
import type { Agg, Limit, LockRows, ModifyTable, Plan, PlannedStmt, PlanRowMark, ProjectSet, Result, Unique, WindowAgg } from '../../nodes/plannodes.ts';
import type { Aggref, Expr, FromExpr, JoinTreeNode, Param, SortGroupClause, SubPlan, TargetEntry, Var, WindowFunc } from '../../nodes/primnodes.ts';
import { exprType, exprTypmod } from '../../nodes/nodeFuncs.ts';
import type { PathKey, PlannerContext, PlannerGlobal, PlannerInfo, RelOptInfo } from '../pathnodes.ts';
import { adjustLimitRowsCosts, clampRowEst, costAgg, costExprEval, costParamsFromSettings, costWindowAgg, type AggCosts, type QualCost } from '../path/costsize.ts';
import { makeRelFromJoinlist, reduceUniqueSemijoins, setBaseRelPathlists, setBaseRelSizes, estimateFunctionRows } from '../path/allpaths.ts';
import { makePathkeysForSortclauses, pathkeysContainedIn } from '../path/pathkeys.ts';
import { applyTlist, createPlan, makeGatingResult, makeSortFromPathkeys, makeTle, newExecParam, tlistWidth } from './createplan.ts';
import { addBaseRelsToQuery, buildBaseRelTlists, deconstructJointree } from './initsplan.ts';
import { registerSubqueryRoot, setPlanReferences } from './setrefs.ts';
import { chargeForInitplans, processSublinks, replaceCorrelationVars } from './subselect.ts';
import { planSetOperations } from '../prep/prepunion.ts';
import { flattenJoinAliasVars, pullUpSublinks, pullUpSubqueries, reduceOuterJoins } from '../prep/prepjointree.ts';
import { containVolatileFunctions, evalConstExpressions, getFunction, isConstFalseOrNull } from '../util/clauses.ts';
import { equalExpr, exprChildren, exprKey, walkExpr } from '../util/exprwalk.ts';
import { btreeStrategyOf as btreeStrategyOfOp, getTypavgwidth } from '../util/lsyscache.ts';
import { mutateExprDeep, mutateQuery } from '../util/querywalk.ts';
import { pullVars, queryExprs } from '../util/var.ts';
import { exprWidth } from '../util/relnode.ts';
import { estimateNumGroups } from '../util/selfuncs.ts';
import { featureNotSupported, PgError, SQLSTATE } from '../../utils/errors.ts';
import { lookupAggregate } from '../../utils/fmgr/fmgrtab.ts';

export type { PlannerContext };

const TIDOID = 27;
const RECORDOID = 2249;

// ---------------------------------------------------------------------------
// Entry point.

/** Plans one analyzed, rewritten statement (standard_planner). */
export function planner(query: Query, ctx: PlannerContext): PlannedStmt {
  if (query.commandType === 'CMD_UTILITY') {
    throw new Error('planner: utility statements are executed by ProcessUtility, not planned');
  }
  const glob: PlannerGlobal = {
    ctx, cost: costParamsFromSettings(ctx.settings, ctx.settingsVersion), subplans: [], subroots: [], paramExecTypes: [],
    relationOids: new Set(), relcache: new Map(),
  };
  const { plan, subroot } = subqueryPlanner(glob, query, null, false, 0);
  return setPlanReferences(glob, subroot, plan, query);
}

function makeRoot(glob: PlannerGlobal, parse: Query, parent: PlannerInfo | null): PlannerInfo {
  return {
    parse, glob, query_level: parent === null ? 1 : parent.query_level + 1, parent_root: parent,
    simple_rel_array: [null], join_rel_list: [], join_rel_hash: new Map(), join_info_list: [], all_baserels: 0n,
    total_table_pages: 0, eq_classes: [], plan_params: [], init_plans: [], pseudoconstant_quals: [], processed_tlist: [],
    query_pathkeys: [], group_pathkeys: [], window_pathkeys: [], distinct_pathkeys: [], sort_pathkeys: [],
    tuple_fraction: 0, limit_tuples: -1, cte_plan_ids: new Map(), cte_list: parse.cteList, wt_param_id: -1,
    non_recursive_rows: 0, hasJoinRTEs: false, hasHavingQual: parse.havingQual !== null, attr_needed_above: new Map(),
  };
}

// ---------------------------------------------------------------------------
// CTEs.

interface CtePlanInfo { planId: number; param: number; rows: number }
const ctePlans = new WeakMap<PlannerInfo, Map<string, CtePlanInfo>>();

/** The plan of the CTE an RTE_CTE names, from the query level that defines it. */
export function findCtePlan(root: PlannerInfo, rte: RangeTblEntry): CtePlanInfo {
  let r: PlannerInfo = root;
  // A self-reference names the CTE's own query level: one level below the WITH that defines it.
  const levels = rte.self_reference ? rte.ctelevelsup - 1 : rte.ctelevelsup;
  for (let i = 0; i < levels; i++) {
    if (r.parent_root === null) throw new Error(`CTE ${rte.ctename} not found`);
    r = r.parent_root;
  }
  if (rte.self_reference) {
    // The recursive term's reference to itself reads the work table of the RecursiveUnion being planned.
    if (r.wt_param_id < 0) throw new Error(`recursive reference to ${rte.ctename} outside its recursive term`);
    return { planId: 0, param: r.wt_param_id, rows: Math.max(r.non_recursive_rows * 10, 1) };
  }
  const info = ctePlans.get(r)?.get(rte.ctename);
  if (info === undefined) throw new Error(`CTE ${rte.ctename} was not planned`);
  return info;
}

function countCteRefs(q: Query, name: string, depth: number): number {
  let n = 0;
  for (const rte of q.rtable) {
    if (rte.rtekind === 'RTE_CTE' && rte.ctename === name && rte.ctelevelsup === depth) n++;
    if (rte.rtekind === 'RTE_SUBQUERY' && rte.subquery !== null) n += countCteRefs(rte.subquery, name, depth + 1);
  }
  for (const e of queryExprs(q)) {
    walkExpr(e, (x) => {
      if (x.type === 'SubLink') n += countCteRefs(x.subselect, name, depth + 1);
      return false;
    });
  }
  for (const c of q.cteList) n += countCteRefs(c.ctequery, name, depth + 1);
  return n;
}

/** Whether a CTE can be inlined as a sub-select (PostgreSQL 12+: referenced once, not recursive, no side effects). */
function cteInlinable(parse: Query, cte: CommonTableExpr): boolean {
  if (cte.cterecursive || cte.ctematerialized === 'CTEMaterializeAlways') return false;
  if (cte.ctequery.commandType !== 'CMD_SELECT') return false;
  if (queryExprs(cte.ctequery).some(containVolatileFunctions)) return false;
  const refs = countCteRefs(parse, cte.ctename, 0);
  const topRefs = parse.rtable.filter((r) => r.rtekind === 'RTE_CTE' && r.ctename === cte.ctename && r.ctelevelsup === 0).length;
  // Only references at this level are inlined here (deeper ones would need level adjustment).
  if (topRefs !== refs) return false;
  return cte.ctematerialized === 'CTEMaterializeNever' || refs === 1;
}

function processCtes(root: PlannerInfo): void {
  const parse = root.parse;
  if (parse.cteList.length === 0) return;
  const plans = new Map<string, CtePlanInfo>();
  ctePlans.set(root, plans);
  let rtable = parse.rtable;
  for (const cte of parse.cteList) {
    if (countCteRefs(parse, cte.ctename, 0) === 0) continue;
    if (cteInlinable(parse, cte)) {
      rtable = rtable.map((rte) => (rte.rtekind === 'RTE_CTE' && rte.ctename === cte.ctename && rte.ctelevelsup === 0
        ? { ...rte, rtekind: 'RTE_SUBQUERY', subquery: cte.ctequery, ctename: '', self_reference: false }
        : rte));
      continue;
    }
    const { plan, subroot } = subqueryPlanner(root.glob, cte.ctequery, root, cte.cterecursive, 0);
    const planId = root.glob.subplans.push(plan);
    root.glob.subroots.push(subroot);
    const param = newExecParam(root, 0);
    plans.set(cte.ctename, { planId, param, rows: plan.plan_rows });
    root.init_plans.push({
      type: 'SubPlan', subLinkType: 'CTE_SUBLINK', testexpr: null, paramIds: [], plan_id: planId, plan_name: `CTE ${cte.ctename}`,
      firstColType: cte.ctecoltypes[0] ?? 0, firstColTypmod: cte.ctecoltypmods[0] ?? -1, useHashTable: false, unknownEqFalse: false,
      setParam: [param], parParam: [], args: [], startup_cost: plan.startup_cost, per_call_cost: plan.total_cost - plan.startup_cost,
    });
  }
  root.parse = { ...parse, rtable };
}

// ---------------------------------------------------------------------------
// Expression preprocessing.

function mapJointreeQuals(n: JoinTreeNode, f: (e: Expr) => Expr): JoinTreeNode {
  switch (n.type) {
    case 'RangeTblRef': return n;
    case 'FromExpr': return { ...n, fromlist: n.fromlist.map((c) => mapJointreeQuals(c, f)), quals: n.quals === null ? null : f(n.quals) };
    case 'JoinExpr': return { ...n, larg: mapJointreeQuals(n.larg, f), rarg: mapJointreeQuals(n.rarg, f), quals: n.quals === null ? null : f(n.quals) };
  }
}

/** preprocess_expression: correlation Vars to Params, constant folding, SubLinks to SubPlans. */
function preprocessExpression(root: PlannerInfo, e: Expr, isQual: boolean): Expr {
  let x = replaceCorrelationVars(root, e);
  x = evalConstExpressions(x);
  x = processSublinks(root, x, isQual);
  return x;
}

function preprocessQuery(root: PlannerInfo): void {
  const q = root.parse;
  const pe = (e: Expr): Expr => preprocessExpression(root, e, false);
  const pq = (e: Expr): Expr => preprocessExpression(root, e, true);
  const tl = (l: TargetEntry[]): TargetEntry[] => l.map((t) => ({ ...t, expr: pe(t.expr) }));
  root.parse = {
    ...q,
    targetList: tl(q.targetList),
    returningList: tl(q.returningList),
    jointree: mapJointreeQuals(q.jointree, pq) as FromExpr,
    havingQual: q.havingQual === null ? null : pq(q.havingQual),
    limitCount: q.limitCount === null ? null : pe(q.limitCount),
    limitOffset: q.limitOffset === null ? null : pe(q.limitOffset),
    rtable: q.rtable.map((rte) => {
      if (rte.rtekind === 'RTE_FUNCTION') return { ...rte, functions: rte.functions.map((f) => ({ ...f, funcexpr: pe(f.funcexpr) })) };
      if (rte.rtekind === 'RTE_VALUES') return { ...rte, values_lists: rte.values_lists.map((row) => row.map(pe)) };
      return rte;
    }),
    onConflict: q.onConflict === null ? null : {
      ...q.onConflict,
      onConflictSet: tl(q.onConflict.onConflictSet),
      onConflictWhere: q.onConflict.onConflictWhere === null ? null : pq(q.onConflict.onConflictWhere),
    },
  };
}

// ---------------------------------------------------------------------------
// One query level.

export interface LevelResult { plan: Plan; subroot: PlannerInfo }

/** Plans one query level (subquery_planner). */
export function subqueryPlanner(glob: PlannerGlobal, parse: Query, parent: PlannerInfo | null, hasRecursion: boolean, tupleFraction: number): LevelResult {
  const root = makeRoot(glob, parse, parent);
  if (hasRecursion) root.wt_param_id = newExecParam(root, 0);
  processCtes(root);
  let q = root.parse;
  q = flattenJoinAliasVars(q);
  q = pullUpSublinks(q);
  q = pullUpSubqueries(q);
  q = flattenJoinAliasVars(q);
  q = reduceOuterJoins(q);
  checkRowMarksNotNullable(q);
  root.parse = q;
  preprocessQuery(root);
  moveHavingToWhere(root);
  const plan = groupingPlanner(root, tupleFraction);
  if (root.init_plans.length > 0) {
    plan.initPlan = [...plan.initPlan, ...root.init_plans];
    chargeForInitplans(plan, root.init_plans);
    // The gating Result copies its child's costs in PostgreSQL, where the child path itself was charged.
    if (plan.type === 'Result' && plan.lefttree !== null && plan.resconstantqual !== null) chargeForInitplans(plan.lefttree, root.init_plans);
  }
  return { plan, subroot: root };
}

/**
 * make_outerjoininfo's check: a row that an outer join may NULL-extend
 * cannot be locked (there is no row to lock), so FOR UPDATE / SHARE of a
 * relation on the nullable side of an outer join left after
 * reduce_outer_joins is an error (0A000).
 */
function checkRowMarksNotNullable(q: Query): void {
  if (q.rowMarks.length === 0) return;
  const marked = new Map(q.rowMarks.map((rm) => [rm.rti, rm.strength] as const));
  const fail = (rti: number): void => {
    const strength = marked.get(rti);
    if (strength === undefined) return;
    const name = strength === 'LCS_FORKEYSHARE' ? 'FOR KEY SHARE' : strength === 'LCS_FORSHARE' ? 'FOR SHARE' : strength === 'LCS_FORNOKEYUPDATE' ? 'FOR NO KEY UPDATE' : 'FOR UPDATE';
    throw new PgError(SQLSTATE.feature_not_supported, `${name} cannot be applied to the nullable side of an outer join`);
  };
  const walk = (n: JoinTreeNode): void => {
    if (n.type === 'FromExpr') {
      for (const c of n.fromlist) walk(c);
    } else if (n.type === 'JoinExpr') {
      walk(n.larg);
      walk(n.rarg);
      if (n.jointype !== 'JOIN_INNER' && n.jointype !== 'JOIN_RIGHT') for (const rti of jointreeRtis(n.rarg)) fail(rti);
      if (n.jointype === 'JOIN_RIGHT' || n.jointype === 'JOIN_FULL') for (const rti of jointreeRtis(n.larg)) fail(rti);
    }
  };
  walk(q.jointree);
}

/**
 * HAVING clauses without aggregates filter groups by their grouping columns
 * only, so they can filter rows before grouping instead (PostgreSQL does
 * this in subquery_planner).
 */
function moveHavingToWhere(root: PlannerInfo): void {
  const q = root.parse;
  if (q.havingQual === null || q.groupClause.length === 0) return;
  const keep: Expr[] = [];
  const move: Expr[] = [];
  for (const c of makeAndsImplicitLocal(q.havingQual)) {
    const hasAgg = walkExpr(c, (n) => n.type === 'Aggref' || n.type === 'SubPlan' || n.type === 'SubLink');
    if (hasAgg || containVolatileFunctions(c)) keep.push(c);
    else move.push(c);
  }
  if (move.length === 0) return;
  const where = [...makeAndsImplicitLocal(q.jointree.quals), ...move];
  root.parse = {
    ...q,
    havingQual: keep.length === 0 ? null : makeAndsExplicitLocal(keep),
    jointree: { ...q.jointree, quals: makeAndsExplicitLocal(where) },
  };
  root.hasHavingQual = keep.length > 0;
}

/** Whether quals may be pushed into this sub-select at all (subquery_is_pushdown_safe). */
function subqueryIsPushdownSafe(sub: Query): boolean {
  return sub.commandType === 'CMD_SELECT' && sub.setOperations === null && sub.limitCount === null && sub.limitOffset === null
    && !sub.hasWindowFuncs && !sub.hasTargetSRFs && !sub.hasDistinctOn && sub.rowMarks.length === 0;
}

/** Whether one restriction on a sub-select's output can be evaluated inside it (qual_is_pushdown_safe). */
function qualIsPushdownSafe(sub: Query, rti: number, clause: Expr): boolean {
  if (walkExpr(clause, (n) => n.type === 'SubPlan' || n.type === 'SubLink')) return false;
  if (containVolatileFunctions(clause)) return false;
  let ok = true;
  walkExpr(clause, (n) => {
    if (n.type !== 'Var') return false;
    if (n.varno !== rti || n.varattno <= 0) {
      ok = false;
      return true;
    }
    const tle = sub.targetList.find((t) => t.resno === n.varattno);
    if (tle === undefined || tle.resjunk || containVolatileFunctions(tle.expr) || hasSrf(tle.expr) || walkExpr(tle.expr, (x) => x.type === 'WindowFunc')) {
      ok = false;
      return true;
    }
    if (sub.distinctClause.length > 0 && !sub.distinctClause.some((d) => d.tleSortGroupRef === tle.ressortgroupref && tle.ressortgroupref !== 0)) {
      ok = false;
      return true;
    }
    return false;
  });
  return ok;
}

/** Pushes the sub-select's restrictions into it (set_subquery_pathlist): into WHERE, or HAVING for a grouped query. */
function pushQualsIntoSubquery(rel: RelOptInfo, sub0: Query): Query {
  let sub = sub0;
  if (!subqueryIsPushdownSafe(sub) || rel.baserestrictinfo.length === 0) return sub;
  const keep: typeof rel.baserestrictinfo = [];
  for (const ri of rel.baserestrictinfo) {
    if (!qualIsPushdownSafe(sub, rel.relid, ri.clause)) {
      keep.push(ri);
      continue;
    }
    const e = replaceVarsInExpr(ri.clause, rel.relid, sub.targetList);
    if (sub.hasAggs || sub.groupClause.length > 0 || sub.havingQual !== null) {
      sub = { ...sub, havingQual: makeAndsExplicitLocal([...makeAndsImplicitLocal(sub.havingQual), e]) };
    } else {
      sub = { ...sub, jointree: { ...sub.jointree, quals: makeAndsExplicitLocal([...makeAndsImplicitLocal(sub.jointree.quals), e]) } };
    }
  }
  rel.baserestrictinfo = keep;
  return sub;
}

/** Plans a FROM sub-select that was not pulled up, for its RelOptInfo (set_subquery_pathlist). */
export function planSubqueryRel(root: PlannerInfo, rel: RelOptInfo, rte: RangeTblEntry): void {
  if (rte.subquery === null) throw new Error('RTE_SUBQUERY without a query');
  const saved = root.plan_params;
  root.plan_params = [];
  const subquery = pushQualsIntoSubquery(rel, rte.subquery);
  const { plan, subroot } = subqueryPlanner(root.glob, subquery, root, false, 0);
  if (root.plan_params.length > 0) featureNotSupported('LATERAL references from a sub-select that cannot be pulled up');
  root.plan_params = saved;
  rel.subplan = plan;
  rel.subroot = subroot;
  registerSubqueryRoot(plan, subroot);
  rel.tuples = plan.plan_rows;
  const visible = plan.targetlist;
  visible.forEach((t, i) => rel.attr_widths.set(i + 1, exprWidth(subroot, t.expr)));
}

// ---------------------------------------------------------------------------
// Target list preprocessing (preptlist.c).

function makeVar(varno: number, attno: number, typ: number, typmod: number): Var {
  return { type: 'Var', varno, varattno: attno, vartype: typ, vartypmod: typmod, varlevelsup: 0, location: -1 };
}

/**
 * The scan/join target list (preprocess_targetlist): for DML the new values
 * then junk ctid; for DML and FOR UPDATE the row marks' junk columns
 * (preprocess_rowmarks), returned as PlanRowMarks.
 */
function preprocessTargetlist(root: PlannerInfo): { tlist: TargetEntry[]; updateColnos: number[]; rowMarks: PlanRowMark[] } {
  const q = root.parse;
  let tlist: TargetEntry[];
  const updateColnos: number[] = [];
  if (q.commandType === 'CMD_UPDATE') {
    const sets = q.targetList.filter((t) => !t.resjunk).slice().sort((a, b) => a.resno - b.resno);
    tlist = sets.map((t, i) => {
      updateColnos.push(t.resno);
      return { ...t, resno: i + 1 };
    });
  } else if (q.commandType === 'CMD_DELETE') {
    tlist = [];
  } else {
    tlist = q.targetList.map((t) => ({ ...t }));
  }
  if (q.commandType === 'CMD_UPDATE' || q.commandType === 'CMD_DELETE') {
    tlist.push(makeTle(makeVar(q.resultRelation, -1, TIDOID, -1), tlist.length + 1, 'ctid', true));
    // RETURNING may read other relations of UPDATE ... FROM / DELETE ... USING: they come through the subplan.
    for (const t of q.returningList) {
      for (const v of pullVars(t.expr)) {
        if (v.varno === q.resultRelation) continue;
        if (tlist.some((x) => x.expr.type === 'Var' && x.expr.varno === v.varno && x.expr.varattno === v.varattno)) continue;
        tlist.push(makeTle({ ...v, location: -1 }, tlist.length + 1, null, true));
      }
    }
  }
  // FOR UPDATE/SHARE: each locked relation's ctid, named ctid<rti> as PostgreSQL names it.
  const locked = new Set<number>();
  const rowMarks: PlanRowMark[] = [];
  for (const rm of q.rowMarks) {
    const rte = q.rtable[rm.rti - 1];
    if (rte?.rtekind !== 'RTE_RELATION') continue;
    locked.add(rm.rti);
    rowMarks.push({ type: 'PlanRowMark', rti: rm.rti, rowmarkId: rm.rti, markType: 'ROW_MARK_LOCK', strength: rm.strength, waitPolicy: rm.waitPolicy });
    tlist.push(makeTle(makeVar(rm.rti, -1, TIDOID, -1), tlist.length + 1, `ctid${rm.rti}`, true));
  }
  // preprocess_rowmarks: in UPDATE / DELETE / SELECT FOR UPDATE every other FROM item carries what
  // EvalPlanQual needs to hold its row fixed in a re-check (executor/execEPQ.ts): a table its row's
  // TID (ctid<rti>, ROW_MARK_REFERENCE: the re-check fetches that very version), anything else
  // (VALUES, a function, a subquery) the whole row (wholerow<rti>, ROW_MARK_COPY).
  if (q.commandType === 'CMD_UPDATE' || q.commandType === 'CMD_DELETE' || q.rowMarks.length > 0) {
    for (const rti of jointreeRtis(q.jointree)) {
      if (rti === q.resultRelation || locked.has(rti)) continue;
      const rte = q.rtable[rti - 1];
      if (rte === undefined) continue;
      const copy = rte.rtekind !== 'RTE_RELATION';
      rowMarks.push({ type: 'PlanRowMark', rti, rowmarkId: rti, markType: copy ? 'ROW_MARK_COPY' : 'ROW_MARK_REFERENCE', strength: null, waitPolicy: 'LockWaitBlock' });
      if (!copy) tlist.push(makeTle(makeVar(rti, -1, TIDOID, -1), tlist.length + 1, `ctid${rti}`, true));
      else tlist.push(makeTle(makeVar(rti, 0, RECORDOID, -1), tlist.length + 1, `wholerow${rti}`, true));
    }
  }
  return { tlist, updateColnos, rowMarks };
}

function jointreeRtis(n: JoinTreeNode, out: number[] = []): number[] {
  switch (n.type) {
    case 'RangeTblRef':
      out.push(n.rtindex);
      break;
    case 'FromExpr':
      for (const c of n.fromlist) jointreeRtis(c, out);
      break;
    case 'JoinExpr':
      jointreeRtis(n.larg, out);
      jointreeRtis(n.rarg, out);
      break;
  }
  return out;
}

/** Each candidate replaced by the candidates f makes of it (Array.prototype.flatMap costs V8 microseconds per call). */
function expandCandidates(cands: Candidate[], f: (c: Candidate) => Candidate[]): Candidate[] {
  const out: Candidate[] = [];
  for (const c of cands) for (const x of f(c)) out.push(x);
  return out;
}

// ---------------------------------------------------------------------------
// query_planner.

/** The scan/join relation of the query's FROM and WHERE, with its paths (query_planner); null when FROM is empty. */
function queryPlanner(root: PlannerInfo, neededExprs: Expr[]): RelOptInfo | null {
  const jt = root.parse.jointree;
  if (jt.fromlist.length === 0) {
    // No FROM: a Result; WHERE becomes its one-time filter.
    for (const q of makeAndsImplicitLocal(jt.quals)) root.pseudoconstant_quals.push(q);
    return null;
  }
  const rtis = addBaseRelsToQuery(root);
  buildBaseRelTlists(root, neededExprs);
  deconstructJointree(root);
  setBaseRelSizes(root, rtis);
  reduceUniqueSemijoins(root);
  setBaseRelPathlists(root, rtis);
  const rel = makeRelFromJoinlist(root, rtis);
  if (rel.cheapest_total_path === null) throw new Error('no path for the join relation');
  return rel;
}

import { makeAndsExplicit as makeAndsExplicitLocal, makeAndsImplicit as makeAndsImplicitLocal } from '../util/clauses.ts';
import { replaceVarsInExpr } from '../util/querywalk.ts';

// ---------------------------------------------------------------------------
// grouping_planner.

interface Candidate { plan: Plan; keys: PathKey[] }

function constLimitEst(e: Expr | null, isCount: boolean): number {
  if (e === null) return 0;
  if (e.type === 'Const') {
    if (e.constisnull) return 0;
    const n = Number(e.constvalue as number | bigint);
    if (isCount) return n <= 0 ? 1 : n;
    return n < 0 ? 0 : n;
  }
  return -1;
}

function aggrefsIn(exprs: Expr[]): Aggref[] {
  const out: Aggref[] = [];
  for (const e of exprs) {
    walkExpr(e, (n) => {
      if (n.type === 'Aggref' && n.agglevelsup === 0) {
        if (!out.some((a) => equalExpr(a, n))) out.push(n);
        return false;
      }
      return false;
    });
  }
  return out;
}

function windowFuncsIn(exprs: Expr[]): WindowFunc[] {
  const out: WindowFunc[] = [];
  for (const e of exprs) walkExpr(e, (n) => {
    if (n.type === 'WindowFunc') out.push(n);
    return false;
  });
  return out;
}

/** Per-aggregate transition and final costs (get_agg_clause_costs). */
function aggClauseCosts(root: PlannerInfo, aggs: Aggref[]): AggCosts {
  const c = root.glob.cost;
  const transCost: QualCost = { startup: 0, per_tuple: 0 };
  const finalCost: QualCost = { startup: 0, per_tuple: 0 };
  for (const a of aggs) {
    transCost.per_tuple += c.cpu_operator_cost;
    for (const t of a.args) costExprEval(root, t.expr, transCost);
    if (a.aggfilter !== null) costExprEval(root, a.aggfilter, transCost);
    let hasFinal = false;
    try {
      hasFinal = lookupAggregate(a.aggfnoid).final !== undefined;
    } catch {
      hasFinal = false;
    }
    if (hasFinal) finalCost.per_tuple += c.cpu_operator_cost;
  }
  return { numAggs: aggs.length, transCost, finalCost, transitionSpace: 0 };
}

function tleForRef(tlist: TargetEntry[], ref: number): TargetEntry | undefined {
  return tlist.find((t) => t.ressortgroupref === ref);
}

/** Adds expr to a target list unless an equal expression is there already. */
function addToTlist(tlist: TargetEntry[], e: Expr, ref = 0): void {
  const found = tlist.find((t) => equalExpr(t.expr, e));
  if (found !== undefined) {
    if (ref !== 0 && found.ressortgroupref === 0) found.ressortgroupref = ref;
    return;
  }
  const t = makeTle(e, tlist.length + 1);
  t.ressortgroupref = ref;
  tlist.push(t);
}

/** The input target of grouping: group expressions and the Vars everything else needs (make_group_input_target). */
function makeGroupInputTarget(root: PlannerInfo, tlist: TargetEntry[], groupClause: SortGroupClause[]): TargetEntry[] {
  const out: TargetEntry[] = [];
  for (const sgc of groupClause) {
    const t = tleForRef(tlist, sgc.tleSortGroupRef);
    if (t !== undefined) addToTlist(out, t.expr, sgc.tleSortGroupRef);
  }
  const rest: Expr[] = tlist.filter((t) => !groupClause.some((g) => g.tleSortGroupRef === t.ressortgroupref && t.ressortgroupref !== 0)).map((t) => t.expr);
  if (root.parse.havingQual !== null) rest.push(root.parse.havingQual);
  for (const e of rest) for (const v of pullVarsDeep(e)) addToTlist(out, v);
  return out;
}

/** Vars of this level anywhere in e, including inside aggregates, window functions and SubPlan args. */
function pullVarsDeep(e: Expr): Var[] {
  const out: Var[] = [];
  walkExpr(e, (n) => {
    if (n.type === 'Var' && n.varlevelsup === 0) out.push({ ...n, location: -1 });
    return false;
  });
  return out;
}

/** The input target of window functions (make_window_input_target): partition/order expressions and Vars. */
function makeWindowInputTarget(root: PlannerInfo, tlist: TargetEntry[]): TargetEntry[] {
  const out: TargetEntry[] = [];
  const refs = new Set<number>();
  for (const w of root.parse.windowClause) for (const s of [...w.partitionClause, ...w.orderClause]) refs.add(s.tleSortGroupRef);
  for (const t of tlist) {
    if (t.ressortgroupref !== 0 && refs.has(t.ressortgroupref)) addToTlist(out, t.expr, t.ressortgroupref);
  }
  for (const t of tlist) {
    if (t.ressortgroupref !== 0 && refs.has(t.ressortgroupref)) continue;
    // A sort column that is an SRF (`ORDER BY unnest(...)`) is computed by the ProjectSet above, not below the window.
    if (!walkExpr(t.expr, (n) => n.type === 'WindowFunc' || n.type === 'Aggref') && t.ressortgroupref !== 0 && !hasSrf(t.expr)) {
      addToTlist(out, t.expr, t.ressortgroupref);
      continue;
    }
    for (const v of pullVarsDeep(t.expr)) addToTlist(out, v);
  }
  return out;
}

function hasSrf(e: Expr): boolean {
  return walkExpr(e, (n) => (n.type === 'FuncExpr' && n.funcretset) || (n.type === 'OpExpr' && n.opretset));
}

/**
 * The target list an Agg or WindowAgg computes when a set-returning function
 * sits in the final target list beside aggregates or window functions
 * (PostgreSQL splits the target at SRFs, split_pathtarget_at_srfs): the
 * non-SRF columns as they are, and for each SRF column the aggregates, window
 * functions and Vars it reads. The ProjectSet above then evaluates the final
 * list, its aggregates and window functions referring to these columns.
 */
function srfInputTlist(finalTlist: TargetEntry[]): TargetEntry[] {
  const out: TargetEntry[] = [];
  const collect = (e: Expr): void => {
    if (e.type === 'Aggref' || e.type === 'WindowFunc' || (e.type === 'Var' && e.varlevelsup === 0)) {
      addToTlist(out, e.type === 'Var' ? { ...e, location: -1 } : e);
      return;
    }
    for (const c of exprChildren(e)) collect(c);
  };
  for (const t of finalTlist) {
    if (hasSrf(t.expr)) collect(t.expr);
    else addToTlist(out, t.expr, t.ressortgroupref);
  }
  return out;
}

function withKeys(plan: Plan, keys: PathKey[]): Candidate {
  return { plan, keys };
}

function groupingPlanner(root: PlannerInfo, tupleFraction: number): Plan {
  const parse = root.parse;
  const c = root.glob.cost;
  if (parse.setOperations !== null) return planSetopQuery(root);

  const { tlist: finalTlist, updateColnos, rowMarks } = preprocessTargetlist(root);
  root.processed_tlist = finalTlist;
  const hasAgg = parse.hasAggs || parse.groupClause.length > 0 || parse.havingQual !== null;
  const hasWin = parse.hasWindowFuncs && parse.windowClause.length > 0;
  const hasSRFs = parse.hasTargetSRFs && finalTlist.some((t) => hasSrf(t.expr));
  const distinct = parse.distinctClause.length > 0;

  root.group_pathkeys = makePathkeysForSortclauses(root, parse.groupClause, finalTlist);
  root.sort_pathkeys = makePathkeysForSortclauses(root, parse.sortClause, finalTlist);
  root.distinct_pathkeys = makePathkeysForSortclauses(root, parse.distinctClause, finalTlist);
  if (hasWin) {
    const w = parse.windowClause[0];
    root.window_pathkeys = makePathkeysForSortclauses(root, [...w.partitionClause, ...w.orderClause], finalTlist);
  }
  root.query_pathkeys = hasAgg ? root.group_pathkeys : hasWin ? root.window_pathkeys : distinct ? root.distinct_pathkeys : root.sort_pathkeys;

  const countEst = constLimitEst(parse.limitCount, true);
  const offsetEst = constLimitEst(parse.limitOffset, false);
  if (!hasAgg && !hasWin && !distinct && !hasSRFs && countEst > 0 && offsetEst >= 0) root.limit_tuples = countEst + offsetEst;
  root.tuple_fraction = tupleFraction;

  // What the scan/join result must provide.
  let scanjoinTlist: TargetEntry[];
  if (hasAgg) scanjoinTlist = makeGroupInputTarget(root, finalTlist, parse.groupClause);
  else if (hasWin) scanjoinTlist = makeWindowInputTarget(root, finalTlist);
  else if (hasSRFs) {
    scanjoinTlist = [];
    for (const t of finalTlist) {
      if (hasSrf(t.expr)) for (const v of pullVarsDeep(t.expr)) addToTlist(scanjoinTlist, v);
      else addToTlist(scanjoinTlist, t.expr, t.ressortgroupref);
    }
  } else scanjoinTlist = finalTlist;

  const needed: Expr[] = [...finalTlist.map((t) => t.expr), ...scanjoinTlist.map((t) => t.expr)];
  if (parse.havingQual !== null) needed.push(parse.havingQual);
  for (const t of parse.returningList) needed.push(t.expr);
  const finalRel = queryPlanner(root, needed);

  // Scan/join candidates: the cheapest, and each path already in the wanted order.
  const candidates: Candidate[] = [];
  const sjWidth = tlistWidth(root, scanjoinTlist);
  const constFalse = root.pseudoconstant_quals.some(isConstFalseOrNull);
  if (finalRel === null || constFalse) {
    // A relation proven empty still has its output columns; they are never computed, so NULLs of the right types stand in for them.
    // Under an Agg or a WindowAgg the Vars stay (their arguments refer to them; the Result never runs its tlist), as PostgreSQL's dummy Result shows "Output: q".
    const tl = constFalse && !hasAgg && !hasWin ? scanjoinTlist.map((t) => ({ ...t, expr: nullsForVars(t.expr) })) : scanjoinTlist.map((t) => ({ ...t }));
    const r: Result = {
      type: 'Result',
      startup_cost: 0, total_cost: constFalse ? 0 : c.cpu_tuple_cost, plan_rows: constFalse ? 0 : 1, plan_width: constFalse ? 0 : sjWidth, plan_node_id: 0,
      targetlist: tl, qual: [], lefttree: null, righttree: null, initPlan: [],
      resconstantqual: null,
    };
    if (constFalse) r.resconstantqual = { type: 'Const', consttype: 16, consttypmod: -1, constvalue: false, constisnull: false, location: -1 };
    else if (root.pseudoconstant_quals.length > 0) r.resconstantqual = root.pseudoconstant_quals.length === 1 ? root.pseudoconstant_quals[0] : { type: 'BoolExpr', boolop: 'AND_EXPR', args: root.pseudoconstant_quals, location: -1 };
    candidates.push(withKeys(r, []));
  } else {
    const paths = [finalRel.cheapest_total_path];
    // Paths already in (a prefix of) the wanted order; with no order wanted (most statements) none is.
    if (root.query_pathkeys.length > 0) {
      for (const p of finalRel.pathlist) {
        if (p.pathkeys.length > 0 && p.required_outer === 0n
          && pathkeysContainedIn(root, root.query_pathkeys.slice(0, Math.min(root.query_pathkeys.length, p.pathkeys.length)), p.pathkeys)) paths.push(p);
      }
    }
    if (finalRel.cheapest_startup_path !== null && root.limit_tuples > 0) paths.push(finalRel.cheapest_startup_path);
    const seen = new Set<unknown>();
    for (const p of paths) {
      if (p === null || seen.has(p)) continue;
      seen.add(p);
      // The grouping/window input keeps a scan's full row when it only needs some of its columns (PostgreSQL's physical tlist).
      const keepPhysical = (hasAgg || hasWin) && scanjoinTlist.every((t) => t.expr.type === 'Var');
      let plan = createPlan(root, p, (hasAgg || hasWin || parse.sortClause.length > 0 || distinct) && !keepPhysical);
      if (!keepPhysical || !scanjoinTlist.every((t) => plan.targetlist.some((x) => equalExpr(x.expr, t.expr)))) {
        plan = applyTlist(root, plan, scanjoinTlist.map((t) => ({ ...t })), sjWidth);
      } else {
        plan.plan_width = sjWidth;
      }
      if (root.pseudoconstant_quals.length > 0) plan = makeGatingResult(plan, root.pseudoconstant_quals);
      candidates.push(withKeys(plan, p.pathkeys));
    }
  }

  let cur = candidates;
  // With SRFs, the Agg / WindowAgg stop short of them and a ProjectSet finishes the target list.
  const upperTlist = hasSRFs && (hasAgg || hasWin) ? srfInputTlist(finalTlist) : finalTlist;
  if (hasAgg) cur = expandCandidates(cur, (cand) => makeAggPlans(root, cand, hasWin ? makeWindowInputTargetFromAgg(upperTlist, root) : upperTlist));
  if (hasWin) cur = cur.map((cand) => makeWindowPlans(root, cand, upperTlist));
  if (hasSRFs) cur = cur.map((cand) => makeProjectSet(root, cand, finalTlist));
  if (distinct) cur = expandCandidates(cur, (cand) => makeDistinctPlans(root, cand));
  if (root.sort_pathkeys.length > 0) {
    cur = cur.map((cand) => {
      if (pathkeysContainedIn(root, root.sort_pathkeys, cand.keys)) return cand;
      const limitTuples = distinct || hasAgg || hasWin ? -1 : root.limit_tuples;
      return withKeys(makeSortFromPathkeys(root, cand.plan, root.sort_pathkeys, root.all_baserels, limitTuples), root.sort_pathkeys);
    });
  }
  if (parse.rowMarks.length > 0) {
    cur = cur.map((cand) => {
      const p = cand.plan;
      const lr: LockRows = {
        type: 'LockRows',
        startup_cost: p.startup_cost, total_cost: p.total_cost + c.cpu_tuple_cost * p.plan_rows, plan_rows: p.plan_rows, plan_width: p.plan_width, plan_node_id: 0,
        targetlist: p.targetlist.map((t) => ({ ...t })), qual: [], righttree: null, initPlan: [],
        rowMarks, lefttree: p,
      };
      return withKeys(lr, cand.keys);
    });
  }
  if (parse.limitCount !== null || parse.limitOffset !== null) {
    cur = cur.map((cand) => withKeys(makeLimit(root, cand.plan, countEst, offsetEst), cand.keys));
  }
  // The cheapest complete plan (for the fraction of rows the caller will fetch).
  let best = cur[0];
  const frac = (p: Plan): number => (tupleFraction > 0 && tupleFraction < 1 ? p.startup_cost + tupleFraction * (p.total_cost - p.startup_cost) : p.total_cost);
  for (const cand of cur) if (frac(cand.plan) < frac(best.plan)) best = cand;
  let plan = best.plan;
  if (hasAgg && parse.commandType === 'CMD_SELECT') {
    const mm = minmaxAggPlan(root, finalTlist, plan);
    if (mm !== null) plan = mm;
  }
  if (parse.commandType !== 'CMD_SELECT') plan = makeModifyTable(root, plan, updateColnos, rowMarks);
  return plan;
}

/**
 * MIN/MAX over one table as `ORDER BY x [DESC] LIMIT 1` initplans (planagg.c):
 * with a B-tree on x the first index entry is the answer. Used when every
 * aggregate of the query is a MIN or MAX of one argument and the initplans
 * together cost less than the aggregation plan.
 */
function minmaxAggPlan(root: PlannerInfo, finalTlist: TargetEntry[], aggPlan: Plan): Plan | null {
  const parse = root.parse;
  if (parse.groupClause.length > 0 || parse.hasWindowFuncs || parse.hasTargetSRFs || parse.rowMarks.length > 0 || parse.cteList.length > 0) return null;
  if (parse.jointree.fromlist.length !== 1 || parse.jointree.fromlist[0].type !== 'RangeTblRef') return null;
  const rti = parse.jointree.fromlist[0].rtindex;
  if (parse.rtable[rti - 1]?.rtekind !== 'RTE_RELATION') return null;
  const exprs = [...finalTlist.map((t) => t.expr), ...(parse.havingQual === null ? [] : [parse.havingQual])];
  const aggs = aggrefsIn(exprs);
  if (aggs.length === 0) return null;
  const sortops: number[] = [];
  for (const a of aggs) {
    if (a.args.length !== 1 || a.aggdistinct.length > 0 || a.aggorder.length > 0 || a.aggfilter !== null) return null;
    let sortop = 0;
    try {
      sortop = lookupAggregate(a.aggfnoid).aggsortop;
    } catch {
      sortop = 0;
    }
    if (sortop === 0) return null;
    if (walkExpr(a.args[0].expr, (n) => n.type === 'SubPlan' || n.type === 'Param')) return null;
    sortops.push(sortop);
  }
  if (exprs.some((e) => walkExpr(e, (n) => n.type === 'SubPlan'))) return null;
  const saved = root.plan_params;
  const planned: LevelResult[] = [];
  let cost = 0;
  for (let i = 0; i < aggs.length; i++) {
    const arg = aggs[i].args[0].expr;
    const notNull: Expr = { type: 'NullTest', arg, nulltesttype: 'IS_NOT_NULL', argisrow: false, location: -1 };
    const tle: TargetEntry = { ...makeTle(arg, 1, 'max'), ressortgroupref: 1 };
    // NULLs are filtered out, so their position is free: take the index's (NULLS FIRST for a descending scan).
    const desc = btreeStrategyOfOp(sortops[i]) === 5;
    const sub: Query = {
      ...parse, hasAggs: false, cteList: [], targetList: [tle], havingQual: null, groupClause: [], distinctClause: [], windowClause: [],
      sortClause: [{ type: 'SortGroupClause', tleSortGroupRef: 1, eqop: 0, sortop: sortops[i], nulls_first: desc, hashable: false }],
      limitCount: { type: 'Const', consttype: 20, consttypmod: -1, constvalue: 1n, constisnull: false, location: -1 }, limitOffset: null,
      jointree: { ...parse.jointree, quals: makeAndsExplicitLocal([...makeAndsImplicitLocal(parse.jointree.quals), notNull]) },
    };
    root.plan_params = [];
    const res = subqueryPlanner(root.glob, sub, root, false, 0);
    const correlated = root.plan_params.length > 0;
    root.plan_params = saved;
    if (correlated) return null;
    planned.push(res);
    cost += res.plan.total_cost;
  }
  if (cost >= aggPlan.total_cost) return null;
  const initPlans: SubPlan[] = [];
  const params = new Map<string, Param>();
  planned.forEach(({ plan, subroot }, i) => {
    const a = aggs[i];
    const planId = root.glob.subplans.push(plan);
    root.glob.subroots.push(subroot);
    const pid = newExecParam(root, a.aggtype);
    initPlans.push({
      type: 'SubPlan', subLinkType: 'EXPR_SUBLINK', testexpr: null, paramIds: [], plan_id: planId, plan_name: `InitPlan ${planId}`,
      firstColType: a.aggtype, firstColTypmod: -1, useHashTable: false, unknownEqFalse: false, setParam: [pid], parParam: [], args: [],
      startup_cost: plan.startup_cost, per_call_cost: plan.total_cost - plan.startup_cost,
    });
    params.set(exprKey(a), { type: 'Param', paramkind: 'PARAM_EXEC', paramid: pid, paramtype: a.aggtype, paramtypmod: -1, location: -1 });
  });
  const replace = (e: Expr): Expr => mutateExprDeep(e, (n) => (n.type === 'Aggref' ? params.get(exprKey(n)) : undefined), 0);
  const tlist = finalTlist.map((t) => ({ ...t, expr: replace(t.expr) }));
  const c = root.glob.cost;
  const having = parse.havingQual === null ? null : replace(parse.havingQual);
  const r: Result = {
    type: 'Result',
    startup_cost: 0, total_cost: c.cpu_tuple_cost, plan_rows: 1, plan_width: tlistWidth(root, tlist), plan_node_id: 0,
    targetlist: tlist, qual: [], lefttree: null, righttree: null, initPlan: [],
    resconstantqual: having,
  };
  root.init_plans.push(...initPlans);
  return r;
}

function nullsForVars(e: Expr): Expr {
  return mutateExprDeep(e, (n) => (n.type === 'Var' && n.varlevelsup === 0
    ? { type: 'Const', consttype: n.vartype, consttypmod: n.vartypmod, constvalue: null, constisnull: true, location: -1 }
    : undefined), 0);
}

function makeWindowInputTargetFromAgg(finalTlist: TargetEntry[], root: PlannerInfo): TargetEntry[] {
  // With both aggregates and windows the Agg produces what the windows read: the final list minus window functions, plus their arguments.
  const out: TargetEntry[] = [];
  for (const t of finalTlist) {
    if (!walkExpr(t.expr, (n) => n.type === 'WindowFunc')) addToTlist(out, t.expr, t.ressortgroupref);
  }
  for (const wf of windowFuncsIn(finalTlist.map((t) => t.expr))) for (const a of wf.args) addToTlist(out, a);
  void root;
  return out;
}

function makeAggPlans(root: PlannerInfo, cand: Candidate, aggTlist: TargetEntry[]): Candidate[] {
  const parse = root.parse;
  const c = root.glob.cost;
  const input = cand.plan;
  const having = makeAndsImplicitLocal(parse.havingQual);
  const aggs = aggrefsIn([...aggTlist.map((t) => t.expr), ...having]);
  const aggcosts = aggClauseCosts(root, aggs);
  const width = tlistWidth(root, aggTlist);
  const out: Candidate[] = [];
  if (parse.groupClause.length === 0) {
    const cost = costAgg(root, 'AGG_PLAIN', aggcosts, 0, 1, having, input.startup_cost, input.total_cost, input.plan_rows, input.plan_width);
    const agg: Agg = {
      type: 'Agg',
      startup_cost: cost.startup_cost, total_cost: cost.total_cost, plan_rows: 1, plan_width: width, plan_node_id: 0,
      targetlist: aggTlist.map((t) => ({ ...t })), qual: having, righttree: null, initPlan: [],
      aggstrategy: 'AGG_PLAIN', aggsplit: 'AGGSPLIT_SIMPLE', numCols: 0, grpColIdx: [], grpOperators: [], numGroups: 1, lefttree: input,
    };
    if (having.length > 0) agg.plan_rows = clampRowEst(1 * havingSelectivity(root, having));
    return [withKeys(agg, [])];
  }
  const groupExprs = parse.groupClause.map((g) => tleForRef(root.processed_tlist, g.tleSortGroupRef)?.expr).filter((e): e is Expr => e !== undefined);
  const numGroups = estimateNumGroups(root, groupExprs, input.plan_rows);
  const grpColIdx = (p: Plan): number[] => parse.groupClause.map((g) => {
    const e = tleForRef(root.processed_tlist, g.tleSortGroupRef)?.expr;
    return e === undefined ? 0 : p.targetlist.findIndex((t) => equalExpr(t.expr, e)) + 1;
  });
  const grpOperators = parse.groupClause.map((g) => g.eqop);
  const rowsOut = (n: number): number => (having.length > 0 ? clampRowEst(n * havingSelectivity(root, having)) : n);
  // Sorted: sort the input on the grouping columns unless it already is.
  if (root.group_pathkeys.length === parse.groupClause.length) {
    let sortedInput = input;
    if (!pathkeysContainedIn(root, root.group_pathkeys, cand.keys)) sortedInput = makeSortFromPathkeys(root, input, root.group_pathkeys, root.all_baserels, -1);
    const cost = costAgg(root, 'AGG_SORTED', aggcosts, parse.groupClause.length, numGroups, having, sortedInput.startup_cost, sortedInput.total_cost, sortedInput.plan_rows, sortedInput.plan_width);
    const agg: Agg = {
      type: 'Agg',
      startup_cost: cost.startup_cost, total_cost: cost.total_cost, plan_rows: rowsOut(numGroups), plan_width: width, plan_node_id: 0,
      targetlist: aggTlist.map((t) => ({ ...t })), qual: having, righttree: null, initPlan: [],
      aggstrategy: 'AGG_SORTED', aggsplit: 'AGGSPLIT_SIMPLE', numCols: parse.groupClause.length,
      grpColIdx: grpColIdx(sortedInput), grpOperators, numGroups, lefttree: sortedInput,
    };
    out.push(withKeys(agg, root.group_pathkeys));
  }
  if (parse.groupClause.every((g) => g.hashable) && aggs.every((a) => a.aggdistinct.length === 0 && a.aggorder.length === 0)) {
    const cost = costAgg(root, 'AGG_HASHED', aggcosts, parse.groupClause.length, numGroups, having, input.startup_cost, input.total_cost, input.plan_rows, input.plan_width);
    const agg: Agg = {
      type: 'Agg',
      startup_cost: cost.startup_cost, total_cost: cost.total_cost, plan_rows: rowsOut(numGroups), plan_width: width, plan_node_id: 0,
      targetlist: aggTlist.map((t) => ({ ...t })), qual: having, righttree: null, initPlan: [],
      aggstrategy: 'AGG_HASHED', aggsplit: 'AGGSPLIT_SIMPLE', numCols: parse.groupClause.length,
      grpColIdx: grpColIdx(input), grpOperators, numGroups, lefttree: input,
    };
    out.push(withKeys(agg, []));
  }
  void c;
  return out;
}

import { clauselistSelectivity } from '../path/clausesel.ts';
function havingSelectivity(root: PlannerInfo, having: Expr[]): number {
  return clauselistSelectivity(root, having, 0, null);
}

function makeWindowPlans(root: PlannerInfo, cand: Candidate, finalTlist: TargetEntry[]): Candidate {
  const parse = root.parse;
  let plan = cand.plan;
  let keys = cand.keys;
  const clauses = parse.windowClause;
  const allFuncs = windowFuncsIn(finalTlist.map((t) => t.expr));
  clauses.forEach((w, i) => {
    const wkeys = makePathkeysForSortclauses(root, [...w.partitionClause, ...w.orderClause], finalTlist);
    if (wkeys.length > 0 && !pathkeysContainedIn(root, wkeys, keys)) {
      plan = makeSortFromPathkeys(root, plan, wkeys, root.all_baserels, -1);
      keys = wkeys;
    }
    const last = i === clauses.length - 1;
    const funcs = allFuncs.filter((f) => f.winref === w.winref);
    let tlist: TargetEntry[];
    if (last) tlist = finalTlist.map((t) => ({ ...t }));
    else {
      tlist = plan.targetlist.map((t) => ({ ...t }));
      for (const f of funcs) addToTlist(tlist, f);
    }
    const colIdx = (sgcs: SortGroupClause[]): number[] => sgcs.map((s) => {
      const e = tleForRef(finalTlist, s.tleSortGroupRef)?.expr;
      return e === undefined ? 0 : plan.targetlist.findIndex((t) => equalExpr(t.expr, e)) + 1;
    });
    const cost = costWindowAgg(root, funcs, w.partitionClause.length, w.orderClause.length, plan.startup_cost, plan.total_cost, plan.plan_rows);
    const wa: WindowAgg = {
      type: 'WindowAgg',
      startup_cost: cost.startup_cost, total_cost: cost.total_cost, plan_rows: plan.plan_rows, plan_width: tlistWidth(root, tlist), plan_node_id: 0,
      targetlist: tlist, qual: [], righttree: null, initPlan: [],
      winref: w.winref, partNumCols: w.partitionClause.length, partColIdx: colIdx(w.partitionClause),
      partOperators: w.partitionClause.map((s) => s.eqop), ordNumCols: w.orderClause.length, ordColIdx: colIdx(w.orderClause),
      ordOperators: w.orderClause.map((s) => s.eqop), frameOptions: w.frameOptions, startOffset: w.startOffset, endOffset: w.endOffset,
      lefttree: plan,
    };
    plan = wa;
  });
  return withKeys(plan, keys);
}

function makeProjectSet(root: PlannerInfo, cand: Candidate, finalTlist: TargetEntry[]): Candidate {
  const c = root.glob.cost;
  const input = cand.plan;
  let tlistRows = 1;
  const evalCost: QualCost = { startup: 0, per_tuple: 0 };
  for (const t of finalTlist) {
    walkExpr(t.expr, (n) => {
      if (n.type === 'FuncExpr' && n.funcretset) tlistRows = Math.max(tlistRows, estimateFunctionRows(n));
      return false;
    });
    costExprEval(root, t.expr, evalCost);
  }
  const rows = input.plan_rows * tlistRows;
  const startup = input.startup_cost + evalCost.startup;
  const total = input.total_cost + evalCost.startup + evalCost.per_tuple * input.plan_rows + ((rows - input.plan_rows) * c.cpu_tuple_cost) / 2;
  const ps: ProjectSet = {
    type: 'ProjectSet',
    startup_cost: startup, total_cost: total, plan_rows: rows, plan_width: tlistWidth(root, finalTlist), plan_node_id: 0,
    targetlist: finalTlist.map((t) => ({ ...t })), qual: [], righttree: null, initPlan: [],
    lefttree: input,
  };
  return withKeys(ps, cand.keys);
}

function makeDistinctPlans(root: PlannerInfo, cand: Candidate): Candidate[] {
  const parse = root.parse;
  const c = root.glob.cost;
  const input = cand.plan;
  const exprs = parse.distinctClause.map((s) => tleForRef(input.targetlist, s.tleSortGroupRef)?.expr ?? tleForRef(root.processed_tlist, s.tleSortGroupRef)?.expr).filter((e): e is Expr => e !== undefined);
  const numGroups = estimateNumGroups(root, exprs, input.plan_rows);
  const colIdx = (p: Plan): number[] => parse.distinctClause.map((s) => {
    const t = tleForRef(p.targetlist, s.tleSortGroupRef);
    if (t !== undefined) return t.resno;
    const e = tleForRef(root.processed_tlist, s.tleSortGroupRef)?.expr;
    return e === undefined ? 0 : p.targetlist.findIndex((x) => equalExpr(x.expr, e)) + 1;
  });
  const ops = parse.distinctClause.map((s) => s.eqop);
  const out: Candidate[] = [];
  // Sorted: by ORDER BY when it covers the DISTINCT columns (so no second sort), else by the DISTINCT columns.
  let keys = root.distinct_pathkeys;
  if (pathkeysContainedIn(root, root.distinct_pathkeys, root.sort_pathkeys) || parse.hasDistinctOn) keys = root.sort_pathkeys.length >= root.distinct_pathkeys.length ? root.sort_pathkeys : root.distinct_pathkeys;
  if (keys.length > 0) {
    let sorted = input;
    if (!pathkeysContainedIn(root, keys, cand.keys)) sorted = makeSortFromPathkeys(root, input, keys, root.all_baserels, -1);
    const total = sorted.total_cost + c.cpu_operator_cost * sorted.plan_rows * parse.distinctClause.length;
    const u: Unique = {
      type: 'Unique',
      startup_cost: sorted.startup_cost, total_cost: total, plan_rows: numGroups, plan_width: sorted.plan_width, plan_node_id: 0,
      targetlist: sorted.targetlist.map((t) => ({ ...t })), qual: [], righttree: null, initPlan: [],
      numCols: parse.distinctClause.length, uniqColIdx: colIdx(sorted), uniqOperators: ops, lefttree: sorted,
    };
    out.push(withKeys(u, pathkeysContainedIn(root, keys, cand.keys) ? cand.keys : keys));
  }
  if (!parse.hasDistinctOn && parse.distinctClause.every((s) => s.hashable)) {
    const cost = costAgg(root, 'AGG_HASHED', { numAggs: 0, transCost: { startup: 0, per_tuple: 0 }, finalCost: { startup: 0, per_tuple: 0 }, transitionSpace: 0 },
      parse.distinctClause.length, numGroups, [], input.startup_cost, input.total_cost, input.plan_rows, input.plan_width);
    const agg: Agg = {
      type: 'Agg',
      startup_cost: cost.startup_cost, total_cost: cost.total_cost, plan_rows: numGroups, plan_width: input.plan_width, plan_node_id: 0,
      targetlist: input.targetlist.map((t) => ({ ...t })), qual: [], righttree: null, initPlan: [],
      aggstrategy: 'AGG_HASHED', aggsplit: 'AGGSPLIT_SIMPLE', numCols: parse.distinctClause.length,
      grpColIdx: colIdx(input), grpOperators: ops, numGroups, lefttree: input,
    };
    out.push(withKeys(agg, []));
  }
  return out.length > 0 ? out : [cand];
}

function makeLimit(root: PlannerInfo, input: Plan, countEst: number, offsetEst: number): Limit {
  const parse = root.parse;
  const cost = adjustLimitRowsCosts(input.plan_rows, input.startup_cost, input.total_cost, offsetEst, countEst);
  const withTies = parse.limitOption === 'LIMIT_OPTION_WITH_TIES';
  const uniqColIdx = withTies && input.type === 'Sort' ? input.sortColIdx.slice() : [];
  return {
    type: 'Limit',
    startup_cost: cost.startup_cost, total_cost: cost.total_cost, plan_rows: cost.rows, plan_width: input.plan_width, plan_node_id: 0,
    targetlist: input.targetlist.map((t) => ({ ...t })), qual: [], righttree: null, initPlan: [],
    limitOffset: parse.limitOffset, limitCount: parse.limitCount, limitOption: parse.limitOption,
    uniqNumCols: uniqColIdx.length, uniqColIdx, uniqOperators: withTies ? parse.sortClause.map((s) => s.eqop) : [], lefttree: input,
  };
}

function makeModifyTable(root: PlannerInfo, sub: Plan, updateColnos: number[], rowMarks: PlanRowMark[]): ModifyTable {
  const parse = root.parse;
  const oc = parse.onConflict;
  const returning = parse.returningList.map((t) => ({ ...t }));
  const hasReturning = returning.length > 0;
  const target = parse.rtable[parse.resultRelation - 1];
  const exclTlist: TargetEntry[] = [];
  if (oc !== null && target.relid !== 0) {
    const relinfo = root.glob.relcache.get(target.relid) ?? root.glob.ctx.catalog.getRelation(target.relid);
    relinfo.attrs.forEach((a, i) => {
      exclTlist.push(makeTle(makeVar(oc.exclRelIndex, a.attnum, a.atttypid, a.atttypmod), i + 1, a.attisdropped ? null : a.attname));
    });
  }
  root.glob.relationOids.add(target.relid);
  // PostgreSQL reports the subplan's width for a ModifyTable with RETURNING, and no rows or width without.
  const mt: ModifyTable = {
    type: 'ModifyTable',
    startup_cost: sub.startup_cost, total_cost: sub.total_cost, plan_rows: hasReturning ? sub.plan_rows : 0, plan_width: hasReturning ? sub.plan_width : 0, plan_node_id: 0,
    targetlist: returning, qual: [], righttree: null, initPlan: [],
    operation: parse.commandType as ModifyTable['operation'], canSetTag: parse.canSetTag,
    nominalRelation: parse.resultRelation, resultRelations: [parse.resultRelation],
    updateColnosLists: parse.commandType === 'CMD_UPDATE' ? [updateColnos] : [],
    returningLists: hasReturning ? [returning] : [],
    onConflictAction: oc === null ? 'ONCONFLICT_NONE' : oc.action,
    arbiterIndexes: oc?.arbiterIndexes ?? [],
    onConflictSet: oc?.onConflictSet ?? [],
    onConflictCols: oc?.onConflictSet.map((t) => t.resno) ?? [],
    onConflictWhere: oc?.onConflictWhere ?? null,
    exclRelRTI: oc?.exclRelIndex ?? 0,
    exclRelTlist: exclTlist,
    rowMarks,
    lefttree: sub,
  };
  return mt;
}

/** Set operations: UNION [ALL] / INTERSECT / EXCEPT, then ORDER BY and LIMIT by output column position. */
function planSetopQuery(root: PlannerInfo): Plan {
  const parse = root.parse;
  let { plan } = planSetOperations(root);
  if (parse.sortClause.length > 0) {
    const cols = parse.sortClause.map((s) => tleForRef(parse.targetList, s.tleSortGroupRef)?.resno ?? 1);
    const sortCost = costSortPlan(root, plan);
    plan = {
      type: 'Sort',
      startup_cost: sortCost.startup_cost, total_cost: sortCost.total_cost, plan_rows: plan.plan_rows, plan_width: plan.plan_width, plan_node_id: 0,
      targetlist: plan.targetlist.map((t) => ({ ...t })), qual: [], righttree: null, initPlan: [],
      numCols: cols.length, sortColIdx: cols, sortOperators: parse.sortClause.map((s) => s.sortop),
      nullsFirst: parse.sortClause.map((s) => s.nulls_first), lefttree: plan,
    };
  }
  if (parse.limitCount !== null || parse.limitOffset !== null) plan = makeLimit(root, plan, constLimitEst(parse.limitCount, true), constLimitEst(parse.limitOffset, false));
  // The output columns carry the query's names.
  plan.targetlist = plan.targetlist.map((t, i) => ({ ...t, resname: parse.targetList[i]?.resname ?? t.resname, ressortgroupref: parse.targetList[i]?.ressortgroupref ?? 0 }));
  return plan;
}

import { costSort } from '../path/costsize.ts';
function costSortPlan(root: PlannerInfo, plan: Plan): { startup_cost: number; total_cost: number } {
  const limit = constLimitEst(root.parse.limitCount, true);
  const off = constLimitEst(root.parse.limitOffset, false);
  return costSort(root, plan.total_cost, plan.plan_rows, plan.plan_width, limit > 0 && off >= 0 ? limit + off : -1);
}

export { exprType, exprTypmod, getTypavgwidth, mutateExprDeep, mutateQuery, getFunction };
