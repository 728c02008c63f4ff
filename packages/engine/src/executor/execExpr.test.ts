/*
 * Compiled expressions: three-valued logic, CASE, COALESCE, NULLIF, IS
 * DISTINCT FROM, = ANY over arrays with NULLs (looped and hashed), casts
 * through text, GREATEST/LEAST, row comparison, ARRAY[], NULL tests,
 * parameters, system columns.
 */
import { describe, expect, it } from 'vitest';
import type { Result } from '../nodes/plannodes.ts';
import type { BooleanTest, CaseExpr, CoalesceExpr, Expr, MinMaxExpr, NullIfExpr, DistinctExpr, ScalarArrayOpExpr, CoerceViaIO, RowCompareExpr, ArrayExpr, NullTest, RowExpr, SQLValueFunction } from '../nodes/primnodes.ts';
import { ArrayValue } from '../utils/adt/array.ts';
import { RecordValue } from '../utils/adt/rowtypes.ts';
import { lookupOperatorByOid } from '../utils/fmgr/fmgrtab.ts';
import { TestDb, INT4, TEXT, BOOL, stmt, op, c, base, tle, opOid, and, or, not, param, seqscan, rteRelation, v } from './exec.testutil.ts';

const db = new TestDb();
const evalExpr = (e: Expr, params: unknown[] = []): unknown => {
  const r: Result = { type: 'Result', ...base([tle(e, 1)]), resconstantqual: null };
  return db.run(stmt(r, []), { params })[0][0];
};
const T = c(true, BOOL);
const F = c(false, BOOL);
const N = c(null, BOOL);

describe('boolean logic', () => {
  it('AND / OR / NOT are three-valued', () => {
    const vals = [T, F, N];
    const tv = (e: Expr): unknown => evalExpr(e);
    const js = (x: Expr): boolean | null => (x === T ? true : x === F ? false : null);
    for (const a of vals) {
      for (const b of vals) {
        const x = js(a);
        const y = js(b);
        const andR = x === false || y === false ? false : x === null || y === null ? null : true;
        const orR = x === true || y === true ? true : x === null || y === null ? null : false;
        expect(tv(and(a, b))).toBe(andR);
        expect(tv(or(a, b))).toBe(orR);
        expect(tv(and(a, b, T))).toBe(andR);
      }
      expect(tv(not(a))).toBe(js(a) === null ? null : !js(a));
    }
  });
  it('AND stops at false: the second argument is not evaluated', () => {
    // 1/0 would raise 22012.
    expect(evalExpr(and(F, op('=', op('/', c(1, INT4), c(0, INT4)), c(1, INT4))))).toBe(false);
  });
  it('IS [NOT] TRUE / UNKNOWN', () => {
    const bt = (arg: Expr, booltesttype: BooleanTest['booltesttype']): BooleanTest => ({ type: 'BooleanTest', arg, booltesttype, location: -1 });
    expect(evalExpr(bt(N, 'IS_UNKNOWN'))).toBe(true);
    expect(evalExpr(bt(N, 'IS_NOT_TRUE'))).toBe(true);
    expect(evalExpr(bt(F, 'IS_NOT_FALSE'))).toBe(false);
  });
});

describe('conditional expressions', () => {
  it('CASE with and without an argument', () => {
    const simple: CaseExpr = {
      type: 'CaseExpr', casetype: TEXT, arg: c(2, INT4), location: -1, defresult: c('other', TEXT),
      args: [1, 2].map((k) => ({ type: 'CaseWhen', expr: op('=', { type: 'CaseTestExpr', typeId: INT4, typeMod: -1 }, c(k, INT4)), result: c(`is ${k}`, TEXT), location: -1 })),
    };
    expect(evalExpr(simple)).toBe('is 2');
    const searched: CaseExpr = { type: 'CaseExpr', casetype: TEXT, arg: null, location: -1, defresult: null, args: [{ type: 'CaseWhen', expr: N, result: c('x', TEXT), location: -1 }] };
    expect(evalExpr(searched)).toBe(null);
  });
  it('COALESCE, NULLIF, IS DISTINCT FROM, GREATEST', () => {
    const co: CoalesceExpr = { type: 'CoalesceExpr', coalescetype: INT4, args: [c(null, INT4), c(3, INT4), op('/', c(1, INT4), c(0, INT4))], location: -1 };
    expect(evalExpr(co)).toBe(3);
    const eq = lookupOperatorByOid(opOid('=', INT4, INT4));
    const nullif = (a: Expr, b: Expr): NullIfExpr => ({ type: 'NullIfExpr', opno: eq.oid, opfuncid: eq.oprcode, opresulttype: INT4, opretset: false, args: [a, b], location: -1 });
    expect(evalExpr(nullif(c(1, INT4), c(1, INT4)))).toBe(null);
    expect(evalExpr(nullif(c(1, INT4), c(null, INT4)))).toBe(1);
    const distinct = (a: Expr, b: Expr): DistinctExpr => ({ type: 'DistinctExpr', opno: eq.oid, opfuncid: eq.oprcode, opresulttype: BOOL, opretset: false, args: [a, b], location: -1 });
    expect(evalExpr(distinct(c(null, INT4), c(null, INT4)))).toBe(false);
    expect(evalExpr(distinct(c(1, INT4), c(null, INT4)))).toBe(true);
    expect(evalExpr(distinct(c(1, INT4), c(1, INT4)))).toBe(false);
    const mm = (o: MinMaxExpr['op']): MinMaxExpr => ({ type: 'MinMaxExpr', minmaxtype: INT4, op: o, args: [c(2, INT4), c(null, INT4), c(9, INT4)], location: -1 });
    expect(evalExpr(mm('IS_GREATEST'))).toBe(9);
    expect(evalExpr(mm('IS_LEAST'))).toBe(2);
  });
});

describe('x op ANY/ALL (array)', () => {
  const eq = lookupOperatorByOid(opOid('=', INT4, INT4));
  const saop = (x: Expr, arr: (number | null)[], useOr: boolean, asConst = true): ScalarArrayOpExpr => ({
    type: 'ScalarArrayOpExpr', opno: eq.oid, opfuncid: eq.oprcode, useOr, location: -1,
    args: [x, asConst ? c(ArrayValue.of(INT4, arr), 1007) : { type: 'ArrayExpr', array_typeid: 1007, element_typeid: INT4, elements: arr.map((a) => c(a, INT4)), multidims: false, location: -1 }],
  });
  for (const asConst of [true, false]) {
    it(`NULL semantics (${asConst ? 'constant array' : 'ARRAY[...]'})`, () => {
      expect(evalExpr(saop(c(1, INT4), [1, null], true, asConst))).toBe(true);
      expect(evalExpr(saop(c(2, INT4), [1, null], true, asConst))).toBe(null);
      expect(evalExpr(saop(c(2, INT4), [1, 3], true, asConst))).toBe(false);
      expect(evalExpr(saop(c(null, INT4), [], true, asConst))).toBe(false);
      expect(evalExpr(saop(c(null, INT4), [1], true, asConst))).toBe(null);
      expect(evalExpr(saop(c(2, INT4), [2, null], false, asConst))).toBe(null);
      expect(evalExpr(saop(c(2, INT4), [1, null], false, asConst))).toBe(false);
      expect(evalExpr(saop(c(null, INT4), [], false, asConst))).toBe(true);
    });
  }
  it('a long constant list is probed through a hash set with the same answers', () => {
    const list = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(evalExpr(saop(c(7, INT4), list, true))).toBe(true);
    expect(evalExpr(saop(c(70, INT4), list, true))).toBe(false);
    expect(evalExpr(saop(c(70, INT4), [...list, null], true))).toBe(null);
  });
});

describe('casts, rows, arrays, params, system columns', () => {
  it('CoerceViaIO goes through text', () => {
    const io = (arg: Expr, resulttype: number): CoerceViaIO => ({ type: 'CoerceViaIO', arg, resulttype, resulttypmod: -1, coerceformat: 'COERCE_EXPLICIT_CAST', location: -1 });
    expect(evalExpr(io(c(42, INT4), TEXT))).toBe('42');
    expect(evalExpr(io(c(' 17 ', TEXT), INT4))).toBe(17);
    expect(() => evalExpr(io(c('x', TEXT), INT4))).toThrowError('invalid input syntax for type integer: "x"');
  });
  it('row comparison decides at the first unequal pair', () => {
    const rc = (rctype: RowCompareExpr['rctype'], l: (number | null)[], r: (number | null)[]): RowCompareExpr => ({
      type: 'RowCompareExpr', rctype, opnos: l.map(() => opOid(rctype === 'ROWCOMPARE_LT' ? '<' : '=', INT4, INT4)), largs: l.map((x) => c(x, INT4)), rargs: r.map((x) => c(x, INT4)),
    });
    expect(evalExpr(rc('ROWCOMPARE_LT', [1, 5], [2, 0]))).toBe(true);
    expect(evalExpr(rc('ROWCOMPARE_LT', [1, 5], [1, 6]))).toBe(true);
    expect(evalExpr(rc('ROWCOMPARE_LT', [1, null], [1, 6]))).toBe(null);
    expect(evalExpr(rc('ROWCOMPARE_EQ', [1, 2], [1, 2]))).toBe(true);
  });
  it('ARRAY[...] and ROW(...) IS NULL', () => {
    const arr: ArrayExpr = { type: 'ArrayExpr', array_typeid: 1007, element_typeid: INT4, elements: [c(1, INT4), c(null, INT4)], multidims: false, location: -1 };
    const a = evalExpr(arr);
    expect(a instanceof ArrayValue && a.elements).toEqual([1, null]);
    const row = (vals: (number | null)[]): RowExpr => ({ type: 'RowExpr', args: vals.map((x) => c(x, INT4)), row_typeid: 2249, row_format: 'COERCE_IMPLICIT_CAST', colnames: [], location: -1 });
    const nt = (arg: Expr, t: NullTest['nulltesttype']): NullTest => ({ type: 'NullTest', arg, nulltesttype: t, argisrow: true, location: -1 });
    expect(evalExpr(row([1, null])) instanceof RecordValue).toBe(true);
    expect(evalExpr(nt(row([null, null]), 'IS_NULL'))).toBe(true);
    expect(evalExpr(nt(row([1, null]), 'IS_NULL'))).toBe(false);
    expect(evalExpr(nt(row([1, null]), 'IS_NOT_NULL'))).toBe(false);
  });
  it('$n parameters and CURRENT_DATE', () => {
    expect(evalExpr(op('+', param('PARAM_EXTERN', 1, INT4), c(1, INT4)), [41])).toBe(42);
    const cd: SQLValueFunction = { type: 'SQLValueFunction', op: 'SVFOP_CURRENT_DATE', resulttype: 1082, typmod: -1, location: -1 };
    // The test fmgr's transaction started 800,000,000 s after 2000-01-01 UTC.
    expect(evalExpr(cd)).toBe(Math.floor(800_000_000 / 86_400));
  });
  it('ctid and tableoid come from the scanned row', () => {
    const t = db.createTable('sys', [['a', INT4]], [[1], [2]]);
    const rows = db.run(stmt(seqscan(1, t, [], [tle(v(1, -1, 27), 1), tle(v(1, -6, 26), 2)]), [rteRelation(t)]));
    expect(rows.map((r) => r[1])).toEqual([t.oid, t.oid]);
    expect(rows[0][0]).toBe(1);
    expect(rows[1][0]).toBe(2);
  });
  it('division by zero surfaces as 22012', () => {
    expect(() => evalExpr(op('/', c(1, INT4), c(0, INT4)))).toThrowError('division by zero');
  });
});
