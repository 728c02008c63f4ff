/*
 * xlogreader.ts — reading WAL records back from segment files (PostgreSQL's
 * xlogreader.c).
 *
 * Exports: XLogReader (beginRead, readRecord, readPageRaw, close),
 * DecodedXLogRecord, DecodedBkpBlock, XLogReaderOptions,
 * validatePageHeader.
 *
 * The reader walks the WAL one record at a time from a start LSN. It is how
 * recovery replays, how startup finds the end of the WAL, and how the
 * playground lists records. Each step checks everything a crash can damage
 * and stops at the first doubt; that point is the end of the WAL (README.md,
 * "End of WAL"):
 *
 *   page header   magic, info bits, xlp_pageaddr = the address we expect
 *                 (a recycled segment's stale page fails this), the long
 *                 header's system identifier, segment size and page size
 *   record header xl_tot_len at least 24 and at most XLOG_RECORD_MAX_BYTES,
 *                 a valid rmgr id, xl_prev = the previous record's LSN
 *   continuation  each following page has XLP_FIRST_IS_CONTRECORD and
 *                 xlp_rem_len = the bytes still missing
 *   CRC           CRC-32C over the whole record
 *   structure     the block and data headers add up to xl_tot_len
 *
 * A failed check makes readRecord() return null and leaves the reason in
 * errorMessage, worded as PostgreSQL words it (it logs them at the end of
 * crash recovery: "invalid record length at 0/3000060: expected at least 24,
 * got 0").
 *
 * Reading states:
 *
 *   NEW --beginRead(lsn)--> POSITIONED --readRecord() ok--> POSITIONED (next record)
 *                               |
 *                               +--readRecord() null--> AT_END (errorMessage set;
 *                                                        beginRead() starts over)
 *
 * The DecodedXLogRecord returned is the reader's own object, reused for the
 * next record: its Uint8Array fields are views into the reader's record
 * buffer. Copy what must outlive the next readRecord().
 */

import type { StorageDirectory, SyncFile } from '@tabgres/opfs-storage';
import { BLCKSZ, XLOG_BLCKSZ, XLOG_PAGE_MAGIC, XLOG_RECORD_MAX_BYTES } from '../../constants.ts';
import { crc32cFinal, crc32cUpdate, crc32cInit } from '../../port/crc32c.ts';
import { rmgrIdIsValid } from './rmgr.ts';
import { getU16, getU32, getU64, lsnToString, type XLogRecPtr } from './xlogdefs.ts';
import {
  XLP_ALL_FLAGS,
  XLP_FIRST_IS_CONTRECORD,
  XLP_INFO,
  XLP_LONG_HEADER,
  XLP_MAGIC,
  XLP_PAGEADDR,
  XLP_REM_LEN,
  XLP_SEG_SIZE,
  XLP_SYSID,
  XLP_TLI,
  XLP_XLOG_BLCKSZ,
  xlByteToSeg,
  xlogFileName,
  xlogFilePath,
  xlogPageHeaderSize,
  xlogSegmentOffset,
} from './xlog_internal.ts';
import {
  BKPBLOCK_HAS_DATA,
  BKPBLOCK_HAS_IMAGE,
  BKPBLOCK_SAME_REL,
  BKPBLOCK_WILL_INIT,
  BKPIMAGE_APPLY,
  BKPIMAGE_COMPRESSED_MASK,
  BKPIMAGE_HAS_HOLE,
  SIZE_OF_XLOG_RECORD,
  XL_CRC,
  XL_INFO,
  XL_PREV,
  XL_RMID,
  XL_TOT_LEN,
  XL_XID,
  XLR_BLOCK_ID_DATA_LONG,
  XLR_BLOCK_ID_DATA_SHORT,
  XLR_MAX_BLOCK_ID,
} from './xlogrecord.ts';

/** One block reference of a decoded record (DecodedBkpBlock). */
export class DecodedBkpBlock {
  readonly id: number;
  inUse = false;
  /** Mutable and reused; copy it to keep it. */
  readonly rlocator = { spcOid: 0, dbOid: 0, relNumber: 0 };
  forkNum = 0;
  blockNum = 0;
  /** fork_flags as written. */
  flags = 0;
  willInit = false;
  hasImage = false;
  /** The image must be restored by redo (BKPIMAGE_APPLY). */
  applyImage = false;
  /** The stored image: BLCKSZ - holeLength bytes, the hole cut out. */
  image: Uint8Array = EMPTY;
  imageLength = 0;
  holeOffset = 0;
  holeLength = 0;
  bimgInfo = 0;
  hasData = false;
  data: Uint8Array = EMPTY;
  dataLength = 0;

  constructor(id: number) {
    this.id = id;
  }
}

const EMPTY = new Uint8Array(0);

/** A record as redo routines see it (DecodedXLogRecord plus the reader's positions). */
export class DecodedXLogRecord {
  /** Where the record starts (ReadRecPtr). */
  lsn: XLogRecPtr = 0;
  /** Where the next record starts, MAXALIGNed (EndRecPtr); what pages changed by this record get as LSN. */
  endLsn: XLogRecPtr = 0;
  totalLen = 0;
  xid = 0;
  /** xl_info, all eight bits; the rmgr's kind is info & XLR_RMGR_INFO_MASK. */
  info = 0;
  rmid = 0;
  prev: XLogRecPtr = 0;
  crc = 0;
  /** The blocks referenced, in block id order (only those in use). */
  readonly blocks: DecodedBkpBlock[] = [];
  maxBlockId = -1;
  mainData: Uint8Array = EMPTY;
  mainDataLength = 0;
  /** The whole record's bytes (a view). */
  raw: Uint8Array = EMPTY;

  private readonly slots: DecodedBkpBlock[] = [];

  constructor() {
    for (let i = 0; i <= XLR_MAX_BLOCK_ID; i++) this.slots.push(new DecodedBkpBlock(i));
  }

  /** XLogRecGetBlock: the block with this id, or undefined. */
  getBlock(id: number): DecodedBkpBlock | undefined {
    const b = id >= 0 && id <= XLR_MAX_BLOCK_ID ? this.slots[id] : undefined;
    return b !== undefined && b.inUse ? b : undefined;
  }

  /** XLogRecHasBlockRef. */
  hasBlockRef(id: number): boolean {
    return this.getBlock(id) !== undefined;
  }

  /** XLogRecHasBlockImage. */
  hasBlockImage(id: number): boolean {
    return this.getBlock(id)?.hasImage === true;
  }

  /** @internal the reader's slot for block `id`, marked in use. */
  useSlot(id: number): DecodedBkpBlock {
    const b = this.slots[id];
    b.inUse = true;
    this.blocks.push(b);
    return b;
  }

  /** @internal */
  clearBlocks(): void {
    for (const b of this.blocks) {
      b.inUse = false;
      b.image = EMPTY;
      b.data = EMPTY;
    }
    this.blocks.length = 0;
    this.maxBlockId = -1;
  }
}

export interface XLogReaderOptions {
  segmentSize: number;
  /** The cluster's identifier from pg_control; long page headers must match. Null skips the check. */
  systemIdentifier?: bigint | null;
  /** The timeline pages must carry (always 1). */
  timeline?: number;
}

/**
 * XLogReaderValidatePageHeader: checks the header of the page at `pageAddr`
 * (its bytes in `page`). Returns null if fine, else PostgreSQL's message.
 */
export function validatePageHeader(
  page: Uint8Array,
  pageAddr: XLogRecPtr,
  segSize: number,
  timeline: number,
  sysid: bigint | null,
): string | null {
  const segOff = xlogSegmentOffset(pageAddr, segSize);
  const fname = xlogFileName(timeline, xlByteToSeg(pageAddr, segSize), segSize);
  const where = `in WAL segment ${fname}, LSN ${lsnToString(pageAddr)}, offset ${segOff}`;
  const magic = getU16(page, XLP_MAGIC);
  if (magic !== XLOG_PAGE_MAGIC) return `invalid magic number ${hex4(magic)} ${where}`;
  const info = getU16(page, XLP_INFO);
  if ((info & ~XLP_ALL_FLAGS) !== 0) return `invalid info bits ${hex4(info)} ${where}`;
  if ((info & XLP_LONG_HEADER) !== 0) {
    if (segOff !== 0) return `invalid info bits ${hex4(info)} ${where}`;
    const fileSysid = (BigInt(getU32(page, XLP_SYSID + 4)) << 32n) | BigInt(getU32(page, XLP_SYSID));
    if (sysid !== null && fileSysid !== sysid) {
      return (
        'WAL file is from different database system: WAL file database system identifier is ' +
        `${fileSysid}, pg_control database system identifier is ${sysid}`
      );
    }
    if (getU32(page, XLP_SEG_SIZE) !== segSize) return 'WAL file is from different database system: incorrect segment size in page header';
    if (getU32(page, XLP_XLOG_BLCKSZ) !== XLOG_BLCKSZ) return 'WAL file is from different database system: incorrect XLOG_BLCKSZ in page header';
  } else if (segOff === 0) {
    // The first page of a segment must have the long header.
    return `invalid info bits ${hex4(info)} ${where}`;
  }
  const addr = getU64(page, XLP_PAGEADDR);
  if (addr !== pageAddr) return `unexpected pageaddr ${lsnToString(addr)} ${where}`;
  const tli = getU32(page, XLP_TLI);
  if (tli !== timeline) return `unexpected timeline ID ${tli} ${where}`;
  return null;
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

function maxAlign8(n: number): number {
  return n + ((8 - (n % 8)) % 8);
}

export class XLogReader {
  /** Reason the last readRecord() returned null, in PostgreSQL's words; null after a success. */
  errorMessage: string | null = null;
  /** Start of the last record returned (ReadRecPtr). */
  readRecPtr: XLogRecPtr = 0;
  /** End of the last record returned, MAXALIGNed: where the next one starts (EndRecPtr). */
  endRecPtr: XLogRecPtr = 0;

  private readonly dir: StorageDirectory;
  private readonly segSize: number;
  private readonly sysid: bigint | null;
  private readonly tli: number;
  private readonly record = new DecodedXLogRecord();
  private nextRecPtr: XLogRecPtr = 0;
  /** The next record is read without a known predecessor: xl_prev need only be smaller. */
  private randAccess = true;
  private readonly page = new Uint8Array(XLOG_BLCKSZ);
  private pageAddr = -1;
  private recBuf = new Uint8Array(2 * XLOG_BLCKSZ);
  private segFile: SyncFile | null = null;
  private segNo = -1;

  constructor(dir: StorageDirectory, options: XLogReaderOptions) {
    this.dir = dir;
    this.segSize = options.segmentSize;
    this.sysid = options.systemIdentifier ?? null;
    this.tli = options.timeline ?? 1;
  }

  /** XLogBeginRead: the next readRecord() reads the record starting at `lsn`. */
  beginRead(lsn: XLogRecPtr): void {
    this.nextRecPtr = lsn;
    this.randAccess = true;
    this.readRecPtr = 0;
    this.endRecPtr = 0;
    this.pageAddr = -1;
    this.errorMessage = null;
  }

  /** XLogReadRecord: the next record, or null at the end of the WAL (see errorMessage). */
  readRecord(): DecodedXLogRecord | null {
    this.errorMessage = null;
    let recPtr = this.nextRecPtr;
    const randAccess = this.randAccess;
    const pageAddr0 = recPtr - (recPtr % XLOG_BLCKSZ);
    if (!this.loadPage(pageAddr0)) return null;
    const page = this.page;
    const info0 = getU16(page, XLP_INFO);
    const hdrSize0 = xlogPageHeaderSize(info0);
    let off = recPtr % XLOG_BLCKSZ;
    if (off === 0) {
      recPtr += hdrSize0;
      off = hdrSize0;
    } else if (off < hdrSize0) {
      return this.fail(`invalid record offset at ${lsnToString(recPtr)}: expected at least ${hdrSize0}, got ${off}`);
    }
    if ((info0 & XLP_FIRST_IS_CONTRECORD) !== 0 && off === hdrSize0) {
      return this.fail(`contrecord is requested by ${lsnToString(recPtr)}`);
    }
    // Records are MAXALIGNed and pages are multiples of 8, so xl_tot_len is on this page.
    const totLen = getU32(page, off + XL_TOT_LEN);
    let gotHeader = false;
    if (off + SIZE_OF_XLOG_RECORD <= XLOG_BLCKSZ) {
      if (!this.validRecordHeader(page, off, recPtr, randAccess)) return null;
      gotHeader = true;
    } else if (totLen < SIZE_OF_XLOG_RECORD) {
      return this.fail(`invalid record length at ${lsnToString(recPtr)}: expected at least ${SIZE_OF_XLOG_RECORD}, got ${totLen}`);
    }
    if (totLen > XLOG_RECORD_MAX_BYTES) return this.fail(`record length ${totLen} at ${lsnToString(recPtr)} too long`);
    if (this.recBuf.length < totLen) this.recBuf = new Uint8Array(Math.max(totLen, this.recBuf.length * 2));
    const buf = this.recBuf;

    let end: XLogRecPtr;
    const avail = XLOG_BLCKSZ - off;
    if (totLen <= avail) {
      buf.set(page.subarray(off, off + totLen), 0);
      end = recPtr + totLen;
    } else {
      // The record continues on following pages, each announcing how much is left.
      buf.set(page.subarray(off, XLOG_BLCKSZ), 0);
      let got = avail;
      let pagePtr = pageAddr0;
      end = 0;
      while (got < totLen) {
        pagePtr += XLOG_BLCKSZ;
        if (!this.loadPage(pagePtr)) return null;
        const info = getU16(page, XLP_INFO);
        if ((info & XLP_FIRST_IS_CONTRECORD) === 0) return this.fail(`there is no contrecord flag at ${lsnToString(pagePtr)}`);
        const remLen = getU32(page, XLP_REM_LEN);
        if (remLen === 0 || remLen !== totLen - got) {
          return this.fail(`invalid contrecord length ${remLen} (expected ${totLen - got}) at ${lsnToString(pagePtr)}`);
        }
        const hs = xlogPageHeaderSize(info);
        const n = Math.min(remLen, XLOG_BLCKSZ - hs);
        buf.set(page.subarray(hs, hs + n), got);
        got += n;
        end = pagePtr + hs + n;
        if (!gotHeader && got >= SIZE_OF_XLOG_RECORD) {
          if (!this.validRecordHeader(buf, 0, recPtr, randAccess)) return null;
          gotHeader = true;
        }
      }
    }

    let crc = crc32cUpdate(crc32cInit(), buf, SIZE_OF_XLOG_RECORD, totLen);
    crc = crc32cFinal(crc32cUpdate(crc, buf, 0, XL_CRC));
    if (crc !== getU32(buf, XL_CRC)) return this.fail(`incorrect resource manager data checksum in record at ${lsnToString(recPtr)}`);

    const endLsn = maxAlign8(end);
    if (!this.decode(buf, totLen, recPtr, endLsn)) return null;
    this.readRecPtr = recPtr;
    this.endRecPtr = endLsn;
    this.nextRecPtr = endLsn;
    this.randAccess = false;
    return this.record;
  }

  /**
   * Reads the raw bytes of the WAL page at `pageAddr` into `out` without
   * checking them; returns the bytes read (0 if the segment is missing).
   * Startup uses it to put the last, partial page back into the WAL buffers.
   */
  readPageRaw(pageAddr: XLogRecPtr, out: Uint8Array): number {
    this.pageAddr = -1;
    const f = this.openSegment(xlByteToSeg(pageAddr, this.segSize));
    if (f === null) return 0;
    return f.read(out.subarray(0, XLOG_BLCKSZ), { at: xlogSegmentOffset(pageAddr, this.segSize) });
  }

  close(): void {
    if (this.segFile !== null) this.segFile.close();
    this.segFile = null;
    this.segNo = -1;
    this.pageAddr = -1;
  }

  private fail(msg: string): null {
    this.errorMessage = msg;
    return null;
  }

  private bad(msg: string): false {
    this.errorMessage = msg;
    return false;
  }

  private openSegment(segno: number): SyncFile | null {
    if (segno === this.segNo && this.segFile !== null) return this.segFile;
    if (this.segFile !== null) this.segFile.close();
    this.segFile = null;
    this.segNo = -1;
    const path = xlogFilePath(this.tli, segno, this.segSize);
    if (!this.dir.exists(path)) {
      this.errorMessage = `could not open file "${path}": No such file or directory`;
      return null;
    }
    this.segFile = this.dir.open(path);
    this.segNo = segno;
    return this.segFile;
  }

  /** ReadPageInternal: the page at `pageAddr` into this.page, header checked. */
  private loadPage(pageAddr: XLogRecPtr): boolean {
    if (pageAddr === this.pageAddr) return true;
    this.pageAddr = -1;
    const segno = xlByteToSeg(pageAddr, this.segSize);
    const f = this.openSegment(segno);
    if (f === null) return false;
    const segOff = xlogSegmentOffset(pageAddr, this.segSize);
    const n = f.read(this.page, { at: segOff });
    if (n < XLOG_BLCKSZ) {
      const fname = xlogFileName(this.tli, segno, this.segSize);
      return this.bad(`could not read from WAL segment ${fname}, LSN ${lsnToString(pageAddr)}, offset ${segOff}: read ${n} of ${XLOG_BLCKSZ}`);
    }
    const msg = validatePageHeader(this.page, pageAddr, this.segSize, this.tli, this.sysid);
    if (msg !== null) return this.bad(msg);
    this.pageAddr = pageAddr;
    return true;
  }

  /** ValidXLogRecordHeader. */
  private validRecordHeader(b: Uint8Array, off: number, recPtr: XLogRecPtr, randAccess: boolean): boolean {
    const totLen = getU32(b, off + XL_TOT_LEN);
    if (totLen < SIZE_OF_XLOG_RECORD) {
      return this.bad(`invalid record length at ${lsnToString(recPtr)}: expected at least ${SIZE_OF_XLOG_RECORD}, got ${totLen}`);
    }
    const rmid = b[off + XL_RMID];
    if (!rmgrIdIsValid(rmid)) return this.bad(`invalid resource manager ID ${rmid} at ${lsnToString(recPtr)}`);
    const prev = getU64(b, off + XL_PREV);
    const ok = randAccess ? prev < recPtr : prev === this.readRecPtr;
    if (!ok) return this.bad(`record with incorrect prev-link ${lsnToString(prev)} at ${lsnToString(recPtr)}`);
    return true;
  }

  /** DecodeXLogRecord: splits the record's headers and payloads into this.record. */
  private decode(b: Uint8Array, len: number, recPtr: XLogRecPtr, endLsn: XLogRecPtr): boolean {
    const rec = this.record;
    rec.clearBlocks();
    rec.lsn = recPtr;
    rec.endLsn = endLsn;
    rec.totalLen = len;
    rec.xid = getU32(b, XL_XID);
    rec.info = b[XL_INFO];
    rec.rmid = b[XL_RMID];
    rec.prev = getU64(b, XL_PREV);
    rec.crc = getU32(b, XL_CRC);
    rec.raw = b.subarray(0, len);
    rec.mainData = EMPTY;
    rec.mainDataLength = 0;
    const at = lsnToString(recPtr);
    const shortData = (): boolean => this.bad(`record with invalid length at ${at}`);

    let p = SIZE_OF_XLOG_RECORD;
    let remaining = len - p;
    let dataTotal = 0;
    let prevRel: DecodedBkpBlock | null = null;
    while (remaining > dataTotal) {
      if (remaining < 1) return shortData();
      const blockId = b[p++];
      remaining--;
      if (blockId === XLR_BLOCK_ID_DATA_SHORT) {
        if (remaining < 1) return shortData();
        rec.mainDataLength = b[p++];
        remaining--;
        dataTotal += rec.mainDataLength;
        break; // main data is always last
      }
      if (blockId === XLR_BLOCK_ID_DATA_LONG) {
        if (remaining < 4) return shortData();
        rec.mainDataLength = getU32(b, p);
        p += 4;
        remaining -= 4;
        dataTotal += rec.mainDataLength;
        break;
      }
      if (blockId > XLR_MAX_BLOCK_ID) return this.bad(`invalid block_id ${blockId} at ${at}`);
      if (blockId <= rec.maxBlockId) return this.bad(`out-of-order block_id ${blockId} at ${at}`);
      rec.maxBlockId = blockId;
      const blk = rec.useSlot(blockId);
      if (remaining < 3) return shortData();
      const forkFlags = b[p];
      blk.flags = forkFlags;
      blk.forkNum = forkFlags & 0x0f;
      blk.hasImage = (forkFlags & BKPBLOCK_HAS_IMAGE) !== 0;
      blk.hasData = (forkFlags & BKPBLOCK_HAS_DATA) !== 0;
      blk.willInit = (forkFlags & BKPBLOCK_WILL_INIT) !== 0;
      blk.dataLength = getU16(b, p + 1);
      p += 3;
      remaining -= 3;
      if (blk.hasData && blk.dataLength === 0) return this.bad(`BKPBLOCK_HAS_DATA set, but no data included at ${at}`);
      if (!blk.hasData && blk.dataLength !== 0) {
        return this.bad(`BKPBLOCK_HAS_DATA not set, but data length is ${blk.dataLength} at ${at}`);
      }
      dataTotal += blk.dataLength;
      blk.imageLength = 0;
      blk.holeOffset = 0;
      blk.holeLength = 0;
      blk.bimgInfo = 0;
      blk.applyImage = false;
      if (blk.hasImage) {
        if (remaining < 5) return shortData();
        blk.imageLength = getU16(b, p);
        blk.holeOffset = getU16(b, p + 2);
        blk.bimgInfo = b[p + 4];
        p += 5;
        remaining -= 5;
        blk.applyImage = (blk.bimgInfo & BKPIMAGE_APPLY) !== 0;
        if ((blk.bimgInfo & BKPIMAGE_COMPRESSED_MASK) !== 0) {
          return this.bad(`could not restore image at ${at} compressed with unsupported method, block ${blockId}`);
        }
        const hasHole = (blk.bimgInfo & BKPIMAGE_HAS_HOLE) !== 0;
        blk.holeLength = hasHole ? BLCKSZ - blk.imageLength : 0;
        if (hasHole && (blk.holeOffset === 0 || blk.holeLength === 0 || blk.imageLength === BLCKSZ || blk.holeOffset + blk.holeLength > BLCKSZ)) {
          return this.bad(
            `BKPIMAGE_HAS_HOLE set, but hole offset ${blk.holeOffset} length ${blk.holeLength} block image length ${blk.imageLength} at ${at}`,
          );
        }
        if (!hasHole && blk.holeOffset !== 0) {
          return this.bad(`BKPIMAGE_HAS_HOLE not set, but hole offset ${blk.holeOffset} length ${blk.holeLength} at ${at}`);
        }
        if (!hasHole && blk.imageLength !== BLCKSZ) {
          return this.bad(`neither BKPIMAGE_HAS_HOLE nor BKPIMAGE_COMPRESSED set, but block image length is ${blk.imageLength} at ${at}`);
        }
        dataTotal += blk.imageLength;
      }
      if ((forkFlags & BKPBLOCK_SAME_REL) === 0) {
        if (remaining < 12) return shortData();
        blk.rlocator.spcOid = getU32(b, p);
        blk.rlocator.dbOid = getU32(b, p + 4);
        blk.rlocator.relNumber = getU32(b, p + 8);
        p += 12;
        remaining -= 12;
        prevRel = blk;
      } else {
        if (prevRel === null) return this.bad(`BKPBLOCK_SAME_REL set but no previous rel at ${at}`);
        blk.rlocator.spcOid = prevRel.rlocator.spcOid;
        blk.rlocator.dbOid = prevRel.rlocator.dbOid;
        blk.rlocator.relNumber = prevRel.rlocator.relNumber;
      }
      if (remaining < 4) return shortData();
      blk.blockNum = getU32(b, p);
      p += 4;
      remaining -= 4;
    }
    if (remaining !== dataTotal) return shortData();

    // Payloads follow in header order: each block's image then data, then main data.
    for (const blk of rec.blocks) {
      if (blk.hasImage) {
        blk.image = b.subarray(p, p + blk.imageLength);
        p += blk.imageLength;
      }
      if (blk.hasData) {
        blk.data = b.subarray(p, p + blk.dataLength);
        p += blk.dataLength;
      }
    }
    if (rec.mainDataLength > 0) {
      rec.mainData = b.subarray(p, p + rec.mainDataLength);
      p += rec.mainDataLength;
    }
    return p === len || shortData();
  }
}
