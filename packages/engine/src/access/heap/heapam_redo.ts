/*
 * heapam_redo.ts — replay of heap WAL records (PostgreSQL's heap_redo and
 * heap2_redo), and the Heap/Heap2 resource managers.
 *
 * Every routine follows xlogutils.ts: XLogReadBufferForRedo says whether
 * the page needs the change (its LSN is older than the record) or already
 * has it, or was restored from a full-page image in the record. Changes to
 * the visibility map implied by a record are applied whatever the heap
 * page's state, as PostgreSQL does, because the VM page has its own LSN.
 */

import { itemIdGet, itemIdGetOffset, pageAddItem, pageClearAllVisible, pageGetMaxOffsetNumber, pageInit, pageSetAllVisible, pageSetLSN, pageSetPrunXid } from '../../storage/page/bufpage.ts';
import { elog } from '../../utils/errors.ts';
import {
  HEAP_COMBOCID, HEAP_HOT_UPDATED, HEAP_KEYS_UPDATED, HEAP_XMAX_COMMITTED, HEAP_XMAX_EXCL_LOCK, HEAP_XMAX_INVALID,
  HEAP_XMAX_IS_MULTI, HEAP_XMAX_KEYSHR_LOCK, HEAP_XMAX_LOCK_ONLY, htupGetInfomask, htupGetInfomask2, htupSetCid,
  htupSetCtid, htupSetInfomask, htupSetInfomask2, htupSetXmax, htupSetXmin,
} from '../common/htup_details.ts';
import { RedoServiceKey, RM_HEAP2_ID, RM_HEAP_ID, registerRmgr, type RedoContext } from '../transam/rmgr.ts';
import type { DecodedXLogRecord } from '../transam/xlogreader.ts';
import { XLogInitBufferForRedo, XLogReadBufferForRedo } from '../transam/xlogutils.ts';
import {
  getU16, getU32, heap2Desc, heap2Identify, heapDesc, heapIdentify, SIZE_OF_HEAP_HEADER, XLH_DELETE_ALL_VISIBLE_CLEARED,
  XLH_INSERT_ALL_VISIBLE_CLEARED, XLH_UPDATE_NEW_ALL_VISIBLE_CLEARED, XLH_UPDATE_OLD_ALL_VISIBLE_CLEARED, XLHL_KEYS_UPDATED,
  XLHL_XMAX_EXCL_LOCK, XLHL_XMAX_IS_MULTI, XLHL_XMAX_KEYSHR_LOCK, XLHL_XMAX_LOCK_ONLY, XLOG_HEAP_DELETE, XLOG_HEAP_HOT_UPDATE, XLOG_HEAP_LOCK, XLOG_HEAP_CONFIRM, XLH_DELETE_IS_SUPER,
  XLOG_HEAP_INIT_PAGE, XLOG_HEAP_INSERT, XLOG_HEAP_OPMASK, XLOG_HEAP_UPDATE, XLOG_HEAP2_FREEZE_PAGE, XLOG_HEAP2_PRUNE,
  XLOG_HEAP2_VACUUM, XLOG_HEAP2_VISIBLE, XLOG_HEAP2_MULTI_INSERT, SIZE_OF_HEAP_MULTI_INSERT, SIZE_OF_MULTI_INSERT_TUPLE, shortAlign,
} from './heapam_xlog.ts';
import { heapPagePruneExecute } from './pruneheap.ts';
import { heapExecuteFreeze, heapExecuteVacuum } from './vacuumlazy.ts';
import type { VisibilityMap } from './visibilitymap.ts';

export const HEAP_REDO_SERVICES = new RedoServiceKey<{ vm: VisibilityMap }>('heap');

/** Scratch for rebuilding tuples from WAL: a tuple is at most a page. */
const tupBuf = new Uint8Array(8192);

function fixInfomaskFromInfobits(infobits: number, page: Uint8Array, at: number): void {
  let infomask = htupGetInfomask(page, at) & ~(HEAP_XMAX_IS_MULTI | HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_EXCL_LOCK | HEAP_XMAX_KEYSHR_LOCK);
  let infomask2 = htupGetInfomask2(page, at) & ~HEAP_KEYS_UPDATED;
  if (infobits & XLHL_XMAX_IS_MULTI) infomask |= HEAP_XMAX_IS_MULTI;
  if (infobits & XLHL_XMAX_LOCK_ONLY) infomask |= HEAP_XMAX_LOCK_ONLY;
  if (infobits & XLHL_XMAX_EXCL_LOCK) infomask |= HEAP_XMAX_EXCL_LOCK;
  if (infobits & XLHL_XMAX_KEYSHR_LOCK) infomask |= HEAP_XMAX_KEYSHR_LOCK;
  if (infobits & XLHL_KEYS_UPDATED) infomask2 |= HEAP_KEYS_UPDATED;
  htupSetInfomask(page, at, infomask);
  htupSetInfomask2(page, at, infomask2);
}

function clearVm(record: DecodedXLogRecord, blockId: number, ctx: RedoContext): void {
  const blk = record.getBlock(blockId) ?? elog('heap redo: missing block reference');
  ctx.services.get(HEAP_REDO_SERVICES).vm.clear(blk.rlocator, blk.blockNum);
}

/**
 * Rebuilds a tuple from an xl_heap_header followed by the tuple's bytes from
 * t_bits on, data[start..end), and adds it at `offnum`.
 */
function redoAddTuple(page: Uint8Array, data: Uint8Array, offnum: number, xid: number, blockNum: number, start = 0, end = data.length, xmax = 0): void {
  const len = 23 + end - start - SIZE_OF_HEAP_HEADER;
  if (len < 23) elog('heap redo: tuple shorter than its header');
  tupBuf.fill(0, 0, 23);
  tupBuf.set(data.subarray(start + SIZE_OF_HEAP_HEADER, end), 23);
  // xmin = the record's xid, xmax the record's new_xmax (an update's carried key-share lockers) or 0,
  // cid FirstCommandId, header fields from the record.
  tupBuf[0] = xid & 0xff;
  tupBuf[1] = (xid >>> 8) & 0xff;
  tupBuf[2] = (xid >>> 16) & 0xff;
  tupBuf[3] = (xid >>> 24) & 0xff;
  tupBuf[4] = xmax & 0xff;
  tupBuf[5] = (xmax >>> 8) & 0xff;
  tupBuf[6] = (xmax >>> 16) & 0xff;
  tupBuf[7] = (xmax >>> 24) & 0xff;
  tupBuf[18] = data[start];
  tupBuf[19] = data[start + 1];
  tupBuf[20] = data[start + 2];
  tupBuf[21] = data[start + 3];
  tupBuf[22] = data[start + 4];
  if (pageGetMaxOffsetNumber(page) + 1 < offnum) elog(`heap redo: invalid max offset number`);
  const got = pageAddItem(page, tupBuf, 0, len, offnum, true, true);
  if (got !== offnum) elog(`heap redo: failed to add tuple at offset ${offnum}`);
  const at = itemIdGetOffset(itemIdGet(page, offnum));
  htupSetCtid(page, at, blockNum, offnum);
}

function heapRedoInsert(record: DecodedXLogRecord, ctx: RedoContext): void {
  const main = record.mainData;
  const offnum = getU16(main, 0);
  const flags = main[2];
  const blk = record.getBlock(0) ?? elog('heap insert redo: no block 0');
  if (flags & XLH_INSERT_ALL_VISIBLE_CLEARED) clearVm(record, 0, ctx);
  redoNewTuple(record, ctx, blk.data, offnum, blk.blockNum, (flags & XLH_INSERT_ALL_VISIBLE_CLEARED) !== 0);
}

/**
 * Adds the record's new tuple to block 0: on a page initialized from
 * scratch when the record says XLOG_HEAP_INIT_PAGE, else on the page as
 * XLogReadBufferForRedo finds it. Shared by insert and update redo.
 */
function redoNewTuple(record: DecodedXLogRecord, ctx: RedoContext, data: Uint8Array, offnum: number, blockNum: number, clearAllVisible: boolean, xmax = 0): void {
  let buffer: number;
  let action: string;
  if (record.info & XLOG_HEAP_INIT_PAGE) {
    buffer = XLogInitBufferForRedo(record, 0, ctx);
    pageInit(ctx.buffers.getPage(buffer), 0);
    action = 'needs_redo';
  } else {
    ({ buffer, action } = XLogReadBufferForRedo(record, 0, ctx));
  }
  if (action === 'needs_redo') {
    const page = ctx.buffers.getPage(buffer);
    redoAddTuple(page, data, offnum, record.xid, blockNum, 0, data.length, xmax);
    if (clearAllVisible) pageClearAllVisible(page);
    pageSetLSN(page, record.endLsn);
    ctx.buffers.markBufferDirty(buffer);
  }
  if (action !== 'not_found') ctx.buffers.unlockReleaseBuffer(buffer);
}

/**
 * XLOG_HEAP2_MULTI_INSERT: the record's tuples added to block 0 in order,
 * at the logged offsets, or at 1..ntuples on a page the record initializes.
 */
function heap2RedoMultiInsert(record: DecodedXLogRecord, ctx: RedoContext): void {
  const main = record.mainData;
  const flags = main[0];
  const ntuples = getU16(main, 2);
  const isInit = (record.info & XLOG_HEAP_INIT_PAGE) !== 0;
  if (!isInit && main.length < SIZE_OF_HEAP_MULTI_INSERT + 2 * ntuples) elog('heap multi-insert redo: offsets missing');
  const blk = record.getBlock(0) ?? elog('heap multi-insert redo: no block 0');
  if (flags & XLH_INSERT_ALL_VISIBLE_CLEARED) clearVm(record, 0, ctx);
  let buffer: number;
  let action: string;
  if (isInit) {
    buffer = XLogInitBufferForRedo(record, 0, ctx);
    pageInit(ctx.buffers.getPage(buffer), 0);
    action = 'needs_redo';
  } else {
    ({ buffer, action } = XLogReadBufferForRedo(record, 0, ctx));
  }
  if (action === 'needs_redo') {
    const page = ctx.buffers.getPage(buffer);
    const data = blk.data;
    let p = 0;
    for (let i = 0; i < ntuples; i++) {
      p = shortAlign(p);
      if (p + SIZE_OF_MULTI_INSERT_TUPLE > data.length) elog('heap multi-insert redo: block data too short');
      const datalen = getU16(data, p);
      const end = p + SIZE_OF_MULTI_INSERT_TUPLE + datalen;
      if (end > data.length) elog('heap multi-insert redo: block data too short');
      const offnum = isInit ? i + 1 : getU16(main, SIZE_OF_HEAP_MULTI_INSERT + 2 * i);
      // Past datalen the entry is an xl_heap_header and the tuple bytes, as redoAddTuple reads them.
      redoAddTuple(page, data, offnum, record.xid, blk.blockNum, p + 2, end);
      p = end;
    }
    if (p !== data.length) elog('heap multi-insert redo: block data longer than its tuples');
    if (flags & XLH_INSERT_ALL_VISIBLE_CLEARED) pageClearAllVisible(page);
    pageSetLSN(page, record.endLsn);
    ctx.buffers.markBufferDirty(buffer);
  }
  if (action !== 'not_found') ctx.buffers.unlockReleaseBuffer(buffer);
}

function heapRedoDelete(record: DecodedXLogRecord, ctx: RedoContext): void {
  const main = record.mainData;
  const xmax = getU32(main, 0);
  const offnum = getU16(main, 4);
  const infobits = main[6];
  const flags = main[7];
  if (flags & XLH_DELETE_ALL_VISIBLE_CLEARED) clearVm(record, 0, ctx);
  const { buffer, action } = XLogReadBufferForRedo(record, 0, ctx);
  if (action === 'needs_redo') {
    const page = ctx.buffers.getPage(buffer);
    const blk = record.getBlock(0) ?? elog('heap delete redo: no block 0');
    const at = itemIdGetOffset(itemIdGet(page, offnum));
    htupSetInfomask(page, at, htupGetInfomask(page, at) & ~(HEAP_XMAX_COMMITTED | HEAP_XMAX_INVALID | HEAP_COMBOCID));
    htupSetInfomask2(page, at, htupGetInfomask2(page, at) & ~HEAP_HOT_UPDATED);
    fixInfomaskFromInfobits(infobits, page, at);
    // A super-delete (heap_abort_speculative) kills the insertion itself: xmin, not xmax.
    if (flags & XLH_DELETE_IS_SUPER) htupSetXmin(page, at, 0);
    else htupSetXmax(page, at, xmax);
    htupSetCid(page, at, 0);
    htupSetCtid(page, at, blk.blockNum, offnum);
    pageSetPrunXid(page, xmax);
    if (flags & XLH_DELETE_ALL_VISIBLE_CLEARED) pageClearAllVisible(page);
    pageSetLSN(page, record.endLsn);
    ctx.buffers.markBufferDirty(buffer);
  }
  if (action !== 'not_found') ctx.buffers.unlockReleaseBuffer(buffer);
}

function heapRedoUpdate(record: DecodedXLogRecord, ctx: RedoContext, hot: boolean): void {
  const main = record.mainData;
  const oldXmax = getU32(main, 0);
  const oldOff = getU16(main, 4);
  const oldInfobits = main[6];
  const flags = main[7];
  const newXmax = getU32(main, 8);
  const newOff = getU16(main, 12);
  const nblk = record.getBlock(0) ?? elog('heap update redo: no block 0');
  const oldBlockId = record.hasBlockRef(1) ? 1 : 0;
  if (flags & XLH_UPDATE_OLD_ALL_VISIBLE_CLEARED) clearVm(record, oldBlockId, ctx);

  // The old version.
  const old = XLogReadBufferForRedo(record, oldBlockId, ctx);
  if (old.action === 'needs_redo') {
    const page = ctx.buffers.getPage(old.buffer);
    const at = itemIdGetOffset(itemIdGet(page, oldOff));
    htupSetInfomask(page, at, htupGetInfomask(page, at) & ~(HEAP_XMAX_COMMITTED | HEAP_XMAX_INVALID | HEAP_COMBOCID));
    let im2 = htupGetInfomask2(page, at);
    im2 = hot ? im2 | HEAP_HOT_UPDATED : im2 & ~HEAP_HOT_UPDATED;
    htupSetInfomask2(page, at, im2);
    fixInfomaskFromInfobits(oldInfobits, page, at);
    htupSetXmax(page, at, oldXmax);
    htupSetCid(page, at, 0);
    htupSetCtid(page, at, nblk.blockNum, newOff);
    pageSetPrunXid(page, record.xid);
    if (flags & XLH_UPDATE_OLD_ALL_VISIBLE_CLEARED) pageClearAllVisible(page);
    if (oldBlockId === 0) redoAddTuple(page, nblk.data, newOff, record.xid, nblk.blockNum, 0, nblk.data.length, newXmax);
    pageSetLSN(page, record.endLsn);
    ctx.buffers.markBufferDirty(old.buffer);
  }
  if (old.action !== 'not_found' && oldBlockId === 0) {
    ctx.buffers.unlockReleaseBuffer(old.buffer);
    return;
  }
  if (old.action !== 'not_found') ctx.buffers.unlockReleaseBuffer(old.buffer);
  if (oldBlockId === 0) return;

  // The new version on another page.
  if (flags & XLH_UPDATE_NEW_ALL_VISIBLE_CLEARED) clearVm(record, 0, ctx);
  redoNewTuple(record, ctx, nblk.data, newOff, nblk.blockNum, (flags & XLH_UPDATE_NEW_ALL_VISIBLE_CLEARED) !== 0, newXmax);
}

/** heap_xlog_confirm: a speculative insertion succeeded; its t_ctid becomes its own TID. */
function heapRedoConfirm(record: DecodedXLogRecord, ctx: RedoContext): void {
  const offnum = getU16(record.mainData, 0);
  const { buffer, action } = XLogReadBufferForRedo(record, 0, ctx);
  if (action === 'needs_redo') {
    const page = ctx.buffers.getPage(buffer);
    const blk = record.getBlock(0) ?? elog('heap confirm redo: no block 0');
    if (offnum < 1 || offnum > pageGetMaxOffsetNumber(page)) elog('heap confirm redo: invalid offset');
    htupSetCtid(page, itemIdGetOffset(itemIdGet(page, offnum)), blk.blockNum, offnum);
    pageSetLSN(page, record.endLsn);
    ctx.buffers.markBufferDirty(buffer);
  }
  if (action !== 'not_found') ctx.buffers.unlockReleaseBuffer(buffer);
}

/** heap_xlog_lock: the row lock's xmax and infomask bits; a lock-only xmax leaves the tuple the newest version. */
function heapRedoLock(record: DecodedXLogRecord, ctx: RedoContext): void {
  const main = record.mainData;
  const xmax = getU32(main, 0);
  const offnum = getU16(main, 4);
  const infobits = main[6];
  const { buffer, action } = XLogReadBufferForRedo(record, 0, ctx);
  if (action === 'needs_redo') {
    const page = ctx.buffers.getPage(buffer);
    const blk = record.getBlock(0) ?? elog('heap lock redo: no block 0');
    const at = itemIdGetOffset(itemIdGet(page, offnum));
    htupSetInfomask(page, at, htupGetInfomask(page, at) & ~(HEAP_XMAX_COMMITTED | HEAP_XMAX_INVALID));
    fixInfomaskFromInfobits(infobits, page, at);
    if ((infobits & XLHL_XMAX_LOCK_ONLY) !== 0) {
      htupSetInfomask2(page, at, htupGetInfomask2(page, at) & ~HEAP_HOT_UPDATED);
      htupSetCtid(page, at, blk.blockNum, offnum);
    }
    htupSetXmax(page, at, xmax);
    pageSetLSN(page, record.endLsn);
    ctx.buffers.markBufferDirty(buffer);
  }
  if (action !== 'not_found') ctx.buffers.unlockReleaseBuffer(buffer);
}

function heapRedo(record: DecodedXLogRecord, ctx: RedoContext): void {
  switch (record.info & XLOG_HEAP_OPMASK) {
    case XLOG_HEAP_INSERT: return heapRedoInsert(record, ctx);
    case XLOG_HEAP_DELETE: return heapRedoDelete(record, ctx);
    case XLOG_HEAP_UPDATE: return heapRedoUpdate(record, ctx, false);
    case XLOG_HEAP_HOT_UPDATE: return heapRedoUpdate(record, ctx, true);
    case XLOG_HEAP_LOCK: return heapRedoLock(record, ctx);
    case XLOG_HEAP_CONFIRM: return heapRedoConfirm(record, ctx);
    default: elog(`heap_redo: unknown op code ${record.info}`);
  }
}

const u16scratch = new Uint16Array(600);

function heap2RedoPrune(record: DecodedXLogRecord, ctx: RedoContext): void {
  const nredirected = getU16(record.mainData, 4);
  const ndead = getU16(record.mainData, 6);
  const { buffer, action } = XLogReadBufferForRedo(record, 0, ctx);
  if (action === 'needs_redo') {
    const data = (record.getBlock(0) ?? elog('prune redo: no block')).data;
    const n = data.length >> 1;
    for (let i = 0; i < n; i++) u16scratch[i] = getU16(data, i * 2);
    const redirects = u16scratch.subarray(0, nredirected * 2);
    const dead = u16scratch.subarray(nredirected * 2, nredirected * 2 + ndead);
    const unused = u16scratch.subarray(nredirected * 2 + ndead, n);
    const page = ctx.buffers.getPage(buffer);
    heapPagePruneExecute(page, redirects, nredirected, dead, ndead, unused, unused.length);
    pageSetLSN(page, record.endLsn);
    ctx.buffers.markBufferDirty(buffer);
  }
  if (action !== 'not_found') ctx.buffers.unlockReleaseBuffer(buffer);
}

function heap2RedoSimple(record: DecodedXLogRecord, ctx: RedoContext, apply: (page: Uint8Array, data: Uint8Array) => void): void {
  const { buffer, action } = XLogReadBufferForRedo(record, 0, ctx);
  if (action === 'needs_redo') {
    const page = ctx.buffers.getPage(buffer);
    apply(page, (record.getBlock(0) ?? elog('heap2 redo: no block')).data);
    pageSetLSN(page, record.endLsn);
    ctx.buffers.markBufferDirty(buffer);
  }
  if (action !== 'not_found') ctx.buffers.unlockReleaseBuffer(buffer);
}

function heap2RedoVisible(record: DecodedXLogRecord, ctx: RedoContext): void {
  const flags = record.mainData[4];
  // The heap page's PD_ALL_VISIBLE first, then the map bit.
  const heapRef = XLogReadBufferForRedo(record, 1, ctx);
  if (heapRef.action === 'needs_redo') {
    const page = ctx.buffers.getPage(heapRef.buffer);
    pageSetAllVisible(page);
    pageSetLSN(page, record.endLsn);
    ctx.buffers.markBufferDirty(heapRef.buffer);
  }
  if (heapRef.action !== 'not_found') ctx.buffers.unlockReleaseBuffer(heapRef.buffer);
  const vmRef = XLogReadBufferForRedo(record, 0, ctx);
  if (vmRef.action !== 'not_found') ctx.buffers.unlockReleaseBuffer(vmRef.buffer);
  const heapBlk = record.getBlock(1) ?? elog('visible redo: no heap block');
  const vm = ctx.services.get(HEAP_REDO_SERVICES).vm;
  const vmBuf = vm.pin(heapBlk.rlocator, heapBlk.blockNum, true);
  vm.set(vmBuf, heapBlk.blockNum, flags, record.endLsn);
  vm.release(vmBuf);
}

function heap2Redo(record: DecodedXLogRecord, ctx: RedoContext): void {
  switch (record.info & XLOG_HEAP_OPMASK) {
    case XLOG_HEAP2_PRUNE: return heap2RedoPrune(record, ctx);
    case XLOG_HEAP2_VACUUM: return heap2RedoSimple(record, ctx, (page, data) => heapExecuteVacuum(page, data, data.length >> 1));
    case XLOG_HEAP2_FREEZE_PAGE: {
      const n = getU16(record.mainData, 4);
      return heap2RedoSimple(record, ctx, (page, data) => heapExecuteFreeze(page, data, n));
    }
    case XLOG_HEAP2_VISIBLE: return heap2RedoVisible(record, ctx);
    case XLOG_HEAP2_MULTI_INSERT: return heap2RedoMultiInsert(record, ctx);
    default: elog(`heap2_redo: unknown op code ${record.info}`);
  }
}

export function registerHeapRmgrs(): void {
  registerRmgr({ id: RM_HEAP_ID, name: 'Heap', redo: heapRedo, identify: heapIdentify, desc: (r) => heapDesc(r.info, r.mainData) });
  registerRmgr({ id: RM_HEAP2_ID, name: 'Heap2', redo: heap2Redo, identify: heap2Identify, desc: (r) => heap2Desc(r.info, r.mainData) });
}
