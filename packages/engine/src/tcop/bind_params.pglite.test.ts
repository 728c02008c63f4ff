/*
 * bind_params.pglite.test.ts — the number of parameters a statement takes
 * in the extended protocol, compared with PostgreSQL (PGlite's
 * query(sql, params), which sends Parse without parameter types, then
 * Bind): the statement has as many parameters as the highest $n it uses, a
 * Bind with another count is 08P01, and an unused $n below the highest is
 * 42P18 at Parse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { startPostgres } from '../utils/adt/pgdiff.testutil.ts';
import { Database } from '../database.ts';
import { isPgError } from '../utils/errors.ts';

let pg: PGlite;
let db: Database;
beforeAll(async () => {
  pg = await startPostgres();
  db = Database.openSync();
  const setup = 'CREATE TABLE bp (k int PRIMARY KEY, v text)';
  await pg.exec(setup);
  db.execSync(setup);
}, 60_000);
afterAll(async () => {
  db.closeSync();
  await pg.close();
});

/** Rows as JSON, or the error as "code message". */
async function both(sql: string, params: unknown[]): Promise<{ ours: string; pg: string }> {
  let ours: string;
  try {
    ours = JSON.stringify(db.querySync(sql, params).rows);
  } catch (e) {
    if (!isPgError(e)) throw e;
    ours = `${e.code} ${e.message}`;
  }
  let theirs: string;
  try {
    theirs = JSON.stringify((await pg.query(sql, params)).rows);
  } catch (e) {
    const err = e as { code?: string; message: string };
    theirs = `${err.code} ${err.message}`;
  }
  return { ours, pg: theirs };
}

describe('Bind parameter counts vs PostgreSQL', () => {
  it.each([
    ['SELECT 1 AS x', [5]],
    ['SELECT $1::int AS x', [1, 2]],
    ['SELECT $1::int AS x', []],
    ['SELECT $2::int AS x', [1, 2]],
    ['SELECT $1::int + $2 AS x', [1, 2, 3]],
    ['INSERT INTO bp VALUES ($1, $2)', [1, 'a', 'extra']],
    ['UPDATE bp SET v = $1', ['b', 2]],
    ['EXPLAIN (COSTS OFF) SELECT 1', [1]],
    ['EXPLAIN (COSTS OFF) SELECT * FROM bp WHERE k = $1', [1, 2]],
    ['SELECT $1::int AS x', [7]],
  ] as [string, unknown[]][])('%s %j', async (sql, params) => {
    const r = await both(sql, params);
    expect(r.ours).toBe(r.pg);
  });

  it('a statement cached with one parameter still refuses two', async () => {
    const sql = 'SELECT v FROM bp WHERE k = $1';
    expect((await both(sql, [1])).ours).toBe('[]');
    const r = await both(sql, [1, 2]);
    expect(r.ours).toBe(r.pg);
    expect(r.ours).toMatch(/^08P01 bind message supplies 2 parameters, but prepared statement "" requires 1$/);
  });
});
