/*
 * nbtsplitloc.ts — where to split a full page (PostgreSQL's
 * nbtsplitloc.c, _bt_findsplitloc, in a simpler form).
 *
 * Exports: SplitPoint, btFindSplitLoc.
 *
 * The candidates are every point between two items of the page as it
 * would be with the new item in place, that leaves at least one item on
 * each side and room on both halves: the left half also holds its new high
 * key (as large as the first right item, plus a heap TID on leaves), the
 * right half keeps the old high key, and an internal page's first right
 * item shrinks to a minus-infinity pivot.
 *
 * Each candidate is scored by delta = f * leftfree - (1 - f) * rightfree,
 * where f is the fill factor of the left half: the index's leaf fill factor
 * (90 % by default) or 70 % for internal pages when the page is rightmost
 * on its level, since ever-increasing keys then leave the left half alone
 * forever; 50 % otherwise, halving the free space. Among the few
 * candidates closest to delta 0 (5 % of them, at most 9 on leaves and 18
 * on internal pages), the one with the shortest resulting pivot wins: on a
 * leaf the fewest key columns suffix truncation must keep, on an internal
 * page the smallest first right item.
 *
 * PostgreSQL also has "many duplicates" and "single value" strategies and
 * a split-after-new-item heuristic for localized monotonic inserts; tabgres
 * does not, so a page full of one value splits in the middle.
 */

import { BLCKSZ, SIZE_OF_ITEM_ID, SIZE_OF_PAGE_HEADER, maxAlign } from '../../constants.ts';
import { itemIdGet, itemIdGetLength, itemIdGetOffset, pageGetMaxOffsetNumber } from '../../storage/page/bufpage.ts';
import { elog } from '../../utils/errors.ts';
import type { IndexRelation } from './indexrel.ts';
import { btPageFirstDataKey, btPageIsLeaf, btPageIsRightmost } from './nbtpageops.ts';
import {
  BT_SPLIT_INTERNAL_INTERVAL,
  BT_SPLIT_LEAF_INTERVAL,
  BTREE_NONLEAF_FILLFACTOR,
  P_HIKEY,
  SIZE_OF_BT_PAGE_OPAQUE,
  SIZE_OF_INDEX_TUPLE_DATA,
} from './nbtree_constants.ts';
import { btKeepNatts } from './nbttuple.ts';
import { indexTupleSize } from './itup.ts';

export interface SplitPoint {
  /** Offset on the original page of the first item that goes right (maxoff + 1: none does). */
  firstrightoff: number;
  /** Whether the new item goes to the left half (it is then just before firstrightoff). */
  newitemonleft: boolean;
}

/** btFindSplitLoc's best candidates so far, sorted by (delta, k); sized for the larger interval. */
const splitTopK = new Int32Array(Math.max(BT_SPLIT_LEAF_INTERVAL, BT_SPLIT_INTERNAL_INTERVAL));
const splitTopDelta = new Float64Array(splitTopK.length);

/**
 * _bt_findsplitloc: the split point for inserting `newitem` (sized
 * `newitemsz`, MAXALIGNed) at `newitemoff` of the full page.
 */
export function btFindSplitLoc(rel: IndexRelation, page: Uint8Array, newitemoff: number, newitemsz: number, newitem: Uint8Array): SplitPoint {
  const isleaf = btPageIsLeaf(page);
  const isrightmost = btPageIsRightmost(page);
  const firstdata = btPageFirstDataKey(page);
  const maxoff = pageGetMaxOffsetNumber(page);
  const nold = maxoff - firstdata + 1;
  const n = nold + 1;
  const nl = newitemoff - firstdata;
  if (nl < 0 || nl > nold) elog(`new item offset ${newitemoff} outside page of ${nold} items`);

  // Sizes (with line pointer) of the virtual item list: old items with the new one at nl.
  const sizes = new Int32Array(n);
  const offs = new Int32Array(n); // byte offset on the page, -1 for the new item
  for (let j = 0; j < n; j++) {
    if (j === nl) {
      sizes[j] = maxAlign(newitemsz) + SIZE_OF_ITEM_ID;
      offs[j] = -1;
    } else {
      const lp = itemIdGet(page, firstdata + (j < nl ? j : j - 1));
      sizes[j] = maxAlign(itemIdGetLength(lp)) + SIZE_OF_ITEM_ID;
      offs[j] = itemIdGetOffset(lp);
    }
  }
  const space = BLCKSZ - SIZE_OF_PAGE_HEADER - maxAlign(SIZE_OF_BT_PAGE_OPAQUE);
  const leftspace = space;
  const rightspace = isrightmost ? space : space - (maxAlign(itemIdGetLength(itemIdGet(page, P_HIKEY))) + SIZE_OF_ITEM_ID);
  let total = 0;
  for (let j = 0; j < n; j++) total += sizes[j];

  const f = isrightmost ? (isleaf ? rel.fillfactor : BTREE_NONLEAF_FILLFACTOR) / 100 : 0.5;
  // Only the best `limit` candidates by (delta, k) can be looked at (the interval
  // below is at most that), so they are kept sorted as they come, in typed
  // arrays: the same ones a full sort would put first, without a candidate
  // object per item and a comparator call per comparison on every split.
  const limit = isleaf ? BT_SPLIT_LEAF_INTERVAL : BT_SPLIT_INTERNAL_INTERVAL;
  const topK = splitTopK;
  const topDelta = splitTopDelta;
  let ntop = 0;
  let ncands = 0;
  let left = 0;
  for (let k = 1; k < n; k++) {
    left += sizes[k - 1];
    const firstrightsz = sizes[k];
    const leftfree = leftspace - left - (isleaf ? firstrightsz + maxAlign(6) : firstrightsz);
    let rightfree = rightspace - (total - left);
    if (!isleaf) rightfree += firstrightsz - (maxAlign(SIZE_OF_INDEX_TUPLE_DATA) + SIZE_OF_ITEM_ID);
    if (leftfree < 0 || rightfree < 0) continue;
    ncands++;
    const delta = Math.abs(f * leftfree - (1 - f) * rightfree);
    // k only grows: a candidate with a delta equal to a kept one sorts after it.
    if (ntop === limit && delta >= topDelta[ntop - 1]) continue;
    let at = ntop < limit ? ntop++ : ntop - 1;
    while (at > 0 && topDelta[at - 1] > delta) {
      topDelta[at] = topDelta[at - 1];
      topK[at] = topK[at - 1];
      at--;
    }
    topDelta[at] = delta;
    topK[at] = k;
  }
  if (ncands === 0) elog(`could not find a feasible split point for index "${rel.name}"`);
  const interval = Math.min(Math.max(1, Math.floor(ncands * 0.05)), limit);

  let best = topK[0];
  if (interval > 1) {
    let bestPenalty = Infinity;
    for (let c = 0; c < interval; c++) {
      const k = topK[c];
      let penalty: number;
      if (isleaf) {
        const lb = offs[k - 1] < 0 ? newitem : page;
        const lo = offs[k - 1] < 0 ? 0 : offs[k - 1];
        const rb = offs[k] < 0 ? newitem : page;
        const ro = offs[k] < 0 ? 0 : offs[k];
        penalty = btKeepNatts(rel, lb, lo, rb, ro);
      } else {
        penalty = offs[k] < 0 ? indexTupleSize(newitem, 0) : indexTupleSize(page, offs[k]);
      }
      if (penalty < bestPenalty) {
        bestPenalty = penalty;
        best = k;
      }
    }
  }
  if (best < nl) return { firstrightoff: firstdata + best, newitemonleft: false };
  if (best === nl) return { firstrightoff: newitemoff, newitemonleft: false };
  return { firstrightoff: firstdata + best - 1, newitemonleft: true };
}
