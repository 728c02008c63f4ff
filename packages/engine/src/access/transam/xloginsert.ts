/*
 * xloginsert.ts — building a WAL record (PostgreSQL's xloginsert.c).
 *
 * Exports: XLogInsertState (beginInsert, registerData, registerBuffer,
 * registerBufData, insert, setTopXid, reset, saveBufferForHint,
 * logNewPage), WalBufferAccess, WalBufferTag, REGBUF_* flags.
 *
 * A caller that changes pages describes the change in one record:
 *
 *   ins.beginInsert();
 *   ins.registerBuffer(0, buffer, REGBUF_STANDARD);   // the page changed
 *   ins.registerBufData(0, tuple, 0, tupleLen);       // what redo needs for it
 *   ins.registerData(xlrec, 0, SIZE_OF_XL_HEAP_INSERT);  // the record's own data
 *   const lsn = ins.insert(RM_HEAP_ID, XLOG_HEAP_INSERT);
 *   pageSetLSN(page, lsn);                            // before unlocking the buffer
 *
 * registerBuffer and registerData only remember references: nothing is
 * copied until insert() copies the pieces straight into the WAL buffers in
 * shared memory. All scratch arrays are allocated once per backend, so a
 * small record costs no allocation.
 *
 * insert() decides for each registered page whether the record carries a
 * full-page image of it (rule 3 in README.md): yes if the page's LSN is at
 * or before the redo pointer (its first change since the checkpoint began)
 * or REGBUF_FORCE_IMAGE; never with REGBUF_NO_IMAGE. With REGBUF_STANDARD
 * the free space between pd_lower and pd_upper (the "hole") is left out.
 * When an image is taken, the block's registered data is left out too
 * (redo restores the image instead), unless REGBUF_KEEP_DATA. The redo
 * pointer can move between this decision and the insertion; XLog.insertRecord
 * rechecks under WALInsertLock and insert() then assembles again.
 *
 * xl_xid: insert(rmid, info, xid) stamps the given XID; without the third
 * argument, the value last given to setTopXid() (0 until then). PostgreSQL
 * stamps GetCurrentTransactionIdIfAny(): the current (sub)transaction's XID
 * if it has one, else 0. Callers that know their XID (heap, smgr) pass it;
 * others can set it once per transaction with setTopXid().
 *
 * Insertion states (one XLogInsertState per backend):
 *
 *            beginInsert()                 registerBuffer / registerBufData / registerData
 *   IDLE ------------------> BUILDING <----+
 *     ^                         |    +-----+
 *     +--- insert() or reset() -+
 *
 * Calls out of order are errors (PostgreSQL's "XLogBeginInsert was already
 * called"); assertState() checks the scratch state matches the state. After
 * an error in between, the transaction abort calls reset()
 * (XLogResetInsertion).
 */

import {
  BLCKSZ,
  SIZE_OF_PAGE_HEADER,
  XLOG_INSERT_CHUNKS_INITIAL,
  XLOG_INSERT_CHUNKS_MAX,
  XLOG_INSERT_RETRIES_MAX,
  XLOG_RECORD_MAX_BYTES,
  XLOG_SMALL_RECORD_BYTES,
} from '../../constants.ts';
import { crc32cInit, crc32cUpdate } from '../../port/crc32c.ts';
import { XLOG_FPI, XLOG_FPI_FOR_HINT } from '../../catalog/pg_control.ts';
import { pageGetLSN, pageIsNew, pageSetLSN } from '../../storage/page/bufpage.ts';
import { Assert, PgError, SQLSTATE, elog, panic } from '../../utils/errors.ts';
import { RM_XLOG_ID } from './rmgr.ts';
import type { XLog } from './xlog.ts';
import { InvalidXLogRecPtr, getU16, type XLogRecPtr } from './xlogdefs.ts';
import {
  BKPBLOCK_HAS_DATA,
  BKPBLOCK_HAS_IMAGE,
  BKPBLOCK_SAME_REL,
  BKPBLOCK_WILL_INIT,
  BKPIMAGE_APPLY,
  BKPIMAGE_HAS_HOLE,
  SIZE_OF_XLOG_RECORD,
  XL_INFO,
  XL_RMID,
  XL_TOT_LEN,
  XL_XID,
  XLR_BLOCK_ID_DATA_LONG,
  XLR_BLOCK_ID_DATA_SHORT,
  XLR_CHECK_CONSISTENCY,
  XLR_MAX_BLOCK_ID,
  XLR_MAX_HEADER_BYTES,
  XLR_RMGR_INFO_MASK,
  XLR_SPECIAL_REL_UPDATE,
  XLogRecData,
} from './xlogrecord.ts';

/** Force a full-page image of the buffer. */
export const REGBUF_FORCE_IMAGE = 0x01;
/** Never take a full-page image (the caller logs enough to rebuild the page). */
export const REGBUF_NO_IMAGE = 0x02;
/** Redo re-initializes the page from scratch; implies NO_IMAGE. */
export const REGBUF_WILL_INIT = 0x04 | 0x02;
/** The page has the standard layout: an image may leave out the pd_lower..pd_upper hole. */
export const REGBUF_STANDARD = 0x08;
/** Keep the registered data even when a full-page image is taken. */
export const REGBUF_KEEP_DATA = 0x10;

/** A buffer's identity, filled by WalBufferAccess.getTag (the buffer manager's BufferTag has this shape). */
export interface WalBufferTag {
  spcOid: number;
  dbOid: number;
  relNumber: number;
  forkNum: number;
  blockNum: number;
}

/** What WAL insertion needs from the buffer manager (storage/buffer/bufmgr.ts implements it). */
export interface WalBufferAccess {
  /** The page of a pinned buffer: a view into shared buffers, stable while the caller holds the buffer lock. */
  getPage(buffer: number): Uint8Array;
  getTag(buffer: number, out: WalBufferTag): void;
}

const NBLOCKS = XLR_MAX_BLOCK_ID + 1;
const PD_LOWER = 12;
const PD_UPPER = 14;
const UINT16_MAX = 0xffff;
const TAKE_IMAGE = 1;
const TAKE_DATA = 2;
const ALLOWED_INFO_BITS = XLR_RMGR_INFO_MASK | XLR_SPECIAL_REL_UPDATE | XLR_CHECK_CONSISTENCY;

export class XLogInsertState {
  private readonly xlog: XLog;
  private readonly bufs: WalBufferAccess;
  private building = false;
  private topXid = 0;

  // Registered buffers, by block id (PostgreSQL's registered_buffers).
  /** One past the highest block id in use. */
  private maxBlockId = 0;
  private readonly blkInUse = new Uint8Array(NBLOCKS);
  private readonly blkFlags = new Uint8Array(NBLOCKS);
  private readonly blkSpc = new Uint32Array(NBLOCKS);
  private readonly blkDb = new Uint32Array(NBLOCKS);
  private readonly blkRel = new Uint32Array(NBLOCKS);
  private readonly blkFork = new Uint8Array(NBLOCKS);
  private readonly blkBlock = new Uint32Array(NBLOCKS);
  private readonly blkPage: Uint8Array[];
  private readonly blkDataLen = new Int32Array(NBLOCKS);
  private readonly blkChunkHead = new Int32Array(NBLOCKS);
  private readonly blkChunkTail = new Int32Array(NBLOCKS);
  // Pass 1's decisions, for pass 2 (assemble).
  private readonly blkTake = new Uint8Array(NBLOCKS);
  private readonly blkHoleOffset = new Int32Array(NBLOCKS);
  private readonly blkHoleLength = new Int32Array(NBLOCKS);

  // Data chunks, as linked lists (one per block, one for main data) in one table.
  private chunkBuf: Uint8Array[];
  private chunkStart: Int32Array;
  private chunkLen: Int32Array;
  private chunkNext: Int32Array;
  private nChunks = 0;
  private mainHead = -1;
  private mainTail = -1;
  private mainLen = 0;

  // Assembly output. The header scratch also holds a whole small record (gathered).
  private readonly hdr = new Uint8Array(XLR_MAX_HEADER_BYTES + XLOG_SMALL_RECORD_BYTES);
  private readonly hdrView: DataView;
  private readonly rdata = new XLogRecData(this.hdr, XLOG_INSERT_CHUNKS_INITIAL + 2 * NBLOCKS);
  private fpwLsn: XLogRecPtr = InvalidXLogRecPtr;
  private numFpi = 0;

  private readonly tag: WalBufferTag = { spcOid: 0, dbOid: 0, relNumber: 0, forkNum: 0, blockNum: 0 };
  private readonly hintCopy = new Uint8Array(BLCKSZ);

  constructor(xlog: XLog, buffers: WalBufferAccess) {
    this.xlog = xlog;
    this.bufs = buffers;
    const empty = new Uint8Array(0);
    this.blkPage = new Array<Uint8Array>(NBLOCKS).fill(empty);
    this.chunkBuf = new Array<Uint8Array>(XLOG_INSERT_CHUNKS_INITIAL).fill(empty);
    this.chunkStart = new Int32Array(XLOG_INSERT_CHUNKS_INITIAL);
    this.chunkLen = new Int32Array(XLOG_INSERT_CHUNKS_INITIAL);
    this.chunkNext = new Int32Array(XLOG_INSERT_CHUNKS_INITIAL);
    this.hdrView = this.rdata.headView;
  }

  /** xl_xid for the records that follow when insert() is not given one: the current XID, or 0. */
  setTopXid(xid: number): void {
    this.topXid = xid >>> 0;
  }

  /** XLogBeginInsert. */
  beginInsert(): void {
    if (this.building) elog('XLogBeginInsert was already called');
    this.building = true;
  }

  /** XLogResetInsertion: forgets everything registered (after insert, or on error). */
  reset(): void {
    for (let i = 0; i < this.maxBlockId; i++) this.blkInUse[i] = 0;
    this.maxBlockId = 0;
    this.nChunks = 0;
    this.mainHead = -1;
    this.mainTail = -1;
    this.mainLen = 0;
    this.building = false;
  }

  /** Checks the scratch state against the insertion state (diagram above). */
  assertState(): void {
    if (!this.building) {
      Assert(this.maxBlockId === 0 && this.nChunks === 0 && this.mainLen === 0, 'idle XLogInsertState holds registrations');
    }
    for (let i = this.maxBlockId; i < NBLOCKS; i++) Assert(this.blkInUse[i] === 0, 'block registered above maxBlockId');
  }

  /** XLogRegisterData: appends to the record's main data. Nothing is copied until insert(). */
  registerData(bytes: Uint8Array, start = 0, len = bytes.length - start): void {
    if (!this.building) elog('XLogBeginInsert was not called');
    if (len === 0) return;
    const c = this.newChunk(bytes, start, len);
    if (this.mainTail < 0) this.mainHead = c;
    else this.chunkNext[this.mainTail] = c;
    this.mainTail = c;
    this.mainLen += len;
  }

  /** XLogRegisterBuffer: the record changes this (pinned, exclusively locked) buffer; `blockId` 0..32. */
  registerBuffer(blockId: number, buffer: number, flags: number): void {
    if (!this.building) elog('XLogBeginInsert was not called');
    if (!(blockId >= 0 && blockId <= XLR_MAX_BLOCK_ID)) elog('too many registered buffers');
    if (this.blkInUse[blockId] !== 0) elog(`block ${blockId} registered twice with WAL insertion`);
    if ((flags & (REGBUF_FORCE_IMAGE | REGBUF_NO_IMAGE)) === (REGBUF_FORCE_IMAGE | REGBUF_NO_IMAGE)) elog('REGBUF_FORCE_IMAGE and REGBUF_NO_IMAGE together');
    const tag = this.tag;
    this.bufs.getTag(buffer, tag);
    this.blkInUse[blockId] = 1;
    this.blkFlags[blockId] = flags;
    this.blkSpc[blockId] = tag.spcOid;
    this.blkDb[blockId] = tag.dbOid;
    this.blkRel[blockId] = tag.relNumber;
    this.blkFork[blockId] = tag.forkNum;
    this.blkBlock[blockId] = tag.blockNum;
    this.blkPage[blockId] = this.bufs.getPage(buffer);
    this.blkDataLen[blockId] = 0;
    this.blkChunkHead[blockId] = -1;
    this.blkChunkTail[blockId] = -1;
    if (blockId >= this.maxBlockId) this.maxBlockId = blockId + 1;
  }

  /** XLogRegisterBufData: data for redo of one registered block (at most 65535 bytes per block). */
  registerBufData(blockId: number, bytes: Uint8Array, start = 0, len = bytes.length - start): void {
    if (!(blockId >= 0 && blockId <= XLR_MAX_BLOCK_ID) || this.blkInUse[blockId] === 0) {
      elog(`no block with id ${blockId} registered with WAL insertion`);
    }
    if (len === 0) return;
    if (this.blkDataLen[blockId] + len > UINT16_MAX) {
      throw new PgError(SQLSTATE.internal_error, 'too much WAL data', {
        detail: `${this.blkDataLen[blockId] + len} out of ${UINT16_MAX} bytes for block ${blockId}.`,
      });
    }
    const c = this.newChunk(bytes, start, len);
    if (this.blkChunkTail[blockId] < 0) this.blkChunkHead[blockId] = c;
    else this.chunkNext[this.blkChunkTail[blockId]] = c;
    this.blkChunkTail[blockId] = c;
    this.blkDataLen[blockId] += len;
  }

  /**
   * XLogInsert: assembles and inserts the record, returns its end LSN (the
   * LSN to set on the changed pages; what XLogFlush must reach to make it
   * durable). `xid` is stamped as xl_xid (default: setTopXid's value).
   * Resets the state for the next record, also on error.
   */
  insert(rmid: number, info: number, xid?: number): XLogRecPtr {
    if (!this.building) elog('XLogBeginInsert was not called');
    if ((info & ~ALLOWED_INFO_BITS) !== 0) panic(`invalid xlog info mask ${info.toString(16).toUpperCase().padStart(2, '0')}`);
    try {
      const xlog = this.xlog;
      for (let attempt = 0; attempt < XLOG_INSERT_RETRIES_MAX; attempt++) {
        const doPageWrites = xlog.cachedDoPageWrites;
        const crc = this.assemble(rmid, info, xid === undefined ? this.topXid : xid >>> 0, xlog.cachedRedoRecPtr, doPageWrites);
        const end = xlog.insertRecord(this.rdata, crc, this.fpwLsn, doPageWrites, this.numFpi);
        if (end !== InvalidXLogRecPtr) return end;
      }
      elog(`could not insert WAL record: the redo pointer moved ${XLOG_INSERT_RETRIES_MAX} times`);
    } finally {
      this.reset();
    }
  }

  /**
   * XLogRecordAssemble: the record header and block headers into `hdr`, and
   * the chunk list into `rdata`, decided with the given redo pointer.
   * Returns the running CRC of everything after the 24-byte header.
   *
   * Pass 1 decides, for each block, image or not and data or not, and
   * writes the headers. Pass 2 lays out the payloads: a small record without
   * images is gathered right behind its headers, so it becomes one chunk
   * (one CRC call, one copy into the WAL buffers); otherwise the images and
   * data chunks are listed in rdata for insertRecord to copy.
   */
  private assemble(rmid: number, info: number, xid: number, redo: XLogRecPtr, doPageWrites: boolean): number {
    const hdr = this.hdr;
    // Multi-byte fields through a DataView: TurboFan inlines its methods however big this function is.
    const hv = this.hdrView;
    let p = SIZE_OF_XLOG_RECORD;
    let fpwLsn = InvalidXLogRecPtr;
    let numFpi = 0;
    let prev = -1;
    let payload = 0;
    const maxBlockId = this.maxBlockId;
    for (let id = 0; id < maxBlockId; id++) {
      if (this.blkInUse[id] === 0) continue;
      const flags = this.blkFlags[id];
      const page = this.blkPage[id];
      let needsBackup: boolean;
      if ((flags & REGBUF_FORCE_IMAGE) !== 0) needsBackup = true;
      else if ((flags & REGBUF_NO_IMAGE) !== 0) needsBackup = false;
      else if (!doPageWrites) needsBackup = false;
      else {
        const lsn = pageGetLSN(page);
        needsBackup = lsn <= redo;
        // Remember the oldest page we did not image: if the redo pointer passes it, decide again.
        if (!needsBackup && (fpwLsn === InvalidXLogRecPtr || lsn < fpwLsn)) fpwLsn = lsn;
      }
      const dataLen = this.blkDataLen[id];
      const needsData = dataLen === 0 ? false : (flags & REGBUF_KEEP_DATA) !== 0 ? true : !needsBackup;
      let forkFlags = this.blkFork[id];
      if ((flags & REGBUF_WILL_INIT) === REGBUF_WILL_INIT) forkFlags |= BKPBLOCK_WILL_INIT;
      if (needsBackup) forkFlags |= BKPBLOCK_HAS_IMAGE;
      if (needsData) {
        forkFlags |= BKPBLOCK_HAS_DATA;
        payload += dataLen;
      }
      const sameRel =
        prev >= 0 && this.blkRel[prev] === this.blkRel[id] && this.blkDb[prev] === this.blkDb[id] && this.blkSpc[prev] === this.blkSpc[id];
      if (sameRel) forkFlags |= BKPBLOCK_SAME_REL;
      hdr[p] = id;
      hdr[p + 1] = forkFlags;
      hv.setUint16(p + 2, needsData ? dataLen : 0, true);
      p += 4;
      let holeOffset = 0;
      let holeLength = 0;
      if (needsBackup) {
        if ((flags & REGBUF_STANDARD) !== 0) {
          const lower = getU16(page, PD_LOWER);
          const upper = getU16(page, PD_UPPER);
          if (lower >= SIZE_OF_PAGE_HEADER && upper > lower && upper <= BLCKSZ) {
            holeOffset = lower;
            holeLength = upper - lower;
          }
        }
        hv.setUint16(p, BLCKSZ - holeLength, true);
        hv.setUint16(p + 2, holeOffset, true);
        hdr[p + 4] = BKPIMAGE_APPLY | (holeLength > 0 ? BKPIMAGE_HAS_HOLE : 0);
        p += 5;
        payload += BLCKSZ - holeLength;
        numFpi++;
      }
      this.blkHoleOffset[id] = holeOffset;
      this.blkHoleLength[id] = holeLength;
      this.blkTake[id] = (needsBackup ? TAKE_IMAGE : 0) | (needsData ? TAKE_DATA : 0);
      if (!sameRel) {
        hv.setUint32(p, this.blkSpc[id], true);
        hv.setUint32(p + 4, this.blkDb[id], true);
        hv.setUint32(p + 8, this.blkRel[id], true);
        p += 12;
      }
      hv.setUint32(p, this.blkBlock[id], true);
      p += 4;
      prev = id;
    }
    const mainLen = this.mainLen;
    if (mainLen > 0) {
      if (mainLen <= 255) {
        hdr[p] = XLR_BLOCK_ID_DATA_SHORT;
        hdr[p + 1] = mainLen;
        p += 2;
      } else {
        hdr[p] = XLR_BLOCK_ID_DATA_LONG;
        hv.setUint32(p + 1, mainLen, true);
        p += 5;
      }
    }
    const total = p + payload + mainLen;
    if (total > XLOG_RECORD_MAX_BYTES) {
      throw new PgError(SQLSTATE.program_limit_exceeded, 'oversized WAL record', {
        detail: `WAL record would be ${total} bytes (of maximum ${XLOG_RECORD_MAX_BYTES} bytes); rmid ${rmid} flags ${info}.`,
      });
    }
    hv.setUint32(XL_TOT_LEN, total, true);
    hv.setUint32(XL_XID, xid, true);
    hdr[XL_INFO] = info;
    hdr[XL_RMID] = rmid;
    hdr[18] = 0;
    hdr[19] = 0;
    this.fpwLsn = fpwLsn;
    this.numFpi = numFpi;

    const rd = this.rdata;
    rd.reset();
    if (numFpi === 0 && total <= XLOG_SMALL_RECORD_BYTES) {
      // Gather the data behind the headers: the record is one chunk.
      let q = p;
      for (let id = 0; id < maxBlockId; id++) {
        if (this.blkInUse[id] === 0 || (this.blkTake[id] & TAKE_DATA) === 0) continue;
        for (let c = this.blkChunkHead[id]; c >= 0; c = this.chunkNext[c]) q = this.gatherChunk(c, q);
      }
      for (let c = this.mainHead; c >= 0; c = this.chunkNext[c]) q = this.gatherChunk(c, q);
      rd.push(hdr, 0, total);
      return crc32cUpdate(crc32cInit(), hdr, SIZE_OF_XLOG_RECORD, total);
    }
    rd.push(hdr, 0, p);
    for (let id = 0; id < maxBlockId; id++) {
      if (this.blkInUse[id] === 0) continue;
      const take = this.blkTake[id];
      if ((take & TAKE_IMAGE) !== 0) {
        const page = this.blkPage[id];
        const holeOffset = this.blkHoleOffset[id];
        const holeLength = this.blkHoleLength[id];
        if (holeLength > 0) {
          rd.push(page, 0, holeOffset);
          rd.push(page, holeOffset + holeLength, BLCKSZ - holeOffset - holeLength);
        } else {
          rd.push(page, 0, BLCKSZ);
        }
      }
      if ((take & TAKE_DATA) !== 0) {
        for (let c = this.blkChunkHead[id]; c >= 0; c = this.chunkNext[c]) rd.push(this.chunkBuf[c], this.chunkStart[c], this.chunkLen[c]);
      }
    }
    for (let c = this.mainHead; c >= 0; c = this.chunkNext[c]) rd.push(this.chunkBuf[c], this.chunkStart[c], this.chunkLen[c]);
    return rd.dataCrc();
  }

  /** Copies registered chunk `c` into the header scratch at `q`; returns the new end. */
  private gatherChunk(c: number, q: number): number {
    const src = this.chunkBuf[c];
    const s = this.chunkStart[c];
    const len = this.chunkLen[c];
    const hdr = this.hdr;
    if (len < 32) {
      for (let j = 0; j < len; j++) hdr[q + j] = src[s + j];
    } else if (s === 0 && len === src.length) {
      hdr.set(src, q);
    } else {
      hdr.set(src.subarray(s, s + len), q);
    }
    return q + len;
  }

  private newChunk(bytes: Uint8Array, start: number, len: number): number {
    if (!(start >= 0 && len >= 0 && start + len <= bytes.length)) elog('registered WAL data outside its array');
    if (this.nChunks === this.chunkLen.length) this.growChunks();
    const c = this.nChunks++;
    this.chunkBuf[c] = bytes;
    this.chunkStart[c] = start;
    this.chunkLen[c] = len;
    this.chunkNext[c] = -1;
    return c;
  }

  private growChunks(): void {
    const cap = this.chunkLen.length * 2;
    if (cap > XLOG_INSERT_CHUNKS_MAX) elog(`too much WAL data: more than ${XLOG_INSERT_CHUNKS_MAX} registered chunks`);
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.chunkStart = grow(this.chunkStart);
    this.chunkLen = grow(this.chunkLen);
    this.chunkNext = grow(this.chunkNext);
    const empty = new Uint8Array(0);
    for (let i = this.chunkBuf.length; i < cap; i++) this.chunkBuf.push(empty);
  }

  /**
   * XLogSaveBufferForHint: before a hint-bit change dirties a page for the
   * first time since the checkpoint began, log an image of it
   * (XLOG_FPI_FOR_HINT), so a torn write of the hinted page can be repaired
   * (needed with page checksums). The caller holds the buffer pinned and at
   * least share-locked, so the page is copied first: hint bits may change
   * under a share lock. Returns the record's end LSN, or InvalidXLogRecPtr if
   * no image was needed.
   */
  saveBufferForHint(buffer: number, bufferStd: boolean): XLogRecPtr {
    const redo = this.xlog.getRedoRecPtr();
    const page = this.bufs.getPage(buffer);
    if (pageGetLSN(page) > redo) return InvalidXLogRecPtr;
    this.hintCopy.set(page);
    this.beginInsert();
    this.registerBuffer(0, buffer, REGBUF_FORCE_IMAGE | (bufferStd ? REGBUF_STANDARD : 0));
    this.blkPage[0] = this.hintCopy;
    return this.insert(RM_XLOG_ID, XLOG_FPI_FOR_HINT);
  }

  /**
   * log_newpage_buffer: logs a full image of a page built without WAL (an
   * index build, a new relation's first page) and stamps the record's LSN on
   * it. The caller holds the buffer exclusively locked and marks it dirty.
   */
  logNewPage(buffer: number, pageStd: boolean): XLogRecPtr {
    this.beginInsert();
    this.registerBuffer(0, buffer, REGBUF_FORCE_IMAGE | (pageStd ? REGBUF_STANDARD : 0));
    const lsn = this.insert(RM_XLOG_ID, XLOG_FPI);
    const page = this.bufs.getPage(buffer);
    // An uninitialized page must stay all zeroes.
    if (!pageIsNew(page)) pageSetLSN(page, lsn);
    return lsn;
  }
}
