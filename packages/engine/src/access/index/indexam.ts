/*
 * indexam.ts — a table and its B-tree indexes together: index entries made
 * for new heap rows, and index scans that return heap rows (PostgreSQL's
 * indexam.c index_getnext_slot, FormIndexDatum and ExecInsertIndexTuples
 * from execIndexing.c, and the visibility-map test of nodeIndexonlyscan.c).
 *
 * Exports: IndexAccessDeps, formIndexValues, IndexInserter, IndexScanCursor,
 *          IndexScanCursorOptions.
 *
 * README.md in this folder states the rules; the B-tree itself is
 * access/nbtree, the heap's half (HOT chains, the dirty fetch of unique
 * checks) access/heap/heapam_handler.ts.
 */

import type { SnapshotData } from '../../utils/time/snapmgr.ts';
import { featureNotSupported, PgError, SQLSTATE } from '../../utils/errors.ts';
import type { TupleValue } from '../common/heaptuple.ts';
import { tidBlock, type Tid } from '../common/itemptr.ts';
import { isRawVarlena } from '../common/varlena.ts';
import type { HeapAM } from '../heap/heapam.ts';
import { HeapUniqueCheck, IndexFetchHeap, type ScanOwner } from '../heap/heapam_handler.ts';
import type { HeapVisibility } from '../heap/heapam_visibility.ts';
import type { Relation } from '../heap/relation.ts';
import type { SerializableReadScan } from '../../storage/lmgr/predicate.ts';
import { speculativeInsertionWait, xactLockTableWait } from '../../storage/lmgr/lmgr.ts';
import { VISIBILITYMAP_ALL_VISIBLE, type VmPin, type VisibilityMap } from '../heap/visibilitymap.ts';
import {
  btbeginscan, btBuildIndexValueDescription, btinsert, type BtEnv, type BTScan, type DirtyFetch, type IndexRelation,
  type IndexValue, type ScanDirection, type ScanKey, type UniqueCheckHeap,
} from '../nbtree/nbtree.ts';

/** One backend's heap and B-tree handles, as the engine wires them. */
export interface IndexAccessDeps {
  readonly heap: HeapAM<SnapshotData>;
  readonly vis: HeapVisibility;
  readonly vm: VisibilityMap;
  readonly bt: BtEnv;
}

/**
 * FormIndexDatum: the index's key values taken from a heap row (values by
 * heap attribute), TOASTed values fetched: index tuples hold plain values.
 */
export function formIndexValues(deps: IndexAccessDeps, heapRel: Relation, index: IndexRelation, values: readonly (TupleValue | null)[], out: IndexValue[]): void {
  for (let i = 0; i < index.nkeyatts; i++) {
    const attnum = index.heapAttnums[i];
    if (attnum <= 0) featureNotSupported('index expressions');
    const v = values[attnum - 1] ?? null;
    out[i] = isRawVarlena(v) ? deps.heap.toaster.detoast(heapRel, v, heapRel.desc.types[attnum - 1]) : v;
  }
}

/**
 * ExecInsertIndexTuples for one table: adds the entries of a new heap row
 * (an INSERT, or an UPDATE that was not HOT) to every index, checking
 * unique indexes. It is itself the UniqueCheckHeap the B-tree asks about
 * conflicting rows.
 */
export class IndexInserter implements UniqueCheckHeap {
  private readonly check: HeapUniqueCheck;
  private readonly keyValues: IndexValue[];
  /** Heap attribute numbers some index uses: an UPDATE changing none of them may be HOT. */
  readonly indexedAttrs: readonly number[];
  /**
   * Heap attribute numbers of the key columns (RelationGetIndexAttrBitmap's
   * KEY set: columns of unique indexes; partial and expression indexes do
   * not exist here): an UPDATE changing none of them takes NO KEY EXCLUSIVE.
   */
  readonly keyAttrs: readonly number[];
  /** The index being inserted into, for waitForXact's error. */
  private current: IndexRelation | null = null;

  constructor(
    private readonly deps: IndexAccessDeps,
    readonly rel: Relation,
    readonly indexes: readonly IndexRelation[],
  ) {
    this.check = new HeapUniqueCheck(deps.heap, deps.vis, rel);
    const attrs = new Set<number>();
    for (const ix of indexes) for (const a of ix.heapAttnums) attrs.add(a);
    this.indexedAttrs = [...attrs].sort((a, b) => a - b);
    const keys = new Set<number>();
    for (const ix of indexes) if (ix.unique) for (const a of ix.heapAttnums) if (a > 0) keys.add(a);
    this.keyAttrs = [...keys].sort((a, b) => a - b);
    this.keyValues = new Array<IndexValue>(Math.max(0, ...indexes.map((ix) => ix.nkeyatts))).fill(null);
  }

  /** Index entries for the heap row `values` stored at `tid`. */
  insert(values: readonly (TupleValue | null)[], tid: Tid): void {
    const kv = this.keyValues;
    for (const index of this.indexes) {
      formIndexValues(this.deps, this.rel, index, values, kv);
      this.current = index;
      btinsert(index, this.deps.bt, kv, null, tid, index.unique ? this : null);
    }
    this.current = null;
  }

  /**
   * Index entries for a speculative insertion (ExecInsertIndexTuples with
   * noDupErr): the arbiter indexes (by index OID) are checked in 'partial'
   * mode, which inserts the entry anyway and neither waits nor raises when
   * another live or in-progress row has the key; the other indexes as
   * usual (a non-arbiter unique index still raises 23505). Returns true
   * when some arbiter saw such a row (specConflict): the caller
   * super-deletes its tuple and checks the arbiters again.
   */
  insertSpeculative(values: readonly (TupleValue | null)[], tid: Tid, arbiters: ReadonlySet<number>): boolean {
    const kv = this.keyValues;
    let conflict = false;
    for (const index of this.indexes) {
      formIndexValues(this.deps, this.rel, index, values, kv);
      this.current = index;
      const mode = !index.unique ? 'no' : arbiters.has(index.oid) ? 'partial' : 'yes';
      if (!btinsert(index, this.deps.bt, kv, null, tid, index.unique ? this : null, mode)) conflict = true;
    }
    this.current = null;
    return conflict;
  }

  fetchDirty(tid: Tid): DirtyFetch {
    return this.check.fetchDirty(tid);
  }

  /**
   * XactLockTableWait: the conflicting row's inserter or deleter is still
   * running; the B-tree has released its leaf, and checks again once that
   * transaction ended (23505 if it committed the key, the insert goes on if
   * it rolled back). An inserter whose insertion is speculative is waited
   * for only until it confirms or super-deletes the row
   * (SpeculativeInsertionWait on its token). Without a lock manager (bare
   * harnesses) nobody could end the other transaction, so the possible
   * conflict is reported as one.
   */
  waitForXact(xid: number, speculativeToken: number): void {
    const env = this.deps.heap.env;
    if (env.lockManager !== undefined) {
      if (speculativeToken !== 0) speculativeInsertionWait(env.lockManager, xid, speculativeToken);
      else xactLockTableWait(env.lockManager, xid, env.xactWait);
      return;
    }
    const index = this.current;
    if (index === null) throw new PgError(SQLSTATE.internal_error, `unique check waited for transaction ${xid} outside an insert`);
    throw new PgError(SQLSTATE.unique_violation, `duplicate key value violates unique constraint "${index.name}"`, {
      detail: `Key ${btBuildIndexValueDescription(index, this.keyValues)} already exists.`,
      constraint: index.name,
      table: this.rel.name,
    });
  }
}

export interface IndexScanCursorOptions {
  direction?: ScanDirection;
  /**
   * Index-only scan: `values` holds the index's columns (in index column
   * order) and the heap is visited only for pages the visibility map does
   * not call all-visible.
   */
  indexOnly?: boolean;
  /** Leading heap attributes to deform (default all; not for index-only scans): the rest of `values` stays null. */
  natts?: number;
  /**
   * A snapshot to use instead of the statement's: ON CONFLICT's arbiter
   * check scans with a DIRTY one (check_exclusion_or_unique_constraint),
   * whose xmin/xmax name a running inserter/deleter after each row.
   */
  snapshot?: SnapshotData;
}

/**
 * An index scan returning visible heap rows in index order, one at a time
 * (index_getnext_slot): each entry's heap TID is looked up under the
 * statement's snapshot, following its HOT chain; entries whose rows are
 * dead to everyone are marked LP_DEAD on the way (kill_prior_tuple).
 *
 * `values` is one array reused for every row: the heap row's columns, or
 * the index's columns for an index-only scan.
 */
export class IndexScanCursor {
  readonly values: (TupleValue | null)[];
  private readonly isnull: boolean[];
  /** The current row's heap TID (the visible version's, not the chain root's). */
  tid: Tid = 0;
  /** Heap pages visited to decide visibility (EXPLAIN's "Heap Fetches" of an index-only scan). */
  heapFetches = 0;
  readonly indexOnly: boolean;
  private readonly scan: BTScan;
  private readonly fetcher: IndexFetchHeap;
  /** The visibility map page of the last index-only check, kept pinned. */
  private readonly vmPin: VmPin = { buffer: 0, vmBlock: -1 };
  /** Heap attributes deformed per row (IndexScanCursorOptions.natts). */
  private readonly natts: number;
  private ended = false;
  private closed = false;
  /** The serializable side of the scan (storage/lmgr/predicate.ts), null unless the transaction is SERIALIZABLE. */
  private readonly ssi: SerializableReadScan | null;
  private readonly snapshot: SnapshotData;

  constructor(
    private readonly deps: IndexAccessDeps,
    readonly heapRel: Relation,
    readonly index: IndexRelation,
    keys: readonly ScanKey[],
    snapshot: SnapshotData,
    options: IndexScanCursorOptions = {},
    private readonly owner: ScanOwner | null = null,
  ) {
    this.snapshot = options.snapshot ?? snapshot;
    snapshot = this.snapshot;
    this.indexOnly = options.indexOnly === true;
    const n = this.indexOnly ? index.nkeyatts : heapRel.desc.natts;
    this.values = new Array<TupleValue | null>(n).fill(null);
    this.isnull = new Array<boolean>(n).fill(true);
    this.natts = this.indexOnly ? n : Math.max(0, Math.min(options.natts ?? n, n));
    // SSI: leaf pages read take page SIREAD locks (the key range, gaps included), heap rows tuple locks.
    const ssi = deps.heap.env.predicate?.forRead(heapRel.oid, snapshot) ?? null;
    this.ssi = ssi;
    this.fetcher = new IndexFetchHeap(deps.heap, deps.vis, heapRel, ssi);
    this.scan = btbeginscan(index, deps.bt, keys, {
      direction: options.direction ?? 'forward',
      indexOnly: this.indexOnly,
      ...(ssi !== null ? { predicate: ssi } : {}),
    });
  }

  /** Advances to the next visible row in the scan's direction; false at the end. */
  next(): boolean {
    if (this.ended) return false;
    try {
      return this.advance();
    } catch (e) {
      this.owner?.scanFailed(this, e);
      throw e;
    }
  }

  private advance(): boolean {
    const scan = this.scan;
    const values = this.values;
    while (scan.next()) {
      const htid = scan.heapTid;
      if (this.indexOnly) {
        // All-visible page: every tuple on it is visible to every snapshot, so the entry's row is.
        if ((this.deps.vm.getStatusPinned(this.heapRel.locator, tidBlock(htid), this.vmPin) & VISIBILITYMAP_ALL_VISIBLE) !== 0) {
          // No heap visit, so no tuple lock: the heap page stands for the row (nodeIndexonlyscan.c does the same).
          if (this.ssi !== null) this.ssi.lockPage(this.heapRel.oid, tidBlock(htid));
          this.tid = htid;
          scan.getValues(values as IndexValue[], this.isnull);
          return true;
        }
        this.heapFetches++;
        if (!this.fetcher.fetch(htid, this.snapshot, null, null)) {
          if (this.fetcher.allDead) scan.killPriorTuple();
          continue;
        }
        this.tid = this.fetcher.tid;
        scan.getValues(values as IndexValue[], this.isnull);
        return true;
      }
      this.heapFetches++;
      if (!this.fetcher.fetch(htid, this.snapshot, values, this.isnull, this.natts)) {
        if (this.fetcher.allDead) scan.killPriorTuple();
        continue;
      }
      this.tid = this.fetcher.tid;
      this.detoastIfNeeded(values);
      return true;
    }
    return false;
  }

  /**
   * A bitmap scan's index half (amgetbitmap): the next entry's heap TID in
   * `tid`, with no heap visit; false at the end. The heap half is fetchTid,
   * called later in TID order. Not for index-only scans.
   */
  nextTid(): boolean {
    if (this.ended) return false;
    try {
      if (!this.scan.next()) return false;
      this.tid = this.scan.heapTid;
      return true;
    } catch (e) {
      this.owner?.scanFailed(this, e);
      throw e;
    }
  }

  /**
   * A bitmap scan's heap half (BitmapHeapNext for one TID): the version of
   * the HOT chain at `tid` the snapshot sees, its columns in `values` (the
   * leading natts, TOASTed ones fetched) and its TID in `tid`; false if
   * none is visible. Does not move the index position.
   */
  fetchTid(tid: Tid): boolean {
    try {
      this.heapFetches++;
      const values = this.values;
      if (!this.fetcher.fetch(tid, this.snapshot, values, this.isnull, this.natts)) return false;
      this.tid = this.fetcher.tid;
      this.detoastIfNeeded(values);
      return true;
    } catch (e) {
      this.owner?.scanFailed(this, e);
      throw e;
    }
  }

  /** A fetched row whose values include TOAST pointers gets them resolved (the executor sees plain values). */
  private detoastIfNeeded(values: (TupleValue | null)[]): void {
    for (let i = 0; i < values.length; i++) {
      if (isRawVarlena(values[i])) {
        this.deps.heap.detoastValues(this.heapRel, values);
        return;
      }
    }
  }

  /** amrescan: starts over, with new keys (a nested loop's next outer row) and direction if given. */
  rescan(keys?: readonly ScanKey[], direction?: ScanDirection): void {
    if (this.closed) throw new PgError(SQLSTATE.invalid_parameter_value, 'index scan used after end()');
    this.ended = false;
    this.scan.rescan(keys, direction);
  }

  /** Drops the index and heap pins and tells the owner. Safe to call twice. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.ended = true;
    this.scan.end();
    this.fetcher.end();
    this.deps.vm.releasePin(this.vmPin);
    this.owner?.scanEnded(this);
  }
}
