/*
 * execnodes.ts — the executor's run-time structures (PostgreSQL's
 * execnodes.h and tuptable.h): the state of a running query (EState), the
 * state of each plan node (PlanState), tuple slots, and the context
 * compiled expressions run in (ExprContext).
 *
 * The Volcano model: ExecInitNode (execProcnode.ts) builds a PlanState for
 * each Plan node, top-down; the caller pulls rows with next() until it
 * returns null; end() releases buffers, cursors and memory. A node returns
 * the same slot object for every row it produces and overwrites it on the
 * next call: a caller that keeps a row copies its values (slot.copy()).
 *
 * Every plan node lives in its own file (nodeSeqscan.ts, nodeHashjoin.ts,
 * ...) and implements PlanState.
 */

import type { StorageEngine } from '../engine.ts';
import type { Tid } from '../access/common/itemptr.ts';
import type { Plan, PlannedStmt } from '../nodes/plannodes.ts';
import type { FunctionCallContext } from '../utils/fmgr/fmgrtypes.ts';
import type { CatalogAccess } from '../utils/rel.ts';

/**
 * A row in flight: values by column position (0-based; values[i] is column
 * i + 1 of the producing node's target list, or attnum i + 1 of a scanned
 * table), SQL NULL as null. For rows read from a table, tid is the row's
 * ctid and tableOid its relation (system columns ctid / tableoid); -1 / 0
 * otherwise.
 */
export class TupleTableSlot {
  values: unknown[];
  tid: Tid = -1;
  tableOid = 0;
  constructor(natts: number) {
    this.values = new Array<unknown>(natts).fill(null);
  }
  /** A copy that survives the producer's next call (for Sort, Material, hash tables). */
  copyValues(): unknown[] {
    return this.values.slice();
  }
}

/**
 * Where a compiled expression finds its inputs (PostgreSQL's ExprContext):
 * Var.varno = a scan relation reads scantuple, OUTER_VAR outertuple,
 * INNER_VAR innertuple, INDEX_VAR scantuple too (an index tuple's columns);
 * Aggref reads aggvalues[aggno]; WindowFunc reads windowvalues; CaseTestExpr
 * reads caseValue.
 */
export class ExprContext {
  scantuple: TupleTableSlot | null = null;
  outertuple: TupleTableSlot | null = null;
  innertuple: TupleTableSlot | null = null;
  aggvalues: unknown[] = [];
  windowvalues: unknown[] = [];
  caseValue: unknown = null;
  constructor(readonly estate: EState) {}
}

/** A compiled expression: evaluate it against the slots in an ExprContext. */
export type ExprState = (econtext: ExprContext) => unknown;

/** EXPLAIN ANALYZE's per-node counters (instrument.h), filled only when requested. */
export interface Instrumentation {
  /** Time to the first row and in total, ms, summed over loops. */
  startupMs: number;
  totalMs: number;
  /** Rows returned and the number of times the node ran (rescans). */
  ntuples: number;
  nloops: number;
  /**
   * Rows removed, as PostgreSQL counts them: in a join node nfiltered1 is the
   * join filter ("Rows Removed by Join Filter") and nfiltered2 the plain
   * qual; in any other node nfiltered1 is the qual ("Rows Removed by Filter").
   */
  nfiltered1: number;
  nfiltered2: number;
  /** Node-specific details EXPLAIN ANALYZE prints: "Sort Method", "Heap Fetches", "Buckets", ... */
  extra: Map<string, string | number>;
}

/** The state of one running plan node. */
export interface PlanState {
  readonly plan: Plan;
  readonly estate: EState;
  /** Non-null when EXPLAIN ANALYZE asked for it. */
  instrument: Instrumentation | null;
  /** The next row, or null at the end. The slot is reused by the next call. */
  next(): TupleTableSlot | null;
  /** Start over, as a nested loop's inner side does for each outer row (re-reading changed PARAM_EXEC values). */
  rescan(): void;
  /** Release cursors, pins and memory; idempotent. */
  end(): void;
  /** The child states, for EXPLAIN ANALYZE and end(). */
  children(): PlanState[];
}

/** The state of one running query (execnodes.h EState). */
export interface EState {
  readonly engine: StorageEngine;
  readonly catalog: CatalogAccess;
  readonly plannedstmt: PlannedStmt;
  /** $1..$n values (index 0 is $1), already converted to the parameters' types. */
  readonly externParams: readonly unknown[];
  /** PARAM_EXEC values by paramid, set by subplans and nested loops. */
  readonly execParams: unknown[];
  readonly fmgr: FunctionCallContext;
  /** work_mem in bytes: the bound for sorts and hash tables (53200 out of memory when exceeded). */
  readonly workMemBytes: number;
  /** Rows processed by the top ModifyTable (the command tag's count). */
  processed: number;
  /** Throws 57014 when the statement was cancelled or statement_timeout passed; called at least once per row by scans and loops. */
  checkInterrupts(): void;
}
