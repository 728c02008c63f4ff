/*
 * arrayfuncs.ts — the SQL-callable array functions and operators
 * (PostgreSQL's arrayfuncs.c, array_userfuncs.c, arrayutils.c), and the
 * subscripting and ANY/ALL helpers the executor uses.
 *
 * Exports:
 *   ARRAY_FUNCS            ImplTable keyed by prosrc
 *   arraySubscript(a, subscripts)         a[i][j]: the element, or null when out of range
 *   arraySlice(a, lowers, uppers)         a[i:j]
 *   scalarArrayOp(scalar, array, useOr, op)   `x op ANY (array)` / ALL with SQL's NULL rules
 *   elementTypeInfo(a)                    the TypeInfo of an array's elements
 *
 * The functions work on ArrayValue (array.ts). Element equality uses the
 * element type's btree order (TypeInfo.compare), as PostgreSQL's array
 * functions use the type's default equality operator.
 */

import { argType } from './argtypes.ts';
import type { Datum, TypeInfo } from './datum.ts';
import type { ImplTable } from '../fmgr/fmgrimpl.ts';
import { fixed, set } from '../fmgr/fmgrimpl.ts';
import { SQLSTATE, ereport, elog } from '../errors.ts';
import { ArrayValue, MAXDIM, asArray } from './array.ts';
import { typeByOid } from './types.ts';

export function elementTypeInfo(a: ArrayValue): TypeInfo {
  const t = typeByOid(a.elemtype);
  if (t === undefined) elog(`array of unknown element type ${a.elemtype}`);
  return t;
}

const arr = (v: unknown): ArrayValue => asArray(v);
const int = (v: unknown): number => v as number;

function eqElem(t: TypeInfo, x: Datum | null, y: Datum | null): boolean {
  if (x === null || y === null) return x === null && y === null;
  return t.compare(x, y) === 0;
}

/* ---------------------------------------------------------- subscripting */

/** a[s1][s2]...: the element, or null for a subscript out of range (PostgreSQL returns NULL). */
export function arraySubscript(a: ArrayValue, subscripts: readonly number[]): Datum | null {
  if (subscripts.length !== a.dims.length) return null;
  let offset = 0;
  for (let i = 0; i < subscripts.length; i++) {
    const k = subscripts[i] - a.lbounds[i];
    if (k < 0 || k >= a.dims[i]) return null;
    offset = offset * a.dims[i] + k;
  }
  return a.elements[offset];
}

/** a[l1:u1][l2:u2]: the sub-array (empty when the ranges miss), lower bounds reset to 1. */
export function arraySlice(a: ArrayValue, lowers: readonly (number | null)[], uppers: readonly (number | null)[]): ArrayValue {
  const nd = a.dims.length;
  if (nd === 0 || lowers.length > nd) return new ArrayValue(a.elemtype, [], [], []);
  const lo: number[] = [];
  const hi: number[] = [];
  for (let i = 0; i < nd; i++) {
    const l = Math.max(i < lowers.length ? (lowers[i] ?? a.lbounds[i]) : a.lbounds[i], a.lbounds[i]);
    const u = Math.min(i < uppers.length ? (uppers[i] ?? a.lbounds[i] + a.dims[i] - 1) : a.lbounds[i] + a.dims[i] - 1, a.lbounds[i] + a.dims[i] - 1);
    if (l > u) return new ArrayValue(a.elemtype, [], [], []);
    lo.push(l);
    hi.push(u);
  }
  const dims = lo.map((l, i) => hi[i] - l + 1);
  const out: (Datum | null)[] = [];
  const idx = lo.slice();
  for (;;) {
    out.push(arraySubscript(a, idx));
    let d = nd - 1;
    while (d >= 0) {
      idx[d]++;
      if (idx[d] <= hi[d]) break;
      idx[d] = lo[d];
      d--;
    }
    if (d < 0) break;
  }
  return new ArrayValue(a.elemtype, dims, dims.map(() => 1), out);
}

/**
 * ScalarArrayOpExpr's evaluation: `x op ANY (a)` is true if op is true for
 * some element, NULL if none is true and some comparison was NULL, else
 * false; ALL is the dual. An empty array gives false for ANY, true for ALL.
 */
export function scalarArrayOp(x: unknown, a: ArrayValue, useOr: boolean, op: (x: unknown, e: unknown) => unknown): boolean | null {
  let sawNull = false;
  for (const e of a.elements) {
    const r = x === null || e === null ? null : op(x, e);
    if (r === null) sawNull = true;
    else if (r === useOr) return useOr;
  }
  return sawNull ? null : !useOr;
}

/* --------------------------------------------------------------- helpers */

function dimensionError(): never {
  return ereport('2202E', 'cannot concatenate incompatible arrays', {
    detail: 'Arrays with differing dimensions are not compatible for concatenation.',
  });
}

function oneDim(a: ArrayValue, what: string): void {
  if (a.dims.length > 1) {
    ereport(SQLSTATE.feature_not_supported, `${what} multidimensional arrays is not supported`);
  }
}

function arrayAppend(a: ArrayValue | null, e: Datum | null, elemtype: number): ArrayValue {
  if (a === null) return ArrayValue.of(elemtype, [e]);
  if (a.dims.length === 0) return ArrayValue.of(a.elemtype, [e]);
  if (a.dims.length !== 1) ereport('22000', 'argument must be empty or one-dimensional array');
  return new ArrayValue(a.elemtype, [a.dims[0] + 1], a.lbounds, [...a.elements, e]);
}

function arrayPrepend(e: Datum | null, a: ArrayValue | null, elemtype: number): ArrayValue {
  if (a === null) return ArrayValue.of(elemtype, [e]);
  if (a.dims.length === 0) return ArrayValue.of(a.elemtype, [e]);
  if (a.dims.length !== 1) ereport('22000', 'argument must be empty or one-dimensional array');
  return new ArrayValue(a.elemtype, [a.dims[0] + 1], a.lbounds, [e, ...a.elements]);
}

/** array_cat: same dimensions concatenated along the first; an (n-1)-dim array appended as one more slice. */
function arrayCat(a: ArrayValue | null, b: ArrayValue | null): ArrayValue | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.dims.length === 0) return b;
  if (b.dims.length === 0) return a;
  if (a.dims.length === b.dims.length) {
    for (let i = 1; i < a.dims.length; i++) if (a.dims[i] !== b.dims[i]) dimensionError();
    return new ArrayValue(a.elemtype, [a.dims[0] + b.dims[0], ...a.dims.slice(1)], a.lbounds, [...a.elements, ...b.elements]);
  }
  if (a.dims.length === b.dims.length + 1) {
    for (let i = 0; i < b.dims.length; i++) if (a.dims[i + 1] !== b.dims[i]) dimensionError();
    return new ArrayValue(a.elemtype, [a.dims[0] + 1, ...a.dims.slice(1)], a.lbounds, [...a.elements, ...b.elements]);
  }
  if (b.dims.length === a.dims.length + 1) {
    for (let i = 0; i < a.dims.length; i++) if (b.dims[i + 1] !== a.dims[i]) dimensionError();
    return new ArrayValue(b.elemtype, [b.dims[0] + 1, ...b.dims.slice(1)], b.lbounds, [...a.elements, ...b.elements]);
  }
  return ereport('2202E', 'cannot concatenate incompatible arrays', {
    detail: `Arrays of ${a.dims.length} and ${b.dims.length} dimensions are not compatible for concatenation.`,
  });
}

function arrayPosition(a: ArrayValue, e: Datum | null, start: number | null): number | null {
  oneDim(a, 'searching for elements in');
  if (a.dims.length === 0) return null;
  const t = elementTypeInfo(a);
  const lb = a.lbounds[0];
  const from = start === null ? 0 : Math.max(start - lb, 0);
  for (let i = from; i < a.elements.length; i++) if (eqElem(t, a.elements[i], e)) return i + lb;
  return null;
}

/** @> : every non-null element of b is in a (NULLs never match). */
function arrayContains(a: ArrayValue, b: ArrayValue): boolean {
  if (a.elemtype !== b.elemtype) ereport('42804', 'cannot compare arrays of different element types');
  const t = elementTypeInfo(a);
  for (const y of b.elements) {
    if (y === null) return false;
    if (!a.elements.some((x) => x !== null && t.compare(x, y) === 0)) return false;
  }
  return true;
}

function arrayOverlap(a: ArrayValue, b: ArrayValue): boolean {
  if (a.elemtype !== b.elemtype) ereport('42804', 'cannot compare arrays of different element types');
  const t = elementTypeInfo(a);
  return a.elements.some((x) => x !== null && b.elements.some((y) => y !== null && t.compare(x, y) === 0));
}

function arrayToText(a: ArrayValue, sep: string, nullStr: string | null): string {
  const t = elementTypeInfo(a);
  const parts: string[] = [];
  for (const e of a.elements) {
    if (e === null) {
      if (nullStr !== null) parts.push(nullStr);
    } else parts.push(t.output(e));
  }
  return parts.join(sep);
}

/** string_to_array(text, delimiter [, null_string]). */
function textToArray(s: string | null, delim: string | null, nullStr: string | null): ArrayValue | null {
  if (s === null) return null;
  let parts: string[];
  if (s === '') parts = [];
  else if (delim === null) parts = Array.from(s);
  else if (delim === '') parts = [s];
  else parts = s.split(delim);
  return ArrayValue.of(25, parts.map((p) => (nullStr !== null && p === nullStr ? null : p)));
}

function dimsText(a: ArrayValue): string | null {
  if (a.dims.length === 0) return null;
  return a.dims.map((d, i) => `[${a.lbounds[i]}:${a.lbounds[i] + d - 1}]`).join('');
}

function dimCheck(a: ArrayValue, dim: number): boolean {
  return dim >= 1 && dim <= a.dims.length && dim <= MAXDIM;
}

function* unnest(a: ArrayValue): Iterable<Datum | null> {
  yield* a.elements;
}

function arrayRemove(a: ArrayValue, e: Datum | null): ArrayValue {
  oneDim(a, 'removing elements from');
  const t = elementTypeInfo(a);
  const kept = a.elements.filter((x) => !eqElem(t, x, e));
  if (kept.length === 0) return new ArrayValue(a.elemtype, [], [], []);
  return new ArrayValue(a.elemtype, [kept.length], a.dims.length === 0 ? [1] : a.lbounds, kept);
}

function arrayReplace(a: ArrayValue, from: Datum | null, to: Datum | null): ArrayValue {
  const t = elementTypeInfo(a);
  return new ArrayValue(a.elemtype, a.dims, a.lbounds, a.elements.map((x) => (eqElem(t, x, from) ? to : x)));
}

const orNull = <T>(v: unknown): T | null => (v === null ? null : (v as T));

export const ARRAY_FUNCS: ImplTable = {
  array_append: (argtypes) => (a, _c, _t, types) => arrayAppend(orNull<ArrayValue>(a[0]), a[1] as Datum | null, argType(types, 1, argtypes[1], a[1])),
  array_prepend: (argtypes) => (a, _c, _t, types) => arrayPrepend(a[0] as Datum | null, orNull<ArrayValue>(a[1]), argType(types, 0, argtypes[0], a[0])),
  array_cat: fixed((a) => arrayCat(orNull<ArrayValue>(a[0]), orNull<ArrayValue>(a[1]))),
  array_length: fixed((a) => (dimCheck(arr(a[0]), int(a[1])) ? arr(a[0]).dims[int(a[1]) - 1] : null)),
  array_lower: fixed((a) => (dimCheck(arr(a[0]), int(a[1])) ? arr(a[0]).lbounds[int(a[1]) - 1] : null)),
  array_upper: fixed((a) => {
    const x = arr(a[0]);
    const d = int(a[1]);
    return dimCheck(x, d) ? x.lbounds[d - 1] + x.dims[d - 1] - 1 : null;
  }),
  array_ndims: fixed((a) => (arr(a[0]).dims.length === 0 ? null : arr(a[0]).dims.length)),
  array_dims: fixed((a) => dimsText(arr(a[0]))),
  array_cardinality: fixed((a) => arr(a[0]).elements.length),
  array_position: fixed((a) => (a[0] === null ? null : arrayPosition(arr(a[0]), a[1] as Datum | null, null))),
  array_position_start: fixed((a) => (a[0] === null || a[2] === null ? null : arrayPosition(arr(a[0]), a[1] as Datum | null, int(a[2])))),
  array_positions: fixed((a) => {
    if (a[0] === null) return null;
    const x = arr(a[0]);
    oneDim(x, 'searching for elements in');
    const t = elementTypeInfo(x);
    const out: number[] = [];
    x.elements.forEach((e, i) => {
      if (eqElem(t, e, a[1] as Datum | null)) out.push(i + (x.lbounds[0] ?? 1));
    });
    return ArrayValue.of(23, out);
  }),
  array_to_text: fixed((a) => arrayToText(arr(a[0]), a[1] as string, null)),
  array_to_text_null: fixed((a) => arrayToText(arr(a[0]), a[1] as string, a[2] as string)),
  text_to_array: fixed((a) => textToArray(orNull<string>(a[0]), orNull<string>(a[1]), null)),
  text_to_array_null: fixed((a) => textToArray(orNull<string>(a[0]), orNull<string>(a[1]), orNull<string>(a[2]))),
  arraycontains: fixed((a) => arrayContains(arr(a[0]), arr(a[1]))),
  arraycontained: fixed((a) => arrayContains(arr(a[1]), arr(a[0]))),
  arrayoverlap: fixed((a) => arrayOverlap(arr(a[0]), arr(a[1]))),
  array_remove: fixed((a) => (a[0] === null ? null : arrayRemove(arr(a[0]), a[1] as Datum | null))),
  array_replace: fixed((a) => (a[0] === null ? null : arrayReplace(arr(a[0]), a[1] as Datum | null, a[2] as Datum | null))),
  array_reverse: fixed((a) => {
    const x = arr(a[0]);
    if (x.dims.length <= 1) return new ArrayValue(x.elemtype, x.dims, x.lbounds, x.elements.slice().reverse());
    const inner = x.elements.length / x.dims[0];
    const out: (Datum | null)[] = [];
    for (let i = x.dims[0] - 1; i >= 0; i--) out.push(...x.elements.slice(i * inner, (i + 1) * inner));
    return new ArrayValue(x.elemtype, x.dims, x.lbounds, out);
  }),
  trim_array: fixed((a) => {
    const x = arr(a[0]);
    const k = int(a[1]);
    const len = x.dims[0] ?? 0;
    if (k < 0 || k > len) ereport('2202E', 'number of elements to trim must be between 0 and ' + len);
    const inner = len === 0 ? 0 : x.elements.length / len;
    const dims = [len - k, ...x.dims.slice(1)];
    return len - k === 0 ? new ArrayValue(x.elemtype, [], [], []) : new ArrayValue(x.elemtype, dims, x.lbounds, x.elements.slice(0, (len - k) * inner));
  }),
  array_larger: fixed((a) => (elementCmp(arr(a[0]), arr(a[1])) >= 0 ? a[0] : a[1])),
  array_smaller: fixed((a) => (elementCmp(arr(a[0]), arr(a[1])) <= 0 ? a[0] : a[1])),
  btarraycmp: fixed((a) => elementCmp(arr(a[0]), arr(a[1]))),
  array_unnest: set((a) => unnest(arr(a[0]))),
  text_to_table: set((a) => textToArray(orNull<string>(a[0]), orNull<string>(a[1]), null)?.elements ?? []),
  text_to_table_null: set((a) => textToArray(orNull<string>(a[0]), orNull<string>(a[1]), orNull<string>(a[2]))?.elements ?? []),
  array_fill: fixed((a, _c, _t, types) => arrayFill(a[0] as Datum | null, orNull<ArrayValue>(a[1]), null, argType(types, 0, undefined, a[0]))),
  array_fill_with_lower_bounds: fixed((a, _c, _t, types) => arrayFill(a[0] as Datum | null, orNull<ArrayValue>(a[1]), orNull<ArrayValue>(a[2]), argType(types, 0, undefined, a[0]))),
};

function elementCmp(a: ArrayValue, b: ArrayValue): number {
  const t = typeByOid(a.elemtype);
  if (t === undefined) elog('array of unknown type');
  const arrType = typeByOid(t.typarray ?? 0);
  if (arrType === undefined) elog('no array type');
  return arrType.compare(a, b);
}

function arrayFill(value: Datum | null, dims: ArrayValue | null, lbs: ArrayValue | null, elemtype: number | undefined): ArrayValue {
  if (dims === null) ereport('22004', 'dimension array or low bound array cannot be null');
  if (elemtype === undefined) elog('array_fill needs its argument types');
  const d = dims.elements as number[];
  if (d.some((x) => x === null)) ereport('22004', 'dimension values cannot be null');
  const lb = lbs === null ? d.map(() => 1) : (lbs.elements as number[]);
  if (lb.length !== d.length) ereport('2202E', 'wrong number of array subscripts', { detail: 'Low bound array has different size than dimensions array.' });
  const total = d.reduce((x, y) => x * y, 1);
  if (d.length === 0 || total === 0) return new ArrayValue(elemtype, [], [], []);
  return new ArrayValue(elemtype, d.slice(), lb.slice(), new Array<Datum | null>(total).fill(value));
}
