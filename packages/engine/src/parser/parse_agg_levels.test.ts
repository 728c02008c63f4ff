/*
 * Aggregate placement checks (parse_agg.ts checkAggLevels) and the cache of
 * resolved function calls (parse_func.ts funcGetDetail): the errors
 * PostgreSQL raises for nested aggregates, window functions and
 * set-returning calls inside an aggregate, the level an outer aggregate
 * belongs to, and resolution answers that stay the same on the second
 * (cached) lookup.
 */

import { describe, expect, it } from 'vitest';
import type { Aggref, TargetEntry } from '../nodes/primnodes.ts';
import { PgError } from '../utils/errors.ts';
import { analyzeSQL, TestCatalog } from './analyze.testutil.ts';
import { funcGetDetail } from './parse_func.ts';

const cat = new TestCatalog();

function err(sql: string): PgError {
  try {
    analyzeSQL(cat, sql, []);
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error(`no error for ${sql}`);
}

describe('aggregate levels', () => {
  it('rejects nested aggregates, window functions and set-returning calls inside an aggregate', () => {
    expect(err('SELECT sum(sum(a)) FROM t')).toMatchObject({ code: '42803', message: 'aggregate function calls cannot be nested' });
    expect(err('SELECT sum(row_number() OVER ()) FROM t')).toMatchObject({ code: '42803', message: 'aggregate function calls cannot contain window function calls' });
    expect(err('SELECT sum(generate_series(1, a)) FROM t')).toMatchObject({ code: '0A000', message: 'aggregate function calls cannot contain set-returning function calls' });
  });

  it('puts an aggregate of outer columns at the outer level, and one of its own at its own', () => {
    const q = analyzeSQL(cat, 'SELECT (SELECT count(*) + sum(t.a) FROM t AS u) FROM t', []);
    expect(q.hasAggs).toBe(true);
    const inner = analyzeSQL(cat, 'SELECT (SELECT sum(u.a) FROM t AS u) FROM t', []);
    expect(inner.hasAggs).toBe(false);
    const agg = (analyzeSQL(cat, 'SELECT count(*), sum(a) FROM t', []).targetList[1] as TargetEntry).expr as Aggref;
    expect(agg).toMatchObject({ type: 'Aggref', agglevelsup: 0 });
  });
});

describe('resolved-call cache', () => {
  it('answers a repeated lookup as the first one, and keeps failures uncached', () => {
    for (let round = 0; round < 2; round++) {
      expect(funcGetDetail(['abs'], [21], false, -1)).toMatchObject({ kind: 'FUNCDETAIL_NORMAL', declaredArgTypes: [21] });
      expect(funcGetDetail(['avg'], [23], false, -1)).toMatchObject({ kind: 'FUNCDETAIL_AGGREGATE', rettype: 1700 });
      expect(funcGetDetail(['pg_catalog', 'length'], [705], false, -1)).toMatchObject({ kind: 'FUNCDETAIL_NORMAL', rettype: 23 });
      expect(funcGetDetail(['no_such_function'], [23], false, -1).kind).toBe('FUNCDETAIL_NOTFOUND');
      expect(funcGetDetail(['myschema', 'abs'], [21], false, -1).kind).toBe('FUNCDETAIL_NOTFOUND');
    }
  });

  it('keeps a quoted name that looks like a call apart from the call', () => {
    expect(funcGetDetail(['abs'], [23], false, -1).kind).toBe('FUNCDETAIL_NORMAL');
    expect(funcGetDetail(['abs,23'], [], false, -1).kind).toBe('FUNCDETAIL_NOTFOUND');
    expect(funcGetDetail(['abs(23'], [], false, -1).kind).toBe('FUNCDETAIL_NOTFOUND');
  });

  it('returns a result the caller may change without changing the next answer', () => {
    const a = funcGetDetail(['abs'], [23], false, -1);
    a.rettype = 0;
    expect(funcGetDetail(['abs'], [23], false, -1).rettype).toBe(23);
  });

  it('packs variadic arguments the same way on a cached lookup', () => {
    const first = funcGetDetail(['concat_ws'], [25, 25, 23], false, -1);
    const second = funcGetDetail(['concat_ws'], [25, 25, 23], false, -1);
    expect(second).toEqual(first);
  });
});
