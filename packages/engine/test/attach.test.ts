/*
 * The postmaster's half and the backend's half of a start, in one thread:
 * createSharedMemoryAndSemaphores, then backends that attach with
 * Database.attachSync (the first runs startup). The worker-host tests run
 * the same through worker_threads; here every step is deterministic and
 * fast: MVCC between backends, shared invalidation of caches and plans,
 * the reset of a backend that fell behind the queue, the startup rules.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { Database, PgError, createSharedMemoryAndSemaphores } from '../src/index.ts';
import type { InvalidationMessage } from '../src/utils/cache/inval.ts';
import { SINVAL_MAX_MESSAGES } from '../src/constants.ts';

const open: Database[] = [];

function instance(): { dir: MemoryDirectory; shmem: SharedArrayBuffer } {
  return { dir: new MemoryDirectory(), shmem: createSharedMemoryAndSemaphores({ sharedBuffers: 128, walBuffers: 64 }).sab };
}

function attach(i: { dir: MemoryDirectory; shmem: SharedArrayBuffer }, startup: boolean, pid: number): Database {
  const db = Database.attachSync({ dir: i.dir, shmem: i.shmem, startup, pid });
  open.push(db);
  return db;
}

afterEach(() => {
  // Others detach first; the startup backend (first opened) writes the shutdown checkpoint.
  const all = open.splice(0);
  for (let k = all.length - 1; k >= 0; k--) {
    if (k === 0) all[k].closeSync();
    else all[k].detachSync();
  }
});

describe('backends attached to one shared memory', () => {
  it('only the startup backend may initialize; the others find its catalogs', () => {
    const i = instance();
    expect(() => Database.attachSync({ dir: i.dir, shmem: i.shmem, startup: false, pid: 2 })).toThrow(PgError);
    const first = attach(i, true, 1);
    expect(first.engine.startup.recoveryPerformed).toBe(false);
    const second = attach(i, false, 2);
    expect(() => second.engine.startup).toThrow(/attached after startup/);
    expect(second.querySync('SELECT pg_backend_pid() AS p').rows).toEqual([{ p: 2 }]);
    expect(second.querySync('SHOW shared_buffers').rows).toEqual([{ shared_buffers: '1MB' }]);
  });

  it('a started instance survives its backends: detached ones leave no trace, the last close checkpoints', () => {
    const i = instance();
    const a = attach(i, true, 1);
    const b = attach(i, false, 2);
    b.execSync('CREATE TABLE t (a int); INSERT INTO t VALUES (1)');
    expect(a.querySync('SELECT count(*)::int AS n FROM t').rows).toEqual([{ n: 1 }]);
    b.execSync('BEGIN; INSERT INTO t VALUES (2)');
    b.detachSync();
    open.splice(open.indexOf(b), 1);
    // The detached backend's open transaction rolled back and its proc slot is free.
    expect(a.querySync('SELECT count(*)::int AS n FROM t').rows).toEqual([{ n: 1 }]);
    const c = attach(i, false, 3);
    expect(c.querySync('SELECT count(*)::int AS n FROM t').rows).toEqual([{ n: 1 }]);
  });

  it('cached plans and catalog entries of one backend are dropped by DDL the other commits', () => {
    const i = instance();
    const a = attach(i, true, 1);
    const b = attach(i, false, 2);
    a.execSync('CREATE TABLE t (a int); INSERT INTO t VALUES (1)');
    const q = 'SELECT * FROM t WHERE a = $1';
    expect(b.querySync(q, [1]).rows).toEqual([{ a: 1 }]);
    const builds = b.backend.catalog.relcache.builds;
    // Nothing new: b's cache entries stay.
    b.querySync(q, [1]);
    expect(b.backend.catalog.relcache.builds).toBe(builds);
    a.execSync('ALTER TABLE t ADD COLUMN b int DEFAULT 7');
    expect(b.querySync(q, [1]).rows).toEqual([{ a: 1, b: 7 }]);
    expect(b.backend.catalog.relcache.builds).toBeGreaterThan(builds);
    // The sender skipped its own messages: they were applied at its commit.
    expect(a.engine.sinval.hasMessages()).toBe(false);
  });

  it('a backend that fell a whole queue behind is reset and rebuilds everything', () => {
    const i = instance();
    const a = attach(i, true, 1);
    const b = attach(i, false, 2);
    a.execSync('CREATE TABLE t (a int)');
    expect(b.querySync('SELECT count(*)::int AS n FROM t').rows).toEqual([{ n: 0 }]);
    // Another backend's traffic fills the ring past b's read position.
    const noise: InvalidationMessage[] = Array.from({ length: SINVAL_MAX_MESSAGES + 10 }, () => ({ kind: 'relcache', relId: 1 }));
    a.engine.sinval.send(noise);
    a.execSync('ALTER TABLE t ADD COLUMN b text');
    expect(a.engine.sinval.resets).toBe(1);
    expect(b.querySync('SELECT * FROM t').fields.map((f) => f.name)).toEqual(['a', 'b']);
    expect(b.engine.sinval.hasMessages()).toBe(false);
  });

  it('TOASTed values, sequences and VACUUM work across backends', () => {
    const i = instance();
    const a = attach(i, true, 1);
    const b = attach(i, false, 2);
    const big = 'x'.repeat(300_000);
    a.execSync('CREATE TABLE doc (id serial PRIMARY KEY, body text)');
    a.querySync('INSERT INTO doc (body) VALUES ($1)', [big]);
    b.querySync('INSERT INTO doc (body) VALUES ($1)', [big + 'y']);
    expect(b.querySync('SELECT id, length(body) AS n FROM doc ORDER BY id').rows).toEqual([{ id: 1, n: 300_000 }, { id: 2, n: 300_001 }]);
    expect(a.querySync('SELECT body = $1 AS same FROM doc WHERE id = 2', [big + 'y']).rows).toEqual([{ same: true }]);
    a.execSync('DELETE FROM doc WHERE id = 1');
    b.execSync('VACUUM doc');
    expect(a.querySync('SELECT count(*)::int AS n FROM doc').rows).toEqual([{ n: 1 }]);
    expect(a.querySync('INSERT INTO doc (body) VALUES ($$z$$) RETURNING id').rows).toEqual([{ id: 3 }]);
  });

  it('an index another backend dropped is no longer maintained; one it created is', () => {
    const i = instance();
    const a = attach(i, true, 1);
    const b = attach(i, false, 2);
    a.execSync('CREATE TABLE t (a int); CREATE UNIQUE INDEX t_a ON t (a)');
    b.querySync('INSERT INTO t VALUES (1)');
    expect(() => b.querySync('INSERT INTO t VALUES (1)')).toThrow(/duplicate key/);
    const ix = (a.querySync('SELECT oid::int AS oid FROM pg_class WHERE relname = $1', ['t_a']).rows[0] as { oid: number }).oid;
    expect(b.engine.hasIndex(ix)).toBe(true);
    a.execSync('DROP INDEX t_a');
    b.querySync('INSERT INTO t VALUES (1)');
    expect(b.engine.hasIndex(ix)).toBe(false);
    expect(a.querySync('SELECT count(*)::int AS n FROM t').rows).toEqual([{ n: 2 }]);
  });
});
