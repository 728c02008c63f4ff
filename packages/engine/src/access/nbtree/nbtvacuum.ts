/*
 * nbtvacuum.ts — VACUUM of a B-tree: removing the entries of dead heap rows,
 * deleting the pages that leaves empty, and recycling deleted pages
 * (PostgreSQL's btbulkdelete, btvacuumcleanup, btvacuumscan, btvacuumpage
 * in nbtree.c).
 *
 * Exports: btBulkDelete, btVacuumCleanup, BulkDeleteCallback.
 *
 * VACUUM reads the index in physical block order, not key order: that is
 * sequential I/O, and every page is seen once... except that a page split
 * during the scan can move entries from a page not yet read to one already
 * passed (the new right half may land on a lower block, a recycled one).
 * Splits therefore stamp both halves with the running VACUUM's cycle id
 * (nbtenv.ts BtVacuumCycles); a page carrying our cycle id whose right-link
 * points to a block we already passed sends us back there ("backtracking").
 *
 * Each leaf is processed under a cleanup lock (exclusive lock and the only
 * pin): a scan holding a pin on the page may still return entries it read
 * from it, and their heap TIDs must not be reused before it is done (heap
 * VACUUM reuses a TID only after every index has dropped it).
 */

import { BLCKSZ } from '../../constants.ts';
import { BUFFER_LOCK_UNLOCK } from '../../storage/buffer/buf_internals.ts';
import { itemIdGet, itemIdGetOffset, pageGetMaxOffsetNumber, pageIsNew, pageSetLSN } from '../../storage/page/bufpage.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import type { Tid } from '../common/itemptr.ts';
import { REGBUF_STANDARD, REGBUF_WILL_INIT } from '../transam/xloginsert.ts';
import type { IndexRelation } from './indexrel.ts';
import { itupGetHeapTid } from './itup.ts';
import type { BtEnv } from './nbtenv.ts';
import { BT_READ, BT_WRITE, btCheckPage, btDelItemsVacuum, btGetBuf, btGetMeta, btMetaToXl, btPageRecyclable, btRelBuf, btXLogInsert } from './nbtpage.ts';
import { btPageDel, type BtVacState, type IndexBulkDeleteResult } from './nbtpagedel.ts';
import {
  btPageFirstDataKey,
  btPageIgnore,
  btPageIsDeleted,
  btPageIsHalfDead,
  btPageIsLeaf,
  btPageIsRightmost,
  btWriteMeta,
  btpoCycleId,
  btpoFlags,
  btpoNext,
  btpoSetCycleId,
} from './nbtpageops.ts';
import { BTP_SPLIT_END, BTREE_METAPAGE, BTREE_MOVE_RIGHT_MAX, MAX_INDEX_TUPLES_PER_PAGE, P_NONE } from './nbtree_constants.ts';
import { SIZE_OF_XL_BTREE_METADATA, XLOG_BTREE_META_CLEANUP, writeXlMetadata } from './nbtxlog.ts';

export type { IndexBulkDeleteResult } from './nbtpagedel.ts';

/** Whether VACUUM should remove the entry for this heap TID (IndexBulkDeleteCallback). */
export type BulkDeleteCallback = (tid: Tid) => boolean;

const deletable = new Uint16Array(MAX_INDEX_TUPLES_PER_PAGE);
const xlMeta = new Uint8Array(SIZE_OF_XL_BTREE_METADATA);

function emptyStats(): IndexBulkDeleteResult {
  return { numPages: 0, numIndexTuples: 0, tuplesRemoved: 0, pagesNewlyDeleted: 0, pagesDeleted: 0, pagesFree: 0 };
}

/**
 * btbulkdelete: removes every entry whose heap TID the callback (or set)
 * names, deletes pages left empty, and returns the counters (added to
 * `stats` when VACUUM calls it more than once).
 */
export function btBulkDelete(
  rel: IndexRelation,
  env: BtEnv,
  dead: BulkDeleteCallback | ReadonlySet<Tid>,
  stats: IndexBulkDeleteResult | null = null,
): IndexBulkDeleteResult {
  const s = stats ?? emptyStats();
  const callback = typeof dead === 'function' ? dead : (tid: Tid): boolean => dead.has(tid);
  const cycleid = env.cycles.start(rel);
  try {
    vacuumScan(rel, env, s, callback, cycleid);
  } finally {
    env.cycles.end(rel);
  }
  return s;
}

/**
 * btvacuumcleanup: after the bulk deletes (or instead of them), counts the
 * index and recycles deleted pages; records in the metapage how many
 * deleted pages are not yet free.
 */
export function btVacuumCleanup(rel: IndexRelation, env: BtEnv, stats: IndexBulkDeleteResult | null): IndexBulkDeleteResult {
  let s = stats;
  if (s === null) {
    s = emptyStats();
    vacuumScan(rel, env, s, null, 0);
  }
  setCleanupInfo(rel, env, s.pagesDeleted - s.pagesFree);
  return s;
}

/** btvacuumscan: every block in physical order, including ones added during the scan. */
function vacuumScan(rel: IndexRelation, env: BtEnv, stats: IndexBulkDeleteResult, callback: BulkDeleteCallback | null, cycleid: number): void {
  stats.numIndexTuples = 0;
  stats.pagesDeleted = 0;
  stats.pagesFree = 0;
  const vstate: BtVacState = { stats, callback, cycleid, pending: [] };
  const bm = env.bufmgr;
  let scanblkno = BTREE_METAPAGE + 1;
  let numPages = 0;
  for (;;) {
    numPages = bm.nblocks(rel.locator, ForkNumber.MAIN);
    if (scanblkno >= numPages) break;
    for (; scanblkno < numPages; scanblkno++) vacuumPage(rel, env, vstate, scanblkno);
  }
  stats.numPages = numPages;
  // _bt_pendingfsm_finalize: pages deleted just now may already be safe to reuse.
  for (const p of vstate.pending) {
    if (!env.xids.isRemovableFullXid(p.safexid)) break;
    env.fsm.recordFreeSpace(rel.locator, p.blkno, BLCKSZ);
    stats.pagesFree++;
  }
}

/** btvacuumpage: one block, and the blocks it sends us back to. */
function vacuumPage(rel: IndexRelation, env: BtEnv, vstate: BtVacState, scanblkno: number): void {
  const bm = env.bufmgr;
  const stats = vstate.stats;
  let blkno = scanblkno;
  for (let backtracks = 0; backtracks < BTREE_MOVE_RIGHT_MAX; backtracks++) {
    let backtrackTo = P_NONE;
    const buf = bm.readBuffer(rel.locator, ForkNumber.MAIN, blkno);
    bm.lockBuffer(buf, BT_READ);
    const page = bm.getPage(buf);
    const isNew = pageIsNew(page);
    if (!isNew) {
      try {
        btCheckPage(rel, page, blkno);
      } catch (e) {
        bm.unlockReleaseBuffer(buf);
        throw e;
      }
    }
    if (blkno !== scanblkno) {
      // Backtracking: only a live leaf split off during this VACUUM matters.
      if (isNew || !btPageIsLeaf(page) || btPageIgnore(page) || btpoCycleId(page) !== vstate.cycleid) {
        btRelBuf(env, buf);
        return;
      }
    }
    let attemptPagedel = false;
    if (btPageRecyclable(rel, env, page, blkno)) {
      // A deleted page no one can reach any more, or a page extended and never used.
      env.fsm.recordFreeSpace(rel.locator, blkno, BLCKSZ);
      stats.pagesDeleted++;
      stats.pagesFree++;
    } else if (btPageIsDeleted(page)) {
      stats.pagesDeleted++;
    } else if (btPageIsHalfDead(page)) {
      attemptPagedel = true; // an earlier VACUUM was interrupted; finish the deletion
    } else if (btPageIsLeaf(page)) {
      bm.lockBuffer(buf, BUFFER_LOCK_UNLOCK);
      bm.lockBufferForCleanup(buf);
      const p = bm.getPage(buf);
      if (vstate.cycleid !== 0 && btpoCycleId(p) === vstate.cycleid && (btpoFlags(p) & BTP_SPLIT_END) === 0 &&
          !btPageIsRightmost(p) && btpoNext(p) < scanblkno) {
        backtrackTo = btpoNext(p);
      }
      const minoff = btPageFirstDataKey(p);
      let maxoff = pageGetMaxOffsetNumber(p);
      let n = 0;
      if (vstate.callback !== null) {
        for (let off = minoff; off <= maxoff; off++) {
          if (vstate.callback(itupGetHeapTid(p, itemIdGetOffset(itemIdGet(p, off))))) deletable[n++] = off;
        }
      }
      if (n > 0) {
        btDelItemsVacuum(env, buf, deletable, n);
        stats.tuplesRemoved += n;
        maxoff = pageGetMaxOffsetNumber(p);
      } else if (vstate.cycleid !== 0 && btpoCycleId(p) === vstate.cycleid) {
        // Not worth a WAL record: forget the cycle id so a backtrack does not come here again.
        btpoSetCycleId(p, 0);
        bm.markBufferDirtyHint(buf, true);
      }
      if (minoff > maxoff) attemptPagedel = blkno === scanblkno;
      else stats.numIndexTuples += maxoff - minoff + 1;
    }
    if (attemptPagedel) btPageDel(rel, env, buf, vstate);
    else btRelBuf(env, buf);
    if (backtrackTo === P_NONE) return;
    blkno = backtrackTo;
  }
}

/**
 * _bt_set_cleanup_info: remembers in the metapage how many deleted pages
 * await recycling (a META_CLEANUP record when the number changes).
 */
function setCleanupInfo(rel: IndexRelation, env: BtEnv, numDelpages: number): void {
  const bm = env.bufmgr;
  const metabuf = btGetBuf(rel, env, BTREE_METAPAGE, BT_READ);
  const meta = btGetMeta(rel, bm.getPage(metabuf));
  if (meta.lastCleanupNumDelpages === numDelpages) {
    btRelBuf(env, metabuf);
    return;
  }
  bm.lockBuffer(metabuf, BUFFER_LOCK_UNLOCK);
  bm.lockBuffer(metabuf, BT_WRITE);
  const metapage = bm.getPage(metabuf);
  const m = btGetMeta(rel, metapage);
  m.lastCleanupNumDelpages = numDelpages;
  btWriteMeta(metapage, m);
  bm.markBufferDirty(metabuf);
  const wal = env.wal;
  wal.beginInsert();
  wal.registerBuffer(0, metabuf, REGBUF_WILL_INIT | REGBUF_STANDARD);
  writeXlMetadata(xlMeta, 0, btMetaToXl(m));
  wal.registerBufData(0, xlMeta, 0, SIZE_OF_XL_BTREE_METADATA);
  pageSetLSN(metapage, btXLogInsert(env, XLOG_BTREE_META_CLEANUP));
  btRelBuf(env, metabuf);
}
