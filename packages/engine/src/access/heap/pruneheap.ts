/*
 * pruneheap.ts — page pruning: reclaiming dead tuples and collapsing HOT
 * chains within one heap page (PostgreSQL's pruneheap.c, README.HOT).
 *
 * A HOT chain starts at a root line pointer (a normal tuple that is not
 * heap-only, or a redirect left by earlier pruning) and follows t_ctid
 * through heap-only tuples on the same page. Pruning walks each chain and
 * finds its last DEAD member; every member up to it is removed:
 *
 *   root (normal or redirect) -> v1 (dead) -> v2 (dead) -> v3 (live)
 *   becomes
 *   root: LP_REDIRECT -> v3     v1, v2: LP_UNUSED
 *
 * and a chain that is dead to its end leaves its root LP_DEAD (an index may
 * still point at it; VACUUM sets it LP_UNUSED after cleaning the indexes),
 * or LP_UNUSED straight away when the relation has no indexes.
 *
 * Rules:
 *  1. Pruning needs a cleanup lock (exclusive lock, no other pin): other
 *     backends may hold pointers into the page while they hold a pin.
 *  2. Line pointer numbers never change (indexes and ctid chains name them);
 *     only tuple bytes move (pageRepairFragmentation).
 *  3. A tuple is removed only when HeapTupleSatisfiesVacuum says DEAD against
 *     the oldest xmin any snapshot may still use.
 *  4. Pruning is WAL-logged (XLOG_HEAP2_PRUNE) with the resulting line
 *     pointer states, and redo applies exactly those.
 *  5. heapPagePruneOpt is opportunistic: it gives up rather than wait for the
 *     cleanup lock, and only prunes when pd_prune_xid says something may be
 *     dead and the page is short of space.
 */

import { BLCKSZ } from '../../constants.ts';
import { BUFFER_LOCK_UNLOCK } from '../../storage/buffer/buf_internals.ts';
import {
  itemIdGet, itemIdGetFlags, itemIdGetOffset, itemIdSetDead, itemIdSetRedirect, itemIdSetUnused, LP_DEAD, LP_NORMAL,
  LP_REDIRECT, LP_UNUSED, pageClearFull, pageGetHeapFreeSpace, pageGetMaxOffsetNumber, pageGetPrunXid, pageIsFull,
  pageRepairFragmentation, pageSetLSN, pageSetPrunXid,
} from '../../storage/page/bufpage.ts';
import {
  HEAP_HOT_UPDATED, HEAP_ONLY_TUPLE, htupGetCtidBlock, htupGetCtidOffset, htupGetInfomask2, htupGetXmax, htupGetXmin,
} from '../common/htup_details.ts';
import { RM_HEAP2_ID } from '../transam/rmgr.ts';
import { REGBUF_STANDARD } from '../transam/xloginsert.ts';
import { HTSV_Result, type HeapEnv, type HeapSnapshot } from './heapam_env.ts';
import { putU16, putU32, SIZE_OF_HEAP_PRUNE, XLOG_HEAP2_PRUNE } from './heapam_xlog.ts';
import { transactionIdPrecedes } from '../transam/transam.ts';
import type { Relation } from './relation.ts';

export interface PruneResult {
  /** Tuples removed (made dead or unused). */
  ndeleted: number;
  /** Line pointers newly set LP_DEAD (VACUUM must clean indexes for them). */
  nnewlpdead: number;
}

/** Scratch shared by every prune in this backend (pruning is never re-entered). */
const MAX_ITEMS = 292;
const htsv = new Int8Array(MAX_ITEMS);
const marked = new Uint8Array(MAX_ITEMS);
const chain = new Uint16Array(MAX_ITEMS);
const redirected = new Uint16Array(MAX_ITEMS * 2);
const nowDead = new Uint16Array(MAX_ITEMS);
const nowUnused = new Uint16Array(MAX_ITEMS);
const walData = new Uint8Array(MAX_ITEMS * 2 * 4);
const walMain = new Uint8Array(SIZE_OF_HEAP_PRUNE);

/**
 * heap_page_prune_opt: prunes the pinned (unlocked) buffer if it looks worth
 * it and the cleanup lock is free; `needed` is the room the caller wants.
 */
export function heapPagePruneOpt<S extends HeapSnapshot>(env: HeapEnv<S>, rel: Relation, buffer: number, needed: number): void {
  const bufmgr = env.bufmgr;
  const page = bufmgr.getPage(buffer);
  const pruneXid = pageGetPrunXid(page);
  if (pruneXid === 0) return;
  const oldestXmin = env.vis.oldestXmin();
  if (!transactionIdPrecedes(pruneXid, oldestXmin)) return;
  const minfree = Math.max(needed, Math.floor((BLCKSZ * (100 - rel.fillfactor)) / 100), BLCKSZ / 10);
  if (!pageIsFull(page) && pageGetHeapFreeSpace(page) >= minfree) return;
  if (!bufmgr.conditionalLockBufferForCleanup(buffer)) return;
  try {
    if (pageIsFull(page) || pageGetHeapFreeSpace(page) < minfree) heapPagePrune(env, buffer, oldestXmin, false);
  } finally {
    bufmgr.lockBuffer(buffer, BUFFER_LOCK_UNLOCK);
  }
}

/**
 * heap_page_prune: the caller holds a cleanup lock. With `markUnusedNow`
 * (a relation without indexes) dead roots become LP_UNUSED directly.
 */
export function heapPagePrune<S extends HeapSnapshot>(env: HeapEnv<S>, buffer: number, oldestXmin: number, markUnusedNow: boolean): PruneResult {
  const bufmgr = env.bufmgr;
  const page = bufmgr.getPage(buffer);
  const maxOff = pageGetMaxOffsetNumber(page);
  let nredirected = 0;
  let ndead = 0;
  let nunused = 0;
  // Tuples removed, counted as PostgreSQL's heap_prune_chain does: every
  // chain member made unused, plus the root when it held a tuple (changing a
  // redirect, even to dead, removes no tuple).
  let ndeleted = 0;
  let newPruneXid = 0;
  const recordPrunable = (xid: number): void => {
    if (xid >= 3 && (newPruneXid === 0 || transactionIdPrecedes(xid, newPruneXid))) newPruneXid = xid;
  };

  for (let off = 1; off <= maxOff; off++) {
    marked[off] = 0;
    const lp = itemIdGet(page, off);
    htsv[off] = itemIdGetFlags(lp) === LP_NORMAL ? env.vis.satisfiesVacuum(page, itemIdGetOffset(lp), oldestXmin, buffer) : -1;
  }

  const recordDead = (off: number): void => {
    if (markUnusedNow) nowUnused[nunused++] = off;
    else nowDead[ndead++] = off;
    marked[off] = 1;
  };

  for (let root = 1; root <= maxOff; root++) {
    if (marked[root]) continue;
    const rootLp = itemIdGet(page, root);
    const rootFlags = itemIdGetFlags(rootLp);
    if (rootFlags === LP_UNUSED || rootFlags === LP_DEAD) continue;
    if (rootFlags === LP_NORMAL && (htupGetInfomask2(page, itemIdGetOffset(rootLp)) & HEAP_ONLY_TUPLE) !== 0) continue;

    // Walk the chain from the root.
    let nchain = 0;
    let latestDead = 0;
    let off = root;
    let priorXmax = 0;
    for (let guard = 0; guard <= maxOff; guard++) {
      if (off < 1 || off > maxOff || marked[off]) break;
      const lp = itemIdGet(page, off);
      const flags = itemIdGetFlags(lp);
      if (flags === LP_UNUSED || flags === LP_DEAD) break;
      if (flags === LP_REDIRECT) {
        if (nchain > 0) break; // only a root may be a redirect
        chain[nchain++] = off;
        off = itemIdGetOffset(lp);
        continue;
      }
      const at = itemIdGetOffset(lp);
      if (priorXmax !== 0 && htupGetXmin(page, at) !== priorXmax) break;
      chain[nchain++] = off;
      const state = htsv[off];
      let tupdead = false;
      let recentDead = false;
      if (state === HTSV_Result.HEAPTUPLE_DEAD) tupdead = true;
      else if (state === HTSV_Result.HEAPTUPLE_RECENTLY_DEAD) {
        recentDead = true;
        recordPrunable(updateXid(env, page, at));
      } else if (state === HTSV_Result.HEAPTUPLE_DELETE_IN_PROGRESS) {
        recordPrunable(updateXid(env, page, at));
      } else if (state === HTSV_Result.HEAPTUPLE_INSERT_IN_PROGRESS) {
        recordPrunable(htupGetXmin(page, at));
      }
      if (tupdead) latestDead = off;
      else if (!recentDead) break;
      if ((htupGetInfomask2(page, at) & HEAP_HOT_UPDATED) === 0) break;
      if (htupGetCtidBlock(page, at) !== bufmgr.getBlockNumber(buffer)) break;
      priorXmax = updateXid(env, page, at);
      off = htupGetCtidOffset(page, at);
    }

    if (latestDead !== 0) {
      let i = 1;
      for (; i < nchain && chain[i - 1] !== latestDead; i++) {
        nowUnused[nunused++] = chain[i];
        marked[chain[i]] = 1;
        ndeleted++;
      }
      if (rootFlags === LP_NORMAL) ndeleted++;
      if (i >= nchain) {
        recordDead(root);
      } else {
        redirected[nredirected * 2] = root;
        redirected[nredirected * 2 + 1] = chain[i];
        nredirected++;
        marked[root] = 1;
      }
    } else if (nchain < 2 && rootFlags === LP_REDIRECT) {
      // A redirect whose target is gone.
      recordDead(root);
    }
    for (let k = 0; k < nchain; k++) marked[chain[k]] = 1;
  }

  // Heap-only tuples no chain reached: dead orphans of aborted HOT updates.
  for (let off = 1; off <= maxOff; off++) {
    if (marked[off] || htsv[off] !== HTSV_Result.HEAPTUPLE_DEAD) continue;
    const lp = itemIdGet(page, off);
    if ((htupGetInfomask2(page, itemIdGetOffset(lp)) & HEAP_ONLY_TUPLE) !== 0) {
      nowUnused[nunused++] = off;
      marked[off] = 1;
      ndeleted++;
    }
  }

  const changed = nredirected + ndead + nunused > 0;
  if (changed) {
    heapPagePruneExecute(page, redirected, nredirected, nowDead, ndead, nowUnused, nunused);
    pageSetPrunXid(page, newPruneXid);
    pageClearFull(page);
    bufmgr.markBufferDirty(buffer);
    putU32(walMain, 0, oldestXmin);
    putU16(walMain, 4, nredirected);
    putU16(walMain, 6, ndead);
    let o = 0;
    for (let k = 0; k < nredirected * 2; k++, o += 2) putU16(walData, o, redirected[k]);
    for (let k = 0; k < ndead; k++, o += 2) putU16(walData, o, nowDead[k]);
    for (let k = 0; k < nunused; k++, o += 2) putU16(walData, o, nowUnused[k]);
    const wal = env.wal;
    wal.beginInsert();
    wal.registerData(walMain, 0, SIZE_OF_HEAP_PRUNE);
    wal.registerBuffer(0, buffer, REGBUF_STANDARD);
    wal.registerBufData(0, walData, 0, o);
    pageSetLSN(page, wal.insert(RM_HEAP2_ID, XLOG_HEAP2_PRUNE, 0));
  } else if (pageGetPrunXid(page) !== newPruneXid || pageIsFull(page)) {
    // Only hints changed: no WAL, and the buffer may or may not be written.
    pageSetPrunXid(page, newPruneXid);
    pageClearFull(page);
    bufmgr.markBufferDirtyHint(buffer, true);
  }
  return { ndeleted, nnewlpdead: ndead };
}

/**
 * heap_page_prune_execute: applies line-pointer changes and defragments.
 * Shared by pruning and its redo.
 */
export function heapPagePruneExecute(
  page: Uint8Array,
  redirects: Uint16Array, nredirected: number,
  dead: Uint16Array, ndead: number,
  unused: Uint16Array, nunused: number,
): void {
  for (let k = 0; k < nredirected; k++) itemIdSetRedirect(page, redirects[k * 2], redirects[k * 2 + 1]);
  for (let k = 0; k < ndead; k++) itemIdSetDead(page, dead[k]);
  for (let k = 0; k < nunused; k++) itemIdSetUnused(page, unused[k]);
  pageRepairFragmentation(page);
}

/**
 * HeapTupleHeaderGetUpdateXid: the XID that updated the tuple, which the
 * successor's xmin must equal; a MultiXactId xmax (key-share lockers and
 * an updater) is asked for its updater member.
 */
function updateXid(env: HeapEnv, page: Uint8Array, at: number): number {
  return env.vis.tupleUpdateXid?.(page, at) ?? htupGetXmax(page, at);
}
