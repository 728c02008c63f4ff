/*
 * Unit tests of the free space map (storage/freespace/freespace.ts): the
 * category encoding, recording and finding pages, several FSM pages,
 * truncation, and its rule that a damaged FSM page reads as "no free space".
 *
 * (They live here rather than beside freespace.ts because the heap is the
 * FSM's only user and these tests share its fixtures.)
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { StorageEngine } from '../src/engine.ts';
import { BLCKSZ, SIZE_OF_PAGE_HEADER } from '../src/constants.ts';
import { FreeSpaceMap, FSM_SLOTS_PER_PAGE, neededToCategory, spaceToCategory } from '../src/storage/freespace/freespace.ts';
import { ForkNumber, relPath, type RelFileLocator } from '../src/storage/relfilelocator.ts';
import { INT4OID } from '../src/utils/adt/types.ts';
import { rng, typ } from '../src/access/heap/heap_testutil.ts';

/** The largest request the FSM can satisfy (MaxFSMRequestSize): a whole empty heap page. */
const MAX_REQUEST = BLCKSZ - SIZE_OF_PAGE_HEADER - 4;

describe('FSM categories', () => {
  it('rounds available space down and needed space up, in 32-byte steps', () => {
    expect(spaceToCategory(0)).toBe(0);
    expect(spaceToCategory(31)).toBe(0);
    expect(spaceToCategory(32)).toBe(1);
    expect(spaceToCategory(100)).toBe(3);
    expect(spaceToCategory(MAX_REQUEST - 1)).toBe(254);
    expect(spaceToCategory(MAX_REQUEST)).toBe(255);
    expect(spaceToCategory(BLCKSZ)).toBe(255);

    expect(neededToCategory(0)).toBe(1);
    expect(neededToCategory(1)).toBe(1);
    expect(neededToCategory(32)).toBe(1);
    expect(neededToCategory(33)).toBe(2);
    // Larger than any page can hold: no category satisfies it.
    expect(neededToCategory(MAX_REQUEST + 1)).toBe(256);
  });

  it('lets a request of a whole empty page find one (the category was 256, past the top)', () => {
    // PostgreSQL clamps fsm_space_needed_to_cat at 255, the category of an empty page.
    expect(neededToCategory(MAX_REQUEST)).toBe(255);
    expect(neededToCategory(MAX_REQUEST - 1)).toBe(255);
    expect(spaceToCategory(MAX_REQUEST)).toBeGreaterThanOrEqual(neededToCategory(MAX_REQUEST));
  });

  it('never promises more room than a page has (property over random sizes)', () => {
    const next = rng(42);
    for (let i = 0; i < 20_000; i++) {
      const avail = Math.floor(next() * (BLCKSZ + 1));
      const needed = Math.floor(next() * (BLCKSZ + 1));
      if (spaceToCategory(avail) >= neededToCategory(needed)) expect(avail).toBeGreaterThanOrEqual(needed);
      // And it does find the page when the room is there with a category to spare.
      if (avail >= needed + 32 && needed <= MAX_REQUEST) expect(spaceToCategory(avail)).toBeGreaterThanOrEqual(neededToCategory(needed));
    }
  });
});

describe('FreeSpaceMap', () => {
  let dir: MemoryDirectory;
  let db: StorageEngine;
  let fsm: FreeSpaceMap;
  let rel: RelFileLocator;
  const fsmPages = (): number => db.bufmgr.nblocks(rel, ForkNumber.FSM);

  beforeEach(() => {
    dir = new MemoryDirectory();
    db = StorageEngine.open({ dir, sharedBuffers: 32, walSegmentSize: 1024 * 1024 });
    rel = db.createRelation('t', [{ name: 'id', type: typ(INT4OID) }]).locator;
    fsm = new FreeSpaceMap(db.bufmgr);
  });
  afterEach(() => db.close());

  it('reports nothing for a relation without an FSM fork, and recording "full" does not create one', () => {
    expect(fsmPages()).toBe(0);
    expect(fsm.getFreeSpace(rel, 0)).toBe(0);
    expect(fsm.findPage(rel, 100, 10)).toBe(-1);
    fsm.recordFreeSpace(rel, 5, 10);
    expect(fsmPages()).toBe(0);
  });

  it('records free space and finds the first page with enough of it', () => {
    fsm.recordFreeSpace(rel, 0, 100);
    fsm.recordFreeSpace(rel, 1, 4010);
    fsm.recordFreeSpace(rel, 2, 8000);
    expect(fsmPages()).toBe(1);
    expect(fsm.getFreeSpace(rel, 1)).toBe(4000); // a lower bound: 4010 rounded down to a multiple of 32
    expect(fsm.findPage(rel, 50, 3)).toBe(0);
    expect(fsm.findPage(rel, 200, 3)).toBe(1);
    expect(fsm.findPage(rel, 4001, 3)).toBe(2);
    expect(fsm.findPage(rel, 8100, 3)).toBe(-1);
    expect(fsm.findPage(rel, MAX_REQUEST + 1, 3)).toBe(-1);
    fsm.recordFreeSpace(rel, 0, MAX_REQUEST);
    expect(fsm.findPage(rel, MAX_REQUEST, 3)).toBe(0);
    fsm.recordFreeSpace(rel, 0, 100);
    // Blocks at or past heapBlocks are not offered, whatever the map says.
    expect(fsm.findPage(rel, 4001, 2)).toBe(-1);
    // Recording again replaces, in both directions.
    fsm.recordFreeSpace(rel, 2, 0);
    expect(fsm.findPage(rel, 4001, 3)).toBe(-1);
    expect(fsm.findPage(rel, 4000, 3)).toBe(1);
    fsm.recordFreeSpace(rel, 0, 8000);
    expect(fsm.findPage(rel, 4001, 3)).toBe(0);
  });

  it('searches from the start hint and wraps around', () => {
    for (const b of [1, 4, 7]) fsm.recordFreeSpace(rel, b, 1000);
    expect(fsm.findPage(rel, 500, 10, 0)).toBe(1);
    expect(fsm.findPage(rel, 500, 10, 2)).toBe(4);
    expect(fsm.findPage(rel, 500, 10, 5)).toBe(7);
    expect(fsm.findPage(rel, 500, 10, 8)).toBe(1);
    // A hint past the end starts from the beginning.
    expect(fsm.findPage(rel, 500, 10, 50)).toBe(1);
  });

  it('spans several FSM pages for large relations', () => {
    const far = FSM_SLOTS_PER_PAGE * 2 + 17;
    fsm.recordFreeSpace(rel, far, 5000);
    expect(fsmPages()).toBe(3);
    expect(fsm.getFreeSpace(rel, far)).toBe(4992);
    expect(fsm.getFreeSpace(rel, FSM_SLOTS_PER_PAGE)).toBe(0);
    expect(fsm.findPage(rel, 3000, far + 1)).toBe(far);
    expect(fsm.findPage(rel, 3000, far + 1, FSM_SLOTS_PER_PAGE + 5)).toBe(far);
    fsm.recordFreeSpace(rel, FSM_SLOTS_PER_PAGE - 1, 5000);
    expect(fsm.findPage(rel, 3000, far + 1)).toBe(FSM_SLOTS_PER_PAGE - 1);
    expect(fsm.findPage(rel, 3000, far + 1, FSM_SLOTS_PER_PAGE)).toBe(far);
  });

  it('forgets blocks at and beyond a truncation point', () => {
    for (let b = 0; b < 10; b++) fsm.recordFreeSpace(rel, b, 2000);
    const far = FSM_SLOTS_PER_PAGE + 3;
    fsm.recordFreeSpace(rel, far, 2000);
    fsm.truncate(rel, 6);
    for (let b = 0; b < 6; b++) expect(fsm.getFreeSpace(rel, b)).toBe(1984);
    for (let b = 6; b < 10; b++) expect(fsm.getFreeSpace(rel, b)).toBe(0);
    expect(fsm.getFreeSpace(rel, far)).toBe(0);
    expect(fsm.findPage(rel, 1000, far + 1, 6)).toBe(0);
  });

  it('reads a corrupt FSM page as "no free space" (freespace.ts rule 2)', () => {
    fsm.recordFreeSpace(rel, 3, 6000);
    db.checkpoint();
    db.bufmgr.dropRelationBuffers(rel, ForkNumber.FSM, 0);
    const file = dir.open(relPath(rel, ForkNumber.FSM));
    const garbage = new Uint8Array(BLCKSZ).fill(0x5a);
    file.write(garbage, { at: 0 });
    file.close();
    expect(fsm.getFreeSpace(rel, 3)).toBe(0);
    expect(fsm.findPage(rel, 100, 10)).toBe(-1);
    // The map heals as free space is recorded again.
    fsm.recordFreeSpace(rel, 3, 6000);
    expect(fsm.findPage(rel, 100, 10)).toBe(3);
  });
});
