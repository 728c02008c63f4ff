/*
 * nodeCtescan.ts — CteScan (PostgreSQL's nodeCtescan.c): reads the rows of
 * a WITH query. The CTE's plan (PlannedStmt.subplans[ctePlanId - 1]) runs
 * at most once per query; its rows go to a store shared by every CteScan
 * of that CTE (execUtils.ts CteStore), each reader at its own position. A
 * reader that gets ahead of the store pulls the next row from the CTE plan
 * and appends it, so `WITH c AS (...) SELECT ... LIMIT 1` reads only what
 * it needs, as PostgreSQL's shared tuplestore does.
 *
 * A rescan rewinds the reader; if the CTE's plan reads PARAM_EXEC values
 * (a CTE inside a correlated subquery), the store is emptied and the plan
 * rescanned, for every reader.
 *
 * Memory: the store counts against work_mem (53200 past it).
 *
 * Exports: CteScanState
 */

import type { CteScan } from '../nodes/plannodes.ts';
import type { EState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ScanProjection } from './execScan.ts';
import { executorPrivate, MemoryAccount, PlanStateBase, planReadsExecParams, type CteStore } from './execUtils.ts';
import { getSubplanState } from './nodeSubplan.ts';

export class CteScanState extends PlanStateBase<CteScan> {
  private readonly store: CteStore;
  private readonly scan: ScanProjection;
  private readonly readsParams: boolean;
  private pos = 0;

  constructor(plan: CteScan, estate: EState) {
    super(plan, estate);
    const priv = executorPrivate(estate);
    let store = priv.cteStores.get(plan.ctePlanId);
    if (store === undefined) {
      store = { planstate: getSubplanState(estate, plan.ctePlanId), rows: [], eof: false, mem: new MemoryAccount(estate, 'CTE Scan') };
      priv.cteStores.set(plan.ctePlanId, store);
    }
    this.store = store;
    const ctePlan = estate.plannedstmt.subplans[plan.ctePlanId - 1];
    this.readsParams = planReadsExecParams(ctePlan, estate.plannedstmt);
    this.scan = new ScanProjection(this, plan, estate, this.econtext, plan.scanrelid, ctePlan.targetlist.length);
  }

  next(): TupleTableSlot | null {
    const st = this.store;
    const slot = this.scan.scanSlot;
    for (;;) {
      this.estate.checkInterrupts();
      if (this.pos < st.rows.length) {
        slot.values = st.rows[this.pos++];
      } else {
        if (st.eof) return null;
        const s = st.planstate.next();
        if (s === null) {
          st.eof = true;
          return null;
        }
        const v = s.copyValues();
        st.mem.addRow(v);
        st.rows.push(v);
        this.pos++;
        slot.values = v;
      }
      const out = this.scan.emit(this, this.econtext);
      if (out !== null) return out;
    }
  }

  rescan(): void {
    this.pos = 0;
    if (this.readsParams && (this.store.rows.length > 0 || this.store.eof)) {
      this.store.rows = [];
      this.store.eof = false;
      this.store.mem.reset();
      this.store.planstate.rescan();
    }
  }

  end(): void {}

  children(): PlanState[] {
    return [];
  }
}
