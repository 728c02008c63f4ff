/*
 * joinpath.ts — the ways to join two relations (PostgreSQL's
 * optimizer/path/joinpath.c, with the join cost functions of costsize.c):
 * nested loop (optionally over a materialized or parameterized index inner),
 * hash join on hashable equalities, merge join on mergeable equalities with
 * both inputs sorted on them.
 *
 * Exports: addPathsToJoinrel(root, joinrel, outerrel, innerrel, jointype, sjinfo, restrictlist).
 *
 * jointype is as seen from (outerrel, innerrel): a LEFT join whose nullable
 * side is the outer input is JOIN_RIGHT here; nested loops cannot do RIGHT
 * or FULL joins.
 */

import type { JoinType } from '../../nodes/primnodes.ts';
import type { HashPath, MergePath, NestPath, Path, PathKey, PlannerInfo, RelOptInfo, RestrictInfo, SpecialJoinInfo } from '../pathnodes.ts';
import { rint, clampRowEst, costQualEval, costRescan, costSort, DISABLE_COST, execChooseHashTableSize, pageSize, relationByteSize } from './costsize.ts';
import { clauselistSelectivity } from './clausesel.ts';
import { pathkeysContainedIn } from './pathkeys.ts';
import { addPath, createMaterialPath } from '../util/pathnode.ts';
import { clauseSidesMatch } from '../util/restrictinfo.ts';
import { estimateHashBucketSize } from '../util/selfuncs.ts';
import { createParameterizedIndexPaths } from './indxpath.ts';
import { innerSj } from '../util/relnode.ts';
import { btreeLtOpForType } from '../util/lsyscache.ts';
import { exprType } from '../../nodes/nodeFuncs.ts';
import { relidsIsSubset } from '../pathnodes.ts';

interface SemiFactors { outer_match_frac: number; match_count: number }

interface JoinExtra {
  restrictlist: RestrictInfo[];
  sjinfo: SpecialJoinInfo;
  inner_unique: boolean;
  semifactors: SemiFactors;
}

/** Whether at most one inner row can match each outer row: a unique index fully equated by the join clauses (innerrel_is_unique). */
export function innerrelIsUnique(outer: Pick<RelOptInfo, 'relids'>, inner: RelOptInfo, restrictlist: RestrictInfo[]): boolean {
  if (inner.reloptkind !== 'RELOPT_BASEREL' || inner.indexlist.length === 0) return false;
  const equated = new Set<number>();
  for (const ri of restrictlist) {
    if (ri.mergeop === 0 || ri.clause.type !== 'OpExpr') continue;
    const side = clauseSidesMatch(ri, outer.relids, inner.relids);
    if (side === null) continue;
    let innerArg = side ? ri.clause.args[1] : ri.clause.args[0];
    while (innerArg.type === 'RelabelType') innerArg = innerArg.arg;
    if (innerArg.type === 'Var' && innerArg.varno === inner.relid) equated.add(innerArg.varattno);
  }
  return inner.indexlist.some((ix) => ix.unique && ix.indexkeys.every((k) => equated.has(k)));
}

function computeSemiAntiJoinFactors(root: PlannerInfo, outer: RelOptInfo, inner: RelOptInfo, jointype: JoinType, sjinfo: SpecialJoinInfo, restrictlist: RestrictInfo[]): SemiFactors {
  // ANTI ignores pushed-down quals; SEMI and inner joins use them all; other outer joins only their own.
  const joinquals = jointype === 'JOIN_SEMI' || jointype === 'JOIN_INNER' ? restrictlist : restrictlist.filter((r) => !r.is_pushed_down);
  // PostgreSQL's eqjoinsel picks its semi-join estimate by the SpecialJoinInfo's type, so for an inner join with a unique inner side this is the plain join selectivity.
  const jselec = clauselistSelectivity(root, joinquals, 0, sjinfo);
  const nselec = clauselistSelectivity(root, joinquals, 0, innerSj(root));
  let avgmatch = jselec > 0 ? (nselec * inner.rows) / jselec : 1.0;
  avgmatch = Math.max(1.0, avgmatch);
  return { outer_match_frac: jselec, match_count: avgmatch };
}

function approxTupleCount(root: PlannerInfo, outerRows: number, innerRows: number, clauses: RestrictInfo[]): number {
  let sel = 1.0;
  const sj = innerSj(root);
  for (const ri of clauses) sel *= clauselistSelectivity(root, [ri], 0, sj);
  return clampRowEst(outerRows * innerRows * sel);
}

function hasIndexedJoinQuals(inner: Path): boolean {
  return (inner.pathtype === 'IndexScan' || inner.pathtype === 'IndexOnlyScan') && inner.required_outer !== 0n;
}

/** Nested loop cost (initial_cost_nestloop + final_cost_nestloop). */
function costNestloop(root: PlannerInfo, joinrel: RelOptInfo, outer: Path, inner: Path, jointype: JoinType, extra: JoinExtra, joinquals: RestrictInfo[]): { startup: number; total: number } {
  const c = root.glob.cost;
  const outerRows = outer.rows;
  const innerRows = inner.rows;
  let startup = outer.startup_cost + inner.startup_cost;
  let run = outer.total_cost - outer.startup_cost;
  const rescan = costRescan(root, inner);
  if (outerRows > 1) run += (outerRows - 1) * rescan.startup_cost;
  const innerRunCost = inner.total_cost - inner.startup_cost;
  const innerRescanRunCost = rescan.total_cost - rescan.startup_cost;
  let ntuples: number;
  if (jointype === 'JOIN_SEMI' || jointype === 'JOIN_ANTI' || extra.inner_unique) {
    let outerMatched = rint(outerRows * extra.semifactors.outer_match_frac);
    let outerUnmatched = outerRows - outerMatched;
    const innerScanFrac = 2.0 / (extra.semifactors.match_count + 1.0);
    ntuples = outerMatched * innerRows * innerScanFrac;
    if (hasIndexedJoinQuals(inner)) {
      run += innerRunCost * innerScanFrac;
      if (outerMatched > 1) run += (outerMatched - 1) * innerRescanRunCost * innerScanFrac;
      run += (outerUnmatched * innerRescanRunCost) / innerRows;
    } else {
      ntuples += outerUnmatched * innerRows;
      run += innerRunCost;
      if (outerUnmatched >= 1) outerUnmatched -= 1;
      else outerMatched -= 1;
      if (outerMatched > 0) run += outerMatched * innerRescanRunCost * innerScanFrac;
      if (outerUnmatched > 0) run += outerUnmatched * innerRescanRunCost;
    }
  } else {
    run += innerRunCost;
    if (outerRows > 1) run += (outerRows - 1) * innerRescanRunCost;
    ntuples = outerRows * innerRows;
  }
  const qc = costQualEval(root, joinquals);
  startup += qc.startup;
  run += (c.cpu_tuple_cost + qc.per_tuple) * ntuples;
  if (!c.enable_nestloop) startup += DISABLE_COST;
  void joinrel;
  return { startup, total: startup + run };
}

/** Hash join cost (initial_cost_hashjoin + final_cost_hashjoin). */
function costHashjoin(root: PlannerInfo, outer: Path, inner: Path, jointype: JoinType, extra: JoinExtra, hashclauses: RestrictInfo[], innerIsOuterSide: boolean): { startup: number; total: number; nbatch: number } {
  const c = root.glob.cost;
  const outerRows = outer.rows;
  const innerRows = inner.rows;
  const n = hashclauses.length;
  let startup = outer.startup_cost;
  let run = outer.total_cost - outer.startup_cost;
  startup += inner.total_cost;
  startup += (c.cpu_operator_cost * n + c.cpu_tuple_cost) * innerRows;
  run += c.cpu_operator_cost * n * outerRows;
  const innerWidth = inner.parent.width;
  const { nbuckets, nbatch } = execChooseHashTableSize(root, innerRows, innerWidth);
  if (nbatch > 1) {
    const outerpages = pageSize(outerRows, outer.parent.width);
    const innerpages = pageSize(innerRows, innerWidth);
    startup += c.seq_page_cost * innerpages;
    run += c.seq_page_cost * (innerpages + 2 * outerpages);
  }
  const virtualbuckets = nbuckets * nbatch;
  // A duplicate-free (unique-ified) inner spreads evenly over the buckets.
  let innerbucketsize = inner.pathtype === 'Unique' ? 1.0 / virtualbuckets : 1.0;
  for (const ri of inner.pathtype === 'Unique' ? [] : hashclauses) {
    if (ri.clause.type !== 'OpExpr') continue;
    const side = clauseSidesMatch(ri, inner.parent.relids, outer.parent.relids);
    const innerExpr = side === true ? ri.clause.args[0] : ri.clause.args[1];
    const bs = estimateHashBucketSize(root, innerExpr, virtualbuckets);
    if (bs < innerbucketsize) innerbucketsize = bs;
  }
  void innerIsOuterSide;
  const hashQualCost = costQualEval(root, hashclauses);
  const others = extra.restrictlist.filter((r) => !hashclauses.includes(r));
  const qpQualCost = costQualEval(root, others);
  let hashjointuples = approxTupleCount(root, outerRows, innerRows, hashclauses);
  if (jointype === 'JOIN_SEMI' || jointype === 'JOIN_ANTI' || extra.inner_unique) {
    const outerMatched = rint(outerRows * extra.semifactors.outer_match_frac);
    const innerScanFrac = 2.0 / (extra.semifactors.match_count + 1.0);
    startup += hashQualCost.startup;
    run += hashQualCost.per_tuple * outerMatched * clampRowEst(innerRows * innerbucketsize * innerScanFrac) * 0.5;
    run += hashQualCost.per_tuple * (outerRows - outerMatched) * clampRowEst(innerRows / virtualbuckets) * 0.05;
    hashjointuples = jointype === 'JOIN_ANTI' ? outerRows - outerMatched : outerMatched;
  } else {
    startup += hashQualCost.startup;
    run += hashQualCost.per_tuple * outerRows * clampRowEst(innerRows * innerbucketsize) * 0.5;
  }
  startup += qpQualCost.startup;
  run += (c.cpu_tuple_cost + qpQualCost.per_tuple) * hashjointuples;
  if (!c.enable_hashjoin) startup += DISABLE_COST;
  return { startup, total: startup + run, nbatch };
}

/** Merge join cost (initial_cost_mergejoin + final_cost_mergejoin) without statistics: both inputs are read entirely. */
function costMergejoin(root: PlannerInfo, outer: Path, inner: Path, outerSorted: boolean, innerSorted: boolean, extra: JoinExtra, mergeclauses: RestrictInfo[], jointype: JoinType): { startup: number; total: number; materialize: boolean } {
  const c = root.glob.cost;
  const outerRows = outer.rows;
  const innerRows = inner.rows;
  let startup = 0;
  let run = 0;
  if (!outerSorted) {
    const s = costSort(root, outer.total_cost, outerRows, outer.parent.width, -1);
    startup += s.startup_cost;
    run += s.total_cost - s.startup_cost;
  } else {
    startup += outer.startup_cost;
    run += outer.total_cost - outer.startup_cost;
  }
  let innerRunCost: number;
  if (!innerSorted) {
    const s = costSort(root, inner.total_cost, innerRows, inner.parent.width, -1);
    startup += s.startup_cost;
    innerRunCost = s.total_cost - s.startup_cost;
  } else {
    startup += inner.startup_cost;
    innerRunCost = inner.total_cost - inner.startup_cost;
  }
  const mergejointuples = approxTupleCount(root, outerRows, innerRows, mergeclauses);
  const rescanned = Math.max(mergejointuples - innerRows, 0);
  const rescanratio = 1.0 + rescanned / innerRows;
  const bareInnerCost = innerRunCost * rescanratio;
  const matInnerCost = innerRunCost + c.cpu_operator_cost * innerRows * rescanratio;
  let materialize: boolean;
  const innerSupportsMark = !innerSorted || inner.pathtype === 'IndexScan' || inner.pathtype === 'IndexOnlyScan' || inner.pathtype === 'Sort' || inner.pathtype === 'Material';
  if (c.enable_material && matInnerCost < bareInnerCost) materialize = true;
  else if (innerSorted && !innerSupportsMark) materialize = true;
  else if (c.enable_material && !innerSorted && relationByteSize(innerRows, inner.parent.width) > c.work_mem * 1024) materialize = true;
  else materialize = false;
  run += materialize ? matInnerCost : bareInnerCost;
  const mergeQual = costQualEval(root, mergeclauses);
  const qp = costQualEval(root, extra.restrictlist.filter((r) => !mergeclauses.includes(r)));
  startup += mergeQual.startup;
  run += mergeQual.per_tuple * (outerRows + innerRows * rescanratio);
  startup += qp.startup;
  let ntuples = mergejointuples;
  if (jointype === 'JOIN_SEMI' || jointype === 'JOIN_ANTI' || extra.inner_unique) ntuples = rint(outerRows * extra.semifactors.outer_match_frac);
  run += (c.cpu_tuple_cost + qp.per_tuple) * ntuples;
  if (!c.enable_mergejoin) startup += DISABLE_COST;
  return { startup, total: startup + run, materialize };
}

/** The unparameterized paths worth trying as a join's outer input: cheapest total, cheapest startup, and ordered ones. */
function outerCandidates(rel: RelOptInfo): Path[] {
  const out: Path[] = [];
  for (const p of [rel.cheapest_total_path, rel.cheapest_startup_path, ...rel.pathlist.filter((x) => x.pathkeys.length > 0)]) {
    if (p !== null && p.required_outer === 0n && !out.includes(p)) out.push(p);
  }
  return out;
}

export function addPathsToJoinrel(
  root: PlannerInfo, joinrel: RelOptInfo, outerrel: RelOptInfo, innerrel: RelOptInfo, jointype: JoinType,
  sjinfo: SpecialJoinInfo, restrictlist: RestrictInfo[], uniqueInner?: boolean,
): void {
  const c = root.glob.cost;
  // A unique-ified semi-join inner is unique by construction (JOIN_UNIQUE_INNER); a unique-ified outer never is.
  const innerUnique = uniqueInner === true || (uniqueInner === undefined && jointype !== 'JOIN_SEMI' && jointype !== 'JOIN_ANTI' && innerrelIsUnique(outerrel, innerrel, restrictlist));
  const semifactors = jointype === 'JOIN_SEMI' || jointype === 'JOIN_ANTI' || innerUnique
    ? computeSemiAntiJoinFactors(root, outerrel, innerrel, jointype, sjinfo, restrictlist)
    : { outer_match_frac: 1, match_count: 1 };
  const extra: JoinExtra = { restrictlist, sjinfo, inner_unique: innerUnique, semifactors };
  function extraFor(): JoinExtra {
    return extra;
  }
  const innerCheapest = innerrel.cheapest_total_path;
  if (outerrel.cheapest_total_path === null) return;
  if (innerCheapest === null) {
    // Only parameterized (LATERAL) inner paths: a nested loop whose outer side supplies their parameters.
    if (jointype === 'JOIN_RIGHT' || jointype === 'JOIN_FULL') return;
    for (const inner of innerrel.pathlist) {
      if (inner.required_outer === 0n || !relidsIsSubset(inner.required_outer, outerrel.relids)) continue;
      for (const outer of outerCandidates(outerrel)) {
        const cost = costNestloop(root, joinrel, outer, inner, jointype, extraFor(), restrictlist);
        addPath(root, joinrel, {
          pathtype: 'NestLoop', parent: joinrel, rows: joinrel.rows, startup_cost: cost.startup, total_cost: cost.total,
          pathkeys: outer.pathkeys, required_outer: 0n, jointype, inner_unique: false,
          outerjoinpath: outer, innerjoinpath: inner, joinrestrictinfo: restrictlist,
        });
      }
    }
    return;
  }
  const mk = <T extends NestPath | MergePath | HashPath>(p: T): T => p;

  // Nested loops.
  if (jointype !== 'JOIN_RIGHT' && jointype !== 'JOIN_FULL') {
    const inners: Path[] = [innerCheapest];
    if (c.enable_material && innerCheapest.pathtype !== 'Material' && innerCheapest.pathtype !== 'Sort') inners.push(createMaterialPath(root, innerrel, innerCheapest));
    const paramPaths = innerrel.reloptkind === 'RELOPT_BASEREL'
      ? createParameterizedIndexPaths(root, innerrel, outerrel.relids, Math.max(outerrel.rows, 1))
      : [];
    for (const outer of outerCandidates(outerrel)) {
      for (const inner of [...inners, ...paramPaths]) {
        if (inner.required_outer !== 0n && !relidsIsSubset(inner.required_outer, outerrel.relids)) continue;
        const enforced = inner.pathtype === 'IndexScan' || inner.pathtype === 'IndexOnlyScan' ? inner.indexclauses.map((ic) => ic.rinfo) : [];
        const joinquals = restrictlist.filter((r) => !enforced.includes(r));
        const cost = costNestloop(root, joinrel, outer, inner, jointype, extra, joinquals);
        addPath(root, joinrel, mk<NestPath>({
          pathtype: 'NestLoop', parent: joinrel, rows: joinrel.rows, startup_cost: cost.startup, total_cost: cost.total,
          pathkeys: outer.pathkeys, required_outer: 0n, jointype, inner_unique: innerUnique,
          outerjoinpath: outer, innerjoinpath: inner, joinrestrictinfo: joinquals,
        }));
      }
    }
  }

  // Hash joins.
  const hashclauses = restrictlist.filter((ri) => ri.hashjoinable && (jointype === 'JOIN_INNER' || !ri.is_pushed_down)
    && clauseSidesMatch(ri, outerrel.relids, innerrel.relids) !== null);
  if (hashclauses.length > 0) {
    const outer = outerrel.cheapest_total_path;
    const cost = costHashjoin(root, outer, innerCheapest, jointype, extra, hashclauses, false);
    addPath(root, joinrel, mk<HashPath>({
      pathtype: 'HashJoin', parent: joinrel, rows: joinrel.rows, startup_cost: cost.startup, total_cost: cost.total,
      pathkeys: [], required_outer: 0n, jointype, inner_unique: innerUnique, outerjoinpath: outer, innerjoinpath: innerCheapest,
      joinrestrictinfo: restrictlist, path_hashclauses: hashclauses, num_batches: cost.nbatch, inner_rows_total: innerCheapest.rows,
    }));
  }

  // Merge joins: sort both sides on the mergeable clauses (ascending), unless a path is already in that order.
  const mergeclauses = restrictlist.filter((ri) => ri.mergeop !== 0 && (jointype === 'JOIN_INNER' || !ri.is_pushed_down)
    && clauseSidesMatch(ri, outerrel.relids, innerrel.relids) !== null);
  // A FULL merge join can apply extra join quals only when they are constants (select_mergejoin_clauses):
  // with no merge clauses at all (FULL JOIN ... ON false) every inner row forms one group.
  const fullMergeOk = jointype === 'JOIN_FULL'
    && restrictlist.every((r) => r.is_pushed_down || mergeclauses.includes(r) || r.clause.type === 'Const');
  if ((mergeclauses.length > 0 && jointype !== 'JOIN_FULL') || fullMergeOk) {
    const outerKeys: PathKey[] = [];
    const innerKeys: PathKey[] = [];
    for (const ri of mergeclauses) {
      if (ri.clause.type !== 'OpExpr') continue;
      const side = clauseSidesMatch(ri, outerrel.relids, innerrel.relids) as boolean;
      const oexpr = side ? ri.clause.args[0] : ri.clause.args[1];
      const iexpr = side ? ri.clause.args[1] : ri.clause.args[0];
      const oec = side ? ri.left_ec : ri.right_ec;
      const iec = side ? ri.right_ec : ri.left_ec;
      outerKeys.push({ ec: oec >= 0 ? oec : 0, ltop: btreeLtOpForType(exprType(oexpr)), reverse: false, nulls_first: false });
      innerKeys.push({ ec: iec >= 0 ? iec : 0, ltop: btreeLtOpForType(exprType(iexpr)), reverse: false, nulls_first: false });
    }
    if (mergeclauses.every((ri) => ri.left_ec >= 0)) {
      for (const outer of outerCandidates(outerrel)) {
        const outerSorted = pathkeysContainedIn(root, outerKeys, outer.pathkeys);
        if (!outerSorted && outer !== outerrel.cheapest_total_path) continue;
        let inner = innerCheapest;
        let innerSorted = pathkeysContainedIn(root, innerKeys, inner.pathkeys);
        for (const p of innerrel.pathlist) {
          if (p.required_outer === 0n && pathkeysContainedIn(root, innerKeys, p.pathkeys) && (!innerSorted || p.total_cost < inner.total_cost)) {
            const sorted = costSort(root, innerCheapest.total_cost, innerCheapest.rows, innerrel.width, -1);
            if (p.total_cost < sorted.total_cost) {
              inner = p;
              innerSorted = true;
            }
          }
        }
        const cost = costMergejoin(root, outer, inner, outerSorted, innerSorted, extra, mergeclauses, jointype);
        addPath(root, joinrel, mk<MergePath>({
          pathtype: 'MergeJoin', parent: joinrel, rows: joinrel.rows, startup_cost: cost.startup, total_cost: cost.total,
          // build_join_pathkeys: a RIGHT or FULL join emits null-extended outer rows out of order.
          pathkeys: jointype === 'JOIN_FULL' || jointype === 'JOIN_RIGHT' ? [] : outerKeys, required_outer: 0n, jointype, inner_unique: innerUnique,
          outerjoinpath: outer, innerjoinpath: inner, joinrestrictinfo: restrictlist, path_mergeclauses: mergeclauses,
          outersortkeys: outerSorted ? [] : outerKeys, innersortkeys: innerSorted ? [] : innerKeys, materialize_inner: cost.materialize,
        }));
      }
    }
  }
}
