/*
 * nbtsplitloc.test.ts — btFindSplitLoc keeps only the best few candidates
 * as it goes; this checks it picks exactly what sorting every candidate by
 * (delta, k) and scoring the first 5 % (at most the interval) picks, on
 * random full leaf and internal pages, rightmost or not, with keys of
 * random widths (so deltas tie and differ) and duplicates (so penalties tie).
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '@tabgres/opfs-storage';
import { BLCKSZ, SIZE_OF_ITEM_ID, SIZE_OF_PAGE_HEADER, maxAlign } from '../../constants.ts';
import { itemIdGet, itemIdGetLength, itemIdGetOffset, pageAddItem, pageGetMaxOffsetNumber } from '../../storage/page/bufpage.ts';
import { makeTid } from '../common/itemptr.ts';
import { makeIndexRelation, type IndexRelation } from './indexrel.ts';
import { indexFormTuple, indexTupleSize } from './itup.ts';
import { btPageFirstDataKey, btPageInit, btpoSetFlags, btpoSetNext, btPageIsLeaf, btPageIsRightmost } from './nbtpageops.ts';
import { BT_SPLIT_INTERNAL_INTERVAL, BT_SPLIT_LEAF_INTERVAL, BTP_LEAF, BTREE_NONLEAF_FILLFACTOR, P_HIKEY, SIZE_OF_BT_PAGE_OPAQUE, SIZE_OF_INDEX_TUPLE_DATA } from './nbtree_constants.ts';
import { btKeepNatts } from './nbttuple.ts';
import { btFindSplitLoc, type SplitPoint } from './nbtsplitloc.ts';
import { int4Type, textType } from '../common/testtypes.ts';

/** The selection as first written: every candidate an object, all of them sorted. */
function referenceSplitLoc(rel: IndexRelation, page: Uint8Array, newitemoff: number, newitemsz: number, newitem: Uint8Array): SplitPoint {
  const isleaf = btPageIsLeaf(page);
  const isrightmost = btPageIsRightmost(page);
  const firstdata = btPageFirstDataKey(page);
  const nold = pageGetMaxOffsetNumber(page) - firstdata + 1;
  const n = nold + 1;
  const nl = newitemoff - firstdata;
  const sizes: number[] = [];
  const offs: number[] = [];
  for (let j = 0; j < n; j++) {
    if (j === nl) {
      sizes.push(maxAlign(newitemsz) + SIZE_OF_ITEM_ID);
      offs.push(-1);
    } else {
      const lp = itemIdGet(page, firstdata + (j < nl ? j : j - 1));
      sizes.push(maxAlign(itemIdGetLength(lp)) + SIZE_OF_ITEM_ID);
      offs.push(itemIdGetOffset(lp));
    }
  }
  const space = BLCKSZ - SIZE_OF_PAGE_HEADER - maxAlign(SIZE_OF_BT_PAGE_OPAQUE);
  const rightspace = isrightmost ? space : space - (maxAlign(itemIdGetLength(itemIdGet(page, P_HIKEY))) + SIZE_OF_ITEM_ID);
  const total = sizes.reduce((a, b) => a + b, 0);
  const f = isrightmost ? (isleaf ? rel.fillfactor : BTREE_NONLEAF_FILLFACTOR) / 100 : 0.5;
  const cands: { k: number; delta: number }[] = [];
  let left = 0;
  for (let k = 1; k < n; k++) {
    left += sizes[k - 1];
    const leftfree = space - left - (isleaf ? sizes[k] + maxAlign(6) : sizes[k]);
    let rightfree = rightspace - (total - left);
    if (!isleaf) rightfree += sizes[k] - (maxAlign(SIZE_OF_INDEX_TUPLE_DATA) + SIZE_OF_ITEM_ID);
    if (leftfree < 0 || rightfree < 0) continue;
    cands.push({ k, delta: Math.abs(f * leftfree - (1 - f) * rightfree) });
  }
  cands.sort((a, b) => a.delta - b.delta || a.k - b.k);
  const interval = Math.min(Math.max(1, Math.floor(cands.length * 0.05)), isleaf ? BT_SPLIT_LEAF_INTERVAL : BT_SPLIT_INTERNAL_INTERVAL);
  let best = cands[0].k;
  let bestPenalty = Infinity;
  for (let c = 0; c < interval && interval > 1; c++) {
    const k = cands[c].k;
    const penalty = isleaf
      ? btKeepNatts(rel, offs[k - 1] < 0 ? newitem : page, Math.max(0, offs[k - 1]), offs[k] < 0 ? newitem : page, Math.max(0, offs[k]))
      : offs[k] < 0
        ? indexTupleSize(newitem, 0)
        : indexTupleSize(page, offs[k]);
    if (penalty < bestPenalty) {
      bestPenalty = penalty;
      best = k;
    }
  }
  if (best < nl) return { firstrightoff: firstdata + best, newitemonleft: false };
  if (best === nl) return { firstrightoff: newitemoff, newitemonleft: false };
  return { firstrightoff: firstdata + best - 1, newitemonleft: true };
}

describe('btFindSplitLoc', () => {
  it('picks what a full sort of the candidates picks', () => {
    const rnd = new Prng(7);
    const rel = makeIndexRelation({
      oid: 1,
      name: 'split_test',
      locator: { spcOid: 1663, dbOid: 5, relNumber: 1 },
      columns: [
        { name: 'a', type: int4Type },
        { name: 't', type: textType },
      ],
    });
    let checked = 0;
    for (let round = 0; round < 300; round++) {
      const page = new Uint8Array(BLCKSZ);
      btPageInit(page);
      const leaf = rnd.nextUint32() % 3 !== 0;
      const rightmost = rnd.nextUint32() % 2 === 0;
      btpoSetFlags(page, leaf ? BTP_LEAF : 0);
      const wide = rnd.nextUint32() % 40;
      const tuple = (i: number): Uint8Array => {
        const a = Math.floor(i / (1 + (rnd.nextUint32() % 4))); // runs of equal first columns
        const t = 'x'.repeat(wide === 0 ? 1 : rnd.nextUint32() % wide);
        return indexFormTuple(rel.desc, [a, t], makeTid(1 + i, 1));
      };
      if (!rightmost) {
        btpoSetNext(page, 99);
        const hikey = tuple(1_000_000);
        expect(pageAddItem(page, hikey, 0, hikey.length, P_HIKEY, false, false)).toBe(P_HIKEY);
      }
      // Fill until the next tuple does not fit; that one is the new item.
      let newitem: Uint8Array;
      for (let i = 0; ; i++) {
        const tup = tuple(i);
        if (pageAddItem(page, tup, 0, tup.length, 0, false, false) === 0) {
          newitem = tup;
          break;
        }
      }
      const firstdata = btPageFirstDataKey(page);
      const maxoff = pageGetMaxOffsetNumber(page);
      const newitemoff = firstdata + (rnd.nextUint32() % (maxoff - firstdata + 2));
      const got = btFindSplitLoc(rel, page, newitemoff, maxAlign(newitem.length), newitem);
      expect(got).toEqual(referenceSplitLoc(rel, page, newitemoff, maxAlign(newitem.length), newitem));
      checked++;
    }
    expect(checked).toBe(300);
  });
});
