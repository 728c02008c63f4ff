/*
 * xlogrecord.ts — the layout of a WAL record (PostgreSQL's access/xlogrecord.h).
 *
 * Exports: the XLogRecord header fields (SIZE_OF_XLOG_RECORD, XL_*), the
 * block reference headers (XLR_*, BKPBLOCK_*, BKPIMAGE_*, SIZE_OF_*),
 * XLogRecData (a list of byte chunks that make one record), and
 * buildMainDataRecord (a whole record with only main data, for bootstrap and
 * RM_XLOG records).
 *
 * A record is a fixed header, then the headers of everything it carries,
 * then the payloads in the same order:
 *
 *   XLogRecord (24)
 *   XLogRecordBlockHeader for block 0 (+ image header, + RelFileLocator, + BlockNumber)
 *   XLogRecordBlockHeader for block 1 ...
 *   XLogRecordDataHeaderShort or Long (main data length)
 *   block 0 image (without its hole), block 0 data
 *   block 1 image, block 1 data ...
 *   main data
 *
 * XLogRecord, 24 bytes:
 *
 *   0            4            8                          16     17     18     20           24
 *   +------------+------------+--------------------------+------+------+------+------------+
 *   | xl_tot_len |   xl_xid   |   xl_prev (u64, LSN)     |xl_   |xl_   | pad  |   xl_crc   |
 *   |    u32     |    u32     |   low u32 | high u32     |info  |rmid  |  2   |    u32     |
 *   +------------+------------+--------------------------+------+------+------+------------+
 *
 *   xl_tot_len  length of the whole record, this header included
 *   xl_xid      top-level transaction id, 0 if none
 *   xl_prev     LSN of the previous record: the reader checks the chain
 *   xl_info     high 4 bits: the rmgr's record kind; low 4 bits: XLR_* flags
 *   xl_rmid     resource manager (rmgr.ts)
 *   xl_crc      CRC-32C of the record after the header, then of bytes 0..19
 *
 * XLogRecordBlockHeader, 4 bytes, one per registered buffer:
 *
 *   +----------+------------+----------------+
 *   | id  u8   | fork_flags | data_length u16|
 *   +----------+------------+----------------+
 *     fork_flags: low 4 bits fork number, then BKPBLOCK_HAS_IMAGE 0x10,
 *     HAS_DATA 0x20, WILL_INIT 0x40, SAME_REL 0x80
 *
 * followed by, in this order:
 *   XLogRecordBlockImageHeader, 5 bytes, if HAS_IMAGE:
 *     +------------+-----------------+-----------+
 *     | length u16 | hole_offset u16 | bimg_info |   length = image bytes stored
 *     +------------+-----------------+-----------+   (BLCKSZ - hole length)
 *   RelFileLocator, 12 bytes, unless SAME_REL (same relation as the previous block):
 *     +-------------+------------+----------------+
 *     | spcOid u32  | dbOid u32  | relNumber u32  |
 *     +-------------+------------+----------------+
 *   BlockNumber, u32.
 *
 * The main data header: XLR_BLOCK_ID_DATA_SHORT (255) then a u8 length, or
 * XLR_BLOCK_ID_DATA_LONG (254) then a u32 length. No header when there is no
 * main data.
 *
 * Images are never compressed, so the compressed-image hole length
 * (XLogRecordBlockCompressHeader) never appears; the hole length is
 * BLCKSZ - length when BKPIMAGE_HAS_HOLE is set.
 */

import { XLOG_INSERT_CHUNKS_INITIAL, XLOG_INSERT_CHUNKS_MAX } from '../../constants.ts';
import { crc32cFinal, crc32cInit, crc32cUpdate } from '../../port/crc32c.ts';
import { elog } from '../../utils/errors.ts';
import { putU32, putU64, type XLogRecPtr } from './xlogdefs.ts';

/** SizeOfXLogRecord: the fixed header. */
export const SIZE_OF_XLOG_RECORD = 24;
export const XL_TOT_LEN = 0;
export const XL_XID = 4;
export const XL_PREV = 8;
export const XL_INFO = 16;
export const XL_RMID = 17;
export const XL_CRC = 20;

/** xl_info bits the XLOG machinery owns; rmgrs use the high four. */
export const XLR_INFO_MASK = 0x0f;
export const XLR_RMGR_INFO_MASK = 0xf0;
/** The record touches relation storage in a way logical decoding must know (PostgreSQL's flag, kept for fidelity). */
export const XLR_SPECIAL_REL_UPDATE = 0x01;
/** wal_consistency_checking asked for images of every block (not implemented; the bit is accepted). */
export const XLR_CHECK_CONSISTENCY = 0x02;

/** Block ids 0..32: at most 33 buffers in one record. */
export const XLR_MAX_BLOCK_ID = 32;
export const XLR_BLOCK_ID_DATA_SHORT = 255;
export const XLR_BLOCK_ID_DATA_LONG = 254;
/** PostgreSQL's replication origin and top-level-xid markers; never written here, rejected by the reader. */
export const XLR_BLOCK_ID_ORIGIN = 253;
export const XLR_BLOCK_ID_TOPLEVEL_XID = 252;

export const SIZE_OF_XLOG_RECORD_BLOCK_HEADER = 4;
export const SIZE_OF_XLOG_RECORD_BLOCK_IMAGE_HEADER = 5;
export const SIZE_OF_REL_FILE_LOCATOR = 12;
export const SIZE_OF_BLOCK_NUMBER = 4;
export const SIZE_OF_XLOG_RECORD_DATA_HEADER_SHORT = 2;
export const SIZE_OF_XLOG_RECORD_DATA_HEADER_LONG = 5;

/** fork_flags bits. */
export const BKPBLOCK_FORK_MASK = 0x0f;
export const BKPBLOCK_FLAG_MASK = 0xf0;
export const BKPBLOCK_HAS_IMAGE = 0x10;
export const BKPBLOCK_HAS_DATA = 0x20;
/** Redo re-initializes the page: it need not be read first. */
export const BKPBLOCK_WILL_INIT = 0x40;
/** The RelFileLocator is omitted: same as the previous block's. */
export const BKPBLOCK_SAME_REL = 0x80;

/** bimg_info bits. */
export const BKPIMAGE_HAS_HOLE = 0x01;
/** Redo must restore the image (always set here: no wal_consistency_checking). */
export const BKPIMAGE_APPLY = 0x02;
/** PostgreSQL's compression methods; tabgres never compresses images and rejects these. */
export const BKPIMAGE_COMPRESS_PGLZ = 0x04;
export const BKPIMAGE_COMPRESS_LZ4 = 0x08;
export const BKPIMAGE_COMPRESS_ZSTD = 0x10;
export const BKPIMAGE_COMPRESSED_MASK = BKPIMAGE_COMPRESS_PGLZ | BKPIMAGE_COMPRESS_LZ4 | BKPIMAGE_COMPRESS_ZSTD;

/** Most header bytes a record can have: XLogRecord + 33 full block headers + the long data header. */
export const XLR_MAX_HEADER_BYTES =
  SIZE_OF_XLOG_RECORD +
  (XLR_MAX_BLOCK_ID + 1) *
    (SIZE_OF_XLOG_RECORD_BLOCK_HEADER + SIZE_OF_XLOG_RECORD_BLOCK_IMAGE_HEADER + SIZE_OF_REL_FILE_LOCATOR + SIZE_OF_BLOCK_NUMBER) +
  SIZE_OF_XLOG_RECORD_DATA_HEADER_LONG;

/**
 * XLogRecData: the chunks one record is made of, in order, without copying
 * them (PostgreSQL builds the same chain of pointers). Chunk 0 is the header
 * scratch; the rest point into the caller's arrays or into shared buffer
 * pages. Preallocated per backend and reused for every record.
 */
export class XLogRecData {
  /** The header scratch: chunk 0 always starts at its byte 0. */
  readonly head: Uint8Array;
  /** A DataView over `head`, for header fields. */
  readonly headView: DataView;
  /** `head` as 32-bit words, for the word-at-a-time copy into the WAL buffers. */
  readonly headWords: Int32Array;
  bufs: Uint8Array[];
  starts: Int32Array;
  lens: Int32Array;
  /** Chunks in use. */
  n = 0;
  /** Sum of lens[0..n): the record's xl_tot_len once assembled. */
  totalLen = 0;

  constructor(head: Uint8Array, capacity = XLOG_INSERT_CHUNKS_INITIAL) {
    this.head = head;
    this.headView = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (head.byteOffset % 4 !== 0) elog('XLogRecData header scratch must be 32-bit aligned');
    this.headWords = new Int32Array(head.buffer, head.byteOffset, head.byteLength >> 2);
    const empty = new Uint8Array(0);
    this.bufs = new Array<Uint8Array>(capacity).fill(empty);
    this.starts = new Int32Array(capacity);
    this.lens = new Int32Array(capacity);
  }

  /**
   * Fills xl_prev and xl_crc of the header: the running data CRC extended
   * over header bytes 0..19 (called under WALInsertLock, once xl_prev is known).
   */
  finishHeader(prev: XLogRecPtr, dataCrc: number): void {
    const hv = this.headView;
    hv.setUint32(XL_PREV, prev >>> 0, true);
    hv.setUint32(XL_PREV + 4, Math.floor(prev / 4294967296), true);
    hv.setUint32(XL_CRC, crc32cFinal(crc32cUpdate(dataCrc, this.head, 0, XL_CRC)), true);
  }

  reset(): void {
    this.n = 0;
    this.totalLen = 0;
  }

  push(buf: Uint8Array, start: number, len: number): void {
    if (this.n === this.lens.length) this.grow();
    const i = this.n++;
    this.bufs[i] = buf;
    this.starts[i] = start;
    this.lens[i] = len;
    this.totalLen += len;
  }

  /** CRC-32C of every chunk after the fixed header (the record's CRC before its header part). */
  dataCrc(): number {
    let crc = crc32cUpdate(crc32cInit(), this.head, SIZE_OF_XLOG_RECORD, this.lens[0]);
    for (let i = 1; i < this.n; i++) {
      const s = this.starts[i];
      crc = crc32cUpdate(crc, this.bufs[i], s, s + this.lens[i]);
    }
    return crc;
  }

  private grow(): void {
    const cap = this.lens.length * 2;
    if (cap > XLOG_INSERT_CHUNKS_MAX) elog(`too much WAL data: more than ${XLOG_INSERT_CHUNKS_MAX} chunks in one record`);
    const starts = new Int32Array(cap);
    const lens = new Int32Array(cap);
    starts.set(this.starts);
    lens.set(this.lens);
    this.starts = starts;
    this.lens = lens;
    const empty = new Uint8Array(0);
    for (let i = this.bufs.length; i < cap; i++) this.bufs.push(empty);
  }
}

/**
 * Finishes a record's CRC: the data CRC (dataCrc) extended over header bytes
 * 0..19, once xl_prev is known. Writes xl_prev and xl_crc into `hdr`.
 */
export function finishRecordHeader(hdr: Uint8Array, hdrOff: number, prev: XLogRecPtr, dataCrc: number): void {
  putU64(hdr, hdrOff + XL_PREV, prev);
  const crc = crc32cFinal(crc32cUpdate(dataCrc, hdr, hdrOff, hdrOff + XL_CRC));
  putU32(hdr, hdrOff + XL_CRC, crc);
}

/**
 * Fills the header and main data header of a record that has only main data
 * into `hdr` (which must have room for 29 bytes) and returns the header
 * length. xl_prev and xl_crc are left for finishRecordHeader.
 */
export function writeMainDataRecordHeader(hdr: Uint8Array, rmid: number, info: number, xid: number, dataLen: number): number {
  let p = SIZE_OF_XLOG_RECORD;
  if (dataLen > 0) {
    if (dataLen <= 255) {
      hdr[p++] = XLR_BLOCK_ID_DATA_SHORT;
      hdr[p++] = dataLen;
    } else {
      hdr[p++] = XLR_BLOCK_ID_DATA_LONG;
      putU32(hdr, p, dataLen);
      p += 4;
    }
  }
  putU32(hdr, XL_TOT_LEN, p + dataLen);
  putU32(hdr, XL_XID, xid);
  hdr[XL_INFO] = info;
  hdr[XL_RMID] = rmid;
  hdr[18] = 0;
  hdr[19] = 0;
  return p;
}

/**
 * A complete record with only main data, as one array (bootstrap writes the
 * first checkpoint record with it; tests build records with it).
 */
export function buildMainDataRecord(rmid: number, info: number, xid: number, prev: XLogRecPtr, data: Uint8Array): Uint8Array {
  const hdr = new Uint8Array(SIZE_OF_XLOG_RECORD + SIZE_OF_XLOG_RECORD_DATA_HEADER_LONG);
  const hdrLen = writeMainDataRecordHeader(hdr, rmid, info, xid, data.length);
  const rec = new Uint8Array(hdrLen + data.length);
  rec.set(hdr.subarray(0, hdrLen));
  rec.set(data, hdrLen);
  finishRecordHeader(rec, 0, prev, crc32cUpdate(crc32cInit(), rec, SIZE_OF_XLOG_RECORD, rec.length));
  return rec;
}
