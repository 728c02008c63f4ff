/*
 * Heavyweight locks between backend workers (storage/lmgr wired into the
 * engine, issue 5): LOCK TABLE blocking readers and DROP TABLE until
 * COMMIT, NOWAIT, advisory locks, a deadlock of two sessions broken on
 * exactly one side with PostgreSQL's DETAIL, pg_locks / pg_stat_activity
 * showing the waiter (and the usual lock-monitoring query saying who
 * blocks whom), and cancelling a lock wait.
 *
 * One postmaster with three backends serves every case; each case
 * releases its sessions (a session left in a block is rolled back).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, PgError } from '@tabgres/engine';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Postmaster, type PostmasterCore } from './index.ts';
import { rejection, settled } from './postmaster_testutil.ts';

type Session = Awaited<ReturnType<PostmasterCore['connect']>>;

let root = '';
let pm: PostmasterCore;

/** Polls (through `watcher`) until the backend with `pid` waits for a lock, as pg_locks shows it. */
async function waitsForLock(watcher: Session, pid: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await watcher.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks WHERE pid = $1 AND NOT granted', [pid]);
    if (r.rows[0].n > 0) return;
    if (Date.now() > deadline) throw new Error(`backend ${pid} never waited for a lock`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** The lock-monitoring query PostgreSQL's users know (wiki "Lock Monitoring"). */
const BLOCKING_QUERY = `
SELECT blocked_locks.pid AS blocked_pid, blocked_activity.usename AS blocked_user,
       blocking_locks.pid AS blocking_pid, blocking_activity.usename AS blocking_user,
       blocked_activity.query AS blocked_statement, blocking_activity.query AS current_statement_in_blocking_process
  FROM pg_catalog.pg_locks blocked_locks
  JOIN pg_catalog.pg_stat_activity blocked_activity ON blocked_activity.pid = blocked_locks.pid
  JOIN pg_catalog.pg_locks blocking_locks
    ON blocking_locks.locktype = blocked_locks.locktype
   AND blocking_locks.database IS NOT DISTINCT FROM blocked_locks.database
   AND blocking_locks.relation IS NOT DISTINCT FROM blocked_locks.relation
   AND blocking_locks.page IS NOT DISTINCT FROM blocked_locks.page
   AND blocking_locks.tuple IS NOT DISTINCT FROM blocked_locks.tuple
   AND blocking_locks.virtualxid IS NOT DISTINCT FROM blocked_locks.virtualxid
   AND blocking_locks.transactionid IS NOT DISTINCT FROM blocked_locks.transactionid
   AND blocking_locks.classid IS NOT DISTINCT FROM blocked_locks.classid
   AND blocking_locks.objid IS NOT DISTINCT FROM blocked_locks.objid
   AND blocking_locks.objsubid IS NOT DISTINCT FROM blocked_locks.objsubid
   AND blocking_locks.pid != blocked_locks.pid
  JOIN pg_catalog.pg_stat_activity blocking_activity ON blocking_activity.pid = blocking_locks.pid
 WHERE NOT blocked_locks.granted`;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-locks-'));
  const dir = path.join(root, 'data');
  const db = await Database.open({ dir: new NodeDirectory(dir), sharedBuffers: 256 });
  await db.close();
  pm = await Postmaster.start({ dataDir: dir, backends: 3, sharedBuffers: 256 });
  await pm.exec('CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 10), (2, 20)');
  await pm.exec('CREATE TABLE a (x int); CREATE TABLE b (x int)');
}, 240_000);

afterAll(async () => {
  await pm?.close();
  if (root !== '') fs.rmSync(root, { recursive: true, force: true });
}, 120_000);

async function sessions(n: number): Promise<Session[]> {
  const out: Session[] = [];
  for (let i = 0; i < n; i++) out.push(await pm.connect());
  return out;
}

async function releaseAll(list: Session[]): Promise<void> {
  for (const s of list) await s.release();
}

describe('table locks between backends', () => {
  it('LOCK TABLE blocks a SELECT until COMMIT; the lock-monitoring query shows who blocks whom', async () => {
    const all = await sessions(3);
    const [s1, s2, s3] = all;
    try {
      await s1.exec('BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
      const reader = s2.query('SELECT count(*)::int AS n FROM t');
      await waitsForLock(s3, s2.pid);
      expect(await settled(reader, 50)).toBe(false);

      const waiting = await s3.query(`SELECT locktype, relation::regclass::text AS rel, mode, granted, waitstart IS NOT NULL AS ws FROM pg_locks WHERE pid = $1 AND NOT granted`, [s2.pid]);
      expect(waiting.rows).toEqual([{ locktype: 'relation', rel: 't', mode: 'AccessShareLock', granted: false, ws: true }]);
      const act = await s3.query('SELECT pid, state, wait_event_type, wait_event, query FROM pg_stat_activity WHERE pid IN ($1, $2) ORDER BY pid = $1 DESC', [s1.pid, s2.pid]);
      expect(act.rows).toEqual([
        { pid: s1.pid, state: 'idle in transaction', wait_event_type: null, wait_event: null, query: 'BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE' },
        { pid: s2.pid, state: 'active', wait_event_type: 'Lock', wait_event: 'relation', query: 'SELECT count(*)::int AS n FROM t' },
      ]);
      const blocking = await s3.query(BLOCKING_QUERY);
      expect(blocking.rows).toEqual([{
        blocked_pid: s2.pid, blocked_user: 'postgres', blocking_pid: s1.pid, blocking_user: 'postgres',
        blocked_statement: 'SELECT count(*)::int AS n FROM t',
        current_statement_in_blocking_process: 'BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE',
      }]);
      expect((await s3.query('SELECT pg_blocking_pids($1) AS p', [s2.pid])).rows[0].p).toEqual([s1.pid]);

      // What the holder commits, the waiter sees: its snapshot is taken after the lock (READ COMMITTED).
      await s1.query('INSERT INTO t VALUES (3, 30)');
      await s1.exec('COMMIT');
      expect((await reader).rows).toEqual([{ n: 3 }]);
      await s1.query('DELETE FROM t WHERE id = 3');
      expect((await s3.query('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted')).rows[0].n).toBe(0);
    } finally {
      await releaseAll(all);
    }
  }, 60_000);

  it('a reader in an open transaction blocks DROP TABLE until it commits; NOWAIT gives 55P03', async () => {
    const all = await sessions(3);
    const [s1, s2, s3] = all;
    try {
      await s1.exec('CREATE TABLE gone (a int)');
      await s1.exec('BEGIN; SELECT * FROM gone');
      await s2.exec('BEGIN');
      const nowait = await rejection(s2.exec('LOCK TABLE gone IN ACCESS EXCLUSIVE MODE NOWAIT'));
      expect([nowait.code, nowait.message]).toEqual(['55P03', 'could not obtain lock on relation "gone"']);
      await s2.exec('ROLLBACK');

      const drop = s2.exec('DROP TABLE gone');
      await waitsForLock(s3, s2.pid);
      expect(await settled(drop, 50)).toBe(false);
      // Still readable by its reader while the DROP waits.
      expect((await s1.query('SELECT count(*)::int AS n FROM gone')).rows).toEqual([{ n: 0 }]);
      await s1.exec('COMMIT');
      await drop;
      expect((await rejection(s1.query('SELECT * FROM gone'))).code).toBe('42P01');
    } finally {
      await releaseAll(all);
    }
  }, 60_000);

  it('a SELECT waiting for a dropped table reports 42P01 once the DROP commits', async () => {
    const all = await sessions(3);
    const [s1, s2, s3] = all;
    try {
      await s1.exec('CREATE TABLE soon (a int)');
      await s1.exec('BEGIN; DROP TABLE soon');
      const reader = s2.query('SELECT * FROM soon');
      reader.catch(() => {}); // awaited below
      await waitsForLock(s3, s2.pid);
      await s1.exec('COMMIT');
      const e = await rejection(reader);
      expect([e.code, e.message]).toEqual(['42P01', 'relation "soon" does not exist']);
    } finally {
      await releaseAll(all);
    }
  }, 60_000);

  it('cancelling a lock wait gives 57014 and leaves no waiter behind', async () => {
    const all = await sessions(3);
    const [s1, s2, s3] = all;
    try {
      await s1.exec('BEGIN; LOCK TABLE t');
      const waiter = s2.query('SELECT * FROM t');
      waiter.catch(() => {}); // awaited below
      await waitsForLock(s3, s2.pid);
      waiter.cancel();
      const e = await rejection(waiter);
      expect([e.code, e.message, e.position]).toEqual(['57014', 'canceling statement due to user request', undefined]);
      expect((await s3.query('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted')).rows[0].n).toBe(0);
      // pg_cancel_backend from another session ends a wait the same way.
      const again = s2.query('SELECT * FROM t');
      again.catch(() => {}); // awaited below
      await waitsForLock(s3, s2.pid);
      expect((await s3.query('SELECT pg_cancel_backend($1) AS ok', [s2.pid])).rows[0].ok).toBe(true);
      expect((await rejection(again)).code).toBe('57014');
      await s1.exec('COMMIT');
      expect((await s2.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(2);
    } finally {
      await releaseAll(all);
    }
  }, 60_000);

  it('a deadlock of two LOCK TABLEs ends on exactly one side with 40P01 and PostgreSQL\'s DETAIL', async () => {
    const all = await sessions(2);
    const [s1, s2] = all;
    try {
      await s1.exec("SET deadlock_timeout = '100ms'");
      await s2.exec("SET deadlock_timeout = '100ms'");
      await s1.exec('BEGIN; LOCK TABLE a');
      await s2.exec('BEGIN; LOCK TABLE b');
      const started = Date.now();
      const p1 = s1.exec('LOCK TABLE b');
      await new Promise((r) => setTimeout(r, 30));
      const p2 = s2.exec('LOCK TABLE a');
      const outcomes = await Promise.allSettled([p1, p2]);
      const elapsed = Date.now() - started;
      const failed = outcomes.filter((o) => o.status === 'rejected');
      expect(failed.length).toBe(1);
      const e = (failed[0] as PromiseRejectedResult).reason as PgError;
      expect([e.code, e.message, e.hint]).toEqual(['40P01', 'deadlock detected', 'See server log for query details.']);
      const victim = outcomes[0].status === 'rejected' ? s1 : s2;
      const other = victim === s1 ? s2 : s1;
      const relOid = async (name: string): Promise<number> => (await other.query('SELECT $1::regclass::oid::int AS o', [name])).rows[0].o as number;
      const [oa, ob] = [await relOid('a'), await relOid('b')];
      const wants = victim === s1 ? ob : oa;
      const holds = victim === s1 ? oa : ob;
      expect(e.detail).toBe(
        `Process ${victim.pid} waits for AccessExclusiveLock on relation ${wants} of database 5; blocked by process ${other.pid}.\n`
        + `Process ${other.pid} waits for AccessExclusiveLock on relation ${holds} of database 5; blocked by process ${victim.pid}.`,
      );
      // The survivor got its lock once the victim's transaction was rolled back.
      await victim.exec('ROLLBACK');
      await other.exec('COMMIT');
      console.log(`deadlock broken ${elapsed} ms after the second wait began (deadlock_timeout 100 ms)`);
      expect(elapsed).toBeLessThan(5000);
    } finally {
      await releaseAll(all);
    }
  }, 60_000);
});

describe('advisory locks between backends', () => {
  it('pg_advisory_lock blocks another session; pg_try_advisory_lock returns false; unlock lets the waiter in', async () => {
    const all = await sessions(3);
    const [s1, s2, s3] = all;
    try {
      await s1.query('SELECT pg_advisory_lock(77)');
      const waiter = s2.query('SELECT pg_advisory_lock(77)');
      await waitsForLock(s3, s2.pid);
      expect(await settled(waiter, 50)).toBe(false);
      expect((await s3.query('SELECT pg_try_advisory_lock(77) AS got')).rows[0].got).toBe(false);
      const w = await s3.query(`SELECT locktype, objid::int AS k, mode, pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
      expect(w.rows).toEqual([{ locktype: 'advisory', k: 77, mode: 'ExclusiveLock', pid: s2.pid }]);
      const act = await s3.query('SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = $1', [s2.pid]);
      expect(act.rows).toEqual([{ wait_event_type: 'Lock', wait_event: 'advisory' }]);
      expect((await s1.query('SELECT pg_advisory_unlock(77) AS ok')).rows[0].ok).toBe(true);
      await waiter;
      expect((await s3.query('SELECT pg_try_advisory_lock(77) AS got')).rows[0].got).toBe(false);
      await s2.query('SELECT pg_advisory_unlock_all()');
      expect((await s3.query('SELECT pg_try_advisory_lock(77) AS got')).rows[0].got).toBe(true);
      await s3.query('SELECT pg_advisory_unlock(77)');
    } finally {
      await releaseAll(all);
    }
  }, 60_000);
});
