/*
 * nbtcheck.ts — verifying a B-tree's invariants, like contrib/amcheck's
 * bt_index_check and bt_index_parent_check (verify_nbtree.c).
 *
 * Exports: BtCheckOptions, BtCheckResult, btIndexCheck.
 *
 * What is checked (each failure raises XX002 index_corrupted, worded
 * after amcheck):
 *   1. the metapage: magic, version; the root is a live page flagged
 *      BTP_ROOT, alone on its level, on the level the metapage says; the
 *      fast root is a live page alone on its level;
 *   2. each level, walked left to right from its leftmost page: every page
 *      is on that level, not deleted, linked back to the page before it
 *      (btpo_prev), has a high key unless it is the rightmost, and only
 *      leaves may be half-dead;
 *   3. each page: items are well-formed (sizes, pivot or not, attribute
 *      counts), strictly increasing in index order (key columns, then heap
 *      TID), and bounded by the high key (<= on a leaf, < above);
 *      consecutive pages: the right page's items are above the left
 *      page's high key;
 *   4. with `parent` (the default): every downlink points to a page one
 *      level down, the downlinks of a level list the pages below in
 *      sibling order (a half-dead leaf, or the right half of an unfinished
 *      split, may lack one), and each child's high key equals the pivot
 *      after its downlink (its upper bound in the parent);
 *   5. every block not in the tree is free: never initialized, or deleted;
 *   6. with `heapAllIndexed`: every live row the table offers has its
 *      exact index tuple (key and heap TID) on the leaf level.
 *
 * Call it with no concurrent writers (amcheck's bt_index_parent_check
 * holds a ShareLock for that): pages are read one at a time under a share
 * lock and copied, and the check reasons about the copies.
 */

import { BLCKSZ } from '../../constants.ts';
import {
  itemIdGet,
  itemIdGetFlags,
  itemIdGetLength,
  itemIdGetOffset,
  LP_DEAD,
  LP_NORMAL,
  pageGetMaxOffsetNumber,
  pageIsNew,
} from '../../storage/page/bufpage.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import { PgError, SQLSTATE } from '../../utils/errors.ts';
import { tidBlock, tidOffset, type Tid } from '../common/itemptr.ts';
import type { IndexRelation } from './indexrel.ts';
import { indexDeformTuple, indexFormTupleInto, indexTupleSize, type IndexValue } from './itup.ts';
import { btCompareDatum } from './nbtcompare.ts';
import type { BtEnv } from './nbtenv.ts';
import { BT_READ, btGetMeta, btRelBuf } from './nbtpage.ts';
import {
  btPageFirstDataKey,
  btPageIsDeleted,
  btPageIsHalfDead,
  btPageIsLeaf,
  btPageIsLeftmost,
  btPageIsMeta,
  btPageIsRightmost,
  btPageIsRoot,
  btPageIncompleteSplit,
  btpoLevel,
  btpoNext,
  btpoPrev,
} from './nbtpageops.ts';
import { BT_MAX_ITEM_SIZE, BTREE_HEIGHT_MAX, BTREE_METAPAGE, INDEX_SIZE_MASK, P_HIKEY, P_NONE, SIZE_OF_BT_PAGE_OPAQUE } from './nbtree_constants.ts';
import { NO_TID, btTupleGetDownLink, btTupleGetHeapTid, btTupleGetNAtts, btTupleIsPivot } from './nbttuple.ts';
import type { IndexBuildScan } from './nbtsort.ts';

export interface BtCheckOptions {
  /** Also check downlinks against the pages below (bt_index_parent_check); default true. */
  parent?: boolean;
  /** heapallindexed: the table's rows, each of which must be found in the index. */
  heapAllIndexed?: IndexBuildScan;
}

export interface BtCheckResult {
  /** Levels of the tree (0 for an empty index). */
  levels: number;
  /** Live pages per level, leaves first. */
  pagesPerLevel: number[];
  /** Entries on the leaf level, LP_DEAD ones included. */
  leafTuples: number;
  halfDeadPages: number;
  /** Deleted pages and never-used pages. */
  freePages: number;
  /** Rows checked with heapAllIndexed. */
  heapTuplesChecked: number;
}

function corrupt(message: string, detail?: string): never {
  throw new PgError(SQLSTATE.index_corrupted, message, detail === undefined ? {} : { detail });
}

const va: IndexValue[] = [];
const vb: IndexValue[] = [];
const na: boolean[] = [];
const nb: boolean[] = [];

/** Total index order of two tuples: key columns (truncated = minus infinity), then heap TID (none = minus infinity). */
function compareTuples(rel: IndexRelation, a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): number {
  const nA = btTupleGetNAtts(a, aOff, rel.nkeyatts);
  const nB = btTupleGetNAtts(b, bOff, rel.nkeyatts);
  const n = Math.min(nA, nB);
  indexDeformTuple(rel.desc, a, aOff, n, va, na);
  indexDeformTuple(rel.desc, b, bOff, n, vb, nb);
  for (let i = 0; i < n; i++) {
    const r = btCompareDatum(rel, i, va[i], vb[i]);
    if (r !== 0) return r;
  }
  if (nA !== nB) return nA < nB ? -1 : 1;
  const tA = btTupleGetHeapTid(a, aOff);
  const tB = btTupleGetHeapTid(b, bOff);
  return tA < tB ? -1 : tA > tB ? 1 : 0;
}

function tidStr(t: Tid): string {
  return t === NO_TID ? '(none)' : `(${tidBlock(t)},${tidOffset(t)})`;
}

/** Reads a block under a share lock and returns a copy of it. */
function readCopy(rel: IndexRelation, env: BtEnv, blkno: number): Uint8Array {
  const bm = env.bufmgr;
  const buf = bm.readBuffer(rel.locator, ForkNumber.MAIN, blkno);
  bm.lockBuffer(buf, BT_READ);
  const copy = bm.getPage(buf).slice();
  btRelBuf(env, buf);
  return copy;
}

function itemAt(page: Uint8Array, off: number): number {
  return itemIdGetOffset(itemIdGet(page, off));
}

/** Per-page checks (3): item format, order, high key bound. */
function checkPage(rel: IndexRelation, page: Uint8Array, blkno: number): number {
  const name = rel.name;
  const isleaf = btPageIsLeaf(page);
  const maxoff = pageGetMaxOffsetNumber(page);
  const first = btPageFirstDataKey(page);
  const rightmost = btPageIsRightmost(page);
  if (!rightmost && maxoff < P_HIKEY) corrupt(`non-rightmost page ${blkno} of index "${name}" has no high key`);
  let items = 0;
  for (let off = 1; off <= maxoff; off++) {
    const lp = itemIdGet(page, off);
    const flags = itemIdGetFlags(lp);
    if (flags !== LP_NORMAL && !(flags === LP_DEAD && isleaf && off >= first)) {
      corrupt(`invalid line pointer ${off} in block ${blkno} of index "${name}"`, `Line pointer flags ${flags}.`);
    }
    const at = itemIdGetOffset(lp);
    const len = itemIdGetLength(lp);
    const size = indexTupleSize(page, at);
    if (size !== len || size % 8 !== 0 || size > BT_MAX_ITEM_SIZE + 8 || at + size > BLCKSZ - SIZE_OF_BT_PAGE_OPAQUE) {
      corrupt(`index tuple size does not equal lp_len in index "${name}"`, `Index tid=(${blkno},${off}) tuple size=${size} lp_len=${len}.`);
    }
    const pivot = btTupleIsPivot(page, at);
    const natts = btTupleGetNAtts(page, at, rel.nkeyatts);
    const isHikey = off === P_HIKEY && !rightmost;
    if (isHikey || !isleaf) {
      const minusInf = !isleaf && off === first;
      const okNatts = minusInf ? natts === 0 : btPageIsHalfDead(page) ? natts === 0 : natts >= 1 && natts <= rel.nkeyatts;
      if (!pivot || !okNatts) corrupt(`wrong number of index tuple attributes in index "${name}"`, `Index tid=(${blkno},${off}) natts=${natts} pivot=${pivot}.`);
    } else {
      if (pivot) corrupt(`pivot tuple on leaf level of index "${name}"`, `Index tid=(${blkno},${off}).`);
      items++;
    }
  }
  if (btPageIsHalfDead(page)) {
    if (!isleaf || maxoff !== P_HIKEY) corrupt(`half-dead page ${blkno} of index "${name}" is not an empty leaf`);
    return 0;
  }
  // Strictly increasing data items (an internal page's first item is minus infinity).
  const orderFrom = isleaf ? first : first + 1;
  for (let off = orderFrom; off < maxoff; off++) {
    if (compareTuples(rel, page, itemAt(page, off), page, itemAt(page, off + 1)) >= 0) {
      corrupt(`item order invariant violated for index "${name}"`, `Lower index tid=(${blkno},${off}) (points to ${isleaf ? 'heap' : 'index'} tid=${isleaf ? tidStr(btTupleGetHeapTid(page, itemAt(page, off))) : btTupleGetDownLink(page, itemAt(page, off))}) higher index tid=(${blkno},${off + 1}).`);
    }
  }
  if (!rightmost && maxoff >= orderFrom) {
    const c = compareTuples(rel, page, itemAt(page, maxoff), page, itemAt(page, P_HIKEY));
    if (isleaf ? c > 0 : c >= 0) corrupt(`high key invariant violated for index "${name}"`, `Index tid=(${blkno},${maxoff}) is above the high key.`);
  }
  return items;
}

interface Downlink {
  child: number;
  /** Page and offset number of the pivot after the downlink (the child's upper bound), or null for +infinity. */
  upper: { page: Uint8Array; off: number } | null;
  /** The pivot holding the downlink (its key is the child's lower bound), null for minus infinity. */
  lower: { page: Uint8Array; off: number } | null;
}

/**
 * A 53-bit hash of an index tuple's bytes after t_tid (t_info and the key
 * data): two different tuples for one heap TID collide with odds of about
 * 2^-53, where amcheck's Bloom filter accepts a 1 % false-positive rate.
 */
function hashTuple(b: Uint8Array, off: number, size: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9e3779b9 ^ size;
  for (let i = off + 6; i < off + size; i++) {
    h1 = Math.imul(h1 ^ b[i], 0x01000193);
    h2 = Math.imul(h2 ^ b[i], 0x5bd1e995) ^ (h2 >>> 15);
  }
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}

/** The leaf level's tuples by heap TID (usually one each; a TID may be indexed twice after a key update). */
class Fingerprints {
  private readonly one = new Map<Tid, number>();
  private readonly more = new Map<Tid, number[]>();

  add(tid: Tid, hash: number): void {
    const h = this.one.get(tid);
    if (h === undefined) this.one.set(tid, hash);
    else {
      const list = this.more.get(tid);
      if (list === undefined) this.more.set(tid, [hash]);
      else list.push(hash);
    }
  }

  has(tid: Tid, hash: number): boolean {
    if (this.one.get(tid) === hash) return true;
    return this.more.get(tid)?.includes(hash) ?? false;
  }
}

function pivotKeysEqual(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): boolean {
  const n = indexTupleSize(a, aOff);
  if (n !== indexTupleSize(b, bOff)) return false;
  for (let i = 4; i < n; i++) if (a[aOff + i] !== b[bOff + i]) return false; // all but the block number
  return true;
}

/**
 * The true left end of a level, from the page the leftmost downlink leads
 * to: pages left of it can only be leftovers of an interrupted page
 * deletion (half-dead leaves, or pages whose subtree ends in one).
 */
function leftEnd(rel: IndexRelation, env: BtEnv, blkno: number, nblocks: number): number {
  for (let hops = 0; ; hops++) {
    const page = readCopy(rel, env, blkno);
    const prev = btpoPrev(page);
    if (prev === P_NONE) return blkno;
    if (hops > nblocks || prev >= nblocks) corrupt(`left links of index "${rel.name}" do not end`);
    const left = readCopy(rel, env, prev);
    if (!(btPageIsHalfDead(left) || inDeletedSubtree(rel, env, left))) {
      corrupt(`leftmost downlink of index "${rel.name}" leads to block ${blkno}, which has a live left sibling ${prev}`);
    }
    blkno = prev;
  }
}

/** Whether an internal page is the top of a subtree whose deletion was interrupted (one child each way down to a half-dead leaf). */
function inDeletedSubtree(rel: IndexRelation, env: BtEnv, page: Uint8Array): boolean {
  let p = page;
  for (let depth = 0; depth < BTREE_HEIGHT_MAX; depth++) {
    if (btPageIsLeaf(p)) return btPageIsHalfDead(p);
    if (btPageIsDeleted(p) || pageGetMaxOffsetNumber(p) !== btPageFirstDataKey(p)) return false;
    p = readCopy(rel, env, btTupleGetDownLink(p, itemAt(p, btPageFirstDataKey(p))));
  }
  return false;
}

/**
 * bt_index_check / bt_index_parent_check (see the header). Returns counts;
 * raises index_corrupted at the first violation.
 */
export function btIndexCheck(rel: IndexRelation, env: BtEnv, options: BtCheckOptions = {}): BtCheckResult {
  const name = rel.name;
  const parent = options.parent ?? true;
  const result: BtCheckResult = { levels: 0, pagesPerLevel: [], leafTuples: 0, halfDeadPages: 0, freePages: 0, heapTuplesChecked: 0 };
  const nblocks = env.bufmgr.nblocks(rel.locator, ForkNumber.MAIN);
  if (nblocks === 0) corrupt(`index "${name}" has no metapage`);
  const metapage = readCopy(rel, env, BTREE_METAPAGE);
  if (!btPageIsMeta(metapage)) corrupt(`index "${name}" is not a btree`);
  const meta = btGetMeta(rel, metapage);
  const inTree = new Uint8Array(nblocks);
  inTree[BTREE_METAPAGE] = 1;
  const fingerprints = options.heapAllIndexed !== undefined ? new Fingerprints() : null;

  if (meta.root !== P_NONE) {
    if (meta.root >= nblocks || meta.level >= BTREE_HEIGHT_MAX) corrupt(`index "${name}" metapage has invalid root ${meta.root} on level ${meta.level}`);
    const root = readCopy(rel, env, meta.root);
    // A root whose split was interrupted (a crash before the new root was made) has a right
    // sibling and has lost its root flag; the next insert finishes the split.
    const rootSplit = !pageIsNew(root) && btPageIncompleteSplit(root);
    if (pageIsNew(root) || (!rootSplit && (!btPageIsRoot(root) || !btPageIsRightmost(root))) || btpoLevel(root) !== meta.level || !btPageIsLeftmost(root)) {
      corrupt(`index "${name}" has a bad root page ${meta.root}`, `Root flags, level ${btpoLevel(root)} or siblings disagree with the metapage (level ${meta.level}).`);
    }
    if (meta.fastroot >= nblocks || meta.fastlevel > meta.level) corrupt(`index "${name}" metapage has invalid fast root ${meta.fastroot} on level ${meta.fastlevel}`);
    const fast = readCopy(rel, env, meta.fastroot);
    if (pageIsNew(fast) || btPageIsDeleted(fast) || btPageIsHalfDead(fast) || btpoLevel(fast) !== meta.fastlevel || !btPageIsLeftmost(fast) ||
        !(btPageIsRightmost(fast) || btPageIncompleteSplit(fast))) {
      corrupt(`index "${name}" has a bad fast root page ${meta.fastroot}`);
    }
    result.levels = meta.level + 1;
    result.pagesPerLevel = new Array<number>(meta.level + 1).fill(0);

    let leftmost = meta.root;
    let above: Downlink[] | null = null;
    for (let level = meta.level; level >= 0; level--) {
      leftmost = leftEnd(rel, env, leftmost, nblocks);
      const downlinks: Downlink[] = [];
      let blkno = leftmost;
      let prev = P_NONE;
      let prevPage: Uint8Array | null = null;
      let d = 0; // next expected downlink from the level above
      let groupUpper: Downlink['upper'] = null;
      let nextLeftmost = P_NONE;
      for (let count = 0; blkno !== P_NONE; count++) {
        if (count > nblocks) corrupt(`sibling links of level ${level} of index "${name}" form a cycle`);
        if (blkno >= nblocks) corrupt(`block ${blkno} linked from block ${prev} is beyond the end of index "${name}"`);
        if (inTree[blkno] !== 0) corrupt(`block ${blkno} of index "${name}" is reached twice`);
        inTree[blkno] = 1;
        const page = readCopy(rel, env, blkno);
        if (pageIsNew(page)) corrupt(`index "${name}" contains unexpected zero page at block ${blkno}`);
        if (btPageIsDeleted(page)) corrupt(`deleted page ${blkno} is linked into level ${level} of index "${name}"`);
        if (btpoLevel(page) !== level) corrupt(`block ${blkno} of index "${name}" is on level ${btpoLevel(page)}, expected ${level}`);
        if (btPageIsLeaf(page) !== (level === 0)) corrupt(`block ${blkno} of index "${name}" has a wrong leaf flag`);
        if (btpoPrev(page) !== prev) {
          corrupt(`left link/right link pair in index "${name}" not in agreement`, `Block=${blkno} left block=${btpoPrev(page)} left link from block=${prev}.`);
        }
        if (btPageIsRoot(page) && blkno !== meta.root) corrupt(`block ${blkno} of index "${name}" is flagged root but is not the root`);
        const halfDead = btPageIsHalfDead(page);
        if (halfDead) result.halfDeadPages++;
        result.pagesPerLevel[level]++;
        const items = checkPage(rel, page, blkno);
        if (level === 0) result.leafTuples += items;
        if (count === 0 && level > 0) nextLeftmost = btTupleGetDownLink(page, itemAt(page, btPageFirstDataKey(page)));

        // Across the page boundary: everything here is above the left neighbour's high key.
        if (prevPage !== null && !btPageIsHalfDead(prevPage) && !halfDead) {
          const pHi = itemAt(prevPage, P_HIKEY);
          const firstReal = btPageFirstDataKey(page) + (level === 0 ? 0 : 1);
          if (firstReal <= pageGetMaxOffsetNumber(page) && compareTuples(rel, prevPage, pHi, page, itemAt(page, firstReal)) >= 0) {
            corrupt(`cross page item order invariant violated for index "${name}"`, `Last item of block ${prev} (its high key) is not below the first item of block ${blkno}.`);
          }
          if (!btPageIsRightmost(page) && compareTuples(rel, prevPage, pHi, page, itemAt(page, P_HIKEY)) >= 0) {
            corrupt(`high keys of blocks ${prev} and ${blkno} of index "${name}" are not increasing`);
          }
        }

        // (4) Downlink agreement with the level above.
        if (parent && above !== null) {
          let orphan = false;
          if (d < above.length && above[d].child === blkno) {
            const dl = above[d++];
            groupUpper = dl.upper;
            if (dl.lower !== null && level === 0 && btPageFirstDataKey(page) <= pageGetMaxOffsetNumber(page) &&
                compareTuples(rel, dl.lower.page, itemAt(dl.lower.page, dl.lower.off), page, itemAt(page, btPageFirstDataKey(page))) >= 0) {
              corrupt(`down-link lower bound invariant violated for index "${name}"`, `Parent pivot is not below the first item of block ${blkno}.`);
            }
          } else if (prevPage !== null && btPageIncompleteSplit(prevPage)) {
            // The right half of an unfinished split: covered by its left half's downlink.
          } else if (halfDead || inDeletedSubtree(rel, env, page)) {
            orphan = true; // its downlink went in the first stage of page deletion
          } else {
            corrupt(`index "${name}" lacks a downlink to block ${blkno} on level ${level}`);
          }
          // The last page of a group (one downlink, plus pages of an unfinished split) ends at the parent's next pivot.
          if (!orphan && !btPageIncompleteSplit(page)) {
            const upper = groupUpper;
            if (upper === null) {
              if (!btPageIsRightmost(page)) corrupt(`block ${blkno} of index "${name}" has a right sibling but its downlink is the last on its level`);
            } else if (btPageIsRightmost(page) || !pivotKeysEqual(page, itemAt(page, P_HIKEY), upper.page, itemAt(upper.page, upper.off))) {
              corrupt(`child high key does not match the parent pivot in index "${name}"`, `Block ${blkno} on level ${level}.`);
            }
          }
        }

        if (level > 0) {
          const first = btPageFirstDataKey(page);
          const maxoff = pageGetMaxOffsetNumber(page);
          for (let off = first; off <= maxoff; off++) {
            const upper = off < maxoff ? { page, off: off + 1 } : btPageIsRightmost(page) ? null : { page, off: P_HIKEY };
            downlinks.push({ child: btTupleGetDownLink(page, itemAt(page, off)), upper, lower: off === first ? null : { page, off } });
          }
        } else if (fingerprints !== null) {
          const maxoff = pageGetMaxOffsetNumber(page);
          for (let off = btPageFirstDataKey(page); off <= maxoff && !halfDead; off++) {
            const at = itemAt(page, off);
            fingerprints.add(btTupleGetHeapTid(page, at), hashTuple(page, at, indexTupleSize(page, at)));
          }
        }
        prev = blkno;
        prevPage = page;
        blkno = btpoNext(page);
      }
      if (parent && above !== null && d !== above.length) {
        corrupt(`downlink to block ${above[d].child} of index "${name}" does not lead to level ${level} in sibling order`);
      }
      above = downlinks;
      leftmost = nextLeftmost;
    }
  } else {
    result.pagesPerLevel = [];
  }

  // (5) Every other block is free.
  for (let blkno = 1; blkno < nblocks; blkno++) {
    if (inTree[blkno] !== 0) continue;
    const page = readCopy(rel, env, blkno);
    if (pageIsNew(page) || btPageIsDeleted(page)) {
      result.freePages++;
      continue;
    }
    if (btPageIsHalfDead(page)) corrupt(`half-dead block ${blkno} of index "${name}" is not in the sibling chain`);
    corrupt(`block ${blkno} of index "${name}" is not reachable from the root`, `Level ${btpoLevel(page)}, left ${btpoPrev(page)}, right ${btpoNext(page)}.`);
  }

  // (6) heapallindexed.
  if (options.heapAllIndexed !== undefined && fingerprints !== null) {
    const scan = options.heapAllIndexed;
    const scratch = new Uint8Array(INDEX_SIZE_MASK + 1);
    scan((tid, values, alive) => {
      if (!alive) return;
      result.heapTuplesChecked++;
      const size = indexFormTupleInto(rel.desc, values, tid, scratch, 0);
      if (!fingerprints.has(tid, hashTuple(scratch, 0, size))) {
        corrupt(`heap tuple ${tidStr(tid)} lacks matching index tuple within index "${name}"`);
      }
    });
  }
  return result;
}
