/*
 * xlog_internal.ts — WAL page headers and segment files (PostgreSQL's
 * access/xlog_internal.h).
 *
 * Exports: the page header layout (XLP_* flags, SIZE_OF_XLOG_SHORT_PHD,
 * SIZE_OF_XLOG_LONG_PHD, xlogPageHeaderSize, writePageHeader), segment
 * arithmetic (xlByteToSeg, xlogSegmentOffset, xlogSegNoOffsetToRecPtr,
 * xlogPageHeaderSizeAt), file names (XLOGDIR, xlogFileName, xlogFilePath,
 * parseXLogFileName), isValidWalSegSize.
 *
 * The WAL is a stream of XLOG_BLCKSZ (8 KB) pages cut into segment files of
 * wal_segment_size bytes. Every page starts with a header; the first page of
 * each segment has the long one, which also identifies the cluster, so a
 * segment can be checked on its own.
 *
 * Short page header (XLogPageHeaderData), 24 bytes (MAXALIGN of 20):
 *
 *   0        2        4                 8                                 16                20       24
 *   +--------+--------+-----------------+---------------------------------+-----------------+--------+
 *   |xlp_    |xlp_info|    xlp_tli      |          xlp_pageaddr           |   xlp_rem_len    |  pad   |
 *   | magic  |  u16   |      u32        |          u64 (LSN)              |      u32         |        |
 *   +--------+--------+-----------------+---------------------------------+-----------------+--------+
 *
 *   xlp_magic     XLOG_PAGE_MAGIC: a different value means another WAL format (or no page at all)
 *   xlp_info      XLP_* flags below
 *   xlp_tli       timeline of the page's first record (always 1 here)
 *   xlp_pageaddr  the LSN of this page. A recycled segment keeps its old pages,
 *                 whose xlp_pageaddr is from the past: that is how the reader
 *                 tells stale data from WAL (rule 5 in README.md)
 *   xlp_rem_len   bytes of a record continued from the previous page (0 if none)
 *
 * Long page header (XLogLongPageHeaderData), 40 bytes, on a segment's first page:
 *
 *   0                         24                                32                36               40
 *   +-------------------------+---------------------------------+-----------------+----------------+
 *   |  short header (24)      |        xlp_sysid (u64)          | xlp_seg_size u32|xlp_xlog_blcksz |
 *   +-------------------------+---------------------------------+-----------------+----------------+
 *
 * Segment file names, in pg_wal/: 24 hex digits TTTTTTTTXXXXXXXXYYYYYYYY,
 * timeline, then the segment number split as (segno / segmentsPerXLogId,
 * segno % segmentsPerXLogId) with segmentsPerXLogId = 2^32 / segment size:
 * PostgreSQL's historical "log id / segment" split, kept so names match.
 */

import { WAL_SEGMENT_SIZE_MAX, WAL_SEGMENT_SIZE_MIN, XLOG_BLCKSZ, XLOG_PAGE_MAGIC } from '../../constants.ts';
import { putU16, putU32, putU64, type TimeLineID, type XLogRecPtr, type XLogSegNo } from './xlogdefs.ts';

/** Folder of the WAL segments, as in PostgreSQL 10+. */
export const XLOGDIR = 'pg_wal';

// xlp_info flags.
/** The page begins with the continuation of a record from the previous page. */
export const XLP_FIRST_IS_CONTRECORD = 0x0001;
/** This page has the long header (first page of a segment). */
export const XLP_LONG_HEADER = 0x0002;
/** PostgreSQL: images on this page may be dropped when archiving (unused here). */
export const XLP_BKP_REMOVABLE = 0x0004;
/** PostgreSQL: the continuation was overwritten after a crash (unused here). */
export const XLP_FIRST_IS_OVERWRITE_CONTRECORD = 0x0008;
/** All defined flag bits; a page with others set is rejected. */
export const XLP_ALL_FLAGS = 0x000f;

// Field offsets of the page header.
export const XLP_MAGIC = 0;
export const XLP_INFO = 2;
export const XLP_TLI = 4;
export const XLP_PAGEADDR = 8;
export const XLP_REM_LEN = 16;
export const XLP_SYSID = 24;
export const XLP_SEG_SIZE = 32;
export const XLP_XLOG_BLCKSZ = 36;

/** Size of the short page header, MAXALIGNed (SizeOfXLogShortPHD). */
export const SIZE_OF_XLOG_SHORT_PHD = 24;
/** Size of the long page header, MAXALIGNed (SizeOfXLogLongPHD). */
export const SIZE_OF_XLOG_LONG_PHD = 40;

/** XLogPageHeaderSize: the header size a page's xlp_info says it has. */
export function xlogPageHeaderSize(info: number): number {
  return (info & XLP_LONG_HEADER) !== 0 ? SIZE_OF_XLOG_LONG_PHD : SIZE_OF_XLOG_SHORT_PHD;
}

/** The header size of the page that starts at (or contains) `ptr`. */
export function xlogPageHeaderSizeAt(ptr: XLogRecPtr, segSize: number): number {
  return ptr % segSize < XLOG_BLCKSZ ? SIZE_OF_XLOG_LONG_PHD : SIZE_OF_XLOG_SHORT_PHD;
}

/** The identity a long header carries: cluster, segment size, page size. */
export interface WalClusterIdentity {
  /** pg_control's system identifier, split into its two 32-bit halves. */
  sysidHi: number;
  sysidLo: number;
  segSize: number;
}

/**
 * Writes the header of the WAL page at `pageAddr` into `buf` at `off` (the
 * page's bytes must already be zero). Used when a WAL buffer page is first
 * initialized (AdvanceXLInsertBuffer) and by bootstrap.
 */
export function writePageHeader(
  buf: Uint8Array,
  off: number,
  pageAddr: XLogRecPtr,
  tli: TimeLineID,
  ident: WalClusterIdentity,
): number {
  const long = pageAddr % ident.segSize === 0;
  putU16(buf, off + XLP_MAGIC, XLOG_PAGE_MAGIC);
  putU16(buf, off + XLP_INFO, long ? XLP_LONG_HEADER : 0);
  putU32(buf, off + XLP_TLI, tli);
  putU64(buf, off + XLP_PAGEADDR, pageAddr);
  putU32(buf, off + XLP_REM_LEN, 0);
  if (!long) return SIZE_OF_XLOG_SHORT_PHD;
  putU32(buf, off + XLP_SYSID, ident.sysidLo);
  putU32(buf, off + XLP_SYSID + 4, ident.sysidHi);
  putU32(buf, off + XLP_SEG_SIZE, ident.segSize);
  putU32(buf, off + XLP_XLOG_BLCKSZ, XLOG_BLCKSZ);
  return SIZE_OF_XLOG_LONG_PHD;
}

/**
 * IsValidWalSegSize: a power of two between the limits. PostgreSQL's lower
 * limit is 1 MB; tabgres accepts 64 KB for tests (constants.ts).
 */
export function isValidWalSegSize(size: number): boolean {
  return Number.isInteger(size) && size >= WAL_SEGMENT_SIZE_MIN && size <= WAL_SEGMENT_SIZE_MAX && (size & (size - 1)) === 0;
}

/** XLByteToSeg: the segment holding byte `ptr`. */
export function xlByteToSeg(ptr: XLogRecPtr, segSize: number): XLogSegNo {
  return Math.floor(ptr / segSize);
}

/** XLByteToPrevSeg: the segment holding byte `ptr - 1` (where a record ending at ptr lives). */
export function xlByteToPrevSeg(ptr: XLogRecPtr, segSize: number): XLogSegNo {
  return Math.floor((ptr - 1) / segSize);
}

/** XLogSegmentOffset: `ptr`'s offset inside its segment file. */
export function xlogSegmentOffset(ptr: XLogRecPtr, segSize: number): number {
  return ptr % segSize;
}

/** XLogSegNoOffsetToRecPtr. */
export function xlogSegNoOffsetToRecPtr(segno: XLogSegNo, offset: number, segSize: number): XLogRecPtr {
  return segno * segSize + offset;
}

function hex8(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, '0');
}

/** XLogFileName: "TTTTTTTTXXXXXXXXYYYYYYYY". */
export function xlogFileName(tli: TimeLineID, segno: XLogSegNo, segSize: number): string {
  const perId = 4294967296 / segSize;
  return hex8(tli) + hex8(Math.floor(segno / perId)) + hex8(segno % perId);
}

/** The path of a segment file inside the data directory. */
export function xlogFilePath(tli: TimeLineID, segno: XLogSegNo, segSize: number): string {
  return `${XLOGDIR}/${xlogFileName(tli, segno, segSize)}`;
}

const XLOG_FILE_NAME_RE = /^[0-9A-F]{24}$/;

/** XLogFromFileName: timeline and segment number of a segment file name, or null if it is not one. */
export function parseXLogFileName(name: string, segSize: number): { tli: TimeLineID; segno: XLogSegNo } | null {
  if (!XLOG_FILE_NAME_RE.test(name)) return null;
  const perId = 4294967296 / segSize;
  const log = parseInt(name.slice(8, 16), 16);
  const seg = parseInt(name.slice(16, 24), 16);
  if (seg >= perId) return null;
  return { tli: parseInt(name.slice(0, 8), 16), segno: log * perId + seg };
}
