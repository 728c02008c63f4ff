/*
 * freespace.ts — the free space map: roughly how much room each heap page
 * has, so inserts reuse space instead of always extending the relation
 * (PostgreSQL's freespace.c, in a simpler shape).
 *
 * The FSM fork holds one byte per heap block: the free space "category",
 * free bytes / 32 (0..255), as PostgreSQL records it. Each FSM page is a
 * normal page (24-byte header, so it gets a checksum) followed by
 * FSM_SLOTS_PER_PAGE category bytes:
 *
 *   0        24                                             8192
 *   +--------+----------------------------------------------+
 *   | header | cat(b0) cat(b1) cat(b2) ... cat(b8167)        |
 *   +--------+----------------------------------------------+
 *
 * PostgreSQL keeps a binary max-tree inside every FSM page and a tree of
 * pages above them, so a search is O(log n). tabgres scans the category
 * bytes linearly from a per-relation starting hint; at browser-sized tables
 * (thousands of pages) one FSM page covers 64 MB of heap and the scan is a
 * few microseconds. The tree is a later optimization, not a behaviour change.
 *
 * Rules:
 *  1. The FSM is a hint. It is not WAL-logged; after a crash it may be stale
 *     in either direction, so every user re-checks the page it is sent to
 *     (hio.ts does) and corrects the entry.
 *  2. FSM pages are read with ZeroOnError: a torn or corrupt FSM page reads
 *     as "no free space anywhere", which is always safe.
 *  3. FSM pages keep LSN 0, so writing them never waits for WAL.
 */

import { BLCKSZ, SIZE_OF_PAGE_HEADER } from '../../constants.ts';
import { BUFFER_LOCK_EXCLUSIVE, BUFFER_LOCK_SHARE, ReadBufferMode } from '../buffer/buf_internals.ts';
import type { BufferManager } from '../buffer/bufmgr.ts';
import { pageInit, pageIsNew } from '../page/bufpage.ts';
import { ForkNumber, type RelFileLocator } from '../relfilelocator.ts';

export const FSM_SLOTS_PER_PAGE = BLCKSZ - SIZE_OF_PAGE_HEADER;
/** Free space is recorded in units of BLCKSZ / 256 = 32 bytes. */
const FSM_CAT_STEP = BLCKSZ / 256;
/** The largest request that can be satisfied (MaxFSMRequestSize). */
const MAX_FSM_REQUEST = BLCKSZ - SIZE_OF_PAGE_HEADER - 4;

/** fsm_space_avail_to_cat: rounds down, so a page never looks roomier than it is. */
export function spaceToCategory(avail: number): number {
  if (avail >= MAX_FSM_REQUEST) return 255;
  return Math.min(254, Math.floor(avail / FSM_CAT_STEP));
}

/**
 * fsm_space_needed_to_cat: rounds up, so a page found has at least the room
 * needed; capped at 255, the category of a page with MAX_FSM_REQUEST free.
 */
export function neededToCategory(needed: number): number {
  if (needed > MAX_FSM_REQUEST) return 256; // cannot be satisfied
  if (needed === 0) return 1;
  return Math.min(255, Math.ceil(needed / FSM_CAT_STEP));
}

export class FreeSpaceMap {
  private readonly bufmgr: BufferManager;

  constructor(bufmgr: BufferManager) {
    this.bufmgr = bufmgr;
  }

  /** Reads (and if needed creates) the FSM page holding the entry for heapBlock. */
  private fsmBuffer(rel: RelFileLocator, fsmBlock: number, extend: boolean): number {
    const n = this.bufmgr.nblocks(rel, ForkNumber.FSM);
    if (fsmBlock >= n) {
      if (!extend) return 0;
      let buf = 0;
      for (let b = n; b <= fsmBlock; b++) {
        if (buf !== 0) this.bufmgr.unlockReleaseBuffer(buf);
        buf = this.bufmgr.extendBuffer(rel, ForkNumber.FSM);
        pageInit(this.bufmgr.getPage(buf), 0);
        this.bufmgr.markBufferDirty(buf);
      }
      this.bufmgr.lockBuffer(buf, 0);
      return buf;
    }
    return this.bufmgr.readBuffer(rel, ForkNumber.FSM, fsmBlock, ReadBufferMode.ZeroOnError);
  }

  /** RecordPageWithFreeSpace: remembers how much room heapBlock has. */
  recordFreeSpace(rel: RelFileLocator, heapBlock: number, avail: number): void {
    const fsmBlock = Math.floor(heapBlock / FSM_SLOTS_PER_PAGE);
    const slot = heapBlock - fsmBlock * FSM_SLOTS_PER_PAGE;
    const cat = spaceToCategory(avail);
    const buf = this.fsmBuffer(rel, fsmBlock, cat > 0);
    if (buf === 0) return;
    this.bufmgr.lockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
    const page = this.bufmgr.getPage(buf);
    if (pageIsNew(page)) pageInit(page, 0);
    if (page[SIZE_OF_PAGE_HEADER + slot] !== cat) {
      page[SIZE_OF_PAGE_HEADER + slot] = cat;
      this.bufmgr.markBufferDirty(buf);
    }
    this.bufmgr.unlockReleaseBuffer(buf);
  }

  /**
   * GetPageWithFreeSpace: a heap block that (per the map) has at least
   * `needed` bytes free, searching from `startBlock` and wrapping around;
   * -1 when none does.
   */
  findPage(rel: RelFileLocator, needed: number, heapBlocks: number, startBlock = 0): number {
    const want = neededToCategory(needed);
    if (want > 255 || heapBlocks === 0) return -1;
    const start = startBlock >= heapBlocks ? 0 : startBlock;
    const found = this.search(rel, want, start, heapBlocks);
    if (found >= 0 || start === 0) return found;
    return this.search(rel, want, 0, start);
  }

  private search(rel: RelFileLocator, want: number, from: number, to: number): number {
    const fsmPages = this.bufmgr.nblocks(rel, ForkNumber.FSM);
    for (let fsmBlock = Math.floor(from / FSM_SLOTS_PER_PAGE); fsmBlock < fsmPages; fsmBlock++) {
      const first = fsmBlock * FSM_SLOTS_PER_PAGE;
      if (first >= to) break;
      const buf = this.bufmgr.readBuffer(rel, ForkNumber.FSM, fsmBlock, ReadBufferMode.ZeroOnError);
      this.bufmgr.lockBuffer(buf, BUFFER_LOCK_SHARE);
      const page = this.bufmgr.getPage(buf);
      let result = -1;
      if (!pageIsNew(page)) {
        const lo = Math.max(from, first) - first;
        const hi = Math.min(to - first, FSM_SLOTS_PER_PAGE);
        for (let s = lo; s < hi; s++) {
          if (page[SIZE_OF_PAGE_HEADER + s] >= want) {
            result = first + s;
            break;
          }
        }
      }
      this.bufmgr.unlockReleaseBuffer(buf);
      if (result >= 0) return result;
    }
    return -1;
  }

  /** The recorded category of a block, in bytes (lower bound), for tests and pg_freespace-like views. */
  getFreeSpace(rel: RelFileLocator, heapBlock: number): number {
    const fsmBlock = Math.floor(heapBlock / FSM_SLOTS_PER_PAGE);
    const buf = this.fsmBuffer(rel, fsmBlock, false);
    if (buf === 0) return 0;
    this.bufmgr.lockBuffer(buf, BUFFER_LOCK_SHARE);
    const page = this.bufmgr.getPage(buf);
    const cat = pageIsNew(page) ? 0 : page[SIZE_OF_PAGE_HEADER + heapBlock - fsmBlock * FSM_SLOTS_PER_PAGE];
    this.bufmgr.unlockReleaseBuffer(buf);
    return cat * FSM_CAT_STEP;
  }

  /** FreeSpaceMapVacuumRange / truncation: forgets entries at and beyond nblocks. */
  truncate(rel: RelFileLocator, heapBlocks: number): void {
    const fsmPages = this.bufmgr.nblocks(rel, ForkNumber.FSM);
    for (let fsmBlock = Math.floor(heapBlocks / FSM_SLOTS_PER_PAGE); fsmBlock < fsmPages; fsmBlock++) {
      const buf = this.bufmgr.readBuffer(rel, ForkNumber.FSM, fsmBlock, ReadBufferMode.ZeroOnError);
      this.bufmgr.lockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
      const page = this.bufmgr.getPage(buf);
      if (!pageIsNew(page)) {
        const from = Math.max(0, heapBlocks - fsmBlock * FSM_SLOTS_PER_PAGE);
        page.fill(0, SIZE_OF_PAGE_HEADER + from, BLCKSZ);
        this.bufmgr.markBufferDirty(buf);
      }
      this.bufmgr.unlockReleaseBuffer(buf);
    }
  }
}
