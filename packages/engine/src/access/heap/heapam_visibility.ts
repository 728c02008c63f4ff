/*
 * heapam_visibility.ts — which heap tuples a scan may see (PostgreSQL's
 * access/heap/heapam_visibility.c).
 *
 * Exports: HeapVisibility (per backend) with satisfiesMVCC,
 *          satisfiesUpdate, satisfiesVacuum, satisfiesVacuumHorizon,
 *          satisfiesSelf, satisfiesAny, satisfiesDirty, satisfiesToast,
 *          satisfiesVisibility, isSurelyDead, isOnlyLocked, cmaxFor,
 *          oldestXmin, getMultiXactMembers, multiXactRunningMembers;
 *          TM_Result, HTSV_Result, HeapVisibilityDeps.
 *
 * A tuple carries the XID that inserted it (xmin) and the one that deleted,
 * updated or locked it (xmax), and a command id for the inserting or
 * deleting transaction's own use. Whether those transactions committed is
 * CLOG's answer, remembered on the tuple in hint bits once final:
 *
 *   t_infomask  XMIN_COMMITTED  xmin committed           (both set: FROZEN,
 *               XMIN_INVALID    xmin aborted              visible to all)
 *               XMAX_COMMITTED  xmax committed
 *               XMAX_INVALID    no xmax, or it aborted
 *               XMAX_LOCK_ONLY  xmax only locked the row: not a delete
 *               XMAX_IS_MULTI   xmax is a MultiXactId (multixact.ts): a set of
 *                               lockers (LOCK_ONLY), or lockers and at most one
 *                               updater (a non-key UPDATE past FOR KEY SHARE
 *                               lockers); the updater's XID is what deleted the
 *                               tuple (getUpdateXid). XMAX_COMMITTED is never set
 *                               on a multi: its members' fates are asked each time.
 *               COMBOCID        t_cid is a combo id (combocid.ts)
 *
 * xmin = InvalidTransactionId (0) marks a super-deleted speculative
 * insertion (heapam.ts abortSpeculative): not mine, not running, not
 * committed (TransamStatus reports XID 0 aborted), so every rule below
 * rejects it and hints it XMIN_INVALID; VACUUM calls it DEAD.
 *
 * The MVCC rule, for a snapshot S (snapmgr.ts) and my transaction T:
 *
 *   inserted: xmin is T's and cmin < S.curcid,
 *             or xmin committed and is not running according to S
 *   and not deleted: no xmax, or xmax only locked, or xmax aborted,
 *             or xmax is T's and cmax >= S.curcid,
 *             or xmax is someone else's still running according to S
 *
 * Rules:
 *  1. A COMMITTED hint is set only once the commit record is flushed (with
 *     synchronous commit it always is; with asynchronous commit the CLOG
 *     page's group LSN says how far WAL must be), because a hinted page may
 *     reach disk before the WAL, and after a crash the hint would outlive an
 *     unflushed commit. INVALID hints need no such check.
 *  2. Setting a hint calls markBufferDirtyHint: the page changed, but only in
 *     a way that may be lost (no WAL record).
 *  3. "Is it mine?" is asked before "is it running?", and "is it running?"
 *     (or "is it in my snapshot?") before "did it commit?": CLOG says
 *     committed a moment before the proc array says finished
 *     (procarray.ts rule 2), and a transaction running in CLOG terms
 *     (status 00) may also be one that crashed.
 *  4. The MVCC fast path (xmin committed hint, xmax invalid, xmin before the
 *     snapshot's xmin) is a few loads and no calls: a sequential scan runs
 *     it for every tuple.
 *  5. The caller holds a pin and at least a shared content lock on the
 *     buffer.
 */

import {
  HEAP_XMAX_COMMITTED,
  HEAP_XMAX_INVALID,
  HEAP_XMAX_IS_MULTI,
  HEAP_XMAX_LOCK_ONLY,
  HEAP_XMIN_COMMITTED,
  HEAP_XMIN_FROZEN,
  HEAP_XMIN_INVALID,
  T_INFOMASK,
  htupGetCtid,
  htupGetSpeculativeToken,
  htupIsSpeculative,
  htupGetInfomask,
  htupGetXmax,
  htupGetXmin,
  htupOrInfomask,
  xmaxIsLockedOnly,
} from '../common/htup_details.ts';
import type { Tid } from '../common/itemptr.ts';
import {
  FirstNormalTransactionId,
  InvalidTransactionId,
  transactionIdPrecedes,
  type SubTransAccess,
  type TransactionId,
  type TransamStatus,
} from '../transam/transam.ts';
import type { XLogRecPtr } from '../transam/xlogdefs.ts';
import type { ProcArray } from '../../storage/ipc/procarray.ts';
import { PgError, SQLSTATE } from '../../utils/errors.ts';
import type { ComboCids } from '../../utils/time/combocid.ts';
import { SnapshotType, xidInMVCCSnapshot, type SnapshotData } from '../../utils/time/snapmgr.ts';

/** Result of satisfiesUpdate (PostgreSQL's TM_Result). */
export const enum TM_Result {
  /** The tuple may be updated / deleted / locked. */
  TM_Ok = 0,
  /** Not visible to the updating command at all. */
  TM_Invisible = 1,
  /** Already changed by my own transaction, in this or a later command. */
  TM_SelfModified = 2,
  /** Updated by a committed transaction: follow t_ctid. */
  TM_Updated = 3,
  /** Deleted by a committed transaction. */
  TM_Deleted = 4,
  /** Another transaction is updating, deleting or locking it: wait for it. */
  TM_BeingModified = 5,
  /** A lock could not be had without waiting (NOWAIT / SKIP LOCKED callers). */
  TM_WouldBlock = 6,
}

/** Result of satisfiesVacuum (PostgreSQL's HTSV_Result). */
export const enum HTSV_Result {
  /** Dead to everyone: may be removed. */
  HEAPTUPLE_DEAD = 0,
  /** Visible to everyone now (or to some, if its inserter just committed). */
  HEAPTUPLE_LIVE = 1,
  /** Deleted, but some snapshot may still see it. */
  HEAPTUPLE_RECENTLY_DEAD = 2,
  /** The inserter is still running. */
  HEAPTUPLE_INSERT_IN_PROGRESS = 3,
  /** The deleter is still running. */
  HEAPTUPLE_DELETE_IN_PROGRESS = 4,
}

/** The backend's parts the visibility rules consult. */
export interface HeapVisibilityDeps {
  /** TransactionIdIsCurrentTransactionId (xact.ts). */
  xact: { isCurrentTransactionId(xid: TransactionId): boolean };
  status: TransamStatus;
  procArray: ProcArray;
  subtrans: SubTransAccess;
  combo: ComboCids;
  /** RecentXmin, for TransactionIdIsInProgress's shortcut. */
  snapmgr: { readonly recentXmin: TransactionId };
  /** XLogNeedsFlush (rule 1). */
  needsFlush(lsn: XLogRecPtr): boolean;
  /** bufmgr's MarkBufferDirtyHint (rule 2). */
  markBufferDirtyHint(buffer: number, bufferStd: boolean): void;
  /** The backend's database, for oldestXmin(); omitted: all databases count (shared catalogs). */
  databaseOid?: number;
  /** GetMultiXactIdMembers (access/transam/multixact.ts), for a MultiXactId in xmax. */
  multixact?: { getMembers(multi: number): { xid: TransactionId; status: number }[] };
}

const InvalidBuffer = 0;
const COMMITTED_AND_NO_XMAX = HEAP_XMIN_COMMITTED | HEAP_XMAX_INVALID;

function multixactNotSupported(): never {
  throw new PgError(SQLSTATE.feature_not_supported, 'rows locked by several transactions at once (MultiXact) are not supported yet');
}

/** MultiXactStatusNoKeyUpdate / MultiXactStatusUpdate (multixact.ts): the member that updated or deleted the row. */
const MULTI_STATUS_NO_KEY_UPDATE = 4;

/** The visibility rules of one backend. */
export class HeapVisibility {
  /** out-parameter of satisfiesVacuumHorizon: the deleter of a RECENTLY_DEAD tuple (dead_after). */
  deadAfter: TransactionId = InvalidTransactionId;
  private readonly xact: HeapVisibilityDeps['xact'];
  private readonly status: TransamStatus;
  private readonly procArray: ProcArray;
  private readonly subtrans: SubTransAccess;
  private readonly combo: ComboCids;
  private readonly snapmgr: HeapVisibilityDeps['snapmgr'];
  private readonly needsFlush: (lsn: XLogRecPtr) => boolean;
  private readonly markBufferDirtyHint: (buffer: number, bufferStd: boolean) => void;
  private readonly databaseOid: number | undefined;
  private readonly isCurrent: (xid: TransactionId) => boolean;
  private readonly multixact: HeapVisibilityDeps['multixact'];

  constructor(deps: HeapVisibilityDeps) {
    this.multixact = deps.multixact;
    this.xact = deps.xact;
    this.status = deps.status;
    this.procArray = deps.procArray;
    this.subtrans = deps.subtrans;
    this.combo = deps.combo;
    this.snapmgr = deps.snapmgr;
    this.needsFlush = deps.needsFlush;
    this.markBufferDirtyHint = deps.markBufferDirtyHint;
    this.databaseOid = deps.databaseOid;
    const xact = deps.xact;
    this.isCurrent = (xid) => xact.isCurrentTransactionId(xid);
  }

  /**
   * SetHintBits (rules 1 and 2). `xid` is the committed transaction a
   * COMMITTED hint is about, 0 for an INVALID hint.
   */
  private setHintBits(page: Uint8Array, off: number, buffer: number, infomask: number, xid: TransactionId): void {
    if (xid !== InvalidTransactionId) {
      const commitLsn = this.status.getCommitLsn(xid);
      if (commitLsn !== 0 && this.needsFlush(commitLsn)) return;
    }
    htupOrInfomask(page, off, infomask);
    if (buffer !== InvalidBuffer) this.markBufferDirtyHint(buffer, true);
  }

  /** GetMultiXactIdMembers. */
  getMultiXactMembers(multi: TransactionId): { xid: TransactionId; status: number }[] {
    if (this.multixact === undefined) return multixactNotSupported();
    return this.multixact.getMembers(multi);
  }

  /**
   * The members of a MultiXactId still running, mine included
   * (MultiXactIdIsRunning is "this is not empty"): whom an updater waits for.
   */
  multiXactRunningMembers(multi: TransactionId): TransactionId[] {
    const out: TransactionId[] = [];
    for (const m of this.getMultiXactMembers(multi)) {
      if (this.xact.isCurrentTransactionId(m.xid) || this.isInProgress(m.xid)) out.push(m.xid);
    }
    return out;
  }

  /**
   * MultiXactIdGetUpdateXid: the member of `multi` that updated or deleted
   * the row, InvalidTransactionId when all are lockers.
   */
  getUpdateXid(multi: TransactionId): TransactionId {
    for (const m of this.getMultiXactMembers(multi)) if (m.status >= MULTI_STATUS_NO_KEY_UPDATE) return m.xid;
    return InvalidTransactionId;
  }

  /**
   * HeapTupleGetUpdateXid: the XID that updated or deleted the tuple at
   * `off` (the raw xmax, or a MultiXactId's updater member); invalid for a
   * lock-only xmax of lockers. Following an update chain compares this with
   * the next version's xmin.
   */
  tupleUpdateXid(page: Uint8Array, off: number): TransactionId {
    const infomask = htupGetInfomask(page, off);
    if ((infomask & HEAP_XMAX_IS_MULTI) === 0) return htupGetXmax(page, off);
    if (xmaxIsLockedOnly(infomask)) return InvalidTransactionId;
    return this.getUpdateXid(htupGetXmax(page, off));
  }

  private multiXactIsRunning(multi: TransactionId): boolean {
    for (const m of this.getMultiXactMembers(multi)) {
      if (this.xact.isCurrentTransactionId(m.xid) || this.isInProgress(m.xid)) return true;
    }
    return false;
  }

  /** TransactionIdIsInProgress for another backend's XID (rule 3 asks "mine?" first). */
  private isInProgress(xid: TransactionId): boolean {
    // xmin 0 is a super-deleted speculative insertion (heap_abort_speculative): nobody's, never running.
    if (xid < FirstNormalTransactionId) return false;
    return this.procArray.transactionIdIsInProgress(xid, this.snapmgr.recentXmin);
  }

  /**
   * HeapTupleSatisfiesMVCC: is the tuple at `off` in `page` visible to
   * `snap`? `buffer` is the shared buffer holding the page (0 for a private
   * copy: hints are then set without marking anything dirty).
   */
  satisfiesMVCC(page: Uint8Array, off: number, snap: SnapshotData, buffer: number): boolean {
    // Rule 4: the common case of an old, committed, undeleted tuple.
    const infomask = page[off + T_INFOMASK] | (page[off + T_INFOMASK + 1] << 8);
    if ((infomask & COMMITTED_AND_NO_XMAX) === COMMITTED_AND_NO_XMAX) {
      if ((infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN) return true;
      const xmin = (page[off] | (page[off + 1] << 8) | (page[off + 2] << 16) | (page[off + 3] << 24)) >>> 0;
      const sxmin = snap.xmin;
      if (xmin < FirstNormalTransactionId ? xmin < sxmin : ((xmin - sxmin) | 0) < 0) return true;
    }
    return this.satisfiesMVCCSlow(page, off, snap, buffer, infomask);
  }

  private satisfiesMVCCSlow(page: Uint8Array, off: number, snap: SnapshotData, buffer: number, infomask: number): boolean {
    const xmin = htupGetXmin(page, off);
    if ((infomask & HEAP_XMIN_COMMITTED) === 0) {
      if ((infomask & HEAP_XMIN_INVALID) !== 0) return false;
      if (this.xact.isCurrentTransactionId(xmin)) {
        if (this.combo.getCmin(page, off) >= snap.curcid) return false; // inserted after the scan started
        if ((infomask & HEAP_XMAX_INVALID) !== 0) return true;
        if (xmaxIsLockedOnly(infomask)) return true;
        if ((infomask & HEAP_XMAX_IS_MULTI) !== 0) {
          // Updated by my transaction beside key-share lockers, unless that subtransaction aborted.
          if (!this.xact.isCurrentTransactionId(this.getUpdateXid(htupGetXmax(page, off)))) return true;
          return this.combo.getCmax(page, off) >= snap.curcid;
        }
        if (!this.xact.isCurrentTransactionId(htupGetXmax(page, off))) {
          // The deleting subtransaction must have aborted.
          this.setHintBits(page, off, buffer, HEAP_XMAX_INVALID, InvalidTransactionId);
          return true;
        }
        return this.combo.getCmax(page, off) >= snap.curcid; // deleted after (visible) or before the scan started
      }
      if (xidInMVCCSnapshot(xmin, snap, this.subtrans)) return false;
      if (this.status.didCommit(xmin)) {
        this.setHintBits(page, off, buffer, HEAP_XMIN_COMMITTED, xmin);
      } else {
        // Not running per the snapshot and not committed: aborted, or crashed.
        this.setHintBits(page, off, buffer, HEAP_XMIN_INVALID, InvalidTransactionId);
        return false;
      }
    } else if ((infomask & HEAP_XMIN_FROZEN) !== HEAP_XMIN_FROZEN && xidInMVCCSnapshot(xmin, snap, this.subtrans)) {
      return false; // committed, but after the snapshot was taken
    }

    // The inserter committed before the snapshot; now the deleter.
    if ((infomask & HEAP_XMAX_INVALID) !== 0) return true;
    if (xmaxIsLockedOnly(infomask)) return true;
    if ((infomask & HEAP_XMAX_IS_MULTI) !== 0) {
      // The updater member decides; no hint (the multi's lockers may still run).
      const upd = this.getUpdateXid(htupGetXmax(page, off));
      if (upd === InvalidTransactionId) return true;
      if (this.xact.isCurrentTransactionId(upd)) return this.combo.getCmax(page, off) >= snap.curcid;
      if (xidInMVCCSnapshot(upd, snap, this.subtrans)) return true;
      return !this.status.didCommit(upd);
    }
    const xmax = htupGetXmax(page, off);
    if ((infomask & HEAP_XMAX_COMMITTED) === 0) {
      if (this.xact.isCurrentTransactionId(xmax)) return this.combo.getCmax(page, off) >= snap.curcid;
      if (xidInMVCCSnapshot(xmax, snap, this.subtrans)) return true;
      if (!this.status.didCommit(xmax)) {
        this.setHintBits(page, off, buffer, HEAP_XMAX_INVALID, InvalidTransactionId);
        return true;
      }
      this.setHintBits(page, off, buffer, HEAP_XMAX_COMMITTED, xmax);
    } else if (xidInMVCCSnapshot(xmax, snap, this.subtrans)) {
      return true; // deleted, but after the snapshot was taken
    }
    return false;
  }

  /**
   * HeapTupleSatisfiesUpdate: may command `curcid` of my transaction update,
   * delete or lock the tuple, and if not, why? `self` is the tuple's own TID,
   * to tell an update (t_ctid points elsewhere, TM_Updated) from a delete
   * (TM_Deleted). Without it both come back as TM_Updated, as PostgreSQL
   * before 12 did, and the caller compares t_ctid with the TID it holds.
   */
  satisfiesUpdate(page: Uint8Array, off: number, curcid: number, buffer: number, self?: Tid): TM_Result {
    const infomask = htupGetInfomask(page, off);
    const xmin = htupGetXmin(page, off);
    if ((infomask & HEAP_XMIN_COMMITTED) === 0) {
      if ((infomask & HEAP_XMIN_INVALID) !== 0) return TM_Result.TM_Invisible;
      if (this.xact.isCurrentTransactionId(xmin)) {
        if (this.combo.getCmin(page, off) >= curcid) return TM_Result.TM_Invisible; // inserted after the scan started
        if ((infomask & HEAP_XMAX_INVALID) !== 0) return TM_Result.TM_Ok;
        if (xmaxIsLockedOnly(infomask)) {
          // Ours, but perhaps locked by others (an older version was key-share locked when we updated it).
          if ((infomask & HEAP_XMAX_IS_MULTI) !== 0) return this.multiXactIsRunning(htupGetXmax(page, off)) ? TM_Result.TM_BeingModified : TM_Result.TM_Ok;
          return this.isInProgress(htupGetXmax(page, off)) ? TM_Result.TM_BeingModified : TM_Result.TM_Ok;
        }
        if ((infomask & HEAP_XMAX_IS_MULTI) !== 0) {
          const multi = htupGetXmax(page, off);
          if (!this.xact.isCurrentTransactionId(this.getUpdateXid(multi))) {
            // My updating subtransaction aborted; key-share lockers may remain.
            return this.multiXactIsRunning(multi) ? TM_Result.TM_BeingModified : TM_Result.TM_Ok;
          }
          return this.combo.getCmax(page, off) >= curcid ? TM_Result.TM_SelfModified : TM_Result.TM_Invisible;
        }
        if (!this.xact.isCurrentTransactionId(htupGetXmax(page, off))) {
          this.setHintBits(page, off, buffer, HEAP_XMAX_INVALID, InvalidTransactionId);
          return TM_Result.TM_Ok; // the deleting subtransaction aborted
        }
        return this.combo.getCmax(page, off) >= curcid ? TM_Result.TM_SelfModified : TM_Result.TM_Invisible;
      }
      if (this.isInProgress(xmin)) return TM_Result.TM_Invisible;
      if (this.status.didCommit(xmin)) {
        this.setHintBits(page, off, buffer, HEAP_XMIN_COMMITTED, xmin);
      } else {
        this.setHintBits(page, off, buffer, HEAP_XMIN_INVALID, InvalidTransactionId);
        return TM_Result.TM_Invisible;
      }
    }

    if ((infomask & HEAP_XMAX_INVALID) !== 0) return TM_Result.TM_Ok;
    if ((infomask & HEAP_XMAX_COMMITTED) !== 0) {
      if (xmaxIsLockedOnly(infomask)) return TM_Result.TM_Ok;
      return self === undefined || htupGetCtid(page, off) !== self ? TM_Result.TM_Updated : TM_Result.TM_Deleted;
    }
    if ((infomask & HEAP_XMAX_IS_MULTI) !== 0) {
      // Lockers, perhaps with an updater: busy while any member runs; then the updater's fate.
      const multi = htupGetXmax(page, off);
      const upd = xmaxIsLockedOnly(infomask) ? InvalidTransactionId : this.getUpdateXid(multi);
      if (upd !== InvalidTransactionId && this.xact.isCurrentTransactionId(upd)) {
        return this.combo.getCmax(page, off) >= curcid ? TM_Result.TM_SelfModified : TM_Result.TM_Invisible;
      }
      if (this.multiXactIsRunning(multi)) return TM_Result.TM_BeingModified;
      if (upd !== InvalidTransactionId && this.status.didCommit(upd)) {
        return self === undefined || htupGetCtid(page, off) !== self ? TM_Result.TM_Updated : TM_Result.TM_Deleted;
      }
      this.setHintBits(page, off, buffer, HEAP_XMAX_INVALID, InvalidTransactionId);
      return TM_Result.TM_Ok;
    }
    const xmax = htupGetXmax(page, off);
    if (this.xact.isCurrentTransactionId(xmax)) {
      if (xmaxIsLockedOnly(infomask)) return TM_Result.TM_BeingModified;
      return this.combo.getCmax(page, off) >= curcid ? TM_Result.TM_SelfModified : TM_Result.TM_Invisible;
    }
    if (this.isInProgress(xmax)) return TM_Result.TM_BeingModified;
    if (!this.status.didCommit(xmax)) {
      this.setHintBits(page, off, buffer, HEAP_XMAX_INVALID, InvalidTransactionId);
      return TM_Result.TM_Ok;
    }
    if (xmaxIsLockedOnly(infomask)) {
      // The locker committed, but a lock ends with its transaction.
      this.setHintBits(page, off, buffer, HEAP_XMAX_INVALID, InvalidTransactionId);
      return TM_Result.TM_Ok;
    }
    this.setHintBits(page, off, buffer, HEAP_XMAX_COMMITTED, xmax);
    return self === undefined || htupGetCtid(page, off) !== self ? TM_Result.TM_Updated : TM_Result.TM_Deleted;
  }

  /**
   * The t_cid to store when my transaction deletes or updates this tuple in
   * command `cid` (HeapTupleHeaderAdjustCmax): a combo id when my
   * transaction also inserted it, and then `combo` is true and the caller
   * sets HEAP_COMBOCID.
   */
  cmaxFor(page: Uint8Array, off: number, cid: number): { cid: number; combo: boolean } {
    const stored = this.combo.adjustCmax(page, off, cid, this.isCurrent);
    return { cid: stored, combo: this.combo.lastAdjustIsCombo };
  }

  /** The pruning / vacuum horizon for this backend's database (GetOldestNonRemovableTransactionId). */
  oldestXmin(): TransactionId {
    return this.procArray.getOldestNonRemovableXid(this.databaseOid);
  }

  /**
   * HeapTupleSatisfiesVacuumHorizon: the tuple's state ignoring snapshots.
   * For HEAPTUPLE_RECENTLY_DEAD, `deadAfter` is the deleting XID: the tuple
   * is dead once every snapshot's xmin follows it.
   */
  satisfiesVacuumHorizon(page: Uint8Array, off: number, buffer: number): HTSV_Result {
    this.deadAfter = InvalidTransactionId;
    const infomask = htupGetInfomask(page, off);
    if ((infomask & HEAP_XMIN_COMMITTED) === 0) {
      if ((infomask & HEAP_XMIN_INVALID) !== 0) return HTSV_Result.HEAPTUPLE_DEAD;
      const xmin = htupGetXmin(page, off);
      if (this.xact.isCurrentTransactionId(xmin)) {
        if ((infomask & HEAP_XMAX_INVALID) !== 0) return HTSV_Result.HEAPTUPLE_INSERT_IN_PROGRESS;
        if (xmaxIsLockedOnly(infomask) || this.isOnlyLocked(page, off)) return HTSV_Result.HEAPTUPLE_INSERT_IN_PROGRESS;
        // Inserted and then deleted by my transaction, unless the deleting subtransaction aborted.
        if (this.xact.isCurrentTransactionId(this.tupleUpdateXid(page, off))) return HTSV_Result.HEAPTUPLE_DELETE_IN_PROGRESS;
        return HTSV_Result.HEAPTUPLE_INSERT_IN_PROGRESS;
      }
      if (this.isInProgress(xmin)) return HTSV_Result.HEAPTUPLE_INSERT_IN_PROGRESS;
      if (this.status.didCommit(xmin)) {
        this.setHintBits(page, off, buffer, HEAP_XMIN_COMMITTED, xmin);
      } else {
        this.setHintBits(page, off, buffer, HEAP_XMIN_INVALID, InvalidTransactionId);
        return HTSV_Result.HEAPTUPLE_DEAD;
      }
    }

    if ((infomask & HEAP_XMAX_INVALID) !== 0) return HTSV_Result.HEAPTUPLE_LIVE;
    if (xmaxIsLockedOnly(infomask)) {
      // Only locked: live either way; make sure a final hint gets set once the locker is gone.
      if ((infomask & HEAP_XMAX_COMMITTED) === 0) {
        if ((infomask & HEAP_XMAX_IS_MULTI) !== 0 ? this.multiXactIsRunning(htupGetXmax(page, off)) : this.isInProgress(htupGetXmax(page, off))) return HTSV_Result.HEAPTUPLE_LIVE;
        this.setHintBits(page, off, buffer, HEAP_XMAX_INVALID, InvalidTransactionId);
      }
      return HTSV_Result.HEAPTUPLE_LIVE;
    }
    if ((infomask & HEAP_XMAX_IS_MULTI) !== 0) {
      // Lockers and an updater: the updater decides; no hint while a member may still run.
      const multi = htupGetXmax(page, off);
      const upd = this.getUpdateXid(multi);
      if (upd !== InvalidTransactionId && (this.xact.isCurrentTransactionId(upd) || this.isInProgress(upd))) return HTSV_Result.HEAPTUPLE_DELETE_IN_PROGRESS;
      if (upd !== InvalidTransactionId && this.status.didCommit(upd)) {
        this.deadAfter = upd;
        return HTSV_Result.HEAPTUPLE_RECENTLY_DEAD;
      }
      if (!this.multiXactIsRunning(multi)) this.setHintBits(page, off, buffer, HEAP_XMAX_INVALID, InvalidTransactionId);
      return HTSV_Result.HEAPTUPLE_LIVE;
    }
    const xmax = htupGetXmax(page, off);
    if ((infomask & HEAP_XMAX_COMMITTED) === 0) {
      if (this.isInProgress(xmax)) return HTSV_Result.HEAPTUPLE_DELETE_IN_PROGRESS;
      if (this.status.didCommit(xmax)) {
        this.setHintBits(page, off, buffer, HEAP_XMAX_COMMITTED, xmax);
      } else {
        this.setHintBits(page, off, buffer, HEAP_XMAX_INVALID, InvalidTransactionId);
        return HTSV_Result.HEAPTUPLE_LIVE;
      }
    }
    this.deadAfter = xmax;
    return HTSV_Result.HEAPTUPLE_RECENTLY_DEAD;
  }

  /**
   * HeapTupleSatisfiesVacuum: as satisfiesVacuumHorizon, with a deleted
   * tuple DEAD when its deleter precedes `oldestXmin`
   * (procArray.getOldestNonRemovableXid), RECENTLY_DEAD otherwise.
   */
  satisfiesVacuum(page: Uint8Array, off: number, oldestXmin: TransactionId, buffer: number): HTSV_Result {
    const res = this.satisfiesVacuumHorizon(page, off, buffer);
    if (res === HTSV_Result.HEAPTUPLE_RECENTLY_DEAD && transactionIdPrecedes(this.deadAfter, oldestXmin)) {
      return HTSV_Result.HEAPTUPLE_DEAD;
    }
    return res;
  }

  /**
   * HeapTupleIsSurelyDead: a cheap test from hint bits only (no CLOG, no
   * proc array): true means dead to everyone, false means "don't know".
   */
  isSurelyDead(page: Uint8Array, off: number, oldestXmin: TransactionId): boolean {
    const infomask = htupGetInfomask(page, off);
    if ((infomask & HEAP_XMIN_COMMITTED) === 0) return (infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_INVALID;
    if ((infomask & HEAP_XMAX_INVALID) !== 0) return false;
    if (xmaxIsLockedOnly(infomask)) return false;
    if ((infomask & HEAP_XMAX_IS_MULTI) !== 0) return false;
    if ((infomask & HEAP_XMAX_COMMITTED) === 0) return false;
    return transactionIdPrecedes(htupGetXmax(page, off), oldestXmin);
  }

  /**
   * HeapTupleHeaderIsOnlyLocked: xmax is set but the tuple was not deleted
   * or updated by it. A plain XID without LOCK_ONLY is always an update,
   * committed or not; only a MultiXact mixes lockers with an updater.
   */
  isOnlyLocked(page: Uint8Array, off: number): boolean {
    const infomask = htupGetInfomask(page, off);
    if ((infomask & HEAP_XMAX_INVALID) !== 0) return true;
    if (htupGetXmax(page, off) === InvalidTransactionId) return true;
    if ((infomask & HEAP_XMAX_LOCK_ONLY) !== 0) return true;
    if ((infomask & HEAP_XMAX_IS_MULTI) === 0) return false;
    // A multi with an updater: only locked if that updater aborted.
    const upd = this.getUpdateXid(htupGetXmax(page, off));
    if (upd === InvalidTransactionId) return true;
    if (this.xact.isCurrentTransactionId(upd) || this.isInProgress(upd)) return false;
    return !this.status.didCommit(upd);
  }

  /**
   * HeapTupleSatisfiesSelf: visible to "now", including my own changes up to
   * now (all of them: no command id), ignoring snapshots.
   */
  satisfiesSelf(page: Uint8Array, off: number, buffer: number): boolean {
    return this.selfOrDirty(page, off, buffer, null);
  }

  /**
   * HeapTupleSatisfiesDirty: like satisfiesSelf, but a tuple whose inserter
   * is still running is visible, and the running inserter / deleter found
   * is reported in snap.xmin / snap.xmax (uniqueness checks wait for them).
   */
  satisfiesDirty(page: Uint8Array, off: number, snap: SnapshotData, buffer: number): boolean {
    return this.selfOrDirty(page, off, buffer, snap);
  }

  private selfOrDirty(page: Uint8Array, off: number, buffer: number, dirty: SnapshotData | null): boolean {
    if (dirty !== null) {
      dirty.xmin = InvalidTransactionId;
      dirty.xmax = InvalidTransactionId;
      dirty.speculativeToken = 0;
    }
    const infomask = htupGetInfomask(page, off);
    if ((infomask & HEAP_XMIN_COMMITTED) === 0) {
      if ((infomask & HEAP_XMIN_INVALID) !== 0) return false;
      const xmin = htupGetXmin(page, off);
      if (this.xact.isCurrentTransactionId(xmin)) {
        if ((infomask & HEAP_XMAX_INVALID) !== 0) return true;
        if (xmaxIsLockedOnly(infomask)) return true;
        if ((infomask & HEAP_XMAX_IS_MULTI) !== 0) return !this.xact.isCurrentTransactionId(this.getUpdateXid(htupGetXmax(page, off)));
        if (!this.xact.isCurrentTransactionId(htupGetXmax(page, off))) {
          this.setHintBits(page, off, buffer, HEAP_XMAX_INVALID, InvalidTransactionId);
          return true;
        }
        return false;
      }
      if (this.isInProgress(xmin)) {
        if (dirty === null) return false;
        dirty.xmin = xmin;
        // A speculative insertion: waiters sleep on its token, not on the whole transaction.
        if (htupIsSpeculative(page, off)) dirty.speculativeToken = htupGetSpeculativeToken(page, off);
        return true; // being inserted by another transaction
      }
      if (this.status.didCommit(xmin)) {
        this.setHintBits(page, off, buffer, HEAP_XMIN_COMMITTED, xmin);
      } else {
        this.setHintBits(page, off, buffer, HEAP_XMIN_INVALID, InvalidTransactionId);
        return false;
      }
    }

    if ((infomask & HEAP_XMAX_INVALID) !== 0) return true;
    if ((infomask & HEAP_XMAX_COMMITTED) !== 0) return xmaxIsLockedOnly(infomask);
    if ((infomask & HEAP_XMAX_IS_MULTI) !== 0) {
      if (xmaxIsLockedOnly(infomask)) return true; // lockers do not hide a row
      const upd = this.getUpdateXid(htupGetXmax(page, off));
      if (upd === InvalidTransactionId) return true;
      if (this.xact.isCurrentTransactionId(upd)) return false;
      if (this.isInProgress(upd)) {
        if (dirty !== null) dirty.xmax = upd;
        return true;
      }
      return !this.status.didCommit(upd);
    }
    const xmax = htupGetXmax(page, off);
    if (this.xact.isCurrentTransactionId(xmax)) return xmaxIsLockedOnly(infomask);
    if (this.isInProgress(xmax)) {
      if (dirty !== null && !xmaxIsLockedOnly(infomask)) dirty.xmax = xmax;
      return true;
    }
    if (!this.status.didCommit(xmax)) {
      this.setHintBits(page, off, buffer, HEAP_XMAX_INVALID, InvalidTransactionId);
      return true;
    }
    if (xmaxIsLockedOnly(infomask)) {
      this.setHintBits(page, off, buffer, HEAP_XMAX_INVALID, InvalidTransactionId);
      return true;
    }
    this.setHintBits(page, off, buffer, HEAP_XMAX_COMMITTED, xmax);
    return false;
  }

  /** HeapTupleSatisfiesAny: every tuple. */
  satisfiesAny(_page: Uint8Array, _off: number, _buffer: number): boolean {
    return true;
  }

  /**
   * HeapTupleSatisfiesToast: TOAST rows are reached only through a visible
   * parent row, so only an aborted (or canceled speculative) insert hides one.
   */
  satisfiesToast(page: Uint8Array, off: number, _buffer: number): boolean {
    const infomask = htupGetInfomask(page, off);
    if ((infomask & HEAP_XMIN_COMMITTED) === 0) {
      if ((infomask & HEAP_XMIN_INVALID) !== 0) return false;
      if (htupGetXmin(page, off) === InvalidTransactionId) return false;
    }
    return true;
  }

  /** HeapTupleSatisfiesVisibility: dispatch on the snapshot's type. */
  satisfiesVisibility(page: Uint8Array, off: number, snap: SnapshotData, buffer: number): boolean {
    switch (snap.snapshotType) {
      case SnapshotType.MVCC:
        return this.satisfiesMVCC(page, off, snap, buffer);
      case SnapshotType.SELF:
        return this.satisfiesSelf(page, off, buffer);
      case SnapshotType.ANY:
        return true;
      case SnapshotType.TOAST:
        return this.satisfiesToast(page, off, buffer);
      case SnapshotType.DIRTY:
        return this.satisfiesDirty(page, off, snap, buffer);
      default:
        throw new PgError(SQLSTATE.feature_not_supported, `snapshot type ${snap.snapshotType} is not supported`);
    }
  }
}
