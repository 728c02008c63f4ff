/*
 * xlogutils.ts — what redo routines use to get at pages (PostgreSQL's
 * xlogutils.c).
 *
 * Exports: RedoBufferAccess, RedoAction, XLogReadBufferForRedo,
 * XLogInitBufferForRedo, restoreBlockImage.
 *
 * A redo routine never reads a page the plain way: the page may be older than
 * the record (replay it), newer (a later change already reached disk before
 * the crash: skip it), or torn (its full-page image in this record
 * replaces it). XLogReadBufferForRedo decides which, by the rule that makes
 * replay idempotent: a page whose LSN is at least the record's end LSN
 * already contains the record's effect.
 *
 *   block has an image to apply  -> zero the buffer, copy the image in
 *                                   (hole filled with zeroes), LSN = record end
 *                                   -> 'restored'
 *   page LSN >= record end LSN   -> 'done' (nothing to do, but the caller
 *                                   still releases the buffer)
 *   page never initialized       -> 'not_found' (a later record drops or
 *                                   truncates the relation; no buffer held)
 *   otherwise                    -> 'needs_redo': the caller changes the page,
 *                                   sets its LSN to record.endLsn, marks
 *                                   it dirty, and releases it
 */

import { pageGetLSN, pageIsNew, pageSetLSN } from '../../storage/page/bufpage.ts';
import type { RelFileLocator } from '../../storage/relfilelocator.ts';
import { elog, panic } from '../../utils/errors.ts';
import type { RedoContext } from './rmgr.ts';
import { lsnToString } from './xlogdefs.ts';
import type { WalBufferAccess } from './xloginsert.ts';
import type { DecodedBkpBlock, DecodedXLogRecord } from './xlogreader.ts';

/** PostgreSQL's InvalidBuffer (buffers are 1-based; see storage/buffer/buf_internals.ts). */
const InvalidBuffer = 0;

/** The buffer manager calls redo needs (implemented by storage/buffer/bufmgr.ts). */
export interface RedoBufferAccess extends WalBufferAccess {
  /**
   * Reads a block for redo, extending the relation with zero pages if the
   * block is beyond its end (XLogReadBufferExtended). With zeroAndLock the
   * page is not read but zeroed (RBM_ZERO_AND_LOCK). Returns the buffer
   * pinned and exclusively locked.
   */
  readBufferForRedo(rloc: RelFileLocator, fork: number, block: number, zeroAndLock: boolean): number;
  markBufferDirty(buffer: number): void;
  unlockReleaseBuffer(buffer: number): void;
}

export type RedoAction = 'needs_redo' | 'done' | 'restored' | 'not_found';

function blockOf(record: DecodedXLogRecord, blockId: number): DecodedBkpBlock {
  const blk = record.getBlock(blockId);
  if (blk === undefined) panic(`failed to locate backup block with ID ${blockId} in WAL record at ${lsnToString(record.lsn)}`);
  return blk;
}

/**
 * RestoreBlockImage: writes the block's image into `page`, zeroes in the
 * hole. The image must be one to apply.
 */
export function restoreBlockImage(record: DecodedXLogRecord, blockId: number, page: Uint8Array): void {
  const blk = blockOf(record, blockId);
  if (!blk.hasImage) elog(`could not restore image at ${lsnToString(record.lsn)} with invalid block ${blockId} specified`);
  const img = blk.image;
  if (blk.holeLength === 0) {
    page.set(img);
    return;
  }
  page.set(img.subarray(0, blk.holeOffset), 0);
  page.fill(0, blk.holeOffset, blk.holeOffset + blk.holeLength);
  page.set(img.subarray(blk.holeOffset), blk.holeOffset + blk.holeLength);
}

/**
 * XLogReadBufferForRedo: the buffer of block `blockId` of the record,
 * pinned and exclusively locked (except 'not_found'), and what redo must do
 * with it (see the table at the top of this file).
 */
export function XLogReadBufferForRedo(
  record: DecodedXLogRecord,
  blockId: number,
  ctx: RedoContext,
): { action: RedoAction; buffer: number } {
  const blk = blockOf(record, blockId);
  const bufs = ctx.buffers;
  if (blk.hasImage && blk.applyImage) {
    const buffer = bufs.readBufferForRedo(blk.rlocator, blk.forkNum, blk.blockNum, true);
    const page = bufs.getPage(buffer);
    restoreBlockImage(record, blockId, page);
    // An all-zero image is an uninitialized page: giving it an LSN would make it look initialized.
    if (!pageIsNew(page)) pageSetLSN(page, record.endLsn);
    bufs.markBufferDirty(buffer);
    return { action: 'restored', buffer };
  }
  if (blk.willInit) panic(`block with WILL_INIT flag in WAL record at ${lsnToString(record.lsn)} must be zeroed by redo routine`);
  const buffer = bufs.readBufferForRedo(blk.rlocator, blk.forkNum, blk.blockNum, false);
  const page = bufs.getPage(buffer);
  if (pageIsNew(page)) {
    bufs.unlockReleaseBuffer(buffer);
    return { action: 'not_found', buffer: InvalidBuffer };
  }
  if (record.endLsn <= pageGetLSN(page)) return { action: 'done', buffer };
  return { action: 'needs_redo', buffer };
}

/**
 * XLogInitBufferForRedo: for a block registered with REGBUF_WILL_INIT, the
 * zeroed buffer, pinned and exclusively locked; the redo routine initializes
 * the page from scratch.
 */
export function XLogInitBufferForRedo(record: DecodedXLogRecord, blockId: number, ctx: RedoContext): number {
  const blk = blockOf(record, blockId);
  return ctx.buffers.readBufferForRedo(blk.rlocator, blk.forkNum, blk.blockNum, true);
}
