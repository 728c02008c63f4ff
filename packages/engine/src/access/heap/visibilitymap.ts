/*
 * visibilitymap.ts — two bits per heap page: ALL_VISIBLE (every tuple is
 * visible to every transaction) and ALL_FROZEN (every tuple is frozen), as
 * PostgreSQL's visibilitymap.c.
 *
 * A VM page is a normal page header followed by the bit map:
 *
 *   0        24                                                8192
 *   +--------+--------------------------------------------------+
 *   | header | b0:VF b1:VF b2:VF b3:VF | b4 ... (4 heap blocks/byte)|
 *   +--------+--------------------------------------------------+
 *   V = ALL_VISIBLE (bit 0 of the pair), F = ALL_FROZEN (bit 1)
 *
 * Rules (PostgreSQL's):
 *  1. A bit is set only by VACUUM, under an exclusive lock on the heap page,
 *     after the heap page's PD_ALL_VISIBLE flag is set, and WAL-logged with an
 *     XLOG_HEAP2_VISIBLE record whose LSN goes on the VM page, so the VM page
 *     cannot reach disk before the WAL that justifies it.
 *  2. Any change that makes a tuple not visible to all (insert, update,
 *     delete, lock) clears the bits and PD_ALL_VISIBLE together while holding
 *     the heap page's exclusive lock; the heap WAL record carries a flag so
 *     redo clears them too. Clearing needs no WAL of its own.
 *  3. VM pages are read with ZeroOnError: a damaged VM page reads as "nothing
 *     is all-visible", which is always safe (PostgreSQL does the same).
 *  4. ALL_FROZEN is never set without ALL_VISIBLE.
 */

import { BLCKSZ, SIZE_OF_PAGE_HEADER } from '../../constants.ts';
import { BUFFER_LOCK_EXCLUSIVE, BUFFER_LOCK_SHARE, BUFFER_LOCK_UNLOCK, ReadBufferMode } from '../../storage/buffer/buf_internals.ts';
import type { BufferManager } from '../../storage/buffer/bufmgr.ts';
import { pageInit, pageIsNew, pageSetLSN } from '../../storage/page/bufpage.ts';
import { ForkNumber, type RelFileLocator } from '../../storage/relfilelocator.ts';

export const VISIBILITYMAP_ALL_VISIBLE = 0x01;
export const VISIBILITYMAP_ALL_FROZEN = 0x02;
export const VISIBILITYMAP_VALID_BITS = 0x03;

const MAPSIZE = BLCKSZ - SIZE_OF_PAGE_HEADER;
export const HEAPBLOCKS_PER_VM_PAGE = MAPSIZE * 4;

export function vmBlockOf(heapBlock: number): number {
  return Math.floor(heapBlock / HEAPBLOCKS_PER_VM_PAGE);
}

function byteAndShift(heapBlock: number): { byte: number; shift: number } {
  const inPage = heapBlock % HEAPBLOCKS_PER_VM_PAGE;
  return { byte: SIZE_OF_PAGE_HEADER + (inPage >> 2), shift: (inPage & 3) * 2 };
}

/** A VM page kept pinned across getStatusPinned calls (PostgreSQL's vmbuffer); start with { buffer: 0, vmBlock: -1 }. */
export interface VmPin {
  buffer: number;
  vmBlock: number;
}

export class VisibilityMap {
  private readonly bufmgr: BufferManager;

  constructor(bufmgr: BufferManager) {
    this.bufmgr = bufmgr;
  }

  /**
   * visibilitymap_pin: the VM page covering heapBlock, pinned (not locked),
   * extending the VM fork when `extend`; 0 if it does not exist and !extend.
   */
  pin(rel: RelFileLocator, heapBlock: number, extend: boolean): number {
    const vmBlock = vmBlockOf(heapBlock);
    const n = this.bufmgr.nblocks(rel, ForkNumber.VISIBILITYMAP);
    if (vmBlock >= n) {
      if (!extend) return 0;
      for (let b = n; b <= vmBlock; b++) {
        const buf = this.bufmgr.extendBuffer(rel, ForkNumber.VISIBILITYMAP);
        pageInit(this.bufmgr.getPage(buf), 0);
        this.bufmgr.markBufferDirty(buf);
        this.bufmgr.unlockReleaseBuffer(buf);
      }
    }
    return this.bufmgr.readBuffer(rel, ForkNumber.VISIBILITYMAP, vmBlock, ReadBufferMode.ZeroOnError);
  }

  /** Drops the pin that pin() took. */
  release(vmBuf: number): void {
    this.bufmgr.releaseBuffer(vmBuf);
  }

  /** visibilitymap_get_status */
  getStatus(rel: RelFileLocator, heapBlock: number): number {
    const buf = this.pin(rel, heapBlock, false);
    if (buf === 0) return 0;
    this.bufmgr.lockBuffer(buf, BUFFER_LOCK_SHARE);
    const page = this.bufmgr.getPage(buf);
    const { byte, shift } = byteAndShift(heapBlock);
    const bits = pageIsNew(page) ? 0 : (page[byte] >> shift) & VISIBILITYMAP_VALID_BITS;
    this.bufmgr.unlockReleaseBuffer(buf);
    return bits;
  }

  /**
   * visibilitymap_get_status with the caller's vmbuffer: the VM page stays
   * pinned in `pin` between calls (end the caller's use with releasePin),
   * and the bits are read without a content lock, as PostgreSQL does: a
   * byte is read whole, and a bit cleared a moment after the read concerns
   * a change the reader's snapshot cannot see anyway. A VM fork that did not
   * exist on the first look reads as 0 (not all-visible, always safe).
   */
  getStatusPinned(rel: RelFileLocator, heapBlock: number, pin: VmPin): number {
    const vmBlock = vmBlockOf(heapBlock);
    if (pin.vmBlock !== vmBlock) {
      this.releasePin(pin);
      pin.buffer = this.pin(rel, heapBlock, false);
      pin.vmBlock = vmBlock;
    }
    if (pin.buffer === 0) return 0;
    // byteAndShift inlined: this runs once per index entry of an index-only scan.
    const inPage = heapBlock - vmBlock * HEAPBLOCKS_PER_VM_PAGE;
    const page = this.bufmgr.getPage(pin.buffer);
    return (page[SIZE_OF_PAGE_HEADER + (inPage >> 2)] >> ((inPage & 3) * 2)) & VISIBILITYMAP_VALID_BITS;
  }

  /** Drops the pin getStatusPinned keeps. Safe to call twice. */
  releasePin(pin: VmPin): void {
    if (pin.buffer !== 0) this.bufmgr.releaseBuffer(pin.buffer);
    pin.buffer = 0;
    pin.vmBlock = -1;
  }

  /**
   * visibilitymap_set: sets bits for heapBlock on the pinned VM buffer. `lsn`
   * is the XLOG_HEAP2_VISIBLE record's end (0 during redo of an image).
   */
  set(vmBuf: number, heapBlock: number, flags: number, lsn: number): void {
    this.bufmgr.lockBuffer(vmBuf, BUFFER_LOCK_EXCLUSIVE);
    const page = this.bufmgr.getPage(vmBuf);
    if (pageIsNew(page)) pageInit(page, 0);
    const { byte, shift } = byteAndShift(heapBlock);
    const cur = (page[byte] >> shift) & VISIBILITYMAP_VALID_BITS;
    if ((cur & flags) !== flags) {
      page[byte] |= flags << shift;
      if (lsn !== 0) pageSetLSN(page, lsn);
      this.bufmgr.markBufferDirty(vmBuf);
    }
    this.bufmgr.lockBuffer(vmBuf, BUFFER_LOCK_UNLOCK);
  }

  /** visibilitymap_clear: clears `flags` for heapBlock; true if anything changed. */
  clear(rel: RelFileLocator, heapBlock: number, flags = VISIBILITYMAP_VALID_BITS): boolean {
    const buf = this.pin(rel, heapBlock, false);
    if (buf === 0) return false;
    this.bufmgr.lockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
    const page = this.bufmgr.getPage(buf);
    const { byte, shift } = byteAndShift(heapBlock);
    let changed = false;
    if (!pageIsNew(page) && ((page[byte] >> shift) & flags) !== 0) {
      page[byte] &= ~(flags << shift);
      this.bufmgr.markBufferDirty(buf);
      changed = true;
    }
    this.bufmgr.unlockReleaseBuffer(buf);
    return changed;
  }

  /** visibilitymap_count: pages marked all-visible and all-frozen (relallvisible for ANALYZE). */
  count(rel: RelFileLocator, heapBlocks: number): { allVisible: number; allFrozen: number } {
    let allVisible = 0;
    let allFrozen = 0;
    for (let b = 0; b < heapBlocks; b++) {
      const s = this.getStatus(rel, b);
      if (s & VISIBILITYMAP_ALL_VISIBLE) allVisible++;
      if (s & VISIBILITYMAP_ALL_FROZEN) allFrozen++;
    }
    return { allVisible, allFrozen };
  }

  /** visibilitymap_prepare_truncate: clears bits for heap blocks >= nheapblocks. */
  truncate(rel: RelFileLocator, nheapblocks: number): void {
    const vmPages = this.bufmgr.nblocks(rel, ForkNumber.VISIBILITYMAP);
    for (let vmBlock = vmBlockOf(nheapblocks); vmBlock < vmPages; vmBlock++) {
      const buf = this.bufmgr.readBuffer(rel, ForkNumber.VISIBILITYMAP, vmBlock, ReadBufferMode.ZeroOnError);
      this.bufmgr.lockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
      const page = this.bufmgr.getPage(buf);
      if (!pageIsNew(page)) {
        const first = vmBlock * HEAPBLOCKS_PER_VM_PAGE;
        for (let hb = Math.max(first, nheapblocks); hb < first + HEAPBLOCKS_PER_VM_PAGE; hb++) {
          const { byte, shift } = byteAndShift(hb);
          if ((hb & 3) === 0 && hb + 4 <= first + HEAPBLOCKS_PER_VM_PAGE) {
            page.fill(0, byte);
            break;
          }
          page[byte] &= ~(VISIBILITYMAP_VALID_BITS << shift);
        }
        this.bufmgr.markBufferDirty(buf);
      }
      this.bufmgr.unlockReleaseBuffer(buf);
    }
  }
}
