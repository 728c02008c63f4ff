/*
 * primnodes.ts — analyzed expression nodes (PostgreSQL's primnodes.h).
 *
 * The analyzer (parser/analyze.ts and parse_*.ts) turns the raw parse tree's
 * expressions (parser/primnodes.ts: A_Expr, ColumnRef, FuncCall, ...) into
 * these: every name resolved to an OID or a range-table position, every node
 * typed, every implicit cast made explicit as a node. The planner copies and
 * rewrites them (setrefs turns Vars into references to a child plan's
 * output); the executor compiles them once per query into closures
 * (executor/execExpr.ts).
 *
 * Conventions (the same as the raw nodes, parser/README.md "Node naming"):
 *  - `type` is PostgreSQL's node tag without T_; field names are PostgreSQL's;
 *  - lists are arrays ([] for NIL), an absent node is null;
 *  - enums are PostgreSQL's enumerator names as strings;
 *  - `location` is the 0-based character offset in the query string of the
 *    token the node came from, -1 when it has none (an implicit cast);
 *  - type OIDs and typmods are PostgreSQL's (utils/adt/types.ts); typmod -1
 *    means none;
 *  - nodes are plain data: JSON-serializable (nodes/outfuncs.ts) except
 *    that Const values keep their Datum form (bigint, Uint8Array, Interval).
 *
 * A Const of type UNKNOWNOID (705) holds an untyped string literal, exactly
 * as in PostgreSQL: 'abc' stays unknown until context gives it a type, and
 * coercing it applies the target type's input function then (parse_coerce).
 */

import type { Query } from './parsenodes.ts';

/** A value as expressions see it: a Datum in its JS form (utils/adt/datum.ts) or an extension form (arrays, json). */
export type ExprValue = unknown;

// ---------------------------------------------------------------------------
// Special varno values (PostgreSQL's primnodes.h uses 65000.. for these;
// plain range-table indexes are >= 1, so negative numbers cannot collide).

/** A Var that refers to the inner (right) child's output, after setrefs. */
export const INNER_VAR = -1;
/** A Var that refers to the outer (left) child's output, after setrefs. */
export const OUTER_VAR = -2;
/** A Var that refers to a column of an index tuple (IndexOnlyScan, index quals). */
export const INDEX_VAR = -3;
/** A Var that refers to the scan tuple of a scan node after setrefs (varattno kept). */
export const ROWID_VAR = -4;

// ---------------------------------------------------------------------------
// Leaves.

/**
 * A column of a range-table entry: varno is the RTE's 1-based index in
 * Query.rtable (or a special value above once the planner ran), varattno the
 * 1-based column number (0 = the whole row; negative = system columns:
 * ctid -1, xmin -2, cmin -3, xmax -4, cmax -5, tableoid -6 ... as
 * PostgreSQL's sysattr.h numbers them). varlevelsup > 0 reaches an outer
 * query level (a correlated subquery).
 */
export interface Var {
  type: 'Var';
  varno: number;
  varattno: number;
  vartype: number;
  vartypmod: number;
  varlevelsup: number;
  location: number;
}

/** A constant. constisnull carries SQL NULL; constvalue is then null. */
export interface Const {
  type: 'Const';
  consttype: number;
  consttypmod: number;
  constvalue: ExprValue;
  constisnull: boolean;
  location: number;
}

/**
 * A parameter. PARAM_EXTERN: `$n` of the client (paramid n, 1-based).
 * PARAM_EXEC: a value set at run time by the executor (a subplan's result,
 * a nested loop's outer column), numbered by the planner per query.
 */
export interface Param {
  type: 'Param';
  paramkind: 'PARAM_EXTERN' | 'PARAM_EXEC';
  paramid: number;
  paramtype: number;
  paramtypmod: number;
  location: number;
}

/** CaseExpr's `arg` inside its WHEN tests: `CASE x WHEN 1` compares CaseTestExpr = 1. */
export interface CaseTestExpr {
  type: 'CaseTestExpr';
  typeId: number;
  typeMod: number;
}

/** DEFAULT in INSERT ... VALUES or UPDATE SET; replaced by the column's default by the rewriter. */
export interface SetToDefault {
  type: 'SetToDefault';
  typeId: number;
  typeMod: number;
  location: number;
}

// ---------------------------------------------------------------------------
// Function and operator calls.

export type CoercionForm = 'COERCE_EXPLICIT_CALL' | 'COERCE_EXPLICIT_CAST' | 'COERCE_IMPLICIT_CAST' | 'COERCE_SQL_SYNTAX';

/** A call of a built-in function (utils/fmgr: funcid is pg_proc.oid). Casts by function are FuncExprs too. */
export interface FuncExpr {
  type: 'FuncExpr';
  funcid: number;
  funcresulttype: number;
  /** The result typmod, for length-coercion functions (varchar(5)); -1 otherwise. */
  funcresulttypmod: number;
  /** Returns a set (generate_series, unnest): only in a target list or FROM. */
  funcretset: boolean;
  funcvariadic: boolean;
  funcformat: CoercionForm;
  args: Expr[];
  location: number;
}

/** `a op b` or `op a` (args has one element). opfuncid is the operator's pg_proc.oid (oprcode). */
export interface OpExpr {
  type: 'OpExpr';
  opno: number;
  opfuncid: number;
  opresulttype: number;
  opretset: boolean;
  args: Expr[];
  location: number;
}

/** `a IS DISTINCT FROM b`: an OpExpr of "=" whose result is negated and NULL-safe. */
export interface DistinctExpr extends Omit<OpExpr, 'type'> {
  type: 'DistinctExpr';
}

/** `NULLIF(a, b)`: an OpExpr of "=" that returns a when the operator is not true. */
export interface NullIfExpr extends Omit<OpExpr, 'type'> {
  type: 'NullIfExpr';
}

/** `a op ANY (array)` (useOr) or `a op ALL (array)`; `a IN (1,2,3)` becomes `a = ANY ('{1,2,3}')`. */
export interface ScalarArrayOpExpr {
  type: 'ScalarArrayOpExpr';
  opno: number;
  opfuncid: number;
  useOr: boolean;
  /** [scalar, array]. */
  args: Expr[];
  location: number;
}

/** AND / OR with any number of args, NOT with one; SQL three-valued logic. */
export interface BoolExpr {
  type: 'BoolExpr';
  boolop: 'AND_EXPR' | 'OR_EXPR' | 'NOT_EXPR';
  args: Expr[];
  location: number;
}

/**
 * An aggregate call. args are TargetEntries (resno 1..n) as in PostgreSQL so
 * that aggorder/aggdistinct can point at them by ressortgroupref. aggno is
 * set by the planner: the aggregate's slot in its Agg node.
 */
export interface Aggref {
  type: 'Aggref';
  aggfnoid: number;
  aggtype: number;
  /** The transition type (for EXPLAIN VERBOSE and hashed aggregation sizing). */
  aggtranstype: number;
  args: TargetEntry[];
  aggorder: SortGroupClause[];
  aggdistinct: SortGroupClause[];
  aggfilter: Expr | null;
  /** count(*). */
  aggstar: boolean;
  aggvariadic: boolean;
  aggkind: 'n';
  agglevelsup: number;
  aggno: number;
  location: number;
}

/** A window function call (or an aggregate used with OVER): winref points at Query.windowClause. */
export interface WindowFunc {
  type: 'WindowFunc';
  winfnoid: number;
  wintype: number;
  args: Expr[];
  aggfilter: Expr | null;
  winref: number;
  winstar: boolean;
  /** An aggregate used as a window function. */
  winagg: boolean;
  location: number;
}

// ---------------------------------------------------------------------------
// Casts.

/** A binary-compatible cast (varchar -> text): no work at run time, the type changes. */
export interface RelabelType {
  type: 'RelabelType';
  arg: Expr;
  resulttype: number;
  resulttypmod: number;
  relabelformat: CoercionForm;
  location: number;
}

/** A cast through text: the source's output function, then the target's input function. */
export interface CoerceViaIO {
  type: 'CoerceViaIO';
  arg: Expr;
  resulttype: number;
  /** Applied after the input function (a length coercion); -1 for none. */
  resulttypmod: number;
  coerceformat: CoercionForm;
  location: number;
}

/** Casts every element of an array: elemexpr reads a CaseTestExpr of the source element type. */
export interface ArrayCoerceExpr {
  type: 'ArrayCoerceExpr';
  arg: Expr;
  elemexpr: Expr;
  resulttype: number;
  resulttypmod: number;
  coerceformat: CoercionForm;
  location: number;
}

// ---------------------------------------------------------------------------
// Conditional and constructor expressions.

export interface CaseWhen {
  type: 'CaseWhen';
  expr: Expr;
  result: Expr;
  location: number;
}

/** CASE [arg] WHEN ... THEN ... ELSE defresult END; with an arg, each WHEN is `CaseTestExpr = value`. */
export interface CaseExpr {
  type: 'CaseExpr';
  casetype: number;
  arg: Expr | null;
  args: CaseWhen[];
  defresult: Expr | null;
  location: number;
}

/** ARRAY[a, b, c] or '{..}' built at run time. */
export interface ArrayExpr {
  type: 'ArrayExpr';
  array_typeid: number;
  element_typeid: number;
  elements: Expr[];
  multidims: boolean;
  location: number;
}

/**
 * A subscript or slice of an array, `a[1]`, `m[1][2]`, `a[2:3]`, `a[:2]`;
 * with refassgnexpr it is the assignment `UPDATE t SET a[2] = 5`, whose
 * value is the whole array with the element (or slice) replaced.
 * refupperindexpr holds one subscript per dimension (null for an omitted
 * slice bound); reflowerindexpr is empty for an element fetch, otherwise
 * the lower bounds (any slice makes every subscript a slice, `[n]` meaning
 * `[1:n]`). refrestype is the element type for a fetch, the array type for
 * a slice or an assignment.
 */
export interface SubscriptingRef {
  type: 'SubscriptingRef';
  refcontainertype: number;
  refelemtype: number;
  refrestype: number;
  reftypmod: number;
  refupperindexpr: (Expr | null)[];
  reflowerindexpr: (Expr | null)[];
  refexpr: Expr;
  refassgnexpr: Expr | null;
}

/** ROW(a, b) or (a, b). */
export interface RowExpr {
  type: 'RowExpr';
  args: Expr[];
  row_typeid: number;
  row_format: CoercionForm;
  colnames: string[];
  location: number;
}

/** (a, b) < (c, d): compares pairwise, deciding at the first unequal pair. */
export interface RowCompareExpr {
  type: 'RowCompareExpr';
  rctype: 'ROWCOMPARE_LT' | 'ROWCOMPARE_LE' | 'ROWCOMPARE_EQ' | 'ROWCOMPARE_GE' | 'ROWCOMPARE_GT' | 'ROWCOMPARE_NE';
  opnos: number[];
  largs: Expr[];
  rargs: Expr[];
}

export interface CoalesceExpr {
  type: 'CoalesceExpr';
  coalescetype: number;
  args: Expr[];
  location: number;
}

/** GREATEST / LEAST: NULLs are ignored, NULL only when all are. */
export interface MinMaxExpr {
  type: 'MinMaxExpr';
  minmaxtype: number;
  op: 'IS_GREATEST' | 'IS_LEAST';
  args: Expr[];
  location: number;
}

/** CURRENT_DATE, CURRENT_TIMESTAMP(p), LOCALTIMESTAMP, CURRENT_USER, ... */
export interface SQLValueFunction {
  type: 'SQLValueFunction';
  op:
    | 'SVFOP_CURRENT_DATE' | 'SVFOP_CURRENT_TIME' | 'SVFOP_CURRENT_TIME_N'
    | 'SVFOP_CURRENT_TIMESTAMP' | 'SVFOP_CURRENT_TIMESTAMP_N'
    | 'SVFOP_LOCALTIME' | 'SVFOP_LOCALTIME_N' | 'SVFOP_LOCALTIMESTAMP' | 'SVFOP_LOCALTIMESTAMP_N'
    | 'SVFOP_CURRENT_ROLE' | 'SVFOP_CURRENT_USER' | 'SVFOP_USER' | 'SVFOP_SESSION_USER'
    | 'SVFOP_CURRENT_CATALOG' | 'SVFOP_CURRENT_SCHEMA';
  resulttype: number;
  typmod: number;
  location: number;
}

export interface NullTest {
  type: 'NullTest';
  arg: Expr;
  nulltesttype: 'IS_NULL' | 'IS_NOT_NULL';
  /** The arg is a row: IS NULL means every field is null. */
  argisrow: boolean;
  location: number;
}

export interface BooleanTest {
  type: 'BooleanTest';
  arg: Expr;
  booltesttype: 'IS_TRUE' | 'IS_NOT_TRUE' | 'IS_FALSE' | 'IS_NOT_FALSE' | 'IS_UNKNOWN' | 'IS_NOT_UNKNOWN';
  location: number;
}

/** nextval of an identity column's sequence, as the rewriter fills in a missing identity value. */
export interface NextValueExpr {
  type: 'NextValueExpr';
  seqid: number;
  typeId: number;
}

// ---------------------------------------------------------------------------
// Subqueries.

export type SubLinkType =
  | 'EXISTS_SUBLINK' | 'ALL_SUBLINK' | 'ANY_SUBLINK' | 'ROWCOMPARE_SUBLINK'
  | 'EXPR_SUBLINK' | 'MULTIEXPR_SUBLINK' | 'ARRAY_SUBLINK' | 'CTE_SUBLINK';

/**
 * A subquery in an expression, as the analyzer leaves it. For ANY/ALL,
 * testexpr compares the left side with Params of kind PARAM_SUBLINK... in
 * PostgreSQL; here testexpr uses Params with paramkind PARAM_EXEC whose
 * paramid is the subquery's output column (1-based) until the planner
 * renumbers them (SubPlan.paramIds).
 */
export interface SubLink {
  type: 'SubLink';
  subLinkType: SubLinkType;
  subLinkId: number;
  testexpr: Expr | null;
  operName: string[];
  subselect: Query;
  location: number;
}

/**
 * The planner's form of a SubLink: plan_id indexes PlannedStmt.subplans.
 * A correlated subplan gets the outer values it needs through parParam
 * (PARAM_EXEC ids set from args before each run). An uncorrelated
 * EXPR/ARRAY/EXISTS subplan becomes an initplan that sets setParam once.
 */
export interface SubPlan {
  type: 'SubPlan';
  subLinkType: SubLinkType;
  testexpr: Expr | null;
  /** PARAM_EXEC ids testexpr reads the subplan's output columns from. */
  paramIds: number[];
  plan_id: number;
  plan_name: string;
  firstColType: number;
  firstColTypmod: number;
  /** ANY over an uncorrelated subquery with a hashable operator: build a hash table once. */
  useHashTable: boolean;
  unknownEqFalse: boolean;
  /** Initplans: the PARAM_EXEC ids this plan sets (EXPR/EXISTS/ARRAY). */
  setParam: number[];
  /** Correlated: the PARAM_EXEC ids the subplan reads, and the outer expressions that give them. */
  parParam: number[];
  args: Expr[];
  startup_cost: number;
  per_call_cost: number;
}

// ---------------------------------------------------------------------------
// Query structure nodes shared with parsenodes.ts.

/**
 * One column of a target list: a SELECT output column, an INSERT/UPDATE
 * target column (resno = the table's attnum), or a junk column the executor
 * needs but does not return (resjunk: a sort key not in the SELECT list, the
 * ctid of a row to update).
 */
export interface TargetEntry {
  type: 'TargetEntry';
  expr: Expr;
  resno: number;
  resname: string | null;
  /** Non-zero: referenced by a SortGroupClause with this tleSortGroupRef. */
  ressortgroupref: number;
  /** The table and column the value comes from, when it is a plain column (for RowDescription). */
  resorigtbl: number;
  resorigcol: number;
  resjunk: boolean;
}

/**
 * One ORDER BY / GROUP BY / DISTINCT item: points at a TargetEntry by
 * ressortgroupref. sortop is the "<" (or ">" for DESC) operator of the
 * type's default btree order; eqop its "=" operator.
 */
export interface SortGroupClause {
  type: 'SortGroupClause';
  tleSortGroupRef: number;
  eqop: number;
  sortop: number;
  nulls_first: boolean;
  hashable: boolean;
}

export interface RangeTblRef {
  type: 'RangeTblRef';
  rtindex: number;
}

export type JoinType = 'JOIN_INNER' | 'JOIN_LEFT' | 'JOIN_FULL' | 'JOIN_RIGHT' | 'JOIN_SEMI' | 'JOIN_ANTI';

/** An explicit JOIN in FROM; rtindex is its RTE_JOIN entry (for references to USING/NATURAL merged columns). */
export interface JoinExpr {
  type: 'JoinExpr';
  jointype: JoinType;
  isNatural: boolean;
  larg: JoinTreeNode;
  rarg: JoinTreeNode;
  usingClause: string[];
  quals: Expr | null;
  alias: { aliasname: string; colnames: string[] } | null;
  rtindex: number;
}

/** The FROM list and WHERE: an implicit inner join of fromlist filtered by quals. */
export interface FromExpr {
  type: 'FromExpr';
  fromlist: JoinTreeNode[];
  quals: Expr | null;
}

export type JoinTreeNode = RangeTblRef | JoinExpr | FromExpr;

/** INSERT ... ON CONFLICT, analyzed. */
export interface OnConflictExpr {
  type: 'OnConflictExpr';
  action: 'ONCONFLICT_NOTHING' | 'ONCONFLICT_UPDATE';
  /** The unique indexes that decide a conflict (pg_class OIDs); all unique indexes when no target was given (DO NOTHING). */
  arbiterIndexes: number[];
  /** DO UPDATE SET targets (resno = attnum) and WHERE, reading the existing row (the target RTE) and EXCLUDED (exclRelIndex). */
  onConflictSet: TargetEntry[];
  onConflictWhere: Expr | null;
  exclRelIndex: number;
}

// ---------------------------------------------------------------------------

export type Expr =
  | Var | Const | Param | CaseTestExpr | SetToDefault
  | FuncExpr | OpExpr | DistinctExpr | NullIfExpr | ScalarArrayOpExpr | BoolExpr
  | Aggref | WindowFunc
  | RelabelType | CoerceViaIO | ArrayCoerceExpr
  | CaseExpr | ArrayExpr | RowExpr | RowCompareExpr | CoalesceExpr | MinMaxExpr | SQLValueFunction
  | SubscriptingRef
  | NullTest | BooleanTest | NextValueExpr
  | SubLink | SubPlan;
