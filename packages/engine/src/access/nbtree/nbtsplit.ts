/*
 * nbtsplit.ts — splitting a full page in two (PostgreSQL's _bt_split in
 * nbtinsert.c).
 *
 * Exports: btSplit.
 *
 *   before:   ... <-> [ original: hikey H | items 1..n | + new item ] <-> S ...
 *   after:    ... <-> [ left: hikey L | items < firstright ] <-> [ right: hikey H | items >= firstright ] <-> S ...
 *
 * The left half stays in the original block, so the parent's downlink to
 * it stays right; the right half goes to a new block. L is the new bound
 * between the halves: on a leaf, the shortest pivot that separates the
 * last left item from the first right one (suffix truncation, nbttuple.ts);
 * on an internal page, the first right item's key, whose own copy on the
 * right page becomes minus infinity. The left page is flagged
 * INCOMPLETE_SPLIT until the parent has a downlink to the right page.
 *
 * Locks: the caller holds the original page (and, on an internal level,
 * the child whose split this insertion completes) write-locked; the new
 * page comes write-locked from btAllocBuf; the old right sibling S is
 * locked last (left to right) to fix its left-link. One WAL record, with
 * the left page's new contents described by what changed and the right
 * page's items in full, covers all of it.
 */

import { BLCKSZ } from '../../constants.ts';
import { itemIdGet, itemIdGetLength, itemIdGetOffset, pageAddItem, pageGetLSN, pageGetMaxOffsetNumber, pageSetLSN } from '../../storage/page/bufpage.ts';
import { PgError, SQLSTATE } from '../../utils/errors.ts';
import { REGBUF_STANDARD, REGBUF_WILL_INIT } from '../transam/xloginsert.ts';
import type { IndexRelation } from './indexrel.ts';
import { indexTupleSize } from './itup.ts';
import type { BtEnv } from './nbtenv.ts';
import { BT_WRITE, btAllocBuf, btGetBuf, btRelBuf, btXLogInsert } from './nbtpage.ts';
import {
  btPageFirstDataKey,
  btPageInit,
  btPageIsLeaf,
  btPageIsRightmost,
  btpoCycleId,
  btpoFlags,
  btpoLevel,
  btpoNext,
  btpoPrev,
  btpoSet,
  btpoSetFlags,
  btpoSetPrev,
} from './nbtpageops.ts';
import { btFindSplitLoc } from './nbtsplitloc.ts';
import { BTP_HAS_GARBAGE, BTP_INCOMPLETE_SPLIT, BTP_ROOT, BTP_SPLIT_END, P_HIKEY } from './nbtree_constants.ts';
import { btMinusInfinityPivot, btTruncate, btTupleGetDownLink, copyItem } from './nbttuple.ts';
import { SIZE_OF_BTREE_SPLIT, XLOG_BTREE_SPLIT_L, XLOG_BTREE_SPLIT_R, XLS_FIRSTRIGHTOFF, XLS_LEVEL, XLS_NEWITEMOFF, XLS_POSTINGOFF, putU16, putU32 } from './nbtxlog.ts';

/** The left half is built here and copied over the original page at the end (PageGetTempPage). */
const leftpage = new Uint8Array(BLCKSZ);
const xlRec = new Uint8Array(SIZE_OF_BTREE_SPLIT);

function addOrPanic(rel: IndexRelation, page: Uint8Array, item: Uint8Array, start: number, len: number, off: number, which: string): void {
  if (pageAddItem(page, item, start, len, off, false, false) !== off) {
    throw new PgError(SQLSTATE.internal_error, `failed to add item to the ${which} sibling while splitting block in index "${rel.name}"`);
  }
}

/**
 * _bt_split: splits the write-locked `buf` while inserting newitem (size
 * newitemsz) at newitemoff. Returns the new right page, write-locked; buf
 * stays write-locked (both go to btInsertParent). Releases cbuf (the child
 * whose split completes, on internal levels).
 */
export function btSplit(rel: IndexRelation, env: BtEnv, buf: number, cbuf: number, newitemoff: number, newitemsz: number, newitem: Uint8Array): number {
  const bm = env.bufmgr;
  const origpage = bm.getPage(buf);
  const origblk = bm.getBlockNumber(buf);
  const isleaf = btPageIsLeaf(origpage);
  const isrightmost = btPageIsRightmost(origpage);
  const firstdata = btPageFirstDataKey(origpage);
  const maxoff = pageGetMaxOffsetNumber(origpage);
  const level = btpoLevel(origpage);
  const oflags = btpoFlags(origpage);
  const oprev = btpoPrev(origpage);
  const onext = btpoNext(origpage);

  const { firstrightoff, newitemonleft } = btFindSplitLoc(rel, origpage, newitemoff, newitemsz, newitem);

  // The new high key of the left half.
  let lefthighkey: Uint8Array;
  const firstrightIsNew = !newitemonleft && newitemoff === firstrightoff;
  if (isleaf) {
    const lastleftIsNew = newitemonleft && newitemoff === firstrightoff;
    const llBytes = lastleftIsNew ? newitem : origpage;
    const llOff = lastleftIsNew ? 0 : itemIdGetOffset(itemIdGet(origpage, firstrightoff - 1));
    const frBytes = firstrightIsNew ? newitem : origpage;
    const frOff = firstrightIsNew ? 0 : itemIdGetOffset(itemIdGet(origpage, firstrightoff));
    lefthighkey = btTruncate(rel, llBytes, llOff, frBytes, frOff);
  } else {
    lefthighkey = firstrightIsNew ? newitem.slice(0, newitemsz) : copyItem(origpage, itemIdGetOffset(itemIdGet(origpage, firstrightoff)));
  }

  // Build the left half in a scratch page; the right half directly in the new page.
  btPageInit(leftpage);
  pageSetLSN(leftpage, pageGetLSN(origpage)); // XLogInsert decides on a page image by this LSN
  const rbuf = btAllocBuf(rel, env);
  const rightpage = bm.getPage(rbuf);
  const rightblk = bm.getBlockNumber(rbuf);
  const cycleid = env.cycles.current(rel);
  const baseFlags = oflags & ~(BTP_ROOT | BTP_SPLIT_END | BTP_HAS_GARBAGE);
  btpoSet(leftpage, oprev, rightblk, level, baseFlags | BTP_INCOMPLETE_SPLIT, cycleid);
  btpoSet(rightpage, origblk, onext, level, baseFlags, cycleid);

  addOrPanic(rel, leftpage, lefthighkey, 0, lefthighkey.length, P_HIKEY, 'left');
  let leftoff = P_HIKEY + 1;
  let rightoff = P_HIKEY;
  if (!isrightmost) {
    const lp = itemIdGet(origpage, P_HIKEY);
    addOrPanic(rel, rightpage, origpage, itemIdGetOffset(lp), itemIdGetLength(lp), rightoff++, 'right');
  }
  const rightFirstData = rightoff;
  const addRight = (bytes: Uint8Array, start: number, len: number): void => {
    if (!isleaf && rightoff === rightFirstData) {
      // An internal page's first data item is minus infinity: keep only its downlink.
      const mi = btMinusInfinityPivot(btTupleGetDownLink(bytes, start));
      addOrPanic(rel, rightpage, mi, 0, mi.length, rightoff++, 'right');
    } else {
      addOrPanic(rel, rightpage, bytes, start, len, rightoff++, 'right');
    }
  };
  for (let off = firstdata; off <= maxoff + 1; off++) {
    if (off === newitemoff) {
      if (newitemonleft) addOrPanic(rel, leftpage, newitem, 0, newitemsz, leftoff++, 'left');
      else addRight(newitem, 0, newitemsz);
    }
    if (off > maxoff) break;
    const lp = itemIdGet(origpage, off);
    if (off < firstrightoff) addOrPanic(rel, leftpage, origpage, itemIdGetOffset(lp), itemIdGetLength(lp), leftoff++, 'left');
    else addRight(origpage, itemIdGetOffset(lp), itemIdGetLength(lp));
  }

  // The old right sibling's left-link must point back at us (left-to-right locking).
  let sbuf = 0;
  if (!isrightmost) {
    sbuf = btGetBuf(rel, env, onext, BT_WRITE);
    const spage = bm.getPage(sbuf);
    if (btpoPrev(spage) !== origblk) {
      const prev = btpoPrev(spage);
      btRelBuf(env, sbuf);
      btRelBuf(env, rbuf);
      throw new PgError(
        SQLSTATE.index_corrupted,
        `right sibling's left-link doesn't match: block ${onext} links to ${prev} instead of expected ${origblk} in index "${rel.name}"`,
      );
    }
    // A sibling from another VACUUM cycle cannot hold tuples that were on this page when VACUUM began.
    if (btpoCycleId(spage) !== cycleid) btpoSetFlags(rightpage, btpoFlags(rightpage) | BTP_SPLIT_END);
  }

  // No errors from here until the record is written: the changes must be atomic.
  origpage.set(leftpage);
  bm.markBufferDirty(buf);
  bm.markBufferDirty(rbuf);
  if (sbuf !== 0) {
    btpoSetPrev(bm.getPage(sbuf), rightblk);
    bm.markBufferDirty(sbuf);
  }
  if (!isleaf) {
    const cpage = bm.getPage(cbuf);
    btpoSetFlags(cpage, btpoFlags(cpage) & ~BTP_INCOMPLETE_SPLIT);
    bm.markBufferDirty(cbuf);
  }

  const wal = env.wal;
  wal.beginInsert();
  putU32(xlRec, XLS_LEVEL, level);
  putU16(xlRec, XLS_FIRSTRIGHTOFF, firstrightoff);
  putU16(xlRec, XLS_NEWITEMOFF, newitemoff);
  putU16(xlRec, XLS_POSTINGOFF, 0);
  wal.registerData(xlRec, 0, SIZE_OF_BTREE_SPLIT);
  wal.registerBuffer(0, buf, REGBUF_STANDARD);
  wal.registerBuffer(1, rbuf, REGBUF_WILL_INIT);
  if (sbuf !== 0) wal.registerBuffer(2, sbuf, REGBUF_STANDARD);
  if (!isleaf) wal.registerBuffer(3, cbuf, REGBUF_STANDARD);
  if (newitemonleft) wal.registerBufData(0, newitem, 0, newitemsz);
  wal.registerBufData(0, lefthighkey, 0, indexTupleSize(lefthighkey, 0));
  const upper = rightpage[14] | (rightpage[15] << 8);
  const special = rightpage[16] | (rightpage[17] << 8);
  wal.registerBufData(1, rightpage, upper, special - upper);
  const lsn = btXLogInsert(env, newitemonleft ? XLOG_BTREE_SPLIT_L : XLOG_BTREE_SPLIT_R);
  pageSetLSN(origpage, lsn);
  pageSetLSN(rightpage, lsn);
  if (sbuf !== 0) pageSetLSN(bm.getPage(sbuf), lsn);
  if (!isleaf) pageSetLSN(bm.getPage(cbuf), lsn);

  if (sbuf !== 0) btRelBuf(env, sbuf);
  if (!isleaf) btRelBuf(env, cbuf);
  return rbuf;
}
