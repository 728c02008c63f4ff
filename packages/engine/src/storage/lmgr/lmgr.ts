/*
 * lmgr.ts — the lock calls the rest of the engine makes, by kind of object
 * (PostgreSQL's lmgr.c): relations, tuples, transactions, database
 * objects, and the NOWAIT errors their callers raise.
 *
 * Exports: lockRelationOid, conditionalLockRelationOid, unlockRelationOid,
 *          lockRelationIdForSession, unlockRelationIdForSession, lockTuple,
 *          conditionalLockTuple, unlockTuple, xactLockTableInsert,
 *          xactLockTableDelete, xactLockTableWait,
 *          conditionalXactLockTableWait, speculativeInsertionLockAcquire,
 *          speculativeInsertionLockRelease, speculativeInsertionWait,
 *          lockDatabaseObject,
 *          unlockDatabaseObject, lockSharedObject, unlockSharedObject,
 *          relationLockNotAvailable, rowLockNotAvailable.
 *
 * Each function fills the lock manager's scratch LOCKTAG, so none
 * allocates. `dbOid` is the backend's database (MyDatabaseId), or 0 for
 * shared catalogs.
 */

import { PgError, SQLSTATE } from '../../utils/errors.ts';
import { LockAcquireResult, type LockManager } from './lock.ts';
import { LockMode } from './lockdefs.ts';

/**
 * LockRelationOid. Returns OK when the lock was newly taken: the caller
 * must then process shared invalidation messages before trusting its cached
 * description of the relation (AcceptInvalidationMessages), since whoever
 * held a conflicting lock may have changed it. ALREADY_HELD needs no such
 * check.
 */
export function lockRelationOid(lm: LockManager, dbOid: number, relid: number, mode: LockMode): LockAcquireResult {
  return lm.lockAcquire(lm.tagScratch.setRelation(dbOid, relid), mode);
}

/** ConditionalLockRelationOid: false instead of waiting (LOCK TABLE ... NOWAIT raises relationLockNotAvailable). */
export function conditionalLockRelationOid(lm: LockManager, dbOid: number, relid: number, mode: LockMode): boolean {
  return lm.lockAcquire(lm.tagScratch.setRelation(dbOid, relid), mode, false, true) !== LockAcquireResult.NotAvail;
}

export function unlockRelationOid(lm: LockManager, dbOid: number, relid: number, mode: LockMode): boolean {
  return lm.lockRelease(lm.tagScratch.setRelation(dbOid, relid), mode);
}

/** LockRelationIdForSession: held across transactions (VACUUM's, CREATE INDEX CONCURRENTLY's). */
export function lockRelationIdForSession(lm: LockManager, dbOid: number, relid: number, mode: LockMode): void {
  lm.lockAcquire(lm.tagScratch.setRelation(dbOid, relid), mode, true);
}

export function unlockRelationIdForSession(lm: LockManager, dbOid: number, relid: number, mode: LockMode): boolean {
  return lm.lockRelease(lm.tagScratch.setRelation(dbOid, relid), mode, true);
}

/** LockTuple: the heavyweight tuple lock that queues row lockers in order (heapam's row-lock protocol). */
export function lockTuple(lm: LockManager, dbOid: number, relid: number, block: number, offset: number, mode: LockMode): void {
  lm.lockAcquire(lm.tagScratch.setTuple(dbOid, relid, block, offset), mode);
}

export function conditionalLockTuple(lm: LockManager, dbOid: number, relid: number, block: number, offset: number, mode: LockMode): boolean {
  return lm.lockAcquire(lm.tagScratch.setTuple(dbOid, relid, block, offset), mode, false, true) !== LockAcquireResult.NotAvail;
}

export function unlockTuple(lm: LockManager, dbOid: number, relid: number, block: number, offset: number, mode: LockMode): boolean {
  return lm.lockRelease(lm.tagScratch.setTuple(dbOid, relid, block, offset), mode);
}

/**
 * XactLockTableInsert: a transaction (or subtransaction) that got an XID
 * holds ExclusiveLock on it until it ends, so others can wait for it.
 */
export function xactLockTableInsert(lm: LockManager, xid: number): void {
  lm.lockAcquire(lm.tagScratch.setTransaction(xid), LockMode.Exclusive);
}

/** XactLockTableDelete: a subtransaction's XID lock goes when it aborts (its commit hands it to the parent). */
export function xactLockTableDelete(lm: LockManager, xid: number): boolean {
  return lm.lockRelease(lm.tagScratch.setTransaction(xid), LockMode.Exclusive);
}

/** How xactLockTableWait learns whether a woken wait must continue for a parent transaction. */
export interface XactWaitCallbacks {
  isInProgress(xid: number): boolean;
  /** The parent of a subtransaction XID (SubTransGetParent), 0 when top-level. */
  parentOf(xid: number): number;
}

/**
 * XactLockTableWait: waits until `xid` has ended, by taking and releasing
 * ShareLock on it. A subtransaction that committed into its parent
 * released nothing, but one that aborted did; then the wait goes on for the
 * parent while the XID still counts as running. Each round climbs one
 * level, so the loop ends after at most the nesting depth.
 */
export function xactLockTableWait(lm: LockManager, xid: number, cb?: XactWaitCallbacks): void {
  for (;;) {
    const tag = lm.tagScratch.setTransaction(xid);
    lm.lockAcquire(tag, LockMode.Share);
    lm.lockRelease(tag, LockMode.Share);
    if (cb === undefined || !cb.isInProgress(xid)) return;
    const parent = cb.parentOf(xid);
    if (parent === 0) return;
    xid = parent;
  }
}

/** ConditionalXactLockTableWait: true if `xid` is over (or over for us), false instead of waiting. */
export function conditionalXactLockTableWait(lm: LockManager, xid: number): boolean {
  const tag = lm.tagScratch.setTransaction(xid);
  if (lm.lockAcquire(tag, LockMode.Share, false, true) === LockAcquireResult.NotAvail) return false;
  lm.lockRelease(tag, LockMode.Share);
  return true;
}

/**
 * The backend's last speculative insertion token (lmgr.c keeps it per
 * backend too). Tokens only need to differ between the insertions of one
 * transaction, since the lock tag also names the XID; 0 means "none".
 */
let speculativeInsertionToken = 0;

/**
 * SpeculativeInsertionLockAcquire: before a speculative insertion, the
 * inserter takes ExclusiveLock on (xid, a fresh token) and stores the token
 * in the tuple's t_ctid. Others that find the tuple wait on this lock
 * (speculativeInsertionWait) rather than on the whole transaction: the
 * insertion is settled (confirmed or super-deleted) long before the
 * transaction ends. Returns the token.
 */
export function speculativeInsertionLockAcquire(lm: LockManager, xid: number): number {
  speculativeInsertionToken = speculativeInsertionToken >= 0xffff_ffff ? 1 : speculativeInsertionToken + 1;
  lm.lockAcquire(lm.tagScratch.setSpeculativeInsertion(xid, speculativeInsertionToken), LockMode.Exclusive);
  return speculativeInsertionToken;
}

/**
 * SpeculativeInsertionLockRelease: the insertion was confirmed or
 * super-deleted. On an error in between the lock stays until the
 * (sub)transaction's abort releases it, when the XID no longer runs.
 */
export function speculativeInsertionLockRelease(lm: LockManager, xid: number, token: number): boolean {
  return lm.lockRelease(lm.tagScratch.setSpeculativeInsertion(xid, token), LockMode.Exclusive);
}

/**
 * SpeculativeInsertionWait: sleeps until the speculative insertion (xid,
 * token) is settled, by taking and releasing ShareLock on it. The caller
 * looks at the tuple again: confirmed (then an ordinary in-progress insert,
 * waited for with xactLockTableWait), or super-deleted (xmin invalid, gone).
 */
export function speculativeInsertionWait(lm: LockManager, xid: number, token: number): void {
  const tag = lm.tagScratch.setSpeculativeInsertion(xid, token);
  lm.lockAcquire(tag, LockMode.Share);
  lm.lockRelease(lm.tagScratch.setSpeculativeInsertion(xid, token), LockMode.Share);
}

/** LockDatabaseObject: a non-relation object of this database (a type, a function, ...), by catalog and OID. */
export function lockDatabaseObject(lm: LockManager, dbOid: number, classid: number, objid: number, objsubid: number, mode: LockMode): void {
  lm.lockAcquire(lm.tagScratch.setObject(dbOid, classid, objid, objsubid), mode);
}

export function unlockDatabaseObject(lm: LockManager, dbOid: number, classid: number, objid: number, objsubid: number, mode: LockMode): boolean {
  return lm.lockRelease(lm.tagScratch.setObject(dbOid, classid, objid, objsubid), mode);
}

/** LockSharedObject: an object of a shared catalog (a database, a role): database 0. */
export function lockSharedObject(lm: LockManager, classid: number, objid: number, objsubid: number, mode: LockMode): void {
  lm.lockAcquire(lm.tagScratch.setObject(0, classid, objid, objsubid), mode);
}

export function unlockSharedObject(lm: LockManager, classid: number, objid: number, objsubid: number, mode: LockMode): boolean {
  return lm.lockRelease(lm.tagScratch.setObject(0, classid, objid, objsubid), mode);
}

/** 55P03 for LOCK TABLE ... NOWAIT and friends. */
export function relationLockNotAvailable(relname: string): PgError {
  return new PgError(SQLSTATE.lock_not_available, `could not obtain lock on relation "${relname}"`);
}

/** 55P03 for SELECT ... FOR UPDATE NOWAIT. */
export function rowLockNotAvailable(relname: string): PgError {
  return new PgError(SQLSTATE.lock_not_available, `could not obtain lock on row in relation "${relname}"`);
}
