/*
 * prepunion.ts — UNION / INTERSECT / EXCEPT (PostgreSQL's
 * optimizer/prep/prepunion.c), including WITH RECURSIVE's union.
 *
 * Exports: planSetOperations(root) -> { plan }.
 *
 * Each leaf is a sub-select planned as its own query level under a
 * SubqueryScan (removed by setrefs when it only passes rows through).
 * UNION ALL is an Append; UNION adds duplicate removal (HashAggregate or
 * Sort + Unique, whichever is cheaper); INTERSECT and EXCEPT tag each row
 * with the input it came from (a flag column) and use SetOp, hashed or
 * sorted. A recursive CTE's UNION becomes a RecursiveUnion whose right side
 * reads the work table. The output columns of these nodes are OUTER_VAR
 * references to their first input's columns, as setrefs would make them.
 */

import type { SetOperationStmt } from '../../nodes/parsenodes.ts';
import type { Agg, Append, Plan, RecursiveUnion, SetOp, Sort, SubqueryScan, Unique } from '../../nodes/plannodes.ts';
import type { Expr, JoinTreeNode, TargetEntry } from '../../nodes/primnodes.ts';
import { OUTER_VAR } from '../../nodes/primnodes.ts';
import { exprType, exprTypmod } from '../../nodes/nodeFuncs.ts';
import type { PlannerInfo } from '../pathnodes.ts';
import { costAgg, costExprEval, costRecursiveUnion, costSort, type QualCost } from '../path/costsize.ts';
import { isProjectionCapable, makeTle, tlistWidth } from '../plan/createplan.ts';
import { mutateExpr } from '../util/exprwalk.ts';
import { getTypavgwidth } from '../util/lsyscache.ts';
import { subqueryPlanner } from '../plan/planner.ts';
import { registerSubqueryRoot } from '../plan/setrefs.ts';
import { coerceToCommonType } from '../../parser/parse_coerce.ts';

const INT4OID = 23;
/** Append's small per-row charge (APPEND_CPU_COST_MULTIPLIER). */
const APPEND_CPU_COST_MULTIPLIER = 0.5;

function outerRefTlist(types: number[], typmods: number[]): TargetEntry[] {
  return types.map((t, i) => makeTle({ type: 'Var', varno: OUTER_VAR, varattno: i + 1, vartype: t, vartypmod: typmods[i] ?? -1, varlevelsup: 0, location: -1 }, i + 1));
}

interface SetopResult { plan: Plan }

/**
 * One output column of a set operation input, converted to the type the set
 * operation resolved for that column (generate_setop_tlist): `SELECT 1 UNION
 * SELECT 1.5` casts the left branch's integer to numeric, so the duplicate
 * elimination, the sort and the client all see one type. A differing typmod
 * alone is only a relabeling, as in PostgreSQL (no length coercion).
 */
function coerceSetopColumn(e: Expr, colType: number, colTypmod: number): Expr {
  const t = exprType(e);
  if (t === colType && e.type === 'Var') return e.vartypmod === colTypmod ? e : { ...e, vartypmod: colTypmod };
  let out = t === colType ? e : coerceToCommonType(e, colType, 'UNION/INTERSECT/EXCEPT');
  if (exprTypmod(out) !== colTypmod) {
    out = { type: 'RelabelType', arg: out, resulttype: colType, resulttypmod: colTypmod, relabelformat: 'COERCE_IMPLICIT_CAST', location: -1 };
  }
  return out;
}

function planLeaf(root: PlannerInfo, rtindex: number, colTypes: number[], colTypmods: number[], flag: number | null): Plan {
  const rte = root.parse.rtable[rtindex - 1];
  if (rte.rtekind !== 'RTE_SUBQUERY' || rte.subquery === null) throw new Error('set operation leaf is not a sub-select');
  const { plan: sub, subroot } = subqueryPlanner(root.glob, rte.subquery, root, false, 0);
  registerSubqueryRoot(sub, subroot);
  const cols = sub.targetlist.filter((t) => !t.resjunk);
  const tlist: TargetEntry[] = cols.map((t, i) => {
    const v: Expr = { type: 'Var', varno: rtindex, varattno: i + 1, vartype: exprType(t.expr), vartypmod: exprTypmod(t.expr), varlevelsup: 0, location: -1 };
    return makeTle(i < colTypes.length ? coerceSetopColumn(v, colTypes[i], colTypmods[i] ?? -1) : v, i + 1, t.resname);
  });
  let total = sub.total_cost;
  let width = sub.plan_width;
  const converted = tlist.some((t) => t.expr.type !== 'Var');
  if (converted) {
    // The scan now projects: its per-row charge and the conversions' cost, and the converted columns' widths.
    const evalCost: QualCost = { startup: 0, per_tuple: 0 };
    for (const t of tlist) costExprEval(root, t.expr, evalCost);
    total += evalCost.startup + (root.glob.cost.cpu_tuple_cost + evalCost.per_tuple) * sub.plan_rows;
    width = tlist.reduce((w, t) => w + getTypavgwidth(exprType(t.expr), exprTypmod(t.expr)), 0);
  }
  if (flag !== null) {
    tlist.push(makeTle({ type: 'Const', consttype: INT4OID, consttypmod: -1, constvalue: flag, constisnull: false, location: -1 }, tlist.length + 1, 'flag', true));
    if (!converted) total += root.glob.cost.cpu_tuple_cost * sub.plan_rows;
    width += 4;
  }
  const startup = sub.startup_cost;
  const scan: SubqueryScan = {
    type: 'SubqueryScan',
    startup_cost: startup, total_cost: total, plan_rows: sub.plan_rows, plan_width: width, plan_node_id: 0,
    targetlist: tlist, qual: [], lefttree: null, righttree: null, initPlan: [],
    scanrelid: rtindex, subplan: sub,
  };
  return scan;
}

function makeAppend(root: PlannerInfo, children: Plan[], tlist: TargetEntry[]): Append {
  let rows = 0;
  let total = 0;
  for (const c of children) {
    rows += c.plan_rows;
    total += c.total_cost;
  }
  total += root.glob.cost.cpu_tuple_cost * APPEND_CPU_COST_MULTIPLIER * rows;
  const startup = children.length > 0 ? children[0].startup_cost : 0;
  return {
    type: 'Append',
    startup_cost: startup, total_cost: total, plan_rows: rows, plan_width: children[0]?.plan_width ?? 0, plan_node_id: 0,
    targetlist: tlist, qual: [], lefttree: null, righttree: null, initPlan: [],
    appendplans: children,
  };
}

/** e with each OUTER_VAR reference to column i replaced by tlist[i - 1]'s expression (the node's own output column). */
function replaceOuterRefs(e: Expr, tlist: TargetEntry[]): Expr {
  return mutateExpr(e, (n) => (n.type === 'Var' && n.varno === OUTER_VAR ? tlist[n.varattno - 1].expr : undefined));
}

export function planSetOperations(root: PlannerInfo): SetopResult {
  const top = root.parse.setOperations as SetOperationStmt;
  const ncols = top.colTypes.length;

  /** Plans one input of a set operation whose columns must come out as colTypes / colTypmods (the parent's). */
  const recurse = (n: SetOperationStmt | JoinTreeNode, flag: number | null, parent: SetOperationStmt): Plan => {
    if (n.type === 'RangeTblRef') return planLeaf(root, n.rtindex, parent.colTypes, parent.colTypmods, flag);
    if (n.type !== 'SetOperationStmt') throw new Error('unexpected node in set operation tree');
    const p = planSetop(n);
    const sameTypes = n.colTypes.every((t, i) => t === parent.colTypes[i] && (n.colTypmods[i] ?? -1) === (parent.colTypmods[i] ?? -1));
    if (flag === null && sameTypes) return p;
    // A nested set operation of other column types (`(SELECT 1 UNION SELECT 2) UNION SELECT 2.5`) is
    // converted above its own duplicate elimination; under INTERSECT/EXCEPT it also needs the flag
    // column. Either way a projecting Result does it.
    const tl: TargetEntry[] = n.colTypes.map((t, i) => makeTle(coerceSetopColumn(
      { type: 'Var', varno: OUTER_VAR, varattno: i + 1, vartype: t, vartypmod: n.colTypmods[i] ?? -1, varlevelsup: 0, location: -1 },
      parent.colTypes[i], parent.colTypmods[i] ?? -1,
    ), i + 1));
    if (flag !== null) tl.push(makeTle({ type: 'Const', consttype: INT4OID, consttypmod: -1, constvalue: flag, constisnull: false, location: -1 }, ncols + 1, 'flag', true));
    const width = p.plan_width + (flag !== null ? 4 : 0);
    if (isProjectionCapable(p)) {
      // An Agg (UNION's HashAggregate) converts its own output, as PostgreSQL's plan shows; its columns read its input's.
      p.targetlist = tl.map((t, i) => (i < n.colTypes.length ? { ...t, expr: replaceOuterRefs(t.expr, p.targetlist) } : t));
      p.plan_width = width;
      return p;
    }
    return {
      type: 'Result',
      startup_cost: p.startup_cost, total_cost: p.total_cost + root.glob.cost.cpu_tuple_cost * p.plan_rows, plan_rows: p.plan_rows, plan_width: width, plan_node_id: 0,
      targetlist: tl, qual: [], righttree: null, initPlan: [],
      resconstantqual: null, lefttree: p,
    };
  };

  /** Flattens nested UNION ALLs of the same column types into one Append's inputs. */
  const collectUnionAll = (n: SetOperationStmt | JoinTreeNode, out: Plan[], parent: SetOperationStmt): void => {
    if (n.type === 'SetOperationStmt' && n.op === 'SETOP_UNION' && n.all && n.colTypes.every((t, i) => t === parent.colTypes[i])) {
      collectUnionAll(n.larg, out, parent);
      collectUnionAll(n.rarg, out, parent);
    } else {
      out.push(recurse(n, null, parent));
    }
  };

  const dedup = (input: Plan, numGroups: number, n: SetOperationStmt): Plan => {
    const { colTypes, colTypmods } = n;
    const c = root.glob.cost;
    const cols = Array.from({ length: ncols }, (_, i) => i + 1);
    const ops = n.groupClauses.map((g) => g.eqop);
    const tl = outerRefTlist(colTypes, colTypmods);
    const hashable = n.groupClauses.every((g) => g.hashable);
    const sortC = costSort(root, input.total_cost, input.plan_rows, input.plan_width, -1);
    const uniqTotal = sortC.total_cost + c.cpu_operator_cost * input.plan_rows * ncols;
    const zero = { numAggs: 0, transCost: { startup: 0, per_tuple: 0 }, finalCost: { startup: 0, per_tuple: 0 }, transitionSpace: 0 };
    const hashC = costAgg(root, 'AGG_HASHED', zero, ncols, numGroups, [], input.startup_cost, input.total_cost, input.plan_rows, input.plan_width);
    if (hashable && hashC.total_cost < uniqTotal) {
      const agg: Agg = {
        type: 'Agg',
        startup_cost: hashC.startup_cost, total_cost: hashC.total_cost, plan_rows: numGroups, plan_width: input.plan_width, plan_node_id: 0,
        targetlist: tl, qual: [], righttree: null, initPlan: [],
        aggstrategy: 'AGG_HASHED',
        aggsplit: 'AGGSPLIT_SIMPLE', numCols: ncols, grpColIdx: cols, grpOperators: ops, numGroups, lefttree: input,
      };
      return agg;
    }
    const sort: Sort = {
      type: 'Sort',
      startup_cost: sortC.startup_cost, total_cost: sortC.total_cost, plan_rows: input.plan_rows, plan_width: input.plan_width, plan_node_id: 0,
      targetlist: outerRefTlist(colTypes, colTypmods), qual: [], righttree: null, initPlan: [],
      numCols: ncols, sortColIdx: cols, sortOperators: n.groupClauses.map((g) => g.sortop), nullsFirst: cols.map(() => false), lefttree: input,
    };
    const u: Unique = {
      type: 'Unique',
      startup_cost: sortC.startup_cost, total_cost: uniqTotal, plan_rows: numGroups, plan_width: input.plan_width, plan_node_id: 0,
      targetlist: tl, qual: [], righttree: null, initPlan: [],
      numCols: ncols, uniqColIdx: cols, uniqOperators: ops, lefttree: sort,
    };
    return u;
  };

  const planSetop = (n: SetOperationStmt): Plan => {
    const { colTypes, colTypmods } = n;
    if (root.wt_param_id >= 0 && n === top) return planRecursiveUnion(n);
    if (n.op === 'SETOP_UNION') {
      const children: Plan[] = [];
      if (n.all) {
        collectUnionAll(n.larg, children, n);
        collectUnionAll(n.rarg, children, n);
      } else {
        collectUnionAll(n.larg, children, n);
        collectUnionAll(n.rarg, children, n);
      }
      const app = makeAppend(root, children, outerRefTlist(colTypes, colTypmods));
      if (n.all) return app;
      return dedup(app, app.plan_rows, n);
    }
    const left = recurse(n.larg, 0, n);
    const right = recurse(n.rarg, 1, n);
    const tlFlag = [...outerRefTlist(colTypes, colTypmods), makeTle({ type: 'Var', varno: OUTER_VAR, varattno: ncols + 1, vartype: INT4OID, vartypmod: -1, varlevelsup: 0, location: -1 }, ncols + 1, 'flag', true)];
    const app = makeAppend(root, [left, right], tlFlag);
    const c = root.glob.cost;
    const outRows = n.op === 'SETOP_EXCEPT' ? left.plan_rows : Math.min(left.plan_rows, right.plan_rows);
    const numGroups = left.plan_rows;
    const cmd: SetOp['cmd'] = n.op === 'SETOP_INTERSECT' ? (n.all ? 'SETOPCMD_INTERSECT_ALL' : 'SETOPCMD_INTERSECT') : (n.all ? 'SETOPCMD_EXCEPT_ALL' : 'SETOPCMD_EXCEPT');
    const cols = Array.from({ length: ncols }, (_, i) => i + 1);
    const ops = n.groupClauses.map((g) => g.eqop);
    const hashable = n.groupClauses.every((g) => g.hashable);
    const setopTotal = (input: Plan): number => input.total_cost + c.cpu_operator_cost * input.plan_rows * ncols;
    const sortC = costSort(root, app.total_cost, app.plan_rows, app.plan_width, -1);
    const sortedTotal = sortC.total_cost + c.cpu_operator_cost * app.plan_rows * ncols;
    const tl = outerRefTlist(colTypes, colTypmods);
    if (hashable && setopTotal(app) <= sortedTotal) {
      const total = setopTotal(app);
      const so: SetOp = {
        type: 'SetOp',
        startup_cost: total, total_cost: total, plan_rows: outRows, plan_width: left.plan_width - 4, plan_node_id: 0,
        targetlist: tl, qual: [], righttree: null, initPlan: [],
        cmd, strategy: 'SETOP_HASHED', numCols: ncols,
        dupColIdx: cols, dupOperators: ops, flagColIdx: ncols + 1, firstFlag: 0, numGroups, lefttree: app,
      };
      return so;
    }
    const sort: Sort = {
      type: 'Sort',
      startup_cost: sortC.startup_cost, total_cost: sortC.total_cost, plan_rows: app.plan_rows, plan_width: app.plan_width, plan_node_id: 0,
      targetlist: tlFlag.map((t) => ({ ...t })), qual: [], righttree: null, initPlan: [],
      numCols: ncols, sortColIdx: cols, sortOperators: n.groupClauses.map((g) => g.sortop), nullsFirst: cols.map(() => false), lefttree: app,
    };
    const so: SetOp = {
      type: 'SetOp',
      startup_cost: sortC.startup_cost, total_cost: sortedTotal, plan_rows: outRows, plan_width: left.plan_width - 4, plan_node_id: 0,
      targetlist: tl, qual: [], righttree: null, initPlan: [],
      cmd, strategy: 'SETOP_SORTED', numCols: ncols,
      dupColIdx: cols, dupOperators: ops, flagColIdx: ncols + 1, firstFlag: 0, numGroups, lefttree: sort,
    };
    return so;
  };

  const planRecursiveUnion = (n: SetOperationStmt): Plan => {
    if (n.op !== 'SETOP_UNION') throw new Error('recursive query must be a UNION');
    const { colTypes, colTypmods } = n;
    const nrt = recurse(n.larg, null, n);
    root.non_recursive_rows = nrt.plan_rows;
    const rt = recurse(n.rarg, null, n);
    const cost = costRecursiveUnion(root, { startup_cost: nrt.startup_cost, total_cost: nrt.total_cost, rows: nrt.plan_rows }, { startup_cost: rt.startup_cost, total_cost: rt.total_cost, rows: rt.plan_rows });
    const cols = n.all ? [] : Array.from({ length: ncols }, (_, i) => i + 1);
    const ru: RecursiveUnion = {
      type: 'RecursiveUnion',
      startup_cost: cost.startup_cost, total_cost: cost.total_cost, plan_rows: cost.rows, plan_width: Math.max(nrt.plan_width, rt.plan_width), plan_node_id: 0,
      targetlist: outerRefTlist(colTypes, colTypmods), qual: [], initPlan: [],
      wtParam: root.wt_param_id, numCols: cols.length, dupColIdx: cols,
      dupOperators: n.all ? [] : n.groupClauses.map((g) => g.eqop), numGroups: n.all ? 0 : cost.rows, lefttree: nrt, righttree: rt,
    };
    return ru;
  };

  const plan = planSetop(top);
  void tlistWidth;
  void ({} as Expr);
  return { plan };
}
