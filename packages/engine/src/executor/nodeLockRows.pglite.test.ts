/*
 * SELECT ... FOR UPDATE / SHARE in one session, compared with PostgreSQL
 * (PGlite): the rows, the plans (LockRows below Limit, above Sort), the
 * 0A000 errors where a locking clause is not allowed, and UPDATE / DELETE
 * after locking rows in the same transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { startPostgres } from '../utils/adt/pgdiff.testutil.ts';
import { runBoth } from '../commands/ddl.testutil.ts';
import { Database } from '../database.ts';

let pg: PGlite;
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg.close();
});

async function same(script: string[]): Promise<void> {
  const r = await runBoth(pg, script);
  expect(r.ours).toEqual(r.pg);
  r.backend.close();
}

const SETUP = [
  'CREATE TABLE t (id int PRIMARY KEY, v int, s text)',
  "INSERT INTO t SELECT g, g * 10, 'r' || g FROM generate_series(1, 6) g",
  'CREATE TABLE u (id int PRIMARY KEY, tid int)',
  'INSERT INTO u VALUES (1, 1), (2, 2), (3, NULL)',
];

describe('SELECT ... FOR UPDATE vs PostgreSQL', () => {
  it('returns the rows it locks, in every strength and wait policy', async () => {
    await same([
      ...SETUP,
      'BEGIN',
      'SELECT * FROM t WHERE id <= 2 ORDER BY id FOR UPDATE',
      'SELECT id FROM t WHERE v > 30 ORDER BY id FOR NO KEY UPDATE',
      'SELECT id FROM t ORDER BY id LIMIT 2 FOR SHARE',
      'SELECT id FROM t WHERE id = 3 FOR KEY SHARE NOWAIT',
      'SELECT id FROM t ORDER BY v DESC LIMIT 1 OFFSET 1 FOR UPDATE SKIP LOCKED',
      'SELECT t.id, u.id FROM t JOIN u ON u.tid = t.id ORDER BY t.id FOR UPDATE OF t',
      'SELECT t.id, u.id FROM u LEFT JOIN t ON u.tid = t.id ORDER BY u.id FOR UPDATE OF u',
      'SELECT * FROM (SELECT id, v FROM t WHERE id < 3) s ORDER BY id FOR UPDATE',
      'CREATE VIEW tv AS SELECT id, v FROM t WHERE id > 4',
      'SELECT * FROM tv ORDER BY id FOR SHARE',
      'UPDATE t SET v = v + 1 WHERE id = 1',
      'SELECT v FROM t WHERE id = 1 FOR UPDATE',
      'DELETE FROM t WHERE id = 2',
      'SELECT id FROM t WHERE id <= 3 ORDER BY id FOR SHARE',
      'COMMIT',
      'SELECT * FROM t ORDER BY id',
    ]);
  });

  it('refuses a locking clause where PostgreSQL does', async () => {
    await same([
      ...SETUP,
      'SELECT count(*) FROM t FOR UPDATE',
      'SELECT v, count(*) FROM t GROUP BY v FOR SHARE',
      'SELECT DISTINCT v FROM t FOR UPDATE',
      'SELECT id FROM t UNION SELECT id FROM u FOR UPDATE',
      'SELECT row_number() OVER () FROM t FOR UPDATE',
      'SELECT generate_series(1, 2) FROM t FOR UPDATE',
      'VALUES (1) FOR UPDATE',
      'SELECT * FROM t FOR UPDATE OF nosuch',
      'SELECT t.id FROM u LEFT JOIN t ON u.tid = t.id FOR UPDATE OF t',
      'SELECT * FROM t HAVING true FOR KEY SHARE',
      'SELECT t.id FROM u LEFT JOIN t ON u.tid = t.id WHERE t.v > 0 FOR UPDATE OF t',
      'SELECT t.id FROM u FULL JOIN t ON u.tid = t.id FOR SHARE OF u',
    ]);
  });

  it('takes the isolation level from BEGIN / SET TRANSACTION, and refuses a change after the first query', async () => {
    const db = await Database.open({});
    const outcome = async (run: () => Promise<{ rows: unknown[] }>): Promise<string> => {
      try {
        return `OK ${JSON.stringify((await run()).rows)}`;
      } catch (e) {
        const x = e as { code?: string; message: string };
        return `ERR ${x.code} ${x.message}`;
      }
    };
    const script = [
      'BEGIN ISOLATION LEVEL REPEATABLE READ',
      'SHOW transaction_isolation',
      'SELECT 1',
      'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE',
      'ROLLBACK',
      'BEGIN',
      'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE',
      'SHOW transaction_isolation',
      'COMMIT',
      'SHOW transaction_isolation',
    ];
    try {
      for (const sql of script) {
        expect(await outcome(() => db.query(sql)), sql).toBe(await outcome(() => pg.query(sql)));
      }
    } finally {
      await db.close();
    }
  });

  it('plans LockRows as PostgreSQL does (EXPLAIN)', async () => {
    const db = await Database.open({});
    await pg.exec('CREATE SCHEMA lr_explain; SET search_path = lr_explain');
    try {
      for (const sql of [...SETUP, 'CREATE VIEW tv AS SELECT id, v FROM t WHERE id < 3']) {
        await db.query(sql);
        await pg.exec(sql);
      }
      for (const sql of [
        'EXPLAIN (COSTS OFF) SELECT * FROM t WHERE id = 1 FOR UPDATE',
        'EXPLAIN (COSTS OFF) SELECT * FROM t ORDER BY v LIMIT 2 FOR UPDATE SKIP LOCKED',
        'EXPLAIN (COSTS OFF) SELECT id FROM t WHERE v > 10 FOR SHARE NOWAIT',
        'EXPLAIN (COSTS OFF) UPDATE t SET v = v + 1 WHERE id = 1',
        'EXPLAIN (COSTS OFF) SELECT * FROM tv FOR UPDATE',
        'EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id FROM t WHERE v > 20) s ORDER BY id FOR SHARE',
        'EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id FROM t ORDER BY v LIMIT 2 FOR UPDATE) s',
      ]) {
        const ours = (await db.query<{ 'QUERY PLAN': string }>(sql)).rows.map((r) => r['QUERY PLAN']);
        const theirs = (await pg.query<{ 'QUERY PLAN': string }>(sql)).rows.map((r) => r['QUERY PLAN']);
        expect(ours, sql).toEqual(theirs);
      }
    } finally {
      await pg.exec('SET search_path = public; DROP SCHEMA lr_explain CASCADE');
      await db.close();
    }
  });
});
