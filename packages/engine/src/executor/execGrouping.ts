/*
 * execGrouping.ts — comparing, ordering and hashing values the way their
 * operators do (PostgreSQL's execGrouping.c, the sort-support setup of
 * tuplesort.c, and the hash support functions of hashfunc.c).
 *
 * Exports:
 *   sortComparator(sortop, nullsFirst)   a (a, b) => number from a "<" or ">" operator
 *   equalityFn(eqop)                     (a, b) => boolean for non-null values
 *   groupEqualityFn(colIdx, eqops)       row equality over columns, NULLs equal (grouping)
 *   rowComparator(colIdx, sortops, nullsFirst)
 *   hashKeyFn(typeOid)                   a value -> a primitive Map key that is equal exactly when the values are
 *   TupleKeyer                           one Map key for several columns
 *
 * Hashing. A hash table here is a JavaScript Map keyed by a primitive. Each
 * type has a key function that maps equal values (by the type's "="
 * operator) to the same primitive and unequal values to different ones, so
 * the Map's own hashing is the hash function and its key comparison the
 * equality check (PostgreSQL's hash support function plus the recheck of the
 * hash operator). The cases that need care:
 *   - numeric: "1.0" = "1.00": trailing fractional zeros are removed;
 *   - float: -0 = 0 (Map's SameValueZero already treats NaN = NaN, as
 *     PostgreSQL's float equality does);
 *   - int8 against int4 (cross-type hash joins): bigints in the safe integer
 *     range become numbers;
 *   - bpchar: trailing spaces do not count;
 *   - interval: a month is 30 days, a day 24 hours (interval_cmp);
 *   - text: by its characters (the "C" collation compares bytes).
 */

import { typeByOid } from '../utils/adt/types.ts';
import type { Interval, TypeInfo } from '../utils/adt/datum.ts';
import { compareAcross } from '../utils/adt/opfuncs.ts';
import { lookupFunctionByOid, lookupOperatorByOid, operatorsByName } from '../utils/fmgr/fmgrtab.ts';
import type { FunctionCallContext } from '../utils/fmgr/fmgrtypes.ts';
import { elog } from '../utils/errors.ts';

const INT2OID = 21;
const INT4OID = 23;
const INT8OID = 20;
const OIDOID = 26;
const FLOAT4OID = 700;
const FLOAT8OID = 701;
const NUMERICOID = 1700;
const BPCHAROID = 1042;
const INTERVALOID = 1186;
const BYTEAOID = 17;

export type Comparator = (a: unknown, b: unknown) => number;
export type Equality = (a: unknown, b: unknown) => boolean;

/** The fmgr context of comparisons that fall back to calling the operator's function. */
let fallbackCtx: FunctionCallContext | null = null;
export function setComparisonContext(ctx: FunctionCallContext): void {
  fallbackCtx = ctx;
}

function typeInfo(oid: number): TypeInfo | undefined {
  return typeByOid(oid);
}

/**
 * The btree comparison behind an operator of a btree opfamily, or null: the
 * type's own order, or for a cross-type operator (int4 < int8, date <
 * timestamp, text = bpchar) the comparison across the two types that the
 * operator functions themselves use (utils/adt/opfuncs.ts compareAcross).
 */
function btreeCompare(opno: number): { compare: Comparator; strategy: number } | null {
  const op = lookupOperatorByOid(opno);
  if (op.btreeStrategy === 0) return null;
  const same = op.oprleft === op.oprright;
  if (same && typeInfo(op.oprleft) === undefined) return null;
  try {
    return { compare: compareAcross(op.oprleft, op.oprright) as Comparator, strategy: op.btreeStrategy };
  } catch {
    // No known comparison across these types: the caller falls back to the operator's function.
    return null;
  }
}

function operatorFunction(opno: number): (a: unknown, b: unknown) => unknown {
  const op = lookupOperatorByOid(opno);
  const fn = lookupFunctionByOid(op.oprcode);
  const impl = fn.impl;
  if (impl === undefined) elog(`operator ${opno} has no implementation`);
  const args: unknown[] = [null, null];
  return (a, b) => {
    args[0] = a;
    args[1] = b;
    return impl(args, fallbackCtx as FunctionCallContext, -1);
  };
}

/**
 * The order a "<" (ascending) or ">" (descending) operator defines, NULLs
 * first or last. Stable sorts use it directly.
 */
export function sortComparator(sortop: number, nullsFirst: boolean): Comparator {
  const bt = btreeCompare(sortop);
  let cmp: Comparator;
  if (bt !== null && (bt.strategy === 1 || bt.strategy === 5)) {
    const c = bt.compare;
    cmp = bt.strategy === 5 ? (a, b) => c(b, a) : c;
  } else {
    // Not a btree operator of a type we know: use the operator itself as "less than".
    const lt = operatorFunction(sortop);
    cmp = (a, b) => (lt(a, b) === true ? -1 : lt(b, a) === true ? 1 : 0);
  }
  const nullA = nullsFirst ? -1 : 1;
  return (a, b) => {
    if (a === null) return b === null ? 0 : nullA;
    if (b === null) return -nullA;
    return cmp(a, b);
  };
}

/** A btree comparison (ascending) of the type behind an operator of its opfamily ("=" for merge joins). */
export function opfamilyComparator(opno: number): Comparator {
  const bt = btreeCompare(opno);
  if (bt !== null) return bt.compare;
  // An operator without a known comparison: derive one from "<" and "=" of the same operand types.
  const op = lookupOperatorByOid(opno);
  const lt = operatorsByName('<').find((o) => o.oprleft === op.oprleft && o.oprright === op.oprright);
  const eq = operatorsByName('=').find((o) => o.oprleft === op.oprleft && o.oprright === op.oprright);
  if (lt === undefined || eq === undefined) elog(`operator ${opno} is not a btree operator`);
  const ltf = operatorFunction(lt.oid);
  const eqf = operatorFunction(eq.oid);
  return (a, b) => (ltf(a, b) === true ? -1 : eqf(a, b) === true ? 0 : 1);
}

/** "=" of two non-null values. */
export function equalityFn(eqop: number): Equality {
  const bt = btreeCompare(eqop);
  if (bt !== null && bt.strategy === 3) {
    const c = bt.compare;
    return (a, b) => c(a, b) === 0;
  }
  const eq = operatorFunction(eqop);
  return (a, b) => eq(a, b) === true;
}

/** Whether two rows fall in the same group on these 1-based columns: NULLs are equal to each other. */
export function groupEqualityFn(colIdx: readonly number[], eqops: readonly number[]): (a: readonly unknown[], b: readonly unknown[]) => boolean {
  const n = colIdx.length;
  const cols = colIdx.map((c) => c - 1);
  const eqs = eqops.map(equalityFn);
  return (a, b) => {
    for (let i = 0; i < n; i++) {
      const x = a[cols[i]];
      const y = b[cols[i]];
      if (x === null || y === null) {
        if (x !== y) return false;
        continue;
      }
      if (x !== y && !eqs[i](x, y)) return false;
    }
    return true;
  };
}

/** Order of rows by several 1-based columns. */
export function rowComparator(colIdx: readonly number[], sortops: readonly number[], nullsFirst: readonly boolean[]): (a: readonly unknown[], b: readonly unknown[]) => number {
  const n = colIdx.length;
  const cols = colIdx.map((c) => c - 1);
  const cmps = sortops.map((op, i) => sortComparator(op, nullsFirst[i] ?? false));
  if (n === 1) {
    const c0 = cols[0];
    const f0 = cmps[0];
    return (a, b) => f0(a[c0], b[c0]);
  }
  return (a, b) => {
    for (let i = 0; i < n; i++) {
      const r = cmps[i](a[cols[i]], b[cols[i]]);
      if (r !== 0) return r;
    }
    return 0;
  };
}

/* ------------------------------------------------------------------ hash keys */

export type HashKey = number | string | boolean | bigint;
export type HashKeyFn = (v: unknown) => HashKey;

const numberKey: HashKeyFn = (v) => {
  if (typeof v === 'bigint') return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
  return v === 0 ? 0 : (v as number);
};

/** numeric_out's text with the fractional zeros removed: the value, not its display scale. */
export function numericKey(s: string): string {
  let end = s.length;
  const dot = s.indexOf('.');
  if (dot >= 0) {
    while (s.charCodeAt(end - 1) === 48) end--;
    if (end - 1 === dot) end--;
  }
  const t = end === s.length ? s : s.slice(0, end);
  return t === '-0' ? '0' : t;
}

const bpcharKey: HashKeyFn = (v) => (v as string).replace(/ +$/, '');

const USECS_PER_DAY = 86_400_000_000n;
const intervalKey: HashKeyFn = (v) => {
  const i = v as Interval;
  return BigInt(i.months) * 30n * USECS_PER_DAY + BigInt(i.days) * USECS_PER_DAY + i.micros;
};

const byteaKey: HashKeyFn = (v) => {
  const b = v as Uint8Array;
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
};

/** Anything else: primitives as they are; objects through a canonical text (arrays element by element). */
const genericKey: HashKeyFn = (v) => {
  switch (typeof v) {
    case 'number':
      return v === 0 ? 0 : v;
    case 'bigint':
      return numberKey(v);
    case 'string':
    case 'boolean':
      return v;
    default:
      return canonicalText(v);
  }
};

function canonicalText(v: unknown): string {
  if (v === null) return '\u0001N';
  if (typeof v === 'bigint') return `${numberKey(v)}`;
  if (typeof v !== 'object') return `${typeof v}:${String(v)}`;
  if (v instanceof Uint8Array) return `b:${byteaKey(v)}`;
  const arr = v as { elements?: unknown[]; dims?: number[]; lbounds?: number[]; elemtype?: number };
  if (Array.isArray(arr.elements)) {
    const ek = hashKeyFn(arr.elemtype ?? 0);
    return `a${JSON.stringify(arr.dims)}${JSON.stringify(arr.lbounds)}[${arr.elements.map((e) => (e === null ? '\u0001N' : String(ek(e)))).join('\u0002')}]`;
  }
  if (Array.isArray(v)) return `r[${v.map(canonicalText).join('\u0002')}]`;
  return `o${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))}`;
}

/** The hash key function of a type (see the header). */
export function hashKeyFn(typeOid: number): HashKeyFn {
  switch (typeOid) {
    case INT2OID:
    case INT4OID:
    case INT8OID:
    case OIDOID:
    case FLOAT4OID:
    case FLOAT8OID:
      return numberKey;
    case NUMERICOID:
      return (v) => numericKey(v as string);
    case BPCHAROID:
      return bpcharKey;
    case INTERVALOID:
      return intervalKey;
    case BYTEAOID:
      return byteaKey;
    default:
      return genericKey;
  }
}

/** The marker of a NULL column in a composite key (no key function returns a string starting with U+0001). */
const NULL_KEY = '\u0001N';

/**
 * One Map key for the values of several columns (a hash table's key). For
 * one column the column's key itself; for several, their text joined by
 * U+0000, which no text value can contain (PostgreSQL forbids NUL in text).
 */
export class TupleKeyer {
  private readonly fns: HashKeyFn[];
  constructor(typeOids: readonly number[]) {
    this.fns = typeOids.map(hashKeyFn);
  }
  /** The key of values[cols[i]]; null when a column is NULL and nullsMatch is false (a join key never matches then). */
  key(values: readonly unknown[], cols: readonly number[], nullsMatch: boolean): HashKey | null {
    const fns = this.fns;
    if (fns.length === 1) {
      const v = values[cols[0]];
      if (v === null) return nullsMatch ? NULL_KEY : null;
      return fns[0](v);
    }
    let s = '';
    for (let i = 0; i < fns.length; i++) {
      const v = values[cols[i]];
      if (v === null) {
        if (!nullsMatch) return null;
        s += NULL_KEY;
      } else {
        const k = fns[i](v);
        s += typeof k === 'string' ? k : String(k);
      }
      s += '\u0000';
    }
    return s;
  }
}
