/*
 * nodeSetOp.ts — SetOp (PostgreSQL's nodeSetOp.c, the form before
 * PostgreSQL 18): INTERSECT [ALL] and EXCEPT [ALL] over the Append of both
 * inputs, each row carrying a flag column saying which input it came from
 * (0 = left, 1 = right).
 *
 * Per group of equal rows (NULLs equal, as set operations treat them):
 *   INTERSECT       one row if both sides have it
 *   INTERSECT ALL   min(left, right) rows
 *   EXCEPT          one row if only the left side has it
 *   EXCEPT ALL      max(left - right, 0) rows
 *
 * SETOP_SORTED reads input sorted on the columns and counts each run;
 * SETOP_HASHED counts in a hash table (only groups first seen in the input
 * read first — firstFlag — can produce rows, so the other input only
 * updates existing groups). The returned rows are the group's first row,
 * flag column included, as the child produced them.
 *
 * Memory: hashed groups count against work_mem (53200 past it).
 *
 * Exports: SetOpState
 */

import type { SetOp } from '../nodes/plannodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import type { EState, PlanState } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { groupEqualityFn, TupleKeyer, type HashKey } from './execGrouping.ts';
import { ExecInitNode } from './execProcnode.ts';
import { MemoryAccount, GeneratorPlanState } from './execUtils.ts';

interface Counts {
  row: unknown[];
  numLeft: number;
  numRight: number;
}

export class SetOpState extends GeneratorPlanState<SetOp> {
  private readonly child: PlanState;
  private readonly slot: TupleTableSlot;
  private readonly mem: MemoryAccount;
  private readonly flagCol: number;

  constructor(plan: SetOp, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null) throw new Error('SetOp without a child');
    this.child = ExecInitNode(plan.lefttree, estate);
    this.slot = new TupleTableSlot(plan.lefttree.targetlist.length);
    this.mem = new MemoryAccount(estate, 'SetOp');
    this.flagCol = plan.flagColIdx - 1;
  }

  /** How many copies of a group to return. */
  private copies(c: Counts): number {
    switch (this.plan.cmd) {
      case 'SETOPCMD_INTERSECT':
        return c.numLeft > 0 && c.numRight > 0 ? 1 : 0;
      case 'SETOPCMD_INTERSECT_ALL':
        return Math.min(c.numLeft, c.numRight);
      case 'SETOPCMD_EXCEPT':
        return c.numLeft > 0 && c.numRight === 0 ? 1 : 0;
      case 'SETOPCMD_EXCEPT_ALL':
        return Math.max(c.numLeft - c.numRight, 0);
    }
  }

  private *emit(c: Counts): Generator<TupleTableSlot> {
    const k = this.copies(c);
    for (let i = 0; i < k; i++) {
      this.slot.values = c.row;
      yield this.slot;
    }
  }

  private count(c: Counts, flag: unknown): void {
    if (Number(flag) === 0) c.numLeft++;
    else c.numRight++;
  }

  private *runSorted(): Generator<TupleTableSlot> {
    const eq = groupEqualityFn(this.plan.dupColIdx, this.plan.dupOperators);
    let cur: Counts | null = null;
    for (let s = this.child.next(); s !== null; s = this.child.next()) {
      if (cur !== null && !eq(s.values, cur.row)) {
        const done: Counts = cur;
        cur = { row: s.copyValues(), numLeft: 0, numRight: 0 };
        this.count(cur, s.values[this.flagCol]);
        yield* this.emit(done);
        continue;
      }
      if (cur === null) cur = { row: s.copyValues(), numLeft: 0, numRight: 0 };
      this.count(cur, s.values[this.flagCol]);
    }
    if (cur !== null) yield* this.emit(cur);
  }

  private *runHashed(): Generator<TupleTableSlot> {
    const plan = this.plan;
    const childTl = (plan.lefttree as NonNullable<SetOp['lefttree']>).targetlist;
    const cols = plan.dupColIdx.map((c) => c - 1);
    const keyer = new TupleKeyer(plan.dupColIdx.map((c) => exprType(childTl[c - 1].expr)));
    const groups = new Map<HashKey, Counts>();
    this.mem.reset();
    for (let s = this.child.next(); s !== null; s = this.child.next()) {
      const flag = s.values[this.flagCol];
      const key = keyer.key(s.values, cols, true) as HashKey;
      let c = groups.get(key);
      if (c === undefined) {
        // Only the first input creates groups; a row only the second input has can never be returned.
        if (Number(flag) !== plan.firstFlag) continue;
        c = { row: s.copyValues(), numLeft: 0, numRight: 0 };
        this.mem.addRow(c.row);
        groups.set(key, c);
      }
      this.count(c, flag);
    }
    for (const c of groups.values()) yield* this.emit(c);
  }

  protected start(): Generator<TupleTableSlot> {
    return this.plan.strategy === 'SETOP_HASHED' ? this.runHashed() : this.runSorted();
  }

  children(): PlanState[] {
    return [this.child];
  }
}
