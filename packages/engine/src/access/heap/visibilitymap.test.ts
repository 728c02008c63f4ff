/*
 * Unit tests of the visibility map (visibilitymap.ts): two bits per heap
 * block packed four blocks to a byte, set and cleared independently, across
 * VM pages, truncation, and a damaged VM page reading as "nothing is
 * all-visible".
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { StorageEngine } from '../../engine.ts';
import { BLCKSZ, SIZE_OF_PAGE_HEADER } from '../../constants.ts';
import { BUFFER_LOCK_SHARE } from '../../storage/buffer/buf_internals.ts';
import { pageGetLSN } from '../../storage/page/bufpage.ts';
import { ForkNumber, relPath, type RelFileLocator } from '../../storage/relfilelocator.ts';
import { INT4OID } from '../../utils/adt/types.ts';
import { typ } from './heap_testutil.ts';
import {
  HEAPBLOCKS_PER_VM_PAGE, VISIBILITYMAP_ALL_FROZEN, VISIBILITYMAP_ALL_VISIBLE, VISIBILITYMAP_VALID_BITS, VisibilityMap, vmBlockOf,
} from './visibilitymap.ts';

const BOTH = VISIBILITYMAP_ALL_VISIBLE | VISIBILITYMAP_ALL_FROZEN;

describe('VisibilityMap', () => {
  let dir: MemoryDirectory;
  let db: StorageEngine;
  let vm: VisibilityMap;
  let rel: RelFileLocator;
  const vmPages = (): number => db.bufmgr.nblocks(rel, ForkNumber.VISIBILITYMAP);
  const set = (block: number, flags: number, lsn = 0): void => {
    const buf = vm.pin(rel, block, true);
    vm.set(buf, block, flags, lsn);
    vm.release(buf);
  };

  beforeEach(() => {
    dir = new MemoryDirectory();
    db = StorageEngine.open({ dir, sharedBuffers: 32, walSegmentSize: 1024 * 1024 });
    rel = db.createRelation('t', [{ name: 'id', type: typ(INT4OID) }]).locator;
    vm = new VisibilityMap(db.bufmgr);
  });
  afterEach(() => db.close());

  it('covers 4 heap blocks per byte of a page after its header', () => {
    expect(HEAPBLOCKS_PER_VM_PAGE).toBe((BLCKSZ - SIZE_OF_PAGE_HEADER) * 4);
    expect(vmBlockOf(0)).toBe(0);
    expect(vmBlockOf(HEAPBLOCKS_PER_VM_PAGE - 1)).toBe(0);
    expect(vmBlockOf(HEAPBLOCKS_PER_VM_PAGE)).toBe(1);
  });

  it('reads 0 without a VM fork, and neither reading nor clearing creates one', () => {
    expect(vm.getStatus(rel, 0)).toBe(0);
    expect(vm.clear(rel, 0)).toBe(false);
    expect(vm.pin(rel, 0, false)).toBe(0);
    expect(vmPages()).toBe(0);
  });

  it('sets and clears each block\'s two bits without touching its neighbours', () => {
    set(0, VISIBILITYMAP_ALL_VISIBLE);
    set(1, BOTH);
    set(3, VISIBILITYMAP_ALL_VISIBLE);
    set(4, BOTH);
    expect(vmPages()).toBe(1);
    expect([0, 1, 2, 3, 4, 5].map((b) => vm.getStatus(rel, b))).toEqual([1, 3, 0, 1, 3, 0]);
    expect(vm.count(rel, 6)).toEqual({ allVisible: 4, allFrozen: 2 });

    // Clearing only ALL_FROZEN leaves ALL_VISIBLE.
    expect(vm.clear(rel, 1, VISIBILITYMAP_ALL_FROZEN)).toBe(true);
    expect(vm.getStatus(rel, 1)).toBe(VISIBILITYMAP_ALL_VISIBLE);
    // Clearing both (the default) on a block with bits, then again with none.
    expect(vm.clear(rel, 4)).toBe(true);
    expect(vm.clear(rel, 4)).toBe(false);
    expect([0, 1, 2, 3, 4, 5].map((b) => vm.getStatus(rel, b))).toEqual([1, 1, 0, 1, 0, 0]);
    expect(VISIBILITYMAP_VALID_BITS).toBe(BOTH);
  });

  it('stamps the VM page with the LSN of the record that set a bit, and only when a bit changes', () => {
    set(7, VISIBILITYMAP_ALL_VISIBLE, 0x1234);
    const lsnOf = (): number => {
      const buf = vm.pin(rel, 7, false);
      db.bufmgr.lockBuffer(buf, BUFFER_LOCK_SHARE);
      const lsn = pageGetLSN(db.bufmgr.getPage(buf));
      db.bufmgr.unlockReleaseBuffer(buf);
      return lsn;
    };
    expect(lsnOf()).toBe(0x1234);
    set(7, VISIBILITYMAP_ALL_VISIBLE, 0x9999);
    expect(lsnOf()).toBe(0x1234);
    set(7, VISIBILITYMAP_ALL_FROZEN, 0x5555);
    expect(lsnOf()).toBe(0x5555);
    expect(vm.getStatus(rel, 7)).toBe(BOTH);
  });

  it('extends the fork to reach a block on a later VM page', () => {
    const far = HEAPBLOCKS_PER_VM_PAGE * 2 + 5;
    set(far, BOTH);
    expect(vmPages()).toBe(3);
    expect(vm.getStatus(rel, far)).toBe(BOTH);
    expect(vm.getStatus(rel, far - 1)).toBe(0);
    expect(vm.getStatus(rel, HEAPBLOCKS_PER_VM_PAGE + 5)).toBe(0);
  });

  it('clears every bit at and beyond the truncation point, within a byte and across pages', () => {
    const far = HEAPBLOCKS_PER_VM_PAGE + 10;
    for (let b = 0; b < 12; b++) set(b, BOTH);
    set(far, BOTH);
    vm.truncate(rel, 5);
    expect(Array.from({ length: 12 }, (_, b) => vm.getStatus(rel, b))).toEqual([3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0]);
    expect(vm.getStatus(rel, far)).toBe(0);
    // On a byte boundary.
    vm.truncate(rel, 4);
    expect(Array.from({ length: 6 }, (_, b) => vm.getStatus(rel, b))).toEqual([3, 3, 3, 3, 0, 0]);
    vm.truncate(rel, 0);
    expect(vm.count(rel, 12)).toEqual({ allVisible: 0, allFrozen: 0 });
  });

  it('reads a corrupt VM page as "nothing is all-visible" (visibilitymap.ts rule 3)', () => {
    set(2, BOTH, 0x10);
    db.checkpoint();
    db.bufmgr.dropRelationBuffers(rel, ForkNumber.VISIBILITYMAP, 0);
    const file = dir.open(relPath(rel, ForkNumber.VISIBILITYMAP));
    file.write(new Uint8Array(BLCKSZ).fill(0xff), { at: 0 });
    file.close();
    expect(vm.getStatus(rel, 2)).toBe(0);
    set(2, VISIBILITYMAP_ALL_VISIBLE, 0x20);
    expect(vm.getStatus(rel, 2)).toBe(VISIBILITYMAP_ALL_VISIBLE);
    expect(vm.getStatus(rel, 3)).toBe(0);
  });
});
