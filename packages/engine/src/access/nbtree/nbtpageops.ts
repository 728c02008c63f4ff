/*
 * nbtpageops.ts — the layout of B-tree pages: the special space
 * (BTPageOpaqueData), the metapage, and deleted pages; pure functions on a
 * page's bytes (PostgreSQL's nbtree.h macros, _bt_pageinit,
 * _bt_initmetapage). Buffer-level routines are in nbtpage.ts.
 *
 * Exports: btpo* getters/setters, btPage* flag tests, btPageFirstDataKey,
 *          btPageInit, btInitMetaPage, BtMetaData, btReadMeta, btWriteMeta,
 *          btPageSetDeleted, btPageGetDeleteXid, btItemOffset, btItemCount.
 *
 * Every B-tree page (block 0 is the metapage, every other block is a tree
 * page or a free one):
 *
 *   0          24                                                   8176     8192
 *   +----------+---+---+---+---+----------------+---------+----+----+--------+
 *   | header   |lp1|lp2|lp3|...|   free space   | ...     | t2 | t1 |opaque  |
 *   +----------+---+---+---+---+----------------+---------+----+----+--------+
 *               lp1 is the high key, unless the page is rightmost on its level
 *
 *   opaque (16 bytes): btpo_prev u32 | btpo_next u32 | btpo_level u32 |
 *                      btpo_flags u16 | btpo_cycleid u16
 *
 *   metapage: header | BTMetaPageData (48 bytes at 24; pd_lower = 72) | ... | opaque(BTP_META)
 *   deleted page: header | safexid u64 at 24 (pd_lower = 32) | ... | opaque(BTP_DELETED|BTP_HAS_FULLXID)
 *
 * btpo_prev / btpo_next: the left and right siblings on the same level
 * (P_NONE at the ends); btpo_level: 0 for leaves; btpo_cycleid: the VACUUM
 * cycle that last split the page (or 0).
 */

import { BLCKSZ } from '../../constants.ts';
import { itemIdGet, itemIdGetOffset, pageGetMaxOffsetNumber, pageInit } from '../../storage/page/bufpage.ts';
import {
  BTM_ALLEQUALIMAGE,
  BTM_FASTLEVEL,
  BTM_FASTROOT,
  BTM_LAST_CLEANUP_NUM_DELPAGES,
  BTM_LAST_CLEANUP_NUM_HEAP_TUPLES,
  BTM_LEVEL,
  BTM_MAGIC,
  BTM_ROOT,
  BTM_VERSION,
  BTP_DELETED,
  BTP_HALF_DEAD,
  BTP_HAS_FULLXID,
  BTP_HAS_GARBAGE,
  BTP_INCOMPLETE_SPLIT,
  BTP_LEAF,
  BTP_META,
  BTP_ROOT,
  BTPO_CYCLEID,
  BTPO_FLAGS,
  BTPO_LEVEL,
  BTPO_NEXT,
  BTPO_PREV,
  BTREE_MAGIC,
  BTREE_VERSION,
  P_FIRSTKEY,
  P_HIKEY,
  P_NONE,
  PAGE_CONTENTS,
  SIZE_OF_BT_DELETED_PAGE_DATA,
  SIZE_OF_BT_META_PAGE_DATA,
  SIZE_OF_BT_PAGE_OPAQUE,
} from './nbtree_constants.ts';

/** Byte offset of the special space: always the last 16 bytes of a B-tree page. */
const OPQ = BLCKSZ - SIZE_OF_BT_PAGE_OPAQUE;

function get16(p: Uint8Array, o: number): number {
  return p[o] | (p[o + 1] << 8);
}
function put16(p: Uint8Array, o: number, v: number): void {
  p[o] = v;
  p[o + 1] = v >>> 8;
}
function get32(p: Uint8Array, o: number): number {
  return (p[o] | (p[o + 1] << 8) | (p[o + 2] << 16) | (p[o + 3] << 24)) >>> 0;
}
function put32(p: Uint8Array, o: number, v: number): void {
  p[o] = v;
  p[o + 1] = v >>> 8;
  p[o + 2] = v >>> 16;
  p[o + 3] = v >>> 24;
}

/* ---- BTPageOpaqueData ---- */

export function btpoPrev(page: Uint8Array): number {
  return get32(page, OPQ + BTPO_PREV);
}
export function btpoNext(page: Uint8Array): number {
  return get32(page, OPQ + BTPO_NEXT);
}
export function btpoLevel(page: Uint8Array): number {
  return get32(page, OPQ + BTPO_LEVEL);
}
export function btpoFlags(page: Uint8Array): number {
  return get16(page, OPQ + BTPO_FLAGS);
}
export function btpoCycleId(page: Uint8Array): number {
  return get16(page, OPQ + BTPO_CYCLEID);
}
export function btpoSetPrev(page: Uint8Array, v: number): void {
  put32(page, OPQ + BTPO_PREV, v);
}
export function btpoSetNext(page: Uint8Array, v: number): void {
  put32(page, OPQ + BTPO_NEXT, v);
}
export function btpoSetLevel(page: Uint8Array, v: number): void {
  put32(page, OPQ + BTPO_LEVEL, v);
}
export function btpoSetFlags(page: Uint8Array, v: number): void {
  put16(page, OPQ + BTPO_FLAGS, v);
}
export function btpoSetCycleId(page: Uint8Array, v: number): void {
  put16(page, OPQ + BTPO_CYCLEID, v);
}

/** Sets all five opaque fields. */
export function btpoSet(page: Uint8Array, prev: number, next: number, level: number, flags: number, cycleid: number): void {
  btpoSetPrev(page, prev);
  btpoSetNext(page, next);
  btpoSetLevel(page, level);
  btpoSetFlags(page, flags);
  btpoSetCycleId(page, cycleid);
}

/* ---- flag tests (P_* macros) ---- */

export function btPageIsLeftmost(page: Uint8Array): boolean {
  return btpoPrev(page) === P_NONE;
}
export function btPageIsRightmost(page: Uint8Array): boolean {
  return btpoNext(page) === P_NONE;
}
export function btPageIsLeaf(page: Uint8Array): boolean {
  return (page[OPQ + BTPO_FLAGS] & BTP_LEAF) !== 0;
}
export function btPageIsRoot(page: Uint8Array): boolean {
  return (page[OPQ + BTPO_FLAGS] & BTP_ROOT) !== 0;
}
export function btPageIsDeleted(page: Uint8Array): boolean {
  return (page[OPQ + BTPO_FLAGS] & BTP_DELETED) !== 0;
}
export function btPageIsMeta(page: Uint8Array): boolean {
  return (page[OPQ + BTPO_FLAGS] & BTP_META) !== 0;
}
export function btPageIsHalfDead(page: Uint8Array): boolean {
  return (page[OPQ + BTPO_FLAGS] & BTP_HALF_DEAD) !== 0;
}
/** P_IGNORE: deleted or half-dead; searches step past it to the right. */
export function btPageIgnore(page: Uint8Array): boolean {
  return (page[OPQ + BTPO_FLAGS] & (BTP_DELETED | BTP_HALF_DEAD)) !== 0;
}
export function btPageHasGarbage(page: Uint8Array): boolean {
  return (page[OPQ + BTPO_FLAGS] & BTP_HAS_GARBAGE) !== 0;
}
export function btPageIncompleteSplit(page: Uint8Array): boolean {
  return (page[OPQ + BTPO_FLAGS] & BTP_INCOMPLETE_SPLIT) !== 0;
}

/** P_FIRSTDATAKEY: the first item that is not a high key. */
export function btPageFirstDataKey(page: Uint8Array): number {
  return btpoNext(page) === P_NONE ? P_HIKEY : P_FIRSTKEY;
}

/** Byte offset of item `offnum` (PageGetItem). */
export function btItemOffset(page: Uint8Array, offnum: number): number {
  return itemIdGetOffset(itemIdGet(page, offnum));
}

/** Number of data items (high key not counted). */
export function btItemCount(page: Uint8Array): number {
  const n = pageGetMaxOffsetNumber(page) - btPageFirstDataKey(page) + 1;
  return n < 0 ? 0 : n;
}

/** _bt_pageinit: an empty page with B-tree special space, all opaque fields zero. */
export function btPageInit(page: Uint8Array): void {
  pageInit(page, SIZE_OF_BT_PAGE_OPAQUE);
}

/* ---- the metapage ---- */

export interface BtMetaData {
  magic: number;
  version: number;
  root: number;
  level: number;
  fastroot: number;
  fastlevel: number;
  lastCleanupNumDelpages: number;
  lastCleanupNumHeapTuples: number;
  allequalimage: boolean;
}

const META = PAGE_CONTENTS;

export function btReadMeta(page: Uint8Array): BtMetaData {
  return {
    magic: get32(page, META + BTM_MAGIC),
    version: get32(page, META + BTM_VERSION),
    root: get32(page, META + BTM_ROOT),
    level: get32(page, META + BTM_LEVEL),
    fastroot: get32(page, META + BTM_FASTROOT),
    fastlevel: get32(page, META + BTM_FASTLEVEL),
    lastCleanupNumDelpages: get32(page, META + BTM_LAST_CLEANUP_NUM_DELPAGES),
    lastCleanupNumHeapTuples: new DataView(page.buffer, page.byteOffset + META + BTM_LAST_CLEANUP_NUM_HEAP_TUPLES, 8).getFloat64(0, true),
    allequalimage: page[META + BTM_ALLEQUALIMAGE] !== 0,
  };
}

export function btWriteMeta(page: Uint8Array, m: BtMetaData): void {
  put32(page, META + BTM_MAGIC, m.magic);
  put32(page, META + BTM_VERSION, m.version);
  put32(page, META + BTM_ROOT, m.root);
  put32(page, META + BTM_LEVEL, m.level);
  put32(page, META + BTM_FASTROOT, m.fastroot);
  put32(page, META + BTM_FASTLEVEL, m.fastlevel);
  put32(page, META + BTM_LAST_CLEANUP_NUM_DELPAGES, m.lastCleanupNumDelpages);
  put32(page, META + BTM_LAST_CLEANUP_NUM_DELPAGES + 4, 0);
  new DataView(page.buffer, page.byteOffset + META + BTM_LAST_CLEANUP_NUM_HEAP_TUPLES, 8).setFloat64(0, m.lastCleanupNumHeapTuples, true);
  page.fill(0, META + BTM_ALLEQUALIMAGE, META + SIZE_OF_BT_META_PAGE_DATA);
  page[META + BTM_ALLEQUALIMAGE] = m.allequalimage ? 1 : 0;
}

/**
 * _bt_initmetapage: a metapage pointing at `root` (P_NONE for an empty
 * index) on `level`; the fast root is the root.
 */
export function btInitMetaPage(page: Uint8Array, root: number, level: number, allequalimage: boolean): void {
  btPageInit(page);
  btpoSetFlags(page, BTP_META);
  btWriteMeta(page, {
    magic: BTREE_MAGIC,
    version: BTREE_VERSION,
    root,
    level,
    fastroot: root,
    fastlevel: level,
    lastCleanupNumDelpages: 0,
    lastCleanupNumHeapTuples: -1,
    allequalimage,
  });
  put16(page, 12, META + SIZE_OF_BT_META_PAGE_DATA); // pd_lower past the metadata, so images keep it
}

/* ---- deleted pages ---- */

/**
 * BTPageSetDeleted: marks an (initialized, empty) page deleted and stores
 * its safexid, the full XID after which no scan can still reach it.
 */
export function btPageSetDeleted(page: Uint8Array, safexid: number): void {
  btpoSetFlags(page, (btpoFlags(page) & ~BTP_HALF_DEAD) | BTP_DELETED | BTP_HAS_FULLXID);
  put16(page, 14, get16(page, 16)); // pd_upper = pd_special: the items are gone
  put32(page, PAGE_CONTENTS, safexid >>> 0);
  put32(page, PAGE_CONTENTS + 4, Math.floor(safexid / 4294967296));
  put16(page, 12, PAGE_CONTENTS + SIZE_OF_BT_DELETED_PAGE_DATA);
}

/** BTPageGetDeleteXid: the safexid of a deleted page. */
export function btPageGetDeleteXid(page: Uint8Array): number {
  return get32(page, PAGE_CONTENTS + 4) * 4294967296 + get32(page, PAGE_CONTENTS);
}

/** Whether a deleted page carries its safexid (always, for pages tabgres deleted). */
export function btPageHasFullXid(page: Uint8Array): boolean {
  return (btpoFlags(page) & BTP_HAS_FULLXID) !== 0;
}
