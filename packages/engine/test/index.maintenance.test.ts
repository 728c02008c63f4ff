/*
 * B-tree indexes inside the storage engine: CREATE INDEX over existing rows
 * (HOT chains included), entries for inserts and non-HOT updates, none for
 * HOT updates, VACUUM cleaning the index before the heap frees its line
 * pointers, index DDL rolled back with its transaction, and indexes
 * re-attached after a restart or a crash. Every step ends with amcheck's
 * check, heapallindexed (StorageEngine.checkIndex).
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrashSimDirectory } from '@tabgres/opfs-storage';
import { StorageEngine } from '../src/engine.ts';
import { INT4OID, TEXTOID } from '../src/utils/adt/types.ts';
import type { Relation } from '../src/access/heap/relation.ts';
import type { IndexKeyColumn, IndexRelation } from '../src/access/nbtree/nbtree.ts';
import { HEAP_ONLY_TUPLE } from '../src/access/common/htup_details.ts';
import { tidBlock } from '../src/access/common/itemptr.ts';
import { ForkNumber } from '../src/storage/relfilelocator.ts';
import { pageItems, typ } from '../src/access/heap/heap_testutil.ts';

const int4 = typ(INT4OID);
const text = typ(TEXTOID);
const COLUMNS = [{ name: 'id', type: int4, notNull: true }, { name: 'a', type: int4 }, { name: 'note', type: text }];
const ON_ID: IndexKeyColumn[] = [{ name: 'id', type: int4, heapAttnum: 1 }];
const ON_A_NOTE: IndexKeyColumn[] = [{ name: 'a', type: int4, heapAttnum: 2 }, { name: 'note', type: text, heapAttnum: 3 }];

/** Every row the index finds for `id = k`, as [id, a, note]. */
function lookup(db: StorageEngine, index: IndexRelation, k: number): unknown[][] {
  const c = db.beginIndexScan(index, [{ attno: 1, op: '=', arg: k }]);
  const out: unknown[][] = [];
  while (c.next()) out.push([...c.values]);
  c.end();
  return out;
}

describe('index maintenance', () => {
  let db: StorageEngine;
  let rel: Relation;

  beforeEach(() => {
    db = StorageEngine.open({ sharedBuffers: 128, walSegmentSize: 1 << 20 });
    rel = db.createRelation('t', COLUMNS);
  });
  afterEach(() => db.close());

  it('builds over existing rows and adds an entry for every insert', () => {
    db.begin();
    for (let i = 0; i < 3000; i++) db.insert(rel, [i, i % 17, `row ${i}`]);
    db.commit();
    const pk = db.createIndex(rel, 't_pkey', { columns: ON_ID, unique: true });
    const an = db.createIndex(rel, 't_a_note', { columns: ON_A_NOTE });
    expect(db.indexesOf(rel)).toEqual([pk, an]);
    db.insertMany(rel, Array.from({ length: 2000 }, (_, j) => [3000 + j, j % 5, null]));
    for (const ix of [pk, an]) expect(db.checkIndex(ix).heapTuplesChecked).toBe(5000);
    expect(db.indexStats(pk).tuples).toBe(5000);
    expect(lookup(db, pk, 4242)).toEqual([[4242, 1242 % 5, null]]);
  });

  it('makes no entry for a HOT update, and one in every index for an update of an indexed column', () => {
    const pk = db.createIndex(rel, 't_pkey', { columns: ON_ID, unique: true });
    const an = db.createIndex(rel, 't_a_note', { columns: ON_A_NOTE });
    const tid = db.insert(rel, [1, 10, 'x']);
    // Unchanged key columns, room on the page: heap-only, no index entries.
    const hot = db.update(rel, tid, [1, 10, 'x']);
    expect(tidBlock(hot)).toBe(0);
    expect(pageItems(db, rel, 0)[1].infomask2 & HEAP_ONLY_TUPLE).toBe(HEAP_ONLY_TUPLE);
    expect(db.indexStats(pk).tuples).toBe(1);
    expect(db.indexStats(an).tuples).toBe(1);
    // An indexed column changed: not HOT, and every index gets an entry (pk too: PostgreSQL 16 does the same).
    const cold = db.update(rel, hot, [1, 11, 'x']);
    expect(pageItems(db, rel, 0)[2].infomask2 & HEAP_ONLY_TUPLE).toBe(0);
    expect(db.indexStats(pk).tuples).toBe(2);
    expect(db.indexStats(an).tuples).toBe(2);
    expect(lookup(db, pk, 1)).toEqual([[1, 11, 'x']]);
    expect(db.fetch(rel, cold)).toEqual([1, 11, 'x']);
    for (const ix of [pk, an]) db.checkIndex(ix);
  });

  it('builds over rows whose indexed text is stored compressed (the build scan detoasts it) and agrees with later inserts', () => {
    // ~2,400 characters that compress well: the heap row passes the TOAST threshold and is compressed in
    // line; an index tuple stores the value plain (it fits under the B-tree's item size limit).
    const note = (i: number): string => `${i}:`.padEnd(2400, 'abcd');
    db.begin();
    for (let i = 0; i < 60; i++) db.insert(rel, [i, i % 7, note(i)]);
    db.commit();
    const an = db.createIndex(rel, 't_a_note', { columns: ON_A_NOTE });
    expect(db.checkIndex(an).heapTuplesChecked).toBe(60);
    for (let i = 60; i < 90; i++) db.insert(rel, [i, i % 7, note(i)]);
    expect(db.checkIndex(an).heapTuplesChecked).toBe(90);
    const c = db.beginIndexScan(an, [{ attno: 1, op: '=', arg: 3 }]);
    const got: unknown[][] = [];
    while (c.next()) got.push([...c.values]);
    c.end();
    const want = Array.from({ length: 90 }, (_, i) => i).filter((i) => i % 7 === 3).map((i) => [i, 3, note(i)]);
    // Within a = 3 the entries are ordered by note, i.e. by the decimal text of i.
    expect(got).toEqual(want.sort((x, y) => (String(x[2]) < String(y[2]) ? -1 : 1)));
  });

  it('finds rows through HOT chains, pruned or not, and builds over them under the root TID', () => {
    const tids = [];
    for (let i = 0; i < 50; i++) tids.push(db.insert(rel, [i, i, 'v0']));
    // Long chains in committed transactions; pruning turns roots into redirects as pages fill.
    for (let round = 1; round <= 12; round++) {
      for (let i = 0; i < 50; i++) tids[i] = db.update(rel, tids[i], [i, i, `v${round}`.padEnd(40, '.')]);
    }
    const pk = db.createIndex(rel, 't_pkey', { columns: ON_ID, unique: true });
    db.checkIndex(pk);
    expect(db.indexStats(pk).tuples).toBe(50);
    for (let round = 13; round <= 20; round++) {
      for (let i = 0; i < 50; i++) tids[i] = db.update(rel, tids[i], [i, i, `v${round}`.padEnd(40, '.')]);
    }
    for (const i of [0, 17, 49]) expect(lookup(db, pk, i)).toEqual([[i, i, 'v20'.padEnd(40, '.')]]);
    db.checkIndex(pk);
  });

  it('VACUUM removes the entries of dead rows before freeing their line pointers, and reports per index', () => {
    const pk = db.createIndex(rel, 't_pkey', { columns: ON_ID, unique: true });
    const an = db.createIndex(rel, 't_a_note', { columns: ON_A_NOTE });
    const tids = db.insertMany(rel, Array.from({ length: 4000 }, (_, i) => [i, i % 100, `n${i % 7}`]));
    db.begin();
    for (let i = 0; i < 4000; i += 2) db.delete(rel, tids[i]);
    for (let i = 1; i < 400; i += 2) db.update(rel, tids[i], [i, -i, 'moved']);
    db.commit();
    const stats = db.vacuum(rel);
    expect(stats.indexes.map((x) => x.name)).toEqual(['t_pkey', 't_a_note']);
    for (const x of stats.indexes) {
      // 2000 deleted rows and 200 old versions of updated ones.
      expect(x.stats.tuplesRemoved).toBe(2200);
      expect(x.stats.numIndexTuples).toBe(2000);
    }
    expect(stats.liveTuples).toBe(2000);
    for (const ix of [pk, an]) expect(db.checkIndex(ix).heapTuplesChecked).toBe(2000);
    // The freed line pointers are reused by new rows; their index entries must be theirs alone.
    db.insertMany(rel, Array.from({ length: 2000 }, (_, j) => [10_000 + j, 0, 'new']));
    for (const ix of [pk, an]) expect(db.checkIndex(ix).heapTuplesChecked).toBe(4000);
    expect(lookup(db, pk, 2)).toEqual([]);
    expect(lookup(db, pk, 3)).toEqual([[3, -3, 'moved']]);
  });

  it('deletes emptied index pages and reuses them', () => {
    const pk = db.createIndex(rel, 't_pkey', { columns: ON_ID, unique: true });
    const tids = db.insertMany(rel, Array.from({ length: 20_000 }, (_, i) => [i, 0, null]));
    const before = db.indexStats(pk);
    db.begin();
    for (let i = 0; i < 15_000; i++) db.delete(rel, tids[i]);
    db.commit();
    const v1 = db.vacuum(rel).indexes[0].stats;
    expect(v1.pagesNewlyDeleted).toBeGreaterThan(20);
    // A deleted page is reused only once every transaction that might still
    // reach it has ended: one more XID handed out, then VACUUM frees them.
    db.insert(rel, [-1, 0, null]);
    expect(db.vacuum(rel).indexes[0].stats.pagesFree).toBe(v1.pagesNewlyDeleted);
    db.insertMany(rel, Array.from({ length: 10_000 }, (_, i) => [100_000 + i, 0, null]));
    // 10,000 new entries need ~29 leaves: all of them recycled pages, so the file did not grow.
    expect(db.indexStats(pk).pages).toBe(before.pages);
    db.checkIndex(pk);
  });

  it('rolls back CREATE INDEX and DROP INDEX with their transaction or savepoint', () => {
    db.insert(rel, [1, 1, 'a']);
    db.begin();
    const ix = db.createIndex(rel, 'gone', { columns: ON_ID });
    db.rollback();
    expect(db.indexesOf(rel)).toEqual([]);
    expect(db.smgr.exists(ix.locator, ForkNumber.MAIN)).toBe(false);
    db.insert(rel, [2, 2, 'b']); // no index to maintain

    const pk = db.createIndex(rel, 't_pkey', { columns: ON_ID, unique: true });
    db.begin();
    db.savepoint('s');
    db.createIndex(rel, 'in_savepoint', { columns: ON_A_NOTE });
    const inSavepoint = db.indexesOf(rel)[1];
    db.dropIndex(pk);
    expect(db.indexesOf(rel)).toEqual([inSavepoint]);
    db.rollbackToSavepoint('s');
    expect(db.smgr.exists(inSavepoint.locator, ForkNumber.MAIN)).toBe(false);
    expect(db.indexesOf(rel)).toEqual([pk]);
    db.insert(rel, [3, 3, 'c']);
    db.commit();
    expect(db.checkIndex(pk).heapTuplesChecked).toBe(3);

    db.dropIndex(pk);
    expect(db.indexesOf(rel)).toEqual([]);
    expect(db.smgr.exists(pk.locator, ForkNumber.MAIN)).toBe(false);
  });

  it('drops a table\'s indexes with it', () => {
    const pk = db.createIndex(rel, 't_pkey', { columns: ON_ID, unique: true });
    db.dropRelation(rel);
    expect(db.smgr.exists(pk.locator, ForkNumber.MAIN)).toBe(false);
    expect(db.indexesOf(rel)).toEqual([]);
  });

  it('refuses columns that are not the table\'s', () => {
    expect(() => db.createIndex(rel, 'bad', { columns: [{ name: 'x', type: int4, heapAttnum: 9 }] })).toThrow(/must name a column/);
    expect(() => db.createIndex(rel, 'bad', { columns: [{ name: 'a', type: text, heapAttnum: 2 }] })).toThrow(/has type text/);
  });

  it('reports relpages and live tuples, exactly for a small table and closely for a large one', () => {
    const tids = db.insertMany(rel, Array.from({ length: 30_000 }, (_, i) => [i, i, null]));
    db.begin();
    for (let i = 0; i < 30_000; i += 3) db.delete(rel, tids[i]);
    db.commit();
    const s = db.relationStats(rel);
    expect(s.relpages).toBe(db.bufmgr.nblocks(rel.locator, ForkNumber.MAIN));
    expect(s.pagesSampled).toBe(s.relpages);
    expect(s.reltuples).toBe(20_000);
    expect(s.deadTuples).toBe(10_000);
    db.insertMany(rel, Array.from({ length: 100_000 }, (_, i) => [i, i, null]));
    const big = db.relationStats(rel);
    expect(big.pagesSampled).toBe(300);
    expect(Math.abs(big.reltuples - 120_000)).toBeLessThan(6000);
  });
});

describe('indexes across restarts', () => {
  it('re-attaches with openIndex after a clean shutdown', () => {
    const dir = new CrashSimDirectory();
    let db = StorageEngine.open({ dir, sharedBuffers: 64 });
    let rel = db.createRelation('t', COLUMNS);
    let pk = db.createIndex(rel, 't_pkey', { columns: ON_ID, unique: true });
    db.insertMany(rel, Array.from({ length: 500 }, (_, i) => [i, i, null]));
    const spec = { oid: pk.oid, name: pk.name, columns: ON_ID, unique: true };
    db.close();

    db = StorageEngine.open({ dir, sharedBuffers: 64 });
    rel = db.openRelation({ oid: rel.oid, name: 't', columns: COLUMNS });
    pk = db.openIndex(rel, spec);
    expect(lookup(db, pk, 250)).toEqual([[250, 250, null]]);
    expect(() => db.insert(rel, [250, 0, 'dup'])).toThrow('duplicate key value violates unique constraint "t_pkey"');
    db.insert(rel, [500, 0, 'new']);
    expect(db.checkIndex(pk).heapTuplesChecked).toBe(501);
    expect(() => db.openIndex(rel, { ...spec, oid: 99_999, name: 'nope' })).toThrow('relation "nope" does not exist');
    db.close();
  });

  it('recovers index records after a crash', () => {
    const dir = new CrashSimDirectory();
    let db = StorageEngine.open({ dir, sharedBuffers: 64, walSegmentSize: 1 << 20 });
    let rel = db.createRelation('t', COLUMNS);
    let an = db.createIndex(rel, 't_a_note', { columns: ON_A_NOTE });
    db.checkpoint();
    db.begin();
    for (let i = 0; i < 3000; i++) db.insert(rel, [i, i % 10, `note ${i}`]);
    db.commit();
    db.begin();
    db.createIndex(rel, 'never', { columns: ON_ID }); // not committed: like PostgreSQL, its file is left orphaned
    dir.crash({ seed: 7, mode: 'drop' });
    db.abandon();

    db = StorageEngine.open({ dir, sharedBuffers: 64, walSegmentSize: 1 << 20 });
    expect(db.startup.recoveryPerformed).toBe(true);
    rel = db.openRelation({ oid: rel.oid, name: 't', columns: COLUMNS });
    an = db.openIndex(rel, { oid: an.oid, name: an.name, columns: ON_A_NOTE });
    expect(db.checkIndex(an).heapTuplesChecked).toBe(3000);
    db.close();
  });
});
