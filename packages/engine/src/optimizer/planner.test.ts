/*
 * Planner tests over a test-double catalog (no storage, no PGlite): plan
 * shapes, preprocessing, join order, settings, DML target lists, setrefs'
 * references, and EXPLAIN ANALYZE / JSON formatting. Every planned
 * statement also passes validatePlan (planner.testutil.ts planSql).
 */

import { describe, expect, it } from 'vitest';
import type { Plan } from '../nodes/plannodes.ts';
import { INNER_VAR, OUTER_VAR } from '../nodes/primnodes.ts';
import type { PlanState, Instrumentation } from '../executor/execnodes.ts';
import { explainOneQuery } from '../commands/explain.ts';
import { FakeCatalog, explainSql, planShape, planSql } from './planner.testutil.ts';
import { validatePlan } from './plan/planvalidate.ts';
import { isPgError } from '../utils/errors.ts';

function catalog(): FakeCatalog {
  const cat = new FakeCatalog();
  cat.addTable({ name: 't', columns: [['a', 'int4'], ['b', 'text']], indexes: [{ name: 't_a', columns: ['a'] }] });
  cat.addTable({ name: 'u', columns: [['a', 'int4', -1, true], ['c', 'int4']], indexes: [{ name: 'u_pkey', columns: ['a'], primary: true }] });
  cat.addTable({ name: 'e', columns: [['x', 'int4'], ['y', 'int4']] });
  // Analyzed tables of very different sizes, for join order.
  cat.addTable({ name: 'big1', columns: [['id', 'int4'], ['k', 'int4']], relpages: 5000, reltuples: 1_000_000 });
  cat.addTable({ name: 'big2', columns: [['id', 'int4'], ['k', 'int4']], relpages: 5000, reltuples: 1_000_000 });
  cat.addTable({ name: 'small', columns: [['id', 'int4'], ['k', 'int4']], relpages: 1, reltuples: 10, indexes: [{ name: 'small_pkey', columns: ['id'], primary: true }] });
  cat.addTable({ name: 'mid', columns: [['id', 'int4'], ['k', 'int4']], relpages: 50, reltuples: 10_000 });
  return cat;
}

const cat = catalog();
const shape = (sql: string, settings: Record<string, string> = {}): string[] => planShape(planSql(cat, sql, settings).planTree);

describe('relation size (plancat)', () => {
  it('a never-analyzed table is at least 10 pages, its tuples from the column widths', () => {
    // (a int, b text): 4 + 32 bytes + 28 of overhead = 64 per tuple, 127 per page.
    expect(explainSql(cat, 'select * from t')).toBe('Seq Scan on t  (cost=0.00..22.70 rows=1270 width=36)');
  });
  it('uses the current block count when the caller can count blocks', () => {
    const stmt = planSql(cat, 'select * from t');
    expect(stmt.planTree.plan_rows).toBe(1270);
    const c2 = catalog();
    const q = explainSql(c2, 'select * from big1');
    expect(q).toBe('Seq Scan on big1  (cost=0.00..15000.00 rows=1000000 width=8)');
  });
});

describe('scan paths', () => {
  it('seq scan with a filter', () => {
    expect(shape('select * from e where y = 3')).toEqual(['SeqScan']);
  });
  it('unique equality uses an index scan, a non-unique one a bitmap scan', () => {
    expect(shape('select * from u where a = 1')).toEqual(['IndexScan']);
    expect(shape('select * from t where a = 1')).toEqual(['BitmapHeapScan', 'BitmapIndexScan']);
  });
  it('index-only scan when the index covers every needed column; backward for DESC', () => {
    const p = planSql(cat, 'select a from t order by a desc limit 3').planTree;
    expect(planShape(p)).toEqual(['Limit', 'IndexOnlyScan']);
    expect((p.lefttree as Plan & { indexorderdir: string }).indexorderdir).toBe('BackwardScanDirection');
  });
  it('enable_bitmapscan / enable_indexscan / enable_seqscan steer the choice', () => {
    expect(shape('select * from t where a = 1', { enable_bitmapscan: 'off' })).toEqual(['IndexScan']);
    expect(shape('select * from t where a = 1', { enable_bitmapscan: 'off', enable_indexscan: 'off' })).toEqual(['SeqScan']);
    expect(shape('select * from t order by a', { enable_indexscan: 'off' })).toEqual(['Sort', 'SeqScan']);
  });
  it('IS NULL and = ANY are index conditions', () => {
    expect(explainSql(cat, 'select * from t where a is null', { costs: false })).toContain('Index Cond: (a IS NULL)');
    expect(explainSql(cat, 'select * from t where a = any(array[1,2])', { costs: false })).toContain("Index Cond: (a = ANY ('{1,2}'::integer[]))");
  });
});

describe('preprocessing', () => {
  it('folds constants and drops true clauses', () => {
    expect(explainSql(cat, 'select * from e where 1 + 1 = 2 and x = 2 * 3', { costs: false })).toBe('Seq Scan on e\n  Filter: (x = 6)');
  });
  it('a false WHERE is a one-time filter Result without a scan', () => {
    expect(explainSql(cat, 'select * from e where x = 1 and 1 = 0', { costs: false })).toBe('Result\n  One-Time Filter: false');
  });
  it('pushes NOT down through comparisons', () => {
    expect(explainSql(cat, 'select * from e where not (x > 1)', { costs: false })).toBe('Seq Scan on e\n  Filter: (x <= 1)');
  });
  it('reports errors of immutable functions at plan time, as PostgreSQL does', () => {
    let err: unknown = null;
    try {
      planSql(cat, 'select * from e where x = 1 / 0');
    } catch (e) {
      err = e;
    }
    expect(isPgError(err) && err.code).toBe('22012');
  });
  it('IN (sub-select) becomes a semi join, NOT EXISTS an anti join', () => {
    expect(explainSql(cat, 'select * from e where x in (select a from u)', { costs: false })).toMatch(/^Hash (Semi )?Join/);
    expect(explainSql(cat, 'select * from e where not exists (select 1 from u where u.a = e.x)', { costs: false })).toMatch(/^Hash Anti Join/);
  });
  it('pulls up simple sub-selects and inlines single-use CTEs', () => {
    expect(shape('select * from (select x from e where y > 1) s where x < 5')).toEqual(['SeqScan']);
    expect(shape('with c as (select * from e) select * from c')).toEqual(['SeqScan']);
    expect(shape('with c as materialized (select * from e) select * from c')).toEqual(['CteScan', 'SeqScan'].slice(0, 1));
  });
  it('a strict WHERE clause on the nullable side reduces a LEFT JOIN to an inner join', () => {
    expect(explainSql(cat, 'select * from e left join u on e.x = u.a where u.c = 1', { costs: false })).not.toContain('Left');
    expect(explainSql(cat, 'select * from e left join u on e.x = u.a where u.c is null', { costs: false })).toContain('Left Join');
  });
  it('keeps quals above an outer join on its nullable side above it', () => {
    const text = explainSql(cat, 'select * from e left join u on e.x = u.a where coalesce(u.c, 0) = 0', { costs: false });
    expect(text).toMatch(/Hash Left Join[\s\S]*Filter: \(COALESCE\(u\.c, 0\) = 0\)/);
  });
  it('uncorrelated sub-selects are initplans, correlated ones SubPlans with parameters', () => {
    const init = planSql(cat, 'select * from e where x > (select max(c) from u)');
    expect(init.planTree.initPlan.map((s) => s.plan_name)).toEqual(['InitPlan 1']);
    const corr = planSql(cat, 'select x, (select c from u where u.a = e.y) from e');
    const sp = corr.planTree.targetlist[1].expr;
    expect(sp.type).toBe('SubPlan');
    if (sp.type === 'SubPlan') {
      expect(sp.parParam.length).toBe(1);
      expect(sp.args[0]).toMatchObject({ type: 'Var', varattno: 2 });
    }
  });
  it('hashes an uncorrelated NOT IN', () => {
    expect(explainSql(cat, 'select * from e where x not in (select c from u)', { costs: false })).toContain('(NOT (ANY (x = (hashed SubPlan 1).col1)))');
  });
});

describe('join order', () => {
  it('a 4-table join picks a cheaper order than the one written', () => {
    const sql = 'select * from big1 join big2 on big1.k = big2.k join mid on mid.id = big2.id join small on small.id = big1.id where small.k = 1';
    const chosen = planSql(cat, sql);
    const written = planSql(cat, sql, { join_collapse_limit: '1' });
    expect(chosen.planTree.total_cost).toBeLessThan(written.planTree.total_cost);
    // The written order joins the two big tables first; the chosen plan first joins big1 with the one matching row of small.
    const deepestCond = (text: string): string => text.split('\n').filter((l) => /(Hash|Merge) Cond|Join Filter/.test(l)).pop() ?? '';
    expect(deepestCond(explainSql(cat, sql, {}, { join_collapse_limit: '1' }))).toContain('big1.k = big2.k');
    expect(deepestCond(explainSql(cat, sql))).toContain('small.id');
  });
  it('uses a parameterized inner index scan in a nested loop', () => {
    const text = explainSql(cat, 'select * from small join u on u.a = small.k', { costs: false });
    expect(text).toContain('Nested Loop');
    expect(text).toContain('Index Cond: (a = small.k)');
    const nl = planSql(cat, 'select * from small join u on u.a = small.k').planTree;
    if (nl.type === 'NestLoop') expect(nl.nestParams.length).toBe(1);
  });
  it('falls back to hash or merge joins when nested loops are disabled and vice versa', () => {
    expect(shape('select * from e join u on e.x = u.a', { enable_hashjoin: 'off' })[0]).toMatch(/MergeJoin|NestLoop/);
    expect(shape('select * from e join u on e.x = u.a', { enable_hashjoin: 'off', enable_mergejoin: 'off' })[0]).toBe('NestLoop');
  });
});

describe('regressions', () => {
  it('a LATERAL function call is the parameterized inner side of a nested loop', () => {
    const stmt = planSql(cat, 'select * from t, generate_series(1, t.a) g');
    expect(planShape(stmt.planTree)).toEqual(['NestLoop', 'SeqScan', 'FunctionScan']);
    expect(stmt.planTree.type === 'NestLoop' && stmt.planTree.nestParams.length).toBe(1);
  });
  it('a CTE read by another CTE that gets inlined keeps finding its plan', () => {
    expect(explainSql(cat, 'with w as (select * from t), v as (select * from w) select * from v join w on v.a = w.a', { costs: false })).toContain('CTE w');
  });
  it('sorting a varchar column uses text\'s operators (no zero sort operator)', () => {
    const c2 = new FakeCatalog();
    c2.addTable({ name: 'v', columns: [['s', 'varchar', 14], ['n', 'int4']] });
    for (const sql of ['select * from v order by s', 'select * from v order by s desc', 'select * from v v1 join v v2 on v1.s = v2.s']) {
      const visit = (p: Plan | null): void => {
        if (p === null) return;
        if (p.type === 'Sort') expect(p.sortOperators.every((o) => o > 0)).toBe(true);
        visit(p.lefttree);
        visit(p.righttree);
      };
      visit(planSql(c2, sql, { enable_hashjoin: 'off' }).planTree);
    }
  });
  it('DISTINCT ON sorts by the ORDER BY and keeps the first row per group', () => {
    expect(shape('select distinct on (a) a, b from t order by a, b')).toEqual(['Unique', 'Sort', 'SeqScan']);
  });
});

describe('upper planning', () => {
  it('hash vs sorted aggregation follows enable_hashagg', () => {
    expect(shape('select x, count(*) from e group by x')[0]).toBe('Agg');
    const sorted = planSql(cat, 'select x, count(*) from e group by x', { enable_hashagg: 'off' }).planTree;
    expect(sorted.type === 'Agg' && sorted.aggstrategy).toBe('AGG_SORTED');
    expect(planShape(sorted)).toEqual(['Agg', 'Sort', 'SeqScan']);
  });
  it('window functions sort their input; DISTINCT uses Unique or HashAggregate; LIMIT on top', () => {
    expect(shape('select row_number() over (partition by y order by x) from e')).toEqual(['WindowAgg', 'Sort', 'SeqScan']);
    expect(shape('select distinct x from e', { enable_hashagg: 'off' })).toEqual(['Unique', 'Sort', 'SeqScan']);
    expect(shape('select * from e order by y limit 5')).toEqual(['Limit', 'Sort', 'SeqScan']);
  });
  it('set operations, recursive CTEs, VALUES, SRFs, FOR UPDATE', () => {
    expect(shape('select x from e union all select a from u')).toEqual(['Append', 'SeqScan', 'SeqScan']);
    expect(shape('with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select * from r')).toEqual(['CteScan']);
    expect(planShape(planSql(cat, 'with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select * from r').subplans[0])).toEqual(['RecursiveUnion', 'Result', 'WorkTableScan']);
    expect(shape('values (1), (2)')).toEqual(['ValuesScan']);
    expect(shape('select generate_series(1, 3)')).toEqual(['ProjectSet', 'Result']);
    expect(shape('select * from e for update')).toEqual(['LockRows', 'SeqScan']);
  });
});

describe('ModifyTable', () => {
  it('UPDATE outputs the new SET values then the junk ctid', () => {
    const stmt = planSql(cat, "update t set b = 'x' where a = 1");
    const mt = stmt.planTree;
    expect(mt.type).toBe('ModifyTable');
    if (mt.type !== 'ModifyTable') return;
    expect(mt.updateColnosLists).toEqual([[2]]);
    const sub = mt.lefttree as Plan;
    expect(sub.targetlist.map((t) => [t.resname, t.resjunk])).toEqual([['b', false], ['ctid', true]]);
    expect(sub.targetlist[1].expr).toMatchObject({ type: 'Var', varattno: -1, vartype: 27 });
  });
  it('DELETE ... RETURNING and INSERT ... ON CONFLICT carry their lists', () => {
    const del = planSql(cat, 'delete from e where x = 1 returning y').planTree;
    expect(del.type === 'ModifyTable' && del.returningLists[0].length).toBe(1);
    const ins = planSql(cat, 'insert into u values (1, 2) on conflict (a) do update set c = excluded.c').planTree;
    expect(ins.type === 'ModifyTable' && ins.onConflictAction).toBe('ONCONFLICT_UPDATE');
    if (ins.type === 'ModifyTable') {
      expect(ins.onConflictSet.length).toBe(1);
      expect(ins.exclRelRTI).toBeGreaterThan(0);
      expect((ins.lefttree as Plan).targetlist.length).toBe(2);
    }
  });
});

describe('setrefs', () => {
  it('joins reference their inputs with OUTER_VAR / INNER_VAR', () => {
    const stmt = planSql(cat, 'select e.y, u.c from e join u on e.x = u.a');
    const j = stmt.planTree;
    const varnos = j.targetlist.map((t) => (t.expr.type === 'Var' ? t.expr.varno : 0));
    expect(varnos.every((v) => v === OUTER_VAR || v === INNER_VAR)).toBe(true);
    expect(stmt.relationOids.length).toBe(2);
  });
  it('numbers aggregates and plan nodes', () => {
    const stmt = planSql(cat, 'select x, count(*), sum(y), count(*) from e group by x');
    const agg = stmt.planTree;
    const aggnos = agg.targetlist.map((t) => (t.expr.type === 'Aggref' ? t.expr.aggno : -1));
    expect(aggnos).toEqual([-1, 0, 1, 0]);
    const ids: number[] = [];
    const visit = (p: Plan | null): void => {
      if (p === null) return;
      ids.push(p.plan_node_id);
      visit(p.lefttree);
      visit(p.righttree);
    };
    visit(agg);
    expect(new Set(ids).size).toBe(ids.length);
  });
  it('flattens sub-query range tables and types PARAM_EXEC slots', () => {
    const stmt = planSql(cat, 'select x, (select max(c) from u where u.a = e.y) from e');
    expect(stmt.rtable.map((r) => r.eref.aliasname)).toEqual(['e', 'u']);
    expect(stmt.paramExecTypes.length).toBeGreaterThan(0);
    expect(stmt.subplans.length).toBe(1);
  });
  it('the validator rejects a dangling reference', () => {
    const stmt = planSql(cat, 'select e.y from e join u on e.x = u.a');
    stmt.planTree.targetlist[0].expr = { type: 'Var', varno: OUTER_VAR, varattno: 99, vartype: 23, vartypmod: -1, varlevelsup: 0, location: -1 };
    expect(() => validatePlan(stmt)).toThrow(/beyond the child/);
  });
});

describe('EXPLAIN', () => {
  it('ANALYZE reads the executor states: actual rows, loops, rows removed, execution time', () => {
    const stmt = planSql(cat, 'select * from e where y = 3');
    const instr = (n: number, removed: number): Instrumentation => ({ startupMs: 0.01, totalMs: 0.5, ntuples: n, nloops: 1, nfiltered1: removed, nfiltered2: 0, extra: new Map() });
    const state: PlanState = {
      plan: stmt.planTree, estate: null as never, instrument: instr(4, 6),
      next: () => null, rescan: () => undefined, end: () => undefined, children: () => [],
    };
    let ran = false;
    const lines = explainOneQuery(stmt, { analyze: true, verbose: false, costs: false, buffers: false, timing: true, summary: true, format: 'text', planningTimeMs: 0.123, catalog: cat }, {
      start: () => 1, run: () => { ran = true; }, planStates: () => [state], end: () => undefined,
    });
    expect(ran).toBe(true);
    expect(lines[0]).toBe('Seq Scan on e (actual time=0.010..0.500 rows=4.00 loops=1)');
    expect(lines[1]).toBe('  Filter: (y = 3)');
    expect(lines[2]).toBe('  Rows Removed by Filter: 6');
    expect(lines[3]).toBe('Planning Time: 0.123 ms');
    expect(lines[4]).toMatch(/^Execution Time: \d+\.\d{3} ms$/);
  });
  it('nodes that never ran say so', () => {
    const stmt = planSql(cat, 'select * from e where y = 3');
    const lines = explainOneQuery(stmt, { analyze: true, verbose: false, costs: false, buffers: false, timing: false, summary: false, format: 'text', catalog: cat }, {
      start: () => 1, run: () => undefined, planStates: () => [], end: () => undefined,
    });
    expect(lines[0]).toBe('Seq Scan on e (never executed)');
  });
  it('FORMAT JSON is one row holding the document', () => {
    const out = explainSql(cat, 'select * from e', { format: 'json' });
    const doc = JSON.parse(out) as { Plan: { 'Node Type': string; 'Relation Name': string } }[];
    expect(doc[0].Plan['Node Type']).toBe('Seq Scan');
    expect(doc[0].Plan['Relation Name']).toBe('e');
  });
});
