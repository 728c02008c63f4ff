/*
 * analyze.ts — parse analysis: raw statement -> Query (PostgreSQL's
 * analyze.c).
 *
 * Exports:
 *   parseAnalyze(raw, ctx)         the entry point (parse_analyze_varparams:
 *                                  $n types of 0 are inferred and written back)
 *   analyzeExplainTarget(stmt, ctx) the statement inside EXPLAIN, analyzed
 *   transformExprForDDL(...)       column DEFAULT / CHECK / GENERATED expressions
 *   parseSubAnalyze(pstate, stmt)  a sub-SELECT at a child level
 *
 * One transform per statement kind, as analyze.c: transformSelectStmt,
 * transformValuesClause, transformSetOperationStmt, transformInsertStmt,
 * transformUpdateStmt, transformDeleteStmt. Anything else becomes a
 * CMD_UTILITY Query holding the raw statement for ProcessUtility.
 *
 * The order of clause processing is PostgreSQL's (it decides which error a
 * statement with several mistakes reports): WITH, FROM, target list, WHERE,
 * HAVING, ORDER BY, GROUP BY, DISTINCT, LIMIT, WINDOW, unknown outputs to
 * text, locking, then the GROUP BY check.
 */

import type { CommonTableExpr, Query, RowMarkClause, SetOperationStmt } from '../nodes/parsenodes.ts';
import type { Expr, JoinTreeNode, OnConflictExpr, SortGroupClause, TargetEntry } from '../nodes/primnodes.ts';
import type * as rawn from './nodes.ts';
import type * as raw from './primnodes.ts';
import { exprType, exprTypmod } from '../nodes/nodeFuncs.ts';
import { PgError } from '../utils/errors.ts';
import { getSortGroupOperators } from './parse_oper.ts';
import {
  makeFromExpr, makeQuery, makeTargetEntry, makeVar, parserError, ParseState,
  type AnalyzeContext, type ParseExprKind, type ParseNamespaceColumn, type ParseNamespaceItem,
} from './parse_node.ts';
import {
  addRangeTableEntryForJoin, addRangeTableEntryForRelation, addRangeTableEntryForSubquery, addRangeTableEntryForValues,
  expandNSItemVars, markTargetListOrigins,
} from './parse_relation.ts';
import {
  coerceCommon, coerceExprTo, commonType, exprLocationPG, resolveUnknownParams, transformExpr, UNKNOWNOID, walkExpr, withPosition,
} from './parse_expr.ts';
import {
  checkInsertTargets, resolveTargetListUnknowns, transformAssignedExpr, transformExpressionList, transformTargetList,
} from './parse_target.ts';
import {
  parserOpenTable, transformDistinctClause, transformDistinctOnClause, transformFromClause, transformGroupClause,
  transformLimitClause, transformOnConflictArbiter, transformSortClause, transformWhereClause, transformWindowDefinitions,
} from './parse_clause.ts';
import { parseCheckAggregates } from './parse_agg.ts';
import { setCTEColumns, transformWithClause } from './parse_cte.ts';
import { formatTypeWithTypmod } from './parse_type.ts';

export type { AnalyzeContext } from './parse_node.ts';

/** parse_analyze: one raw statement to a Query. */
export function parseAnalyze(rawStmt: rawn.RawStmt, ctx: AnalyzeContext): Query {
  const pstate = new ParseState(null, ctx);
  const q = transformStmt(pstate, rawStmt.stmt);
  q.stmt_location = rawStmt.stmt_location;
  q.stmt_len = rawStmt.stmt_len;
  if (pstate.shared.unknownParams) finishParams(pstate, q);
  checkParamTypes(ctx.paramTypes);
  return q;
}

/** Every $n must have a type once analysis is done (exec_parse_message's check). */
function checkParamTypes(paramTypes: number[]): void {
  paramTypes.forEach((t, i) => {
    if (t === 0 || t === UNKNOWNOID) throw new PgError('42P18', `could not determine data type of parameter $${i + 1}`);
  });
}

/** EXPLAIN's statement, analyzed as its own Query (transformExplainStmt's inner part). */
export function analyzeExplainTarget(stmt: rawn.ExplainStmt, ctx: AnalyzeContext): Query {
  const pstate = new ParseState(null, ctx);
  const q = transformStmt(pstate, stmt.query);
  if (pstate.shared.unknownParams) finishParams(pstate, q);
  checkParamTypes(ctx.paramTypes);
  return q;
}

/** After analysis: Params whose type was deduced later in the statement get that type everywhere (check_variable_parameters). */
function finishParams(pstate: ParseState, q: Query): void {
  resolveUnknownParams(pstate, q.targetList as unknown as Expr);
  const fix = (node: unknown, depth: number): void => {
    if (typeof node !== 'object' || node === null || depth > 5000) return;
    if (Array.isArray(node)) {
      node.forEach((x) => fix(x, depth + 1));
      return;
    }
    const o = node as Record<string, unknown>;
    if (o.type === 'Param' && o.paramkind === 'PARAM_EXTERN' && o.paramtype === UNKNOWNOID) {
      const t = pstate.paramTypes[(o.paramid as number) - 1] ?? 0;
      if (t !== 0 && t !== UNKNOWNOID) o.paramtype = t;
      return;
    }
    for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) fix(v, depth + 1);
  };
  fix(q, 0);
}

export function transformStmt(pstate: ParseState, stmt: rawn.Stmt): Query {
  switch (stmt.type) {
    case 'SelectStmt':
      if (stmt.valuesLists.length > 0) return transformValuesClause(pstate, stmt);
      if (stmt.op !== 'SETOP_NONE') return transformSetOperationStmt(pstate, stmt);
      return transformSelectStmt(pstate, stmt);
    case 'InsertStmt': return transformInsertStmt(pstate, stmt);
    case 'UpdateStmt': return transformUpdateStmt(pstate, stmt);
    case 'DeleteStmt': return transformDeleteStmt(pstate, stmt);
    default: {
      const q = makeQuery('CMD_UTILITY');
      q.utilityStmt = stmt;
      return q;
    }
  }
}

/** parse_sub_analyze: a sub-SELECT seeing this level's names as outer references. */
export function parseSubAnalyze(pstate: ParseState, stmt: rawn.SelectStmt, parentCte: CommonTableExpr | null = null, resolveUnknowns = true): Query {
  const sub = pstate.child();
  sub.parentCte = parentCte;
  sub.resolveUnknowns = resolveUnknowns;
  return transformStmt(sub, stmt);
}

function finishQuery(pstate: ParseState, q: Query, quals: Expr | null): void {
  q.rtable = pstate.rtable;
  q.jointree = makeFromExpr(pstate.joinlist, quals);
  q.hasSubLinks = pstate.hasSubLinks;
  q.hasWindowFuncs = pstate.hasWindowFuncs;
  q.hasTargetSRFs = pstate.hasTargetSRFs;
  q.hasAggs = pstate.hasAggs;
}

function transformWith(pstate: ParseState, q: Query, w: rawn.WithClause | null): void {
  if (w === null) return;
  q.hasRecursive = w.recursive;
  q.cteList = transformWithClause(pstate, w);
}

// ---------------------------------------------------------------------------
// SELECT.

function transformSelectStmt(pstate: ParseState, stmt: rawn.SelectStmt): Query {
  const q = makeQuery('CMD_SELECT');
  transformWith(pstate, q, stmt.withClause);
  pstate.windowdefs = stmt.windowClause.slice();
  pstate.lockingClause = stmt.lockingClause;
  transformFromClause(pstate, stmt.fromClause);
  q.targetList = transformTargetList(pstate, stmt.targetList, 'EXPR_KIND_SELECT_TARGET');
  markTargetListOrigins(pstate, q.targetList);
  const qual = transformWhereClause(pstate, stmt.whereClause, 'EXPR_KIND_WHERE', 'WHERE');
  q.havingQual = transformWhereClause(pstate, stmt.havingClause, 'EXPR_KIND_HAVING', 'HAVING');
  q.sortClause = transformSortClause(pstate, stmt.sortClause, q.targetList, 'EXPR_KIND_ORDER_BY', false);
  q.groupClause = transformGroupClause(pstate, stmt.groupClause, q.targetList, q.sortClause, 'EXPR_KIND_GROUP_BY', false);
  if (stmt.groupDistinct) parserError(pstate, '0A000', 'GROUP BY DISTINCT is not supported', -1);
  if (stmt.distinctClause === null) {
    q.distinctClause = [];
  } else if (stmt.distinctClause.length === 0) {
    q.distinctClause = transformDistinctClause(pstate, q.targetList, q.sortClause, false);
  } else {
    q.distinctClause = transformDistinctOnClause(pstate, stmt.distinctClause, q.targetList, q.sortClause);
    q.hasDistinctOn = true;
  }
  q.limitOffset = transformLimitClause(pstate, stmt.limitOffset, 'EXPR_KIND_OFFSET', 'OFFSET', stmt.limitOption);
  q.limitCount = transformLimitClause(pstate, stmt.limitCount, 'EXPR_KIND_LIMIT', 'LIMIT', stmt.limitOption);
  q.limitOption = stmt.limitOption === 'LIMIT_OPTION_WITH_TIES' ? 'LIMIT_OPTION_WITH_TIES' : 'LIMIT_OPTION_COUNT';
  q.windowClause = transformWindowDefinitions(pstate, pstate.windowdefs, q.targetList);
  if (pstate.resolveUnknowns) resolveTargetListUnknowns(pstate, q.targetList);
  finishQuery(pstate, q, qual);
  for (const lc of stmt.lockingClause) transformLockingClause(pstate, q, lc, false);
  if (pstate.hasAggs || q.groupClause.length > 0 || q.havingQual !== null) parseCheckAggregates(pstate, q);
  return q;
}

// ---------------------------------------------------------------------------
// VALUES.

function transformValuesClause(pstate: ParseState, stmt: rawn.SelectStmt): Query {
  const q = makeQuery('CMD_SELECT');
  transformWith(pstate, q, stmt.withClause);
  let width = -1;
  const columns: Expr[][] = [];
  for (const row of stmt.valuesLists) {
    const sublist = transformExpressionList(pstate, row, 'EXPR_KIND_VALUES', false);
    if (width < 0) {
      width = sublist.length;
      for (let i = 0; i < width; i++) columns.push([]);
    } else if (sublist.length !== width) {
      parserError(pstate, '42601', 'VALUES lists must all be the same length', sublist.length > 0 ? exprLocationPG(sublist[0] as Expr) : -1);
    }
    sublist.forEach((e, i) => (columns[i] as Expr[]).push(e));
  }
  const coltypes: number[] = [];
  const coltypmods: number[] = [];
  columns.forEach((col, i) => {
    const t = commonType(pstate, col, 'VALUES');
    columns[i] = col.map((e) => coerceCommon(pstate, e, t, 'VALUES'));
    coltypes.push(t);
    coltypmods.push(commonTypmod(columns[i] as Expr[], t));
  });
  const rows: Expr[][] = stmt.valuesLists.map((_, r) => columns.map((c) => c[r] as Expr));
  const ns = addRangeTableEntryForValues(pstate, rows, coltypes, coltypmods, null, false, true);
  pstate.joinlist.push({ type: 'RangeTblRef', rtindex: ns.rtindex });
  pstate.namespace.push(ns);
  const { names, vars } = expandNSItemVars(ns, 0, -1);
  q.targetList = vars.map((v, i) => makeTargetEntry(v, i + 1, names[i] as string, false));
  q.sortClause = transformSortClause(pstate, stmt.sortClause, q.targetList, 'EXPR_KIND_ORDER_BY', false);
  q.limitOffset = transformLimitClause(pstate, stmt.limitOffset, 'EXPR_KIND_OFFSET', 'OFFSET', stmt.limitOption);
  q.limitCount = transformLimitClause(pstate, stmt.limitCount, 'EXPR_KIND_LIMIT', 'LIMIT', stmt.limitOption);
  q.limitOption = stmt.limitOption === 'LIMIT_OPTION_WITH_TIES' ? 'LIMIT_OPTION_WITH_TIES' : 'LIMIT_OPTION_COUNT';
  if (stmt.lockingClause.length > 0) {
    parserError(pstate, '0A000', `${lcsAsString((stmt.lockingClause[0] as rawn.LockingClause).strength)} cannot be applied to VALUES`, -1);
  }
  finishQuery(pstate, q, null);
  return q;
}

/** select_common_typmod: the typmod all share, else -1. */
function commonTypmod(exprs: Expr[], t: number): number {
  let m: number | null = null;
  for (const e of exprs) {
    if (exprType(e) !== t) return -1;
    const tm = exprTypmod(e);
    if (m === null) m = tm;
    else if (m !== tm) return -1;
  }
  return m ?? -1;
}

// ---------------------------------------------------------------------------
// UNION / INTERSECT / EXCEPT.

function setopName(op: rawn.SetOperation): string {
  return op === 'SETOP_UNION' ? 'UNION' : op === 'SETOP_INTERSECT' ? 'INTERSECT' : 'EXCEPT';
}

function transformSetOperationStmt(pstate: ParseState, stmt: rawn.SelectStmt): Query {
  const q = makeQuery('CMD_SELECT');
  const inner: rawn.SelectStmt = { ...stmt, sortClause: [], limitOffset: null, limitCount: null, lockingClause: [], withClause: null };
  transformWith(pstate, q, stmt.withClause);
  if (stmt.lockingClause.length > 0) {
    parserError(pstate, '0A000', `${lcsAsString((stmt.lockingClause[0] as rawn.LockingClause).strength)} is not allowed with UNION/INTERSECT/EXCEPT`, -1);
  }
  const tree = transformSetOperationTree(pstate, inner, true);
  if (tree.node.type !== 'SetOperationStmt') throw new PgError('XX000', 'set operation expected');
  const sostmt = tree.node;
  q.setOperations = sostmt;
  let leftNode: SetOperationStmt | JoinTreeNode = sostmt.larg;
  while (leftNode.type === 'SetOperationStmt') leftNode = leftNode.larg;
  const leftRti = (leftNode as { rtindex: number }).rtindex;
  const leftQuery = pstate.rtable[leftRti - 1]?.subquery as Query;
  const leftTles = leftQuery.targetList.filter((t) => !t.resjunk);
  const targetnames: string[] = [];
  const targetvars: Expr[] = [];
  const nscols: ParseNamespaceColumn[] = [];
  sostmt.colTypes.forEach((t, i) => {
    const lt = leftTles[i] as TargetEntry;
    const tm = sostmt.colTypmods[i] ?? -1;
    const v = makeVar(leftRti, lt.resno, t, tm, 0, exprLocationPG(lt.expr));
    q.targetList.push(makeTargetEntry(v, i + 1, lt.resname, false));
    targetnames.push(lt.resname ?? '?column?');
    targetvars.push(v);
    nscols.push({ varno: leftRti, varattno: lt.resno, vartype: t, vartypmod: tm, dropped: false });
  });
  // ORDER BY sees the output columns through a throwaway join RTE (as PostgreSQL does).
  const svRtable = pstate.rtable.length;
  const jns = addRangeTableEntryForJoin(pstate, targetnames, nscols, 'JOIN_INNER', 0, targetvars, [], [], null, null, false);
  jns.relVisible = false;
  const svNamespace = pstate.namespace;
  pstate.namespace = [jns];
  const tllen = q.targetList.length;
  try {
    q.sortClause = transformSortClause(pstate, stmt.sortClause, q.targetList, 'EXPR_KIND_ORDER_BY', false);
  } finally {
    pstate.namespace = svNamespace;
    pstate.rtable.length = svRtable;
    pstate.joinexprs.length = svRtable;
  }
  if (q.targetList.length !== tllen) {
    parserError(pstate, '0A000', 'invalid UNION/INTERSECT/EXCEPT ORDER BY clause', exprLocationPG((q.targetList[tllen] as TargetEntry).expr), {
      detail: 'Only result column names can be used, not expressions or functions.',
      hint: 'Add the expression/function to every SELECT, or move the UNION into a FROM clause.',
    });
  }
  q.limitOffset = transformLimitClause(pstate, stmt.limitOffset, 'EXPR_KIND_OFFSET', 'OFFSET', stmt.limitOption);
  q.limitCount = transformLimitClause(pstate, stmt.limitCount, 'EXPR_KIND_LIMIT', 'LIMIT', stmt.limitOption);
  q.limitOption = stmt.limitOption === 'LIMIT_OPTION_WITH_TIES' ? 'LIMIT_OPTION_WITH_TIES' : 'LIMIT_OPTION_COUNT';
  finishQuery(pstate, q, null);
  q.jointree = makeFromExpr([], null);
  if (pstate.hasAggs) parseCheckAggregates(pstate, q);
  return q;
}

interface SetOpResult {
  node: SetOperationStmt | JoinTreeNode;
  /** The output columns: real target entries for a leaf, typed placeholders for a set operation. */
  tlist: { expr: Expr; tle: TargetEntry | null }[];
}

function transformSetOperationTree(pstate: ParseState, stmt: rawn.SelectStmt, isTopLevel: boolean, depth = 0): SetOpResult {
  if (depth > 1000) throw new PgError('54001', 'stack depth limit exceeded');
  if (stmt.lockingClause.length > 0) {
    parserError(pstate, '0A000', `${lcsAsString((stmt.lockingClause[0] as rawn.LockingClause).strength)} is not allowed with UNION/INTERSECT/EXCEPT`, -1);
  }
  const isLeaf = stmt.op === 'SETOP_NONE' || stmt.sortClause.length > 0 || stmt.limitCount !== null || stmt.limitOffset !== null || stmt.withClause !== null;
  if (isLeaf) {
    const sq = parseSubAnalyze(pstate, stmt, null, false);
    const name = `*SELECT* ${pstate.rtable.length + 1}`;
    const ns = addRangeTableEntryForSubquery(pstate, sq, { type: 'Alias', aliasname: name, colnames: [] }, false, false);
    return {
      node: { type: 'RangeTblRef', rtindex: ns.rtindex },
      tlist: sq.targetList.filter((t) => !t.resjunk).map((t) => ({ expr: t.expr, tle: t })),
    };
  }
  const context = setopName(stmt.op);
  const recursive = pstate.parentCte !== null && pstate.parentCte.cterecursive;
  const left = transformSetOperationTree(pstate, stmt.larg as rawn.SelectStmt, false, depth + 1);
  if (isTopLevel && recursive && pstate.parentCte !== null) {
    // determineRecursiveColTypes: the CTE's columns are the non-recursive term's.
    setCTEColumns(pstate, pstate.parentCte, left.tlist.map((c, i) => makeTargetEntry(c.expr, i + 1, c.tle?.resname ?? null, false)));
  }
  const right = transformSetOperationTree(pstate, stmt.rarg as rawn.SelectStmt, false, depth + 1);
  if (left.tlist.length !== right.tlist.length) {
    const loc = right.tlist.reduce((m, c) => {
      const l = exprLocationPG(c.expr);
      return l >= 0 && (m < 0 || l < m) ? l : m;
    }, -1);
    parserError(pstate, '42601', `each ${context} query must have the same number of columns`, loc);
  }
  const op: SetOperationStmt = {
    type: 'SetOperationStmt',
    op: stmt.op as SetOperationStmt['op'],
    all: stmt.all,
    larg: left.node,
    rarg: right.node,
    colTypes: [],
    colTypmods: [],
    groupClauses: [],
  };
  const out: SetOpResult['tlist'] = [];
  left.tlist.forEach((lc, i) => {
    const rc = right.tlist[i] as SetOpResult['tlist'][number];
    const t = commonType(pstate, [lc.expr, rc.expr], context);
    for (const c of [lc, rc]) {
      const ct = exprType(c.expr);
      if (ct === UNKNOWNOID && c.tle !== null && (c.expr.type === 'Const' || c.expr.type === 'Param')) {
        c.expr = coerceCommon(pstate, c.expr, t, context);
        c.tle.expr = c.expr;
      } else if (ct !== UNKNOWNOID && ct !== t) {
        coerceCommon(pstate, c.expr, t, context);
      }
    }
    const tm = exprType(lc.expr) === t && exprType(rc.expr) === t && exprTypmod(lc.expr) === exprTypmod(rc.expr) ? exprTypmod(lc.expr) : -1;
    op.colTypes.push(t);
    op.colTypmods.push(tm);
    const bestLoc = exprLocationPG(lc.expr) >= 0 ? exprLocationPG(lc.expr) : exprLocationPG(rc.expr);
    if (op.op !== 'SETOP_UNION' || !op.all) {
      const ops = (() => {
        try {
          return getSortGroupOperators(t, false, true, false, bestLoc);
        } catch (e) {
          throw withPosition(pstate, e, bestLoc);
        }
      })();
      if (recursive && !ops.hashable) {
        throw new PgError('0A000', 'could not implement recursive UNION', { detail: 'All column datatypes must be hashable.' });
      }
      const sgc: SortGroupClause = { type: 'SortGroupClause', tleSortGroupRef: 0, eqop: ops.eqOpr, sortop: ops.ltOpr, nulls_first: false, hashable: ops.hashable };
      op.groupClauses.push(sgc);
    }
    out.push({ expr: { type: 'SetToDefault', typeId: t, typeMod: tm, location: bestLoc }, tle: null });
  });
  return { node: op, tlist: out };
}

// ---------------------------------------------------------------------------
// Row locking.

function lcsAsString(s: rawn.LockingClause['strength']): string {
  switch (s) {
    case 'LCS_FORKEYSHARE': return 'FOR KEY SHARE';
    case 'LCS_FORSHARE': return 'FOR SHARE';
    case 'LCS_FORNOKEYUPDATE': return 'FOR NO KEY UPDATE';
    case 'LCS_FORUPDATE': return 'FOR UPDATE';
  }
}

function checkSelectLocking(pstate: ParseState, q: Query, strength: rawn.LockingClause['strength']): void {
  const s = lcsAsString(strength);
  if (q.setOperations !== null) parserError(pstate, '0A000', `${s} is not allowed with UNION/INTERSECT/EXCEPT`, -1);
  if (q.distinctClause.length > 0) parserError(pstate, '0A000', `${s} is not allowed with DISTINCT clause`, -1);
  if (q.groupClause.length > 0) parserError(pstate, '0A000', `${s} is not allowed with GROUP BY clause`, -1);
  if (q.havingQual !== null) parserError(pstate, '0A000', `${s} is not allowed with HAVING clause`, -1);
  if (q.hasAggs) parserError(pstate, '0A000', `${s} is not allowed with aggregate functions`, -1);
  if (q.hasWindowFuncs) parserError(pstate, '0A000', `${s} is not allowed with window functions`, -1);
  if (q.hasTargetSRFs) parserError(pstate, '0A000', `${s} is not allowed with set-returning functions in the target list`, -1);
}

function applyLockingClause(q: Query, rti: number, strength: RowMarkClause['strength'], waitPolicy: RowMarkClause['waitPolicy'], pushedDown: boolean): void {
  const existing = q.rowMarks.find((r) => r.rti === rti);
  if (existing !== undefined) {
    const rank = ['LCS_FORKEYSHARE', 'LCS_FORSHARE', 'LCS_FORNOKEYUPDATE', 'LCS_FORUPDATE'];
    if (rank.indexOf(strength) > rank.indexOf(existing.strength)) existing.strength = strength;
    const wrank = ['LockWaitBlock', 'LockWaitSkip', 'LockWaitError'];
    if (wrank.indexOf(waitPolicy) > wrank.indexOf(existing.waitPolicy)) existing.waitPolicy = waitPolicy;
    existing.pushedDown = existing.pushedDown && pushedDown;
    return;
  }
  // hasForUpdate means a locking clause written at this level: a subquery locked only from above may still be pulled up.
  if (!pushedDown) q.hasForUpdate = true;
  q.rowMarks.push({ type: 'RowMarkClause', rti, strength, waitPolicy, pushedDown });
}

function transformLockingClause(pstate: ParseState, q: Query, lc: rawn.LockingClause, pushedDown: boolean): void {
  checkSelectLocking(pstate, q, lc.strength);
  const s = lcsAsString(lc.strength);
  if (lc.lockedRels.length === 0) {
    q.rtable.forEach((rte, i) => {
      if (!rte.inFromCl) return;
      if (rte.rtekind === 'RTE_RELATION') applyLockingClause(q, i + 1, lc.strength, lc.waitPolicy, pushedDown);
      else if (rte.rtekind === 'RTE_SUBQUERY' && rte.subquery !== null) {
        applyLockingClause(q, i + 1, lc.strength, lc.waitPolicy, pushedDown);
        pushLockingDown(pstate, rte.subquery, lc);
      }
    });
    return;
  }
  for (const rv of lc.lockedRels) {
    if (rv.schemaname !== null) parserError(pstate, '42601', `${s} must specify unqualified relation names`, rv.location);
    let found = false;
    q.rtable.forEach((rte, i) => {
      if (found || !rte.inFromCl || rte.eref.aliasname !== rv.relname) return;
      if (rte.rtekind === 'RTE_JOIN' && rte.alias === null) return;
      found = true;
      switch (rte.rtekind) {
        case 'RTE_RELATION':
          applyLockingClause(q, i + 1, lc.strength, lc.waitPolicy, pushedDown);
          break;
        case 'RTE_SUBQUERY':
          applyLockingClause(q, i + 1, lc.strength, lc.waitPolicy, pushedDown);
          if (rte.subquery !== null) pushLockingDown(pstate, rte.subquery, { ...lc, lockedRels: [] });
          break;
        case 'RTE_JOIN':
          parserError(pstate, '0A000', `${s} cannot be applied to a join`, rv.location);
          break;
        case 'RTE_FUNCTION':
          parserError(pstate, '0A000', `${s} cannot be applied to a function`, rv.location);
          break;
        case 'RTE_VALUES':
          parserError(pstate, '0A000', `${s} cannot be applied to VALUES`, rv.location);
          break;
        case 'RTE_CTE':
          parserError(pstate, '0A000', `${s} cannot be applied to a WITH query`, rv.location);
          break;
        default:
          parserError(pstate, '0A000', `${s} cannot be applied to this relation`, rv.location);
      }
    });
    if (!found) parserError(pstate, '42P01', `relation "${rv.relname}" in ${s} clause not found in FROM clause`, rv.location);
  }
}

function pushLockingDown(pstate: ParseState, sub: Query, lc: rawn.LockingClause): void {
  if (sub.setOperations !== null) return;
  transformLockingClause(pstate, sub, { ...lc, lockedRels: [] }, true);
}

// ---------------------------------------------------------------------------
// INSERT / UPDATE / DELETE.

/** setTargetTable: the DML target, first in the range table; visible by name for UPDATE/DELETE. */
function setTargetTable(pstate: ParseState, rv: raw.RangeVar, addToNamespace: boolean): ParseNamespaceItem {
  const rel = parserOpenTable(pstate, rv, 'RowExclusiveLock');
  const ns = addRangeTableEntryForRelation(pstate, rel, rv.alias, rv.inh, false, 'RowExclusiveLock', rv.location);
  pstate.targetRelation = rel;
  pstate.targetRtindex = ns.rtindex;
  if (addToNamespace) {
    pstate.joinlist.push({ type: 'RangeTblRef', rtindex: ns.rtindex });
    pstate.namespace.push(ns);
  }
  return ns;
}

function transformReturningList(pstate: ParseState, list: raw.ResTarget[]): TargetEntry[] {
  if (list.length === 0) return [];
  const tl = transformTargetList(pstate, list, 'EXPR_KIND_RETURNING');
  if (tl.length === 0) parserError(pstate, '42601', 'RETURNING must have at least one column', list[0]?.location ?? -1);
  resolveTargetListUnknowns(pstate, tl);
  markTargetListOrigins(pstate, tl);
  return tl;
}

function rowexprColumns(e: Expr): number {
  return e.type === 'RowExpr' ? e.args.length : -1;
}

/** transformInsertRow: arity checks, then each value coerced to its column. */
function transformInsertRow(pstate: ParseState, exprs: Expr[], stmtcols: raw.ResTarget[], icolumns: raw.ResTarget[], attnos: number[]): Expr[] {
  const rel = pstate.targetRelation as NonNullable<ParseState['targetRelation']>;
  if (exprs.length > icolumns.length) {
    parserError(pstate, '42601', 'INSERT has more expressions than target columns', exprLocationPG(exprs[icolumns.length] as Expr));
  }
  if (stmtcols.length > 0 && exprs.length < icolumns.length) {
    const hint = exprs.length === 1 && rowexprColumns(exprs[0] as Expr) === icolumns.length
      ? { hint: 'The insertion source is a row expression containing the same number of columns expected by the INSERT. Did you accidentally use extra parentheses?' }
      : {};
    parserError(pstate, '42601', 'INSERT has more target columns than expressions', (icolumns[exprs.length] as raw.ResTarget).location, hint);
  }
  return exprs.map((e, i) => {
    const col = icolumns[i] as raw.ResTarget;
    return transformAssignedExpr(pstate, rel, e, 'EXPR_KIND_INSERT_TARGET', col.name as string, attnos[i] as number, col.indirection, col.location);
  });
}

function transformInsertStmt(pstate: ParseState, stmt: rawn.InsertStmt): Query {
  const q = makeQuery('CMD_INSERT');
  pstate.isInsert = true;
  transformWith(pstate, q, stmt.withClause);
  const sel = stmt.selectStmt;
  const isGeneralSelect = sel !== null && (sel.valuesLists.length === 0 || sel.sortClause.length > 0 || sel.limitCount !== null || sel.limitOffset !== null || sel.lockingClause.length > 0 || sel.withClause !== null);
  const targetNs = setTargetTable(pstate, stmt.relation, false);
  const rel = pstate.targetRelation as NonNullable<ParseState['targetRelation']>;
  q.resultRelation = targetNs.rtindex;
  const { cols: icolumns, attnos } = checkInsertTargets(pstate, rel, stmt.cols);
  if (stmt.override !== 'OVERRIDING_NOT_SET') q.override = stmt.override;

  let exprList: Expr[] = [];
  if (sel === null) {
    exprList = [];
  } else if (isGeneralSelect) {
    const sub = pstate.child();
    // The source SELECT must not see the target; it is a separate level whose parent is ours (for outer CTEs).
    sub.resolveUnknowns = false;
    const sq = transformStmt(sub, sel);
    const ns = addRangeTableEntryForSubquery(pstate, sq, { type: 'Alias', aliasname: '*SELECT*', colnames: [] }, false, false);
    pstate.joinlist.push({ type: 'RangeTblRef', rtindex: ns.rtindex });
    for (const tle of sq.targetList) {
      if (tle.resjunk) continue;
      if ((tle.expr.type === 'Const' || tle.expr.type === 'Param') && exprType(tle.expr) === UNKNOWNOID) exprList.push(tle.expr);
      else exprList.push(makeVar(ns.rtindex, tle.resno, exprType(tle.expr), exprTypmod(tle.expr), 0, exprLocationPG(tle.expr)));
    }
    exprList = transformInsertRow(pstate, exprList, stmt.cols, icolumns, attnos);
  } else if (sel.valuesLists.length > 1) {
    const rows: Expr[][] = [];
    let width = -1;
    for (const row of sel.valuesLists) {
      let sublist = transformExpressionList(pstate, row, 'EXPR_KIND_VALUES', true);
      if (width < 0) width = sublist.length;
      else if (sublist.length !== width) {
        parserError(pstate, '42601', 'VALUES lists must all be the same length', sublist.length > 0 ? exprLocationPG(sublist[0] as Expr) : -1);
      }
      sublist = transformInsertRow(pstate, sublist, stmt.cols, icolumns, attnos);
      rows.push(sublist);
    }
    const first = rows[0] as Expr[];
    const coltypes = first.map((e) => exprType(e));
    const coltypmods = first.map((e) => exprTypmod(e));
    const ns = addRangeTableEntryForValues(pstate, rows, coltypes, coltypmods, null, false, true);
    pstate.joinlist.push({ type: 'RangeTblRef', rtindex: ns.rtindex });
    exprList = coltypes.map((t, i) => makeVar(ns.rtindex, i + 1, t, coltypmods[i] as number, 0, -1));
  } else {
    const row = sel.valuesLists[0] as raw.Node[];
    exprList = transformExpressionList(pstate, row, 'EXPR_KIND_VALUES_SINGLE', true);
    exprList = transformInsertRow(pstate, exprList, stmt.cols, icolumns, attnos);
  }
  q.targetList = exprList.map((e, i) => makeTargetEntry(e, attnos[i] as number, (icolumns[i] as raw.ResTarget).name, false));

  if (stmt.onConflictClause !== null || stmt.returningList.length > 0) {
    pstate.namespace = [targetNs];
  }
  let noArbiter = false;
  if (stmt.onConflictClause !== null) {
    const oc = transformOnConflictClause(pstate, stmt.onConflictClause);
    q.onConflict = oc.onConflict;
    noArbiter = oc.noArbiter;
  }
  q.returningList = transformReturningList(pstate, stmt.returningList);
  finishQuery(pstate, q, null);
  if (pstate.hasAggs) parseCheckAggregates(pstate, q);
  if (noArbiter) {
    throw new PgError('42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
  }
  return q;
}

/** ON CONFLICT; `noArbiter` when the target matched no unique index (reported after the rest of the INSERT, as the planner does). */
function transformOnConflictClause(pstate: ParseState, clause: rawn.OnConflictClause): { onConflict: OnConflictExpr; noArbiter: boolean } {
  const rel = pstate.targetRelation as NonNullable<ParseState['targetRelation']>;
  const arbiterIndexes = transformOnConflictArbiter(pstate, rel, clause);
  const result: OnConflictExpr = { type: 'OnConflictExpr', action: clause.action, arbiterIndexes: arbiterIndexes ?? [], onConflictSet: [], onConflictWhere: null, exclRelIndex: 0 };
  if (clause.action === 'ONCONFLICT_UPDATE') {
    pstate.isInsert = false;
    const excl = addRangeTableEntryForRelation(pstate, rel, { type: 'Alias', aliasname: 'excluded', colnames: [] }, false, false, 'RowExclusiveLock');
    excl.rte.relkind = 'c';
    result.exclRelIndex = excl.rtindex;
    pstate.namespace.push(excl);
    result.onConflictSet = transformUpdateTargetList(pstate, clause.targetList);
    result.onConflictWhere = transformWhereClause(pstate, clause.whereClause, 'EXPR_KIND_WHERE', 'WHERE');
    pstate.namespace.pop();
  }
  return { onConflict: result, noArbiter: arbiterIndexes === null };
}

function transformUpdateStmt(pstate: ParseState, stmt: rawn.UpdateStmt): Query {
  const q = makeQuery('CMD_UPDATE');
  transformWith(pstate, q, stmt.withClause);
  const ns = setTargetTable(pstate, stmt.relation, true);
  q.resultRelation = ns.rtindex;
  ns.lateralOnly = true;
  ns.lateralOk = false;
  transformFromClause(pstate, stmt.fromClause);
  ns.lateralOnly = false;
  ns.lateralOk = true;
  const qual = transformWhereClause(pstate, stmt.whereClause, 'EXPR_KIND_WHERE', 'WHERE');
  q.returningList = transformReturningList(pstate, stmt.returningList);
  q.targetList = transformUpdateTargetList(pstate, stmt.targetList);
  finishQuery(pstate, q, qual);
  if (pstate.hasAggs) parseCheckAggregates(pstate, q);
  return q;
}

/** SET col = expr, (a, b) = (x, y), col = DEFAULT: entries with resno = attnum (transformUpdateTargetList). */
function transformUpdateTargetList(pstate: ParseState, origTlist: raw.ResTarget[]): TargetEntry[] {
  const rel = pstate.targetRelation as NonNullable<ParseState['targetRelation']>;
  const out: TargetEntry[] = [];
  const multi = new Map<raw.Node, Expr[]>();
  for (const res of origTlist) {
    let expr: Expr;
    const val = res.val as raw.Node;
    const saved = pstate.exprKind;
    pstate.exprKind = 'EXPR_KIND_UPDATE_SOURCE';
    try {
      if (val.type === 'MultiAssignRef') {
        const src = val.source;
        if (src.type === 'SubLink' && src.subLinkType === 'EXPR_SUBLINK') {
          const sel = src.subselect;
          const simple = sel.op === 'SETOP_NONE' && sel.valuesLists.length === 0 && sel.targetList.every((t) => t.val === null || t.val.type !== 'ColumnRef' || typeof t.val.fields[t.val.fields.length - 1] === 'string');
          if (simple && sel.targetList.length !== val.ncolumns) parserError(pstate, '42601', 'number of columns does not match number of values', src.location);
          parserError(pstate, '0A000', 'multiple-column UPDATE from a sub-SELECT is not supported', src.location);
        }
        if (src.type !== 'RowExpr') {
          parserError(pstate, '0A000', 'source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression', exprLocationRaw(src));
        }
        let args = multi.get(src);
        if (args === undefined) {
          args = transformExpressionList(pstate, src.args, 'EXPR_KIND_UPDATE_SOURCE', true);
          if (args.length !== val.ncolumns) parserError(pstate, '42601', 'number of columns does not match number of values', src.location);
          multi.set(src, args);
        }
        expr = args[val.colno - 1] as Expr;
      } else if (val.type === 'SetToDefault') {
        expr = { type: 'SetToDefault', typeId: 0, typeMod: -1, location: val.location };
      } else {
        expr = transformExpr(pstate, val, 'EXPR_KIND_UPDATE_SOURCE');
      }
    } finally {
      pstate.exprKind = saved;
    }
    const name = res.name as string;
    const attr = rel.attrs.find((a) => !a.attisdropped && a.attname === name);
    if (attr === undefined) {
      const hint = res.indirection.length > 0 && name === (pstate.rtable[pstate.targetRtindex - 1]?.eref.aliasname ?? '')
        ? { hint: 'SET target columns cannot be qualified with the relation name.' }
        : {};
      parserError(pstate, '42703', `column "${name}" of relation "${rel.relname}" does not exist`, res.location, hint);
    }
    const v = transformAssignedExpr(pstate, rel, expr, 'EXPR_KIND_UPDATE_TARGET', name, attr.attnum, res.indirection, res.location);
    out.push(makeTargetEntry(v, attr.attnum, name, false));
  }
  return out;
}

function exprLocationRaw(n: raw.Node): number {
  return 'location' in n && typeof n.location === 'number' ? n.location : -1;
}

function transformDeleteStmt(pstate: ParseState, stmt: rawn.DeleteStmt): Query {
  const q = makeQuery('CMD_DELETE');
  transformWith(pstate, q, stmt.withClause);
  const ns = setTargetTable(pstate, stmt.relation, true);
  q.resultRelation = ns.rtindex;
  ns.lateralOnly = true;
  ns.lateralOk = false;
  transformFromClause(pstate, stmt.usingClause);
  ns.lateralOnly = false;
  ns.lateralOk = true;
  const qual = transformWhereClause(pstate, stmt.whereClause, 'EXPR_KIND_WHERE', 'WHERE');
  q.returningList = transformReturningList(pstate, stmt.returningList);
  finishQuery(pstate, q, qual);
  if (pstate.hasAggs) parseCheckAggregates(pstate, q);
  return q;
}

// ---------------------------------------------------------------------------
// DDL expressions.

/**
 * A column DEFAULT, CHECK constraint or GENERATED expression over a table's
 * columns (varno 1), as cookDefault / cookConstraint do: no subqueries,
 * aggregates, window functions or set-returning functions; DEFAULT and
 * GENERATED may not reference columns / generated columns respectively; a
 * DEFAULT or GENERATED value is coerced (assignment) to the column type.
 */
export function transformExprForDDL(
  ctx: AnalyzeContext,
  columns: { attname: string; atttypid: number; atttypmod: number }[],
  rawExpr: raw.Node,
  kind: 'DEFAULT' | 'CHECK' | 'GENERATED',
  targetType?: number,
  targetTypmod?: number,
): Expr {
  const pstate = new ParseState(null, ctx);
  const exprKind: ParseExprKind = kind === 'DEFAULT' ? 'EXPR_KIND_COLUMN_DEFAULT' : kind === 'CHECK' ? 'EXPR_KIND_CHECK_CONSTRAINT' : 'EXPR_KIND_GENERATED_COLUMN';
  if (kind !== 'DEFAULT') {
    // The table's columns, visible as Vars of range-table entry 1.
    const rte = addRangeTableEntryForValuesLike(pstate, columns);
    pstate.namespace.push(rte);
  }
  let e = transformExpr(pstate, rawExpr, exprKind);
  if (kind === 'DEFAULT') {
    if (walkExpr(e, (n) => n.type === 'Var')) {
      parserError(pstate, '0A000', 'cannot use column reference in DEFAULT expression', exprLocationPG(e));
    }
  }
  if (kind === 'CHECK') {
    e = coerceBoolForDDL(pstate, e);
  }
  if (pstate.hasAggs) {
    const msg = kind === 'DEFAULT' ? 'aggregate functions are not allowed in DEFAULT expressions' : kind === 'CHECK' ? 'aggregate functions are not allowed in check constraints' : 'aggregate functions are not allowed in column generation expressions';
    throw new PgError('42803', msg);
  }
  if ((kind === 'DEFAULT' || kind === 'GENERATED') && targetType !== undefined) {
    const t = exprType(e);
    const r = coerceExprTo(pstate, e, targetType, targetTypmod ?? -1, 'COERCION_ASSIGNMENT', 'COERCE_IMPLICIT_CAST', -1);
    if (r === null) {
      const what = kind === 'DEFAULT' ? 'default for column' : 'generation expression for column';
      throw new PgError('42804', `column "${columnNameFor(columns, targetType)}" is of type ${formatTypeWithTypmod(targetType, -1)} but ${what.startsWith('default') ? 'default expression' : 'generation expression'} is of type ${formatTypeWithTypmod(t, -1)}`, {
        hint: 'You will need to rewrite or cast the expression.',
      });
    }
    e = r;
  }
  return e;
}

function columnNameFor(columns: { attname: string; atttypid: number }[], t: number): string {
  return columns.find((c) => c.atttypid === t)?.attname ?? '?';
}

function coerceBoolForDDL(pstate: ParseState, e: Expr): Expr {
  const t = exprType(e);
  if (t === 16) return e;
  const r = coerceExprTo(pstate, e, 16, -1, 'COERCION_ASSIGNMENT', 'COERCE_IMPLICIT_CAST', -1);
  if (r === null) parserError(pstate, '42804', `argument of CHECK constraint must be type boolean, not type ${formatTypeWithTypmod(t, -1)}`, exprLocationPG(e));
  return r;
}

/** A pseudo range-table entry exposing a table's columns as Vars of varno 1 (for CHECK / GENERATED). */
function addRangeTableEntryForValuesLike(pstate: ParseState, columns: { attname: string; atttypid: number; atttypmod: number }[]): ParseNamespaceItem {
  const ns = addRangeTableEntryForValues(pstate, [], columns.map((c) => c.atttypid), columns.map((c) => c.atttypmod), null, false, true);
  ns.rte.eref.colnames = columns.map((c) => c.attname);
  ns.names = ns.rte.eref;
  ns.relVisible = false;
  return ns;
}
