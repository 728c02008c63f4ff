/*
 * The background writer's and WAL writer's rounds (StorageEngine.bgWriterCycle,
 * walWriterCycle), in one thread over a postmaster-style segment; their
 * loops run in worker-host's auxiliary workers (checkpointer.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { Database, createSharedMemoryAndSemaphores, type DatabaseAttachOptions } from '../src/index.ts';

const open: Database[] = [];

afterEach(() => {
  for (const db of open.splice(0)) db.closeSync();
});

function instance(extra: Record<string, unknown> = {}): Database {
  const options: DatabaseAttachOptions = {
    dir: new MemoryDirectory(), shmem: createSharedMemoryAndSemaphores({ sharedBuffers: 32, walBuffers: 64 }).sab, startup: true, pid: 1, ...extra,
  };
  const db = Database.attachSync(options);
  open.push(db);
  return db;
}

describe('auxiliary process rounds', () => {
  it('the background writer writes dirty buffers the clock sweep would take next, then has nothing left to write', () => {
    const db = instance();
    db.execSync('CREATE TABLE t (id int, pad text)');
    // Twice the pool: the sweep has come around and left dirty buffers at usage count 0.
    db.execSync("INSERT INTO t SELECT g, repeat('x', 300) FROM generate_series(1, 3000) g");
    const writesBefore = db.engine.bufmgr.stats.writes;
    const written = db.engine.bgWriterCycle(100);
    expect(written).toBeGreaterThan(0);
    expect(db.engine.bufmgr.stats.writes - writesBefore).toBe(written);
    expect(db.engine.bgWriterCycle(100)).toBe(0);
    // At most bgwriter_lru_maxpages per round.
    db.execSync("INSERT INTO t SELECT g, repeat('y', 300) FROM generate_series(1, 3000) g");
    expect(db.engine.bgWriterCycle(1)).toBeLessThanOrEqual(1);
  });

  it('the WAL writer flushes what asynchronous commits left in the WAL buffers', () => {
    const db = instance({ synchronousCommit: false });
    db.execSync('CREATE TABLE t (id int)');
    db.execSync('INSERT INTO t VALUES (1)');
    const xlog = db.engine.xlog;
    expect(xlog.getFlushRecPtr()).toBeLessThan(xlog.getInsertRecPtr());
    for (let k = 0; k < 3 && xlog.getFlushRecPtr() < xlog.getInsertRecPtr(); k++) expect(db.engine.walWriterCycle()).toBe(true);
    expect(xlog.getFlushRecPtr()).toBe(xlog.getInsertRecPtr());
    expect(db.engine.walWriterCycle()).toBe(false);
  });
});
