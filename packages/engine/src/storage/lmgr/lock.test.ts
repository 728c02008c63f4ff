/*
 * The heavyweight lock manager in one thread: several backends attached to
 * one segment, requests that must wait left queued (lockAcquireNoSleep) and
 * observed with lockWaitPoll.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { PgError } from '../../utils/errors.ts';
import type { Shmem } from '../ipc/shmem.ts';
import { LockAcquireResult } from './lock.ts';
import { LockMode, LockTag, LOCK_CONFLICTS, describeLockTag, lockbit, lockModeName } from './lockdefs.ts';
import { conditionalLockRelationOid, lockRelationOid, relationLockNotAvailable, unlockRelationOid, xactLockTableInsert } from './lmgr.ts';
import {
  pgAdvisoryLock,
  pgAdvisoryLockShared,
  pgAdvisoryUnlock,
  pgAdvisoryUnlockAll,
  pgAdvisoryUnlockShared,
  pgAdvisoryXactLock,
  pgBlockingPids,
  pgLocks,
  pgTryAdvisoryLock,
  pgTryAdvisoryLockShared,
} from './lockfuncs.ts';
import { attachLockBackend, createLockSegment, TEST_DB, type TestBackend } from './lock_testutil.ts';

let backends: TestBackend[] = [];
let shmem: Shmem;

function cluster(n: number, maxLocksPerTransaction?: number): TestBackend[] {
  shmem = createLockSegment(maxLocksPerTransaction);
  backends = Array.from({ length: n }, (_, i) => attachLockBackend(shmem, 1000 + i));
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

/** PostgreSQL's documented table of conflicting lock modes (rows: requested, columns: held). */
const DOCUMENTED = [
  // AS RS RE SUE S SRE E AE
  '.......X',
  '......XX',
  '....XXXX',
  '...XXXXX',
  '..XX.XXX',
  '..XXXXXX',
  '.XXXXXXX',
  'XXXXXXXX',
];

describe('lock modes', () => {
  it('the conflict table is PostgreSQL documented one, and symmetric', () => {
    for (let a = 1; a <= 8; a++) {
      for (let b = 1; b <= 8; b++) {
        expect((LOCK_CONFLICTS[a] & lockbit(b)) !== 0, `${lockModeName(a)} vs ${lockModeName(b)}`).toBe(DOCUMENTED[a - 1][b - 1] === 'X');
        expect((LOCK_CONFLICTS[a] & lockbit(b)) !== 0).toBe((LOCK_CONFLICTS[b] & lockbit(a)) !== 0);
      }
    }
  });

  it('every pair of modes behaves as the table says between two backends', () => {
    const [a, b] = cluster(2);
    for (let held = 1; held <= 8; held++) {
      for (let req = 1; req <= 8; req++) {
        const t = rel(100 + held * 10 + req);
        expect(a.lm.lockAcquire(t, held)).toBe(LockAcquireResult.Ok);
        const r = b.lm.lockAcquire(t, req, false, true);
        expect(r, `${lockModeName(held)} held, ${lockModeName(req)} requested`).toBe(DOCUMENTED[req - 1][held - 1] === 'X' ? LockAcquireResult.NotAvail : LockAcquireResult.Ok);
        a.lm.lockReleaseAll(false);
        b.lm.lockReleaseAll(false);
      }
    }
    expect(a.lm.table.locksInUse).toBe(0);
    expect(a.lm.table.procLocksInUse).toBe(0);
  });

  it('a backend never conflicts with itself', () => {
    const [a] = cluster(1);
    const t = rel(1);
    expect(a.lm.lockAcquire(t, LockMode.AccessExclusive)).toBe(LockAcquireResult.Ok);
    expect(a.lm.lockAcquire(t, LockMode.AccessShare)).toBe(LockAcquireResult.Ok);
    expect(a.lm.lockAcquire(t, LockMode.Exclusive, false, true)).toBe(LockAcquireResult.Ok);
    expect(a.lm.heldCount).toBe(3);
  });

  it('names objects as deadlock reports do', () => {
    expect(describeLockTag(0, 5, 16384, 0, 0)).toBe('relation 16384 of database 5');
    const t = new LockTag().setTransaction(456);
    expect(describeLockTag(t.type, t.field1, t.field2, t.field3, t.field4)).toBe('transaction 456');
    const tup = new LockTag().setTuple(5, 16384, 3, 7);
    expect(describeLockTag(tup.type, tup.field1, tup.field2, tup.field3, tup.field4)).toBe('tuple (3,7) of relation 16384 of database 5');
    const adv = new LockTag().setAdvisoryInt64(5, -1n);
    expect(describeLockTag(adv.type, adv.field1, adv.field2, adv.field3, adv.field4)).toBe('advisory lock [5,4294967295,4294967295,1]');
  });
});

describe('counts and release', () => {
  it('re-acquiring is counted locally; the lock goes with the last release', () => {
    const [a, b] = cluster(2);
    const t = rel(1);
    expect(a.lm.lockAcquire(t, LockMode.Exclusive)).toBe(LockAcquireResult.Ok);
    expect(a.lm.lockAcquire(t, LockMode.Exclusive)).toBe(LockAcquireResult.AlreadyHeld);
    expect(a.lm.localCounts(t, LockMode.Exclusive)).toEqual({ total: 2, session: 0 });
    expect(a.lm.lockRelease(t, LockMode.Exclusive)).toBe(true);
    expect(b.lm.lockAcquire(t, LockMode.Share, false, true)).toBe(LockAcquireResult.NotAvail);
    expect(a.lm.lockRelease(t, LockMode.Exclusive)).toBe(true);
    expect(b.lm.lockAcquire(t, LockMode.Share, false, true)).toBe(LockAcquireResult.Ok);
  });

  it('releasing a lock not held warns and returns false', () => {
    const [a] = cluster(1);
    expect(a.lm.lockRelease(rel(1), LockMode.RowExclusive)).toBe(false);
    expect(a.notices.map((n) => [n.severity, n.message])).toEqual([['WARNING', "you don't own a lock of type RowExclusiveLock"]]);
  });

  it('a NOT_AVAIL request leaves nothing behind in shared memory', () => {
    const [a, b] = cluster(2);
    const t = rel(1);
    a.lm.lockAcquire(t, LockMode.AccessExclusive);
    const used = [a.lm.table.locksInUse, a.lm.table.procLocksInUse];
    expect(conditionalLockRelationOid(b.lm, TEST_DB, 1, LockMode.AccessShare)).toBe(false);
    expect([a.lm.table.locksInUse, a.lm.table.procLocksInUse]).toEqual(used);
    expect(relationLockNotAvailable('t').message).toBe('could not obtain lock on relation "t"');
    expect(relationLockNotAvailable('t').code).toBe('55P03');
  });

  it('transaction end releases transaction locks and keeps session locks', () => {
    const [a, b] = cluster(2);
    lockRelationOid(a.lm, TEST_DB, 1, LockMode.AccessExclusive);
    a.lm.lockAcquire(rel(2), LockMode.AccessExclusive, true);
    a.lm.lockAcquire(rel(3), LockMode.AccessExclusive, true);
    a.lm.lockAcquire(rel(3), LockMode.AccessExclusive, false);
    a.lm.atEOXact(true);
    expect(conditionalLockRelationOid(b.lm, TEST_DB, 1, LockMode.AccessShare)).toBe(true);
    expect(conditionalLockRelationOid(b.lm, TEST_DB, 2, LockMode.AccessShare)).toBe(false);
    expect(conditionalLockRelationOid(b.lm, TEST_DB, 3, LockMode.AccessShare)).toBe(false);
    expect(a.lm.localCounts(rel(3), LockMode.AccessExclusive)).toEqual({ total: 1, session: 1 });
    // A session lock is released by the session, not by the transaction.
    expect(a.lm.lockRelease(rel(2), LockMode.AccessExclusive)).toBe(false);
    expect(a.lm.lockRelease(rel(2), LockMode.AccessExclusive, true)).toBe(true);
    expect(conditionalLockRelationOid(b.lm, TEST_DB, 2, LockMode.AccessShare)).toBe(true);
    // Session end releases the rest.
    a.lm.lockReleaseAll(true);
    expect(conditionalLockRelationOid(b.lm, TEST_DB, 3, LockMode.AccessShare)).toBe(true);
    expect(a.lm.heldCount).toBe(0);
  });

  it('a subtransaction abort releases its locks, its commit hands them to the parent', () => {
    const [a, b] = cluster(2);
    lockRelationOid(a.lm, TEST_DB, 1, LockMode.Exclusive);
    a.owner.current = 2;
    lockRelationOid(a.lm, TEST_DB, 1, LockMode.Exclusive);
    lockRelationOid(a.lm, TEST_DB, 2, LockMode.Exclusive);
    a.lm.atEOSubXact(false, 2, 1);
    a.owner.current = 1;
    expect(conditionalLockRelationOid(b.lm, TEST_DB, 2, LockMode.Share)).toBe(true);
    expect(conditionalLockRelationOid(b.lm, TEST_DB, 1, LockMode.Share)).toBe(false);
    expect(a.lm.localCounts(rel(1), LockMode.Exclusive).total).toBe(1);
    b.lm.lockReleaseAll(false);

    a.owner.current = 3;
    lockRelationOid(a.lm, TEST_DB, 4, LockMode.Exclusive);
    a.lm.atEOSubXact(true, 3, 1);
    a.owner.current = 1;
    // Now owned by the top level: releasable there, held until then.
    expect(conditionalLockRelationOid(b.lm, TEST_DB, 4, LockMode.Share)).toBe(false);
    expect(unlockRelationOid(a.lm, TEST_DB, 4, LockMode.Exclusive)).toBe(true);
    expect(conditionalLockRelationOid(b.lm, TEST_DB, 4, LockMode.Share)).toBe(true);
  });
});

describe('wait queues', () => {
  it('grants in FIFO order, and a new request queues behind a conflicting waiter', () => {
    const [a, b, c, d] = cluster(4);
    const t = rel(1);
    expect(a.lm.lockAcquire(t, LockMode.AccessExclusive)).toBe(LockAcquireResult.Ok);
    expect(b.lm.lockAcquireNoSleep(t, LockMode.AccessShare)).toBe(LockAcquireResult.Waiting);
    expect(c.lm.lockAcquireNoSleep(t, LockMode.AccessExclusive)).toBe(LockAcquireResult.Waiting);
    expect(d.lm.lockAcquireNoSleep(t, LockMode.AccessShare)).toBe(LockAcquireResult.Waiting);
    a.lm.lockReleaseAll(false);
    // b goes; d, compatible with b, still waits behind c.
    expect(b.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
    expect(c.lm.lockWaitPoll()).toBe(LockAcquireResult.Waiting);
    expect(d.lm.lockWaitPoll()).toBe(LockAcquireResult.Waiting);
    expect(pgBlockingPids(a.lm, c.transam.procArray, d.pid)).toEqual([c.pid]);
    expect(pgBlockingPids(a.lm, c.transam.procArray, c.pid)).toEqual([b.pid]);
    // A newcomer compatible with the holder also waits behind c.
    const e = attachLockBackend(shmem, 2000);
    backends.push(e);
    expect(e.lm.lockAcquire(t, LockMode.AccessShare, false, true)).toBe(LockAcquireResult.NotAvail);
    b.lm.lockReleaseAll(false);
    expect(c.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
    expect(d.lm.lockWaitPoll()).toBe(LockAcquireResult.Waiting);
    c.lm.lockReleaseAll(false);
    expect(d.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
  });

  it('a holder that an earlier waiter waits for goes ahead of it', () => {
    const [a, b] = cluster(2);
    const t = rel(1);
    a.lm.lockAcquire(t, LockMode.AccessShare);
    expect(b.lm.lockAcquireNoSleep(t, LockMode.AccessExclusive)).toBe(LockAcquireResult.Waiting);
    // RowExclusive conflicts with b's queued request, but b waits for a: a is granted at once.
    expect(a.lm.lockAcquireNoSleep(t, LockMode.RowExclusive)).toBe(LockAcquireResult.Ok);
    a.lm.lockReleaseAll(false);
    expect(b.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
  });

  it('an abandoned wait leaves the queue and lets the next one go', () => {
    const [a, b, c] = cluster(3);
    const t = rel(1);
    a.lm.lockAcquire(t, LockMode.Share);
    expect(b.lm.lockAcquireNoSleep(t, LockMode.AccessExclusive)).toBe(LockAcquireResult.Waiting);
    expect(c.lm.lockAcquireNoSleep(t, LockMode.Share)).toBe(LockAcquireResult.Waiting);
    expect(b.lm.lockErrorCleanup()).toBe(false);
    expect(c.lm.lockWaitPoll()).toBe(LockAcquireResult.Ok);
    expect(b.lm.isWaiting).toBe(false);
  });

  it('a lock granted just before the wait is abandoned is kept', () => {
    const [a, b] = cluster(2);
    const t = rel(1);
    a.lm.lockAcquire(t, LockMode.Exclusive);
    expect(b.lm.lockAcquireNoSleep(t, LockMode.Exclusive)).toBe(LockAcquireResult.Waiting);
    a.lm.lockReleaseAll(false);
    expect(b.lm.lockErrorCleanup()).toBe(true);
    expect(b.lm.lockHeldByMe(t, LockMode.Exclusive)).toBe(true);
  });
});

describe('advisory locks', () => {
  it('session locks stack; unlocking what is not held warns and returns false', () => {
    const [a, b] = cluster(2);
    pgAdvisoryLock(a.lm, TEST_DB, 42n);
    pgAdvisoryLock(a.lm, TEST_DB, 42n);
    expect(pgTryAdvisoryLock(b.lm, TEST_DB, 42n)).toBe(false);
    expect(pgAdvisoryUnlock(a.lm, TEST_DB, 42n)).toBe(true);
    expect(pgTryAdvisoryLock(b.lm, TEST_DB, 42n)).toBe(false);
    expect(pgAdvisoryUnlock(a.lm, TEST_DB, 42n)).toBe(true);
    expect(pgAdvisoryUnlock(a.lm, TEST_DB, 42n)).toBe(false);
    expect(a.notices.map((n) => n.message)).toEqual(["you don't own a lock of type ExclusiveLock"]);
    expect(pgTryAdvisoryLock(b.lm, TEST_DB, 42n)).toBe(true);
  });

  it('session locks survive transaction end, transaction locks do not', () => {
    const [a, b] = cluster(2);
    pgAdvisoryLock(a.lm, TEST_DB, 1n);
    pgAdvisoryXactLock(a.lm, TEST_DB, 2n);
    a.lm.atEOXact(false);
    expect(pgTryAdvisoryLock(b.lm, TEST_DB, 1n)).toBe(false);
    expect(pgTryAdvisoryLock(b.lm, TEST_DB, 2n)).toBe(true);
    // A transaction-level advisory lock cannot be unlocked by pg_advisory_unlock.
    pgAdvisoryXactLock(a.lm, TEST_DB, 3n);
    expect(pgAdvisoryUnlock(a.lm, TEST_DB, 3n)).toBe(false);
  });

  it('shared locks share; keys of the two forms are different locks; unlock_all', () => {
    const [a, b] = cluster(2);
    pgAdvisoryLockShared(a.lm, TEST_DB, [1, 2]);
    expect(pgTryAdvisoryLockShared(b.lm, TEST_DB, [1, 2])).toBe(true);
    expect(pgTryAdvisoryLock(b.lm, TEST_DB, [1, 2])).toBe(false);
    // The int8 key (1 << 32) + 2 has the same halves but is another lock.
    expect(pgTryAdvisoryLock(b.lm, TEST_DB, (1n << 32n) + 2n)).toBe(true);
    expect(pgAdvisoryUnlockShared(b.lm, TEST_DB, [1, 2])).toBe(true);
    pgAdvisoryLock(a.lm, TEST_DB, 7n);
    lockRelationOid(a.lm, TEST_DB, 99, LockMode.AccessShare);
    pgAdvisoryUnlockAll(a.lm);
    expect(pgTryAdvisoryLock(b.lm, TEST_DB, [1, 2])).toBe(true);
    expect(pgTryAdvisoryLock(b.lm, TEST_DB, 7n)).toBe(true);
    expect(a.lm.heldCount).toBe(1); // the relation lock stays
  });
});

describe('fast-path relation locks', () => {
  const fastpathRows = (b: TestBackend): [number | null, string, boolean][] =>
    pgLocks(b.lm, b.transam.procArray).map((r) => [r.relation, r.mode, r.fastpath]);

  it('weak locks stay in the backend; a strong request moves them to the shared table first', () => {
    const [a, b] = cluster(2);
    lockRelationOid(a.lm, TEST_DB, 20_000, LockMode.AccessShare);
    lockRelationOid(a.lm, TEST_DB, 20_000, LockMode.RowExclusive);
    expect(a.lm.table.locksInUse).toBe(0);
    expect(fastpathRows(a)).toEqual([
      [20_000, 'AccessShareLock', true],
      [20_000, 'RowExclusiveLock', true],
    ]);
    expect(conditionalLockRelationOid(b.lm, TEST_DB, 20_000, LockMode.Share)).toBe(false);
    expect(fastpathRows(a)).toEqual([
      [20_000, 'AccessShareLock', false],
      [20_000, 'RowExclusiveLock', false],
    ]);
    // Released from the shared table, where the transfer put them.
    expect(unlockRelationOid(a.lm, TEST_DB, 20_000, LockMode.RowExclusive)).toBe(true);
    expect(conditionalLockRelationOid(b.lm, TEST_DB, 20_000, LockMode.Share)).toBe(true);
    // While b holds Share (strong), a's new weak lock on it goes to the shared table too.
    expect(conditionalLockRelationOid(a.lm, TEST_DB, 20_000, LockMode.RowShare)).toBe(true);
    expect(fastpathRows(a).filter(([, m]) => m === 'RowShareLock')).toEqual([[20_000, 'RowShareLock', false]]);
    a.lm.atEOXact(true);
    b.lm.atEOXact(true);
    expect(a.lm.table.locksInUse).toBe(0);
    // The strong counter went down with b's lock: the fast path is open again.
    lockRelationOid(a.lm, TEST_DB, 20_000, LockMode.AccessShare);
    expect(fastpathRows(a)).toEqual([[20_000, 'AccessShareLock', true]]);
  });

  it('a backend with all slots used goes to the shared table', () => {
    const [a] = cluster(1);
    for (let i = 0; i < 20; i++) lockRelationOid(a.lm, TEST_DB, 30_000 + i, LockMode.AccessShare);
    const rows = pgLocks(a.lm, a.transam.procArray);
    expect(rows.filter((r) => r.fastpath).length).toBe(16);
    expect(rows.filter((r) => !r.fastpath).length).toBe(4);
    a.lm.atEOXact(true);
    expect(pgLocks(a.lm, a.transam.procArray)).toEqual([]);
  });
});

describe('shared memory limits', () => {
  it('a full lock table raises out of shared memory with PostgreSQL hint, and recovers', () => {
    const [a] = cluster(1, 1); // 1 x MAX_BACKENDS LOCK entries
    const max = a.lm.table.maxLocks;
    // ShareUpdateExclusive: neither fast-path eligible nor strong, so every lock takes a LOCK entry.
    for (let i = 0; i < max; i++) lockRelationOid(a.lm, TEST_DB, 1000 + i, LockMode.ShareUpdateExclusive);
    let err: unknown;
    try {
      lockRelationOid(a.lm, TEST_DB, 999_999, LockMode.ShareUpdateExclusive);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PgError);
    expect((err as PgError).code).toBe('53200');
    expect((err as PgError).message).toBe('out of shared memory');
    expect((err as PgError).hint).toBe('You might need to increase max_locks_per_transaction.');
    // The failed request left no local or shared trace; re-requesting a held lock still works.
    expect(a.lm.heldCount).toBe(max);
    expect(lockRelationOid(a.lm, TEST_DB, 1000, LockMode.ShareUpdateExclusive)).toBe(LockAcquireResult.AlreadyHeld);
    a.lm.atEOXact(false);
    expect(a.lm.table.locksInUse).toBe(0);
    expect(lockRelationOid(a.lm, TEST_DB, 999_999, LockMode.ShareUpdateExclusive)).toBe(LockAcquireResult.Ok);
  });
});

describe('pg_locks', () => {
  it('shows granted and waiting rows with PostgreSQL columns', () => {
    const [a, b] = cluster(2);
    lockRelationOid(a.lm, TEST_DB, 16384, LockMode.AccessExclusive);
    xactLockTableInsert(a.lm, 777);
    pgAdvisoryLock(a.lm, TEST_DB, 5n);
    const before = Date.now();
    expect(b.lm.lockAcquireNoSleep(rel(16384), LockMode.AccessShare)).toBe(LockAcquireResult.Waiting);
    const rows = pgLocks(a.lm, a.transam.procArray);
    const sorted = rows.map((r) => ({ ...r, waitstart: r.waitstart === null ? null : 'set' })).sort((x, y) => (x.locktype + x.mode + String(x.granted)).localeCompare(y.locktype + y.mode + String(y.granted)));
    const common = { page: null, tuple: null, virtualxid: null, fastpath: false };
    expect(sorted).toEqual([
      { ...common, locktype: 'advisory', database: 5, relation: null, transactionid: null, classid: 0, objid: 5, objsubid: 1, virtualtransaction: `${a.procno + 1}/0`, pid: a.pid, mode: 'ExclusiveLock', granted: true, waitstart: null },
      { ...common, locktype: 'relation', database: 5, relation: 16384, transactionid: null, classid: null, objid: null, objsubid: null, virtualtransaction: `${a.procno + 1}/0`, pid: a.pid, mode: 'AccessExclusiveLock', granted: true, waitstart: null },
      { ...common, locktype: 'relation', database: 5, relation: 16384, transactionid: null, classid: null, objid: null, objsubid: null, virtualtransaction: `${b.procno + 1}/0`, pid: b.pid, mode: 'AccessShareLock', granted: false, waitstart: 'set' },
      { ...common, locktype: 'transactionid', database: null, relation: null, transactionid: 777, classid: null, objid: null, objsubid: null, virtualtransaction: `${a.procno + 1}/0`, pid: a.pid, mode: 'ExclusiveLock', granted: true, waitstart: null },
    ]);
    const waitstart = rows.find((r) => !r.granted)?.waitstart ?? 0;
    expect(waitstart).toBeGreaterThanOrEqual(before - 1);
    expect(waitstart).toBeLessThanOrEqual(Date.now());
    expect(pgBlockingPids(a.lm, a.transam.procArray, b.pid)).toEqual([a.pid]);
    expect(pgBlockingPids(a.lm, a.transam.procArray, a.pid)).toEqual([]);
  });
});
