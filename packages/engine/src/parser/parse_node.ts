/*
 * parse_node.ts — the state of parse analysis (PostgreSQL's parse_node.h /
 * parse_node.c).
 *
 * Exports:
 *   AnalyzeContext         what the caller (tcop) hands the analyzer
 *   ParseState             one query level's range table, namespace, flags;
 *                          parentParseState links correlated subqueries
 *   ParseNamespaceItem     one entry of the namespace: an RTE and its visible
 *                          columns (nscolumns says which Var each name gives)
 *   ParseExprKind          which clause an expression is in (decides which
 *                          constructs are allowed: aggregates, SRFs, ...)
 *   parserError(...)       throw a PgError positioned at a node's location
 *   makeRTE, makeConst, makeVar, makeTargetEntry, makeQuery
 *
 * Positions: nodes carry 0-based UTF-16 offsets; PostgreSQL reports a
 * 1-based character position, so every error goes through charPosition.
 */

import type { CatalogAccess, RelationInfo } from '../utils/rel.ts';
import type { CommonTableExpr, Query, RangeTblEntry, RTEKind, WindowClause } from '../nodes/parsenodes.ts';
import type { Const, Expr, FromExpr, JoinExpr, JoinTreeNode, TargetEntry, Var } from '../nodes/primnodes.ts';
import type { CommonTableExpr as RawCTE, LockingClause } from './nodes.ts';
import type { WindowDef } from './primnodes.ts';
import { PgError } from '../utils/errors.ts';
import { charPosition } from './scan.ts';

/** What parse analysis needs from its caller. */
export interface AnalyzeContext {
  catalog: CatalogAccess;
  sourceText: string;
  /**
   * Types of $1..$n. 0 (or a missing entry) means "infer from context", as
   * parse_analyze_varparams does; inferred types are written back here.
   */
  paramTypes: number[];
}

/** Which clause an expression is being analyzed for (ParseExprKind). */
export type ParseExprKind =
  | 'EXPR_KIND_NONE'
  | 'EXPR_KIND_OTHER'
  | 'EXPR_KIND_JOIN_ON'
  | 'EXPR_KIND_JOIN_USING'
  | 'EXPR_KIND_FROM_SUBSELECT'
  | 'EXPR_KIND_FROM_FUNCTION'
  | 'EXPR_KIND_WHERE'
  | 'EXPR_KIND_HAVING'
  | 'EXPR_KIND_FILTER'
  | 'EXPR_KIND_WINDOW_PARTITION'
  | 'EXPR_KIND_WINDOW_ORDER'
  | 'EXPR_KIND_WINDOW_FRAME_RANGE'
  | 'EXPR_KIND_WINDOW_FRAME_ROWS'
  | 'EXPR_KIND_WINDOW_FRAME_GROUPS'
  | 'EXPR_KIND_SELECT_TARGET'
  | 'EXPR_KIND_INSERT_TARGET'
  | 'EXPR_KIND_UPDATE_SOURCE'
  | 'EXPR_KIND_UPDATE_TARGET'
  | 'EXPR_KIND_GROUP_BY'
  | 'EXPR_KIND_ORDER_BY'
  | 'EXPR_KIND_DISTINCT_ON'
  | 'EXPR_KIND_LIMIT'
  | 'EXPR_KIND_OFFSET'
  | 'EXPR_KIND_RETURNING'
  | 'EXPR_KIND_VALUES'
  | 'EXPR_KIND_VALUES_SINGLE'
  | 'EXPR_KIND_CHECK_CONSTRAINT'
  | 'EXPR_KIND_COLUMN_DEFAULT'
  | 'EXPR_KIND_GENERATED_COLUMN'
  | 'EXPR_KIND_CYCLE_MARK';

/** The clause name PostgreSQL's messages use for an expression kind (ParseExprKindName). */
export function parseExprKindName(kind: ParseExprKind): string {
  switch (kind) {
    case 'EXPR_KIND_NONE': return 'invalid expression context';
    case 'EXPR_KIND_OTHER': return 'extension expression';
    case 'EXPR_KIND_JOIN_ON': return 'JOIN/ON';
    case 'EXPR_KIND_JOIN_USING': return 'JOIN/USING';
    case 'EXPR_KIND_FROM_SUBSELECT': return 'sub-SELECT in FROM';
    case 'EXPR_KIND_FROM_FUNCTION': return 'function in FROM';
    case 'EXPR_KIND_WHERE': return 'WHERE';
    case 'EXPR_KIND_HAVING': return 'HAVING';
    case 'EXPR_KIND_FILTER': return 'FILTER';
    case 'EXPR_KIND_WINDOW_PARTITION': return 'window PARTITION BY';
    case 'EXPR_KIND_WINDOW_ORDER': return 'window ORDER BY';
    case 'EXPR_KIND_WINDOW_FRAME_RANGE': return 'window RANGE';
    case 'EXPR_KIND_WINDOW_FRAME_ROWS': return 'window ROWS';
    case 'EXPR_KIND_WINDOW_FRAME_GROUPS': return 'window GROUPS';
    case 'EXPR_KIND_SELECT_TARGET': return 'SELECT';
    case 'EXPR_KIND_INSERT_TARGET': return 'INSERT';
    case 'EXPR_KIND_UPDATE_SOURCE':
    case 'EXPR_KIND_UPDATE_TARGET': return 'UPDATE';
    case 'EXPR_KIND_GROUP_BY': return 'GROUP BY';
    case 'EXPR_KIND_ORDER_BY': return 'ORDER BY';
    case 'EXPR_KIND_DISTINCT_ON': return 'DISTINCT ON';
    case 'EXPR_KIND_LIMIT': return 'LIMIT';
    case 'EXPR_KIND_OFFSET': return 'OFFSET';
    case 'EXPR_KIND_RETURNING': return 'RETURNING';
    case 'EXPR_KIND_VALUES':
    case 'EXPR_KIND_VALUES_SINGLE': return 'VALUES';
    case 'EXPR_KIND_CHECK_CONSTRAINT': return 'CHECK';
    case 'EXPR_KIND_COLUMN_DEFAULT': return 'DEFAULT';
    case 'EXPR_KIND_GENERATED_COLUMN': return 'GENERATED AS';
    case 'EXPR_KIND_CYCLE_MARK': return 'CYCLE';
  }
}

/**
 * One column as a namespace item exposes it: the Var a reference to it
 * becomes. For a join's non-merged columns this is the input relation's Var
 * (PostgreSQL 13+), for merged USING columns the join RTE's own column.
 */
export interface ParseNamespaceColumn {
  varno: number;
  varattno: number;
  vartype: number;
  vartypmod: number;
  /** Dropped columns stay in the arrays (names "") so attnums line up. */
  dropped: boolean;
}

/**
 * An entry of a ParseState's namespace (ParseNamespaceItem): what FROM made
 * visible. relVisible: `t.col` may use the alias; colsVisible: unqualified
 * `col` may find it. A JOIN ... USING's inputs stay relVisible (t.id works)
 * while the join itself exposes the merged columns. lateralOnly entries are
 * visible only to LATERAL items while FROM is being analyzed.
 */
export interface ParseNamespaceItem {
  names: { aliasname: string; colnames: string[] };
  rte: RangeTblEntry;
  rtindex: number;
  nscolumns: ParseNamespaceColumn[];
  relVisible: boolean;
  colsVisible: boolean;
  lateralOnly: boolean;
  lateralOk: boolean;
}

export interface SharedParseState {
  nextSubLinkId: number;
  unknownParams: boolean;
}

/** State of one query level during parse analysis (ParseState). */
export class ParseState {
  readonly parentParseState: ParseState | null;
  readonly catalog: CatalogAccess;
  readonly sourceText: string;
  /** Shared with every level: $n types (0 / undefined = not yet known). */
  readonly paramTypes: number[];
  /** State shared by every level of one statement: SubLink ids, whether some $n is still untyped. */
  readonly shared: SharedParseState;

  rtable: RangeTblEntry[] = [];
  /** For each RTE_JOIN entry, its JoinExpr (p_joinexprs); null for others. */
  joinexprs: (JoinExpr | null)[] = [];
  /** The FROM items being built (p_joinlist). */
  joinlist: JoinTreeNode[] = [];
  namespace: ParseNamespaceItem[] = [];
  /** True while analyzing a LATERAL FROM item: lateralOnly entries become visible. */
  lateralActive = false;

  /** WITH entries visible at this level (p_ctenamespace). */
  ctenamespace: CommonTableExpr[] = [];
  /** Not-yet-analyzed CTEs of a non-recursive WITH (p_future_ctes), for the "cannot be referenced from this part" error. */
  futureCtes: RawCTE[] = [];
  /** The CTE whose query this level analyzes, if any (p_parent_cte), for self-reference checks. */
  parentCte: CommonTableExpr | null = null;

  exprKind: ParseExprKind = 'EXPR_KIND_NONE';
  /** The INSERT/UPDATE/DELETE target (p_target_relation) and its RT index. */
  targetRelation: RelationInfo | null = null;
  targetRtindex = 0;
  isInsert = false;

  /** Named windows of the WINDOW clause, and the WindowClauses built so far. */
  windowdefs: WindowDef[] = [];
  windowClauses: WindowClause[] = [];
  lockingClause: LockingClause[] = [];

  hasAggs = false;
  hasWindowFuncs = false;
  hasTargetSRFs = false;
  hasSubLinks = false;
  /** Set when analyzing the args of an aggregate: nested calls are an error (p_agg_level-ish). */
  inAggArgs = 0;
  /** Whether unknown-typed output columns become text (false for INSERT ... SELECT's VALUES). */
  resolveUnknowns = true;

  /** Inside CASE / COALESCE / ...: a set-returning function here is an error naming the construct. */
  srfForbiddenIn: string | null = null;

  constructor(parent: ParseState | null, ctx: { catalog: CatalogAccess; sourceText: string; paramTypes: number[] }, shared?: SharedParseState) {
    this.parentParseState = parent;
    this.catalog = ctx.catalog;
    this.sourceText = ctx.sourceText;
    this.paramTypes = ctx.paramTypes;
    this.shared = shared ?? parent?.shared ?? { nextSubLinkId: 0, unknownParams: false };
  }

  /** A child level for a sub-SELECT (make_parsestate(parentParseState)). */
  child(): ParseState {
    return new ParseState(this, this, this.shared);
  }

  /** PostgreSQL's 1-based character position of a 0-based location, or undefined. */
  position(location: number): number | undefined {
    return location >= 0 ? charPosition(this.sourceText, location) : undefined;
  }
}

/** ereport(ERROR, errcode, errmsg, parser_errposition(location)). */
export function parserError(
  pstate: ParseState | null,
  code: string,
  message: string,
  location: number,
  extra: { hint?: string; detail?: string } = {},
): never {
  const position = pstate !== null ? pstate.position(location) : undefined;
  throw new PgError(code, message, {
    ...(position !== undefined ? { position } : {}),
    ...(extra.hint !== undefined ? { hint: extra.hint } : {}),
    ...(extra.detail !== undefined ? { detail: extra.detail } : {}),
  });
}

// ---------------------------------------------------------------------------
// Node constructors (makefuncs.c).

export function makeRTE(rtekind: RTEKind, eref: { aliasname: string; colnames: string[] }): RangeTblEntry {
  return {
    type: 'RangeTblEntry',
    rtekind,
    alias: null,
    eref,
    relid: 0,
    relkind: '',
    rellockmode: '',
    inh: false,
    subquery: null,
    viewRelid: 0,
    jointype: '',
    joinmergedcols: 0,
    joinaliasvars: [],
    joinleftcols: [],
    joinrightcols: [],
    functions: [],
    funcordinality: false,
    values_lists: [],
    ctename: '',
    ctelevelsup: 0,
    self_reference: false,
    coltypes: [],
    coltypmods: [],
    lateral: false,
    inFromCl: true,
  };
}

export function makeConst(consttype: number, consttypmod: number, value: unknown, isnull: boolean, location: number): Const {
  return { type: 'Const', consttype, consttypmod, constvalue: isnull ? null : value, constisnull: isnull, location };
}

export function makeNullConst(consttype: number, consttypmod: number): Const {
  return makeConst(consttype, consttypmod, null, true, -1);
}

export function makeVar(varno: number, varattno: number, vartype: number, vartypmod: number, varlevelsup: number, location: number): Var {
  return { type: 'Var', varno, varattno, vartype, vartypmod, varlevelsup, location };
}

export function makeTargetEntry(expr: Expr, resno: number, resname: string | null, resjunk: boolean): TargetEntry {
  return { type: 'TargetEntry', expr, resno, resname, ressortgroupref: 0, resorigtbl: 0, resorigcol: 0, resjunk };
}

export function makeFromExpr(fromlist: JoinTreeNode[], quals: Expr | null): FromExpr {
  return { type: 'FromExpr', fromlist, quals };
}

export function makeQuery(commandType: Query['commandType']): Query {
  return {
    type: 'Query',
    commandType,
    canSetTag: true,
    utilityStmt: null,
    resultRelation: 0,
    hasAggs: false,
    hasWindowFuncs: false,
    hasTargetSRFs: false,
    hasSubLinks: false,
    hasDistinctOn: false,
    hasRecursive: false,
    hasForUpdate: false,
    cteList: [],
    rtable: [],
    jointree: makeFromExpr([], null),
    targetList: [],
    onConflict: null,
    returningList: [],
    groupClause: [],
    havingQual: null,
    windowClause: [],
    distinctClause: [],
    sortClause: [],
    limitOffset: null,
    limitCount: null,
    limitOption: 'LIMIT_OPTION_COUNT',
    rowMarks: [],
    setOperations: null,
    stmt_location: 0,
    stmt_len: 0,
  };
}

/**
 * equal() for analyzed expressions: structural equality ignoring
 * `location` fields, as PostgreSQL's equalfuncs.c does (COMPARE_LOCATION_FIELD
 * is a no-op). Used to match GROUP BY / ORDER BY expressions with targets.
 */
export function exprEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b) return false;
  if (typeof a !== 'object' || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!exprEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  for (const k of keys) {
    if (k === 'location') continue;
    if (!exprEqual(ao[k], bo[k])) return false;
  }
  return true;
}
