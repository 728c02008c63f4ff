/*
 * The postmaster and its backend workers (worker_threads): MVCC across
 * backends through the shared buffers and proc array, shared invalidation
 * of catalog caches and plans, shared OID / XID / sequence counters,
 * queueing for a free backend, concurrent updates of one row, shutdown and
 * reopen, and the restart through crash recovery after a worker dies.
 *
 * Every instance starts from a copy of one data directory initialized
 * in-process, so no test pays for initdb inside a worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, PgError } from '@tabgres/engine';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Postmaster, type PostmasterCore } from './index.ts';
import { rejection } from './postmaster_testutil.ts';

let root = '';
let template = '';
let copies = 0;

/** A fresh data directory holding an initialized, cleanly shut down instance. */
function dataDir(): string {
  const dir = path.join(root, `data${copies++}`);
  fs.cpSync(template, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-postmaster-'));
  template = path.join(root, 'template');
  const db = await Database.open({ dir: new NodeDirectory(template), sharedBuffers: 256 });
  await db.close();
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('two backends over one shared memory', () => {
  let pm: PostmasterCore;
  let dir = '';

  beforeAll(async () => {
    dir = dataDir();
    pm = await Postmaster.start({ dataDir: dir, backends: 2, sharedBuffers: 256 });
    await pm.exec('CREATE TABLE acct (id int PRIMARY KEY, balance int NOT NULL)');
    await pm.exec('INSERT INTO acct SELECT g, 100 FROM generate_series(1, 10) g');
  }, 240_000);

  afterAll(async () => {
    await pm?.close();
  }, 120_000);

  it('sessions on two backends see committed rows of each other, never uncommitted ones', async () => {
    const s1 = await pm.connect();
    const s2 = await pm.connect();
    try {
      expect(s1.pid).not.toBe(s2.pid);
      expect((await s1.query('SELECT pg_backend_pid() AS p')).rows[0].p).toBe(s1.pid);
      expect((await s2.query('SELECT pg_backend_pid() AS p')).rows[0].p).toBe(s2.pid);

      await s1.exec('BEGIN');
      await s1.query('INSERT INTO acct VALUES (11, 5)');
      await s1.query('UPDATE acct SET balance = balance - 50 WHERE id = 1');
      // Uncommitted: the other backend's snapshot lists s1's XID as running.
      expect((await s2.query('SELECT count(*)::int AS n, sum(balance)::int AS total FROM acct')).rows[0]).toEqual({ n: 10, total: 1000 });
      expect((await s2.query('SELECT balance FROM acct WHERE id = 1')).rows[0].balance).toBe(100);
      await s1.exec('COMMIT');
      expect((await s2.query('SELECT count(*)::int AS n, sum(balance)::int AS total FROM acct')).rows[0]).toEqual({ n: 11, total: 955 });

      // And the other way round, with a rollback.
      await s2.exec('BEGIN');
      await s2.query('DELETE FROM acct WHERE id = 11');
      expect((await s1.query('SELECT count(*)::int AS n FROM acct')).rows[0].n).toBe(11);
      await s2.exec('ROLLBACK');
      expect((await s1.query('SELECT count(*)::int AS n FROM acct')).rows[0].n).toBe(11);
      await s1.query('DELETE FROM acct WHERE id = 11');
      await s1.query('UPDATE acct SET balance = 100 WHERE id = 1');
    } finally {
      await s1.release();
      await s2.release();
    }
  });

  it('DDL committed in one backend is seen by the next statement of the other (sinval)', async () => {
    const s1 = await pm.connect();
    const s2 = await pm.connect();
    try {
      // s2 caches the table's description and a plan for this text first.
      await s1.exec('CREATE TABLE inv (a int)');
      await s1.query('INSERT INTO inv VALUES (1)');
      const q = 'SELECT * FROM inv WHERE a = $1';
      expect((await s2.query(q, [1])).fields.map((f) => f.name)).toEqual(['a']);

      await s1.exec('ALTER TABLE inv ADD COLUMN b text DEFAULT $$new$$');
      const after = await s2.query(q, [1]);
      expect(after.fields.map((f) => f.name)).toEqual(['a', 'b']);
      expect(after.rows).toEqual([{ a: 1, b: 'new' }]);

      // An index created in s1 is maintained by inserts in s2, and enforced there.
      await s1.exec('CREATE UNIQUE INDEX inv_a ON inv (a)');
      const dup = await rejection(s2.query('INSERT INTO inv VALUES (1, $$dup$$)'));
      expect(dup.code).toBe('23505');
      await s2.query('INSERT INTO inv VALUES (2, $$two$$)');
      await s1.exec('SET enable_seqscan = off');
      expect((await s1.query('SELECT b FROM inv WHERE a = 2')).rows).toEqual([{ b: 'two' }]);

      // Not visible before the commit: the table s1 creates inside a block does not exist for s2 yet.
      await s1.exec('BEGIN');
      await s1.exec('CREATE TABLE inv2 (x int)');
      expect((await rejection(s2.query('SELECT * FROM inv2'))).code).toBe('42P01');
      await s1.exec('COMMIT');
      expect((await s2.query('SELECT count(*)::int AS n FROM inv2')).rows[0].n).toBe(0);

      // An index dropped in s1 is no longer maintained by s2, which had it open.
      await s1.exec('DROP INDEX inv_a');
      await s2.query('INSERT INTO inv VALUES (2, $$again$$)');
      expect((await s1.query('SELECT count(*)::int AS n FROM inv WHERE a = 2')).rows[0].n).toBe(2);

      await s1.exec('DROP TABLE inv');
      const gone = await rejection(s2.query(q, [1]));
      expect(gone.code).toBe('42P01');
      expect(gone.message).toBe('relation "inv" does not exist');
      await s2.exec('DROP TABLE inv2');
      expect((await rejection(s1.query('SELECT * FROM inv2'))).code).toBe('42P01');
    } finally {
      await s1.release();
      await s2.release();
    }
  });

  it('OIDs, XIDs and sequence values are shared, never per backend', async () => {
    const s1 = await pm.connect();
    const s2 = await pm.connect();
    try {
      await s1.exec('CREATE SEQUENCE ids');
      // Both backends draw at once; every value is handed out once.
      const draws = await Promise.all([s1, s2].map(async (s) => {
        const got: number[] = [];
        for (let i = 0; i < 40; i++) got.push(Number((await s.query('SELECT nextval($$ids$$) AS v')).rows[0].v));
        return got;
      }));
      const all = [...draws[0], ...draws[1]].sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      expect(Number((await s2.query('SELECT nextval($$ids$$) AS v')).rows[0].v)).toBe(81);

      // Tables created by both backends get distinct OIDs.
      await Promise.all([s1, s2].map(async (s, k) => {
        for (let i = 0; i < 5; i++) await s.exec(`CREATE TABLE oid_${k}_${i} (a int)`);
      }));
      const oids = (await s1.query('SELECT oid::int AS oid FROM pg_class WHERE relname LIKE $$oid\\_%$$')).rows.map((r) => r.oid);
      expect(oids.length).toBe(10);
      expect(new Set(oids).size).toBe(10);

      // Interleaved transactions: if both had the same XID, the rollback of one would hide the other's row.
      await s1.exec('CREATE TABLE xids (who text)');
      for (let i = 0; i < 5; i++) {
        await s1.exec('BEGIN');
        await s1.query('INSERT INTO xids VALUES ($$s1$$)');
        await s2.exec('BEGIN');
        await s2.query('INSERT INTO xids VALUES ($$s2$$)');
        await s2.exec('ROLLBACK');
        await s1.exec('COMMIT');
      }
      expect((await s2.query('SELECT who, count(*)::int AS n FROM xids GROUP BY who')).rows).toEqual([{ who: 's1', n: 5 }]);
    } finally {
      await s1.release();
      await s2.release();
    }
  });

  it('callers queue when every backend is busy, and are served in order', async () => {
    const s1 = await pm.connect();
    const s2 = await pm.connect();
    const order: string[] = [];
    const q1 = pm.query('SELECT 1 AS one').then((r) => {
      order.push('q1');
      return r;
    });
    const q2 = pm.connect().then((s) => {
      order.push('q2');
      return s;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(order).toEqual([]);
    // A session left inside a transaction block is rolled back when released.
    await s1.exec('BEGIN');
    await s1.query('INSERT INTO acct VALUES (99, 1)');
    await s1.release();
    expect((await q1).rows).toEqual([{ one: 1 }]);
    const s3 = await q2;
    expect(order).toEqual(['q1', 'q2']);
    expect((await s3.query('SELECT count(*)::int AS n FROM acct WHERE id = 99')).rows[0].n).toBe(0);
    await s3.release();
    await s2.release();
    await expect(s1.query('SELECT 1')).rejects.toThrow(/released/);
  });

  it('two backends updating the same row: no lost update, no corruption', async () => {
    const s1 = await pm.connect();
    const s2 = await pm.connect();
    try {
      await s1.exec('BEGIN');
      await s1.query('UPDATE acct SET balance = balance + 1 WHERE id = 2');
      // Today the engine reports the conflict at once (55P03) instead of waiting for s1; with
      // the lock manager's row waits it will wait and then apply its update to s1's version.
      const other = s2.query('UPDATE acct SET balance = balance + 10 WHERE id = 2').then(
        () => 'updated',
        (e: unknown) => (e instanceof PgError ? e.code : String(e)),
      );
      await new Promise((r) => setTimeout(r, 100));
      await s1.exec('COMMIT');
      const outcome = await other;
      const row = await s2.query('SELECT count(*)::int AS n, max(balance)::int AS b FROM acct WHERE id = 2');
      if (outcome === 'updated') expect(row.rows[0]).toEqual({ n: 1, b: 111 });
      else {
        expect(outcome).toBe('55P03');
        expect(row.rows[0]).toEqual({ n: 1, b: 101 });
      }
    } finally {
      await s1.release();
      await s2.release();
    }
  });

  it('close() then a new start on the same directory finds everything', async () => {
    await pm.query('INSERT INTO acct VALUES (50, 7)');
    await pm.close();
    pm = await Postmaster.start({ dataDir: dir, backends: 1, sharedBuffers: 256 });
    expect(pm.lastStartupRecovered).toBe(false);
    expect((await pm.query('SELECT balance FROM acct WHERE id = 50')).rows).toEqual([{ balance: 7 }]);
    expect((await pm.query('SELECT count(*)::int AS n FROM acct')).rows[0].n).toBe(11);
    expect(Number((await pm.query('SELECT nextval($$ids$$) AS v')).rows[0].v)).toBeGreaterThan(81);
  }, 240_000);
});

describe('an instance without a data directory', () => {
  it('initializes a temporary directory in its startup backend and removes it at close', async () => {
    const pm = await Postmaster.start({ backends: 1, sharedBuffers: 256 });
    const dir = pm.directory;
    try {
      expect(fs.existsSync(path.join(dir, 'global', 'pg_control'))).toBe(true);
      expect((await pm.query('SELECT count(*)::int > 0 AS ok FROM pg_class')).rows).toEqual([{ ok: true }]);
    } finally {
      await pm.close();
    }
    expect(fs.existsSync(dir)).toBe(false);
    await expect(pm.query('SELECT 1')).rejects.toMatchObject({ code: '57P01' });
  }, 240_000);
});

describe('a start that fails', () => {
  it('reports the startup backend\'s error and leaves no worker behind', async () => {
    const dir = path.join(root, 'not-a-data-directory');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'stray.txt'), 'not a database');
    const err = await rejection(Postmaster.start({ dataDir: dir, backends: 1, sharedBuffers: 256 }));
    expect(err.message).toMatch(/pg_control/);
    expect(fs.readdirSync(dir)).toEqual(['stray.txt']);
  }, 240_000);
});

describe('backend crash', () => {
  it('a worker killed in a write transaction: the others are stopped, the instance restarts through recovery, nothing committed is lost', async () => {
    const pm = await Postmaster.start({ dataDir: dataDir(), backends: 2, sharedBuffers: 256 });
    try {
      await pm.exec('CREATE TABLE kept (id int PRIMARY KEY, note text)');
      await pm.exec('INSERT INTO kept SELECT g, $$committed$$ FROM generate_series(1, 200) g');
      await pm.exec('CHECKPOINT');
      const victim = await pm.connect();
      const bystander = await pm.connect();
      // Committed after the checkpoint by the backend about to die, its pages only in shared
      // buffers: recovery must replay it from the WAL the commit flushed.
      await victim.query('UPDATE kept SET note = $$victim committed$$ WHERE id > 190');
      await victim.exec('BEGIN');
      await victim.query('INSERT INTO kept SELECT g, $$uncommitted$$ FROM generate_series(201, 400) g');
      await victim.query('UPDATE kept SET note = $$changed$$ WHERE id <= 100');
      // The bystander is busy when the crash happens: its query is cut off.
      const inFlight = rejection(bystander.query('SELECT count(*) FROM generate_series(1, 200000000)'));
      await new Promise((r) => setTimeout(r, 300));
      await pm.workerOf(victim.pid)?.terminate();

      const dead = await rejection(victim.query('SELECT 1'));
      expect(dead.code).toBe('57P01');
      const cut = await inFlight;
      expect(cut.code).toBe('57P02');
      expect(cut.message).toBe('terminating connection because of crash of another server process');
      expect((await rejection(bystander.query('SELECT 1'))).code).toBe('57P02');
      await victim.release();
      await bystander.release();

      // New callers wait for the restart and are served by new backends.
      const r = await pm.query('SELECT count(*)::int AS n, count(*) FILTER (WHERE note = $$committed$$)::int AS c, '
        + 'count(*) FILTER (WHERE note = $$victim committed$$)::int AS v FROM kept');
      expect(r.rows).toEqual([{ n: 200, c: 190, v: 10 }]);
      expect(pm.restarts).toBe(1);
      expect(pm.lastStartupRecovered).toBe(true);
      expect(pm.backendPids).not.toContain(victim.pid);
      await pm.query('INSERT INTO kept VALUES (201, $$after$$)');
      expect((await pm.query('SELECT note FROM kept WHERE id = 201')).rows).toEqual([{ note: 'after' }]);

      // Killed in the middle of a statement: half its rows are in shared buffers and the WAL.
      const writer = await pm.connect();
      const cutOff = rejection(writer.query('INSERT INTO kept SELECT g, $$partial$$ FROM generate_series(1000, 5000000) g'));
      await new Promise((r) => setTimeout(r, 500));
      await pm.workerOf(writer.pid)?.terminate();
      expect((await cutOff).code).toBe('57P01');
      await writer.release();
      const s = await pm.connect();
      try {
        expect(pm.restarts).toBe(2);
        const bySeq = (await s.query('SELECT count(*)::int AS n FROM kept')).rows[0].n;
        await s.exec('SET enable_seqscan = off');
        const byIndex = (await s.query('SELECT count(*)::int AS n FROM kept WHERE id > 0')).rows[0].n;
        expect(bySeq).toBe(201);
        expect(byIndex).toBe(201);
      } finally {
        await s.release();
      }
    } finally {
      await pm.close();
    }
  }, 240_000);
});
