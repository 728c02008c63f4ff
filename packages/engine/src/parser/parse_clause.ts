/*
 * parse_clause.ts — FROM, WHERE, GROUP BY, ORDER BY, DISTINCT, LIMIT,
 * WINDOW and ON CONFLICT (PostgreSQL's parse_clause.c).
 *
 * Exports:
 *   transformFromClause       FROM items into the range table, join tree and namespace
 *   transformWhereClause      WHERE / HAVING / JOIN ON / FILTER: boolean expressions
 *   transformLimitClause      LIMIT / OFFSET: int8, no variables
 *   transformSortClause       ORDER BY (SQL92 names and positions, else SQL99 expressions)
 *   transformGroupClause      GROUP BY (input columns win over output names)
 *   transformDistinctClause / transformDistinctOnClause
 *   transformWindowDefinitions  WindowClauses for OVER (...) and WINDOW w AS (...)
 *   transformOnConflictArbiter  ON CONFLICT's target, inferred against unique indexes
 *   addTargetToSortList / addTargetToGroupList / assignSortGroupRef
 *
 * FROM visibility follows parse_clause.c: while a FROM list is analyzed, the
 * items already added are lateralOnly (seen only by LATERAL items and
 * functions); an unaliased JOIN hides its inputs' columns from unqualified
 * reference but keeps their names for `t.col`; an aliased JOIN hides them.
 */

import type { IndexInfo, RelationInfo } from '../utils/rel.ts';
import type { LockMode, RangeTblFunction, WindowClause } from '../nodes/parsenodes.ts';
import type { Expr, JoinExpr, JoinTreeNode, SortGroupClause, TargetEntry, Var } from '../nodes/primnodes.ts';
import type * as raw from './primnodes.ts';
import type { ColumnDef, InferClause, OnConflictClause } from './nodes.ts';
import { exprType, exprTypmod } from '../nodes/nodeFuncs.ts';
import { FRAMEOPTION, FRAMEOPTION_DEFAULTS } from './primnodes.ts';
import { PgError } from '../utils/errors.ts';
import { getSortGroupOperators } from './parse_oper.ts';
import { lookupFunctionByOid, operatorsByName } from '../utils/fmgr/fmgrtab.ts';
import { formatTypeWithTypmod } from './parse_type.ts';
import { inRangeOffsetTypes } from '../utils/adt/inrange.ts';
import { canCoerceType } from './parse_coerce.ts';
import { exprEqual, makeVar, parserError, parseExprKindName, type ParseExprKind, type ParseNamespaceColumn, type ParseNamespaceItem, type ParseState } from './parse_node.ts';
import {
  addRangeTableEntryForCTE,
  addRangeTableEntryForFunction,
  addRangeTableEntryForJoin,
  addRangeTableEntryForRelation,
  addRangeTableEntryForSubquery,
  colNameToVar,
} from './parse_relation.ts';
import {
  coerceBool, coerceCommon, coerceExprTo, commonType, exprLocationPG, INT8OID, RECORDOID, TEXTOID,
  transformExpr, UNKNOWNOID, walkExpr, withPosition, makeOpExpr,
} from './parse_expr.ts';
import { transformTargetEntry } from './parse_target.ts';
import { parseSubAnalyze } from './analyze.ts';
import { isFutureCTE, isSelfReference, scanNameSpaceForCTE } from './parse_cte.ts';
import { rangeVarGetRelidLocked } from '../storage/lmgr/rangevar.ts';

// ---------------------------------------------------------------------------
// FROM.

/** transformFromClause: every FROM item joins the join list and namespace. */
export function transformFromClause(pstate: ParseState, frmList: raw.Node[]): void {
  for (const n of frmList) {
    const { node, namespace } = transformFromClauseItem(pstate, n);
    checkNameSpaceConflicts(pstate, pstate.namespace, namespace);
    for (const ns of namespace) {
      ns.lateralOnly = true;
      ns.lateralOk = true;
    }
    pstate.joinlist.push(node);
    pstate.namespace.push(...namespace);
  }
  for (const ns of pstate.namespace) {
    ns.lateralOnly = false;
    ns.lateralOk = true;
  }
}

/** 42712 when two FROM items at one level have the same name (unaliased different tables may share one). */
export function checkNameSpaceConflicts(pstate: ParseState, ns1: ParseNamespaceItem[], ns2: ParseNamespaceItem[]): void {
  for (const a of ns1) {
    if (!a.relVisible) continue;
    for (const b of ns2) {
      if (!b.relVisible) continue;
      if (a.names.aliasname !== b.names.aliasname) continue;
      if (a.rte.rtekind === 'RTE_RELATION' && a.rte.alias === null && b.rte.rtekind === 'RTE_RELATION' && b.rte.alias === null && a.rte.relid !== b.rte.relid) continue;
      throw new PgError('42712', `table name "${a.names.aliasname}" specified more than once`);
    }
  }
}

interface FromItemResult {
  node: JoinTreeNode;
  top: ParseNamespaceItem;
  namespace: ParseNamespaceItem[];
}

function lockModeFor(pstate: ParseState, refname: string): LockMode {
  for (const lc of pstate.lockingClause) {
    if (lc.lockedRels.length === 0) return 'RowShareLock';
    if (lc.lockedRels.some((r) => r.relname === refname)) return 'RowShareLock';
  }
  return 'AccessShareLock';
}

/**
 * Open a table by name for FROM / DML, with PostgreSQL's 42P01 and its WITH
 * hint, locked in `lockmode` for the rest of the transaction (AccessShare
 * for reading, RowShare for FOR UPDATE/SHARE, RowExclusive for a DML
 * target) before its catalog entry is read (storage/lmgr/rangevar.ts).
 */
export function parserOpenTable(pstate: ParseState, rv: raw.RangeVar, lockmode: LockMode): RelationInfo {
  let oid: number | null;
  try {
    oid = rangeVarGetRelidLocked(pstate.catalog, rv.schemaname, rv.relname, lockmode, { missingOk: true, location: rv.location });
  } catch (e) {
    // pcb_error_callback: a cancel (or terminate) during the lock wait carries no position.
    if (e instanceof PgError && (e.code === '57014' || e.severity === 'FATAL')) throw e;
    throw withPosition(pstate, e, rv.location);
  }
  if (oid === null) {
    if (rv.schemaname !== null) {
      parserError(pstate, '42P01', `relation "${rv.schemaname}.${rv.relname}" does not exist`, rv.location);
    }
    if (isFutureCTE(pstate, rv.relname)) {
      parserError(pstate, '42P01', `relation "${rv.relname}" does not exist`, rv.location, {
        detail: `There is a WITH item named "${rv.relname}", but it cannot be referenced from this part of the query.`,
        hint: 'Use WITH RECURSIVE, or re-order the WITH items to remove forward references.',
      });
    }
    parserError(pstate, '42P01', `relation "${rv.relname}" does not exist`, rv.location);
  }
  return pstate.catalog.getRelation(oid);
}

function single(ns: ParseNamespaceItem): FromItemResult {
  return { node: { type: 'RangeTblRef', rtindex: ns.rtindex }, top: ns, namespace: [ns] };
}

function transformFromClauseItem(pstate: ParseState, n: raw.Node): FromItemResult {
  switch (n.type) {
    case 'RangeVar': {
      if (n.schemaname === null) {
        const cte = scanNameSpaceForCTE(pstate, n.relname);
        if (cte !== null) {
          const ns = addRangeTableEntryForCTE(pstate, cte.cte, cte.levelsup, n, true);
          ns.rte.self_reference = isSelfReference(cte.cte);
          return single(ns);
        }
      }
      const refname = n.alias?.aliasname ?? n.relname;
      const lockmode = lockModeFor(pstate, refname);
      const rel = parserOpenTable(pstate, n, lockmode);
      return single(addRangeTableEntryForRelation(pstate, rel, n.alias, n.inh, true, lockmode, n.location));
    }
    case 'RangeSubselect':
      return single(transformRangeSubselect(pstate, n));
    case 'RangeFunction':
      return single(transformRangeFunction(pstate, n));
    case 'JoinExpr':
      return transformJoin(pstate, n);
    default:
      throw new PgError('XX000', `unrecognized FROM item: ${n.type}`);
  }
}

function transformRangeSubselect(pstate: ParseState, r: raw.RangeSubselect): ParseNamespaceItem {
  pstate.exprKind = 'EXPR_KIND_FROM_SUBSELECT';
  pstate.lateralActive = r.lateral;
  let q;
  try {
    q = parseSubAnalyze(pstate, r.subquery);
  } finally {
    pstate.lateralActive = false;
    pstate.exprKind = 'EXPR_KIND_NONE';
  }
  return addRangeTableEntryForSubquery(pstate, q, r.alias, r.lateral, true);
}

/** The output columns of a function in FROM: its OUT columns, or one column named after it. */
function functionColumns(pstate: ParseState, funcexpr: Expr, name: string, location: number): { names: string[]; types: number[]; typmods: number[] } {
  const t = exprType(funcexpr);
  if (funcexpr.type === 'FuncExpr' && t === RECORDOID) {
    const f = lookupFunctionByOid(funcexpr.funcid);
    const modes = f.proargmodes;
    const all = f.proallargtypes;
    if (modes !== undefined && all !== undefined) {
      const names: string[] = [];
      const types: number[] = [];
      modes.forEach((m, i) => {
        if (m === 'o' || m === 't' || m === 'b') {
          names.push(f.proargnames?.[i] ?? `column${names.length + 1}`);
          types.push(all[i] as number);
        }
      });
      if (names.length > 0) return { names, types, typmods: types.map(() => -1) };
    }
    parserError(pstate, '42601', 'a column definition list is required for functions returning "record"', location);
  }
  // A function with one named OUT parameter names its column after it (chooseScalarFunctionAlias).
  if (funcexpr.type === 'FuncExpr') {
    const f = lookupFunctionByOid(funcexpr.funcid);
    const outs = (f.proargmodes ?? []).map((m, i) => (m === 'o' || m === 't' || m === 'b' ? f.proargnames?.[i] ?? '' : null)).filter((n) => n !== null);
    if (outs.length === 1 && outs[0] !== '') return { names: [outs[0] as string], types: [t], typmods: [exprTypmod(funcexpr)] };
  }
  return { names: [name], types: [t], typmods: [exprTypmod(funcexpr)] };
}

function transformRangeFunction(pstate: ParseState, r: raw.RangeFunction): ParseNamespaceItem {
  if (r.is_rowsfrom || r.functions.length !== 1) parserError(pstate, '0A000', 'ROWS FROM() is not supported', -1);
  if (r.coldeflist.length > 0) parserError(pstate, '0A000', 'column definition lists are not supported', r.coldeflist[0]?.location ?? -1);
  const [call, coldefs] = r.functions[0] as [raw.Node, ColumnDef[]];
  if (coldefs.length > 0) parserError(pstate, '0A000', 'column definition lists are not supported', coldefs[0]?.location ?? -1);
  // Functions in FROM see earlier FROM items whether or not LATERAL is written (SQL requires it for UNNEST).
  pstate.lateralActive = true;
  const savedSrf = pstate.hasTargetSRFs;
  let funcexpr: Expr;
  try {
    funcexpr = transformExpr(pstate, call, 'EXPR_KIND_FROM_FUNCTION');
  } finally {
    pstate.lateralActive = false;
  }
  pstate.hasTargetSRFs = savedSrf;
  // A set-returning function below the top of the call is not allowed.
  walkExpr(funcexpr, (e) => {
    if (e !== funcexpr && e.type === 'FuncExpr' && e.funcretset) {
      parserError(pstate, '0A000', 'set-returning functions must appear at top level of FROM', e.location);
    }
    return false;
  });
  if (exprContainsAggs(funcexpr)) {
    parserError(pstate, '42803', 'aggregate functions are not allowed in functions in FROM', exprLocationPG(funcexpr));
  }
  const loc = 'location' in call ? (call as { location: number }).location : -1;
  const name = call.type === 'FuncCall' ? (call.funcname[call.funcname.length - 1] as string) : 'unnamed_function';
  const cols = functionColumns(pstate, funcexpr, name, loc);
  const rtf: RangeTblFunction = {
    type: 'RangeTblFunction',
    funcexpr,
    funccolcount: cols.names.length,
    funccolnames: cols.names,
    funccoltypes: cols.types,
    funccoltypmods: cols.typmods,
  };
  return addRangeTableEntryForFunction(pstate, [name], [rtf], r.alias, r.lateral, r.ordinality, loc);
}

function exprContainsAggs(e: Expr): boolean {
  return walkExpr(e, (n) => n.type === 'Aggref' && n.agglevelsup === 0);
}

function setLateral(namespace: ParseNamespaceItem[], lateralOnly: boolean, lateralOk: boolean): void {
  for (const ns of namespace) {
    ns.lateralOnly = lateralOnly;
    ns.lateralOk = lateralOk;
  }
}

function nsColumnVar(c: ParseNamespaceColumn): Var {
  return makeVar(c.varno, c.varattno, c.vartype, c.vartypmod, 0, -1);
}

/** A JOIN: both sides, USING / NATURAL merged columns, ON quals, and the join's RTE. */
function transformJoin(pstate: ParseState, j: raw.JoinExpr): FromItemResult {
  const left = transformFromClauseItem(pstate, j.larg);
  const lateralOk = j.jointype === 'JOIN_INNER' || j.jointype === 'JOIN_LEFT';
  setLateral(left.namespace, true, lateralOk);
  const savedLen = pstate.namespace.length;
  pstate.namespace.push(...left.namespace);
  const right = transformFromClauseItem(pstate, j.rarg);
  pstate.namespace.length = savedLen;
  checkNameSpaceConflicts(pstate, left.namespace, right.namespace);
  const myNamespace = [...left.namespace, ...right.namespace];

  const lnames = left.top.names.colnames;
  const rnames = right.top.names.colnames;
  const lcols = left.top.nscolumns;
  const rcols = right.top.nscolumns;

  let usingClause = j.usingClause;
  if (j.isNatural) {
    usingClause = [];
    for (const l of lnames) {
      if (l === '') continue;
      if (rnames.includes(l) && !usingClause.includes(l)) usingClause.push(l);
    }
  }

  const resNames: string[] = [];
  const resVars: Expr[] = [];
  const resNs: ParseNamespaceColumn[] = [];
  const lcolnos: number[] = [];
  const rcolnos: number[] = [];
  let quals: Expr | null = null;
  const pendingMerged: { l: Var; r: Var; li: number; ri: number }[] = [];

  if (usingClause.length > 0) {
    const lvars: Var[] = [];
    const rvars: Var[] = [];
    for (const u of usingClause) {
      if (resNames.includes(u)) throw new PgError('42701', `column name "${u}" appears more than once in USING clause`);
      let li = -1;
      lnames.forEach((n, i) => {
        if (n === u) {
          if (li >= 0) throw new PgError('42702', `common column name "${u}" appears more than once in left table`);
          li = i;
        }
      });
      if (li < 0) throw new PgError('42703', `column "${u}" specified in USING clause does not exist in left table`);
      let ri = -1;
      rnames.forEach((n, i) => {
        if (n === u) {
          if (ri >= 0) throw new PgError('42702', `common column name "${u}" appears more than once in right table`);
          ri = i;
        }
      });
      if (ri < 0) throw new PgError('42703', `column "${u}" specified in USING clause does not exist in right table`);
      lcolnos.push(li + 1);
      rcolnos.push(ri + 1);
      const lv = nsColumnVar(lcols[li] as ParseNamespaceColumn);
      const rv = nsColumnVar(rcols[ri] as ParseNamespaceColumn);
      lvars.push(lv);
      rvars.push(rv);
      resNames.push(u);
      pendingMerged.push({ l: lv, r: rv, li, ri });
    }
    // The generated ON condition: l.u = r.u AND ...
    const savedKind = pstate.exprKind;
    pstate.exprKind = 'EXPR_KIND_JOIN_USING';
    try {
      const eqs = lvars.map((lv, i) => coerceBool(pstate, makeOpExpr(pstate, ['='], lv, rvars[i] as Var, -1), 'JOIN/USING'));
      quals = eqs.length === 1 ? (eqs[0] as Expr) : { type: 'BoolExpr', boolop: 'AND_EXPR', args: eqs, location: -1 };
    } finally {
      pstate.exprKind = savedKind;
    }
  } else if (j.quals !== null) {
    setLateral(myNamespace, false, true);
    const saved = pstate.namespace;
    pstate.namespace = myNamespace;
    try {
      quals = transformWhereClause(pstate, j.quals, 'EXPR_KIND_JOIN_ON', 'JOIN/ON');
    } finally {
      pstate.namespace = saved;
    }
  }

  // The join's RTE will be the next one; merged columns that need it refer to it.
  const rtindex = pstate.rtable.length + 1;
  pendingMerged.forEach((m, k) => {
    const merged = buildMergedJoinVar(pstate, j.jointype, m.l, m.r);
    resVars.push(merged);
    if (merged === m.l) resNs.push(lcols[m.li] as ParseNamespaceColumn);
    else if (merged === m.r) resNs.push(rcols[m.ri] as ParseNamespaceColumn);
    else resNs.push({ varno: rtindex, varattno: k + 1, vartype: exprType(merged), vartypmod: exprTypmod(merged), dropped: false });
  });
  // Remaining columns of each side, in order (extractRemainingColumns).
  const remaining = (names: string[], cols: ParseNamespaceColumn[], used: number[]): void => {
    names.forEach((n, i) => {
      if (n === '' || used.includes(i + 1)) return;
      const c = cols[i] as ParseNamespaceColumn;
      if (c.dropped) return;
      used.push(i + 1);
      resNames.push(n);
      resVars.push(nsColumnVar(c));
      resNs.push(c);
    });
  };
  const nmerged = pendingMerged.length;
  remaining(lnames, lcols, lcolnos);
  remaining(rnames, rcols, rcolnos);

  const joinUsingAlias = j.join_using_alias === null ? null : { ...j.join_using_alias, colnames: usingClause.slice() };
  const ns = addRangeTableEntryForJoin(pstate, resNames, resNs, j.jointype, nmerged, resVars, lcolnos, rcolnos, joinUsingAlias, j.alias, true);
  if (ns.rtindex !== rtindex) throw new PgError('XX000', 'join RTE index mismatch');
  const jexpr: JoinExpr = {
    type: 'JoinExpr',
    jointype: j.jointype,
    isNatural: j.isNatural,
    larg: left.node,
    rarg: right.node,
    usingClause: usingClause.slice(),
    quals,
    alias: j.alias === null ? null : { aliasname: j.alias.aliasname, colnames: j.alias.colnames.slice() },
    rtindex,
  };
  pstate.joinexprs[rtindex - 1] = jexpr;

  let namespace: ParseNamespaceItem[];
  if (j.alias !== null) {
    namespace = [];
  } else {
    for (const x of myNamespace) x.colsVisible = false;
    namespace = myNamespace;
  }
  ns.relVisible = j.alias !== null;
  ns.colsVisible = true;
  ns.lateralOnly = false;
  ns.lateralOk = true;
  if (joinUsingAlias !== null) {
    // `USING (a) AS x`: a name for the merged columns only, as its own namespace entry.
    namespace.push({ ...ns, names: { aliasname: joinUsingAlias.aliasname, colnames: ns.rte.eref.colnames.slice(0, nmerged) }, relVisible: true, colsVisible: false });
    ns.names = ns.rte.eref;
  }
  namespace.push(ns);
  return { node: jexpr, top: ns, namespace };
}

/** buildMergedJoinVar: the value of a USING column (COALESCE for FULL JOIN; coerced to the common type). */
function buildMergedJoinVar(pstate: ParseState, jointype: raw.JoinExpr['jointype'], l: Var, r: Var): Expr {
  let outType = exprType(l);
  let outTypmod = exprTypmod(l);
  if (outType === exprType(r)) {
    if (outTypmod !== exprTypmod(r)) outTypmod = -1;
  } else {
    outType = commonType(pstate, [l, r], 'JOIN/USING');
    outTypmod = -1;
  }
  const fix = (v: Var): Expr => {
    if (exprType(v) !== outType) return coerceCommon(pstate, v, outType, 'JOIN/USING');
    if (exprTypmod(v) !== outTypmod) return { type: 'RelabelType', arg: v, resulttype: outType, resulttypmod: outTypmod, relabelformat: 'COERCE_IMPLICIT_CAST', location: -1 };
    return v;
  };
  const ln = fix(l);
  const rn = fix(r);
  switch (jointype) {
    case 'JOIN_INNER':
      return ln.type === 'Var' ? ln : rn.type === 'Var' ? rn : ln;
    case 'JOIN_LEFT':
      return ln;
    case 'JOIN_RIGHT':
      return rn;
    case 'JOIN_FULL':
      return { type: 'CoalesceExpr', coalescetype: outType, args: [ln, rn], location: -1 };
  }
}

// ---------------------------------------------------------------------------
// WHERE, LIMIT.

export function transformWhereClause(pstate: ParseState, clause: raw.Node | null, exprKind: ParseExprKind, constructName: string): Expr | null {
  if (clause === null) return null;
  const e = transformExpr(pstate, clause, exprKind);
  return coerceBool(pstate, e, constructName);
}

export function transformLimitClause(
  pstate: ParseState,
  clause: raw.Node | null,
  exprKind: ParseExprKind,
  constructName: string,
  limitOption: string,
): Expr | null {
  if (clause === null) return null;
  const e = transformExpr(pstate, clause, exprKind);
  const qual = coerceToSpecificType(pstate, e, INT8OID, constructName);
  checkExprIsVarFree(pstate, qual, constructName);
  // FETCH FIRST NULL ROWS WITH TIES is refused when the count is a NULL constant.
  if (exprKind === 'EXPR_KIND_LIMIT' && limitOption === 'LIMIT_OPTION_WITH_TIES' && qual.type === 'Const' && qual.constisnull) {
    parserError(pstate, '2201W', 'row count cannot be null in FETCH FIRST ... WITH TIES clause', exprLocationPG(e));
  }
  return qual;
}

/** coerce_to_specific_type: assignment-coerce to one type or 42804 "argument of X must be type T". */
export function coerceToSpecificType(pstate: ParseState, e: Expr, targetType: number, constructName: string): Expr {
  const t = exprType(e);
  let r = e;
  if (t !== targetType) {
    const c = coerceExprTo(pstate, e, targetType, -1, 'COERCION_ASSIGNMENT', 'COERCE_IMPLICIT_CAST', -1);
    if (c === null) {
      parserError(pstate, '42804', `argument of ${constructName} must be type ${formatTypeWithTypmod(targetType, -1)}, not type ${formatTypeWithTypmod(t, -1)}`, exprLocationPG(e));
    }
    r = c;
  }
  if (walkExpr(r, (n) => (n.type === 'FuncExpr' && n.funcretset))) {
    parserError(pstate, '42804', `argument of ${constructName} must not return a set`, exprLocationPG(e));
  }
  return r;
}

function checkExprIsVarFree(pstate: ParseState, e: Expr, constructName: string): void {
  let loc = -1;
  if (walkExpr(e, (n) => {
    if (n.type === 'Var' && n.varlevelsup === 0) {
      loc = n.location;
      return true;
    }
    return false;
  })) {
    parserError(pstate, '42P10', `argument of ${constructName} must not contain variables`, loc);
  }
}

// ---------------------------------------------------------------------------
// ORDER BY, GROUP BY, DISTINCT.

/** strip_implicit_coercions, for matching an ORDER BY expression against a target entry. */
function stripImplicitCoercions(e: Expr): Expr {
  if (e.type === 'FuncExpr' && e.funcformat === 'COERCE_IMPLICIT_CAST' && e.args.length >= 1) return stripImplicitCoercions(e.args[0] as Expr);
  if ((e.type === 'RelabelType' && e.relabelformat === 'COERCE_IMPLICIT_CAST') || (e.type === 'CoerceViaIO' && e.coerceformat === 'COERCE_IMPLICIT_CAST')) {
    return stripImplicitCoercions(e.arg);
  }
  return e;
}

function rawLocation(n: raw.Node): number {
  return 'location' in n && typeof n.location === 'number' ? n.location : -1;
}

/** SQL92: a bare output-column name or a position; otherwise SQL99 (an expression). */
export function findTargetlistEntrySQL92(pstate: ParseState, node: raw.Node, tlist: TargetEntry[], exprKind: ParseExprKind): TargetEntry {
  if (node.type === 'ColumnRef' && node.fields.length === 1 && typeof node.fields[0] === 'string') {
    let name: string | null = node.fields[0];
    if (exprKind === 'EXPR_KIND_GROUP_BY' && colNameToVar(pstate, name, true, node.location) !== null) name = null;
    if (name !== null) {
      let result: TargetEntry | null = null;
      for (const tle of tlist) {
        if (tle.resjunk || tle.resname !== name) continue;
        if (result !== null) {
          if (!exprEqual(result.expr, tle.expr)) parserError(pstate, '42702', `${parseExprKindName(exprKind)} "${name}" is ambiguous`, node.location);
        } else result = tle;
      }
      if (result !== null) {
        checkTargetlistEntrySQL92(pstate, result, exprKind);
        return result;
      }
    }
  }
  if (node.type === 'A_Const') {
    if (node.isnull || node.val === undefined || node.val.type !== 'Integer') {
      parserError(pstate, '42601', `non-integer constant in ${parseExprKindName(exprKind)}`, node.location);
    }
    const pos = node.val.ival;
    let k = 0;
    for (const tle of tlist) {
      if (tle.resjunk) continue;
      if (++k === pos) {
        checkTargetlistEntrySQL92(pstate, tle, exprKind);
        return tle;
      }
    }
    parserError(pstate, '42P10', `${parseExprKindName(exprKind)} position ${pos} is not in select list`, node.location);
  }
  return findTargetlistEntrySQL99(pstate, node, tlist, exprKind);
}

function checkTargetlistEntrySQL92(pstate: ParseState, tle: TargetEntry, exprKind: ParseExprKind): void {
  if (exprKind !== 'EXPR_KIND_GROUP_BY') return;
  let loc = -1;
  if (walkExpr(tle.expr, (n) => {
    if (n.type === 'Aggref' && n.agglevelsup === 0) {
      loc = n.location;
      return true;
    }
    return false;
  })) parserError(pstate, '42803', 'aggregate functions are not allowed in GROUP BY', loc);
  if (walkExpr(tle.expr, (n) => {
    if (n.type === 'WindowFunc') {
      loc = n.location;
      return true;
    }
    return false;
  })) parserError(pstate, '42P20', 'window functions are not allowed in GROUP BY', loc);
}

/** SQL99: transform the expression; reuse an equal target entry or add a resjunk one. */
export function findTargetlistEntrySQL99(pstate: ParseState, node: raw.Node, tlist: TargetEntry[], exprKind: ParseExprKind): TargetEntry {
  const expr = transformExpr(pstate, node, exprKind);
  for (const tle of tlist) {
    if (exprEqual(expr, stripImplicitCoercions(tle.expr))) return tle;
  }
  const tle = transformTargetEntry(pstate, node, expr, exprKind, null, true);
  tle.resno = tlist.length + 1;
  tlist.push(tle);
  return tle;
}

export function assignSortGroupRef(tle: TargetEntry, tlist: TargetEntry[]): number {
  if (tle.ressortgroupref !== 0) return tle.ressortgroupref;
  let max = 0;
  for (const t of tlist) if (t.ressortgroupref > max) max = t.ressortgroupref;
  tle.ressortgroupref = max + 1;
  return tle.ressortgroupref;
}

function resolveUnknownTle(pstate: ParseState, tle: TargetEntry): number {
  let t = exprType(tle.expr);
  if (t === UNKNOWNOID) {
    tle.expr = coerceExprTo(pstate, tle.expr, TEXTOID, -1, 'COERCION_IMPLICIT', 'COERCE_IMPLICIT_CAST', -1) ?? tle.expr;
    t = TEXTOID;
  }
  return t;
}

function sortOps(pstate: ParseState, t: number, needLt: boolean, needEq: boolean, needGt: boolean, location: number): { ltOpr: number; eqOpr: number; gtOpr: number; hashable: boolean } {
  try {
    return getSortGroupOperators(t, needLt, needEq, needGt, location);
  } catch (e) {
    throw withPosition(pstate, e, location);
  }
}

export function addTargetToSortList(pstate: ParseState, tle: TargetEntry, sortlist: SortGroupClause[], tlist: TargetEntry[], sortby: raw.SortBy): SortGroupClause[] {
  const t = resolveUnknownTle(pstate, tle);
  let desc = sortby.sortby_dir === 'SORTBY_DESC';
  const location = sortby.location >= 0 ? sortby.location : exprLocationPG(tle.expr);
  let sortop: number;
  let ops: { ltOpr: number; eqOpr: number; gtOpr: number; hashable: boolean };
  if (sortby.sortby_dir === 'SORTBY_USING') {
    // ORDER BY x USING op: op must be the "<" or ">" of the type's btree ordering.
    const opname = sortby.useOp[sortby.useOp.length - 1] ?? '';
    const op = operatorsByName(opname).find((o) => o.oprleft === t && o.oprright === t);
    if (op === undefined) {
      parserError(pstate, '42883', `operator does not exist: ${formatTypeWithTypmod(t, -1)} ${opname} ${formatTypeWithTypmod(t, -1)}`, location, {
        hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
      });
    }
    if (op.btreeStrategy !== 1 && op.btreeStrategy !== 5) {
      parserError(pstate, '42809', `operator ${opname} is not a valid ordering operator`, location, {
        hint: 'Ordering operators must be "<" or ">" members of btree operator families.',
      });
    }
    desc = op.btreeStrategy === 5;
    ops = sortOps(pstate, t, false, true, false, location);
    sortop = op.oid;
  } else {
    ops = sortOps(pstate, t, !desc, true, desc, location);
    sortop = desc ? ops.gtOpr : ops.ltOpr;
  }
  const nullsFirst = sortby.sortby_nulls === 'SORTBY_NULLS_DEFAULT' ? desc : sortby.sortby_nulls === 'SORTBY_NULLS_FIRST';
  if (tle.ressortgroupref !== 0 && sortlist.some((s) => s.tleSortGroupRef === tle.ressortgroupref && s.sortop === sortop)) return sortlist;
  sortlist.push({
    type: 'SortGroupClause',
    tleSortGroupRef: assignSortGroupRef(tle, tlist),
    eqop: ops.eqOpr,
    sortop,
    nulls_first: nullsFirst,
    hashable: ops.hashable,
  });
  return sortlist;
}

export function addTargetToGroupList(pstate: ParseState, tle: TargetEntry, grouplist: SortGroupClause[], tlist: TargetEntry[], location: number): SortGroupClause[] {
  if (tle.ressortgroupref !== 0 && grouplist.some((s) => s.tleSortGroupRef === tle.ressortgroupref)) return grouplist;
  const t = resolveUnknownTle(pstate, tle);
  const ops = sortOps(pstate, t, false, true, false, location);
  grouplist.push({
    type: 'SortGroupClause',
    tleSortGroupRef: assignSortGroupRef(tle, tlist),
    eqop: ops.eqOpr,
    sortop: ops.ltOpr,
    nulls_first: false,
    hashable: ops.hashable,
  });
  return grouplist;
}

export function transformSortClause(pstate: ParseState, orderlist: raw.SortBy[], tlist: TargetEntry[], exprKind: ParseExprKind, useSQL99: boolean): SortGroupClause[] {
  const sortlist: SortGroupClause[] = [];
  for (const sortby of orderlist) {
    const tle = useSQL99
      ? findTargetlistEntrySQL99(pstate, sortby.node, tlist, exprKind)
      : findTargetlistEntrySQL92(pstate, sortby.node, tlist, exprKind);
    addTargetToSortList(pstate, tle, sortlist, tlist, sortby);
  }
  return sortlist;
}

export function transformGroupClause(
  pstate: ParseState,
  grouplist: raw.Node[],
  tlist: TargetEntry[],
  sortClause: SortGroupClause[],
  exprKind: ParseExprKind,
  useSQL99: boolean,
): SortGroupClause[] {
  const result: SortGroupClause[] = [];
  for (const g of grouplist) {
    const tle = useSQL99 ? findTargetlistEntrySQL99(pstate, g, tlist, exprKind) : findTargetlistEntrySQL92(pstate, g, tlist, exprKind);
    if (tle.ressortgroupref > 0) {
      if (result.some((s) => s.tleSortGroupRef === tle.ressortgroupref)) continue;
      const sc = sortClause.find((s) => s.tleSortGroupRef === tle.ressortgroupref);
      if (sc !== undefined) {
        result.push({ ...sc });
        continue;
      }
    }
    addTargetToGroupList(pstate, tle, result, tlist, rawLocation(g));
  }
  return result;
}

export function transformDistinctClause(pstate: ParseState, tlist: TargetEntry[], sortClause: SortGroupClause[], isAgg: boolean): SortGroupClause[] {
  const result: SortGroupClause[] = [];
  for (const scl of sortClause) {
    const tle = tlist.find((t) => t.ressortgroupref === scl.tleSortGroupRef) as TargetEntry;
    if (tle.resjunk) {
      parserError(pstate, '42P10', isAgg
        ? 'in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list'
        : 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', exprLocationPG(tle.expr));
    }
    result.push({ ...scl });
  }
  for (const tle of tlist) {
    if (tle.resjunk) continue;
    addTargetToGroupList(pstate, tle, result, tlist, exprLocationPG(tle.expr));
  }
  if (result.length === 0) {
    throw new PgError('42601', isAgg ? 'an aggregate with DISTINCT must have at least one argument' : 'SELECT DISTINCT must have at least one column');
  }
  return result;
}

export function transformDistinctOnClause(pstate: ParseState, distinctlist: raw.Node[], tlist: TargetEntry[], sortClause: SortGroupClause[]): SortGroupClause[] {
  const refs: number[] = [];
  for (const d of distinctlist) {
    const tle = findTargetlistEntrySQL92(pstate, d, tlist, 'EXPR_KIND_DISTINCT_ON');
    refs.push(assignSortGroupRef(tle, tlist));
  }
  const result: SortGroupClause[] = [];
  let skipped = false;
  for (const scl of sortClause) {
    const k = refs.indexOf(scl.tleSortGroupRef);
    if (k >= 0) {
      if (skipped) parserError(pstate, '42P10', 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions', rawLocation(distinctlist[k] as raw.Node));
      result.push({ ...scl });
    } else skipped = true;
  }
  distinctlist.forEach((d, i) => {
    const ref = refs[i] as number;
    const tle = tlist.find((t) => t.ressortgroupref === ref) as TargetEntry;
    if (result.some((s) => s.tleSortGroupRef === ref)) return;
    if (skipped) parserError(pstate, '42P10', 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions', rawLocation(d));
    addTargetToGroupList(pstate, tle, result, tlist, rawLocation(d));
  });
  return result;
}

// ---------------------------------------------------------------------------
// WINDOW.

export function transformWindowDefinitions(pstate: ParseState, windowdefs: raw.WindowDef[], tlist: TargetEntry[]): WindowClause[] {
  const result: WindowClause[] = [];
  let winref = 0;
  for (const w of windowdefs) {
    winref++;
    if (w.name !== null && result.some((c) => c.name === w.name)) {
      parserError(pstate, '42P20', `window "${w.name}" is already defined`, w.location);
    }
    let refwc: WindowClause | null = null;
    if (w.refname !== null) {
      refwc = result.find((c) => c.name === w.refname) ?? null;
      if (refwc === null) parserError(pstate, '42704', `window "${w.refname}" does not exist`, w.location);
    }
    const orderClause = transformSortClause(pstate, w.orderClause, tlist, 'EXPR_KIND_WINDOW_ORDER', true);
    const partitionClause = transformGroupClause(pstate, w.partitionClause, tlist, orderClause, 'EXPR_KIND_WINDOW_PARTITION', true);
    const wc: WindowClause = {
      type: 'WindowClause',
      name: w.name,
      refname: w.refname,
      partitionClause,
      orderClause,
      frameOptions: w.frameOptions,
      startOffset: null,
      endOffset: null,
      winref,
      copiedOrder: false,
    };
    if (refwc !== null) {
      if (partitionClause.length > 0) parserError(pstate, '42P20', `cannot override PARTITION BY clause of window "${w.refname ?? ''}"`, w.location);
      wc.partitionClause = refwc.partitionClause.map((s) => ({ ...s }));
      if (orderClause.length > 0 && refwc.orderClause.length > 0) {
        parserError(pstate, '42P20', `cannot override ORDER BY clause of window "${w.refname ?? ''}"`, w.location);
      }
      if (orderClause.length === 0) {
        wc.orderClause = refwc.orderClause.map((s) => ({ ...s }));
        wc.copiedOrder = true;
      }
      if (refwc.frameOptions !== FRAMEOPTION_DEFAULTS) {
        const explicit = w.name !== null || orderClause.length > 0 || w.frameOptions !== FRAMEOPTION_DEFAULTS;
        parserError(pstate, '42P20', `cannot copy window "${w.refname ?? ''}" because it has a frame clause`, w.location,
          explicit ? {} : { hint: 'Omit the parentheses in this OVER clause.' });
      }
    }
    const offsets = FRAMEOPTION.START_OFFSET_PRECEDING | FRAMEOPTION.START_OFFSET_FOLLOWING | FRAMEOPTION.END_OFFSET_PRECEDING | FRAMEOPTION.END_OFFSET_FOLLOWING;
    // RANGE offsets are added to the one ORDER BY column's values: its type (the opclass input type) decides the offset's.
    let rangeColType = 0;
    if ((wc.frameOptions & FRAMEOPTION.RANGE) !== 0 && (wc.frameOptions & offsets) !== 0) {
      if (wc.orderClause.length !== 1) {
        parserError(pstate, '42P20', 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column', w.location);
      }
      const sortTle = tlist.find((t) => t.ressortgroupref === (wc.orderClause[0] as SortGroupClause).tleSortGroupRef) as TargetEntry;
      rangeColType = exprType(sortTle.expr);
      if (rangeColType === 1043) rangeColType = TEXTOID; // varchar sorts with text_ops
    }
    if ((wc.frameOptions & FRAMEOPTION.GROUPS) !== 0 && wc.orderClause.length === 0) {
      parserError(pstate, '42P20', 'GROUPS mode requires an ORDER BY clause', w.location);
    }
    wc.startOffset = transformFrameOffset(pstate, wc.frameOptions, w.startOffset, rangeColType);
    wc.endOffset = transformFrameOffset(pstate, wc.frameOptions, w.endOffset, rangeColType);
    result.push(wc);
  }
  return result;
}

function transformFrameOffset(pstate: ParseState, frameOptions: number, clause: raw.Node | null, rangeColType: number): Expr | null {
  if (clause === null) return null;
  if ((frameOptions & FRAMEOPTION.RANGE) !== 0) return transformRangeOffset(pstate, clause, rangeColType);
  const isRows = (frameOptions & FRAMEOPTION.ROWS) !== 0;
  const kind: ParseExprKind = isRows ? 'EXPR_KIND_WINDOW_FRAME_ROWS' : (frameOptions & FRAMEOPTION.GROUPS) !== 0 ? 'EXPR_KIND_WINDOW_FRAME_GROUPS' : 'EXPR_KIND_WINDOW_FRAME_RANGE';
  const name = isRows ? 'ROWS' : 'GROUPS';
  const e = transformExpr(pstate, clause, kind);
  const r = coerceToSpecificType(pstate, e, INT8OID, name);
  checkExprIsVarFree(pstate, r, name);
  return r;
}

/**
 * A RANGE offset (transformFrameOffset's RANGE branch): among the in_range
 * functions of the column type's opfamily, those whose offset type the
 * value can be coerced to implicitly; the one of exactly the value's type
 * (or, for an unknown literal, of the column's type) wins, else the only
 * one. The offset is coerced to that type.
 */
function transformRangeOffset(pstate: ParseState, clause: raw.Node, colType: number): Expr {
  const node = transformExpr(pstate, clause, 'EXPR_KIND_WINDOW_FRAME_RANGE');
  const nodeType = exprType(node);
  const preferred = nodeType !== UNKNOWNOID ? nodeType : colType;
  const candidates = inRangeOffsetTypes(colType);
  const loc = exprLocationPG(node);
  if (candidates.length === 0) {
    parserError(pstate, '0A000', `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${formatTypeWithTypmod(colType, -1)}`, loc);
  }
  let selected = 0;
  let nmatches = 0;
  for (const t of candidates) {
    if (!canCoerceType([nodeType], [t], 'COERCION_IMPLICIT')) continue;
    nmatches++;
    if (selected !== preferred) selected = t;
  }
  if (nmatches === 0) {
    parserError(pstate, '0A000', `RANGE with offset PRECEDING/FOLLOWING is not supported for column type ${formatTypeWithTypmod(colType, -1)} and offset type ${formatTypeWithTypmod(nodeType, -1)}`, loc, {
      hint: 'Cast the offset value to an appropriate type.',
    });
  }
  if (nmatches !== 1 && selected !== preferred) {
    parserError(pstate, '0A000', `RANGE with offset PRECEDING/FOLLOWING has multiple interpretations for column type ${formatTypeWithTypmod(colType, -1)} and offset type ${formatTypeWithTypmod(nodeType, -1)}`, loc, {
      hint: 'Cast the offset value to the exact intended type.',
    });
  }
  const r = coerceToSpecificType(pstate, node, selected, 'RANGE');
  checkExprIsVarFree(pstate, r, 'RANGE');
  return r;
}

// ---------------------------------------------------------------------------
// ON CONFLICT.

/**
 * The unique indexes that decide a conflict (infer_arbiter_indexes): those
 * whose key columns are exactly the named columns, or the named
 * constraint's index; every unique index for a DO NOTHING without target;
 * null when no index matches.
 */
export function transformOnConflictArbiter(pstate: ParseState, rel: RelationInfo, clause: OnConflictClause): number[] | null {
  const infer: InferClause | null = clause.infer;
  if (clause.action === 'ONCONFLICT_UPDATE' && infer === null) {
    parserError(pstate, '42601', 'ON CONFLICT DO UPDATE requires inference specification or constraint name', clause.location, {
      hint: 'For example, ON CONFLICT (column_name).',
    });
  }
  const unique = rel.indexes.filter((i) => i.indisunique);
  if (infer === null) return unique.map((i) => i.indexrelid);
  if (infer.conname !== null) {
    const con = rel.constraints.find((c) => c.conname === infer.conname);
    if (con === undefined) throw new PgError('42704', `constraint "${infer.conname}" for table "${rel.relname}" does not exist`);
    if (con.contype !== 'u' && con.contype !== 'p') {
      throw new PgError('42809', 'constraint in ON CONFLICT clause has no associated index');
    }
    return [con.conindid];
  }
  if (infer.whereClause !== null) parserError(pstate, '0A000', 'ON CONFLICT with a WHERE clause on the conflict target is not supported', infer.location);
  const attnums: number[] = [];
  for (const elem of infer.indexElems) {
    if (elem.expr !== null || elem.name === null) parserError(pstate, '0A000', 'ON CONFLICT on an expression is not supported', infer.location);
    // The column must exist (transformExpr of a ColumnRef over the target gives PostgreSQL's error).
    const v = transformExpr(pstate, { type: 'ColumnRef', fields: [elem.name], location: infer.location }, 'EXPR_KIND_OTHER');
    if (v.type === 'Var' && v.varattno > 0 && !attnums.includes(v.varattno)) attnums.push(v.varattno);
  }
  const matches = unique.filter((i: IndexInfo) => i.indkey.length === attnums.length && i.indkey.every((k) => attnums.includes(k)));
  // No match is the planner's error in PostgreSQL (after the whole statement is analyzed): the caller raises it last.
  return matches.length === 0 ? null : matches.map((i) => i.indexrelid);
}

