/*
 * nbtsearch.ts — descending the tree: _bt_search, _bt_moveright,
 * _bt_binsrch and _bt_get_endpoint (PostgreSQL's nbtsearch.c; the scan
 * itself is in nbtscan.ts).
 *
 * Exports: BTStack, btSearch, btMoveRight, btBinSrch, btGetEndpoint.
 *
 * Lehman & Yao: a descent holds one page lock at a time. It reads a
 * downlink, releases the parent, and locks the child; if the child split in
 * between, the key it wants may now be to the right, and the child's high
 * key says so: while the key is beyond the high key, follow the right-link
 * (btMoveRight). A half-dead or deleted page is also stepped over to the
 * right, since its key space went to its right sibling.
 */

import { itemIdGet, itemIdGetOffset, pageGetMaxOffsetNumber } from '../../storage/page/bufpage.ts';
import { SIZE_OF_PAGE_HEADER } from '../../constants.ts';
import { LP_OFF_MASK } from '../../storage/page/itemid.ts';
import { PgError, SQLSTATE } from '../../utils/errors.ts';
import { viewOf } from '../common/byteview.ts';
import type { IndexRelation } from './indexrel.ts';
import type { BtEnv } from './nbtenv.ts';
import { btCompare, type BTScanInsert } from './nbtcompare.ts';
import { btFinishSplit } from './nbtparent.ts';
import { BT_READ, BT_WRITE, btGetBuf, btGetRoot, btGetTrueRoot, btLockBuf, btRelAndGetBuf, btRelBuf, btUnlockBuf } from './nbtpage.ts';
import {
  btPageFirstDataKey,
  btPageIgnore,
  btPageIncompleteSplit,
  btPageIsLeaf,
  btPageIsRightmost,
  btpoLevel,
  btpoNext,
} from './nbtpageops.ts';
import { BT_OFFSET_MASK, BTREE_HEIGHT_MAX, BTREE_MOVE_RIGHT_MAX, INDEX_ALT_TID_MASK, INDEX_NULL_MASK, P_HIKEY } from './nbtree_constants.ts';
import { btTupleGetDownLink } from './nbttuple.ts';

/**
 * The path of a descent (BTStackData): for each internal page passed, its
 * block and the offset of the downlink followed. Inserting a downlink after
 * a split re-finds the parent from it (nbtinsert.ts btGetStackBuf).
 */
export interface BTStack {
  blkno: number;
  offset: number;
  parent: BTStack | null;
}

function fellOff(rel: IndexRelation): never {
  throw new PgError(SQLSTATE.index_corrupted, `fell off the end of index "${rel.name}"`);
}

/**
 * _bt_moveright: from `buf` (locked in `access` mode), steps right while
 * the page is dead or the key lies beyond its high key (>= with nextkey,
 * > without). With forUpdate, incomplete splits met on the way are
 * finished first (write lock needed). Returns the locked page to use.
 */
export function btMoveRight(
  rel: IndexRelation,
  env: BtEnv,
  key: BTScanInsert,
  buf: number,
  forUpdate: boolean,
  stack: BTStack | null,
  access: number,
): number {
  const bm = env.bufmgr;
  const cmpval = key.nextkey ? 0 : 1;
  for (let hops = 0; ; hops++) {
    if (hops > BTREE_MOVE_RIGHT_MAX) fellOff(rel);
    const page = bm.getPage(buf);
    if (btPageIsRightmost(page)) break;
    if (forUpdate && btPageIncompleteSplit(page)) {
      const blkno = bm.getBlockNumber(buf);
      if (access === BT_READ) {
        btUnlockBuf(env, buf);
        btLockBuf(env, buf, BT_WRITE);
      }
      if (btPageIncompleteSplit(bm.getPage(buf))) btFinishSplit(rel, env, buf, stack);
      else btRelBuf(env, buf);
      buf = btGetBuf(rel, env, blkno, access);
      continue;
    }
    if (btPageIgnore(page) || btCompare(rel, key, page, P_HIKEY) >= cmpval) {
      buf = btRelAndGetBuf(rel, env, buf, btpoNext(page), access);
      continue;
    }
    break;
  }
  if (btPageIgnore(bm.getPage(buf))) {
    btRelBuf(env, buf);
    fellOff(rel);
  }
  return buf;
}

/**
 * _bt_binsrch: on a leaf, the first item >= key (> key with nextkey),
 * possibly maxoff + 1; on an internal page, the last pivot < key (<= with
 * nextkey), whose downlink leads to the key.
 */
export function btBinSrch(rel: IndexRelation, key: BTScanInsert, page: Uint8Array): number {
  let low = btPageFirstDataKey(page);
  let high = pageGetMaxOffsetNumber(page);
  if (high < low) return low;
  high++;
  const cmpval = key.nextkey ? 0 : 1;
  if (rel.nkeyatts === 1 && key.keysz === 1 && rel.indoption[0] === 0 && rel.desc.types[0].oid === INT4OID && typeof key.values[0] === 'number') {
    return btBinSrchInt4(rel, key, page, low, high, cmpval);
  }
  const dv = viewOf(page);
  while (high > low) {
    const mid = low + ((high - low) >>> 1);
    if (btCompare(rel, key, page, mid, dv) >= cmpval) low = mid + 1;
    else high = mid;
  }
  if (btPageIsLeaf(page)) return low;
  return low - 1;
}

const INT4OID = 23;
const INFO_HI_NULLS = INDEX_NULL_MASK >>> 8;
const INFO_HI_ALT_TID = INDEX_ALT_TID_MASK >>> 8;

/**
 * btBinSrch for the commonest key, one int4 column ASC NULLS LAST with a
 * non-NULL search value (PostgreSQL gets the same effect from sortsupport's
 * comparator chosen once per scan key). The item's value is read straight
 * from the page, without deforming or the type's compare function; only
 * what needs _bt_compare's other rules (equal values, where the heap TID
 * and the truncated-pivot rule decide, and tuples with NULLs) goes through
 * btCompare. The minus-infinity first item of an internal page is greater-
 * than by rule, as btCompare has it.
 */
function btBinSrchInt4(rel: IndexRelation, key: BTScanInsert, page: Uint8Array, low: number, high: number, cmpval: number): number {
  const kv = key.values[0] as number;
  const isleaf = btPageIsLeaf(page);
  const minusInf = isleaf ? -1 : low;
  while (high > low) {
    const mid = low + ((high - low) >>> 1);
    let r: number;
    if (mid === minusInf) {
      r = 1;
    } else {
      const lp = SIZE_OF_PAGE_HEADER + ((mid - 1) << 2);
      const off = (page[lp] | (page[lp + 1] << 8)) & LP_OFF_MASK;
      // t_info's high byte: NULLs take the general rules, and so does a pivot
      // truncated to no key column (BTreeTupleGetNAtts, the low 12 bits of its
      // t_tid offset field, is 0); a pivot that kept the column has its value
      // where a leaf tuple has it, and only an equal value needs more.
      const hi = page[off + 7];
      if ((hi & INFO_HI_NULLS) !== 0 || ((hi & INFO_HI_ALT_TID) !== 0 && ((page[off + 4] | (page[off + 5] << 8)) & BT_OFFSET_MASK) === 0)) {
        r = btCompare(rel, key, page, mid);
      } else {
        // The little-endian int4 key at the start of the tuple's data (offset 8: no null bitmap).
        const p = off + 8;
        const tv = page[p] | (page[p + 1] << 8) | (page[p + 2] << 16) | (page[p + 3] << 24);
        r = kv > tv ? 1 : kv < tv ? -1 : btCompare(rel, key, page, mid);
      }
    }
    if (r >= cmpval) low = mid + 1;
    else high = mid;
  }
  return isleaf ? low : low - 1;
}

/**
 * _bt_search: descends from the (fast) root to the leaf that may hold
 * `key`, returning it locked in `access` mode with the stack of internal
 * pages passed. buf is 0 when the index is empty and access is BT_READ.
 * With BT_WRITE only the leaf is write-locked; internal pages are read.
 */
export function btSearch(rel: IndexRelation, env: BtEnv, key: BTScanInsert, access: number): { buf: number; stack: BTStack | null } {
  const bm = env.bufmgr;
  let buf = btGetRoot(rel, env, access);
  if (buf === 0) return { buf: 0, stack: null };
  let stack: BTStack | null = null;
  let pageAccess = BT_READ;
  for (let depth = 0; ; depth++) {
    if (depth > BTREE_HEIGHT_MAX) {
      btRelBuf(env, buf);
      throw new PgError(SQLSTATE.index_corrupted, `index "${rel.name}" is deeper than ${BTREE_HEIGHT_MAX} levels`);
    }
    buf = btMoveRight(rel, env, key, buf, access === BT_WRITE, stack, pageAccess);
    const page = bm.getPage(buf);
    if (btPageIsLeaf(page)) break;
    const offnum = btBinSrch(rel, key, page);
    const child = btTupleGetDownLink(page, itemIdGetOffset(itemIdGet(page, offnum)));
    stack = { blkno: bm.getBlockNumber(buf), offset: offnum, parent: stack };
    // Level 1's children are leaves: lock the leaf as the caller asked.
    if (btpoLevel(page) === 1 && access === BT_WRITE) pageAccess = BT_WRITE;
    buf = btRelAndGetBuf(rel, env, buf, child, pageAccess);
  }
  if (access === BT_WRITE && pageAccess === BT_READ) {
    // The root was the leaf, read-locked by btGetRoot: trade for a write lock and recheck.
    btUnlockBuf(env, buf);
    btLockBuf(env, buf, BT_WRITE);
    buf = btMoveRight(rel, env, key, buf, true, stack, BT_WRITE);
  }
  return { buf, stack };
}

/**
 * _bt_get_endpoint: the leftmost (or rightmost) page on `level`,
 * read-locked, or 0 if the index is empty. Descends from the true root if
 * the level is above the fast root.
 */
export function btGetEndpoint(rel: IndexRelation, env: BtEnv, level: number, rightmost: boolean): number {
  const bm = env.bufmgr;
  let buf = btGetRoot(rel, env, BT_READ);
  if (buf === 0) return 0;
  if (btpoLevel(bm.getPage(buf)) < level) {
    btRelBuf(env, buf);
    buf = btGetTrueRoot(rel, env);
    if (buf === 0) return 0;
  }
  for (let depth = 0; ; depth++) {
    if (depth > BTREE_HEIGHT_MAX + BTREE_MOVE_RIGHT_MAX) fellOff(rel);
    let page = bm.getPage(buf);
    // Dead pages and, for the rightmost endpoint, pages with a right sibling: step right.
    while (btPageIgnore(page) || (rightmost && !btPageIsRightmost(page))) {
      if (btPageIsRightmost(page)) {
        btRelBuf(env, buf);
        fellOff(rel);
      }
      buf = btRelAndGetBuf(rel, env, buf, btpoNext(page), BT_READ);
      page = bm.getPage(buf);
      if (++depth > BTREE_MOVE_RIGHT_MAX) fellOff(rel);
    }
    const lvl = btpoLevel(page);
    if (lvl === level) return buf;
    if (lvl < level) {
      btRelBuf(env, buf);
      throw new PgError(SQLSTATE.index_corrupted, `btree level ${level} not found in index "${rel.name}"`);
    }
    const off = rightmost ? pageGetMaxOffsetNumber(page) : btPageFirstDataKey(page);
    const child = btTupleGetDownLink(page, itemIdGetOffset(itemIdGet(page, off)));
    buf = btRelAndGetBuf(rel, env, buf, child, BT_READ);
  }
}
