/*
 * joinrels.ts — choosing the join order (PostgreSQL's optimizer/path/joinrels.c
 * and standard_join_search in allpaths.c): dynamic programming over the set
 * of base relations, level by level — every legal join of two relation sets
 * whose sizes add up to the level — keeping each set's useful paths.
 *
 * Exports: standardJoinSearch(root, initialRels), joinInWrittenOrder(root, initialRels),
 * makeJoinRel(root, r1, r2).
 *
 * Legality (join_is_legal, simplified): an outer, semi or anti join's right
 * side must be complete and alone on one input when the join is formed,
 * its minimal left side on the other input; a set may mix in relations
 * outside the join only after the join is formed. PostgreSQL's outer-join
 * reordering identities are not applied: outer joins stay in the order
 * written, while inner joins around them are freely reordered.
 */

import type { Expr, JoinType } from '../../nodes/primnodes.ts';
import type { PlannerInfo, Relids, RelOptInfo, RestrictInfo, SpecialJoinInfo, UniquePath } from '../pathnodes.ts';
import { relidsIsSubset, relidsOverlap } from '../pathnodes.ts';
import { buildJoinRel, buildJoinRestrictlist, innerSj } from '../util/relnode.ts';
import { setCheapest } from '../util/pathnode.ts';
import { addPathsToJoinrel } from './joinpath.ts';
import { costAgg, costSort } from './costsize.ts';
import { estimateNumGroups } from '../util/selfuncs.ts';

interface Legal { sj: SpecialJoinInfo | null; reversed: boolean }

function joinIsLegal(root: PlannerInfo, r1: Relids, r2: Relids): Legal | null {
  const joinrelids = r1 | r2;
  let match: Legal | null = null;
  for (const sj of root.join_info_list) {
    const L = sj.min_lefthand;
    const R = sj.min_righthand;
    if (relidsIsSubset(L | R, r1) || relidsIsSubset(L | R, r2)) continue;
    if (!relidsOverlap(joinrelids, R) && !(sj.jointype === 'JOIN_FULL' && relidsOverlap(joinrelids, L))) continue;
    if (relidsIsSubset(joinrelids, sj.syn_righthand)) continue;
    if (sj.jointype === 'JOIN_FULL' && relidsIsSubset(joinrelids, sj.syn_lefthand)) continue;
    let cand: Legal | null = null;
    const leftOk = (x: Relids): boolean => sj.jointype !== 'JOIN_FULL' || relidsIsSubset(x, sj.syn_lefthand);
    if (relidsIsSubset(L, r1) && relidsIsSubset(R, r2) && relidsIsSubset(r2, sj.syn_righthand) && leftOk(r1)) cand = { sj, reversed: false };
    else if (relidsIsSubset(L, r2) && relidsIsSubset(R, r1) && relidsIsSubset(r1, sj.syn_righthand) && leftOk(r2)) cand = { sj, reversed: true };
    if (cand === null || match !== null) return null;
    match = cand;
  }
  return match ?? { sj: null, reversed: false };
}

/** Forms (or adds paths to) the join of two relation sets, if legal (make_join_rel). */
export function makeJoinRel(root: PlannerInfo, r1: RelOptInfo, r2: RelOptInfo): RelOptInfo | null {
  const legal = joinIsLegal(root, r1.relids, r2.relids);
  if (legal === null) return null;
  const joinrelids = r1.relids | r2.relids;
  const [lhs, rhs] = legal.reversed ? [r2, r1] : [r1, r2];
  const restrictlist = buildJoinRestrictlist(root, joinrelids, lhs, rhs);
  const joinrel = buildJoinRel(root, joinrelids, lhs, rhs, legal.sj, restrictlist);
  const sj = legal.sj ?? innerSj(root);
  const jt: JoinType = legal.sj?.jointype ?? 'JOIN_INNER';
  switch (jt) {
    case 'JOIN_INNER':
      addPathsToJoinrel(root, joinrel, lhs, rhs, 'JOIN_INNER', sj, restrictlist);
      addPathsToJoinrel(root, joinrel, rhs, lhs, 'JOIN_INNER', sj, restrictlist);
      break;
    case 'JOIN_LEFT':
      addPathsToJoinrel(root, joinrel, lhs, rhs, 'JOIN_LEFT', sj, restrictlist);
      addPathsToJoinrel(root, joinrel, rhs, lhs, 'JOIN_RIGHT', sj, restrictlist);
      break;
    case 'JOIN_FULL':
      addPathsToJoinrel(root, joinrel, lhs, rhs, 'JOIN_FULL', sj, restrictlist);
      addPathsToJoinrel(root, joinrel, rhs, lhs, 'JOIN_FULL', sj, restrictlist);
      break;
    case 'JOIN_SEMI': {
      addPathsToJoinrel(root, joinrel, lhs, rhs, jt, sj, restrictlist);
      // Or: remove duplicates from the right side and join normally (JOIN_UNIQUE_INNER / _OUTER).
      const uniq = makeUniqueRel(root, rhs, sj, restrictlist);
      if (uniq !== null) {
        addPathsToJoinrel(root, joinrel, lhs, uniq, 'JOIN_INNER', sj, restrictlist, true);
        addPathsToJoinrel(root, joinrel, uniq, lhs, 'JOIN_INNER', sj, restrictlist, false);
      }
      break;
    }
    default:
      addPathsToJoinrel(root, joinrel, lhs, rhs, jt, sj, restrictlist);
  }
  return joinrel;
}

const uniqueRels = new WeakMap<RelOptInfo, RelOptInfo | null>();

/**
 * The semi join's right side made unique on the columns it is compared on
 * (create_unique_path): possible when every join clause is an equality
 * between a right-side expression and the left side. Hashed or sorted,
 * whichever is cheaper.
 */
function makeUniqueRel(root: PlannerInfo, rhs: RelOptInfo, sj: SpecialJoinInfo, restrictlist: RestrictInfo[]): RelOptInfo | null {
  if (rhs.relids !== sj.syn_righthand || rhs.cheapest_total_path === null) return null;
  if (uniqueRels.has(rhs)) return uniqueRels.get(rhs) ?? null;
  const exprs: Expr[] = [];
  let ok = restrictlist.length > 0;
  for (const ri of restrictlist) {
    if (ri.clause.type !== 'OpExpr' || ri.mergeop === 0 || !ri.hashjoinable) {
      ok = false;
      break;
    }
    if (relidsIsSubset(ri.right_relids, rhs.relids) && !relidsOverlap(ri.left_relids, rhs.relids)) exprs.push(ri.clause.args[1]);
    else if (relidsIsSubset(ri.left_relids, rhs.relids) && !relidsOverlap(ri.right_relids, rhs.relids)) exprs.push(ri.clause.args[0]);
    else {
      ok = false;
      break;
    }
  }
  if (!ok) {
    uniqueRels.set(rhs, null);
    return null;
  }
  const sub = rhs.cheapest_total_path;
  const c = root.glob.cost;
  const numGroups = estimateNumGroups(root, exprs, sub.rows);
  const zero = { numAggs: 0, transCost: { startup: 0, per_tuple: 0 }, finalCost: { startup: 0, per_tuple: 0 }, transitionSpace: 0 };
  const hashCost = costAgg(root, 'AGG_HASHED', zero, exprs.length, numGroups, [], sub.startup_cost, sub.total_cost, sub.rows, rhs.width);
  const sortCost = costSort(root, sub.total_cost, sub.rows, rhs.width, -1);
  const sortTotal = sortCost.total_cost + c.cpu_operator_cost * sub.rows * exprs.length;
  const hashed = hashCost.total_cost < sortTotal;
  const rel: RelOptInfo = { ...rhs, rows: numGroups, pathlist: [] };
  const path: UniquePath = {
    pathtype: 'Unique', parent: rel, rows: numGroups, startup_cost: hashed ? hashCost.startup_cost : sortCost.startup_cost,
    total_cost: hashed ? hashCost.total_cost : sortTotal, pathkeys: [], required_outer: 0n, subpath: sub, hashed, uniq_exprs: exprs, numGroups,
  };
  rel.pathlist = [path];
  rel.cheapest_startup_path = path;
  rel.cheapest_total_path = path;
  uniqueRels.set(rhs, rel);
  return rel;
}

function haveRelevantJoinclause(root: PlannerInfo, r1: RelOptInfo, r2: RelOptInfo): boolean {
  for (const rti of membersOf(r1.relids)) {
    for (const ri of root.simple_rel_array[rti]?.joininfo ?? []) {
      if (relidsOverlap(ri.required_relids, r2.relids)) return true;
    }
  }
  return false;
}

function haveJoinOrderRestriction(root: PlannerInfo, r1: RelOptInfo, r2: RelOptInfo): boolean {
  for (const sj of root.join_info_list) {
    const all = sj.min_lefthand | sj.min_righthand;
    if (relidsOverlap(r1.relids, all) && relidsOverlap(r2.relids, all)) return true;
  }
  return false;
}

function hasJoinRestriction(root: PlannerInfo, rel: RelOptInfo): boolean {
  return root.join_info_list.some((sj) => {
    const all = sj.min_lefthand | sj.min_righthand;
    return relidsOverlap(rel.relids, all) && !relidsIsSubset(all, rel.relids);
  });
}

function hasOutsideJoinclause(root: PlannerInfo, rel: RelOptInfo): boolean {
  for (const rti of membersOf(rel.relids)) {
    for (const ri of root.simple_rel_array[rti]?.joininfo ?? []) {
      if (!relidsIsSubset(ri.required_relids, rel.relids)) return true;
    }
  }
  return false;
}

import { relidsMembers as membersOf } from '../pathnodes.ts';

/** Dynamic programming over join levels (standard_join_search); returns the relation of all of them. */
export function standardJoinSearch(root: PlannerInfo, initialRels: RelOptInfo[]): RelOptInfo {
  const n = initialRels.length;
  const levels: RelOptInfo[][] = [[], initialRels];
  const add = (lev: number, rel: RelOptInfo | null): void => {
    if (rel !== null && !levels[lev].includes(rel)) levels[lev].push(rel);
  };
  for (let lev = 2; lev <= n; lev++) {
    levels[lev] = [];
    levels[lev - 1].forEach((old, idx) => {
      const others = lev === 2 ? initialRels.slice(idx + 1) : initialRels;
      if (hasOutsideJoinclause(root, old) || hasJoinRestriction(root, old)) {
        for (const other of others) {
          if (relidsOverlap(old.relids, other.relids)) continue;
          if (haveRelevantJoinclause(root, old, other) || haveJoinOrderRestriction(root, old, other)) add(lev, makeJoinRel(root, old, other));
        }
      } else {
        for (const other of others) {
          if (relidsOverlap(old.relids, other.relids)) continue;
          add(lev, makeJoinRel(root, old, other));
        }
      }
    });
    for (let k = 2; k <= Math.floor(lev / 2); k++) {
      for (const old of levels[k]) {
        if (!hasOutsideJoinclause(root, old) && !hasJoinRestriction(root, old)) continue;
        for (const nw of levels[lev - k]) {
          if (relidsOverlap(old.relids, nw.relids)) continue;
          if (haveRelevantJoinclause(root, old, nw) || haveJoinOrderRestriction(root, old, nw)) add(lev, makeJoinRel(root, old, nw));
        }
      }
    }
    if (levels[lev].length === 0) {
      for (const old of levels[lev - 1]) {
        for (const other of initialRels) {
          if (!relidsOverlap(old.relids, other.relids)) add(lev, makeJoinRel(root, old, other));
        }
      }
    }
    for (const rel of levels[lev]) setCheapest(rel);
  }
  const top = levels[n].find((r) => r.relids === root.all_baserels) ?? levels[n][0];
  if (top === undefined) throw new Error('failed to build any join of all relations');
  return top;
}

/** Beyond the collapse limit: join left-deep in the order written, choosing only the method. */
export function joinInWrittenOrder(root: PlannerInfo, initialRels: RelOptInfo[]): RelOptInfo {
  let cur = initialRels[0];
  const pending = initialRels.slice(1);
  while (pending.length > 0) {
    let joined: RelOptInfo | null = null;
    for (let i = 0; i < pending.length && joined === null; i++) {
      joined = makeJoinRel(root, cur, pending[i]);
      if (joined !== null) pending.splice(i, 1);
    }
    if (joined === null) throw new Error('no legal join order in the written order');
    setCheapest(joined);
    cur = joined;
  }
  return cur;
}
