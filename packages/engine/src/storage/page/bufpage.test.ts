import { describe, expect, it } from 'vitest';
import { BLCKSZ, MAX_HEAP_TUPLES_PER_PAGE, MAX_HEAP_TUPLE_SIZE, PG_PAGE_LAYOUT_VERSION } from '../../constants.ts';
import { isPgError } from '../../utils/errors.ts';
import {
  FIRST_OFFSET_NUMBER,
  INVALID_OFFSET_NUMBER,
  LP_DEAD,
  LP_NORMAL,
  LP_REDIRECT,
  LP_UNUSED,
  PD_ALL_VISIBLE,
  PD_HAS_FREE_LINES,
  PD_PAGE_FULL,
  itemIdGet,
  itemIdGetFlags,
  itemIdGetLength,
  itemIdGetOffset,
  itemIdHasStorage,
  itemIdIsDead,
  itemIdIsNormal,
  itemIdIsRedirected,
  itemIdIsUsed,
  itemIdMake,
  itemIdMarkDead,
  itemIdSet,
  itemIdSetDead,
  itemIdSetRedirect,
  itemIdSetUnused,
  pageAddItem,
  pageCheckItems,
  pageClearAllVisible,
  pageGetChecksum,
  pageGetExactFreeSpace,
  pageGetFlags,
  pageGetFreeSpace,
  pageGetHeapFreeSpace,
  pageGetItemLength,
  pageGetItemOffset,
  pageGetLower,
  pageGetLSN,
  pageGetMaxOffsetNumber,
  pageGetPageLayoutVersion,
  pageGetPageSize,
  pageGetPrunXid,
  pageGetSpecial,
  pageGetSpecialSize,
  pageGetUpper,
  pageHasFreeLinePointers,
  pageHeaderIsValid,
  pageIndexMultiDelete,
  pageIndexTupleDelete,
  pageIndexTupleOverwrite,
  pageInit,
  pageIsAllVisible,
  pageIsEmpty,
  pageIsFull,
  pageIsNew,
  pageIsVerified,
  pageRepairFragmentation,
  pageSetAllVisible,
  pageSetChecksum,
  pageSetChecksumCopy,
  pageSetChecksumInplace,
  pageSetFlags,
  pageSetFull,
  pageSetLSN,
  pageSetPrunXid,
  pageTruncateLinePointerArray,
  pageVerifyChecksum,
} from './bufpage.ts';

function newPage(special = 0): Uint8Array {
  const page = new Uint8Array(BLCKSZ);
  pageInit(page, special);
  return page;
}

/** An item of `len` bytes whose contents say which item it is. */
function itemBytes(tag: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (tag * 31 + i * 7) & 0xff;
  return b;
}

function itemAt(page: Uint8Array, off: number): Uint8Array {
  const start = pageGetItemOffset(page, off);
  return page.slice(start, start + pageGetItemLength(page, off));
}

/** Whether item `off` holds exactly `bytes` (a plain loop: vitest's deep equality is slow on big loops). */
function itemIs(page: Uint8Array, off: number, bytes: Uint8Array): boolean {
  const start = pageGetItemOffset(page, off);
  if (pageGetItemLength(page, off) !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (page[start + i] !== bytes[i]) return false;
  return true;
}

function expectWellFormed(page: Uint8Array): void {
  expect(pageCheckItems(page)).toBeNull();
}

function addHeap(page: Uint8Array, tag: number, len: number): number {
  const item = itemBytes(tag, len);
  return pageAddItem(page, item, 0, len, INVALID_OFFSET_NUMBER, false, true);
}

describe('page header', () => {
  it('pageInit lays out an empty page as PostgreSQL does', () => {
    const page = newPage();
    expect(pageGetLower(page)).toBe(24);
    expect(pageGetUpper(page)).toBe(BLCKSZ);
    expect(pageGetSpecial(page)).toBe(BLCKSZ);
    expect(pageGetSpecialSize(page)).toBe(0);
    expect(pageGetPageSize(page)).toBe(BLCKSZ);
    expect(pageGetPageLayoutVersion(page)).toBe(PG_PAGE_LAYOUT_VERSION);
    expect(page[18] | (page[19] << 8)).toBe(8196);
    expect(pageIsNew(page)).toBe(false);
    expect(pageIsEmpty(page)).toBe(true);
    expect(pageGetMaxOffsetNumber(page)).toBe(0);
    expect(pageHeaderIsValid(page)).toBe(true);

    const btree = newPage(13); // rounded up to 16, as BTPageOpaqueData is
    expect(pageGetSpecial(btree)).toBe(BLCKSZ - 16);
    expect(pageGetUpper(btree)).toBe(BLCKSZ - 16);
    expect(pageGetSpecialSize(btree)).toBe(16);
  });

  it('stores every header field little-endian at its offset', () => {
    const page = newPage();
    pageSetLSN(page, 0x123456 * 4294967296 + 0x9abcdef0);
    expect(Array.from(page.subarray(0, 8))).toEqual([0x56, 0x34, 0x12, 0x00, 0xf0, 0xde, 0xbc, 0x9a]);
    expect(pageGetLSN(page)).toBe(0x123456 * 4294967296 + 0x9abcdef0);
    pageSetLSN(page, Number.MAX_SAFE_INTEGER);
    expect(pageGetLSN(page)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => pageSetLSN(page, -1)).toThrow();

    pageSetChecksum(page, 0xbeef);
    expect(page[8]).toBe(0xef);
    expect(page[9]).toBe(0xbe);
    expect(pageGetChecksum(page)).toBe(0xbeef);

    pageSetPrunXid(page, 0xfffffff0);
    expect(Array.from(page.subarray(20, 24))).toEqual([0xf0, 0xff, 0xff, 0xff]);
    expect(pageGetPrunXid(page)).toBe(0xfffffff0);
  });

  it('sets and clears each flag independently', () => {
    const page = newPage();
    pageSetFull(page);
    pageSetAllVisible(page);
    expect(pageGetFlags(page)).toBe(PD_PAGE_FULL | PD_ALL_VISIBLE);
    expect(pageIsFull(page) && pageIsAllVisible(page) && !pageHasFreeLinePointers(page)).toBe(true);
    pageClearAllVisible(page);
    expect(pageGetFlags(page)).toBe(PD_PAGE_FULL);
    pageSetFlags(page, PD_HAS_FREE_LINES);
    expect(pageHasFreeLinePointers(page)).toBe(true);
    expect(pageIsFull(page)).toBe(false);
    expect(page[10]).toBe(1);
  });
});

describe('line pointers', () => {
  it('pack lp_off in bits 0-14, lp_flags in 15-16 and lp_len in 17-31', () => {
    const w = itemIdMake(8152, LP_NORMAL, 40);
    expect(w).toBe((8152 | (1 << 15) | (40 << 17)) >>> 0);
    expect(itemIdGetOffset(w)).toBe(8152);
    expect(itemIdGetFlags(w)).toBe(LP_NORMAL);
    expect(itemIdGetLength(w)).toBe(40);
    const top = itemIdMake(0x7fff, LP_DEAD, 0x7fff);
    expect(top).toBe(0xffffffff);
    expect(itemIdGetLength(top)).toBe(0x7fff);
    expect(itemIdGetFlags(top)).toBe(LP_DEAD);
  });

  it('round-trip through the page in PostgreSQL byte order', () => {
    const page = newPage();
    const off = addHeap(page, 1, 40);
    expect(off).toBe(FIRST_OFFSET_NUMBER);
    // lp_off 8152 = 0x1FD8, flags 1, len 40: word 0x00509FD8, little-endian bytes
    expect(Array.from(page.subarray(24, 28))).toEqual([0xd8, 0x9f, 0x50, 0x00]);
    const lp = itemIdGet(page, 1);
    expect(itemIdIsNormal(lp) && itemIdIsUsed(lp) && itemIdHasStorage(lp)).toBe(true);

    itemIdMarkDead(page, 1);
    const dead = itemIdGet(page, 1);
    expect(itemIdIsDead(dead)).toBe(true);
    expect(itemIdGetOffset(dead)).toBe(8152);
    expect(itemIdGetLength(dead)).toBe(40);

    itemIdSetRedirect(page, 1, 7);
    expect(itemIdIsRedirected(itemIdGet(page, 1))).toBe(true);
    expect(itemIdGetOffset(itemIdGet(page, 1))).toBe(7);
    expect(itemIdHasStorage(itemIdGet(page, 1))).toBe(false);

    itemIdSetDead(page, 1);
    expect(itemIdGet(page, 1)).toBe(itemIdMake(0, LP_DEAD, 0));
    itemIdSetUnused(page, 1);
    expect(itemIdGet(page, 1)).toBe(0);
    expect(() => itemIdSet(page, 0, 0, LP_NORMAL, 0)).toThrow();
    expect(() => itemIdSet(page, 1, 0x8000, LP_NORMAL, 0)).toThrow();
  });
});

describe('pageAddItem and free space', () => {
  it('a fresh heap page has PostgreSQL free space numbers', () => {
    const page = newPage();
    // pd_upper - pd_lower = 8192 - 24; PageGetFreeSpace also reserves one line pointer.
    expect(pageGetExactFreeSpace(page)).toBe(8168);
    expect(pageGetFreeSpace(page)).toBe(8164);
    expect(pageGetHeapFreeSpace(page)).toBe(8164);
  });

  it('fits exactly one MaxHeapTupleSize tuple, and not one byte more', () => {
    const page = newPage();
    expect(addHeap(page, 1, MAX_HEAP_TUPLE_SIZE + 1)).toBe(INVALID_OFFSET_NUMBER);
    expect(addHeap(page, 1, MAX_HEAP_TUPLE_SIZE)).toBe(1);
    expect(pageGetUpper(page)).toBe(32);
    expect(pageGetExactFreeSpace(page)).toBe(4);
    expect(pageGetFreeSpace(page)).toBe(0);
    expectWellFormed(page);
  });

  it('fills a page with items, MAXALIGN-placed, accounting free space each step', () => {
    const page = newPage();
    const len = 61; // occupies 64 bytes + 4 for the line pointer
    let n = 0;
    for (;;) {
      const before = pageGetExactFreeSpace(page);
      const off = addHeap(page, n + 1, len);
      if (off === INVALID_OFFSET_NUMBER) {
        expect(before).toBeLessThan(64 + 4);
        break;
      }
      n++;
      expect(off).toBe(n);
      expect(pageGetExactFreeSpace(page)).toBe(before - 64 - 4);
      expect(pageGetItemOffset(page, off) % 8).toBe(0);
      expect(pageGetItemLength(page, off)).toBe(len);
    }
    expect(n).toBe(Math.floor(8168 / 68)); // 120
    for (let i = 1; i <= n; i++) expect(itemAt(page, i)).toEqual(itemBytes(i, len));
    expectWellFormed(page);
  });

  it('stops heap pages at MaxHeapTuplesPerPage line pointers', () => {
    const page = newPage();
    for (let i = 1; i <= MAX_HEAP_TUPLES_PER_PAGE; i++) expect(addHeap(page, i, 1)).toBe(i);
    expect(pageGetFreeSpace(page)).toBeGreaterThan(0);
    expect(pageGetHeapFreeSpace(page)).toBe(0);
    expect(addHeap(page, 0, 1)).toBe(INVALID_OFFSET_NUMBER);
    // An index page has no such limit.
    expect(pageAddItem(page, itemBytes(0, 1), 0, 1, INVALID_OFFSET_NUMBER, false, false)).toBe(292);

    // Once one line pointer is unused again, heap free space comes back.
    const heap = newPage();
    for (let i = 1; i <= MAX_HEAP_TUPLES_PER_PAGE; i++) addHeap(heap, i, 1);
    itemIdSetUnused(heap, 100);
    pageRepairFragmentation(heap);
    expect(pageHasFreeLinePointers(heap)).toBe(true);
    expect(pageGetHeapFreeSpace(heap)).toBe(pageGetFreeSpace(heap));
    expect(addHeap(heap, 999, 1)).toBe(100);
  });

  it('reuses unused line pointers only when PD_HAS_FREE_LINES says so, and fixes a stale hint', () => {
    const page = newPage();
    for (let i = 1; i <= 5; i++) addHeap(page, i, 20);
    itemIdSetUnused(page, 2);
    itemIdSetUnused(page, 4);
    pageRepairFragmentation(page);
    expect(pageHasFreeLinePointers(page)).toBe(true);
    expect(addHeap(page, 20, 30)).toBe(2);
    expect(addHeap(page, 40, 30)).toBe(4);
    expect(pageHasFreeLinePointers(page)).toBe(true); // still set: only a search that fails clears it
    expect(addHeap(page, 60, 30)).toBe(6);
    expect(pageHasFreeLinePointers(page)).toBe(false);
    for (const [off, tag, len] of [[1, 1, 20], [2, 20, 30], [3, 3, 20], [4, 40, 30], [5, 5, 20]]) {
      expect(itemAt(page, off)).toEqual(itemBytes(tag, len));
    }

    // Without the hint an unused slot is not searched for.
    itemIdSetUnused(page, 3);
    expect(addHeap(page, 70, 8)).toBe(7);
    expectWellFormed(page);
  });

  it('places at a given offset: overwrite needs an unused slot; insert shifts line pointers up', () => {
    const page = newPage();
    for (let i = 1; i <= 3; i++) pageAddItem(page, itemBytes(i, 16), 0, 16, 0, false, false);
    // Overwrite of a used slot is refused, of the next new slot is allowed.
    expect(pageAddItem(page, itemBytes(9, 16), 0, 16, 2, true, false)).toBe(INVALID_OFFSET_NUMBER);
    expect(pageAddItem(page, itemBytes(9, 16), 0, 16, 5, true, false)).toBe(INVALID_OFFSET_NUMBER);
    expect(pageAddItem(page, itemBytes(4, 16), 0, 16, 4, true, false)).toBe(4);
    // Insert before 2: old 2..4 become 3..5.
    expect(pageAddItem(page, itemBytes(7, 10), 0, 10, 2, false, false)).toBe(2);
    expect(pageGetMaxOffsetNumber(page)).toBe(5);
    const tags = [1, 7, 2, 3, 4];
    for (let i = 0; i < 5; i++) expect(itemAt(page, i + 1)).toEqual(itemBytes(tags[i], tags[i] === 7 ? 10 : 16));
    expectWellFormed(page);
  });

  it('copies a slice of a larger array, short and long', () => {
    const page = newPage();
    const source = itemBytes(5, 1000);
    expect(pageAddItem(page, source, 10, 20, 0, false, true)).toBe(1);
    expect(pageAddItem(page, source, 100, 700, 0, false, true)).toBe(2);
    expect(itemAt(page, 1)).toEqual(source.slice(10, 30));
    expect(itemAt(page, 2)).toEqual(source.slice(100, 800));
    expect(() => pageAddItem(page, source, 900, 200, 0, false, true)).toThrow();
  });

  it('refuses a page with corrupt pointers with a PANIC', () => {
    const page = newPage();
    page[12] = 0xff; // pd_lower far above pd_upper
    page[13] = 0x7f;
    try {
      addHeap(page, 1, 10);
      expect.unreachable();
    } catch (e) {
      expect(isPgError(e) && e.code === 'XX001' && e.severity === 'PANIC').toBe(true);
      expect(String(e)).toMatch(/corrupted page pointers: lower = 32767, upper = 8192, special = 8192/);
    }
  });
});

describe('pageRepairFragmentation', () => {
  function prunedPage(): Uint8Array {
    const page = newPage();
    for (let i = 1; i <= 40; i++) addHeap(page, i, 17 + ((i * 13) % 90));
    for (let i = 1; i <= 40; i++) {
      if (i % 3 === 0) itemIdSetUnused(page, i);
      else if (i % 5 === 0) itemIdSetDead(page, i);
      else if (i % 7 === 0) itemIdSetRedirect(page, i, 1);
    }
    return page;
  }

  it('packs the items against the end, keeping numbers and contents', () => {
    const page = prunedPage();
    const kept = new Map<number, Uint8Array>();
    for (let i = 1; i <= 40; i++) if (itemIdGetLength(itemIdGet(page, i)) > 0) kept.set(i, itemAt(page, i));
    const exactBefore = pageGetExactFreeSpace(page);
    pageRepairFragmentation(page);
    expectWellFormed(page);
    let used = 0;
    for (const [i, bytes] of kept) {
      expect(itemAt(page, i)).toEqual(bytes);
      used += (bytes.length + 7) & ~7;
    }
    expect(pageGetUpper(page)).toBe(BLCKSZ - used);
    expect(pageGetExactFreeSpace(page)).toBeGreaterThan(exactBefore);
    expect(pageHasFreeLinePointers(page)).toBe(true);
    expect(itemIdIsDead(itemIdGet(page, 5))).toBe(true);
    expect(itemIdIsRedirected(itemIdGet(page, 7))).toBe(true);
    // The items end up in line pointer order, highest address first: presorted.
    for (let i = 2; i <= 40; i++) {
      if (!kept.has(i)) continue;
      let prev = i - 1;
      while (prev > 0 && !kept.has(prev)) prev--;
      if (prev > 0) expect(pageGetItemOffset(page, i)).toBeLessThan(pageGetItemOffset(page, prev));
    }
  });

  it('handles items stored out of line pointer order (after index-style inserts)', () => {
    const page = newPage();
    for (let i = 0; i < 30; i++) pageAddItem(page, itemBytes(i, 8 + i), 0, 8 + i, 1, false, false);
    for (let i = 2; i <= 30; i += 4) itemIdSetDead(page, i);
    const before = new Map<number, Uint8Array>();
    for (let i = 1; i <= 30; i++) if (itemIdHasStorage(itemIdGet(page, i))) before.set(i, itemAt(page, i));
    pageRepairFragmentation(page);
    expectWellFormed(page);
    for (const [i, bytes] of before) expect(itemAt(page, i)).toEqual(bytes);
  });

  it('removes unused line pointers at the end and clears the hint when none remain', () => {
    const page = newPage();
    for (let i = 1; i <= 6; i++) addHeap(page, i, 24);
    itemIdSetUnused(page, 5);
    itemIdSetUnused(page, 6);
    pageRepairFragmentation(page);
    expect(pageGetMaxOffsetNumber(page)).toBe(4);
    expect(pageHasFreeLinePointers(page)).toBe(false);
    for (let i = 1; i <= 4; i++) itemIdSetUnused(page, i);
    pageRepairFragmentation(page);
    expect(pageIsEmpty(page)).toBe(true);
    expect(pageGetUpper(page)).toBe(BLCKSZ);
    expect(pageGetFreeSpace(page)).toBe(8164);
  });

  it('rejects a line pointer outside the item area', () => {
    const page = newPage();
    addHeap(page, 1, 24);
    addHeap(page, 2, 24);
    itemIdSet(page, 2, 40, LP_NORMAL, 24);
    expect(() => pageRepairFragmentation(page)).toThrow(/corrupted line pointer: 40/);
    itemIdSet(page, 2, pageGetItemOffset(page, 1), LP_NORMAL, 24);
    expect(() => pageRepairFragmentation(page)).toThrow(/corrupted line pointer/);
  });
});

describe('pageTruncateLinePointerArray', () => {
  it('drops trailing unused line pointers but always keeps the first', () => {
    const page = newPage();
    for (let i = 1; i <= 5; i++) addHeap(page, i, 8);
    for (const i of [2, 4, 5]) itemIdSetUnused(page, i);
    pageTruncateLinePointerArray(page);
    expect(pageGetMaxOffsetNumber(page)).toBe(3);
    expect(pageHasFreeLinePointers(page)).toBe(true);
    for (const i of [1, 3]) itemIdSetUnused(page, i);
    pageTruncateLinePointerArray(page);
    expect(pageGetMaxOffsetNumber(page)).toBe(1);
    expect(pageHasFreeLinePointers(page)).toBe(true);
  });
});

describe('index page deletes', () => {
  /** An index-like page with special space and n items whose lengths vary. */
  function indexPage(n: number): { page: Uint8Array; items: Uint8Array[] } {
    const page = newPage(16);
    const items: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const item = itemBytes(i + 1, 16 + ((i * 5) % 23));
      items.push(item);
      // Insert in a scrambled key order so storage order differs from line pointer order.
      const pos = 1 + ((i * 7) % (items.length));
      expect(pageAddItem(page, item, 0, item.length, Math.min(pos, pageGetMaxOffsetNumber(page) + 1), false, false)).toBeGreaterThan(0);
    }
    const ordered: Uint8Array[] = [];
    for (let i = 1; i <= n; i++) ordered.push(itemAt(page, i));
    return { page, items: ordered };
  }

  it('pageIndexTupleDelete removes one item and compacts', () => {
    const { page, items } = indexPage(20);
    const upper = pageGetUpper(page);
    const size = (items[6].length + 7) & ~7;
    pageIndexTupleDelete(page, 7);
    items.splice(6, 1);
    expect(pageGetMaxOffsetNumber(page)).toBe(19);
    expect(pageGetUpper(page)).toBe(upper + size);
    for (let i = 0; i < items.length; i++) expect(itemAt(page, i + 1)).toEqual(items[i]);
    expectWellFormed(page);
    pageIndexTupleDelete(page, 19);
    pageIndexTupleDelete(page, 1);
    items.pop();
    items.shift();
    for (let i = 0; i < items.length; i++) expect(itemAt(page, i + 1)).toEqual(items[i]);
    expectWellFormed(page);
    expect(() => pageIndexTupleDelete(page, 18)).toThrow(/invalid index offnum: 18/);
  });

  it('pageIndexMultiDelete removes several, renumbers the rest and compacts', () => {
    const { page, items } = indexPage(60);
    const del = Uint16Array.of(1, 2, 10, 11, 12, 30, 59, 60);
    pageIndexMultiDelete(page, del, del.length);
    const rest = items.filter((_, i) => !del.includes(i + 1));
    expect(pageGetMaxOffsetNumber(page)).toBe(rest.length);
    let used = 0;
    for (let i = 0; i < rest.length; i++) {
      expect(itemAt(page, i + 1)).toEqual(rest[i]);
      used += (rest[i].length + 7) & ~7;
    }
    expect(pageGetUpper(page)).toBe(BLCKSZ - 16 - used);
    expectWellFormed(page);

    const all = Uint16Array.from({ length: rest.length }, (_, i) => i + 1);
    pageIndexMultiDelete(page, all, all.length);
    expect(pageIsEmpty(page)).toBe(true);
    expect(pageGetUpper(page)).toBe(BLCKSZ - 16);
  });

  it('pageIndexMultiDelete rejects offsets that are unsorted or out of range', () => {
    const { page } = indexPage(10);
    expect(() => pageIndexMultiDelete(page, Uint16Array.of(5, 3), 2)).toThrow(/incorrect index offsets supplied/);
    expect(() => pageIndexMultiDelete(page, Uint16Array.of(3, 11), 2)).toThrow(/incorrect index offsets supplied/);
  });

  it('pageIndexTupleOverwrite grows and shrinks an item in place', () => {
    const { page, items } = indexPage(12);
    const bigger = itemBytes(200, 50);
    expect(pageIndexTupleOverwrite(page, 5, bigger, 0, bigger.length)).toBe(true);
    items[4] = bigger;
    const smaller = itemBytes(201, 3);
    expect(pageIndexTupleOverwrite(page, 9, smaller, 0, smaller.length)).toBe(true);
    items[8] = smaller;
    for (let i = 0; i < items.length; i++) expect(itemAt(page, i + 1)).toEqual(items[i]);
    expectWellFormed(page);
    const huge = new Uint8Array(BLCKSZ);
    expect(pageIndexTupleOverwrite(page, 1, huge, 0, 8000)).toBe(false);
    expect(itemAt(page, 1)).toEqual(items[0]);
  });
});

describe('verification', () => {
  it('header checks reject garbage', () => {
    const page = newPage();
    addHeap(page, 1, 100);
    expect(pageHeaderIsValid(page)).toBe(true);
    const cases: Array<[number, number]> = [
      [10, 0x08], // unknown flag bit
      [12, 20], // pd_lower inside the header
      [12, 26], // pd_lower not on a line pointer boundary
      [14, 4], // pd_upper below pd_lower
      [14, 0x1f], // (low byte) pd_upper not MAXALIGN'd
      [16, 0x11], // pd_special not MAXALIGN'd
      [17, 0x21], // pd_special beyond BLCKSZ
      [18, 5], // wrong layout version
    ];
    for (const [byte, value] of cases) {
      const copy = page.slice();
      copy[byte] = value;
      expect(pageHeaderIsValid(copy)).toBe(false);
    }
    expect(pageHeaderIsValid(new Uint8Array(BLCKSZ))).toBe(false);
    const random = Uint8Array.from({ length: BLCKSZ }, (_, i) => (i * 2654435761) >>> 24);
    expect(pageHeaderIsValid(random)).toBe(false);
  });

  it('a stamped page verifies at its own block only; a changed byte fails', () => {
    const page = newPage();
    addHeap(page, 1, 300);
    pageSetChecksumInplace(page, 42);
    expect(pageGetChecksum(page)).not.toBe(0);
    expect(pageVerifyChecksum(page, 42)).toBe(true);
    expect(pageIsVerified(page, 42)).toBe(true);
    expect(pageVerifyChecksum(page, 43)).toBe(false);
    expect(pageIsVerified(page, 43)).toBe(false);
    page[5000] ^= 0x10;
    expect(pageVerifyChecksum(page, 42)).toBe(false);
    page[5000] ^= 0x10;
    expect(pageVerifyChecksum(page, 42)).toBe(true);
  });

  it('an all-zero page is valid, a zero header with data is not', () => {
    const zero = new Uint8Array(BLCKSZ);
    expect(pageVerifyChecksum(zero, 9)).toBe(true);
    expect(pageIsVerified(zero, 9)).toBe(true);
    pageSetChecksumInplace(zero, 9); // new pages are not stamped
    expect(zero.every((b) => b === 0)).toBe(true);
    zero[4000] = 1;
    expect(pageIsVerified(zero, 9)).toBe(false);
  });

  it('pageSetChecksumCopy stamps a copy and leaves the original alone', () => {
    const page = newPage();
    addHeap(page, 3, 50);
    const copy = new Uint8Array(BLCKSZ);
    pageSetChecksumCopy(page, 7, copy);
    expect(pageGetChecksum(page)).toBe(0);
    expect(pageIsVerified(copy, 7)).toBe(true);
  });

  it('works on pages inside a SharedArrayBuffer, touching nothing outside them', () => {
    const pool = new Uint8Array(new SharedArrayBuffer(BLCKSZ * 3));
    pool.fill(0xaa);
    const page = pool.subarray(BLCKSZ, 2 * BLCKSZ);
    pageInit(page, 0);
    for (let i = 1; i <= 50; i++) addHeap(page, i, 100);
    for (let i = 1; i <= 50; i += 2) itemIdSetUnused(page, i);
    pageRepairFragmentation(page);
    pageSetChecksumInplace(page, 1);
    expect(pageIsVerified(page, 1)).toBe(true);
    expectWellFormed(page);
    expect(pool.subarray(0, BLCKSZ).every((b) => b === 0xaa)).toBe(true);
    expect(pool.subarray(2 * BLCKSZ).every((b) => b === 0xaa)).toBe(true);
  });

  it('pageCheckItems finds overlapping items and bad redirects', () => {
    const page = newPage();
    addHeap(page, 1, 64);
    addHeap(page, 2, 64);
    itemIdSet(page, 2, pageGetItemOffset(page, 1) - 8, LP_NORMAL, 64);
    expect(pageCheckItems(page)).toMatch(/overlaps/);
    itemIdSet(page, 2, 9, LP_REDIRECT, 0);
    expect(pageCheckItems(page)).toMatch(/redirects to 9/);
    itemIdSet(page, 2, 0, LP_UNUSED, 5);
    expect(pageCheckItems(page)).toMatch(/unused but not zero/);
    expect(itemIdGetFlags(itemIdGet(page, 2))).toBe(LP_UNUSED);
  });
});

describe('random operation sequences against a model', () => {
  /** Deterministic generator (xorshift32) so a failure reproduces. */
  function rng(seed: number): (n: number) => number {
    let x = seed | 1;
    return (n: number) => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    };
  }

  it('heap page: add, prune to dead/unused/redirect, repair, reuse', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = rng(seed);
      const page = newPage();
      const model = new Map<number, Uint8Array>(); // offset number -> item bytes (NORMAL only)
      for (let step = 0; step < 400; step++) {
        const op = r(10);
        if (op < 6) {
          const len = 1 + r(300);
          const item = itemBytes(step, len);
          const off = pageAddItem(page, item, 0, len, 0, false, true);
          if (off !== INVALID_OFFSET_NUMBER) {
            expect(model.has(off)).toBe(false);
            model.set(off, item);
          } else {
            expect(pageGetHeapFreeSpace(page) < ((len + 7) & ~7) || !pageHasFreeLinePointers(page)).toBe(true);
          }
        } else if (op < 9 && model.size > 0) {
          const offs = [...model.keys()];
          const victim = offs[r(offs.length)];
          const how = r(3);
          if (how === 0) itemIdSetUnused(page, victim);
          else if (how === 1) itemIdSetDead(page, victim);
          else {
            const target = offs[r(offs.length)];
            if (target !== victim) itemIdSetRedirect(page, victim, target);
            else itemIdSetDead(page, victim);
          }
          model.delete(victim);
        } else {
          pageRepairFragmentation(page);
          // Heap pages never renumber, so a line pointer past the last used one is the only thing removed.
          expect(pageCheckItems(page)).toBeNull();
        }
        for (const [off, bytes] of model) if (!itemIs(page, off, bytes)) expect(itemAt(page, off)).toEqual(bytes);
      }
    }
  });

  it('index page: ordered inserts, multi-deletes and overwrites', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = rng(seed + 100);
      const page = newPage(16);
      const model: Uint8Array[] = []; // model[i] is item i + 1
      for (let step = 0; step < 300; step++) {
        const op = r(10);
        if (op < 6) {
          const len = 8 + r(60);
          const item = itemBytes(step, len);
          const at = 1 + r(model.length + 1);
          const off = pageAddItem(page, item, 0, len, at, false, false);
          if (off !== INVALID_OFFSET_NUMBER) {
            expect(off).toBe(at);
            model.splice(at - 1, 0, item);
          }
        } else if (op < 8 && model.length > 0) {
          const del = [...new Set(Array.from({ length: 1 + r(5) }, () => 1 + r(model.length)))].sort((a, b) => a - b);
          pageIndexMultiDelete(page, Uint16Array.from(del), del.length);
          for (let i = del.length - 1; i >= 0; i--) model.splice(del[i] - 1, 1);
        } else if (model.length > 0) {
          const at = 1 + r(model.length);
          const item = itemBytes(step + 1000, 1 + r(80));
          if (pageIndexTupleOverwrite(page, at, item, 0, item.length)) model[at - 1] = item;
        }
        expect(pageGetMaxOffsetNumber(page)).toBe(model.length);
        for (let i = 0; i < model.length; i++) if (!itemIs(page, i + 1, model[i])) expect(itemAt(page, i + 1)).toEqual(model[i]);
        expect(pageCheckItems(page)).toBeNull();
      }
    }
  });
});
