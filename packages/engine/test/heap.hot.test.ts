/*
 * HOT (heap-only tuples) and page pruning, checked on the page itself:
 * line pointer states before and after a chain is collapsed, as
 * pageinspect would show them (README.HOT, pruneheap.ts).
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageEngine } from '../src/engine.ts';
import { INT4OID, TEXTOID } from '../src/utils/adt/types.ts';
import type { Relation } from '../src/access/heap/relation.ts';
import { tidBlock, tidOffset, type Tid } from '../src/access/common/itemptr.ts';
import { HEAP_HOT_UPDATED, HEAP_ONLY_TUPLE } from '../src/access/common/htup_details.ts';
import { pageItems, relBlocks, stateAt, typ } from '../src/access/heap/heap_testutil.ts';

const cols = [{ name: 'id', type: typ(INT4OID), notNull: true }, { name: 'v', type: typ(TEXTOID) }];
/** A 200-character value: each version takes 232 bytes + a 4-byte line pointer, so 34 fit on a page. */
const val = (i: number): string => `version ${i} `.padEnd(200, '.');
/** Versions that leave less than BLCKSZ/10 free (pruning's trigger) and room for one more. */
const VERSIONS = 33;

describe('HOT updates and pruning', () => {
  let db: StorageEngine;
  let rel: Relation;

  beforeEach(() => {
    db = StorageEngine.open({ sharedBuffers: 64, walSegmentSize: 1024 * 1024 });
    rel = db.createRelation('t', cols);
  });
  afterEach(() => db.close());

  /** VERSIONS versions of row 1 in one transaction; returns their TIDs, oldest first. */
  function chainInOneTransaction(): Tid[] {
    db.begin();
    const tids = [db.insert(rel, [1, val(0)])];
    for (let i = 1; i < VERSIONS; i++) tids.push(db.update(rel, tids[i - 1], [1, val(i)]));
    db.commit();
    return tids;
  }

  it('keeps every version on the same page while there is room, as a HOT chain', () => {
    const tids = chainInOneTransaction();
    expect(tids.map(tidBlock)).toEqual(new Array<number>(VERSIONS).fill(0));
    expect(tids.map(tidOffset)).toEqual(Array.from({ length: VERSIONS }, (_, i) => i + 1));
    const items = pageItems(db, rel, 0);
    for (let i = 0; i < VERSIONS - 1; i++) {
      expect(items[i].infomask2 & HEAP_HOT_UPDATED).toBe(HEAP_HOT_UPDATED);
      expect(db.heap.tupleHeader(rel, tids[i])?.ctid).toBe(tids[i + 1]);
    }
    for (let i = 1; i < VERSIONS; i++) expect(items[i].infomask2 & HEAP_ONLY_TUPLE).toBe(HEAP_ONLY_TUPLE);
    expect(items[0].infomask2 & HEAP_ONLY_TUPLE).toBe(0);
    expect(items[VERSIONS - 1].infomask2 & HEAP_HOT_UPDATED).toBe(0);
    expect(relBlocks(db, rel)).toBe(1);
  });

  it('goes to another page, not HOT, once the page is full and nothing can be pruned', () => {
    db.begin();
    const tids = [db.insert(rel, [1, val(0)])];
    // The updating transaction is still running: none of its versions is dead yet.
    for (let i = 1; i < VERSIONS + 3; i++) tids.push(db.update(rel, tids[i - 1], [1, val(i)]));
    db.commit();
    const firstOff = tids.findIndex((t) => tidBlock(t) === 1);
    expect(firstOff).toBe(34);
    expect(tids.slice(0, firstOff).every((t) => tidBlock(t) === 0)).toBe(true);
    const items = pageItems(db, rel, 0);
    expect(items.every((it) => it.state === 'normal')).toBe(true);
    // The link between pages is a plain update: the old version is not HOT_UPDATED, the new one not heap-only.
    expect(items[firstOff - 1].infomask2 & HEAP_HOT_UPDATED).toBe(0);
    expect(pageItems(db, rel, 1)[0].infomask2 & HEAP_ONLY_TUPLE).toBe(0);
    expect(db.scan(rel).map((r) => r.values)).toEqual([[1, val(VERSIONS + 2)]]);
  });

  it('does not prune versions its own running transaction created', () => {
    db.begin();
    const tids = [db.insert(rel, [1, val(0)])];
    for (let i = 1; i < VERSIONS; i++) tids.push(db.update(rel, tids[i - 1], [1, val(i)]));
    // A scan of the nearly full page inside the transaction tries to prune; the versions are not dead.
    expect(db.scan(rel).map((r) => r.values)).toEqual([[1, val(VERSIONS - 1)]]);
    db.commit();
    expect(pageItems(db, rel, 0).filter((it) => it.state === 'normal')).toHaveLength(VERSIONS);
  });

  it('collapses a committed chain when a scan meets the full page: root redirected, members unused', () => {
    const tids = chainInOneTransaction();
    const newest = tids[VERSIONS - 1];
    const rows = db.scan(rel);
    expect(rows.map((r) => r.values)).toEqual([[1, val(VERSIONS - 1)]]);
    expect(rows[0].tid).toBe(newest);

    const items = pageItems(db, rel, 0);
    expect(items[0]).toMatchObject({ off: 1, state: 'redirect', redirectTo: tidOffset(newest) });
    for (let off = 2; off < VERSIONS; off++) expect(items[off - 1].state).toBe('unused');
    expect(items[VERSIONS - 1]).toMatchObject({ state: 'normal' });
    expect(items[VERSIONS - 1].infomask2 & HEAP_ONLY_TUPLE).toBe(HEAP_ONLY_TUPLE);
    // The row is still found, once; the root TID no longer holds a tuple.
    expect(db.fetch(rel, newest)).toEqual([1, val(VERSIONS - 1)]);
    expect(db.fetch(rel, tids[0])).toBeNull();
    expect(db.count(rel)).toBe(1);

    // The freed line pointers and space are reused by the next update, still HOT on page 0.
    const next = db.update(rel, newest, [1, val(100)]);
    expect(tidBlock(next)).toBe(0);
    expect(tidOffset(next)).toBe(2);
    expect(db.heap.tupleHeader(rel, newest)?.ctid).toBe(next);
    expect(db.scan(rel).map((r) => r.values)).toEqual([[1, val(100)]]);
  });

  it('prunes across transactions: each committed update leaves the previous version dead', () => {
    let tid = db.insert(rel, [1, val(0)]);
    for (let i = 1; i <= 200; i++) {
      tid = db.update(rel, tid, [1, val(i)]);
      // Updates prune the full page themselves, so the row never leaves it.
      expect(tidBlock(tid)).toBe(0);
    }
    expect(relBlocks(db, rel)).toBe(1);
    expect(db.scan(rel).map((r) => r.values)).toEqual([[1, val(200)]]);
    const items = pageItems(db, rel, 0);
    expect(items.filter((it) => it.state === 'redirect')).toHaveLength(1);
    expect(items.filter((it) => it.state === 'dead')).toHaveLength(0);
  });

  it('collapses the chain in VACUUM when the page is not full enough for opportunistic pruning', () => {
    let tid = db.insert(rel, [1, val(0)]);
    const other = db.insert(rel, [2, 'other']);
    for (let i = 1; i <= 5; i++) tid = db.update(rel, tid, [1, val(i)]);
    db.scan(rel); // plenty of room: no pruning
    expect(pageItems(db, rel, 0).filter((it) => it.state === 'normal')).toHaveLength(7);

    db.vacuum(rel);
    const items = pageItems(db, rel, 0);
    expect(items[0]).toMatchObject({ state: 'redirect', redirectTo: tidOffset(tid) });
    expect(stateAt(items, tidOffset(other))).toBe('normal');
    expect(items.filter((it) => it.state === 'unused')).toHaveLength(4);
    expect(db.scan(rel).map((r) => r.values[0]).sort()).toEqual([1, 2]);
    expect(db.fetch(rel, tid)).toEqual([1, val(5)]);

    // Deleting the row makes the whole chain dead: root and member go (no indexes: straight to unused).
    db.delete(rel, tid);
    db.vacuum(rel);
    const after = pageItems(db, rel, 0);
    expect(stateAt(after, 1)).toBe('unused');
    expect(stateAt(after, tidOffset(tid))).toBe('unused');
    expect(db.scan(rel).map((r) => r.values)).toEqual([[2, 'other']]);
  });

  it('removes the heap-only tuple of a rolled-back HOT update when pruning', () => {
    const tid = db.insert(rel, [1, val(0)]);
    db.begin();
    const aborted = db.update(rel, tid, [1, val(1)]);
    db.rollback();
    expect(tidBlock(aborted)).toBe(0);
    db.vacuum(rel);
    const items = pageItems(db, rel, 0);
    expect(stateAt(items, tidOffset(tid))).toBe('normal');
    expect(stateAt(items, tidOffset(aborted))).toBe('unused');
    expect(db.fetch(rel, tid)).toEqual([1, val(0)]);
    const again = db.update(rel, tid, [1, val(2)]);
    expect(db.scan(rel).map((r) => r.values)).toEqual([[1, val(2)]]);
    expect(db.heap.tupleHeader(rel, tid)?.ctid).toBe(again);
  });

  it('counts the root of a collapsed HOT chain in VACUUM\'s tuplesRemoved (it was left out)', () => {
    // Six versions, five dead: v0 (the root, now a redirect) and v1..v4 (now unused).
    let tid = db.insert(rel, [1, val(0)]);
    for (let i = 1; i <= 5; i++) tid = db.update(rel, tid, [1, val(i)]);
    expect(db.vacuum(rel).tuplesRemoved).toBe(5);
    // A deleted plain row (a root with no chain) counts once; the redirect it leaves behind does not count again.
    db.delete(rel, tid);
    expect(db.vacuum(rel).tuplesRemoved).toBe(1);
    expect(db.vacuum(rel).tuplesRemoved).toBe(0);
  });
});

describe('pruning on the way in from an index (heapam_index_fetch_tuple)', () => {
  it('keeps a row updated over and over through its primary key on its first page', async () => {
    // pgbench's branches: one row, one UPDATE ... WHERE bid = 1 per transaction.
    // The UPDATE that finds the page full holds the index scan's pin, so it
    // cannot prune; only the fetch arriving at the page can, as in PostgreSQL.
    const { Database } = await import('../src/database.ts');
    const sql = await Database.open();
    try {
      await sql.exec(`CREATE TABLE branches (bid int PRIMARY KEY, bbalance int NOT NULL, filler char(400));
        INSERT INTO branches VALUES (1, 0, 'x')`);
      // About 18 versions fit on a page: 60 updates without pruning need 4 pages.
      for (let i = 1; i <= 60; i++) await sql.exec(`UPDATE branches SET bbalance = bbalance + ${i} WHERE bid = 1`);
      const r = await sql.query('SELECT ctid::text AS ctid, bbalance FROM branches WHERE bid = 1');
      expect(r.rows).toEqual([{ ctid: expect.stringMatching(/^\(0,\d+\)$/), bbalance: 1830 }]);
      expect((await sql.query('SELECT count(*)::int AS n FROM branches')).rows).toEqual([{ n: 1 }]);
    } finally {
      await sql.close();
    }
  });
});
