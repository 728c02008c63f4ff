/*
 * nbtree.ts — the B-tree index access method's interface (PostgreSQL's
 * nbtree.c: bthandler's routines). Everything the SQL layer, VACUUM and the
 * crash tests use is exported from here; README.md explains the design.
 *
 * Exports:
 *   relation     makeIndexRelation, IndexRelation, IndexKeyColumn, INDOPTION_*
 *   environment  BtEnv, BtWal, BtXidHorizon, BtVacuumCycles, LocalVacuumCycles,
 *                SharedVacuumCycles, btVacuumShmemSize, UniqueCheckHeap, DirtyFetch,
 *                UniqueCheckMode
 *   build        btbuild, btbuildempty, IndexBuildScan, IndexBuildCallback, IndexBuildResult
 *   insert       btinsert
 *   scan         btbeginscan, BTScan, ScanKey, ScanKeyOp, ScanDirection, BTScanOptions
 *   errors       btBuildIndexValueDescription (the "(a)=(1)" of a DETAIL)
 *   vacuum       btbulkdelete, btvacuumcleanup, IndexBulkDeleteResult, BulkDeleteCallback
 *   statistics   btIndexStats, btgetrootheight, BtIndexStats
 *   checking     btIndexCheck, BtCheckOptions, BtCheckResult
 *   WAL          btreeRmgr (registered with the resource managers on import), btMaskPage
 */

import { pageGetMaxOffsetNumber } from '../../storage/page/bufpage.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import { elog } from '../../utils/errors.ts';
import type { Tid } from '../common/itemptr.ts';
import type { Relation } from '../heap/relation.ts';
import type { IndexRelation } from './indexrel.ts';
import { indexFormTuple, indexFormTupleInto, type IndexValue } from './itup.ts';
import type { BtEnv, UniqueCheckHeap, UniqueCheckMode } from './nbtenv.ts';
import { btDoInsert } from './nbtinsert.ts';
import { BT_READ, btCreateMetaPage, btGetRootHeight, btRelAndGetBuf, btRelBuf } from './nbtpage.ts';
import { btPageFirstDataKey, btPageIgnore, btpoNext } from './nbtpageops.ts';
import { BTScan, type BTScanOptions } from './nbtscan.ts';
import { btGetEndpoint } from './nbtsearch.ts';
import { btBuildFromScan, type IndexBuildResult, type IndexBuildScan } from './nbtsort.ts';
import { BTREE_MOVE_RIGHT_MAX, INDEX_SIZE_MASK, P_NONE } from './nbtree_constants.ts';
import type { ScanKey } from './nbtutils.ts';
import { btBulkDelete, btVacuumCleanup, type BulkDeleteCallback, type IndexBulkDeleteResult } from './nbtvacuum.ts';
import './nbtredo.ts';

export { makeIndexRelation, INDOPTION_DESC, INDOPTION_NULLS_FIRST } from './indexrel.ts';
export type { IndexRelation, IndexKeyColumn, MakeIndexOptions, BtMetaCache } from './indexrel.ts';
export { LocalVacuumCycles } from './nbtenv.ts';
export { SharedVacuumCycles, btVacuumShmemSize } from './nbtvacstate.ts';
export type { BtEnv, BtWal, BtXidHorizon, BtVacuumCycles, UniqueCheckHeap, DirtyFetch, UniqueCheckMode } from './nbtenv.ts';
export type { IndexValue } from './itup.ts';
export { BTScan } from './nbtscan.ts';
export type { ScanDirection, BTScanOptions } from './nbtscan.ts';
export type { ScanKey, ScanKeyOp } from './nbtutils.ts';
export { btBuildIndexValueDescription } from './nbtutils.ts';
export type { IndexBuildCallback, IndexBuildScan, IndexBuildResult } from './nbtsort.ts';
export type { IndexBulkDeleteResult, BulkDeleteCallback } from './nbtvacuum.ts';
export { btIndexCheck } from './nbtcheck.ts';
export type { BtCheckOptions, BtCheckResult } from './nbtcheck.ts';
export { btreeRmgr, btMaskPage } from './nbtredo.ts';

/**
 * ambuild: builds a new, empty (zero-block) index from the rows `scan`
 * offers, bottom-up. The caller has created the relation's main fork.
 */
export function btbuild(index: IndexRelation, env: BtEnv, scan: IndexBuildScan, heapRel: Relation | null = null): IndexBuildResult {
  return btBuildFromScan(index, env, scan, heapRel);
}

/** ambuildempty: an index with only its metapage (the root is made by the first insert). */
export function btbuildempty(index: IndexRelation, env: BtEnv): void {
  btCreateMetaPage(index, env, P_NONE, 0);
  index.amcache = null;
  index.targetBlock = -1;
}

/**
 * aminsert: adds the entry (values in index column order, null or
 * isnull[i] for NULL) for the heap row at heapTid. For a unique index the
 * default check is 'yes'; `heap` answers the check's questions about
 * conflicting rows. Returns false only when a 'partial' check saw a
 * possible conflict.
 */
export function btinsert(
  index: IndexRelation,
  env: BtEnv,
  values: readonly IndexValue[],
  isnull: readonly boolean[] | null,
  heapTid: Tid,
  heap: UniqueCheckHeap | null,
  checkUnique: UniqueCheckMode = index.unique ? 'yes' : 'no',
): boolean {
  if (values.length < index.nkeyatts) elog(`btinsert got ${values.length} values for ${index.nkeyatts} index columns`);
  const vals = isnull === null ? values : values.map((v, i) => (isnull[i] ? null : v));
  if (insertScratchBusy) return btDoInsert(index, env, indexFormTuple(index.desc, vals, heapTid), heap, checkUnique);
  // The tuple is formed into a scratch kept for the backend: everything
  // btDoInsert does with it copies it (onto the page, into the WAL record,
  // into a split's pages) before it returns. A nested insert (none today)
  // would form its own copy.
  insertScratchBusy = true;
  try {
    indexFormTupleInto(index.desc, vals, heapTid, insertScratch, 0);
    return btDoInsert(index, env, insertScratch, heap, checkUnique, insertScratchView);
  } finally {
    insertScratchBusy = false;
  }
}

/** btinsert's tuple scratch (an index tuple is at most INDEX_SIZE_MASK bytes) and its DataView. */
const insertScratch = new Uint8Array(INDEX_SIZE_MASK + 1);
const insertScratchView = new DataView(insertScratch.buffer);
let insertScratchBusy = false;

/**
 * ambeginscan + amrescan: a scan returning the heap TIDs of the entries
 * that satisfy every key, in index order (or reverse), and with
 * options.indexOnly their key values too.
 */
export function btbeginscan(index: IndexRelation, env: BtEnv, keys: readonly ScanKey[], options: BTScanOptions = {}): BTScan {
  return new BTScan(index, env, keys, options);
}

/** ambulkdelete: removes the entries of dead heap rows (a set of TIDs or a predicate). */
export function btbulkdelete(
  index: IndexRelation,
  env: BtEnv,
  dead: BulkDeleteCallback | ReadonlySet<Tid>,
  stats: IndexBulkDeleteResult | null = null,
): IndexBulkDeleteResult {
  return btBulkDelete(index, env, dead, stats);
}

/** amvacuumcleanup: counts the index and recycles deleted pages. */
export function btvacuumcleanup(index: IndexRelation, env: BtEnv, stats: IndexBulkDeleteResult | null): IndexBulkDeleteResult {
  return btVacuumCleanup(index, env, stats);
}

/** What the planner needs to cost scans of the index. */
export interface BtIndexStats {
  /** Blocks in the index, metapage included (pg_class.relpages). */
  pages: number;
  /** Entries on the leaf level, LP_DEAD ones included (pg_class.reltuples). */
  tuples: number;
  /** Levels above the leaves that a descent reads (_bt_getrootheight; 0 for a one-page tree). */
  height: number;
  leafPages: number;
}

/** _bt_getrootheight: the fast root's level. */
export function btgetrootheight(index: IndexRelation, env: BtEnv): number {
  return btGetRootHeight(index, env);
}

/**
 * Page and tuple counts for the planner, walking the leaf level left to
 * right (VACUUM and ANALYZE store these in pg_class).
 */
export function btIndexStats(index: IndexRelation, env: BtEnv): BtIndexStats {
  const pages = env.bufmgr.nblocks(index.locator, ForkNumber.MAIN);
  if (pages === 0) return { pages: 0, tuples: 0, height: 0, leafPages: 0 };
  const height = btGetRootHeight(index, env);
  let buf = btGetEndpoint(index, env, 0, false);
  let tuples = 0;
  let leafPages = 0;
  for (let hops = 0; buf !== 0; hops++) {
    if (hops > BTREE_MOVE_RIGHT_MAX) elog(`leaf level of index "${index.name}" does not end`);
    const page = env.bufmgr.getPage(buf);
    if (!btPageIgnore(page)) {
      leafPages++;
      tuples += Math.max(0, pageGetMaxOffsetNumber(page) - btPageFirstDataKey(page) + 1);
    }
    const next = btpoNext(page);
    if (next === P_NONE) {
      btRelBuf(env, buf);
      break;
    }
    buf = btRelAndGetBuf(index, env, buf, next, BT_READ);
  }
  return { pages, tuples, height, leafPages };
}
