/*
 * Row locks and write conflicts across backends (issue 5): SELECT ... FOR
 * UPDATE / SHARE blocking, NOWAIT and SKIP LOCKED, UPDATE waiting for a
 * row's updater (no lost update in READ COMMITTED), the EvalPlanQual
 * re-check, and 40001 in REPEATABLE READ. One postmaster with three
 * backends serves the whole file (workers take seconds to start).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, PgError } from '@tabgres/engine';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Postmaster, type PostmasterCore, type Session } from './index.ts';

let root = '';
let pm: PostmasterCore;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-rowlocks-'));
  const dir = path.join(root, 'data');
  const db = await Database.open({ dir: new NodeDirectory(dir), sharedBuffers: 256 });
  await db.close();
  pm = await Postmaster.start({ dataDir: dir, backends: 3, sharedBuffers: 256 });
}, 240_000);

afterAll(async () => {
  await pm?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** A query's promise with a flag saying whether it has settled (to see that it waits). */
function track<T>(p: Promise<T>): { p: Promise<T>; settled: () => boolean } {
  let done = false;
  const q = p.finally(() => {
    done = true;
  });
  q.catch(() => undefined);
  return { p: q, settled: () => done };
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof PgError) return `${e.code} ${e.message}`;
    throw e;
  }
}

async function withSessions(n: number, fn: (s: Session[]) => Promise<void>): Promise<void> {
  const ss: Session[] = [];
  for (let i = 0; i < n; i++) ss.push(await pm.connect());
  try {
    await fn(ss);
  } finally {
    for (const s of ss) await s.release();
  }
}

describe('row locks across backends', () => {
  it('FOR UPDATE in A blocks FOR UPDATE and UPDATE in B until A commits', async () => {
    await pm.exec('CREATE TABLE fu (id int PRIMARY KEY, v int); INSERT INTO fu VALUES (1, 10), (2, 20)');
    await withSessions(3, async ([a, b, c]) => {
      await a.exec('BEGIN');
      expect((await a.query('SELECT v FROM fu WHERE id = 1 FOR UPDATE')).rows).toEqual([{ v: 10 }]);
      const lock = track(b.query('SELECT v FROM fu WHERE id = 1 FOR UPDATE'));
      await pause(300);
      expect(lock.settled()).toBe(false);
      // Another row is not locked.
      expect((await c.query('SELECT v FROM fu WHERE id = 2 FOR UPDATE')).rows).toEqual([{ v: 20 }]);
      // A plain SELECT does not wait for row locks.
      expect((await c.query('SELECT v FROM fu WHERE id = 1')).rows).toEqual([{ v: 10 }]);
      await a.query('UPDATE fu SET v = 11 WHERE id = 1');
      await a.exec('COMMIT');
      // B re-read the row's newest version after A's commit (EvalPlanQual).
      expect((await lock.p).rows).toEqual([{ v: 11 }]);

      await b.exec('BEGIN');
      await b.query('SELECT * FROM fu WHERE id = 2 FOR UPDATE');
      const upd = track(c.query('UPDATE fu SET v = v + 1 WHERE id = 2'));
      await pause(300);
      expect(upd.settled()).toBe(false);
      await b.exec('COMMIT');
      expect((await upd.p).rowCount).toBe(1);
      expect((await c.query('SELECT v FROM fu WHERE id = 2')).rows).toEqual([{ v: 21 }]);
    });
  });

  it('NOWAIT fails with 55P03 at once; SKIP LOCKED hands each session a different row', async () => {
    await pm.exec("CREATE TABLE jobs (id int PRIMARY KEY, state text); INSERT INTO jobs SELECT g, 'new' FROM generate_series(1, 4) g");
    await withSessions(3, async ([a, b, c]) => {
      await a.exec('BEGIN');
      await b.exec('BEGIN');
      const take = "SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";
      expect((await a.query(take)).rows).toEqual([{ id: 1 }]);
      expect((await b.query(take)).rows).toEqual([{ id: 2 }]);
      expect(await code(c.query('SELECT * FROM jobs WHERE id = 1 FOR UPDATE NOWAIT'))).toBe('55P03 could not obtain lock on row in relation "jobs"');
      expect(await code(c.query('SELECT * FROM jobs WHERE id = 2 FOR SHARE NOWAIT'))).toBe('55P03 could not obtain lock on row in relation "jobs"');
      expect((await c.query('SELECT id FROM jobs ORDER BY id FOR UPDATE SKIP LOCKED')).rows).toEqual([{ id: 3 }, { id: 4 }]);
      await a.query("UPDATE jobs SET state = 'done' WHERE id = 1");
      await a.exec('COMMIT');
      await b.exec('ROLLBACK');
      expect((await c.query(take)).rows).toEqual([{ id: 2 }]);
    });
  });

  it('READ COMMITTED: two concurrent increments of one row both count (no lost update)', async () => {
    await pm.exec('CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL); INSERT INTO acct VALUES (1, 100), (2, 100)');
    await withSessions(2, async ([a, b]) => {
      await a.exec('BEGIN');
      await a.query('UPDATE acct SET bal = bal + 1 WHERE id = 1');
      const other = track(b.query('UPDATE acct SET bal = bal + 1 WHERE id = 1'));
      await pause(300);
      expect(other.settled()).toBe(false);
      await a.exec('COMMIT');
      expect((await other.p).rowCount).toBe(1);
      expect((await a.query('SELECT bal FROM acct WHERE id = 1')).rows).toEqual([{ bal: 102 }]);

      // The waiter's transaction aborts instead: the update applies to the old version.
      await a.exec('BEGIN');
      await a.query('DELETE FROM acct WHERE id = 2');
      const del = track(b.query('UPDATE acct SET bal = bal + 5 WHERE id = 2'));
      await pause(200);
      await a.exec('ROLLBACK');
      expect((await del.p).rowCount).toBe(1);
      expect((await a.query('SELECT bal FROM acct WHERE id = 2')).rows).toEqual([{ bal: 105 }]);

      // A committed delete: the waiting update finds nothing to update.
      await a.exec('BEGIN');
      await a.query('DELETE FROM acct WHERE id = 2');
      const gone = track(b.query('UPDATE acct SET bal = bal + 5 WHERE id = 2'));
      await pause(200);
      await a.exec('COMMIT');
      expect((await gone.p).rowCount).toBe(0);
    });
  });

  it('EvalPlanQual: a waiting UPDATE skips a row whose new version no longer matches', async () => {
    await pm.exec("CREATE TABLE epq (id int PRIMARY KEY, kind text, hits int); INSERT INTO epq VALUES (1, 'a', 0), (2, 'a', 0), (3, 'b', 0)");
    await withSessions(2, async ([a, b]) => {
      await a.exec('BEGIN');
      await a.query("UPDATE epq SET kind = 'b' WHERE id = 1");
      const upd = track(b.query("UPDATE epq SET hits = hits + 1 WHERE kind = 'a' RETURNING id"));
      await pause(300);
      expect(upd.settled()).toBe(false);
      await a.exec('COMMIT');
      const r = await upd.p;
      expect(r.rows).toEqual([{ id: 2 }]);
      expect((await b.query('SELECT id, kind, hits FROM epq ORDER BY id')).rows).toEqual([
        { id: 1, kind: 'b', hits: 0 }, { id: 2, kind: 'a', hits: 1 }, { id: 3, kind: 'b', hits: 0 },
      ]);
    });
  });

  it('REPEATABLE READ: updating a row changed since the snapshot fails with 40001', async () => {
    await pm.exec('CREATE TABLE rr (id int PRIMARY KEY, v int); INSERT INTO rr VALUES (1, 1), (2, 2)');
    await withSessions(2, async ([a, b]) => {
      await b.exec('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await b.query('SELECT * FROM rr');
      await a.query('UPDATE rr SET v = 10 WHERE id = 1');
      expect(await code(b.query('UPDATE rr SET v = v + 1 WHERE id = 1'))).toBe('40001 could not serialize access due to concurrent update');
      await b.exec('ROLLBACK');

      // The same when it had to wait for the updater first; and for a delete.
      await b.exec('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await b.query('SELECT * FROM rr');
      await a.exec('BEGIN');
      await a.query('DELETE FROM rr WHERE id = 2');
      const w = track(b.query('UPDATE rr SET v = 0 WHERE id = 2'));
      await pause(200);
      expect(w.settled()).toBe(false);
      await a.exec('COMMIT');
      expect(await code(w.p)).toBe('40001 could not serialize access due to concurrent delete');
      await b.exec('ROLLBACK');

      await b.exec('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await b.query('SELECT * FROM rr');
      await a.query('UPDATE rr SET v = 11 WHERE id = 1');
      expect(await code(b.query('SELECT * FROM rr WHERE id = 1 FOR UPDATE'))).toBe('40001 could not serialize access due to concurrent update');
      await b.exec('ROLLBACK');
    });
  });

  it('INSERT ... ON CONFLICT DO UPDATE waits for the row\'s updater and applies to its version', async () => {
    await pm.exec('CREATE TABLE cnt (k int PRIMARY KEY, n int); INSERT INTO cnt VALUES (1, 0)');
    await withSessions(2, async ([a, b]) => {
      await a.exec('BEGIN');
      await a.query('UPDATE cnt SET n = n + 1 WHERE k = 1');
      const up = track(b.query('INSERT INTO cnt VALUES (1, 1) ON CONFLICT (k) DO UPDATE SET n = cnt.n + 1'));
      await pause(300);
      expect(up.settled()).toBe(false);
      await a.exec('COMMIT');
      await up.p;
      expect((await a.query('SELECT n FROM cnt WHERE k = 1')).rows).toEqual([{ n: 2 }]);
    });
  });

  it('a duplicate INSERT waits for the running deleter of the key: inserted after its commit, 23505 after its rollback', async () => {
    await pm.exec('CREATE TABLE ud (id int PRIMARY KEY, v text); INSERT INTO ud VALUES (1, \'old\'), (2, \'old\')');
    await withSessions(2, async ([a, b]) => {
      await a.exec('BEGIN');
      await a.query('DELETE FROM ud WHERE id = 1');
      const ins = track(b.query("INSERT INTO ud VALUES (1, 'new')"));
      await pause(300);
      expect(ins.settled()).toBe(false);
      await a.exec('COMMIT');
      expect(await code(ins.p)).toBe('ok');
      await a.exec('BEGIN');
      await a.query('DELETE FROM ud WHERE id = 2');
      const dup = track(b.query("INSERT INTO ud VALUES (2, 'new')"));
      await pause(300);
      expect(dup.settled()).toBe(false);
      await a.exec('ROLLBACK');
      expect(await code(dup.p)).toBe('23505 duplicate key value violates unique constraint "ud_pkey"');
      expect((await a.query('SELECT id, v FROM ud ORDER BY id')).rows).toEqual([{ id: 1, v: 'new' }, { id: 2, v: 'old' }]);
    });
  });

  it('a duplicate INSERT waits for a subtransaction inserter: ROLLBACK TO SAVEPOINT lets it through', async () => {
    await pm.exec('CREATE TABLE us (id int PRIMARY KEY)');
    await withSessions(2, async ([a, b]) => {
      await a.exec('BEGIN');
      await a.exec('SAVEPOINT s');
      await a.query('INSERT INTO us VALUES (1)');
      const ins = track(b.query('INSERT INTO us VALUES (1)'));
      await pause(300);
      expect(ins.settled()).toBe(false);
      await a.exec('ROLLBACK TO SAVEPOINT s');
      expect(await code(ins.p)).toBe('ok');
      await a.exec('COMMIT');
    });
  });

  it('INSERT ... ON CONFLICT DO NOTHING at REPEATABLE READ: 40001 when the inserter it waited for commits', async () => {
    await pm.exec('CREATE TABLE uc (id int PRIMARY KEY)');
    await withSessions(2, async ([a, b]) => {
      await a.exec('BEGIN');
      await a.query('INSERT INTO uc VALUES (1)');
      await b.exec('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await b.query('SELECT count(*) FROM uc');
      const ins = track(b.query('INSERT INTO uc VALUES (1) ON CONFLICT DO NOTHING'));
      await pause(300);
      expect(ins.settled()).toBe(false);
      await a.exec('COMMIT');
      expect(await code(ins.p)).toBe('40001 could not serialize access due to concurrent update');
      await b.exec('ROLLBACK');
    });
  });

  it('FOR SHARE in two sessions: both hold the row (a MultiXactId); an UPDATE waits for both', async () => {
    await pm.exec('CREATE TABLE sh (id int PRIMARY KEY, v int); INSERT INTO sh VALUES (1, 1)');
    await withSessions(3, async ([a, b, c]) => {
      await a.exec('BEGIN');
      await b.exec('BEGIN');
      expect((await a.query('SELECT v FROM sh WHERE id = 1 FOR SHARE')).rows).toEqual([{ v: 1 }]);
      expect((await b.query('SELECT v FROM sh WHERE id = 1 FOR SHARE NOWAIT')).rows).toEqual([{ v: 1 }]);
      expect((await c.query('SELECT v FROM sh WHERE id = 1 FOR KEY SHARE NOWAIT')).rows).toEqual([{ v: 1 }]);
      expect(await code(c.query('SELECT v FROM sh WHERE id = 1 FOR UPDATE NOWAIT'))).toBe('55P03 could not obtain lock on row in relation "sh"');
      const upd = track(c.query('UPDATE sh SET v = v + 1 WHERE id = 1'));
      await pause(300);
      expect(upd.settled()).toBe(false);
      await a.exec('COMMIT');
      await pause(300);
      expect(upd.settled()).toBe(false);
      await b.exec('COMMIT');
      expect((await upd.p).rowCount).toBe(1);
      expect((await c.query('SELECT v FROM sh')).rows).toEqual([{ v: 2 }]);
    });
  });

  it('a non-key UPDATE goes past FOR KEY SHARE (a MultiXactId with an updater); a key change or delete still waits', async () => {
    await pm.exec('CREATE TABLE kp (id int PRIMARY KEY, label text); INSERT INTO kp VALUES (1, \'a\'), (2, \'x\')');
    await withSessions(3, async ([a, b, c]) => {
      await a.exec('BEGIN');
      expect((await a.query('SELECT label FROM kp WHERE id = 1 FOR KEY SHARE')).rows).toEqual([{ label: 'a' }]);
      await b.exec('BEGIN');
      expect((await b.query('UPDATE kp SET label = \'b\' WHERE id = 1')).rowCount).toBe(1);
      // Neither sees the other's uncommitted work; a third session sees the old label.
      expect((await a.query('SELECT label FROM kp WHERE id = 1')).rows).toEqual([{ label: 'a' }]);
      expect((await c.query('SELECT label FROM kp WHERE id = 1')).rows).toEqual([{ label: 'a' }]);
      await b.exec('ROLLBACK');
      // The updater aborted, the locker remains: a key change waits for it.
      const key = track(c.query('UPDATE kp SET id = 10 WHERE id = 1'));
      await pause(300);
      expect(key.settled()).toBe(false);
      await a.exec('COMMIT');
      expect((await key.p).rowCount).toBe(1);

      // A committed non-key update carries the locker on to the new version: a DELETE waits for it.
      await a.exec('BEGIN');
      await a.query('SELECT 1 FROM kp WHERE id = 2 FOR KEY SHARE');
      expect((await b.query('UPDATE kp SET label = \'y\' WHERE id = 2')).rowCount).toBe(1);
      const del = track(c.query('DELETE FROM kp WHERE id = 2'));
      await pause(300);
      expect(del.settled()).toBe(false);
      await a.exec('COMMIT');
      expect((await del.p).rowCount).toBe(1);
      expect((await c.query('SELECT id, label FROM kp ORDER BY id')).rows).toEqual([{ id: 10, label: 'a' }]);
      await c.exec('VACUUM kp');
      expect((await c.query('SELECT count(*)::int AS n FROM kp')).rows).toEqual([{ n: 1 }]);
    });
  });

  it('EvalPlanQual over a join: the other relation\'s row stays the one it was joined with', async () => {
    await pm.exec('CREATE TABLE items (id int PRIMARY KEY, price int); CREATE TABLE adj (item int, delta int);'
      + ' INSERT INTO items VALUES (1, 10), (2, 20); INSERT INTO adj VALUES (1, 5), (2, 7)');
    await withSessions(2, async ([a, b]) => {
      await a.exec('BEGIN');
      await a.query('UPDATE items SET price = price * 10 WHERE id = 1');
      const upd = track(b.query('UPDATE items SET price = items.price + adj.delta FROM adj WHERE adj.item = items.id AND items.price < 50'));
      await pause(300);
      expect(upd.settled()).toBe(false);
      await a.exec('COMMIT');
      expect((await upd.p).rowCount).toBe(1); // item 1 is now 100: no longer < 50
      expect((await a.query('SELECT id, price FROM items ORDER BY id')).rows).toEqual([{ id: 1, price: 100 }, { id: 2, price: 27 }]);

      await a.exec('BEGIN');
      await a.query('UPDATE items SET price = price + 1 WHERE id = 2');
      const upd2 = track(b.query('UPDATE items SET price = items.price + adj.delta FROM adj WHERE adj.item = items.id AND items.id = 2'));
      await pause(200);
      await a.exec('COMMIT');
      expect((await upd2.p).rowCount).toBe(1);
      expect((await a.query('SELECT price FROM items WHERE id = 2')).rows).toEqual([{ price: 35 }]);

      await a.exec('BEGIN');
      await a.query('UPDATE items SET price = 1 WHERE id = 1');
      const sel = track(b.query('SELECT i.id, i.price, d.delta FROM items i JOIN adj d ON d.item = i.id WHERE i.id = 1 FOR UPDATE'));
      await pause(200);
      expect(sel.settled()).toBe(false);
      await a.exec('COMMIT');
      expect((await sel.p).rows).toEqual([{ id: 1, price: 1, delta: 5 }]);
    });
  });
});
