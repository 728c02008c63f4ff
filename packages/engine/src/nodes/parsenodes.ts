/*
 * parsenodes.ts — the analyzed Query and its range table (PostgreSQL's
 * parsenodes.h, the part after parse analysis).
 *
 * The contract between the analyzer (parser/analyze.ts), the rewriter
 * (rewrite/), the planner (optimizer/) and the playground's "analyzed query"
 * view. Conventions are those of nodes/primnodes.ts.
 *
 * A utility statement (DDL, SET, VACUUM, transaction control, ...) is a Query
 * with commandType CMD_UTILITY whose utilityStmt is the raw statement node;
 * commands/ executes it directly, as PostgreSQL's ProcessUtility does.
 */

import type { Stmt } from '../parser/nodes.ts';
import type { Expr, FromExpr, JoinType, OnConflictExpr, SortGroupClause, TargetEntry, JoinTreeNode } from './primnodes.ts';

export type CmdType = 'CMD_SELECT' | 'CMD_INSERT' | 'CMD_UPDATE' | 'CMD_DELETE' | 'CMD_UTILITY';

export interface Query {
  type: 'Query';
  commandType: CmdType;
  /** Whether this query sets the command tag and row count (false for rewriter-added queries). */
  canSetTag: boolean;
  utilityStmt: Stmt | null;
  /** rtable index of the INSERT/UPDATE/DELETE target, 0 for SELECT. */
  resultRelation: number;

  hasAggs: boolean;
  hasWindowFuncs: boolean;
  /** A set-returning function in the target list (SELECT generate_series(1,3)). */
  hasTargetSRFs: boolean;
  hasSubLinks: boolean;
  hasDistinctOn: boolean;
  hasRecursive: boolean;
  hasForUpdate: boolean;

  cteList: CommonTableExpr[];
  rtable: RangeTblEntry[];
  jointree: FromExpr;
  /**
   * SELECT: the output columns (resjunk ones are not returned). INSERT: one
   * entry per target column, resno = attnum, in attnum order. UPDATE: the
   * SET columns (resno = attnum).
   */
  targetList: TargetEntry[];
  onConflict: OnConflictExpr | null;
  /** INSERT ... OVERRIDING SYSTEM / USER VALUE (absent = not set); the rewriter decides identity columns with it. */
  override?: 'OVERRIDING_NOT_SET' | 'OVERRIDING_USER_VALUE' | 'OVERRIDING_SYSTEM_VALUE';
  returningList: TargetEntry[];

  groupClause: SortGroupClause[];
  havingQual: Expr | null;
  windowClause: WindowClause[];
  /** DISTINCT (all output columns) or DISTINCT ON (hasDistinctOn). */
  distinctClause: SortGroupClause[];
  sortClause: SortGroupClause[];
  limitOffset: Expr | null;
  limitCount: Expr | null;
  limitOption: 'LIMIT_OPTION_COUNT' | 'LIMIT_OPTION_WITH_TIES';
  rowMarks: RowMarkClause[];
  /** UNION / INTERSECT / EXCEPT: the leaves are RTE_SUBQUERY entries of rtable. */
  setOperations: SetOperationStmt | null;
  /** The statement's text span, for errors and the playground. */
  stmt_location: number;
  stmt_len: number;
}

export type RTEKind = 'RTE_RELATION' | 'RTE_SUBQUERY' | 'RTE_JOIN' | 'RTE_FUNCTION' | 'RTE_VALUES' | 'RTE_CTE' | 'RTE_RESULT';

/** pg_class.relkind. */
export type RelKind = 'r' | 'i' | 'S' | 'v' | 't' | 'm' | 'p' | 'f' | 'c';

/** Table lock modes (lockdefs.h), taken by the executor for each RTE_RELATION. */
export type LockMode =
  | 'AccessShareLock' | 'RowShareLock' | 'RowExclusiveLock' | 'ShareUpdateExclusiveLock'
  | 'ShareLock' | 'ShareRowExclusiveLock' | 'ExclusiveLock' | 'AccessExclusiveLock';

/** One entry of the range table: everything FROM (and the DML target) can name. */
export interface RangeTblEntry {
  type: 'RangeTblEntry';
  rtekind: RTEKind;
  /** The alias written by the user, if any. */
  alias: { aliasname: string; colnames: string[] } | null;
  /** The effective names: alias or relation name, and every column's name (dropped columns as ""). */
  eref: { aliasname: string; colnames: string[] };

  /** RTE_RELATION: pg_class.oid, relkind, and the lock the statement takes. */
  relid: number;
  relkind: RelKind | '';
  rellockmode: LockMode | '';
  /** RTE_RELATION: false for `ONLY t` (no inheritance here, kept for EXPLAIN). */
  inh: boolean;

  /** RTE_SUBQUERY: the sub-select (also a view after the rewriter expanded it). */
  subquery: Query | null;
  /** The view this subquery came from (0 if none), for EXPLAIN and errors. */
  viewRelid: number;

  /** RTE_JOIN: join type and the join's output columns as expressions over its inputs. */
  jointype: JoinType | '';
  joinmergedcols: number;
  joinaliasvars: Expr[];
  joinleftcols: number[];
  joinrightcols: number[];

  /** RTE_FUNCTION: the function call(s) in FROM, and WITH ORDINALITY. */
  functions: RangeTblFunction[];
  funcordinality: boolean;

  /** RTE_VALUES: VALUES (..), (..) rows, already coerced to the column types. */
  values_lists: Expr[][];

  /** RTE_CTE: the CTE's name and how many query levels up it is defined. */
  ctename: string;
  ctelevelsup: number;
  self_reference: boolean;

  /** RTE_FUNCTION / RTE_VALUES / RTE_CTE / RTE_SUBQUERY: column types (also for RTE_RELATION, filled from pg_attribute). */
  coltypes: number[];
  coltypmods: number[];

  /** LATERAL: may refer to earlier FROM items. */
  lateral: boolean;
  /** Appears in FROM (false for the INSERT target and EXCLUDED). */
  inFromCl: boolean;
}

export interface RangeTblFunction {
  type: 'RangeTblFunction';
  funcexpr: Expr;
  funccolcount: number;
  funccolnames: string[];
  funccoltypes: number[];
  funccoltypmods: number[];
}

export interface CommonTableExpr {
  type: 'CommonTableExpr';
  ctename: string;
  aliascolnames: string[];
  ctematerialized: 'CTEMaterializeDefault' | 'CTEMaterializeAlways' | 'CTEMaterializeNever';
  ctequery: Query;
  cterecursive: boolean;
  cterefcount: number;
  ctecolnames: string[];
  ctecoltypes: number[];
  ctecoltypmods: number[];
  location: number;
}

/** A window definition, referenced by WindowFunc.winref = winref. */
export interface WindowClause {
  type: 'WindowClause';
  name: string | null;
  refname: string | null;
  partitionClause: SortGroupClause[];
  orderClause: SortGroupClause[];
  /** FRAMEOPTION bits (parser/primnodes.ts). */
  frameOptions: number;
  startOffset: Expr | null;
  endOffset: Expr | null;
  winref: number;
  copiedOrder: boolean;
}

/** SELECT ... FOR UPDATE / SHARE on one RTE. */
export interface RowMarkClause {
  type: 'RowMarkClause';
  rti: number;
  strength: 'LCS_FORKEYSHARE' | 'LCS_FORSHARE' | 'LCS_FORNOKEYUPDATE' | 'LCS_FORUPDATE';
  waitPolicy: 'LockWaitBlock' | 'LockWaitSkip' | 'LockWaitError';
  pushedDown: boolean;
}

/** A tree of UNION / INTERSECT / EXCEPT whose leaves are RangeTblRefs to RTE_SUBQUERY entries. */
export interface SetOperationStmt {
  type: 'SetOperationStmt';
  op: 'SETOP_UNION' | 'SETOP_INTERSECT' | 'SETOP_EXCEPT';
  all: boolean;
  larg: SetOperationStmt | JoinTreeNode;
  rarg: SetOperationStmt | JoinTreeNode;
  /** The result column types (after resolving UNION types) and typmods. */
  colTypes: number[];
  colTypmods: number[];
  /** For duplicate elimination: one SortGroupClause per column. */
  groupClauses: SortGroupClause[];
}
