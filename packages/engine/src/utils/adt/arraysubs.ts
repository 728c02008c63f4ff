/*
 * arraysubs.ts — what an array subscript does at run time (PostgreSQL's
 * arraysubs.c over arrayfuncs.c's array_get_element / array_get_slice /
 * array_set_element / array_set_slice).
 *
 * Exports:
 *   arrayFetchElement(a, upper)                 a[i][j]: the element or null
 *   arrayFetchSlice(a, lower, upper)            a[l:u]: a sub-array (lower bounds 1)
 *   arrayAssignElement(a, upper, value)         a[i] := v: the new array
 *   arrayAssignSlice(a, lower, upper, source)   a[l:u] := src: the new array
 *
 * Subscripts arrive as numbers; `null` in lower/upper is an omitted slice
 * bound (the array's own bound). A NULL subscript value is the caller's
 * business: a fetch returns NULL, an assignment raises 22004.
 *
 * Assignment, as PostgreSQL: a NULL or empty array becomes a new array
 * whose lower bound is the subscript; a one-dimensional array grows in
 * either direction, the gap filled with NULLs; a multi-dimensional array
 * cannot grow (2202E "array subscript out of range"); the number of
 * subscripts must match the array's dimensions (2202E "wrong number of
 * array subscripts"). Arrays are immutable values: every assignment
 * builds a new ArrayValue.
 */

import type { Datum } from './datum.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { ArrayValue, MAXDIM } from './array.ts';
import { arraySlice, arraySubscript } from './arrayfuncs.ts';

/** MaxArraySize: PostgreSQL's bound on an array's element count (MaxAllocSize / sizeof(Datum)). */
const MAX_ARRAY_SIZE = Math.floor(0x3fffffff / 8);
const ARRAY_SUBSCRIPT_ERROR = '2202E';

function outOfRange(): never {
  return ereport(ARRAY_SUBSCRIPT_ERROR, 'array subscript out of range');
}

function wrongSubscripts(): never {
  return ereport(ARRAY_SUBSCRIPT_ERROR, 'wrong number of array subscripts');
}

function checkSize(n: number): void {
  if (n > MAX_ARRAY_SIZE) ereport(SQLSTATE.program_limit_exceeded, `array size exceeds the maximum allowed (${MAX_ARRAY_SIZE})`);
}

export function arrayFetchElement(a: ArrayValue, upper: readonly number[]): Datum | null {
  return arraySubscript(a, upper);
}

export function arrayFetchSlice(a: ArrayValue, lower: readonly (number | null)[], upper: readonly (number | null)[]): ArrayValue {
  return arraySlice(a, lower, upper);
}

/** Row-major offset of a subscript tuple already checked to be in range. */
function offsetOf(dims: readonly number[], lbounds: readonly number[], subs: readonly number[]): number {
  let off = 0;
  for (let i = 0; i < dims.length; i++) off = off * dims[i] + (subs[i] - lbounds[i]);
  return off;
}

export function arrayAssignElement(src: ArrayValue, upper: readonly number[], value: Datum | null): ArrayValue {
  const nsubs = upper.length;
  if (src.ndim === 0) {
    // An empty array takes the subscripts as its lower bounds: a[5] := x gives [5:5]={x}.
    if (nsubs > MAXDIM) ereport(SQLSTATE.program_limit_exceeded, `number of array dimensions (${nsubs}) exceeds the maximum allowed (${MAXDIM})`);
    return new ArrayValue(src.elemtype, upper.map(() => 1), upper.slice(), [value]);
  }
  if (src.ndim !== nsubs) wrongSubscripts();
  if (nsubs === 1) {
    const lb = src.lbounds[0];
    const len = src.dims[0];
    const i = upper[0];
    if (i >= lb && i < lb + len) {
      const els = src.elements.slice();
      els[i - lb] = value;
      return new ArrayValue(src.elemtype, [len], [lb], els);
    }
    // Extend at either end, filling the gap with NULLs.
    const newLb = Math.min(lb, i);
    const newUb = Math.max(lb + len - 1, i);
    const newLen = newUb - newLb + 1;
    checkSize(newLen);
    const els = new Array<Datum | null>(newLen).fill(null);
    for (let k = 0; k < len; k++) els[lb - newLb + k] = src.elements[k];
    els[i - newLb] = value;
    return new ArrayValue(src.elemtype, [newLen], [newLb], els);
  }
  for (let d = 0; d < nsubs; d++) {
    if (upper[d] < src.lbounds[d] || upper[d] >= src.lbounds[d] + src.dims[d]) outOfRange();
  }
  const els = src.elements.slice();
  els[offsetOf(src.dims, src.lbounds, upper)] = value;
  return new ArrayValue(src.elemtype, src.dims.slice(), src.lbounds.slice(), els);
}

export function arrayAssignSlice(
  src: ArrayValue, lower: readonly (number | null)[], upper: readonly (number | null)[], source: ArrayValue,
): ArrayValue {
  const nsubs = upper.length;
  if (src.ndim === 0) {
    // The slice defines the new array; both bounds must be written.
    const lo: number[] = [];
    const hi: number[] = [];
    for (let d = 0; d < nsubs; d++) {
      const l = lower[d];
      const u = upper[d];
      if (l === null || l === undefined || u === null || u === undefined) {
        ereport(ARRAY_SUBSCRIPT_ERROR, 'array slice subscript must provide both boundaries', {
          detail: 'When assigning to a slice of an empty array value, slice boundaries must be fully specified.',
        });
      }
      if (u < l) ereport(ARRAY_SUBSCRIPT_ERROR, 'upper bound cannot be less than lower bound');
      lo.push(l);
      hi.push(u);
    }
    const dims = lo.map((l, d) => hi[d] - l + 1);
    const n = dims.reduce((x, y) => x * y, 1);
    checkSize(n);
    if (source.elements.length < n) ereport(ARRAY_SUBSCRIPT_ERROR, 'source array too small');
    return new ArrayValue(src.elemtype, dims, lo, source.elements.slice(0, n));
  }
  if (src.ndim < nsubs || src.ndim > MAXDIM) wrongSubscripts();
  const lo: number[] = [];
  const hi: number[] = [];
  for (let d = 0; d < src.ndim; d++) {
    const lb = src.lbounds[d];
    const ub = lb + src.dims[d] - 1;
    const l = d < nsubs ? (lower[d] ?? lb) : lb;
    const u = d < nsubs ? (upper[d] ?? ub) : ub;
    if (u < l) ereport(ARRAY_SUBSCRIPT_ERROR, 'upper bound cannot be less than lower bound');
    lo.push(l);
    hi.push(u);
  }
  if (src.ndim === 1) {
    const lb = src.lbounds[0];
    const len = src.dims[0];
    const l = lo[0];
    const u = hi[0];
    const n = u - l + 1;
    if (source.elements.length < n) ereport(ARRAY_SUBSCRIPT_ERROR, 'source array too small');
    const newLb = Math.min(lb, l);
    const newUb = Math.max(lb + len - 1, u);
    const newLen = newUb - newLb + 1;
    checkSize(newLen);
    const els = new Array<Datum | null>(newLen).fill(null);
    for (let k = 0; k < len; k++) els[lb - newLb + k] = src.elements[k];
    for (let k = 0; k < n; k++) els[l - newLb + k] = source.elements[k];
    return new ArrayValue(src.elemtype, [newLen], [newLb], els);
  }
  // A multi-dimensional slice must lie inside the array.
  for (let d = 0; d < src.ndim; d++) {
    if (lo[d] < src.lbounds[d] || hi[d] >= src.lbounds[d] + src.dims[d]) outOfRange();
  }
  const n = lo.reduce((acc, l, d) => acc * (hi[d] - l + 1), 1);
  if (source.elements.length < n) ereport(ARRAY_SUBSCRIPT_ERROR, 'source array too small');
  const els = src.elements.slice();
  const idx = lo.slice();
  for (let k = 0; k < n; k++) {
    els[offsetOf(src.dims, src.lbounds, idx)] = source.elements[k];
    let d = src.ndim - 1;
    while (d >= 0) {
      idx[d]++;
      if (idx[d] <= hi[d]) break;
      idx[d] = lo[d];
      d--;
    }
  }
  return new ArrayValue(src.elemtype, src.dims.slice(), src.lbounds.slice(), els);
}
