/*
 * nodes.ts — raw parse tree nodes for statements (parsenodes.h).
 *
 * Exports: RawStmt, Stmt (the union of statement nodes) and each statement
 * node with its clause nodes (WithClause, OnConflictClause, ColumnDef,
 * Constraint, DefElem, ...). Expression nodes live in primnodes.ts.
 *
 * Conventions are those of primnodes.ts: `type` is PostgreSQL's node tag,
 * lists are arrays ([] for NIL), absent nodes are null, enums are
 * PostgreSQL's enumerator names as strings.
 */

import type { Alias, Node, RangeVar, ResTarget, SortBy, TypeName, WindowDef, CollateClause } from './primnodes.ts';

/**
 * One statement of a query string: `SELECT 1; SELECT 2` gives two. The
 * statement's text is sql.slice(stmt_location, stmt_location + stmt_len),
 * stmt_len 0 meaning "to the end of the string", as in PostgreSQL.
 */
export interface RawStmt {
  type: 'RawStmt';
  stmt: Stmt;
  stmt_location: number;
  stmt_len: number;
}

export type Stmt =
  | SelectStmt
  | InsertStmt
  | UpdateStmt
  | DeleteStmt
  | CreateStmt
  | IndexStmt
  | DropStmt
  | AlterTableStmt
  | RenameStmt
  | ViewStmt
  | TruncateStmt
  | CreateSchemaStmt
  | CreateSeqStmt
  | AlterSeqStmt
  | TransactionStmt
  | VariableSetStmt
  | VariableShowStmt
  | ExplainStmt
  | VacuumStmt
  | CheckPointStmt
  | LockStmt;

// ---------------------------------------------------------------------------
// Queries.

/** `WITH [RECURSIVE] a AS (...), b AS (...)` in front of a statement. */
export interface WithClause {
  type: 'WithClause';
  ctes: CommonTableExpr[];
  recursive: boolean;
  location: number;
}

/** One entry of WITH: `a (x, y) AS [NOT] MATERIALIZED (SELECT ...)`. */
export interface CommonTableExpr {
  type: 'CommonTableExpr';
  ctename: string;
  aliascolnames: string[];
  ctematerialized: 'CTEMaterializeDefault' | 'CTEMaterializeAlways' | 'CTEMaterializeNever';
  ctequery: Stmt;
  location: number;
}

/** `FOR UPDATE OF t NOWAIT`, `FOR KEY SHARE SKIP LOCKED`. */
export interface LockingClause {
  type: 'LockingClause';
  lockedRels: RangeVar[];
  strength: 'LCS_FORKEYSHARE' | 'LCS_FORSHARE' | 'LCS_FORNOKEYUPDATE' | 'LCS_FORUPDATE';
  waitPolicy: 'LockWaitBlock' | 'LockWaitSkip' | 'LockWaitError';
}

/** `SELECT ... INTO t` is parsed so it can be refused cleanly (0A000); kept for shape. */
export type SetOperation = 'SETOP_NONE' | 'SETOP_UNION' | 'SETOP_INTERSECT' | 'SETOP_EXCEPT';

/**
 * A query: a plain SELECT (`SELECT DISTINCT a FROM t WHERE b GROUP BY a`), a
 * VALUES list (`VALUES (1, 'a'), (2, 'b')`: valuesLists), or a set operation
 * (`SELECT 1 UNION ALL SELECT 2`: op, all, larg, rarg). ORDER BY, LIMIT,
 * locking and WITH sit on the outermost node.
 *
 * distinctClause: null for no DISTINCT, [] for plain DISTINCT (PostgreSQL
 * uses a one-element list holding NULL), the expressions for DISTINCT ON.
 */
export interface SelectStmt {
  type: 'SelectStmt';
  distinctClause: Node[] | null;
  intoClause: null;
  targetList: ResTarget[];
  fromClause: Node[];
  whereClause: Node | null;
  groupClause: Node[];
  groupDistinct: boolean;
  havingClause: Node | null;
  windowClause: WindowDef[];
  valuesLists: Node[][];
  sortClause: SortBy[];
  limitOffset: Node | null;
  limitCount: Node | null;
  limitOption: 'LIMIT_OPTION_DEFAULT' | 'LIMIT_OPTION_COUNT' | 'LIMIT_OPTION_WITH_TIES';
  lockingClause: LockingClause[];
  withClause: WithClause | null;
  op: SetOperation;
  all: boolean;
  larg: SelectStmt | null;
  rarg: SelectStmt | null;
}

export function makeSelectStmt(): SelectStmt {
  return {
    type: 'SelectStmt',
    distinctClause: null,
    intoClause: null,
    targetList: [],
    fromClause: [],
    whereClause: null,
    groupClause: [],
    groupDistinct: false,
    havingClause: null,
    windowClause: [],
    valuesLists: [],
    sortClause: [],
    limitOffset: null,
    limitCount: null,
    limitOption: 'LIMIT_OPTION_DEFAULT',
    lockingClause: [],
    withClause: null,
    op: 'SETOP_NONE',
    all: false,
    larg: null,
    rarg: null,
  };
}

// ---------------------------------------------------------------------------
// INSERT / UPDATE / DELETE.

/** The conflict target of ON CONFLICT: `(a, b) WHERE p` or `ON CONSTRAINT c`. */
export interface InferClause {
  type: 'InferClause';
  indexElems: IndexElem[];
  whereClause: Node | null;
  conname: string | null;
  location: number;
}

/** `ON CONFLICT (id) DO NOTHING` / `ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v WHERE ...`. */
export interface OnConflictClause {
  type: 'OnConflictClause';
  action: 'ONCONFLICT_NOTHING' | 'ONCONFLICT_UPDATE';
  infer: InferClause | null;
  targetList: ResTarget[];
  whereClause: Node | null;
  location: number;
}

/**
 * `INSERT INTO t (a, b) VALUES (1, 2), (3, DEFAULT) ON CONFLICT ... RETURNING *`.
 * selectStmt is the VALUES or SELECT query, null for DEFAULT VALUES.
 */
export interface InsertStmt {
  type: 'InsertStmt';
  relation: RangeVar;
  cols: ResTarget[];
  selectStmt: SelectStmt | null;
  onConflictClause: OnConflictClause | null;
  returningList: ResTarget[];
  withClause: WithClause | null;
  override: 'OVERRIDING_NOT_SET' | 'OVERRIDING_USER_VALUE' | 'OVERRIDING_SYSTEM_VALUE';
}

/** `UPDATE t SET a = 1, (b, c) = (2, 3) FROM u WHERE t.id = u.id RETURNING a`. */
export interface UpdateStmt {
  type: 'UpdateStmt';
  relation: RangeVar;
  targetList: ResTarget[];
  whereClause: Node | null;
  fromClause: Node[];
  returningList: ResTarget[];
  withClause: WithClause | null;
}

/** `DELETE FROM t USING u WHERE t.id = u.id RETURNING *`. */
export interface DeleteStmt {
  type: 'DeleteStmt';
  relation: RangeVar;
  usingClause: Node[];
  whereClause: Node | null;
  returningList: ResTarget[];
  withClause: WithClause | null;
}

// ---------------------------------------------------------------------------
// DDL.

/** A generic `name = value` option: EXPLAIN (FORMAT JSON), sequence options, transaction modes. */
export interface DefElem {
  type: 'DefElem';
  defnamespace: string | null;
  defname: string;
  arg: Node | TypeName | string[] | null;
  defaction: 'DEFELEM_UNSPEC';
  location: number;
}

export function makeDefElem(defname: string, arg: DefElem['arg'], location: number): DefElem {
  return { type: 'DefElem', defnamespace: null, defname, arg, defaction: 'DEFELEM_UNSPEC', location };
}

/**
 * A column of CREATE TABLE or ALTER TABLE ADD COLUMN:
 * `id serial PRIMARY KEY`, `name varchar(10) NOT NULL DEFAULT ''`.
 * Column constraints (including DEFAULT) are in `constraints`, as gram.y
 * leaves them; the analyzer moves them where they belong.
 */
export interface ColumnDef {
  type: 'ColumnDef';
  colname: string;
  typeName: TypeName;
  compression: string | null;
  inhcount: number;
  is_local: boolean;
  is_not_null: boolean;
  is_from_type: boolean;
  storage: string;
  raw_default: Node | null;
  cooked_default: null;
  identity: string;
  identitySequence: RangeVar | null;
  generated: string;
  collClause: CollateClause | null;
  collOid: number;
  constraints: Constraint[];
  fdwoptions: DefElem[];
  location: number;
}

export type ConstrType =
  | 'CONSTR_NULL'
  | 'CONSTR_NOTNULL'
  | 'CONSTR_DEFAULT'
  | 'CONSTR_IDENTITY'
  | 'CONSTR_GENERATED'
  | 'CONSTR_CHECK'
  | 'CONSTR_PRIMARY'
  | 'CONSTR_UNIQUE'
  | 'CONSTR_EXCLUSION'
  | 'CONSTR_FOREIGN'
  | 'CONSTR_ATTR_DEFERRABLE'
  | 'CONSTR_ATTR_NOT_DEFERRABLE'
  | 'CONSTR_ATTR_DEFERRED'
  | 'CONSTR_ATTR_IMMEDIATE';

/** Foreign key actions (FKCONSTR_ACTION_*): a NO ACTION, r RESTRICT, c CASCADE, n SET NULL, d SET DEFAULT. */
export type FkAction = 'a' | 'r' | 'c' | 'n' | 'd';

/**
 * A column or table constraint: `NOT NULL`, `DEFAULT 0`, `CHECK (a > 0)`,
 * `PRIMARY KEY (a, b)`, `UNIQUE (a)`, `REFERENCES p (id) ON DELETE CASCADE`,
 * `FOREIGN KEY (pid) REFERENCES p`, `GENERATED ALWAYS AS IDENTITY`,
 * `GENERATED ALWAYS AS (a * 2) STORED`, `CONSTRAINT name ...`.
 */
export interface Constraint {
  type: 'Constraint';
  contype: ConstrType;
  conname: string | null;
  deferrable: boolean;
  initdeferred: boolean;
  location: number;
  is_no_inherit: boolean;
  raw_expr: Node | null;
  cooked_expr: null;
  /** 'a' ALWAYS or 'd' BY DEFAULT for identity and generated columns. */
  generated_when: string;
  nulls_not_distinct: boolean;
  keys: string[];
  including: string[];
  /** Sequence options of an identity column. */
  options: DefElem[];
  indexname: string | null;
  indexspace: string | null;
  pktable: RangeVar | null;
  fk_attrs: string[];
  pk_attrs: string[];
  /** 's' SIMPLE, 'f' FULL, 'p' PARTIAL. */
  fk_matchtype: 's' | 'f' | 'p';
  fk_upd_action: FkAction;
  fk_del_action: FkAction;
  fk_del_set_cols: string[];
  skip_validation: boolean;
  initially_valid: boolean;
}

export function makeConstraint(contype: ConstrType, location: number): Constraint {
  return {
    type: 'Constraint',
    contype,
    conname: null,
    deferrable: false,
    initdeferred: false,
    location,
    is_no_inherit: false,
    raw_expr: null,
    cooked_expr: null,
    generated_when: '',
    nulls_not_distinct: false,
    keys: [],
    including: [],
    options: [],
    indexname: null,
    indexspace: null,
    pktable: null,
    fk_attrs: [],
    pk_attrs: [],
    fk_matchtype: 's',
    fk_upd_action: 'a',
    fk_del_action: 'a',
    fk_del_set_cols: [],
    skip_validation: false,
    initially_valid: true,
  };
}

/** `CREATE [TEMP|UNLOGGED] TABLE [IF NOT EXISTS] t (a int, b text, PRIMARY KEY (a))`. */
export interface CreateStmt {
  type: 'CreateStmt';
  relation: RangeVar;
  tableElts: (ColumnDef | Constraint)[];
  inhRelations: RangeVar[];
  constraints: Constraint[];
  options: DefElem[];
  oncommit: 'ONCOMMIT_NOOP' | 'ONCOMMIT_PRESERVE_ROWS' | 'ONCOMMIT_DELETE_ROWS' | 'ONCOMMIT_DROP';
  tablespacename: string | null;
  accessMethod: string | null;
  if_not_exists: boolean;
}

/**
 * One key of an index or ON CONFLICT target: a column (`a DESC NULLS LAST`)
 * or an expression (`(lower(name))`).
 */
export interface IndexElem {
  type: 'IndexElem';
  name: string | null;
  expr: Node | null;
  indexcolname: string | null;
  collation: string[];
  opclass: string[];
  ordering: 'SORTBY_DEFAULT' | 'SORTBY_ASC' | 'SORTBY_DESC';
  nulls_ordering: 'SORTBY_NULLS_DEFAULT' | 'SORTBY_NULLS_FIRST' | 'SORTBY_NULLS_LAST';
}

/** `CREATE UNIQUE INDEX IF NOT EXISTS i ON t USING btree (a, lower(b) DESC) INCLUDE (c) WHERE d`. */
export interface IndexStmt {
  type: 'IndexStmt';
  idxname: string | null;
  relation: RangeVar;
  accessMethod: string;
  tableSpace: string | null;
  indexParams: IndexElem[];
  indexIncludingParams: IndexElem[];
  options: DefElem[];
  whereClause: Node | null;
  unique: boolean;
  nulls_not_distinct: boolean;
  primary: boolean;
  isconstraint: boolean;
  deferrable: boolean;
  initdeferred: boolean;
  concurrent: boolean;
  if_not_exists: boolean;
}

export type ObjectType = 'OBJECT_TABLE' | 'OBJECT_INDEX' | 'OBJECT_VIEW' | 'OBJECT_SEQUENCE' | 'OBJECT_SCHEMA' | 'OBJECT_COLUMN' | 'OBJECT_TABCONSTRAINT';
export type DropBehavior = 'DROP_RESTRICT' | 'DROP_CASCADE';

/** `DROP TABLE IF EXISTS a, s.b CASCADE`; objects are qualified names. */
export interface DropStmt {
  type: 'DropStmt';
  objects: string[][];
  removeType: ObjectType;
  behavior: DropBehavior;
  missing_ok: boolean;
  concurrent: boolean;
}

export type AlterTableType =
  | 'AT_AddColumn'
  | 'AT_ColumnDefault'
  | 'AT_DropNotNull'
  | 'AT_SetNotNull'
  | 'AT_DropColumn'
  | 'AT_AlterColumnType'
  | 'AT_AddConstraint'
  | 'AT_DropConstraint'
  | 'AT_ValidateConstraint';

/**
 * One action of ALTER TABLE: `ADD COLUMN c int` (def a ColumnDef), `DROP
 * COLUMN c CASCADE`, `ALTER COLUMN c SET DEFAULT 0` (def the expression; null
 * for DROP DEFAULT), `ALTER COLUMN c SET NOT NULL`, `ALTER COLUMN c TYPE
 * bigint`, `ADD CONSTRAINT k UNIQUE (c)`, `DROP CONSTRAINT k`.
 */
export interface AlterTableCmd {
  type: 'AlterTableCmd';
  subtype: AlterTableType;
  name: string | null;
  num: number;
  def: Node | ColumnDef | Constraint | null;
  behavior: DropBehavior;
  missing_ok: boolean;
  recurse: boolean;
}

/** `ALTER TABLE [IF EXISTS] [ONLY] t ADD COLUMN ..., DROP COLUMN ...`. */
export interface AlterTableStmt {
  type: 'AlterTableStmt';
  relation: RangeVar;
  cmds: AlterTableCmd[];
  objtype: ObjectType;
  missing_ok: boolean;
}

/**
 * `ALTER TABLE t RENAME TO u` (renameType OBJECT_TABLE), `ALTER TABLE t RENAME
 * [COLUMN] a TO b` (OBJECT_COLUMN, subname "a"), `ALTER TABLE t RENAME
 * CONSTRAINT k TO l`, `ALTER INDEX i RENAME TO j`. PostgreSQL parses these
 * into RenameStmt, not AlterTableStmt, and so does tabgres.
 */
export interface RenameStmt {
  type: 'RenameStmt';
  renameType: ObjectType;
  relationType: ObjectType;
  relation: RangeVar | null;
  subname: string | null;
  newname: string;
  behavior: DropBehavior;
  missing_ok: boolean;
}

/** `CREATE [OR REPLACE] VIEW v (a, b) AS SELECT ... [WITH CHECK OPTION]`. */
export interface ViewStmt {
  type: 'ViewStmt';
  view: RangeVar;
  aliases: string[];
  query: SelectStmt;
  replace: boolean;
  options: DefElem[];
  withCheckOption: 'NO_CHECK_OPTION' | 'LOCAL_CHECK_OPTION' | 'CASCADED_CHECK_OPTION';
}

/** `TRUNCATE [TABLE] a, b RESTART IDENTITY CASCADE`. */
export interface TruncateStmt {
  type: 'TruncateStmt';
  relations: RangeVar[];
  restart_seqs: boolean;
  behavior: DropBehavior;
}

/** `CREATE SCHEMA [IF NOT EXISTS] s [AUTHORIZATION r]`. */
export interface CreateSchemaStmt {
  type: 'CreateSchemaStmt';
  schemaname: string | null;
  authrole: string | null;
  schemaElts: Stmt[];
  if_not_exists: boolean;
}

/** `CREATE SEQUENCE [IF NOT EXISTS] s INCREMENT BY 2 START WITH 10 ...`; options as DefElems. */
export interface CreateSeqStmt {
  type: 'CreateSeqStmt';
  sequence: RangeVar;
  options: DefElem[];
  for_identity: boolean;
  if_not_exists: boolean;
}

/** `ALTER SEQUENCE [IF EXISTS] s RESTART WITH 1`. */
export interface AlterSeqStmt {
  type: 'AlterSeqStmt';
  sequence: RangeVar;
  options: DefElem[];
  for_identity: boolean;
  missing_ok: boolean;
}

// ---------------------------------------------------------------------------
// Transactions and utility statements.

export type TransactionStmtKind =
  | 'TRANS_STMT_BEGIN'
  | 'TRANS_STMT_START'
  | 'TRANS_STMT_COMMIT'
  | 'TRANS_STMT_ROLLBACK'
  | 'TRANS_STMT_SAVEPOINT'
  | 'TRANS_STMT_RELEASE'
  | 'TRANS_STMT_ROLLBACK_TO';

/**
 * `BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY` (options are DefElems
 * transaction_isolation / transaction_read_only / transaction_deferrable),
 * `COMMIT`, `ROLLBACK`, `SAVEPOINT s`, `RELEASE s`, `ROLLBACK TO s`.
 */
export interface TransactionStmt {
  type: 'TransactionStmt';
  kind: TransactionStmtKind;
  options: DefElem[];
  savepoint_name: string | null;
  gid: string | null;
  chain: boolean;
  location: number;
}

/**
 * `SET [SESSION|LOCAL] work_mem TO '4MB'` (VAR_SET_VALUE), `SET x TO DEFAULT`,
 * `SET TIME ZONE 'UTC'` (name "timezone"), `SET TRANSACTION ...`
 * (VAR_SET_MULTI), `RESET x` (VAR_RESET), `RESET ALL`.
 */
export interface VariableSetStmt {
  type: 'VariableSetStmt';
  kind: 'VAR_SET_VALUE' | 'VAR_SET_DEFAULT' | 'VAR_SET_CURRENT' | 'VAR_SET_MULTI' | 'VAR_RESET' | 'VAR_RESET_ALL';
  name: string | null;
  /** The values; DefElems for VAR_SET_MULTI (SET TRANSACTION ...). */
  args: (Node | DefElem)[];
  is_local: boolean;
  location: number;
}

/** `SHOW work_mem`, `SHOW TIME ZONE` (name "timezone"), `SHOW ALL` (name "all"). */
export interface VariableShowStmt {
  type: 'VariableShowStmt';
  name: string;
}

/** `EXPLAIN ANALYZE VERBOSE stmt` or `EXPLAIN (FORMAT JSON, COSTS OFF) stmt`; options as DefElems. */
export interface ExplainStmt {
  type: 'ExplainStmt';
  query: Stmt;
  options: DefElem[];
}

/** One table of VACUUM or ANALYZE, with optional columns: `t (a, b)`. */
export interface VacuumRelation {
  type: 'VacuumRelation';
  relation: RangeVar;
  va_cols: string[];
}

/** `VACUUM FULL ANALYZE t`, `VACUUM (VERBOSE) t`, `ANALYZE t (a)` (is_vacuumcmd false). */
export interface VacuumStmt {
  type: 'VacuumStmt';
  options: DefElem[];
  rels: VacuumRelation[];
  is_vacuumcmd: boolean;
}

/** `CHECKPOINT`. */
export interface CheckPointStmt {
  type: 'CheckPointStmt';
}

/**
 * `LOCK [TABLE] t IN SHARE ROW EXCLUSIVE MODE [NOWAIT]`; mode is the lock
 * mode number of lockdefs.h (1 AccessShareLock .. 8 AccessExclusiveLock).
 */
export interface LockStmt {
  type: 'LockStmt';
  relations: RangeVar[];
  mode: number;
  nowait: boolean;
}

/** Nodes that appear only inside statements (not as expressions). */
export type ClauseNode =
  | WithClause
  | CommonTableExpr
  | LockingClause
  | InferClause
  | OnConflictClause
  | DefElem
  | ColumnDef
  | Constraint
  | IndexElem
  | AlterTableCmd
  | VacuumRelation
  | Alias;

/** Any node of the raw parse tree. */
export type AnyNode = Node | Stmt | RawStmt | ClauseNode;
