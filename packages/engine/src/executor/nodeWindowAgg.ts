/*
 * nodeWindowAgg.ts — WindowAgg (PostgreSQL's nodeWindowAgg.c and the
 * window functions of windowfuncs.c): computes the window functions of one
 * window (winref) over input sorted by PARTITION BY then ORDER BY.
 *
 * A partition is read whole (its rows copied; they count against
 * work_mem), every function's value is computed for every row, then the
 * rows are returned with their values in econtext.windowvalues.
 *
 *   peers      rows equal on the ORDER BY columns (all rows without ORDER BY)
 *   frame      ROWS / RANGE / GROUPS between UNBOUNDED PRECEDING, n
 *              PRECEDING, CURRENT ROW, n FOLLOWING, UNBOUNDED FOLLOWING,
 *              with EXCLUDE CURRENT ROW / GROUP / TIES. A RANGE offset
 *              is applied to the one ORDER BY column by the in_range
 *              function of its type (utils/adt/inrange.ts: integers,
 *              floats, numeric, date/timestamp/timestamptz/interval with
 *              an interval offset).
 *   functions  row_number, rank, dense_rank, percent_rank, cume_dist, ntile,
 *              lag, lead, first_value, last_value, nth_value (by name), and
 *              every aggregate over the frame. A frame starting at UNBOUNDED
 *              PRECEDING only grows, so its aggregate advances incrementally;
 *              other frames aggregate each row's frame afresh.
 *
 * Exports: WindowAggState
 */

import type { WindowAgg } from '../nodes/plannodes.ts';
import type { Expr, WindowFunc } from '../nodes/primnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { FRAMEOPTION, FRAMEOPTION_DEFAULTS } from '../parser/primnodes.ts';
import { lookupFunctionByOid } from '../utils/fmgr/fmgrtab.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import type { EState, ExprState, PlanState } from './execnodes.ts';
import { ExprContext, TupleTableSlot } from './execnodes.ts';
import { ExecBuildProjectionInfo, ExecInitExpr, ExecInitQual, type WindowFuncOwner } from './execExpr.ts';
import { groupEqualityFn } from './execGrouping.ts';
import { AggTransition } from './execAggTrans.ts';
import { ExecInitNode } from './execProcnode.ts';
import { MemoryAccount, GeneratorPlanState } from './execUtils.ts';
import { inRangeFunction, type InRangeFn } from '../utils/adt/inrange.ts';
import { typeByOid } from '../utils/adt/types.ts';

type WinKind =
  | 'row_number' | 'rank' | 'dense_rank' | 'percent_rank' | 'cume_dist' | 'ntile'
  | 'lag' | 'lead' | 'first_value' | 'last_value' | 'nth_value' | 'aggregate';

const WINDOW_FUNCTIONS: ReadonlySet<string> = new Set([
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value',
]);

interface PerFunc {
  kind: WinKind;
  args: ExprState[];
  filter: ExprState | null;
  trans: AggTransition | null;
}

function collectWindowFuncs(exprs: readonly unknown[], winref: number): WindowFunc[] {
  const out: WindowFunc[] = [];
  const walk = (e: unknown): void => {
    if (e === null || typeof e !== 'object') return;
    if (Array.isArray(e)) {
      for (const x of e) walk(x);
      return;
    }
    const n = e as { type?: string };
    if (n.type === 'WindowFunc' && (e as WindowFunc).winref === winref) {
      out.push(e as WindowFunc);
      return;
    }
    if (n.type === 'SubPlan') {
      walk((e as { args: unknown }).args);
      return;
    }
    for (const k in n) {
      const v = (n as Record<string, unknown>)[k];
      if (v !== null && typeof v === 'object') walk(v);
    }
  };
  walk(exprs);
  return out;
}

/** Each row's frame: rows [fs, fe), less those `excluded(row, j)` names (EXCLUDE clauses). */
interface Frame {
  fs: Int32Array;
  fe: Int32Array;
  excluded: ((i: number, j: number) => boolean) | null;
}

/** The k-th row (0-based; -1 the last) of row i's frame after exclusions, -1 if there is none. */
function frameRow(frame: Frame, i: number, k: number): number {
  const s = frame.fs[i];
  const e = frame.fe[i];
  const ex = frame.excluded;
  if (ex === null) {
    const j = k < 0 ? e - 1 : s + k;
    return j >= s && j < e ? j : -1;
  }
  if (k < 0) {
    for (let j = e - 1; j >= s; j--) if (!ex(i, j)) return j;
    return -1;
  }
  let left = k;
  for (let j = s; j < e; j++) {
    if (ex(i, j)) continue;
    if (left === 0) return j;
    left--;
  }
  return -1;
}

function frameError(msg: string): never {
  throw new PgError('22013', msg);
}

export class WindowAggState extends GeneratorPlanState<WindowAgg> implements WindowFuncOwner {
  readonly wfuncIndex = new Map<WindowFunc, number>();
  private readonly child: PlanState;
  private readonly funcs: PerFunc[];
  private readonly partEqual: ((a: readonly unknown[], b: readonly unknown[]) => boolean) | null;
  private readonly peerEqual: ((a: readonly unknown[], b: readonly unknown[]) => boolean) | null;
  private readonly argEc: ExprContext;
  private readonly argSlot: TupleTableSlot;
  private readonly rowSlot: TupleTableSlot;
  private readonly slot: TupleTableSlot;
  private readonly project: () => void;
  private readonly qual: (ec: ExprContext) => boolean;
  private readonly startOffset: ExprState | null;
  private readonly endOffset: ExprState | null;
  private readonly mem: MemoryAccount;
  /** RANGE offset frames: the ORDER BY column (0-based). */
  private readonly rangeCol: number;
  /** RANGE offset frames: in_range of the column and offset types, and the column's order. */
  private readonly inRange: InRangeFn | null = null;
  private readonly rangeCompare: ((a: unknown, b: unknown) => number) | null = null;
  /** plan.frameOptions, with the default frame filled in when no bound is set. */
  private readonly frameOptions: number;

  constructor(plan: WindowAgg, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null) throw new Error('WindowAgg without a child');
    const START_BITS = FRAMEOPTION.START_UNBOUNDED_PRECEDING | FRAMEOPTION.START_CURRENT_ROW | FRAMEOPTION.START_OFFSET_PRECEDING | FRAMEOPTION.START_OFFSET_FOLLOWING;
    const fo = (plan.frameOptions & START_BITS) === 0 ? plan.frameOptions | FRAMEOPTION_DEFAULTS : plan.frameOptions;
    this.frameOptions = fo;
    this.child = ExecInitNode(plan.lefttree, estate);
    const wfs = collectWindowFuncs([plan.targetlist, plan.qual], plan.winref);
    this.funcs = [];
    this.argEc = new ExprContext(estate);
    this.argSlot = new TupleTableSlot(0);
    this.argEc.outertuple = this.argSlot;
    for (const wf of wfs) {
      this.wfuncIndex.set(wf, this.funcs.length);
      this.funcs.push(this.perFunc(wf, estate));
    }
    this.partEqual = plan.partNumCols > 0 ? groupEqualityFn(plan.partColIdx, plan.partOperators) : null;
    this.peerEqual = plan.ordNumCols > 0 ? groupEqualityFn(plan.ordColIdx, plan.ordOperators) : null;
    this.rowSlot = new TupleTableSlot(0);
    this.econtext.outertuple = this.rowSlot;
    this.econtext.windowvalues = new Array<unknown>(this.funcs.length).fill(null);
    this.slot = new TupleTableSlot(plan.targetlist.length);
    this.project = ExecBuildProjectionInfo(plan.targetlist, this.econtext, this.slot, this, estate);
    this.qual = ExecInitQual(plan.qual, this, estate);
    this.startOffset = plan.startOffset !== null ? ExecInitExpr(plan.startOffset, this, estate) : null;
    this.endOffset = plan.endOffset !== null ? ExecInitExpr(plan.endOffset, this, estate) : null;
    this.mem = new MemoryAccount(estate, 'WindowAgg');
    this.rangeCol = plan.ordNumCols > 0 ? plan.ordColIdx[0] - 1 : -1;
    if ((fo & FRAMEOPTION.RANGE) && (fo & (FRAMEOPTION.START_OFFSET_PRECEDING | FRAMEOPTION.START_OFFSET_FOLLOWING | FRAMEOPTION.END_OFFSET_PRECEDING | FRAMEOPTION.END_OFFSET_FOLLOWING))) {
      if (plan.ordNumCols !== 1) throw new PgError('42P20', 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column');
      // The in_range function of (ORDER BY column type, offset type), as the analyzer chose the offset type.
      const sortTle = plan.lefttree.targetlist[this.rangeCol];
      const colType = sortTle !== undefined ? exprType(sortTle.expr) : 0;
      const offset = plan.startOffset ?? plan.endOffset;
      const fn = offset !== null ? inRangeFunction(colType === 1043 ? 25 : colType, exprType(offset)) : null;
      if (fn === null) throw new PgError(SQLSTATE.feature_not_supported, 'RANGE with offset PRECEDING/FOLLOWING is not supported for this column type');
      this.inRange = fn;
      const t = typeByOid(colType);
      this.rangeCompare = t !== undefined ? (t.compare as (a: unknown, b: unknown) => number) : null;
    }
  }

  private perFunc(wf: WindowFunc, estate: EState): PerFunc {
    const fn = lookupFunctionByOid(wf.winfnoid);
    const args = wf.args.map((a: Expr) => ExecInitExpr(a, this, estate));
    const filter = wf.aggfilter !== null ? ExecInitExpr(wf.aggfilter, this, estate) : null;
    if (wf.winagg || fn.prokind === 'a') {
      return { kind: 'aggregate', args, filter, trans: new AggTransition(wf.winfnoid, estate.fmgr, wf.args.map((a: Expr) => exprType(a))) };
    }
    if (!WINDOW_FUNCTIONS.has(fn.proname)) throw new PgError(SQLSTATE.feature_not_supported, `window function ${fn.proname} is not supported`);
    return { kind: fn.proname as WinKind, args, filter, trans: null };
  }

  /** Evaluates argument k of a function at partition row j. */
  private arg(f: PerFunc, k: number, row: unknown[]): unknown {
    this.argSlot.values = row;
    return f.args[k](this.argEc);
  }

  /** A frame offset's value: a row or group count (ROWS, GROUPS), or the in_range offset datum (RANGE). */
  private offsetValue(e: ExprState | null, which: 'starting' | 'ending'): unknown {
    if (e === null) return 0;
    const v = e(this.econtext);
    if (v === null) throw new PgError('22004', `frame ${which} offset must not be null`);
    // RANGE offsets are checked by the in_range function when it compares rows.
    if (this.frameOptions & FRAMEOPTION.RANGE) return v;
    const n = typeof v === 'bigint' ? Number(v) : (v as number);
    if (n < 0) frameError(`frame ${which} offset must not be negative`);
    return n;
  }

  private *run(): Generator<TupleTableSlot> {
    let pending: unknown[] | null = null;
    let eof = false;
    for (;;) {
      // Read one partition.
      const rows: unknown[][] = [];
      this.mem.reset();
      if (pending !== null) {
        rows.push(pending);
        this.mem.addRow(pending);
        pending = null;
      }
      while (!eof) {
        const s = this.child.next();
        if (s === null) {
          eof = true;
          break;
        }
        const v = s.copyValues();
        if (rows.length > 0 && this.partEqual !== null && !this.partEqual(rows[0], v)) {
          pending = v;
          break;
        }
        this.mem.addRow(v);
        rows.push(v);
      }
      if (rows.length === 0) return;
      const results = this.computePartition(rows);
      const wv = this.econtext.windowvalues;
      for (let i = 0; i < rows.length; i++) {
        this.rowSlot.values = rows[i];
        for (let f = 0; f < results.length; f++) wv[f] = results[f][i];
        if (!this.qual(this.econtext)) {
          if (this.instrument !== null) this.instrument.nfiltered1++;
          continue;
        }
        this.project();
        yield this.slot;
      }
      if (eof && pending === null) return;
    }
  }

  private computePartition(rows: unknown[][]): unknown[][] {
    const n = rows.length;
    // Peer groups: group number and bounds of each row.
    const groupOf = new Int32Array(n);
    const groupStarts: number[] = [0];
    for (let i = 1; i < n; i++) {
      const newGroup = this.peerEqual !== null && !this.peerEqual(rows[i - 1], rows[i]);
      if (newGroup) groupStarts.push(i);
      groupOf[i] = groupStarts.length - 1;
    }
    groupStarts.push(n);
    const peerStart = (i: number): number => groupStarts[groupOf[i]];
    const peerEnd = (i: number): number => groupStarts[groupOf[i] + 1];
    const frame = this.frameBounds(rows, groupOf, groupStarts);
    // EXCLUDE CURRENT ROW / GROUP / TIES: rows of [fs, fe) left out of row i's frame.
    const fo = this.frameOptions;
    frame.excluded = fo & FRAMEOPTION.EXCLUDE_CURRENT_ROW ? (i, j) => i === j
      : fo & FRAMEOPTION.EXCLUDE_GROUP ? (i, j) => groupOf[i] === groupOf[j]
      : fo & FRAMEOPTION.EXCLUDE_TIES ? (i, j) => i !== j && groupOf[i] === groupOf[j]
      : null;
    return this.funcs.map((f) => this.computeFunc(f, rows, groupOf, peerStart, peerEnd, frame));
  }

  /** [start, end) of each row's frame. */
  private frameBounds(rows: unknown[][], groupOf: Int32Array, groupStarts: number[]): Frame {
    const n = rows.length;
    const fo = this.frameOptions;
    const ngroups = groupStarts.length - 1;
    const fs = new Int32Array(n);
    const fe = new Int32Array(n);
    const mode = fo & FRAMEOPTION.ROWS ? 'rows' : fo & FRAMEOPTION.GROUPS ? 'groups' : 'range';
    const so = fo & (FRAMEOPTION.START_OFFSET_PRECEDING | FRAMEOPTION.START_OFFSET_FOLLOWING) ? this.offsetValue(this.startOffset, 'starting') : 0;
    const eo = fo & (FRAMEOPTION.END_OFFSET_PRECEDING | FRAMEOPTION.END_OFFSET_FOLLOWING) ? this.offsetValue(this.endOffset, 'ending') : 0;
    const clamp = (x: number): number => (x < 0 ? 0 : x > n ? n : x);
    const groupStartAt = (g: number): number => (g < 0 ? 0 : g >= ngroups ? n : groupStarts[g]);
    const groupEndAt = (g: number): number => (g < 0 ? 0 : g >= ngroups ? n : groupStarts[g + 1]);
    // RANGE offsets: the frame bounds are where in_range(row value, current value, offset) flips
    // (PostgreSQL's update_frameheadpos / update_frametailpos), found by binary search since the
    // partition is sorted on that value.
    const col = this.rangeCol;
    const inRange = this.inRange;
    const rangeOffsets = FRAMEOPTION.START_OFFSET_PRECEDING | FRAMEOPTION.START_OFFSET_FOLLOWING | FRAMEOPTION.END_OFFSET_PRECEDING | FRAMEOPTION.END_OFFSET_FOLLOWING;
    let asc = true;
    let nullsFirst = false;
    if (mode === 'range' && (fo & rangeOffsets) !== 0) {
      // The plan carries the ORDER BY column's equality operator only (PostgreSQL's inRangeAsc and
      // inRangeNullsFirst are not in the contract): both are read off the sorted partition itself.
      nullsFirst = rows[0][col] === null;
      let first: unknown = null;
      let last: unknown = null;
      for (let i = 0; i < n && first === null; i++) first = rows[i][col];
      for (let i = n - 1; i >= 0 && last === null; i--) last = rows[i][col];
      if (first !== null && last !== null && this.rangeCompare !== null && this.rangeCompare(first, last) > 0) asc = false;
    }
    /** First row index where pred (false, then true over the non-null rows) holds; NULL rows count as `nullValue`. */
    const search = (pred: (v: unknown) => boolean, nullValue: boolean): number => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const v = rows[mid][col];
        if (v === null ? nullValue : pred(v)) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    const rangeHead = (i: number, offset: unknown, preceding: boolean): number => {
      const cur = rows[i][col];
      if (cur === null) return groupStarts[groupOf[i]];
      // The head is the first row with val >= cur -/+ offset (<= when descending).
      const sub = asc ? preceding : !preceding;
      const less = !asc;
      return search((v) => inRange!(v, cur, offset, sub, less), !nullsFirst);
    };
    const rangeTail = (i: number, offset: unknown, preceding: boolean): number => {
      const cur = rows[i][col];
      if (cur === null) return groupStarts[groupOf[i] + 1];
      // The tail ends before the first row with val > cur -/+ offset (< when descending).
      const sub = asc ? preceding : !preceding;
      const less = asc;
      return search((v) => !inRange!(v, cur, offset, sub, less), !nullsFirst);
    };
    for (let i = 0; i < n; i++) {
      const g = groupOf[i];
      let s: number;
      if (fo & FRAMEOPTION.START_UNBOUNDED_PRECEDING) s = 0;
      else if (fo & FRAMEOPTION.START_CURRENT_ROW) s = mode === 'rows' ? i : groupStarts[g];
      else if (fo & FRAMEOPTION.START_OFFSET_PRECEDING) {
        if (mode === 'rows') s = clamp(i - (so as number));
        else if (mode === 'groups') s = groupStartAt(g - (so as number));
        else s = rangeHead(i, so, true);
      } else if (fo & FRAMEOPTION.START_OFFSET_FOLLOWING) {
        if (mode === 'rows') s = clamp(i + (so as number));
        else if (mode === 'groups') s = groupStartAt(g + (so as number));
        else s = rangeHead(i, so, false);
      } else s = n; // START UNBOUNDED FOLLOWING is rejected by the grammar.
      let e: number;
      if (fo & FRAMEOPTION.END_UNBOUNDED_FOLLOWING) e = n;
      else if (fo & FRAMEOPTION.END_CURRENT_ROW) e = mode === 'rows' ? i + 1 : groupStarts[g + 1];
      else if (fo & FRAMEOPTION.END_OFFSET_PRECEDING) {
        if (mode === 'rows') e = clamp(i - (eo as number) + 1);
        else if (mode === 'groups') e = groupEndAt(g - (eo as number));
        else e = rangeTail(i, eo, true);
      } else if (fo & FRAMEOPTION.END_OFFSET_FOLLOWING) {
        if (mode === 'rows') e = clamp(i + (eo as number) + 1);
        else if (mode === 'groups') e = groupEndAt(g + (eo as number));
        else e = rangeTail(i, eo, false);
      } else e = 0;
      fs[i] = s;
      fe[i] = e < s ? s : e;
    }
    return { fs, fe, excluded: null };
  }

  private computeFunc(
    f: PerFunc,
    rows: unknown[][],
    groupOf: Int32Array,
    peerStart: (i: number) => number,
    peerEnd: (i: number) => number,
    frame: Frame,
  ): unknown[] {
    const n = rows.length;
    const out = new Array<unknown>(n);
    switch (f.kind) {
      case 'row_number':
        for (let i = 0; i < n; i++) out[i] = BigInt(i + 1);
        break;
      case 'rank':
        for (let i = 0; i < n; i++) out[i] = BigInt(peerStart(i) + 1);
        break;
      case 'dense_rank':
        for (let i = 0; i < n; i++) out[i] = BigInt(groupOf[i] + 1);
        break;
      case 'percent_rank':
        for (let i = 0; i < n; i++) out[i] = n > 1 ? peerStart(i) / (n - 1) : 0;
        break;
      case 'cume_dist':
        for (let i = 0; i < n; i++) out[i] = peerEnd(i) / n;
        break;
      case 'ntile': {
        // The bucket count is read at the partition's first row, as PostgreSQL does.
        const kv = this.arg(f, 0, rows[0]);
        if (kv === null) {
          out.fill(null);
          break;
        }
        const k = Number(kv);
        if (k <= 0) throw new PgError('22014', 'argument of ntile must be greater than zero');
        const per = Math.floor(n / k);
        const extra = n % k;
        let bucket = 1;
        let left = per + (extra > 0 ? 1 : 0);
        for (let i = 0; i < n; i++) {
          if (left === 0) {
            bucket++;
            left = per + (bucket <= extra ? 1 : 0);
          }
          out[i] = bucket;
          left--;
        }
        break;
      }
      case 'lag':
      case 'lead': {
        const dir = f.kind === 'lag' ? -1 : 1;
        for (let i = 0; i < n; i++) {
          let off = 1;
          if (f.args.length > 1) {
            const ov = this.arg(f, 1, rows[i]);
            if (ov === null) {
              out[i] = null;
              continue;
            }
            off = Number(ov);
          }
          const j = i + dir * off;
          if (j < 0 || j >= n) out[i] = f.args.length > 2 ? this.arg(f, 2, rows[i]) : null;
          else out[i] = this.arg(f, 0, rows[j]);
        }
        break;
      }
      case 'first_value':
        for (let i = 0; i < n; i++) {
          const j = frameRow(frame, i, 0);
          out[i] = j >= 0 ? this.arg(f, 0, rows[j]) : null;
        }
        break;
      case 'last_value':
        for (let i = 0; i < n; i++) {
          const j = frameRow(frame, i, -1);
          out[i] = j >= 0 ? this.arg(f, 0, rows[j]) : null;
        }
        break;
      case 'nth_value':
        for (let i = 0; i < n; i++) {
          const nv = this.arg(f, 1, rows[i]);
          if (nv === null) {
            out[i] = null;
            continue;
          }
          const k = Number(nv);
          if (k <= 0) throw new PgError('22016', 'argument of nth_value must be greater than zero');
          const j = frameRow(frame, i, k - 1);
          out[i] = j >= 0 ? this.arg(f, 0, rows[j]) : null;
        }
        break;
      case 'aggregate':
        this.computeAggregate(f, rows, frame, out);
        break;
    }
    return out;
  }

  private computeAggregate(f: PerFunc, rows: unknown[][], frame: Frame, out: unknown[]): void {
    const n = rows.length;
    const trans = f.trans as AggTransition;
    const args = new Array<unknown>(f.args.length);
    const feed = (state: ReturnType<AggTransition['init']>, j: number): void => {
      this.argSlot.values = rows[j];
      if (f.filter !== null && f.filter(this.argEc) !== true) return;
      for (let k = 0; k < args.length; k++) args[k] = f.args[k](this.argEc);
      trans.advance(state, args);
    };
    const excluded = frame.excluded;
    const growing = excluded === null && frame.fs.every((s) => s === 0) && frame.fe.every((e, i) => i === 0 || e >= frame.fe[i - 1]);
    if (growing) {
      const state = trans.init();
      let upTo = 0;
      let last: unknown = null;
      let lastEnd = -1;
      for (let i = 0; i < n; i++) {
        const e = frame.fe[i];
        while (upTo < e) feed(state, upTo++);
        if (e !== lastEnd) {
          last = trans.final(state);
          lastEnd = e;
        }
        out[i] = last;
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      this.estate.checkInterrupts();
      const state = trans.init();
      for (let j = frame.fs[i]; j < frame.fe[i]; j++) if (excluded === null || !excluded(i, j)) feed(state, j);
      out[i] = trans.final(state);
    }
  }

  protected start(): Generator<TupleTableSlot> {
    return this.run();
  }

  children(): PlanState[] {
    return [this.child];
  }
}
