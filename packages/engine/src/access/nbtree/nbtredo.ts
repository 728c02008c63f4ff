/*
 * nbtredo.ts — replay of the B-tree's WAL records, and the Btree resource
 * manager (PostgreSQL's btree_redo in nbtxlog.c). Record layouts are in
 * nbtxlog.ts.
 *
 * Exports: btreeRmgr (registered on import), btRestorePage, btMaskPage.
 *
 * Every routine follows xlogutils.ts: XLogReadBufferForRedo says whether a
 * page needs the change (its LSN is older than the record), already has it,
 * or was restored from a full-page image. Pages registered WILL_INIT are
 * rebuilt from the record alone. Redo locks one page at a time, except a
 * split and an unlink, which hold their pages in the same left-to-right
 * order as the original operation; no other backend runs during recovery.
 */

import { BLCKSZ } from '../../constants.ts';
import {
  itemIdGet,
  itemIdGetFlags,
  itemIdGetLength,
  itemIdGetOffset,
  pageAddItem,
  pageGetMaxOffsetNumber,
  pageIndexMultiDelete,
  pageIndexTupleDelete,
  pageSetLSN,
} from '../../storage/page/bufpage.ts';
import { elog, panic } from '../../utils/errors.ts';
import { RM_BTREE_ID, registerRmgr, type RedoContext, type RmgrData } from '../transam/rmgr.ts';
import type { DecodedXLogRecord } from '../transam/xlogreader.ts';
import { XLogInitBufferForRedo, XLogReadBufferForRedo } from '../transam/xlogutils.ts';
import { indexTupleSize } from './itup.ts';
import {
  btInitMetaPage,
  btPageFirstDataKey,
  btPageInit,
  btPageIsLeaf,
  btPageSetDeleted,
  btReadMeta,
  btWriteMeta,
  btpoFlags,
  btpoSet,
  btpoSetCycleId,
  btpoSetFlags,
  btpoSetNext,
  btpoSetPrev,
} from './nbtpageops.ts';
import {
  BTP_HALF_DEAD,
  BTP_HAS_GARBAGE,
  BTP_INCOMPLETE_SPLIT,
  BTP_LEAF,
  BTP_ROOT,
  BTP_SPLIT_END,
  MAX_INDEX_TUPLES_PER_PAGE,
  P_HIKEY,
  P_NONE,
  SIZE_OF_INDEX_TUPLE_DATA,
} from './nbtree_constants.ts';
import { btTupleGetDownLink, btTupleSetDownLink, btTupleSetTopParent } from './nbttuple.ts';
import {
  XLD_NDELETED,
  XLH_LEFTBLK,
  XLH_POFFSET,
  XLH_RIGHTBLK,
  XLH_TOPPARENT,
  XLN_LEVEL,
  XLOG_BTREE_DEDUP,
  XLOG_BTREE_DELETE,
  XLOG_BTREE_INSERT_LEAF,
  XLOG_BTREE_INSERT_META,
  XLOG_BTREE_INSERT_POST,
  XLOG_BTREE_INSERT_UPPER,
  XLOG_BTREE_MARK_PAGE_HALFDEAD,
  XLOG_BTREE_META_CLEANUP,
  XLOG_BTREE_NEWROOT,
  XLOG_BTREE_REUSE_PAGE,
  XLOG_BTREE_SPLIT_L,
  XLOG_BTREE_SPLIT_R,
  XLOG_BTREE_UNLINK_PAGE,
  XLOG_BTREE_UNLINK_PAGE_META,
  XLOG_BTREE_VACUUM,
  XLS_FIRSTRIGHTOFF,
  XLS_LEVEL,
  XLS_NEWITEMOFF,
  XLU_LEAFLEFTSIB,
  XLU_LEAFRIGHTSIB,
  XLU_LEAFTOPPARENT,
  XLU_LEFTSIB,
  XLU_LEVEL,
  XLU_RIGHTSIB,
  XLU_SAFEXID,
  XLV_NDELETED,
  btreeDesc,
  btreeIdentify,
  getU16,
  getU32,
  getU64,
  readXlMetadata,
} from './nbtxlog.ts';

const tempPage = new Uint8Array(BLCKSZ);
const offsets = new Uint16Array(MAX_INDEX_TUPLES_PER_PAGE);

function block(record: DecodedXLogRecord, id: number): { blockNum: number; data: Uint8Array } {
  const b = record.getBlock(id);
  if (b === undefined) elog(`btree redo: record at ${record.lsn} has no block ${id}`);
  return { blockNum: b.blockNum, data: b.data.subarray(0, b.dataLength) };
}

/**
 * _bt_restore_page: adds the items of a page image area (pd_upper to
 * pd_special, as a freshly built page holds them: the last item first) to
 * an empty page in offset order.
 */
export function btRestorePage(page: Uint8Array, from: Uint8Array): void {
  const starts: number[] = [];
  for (let p = 0; p < from.length; ) {
    const size = indexTupleSize(from, p);
    if (size < SIZE_OF_INDEX_TUPLE_DATA || p + size > from.length) elog('btree redo: corrupt page image in record');
    starts.push(p);
    p += size;
  }
  for (let i = starts.length - 1, off = P_HIKEY; i >= 0; i--, off++) {
    const p = starts[i];
    if (pageAddItem(page, from, p, indexTupleSize(from, p), off, false, false) !== off) elog('_bt_restore_page: cannot add item to page');
  }
}

/** _bt_restore_meta: rewrites the metapage from the xl_btree_metadata in block `id`'s data. */
function restoreMeta(record: DecodedXLogRecord, id: number, ctx: RedoContext): void {
  const buf = XLogInitBufferForRedo(record, id, ctx);
  const page = ctx.buffers.getPage(buf);
  const md = readXlMetadata(block(record, id).data, 0);
  btInitMetaPage(page, md.root, md.level, md.allequalimage);
  const m = btReadMeta(page);
  m.version = md.version;
  m.fastroot = md.fastroot;
  m.fastlevel = md.fastlevel;
  m.lastCleanupNumDelpages = md.lastCleanupNumDelpages;
  btWriteMeta(page, m);
  pageSetLSN(page, record.endLsn);
  ctx.buffers.markBufferDirty(buf);
  ctx.buffers.unlockReleaseBuffer(buf);
}

/** _bt_clear_incomplete_split: the child whose split this record completes. */
function clearIncompleteSplit(record: DecodedXLogRecord, id: number, ctx: RedoContext): void {
  const { action, buffer } = XLogReadBufferForRedo(record, id, ctx);
  if (action === 'needs_redo') {
    const page = ctx.buffers.getPage(buffer);
    btpoSetFlags(page, btpoFlags(page) & ~BTP_INCOMPLETE_SPLIT);
    pageSetLSN(page, record.endLsn);
    ctx.buffers.markBufferDirty(buffer);
  }
  if (action !== 'not_found') ctx.buffers.unlockReleaseBuffer(buffer);
}

function redoInsert(isleaf: boolean, ismeta: boolean, record: DecodedXLogRecord, ctx: RedoContext): void {
  const offnum = getU16(record.mainData, 0);
  if (!isleaf) clearIncompleteSplit(record, 1, ctx);
  const { action, buffer } = XLogReadBufferForRedo(record, 0, ctx);
  if (action === 'needs_redo') {
    const page = ctx.buffers.getPage(buffer);
    const data = block(record, 0).data;
    if (pageAddItem(page, data, 0, data.length, offnum, false, false) !== offnum) panic('failed to add new item');
    pageSetLSN(page, record.endLsn);
    ctx.buffers.markBufferDirty(buffer);
  }
  if (action !== 'not_found') ctx.buffers.unlockReleaseBuffer(buffer);
  if (ismeta) restoreMeta(record, 2, ctx);
}

function redoSplit(newitemonleft: boolean, record: DecodedXLogRecord, ctx: RedoContext): void {
  const m = record.mainData;
  const level = getU32(m, XLS_LEVEL);
  const firstrightoff = getU16(m, XLS_FIRSTRIGHTOFF);
  const newitemoff = getU16(m, XLS_NEWITEMOFF);
  const isleaf = level === 0;
  const left = block(record, 0);
  const right = block(record, 1);
  const spagenumber = record.hasBlockRef(2) ? block(record, 2).blockNum : P_NONE;
  if (!isleaf) clearIncompleteSplit(record, 3, ctx);

  // The right page, from scratch.
  const rbuf = XLogInitBufferForRedo(record, 1, ctx);
  const rpage = ctx.buffers.getPage(rbuf);
  btPageInit(rpage);
  btpoSet(rpage, left.blockNum, spagenumber, level, isleaf ? BTP_LEAF : 0, 0);
  btRestorePage(rpage, right.data);
  pageSetLSN(rpage, record.endLsn);
  ctx.buffers.markBufferDirty(rbuf);

  // The left page: the original's items before firstrightoff, the new item if it went left, the new high key.
  const { action, buffer } = XLogReadBufferForRedo(record, 0, ctx);
  if (action === 'needs_redo') {
    const opage = ctx.buffers.getPage(buffer);
    const data = left.data;
    let p = 0;
    let newitem: Uint8Array | null = null;
    if (newitemonleft) {
      const sz = indexTupleSize(data, 0);
      newitem = data.subarray(0, sz);
      p = sz;
    }
    const hikey = data.subarray(p, p + indexTupleSize(data, p));
    const lpage = tempPage;
    btPageInit(lpage);
    lpage.set(opage.subarray(BLCKSZ - 16), BLCKSZ - 16);
    btpoSetNext(lpage, right.blockNum);
    btpoSetFlags(lpage, BTP_INCOMPLETE_SPLIT | (isleaf ? BTP_LEAF : 0));
    btpoSetCycleId(lpage, 0);
    let leftoff = P_HIKEY;
    if (pageAddItem(lpage, hikey, 0, hikey.length, leftoff++, false, false) === 0) panic('failed to add high key to left page after split');
    let off = btPageFirstDataKey(opage);
    for (; off < firstrightoff; off++) {
      if (newitem !== null && off === newitemoff) {
        if (pageAddItem(lpage, newitem, 0, newitem.length, leftoff++, false, false) === 0) panic('failed to add new item to left page after split');
      }
      const lp = itemIdGet(opage, off);
      if (pageAddItem(lpage, opage, itemIdGetOffset(lp), itemIdGetLength(lp), leftoff++, false, false) === 0) panic('failed to add old item to left page after split');
    }
    if (newitem !== null && off === newitemoff) {
      if (pageAddItem(lpage, newitem, 0, newitem.length, leftoff++, false, false) === 0) panic('failed to add new item to left page after split');
    }
    opage.set(lpage);
    pageSetLSN(opage, record.endLsn);
    ctx.buffers.markBufferDirty(buffer);
  }
  if (action !== 'not_found') ctx.buffers.unlockReleaseBuffer(buffer);
  ctx.buffers.unlockReleaseBuffer(rbuf);

  // The old right sibling's left-link.
  if (spagenumber !== P_NONE) {
    const s = XLogReadBufferForRedo(record, 2, ctx);
    if (s.action === 'needs_redo') {
      const spage = ctx.buffers.getPage(s.buffer);
      btpoSetPrev(spage, right.blockNum);
      pageSetLSN(spage, record.endLsn);
      ctx.buffers.markBufferDirty(s.buffer);
    }
    if (s.action !== 'not_found') ctx.buffers.unlockReleaseBuffer(s.buffer);
  }
}

function redoDelete(record: DecodedXLogRecord, ctx: RedoContext, vacuum: boolean): void {
  const n = getU16(record.mainData, vacuum ? XLV_NDELETED : XLD_NDELETED);
  const { action, buffer } = XLogReadBufferForRedo(record, 0, ctx);
  if (action === 'needs_redo') {
    const page = ctx.buffers.getPage(buffer);
    const data = block(record, 0).data;
    for (let i = 0; i < n; i++) offsets[i] = getU16(data, 2 * i);
    if (n > 0) pageIndexMultiDelete(page, offsets, n);
    // VACUUM also forgets the page's split cycle; simple deletion keeps it.
    if (vacuum) btpoSetCycleId(page, 0);
    btpoSetFlags(page, btpoFlags(page) & ~BTP_HAS_GARBAGE);
    pageSetLSN(page, record.endLsn);
    ctx.buffers.markBufferDirty(buffer);
  }
  if (action !== 'not_found') ctx.buffers.unlockReleaseBuffer(buffer);
}

/** A half-dead leaf: empty but for a high key that links to the top of the subtree being deleted. */
function initHalfDeadLeaf(page: Uint8Array, prev: number, next: number, topparent: number): void {
  btPageInit(page);
  btpoSet(page, prev, next, 0, BTP_HALF_DEAD | BTP_LEAF, 0);
  const hikey = new Uint8Array(SIZE_OF_INDEX_TUPLE_DATA);
  hikey[6] = SIZE_OF_INDEX_TUPLE_DATA;
  btTupleSetTopParent(hikey, 0, topparent);
  if (pageAddItem(page, hikey, 0, hikey.length, P_HIKEY, false, false) !== P_HIKEY) elog('could not add dummy high key to half-dead page');
}

function redoMarkHalfDead(record: DecodedXLogRecord, ctx: RedoContext): void {
  const m = record.mainData;
  const p = XLogReadBufferForRedo(record, 1, ctx);
  if (p.action === 'needs_redo') {
    // The subtree's pivot now leads to its right sibling, whose own pivot goes.
    const page = ctx.buffers.getPage(p.buffer);
    const poffset = getU16(m, XLH_POFFSET);
    const rightsib = btTupleGetDownLink(page, itemIdGetOffset(itemIdGet(page, poffset + 1)));
    btTupleSetDownLink(page, itemIdGetOffset(itemIdGet(page, poffset)), rightsib);
    pageIndexTupleDelete(page, poffset + 1);
    pageSetLSN(page, record.endLsn);
    ctx.buffers.markBufferDirty(p.buffer);
  }
  if (p.action !== 'not_found') ctx.buffers.unlockReleaseBuffer(p.buffer);

  const buf = XLogInitBufferForRedo(record, 0, ctx);
  const page = ctx.buffers.getPage(buf);
  initHalfDeadLeaf(page, getU32(m, XLH_LEFTBLK), getU32(m, XLH_RIGHTBLK), getU32(m, XLH_TOPPARENT));
  pageSetLSN(page, record.endLsn);
  ctx.buffers.markBufferDirty(buf);
  ctx.buffers.unlockReleaseBuffer(buf);
}

function redoUnlinkPage(info: number, record: DecodedXLogRecord, ctx: RedoContext): void {
  const m = record.mainData;
  const leftsib = getU32(m, XLU_LEFTSIB);
  const rightsib = getU32(m, XLU_RIGHTSIB);
  const level = getU32(m, XLU_LEVEL);
  const safexid = getU64(m, XLU_SAFEXID);
  const bufs = ctx.buffers;

  let lbuf = 0;
  if (leftsib !== P_NONE) {
    const l = XLogReadBufferForRedo(record, 1, ctx);
    if (l.action === 'needs_redo') {
      const page = bufs.getPage(l.buffer);
      btpoSetNext(page, rightsib);
      pageSetLSN(page, record.endLsn);
      bufs.markBufferDirty(l.buffer);
    }
    if (l.action !== 'not_found') lbuf = l.buffer;
  }
  const target = XLogInitBufferForRedo(record, 0, ctx);
  const tpage = bufs.getPage(target);
  btPageInit(tpage);
  btpoSet(tpage, leftsib, rightsib, level, level === 0 ? BTP_LEAF : 0, 0);
  btPageSetDeleted(tpage, safexid);
  pageSetLSN(tpage, record.endLsn);
  bufs.markBufferDirty(target);

  const r = XLogReadBufferForRedo(record, 2, ctx);
  if (r.action === 'needs_redo') {
    const page = bufs.getPage(r.buffer);
    btpoSetPrev(page, leftsib);
    pageSetLSN(page, record.endLsn);
    bufs.markBufferDirty(r.buffer);
  }
  if (lbuf !== 0) bufs.unlockReleaseBuffer(lbuf);
  if (r.action !== 'not_found') bufs.unlockReleaseBuffer(r.buffer);
  bufs.unlockReleaseBuffer(target);

  if (record.hasBlockRef(3)) {
    // A parent of the leaf was the target: the leaf now links to the next page down the subtree.
    const leafbuf = XLogInitBufferForRedo(record, 3, ctx);
    const page = bufs.getPage(leafbuf);
    initHalfDeadLeaf(page, getU32(m, XLU_LEAFLEFTSIB), getU32(m, XLU_LEAFRIGHTSIB), getU32(m, XLU_LEAFTOPPARENT));
    pageSetLSN(page, record.endLsn);
    bufs.markBufferDirty(leafbuf);
    bufs.unlockReleaseBuffer(leafbuf);
  }
  if (info === XLOG_BTREE_UNLINK_PAGE_META) restoreMeta(record, 4, ctx);
}

function redoNewRoot(record: DecodedXLogRecord, ctx: RedoContext): void {
  const level = getU32(record.mainData, XLN_LEVEL);
  const buf = XLogInitBufferForRedo(record, 0, ctx);
  const page = ctx.buffers.getPage(buf);
  btPageInit(page);
  btpoSet(page, P_NONE, P_NONE, level, BTP_ROOT | (level === 0 ? BTP_LEAF : 0), 0);
  if (level > 0) {
    btRestorePage(page, block(record, 0).data);
    clearIncompleteSplit(record, 1, ctx);
  }
  pageSetLSN(page, record.endLsn);
  ctx.buffers.markBufferDirty(buf);
  ctx.buffers.unlockReleaseBuffer(buf);
  restoreMeta(record, 2, ctx);
}

function btreeRedo(record: DecodedXLogRecord, ctx: RedoContext): void {
  const info = record.info & 0xf0;
  switch (info) {
    case XLOG_BTREE_INSERT_LEAF:
      return redoInsert(true, false, record, ctx);
    case XLOG_BTREE_INSERT_UPPER:
      return redoInsert(false, false, record, ctx);
    case XLOG_BTREE_INSERT_META:
      return redoInsert(false, true, record, ctx);
    case XLOG_BTREE_SPLIT_L:
      return redoSplit(true, record, ctx);
    case XLOG_BTREE_SPLIT_R:
      return redoSplit(false, record, ctx);
    case XLOG_BTREE_VACUUM:
      return redoDelete(record, ctx, true);
    case XLOG_BTREE_DELETE:
      return redoDelete(record, ctx, false);
    case XLOG_BTREE_MARK_PAGE_HALFDEAD:
      return redoMarkHalfDead(record, ctx);
    case XLOG_BTREE_UNLINK_PAGE:
    case XLOG_BTREE_UNLINK_PAGE_META:
      return redoUnlinkPage(info, record, ctx);
    case XLOG_BTREE_NEWROOT:
      return redoNewRoot(record, ctx);
    case XLOG_BTREE_META_CLEANUP:
      return restoreMeta(record, 0, ctx);
    case XLOG_BTREE_REUSE_PAGE:
      return; // only hot standby conflicts; nothing to do
    case XLOG_BTREE_INSERT_POST:
    case XLOG_BTREE_DEDUP:
      panic(`btree_redo: deduplication records are not supported (op code ${info})`);
    // eslint-disable-next-line no-fallthrough
    default:
      panic(`btree_redo: unknown op code ${info}`);
  }
}

export const btreeRmgr: RmgrData = {
  id: RM_BTREE_ID,
  name: 'Btree',
  redo: btreeRedo,
  desc: btreeDesc,
  identify: btreeIdentify,
};

registerRmgr(btreeRmgr);

/**
 * btree_mask: a copy of the page with everything that may legitimately
 * differ between a page and its replayed twin blanked (LSN, checksum,
 * hint flags, unused space, leaf line pointer flags, the has-garbage and
 * split-end flags and the cycle id), for "do the trees agree" tests.
 */
export function btMaskPage(page: Uint8Array): Uint8Array {
  const out = page.slice();
  out.fill(0, 0, 10); // pd_lsn, pd_checksum
  out[10] = 0; // pd_flags (hints)
  out[11] = 0;
  const lower = out[12] | (out[13] << 8);
  const upper = out[14] | (out[15] << 8);
  if (lower >= 24 && upper >= lower && upper <= BLCKSZ) out.fill(0, lower, upper);
  if (btPageIsLeaf(out)) {
    const n = pageGetMaxOffsetNumber(out);
    for (let i = 1; i <= n; i++) {
      const lp = itemIdGet(out, i);
      if (itemIdGetFlags(lp) !== 0) {
        // LP_DEAD hints are not WAL-logged: show every used line pointer as LP_NORMAL.
        const w = ((lp & ~(3 << 15)) | (1 << 15)) >>> 0;
        const o = 24 + 4 * (i - 1);
        out[o] = w;
        out[o + 1] = w >>> 8;
        out[o + 2] = w >>> 16;
        out[o + 3] = w >>> 24;
      }
    }
  }
  btpoSetFlags(out, btpoFlags(out) & ~(BTP_HAS_GARBAGE | BTP_SPLIT_END));
  btpoSetCycleId(out, 0);
  return out;
}
