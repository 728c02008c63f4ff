/*
 * nodeAgg.ts — Agg (PostgreSQL's nodeAgg.c): aggregates, plain (one
 * group), over sorted input (AGG_SORTED: a group ends where the grouping
 * columns change), or hashed (AGG_HASHED: a hash table of groups, emitted
 * after the input ends). HAVING is the node's qual.
 *
 * Per aggregate call (an Aggref of the target list or qual, by aggno):
 * FILTER (WHERE ...) decides whether a row is fed; the arguments are
 * evaluated against the input row; with DISTINCT or ORDER BY inside the
 * call, the argument rows of a group are collected, sorted (and
 * de-duplicated) and fed when the group ends. Transition and final
 * functions are in execAggTrans.ts.
 *
 * The output row is projected with the group's first input row as the
 * outer tuple (for the grouping columns) and the final values in
 * econtext.aggvalues (read by Aggref nodes).
 *
 * Memory: hashed groups and DISTINCT/ORDER BY argument rows count against
 * work_mem (53200 past it; PostgreSQL 13+ would spill hashed groups to disk).
 *
 * Exports: AggState, collectAggrefs
 */

import type { Agg } from '../nodes/plannodes.ts';
import type { Aggref, Expr, SortGroupClause } from '../nodes/primnodes.ts';
import { OUTER_VAR } from '../nodes/primnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import type { EState, ExprState, PlanState } from './execnodes.ts';
import { ExprContext, TupleTableSlot } from './execnodes.ts';
import { ExecBuildProjectionInfo, ExecInitExpr, ExecInitQual } from './execExpr.ts';
import { equalityFn, groupEqualityFn, sortComparator, TupleKeyer, type HashKey } from './execGrouping.ts';
import { AggTransition, type AggGroupState } from './execAggTrans.ts';
import { ExecInitNode } from './execProcnode.ts';
import { MemoryAccount, GeneratorPlanState } from './execUtils.ts';
import { limitsOutputColumns, scanAttsNeeded } from './execScan.ts';

/** The Aggrefs an Agg computes: in its target list and qual, including SubPlan arguments, not inside nested subplans. */
export function collectAggrefs(exprs: readonly unknown[]): Aggref[] {
  const out: Aggref[] = [];
  const walk = (e: unknown): void => {
    if (e === null || typeof e !== 'object') return;
    if (Array.isArray(e)) {
      for (const x of e) walk(x);
      return;
    }
    const n = e as { type?: string };
    if (n.type === 'Aggref') {
      out.push(e as Aggref);
      return;
    }
    if (n.type === 'SubPlan') {
      const sp = e as Extract<Expr, { type: 'SubPlan' }>;
      walk(sp.args);
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

/** One aggregate call's compiled inputs. */
class PerAgg {
  readonly trans: AggTransition;
  readonly args: ExprState[];
  readonly filter: ExprState | null;
  readonly argBuf: unknown[];
  /** DISTINCT / ORDER BY: rows are collected and sorted at group end. */
  readonly sorted: boolean;
  readonly sortCompare: ((a: unknown[], b: unknown[]) => number) | null;
  readonly distinctEqual: ((a: unknown[], b: unknown[]) => boolean) | null;

  constructor(a: Aggref, parent: PlanState, estate: EState) {
    this.trans = new AggTransition(a.aggfnoid, estate.fmgr, a.args.map((t) => exprType(t.expr)));
    this.args = a.args.map((t) => ExecInitExpr(t.expr, parent, estate));
    this.filter = a.aggfilter !== null ? ExecInitExpr(a.aggfilter, parent, estate) : null;
    this.argBuf = new Array<unknown>(a.args.length).fill(null);
    this.sorted = a.aggorder.length > 0 || a.aggdistinct.length > 0;
    const argIndex = (c: SortGroupClause): number => {
      const i = a.args.findIndex((t) => t.ressortgroupref === c.tleSortGroupRef);
      if (i < 0) throw new PgError(SQLSTATE.internal_error, 'aggregate ORDER BY / DISTINCT column not in its arguments');
      return i;
    };
    if (this.sorted) {
      const keys = [...a.aggorder, ...a.aggdistinct];
      const cols = keys.map(argIndex);
      const cmps = keys.map((k) => sortComparator(k.sortop, k.nulls_first));
      this.sortCompare = (x, y) => {
        for (let i = 0; i < cols.length; i++) {
          const c = cmps[i](x[cols[i]], y[cols[i]]);
          if (c !== 0) return c;
        }
        return 0;
      };
    } else {
      this.sortCompare = null;
    }
    if (a.aggdistinct.length > 0) {
      const cols = a.aggdistinct.map(argIndex);
      const eqs = a.aggdistinct.map((k) => equalityFn(k.eqop));
      this.distinctEqual = (x, y) => {
        for (let i = 0; i < cols.length; i++) {
          const u = x[cols[i]];
          const v = y[cols[i]];
          if (u === null || v === null) {
            if (u !== v) return false;
          } else if (!eqs[i](u, v)) {
            return false;
          }
        }
        return true;
      };
    } else {
      this.distinctEqual = null;
    }
  }
}

/** One group's working state. */
interface GroupData {
  /** The group's first input row (grouping columns for the output). */
  rep: unknown[];
  states: AggGroupState[];
  /** DISTINCT / ORDER BY aggregates: their argument rows, by aggregate. */
  collected: (unknown[][] | null)[];
}

export class AggState extends GeneratorPlanState<Agg> {
  private readonly child: PlanState;
  private readonly aggs: PerAgg[];
  /** aggno of each PerAgg. */
  private readonly aggnos: number[];
  private readonly inputEc: ExprContext;
  private readonly repSlot: TupleTableSlot;
  private readonly slot: TupleTableSlot;
  private readonly project: () => void;
  private readonly qual: (ec: ExprContext) => boolean;
  private readonly mem: MemoryAccount;
  private readonly groupEqual: ((a: readonly unknown[], b: readonly unknown[]) => boolean) | null;
  private readonly keyer: TupleKeyer | null;
  private readonly grpCols: number[];

  constructor(plan: Agg, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null) throw new Error('Agg without a child');
    if (plan.aggstrategy === 'AGG_MIXED') throw new PgError(SQLSTATE.feature_not_supported, 'GROUPING SETS are not supported');
    this.child = ExecInitNode(plan.lefttree, estate);
    this.inputEc = new ExprContext(estate);
    const refs = collectAggrefs([plan.targetlist, plan.qual]);
    const byNo = new Map<number, Aggref>();
    for (const r of refs) if (!byNo.has(r.aggno)) byNo.set(r.aggno, r);
    this.aggnos = [...byNo.keys()];
    this.aggs = [...byNo.values()].map((a) => new PerAgg(a, this, estate));
    const width = plan.lefttree.targetlist.length;
    this.repSlot = new TupleTableSlot(width);
    this.econtext.outertuple = this.repSlot;
    this.econtext.aggvalues = new Array<unknown>(Math.max(0, ...this.aggnos) + 1).fill(null);
    this.slot = new TupleTableSlot(plan.targetlist.length);
    this.project = ExecBuildProjectionInfo(plan.targetlist, this.econtext, this.slot, this, estate);
    this.qual = ExecInitQual(plan.qual, this, estate);
    this.mem = new MemoryAccount(estate, plan.aggstrategy === 'AGG_HASHED' ? 'HashAggregate' : 'Aggregate');
    this.grpCols = plan.grpColIdx.map((c) => c - 1);
    this.groupEqual = plan.aggstrategy === 'AGG_SORTED' ? groupEqualityFn(plan.grpColIdx, plan.grpOperators) : null;
    // A scan below with a physical target list need not deform the columns no aggregate, grouping column or output reads.
    if (limitsOutputColumns(this.child)) {
      const grpMax = plan.grpColIdx.reduce((m, c) => Math.max(m, c), 0);
      this.child.limitOutputColumns(Math.max(grpMax, scanAttsNeeded([plan.targetlist, plan.qual], OUTER_VAR, width)));
    }
    this.keyer = plan.aggstrategy === 'AGG_HASHED' ? new TupleKeyer(plan.grpColIdx.map((c) => exprType((plan.lefttree as Agg['lefttree'] & object).targetlist[c - 1].expr))) : null;
  }

  private newGroup(rep: unknown[]): GroupData {
    return {
      rep,
      states: this.aggs.map((a) => a.trans.init()),
      collected: this.aggs.map((a) => (a.sorted ? [] : null)),
    };
  }

  /** Feeds the input row now in inputEc.outertuple to every aggregate of the group. */
  private advance(g: GroupData): void {
    const ec = this.inputEc;
    const aggs = this.aggs;
    for (let i = 0; i < aggs.length; i++) {
      const a = aggs[i];
      if (a.filter !== null && a.filter(ec) !== true) continue;
      const buf = a.argBuf;
      for (let j = 0; j < buf.length; j++) buf[j] = a.args[j](ec);
      const coll = g.collected[i];
      if (coll !== null) {
        const row = buf.slice();
        this.mem.addRow(row);
        coll.push(row);
      } else {
        a.trans.advance(g.states[i], buf);
      }
    }
  }

  /** Finishes a group: sorted aggregates are fed now, then final values go to aggvalues. Returns the output slot or null (HAVING). */
  private finish(g: GroupData): TupleTableSlot | null {
    const aggvalues = this.econtext.aggvalues;
    for (let i = 0; i < this.aggs.length; i++) {
      const a = this.aggs[i];
      const coll = g.collected[i];
      if (coll !== null) {
        coll.sort(a.sortCompare as (x: unknown[], y: unknown[]) => number);
        let prev: unknown[] | null = null;
        for (const row of coll) {
          if (a.distinctEqual !== null && prev !== null && a.distinctEqual(prev, row)) continue;
          prev = row;
          a.trans.advance(g.states[i], row);
        }
      }
      aggvalues[this.aggnos[i]] = a.trans.final(g.states[i]);
    }
    const rv = this.repSlot.values;
    for (let i = 0; i < rv.length; i++) rv[i] = i < g.rep.length ? g.rep[i] : null;
    if (!this.qual(this.econtext)) {
      if (this.instrument !== null) this.instrument.nfiltered1++;
      return null;
    }
    this.project();
    return this.slot;
  }

  private *runPlain(): Generator<TupleTableSlot> {
    let g: GroupData | null = null;
    for (let s = this.child.next(); s !== null; s = this.child.next()) {
      if (g === null) g = this.newGroup(s.copyValues());
      this.inputEc.outertuple = s;
      this.advance(g);
    }
    // No input rows: one row of the aggregates' initial values (count(*) = 0).
    g ??= this.newGroup([]);
    const out = this.finish(g);
    if (out !== null) yield out;
  }

  private *runSorted(): Generator<TupleTableSlot> {
    const eq = this.groupEqual as (a: readonly unknown[], b: readonly unknown[]) => boolean;
    let g: GroupData | null = null;
    for (let s = this.child.next(); s !== null; s = this.child.next()) {
      if (g !== null && !eq(s.values, g.rep)) {
        const done = g;
        g = null;
        const next = this.newGroup(s.copyValues());
        this.mem.reset();
        const out = this.finish(done);
        g = next;
        this.inputEc.outertuple = s;
        if (out !== null) {
          // The child slot stays valid while we yield: advance after resuming.
          yield out;
        }
        this.inputEc.outertuple = s;
        this.advance(g);
        continue;
      }
      if (g === null) g = this.newGroup(s.copyValues());
      this.inputEc.outertuple = s;
      this.advance(g);
    }
    if (g !== null) {
      const out = this.finish(g);
      if (out !== null) yield out;
    }
  }

  private *runHashed(): Generator<TupleTableSlot> {
    const keyer = this.keyer as TupleKeyer;
    const cols = this.grpCols;
    const groups = new Map<HashKey, GroupData>();
    const perGroupBytes = 64 + 48 * this.aggs.length;
    for (let s = this.child.next(); s !== null; s = this.child.next()) {
      const key = keyer.key(s.values, cols, true) as HashKey;
      let g = groups.get(key);
      if (g === undefined) {
        g = this.newGroup(s.copyValues());
        this.mem.addRow(g.rep);
        this.mem.add(perGroupBytes);
        groups.set(key, g);
      }
      this.inputEc.outertuple = s;
      this.advance(g);
    }
    if (this.instrument !== null) {
      this.instrument.extra.set('Batches', 1);
      this.instrument.extra.set('Memory Usage', `${this.mem.kB}kB`);
    }
    for (const g of groups.values()) {
      const out = this.finish(g);
      if (out !== null) yield out;
    }
  }

  protected start(): Generator<TupleTableSlot> {
    this.mem.reset();
    switch (this.plan.aggstrategy) {
      case 'AGG_PLAIN':
        return this.runPlain();
      case 'AGG_SORTED':
        return this.runSorted();
      default:
        return this.runHashed();
    }
  }

  children(): PlanState[] {
    return [this.child];
  }
}
