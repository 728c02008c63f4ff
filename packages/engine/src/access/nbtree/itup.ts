/*
 * itup.ts — index tuples: PostgreSQL's IndexTupleData (access/itup.h) and
 * index_form_tuple / index_deform_tuple (access/common/indextuple.c).
 *
 * Exports: IndexValue, indexFormTuple, indexFormTupleInto, indexDeformTuple,
 *          indexTupleSize, indexTupleHasNulls, indexTupleDataOffset,
 *          itupGetTidBlock/Offset, itupSetTid, itupGetHeapTid, indexTupleEquals.
 *
 * An index tuple is a small header, an optional null bitmap, and the key
 * columns laid out exactly as in a heap tuple's data area:
 *
 *   0         2         4          6          8               12        16
 *   +---------+---------+----------+----------+---------------+---------+---------
 *   | bi_hi   | bi_lo   | ip_posid | t_info   | null bitmap   | (pad)   | data ...
 *   |  u16    |  u16    |   u16    |   u16    | 4 bytes, only | to 8    |
 *   +---------+---------+----------+----------+ with nulls    +---------+---------
 *   \____________ t_tid ___________/                         data starts at 16,
 *                                                             or at 8 without nulls
 *
 *   t_tid   the heap TID of a leaf tuple; in a B-tree pivot tuple the block
 *           is the child's block number (the downlink) and the offset holds
 *           the attribute count (nbttuple.ts)
 *   t_info  bits 0..12  the tuple's size, always a multiple of 8 (MAXALIGN)
 *           bit 13      INDEX_AM_RESERVED_BIT (nbtree: pivot tuple)
 *           bit 14      INDEX_VAR_MASK: some attribute is variable-width
 *           bit 15      INDEX_NULL_MASK: the null bitmap is present
 *   bitmap  bit i set = attribute i is NOT null (heap convention); 32 bits
 *           because an index has at most INDEX_MAX_KEYS columns
 *   data    non-null attributes in order, each aligned to its typalign
 *           relative to the data start; short (1-byte header) varlenas
 *           unaligned, as heaptuple.ts stores them
 *
 * Unlike PostgreSQL, values are never compressed or toasted here: the caller
 * passes plain Datums, and a tuple larger than the B-tree's limit
 * (BT_MAX_ITEM_SIZE) is refused by the B-tree with PostgreSQL's message.
 */

import type { Datum } from '../../utils/adt/datum.ts';
import { SQLSTATE, ereport, elog } from '../../utils/errors.ts';
import { maxAlign } from '../../constants.ts';
import { viewOf } from '../common/byteview.ts';
import { readItemPointer, tidBlock, tidOffset, type Tid } from '../common/itemptr.ts';
import type { TupleDesc } from '../common/tupdesc.ts';
import { VARATT_SHORT_MAX, VARHDRSZ, VARHDRSZ_SHORT } from '../common/varlena.ts';
import {
  INDEX_MAX_KEYS,
  INDEX_NULL_MASK,
  INDEX_SIZE_MASK,
  INDEX_VAR_MASK,
  SIZE_OF_INDEX_NULL_BITMAP,
  SIZE_OF_INDEX_TUPLE_DATA,
} from './nbtree_constants.ts';

/** One key value: a Datum, or null for SQL NULL. */
export type IndexValue = Datum | null;

const T_INFO = 6;
const T_BITS = SIZE_OF_INDEX_TUPLE_DATA;
const DATA_OFF_NO_NULLS = maxAlign(SIZE_OF_INDEX_TUPLE_DATA);
const DATA_OFF_NULLS = maxAlign(SIZE_OF_INDEX_TUPLE_DATA + SIZE_OF_INDEX_NULL_BITMAP);

/** Where the data area starts (IndexInfoFindDataOffset). */
export function indexTupleDataOffset(hasNulls: boolean): number {
  return hasNulls ? DATA_OFF_NULLS : DATA_OFF_NO_NULLS;
}

/** IndexTupleSize: the tuple's total size in bytes. */
export function indexTupleSize(b: Uint8Array, off: number): number {
  return (b[off + T_INFO] | (b[off + T_INFO + 1] << 8)) & INDEX_SIZE_MASK;
}

/** t_info, all 16 bits. */
export function indexTupleInfo(b: Uint8Array, off: number): number {
  return b[off + T_INFO] | (b[off + T_INFO + 1] << 8);
}

export function indexTupleSetInfo(b: Uint8Array, off: number, info: number): void {
  b[off + T_INFO] = info;
  b[off + T_INFO + 1] = info >>> 8;
}

export function indexTupleHasNulls(b: Uint8Array, off: number): boolean {
  return (b[off + T_INFO + 1] & (INDEX_NULL_MASK >>> 8)) !== 0;
}

/** The block number in t_tid. */
export function itupGetTidBlock(b: Uint8Array, off: number): number {
  return ((b[off] | (b[off + 1] << 8)) * 65536 + (b[off + 2] | (b[off + 3] << 8)));
}

/** The offset number in t_tid. */
export function itupGetTidOffset(b: Uint8Array, off: number): number {
  return b[off + 4] | (b[off + 5] << 8);
}

/** t_tid as a packed Tid. */
export function itupGetHeapTid(b: Uint8Array, off: number): Tid {
  return readItemPointer(b, off);
}

export function itupSetTid(b: Uint8Array, off: number, block: number, offset: number): void {
  const hi = Math.floor(block / 65536);
  b[off] = hi;
  b[off + 1] = hi >>> 8;
  b[off + 2] = block;
  b[off + 3] = block >>> 8;
  b[off + 4] = offset;
  b[off + 5] = offset >>> 8;
}

function alignTo(off: number, by: number): number {
  return (off + by - 1) & -by;
}

/*
 * Forming is two passes like heaptuple.ts: measure (encoding varlenas once
 * into `encoded`), then write. The scratch is reused between calls; a
 * nested call (a type's toBytes forming a tuple) gets a fresh one.
 */
const scratch: (Uint8Array | null)[] = new Array<Uint8Array | null>(INDEX_MAX_KEYS).fill(null);
let scratchBusy = false;

function measure(desc: TupleDesc, values: readonly IndexValue[], natts: number, encoded: (Uint8Array | null)[]): number {
  const { attlen, attalignby, attpackable, types } = desc;
  let d = 0;
  for (let i = 0; i < natts; i++) {
    const v = values[i];
    if (v === null) continue;
    if (v === undefined) elog(`index value of attribute ${i + 1} is undefined`);
    const len = attlen[i];
    if (len > 0) {
      d = alignTo(d, attalignby[i]) + len;
      continue;
    }
    const payload = types[i].toBytes!(v);
    encoded[i] = payload;
    if (attpackable[i] === 1 && payload.length + VARHDRSZ_SHORT <= VARATT_SHORT_MAX) d += payload.length + VARHDRSZ_SHORT;
    else d = alignTo(d, attalignby[i]) + payload.length + VARHDRSZ;
  }
  return d;
}

function fill(
  desc: TupleDesc,
  values: readonly IndexValue[],
  natts: number,
  encoded: (Uint8Array | null)[],
  out: Uint8Array,
  base: number,
): number {
  const { attlen, attalignby, attpackable, types } = desc;
  const dv = viewOf(out);
  let d = 0;
  for (let i = 0; i < natts; i++) {
    const v = values[i];
    if (v === null) continue;
    const len = attlen[i];
    if (len > 0) {
      const a = alignTo(d, attalignby[i]);
      out.fill(0, base + d, base + a);
      types[i].writeFixed!(dv, base + a, v);
      d = a + len;
      continue;
    }
    const payload = encoded[i]!;
    encoded[i] = null;
    if (attpackable[i] === 1 && payload.length + VARHDRSZ_SHORT <= VARATT_SHORT_MAX) {
      out[base + d] = ((payload.length + VARHDRSZ_SHORT) << 1) | 0x01;
      out.set(payload, base + d + VARHDRSZ_SHORT);
      d += payload.length + VARHDRSZ_SHORT;
    } else {
      const a = alignTo(d, attalignby[i]);
      out.fill(0, base + d, base + a);
      dv.setUint32(base + a, (payload.length + VARHDRSZ) << 2, true);
      out.set(payload, base + a + VARHDRSZ);
      d = a + payload.length + VARHDRSZ;
    }
  }
  return d;
}

/**
 * Forms the index tuple of values[0..natts) with t_tid = tid at
 * out[outOff..] (index_form_tuple) and returns its size, a multiple of 8.
 * Padding bytes are zero. It is an error if it does not fit in out.
 */
export function indexFormTupleInto(
  desc: TupleDesc,
  values: readonly IndexValue[],
  tid: Tid,
  out: Uint8Array,
  outOff: number,
  natts: number = desc.natts,
): number {
  if (natts > INDEX_MAX_KEYS) {
    ereport(SQLSTATE.too_many_columns, `number of index columns (${natts}) exceeds limit (${INDEX_MAX_KEYS})`);
  }
  if (natts > desc.natts || values.length < natts) elog(`index tuple of ${natts} attributes formed from ${values.length} values`);
  let encoded = scratch;
  const nested = scratchBusy;
  if (nested) encoded = new Array<Uint8Array | null>(INDEX_MAX_KEYS).fill(null);
  scratchBusy = true;
  try {
    let hasNulls = false;
    let hasVar = false;
    for (let i = 0; i < natts; i++) {
      if (values[i] === null) hasNulls = true;
      else if (desc.attlen[i] < 0) hasVar = true;
    }
    const hoff = indexTupleDataOffset(hasNulls);
    const dataLen = measure(desc, values, natts, encoded);
    const size = maxAlign(hoff + dataLen);
    if (size > INDEX_SIZE_MASK) {
      ereport(SQLSTATE.program_limit_exceeded, `index row requires ${size} bytes, maximum size is ${INDEX_SIZE_MASK}`);
    }
    if (outOff < 0 || outOff + size > out.length) elog(`index tuple of ${size} bytes does not fit at offset ${outOff} of ${out.length} bytes`);
    itupSetTid(out, outOff, tidBlock(tid), tidOffset(tid));
    let info = size;
    if (hasVar) info |= INDEX_VAR_MASK;
    if (hasNulls) info |= INDEX_NULL_MASK;
    indexTupleSetInfo(out, outOff, info);
    out.fill(0, outOff + T_BITS, outOff + hoff);
    if (hasNulls) {
      for (let i = 0; i < natts; i++) {
        if (values[i] !== null) out[outOff + T_BITS + (i >>> 3)] |= 1 << (i & 7);
      }
    }
    const written = fill(desc, values, natts, encoded, out, outOff + hoff);
    if (written !== dataLen) elog(`index tuple data length ${written} differs from computed ${dataLen}`);
    out.fill(0, outOff + hoff + dataLen, outOff + size);
    return size;
  } finally {
    if (!nested) {
      scratchBusy = false;
      // measure() set at most the first natts entries.
      if (natts > 0) scratch.fill(null, 0, natts);
    }
  }
}

/** Page-sized scratch that indexFormTuple forms into before copying out the exact bytes. */
const formBuf = new Uint8Array(INDEX_SIZE_MASK + 1);

/** index_form_tuple: a new array holding exactly the tuple. */
export function indexFormTuple(desc: TupleDesc, values: readonly IndexValue[], tid: Tid, natts: number = desc.natts): Uint8Array {
  const size = indexFormTupleInto(desc, values, tid, formBuf, 0, natts);
  return formBuf.slice(0, size);
}

/**
 * Takes the first `natts` attributes of the index tuple at bytes[off] apart
 * (index_deform_tuple): values[i] gets the value or null, isnull[i] whether
 * it is null. The tuple must have at least natts attributes. Varlena values
 * come from TypeInfo.fromBytes on a view into bytes. `view`, a DataView of
 * exactly `bytes`, saves looking one up (viewOf) for a short-lived array.
 */
export function indexDeformTuple(
  desc: TupleDesc,
  bytes: Uint8Array,
  off: number,
  natts: number,
  values: IndexValue[],
  isnull: boolean[],
  view?: DataView,
): void {
  const info = bytes[off + T_INFO] | (bytes[off + T_INFO + 1] << 8);
  const hasNulls = (info & INDEX_NULL_MASK) !== 0;
  const { attlen, attalignby, attcacheoff, types } = desc;
  const tp = off + (hasNulls ? DATA_OFF_NULLS : DATA_OFF_NO_NULLS);
  const dv = view ?? viewOf(bytes);
  let d = 0;
  let slow = false;
  for (let i = 0; i < natts; i++) {
    if (hasNulls && (bytes[off + T_BITS + (i >>> 3)] & (1 << (i & 7))) === 0) {
      values[i] = null;
      isnull[i] = true;
      slow = true;
      continue;
    }
    isnull[i] = false;
    const al = attlen[i];
    const cached = attcacheoff[i];
    if (!slow && cached >= 0) d = cached;
    else if (al > 0 || bytes[tp + d] === 0) d = alignTo(d, attalignby[i]);
    if (al > 0) {
      values[i] = types[i].readFixed!(dv, tp + d);
      d += al;
      continue;
    }
    const h = bytes[tp + d];
    let size: number;
    let hdr: number;
    if ((h & 0x01) === 0x01) {
      if (h === 0x01) elog('external TOAST pointer in an index tuple');
      size = h >>> 1;
      hdr = VARHDRSZ_SHORT;
    } else {
      if ((h & 0x03) === 0x02) elog('compressed varlena in an index tuple');
      size = (h | (bytes[tp + d + 1] << 8) | (bytes[tp + d + 2] << 16) | (bytes[tp + d + 3] << 24)) >>> 2;
      hdr = VARHDRSZ;
    }
    values[i] = types[i].fromBytes!(bytes.subarray(tp + d + hdr, tp + d + size));
    d += size;
    slow = true;
  }
}

/** Byte-for-byte equality of two index tuples (both sizes from t_info). */
export function indexTupleEquals(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): boolean {
  const n = indexTupleSize(a, aOff);
  if (n !== indexTupleSize(b, bOff)) return false;
  for (let i = 0; i < n; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}
