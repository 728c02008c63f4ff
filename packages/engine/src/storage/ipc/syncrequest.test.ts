/*
 * The shared fsync request queue (syncrequest.ts): pages one backend
 * evicted are fsynced by a checkpoint another backend runs, so an OS crash
 * after the checkpoint loses nothing committed before it. Two backends
 * attached to one segment in one thread, over one CrashSimDirectory that
 * loses every write not flushed (each backend has its own file handles, as
 * workers do). The control case shows the scenario loses data when the
 * writing backend keeps its sync obligations to itself.
 */
import { describe, expect, it } from 'vitest';
import { CrashSimDirectory } from '@tabgres/opfs-storage';
import { Database } from '../../index.ts';
import { createSharedMemoryAndSemaphores } from './ipci.ts';
import { SYNC_REQUEST_SLOTS, SyncRequestQueue } from './syncrequest.ts';
import { LWLockOwner } from '../lmgr/lwlock.ts';

const ROWS = 6000;

/** b writes (and evicts) most of the table's pages, a checkpoints, then the OS crashes. */
function scenario(forward: boolean): { count: number | null; error: string | null } {
  const dir = new CrashSimDirectory();
  const shmem = createSharedMemoryAndSemaphores({ sharedBuffers: 32, walBuffers: 64 }).sab;
  const a = Database.attachSync({ dir, shmem, startup: true, pid: 1 });
  const b = Database.attachSync({ dir, shmem, startup: false, pid: 2 });
  if (!forward) b.engine.smgr.syncRequests = null;
  // b alone creates and writes t; filling u afterwards makes b evict t's last dirty pages too, so
  // a's checkpoint writes none of t itself (an fsync is per file: a write of its own would cover b's).
  b.execSync('CREATE TABLE t (id int, pad text); CREATE TABLE u (id int, pad text)');
  b.execSync(`INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, ${ROWS}) g`);
  b.execSync(`INSERT INTO u SELECT g, repeat('y', 200) FROM generate_series(1, ${ROWS}) g`);
  a.execSync('CHECKPOINT');
  dir.crash({ seed: 7, mode: 'drop' });
  a.engine.abandon();
  b.engine.abandon();
  try {
    const db = Database.openSync({ dir });
    const n = db.querySync<{ n: number }>('SELECT count(*)::int AS n FROM t WHERE pad = repeat(\'x\', 200)').rows[0].n;
    db.closeSync();
    return { count: n, error: null };
  } catch (e) {
    return { count: null, error: e instanceof Error ? e.message : String(e) };
  }
}

describe('fsync request queue', () => {
  it('pages another backend evicted are synced by the checkpoint: nothing committed before it is lost', () => {
    expect(scenario(true)).toEqual({ count: ROWS, error: null });
  });

  it('control: without forwarding, the same crash loses the evicted pages', () => {
    expect(scenario(false)).not.toEqual({ count: ROWS, error: null });
  });

  it('each file is queued once per cycle; a full queue makes the writer sync itself', () => {
    const shmem = createSharedMemoryAndSemaphores({ sharedBuffers: 16, walBuffers: 16 });
    const q1 = new SyncRequestQueue(shmem, new LWLockOwner(shmem.i32));
    const q2 = new SyncRequestQueue(shmem, new LWLockOwner(shmem.i32));
    expect(q1.forward('base/5/16384')).toBe(true);
    expect(q1.forward('base/5/16384')).toBe(true);
    expect(q2.forward('base/5/16384')).toBe(true);
    expect(q2.forward('base/5/16384_fsm')).toBe(true);
    expect(q1.stats()).toEqual({ queued: 2, overflows: 0 });
    expect(q2.absorb().sort()).toEqual(['base/5/16384', 'base/5/16384_fsm']);
    // A new cycle: the same file is queued again by its next write.
    expect(q1.forward('base/5/16384')).toBe(true);
    expect(q1.absorb()).toEqual(['base/5/16384']);
    for (let k = 0; k < SYNC_REQUEST_SLOTS; k++) expect(q1.forward(`base/5/${20000 + k}`)).toBe(true);
    expect(q1.forward('base/5/99999')).toBe(false);
    expect(q1.forward('x'.repeat(80))).toBe(false);
    expect(q1.stats()).toEqual({ queued: SYNC_REQUEST_SLOTS, overflows: 1 });
  });
});
