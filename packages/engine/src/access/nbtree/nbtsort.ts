/*
 * nbtsort.ts — building an index bottom-up from sorted tuples (PostgreSQL's
 * nbtsort.c: _bt_spool, _bt_leafbuild, _bt_load, _bt_buildadd,
 * _bt_uppershutdown).
 *
 * Exports: IndexBuildCallback, IndexBuildScan, IndexBuildResult, btBuildFromScan,
 * formIntKeyTuple.
 *
 * Instead of descending the tree once per row, the build collects every
 * (key, heap TID) the table offers, sorts them in index order, and writes
 * the leaf level left to right, each page filled to the index's fill factor
 * (90 % by default). Each time a page is finished, its last item moves to a
 * fresh page and becomes (truncated) the old page's high key, and a
 * downlink to the old page goes into the level above, which is built the
 * same way at 70 %. At the end the rightmost page of each level is closed,
 * the top page becomes the root, and the metapage points at it.
 *
 *   level 1:   [-inf|k3|k5]                      (pages finished right to left
 *   level 0:   [a b|k3] -> [c d|k5] -> [e f]      as the level above fills)
 *
 * Every page is WAL-logged as a full image (log_newpage) when written, so
 * recovery restores the index without replaying the build. Nothing else
 * can see the index while it is built, so pages are filled without
 * per-change WAL and without locks beyond the buffer's own.
 *
 * Differences from PostgreSQL: the sort is in memory (bounded by
 * BTREE_BUILD_ENTRIES_MAX) where PostgreSQL's tuplesort spills to disk past
 * maintenance_work_mem; there is no parallel build and no deduplication.
 */

import { BLCKSZ, SIZE_OF_ITEM_ID } from '../../constants.ts';
import { itemIdGet, itemIdGetLength, itemIdGetOffset, pageAddItem, pageGetFreeSpace, pageGetMaxOffsetNumber, pageIndexTupleOverwrite } from '../../storage/page/bufpage.ts';
import { PgError, SQLSTATE, ereport, elog } from '../../utils/errors.ts';
import { tidBlock, tidOffset, type Tid } from '../common/itemptr.ts';
import type { Relation } from '../heap/relation.ts';
import { INDOPTION_DESC, INDOPTION_NULLS_FIRST, type IndexRelation } from './indexrel.ts';
import { indexFormTupleInto, indexTupleSetInfo, itupSetTid, type IndexValue } from './itup.ts';
import { btCompareDatum } from './nbtcompare.ts';
import { INT2OID, INT4OID, OIDOID } from '../../utils/adt/types.ts';
import type { BtEnv } from './nbtenv.ts';
import { btAllocBuf, btCreateMetaPage, btGetBuf, BT_WRITE, btGetMeta, btRelBuf } from './nbtpage.ts';
import { btWriteMeta, btpoFlags, btpoSet, btpoSetFlags, btpoSetNext, btpoSetPrev } from './nbtpageops.ts';
import {
  BT_MAX_ITEM_SIZE,
  BTP_LEAF,
  BTP_ROOT,
  BTREE_BUILD_ENTRIES_MAX,
  BTREE_HEIGHT_MAX,
  BTREE_METAPAGE,
  BTREE_NONLEAF_FILLFACTOR,
  BTREE_VERSION,
  INDEX_SIZE_MASK,
  P_FIRSTKEY,
  P_HIKEY,
  P_NONE,
  SIZE_OF_INDEX_TUPLE_DATA,
} from './nbtree_constants.ts';
import { btMinusInfinityPivot, btTruncate, btTupleGetDownLink, btTupleSetDownLink, copyItem } from './nbttuple.ts';
import { btBuildIndexValueDescription } from './nbtutils.ts';

/**
 * One row offered to the build (IndexBuildCallback): its heap TID, its key
 * values in index column order (null = NULL), and whether it is live
 * (rows only some snapshots can still see are indexed too, but do not
 * count as duplicates for a unique index). The scan may reuse `values`
 * for the next row: it is valid only during the call.
 */
export type IndexBuildCallback = (tid: Tid, values: readonly IndexValue[], tupleIsAlive: boolean) => void;

/**
 * table_index_build_scan: calls back once for every heap row the index
 * must cover. The table access method provides it.
 */
export type IndexBuildScan = (callback: IndexBuildCallback) => void;

export interface IndexBuildResult {
  /** Rows the table offered. */
  heapTuples: number;
  /** Of those, the ones offered as live (pg_class.reltuples of the heap, as index_update_stats sets it). */
  heapLiveTuples: number;
  /** Entries written (pg_class.reltuples of the index). */
  indexTuples: number;
}

/** The spool (BTSpool): the offered entries, column-wise. */
class Spool {
  readonly cols: IndexValue[][];
  readonly tids: number[] = [];
  readonly alive: boolean[] = [];

  constructor(ncols: number) {
    this.cols = Array.from({ length: ncols }, () => []);
  }

  add(tid: Tid, values: readonly IndexValue[], alive: boolean): void {
    if (this.tids.length >= BTREE_BUILD_ENTRIES_MAX) {
      ereport(SQLSTATE.program_limit_exceeded, `index build of more than ${BTREE_BUILD_ENTRIES_MAX} entries is not supported`);
    }
    for (let c = 0; c < this.cols.length; c++) {
      const v = values[c];
      if (v === undefined) elog(`index build row has no value for column ${c + 1}`);
      this.cols[c].push(v);
    }
    this.tids.push(tid);
    this.alive.push(alive);
  }

  get length(): number {
    return this.tids.length;
  }
}

/** The page being filled on one level (BTPageState). */
interface LevelState {
  level: number;
  buf: number;
  page: Uint8Array;
  blkno: number;
  /** Last offset used (P_HIKEY: none yet; slot 1 is kept for the high key). */
  lastOff: number;
  /** The current page's lower bound: what its downlink in the parent will hold. */
  lowkey: Uint8Array | null;
  /** Free space below which a page with two or more items is finished (btps_full). */
  full: number;
  next: LevelState | null;
}

class Builder {
  private readonly scratch = new Uint8Array(INDEX_SIZE_MASK + 1);
  pages = 0;

  constructor(private readonly rel: IndexRelation, private readonly env: BtEnv) {}

  /** _bt_pagestate + _bt_blnewpage: a new empty page for `level`, slot 1 reserved for the high key. */
  newPage(level: number): { buf: number; page: Uint8Array; blkno: number } {
    const bm = this.env.bufmgr;
    const buf = btAllocBuf(this.rel, this.env);
    const page = bm.getPage(buf);
    btpoSet(page, P_NONE, P_NONE, level, level === 0 ? BTP_LEAF : 0, 0);
    const lower = (page[12] | (page[13] << 8)) + SIZE_OF_ITEM_ID;
    page[12] = lower;
    page[13] = lower >>> 8;
    this.pages++;
    return { buf, page, blkno: bm.getBlockNumber(buf) };
  }

  levelState(level: number): LevelState {
    if (level >= BTREE_HEIGHT_MAX) elog(`index "${this.rel.name}" would be more than ${BTREE_HEIGHT_MAX} levels deep`);
    const p = this.newPage(level);
    const ff = level === 0 ? this.rel.fillfactor : BTREE_NONLEAF_FILLFACTOR;
    return { level, ...p, lastOff: P_HIKEY, lowkey: null, full: Math.floor((BLCKSZ * (100 - ff)) / 100), next: null };
  }

  /** _bt_blwritepage: the finished page to the buffer pool and to WAL as a full image. */
  writePage(buf: number): void {
    const bm = this.env.bufmgr;
    bm.markBufferDirty(buf);
    this.env.wal.logNewPage(buf, true);
    bm.unlockReleaseBuffer(buf);
  }

  /** _bt_sortaddtup: an internal page's first data item is stored as minus infinity. */
  private addTup(page: Uint8Array, itup: Uint8Array, len: number, off: number, newFirstDataItem: boolean): void {
    let item = itup;
    let size = len;
    if (newFirstDataItem) {
      item = btMinusInfinityPivot(btTupleGetDownLink(itup, 0));
      size = SIZE_OF_INDEX_TUPLE_DATA;
    }
    if (pageAddItem(page, item, 0, size, off, false, false) !== off) elog('failed to add item to the index page');
  }

  /** _bt_buildadd: appends itup[0..len) to the level, finishing the page first if it is full. */
  add(state: LevelState, itup: Uint8Array, len: number): void {
    const isleaf = state.level === 0;
    // Leaf tuples must leave room for a heap TID in a pivot made from them; pivots already have it.
    if (len > BT_MAX_ITEM_SIZE + (isleaf ? 0 : 8)) {
      throw new PgError(SQLSTATE.program_limit_exceeded, `index row size ${len} exceeds btree version ${BTREE_VERSION} maximum ${BT_MAX_ITEM_SIZE} for index "${this.rel.name}"`, {
        hint: 'Values larger than 1/3 of a buffer page cannot be indexed.\nConsider a function index of an MD5 hash of the value, or use full text indexing.',
      });
    }
    const pgspc = pageGetFreeSpace(state.page);
    if (pgspc < len + (isleaf ? 8 : 0) || (pgspc < state.full && state.lastOff > P_FIRSTKEY)) this.finishPage(state);
    if (state.lastOff === P_HIKEY) state.lowkey = btMinusInfinityPivot(P_NONE);
    state.lastOff++;
    this.addTup(state.page, itup, len, state.lastOff, !isleaf && state.lastOff === P_FIRSTKEY);
  }

  /**
   * The page is full: its last item moves to a new page, the old page's
   * high key becomes that item (truncated against the one before it, on a
   * leaf), the old page's downlink goes up a level, and the old page is
   * written.
   */
  private finishPage(state: LevelState): void {
    const isleaf = state.level === 0;
    const opage = state.page;
    const obuf = state.buf;
    const oblkno = state.blkno;
    const n = this.newPage(state.level);
    const lastOff = state.lastOff;
    const ii = itemIdGet(opage, lastOff);
    const oitup = copyItem(opage, itemIdGetOffset(ii));
    this.addTup(n.page, oitup, itemIdGetLength(ii), P_FIRSTKEY, !isleaf);
    // The last item's line pointer becomes the high key's (slot 1 was reserved for it).
    const hi = 24;
    const lp = 24 + 4 * (lastOff - 1);
    opage.copyWithin(hi, lp, lp + 4);
    opage.fill(0, lp, lp + 4);
    const lower = (opage[12] | (opage[13] << 8)) - SIZE_OF_ITEM_ID;
    opage[12] = lower;
    opage[13] = lower >>> 8;
    let highkey = oitup;
    if (isleaf) {
      const lastleftOff = itemIdGetOffset(itemIdGet(opage, lastOff - 1));
      highkey = btTruncate(this.rel, opage, lastleftOff, oitup, 0);
      if (!pageIndexTupleOverwrite(opage, P_HIKEY, highkey, 0, highkey.length)) elog('failed to add high key to the index page');
    }
    if (state.next === null) state.next = this.levelState(state.level + 1);
    const low = state.lowkey!;
    btTupleSetDownLink(low, 0, oblkno);
    this.add(state.next, low, low.length);
    state.lowkey = highkey.slice();
    btpoSetNext(opage, n.blkno);
    btpoSetPrev(n.page, oblkno);
    this.writePage(obuf);
    state.buf = n.buf;
    state.page = n.page;
    state.blkno = n.blkno;
    state.lastOff = P_FIRSTKEY;
  }

  /** _bt_uppershutdown: closes the rightmost page of every level; returns the root and its level. */
  finish(leaf: LevelState): { root: number; level: number } {
    let root = P_NONE;
    let rootLevel = 0;
    for (let s: LevelState | null = leaf; s !== null; s = s.next) {
      if (s.next === null) {
        btpoSetFlags(s.page, btpoFlags(s.page) | BTP_ROOT);
        root = s.blkno;
        rootLevel = s.level;
      } else {
        const low = s.lowkey!;
        btTupleSetDownLink(low, 0, s.blkno);
        this.add(s.next, low, low.length);
      }
      slideLeft(s.page);
      this.writePage(s.buf);
    }
    return { root, level: rootLevel };
  }

  /** Forms the entry's tuple into scratch and adds it to the leaf level. */
  addEntry(leaf: LevelState, values: IndexValue[], tid: Tid): void {
    const len = indexFormTupleInto(this.rel.desc, values, tid, this.scratch, 0);
    this.add(leaf, this.scratch, len);
  }

  /** addEntry for a one-column integer key that is not NULL (formIntKeyTuple's layout). */
  addIntEntry(leaf: LevelState, value: number, typlen: number, tid: Tid): void {
    this.add(leaf, this.scratch, formIntKeyTuple(this.scratch, value, typlen, tid));
  }
}

/** The size of an index tuple holding one non-NULL int2 / int4 / oid key: header and value, MAXALIGNed. */
const INT_KEY_TUPLE_SIZE = 16;

/**
 * index_form_tuple for the commonest index, one int2 / int4 / oid column
 * without INCLUDE columns, and a non-NULL key: the bytes indexFormTupleInto
 * writes (TID, t_info = size, no null bitmap, the little-endian value at
 * offset 8, zero padding to 16), without walking the descriptor. The build
 * forms one tuple per row in loops that mostly run before the JIT has
 * compiled them, where the general path's per-column work shows.
 * nbtsort.test.ts checks the bytes against indexFormTupleInto.
 */
export function formIntKeyTuple(out: Uint8Array, value: number, typlen: number, tid: Tid): number {
  itupSetTid(out, 0, tidBlock(tid), tidOffset(tid));
  indexTupleSetInfo(out, 0, INT_KEY_TUPLE_SIZE);
  out[8] = value;
  out[9] = value >>> 8;
  if (typlen === 4) {
    out[10] = value >>> 16;
    out[11] = value >>> 24;
  } else {
    out[10] = 0;
    out[11] = 0;
  }
  out[12] = 0;
  out[13] = 0;
  out[14] = 0;
  out[15] = 0;
  return INT_KEY_TUPLE_SIZE;
}

/** _bt_slideleft: a rightmost page has no high key, so its reserved slot 1 goes. */
function slideLeft(page: Uint8Array): void {
  const maxoff = pageGetMaxOffsetNumber(page);
  if (maxoff >= P_FIRSTKEY) page.copyWithin(24, 28, 24 + 4 * maxoff);
  const lower = (page[12] | (page[13] << 8)) - SIZE_OF_ITEM_ID;
  page[12] = lower;
  page[13] = lower >>> 8;
}

/**
 * ambuild: builds the (empty, zero-block) index from `scan`. Raises 23505
 * for duplicate live keys in a unique index.
 */
export function btBuildFromScan(rel: IndexRelation, env: BtEnv, scan: IndexBuildScan, heapRel: Relation | null = null): IndexBuildResult {
  const nk = rel.nkeyatts;
  const spool = new Spool(nk);
  let heapTuples = 0;
  let heapLiveTuples = 0;
  scan((tid, values, alive) => {
    heapTuples++;
    if (alive) heapLiveTuples++;
    spool.add(tid, values, alive);
  });
  const n = spool.length;
  const { cols, tids, alive } = spool;
  const compareKeys = (a: number, b: number): number => {
    for (let c = 0; c < nk; c++) {
      const r = btCompareDatum(rel, c, cols[c][a], cols[c][b]);
      if (r !== 0) return r;
    }
    return 0;
  };
  let perm = sortByIntegerKey(rel, cols, tids);
  if (perm === null) {
    perm = new Uint32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    perm.sort((a, b) => compareKeys(a, b) || tids[a] - tids[b]);
  }

  if (rel.unique) checkBuildUnique(rel, perm, cols, alive, compareKeys, heapRel);

  btCreateMetaPage(rel, env, P_NONE, 0);
  if (n === 0) return { heapTuples, heapLiveTuples, indexTuples: 0 };
  const b = new Builder(rel, env);
  const leaf = b.levelState(0);
  const row: IndexValue[] = new Array<IndexValue>(nk).fill(null);
  const intTyplen = nk === 1 && rel.desc.natts === 1 && isPackableIntegerType(rel.desc.types[0].oid) ? rel.desc.attlen[0] : 0;
  const col0 = cols[0];
  for (let i = 0; i < n; i++) {
    const e = perm[i];
    const v0 = col0[e];
    if (intTyplen !== 0 && typeof v0 === 'number') {
      b.addIntEntry(leaf, v0, intTyplen, tids[e]);
      continue;
    }
    for (let c = 0; c < nk; c++) row[c] = cols[c][e];
    b.addEntry(leaf, row, tids[e]);
  }
  const { root, level } = b.finish(leaf);

  // The metapage now points at the root.
  const bm = env.bufmgr;
  const metabuf = btGetBuf(rel, env, BTREE_METAPAGE, BT_WRITE);
  const metapage = bm.getPage(metabuf);
  const meta = btGetMeta(rel, metapage);
  meta.root = root;
  meta.level = level;
  meta.fastroot = root;
  meta.fastlevel = level;
  btWriteMeta(metapage, meta);
  bm.markBufferDirty(metabuf);
  env.wal.logNewPage(metabuf, true);
  btRelBuf(env, metabuf);
  rel.amcache = null;
  rel.targetBlock = -1;
  return { heapTuples, heapLiveTuples, indexTuples: n };
}

/*
 * The sort of a one-column integer key (PostgreSQL's tuplesort with the
 * int4 sortsupport comparator, and its radix sort of datums): each entry
 * becomes one float64, key * 2^20 + entry number, sorted by the engine's
 * native numeric sort instead of calling a JavaScript comparator (and
 * btCompareDatum, and the type's compare) for each of the n log n pairs.
 *
 *   key:   NULL first -> 0; value v -> (v + 2^31) + 1, reversed for DESC; NULL last -> RANGE + 1
 *   entry: its position in the spool, < 2^20
 *
 * The key part fits 33 bits and the entry part 20, so every packed value is
 * an exact integer below 2^53. Entries arrive from the heap scan in TID
 * order, so equal keys stay in TID order as the general comparator orders
 * them; the check below falls back to the comparator if they do not.
 */
const PACK_ENTRY_BITS = 20;
const PACK_ENTRY_LIMIT = 2 ** PACK_ENTRY_BITS;
/** Integer keys from -2^31 (int4's minimum) to 2^32 - 1 (oid's maximum). */
const PACK_KEY_MIN = -(2 ** 31);
const PACK_KEY_RANGE = 2 ** 32 + 2 ** 31;

/** Types whose Datums are JavaScript integers in PACK_KEY_MIN..2^32-1, ordered as numbers by their comparator. */
function isPackableIntegerType(typeOid: number): boolean {
  return typeOid === INT2OID || typeOid === INT4OID || typeOid === OIDOID;
}

/** The sorted order of the spool for a one-column integer key, or null when the general sort must run. */
function sortByIntegerKey(rel: IndexRelation, cols: readonly IndexValue[][], tids: readonly number[]): Uint32Array | null {
  const n = tids.length;
  if (rel.nkeyatts !== 1 || n > PACK_ENTRY_LIMIT || !isPackableIntegerType(rel.desc.types[0].oid)) return null;
  for (let i = 1; i < n; i++) if (tids[i] <= tids[i - 1]) return null;
  const opt = rel.indoption[0];
  const desc = (opt & INDOPTION_DESC) !== 0;
  const nullKey = (opt & INDOPTION_NULLS_FIRST) !== 0 ? 0 : PACK_KEY_RANGE + 1;
  const col = cols[0];
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = col[i];
    let k: number;
    if (v === null) {
      k = nullKey;
    } else {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < PACK_KEY_MIN || v >= PACK_KEY_RANGE + PACK_KEY_MIN) return null;
      const o = v - PACK_KEY_MIN;
      k = (desc ? PACK_KEY_RANGE - 1 - o : o) + 1;
    }
    packed[i] = k * PACK_ENTRY_LIMIT + i;
  }
  packed.sort();
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const p = packed[i];
    perm[i] = p - Math.floor(p / PACK_ENTRY_LIMIT) * PACK_ENTRY_LIMIT;
  }
  return perm;
}

/** A unique index refuses two live rows with the same non-null key (comparetup_index_btree's check). */
function checkBuildUnique(
  rel: IndexRelation,
  perm: Uint32Array,
  cols: IndexValue[][],
  alive: boolean[],
  compareKeys: (a: number, b: number) => number,
  heapRel: Relation | null,
): void {
  const n = perm.length;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && compareKeys(perm[i], perm[j]) === 0) j++;
    if (j - i > 1) {
      const e = perm[i];
      let hasNull = false;
      for (let c = 0; c < rel.nkeyatts; c++) if (cols[c][e] === null) hasNull = true;
      let live = 0;
      for (let k = i; k < j; k++) if (alive[perm[k]]) live++;
      if (!hasNull && live > 1) {
        const values = cols.map((col) => col[e]);
        throw new PgError(SQLSTATE.unique_violation, `could not create unique index "${rel.name}"`, {
          detail: `Key ${btBuildIndexValueDescription(rel, values)} is duplicated.`,
          constraint: rel.name,
          ...(heapRel !== null ? { table: heapRel.name } : {}),
        });
      }
    }
    i = j;
  }
}
