/*
 * parse_agg.ts — aggregates and window functions (PostgreSQL's parse_agg.c).
 *
 * Exports:
 *   transformAggregateCall   an aggregate call -> Aggref (level, placement, nesting checks)
 *   transformWindowFuncCall  a call with OVER -> WindowFunc (and its window definition)
 *   parseCheckAggregates     every column outside an aggregate must be grouped
 *                            (or functionally dependent on a grouped primary key)
 *
 * Rules:
 *  1. An aggregate belongs to the query level of its outermost... innermost
 *     variable: `SELECT (SELECT count(t.a)) FROM t` aggregates over t's level
 *     (agglevelsup = the smallest varlevelsup among its arguments).
 *  2. Where an aggregate or window function may appear depends on the clause
 *     of its own level (the ParseExprKind); each refusal is PostgreSQL's
 *     message with SQLSTATE 42803 (aggregates) or 42P20 (windows).
 */

import type { Query, RangeTblEntry } from '../nodes/parsenodes.ts';
import type { Aggref, Expr, SortGroupClause, TargetEntry, Var, WindowFunc } from '../nodes/primnodes.ts';
import type * as raw from './primnodes.ts';
import { lookupAggregate } from '../utils/fmgr/fmgrtab.ts';
import { exprEqual, makeTargetEntry, parserError, parseExprKindName, type ParseState } from './parse_node.ts';
import { exprLocationPG, MAX_EXPR_DEPTH, walkExprWithSubqueries } from './parse_expr.ts';
import { transformDistinctClause, transformSortClause, transformWhereClause } from './parse_clause.ts';

/** The first node (walk order) in e, sublinks included, for which pred holds; null if none. */
function findAtLevel(e: unknown, pred: (n: Expr, sub: number) => boolean): Expr | null {
  let found: Expr | null = null;
  walkExprWithSubqueries(e, (n, sub) => {
    if (pred(n, sub)) {
      found = n;
      return true;
    }
    return false;
  });
  return found;
}

function aggPlacementError(pstate: ParseState, kind: ParseState['exprKind'], location: number): void {
  let msg: string | null = null;
  switch (kind) {
    case 'EXPR_KIND_NONE':
    case 'EXPR_KIND_OTHER':
    case 'EXPR_KIND_SELECT_TARGET':
    case 'EXPR_KIND_HAVING':
    case 'EXPR_KIND_WINDOW_PARTITION':
    case 'EXPR_KIND_WINDOW_ORDER':
    case 'EXPR_KIND_ORDER_BY':
    case 'EXPR_KIND_DISTINCT_ON':
      return;
    case 'EXPR_KIND_JOIN_ON': msg = 'aggregate functions are not allowed in JOIN conditions'; break;
    case 'EXPR_KIND_FROM_SUBSELECT': msg = 'aggregate functions are not allowed in FROM clause of their own query level'; break;
    case 'EXPR_KIND_FROM_FUNCTION': msg = 'aggregate functions are not allowed in functions in FROM'; break;
    case 'EXPR_KIND_FILTER': msg = 'aggregate functions are not allowed in FILTER'; break;
    case 'EXPR_KIND_WINDOW_FRAME_RANGE': msg = 'aggregate functions are not allowed in window RANGE'; break;
    case 'EXPR_KIND_WINDOW_FRAME_ROWS': msg = 'aggregate functions are not allowed in window ROWS'; break;
    case 'EXPR_KIND_WINDOW_FRAME_GROUPS': msg = 'aggregate functions are not allowed in window GROUPS'; break;
    case 'EXPR_KIND_CHECK_CONSTRAINT': msg = 'aggregate functions are not allowed in check constraints'; break;
    case 'EXPR_KIND_COLUMN_DEFAULT': msg = 'aggregate functions are not allowed in DEFAULT expressions'; break;
    case 'EXPR_KIND_GENERATED_COLUMN': msg = 'aggregate functions are not allowed in column generation expressions'; break;
    default: msg = `aggregate functions are not allowed in ${parseExprKindName(kind)}`;
  }
  parserError(pstate, '42803', msg, location);
}

function levelUp(pstate: ParseState, levels: number): ParseState {
  let p = pstate;
  for (let i = 0; i < levels && p.parentParseState !== null; i++) p = p.parentParseState;
  return p;
}

/** An aggregate call (transformAggregateCall + check_agglevels_and_constraints). */
export function transformAggregateCall(pstate: ParseState, fc: raw.FuncCall, funcid: number, rettype: number, args: Expr[], variadic: boolean): Aggref {
  const tlist: TargetEntry[] = args.map((a, i) => makeTargetEntry(a, i + 1, null, false));
  let aggorder: SortGroupClause[] = [];
  let aggdistinct: SortGroupClause[] = [];
  if (fc.agg_order.length > 0 || fc.agg_distinct) {
    const savedSrf = pstate.hasTargetSRFs;
    aggorder = transformSortClause(pstate, fc.agg_order, tlist, 'EXPR_KIND_ORDER_BY', true);
    if (fc.agg_distinct) {
      aggdistinct = transformDistinctClause(pstate, tlist, aggorder, true);
      for (const s of aggdistinct) {
        if (s.sortop === 0) {
          const tle = tlist.find((t) => t.ressortgroupref === s.tleSortGroupRef);
          parserError(pstate, '42883', 'could not identify an ordering operator for type', tle === undefined ? fc.location : exprLocationPG(tle.expr), {
            detail: 'Aggregates with DISTINCT must be able to sort their inputs.',
          });
        }
      }
    }
    pstate.hasTargetSRFs = savedSrf;
  }
  const aggfilter = fc.agg_filter === null ? null : transformWhereClause(pstate, fc.agg_filter, 'EXPR_KIND_FILTER', 'FILTER');
  const agg: Aggref = {
    type: 'Aggref',
    aggfnoid: funcid,
    aggtype: rettype,
    aggtranstype: lookupAggregate(funcid).aggtranstype,
    args: tlist,
    aggorder,
    aggdistinct,
    aggfilter,
    aggstar: fc.agg_star,
    aggvariadic: variadic,
    aggkind: 'n',
    agglevelsup: 0,
    aggno: -1,
    location: fc.location,
  };
  checkAggLevels(pstate, agg, [tlist, aggfilter]);
  return agg;
}

function checkAggLevels(pstate: ParseState, agg: Aggref, parts: unknown[]): void {
  // One walk over the arguments (and FILTER) finds the lowest level they
  // refer to and the first nested aggregate, window function and
  // set-returning call, in walk order: the checks below report what
  // separate walks would report, at a quarter of the cost.
  let min = -1;
  const aggrefs: { node: Aggref; sub: number }[] = [];
  let win: Expr | null = null;
  let srf: Expr | null = null;
  walkExprWithSubqueries(parts, (n, sub) => {
    let lv = -1;
    if (n.type === 'Var') lv = n.varlevelsup - sub;
    else if (n.type === 'Aggref') {
      lv = n.agglevelsup - sub;
      aggrefs.push({ node: n, sub });
    } else if (n.type === 'WindowFunc') {
      if (sub === 0 && win === null) win = n;
    } else if (n.type === 'FuncExpr' && n.funcretset && sub === 0 && srf === null) srf = n;
    if (lv >= 0 && (min < 0 || lv < min)) min = lv;
    return false;
  });
  const level = min < 0 ? 0 : min;
  agg.agglevelsup = level;
  // Nested aggregate of the same level, or a window function inside.
  const nested = aggrefs.find((a) => a.node.agglevelsup - a.sub === level);
  if (nested !== undefined) parserError(pstate, '42803', 'aggregate function calls cannot be nested', exprLocationPG(nested.node));
  if (win !== null) parserError(pstate, '42803', 'aggregate function calls cannot contain window function calls', exprLocationPG(win));
  if (srf !== null) {
    parserError(pstate, '0A000', 'aggregate function calls cannot contain set-returning function calls', exprLocationPG(srf), {
      hint: 'You might be able to move the set-returning function into a LATERAL FROM item.',
    });
  }
  const owner = levelUp(pstate, level);
  aggPlacementError(pstate, owner.exprKind, agg.location);
  owner.hasAggs = true;
}

function windowPlacementError(pstate: ParseState, location: number): void {
  const kind = pstate.exprKind;
  let msg: string | null = null;
  switch (kind) {
    case 'EXPR_KIND_SELECT_TARGET':
    case 'EXPR_KIND_ORDER_BY':
    case 'EXPR_KIND_DISTINCT_ON':
    case 'EXPR_KIND_NONE':
    case 'EXPR_KIND_OTHER':
      return;
    case 'EXPR_KIND_JOIN_ON': msg = 'window functions are not allowed in JOIN conditions'; break;
    case 'EXPR_KIND_FROM_FUNCTION': msg = 'window functions are not allowed in functions in FROM'; break;
    case 'EXPR_KIND_WINDOW_PARTITION':
    case 'EXPR_KIND_WINDOW_ORDER':
    case 'EXPR_KIND_WINDOW_FRAME_RANGE':
    case 'EXPR_KIND_WINDOW_FRAME_ROWS':
    case 'EXPR_KIND_WINDOW_FRAME_GROUPS': msg = 'window functions are not allowed in window definitions'; break;
    case 'EXPR_KIND_CHECK_CONSTRAINT': msg = 'window functions are not allowed in check constraints'; break;
    case 'EXPR_KIND_COLUMN_DEFAULT': msg = 'window functions are not allowed in DEFAULT expressions'; break;
    case 'EXPR_KIND_GENERATED_COLUMN': msg = 'window functions are not allowed in column generation expressions'; break;
    default: msg = `window functions are not allowed in ${parseExprKindName(kind)}`;
  }
  parserError(pstate, '42P20', msg, location);
}

/** A window function call, or an aggregate with OVER (transformWindowFuncCall). */
export function transformWindowFuncCall(pstate: ParseState, fc: raw.FuncCall, funcid: number, rettype: number, args: Expr[], isAgg: boolean): WindowFunc {
  windowPlacementError(pstate, fc.location);
  const nested = findAtLevel(args, (n, sub) => n.type === 'WindowFunc' && sub === 0);
  if (nested !== null) parserError(pstate, '42P20', 'window function calls cannot be nested', exprLocationPG(nested));
  if (fc.agg_distinct) parserError(pstate, '0A000', 'DISTINCT is not implemented for window functions', fc.location);
  if (fc.agg_order.length > 0) parserError(pstate, '0A000', 'aggregate ORDER BY is not implemented for window functions', fc.location);
  const aggfilter = fc.agg_filter === null ? null : transformWhereClause(pstate, fc.agg_filter, 'EXPR_KIND_FILTER', 'FILTER');
  const windef = fc.over as raw.WindowDef;
  let winref = 0;
  if (windef.name !== null) {
    const i = pstate.windowdefs.findIndex((w) => w.name === windef.name);
    if (i < 0) parserError(pstate, '42704', `window "${windef.name}" does not exist`, windef.location);
    winref = i + 1;
  } else {
    const i = pstate.windowdefs.findIndex((w) => {
      const refMatch = (w.refname !== null && windef.refname !== null && w.refname === windef.refname) || (w.refname === null && windef.refname === null);
      return refMatch &&
        exprEqual(w.partitionClause, windef.partitionClause) &&
        exprEqual(w.orderClause, windef.orderClause) &&
        w.frameOptions === windef.frameOptions &&
        exprEqual(w.startOffset, windef.startOffset) &&
        exprEqual(w.endOffset, windef.endOffset);
    });
    if (i >= 0) winref = i + 1;
    else {
      pstate.windowdefs.push(windef);
      winref = pstate.windowdefs.length;
    }
  }
  pstate.hasWindowFuncs = true;
  return {
    type: 'WindowFunc',
    winfnoid: funcid,
    wintype: rettype,
    args,
    aggfilter,
    winref,
    winstar: fc.agg_star,
    winagg: isAgg,
    location: fc.location,
  };
}

// ---------------------------------------------------------------------------
// parseCheckAggregates.

/** Replace Vars of join RTEs at this level by the join's alias expressions (flatten_join_alias_vars), for comparisons only. */
function flattenJoinVars(q: Query, e: Expr, depth = 0): Expr {
  if (depth > MAX_EXPR_DEPTH) return e;
  if (e.type === 'Var' && e.varlevelsup === 0 && e.varattno > 0) {
    const rte = q.rtable[e.varno - 1];
    if (rte !== undefined && rte.rtekind === 'RTE_JOIN') {
      const av = rte.joinaliasvars[e.varattno - 1];
      if (av !== undefined) return flattenJoinVars(q, av, depth + 1);
    }
    return e;
  }
  if (e.type === 'CoalesceExpr') return { ...e, args: e.args.map((a) => flattenJoinVars(q, a, depth + 1)) };
  if (e.type === 'RelabelType' || e.type === 'CoerceViaIO') return { ...e, arg: flattenJoinVars(q, e.arg, depth + 1) } as Expr;
  if (e.type === 'FuncExpr') return { ...e, args: e.args.map((a) => flattenJoinVars(q, a, depth + 1)) };
  return e;
}

/**
 * Every Var of this level used outside an aggregate must be a GROUP BY
 * expression, inside one, or a column of a table whose primary key is
 * grouped (check_ungrouped_columns / check_functional_grouping).
 */
export function parseCheckAggregates(pstate: ParseState, q: Query): void {
  if (pstate.hasAggs && q.rtable.some((r) => r.rtekind === 'RTE_CTE' && r.self_reference)) {
    const a = findAtLevel([q.targetList, q.havingQual, q.jointree], (n, sub) => n.type === 'Aggref' && n.agglevelsup === sub);
    parserError(pstate, '42P19', "aggregate functions are not allowed in a recursive query's recursive term", a === null ? -1 : exprLocationPG(a));
  }
  const hasJoins = q.rtable.some((r) => r.rtekind === 'RTE_JOIN');
  const groupExprs: Expr[] = [];
  for (const g of q.groupClause) {
    const tle = q.targetList.find((t) => t.ressortgroupref === g.tleSortGroupRef);
    if (tle === undefined) continue;
    groupExprs.push(hasJoins ? flattenJoinVars(q, tle.expr) : tle.expr);
  }
  // GROUP BY expressions must not contain aggregates of this level.
  for (const g of groupExprs) {
    const a = findAtLevel(g, (n, sub) => n.type === 'Aggref' && n.agglevelsup === sub);
    if (a !== null) parserError(pstate, '42803', 'aggregate functions are not allowed in GROUP BY', exprLocationPG(a));
  }
  const groupedPk = new Set<number>();
  for (let varno = 1; varno <= q.rtable.length; varno++) {
    const rte = q.rtable[varno - 1] as RangeTblEntry;
    if (rte.rtekind !== 'RTE_RELATION' || !rte.inFromCl) continue;
    let rel;
    try {
      rel = pstate.catalog.getRelation(rte.relid);
    } catch {
      continue;
    }
    const pk = rel.indexes.find((i) => i.indisprimary);
    if (pk === undefined) continue;
    const all = pk.indkey.every((k) => groupExprs.some((g) => g.type === 'Var' && g.varno === varno && g.varattno === k && g.varlevelsup === 0));
    if (all) groupedPk.add(varno);
  }
  const check = (e: Expr | null): void => {
    if (e === null) return;
    checkUngrouped(pstate, q, hasJoins ? flattenJoinVars(q, e) : e, groupExprs, groupedPk, 0, 0);
  };
  for (const tle of q.targetList) check(tle.expr);
  check(q.havingQual);
}

function checkUngrouped(pstate: ParseState, q: Query, e: unknown, groupExprs: Expr[], groupedPk: Set<number>, sublevels: number, depth: number): void {
  if (typeof e !== 'object' || e === null || depth > MAX_EXPR_DEPTH) return;
  if (Array.isArray(e)) {
    for (const x of e) checkUngrouped(pstate, q, x, groupExprs, groupedPk, sublevels, depth + 1);
    return;
  }
  const n = e as Expr | Query;
  if (n.type === 'Query') {
    for (const v of Object.values(n)) checkUngrouped(pstate, q, v, groupExprs, groupedPk, sublevels + 1, depth + 1);
    return;
  }
  if (n.type === 'Aggref' && n.agglevelsup === sublevels) return;
  if (typeof n.type === 'string' && groupExprs.length > 0) {
    // A whole GROUP BY expression (at our level only: with sublevels 0).
    if (sublevels === 0 && groupExprs.some((g) => exprEqual(g, n))) return;
  }
  if (n.type === 'Var') {
    if (n.varlevelsup !== sublevels) return;
    if (sublevels > 0 && groupExprs.some((g) => g.type === 'Var' && g.varno === n.varno && g.varattno === n.varattno)) return;
    if (groupedPk.has(n.varno)) return;
    const v: Var = n;
    const rte = q.rtable[v.varno - 1];
    const relname = rte?.eref.aliasname ?? '?';
    const colname = v.varattno > 0 ? (rte?.eref.colnames[v.varattno - 1] ?? '?') : v.varattno === -1 ? 'ctid' : '?';
    if (sublevels === 0) {
      parserError(pstate, '42803', `column "${relname}.${colname}" must appear in the GROUP BY clause or be used in an aggregate function`, v.location);
    }
    parserError(pstate, '42803', `subquery uses ungrouped column "${relname}.${colname}" from outer query`, v.location);
  }
  for (const v of Object.values(n)) {
    if (typeof v === 'object' && v !== null) checkUngrouped(pstate, q, v, groupExprs, groupedPk, sublevels, depth + 1);
  }
}
