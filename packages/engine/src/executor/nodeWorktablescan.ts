/*
 * nodeWorktablescan.ts — WorkTableScan (PostgreSQL's
 * nodeWorktablescan.c): WITH RECURSIVE's self-reference, reading the rows
 * the RecursiveUnion above produced in its previous iteration (the work
 * table, found by wtParam). Each iteration rescans it from the start.
 *
 * Exports: WorkTableScanState
 */

import type { WorkTableScan } from '../nodes/plannodes.ts';
import { elog } from '../utils/errors.ts';
import type { EState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ScanProjection } from './execScan.ts';
import { executorPrivate, PlanStateBase } from './execUtils.ts';

export class WorkTableScanState extends PlanStateBase<WorkTableScan> {
  private readonly scan: ScanProjection;
  private pos = 0;

  constructor(plan: WorkTableScan, estate: EState) {
    super(plan, estate);
    const rte = estate.plannedstmt.rtable[plan.scanrelid - 1];
    const natts = rte !== undefined && rte.coltypes.length > 0 ? rte.coltypes.length : plan.targetlist.length;
    this.scan = new ScanProjection(this, plan, estate, this.econtext, plan.scanrelid, natts);
  }

  next(): TupleTableSlot | null {
    const wt = executorPrivate(this.estate).workTables.get(this.plan.wtParam);
    if (wt === undefined) return elog('WorkTableScan outside its RecursiveUnion');
    const slot = this.scan.scanSlot;
    while (this.pos < wt.rows.length) {
      this.estate.checkInterrupts();
      slot.values = wt.rows[this.pos++];
      const out = this.scan.emit(this, this.econtext);
      if (out !== null) return out;
    }
    return null;
  }

  rescan(): void {
    this.pos = 0;
  }

  end(): void {}

  children(): PlanState[] {
    return [];
  }
}
