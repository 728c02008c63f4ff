/*
 * nodeMergejoin.ts — MergeJoin (PostgreSQL's nodeMergejoin.c): both inputs
 * arrive sorted on the merge keys; the join walks them together.
 *
 * Instead of PostgreSQL's mark/restore on the inner plan, the inner rows of
 * the current key (one "group") are copied aside, so consecutive outer rows
 * with the same key join against the group without rereading the inner
 * side. Rows with a NULL merge key never match: on either side they are
 * unmatched rows (returned by the outer joins that keep them).
 *
 * Join types: INNER, LEFT, RIGHT, FULL, SEMI, ANTI.
 *
 * Exports: MergeJoinState
 */

import type { MergeJoin } from '../nodes/plannodes.ts';
import type { Expr } from '../nodes/primnodes.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import type { EState, ExprContext, ExprState, PlanState } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { ExecBuildProjectionInfo, ExecInitExpr, ExecInitQual } from './execExpr.ts';
import { opfamilyComparator } from './execGrouping.ts';
import { ExecInitNode } from './execProcnode.ts';
import { MemoryAccount, GeneratorPlanState } from './execUtils.ts';

interface InnerGroup {
  keys: unknown[];
  rows: unknown[][];
  matched: boolean[];
}

export class MergeJoinState extends GeneratorPlanState<MergeJoin> {
  private readonly outer: PlanState;
  private readonly inner: PlanState;
  private readonly outerKeys: ExprState[];
  private readonly innerKeys: ExprState[];
  private readonly cmps: ((a: unknown, b: unknown) => number)[];
  private readonly joinqual: (ec: ExprContext) => boolean;
  private readonly otherqual: (ec: ExprContext) => boolean;
  private readonly project: () => void;
  private readonly slot: TupleTableSlot;
  private readonly innerSlot: TupleTableSlot;
  private readonly nullInner: TupleTableSlot;
  private readonly nullOuter: TupleTableSlot;
  private readonly mem: MemoryAccount;

  constructor(plan: MergeJoin, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null || plan.righttree === null) throw new Error('MergeJoin needs two children');
    this.outer = ExecInitNode(plan.lefttree, estate);
    this.inner = ExecInitNode(plan.righttree, estate);
    const sides = plan.mergeclauses.map((c): [Expr, Expr, number] => {
      if (c.type !== 'OpExpr' || c.args.length !== 2) throw new PgError(SQLSTATE.feature_not_supported, 'merge clause is not a binary operator');
      return [c.args[0], c.args[1], c.opno];
    });
    this.outerKeys = sides.map(([o]) => ExecInitExpr(o, this, estate));
    this.innerKeys = sides.map(([, i]) => ExecInitExpr(i, this, estate));
    this.cmps = sides.map(([, , opno], k) => {
      const c = opfamilyComparator(opno);
      return plan.mergeReversed[k] === true ? (a: unknown, b: unknown) => c(b, a) : c;
    });
    this.joinqual = ExecInitQual(plan.joinqual, this, estate);
    this.otherqual = ExecInitQual(plan.qual, this, estate);
    this.slot = new TupleTableSlot(plan.targetlist.length);
    this.project = ExecBuildProjectionInfo(plan.targetlist, this.econtext, this.slot, this, estate);
    this.innerSlot = new TupleTableSlot(plan.righttree.targetlist.length);
    this.nullInner = new TupleTableSlot(plan.righttree.targetlist.length);
    this.nullOuter = new TupleTableSlot(plan.lefttree.targetlist.length);
    this.mem = new MemoryAccount(estate, 'Merge Join');
  }

  /** Compares two non-null key vectors in the merge order. */
  private compareKeys(a: readonly unknown[], b: readonly unknown[]): number {
    for (let i = 0; i < this.cmps.length; i++) {
      const c = this.cmps[i](a[i], b[i]);
      if (c !== 0) return c;
    }
    return 0;
  }

  private evalKeys(fs: ExprState[], out: unknown[]): boolean {
    const ec = this.econtext;
    let hasNull = false;
    for (let i = 0; i < fs.length; i++) {
      const v = fs[i](ec);
      out[i] = v;
      if (v === null) hasNull = true;
    }
    return !hasNull;
  }

  private emit(): TupleTableSlot | null {
    if (this.otherqual(this.econtext)) {
      this.project();
      return this.slot;
    }
    if (this.instrument !== null) this.instrument.nfiltered2++;
    return null;
  }

  private *run(): Generator<TupleTableSlot> {
    const jt = this.plan.jointype;
    const keepOuter = jt === 'JOIN_LEFT' || jt === 'JOIN_FULL' || jt === 'JOIN_ANTI';
    const keepInner = jt === 'JOIN_RIGHT' || jt === 'JOIN_FULL';
    const isSemi = jt === 'JOIN_SEMI';
    const isAnti = jt === 'JOIN_ANTI';
    const ec = this.econtext;
    const nk = this.cmps.length;
    const okeys = new Array<unknown>(nk);
    // The next inner row not yet in a group: copied values and keys.
    let pending: { row: unknown[]; keys: unknown[]; ok: boolean } | null = null;
    let innerDone = false;
    const fetchInner = (): void => {
      const s = this.inner.next();
      if (s === null) {
        pending = null;
        innerDone = true;
        return;
      }
      const row = s.copyValues();
      this.innerSlot.values = row;
      ec.innertuple = this.innerSlot;
      const keys = new Array<unknown>(nk);
      const ok = this.evalKeys(this.innerKeys, keys);
      pending = { row, keys, ok };
    };
    const unmatchedInner = (rows: unknown[][], matched: boolean[] | null): Generator<TupleTableSlot> => this.unmatchedInner(keepInner, rows, matched);
    let group: InnerGroup | null = null;
    fetchInner();
    for (let o = this.outer.next(); o !== null; o = this.outer.next()) {
      this.estate.checkInterrupts();
      ec.outertuple = o;
      const outerOk = this.evalKeys(this.outerKeys, okeys);
      let matched = false;
      if (outerOk) {
        // Advance the inner side past keys below this outer key.
        for (;;) {
          if (group !== null) {
            const c = this.compareKeys(group.keys, okeys);
            if (c >= 0) break;
            yield* unmatchedInner(group.rows, group.matched);
            this.mem.reset();
            group = null;
            continue;
          }
          if (innerDone || pending === null) break;
          const p: { row: unknown[]; keys: unknown[]; ok: boolean } = pending;
          if (!p.ok) {
            yield* unmatchedInner([p.row], null);
            fetchInner();
            continue;
          }
          // Form the group of inner rows equal to p's key.
          const g: InnerGroup = { keys: p.keys, rows: [p.row], matched: [false] };
          this.mem.addRow(p.row);
          for (;;) {
            fetchInner();
            const q = pending as { row: unknown[]; keys: unknown[]; ok: boolean } | null;
            if (q === null || !q.ok || this.compareKeys(q.keys, g.keys) !== 0) break;
            this.mem.addRow(q.row);
            g.rows.push(q.row);
            g.matched.push(false);
          }
          group = g;
        }
        ec.outertuple = o;
        if (group !== null && this.compareKeys(group.keys, okeys) === 0) {
          const g: InnerGroup = group;
          for (let i = 0; i < g.rows.length; i++) {
            this.innerSlot.values = g.rows[i];
            ec.innertuple = this.innerSlot;
            ec.outertuple = o;
            if (!this.joinqual(ec)) {
              if (this.instrument !== null) this.instrument.nfiltered1++;
              continue;
            }
            matched = true;
            g.matched[i] = true;
            if (isAnti) break;
            const out = this.emit();
            if (out !== null) yield out;
            if (isSemi || this.plan.inner_unique) break;
          }
        }
      }
      if (!matched && keepOuter) {
        ec.outertuple = o;
        ec.innertuple = this.nullInner;
        const out = this.emit();
        if (out !== null) yield out;
      }
    }
    // The outer side ended: what is left of the inner side is unmatched.
    if (group !== null) yield* unmatchedInner(group.rows, group.matched);
    if (keepInner) {
      while (pending !== null) {
        const p: { row: unknown[] } = pending;
        yield* unmatchedInner([p.row], null);
        fetchInner();
      }
    }
  }

  /** Unmatched inner rows, returned with NULL outer columns (RIGHT/FULL). */
  private *unmatchedInner(keepInner: boolean, rows: unknown[][], matched: boolean[] | null): Generator<TupleTableSlot> {
    if (!keepInner) return;
    const ec = this.econtext;
    for (let i = 0; i < rows.length; i++) {
      if (matched !== null && matched[i]) continue;
      this.innerSlot.values = rows[i];
      ec.innertuple = this.innerSlot;
      ec.outertuple = this.nullOuter;
      const out = this.emit();
      if (out !== null) yield out;
    }
  }

  protected start(): Generator<TupleTableSlot> {
    return this.run();
  }

  protected override onRescan(): void {
    this.mem.reset();
  }

  children(): PlanState[] {
    return [this.outer, this.inner];
  }
}
