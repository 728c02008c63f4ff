/*
 * lockfuncs.ts — the SQL-visible side of the lock manager (PostgreSQL's
 * utils/adt/lockfuncs.c): advisory locks by key, the rows of pg_locks, and
 * pg_blocking_pids. The SQL functions are thin wrappers over these.
 *
 * Exports: AdvisoryKey, pgAdvisoryLock, pgAdvisoryXactLock,
 *          pgAdvisoryLockShared, pgAdvisoryXactLockShared,
 *          pgTryAdvisoryLock, pgTryAdvisoryXactLock,
 *          pgTryAdvisoryLockShared, pgTryAdvisoryXactLockShared,
 *          pgAdvisoryUnlock, pgAdvisoryUnlockShared, pgAdvisoryUnlockAll,
 *          PgLocksRow, pgLocks, predicateLockRows, pgBlockingPids.
 *
 * Advisory locks follow PostgreSQL: exclusive ones are ExclusiveLock,
 * shared ones ShareLock, in the "user" lock method; session-level ones
 * stack (locked twice, unlocked twice) and survive transaction end;
 * transaction-level ones go at transaction end and cannot be unlocked
 * early. Unlocking what is not held warns and returns false.
 */

import { LockAcquireResult, type LockManager, type LockProcs } from './lock.ts';
import type { SireadLockRow } from './predicate.ts';
import { LockMethodId, LockMode, LockTagType, lockModeName, lockTagTypeName, type LockTag } from './lockdefs.ts';

/** pg_advisory_lock(bigint) or pg_advisory_lock(int, int). */
export type AdvisoryKey = bigint | readonly [number, number];

function advisoryTag(lm: LockManager, dbOid: number, key: AdvisoryKey): LockTag {
  return typeof key === 'bigint' ? lm.tagScratch.setAdvisoryInt64(dbOid, key) : lm.tagScratch.setAdvisoryInt32(dbOid, key[0], key[1]);
}

/** pg_advisory_lock: session level, exclusive, waits. */
export function pgAdvisoryLock(lm: LockManager, dbOid: number, key: AdvisoryKey): void {
  lm.lockAcquire(advisoryTag(lm, dbOid, key), LockMode.Exclusive, true);
}

/** pg_advisory_xact_lock: transaction level, exclusive, waits. */
export function pgAdvisoryXactLock(lm: LockManager, dbOid: number, key: AdvisoryKey): void {
  lm.lockAcquire(advisoryTag(lm, dbOid, key), LockMode.Exclusive, false);
}

/** pg_advisory_lock_shared */
export function pgAdvisoryLockShared(lm: LockManager, dbOid: number, key: AdvisoryKey): void {
  lm.lockAcquire(advisoryTag(lm, dbOid, key), LockMode.Share, true);
}

/** pg_advisory_xact_lock_shared */
export function pgAdvisoryXactLockShared(lm: LockManager, dbOid: number, key: AdvisoryKey): void {
  lm.lockAcquire(advisoryTag(lm, dbOid, key), LockMode.Share, false);
}

/** pg_try_advisory_lock: true if taken, false instead of waiting. */
export function pgTryAdvisoryLock(lm: LockManager, dbOid: number, key: AdvisoryKey): boolean {
  return lm.lockAcquire(advisoryTag(lm, dbOid, key), LockMode.Exclusive, true, true) !== LockAcquireResult.NotAvail;
}

/** pg_try_advisory_xact_lock */
export function pgTryAdvisoryXactLock(lm: LockManager, dbOid: number, key: AdvisoryKey): boolean {
  return lm.lockAcquire(advisoryTag(lm, dbOid, key), LockMode.Exclusive, false, true) !== LockAcquireResult.NotAvail;
}

/** pg_try_advisory_lock_shared */
export function pgTryAdvisoryLockShared(lm: LockManager, dbOid: number, key: AdvisoryKey): boolean {
  return lm.lockAcquire(advisoryTag(lm, dbOid, key), LockMode.Share, true, true) !== LockAcquireResult.NotAvail;
}

/** pg_try_advisory_xact_lock_shared */
export function pgTryAdvisoryXactLockShared(lm: LockManager, dbOid: number, key: AdvisoryKey): boolean {
  return lm.lockAcquire(advisoryTag(lm, dbOid, key), LockMode.Share, false, true) !== LockAcquireResult.NotAvail;
}

/** pg_advisory_unlock: one count of the session-level exclusive lock; false + WARNING if not held. */
export function pgAdvisoryUnlock(lm: LockManager, dbOid: number, key: AdvisoryKey): boolean {
  return lm.lockRelease(advisoryTag(lm, dbOid, key), LockMode.Exclusive, true);
}

/** pg_advisory_unlock_shared */
export function pgAdvisoryUnlockShared(lm: LockManager, dbOid: number, key: AdvisoryKey): boolean {
  return lm.lockRelease(advisoryTag(lm, dbOid, key), LockMode.Share, true);
}

/** pg_advisory_unlock_all: every session-level advisory lock of this backend (also done at session end). */
export function pgAdvisoryUnlockAll(lm: LockManager): void {
  lm.lockReleaseSession(LockMethodId.User);
}

/** One row of pg_locks, with PostgreSQL's columns (null where PostgreSQL shows NULL). */
export interface PgLocksRow {
  locktype: string;
  database: number | null;
  relation: number | null;
  page: number | null;
  tuple: number | null;
  virtualxid: string | null;
  transactionid: number | null;
  classid: number | null;
  objid: number | null;
  objsubid: number | null;
  virtualtransaction: string | null;
  pid: number | null;
  mode: string;
  granted: boolean;
  fastpath: boolean;
  /** When the wait began (Date.now() milliseconds), for waiting rows. */
  waitstart: number | null;
}

/**
 * pg_lock_status (the view pg_locks): one row per (object, backend, mode)
 * held or awaited. Which columns name the object depends on its type, as
 * in PostgreSQL; the holder's pid and virtual transaction come from the
 * proc array.
 */
export function pgLocks(lm: LockManager, procs: LockProcs): PgLocksRow[] {
  const rows = lm.getLockStatusData();
  const info = new Map<number, { pid: number; vxid: string }>();
  for (const p of procs.describe()) info.set(p.procno, { pid: p.pid, vxid: p.vxid });
  return rows.map((r) => {
    const out: PgLocksRow = {
      locktype: lockTagTypeName(r.type),
      database: null,
      relation: null,
      page: null,
      tuple: null,
      virtualxid: null,
      transactionid: null,
      classid: null,
      objid: null,
      objsubid: null,
      virtualtransaction: info.get(r.procno)?.vxid ?? null,
      pid: info.get(r.procno)?.pid ?? null,
      mode: lockModeName(r.mode),
      granted: r.granted,
      fastpath: r.fastpath,
      waitstart: r.waitStart,
    };
    switch (r.type) {
      case LockTagType.Relation:
      case LockTagType.RelationExtend:
        out.database = r.field1;
        out.relation = r.field2;
        break;
      case LockTagType.DatabaseFrozenIds:
        out.database = r.field1;
        break;
      case LockTagType.Page:
        out.database = r.field1;
        out.relation = r.field2;
        out.page = r.field3;
        break;
      case LockTagType.Tuple:
        out.database = r.field1;
        out.relation = r.field2;
        out.page = r.field3;
        out.tuple = r.field4;
        break;
      case LockTagType.Transaction:
        out.transactionid = r.field1;
        break;
      case LockTagType.VirtualTransaction:
        out.virtualxid = `${r.field1 | 0}/${r.field2}`;
        break;
      case LockTagType.SpeculativeToken:
        out.transactionid = r.field1;
        out.objid = r.field2;
        out.objsubid = 0;
        break;
      default:
        // OBJECT, USERLOCK, ADVISORY
        out.database = r.field1;
        out.classid = r.field2;
        out.objid = r.field3;
        out.objsubid = r.field4;
        break;
    }
    return out;
  });
}

/**
 * The SIREAD half of pg_lock_status (GetPredicateLockStatusData): every
 * predicate lock in shared memory, including those of committed
 * serializable transactions still kept and of summarized ones (pid null),
 * as mode SIReadLock, always granted, never fast-path, no wait start.
 */
export function predicateLockRows(predicate: { sireadLocks(): SireadLockRow[] }): PgLocksRow[] {
  return predicate.sireadLocks().map((l) => ({
    locktype: l.locktype,
    database: l.database,
    relation: l.relation,
    page: l.page,
    tuple: l.tuple,
    virtualxid: null,
    transactionid: null,
    classid: null,
    objid: null,
    objsubid: null,
    virtualtransaction: l.virtualtransaction,
    pid: l.pid,
    mode: 'SIReadLock',
    granted: true,
    fastpath: false,
    waitstart: null,
  }));
}

/**
 * pg_blocking_pids(pid): the pids of the backends that block `pid`'s lock
 * wait: holders of conflicting modes and conflicting waiters queued ahead
 * of it, each once, in the order of the lock's holder list (as PostgreSQL
 * walks its PROCLOCKs); empty when it does not wait (or does not exist).
 */
export function pgBlockingPids(lm: LockManager, procs: LockProcs, pid: number): number[] {
  const list = procs.describe();
  const me = list.find((p) => p.pid === pid);
  if (me === undefined) return [];
  const pidOf = new Map<number, number>();
  for (const p of list) pidOf.set(p.procno, p.pid);
  return lm.blockingProcs(me.procno).map((procno) => pidOf.get(procno) ?? 0);
}
