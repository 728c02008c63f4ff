/*
 * predicate_serial.ts — pg_serial: what serializable snapshot isolation
 * remembers of a committed transaction after summarizing it out of shared
 * memory (PostgreSQL's predicate.c: SerialAdd, SerialGetMinConflictCommitSeqNo,
 * SerialSetActiveSerXmin, CheckPointPredicate, over an SLRU).
 *
 * Exports: SerialLog (one per backend), InvalidSerCommitSeqNo's SLRU
 * counterpart SERIAL_NO_CONFLICT.
 *
 * When the SERIALIZABLEXACT pool runs out, the oldest committed transaction
 * on the finished list is folded away (predicate_release.ts,
 * summarizeOldestCommittedSxact): its SIREAD locks go to the dummy
 * OldCommittedSxact, and this log keeps, under its top-level XID, the one
 * number a later reader needs: the commit sequence number of the earliest
 * transaction it had an rw-conflict out to (SERIAL_NO_CONFLICT when none).
 * A reader that meets a version written by an XID found nowhere in memory
 * asks here (CheckForSerializableConflictOut).
 *
 * One f64 per XID, SERIAL_ENTRIES_PER_PAGE (1024) per 8 KB page, in the SLRU
 * "Serial" over pg_serial/ (access/transam/slru.ts). An entry reads 0 when
 * nothing was added for that XID.
 *
 * Control words (headPage, headXid, tailXid) live in the PredicateLockTable
 * header, so:
 *
 * Rules:
 *  1. Every call is made with the predicate lock table's LWLock held
 *     (exclusive), which guards the control words; the SLRU's own control
 *     lock is taken inside, after it (lock order: predicate LWLock, then
 *     the Serial SLRU control lock, then its I/O locks).
 *  2. Only XIDs from tailXid (SxactGlobalXmin: the oldest snapshot xmin of
 *     a running serializable transaction) to headXid (the newest added)
 *     are meaningful; outside that range the answer is "not summarized".
 *  3. A page is zeroed when it first enters the tail..head range, never
 *     read back from an older use: when the log is idle (headXid invalid)
 *     the next add zeroes from tailXid's page again.
 *  4. Not WAL-logged and not kept across a restart (no transaction survives
 *     one); checkpoints truncate pages before tailXid's page.
 */

import type { StorageDirectory } from '@tabgres/opfs-storage';
import { BLCKSZ } from '../../constants.ts';
import { SlruCtl } from '../../access/transam/slru.ts';
import { transactionIdFollows, transactionIdPrecedes, type TransactionId } from '../../access/transam/transam.ts';
import type { Shmem } from '../ipc/shmem.ts';
import { LWLockMode, type LWLockOwner } from './lwlock.ts';
import {
  H_SERIAL_HEAD_PAGE, H_SERIAL_HEAD_XID, H_SERIAL_TAIL_XID, SERIAL_ENTRIES_PER_PAGE, SERIAL_SLRU, type PredShared,
} from './predicate_internals.ts';

/** What SerialAdd stores for a summarized transaction with no conflict out (PostgreSQL's InvalidSerCommitSeqNo, the largest value). */
export const SERIAL_NO_CONFLICT = Number.POSITIVE_INFINITY;

/** SERIAL_MAX_PAGE: pages wrap around with the XIDs. */
const SERIAL_MAX_PAGE = 2 ** 32 / SERIAL_ENTRIES_PER_PAGE - 1;

function serialPage(xid: TransactionId): number {
  return Math.floor((xid >>> 0) / SERIAL_ENTRIES_PER_PAGE);
}

function serialNextPage(page: number): number {
  return page >= SERIAL_MAX_PAGE ? 0 : page + 1;
}

/** One backend's handle on pg_serial. */
export class SerialLog {
  readonly slru: SlruCtl;
  private readonly s: PredShared;
  /** The SLRU's page bytes as f64 entries (slot s, entry e: s * SERIAL_ENTRIES_PER_PAGE + e). */
  private readonly values: Float64Array;

  constructor(shmem: Shmem, lw: LWLockOwner, dir: StorageDirectory, s: PredShared) {
    this.slru = new SlruCtl(shmem, lw, dir, SERIAL_SLRU);
    this.s = s;
    const p = this.slru.pages;
    this.values = new Float64Array(p.buffer, p.byteOffset, (SERIAL_SLRU.nslots * BLCKSZ) / 8);
  }

  private entry(slot: number, xid: TransactionId): number {
    return slot * SERIAL_ENTRIES_PER_PAGE + ((xid >>> 0) % SERIAL_ENTRIES_PER_PAGE);
  }

  /**
   * SerialAdd: records `minConflictCommitSeqNo` for the summarized
   * transaction `xid`, zeroing the pages that enter the tail..head range
   * (rule 3). Nothing is recorded for an XID before tailXid: nobody could
   * ask about it (rule 2).
   */
  add(xid: TransactionId, minConflictCommitSeqNo: number): void {
    const s = this.s;
    const tailXid = s.hget(H_SERIAL_TAIL_XID);
    if (tailXid === 0 || transactionIdPrecedes(xid, tailXid)) return;
    const headXid = s.hget(H_SERIAL_HEAD_XID);
    const headPage = s.hget(H_SERIAL_HEAD_PAGE);
    const target = serialPage(xid);
    let firstZero: number;
    let isNewPage: boolean;
    if (headPage < 0 || headXid === 0) {
      // Unused or idle: nothing from an earlier use may be read back.
      firstZero = serialPage(tailXid);
      isNewPage = true;
    } else {
      firstZero = serialNextPage(headPage);
      isNewPage = this.slru.pagePrecedes(headPage, target);
    }
    if (headXid === 0 || transactionIdFollows(xid, headXid)) s.hset(H_SERIAL_HEAD_XID, xid);
    const slru = this.slru;
    slru.lockControl(LWLockMode.Exclusive);
    try {
      let slot: number;
      if (isNewPage) {
        s.hset(H_SERIAL_HEAD_PAGE, target);
        for (let p = firstZero; p !== target; p = serialNextPage(p)) slru.zeroPage(p);
        slot = slru.zeroPage(target);
      } else {
        slot = slru.readPage(target, true, xid);
      }
      this.values[this.entry(slot, xid)] = minConflictCommitSeqNo;
      slru.markDirty(slot);
    } finally {
      slru.unlockControl();
    }
  }

  /**
   * SerialGetMinConflictCommitSeqNo: 0 when `xid` was not summarized (or is
   * outside the range that matters), SERIAL_NO_CONFLICT when it was and had
   * no conflict out, else the earliest out-conflict's commit number.
   */
  getMinConflictCommitSeqNo(xid: TransactionId): number {
    const s = this.s;
    const tailXid = s.hget(H_SERIAL_TAIL_XID);
    const headXid = s.hget(H_SERIAL_HEAD_XID);
    if (tailXid === 0 || headXid === 0) return 0;
    if (transactionIdPrecedes(xid, tailXid) || transactionIdFollows(xid, headXid)) return 0;
    const slot = this.slru.readPageReadOnly(serialPage(xid), xid);
    try {
      return this.values[this.entry(slot, xid)];
    } finally {
      this.slru.unlockControl();
    }
  }

  /**
   * SerialSetActiveSerXmin: SxactGlobalXmin changed. No serializable
   * transaction running: nothing in the log matters (the head page is kept
   * so the next add does not zero it again needlessly). Otherwise the tail
   * only moves forward.
   */
  setActiveSerXmin(xid: TransactionId): void {
    const s = this.s;
    if (xid === 0) {
      s.hset(H_SERIAL_TAIL_XID, 0);
      s.hset(H_SERIAL_HEAD_XID, 0);
      return;
    }
    const tail = s.hget(H_SERIAL_TAIL_XID);
    if (tail === 0 || transactionIdFollows(xid, tail)) s.hset(H_SERIAL_TAIL_XID, xid);
  }

  /**
   * CheckPointPredicate (rule 4): the page cut-off under the caller's
   * predicate LWLock; returns it, or null when the log is unused. The
   * truncation and the write of dirty pages (truncate) happen after the
   * caller let go of the predicate LWLock.
   */
  checkpointCutoff(): number | null {
    const s = this.s;
    const headPage = s.hget(H_SERIAL_HEAD_PAGE);
    if (headPage < 0) return null;
    const tail = s.hget(H_SERIAL_TAIL_XID);
    if (tail !== 0) return serialPage(tail);
    // Nothing needed any more: drop everything before the head page, and forget it.
    s.hset(H_SERIAL_HEAD_PAGE, -1);
    return headPage;
  }

  /** The second half of CheckPointPredicate: drop old segments, write dirty pages (no predicate LWLock held). */
  truncateAndWrite(cutoffPage: number): void {
    this.slru.truncate(cutoffPage);
    this.slru.writeAll();
  }
}
