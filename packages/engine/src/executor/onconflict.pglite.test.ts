/*
 * INSERT ... ON CONFLICT as one session sees it, compared statement by
 * statement with PostgreSQL (PGlite), for the cases the speculative
 * insertion loop (nodeModifyTable.ts) decides itself: keys equal under the
 * index but spelled differently (1.0 and 1.00: the statement's second row
 * finds its own first one through the arbiter, 21000 for DO UPDATE, skipped
 * for DO NOTHING), a unique index that is not the arbiter (still 23505),
 * the loser's super-deleted tuple invisible afterwards, and DO UPDATE in
 * a transaction block at REPEATABLE READ on rows it can see. The races
 * between sessions are worker-host's onconflict_stress.test.ts and the
 * insert-conflict-* isolation specs.
 */
import { describe, it } from 'vitest';
import { compareScriptsWithPostgres } from '../commands/pgscript.testutil.ts';

const same = compareScriptsWithPostgres();

describe('INSERT ... ON CONFLICT vs PostgreSQL', () => {
  it('keys equal under the index but not in value: the statement meets its own row', async () => {
    await same([
      'CREATE TABLE n (k numeric PRIMARY KEY, v int)',
      'INSERT INTO n VALUES (1.0, 1), (1.00, 2) ON CONFLICT (k) DO UPDATE SET v = excluded.v',
      'INSERT INTO n VALUES (2.0, 1), (2.00, 2) ON CONFLICT (k) DO NOTHING RETURNING k, v',
      'INSERT INTO n VALUES (2.000, 3) ON CONFLICT (k) DO UPDATE SET v = n.v + excluded.v RETURNING k, v',
      'SELECT k, v FROM n ORDER BY k',
    ]);
  });

  it('a unique index that is not the arbiter still raises 23505; the row of the failed statement stays invisible', async () => {
    await same([
      'CREATE TABLE t (id int PRIMARY KEY, code text UNIQUE, n int)',
      "INSERT INTO t VALUES (1, 'a', 0), (2, 'b', 0)",
      "INSERT INTO t VALUES (3, 'a', 0) ON CONFLICT (id) DO NOTHING",
      "INSERT INTO t VALUES (3, 'a', 0) ON CONFLICT (id) DO UPDATE SET n = t.n + 1",
      "INSERT INTO t VALUES (1, 'zz', 5) ON CONFLICT (id) DO UPDATE SET n = t.n + excluded.n RETURNING *",
      "INSERT INTO t VALUES (9, 'b', 5) ON CONFLICT DO NOTHING RETURNING *",
      "INSERT INTO t VALUES (9, 'c', 5) ON CONFLICT DO NOTHING RETURNING *",
      'SELECT * FROM t ORDER BY id',
      'SELECT count(*) FROM t',
    ]);
  });

  it('in a REPEATABLE READ block: upserts of rows the snapshot sees and of new keys', async () => {
    await same([
      'CREATE TABLE c (k int PRIMARY KEY, n int NOT NULL)',
      'INSERT INTO c VALUES (1, 1)',
      'BEGIN ISOLATION LEVEL REPEATABLE READ',
      'INSERT INTO c VALUES (1, 1) ON CONFLICT (k) DO UPDATE SET n = c.n + 1 RETURNING *',
      'INSERT INTO c VALUES (2, 1) ON CONFLICT (k) DO UPDATE SET n = c.n + 1 RETURNING *',
      'INSERT INTO c VALUES (2, 1) ON CONFLICT (k) DO UPDATE SET n = c.n + 1 RETURNING *',
      'INSERT INTO c VALUES (2, 1) ON CONFLICT DO NOTHING RETURNING *',
      'COMMIT',
      'SELECT * FROM c ORDER BY k',
    ]);
  });
});
