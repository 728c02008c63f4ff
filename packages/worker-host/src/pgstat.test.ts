/*
 * pgstat.test.ts — cumulative statistics across worker backends: work done
 * in backend A (commits, inserts, buffer hits, a deadlock victim) shows in
 * backend B's pg_stat_database and pg_stat_user_tables, read from the
 * shared counters (engine utils/activity/); the auxiliary processes,
 * the autovacuum launcher among them, appear in pg_stat_activity with
 * PostgreSQL's backend_type.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgError } from '@tabgres/engine';
import { Postmaster, type PostmasterCore } from './index.ts';

let pm: PostmasterCore;

beforeAll(async () => {
  pm = await Postmaster.start({ backends: 2, sharedBuffers: 256, bgwriter: true, walwriter: true, autovacuumNaptimeMs: 200 });
}, 240_000);

afterAll(async () => {
  await pm?.close();
}, 120_000);

type Row = Record<string, unknown>;

function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

describe('shared cumulative statistics (Postmaster, 2 backends)', () => {
  it('work in backend A shows in backend B\'s pg_stat_database and pg_stat_user_tables', async () => {
    const a = await pm.connect();
    const b = await pm.connect();
    try {
      expect(a.pid).not.toBe(b.pid);
      const stats = async (): Promise<Row> =>
        (await b.query('SELECT numbackends, xact_commit, xact_rollback, blks_hit, blks_read, tup_inserted, tup_updated, deadlocks, sessions FROM pg_stat_database WHERE datid = 5')).rows[0];
      const before = await stats();
      expect(num(before.numbackends)).toBe(2);
      expect(num(before.sessions)).toBeGreaterThanOrEqual(2);

      await a.exec('CREATE TABLE acct (id int PRIMARY KEY, bal int)');
      await a.exec('INSERT INTO acct SELECT g, 100 FROM generate_series(1, 100) g');
      await a.exec('UPDATE acct SET bal = bal + 1 WHERE id <= 40');
      await a.query('SELECT sum(bal) FROM acct');
      const after = await stats();
      expect(num(after.xact_commit) - num(before.xact_commit)).toBeGreaterThanOrEqual(4);
      expect(num(after.tup_inserted) - num(before.tup_inserted)).toBe(100);
      expect(num(after.tup_updated) - num(before.tup_updated)).toBe(40);
      expect(num(after.blks_hit)).toBeGreaterThan(num(before.blks_hit));

      const t = (await b.query("SELECT n_tup_ins, n_tup_upd, n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE relname = 'acct'")).rows[0];
      expect([num(t.n_tup_ins), num(t.n_tup_upd), num(t.n_live_tup), num(t.n_dead_tup)]).toEqual([100, 40, 100, 40]);

      // A deadlock between the two: the victim's 40P01 is counted once, seen from both backends.
      await a.exec('CREATE TABLE la (x int); CREATE TABLE lb (x int)');
      await a.exec("SET deadlock_timeout = '100ms'");
      await b.exec("SET deadlock_timeout = '100ms'");
      await a.exec('BEGIN; LOCK TABLE la');
      await b.exec('BEGIN; LOCK TABLE lb');
      const p1 = a.exec('LOCK TABLE lb');
      await new Promise((r) => setTimeout(r, 30));
      const p2 = b.exec('LOCK TABLE la');
      const outcomes = await Promise.allSettled([p1, p2]);
      const failed = outcomes.filter((o) => o.status === 'rejected');
      expect(failed.length).toBe(1);
      expect(((failed[0] as PromiseRejectedResult).reason as PgError).code).toBe('40P01');
      await a.exec('ROLLBACK');
      await b.exec('ROLLBACK');
      const end = await stats();
      expect(num(end.deadlocks) - num(before.deadlocks)).toBe(1);
      expect(num(end.xact_rollback) - num(after.xact_rollback)).toBe(2);
      const fromA = (await a.query('SELECT deadlocks FROM pg_stat_database WHERE datid = 5')).rows[0];
      expect(num(fromA.deadlocks)).toBe(num(end.deadlocks));
    } finally {
      a.release();
      b.release();
    }
  }, 60_000);

  it('auxiliary processes appear in pg_stat_activity with their backend_type', async () => {
    const r = await pm.query("SELECT backend_type, datid, usename, state FROM pg_stat_activity WHERE backend_type <> 'client backend' ORDER BY backend_type");
    expect(r.rows).toEqual([
      { backend_type: 'autovacuum launcher', datid: null, usename: null, state: null },
      { backend_type: 'background writer', datid: null, usename: null, state: null },
      { backend_type: 'checkpointer', datid: null, usename: null, state: null },
      { backend_type: 'walwriter', datid: null, usename: null, state: null },
    ]);
    const aux = pm.auxiliaryPids;
    const pids = (await pm.query("SELECT pid FROM pg_stat_activity WHERE backend_type = 'autovacuum launcher'")).rows.map((x) => x.pid);
    expect(pids).toEqual([aux.autovacuum]);
  }, 60_000);
});
