/*
 * heapam_env.ts — what the heap access method needs from the rest of the
 * backend, as narrow interfaces, so heapam.ts depends on contracts rather
 * than on the transaction manager's and WAL's classes.
 */

import type { BufferManager } from '../../storage/buffer/bufmgr.ts';
import type { FreeSpaceMap } from '../../storage/freespace/freespace.ts';
import type { LockManager } from '../../storage/lmgr/lock.ts';
import type { PredicateLockManager } from '../../storage/lmgr/predicate.ts';
import type { XactWaitCallbacks } from '../../storage/lmgr/lmgr.ts';
import type { Relation } from './relation.ts';
import type { VisibilityMap } from './visibilitymap.ts';

import type { HTSV_Result, TM_Result } from './heapam_visibility.ts';
export { HTSV_Result, TM_Result } from './heapam_visibility.ts';

/** An MVCC snapshot as the heap reads it (the fields the fast path needs). */
export interface HeapSnapshot {
  readonly xmin: number;
  readonly xmax: number;
}

/** WAL insertion, shaped like access/transam/xloginsert.ts's XLogInsertState. */
export interface HeapWal {
  beginInsert(): void;
  registerData(bytes: Uint8Array, start?: number, len?: number): void;
  registerBuffer(blockId: number, buffer: number, flags: number): void;
  registerBufData(blockId: number, bytes: Uint8Array, start?: number, len?: number): void;
  /** Inserts the record stamped with `xid`; returns its end LSN. */
  insert(rmid: number, info: number, xid: number): number;
}

/** The transaction facts the heap needs. */
export interface HeapXact {
  /** GetCurrentTransactionId: this (sub)transaction's XID, assigning one if needed. */
  getCurrentTransactionId(): number;
  /** GetCurrentCommandId(used) */
  getCurrentCommandId(used: boolean): number;
  /** TransactionIdIsCurrentTransactionId: the XID belongs to this backend's transaction tree. */
  isCurrentTransactionId(xid: number): boolean;
}

/** The tuple-visibility routines (heapam_visibility.ts), bound to this backend. */
export interface HeapVisibility<S extends HeapSnapshot = HeapSnapshot> {
  satisfiesMVCC(page: Uint8Array, off: number, snapshot: S, buffer: number): boolean;
  satisfiesUpdate(page: Uint8Array, off: number, cid: number, buffer: number): TM_Result;
  satisfiesVacuum(page: Uint8Array, off: number, oldestXmin: number, buffer: number): HTSV_Result;
  /** SnapshotToast / SnapshotAny-style: the inserter did not abort. */
  satisfiesToast(page: Uint8Array, off: number, buffer: number): boolean;
  /** Combo-CID handling when this transaction deletes a tuple it inserted. */
  cmaxFor(page: Uint8Array, off: number, cid: number): { cid: number; combo: boolean };
  /** Oldest XID any snapshot may still need (the pruning horizon). */
  oldestXmin(): number;
  /** GetMultiXactIdMembers, for a MultiXactId xmax (absent: MultiXacts are refused). */
  getMultiXactMembers?(multi: number): { xid: number; status: number }[];
  /** The members of a MultiXactId still running, mine included. */
  multiXactRunningMembers?(multi: number): number[];
  /** HeapTupleHeaderIsOnlyLocked: xmax (a MultiXactId's updater member) did not delete the tuple. */
  isOnlyLocked?(page: Uint8Array, off: number): boolean;
  /** HeapTupleGetUpdateXid: the raw xmax, or a MultiXactId's updater member (0 for lockers only). */
  tupleUpdateXid?(page: Uint8Array, off: number): number;
}

/**
 * LockTupleMode (PostgreSQL's): the four row-lock strengths, weakest first.
 * KEY SHARE conflicts only with EXCLUSIVE; SHARE with NO KEY EXCLUSIVE and
 * EXCLUSIVE; NO KEY EXCLUSIVE with all but KEY SHARE; EXCLUSIVE with all.
 */
export const enum LockTupleMode {
  KeyShare = 0,
  Share = 1,
  NoKeyExclusive = 2,
  Exclusive = 3,
}

/** LockWaitPolicy: what a row lock does when another transaction holds a conflicting one. */
export const enum LockWaitPolicy {
  Block = 0,
  Skip = 1,
  Error = 2,
}

export interface HeapEnv<S extends HeapSnapshot = HeapSnapshot> {
  readonly bufmgr: BufferManager;
  readonly fsm: FreeSpaceMap;
  readonly vm: VisibilityMap;
  readonly wal: HeapWal;
  readonly xact: HeapXact;
  readonly vis: HeapVisibility<S>;
  /**
   * This backend's heavyweight lock manager (storage/lmgr/lock.ts), for
   * lmgr.ts's xactLockTableWait / lockTuple / conditionalLockTuple (row
   * locks, waiting for a row's updater); absent in harnesses without one.
   */
  readonly lockManager?: LockManager;
  /** MyDatabaseId for lock tags (tuple locks): the engine's database. */
  readonly lockDatabaseOid?: number;
  /** xactLockTableWait's callbacks (TransactionIdIsInProgress, SubTransGetParent). */
  readonly xactWait?: XactWaitCallbacks;
  /**
   * Serializable snapshot isolation (storage/lmgr/predicate.ts): SIREAD
   * locks taken by scans and the rw-conflict checks of writes; absent in
   * harnesses without one. Every call is a no-op unless this backend's
   * transaction is SERIALIZABLE.
   */
  readonly predicate?: PredicateLockManager;
  /** MultiXactIdCreateFromMembers (access/transam/multixact.ts), for a second locker of a row. */
  readonly multixact?: { create(members: readonly { xid: number; status: number }[], xid: number): number };
  /** GetNewObjectId, for TOAST value ids. */
  newOid(): number;
  /**
   * The TOAST relation with this OID (a TOAST pointer's va_toastrelid), for
   * values copied from another table's rows; null when it is not open.
   */
  toastRelation?(toastOid: number): Relation | null;
}
