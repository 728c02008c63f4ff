import { describe, expect, it } from 'vitest';
import type { TypeInfo } from '../../utils/adt/datum.ts';
import { isPgError } from '../../utils/errors.ts';
import {
  heapAttIsNull,
  heapComputeDataSize,
  heapDeformTuple,
  heapFormTuple,
  heapFormTupleInto,
  heapGetAttr,
  type TupleValue,
} from './heaptuple.ts';
import * as H from './htup_details.ts';
import { INVALID_TID } from './itemptr.ts';
import {
  boolType,
  byteaType,
  doubleAlignedVarlenaType,
  float8Type,
  int2Type,
  int4Type,
  int8Type,
  nameType,
  plainVarlenaType,
  textType,
} from './testtypes.ts';
import { createTupleDesc, type ColumnDef, type TupleDesc } from './tupdesc.ts';
import {
  RawVarlena,
  TOAST_PGLZ_COMPRESSION_ID,
  isRawVarlena,
  makeCompressedVarlena,
  makeToastPointer,
  makeVarlena,
} from './varlena.ts';

function desc(...types: (TypeInfo | ColumnDef)[]): TupleDesc {
  return createTupleDesc(types.map((t, i) => ('type' in t ? t : { name: `c${i + 1}`, type: t })));
}

/** The data area of a formed tuple. */
function data(t: Uint8Array): number[] {
  return [...t.subarray(H.htupGetHoff(t, 0))];
}

function deform(d: TupleDesc, t: Uint8Array): (TupleValue | null)[] {
  const values: (TupleValue | null)[] = [];
  const isnull: boolean[] = [];
  heapDeformTuple(d, t, 0, t.length, values, isnull);
  return values;
}

const le32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

describe('heapFormTuple: layout as PostgreSQL writes it', () => {
  it('(int4, int8): t_hoff 24, 4 bytes of padding, data length 16', () => {
    const d = desc(int4Type, int8Type);
    const t = heapFormTuple(d, [7, 9n]);
    expect(t.length).toBe(40);
    expect(H.htupGetHoff(t, 0)).toBe(24);
    expect(data(t)).toEqual([7, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0]);
    expect(H.htupGetInfomask(t, 0)).toBe(0);
    expect(H.htupGetNatts(t, 0)).toBe(2);
    expect(heapComputeDataSize(d, [7, 9n])).toBe(16);
  });

  it('writes a fresh header: xmin, xmax, cid zero, ctid invalid', () => {
    const t = heapFormTuple(desc(int4Type), [1]);
    expect(H.htupGetXmin(t, 0)).toBe(0);
    expect(H.htupGetXmax(t, 0)).toBe(0);
    expect(H.htupGetCid(t, 0)).toBe(0);
    expect(H.htupGetCtid(t, 0)).toBe(INVALID_TID);
    expect(t[23]).toBe(0);
  });

  it('(bool, text): short varlena right after the bool, no padding', () => {
    const d = desc(boolType, textType);
    const t = heapFormTuple(d, [true, 'abc']);
    expect(data(t)).toEqual([1, 0x09, 0x61, 0x62, 0x63]);
    expect(t.length).toBe(29);
    expect(H.htupGetInfomask(t, 0)).toBe(H.HEAP_HASVARWIDTH);
  });

  it('(bool, text STORAGE PLAIN): 4-byte header aligned to 4', () => {
    const d = desc(boolType, { name: 'p', type: textType, storage: 'p' });
    const t = heapFormTuple(d, [true, 'abc']);
    expect(data(t)).toEqual([1, 0, 0, 0, ...le32(7 << 2), 0x61, 0x62, 0x63]);
  });

  it('uses the short header up to 126 payload bytes and the aligned 4-byte one from 127', () => {
    const d = desc(boolType, textType, int4Type);
    const t126 = heapFormTuple(d, [true, 'x'.repeat(126), 5]);
    // bool @0, 1-byte header 0xff @1, payload @2..127, int4 aligned to 128.
    expect(data(t126).slice(0, 2)).toEqual([1, 0xff]);
    expect(data(t126).slice(128)).toEqual(le32(5));
    expect(data(t126).length).toBe(132);

    const t127 = heapFormTuple(d, [true, 'x'.repeat(127), 5]);
    // bool @0, padding @1..3, 4-byte header (131 << 2) @4, payload @8..134, int4 aligned to 136.
    expect(data(t127).slice(0, 8)).toEqual([1, 0, 0, 0, ...le32(131 << 2)]);
    expect(data(t127).slice(135, 136)).toEqual([0]);
    expect(data(t127).slice(136)).toEqual(le32(5));
    expect(heapComputeDataSize(d, [true, 'x'.repeat(127), 5])).toBe(140);
    expect(deform(d, t126)[1]).toBe('x'.repeat(126));
    expect(deform(d, t127)[1]).toBe('x'.repeat(127));
  });

  it('aligns a 4-byte header to the type alignment (d) but never a short one', () => {
    const d = desc(int4Type, doubleAlignedVarlenaType);
    const long = heapFormTuple(d, [1, new Uint8Array(200).fill(7)]);
    expect(data(long).slice(0, 12)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, ...le32(204 << 2)]);
    const short = heapFormTuple(d, [1, new Uint8Array([7, 8])]);
    expect(data(short)).toEqual([1, 0, 0, 0, 0x07, 7, 8]);
  });

  it('stores the empty string as the single byte 0x03', () => {
    const t = heapFormTuple(desc(textType), ['']);
    expect(data(t)).toEqual([0x03]);
    expect(deform(desc(textType), t)).toEqual(['']);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const d = desc(textType);
    const t = heapFormTuple(d, ['日本']);
    expect(data(t)).toEqual([(7 << 1) | 1, 0xe6, 0x97, 0xa5, 0xe6, 0x9c, 0xac]);
    expect(deform(d, t)).toEqual(['日本']);
  });
});

describe('nulls', () => {
  it('set HASNULL, a bitmap with 1 = not null, and skip the null in the data area', () => {
    const d = desc(int4Type, int8Type);
    const t = heapFormTuple(d, [null, 5n]);
    expect(H.htupGetInfomask(t, 0)).toBe(H.HEAP_HASNULL);
    expect(t[H.T_BITS]).toBe(0b10);
    expect(H.htupGetHoff(t, 0)).toBe(24);
    expect(data(t)).toEqual([5, 0, 0, 0, 0, 0, 0, 0]);
    expect(deform(d, t)).toEqual([null, 5n]);
    expect(heapGetAttr(d, t, 0, t.length, 2)).toBe(5n);
    expect(heapGetAttr(d, t, 0, t.length, 1)).toBe(null);
    expect(heapAttIsNull(d, t, 0, 1)).toBe(true);
    expect(heapAttIsNull(d, t, 0, 2)).toBe(false);
  });

  it('need a second bitmap byte, and t_hoff 32, from the ninth column', () => {
    const d = desc(...Array.from({ length: 9 }, () => int2Type));
    const vals = [1, 2, 3, 4, 5, 6, 7, 8, null];
    const t = heapFormTuple(d, vals);
    expect(H.htupGetHoff(t, 0)).toBe(32);
    expect([...t.subarray(23, 32)]).toEqual([0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(t.length).toBe(32 + 16);
    expect(deform(d, t)).toEqual(vals);
  });

  it('do not set HASVARWIDTH when every varlena is null', () => {
    const d = desc(int4Type, textType);
    expect(H.htupGetInfomask(heapFormTuple(d, [1, null]), 0)).toBe(H.HEAP_HASNULL);
    expect(H.htupGetInfomask(heapFormTuple(d, [null, 'a']), 0)).toBe(H.HEAP_HASNULL | H.HEAP_HASVARWIDTH);
  });

  it('are honoured from isnull in heapComputeDataSize', () => {
    const d = desc(int4Type, int8Type);
    expect(heapComputeDataSize(d, [1, 2n], [false, true])).toBe(4);
    expect(heapComputeDataSize(d, [1, 2n])).toBe(16);
  });

  it('of all columns give an empty data area', () => {
    const d = desc(int4Type, textType);
    const t = heapFormTuple(d, [null, null]);
    expect(t.length).toBe(24);
    expect(t[23]).toBe(0);
    expect(deform(d, t)).toEqual([null, null]);
  });
});

describe('pre-encoded varlenas (RawVarlena)', () => {
  const pointer = makeToastPointer({ rawSize: 10004, extSize: 3000, method: TOAST_PGLZ_COMPRESSION_ID, valueId: 99, toastRelId: 16400 });

  it('stores an external pointer unaligned and sets HASEXTERNAL; deform returns a copy', () => {
    const d = desc(boolType, textType, int4Type);
    const t = heapFormTuple(d, [true, pointer, 3]);
    expect(H.htupGetInfomask(t, 0)).toBe(H.HEAP_HASVARWIDTH | H.HEAP_HASEXTERNAL);
    expect(data(t).slice(0, 19)).toEqual([1, ...pointer.bytes]);
    expect(data(t).slice(19)).toEqual([0, ...le32(3)]);
    const v = deform(d, t);
    expect(isRawVarlena(v[1])).toBe(true);
    expect((v[1] as RawVarlena).bytes).toEqual(pointer.bytes);
    expect(v[2]).toBe(3);
    t.fill(0);
    expect((v[1] as RawVarlena).bytes).toEqual(pointer.bytes);
    expect(heapComputeDataSize(d, [true, pointer, 3])).toBe(24);
  });

  it('stores a compressed value with its 4-byte header aligned; deform returns it raw', () => {
    const comp = makeCompressedVarlena(5000, TOAST_PGLZ_COMPRESSION_ID, new Uint8Array([9, 8, 7]));
    const d = desc(boolType, textType);
    const t = heapFormTuple(d, [false, comp]);
    expect(data(t)).toEqual([0, 0, 0, 0, ...comp.bytes]);
    expect(H.htupGetInfomask(t, 0)).toBe(H.HEAP_HASVARWIDTH);
    const v = heapGetAttr(d, t, 0, t.length, 2);
    expect(isRawVarlena(v) && (v as RawVarlena).isCompressed).toBe(true);
    expect((v as RawVarlena).bytes).toEqual(comp.bytes);
  });

  it('shortens a small plain 4-byte value in a packable column, as heap_fill_tuple does', () => {
    const d = desc(boolType, textType);
    const t = heapFormTuple(d, [true, makeVarlena(new TextEncoder().encode('abc'))]);
    expect(data(t)).toEqual([1, 0x09, 0x61, 0x62, 0x63]);
    expect(deform(d, t)).toEqual([true, 'abc']);
  });

  it('keeps a 4-byte value 4-byte in a plain column, and copies a short one as it is', () => {
    const d = desc(boolType, { name: 'p', type: plainVarlenaType });
    const t4 = heapFormTuple(d, [true, makeVarlena(new Uint8Array([5]))]);
    expect(data(t4)).toEqual([1, 0, 0, 0, ...le32(5 << 2), 5]);
    const short = new RawVarlena(new Uint8Array([(2 << 1) | 1, 5]));
    const t1 = heapFormTuple(d, [true, short]);
    expect(data(t1)).toEqual([1, 0x05, 5]);
    expect(deform(d, t1)).toEqual([true, new Uint8Array([5])]);
  });
});

describe('tuples written before ALTER TABLE ADD COLUMN', () => {
  it('read the missing trailing attributes as null', () => {
    const oldDesc = desc(int4Type, textType);
    const newDesc = desc(int4Type, textType, int8Type, boolType);
    const t = heapFormTuple(oldDesc, [1, 'a']);
    const values: (TupleValue | null)[] = [0, 0, 0, 0];
    const isnull = [false, false, false, false];
    heapDeformTuple(newDesc, t, 0, t.length, values, isnull);
    expect(values).toEqual([1, 'a', null, null]);
    expect(isnull).toEqual([false, false, true, true]);
    expect(heapGetAttr(newDesc, t, 0, t.length, 3)).toBe(null);
    expect(heapAttIsNull(newDesc, t, 0, 4)).toBe(true);
    expect(heapGetAttr(newDesc, t, 0, t.length, 2)).toBe('a');
  });

  it('also for an all-fixed-width table', () => {
    const t = heapFormTuple(desc(int4Type), [1]);
    expect(deform(desc(int4Type, int4Type), t)).toEqual([1, null]);
  });
});

describe('heapDeformTuple', () => {
  it('deforms only the first natts attributes when asked', () => {
    const d = desc(int4Type, textType, int4Type);
    const t = heapFormTuple(d, [1, 'b', 3]);
    const values: (TupleValue | null)[] = [];
    const isnull: boolean[] = [];
    heapDeformTuple(d, t, 0, t.length, values, isnull, 2);
    expect(values).toEqual([1, 'b']);
  });

  it('reports a tuple whose data runs past its length as corrupted (XX001)', () => {
    for (const d of [desc(int4Type, int4Type), desc(int4Type, textType)]) {
      const t = heapFormTuple(d, [1, d.fixedWidth ? 2 : 'abc']);
      try {
        heapDeformTuple(d, t, 0, t.length - 1, [], []);
        expect.unreachable();
      } catch (e) {
        expect(isPgError(e) && e.code).toBe('XX001');
      }
      expect(() => heapGetAttr(d, t, 0, t.length - 1, 2)).toThrow(/beyond its length/);
    }
  });
});

describe('heapFormTuple arguments', () => {
  const d = desc(int4Type, textType);

  it('reuses out when it is large enough', () => {
    const exact = new Uint8Array(32);
    expect(heapFormTuple(d, [1, 'abc'], exact)).toBe(exact);
    const big = new Uint8Array(100);
    const r = heapFormTuple(d, [1, 'abc'], big);
    expect(r.buffer).toBe(big.buffer);
    expect(r.length).toBe(32);
    const small = new Uint8Array(10);
    const n = heapFormTuple(d, [1, 'abc'], small);
    expect(n).not.toBe(small);
    expect(n.length).toBe(32);
  });

  it('forms tuples larger than a page in their own buffer', () => {
    const t = heapFormTuple(d, [1, 'y'.repeat(20000)]);
    expect(t.length).toBe(24 + 4 + 4 + 20000);
    expect(deform(d, t)).toEqual([1, 'y'.repeat(20000)]);
  });

  it('checks the value count and refuses undefined', () => {
    expect(() => heapFormTuple(d, [1])).toThrow(/1 values for 2 attributes/);
    expect(() => heapFormTuple(d, [1, undefined as unknown as null])).toThrow(/undefined/);
  });

  it('heapFormTupleInto refuses a place that is too small, and leaves the scratch usable', () => {
    const out = new Uint8Array(36);
    expect(() => heapFormTupleInto(d, [1, 'abc'], out, 8)).toThrow(/does not fit/);
    expect(heapFormTupleInto(d, [1, 'abc'], out, 0)).toBe(32);
    expect(deform(d, out.subarray(0, 32))).toEqual([1, 'abc']);
  });

  it('survives a type whose toBytes forms a tuple itself (a composite)', () => {
    const inner = desc(int4Type, textType);
    const composite: TypeInfo = {
      ...byteaType,
      name: 'pair',
      toBytes: (v) => heapFormTuple(inner, v as unknown as (TupleValue | null)[]),
      fromBytes: (b) => b.slice(),
    };
    const outer = desc(textType, composite, textType);
    const t = heapFormTuple(outer, ['left', [5, 'inner'] as unknown as TupleValue, 'right']);
    const v = deform(outer, t);
    expect(v[0]).toBe('left');
    expect(v[2]).toBe('right');
    expect(deform(inner, v[1] as Uint8Array)).toEqual([5, 'inner']);
  });

  it('stays correct after a toBytes throws mid-tuple', () => {
    const bad: TypeInfo = { ...textType, toBytes: () => { throw new Error('boom'); } };
    const d2 = desc(textType, bad);
    expect(() => heapFormTuple(d2, ['a', 'b'])).toThrow('boom');
    expect(deform(d, heapFormTuple(d, [2, 'ok']))).toEqual([2, 'ok']);
  });
});

/*
 * Random schemas and rows: form, then read back with every reader, in a
 * SharedArrayBuffer full of garbage, at MAXALIGNed offsets, as on a page.
 */

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES: TypeInfo[] = [
  boolType, int2Type, int4Type, int8Type, float8Type, nameType,
  textType, byteaType, plainVarlenaType, doubleAlignedVarlenaType,
];

function randomLength(rnd: () => number): number {
  const edges = [0, 1, 2, 3, 4, 125, 126, 127, 128, 129, 300];
  return rnd() < 0.5 ? edges[Math.floor(rnd() * edges.length)] : Math.floor(rnd() * 400);
}

function randomValue(t: TypeInfo, rnd: () => number): TupleValue {
  switch (t) {
    case boolType:
      return rnd() < 0.5;
    case int2Type:
      return Math.floor(rnd() * 65536) - 32768;
    case int4Type:
      return (Math.floor(rnd() * 2 ** 32) | 0);
    case int8Type:
      return BigInt.asIntN(64, (BigInt(Math.floor(rnd() * 2 ** 32)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32)));
    case float8Type:
      return (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20);
    case nameType:
      return 'n'.repeat(Math.floor(rnd() * 30));
    case textType: {
      const n = randomLength(rnd);
      let s = '';
      for (let k = 0; k < n; k++) s += rnd() < 0.9 ? String.fromCharCode(97 + Math.floor(rnd() * 26)) : 'é';
      return s;
    }
    default: {
      const b = new Uint8Array(randomLength(rnd));
      for (let k = 0; k < b.length; k++) b[k] = Math.floor(rnd() * 256);
      return b;
    }
  }
}

/** Element-wise equality; much faster than toEqual on many byte arrays. */
function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x instanceof Uint8Array && y instanceof Uint8Array) {
      if (Buffer.compare(x, y) !== 0) return false;
    } else if (!Object.is(x, y)) {
      return false;
    }
  }
  return true;
}

function expectSame(actual: readonly unknown[], expected: readonly unknown[]): void {
  if (!sameValues(actual, expected)) expect(actual).toEqual(expected);
}

describe('random round trips', () => {
  it('agree between form, deform, getattr and attisnull, wherever the tuple sits', () => {
    const rnd = mulberry32(20261125);
    const pool = new Uint8Array(new SharedArrayBuffer(1 << 16));
    for (let schema = 0; schema < 150; schema++) {
      const natts = 1 + Math.floor(rnd() * (schema % 10 === 0 ? 80 : 12));
      const cols: ColumnDef[] = [];
      for (let i = 0; i < natts; i++) {
        const type = TYPES[Math.floor(rnd() * TYPES.length)];
        const storage = type.typlen === -1 && rnd() < 0.2 ? ('p' as const) : undefined;
        cols.push({ name: `c${i}`, type, storage });
      }
      const d = createTupleDesc(cols);
      const nullRate = [0, 0.1, 0.5][schema % 3];
      for (let row = 0; row < 20; row++) {
        const vals = cols.map((c) => (rnd() < nullRate ? null : randomValue(c.type, rnd)));
        const fresh = heapFormTuple(d, vals);
        expect(heapComputeDataSize(d, vals)).toBe(fresh.length - H.htupGetHoff(fresh, 0));

        const off = 8 * Math.floor(rnd() * 1000);
        pool.fill(0xa5, off, off + fresh.length + 1);
        const len = heapFormTupleInto(d, vals, pool, off);
        expect(len).toBe(fresh.length);
        expect(Buffer.compare(pool.subarray(off, off + len), fresh)).toBe(0);
        expect(pool[off + len]).toBe(0xa5);

        const values: (TupleValue | null)[] = [];
        const isnull: boolean[] = [];
        heapDeformTuple(d, pool, off, len, values, isnull);
        expectSame(values, vals.map((v, i) => (cols[i].type === nameType && v !== null ? v.toString().slice(0, 63) : v)));
        expectSame(isnull, vals.map((v) => v === null));
        const attnums = cols.map((_, i) => i + 1);
        expectSame(attnums.map((a) => heapGetAttr(d, pool, off, len, a)), values);
        expectSame(attnums.map((a) => heapAttIsNull(d, pool, off, a)), isnull);
        const expectMask =
          (vals.some((v) => v === null) ? H.HEAP_HASNULL : 0) |
          (vals.some((v, i) => v !== null && cols[i].type.typlen === -1) ? H.HEAP_HASVARWIDTH : 0);
        expect(H.htupGetInfomask(pool, off)).toBe(expectMask);
        expect(H.htupGetNatts(pool, off)).toBe(natts);
        expect(H.htupGetHoff(pool, off)).toBe(H.heapTupleHoff(natts, (expectMask & H.HEAP_HASNULL) !== 0));
      }
    }
  });
});
