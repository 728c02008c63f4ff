/*
 * costsize.ts — PostgreSQL's cost model (costsize.c): what each kind of path
 * costs, in units where reading one page sequentially costs seq_page_cost
 * (1.0), and how many rows it returns.
 *
 * Exports: CostParams and costParamsFromSettings, clampRowEst,
 * relationByteSize, pageSize, indexPagesFetched, costQualEval /
 * costExprEval, and one cost function per path kind (costSeqscan, costIndex,
 * costBitmapHeapScan, costSort, costMaterial, costRescan, nestloop /
 * mergejoin / hashjoin costs, costAgg, costGroup, costWindowAgg,
 * adjustLimitRowsCosts, costSubqueryScan, costFunctionScan, costValuesScan,
 * costCteScan, costRecursiveUnion), and the size estimates
 * setBaserelSizeEstimates / calcJoinrelSizeEstimate.
 *
 * Every function follows the PostgreSQL function of the same name closely
 * enough that EXPLAIN's numbers match PostgreSQL's for the same inputs; the
 * comments say where a simplification was made.
 */

import type { Expr } from '../../nodes/primnodes.ts';
import type { Path, PlannerInfo, RelOptInfo, RestrictInfo } from '../pathnodes.ts';
import { walkExpr } from '../util/exprwalk.ts';

/** Planner settings (GUCs) that change costs or enable path kinds. */
export interface CostParams {
  seq_page_cost: number;
  random_page_cost: number;
  cpu_tuple_cost: number;
  cpu_index_tuple_cost: number;
  cpu_operator_cost: number;
  /** In pages (BLCKSZ units), as PostgreSQL stores it. */
  effective_cache_size: number;
  /** In kilobytes. */
  work_mem: number;
  hash_mem_multiplier: number;
  enable_seqscan: boolean;
  enable_indexscan: boolean;
  enable_indexonlyscan: boolean;
  enable_bitmapscan: boolean;
  enable_sort: boolean;
  enable_hashagg: boolean;
  enable_nestloop: boolean;
  enable_mergejoin: boolean;
  enable_hashjoin: boolean;
  enable_material: boolean;
  join_collapse_limit: number;
  from_collapse_limit: number;
}

export const BLCKSZ = 8192;
/** Added to the cost of a disabled path kind so any enabled alternative wins. */
export const DISABLE_COST = 1.0e10;
const HEAP_TUPLE_HEADER = 24; // MAXALIGN(SizeofHeapTupleHeader)
const MINIMAL_TUPLE_HEADER = 16; // MAXALIGN(SizeofMinimalTupleHeader)
const HJTUPLE_OVERHEAD = 16;
export const DEFAULT_PAGE_CPU_MULTIPLIER = 50.0;

const maxAlign = (n: number): number => Math.ceil(n / 8) * 8;

function parseMemoryKb(v: string, dflt: number): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(kB|MB|GB|TB)?\s*$/i.exec(v);
  if (m === null) return dflt;
  const n = Number(m[1]);
  switch ((m[2] ?? 'kB').toUpperCase()) {
    case 'MB': return n * 1024;
    case 'GB': return n * 1024 * 1024;
    case 'TB': return n * 1024 * 1024 * 1024;
    default: return n;
  }
}

/** Reads the cost settings, with PostgreSQL's defaults for names the caller does not know. */
/** The settings the planner reads, in one order (for the cache below). */
const COST_SETTINGS = [
  'seq_page_cost', 'random_page_cost', 'cpu_tuple_cost', 'cpu_index_tuple_cost', 'cpu_operator_cost', 'effective_cache_size',
  'work_mem', 'hash_mem_multiplier', 'enable_seqscan', 'enable_indexscan', 'enable_indexonlyscan', 'enable_bitmapscan',
  'enable_sort', 'enable_hashagg', 'enable_nestloop', 'enable_mergejoin', 'enable_hashjoin', 'enable_material',
  'join_collapse_limit', 'from_collapse_limit',
] as const;

/**
 * The last settings read and what they parsed to: planning a statement
 * reads every setting again (SET may have changed one), but parsing them
 * (memory units, booleans) is only redone when one differs.
 */
let lastSettings: string[] | null = null;
let lastParams: CostParams | null = null;
/** The settings function and its change counter (PlannerContext.settingsVersion) the cache was filled from. */
let lastSource: ((name: string) => string) | null = null;
let lastVersion = -1;

export function costParamsFromSettings(settings: (name: string) => string, version?: number): CostParams {
  // Nothing changed since the last read of the same settings: not even reading them again.
  if (version !== undefined && version === lastVersion && settings === lastSource && lastParams !== null) return { ...lastParams };
  lastSource = settings;
  lastVersion = version ?? -1;
  const values: string[] = new Array<string>(COST_SETTINGS.length);
  let same = lastSettings !== null;
  for (let i = 0; i < COST_SETTINGS.length; i++) {
    let v: string;
    try {
      v = settings(COST_SETTINGS[i]) ?? '';
    } catch {
      v = '';
    }
    values[i] = v;
    if (same && (lastSettings as string[])[i] !== v) same = false;
  }
  if (same && lastParams !== null) return { ...lastParams };
  const byName = new Map<string, string>(COST_SETTINGS.map((n, i) => [n, values[i]]));
  const get = (name: string): string => byName.get(name) ?? '';
  const num = (name: string, dflt: number): number => {
    const v = get(name);
    const n = Number(v);
    return v === '' || !Number.isFinite(n) ? dflt : n;
  };
  const bool = (name: string): boolean => {
    const v = get(name).toLowerCase();
    return !(v === 'off' || v === 'false' || v === '0' || v === 'no');
  };
  const ecs = get('effective_cache_size');
  const params: CostParams = {
    seq_page_cost: num('seq_page_cost', 1.0),
    random_page_cost: num('random_page_cost', 4.0),
    cpu_tuple_cost: num('cpu_tuple_cost', 0.01),
    cpu_index_tuple_cost: num('cpu_index_tuple_cost', 0.005),
    cpu_operator_cost: num('cpu_operator_cost', 0.0025),
    effective_cache_size: ecs === '' ? 524288 : parseMemoryKb(ecs, 4 * 1024 * 1024) / 8,
    work_mem: parseMemoryKb(get('work_mem'), 4096),
    hash_mem_multiplier: num('hash_mem_multiplier', 2.0),
    enable_seqscan: bool('enable_seqscan'),
    enable_indexscan: bool('enable_indexscan'),
    enable_indexonlyscan: bool('enable_indexonlyscan'),
    enable_bitmapscan: bool('enable_bitmapscan'),
    enable_sort: bool('enable_sort'),
    enable_hashagg: bool('enable_hashagg'),
    enable_nestloop: bool('enable_nestloop'),
    enable_mergejoin: bool('enable_mergejoin'),
    enable_hashjoin: bool('enable_hashjoin'),
    enable_material: bool('enable_material'),
    join_collapse_limit: num('join_collapse_limit', 8),
    from_collapse_limit: num('from_collapse_limit', 8),
  };
  lastSettings = values;
  lastParams = params;
  return { ...params };
}

/** C's rint(): round half to even, as PostgreSQL rounds estimates. */
export function rint(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Row counts are whole and at least 1 (clamp_row_est). */
export function clampRowEst(nrows: number): number {
  if (!(nrows > 1.0) || Number.isNaN(nrows)) return 1.0;
  if (nrows > 1e100) return 1e100;
  return rint(nrows);
}

/** Bytes of `tuples` heap tuples of `width` (relation_byte_size). */
export const relationByteSize = (tuples: number, width: number): number => tuples * (maxAlign(width) + HEAP_TUPLE_HEADER);
/** Pages of `tuples` heap tuples of `width` (page_size). */
export const pageSize = (tuples: number, width: number): number => Math.ceil(relationByteSize(tuples, width) / BLCKSZ);

export const LOG2 = (x: number): number => Math.log(x) / Math.log(2.0);

/**
 * The Mackert-Lohman estimate of pages fetched when `tuplesFetched` tuples
 * are read in index order from a table of `pages` pages, with the buffer
 * cache shared among all the query's tables (index_pages_fetched).
 */
export function indexPagesFetched(root: PlannerInfo, tuplesFetched: number, pages: number, indexPages: number): number {
  const T = pages > 1 ? pages : 1.0;
  const totalPages = Math.max(root.total_table_pages + indexPages, 1.0);
  let b = (root.glob.cost.effective_cache_size * T) / totalPages;
  b = b <= 1.0 ? 1.0 : Math.ceil(b);
  let pf: number;
  if (T <= b) {
    pf = (2.0 * T * tuplesFetched) / (2.0 * T + tuplesFetched);
    if (pf >= T) pf = T;
    else pf = Math.ceil(pf);
  } else {
    const lim = (2.0 * T * b) / (2.0 * T - b);
    if (tuplesFetched <= lim) pf = (2.0 * T * tuplesFetched) / (2.0 * T + tuplesFetched);
    else pf = b + (tuplesFetched - lim) * (T - b) / T;
    pf = Math.ceil(pf);
  }
  return pf;
}

// ---------------------------------------------------------------------------
// Expression costs (cost_qual_eval).

export interface QualCost { startup: number; per_tuple: number }

/** Elements of a constant array, or PostgreSQL's guess of 10 (estimate_array_length). */
export function estimateArrayLength(e: Expr): number {
  if (e.type === 'Const') {
    if (e.constisnull) return 0;
    const v = e.constvalue;
    if (Array.isArray(v)) return v.length;
    if (typeof v === 'object' && v !== null && 'elements' in v && Array.isArray((v as { elements: unknown }).elements)) {
      return ((v as { elements: unknown[] }).elements).length;
    }
  }
  if (e.type === 'ArrayExpr') return e.elements.length;
  return 10;
}

/** Cost of evaluating an expression once per row, plus any startup (cost_qual_eval_node). */
export function costExprEval(root: PlannerInfo, e: Expr, acc: QualCost = { startup: 0, per_tuple: 0 }): QualCost {
  const op = root.glob.cost.cpu_operator_cost;
  walkExpr(e, (n) => {
    switch (n.type) {
      case 'FuncExpr': case 'OpExpr': case 'DistinctExpr': case 'NullIfExpr':
        acc.per_tuple += op;
        return false;
      case 'ScalarArrayOpExpr':
        acc.per_tuple += op * estimateArrayLength(n.args[1]) * 0.5;
        return false;
      case 'CoerceViaIO':
        acc.per_tuple += op * 2;
        return false;
      case 'ArrayCoerceExpr':
        acc.per_tuple += op * estimateArrayLength(n.arg);
        return false;
      case 'RowCompareExpr':
        acc.per_tuple += op * n.opnos.length;
        return false;
      case 'MinMaxExpr': case 'SQLValueFunction': case 'NextValueExpr':
        acc.per_tuple += op;
        return false;
      case 'Aggref': case 'WindowFunc':
        // Charged by the Agg / WindowAgg node; their arguments are evaluated there too.
        return true;
      case 'SubPlan':
        // cost_subplan already split the subplan's cost into what is paid once and per call (its testexpr included).
        acc.startup += n.startup_cost;
        acc.per_tuple += n.per_call_cost;
        return true;
      default:
        return false;
    }
  });
  return acc;
}

/** The cost of a list of restriction clauses (each RestrictInfo caches its own). */
export function costQualEval(root: PlannerInfo, quals: (RestrictInfo | Expr)[]): QualCost {
  const acc: QualCost = { startup: 0, per_tuple: 0 };
  for (const q of quals) {
    if ('clause' in q) {
      if (q.eval_cost < 0) {
        const c = costExprEval(root, q.clause);
        acc.startup += c.startup;
        q.eval_cost = c.per_tuple;
        acc.per_tuple += c.per_tuple;
      } else {
        acc.per_tuple += q.eval_cost;
      }
    } else {
      costExprEval(root, q, acc);
    }
  }
  return acc;
}

// ---------------------------------------------------------------------------
// Scans.

export interface Cost { startup_cost: number; total_cost: number }

/** Sequential scan of a base relation (cost_seqscan). */
export function costSeqscan(root: PlannerInfo, rel: RelOptInfo): Cost {
  const c = root.glob.cost;
  let startup = 0;
  const diskRun = c.seq_page_cost * rel.pages;
  startup += rel.baserestrictcost.startup;
  const cpuPerTuple = c.cpu_tuple_cost + rel.baserestrictcost.per_tuple;
  const cpuRun = cpuPerTuple * rel.tuples;
  if (!c.enable_seqscan) startup += DISABLE_COST;
  return { startup_cost: startup, total_cost: startup + cpuRun + diskRun };
}

/**
 * A heap fetched through an index (cost_index): the index's own cost
 * (btcostestimate, in indxpath.ts) plus heap pages between the
 * best case (perfect correlation) and the worst (one random page per tuple);
 * with no statistics the correlation is 0, so the worst case is charged.
 */
export function costIndexHeap(
  root: PlannerInfo, rel: RelOptInfo, indexTotalCost: number, indexStartupCost: number, indexSelectivity: number,
  indexPages: number, indexOnly: boolean, qpqualCost: QualCost, loopCount: number, correlation: number,
): Cost {
  const c = root.glob.cost;
  let startup = indexStartupCost;
  let run = indexTotalCost - indexStartupCost;
  const tuplesFetched = clampRowEst(indexSelectivity * rel.tuples);
  // An index-only scan visits the heap only for pages not all-visible; we have no visibility map statistics, so assume none (allvisfrac = 0) as a never-vacuumed table.
  let maxIO: number;
  let minIO: number;
  if (loopCount > 1) {
    let pf = indexPagesFetched(root, tuplesFetched * loopCount, rel.pages, indexPages);
    maxIO = (pf * c.random_page_cost) / loopCount;
    pf = Math.ceil(indexSelectivity * rel.pages);
    pf = indexPagesFetched(root, pf * loopCount, rel.pages, indexPages);
    minIO = (pf * c.random_page_cost) / loopCount;
  } else {
    const pf = indexPagesFetched(root, tuplesFetched, rel.pages, indexPages);
    maxIO = pf * c.random_page_cost;
    const pf2 = Math.ceil(indexSelectivity * rel.pages);
    minIO = pf2 > 0 ? c.random_page_cost + (pf2 - 1) * c.seq_page_cost : 0;
  }
  void indexOnly;
  const csquared = correlation * correlation;
  run += maxIO + csquared * (minIO - maxIO);
  startup += qpqualCost.startup;
  const cpuPerTuple = c.cpu_tuple_cost + qpqualCost.per_tuple;
  run += cpuPerTuple * tuplesFetched;
  return { startup_cost: startup, total_cost: startup + run };
}

/** Bitmap heap scan over one bitmap index scan (cost_bitmap_heap_scan). */
export function costBitmapHeapScan(
  root: PlannerInfo, rel: RelOptInfo, indexTotalCost: number, indexSelectivity: number, indexPathRows: number,
  indexPages: number, loopCount: number,
): Cost {
  const c = root.glob.cost;
  const bitmapCost = indexTotalCost + 0.1 * c.cpu_operator_cost * indexPathRows;
  let startup = bitmapCost;
  let run = 0;
  const T = rel.pages > 1 ? rel.pages : 1.0;
  const tuplesFetched = clampRowEst(indexSelectivity * rel.tuples);
  let pagesFetched: number;
  if (loopCount > 1) {
    pagesFetched = indexPagesFetched(root, tuplesFetched * loopCount, rel.pages, indexPages) / loopCount;
  } else {
    pagesFetched = (2.0 * T * tuplesFetched) / (2.0 * T + tuplesFetched);
  }
  if (pagesFetched >= T) pagesFetched = T;
  else pagesFetched = Math.ceil(pagesFetched);
  const costPerPage = pagesFetched >= 2.0
    ? c.random_page_cost - (c.random_page_cost - c.seq_page_cost) * Math.sqrt(pagesFetched / T)
    : c.random_page_cost;
  run += pagesFetched * costPerPage;
  startup += rel.baserestrictcost.startup;
  run += (c.cpu_tuple_cost + rel.baserestrictcost.per_tuple) * tuplesFetched;
  if (!c.enable_bitmapscan) startup += DISABLE_COST;
  return { startup_cost: startup, total_cost: startup + run };
}

/** A subquery's plan scanned (cost_subqueryscan): its cost plus a per-row charge for the quals. */
export function costSubqueryScan(root: PlannerInfo, rel: RelOptInfo, sub: Cost & { rows: number }, trivial: boolean): Cost {
  const c = root.glob.cost;
  const startup = sub.startup_cost + rel.baserestrictcost.startup;
  let run = sub.total_cost - sub.startup_cost;
  // A SubqueryScan that only passes rows through is removed by setrefs, and PostgreSQL charges it nothing.
  const cpuPerTuple = trivial ? 0 : c.cpu_tuple_cost + rel.baserestrictcost.per_tuple;
  run += cpuPerTuple * sub.rows;
  return { startup_cost: startup, total_cost: startup + run };
}

/** Function scan (cost_functionscan): the function's call cost, then a per-row charge. */
export function costFunctionScan(root: PlannerInfo, rel: RelOptInfo, funcRows: number, funcCost: QualCost): Cost {
  const c = root.glob.cost;
  // The whole result is materialized before the first row is returned.
  let startup = funcCost.startup + funcCost.per_tuple;
  startup += rel.baserestrictcost.startup;
  const run = (c.cpu_tuple_cost + rel.baserestrictcost.per_tuple) * funcRows;
  return { startup_cost: startup, total_cost: startup + run };
}

/** VALUES list (cost_valuesscan): cpu_operator_cost per row for evaluating the expressions, plus the quals. */
export function costValuesScan(root: PlannerInfo, rel: RelOptInfo, nrows: number): Cost {
  const c = root.glob.cost;
  const startup = rel.baserestrictcost.startup;
  const run = (c.cpu_operator_cost + c.cpu_tuple_cost + rel.baserestrictcost.per_tuple) * nrows;
  return { startup_cost: startup, total_cost: startup + run };
}

/** CTE scan or work table scan (cost_ctescan): a tuplestore read and a scan step per row; the CTE's own cost is an initplan's. */
export function costCteScan(root: PlannerInfo, rel: RelOptInfo, nrows: number): Cost {
  const c = root.glob.cost;
  const startup = rel.baserestrictcost.startup;
  const run = (2 * c.cpu_tuple_cost + rel.baserestrictcost.per_tuple) * nrows;
  return { startup_cost: startup, total_cost: startup + run };
}

/** WITH RECURSIVE (cost_recursive_union): the recursive term assumed to run ten times. */
export function costRecursiveUnion(root: PlannerInfo, nrt: Cost & { rows: number }, rt: Cost & { rows: number }): Cost & { rows: number } {
  const c = root.glob.cost;
  const startup = nrt.startup_cost;
  let total = nrt.total_cost + 10 * rt.total_cost;
  const rows = nrt.rows + 10 * rt.rows;
  total += c.cpu_tuple_cost * rows;
  return { startup_cost: startup, total_cost: total, rows };
}

// ---------------------------------------------------------------------------
// Sort and materialize.

function tuplesortMergeOrder(allowedMem: number): number {
  const order = Math.floor(allowedMem / (BLCKSZ * 32 + BLCKSZ));
  return Math.min(Math.max(order, 6), 500);
}

/**
 * Sorting `tuples` rows of `width` bytes (cost_sort). In memory it is
 * N log2 N comparisons; a bounded (LIMIT) sort keeps a heap of the first
 * limit rows; a sort that does not fit work_mem also reads and writes runs.
 */
export function costSort(root: PlannerInfo, inputCost: number, tuples: number, width: number, limitTuples: number): Cost {
  const c = root.glob.cost;
  let startup = inputCost;
  let run = 0;
  const inputBytes = relationByteSize(tuples, width);
  const sortMemBytes = c.work_mem * 1024;
  if (!c.enable_sort) startup += DISABLE_COST;
  if (tuples < 2.0) tuples = 2.0;
  const comparisonCost = 2.0 * c.cpu_operator_cost;
  let outputBytes: number;
  let outputTuples: number;
  if (limitTuples > 0 && limitTuples < tuples) {
    outputTuples = limitTuples;
    outputBytes = relationByteSize(outputTuples, width);
  } else {
    outputTuples = tuples;
    outputBytes = inputBytes;
  }
  if (outputBytes > sortMemBytes) {
    const npages = Math.ceil(inputBytes / BLCKSZ);
    const nruns = inputBytes / sortMemBytes;
    const mergeorder = tuplesortMergeOrder(sortMemBytes);
    const logRuns = nruns > mergeorder ? Math.ceil(Math.log(nruns) / Math.log(mergeorder)) : 1.0;
    const npageaccesses = 2.0 * npages * logRuns;
    startup += comparisonCost * tuples * LOG2(tuples);
    startup += npageaccesses * (c.seq_page_cost * 0.75 + c.random_page_cost * 0.25);
  } else if (tuples > 2 * outputTuples || inputBytes > sortMemBytes) {
    startup += comparisonCost * tuples * LOG2(2.0 * outputTuples);
  } else {
    startup += comparisonCost * tuples * LOG2(tuples);
  }
  run += c.cpu_operator_cost * tuples;
  return { startup_cost: startup, total_cost: startup + run };
}

/** Materialize (cost_material): a small per-row charge, plus disk when it overflows work_mem. */
export function costMaterial(root: PlannerInfo, inputStartup: number, inputTotal: number, tuples: number, width: number): Cost {
  const c = root.glob.cost;
  const startup = inputStartup;
  let run = inputTotal - inputStartup;
  const nbytes = relationByteSize(tuples, width);
  run += 2 * c.cpu_operator_cost * tuples;
  if (nbytes > c.work_mem * 1024) run += c.seq_page_cost * Math.ceil(nbytes / BLCKSZ);
  return { startup_cost: startup, total_cost: startup + run };
}

/** The cost of running a path again after a rescan (cost_rescan): a Material or Sort replays its stored rows. */
export function costRescan(root: PlannerInfo, path: Path): Cost {
  const c = root.glob.cost;
  switch (path.pathtype) {
    case 'Material':
    case 'Sort': {
      const nbytes = relationByteSize(path.rows, path.parent.width);
      let run = c.cpu_operator_cost * path.rows;
      if (nbytes > c.work_mem * 1024) run += c.seq_page_cost * Math.ceil(nbytes / BLCKSZ);
      return { startup_cost: 0, total_cost: run };
    }
    case 'CteScan':
    case 'WorkTableScan': {
      const run = c.cpu_tuple_cost * path.rows;
      return { startup_cost: 0, total_cost: run };
    }
    default:
      return { startup_cost: path.startup_cost, total_cost: path.total_cost };
  }
}

// ---------------------------------------------------------------------------
// Hash tables.

const nextPow2 = (n: number): number => {
  let p = 1;
  while (p < n) p *= 2;
  return p;
};

/** Buckets and batches of a hash join's table (ExecChooseHashTableSize). */
export function execChooseHashTableSize(root: PlannerInfo, ntuples: number, tupwidth: number): { nbuckets: number; nbatch: number } {
  const c = root.glob.cost;
  if (ntuples <= 0.0) ntuples = 1000.0;
  const tupsize = HJTUPLE_OVERHEAD + MINIMAL_TUPLE_HEADER + maxAlign(tupwidth);
  const innerRelBytes = ntuples * tupsize;
  let hashTableBytes = c.work_mem * 1024 * c.hash_mem_multiplier;
  // The skew optimization reserves 2% of the memory for the most common values.
  const skewMem = Math.floor((hashTableBytes * 2) / 100);
  const bytesPerMcv = tupsize + 8 * 8 + 4 + 16;
  if (Math.floor(skewMem / bytesPerMcv) > 0) hashTableBytes -= skewMem;
  let maxPointers = Math.floor(hashTableBytes / 8);
  const mppow2 = nextPow2(maxPointers);
  if (maxPointers !== mppow2) maxPointers = mppow2 / 2;
  let dbuckets = Math.ceil(ntuples);
  dbuckets = Math.min(dbuckets, maxPointers);
  let nbuckets = Math.max(Math.floor(dbuckets), 1024);
  nbuckets = nextPow2(nbuckets);
  let bucketBytes = 8 * nbuckets;
  let nbatch = 1;
  if (innerRelBytes + bucketBytes > hashTableBytes) {
    const bucketSize = tupsize + 8;
    let lbuckets = 1;
    while (lbuckets * 2 <= hashTableBytes / bucketSize) lbuckets *= 2;
    lbuckets = Math.min(lbuckets, maxPointers);
    nbuckets = nextPow2(lbuckets);
    bucketBytes = nbuckets * 8;
    let dbatch = Math.ceil(innerRelBytes / (hashTableBytes - bucketBytes));
    dbatch = Math.min(dbatch, maxPointers);
    nbatch = nextPow2(Math.max(2, dbatch));
  }
  return { nbuckets, nbatch };
}

/** Bytes per hash aggregation entry (hash_agg_entry_size). */
export function hashAggEntrySize(numTrans: number, tupleWidth: number, transitionSpace: number): number {
  const CHUNKHDRSZ = 16;
  const tupleChunkSize = CHUNKHDRSZ + MINIMAL_TUPLE_HEADER + tupleWidth;
  const pergroupChunkSize = numTrans > 0 ? CHUNKHDRSZ + numTrans * 16 : 0;
  const transitionChunkSize = transitionSpace > 0 ? CHUNKHDRSZ + transitionSpace : 0;
  return 24 + tupleChunkSize + pergroupChunkSize + transitionChunkSize;
}

export type AggStrategyName = 'AGG_PLAIN' | 'AGG_SORTED' | 'AGG_HASHED';

export interface AggCosts {
  numAggs: number;
  transCost: QualCost;
  finalCost: QualCost;
  transitionSpace: number;
}

/** Aggregation (cost_agg). */
export function costAgg(
  root: PlannerInfo, strategy: AggStrategyName, aggcosts: AggCosts, numGroupCols: number, numGroups: number,
  quals: Expr[], inputStartup: number, inputTotal: number, inputTuples: number, inputWidth: number,
): Cost & { rows: number } {
  const c = root.glob.cost;
  let startup: number;
  let total: number;
  let outputTuples: number;
  if (strategy === 'AGG_PLAIN') {
    startup = inputTotal + aggcosts.transCost.startup + aggcosts.transCost.per_tuple * inputTuples + aggcosts.finalCost.startup + aggcosts.finalCost.per_tuple;
    total = startup + c.cpu_tuple_cost;
    outputTuples = 1;
  } else if (strategy === 'AGG_SORTED') {
    startup = inputStartup;
    total = inputTotal + aggcosts.transCost.startup + aggcosts.transCost.per_tuple * inputTuples
      + c.cpu_operator_cost * numGroupCols * inputTuples + aggcosts.finalCost.per_tuple * numGroups + c.cpu_tuple_cost * numGroups;
    outputTuples = numGroups;
  } else {
    startup = inputTotal;
    if (!c.enable_hashagg) startup += DISABLE_COST;
    startup += aggcosts.transCost.startup + aggcosts.transCost.per_tuple * inputTuples
      + c.cpu_operator_cost * numGroupCols * inputTuples + aggcosts.finalCost.startup;
    total = startup + aggcosts.finalCost.per_tuple * numGroups + c.cpu_tuple_cost * numGroups;
    outputTuples = numGroups;
    // Spilling to disk when the groups do not fit hash_mem (hash_agg_set_limits simplified: 4 partitions).
    const entrySize = hashAggEntrySize(aggcosts.numAggs, inputWidth, aggcosts.transitionSpace);
    const memLimit = c.work_mem * 1024 * c.hash_mem_multiplier;
    const ngroupsLimit = Math.max(memLimit / entrySize, 1);
    let nbatches = Math.max((numGroups * entrySize) / memLimit, numGroups / ngroupsLimit);
    nbatches = Math.max(Math.ceil(nbatches), 1.0);
    const numPartitions = 4;
    const depth = Math.ceil(Math.log(nbatches) / Math.log(numPartitions));
    if (depth > 0) {
      const pages = relationByteSize(inputTuples, inputWidth) / BLCKSZ;
      const pagesWritten = pages * depth * 2.0;
      const pagesRead = pages * depth * 2.0;
      startup += pagesWritten * c.random_page_cost;
      total += pagesWritten * c.random_page_cost + pagesRead * c.seq_page_cost;
      const spill = depth * inputTuples * 2.0 * c.cpu_tuple_cost;
      startup += spill;
      total += spill;
    }
  }
  if (quals.length > 0) {
    const qc = costQualEval(root, quals);
    startup += qc.startup;
    total += qc.startup + qc.per_tuple * outputTuples;
  }
  return { startup_cost: startup, total_cost: total, rows: outputTuples };
}

/** Group (cost_group): a comparison per grouping column per input row. */
export function costGroup(root: PlannerInfo, numGroupCols: number, numGroups: number, quals: Expr[], inputStartup: number, inputTotal: number, inputTuples: number): Cost & { rows: number } {
  const c = root.glob.cost;
  const startup = inputStartup;
  let total = inputTotal + c.cpu_operator_cost * inputTuples * numGroupCols;
  let s = startup;
  if (quals.length > 0) {
    const qc = costQualEval(root, quals);
    s += qc.startup;
    total += qc.startup + qc.per_tuple * numGroups;
  }
  return { startup_cost: s, total_cost: total, rows: numGroups };
}

/** WindowAgg (cost_windowagg): each window function's cost per row, plus comparisons of the partition and order columns. */
export function costWindowAgg(root: PlannerInfo, windowFuncs: Expr[], numPartCols: number, numOrderCols: number, inputStartup: number, inputTotal: number, inputTuples: number): Cost {
  const c = root.glob.cost;
  const startup = inputStartup;
  let total = inputTotal;
  for (const wf of windowFuncs) {
    const wc = costExprEval(root, wf.type === 'WindowFunc' ? { ...wf, type: 'FuncExpr', funcid: wf.winfnoid, funcresulttype: wf.wintype, funcresulttypmod: -1, funcretset: false, funcvariadic: false, funcformat: 'COERCE_EXPLICIT_CALL', args: wf.args } : wf);
    total += wc.per_tuple * inputTuples;
    total += wc.startup;
  }
  total += c.cpu_operator_cost * (numPartCols + numOrderCols) * inputTuples;
  total += c.cpu_tuple_cost * inputTuples;
  return { startup_cost: startup, total_cost: total };
}

/** LIMIT / OFFSET (adjust_limit_rows_costs): a fraction of the input's run cost. count/offset -1 = unknown (10%), 0 = none. */
export function adjustLimitRowsCosts(inputRows: number, inputStartup: number, inputTotal: number, offsetEst: number, countEst: number): Cost & { rows: number } {
  let rows = inputRows;
  let startup = inputStartup;
  let total = inputTotal;
  if (offsetEst !== 0) {
    let offsetRows = offsetEst > 0 ? offsetEst : clampRowEst(inputRows * 0.10);
    if (offsetRows > rows) offsetRows = rows;
    if (inputRows > 0) startup += ((inputTotal - inputStartup) * offsetRows) / inputRows;
    rows -= offsetRows;
    if (rows < 1) rows = 1;
  }
  if (countEst !== 0) {
    let countRows = countEst > 0 ? countEst : clampRowEst(inputRows * 0.10);
    if (countRows > rows) countRows = rows;
    if (inputRows > 0) total = startup + ((inputTotal - inputStartup) * countRows) / inputRows;
    rows = countRows;
    if (rows < 1) rows = 1;
  }
  return { startup_cost: startup, total_cost: total, rows };
}
