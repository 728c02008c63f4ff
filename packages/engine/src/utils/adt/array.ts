/*
 * array.ts — arrays of any base type: the Datum form, text I/O (array_in,
 * array_out), the on-disk bytes (PostgreSQL's ArrayType) and the btree order
 * (array_cmp). PostgreSQL's arrayfuncs.c.
 *
 * Exports:
 *   ArrayValue                 the Datum of every array type
 *   makeArrayTypeInfo(elem, oid, name)   the TypeInfo of `elem[]`
 *   arrayIn(text, elem, typmod) / arrayOut(a, elem)
 *   arrayToBytes(a, elem) / arrayFromBytes(bytes, elem)
 *   arrayCompare(a, b, elem)   array_cmp: element by element, NULL above any value
 *   arrayNeedsQuote(s)         array_out's quoting rule (also for record_out)
 *
 * An ArrayValue is a plain row-major list of elements with the dimensions
 * and lower bounds beside it, as ArrayType is. A zero-dimensional array is
 * the empty array `{}`; PostgreSQL has no empty array with dimensions.
 *
 * On disk (the payload after the 4-byte varlena header, which is counted in
 * every offset below because PostgreSQL's alignment is relative to it):
 *
 *   0        4        8            12          12+4n         12+8n
 *   +--------+--------+------------+-----------+-------------+----------------+---------+----------
 *   | vl_len | ndim   | dataoffset | elemtype  | dims[ndim]  | lbounds[ndim]  | nullmap | pad to 8 | elements
 *   +--------+--------+------------+-----------+-------------+----------------+---------+----------
 *
 * dataoffset is 0 when there are no NULLs (and no bitmap); otherwise it is
 * the offset of the first element. The bitmap has one bit per element, 1 =
 * present, least significant bit first. Elements follow each other, each
 * aligned to the element type's typalign; varlena elements carry a 4-byte
 * header (arrays never hold short headers).
 */

import type { Datum, TypeInfo } from './datum.ts';
import { SQLSTATE, ereport, elog } from '../errors.ts';

/** Arrays may not have more dimensions than PostgreSQL's MAXDIM. */
export const MAXDIM = 6;
const ARRAY_HEADER = 16;
const VARHDRSZ = 4;

export class ArrayValue {
  constructor(
    /** The element type's OID (pg_type.oid of the element, not of the array). */
    readonly elemtype: number,
    /** Length of each dimension; [] for the empty array. */
    readonly dims: number[],
    /** Lower bound of each dimension (1 unless written `[0:2]={...}`). */
    readonly lbounds: number[],
    /** Elements in row-major order; null is a NULL element. */
    readonly elements: (Datum | null)[],
  ) {}

  get ndim(): number {
    return this.dims.length;
  }

  /** A one-dimensional array with lower bound 1 (or the empty array when there are no elements). */
  static of(elemtype: number, elements: (Datum | null)[]): ArrayValue {
    return elements.length === 0 ? new ArrayValue(elemtype, [], [], []) : new ArrayValue(elemtype, [elements.length], [1], elements);
  }
}

export function isArrayValue(v: unknown): v is ArrayValue {
  return v instanceof ArrayValue;
}

export function asArray(v: unknown): ArrayValue {
  if (!(v instanceof ArrayValue)) elog('expected an array datum');
  return v;
}

/* ------------------------------------------------------------- text input */

function malformed(text: string, detail: string): never {
  return ereport(SQLSTATE.invalid_text_representation, `malformed array literal: "${text}"`, { detail });
}

const isArraySpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** A parsed element before its type's input function: text, whether it was quoted or escaped. */
interface RawElement {
  text: string;
  isNull: boolean;
}

/**
 * array_in. The literal is read in one pass: optional `[lb:ub]...=`
 * decoration, then nested braces. Every sub-array at one level must have the
 * same length, as PostgreSQL requires.
 */
export function arrayIn(text: string, elem: TypeInfo, typmod: number): ArrayValue {
  let pos = 0;
  const n = text.length;
  while (isArraySpace(text[pos])) pos++;

  // Dimension decoration.
  const declDims: number[] = [];
  const declLbounds: number[] = [];
  while (text[pos] === '[') {
    if (declDims.length >= MAXDIM) {
      ereport(SQLSTATE.program_limit_exceeded, `number of array dimensions exceeds the maximum allowed (${MAXDIM})`);
    }
    pos++;
    const readInt = (): number | null => {
      const m = /^[+-]?\d+/.exec(text.slice(pos));
      if (m === null) return null;
      pos += m[0].length;
      return Number(m[0]);
    };
    const first = readInt();
    if (first === null) malformed(text, '"[" must introduce explicitly-specified array dimensions.');
    let lb = 1;
    let ub = first;
    if (text[pos] === ':') {
      pos++;
      const second = readInt();
      if (second === null) malformed(text, 'Missing array dimension value.');
      lb = first;
      ub = second;
    }
    if (text[pos] !== ']') malformed(text, `Missing "]" after array dimensions.`);
    pos++;
    if (ub < lb) {
      ereport('2202E', 'upper bound cannot be less than lower bound');
    }
    declDims.push(ub - lb + 1);
    declLbounds.push(lb);
  }
  if (declDims.length > 0) {
    while (isArraySpace(text[pos])) pos++;
    if (text[pos] !== '=') malformed(text, 'Missing "=" after array dimensions.');
    pos++;
    while (isArraySpace(text[pos])) pos++;
  }
  if (text[pos] !== '{') malformed(text, 'Array value must start with "{" or dimension information.');

  // Nested braces.
  const raw: RawElement[] = [];
  let dims: number[] = [];
  let ndim = -1; // unknown until the first element or the first closing brace at depth
  const counts: number[] = [];
  let depth = 0;
  let expectElement = true; // after "{" or ","
  let lastWasClose = false;
  let sawNestedEmpty = false;
  while (pos < n) {
    const c = text[pos];
    if (c === '{') {
      if (!expectElement || (ndim !== -1 && depth >= ndim)) malformed(text, 'Unexpected "{" character.');
      if (depth >= MAXDIM) {
        ereport(SQLSTATE.program_limit_exceeded, `number of array dimensions exceeds the maximum allowed (${MAXDIM})`);
      }
      counts[depth] = 0;
      depth++;
      pos++;
      expectElement = true;
      lastWasClose = false;
      continue;
    }
    if (c === '}') {
      if (depth === 0) malformed(text, 'Unexpected "}" character.');
      const level = depth - 1;
      if (expectElement && counts[level] > 0) malformed(text, 'Unexpected "}" character.');
      if (sawNestedEmpty && counts[level] > 0) malformed(text, 'Unexpected "}" character.');
      if (ndim === -1 && counts[level] > 0) ndim = depth;
      else if (ndim !== -1 && depth > ndim) malformed(text, 'Unexpected "}" character.');
      if (counts[level] === 0 && depth === 1 && raw.length === 0 && dims.length === 0) {
        // `{}`: the empty array (only at the top level).
        depth = 0;
        pos++;
        dims = [];
        ndim = 0;
        lastWasClose = true;
        break;
      }
      if (counts[level] === 0) {
        // `{{}}`: nested empty braces are the empty array too.
        if (raw.length !== 0 || dims.length !== 0) malformed(text, 'Unexpected "}" character.');
        depth--;
        pos++;
        sawNestedEmpty = true;
        expectElement = false;
        lastWasClose = true;
        if (depth === 0) break;
        continue;
      }
      if (dims[level] === undefined) dims[level] = counts[level];
      else if (dims[level] !== counts[level]) malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
      depth--;
      pos++;
      if (depth > 0) counts[depth - 1]++;
      expectElement = false;
      lastWasClose = true;
      if (depth === 0) break;
      continue;
    }
    if (c === ',') {
      if (expectElement || depth === 0) malformed(text, 'Unexpected "," character.');
      pos++;
      expectElement = true;
      lastWasClose = false;
      continue;
    }
    if (isArraySpace(c)) {
      pos++;
      continue;
    }
    // An element.
    if (!expectElement || depth === 0) malformed(text, `Unexpected array element.`);
    if (ndim !== -1 && depth !== ndim) malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
    let value = '';
    let quoted = false;
    let escaped = false;
    let trailingSpace = 0;
    if (c === '"') {
      quoted = true;
      pos++;
      for (;;) {
        if (pos >= n) malformed(text, 'Unexpected end of input.');
        const d = text[pos];
        if (d === '\\') {
          if (pos + 1 >= n) malformed(text, 'Unexpected end of input.');
          value += text[pos + 1];
          pos += 2;
          continue;
        }
        if (d === '"') {
          pos++;
          break;
        }
        value += d;
        pos++;
      }
    } else {
      for (;;) {
        if (pos >= n) malformed(text, 'Unexpected end of input.');
        const d = text[pos];
        if (d === '\\') {
          if (pos + 1 >= n) malformed(text, 'Unexpected end of input.');
          value += text[pos + 1];
          escaped = true;
          trailingSpace = 0;
          pos += 2;
          continue;
        }
        if (d === '"') malformed(text, 'Unexpected """ character.');
        if (d === '{') malformed(text, 'Unexpected "{" character.');
        if (d === ',' || d === '}') break;
        if (isArraySpace(d)) trailingSpace++;
        else trailingSpace = 0;
        value += d;
        pos++;
      }
      value = value.slice(0, value.length - trailingSpace);
    }
    const isNull = !quoted && !escaped && value.toUpperCase() === 'NULL';
    raw.push({ text: value, isNull });
    if (ndim === -1) ndim = depth;
    counts[depth - 1]++;
    expectElement = false;
    lastWasClose = false;
  }
  if (depth !== 0 || !lastWasClose) malformed(text, 'Unexpected end of input.');
  while (pos < n) {
    if (!isArraySpace(text[pos])) malformed(text, 'Junk after closing right brace.');
    pos++;
  }

  if (sawNestedEmpty && raw.length === 0) dims = [];
  let lbounds = dims.map(() => 1);
  if (declDims.length > 0) {
    if (raw.length === 0 && dims.length === 0) {
      malformed(text, 'Specified array dimensions do not match array contents.');
    }
    if (declDims.length !== dims.length || declDims.some((d, i) => d !== dims[i])) {
      malformed(text, 'Specified array dimensions do not match array contents.');
    }
    lbounds = declLbounds;
  }
  const elements = raw.map((r) => (r.isNull ? null : elem.input(r.text, typmod)));
  return new ArrayValue(elem.oid, dims, lbounds, elements);
}

/* ------------------------------------------------------------ text output */

/** array_out quotes an element that is empty, reads as NULL, or holds a delimiter, brace, quote, backslash or space. */
export function arrayNeedsQuote(s: string): boolean {
  if (s.length === 0) return true;
  if (s.length === 4 && s.toUpperCase() === 'NULL') return true;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === '\\' || c === '{' || c === '}' || c === ',' || isArraySpace(c)) return true;
  }
  return false;
}

function quoteElement(s: string): string {
  if (!arrayNeedsQuote(s)) return s;
  return '"' + s.replace(/["\\]/g, (m) => '\\' + m) + '"';
}

export function arrayOut(a: ArrayValue, elem: TypeInfo): string {
  if (a.dims.length === 0) return '{}';
  let prefix = '';
  if (a.lbounds.some((lb) => lb !== 1)) {
    prefix = a.dims.map((d, i) => `[${a.lbounds[i]}:${a.lbounds[i] + d - 1}]`).join('') + '=';
  }
  const parts: string[] = [];
  let k = 0;
  const emit = (level: number): void => {
    parts.push('{');
    for (let i = 0; i < a.dims[level]; i++) {
      if (i > 0) parts.push(',');
      if (level === a.dims.length - 1) {
        const v = a.elements[k++];
        parts.push(v === null || v === undefined ? 'NULL' : quoteElement(elem.output(v)));
      } else {
        emit(level + 1);
      }
    }
    parts.push('}');
  };
  emit(0);
  return prefix + parts.join('');
}

/* ---------------------------------------------------------------- storage */

const alignOf = (a: string): number => (a === 'd' ? 8 : a === 'i' ? 4 : a === 's' ? 2 : 1);
const alignUp = (off: number, align: number): number => (off + align - 1) & ~(align - 1);

export function arrayToBytes(a: ArrayValue, elem: TypeInfo): Uint8Array {
  const ndim = a.dims.length;
  const nitems = a.elements.length;
  const hasNulls = a.elements.some((e) => e === null);
  const headerEnd = ARRAY_HEADER + 8 * ndim + (hasNulls ? (nitems + 7) >> 3 : 0);
  const dataStart = alignUp(headerEnd, 8);
  const align = alignOf(elem.typalign);
  // Element bytes first, to size the buffer.
  const parts: (Uint8Array | null)[] = [];
  let size = dataStart;
  for (const e of a.elements) {
    if (e === null) {
      parts.push(null);
      continue;
    }
    let bytes: Uint8Array;
    if (elem.typlen > 0) {
      bytes = new Uint8Array(elem.typlen);
      if (elem.writeFixed === undefined) elog(`type ${elem.name} cannot be stored`);
      elem.writeFixed(new DataView(bytes.buffer), 0, e);
    } else {
      if (elem.toBytes === undefined) elog(`type ${elem.name} cannot be stored`);
      const payload = elem.toBytes(e);
      bytes = new Uint8Array(payload.length + VARHDRSZ);
      new DataView(bytes.buffer).setUint32(0, (payload.length + VARHDRSZ) << 2, true);
      bytes.set(payload, VARHDRSZ);
    }
    size = alignUp(size, align) + bytes.length;
    parts.push(bytes);
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setInt32(4, ndim, true);
  view.setInt32(8, hasNulls ? dataStart : 0, true);
  view.setUint32(12, a.elemtype, true);
  for (let i = 0; i < ndim; i++) {
    view.setInt32(ARRAY_HEADER + 4 * i, a.dims[i], true);
    view.setInt32(ARRAY_HEADER + 4 * ndim + 4 * i, a.lbounds[i], true);
  }
  if (hasNulls) {
    const bitmapAt = ARRAY_HEADER + 8 * ndim;
    for (let i = 0; i < nitems; i++) if (a.elements[i] !== null) out[bitmapAt + (i >> 3)] |= 1 << (i & 7);
  }
  let off = dataStart;
  for (const p of parts) {
    if (p === null) continue;
    off = alignUp(off, align);
    out.set(p, off);
    off += p.length;
  }
  // The varlena header belongs to the tuple layer; the payload starts after it.
  return out.subarray(VARHDRSZ);
}

export function arrayFromBytes(payload: Uint8Array, elem: TypeInfo): ArrayValue {
  // Re-base on a buffer with the header so alignment arithmetic matches the writer's.
  const buf = new Uint8Array(payload.length + VARHDRSZ);
  buf.set(payload, VARHDRSZ);
  const view = new DataView(buf.buffer);
  const ndim = view.getInt32(4, true);
  const dataoffset = view.getInt32(8, true);
  const elemtype = view.getUint32(12, true);
  const dims: number[] = [];
  const lbounds: number[] = [];
  let nitems = ndim === 0 ? 0 : 1;
  for (let i = 0; i < ndim; i++) {
    dims.push(view.getInt32(ARRAY_HEADER + 4 * i, true));
    lbounds.push(view.getInt32(ARRAY_HEADER + 4 * ndim + 4 * i, true));
    nitems *= dims[i];
  }
  const bitmapAt = ARRAY_HEADER + 8 * ndim;
  const dataStart = dataoffset !== 0 ? dataoffset : alignUp(bitmapAt, 8);
  const align = alignOf(elem.typalign);
  const elements: (Datum | null)[] = new Array<Datum | null>(nitems);
  let off = dataStart;
  for (let i = 0; i < nitems; i++) {
    if (dataoffset !== 0 && (buf[bitmapAt + (i >> 3)] & (1 << (i & 7))) === 0) {
      elements[i] = null;
      continue;
    }
    off = alignUp(off, align);
    if (elem.typlen > 0) {
      if (elem.readFixed === undefined) elog(`type ${elem.name} cannot be read`);
      elements[i] = elem.readFixed(view, off);
      off += elem.typlen;
    } else {
      if (elem.fromBytes === undefined) elog(`type ${elem.name} cannot be read`);
      const len = view.getUint32(off, true) >>> 2;
      elements[i] = elem.fromBytes(buf.slice(off + VARHDRSZ, off + len));
      off += len;
    }
  }
  return new ArrayValue(elemtype, dims, lbounds, elements);
}

/* ------------------------------------------------------------------ order */

/**
 * array_cmp, the btree order of arrays: elements in storage order, NULL
 * above every value and equal to NULL; then the element count, the number of
 * dimensions, and each dimension's length and lower bound.
 */
export function arrayCompare(a: ArrayValue, b: ArrayValue, elem: TypeInfo): number {
  const n = Math.min(a.elements.length, b.elements.length);
  for (let i = 0; i < n; i++) {
    const x = a.elements[i];
    const y = b.elements[i];
    if (x === null) {
      if (y !== null) return 1;
      continue;
    }
    if (y === null) return -1;
    const c = elem.compare(x, y);
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  if (a.elements.length !== b.elements.length) return a.elements.length < b.elements.length ? -1 : 1;
  if (a.dims.length !== b.dims.length) return a.dims.length < b.dims.length ? -1 : 1;
  for (let i = 0; i < a.dims.length; i++) {
    if (a.dims[i] !== b.dims[i]) return a.dims[i] < b.dims[i] ? -1 : 1;
    if (a.lbounds[i] !== b.lbounds[i]) return a.lbounds[i] < b.lbounds[i] ? -1 : 1;
  }
  return 0;
}

/** The TypeInfo of an array type: I/O, storage and order delegate to the element type. */
export function makeArrayTypeInfo(elem: TypeInfo, oid: number, name: string): TypeInfo {
  return {
    oid,
    name,
    typlen: -1,
    typbyval: false,
    typalign: elem.typalign === 'd' ? 'd' : 'i',
    typstorage: 'x',
    typcategory: 'A',
    typelem: elem.oid,
    typarray: 0,
    input: (text, typmod) => arrayIn(text, elem, typmod),
    output: (v) => arrayOut(asArray(v), elem),
    toBytes: (v) => arrayToBytes(asArray(v), elem),
    fromBytes: (bytes) => arrayFromBytes(bytes, elem),
    compare: (a, b) => arrayCompare(asArray(a), asArray(b), elem),
    applyTypmod: elem.applyTypmod === undefined
      ? undefined
      : (v, typmod, isExplicit) => {
          const a = asArray(v);
          const f = elem.applyTypmod as NonNullable<TypeInfo['applyTypmod']>;
          return new ArrayValue(a.elemtype, a.dims, a.lbounds, a.elements.map((e) => (e === null ? null : f(e, typmod, isExplicit))));
        },
  };
}
