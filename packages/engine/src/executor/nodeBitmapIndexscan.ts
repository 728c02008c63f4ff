/*
 * nodeBitmapIndexscan.ts — BitmapIndexScan (PostgreSQL's
 * nodeBitmapIndexscan.c): the index half of a bitmap scan. It returns no
 * rows through next(); the BitmapHeapScan above asks it for a cursor over
 * the matching heap rows (MultiExecBitmapIndexScan's role), built from its
 * index quals evaluated now (they may read PARAM_EXEC values), and counts
 * what it found for EXPLAIN ANALYZE.
 *
 * Exports: BitmapIndexScanState
 */

import type { IndexRelation } from '../access/nbtree/nbtree.ts';
import type { ScanKey } from '../access/nbtree/nbtutils.ts';
import type { BitmapIndexScan } from '../nodes/plannodes.ts';
import { elog } from '../utils/errors.ts';
import type { EState, PlanState, TupleTableSlot } from './execnodes.ts';
import { PlanStateBase } from './execUtils.ts';
import { beginIndexCursor, indexRelationOf, IndexKeyBuilder, type IndexScanCursor } from './nodeIndexscan.ts';

export class BitmapIndexScanState extends PlanStateBase<BitmapIndexScan> {
  private readonly index: IndexRelation;
  private readonly keys: IndexKeyBuilder;
  private cursor: IndexScanCursor | null = null;

  constructor(plan: BitmapIndexScan, estate: EState) {
    super(plan, estate);
    this.index = indexRelationOf(estate, plan.scanrelid, plan.indexid);
    this.keys = new IndexKeyBuilder(plan.indexqual, this, estate, this.index);
  }

  /** The key sets of this run (several for `= ANY (array)`); [] when nothing can match. */
  keySets(): ScanKey[][] {
    if (this.instrument !== null) this.instrument.nloops++;
    return this.keys.build(this.econtext);
  }

  /** A cursor over the heap rows matching one key set; reused across key sets and rescans. */
  /** natts: the leading heap attributes the Bitmap Heap Scan above reads (undefined: all). */
  open(keys: ScanKey[], natts?: number): IndexScanCursor {
    if (this.cursor === null) this.cursor = beginIndexCursor(this.estate.engine, this.index, keys, 'ForwardScanDirection', false, natts);
    else this.cursor.rescan(keys, 'forward');
    return this.cursor;
  }

  /** Counts a row found (EXPLAIN ANALYZE's rows of the Bitmap Index Scan). */
  found(): void {
    if (this.instrument !== null) this.instrument.ntuples++;
  }

  next(): TupleTableSlot | null {
    return elog('Bitmap Index Scan does not return rows (BitmapHeapScan reads it)');
  }

  rescan(): void {}

  end(): void {
    const c = this.cursor;
    this.cursor = null;
    if (c !== null) c.end();
  }

  children(): PlanState[] {
    return [];
  }
}
