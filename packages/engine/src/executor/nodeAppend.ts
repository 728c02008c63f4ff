/*
 * nodeAppend.ts — Append (PostgreSQL's nodeAppend.c): the rows of each
 * child in turn (UNION ALL, and the inputs of set operations). Children
 * produce rows of the same shape; Append returns their slots as they are.
 *
 * Exports: AppendState
 */

import type { Append } from '../nodes/plannodes.ts';
import type { EState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ExecInitNode } from './execProcnode.ts';
import { PlanStateBase } from './execUtils.ts';

export class AppendState extends PlanStateBase<Append> {
  private readonly subs: PlanState[];
  private which = 0;

  constructor(plan: Append, estate: EState) {
    super(plan, estate);
    this.subs = plan.appendplans.map((p) => ExecInitNode(p, estate));
  }

  next(): TupleTableSlot | null {
    while (this.which < this.subs.length) {
      const row = this.subs[this.which].next();
      if (row !== null) return row;
      this.which++;
    }
    return null;
  }

  rescan(): void {
    // Children already read must start over; unread ones rescan cheaply.
    for (const s of this.subs) s.rescan();
    this.which = 0;
  }

  end(): void {
    for (const s of this.subs) s.end();
  }

  children(): PlanState[] {
    return this.subs;
  }
}
