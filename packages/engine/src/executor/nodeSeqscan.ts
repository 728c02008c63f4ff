/*
 * nodeSeqscan.ts — SeqScan (PostgreSQL's nodeSeqscan.c): every visible row
 * of a table in physical order, through the storage engine's pull cursor
 * (StorageEngine.beginScan), filtered and projected (execScan.ts).
 *
 * The cursor's values array is the scan slot's values: no row is copied
 * unless a node above keeps it. ctid and tableoid come from the cursor.
 *
 * Exports: SeqScanState, scanRelation
 */

import type { TableScanCursor } from '../engine.ts';
import type { Relation } from '../access/heap/relation.ts';
import type { SeqScan } from '../nodes/plannodes.ts';
import { elog } from '../utils/errors.ts';
import type { EState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ScanProjection } from './execScan.ts';
import { PlanStateBase } from './execUtils.ts';

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

  constructor(plan: SeqScan, estate: EState) {
    super(plan, estate);
    this.rel = scanRelation(estate, plan.scanrelid);
    this.scan = new ScanProjection(this, plan, estate, this.econtext, plan.scanrelid, this.rel.desc.natts);
    this.scan.scanSlot.tableOid = this.rel.oid;
  }

  next(): TupleTableSlot | null {
    let c = this.cursor;
    if (c === null) c = this.cursor = this.estate.engine.beginScan(this.rel);
    const estate = this.estate;
    const ec = this.econtext;
    const scan = this.scan;
    const slot = scan.scanSlot;
    for (;;) {
      estate.checkInterrupts();
      if (!c.next()) return null;
      slot.values = c.values;
      slot.tid = c.tid;
      const out = scan.emit(this, ec);
      if (out !== null) return out;
    }
  }

  rescan(): void {
    // The cursor starts over under the same snapshot (heap_rescan).
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
