/*
 * pathnodes.ts — the planner's working data structures (PostgreSQL's
 * nodes/pathnodes.h): PlannerGlobal and PlannerInfo (per query level),
 * RelOptInfo (a base relation or a join of several), RestrictInfo (a WHERE
 * or JOIN ON clause with what the planner learned about it), Path (one way
 * to produce a relation's rows, with its costs) and PathKey (a sort order).
 *
 * None of this leaves the planner: createplan.ts turns the chosen Paths into
 * nodes/plannodes.ts Plans.
 *
 * Relids are bigint bitmaps of range-table indexes (bit n = rtindex n), so a
 * join's relids are the union of its inputs' and subset tests are one AND.
 */

import type { Query, RangeTblEntry, CommonTableExpr } from '../nodes/parsenodes.ts';
import type { Plan } from '../nodes/plannodes.ts';
import type { Expr, JoinType, SubPlan, Var } from '../nodes/primnodes.ts';
import type { CatalogAccess, IndexInfo, RelationInfo } from '../utils/rel.ts';
import type { Relation } from '../access/heap/relation.ts';
import type { CostParams } from './path/costsize.ts';

export type Relids = bigint;

export const EMPTY_RELIDS: Relids = 0n;
/** The one-member sets of the first range-table indexes, made once: a BigInt shift allocates every time. */
const SMALL_RELID_BITS: readonly Relids[] = Array.from({ length: 64 }, (_, i) => 1n << BigInt(i));
export const relidBit = (rti: number): Relids => (rti >= 0 && rti < 64 ? SMALL_RELID_BITS[rti] : 1n << BigInt(rti));
export const relidsIsSubset = (a: Relids, b: Relids): boolean => (a & ~b) === 0n;
export const relidsOverlap = (a: Relids, b: Relids): boolean => (a & b) !== 0n;
/** Sets of range-table indexes below 31 (every query but the largest) fit a small integer: bit loops then allocate nothing. */
const SMALL_RELIDS_LIMIT = 0x80000000n;
export function relidsMembers(r: Relids): number[] {
  const out: number[] = [];
  if (r >= 0n && r < SMALL_RELIDS_LIMIT) {
    for (let n = Number(r), i = 0; n !== 0; n >>>= 1, i++) if ((n & 1) !== 0) out.push(i);
    return out;
  }
  let i = 0;
  while (r !== 0n) {
    if ((r & 1n) !== 0n) out.push(i);
    r >>= 1n;
    i++;
  }
  return out;
}
export function relidsCount(r: Relids): number {
  if (r >= 0n && r < SMALL_RELIDS_LIMIT) {
    let c = 0;
    for (let n = Number(r); n !== 0; n &= n - 1) c++;
    return c;
  }
  return relidsMembers(r).length;
}
/** The single member of a one-element set, or -1. */
export function relidsSingleton(r: Relids): number {
  if (r > 0n && r < SMALL_RELIDS_LIMIT) {
    const n = Number(r);
    return (n & (n - 1)) === 0 ? 31 - Math.clz32(n) : -1;
  }
  const m = relidsMembers(r);
  return m.length === 1 ? m[0] : -1;
}

/** What the planner is given by its caller (tcop). */
export interface PlannerContext {
  catalog: CatalogAccess;
  /** GUC values as text: enable_seqscan, work_mem, random_page_cost, ... (unknown names may throw or return ''). */
  settings: (name: string) => string;
  /**
   * A number that changes whenever any setting changes (Guc.changes); with
   * it the planner reads the settings only after a change, not per statement.
   */
  settingsVersion?: number;
  /**
   * The relation's current size in blocks (RelationGetNumberOfBlocks), for
   * relations never vacuumed or analyzed (pg_class.reltuples < 0). The
   * backend wires this to the storage engine's relationStats; without it the
   * planner assumes PostgreSQL's 10-page minimum.
   */
  relationBlocks?: (rel: RelationInfo) => number;
  /**
   * The storage engine, for the size of tables never vacuumed or analyzed
   * (StorageEngine.relationStats(heap).relpages); used when relationBlocks is absent.
   */
  engine?: { relationStats(rel: Relation): { relpages: number } };
}

/** State shared by every query level of one planner() call (PlannerGlobal). */
export interface PlannerGlobal {
  ctx: PlannerContext;
  cost: CostParams;
  /** Plans of SubPlans, initplans and CTEs, by plan_id - 1. */
  subplans: Plan[];
  /** The PlannerInfo each subplan was made under (setrefs flattens their range tables). */
  subroots: PlannerInfo[];
  /** PARAM_EXEC slot types by paramid. */
  paramExecTypes: number[];
  relationOids: Set<number>;
  /** Relation cache entries looked up during this planning, by OID. */
  relcache: Map<number, RelationInfo>;
}

/** A PARAM_EXEC that a lower query level reads from this level (a correlated Var). */
export interface PlannerParamItem {
  item: Var;
  paramId: number;
}

/** One outer join (or semi/anti join) whose inputs must stay together (SpecialJoinInfo). */
export interface SpecialJoinInfo {
  jointype: JoinType;
  /** Base relations syntactically on each side. */
  syn_lefthand: Relids;
  syn_righthand: Relids;
  /** The minimum sets that must be joined before this join can be formed. */
  min_lefthand: Relids;
  min_righthand: Relids;
  /** The join's own ON clauses (for semi joins: the pulled-up condition). */
  semi_rhs_exprs: Expr[];
}

/** A clause with what the planner knows about it. */
export interface RestrictInfo {
  clause: Expr;
  /** Relations the clause references, and the relations it must be evaluated at or above. */
  clause_relids: Relids;
  required_relids: Relids;
  /** A WHERE clause or an inner join's ON clause (false: an outer join's own ON clause). */
  is_pushed_down: boolean;
  /** For `a op b` with a and b from disjoint relation sets. */
  left_relids: Relids;
  right_relids: Relids;
  /** The "=" operator when this is a mergejoinable / hashjoinable equality, else 0. */
  mergeop: number;
  hashjoinable: boolean;
  /** References no Vars of this level: can go in a gating Result (One-Time Filter). */
  pseudoconstant: boolean;
  /** Cached selectivity as an inner join / restriction (-1 when not computed). */
  norm_selec: number;
  outer_selec: number;
  /** Cached evaluation cost per row. */
  eval_cost: number;
  /** EquivalenceClass ids of the two sides, for mergejoinable clauses. */
  left_ec: number;
  right_ec: number;
}

/** A sort order: ascending or descending on an equivalence class. */
export interface PathKey {
  /** EquivalenceClass id (see equivclass.ts). */
  ec: number;
  /** The btree "<" operator of the ordering (the opfamily, in PostgreSQL). */
  ltop: number;
  reverse: boolean;
  nulls_first: boolean;
}

export interface EquivalenceMember {
  expr: Expr;
  relids: Relids;
  /** The expression's type, for picking sort operators. */
  datatype: number;
}

export interface EquivalenceClass {
  id: number;
  members: EquivalenceMember[];
  /** Merged into another class (union-find). */
  merged: number;
  /** Contains a constant: every member equals it. */
  has_const: boolean;
  /** Built from a clause below an outer join: not usable for deductions across it. */
  below_outer_join: boolean;
}

export type RelOptKind = 'RELOPT_BASEREL' | 'RELOPT_JOINREL' | 'RELOPT_UPPER_REL' | 'RELOPT_OTHER';

/** An index usable for a base relation (IndexOptInfo). */
export interface IndexOptInfo {
  info: IndexInfo;
  indexoid: number;
  /** Heap attnums of the key columns. */
  indexkeys: number[];
  /** Per column: descending order / nulls first. */
  reverse_sort: boolean[];
  nulls_first: boolean[];
  unique: boolean;
  pages: number;
  tuples: number;
  tree_height: number;
  /** Column types (for sort operators). */
  keytypes: number[];
}

export interface RelOptInfo {
  reloptkind: RelOptKind;
  relids: Relids;
  /** Estimated rows after restriction clauses (after joins for a join rel). */
  rows: number;
  /** The Vars (and other expressions) this relation must output, and their average total width. */
  reltarget: Expr[];
  width: number;
  pathlist: Path[];
  cheapest_startup_path: Path | null;
  cheapest_total_path: Path | null;
  /** Base relations only. */
  relid: number;
  rtekind: RangeTblEntry['rtekind'] | '';
  relinfo: RelationInfo | null;
  indexlist: IndexOptInfo[];
  pages: number;
  tuples: number;
  /** Average width per attnum (0 = unknown), for the reltarget width. */
  attr_widths: Map<number, number>;
  /** Restriction clauses of this base relation alone. */
  baserestrictinfo: RestrictInfo[];
  baserestrictcost: { startup: number; per_tuple: number };
  /** Join clauses that mention this relation and others. */
  joininfo: RestrictInfo[];
  /** Relations this relation's expressions reference laterally (a LATERAL function/subquery). */
  lateral_relids: Relids;
  /** RTE_SUBQUERY / RTE_CTE: the planned sub-query. */
  subroot: PlannerInfo | null;
  subplan: Plan | null;
}

/** One way of producing a relation's rows, and its cost. */
export interface PathBase {
  parent: RelOptInfo;
  rows: number;
  startup_cost: number;
  total_cost: number;
  pathkeys: PathKey[];
  /** Relations outside this one that must supply values (a parameterized inner path). */
  required_outer: Relids;
}

export interface ScanPath extends PathBase {
  pathtype: 'SeqScan' | 'SubqueryScan' | 'FunctionScan' | 'ValuesScan' | 'CteScan' | 'WorkTableScan' | 'Result';
}

/** An index clause: the RestrictInfo and the index column it constrains. */
export interface IndexClause {
  rinfo: RestrictInfo;
  indexcol: number;
  /** The clause with the index column on the left (commuted if needed). */
  clause: Expr;
}

export interface IndexPath extends PathBase {
  pathtype: 'IndexScan' | 'IndexOnlyScan';
  indexinfo: IndexOptInfo;
  indexclauses: IndexClause[];
  indexorderdir: 'ForwardScanDirection' | 'BackwardScanDirection';
  indextotalcost: number;
  indexselectivity: number;
}

/** A bitmap heap scan over one bitmap index scan (the index path's clauses and costs). */
export interface BitmapHeapPath extends PathBase { pathtype: 'BitmapHeapScan'; bitmapqual: IndexPath }

export interface JoinPathBase extends PathBase {
  jointype: JoinType;
  inner_unique: boolean;
  outerjoinpath: Path;
  innerjoinpath: Path;
  /** Every clause evaluated at this join (merge/hash clauses included). */
  joinrestrictinfo: RestrictInfo[];
}

export interface NestPath extends JoinPathBase { pathtype: 'NestLoop' }
export interface MergePath extends JoinPathBase {
  pathtype: 'MergeJoin';
  path_mergeclauses: RestrictInfo[];
  /** Sorts to add on each side (empty when already sorted). */
  outersortkeys: PathKey[];
  innersortkeys: PathKey[];
  materialize_inner: boolean;
}
export interface HashPath extends JoinPathBase {
  pathtype: 'HashJoin';
  path_hashclauses: RestrictInfo[];
  num_batches: number;
  inner_rows_total: number;
}

/** The inner side of a semi join made duplicate-free on the join columns, so it can be joined as an inner join (UniquePath). */
export interface UniquePath extends PathBase {
  pathtype: 'Unique';
  subpath: Path;
  hashed: boolean;
  /** The columns made unique (the semi join's right-hand expressions). */
  uniq_exprs: Expr[];
  numGroups: number;
}

export interface MaterialPath extends PathBase { pathtype: 'Material'; subpath: Path }
export interface SortPath extends PathBase { pathtype: 'Sort'; subpath: Path }

export type Path = ScanPath | IndexPath | BitmapHeapPath | NestPath | MergePath | HashPath | MaterialPath | SortPath | UniquePath;

/** One query level's planning state (PlannerInfo). */
export interface PlannerInfo {
  parse: Query;
  glob: PlannerGlobal;
  query_level: number;
  parent_root: PlannerInfo | null;
  /** Base relations by rtindex (null for join RTEs and unused entries). */
  simple_rel_array: (RelOptInfo | null)[];
  join_rel_list: RelOptInfo[];
  join_rel_hash: Map<Relids, RelOptInfo>;
  join_info_list: SpecialJoinInfo[];
  all_baserels: Relids;
  /** Sum of pages of the base tables, for index_pages_fetched's cache model. */
  total_table_pages: number;
  eq_classes: EquivalenceClass[];
  /** Params this level provides to sub-queries (correlated outer Vars). */
  plan_params: PlannerParamItem[];
  /** Initplans attached to this level's top plan. */
  init_plans: SubPlan[];
  /** Clauses that reference no relation: a gating Result's One-Time Filter. */
  pseudoconstant_quals: Expr[];
  /** The final target list after preprocessing (preptlist). */
  processed_tlist: import('../nodes/primnodes.ts').TargetEntry[];
  /** Desired output order of the scan/join result (ORDER BY, GROUP BY, ...). */
  query_pathkeys: PathKey[];
  group_pathkeys: PathKey[];
  window_pathkeys: PathKey[];
  distinct_pathkeys: PathKey[];
  sort_pathkeys: PathKey[];
  /** Fraction of the result expected to be fetched (LIMIT), 0 = all. */
  tuple_fraction: number;
  limit_tuples: number;
  /** plan_id of each CTE of this level, by name. */
  cte_plan_ids: Map<string, number>;
  cte_list: CommonTableExpr[];
  /** WITH RECURSIVE: the PARAM_EXEC of the work table when planning the recursive term. */
  wt_param_id: number;
  /** Rows of the non-recursive term, for WorkTableScan estimates. */
  non_recursive_rows: number;
  /** Number of the next SubPlan/InitPlan name ("SubPlan 1"), kept on the global. */
  hasJoinRTEs: boolean;
  hasHavingQual: boolean;
  /** Where each base column is needed (attr_needed): varno -> attno -> the relid sets of its users; bit 0 = the final output. */
  attr_needed_above: Map<number, Map<number, Relids[]>>;
}
