/*
 * nodeSubqueryscan.ts — SubqueryScan (PostgreSQL's nodeSubqueryscan.c): a
 * sub-select in FROM that the planner did not flatten. The subplan's output
 * row is this node's scan row; Vars with varno = scanrelid read it.
 *
 * Exports: SubqueryScanState
 */

import type { SubqueryScan } from '../nodes/plannodes.ts';
import type { EState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ExecInitNode } from './execProcnode.ts';
import { ScanProjection } from './execScan.ts';
import { PlanStateBase } from './execUtils.ts';

export class SubqueryScanState extends PlanStateBase<SubqueryScan> {
  private readonly child: PlanState;
  private readonly scan: ScanProjection;

  constructor(plan: SubqueryScan, estate: EState) {
    super(plan, estate);
    this.child = ExecInitNode(plan.subplan, estate);
    this.scan = new ScanProjection(this, plan, estate, this.econtext, plan.scanrelid, plan.subplan.targetlist.length);
  }

  next(): TupleTableSlot | null {
    const ec = this.econtext;
    const scanSlot = this.scan.scanSlot;
    for (;;) {
      const row = this.child.next();
      if (row === null) return null;
      scanSlot.values = row.values;
      scanSlot.tid = row.tid;
      scanSlot.tableOid = row.tableOid;
      const out = this.scan.emit(this, ec);
      if (out !== null) return out;
    }
  }

  rescan(): void {
    this.child.rescan();
  }

  end(): void {
    this.child.end();
  }

  children(): PlanState[] {
    return [this.child];
  }
}
