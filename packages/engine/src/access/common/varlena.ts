/*
 * varlena.ts — the length headers of variable-length values, as
 * PostgreSQL's varatt.h defines them (little-endian form).
 *
 * Exports:
 *   constants      VARHDRSZ, VARHDRSZ_SHORT, VARHDRSZ_EXTERNAL, VARHDRSZ_COMPRESSED,
 *                  VARATT_SHORT_MAX, VARTAG_ONDISK, TOAST_POINTER_SIZE,
 *                  TOAST_PGLZ_COMPRESSION_ID, TOAST_LZ4_COMPRESSION_ID,
 *                  VARLENA_EXTSIZE_BITS, VARLENA_EXTSIZE_MASK, MAX_VARLENA_SIZE
 *   predicates     varattIsShort, varattIsExternal, varattIs4B, varattIs4BU,
 *                  varattIsCompressed, varattIsExtended
 *   sizes          varsizeAny, varsize4B, varsizeShort, varsizeExternal,
 *                  varsizeAnyExhdr, vardataAnyOffset
 *   writers        writeVarlena4B, writeVarlenaShort, writeCompressedVarlena,
 *                  writeToastPointer
 *   readers        readCompressedRawSize, readCompressedMethod, readToastPointer,
 *                  toastPointerIsCompressed
 *   values         RawVarlena, isRawVarlena, makeVarlena, makeCompressedVarlena,
 *                  makeToastPointer, decodeVarlenaPayload
 *
 * The four forms a varlena takes on a page (first byte first; "len" counts
 * the header too):
 *
 *   4-byte header, uncompressed (4B_U)          low 2 bits of byte 0 = 00
 *   +---------------------------+----------------------------+
 *   | u32: len << 2             | payload (len - 4 bytes)    |
 *   +---------------------------+----------------------------+
 *   0                           4
 *
 *   4-byte header, compressed inline (4B_C)     low 2 bits of byte 0 = 10
 *   +---------------------------+-----------------------------+--------------+
 *   | u32: (len << 2) | 0b10    | u32 va_tcinfo:              | compressed   |
 *   |                           |  raw size (bits 0..29)      | data         |
 *   |                           |  method   (bits 30..31)     |              |
 *   +---------------------------+-----------------------------+--------------+
 *   0                           4                             8
 *
 *   1-byte header, short (1B)                   low bit of byte 0 = 1
 *   +---------------------------+----------------------------+
 *   | u8: (len << 1) | 1        | payload (len - 1 bytes)    |    len <= 127
 *   +---------------------------+----------------------------+
 *   0                           1
 *
 *   1-byte header, external TOAST pointer (1B_E)  byte 0 = 0x01 exactly
 *   +------+--------+------------+------------+------------+---------------+
 *   | 0x01 | tag 18 | va_rawsize | va_extinfo | va_valueid | va_toastrelid |
 *   |      |        | i32        | u32        | u32        | u32           |
 *   +------+--------+------------+------------+------------+---------------+
 *   0      1        2            6            10           14             18
 *   va_rawsize: the original value's size including its 4-byte header;
 *   va_extinfo: bytes stored in the toast table (without header) in bits
 *   0..29, compression method in bits 30..31.
 *
 * A short varlena never has length 0 (the header byte counts), so 0x01 can
 * only mean "external". A 4-byte header is always stored aligned (see
 * heaptuple.ts), and padding bytes are zero, so a non-zero byte at an
 * unaligned position must be a 1-byte header: this is how a reader finds
 * where a varlena begins without knowing which form the writer chose.
 *
 * RawVarlena is how already-encoded varlenas move between the tuple code and
 * the TOAST layer (access/heap): heapFormTuple copies a RawVarlena verbatim
 * (converting a small 4B_U one to the short form, as PostgreSQL does), and
 * heapDeformTuple returns a RawVarlena for external and compressed values,
 * which only the detoast layer can turn into a Datum. See README.md.
 *
 * The header fields are read and written byte by byte: a page lives in a
 * SharedArrayBuffer at an arbitrary offset, and byte access is both the
 * fastest way in V8 and free of any alignment requirement.
 */

import type { Datum, TypeInfo } from '../../utils/adt/datum.ts';
import { elog } from '../../utils/errors.ts';

/** Size of the 4-byte header (VARHDRSZ). */
export const VARHDRSZ = 4;
/** Size of the 1-byte header (VARHDRSZ_SHORT). */
export const VARHDRSZ_SHORT = 1;
/** Header of an external pointer: the 0x01 byte and the tag byte (VARHDRSZ_EXTERNAL). */
export const VARHDRSZ_EXTERNAL = 2;
/** Header of an inline-compressed value: length word and va_tcinfo (VARHDRSZ_COMPRESSED). */
export const VARHDRSZ_COMPRESSED = 8;
/** Largest total size (header included) a short varlena can have (VARATT_SHORT_MAX). */
export const VARATT_SHORT_MAX = 0x7f;
/** Tag of an on-disk TOAST pointer (vartag_external VARTAG_ONDISK). */
export const VARTAG_ONDISK = 18;
/** Size of struct varatt_external: rawsize, extinfo, valueid, toastrelid. */
const SIZEOF_VARATT_EXTERNAL = 16;
/** Total bytes of an on-disk TOAST pointer (TOAST_POINTER_SIZE). */
export const TOAST_POINTER_SIZE = VARHDRSZ_EXTERNAL + SIZEOF_VARATT_EXTERNAL;
/** Compression method ids kept in the top two bits of va_tcinfo / va_extinfo (ToastCompressionId). */
export const TOAST_PGLZ_COMPRESSION_ID = 0;
export const TOAST_LZ4_COMPRESSION_ID = 1;
/** The low 30 bits of va_tcinfo / va_extinfo hold a size; the top 2 the method. */
export const VARLENA_EXTSIZE_BITS = 30;
export const VARLENA_EXTSIZE_MASK = (1 << VARLENA_EXTSIZE_BITS) - 1;
/** Largest varlena, header included: the 4-byte header keeps the length in 30 bits (1 GB - 1). */
export const MAX_VARLENA_SIZE = VARLENA_EXTSIZE_MASK;

function readU32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v;
  b[off + 1] = v >>> 8;
  b[off + 2] = v >>> 16;
  b[off + 3] = v >>> 24;
}

/**
 * A 1-byte header: short inline value or external pointer (VARATT_IS_1B,
 * which PostgreSQL also calls VARATT_IS_SHORT). Check varattIsExternal first
 * when the two must be told apart.
 */
export function varattIsShort(b: Uint8Array, off: number): boolean {
  return (b[off] & 0x01) === 0x01;
}

/** An on-disk TOAST pointer (VARATT_IS_EXTERNAL; only VARTAG_ONDISK is ever stored). */
export function varattIsExternal(b: Uint8Array, off: number): boolean {
  return b[off] === 0x01;
}

/** A 4-byte header, compressed or not (VARATT_IS_4B). */
export function varattIs4B(b: Uint8Array, off: number): boolean {
  return (b[off] & 0x01) === 0x00;
}

/** A 4-byte header over uncompressed data (VARATT_IS_4B_U). */
export function varattIs4BU(b: Uint8Array, off: number): boolean {
  return (b[off] & 0x03) === 0x00;
}

/** A 4-byte header over inline-compressed data (VARATT_IS_COMPRESSED, VARATT_IS_4B_C). */
export function varattIsCompressed(b: Uint8Array, off: number): boolean {
  return (b[off] & 0x03) === 0x02;
}

/** Anything but the plain 4-byte form: short, compressed or external (VARATT_IS_EXTENDED). */
export function varattIsExtended(b: Uint8Array, off: number): boolean {
  return (b[off] & 0x03) !== 0x00;
}

/** Total size of a 4-byte-header varlena, header included (VARSIZE / VARSIZE_4B). */
export function varsize4B(b: Uint8Array, off: number): number {
  return readU32(b, off) >>> 2;
}

/** Total size of a short varlena, header included (VARSIZE_SHORT). */
export function varsizeShort(b: Uint8Array, off: number): number {
  return b[off] >>> 1;
}

/** Total size of an external pointer, header included (VARSIZE_EXTERNAL). */
export function varsizeExternal(b: Uint8Array, off: number): number {
  const tag = b[off + 1];
  if (tag !== VARTAG_ONDISK) elog(`unrecognized vartag ${tag}`);
  return TOAST_POINTER_SIZE;
}

/** Total size of a varlena in any of the four forms, header included (VARSIZE_ANY). */
export function varsizeAny(b: Uint8Array, off: number): number {
  const h = b[off];
  if ((h & 0x01) === 0x01) return h === 0x01 ? varsizeExternal(b, off) : h >>> 1;
  return readU32(b, off) >>> 2;
}

/** Size without the header (VARSIZE_ANY_EXHDR): payload bytes for the plain forms. */
export function varsizeAnyExhdr(b: Uint8Array, off: number): number {
  const h = b[off];
  if (h === 0x01) return varsizeExternal(b, off) - VARHDRSZ_EXTERNAL;
  if ((h & 0x01) === 0x01) return (h >>> 1) - VARHDRSZ_SHORT;
  return (readU32(b, off) >>> 2) - VARHDRSZ;
}

/** Where the payload of a plain (short or 4B_U) varlena starts (VARDATA_ANY). */
export function vardataAnyOffset(b: Uint8Array, off: number): number {
  return (b[off] & 0x01) === 0x01 ? off + VARHDRSZ_SHORT : off + VARHDRSZ;
}

/** Writes a 4B_U varlena (header and payload) at off; returns its total size. */
export function writeVarlena4B(b: Uint8Array, off: number, payload: Uint8Array): number {
  const size = payload.length + VARHDRSZ;
  if (size > MAX_VARLENA_SIZE) elog(`invalid memory alloc request size ${size}`);
  writeU32(b, off, size << 2);
  b.set(payload, off + VARHDRSZ);
  return size;
}

/** Writes a short varlena at off; the payload must be at most 126 bytes. Returns its total size. */
export function writeVarlenaShort(b: Uint8Array, off: number, payload: Uint8Array): number {
  const size = payload.length + VARHDRSZ_SHORT;
  if (size > VARATT_SHORT_MAX) elog(`short varlena of ${size} bytes exceeds ${VARATT_SHORT_MAX}`);
  b[off] = (size << 1) | 0x01;
  b.set(payload, off + VARHDRSZ_SHORT);
  return size;
}

/**
 * Writes an inline-compressed varlena: rawSize is the uncompressed payload
 * size without header, as PostgreSQL's toast_compress_datum records it.
 */
export function writeCompressedVarlena(
  b: Uint8Array,
  off: number,
  rawSize: number,
  method: number,
  compressed: Uint8Array,
): number {
  const size = compressed.length + VARHDRSZ_COMPRESSED;
  if (size > MAX_VARLENA_SIZE || rawSize > VARLENA_EXTSIZE_MASK) elog(`invalid memory alloc request size ${rawSize}`);
  if (method !== TOAST_PGLZ_COMPRESSION_ID && method !== TOAST_LZ4_COMPRESSION_ID) {
    elog(`invalid compression method id ${method}`);
  }
  writeU32(b, off, (size << 2) | 0x02);
  writeU32(b, off + 4, (rawSize | (method << VARLENA_EXTSIZE_BITS)) >>> 0);
  b.set(compressed, off + VARHDRSZ_COMPRESSED);
  return size;
}

/** Uncompressed payload size of an inline-compressed varlena (VARDATA_COMPRESSED_GET_EXTSIZE). */
export function readCompressedRawSize(b: Uint8Array, off: number): number {
  return readU32(b, off + 4) & VARLENA_EXTSIZE_MASK;
}

/** Compression method of an inline-compressed varlena (VARDATA_COMPRESSED_GET_COMPRESS_METHOD). */
export function readCompressedMethod(b: Uint8Array, off: number): number {
  return readU32(b, off + 4) >>> VARLENA_EXTSIZE_BITS;
}

/** The fields of struct varatt_external, unpacked. */
export interface ToastPointer {
  /** Original size of the value including its 4-byte header (va_rawsize). */
  rawSize: number;
  /** Bytes kept in the toast relation, without header (low 30 bits of va_extinfo). */
  extSize: number;
  /** Compression method of the stored bytes, when compressed (top 2 bits of va_extinfo). */
  method: number;
  /** chunk_id of the value's rows in the toast relation (va_valueid). */
  valueId: number;
  /** OID of the toast relation (va_toastrelid). */
  toastRelId: number;
}

/** Writes an on-disk TOAST pointer at off; returns TOAST_POINTER_SIZE. */
export function writeToastPointer(b: Uint8Array, off: number, p: ToastPointer): number {
  if (p.extSize > VARLENA_EXTSIZE_MASK) elog(`external size ${p.extSize} out of range`);
  b[off] = 0x01;
  b[off + 1] = VARTAG_ONDISK;
  writeU32(b, off + 2, p.rawSize);
  writeU32(b, off + 6, (p.extSize | (p.method << VARLENA_EXTSIZE_BITS)) >>> 0);
  writeU32(b, off + 10, p.valueId);
  writeU32(b, off + 14, p.toastRelId);
  return TOAST_POINTER_SIZE;
}

/** Reads an on-disk TOAST pointer (VARATT_EXTERNAL_GET_POINTER). */
export function readToastPointer(b: Uint8Array, off: number): ToastPointer {
  if (b[off] !== 0x01) elog('varlena is not an external pointer');
  varsizeExternal(b, off);
  const extinfo = readU32(b, off + 6);
  return {
    rawSize: readU32(b, off + 2) | 0,
    extSize: extinfo & VARLENA_EXTSIZE_MASK,
    method: extinfo >>> VARLENA_EXTSIZE_BITS,
    valueId: readU32(b, off + 10),
    toastRelId: readU32(b, off + 14),
  };
}

/** Whether the toasted bytes are compressed (VARATT_EXTERNAL_IS_COMPRESSED). */
export function toastPointerIsCompressed(p: ToastPointer): boolean {
  return p.extSize < p.rawSize - VARHDRSZ;
}

const RAW_VARLENA_BRAND: unique symbol = Symbol('RawVarlena');

/** Whether a tuple value is a RawVarlena rather than a Datum. */
export function isRawVarlena(v: unknown): v is RawVarlena {
  return typeof v === 'object' && v !== null && (v as { [RAW_VARLENA_BRAND]?: boolean })[RAW_VARLENA_BRAND] === true;
}

/**
 * A complete varlena (header included, starting at bytes[0]) that the tuple
 * code stores or returns without interpreting its payload.
 *
 * heapFormTuple accepts one in place of a Datum for any varlena column and
 * copies it verbatim, except that a small 4B_U value in a packable column is
 * rewritten with a 1-byte header, exactly as heap_fill_tuple does.
 * heapDeformTuple returns one for an external pointer or an inline-compressed
 * value, with bytes copied out of the page, so it stays valid after the
 * buffer is unpinned. Turning it into a Datum is the detoast layer's job.
 */
export class RawVarlena {
  readonly bytes: Uint8Array;
  /** Brand read by isRawVarlena; `instanceof` costs ~20 ns in the tuple loops, a property load ~2. */
  readonly [RAW_VARLENA_BRAND] = true;

  constructor(bytes: Uint8Array) {
    if (bytes.length === 0 || varsizeAny(bytes, 0) !== bytes.length) {
      elog(`RawVarlena of ${bytes.length} bytes does not match its header`);
    }
    this.bytes = bytes;
  }

  get isExternal(): boolean {
    return varattIsExternal(this.bytes, 0);
  }

  get isCompressed(): boolean {
    return varattIsCompressed(this.bytes, 0);
  }
}

/** A plain 4B_U varlena holding payload; heapFormTuple shortens it when it can. */
export function makeVarlena(payload: Uint8Array): RawVarlena {
  const bytes = new Uint8Array(payload.length + VARHDRSZ);
  writeVarlena4B(bytes, 0, payload);
  return new RawVarlena(bytes);
}

/** An inline-compressed varlena: rawSize is the payload size before compression. */
export function makeCompressedVarlena(rawSize: number, method: number, compressed: Uint8Array): RawVarlena {
  const bytes = new Uint8Array(compressed.length + VARHDRSZ_COMPRESSED);
  writeCompressedVarlena(bytes, 0, rawSize, method, compressed);
  return new RawVarlena(bytes);
}

/** An on-disk TOAST pointer as a value heapFormTuple stores as-is. */
export function makeToastPointer(p: ToastPointer): RawVarlena {
  const bytes = new Uint8Array(TOAST_POINTER_SIZE);
  writeToastPointer(bytes, 0, p);
  return new RawVarlena(bytes);
}

/**
 * The Datum of a plain inline varlena (short or 4B_U) that starts at
 * bytes[off]. External and compressed values must go through the detoast
 * layer first; handing one here is a caller bug.
 */
export function decodeVarlenaPayload(type: TypeInfo, bytes: Uint8Array, off = 0): Datum {
  if (type.fromBytes === undefined) elog(`type ${type.name} is not a varlena type`);
  const h = bytes[off];
  if (h === 0x01 || (h & 0x03) === 0x02) elog('cannot decode an external or compressed varlena without detoasting it');
  const size = (h & 0x01) === 0x01 ? h >>> 1 : readU32(bytes, off) >>> 2;
  const start = (h & 0x01) === 0x01 ? off + VARHDRSZ_SHORT : off + VARHDRSZ;
  return type.fromBytes(bytes.subarray(start, off + size));
}
