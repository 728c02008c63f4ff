/*
 * heapam_handler.ts — what the heap offers index access methods and the
 * executor (PostgreSQL's heapam_handler.c, plus heap_hot_search_buffer and
 * heap_get_root_tuples from heapam.c and pruneheap.c).
 *
 * Exports:
 *   heapHotSearchBuffer   the version of a HOT chain a test accepts
 *   heapGetRootTuples     root line pointer of every chain member on a page
 *   IndexFetchHeap        index_fetch_tuple: heap rows for index TIDs, one pin kept per block
 *   HeapUniqueCheck       table_index_fetch_tuple_check with SnapshotDirty (unique checks)
 *   heapIndexBuildScan    table_index_build_scan for CREATE INDEX
 *   heapEstimateSize      relpages and an estimate of live tuples (ANALYZE, the planner)
 *   HeapScanCursor        a sequential scan returning one row at a time into a reused array
 *   ScanOwner             who a cursor reports its end and its errors to (the running statement)
 *
 * An index entry names a heap TID, but since HOT (README.md, "HOT and
 * pruning") that TID is the root of a chain of versions on one page that
 * share the indexed values; the chain is followed through t_ctid (or a
 * redirect line pointer left by pruning), checking that each member's xmin
 * is its predecessor's xmax, as PostgreSQL does, so a line pointer reused
 * after pruning is never mistaken for the next version.
 *
 * Rules:
 *  1. Chains are followed under the page's share lock, and values are
 *     deformed (copied) before the lock is released.
 *  2. TOASTed values are fetched only after every heap page lock is
 *     released: fetching reads other relations' pages.
 *  3. A build indexes every tuple some snapshot may still see: live ones,
 *     recently dead ones, and those being inserted or deleted; a heap-only
 *     tuple is indexed under its chain's root TID, and of a HOT chain only
 *     the last member a snapshot might need (heapam_index_build_range_scan).
 *     Only tuples visible to everyone count as duplicates for a unique build.
 */

import { MAX_HEAP_TUPLES_PER_PAGE } from '../../constants.ts';
import { BUFFER_LOCK_SHARE, BUFFER_LOCK_UNLOCK } from '../../storage/buffer/buf_internals.ts';
import { pageGetMaxOffsetNumber, pageIsAllVisible, pageIsNew } from '../../storage/page/bufpage.ts';
import { itemIdGet, itemIdGetFlags, itemIdGetLength, itemIdGetOffset, LP_NORMAL, LP_REDIRECT } from '../../storage/page/itemid.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import type { Datum } from '../../utils/adt/datum.ts';
import { PgError, SQLSTATE } from '../../utils/errors.ts';
import { initDirtySnapshot, type SnapshotData } from '../../utils/time/snapmgr.ts';
import { heapDeformTuple, heapGetAttr, type TupleValue } from '../common/heaptuple.ts';
import {
  HEAP_HOT_UPDATED, HEAP_ONLY_TUPLE, htupGetCtidBlock, htupGetCtidOffset, htupGetInfomask2, htupGetXmax, htupGetXmin,
} from '../common/htup_details.ts';
import { makeTid, tidBlock, tidOffset, type Tid } from '../common/itemptr.ts';
import { isRawVarlena } from '../common/varlena.ts';
import type { HeapScanKey } from '../common/scankey.ts';
import type { HeapAM } from './heapam.ts';
import { HTSV_Result, type HeapVisibility } from './heapam_visibility.ts';
import { HeapScan } from './heapscan.ts';
import { heapPagePruneOpt } from './pruneheap.ts';
import type { SerializableReadScan } from '../../storage/lmgr/predicate.ts';
import type { Relation } from './relation.ts';

/** Out-parameter of heapHotSearchBuffer. */
export interface HotSearchState {
  /** Every member of the chain is dead to everyone: the index entry may be killed. */
  allDead: boolean;
}

/**
 * heap_hot_search_buffer: walks the HOT chain rooted at line pointer
 * `rootOff` of the share-locked page and returns the offset of the first
 * member `snapshot` sees (MVCC, or SnapshotDirty for unique checks), or 0.
 * `state.allDead` is true when no member is visible and every one is dead
 * to all (hint bits only: HeapTupleIsSurelyDead).
 */
export function heapHotSearchBuffer(
  page: Uint8Array,
  buffer: number,
  block: number,
  rootOff: number,
  snapshot: SnapshotData,
  vis: HeapVisibility,
  oldestXmin: number,
  state: HotSearchState,
  ssi: SerializableReadScan | null = null,
): number {
  const maxOff = pageGetMaxOffsetNumber(page);
  let offnum = rootOff;
  let atChainStart = true;
  let prevXmax = 0;
  state.allDead = true;
  // A chain has at most one member per line pointer of the page.
  for (let hops = 0; hops <= MAX_HEAP_TUPLES_PER_PAGE; hops++) {
    if (offnum < 1 || offnum > maxOff) break;
    const lp = itemIdGet(page, offnum);
    const flags = itemIdGetFlags(lp);
    if (flags !== LP_NORMAL) {
      // Pruning left the root as a redirect to the chain's first live member.
      if (flags === LP_REDIRECT && atChainStart) {
        offnum = itemIdGetOffset(lp);
        atChainStart = false;
        continue;
      }
      break; // unused or dead: the chain ended
    }
    const at = itemIdGetOffset(lp);
    const infomask2 = htupGetInfomask2(page, at);
    // An index never points at a heap-only tuple; one here means the root slot was reused.
    if (atChainStart && (infomask2 & HEAP_ONLY_TUPLE) !== 0) break;
    // Not the successor of the member before: the chain was broken by pruning and the slot reused.
    if (prevXmax !== 0 && htupGetXmin(page, at) !== prevXmax) break;
    const valid = vis.satisfiesVisibility(page, at, snapshot, buffer);
    // SSI: every member examined may be a concurrent serializable writer's (HeapCheckForSerializableConflictOut).
    if (ssi !== null) ssi.conflictOut(valid, page, at, buffer);
    if (valid) {
      state.allDead = false;
      return offnum;
    }
    if (state.allDead && !vis.isSurelyDead(page, at, oldestXmin)) state.allDead = false;
    if ((infomask2 & HEAP_HOT_UPDATED) === 0 || htupGetCtidBlock(page, at) !== block) break;
    offnum = htupGetCtidOffset(page, at);
    atChainStart = false;
    prevXmax = vis.tupleUpdateXid(page, at); // HeapTupleHeaderGetUpdateXid: a MultiXactId's updater member
  }
  return 0;
}

/**
 * heap_get_root_tuples: roots[off] = the root line pointer of the chain
 * tuple `off` belongs to (itself for a tuple that is not heap-only), 0 for
 * slots that hold no tuple or an orphaned heap-only one.
 */
export function heapGetRootTuples(page: Uint8Array, roots: Uint16Array): void {
  const maxOff = pageGetMaxOffsetNumber(page);
  roots.fill(0, 0, maxOff + 1);
  for (let off = 1; off <= maxOff; off++) {
    const lp = itemIdGet(page, off);
    const flags = itemIdGetFlags(lp);
    let next: number;
    let prevXmax: number;
    if (flags === LP_NORMAL) {
      const at = itemIdGetOffset(lp);
      const infomask2 = htupGetInfomask2(page, at);
      if ((infomask2 & HEAP_ONLY_TUPLE) !== 0) continue; // reached from its root
      roots[off] = off;
      if ((infomask2 & HEAP_HOT_UPDATED) === 0) continue;
      next = htupGetCtidOffset(page, at);
      prevXmax = htupGetXmax(page, at);
    } else if (flags === LP_REDIRECT) {
      next = itemIdGetOffset(lp);
      prevXmax = 0;
    } else {
      continue;
    }
    for (let hops = 0; hops <= MAX_HEAP_TUPLES_PER_PAGE; hops++) {
      if (next < 1 || next > maxOff) break;
      const nlp = itemIdGet(page, next);
      if (itemIdGetFlags(nlp) !== LP_NORMAL) break;
      const at = itemIdGetOffset(nlp);
      if (prevXmax !== 0 && htupGetXmin(page, at) !== prevXmax) break;
      roots[next] = off;
      if ((htupGetInfomask2(page, at) & HEAP_HOT_UPDATED) === 0) break;
      next = htupGetCtidOffset(page, at);
      prevXmax = htupGetXmax(page, at);
    }
  }
}

/**
 * IndexFetchHeapData: fetches the heap rows that index entries name,
 * following HOT chains. The heap page of the last fetch stays pinned, so
 * consecutive entries on one page (a range scan over a clustered key) cost
 * one buffer lookup; end() drops the pin.
 */
export class IndexFetchHeap {
  private buffer = 0;
  private block = -1;
  private readonly search: HotSearchState = { allDead: false };
  /** After fetch() returned true: the visible version's TID (the chain member, not the root). */
  tid: Tid = 0;
  /** After fetch() returned false: every version is dead to everyone. */
  allDead = false;

  /** The horizon for allDead, read once per scan (an old value only makes allDead rarer); 0 until needed. */
  private oldestXmin = 0;

  constructor(
    private readonly heap: HeapAM<SnapshotData>,
    private readonly vis: HeapVisibility,
    readonly rel: Relation,
    /** The serializable side of the scan fetching (storage/lmgr/predicate.ts), or null. */
    private readonly ssi: SerializableReadScan | null = null,
  ) {}

  /**
   * The version of the chain at `tid` that `snapshot` sees; true if there
   * is one, its columns deformed into values/isnull when those are given
   * (TOASTed values stay RawVarlena: rule 2).
   */
  fetch(tid: Tid, snapshot: SnapshotData, values: (TupleValue | null)[] | null, isnull: boolean[] | null, natts?: number): boolean {
    const bufmgr = this.heap.env.bufmgr;
    const block = tidBlock(tid);
    if (block !== this.block) {
      if (this.buffer !== 0) bufmgr.releaseBuffer(this.buffer);
      this.buffer = 0;
      this.block = -1;
      this.buffer = bufmgr.readBuffer(this.rel.locator, ForkNumber.MAIN, block);
      this.block = block;
      // heapam_index_fetch_tuple: prune on arriving at a page, while this
      // scan's is the only pin we add. Without it a row updated again and
      // again (pgbench's branches) is never pruned: the UPDATE that runs out
      // of room holds this scan's pin, so its own prune cannot get the
      // cleanup lock, and every new version goes to another page and into
      // every index.
      heapPagePruneOpt(this.heap.env, this.rel, this.buffer, 0);
    }
    const buffer = this.buffer;
    bufmgr.lockBuffer(buffer, BUFFER_LOCK_SHARE);
    try {
      const page = bufmgr.getPage(buffer);
      if (this.oldestXmin === 0) this.oldestXmin = this.vis.oldestXmin();
      const off = heapHotSearchBuffer(page, buffer, block, tidOffset(tid), snapshot, this.vis, this.oldestXmin, this.search, this.ssi);
      if (off === 0) {
        this.allDead = this.search.allDead;
        return false;
      }
      this.allDead = false;
      this.tid = makeTid(block, off);
      // PredicateLockTID, under the page lock like the read itself.
      if (this.ssi !== null) this.ssi.lockTuple(this.rel.oid, this.tid, htupGetXmin(page, itemIdGetOffset(itemIdGet(page, off))));
      if (values !== null && isnull !== null) {
        const lp = itemIdGet(page, off);
        heapDeformTuple(this.rel.desc, page, itemIdGetOffset(lp), itemIdGetLength(lp), values, isnull, natts);
      }
      return true;
    } finally {
      bufmgr.lockBuffer(buffer, BUFFER_LOCK_UNLOCK);
    }
  }

  /** index_fetch_end: drops the pin. Safe to call twice. */
  end(): void {
    if (this.buffer !== 0) this.heap.env.bufmgr.releaseBuffer(this.buffer);
    this.buffer = 0;
    this.block = -1;
  }
}

/**
 * table_index_fetch_tuple_check with SnapshotDirty, which a unique index
 * asks about each entry with an equal key: is any version of that row live,
 * or being inserted or deleted by a transaction still running?
 */
export class HeapUniqueCheck {
  private readonly dirty = initDirtySnapshot();
  private readonly search: HotSearchState = { allDead: false };

  constructor(
    private readonly heap: HeapAM<SnapshotData>,
    private readonly vis: HeapVisibility,
    readonly rel: Relation,
  ) {}

  /**
   * found: some version is visible to "now" (mine, committed, or in
   * progress); xwait: a running inserter or deleter; speculativeToken: the
   * inserter's token when its insertion is speculative (wait on that).
   */
  fetchDirty(tid: Tid): { found: boolean; xwait: number; speculativeToken: number; allDead: boolean } {
    const bufmgr = this.heap.env.bufmgr;
    const block = tidBlock(tid);
    if (block >= bufmgr.nblocks(this.rel.locator, ForkNumber.MAIN)) return { found: false, xwait: 0, speculativeToken: 0, allDead: true };
    const buffer = bufmgr.readBuffer(this.rel.locator, ForkNumber.MAIN, block);
    bufmgr.lockBuffer(buffer, BUFFER_LOCK_SHARE);
    try {
      const page = bufmgr.getPage(buffer);
      const vis = this.vis;
      const snap = this.dirty;
      const off = heapHotSearchBuffer(page, buffer, block, tidOffset(tid), snap, vis, vis.oldestXmin(), this.search);
      if (off === 0) return { found: false, xwait: 0, speculativeToken: 0, allDead: this.search.allDead };
      if (snap.xmin !== 0) return { found: true, xwait: snap.xmin, speculativeToken: snap.speculativeToken, allDead: false };
      return { found: true, xwait: snap.xmax, speculativeToken: 0, allDead: false };
    } finally {
      bufmgr.unlockReleaseBuffer(buffer);
    }
  }
}

/**
 * table_index_build_scan (heapam_index_build_range_scan, non-concurrent):
 * offers every tuple an index must cover (rule 3) with the values of the
 * heap columns `heapAttnums` (1-based), TOASTed values fetched.
 *
 * A page's rows are collected while it is share-locked and offered after
 * it is unlocked (rule 2), in flat arrays reused from page to page: the
 * scan runs once per CREATE INDEX, mostly before the JIT has compiled it,
 * so two allocations per row were a visible part of the build. The
 * `values` array the callback gets is reused too: it is valid only during
 * the call.
 */
export function heapIndexBuildScan(
  heap: HeapAM<SnapshotData>,
  vis: HeapVisibility,
  rel: Relation,
  heapAttnums: ArrayLike<number>,
): (callback: (tid: Tid, values: readonly (Datum | null)[], tupleIsAlive: boolean) => void) => void {
  return (callback) => {
    const bufmgr = heap.env.bufmgr;
    const isMine = (xid: number): boolean => heap.env.xact.isCurrentTransactionId(xid);
    const oldestXmin = vis.oldestXmin();
    const nblocks = bufmgr.nblocks(rel.locator, ForkNumber.MAIN);
    const roots = new Uint16Array(MAX_HEAP_TUPLES_PER_PAGE + 1);
    const natts = heapAttnums.length;
    // Only a varlena column can hold a TOAST pointer or a compressed value to fetch.
    let mayToast = false;
    for (let i = 0; i < natts; i++) if (rel.desc.attlen[heapAttnums[i] - 1] < 0) mayToast = true;
    // The page's rows: row r's TID, liveness, and values at r * natts .. r * natts + natts - 1.
    const tids: Tid[] = [];
    const alives: boolean[] = [];
    const pageValues: (TupleValue | null)[] = [];
    const values = new Array<TupleValue | null>(natts).fill(null);
    for (let blk = 0; blk < nblocks; blk++) {
      let nrows = 0;
      const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, blk);
      bufmgr.lockBuffer(buffer, BUFFER_LOCK_SHARE);
      try {
        const page = bufmgr.getPage(buffer);
        if (pageIsNew(page)) continue;
        heapGetRootTuples(page, roots);
        const maxOff = pageGetMaxOffsetNumber(page);
        for (let off = 1; off <= maxOff; off++) {
          const lp = itemIdGet(page, off);
          if (itemIdGetFlags(lp) !== LP_NORMAL) continue;
          const at = itemIdGetOffset(lp);
          const hotUpdated = (htupGetInfomask2(page, at) & HEAP_HOT_UPDATED) !== 0;
          let indexIt: boolean;
          let alive: boolean;
          switch (vis.satisfiesVacuum(page, at, oldestXmin, buffer)) {
            case HTSV_Result.HEAPTUPLE_DEAD:
              indexIt = false;
              alive = false;
              break;
            case HTSV_Result.HEAPTUPLE_LIVE:
              indexIt = true;
              alive = true;
              break;
            case HTSV_Result.HEAPTUPLE_RECENTLY_DEAD:
              // Old snapshots may still need it, but of a HOT chain only the
              // last member is indexed (under the root) and serves them all.
              indexIt = !hotUpdated;
              alive = false;
              break;
            case HTSV_Result.HEAPTUPLE_INSERT_IN_PROGRESS:
              // Mine, or (once worker backends exist) another inserter's that
              // PostgreSQL would wait for: either way counted as live.
              indexIt = true;
              alive = true;
              break;
            case HTSV_Result.HEAPTUPLE_DELETE_IN_PROGRESS:
              // My own delete is assumed to commit (else the index does not
              // matter); another's may roll back, so the row stays live.
              indexIt = !hotUpdated;
              alive = !isMine(htupGetXmax(page, at));
              break;
            default:
              indexIt = false;
              alive = false;
          }
          if (!indexIt) continue;
          const root = roots[off];
          if (root === 0) {
            throw new PgError(SQLSTATE.data_corrupted, `failed to find parent tuple for heap-only tuple at (${blk},${off}) in table "${rel.name}"`);
          }
          const len = itemIdGetLength(lp);
          const base = nrows * natts;
          for (let i = 0; i < natts; i++) pageValues[base + i] = heapGetAttr(rel.desc, page, at, len, heapAttnums[i]);
          tids[nrows] = makeTid(blk, root);
          alives[nrows] = alive;
          nrows++;
        }
      } finally {
        bufmgr.unlockReleaseBuffer(buffer);
      }
      for (let r = 0; r < nrows; r++) {
        const base = r * natts;
        for (let i = 0; i < natts; i++) {
          const v = pageValues[base + i];
          values[i] = mayToast && isRawVarlena(v) ? heap.toaster.detoast(rel, v, rel.desc.types[heapAttnums[i] - 1]) : v;
        }
        callback(tids[r], values as (Datum | null)[], alives[r]);
      }
      // Drop the page's values (a detoasted or long text must not outlive its row).
      pageValues.fill(null, 0, nrows * natts);
    }
  };
}

/** Pages ANALYZE-style estimates look at: enough for a steady per-page average, few enough to stay cheap. */
export const ESTIMATE_SAMPLE_PAGES_MAX = 300;

export interface HeapSizeEstimate {
  /** Blocks in the main fork (pg_class.relpages). */
  relpages: number;
  /** Estimated live tuples (pg_class.reltuples): exact when every page was read. */
  reltuples: number;
  /** Estimated dead tuples not yet removed (pg_stat_user_tables.n_dead_tup). */
  deadTuples: number;
  /** Pages actually read. */
  pagesSampled: number;
}

/**
 * relpages and reltuples as ANALYZE computes them (acquire_sample_rows,
 * counting rather than sampling rows): up to ESTIMATE_SAMPLE_PAGES_MAX pages
 * spread evenly over the table are read, their live tuples counted and the
 * average scaled to every page. Tuples my own transaction inserted count as
 * live, those it deleted as dead; all-visible pages count every tuple.
 */
export function heapEstimateSize(heap: HeapAM<SnapshotData>, vis: HeapVisibility, rel: Relation): HeapSizeEstimate {
  const bufmgr = heap.env.bufmgr;
  const relpages = bufmgr.nblocks(rel.locator, ForkNumber.MAIN);
  if (relpages === 0) return { relpages: 0, reltuples: 0, deadTuples: 0, pagesSampled: 0 };
  const sample = Math.min(relpages, ESTIMATE_SAMPLE_PAGES_MAX);
  const oldestXmin = vis.oldestXmin();
  let live = 0;
  let dead = 0;
  for (let i = 0; i < sample; i++) {
    const blk = Math.floor((i * relpages) / sample);
    const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, blk);
    bufmgr.lockBuffer(buffer, BUFFER_LOCK_SHARE);
    try {
      const page = bufmgr.getPage(buffer);
      if (pageIsNew(page)) continue;
      const allVisible = pageIsAllVisible(page);
      const maxOff = pageGetMaxOffsetNumber(page);
      for (let off = 1; off <= maxOff; off++) {
        const lp = itemIdGet(page, off);
        if (itemIdGetFlags(lp) !== LP_NORMAL) continue;
        if (allVisible) {
          live++;
          continue;
        }
        const at = itemIdGetOffset(lp);
        switch (vis.satisfiesVacuum(page, at, oldestXmin, buffer)) {
          case HTSV_Result.HEAPTUPLE_LIVE:
            live++;
            break;
          case HTSV_Result.HEAPTUPLE_INSERT_IN_PROGRESS:
            if (heap.env.xact.isCurrentTransactionId(htupGetXmin(page, at))) live++;
            break;
          case HTSV_Result.HEAPTUPLE_DELETE_IN_PROGRESS:
            if (heap.env.xact.isCurrentTransactionId(htupGetXmax(page, at))) dead++;
            else live++;
            break;
          default:
            dead++;
        }
      }
    } finally {
      bufmgr.unlockReleaseBuffer(buffer);
    }
  }
  const scale = relpages / sample;
  return { relpages, reltuples: Math.round(live * scale), deadTuples: Math.round(dead * scale), pagesSampled: sample };
}

/**
 * What a cursor tells the statement it belongs to (a resource owner): that
 * it ended, and that next() failed, so the statement can be ended or
 * aborted with it.
 */
export interface ScanOwner {
  scanEnded(cursor: HeapScanCursor | IndexScanLike): void;
  scanFailed(cursor: HeapScanCursor | IndexScanLike, err: unknown): void;
}

/** The index-scan cursor as ScanOwner sees it (access/index/indexam.ts defines it). */
export interface IndexScanLike {
  end(): void;
}

/** What a sequential scan is asked for besides its relation (StorageEngine.beginScan). */
export interface HeapScanOptions {
  /** Leading attributes to deform (default all). */
  natts?: number;
  /**
   * Scan keys tested on each visible tuple's bytes before it is deformed
   * (access/common/scankey.ts); tuples failing one are skipped and counted
   * in keyFiltered.
   */
  keys?: readonly HeapScanKey[];
  /** Called for every tuple a key skips, so a long run of skipped tuples still sees cancels and statement_timeout. */
  checkInterrupts?: () => void;
  /** A snapshot to use instead of the statement's (foreign-key checks: the latest one in READ COMMITTED). */
  snapshot?: SnapshotData;
}

/**
 * heapam_scan_getnextslot as a cursor: a sequential scan under one
 * snapshot that deforms each visible row into `values` (one array, reused:
 * a caller that keeps a row copies it) with TOASTed values fetched.
 *
 * `natts` limits the deforming to the leading attributes the caller reads
 * (the executor passes the highest attribute number its plan references);
 * the entries past it stay null. Only a relation with varlena columns can
 * hold TOASTed values, so only then is the row searched for them. `keys`
 * are tested first (heapgettup's HeapKeyTest): a row that fails one is
 * neither deformed nor returned.
 */
export class HeapScanCursor {
  readonly values: (TupleValue | null)[];
  private readonly isnull: boolean[];
  /** Attributes deformed per row. */
  private readonly natts: number;
  /** Some deformed attribute is varlena (may be TOASTed). */
  private readonly mayToast: boolean;
  private readonly scan: HeapScan<SnapshotData>;
  /** No more rows until rescan(). */
  private ended = false;
  /** end() was called. */
  private closed = false;

  constructor(
    private readonly heap: HeapAM<SnapshotData>,
    readonly rel: Relation,
    snapshot: SnapshotData,
    private readonly owner: ScanOwner | null = null,
    options: HeapScanOptions = {},
  ) {
    const desc = rel.desc;
    this.natts = Math.max(0, Math.min(options.natts ?? desc.natts, desc.natts));
    let mayToast = false;
    for (let i = 0; i < this.natts; i++) if (desc.attlen[i] < 0) mayToast = true;
    this.mayToast = mayToast;
    this.values = new Array<TupleValue | null>(desc.natts).fill(null);
    this.isnull = new Array<boolean>(desc.natts).fill(true);
    this.scan = new HeapScan(heap, rel, options.snapshot ?? snapshot);
    if (options.keys !== undefined && options.keys.length > 0) {
      this.scan.setKeys(options.keys, (raw, type) => heap.toaster.detoast(rel, raw, type), options.checkInterrupts ?? null);
    }
  }

  /** Visible rows skipped because a key failed (EXPLAIN ANALYZE's "Rows Removed by Filter"). */
  get keyFiltered(): number {
    return this.scan.keyFiltered;
  }

  /** The current row's TID (valid after next() returned true). */
  get tid(): Tid {
    return this.scan.tid;
  }

  /** Advances to the next visible row; false at the end (and after end()). */
  next(): boolean {
    if (this.ended) return false;
    try {
      if (!this.scan.next()) return false;
      const values = this.values;
      const natts = this.natts;
      // count(*) and DELETE's ctid-only scans read no column at all.
      if (natts === 0) return true;
      this.scan.getValues(values, this.isnull, natts);
      if (this.mayToast) {
        for (let i = 0; i < natts; i++) {
          if (isRawVarlena(values[i])) {
            this.heap.detoastValues(this.rel, values);
            break;
          }
        }
      }
      return true;
    } catch (e) {
      this.owner?.scanFailed(this, e);
      throw e;
    }
  }

  /** Starts over from the first page (a nested loop's inner side), with the same snapshot. */
  rescan(): void {
    if (this.closed) throw new PgError(SQLSTATE.invalid_parameter_value, 'scan used after end()');
    this.scan.restart();
    this.ended = false;
  }

  /** Drops the scan's pin and tells the owner. Safe to call twice. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.ended = true;
    this.scan.end();
    this.owner?.scanEnded(this);
  }
}
