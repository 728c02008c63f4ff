/*
 * nodeMaterial.ts — Material (PostgreSQL's nodeMaterial.c): keeps the rows
 * its child returns, as it returns them, so a rescan (the inner side of a
 * nested loop) replays them without running the child again. If the child
 * reads PARAM_EXEC values, a rescan must run it again instead.
 *
 * Memory: the kept rows count against work_mem (53200 past it; PostgreSQL
 * would continue in a temporary file).
 *
 * Exports: MaterialState
 */

import type { Material } from '../nodes/plannodes.ts';
import type { EState, PlanState } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { ExecInitNode } from './execProcnode.ts';
import { MemoryAccount, PlanStateBase, rescanRerunsInput } from './execUtils.ts';

export class MaterialState extends PlanStateBase<Material> {
  private readonly child: PlanState;
  private readonly slot: TupleTableSlot;
  private readonly mem: MemoryAccount;
  private readonly childReadsParams: boolean;
  private rows: unknown[][] = [];
  private eof = false;
  private pos = 0;

  constructor(plan: Material, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null) throw new Error('Material without a child');
    this.child = ExecInitNode(plan.lefttree, estate);
    this.slot = new TupleTableSlot(plan.lefttree.targetlist.length);
    this.mem = new MemoryAccount(estate, 'Materialize');
    this.childReadsParams = rescanRerunsInput(plan.lefttree, estate);
  }

  next(): TupleTableSlot | null {
    if (this.pos < this.rows.length) {
      this.slot.values = this.rows[this.pos++];
      return this.slot;
    }
    if (this.eof) return null;
    const s = this.child.next();
    if (s === null) {
      this.eof = true;
      return null;
    }
    const v = s.copyValues();
    this.mem.addRow(v);
    this.rows.push(v);
    this.pos++;
    this.slot.values = v;
    if (this.instrument !== null) this.instrument.extra.set('Storage', `Memory  Maximum Storage: ${this.mem.kB}kB`);
    return this.slot;
  }

  rescan(): void {
    this.pos = 0;
    if (this.childReadsParams) {
      this.rows = [];
      this.mem.reset();
      this.eof = false;
      this.child.rescan();
    }
  }

  end(): void {
    this.rows = [];
    this.child.end();
  }

  children(): PlanState[] {
    return [this.child];
  }
}
