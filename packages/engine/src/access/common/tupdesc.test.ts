import { describe, expect, it } from 'vitest';
import { MAX_HEAP_ATTRIBUTE_NUMBER } from '../../constants.ts';
import type { TypeInfo } from '../../utils/adt/datum.ts';
import { isPgError } from '../../utils/errors.ts';
import { boolType, int2Type, int4Type, int8Type, nameType, textType } from './testtypes.ts';
import { alignBy, createTupleDesc, tupleDescAttrType } from './tupdesc.ts';

describe('createTupleDesc', () => {
  it('fills pg_attribute fields from the types', () => {
    const d = createTupleDesc([
      { name: 'id', type: int4Type, notNull: true },
      { name: 'body', type: textType, typmod: 20 },
      { name: 'raw', type: textType, storage: 'p' },
    ]);
    expect(d.natts).toBe(3);
    expect(d.attrs[0]).toEqual({
      attname: 'id', atttypid: 23, atttypmod: -1, attlen: 4, attbyval: true,
      attalign: 'i', attstorage: 'p', attnotnull: true, attnum: 1,
    });
    expect(d.attrs[1]).toMatchObject({ attname: 'body', atttypid: 25, atttypmod: 20, attlen: -1, attstorage: 'x', attnum: 2 });
    expect(d.attrs[2].attstorage).toBe('p');
    expect(tupleDescAttrType(d, 2)).toBe(textType);
    expect(d.types[0]).toBe(int4Type);
    expect([...d.attpackable]).toEqual([0, 1, 0]);
    expect([...d.attalignby]).toEqual([4, 4, 4]);
    expect(() => tupleDescAttrType(d, 4)).toThrow(/invalid attribute number/);
  });

  it('caches offsets up to the first varlena, and for it when it starts aligned', () => {
    const d = createTupleDesc([
      { name: 'a', type: int4Type },
      { name: 'b', type: int8Type },
      { name: 'c', type: textType },
      { name: 'd', type: int4Type },
    ]);
    expect([...d.attcacheoff]).toEqual([0, 8, 16, -1]);
    expect(d.fixedWidth).toBe(false);
    expect(d.fixedDataLen).toBe(-1);

    const e = createTupleDesc([
      { name: 'a', type: boolType },
      { name: 'b', type: textType },
    ]);
    expect([...e.attcacheoff]).toEqual([0, -1]);
  });

  it('computes the whole layout of an all-fixed-width table', () => {
    const d = createTupleDesc([
      { name: 'a', type: boolType, notNull: true },
      { name: 'b', type: int2Type, notNull: true },
      { name: 'c', type: nameType, notNull: true },
      { name: 'd', type: int8Type, notNull: true },
    ]);
    expect([...d.attcacheoff]).toEqual([0, 2, 4, 72]);
    expect(d.fixedWidth).toBe(true);
    expect(d.fixedNotNull).toBe(true);
    expect(d.fixedDataLen).toBe(80);
    const n = createTupleDesc([{ name: 'a', type: int4Type }]);
    expect(n.fixedWidth).toBe(true);
    expect(n.fixedNotNull).toBe(false);
  });

  it('accepts an empty column list', () => {
    const d = createTupleDesc([]);
    expect(d.natts).toBe(0);
    expect(d.fixedDataLen).toBe(0);
  });

  it('refuses more than MaxHeapAttributeNumber columns with SQLSTATE 54011', () => {
    const cols = Array.from({ length: MAX_HEAP_ATTRIBUTE_NUMBER + 1 }, (_, i) => ({ name: `c${i}`, type: int4Type }));
    expect(createTupleDesc(cols.slice(1)).natts).toBe(MAX_HEAP_ATTRIBUTE_NUMBER);
    try {
      createTupleDesc(cols);
      expect.unreachable();
    } catch (e) {
      expect(isPgError(e) && e.code).toBe('54011');
      expect((e as Error).message).toBe('number of columns (1601) exceeds limit (1600)');
    }
  });

  it('refuses types that cannot be stored', () => {
    const noWriter: TypeInfo = { ...int4Type, writeFixed: undefined };
    expect(() => createTupleDesc([{ name: 'x', type: noWriter }])).toThrow(/lacks writeFixed/);
    const noBytes: TypeInfo = { ...textType, toBytes: undefined };
    expect(() => createTupleDesc([{ name: 'x', type: noBytes }])).toThrow(/lacks toBytes/);
    const cstring: TypeInfo = { ...textType, typlen: -2 };
    expect(() => createTupleDesc([{ name: 'x', type: cstring }])).toThrow(/not supported/);
  });

  it('maps typalign codes to byte counts', () => {
    expect([alignBy('c'), alignBy('s'), alignBy('i'), alignBy('d')]).toEqual([1, 2, 4, 8]);
  });
});
