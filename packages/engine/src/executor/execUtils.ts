/*
 * execUtils.ts — what every executor node shares (PostgreSQL's execUtils.c
 * and instrument.c): the base class of plan states, the executor's private
 * per-query state beside the EState contract, instrumentation, the work_mem
 * accounting of nodes that keep rows, and the test "does this subtree read
 * PARAM_EXEC values" that decides whether a rescan may reuse stored rows.
 *
 * Exports:
 *   PlanStateBase            abstract base of every node's state
 *   executorPrivate(estate)  the per-query state the contract's EState does not carry
 *   newInstrumentation, instrumentNode
 *   MemoryAccount            approximate bytes of kept rows, 53200 past work_mem
 *   estimateRowBytes, estimateValueBytes
 *   planReadsExecParams(plan, stmt), rescanRerunsInput(plan, estate)
 */

import type { Plan, PlannedStmt } from '../nodes/plannodes.ts';
import type { Expr } from '../nodes/primnodes.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import { ExprContext, type EState, type Instrumentation, type PlanState, type TupleTableSlot } from './execnodes.ts';

/* ------------------------------------------------------------------ private state */

/** Something that sets PARAM_EXEC values when first read: an initplan (nodeSubplan.ts). */
export interface ParamExecPlan {
  /** Runs the plan, sets its params, and disarms itself. */
  run(): void;
}

/** The rows of one CTE, shared by every CteScan of it (nodeCtescan.ts). */
export interface CteStore {
  planstate: PlanState;
  rows: unknown[][];
  eof: boolean;
  mem: MemoryAccount;
}

/** The work table of a RecursiveUnion, read by its WorkTableScan (nodeRecursiveunion.ts). */
export interface WorkTable {
  rows: unknown[][];
}

/**
 * What the executor keeps per query beside the EState of execnodes.ts
 * (PostgreSQL's es_subplanstates, the execPlan pointers of
 * es_param_exec_vals, the CTE tuplestores and work tables). Stored under a
 * symbol on the EState object, so any EState implementation works and the
 * contract stays small (a WeakMap would do too, but its entries are costly
 * for the garbage collector at one query per point lookup).
 */
export interface ExecutorPrivate {
  /** PlanStates of PlannedStmt.subplans by plan_id - 1, built on first use. */
  subplanStates: (PlanState | null)[];
  /** By paramid: the initplan that computes the param on first read, or null once it ran. */
  paramExecPlans: (ParamExecPlan | null)[];
  /** By ctePlanId. */
  cteStores: Map<number, CteStore>;
  /** By wtParam. */
  workTables: Map<number, WorkTable>;
  /** EXPLAIN ANALYZE: instrument every node. */
  instrument: boolean;
  /** Every PlanState built, for ExecutorEnd. */
  allStates: PlanState[];
  /** Subplan states that have run once (the next run rescans them first). */
  startedSubplans: Set<PlanState>;
  /**
   * An EvalPlanQual copy is being built (execEPQ.ts): its scans return a
   * different test row at every re-check, which no param tells, so the
   * nodes built now must run their input again at every rescan
   * (PostgreSQL's epqParam, which every scan depends on).
   */
  buildingEPQ: boolean;
}

const PRIVATE = Symbol('executorPrivate');
type WithPrivate = EState & { [PRIVATE]?: ExecutorPrivate };

export function executorPrivate(estate: EState): ExecutorPrivate {
  const e = estate as WithPrivate;
  let p = e[PRIVATE];
  if (p === undefined) {
    // Callers outside the executor (DDL evaluating a default) may build an EState without a plan.
    const stmt = estate.plannedstmt as EState['plannedstmt'] | undefined;
    p = {
      subplanStates: (stmt?.subplans ?? []).map(() => null),
      paramExecPlans: new Array<ParamExecPlan | null>(estate.execParams?.length ?? 0).fill(null),
      cteStores: new Map(),
      workTables: new Map(),
      instrument: false,
      allStates: [],
      startedSubplans: new Set(),
      buildingEPQ: false,
    };
    e[PRIVATE] = p;
  }
  return p;
}

/* ------------------------------------------------------------------ plan state base */

/**
 * The base of every node's state: the plan, the query, an ExprContext of its
 * own, and instrumentation. Subclasses implement next/rescan/end/children.
 */
export abstract class PlanStateBase<P extends Plan = Plan> implements PlanState {
  // Assigned, not class fields: this constructor runs for every node class, so its
  // property stores are megamorphic, and V8 defines megamorphic class fields through
  // a slow path (about 3x the cost of plain stores; a measurable part of each
  // statement's ExecutorStart).
  declare instrument: Instrumentation | null;
  declare readonly econtext: ExprContext;
  declare readonly plan: P;
  declare readonly estate: EState;
  constructor(plan: P, estate: EState) {
    this.plan = plan;
    this.estate = estate;
    this.instrument = null;
    this.econtext = new ExprContext(estate);
  }
  abstract next(): TupleTableSlot | null;
  abstract rescan(): void;
  abstract end(): void;
  abstract children(): PlanState[];
}

/**
 * A node whose output is produced by a generator (Agg, WindowAgg, SetOp,
 * MergeJoin): the generator holds the node's position between calls, and a
 * rescan or end simply drops it. Subclasses say how to start a run; rescan
 * and end reach every child, and onRescan resets what a run keeps.
 */
export abstract class GeneratorPlanState<P extends Plan = Plan> extends PlanStateBase<P> {
  private gen: Generator<TupleTableSlot> | null = null;
  /** Starts one run over the input (called at the first next() after init or a rescan). */
  protected abstract start(): Generator<TupleTableSlot>;
  /** Work a rescan does besides dropping the run (e.g. releasing kept memory). */
  protected onRescan(): void {}

  next(): TupleTableSlot | null {
    if (this.gen === null) this.gen = this.start();
    const r = this.gen.next();
    return r.done === true ? null : r.value;
  }

  rescan(): void {
    this.gen = null;
    this.onRescan();
    for (const c of this.children()) c.rescan();
  }

  end(): void {
    this.gen = null;
    for (const c of this.children()) c.end();
  }
}

/* ------------------------------------------------------------------ instrumentation */

export function newInstrumentation(): Instrumentation {
  return { startupMs: 0, totalMs: 0, ntuples: 0, nloops: 0, nfiltered1: 0, nfiltered2: 0, extra: new Map() };
}

/**
 * Wraps a state's next() and rescan() with timing (InstrStartNode /
 * InstrStopNode / InstrEndLoop): a loop starts at the first next() after
 * init or a rescan; startup time is the time to the loop's first row. The
 * sums are over loops, as PostgreSQL keeps them; EXPLAIN divides by nloops.
 */
export function instrumentNode(ps: PlanState): void {
  const instr = newInstrumentation();
  ps.instrument = instr;
  const innerNext = ps.next.bind(ps);
  const innerRescan = ps.rescan.bind(ps);
  let running = false;
  let firstRowSeen = false;
  ps.next = (): TupleTableSlot | null => {
    if (!running) {
      running = true;
      firstRowSeen = false;
      instr.nloops++;
    }
    const t0 = performance.now();
    const slot = innerNext();
    const dt = performance.now() - t0;
    instr.totalMs += dt;
    if (!firstRowSeen) {
      // Time to the first row, or to discovering there is none.
      firstRowSeen = slot !== null;
      instr.startupMs += dt;
    }
    if (slot !== null) instr.ntuples++;
    return slot;
  };
  ps.rescan = (): void => {
    running = false;
    innerRescan();
  };
}

/* ------------------------------------------------------------------ memory */

/** Bytes a value takes in memory, roughly (what PostgreSQL's tuplesort counts as palloc'd space). */
export function estimateValueBytes(v: unknown): number {
  switch (typeof v) {
    case 'number':
    case 'boolean':
      return 8;
    case 'string':
      return 16 + 2 * v.length;
    case 'bigint':
      return 16;
    case 'object': {
      if (v === null) return 8;
      if (v instanceof Uint8Array) return 32 + v.byteLength;
      if (Array.isArray(v)) return estimateRowBytes(v);
      const elements = (v as { elements?: unknown }).elements;
      if (Array.isArray(elements)) return 48 + estimateRowBytes(elements);
      return 64;
    }
    default:
      return 16;
  }
}

/** Bytes of one kept row: the array, its slots and the values. */
export function estimateRowBytes(values: readonly unknown[]): number {
  let n = 32 + 8 * values.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // The common fixed-size cases inline; estimateValueBytes for the rest.
    if (typeof v === 'number' || v === null) continue;
    n += estimateValueBytes(v);
  }
  return n;
}

/**
 * The memory a node keeps for rows (a sort's array, a hash table, a
 * tuplestore), bounded by work_mem. PostgreSQL would spill to temporary
 * files past work_mem; tabgres cannot yet (a later issue), so exceeding it is
 * a clean 53200 error rather than a tab that runs out of memory.
 */
export class MemoryAccount {
  bytes = 0;
  /** The most held at once (EXPLAIN's "Memory: NkB" / "Peak Memory Usage"). */
  peakBytes = 0;
  constructor(private readonly estate: EState, private readonly what: string) {}
  add(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.peakBytes) {
      this.peakBytes = this.bytes;
      if (this.bytes > this.estate.workMemBytes) this.exceeded();
    }
  }
  addRow(values: readonly unknown[]): void {
    this.add(estimateRowBytes(values));
  }
  reset(): void {
    this.bytes = 0;
  }
  get kB(): number {
    return Math.max(1, Math.ceil(this.peakBytes / 1024));
  }
  private exceeded(): never {
    const kB = Math.floor(this.estate.workMemBytes / 1024);
    throw new PgError(SQLSTATE.out_of_memory, 'out of memory', {
      detail: `${this.what} needs more than work_mem (${kB}kB), and spilling to temporary files is not implemented.`,
      hint: 'Raise work_mem (SET work_mem = ...) or make the query keep fewer rows.',
    });
  }
}

/* ------------------------------------------------------------------ param dependency */

const readsParamsCache = new WeakMap<Plan, boolean>();

/**
 * Whether anything in the subtree reads a PARAM_EXEC value (or a
 * RecursiveUnion's work table, which changes the same way). Such a subtree
 * must run again on rescan; one that does not may replay stored rows
 * (Material, Sort, Hash, CteScan). This is the conservative form of
 * PostgreSQL's chgParam / extParam bookkeeping: it assumes every param may
 * have changed.
 */
/**
 * Whether a node that keeps its input's rows (Sort, Material, Hash) must
 * run that input again on rescan: it reads a PARAM_EXEC value, or the node
 * is part of an EvalPlanQual copy.
 */
export function rescanRerunsInput(plan: Plan, estate: EState): boolean {
  return executorPrivate(estate).buildingEPQ || planReadsExecParams(plan, estate.plannedstmt);
}

export function planReadsExecParams(plan: Plan, stmt: PlannedStmt): boolean {
  const cached = readsParamsCache.get(plan);
  if (cached !== undefined) return cached;
  const visitingSubplans = new Set<number>();
  const walkExpr = (e: unknown): boolean => {
    if (e === null || typeof e !== 'object') return false;
    if (Array.isArray(e)) return e.some(walkExpr);
    const node = e as { type?: string };
    if (node.type === 'Param') return (e as Expr & { paramkind: string }).paramkind === 'PARAM_EXEC';
    if (node.type === 'SubPlan') {
      const sp = e as Extract<Expr, { type: 'SubPlan' }>;
      if (walkExpr(sp.args) || walkExpr(sp.testexpr)) return true;
      if (visitingSubplans.has(sp.plan_id)) return false;
      visitingSubplans.add(sp.plan_id);
      const sub = stmt.subplans[sp.plan_id - 1];
      return sub !== undefined && walkPlan(sub);
    }
    for (const k in node) {
      if (k === 'type' || k === 'location') continue;
      const v = (node as Record<string, unknown>)[k];
      if (v !== null && typeof v === 'object' && walkExpr(v)) return true;
    }
    return false;
  };
  const walkPlan = (p: Plan): boolean => {
    if (p.type === 'WorkTableScan') return true;
    for (const k in p) {
      if (k === 'lefttree' || k === 'righttree') continue;
      const v = (p as unknown as Record<string, unknown>)[k];
      if (v === null || typeof v !== 'object') continue;
      if (k === 'appendplans' || k === 'mergeplans') {
        if ((v as Plan[]).some(walkPlan)) return true;
      } else if (k === 'subplan') {
        if (walkPlan(v as Plan)) return true;
      } else if (walkExpr(v)) {
        return true;
      }
    }
    if (p.type === 'CteScan') {
      const cte = stmt.subplans[p.ctePlanId - 1];
      if (cte !== undefined && !visitingSubplans.has(p.ctePlanId)) {
        visitingSubplans.add(p.ctePlanId);
        if (walkPlan(cte)) return true;
      }
    }
    return (p.lefttree !== null && walkPlan(p.lefttree)) || (p.righttree !== null && walkPlan(p.righttree));
  };
  const result = walkPlan(plan);
  readsParamsCache.set(plan, result);
  return result;
}
