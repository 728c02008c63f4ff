/*
 * nodeIndexscan.ts — IndexScan (PostgreSQL's nodeIndexscan.c): rows of a
 * table found through a B-tree (StorageEngine.beginIndexScan), in index
 * order, filtered by the node's qual and projected.
 *
 * Scan keys come from indexqual: `INDEX_VAR op expr`, `INDEX_VAR IS [NOT]
 * NULL`, or `INDEX_VAR = ANY (array)`. The right-hand expressions are
 * evaluated when the scan starts and at every rescan, so the inner side of
 * a parameterized nested loop looks up each outer row's value. A NULL
 * comparison value matches nothing (the qual could not be true). `= ANY`
 * runs one scan per distinct array element, in index order, so the output
 * stays ordered. B-tree answers are exact: nothing is rechecked.
 *
 * Exports: IndexScanState, IndexScanBase, IndexKeyBuilder
 */

import type { IndexRelation } from '../access/nbtree/nbtree.ts';
import type { ScanKey, ScanKeyOp } from '../access/nbtree/nbtutils.ts';
import type { IndexScan, StorageEngine } from '../engine.ts';
import type { IndexOnlyScan, IndexScan as IndexScanPlan, ScanDirection } from '../nodes/plannodes.ts';
import type { Expr } from '../nodes/primnodes.ts';
import { INDEX_VAR } from '../nodes/primnodes.ts';
import type { Datum } from '../utils/adt/datum.ts';
import type { ArrayValue } from '../utils/adt/array.ts';
import { lookupOperatorByOid } from '../utils/fmgr/fmgrtab.ts';
import { PgError, SQLSTATE, elog } from '../utils/errors.ts';
import type { EState, ExprContext, ExprState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ExecInitExpr } from './execExpr.ts';
import { opfamilyComparator } from './execGrouping.ts';
import { ScanProjection, scanAttsNeeded } from './execScan.ts';
import { PlanStateBase } from './execUtils.ts';
import { scanRelation } from './nodeSeqscan.ts';

/** The storage engine's index scan cursor. */
export type IndexScanCursor = IndexScan;

/** natts: the leading heap attributes to deform (undefined: all), as SeqScan's cursor takes it. */
export function beginIndexCursor(engine: StorageEngine, index: IndexRelation, keys: ScanKey[], direction: ScanDirection, indexOnly: boolean, natts?: number): IndexScanCursor {
  const dir = direction === 'BackwardScanDirection' ? 'backward' : 'forward';
  return engine.beginIndexScan(index, keys, natts === undefined ? { direction: dir, indexOnly } : { direction: dir, indexOnly, natts });
}

const STRATEGY_OPS: readonly ScanKeyOp[] = ['=', '<', '<=', '=', '>=', '>'];
const COMMUTED: Record<string, ScanKeyOp> = { '<': '>', '<=': '>=', '=': '=', '>=': '<=', '>': '<' };

function indexColumn(e: Expr): number {
  let x = e;
  while (x.type === 'RelabelType') x = x.arg;
  return x.type === 'Var' && x.varno === INDEX_VAR ? x.varattno : 0;
}

interface KeySource {
  attno: number;
  op: ScanKeyOp;
  /** null for IS [NOT] NULL. */
  arg: ExprState | null;
  /** `= ANY (array)`: each element is a separate scan. */
  isArray: boolean;
  /** Order of the array's elements (the index column's opfamily). */
  compare: ((a: unknown, b: unknown) => number) | null;
}

const INT8OID = 20;
const INTEGER_TYPES: ReadonlySet<number> = new Set([21, 23, 26]);

/**
 * A comparison value in the index column's Datum form: a cross-type
 * operator (int8col = 5, int4col < 5::bigint) compares across the integer
 * types, but the B-tree compares with the column type's own function.
 */
function toColumnForm(v: unknown, colType: number): Datum {
  if (colType === INT8OID && typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (INTEGER_TYPES.has(colType) && typeof v === 'bigint') return Number(v);
  return v as Datum;
}

/** Scan keys from an index qual, evaluated at each (re)scan. */
export class IndexKeyBuilder {
  private readonly sources: KeySource[] = [];
  /** Type OID of each index column (1-based attno - 1). */
  private readonly colTypes: number[];

  constructor(indexqual: readonly Expr[], parent: PlanState, estate: EState, index: IndexRelation) {
    this.colTypes = index.desc.attrs.map((a) => a.atttypid);
    for (const q of indexqual) this.sources.push(this.source(q, parent, estate));
  }

  private source(q: Expr, parent: PlanState, estate: EState): KeySource {
    if (q.type === 'NullTest') {
      const attno = indexColumn(q.arg);
      if (attno > 0) return { attno, op: q.nulltesttype === 'IS_NULL' ? 'isnull' : 'notnull', arg: null, isArray: false, compare: null };
    } else if (q.type === 'OpExpr' && q.args.length === 2) {
      const op = lookupOperatorByOid(q.opno);
      const strat = STRATEGY_OPS[op.btreeStrategy];
      if (op.btreeStrategy !== 0) {
        const l = indexColumn(q.args[0]);
        if (l > 0) return { attno: l, op: strat, arg: ExecInitExpr(q.args[1], parent, estate), isArray: false, compare: null };
        const r = indexColumn(q.args[1]);
        if (r > 0) return { attno: r, op: COMMUTED[strat], arg: ExecInitExpr(q.args[0], parent, estate), isArray: false, compare: null };
      }
    } else if (q.type === 'ScalarArrayOpExpr' && q.useOr) {
      const op = lookupOperatorByOid(q.opno);
      const attno = indexColumn(q.args[0]);
      if (op.btreeStrategy === 3 && attno > 0) {
        return { attno, op: '=', arg: ExecInitExpr(q.args[1], parent, estate), isArray: true, compare: opfamilyComparator(q.opno) };
      }
    }
    throw new PgError(SQLSTATE.feature_not_supported, `index condition of form ${q.type} is not supported`);
  }

  /**
   * The key sets to scan, one per combination of array elements (usually
   * one); [] when some key can never be true (a NULL comparison value, an
   * empty array).
   */
  build(ec: ExprContext): ScanKey[][] {
    let sets: ScanKey[][] = [[]];
    for (const s of this.sources) {
      if (s.arg === null) {
        for (const k of sets) k.push({ attno: s.attno, op: s.op });
        continue;
      }
      const v = s.arg(ec);
      if (v === null) return [];
      const colType = this.colTypes[s.attno - 1];
      if (!s.isArray) {
        for (const k of sets) k.push({ attno: s.attno, op: s.op, arg: toColumnForm(v, colType) });
        continue;
      }
      const cmp = s.compare as (a: unknown, b: unknown) => number;
      const elems = (v as ArrayValue).elements.filter((x) => x !== null).sort(cmp);
      const distinct = elems.filter((x, i) => i === 0 || cmp(elems[i - 1], x) !== 0);
      if (distinct.length === 0) return [];
      const next: ScanKey[][] = [];
      for (const k of sets) for (const el of distinct) next.push([...k, { attno: s.attno, op: '=', arg: toColumnForm(el, colType) }]);
      sets = next;
    }
    return sets;
  }
}

export function indexRelationOf(estate: EState, scanrelid: number, indexid: number): IndexRelation {
  const rte = estate.plannedstmt.rtable[scanrelid - 1];
  const info = estate.catalog.getRelation(rte.relid);
  const idx = info.indexes.find((i) => i.indexrelid === indexid);
  if (idx === undefined) elog(`index ${indexid} of relation "${info.relname}" not found`);
  return idx.index;
}

/**
 * The cursor handling both index scans share: one storage cursor per node,
 * restarted with new keys (IndexScan.rescan) for each key set and each
 * rescan rather than reopened.
 */
export abstract class IndexScanBase<P extends IndexScanPlan | IndexOnlyScan> extends PlanStateBase<P> {
  protected abstract readonly scan: ScanProjection;
  private readonly index: IndexRelation;
  private readonly keys: IndexKeyBuilder;
  private readonly indexOnly: boolean;
  private keySets: ScanKey[][] | null = null;
  private setNo = 0;
  private cursor: IndexScanCursor | null = null;
  private active = false;
  /** Leading heap attributes the plan reads (undefined: all; an index-only scan reads the index row). */
  protected natts: number | undefined = undefined;
  /** Heap visits of index-only scans, summed over rescans ("Heap Fetches"). */
  private heapFetches = 0;
  private lastHeapFetches = 0;

  constructor(plan: P, estate: EState, indexOnly: boolean) {
    super(plan, estate);
    this.index = indexRelationOf(estate, plan.scanrelid, plan.indexid);
    this.keys = new IndexKeyBuilder(plan.indexqual, this, estate, this.index);
    this.indexOnly = indexOnly;
  }

  next(): TupleTableSlot | null {
    if (this.keySets === null) {
      this.keySets = this.keys.build(this.econtext);
      // Array keys in descending order for a backward scan keep the output in scan order.
      if (this.plan.indexorderdir === 'BackwardScanDirection') this.keySets.reverse();
      this.setNo = 0;
      this.active = false;
    }
    const slot = this.scan.scanSlot;
    for (;;) {
      if (!this.active) {
        if (this.setNo >= this.keySets.length) return null;
        const keys = this.keySets[this.setNo++];
        if (this.cursor === null) this.cursor = beginIndexCursor(this.estate.engine, this.index, keys, this.plan.indexorderdir, this.indexOnly, this.natts);
        else this.cursor.rescan(keys, this.plan.indexorderdir === 'BackwardScanDirection' ? 'backward' : 'forward');
        this.active = true;
      }
      const c = this.cursor as IndexScanCursor;
      this.estate.checkInterrupts();
      if (!c.next()) {
        this.active = false;
        this.countHeapFetches(c);
        continue;
      }
      slot.values = c.values;
      slot.tid = c.tid;
      const out = this.scan.emit(this, this.econtext);
      if (out !== null) return out;
    }
  }

  private countHeapFetches(c: IndexScanCursor): void {
    const hf = c.heapFetches;
    this.heapFetches += hf >= this.lastHeapFetches ? hf - this.lastHeapFetches : hf;
    this.lastHeapFetches = hf;
    if (this.indexOnly && this.instrument !== null) this.instrument.extra.set('Heap Fetches', this.heapFetches);
  }

  rescan(): void {
    this.keySets = null;
    this.active = false;
  }

  end(): void {
    const c = this.cursor;
    this.cursor = null;
    this.active = false;
    if (c !== null) {
      this.countHeapFetches(c);
      c.end();
    }
  }

  children(): PlanState[] {
    return [];
  }
}

export class IndexScanState extends IndexScanBase<IndexScanPlan> {
  protected readonly scan: ScanProjection;

  private readonly heapNatts: number;

  constructor(plan: IndexScanPlan, estate: EState) {
    super(plan, estate, false);
    const rel = scanRelation(estate, plan.scanrelid);
    this.scan = new ScanProjection(this, plan, estate, this.econtext, plan.scanrelid, rel.desc.natts);
    this.scan.scanSlot.tableOid = rel.oid;
    this.heapNatts = rel.desc.natts;
    this.natts = scanAttsNeeded([plan.targetlist, plan.qual], plan.scanrelid, rel.desc.natts);
  }

  /** As SeqScanState.limitOutputColumns: the parent reads only the first natts output columns. Called before the first next(). */
  limitOutputColumns(natts: number): void {
    if (!this.scan.identity) return;
    this.natts = Math.max(Math.min(natts, this.heapNatts), scanAttsNeeded([this.plan.qual], this.plan.scanrelid, this.heapNatts));
  }
}
