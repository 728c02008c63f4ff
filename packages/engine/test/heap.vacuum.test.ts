/*
 * VACUUM of a heap (vacuumlazy.ts): dead tuples removed, free space recorded
 * and reused, empty trailing pages truncated, the visibility map set and
 * cleared, and VACUUM FREEZE freezing live tuples.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageEngine } from '../src/engine.ts';
import { INT4OID, TEXTOID } from '../src/utils/adt/types.ts';
import type { Relation } from '../src/access/heap/relation.ts';
import { tidBlock, type Tid } from '../src/access/common/itemptr.ts';
import { HEAP_XMAX_INVALID, HEAP_XMIN_COMMITTED, HEAP_XMIN_FROZEN } from '../src/access/common/htup_details.ts';
import { VISIBILITYMAP_ALL_FROZEN, VISIBILITYMAP_ALL_VISIBLE } from '../src/access/heap/visibilitymap.ts';
import { pageAllVisible, pageItems, physicalTuples, relBlocks, typ } from '../src/access/heap/heap_testutil.ts';

const cols = [{ name: 'id', type: typ(INT4OID), notNull: true }, { name: 'v', type: typ(TEXTOID) }];
const ROWS = 2000;
const pad = (i: number): string => `row ${i} `.padEnd(60, '-');

describe('VACUUM', () => {
  let db: StorageEngine;
  let rel: Relation;
  let tids: Tid[];
  const sortedIds = (): number[] => db.scan(rel).map((r) => r.values[0] as number).sort((a, b) => a - b);
  const vmStatus = (blk: number): number => db.vm.getStatus(rel.locator, blk);

  beforeEach(() => {
    db = StorageEngine.open({ sharedBuffers: 128, walSegmentSize: 1024 * 1024 });
    rel = db.createRelation('t', cols);
    tids = db.insertMany(rel, Array.from({ length: ROWS }, (_, i) => [i, pad(i)]));
  });
  afterEach(() => db.close());

  /** Deletes every row of the second half, and 9 in 10 rows of the first; returns the ids kept. */
  function deleteMost(): number[] {
    const kept: number[] = [];
    db.begin();
    for (let i = 0; i < ROWS; i++) {
      if (i < ROWS / 2 && i % 10 === 0) kept.push(i);
      else db.delete(rel, tids[i]);
    }
    db.commit();
    return kept;
  }

  it('removes dead tuples, records free space, truncates empty trailing pages and sets the visibility map', () => {
    const pagesBefore = relBlocks(db, rel);
    expect(pagesBefore).toBeGreaterThan(10);
    const lastKeptPage = tidBlock(tids[ROWS / 2 - 10]);
    const kept = deleteMost();

    const stats = db.vacuum(rel);
    expect(stats.tuplesRemoved).toBe(ROWS - kept.length);
    expect(stats.liveTuples).toBe(kept.length);
    expect(stats.deadTuplesRemaining).toBe(0);
    expect(stats.pagesScanned).toBe(pagesBefore);
    // Every page after the last kept row was empty and is gone.
    expect(stats.relPages).toBe(lastKeptPage + 1);
    expect(stats.pagesRemoved).toBe(pagesBefore - lastKeptPage - 1);
    expect(relBlocks(db, rel)).toBe(lastKeptPage + 1);
    expect(physicalTuples(db, rel)).toBe(kept.length);

    // The FSM knows each remaining page is mostly empty, and the VM that it is all-visible.
    for (let b = 0; b < stats.relPages; b++) {
      expect(db.fsm.getFreeSpace(rel.locator, b)).toBeGreaterThan(6000);
      expect(vmStatus(b) & VISIBILITYMAP_ALL_VISIBLE).toBe(VISIBILITYMAP_ALL_VISIBLE);
      expect(pageAllVisible(db, rel, b)).toBe(true);
    }
    // Empty pages count as all-visible too, before they are truncated (as in PostgreSQL).
    expect(stats.pagesAllVisible).toBe(pagesBefore);
    expect(db.vm.count(rel.locator, stats.relPages).allVisible).toBe(stats.relPages);
    expect(db.fsm.getFreeSpace(rel.locator, pagesBefore - 1)).toBe(0);
    expect(db.vm.getStatus(rel.locator, pagesBefore - 1)).toBe(0);
    expect(sortedIds()).toEqual(kept);

    // New rows go into the freed space: the relation does not grow.
    const refill = db.insertMany(rel, Array.from({ length: 500 }, (_, i) => [ROWS + i, pad(ROWS + i)]));
    expect(relBlocks(db, rel)).toBe(stats.relPages);
    expect(Math.max(...refill.map(tidBlock))).toBeLessThan(stats.relPages);
    // An insert clears the all-visible bits of the page it went to (visibilitymap.ts rule 2).
    const touched = tidBlock(refill[0]);
    expect(vmStatus(touched)).toBe(0);
    expect(pageAllVisible(db, rel, touched)).toBe(false);
    expect(sortedIds()).toEqual([...kept, ...Array.from({ length: 500 }, (_, i) => ROWS + i)]);
  });

  it('freezes an aborted xmax already hinted XMAX_INVALID, and keeps relfrozenxid before it until then', () => {
    db.begin();
    db.delete(rel, tids[0]);
    db.rollback();
    db.delete(rel, tids[1]);
    const first = db.vacuum(rel);
    expect(first.tuplesRemoved).toBe(1);
    expect(db.fetch(rel, tids[0])).toEqual([0, pad(0)]);
    expect(db.fetch(rel, tids[1])).toBeNull();
    // The scans set XMAX_INVALID, a hint a crash may lose: the raw xmax still counts.
    const aborted = db.heap.tupleHeader(rel, tids[0]);
    expect((aborted?.infomask ?? 0) & HEAP_XMAX_INVALID).toBe(HEAP_XMAX_INVALID);
    expect(aborted?.xmax).not.toBe(0);
    expect(first.newRelFrozenXid).toBeLessThanOrEqual(aborted?.xmax ?? 0);
    expect(vmStatus(tidBlock(tids[0]))).toBe(VISIBILITYMAP_ALL_VISIBLE);
    db.vacuum(rel, { freeze: true });
    const h = db.heap.tupleHeader(rel, tids[0]);
    expect(h?.xmax).toBe(0);
    expect((h?.infomask ?? 0) & HEAP_XMAX_INVALID).toBe(HEAP_XMAX_INVALID);
    expect(vmStatus(tidBlock(tids[0]))).toBe(VISIBILITYMAP_ALL_VISIBLE | VISIBILITYMAP_ALL_FROZEN);
    expect(db.count(rel)).toBe(ROWS - 1);
  });

  it('removes the row of an aborted insert and then sets the page all-visible', () => {
    db.begin();
    const aborted = db.insert(rel, [-1, 'aborted']);
    db.rollback();
    const blk = tidBlock(aborted);
    const stats = db.vacuum(rel);
    expect(stats.tuplesRemoved).toBe(1);
    expect(vmStatus(blk) & VISIBILITYMAP_ALL_VISIBLE).toBe(VISIBILITYMAP_ALL_VISIBLE);
    expect(pageItems(db, rel, blk).filter((it) => it.state === 'normal').every((it) => it.xmin !== 0)).toBe(true);
    expect(db.count(rel)).toBe(ROWS);
  });

  it('plain VACUUM sets hint bits but does not freeze young tuples', () => {
    const stats = db.vacuum(rel);
    expect(stats.tuplesFrozen).toBe(0);
    expect(stats.pagesAllFrozen).toBe(0);
    const h = db.heap.tupleHeader(rel, tids[5]);
    expect((h?.infomask ?? 0) & HEAP_XMIN_FROZEN).toBe(HEAP_XMIN_COMMITTED);
    expect(vmStatus(0)).toBe(VISIBILITYMAP_ALL_VISIBLE);
  });

  it('VACUUM FREEZE sets HEAP_XMIN_FROZEN on every live tuple and the all-frozen bits', () => {
    const kept = deleteMost();
    const stats = db.vacuum(rel, { freeze: true });
    expect(stats.tuplesFrozen).toBe(kept.length);
    expect(stats.pagesAllFrozen).toBe(stats.pagesScanned);
    for (const id of kept) {
      const h = db.heap.tupleHeader(rel, tids[id]);
      expect((h?.infomask ?? 0) & HEAP_XMIN_FROZEN).toBe(HEAP_XMIN_FROZEN);
    }
    for (let b = 0; b < stats.relPages; b++) expect(vmStatus(b)).toBe(VISIBILITYMAP_ALL_VISIBLE | VISIBILITYMAP_ALL_FROZEN);
    // Nothing unfrozen is left: relfrozenxid can be the horizon itself.
    expect(stats.newRelFrozenXid).toBe(db.transam.varsup.readNextTransactionId());
    expect(sortedIds()).toEqual(kept);
    // A second VACUUM FREEZE has nothing to do.
    expect(db.vacuum(rel, { freeze: true }).tuplesFrozen).toBe(0);

    // Deleting a frozen row clears both bits of its page; the row is gone and the others stay frozen.
    db.delete(rel, tids[kept[0]]);
    expect(vmStatus(tidBlock(tids[kept[0]]))).toBe(0);
    expect(sortedIds()).toEqual(kept.slice(1));
  });

  it('reports the oldest unfrozen xmin as the new relfrozenxid after a plain VACUUM', () => {
    const oldest = db.heap.tupleHeader(rel, tids[0])?.xmin ?? 0;
    db.insert(rel, [ROWS, 'later']);
    const stats = db.vacuum(rel);
    expect(stats.newRelFrozenXid).toBe(oldest);
  });

  it('truncates a table whose rows were all deleted to zero pages, and it still works', () => {
    db.begin();
    for (const t of tids) db.delete(rel, t);
    db.commit();
    const stats = db.vacuum(rel);
    expect(stats.relPages).toBe(0);
    expect(relBlocks(db, rel)).toBe(0);
    expect(db.count(rel)).toBe(0);
    const t = db.insert(rel, [1, 'again']);
    expect(tidBlock(t)).toBe(0);
    expect(db.scan(rel).map((r) => r.values)).toEqual([[1, 'again']]);
  });
});
