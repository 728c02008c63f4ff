/*
 * selfuncs.ts — selectivity estimators for operators and clause shapes
 * (PostgreSQL's utils/adt/selfuncs.c), and group-count estimates.
 *
 * Without pg_statistic data (ANALYZE is not run by this engine yet) every
 * estimate uses PostgreSQL's defaults, exactly as PostgreSQL does for a
 * table that was never analyzed: an equality matches 1/ndistinct of the rows
 * where ndistinct is the row count for small tables, DEFAULT_NUM_DISTINCT
 * (200) otherwise, and 1 row on a column with a unique index; an inequality
 * keeps a third; a range (a > x AND a < y) 0.005.
 *
 * Exports: the DEFAULT_* constants, examineVariable, getVariableNumdistinct,
 * restrictionSelectivity (oprrest), joinSelectivity (oprjoin),
 * nulltestsel, booltestsel, estimateNumGroups, estimateHashBucketSize.
 */

import type { Expr } from '../../nodes/primnodes.ts';
import type { PlannerInfo, RelOptInfo, SpecialJoinInfo } from '../pathnodes.ts';
import { relidsSingleton } from '../pathnodes.ts';
import { clampRowEst, estimateArrayLength } from '../path/costsize.ts';
import { getOperator } from './lsyscache.ts';
import { pullVarnos } from './var.ts';

export const DEFAULT_EQ_SEL = 0.005;
export const DEFAULT_INEQ_SEL = 0.3333333333333333;
export const DEFAULT_RANGE_INEQ_SEL = 0.005;
export const DEFAULT_MATCH_SEL = 0.005;
export const DEFAULT_NUM_DISTINCT = 200;
export const DEFAULT_UNK_SEL = 0.005;
export const DEFAULT_NOT_UNK_SEL = 1.0 - DEFAULT_UNK_SEL;
const BOOLOID = 16;

/** What is known about one side of a clause (VariableStatData). */
export interface VariableStatData {
  expr: Expr;
  rel: RelOptInfo | null;
  /** A plain column of a base relation. */
  attnum: number;
  /** The column alone is a unique index's key. */
  isunique: boolean;
  vartype: number;
}

function stripRelabel(e: Expr): Expr {
  while (e.type === 'RelabelType') e = e.arg;
  return e;
}

export function examineVariable(root: PlannerInfo, e: Expr): VariableStatData {
  const expr = stripRelabel(e);
  const out: VariableStatData = { expr, rel: null, attnum: 0, isunique: false, vartype: exprTypeOf(expr) };
  if (expr.type === 'Var' && expr.varlevelsup === 0) {
    const rel = root.simple_rel_array[expr.varno] ?? null;
    out.rel = rel;
    out.attnum = expr.varattno;
    if (rel !== null) {
      out.isunique = rel.indexlist.some((ix) => ix.unique && ix.indexkeys.length === 1 && ix.indexkeys[0] === expr.varattno);
    }
    return out;
  }
  const relids = pullVarnos(expr);
  const single = relidsSingleton(relids);
  if (single > 0) out.rel = root.simple_rel_array[single] ?? null;
  return out;
}

import { exprType as exprTypeOf } from '../../nodes/nodeFuncs.ts';

/** Estimated distinct values of a variable, and whether it is only the default guess (get_variable_numdistinct). */
export function getVariableNumdistinct(v: VariableStatData): { nd: number; isdefault: boolean } {
  if (v.vartype === BOOLOID) return { nd: 2, isdefault: false };
  let ntuples = 0;
  if (v.rel !== null) ntuples = v.rel.tuples;
  if (v.attnum === -1 /* ctid */ && v.rel !== null) return { nd: clampRowEst(ntuples), isdefault: false };
  if (v.attnum === -6 /* tableoid */) return { nd: 1, isdefault: false };
  if (v.isunique && ntuples > 0) return { nd: clampRowEst(ntuples), isdefault: false };
  if (ntuples <= 0) return { nd: DEFAULT_NUM_DISTINCT, isdefault: true };
  if (ntuples < DEFAULT_NUM_DISTINCT) return { nd: clampRowEst(ntuples), isdefault: false };
  return { nd: DEFAULT_NUM_DISTINCT, isdefault: true };
}

/** Splits `a op b` into the variable side and the other, when one side has no Vars of this level. */
function getRestrictionVariable(root: PlannerInfo, args: Expr[], varRelid: number): { vardata: VariableStatData; other: Expr; varonleft: boolean } | null {
  if (args.length !== 2) return null;
  const [l, r] = args;
  let lv = pullVarnos(l);
  let rv = pullVarnos(r);
  // With varRelid set (a parameterized scan), other relations' columns are constants for this estimate.
  if (varRelid > 0) {
    const self = 1n << BigInt(varRelid);
    lv &= self;
    rv &= self;
  }
  if (lv !== 0n && rv === 0n) return { vardata: examineVariable(root, l), other: r, varonleft: true };
  if (rv !== 0n && lv === 0n) return { vardata: examineVariable(root, r), other: l, varonleft: false };
  return null;
}

function varEqConst(v: VariableStatData, other: Expr): number {
  const s = stripRelabel(other);
  if (s.type === 'Const' && s.constisnull) return 0.0;
  if (v.isunique && v.rel !== null && v.rel.tuples >= 1.0) return 1.0 / v.rel.tuples;
  const { nd } = getVariableNumdistinct(v);
  let selec = 1.0 / nd;
  if (selec < 0) selec = 0;
  if (selec > 1) selec = 1;
  return selec;
}

/** `var = value` (eqsel); value may be a Param or any expression without Vars. */
export function eqsel(root: PlannerInfo, args: Expr[], negate: boolean, varRelid = 0): number {
  const r = getRestrictionVariable(root, args, varRelid);
  if (r === null) return negate ? 1.0 - DEFAULT_EQ_SEL : DEFAULT_EQ_SEL;
  let selec: number;
  const other = stripRelabel(r.other);
  if (other.type === 'Const') {
    selec = varEqConst(r.vardata, other);
  } else {
    // var_eq_non_const: an unknown value matches 1/ndistinct of the rows (1 row for a unique column).
    if (r.vardata.isunique && r.vardata.rel !== null && r.vardata.rel.tuples >= 1.0) selec = 1.0 / r.vardata.rel.tuples;
    else selec = 1.0 / getVariableNumdistinct(r.vardata).nd;
  }
  if (negate) {
    if (other.type === 'Const' && other.constisnull) return 0.0;
    selec = 1.0 - selec;
  }
  return Math.min(Math.max(selec, 0), 1);
}

/** The estimate an operator's restriction estimator gives (oprrest). */
export function restrictionSelectivity(root: PlannerInfo, opno: number, args: Expr[], varRelid = 0): number {
  const op = getOperator(opno);
  const rest = op?.oprrest ?? '';
  switch (rest) {
    case 'eqsel':
      return eqsel(root, args, false, varRelid);
    case 'neqsel':
      return eqsel(root, args, true, varRelid);
    case 'scalarltsel': case 'scalarlesel': case 'scalargtsel': case 'scalargesel': {
      const r = getRestrictionVariable(root, args, varRelid);
      if (r !== null) {
        const other = stripRelabel(r.other);
        if (other.type === 'Const' && other.constisnull) return 0.0;
      }
      return DEFAULT_INEQ_SEL;
    }
    case 'likesel': case 'iclikesel': case 'regexeqsel': case 'icregexeqsel': case 'prefixsel':
      return DEFAULT_MATCH_SEL;
    case 'nlikesel': case 'icnlikesel': case 'regexnesel': case 'icregexnesel':
      return 1.0 - DEFAULT_MATCH_SEL;
    case 'matchingsel': case 'contsel': case 'arraycontsel':
      return DEFAULT_EQ_SEL * 2;
    default:
      return 0.5;
  }
}

/** The estimate an operator's join estimator gives (oprjoin); semi/anti joins use eqjoinsel_semi. */
export function joinSelectivity(root: PlannerInfo, opno: number, args: Expr[], sjinfo: SpecialJoinInfo | null): number {
  const op = getOperator(opno);
  const join = op?.oprjoin ?? '';
  switch (join) {
    case 'eqjoinsel':
      return eqjoinsel(root, args, sjinfo);
    case 'neqjoinsel': {
      if (sjinfo !== null && (sjinfo.jointype === 'JOIN_SEMI' || sjinfo.jointype === 'JOIN_ANTI')) {
        // neqjoinsel for semi joins: nearly every outer row has an unequal partner.
        const v = examineVariable(root, args[0]);
        const { nd } = getVariableNumdistinct(v);
        return nd <= 1 ? 0.5 : 1.0;
      }
      return 1.0 - eqjoinsel(root, args, null);
    }
    case 'scalarltjoinsel': case 'scalarlejoinsel': case 'scalargtjoinsel': case 'scalargejoinsel':
      return DEFAULT_INEQ_SEL;
    case 'likejoinsel': case 'iclikejoinsel': case 'regexeqjoinsel':
      return DEFAULT_MATCH_SEL;
    case 'matchingjoinsel': case 'contjoinsel':
      return DEFAULT_EQ_SEL * 2;
    default:
      return 0.5;
  }
}

/** Equality join selectivity without statistics (eqjoinsel_inner / eqjoinsel_semi). */
function eqjoinsel(root: PlannerInfo, args: Expr[], sjinfo: SpecialJoinInfo | null): number {
  const v1 = examineVariable(root, args[0]);
  const v2 = examineVariable(root, args[1]);
  const d1 = getVariableNumdistinct(v1);
  const d2 = getVariableNumdistinct(v2);
  if (sjinfo !== null && (sjinfo.jointype === 'JOIN_SEMI' || sjinfo.jointype === 'JOIN_ANTI')) {
    // The outer side is args[0] when its relation is on the join's left.
    let [o, i] = [d1, d2];
    let innerRel = v2.rel;
    const l0 = pullVarnos(args[0]);
    if ((l0 & sjinfo.min_righthand) !== 0n) {
      [o, i] = [d2, d1];
      innerRel = v1.rel;
    }
    let nd2 = i.nd;
    if (innerRel !== null && nd2 > innerRel.rows) nd2 = innerRel.rows;
    if (!o.isdefault && !i.isdefault) return o.nd <= nd2 ? 1.0 : nd2 / o.nd;
    return 0.5;
  }
  return 1.0 / Math.max(d1.nd, d2.nd);
}

/** IS [NOT] NULL (nulltestsel without statistics). */
export function nulltestsel(isNull: boolean, _arg: Expr): number {
  return isNull ? DEFAULT_UNK_SEL : DEFAULT_NOT_UNK_SEL;
}

/** IS [NOT] TRUE / FALSE / UNKNOWN (booltestsel without statistics). */
export function booltestsel(t: string): number {
  switch (t) {
    case 'IS_UNKNOWN': return DEFAULT_UNK_SEL;
    case 'IS_NOT_UNKNOWN': return DEFAULT_NOT_UNK_SEL;
    case 'IS_TRUE': case 'IS_NOT_FALSE': case 'IS_FALSE': case 'IS_NOT_TRUE':
      return t === 'IS_TRUE' || t === 'IS_FALSE' ? 0.5 : 0.5;
    default: return 0.5;
  }
}

/** `x op ANY (array)` (scalararraysel): each element's estimate, combined as disjoint for "= ANY". */
export function scalararraysel(root: PlannerInfo, opno: number, useOr: boolean, args: Expr[], asJoin: boolean, sjinfo: SpecialJoinInfo | null): number {
  const n = estimateArrayLength(args[1]);
  const elemArgs = [args[0], { ...args[1] }];
  const op = getOperator(opno);
  const isEquality = op?.oprrest === 'eqsel';
  const isInequality = op?.oprrest === 'neqsel';
  if (args[1].type === 'Const' && !asJoin) {
    const v = args[1].constvalue as { elements?: unknown[] } | null;
    const elems = v !== null && typeof v === 'object' && Array.isArray(v.elements) ? v.elements : [];
    let s1 = useOr ? 0.0 : 1.0;
    let s1disjoint = useOr ? 0.0 : 1.0;
    for (const el of elems) {
      const c: Expr = { type: 'Const', consttype: exprTypeOf(args[0]), consttypmod: -1, constvalue: el, constisnull: el === null, location: -1 };
      const s = restrictionSelectivity(root, opno, [args[0], c]);
      if (useOr) {
        s1 = s1 + s - s1 * s;
        if (isEquality) s1disjoint += s;
      } else {
        s1 = s1 * s;
        if (isInequality) s1disjoint += s - 1.0;
      }
    }
    if ((useOr ? isEquality : isInequality) && s1disjoint >= 0.0 && s1disjoint <= 1.0) s1 = s1disjoint;
    return Math.min(Math.max(s1, 0), 1);
  }
  // Unknown array contents: assume 10 elements (or the ArrayExpr's count) with the operator's estimate for a non-constant.
  const s2 = asJoin ? joinSelectivity(root, opno, elemArgs as Expr[], sjinfo) : restrictionSelectivity(root, opno, [args[0], { type: 'Param', paramkind: 'PARAM_EXEC', paramid: 0, paramtype: exprTypeOf(args[0]), paramtypmod: -1, location: -1 }]);
  let s1 = useOr ? 0.0 : 1.0;
  for (let i = 0; i < n; i++) s1 = useOr ? s1 + s2 - s1 * s2 : s1 * s2;
  return Math.min(Math.max(s1, 0), 1);
}

/**
 * Number of distinct groups of `groupExprs` over `inputRows` rows
 * (estimate_num_groups): the product of each column's distinct count,
 * reduced for a relation that the restrictions cut down, capped by the rows.
 */
export function estimateNumGroups(root: PlannerInfo, groupExprs: Expr[], inputRows: number): number {
  if (groupExprs.length === 0) return 1.0;
  if (inputRows < 2.0) return inputRows;
  // Group the varinfos by relation, as PostgreSQL does, to apply the per-relation clamp.
  const byRel = new Map<RelOptInfo | null, number[]>();
  for (const g of groupExprs) {
    const v = examineVariable(root, g);
    const stripped = stripRelabel(g);
    if (stripped.type === 'Const') continue;
    const list = byRel.get(v.rel) ?? [];
    list.push(getVariableNumdistinct(v).nd);
    byRel.set(v.rel, list);
  }
  let numdistinct = 1.0;
  for (const [rel, nds] of byRel) {
    let reldistinct = 1.0;
    for (const nd of nds) reldistinct *= nd;
    if (rel !== null) {
      if (rel.tuples <= 0) continue;
      const relmaxndistinct = Math.max(...nds);
      let clamp = rel.tuples;
      if (nds.length > 1) {
        clamp *= 0.1;
        if (clamp < relmaxndistinct) clamp = Math.min(relmaxndistinct, rel.tuples);
      }
      if (reldistinct > clamp) reldistinct = clamp;
      if (reldistinct > 0 && rel.rows < rel.tuples) {
        reldistinct *= 1 - Math.pow((rel.tuples - rel.rows) / rel.tuples, rel.tuples / reldistinct);
      }
      reldistinct = clampRowEst(reldistinct);
    }
    numdistinct *= reldistinct;
  }
  numdistinct = Math.ceil(numdistinct);
  if (numdistinct > inputRows) numdistinct = Math.ceil(inputRows);
  if (numdistinct < 1.0) numdistinct = 1.0;
  return numdistinct;
}

/** Fraction of the inner relation in one hash bucket (estimate_hash_bucket_stats without MCVs). */
export function estimateHashBucketSize(root: PlannerInfo, hashkey: Expr, nbuckets: number): number {
  const v = examineVariable(root, hashkey);
  const d = getVariableNumdistinct(v);
  if (d.isdefault) return 0.1;
  let ndistinct = d.nd;
  if (v.rel !== null && v.rel.tuples > 0) ndistinct = clampRowEst(ndistinct * (v.rel.rows / v.rel.tuples));
  let estfract = ndistinct > nbuckets ? 1.0 / nbuckets : 1.0 / ndistinct;
  if (estfract < 1.0e-6) estfract = 1.0e-6;
  else if (estfract > 1.0) estfract = 1.0;
  return estfract;
}
