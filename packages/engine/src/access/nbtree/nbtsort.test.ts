import { describe, expect, it } from 'vitest';
import { MemoryDirectory, Prng } from '@tabgres/opfs-storage';
import { PgError } from '../../utils/errors.ts';
import type { Tid } from '../common/itemptr.ts';
import { btbeginscan, btbuild, btIndexCheck, btIndexStats, btinsert } from './nbtree.ts';
import { FakeHeap, intKey, startInstance, testIndex, textKey } from './nbtree_testutil.ts';
import { formIntKeyTuple, type IndexBuildScan } from './nbtsort.ts';
import { indexFormTupleInto } from './itup.ts';
import type { IndexKeyColumn } from './nbtree.ts';
import { OIDOID, TYPES, typeByName } from '../../utils/adt/types.ts';
import type { TypeInfo } from '../../utils/adt/datum.ts';

/**
 * The big build: 1,000,000 keys (about 3 s to build and 0.5 s to check on
 * an idle machine). TABGRES_SMALL_TESTS=1 makes it 200,000 for slow
 * machines; heapallindexed over all of them is checked with 100,000 keys
 * below, since fingerprinting a million tuples costs seconds more.
 */
const BIG = process.env.TABGRES_SMALL_TESTS === '1' ? 200_000 : 1_000_000;

function mustThrow(fn: () => unknown): PgError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error('expected a PgError');
}

describe('bottom-up index build', () => {
  it(`builds ${BIG.toLocaleString('en')} int4 keys and passes the structure check with logarithmic height`, () => {
    const inst = startInstance(new MemoryDirectory(), { nbuffers: 8192, walBuffers: 512 });
    const idx = testIndex(inst, [intKey()]);
    const rng = new Prng(42);
    // Keys in random order with duplicates; TIDs as a heap would hand them out.
    const keys = new Int32Array(BIG);
    for (let i = 0; i < BIG; i++) keys[i] = rng.int(BIG * 4);
    const scan: IndexBuildScan = (cb) => {
      const v = [0];
      for (let i = 0; i < BIG; i++) {
        v[0] = keys[i];
        cb(Math.floor(i / 200) * 65536 + (i % 200) + 1, v, true);
      }
    };
    const res = btbuild(idx, inst.env, scan);
    expect(res).toEqual({ heapTuples: BIG, heapLiveTuples: BIG, indexTuples: BIG });
    const check = btIndexCheck(idx, inst.env);
    expect(check.leafTuples).toBe(BIG);
    // A leaf holds ~366 keys at fill factor 90; internal pages ~ 285 downlinks at 70 %.
    const leaves = check.pagesPerLevel[0];
    expect(leaves).toBeGreaterThanOrEqual(Math.floor(BIG / 368));
    expect(leaves).toBeLessThanOrEqual(Math.ceil(BIG / 360));
    expect(check.levels).toBe(1 + Math.ceil(Math.log(leaves) / Math.log(285)));
    const stats = btIndexStats(idx, inst.env);
    expect(stats.tuples).toBe(BIG);
    expect(stats.height).toBe(check.levels - 1);

    // Spot-check lookups against the key array.
    const sorted = Array.from(keys).sort((a, b) => a - b);
    for (let q = 0; q < 200; q++) {
      const k = q % 2 === 0 ? keys[rng.int(BIG)] : rng.int(BIG * 4);
      const s = btbeginscan(idx, inst.env, [{ attno: 1, op: '=', arg: k }]);
      let n = 0;
      while (s.next()) n++;
      s.end();
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const m = (lo + hi) >> 1;
        if (sorted[m] < k) lo = m + 1;
        else hi = m;
      }
      let count = 0;
      while (lo + count < sorted.length && sorted[lo + count] === k) count++;
      expect(n).toBe(count);
    }
  }, 300_000);

  it('finds every one of 100,000 rows through the index (heapallindexed)', () => {
    const inst = startInstance(new MemoryDirectory(), { nbuffers: 2048 });
    const idx = testIndex(inst, [intKey(), textKey()]);
    const n = 100_000;
    const scan: IndexBuildScan = (cb) => {
      for (let i = 0; i < n; i++) cb(Math.floor(i / 100) * 65536 + (i % 100) + 1, [(i * 7919) % 10007, i % 3 === 0 ? null : 'v' + (i % 97)], true);
    };
    btbuild(idx, inst.env, scan);
    const check = btIndexCheck(idx, inst.env, { heapAllIndexed: scan });
    expect(check.heapTuplesChecked).toBe(n);
    // A row the index does not have is reported.
    const extra: IndexBuildScan = (cb) => cb(999 * 65536 + 1, [1, 'missing'], true);
    expect(() => btIndexCheck(idx, inst.env, { heapAllIndexed: extra })).toThrow('heap tuple (999,1) lacks matching index tuple within index');
  });

  it('builds the same entries, in the same order, as inserting them one by one', () => {
    const inst = startInstance(new MemoryDirectory());
    const heap = new FakeHeap();
    const rng = new Prng(5);
    for (let i = 0; i < 20_000; i++) heap.add([rng.chance(0.05) ? null : rng.int(500), 'k' + rng.int(50)]);
    const built = testIndex(inst, [intKey('a', { desc: true }), textKey('b', { nullsFirst: true })]);
    btbuild(built, inst.env, heap.scan);
    const inserted = testIndex(inst, [intKey('a', { desc: true }), textKey('b', { nullsFirst: true })]);
    btbuild(inserted, inst.env, () => {});
    for (const [tid, r] of heap.rows) btinsert(inserted, inst.env, r.values, null, tid, null);
    const collect = (idx: typeof built): Tid[] => {
      const s = btbeginscan(idx, inst.env, []);
      const out: Tid[] = [];
      while (s.next()) out.push(s.heapTid);
      s.end();
      return out;
    };
    expect(collect(built)).toEqual(collect(inserted));
    expect(btIndexCheck(built, inst.env, { heapAllIndexed: heap.scan }).leafTuples).toBe(20_000);
    // Bottom-up pages are fuller than split ones.
    expect(btIndexStats(built, inst.env).leafPages).toBeLessThan(btIndexStats(inserted, inst.env).leafPages);
  });

  it('sorts one-column integer keys (int4, oid) as the general comparator does: NULLs, DESC, NULLS FIRST, duplicates, extremes', () => {
    const inst = startInstance(new MemoryDirectory());
    const oidType = TYPES.get(OIDOID) as TypeInfo;
    const rng = new Prng(9);
    const int4Values = [-(2 ** 31), 2 ** 31 - 1, 0, -1, 1];
    const oidValues = [0, 2 ** 31, 2 ** 32 - 1, 2 ** 31 - 1, 1];
    const shapes: { key: IndexKeyColumn; value: () => number }[] = [
      { key: intKey('a'), value: () => (rng.chance(0.1) ? int4Values[rng.int(5)] : rng.int(300) - 150) },
      { key: intKey('a', { desc: true }), value: () => rng.int(300) - 150 },
      { key: intKey('a', { nullsFirst: true }), value: () => rng.int(300) },
      { key: intKey('a', { desc: true, nullsFirst: false }), value: () => rng.int(300) },
      { key: { name: 'o', type: oidType }, value: () => (rng.chance(0.2) ? oidValues[rng.int(5)] : rng.int(2 ** 32)) },
    ];
    for (const { key, value } of shapes) {
      const heap = new FakeHeap();
      for (let i = 0; i < 5_000; i++) heap.add([rng.chance(0.05) ? null : value()]);
      const built = testIndex(inst, [key]);
      btbuild(built, inst.env, heap.scan);
      const inserted = testIndex(inst, [key]);
      btbuild(inserted, inst.env, () => {});
      for (const [tid, r] of heap.rows) btinsert(inserted, inst.env, r.values, null, tid, null);
      const collect = (idx: typeof built): Tid[] => {
        const sc = btbeginscan(idx, inst.env, []);
        const out: Tid[] = [];
        while (sc.next()) out.push(sc.heapTid);
        sc.end();
        return out;
      };
      expect(collect(built), JSON.stringify(key)).toEqual(collect(inserted));
      expect(btIndexCheck(built, inst.env, { heapAllIndexed: heap.scan }).leafTuples).toBe(5_000);
    }
  });

  it('sorts integer keys offered out of TID order by key, then TID', () => {
    const inst = startInstance(new MemoryDirectory());
    const idx = testIndex(inst, [intKey()]);
    // Equal keys offered in descending TID order: the index still lists them by TID.
    btbuild(idx, inst.env, (cb) => {
      for (let i = 10; i >= 1; i--) cb(65536 + i, [i % 2], true);
    });
    const sc = btbeginscan(idx, inst.env, []);
    const out: Tid[] = [];
    while (sc.next()) out.push(sc.heapTid);
    sc.end();
    expect(out).toEqual([2, 4, 6, 8, 10, 1, 3, 5, 7, 9].map((o) => 65536 + o));
  });

  it('builds an empty index and one with a single row', () => {
    const inst = startInstance(new MemoryDirectory());
    const empty = testIndex(inst, [intKey()]);
    expect(btbuild(empty, inst.env, () => {})).toEqual({ heapTuples: 0, heapLiveTuples: 0, indexTuples: 0 });
    expect(btIndexCheck(empty, inst.env).levels).toBe(0);
    const one = testIndex(inst, [intKey()]);
    btbuild(one, inst.env, (cb) => cb(65537, [7], true));
    expect(btIndexCheck(one, inst.env)).toMatchObject({ levels: 1, leafTuples: 1 });
    btinsert(one, inst.env, [8], null, 65538, null);
    expect(btIndexCheck(one, inst.env).leafTuples).toBe(2);
  });

  it('refuses duplicate live keys in a unique index, but not dead ones or NULLs', () => {
    const inst = startInstance(new MemoryDirectory());
    const idx = testIndex(inst, [intKey('id')], { unique: true, name: 'pk' });
    const heap = new FakeHeap();
    for (let i = 0; i < 1000; i++) heap.add([i]);
    heap.add([500]);
    const e = mustThrow(() => btbuild(idx, inst.env, heap.scan));
    expect(e.code).toBe('23505');
    expect(e.message).toBe('could not create unique index "pk"');
    expect(e.detail).toBe('Key (id)=(500) is duplicated.');

    const ok = testIndex(inst, [intKey('id')], { unique: true, name: 'pk2' });
    const heap2 = new FakeHeap();
    for (let i = 0; i < 1000; i++) heap2.add([i]);
    heap2.add([500], 'deleting', 9); // recently dead: indexed, not a duplicate
    heap2.add([null]);
    heap2.add([null]);
    expect(btbuild(ok, inst.env, heap2.scan).indexTuples).toBe(1003);
    expect(btIndexCheck(ok, inst.env).leafTuples).toBe(1003);
  });

  it('builds keys at the size limit with many duplicates (pivots then need a heap TID)', () => {
    const inst = startInstance(new MemoryDirectory());
    const idx = testIndex(inst, [textKey()]);
    const big = (i: number): string => String(i % 5).repeat(2690);
    const scan: IndexBuildScan = (cb) => {
      for (let i = 0; i < 600; i++) cb(i + 1, [big(i)], true);
    };
    btbuild(idx, inst.env, scan);
    const check = btIndexCheck(idx, inst.env, { heapAllIndexed: scan });
    expect(check.levels).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < 300; i++) btinsert(idx, inst.env, [big(i)], null, 1000 + i, null);
    expect(btIndexCheck(idx, inst.env).leafTuples).toBe(900);
  });

  it('honours the fill factor', () => {
    const inst = startInstance(new MemoryDirectory());
    const scan: IndexBuildScan = (cb) => {
      for (let i = 0; i < 40_000; i++) cb(i + 1, [i], true);
    };
    const full = testIndex(inst, [intKey()], { fillfactor: 100 });
    btbuild(full, inst.env, scan);
    const half = testIndex(inst, [intKey()], { fillfactor: 50 });
    btbuild(half, inst.env, scan);
    const a = btIndexStats(full, inst.env).leafPages;
    const b = btIndexStats(half, inst.env).leafPages;
    expect(a).toBe(Math.ceil(40_000 / 406));
    expect(b / a).toBeGreaterThan(1.9);
    btIndexCheck(full, inst.env);
    btIndexCheck(half, inst.env);
  });

  it('forms one-column integer key tuples byte for byte as indexFormTupleInto does (the build\'s fast path)', () => {
    const inst = startInstance(new MemoryDirectory());
    const cases: [string, number[]][] = [
      ['int2', [0, 1, -1, 32767, -32768, 258, -259]],
      ['int4', [0, 1, -1, 2147483647, -2147483648, 16909060, -16909061]],
      ['oid', [0, 1, 4294967295, 2147483648, 16909060]],
    ];
    const tids = [1, 65535, 65536 + 7, 0x7fff0000 + 291, 4294901760 + 1];
    for (const [typname, values] of cases) {
      const type = typeByName(typname)!;
      const idx = testIndex(inst, [{ name: 'k', type }]);
      for (const v of values) {
        for (const tid of tids) {
          const want = new Uint8Array(64).fill(0xaa);
          const got = new Uint8Array(64).fill(0xaa);
          const n = indexFormTupleInto(idx.desc, [v], tid, want, 0);
          expect(formIntKeyTuple(got, v, idx.desc.attlen[0], tid)).toBe(n);
          expect(Array.from(got.subarray(0, n))).toEqual(Array.from(want.subarray(0, n)));
        }
      }
    }
  });
});
