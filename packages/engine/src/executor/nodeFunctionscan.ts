/*
 * nodeFunctionscan.ts — FunctionScan (PostgreSQL's nodeFunctionscan.c):
 * functions in FROM (`FROM generate_series(1, 3) AS g(x)`, `FROM
 * jsonb_each(j)`, `ROWS FROM (f(), g())`, `WITH ORDINALITY`).
 *
 * Each function's result rows become scan columns: a scalar function gives
 * one column; a record-returning one (a RecordValue, or an array of column
 * values) spreads over its funccolcount columns. Several functions run in
 * lockstep, the shorter padded with NULLs; WITH ORDINALITY appends the row
 * number (bigint). A function that does not return a set gives one row.
 *
 * PostgreSQL materializes each function's result in a tuplestore; here the
 * sets are pulled lazily, and a rescan calls the functions again (their
 * arguments may be LATERAL references that changed).
 *
 * Exports: FunctionScanState
 */

import type { FunctionScan } from '../nodes/plannodes.ts';
import { RecordValue } from '../utils/adt/rowtypes.ts';
import { elog } from '../utils/errors.ts';
import type { EState, ExprState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ExecInitExpr } from './execExpr.ts';
import { ScanProjection } from './execScan.ts';
import { PlanStateBase } from './execUtils.ts';
import { ExecInitSetFunction, isSetReturning, type SetFunction } from './nodeProjectSet.ts';

const RECORDOID = 2249;

interface PerFunction {
  srf: SetFunction | null;
  scalar: ExprState | null;
  ncols: number;
  /** First scan column (0-based). */
  firstCol: number;
  /** The function's single column is itself of type record (do not spread). */
  returnsRecordColumn: boolean;
}

export class FunctionScanState extends PlanStateBase<FunctionScan> {
  private readonly funcs: PerFunction[];
  private readonly scan: ScanProjection;
  private readonly natts: number;
  private iters: (Iterator<unknown> | null)[] | null = null;
  private ordinal = 0;

  constructor(plan: FunctionScan, estate: EState) {
    super(plan, estate);
    const rte = estate.plannedstmt.rtable[plan.scanrelid - 1];
    if (rte === undefined) elog('FunctionScan without its range-table entry');
    let col = 0;
    this.funcs = plan.functions.map((e, i) => {
      const rtf = rte.functions[i];
      const ncols = rtf !== undefined ? rtf.funccolcount : 1;
      const pf: PerFunction = {
        srf: isSetReturning(e) ? ExecInitSetFunction(e, this, estate) : null,
        scalar: isSetReturning(e) ? null : ExecInitExpr(e, this, estate),
        ncols,
        firstCol: col,
        returnsRecordColumn: ncols === 1 && rtf !== undefined && rtf.funccoltypes[0] === RECORDOID,
      };
      col += ncols;
      return pf;
    });
    this.natts = col + (plan.funcordinality ? 1 : 0);
    this.scan = new ScanProjection(this, plan, estate, this.econtext, plan.scanrelid, this.natts);
  }

  private start(): (Iterator<unknown> | null)[] {
    const ec = this.econtext;
    this.ordinal = 0;
    return this.funcs.map((f) => {
      if (f.srf !== null) return f.srf.start(ec);
      const v = (f.scalar as ExprState)(ec);
      let done = false;
      return { next: () => (done ? { done: true, value: undefined } : ((done = true), { done: false, value: v })) };
    });
  }

  private put(out: unknown[], f: PerFunction, v: unknown): void {
    if (f.ncols === 1 && (f.returnsRecordColumn || !(v instanceof RecordValue))) {
      out[f.firstCol] = v === undefined ? null : v;
      return;
    }
    const fields = v instanceof RecordValue ? v.values : Array.isArray(v) ? v : null;
    for (let c = 0; c < f.ncols; c++) out[f.firstCol + c] = fields === null ? (c === 0 ? v : null) : (fields[c] ?? null);
  }

  next(): TupleTableSlot | null {
    if (this.iters === null) this.iters = this.start();
    const iters = this.iters;
    const out = this.scan.scanSlot.values;
    for (;;) {
      this.estate.checkInterrupts();
      let any = false;
      for (let i = 0; i < iters.length; i++) {
        const f = this.funcs[i];
        const it = iters[i];
        const r = it === null ? null : it.next();
        if (r === null || r.done === true) {
          iters[i] = null;
          for (let c = 0; c < f.ncols; c++) out[f.firstCol + c] = null;
        } else {
          any = true;
          this.put(out, f, r.value);
        }
      }
      if (!any) return null;
      this.ordinal++;
      if (this.plan.funcordinality) out[this.natts - 1] = BigInt(this.ordinal);
      const res = this.scan.emit(this, this.econtext);
      if (res !== null) return res;
    }
  }

  rescan(): void {
    this.iters = null;
  }

  end(): void {
    this.iters = null;
  }

  children(): PlanState[] {
    return [];
  }
}
