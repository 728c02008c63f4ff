/*
 * nbtparent.ts — the second half of a split: posting the new page's
 * downlink in the parent, growing a new root, and finishing splits that a
 * crash interrupted (PostgreSQL's _bt_insert_parent, _bt_finish_split,
 * _bt_getstackbuf and _bt_newlevel in nbtinsert.c).
 *
 * Exports: btInsertParent, btFinishSplit, btGetStackBuf.
 *
 * After nbtsplit.ts, the left half (still in the original block) is
 * flagged INCOMPLETE_SPLIT and both halves are write-locked. The parent is
 * re-found from the descent's stack and write-locked (child before parent
 * is the lock order, README.md rule 5), the right half is released, and
 * the downlink insertion, one WAL record, also clears the flag on the
 * left half, which is released last. Until then searches reach the right
 * half through the left half's right-link, which is why a crash here
 * loses nothing: the next writer to meet the flag finishes the job.
 */

import { itemIdGet, itemIdGetOffset, pageAddItem, pageGetMaxOffsetNumber, pageSetLSN } from '../../storage/page/bufpage.ts';
import { PgError, SQLSTATE, elog } from '../../utils/errors.ts';
import { REGBUF_STANDARD, REGBUF_WILL_INIT } from '../transam/xloginsert.ts';
import type { IndexRelation } from './indexrel.ts';
import { indexTupleSize } from './itup.ts';
import type { BtEnv } from './nbtenv.ts';
import { btInsertOnPg } from './nbtinsert.ts';
import { BT_WRITE, btAllocBuf, btGetBuf, btGetMeta, btMetaToXl, btRelBuf, btXLogInsert } from './nbtpage.ts';
import {
  btPageFirstDataKey,
  btPageIgnore,
  btPageIncompleteSplit,
  btPageIsLeftmost,
  btPageIsRightmost,
  btWriteMeta,
  btpoFlags,
  btpoLevel,
  btpoNext,
  btpoSet,
  btpoSetFlags,
} from './nbtpageops.ts';
import { btGetEndpoint, type BTStack } from './nbtsearch.ts';
import { BTP_INCOMPLETE_SPLIT, BTP_ROOT, BTREE_METAPAGE, BTREE_MOVE_RIGHT_MAX, P_HIKEY, P_NONE } from './nbtree_constants.ts';
import { btMinusInfinityPivot, btTupleGetDownLink, btTupleSetDownLink, copyItem } from './nbttuple.ts';
import {
  SIZE_OF_BTREE_NEWROOT,
  SIZE_OF_XL_BTREE_METADATA,
  XLN_LEVEL,
  XLN_ROOTBLK,
  XLOG_BTREE_NEWROOT,
  putU32,
  writeXlMetadata,
} from './nbtxlog.ts';

const xlRec = new Uint8Array(16);
const xlMeta = new Uint8Array(SIZE_OF_XL_BTREE_METADATA);

/**
 * _bt_insert_parent: after `buf` split into buf and rbuf (both
 * write-locked), posts rbuf's downlink in the parent. The parent is found
 * from the stack; without one (the pages were the fast root, or the
 * descent used the rightmost-leaf cache) from the leftmost page one level
 * up. A root split grows the tree instead. Releases both buffers.
 */
export function btInsertParent(rel: IndexRelation, env: BtEnv, buf: number, rbuf: number, stack: BTStack | null, isroot: boolean, isonly: boolean): void {
  const bm = env.bufmgr;
  if (isroot) {
    const rootbuf = btNewLevel(rel, env, buf, rbuf);
    btRelBuf(env, rootbuf);
    btRelBuf(env, rbuf);
    btRelBuf(env, buf);
    return;
  }
  const bknum = bm.getBlockNumber(buf);
  const rbknum = bm.getBlockNumber(rbuf);
  const page = bm.getPage(buf);
  let st = stack;
  if (st === null) {
    // A "concurrent root split": we descended from a fast root that has since got a parent.
    const pbuf = btGetEndpoint(rel, env, btpoLevel(page) + 1, false);
    if (pbuf === 0) elog(`index "${rel.name}" has no level above block ${bknum}`);
    st = { blkno: bm.getBlockNumber(pbuf), offset: 0, parent: null };
    btRelBuf(env, pbuf);
  }
  // The left half's high key is the right half's lower bound: its downlink's key.
  const newItem = copyItem(page, itemIdGetOffset(itemIdGet(page, P_HIKEY)));
  btTupleSetDownLink(newItem, 0, rbknum);
  const pbuf = btGetStackBuf(rel, env, st, bknum);
  btRelBuf(env, rbuf);
  if (pbuf === 0) {
    btRelBuf(env, buf);
    throw new PgError(SQLSTATE.index_corrupted, `failed to re-find parent key in index "${rel.name}" for split pages ${bknum}/${rbknum}`);
  }
  btInsertOnPg(rel, env, pbuf, buf, st.parent, newItem, indexTupleSize(newItem, 0), st.offset + 1, isonly);
}

/**
 * _bt_finish_split: completes the split of `lbuf` (write-locked, flagged
 * INCOMPLETE_SPLIT) whose downlink insertion a crash or error interrupted.
 * Releases lbuf.
 */
export function btFinishSplit(rel: IndexRelation, env: BtEnv, lbuf: number, stack: BTStack | null): void {
  const bm = env.bufmgr;
  const lpage = bm.getPage(lbuf);
  if (!btPageIncompleteSplit(lpage)) elog('btFinishSplit on a page whose split is complete');
  const rbuf = btGetBuf(rel, env, btpoNext(lpage), BT_WRITE);
  const rpage = bm.getPage(rbuf);
  let wasroot = false;
  if (stack === null) {
    const metabuf = btGetBuf(rel, env, BTREE_METAPAGE, BT_WRITE);
    wasroot = btGetMeta(rel, bm.getPage(metabuf)).root === bm.getBlockNumber(lbuf);
    btRelBuf(env, metabuf);
  }
  const wasonly = btPageIsLeftmost(lpage) && btPageIsRightmost(rpage);
  btInsertParent(rel, env, lbuf, rbuf, stack, wasroot, wasonly);
}

/**
 * _bt_getstackbuf: the parent page holding the downlink to `child`,
 * write-locked, starting from where the descent saw it: that offset, then
 * to its right and left on the page, then pages to the right (the parent
 * may have split since). Updates the stack entry; 0 if not found.
 */
export function btGetStackBuf(rel: IndexRelation, env: BtEnv, stack: BTStack, child: number): number {
  const bm = env.bufmgr;
  let blkno = stack.blkno;
  let start = stack.offset;
  for (let hops = 0; ; hops++) {
    if (hops > BTREE_MOVE_RIGHT_MAX) elog(`could not re-find downlink to block ${child} in index "${rel.name}"`);
    const buf = btGetBuf(rel, env, blkno, BT_WRITE);
    const page = bm.getPage(buf);
    if (btPageIncompleteSplit(page)) {
      btFinishSplit(rel, env, buf, stack.parent);
      continue;
    }
    if (!btPageIgnore(page)) {
      const minoff = btPageFirstDataKey(page);
      const maxoff = pageGetMaxOffsetNumber(page);
      if (start < minoff) start = minoff;
      if (start > maxoff) start = maxoff + 1;
      for (let off = start; off <= maxoff; off++) {
        if (btTupleGetDownLink(page, itemIdGetOffset(itemIdGet(page, off))) === child) {
          stack.blkno = blkno;
          stack.offset = off;
          return buf;
        }
      }
      for (let off = start - 1; off >= minoff; off--) {
        if (btTupleGetDownLink(page, itemIdGetOffset(itemIdGet(page, off))) === child) {
          stack.blkno = blkno;
          stack.offset = off;
          return buf;
        }
      }
    }
    if (btPageIsRightmost(page)) {
      btRelBuf(env, buf);
      return 0;
    }
    blkno = btpoNext(page);
    start = 0;
    btRelBuf(env, buf);
  }
}

/**
 * _bt_newlevel: a new root one level above the split root lbuf/rbuf, with
 * two downlinks: minus infinity to the left half, the left half's high key
 * to the right half. Returns the new root write-locked.
 */
function btNewLevel(rel: IndexRelation, env: BtEnv, lbuf: number, rbuf: number): number {
  const bm = env.bufmgr;
  const lbkno = bm.getBlockNumber(lbuf);
  const rbkno = bm.getBlockNumber(rbuf);
  const lpage = bm.getPage(lbuf);
  const rootbuf = btAllocBuf(rel, env);
  const rootpage = bm.getPage(rootbuf);
  const rootblk = bm.getBlockNumber(rootbuf);
  const metabuf = btGetBuf(rel, env, BTREE_METAPAGE, BT_WRITE);
  const metapage = bm.getPage(metabuf);
  const meta = btGetMeta(rel, metapage);

  const leftItem = btMinusInfinityPivot(lbkno);
  const rightItem = copyItem(lpage, itemIdGetOffset(itemIdGet(lpage, P_HIKEY)));
  btTupleSetDownLink(rightItem, 0, rbkno);
  const level = btpoLevel(lpage) + 1;
  btpoSet(rootpage, P_NONE, P_NONE, level, BTP_ROOT, 0);
  meta.root = rootblk;
  meta.level = level;
  meta.fastroot = rootblk;
  meta.fastlevel = level;
  btWriteMeta(metapage, meta);
  rel.amcache = null;
  if (pageAddItem(rootpage, leftItem, 0, leftItem.length, P_HIKEY, false, false) !== P_HIKEY ||
      pageAddItem(rootpage, rightItem, 0, rightItem.length, P_HIKEY + 1, false, false) !== P_HIKEY + 1) {
    throw new PgError(SQLSTATE.internal_error, `failed to add items to the new root page of index "${rel.name}"`, { severity: 'PANIC' });
  }
  btpoSetFlags(lpage, btpoFlags(lpage) & ~BTP_INCOMPLETE_SPLIT);
  bm.markBufferDirty(lbuf);
  bm.markBufferDirty(rootbuf);
  bm.markBufferDirty(metabuf);

  const wal = env.wal;
  wal.beginInsert();
  putU32(xlRec, XLN_ROOTBLK, rootblk);
  putU32(xlRec, XLN_LEVEL, level);
  wal.registerData(xlRec, 0, SIZE_OF_BTREE_NEWROOT);
  wal.registerBuffer(0, rootbuf, REGBUF_WILL_INIT);
  wal.registerBuffer(1, lbuf, REGBUF_STANDARD);
  wal.registerBuffer(2, metabuf, REGBUF_WILL_INIT | REGBUF_STANDARD);
  writeXlMetadata(xlMeta, 0, btMetaToXl(meta));
  wal.registerBufData(2, xlMeta, 0, SIZE_OF_XL_BTREE_METADATA);
  const upper = rootpage[14] | (rootpage[15] << 8);
  const special = rootpage[16] | (rootpage[17] << 8);
  wal.registerBufData(0, rootpage, upper, special - upper);
  const lsn = btXLogInsert(env, XLOG_BTREE_NEWROOT);
  pageSetLSN(lpage, lsn);
  pageSetLSN(rootpage, lsn);
  pageSetLSN(metapage, lsn);
  btRelBuf(env, metabuf);
  return rootbuf;
}
