import { describe, expect, it } from 'vitest';
import { PgError } from '../utils/errors.ts';
import { deparseExpr } from './deparse.ts';
import { parse, parseOne } from './gram.ts';
import type { CreateStmt, InsertStmt, SelectStmt, UpdateStmt } from './nodes.ts';
import type { Node } from './primnodes.ts';

/** The first target expression of `SELECT <e>`. */
function expr(e: string): Node {
  const s = parseOne(`SELECT ${e}`) as SelectStmt;
  return s.targetList[0].val!;
}
/** Fully parenthesized form of an expression: shows how it grouped. */
const grouped = (e: string): string => deparseExpr(expr(e));

function err(sql: string): PgError {
  try {
    parse(sql);
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error(`no error for ${sql}`);
}

describe('operator precedence (gram.y)', () => {
  it.each([
    ['a + b * c', '(a + (b * c))'],
    ['a * b + c', '((a * b) + c)'],
    ['a - b - c', '((a - b) - c)'],
    ['NOT a = b', '(NOT (a = b))'],
    ['NOT a AND b', '((NOT a) AND b)'],
    ['a OR b AND c', '(a OR (b AND c))'],
    ['a AND b OR c', '((a AND b) OR c)'],
    ['-2 ^ 2', '((-2) ^ 2)'],
    ['- a ^ 2', '((- a) ^ 2)'],
    ['2 ^ 3 ^ 2', '((2 ^ 3) ^ 2)'],
    ['a::int[]', '(a::integer[])'],
    ['-a::int', '(- (a::integer))'],
    ['x BETWEEN 1 AND 2 AND y', '((x BETWEEN 1 AND 2) AND y)'],
    ['x BETWEEN a + 1 AND b * 2', '(x BETWEEN (a + 1) AND (b * 2))'],
    ['a || b = c', '((a || b) = c)'],
    ['a = b || c', '(a = (b || c))'],
    ['a + b || c', '((a + b) || c)'],
    ['a || b + c', '(a || (b + c))'],
    ['a = b IS NULL', '((a = b) IS NULL)'],
    ['a IS NULL = b', '((a IS NULL) = b)'],
    ['a LIKE b || c', '(a LIKE (b || c))'],
    ['a = b LIKE c', '(a = (b LIKE c))'],
    ['a LIKE b = c', '((a LIKE b) = c)'],
    ['a IN (1) = b', '((a IN (1)) = b)'],
    ['a < b AND c > d', '((a < b) AND (c > d))'],
    ['a + b AT TIME ZONE c', '(a + (b AT TIME ZONE c))'],
    ['a * b COLLATE "C"', '(a * (b COLLATE "C"))'],
    ['a = ANY (b) AND c', '((a = ANY (b)) AND c)'],
    ['a + b = ANY (c)', '((a + b) = ANY (c))'],
    ['~ a || b', '((~ a) || b)'],
    ['~ a + b', '(~ (a + b))'],
    ['a IS DISTINCT FROM b + 1', '(a IS DISTINCT FROM (b + 1))'],
    ['1 = 1 IS TRUE', '((1 = 1) IS TRUE)'],
    ['a NOT BETWEEN 1 AND 2', '(a NOT BETWEEN 1 AND 2)'],
    ['NOT a IS NULL', '(NOT (a IS NULL))'],
    ['a[1]::text', '((a)[1]::text)'],
  ])('%s', (input, want) => {
    expect(grouped(input)).toBe(want);
  });

  it('rejects chained non-associative operators as PostgreSQL does', () => {
    expect(err('SELECT a < b < c')).toMatchObject({ code: '42601', message: 'syntax error at or near "<"', position: 14 });
    expect(err('SELECT a = b = c').message).toBe('syntax error at or near "="');
    expect(err('SELECT a LIKE b LIKE c').message).toBe('syntax error at or near "LIKE"');
    expect(() => parse('SELECT a IS NULL IS NULL')).not.toThrow();
  });
});

describe('expression nodes', () => {
  it('folds minus into constants and flattens AND chains', () => {
    expect(expr('-5')).toMatchObject({ type: 'A_Const', val: { type: 'Integer', ival: -5 }, location: 7 });
    expect(expr('-1.5')).toMatchObject({ type: 'A_Const', val: { type: 'Float', fval: '-1.5' } });
    expect(expr('a AND b AND c')).toMatchObject({ type: 'BoolExpr', boolop: 'AND_EXPR', args: [{}, {}, {}] });
  });

  it('builds PostgreSQL node shapes', () => {
    expect(expr('t.a')).toEqual({ type: 'ColumnRef', fields: ['t', 'a'], location: 7 });
    expect(expr('$2')).toEqual({ type: 'ParamRef', number: 2, location: 7 });
    expect(expr('NULL')).toEqual({ type: 'A_Const', isnull: true, location: 7 });
    expect(expr('a IN (1, 2)')).toMatchObject({ type: 'A_Expr', kind: 'AEXPR_IN', name: ['='], rexpr: [{}, {}] });
    expect(expr('a NOT IN (1)')).toMatchObject({ kind: 'AEXPR_IN', name: ['<>'] });
    expect(expr('a LIKE b ESCAPE c')).toMatchObject({ kind: 'AEXPR_LIKE', name: ['~~'], rexpr: { type: 'FuncCall', funcname: ['pg_catalog', 'like_escape'] } });
    expect(expr('a NOT ILIKE b')).toMatchObject({ kind: 'AEXPR_ILIKE', name: ['!~~*'] });
    expect(expr('a BETWEEN SYMMETRIC 1 AND 2')).toMatchObject({ kind: 'AEXPR_BETWEEN_SYM', name: ['BETWEEN SYMMETRIC'] });
    expect(expr('a IS NOT DISTINCT FROM b')).toMatchObject({ kind: 'AEXPR_NOT_DISTINCT', name: ['='] });
    expect(expr('NULLIF(a, b)')).toMatchObject({ kind: 'AEXPR_NULLIF' });
    expect(expr('a = ANY (b)')).toMatchObject({ kind: 'AEXPR_OP_ANY', name: ['='] });
    expect(expr('a > ALL (SELECT 1)')).toMatchObject({ type: 'SubLink', subLinkType: 'ALL_SUBLINK', operName: ['>'] });
    expect(expr('a IN (SELECT 1)')).toMatchObject({ type: 'SubLink', subLinkType: 'ANY_SUBLINK', operName: [] });
    expect(expr('EXISTS (SELECT 1)')).toMatchObject({ type: 'SubLink', subLinkType: 'EXISTS_SUBLINK' });
    expect(expr('(SELECT 1)')).toMatchObject({ type: 'SubLink', subLinkType: 'EXPR_SUBLINK' });
    expect(expr('ARRAY(SELECT 1)')).toMatchObject({ type: 'SubLink', subLinkType: 'ARRAY_SUBLINK' });
    expect(expr('a IS NULL')).toMatchObject({ type: 'NullTest', nulltesttype: 'IS_NULL' });
    expect(expr('a IS NOT UNKNOWN')).toMatchObject({ type: 'BooleanTest', booltesttype: 'IS_NOT_UNKNOWN' });
    expect(expr('CAST(a AS varchar(10))')).toMatchObject({ type: 'TypeCast', typeName: { names: ['pg_catalog', 'varchar'], typmods: [{ val: { ival: 10 } }] } });
    expect(expr("DATE '2024-01-01'")).toMatchObject({ type: 'TypeCast', arg: { val: { sval: '2024-01-01' } }, typeName: { names: ['date'] } });
    expect(expr("INTERVAL '1' DAY")).toMatchObject({ typeName: { names: ['pg_catalog', 'interval'], typmods: [{ val: { ival: 8 } }] } });
    expect(expr('a::timestamp(3) with time zone')).toMatchObject({ typeName: { names: ['pg_catalog', 'timestamptz'], typmods: [{ val: { ival: 3 } }] } });
    expect(expr('a::int ARRAY')).toMatchObject({ typeName: { names: ['pg_catalog', 'int4'], arrayBounds: [-1] } });
    expect(expr('EXTRACT(year FROM d)')).toMatchObject({ type: 'FuncCall', funcname: ['pg_catalog', 'extract'], funcformat: 'COERCE_SQL_SYNTAX', args: [{ val: { sval: 'year' } }, {}] });
    expect(expr("TRIM(LEADING 'x' FROM s)")).toMatchObject({ funcname: ['pg_catalog', 'ltrim'], args: [{ type: 'ColumnRef' }, { type: 'A_Const' }] });
    expect(expr('POSITION(a IN b)')).toMatchObject({ funcname: ['pg_catalog', 'position'], args: [{ fields: ['b'] }, { fields: ['a'] }] });
    expect(expr('CURRENT_TIMESTAMP(3)')).toEqual({ type: 'SQLValueFunction', op: 'SVFOP_CURRENT_TIMESTAMP_N', typmod: 3, location: 7 });
    expect(expr('a[1:2]')).toMatchObject({ type: 'A_Indirection', arg: { type: 'ColumnRef' }, indirection: [{ type: 'A_Indices', is_slice: true }] });
    expect(expr('ARRAY[[1], [2]]')).toMatchObject({ type: 'A_ArrayExpr', elements: [{ type: 'A_ArrayExpr' }, { type: 'A_ArrayExpr' }] });
    expect(expr('(1, 2)')).toMatchObject({ type: 'RowExpr', row_format: 'COERCE_IMPLICIT_CAST' });
    expect(expr('CASE WHEN a THEN 1 ELSE 2 END')).toMatchObject({ type: 'CaseExpr', arg: null, args: [{ type: 'CaseWhen' }] });
    expect(expr('COALESCE(a, 1)')).toMatchObject({ type: 'CoalesceExpr' });
    expect(expr('GREATEST(a, 1)')).toMatchObject({ type: 'MinMaxExpr', op: 'IS_GREATEST' });
  });

  it('parses aggregates and window functions', () => {
    expect(expr('count(*)')).toMatchObject({ type: 'FuncCall', funcname: ['count'], agg_star: true, args: [] });
    expect(expr('count(DISTINCT a)')).toMatchObject({ agg_distinct: true });
    expect(expr("string_agg(a, ',' ORDER BY a DESC)")).toMatchObject({ agg_order: [{ type: 'SortBy', sortby_dir: 'SORTBY_DESC' }] });
    expect(expr('sum(x) FILTER (WHERE x > 0)')).toMatchObject({ agg_filter: { type: 'A_Expr' } });
    expect(expr('rank() OVER (PARTITION BY g ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)')).toMatchObject({
      over: { type: 'WindowDef', partitionClause: [{}], orderClause: [{}], frameOptions: 0x1 | 0x4 | 0x10 | 0x800 | 0x400, startOffset: { val: { ival: 1 } } },
    });
    expect(expr('rank() OVER w')).toMatchObject({ over: { name: 'w', refname: null } });
  });
});

describe('SELECT', () => {
  it('parses the clauses into SelectStmt fields', () => {
    const s = parseOne('SELECT DISTINCT ON (a) a, b AS c FROM t x JOIN u USING (id) WHERE a > 1 GROUP BY a HAVING count(*) > 1 WINDOW w AS (ORDER BY a) ORDER BY a DESC NULLS LAST LIMIT 5 OFFSET 2 FOR UPDATE OF t SKIP LOCKED') as SelectStmt;
    expect(s.distinctClause).toHaveLength(1);
    expect(s.targetList[1]).toMatchObject({ name: 'c' });
    expect(s.fromClause[0]).toMatchObject({ type: 'JoinExpr', jointype: 'JOIN_INNER', usingClause: ['id'], larg: { relname: 't', alias: { aliasname: 'x' } } });
    expect(s.whereClause).toMatchObject({ type: 'A_Expr' });
    expect(s.groupClause).toHaveLength(1);
    expect(s.havingClause).not.toBeNull();
    expect(s.windowClause[0]).toMatchObject({ name: 'w' });
    expect(s.sortClause[0]).toMatchObject({ sortby_dir: 'SORTBY_DESC', sortby_nulls: 'SORTBY_NULLS_LAST' });
    expect(s.limitCount).toMatchObject({ val: { ival: 5 } });
    expect(s.limitOffset).toMatchObject({ val: { ival: 2 } });
    expect(s.limitOption).toBe('LIMIT_OPTION_COUNT');
    expect(s.lockingClause[0]).toMatchObject({ strength: 'LCS_FORUPDATE', waitPolicy: 'LockWaitSkip', lockedRels: [{ relname: 't' }] });
    expect((parseOne('SELECT DISTINCT a FROM t') as SelectStmt).distinctClause).toEqual([]);
    expect((parseOne('SELECT a FROM t') as SelectStmt).distinctClause).toBeNull();
  });

  it('gives INTERSECT precedence over UNION and EXCEPT', () => {
    const s = parseOne('SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL SELECT 4') as SelectStmt;
    expect(s).toMatchObject({ op: 'SETOP_EXCEPT', all: true, larg: { op: 'SETOP_UNION', rarg: { op: 'SETOP_INTERSECT' } } });
  });

  it('attaches ORDER BY and LIMIT to the whole set operation', () => {
    const s = parseOne('SELECT 1 UNION SELECT 2 ORDER BY 1 LIMIT 1') as SelectStmt;
    expect(s.op).toBe('SETOP_UNION');
    expect(s.sortClause).toHaveLength(1);
    expect(s.larg?.sortClause).toHaveLength(0);
  });

  it('parses joins of every kind, left-associatively', () => {
    const s = parseOne('SELECT * FROM a LEFT JOIN b ON true FULL OUTER JOIN c USING (x) CROSS JOIN d NATURAL RIGHT JOIN e') as SelectStmt;
    expect(s.fromClause[0]).toMatchObject({
      jointype: 'JOIN_RIGHT',
      isNatural: true,
      larg: { jointype: 'JOIN_INNER', quals: null, larg: { jointype: 'JOIN_FULL', larg: { jointype: 'JOIN_LEFT' } } },
    });
    const r = parseOne('SELECT * FROM a JOIN b JOIN c ON p ON q') as SelectStmt;
    expect(r.fromClause[0]).toMatchObject({ larg: { relname: 'a' }, rarg: { type: 'JoinExpr', larg: { relname: 'b' } } });
  });

  it('parses subqueries, functions and LATERAL in FROM', () => {
    const s = parseOne('SELECT * FROM (SELECT 1) AS s (a), LATERAL generate_series(1, t.n) WITH ORDINALITY g (i, o), f() AS (x int)') as SelectStmt;
    expect(s.fromClause[0]).toMatchObject({ type: 'RangeSubselect', alias: { aliasname: 's', colnames: ['a'] } });
    expect(s.fromClause[1]).toMatchObject({ type: 'RangeFunction', lateral: true, ordinality: true, alias: { aliasname: 'g', colnames: ['i', 'o'] } });
    expect(s.fromClause[2]).toMatchObject({ type: 'RangeFunction', coldeflist: [{ colname: 'x' }] });
  });

  it('parses WITH and VALUES', () => {
    const s = parseOne('WITH RECURSIVE r (n) AS MATERIALIZED (VALUES (1)) SELECT * FROM r') as SelectStmt;
    expect(s.withClause).toMatchObject({ recursive: true, ctes: [{ ctename: 'r', aliascolnames: ['n'], ctematerialized: 'CTEMaterializeAlways', ctequery: { valuesLists: [[{}]] } }] });
  });

  it('reads bare column labels only where PostgreSQL does', () => {
    expect((parseOne('SELECT 1 x, 2 AS from, 3 "y"') as SelectStmt).targetList.map((t) => t.name)).toEqual(['x', 'from', 'y']);
    expect(err('SELECT 1 year').message).toBe('syntax error at or near "year"');
  });
});

describe('DML', () => {
  it('parses INSERT with ON CONFLICT and RETURNING', () => {
    const s = parseOne('INSERT INTO t (a, b) VALUES (1, DEFAULT) ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b WHERE t.b < 5 RETURNING *') as InsertStmt;
    expect(s.cols.map((c) => c.name)).toEqual(['a', 'b']);
    expect(s.selectStmt?.valuesLists[0][1]).toEqual({ type: 'SetToDefault', location: 32 });
    expect(s.onConflictClause).toMatchObject({ action: 'ONCONFLICT_UPDATE', infer: { indexElems: [{ name: 'a' }] }, targetList: [{ name: 'b' }] });
    expect(s.returningList).toHaveLength(1);
    expect((parseOne('INSERT INTO t DEFAULT VALUES') as InsertStmt).selectStmt).toBeNull();
  });

  it('parses multi-column UPDATE SET into MultiAssignRefs', () => {
    const s = parseOne('UPDATE t SET (a, b) = (SELECT 1, 2), c = 3 FROM u WHERE t.id = u.id') as UpdateStmt;
    expect(s.targetList[0].val).toMatchObject({ type: 'MultiAssignRef', colno: 1, ncolumns: 2 });
    expect(s.targetList[1].val).toMatchObject({ type: 'MultiAssignRef', colno: 2, ncolumns: 2 });
    expect(s.fromClause).toHaveLength(1);
  });

  it('parses DELETE USING', () => {
    expect(parseOne('DELETE FROM t x USING u WHERE x.a = u.a RETURNING x.a')).toMatchObject({ type: 'DeleteStmt', relation: { alias: { aliasname: 'x' } }, usingClause: [{ relname: 'u' }] });
  });
});

describe('DDL', () => {
  it('parses CREATE TABLE with column and table constraints', () => {
    const s = parseOne('CREATE TABLE IF NOT EXISTS t (id serial PRIMARY KEY, p int NOT NULL DEFAULT 0 REFERENCES q (id) ON DELETE CASCADE, CONSTRAINT ck CHECK (p > 0))') as CreateStmt;
    expect(s.if_not_exists).toBe(true);
    expect(s.tableElts[0]).toMatchObject({ type: 'ColumnDef', colname: 'id', typeName: { names: ['serial'] }, constraints: [{ contype: 'CONSTR_PRIMARY' }] });
    expect(s.tableElts[1]).toMatchObject({
      constraints: [{ contype: 'CONSTR_NOTNULL' }, { contype: 'CONSTR_DEFAULT', raw_expr: { val: { ival: 0 } } }, { contype: 'CONSTR_FOREIGN', pk_attrs: ['id'], fk_del_action: 'c' }],
    });
    expect(s.tableElts[2]).toMatchObject({ type: 'Constraint', contype: 'CONSTR_CHECK', conname: 'ck' });
  });

  it('parses indexes, views, ALTER, DROP, TRUNCATE, schemas and sequences', () => {
    expect(parseOne('CREATE UNIQUE INDEX i ON t USING btree (a DESC NULLS FIRST, (lower(b)))')).toMatchObject({
      type: 'IndexStmt', unique: true, accessMethod: 'btree', indexParams: [{ name: 'a', ordering: 'SORTBY_DESC', nulls_ordering: 'SORTBY_NULLS_FIRST' }, { expr: { type: 'FuncCall' } }],
    });
    expect(parseOne('CREATE OR REPLACE VIEW v AS SELECT 1')).toMatchObject({ type: 'ViewStmt', replace: true });
    expect(parseOne('ALTER TABLE t ADD COLUMN c int, ALTER COLUMN d SET DEFAULT 1, DROP COLUMN e CASCADE')).toMatchObject({
      type: 'AlterTableStmt', cmds: [{ subtype: 'AT_AddColumn' }, { subtype: 'AT_ColumnDefault', name: 'd' }, { subtype: 'AT_DropColumn', behavior: 'DROP_CASCADE' }],
    });
    expect(parseOne('ALTER TABLE t RENAME COLUMN a TO b')).toMatchObject({ type: 'RenameStmt', renameType: 'OBJECT_COLUMN', subname: 'a', newname: 'b' });
    expect(parseOne('DROP TABLE IF EXISTS a, s.b CASCADE')).toMatchObject({ type: 'DropStmt', objects: [['a'], ['s', 'b']], missing_ok: true, behavior: 'DROP_CASCADE' });
    expect(parseOne('TRUNCATE t RESTART IDENTITY')).toMatchObject({ type: 'TruncateStmt', restart_seqs: true });
    expect(parseOne('CREATE SCHEMA IF NOT EXISTS s')).toMatchObject({ type: 'CreateSchemaStmt', schemaname: 's', if_not_exists: true });
    expect(parseOne('CREATE SEQUENCE s START WITH 5 INCREMENT BY -1')).toMatchObject({
      type: 'CreateSeqStmt', options: [{ defname: 'start', arg: { ival: 5 } }, { defname: 'increment', arg: { ival: -1 } }],
    });
  });
});

describe('utility statements', () => {
  it('parses transactions', () => {
    expect(parseOne('BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY')).toMatchObject({
      type: 'TransactionStmt', kind: 'TRANS_STMT_BEGIN', options: [{ defname: 'transaction_isolation', arg: { val: { sval: 'serializable' } } }, { defname: 'transaction_read_only', arg: { val: { ival: 1 } } }],
    });
    expect(parseOne('ROLLBACK TO SAVEPOINT s')).toMatchObject({ kind: 'TRANS_STMT_ROLLBACK_TO', savepoint_name: 's' });
    expect(parseOne('END')).toMatchObject({ kind: 'TRANS_STMT_COMMIT' });
  });

  it('parses SET, SHOW, RESET, EXPLAIN, VACUUM, ANALYZE, CHECKPOINT, LOCK', () => {
    expect(parseOne("SET LOCAL work_mem = '4MB'")).toMatchObject({ type: 'VariableSetStmt', kind: 'VAR_SET_VALUE', name: 'work_mem', is_local: true, args: [{ val: { sval: '4MB' } }] });
    expect(parseOne("SET TIME ZONE 'UTC'")).toMatchObject({ name: 'timezone' });
    expect(parseOne('SHOW TIME ZONE')).toEqual({ type: 'VariableShowStmt', name: 'timezone' });
    expect(parseOne('RESET ALL')).toMatchObject({ kind: 'VAR_RESET_ALL' });
    expect(parseOne('EXPLAIN (FORMAT JSON, ANALYZE) SELECT 1')).toMatchObject({ type: 'ExplainStmt', options: [{ defname: 'format', arg: { sval: 'json' } }, { defname: 'analyze', arg: null }] });
    expect(parseOne('VACUUM FULL ANALYZE t (a)')).toMatchObject({ type: 'VacuumStmt', is_vacuumcmd: true, options: [{ defname: 'full' }, { defname: 'analyze' }], rels: [{ va_cols: ['a'] }] });
    expect(parseOne('ANALYZE t')).toMatchObject({ type: 'VacuumStmt', is_vacuumcmd: false });
    expect(parseOne('CHECKPOINT')).toEqual({ type: 'CheckPointStmt' });
    expect(parseOne('LOCK t IN SHARE ROW EXCLUSIVE MODE NOWAIT')).toMatchObject({ type: 'LockStmt', mode: 6, nowait: true });
  });
});

describe('statements and errors', () => {
  it('splits statements on semicolons and skips empty ones', () => {
    const stmts = parse(';SELECT 1;; SELECT 2;');
    expect(stmts.map((s) => [s.stmt_location, s.stmt_len])).toEqual([
      [1, 8],
      [12, 8],
    ]);
    expect(parse('')).toEqual([]);
    expect(parse(' -- nothing')).toEqual([]);
  });

  it('reports syntax errors at the offending token, 1-based', () => {
    expect(err('SELECT * FROM t WHERE')).toMatchObject({ code: '42601', message: 'syntax error at end of input', position: 22 });
    expect(err('SELECT 1 2')).toMatchObject({ message: 'syntax error at or near "2"', position: 10 });
    expect(err('SELEC 1')).toMatchObject({ message: 'syntax error at or near "SELEC"', position: 1 });
    expect(err('SELECT é + ')).toMatchObject({ message: 'syntax error at end of input', position: 12 });
  });

  it('raises 0A000 for constructs it does not implement', () => {
    for (const sql of [
      'COPY t FROM stdin', 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql', 'GRANT SELECT ON t TO u',
      'SELECT a FROM t GROUP BY ROLLUP (a)', 'SELECT * INTO t2 FROM t', 'SELECT f(x => 1)', 'CREATE TABLE t (LIKE u)',
      'SELECT * FROM t TABLESAMPLE bernoulli (1)', 'CREATE MATERIALIZED VIEW v AS SELECT 1', 'DROP FUNCTION f',
      'ALTER TABLE t OWNER TO u', 'SELECT GROUPING(a) FROM t GROUP BY a', 'MERGE INTO t USING u ON true WHEN MATCHED THEN DELETE',
      'WITH RECURSIVE r AS (SELECT 1) SEARCH DEPTH FIRST BY a SET o SELECT 1', 'CREATE TABLE t AS SELECT 1',
    ]) {
      expect(err(sql).code, sql).toBe('0A000');
    }
  });

  it('turns deep nesting into stack depth limit exceeded, not a RangeError', () => {
    const n = 100_000;
    for (const sql of ['SELECT ' + '('.repeat(n) + '1' + ')'.repeat(n), 'SELECT ' + '- '.repeat(n) + '1', 'SELECT ' + 'NOT '.repeat(n) + 'true', 'SELECT * FROM ' + '('.repeat(n) + 'SELECT 1' + ')'.repeat(n), 'SELECT ' + 'ARRAY['.repeat(n) + ']'.repeat(n)]) {
      const e = err(sql);
      expect(e.code).toBe('54001');
      expect(e.message).toBe('stack depth limit exceeded');
      expect(e.hint).toMatch(/max_stack_depth/);
    }
    // Well inside the limit still parses.
    expect(() => parse('SELECT ' + '('.repeat(990) + '1' + ')'.repeat(990))).not.toThrow();
    expect(() => parse('SELECT * FROM ' + '('.repeat(400) + 'SELECT 1' + ')'.repeat(400) + ' s')).not.toThrow();
  });
});
