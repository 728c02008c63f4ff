/*
 * plannodes.ts — the plan tree (PostgreSQL's plannodes.h): the contract
 * between the planner (optimizer/) and the executor (executor/), and what
 * EXPLAIN (commands/explain.ts) prints.
 *
 * Every plan node has PostgreSQL's name (EXPLAIN prints it: "Seq Scan",
 * "Hash Join", ...), its cost estimates, the target list it returns and the
 * quals it filters by. After set_plan_references (optimizer/plan/setrefs.ts):
 *  - a scan node's targetlist/qual reference its relation with
 *    Var.varno = scanrelid;
 *  - a join or upper node references its children's outputs with
 *    Var.varno = OUTER_VAR (lefttree) / INNER_VAR (righttree) and
 *    varattno = the child's target list position (resno);
 *  - index quals reference the index's columns with INDEX_VAR and
 *    varattno = index column number;
 *  - an Agg's Aggrefs have their args rewritten the same way, and aggno set.
 * Conventions are those of nodes/primnodes.ts.
 */

import type { Stmt } from '../parser/nodes.ts';
import type { CmdType, RangeTblEntry, RowMarkClause } from './parsenodes.ts';
import type { Expr, JoinType, SubPlan, TargetEntry } from './primnodes.ts';

/** The planner's output for one statement. */
export interface PlannedStmt {
  type: 'PlannedStmt';
  commandType: CmdType;
  canSetTag: boolean;
  planTree: Plan;
  /** The range table, flattened over all subqueries (scanrelid indexes it, 1-based). */
  rtable: RangeTblEntry[];
  /** rtable indexes of the INSERT/UPDATE/DELETE targets. */
  resultRelations: number[];
  /** Plans of SubPlans, indexed by SubPlan.plan_id - 1. */
  subplans: Plan[];
  /** Type of each PARAM_EXEC parameter, by paramid. */
  paramExecTypes: number[];
  /** Every relation the plan depends on (invalidate the cached plan when one changes). */
  relationOids: number[];
  rowMarks: RowMarkClause[];
  utilityStmt: Stmt | null;
  stmt_location: number;
  stmt_len: number;
}

/** What every plan node has. */
export interface PlanBase {
  /** Cost to return the first row, and all rows, in PostgreSQL's units (seq_page_cost = 1). */
  startup_cost: number;
  total_cost: number;
  /** Estimated rows returned and average row width in bytes. */
  plan_rows: number;
  plan_width: number;
  /** Unique within the PlannedStmt (EXPLAIN ANALYZE instrumentation is keyed by it). */
  plan_node_id: number;
  targetlist: TargetEntry[];
  /** Implicitly ANDed filter applied to each row the node would return ("Filter:"). */
  qual: Expr[];
  lefttree: Plan | null;
  righttree: Plan | null;
  /** Uncorrelated subplans run once before this node (EXPLAIN's "InitPlan 1"). */
  initPlan: SubPlan[];
}

export type ScanDirection = 'ForwardScanDirection' | 'BackwardScanDirection' | 'NoMovementScanDirection';

// ---------------------------------------------------------------------------
// Control nodes.

/** No FROM (SELECT 1), or a one-time filter (resconstantqual) above a child. */
export interface Result extends PlanBase { type: 'Result'; resconstantqual: Expr | null }
/** Evaluates set-returning functions in the target list. */
export interface ProjectSet extends PlanBase { type: 'ProjectSet' }

/** INSERT / UPDATE / DELETE of the rows its child produces. */
export interface ModifyTable extends PlanBase {
  type: 'ModifyTable';
  operation: 'CMD_INSERT' | 'CMD_UPDATE' | 'CMD_DELETE';
  canSetTag: boolean;
  nominalRelation: number;
  resultRelations: number[];
  /** UPDATE: the target columns the child's output columns go to, in order. */
  updateColnosLists: number[][];
  returningLists: TargetEntry[][];
  onConflictAction: 'ONCONFLICT_NONE' | 'ONCONFLICT_NOTHING' | 'ONCONFLICT_UPDATE';
  arbiterIndexes: number[];
  onConflictSet: TargetEntry[];
  onConflictCols: number[];
  onConflictWhere: Expr | null;
  exclRelRTI: number;
  exclRelTlist: TargetEntry[];
  /** The other FROM items' row marks (ROW_MARK_REFERENCE / COPY), for EvalPlanQual. */
  rowMarks: PlanRowMark[];
}

/** UNION ALL and the inputs of set operations. */
export interface Append extends PlanBase { type: 'Append'; appendplans: Plan[] }
/** Merges already-sorted inputs keeping the order. */
export interface MergeAppend extends PlanBase {
  type: 'MergeAppend';
  mergeplans: Plan[];
  numCols: number;
  sortColIdx: number[];
  sortOperators: number[];
  nullsFirst: boolean[];
}
/** WITH RECURSIVE: runs the non-recursive term, then the recursive term over the work table until empty. */
export interface RecursiveUnion extends PlanBase {
  type: 'RecursiveUnion';
  wtParam: number;
  numCols: number;
  dupColIdx: number[];
  dupOperators: number[];
  numGroups: number;
}

// ---------------------------------------------------------------------------
// Scans.

export interface ScanBase extends PlanBase { scanrelid: number }

export interface SeqScan extends ScanBase { type: 'SeqScan' }
export interface IndexScan extends ScanBase {
  type: 'IndexScan';
  indexid: number;
  /** Index conditions with INDEX_VAR on the left: `col op value`, value free of this relation's columns. */
  indexqual: Expr[];
  /** The same conditions over the heap's columns (EXPLAIN's "Index Cond:", rechecks). */
  indexqualorig: Expr[];
  indexorderdir: ScanDirection;
}
export interface IndexOnlyScan extends ScanBase {
  type: 'IndexOnlyScan';
  indexid: number;
  indexqual: Expr[];
  indexqualorig: Expr[];
  /** The index's columns as TargetEntries; targetlist/qual use INDEX_VAR into it. */
  indextlist: TargetEntry[];
  indexorderdir: ScanDirection;
}
export interface BitmapIndexScan extends ScanBase {
  type: 'BitmapIndexScan';
  indexid: number;
  indexqual: Expr[];
  indexqualorig: Expr[];
}
export interface BitmapHeapScan extends ScanBase { type: 'BitmapHeapScan'; bitmapqualorig: Expr[] }
export interface SubqueryScan extends ScanBase { type: 'SubqueryScan'; subplan: Plan }
export interface FunctionScan extends ScanBase { type: 'FunctionScan'; functions: Expr[]; funcordinality: boolean }
export interface ValuesScan extends ScanBase { type: 'ValuesScan'; values_lists: Expr[][] }
/** Reads a CTE's materialized rows; the CTE's plan is PlannedStmt.subplans[ctePlanId - 1]. */
export interface CteScan extends ScanBase { type: 'CteScan'; ctePlanId: number; cteParam: number }
/** WITH RECURSIVE's reference to itself: the RecursiveUnion's current work table. */
export interface WorkTableScan extends ScanBase { type: 'WorkTableScan'; wtParam: number }

// ---------------------------------------------------------------------------
// Joins. lefttree is the outer input, righttree the inner.

export interface JoinBase extends PlanBase {
  jointype: JoinType;
  /** At most one inner row matches each outer row (lets the executor stop early). */
  inner_unique: boolean;
  /** Join conditions other than the merge/hash clauses ("Join Filter:"). */
  joinqual: Expr[];
}

/** An outer column passed to the inner side as a PARAM_EXEC before each rescan (parameterized inner index scans). */
export interface NestLoopParam { type: 'NestLoopParam'; paramno: number; paramval: Expr }

export interface NestLoop extends JoinBase { type: 'NestLoop'; nestParams: NestLoopParam[] }
export interface MergeJoin extends JoinBase {
  type: 'MergeJoin';
  /** outer.col = inner.col, both inputs sorted on them. */
  mergeclauses: Expr[];
  mergeReversed: boolean[];
  mergeNullsFirst: boolean[];
}
export interface HashJoin extends JoinBase {
  type: 'HashJoin';
  /** outer.col = inner.col conditions the hash table is keyed by. */
  hashclauses: Expr[];
  hashoperators: number[];
  /** Outer-side key expressions (OUTER_VAR), matched against Hash.hashkeys. */
  hashkeys: Expr[];
}
/** Builds the hash table of a HashJoin's inner side. */
export interface Hash extends PlanBase { type: 'Hash'; hashkeys: Expr[]; rows_total: number }

// ---------------------------------------------------------------------------
// Upper nodes.

/** Stores its child's rows so rescans do not rerun the child. */
export interface Material extends PlanBase { type: 'Material' }

export interface Sort extends PlanBase {
  type: 'Sort';
  numCols: number;
  /** 1-based positions in the child's target list. */
  sortColIdx: number[];
  /** "<" (ASC) or ">" (DESC) operator OIDs. */
  sortOperators: number[];
  nullsFirst: boolean[];
}

export interface Group extends PlanBase { type: 'Group'; numCols: number; grpColIdx: number[]; grpOperators: number[] }

export type AggStrategy = 'AGG_PLAIN' | 'AGG_SORTED' | 'AGG_HASHED' | 'AGG_MIXED';
export interface Agg extends PlanBase {
  type: 'Agg';
  aggstrategy: AggStrategy;
  aggsplit: 'AGGSPLIT_SIMPLE';
  numCols: number;
  /** Grouping columns: positions in the child's target list, and their "=" operators. */
  grpColIdx: number[];
  grpOperators: number[];
  numGroups: number;
}

export interface WindowAgg extends PlanBase {
  type: 'WindowAgg';
  winref: number;
  partNumCols: number;
  partColIdx: number[];
  partOperators: number[];
  ordNumCols: number;
  ordColIdx: number[];
  ordOperators: number[];
  frameOptions: number;
  startOffset: Expr | null;
  endOffset: Expr | null;
}

/** Removes adjacent duplicates of sorted input (DISTINCT). */
export interface Unique extends PlanBase { type: 'Unique'; numCols: number; uniqColIdx: number[]; uniqOperators: number[] }

/** INTERSECT / EXCEPT over the flagged, sorted or hashed union of both inputs. */
export interface SetOp extends PlanBase {
  type: 'SetOp';
  cmd: 'SETOPCMD_INTERSECT' | 'SETOPCMD_INTERSECT_ALL' | 'SETOPCMD_EXCEPT' | 'SETOPCMD_EXCEPT_ALL';
  strategy: 'SETOP_SORTED' | 'SETOP_HASHED';
  numCols: number;
  dupColIdx: number[];
  dupOperators: number[];
  /** Position of the column that says which input a row came from. */
  flagColIdx: number;
  firstFlag: number;
  numGroups: number;
}

/** SELECT ... FOR UPDATE / SHARE: locks each row it returns. */
/** SELECT ... FOR UPDATE / SHARE: locks each row mark's row of every row its child returns. */
export interface LockRows extends PlanBase { type: 'LockRows'; rowMarks: PlanRowMark[] }

/**
 * PlanRowMark (PostgreSQL's plannodes.h, planner preprocess_rowmarks): one
 * FROM item of an UPDATE, DELETE or SELECT FOR UPDATE query level, and how
 * its row is found again when EvalPlanQual re-checks a concurrently updated
 * row (executor/execEPQ.ts). A locked relation (strength set) is locked and
 * its newest version used; ROW_MARK_REFERENCE (another table) keeps the
 * version the plan read, by the TID in the junk column ctid<rowmarkId>;
 * ROW_MARK_COPY (VALUES, a function, a subquery, a CTE) keeps the row
 * itself, in the junk column wholerow<rowmarkId>. rti is the flattened
 * range table's index after setrefs; rowmarkId, the rti at the query level
 * where the junk column was named, does not change.
 */
export interface PlanRowMark {
  type: 'PlanRowMark';
  rti: number;
  rowmarkId: number;
  markType: 'ROW_MARK_LOCK' | 'ROW_MARK_REFERENCE' | 'ROW_MARK_COPY';
  /** ROW_MARK_LOCK: the clause's lock strength and wait policy. */
  strength: RowMarkClause['strength'] | null;
  waitPolicy: RowMarkClause['waitPolicy'];
}

export interface Limit extends PlanBase {
  type: 'Limit';
  limitOffset: Expr | null;
  limitCount: Expr | null;
  limitOption: 'LIMIT_OPTION_COUNT' | 'LIMIT_OPTION_WITH_TIES';
  /** WITH TIES: the ORDER BY columns that decide a tie. */
  uniqNumCols: number;
  uniqColIdx: number[];
  uniqOperators: number[];
}

export type Plan =
  | Result | ProjectSet | ModifyTable | Append | MergeAppend | RecursiveUnion
  | SeqScan | IndexScan | IndexOnlyScan | BitmapIndexScan | BitmapHeapScan | SubqueryScan | FunctionScan
  | ValuesScan | CteScan | WorkTableScan
  | NestLoop | MergeJoin | HashJoin | Hash
  | Material | Sort | Group | Agg | WindowAgg | Unique | SetOp | LockRows | Limit;
