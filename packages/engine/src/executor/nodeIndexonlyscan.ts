/*
 * nodeIndexonlyscan.ts — IndexOnlyScan (PostgreSQL's nodeIndexonlyscan.c):
 * answers from the index's own columns. The scan row is the index tuple
 * (indextlist); the target list and qual read it with INDEX_VAR. The
 * storage engine visits the heap only for pages not marked all-visible;
 * those visits are EXPLAIN ANALYZE's "Heap Fetches". Keys and cursor
 * handling are IndexScan's (nodeIndexscan.ts IndexScanBase).
 *
 * Exports: IndexOnlyScanState
 */

import type { IndexOnlyScan } from '../nodes/plannodes.ts';
import { INDEX_VAR } from '../nodes/primnodes.ts';
import type { EState } from './execnodes.ts';
import { ScanProjection } from './execScan.ts';
import { IndexScanBase } from './nodeIndexscan.ts';

export class IndexOnlyScanState extends IndexScanBase<IndexOnlyScan> {
  protected readonly scan: ScanProjection;

  constructor(plan: IndexOnlyScan, estate: EState) {
    super(plan, estate, true);
    this.scan = new ScanProjection(this, plan, estate, this.econtext, INDEX_VAR, plan.indextlist.length);
  }
}
