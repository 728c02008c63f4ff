/*
 * nodeValuesscan.ts — ValuesScan (PostgreSQL's nodeValuesscan.c): the rows
 * of a VALUES list in FROM. Each row's expressions are compiled once at
 * init and evaluated into the scan slot when the row is reached.
 *
 * Exports: ValuesScanState
 */

import type { ValuesScan } from '../nodes/plannodes.ts';
import type { EState, ExprState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ExecInitExprList } from './execExpr.ts';
import { ScanProjection } from './execScan.ts';
import { PlanStateBase } from './execUtils.ts';

export class ValuesScanState extends PlanStateBase<ValuesScan> {
  private readonly rows: ExprState[][];
  private readonly scan: ScanProjection;
  private pos = 0;

  constructor(plan: ValuesScan, estate: EState) {
    super(plan, estate);
    this.rows = plan.values_lists.map((l) => ExecInitExprList(l, this, estate));
    const natts = plan.values_lists.length > 0 ? plan.values_lists[0].length : 0;
    this.scan = new ScanProjection(this, plan, estate, this.econtext, plan.scanrelid, natts);
  }

  next(): TupleTableSlot | null {
    const ec = this.econtext;
    const vals = this.scan.scanSlot.values;
    while (this.pos < this.rows.length) {
      this.estate.checkInterrupts();
      const exprs = this.rows[this.pos++];
      // VALUES expressions read no scan row, so they can be evaluated straight into the scan slot.
      for (let i = 0; i < exprs.length; i++) vals[i] = exprs[i](ec);
      const out = this.scan.emit(this, ec);
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
