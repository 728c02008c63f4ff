import { describe, expect, it } from 'vitest';
import { TestDb, INT4, TEXT, seqscan, rteRelation, stmt, op, v, c, base, outerTlist, tle, opOid } from './exec.testutil.ts';
import type { Limit, Sort, Result, Material, NestLoop } from '../nodes/plannodes.ts';
import { isPgError } from '../utils/errors.ts';
import { ExecutorEnd, ExecutorRun } from './execMain.ts';

describe('scan, sort, limit', () => {
  const db = new TestDb();
  const t = db.createTable('t', [['a', INT4], ['b', TEXT]], [[3, 'c'], [1, 'a'], [null, 'n'], [2, 'b'], [2, null]]);

  it('SeqScan returns every row, filtered', () => {
    const rows = db.run(stmt(seqscan(1, t), [rteRelation(t)]));
    expect(rows).toHaveLength(5);
    const f = db.run(stmt(seqscan(1, t, [op('>', v(1, 1, INT4), c(1, INT4))]), [rteRelation(t)]));
    expect(f.map((r) => r[0]).sort()).toEqual([2, 2, 3]);
    expect(db.interrupts).toBeGreaterThan(5);
  });

  it('projects expressions', () => {
    const s = seqscan(1, t, [], [tle(op('+', v(1, 1, INT4), c(10, INT4)), 1, 'x')]);
    expect(db.run(stmt(s, [rteRelation(t)])).map((r) => r[0]).sort()).toEqual([11, 12, 12, 13, null].sort());
  });

  const sortPlan = (desc: boolean, nullsFirst: boolean): Sort => ({
    type: 'Sort', ...base(outerTlist(t.types), seqscan(1, t)), numCols: 2, sortColIdx: [1, 2],
    sortOperators: [opOid(desc ? '>' : '<', INT4, INT4), opOid('<', TEXT, TEXT)], nullsFirst: [nullsFirst, false],
  });

  it('Sort orders ASC/DESC with NULLS FIRST/LAST, stable on the second key', () => {
    expect(db.run(stmt(sortPlan(false, false), [rteRelation(t)]))).toEqual([[1, 'a'], [2, 'b'], [2, null], [3, 'c'], [null, 'n']]);
    expect(db.run(stmt(sortPlan(true, true), [rteRelation(t)]))).toEqual([[null, 'n'], [3, 'c'], [2, 'b'], [2, null], [1, 'a']]);
    expect(db.run(stmt(sortPlan(false, true), [rteRelation(t)]))[0]).toEqual([null, 'n']);
  });

  it('Limit / Offset and their errors', () => {
    const lim = (count: unknown, offset: unknown, ties = false): Limit => ({
      type: 'Limit', ...base(outerTlist(t.types), sortPlan(false, false)),
      limitCount: count === undefined ? null : c(count, 20), limitOffset: offset === undefined ? null : c(offset, 20),
      limitOption: ties ? 'LIMIT_OPTION_WITH_TIES' : 'LIMIT_OPTION_COUNT', uniqNumCols: ties ? 1 : 0, uniqColIdx: ties ? [1] : [], uniqOperators: ties ? [opOid('=', INT4, INT4)] : [],
    });
    expect(db.run(stmt(lim(2n, 1n), [rteRelation(t)]))).toEqual([[2, 'b'], [2, null]]);
    expect(db.run(stmt(lim(null, 3n), [rteRelation(t)]))).toHaveLength(2);
    expect(db.run(stmt(lim(2n, undefined, true), [rteRelation(t)]))).toEqual([[1, 'a'], [2, 'b'], [2, null]]);
    expect(db.run(stmt(lim(0n, undefined), [rteRelation(t)]))).toEqual([]);
    const err = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return null;
    };
    const e1 = err(() => db.run(stmt(lim(-1n, undefined), [rteRelation(t)])));
    expect(isPgError(e1) && e1.code === '2201W' && e1.message === 'LIMIT must not be negative').toBe(true);
    const e2 = err(() => db.run(stmt(lim(undefined, -1n), [rteRelation(t)])));
    expect(isPgError(e2) && e2.code === '2201X' && e2.message === 'OFFSET must not be negative').toBe(true);
  });

  it('Result without FROM, and its one-time filter', () => {
    const r = (q: boolean): Result => ({ type: 'Result', ...base([tle(op('+', c(1, INT4), c(2, INT4)), 1, 'x')]), resconstantqual: c(q, 16) });
    expect(db.run(stmt(r(true), []))).toEqual([[3]]);
    expect(db.run(stmt(r(false), []))).toEqual([]);
  });

  it('Sort past work_mem raises 53200 with a hint', () => {
    db.workMemBytes = 64;
    try {
      expect(() => db.run(stmt(sortPlan(false, false), [rteRelation(t)]))).toThrowError(/out of memory/);
      try {
        db.run(stmt(sortPlan(false, false), [rteRelation(t)]));
      } catch (e) {
        expect(isPgError(e) && e.code === '53200' && /work_mem/.test(e.detail ?? '') && /work_mem/.test(e.hint ?? '')).toBe(true);
      }
    } finally {
      db.workMemBytes = 4 * 1024 * 1024;
    }
  });

  it('Material under a nested loop replays its rows (cross join)', () => {
    const mat: Material = { type: 'Material', ...base(outerTlist(t.types), seqscan(2, t)) };
    const nl: NestLoop = {
      type: 'NestLoop', ...base([tle(v(-2, 1, INT4), 1), tle(v(-1, 1, INT4), 2)], seqscan(1, t), mat),
      jointype: 'JOIN_INNER', inner_unique: false, joinqual: [], nestParams: [],
    };
    const rows = db.run(stmt(nl, [rteRelation(t), rteRelation(t)]));
    expect(rows).toHaveLength(25);
  });

  it('instrumentation counts rows, loops and the sort method', () => {
    const qd = db.start(stmt(sortPlan(false, false), [rteRelation(t)]), { instrument: true });
    const rows: unknown[][] = [];
    ExecutorRun(qd, (r) => rows.push(r));
    ExecutorEnd(qd);
    const ins = qd.planstate.instrument;
    expect(ins?.ntuples).toBe(5);
    expect(ins?.nloops).toBe(1);
    expect(ins?.totalMs).toBeGreaterThanOrEqual(ins?.startupMs ?? 0);
    expect(String(ins?.extra.get('Sort Method'))).toMatch(/^quicksort {2}Memory: \d+kB$/);
    expect(qd.planstate.children()[0].instrument?.ntuples).toBe(5);
  });

  it('tupDesc names the visible columns', () => {
    const qd = db.start(stmt(seqscan(1, t), [rteRelation(t)]));
    expect(qd.tupDesc).toEqual([{ name: 'c1', typeOid: INT4, typmod: -1 }, { name: 'c2', typeOid: TEXT, typmod: -1 }]);
  });
});

describe('bounded sort under a Limit', () => {
  const db = new TestDb();
  const rows = Array.from({ length: 300 }, (_, i) => [(i * 37) % 100, i]);
  const t = db.createTable('big', [['k', INT4], ['i', INT4]], rows);
  const sortK: Sort = { type: 'Sort', ...base(outerTlist(t.types), seqscan(1, t)), numCols: 1, sortColIdx: [1], sortOperators: [opOid('<', INT4, INT4)], nullsFirst: [false] };
  const limit = (n: number, off: number): Limit => ({
    type: 'Limit', ...base(outerTlist(t.types), sortK), limitCount: c(BigInt(n), 20), limitOffset: c(BigInt(off), 20), limitOption: 'LIMIT_OPTION_COUNT', uniqNumCols: 0, uniqColIdx: [], uniqOperators: [],
  });
  const model = (n: number, off: number): unknown[][] =>
    rows.map((r, idx) => ({ r, idx })).sort((a, b) => (a.r[0] as number) - (b.r[0] as number) || a.idx - b.idx).slice(off, off + n).map((x) => x.r);
  it('keeps only offset + count rows, in the same (stable) order as a full sort', () => {
    expect(db.run(stmt(limit(5, 3), [rteRelation(t)]))).toEqual(model(5, 3));
    const qd = db.start(stmt(limit(5, 0), [rteRelation(t)]), { instrument: true });
    const out: unknown[][] = [];
    ExecutorRun(qd, (r) => out.push(r));
    ExecutorEnd(qd);
    expect(out).toEqual(model(5, 0));
    expect(String(qd.planstate.children()[0].instrument?.extra.get('Sort Method'))).toMatch(/^top-N heapsort {2}Memory: \d+kB$/);
  });
  it('fits under a work_mem a full sort would exceed', () => {
    db.workMemBytes = 4096;
    try {
      expect(db.run(stmt(limit(3, 0), [rteRelation(t)]))).toEqual(model(3, 0));
      expect(() => db.run(stmt(sortK, [rteRelation(t)]))).toThrowError(/out of memory/);
    } finally {
      db.workMemBytes = 4 * 1024 * 1024;
    }
  });
});
