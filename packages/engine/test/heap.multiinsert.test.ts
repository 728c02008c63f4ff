/*
 * heap_multi_insert through the storage API (insertMany, insertBatch):
 * rows land in order on as few pages as fit them, with one WAL record per
 * page instead of one per row, the fill factor kept, TOASTed values
 * stored, all-visible pages cleared, index entries made for every row,
 * and the BulkInsertState's pin dropped at the end. Redo of the records is
 * tested in heap.redo.test.ts and the crash suite.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageEngine } from '../src/engine.ts';
import { INT4OID, TEXTOID } from '../src/utils/adt/types.ts';
import { isPgError } from '../src/utils/errors.ts';
import type { Relation } from '../src/access/heap/relation.ts';
import { tidBlock, tidOffset, type Tid } from '../src/access/common/itemptr.ts';
import { VISIBILITYMAP_ALL_VISIBLE } from '../src/access/heap/visibilitymap.ts';
import { pageAllVisible, pageItems, randomBytes, relBlocks, typ } from '../src/access/heap/heap_testutil.ts';
import { HEAP_MULTI_INSERT_MAX_TUPLES } from '../src/constants.ts';

const cols = [{ name: 'id', type: typ(INT4OID), notNull: true }, { name: 'v', type: typ(TEXTOID) }];
const rowsOf = (from: number, n: number, width = 40): [number, string][] =>
  Array.from({ length: n }, (_, i) => [from + i, `row ${from + i}`.padEnd(width, '.')]);

describe('heap_multi_insert', () => {
  let db: StorageEngine;
  let rel: Relation;

  beforeEach(() => {
    db = StorageEngine.open({ sharedBuffers: 64, walSegmentSize: 1024 * 1024 });
    rel = db.createRelation('t', cols);
  });
  afterEach(() => db.close());

  it('stores the rows in order, page after page, with one WAL record per page', () => {
    const before = db.stats().wal.records;
    const tids = db.insertMany(rel, rowsOf(0, 2500));
    const records = db.stats().wal.records - before;
    const pages = relBlocks(db, rel);
    expect(pages).toBeGreaterThan(10);
    // A record per page filled (a batch boundary may split a page in two), plus the commit.
    const batches = Math.ceil(2500 / HEAP_MULTI_INSERT_MAX_TUPLES);
    expect(records).toBeLessThanOrEqual(pages + batches + 1);
    // TIDs ascend: each page is filled from its first free slot before the next is started.
    for (let i = 1; i < tids.length; i++) expect(tids[i]).toBeGreaterThan(tids[i - 1]);
    expect(tidBlock(tids[0])).toBe(0);
    expect(tidOffset(tids[0])).toBe(1);
    const rows = db.scan(rel);
    expect(rows.map((r) => r.values)).toEqual(rowsOf(0, 2500));
    expect(rows.map((r) => r.tid)).toEqual(tids);
    for (let i = 0; i < tids.length; i += 97) expect(db.fetch(rel, tids[i])).toEqual(rowsOf(i, 1)[0]);
  });

  it('keeps the fill factor free on every page, as plain inserts do', () => {
    const half = db.createRelation('half', cols, { fillfactor: 50 });
    const single = db.createRelation('single', cols, { fillfactor: 50 });
    db.insertMany(half, rowsOf(0, 600));
    db.begin();
    for (const r of rowsOf(0, 600)) db.insert(single, r);
    db.commit();
    expect(relBlocks(db, half)).toBe(relBlocks(db, single));
    for (let b = 0; b < relBlocks(db, half); b++) {
      expect(pageItems(db, half, b).length).toBe(pageItems(db, single, b).length);
    }
  });

  it('clears PD_ALL_VISIBLE and the map bit of a page it adds to', () => {
    db.insertMany(rel, rowsOf(0, 10));
    db.vacuum(rel);
    expect(pageAllVisible(db, rel, 0)).toBe(true);
    expect(db.vm.getStatus(rel.locator, 0) & VISIBILITYMAP_ALL_VISIBLE).toBe(VISIBILITYMAP_ALL_VISIBLE);
    const tids = db.insertMany(rel, rowsOf(10, 5));
    expect(tids.every((t) => tidBlock(t) === 0)).toBe(true);
    expect(pageAllVisible(db, rel, 0)).toBe(false);
    expect(db.vm.getStatus(rel.locator, 0)).toBe(0);
    expect(db.count(rel)).toBe(15);
  });

  it('TOASTs large values before it locks a page', () => {
    const big = Array.from({ length: 12 }, (_, i): [number, string] => [i, Buffer.from(randomBytes(6000, i)).toString('hex')]);
    const tids = db.insertMany(rel, big);
    expect(rel.toast).not.toBeNull();
    expect(db.count(rel.toast as Relation)).toBeGreaterThan(12);
    expect(tids.map((t) => db.fetch(rel, t))).toEqual(big);
  });

  it('makes every row its index entries, and a duplicate within the batch is 23505', () => {
    const ix = db.createIndex(rel, 't_id', { columns: [{ name: 'id', type: typ(INT4OID), heapAttnum: 1 }], unique: true });
    db.insertMany(rel, rowsOf(0, 1500));
    expect(db.checkIndex(ix).heapTuplesChecked).toBe(1500);
    const scan = db.beginIndexScan(ix, [{ attno: 1, op: '>=', arg: 1490 }]);
    const got: number[] = [];
    while (scan.next()) got.push(scan.values[0] as number);
    scan.end();
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => 1490 + i));

    let err: unknown = null;
    try {
      db.insertMany(rel, [...rowsOf(2000, 5), [2002, 'again']]);
    } catch (e) {
      err = e;
    }
    expect(isPgError(err) && err.code).toBe('23505');
    // The failed statement left nothing behind.
    expect(db.count(rel)).toBe(1500);
    // amcheck raises XX002 on any inconsistency.
    db.checkIndex(ix);
  });

  it('refuses a NOT NULL violation before anything is stored', () => {
    let err: unknown = null;
    try {
      db.insertMany(rel, [[1, 'a'], [null as unknown as number, 'b']]);
    } catch (e) {
      err = e;
    }
    expect(isPgError(err) && err.code).toBe('23502');
    expect(db.count(rel)).toBe(0);
  });

  it('keeps the target page pinned between batches of a statement and lets go at the end', () => {
    const bistate = db.beginBulkInsert();
    const tids: Tid[] = new Array<Tid>(100).fill(0);
    const pinnedBefore = db.bufmgr.pinnedBufferCount();
    db.begin();
    db.startStatement();
    db.insertBatch(rel, rowsOf(0, 100), 100, tids, bistate);
    expect(bistate.current).not.toBe(0);
    expect(db.bufmgr.pinnedBufferCount()).toBe(pinnedBefore + 1);
    const first = tids.slice();
    db.insertBatch(rel, rowsOf(100, 50), 50, tids, bistate);
    // The second batch continues on the last page of the first.
    expect(tidBlock(tids[0])).toBe(tidBlock(first[99]));
    expect(tidOffset(tids[0])).toBe(tidOffset(first[99]) + 1);
    db.endStatement();
    db.endBulkInsert(bistate);
    db.endBulkInsert(bistate);
    expect(bistate.current).toBe(0);
    expect(db.bufmgr.pinnedBufferCount()).toBe(pinnedBefore);
    db.commit();
    expect(db.count(rel)).toBe(150);
  });
});
