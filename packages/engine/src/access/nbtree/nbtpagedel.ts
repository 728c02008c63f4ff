/*
 * nbtpagedel.ts — removing empty pages from the tree (PostgreSQL's
 * _bt_pagedel and its helpers in nbtpage.c). VACUUM calls it for each leaf
 * it leaves empty, so the tree shrinks instead of only growing.
 *
 * Exports: BtVacState, IndexBulkDeleteResult, btPageDel.
 *
 * Deletion is in two stages, each one WAL record (README.md, "Page
 * deletion"):
 *
 *   1. mark half-dead: the empty leaf's downlink is removed from its
 *      parent, merging its key space into its right sibling's (the pivot
 *      that led to the leaf now leads to the sibling, whose own pivot is
 *      deleted). If the leaf is its parent's only child, the parent must
 *      go too, and so on up: the topmost page to delete (the "top parent")
 *      loses its downlink instead, and the leaf's high key records it.
 *      A leaf cannot be deleted if it is the rightmost child of a parent
 *      with other children, is rightmost on its level, is the root, or is
 *      half of an incomplete split.
 *   2. unlink: pages of the subtree are taken out of their sibling chains
 *      top down (left sibling's right-link and right sibling's left-link
 *      skip the page) and marked deleted with a safexid; the leaf is last.
 *
 * A deleted page keeps its sibling links, so a scan that was already on its
 * way there still finds its way right. It can be reused (free space map)
 * only once every transaction that might hold such a link has ended: when
 * its safexid is older than every running transaction (BtXidHorizon).
 *
 * Locks are taken left to right and children before parents: the leaf,
 * then (stage 1) the parents up the stack; (stage 2) the left sibling, the
 * target, the right sibling, and the metapage last. Only one VACUUM runs on
 * an index at a time, which is what lets stage 2 drop and retake locks.
 */

import { itemIdGet, itemIdGetOffset, pageGetMaxOffsetNumber, pageIndexTupleDelete, pageIndexTupleOverwrite, pageSetLSN } from '../../storage/page/bufpage.ts';
import { PgError, SQLSTATE, elog } from '../../utils/errors.ts';
import { INVALID_BLOCK_NUMBER, type Tid } from '../common/itemptr.ts';
import { REGBUF_STANDARD, REGBUF_WILL_INIT } from '../transam/xloginsert.ts';
import type { IndexRelation } from './indexrel.ts';
import { btMakeScanKey } from './nbtcompare.ts';
import type { BtEnv } from './nbtenv.ts';
import { btGetStackBuf } from './nbtparent.ts';
import { BT_READ, BT_WRITE, btGetBuf, btGetMeta, btLockBuf, btMetaToXl, btRelBuf, btUnlockBuf, btXLogInsert } from './nbtpage.ts';
import {
  btPageFirstDataKey,
  btPageIgnore,
  btPageIncompleteSplit,
  btPageIsDeleted,
  btPageIsHalfDead,
  btPageIsLeaf,
  btPageIsRightmost,
  btPageIsRoot,
  btPageSetDeleted,
  btWriteMeta,
  btpoFlags,
  btpoLevel,
  btpoNext,
  btpoPrev,
  btpoSetCycleId,
  btpoSetFlags,
  btpoSetNext,
  btpoSetPrev,
} from './nbtpageops.ts';
import { btSearch, type BTStack } from './nbtsearch.ts';
import { BTP_HALF_DEAD, BTREE_HEIGHT_MAX, BTREE_METAPAGE, BTREE_MOVE_RIGHT_MAX, P_HIKEY, P_NONE, SIZE_OF_INDEX_TUPLE_DATA } from './nbtree_constants.ts';
import { btTupleGetDownLink, btTupleGetTopParent, btTupleSetDownLink, btTupleSetTopParent, copyItem } from './nbttuple.ts';
import {
  SIZE_OF_BTREE_MARK_PAGE_HALFDEAD,
  SIZE_OF_BTREE_UNLINK_PAGE,
  SIZE_OF_XL_BTREE_METADATA,
  XLH_LEAFBLK,
  XLH_LEFTBLK,
  XLH_POFFSET,
  XLH_RIGHTBLK,
  XLH_TOPPARENT,
  XLOG_BTREE_MARK_PAGE_HALFDEAD,
  XLOG_BTREE_UNLINK_PAGE,
  XLOG_BTREE_UNLINK_PAGE_META,
  XLU_LEAFLEFTSIB,
  XLU_LEAFRIGHTSIB,
  XLU_LEAFTOPPARENT,
  XLU_LEFTSIB,
  XLU_LEVEL,
  XLU_RIGHTSIB,
  XLU_SAFEXID,
  putU16,
  putU32,
  putU64,
  writeXlMetadata,
} from './nbtxlog.ts';

/** VACUUM's counters for one index (IndexBulkDeleteResult). */
export interface IndexBulkDeleteResult {
  /** Pages in the index, metapage included. */
  numPages: number;
  /** Leaf entries remaining (pg_class.reltuples of the index). */
  numIndexTuples: number;
  tuplesRemoved: number;
  /** Pages this VACUUM deleted. */
  pagesNewlyDeleted: number;
  /** Deleted pages in the index (new or older). */
  pagesDeleted: number;
  /** Deleted pages that are recyclable and now in the free space map. */
  pagesFree: number;
}

/** The state of one VACUUM scan of an index (BTVacState). */
export interface BtVacState {
  readonly stats: IndexBulkDeleteResult;
  /** Whether VACUUM removes this heap TID's entry; null for a cleanup-only scan. */
  readonly callback: ((tid: Tid) => boolean) | null;
  readonly cycleid: number;
  /** Pages deleted by this scan, in safexid order, to put in the FSM at its end if already safe. */
  readonly pending: { blkno: number; safexid: number }[];
}

const xlRec = new Uint8Array(40);
const xlMeta = new Uint8Array(SIZE_OF_XL_BTREE_METADATA);

function log(message: string): void {
  // PostgreSQL writes these to the server log and carries on; there is no log here yet.
  void message;
}

/** _bt_leftsib_splitflag: the left sibling is the left half of an unfinished split of `target`. */
function leftsibSplitFlag(rel: IndexRelation, env: BtEnv, leftsib: number, target: number): boolean {
  if (leftsib === P_NONE) return false;
  const buf = btGetBuf(rel, env, leftsib, BT_READ);
  const page = env.bufmgr.getPage(buf);
  const result = btpoNext(page) === target && btPageIncompleteSplit(page);
  btRelBuf(env, buf);
  return result;
}

/** _bt_rightsib_halfdeadflag: a half-dead right sibling has no downlink, so the parent check would fail. */
function rightsibHalfDead(rel: IndexRelation, env: BtEnv, rightsib: number): boolean {
  const buf = btGetBuf(rel, env, rightsib, BT_READ);
  const result = btPageIsHalfDead(env.bufmgr.getPage(buf));
  btRelBuf(env, buf);
  return result;
}

interface SubtreeParent {
  pbuf: number;
  poffset: number;
  topparent: number;
  topparentrightsib: number;
}

/**
 * _bt_lock_subtree_parent: the parent that will lose the downlink to the
 * subtree being deleted, write-locked, with the downlink's offset. Walks up
 * while the child is its parent's only child; null if nothing can go.
 */
function lockSubtreeParent(
  rel: IndexRelation,
  env: BtEnv,
  child: number,
  stack: BTStack | null,
  topparent: number,
  topparentrightsib: number,
  depth: number,
): SubtreeParent | null {
  if (stack === null || depth > BTREE_HEIGHT_MAX) return null;
  const pbuf = btGetStackBuf(rel, env, stack, child);
  if (pbuf === 0) {
    log(`failed to re-find parent key in index "${rel.name}" for deletion target page ${child}`);
    return null;
  }
  const page = env.bufmgr.getPage(pbuf);
  const parent = stack.blkno;
  const poffset = stack.offset;
  const maxoff = pageGetMaxOffsetNumber(page);
  const leftsibparent = btpoPrev(page);
  if (poffset < maxoff) return { pbuf, poffset, topparent, topparentrightsib };
  // The child is its parent's rightmost child: only deletable with the parent.
  if (poffset !== btPageFirstDataKey(page) || btPageIsRightmost(page)) {
    btRelBuf(env, pbuf);
    return null;
  }
  const nextRight = btpoNext(page);
  btRelBuf(env, pbuf);
  if (leftsibSplitFlag(rel, env, leftsibparent, parent)) return null;
  return lockSubtreeParent(rel, env, parent, stack.parent, parent, nextRight, depth + 1);
}

/** _bt_mark_page_halfdead: stage 1 for the empty leaf `leafbuf` (write-locked). */
function markPageHalfDead(rel: IndexRelation, env: BtEnv, leafbuf: number, stack: BTStack): boolean {
  const bm = env.bufmgr;
  const leaf = bm.getPage(leafbuf);
  const leafblkno = bm.getBlockNumber(leafbuf);
  const leafrightsib = btpoNext(leaf);
  if (rightsibHalfDead(rel, env, leafrightsib)) return false;
  const sp = lockSubtreeParent(rel, env, leafblkno, stack, leafblkno, leafrightsib, 0);
  if (sp === null) return false;
  const { pbuf, poffset, topparent, topparentrightsib } = sp;
  const ppage = bm.getPage(pbuf);
  const nextItem = itemIdGetOffset(itemIdGet(ppage, poffset + 1));
  if (btTupleGetDownLink(ppage, nextItem) !== topparentrightsib) {
    log(`right sibling ${topparentrightsib} of block ${topparent} is not next child of block ${stack.blkno} in index "${rel.name}"`);
    btRelBuf(env, pbuf);
    return false;
  }

  // PredicateLockPageCombine: the right sibling takes over this leaf's key range, and its SIREAD locks.
  env.predicate?.pageCombine(rel.oid, leafblkno, leafrightsib);
  // The pivot that led to the subtree now leads to its right sibling, whose own pivot goes.
  btTupleSetDownLink(ppage, itemIdGetOffset(itemIdGet(ppage, poffset)), topparentrightsib);
  pageIndexTupleDelete(ppage, poffset + 1);
  btpoSetFlags(leaf, btpoFlags(leaf) | BTP_HALF_DEAD);
  const trunc = new Uint8Array(SIZE_OF_INDEX_TUPLE_DATA);
  trunc[6] = SIZE_OF_INDEX_TUPLE_DATA;
  btTupleSetTopParent(trunc, 0, topparent !== leafblkno ? topparent : INVALID_BLOCK_NUMBER);
  if (!pageIndexTupleOverwrite(leaf, P_HIKEY, trunc, 0, trunc.length)) elog('could not overwrite high key in half-dead page');
  bm.markBufferDirty(pbuf);
  bm.markBufferDirty(leafbuf);

  const wal = env.wal;
  wal.beginInsert();
  wal.registerBuffer(0, leafbuf, REGBUF_WILL_INIT);
  wal.registerBuffer(1, pbuf, REGBUF_STANDARD);
  putU16(xlRec, XLH_POFFSET, poffset);
  putU16(xlRec, XLH_POFFSET + 2, 0);
  putU32(xlRec, XLH_LEAFBLK, leafblkno);
  putU32(xlRec, XLH_LEFTBLK, btpoPrev(leaf));
  putU32(xlRec, XLH_RIGHTBLK, btpoNext(leaf));
  putU32(xlRec, XLH_TOPPARENT, topparent !== leafblkno ? topparent : INVALID_BLOCK_NUMBER);
  wal.registerData(xlRec, 0, SIZE_OF_BTREE_MARK_PAGE_HALFDEAD);
  const lsn = btXLogInsert(env, XLOG_BTREE_MARK_PAGE_HALFDEAD);
  pageSetLSN(ppage, lsn);
  pageSetLSN(leaf, lsn);
  btRelBuf(env, pbuf);
  return true;
}

/**
 * _bt_unlink_halfdead_page: stage 2, one page: the current top of the
 * subtree (the leaf itself last). Holds leafbuf write-locked on return if
 * it succeeded; releases it otherwise.
 */
function unlinkHalfDeadPage(rel: IndexRelation, env: BtEnv, leafbuf: number, scanblkno: number, vstate: BtVacState): { ok: boolean; rightsibEmpty: boolean } {
  const bm = env.bufmgr;
  const leafblkno = bm.getBlockNumber(leafbuf);
  let leaf = bm.getPage(leafbuf);
  const leafhikeyOff = itemIdGetOffset(itemIdGet(leaf, P_HIKEY));
  let target = btTupleGetTopParent(leaf, leafhikeyOff);
  const leafleftsib = btpoPrev(leaf);
  const leafrightsib = btpoNext(leaf);
  btUnlockBuf(env, leafbuf);

  let buf: number;
  let leftsib: number;
  let targetlevel: number;
  if (target === INVALID_BLOCK_NUMBER) {
    target = leafblkno;
    buf = leafbuf;
    leftsib = leafleftsib;
    targetlevel = 0;
  } else {
    buf = btGetBuf(rel, env, target, BT_READ);
    const page = bm.getPage(buf);
    leftsib = btpoPrev(page);
    targetlevel = btpoLevel(page);
    btUnlockBuf(env, buf);
  }
  const fail = (): { ok: boolean; rightsibEmpty: boolean } => {
    if (target !== leafblkno) {
      bm.releaseBuffer(buf);
      btRelBuf(env, leafbuf);
    } else {
      bm.releaseBuffer(buf);
    }
    return { ok: false, rightsibEmpty: false };
  };
  if (target !== leafblkno) btLockBuf(env, leafbuf, BT_WRITE);

  // The current left sibling, write-locked: the one we knew may have split, so move right.
  let lbuf = 0;
  if (leftsib !== P_NONE) {
    lbuf = btGetBuf(rel, env, leftsib, BT_WRITE);
    for (let hops = 0; ; hops++) {
      const page = bm.getPage(lbuf);
      if (!btPageIsDeleted(page) && btpoNext(page) === target) break;
      const valid = hops < BTREE_MOVE_RIGHT_MAX && !btPageIsRightmost(page) && !btPageIsDeleted(page) && btpoNext(page) !== leftsib;
      leftsib = btpoNext(page);
      btRelBuf(env, lbuf);
      lbuf = 0;
      if (!valid) {
        log(`valid left sibling for deletion target could not be located: target ${target}, leaf ${leafblkno}, index "${rel.name}"`);
        return fail();
      }
      lbuf = btGetBuf(rel, env, leftsib, BT_WRITE);
    }
  }

  btLockBuf(env, buf, BT_WRITE);
  const tpage = bm.getPage(buf);
  if (btPageIsRightmost(tpage) || btPageIsRoot(tpage) || btPageIsDeleted(tpage)) {
    if (lbuf !== 0) btRelBuf(env, lbuf);
    if (target !== leafblkno) btRelBuf(env, leafbuf);
    btRelBuf(env, buf);
    elog(`target page changed status unexpectedly in block ${target} of index "${rel.name}"`);
  }
  if (btpoPrev(tpage) !== leftsib) {
    const got = btpoPrev(tpage);
    if (lbuf !== 0) btRelBuf(env, lbuf);
    if (target !== leafblkno) btRelBuf(env, leafbuf);
    btRelBuf(env, buf);
    throw new PgError(SQLSTATE.index_corrupted, `target page left link unexpectedly changed from ${leftsib} to ${got} in block ${target} of index "${rel.name}"`);
  }
  let leaftopparent = INVALID_BLOCK_NUMBER;
  if (target === leafblkno) {
    if (btPageFirstDataKey(tpage) <= pageGetMaxOffsetNumber(tpage) || !btPageIsLeaf(tpage) || !btPageIsHalfDead(tpage)) {
      if (lbuf !== 0) btRelBuf(env, lbuf);
      btRelBuf(env, buf);
      elog(`target leaf page changed status unexpectedly in block ${target} of index "${rel.name}"`);
    }
  } else {
    if (btPageFirstDataKey(tpage) !== pageGetMaxOffsetNumber(tpage) || btPageIsLeaf(tpage)) {
      if (lbuf !== 0) btRelBuf(env, lbuf);
      btRelBuf(env, leafbuf);
      btRelBuf(env, buf);
      elog(`target internal page on level ${targetlevel} changed status unexpectedly in block ${target} of index "${rel.name}"`);
    }
    leaftopparent = btTupleGetDownLink(tpage, itemIdGetOffset(itemIdGet(tpage, btPageFirstDataKey(tpage))));
    if (leaftopparent === leafblkno) leaftopparent = INVALID_BLOCK_NUMBER;
  }

  const rightsib = btpoNext(tpage);
  const rbuf = btGetBuf(rel, env, rightsib, BT_WRITE);
  const rpage = bm.getPage(rbuf);
  if (btpoPrev(rpage) !== target) {
    log(`right sibling's left-link doesn't match: right sibling ${rightsib} of target ${target} links to ${btpoPrev(rpage)} in index "${rel.name}"`);
    if (lbuf !== 0) btRelBuf(env, lbuf);
    btRelBuf(env, rbuf);
    btRelBuf(env, buf);
    if (target !== leafblkno) btRelBuf(env, leafbuf);
    return { ok: false, rightsibEmpty: false };
  }
  const rightsibEmpty = btPageFirstDataKey(rpage) > pageGetMaxOffsetNumber(rpage);

  // Deleting the next-to-last page of a level: the last one may become the fast root.
  let metabuf = 0;
  if (leftsib === P_NONE && btPageIsRightmost(rpage)) {
    metabuf = btGetBuf(rel, env, BTREE_METAPAGE, BT_WRITE);
    if (btGetMeta(rel, bm.getPage(metabuf)).fastlevel > targetlevel + 1) {
      btRelBuf(env, metabuf);
      metabuf = 0;
    }
  }

  // No errors from here until the record is written.
  if (lbuf !== 0) btpoSetNext(bm.getPage(lbuf), rightsib);
  btpoSetPrev(rpage, leftsib);
  leaf = bm.getPage(leafbuf);
  if (target !== leafblkno) btTupleSetTopParent(leaf, itemIdGetOffset(itemIdGet(leaf, P_HIKEY)), leaftopparent);
  const safexid = env.xids.readNextFullXid();
  btPageSetDeleted(tpage, safexid);
  btpoSetCycleId(tpage, 0);
  let meta = null;
  if (metabuf !== 0) {
    const metapage = bm.getPage(metabuf);
    meta = btGetMeta(rel, metapage);
    meta.fastroot = rightsib;
    meta.fastlevel = targetlevel;
    btWriteMeta(metapage, meta);
    bm.markBufferDirty(metabuf);
    rel.amcache = null;
  }
  bm.markBufferDirty(rbuf);
  bm.markBufferDirty(buf);
  if (lbuf !== 0) bm.markBufferDirty(lbuf);
  if (target !== leafblkno) bm.markBufferDirty(leafbuf);

  const wal = env.wal;
  wal.beginInsert();
  wal.registerBuffer(0, buf, REGBUF_WILL_INIT);
  if (lbuf !== 0) wal.registerBuffer(1, lbuf, REGBUF_STANDARD);
  wal.registerBuffer(2, rbuf, REGBUF_STANDARD);
  if (target !== leafblkno) wal.registerBuffer(3, leafbuf, REGBUF_WILL_INIT);
  putU32(xlRec, XLU_LEFTSIB, leftsib);
  putU32(xlRec, XLU_RIGHTSIB, rightsib);
  putU32(xlRec, XLU_LEVEL, targetlevel);
  putU32(xlRec, XLU_LEVEL + 4, 0);
  putU64(xlRec, XLU_SAFEXID, safexid);
  putU32(xlRec, XLU_LEAFLEFTSIB, leafleftsib);
  putU32(xlRec, XLU_LEAFRIGHTSIB, leafrightsib);
  putU32(xlRec, XLU_LEAFTOPPARENT, leaftopparent);
  wal.registerData(xlRec, 0, SIZE_OF_BTREE_UNLINK_PAGE);
  if (meta !== null) {
    wal.registerBuffer(4, metabuf, REGBUF_WILL_INIT | REGBUF_STANDARD);
    writeXlMetadata(xlMeta, 0, btMetaToXl(meta));
    wal.registerBufData(4, xlMeta, 0, SIZE_OF_XL_BTREE_METADATA);
  }
  const lsn = btXLogInsert(env, meta !== null ? XLOG_BTREE_UNLINK_PAGE_META : XLOG_BTREE_UNLINK_PAGE);
  if (metabuf !== 0) pageSetLSN(bm.getPage(metabuf), lsn);
  pageSetLSN(rpage, lsn);
  pageSetLSN(tpage, lsn);
  if (lbuf !== 0) pageSetLSN(bm.getPage(lbuf), lsn);
  if (target !== leafblkno) pageSetLSN(leaf, lsn);

  if (metabuf !== 0) btRelBuf(env, metabuf);
  if (lbuf !== 0) btRelBuf(env, lbuf);
  btRelBuf(env, rbuf);
  if (target !== leafblkno) btRelBuf(env, buf);

  vstate.stats.pagesNewlyDeleted++;
  if (target <= scanblkno) vstate.stats.pagesDeleted++;
  vstate.pending.push({ blkno: target, safexid });
  return { ok: true, rightsibEmpty };
}

/**
 * _bt_pagedel: deletes the empty leaf `leafbuf` (pinned and locked, any
 * mode) if that is allowed, with the internal pages that would be left
 * empty above it, and then its right sibling too if that is empty (it may
 * have been undeletable only as its parent's rightmost child). Releases
 * leafbuf.
 */
export function btPageDel(rel: IndexRelation, env: BtEnv, leafbuf: number, vstate: BtVacState): void {
  const bm = env.bufmgr;
  const scanblkno = bm.getBlockNumber(leafbuf);
  let stack: BTStack | null = null;
  for (let round = 0; round < BTREE_MOVE_RIGHT_MAX; round++) {
    const page = bm.getPage(leafbuf);
    if (!btPageIsLeaf(page) || btPageIsDeleted(page)) {
      btRelBuf(env, leafbuf);
      return;
    }
    if (btPageIsRightmost(page) || btPageIsRoot(page) || btPageFirstDataKey(page) <= pageGetMaxOffsetNumber(page) || btPageIncompleteSplit(page)) {
      btRelBuf(env, leafbuf);
      return;
    }
    if (!btPageIsHalfDead(page)) {
      if (stack === null) {
        // Find the parent by searching for the high key: the descent lands left of any equal pivot.
        const targetkey = copyItem(page, itemIdGetOffset(itemIdGet(page, P_HIKEY)));
        const leftsib = btpoPrev(page);
        const leafblkno = bm.getBlockNumber(leafbuf);
        btUnlockBuf(env, leafbuf);
        if (leftsibSplitFlag(rel, env, leftsib, leafblkno)) {
          bm.releaseBuffer(leafbuf);
          return;
        }
        const key = btMakeScanKey(rel, targetkey, 0);
        key.nextkey = false;
        key.backward = true;
        const r = btSearch(rel, env, key, BT_READ);
        stack = r.stack;
        if (r.buf !== 0) btRelBuf(env, r.buf);
        btLockBuf(env, leafbuf, BT_WRITE);
        if (stack === null) {
          btRelBuf(env, leafbuf);
          return;
        }
        continue;
      }
      if (!markPageHalfDead(rel, env, leafbuf, stack)) {
        btRelBuf(env, leafbuf);
        return;
      }
    }
    let rightsibEmpty = false;
    for (let level = 0; btPageIsHalfDead(bm.getPage(leafbuf)); level++) {
      if (level > BTREE_HEIGHT_MAX) elog(`page deletion in index "${rel.name}" did not finish`);
      const r = unlinkHalfDeadPage(rel, env, leafbuf, scanblkno, vstate);
      if (!r.ok) return;
      rightsibEmpty = r.rightsibEmpty;
    }
    const rightsib = btpoNext(bm.getPage(leafbuf));
    btRelBuf(env, leafbuf);
    if (!rightsibEmpty) return;
    leafbuf = btGetBuf(rel, env, rightsib, BT_WRITE);
    if (btPageIgnore(bm.getPage(leafbuf)) && !btPageIsHalfDead(bm.getPage(leafbuf))) {
      btRelBuf(env, leafbuf);
      return;
    }
  }
  btRelBuf(env, leafbuf);
}
