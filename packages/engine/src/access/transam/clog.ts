/*
 * clog.ts — the commit log: two status bits per transaction, kept in an SLRU
 * persisted to pg_xact/ (PostgreSQL's access/transam/clog.c).
 *
 * Exports: Clog (per backend), clogShmemSize, clogShmemInit, CLOG_SLRU,
 *          CLOG_ZEROPAGE, CLOG_TRUNCATE, clogPageOf, encode/decode of the
 *          CLOG record bodies.
 *
 * A page of BLCKSZ bytes holds CLOG_XACTS_PER_PAGE = 32768 statuses; XID x is
 * in page x / 32768, byte (x % 32768) / 4, bits 2 * (x % 4) .. +1:
 *
 *   byte:   7 6   5 4   3 2   1 0      bit
 *         [xid+3][xid+2][xid+1][xid]   of the byte's four transactions
 *
 *   00 IN_PROGRESS (also: crashed; a finished XID never reads as 00 once its
 *      commit or abort record is replayed)
 *   01 COMMITTED   10 ABORTED   11 SUB_COMMITTED (a subtransaction whose
 *      parent has not finished: resolved through pg_subtrans)
 *
 * Rules:
 *  1. A commit is marked in CLOG only after its commit record is flushed
 *     (xact.ts), except an asynchronous commit, whose record's LSN becomes the
 *     page's group LSN: the page is not written before WAL is flushed that far
 *     (slru.ts rule 3), and hint bits are not set before it either.
 *  2. A transaction tree commits in two steps (setTreeStatus): subtransactions
 *     on other pages are first marked SUB_COMMITTED, then the top-level XID
 *     and the subtransactions on its page are marked COMMITTED under one lock,
 *     then the other pages' subtransactions COMMITTED. A reader that sees a
 *     subtransaction before the top XID sees SUB_COMMITTED and asks the parent,
 *     so no reader ever sees part of the tree committed.
 *  3. A page is zeroed when the XID counter first enters it (extend, under
 *     XidGenLock), with a CLOG_ZEROPAGE record, so recovery recreates it.
 *  4. Truncation (vacuum advanced the oldest XID) writes CLOG_TRUNCATE and
 *     flushes it before removing segment files: after a crash, replay must
 *     not resurrect a lookup of a removed page.
 */

import type { StorageDirectory } from '@tabgres/opfs-storage';
import { BLCKSZ, CLOG_XACTS_PER_PAGE, NUM_CLOG_BUFFERS } from '../../constants.ts';
import type { Shmem } from '../../storage/ipc/shmem.ts';
import { LWLockMode, type LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { Assert, elog } from '../../utils/errors.ts';
import { RM_CLOG_ID } from './rmgr.ts';
import { SlruCtl, slruShmemInit, slruShmemSize, type SlruConfig } from './slru.ts';
import {
  FirstNormalTransactionId,
  InvalidTransactionId,
  TRANSACTION_STATUS_ABORTED,
  TRANSACTION_STATUS_COMMITTED,
  TRANSACTION_STATUS_IN_PROGRESS,
  TRANSACTION_STATUS_SUB_COMMITTED,
  type ClogAccess,
  type TransactionId,
  type TransamWal,
  type XidStatus,
} from './transam.ts';
import { getU32, putU32, type XLogRecPtr } from './xlogdefs.ts';

/** CLOG record kinds (xl_info high bits). */
export const CLOG_ZEROPAGE = 0x00;
export const CLOG_TRUNCATE = 0x10;

const CLOG_BITS_PER_XACT = 2;
const CLOG_XACTS_PER_BYTE = 4;
const CLOG_XACT_BITMASK = (1 << CLOG_BITS_PER_XACT) - 1;

export const CLOG_SLRU: SlruConfig = {
  name: 'Xact',
  dirName: 'pg_xact',
  nslots: NUM_CLOG_BUFFERS,
  xactsPerPage: CLOG_XACTS_PER_PAGE,
  syncOnCheckpoint: true,
};

export function clogShmemSize(): number {
  return slruShmemSize(CLOG_SLRU);
}

export function clogShmemInit(shmem: Shmem): void {
  slruShmemInit(shmem, CLOG_SLRU);
}

/** TransactionIdToPage. */
export function clogPageOf(xid: TransactionId): number {
  return Math.floor(xid / CLOG_XACTS_PER_PAGE);
}

function pgIndexOf(xid: TransactionId): number {
  return xid % CLOG_XACTS_PER_PAGE;
}

/* ---- record bodies ---- */

/** CLOG_ZEROPAGE: i32 pageno. */
export function encodeClogZeroPage(pageno: number): Uint8Array {
  const b = new Uint8Array(4);
  putU32(b, 0, pageno);
  return b;
}

/** xl_clog_truncate: i32 pageno, u32 oldestXact, u32 oldestXactDb. */
export function encodeClogTruncate(pageno: number, oldestXact: TransactionId, oldestXactDb: number): Uint8Array {
  const b = new Uint8Array(12);
  putU32(b, 0, pageno);
  putU32(b, 4, oldestXact);
  putU32(b, 8, oldestXactDb);
  return b;
}

export function decodeClogPageno(data: Uint8Array): number {
  if (data.length < 4) elog('CLOG record too short');
  return getU32(data, 0);
}

export function decodeClogTruncate(data: Uint8Array): { pageno: number; oldestXact: TransactionId; oldestXactDb: number } {
  if (data.length < 12) elog('CLOG truncate record too short');
  return { pageno: getU32(data, 0), oldestXact: getU32(data, 4), oldestXactDb: getU32(data, 8) };
}

/** One backend's access to CLOG. */
export class Clog implements ClogAccess {
  readonly slru: SlruCtl;
  /** The group LSN of the page the last getStatus read (TransactionIdGetStatus's *lsn). */
  lastStatusLsn: XLogRecPtr = 0;
  private readonly wal: TransamWal | null;
  /** Scratch for splitting a tree by page; grows to the largest tree seen. */
  private scratchOther: number[] = [];
  private scratchSame: number[] = [];

  /** `wal` is null only for tools that never extend or truncate CLOG. */
  constructor(shmem: Shmem, lw: LWLockOwner, dir: StorageDirectory, wal: TransamWal | null) {
    this.slru = new SlruCtl(shmem, lw, dir, CLOG_SLRU);
    this.wal = wal;
    if (wal !== null) this.slru.walFlush = (lsn) => wal.flush(lsn);
  }

  get inRecovery(): boolean {
    return this.slru.inRecovery;
  }

  set inRecovery(v: boolean) {
    this.slru.inRecovery = v;
  }

  /**
   * TransactionIdGetStatus: the status bits of `xid`, and in lastStatusLsn
   * the LSN up to which WAL must be flushed before trusting a commit for
   * hint bits. A SUB_COMMITTED answer is not final; see TransamStatus.
   */
  getStatus(xid: TransactionId): XidStatus {
    const slru = this.slru;
    const slot = slru.readPageReadOnly(clogPageOf(xid), xid);
    const idx = pgIndexOf(xid);
    const byte = slru.pages[slot * BLCKSZ + (idx >>> 2)];
    const status = ((byte >>> ((idx & (CLOG_XACTS_PER_BYTE - 1)) * CLOG_BITS_PER_XACT)) & CLOG_XACT_BITMASK) as XidStatus;
    this.lastStatusLsn = slru.groupLsnOf(slot);
    slru.unlockControl();
    return status;
  }

  /**
   * TransactionIdSetTreeStatus: records the final status of a transaction
   * and its committed subtransactions, in the order of rule 2. `lsn` is the
   * commit record's end for an asynchronous commit, 0 otherwise.
   */
  setTreeStatus(xid: TransactionId, subxids: ArrayLike<number>, nsubxids: number, status: XidStatus, lsn: XLogRecPtr): void {
    Assert(status === TRANSACTION_STATUS_COMMITTED || status === TRANSACTION_STATUS_ABORTED, 'setTreeStatus needs a final status');
    const pageno = clogPageOf(xid);
    let allSamePage = true;
    for (let i = 0; i < nsubxids; i++) {
      if (clogPageOf(subxids[i]) !== pageno) {
        allSamePage = false;
        break;
      }
    }
    if (allSamePage) {
      this.setPageStatus(xid, subxids, nsubxids, status, lsn, pageno);
      return;
    }
    const same = this.scratchSame;
    const other = this.scratchOther;
    same.length = 0;
    other.length = 0;
    for (let i = 0; i < nsubxids; i++) (clogPageOf(subxids[i]) === pageno ? same : other).push(subxids[i]);
    if (status === TRANSACTION_STATUS_COMMITTED) this.setStatusByPages(other, TRANSACTION_STATUS_SUB_COMMITTED, lsn);
    this.setPageStatus(xid, same, same.length, status, lsn, pageno);
    this.setStatusByPages(other, status, lsn);
  }

  /** set_status_by_pages: marks XIDs a run of equal pages at a time. */
  private setStatusByPages(xids: number[], status: XidStatus, lsn: XLogRecPtr): void {
    let i = 0;
    while (i < xids.length) {
      const pageno = clogPageOf(xids[i]);
      let j = i + 1;
      while (j < xids.length && clogPageOf(xids[j]) === pageno) j++;
      this.setPageStatus(InvalidTransactionId, xids.slice(i, j), j - i, status, lsn, pageno);
      i = j;
    }
  }

  /** TransactionIdSetPageStatus: every XID given is on `pageno`; one lock hold for all. */
  private setPageStatus(
    xid: TransactionId,
    subxids: ArrayLike<number>,
    nsubxids: number,
    status: XidStatus,
    lsn: XLogRecPtr,
    pageno: number,
  ): void {
    const slru = this.slru;
    slru.lockControl(LWLockMode.Exclusive);
    try {
      // An asynchronous commit must not land in a page image being written
      // right now: that write read the group LSN before our record (rule 1).
      const slot = slru.readPage(pageno, lsn === 0, xid !== InvalidTransactionId ? xid : subxids[0]);
      if (xid !== InvalidTransactionId) {
        if (status === TRANSACTION_STATUS_COMMITTED) {
          for (let i = 0; i < nsubxids; i++) this.setStatusBit(subxids[i], TRANSACTION_STATUS_SUB_COMMITTED, lsn, slot);
        }
        this.setStatusBit(xid, status, lsn, slot);
      }
      for (let i = 0; i < nsubxids; i++) this.setStatusBit(subxids[i], status, lsn, slot);
      slru.markDirty(slot);
    } finally {
      slru.unlockControl();
    }
  }

  /** TransactionIdSetStatusBit (control lock held exclusively). */
  private setStatusBit(xid: TransactionId, status: XidStatus, lsn: XLogRecPtr, slot: number): void {
    const slru = this.slru;
    Assert(slru.pageNumberOf(slot) === clogPageOf(xid), 'CLOG slot holds another page');
    const idx = pgIndexOf(xid);
    const at = slot * BLCKSZ + (idx >>> 2);
    const shift = (idx & (CLOG_XACTS_PER_BYTE - 1)) * CLOG_BITS_PER_XACT;
    const byte = slru.pages[at];
    const cur = (byte >>> shift) & CLOG_XACT_BITMASK;
    // Replay repeats both steps of a tree commit; a subtransaction already committed stays so.
    if (slru.inRecovery && status === TRANSACTION_STATUS_SUB_COMMITTED && cur === TRANSACTION_STATUS_COMMITTED) return;
    Assert(
      cur === TRANSACTION_STATUS_IN_PROGRESS ||
        (cur === TRANSACTION_STATUS_SUB_COMMITTED && status !== TRANSACTION_STATUS_IN_PROGRESS) ||
        cur === status,
      `CLOG status of transaction ${xid} cannot go from ${cur} to ${status}`,
    );
    slru.pages[at] = (byte & ~(CLOG_XACT_BITMASK << shift)) | (status << shift);
    if (lsn !== 0) slru.advanceGroupLsn(slot, lsn);
  }

  /**
   * BootStrapCLOG: creates the page the first XID falls in and writes it
   * (initdb). `firstXid` is FirstNormalTransactionId normally; tests and
   * initdb may start the counter elsewhere (varsup.ts).
   */
  bootstrap(firstXid: TransactionId = FirstNormalTransactionId): void {
    const slru = this.slru;
    slru.lockControl(LWLockMode.Exclusive);
    try {
      const slot = slru.zeroPage(clogPageOf(firstXid));
      slru.writePage(slot);
    } finally {
      slru.unlockControl();
    }
  }

  /** StartupCLOG: the page nextXid is in becomes the latest page (never evicted). */
  startup(nextXid: TransactionId): void {
    this.slru.lockControl(LWLockMode.Exclusive);
    this.slru.setLatestPageNumber(clogPageOf(nextXid));
    this.slru.unlockControl();
  }

  /**
   * TrimCLOG, at the end of recovery: zeroes the statuses at and after
   * nextXid on its page. Subtransaction commits write CLOG without WAL, so
   * a crash may leave bits there for XIDs that replay never assigned.
   */
  trim(nextXid: TransactionId): void {
    const slru = this.slru;
    const idx = pgIndexOf(nextXid);
    if (idx === 0) return; // the page will be zeroed when first used
    slru.lockControl(LWLockMode.Exclusive);
    try {
      const slot = slru.readPage(clogPageOf(nextXid), false, nextXid);
      const at = slot * BLCKSZ + (idx >>> 2);
      const shift = (idx & (CLOG_XACTS_PER_BYTE - 1)) * CLOG_BITS_PER_XACT;
      slru.pages[at] &= (1 << shift) - 1;
      slru.pages.fill(0, at + 1, (slot + 1) * BLCKSZ);
      slru.markDirty(slot);
    } finally {
      slru.unlockControl();
    }
  }

  /** CheckPointCLOG: writes dirty pages and makes the files durable. */
  checkpoint(): void {
    this.slru.writeAll();
  }

  /**
   * ExtendCLOG (rule 3), called by GetNewTransactionId under XidGenLock:
   * when `newestXact` is the first XID of a page (or the first normal XID,
   * which is where the counter lands after wrapping), zero that page and
   * log CLOG_ZEROPAGE.
   */
  extend(newestXact: TransactionId): void {
    if (pgIndexOf(newestXact) !== 0 && newestXact !== FirstNormalTransactionId) return;
    const pageno = clogPageOf(newestXact);
    const slru = this.slru;
    slru.lockControl(LWLockMode.Exclusive);
    try {
      slru.zeroPage(pageno);
      if (this.wal === null) elog('CLOG cannot be extended without WAL');
      this.wal.insertRecord(RM_CLOG_ID, CLOG_ZEROPAGE, encodeClogZeroPage(pageno), InvalidTransactionId);
    } finally {
      slru.unlockControl();
    }
  }

  /**
   * TruncateCLOG (rule 4): removes the segments wholly before the page of
   * `oldestXact`, the oldest XID any table may still hold unfrozen.
   */
  truncate(oldestXact: TransactionId, oldestXactDb: number): void {
    const cutoffPage = clogPageOf(oldestXact);
    if (!this.slru.hasSegmentsBefore(cutoffPage)) return;
    if (this.wal === null) elog('CLOG cannot be truncated without WAL');
    const lsn = this.wal.insertRecord(RM_CLOG_ID, CLOG_TRUNCATE, encodeClogTruncate(cutoffPage, oldestXact, oldestXactDb), InvalidTransactionId);
    this.wal.flush(lsn);
    this.slru.truncate(cutoffPage);
  }

  /** Redo of CLOG_ZEROPAGE: zero the page and write it at once, as PostgreSQL does. */
  redoZeroPage(pageno: number): void {
    const slru = this.slru;
    slru.lockControl(LWLockMode.Exclusive);
    try {
      const slot = slru.zeroPage(pageno);
      slru.writePage(slot);
    } finally {
      slru.unlockControl();
    }
  }

  /** Redo of CLOG_TRUNCATE. */
  redoTruncate(pageno: number): void {
    this.slru.truncate(pageno);
  }
}
