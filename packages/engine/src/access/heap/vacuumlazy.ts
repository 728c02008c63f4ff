/*
 * vacuumlazy.ts — VACUUM of one heap (PostgreSQL's vacuumlazy.c).
 *
 * Three phases, as in PostgreSQL:
 *   1. Scan every page under a cleanup lock: prune it (pruneheap.ts), collect
 *      the TIDs of LP_DEAD line pointers, freeze tuples older than the freeze
 *      cutoff, and set the page all-visible (and all-frozen) in the page
 *      header and the visibility map when every tuple is visible to everyone.
 *   2. Remove the dead TIDs from every index (the callers' bulk-delete
 *      callbacks; a table without indexes marks them unused already in phase 1).
 *   3. Set the collected LP_DEAD line pointers LP_UNUSED, record free space
 *      in the FSM, and truncate empty pages at the end of the relation.
 *
 * Freezing makes 32-bit XIDs safe to wrap around: a tuple whose xmin is
 * HEAP_XMIN_FROZEN is older than every XID, whatever the counter reads. The
 * new relfrozenxid returned is the oldest XID still present unfrozen in the
 * table (or the oldest-xmin horizon when none is): the caller stores it
 * (pg_class.relfrozenxid) and advances the cluster's oldestXid from the
 * minimum over all tables, which lets CLOG be truncated and the wraparound
 * limits move forward.
 *
 * Differences from PostgreSQL: every page is scanned (no skipping of
 * all-visible pages), so every VACUUM may advance relfrozenxid; truncation
 * does not need PostgreSQL's 1000-page minimum.
 */

import { BLCKSZ, VACUUM_FREEZE_MIN_AGE } from '../../constants.ts';
import { BUFFER_LOCK_UNLOCK } from '../../storage/buffer/buf_internals.ts';
import {
  itemIdGet, itemIdGetFlags, itemIdGetOffset, itemIdSetUnused, LP_DEAD, LP_NORMAL, LP_REDIRECT, LP_UNUSED, pageGetHeapFreeSpace,
  pageGetMaxOffsetNumber, pageIsAllVisible, pageIsNew, pageRepairFragmentation, pageSetAllVisible, pageSetLSN,
} from '../../storage/page/bufpage.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import {
  HEAP_HOT_UPDATED, HEAP_KEYS_UPDATED, HEAP_XMAX_COMMITTED, HEAP_XMAX_INVALID, HEAP_XMAX_IS_MULTI, HEAP_XMIN_FROZEN,
  HEAP_XMIN_INVALID, htupGetInfomask, htupGetInfomask2, htupGetXmax, htupGetXmin, htupSetInfomask, htupSetInfomask2,
  htupSetXmax, xmaxIsLockedOnly,
} from '../common/htup_details.ts';
import { makeTid, type Tid } from '../common/itemptr.ts';
import { RM_HEAP2_ID } from '../transam/rmgr.ts';
import {
  FirstNormalTransactionId, transactionIdIsNormal, transactionIdPrecedes,
} from '../transam/transam.ts';
import { REGBUF_STANDARD } from '../transam/xloginsert.ts';
import type { HeapAM } from './heapam.ts';
import { HTSV_Result, type HeapSnapshot } from './heapam_env.ts';
import {
  putU16, putU32, SIZE_OF_HEAP_FREEZE_TUPLE, XLOG_HEAP2_FREEZE_PAGE, XLOG_HEAP2_VACUUM, XLOG_HEAP2_VISIBLE,
} from './heapam_xlog.ts';
import { heapPagePrune } from './pruneheap.ts';
import type { Relation } from './relation.ts';
import { VISIBILITYMAP_ALL_FROZEN, VISIBILITYMAP_ALL_VISIBLE } from './visibilitymap.ts';

export interface VacuumOptions {
  /** VACUUM FREEZE: freeze every tuple visible to all (freeze_min_age 0). */
  freeze?: boolean;
  /** Index bulk-delete callbacks: remove index entries pointing at these TIDs. */
  indexBulkDelete?: ((deadTids: readonly Tid[]) => void)[];
  /** Truncate empty trailing pages (default true). */
  truncate?: boolean;
  /** Cut the relation's files (catalog/storage.ts relationTruncate, bound to the backend). */
  truncateRelation?: (rel: Relation, nblocks: number) => void;
}

export interface VacuumStats {
  pagesScanned: number;
  pagesRemoved: number;
  tuplesRemoved: number;
  liveTuples: number;
  deadTuplesRemaining: number;
  tuplesFrozen: number;
  pagesAllVisible: number;
  pagesAllFrozen: number;
  /** The relation's new relfrozenxid. */
  newRelFrozenXid: number;
  /** Pages after truncation (pg_class.relpages). */
  relPages: number;
}

const freezeBuf = new Uint8Array(292 * SIZE_OF_HEAP_FREEZE_TUPLE);
const freezeMain = new Uint8Array(6);
const vacBuf = new Uint8Array(292 * 2);
const visMain = new Uint8Array(5);

export function lazyVacuumHeap<S extends HeapSnapshot>(heap: HeapAM<S>, rel: Relation, options: VacuumOptions = {}): VacuumStats {
  const env = heap.env;
  const { bufmgr, fsm, wal } = env;
  const oldestXmin = env.vis.oldestXmin();
  const freezeAge = options.freeze ? 0 : VACUUM_FREEZE_MIN_AGE;
  let freezeLimit = (oldestXmin - freezeAge) >>> 0;
  if (!transactionIdIsNormal(freezeLimit) || transactionIdPrecedes(oldestXmin, freezeLimit)) freezeLimit = FirstNormalTransactionId;
  const hasIndexes = (options.indexBulkDelete?.length ?? 0) > 0;
  const stats: VacuumStats = {
    pagesScanned: 0, pagesRemoved: 0, tuplesRemoved: 0, liveTuples: 0, deadTuplesRemaining: 0, tuplesFrozen: 0,
    pagesAllVisible: 0, pagesAllFrozen: 0, newRelFrozenXid: oldestXmin, relPages: 0,
  };
  const noteUnfrozen = (xid: number): void => {
    if (transactionIdIsNormal(xid) && transactionIdPrecedes(xid, stats.newRelFrozenXid)) stats.newRelFrozenXid = xid;
  };

  const nblocks = bufmgr.nblocks(rel.locator, ForkNumber.MAIN);
  const deadTids: Tid[] = [];
  const pagesWithDead: number[] = [];

  // Phase 1.
  for (let blk = 0; blk < nblocks; blk++) {
    stats.pagesScanned++;
    const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, blk);
    bufmgr.lockBufferForCleanup(buffer);
    const page = bufmgr.getPage(buffer);
    if (pageIsNew(page)) {
      // Extended but never initialized (a crash after extension): empty space.
      bufmgr.unlockReleaseBuffer(buffer);
      fsm.recordFreeSpace(rel.locator, blk, BLCKSZ - 24 - 4);
      continue;
    }
    const pruned = heapPagePrune(env, buffer, oldestXmin, !hasIndexes);
    stats.tuplesRemoved += pruned.ndeleted;

    let allVisible = true;
    let allFrozen = true;
    let nfrozen = 0;
    let hasDead = false;
    let visibilityCutoff = 0;
    const maxOff = pageGetMaxOffsetNumber(page);
    for (let off = 1; off <= maxOff; off++) {
      const lp = itemIdGet(page, off);
      const flags = itemIdGetFlags(lp);
      if (flags === LP_UNUSED) continue;
      if (flags === LP_DEAD) {
        deadTids.push(makeTid(blk, off));
        hasDead = true;
        allVisible = false;
        continue;
      }
      if (flags !== LP_NORMAL) continue; // redirect
      const at = itemIdGetOffset(lp);
      const state = env.vis.satisfiesVacuum(page, at, oldestXmin, buffer);
      const xmin = htupGetXmin(page, at);
      let infomask = htupGetInfomask(page, at);
      if (state === HTSV_Result.HEAPTUPLE_LIVE) {
        stats.liveTuples++;
        const xminFrozen = (infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN;
        if (!xminFrozen && !transactionIdPrecedes(xmin, oldestXmin)) allVisible = false;
        if (!xminFrozen && transactionIdIsNormal(xmin) && (visibilityCutoff === 0 || transactionIdPrecedes(visibilityCutoff, xmin))) visibilityCutoff = xmin;
        // heap_prepare_freeze_tuple: freeze xmin; clear an xmax that can no longer matter.
        let newXmax = htupGetXmax(page, at);
        let infomask2 = htupGetInfomask2(page, at);
        let changed = false;
        if (!xminFrozen && transactionIdIsNormal(xmin) && transactionIdPrecedes(xmin, freezeLimit)) {
          infomask |= HEAP_XMIN_FROZEN;
          changed = true;
        }
        // A live tuple's xmax is an aborted deleter or a finished locker. It is
        // judged by the raw XID, not by the XMAX_INVALID hint: hints are not
        // WAL-logged and may be lost in a crash, and relfrozenxid must not pass
        // an XID still written in a tuple, or CLOG may be truncated under it
        // (README.md rule 7).
        // A MultiXactId of lockers (multixact.ts) is cleared once none of them runs; while one
        // does, the running members (not the multi's id, which is no XID) bound relfrozenxid.
        // On a live tuple a multi's updater member, if any, aborted: it counts as one more locker.
        let runningLockers: number[] | null = null;
        if (newXmax !== 0 && (infomask & HEAP_XMAX_IS_MULTI) !== 0) {
          runningLockers = env.vis.multiXactRunningMembers?.(newXmax) ?? null;
        }
        if (runningLockers !== null && runningLockers.length === 0) {
          newXmax = 0;
          infomask = (infomask & ~(HEAP_XMAX_COMMITTED | HEAP_XMAX_IS_MULTI | 0x00d0)) | HEAP_XMAX_INVALID;
          infomask2 &= ~(HEAP_HOT_UPDATED | HEAP_KEYS_UPDATED);
          changed = true;
        } else if (newXmax !== 0 && (infomask & HEAP_XMAX_IS_MULTI) === 0 && transactionIdPrecedes(newXmax, freezeLimit) &&
          (xmaxIsLockedOnly(infomask) || (infomask & HEAP_XMAX_COMMITTED) === 0)) {
          newXmax = 0;
          infomask = (infomask & ~(HEAP_XMAX_COMMITTED | 0x00d0)) | HEAP_XMAX_INVALID;
          infomask2 &= ~(HEAP_HOT_UPDATED | HEAP_KEYS_UPDATED);
          changed = true;
        }
        if (changed) {
          const o = nfrozen * SIZE_OF_HEAP_FREEZE_TUPLE;
          putU16(freezeBuf, o, off);
          putU32(freezeBuf, o + 2, xmin);
          putU32(freezeBuf, o + 6, newXmax);
          putU16(freezeBuf, o + 10, infomask);
          putU16(freezeBuf, o + 12, infomask2);
          nfrozen++;
        }
        if ((infomask & HEAP_XMIN_FROZEN) !== HEAP_XMIN_FROZEN) {
          allFrozen = false;
          noteUnfrozen(xmin);
        }
        if (newXmax !== 0) {
          allFrozen = false;
          if (runningLockers !== null) for (const x of runningLockers) noteUnfrozen(x);
          else if ((infomask & HEAP_XMAX_IS_MULTI) === 0) noteUnfrozen(newXmax);
        }
      } else {
        allVisible = false;
        allFrozen = false;
        if (state === HTSV_Result.HEAPTUPLE_RECENTLY_DEAD || state === HTSV_Result.HEAPTUPLE_DELETE_IN_PROGRESS) stats.deadTuplesRemaining++;
        if ((infomask & HEAP_XMIN_INVALID) === 0) noteUnfrozen(xmin);
        if ((infomask & HEAP_XMAX_IS_MULTI) === 0) noteUnfrozen(htupGetXmax(page, at));
        else {
          // A multi's updater (HeapTupleGetUpdateXid) and its running lockers stay written in the tuple.
          const upd = env.vis.tupleUpdateXid?.(page, at) ?? 0;
          if (upd !== 0) noteUnfrozen(upd);
          for (const x of env.vis.multiXactRunningMembers?.(htupGetXmax(page, at)) ?? []) noteUnfrozen(x);
        }
      }
    }

    if (nfrozen > 0) {
      heapExecuteFreeze(page, freezeBuf, nfrozen);
      bufmgr.markBufferDirty(buffer);
      putU32(freezeMain, 0, oldestXmin);
      putU16(freezeMain, 4, nfrozen);
      wal.beginInsert();
      wal.registerData(freezeMain, 0, 6);
      wal.registerBuffer(0, buffer, REGBUF_STANDARD);
      wal.registerBufData(0, freezeBuf, 0, nfrozen * SIZE_OF_HEAP_FREEZE_TUPLE);
      pageSetLSN(page, wal.insert(RM_HEAP2_ID, XLOG_HEAP2_FREEZE_PAGE, 0));
      stats.tuplesFrozen += nfrozen;
    }

    if (allVisible && !hasDead) {
      setAllVisible(heap, rel, buffer, blk, visibilityCutoff, allFrozen);
      stats.pagesAllVisible++;
      if (allFrozen) stats.pagesAllFrozen++;
    }
    if (hasDead) pagesWithDead.push(blk);
    const free = pageGetHeapFreeSpace(page);
    bufmgr.lockBuffer(buffer, BUFFER_LOCK_UNLOCK);
    bufmgr.releaseBuffer(buffer);
    if (!hasDead) fsm.recordFreeSpace(rel.locator, blk, free);
  }

  // Phase 2: indexes.
  if (deadTids.length > 0) for (const bulkDelete of options.indexBulkDelete ?? []) bulkDelete(deadTids);

  // Phase 3: dead line pointers become unused.
  for (const blk of pagesWithDead) {
    const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, blk);
    bufmgr.lockBufferForCleanup(buffer);
    const page = bufmgr.getPage(buffer);
    const maxOff = pageGetMaxOffsetNumber(page);
    let n = 0;
    for (let off = 1; off <= maxOff; off++) {
      if (itemIdGetFlags(itemIdGet(page, off)) === LP_DEAD) {
        itemIdSetUnused(page, off);
        putU16(vacBuf, n * 2, off);
        n++;
      }
    }
    if (n > 0) {
      pageRepairFragmentation(page);
      bufmgr.markBufferDirty(buffer);
      const main = new Uint8Array(2);
      putU16(main, 0, n);
      wal.beginInsert();
      wal.registerData(main, 0, 2);
      wal.registerBuffer(0, buffer, REGBUF_STANDARD);
      wal.registerBufData(0, vacBuf, 0, n * 2);
      pageSetLSN(page, wal.insert(RM_HEAP2_ID, XLOG_HEAP2_VACUUM, 0));
    }
    // lazy_vacuum_heap_page: with its dead items gone the page may now be
    // all-visible, which index-only scans want right after VACUUM.
    const vis = heapPageIsAllVisible(heap, page, buffer, oldestXmin);
    if (vis !== null) {
      setAllVisible(heap, rel, buffer, blk, vis.cutoff, vis.allFrozen);
      stats.pagesAllVisible++;
      if (vis.allFrozen) stats.pagesAllFrozen++;
    }
    const free = pageGetHeapFreeSpace(page);
    bufmgr.unlockReleaseBuffer(buffer);
    fsm.recordFreeSpace(rel.locator, blk, free);
  }

  // Truncation of empty trailing pages.
  let newNblocks = nblocks;
  if (options.truncate !== false && options.truncateRelation !== undefined) {
    while (newNblocks > 0 && pageIsEmptyOfTuples(heap, rel, newNblocks - 1)) newNblocks--;
    if (newNblocks < nblocks) {
      options.truncateRelation(rel, newNblocks);
      stats.pagesRemoved = nblocks - newNblocks;
      rel.targetBlock = -1;
      rel.fsmHint = 0;
    }
  }
  stats.relPages = newNblocks;
  return stats;
}

/**
 * Sets PD_ALL_VISIBLE and the VM bits of a cleanup-locked page whose
 * tuples are all visible to everyone (and frozen, with allFrozen), logging
 * XLOG_HEAP2_VISIBLE with the newest xmin as the conflict horizon.
 */
function setAllVisible<S extends HeapSnapshot>(heap: HeapAM<S>, rel: Relation, buffer: number, blk: number, cutoff: number, allFrozen: boolean): void {
  const { bufmgr, vm, wal } = heap.env;
  const page = bufmgr.getPage(buffer);
  const vmBits = VISIBILITYMAP_ALL_VISIBLE | (allFrozen ? VISIBILITYMAP_ALL_FROZEN : 0);
  if (pageIsAllVisible(page) && (vm.getStatus(rel.locator, blk) & vmBits) === vmBits) return;
  const vmBuf = vm.pin(rel.locator, blk, true);
  pageSetAllVisible(page);
  bufmgr.markBufferDirty(buffer);
  putU32(visMain, 0, cutoff);
  visMain[4] = vmBits;
  wal.beginInsert();
  wal.registerData(visMain, 0, 5);
  wal.registerBuffer(0, vmBuf, 0);
  wal.registerBuffer(1, buffer, REGBUF_STANDARD);
  const lsn = wal.insert(RM_HEAP2_ID, XLOG_HEAP2_VISIBLE, 0);
  pageSetLSN(page, lsn);
  vm.set(vmBuf, blk, vmBits, lsn);
  vm.release(vmBuf);
}

/**
 * heap_page_is_all_visible: every tuple on the locked page is live and was
 * inserted before `oldestXmin` (so every snapshot sees it), and no dead
 * item is left. Null if not; otherwise whether all are frozen too, and the
 * newest xmin (the record's conflict horizon).
 */
function heapPageIsAllVisible<S extends HeapSnapshot>(heap: HeapAM<S>, page: Uint8Array, buffer: number, oldestXmin: number): { allFrozen: boolean; cutoff: number } | null {
  const vis = heap.env.vis;
  let allFrozen = true;
  let cutoff = 0;
  const maxOff = pageGetMaxOffsetNumber(page);
  for (let off = 1; off <= maxOff; off++) {
    const lp = itemIdGet(page, off);
    const flags = itemIdGetFlags(lp);
    if (flags === LP_UNUSED || flags === LP_REDIRECT) continue;
    if (flags === LP_DEAD) return null;
    const at = itemIdGetOffset(lp);
    if (vis.satisfiesVacuum(page, at, oldestXmin, buffer) !== HTSV_Result.HEAPTUPLE_LIVE) return null;
    const infomask = htupGetInfomask(page, at);
    const xmin = htupGetXmin(page, at);
    if ((infomask & HEAP_XMIN_FROZEN) !== HEAP_XMIN_FROZEN) {
      if (!transactionIdPrecedes(xmin, oldestXmin)) return null;
      if (transactionIdIsNormal(xmin) && (cutoff === 0 || transactionIdPrecedes(cutoff, xmin))) cutoff = xmin;
      allFrozen = false;
    }
    if (htupGetXmax(page, at) !== 0) allFrozen = false;
  }
  return { allFrozen, cutoff };
}

/** A page with no line pointer in use (count_nondeletable_pages). */
function pageIsEmptyOfTuples<S extends HeapSnapshot>(heap: HeapAM<S>, rel: Relation, blk: number): boolean {
  const bufmgr = heap.env.bufmgr;
  const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, blk);
  bufmgr.lockBuffer(buffer, 2);
  const page = bufmgr.getPage(buffer);
  let empty = true;
  if (!pageIsNew(page)) {
    const maxOff = pageGetMaxOffsetNumber(page);
    for (let off = 1; off <= maxOff; off++) {
      if (itemIdGetFlags(itemIdGet(page, off)) !== LP_UNUSED) {
        empty = false;
        break;
      }
    }
  }
  bufmgr.unlockReleaseBuffer(buffer);
  return empty;
}

/** heap_freeze_execute_prepared: applies freeze plans (shared with redo). */
export function heapExecuteFreeze(page: Uint8Array, plans: Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const o = i * SIZE_OF_HEAP_FREEZE_TUPLE;
    const off = plans[o] | (plans[o + 1] << 8);
    const at = itemIdGetOffset(itemIdGet(page, off));
    const xmax = (plans[o + 6] | (plans[o + 7] << 8) | (plans[o + 8] << 16) | (plans[o + 9] << 24)) >>> 0;
    htupSetXmax(page, at, xmax);
    htupSetInfomask(page, at, plans[o + 10] | (plans[o + 11] << 8));
    htupSetInfomask2(page, at, plans[o + 12] | (plans[o + 13] << 8));
  }
}

/** Line pointers made unused by VACUUM's third phase (redo of XLOG_HEAP2_VACUUM). */
export function heapExecuteVacuum(page: Uint8Array, offsets: Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) itemIdSetUnused(page, offsets[i * 2] | (offsets[i * 2 + 1] << 8));
  pageRepairFragmentation(page);
}

