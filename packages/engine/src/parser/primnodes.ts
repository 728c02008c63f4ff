/*
 * primnodes.ts — raw parse tree nodes for expressions and FROM items.
 *
 * Exports: every expression node type (ColumnRef, A_Const, A_Expr, FuncCall,
 * SubLink, ...), the FROM-clause nodes (RangeVar, JoinExpr, ...), and the
 * helpers shared by the grammar (makeXxx constructors and FRAMEOPTION bits).
 *
 * Names and fields are PostgreSQL's (src/include/nodes/parsenodes.h and
 * primnodes.h), so a reader can put this file next to PostgreSQL's and the
 * analyzer can follow parse_expr.c. Conventions (README.md, "Node naming"):
 *  - every node has `type` equal to PostgreSQL's node tag without T_;
 *  - lists are arrays, NIL is [] (never null), an absent node is null;
 *  - lists of names (ColumnRef.fields, FuncCall.funcname, A_Expr.name, ...)
 *    hold plain strings where PostgreSQL holds String nodes;
 *  - `location` is the 0-based offset of the node's first token (for an
 *    operator expression, of the operator), -1 when unknown.
 */

import type { ColumnDef, SelectStmt } from './nodes.ts';

// ---------------------------------------------------------------------------
// Value nodes (value.h): the payload of A_Const and DefElem arguments.

/** An integer that fits int4: `42`. */
export interface Integer {
  type: 'Integer';
  ival: number;
}
/** Any other numeric literal, kept as text so no precision is lost: `1.5`, `1e10`, `99999999999`. */
export interface Float {
  type: 'Float';
  fval: string;
}
/** `TRUE` / `FALSE`. */
export interface BooleanValue {
  type: 'Boolean';
  boolval: boolean;
}
/** A string constant: `'abc'`. */
export interface StringValue {
  type: 'String';
  sval: string;
}
/** A bit-string constant: `B'101'` (bsval "b101") or `X'1F'` (bsval "x1F"). */
export interface BitString {
  type: 'BitString';
  bsval: string;
}
export type Value = Integer | Float | BooleanValue | StringValue | BitString;

// ---------------------------------------------------------------------------
// Expressions.

/** `*` in a target list or as the last field of a ColumnRef: `SELECT t.*`. */
export interface A_Star {
  type: 'A_Star';
}

/** A column reference, possibly qualified: `a`, `t.a`, `s.t.a`, `t.*`. */
export interface ColumnRef {
  type: 'ColumnRef';
  fields: (string | A_Star)[];
  location: number;
}

/** A positional parameter: `$1`. */
export interface ParamRef {
  type: 'ParamRef';
  number: number;
  location: number;
}

/** A literal: `1`, `'x'`, `NULL`, `TRUE`, `B'01'`. `val` is undefined when isnull. */
export interface A_Const {
  type: 'A_Const';
  isnull: boolean;
  val?: Value;
  location: number;
}

/** `x::int`, `CAST(x AS int)`, and typed literals `DATE '2024-01-01'`. */
export interface TypeCast {
  type: 'TypeCast';
  arg: Node;
  typeName: TypeName;
  location: number;
}

/** `x COLLATE "C"`. */
export interface CollateClause {
  type: 'CollateClause';
  arg: Node | null;
  collname: string[];
  location: number;
}

/** The kinds of A_Expr (A_Expr_Kind in parsenodes.h). */
export type A_Expr_Kind =
  | 'AEXPR_OP' // a + b, -a, a = b
  | 'AEXPR_OP_ANY' // a = ANY (array)
  | 'AEXPR_OP_ALL' // a < ALL (array)
  | 'AEXPR_DISTINCT' // a IS DISTINCT FROM b
  | 'AEXPR_NOT_DISTINCT' // a IS NOT DISTINCT FROM b
  | 'AEXPR_NULLIF' // NULLIF(a, b)
  | 'AEXPR_IN' // a IN (1, 2)   (name "=" or, for NOT IN, "<>")
  | 'AEXPR_LIKE' // a LIKE b    (name "~~" or "!~~")
  | 'AEXPR_ILIKE' // a ILIKE b  (name "~~*" or "!~~*")
  | 'AEXPR_SIMILAR' // a SIMILAR TO b (name "~" or "!~")
  | 'AEXPR_BETWEEN' // a BETWEEN b AND c
  | 'AEXPR_NOT_BETWEEN'
  | 'AEXPR_BETWEEN_SYM' // a BETWEEN SYMMETRIC b AND c
  | 'AEXPR_NOT_BETWEEN_SYM';

/**
 * An operator expression: `a + b`, `-a` (lexpr null), `a IN (1, 2)` (rexpr a
 * list), `a BETWEEN 1 AND 2` (rexpr [1, 2]), `a = ANY (arr)`.
 */
export interface A_Expr {
  type: 'A_Expr';
  kind: A_Expr_Kind;
  /** Operator name, possibly schema-qualified: ["+"], ["pg_catalog", "+"]. */
  name: string[];
  lexpr: Node | null;
  rexpr: Node | Node[] | null;
  location: number;
}

/** `a AND b AND c` (flattened, as makeAndExpr does), `a OR b`, `NOT a`. */
export interface BoolExpr {
  type: 'BoolExpr';
  boolop: 'AND_EXPR' | 'OR_EXPR' | 'NOT_EXPR';
  args: Node[];
  location: number;
}

/** `a IS NULL`, `a ISNULL`, `a IS NOT NULL`, `a NOTNULL`. */
export interface NullTest {
  type: 'NullTest';
  arg: Node;
  nulltesttype: 'IS_NULL' | 'IS_NOT_NULL';
  argisrow: boolean;
  location: number;
}

/** `a IS TRUE`, `a IS NOT UNKNOWN`, ... */
export interface BooleanTest {
  type: 'BooleanTest';
  arg: Node;
  booltesttype: 'IS_TRUE' | 'IS_NOT_TRUE' | 'IS_FALSE' | 'IS_NOT_FALSE' | 'IS_UNKNOWN' | 'IS_NOT_UNKNOWN';
  location: number;
}

/**
 * A function call, including aggregates and window functions:
 * `count(*)` (agg_star), `count(DISTINCT a)`, `string_agg(a, ',' ORDER BY a)`,
 * `sum(x) FILTER (WHERE x > 0)`, `rank() OVER (PARTITION BY g ORDER BY x)`,
 * and SQL-syntax functions such as `EXTRACT(year FROM d)` (funcformat
 * COERCE_SQL_SYNTAX, funcname ["pg_catalog", "extract"]).
 */
export interface FuncCall {
  type: 'FuncCall';
  funcname: string[];
  args: Node[];
  agg_order: SortBy[];
  agg_filter: Node | null;
  over: WindowDef | null;
  agg_within_group: boolean;
  agg_star: boolean;
  agg_distinct: boolean;
  func_variadic: boolean;
  funcformat: 'COERCE_EXPLICIT_CALL' | 'COERCE_SQL_SYNTAX';
  location: number;
}

/** A subscript or slice: `a[1]` (uidx), `a[1:2]` (is_slice). */
export interface A_Indices {
  type: 'A_Indices';
  is_slice: boolean;
  lidx: Node | null;
  uidx: Node | null;
}

/** Subscripts or field selection applied to an expression: `(f(x))[1]`, `(row).field`, `(x).*`. */
export interface A_Indirection {
  type: 'A_Indirection';
  arg: Node;
  indirection: (A_Indices | string | A_Star)[];
}

/** `ARRAY[1, 2, 3]`, and the inner `[...]` of `ARRAY[[1,2],[3,4]]`. */
export interface A_ArrayExpr {
  type: 'A_ArrayExpr';
  elements: Node[];
  location: number;
}

/**
 * One item of a SELECT list (`a + 1 AS b`: name "b", val the expression), of
 * an INSERT column list (`INSERT INTO t (a, b[1])`: name, indirection, val
 * null) or of UPDATE SET (`SET a = 1`: name and val).
 */
export interface ResTarget {
  type: 'ResTarget';
  name: string | null;
  indirection: (A_Indices | string | A_Star)[];
  val: Node | null;
  location: number;
}

/** One column of `UPDATE t SET (a, b) = (SELECT ...)`: column colno of ncolumns from source. */
export interface MultiAssignRef {
  type: 'MultiAssignRef';
  source: Node;
  colno: number;
  ncolumns: number;
}

/** An ORDER BY item: `a DESC NULLS LAST`, `a USING <`. */
export interface SortBy {
  type: 'SortBy';
  node: Node;
  sortby_dir: 'SORTBY_DEFAULT' | 'SORTBY_ASC' | 'SORTBY_DESC' | 'SORTBY_USING';
  sortby_nulls: 'SORTBY_NULLS_DEFAULT' | 'SORTBY_NULLS_FIRST' | 'SORTBY_NULLS_LAST';
  useOp: string[];
  location: number;
}

/** Window frame option bits (FRAMEOPTION_* in parsenodes.h). */
export const FRAMEOPTION = {
  NONDEFAULT: 0x00001,
  RANGE: 0x00002,
  ROWS: 0x00004,
  GROUPS: 0x00008,
  BETWEEN: 0x00010,
  START_UNBOUNDED_PRECEDING: 0x00020,
  END_UNBOUNDED_PRECEDING: 0x00040,
  START_UNBOUNDED_FOLLOWING: 0x00080,
  END_UNBOUNDED_FOLLOWING: 0x00100,
  START_CURRENT_ROW: 0x00200,
  END_CURRENT_ROW: 0x00400,
  START_OFFSET_PRECEDING: 0x00800,
  END_OFFSET_PRECEDING: 0x01000,
  START_OFFSET_FOLLOWING: 0x02000,
  END_OFFSET_FOLLOWING: 0x04000,
  EXCLUDE_CURRENT_ROW: 0x08000,
  EXCLUDE_GROUP: 0x10000,
  EXCLUDE_TIES: 0x20000,
} as const;
/** RANGE UNBOUNDED PRECEDING (AND CURRENT ROW): what a window without a frame clause gets. */
export const FRAMEOPTION_DEFAULTS = FRAMEOPTION.RANGE | FRAMEOPTION.START_UNBOUNDED_PRECEDING | FRAMEOPTION.END_CURRENT_ROW;

/**
 * A window specification: `OVER w` (refname... as name), `OVER (PARTITION BY
 * g ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)`, or an entry of
 * `WINDOW w AS (...)` (name "w").
 */
export interface WindowDef {
  type: 'WindowDef';
  name: string | null;
  refname: string | null;
  partitionClause: Node[];
  orderClause: SortBy[];
  frameOptions: number;
  startOffset: Node | null;
  endOffset: Node | null;
  location: number;
}

/**
 * A type name: `int`, `varchar(10)` (typmods), `numeric(10,2)`,
 * `timestamp(3) with time zone`, `int[]` (arrayBounds [-1]), `public.mytype`.
 * Built-in SQL type names are mapped to their catalog names in the
 * pg_catalog schema, as gram.y does: `int` -> ["pg_catalog", "int4"].
 */
export interface TypeName {
  type: 'TypeName';
  names: string[];
  typeOid: number;
  setof: boolean;
  pct_type: boolean;
  typmods: Node[];
  typemod: number;
  arrayBounds: number[];
  location: number;
}

/** `CASE x WHEN 1 THEN 'a' ELSE 'b' END` (arg x) or `CASE WHEN c THEN ... END` (arg null). */
export interface CaseExpr {
  type: 'CaseExpr';
  arg: Node | null;
  args: CaseWhen[];
  defresult: Node | null;
  location: number;
}
/** One `WHEN expr THEN result` arm of a CaseExpr. */
export interface CaseWhen {
  type: 'CaseWhen';
  expr: Node;
  result: Node;
  location: number;
}

/** `COALESCE(a, b, 0)`. */
export interface CoalesceExpr {
  type: 'CoalesceExpr';
  args: Node[];
  location: number;
}

/** `GREATEST(a, b)` / `LEAST(a, b)`. */
export interface MinMaxExpr {
  type: 'MinMaxExpr';
  op: 'IS_GREATEST' | 'IS_LEAST';
  args: Node[];
  location: number;
}

/** `ROW(a, b)` (COERCE_EXPLICIT_CALL) or `(a, b)` (COERCE_IMPLICIT_CAST). */
export interface RowExpr {
  type: 'RowExpr';
  args: Node[];
  row_format: 'COERCE_EXPLICIT_CALL' | 'COERCE_IMPLICIT_CAST';
  colnames: string[];
  location: number;
}

/** The kinds of SQLValueFunction: CURRENT_DATE and friends. */
export type SQLValueFunctionOp =
  | 'SVFOP_CURRENT_DATE'
  | 'SVFOP_CURRENT_TIME'
  | 'SVFOP_CURRENT_TIME_N'
  | 'SVFOP_CURRENT_TIMESTAMP'
  | 'SVFOP_CURRENT_TIMESTAMP_N'
  | 'SVFOP_LOCALTIME'
  | 'SVFOP_LOCALTIME_N'
  | 'SVFOP_LOCALTIMESTAMP'
  | 'SVFOP_LOCALTIMESTAMP_N'
  | 'SVFOP_CURRENT_ROLE'
  | 'SVFOP_CURRENT_USER'
  | 'SVFOP_USER'
  | 'SVFOP_SESSION_USER'
  | 'SVFOP_CURRENT_CATALOG'
  | 'SVFOP_CURRENT_SCHEMA';

/** `CURRENT_DATE`, `CURRENT_TIMESTAMP(3)` (typmod 3), `LOCALTIMESTAMP`, `CURRENT_USER`. */
export interface SQLValueFunction {
  type: 'SQLValueFunction';
  op: SQLValueFunctionOp;
  typmod: number;
  location: number;
}

/**
 * A subquery used as an expression: `EXISTS (SELECT ...)`, `x IN (SELECT ...)`
 * (ANY_SUBLINK, operName []), `x = ANY (SELECT ...)`, `x > ALL (SELECT ...)`,
 * `(SELECT max(a) FROM t)` (EXPR_SUBLINK), `ARRAY(SELECT ...)`.
 */
export interface SubLink {
  type: 'SubLink';
  subLinkType: 'EXISTS_SUBLINK' | 'ALL_SUBLINK' | 'ANY_SUBLINK' | 'ROWCOMPARE_SUBLINK' | 'EXPR_SUBLINK' | 'MULTIEXPR_SUBLINK' | 'ARRAY_SUBLINK';
  subLinkId: number;
  testexpr: Node | null;
  operName: string[];
  subselect: SelectStmt;
  location: number;
}

/** `DEFAULT` in `INSERT ... VALUES (DEFAULT)` or `UPDATE ... SET a = DEFAULT`. */
export interface SetToDefault {
  type: 'SetToDefault';
  location: number;
}

// ---------------------------------------------------------------------------
// FROM-clause items and their helpers.

/** `AS x (a, b)`: a table alias and optional column aliases. */
export interface Alias {
  type: 'Alias';
  aliasname: string;
  colnames: string[];
}

/**
 * A table name in FROM, or the target of INSERT/UPDATE/DELETE/DDL:
 * `s.t AS x` (schemaname "s", relname "t"), `ONLY t` (inh false).
 */
export interface RangeVar {
  type: 'RangeVar';
  catalogname: string | null;
  schemaname: string | null;
  relname: string;
  inh: boolean;
  /** 'p' permanent, 'u' unlogged, 't' temporary. */
  relpersistence: 'p' | 'u' | 't';
  alias: Alias | null;
  location: number;
}

/** A subquery in FROM: `(SELECT ...) AS s (a, b)`, `LATERAL (SELECT ...) s`. */
export interface RangeSubselect {
  type: 'RangeSubselect';
  lateral: boolean;
  subquery: SelectStmt;
  alias: Alias | null;
}

/**
 * A function in FROM: `generate_series(1, 10) AS g(i)`, `unnest(a) WITH
 * ORDINALITY`, `ROWS FROM (f(), g())`. Each entry of `functions` is
 * [call, column definition list or []].
 */
export interface RangeFunction {
  type: 'RangeFunction';
  lateral: boolean;
  ordinality: boolean;
  is_rowsfrom: boolean;
  functions: [Node, ColumnDef[]][];
  alias: Alias | null;
  coldeflist: ColumnDef[];
}

/**
 * A join in FROM: `a JOIN b ON a.id = b.id`, `a LEFT JOIN b USING (id)`,
 * `a NATURAL FULL JOIN b`, `a CROSS JOIN b` (JOIN_INNER, no quals).
 */
export interface JoinExpr {
  type: 'JoinExpr';
  jointype: 'JOIN_INNER' | 'JOIN_LEFT' | 'JOIN_FULL' | 'JOIN_RIGHT';
  isNatural: boolean;
  larg: Node;
  rarg: Node;
  usingClause: string[];
  join_using_alias: Alias | null;
  quals: Node | null;
  alias: Alias | null;
  rtindex: number;
}

/** Every node of the raw parse tree that can appear where an expression can. */
export type Node =
  | Integer
  | Float
  | BooleanValue
  | StringValue
  | BitString
  | A_Star
  | ColumnRef
  | ParamRef
  | A_Const
  | TypeCast
  | CollateClause
  | A_Expr
  | BoolExpr
  | NullTest
  | BooleanTest
  | FuncCall
  | A_Indices
  | A_Indirection
  | A_ArrayExpr
  | ResTarget
  | MultiAssignRef
  | SortBy
  | WindowDef
  | TypeName
  | CaseExpr
  | CaseWhen
  | CoalesceExpr
  | MinMaxExpr
  | RowExpr
  | SQLValueFunction
  | SubLink
  | SetToDefault
  | Alias
  | RangeVar
  | RangeSubselect
  | RangeFunction
  | ColumnDef
  | JoinExpr
  | SelectStmt;

// ---------------------------------------------------------------------------
// Constructors used by the grammar (makefuncs.c).

export function makeA_Expr(kind: A_Expr_Kind, name: string[], lexpr: Node | null, rexpr: Node | Node[] | null, location: number): A_Expr {
  return { type: 'A_Expr', kind, name, lexpr, rexpr, location };
}

export function makeFuncCall(funcname: string[], args: Node[], location: number, funcformat: FuncCall['funcformat'] = 'COERCE_EXPLICIT_CALL'): FuncCall {
  return {
    type: 'FuncCall',
    funcname,
    args,
    agg_order: [],
    agg_filter: null,
    over: null,
    agg_within_group: false,
    agg_star: false,
    agg_distinct: false,
    func_variadic: false,
    funcformat,
    location,
  };
}

export function makeTypeName(names: string[], location: number, typmods: Node[] = []): TypeName {
  return { type: 'TypeName', names, typeOid: 0, setof: false, pct_type: false, typmods, typemod: -1, arrayBounds: [], location };
}

/** A built-in type in pg_catalog: SystemTypeName("int4"). */
export function systemTypeName(name: string, location: number, typmods: Node[] = []): TypeName {
  return makeTypeName(['pg_catalog', name], location, typmods);
}

export function makeIntConst(ival: number, location: number): A_Const {
  return { type: 'A_Const', isnull: false, val: { type: 'Integer', ival }, location };
}
export function makeStringConst(sval: string, location: number): A_Const {
  return { type: 'A_Const', isnull: false, val: { type: 'String', sval }, location };
}
export function makeBoolConst(boolval: boolean, location: number): A_Const {
  return { type: 'A_Const', isnull: false, val: { type: 'Boolean', boolval }, location };
}
export function makeNullConst(location: number): A_Const {
  return { type: 'A_Const', isnull: true, location };
}

export function makeColumnRef(fields: (string | A_Star)[], location: number): ColumnRef {
  return { type: 'ColumnRef', fields, location };
}

export function makeRangeVar(schemaname: string | null, relname: string, location: number): RangeVar {
  return { type: 'RangeVar', catalogname: null, schemaname, relname, inh: true, relpersistence: 'p', alias: null, location };
}

/** makeAndExpr / makeOrExpr: flatten `a AND b AND c` into one BoolExpr, as gram.y does. */
export function makeBoolExpr(boolop: 'AND_EXPR' | 'OR_EXPR', l: Node, r: Node, location: number): BoolExpr {
  if (l.type === 'BoolExpr' && l.boolop === boolop) {
    l.args.push(r);
    return l;
  }
  return { type: 'BoolExpr', boolop, args: [l, r], location };
}

export function makeNotExpr(arg: Node, location: number): BoolExpr {
  return { type: 'BoolExpr', boolop: 'NOT_EXPR', args: [arg], location };
}
