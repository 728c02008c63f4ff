/*
 * nodeRecursiveunion.ts — RecursiveUnion (PostgreSQL's
 * nodeRecursiveunion.c): WITH RECURSIVE.
 *
 *   1. return the non-recursive term's rows (lefttree), keeping them as the
 *      work table;
 *   2. run the recursive term (righttree) over the work table (its
 *      WorkTableScan), returning its rows and collecting them as the next
 *      work table;
 *   3. repeat 2 until an iteration produces no rows.
 *
 * UNION (numCols > 0) drops rows already returned, using a hash set of all
 * rows so far (NULLs equal); UNION ALL keeps everything. The work table and
 * the hash set count against work_mem, so a runaway recursion ends with
 * 53200 instead of exhausting memory.
 *
 * Exports: RecursiveUnionState
 */

import type { RecursiveUnion } from '../nodes/plannodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import type { EState, PlanState, TupleTableSlot } from './execnodes.ts';
import { TupleKeyer, type HashKey } from './execGrouping.ts';
import { ExecInitNode } from './execProcnode.ts';
import { executorPrivate, MemoryAccount, PlanStateBase, type WorkTable } from './execUtils.ts';

export class RecursiveUnionState extends PlanStateBase<RecursiveUnion> {
  private readonly left: PlanState;
  private readonly right: PlanState;
  private readonly worktable: WorkTable = { rows: [] };
  private readonly keyer: TupleKeyer | null;
  private readonly dupCols: number[];
  private readonly mem: MemoryAccount;
  private seen = new Set<HashKey>();
  private intermediate: unknown[][] = [];
  private phase: 'left' | 'right' | 'done' = 'left';
  private rightStarted = false;

  constructor(plan: RecursiveUnion, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null || plan.righttree === null) throw new Error('RecursiveUnion needs two children');
    // The work table must exist before the recursive term's WorkTableScan initializes.
    executorPrivate(estate).workTables.set(plan.wtParam, this.worktable);
    this.left = ExecInitNode(plan.lefttree, estate);
    this.right = ExecInitNode(plan.righttree, estate);
    const tl = plan.lefttree.targetlist;
    this.dupCols = plan.dupColIdx.map((c) => c - 1);
    this.keyer = plan.numCols > 0 ? new TupleKeyer(plan.dupColIdx.map((c) => exprType(tl[c - 1].expr))) : null;
    this.mem = new MemoryAccount(estate, 'Recursive Union');
  }

  /** Whether the row is new (UNION) — and remembers it. */
  private isNew(values: readonly unknown[]): boolean {
    if (this.keyer === null) return true;
    const k = this.keyer.key(values, this.dupCols, true) as HashKey;
    if (this.seen.has(k)) return false;
    this.seen.add(k);
    this.mem.add(typeof k === 'string' ? 40 + 2 * k.length : 40);
    return true;
  }

  next(): TupleTableSlot | null {
    for (;;) {
      this.estate.checkInterrupts();
      if (this.phase === 'left') {
        const s = this.left.next();
        if (s === null) {
          this.phase = 'right';
          continue;
        }
        if (!this.isNew(s.values)) continue;
        const v = s.copyValues();
        this.mem.addRow(v);
        this.intermediate.push(v);
        return s;
      }
      if (this.phase === 'done') return null;
      if (!this.rightStarted) {
        if (!this.startIteration()) return null;
      }
      const s = this.right.next();
      if (s === null) {
        this.rightStarted = false;
        continue;
      }
      if (!this.isNew(s.values)) continue;
      const v = s.copyValues();
      this.mem.addRow(v);
      this.intermediate.push(v);
      return s;
    }
  }

  /** Makes the rows of the last iteration the work table and restarts the recursive term; false when there were none. */
  private startIteration(): boolean {
    if (this.intermediate.length === 0) {
      this.phase = 'done';
      return false;
    }
    for (const r of this.worktable.rows) this.mem.add(-(32 + 8 * r.length));
    this.worktable.rows = this.intermediate;
    this.intermediate = [];
    this.right.rescan();
    this.rightStarted = true;
    return true;
  }

  rescan(): void {
    this.phase = 'left';
    this.rightStarted = false;
    this.seen = new Set();
    this.intermediate = [];
    this.worktable.rows = [];
    this.mem.reset();
    this.left.rescan();
    this.right.rescan();
  }

  end(): void {
    this.worktable.rows = [];
    this.seen = new Set();
    this.left.end();
    this.right.end();
  }

  children(): PlanState[] {
    return [this.left, this.right];
  }
}
