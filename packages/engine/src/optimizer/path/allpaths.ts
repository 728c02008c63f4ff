/*
 * allpaths.ts — paths for every base relation, then for the join of all of
 * them (PostgreSQL's optimizer/path/allpaths.c: set_base_rel_sizes,
 * set_base_rel_pathlists, make_rel_from_joinlist).
 *
 * Exports: setBaseRelSizes, setBaseRelPathlists, makeRelFromJoinlist.
 *
 * Sub-selects in FROM that could not be pulled up are planned here as their
 * own query level (planner.ts planSubqueryRel); CTE references read the CTE
 * plan made by the query level that owns the WITH.
 */

import type { Expr, FuncExpr } from '../../nodes/primnodes.ts';
import type { PlannerInfo, RelOptInfo, ScanPath } from '../pathnodes.ts';
import { clampRowEst, costCteScan, costExprEval, costFunctionScan, costQualEval, costSeqscan, costSubqueryScan, costValuesScan } from './costsize.ts';
import { clauselistSelectivity } from './clausesel.ts';
import { createIndexPaths } from './indxpath.ts';
import { joinInWrittenOrder, standardJoinSearch } from './joinrels.ts';
import { addPath, setCheapest } from '../util/pathnode.ts';
import { setRelWidth } from '../util/relnode.ts';
import { getFunction } from '../util/clauses.ts';
import { planSubqueryRel, findCtePlan } from '../plan/planner.ts';
import { getTypavgwidth } from '../util/lsyscache.ts';
import { pullVarnos } from '../util/var.ts';
import { innerrelIsUnique } from './joinpath.ts';
import { relidsOverlap, relidsSingleton } from '../pathnodes.ts';

/** Geqo_threshold's role: with more relations than this, join order search is not exhaustive. */
export const JOIN_SEARCH_LIMIT = 12;

/** Rows a set-returning function in FROM is expected to return (prorows, or generate_series' support function). */
export function estimateFunctionRows(e: Expr): number {
  if (e.type !== 'FuncExpr') return 1;
  if (!e.funcretset) return 1;
  const f = getFunction(e.funcid);
  if (f !== null && f.proname === 'generate_series' && e.args.length >= 2) {
    const vals = e.args.map((a) => (a.type === 'Const' && !a.constisnull ? a.constvalue : undefined));
    if (vals.every((v) => typeof v === 'number' || typeof v === 'bigint')) {
      const [start, stop, step] = vals.map((v) => Number(v));
      const st = vals.length > 2 ? step : 1;
      if (st !== 0) {
        const n = Math.floor((stop - start) / st) + 1;
        return n > 0 ? n : 1;
      }
    }
  }
  if (f !== null && f.proname === 'unnest' && e.args[0]?.type === 'Const') {
    const v = (e.args[0] as { constvalue: unknown }).constvalue as { elements?: unknown[] } | null;
    if (v !== null && typeof v === 'object' && Array.isArray(v.elements)) return Math.max(v.elements.length, 1);
  }
  return 1000;
}

function setBaserelSizeEstimates(root: PlannerInfo, rel: RelOptInfo): void {
  const sel = clauselistSelectivity(root, rel.baserestrictinfo, 0, null);
  rel.rows = clampRowEst(rel.tuples * sel);
  const qc = costQualEval(root, rel.baserestrictinfo);
  rel.baserestrictcost = qc;
  setRelWidth(root, rel);
}

/** Sizes of every base relation (set_base_rel_sizes). */
export function setBaseRelSizes(root: PlannerInfo, rtis: number[]): void {
  for (const rti of rtis) {
    const rel = root.simple_rel_array[rti];
    if (rel === null) continue;
    const rte = root.parse.rtable[rti - 1];
    switch (rte.rtekind) {
      case 'RTE_RELATION':
        break;
      case 'RTE_SUBQUERY':
        planSubqueryRel(root, rel, rte);
        break;
      case 'RTE_FUNCTION': {
        let rows = 1;
        for (const f of rte.functions) rows = Math.max(rows, estimateFunctionRows(f.funcexpr));
        rel.tuples = rows;
        for (const f of rte.functions) {
          f.funccoltypes.forEach((t, i) => rel.attr_widths.set(rel.attr_widths.size + 1, getTypavgwidth(t, f.funccoltypmods[i] ?? -1)));
        }
        break;
      }
      case 'RTE_VALUES':
        rel.tuples = rte.values_lists.length;
        break;
      case 'RTE_CTE': {
        const cte = findCtePlan(root, rte);
        rel.tuples = cte.rows;
        break;
      }
      case 'RTE_RESULT':
        rel.tuples = 1;
        break;
      default:
        break;
    }
    setBaserelSizeEstimates(root, rel);
  }
}

function scanPath(rel: RelOptInfo, pathtype: ScanPath['pathtype'], startup: number, total: number, rows: number): ScanPath {
  return { pathtype, parent: rel, rows, startup_cost: startup, total_cost: total, pathkeys: [], required_outer: 0n };
}

/** Paths for every base relation (set_base_rel_pathlists). */
export function setBaseRelPathlists(root: PlannerInfo, rtis: number[]): void {
  for (const rti of rtis) {
    const rel = root.simple_rel_array[rti];
    if (rel === null) continue;
    const rte = root.parse.rtable[rti - 1];
    switch (rte.rtekind) {
      case 'RTE_RELATION': {
        const c = costSeqscan(root, rel);
        addPath(root, rel, scanPath(rel, 'SeqScan', c.startup_cost, c.total_cost, rel.rows));
        createIndexPaths(root, rel);
        break;
      }
      case 'RTE_SUBQUERY': {
        const sub = rel.subplan;
        if (sub === null) throw new Error('subquery not planned');
        // A scan that only passes the sub-plan's own columns through costs nothing (setrefs removes it).
        const trivial = rel.baserestrictinfo.length === 0 && sub.targetlist.every((t) => !t.resjunk);
        const c = costSubqueryScan(root, rel, { startup_cost: sub.startup_cost, total_cost: sub.total_cost, rows: sub.plan_rows }, trivial);
        addPath(root, rel, scanPath(rel, 'SubqueryScan', c.startup_cost, c.total_cost, rel.rows));
        break;
      }
      case 'RTE_FUNCTION': {
        const fc = { startup: 0, per_tuple: 0 };
        let lateral = 0n;
        for (const f of rte.functions) {
          costExprEval(root, f.funcexpr as FuncExpr, fc);
          lateral |= pullVarnos(f.funcexpr);
        }
        const c = costFunctionScan(root, rel, rel.tuples, fc);
        // A function reading columns of earlier FROM items (LATERAL) is rerun per row of theirs: a parameterized path.
        rel.lateral_relids = lateral & ~rel.relids;
        addPath(root, rel, { ...scanPath(rel, 'FunctionScan', c.startup_cost, c.total_cost, rel.rows), required_outer: rel.lateral_relids });
        break;
      }
      case 'RTE_VALUES': {
        const c = costValuesScan(root, rel, rel.tuples);
        addPath(root, rel, scanPath(rel, 'ValuesScan', c.startup_cost, c.total_cost, rel.rows));
        break;
      }
      case 'RTE_CTE': {
        const c = costCteScan(root, rel, rel.tuples);
        addPath(root, rel, scanPath(rel, rte.self_reference ? 'WorkTableScan' : 'CteScan', c.startup_cost, c.total_cost, rel.rows));
        break;
      }
      case 'RTE_RESULT': {
        const c = root.glob.cost;
        addPath(root, rel, scanPath(rel, 'Result', 0, c.cpu_tuple_cost, 1));
        break;
      }
      default:
        throw new Error(`unexpected range table entry kind ${rte.rtekind} in FROM`);
    }
    setCheapest(rel);
  }
}

/**
 * A semi join whose right side is one relation that is unique on the join
 * columns is an inner join (reduce_unique_semijoins): each left row matches
 * at most once anyway, and inner joins can be reordered freely.
 */
export function reduceUniqueSemijoins(root: PlannerInfo): void {
  for (const sj of [...root.join_info_list]) {
    if (sj.jointype !== 'JOIN_SEMI') continue;
    const rti = relidsSingleton(sj.min_righthand);
    const inner = rti > 0 ? root.simple_rel_array[rti] : null;
    if (inner === null || inner === undefined || inner.reloptkind !== 'RELOPT_BASEREL') continue;
    const clauses = inner.joininfo.filter((ri) => !ri.is_pushed_down && relidsOverlap(ri.clause_relids, sj.syn_lefthand));
    if (clauses.length === 0 || !innerrelIsUnique({ relids: sj.syn_lefthand }, inner, clauses)) continue;
    root.join_info_list = root.join_info_list.filter((x) => x !== sj);
    for (const ri of clauses) {
      ri.is_pushed_down = true;
      ri.required_relids = ri.clause_relids;
    }
  }
}

/** The relation of the whole FROM clause, with paths (make_rel_from_joinlist). */
export function makeRelFromJoinlist(root: PlannerInfo, rtis: number[]): RelOptInfo {
  const rels = rtis.map((rti) => root.simple_rel_array[rti] as RelOptInfo);
  if (rels.length === 1) return rels[0];
  // join_collapse_limit = 1 asks for the written order, as it does in PostgreSQL for explicit JOINs.
  if (rels.length > JOIN_SEARCH_LIMIT || root.glob.cost.join_collapse_limit <= 1) return joinInWrittenOrder(root, rels);
  return standardJoinSearch(root, rels);
}
