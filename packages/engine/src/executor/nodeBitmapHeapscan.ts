/*
 * nodeBitmapHeapscan.ts — BitmapHeapScan (PostgreSQL's
 * nodeBitmapHeapscan.c) over one BitmapIndexScan.
 *
 * PostgreSQL collects the matching TIDs into a bitmap and then reads the
 * heap in physical order. Here the index cursor already returns the visible
 * heap rows, so they are collected with their TIDs and returned in TID
 * (physical) order — the order PostgreSQL's scan has. Rows are kept only up
 * to work_mem: past it, the rows kept so far are returned sorted and the
 * rest follow in index order, without error (PostgreSQL's bitmap would turn
 * lossy there instead). Either way every matching row is returned once;
 * SQL promises no order without ORDER BY, and the planner sorts above this
 * node when one is needed. B-tree conditions are exact, so
 * bitmapqualorig is not rechecked; the node's qual is applied as a Filter.
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
import { estimateRowBytes, PlanStateBase } from './execUtils.ts';
import { ExecInitNode } from './execProcnode.ts';
import { BitmapIndexScanState } from './nodeBitmapIndexscan.ts';
import type { IndexScanCursor } from './nodeIndexscan.ts';
import { scanRelation } from './nodeSeqscan.ts';

interface Kept {
  tid: number;
  values: unknown[];
}

export class BitmapHeapScanState extends PlanStateBase<BitmapHeapScan> {
  private readonly bitmap: BitmapIndexScanState;
  private readonly scan: ScanProjection;
  private sorted: Kept[] | null = null;
  private pos = 0;
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

  /** Reads matching rows until the key sets end or work_mem is reached. */
  private collect(): Kept[] {
    const kept: Kept[] = [];
    let bytes = 0;
    const limit = this.estate.workMemBytes;
    const sets = this.bitmap.keySets();
    while (sets.length > 0) {
      const keys = sets.shift() as ScanKey[];
      const c = this.bitmap.open(keys, this.natts);
      for (;;) {
        this.estate.checkInterrupts();
        if (!c.next()) break;
        this.bitmap.found();
        const values = c.values.slice();
        kept.push({ tid: c.tid, values });
        bytes += 16 + estimateRowBytes(values);
        if (bytes > limit) {
          // Keep the rest streaming from this cursor and the remaining key sets.
          this.streaming = c;
          this.pendingSets = sets;
          return this.finish(kept);
        }
      }
    }
    return this.finish(kept);
  }

  private finish(kept: Kept[]): Kept[] {
    kept.sort((a, b) => a.tid - b.tid);
    let last = -1;
    for (const k of kept) {
      const block = Math.floor(k.tid / 65536);
      if (block !== last) this.blocks++;
      last = block;
    }
    if (this.instrument !== null) this.instrument.extra.set('Heap Blocks', `exact=${this.blocks}`);
    return kept;
  }

  next(): TupleTableSlot | null {
    if (this.sorted === null) {
      this.sorted = this.collect();
      this.pos = 0;
    }
    const slot = this.scan.scanSlot;
    for (;;) {
      if (this.pos < this.sorted.length) {
        const k = this.sorted[this.pos++];
        slot.values = k.values;
        slot.tid = k.tid;
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
    this.sorted = null;
    this.streaming = null;
    this.pendingSets = [];
    this.bitmap.rescan();
  }

  end(): void {
    this.sorted = null;
    this.streaming = null;
    this.bitmap.end();
  }

  children(): PlanState[] {
    return [this.bitmap];
  }
}
