/*
 * xlogdefs.ts — WAL positions and the byte helpers every WAL file shares
 * (PostgreSQL's access/xlogdefs.h).
 *
 * Exports: XLogRecPtr, InvalidXLogRecPtr, TimeLineID, XLogSegNo,
 * lsnToString, lsnToString08, parseLsn, getU16/putU16/getU32/putU32,
 * getU64/putU64, crcHex.
 *
 * An XLogRecPtr (LSN) is a byte position in the endless WAL stream. C
 * PostgreSQL keeps it in a uint64; here it is a JS number, exact up to 2^53
 * bytes (8 PB of WAL), so comparisons and arithmetic stay plain and fast.
 * On disk an LSN is a little-endian uint64: the low 32 bits first.
 *
 *   byte   0        4        8
 *          +--------+--------+
 *          |  low   |  high  |      value = high * 2^32 + low
 *          +--------+--------+
 *
 * (A page's pd_lsn is the exception: it is {xlogid, xrecoff}, high word
 * first; bufpage.ts reads it.)
 */

/** A position in the WAL, in bytes from its start. */
export type XLogRecPtr = number;
/** No position: WAL never starts at 0 (the first segment is number 1). */
export const InvalidXLogRecPtr = 0;
/** Timelines; tabgres has only timeline 1 (no archive recovery, no promotion). */
export type TimeLineID = number;
/** A WAL segment number: LSN / segment size. */
export type XLogSegNo = number;

const TWO_32 = 4294967296;

/** Formats an LSN as PostgreSQL's "%X/%X" (e.g. 0/1000028). */
export function lsnToString(lsn: XLogRecPtr): string {
  return `${Math.floor(lsn / TWO_32).toString(16).toUpperCase()}/${(lsn >>> 0).toString(16).toUpperCase()}`;
}

/** Formats an LSN as pg_waldump prints it, "%X/%08X" (e.g. 0/01000028). */
export function lsnToString08(lsn: XLogRecPtr): string {
  const lo = (lsn >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `${Math.floor(lsn / TWO_32).toString(16).toUpperCase()}/${lo}`;
}

/** Parses "X/X" back into an LSN; null if malformed. */
export function parseLsn(s: string): XLogRecPtr | null {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(s);
  if (m === null) return null;
  return parseInt(m[1], 16) * TWO_32 + parseInt(m[2], 16);
}

// Little-endian helpers over plain Uint8Arrays (WAL buffers, record scratch,
// page images). Byte-wise on purpose: the WAL format has unaligned fields,
// and V8 turns these into single loads.

export function getU16(b: Uint8Array, off: number): number {
  return b[off] | (b[off + 1] << 8);
}

export function putU16(b: Uint8Array, off: number, v: number): void {
  b[off] = v;
  b[off + 1] = v >>> 8;
}

export function getU32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

export function putU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v;
  b[off + 1] = v >>> 8;
  b[off + 2] = v >>> 16;
  b[off + 3] = v >>> 24;
}

/** Reads a little-endian uint64 that the writer kept below 2^53. */
export function getU64(b: Uint8Array, off: number): number {
  return getU32(b, off + 4) * TWO_32 + getU32(b, off);
}

/** Writes a JS number (0 <= v < 2^53) as a little-endian uint64. */
export function putU64(b: Uint8Array, off: number, v: number): void {
  putU32(b, off, v >>> 0);
  putU32(b, off + 4, Math.floor(v / TWO_32));
}

/** A CRC as PostgreSQL prints it in messages: 8 hex digits. */
export function crcHex(crc: number): string {
  return (crc >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
