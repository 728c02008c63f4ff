/*
 * heaptuple.ts — forming heap tuples from values and taking them apart,
 * as access/common/heaptuple.c does.
 *
 * Exports:
 *   TupleValue                                  Datum or RawVarlena
 *   heapComputeDataSize(desc, values, isnull?)  bytes of the data area
 *   heapFormTuple(desc, values, out?)           header + bitmap + data
 *   heapFormTupleInto(desc, values, out, outOff) same, into a given place; returns the length
 *   heapDeformTuple(desc, bytes, off, len, values, isnull, natts?)
 *   heapGetAttr(desc, bytes, off, len, attnum)  one attribute
 *   heapAttrOffset(desc, bytes, off, len, attnum) where one attribute's bytes are
 *   heapAttIsNull(desc, bytes, off, attnum)
 *
 * The data area (from t_hoff on) holds the non-null attributes in order,
 * each aligned to its typalign relative to the start of the data area (which
 * is MAXALIGNed, so this is also absolute alignment on a page):
 *
 *   fixed-width (attlen > 0)  padding to typalign, then attlen bytes from
 *                             TypeInfo.writeFixed
 *   varlena, short form       no padding at all, 1-byte header + payload
 *   varlena, 4-byte form      padding to typalign, header + payload
 *   external TOAST pointer    no padding (it has a 1-byte header)
 *
 * Padding bytes are always zero. Readers rely on that: at an unaligned
 * offset a varlena with a zero first byte cannot exist, so a zero byte there
 * is padding before a 4-byte header (att_align_pointer). See README.md for
 * the rules and an example per case.
 *
 * Varlena values: for a varlena column a value is either a Datum, which is
 * encoded with TypeInfo.toBytes, or a RawVarlena, whose bytes are stored as
 * they are (the TOAST layer's compressed values and external pointers).
 * heapDeformTuple and heapGetAttr return a Datum for every inline
 * uncompressed varlena and a RawVarlena, copied out of the page, for an
 * external or compressed one: detoasting is the heap layer's job.
 */

import { BLCKSZ } from '../../constants.ts';
import type { Datum, TypeInfo } from '../../utils/adt/datum.ts';
import { SQLSTATE, ereport, elog } from '../../utils/errors.ts';
import { viewOf } from './byteview.ts';
import {
  HEAP_HASEXTERNAL,
  HEAP_HASNULL,
  HEAP_HASVARWIDTH,
  HEAP_NATTS_MASK,
  SIZEOF_HEAP_TUPLE_HEADER,
  T_BITS,
  T_CID,
  T_CTID,
  T_HOFF,
  T_INFOMASK,
  T_INFOMASK2,
  T_XMAX,
  T_XMIN,
  bitmapLen,
  heapTupleHoff,
} from './htup_details.ts';
import type { TupleDesc } from './tupdesc.ts';
import {
  MAX_VARLENA_SIZE,
  RawVarlena,
  isRawVarlena,
  VARATT_SHORT_MAX,
  VARHDRSZ,
  VARHDRSZ_SHORT,
  varsizeExternal,
} from './varlena.ts';

/** What a tuple holds for one non-null attribute. */
export type TupleValue = Datum | RawVarlena;

/*
 * Forming is two passes, as heap_form_tuple's compute-size-then-fill: the
 * first encodes every varlena Datum once into `encoded` and sums the sizes,
 * the second writes. The module-level scratch array is reused between calls;
 * a nested call (a composite type's toBytes forming a tuple of its own)
 * finds it busy and uses a fresh one.
 */
let scratch: (Uint8Array | null)[] = [];
let scratchBusy = false;
let preparedInfomask = 0;

function alignTo(off: number, by: number): number {
  return (off + by - 1) & -by;
}

function nullOrFail(v: TupleValue | null | undefined, i: number): v is null {
  if (v === null) return true;
  if (v === undefined) elog(`value of attribute ${i + 1} is undefined`);
  return false;
}

/**
 * First pass: data-area size and the HASNULL/HASVARWIDTH/HASEXTERNAL bits
 * (left in preparedInfomask). Size rules of heap_compute_data_size:
 * a 4B_U value that fits in 127 bytes with a 1-byte header in a packable
 * column is counted short and unaligned.
 */
function prepare(desc: TupleDesc, values: readonly (TupleValue | null)[], encoded: (Uint8Array | null)[]): number {
  const natts = desc.natts;
  if (values.length !== natts) elog(`tuple has ${values.length} values for ${natts} attributes`);
  if (desc.fixedWidth) {
    let i = 0;
    while (i < natts && !nullOrFail(values[i], i)) i++;
    if (i === natts) {
      preparedInfomask = 0;
      return desc.fixedDataLen;
    }
  }
  const { attlen, attalignby, attpackable, types } = desc;
  let dataLen = 0;
  let infomask = 0;
  for (let i = 0; i < natts; i++) {
    const v = values[i];
    if (nullOrFail(v, i)) {
      infomask |= HEAP_HASNULL;
      continue;
    }
    const len = attlen[i];
    if (len > 0) {
      dataLen = alignTo(dataLen, attalignby[i]) + len;
      continue;
    }
    infomask |= HEAP_HASVARWIDTH;
    if (isRawVarlena(v)) {
      encoded[i] = null;
      const b = v.bytes;
      const h = b[0];
      if ((h & 0x01) === 0x01) {
        if (h === 0x01) infomask |= HEAP_HASEXTERNAL;
        dataLen += b.length;
      } else if (attpackable[i] === 1 && (h & 0x03) === 0 && b.length - VARHDRSZ + VARHDRSZ_SHORT <= VARATT_SHORT_MAX) {
        dataLen += b.length - VARHDRSZ + VARHDRSZ_SHORT;
      } else {
        dataLen = alignTo(dataLen, attalignby[i]) + b.length;
      }
    } else {
      const payload = types[i].toBytes!(v);
      encoded[i] = payload;
      if (attpackable[i] === 1 && payload.length + VARHDRSZ_SHORT <= VARATT_SHORT_MAX) {
        dataLen += payload.length + VARHDRSZ_SHORT;
      } else {
        if (payload.length + VARHDRSZ > MAX_VARLENA_SIZE) {
          elog(`invalid memory alloc request size ${payload.length + VARHDRSZ}`);
        }
        dataLen = alignTo(dataLen, attalignby[i]) + payload.length + VARHDRSZ;
      }
    }
  }
  preparedInfomask = infomask;
  return dataLen;
}

function zero(b: Uint8Array, from: number, to: number): void {
  for (let z = from; z < to; z++) b[z] = 0;
}

/**
 * Second pass (heap_fill_tuple plus the header part of heap_form_tuple).
 * Split in three so that each part stays small enough for V8 to inline the
 * types' writeFixed calls into it (measured: one big function was half as
 * fast).
 */
function fill(
  desc: TupleDesc,
  values: readonly (TupleValue | null)[],
  encoded: (Uint8Array | null)[],
  out: Uint8Array,
  dv: DataView,
  off: number,
  dataLen: number,
  infomask: number,
): number {
  const hoff = writeHeader(desc, values, out, dv, off, infomask);
  if (desc.fixedWidth && (infomask & HEAP_HASNULL) === 0) fillFixedData(desc, values, out, dv, off + hoff);
  else fillData(desc, values, encoded, out, dv, off + hoff, dataLen);
  return hoff + dataLen;
}

/** Writes the header and the null bitmap; returns t_hoff. */
function writeHeader(
  desc: TupleDesc,
  values: readonly (TupleValue | null)[],
  out: Uint8Array,
  dv: DataView,
  off: number,
  infomask: number,
): number {
  const natts = desc.natts;
  const hasNulls = (infomask & HEAP_HASNULL) !== 0;
  const hoff = heapTupleHoff(natts, hasNulls);
  // t_xmin, t_xmax, t_cid = 0; t_ctid = (InvalidBlockNumber, InvalidOffsetNumber).
  // Whole-word DataView stores: measured twice as fast as byte stores here.
  dv.setUint32(off + T_XMIN, 0, true);
  dv.setUint32(off + T_XMAX, 0, true);
  dv.setUint32(off + T_CID, 0, true);
  dv.setUint32(off + T_CTID, 0xffffffff, true);
  dv.setUint16(off + T_CTID + 4, 0, true);
  dv.setUint16(off + T_INFOMASK2, natts, true);
  dv.setUint16(off + T_INFOMASK, infomask, true);
  out[off + T_HOFF] = hoff;

  let headerEnd = off + SIZEOF_HEAP_TUPLE_HEADER;
  if (hasNulls) {
    let bits = 0;
    for (let i = 0; i < natts; i++) {
      if (values[i] !== null) bits |= 1 << (i & 7);
      if ((i & 7) === 7 || i === natts - 1) {
        out[off + T_BITS + (i >>> 3)] = bits;
        bits = 0;
      }
    }
    headerEnd += bitmapLen(natts);
  }
  for (let z = headerEnd; z < off + hoff; z++) out[z] = 0;
  return hoff;
}

/** Data area of an all-fixed-width tuple without nulls: every attribute at its attcacheoff. */
function fillFixedData(desc: TupleDesc, values: readonly (TupleValue | null)[], out: Uint8Array, dv: DataView, base: number): void {
  const { natts, attlen, attcacheoff, types } = desc;
  let d = 0;
  for (let i = 0; i < natts; i++) {
    const a = attcacheoff[i];
    while (d < a) out[base + d++] = 0;
    types[i].writeFixed!(dv, base + a, values[i] as Datum);
    d = a + attlen[i];
  }
}

/** Data area in the general case, following heap_fill_tuple's rules per attribute. */
function fillData(
  desc: TupleDesc,
  values: readonly (TupleValue | null)[],
  encoded: (Uint8Array | null)[],
  out: Uint8Array,
  dv: DataView,
  base: number,
  dataLen: number,
): void {
  const { natts, attlen, attalignby, attpackable, types } = desc;
  let d = 0;
  for (let i = 0; i < natts; i++) {
    const v = values[i];
    if (v === null) continue;
    const len = attlen[i];
    if (len > 0) {
      const a = alignTo(d, attalignby[i]);
      zero(out, base + d, base + a);
      types[i].writeFixed!(dv, base + a, v as Datum);
      d = a + len;
      continue;
    }
    const payload = encoded[i];
    if (payload === null) {
      const b = (v as RawVarlena).bytes;
      const h = b[0];
      if ((h & 0x01) === 0x01) {
        out.set(b, base + d);
        d += b.length;
      } else if (attpackable[i] === 1 && (h & 0x03) === 0 && b.length - VARHDRSZ + VARHDRSZ_SHORT <= VARATT_SHORT_MAX) {
        const size = b.length - VARHDRSZ + VARHDRSZ_SHORT;
        out[base + d] = (size << 1) | 0x01;
        out.set(b.subarray(VARHDRSZ), base + d + VARHDRSZ_SHORT);
        d += size;
      } else {
        const a = alignTo(d, attalignby[i]);
        zero(out, base + d, base + a);
        out.set(b, base + a);
        d = a + b.length;
      }
      continue;
    }
    encoded[i] = null;
    if (attpackable[i] === 1 && payload.length + VARHDRSZ_SHORT <= VARATT_SHORT_MAX) {
      const p = base + d;
      out[p] = ((payload.length + VARHDRSZ_SHORT) << 1) | 0x01;
      out.set(payload, p + VARHDRSZ_SHORT);
      d += payload.length + VARHDRSZ_SHORT;
    } else {
      const a = alignTo(d, attalignby[i]);
      zero(out, base + d, base + a);
      const p = base + a;
      const size = payload.length + VARHDRSZ;
      dv.setUint32(p, size << 2, true);
      out.set(payload, p + VARHDRSZ);
      d = a + size;
    }
  }
  if (d !== dataLen) elog(`heap tuple data length ${d} differs from computed ${dataLen}`);
}

/** Forming a varlena-free tuple needs no scratch: prepare never writes it. */
const NO_ENCODED: (Uint8Array | null)[] = [];

function takeScratch(desc: TupleDesc): (Uint8Array | null)[] {
  if (desc.fixedWidth) return NO_ENCODED;
  if (scratchBusy) return new Array<Uint8Array | null>(desc.natts).fill(null);
  scratchBusy = true;
  if (scratch.length < desc.natts) scratch = new Array<Uint8Array | null>(desc.natts).fill(null);
  return scratch;
}

function releaseScratch(encoded: (Uint8Array | null)[], failed: boolean): void {
  if (encoded === NO_ENCODED) return;
  if (failed) encoded.fill(null);
  if (encoded === scratch) scratchBusy = false;
}

/*
 * heapFormTuple without `out` forms into this page-sized buffer and returns a
 * copy of exactly the tuple's length: a fresh ArrayBuffer plus a DataView on
 * it costs ~400 ns in V8, a slice of a reused buffer ~50 ns. Larger tuples
 * (before TOAST shrinks them) get their own buffer. fill() never calls back
 * into type code that could form a tuple, so this buffer is never in use
 * twice at once.
 */
const formBuf = new Uint8Array(BLCKSZ);
const formView = new DataView(formBuf.buffer);

/**
 * Size of the data area a tuple of these values needs (heap_compute_data_size).
 * A value is null when it is null in values or, if isnull is given, when
 * isnull[i] is true. Varlena Datums are encoded to be measured, so this costs
 * what forming costs; heapFormTuple does not call it.
 */
export function heapComputeDataSize(
  desc: TupleDesc,
  values: readonly (TupleValue | null)[],
  isnull?: readonly boolean[],
): number {
  const vals = isnull === undefined ? values : values.map((v, i) => (isnull[i] ? null : v));
  return prepare(desc, vals, new Array<Uint8Array | null>(desc.natts).fill(null));
}

/**
 * Forms a heap tuple (heap_form_tuple): t_xmin, t_xmax and t_cid zero,
 * t_ctid invalid, natts and the HASNULL/HASVARWIDTH/HASEXTERNAL bits set.
 * values[i] === null is SQL NULL. When out is given and large enough the
 * tuple is written at its start and the result is out itself (exact length)
 * or a subarray of it; otherwise a new array of exactly the tuple's length
 * is returned.
 */
export function heapFormTuple(desc: TupleDesc, values: readonly (TupleValue | null)[], out?: Uint8Array): Uint8Array {
  const encoded = takeScratch(desc);
  let failed = true;
  try {
    const dataLen = prepare(desc, values, encoded);
    const infomask = preparedInfomask;
    const len = heapTupleHoff(desc.natts, (infomask & HEAP_HASNULL) !== 0) + dataLen;
    let result: Uint8Array;
    if (out !== undefined && out.length >= len) {
      fill(desc, values, encoded, out, viewOf(out), 0, dataLen, infomask);
      result = out.length === len ? out : out.subarray(0, len);
    } else if (len <= formBuf.length) {
      fill(desc, values, encoded, formBuf, formView, 0, dataLen, infomask);
      result = formBuf.slice(0, len);
    } else {
      const ab = new ArrayBuffer(len);
      result = new Uint8Array(ab);
      fill(desc, values, encoded, result, new DataView(ab), 0, dataLen, infomask);
    }
    failed = false;
    return result;
  } finally {
    releaseScratch(encoded, failed);
  }
}

/**
 * Forms a heap tuple at out[outOff..] and returns its length; the bytes
 * after it are untouched. Allocates nothing but what toBytes allocates.
 * It is an error if the tuple does not fit.
 */
export function heapFormTupleInto(
  desc: TupleDesc,
  values: readonly (TupleValue | null)[],
  out: Uint8Array,
  outOff: number,
): number {
  const encoded = takeScratch(desc);
  let failed = true;
  try {
    const dataLen = prepare(desc, values, encoded);
    const infomask = preparedInfomask;
    const len = heapTupleHoff(desc.natts, (infomask & HEAP_HASNULL) !== 0) + dataLen;
    if (outOff < 0 || outOff + len > out.length) {
      elog(`heap tuple of ${len} bytes does not fit at offset ${outOff} of ${out.length} bytes`);
    }
    fill(desc, values, encoded, out, viewOf(out), outOff, dataLen, infomask);
    failed = false;
    return len;
  } finally {
    releaseScratch(encoded, failed);
  }
}

/** Size of the varlena that fetchVarlena read last; saves returning a pair. */
let fetchedSize = 0;

/** The value of the varlena at bytes[p], its size left in fetchedSize. */
function fetchVarlena(type: TypeInfo, bytes: Uint8Array, p: number): TupleValue {
  const h = bytes[p];
  if ((h & 0x01) === 0x01) {
    if (h === 0x01) {
      const size = varsizeExternal(bytes, p);
      fetchedSize = size;
      return new RawVarlena(bytes.slice(p, p + size));
    }
    const size = h >>> 1;
    fetchedSize = size;
    return type.fromBytes!(bytes.subarray(p + VARHDRSZ_SHORT, p + size));
  }
  const size = (h | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 2;
  fetchedSize = size;
  if ((h & 0x03) === 0x02) return new RawVarlena(bytes.slice(p, p + size));
  return type.fromBytes!(bytes.subarray(p + VARHDRSZ, p + size));
}

function corrupted(off: number, len: number, end: number): never {
  ereport(SQLSTATE.data_corrupted, `heap tuple at offset ${off} ends at byte ${end}, beyond its length ${len}`);
}

/**
 * Takes a tuple apart (heap_deform_tuple): for each attribute up to natts
 * (default: all of desc), values[i] gets its value and isnull[i] whether it
 * is null; null attributes get values[i] = null too, so the arrays can be
 * handed back to heapFormTuple. Attributes the tuple does not have (added by
 * ALTER TABLE ADD COLUMN after it was written) are null.
 *
 * The tuple is bytes[off .. off + len). Varlena Datums are made by
 * TypeInfo.fromBytes from a view into bytes: a type that keeps the bytes
 * must copy them, since the page may change once its buffer is unpinned.
 */
export function heapDeformTuple(
  desc: TupleDesc,
  bytes: Uint8Array,
  off: number,
  len: number,
  values: (TupleValue | null)[],
  isnull: boolean[],
  natts: number = desc.natts,
): void {
  const infomask = bytes[off + T_INFOMASK];
  const tupNatts = (bytes[off + T_INFOMASK2] | (bytes[off + T_INFOMASK2 + 1] << 8)) & HEAP_NATTS_MASK;
  const hoff = bytes[off + T_HOFF];
  const hasNulls = (infomask & HEAP_HASNULL) !== 0;
  const n = natts < tupNatts ? natts : tupNatts;
  const tp = off + hoff;
  if (!hasNulls && desc.fixedWidth) {
    deformFixed(desc, bytes, off, len, tp, n, values, isnull);
  } else {
    deformGeneral(desc, bytes, off, len, tp, n, hasNulls, values, isnull);
  }
  for (let i = n; i < natts; i++) {
    values[i] = null;
    isnull[i] = true;
  }
}

/** All attributes fixed-width and none null: each sits at its attcacheoff. */
function deformFixed(
  desc: TupleDesc,
  bytes: Uint8Array,
  off: number,
  len: number,
  tp: number,
  n: number,
  values: (TupleValue | null)[],
  isnull: boolean[],
): void {
  const { attlen, attcacheoff, types } = desc;
  const end = n === 0 ? 0 : attcacheoff[n - 1] + attlen[n - 1];
  if (tp - off + end > len) corrupted(off, len, tp - off + end);
  const dv = viewOf(bytes);
  for (let i = 0; i < n; i++) {
    values[i] = types[i].readFixed!(dv, tp + attcacheoff[i]);
    isnull[i] = false;
  }
}

/** heap_deform_tuple's loop: cached offsets until the first null or varlena, then walking. */
function deformGeneral(
  desc: TupleDesc,
  bytes: Uint8Array,
  off: number,
  len: number,
  tp: number,
  n: number,
  hasNulls: boolean,
  values: (TupleValue | null)[],
  isnull: boolean[],
): void {
  const { attlen, attalignby, attcacheoff, types } = desc;
  const bits = off + T_BITS;
  const dv = viewOf(bytes);
  let d = 0;
  let slow = false;
  for (let i = 0; i < n; i++) {
    if (hasNulls && (bytes[bits + (i >>> 3)] & (1 << (i & 7))) === 0) {
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
    } else {
      values[i] = fetchVarlena(types[i], bytes, tp + d);
      d += fetchedSize;
      slow = true;
    }
  }
  if (tp - off + d > len) corrupted(off, len, tp - off + d);
}

/**
 * Offset from the data area's start of attribute i (0-based), which must
 * be present and not null (nocachegetattr's walk).
 */
function attrOffset(desc: TupleDesc, bytes: Uint8Array, tp: number, bits: number, hasNulls: boolean, i: number): number {
  const { attlen, attalignby, attcacheoff } = desc;
  let d = 0;
  let slow = false;
  for (let j = 0; j <= i; j++) {
    if (hasNulls && (bytes[bits + (j >>> 3)] & (1 << (j & 7))) === 0) {
      slow = true;
      continue;
    }
    const al = attlen[j];
    const cached = attcacheoff[j];
    if (!slow && cached >= 0) d = cached;
    else if (al > 0 || bytes[tp + d] === 0) d = alignTo(d, attalignby[j]);
    if (j === i) return d;
    if (al > 0) {
      d += al;
    } else {
      const h = bytes[tp + d];
      if ((h & 0x01) === 0x01) d += h === 0x01 ? varsizeExternal(bytes, tp + d) : h >>> 1;
      else d += (h | (bytes[tp + d + 1] << 8) | (bytes[tp + d + 2] << 16) | (bytes[tp + d + 3] << 24)) >>> 2;
      slow = true;
    }
  }
  return elog(`attribute ${i + 1} not reached`);
}

/**
 * One attribute of a tuple (heap_getattr), attnum 1-based; null when NULL or
 * missing from the tuple. Uses the attribute's cached offset when the tuple
 * has no nulls, and walks the earlier attributes otherwise.
 */
export function heapGetAttr(
  desc: TupleDesc,
  bytes: Uint8Array,
  off: number,
  len: number,
  attnum: number,
): TupleValue | null {
  if (attnum < 1 || attnum > desc.natts) elog(`invalid attribute number ${attnum}`);
  const i = attnum - 1;
  const tupNatts = (bytes[off + T_INFOMASK2] | (bytes[off + T_INFOMASK2 + 1] << 8)) & HEAP_NATTS_MASK;
  if (i >= tupNatts) return null;
  const hasNulls = (bytes[off + T_INFOMASK] & HEAP_HASNULL) !== 0;
  const bits = off + T_BITS;
  if (hasNulls && (bytes[bits + (i >>> 3)] & (1 << (i & 7))) === 0) return null;
  const hoff = bytes[off + T_HOFF];
  const tp = off + hoff;
  const cached = desc.attcacheoff[i];
  const d = !hasNulls && cached >= 0 ? cached : attrOffset(desc, bytes, tp, bits, hasNulls, i);
  const al = desc.attlen[i];
  if (al > 0) {
    if (hoff + d + al > len) corrupted(off, len, hoff + d + al);
    return desc.types[i].readFixed!(viewOf(bytes), tp + d);
  }
  const v = fetchVarlena(desc.types[i], bytes, tp + d);
  if (hoff + d + fetchedSize > len) corrupted(off, len, hoff + d + fetchedSize);
  return v;
}

/**
 * Where attribute attnum (1-based) is stored: the absolute offset in bytes
 * of its value (of its header, for a varlena), or -1 when it is NULL or
 * missing from the tuple. The first half of heap_getattr, for callers that
 * test the stored bytes instead of making a Datum (access/common/scankey.ts).
 * A varlena's extent is checked by its reader.
 */
export function heapAttrOffset(desc: TupleDesc, bytes: Uint8Array, off: number, len: number, attnum: number): number {
  const i = attnum - 1;
  const tupNatts = (bytes[off + T_INFOMASK2] | (bytes[off + T_INFOMASK2 + 1] << 8)) & HEAP_NATTS_MASK;
  if (i >= tupNatts) return -1;
  const hasNulls = (bytes[off + T_INFOMASK] & HEAP_HASNULL) !== 0;
  const bits = off + T_BITS;
  if (hasNulls && (bytes[bits + (i >>> 3)] & (1 << (i & 7))) === 0) return -1;
  const hoff = bytes[off + T_HOFF];
  const cached = desc.attcacheoff[i];
  const d = !hasNulls && cached >= 0 ? cached : attrOffset(desc, bytes, off + hoff, bits, hasNulls, i);
  const al = desc.attlen[i];
  if (al > 0 && hoff + d + al > len) corrupted(off, len, hoff + d + al);
  return off + hoff + d;
}

/** Whether attribute attnum (1-based) is NULL, counting missing trailing attributes as NULL (heap_attisnull). */
export function heapAttIsNull(desc: TupleDesc, bytes: Uint8Array, off: number, attnum: number): boolean {
  if (attnum < 1 || attnum > desc.natts) elog(`invalid attribute number ${attnum}`);
  const i = attnum - 1;
  const tupNatts = (bytes[off + T_INFOMASK2] | (bytes[off + T_INFOMASK2 + 1] << 8)) & HEAP_NATTS_MASK;
  if (i >= tupNatts) return true;
  if ((bytes[off + T_INFOMASK] & HEAP_HASNULL) === 0) return false;
  return (bytes[off + T_BITS + (i >>> 3)] & (1 << (i & 7))) === 0;
}
