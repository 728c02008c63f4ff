/*
 * heapscan.ts — sequential scans of a heap (PostgreSQL's heapgettup_pagemode).
 *
 * Page-at-a-time: the scan pins a page, takes its share lock once, decides
 * visibility for every tuple on it, remembers the visible ones' offsets, and
 * releases the lock. Tuples are then returned from the pinned page without
 * locking: a pinned page's tuples cannot move (pruning needs a cleanup lock,
 * which a pin blocks), and a visible tuple's data never changes, only its
 * header's hint bits and xmax.
 *
 * A page whose PD_ALL_VISIBLE flag is set skips the per-tuple checks
 * entirely, as PostgreSQL does: that is what makes a vacuumed table fast to
 * scan.
 *
 * Scan keys, when set, are tested on each visible tuple's bytes before
 * next() returns it (heapgettup_pagemode's HeapKeyTest).
 *
 * The scan's block count is fixed when it starts (rs_nblocks): rows inserted
 * into new pages by the scanning transaction itself after it started are not
 * seen, which is PostgreSQL's behaviour too (they are invisible to the
 * statement's snapshot anyway).
 */

import { MAX_HEAP_TUPLES_PER_PAGE } from '../../constants.ts';
import { BUFFER_LOCK_SHARE, BUFFER_LOCK_UNLOCK } from '../../storage/buffer/buf_internals.ts';
import { itemIdGet, LP_NORMAL, pageGetMaxOffsetNumber, pageIsAllVisible } from '../../storage/page/bufpage.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import { heapDeformTuple, type TupleValue } from '../common/heaptuple.ts';
import { HeapKeyTester, type HeapScanKey } from '../common/scankey.ts';
import type { RawVarlena } from '../common/varlena.ts';
import type { Datum, TypeInfo } from '../../utils/adt/datum.ts';
import { makeTid, type Tid } from '../common/itemptr.ts';
import type { HeapAM } from './heapam.ts';
import type { HeapSnapshot } from './heapam_env.ts';
import { heapPagePruneOpt } from './pruneheap.ts';
import type { Relation } from './relation.ts';
import type { SerializableReadScan } from '../../storage/lmgr/predicate.ts';

const LP_OFF_MASK = 0x7fff;
const LP_FLAGS_SHIFT = 15;
const LP_LEN_SHIFT = 17;

export class HeapScan<S extends HeapSnapshot = HeapSnapshot> {
  private readonly heap: HeapAM<S>;
  readonly rel: Relation;
  private readonly snapshot: S;
  private nblocks: number;
  private block = -1;
  private buffer = 0;
  /** The current page (valid while next() returned true). */
  page: Uint8Array = new Uint8Array(0);
  /** Byte offset and length of the current tuple within `page`. */
  tupleOffset = 0;
  tupleLength = 0;
  private lineOff = 0;
  private readonly visOffsets = new Int32Array(MAX_HEAP_TUPLES_PER_PAGE);
  private readonly visLens = new Int32Array(MAX_HEAP_TUPLES_PER_PAGE);
  private readonly visLine = new Uint16Array(MAX_HEAP_TUPLES_PER_PAGE);
  private nvis = 0;
  private idx = 0;
  private ended = false;

  constructor(heap: HeapAM<S>, rel: Relation, snapshot: S) {
    this.heap = heap;
    this.rel = rel;
    this.snapshot = snapshot;
    this.nblocks = heap.env.bufmgr.nblocks(rel.locator, ForkNumber.MAIN);
    // SSI: a sequential scan reads the whole relation, rows to come included (PredicateLockRelation),
    // before its first page; then every version it examines is checked for a concurrent writer.
    this.ssi = heap.env.predicate?.forRead(rel.oid, snapshot) ?? null;
    if (this.ssi !== null) this.ssi.lockRelation(rel.oid);
  }

  /** The serializable side of this scan (storage/lmgr/predicate.ts), null unless the transaction is SERIALIZABLE. */
  private readonly ssi: SerializableReadScan | null;

  /** The current tuple's TID. */
  get tid(): Tid {
    return makeTid(this.block, this.lineOff);
  }

  /**
   * Scan keys (heap_beginscan's key): next() returns only the tuples that
   * pass them all (HeapKeyTest, access/common/scankey.ts), counting the
   * others in keyFiltered. Tested on the pinned page after the share lock
   * is released, as the tuples themselves are read: a compressed or
   * out-of-line value may need the TOAST table.
   */
  private keys: HeapKeyTester | null = null;
  private onKeySkip: (() => void) | null = null;
  /** Visible tuples the keys rejected. */
  keyFiltered = 0;

  /** Sets the scan keys; onSkip runs for every tuple they reject (an interrupt check). */
  setKeys(keys: readonly HeapScanKey[], detoast: (raw: RawVarlena, type: TypeInfo) => Datum, onSkip: (() => void) | null): void {
    this.keys = keys.length > 0 ? new HeapKeyTester(this.rel.desc, keys, detoast) : null;
    this.onKeySkip = onSkip;
  }

  /** Advances to the next visible tuple (that passes the keys); false at the end. */
  next(): boolean {
    const keys = this.keys;
    for (;;) {
      if (this.idx < this.nvis) {
        const i = this.idx++;
        const off = this.visOffsets[i];
        const len = this.visLens[i];
        if (keys !== null && !keys.test(this.page, off, len)) {
          this.keyFiltered++;
          if (this.onKeySkip !== null) this.onKeySkip();
          continue;
        }
        this.tupleOffset = off;
        this.tupleLength = len;
        this.lineOff = this.visLine[i];
        return true;
      }
      if (!this.nextPage()) return false;
    }
  }

  /** heapgetpage: reads the next block and collects its visible tuples. */
  private nextPage(): boolean {
    const bufmgr = this.heap.env.bufmgr;
    if (this.buffer !== 0) {
      bufmgr.releaseBuffer(this.buffer);
      this.buffer = 0;
    }
    if (this.ended || this.block + 1 >= this.nblocks) {
      this.ended = true;
      return false;
    }
    this.block++;
    const buffer = bufmgr.readBuffer(this.rel.locator, ForkNumber.MAIN, this.block);
    this.buffer = buffer;
    heapPagePruneOpt(this.heap.env, this.rel, buffer, 0);
    bufmgr.lockBuffer(buffer, BUFFER_LOCK_SHARE);
    const page = bufmgr.getPage(buffer);
    this.page = page;
    const maxOff = pageGetMaxOffsetNumber(page);
    const allVisible = pageIsAllVisible(page);
    const vis = this.heap.env.vis;
    const snapshot = this.snapshot;
    const ssi = this.ssi;
    let n = 0;
    for (let off = 1; off <= maxOff; off++) {
      const lp = itemIdGet(page, off);
      if (((lp >>> LP_FLAGS_SHIFT) & 3) !== LP_NORMAL) continue;
      const at = lp & LP_OFF_MASK;
      if (!allVisible) {
        const valid = vis.satisfiesMVCC(page, at, snapshot, buffer);
        // An all-visible page has no version a concurrent transaction wrote: nothing to check there.
        if (ssi !== null) ssi.conflictOut(valid, page, at, buffer);
        if (!valid) continue;
      }
      this.visOffsets[n] = at;
      this.visLens[n] = lp >>> LP_LEN_SHIFT;
      this.visLine[n] = off;
      n++;
    }
    bufmgr.lockBuffer(buffer, BUFFER_LOCK_UNLOCK);
    this.nvis = n;
    this.idx = 0;
    return true;
  }

  /**
   * Deforms the current tuple into caller-provided arrays (TOASTed values
   * stay RawVarlena): its first natts attributes (default all), as
   * slot_getsomeattrs does for a caller that needs only the leading columns.
   */
  getValues(values: (TupleValue | null)[], isnull: boolean[], natts: number = this.rel.desc.natts): void {
    heapDeformTuple(this.rel.desc, this.page, this.tupleOffset, this.tupleLength, values, isnull, natts);
  }

  /**
   * heap_rescan: back to before the first page, with the same snapshot; the
   * block count is read again, as initscan does.
   */
  restart(): void {
    this.end();
    this.nblocks = this.heap.env.bufmgr.nblocks(this.rel.locator, ForkNumber.MAIN);
    this.block = -1;
    this.idx = 0;
    this.ended = false;
  }

  /** Ends the scan, dropping its pin. Safe to call twice. */
  end(): void {
    if (this.buffer !== 0) {
      this.heap.env.bufmgr.releaseBuffer(this.buffer);
      this.buffer = 0;
    }
    this.ended = true;
    this.nvis = 0;
  }
}
