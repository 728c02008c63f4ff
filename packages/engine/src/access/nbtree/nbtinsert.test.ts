import { describe, expect, it } from 'vitest';
import { MemoryDirectory, Prng } from '@tabgres/opfs-storage';
import { PgError } from '../../utils/errors.ts';
import type { Tid } from '../common/itemptr.ts';
import type { IndexRelation } from './indexrel.ts';
import { btbeginscan, btbuildempty, btIndexCheck, btIndexStats, btinsert } from './nbtree.ts';
import { FakeHeap, intKey, startInstance, testIndex, textKey, type BtInstance } from './nbtree_testutil.ts';
import { itemIdGet, itemIdIsDead } from '../../storage/page/bufpage.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import { btPageFirstDataKey } from './nbtpageops.ts';

function mustThrow(fn: () => unknown): PgError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error('expected a PgError');
}

function allTids(inst: BtInstance, idx: IndexRelation): Tid[] {
  const s = btbeginscan(idx, inst.env, []);
  const out: Tid[] = [];
  while (s.next()) out.push(s.heapTid);
  s.end();
  return out;
}

function fresh(columns = [intKey()], opts: { unique?: boolean; fillfactor?: number; name?: string } = {}): { inst: BtInstance; idx: IndexRelation } {
  const inst = startInstance(new MemoryDirectory(), { nbuffers: 1024 });
  const idx = testIndex(inst, columns, opts);
  btbuildempty(idx, inst.env);
  return { inst, idx };
}

describe('inserting with page splits', () => {
  it('ascending keys fill each left page to the fill factor (rightmost splits)', () => {
    const { inst, idx } = fresh();
    const n = 50_000;
    for (let i = 0; i < n; i++) btinsert(idx, inst.env, [i], null, i + 1, null);
    const check = btIndexCheck(idx, inst.env);
    expect(check.leafTuples).toBe(n);
    const stats = btIndexStats(idx, inst.env);
    // 16-byte tuples + 4-byte line pointers: a full page holds 407; 90 % of one holds about 366.
    expect(stats.leafPages).toBeLessThanOrEqual(Math.ceil(n / 360));
    expect(stats.height).toBe(1);
    expect(allTids(inst, idx)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('descending keys split near the middle and stay valid', () => {
    const { inst, idx } = fresh();
    const n = 30_000;
    for (let i = n - 1; i >= 0; i--) btinsert(idx, inst.env, [i], null, i + 1, null);
    expect(btIndexCheck(idx, inst.env).leafTuples).toBe(n);
    const stats = btIndexStats(idx, inst.env);
    expect(stats.leafPages).toBeGreaterThan(Math.ceil(n / 300));
    expect(allTids(inst, idx)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('random keys: many splits, a tree of logarithmic height', () => {
    const { inst, idx } = fresh();
    const rng = new Prng(7);
    const n = 120_000;
    for (let i = 0; i < n; i++) btinsert(idx, inst.env, [rng.int(1 << 30)], null, i + 1, null);
    const check = btIndexCheck(idx, inst.env);
    expect(check.leafTuples).toBe(n);
    expect(check.levels).toBeLessThanOrEqual(3);
    expect(check.pagesPerLevel[0]).toBeGreaterThan(n / 407);
  });

  it('int4 keys read straight from the page (btBinSrchInt4): extremes, negatives, NULLs and duplicates in index order', () => {
    const { inst, idx } = fresh();
    const rng = new Prng(11);
    const pool = [-2147483648, 2147483647, -1, 0, 1, null, 7, -7];
    const rows: { v: number | null; tid: number }[] = [];
    for (let i = 0; i < 40_000; i++) {
      const r = rng.int(10);
      const v = r < pool.length ? pool[r] : rng.int(2000) - 1000;
      rows.push({ v, tid: i + 1 });
      btinsert(idx, inst.env, [v], null, i + 1, null);
    }
    expect(btIndexCheck(idx, inst.env).leafTuples).toBe(rows.length);
    // ASC NULLS LAST, then heap TID.
    const order = [...rows].sort((a, b) => (a.v === b.v ? a.tid - b.tid : a.v === null ? 1 : b.v === null ? -1 : a.v - b.v));
    expect(allTids(inst, idx)).toEqual(order.map((r) => r.tid));
    for (const v of [-2147483648, 2147483647, -1, 0, 7, 999, -1000]) {
      const s = btbeginscan(idx, inst.env, [{ attno: 1, op: '=', arg: v }]);
      const got: Tid[] = [];
      while (s.next()) got.push(s.heapTid);
      s.end();
      expect(got).toEqual(rows.filter((r) => r.v === v).map((r) => r.tid));
    }
  });

  it('one value repeated: the heap TID orders the duplicates', () => {
    const { inst, idx } = fresh();
    const rng = new Prng(3);
    const tids = Array.from({ length: 20_000 }, (_, i) => i + 1);
    for (let i = tids.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [tids[i], tids[j]] = [tids[j], tids[i]];
    }
    for (const t of tids) btinsert(idx, inst.env, [42], null, t, null);
    expect(btIndexCheck(idx, inst.env).leafTuples).toBe(tids.length);
    expect(allTids(inst, idx)).toEqual(Array.from({ length: tids.length }, (_, i) => i + 1));
  });

  it('long text keys near the size limit', () => {
    const { inst, idx } = fresh([textKey()]);
    const rng = new Prng(11);
    for (let i = 0; i < 3000; i++) btinsert(idx, inst.env, [String(rng.int(1e6)).padStart(7, '0') + 'y'.repeat(rng.range(1000, 2650))], null, i + 1, null);
    const check = btIndexCheck(idx, inst.env);
    expect(check.leafTuples).toBe(3000);
    expect(check.levels).toBeGreaterThanOrEqual(3);
  });

  it('refuses a key larger than a third of a page, as PostgreSQL words it', () => {
    const { inst, idx } = fresh([textKey()], { name: 'big_idx' });
    const e = mustThrow(() => btinsert(idx, inst.env, ['z'.repeat(3000)], null, 65537, null));
    expect(e.code).toBe('54000');
    expect(e.message).toBe('index row size 3016 exceeds btree version 4 maximum 2704 for index "big_idx"');
    expect(e.detail).toBe('Index row references tuple (1,1) in relation "".');
    expect(e.hint).toBe('Values larger than 1/3 of a buffer page cannot be indexed.\nConsider a function index of an MD5 hash of the value, or use full text indexing.');
  });
});

describe('unique indexes', () => {
  it('a live duplicate is a unique violation with PostgreSQL\'s message and detail', () => {
    const { inst, idx } = fresh([intKey('a')], { unique: true, name: 't_a_key' });
    const heap = new FakeHeap();
    for (let i = 0; i < 2000; i++) btinsert(idx, inst.env, [i], null, heap.add([i]), heap);
    const e = mustThrow(() => btinsert(idx, inst.env, [1], null, heap.add([1]), heap));
    expect(e.code).toBe('23505');
    expect(e.message).toBe('duplicate key value violates unique constraint "t_a_key"');
    expect(e.detail).toBe('Key (a)=(1) already exists.');
    expect(e.constraint).toBe('t_a_key');
    expect(inst.bufmgr.pinnedBufferCount()).toBe(0);
    expect(btIndexCheck(idx, inst.env).leafTuples).toBe(2000);
  });

  it('describes multi-column keys, quotes names that need it, and shows NULL as null', () => {
    const { inst, idx } = fresh([intKey('a'), textKey('Select')], { unique: true, name: 'u2' });
    const heap = new FakeHeap();
    btinsert(idx, inst.env, [1, 'x'], null, heap.add([1, 'x']), heap);
    btinsert(idx, inst.env, [1, 'y'], null, heap.add([1, 'y']), heap);
    const e = mustThrow(() => btinsert(idx, inst.env, [1, 'x'], null, heap.add([1, 'x']), heap));
    expect(e.detail).toBe('Key (a, "Select")=(1, x) already exists.');
    // NULLs are distinct: any number of rows may have one.
    for (let i = 0; i < 5; i++) btinsert(idx, inst.env, [1, null], null, heap.add([1, null]), heap);
    expect(allTids(inst, idx)).toHaveLength(7);
  });

  it('finds duplicates across page boundaries', () => {
    const { inst, idx } = fresh([intKey('a')], { unique: true, name: 'u3' });
    const heap = new FakeHeap();
    // Many dead versions of one key, spread over several leaves, then a live one at the end.
    for (let i = 0; i < 3000; i++) btinsert(idx, inst.env, [7], null, heap.add([7], 'dead'), heap, 'no');
    btinsert(idx, inst.env, [7], null, heap.add([7]), heap);
    expect(btIndexCheck(idx, inst.env).pagesPerLevel[0]).toBeGreaterThan(3);
    const e = mustThrow(() => btinsert(idx, inst.env, [7], null, heap.add([7]), heap));
    expect(e.detail).toBe('Key (a)=(7) already exists.');
  });

  it('a dead duplicate is no conflict, and its entry is marked LP_DEAD', () => {
    const { inst, idx } = fresh([intKey('a')], { unique: true });
    const heap = new FakeHeap();
    const dead = heap.add([5]);
    btinsert(idx, inst.env, [5], null, dead, heap);
    heap.rows.get(dead)!.state = 'dead';
    btinsert(idx, inst.env, [5], null, heap.add([5]), heap);
    const buf = inst.bufmgr.readBuffer(idx.locator, ForkNumber.MAIN, 1);
    const page = inst.bufmgr.getPage(buf);
    expect(itemIdIsDead(itemIdGet(page, btPageFirstDataKey(page)))).toBe(true);
    inst.bufmgr.releaseBuffer(buf);
    expect(btIndexCheck(idx, inst.env).leafTuples).toBe(2);
  });

  it('waits for an in-progress inserter through the hook, then conflicts if it committed', () => {
    const { inst, idx } = fresh([intKey('a')], { unique: true, name: 'u4' });
    const heap = new FakeHeap();
    btinsert(idx, inst.env, [9], null, heap.add([9], 'inserting', 777), heap);
    const e = mustThrow(() => btinsert(idx, inst.env, [9], null, heap.add([9]), heap));
    expect(heap.waits).toEqual([777]);
    expect(e.code).toBe('23505');
  });

  it('succeeds after waiting if the other inserter aborted', () => {
    const { inst, idx } = fresh([intKey('a')], { unique: true });
    const heap = new FakeHeap();
    heap.onWait = (xid) => {
      for (const r of heap.rows.values()) if (r.xid === xid) r.state = 'dead';
    };
    btinsert(idx, inst.env, [9], null, heap.add([9], 'inserting', 778), heap);
    btinsert(idx, inst.env, [9], null, heap.add([9]), heap);
    expect(heap.waits).toEqual([778]);
    // Both entries are there; the aborted row's was marked LP_DEAD, so scans skip it.
    expect(btIndexCheck(idx, inst.env).leafTuples).toBe(2);
    expect(allTids(inst, idx)).toHaveLength(1);
  });

  it('a hook that cannot wait raises its own error, leaving nothing pinned', () => {
    const { inst, idx } = fresh([intKey('a')], { unique: true });
    const heap = new FakeHeap();
    heap.onWait = (xid) => {
      throw new PgError('55P03', `could not wait for transaction ${xid}`);
    };
    btinsert(idx, inst.env, [1], null, heap.add([1], 'inserting', 500), heap);
    expect(mustThrow(() => btinsert(idx, inst.env, [1], null, heap.add([1]), heap)).message).toBe('could not wait for transaction 500');
    expect(inst.bufmgr.pinnedBufferCount()).toBe(0);
  });

  it('partial checks insert and report a possible conflict; existing checks re-find the row', () => {
    const { inst, idx } = fresh([intKey('a')], { unique: true });
    const heap = new FakeHeap();
    const t1 = heap.add([3]);
    expect(btinsert(idx, inst.env, [3], null, t1, heap, 'partial')).toBe(true);
    const t2 = heap.add([3]);
    expect(btinsert(idx, inst.env, [3], null, t2, heap, 'partial')).toBe(false);
    expect(allTids(inst, idx)).toEqual([t1, t2]);
    heap.rows.get(t1)!.state = 'dead';
    expect(btinsert(idx, inst.env, [3], null, t2, heap, 'existing')).toBe(true);
    // The recheck inserted nothing, and killed the dead row's entry on the way.
    expect(btIndexCheck(idx, inst.env).leafTuples).toBe(2);
    expect(allTids(inst, idx)).toEqual([t2]);
    expect(mustThrow(() => btinsert(idx, inst.env, [4], null, heap.add([4]), heap, 'existing')).message).toMatch(/failed to re-find tuple within index/);
  });
});
