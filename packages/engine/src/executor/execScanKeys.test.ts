/*
 * SeqScan scan keys (execScanKeys.ts, access/common/scankey.ts): which
 * conditions become keys, that rows they skip still count as removed by
 * the filter, that `$n` parameters work as keys, and that TOASTed values
 * are tested after detoasting. Results against PostgreSQL are in
 * test/sql/scankeys.sql.
 */
import { describe, expect, it } from 'vitest';
import { Database } from '../database.ts';
import { HeapKeyTester, heapKeyTest, IntCompareKey, KEY_GE, KEY_LT, LikeKey, type HeapScanKey } from '../access/common/scankey.ts';
import { heapFormTuple } from '../access/common/heaptuple.ts';
import { createTupleDesc } from '../access/common/tupdesc.ts';
import { int4Type, int8Type } from '../utils/adt/int.ts';
import { textType } from '../utils/adt/text.ts';
import { LikePattern } from '../utils/adt/like.ts';
import type { Expr } from '../nodes/primnodes.ts';
import { ExecSeqScanKeys } from './execScanKeys.ts';
import type { EState } from './execnodes.ts';

describe('scan keys through SQL', () => {
  const db = Database.openSync();
  db.execSync('CREATE TABLE t (a int, b text, c int8)');
  db.execSync("INSERT INTO t SELECT g, CASE WHEN g % 3 = 0 THEN 'fifty ' || g ELSE 'x' || g END, g FROM generate_series(1, 300) g");
  const one = (sql: string, params: unknown[] = []): unknown[] => db.querySync<unknown[]>(sql, params, { rowMode: 'array' }).rows[0];
  const explain = (sql: string): string =>
    db.querySync<unknown[]>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${sql}`, [], { rowMode: 'array' }).rows.map((r) => String(r[0])).join('\n');

  it('counts the rows keys skip as removed by the filter', () => {
    expect(explain('SELECT a FROM t WHERE a > 290')).toMatch(/Rows Removed by Filter: 290/);
    expect(explain("SELECT a FROM t WHERE b LIKE 'fifty%' AND a > 150")).toMatch(/Rows Removed by Filter: 250/);
    // A key prefix, then a condition evaluated by the executor.
    expect(explain('SELECT a FROM t WHERE a > 150 AND a % 2 = 0')).toMatch(/Rows Removed by Filter: 225/);
  });

  it('takes $n parameters as key values', () => {
    expect(one('SELECT count(*) FROM t WHERE a >= $1 AND c < $2', [100, 200])).toEqual([100n]);
    expect(one('SELECT count(*) FROM t WHERE b LIKE $1', ['%fifty 1%'])).toEqual([one("SELECT count(*) FROM t WHERE b LIKE '%fifty 1%'")[0]]);
  });

  it('tests compressed and out-of-line values after detoasting', () => {
    db.execSync("INSERT INTO t VALUES (1000, repeat('ab', 20000) || 'fifty', 0)");
    db.execSync("INSERT INTO t SELECT 1001, string_agg(md5(g::text), '') || 'fifty', 0 FROM generate_series(1, 400) g");
    expect(db.querySync<unknown[]>("SELECT a FROM t WHERE b LIKE '%fifty' ORDER BY a", [], { rowMode: 'array' }).rows).toEqual([[1000], [1001]]);
    expect(one("SELECT count(*) FROM t WHERE b NOT LIKE 'abab%' AND a >= 1000")).toEqual([1n]);
  });
});

describe('ExecSeqScanKeys', () => {
  const desc = createTupleDesc([
    { name: 'a', type: int4Type },
    { name: 'b', type: textType },
  ]);
  const estate = { externParams: [] } as unknown as EState;
  const v = (attno: number, type: number): Expr => ({ type: 'Var', varno: 1, varattno: attno, vartype: type, vartypmod: -1, varlevelsup: 0, location: -1 });
  const c = (value: unknown, type: number): Expr => ({ type: 'Const', consttype: type, consttypmod: -1, constvalue: value as never, constisnull: false, location: -1 });
  const op = (opfuncid: number, l: Expr, r: Expr): Expr => ({ type: 'OpExpr', opno: 0, opfuncid, opresulttype: 16, opretset: false, args: [l, r], location: -1 });
  const INT4GT = 147;
  const TEXTLIKE = 850;
  const INT4MUL = 141;

  it('converts the leading convertible conditions, in order', () => {
    const quals = [op(INT4GT, v(1, 23), c(5, 23)), op(TEXTLIKE, v(2, 25), c('a%', 25)), op(INT4GT, op(INT4MUL, v(1, 23), c(2, 23)), c(1, 23)), op(INT4GT, v(1, 23), c(9, 23))];
    const { keys, rest } = ExecSeqScanKeys(quals, 1, desc, estate);
    expect(keys.map((k) => k.constructor.name)).toEqual(['IntCompareKey', 'LikeKey']);
    expect(rest).toEqual(quals.slice(2));
  });

  it('leaves a column of another relation, a NULL constant and a column pattern alone', () => {
    const other: Expr = { type: 'Var', varno: 2, varattno: 1, vartype: 23, vartypmod: -1, varlevelsup: 0, location: -1 };
    const nullConst: Expr = { type: 'Const', consttype: 23, consttypmod: -1, constvalue: null, constisnull: true, location: -1 };
    for (const q of [op(INT4GT, other, c(1, 23)), op(INT4GT, v(1, 23), nullConst), op(TEXTLIKE, c('x', 25), v(2, 25))]) {
      expect(ExecSeqScanKeys([q], 1, desc, estate).keys).toEqual([]);
    }
  });
});

describe('heapKeyTest', () => {
  const desc = createTupleDesc([
    { name: 'a', type: int4Type },
    { name: 'b', type: textType },
    { name: 'c', type: int8Type },
  ]);
  const test = (values: unknown[], keys: HeapScanKey[]): boolean => {
    const tup = heapFormTuple(desc, values as never);
    return heapKeyTest(desc, tup, 0, tup.length, keys, () => {
      throw new Error('no TOAST here');
    });
  };

  it('reads integers and text in place, after NULLs too', () => {
    expect(test([7, 'héllo', 5n], [new IntCompareKey(1, 4, KEY_GE, 7)])).toBe(true);
    expect(test([6, 'héllo', 5n], [new IntCompareKey(1, 4, KEY_GE, 7)])).toBe(false);
    expect(test([null, 'héllo', 5n], [new IntCompareKey(3, 8, KEY_GE, 5)])).toBe(true);
    expect(test([null, null, 4n], [new IntCompareKey(3, 8, KEY_GE, 5n)])).toBe(false);
    expect(test([1, 'héllo', null], [new IntCompareKey(3, 8, KEY_GE, 5)])).toBe(false);
    expect(test([null, 'héllo', 5n], [new LikeKey(2, new LikePattern('h_llo', false), false)])).toBe(true);
    expect(test([-1, 'x'.repeat(300), 5n], [new LikeKey(2, new LikePattern('%xx', false), false), new IntCompareKey(1, 4, KEY_GE, -1)])).toBe(true);
    expect(test([1, null, 5n], [new LikeKey(2, new LikePattern('%', false), true)])).toBe(false);
  });

  it('HeapKeyTester reads cached offsets directly and falls back after a NULL or in a short tuple', () => {
    const fixedDesc = createTupleDesc([
      { name: 'x', type: int4Type },
      { name: 'y', type: int8Type },
      { name: 'z', type: int4Type },
    ]);
    const noToast = (): never => {
      throw new Error('no TOAST here');
    };
    const tester = new HeapKeyTester(fixedDesc, [new IntCompareKey(3, 4, KEY_GE, 10), new IntCompareKey(2, 8, KEY_LT, 5n)], noToast);
    const t = (values: unknown[], d = fixedDesc): boolean => {
      const tup = heapFormTuple(d, values as never);
      return tester.test(tup, 0, tup.length);
    };
    expect(t([1, 4n, 10])).toBe(true);
    expect(t([1, 5n, 10])).toBe(false);
    expect(t([1, 4n, 9])).toBe(false);
    expect(t([null, 4n, 10])).toBe(true);
    expect(t([1, null, 10])).toBe(false);
    // Written before z was added: z reads as NULL.
    const shortDesc = createTupleDesc([
      { name: 'x', type: int4Type },
      { name: 'y', type: int8Type },
    ]);
    expect(t([1, 4n], shortDesc)).toBe(false);
  });
});
