/*
 * scankey.ts — scan keys that a sequential scan tests on a tuple's stored
 * bytes before taking it apart (PostgreSQL's ScanKeyData and HeapKeyTest,
 * access/skey.h and access/valid.h).
 *
 * PostgreSQL's heap scan accepts scan keys: simple `column op constant`
 * conditions tested on each visible tuple, with the column's Datum pointing
 * into the page. Here a Datum is a JavaScript value, and making it costs
 * (a text column is UTF-8-decoded into a string), so a key tests the bytes
 * where they lie: an integer read in place, LIKE run on the UTF-8 bytes. A
 * tuple that fails a key is never deformed; one that passes is deformed as
 * usual. A varlena stored compressed or out of line is detoasted and tested
 * as a value.
 *
 * Keys are strict: a NULL (or missing) attribute fails every key, as a
 * qual of a strict operator is NULL, and so false, for it.
 *
 * Exports:
 *   HeapScanKey                 the key contract (sk_attno + the test)
 *   IntCompareKey               int2 / int4 / int8 column <, <=, =, >=, >, <> an integer
 *   LikeKey                     text / varchar column [NOT] LIKE a pattern (like.ts)
 *   heapKeyTest(desc, bytes, off, len, keys, detoast)
 *   HeapKeyTester               the same test prepared once per scan, with a
 *                               fast path for fixed-width keys at cached offsets
 */

import type { Datum, TypeInfo } from '../../utils/adt/datum.ts';
import type { LikePattern } from '../../utils/adt/like.ts';
import { elog } from '../../utils/errors.ts';
import { viewOf } from './byteview.ts';
import { heapAttrOffset, heapGetAttr } from './heaptuple.ts';
import { HEAP_HASNULL, HEAP_NATTS_MASK, T_HOFF, T_INFOMASK, T_INFOMASK2 } from './htup_details.ts';
import type { TupleDesc } from './tupdesc.ts';
import { isRawVarlena, VARHDRSZ, VARHDRSZ_SHORT, type RawVarlena } from './varlena.ts';

/** One condition on one attribute. */
export interface HeapScanKey {
  /** Attribute number, 1-based (sk_attno). */
  readonly attno: number;
  /**
   * The test on the stored form: a fixed-width attribute's value starts at
   * bytes[start] (end = start + attlen); an inline, uncompressed varlena's
   * payload is bytes[start..end).
   */
  testStored(bytes: Uint8Array, start: number, end: number): boolean;
  /** The same test on a value: a varlena stored compressed or out of line, once detoasted. */
  testValue(value: Datum): boolean;
}

/** Comparison of an integer key (btree strategy numbers 1-5, and <> as 6). */
export const KEY_LT = 1;
export const KEY_LE = 2;
export const KEY_EQ = 3;
export const KEY_GE = 4;
export const KEY_GT = 5;
export const KEY_NE = 6;
export type KeyStrategy = typeof KEY_LT | typeof KEY_LE | typeof KEY_EQ | typeof KEY_GE | typeof KEY_GT | typeof KEY_NE;

function compareNumber(strategy: KeyStrategy, arg: number): (v: number) => boolean {
  switch (strategy) {
    case KEY_LT: return (v) => v < arg;
    case KEY_LE: return (v) => v <= arg;
    case KEY_EQ: return (v) => v === arg;
    case KEY_GE: return (v) => v >= arg;
    case KEY_GT: return (v) => v > arg;
    default: return (v) => v !== arg;
  }
}

function compareBigint(strategy: KeyStrategy, arg: bigint): (v: bigint) => boolean {
  switch (strategy) {
    case KEY_LT: return (v) => v < arg;
    case KEY_LE: return (v) => v <= arg;
    case KEY_EQ: return (v) => v === arg;
    case KEY_GE: return (v) => v >= arg;
    case KEY_GT: return (v) => v > arg;
    default: return (v) => v !== arg;
  }
}

/**
 * `column op constant` for an int2, int4 or int8 column (attlen 2, 4, 8)
 * and an integer constant of any of those types. An int8 constant against
 * a narrower column is compared as a double: exact for every value an
 * int2/int4 column can hold, and constants beyond 2^53 lie outside their
 * range whichever way they round.
 */
export class IntCompareKey implements HeapScanKey {
  readonly testStored: (bytes: Uint8Array, start: number, end: number) => boolean;
  readonly testValue: (value: Datum) => boolean;

  constructor(readonly attno: number, attlen: number, strategy: KeyStrategy, arg: number | bigint) {
    if (attlen === 8) {
      const cmp = compareBigint(strategy, BigInt(arg));
      this.testStored = (bytes, start) => cmp(viewOf(bytes).getBigInt64(start, true));
      this.testValue = (v) => cmp(v as bigint);
      return;
    }
    const cmp = compareNumber(strategy, Number(arg));
    if (attlen === 4) {
      this.testStored = (bytes, start) => cmp(bytes[start] | (bytes[start + 1] << 8) | (bytes[start + 2] << 16) | (bytes[start + 3] << 24));
    } else if (attlen === 2) {
      this.testStored = (bytes, start) => cmp(((bytes[start] | (bytes[start + 1] << 8)) << 16) >> 16);
    } else {
      elog(`integer scan key on an attribute of length ${attlen}`);
    }
    this.testValue = (v) => cmp(v as number);
  }
}

/** `column [NOT] LIKE pattern` for a text or varchar column: the pattern runs on the UTF-8 bytes. */
export class LikeKey implements HeapScanKey {
  constructor(readonly attno: number, private readonly pattern: LikePattern, private readonly negate: boolean) {
    if (pattern.caseInsensitive) elog('ILIKE has no byte form');
  }

  testStored(bytes: Uint8Array, start: number, end: number): boolean {
    return this.pattern.matchBytes(bytes, start, end) !== this.negate;
  }

  testValue(value: Datum): boolean {
    return this.pattern.matchString(value as string) !== this.negate;
  }
}

/**
 * HeapKeyTest: whether the tuple bytes[off .. off+len) passes every key, in
 * order (the first failure decides). `detoast` turns a compressed or
 * out-of-line value into its Datum (the heap's TOAST layer).
 */
export function heapKeyTest(
  desc: TupleDesc,
  bytes: Uint8Array,
  off: number,
  len: number,
  keys: readonly HeapScanKey[],
  detoast: (raw: RawVarlena, type: TypeInfo) => Datum,
): boolean {
  const attlen = desc.attlen;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const at = heapAttrOffset(desc, bytes, off, len, key.attno);
    if (at < 0) return false;
    const al = attlen[key.attno - 1];
    if (al > 0) {
      if (!key.testStored(bytes, at, at + al)) return false;
      continue;
    }
    const h = bytes[at];
    let start: number;
    let end: number;
    if ((h & 0x03) === 0x00) {
      // 4-byte header, uncompressed.
      start = at + VARHDRSZ;
      end = at + ((h | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 2);
    } else if ((h & 0x01) === 0x01 && h !== 0x01) {
      // 1-byte header.
      start = at + VARHDRSZ_SHORT;
      end = at + (h >>> 1);
    } else {
      // Compressed or external: the value, detoasted.
      const raw = heapGetAttr(desc, bytes, off, len, key.attno);
      const type = desc.types[key.attno - 1];
      const value = isRawVarlena(raw) ? detoast(raw, type) : (raw as Datum);
      if (!key.testValue(value)) return false;
      continue;
    }
    if (end > off + len) elog(`varlena of attribute ${key.attno} runs past its tuple`);
    if (!key.testStored(bytes, start, end)) return false;
  }
  return true;
}

/**
 * heapKeyTest prepared for one scan. When every key is on a fixed-width
 * attribute with a cached offset (attcacheoff: no varlena before it), a
 * tuple without nulls that has all those attributes keeps each value at
 * the same place after t_hoff, so the keys read it directly; any other
 * tuple takes heapKeyTest's walk.
 */
export class HeapKeyTester {
  /** Data-area offset of each key's attribute, or null when some key has none. */
  private readonly fixedOff: Int32Array | null;
  /** Highest attribute number of the keys: a shorter tuple lacks one (it reads as NULL). */
  private readonly maxAttno: number;

  constructor(
    private readonly desc: TupleDesc,
    private readonly keys: readonly HeapScanKey[],
    private readonly detoast: (raw: RawVarlena, type: TypeInfo) => Datum,
  ) {
    const offs = new Int32Array(keys.length);
    let fixed = keys.length > 0;
    let maxAttno = 0;
    for (let k = 0; k < keys.length; k++) {
      const i = keys[k].attno - 1;
      maxAttno = Math.max(maxAttno, i + 1);
      if (desc.attlen[i] <= 0 || desc.attcacheoff[i] < 0) fixed = false;
      offs[k] = desc.attcacheoff[i];
    }
    this.fixedOff = fixed ? offs : null;
    this.maxAttno = maxAttno;
  }

  /** Whether the tuple bytes[off .. off+len) passes every key. */
  test(bytes: Uint8Array, off: number, len: number): boolean {
    const offs = this.fixedOff;
    if (offs !== null && (bytes[off + T_INFOMASK] & HEAP_HASNULL) === 0 &&
      ((bytes[off + T_INFOMASK2] | (bytes[off + T_INFOMASK2 + 1] << 8)) & HEAP_NATTS_MASK) >= this.maxAttno) {
      const keys = this.keys;
      const tp = off + bytes[off + T_HOFF];
      const attlen = this.desc.attlen;
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k];
        const at = tp + offs[k];
        const end = at + attlen[key.attno - 1];
        if (end > off + len) elog(`attribute ${key.attno} runs past its tuple`);
        if (!key.testStored(bytes, at, end)) return false;
      }
      return true;
    }
    return heapKeyTest(this.desc, bytes, off, len, this.keys, this.detoast);
  }
}
