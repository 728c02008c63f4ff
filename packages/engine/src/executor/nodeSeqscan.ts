/*
 * nodeSeqscan.ts — SeqScan (PostgreSQL's nodeSeqscan.c): every visible row
 * of a table in physical order, through the storage engine's pull cursor
 * (StorageEngine.beginScan), filtered and projected (execScan.ts).
 *
 * The cursor's values array is the scan slot's values: no row is copied
 * unless a node above keeps it. ctid and tableoid come from the cursor.
 * The cursor deforms only the leading columns the plan reads (its target
 * list and qual, narrowed by an Agg above a physical target list through
 * limitOutputColumns); the rest of the slot stays null.
 *
 * The qual's leading simple conditions (column op constant: integer
 * comparisons, LIKE) go to the cursor as scan keys (execScanKeys.ts),
 * tested on the stored tuple before it is deformed; a column that only
 * they read is never deformed.
 *
 * Exports: SeqScanState, scanRelation
 */

import type { TableScanCursor } from '../engine.ts';
import type { Relation } from '../access/heap/relation.ts';
import type { SeqScan } from '../nodes/plannodes.ts';
import type { Expr } from '../nodes/primnodes.ts';
import type { HeapScanKey } from '../access/common/scankey.ts';
import { elog } from '../utils/errors.ts';
import type { EState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ScanProjection, scanAttsNeeded } from './execScan.ts';
import { PlanStateBase } from './execUtils.ts';
import { ExecSeqScanKeys } from './execScanKeys.ts';

/** The heap of a range-table entry's relation. */
export function scanRelation(estate: EState, scanrelid: number): Relation {
  const rte = estate.plannedstmt.rtable[scanrelid - 1];
  if (rte === undefined) elog(`scanrelid ${scanrelid} out of range`);
  const info = estate.catalog.getRelation(rte.relid);
  if (info.heap === null) elog(`relation "${info.relname}" has no storage`);
  return info.heap;
}

export class SeqScanState extends PlanStateBase<SeqScan> {
  private readonly rel: Relation;
  private readonly scan: ScanProjection;
  private cursor: TableScanCursor | null = null;
  /** Leading attributes the plan reads: the cursor deforms no more. */
  private natts: number;
  /** The qual's leading conditions, tested by the storage layer on the stored tuples (execScanKeys.ts). */
  private readonly keys: HeapScanKey[];
  /** The rest of the qual, evaluated here. */
  private readonly restQual: Expr[];
  /** cursor.keyFiltered already added to the instrumentation. */
  private keyFilteredSeen = 0;

  constructor(plan: SeqScan, estate: EState) {
    super(plan, estate);
    this.rel = scanRelation(estate, plan.scanrelid);
    const { keys, rest } = ExecSeqScanKeys(plan.qual, plan.scanrelid, this.rel.desc, estate);
    this.keys = keys;
    this.restQual = rest;
    this.scan = new ScanProjection(this, plan, estate, this.econtext, plan.scanrelid, this.rel.desc.natts, rest);
    this.scan.scanSlot.tableOid = this.rel.oid;
    // Columns tested only by scan keys are not deformed.
    this.natts = scanAttsNeeded([plan.targetlist, rest], plan.scanrelid, this.rel.desc.natts);
  }

  /**
   * The parent reads only the first `natts` columns of this node's output.
   * With a physical target list (the scan row itself, which the planner
   * chooses under an Agg) the columns past them are not deformed, unless
   * the qual needs them: the lazy deforming PostgreSQL's slots do, decided
   * once at plan start. Called before the first next().
   */
  limitOutputColumns(natts: number): void {
    if (!this.scan.identity || this.cursor !== null) return;
    const desc = this.rel.desc;
    this.natts = Math.max(Math.min(natts, desc.natts), scanAttsNeeded([this.restQual], this.plan.scanrelid, desc.natts));
  }

  next(): TupleTableSlot | null {
    const estate = this.estate;
    let c = this.cursor;
    if (c === null) {
      const keys = this.keys.length > 0 ? this.keys : undefined;
      c = this.cursor = estate.engine.beginScan(this.rel, { natts: this.natts, keys, checkInterrupts: estate.checkInterrupts });
      this.keyFilteredSeen = 0;
    }
    const ec = this.econtext;
    const scan = this.scan;
    const slot = scan.scanSlot;
    for (;;) {
      estate.checkInterrupts();
      const more = c.next();
      if (this.instrument !== null) this.countKeyFiltered(c);
      if (!more) return null;
      slot.values = c.values;
      slot.tid = c.tid;
      const out = scan.emit(this, ec);
      if (out !== null) return out;
    }
  }

  /** Rows the scan keys skipped are "Rows Removed by Filter" too. */
  private countKeyFiltered(c: TableScanCursor): void {
    const n = c.keyFiltered;
    (this.instrument as NonNullable<typeof this.instrument>).nfiltered1 += n - this.keyFilteredSeen;
    this.keyFilteredSeen = n;
  }

  rescan(): void {
    // The cursor starts over under the same snapshot (heap_rescan); its key count goes on.
    this.cursor?.rescan();
  }

  private closeCursor(): void {
    const c = this.cursor;
    this.cursor = null;
    if (c !== null) c.end();
  }

  end(): void {
    this.closeCursor();
  }

  children(): PlanState[] {
    return [];
  }
}
