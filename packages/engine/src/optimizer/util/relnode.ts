/*
 * relnode.ts — creating RelOptInfos (PostgreSQL's optimizer/util/relnode.c):
 * one per base relation (build_simple_rel) and one per set of relations
 * joined (build_join_rel), with the join's size estimate.
 *
 * Exports: makeRelOptInfo, buildSimpleRel, findJoinRel, buildJoinRel,
 * setRelWidth, buildJoinRestrictlist.
 */

import type { Expr } from '../../nodes/primnodes.ts';
import { exprType, exprTypmod } from '../../nodes/nodeFuncs.ts';
import type { PlannerInfo, Relids, RelOptInfo, RestrictInfo, SpecialJoinInfo } from '../pathnodes.ts';
import { relidBit, relidsIsSubset } from '../pathnodes.ts';
import { clampRowEst } from '../path/costsize.ts';
import { clauselistSelectivity } from '../path/clausesel.ts';
import { getTypavgwidth } from './lsyscache.ts';
import { getRelationInfo, relDataWidth } from './plancat.ts';

export function makeRelOptInfo(kind: RelOptInfo['reloptkind'], relids: Relids): RelOptInfo {
  return {
    reloptkind: kind, relids, rows: 0, reltarget: [], width: 0, pathlist: [],
    cheapest_startup_path: null, cheapest_total_path: null,
    relid: 0, rtekind: '', relinfo: null, indexlist: [], pages: 0, tuples: 0, attr_widths: new Map(),
    baserestrictinfo: [], baserestrictcost: { startup: 0, per_tuple: 0 }, joininfo: [], lateral_relids: 0n,
    subroot: null, subplan: null,
  };
}

/** The RelOptInfo of one range-table entry (build_simple_rel); tables read their size from the catalog. */
export function buildSimpleRel(root: PlannerInfo, rti: number): RelOptInfo {
  const existing = root.simple_rel_array[rti];
  if (existing !== null && existing !== undefined) return existing;
  const rte = root.parse.rtable[rti - 1];
  const rel = makeRelOptInfo('RELOPT_BASEREL', relidBit(rti));
  rel.relid = rti;
  rel.rtekind = rte.rtekind;
  if (rte.rtekind === 'RTE_RELATION') {
    let relinfo = root.glob.relcache.get(rte.relid);
    if (relinfo === undefined) {
      relinfo = root.glob.ctx.catalog.getRelation(rte.relid);
      root.glob.relcache.set(rte.relid, relinfo);
    }
    root.glob.relationOids.add(rte.relid);
    getRelationInfo(root, rel, relinfo);
    root.total_table_pages += rel.pages;
  }
  while (root.simple_rel_array.length <= rti) root.simple_rel_array.push(null);
  root.simple_rel_array[rti] = rel;
  return rel;
}

/** Average width of the relation's output (set_rel_width / set_pathtarget_cost_width). */
export function setRelWidth(root: PlannerInfo, rel: RelOptInfo): void {
  let w = 0;
  for (const e of rel.reltarget) w += exprWidth(root, e);
  rel.width = w;
}

/** Average width of one output expression: a column's width, or its type's typical width. */
export function exprWidth(root: PlannerInfo, e: Expr): number {
  if (e.type === 'Var' && e.varlevelsup === 0 && e.varno > 0) {
    const rel = root.simple_rel_array[e.varno];
    if (rel !== null && rel !== undefined) {
      if (e.varattno > 0) {
        const w = rel.attr_widths.get(e.varattno);
        if (w !== undefined && w > 0) return w;
      } else if (e.varattno === 0 && rel.relinfo !== null) {
        return relDataWidth(rel.relinfo, rel.attr_widths) + 24;
      }
    }
  }
  return getTypavgwidth(exprType(e), exprTypmod(e));
}

export function findJoinRel(root: PlannerInfo, relids: Relids): RelOptInfo | null {
  return root.join_rel_hash.get(relids) ?? null;
}

/** The clauses to evaluate at a join of outer and inner: those needing both and nothing more (build_joinrel_restrictlist). */
export function buildJoinRestrictlist(root: PlannerInfo, joinrelids: Relids, outer: RelOptInfo, inner: RelOptInfo): RestrictInfo[] {
  const seen = new Set<RestrictInfo>();
  const out: RestrictInfo[] = [];
  for (const rel of [outer, inner]) {
    for (const rti of relidsMembersOf(rel.relids)) {
      const base = root.simple_rel_array[rti];
      if (base === null || base === undefined) continue;
      for (const ri of base.joininfo) {
        if (seen.has(ri)) continue;
        seen.add(ri);
        if (!relidsIsSubset(ri.required_relids, joinrelids)) continue;
        if (relidsIsSubset(ri.required_relids, outer.relids) || relidsIsSubset(ri.required_relids, inner.relids)) continue;
        out.push(ri);
      }
    }
  }
  return out;
}

import { relidsMembers as relidsMembersOf } from '../pathnodes.ts';

/**
 * Rows of a join (calc_joinrel_size_estimate): the cross product reduced by
 * the join clauses; a LEFT join returns at least its outer rows, a SEMI
 * join the outer rows that match, an ANTI join those that do not.
 */
export function calcJoinrelSizeEstimate(root: PlannerInfo, outerRows: number, innerRows: number, sjinfo: SpecialJoinInfo | null, restrictlist: RestrictInfo[]): number {
  const jointype = sjinfo?.jointype ?? 'JOIN_INNER';
  let jselec: number;
  let pselec: number;
  if (jointype === 'JOIN_INNER') {
    jselec = clauselistSelectivity(root, restrictlist, 0, innerSj(root));
    pselec = 0.0;
  } else {
    const joinquals = restrictlist.filter((r) => !r.is_pushed_down);
    const pushed = restrictlist.filter((r) => r.is_pushed_down);
    jselec = clauselistSelectivity(root, joinquals, 0, sjinfo);
    pselec = clauselistSelectivity(root, pushed, 0, innerSj(root));
  }
  let nrows: number;
  switch (jointype) {
    case 'JOIN_INNER':
      nrows = outerRows * innerRows * jselec;
      break;
    case 'JOIN_LEFT':
      nrows = outerRows * innerRows * jselec;
      if (nrows < outerRows) nrows = outerRows;
      nrows *= pselec;
      break;
    case 'JOIN_FULL':
      nrows = outerRows * innerRows * jselec;
      if (nrows < outerRows) nrows = outerRows;
      if (nrows < innerRows) nrows = innerRows;
      nrows *= pselec;
      break;
    case 'JOIN_SEMI':
      nrows = outerRows * jselec * pselec;
      break;
    case 'JOIN_ANTI':
      nrows = outerRows * (1.0 - jselec) * pselec;
      break;
    default:
      nrows = outerRows * innerRows * jselec;
  }
  return clampRowEst(nrows);
}

/** The SpecialJoinInfo PostgreSQL passes for a plain inner join (so clauses are estimated as join clauses). */
export function innerSj(_root: PlannerInfo): SpecialJoinInfo {
  return { jointype: 'JOIN_INNER', syn_lefthand: 0n, syn_righthand: 0n, min_lefthand: 0n, min_righthand: 0n, semi_rhs_exprs: [] };
}

/** The join relation for a set of base relations, created on first use with its size estimate (build_join_rel). */
export function buildJoinRel(root: PlannerInfo, joinrelids: Relids, outer: RelOptInfo, inner: RelOptInfo, sjinfo: SpecialJoinInfo | null, restrictlist: RestrictInfo[]): RelOptInfo {
  const existing = findJoinRel(root, joinrelids);
  if (existing !== null) return existing;
  const rel = makeRelOptInfo('RELOPT_JOINREL', joinrelids);
  // The join outputs what its members output that is still needed above it.
  for (const r of [outer, inner]) {
    for (const e of r.reltarget) {
      if (e.type === 'Var' && isNeededAbove(root, e.varno, e.varattno, joinrelids)) rel.reltarget.push(e);
      else if (e.type !== 'Var') rel.reltarget.push(e);
    }
  }
  setRelWidth(root, rel);
  rel.rows = calcJoinrelSizeEstimate(root, outer.rows, inner.rows, sjinfo, restrictlist);
  root.join_rel_list.push(rel);
  root.join_rel_hash.set(joinrelids, rel);
  return rel;
}

/** Whether a column is used above a join of `joinrelids`: in the final target, or by a clause reaching outside the join. */
function isNeededAbove(root: PlannerInfo, varno: number, attno: number, joinrelids: Relids): boolean {
  const needed = root.attr_needed_above.get(varno)?.get(attno);
  if (needed === undefined) return true;
  for (const r of needed) if (!relidsIsSubset(r, joinrelids)) return true;
  return false;
}
