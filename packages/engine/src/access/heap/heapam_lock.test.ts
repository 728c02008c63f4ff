/*
 * heap_lock_tuple (heapam.ts lockTuple, through engine.lockRow): the xmax
 * and infomask bits each lock mode sets, strengthening a lock already held,
 * NOWAIT / SKIP LOCKED against another backend's lock (two engines over one
 * shared memory, in one thread, so nothing here may sleep), a lock on a
 * version a committed transaction replaced, XLOG_HEAP_LOCK's redo after
 * a crash, and a non-key UPDATE past a FOR KEY SHARE locker (a MultiXactId
 * with an updater member) and its redo.
 */
import { describe, expect, it } from 'vitest';
import { CrashSimDirectory, MemoryDirectory } from '@tabgres/opfs-storage';
import { StorageEngine } from '../../engine.ts';
import { PgError } from '../../utils/errors.ts';
import { int4Type } from '../common/testtypes.ts';
import {
  HEAP_XMAX_IS_MULTI, HEAP_KEYS_UPDATED, HEAP_LOCK_MASK, HEAP_XMAX_EXCL_LOCK, HEAP_XMAX_INVALID, HEAP_XMAX_KEYSHR_LOCK, HEAP_XMAX_LOCK_ONLY, HEAP_XMAX_SHR_LOCK,
} from '../common/htup_details.ts';
import { LockTupleMode, LockWaitPolicy } from './heapam_env.ts';
import { lockModesConflict, xmaxLockMode } from './heapam.ts';
import { MultiXactStatus } from '../transam/multixact.ts';

const cols = [{ name: 'id', type: int4Type }, { name: 'v', type: int4Type }];

function bits(engine: StorageEngine, rel: Parameters<StorageEngine['fetch']>[0], tid: number): { xmax: number; lock: number; lockOnly: boolean; keysUpdated: boolean; invalid: boolean } {
  const h = engine.heap.tupleHeader(rel, tid);
  if (h === null) throw new Error('no tuple');
  return {
    xmax: h.xmax,
    lock: h.infomask & HEAP_LOCK_MASK,
    lockOnly: (h.infomask & HEAP_XMAX_LOCK_ONLY) !== 0,
    keysUpdated: (h.infomask2 & HEAP_KEYS_UPDATED) !== 0,
    invalid: (h.infomask & HEAP_XMAX_INVALID) !== 0,
  };
}

async function errorOf(fn: () => unknown): Promise<string> {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof PgError) return `${e.code} ${e.message}`;
    throw e;
  }
}

describe('heap_lock_tuple', () => {
  it('the lock modes conflict as README.tuplock tabulates', () => {
    const M = [LockTupleMode.KeyShare, LockTupleMode.Share, LockTupleMode.NoKeyExclusive, LockTupleMode.Exclusive];
    const table = [
      [false, false, false, true],
      [false, false, true, true],
      [false, true, true, true],
      [true, true, true, true],
    ];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(lockModesConflict(M[i], M[j])).toBe(table[i][j]);
    expect(xmaxLockMode(HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_KEYSHR_LOCK, 0)).toBe(LockTupleMode.KeyShare);
    expect(xmaxLockMode(HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_SHR_LOCK, 0)).toBe(LockTupleMode.Share);
    expect(xmaxLockMode(HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_EXCL_LOCK, 0)).toBe(LockTupleMode.NoKeyExclusive);
    expect(xmaxLockMode(HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_EXCL_LOCK, HEAP_KEYS_UPDATED)).toBe(LockTupleMode.Exclusive);
    expect(xmaxLockMode(0, HEAP_KEYS_UPDATED)).toBe(LockTupleMode.Exclusive); // a delete
    expect(xmaxLockMode(0, 0)).toBe(LockTupleMode.NoKeyExclusive); // a non-key update
  });

  it('sets xmax and the mode\'s bits, keeps a stronger lock, strengthens a weaker one', () => {
    const engine = StorageEngine.open({ dir: new MemoryDirectory() });
    const rel = engine.createRelation('t', cols);
    const tids = [0, 1, 2, 3].map((i) => engine.insert(rel, [i, i * 10]));
    engine.begin();
    const modes = [LockTupleMode.KeyShare, LockTupleMode.Share, LockTupleMode.NoKeyExclusive, LockTupleMode.Exclusive];
    const expected = [HEAP_XMAX_KEYSHR_LOCK, HEAP_XMAX_SHR_LOCK, HEAP_XMAX_EXCL_LOCK, HEAP_XMAX_EXCL_LOCK];
    let xid = 0;
    for (let i = 0; i < 4; i++) {
      const r = engine.lockRow(rel, tids[i], modes[i], LockWaitPolicy.Block);
      expect(r.outcome).toBe('ok');
      expect(r.values).toEqual([i, i * 10]);
      const b = bits(engine, rel, tids[i]);
      xid ||= b.xmax;
      expect(b).toEqual({ xmax: xid, lock: expected[i], lockOnly: true, keysUpdated: i === 3, invalid: false });
    }
    // A weaker request keeps FOR UPDATE; a stronger one replaces FOR KEY SHARE.
    expect(engine.lockRow(rel, tids[3], LockTupleMode.Share, LockWaitPolicy.Block).outcome).toBe('ok');
    expect(bits(engine, rel, tids[3]).keysUpdated).toBe(true);
    expect(engine.lockRow(rel, tids[0], LockTupleMode.Exclusive, LockWaitPolicy.Block).outcome).toBe('ok');
    expect(bits(engine, rel, tids[0])).toMatchObject({ lock: HEAP_XMAX_EXCL_LOCK, keysUpdated: true });
    // A locked row stays visible, and its locker may update it.
    expect(engine.fetch(rel, tids[1])).toEqual([1, 10]);
    expect(engine.tryUpdate(rel, tids[1], [1, 11]).outcome).toBe('ok');
    engine.commit();
    expect(engine.count(rel)).toBe(4);
    engine.close();
  });

  it('NOWAIT and SKIP LOCKED against another backend; a committed locker no longer counts', () => {
    const a = StorageEngine.open({ dir: new MemoryDirectory() });
    const b = StorageEngine.attach({ dir: a.dir, shmem: a.shmem, pid: 2 });
    const rel = a.createRelation('t', cols);
    const tid = a.insert(rel, [1, 10]);
    const relB = b.openRelation({ oid: rel.oid, name: rel.name, desc: rel.desc });
    a.begin();
    expect(a.lockRow(rel, tid, LockTupleMode.Share, LockWaitPolicy.Block).outcome).toBe('ok');
    b.begin();
    expect(b.lockRow(relB, tid, LockTupleMode.Exclusive, LockWaitPolicy.Skip).outcome).toBe('would-block');
    return errorOf(() => b.lockRow(relB, tid, LockTupleMode.NoKeyExclusive, LockWaitPolicy.Error)).then((msg) => {
      expect(msg).toBe('55P03 could not obtain lock on row in relation "t"');
      b.rollback();
      a.commit();
      // A's lock ended with its transaction: B locks at once, and A's update then fails with NOWAIT.
      b.begin();
      expect(b.lockRow(relB, tid, LockTupleMode.Exclusive, LockWaitPolicy.Error).outcome).toBe('ok');
      a.begin();
      expect(a.lockRow(rel, tid, LockTupleMode.KeyShare, LockWaitPolicy.Skip).outcome).toBe('would-block');
      a.rollback();
      b.commit();
      b.detach();
      a.close();
    });
  });

  it('a version replaced by a committed update reports its successor', () => {
    const a = StorageEngine.open({ dir: new MemoryDirectory() });
    const rel = a.createRelation('t', cols);
    const tid = a.insert(rel, [1, 10]);
    const newTid = a.update(rel, tid, [1, 20]);
    a.begin();
    const r = a.lockRow(rel, tid, LockTupleMode.Exclusive, LockWaitPolicy.Block);
    expect(r.outcome).toBe('updated');
    expect(r.tid).toBe(newTid);
    expect(a.lockRow(rel, newTid, LockTupleMode.Exclusive, LockWaitPolicy.Block).values).toEqual([1, 20]);
    a.commit();
    a.delete(rel, newTid);
    a.begin();
    expect(a.lockRow(rel, newTid, LockTupleMode.Share, LockWaitPolicy.Block).outcome).toBe('deleted');
    a.commit();
    a.close();
  });

  it('XLOG_HEAP_LOCK is replayed after a crash', () => {
    const dir = new CrashSimDirectory();
    let engine = StorageEngine.open({ dir, sharedBuffers: 64 });
    let rel = engine.createRelation('t', cols);
    const tid = engine.insert(rel, [1, 10]);
    const tid2 = engine.insert(rel, [2, 20]);
    engine.checkpoint();
    engine.begin();
    engine.lockRow(rel, tid, LockTupleMode.NoKeyExclusive, LockWaitPolicy.Block);
    engine.lockRow(rel, tid2, LockTupleMode.KeyShare, LockWaitPolicy.Block);
    const before = [bits(engine, rel, tid), bits(engine, rel, tid2)];
    engine.commit();
    dir.crash({ seed: 1, mode: 'drop' });
    engine.abandon();
    engine = StorageEngine.open({ dir, sharedBuffers: 64 });
    expect(engine.startup.recoveryPerformed).toBe(true);
    rel = engine.openRelation({ oid: rel.oid, name: rel.name, desc: rel.desc });
    expect([bits(engine, rel, tid), bits(engine, rel, tid2)]).toEqual(before);
    expect(before[0]).toMatchObject({ lock: HEAP_XMAX_EXCL_LOCK, lockOnly: true, keysUpdated: false });
    // The committed locker holds nothing any more.
    engine.begin();
    expect(engine.tryUpdate(rel, tid, [1, 11]).outcome).toBe('ok');
    engine.commit();
    engine.close();
  });

  it('compatible lockers share the row through a MultiXactId, replayed after a crash', () => {
    const dir = new CrashSimDirectory();
    let a = StorageEngine.open({ dir, sharedBuffers: 64 });
    let b = StorageEngine.attach({ dir, shmem: a.shmem, pid: 2 });
    let rel = a.createRelation('t', cols);
    const tid = a.insert(rel, [1, 10]);
    const relB = b.openRelation({ oid: rel.oid, name: rel.name, desc: rel.desc });
    a.checkpoint();
    a.begin();
    b.begin();
    expect(a.lockRow(rel, tid, LockTupleMode.Share, LockWaitPolicy.Error).outcome).toBe('ok');
    expect(b.lockRow(relB, tid, LockTupleMode.KeyShare, LockWaitPolicy.Error).outcome).toBe('ok');
    const h = a.heap.tupleHeader(rel, tid)!;
    expect(h.infomask & HEAP_XMAX_IS_MULTI).toBe(HEAP_XMAX_IS_MULTI);
    expect(h.infomask & HEAP_LOCK_MASK).toBe(HEAP_XMAX_SHR_LOCK); // the strongest member's
    const multi = h.xmax;
    const members = a.transam.multixact.getMembers(multi);
    expect(members.map((m) => m.status)).toEqual([LockTupleMode.Share, LockTupleMode.KeyShare]);
    const [xa, xb] = members.map((m) => m.xid);
    expect(xa).not.toBe(xb);
    // Locking again in a mode I hold changes nothing; a conflicting request must wait (here: skip).
    expect(b.lockRow(relB, tid, LockTupleMode.KeyShare, LockWaitPolicy.Error).outcome).toBe('ok');
    expect(a.heap.tupleHeader(rel, tid)!.xmax).toBe(multi);
    expect(a.lockRow(rel, tid, LockTupleMode.Exclusive, LockWaitPolicy.Skip).outcome).toBe('would-block');
    a.rollback();
    b.commit();
    // With no member running, VACUUM clears the multi from the tuple (and never takes its id for an XID).
    const stats = a.vacuum(rel);
    const cleared = a.heap.tupleHeader(rel, tid)!;
    expect(cleared.infomask & HEAP_XMAX_IS_MULTI).toBe(0);
    expect(cleared.infomask & HEAP_XMAX_INVALID).toBe(HEAP_XMAX_INVALID);
    expect(cleared.xmax).toBe(0);
    expect(stats.newRelFrozenXid).toBeGreaterThan(2);
    expect(stats.tuplesFrozen).toBe(1);
    a.begin();
    expect(a.tryUpdate(rel, tid, [1, 12]).outcome).toBe('ok');
    a.commit();
    // The multi survives a crash: its CREATE_ID record is replayed and the counter moves past it.
    dir.crash({ seed: 3, mode: 'drop' });
    b.abandon();
    a.abandon();
    a = StorageEngine.open({ dir, sharedBuffers: 64 });
    expect(a.startup.recoveryPerformed).toBe(true);
    expect(a.transam.multixact.getMembers(multi)).toEqual(members);
    expect(a.transam.multixact.readNextMulti()).toBe(multi + 1);
    rel = a.openRelation({ oid: rel.oid, name: rel.name, desc: rel.desc });
    expect(a.count(rel)).toBe(1);
    b = StorageEngine.attach({ dir, shmem: a.shmem, pid: 2 });
    b.detach();
    a.close();
  });

  it('a non-key UPDATE past FOR KEY SHARE: a MultiXactId with an updater, replayed after a crash', () => {
    const dir = new CrashSimDirectory();
    let a = StorageEngine.open({ dir, sharedBuffers: 64 });
    const b = StorageEngine.attach({ dir, shmem: a.shmem, pid: 2 });
    let rel = a.createRelation('t', cols); // no unique index: no key column, every update is NO KEY
    const tid = a.insert(rel, [1, 10]);
    const relB = b.openRelation({ oid: rel.oid, name: rel.name, desc: rel.desc });
    a.checkpoint();
    a.begin();
    expect(a.lockRow(rel, tid, LockTupleMode.KeyShare, LockWaitPolicy.Error).outcome).toBe('ok');
    const xa = a.heap.tupleHeader(rel, tid)!.xmax;
    b.begin();
    // Nothing here may sleep: the update goes through at once, beside A's lock.
    const r = b.tryUpdate(relB, tid, [1, 11]);
    expect(r.outcome).toBe('ok');
    const newTid = r.tid;
    const stable = (t: number): unknown => {
      const h = a.heap.tupleHeader(rel, t)!;
      return { xmax: h.xmax, ctid: h.ctid, infomask: h.infomask & (HEAP_XMAX_IS_MULTI | HEAP_LOCK_MASK | HEAP_XMAX_LOCK_ONLY), keysUpdated: (h.infomask2 & HEAP_KEYS_UPDATED) !== 0 };
    };
    const before = [stable(tid), stable(newTid)];
    const old = a.heap.tupleHeader(rel, tid)!;
    expect(old.infomask & (HEAP_XMAX_IS_MULTI | HEAP_XMAX_LOCK_ONLY | HEAP_LOCK_MASK)).toBe(HEAP_XMAX_IS_MULTI | HEAP_XMAX_EXCL_LOCK);
    expect(old.infomask2 & HEAP_KEYS_UPDATED).toBe(0);
    const multi = old.xmax;
    const members = a.transam.multixact.getMembers(multi);
    expect(members.map((m) => m.xid)[0]).toBe(xa);
    expect(members.map((m) => m.status)).toEqual([LockTupleMode.KeyShare, 4 /* MultiXactStatusNoKeyUpdate */]);
    const xb = members[1].xid;
    // The new version carries A's key-share lock on.
    expect(before[1]).toEqual({ xmax: xa, ctid: newTid, infomask: HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_KEYSHR_LOCK, keysUpdated: false });
    // Each sees its own: A the old version, B the new one.
    expect(a.fetch(rel, tid)).toEqual([1, 10]);
    expect(a.fetch(rel, newTid)).toBe(null);
    expect(b.fetch(relB, newTid)).toEqual([1, 11]);
    expect(b.fetch(relB, tid)).toBe(null);
    b.commit();
    // A still runs and holds the old version; the committed updater left the key alone, so A's
    // FOR KEY SHARE still holds there (PostgreSQL: it already holds the mode it asks for).
    expect(a.lockRow(rel, tid, LockTupleMode.KeyShare, LockWaitPolicy.Error).outcome).toBe('ok');
    // A stronger lock is another matter: the row was replaced.
    expect(a.lockRow(rel, tid, LockTupleMode.Share, LockWaitPolicy.Error).outcome).toBe('updated');
    expect(a.fetch(rel, newTid)).toEqual([1, 11]);
    a.commit();
    expect(a.count(rel)).toBe(1);
    dir.crash({ seed: 5, mode: 'drop' });
    b.abandon();
    a.abandon();
    a = StorageEngine.open({ dir, sharedBuffers: 64 });
    expect(a.startup.recoveryPerformed).toBe(true);
    expect(a.transam.multixact.getMembers(multi)).toEqual([{ xid: xa, status: LockTupleMode.KeyShare }, { xid: xb, status: 4 }]);
    rel = a.openRelation({ oid: rel.oid, name: rel.name, desc: rel.desc });
    expect([stable(tid), stable(newTid)]).toEqual(before);
    expect(a.fetch(rel, tid)).toBe(null);
    expect(a.fetch(rel, newTid)).toEqual([1, 11]);
    // Both transactions are over: the row is free, and VACUUM removes the old version.
    a.begin();
    expect(a.tryUpdate(rel, newTid, [1, 12]).outcome).toBe('ok');
    a.commit();
    a.vacuum(rel);
    expect(a.count(rel)).toBe(1);
    expect(a.heap.tupleHeader(rel, tid)).toBe(null);
    a.close();
  });
  it('FOR KEY SHARE past a non-key UPDATE, running or committed: both versions locked, no wait', () => {
    const dir = new MemoryDirectory();
    const a = StorageEngine.open({ dir, sharedBuffers: 64 });
    const b = StorageEngine.attach({ dir, shmem: a.shmem, pid: 2 });
    const rel = a.createRelation('t', cols); // no unique index: every update is NO KEY
    const tid = a.insert(rel, [1, 10]);
    const relB = b.openRelation({ oid: rel.oid, name: rel.name, desc: rel.desc });
    b.begin();
    const upd = b.tryUpdate(relB, tid, [1, 11]);
    expect(upd.outcome).toBe('ok');
    const newTid = upd.tid;
    a.begin();
    // Nothing here may sleep (LockWaitPolicy.Error raises 55P03 instead): KEY SHARE passes NO KEY UPDATE.
    const lr = a.lockRow(rel, tid, LockTupleMode.KeyShare, LockWaitPolicy.Error);
    expect([lr.outcome, lr.values]).toEqual(['ok', [1, 10]]);
    const old = a.heap.tupleHeader(rel, tid)!;
    expect(old.infomask & (HEAP_XMAX_IS_MULTI | HEAP_XMAX_LOCK_ONLY | HEAP_LOCK_MASK)).toBe(HEAP_XMAX_IS_MULTI | HEAP_XMAX_EXCL_LOCK);
    expect(old.ctid).toBe(newTid);
    const members = a.transam.multixact.getMembers(old.xmax);
    expect(members.map((m) => m.status).sort()).toEqual([LockTupleMode.KeyShare, 4 /* MultiXactStatusNoKeyUpdate */]);
    const xa = members.find((m) => m.status === MultiXactStatus.ForKeyShare)!.xid;
    // heap_lock_updated_tuple: B's new version (its inserter still running) is A's too.
    expect(bits(a, rel, newTid)).toEqual({ xmax: xa, lock: HEAP_XMAX_KEYSHR_LOCK, lockOnly: true, keysUpdated: false, invalid: false });
    // So a key change or delete of the new version must wait for A, even by B itself.
    expect(b.lockRow(relB, newTid, LockTupleMode.Exclusive, LockWaitPolicy.Skip).outcome).toBe('would-block');
    // FOR SHARE conflicts with NO KEY UPDATE: it would wait.
    expect(() => a.lockRow(rel, tid, LockTupleMode.Share, LockWaitPolicy.Error)).toThrow(PgError);
    a.rollback();
    b.commit();
    // Committed since: a new locker of the version it was given (a REPEATABLE READ snapshot's) still gets it.
    a.begin();
    expect(a.lockRow(rel, tid, LockTupleMode.KeyShare, LockWaitPolicy.Error).outcome).toBe('ok');
    const again = a.heap.tupleHeader(rel, tid)!;
    expect(again.infomask & (HEAP_XMAX_IS_MULTI | HEAP_XMAX_LOCK_ONLY)).toBe(HEAP_XMAX_IS_MULTI);
    const xa2 = a.transam.multixact.getMembers(again.xmax).find((m) => m.status === MultiXactStatus.ForKeyShare)!.xid;
    expect(bits(a, rel, newTid).xmax).toBe(xa2);
    // Any stronger mode finds the row replaced.
    expect(a.lockRow(rel, tid, LockTupleMode.Share, LockWaitPolicy.Error).outcome).toBe('updated');
    a.commit();
    b.detach();
    a.close();
  });
});
