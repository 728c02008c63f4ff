import { describe, expect, it } from 'vitest';
import { MemoryDirectory, Prng } from '@tabgres/opfs-storage';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import { itemIdGet, itemIdIsDead, pageGetMaxOffsetNumber } from '../../storage/page/bufpage.ts';
import type { Tid } from '../common/itemptr.ts';
import type { IndexRelation } from './indexrel.ts';
import { btbeginscan, btbuild, btbuildempty, btbulkdelete, btIndexCheck, btIndexStats, btinsert, btvacuumcleanup, btgetrootheight } from './nbtree.ts';
import { FakeHeap, intKey, startInstance, testIndex, type BtInstance } from './nbtree_testutil.ts';
import { btPageFirstDataKey, btPageIsLeaf, btReadMeta } from './nbtpageops.ts';

function scanTids(inst: BtInstance, idx: IndexRelation, keys = [] as Parameters<typeof btbeginscan>[2]): Tid[] {
  const s = btbeginscan(idx, inst.env, keys);
  const out: Tid[] = [];
  while (s.next()) out.push(s.heapTid);
  s.end();
  return out;
}

function nblocks(inst: BtInstance, idx: IndexRelation): number {
  return inst.bufmgr.nblocks(idx.locator, ForkNumber.MAIN);
}

describe('VACUUM: bulk delete and page deletion', () => {
  it('removes dead entries, deletes emptied pages, and keeps the tree valid', () => {
    const inst = startInstance(new MemoryDirectory(), { nbuffers: 1024 });
    const idx = testIndex(inst, [intKey()]);
    const n = 60_000;
    btbuild(idx, inst.env, (cb) => {
      for (let i = 0; i < n; i++) cb(i + 1, [i], true);
    });
    const before = btIndexCheck(idx, inst.env);
    // Delete everything except every 1000th key: most leaves become empty.
    const dead = new Set<Tid>();
    for (let i = 0; i < n; i++) if (i % 1000 !== 0) dead.add(i + 1);
    const stats = btbulkdelete(idx, inst.env, dead);
    expect(stats.tuplesRemoved).toBe(dead.size);
    expect(stats.numIndexTuples).toBe(n - dead.size);
    // 60 keys survive on 60 leaves; every other leaf but the rightmost goes.
    expect(stats.pagesNewlyDeleted).toBeGreaterThanOrEqual(before.pagesPerLevel[0] - 61);
    const after = btIndexCheck(idx, inst.env);
    expect(after.leafTuples).toBe(n - dead.size);
    expect(after.pagesPerLevel[0]).toBeLessThanOrEqual(61);
    expect(after.freePages).toBe(stats.pagesNewlyDeleted);
    expect(scanTids(inst, idx)).toEqual(Array.from({ length: n / 1000 }, (_, i) => i * 1000 + 1));
    expect(scanTids(inst, idx, [{ attno: 1, op: '>=', arg: 30_500 }, { attno: 1, op: '<', arg: 45_000 }])).toEqual([31001, 32001, 33001, 34001, 35001, 36001, 37001, 38001, 39001, 40001, 41001, 42001, 43001, 44001]);
    expect(inst.bufmgr.pinnedBufferCount()).toBe(0);
  });

  it('deleting everything but the rightmost leaf takes internal pages with it and moves the fast root down', () => {
    const inst = startInstance(new MemoryDirectory(), { nbuffers: 2048 });
    const idx = testIndex(inst, [intKey()]);
    const n = 200_000;
    btbuild(idx, inst.env, (cb) => {
      for (let i = 0; i < n; i++) cb(i + 1, [i], true);
    });
    expect(btIndexCheck(idx, inst.env).levels).toBe(3);
    // Leave only the last few keys: whole subtrees empty out.
    const stats = btbulkdelete(idx, inst.env, (tid) => tid <= n - 10);
    const check = btIndexCheck(idx, inst.env);
    expect(check.leafTuples).toBe(10);
    // The true root stays (PostgreSQL never removes the root), but descents start lower.
    expect(check.levels).toBe(3);
    expect(btgetrootheight(idx, inst.env)).toBe(0);
    expect(check.pagesPerLevel[0]).toBe(1);
    expect(stats.pagesNewlyDeleted).toBeGreaterThan(500);
    const metabuf = inst.bufmgr.readBuffer(idx.locator, ForkNumber.MAIN, 0);
    const meta = btReadMeta(inst.bufmgr.getPage(metabuf));
    inst.bufmgr.releaseBuffer(metabuf);
    expect(meta.fastlevel).toBe(0);
    expect(meta.level).toBe(2);
    expect(scanTids(inst, idx)).toEqual(Array.from({ length: 10 }, (_, i) => n - 9 + i));
  });

  it('reuses deleted pages once no transaction can see them, so the index stops growing', () => {
    const inst = startInstance(new MemoryDirectory(), { nbuffers: 1024 });
    const idx = testIndex(inst, [intKey()]);
    btbuildempty(idx, inst.env);
    const heap = new FakeHeap();
    const rng = new Prng(9);
    const live: Tid[] = [];
    for (let round = 0; round < 6; round++) {
      const roundTids: Tid[] = [];
      for (let i = 0; i < 15_000; i++) {
        const tid = heap.add([round * 1_000_000 + rng.int(1_000_000)]);
        btinsert(idx, inst.env, heap.rows.get(tid)!.values, null, tid, null);
        roundTids.push(tid);
      }
      // All but ten of the round's rows die; VACUUM removes their entries and deletes the empty pages.
      const dead = new Set(roundTids.slice(10));
      for (const t of dead) heap.rows.get(t)!.state = 'dead';
      live.push(...roundTids.slice(0, 10));
      let stats = btbulkdelete(idx, inst.env, dead);
      stats = btvacuumcleanup(idx, inst.env, stats);
      expect(stats.pagesNewlyDeleted).toBeGreaterThan(20);
      // Every transaction that might still follow a link to a deleted page ends.
      inst.xids.advance();
      const cleanup = btvacuumcleanup(idx, inst.env, null);
      expect(cleanup.pagesFree).toBe(cleanup.pagesDeleted);
      const check = btIndexCheck(idx, inst.env, { heapAllIndexed: heap.scan });
      // Every block is a live page or a free one, and free pages do not pile up from round to
      // round: each round's ~45 new leaves came out of the previous round's deleted pages.
      // (Each surviving row keeps its own leaf alive: B-trees do not merge non-empty pages.)
      const livePages = check.pagesPerLevel.reduce((a, b) => a + b, 0);
      expect(nblocks(inst, idx)).toBe(1 + livePages + check.freePages);
      expect(check.freePages).toBeLessThan(60);
    }
    expect(btIndexStats(idx, inst.env).tuples).toBe(live.length);
  });

  it('does not recycle a deleted page while the horizon has not passed its safexid', () => {
    const inst = startInstance(new MemoryDirectory());
    const idx = testIndex(inst, [intKey()]);
    btbuild(idx, inst.env, (cb) => {
      for (let i = 0; i < 5000; i++) cb(i + 1, [i], true);
    });
    const stats = btbulkdelete(idx, inst.env, (tid) => tid <= 2500);
    expect(stats.pagesNewlyDeleted).toBeGreaterThan(0);
    expect(stats.pagesFree).toBe(0);
    const blocks = nblocks(inst, idx);
    for (let i = 0; i < 2500; i++) btinsert(idx, inst.env, [i], null, 10_000 + i, null);
    expect(nblocks(inst, idx)).toBeGreaterThan(blocks); // no page could be reused yet
    inst.xids.advance();
    const c = btvacuumcleanup(idx, inst.env, null);
    expect(c.pagesFree).toBe(c.pagesDeleted);
    btIndexCheck(idx, inst.env);
  });

  it('LP_DEAD entries killed by a scan are removed by an insert instead of a split', () => {
    const inst = startInstance(new MemoryDirectory());
    const idx = testIndex(inst, [intKey()]);
    btbuildempty(idx, inst.env);
    for (let i = 0; i < 400; i++) btinsert(idx, inst.env, [i], null, i + 1, null);
    expect(btIndexStats(idx, inst.env).leafPages).toBe(1);
    // A scan finds rows 0..299 dead and says so.
    const s = btbeginscan(idx, inst.env, [{ attno: 1, op: '<', arg: 300 }]);
    while (s.next()) s.killPriorTuple();
    s.end();
    const buf = inst.bufmgr.readBuffer(idx.locator, ForkNumber.MAIN, 1);
    const page = inst.bufmgr.getPage(buf);
    expect(btPageIsLeaf(page)).toBe(true);
    let deadCount = 0;
    for (let off = btPageFirstDataKey(page); off <= pageGetMaxOffsetNumber(page); off++) if (itemIdIsDead(itemIdGet(page, off))) deadCount++;
    inst.bufmgr.releaseBuffer(buf);
    expect(deadCount).toBe(300);
    expect(scanTids(inst, idx)).toHaveLength(100);
    // Fill the page: the dead entries make room, so there is still one leaf.
    for (let i = 400; i < 700; i++) btinsert(idx, inst.env, [i], null, i + 1, null);
    expect(btIndexStats(idx, inst.env)).toMatchObject({ leafPages: 1, tuples: 400 });
    btIndexCheck(idx, inst.env);
  });

  it('VACUUM after splits that happened during the scan still finds every dead entry (cycle ids)', () => {
    const inst = startInstance(new MemoryDirectory());
    const idx = testIndex(inst, [intKey()]);
    btbuildempty(idx, inst.env);
    for (let i = 0; i < 20_000; i++) btinsert(idx, inst.env, [i * 10], null, i + 1, null);
    // Delete free pages first so that splits during VACUUM reuse low block numbers.
    btbulkdelete(idx, inst.env, (tid) => tid > 2000 && tid <= 8000);
    inst.xids.advance();
    btvacuumcleanup(idx, inst.env, null);
    let inserted = 0;
    const stats = btbulkdelete(idx, inst.env, (tid) => {
      // While VACUUM runs (holding only this leaf), inserts far to the right split pages
      // it has not reached yet, and their right halves land in recycled, lower blocks.
      if (inserted < 4000 && tid < 100_000) {
        btinsert(idx, inst.env, [(tid - 1) * 10 + 50_001], null, 100_000 + inserted, null);
        inserted++;
      }
      return tid % 2 === 0 && tid < 100_000;
    });
    expect(stats.tuplesRemoved).toBeGreaterThan(0);
    const remaining = scanTids(inst, idx);
    expect(remaining.filter((t) => t % 2 === 0 && t < 100_000)).toEqual([]);
    btIndexCheck(idx, inst.env);
  });
});
