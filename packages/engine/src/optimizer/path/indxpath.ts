/*
 * indxpath.ts — B-tree index paths for a base relation (PostgreSQL's
 * optimizer/path/indxpath.c, with btcostestimate / genericcostestimate from
 * utils/adt/selfuncs.c).
 *
 * Exports: createIndexPaths(root, rel), createParameterizedIndexPaths(root, rel, outerRelids, loopCount),
 * matchClauseToIndexcol.
 *
 * A clause can drive a B-tree scan when it is `column op value` on an index
 * column with op one of the column type's btree operators (<, <=, =, >=, >),
 * `column IS NULL`, or `column = ANY(array)`, and value does not reference
 * the relation itself (a constant, a Param, or an outer relation's column in
 * a parameterized path). An index is also useful with no clause when its
 * order matches ORDER BY (or a merge join), scanned forward or backward. A
 * path is index-only when every column the query needs from the relation is
 * an index key.
 */

import type { Expr, OpExpr } from '../../nodes/primnodes.ts';
import { exprType } from '../../nodes/nodeFuncs.ts';
import type { BitmapHeapPath, IndexClause, IndexOptInfo, IndexPath, Path, PathKey, PlannerInfo, Relids, RelOptInfo, RestrictInfo } from '../pathnodes.ts';
import { relidBit, relidsIsSubset, relidsOverlap } from '../pathnodes.ts';
import { rint, clampRowEst, costBitmapHeapScan, costExprEval, costIndexHeap, costQualEval, DEFAULT_PAGE_CPU_MULTIPLIER, DISABLE_COST, estimateArrayLength, indexPagesFetched, LOG2 } from './costsize.ts';
import { clauselistSelectivity } from './clausesel.ts';
import { buildIndexPathkeys, pathkeysCountContainedIn, truncateUselessPathkeys } from './pathkeys.ts';
import { addPath } from '../util/pathnode.ts';
import { btreeStrategyOf, getCommutator, getOperator } from '../util/lsyscache.ts';
import { containVolatileFunctions } from '../util/clauses.ts';
import { pullVarnos, pullVars } from '../util/var.ts';

function stripRelabel(e: Expr): Expr {
  while (e.type === 'RelabelType') e = e.arg;
  return e;
}

const isIndexColumn = (e: Expr, rti: number, attno: number): boolean => {
  const s = stripRelabel(e);
  return s.type === 'Var' && s.varno === rti && s.varattno === attno && s.varlevelsup === 0;
};

/**
 * Whether the clause can be an index condition on column `col` of the index
 * (match_clause_to_indexcol); returns the clause with the column on the
 * left, commuting the operator when needed.
 */
export function matchClauseToIndexcol(rti: number, index: IndexOptInfo, col: number, ri: RestrictInfo): Expr | null {
  const attno = index.indexkeys[col];
  const c = ri.clause;
  const self = relidBit(rti);
  if (c.type === 'OpExpr' && c.args.length === 2) {
    const strategy = btreeStrategyOf(c.opno);
    if (strategy === 0) return null;
    const [l, r] = c.args;
    // The RestrictInfo has each side's relations (makeRestrictInfo fills them for `a op b`).
    const lrelids = c.opretset ? pullVarnos(l) : ri.left_relids;
    const rrelids = c.opretset ? pullVarnos(r) : ri.right_relids;
    if (isIndexColumn(l, rti, attno) && !relidsOverlap(rrelids, self) && !containVolatileFunctions(r)) {
      const op = getOperator(c.opno);
      if (op !== null && op.oprleft !== index.keytypes[col] && exprType(stripRelabel(l)) !== op.oprleft) return null;
      return c;
    }
    if (isIndexColumn(r, rti, attno) && !relidsOverlap(lrelids, self) && !containVolatileFunctions(l)) {
      const com = getCommutator(c.opno);
      if (com === 0) return null;
      const comOp = getOperator(com);
      if (comOp === null || btreeStrategyOf(com) === 0) return null;
      const commuted: OpExpr = { ...c, opno: com, opfuncid: comOp.oprcode, args: [r, l] };
      return commuted;
    }
    return null;
  }
  if (c.type === 'NullTest' && !c.argisrow && isIndexColumn(c.arg, rti, attno)) return c;
  if (c.type === 'ScalarArrayOpExpr' && c.useOr && btreeStrategyOf(c.opno) === 3 && isIndexColumn(c.args[0], rti, attno)
    && !relidsOverlap(pullVarnos(c.args[1]), self) && !containVolatileFunctions(c.args[1])) return c;
  return null;
}

/** The index clauses among `clauses`, per column in index order. */
function matchClausesToIndex(rti: number, index: IndexOptInfo, clauses: RestrictInfo[]): IndexClause[] {
  const out: IndexClause[] = [];
  for (let col = 0; col < index.indexkeys.length; col++) {
    for (const ri of clauses) {
      if (out.some((ic) => ic.rinfo === ri)) continue;
      const m = matchClauseToIndexcol(rti, index, col, ri);
      if (m !== null) out.push({ rinfo: ri, indexcol: col, clause: m });
    }
  }
  return out;
}

interface IndexCost { startup: number; total: number; selectivity: number; correlation: number }

/** btcostestimate over genericcostestimate: index pages and tuples visited, plus the descent. */
function btcostestimate(root: PlannerInfo, rel: RelOptInfo, index: IndexOptInfo, iclauses: IndexClause[], loopCount: number): IndexCost {
  const c = root.glob.cost;
  // Boundary quals: every clause on leading columns up to the first column without "=".
  let numSaScans = 1;
  const boundQuals: RestrictInfo[] = [];
  let eqQualHere = false;
  let foundSaop = false;
  let foundIsNull = false;
  let indexcol = 0;
  let lastCol = -1;
  for (const ic of iclauses) {
    if (ic.indexcol !== indexcol) {
      if (!eqQualHere || ic.indexcol !== indexcol + 1) break;
      eqQualHere = false;
      indexcol++;
    }
    lastCol = indexcol;
    const cl = ic.clause;
    if (cl.type === 'ScalarArrayOpExpr') {
      foundSaop = true;
      numSaScans *= Math.max(estimateArrayLength(cl.args[1]), 1);
      eqQualHere = true;
    } else if (cl.type === 'NullTest') {
      foundIsNull = true;
      eqQualHere = true;
    } else if (cl.type === 'OpExpr' && btreeStrategyOf(cl.opno) === 3) {
      eqQualHere = true;
    }
    boundQuals.push(ic.rinfo);
  }
  // B-tree combines the primitive scans of nearby array elements: at most one descent per three index pages (PostgreSQL 17+).
  if (foundSaop) numSaScans = Math.max(Math.min(numSaScans, Math.ceil(index.pages * 0.3333333)), 1);
  let numIndexTuples: number;
  if (index.unique && lastCol === index.indexkeys.length - 1 && eqQualHere && !foundSaop && !foundIsNull) {
    numIndexTuples = 1.0;
  } else {
    const btreeSelectivity = clauselistSelectivity(root, boundQuals, rel.relid, null);
    numIndexTuples = btreeSelectivity * rel.tuples;
    numIndexTuples = rint(numIndexTuples / numSaScans);
  }
  // genericcostestimate
  const allQuals = iclauses.map((ic) => ic.rinfo);
  const indexSelectivity = clauselistSelectivity(root, allQuals, rel.relid, null);
  if (numIndexTuples <= 0) numIndexTuples = rint((indexSelectivity * rel.tuples) / numSaScans);
  if (numIndexTuples > index.tuples) numIndexTuples = index.tuples;
  if (numIndexTuples < 1.0) numIndexTuples = 1.0;
  const numIndexPages = index.pages > 1 && index.tuples > 1 ? Math.ceil((numIndexTuples * index.pages) / index.tuples) : 1.0;
  let indexTotalCost: number;
  if (loopCount > 1 || numSaScans > 1) {
    let pf = numIndexPages * numSaScans;
    pf = indexPagesFetched(root, pf * loopCount, index.pages, index.pages);
    indexTotalCost = (pf * c.random_page_cost) / loopCount;
  } else {
    indexTotalCost = numIndexPages * c.random_page_cost;
  }
  // The comparison values are computed once per scan; each index tuple costs one operator per qual.
  let qualArgCost = 0;
  for (const ic of iclauses) {
    const other = ic.clause.type === 'OpExpr' || ic.clause.type === 'ScalarArrayOpExpr' ? ic.clause.args[1] : null;
    if (other !== null) qualArgCost += costExprEval(root, other).per_tuple;
  }
  const qualOpCost = c.cpu_operator_cost * iclauses.length;
  let startup = qualArgCost;
  indexTotalCost += qualArgCost;
  indexTotalCost += numIndexTuples * numSaScans * (c.cpu_index_tuple_cost + qualOpCost);
  // Descending the tree: a comparison per level of a binary search, and a page's worth of CPU per level.
  if (index.tuples > 1) {
    const descent = Math.ceil(LOG2(index.tuples)) * c.cpu_operator_cost;
    startup += descent;
    indexTotalCost += numSaScans * descent;
  }
  const descent2 = (index.tree_height + 1) * DEFAULT_PAGE_CPU_MULTIPLIER * c.cpu_operator_cost;
  startup += descent2;
  indexTotalCost += numSaScans * descent2;
  return { startup, total: indexTotalCost, selectivity: indexSelectivity, correlation: 0 };
}

/** Whether every column the relation must produce (and every restriction's column) is an index key (check_index_only). */
function checkIndexOnly(rel: RelOptInfo, index: IndexOptInfo): boolean {
  const needed = new Set<number>();
  for (const e of rel.reltarget) for (const v of pullVars(e)) needed.add(v.varattno);
  for (const ri of rel.baserestrictinfo) for (const v of pullVars(ri.clause)) if (v.varno === rel.relid) needed.add(v.varattno);
  for (const a of needed) if (a <= 0 || !index.indexkeys.includes(a)) return false;
  return true;
}

function buildIndexPath(
  root: PlannerInfo, rel: RelOptInfo, index: IndexOptInfo, iclauses: IndexClause[], pathkeys: PathKey[], backward: boolean,
  indexOnly: boolean, requiredOuter: Relids, loopCount: number, rows: number,
): IndexPath {
  const ic = btcostestimate(root, rel, index, iclauses, loopCount);
  // Restrictions not enforced by the index are checked on each fetched row.
  const iclauseSet = new Set(iclauses.map((x) => x.rinfo));
  const qpquals = rel.baserestrictinfo.filter((ri) => !iclauseSet.has(ri));
  const qpcost = costQualEval(root, qpquals);
  const cost = costIndexHeap(root, rel, ic.total, ic.startup, ic.selectivity, index.pages, indexOnly, qpcost, loopCount, ic.correlation);
  const c = root.glob.cost;
  let startup = cost.startup_cost;
  if (indexOnly ? !c.enable_indexonlyscan : !c.enable_indexscan) startup += DISABLE_COST;
  return {
    pathtype: indexOnly ? 'IndexOnlyScan' : 'IndexScan', parent: rel, rows,
    startup_cost: startup, total_cost: cost.total_cost - cost.startup_cost + startup,
    pathkeys, required_outer: requiredOuter, indexinfo: index, indexclauses: iclauses,
    indexorderdir: backward ? 'BackwardScanDirection' : 'ForwardScanDirection',
    indextotalcost: ic.total, indexselectivity: ic.selectivity,
  };
}

/** The equivalence classes merge joins could use (for keeping index orders that feed them). */
function mergeEcsOf(root: PlannerInfo, rel: RelOptInfo): Set<number> {
  const out = new Set<number>();
  for (const ri of rel.joininfo) {
    if (ri.mergeop !== 0 && ri.left_ec >= 0) {
      out.add(eclassId(root, ri.left_ec));
      out.add(eclassId(root, ri.right_ec));
    }
  }
  return out;
}

import { eclassOf } from './equivclass.ts';
const eclassId = (root: PlannerInfo, id: number): number => eclassOf(root, id).id;

/** Plain and bitmap index paths over the relation's restriction clauses, and ordered full-index paths (create_index_paths). */
export function createIndexPaths(root: PlannerInfo, rel: RelOptInfo): void {
  const c = root.glob.cost;
  const mergeEcs = mergeEcsOf(root, rel);
  // has_useful_pathkeys: with no ORDER BY / GROUP BY / DISTINCT / window order and no merge join
  // to feed, an index's order helps nothing, so its pathkeys are not even built.
  const orderUseful = root.query_pathkeys.length > 0 || mergeEcs.size > 0;
  for (const index of rel.indexlist) {
    const iclauses = matchClausesToIndex(rel.relid, index, rel.baserestrictinfo);
    const hasLeading = iclauses.some((ic) => ic.indexcol === 0);
    if (!hasLeading && !orderUseful) continue;
    const indexOnly = checkIndexOnly(rel, index);
    // The unordered forward plain index scan serves as the bitmap scan's index path too (build_index_paths
    // puts the same IndexPath on bitindexpaths); it is built once.
    let plainForward: IndexPath | null = null;
    for (const backward of [false, true]) {
      const keys = orderUseful ? truncateUselessPathkeys(root, buildIndexPathkeys(root, rel.relid, index, backward), mergeEcs) : [];
      if (backward && keys.length === 0) continue;
      if (!hasLeading && keys.length === 0) continue;
      const used = hasLeading ? iclauses : iclauses.filter((ic) => ic.indexcol === 0);
      const p = buildIndexPath(root, rel, index, used, keys, backward, indexOnly, 0n, 1, rel.rows);
      if (!backward && !indexOnly && keys.length === 0 && used === iclauses) plainForward = p;
      if (!c.enable_indexscan && !indexOnly) continue;
      addPath(root, rel, p);
    }
    // A bitmap scan reads the matching heap pages in physical order: good for more than a handful of rows.
    if (hasLeading && c.enable_bitmapscan) {
      const ip = plainForward ?? buildIndexPath(root, rel, index, iclauses, [], false, false, 0n, 1, rel.rows);
      addPath(root, rel, createBitmapHeapPath(root, rel, ip, 1));
    }
  }
}

export function createBitmapHeapPath(root: PlannerInfo, rel: RelOptInfo, ip: IndexPath, loopCount: number): BitmapHeapPath {
  // The bitmap's per-tuple charge uses the index path's row estimate (the relation's rows after all restrictions).
  const cost = costBitmapHeapScan(root, rel, ip.indextotalcost, ip.indexselectivity, ip.rows, ip.indexinfo.pages, loopCount);
  return {
    pathtype: 'BitmapHeapScan', parent: rel, rows: ip.rows, startup_cost: cost.startup_cost, total_cost: cost.total_cost,
    pathkeys: [], required_outer: ip.required_outer, bitmapqual: ip,
  };
}

/**
 * Index paths whose conditions use columns of `outerRelids` (the inner side
 * of a nested loop run once per outer row): `inner.col = outer.col` becomes
 * an index condition on a parameter the join supplies.
 */
export function createParameterizedIndexPaths(root: PlannerInfo, rel: RelOptInfo, outerRelids: Relids, loopCount: number): Path[] {
  const out: Path[] = [];
  // An outer join's own ON clause may drive the inner scan too: rows it rejects would only be NULL-extended away.
  const joinClauses = rel.joininfo.filter((ri) => relidsIsSubset(ri.required_relids, outerRelids | rel.relids)
    && relidsOverlap(ri.clause_relids, outerRelids));
  if (joinClauses.length === 0) return out;
  for (const index of rel.indexlist) {
    const iclauses = matchClausesToIndex(rel.relid, index, [...rel.baserestrictinfo, ...joinClauses]);
    const paramClauses = iclauses.filter((ic) => joinClauses.includes(ic.rinfo));
    if (paramClauses.length === 0 || !iclauses.some((ic) => ic.indexcol === 0)) continue;
    let required = 0n;
    for (const ic of paramClauses) required |= ic.rinfo.clause_relids & ~rel.relids;
    const sel = clauselistSelectivity(root, [...rel.baserestrictinfo, ...paramClauses.map((ic) => ic.rinfo)], rel.relid, null);
    const rows = clampRowEst(rel.tuples * sel);
    const indexOnly = checkIndexOnly(rel, index);
    out.push(buildIndexPath(root, rel, index, iclauses, [], false, indexOnly, required, loopCount, rows));
  }
  return out;
}

/** How many of the query's pathkeys the path provides (for choosing ordered paths). */
export function usefulPathkeysCount(root: PlannerInfo, p: Path): number {
  return pathkeysCountContainedIn(root, root.query_pathkeys, p.pathkeys);
}
