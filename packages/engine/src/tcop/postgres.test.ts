/*
 * postgres.test.ts — the backend's main loop through Database: command
 * tags, the implicit transaction block of a multi-statement string,
 * transaction control with PostgreSQL's warnings and errors, transactional
 * SET, statement_timeout, parameters and the JavaScript value forms.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../database.ts';
import { PgError } from '../utils/errors.ts';
import { xlogStatsOf } from '../access/transam/xlog.ts';

let db: Database;

beforeEach(() => {
  db = Database.openSync();
});

afterEach(() => {
  db.closeSync();
});

/** Runs a string through the simple protocol: tags, notices and the error as text lines. */
function run(sql: string): string[] {
  const out = db.backend.execSimpleQuery(sql);
  const lines: string[] = [];
  for (const r of out.results) {
    for (const n of r.notices) lines.push(`${n.severity} ${n.code} ${n.message}`);
    lines.push(r.command);
  }
  for (const n of out.errorNotices) lines.push(`${n.severity} ${n.code} ${n.message}`);
  if (out.error !== null) lines.push(`ERROR ${out.error.code} ${out.error.message}`);
  return lines;
}

describe('command tags', () => {
  it('are PostgreSQL\'s', () => {
    expect(run('CREATE TABLE t (a int PRIMARY KEY, b text)')).toEqual(['CREATE TABLE']);
    expect(run("INSERT INTO t VALUES (1, 'x'), (2, 'y')")).toEqual(['INSERT 0 2']);
    expect(run('SELECT * FROM t')).toEqual(['SELECT 2']);
    expect(run("UPDATE t SET b = 'z' WHERE a = 1")).toEqual(['UPDATE 1']);
    expect(run('DELETE FROM t WHERE a = 5')).toEqual(['DELETE 0']);
    expect(run('CREATE INDEX t_b ON t (b)')).toEqual(['CREATE INDEX']);
    expect(run('DROP INDEX t_b')).toEqual(['DROP INDEX']);
    expect(run("SET work_mem = '8MB'")).toEqual(['SET']);
    expect(run('RESET work_mem')).toEqual(['RESET']);
    expect(run('SHOW work_mem')).toEqual(['SHOW']);
    expect(run('BEGIN')).toEqual(['BEGIN']);
    expect(run('SAVEPOINT s')).toEqual(['SAVEPOINT']);
    expect(run('RELEASE s')).toEqual(['RELEASE']);
    expect(run('COMMIT')).toEqual(['COMMIT']);
    expect(run('START TRANSACTION')).toEqual(['START TRANSACTION']);
    expect(run('ROLLBACK')).toEqual(['ROLLBACK']);
    expect(run('CHECKPOINT')).toEqual(['CHECKPOINT']);
    expect(run('VACUUM t')).toEqual(['VACUUM']);
    expect(run('ANALYZE t')).toEqual(['ANALYZE']);
    expect(run('TRUNCATE t')).toEqual(['TRUNCATE TABLE']);
    expect(run('DROP TABLE t')).toEqual(['DROP TABLE']);
  });
});

describe('transactions', () => {
  it('warns about BEGIN in a block and COMMIT/ROLLBACK outside one', () => {
    expect(run('COMMIT')).toEqual(['WARNING 25P01 there is no transaction in progress', 'COMMIT']);
    expect(run('ROLLBACK')).toEqual(['WARNING 25P01 there is no transaction in progress', 'ROLLBACK']);
    run('BEGIN');
    expect(run('BEGIN')).toEqual(['WARNING 25001 there is already a transaction in progress', 'BEGIN']);
    expect(run('COMMIT')).toEqual(['COMMIT']);
  });

  it('refuses everything but ROLLBACK in a failed block, and COMMIT rolls back', () => {
    run('CREATE TABLE t (a int)');
    run('BEGIN');
    run('INSERT INTO t VALUES (1)');
    expect(run('SELECT 1/0')).toEqual(['ERROR 22012 division by zero']);
    expect(run('SELECT 1')).toEqual(['ERROR 25P02 current transaction is aborted, commands ignored until end of transaction block']);
    expect(db.backend.transactionStatus).toBe('E');
    expect(run('COMMIT')).toEqual(['ROLLBACK']);
    expect(db.querySync('SELECT count(*) AS n FROM t').rows[0].n).toBe(0n);
  });

  it('recovers a failed block with ROLLBACK TO a savepoint', () => {
    run('CREATE TABLE t (a int)');
    expect(run("BEGIN; INSERT INTO t VALUES (1); SAVEPOINT s; INSERT INTO t VALUES ('x')")).toEqual([
      'BEGIN', 'INSERT 0 1', 'SAVEPOINT', 'ERROR 22P02 invalid input syntax for type integer: "x"',
    ]);
    expect(run('ROLLBACK TO s')).toEqual(['ROLLBACK']);
    expect(run('INSERT INTO t VALUES (2); COMMIT')).toEqual(['INSERT 0 1', 'COMMIT']);
    expect(db.querySync('SELECT a FROM t ORDER BY a', [], { rowMode: 'array' }).rows).toEqual([[1], [2]]);
  });

  it('runs a multi-statement string as one implicit transaction', () => {
    run('CREATE TABLE t (a int)');
    expect(run('INSERT INTO t VALUES (1); SELECT 1/0')).toEqual(['INSERT 0 1', 'ERROR 22012 division by zero']);
    expect(db.backend.transactionStatus).toBe('I');
    expect(db.querySync('SELECT count(*) AS n FROM t').rows[0].n).toBe(0n);
    expect(run('SELECT 1; VACUUM t')).toEqual(['SELECT 1', 'ERROR 25001 VACUUM cannot run inside a transaction block']);
  });

  it('runs nothing when any statement has a syntax error', () => {
    run('CREATE TABLE t (a int)');
    expect(run('INSERT INTO t VALUES (1); SELEC 2')).toEqual(['ERROR 42601 syntax error at or near "SELEC"']);
    expect(db.querySync('SELECT count(*) AS n FROM t').rows[0].n).toBe(0n);
  });

  it('refuses savepoints and LOCK outside a block, VACUUM inside one', () => {
    run('CREATE TABLE t (a int)');
    expect(run('SAVEPOINT s')).toEqual(['ERROR 25P01 SAVEPOINT can only be used in transaction blocks']);
    expect(run('RELEASE s')).toEqual(['ERROR 25P01 RELEASE SAVEPOINT can only be used in transaction blocks']);
    expect(run('ROLLBACK TO s')).toEqual(['ERROR 25P01 ROLLBACK TO SAVEPOINT can only be used in transaction blocks']);
    expect(run('LOCK TABLE t')).toEqual(['ERROR 25P01 LOCK TABLE can only be used in transaction blocks']);
    run('BEGIN');
    expect(run('LOCK TABLE t IN ACCESS EXCLUSIVE MODE')).toEqual(['LOCK TABLE']);
    expect(run('VACUUM t')).toEqual(['ERROR 25001 VACUUM cannot run inside a transaction block']);
    expect(run('ROLLBACK')).toEqual(['ROLLBACK']);
  });

  it('undoes SET with the transaction; SET LOCAL ends with it', () => {
    run("BEGIN; SET work_mem = '8MB'; ROLLBACK");
    expect(db.querySync('SHOW work_mem').rows).toEqual([{ work_mem: '4MB' }]);
    run("BEGIN; SET work_mem = '8MB'; SET LOCAL enable_seqscan = off; COMMIT");
    expect(db.querySync('SHOW work_mem').rows).toEqual([{ work_mem: '8MB' }]);
    expect(db.querySync('SHOW enable_seqscan').rows).toEqual([{ enable_seqscan: 'on' }]);
    expect(run("SET LOCAL work_mem = '16MB'")).toEqual(['WARNING 25P01 SET LOCAL can only be used in transaction blocks', 'SET']);
  });

  it('plans with the settings of the moment: the planner\'s cached cost settings follow SET, SET LOCAL and their undoing', () => {
    run('CREATE TABLE p (a int PRIMARY KEY, b int)');
    const scan = (): string => {
      const lines = (db.querySync('EXPLAIN (COSTS OFF) SELECT b FROM p WHERE a = 5', [], { rowMode: 'array' }).rows as unknown as string[][]).map((r) => r[0]);
      return lines.join(' / ');
    };
    const indexed = scan();
    expect(indexed).toContain('Index');
    run('SET enable_indexscan = off; SET enable_bitmapscan = off');
    expect(scan()).toContain('Seq Scan');
    run('RESET enable_indexscan; RESET enable_bitmapscan');
    expect(scan()).toBe(indexed);
    run('BEGIN; SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off');
    expect(scan()).toContain('Seq Scan');
    run('COMMIT');
    expect(scan()).toBe(indexed);
    run('BEGIN; SET enable_indexscan = off; SET enable_bitmapscan = off; ROLLBACK');
    expect(scan()).toBe(indexed);
  });
});

describe('statement_timeout', () => {
  it('cancels a long query with 57014', () => {
    run("SET statement_timeout = '100ms'");
    expect(run('SELECT count(*) FROM generate_series(1, 50000000)')).toEqual(['ERROR 57014 canceling statement due to statement timeout']);
    expect(run('SELECT 1')).toEqual(['SELECT 1']);
  });
});

describe('Database API', () => {
  it('returns DESIGN.md section 6 value forms', async () => {
    const r = await db.query(
      "SELECT 1::int2 AS a, 2 AS b, 3::int8 AS c, 1.5::float8 AS d, 1.50::numeric AS e, true AS f, 'x'::text AS g, " +
      "'\\x0102'::bytea AS h, date '2024-01-02' AS i, timestamptz '2024-01-02 03:04:05+00' AS j, NULL::int AS k, '{\"a\": [1, 2]}'::jsonb AS l, ARRAY[1, 2] AS m",
    );
    expect(r.command).toBe('SELECT');
    expect(r.rowCount).toBe(1);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([21, 23, 20, 701, 1700, 16, 25, 17, 1082, 1184, 23, 3802, 1007]);
    expect(r.rows[0]).toEqual({
      a: 1, b: 2, c: 3n, d: 1.5, e: '1.50', f: true, g: 'x', h: new Uint8Array([1, 2]),
      i: new Date('2024-01-02T00:00:00Z'), j: new Date('2024-01-02T03:04:05Z'), k: null, l: { a: [1, 2] }, m: [1, 2],
    });
  });

  it('takes parameters of the same kinds', async () => {
    await db.exec('CREATE TABLE p (i int, b bigint, t text, n numeric, d timestamptz, f bool)');
    const when = new Date('2024-05-06T07:08:09Z');
    const ins = await db.query('INSERT INTO p VALUES ($1, $2, $3, $4, $5, $6)', [7, 9007199254740993n, 'hi', '1.25', when, true]);
    expect(ins.command).toBe('INSERT');
    expect(ins.rowCount).toBe(1);
    const r = await db.query('SELECT * FROM p WHERE i = $1', [7], { rowMode: 'array' });
    expect(r.rows).toEqual([[7, 9007199254740993n, 'hi', '1.25', when, true]]);
  });

  it('throws PgError with code and position', async () => {
    await expect(db.query('SELECT nosuch')).rejects.toMatchObject({ code: '42703', message: 'column "nosuch" does not exist', position: 8 });
    await expect(db.query('SELECT 1; SELECT 2')).rejects.toBeInstanceOf(PgError);
  });

  it('commits a transaction() and rolls it back when the function throws', async () => {
    await db.exec('CREATE TABLE acct (id int, bal int)');
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO acct VALUES (1, 100)');
    });
    await expect(db.transaction(async (tx) => {
      await tx.query('INSERT INTO acct VALUES (2, 50)');
      throw new Error('boom');
    })).rejects.toThrow('boom');
    const r = await db.query('SELECT id FROM acct', [], { rowMode: 'array' });
    expect(r.rows).toEqual([[1]]);
  });

  it('serializes calls made while a transaction is open', async () => {
    await db.exec('CREATE TABLE s (v int)');
    const order: string[] = [];
    const tx = db.transaction(async (t) => {
      await t.query('INSERT INTO s VALUES (1)');
      await new Promise((r) => setTimeout(r, 10));
      order.push('tx');
    });
    const outside = db.query('SELECT count(*) AS n FROM s').then((r) => {
      order.push('outside');
      return r.rows[0].n;
    });
    await tx;
    expect(await outside).toBe(1n);
    expect(order).toEqual(['tx', 'outside']);
  });
});

describe('synchronous_commit', () => {
  /** WAL fdatasyncs (XLogCtl's counter) while `sql` runs. */
  function syncsDuring(sql: string): number {
    const before = xlogStatsOf(db.engine.shmem).syncs;
    expect(run(sql).filter((l) => l.startsWith('ERROR'))).toEqual([]);
    return xlogStatsOf(db.engine.shmem).syncs - before;
  }

  it('off skips the commit flush; on, SET LOCAL and a SET rolled back behave as in PostgreSQL', () => {
    run('CREATE TABLE sc (a int)');
    expect(syncsDuring('INSERT INTO sc VALUES (1)')).toBeGreaterThan(0);
    run('SET synchronous_commit = off');
    expect(syncsDuring('INSERT INTO sc VALUES (2)')).toBe(0);
    run('SET synchronous_commit = local');
    expect(syncsDuring('INSERT INTO sc VALUES (3)')).toBeGreaterThan(0);
    // SET LOCAL holds until the commit record is written, then goes away.
    expect(syncsDuring('BEGIN; SET LOCAL synchronous_commit = off; INSERT INTO sc VALUES (4); COMMIT')).toBe(0);
    expect(syncsDuring('INSERT INTO sc VALUES (5)')).toBeGreaterThan(0);
    // A SET in a transaction that rolls back is undone.
    run('BEGIN; SET synchronous_commit = off; ROLLBACK');
    expect(syncsDuring('INSERT INTO sc VALUES (6)')).toBeGreaterThan(0);
    expect(run('SELECT count(*) FROM sc')).toEqual(['SELECT 1']);
  });
});
