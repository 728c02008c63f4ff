/*
 * execEPQ.ts — EvalPlanQual (PostgreSQL's EvalPlanQual* in execMain.c and
 * README's "EvalPlanQual (READ COMMITTED Update Checking)"): re-checks a
 * newer version of a row against the statement's plan.
 *
 * Exports: EPQState, epqScanState (ExecInitNode's hook), EPQScanState,
 * EPQRow, EPQFixedMark, findFixedMarks, fixedMarkRow.
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
 * first re-check) in which the scan of every FROM item of the query level
 * is replaced by an EPQScanState that returns exactly one test row,
 * through the scan's own filter and projection. Each re-check sets the test
 * rows, rescans the copy and pulls one row: null means the new version no
 * longer qualifies and the row is skipped. The test rows, by range-table
 * index, are PostgreSQL's row marks:
 *
 *   the target / a locked relation   the newest version, just locked
 *   another table (ROW_MARK_REFERENCE)  the very version the plan joined,
 *                                    fetched by its TID from the junk
 *                                    column ctid<rti>: not a newer one
 *   anything else: VALUES, a function, a subquery, a CTE (ROW_MARK_COPY)
 *                                    the row it produced, kept whole in
 *                                    the junk column wholerow<rti>
 *   no row (NULL in the junk column: the NULL-extended side of an outer
 *   join)                            the scan returns nothing
 *
 * The planner adds those junk columns for every FROM item of an UPDATE,
 * DELETE or SELECT FOR UPDATE and lists them as the ModifyTable's or
 * LockRows' PlanRowMarks (planner.ts preprocessTargetlist; rti is the
 * flattened range table's, the junk column is named by rowmarkId). A scan
 * with a test row checks its index conditions too (`indexqualorig`,
 * `bitmapqualorig`: the new version may no longer match the index key);
 * an index-only scan makes its index row from the heap row (its
 * indextlist names the heap columns; the planner gives a marked table no
 * index-only scan, since its ctid is needed, so this serves hand-built
 * plans). A replaced SubqueryScan's subplan is not built at all. Scans of
 * relations that have no test row (a SubPlan's, index-only scans
 * included) run as usual, with the statement's snapshot.
 *
 * A node of the copy that keeps rows (Sort, Material, Hash) runs its
 * input again at every rescan (execUtils.ts rescanRerunsInput): each
 * re-check has other test rows.
 *
 * The copy shares the EState with the main plan; the PARAM_EXEC values it
 * sets (nested-loop parameters, initplans it ran or re-armed) are put back
 * after each re-check, so the main plan's inner scans keep reading their
 * own outer row's values.
 */

import type { Tid } from '../access/common/itemptr.ts';
import type { IndexOnlyScan, Plan, PlanRowMark, ScanBase } from '../nodes/plannodes.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import { INDEX_VAR, type Expr, type TargetEntry } from '../nodes/primnodes.ts';
import { RecordValue } from '../utils/adt/rowtypes.ts';
import type { EState, ExprState, PlanState } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { ExecInitExpr } from './execExpr.ts';
import { ScanProjection } from './execScan.ts';
import { executorPrivate, PlanStateBase } from './execUtils.ts';
import { ExecInitNode } from './execProcnode.ts';

/** One FROM item's row in an EPQ re-check: the new version (target, locked) or the fixed row (the others). */
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

/**
 * A FROM item a re-check holds fixed (neither the target nor locked): its
 * junk column in the subplan's rows, ctid<rti> for a table
 * (ROW_MARK_REFERENCE), wholerow<rti> for anything else (ROW_MARK_COPY).
 */
export interface EPQFixedMark {
  rti: number;
  kind: 'reference' | 'copy';
  column: number;
}

/**
 * The fixed (ROW_MARK_REFERENCE / COPY) marks among a node's PlanRowMarks,
 * with the position of each one's junk column in the subplan's rows.
 */
export function findFixedMarks(tlist: readonly TargetEntry[], rowMarks: readonly PlanRowMark[]): EPQFixedMark[] {
  const out: EPQFixedMark[] = [];
  for (const rm of rowMarks) {
    if (rm.markType === 'ROW_MARK_LOCK') continue;
    const name = `${rm.markType === 'ROW_MARK_COPY' ? 'wholerow' : 'ctid'}${rm.rowmarkId}`;
    const column = tlist.findIndex((t) => t.resjunk && t.resname === name);
    if (column < 0) throw new PgError(SQLSTATE.internal_error, `could not find junk ${name} column`);
    out.push({ rti: rm.rti, kind: rm.markType === 'ROW_MARK_COPY' ? 'copy' : 'reference', column });
  }
  return out;
}

const INVALID_TID = 0 as unknown as Tid;

/**
 * A fixed mark's row for one of the subplan's rows (EvalPlanQualFetchRowMark):
 * a table's row fetched by the TID the plan read (that version, visible to
 * the statement's snapshot because the plan read it with that snapshot),
 * another FROM item's row from its whole-row value; null when the junk
 * column is NULL.
 */
export function fixedMarkRow(estate: EState, mark: EPQFixedMark, planRow: readonly unknown[]): EPQRow | null {
  const v = planRow[mark.column];
  if (v === null || v === undefined) return null;
  if (mark.kind === 'copy') {
    const values = v instanceof RecordValue ? v.values : [v];
    return { values, tid: INVALID_TID, tableOid: 0 };
  }
  const rte = estate.plannedstmt.rtable[mark.rti - 1];
  const info = estate.catalog.getRelation(rte.relid);
  if (info.heap === null) return null;
  return { values: estate.engine.fetch(info.heap, v as Tid), tid: v as Tid, tableOid: info.oid };
}

/** Scan nodes (a scanrelid of the query's range table) EvalPlanQual can give a test row. */
const REPLACEABLE: ReadonlySet<string> = new Set([
  'SeqScan', 'IndexScan', 'IndexOnlyScan', 'BitmapHeapScan', 'SubqueryScan', 'FunctionScan', 'ValuesScan', 'CteScan',
]);

/**
 * The scans in `plan` to replace (those of a FROM item in `rtis`), or null
 * when a relation of `required` has no such scan (its row could not be
 * tested: the caller must not guess).
 */
function targetScans(plan: Plan, rtis: ReadonlySet<number>, required: ReadonlySet<number>): Set<Plan> | null {
  const out = new Set<Plan>();
  const found = new Set<number>();
  const walk = (p: Plan | null): void => {
    if (p === null) return;
    if ('scanrelid' in p && REPLACEABLE.has(p.type) && rtis.has((p as ScanBase).scanrelid)) {
      out.add(p);
      found.add((p as ScanBase).scanrelid);
      return; // a BitmapHeapScan's index scans, a SubqueryScan's subplan: not needed
    }
    const q = p as Plan & { appendplans?: Plan[]; mergeplans?: Plan[]; subplan?: Plan };
    for (const c of q.appendplans ?? []) walk(c);
    for (const c of q.mergeplans ?? []) walk(c);
    if (q.subplan !== undefined) walk(q.subplan);
    walk(p.lefttree);
    walk(p.righttree);
  };
  walk(plan);
  for (const rti of required) if (!found.has(rti)) return null;
  return out;
}

/** ExecInitNode's hook: while an EPQ copy is built, the FROM items' scans become EPQScanStates. */
export function epqScanState(plan: Plan, estate: EState): PlanState | null {
  const test = building.get(estate);
  if (test === undefined || !test.targets.has(plan)) return null;
  return new EPQScanState(plan as ScanBase & Plan, estate, test);
}

/** The width of a scan's row (the identity-projection test of ScanProjection). */
function scanWidth(plan: ScanBase & Plan, estate: EState): number {
  const p = plan as Plan & { subplan?: Plan; values_lists?: Expr[][] };
  if (p.type === 'SubqueryScan') return p.subplan!.targetlist.length;
  if (p.type === 'ValuesScan') return p.values_lists!.length > 0 ? p.values_lists![0].length : 0;
  const rte = estate.plannedstmt.rtable[plan.scanrelid - 1];
  if (rte.rtekind === 'RTE_RELATION') return estate.catalog.getRelation(rte.relid).attrs.length;
  return rte.eref.colnames.length;
}

/** A replaced scan in an EPQ copy: the test row, once per rescan, through the scan's quals and projection. */
export class EPQScanState extends PlanStateBase<ScanBase & Plan> {
  private readonly scan: ScanProjection;
  private readonly test: EPQTest;
  /** IndexOnlyScan: the heap row's slot and the index columns computed from it. */
  private readonly heapSlot: TupleTableSlot | null = null;
  private readonly indexCols: ExprState[] | null = null;
  private done = false;

  constructor(plan: ScanBase & Plan, estate: EState, test: EPQTest) {
    super(plan, estate);
    this.test = test;
    if (plan.type === 'IndexOnlyScan') {
      const ios = plan as unknown as IndexOnlyScan;
      this.heapSlot = new TupleTableSlot(scanWidth(plan, estate));
      this.indexCols = ios.indextlist.map((t) => ExecInitExpr(t.expr, this, estate));
      this.scan = new ScanProjection(this, plan, estate, this.econtext, INDEX_VAR, ios.indextlist.length, [...ios.indexqual, ...plan.qual]);
      return;
    }
    const recheck: readonly Expr[] =
      plan.type === 'IndexScan' ? (plan as unknown as { indexqualorig: Expr[] }).indexqualorig
        : plan.type === 'BitmapHeapScan' ? (plan as unknown as { bitmapqualorig: Expr[] }).bitmapqualorig : [];
    this.scan = new ScanProjection(this, plan, estate, this.econtext, plan.scanrelid, scanWidth(plan, estate), [...recheck, ...plan.qual]);
  }

  next(): TupleTableSlot | null {
    if (this.done) return null;
    this.done = true;
    const row = this.test.rows.get(this.plan.scanrelid) ?? null;
    if (row === null || row.values === null) return null;
    const ec = this.econtext;
    const slot = this.scan.scanSlot;
    if (this.heapSlot !== null) {
      // The index row an index-only scan would have read for this heap row.
      const heap = this.heapSlot;
      heap.values = row.values;
      heap.tid = row.tid;
      heap.tableOid = row.tableOid;
      ec.scantuple = heap;
      const cols = this.indexCols!;
      const vals = new Array<unknown>(cols.length);
      for (let i = 0; i < cols.length; i++) vals[i] = cols[i](ec);
      slot.values = vals;
    } else {
      slot.values = row.values;
    }
    slot.tid = row.tid;
    slot.tableOid = row.tableOid;
    ec.scantuple = slot;
    return this.scan.emit(this, ec);
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
 * subplan, the FROM items whose rows a re-check supplies, and the copy of
 * the subplan built on first use.
 */
export class EPQState {
  private readonly plan: Plan;
  private readonly estate: EState;
  private readonly test: EPQTest | null;
  private tree: PlanState | null = null;

  /**
   * `rtis`: the range-table indexes recheck() will be given a row (or null)
   * for; `required`: those whose scan must be found (the relations whose
   * new version is tested: the target, the locked ones).
   */
  constructor(plan: Plan, estate: EState, rtis: ReadonlySet<number>, required: ReadonlySet<number>) {
    this.plan = plan;
    this.estate = estate;
    const targets = targetScans(plan, rtis, required);
    this.test = targets === null ? null : { targets, rows: new Map() };
  }

  /**
   * Whether this subplan can be re-checked: false only when a tested
   * relation is not read by a scan of its own range-table entry (an
   * inheritance tree's Append of child scans), where the caller raises
   * 40001 rather than guess.
   */
  get supported(): boolean {
    return this.test !== null;
  }

  /**
   * EvalPlanQual: the subplan's row for the given FROM items' rows (the
   * updated relation's new version, the others' fixed rows; null: no row),
   * or null when they no longer satisfy the plan's conditions. The slot is
   * the copy's and is overwritten by the next re-check.
   */
  recheck(rows: ReadonlyMap<number, EPQRow | null>): TupleTableSlot | null {
    const test = this.test;
    if (test === null) throw new Error('EvalPlanQual on an unsupported plan');
    test.rows = rows;
    const params = this.estate.execParams;
    const plans = executorPrivate(this.estate).paramExecPlans;
    const saved = params.slice();
    const savedPlans = plans.slice();
    try {
      if (this.tree === null) {
        const priv = executorPrivate(this.estate);
        const outer = priv.buildingEPQ;
        building.set(this.estate, test);
        priv.buildingEPQ = true;
        try {
          this.tree = ExecInitNode(this.plan, this.estate);
        } finally {
          building.delete(this.estate);
          priv.buildingEPQ = outer;
        }
      } else {
        this.tree.rescan();
      }
      return this.tree.next();
    } finally {
      for (let i = 0; i < saved.length; i++) params[i] = saved[i];
      for (let i = 0; i < savedPlans.length; i++) plans[i] = savedPlans[i];
    }
  }
}
