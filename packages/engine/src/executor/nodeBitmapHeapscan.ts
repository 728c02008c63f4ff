/*
 * nodeBitmapHeapscan.ts — BitmapHeapScan (PostgreSQL's
 * nodeBitmapHeapscan.c) over one BitmapIndexScan.
 *
 * As in PostgreSQL, the index half collects the matching heap TIDs without
 * visiting the heap (IndexScan.nextTid, amgetbitmap's role), and the heap
 * half then reads them in TID (physical) order, each page pinned once for
 * its run of TIDs, deciding visibility and following HOT chains there
 * (IndexScan.fetchTid). The TIDs are kept in a Float64Array sorted as
 * numbers, duplicates dropped, 8 bytes each against work_mem: past it, the
 * TIDs kept so far are read in order and the rest of the index follows in
 * index order, rows visited as it goes (PostgreSQL's bitmap would turn
 * lossy there instead). Either way every matching row is returned once;
 * SQL promises no order without ORDER BY, and the planner sorts above this
 * node when one is needed. B-tree conditions are exact, so bitmapqualorig
 * is not rechecked; the node's qual is applied as a Filter.
 *
 * BitmapAnd / BitmapOr are not plan nodes here (the planner does not make
 * them).
 *
 * Exports: BitmapHeapScanState
 */

import type { ScanKey } from '../access/nbtree/nbtutils.ts';
import type { BitmapHeapScan } from '../nodes/plannodes.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import type { EState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ScanProjection, scanAttsNeeded } from './execScan.ts';
import { PlanStateBase } from './execUtils.ts';
import { ExecInitNode } from './execProcnode.ts';
import { BitmapIndexScanState } from './nodeBitmapIndexscan.ts';
import type { IndexScanCursor } from './nodeIndexscan.ts';
import { scanRelation } from './nodeSeqscan.ts';

/** Bytes of work_mem one kept TID counts for. */
const TID_BYTES = 8;

export class BitmapHeapScanState extends PlanStateBase<BitmapHeapScan> {
  private readonly bitmap: BitmapIndexScanState;
  private readonly scan: ScanProjection;
  /** The collected TIDs, sorted and distinct (null until the first next()); tids[pos..] are still to read. */
  private tids: Float64Array | null = null;
  private pos = 0;
  /** The cursor the TIDs came from: its fetchTid reads the heap. */
  private cursor: IndexScanCursor | null = null;
  /** Streaming after work_mem: the remaining key sets and the open cursor. */
  private pendingSets: ScanKey[][] = [];
  private streaming: IndexScanCursor | null = null;
  private blocks = 0;
  private readonly heapNatts: number;
  /** Leading heap attributes the plan reads: the cursor deforms no more. */
  private natts: number;

  constructor(plan: BitmapHeapScan, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null || plan.lefttree.type !== 'BitmapIndexScan') {
      throw new PgError(SQLSTATE.feature_not_supported, 'bitmap heap scans over BitmapAnd/BitmapOr are not supported');
    }
    const child = ExecInitNode(plan.lefttree, estate);
    if (!(child instanceof BitmapIndexScanState)) throw new Error('Bitmap Heap Scan child is not a Bitmap Index Scan');
    this.bitmap = child;
    const rel = scanRelation(estate, plan.scanrelid);
    this.scan = new ScanProjection(this, plan, estate, this.econtext, plan.scanrelid, rel.desc.natts);
    this.scan.scanSlot.tableOid = rel.oid;
    this.heapNatts = rel.desc.natts;
    this.natts = scanAttsNeeded([plan.targetlist, plan.qual], plan.scanrelid, rel.desc.natts);
  }

  /** As SeqScanState.limitOutputColumns: the parent reads only the first natts output columns. Called before the first next(). */
  limitOutputColumns(natts: number): void {
    if (!this.scan.identity) return;
    this.natts = Math.max(Math.min(natts, this.heapNatts), scanAttsNeeded([this.plan.qual], this.plan.scanrelid, this.heapNatts));
  }

  /** The index half: the TIDs of every key set, until they end or work_mem is reached; sorted, distinct. */
  private collect(): Float64Array {
    // Small to start: the commonest bitmap scan finds a row or a few (an UPDATE by key), and it runs per statement.
    let tids = new Float64Array(16);
    let n = 0;
    const limit = this.estate.workMemBytes;
    const sets = this.bitmap.keySets();
    collecting: while (sets.length > 0) {
      const c = this.bitmap.open(sets.shift() as ScanKey[], this.natts);
      this.cursor = c;
      for (;;) {
        this.estate.checkInterrupts();
        if (!c.nextTid()) break;
        this.bitmap.found();
        if (n === tids.length) {
          const grown = new Float64Array(n * 2);
          grown.set(tids);
          tids = grown;
        }
        tids[n++] = c.tid;
        if (TID_BYTES * n > limit) {
          // Keep the rest streaming from this cursor and the remaining key sets.
          this.streaming = c;
          this.pendingSets = sets;
          break collecting;
        }
      }
    }
    tids.subarray(0, n).sort();
    // Distinct (the same TID from two key sets), and the pages they are on for EXPLAIN.
    let m = 0;
    let lastBlock = -1;
    for (let i = 0; i < n; i++) {
      const t = tids[i];
      if (m > 0 && tids[m - 1] === t) continue;
      tids[m++] = t;
      const block = Math.floor(t / 65536);
      if (block !== lastBlock) this.blocks++;
      lastBlock = block;
    }
    if (this.instrument !== null) this.instrument.extra.set('Heap Blocks', `exact=${this.blocks}`);
    return tids.subarray(0, m);
  }

  next(): TupleTableSlot | null {
    if (this.tids === null) {
      this.tids = this.collect();
      this.pos = 0;
    }
    const tids = this.tids;
    const slot = this.scan.scanSlot;
    for (;;) {
      if (this.pos < tids.length) {
        // The heap half: the visible version of the row at this TID, if any.
        const c = this.cursor as IndexScanCursor;
        this.estate.checkInterrupts();
        if (!c.fetchTid(tids[this.pos++])) continue;
        slot.values = c.values;
        slot.tid = c.tid;
      } else {
        const c = this.streaming;
        if (c === null) return null;
        this.estate.checkInterrupts();
        if (!c.next()) {
          if (this.pendingSets.length === 0) {
            this.streaming = null;
            return null;
          }
          this.streaming = this.bitmap.open(this.pendingSets.shift() as ScanKey[], this.natts);
          continue;
        }
        this.bitmap.found();
        slot.values = c.values;
        slot.tid = c.tid;
      }
      const out = this.scan.emit(this, this.econtext);
      if (out !== null) return out;
    }
  }

  rescan(): void {
    this.tids = null;
    this.cursor = null;
    this.streaming = null;
    this.pendingSets = [];
    this.bitmap.rescan();
  }

  end(): void {
    this.tids = null;
    this.cursor = null;
    this.streaming = null;
    this.bitmap.end();
  }

  children(): PlanState[] {
    return [this.bitmap];
  }
}
