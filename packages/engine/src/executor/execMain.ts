/*
 * execMain.ts — the executor's entry points (PostgreSQL's execMain.c):
 * ExecutorStart builds the EState and the PlanState tree, ExecutorRun pulls
 * every row out of the top node, ExecutorEnd releases everything.
 *
 * Exports:
 *   ExecutorStart(stmt, init): QueryDesc
 *   ExecutorRun(queryDesc, onRow)
 *   ExecutorEnd(queryDesc)
 *   QueryDesc, ExecutorInit, ResultColumn
 *
 * Life of a query (tcop/postgres.ts drives it):
 *
 *     ExecutorStart ──► ExecutorRun ──► ExecutorEnd
 *       EState,           next() on the    end() on every
 *       PARAM_EXEC array, top node until   PlanState, subplans
 *       subplan states,   it returns null  included (idempotent,
 *       ExecInitNode(top)                  also after an error)
 *
 * Initplans are not run at start: each runs when one of its params is
 * first read (execExpr.ts), as PostgreSQL's ExecSetParamPlan.
 */

import type { StorageEngine } from '../engine.ts';
import type { PlannedStmt } from '../nodes/plannodes.ts';
import type { TargetEntry } from '../nodes/primnodes.ts';
import { exprType, exprTypmod } from '../nodes/nodeFuncs.ts';
import type { FunctionCallContext } from '../utils/fmgr/fmgrtypes.ts';
import type { CatalogAccess } from '../utils/rel.ts';
import type { EState, PlanState } from './execnodes.ts';
import { ExecInitNode } from './execProcnode.ts';
import { executorPrivate } from './execUtils.ts';
import { getSubplanState } from './nodeSubplan.ts';
import { setComparisonContext } from './execGrouping.ts';

/** What ExecutorStart needs from the backend. */
export interface ExecutorInit {
  engine: StorageEngine;
  catalog: CatalogAccess;
  externParams: readonly unknown[];
  fmgr: FunctionCallContext;
  workMemBytes: number;
  checkInterrupts: () => void;
  /** EXPLAIN ANALYZE: keep Instrumentation on every node. */
  instrument: boolean;
}

/** One visible result column (RowDescription). */
export interface ResultColumn {
  name: string;
  typeOid: number;
  typmod: number;
}

export interface QueryDesc {
  readonly plannedstmt: PlannedStmt;
  readonly estate: EState;
  readonly planstate: PlanState;
  /** The visible (non-junk) columns of the result. */
  readonly tupDesc: ResultColumn[];
  /** Positions (0-based) of the visible columns in the top node's output. */
  readonly visibleCols: number[];
}

class ExecutorState implements EState {
  readonly execParams: unknown[];
  processed = 0;
  readonly engine: StorageEngine;
  readonly catalog: CatalogAccess;
  readonly externParams: readonly unknown[];
  readonly fmgr: FunctionCallContext;
  readonly workMemBytes: number;
  readonly checkInterrupts: () => void;
  constructor(readonly plannedstmt: PlannedStmt, init: ExecutorInit) {
    this.engine = init.engine;
    this.catalog = init.catalog;
    this.externParams = init.externParams;
    this.fmgr = init.fmgr;
    this.workMemBytes = init.workMemBytes;
    this.checkInterrupts = init.checkInterrupts;
    this.execParams = new Array<unknown>(plannedstmt.paramExecTypes.length).fill(null);
  }
}

/** The target list whose non-junk entries are the statement's result columns. */
function resultTargetList(stmt: PlannedStmt): TargetEntry[] {
  const top = stmt.planTree;
  if (top.type === 'ModifyTable') return top.returningLists[0] ?? [];
  return top.targetlist;
}

export function ExecutorStart(stmt: PlannedStmt, init: ExecutorInit): QueryDesc {
  const estate = new ExecutorState(stmt, init);
  setComparisonContext(init.fmgr);
  // es_output_cid: DML and row-locking SELECTs use the command id even when they
  // touch no row, so the next command gets a new one (visible as cmin/cmax).
  if (stmt.commandType !== 'CMD_SELECT' || stmt.rowMarks.length > 0) init.engine.xact.getCurrentCommandId(true);
  const priv = executorPrivate(estate);
  priv.instrument = init.instrument;
  try {
    // Subplans first (PostgreSQL's es_subplanstates), so their errors surface at start.
    for (let i = 0; i < stmt.subplans.length; i++) getSubplanState(estate, i + 1);
    const planstate = ExecInitNode(stmt.planTree, estate);
    const tlist = resultTargetList(stmt);
    const visible = tlist.filter((t) => !t.resjunk);
    const tupDesc = visible.map((t) => ({ name: t.resname ?? '?column?', typeOid: exprType(t.expr), typmod: exprTypmod(t.expr) }));
    const visibleCols = stmt.planTree.type === 'ModifyTable' ? visible.map((_, i) => i) : visible.map((t) => t.resno - 1);
    return { plannedstmt: stmt, estate, planstate, tupDesc, visibleCols };
  } catch (e) {
    for (const ps of priv.allStates) ps.end();
    throw e;
  }
}

/**
 * Runs the plan to completion, calling onRow with each result row's visible
 * columns. The array passed is the caller's to keep.
 */
export function ExecutorRun(queryDesc: QueryDesc, onRow: (values: unknown[]) => void): void {
  const ps = queryDesc.planstate;
  const cols = queryDesc.visibleCols;
  const n = cols.length;
  let identity = true;
  for (let i = 0; i < n; i++) if (cols[i] !== i) identity = false;
  for (let slot = ps.next(); slot !== null; slot = ps.next()) {
    const v = slot.values;
    if (identity) {
      onRow(v.length === n ? v.slice() : v.slice(0, n));
    } else {
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = v[cols[i]];
      onRow(out);
    }
  }
}

/** Releases every node's cursors and memory (safe to call after an error, and twice). */
export function ExecutorEnd(queryDesc: QueryDesc): void {
  const priv = executorPrivate(queryDesc.estate);
  let first: unknown = null;
  for (const ps of priv.allStates) {
    try {
      ps.end();
    } catch (e) {
      first ??= e;
    }
  }
  if (first !== null) throw first;
}
