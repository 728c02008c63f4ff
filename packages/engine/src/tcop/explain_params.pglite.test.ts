/*
 * explain_params.pglite.test.ts — EXPLAIN and EXPLAIN ANALYZE with
 * extended-protocol parameters ($1..$n), compared with PostgreSQL (PGlite's
 * query(sql, params)): the inner statement is analyzed with the parameters'
 * types, planned, and for ANALYZE executed with their values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { startPostgres } from '../utils/adt/pgdiff.testutil.ts';
import { Database } from '../database.ts';
import { isPgError } from '../utils/errors.ts';

const SETUP = [
  'CREATE TABLE t (k int PRIMARY KEY, v text)',
  "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 200) g",
  'ANALYZE t',
];

let pg: PGlite;
let db: Database;
beforeAll(async () => {
  pg = await startPostgres();
  db = Database.openSync();
  for (const s of SETUP) {
    await pg.exec(s);
    db.execSync(s);
  }
}, 60_000);
afterAll(async () => {
  db.closeSync();
  await pg.close();
});

/** The QUERY PLAN lines, or the error as "ERROR code message". */
async function both(sql: string, params: unknown[]): Promise<{ ours: string[]; pg: string[] }> {
  let ours: string[];
  try {
    ours = db.querySync<{ 'QUERY PLAN': string }>(sql, params).rows.map((r) => r['QUERY PLAN']);
  } catch (e) {
    if (!isPgError(e)) throw e;
    ours = [`ERROR ${e.code} ${e.message}`];
  }
  let theirs: string[];
  try {
    theirs = (await pg.query<{ 'QUERY PLAN': string }>(sql, params)).rows.map((r) => r['QUERY PLAN']);
  } catch (e) {
    const err = e as { code?: string; message: string };
    theirs = [`ERROR ${err.code} ${err.message}`];
  }
  return { ours, pg: theirs };
}

describe('EXPLAIN with parameters vs PostgreSQL', () => {
  it.each([
    ['EXPLAIN (COSTS OFF) SELECT * FROM t WHERE k = $1', [5]],
    ['EXPLAIN SELECT k FROM t WHERE k = $1', [5]],
    ['EXPLAIN (COSTS OFF) SELECT v FROM t WHERE k > $1 AND v <> $2', [150, 'v160']],
    ['EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) SELECT * FROM t WHERE k = $1', [5]],
    ['EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) SELECT * FROM t WHERE k <= $1', [3]],
    ['EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) SELECT count(*) FROM t WHERE v LIKE $1', ['v1%']],
  ] as [string, unknown[]][])('%s %j', async (sql, params) => {
    const r = await both(sql, params);
    expect(r.ours).toEqual(r.pg);
  });

  it('a parameter is planned as its value: the plan is the one of the literal', async () => {
    const withParam = await both('EXPLAIN SELECT * FROM t WHERE k = $1', [5]);
    const literal = await both('EXPLAIN SELECT * FROM t WHERE k = 5', []);
    expect(withParam.ours).toEqual(literal.ours);
    expect(withParam.pg).toEqual(literal.pg);
  });

  it('the simple protocol has no parameters', () => {
    const out = db.backend.execSimpleQuery('EXPLAIN SELECT $1::int');
    expect(out.error?.code).toBe('42P02');
  });

  it('EXPLAIN ANALYZE of an UPDATE runs it with the parameter values', async () => {
    const sql = 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) UPDATE t SET v = $2 WHERE k = $1';
    const r = await both(sql, [7, 'seven']);
    expect(r.ours).toEqual(r.pg);
    const q = 'SELECT v FROM t WHERE k = 7';
    expect(db.querySync(q).rows).toEqual((await pg.query(q)).rows);
    expect(db.querySync(q).rows).toEqual([{ v: 'seven' }]);
  });
});
