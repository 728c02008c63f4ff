/*
 * arraysubs.test.ts — subscript fetch and assignment on ArrayValues:
 * growing one-dimensional arrays with NULL gaps, the fixed shape of
 * multi-dimensional ones, and PostgreSQL's 2202E errors.
 */
import { describe, expect, it } from 'vitest';
import { ArrayValue } from './array.ts';
import { arrayAssignElement, arrayAssignSlice, arrayFetchElement, arrayFetchSlice } from './arraysubs.ts';

const INT4 = 23;
const arr = (...xs: (number | null)[]): ArrayValue => ArrayValue.of(INT4, xs);
const m2x3 = new ArrayValue(INT4, [2, 3], [1, 1], [1, 2, 3, 4, 5, 6]);

describe('array subscripts', () => {
  it('fetches elements and slices, NULL or empty out of range', () => {
    expect(arrayFetchElement(arr(10, 20, 30), [2])).toBe(20);
    expect(arrayFetchElement(arr(10, 20, 30), [4])).toBe(null);
    expect(arrayFetchElement(m2x3, [2, 1])).toBe(4);
    expect(arrayFetchElement(m2x3, [1])).toBe(null);
    expect(arrayFetchSlice(arr(10, 20, 30), [2], [null]).elements).toEqual([20, 30]);
    expect(arrayFetchSlice(arr(10, 20, 30), [5], [9]).ndim).toBe(0);
  });

  it('grows a one-dimensional array in either direction, NULLs in the gap', () => {
    const a = arrayAssignElement(arr(1, 2), [5], 9);
    expect(a.dims).toEqual([5]);
    expect(a.elements).toEqual([1, 2, null, null, 9]);
    const b = arrayAssignElement(arr(1, 2), [-1], 0);
    expect(b.lbounds).toEqual([-1]);
    expect(b.elements).toEqual([0, null, 1, 2]);
    const e = arrayAssignElement(new ArrayValue(INT4, [], [], []), [3], 7);
    expect(e.lbounds).toEqual([3]);
    expect(e.elements).toEqual([7]);
  });

  it('keeps a multi-dimensional array\'s shape', () => {
    expect(arrayAssignElement(m2x3, [2, 3], 0).elements).toEqual([1, 2, 3, 4, 5, 0]);
    expect(() => arrayAssignElement(m2x3, [3, 1], 0)).toThrow('array subscript out of range');
    expect(() => arrayAssignElement(m2x3, [1], 0)).toThrow('wrong number of array subscripts');
  });

  it('assigns slices from the source\'s first elements', () => {
    expect(arrayAssignSlice(arr(1, 2, 3, 4), [2], [3], arr(8, 9)).elements).toEqual([1, 8, 9, 4]);
    expect(() => arrayAssignSlice(arr(1, 2, 3), [1], [3], arr(8))).toThrow('source array too small');
    expect(() => arrayAssignSlice(new ArrayValue(INT4, [], [], []), [null], [2], arr(1, 2))).toThrow('array slice subscript must provide both boundaries');
    expect(arrayAssignSlice(m2x3, [1, 1], [2, 1], arr(50, 60)).elements).toEqual([50, 2, 3, 60, 5, 6]);
  });
});
