/*
 * nodeLockRows.ts — LockRows (PostgreSQL's nodeLockRows.c) for SELECT ...
 * FOR UPDATE / FOR SHARE.
 *
 * tabgres runs one backend today, so no other transaction can hold or wait
 * for a row lock: this node passes its child's rows through unchanged. Row
 * locks (heap_lock_tuple, waiting, NOWAIT / SKIP LOCKED) arrive with the
 * worker-backends issue, and this node will take them then.
 *
 * Exports: LockRowsState
 */

import type { LockRows } from '../nodes/plannodes.ts';
import type { EState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ExecInitNode } from './execProcnode.ts';
import { PlanStateBase } from './execUtils.ts';

export class LockRowsState extends PlanStateBase<LockRows> {
  private readonly child: PlanState;

  constructor(plan: LockRows, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null) throw new Error('LockRows without a child');
    this.child = ExecInitNode(plan.lefttree, estate);
  }

  next(): TupleTableSlot | null {
    return this.child.next();
  }

  rescan(): void {
    this.child.rescan();
  }

  end(): void {
    this.child.end();
  }

  children(): PlanState[] {
    return [this.child];
  }
}
