/*
 * pgstat_database.test.ts — pg_stat_database reads the shared cumulative
 * counters: work committed in one backend shows in another backend over
 * the same segment (two Database.attachSync in one thread), a backend's
 * open transaction is not counted until it ends, and the view's columns
 * and types are PostgreSQL's (PGlite).
 */

import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { PGlite } from '@electric-sql/pglite';
import { Database, createSharedMemoryAndSemaphores } from '../../index.ts';
import { tablesNeedingVacuum, DEFAULT_AUTOVACUUM_SETTINGS } from '../../postmaster/autovacuum.ts';
import { Shmem } from '../../storage/ipc/shmem.ts';

const open: Database[] = [];

afterEach(() => {
  const all = open.splice(0);
  for (let k = all.length - 1; k >= 0; k--) {
    if (all[k].isClosed) continue;
    if (k === 0) all[k].closeSync();
    else all[k].detachSync();
  }
});

function pair(): { a: Database; b: Database } {
  const dir = new MemoryDirectory();
  const shmem = createSharedMemoryAndSemaphores({ sharedBuffers: 128, walBuffers: 64 }).sab;
  const a = Database.attachSync({ dir, shmem, startup: true, pid: 201 });
  open.push(a);
  const b = Database.attachSync({ dir, shmem, startup: false, pid: 202 });
  open.push(b);
  return { a, b };
}

type DbRow = Record<string, number | null>;

function dbStats(db: Database): DbRow {
  const r = db.querySync(
    'SELECT numbackends, xact_commit, xact_rollback, blks_read, blks_hit, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, deadlocks, sessions FROM pg_stat_database WHERE datname = current_database()',
  );
  return JSON.parse(JSON.stringify(r.rows[0], (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as DbRow;
}

describe('pg_stat_database (shared cumulative statistics)', () => {
  it('counts the work of every backend, flushed at transaction end', () => {
    const { a, b } = pair();
    const before = dbStats(b);
    expect(before.numbackends).toBe(2);
    expect(before.sessions).toBe(2);

    a.execSync('CREATE TABLE t (id int PRIMARY KEY, v text)');
    a.execSync("INSERT INTO t SELECT g, 'x' FROM generate_series(1, 50) g");
    a.execSync('UPDATE t SET v = $$y$$ WHERE id <= 10');
    a.execSync('DELETE FROM t WHERE id > 45');
    const after = dbStats(b);
    // b's own SELECT (the first dbStats) committed too, hence >= rather than exact commit counts.
    expect((after.xact_commit as number) - (before.xact_commit as number)).toBeGreaterThanOrEqual(4);
    expect((after.tup_inserted as number) - (before.tup_inserted as number)).toBe(50);
    expect((after.tup_updated as number) - (before.tup_updated as number)).toBe(10);
    expect((after.tup_deleted as number) - (before.tup_deleted as number)).toBe(5);
    expect(after.blks_hit as number).toBeGreaterThan(before.blks_hit as number);

    // An open transaction's inserts are not counted before it ends; a rollback counts once it does.
    a.execSync('BEGIN');
    a.execSync('INSERT INTO t VALUES (100, $$z$$)');
    const mid = dbStats(b);
    expect(mid.tup_inserted).toBe(after.tup_inserted);
    a.execSync('ROLLBACK');
    const end = dbStats(b);
    expect((end.xact_rollback as number) - (mid.xact_rollback as number)).toBe(1);
    expect((end.tup_inserted as number) - (mid.tup_inserted as number)).toBe(1);

    // Both backends read the same shared entry.
    const fromA = dbStats(a);
    expect(fromA.tup_inserted).toBe(end.tup_inserted);
    expect(fromA.deadlocks).toBe(0);
  });

  it('shares n_live_tup / n_dead_tup, which the autovacuum launcher reads', () => {
    const dir = new MemoryDirectory();
    const seg = createSharedMemoryAndSemaphores({ sharedBuffers: 128, walBuffers: 64 });
    const a = Database.attachSync({ dir, shmem: seg.sab, startup: true, pid: 211 });
    open.push(a);
    const b = Database.attachSync({ dir, shmem: seg.sab, startup: false, pid: 212 });
    open.push(b);
    a.execSync('CREATE TABLE v (id int PRIMARY KEY, x int)');
    a.execSync('INSERT INTO v SELECT g, 0 FROM generate_series(1, 100) g');
    const oid = Number((b.querySync("SELECT 'v'::regclass::oid AS o").rows[0] as unknown as { o: number }).o);
    const shm = Shmem.attach(seg.sab);
    // 20 dead rows: under 50 + 0.2 * 100 = 70.
    a.execSync('UPDATE v SET x = 1 WHERE id <= 20');
    expect(tablesNeedingVacuum(shm, DEFAULT_AUTOVACUUM_SETTINGS).map((c) => c.relid)).not.toContain(oid);
    a.execSync('DELETE FROM v WHERE id > 40');
    const t = b.querySync("SELECT n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE relname = 'v'").rows[0] as unknown as Record<string, bigint>;
    expect([Number(t.n_live_tup), Number(t.n_dead_tup)]).toEqual([40, 80]);
    // 80 dead > 50 + 0.2 * 40 = 58.
    expect(tablesNeedingVacuum(shm, DEFAULT_AUTOVACUUM_SETTINGS)).toContainEqual({ relid: oid, nDeadTup: 80, vacthresh: 58 });
    // VACUUM's measured counts replace the running ones, for every backend.
    a.execSync('VACUUM v');
    const u = b.querySync("SELECT n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE relname = 'v'").rows[0] as unknown as Record<string, bigint>;
    expect([Number(u.n_live_tup), Number(u.n_dead_tup)]).toEqual([40, 0]);
    expect(tablesNeedingVacuum(shm, DEFAULT_AUTOVACUUM_SETTINGS).map((c) => c.relid)).not.toContain(oid);
  });

  it('has PostgreSQL\'s columns and types (PGlite)', async () => {
    const { a } = pair();
    const sql = "SELECT a.attname::text AS n, pg_catalog.format_type(a.atttypid, a.atttypmod) AS t FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE c.relname = 'pg_stat_database' AND a.attnum > 0 ORDER BY a.attnum";
    const ours = (a.querySync(sql).rows as unknown as { n: string; t: string }[]).map((r) => `${r.n}:${r.t}`);
    const pg = new PGlite();
    try {
      const theirs = (await pg.query<{ n: string; t: string }>(sql)).rows.map((r) => `${r.n}:${r.t}`);
      expect(ours).toEqual(theirs);
    } finally {
      await pg.close();
    }
  }, 60_000);
});
