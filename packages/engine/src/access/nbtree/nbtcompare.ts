/*
 * nbtcompare.ts — comparing a search key with index tuples: insertion scan
 * keys (BTScanInsertData), _bt_mkscankey and _bt_compare.
 *
 * Exports: BTScanInsert, btMakeScanKey, btMakeScanKeyFromValues,
 *          btCompareDatum, btCompareKeyToTuple, btCompare, btCompareValues.
 *
 * Index order, column by column: each column's values in its type's
 * TypeInfo.compare order, reversed for DESC; NULLs all equal to each other,
 * before every value with NULLS FIRST and after with NULLS LAST (nulls keep
 * their place whether the column is ASC or DESC). After the key columns,
 * the heap TID decides (heapkeyspace); a pivot's truncated columns and a
 * missing heap TID are minus infinity.
 *
 * btCompare returns the sign of (scan key - tuple): positive when the key
 * sorts after the tuple. It follows _bt_compare's two special rules:
 *   - the first data item of an internal page is minus infinity (its key
 *     is never looked at), so every key is greater than it;
 *   - a forward search key that equals a pivot on all of the pivot's
 *     attributes, where the pivot kept exactly as many attributes as the
 *     key has and no heap TID, is treated as greater: every tuple equal to
 *     the key must be to the right of such a pivot (suffix truncation chose
 *     it so), and going left would only cost a wasted page visit.
 */

import { itemIdGet, itemIdGetOffset } from '../../storage/page/bufpage.ts';
import type { Datum } from '../../utils/adt/datum.ts';
import { viewOf } from '../common/byteview.ts';
import type { Tid } from '../common/itemptr.ts';
import { INDOPTION_DESC, INDOPTION_NULLS_FIRST, type IndexRelation } from './indexrel.ts';
import { indexDeformTuple, indexTupleHasNulls, type IndexValue } from './itup.ts';
import { INDEX_MAX_KEYS, P_FIRSTKEY, P_HIKEY } from './nbtree_constants.ts';
import { NO_TID, btTupleGetHeapTid, btTupleGetNAtts } from './nbttuple.ts';
import { btPageIsLeaf, btPageIsRightmost } from './nbtpageops.ts';

/** An insertion scan key: what a descent searches for (BTScanInsertData). */
export interface BTScanInsert {
  /** Find the first item > key (true) rather than >= key (false). */
  nextkey: boolean;
  /** Disable the truncated-pivot rule above (backward scans and page deletion's parent search). */
  backward: boolean;
  /** Number of leading key columns given. */
  keysz: number;
  /** The key values, null for NULL (SK_ISNULL); length >= keysz. */
  values: IndexValue[];
  /** Heap TID as the final key column, or NO_TID ("scantid is NULL"). */
  scantid: Tid;
  /** Some key value is NULL: a unique check is not needed (NULLs are distinct). */
  anynullkeys: boolean;
}

/** _bt_mkscankey from the tuple at b[off]: its attributes and heap TID. `dv`: a DataView of b, if the caller has one. */
export function btMakeScanKey(rel: IndexRelation, b: Uint8Array, off: number, dv?: DataView): BTScanInsert {
  const natts = btTupleGetNAtts(b, off, rel.nkeyatts);
  const values = new Array<IndexValue>(rel.nkeyatts).fill(null);
  const isnull = new Array<boolean>(rel.nkeyatts).fill(false);
  indexDeformTuple(rel.desc, b, off, natts, values, isnull, dv);
  let anynull = false;
  for (let i = 0; i < natts; i++) if (isnull[i]) anynull = true;
  return { nextkey: false, backward: false, keysz: natts, values, scantid: btTupleGetHeapTid(b, off), anynullkeys: anynull };
}

/** An insertion scan key from values (all key columns) and a heap TID (or NO_TID). */
export function btMakeScanKeyFromValues(rel: IndexRelation, values: readonly IndexValue[], scantid: Tid): BTScanInsert {
  const v = values.slice(0, rel.nkeyatts);
  return { nextkey: false, backward: false, keysz: rel.nkeyatts, values: v, scantid, anynullkeys: v.some((x) => x === null) };
}

/** Index-order comparison of one column's key value with a tuple's value: sign of (key - tuple). */
export function btCompareDatum(rel: IndexRelation, i: number, key: IndexValue, tup: IndexValue): number {
  const opt = rel.indoption[i];
  if (key === null) {
    if (tup === null) return 0;
    return (opt & INDOPTION_NULLS_FIRST) !== 0 ? -1 : 1;
  }
  if (tup === null) return (opt & INDOPTION_NULLS_FIRST) !== 0 ? 1 : -1;
  const r = rel.desc.types[i].compare(key as Datum, tup as Datum);
  if (r === 0) return 0;
  return (opt & INDOPTION_DESC) !== 0 ? (r < 0 ? 1 : -1) : r < 0 ? -1 : 1;
}

/** Index-order comparison of two full value arrays (first n columns). */
export function btCompareValues(rel: IndexRelation, a: readonly IndexValue[], b: readonly IndexValue[], n: number): number {
  for (let i = 0; i < n; i++) {
    const r = btCompareDatum(rel, i, a[i], b[i]);
    if (r !== 0) return r;
  }
  return 0;
}

const tupVals: IndexValue[] = new Array<IndexValue>(INDEX_MAX_KEYS).fill(null);
const tupNulls: boolean[] = new Array<boolean>(INDEX_MAX_KEYS).fill(false);

/**
 * _bt_compare without the page-position rule: the sign of (key - tuple at
 * b[off]).
 */
export function btCompareKeyToTuple(rel: IndexRelation, key: BTScanInsert, b: Uint8Array, off: number, dv?: DataView): number {
  const ntupatts = btTupleGetNAtts(b, off, rel.nkeyatts);
  const ncmp = ntupatts < key.keysz ? ntupatts : key.keysz;
  const desc = rel.desc;
  if (ncmp > 0) {
    if (!indexTupleHasNulls(b, off) && desc.attlen[0] > 0 && ncmp === 1) {
      // The common case of a one-column fixed-width key, without deforming.
      const v = desc.types[0].readFixed!(dv ?? viewOf(b), off + 8 + desc.attcacheoff[0]);
      const r = btCompareDatum(rel, 0, key.values[0], v);
      if (r !== 0) return r;
    } else {
      indexDeformTuple(desc, b, off, ncmp, tupVals, tupNulls);
      for (let i = 0; i < ncmp; i++) {
        const r = btCompareDatum(rel, i, key.values[i], tupVals[i]);
        if (r !== 0) return r;
      }
    }
  }
  if (key.keysz > ntupatts) return 1;
  const heapTid = btTupleGetHeapTid(b, off);
  if (key.scantid === NO_TID) {
    if (!key.backward && key.keysz === ntupatts && heapTid === NO_TID) return 1;
    return 0;
  }
  if (heapTid === NO_TID) return 1;
  return key.scantid < heapTid ? -1 : key.scantid > heapTid ? 1 : 0;
}

/**
 * _bt_compare: the sign of (key - item `offnum` of the page). `dv`, a
 * DataView of the page, saves looking one up per call in a binary search.
 */
export function btCompare(rel: IndexRelation, key: BTScanInsert, page: Uint8Array, offnum: number, dv?: DataView): number {
  if (!btPageIsLeaf(page) && offnum === (btPageIsRightmost(page) ? P_HIKEY : P_FIRSTKEY)) return 1;
  return btCompareKeyToTuple(rel, key, page, itemIdGetOffset(itemIdGet(page, offnum)), dv);
}
