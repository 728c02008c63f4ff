/*
 * pageinspect_btree.ts — contrib/pageinspect's B-tree functions of
 * PostgreSQL 15 (btreefuncs.c), built in.
 *
 * Exports: nothing but the registrations (database.ts imports this module).
 *
 *   bt_metap(relname text) record                 magic, version, root, level, fastroot, fastlevel,
 *                                                 last_cleanup_num_delpages, last_cleanup_num_tuples,
 *                                                 allequalimage
 *   bt_page_stats(relname text, blkno int8) record blkno, type, live_items, dead_items, avg_item_size,
 *                                                 page_size, free_size, btpo_prev, btpo_next, btpo_level,
 *                                                 btpo_flags
 *   bt_page_items(relname text, blkno int8) setof record
 *   bt_page_items(page bytea) setof record         itemoffset, ctid, itemlen, nulls, vars, data, dead,
 *                                                 htid, tids
 *
 * The index pages are PostgreSQL's layout (nbtree_constants.ts), so the
 * decoding follows btreefuncs.c's rules: a pivot tuple is every item of an
 * internal page and the high key (offset 1) of a leaf that is not the
 * rightmost; `data` is the key bytes in hex ("01 00 00 00"), without a
 * posting list or a pivot's heap TID; `dead` is the line pointer's LP_DEAD
 * on a leaf's non-pivot items and NULL otherwise; `htid` is the heap TID
 * (the first of a posting list, a pivot's heap TID attribute, NULL for a
 * pivot without one); `tids` the posting list. bt_page_stats's type is 'd'
 * deleted, 'e' half-dead, 'l' leaf, 'r' root, 'i' internal; free_size is
 * PageGetFreeSpace (one line pointer less than pd_upper - pd_lower).
 *
 * Pages are read with get_raw_page (pageinspect.ts): through the buffer
 * manager, a share lock while the 8 kB are copied. OIDs 9919-9922 are
 * tabgres's (an extension's OIDs are assigned at CREATE EXTENSION).
 */

import { PgError, SQLSTATE } from '../errors.ts';
import type { FunctionCallContext } from '../fmgr/fmgrtypes.ts';
import { ArrayValue } from './array.ts';
import { BOOLOID, BYTEAOID, FLOAT8OID, INT2OID, INT4OID, INT8OID, TEXTOID, TIDOID } from './types.ts';
import { backendOf, checkPage, getRawPage, outRecord, relationByName } from './pageinspect.ts';
import { BLCKSZ } from '../../constants.ts';
import { pageGetFreeSpace, pageGetMaxOffsetNumber, pageGetPageSize, pageGetSpecial, pageGetSpecialSize } from '../../storage/page/bufpage.ts';
import { itemIdGet, itemIdGetLength, itemIdGetOffset, itemIdIsDead } from '../../storage/page/itemid.ts';
import { makeTid, type Tid } from '../../access/common/itemptr.ts';
import {
  BT_IS_POSTING, BT_OFFSET_MASK, BT_PIVOT_HEAP_TID_ATTR, BTM_ALLEQUALIMAGE, BTM_FASTLEVEL, BTM_FASTROOT,
  BTM_LAST_CLEANUP_NUM_DELPAGES, BTM_LAST_CLEANUP_NUM_HEAP_TUPLES, BTM_LEVEL, BTM_MAGIC, BTM_ROOT, BTM_VERSION,
  BTP_DELETED, BTP_HALF_DEAD, BTP_LEAF, BTP_META, BTP_ROOT, BTPO_FLAGS, BTPO_LEVEL, BTPO_NEXT, BTPO_PREV,
  INDEX_ALT_TID_MASK, INDEX_NULL_MASK, INDEX_SIZE_MASK, INDEX_VAR_MASK, P_HIKEY, P_NONE, SIZE_OF_BT_PAGE_OPAQUE,
} from '../../access/nbtree/nbtree_constants.ts';
import { indexTupleDataOffset } from '../../access/nbtree/itup.ts';

const CHAROID = 18;
const TIDARRAYOID = 1010;
const META_CONTENTS = 24;

const u16 = (p: Uint8Array, o: number): number => p[o] | (p[o + 1] << 8);
const u32 = (p: Uint8Array, o: number): number => (p[o] | (p[o + 1] << 8) | (p[o + 2] << 16) | (p[o + 3] << 24)) >>> 0;
const itemPointer = (p: Uint8Array, o: number): Tid => makeTid(u16(p, o) * 65536 + u16(p, o + 2), u16(p, o + 4));

/** The index `relname`, which must be a B-tree (btreefuncs.c's check). */
function btreeIndexName(ctx: FunctionCallContext, relname: string): string {
  const info = relationByName(backendOf(ctx), relname);
  if (info.relkind !== 'i') throw new PgError('42809', `"${info.relname}" is not a btree index`);
  return relname;
}

/** check_relation_block_range plus the metapage refusal of bt_page_stats / bt_page_items. */
function btreePage(ctx: FunctionCallContext, relname: string, blkno: number): Uint8Array {
  btreeIndexName(ctx, relname);
  if (blkno < 0 || blkno > 0xfffffffe) throw new PgError(SQLSTATE.invalid_parameter_value, 'invalid block number');
  if (blkno === 0) throw new PgError(SQLSTATE.invalid_parameter_value, 'block 0 is a meta page');
  let page: Uint8Array;
  try {
    page = getRawPage(ctx, relname, 'main', blkno);
  } catch (e) {
    if (e instanceof PgError && e.code === SQLSTATE.invalid_parameter_value && /out of range/.test(e.message)) {
      throw new PgError('XX000', 'block number out of range');
    }
    throw e;
  }
  return page;
}

// ---------------------------------------------------------------- bt_metap

outRecord(9919, 'bt_metap', [TEXTOID], [
  ['magic', INT4OID], ['version', INT4OID], ['root', INT8OID], ['level', INT8OID], ['fastroot', INT8OID],
  ['fastlevel', INT8OID], ['last_cleanup_num_delpages', INT8OID], ['last_cleanup_num_tuples', FLOAT8OID], ['allequalimage', BOOLOID],
], false, (a, ctx) => {
  const relname = btreeIndexName(ctx, a[0] as string);
  const page = getRawPage(ctx, relname, 'main', 0);
  const special = pageGetSpecial(page);
  if ((u16(page, special + BTPO_FLAGS) & BTP_META) === 0) throw new PgError(SQLSTATE.index_corrupted, `block 0 of "${relname}" is not a meta page`);
  const m = META_CONTENTS;
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  return [[
    u32(page, m + BTM_MAGIC), u32(page, m + BTM_VERSION), BigInt(u32(page, m + BTM_ROOT)), BigInt(u32(page, m + BTM_LEVEL)),
    BigInt(u32(page, m + BTM_FASTROOT)), BigInt(u32(page, m + BTM_FASTLEVEL)), BigInt(u32(page, m + BTM_LAST_CLEANUP_NUM_DELPAGES)),
    view.getFloat64(m + BTM_LAST_CLEANUP_NUM_HEAP_TUPLES, true), page[m + BTM_ALLEQUALIMAGE] !== 0,
  ]];
}, ['relname']);

// ---------------------------------------------------------------- bt_page_stats

outRecord(9920, 'bt_page_stats', [TEXTOID, INT8OID], [
  ['blkno', INT8OID], ['type', CHAROID], ['live_items', INT4OID], ['dead_items', INT4OID], ['avg_item_size', INT4OID],
  ['page_size', INT4OID], ['free_size', INT4OID], ['btpo_prev', INT8OID], ['btpo_next', INT8OID], ['btpo_level', INT8OID],
  ['btpo_flags', INT4OID],
], false, (a, ctx) => {
  const blkno = Number(a[1] as bigint);
  const page = btreePage(ctx, a[0] as string, blkno);
  const sp = pageGetSpecial(page);
  const flags = u16(page, sp + BTPO_FLAGS);
  const type = (flags & BTP_DELETED) !== 0 ? 'd' : (flags & BTP_HALF_DEAD) !== 0 ? 'e' : (flags & BTP_LEAF) !== 0 ? 'l' : (flags & BTP_ROOT) !== 0 ? 'r' : 'i';
  let live = 0;
  let dead = 0;
  let itemSize = 0;
  if ((flags & BTP_DELETED) === 0) {
    const maxoff = pageGetMaxOffsetNumber(page);
    for (let off = 1; off <= maxoff; off++) {
      const lp = itemIdGet(page, off);
      if (itemIdIsDead(lp)) dead++;
      else live++;
      itemSize += u16(page, itemIdGetOffset(lp) + 6) & INDEX_SIZE_MASK;
    }
  }
  const n = live + dead;
  return [[
    BigInt(blkno), type, live, dead, n > 0 ? Math.floor(itemSize / n) : 0, pageGetPageSize(page), pageGetFreeSpace(page),
    BigInt(u32(page, sp + BTPO_PREV)), BigInt(u32(page, sp + BTPO_NEXT)), BigInt(u32(page, sp + BTPO_LEVEL)), flags,
  ]];
}, ['relname', 'blkno']);

// ---------------------------------------------------------------- bt_page_items

const ITEM_COLUMNS: [string, number][] = [
  ['itemoffset', INT2OID], ['ctid', TIDOID], ['itemlen', INT2OID], ['nulls', BOOLOID], ['vars', BOOLOID], ['data', TEXTOID],
  ['dead', BOOLOID], ['htid', TIDOID], ['tids', TIDARRAYOID],
];

const hexBytes = (p: Uint8Array, from: number, len: number): string => {
  const out: string[] = [];
  for (let i = 0; i < len; i++) out.push(p[from + i].toString(16).padStart(2, '0'));
  return out.join(' ');
};

/** bt_page_print_tuples for every line pointer of a B-tree page. */
function pageItems(page: Uint8Array): unknown[][] {
  const sp = pageGetSpecial(page);
  const flags = u16(page, sp + BTPO_FLAGS);
  const leaf = (flags & BTP_LEAF) !== 0;
  const rightmost = u32(page, sp + BTPO_NEXT) === P_NONE;
  const rows: unknown[][] = [];
  const maxoff = pageGetMaxOffsetNumber(page);
  for (let off = 1; off <= maxoff; off++) {
    const lp = itemIdGet(page, off);
    const t = itemIdGetOffset(lp);
    if (itemIdGetLength(lp) < 8 || t + 8 > BLCKSZ) throw new PgError(SQLSTATE.index_corrupted, `invalid line pointer at offset ${off}`);
    const info = u16(page, t + 6);
    const size = info & INDEX_SIZE_MASK;
    const hasNulls = (info & INDEX_NULL_MASK) !== 0;
    const tidOff = u16(page, t + 4);
    const alt = (info & INDEX_ALT_TID_MASK) !== 0;
    const isPosting = alt && (tidOff & BT_IS_POSTING) !== 0;
    const isPivotTuple = alt && !isPosting;
    // Where a pivot may be: every item of an internal page, a non-rightmost leaf's high key.
    const pivotPosition = !leaf || (!rightmost && off === P_HIKEY);
    const dataOff = indexTupleDataOffset(hasNulls);
    let dlen = size - dataOff;
    let htid: Tid | null = null;
    let tids: ArrayValue | null = null;
    if (isPosting) {
      const postingOff = u16(page, t) * 65536 + u16(page, t + 2); // ItemPointerGetBlockNumberNoCheck(t_tid)
      const n = tidOff & BT_OFFSET_MASK;
      dlen = postingOff - dataOff;
      const list: Tid[] = [];
      for (let i = 0; i < n; i++) list.push(itemPointer(page, t + postingOff + 6 * i));
      htid = list[0] ?? null;
      tids = new ArrayValue(TIDOID, [list.length], [1], list);
    } else if (isPivotTuple) {
      if ((tidOff & BT_PIVOT_HEAP_TID_ATTR) !== 0) {
        htid = itemPointer(page, t + size - 6);
        dlen -= 8; // MAXALIGN(sizeof(ItemPointerData))
      }
    } else if (!pivotPosition) {
      htid = itemPointer(page, t);
    }
    rows.push([
      off, itemPointer(page, t), size, hasNulls, (info & INDEX_VAR_MASK) !== 0, hexBytes(page, t + dataOff, Math.max(0, dlen)),
      leaf && !pivotPosition ? itemIdIsDead(lp) : null, htid, tids,
    ]);
  }
  return rows;
}

outRecord(9921, 'bt_page_items', [TEXTOID, INT8OID], ITEM_COLUMNS, true, (a, ctx) => {
  return pageItems(btreePage(ctx, a[0] as string, Number(a[1] as bigint)));
}, ['relname', 'blkno']);

outRecord(9922, 'bt_page_items', [BYTEAOID], ITEM_COLUMNS, true, (a) => {
  const page = checkPage(a[0] as Uint8Array);
  const specialSize = pageGetSpecialSize(page);
  if (specialSize !== SIZE_OF_BT_PAGE_OPAQUE) {
    throw new PgError(SQLSTATE.invalid_parameter_value, 'input page is not a valid btree page', { detail: `Expected special size ${SIZE_OF_BT_PAGE_OPAQUE}, got ${specialSize}.` });
  }
  if ((u16(page, pageGetSpecial(page) + BTPO_FLAGS) & BTP_META) !== 0) throw new PgError(SQLSTATE.invalid_parameter_value, 'block is a meta page');
  return pageItems(page);
}, ['page']);
