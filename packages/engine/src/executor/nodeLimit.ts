/*
 * nodeLimit.ts — Limit (PostgreSQL's nodeLimit.c): OFFSET and LIMIT /
 * FETCH FIRST [WITH TIES].
 *
 * The count and offset are evaluated once per scan, before the first row
 * (they may be params or initplan results). NULL means no limit / offset
 * 0; negative values raise 2201W / 2201X as PostgreSQL does. WITH TIES keeps
 * returning rows after the count while they equal the last counted row on
 * the ORDER BY columns. A Sort directly below is told how many rows will be
 * read (offset + count), so it keeps only those (nodeSort.ts).
 *
 * Exports: LimitState
 */

import type { Limit } from '../nodes/plannodes.ts';
import { PgError } from '../utils/errors.ts';
import type { EState, ExprState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ExecInitExpr } from './execExpr.ts';
import { groupEqualityFn } from './execGrouping.ts';
import { ExecInitNode } from './execProcnode.ts';
import { SortState } from './nodeSort.ts';
import { PlanStateBase } from './execUtils.ts';

function toCount(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : Number(v);
}

export class LimitState extends PlanStateBase<Limit> {
  private readonly child: PlanState;
  private readonly offsetExpr: ExprState | null;
  private readonly countExpr: ExprState | null;
  private readonly tieEqual: ((a: readonly unknown[], b: readonly unknown[]) => boolean) | null;
  private readonly lastRow: unknown[];
  private started = false;
  private offset = 0;
  private count = Infinity;
  private returned = 0;
  private done = false;

  constructor(plan: Limit, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null) throw new Error('Limit without a child');
    this.child = ExecInitNode(plan.lefttree, estate);
    this.offsetExpr = plan.limitOffset !== null ? ExecInitExpr(plan.limitOffset, this, estate) : null;
    this.countExpr = plan.limitCount !== null ? ExecInitExpr(plan.limitCount, this, estate) : null;
    this.tieEqual = plan.limitOption === 'LIMIT_OPTION_WITH_TIES' ? groupEqualityFn(plan.uniqColIdx, plan.uniqOperators) : null;
    this.lastRow = new Array<unknown>(plan.lefttree.targetlist.length).fill(null);
  }

  /** recompute_limits. */
  private start(): void {
    this.started = true;
    this.offset = 0;
    this.count = Infinity;
    if (this.offsetExpr !== null) {
      const v = this.offsetExpr(this.econtext);
      if (v !== null) {
        this.offset = toCount(v);
        if (this.offset < 0) throw new PgError('2201X', 'OFFSET must not be negative');
      }
    }
    if (this.countExpr !== null) {
      const v = this.countExpr(this.econtext);
      if (v !== null) {
        this.count = toCount(v);
        if (this.count < 0) throw new PgError('2201W', 'LIMIT must not be negative');
      }
    }
    this.returned = 0;
    this.done = this.count === 0 && this.tieEqual === null;
    // Tell a Sort below how many rows will be read (PostgreSQL's ExecSetTupleBound); WITH TIES may read more.
    if (this.child instanceof SortState) this.child.setBound(this.tieEqual === null ? this.offset + this.count : -1);
  }

  next(): TupleTableSlot | null {
    if (!this.started) this.start();
    if (this.done) return null;
    while (this.offset > 0) {
      this.estate.checkInterrupts();
      if (this.child.next() === null) {
        this.done = true;
        return null;
      }
      this.offset--;
    }
    if (this.returned >= this.count) {
      if (this.tieEqual === null || this.count === 0) {
        this.done = true;
        return null;
      }
      const s = this.child.next();
      if (s === null || !this.tieEqual(s.values, this.lastRow)) {
        this.done = true;
        return null;
      }
      return s;
    }
    const s = this.child.next();
    if (s === null) {
      this.done = true;
      return null;
    }
    this.returned++;
    if (this.tieEqual !== null && this.returned === this.count) {
      const v = s.values;
      for (let i = 0; i < this.lastRow.length; i++) this.lastRow[i] = v[i];
    }
    return s;
  }

  rescan(): void {
    this.started = false;
    this.done = false;
    this.child.rescan();
  }

  end(): void {
    this.child.end();
  }

  children(): PlanState[] {
    return [this.child];
  }
}
