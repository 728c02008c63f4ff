/*
 * Deadlock detection in one thread: the waits are set up with
 * lockAcquireNoSleep, then one waiter runs the check its deadlock_timeout
 * would have started (checkDeadLock), and the victim sees the error when it
 * looks at its wait (lockWaitPoll).
 */

import { afterEach, describe, expect, it } from 'vitest';
import { PgError } from '../../utils/errors.ts';
import type { Shmem } from '../ipc/shmem.ts';
import { DeadLockState } from './deadlock.ts';
import { LockAcquireResult } from './lock.ts';
import { LockMode, LockTag } from './lockdefs.ts';
import { xactLockTableInsert } from './lmgr.ts';
import { attachLockBackend, createLockSegment, TEST_DB, type TestBackend } from './lock_testutil.ts';

let backends: TestBackend[] = [];
let shmem: Shmem | null = null;

function shmemOf(): Shmem {
  if (shmem === null) throw new Error('no cluster');
  return shmem;
}

function cluster(n: number): TestBackend[] {
  const segment = createLockSegment();
  shmem = segment;
  backends = Array.from({ length: n }, (_, i) => attachLockBackend(segment, 100 + i));
  return backends;
}

afterEach(() => {
  for (const b of backends) {
    b.lm.lockErrorCleanup();
    b.detach();
  }
  backends = [];
});

const rel = (oid: number): LockTag => new LockTag().setRelation(TEST_DB, oid);
const xidTag = (xid: number): LockTag => new LockTag().setTransaction(xid);

function victimError(b: TestBackend): PgError {
  try {
    b.lm.lockWaitPoll();
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error(`backend ${b.pid} was not a deadlock victim`);
}

describe('deadlock detection', () => {
  it('two backends: the youngest transaction is aborted, with PostgreSQL DETAIL, the other keeps waiting', () => {
    const [a, b] = cluster(2);
    a.setXid(1000);
    b.setXid(2000);
    a.lm.lockAcquire(rel(16384), LockMode.AccessExclusive);
    b.lm.lockAcquire(rel(16385), LockMode.AccessExclusive);
    expect(a.lm.lockAcquireNoSleep(rel(16385), LockMode.AccessExclusive)).toBe(LockAcquireResult.Waiting);
    expect(b.lm.lockAcquireNoSleep(rel(16384), LockMode.AccessExclusive)).toBe(LockAcquireResult.Waiting);
    // a's deadlock_timeout fires first; b is younger, so b goes.
    expect(a.lm.checkDeadLock()).toBe(DeadLockState.HardDeadlock);
    expect(a.lm.lockWaitPoll()).toBe(LockAcquireResult.Waiting);
    const err = victimError(b);
    expect(err.code).toBe('40P01');
    expect(err.message).toBe('deadlock detected');
    expect(err.detail).toBe(
      'Process 101 waits for AccessExclusiveLock on relation 16384 of database 5; blocked by process 100.\n' +
        'Process 100 waits for AccessExclusiveLock on relation 16385 of database 5; blocked by process 101.',
    );
    expect(err.hint).toBe('See server log for query details.');
    expect(b.lm.isWaiting).toBe(false);
    // b's abort releases its locks; a gets what it waited for.
    b.lm.atEOXact(false);
    expect(a.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
  });

  it('the checker is the victim when it is the youngest', () => {
    const [a, b] = cluster(2);
    a.setXid(3000);
    b.setXid(2000);
    a.lm.lockAcquire(rel(1), LockMode.Exclusive);
    b.lm.lockAcquire(rel(2), LockMode.Exclusive);
    a.lm.lockAcquireNoSleep(rel(2), LockMode.Exclusive);
    b.lm.lockAcquireNoSleep(rel(1), LockMode.Exclusive);
    expect(a.lm.checkDeadLock()).toBe(DeadLockState.HardDeadlock);
    expect(victimError(a).detail).toMatch(/^Process 100 waits for ExclusiveLock on relation 2 of database 5; blocked by process 101\./);
    expect(b.lm.lockWaitPoll()).toBe(LockAcquireResult.Waiting);
  });

  it('a checker in two cycles whose victims are others keeps checking until none is left', () => {
    const [c, a, b] = cluster(3);
    c.setXid(10);
    a.setXid(30);
    b.setXid(20);
    c.lm.lockAcquire(rel(1), LockMode.Exclusive);
    a.lm.lockAcquire(rel(2), LockMode.Share);
    b.lm.lockAcquire(rel(2), LockMode.Share);
    expect(a.lm.lockAcquireNoSleep(rel(1), LockMode.Share)).toBe(LockAcquireResult.Waiting);
    expect(b.lm.lockAcquireNoSleep(rel(1), LockMode.Share)).toBe(LockAcquireResult.Waiting);
    expect(c.lm.lockAcquireNoSleep(rel(2), LockMode.Exclusive)).toBe(LockAcquireResult.Waiting);
    // c waits for a and for b, each of which waits for c: two cycles, two victims, both younger.
    expect(c.lm.checkDeadLock()).toBe(DeadLockState.HardDeadlock);
    expect(victimError(a).code).toBe('40P01');
    expect(victimError(b).code).toBe('40P01');
    expect(c.lm.lockWaitPoll()).toBe(LockAcquireResult.Waiting);
    a.lm.atEOXact(false);
    expect(c.lm.lockWaitPoll()).toBe(LockAcquireResult.Waiting);
    b.lm.atEOXact(false);
    expect(c.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
  });

  it('a transaction without an XID is younger than any with one', () => {
    const [a, b] = cluster(2);
    a.setXid(0);
    b.setXid(5000);
    a.lm.lockAcquire(rel(1), LockMode.Exclusive);
    b.lm.lockAcquire(rel(2), LockMode.Exclusive);
    a.lm.lockAcquireNoSleep(rel(2), LockMode.Exclusive);
    b.lm.lockAcquireNoSleep(rel(1), LockMode.Exclusive);
    expect(b.lm.checkDeadLock()).toBe(DeadLockState.HardDeadlock);
    expect(victimError(a).code).toBe('40P01');
  });

  it('three backends waiting on each other transactions', () => {
    const [a, b, c] = cluster(3);
    const xids = [700, 900, 800];
    [a, b, c].forEach((x, i) => {
      x.setXid(xids[i]);
      xactLockTableInsert(x.lm, xids[i]);
    });
    expect(a.lm.lockAcquireNoSleep(xidTag(900), LockMode.Share)).toBe(LockAcquireResult.Waiting);
    expect(b.lm.lockAcquireNoSleep(xidTag(800), LockMode.Share)).toBe(LockAcquireResult.Waiting);
    // No cycle yet.
    expect(a.lm.checkDeadLock()).toBe(DeadLockState.NoDeadlock);
    expect(c.lm.lockAcquireNoSleep(xidTag(700), LockMode.Share)).toBe(LockAcquireResult.Waiting);
    expect(c.lm.checkDeadLock()).toBe(DeadLockState.HardDeadlock);
    const err = victimError(b); // XID 900 is the youngest
    expect(err.detail).toBe(
      'Process 101 waits for ShareLock on transaction 800; blocked by process 102.\n' +
        'Process 102 waits for ShareLock on transaction 700; blocked by process 100.\n' +
        'Process 100 waits for ShareLock on transaction 900; blocked by process 101.',
    );
    expect(a.lm.lockWaitPoll()).toBe(LockAcquireResult.Waiting);
    expect(c.lm.lockWaitPoll()).toBe(LockAcquireResult.Waiting);
    b.lm.atEOXact(false);
    expect(a.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
    expect(c.lm.lockWaitPoll()).toBe(LockAcquireResult.Waiting);
  });

  it('lock upgrades by two holders deadlock at once', () => {
    const [a, b] = cluster(2);
    a.setXid(10);
    b.setXid(20);
    a.lm.lockAcquire(rel(1), LockMode.Share);
    b.lm.lockAcquire(rel(1), LockMode.Share);
    expect(a.lm.lockAcquireNoSleep(rel(1), LockMode.Exclusive)).toBe(LockAcquireResult.Waiting);
    // b holds Share (a waits for it) and wants Exclusive (a holds Share): certain deadlock.
    expect(b.lm.lockAcquireNoSleep(rel(1), LockMode.Exclusive)).toBe(LockAcquireResult.Waiting);
    expect(b.lm.checkDeadLock()).toBe(DeadLockState.HardDeadlock);
    expect(victimError(b).detail).toBe(
      'Process 101 waits for ExclusiveLock on relation 1 of database 5; blocked by process 100.\n' +
        'Process 100 waits for ExclusiveLock on relation 1 of database 5; blocked by process 101.',
    );
    b.lm.atEOXact(false);
    expect(a.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
  });

  it('a cycle through soft edges is resolved by reordering a wait queue, without an abort', () => {
    // PostgreSQL's isolation spec deadlock-soft: d1 and d2 hold AccessShare on a1 and a2,
    // e1 and e2 queue for AccessExclusive on them, then d1 and d2 ask for the other table.
    const [d1, d2, e1, e2] = cluster(4);
    const a1 = rel(1);
    const a2 = rel(2);
    d1.lm.lockAcquire(a1, LockMode.AccessShare);
    d2.lm.lockAcquire(a2, LockMode.AccessShare);
    expect(e1.lm.lockAcquireNoSleep(a1, LockMode.AccessExclusive)).toBe(LockAcquireResult.Waiting);
    expect(e2.lm.lockAcquireNoSleep(a2, LockMode.AccessExclusive)).toBe(LockAcquireResult.Waiting);
    expect(d1.lm.lockAcquireNoSleep(a2, LockMode.AccessShare)).toBe(LockAcquireResult.Waiting);
    expect(d2.lm.lockAcquireNoSleep(a1, LockMode.AccessShare)).toBe(LockAcquireResult.Waiting);
    // d2's deadlock_timeout fires (the spec gives it the shorter one): d1 is moved ahead of e2 and
    // granted; d2 still waits behind e1, which waits for d1: no cycle any more. The steps then
    // complete in the order of the spec's expected output.
    expect(d2.lm.checkDeadLock()).toBe(DeadLockState.SoftDeadlock);
    expect(d1.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
    expect(d2.lm.lockWaitPoll()).toBe(LockAcquireResult.Waiting);
    expect(d2.lm.checkDeadLock()).toBe(DeadLockState.NoDeadlock);
    d1.lm.atEOXact(true);
    expect(e1.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
    e1.lm.atEOXact(true);
    expect(d2.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
    d2.lm.atEOXact(true);
    expect(e2.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
  });

  it('a sleeping waiter checks after deadlock_timeout and, when youngest, aborts itself', () => {
    const [a] = cluster(1);
    const b = attachLockBackend(shmemOf(), 200, { deadlockTimeoutMs: 20 });
    backends.push(b);
    a.setXid(10);
    b.setXid(20);
    a.lm.lockAcquire(rel(1), LockMode.AccessExclusive);
    b.lm.lockAcquire(rel(2), LockMode.AccessExclusive);
    expect(a.lm.lockAcquireNoSleep(rel(2), LockMode.AccessExclusive)).toBe(LockAcquireResult.Waiting);
    const start = performance.now();
    let err: unknown;
    try {
      b.lm.lockAcquire(rel(1), LockMode.AccessExclusive); // sleeps on its semaphore, then checks
    } catch (e) {
      err = e;
    }
    expect(performance.now() - start).toBeGreaterThanOrEqual(19);
    expect(err).toBeInstanceOf(PgError);
    expect((err as PgError).code).toBe('40P01');
    b.lm.atEOXact(false);
    expect(a.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
  });

  it('lock_timeout and interrupts end a sleeping wait and leave the queue', () => {
    const [a] = cluster(1);
    const b = attachLockBackend(shmemOf(), 201, { lockTimeoutMs: 20 });
    let calls = 0;
    const c = attachLockBackend(shmemOf(), 202, {}, () => {
      if (++calls === 3) throw new PgError('57014', 'canceling statement due to user request');
    });
    backends.push(b, c);
    a.lm.lockAcquire(rel(1), LockMode.AccessExclusive);
    expect(() => b.lm.lockAcquire(rel(1), LockMode.AccessShare)).toThrow('canceling statement due to lock timeout');
    expect(() => c.lm.lockAcquire(rel(1), LockMode.AccessShare)).toThrow('canceling statement due to user request');
    expect(b.lm.isWaiting || c.lm.isWaiting).toBe(false);
    expect(a.lm.blockingProcs(b.procno)).toEqual([]);
    a.lm.atEOXact(true);
    expect(a.lm.table.locksInUse).toBe(0);
  });

  it('a waiter with a soft edge beside its hard one is still in a deadlock', () => {
    const [a, b, x] = cluster(3);
    a.setXid(1);
    b.setXid(2);
    x.setXid(3);
    a.lm.lockAcquire(rel(1), LockMode.AccessShare);
    b.lm.lockAcquire(rel(2), LockMode.AccessExclusive);
    expect(x.lm.lockAcquireNoSleep(rel(1), LockMode.AccessExclusive)).toBe(LockAcquireResult.Waiting);
    expect(a.lm.lockAcquireNoSleep(rel(2), LockMode.AccessShare)).toBe(LockAcquireResult.Waiting);
    expect(b.lm.lockAcquireNoSleep(rel(1), LockMode.AccessExclusive)).toBe(LockAcquireResult.Waiting);
    // b waits for a (hard) and for x ahead of it (soft); a waits for b (hard): hard cycle a <-> b.
    expect(a.lm.checkDeadLock()).toBe(DeadLockState.HardDeadlock);
    expect(victimError(b).code).toBe('40P01');
  });
  it('a later sleep of a wait episode whose first sleep began deadlock_timeout ago is checked at once', () => {
    const [a, b] = cluster(2);
    a.setXid(2000); // the youngest: the victim, and the checker
    b.setXid(1000);
    a.lm.settings.deadlockTimeoutMs = 300;
    b.lm.lockAcquire(rel(1), LockMode.AccessExclusive);
    b.lm.lockAcquire(rel(3), LockMode.AccessExclusive);
    // The episode's first sleep (a row's tuple lock, say) lasts longer than deadlock_timeout, then is granted.
    a.lm.beginWaitEpisode();
    expect(a.lm.lockAcquireNoSleep(rel(1), LockMode.AccessExclusive)).toBe(LockAcquireResult.Waiting);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 320);
    b.lm.lockRelease(rel(1), LockMode.AccessExclusive);
    expect(a.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
    // b now waits for a; a's next sleep of the episode (the holder's XID, say) closes the cycle.
    expect(b.lm.lockAcquireNoSleep(rel(1), LockMode.AccessExclusive)).toBe(LockAcquireResult.Waiting);
    const t0 = performance.now();
    expect(() => a.lm.lockAcquire(rel(3), LockMode.AccessExclusive)).toThrow('deadlock detected');
    // Checked as the sleep began, not deadlock_timeout (300 ms) later.
    expect(performance.now() - t0).toBeLessThan(150);
    a.lm.endWaitEpisode();
  });
});
