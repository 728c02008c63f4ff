/*
 * pathkeys.ts — sort orders (PostgreSQL's optimizer/path/pathkeys.c): the
 * order a path's rows come out in, and the orders the query wants (ORDER BY,
 * GROUP BY, DISTINCT, window PARTITION/ORDER, merge join inputs).
 *
 * Exports: makePathkeysForSortclauses, makePathkey, pathkeysEqual,
 * pathkeysContainedIn, pathkeysCountContainedIn, buildIndexPathkeys,
 * truncateUselessPathkeys, pathkeySortOp, pathkeyExprFor.
 */

import type { Expr, SortGroupClause, TargetEntry } from '../../nodes/primnodes.ts';
import { exprType } from '../../nodes/nodeFuncs.ts';
import type { IndexOptInfo, PathKey, PlannerInfo, Relids } from '../pathnodes.ts';
import { btreeGtOpForType, btreeLtOpForType, btreeStrategyOf, getCommutator } from '../util/lsyscache.ts';
import { eclassMemberFor, eclassOf, getEclass } from './equivclass.ts';

export function makePathkey(root: PlannerInfo, e: Expr, reverse: boolean, nullsFirst: boolean): PathKey {
  const ec = getEclass(root, e);
  return { ec, ltop: btreeLtOpForType(exprType(e)), reverse, nulls_first: nullsFirst };
}

/** The pathkeys of a list of ORDER BY / GROUP BY items; [] if some item cannot be sorted. */
export function makePathkeysForSortclauses(root: PlannerInfo, clauses: SortGroupClause[], tlist: TargetEntry[]): PathKey[] {
  const out: PathKey[] = [];
  for (const sgc of clauses) {
    const tle = tlist.find((t) => t.ressortgroupref === sgc.tleSortGroupRef);
    if (tle === undefined || sgc.sortop === 0) return [];
    const reverse = btreeStrategyOf(sgc.sortop) === 5;
    const pk = makePathkey(root, tle.expr, reverse, sgc.nulls_first);
    // The clause's own operator is the authority on how to sort (it may be a cross-type or binary-coercible one).
    const lt = reverse ? getCommutator(sgc.sortop) : sgc.sortop;
    if (lt !== 0) pk.ltop = lt;
    // A second key on the same class adds nothing (pathkey_is_redundant).
    if (out.some((p) => eclassOf(root, p.ec) === eclassOf(root, pk.ec))) continue;
    out.push(pk);
  }
  return out;
}

export function pathkeyEqual(root: PlannerInfo, a: PathKey, b: PathKey): boolean {
  return eclassOf(root, a.ec) === eclassOf(root, b.ec) && a.reverse === b.reverse && a.nulls_first === b.nulls_first;
}

export function pathkeysEqual(root: PlannerInfo, a: PathKey[], b: PathKey[]): boolean {
  return a.length === b.length && a.every((k, i) => pathkeyEqual(root, k, b[i]));
}

/** Whether `have` starts with all of `want` (pathkeys_contained_in). */
export function pathkeysContainedIn(root: PlannerInfo, want: PathKey[], have: PathKey[]): boolean {
  if (want.length > have.length) return false;
  return want.every((k, i) => pathkeyEqual(root, k, have[i]));
}

/** How many leading keys of `want` `have` provides. */
export function pathkeysCountContainedIn(root: PlannerInfo, want: PathKey[], have: PathKey[]): number {
  let n = 0;
  while (n < want.length && n < have.length && pathkeyEqual(root, want[n], have[n])) n++;
  return n;
}

/** The order an index scan returns (build_index_pathkeys); stops at the first column it cannot express. */
export function buildIndexPathkeys(root: PlannerInfo, rti: number, index: IndexOptInfo, backward: boolean): PathKey[] {
  const out: PathKey[] = [];
  for (let i = 0; i < index.indexkeys.length; i++) {
    const attno = index.indexkeys[i];
    const rel = root.simple_rel_array[rti];
    const att = rel?.relinfo?.attrs[attno - 1];
    if (att === undefined) break;
    const v: Expr = { type: 'Var', varno: rti, varattno: attno, vartype: att.atttypid, vartypmod: att.atttypmod, varlevelsup: 0, location: -1 };
    const reverse = index.reverse_sort[i] !== backward;
    const nullsFirst = index.nulls_first[i] !== backward;
    const pk = makePathkey(root, v, reverse, nullsFirst);
    if (out.some((p) => eclassOf(root, p.ec) === eclassOf(root, pk.ec))) continue;
    out.push(pk);
  }
  return out;
}

/** Pathkeys worth keeping: the longest prefix that helps the query's order or a merge join (truncate_useless_pathkeys). */
export function truncateUselessPathkeys(root: PlannerInfo, keys: PathKey[], mergeEcs: Set<number>): PathKey[] {
  const nQuery = pathkeysCountContainedIn(root, root.query_pathkeys, keys);
  let nMerge = 0;
  while (nMerge < keys.length && mergeEcs.has(eclassOf(root, keys[nMerge].ec).id)) nMerge++;
  const n = Math.max(nQuery, nMerge);
  return keys.slice(0, n);
}

/** The "<" or ">" operator that sorts by the pathkey, for an expression of type typ. */
export function pathkeySortOp(pk: PathKey, typ: number): number {
  const byType = pk.reverse ? btreeGtOpForType(typ) : btreeLtOpForType(typ);
  if (byType !== 0) return byType;
  if (pk.ltop === 0) return 0;
  return pk.reverse ? getCommutator(pk.ltop) : pk.ltop;
}

/** An expression of the pathkey's class computable from relids (for a Sort's key). */
export function pathkeyExprFor(root: PlannerInfo, pk: PathKey, relids: Relids): Expr | null {
  return eclassMemberFor(root, pk.ec, relids)?.expr ?? null;
}

export { getCommutator };
