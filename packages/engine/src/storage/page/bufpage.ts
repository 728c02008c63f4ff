/*
 * bufpage.ts — the slotted page: PostgreSQL's bufpage.h and bufpage.c.
 *
 * Every heap and index page is a page in this format. The functions work on a
 * caller's Uint8Array of exactly BLCKSZ bytes, usually a subarray of the
 * buffer pool's SharedArrayBuffer; they read and write it directly, allocate
 * nothing and keep no state between calls (scratch arrays aside). The caller
 * holds the buffer lock the operation needs (README.md, "Locking").
 *
 * Exported routines:
 *   layout     pageInit, pageIsNew, pageIsEmpty, pageGetLower/Upper/Special,
 *              pageGetSpecialSize, pageGetPageSize, pageGetPageLayoutVersion
 *   header     pageGetLSN/SetLSN, pageGetChecksum/SetChecksum, pageGetFlags/SetFlags
 *              and the three flag helpers each, pageGetPrunXid/SetPrunXid
 *   items      pageGetMaxOffsetNumber, pageGetItemOffset, pageGetItemLength
 *              (and, from itemid.ts, the itemId* routines and LP_* states)
 *   space      pageAddItem, pageGetFreeSpace, pageGetHeapFreeSpace,
 *              pageGetExactFreeSpace
 *   heap       pageRepairFragmentation, pageTruncateLinePointerArray
 *   index      pageIndexTupleDelete, pageIndexMultiDelete, pageIndexTupleOverwrite
 *   checks     pageHeaderIsValid, pageVerifyChecksum, pageIsVerified,
 *              pageSetChecksumInplace, pageSetChecksumCopy, pageCheckItems
 *
 * The page (offsets in bytes; README.md numbers the rules that hold):
 *
 *   0                 24            pd_lower          pd_upper                   pd_special  BLCKSZ
 *   +-----------------+---+---+---+-----------------+-------+--------+--------+---------+
 *   | PageHeaderData  |lp1|lp2|...| free space ->   | <-... | item 2 | item 1 | special |
 *   +-----------------+---+---+---+-----------------+-------+--------+--------+---------+
 *                     line pointers grow up         items grow down           index AMs only
 *
 * The header, 24 bytes, little-endian:
 *
 *   0        4         8           10         12         14         16           18                   20             24
 *   +--------+---------+-----------+----------+----------+----------+------------+--------------------+--------------+
 *   | pd_lsn           |pd_checksum| pd_flags | pd_lower | pd_upper | pd_special |pd_pagesize_version | pd_prune_xid |
 *   | xlogid | xrecoff |  uint16   |  uint16  |  uint16  |  uint16  |   uint16   | BLCKSZ | version   |    uint32    |
 *   +--------+---------+-----------+----------+----------+----------+------------+--------------------+--------------+
 *     uint32   uint32
 *
 *   pd_lsn       WAL position just past the last record that changed the page;
 *                exposed as one number, xlogid * 2^32 + xrecoff (exact below 2^53)
 *   pd_checksum  checksum.ts's value, 0 if never stamped
 *   pd_flags     PD_HAS_FREE_LINES | PD_PAGE_FULL | PD_ALL_VISIBLE
 *   pd_lower     end of the line pointer array = start of free space
 *   pd_upper     start of the item area = end of free space
 *   pd_special   start of the access method's special space (BLCKSZ if none)
 *   pd_pagesize_version  BLCKSZ | PG_PAGE_LAYOUT_VERSION (low byte)
 *   pd_prune_xid oldest XID whose deletion may leave something to prune, or 0
 *
 * Line pointers (ItemIdData, 4 bytes each from byte 24) are drawn and
 * handled in itemid.ts, re-exported from here as bufpage.h includes itemid.h.
 * Offset numbers count line pointers from 1 (FIRST_OFFSET_NUMBER);
 * INVALID_OFFSET_NUMBER (0) means "none" or "no room".
 *
 * Fields are read and written a byte at a time: V8 compiles `p[o] | p[o+1] << 8`
 * to two bounds-checked loads, which measured several times faster than
 * fetching a cached Uint16Array view of the buffer on every call. So nothing
 * here depends on the platform's byte order.
 */

import {
  BLCKSZ,
  MAX_HEAP_TUPLES_PER_PAGE,
  MAX_OFFSET_NUMBER,
  MAXIMUM_ALIGNOF,
  PG_PAGE_LAYOUT_VERSION,
  SIZE_OF_ITEM_ID,
  SIZE_OF_PAGE_HEADER,
  maxAlign,
} from '../../constants.ts';
import { Assert, PgError, SQLSTATE, elog } from '../../utils/errors.ts';
import { pageChecksum } from './checksum.ts';
import {
  FIRST_OFFSET_NUMBER,
  INVALID_OFFSET_NUMBER,
  LP_FLAGS_SHIFT,
  LP_LEN_SHIFT,
  LP_NORMAL,
  LP_OFF_MASK,
  LP_REDIRECT,
  LP_UNUSED,
  itemIdMake,
} from './itemid.ts';

export * from './itemid.ts';

/* ---- header field offsets ---- */
const PD_LSN_XLOGID = 0;
const PD_LSN_XRECOFF = 4;
const PD_CHECKSUM = 8;
const PD_FLAGS = 10;
const PD_LOWER = 12;
const PD_UPPER = 14;
const PD_SPECIAL = 16;
const PD_PAGESIZE_VERSION = 18;
const PD_PRUNE_XID = 20;

/* ---- pd_flags bits ---- */
/**
 * There may be LP_UNUSED line pointers before pd_lower. A hint: it is not
 * WAL-logged, so it can be wrong either way; pageAddItem corrects it when set.
 */
export const PD_HAS_FREE_LINES = 0x0001;
/** The last UPDATE found no room for a new tuple version: prune before trying again. */
export const PD_PAGE_FULL = 0x0002;
/** Every tuple on the page is visible to every transaction (mirrors the visibility map bit). */
export const PD_ALL_VISIBLE = 0x0004;
/** Bits a valid page may have set. */
export const PD_VALID_FLAG_BITS = 0x0007;

/**
 * How pageAddItem copies an item: one that is its whole array with the native
 * TypedArray.set (no allocation); a slice of a larger array this short byte
 * by byte; a longer slice through a subarray view, one small allocation that
 * still beats a byte loop past this length (measured on a SharedArrayBuffer
 * page: a 100-byte loop 130 ns, subarray + set 75 ns, set of a whole array 30 ns).
 */
const COPY_BY_LOOP_MAX = 16;

Assert((BLCKSZ | PG_PAGE_LAYOUT_VERSION) <= 0xffff && (PG_PAGE_LAYOUT_VERSION & ~0xff) === 0, 'pd_pagesize_version must fit');
Assert(SIZE_OF_PAGE_HEADER === 24 && SIZE_OF_ITEM_ID === 4, 'header and line pointer sizes are fixed by the format');

/*
 * Scratch arrays of the compaction routines, one per backend (module), sized
 * for the most line pointers a page can hold. Indexed by item k in 0..n-1.
 */
const scratchLp = new Uint16Array(MAX_OFFSET_NUMBER); // offset number whose lp_off is rewritten
const scratchOff = new Uint16Array(MAX_OFFSET_NUMBER); // item's current offset
const scratchAlen = new Uint16Array(MAX_OFFSET_NUMBER); // item's MAXALIGN'd length
const scratchWord = new Uint32Array(MAX_OFFSET_NUMBER); // kept line pointers (pageIndexMultiDelete)
/** Item k + 1 that starts at byte slot * MAXIMUM_ALIGNOF, 0 for none. */
const scratchSlot = new Uint16Array(BLCKSZ / MAXIMUM_ALIGNOF + 1);

/* ------------------------------------------------------------------------ */
/* Byte access                                                               */
/* ------------------------------------------------------------------------ */

function get16(page: Uint8Array, o: number): number {
  return page[o] | (page[o + 1] << 8);
}

function put16(page: Uint8Array, o: number, v: number): void {
  page[o] = v;
  page[o + 1] = v >>> 8;
}

function get32(page: Uint8Array, o: number): number {
  return (page[o] | (page[o + 1] << 8) | (page[o + 2] << 16) | (page[o + 3] << 24)) >>> 0;
}

function put32(page: Uint8Array, o: number, v: number): void {
  page[o] = v;
  page[o + 1] = v >>> 8;
  page[o + 2] = v >>> 16;
  page[o + 3] = v >>> 24;
}

/** Byte position of line pointer `off` (1-based). */
function lpPos(off: number): number {
  return SIZE_OF_PAGE_HEADER + ((off - 1) << 2);
}

function copyIn(page: Uint8Array, dst: number, src: Uint8Array, srcStart: number, len: number): void {
  if (srcStart === 0 && len === src.length) {
    page.set(src, dst);
  } else if (len <= COPY_BY_LOOP_MAX) {
    for (let i = 0; i < len; i++) page[dst + i] = src[srcStart + i];
  } else {
    page.set(src.subarray(srcStart, srcStart + len), dst);
  }
}

/** The DataView of the page shiftLinePointersUp used last (an index insert's page is usually the one before). */
let shiftPage: Uint8Array | null = null;
let shiftView: DataView | null = null;

/**
 * Moves the line pointers in page[from, to) up by one line pointer, the
 * highest first (PageAddItem's memmove for an index page). 32-bit moves
 * through a DataView: copyWithin on an array over a SharedArrayBuffer (the
 * buffer pool) moves byte by byte, about four times slower for the few
 * hundred bytes of line pointers an index page shifts per insert.
 */
function shiftLinePointersUp(page: Uint8Array, from: number, to: number): void {
  if (page !== shiftPage || shiftView === null) {
    shiftPage = page;
    shiftView = new DataView(page.buffer, page.byteOffset, page.byteLength);
  }
  const dv = shiftView;
  for (let j = to - SIZE_OF_ITEM_ID; j >= from; j -= SIZE_OF_ITEM_ID) dv.setUint32(j + SIZE_OF_ITEM_ID, dv.getUint32(j, true), true);
}

function corrupted(message: string): never {
  throw new PgError(SQLSTATE.data_corrupted, message);
}

/**
 * The pointer sanity check the modifying routines make first, as bufpage.c
 * does: working on a page whose pointers are garbage would spread the damage.
 */
function checkPagePointers(page: Uint8Array): void {
  const lower = get16(page, PD_LOWER);
  const upper = get16(page, PD_UPPER);
  const special = get16(page, PD_SPECIAL);
  if (
    lower < SIZE_OF_PAGE_HEADER ||
    lower > upper ||
    upper > special ||
    special > BLCKSZ ||
    special !== maxAlign(special)
  ) {
    corrupted(`corrupted page pointers: lower = ${lower}, upper = ${upper}, special = ${special}`);
  }
}

function assertPage(page: Uint8Array): void {
  Assert(page.length === BLCKSZ, 'page must be BLCKSZ bytes');
}

/* ------------------------------------------------------------------------ */
/* Layout                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * Formats an empty page with `specialSize` bytes (rounded up to MAXALIGN) of
 * special space at the end, zeroing everything else.
 */
export function pageInit(page: Uint8Array, specialSize: number): void {
  assertPage(page);
  const special = maxAlign(specialSize);
  Assert(specialSize >= 0 && special + SIZE_OF_PAGE_HEADER < BLCKSZ, 'special space too large for a page');
  page.fill(0);
  put16(page, PD_LOWER, SIZE_OF_PAGE_HEADER);
  put16(page, PD_UPPER, BLCKSZ - special);
  put16(page, PD_SPECIAL, BLCKSZ - special);
  put16(page, PD_PAGESIZE_VERSION, BLCKSZ | PG_PAGE_LAYOUT_VERSION);
}

/** A page never initialized (pd_upper = 0): what a freshly extended block reads as. */
export function pageIsNew(page: Uint8Array): boolean {
  return get16(page, PD_UPPER) === 0;
}

/** No line pointers at all. */
export function pageIsEmpty(page: Uint8Array): boolean {
  return get16(page, PD_LOWER) <= SIZE_OF_PAGE_HEADER;
}

export function pageGetLower(page: Uint8Array): number {
  return get16(page, PD_LOWER);
}

export function pageGetUpper(page: Uint8Array): number {
  return get16(page, PD_UPPER);
}

/** Byte offset of the special space (PageGetSpecialPointer as an offset). */
export function pageGetSpecial(page: Uint8Array): number {
  return get16(page, PD_SPECIAL);
}

export function pageGetSpecialSize(page: Uint8Array): number {
  return BLCKSZ - get16(page, PD_SPECIAL);
}

export function pageGetPageSize(page: Uint8Array): number {
  return get16(page, PD_PAGESIZE_VERSION) & 0xff00;
}

export function pageGetPageLayoutVersion(page: Uint8Array): number {
  return get16(page, PD_PAGESIZE_VERSION) & 0x00ff;
}

/* ------------------------------------------------------------------------ */
/* Header fields                                                             */
/* ------------------------------------------------------------------------ */

/** The page's LSN as one number: xlogid * 2^32 + xrecoff. */
export function pageGetLSN(page: Uint8Array): number {
  return get32(page, PD_LSN_XLOGID) * 4294967296 + get32(page, PD_LSN_XRECOFF);
}

export function pageSetLSN(page: Uint8Array, lsn: number): void {
  Assert(lsn >= 0 && lsn <= Number.MAX_SAFE_INTEGER, 'LSN must be a non-negative safe integer');
  put32(page, PD_LSN_XLOGID, Math.floor(lsn / 4294967296));
  put32(page, PD_LSN_XRECOFF, lsn >>> 0);
}

export function pageGetChecksum(page: Uint8Array): number {
  return get16(page, PD_CHECKSUM);
}

export function pageSetChecksum(page: Uint8Array, checksum: number): void {
  put16(page, PD_CHECKSUM, checksum);
}

export function pageGetFlags(page: Uint8Array): number {
  return get16(page, PD_FLAGS);
}

export function pageSetFlags(page: Uint8Array, flags: number): void {
  put16(page, PD_FLAGS, flags);
}

export function pageHasFreeLinePointers(page: Uint8Array): boolean {
  return (page[PD_FLAGS] & PD_HAS_FREE_LINES) !== 0;
}

export function pageSetHasFreeLinePointers(page: Uint8Array): void {
  page[PD_FLAGS] |= PD_HAS_FREE_LINES;
}

export function pageClearHasFreeLinePointers(page: Uint8Array): void {
  page[PD_FLAGS] &= ~PD_HAS_FREE_LINES;
}

export function pageIsFull(page: Uint8Array): boolean {
  return (page[PD_FLAGS] & PD_PAGE_FULL) !== 0;
}

export function pageSetFull(page: Uint8Array): void {
  page[PD_FLAGS] |= PD_PAGE_FULL;
}

export function pageClearFull(page: Uint8Array): void {
  page[PD_FLAGS] &= ~PD_PAGE_FULL;
}

export function pageIsAllVisible(page: Uint8Array): boolean {
  return (page[PD_FLAGS] & PD_ALL_VISIBLE) !== 0;
}

export function pageSetAllVisible(page: Uint8Array): void {
  page[PD_FLAGS] |= PD_ALL_VISIBLE;
}

export function pageClearAllVisible(page: Uint8Array): void {
  page[PD_FLAGS] &= ~PD_ALL_VISIBLE;
}

export function pageGetPrunXid(page: Uint8Array): number {
  return get32(page, PD_PRUNE_XID);
}

export function pageSetPrunXid(page: Uint8Array, xid: number): void {
  put32(page, PD_PRUNE_XID, xid);
}

/* ------------------------------------------------------------------------ */
/* Line pointers (the rest is in itemid.ts)                                  */
/* ------------------------------------------------------------------------ */

/** Number of line pointers, i.e. the largest offset number in use (0 if none). */
export function pageGetMaxOffsetNumber(page: Uint8Array): number {
  const lower = get16(page, PD_LOWER);
  return lower <= SIZE_OF_PAGE_HEADER ? 0 : (lower - SIZE_OF_PAGE_HEADER) >>> 2;
}

/** Byte offset of item `off` in the page (PageGetItem as an offset). */
export function pageGetItemOffset(page: Uint8Array, off: number): number {
  return get32(page, lpPos(off)) & LP_OFF_MASK;
}

export function pageGetItemLength(page: Uint8Array, off: number): number {
  return get32(page, lpPos(off)) >>> LP_LEN_SHIFT;
}

/* ------------------------------------------------------------------------ */
/* Adding items and free space                                               */
/* ------------------------------------------------------------------------ */

/**
 * Adds item[itemStart, itemStart + itemLen) to the page (PageAddItemExtended).
 *
 * offsetNumber 0: the item goes to the first unused line pointer if
 * PD_HAS_FREE_LINES says there may be one, else to a new one at the end.
 * offsetNumber n with overwrite: line pointer n must be unused (or n the next
 * new one). offsetNumber n without overwrite: line pointers n.. move up one
 * to make room (index pages, which keep line pointers in key order).
 * isHeap: refuse to go past MAX_HEAP_TUPLES_PER_PAGE line pointers.
 *
 * The item is placed at the top of free space, MAXALIGN'd; lp_len keeps its
 * exact length. Returns the offset number used, or INVALID_OFFSET_NUMBER if
 * there is no room or the request cannot be honoured (where PostgreSQL also
 * logs a WARNING).
 */
export function pageAddItem(
  page: Uint8Array,
  item: Uint8Array,
  itemStart: number,
  itemLen: number,
  offsetNumber: number,
  overwrite: boolean,
  isHeap: boolean,
): number {
  assertPage(page);
  Assert(itemStart >= 0 && itemLen >= 0 && itemStart + itemLen <= item.length, 'item range outside its array');
  const lower0 = get16(page, PD_LOWER);
  const upper0 = get16(page, PD_UPPER);
  const special = get16(page, PD_SPECIAL);
  if (lower0 < SIZE_OF_PAGE_HEADER || lower0 > upper0 || upper0 > special || special > BLCKSZ) {
    // PANIC as in PostgreSQL: callers are inside a critical section.
    throw new PgError(
      SQLSTATE.data_corrupted,
      `corrupted page pointers: lower = ${lower0}, upper = ${upper0}, special = ${special}`,
      { severity: 'PANIC' },
    );
  }

  const limit = ((lower0 - SIZE_OF_PAGE_HEADER) >>> 2) + 1; // the next new offset number
  let off = offsetNumber;
  let shuffle = false;
  if (off !== INVALID_OFFSET_NUMBER) {
    if (off < FIRST_OFFSET_NUMBER) return INVALID_OFFSET_NUMBER;
    if (overwrite) {
      // A used line pointer, or an unused one that still has storage, must not be overwritten.
      if (off < limit && get32(page, lpPos(off)) >>> LP_FLAGS_SHIFT !== 0) return INVALID_OFFSET_NUMBER;
    } else if (off < limit) {
      shuffle = true;
    }
  } else if ((page[PD_FLAGS] & PD_HAS_FREE_LINES) !== 0) {
    for (off = FIRST_OFFSET_NUMBER; off < limit; off++) {
      // Unused and without storage: flags and length both zero.
      if (get32(page, lpPos(off)) >>> LP_FLAGS_SHIFT === 0) break;
    }
    // The hint was stale: no unused line pointer after all.
    if (off >= limit) page[PD_FLAGS] &= ~PD_HAS_FREE_LINES;
  } else {
    off = limit;
  }

  if (off > limit) return INVALID_OFFSET_NUMBER;
  if (isHeap && off > MAX_HEAP_TUPLES_PER_PAGE) return INVALID_OFFSET_NUMBER;

  const lower = off === limit || shuffle ? lower0 + SIZE_OF_ITEM_ID : lower0;
  const upper = upper0 - maxAlign(itemLen);
  if (lower > upper) return INVALID_OFFSET_NUMBER;

  const pos = lpPos(off);
  if (shuffle) shiftLinePointersUp(page, pos, lower0);
  put32(page, pos, itemIdMake(upper, LP_NORMAL, itemLen));
  copyIn(page, upper, item, itemStart, itemLen);
  put16(page, PD_LOWER, lower);
  put16(page, PD_UPPER, upper);
  return off;
}

/**
 * Free space for a new item, allowing for the line pointer it needs
 * (PageGetFreeSpace). A fresh page with no special space: 8192 - 24 - 4 = 8164.
 */
export function pageGetFreeSpace(page: Uint8Array): number {
  const space = get16(page, PD_UPPER) - get16(page, PD_LOWER);
  return space < SIZE_OF_ITEM_ID ? 0 : space - SIZE_OF_ITEM_ID;
}

/** Free bytes between pd_lower and pd_upper, with no allowance (PageGetExactFreeSpace). */
export function pageGetExactFreeSpace(page: Uint8Array): number {
  const space = get16(page, PD_UPPER) - get16(page, PD_LOWER);
  return space < 0 ? 0 : space;
}

/**
 * Free space for a new heap tuple (PageGetHeapFreeSpace): as pageGetFreeSpace,
 * but 0 when the page already has MAX_HEAP_TUPLES_PER_PAGE line pointers and
 * none of them is unused, since then no tuple can be added whatever the bytes.
 */
export function pageGetHeapFreeSpace(page: Uint8Array): number {
  const space = pageGetFreeSpace(page);
  if (space === 0) return 0;
  const nline = pageGetMaxOffsetNumber(page);
  if (nline < MAX_HEAP_TUPLES_PER_PAGE) return space;
  if ((page[PD_FLAGS] & PD_HAS_FREE_LINES) === 0) return 0;
  for (let off = FIRST_OFFSET_NUMBER; off <= nline; off++) {
    if (((get32(page, lpPos(off)) >>> LP_FLAGS_SHIFT) & 3) === LP_UNUSED) return space;
  }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Compaction                                                                */
/* ------------------------------------------------------------------------ */

/*
 * Moves the n items described by scratchLp/Off/Alen[0..n) to the end of the
 * page, packed against pd_special, and rewrites each one's lp_off
 * (compactify_tuples). Items are visited from the highest offset down, found
 * through scratchSlot (items start on MAXALIGN boundaries, so byte offset / 8
 * is a slot with at most one item); each item's new place is then at or above
 * its old one, so moving it upward never overwrites an item not yet moved.
 * Runs of items that move by the same distance are moved with one copyWithin.
 *
 * The caller has checked every offset lies in [pd_upper, pd_special) and the
 * lengths fit; two items sharing a slot or overlapping is corruption.
 */
function compactify(page: Uint8Array, n: number): void {
  const pdUpper = get16(page, PD_UPPER);
  const special = get16(page, PD_SPECIAL);
  const slotLo = pdUpper >>> 3;
  const slotHi = special >>> 3; // exclusive
  scratchSlot.fill(0, slotLo, slotHi);
  for (let k = 0; k < n; k++) {
    const off = scratchOff[k];
    if ((off & (MAXIMUM_ALIGNOF - 1)) !== 0 || scratchSlot[off >>> 3] !== 0) {
      corrupted(`corrupted line pointer: ${off}`);
    }
    scratchSlot[off >>> 3] = k + 1;
  }

  let upper = special;
  let limit = special; // the lowest byte of the items already visited
  let runShift = 0;
  let runLo = 0;
  let runHi = 0;
  for (let slot = slotHi - 1; slot >= slotLo; slot--) {
    const k1 = scratchSlot[slot];
    if (k1 === 0) continue;
    const k = k1 - 1;
    const off = slot << 3;
    const alen = scratchAlen[k];
    if (off + alen > limit) corrupted(`corrupted item lengths: item at ${off} of ${alen} bytes overlaps the next`);
    limit = off;
    upper -= alen;
    const shift = upper - off;
    if (shift !== runShift) {
      if (runShift !== 0) page.copyWithin(runLo + runShift, runLo, runHi);
      runShift = shift;
      runHi = off + alen;
    }
    runLo = off;
    const p = lpPos(scratchLp[k]);
    put32(page, p, ((get32(page, p) & ~LP_OFF_MASK) | upper) >>> 0);
  }
  if (runShift !== 0) page.copyWithin(runLo + runShift, runLo, runHi);
  put16(page, PD_UPPER, upper);
}

/**
 * Packs the items with storage against the end of the page, keeping every
 * line pointer's number (PageRepairFragmentation; heap pruning calls it
 * after marking line pointers unused, dead or redirected). Unused line
 * pointers at the end of the array are removed; PD_HAS_FREE_LINES is set
 * when unused ones remain, cleared otherwise.
 */
export function pageRepairFragmentation(page: Uint8Array): void {
  assertPage(page);
  checkPagePointers(page);
  const lower = get16(page, PD_LOWER);
  const upper = get16(page, PD_UPPER);
  const special = get16(page, PD_SPECIAL);
  const nline = (lower - SIZE_OF_PAGE_HEADER) >>> 2;

  let n = 0;
  let nunused = 0;
  let totalLen = 0;
  let finalUsed = 0;
  for (let i = FIRST_OFFSET_NUMBER; i <= nline; i++) {
    const p = lpPos(i);
    const lp = get32(page, p);
    if (((lp >>> LP_FLAGS_SHIFT) & 3) !== LP_UNUSED) {
      const len = lp >>> LP_LEN_SHIFT;
      if (len !== 0) {
        const off = lp & LP_OFF_MASK;
        if (off < upper || off >= special) corrupted(`corrupted line pointer: ${off}`);
        const alen = maxAlign(len);
        scratchLp[n] = i;
        scratchOff[n] = off;
        scratchAlen[n] = alen;
        totalLen += alen;
        n++;
      }
      finalUsed = i;
    } else {
      // Unused line pointers must have no storage; make sure, as PostgreSQL does.
      if (lp !== 0) put32(page, p, 0);
      nunused++;
    }
  }

  if (n === 0) {
    put16(page, PD_UPPER, special);
  } else {
    if (totalLen > special - lower) {
      corrupted(`corrupted item lengths: total ${totalLen}, available space ${special - lower}`);
    }
    compactify(page, n);
  }

  if (finalUsed !== nline) {
    nunused -= nline - finalUsed;
    put16(page, PD_LOWER, lower - SIZE_OF_ITEM_ID * (nline - finalUsed));
  }
  if (nunused > 0) page[PD_FLAGS] |= PD_HAS_FREE_LINES;
  else page[PD_FLAGS] &= ~PD_HAS_FREE_LINES;
}

/**
 * Removes unused line pointers from the end of the array, always keeping the
 * first (PageTruncateLinePointerArray; VACUUM's second heap pass), and sets
 * or clears PD_HAS_FREE_LINES by whether unused ones remain before them.
 */
export function pageTruncateLinePointerArray(page: Uint8Array): void {
  assertPage(page);
  const lower = get16(page, PD_LOWER);
  const nline = lower <= SIZE_OF_PAGE_HEADER ? 0 : (lower - SIZE_OF_PAGE_HEADER) >>> 2;
  let last = nline;
  while (last > FIRST_OFFSET_NUMBER && ((get32(page, lpPos(last)) >>> LP_FLAGS_SHIFT) & 3) === LP_UNUSED) last--;
  let hasFree = false;
  for (let off = FIRST_OFFSET_NUMBER; off <= last; off++) {
    if (((get32(page, lpPos(off)) >>> LP_FLAGS_SHIFT) & 3) === LP_UNUSED) {
      hasFree = true;
      break;
    }
  }
  if (last < nline) put16(page, PD_LOWER, lower - SIZE_OF_ITEM_ID * (nline - last));
  if (hasFree) page[PD_FLAGS] |= PD_HAS_FREE_LINES;
  else page[PD_FLAGS] &= ~PD_HAS_FREE_LINES;
}

/* ------------------------------------------------------------------------ */
/* Index pages                                                               */
/* ------------------------------------------------------------------------ */

/** Checks line pointer `offnum` of an index page locates an item inside the item area; returns it. */
function indexItem(page: Uint8Array, offnum: number): number {
  const lp = get32(page, lpPos(offnum));
  const off = lp & LP_OFF_MASK;
  const len = lp >>> LP_LEN_SHIFT;
  if (
    off < get16(page, PD_UPPER) ||
    off + len > get16(page, PD_SPECIAL) ||
    (off & (MAXIMUM_ALIGNOF - 1)) !== 0
  ) {
    corrupted(`corrupted line pointer: offset = ${off}, size = ${len}`);
  }
  return lp;
}

/**
 * Deletes item `offnum` of an index page: its line pointer goes (later ones
 * move down one), and the items below it move up over its bytes
 * (PageIndexTupleDelete).
 */
export function pageIndexTupleDelete(page: Uint8Array, offnum: number): void {
  assertPage(page);
  checkPagePointers(page);
  const nline = pageGetMaxOffsetNumber(page);
  if (offnum < FIRST_OFFSET_NUMBER || offnum > nline) elog(`invalid index offnum: ${offnum}`);
  const lp = indexItem(page, offnum);
  const offset = lp & LP_OFF_MASK;
  const size = maxAlign(lp >>> LP_LEN_SHIFT);
  const lower = get16(page, PD_LOWER);
  const upper = get16(page, PD_UPPER);

  const pos = lpPos(offnum);
  if (pos + SIZE_OF_ITEM_ID < lower) page.copyWithin(pos, pos + SIZE_OF_ITEM_ID, lower);
  if (offset > upper) page.copyWithin(upper + size, upper, offset);
  put16(page, PD_UPPER, upper + size);
  put16(page, PD_LOWER, lower - SIZE_OF_ITEM_ID);

  // Items that were below the deleted one moved up by its size.
  for (let i = FIRST_OFFSET_NUMBER; i < nline; i++) {
    const p = lpPos(i);
    const w = get32(page, p);
    if ((w & LP_OFF_MASK) <= offset) put32(page, p, w + size);
  }
}

/**
 * Deletes the items itemnos[0..nitems) of an index page, which must be
 * ascending and distinct; the others keep their order, renumbered from 1,
 * and are packed against the end (PageIndexMultiDelete).
 */
export function pageIndexMultiDelete(page: Uint8Array, itemnos: Uint16Array, nitems: number): void {
  assertPage(page);
  Assert(nitems >= 0 && nitems <= itemnos.length, 'nitems outside itemnos');
  if (nitems === 0) return;
  if (nitems === 1) {
    pageIndexTupleDelete(page, itemnos[0]);
    return;
  }
  checkPagePointers(page);
  const nline = pageGetMaxOffsetNumber(page);
  const special = get16(page, PD_SPECIAL);

  let next = 0;
  let nused = 0;
  let totalLen = 0;
  for (let off = FIRST_OFFSET_NUMBER; off <= nline; off++) {
    const lp = indexItem(page, off);
    if (next < nitems && itemnos[next] === off) {
      next++;
      continue;
    }
    const alen = maxAlign(lp >>> LP_LEN_SHIFT);
    scratchWord[nused] = lp;
    scratchLp[nused] = nused + 1;
    scratchOff[nused] = lp & LP_OFF_MASK;
    scratchAlen[nused] = alen;
    totalLen += alen;
    nused++;
  }
  if (next !== nitems) elog('incorrect index offsets supplied');

  const lower = SIZE_OF_PAGE_HEADER + nused * SIZE_OF_ITEM_ID;
  if (totalLen > special - lower) {
    corrupted(`corrupted item lengths: total ${totalLen}, available space ${special - lower}`);
  }
  for (let k = 0; k < nused; k++) put32(page, lpPos(k + 1), scratchWord[k]);
  put16(page, PD_LOWER, lower);
  compactify(page, nused);
}

/**
 * Replaces item `offnum` of an index page with newtup[start, start + len),
 * keeping its line pointer number; the items below it shift by the size
 * difference (PageIndexTupleOverwrite). Returns false, changing nothing, if
 * the new item does not fit.
 */
export function pageIndexTupleOverwrite(
  page: Uint8Array,
  offnum: number,
  newtup: Uint8Array,
  start: number,
  len: number,
): boolean {
  assertPage(page);
  Assert(start >= 0 && len >= 0 && start + len <= newtup.length, 'item range outside its array');
  checkPagePointers(page);
  const nline = pageGetMaxOffsetNumber(page);
  if (offnum < FIRST_OFFSET_NUMBER || offnum > nline) elog(`invalid index offnum: ${offnum}`);
  const lp = indexItem(page, offnum);
  const offset = lp & LP_OFF_MASK;
  const oldSize = maxAlign(lp >>> LP_LEN_SHIFT);
  const newSize = maxAlign(len);
  const lower = get16(page, PD_LOWER);
  const upper = get16(page, PD_UPPER);
  if (newSize > oldSize + (upper - lower)) return false;

  const diff = oldSize - newSize; // > 0: the item shrinks and the items below move up
  if (diff !== 0) {
    page.copyWithin(upper + diff, upper, offset);
    put16(page, PD_UPPER, upper + diff);
    for (let i = FIRST_OFFSET_NUMBER; i <= nline; i++) {
      const p = lpPos(i);
      const w = get32(page, p);
      if (w >>> LP_LEN_SHIFT !== 0 && (w & LP_OFF_MASK) <= offset) {
        put32(page, p, ((w & ~LP_OFF_MASK) | ((w & LP_OFF_MASK) + diff)) >>> 0);
      }
    }
  }
  const p = lpPos(offnum);
  const newOff = get32(page, p) & LP_OFF_MASK;
  put32(page, p, itemIdMake(newOff, (lp >>> LP_FLAGS_SHIFT) & 3, len));
  copyIn(page, newOff, newtup, start, len);
  return true;
}

/* ------------------------------------------------------------------------ */
/* Verification and checksums                                                */
/* ------------------------------------------------------------------------ */

/**
 * The header sanity checks of PageIsVerified, plus the size/version word and
 * alignment rules this module keeps (README.md rules 1-5). A new (all-zero)
 * page fails them: use pageIsVerified to accept it.
 */
export function pageHeaderIsValid(page: Uint8Array): boolean {
  if (page.length !== BLCKSZ) return false;
  const flags = get16(page, PD_FLAGS);
  const lower = get16(page, PD_LOWER);
  const upper = get16(page, PD_UPPER);
  const special = get16(page, PD_SPECIAL);
  return (
    (flags & ~PD_VALID_FLAG_BITS) === 0 &&
    lower >= SIZE_OF_PAGE_HEADER &&
    ((lower - SIZE_OF_PAGE_HEADER) & (SIZE_OF_ITEM_ID - 1)) === 0 &&
    lower <= upper &&
    upper <= special &&
    special <= BLCKSZ &&
    (upper & (MAXIMUM_ALIGNOF - 1)) === 0 &&
    (special & (MAXIMUM_ALIGNOF - 1)) === 0 &&
    get16(page, PD_PAGESIZE_VERSION) === (BLCKSZ | PG_PAGE_LAYOUT_VERSION)
  );
}

function pageIsAllZero(page: Uint8Array): boolean {
  for (let i = 0; i < BLCKSZ; i++) if (page[i] !== 0) return false;
  return true;
}

/**
 * Whether pd_checksum matches the page's contents at block `blkno`. An
 * all-zero page counts as valid: it is a block that was extended but never
 * written, which is not corruption.
 */
export function pageVerifyChecksum(page: Uint8Array, blkno: number): boolean {
  assertPage(page);
  if (get16(page, PD_UPPER) === 0 && pageIsAllZero(page)) return true;
  return get16(page, PD_CHECKSUM) === pageChecksum(page, blkno);
}

/**
 * The check made on every page read from disk (PageIsVerified): a new page
 * must be all zeroes; any other page needs a matching checksum and a sane
 * header.
 */
export function pageIsVerified(page: Uint8Array, blkno: number): boolean {
  assertPage(page);
  if (get16(page, PD_UPPER) === 0) return pageIsAllZero(page);
  return get16(page, PD_CHECKSUM) === pageChecksum(page, blkno) && pageHeaderIsValid(page);
}

/**
 * Stamps pd_checksum before the page is written to block `blkno`. A new page
 * stays all zeroes (PostgreSQL does not stamp those either). The caller holds
 * the page exclusively or works on a private copy (pageSetChecksumCopy).
 */
export function pageSetChecksumInplace(page: Uint8Array, blkno: number): void {
  assertPage(page);
  if (get16(page, PD_UPPER) === 0) return;
  put16(page, PD_CHECKSUM, pageChecksum(page, blkno));
}

/**
 * Copies the page into `copy` and stamps the copy (PageSetChecksumCopy): for
 * writing a page that others may still change under a share lock, such as
 * hint bits, without the checksum going stale between stamp and write.
 */
export function pageSetChecksumCopy(page: Uint8Array, blkno: number, copy: Uint8Array): void {
  assertPage(page);
  assertPage(copy);
  copy.set(page);
  pageSetChecksumInplace(copy, blkno);
}

/**
 * The deep invariant check (README.md rules 1-8): null if the page is a
 * well-formed page, else a sentence saying what is wrong. Walks every line
 * pointer, so it is for tests, assertions and amcheck-like tools, not for
 * hot paths.
 */
export function pageCheckItems(page: Uint8Array): string | null {
  if (!pageHeaderIsValid(page)) {
    return `bad header: lower ${get16(page, PD_LOWER)}, upper ${get16(page, PD_UPPER)}, special ${get16(page, PD_SPECIAL)}, flags ${get16(page, PD_FLAGS)}`;
  }
  const upper = get16(page, PD_UPPER);
  const special = get16(page, PD_SPECIAL);
  const nline = pageGetMaxOffsetNumber(page);
  let n = 0;
  for (let i = FIRST_OFFSET_NUMBER; i <= nline; i++) {
    const lp = get32(page, lpPos(i));
    const flags = (lp >>> LP_FLAGS_SHIFT) & 3;
    const off = lp & LP_OFF_MASK;
    const len = lp >>> LP_LEN_SHIFT;
    if (flags === LP_UNUSED) {
      if (lp !== 0) return `line pointer ${i} is unused but not zero`;
    } else if (flags === LP_REDIRECT) {
      if (len !== 0 || off < FIRST_OFFSET_NUMBER || off > nline) return `line pointer ${i} redirects to ${off}`;
    } else if (len !== 0) {
      if (off < upper || off + len > special) return `item ${i} at ${off} of ${len} bytes lies outside ${upper}..${special}`;
      if ((off & (MAXIMUM_ALIGNOF - 1)) !== 0) return `item ${i} at ${off} is not MAXALIGN'd`;
      scratchLp[n] = i;
      scratchOff[n] = off;
      scratchAlen[n] = maxAlign(len);
      n++;
    }
  }
  scratchSlot.fill(0, upper >>> 3, special >>> 3);
  for (let k = 0; k < n; k++) {
    if (scratchSlot[scratchOff[k] >>> 3] !== 0) return `items ${scratchSlot[scratchOff[k] >>> 3]} and ${scratchLp[k]} share offset ${scratchOff[k]}`;
    scratchSlot[scratchOff[k] >>> 3] = scratchLp[k];
  }
  let limit = special;
  for (let slot = (special >>> 3) - 1; slot >= upper >>> 3; slot--) {
    const i = scratchSlot[slot];
    if (i === 0) continue;
    const off = slot << 3;
    if (off + maxAlign(get32(page, lpPos(i)) >>> LP_LEN_SHIFT) > limit) return `item ${i} at ${off} overlaps the item above it`;
    limit = off;
  }
  return null;
}
