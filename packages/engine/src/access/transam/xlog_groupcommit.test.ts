/*
 * Group commit in XLog.flush, with two backends' XLog handles over one
 * shared memory in one thread (xlog.test.ts has the basic case: one flush
 * covers a record another backend inserted before it): commit_delay lets
 * records inserted during the delay into the flush, only when
 * commit_siblings other transactions are open; the benchmarks' switch
 * (groupCommit: false) makes each flush stop at its own record.
 */
import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { XLog, bootstrapXLog, xlogStatsOf, type XLogSettings } from './xlog.ts';
import { startWal } from './xlog_testutil.ts';

const SEG = 64 * 1024;

function twoBackends(settings: Partial<XLogSettings>): { a: XLog; b: XLog; syncs: () => number } {
  const dir = new MemoryDirectory();
  bootstrapXLog(dir, { segmentSize: SEG });
  const w = startWal(dir, { walBuffers: 8, ...settings });
  const b = new XLog(w.shmem, new LWLockOwner(w.shmem.i32), dir);
  return { a: w.xlog, b, syncs: () => xlogStatsOf(w.shmem).syncs };
}

describe('group commit', () => {
  it('with groupCommit off, each flush stops at its own record and a later one needs its own sync', () => {
    const { a, b, syncs } = twoBackends({ groupCommit: false });
    const r1 = a.logNextOid(20000);
    const r2 = b.logNextOid(30000);
    const before = syncs();
    a.flush(r1);
    expect(a.getFlushRecPtr()).toBe(r1);
    b.flush(r2);
    expect(b.getFlushRecPtr()).toBe(r2);
    expect(syncs()).toBe(before + 2);
  });

  it('commit_delay: records inserted during the delay join the flush, so their commits need no sync', () => {
    const { a, b, syncs } = twoBackends({ commitDelayUs: 1000, commitSiblings: 1 });
    let r2 = 0;
    // Called by a's flush with WALWriteLock held, just before it sleeps: b "commits" meanwhile.
    a.minimumActiveBackends = (n) => {
      expect(n).toBe(1);
      r2 = b.logNextOid(30000);
      return true;
    };
    const r1 = a.logNextOid(20000);
    const before = syncs();
    a.flush(r1);
    expect(r2).toBeGreaterThan(r1);
    expect(a.getFlushRecPtr()).toBe(r2);
    b.flush(r2);
    expect(syncs()).toBe(before + 1);
  });

  it('commit_delay is skipped when fewer than commit_siblings transactions are open', () => {
    const { a, b, syncs } = twoBackends({ commitDelayUs: 1000, commitSiblings: 3 });
    let asked = 0;
    a.minimumActiveBackends = (n) => {
      asked = n;
      return false;
    };
    const r1 = a.logNextOid(20000);
    a.flush(r1);
    expect(asked).toBe(3);
    expect(a.getFlushRecPtr()).toBe(r1);
    const r2 = b.logNextOid(30000);
    const before = syncs();
    b.flush(r2);
    expect(syncs()).toBe(before + 1);
  });

  it('without commit_delay, commit_siblings is never consulted', () => {
    const { a } = twoBackends({});
    a.minimumActiveBackends = () => {
      throw new Error('consulted without commit_delay');
    };
    const r1 = a.logNextOid(20000);
    a.flush(r1);
    expect(a.getFlushRecPtr()).toBe(r1);
  });
});
