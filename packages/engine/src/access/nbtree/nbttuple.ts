/*
 * nbttuple.ts — the B-tree's two kinds of index tuple, and suffix truncation
 * (PostgreSQL's BTreeTuple* macros in nbtree.h, _bt_truncate and
 * _bt_keep_natts in nbtutils.c).
 *
 * Exports: NO_TID, btTupleIsPivot, btTupleGetNAtts, btTupleSetNAtts,
 *          btTupleGetDownLink, btTupleSetDownLink, btTupleGetTopParent,
 *          btTupleSetTopParent, btTupleGetHeapTid, btTruncate, btKeepNatts,
 *          btMinusInfinityPivot, copyItem.
 *
 * Non-pivot tuples live on leaves: all key columns, t_tid = the heap row.
 * Pivot tuples are high keys and the separators of internal pages; their
 * t_info has INDEX_ALT_TID_MASK and their t_tid is reused:
 *
 *   t_tid.block   internal page: the child's block (the downlink)
 *                 half-dead leaf's high key: the top parent of the subtree
 *                 being deleted (nbtpagedel.ts)
 *   t_tid.offset  bits 0..11  number of key attributes kept (0 = "minus infinity")
 *                 bit 12      BT_PIVOT_HEAP_TID_ATTR: a heap TID follows
 *                             in the last 6 bytes of the tuple
 *
 * Every key of a version 4 B-tree is unique because the heap TID is the
 * last key column (heapkeyspace). A pivot needs only enough leading columns
 * to tell the last tuple on its left from the first on its right (suffix
 * truncation); truncated columns count as minus infinity.
 */

import { SIZE_OF_INDEX_TUPLE_DATA, BT_OFFSET_MASK, BT_IS_POSTING, BT_PIVOT_HEAP_TID_ATTR, INDEX_ALT_TID_MASK } from './nbtree_constants.ts';
import { maxAlign } from '../../constants.ts';
import { readItemPointer, tidBlock, tidOffset, writeItemPointer, type Tid } from '../common/itemptr.ts';
import type { IndexRelation } from './indexrel.ts';
import {
  indexDeformTuple,
  indexFormTuple,
  indexTupleInfo,
  indexTupleSetInfo,
  indexTupleSize,
  itupGetTidBlock,
  itupGetTidOffset,
  itupSetTid,
  type IndexValue,
} from './itup.ts';
import { INDEX_MAX_KEYS } from './nbtree_constants.ts';

/** "No heap TID": a pivot without one sorts below every real TID (minus infinity). */
export const NO_TID = -1;

/** BTreeTupleIsPivot. */
export function btTupleIsPivot(b: Uint8Array, off: number): boolean {
  return (indexTupleInfo(b, off) & INDEX_ALT_TID_MASK) !== 0 && (itupGetTidOffset(b, off) & BT_IS_POSTING) === 0;
}

/** BTreeTupleGetNAtts: key attributes present in the tuple. */
export function btTupleGetNAtts(b: Uint8Array, off: number, nkeyatts: number): number {
  if ((indexTupleInfo(b, off) & INDEX_ALT_TID_MASK) === 0) return nkeyatts;
  return itupGetTidOffset(b, off) & BT_OFFSET_MASK;
}

/** BTreeTupleSetNAtts: makes the tuple a pivot with `natts` attributes. */
export function btTupleSetNAtts(b: Uint8Array, off: number, natts: number, heapTid: boolean): void {
  indexTupleSetInfo(b, off, indexTupleInfo(b, off) | INDEX_ALT_TID_MASK);
  const o = (natts & BT_OFFSET_MASK) | (heapTid ? BT_PIVOT_HEAP_TID_ATTR : 0);
  b[off + 4] = o;
  b[off + 5] = o >>> 8;
}

/** BTreeTupleGetDownLink: the child block of a pivot on an internal page. */
export function btTupleGetDownLink(b: Uint8Array, off: number): number {
  return itupGetTidBlock(b, off);
}

export function btTupleSetDownLink(b: Uint8Array, off: number, block: number): void {
  itupSetTid(b, off, block, itupGetTidOffset(b, off));
}

/** BTreeTupleGetTopParent: the half-dead leaf's link to the top of the subtree being deleted. */
export function btTupleGetTopParent(b: Uint8Array, off: number): number {
  return itupGetTidBlock(b, off);
}

/** BTreeTupleSetTopParent: also makes the tuple a 0-attribute pivot. */
export function btTupleSetTopParent(b: Uint8Array, off: number, block: number): void {
  itupSetTid(b, off, block, 0);
  btTupleSetNAtts(b, off, 0, false);
}

/**
 * BTreeTupleGetHeapTID: a leaf tuple's heap TID, a pivot's kept heap TID,
 * or NO_TID when the pivot's heap TID was truncated away.
 */
export function btTupleGetHeapTid(b: Uint8Array, off: number): Tid {
  if ((indexTupleInfo(b, off) & INDEX_ALT_TID_MASK) === 0) return readItemPointer(b, off);
  if ((itupGetTidOffset(b, off) & BT_PIVOT_HEAP_TID_ATTR) === 0) return NO_TID;
  return readItemPointer(b, off + indexTupleSize(b, off) - 6);
}

/**
 * A "minus infinity" pivot: no attributes, downlink to `block`. It is the
 * first item of every internal page and sorts below every key.
 */
export function btMinusInfinityPivot(block: number): Uint8Array {
  const t = new Uint8Array(SIZE_OF_INDEX_TUPLE_DATA);
  itupSetTid(t, 0, block, 0);
  indexTupleSetInfo(t, 0, SIZE_OF_INDEX_TUPLE_DATA);
  btTupleSetNAtts(t, 0, 0, false);
  return t;
}

/** A copy of the tuple at b[off] (CopyIndexTuple). */
export function copyItem(b: Uint8Array, off: number): Uint8Array {
  return b.slice(off, off + indexTupleSize(b, off));
}

const keepA: IndexValue[] = new Array<IndexValue>(INDEX_MAX_KEYS).fill(null);
const keepB: IndexValue[] = new Array<IndexValue>(INDEX_MAX_KEYS).fill(null);
const keepNa: boolean[] = new Array<boolean>(INDEX_MAX_KEYS).fill(false);
const keepNb: boolean[] = new Array<boolean>(INDEX_MAX_KEYS).fill(false);

/**
 * _bt_keep_natts: how many leading key attributes a pivot between lastleft
 * and firstright must keep, 1..nkeyatts, or nkeyatts + 1 when every key
 * attribute is equal and the heap TID must decide.
 */
export function btKeepNatts(rel: IndexRelation, a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): number {
  const n = rel.nkeyatts;
  indexDeformTuple(rel.desc, a, aOff, n, keepA, keepNa);
  indexDeformTuple(rel.desc, b, bOff, n, keepB, keepNb);
  let keep = 1;
  for (let i = 0; i < n; i++) {
    if (keepNa[i] !== keepNb[i]) break;
    if (!keepNa[i] && rel.desc.types[i].compare(keepA[i]!, keepB[i]!) !== 0) break;
    keep++;
  }
  return keep;
}

/**
 * _bt_truncate: the new high key for a leaf split between lastleft and
 * firstright (both non-pivot tuples): firstright cut down to the attributes
 * btKeepNatts needs; when all keys are equal, firstright's keys with
 * lastleft's heap TID appended, so that lastleft <= high key < firstright.
 */
export function btTruncate(rel: IndexRelation, page: Uint8Array, lastleftOff: number, firstright: Uint8Array, firstrightOff: number): Uint8Array {
  const n = rel.nkeyatts;
  const keep = btKeepNatts(rel, page, lastleftOff, firstright, firstrightOff);
  if (keep <= n) {
    indexDeformTuple(rel.desc, firstright, firstrightOff, keep, keepB, keepNb);
    const frTid = readItemPointer(firstright, firstrightOff);
    const pivot = indexFormTuple(rel.desc, keepB, frTid, keep);
    btTupleSetNAtts(pivot, 0, keep, false);
    keepB.fill(null);
    return pivot;
  }
  const size = indexTupleSize(firstright, firstrightOff);
  const newSize = maxAlign(size) + maxAlign(6);
  const pivot = new Uint8Array(newSize);
  pivot.set(firstright.subarray(firstrightOff, firstrightOff + size), 0);
  indexTupleSetInfo(pivot, 0, (indexTupleInfo(pivot, 0) & ~0x1fff) | newSize);
  btTupleSetNAtts(pivot, 0, n, true);
  const lastTid = readItemPointer(page, lastleftOff);
  writeItemPointer(pivot, newSize - 6, tidBlock(lastTid), tidOffset(lastTid));
  return pivot;
}
