/*
 * explain.ts — EXPLAIN (PostgreSQL's commands/explain.c): a PlannedStmt
 * printed as PostgreSQL prints it, in text or JSON, with costs, VERBOSE
 * output columns and, for EXPLAIN ANALYZE, the executor's per-node counts.
 *
 * Exports:
 *   explainOneQuery(stmt, opts, run?) -> string[]   one "QUERY PLAN" row per line
 *                                                  (FORMAT JSON: one row holding the document)
 *   ExplainOptions, ExplainExecutor
 *
 * EXPLAIN does not execute anything itself: for ANALYZE the caller (tcop)
 * passes an ExplainExecutor that runs the statement with instrumentation
 * (ExecutorStart/Run/End), and this file reads the PlanStates' counters.
 *
 * Differences from PostgreSQL 18 (README.md "EXPLAIN"): no BUFFERS
 * counters, no "Memory:" planner line, Window lines print only PARTITION BY /
 * ORDER BY.
 */

import type { RangeTblEntry } from '../nodes/parsenodes.ts';
import type { Plan, PlannedStmt, Sort } from '../nodes/plannodes.ts';
import type { Expr, SubPlan } from '../nodes/primnodes.ts';
import type { Instrumentation, PlanState } from '../executor/execnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import type { CatalogAccess } from '../utils/rel.ts';
import { deparseExpr, quoteIdentifier, type DeparseContext } from './explain_deparse.ts';
import { btreeStrategyOf } from '../optimizer/util/lsyscache.ts';
import { walkExpr } from '../optimizer/util/exprwalk.ts';

export interface ExplainOptions {
  analyze: boolean;
  verbose: boolean;
  costs: boolean;
  buffers: boolean;
  timing: boolean;
  summary: boolean;
  format: 'text' | 'json';
  /** Planning time to report (the caller measured it), ms. */
  planningTimeMs?: number;
}

/** How EXPLAIN ANALYZE runs the statement: the backend's executor, with instrumentation on. */
export interface ExplainExecutor<Q = unknown> {
  start(stmt: PlannedStmt): Q;
  /** Runs to completion, discarding rows. */
  run(queryDesc: Q): void;
  /** The query's PlanStates: the main tree's root and the subplans' (children are followed). */
  planStates(queryDesc: Q): PlanState[];
  end(queryDesc: Q): void;
}

interface ExplainState {
  stmt: PlannedStmt;
  opts: ExplainOptions;
  rtNames: string[];
  lines: string[];
  states: Map<Plan, PlanState>;
  /** Index names by OID, from the relations the plan reads. */
  indexNames: Map<number, string>;
  relNames: Map<number, { relname: string; nspname: string }>;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** The names EXPLAIN uses for each range-table entry: the alias, else the relation's name; repeats get _1, _2 (set_rtable_names). */
function rtableNames(stmt: PlannedStmt, used: Set<number>): string[] {
  const names: string[] = [''];
  const taken = new Map<string, number>();
  stmt.rtable.forEach((rte, i) => {
    const rti = i + 1;
    if (!used.has(rti)) {
      names.push(rte.alias?.aliasname ?? rte.eref.aliasname);
      return;
    }
    let name = rte.alias?.aliasname ?? rte.eref.aliasname;
    const n = taken.get(name);
    if (n !== undefined) {
      let k = n;
      let candidate: string;
      do {
        k++;
        candidate = `${name}_${k}`;
      } while (taken.has(candidate));
      taken.set(name, k);
      name = candidate;
    }
    taken.set(name, taken.get(name) ?? 0);
    names.push(name);
  });
  return names;
}

function forEachPlan(stmt: PlannedStmt, fn: (p: Plan) => void): void {
  const visit = (p: Plan | null): void => {
    if (p === null) return;
    fn(p);
    visit(p.lefttree);
    visit(p.righttree);
    if (p.type === 'Append') p.appendplans.forEach(visit);
    if (p.type === 'MergeAppend') p.mergeplans.forEach(visit);
    if (p.type === 'SubqueryScan') visit(p.subplan);
  };
  visit(stmt.planTree);
  stmt.subplans.forEach(visit);
}

function usedRtis(stmt: PlannedStmt): Set<number> {
  const used = new Set<number>();
  forEachPlan(stmt, (p) => {
    if ('scanrelid' in p) used.add(p.scanrelid);
    if (p.type === 'ModifyTable') used.add(p.nominalRelation);
  });
  return used;
}

const JOIN_SUFFIX: Record<string, string> = {
  JOIN_INNER: '', JOIN_LEFT: ' Left', JOIN_RIGHT: ' Right', JOIN_FULL: ' Full', JOIN_SEMI: ' Semi', JOIN_ANTI: ' Anti',
};

/** The node's name as EXPLAIN prints it, and for JSON its "Node Type" and extra fields. */
function nodeName(p: Plan): { text: string; nodeType: string; strategy?: string; operation?: string; joinType?: string } {
  switch (p.type) {
    case 'Result': return { text: 'Result', nodeType: 'Result' };
    case 'ProjectSet': return { text: 'ProjectSet', nodeType: 'ProjectSet' };
    case 'ModifyTable': {
      const op = p.operation === 'CMD_INSERT' ? 'Insert' : p.operation === 'CMD_UPDATE' ? 'Update' : 'Delete';
      return { text: op, nodeType: 'ModifyTable', operation: op };
    }
    case 'Append': return { text: 'Append', nodeType: 'Append' };
    case 'MergeAppend': return { text: 'Merge Append', nodeType: 'Merge Append' };
    case 'RecursiveUnion': return { text: 'Recursive Union', nodeType: 'Recursive Union' };
    case 'SeqScan': return { text: 'Seq Scan', nodeType: 'Seq Scan' };
    case 'IndexScan': return { text: 'Index Scan', nodeType: 'Index Scan' };
    case 'IndexOnlyScan': return { text: 'Index Only Scan', nodeType: 'Index Only Scan' };
    case 'BitmapIndexScan': return { text: 'Bitmap Index Scan', nodeType: 'Bitmap Index Scan' };
    case 'BitmapHeapScan': return { text: 'Bitmap Heap Scan', nodeType: 'Bitmap Heap Scan' };
    case 'SubqueryScan': return { text: 'Subquery Scan', nodeType: 'Subquery Scan' };
    case 'FunctionScan': return { text: 'Function Scan', nodeType: 'Function Scan' };
    case 'ValuesScan': return { text: 'Values Scan', nodeType: 'Values Scan' };
    case 'CteScan': return { text: 'CTE Scan', nodeType: 'CTE Scan' };
    case 'WorkTableScan': return { text: 'WorkTable Scan', nodeType: 'WorkTable Scan' };
    case 'NestLoop': return { text: `Nested Loop${JOIN_SUFFIX[p.jointype]}${p.jointype === 'JOIN_INNER' ? '' : ' Join'}`, nodeType: 'Nested Loop', joinType: joinTypeName(p.jointype) };
    case 'MergeJoin': return { text: `Merge${JOIN_SUFFIX[p.jointype]} Join`, nodeType: 'Merge Join', joinType: joinTypeName(p.jointype) };
    case 'HashJoin': return { text: `Hash${JOIN_SUFFIX[p.jointype]} Join`, nodeType: 'Hash Join', joinType: joinTypeName(p.jointype) };
    case 'Hash': return { text: 'Hash', nodeType: 'Hash' };
    case 'Material': return { text: 'Materialize', nodeType: 'Materialize' };
    case 'Sort': return { text: 'Sort', nodeType: 'Sort' };
    case 'Group': return { text: 'Group', nodeType: 'Group' };
    case 'Agg': {
      const s = p.aggstrategy === 'AGG_PLAIN' ? ['Aggregate', 'Plain'] : p.aggstrategy === 'AGG_SORTED' ? ['GroupAggregate', 'Sorted'] : p.aggstrategy === 'AGG_HASHED' ? ['HashAggregate', 'Hashed'] : ['MixedAggregate', 'Mixed'];
      return { text: s[0], nodeType: 'Aggregate', strategy: s[1] };
    }
    case 'WindowAgg': return { text: 'WindowAgg', nodeType: 'WindowAgg' };
    case 'Unique': return { text: 'Unique', nodeType: 'Unique' };
    case 'SetOp': {
      const cmd = p.cmd === 'SETOPCMD_INTERSECT' ? 'Intersect' : p.cmd === 'SETOPCMD_INTERSECT_ALL' ? 'Intersect All' : p.cmd === 'SETOPCMD_EXCEPT' ? 'Except' : 'Except All';
      const hashed = p.strategy === 'SETOP_HASHED';
      return { text: `${hashed ? 'HashSetOp' : 'SetOp'} ${cmd}`, nodeType: 'SetOp', strategy: hashed ? 'Hashed' : 'Sorted', operation: cmd };
    }
    case 'LockRows': return { text: 'LockRows', nodeType: 'LockRows' };
    case 'Limit': return { text: 'Limit', nodeType: 'Limit' };
  }
}

function joinTypeName(jt: string): string {
  return { JOIN_INNER: 'Inner', JOIN_LEFT: 'Left', JOIN_RIGHT: 'Right', JOIN_FULL: 'Full', JOIN_SEMI: 'Semi', JOIN_ANTI: 'Anti' }[jt] ?? jt;
}

function rteOf(es: ExplainState, rti: number): RangeTblEntry | undefined {
  return es.stmt.rtable[rti - 1];
}

/** " on t alias" / " using idx on t" (ExplainTargetRel / ExplainScanTarget). */
function targetText(es: ExplainState, p: Plan): string {
  let s = '';
  const relText = (rti: number): string => {
    const rte = rteOf(es, rti);
    const refname = es.rtNames[rti] ?? '';
    if (rte === undefined) return '';
    let objectname: string;
    let namespace: string | null = null;
    if (rte.rtekind === 'RTE_RELATION') {
      const r = es.relNames.get(rte.relid);
      objectname = r?.relname ?? rte.eref.aliasname;
      namespace = r?.nspname ?? null;
    } else if (rte.rtekind === 'RTE_FUNCTION' && rte.functions.length === 1 && rte.functions[0].funcexpr.type === 'FuncExpr') {
      objectname = funcNameOf(rte.functions[0].funcexpr.funcid) ?? rte.eref.aliasname;
      namespace = 'pg_catalog';
    } else if (rte.rtekind === 'RTE_CTE') {
      objectname = rte.ctename;
    } else {
      objectname = rte.eref.aliasname;
    }
    let out = ' on ';
    if (es.opts.verbose && namespace !== null) out += `${quoteIdentifier(namespace)}.`;
    out += quoteIdentifier(objectname);
    if (objectname !== refname) out += ` ${quoteIdentifier(refname)}`;
    return out;
  };
  switch (p.type) {
    case 'IndexScan': case 'IndexOnlyScan':
      if (p.indexorderdir === 'BackwardScanDirection') s += ' Backward';
      s += ` using ${quoteIdentifier(es.indexNames.get(p.indexid) ?? String(p.indexid))}`;
      s += relText(p.scanrelid);
      return s;
    case 'BitmapIndexScan':
      return ` on ${quoteIdentifier(es.indexNames.get(p.indexid) ?? String(p.indexid))}`;
    case 'SeqScan': case 'BitmapHeapScan': case 'SubqueryScan': case 'FunctionScan': case 'ValuesScan': case 'CteScan': case 'WorkTableScan':
      return relText(p.scanrelid);
    case 'ModifyTable':
      return relText(p.nominalRelation);
    default:
      return '';
  }
}

import { findFunctionByOid } from '../utils/fmgr/fmgrtab.ts';
function funcNameOf(oid: number): string | null {
  return findFunctionByOid(oid)?.proname ?? null;
}

function fmt2(n: number): string {
  return n.toFixed(2);
}

function ctxFor(es: ExplainState, plan: Plan, ancestors: Plan[], useprefix: boolean): DeparseContext {
  return { stmt: es.stmt, rtNames: es.rtNames, plan, ancestors, useprefix };
}

function qualText(es: ExplainState, quals: Expr[], plan: Plan, ancestors: Plan[], useprefix: boolean): string {
  const e: Expr = quals.length === 1 ? quals[0] : { type: 'BoolExpr', boolop: 'AND_EXPR', args: quals, location: -1 };
  return deparseExpr(e, ctxFor(es, plan, ancestors, useprefix));
}

interface Detail { label: string; value: string | number | string[] | boolean; textOnly?: boolean; jsonOnly?: boolean }

/** Sort / group keys: column `col` of `tlistOwner`'s target list, printed in that node's context (show_sort_group_keys). */
function sortKeyText(es: ExplainState, plan: Plan, tlistOwner: Plan | null, cols: number[], ops: number[], nullsFirst: boolean[], ancestors: Plan[], useprefix: boolean): string[] {
  return cols.map((col, i) => {
    const tle = tlistOwner?.targetlist[col - 1];
    if (tle === undefined || tlistOwner === null) return `?${col}?`;
    const anc = tlistOwner === plan ? ancestors : [plan, ...ancestors];
    let s = deparseExpr(tle.expr, { ...ctxFor(es, tlistOwner, anc, useprefix), showimplicit: true });
    const op = ops[i] ?? 0;
    const desc = op !== 0 && btreeStrategyOf(op) === 5;
    if (desc) s += ' DESC';
    const nf = nullsFirst[i] ?? false;
    if (nf && !desc) s += ' NULLS FIRST';
    else if (!nf && desc) s += ' NULLS LAST';
    return s;
  });
}

function detailsFor(es: ExplainState, p: Plan, ancestors: Plan[]): Detail[] {
  const d: Detail[] = [];
  const multi = es.stmt.rtable.length > 1;
  const upperPrefix = multi || es.opts.verbose;
  const scanPrefix = p.type === 'SubqueryScan' || es.opts.verbose;
  const state = es.states.get(p);
  const instr = state?.instrument ?? null;
  const addQual = (label: string, quals: Expr[], prefix: boolean, removed?: number, removedLabel?: string): void => {
    if (quals.length === 0) return;
    d.push({ label, value: qualText(es, quals, p, ancestors, prefix) });
    if (es.opts.analyze && removed !== undefined && removedLabel !== undefined && removed > 0) d.push({ label: removedLabel, value: Math.round(removed / Math.max(instr?.nloops ?? 1, 1)) });
  };
  if (es.opts.verbose) {
    const out = p.type === 'ModifyTable' ? p.targetlist : p.targetlist;
    if (out.length > 0 || p.type !== 'ModifyTable') {
      const child = ctxFor(es, p, ancestors, es.stmt.rtable.length > 1);
      d.push({ label: 'Output', value: out.map((t) => deparseExpr(t.expr, child)) });
    }
  }
  switch (p.type) {
    case 'IndexScan': case 'IndexOnlyScan':
      addQual('Index Cond', p.indexqualorig, scanPrefix);
      addQual('Filter', p.qual, scanPrefix, instr?.nfiltered1, 'Rows Removed by Filter');
      if (p.type === 'IndexOnlyScan' && es.opts.analyze && instr !== null) d.push({ label: 'Heap Fetches', value: Number(instr.extra.get('Heap Fetches') ?? 0) });
      break;
    case 'BitmapIndexScan':
      addQual('Index Cond', p.indexqualorig, scanPrefix);
      break;
    case 'BitmapHeapScan':
      addQual('Recheck Cond', p.bitmapqualorig, scanPrefix, instr?.nfiltered2, 'Rows Removed by Index Recheck');
      addQual('Filter', p.qual, scanPrefix, instr?.nfiltered1, 'Rows Removed by Filter');
      break;
    case 'SeqScan': case 'ValuesScan': case 'CteScan': case 'WorkTableScan': case 'SubqueryScan':
      addQual('Filter', p.qual, scanPrefix, instr?.nfiltered1, 'Rows Removed by Filter');
      break;
    case 'FunctionScan':
      if (es.opts.verbose) d.push({ label: 'Function Call', value: p.functions.map((f) => deparseExpr(f, ctxFor(es, p, ancestors, true))).join(', ') });
      addQual('Filter', p.qual, scanPrefix, instr?.nfiltered1, 'Rows Removed by Filter');
      break;
    case 'NestLoop': case 'MergeJoin': case 'HashJoin':
      // Text shows it only in VERBOSE and when true; the structured formats always.
      if (es.opts.format === 'json') d.push({ label: 'Inner Unique', value: p.inner_unique, jsonOnly: true });
      else if (es.opts.verbose && p.inner_unique) d.push({ label: 'Inner Unique', value: true });
      if (p.type === 'HashJoin') addQual('Hash Cond', p.hashclauses, upperPrefix);
      if (p.type === 'MergeJoin') addQual('Merge Cond', p.mergeclauses, upperPrefix);
      addQual('Join Filter', p.joinqual, upperPrefix, instr?.nfiltered1, 'Rows Removed by Join Filter');
      addQual('Filter', p.qual, upperPrefix, instr?.nfiltered2, 'Rows Removed by Filter');
      break;
    case 'Agg': case 'Group': {
      const cols = p.type === 'Agg' ? p.grpColIdx : p.grpColIdx;
      if (cols.length > 0) d.push({ label: 'Group Key', value: sortKeyText(es, p, p.lefttree, cols, [], [], ancestors, upperPrefix) });
      if (es.opts.format === 'json' && p.type === 'Agg') {
        d.push({ label: 'Partial Mode', value: 'Simple', jsonOnly: true });
        if (p.aggstrategy === 'AGG_HASHED') d.push({ label: 'Planned Partitions', value: 0, jsonOnly: true });
      }
      addQual('Filter', p.qual, upperPrefix, instr?.nfiltered1, 'Rows Removed by Filter');
      if (es.opts.analyze && instr !== null && p.type === 'Agg' && p.aggstrategy === 'AGG_HASHED') {
        const mem = instr.extra.get('Memory Usage');
        if (mem !== undefined) d.push({ label: 'Batches', value: `${String(instr.extra.get('Batches') ?? 1)}  Memory Usage: ${String(mem)}` });
      }
      break;
    }
    case 'Sort': {
      const s = p as Sort;
      d.push({ label: 'Sort Key', value: sortKeyText(es, p, p, s.sortColIdx, s.sortOperators, s.nullsFirst, ancestors, upperPrefix) });
      if (es.opts.analyze && instr !== null) {
        const method = instr.extra.get('Sort Method');
        if (method !== undefined) d.push({ label: 'Sort Method', value: String(method), textOnly: true });
      }
      break;
    }
    case 'WindowAgg': {
      const child = p.lefttree;
      const parts = sortKeyText(es, p, child, p.partColIdx, [], [], ancestors, upperPrefix);
      const ords = sortKeyText(es, p, child, p.ordColIdx, [], [], ancestors, upperPrefix);
      const spec: string[] = [];
      if (parts.length > 0) spec.push(`PARTITION BY ${parts.join(', ')}`);
      if (ords.length > 0) spec.push(`ORDER BY ${ords.join(', ')}`);
      d.push({ label: 'Window', value: `w${p.winref} AS (${spec.join(' ')})` });
      addQual('Filter', p.qual, upperPrefix, instr?.nfiltered1, 'Rows Removed by Filter');
      break;
    }
    case 'Result':
      if (p.resconstantqual !== null) addQual('One-Time Filter', [p.resconstantqual], upperPrefix);
      addQual('Filter', p.qual, upperPrefix, instr?.nfiltered1, 'Rows Removed by Filter');
      break;
    case 'Hash':
      if (es.opts.analyze && instr !== null) {
        const b = instr.extra.get('Buckets');
        if (b !== undefined) d.push({ label: 'Buckets', value: `${String(b)}  Batches: ${String(instr.extra.get('Batches') ?? 1)}  Memory Usage: ${String(instr.extra.get('Memory Usage') ?? '0kB')}` });
      }
      break;
    case 'ModifyTable':
      if (p.onConflictAction !== 'ONCONFLICT_NONE') {
        d.push({ label: 'Conflict Resolution', value: p.onConflictAction === 'ONCONFLICT_NOTHING' ? 'NOTHING' : 'UPDATE' });
        if (p.arbiterIndexes.length > 0) d.push({ label: 'Conflict Arbiter Indexes', value: p.arbiterIndexes.map((o) => es.indexNames.get(o) ?? String(o)).join(', ') });
        if (p.onConflictWhere !== null) addQual('Conflict Filter', [p.onConflictWhere], upperPrefix);
      }
      break;
    default:
      break;
  }
  return d;
}

/** Relation and index names from the relation cache (the relations the plan reads, and their indexes). */
function catalogNames(catalog: CatalogAccess, stmt: PlannedStmt): { relation(oid: number): { relname: string; nspname: string } | null; index(oid: number): string | null } {
  const indexes = new Map<number, string>();
  const rels = new Map<number, { relname: string; nspname: string }>();
  for (const rte of stmt.rtable) {
    if (rte.rtekind !== 'RTE_RELATION' || rels.has(rte.relid)) continue;
    try {
      const r = catalog.getRelation(rte.relid);
      rels.set(rte.relid, { relname: r.relname, nspname: r.nspname });
      for (const ix of r.indexes) indexes.set(ix.indexrelid, ix.name);
    } catch {
      // A relation dropped since planning: EXPLAIN falls back to the range table's name.
    }
  }
  return { relation: (oid) => rels.get(oid) ?? null, index: (oid) => indexes.get(oid) ?? null };
}

/** SubPlans referenced by a node's own expressions (not its children's). */
function subPlansOf(p: Plan): SubPlan[] {
  const out: SubPlan[] = [];
  const exprs: Expr[] = [...p.targetlist.map((t) => t.expr), ...p.qual];
  if (p.type === 'NestLoop' || p.type === 'HashJoin' || p.type === 'MergeJoin') exprs.push(...p.joinqual);
  if (p.type === 'Result' && p.resconstantqual !== null) exprs.push(p.resconstantqual);
  if (p.type === 'IndexScan' || p.type === 'IndexOnlyScan' || p.type === 'BitmapIndexScan') exprs.push(...p.indexqualorig);
  if (p.type === 'FunctionScan') exprs.push(...p.functions);
  if (p.type === 'ValuesScan') for (const r of p.values_lists) exprs.push(...r);
  for (const e of exprs) {
    walkExpr(e, (n) => {
      if (n.type === 'SubPlan' && !out.some((s) => s.plan_id === n.plan_id)) out.push(n);
      return false;
    });
  }
  return out;
}

function actualText(es: ExplainState, instr: Instrumentation | null): string {
  if (instr === null || instr.nloops === 0) return ' (never executed)';
  const loops = instr.nloops;
  const rows = (instr.ntuples / loops).toFixed(2);
  if (es.opts.timing) return ` (actual time=${(instr.startupMs / loops).toFixed(3)}..${(instr.totalMs / loops).toFixed(3)} rows=${rows} loops=${loops})`;
  return ` (actual rows=${rows} loops=${loops})`;
}

function explainNodeText(es: ExplainState, p: Plan, indent: number, label: string | null, ancestors: Plan[]): void {
  const pad = ' '.repeat(indent);
  let line = pad;
  if (label !== null) {
    es.lines.push(`${pad}${label}`);
    line = `${pad}  ->  `;
  } else if (ancestors.length > 0) {
    line = `${pad}->  `;
  }
  const nn = nodeName(p);
  line += nn.text + targetText(es, p);
  if (es.opts.costs) line += `  (cost=${fmt2(p.startup_cost)}..${fmt2(p.total_cost)} rows=${Math.round(p.plan_rows)} width=${p.plan_width})`;
  if (es.opts.analyze) line += actualText(es, es.states.get(p)?.instrument ?? null);
  es.lines.push(line);
  const detailIndent = label !== null ? indent + 8 : ancestors.length > 0 ? indent + 6 : indent + 2;
  const dpad = ' '.repeat(detailIndent);
  for (const d of detailsFor(es, p, ancestors)) {
    if (d.jsonOnly === true) continue;
    const v = Array.isArray(d.value) ? d.value.join(', ') : d.value === true ? 'true' : String(d.value);
    es.lines.push(`${dpad}${d.label}: ${v}`);
  }
  const childAnc = [p, ...ancestors];
  for (const sp of p.initPlan) {
    const sub = es.stmt.subplans[sp.plan_id - 1];
    if (sub !== undefined) explainNodeText(es, sub, detailIndent, sp.plan_name, childAnc);
  }
  const kids: Plan[] = [];
  if (p.lefttree !== null) kids.push(p.lefttree);
  if (p.righttree !== null) kids.push(p.righttree);
  if (p.type === 'Append') kids.push(...p.appendplans);
  if (p.type === 'MergeAppend') kids.push(...p.mergeplans);
  if (p.type === 'SubqueryScan') kids.push(p.subplan);
  for (const k of kids) explainNodeText(es, k, detailIndent, null, childAnc);
  for (const sp of subPlansOf(p)) {
    const sub = es.stmt.subplans[sp.plan_id - 1];
    if (sub !== undefined) explainNodeText(es, sub, detailIndent, sp.plan_name, childAnc);
  }
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function explainNodeJson(es: ExplainState, p: Plan, parentRel: string | null, subplanName: string | null, ancestors: Plan[]): Json {
  const nn = nodeName(p);
  const o: { [k: string]: Json } = { 'Node Type': nn.nodeType };
  if (nn.strategy !== undefined) o.Strategy = nn.strategy;
  if (nn.operation !== undefined) o.Operation = nn.operation;
  if (parentRel !== null) o['Parent Relationship'] = parentRel;
  if (subplanName !== null) o['Subplan Name'] = subplanName;
  if (nn.joinType !== undefined) o['Join Type'] = nn.joinType;
  o['Parallel Aware'] = false;
  o['Async Capable'] = false;
  o.Disabled = false;
  if ('scanrelid' in p && p.type !== 'BitmapIndexScan' || p.type === 'ModifyTable') {
    const rti = p.type === 'ModifyTable' ? p.nominalRelation : (p as { scanrelid: number }).scanrelid;
    const rte = rteOf(es, rti);
    if (rte?.rtekind === 'RTE_RELATION') {
      const r = es.relNames.get(rte.relid);
      o['Relation Name'] = r?.relname ?? rte.eref.aliasname;
      if (es.opts.verbose) o.Schema = r?.nspname ?? 'public';
    } else if (rte?.rtekind === 'RTE_CTE') o['CTE Name'] = rte.ctename;
    else if (rte?.rtekind === 'RTE_FUNCTION' && rte.functions[0]?.funcexpr.type === 'FuncExpr') o['Function Name'] = funcNameOf(rte.functions[0].funcexpr.funcid) ?? '';
    o.Alias = es.rtNames[rti] ?? '';
  }
  if (p.type === 'IndexScan' || p.type === 'IndexOnlyScan') o['Scan Direction'] = p.indexorderdir === 'BackwardScanDirection' ? 'Backward' : 'Forward';
  if (p.type === 'IndexScan' || p.type === 'IndexOnlyScan' || p.type === 'BitmapIndexScan') o['Index Name'] = es.indexNames.get(p.indexid) ?? String(p.indexid);
  if (es.opts.costs) {
    o['Startup Cost'] = Number(fmt2(p.startup_cost));
    o['Total Cost'] = Number(fmt2(p.total_cost));
    o['Plan Rows'] = Math.round(p.plan_rows);
    o['Plan Width'] = p.plan_width;
  }
  if (es.opts.analyze) {
    const instr = es.states.get(p)?.instrument ?? null;
    const loops = instr?.nloops ?? 0;
    if (es.opts.timing) {
      o['Actual Startup Time'] = loops > 0 ? Number(((instr as Instrumentation).startupMs / loops).toFixed(3)) : 0;
      o['Actual Total Time'] = loops > 0 ? Number(((instr as Instrumentation).totalMs / loops).toFixed(3)) : 0;
    }
    o['Actual Rows'] = loops > 0 ? Number(((instr as Instrumentation).ntuples / loops).toFixed(2)) : 0;
    o['Actual Loops'] = loops;
  }
  for (const d of detailsFor(es, p, ancestors)) {
    if (d.textOnly === true) continue;
    o[d.label] = Array.isArray(d.value) ? d.value : d.value;
  }
  const plans: Json[] = [];
  const childAnc = [p, ...ancestors];
  for (const sp of p.initPlan) {
    const sub = es.stmt.subplans[sp.plan_id - 1];
    if (sub !== undefined) plans.push(explainNodeJson(es, sub, 'InitPlan', sp.plan_name, childAnc));
  }
  if (p.lefttree !== null) plans.push(explainNodeJson(es, p.lefttree, 'Outer', null, childAnc));
  if (p.righttree !== null) plans.push(explainNodeJson(es, p.righttree, 'Inner', null, childAnc));
  if (p.type === 'Append') for (const c of p.appendplans) plans.push(explainNodeJson(es, c, 'Member', null, childAnc));
  if (p.type === 'SubqueryScan') plans.push(explainNodeJson(es, p.subplan, 'Subquery', null, childAnc));
  for (const sp of subPlansOf(p)) {
    const sub = es.stmt.subplans[sp.plan_id - 1];
    if (sub !== undefined) plans.push(explainNodeJson(es, sub, 'SubPlan', sp.plan_name, childAnc));
  }
  if (plans.length > 0) o.Plans = plans;
  return o;
}

/** PostgreSQL's JSON layout: two-space indentation, one key per line. */
function jsonText(v: Json, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => `${pad}  ${jsonText(x, indent + 2)}`).join(',\n')}\n${pad}]`;
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    return `{\n${keys.map((k) => `${pad}  ${JSON.stringify(k)}: ${jsonText(v[k], indent + 2)}`).join(',\n')}\n${pad}}`;
  }
  if (typeof v === 'number' && !Number.isInteger(v)) return v.toFixed(v === Math.round(v * 100) / 100 ? 2 : 3);
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

function collectStates(roots: PlanState[]): Map<Plan, PlanState> {
  const m = new Map<Plan, PlanState>();
  const stack = [...roots];
  while (stack.length > 0) {
    const s = stack.pop() as PlanState;
    if (m.has(s.plan)) continue;
    m.set(s.plan, s);
    stack.push(...s.children());
  }
  return m;
}

/**
 * EXPLAIN [ANALYZE] of one planned statement (ExplainOnePlan). The catalog
 * names of relations and indexes come from `names` (the backend's relcache),
 * so EXPLAIN needs no catalog access of its own.
 */
export function explainOneQuery<Q>(
  stmt: PlannedStmt,
  opts: ExplainOptions & { catalog?: CatalogAccess },
  run?: ExplainExecutor<Q>,
): string[] {
  const names = opts.catalog === undefined ? undefined : catalogNames(opts.catalog, stmt);
  const used = usedRtis(stmt);
  const es: ExplainState = {
    stmt, opts, rtNames: rtableNames(stmt, used), lines: [], states: new Map(), indexNames: new Map(), relNames: new Map(),
  };
  for (const rte of stmt.rtable) {
    if (rte.rtekind === 'RTE_RELATION' && names !== undefined) {
      const r = names.relation(rte.relid);
      if (r !== null) es.relNames.set(rte.relid, r);
    }
  }
  forEachPlan(stmt, (p) => {
    if ((p.type === 'IndexScan' || p.type === 'IndexOnlyScan' || p.type === 'BitmapIndexScan') && names !== undefined) {
      const n = names.index(p.indexid);
      if (n !== null) es.indexNames.set(p.indexid, n);
    }
    if (p.type === 'ModifyTable' && names !== undefined) for (const o of p.arbiterIndexes) {
      const n = names.index(o);
      if (n !== null) es.indexNames.set(o, n);
    }
  });
  let execMs = 0;
  if (opts.analyze) {
    if (run === undefined) throw new Error('EXPLAIN ANALYZE needs an executor');
    const t0 = now();
    const qd = run.start(stmt);
    try {
      run.run(qd);
      es.states = collectStates(run.planStates(qd));
    } finally {
      run.end(qd);
    }
    execMs = now() - t0;
  }
  const summary = opts.summary;
  if (opts.format === 'json') {
    const top: { [k: string]: Json } = { Plan: explainNodeJson(es, stmt.planTree, null, null, []) };
    if (summary && opts.planningTimeMs !== undefined) top['Planning Time'] = Number(opts.planningTimeMs.toFixed(3));
    if (opts.analyze) top.Triggers = [];
    if (opts.analyze && summary) top['Execution Time'] = Number(execMs.toFixed(3));
    return [jsonText([top], 0)];
  }
  explainNodeText(es, stmt.planTree, 0, null, []);
  if (summary && opts.planningTimeMs !== undefined) es.lines.push(`Planning Time: ${opts.planningTimeMs.toFixed(3)} ms`);
  if (opts.analyze && summary) es.lines.push(`Execution Time: ${execMs.toFixed(3)} ms`);
  return es.lines;
}

export { exprType };
