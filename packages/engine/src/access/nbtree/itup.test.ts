import { describe, expect, it } from 'vitest';
import { makeTid } from '../common/itemptr.ts';
import { int2Type, int4Type, int8Type, textType, boolType, float8Type } from '../common/testtypes.ts';
import { makeIndexRelation } from './indexrel.ts';
import { indexDeformTuple, indexFormTuple, indexTupleHasNulls, indexTupleInfo, indexTupleSize, itupGetHeapTid, type IndexValue } from './itup.ts';
import { BT_PIVOT_HEAP_TID_ATTR, INDEX_ALT_TID_MASK, INDEX_NULL_MASK, INDEX_VAR_MASK } from './nbtree_constants.ts';
import { NO_TID, btKeepNatts, btMinusInfinityPivot, btTruncate, btTupleGetDownLink, btTupleGetHeapTid, btTupleGetNAtts, btTupleIsPivot, btTupleSetDownLink } from './nbttuple.ts';

const loc = { spcOid: 1663, dbOid: 5, relNumber: 1 };

describe('index tuples (IndexTupleData)', () => {
  it('lays out an int4 key like PostgreSQL: 8-byte header, data at 8, MAXALIGNed size', () => {
    const rel = makeIndexRelation({ oid: 1, name: 'i', locator: loc, columns: [{ name: 'a', type: int4Type }] });
    const t = indexFormTuple(rel.desc, [0x01020304], makeTid(0x12345, 7));
    expect(t.length).toBe(16);
    // t_tid: bi_hi, bi_lo, posid (little-endian u16s), then t_info = 16.
    expect(Array.from(t.subarray(0, 8))).toEqual([0x01, 0x00, 0x45, 0x23, 7, 0, 16, 0]);
    expect(Array.from(t.subarray(8, 12))).toEqual([4, 3, 2, 1]);
    expect(Array.from(t.subarray(12))).toEqual([0, 0, 0, 0]);
    expect(itupGetHeapTid(t, 0)).toBe(makeTid(0x12345, 7));
  });

  it('puts a 4-byte null bitmap after the header when a value is NULL, data at 16', () => {
    const rel = makeIndexRelation({ oid: 1, name: 'i', locator: loc, columns: [{ name: 'a', type: int4Type }, { name: 'b', type: int8Type }] });
    const t = indexFormTuple(rel.desc, [null, 5n], makeTid(1, 1));
    expect(indexTupleHasNulls(t, 0)).toBe(true);
    expect(indexTupleInfo(t, 0) & INDEX_NULL_MASK).toBe(INDEX_NULL_MASK);
    expect(t[8]).toBe(0b10); // bit set = not null
    expect(t.length).toBe(24); // 16 + int8 at 16 (8-aligned)
    const vals: IndexValue[] = [0, 0];
    const nulls = [false, false];
    indexDeformTuple(rel.desc, t, 0, 2, vals, nulls);
    expect(vals).toEqual([null, 5n]);
    expect(nulls).toEqual([true, false]);
  });

  it('round-trips mixed columns, short and long varlenas, at any offset in a page', () => {
    const rel = makeIndexRelation({
      oid: 1, name: 'i', locator: loc,
      columns: [{ name: 'b', type: boolType }, { name: 't', type: textType }, { name: 's', type: int2Type }, { name: 'f', type: float8Type }, { name: 'u', type: textType }],
    });
    const cases: IndexValue[][] = [
      [true, 'x', 3, 1.5, 'y'.repeat(200)],
      [false, 'é'.repeat(100), -7, -0.25, ''],
      [null, null, null, null, null],
      [true, null, 12, null, 'zz'],
    ];
    const page = new Uint8Array(8192);
    let at = 104;
    for (const c of cases) {
      const t = indexFormTuple(rel.desc, c, makeTid(9, 9));
      expect(t.length % 8).toBe(0);
      expect(indexTupleSize(t, 0)).toBe(t.length);
      expect((indexTupleInfo(t, 0) & INDEX_VAR_MASK) !== 0).toBe(c[1] !== null || c[4] !== null);
      page.set(t, at);
      const vals: IndexValue[] = new Array<IndexValue>(5).fill(0);
      const nulls = new Array<boolean>(5).fill(false);
      indexDeformTuple(rel.desc, page, at, 5, vals, nulls);
      expect(vals).toEqual(c);
      at += t.length;
    }
  });

  it('forms truncated tuples with only the leading attributes', () => {
    const rel = makeIndexRelation({ oid: 1, name: 'i', locator: loc, columns: [{ name: 'a', type: int4Type }, { name: 't', type: textType }] });
    const t = indexFormTuple(rel.desc, [42, 'long enough text'], makeTid(1, 2), 1);
    expect(t.length).toBe(16);
  });
});

describe('pivot tuples and suffix truncation', () => {
  const rel = makeIndexRelation({ oid: 1, name: 'i', locator: loc, columns: [{ name: 'a', type: int4Type }, { name: 't', type: textType }] });

  it('keeps only the first distinguishing column', () => {
    const left = indexFormTuple(rel.desc, [1, 'zzzzzzzzzzzzzzzzzzzzzzzzzzz'], makeTid(5, 1));
    const right = indexFormTuple(rel.desc, [2, 'aaaaaaaaaaaaaaaaaaaaaaaaaaa'], makeTid(5, 2));
    expect(btKeepNatts(rel, left, 0, right, 0)).toBe(1);
    const pivot = btTruncate(rel, left, 0, right, 0);
    expect(btTupleIsPivot(pivot, 0)).toBe(true);
    expect(btTupleGetNAtts(pivot, 0, 2)).toBe(1);
    expect(btTupleGetHeapTid(pivot, 0)).toBe(NO_TID);
    expect(pivot.length).toBe(16);
    const vals: IndexValue[] = [0, 0];
    indexDeformTuple(rel.desc, pivot, 0, 1, vals, [false, false]);
    expect(vals[0]).toBe(2);
  });

  it('keeps the second column when the first is equal', () => {
    const left = indexFormTuple(rel.desc, [1, 'apple'], makeTid(5, 1));
    const right = indexFormTuple(rel.desc, [1, 'banana'], makeTid(5, 2));
    const pivot = btTruncate(rel, left, 0, right, 0);
    expect(btTupleGetNAtts(pivot, 0, 2)).toBe(2);
    expect(btTupleGetHeapTid(pivot, 0)).toBe(NO_TID);
  });

  it('appends the last left tuple\'s heap TID when all key columns are equal', () => {
    const left = indexFormTuple(rel.desc, [1, 'same'], makeTid(5, 1));
    const right = indexFormTuple(rel.desc, [1, 'same'], makeTid(9, 4));
    expect(btKeepNatts(rel, left, 0, right, 0)).toBe(3);
    const pivot = btTruncate(rel, left, 0, right, 0);
    expect(pivot.length).toBe(right.length + 8);
    expect(indexTupleSize(pivot, 0)).toBe(pivot.length);
    expect(indexTupleInfo(pivot, 0) & INDEX_ALT_TID_MASK).toBe(INDEX_ALT_TID_MASK);
    expect(pivot[4] | (pivot[5] << 8)).toBe(2 | BT_PIVOT_HEAP_TID_ATTR);
    expect(btTupleGetHeapTid(pivot, 0)).toBe(makeTid(5, 1));
  });

  it('treats NULLs as equal to each other for truncation', () => {
    const left = indexFormTuple(rel.desc, [null, 'a'], makeTid(1, 1));
    const right = indexFormTuple(rel.desc, [null, 'b'], makeTid(1, 2));
    expect(btKeepNatts(rel, left, 0, right, 0)).toBe(2);
  });

  it('minus-infinity pivots carry only a downlink', () => {
    const p = btMinusInfinityPivot(77);
    expect(p.length).toBe(8);
    expect(btTupleGetNAtts(p, 0, 2)).toBe(0);
    expect(btTupleGetDownLink(p, 0)).toBe(77);
    btTupleSetDownLink(p, 0, 0x1_0005);
    expect(btTupleGetDownLink(p, 0)).toBe(0x1_0005);
    expect(btTupleGetNAtts(p, 0, 2)).toBe(0);
  });
});
