/*
 * execEPQ.test.ts — EvalPlanQual's copy of a subplan over hand-built plans:
 * which scans get a test row (the target's new version, a table's fixed
 * row, a VALUES / sub-select row kept whole), how each checks its quals
 * (an index-only scan makes its index row from the heap row), that a
 * replaced sub-select's plan is never run, and that the copy gives the
 * main plan its PARAM_EXEC values back. The concurrent behaviour itself is
 * tested against PostgreSQL by the isolation specs epq-*.spec
 * (packages/worker-host/src/isolation).
 */

import { describe, expect, it } from 'vitest';
import type { Tid } from '../access/common/itemptr.ts';
import type { IndexOnlyScan, IndexScan, NestLoop, Result, Sort, SubqueryScan, ValuesScan } from '../nodes/plannodes.ts';
import { INDEX_VAR } from '../nodes/primnodes.ts';
import type { TypeInfo } from '../utils/adt/datum.ts';
import { typeByOid } from '../utils/adt/types.ts';
import { TestDb, INT4, TEXT, base, c, op, opOid, outerTlist, param, rteBase, rteRelation, seqscan, stmt, tle, v } from './exec.testutil.ts';
import { EPQState, type EPQRow } from './execEPQ.ts';
import { ExecutorEnd } from './execMain.ts';

const db = new TestDb();
const T = db.createTable('epq_t', [['a', INT4], ['b', TEXT]], [[1, 'one'], [2, 'two'], [3, 'three']]);
const index = db.engine.createIndex(T.rel, 'epq_t_a', { columns: [{ name: 'a', type: typeByOid(INT4) as TypeInfo, heapAttnum: 1 }] });
db.catalog.getRelation(T.oid).indexes.push({
  indexrelid: index.oid, indrelid: T.oid, name: 'epq_t_a', indkey: [1], indoption: [0], indisunique: false, indisprimary: false, index, relpages: 1, reltuples: 3, treeHeight: 1,
});
const TID = 7 as unknown as Tid;
const heapRow = (a: number, b: string): EPQRow => ({ values: [a, b], tid: TID, tableOid: T.oid });

/** Runs `fn` with an EPQState over `plan` (the plan is started, so its EState exists, then ended). */
function withEPQ(planStmt: ReturnType<typeof stmt>, rtis: number[], required: number[], fn: (epq: EPQState, params: unknown[]) => void): void {
  const qd = db.start(planStmt);
  try {
    fn(new EPQState(planStmt.planTree, qd.estate, new Set(rtis), new Set(required)), qd.estate.execParams);
  } finally {
    ExecutorEnd(qd);
  }
}

describe('EvalPlanQual', () => {
  it('an index-only scan checks its index condition and qual on the index row made from the heap row', () => {
    const ios: IndexOnlyScan = {
      type: 'IndexOnlyScan', ...base([tle(v(INDEX_VAR, 1, INT4), 1), tle(v(1, -1, 27), 2)], null, null, [op('<>', v(INDEX_VAR, 1, INT4), c(2, INT4))]),
      scanrelid: 1, indexid: index.oid, indexqual: [op('<=', v(INDEX_VAR, 1, INT4), c(3, INT4))], indexqualorig: [],
      indextlist: [tle(v(1, 1, INT4), 1)], indexorderdir: 'ForwardScanDirection',
    };
    withEPQ(stmt(ios, [rteRelation(T)]), [1], [1], (epq) => {
      expect(epq.supported).toBe(true);
      expect(epq.recheck(new Map([[1, heapRow(3, 'x')]]))?.values).toEqual([3, TID]);
      expect(epq.recheck(new Map([[1, heapRow(4, 'x')]]))).toBeNull(); // index condition a <= 3
      expect(epq.recheck(new Map([[1, heapRow(2, 'x')]]))).toBeNull(); // qual a <> 2
      expect(epq.recheck(new Map([[1, null]]))).toBeNull();
    });
  });

  it('a join: the VALUES row is held fixed (kept whole), the target row is the new version, the index condition is rechecked', () => {
    // NestLoop(ValuesScan rti 2 (x), IndexScan rti 1 on a = $0), output a, b, x.
    const vals: ValuesScan = { type: 'ValuesScan', ...base([tle(v(2, 1, INT4), 1)]), scanrelid: 2, values_lists: [[c(1, INT4)], [c(2, INT4)]] };
    const inner: IndexScan = {
      type: 'IndexScan', ...base([tle(v(1, 1, INT4), 1), tle(v(1, 2, TEXT), 2)]), scanrelid: 1, indexid: index.oid,
      indexqual: [op('=', v(INDEX_VAR, 1, INT4), param('PARAM_EXEC', 0, INT4))], indexqualorig: [op('=', v(1, 1, INT4), param('PARAM_EXEC', 0, INT4))],
      indexorderdir: 'ForwardScanDirection',
    };
    const nl: NestLoop = {
      type: 'NestLoop', ...base([tle(v(-1, 1, INT4), 1), tle(v(-1, 2, TEXT), 2), tle(v(-2, 1, INT4), 3)], vals, inner),
      jointype: 'JOIN_INNER', inner_unique: false, joinqual: [], nestParams: [{ type: 'NestLoopParam', paramno: 0, paramval: v(-2, 1, INT4) }],
    };
    const rt = [rteRelation(T), rteBase('RTE_VALUES', ['x'], [INT4])];
    withEPQ(stmt(nl, rt, [], 1), [1, 2], [1], (epq, params) => {
      params[0] = 99; // the main plan's current outer value: a re-check must give it back
      const copyRow = (x: number): EPQRow => ({ values: [x], tid: 0 as unknown as Tid, tableOid: 0 });
      expect(epq.recheck(new Map([[1, heapRow(2, 'new')], [2, copyRow(2)]]))?.values).toEqual([2, 'new', 2]);
      expect(params[0]).toBe(99);
      // The new version's key no longer matches the VALUES row it was joined with.
      expect(epq.recheck(new Map([[1, heapRow(2, 'new')], [2, copyRow(1)]]))).toBeNull();
      // The NULL-extended side: no row.
      expect(epq.recheck(new Map([[1, heapRow(2, 'new')], [2, null]]))).toBeNull();
    });
  });

  it('a replaced sub-select returns its kept row and its own plan never runs', () => {
    // The subquery's plan divides by zero: running it would fail.
    const boom: Result = { type: 'Result', ...base([tle(op('/', c(1, INT4), c(0, INT4)), 1)]), resconstantqual: null };
    const sq: SubqueryScan = { type: 'SubqueryScan', ...base([tle(v(1, 1, INT4), 1)], null, null, [op('>', v(1, 1, INT4), c(0, INT4))]), scanrelid: 1, subplan: boom };
    withEPQ(stmt(sq, [rteBase('RTE_SUBQUERY', ['q'], [INT4])]), [1], [], (epq) => {
      expect(epq.recheck(new Map([[1, { values: [5], tid: 0 as unknown as Tid, tableOid: 0 }]]))?.values).toEqual([5]);
      expect(epq.recheck(new Map([[1, { values: [-5], tid: 0 as unknown as Tid, tableOid: 0 }]]))).toBeNull();
    });
  });

  it('a Sort in the copy sorts each re-check\'s rows again instead of replaying the first ones', () => {
    const sort: Sort = {
      type: 'Sort', ...base(outerTlist([INT4, TEXT]), seqscan(1, T)), numCols: 1, sortColIdx: [1],
      sortOperators: [opOid('<', INT4, INT4)], nullsFirst: [false],
    };
    withEPQ(stmt(sort, [rteRelation(T)]), [1], [1], (epq) => {
      expect(epq.recheck(new Map([[1, heapRow(1, 'first')]]))?.values).toEqual([1, 'first']);
      expect(epq.recheck(new Map([[1, heapRow(2, 'second')]]))?.values).toEqual([2, 'second']);
    });
  });

  it('is unsupported when a tested relation has no scan of its own range-table entry', () => {
    const vals: ValuesScan = { type: 'ValuesScan', ...base([tle(v(2, 1, INT4), 1)]), scanrelid: 2, values_lists: [[c(1, INT4)]] };
    withEPQ(stmt(vals, [rteRelation(T), rteBase('RTE_VALUES', ['x'], [INT4])]), [1, 2], [1], (epq) => {
      expect(epq.supported).toBe(false);
    });
  });
});
