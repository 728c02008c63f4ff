/*
 * subtrans.ts — pg_subtrans: the parent of every subtransaction XID
 * (PostgreSQL's access/transam/subtrans.c).
 *
 * Exports: SubTrans (per backend), subtransShmemSize, subtransShmemInit,
 *          SUBTRANS_SLRU.
 *
 * One 4-byte entry per XID, SUBTRANS_XACTS_PER_PAGE (2048) per page, in an
 * SLRU over pg_subtrans/. Entry x holds the parent XID of x, or 0 for a
 * top-level transaction (or one never assigned).
 *
 * Who reads it: a backend whose snapshot's subtransaction cache overflowed
 * (snapmgr.ts), TransactionIdIsInProgress for an XID not in any cache, and
 * TransamStatus for a SUB_COMMITTED XID. All of them only ask about XIDs
 * that were running when some current snapshot was taken, i.e. at or after
 * the oldest xmin, so:
 *
 * Rules:
 *  1. pg_subtrans is not WAL-logged and not kept across a restart: after a
 *     crash no transaction is running, so no parent is needed. Startup zeroes
 *     the pages from the oldest active XID to nextXid (startup()).
 *  2. setParent is called right after the subtransaction's XID is assigned,
 *     before the XID can appear in any other structure.
 *  3. The parent walk (getTopmostTransaction) stops at a caller-given XID
 *     (TransactionXmin or a snapshot's xmin); entries older than that may
 *     already be truncated.
 *  4. Checkpoints write dirty pages (to free buffers) but never flush files,
 *     and truncate pages older than the oldest running xmin.
 */

import type { StorageDirectory } from '@tabgres/opfs-storage';
import { NUM_SUBTRANS_BUFFERS, SUBTRANS_XACTS_PER_PAGE, XACT_NESTING_DEPTH_MAX } from '../../constants.ts';
import type { Shmem } from '../../storage/ipc/shmem.ts';
import { LWLockMode, type LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { Assert, ereport, SQLSTATE } from '../../utils/errors.ts';
import { SlruCtl, slruShmemInit, slruShmemSize, type SlruConfig } from './slru.ts';
import {
  FirstNormalTransactionId,
  InvalidTransactionId,
  transactionIdIsNormal,
  transactionIdPrecedes,
  type SubTransAccess,
  type TransactionId,
} from './transam.ts';

export const SUBTRANS_SLRU: SlruConfig = {
  name: 'Subtrans',
  dirName: 'pg_subtrans',
  nslots: NUM_SUBTRANS_BUFFERS,
  xactsPerPage: SUBTRANS_XACTS_PER_PAGE,
  syncOnCheckpoint: false,
};

export function subtransShmemSize(): number {
  return slruShmemSize(SUBTRANS_SLRU);
}

export function subtransShmemInit(shmem: Shmem): void {
  slruShmemInit(shmem, SUBTRANS_SLRU);
}

function pageOf(xid: TransactionId): number {
  return Math.floor(xid / SUBTRANS_XACTS_PER_PAGE);
}

function entryOf(xid: TransactionId): number {
  return xid % SUBTRANS_XACTS_PER_PAGE;
}

/** One backend's access to pg_subtrans. */
export class SubTrans implements SubTransAccess {
  readonly slru: SlruCtl;

  constructor(shmem: Shmem, lw: LWLockOwner, dir: StorageDirectory) {
    this.slru = new SlruCtl(shmem, lw, dir, SUBTRANS_SLRU);
  }

  /** SubTransSetParent (rule 2). */
  setParent(xid: TransactionId, parent: TransactionId): void {
    Assert(transactionIdIsNormal(xid) && transactionIdPrecedes(parent, xid), 'a parent XID precedes its child');
    const slru = this.slru;
    slru.lockControl(LWLockMode.Exclusive);
    try {
      const slot = slru.readPage(pageOf(xid), true, xid);
      const cur = slru.getU32(slot, entryOf(xid));
      if (cur !== parent) {
        Assert(cur === InvalidTransactionId, `pg_subtrans entry of ${xid} already set to ${cur}`);
        slru.setU32(slot, entryOf(xid), parent);
        slru.markDirty(slot);
      }
    } finally {
      slru.unlockControl();
    }
  }

  /** SubTransGetParent: 0 for a top-level XID and for the permanent XIDs. */
  getParent(xid: TransactionId): TransactionId {
    if (!transactionIdIsNormal(xid)) return InvalidTransactionId;
    const slru = this.slru;
    const slot = slru.readPageReadOnly(pageOf(xid), xid);
    const parent = slru.getU32(slot, entryOf(xid));
    slru.unlockControl();
    return parent;
  }

  /**
   * SubTransGetTopmostTransaction: follows parents up to the top-level XID,
   * stopping early at a parent older than `stopBefore` (rule 3; the caller
   * compares the answer with that same bound, so stopping changes nothing).
   */
  getTopmostTransaction(xid: TransactionId, stopBefore: TransactionId): TransactionId {
    let previous = xid;
    let parent = xid;
    for (let depth = 0; depth <= XACT_NESTING_DEPTH_MAX + 1; depth++) {
      if (parent === InvalidTransactionId) return previous;
      previous = parent;
      if (transactionIdPrecedes(parent, stopBefore)) return previous;
      parent = this.getParent(parent);
      // Parents are assigned before children; anything else is corruption that could loop forever.
      if (!transactionIdPrecedes(parent, previous)) {
        ereport(SQLSTATE.data_corrupted, `pg_subtrans contains invalid entry: xid ${previous} points to parent xid ${parent}`);
      }
    }
    return ereport(SQLSTATE.data_corrupted, `pg_subtrans parent chain of transaction ${xid} is too long`);
  }

  /** BootStrapSUBTRANS / pg_subtrans part of initdb: the page of the first XID, zeroed. */
  bootstrap(firstXid: TransactionId = FirstNormalTransactionId): void {
    const slru = this.slru;
    slru.lockControl(LWLockMode.Exclusive);
    try {
      slru.writePage(slru.zeroPage(pageOf(firstXid)));
    } finally {
      slru.unlockControl();
    }
  }

  /**
   * StartupSUBTRANS (rule 1): zeroes every page from the oldest active XID's
   * to nextXid's, wrapping around past the last page. Old files are removed
   * first: their contents describe transactions of the previous run.
   */
  startup(oldestActiveXid: TransactionId, nextXid: TransactionId): void {
    const slru = this.slru;
    slru.removeAllSegments();
    const endPage = pageOf(nextXid);
    const lastPage = Math.floor(2 ** 32 / SUBTRANS_XACTS_PER_PAGE) - 1;
    slru.lockControl(LWLockMode.Exclusive);
    try {
      let page = pageOf(oldestActiveXid);
      for (let n = 0; n <= lastPage; n++) {
        slru.zeroPage(page);
        if (page === endPage) break;
        page = page === lastPage ? 0 : page + 1;
      }
    } finally {
      slru.unlockControl();
    }
  }

  /** ExtendSUBTRANS, under XidGenLock: zero the page when `newestXact` is its first XID. */
  extend(newestXact: TransactionId): void {
    if (entryOf(newestXact) !== 0 && newestXact !== FirstNormalTransactionId) return;
    const slru = this.slru;
    slru.lockControl(LWLockMode.Exclusive);
    try {
      slru.zeroPage(pageOf(newestXact));
    } finally {
      slru.unlockControl();
    }
  }

  /**
   * CheckPointSUBTRANS plus TruncateSUBTRANS (rule 4): writes dirty pages
   * and drops pages before the one holding `oldestXmin`, the oldest XID any
   * snapshot may still ask about.
   */
  checkpoint(oldestXmin: TransactionId): void {
    this.slru.writeAll();
    if (oldestXmin === InvalidTransactionId) return;
    // The page before oldestXmin's is kept: PostgreSQL's TruncateSUBTRANS retreats one XID for safety.
    const cutoff = pageOf(oldestXmin === FirstNormalTransactionId ? oldestXmin : (oldestXmin - 1) >>> 0);
    this.slru.truncate(cutoff);
  }
}
