/*
 * itemid.ts — line pointers (PostgreSQL's itemid.h and off.h).
 *
 * A page's line pointer array starts right after the 24-byte page header;
 * line pointer n (an OffsetNumber, counted from 1) is 4 bytes at
 * 24 + 4 * (n - 1). Index entries and tuple identifiers (TIDs) name an item
 * by its offset number, never by its byte position, so the page may move the
 * item's bytes (compaction) without anyone outside noticing.
 *
 * One line pointer (ItemIdData) is a little-endian uint32 whose fields sit
 * where C bitfields `lp_off:15, lp_flags:2, lp_len:15` land on a
 * little-endian machine, so page images match PostgreSQL's:
 *
 *   31                      17 16  15 14                        0
 *   +-------------------------+------+--------------------------+
 *   |       lp_len (15)       |flags |       lp_off (15)        |
 *   +-------------------------+------+--------------------------+
 *
 *   LP_UNUSED   0  free for reuse; lp_off = lp_len = 0
 *   LP_NORMAL   1  lp_off, lp_len locate the item (lp_len exact, not MAXALIGN'd)
 *   LP_REDIRECT 2  HOT: lp_off is the offset number of the chain's next member; lp_len = 0
 *   LP_DEAD     3  dead; lp_len != 0 if its bytes are still on the page
 *
 * The routines on a packed word (itemIdGetOffset, itemIdIsNormal, ...) take
 * the number itemIdGet returned, so a scan reads each line pointer once.
 *
 * Exports: LP_* states, INVALID_OFFSET_NUMBER, FIRST_OFFSET_NUMBER, the field
 * masks; itemIdMake, itemIdGetOffset/Flags/Length, itemIdIsUsed/IsNormal/
 * IsRedirected/IsDead/HasStorage on a packed word; itemIdGet, itemIdSet,
 * itemIdSetUnused/Normal/Redirect/Dead, itemIdMarkDead on a page.
 */

import { BLCKSZ, MAX_OFFSET_NUMBER, SIZE_OF_ITEM_ID, SIZE_OF_PAGE_HEADER } from '../../constants.ts';
import { Assert } from '../../utils/errors.ts';

export const LP_UNUSED = 0;
export const LP_NORMAL = 1;
export const LP_REDIRECT = 2;
export const LP_DEAD = 3;

/** "No line pointer": also what pageAddItem returns when the item does not fit. */
export const INVALID_OFFSET_NUMBER = 0;
export const FIRST_OFFSET_NUMBER = 1;

export const LP_OFF_MASK = 0x7fff;
export const LP_FLAGS_SHIFT = 15;
export const LP_LEN_SHIFT = 17;
/** Largest lp_off or lp_len: 15 bits. */
export const LP_FIELD_MAX = 0x7fff;

Assert(BLCKSZ <= LP_FIELD_MAX + 1, 'lp_off and lp_len must be able to address every byte of a page');
Assert(SIZE_OF_ITEM_ID === 4, 'a line pointer is one 32-bit word');

/** Byte position of line pointer `off`. */
function lpPos(off: number): number {
  return SIZE_OF_PAGE_HEADER + ((off - 1) << 2);
}

/** Packs the three fields of a line pointer. */
export function itemIdMake(lpOff: number, flags: number, len: number): number {
  return ((lpOff & LP_OFF_MASK) | ((flags & 3) << LP_FLAGS_SHIFT) | ((len & LP_FIELD_MAX) << LP_LEN_SHIFT)) >>> 0;
}

/** lp_off: the item's byte offset in the page, or a redirect's target offset number. */
export function itemIdGetOffset(lp: number): number {
  return lp & LP_OFF_MASK;
}

export function itemIdGetFlags(lp: number): number {
  return (lp >>> LP_FLAGS_SHIFT) & 3;
}

/** lp_len: the item's exact length in bytes. */
export function itemIdGetLength(lp: number): number {
  return lp >>> LP_LEN_SHIFT;
}

export function itemIdIsUsed(lp: number): boolean {
  return ((lp >>> LP_FLAGS_SHIFT) & 3) !== LP_UNUSED;
}

export function itemIdIsNormal(lp: number): boolean {
  return ((lp >>> LP_FLAGS_SHIFT) & 3) === LP_NORMAL;
}

export function itemIdIsRedirected(lp: number): boolean {
  return ((lp >>> LP_FLAGS_SHIFT) & 3) === LP_REDIRECT;
}

export function itemIdIsDead(lp: number): boolean {
  return ((lp >>> LP_FLAGS_SHIFT) & 3) === LP_DEAD;
}

/** The line pointer still owns bytes in the item area (lp_len != 0). */
export function itemIdHasStorage(lp: number): boolean {
  return lp >>> LP_LEN_SHIFT !== 0;
}

/**
 * The packed line pointer `off` (1..pageGetMaxOffsetNumber). Unchecked: this
 * is the inner loop of a sequential scan, and the caller bounds `off`.
 */
export function itemIdGet(page: Uint8Array, off: number): number {
  const o = lpPos(off);
  return (page[o] | (page[o + 1] << 8) | (page[o + 2] << 16) | (page[o + 3] << 24)) >>> 0;
}

/** Writes line pointer `off`. The caller keeps pd_lower covering it. */
export function itemIdSet(page: Uint8Array, off: number, lpOff: number, flags: number, len: number): void {
  Assert(off >= FIRST_OFFSET_NUMBER && off <= MAX_OFFSET_NUMBER, 'offset number out of range');
  Assert(lpOff >= 0 && lpOff <= LP_FIELD_MAX && len >= 0 && len <= LP_FIELD_MAX, 'line pointer field out of range');
  const w = itemIdMake(lpOff, flags, len);
  const o = lpPos(off);
  page[o] = w;
  page[o + 1] = w >>> 8;
  page[o + 2] = w >>> 16;
  page[o + 3] = w >>> 24;
}

export function itemIdSetUnused(page: Uint8Array, off: number): void {
  itemIdSet(page, off, 0, LP_UNUSED, 0);
}

export function itemIdSetNormal(page: Uint8Array, off: number, lpOff: number, len: number): void {
  itemIdSet(page, off, lpOff, LP_NORMAL, len);
}

/** Redirects line pointer `off` to offset number `target` (HOT), releasing its storage. */
export function itemIdSetRedirect(page: Uint8Array, off: number, target: number): void {
  itemIdSet(page, off, target, LP_REDIRECT, 0);
}

/** Marks `off` dead and releases its storage (pruning). */
export function itemIdSetDead(page: Uint8Array, off: number): void {
  itemIdSet(page, off, 0, LP_DEAD, 0);
}

/** Marks `off` dead but keeps its storage (an index entry killed by a scan). */
export function itemIdMarkDead(page: Uint8Array, off: number): void {
  const lp = itemIdGet(page, off);
  itemIdSet(page, off, lp & LP_OFF_MASK, LP_DEAD, lp >>> LP_LEN_SHIFT);
}
