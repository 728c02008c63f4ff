/*
 * SubPlans (NULL semantics of IN / NOT IN / ALL, hashed and looped;
 * correlated EXISTS and scalar subqueries; ARRAY), initplans run lazily,
 * CTE scans sharing one store, and WITH RECURSIVE.
 */
import { describe, expect, it } from 'vitest';
import type { CteScan, Limit, NestLoop, Plan, RecursiveUnion, Result, Sort, WorkTableScan } from '../nodes/plannodes.ts';
import type { Expr, SubPlan } from '../nodes/primnodes.ts';
import { ArrayValue } from '../utils/adt/array.ts';
import { isPgError } from '../utils/errors.ts';
import { ExecutorEnd, ExecutorRun } from './execMain.ts';
import { executorPrivate } from './execUtils.ts';
import { TestDb, INT4, seqscan, rteRelation, rteBase, stmt, op, v, c, base, tle, param, not, subplan, aggref, opOid, type TestTable } from './exec.testutil.ts';

const db = new TestDb();
const A = db.createTable('a', [['x', INT4]], [[1], [2], [null]]);
const B = db.createTable('b', [['y', INT4]], [[2], [3]]);
const BN = db.createTable('bn', [['y', INT4]], [[2], [null]]);
const E = db.createTable('e', [['y', INT4]], []);

/** SELECT <expr> FROM a, with the subquery's table as range-table entry 2. */
function overA(expr: Expr, sub: TestTable, subplans: Plan[] = [seqscan(2, sub)], nParams = 4): unknown[] {
  const s = seqscan(1, A, [], [tle(v(1, 1, INT4), 1, 'x'), tle(expr, 2, 'r')]);
  return db.run(stmt(s, [rteRelation(A), rteRelation(sub)], subplans, nParams)).map((r) => r[1]);
}

const anyOf = (opname: string, kind: 'ANY_SUBLINK' | 'ALL_SUBLINK', hashed = false): SubPlan =>
  subplan(1, kind, { testexpr: op(opname, v(1, 1, INT4), param('PARAM_EXEC', 0, INT4)), paramIds: [0], useHashTable: hashed });

describe('ANY / ALL subplans', () => {
  for (const hashed of [false, true]) {
    it(`x IN / NOT IN (subquery) with PostgreSQL's NULL semantics${hashed ? ' (hashed)' : ''}`, () => {
      expect(overA(anyOf('=', 'ANY_SUBLINK', hashed), B)).toEqual([false, true, null]);
      expect(overA(not(anyOf('=', 'ANY_SUBLINK', hashed)), B)).toEqual([true, false, null]);
      // A NULL in the subquery: 1 NOT IN (2, NULL) is NULL, 2 NOT IN (2, NULL) is false.
      expect(overA(not(anyOf('=', 'ANY_SUBLINK', hashed)), BN)).toEqual([null, false, null]);
      // An empty subquery: NULL IN () is false, NULL NOT IN () is true.
      expect(overA(anyOf('=', 'ANY_SUBLINK', hashed), E)).toEqual([false, false, false]);
      expect(overA(not(anyOf('=', 'ANY_SUBLINK', hashed)), E)).toEqual([true, true, true]);
    });
  }
  it('x < ALL (subquery)', () => {
    expect(overA(anyOf('<', 'ALL_SUBLINK'), B)).toEqual([true, false, null]);
    expect(overA(anyOf('<', 'ALL_SUBLINK'), BN)).toEqual([null, false, null]);
    expect(overA(anyOf('<', 'ALL_SUBLINK'), E)).toEqual([true, true, true]);
  });
});

describe('correlated subplans', () => {
  const correlated = (kind: SubPlan['subLinkType'], qualTable: TestTable): [SubPlan, ReturnType<typeof seqscan>] => [
    subplan(1, kind, { parParam: [1], args: [v(1, 1, INT4)] }),
    seqscan(2, qualTable, [op('=', v(2, 1, INT4), param('PARAM_EXEC', 1, INT4))]),
  ];
  it('EXISTS', () => {
    const [sp, plan] = correlated('EXISTS_SUBLINK', B);
    expect(overA(sp, B, [plan])).toEqual([false, true, false]);
  });
  it('scalar subquery: a value, NULL for no row, 21000 for two', () => {
    const [sp, plan] = correlated('EXPR_SUBLINK', B);
    expect(overA(sp, B, [plan])).toEqual([null, 2, null]);
    try {
      overA(subplan(1, 'EXPR_SUBLINK'), B);
      expect.unreachable();
    } catch (e) {
      expect(isPgError(e) && e.code === '21000' && e.message === 'more than one row returned by a subquery used as an expression').toBe(true);
    }
  });
  it('ARRAY(subquery)', () => {
    const r = overA(subplan(1, 'ARRAY_SUBLINK'), B)[0];
    expect(r instanceof ArrayValue && r.elements).toEqual([2, 3]);
  });
});

describe('initplans', () => {
  it('run when their param is first read, once', () => {
    const init = subplan(1, 'EXPR_SUBLINK', { setParam: [2] });
    const sub = seqscan(2, B, [op('=', v(2, 1, INT4), c(3, INT4))]);
    const s = seqscan(1, A, [op('<', v(1, 1, INT4), param('PARAM_EXEC', 2, INT4))]);
    s.initPlan = [init];
    const qd = db.start(stmt(s, [rteRelation(A), rteRelation(B)], [sub], 4), { instrument: true });
    const rows: unknown[][] = [];
    ExecutorRun(qd, (r) => rows.push(r));
    ExecutorEnd(qd);
    expect(rows).toEqual([[1], [2]]);
  });
  it('are not run when nothing reads their param', () => {
    // The initplan would fail (two rows), but a false one-time filter means its param is never read.
    const r: Result = { type: 'Result', ...base([tle(param('PARAM_EXEC', 2, INT4), 1)]), resconstantqual: c(false, 16) };
    r.initPlan = [subplan(1, 'EXPR_SUBLINK', { setParam: [2] })];
    expect(db.run(stmt(r, [rteRelation(A), rteRelation(B)], [seqscan(2, B)], 4))).toEqual([]);
    r.resconstantqual = c(true, 16);
    expect(() => db.run(stmt(r, [rteRelation(A), rteRelation(B)], [seqscan(2, B)], 4))).toThrowError(/more than one row/);
  });
});

describe('CTE scans', () => {
  it('two readers share one run of the CTE plan', () => {
    const cte = (rti: number): CteScan => ({ type: 'CteScan', ...base([tle(v(rti, 1, INT4), 1)]), scanrelid: rti, ctePlanId: 1, cteParam: 0 });
    const nl: NestLoop = {
      type: 'NestLoop', ...base([tle(v(-2, 1, INT4), 1), tle(v(-1, 1, INT4), 2)], cte(1), cte(2)), jointype: 'JOIN_INNER', inner_unique: false, joinqual: [], nestParams: [],
    };
    const rt = [rteBase('RTE_CTE', ['y'], [INT4]), rteBase('RTE_CTE', ['y'], [INT4]), rteRelation(B)];
    const qd = db.start(stmt(nl, rt, [seqscan(3, B)], 1), { instrument: true });
    const rows: unknown[][] = [];
    ExecutorRun(qd, (r) => rows.push(r));
    ExecutorEnd(qd);
    expect(rows).toEqual([[2, 2], [2, 3], [3, 2], [3, 3]]);
    // The CTE's plan ran once: its scan returned each row once, though the inner CteScan read them twice.
    const priv = executorPrivate(qd.estate);
    expect(priv.subplanStates[0]?.instrument?.ntuples).toBe(2);
    expect(qd.planstate.children()[1].instrument?.ntuples).toBe(4);
  });
});

describe('WITH RECURSIVE', () => {
  const rt = [rteBase('RTE_CTE', ['n'], [INT4])];
  const recursive = (all: boolean, step: Expr, stop: Expr[]): RecursiveUnion => {
    const left: Result = { type: 'Result', ...base([tle(c(1, INT4), 1, 'n')]), resconstantqual: null };
    const wts: WorkTableScan = { type: 'WorkTableScan', ...base([tle(step, 1, 'n')], null, null, stop), scanrelid: 1, wtParam: 0 };
    return {
      type: 'RecursiveUnion', ...base([tle(v(-2, 1, INT4), 1, 'n')], left, wts), wtParam: 0,
      numCols: all ? 0 : 1, dupColIdx: all ? [] : [1], dupOperators: all ? [] : [0], numGroups: 10,
    };
  };
  it('UNION ALL counts to 5', () => {
    const r = recursive(true, op('+', v(1, 1, INT4), c(1, INT4)), [op('<', v(1, 1, INT4), c(5, INT4))]);
    expect(db.run(stmt(r, rt, [], 1)).map((x) => x[0])).toEqual([1, 2, 3, 4, 5]);
  });
  it('UNION stops at a cycle', () => {
    const r = recursive(false, op('+', op('%', v(1, 1, INT4), c(3, INT4)), c(1, INT4)), []);
    expect(db.run(stmt(r, rt, [], 1)).map((x) => x[0])).toEqual([1, 2, 3]);
  });
  it('a runaway UNION ends with 53200 at work_mem (its set of seen rows grows)', () => {
    db.workMemBytes = 100_000;
    try {
      const r = recursive(false, op('+', v(1, 1, INT4), c(1, INT4)), []);
      expect(() => db.run(stmt(r, rt, [], 1))).toThrowError(/out of memory/);
    } finally {
      db.workMemBytes = 4 * 1024 * 1024;
    }
  });
  it('a runaway UNION ALL is stopped by checkInterrupts (statement_timeout)', () => {
    db.interruptAfter = 10_000;
    try {
      const r = recursive(true, op('+', v(1, 1, INT4), c(1, INT4)), []);
      expect(() => db.run(stmt(r, rt, [], 1))).toThrowError(/statement timeout/);
    } finally {
      db.interruptAfter = Infinity;
    }
  });
});

describe('rescans under a correlated subplan', () => {
  it('Agg, Sort and Limit over a parameterized scan run again for each outer row', () => {
    // (SELECT count(*) FROM b WHERE y > a.x) and (SELECT y FROM b WHERE y >= a.x ORDER BY y DESC LIMIT 1)
    const countPlan = {
      type: 'Agg' as const, ...base([tle(aggref('count', [], 0), 1)], seqscan(2, B, [op('>', v(2, 1, INT4), param('PARAM_EXEC', 1, INT4))])),
      aggstrategy: 'AGG_PLAIN' as const, aggsplit: 'AGGSPLIT_SIMPLE' as const, numCols: 0, grpColIdx: [], grpOperators: [], numGroups: 1,
    };
    expect(overA(subplan(1, 'EXPR_SUBLINK', { parParam: [1], args: [v(1, 1, INT4)] }), B, [countPlan])).toEqual([2n, 1n, 0n]);
    const sort: Sort = {
      type: 'Sort', ...base([tle(v(-2, 1, INT4), 1)], seqscan(2, B, [op('>=', v(2, 1, INT4), param('PARAM_EXEC', 1, INT4))])),
      numCols: 1, sortColIdx: [1], sortOperators: [opOid('>', INT4, INT4)], nullsFirst: [true],
    };
    const limit: Limit = {
      type: 'Limit', ...base([tle(v(-2, 1, INT4), 1)], sort), limitOffset: null, limitCount: c(1n, 20), limitOption: 'LIMIT_OPTION_COUNT', uniqNumCols: 0, uniqColIdx: [], uniqOperators: [],
    };
    expect(overA(subplan(1, 'EXPR_SUBLINK', { parParam: [1], args: [v(1, 1, INT4)] }), B, [limit])).toEqual([3, 3, null]);
  });
});
