/*
 * plancat.ts — what the planner reads from the catalog about a table
 * (PostgreSQL's optimizer/util/plancat.c): its size in pages and tuples,
 * its columns' average widths and its B-tree indexes.
 *
 * Exports: getRelationInfo(root, rel, relinfo), estimateRelSize.
 *
 * A table that was never vacuumed or analyzed (reltuples < 0) is sized as
 * PostgreSQL's table_block_relation_estimate_size does: the current number
 * of blocks (at least 10, so a new table is not planned as tiny) times the
 * tuples per page its column widths allow.
 */

import type { RelationInfo } from '../../utils/rel.ts';
import type { IndexOptInfo, PlannerInfo, RelOptInfo } from '../pathnodes.ts';
import { BLCKSZ, rint } from '../path/costsize.ts';
import { getTypavgwidth } from './lsyscache.ts';

const SIZE_OF_PAGE_HEADER = 24;
/** MAXALIGN(SizeofHeapTupleHeader) + sizeof(ItemIdData). */
const HEAP_OVERHEAD_PER_TUPLE = 24 + 4;
const INDOPTION_DESC = 1;
const INDOPTION_NULLS_FIRST = 2;

/** Average data width of a row: the sum of its columns' widths (get_rel_data_width). */
export function relDataWidth(relinfo: RelationInfo, attrWidths: Map<number, number>): number {
  let w = 0;
  for (const a of relinfo.attrs) {
    if (a.attisdropped) continue;
    let aw = attrWidths.get(a.attnum) ?? 0;
    if (aw <= 0) {
      aw = getTypavgwidth(a.atttypid, a.atttypmod);
      attrWidths.set(a.attnum, aw);
    }
    w += aw;
  }
  return w;
}

/** Pages and tuples of a table now (estimate_rel_size for heap relations). */
export function estimateRelSize(root: PlannerInfo, relinfo: RelationInfo, attrWidths: Map<number, number>): { pages: number; tuples: number } {
  const relpages = relinfo.relpages;
  const reltuples = relinfo.reltuples;
  let curpages: number;
  const { relationBlocks, engine } = root.glob.ctx;
  if (relationBlocks !== undefined) curpages = relationBlocks(relinfo);
  else if (engine !== undefined && (reltuples < 0 || relpages === 0) && relinfo.heap !== null) curpages = engine.relationStats(relinfo.heap).relpages;
  else curpages = relpages > 0 ? relpages : 0;
  const knowsBlocks = relationBlocks !== undefined || (engine !== undefined && relinfo.heap !== null);
  // Never vacuumed: assume at least 10 pages so a freshly created table is not treated as tiny. Without
  // a way to count blocks, an empty-looking pg_class entry may be stale, so the same minimum applies.
  if (curpages < 10 && (reltuples < 0 || (!knowsBlocks && relpages === 0))) curpages = 10;
  if (curpages === 0) return { pages: 0, tuples: 0 };
  let density: number;
  if (reltuples >= 0 && relpages > 0) {
    density = reltuples / relpages;
  } else {
    const tupleWidth = relDataWidth(relinfo, attrWidths) + HEAP_OVERHEAD_PER_TUPLE;
    density = Math.floor((BLCKSZ - SIZE_OF_PAGE_HEADER) / tupleWidth);
  }
  return { pages: curpages, tuples: rint(density * curpages) };
}

/** Fills a base relation's size, widths and index list (get_relation_info). */
export function getRelationInfo(root: PlannerInfo, rel: RelOptInfo, relinfo: RelationInfo): void {
  rel.relinfo = relinfo;
  const { pages, tuples } = estimateRelSize(root, relinfo, rel.attr_widths);
  rel.pages = pages;
  rel.tuples = tuples;
  relDataWidth(relinfo, rel.attr_widths);
  const indexes: IndexOptInfo[] = [];
  for (const ix of relinfo.indexes) {
    if (ix.indkey.some((k) => k === 0)) continue; // expression indexes are not supported
    const keytypes = ix.indkey.map((k) => relinfo.attrs[k - 1]?.atttypid ?? 0);
    indexes.push({
      info: ix,
      indexoid: ix.indexrelid,
      indexkeys: ix.indkey.slice(),
      reverse_sort: ix.indkey.map((_, i) => ((ix.indoption[i] ?? 0) & INDOPTION_DESC) !== 0),
      nulls_first: ix.indkey.map((_, i) => ((ix.indoption[i] ?? 0) & INDOPTION_NULLS_FIRST) !== 0),
      unique: ix.indisunique,
      pages: Math.max(ix.relpages, 1),
      tuples: tuples,
      tree_height: Math.max(ix.treeHeight, 0),
      keytypes,
    });
  }
  rel.indexlist = indexes;
}
