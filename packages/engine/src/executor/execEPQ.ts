/*
 * execEPQ.ts — EvalPlanQual (PostgreSQL's EvalPlanQual* in execMain.c and
 * README's "EvalPlanQual (READ COMMITTED Update Checking)"): re-checks a
 * newer version of a row against the statement's plan.
 *
 * Exports: EPQState, epqScanState (ExecInitNode's hook), EPQScanState.
 *
 * In READ COMMITTED an UPDATE, DELETE or SELECT ... FOR UPDATE that finds
 * its row changed by a transaction that committed after the statement's
 * snapshot does not fail: it locks the newest version of the row and asks
 * whether that version still satisfies the statement's conditions, and if
 * so what the plan computes for it (an UPDATE's SET values are recomputed
 * from the new version: `SET bal = bal + 1` adds to the committed balance,
 * which is what prevents the lost update).
 *
 * How: a second copy of the node's subplan is initialized (once, on the
 * first re-check) in which every scan of the target relation is replaced by
 * an EPQScanState that returns exactly the test row, through the scan's own
 * filter and projection, index conditions included (`indexqualorig`,
 * `bitmapqualorig`: the new version may no longer match the index key).
 * Each re-check sets the test row, rescans the copy and pulls one row:
 * null means the new version no longer qualifies and the row is skipped.
 *
 * Joins are re-checked with the other relations' rows held fixed, as
 * PostgreSQL's row marks do (ROW_MARK_REFERENCE): each other relation's
 * scan returns the row the original plan joined, found by the junk
 * `ctid<rti>` column the planner adds (UPDATE ... FROM, DELETE ... USING,
 * and every relation of a FOR UPDATE), or no row when that column is NULL
 * (the NULL-extended side of an outer join).
 *
 * Not like PostgreSQL yet: a subplan with a row source that has no such
 * column (a VALUES list, a function scan, a subquery, an index-only scan,
 * a relation of a FOR UPDATE OF query that is not locked) cannot be
 * re-checked (`supported` is false); the caller then raises 40001
 * serialization_failure, which a client retries, rather than guessing.
 */

import type { Tid } from '../access/common/itemptr.ts';
import type { Plan, ScanBase } from '../nodes/plannodes.ts';
import type { Expr } from '../nodes/primnodes.ts';
import type { EState, PlanState } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { ScanProjection } from './execScan.ts';
import { PlanStateBase } from './execUtils.ts';
import { ExecInitNode } from './execProcnode.ts';

/** One relation's row in an EPQ re-check: the new version (the target) or the fixed row (the others). */
export interface EPQRow {
  values: unknown[] | null;
  tid: Tid;
  tableOid: number;
}

/** The test rows an EPQ copy's scans return, by range-table index. */
interface EPQTest {
  /** The scan plan nodes (of the original subplan) to replace. */
  readonly targets: ReadonlySet<Plan>;
  rows: ReadonlyMap<number, EPQRow | null>;
}

/** EPQ copies being initialized, by EState (ExecInitNode looks here). */
const building = new WeakMap<EState, EPQTest>();

/** The scan nodes EvalPlanQual can substitute: they read the relation's heap rows. */
function isHeapScan(p: Plan): p is ScanBase & Plan {
  return p.type === 'SeqScan' || p.type === 'IndexScan' || p.type === 'BitmapHeapScan';
}

/**
 * The scans in `plan` when every row source in it is a heap scan of a
 * relation in `rtis` (whose row the caller can supply), else null.
 */
function targetScans(plan: Plan, rtis: ReadonlySet<number>): Set<Plan> | null {
  const out = new Set<Plan>();
  const walk = (p: Plan | null): boolean => {
    if (p === null) return true;
    if ('scanrelid' in p) {
      if (!isHeapScan(p) || !rtis.has(p.scanrelid)) return false;
      out.add(p);
      return true; // a BitmapHeapScan's index scans below are replaced with it
    }
    const q = p as Plan & { appendplans?: Plan[]; mergeplans?: Plan[] };
    for (const c of q.appendplans ?? []) if (!walk(c)) return false;
    for (const c of q.mergeplans ?? []) if (!walk(c)) return false;
    return walk(p.lefttree) && walk(p.righttree);
  };
  return walk(plan) && out.size > 0 ? out : null;
}

/** ExecInitNode's hook: while an EPQ copy is built, the target scans become EPQScanStates. */
export function epqScanState(plan: Plan, estate: EState): PlanState | null {
  const test = building.get(estate);
  if (test === undefined || !test.targets.has(plan)) return null;
  return new EPQScanState(plan as ScanBase & Plan, estate, test);
}

/** A target scan in an EPQ copy: the test row, once per rescan, through the scan's quals and projection. */
export class EPQScanState extends PlanStateBase<ScanBase & Plan> {
  private readonly scan: ScanProjection;
  private readonly test: EPQTest;
  private done = false;

  constructor(plan: ScanBase & Plan, estate: EState, test: EPQTest) {
    super(plan, estate);
    this.test = test;
    const rte = estate.plannedstmt.rtable[plan.scanrelid - 1];
    const natts = estate.catalog.getRelation(rte.relid).attrs.length;
    const recheck: readonly Expr[] =
      plan.type === 'IndexScan' ? (plan as unknown as { indexqualorig: Expr[] }).indexqualorig
        : plan.type === 'BitmapHeapScan' ? (plan as unknown as { bitmapqualorig: Expr[] }).bitmapqualorig : [];
    this.scan = new ScanProjection(this, plan, estate, this.econtext, plan.scanrelid, natts, [...recheck, ...plan.qual]);
  }

  next(): TupleTableSlot | null {
    if (this.done) return null;
    this.done = true;
    const row = this.test.rows.get(this.plan.scanrelid) ?? null;
    if (row === null || row.values === null) return null;
    const slot = this.scan.scanSlot;
    slot.values = row.values;
    slot.tid = row.tid;
    slot.tableOid = row.tableOid;
    this.econtext.scantuple = slot;
    return this.scan.emit(this, this.econtext);
  }

  rescan(): void {
    this.done = false;
  }

  end(): void {}

  children(): PlanState[] {
    return [];
  }
}

/**
 * One ModifyTable's or LockRows' EvalPlanQual state (EPQState): its
 * subplan, the relations whose rows a re-check supplies, and the copy of
 * the subplan built on first use.
 */
export class EPQState {
  private readonly plan: Plan;
  private readonly estate: EState;
  private readonly test: EPQTest | null;
  private tree: PlanState | null = null;

  /** `rtis`: the range-table indexes recheck() will be given a row (or null) for. */
  constructor(plan: Plan, estate: EState, rtis: ReadonlySet<number>) {
    this.plan = plan;
    this.estate = estate;
    const targets = targetScans(plan, rtis);
    this.test = targets === null ? null : { targets, rows: new Map() };
  }

  /** Whether this subplan can be re-checked (see the header). */
  get supported(): boolean {
    return this.test !== null;
  }

  /**
   * EvalPlanQual: the subplan's row for the given relations' rows (the
   * updated relation's new version, the others' fixed rows; null: no row),
   * or null when they no longer satisfy the plan's conditions. The slot is
   * the copy's and is overwritten by the next re-check.
   */
  recheck(rows: ReadonlyMap<number, EPQRow | null>): TupleTableSlot | null {
    const test = this.test;
    if (test === null) throw new Error('EvalPlanQual on an unsupported plan');
    test.rows = rows;
    if (this.tree === null) {
      building.set(this.estate, test);
      try {
        this.tree = ExecInitNode(this.plan, this.estate);
      } finally {
        building.delete(this.estate);
      }
    } else {
      this.tree.rescan();
    }
    return this.tree.next();
  }
}
