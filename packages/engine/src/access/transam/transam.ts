/*
 * transam.ts — transaction identifiers and the commit-status interface over
 * CLOG (PostgreSQL's access/transam.h and transam.c).
 *
 * Exports:
 *   XIDs       InvalidTransactionId, BootstrapTransactionId,
 *              FrozenTransactionId, FirstNormalTransactionId,
 *              MaxTransactionId, transactionIdIsValid, transactionIdIsNormal,
 *              transactionIdPrecedes / PrecedesOrEquals / Follows /
 *              FollowsOrEquals, transactionIdAdvance, transactionIdRetreat,
 *              transactionIdOlder, transactionIdLatest
 *   full XIDs  FullTransactionId, fullTransactionId, xidFromFull, epochFromFull,
 *              fullTransactionIdAdvance, fullXidRelativeTo,
 *              FirstNormalFullTransactionId
 *   OIDs       FirstGenbkiObjectId, FirstUnpinnedObjectId, FirstNormalObjectId
 *   status     TRANSACTION_STATUS_*, XidStatus, TransamStatus (didCommit,
 *              didAbort, isKnownCompleted, getCommitLsn, commitTree,
 *              asyncCommitTree, abortTree)
 *   WAL ties   TransamWal (what the transaction code needs from the WAL),
 *              NoticeSink, discardNotices
 *   interfaces ClogAccess, SubTransAccess (what TransamStatus reads)
 *
 * A TransactionId is a 32-bit counter that wraps around. Normal XIDs are
 * compared modulo 2^32: a is older than b when (a - b) as a signed 32-bit
 * number is negative, so every XID sees 2^31 XIDs before it as "the past" and
 * 2^31 after it as "the future". That is why a table must be vacuumed
 * (frozen) before 2^31 transactions pass (varsup.ts enforces it). The three
 * permanent XIDs below FirstNormalTransactionId compare as plain numbers and
 * precede every normal XID.
 *
 *   0 Invalid     "no transaction" (xmax of a live tuple)
 *   1 Bootstrap   rows written by initdb's bootstrap; always committed
 *   2 Frozen      always committed and older than everything
 *   3..2^32-1     normal XIDs; after 2^32-1 the counter wraps to 3
 *
 * A FullTransactionId adds the epoch (how many times the 32-bit counter
 * wrapped) above the XID: epoch * 2^32 + xid, a JS number exact up to 2^53.
 * Only the shared next-XID counter and latestCompletedXid are kept full; on
 * disk (tuple headers, CLOG) XIDs are 32-bit.
 */

import { XACT_NESTING_DEPTH_MAX } from '../../constants.ts';
import { ereport, type PgError, SQLSTATE } from '../../utils/errors.ts';
import type { XLogRecPtr } from './xlogdefs.ts';

export type TransactionId = number;
export type FullTransactionId = number;

export const InvalidTransactionId = 0;
export const BootstrapTransactionId = 1;
export const FrozenTransactionId = 2;
export const FirstNormalTransactionId = 3;
export const MaxTransactionId = 0xffffffff;

const XID_RANGE = 4294967296;
/** Bound on pg_subtrans parent walks: a chain longer than the deepest nesting is corrupt. */
const MAX_PARENT_WALK = XACT_NESTING_DEPTH_MAX + 1;

/** OIDs below this are assigned by hand in the catalog headers (FirstGenbkiObjectId). */
export const FirstGenbkiObjectId = 10000;
/** OIDs assigned during initdb start here (FirstUnpinnedObjectId). */
export const FirstUnpinnedObjectId = 12000;
/** The first OID handed to user objects (FirstNormalObjectId); the counter wraps back to it. */
export const FirstNormalObjectId = 16384;

export function transactionIdIsValid(xid: TransactionId): boolean {
  return xid !== InvalidTransactionId;
}

export function transactionIdIsNormal(xid: TransactionId): boolean {
  return xid >= FirstNormalTransactionId;
}

/** TransactionIdPrecedes: is a logically older than b? */
export function transactionIdPrecedes(a: TransactionId, b: TransactionId): boolean {
  if (a < FirstNormalTransactionId || b < FirstNormalTransactionId) return a < b;
  return ((a - b) | 0) < 0;
}

export function transactionIdPrecedesOrEquals(a: TransactionId, b: TransactionId): boolean {
  if (a < FirstNormalTransactionId || b < FirstNormalTransactionId) return a <= b;
  return ((a - b) | 0) <= 0;
}

export function transactionIdFollows(a: TransactionId, b: TransactionId): boolean {
  if (a < FirstNormalTransactionId || b < FirstNormalTransactionId) return a > b;
  return ((a - b) | 0) > 0;
}

export function transactionIdFollowsOrEquals(a: TransactionId, b: TransactionId): boolean {
  if (a < FirstNormalTransactionId || b < FirstNormalTransactionId) return a >= b;
  return ((a - b) | 0) >= 0;
}

/** TransactionIdAdvance: the next XID, skipping the permanent ones at wraparound. */
export function transactionIdAdvance(xid: TransactionId): TransactionId {
  const next = (xid + 1) >>> 0;
  return next < FirstNormalTransactionId ? FirstNormalTransactionId : next;
}

/** TransactionIdRetreat: the previous normal XID (3 goes back to 2^32-1). */
export function transactionIdRetreat(xid: TransactionId): TransactionId {
  let prev = (xid - 1) >>> 0;
  while (prev < FirstNormalTransactionId) prev = (prev - 1) >>> 0;
  return prev;
}

/** TransactionIdOlder: the older of two XIDs, ignoring invalid ones. */
export function transactionIdOlder(a: TransactionId, b: TransactionId): TransactionId {
  if (a === InvalidTransactionId) return b;
  if (b === InvalidTransactionId) return a;
  return transactionIdPrecedes(a, b) ? a : b;
}

/** TransactionIdLatest: the newest of a transaction and its subtransactions (for latestCompletedXid). */
export function transactionIdLatest(mainxid: TransactionId, children: ArrayLike<number>, nchildren = children.length): TransactionId {
  let result = mainxid;
  for (let i = 0; i < nchildren; i++) if (transactionIdPrecedes(result, children[i])) result = children[i];
  return result;
}

export function fullTransactionId(epoch: number, xid: TransactionId): FullTransactionId {
  return epoch * XID_RANGE + xid;
}

export function xidFromFull(fxid: FullTransactionId): TransactionId {
  return fxid % XID_RANGE;
}

export function epochFromFull(fxid: FullTransactionId): number {
  return Math.floor(fxid / XID_RANGE);
}

export const FirstNormalFullTransactionId: FullTransactionId = FirstNormalTransactionId;

/**
 * FullTransactionIdAdvance: the next full XID. In epochs after the first the
 * permanent XIDs 0..2 are skipped, so xidFromFull never yields them for a
 * transaction.
 */
export function fullTransactionIdAdvance(fxid: FullTransactionId): FullTransactionId {
  let next = fxid + 1;
  if (next < FirstNormalFullTransactionId) return next;
  while (xidFromFull(next) < FirstNormalTransactionId) next++;
  return next;
}

/**
 * FullXidRelativeTo: widens a 32-bit XID known to be within 2^31 of `rel`
 * (e.g. a running XID relative to nextXid) to a full XID.
 */
export function fullXidRelativeTo(rel: FullTransactionId, xid: TransactionId): FullTransactionId {
  const relXid = xidFromFull(rel);
  return rel + ((xid - relXid) | 0);
}

/* ---- commit status ---- */

export const TRANSACTION_STATUS_IN_PROGRESS = 0;
export const TRANSACTION_STATUS_COMMITTED = 1;
export const TRANSACTION_STATUS_ABORTED = 2;
export const TRANSACTION_STATUS_SUB_COMMITTED = 3;
export type XidStatus = 0 | 1 | 2 | 3;

/**
 * What the transaction code needs from the WAL. The WAL module's XLog and
 * XLogInsertState satisfy it through a small adapter (see README.md,
 * "Wiring"); tests use a fake that records the order of calls.
 */
export interface TransamWal {
  /**
   * Inserts one record whose only data is `data` (no block references),
   * stamped with transaction `xid` (0 when none), and returns its end LSN.
   */
  insertRecord(rmid: number, info: number, data: Uint8Array, xid: TransactionId): XLogRecPtr;
  /** XLogFlush: returns once WAL up to `lsn` is durable. */
  flush(lsn: XLogRecPtr): void;
  /** XLogNeedsFlush: true while WAL up to `lsn` is not yet durable. */
  needsFlush(lsn: XLogRecPtr): boolean;
  /** XLogSetAsyncXactLSN: asks the WAL writer to flush up to `lsn` soon (asynchronous commit). */
  setAsyncXactLsn(lsn: XLogRecPtr): void;
  /** XLogPutNextOid: logs that OIDs below `nextOid` may have been handed out. */
  logNextOid(nextOid: number): void;
}

/** Where WARNING and NOTICE messages go (the client connection, or a test's array). */
export type NoticeSink = (notice: PgError) => void;

/** A NoticeSink that drops everything, for processes without a client. */
export const discardNotices: NoticeSink = () => {};

/** The CLOG operations TransamStatus needs (clog.ts implements them). */
export interface ClogAccess {
  getStatus(xid: TransactionId): XidStatus;
  /** The group LSN of the page read by the last getStatus call. */
  readonly lastStatusLsn: XLogRecPtr;
  setTreeStatus(xid: TransactionId, subxids: ArrayLike<number>, nsubxids: number, status: XidStatus, lsn: XLogRecPtr): void;
}

/** The pg_subtrans lookup TransamStatus needs (subtrans.ts implements it). */
export interface SubTransAccess {
  getParent(xid: TransactionId): TransactionId;
  getTopmostTransaction(xid: TransactionId, stopBefore: TransactionId): TransactionId;
}

/**
 * The commit-status interface of one backend (transam.c). It answers "did
 * this XID commit?" from CLOG, resolving SUB_COMMITTED through pg_subtrans,
 * and keeps a one-entry cache of the last completed XID it looked up (PG's
 * cachedFetchXid): a scan usually meets the same xmin many times in a row.
 *
 * `transactionXmin` is the backend's TransactionXmin (the xmin of its first
 * snapshot in the transaction, set by snapmgr.ts): pg_subtrans is only
 * guaranteed to hold parents of XIDs at or after it.
 */
export class TransamStatus {
  transactionXmin: TransactionId = InvalidTransactionId;
  private cachedFetchXid: TransactionId = InvalidTransactionId;
  private cachedFetchXidStatus: XidStatus = TRANSACTION_STATUS_IN_PROGRESS;
  private cachedCommitLsn: XLogRecPtr = 0;

  constructor(
    private readonly clog: ClogAccess,
    private readonly subtrans: SubTransAccess,
  ) {}

  /** TransactionLogFetch: the CLOG status of an XID, with the permanent XIDs answered without CLOG. */
  private fetch(xid: TransactionId): XidStatus {
    // Permanent XIDs first: the empty cache holds XID 0 (a quirk PostgreSQL shares).
    if (xid < FirstNormalTransactionId) {
      if (xid === BootstrapTransactionId || xid === FrozenTransactionId) return TRANSACTION_STATUS_COMMITTED;
      return TRANSACTION_STATUS_ABORTED;
    }
    if (xid === this.cachedFetchXid) return this.cachedFetchXidStatus;
    const status = this.clog.getStatus(xid);
    // Only final states are cached: an in-progress or sub-committed XID can still change.
    if (status !== TRANSACTION_STATUS_IN_PROGRESS && status !== TRANSACTION_STATUS_SUB_COMMITTED) {
      this.cachedFetchXid = xid;
      this.cachedFetchXidStatus = status;
      this.cachedCommitLsn = this.clog.lastStatusLsn;
    }
    return status;
  }

  /**
   * TransactionIdDidCommit. A SUB_COMMITTED XID committed iff its parent
   * did; the walk up pg_subtrans stops at TransactionXmin, below which a
   * sub-committed XID can only belong to a parent that crashed (the parent
   * would have resolved it to COMMITTED or ABORTED otherwise).
   */
  didCommit(xid: TransactionId): boolean {
    let cur = xid;
    for (let depth = 0; depth <= MAX_PARENT_WALK; depth++) {
      const status = this.fetch(cur);
      if (status === TRANSACTION_STATUS_COMMITTED) return true;
      if (status !== TRANSACTION_STATUS_SUB_COMMITTED) return false;
      if (transactionIdPrecedes(cur, this.transactionXmin)) return false;
      const parent = this.subtrans.getParent(cur);
      if (parent === InvalidTransactionId) return false; // PostgreSQL logs a WARNING here.
      cur = parent;
    }
    return ereport(SQLSTATE.data_corrupted, `pg_subtrans parent chain of transaction ${xid} is too long`);
  }

  /** TransactionIdDidAbort. A SUB_COMMITTED XID aborted iff its parent did. */
  didAbort(xid: TransactionId): boolean {
    let cur = xid;
    for (let depth = 0; depth <= MAX_PARENT_WALK; depth++) {
      const status = this.fetch(cur);
      if (status === TRANSACTION_STATUS_ABORTED) return true;
      if (status !== TRANSACTION_STATUS_SUB_COMMITTED) return false;
      if (transactionIdPrecedes(cur, this.transactionXmin)) return true;
      const parent = this.subtrans.getParent(cur);
      if (parent === InvalidTransactionId) return true;
      cur = parent;
    }
    return ereport(SQLSTATE.data_corrupted, `pg_subtrans parent chain of transaction ${xid} is too long`);
  }

  /**
   * TransactionIdIsKnownCompleted: true only when the one-entry cache
   * already says the XID finished; a cheap pre-check before shared memory.
   */
  isKnownCompleted(xid: TransactionId): boolean {
    return xid === this.cachedFetchXid && xid !== InvalidTransactionId;
  }

  /**
   * TransactionIdGetCommitLSN: an LSN at or after the XID's commit record
   * (the group LSN of its CLOG page), 0 when the commit was synchronous and
   * so already flushed. Hint bits wait until WAL is flushed past it.
   */
  getCommitLsn(xid: TransactionId): XLogRecPtr {
    if (xid < FirstNormalTransactionId) return 0;
    if (xid === this.cachedFetchXid) return this.cachedCommitLsn;
    this.clog.getStatus(xid);
    return this.clog.lastStatusLsn;
  }

  /** TransactionIdCommitTree: marks a tree committed after its commit record was flushed. */
  commitTree(xid: TransactionId, subxids: ArrayLike<number>, nsubxids = subxids.length): void {
    this.clog.setTreeStatus(xid, subxids, nsubxids, TRANSACTION_STATUS_COMMITTED, 0);
  }

  /** TransactionIdAsyncCommitTree: as commitTree, for a commit record not flushed yet (LSN remembered per page). */
  asyncCommitTree(xid: TransactionId, subxids: ArrayLike<number>, nsubxids: number, lsn: XLogRecPtr): void {
    this.clog.setTreeStatus(xid, subxids, nsubxids, TRANSACTION_STATUS_COMMITTED, lsn);
  }

  /** TransactionIdAbortTree: aborted needs no WAL flush first (a lost abort reads as a crash, i.e. aborted). */
  abortTree(xid: TransactionId, subxids: ArrayLike<number>, nsubxids = subxids.length): void {
    this.clog.setTreeStatus(xid, subxids, nsubxids, TRANSACTION_STATUS_ABORTED, 0);
  }
}

