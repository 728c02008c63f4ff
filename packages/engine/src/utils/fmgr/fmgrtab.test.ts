/*
 * fmgrtab.test.ts — the registry: lookups, PostgreSQL's OIDs, aggregates,
 * window functions, casts, registerBuiltin, and the set-returning functions.
 */

import { describe, expect, it } from 'vitest';
import {
  allAggregates, allCasts, allFunctions, allOperators, findFunctionOid, findOperatorOid, functionsByName, lookupAggregate,
  lookupCast, lookupFunctionByOid, lookupOperatorByOid, registerBuiltin,
} from './fmgrtab.ts';
import type { FunctionCallContext } from './fmgrtypes.ts';
import { Jsonb, JsonbNumber } from '../adt/jsonb.ts';
import { ArrayValue } from '../adt/array.ts';
import { RecordValue, recordOut } from '../adt/rowtypes.ts';
import { typeByOid } from '../adt/types.ts';
import { setRegclassResolver } from '../adt/pseudotypes.ts';

const ctx = {
  transactionTimestamp: () => 0n,
  statementTimestamp: () => 1n,
  getSetting: (name: string) => (name === 'work_mem' ? '4MB' : null),
  setSetting: () => undefined,
  nextval: (oid: number) => BigInt(oid) + 1n,
  currval: () => 7n,
  setval: (_oid: number, v: bigint) => v,
  lastval: () => 9n,
  regclassIn: (name: string) => (name === 't' ? 16384 : 0),
  regclassOut: (oid: number) => (oid === 16384 ? 't' : String(oid)),
  backendPid: () => 42,
} satisfies FunctionCallContext;

describe('fmgrtab', () => {
  it("uses PostgreSQL's OIDs", () => {
    expect(lookupFunctionByOid(177).proname).toBe('int4pl');
    expect(findFunctionOid('length', [25])).toBe(1317);
    expect(findOperatorOid('+', 23, 23)).toBe(551);
    expect(findOperatorOid('=', 23, 23)).toBe(96);
    const eq = lookupOperatorByOid(96);
    expect(eq.btreeStrategy).toBe(3);
    expect(eq.oprcanhash).toBe(true);
    expect(eq.oprnegate).toBe(518);
    expect(eq.oprrest).toBe('eqsel');
    expect(functionsByName('generate_series').every((f) => f.proretset)).toBe(true);
  });

  it('raises for an unknown OID', () => {
    expect(() => lookupFunctionByOid(999999)).toThrow(/cache lookup failed/);
  });

  it('lists rows for the catalogs', () => {
    expect(allFunctions().length).toBeGreaterThan(700);
    expect(allOperators().length).toBeGreaterThan(300);
    expect(allCasts().length).toBeGreaterThan(50);
    expect(allAggregates().length).toBeGreaterThan(80);
    for (const o of allOperators()) expect(lookupFunctionByOid(o.oprcode).oid).toBe(o.oprcode);
  });

  it('has the aggregates with their result types', () => {
    const sum4 = functionsByName('sum').find((f) => f.proargtypes[0] === 23)!;
    expect(sum4.prorettype).toBe(20);
    expect(lookupAggregate(sum4.oid).aggtranstype).toBe(20);
    const max4 = functionsByName('max').find((f) => f.proargtypes[0] === 23)!;
    expect(lookupAggregate(max4.oid).aggsortop).toBe(521);
  });

  it('registers window functions without code', () => {
    for (const name of ['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value']) {
      const fs = functionsByName(name);
      expect(fs.length, name).toBeGreaterThan(0);
      for (const f of fs) {
        expect(f.prokind).toBe('w');
        expect(f.impl).toBeUndefined();
      }
    }
  });

  it('has casts with their contexts', () => {
    expect(lookupCast(23, 20)?.castcontext).toBe('i');
    expect(lookupCast(20, 23)?.castcontext).toBe('a');
    expect(lookupCast(1043, 25)?.castmethod).toBe('b');
    expect(lookupCast(16, 23)?.castcontext).toBe('e');
    expect(lookupCast(25, 23)).toBeUndefined();
  });

  it('accepts functions from other folders', () => {
    registerBuiltin({
      oid: 6999001, proname: 'tabgres_test_fn', prokind: 'f', proargtypes: [], prorettype: 23, provariadic: 0, proretset: false,
      proisstrict: true, provolatile: 'v', pronargdefaults: 0, impl: () => 5,
    });
    expect(lookupFunctionByOid(6999001).impl?.([], ctx, -1)).toBe(5);
    expect(functionsByName('tabgres_test_fn')).toHaveLength(1);
  });

  it('runs functions that need the session', () => {
    const call = (name: string, argtypes: number[], args: unknown[]): unknown =>
      lookupFunctionByOid(findFunctionOid(name, argtypes)).impl!(args, ctx, -1, argtypes);
    expect(call('now', [], [])).toBe(0n);
    expect(call('statement_timestamp', [], [])).toBe(1n);
    expect(call('current_setting', [25], ['work_mem'])).toBe('4MB');
    expect(call('nextval', [2205], [10])).toBe(11n);
    expect(call('lastval', [], [])).toBe(9n);
    expect(call('pg_backend_pid', [], [])).toBe(42);
    expect(call('regclass', [25], ['t'])).toBe(16384);
    expect(typeof call('version', [], [])).toBe('string');
    expect(call('gen_random_uuid', [], [])).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('runs set-returning functions', () => {
    const srf = (name: string, argtypes: number[], args: unknown[]): unknown[] =>
      [...lookupFunctionByOid(findFunctionOid(name, argtypes)).implSet!(args, ctx, argtypes)];
    expect(srf('generate_series', [23, 23], [1, 3])).toEqual([1, 2, 3]);
    expect(srf('generate_series', [23, 23, 23], [5, 1, -2])).toEqual([5, 3, 1]);
    expect(srf('generate_series', [20, 20], [1n, 2n])).toEqual([1n, 2n]);
    expect(srf('generate_series', [1700, 1700, 1700], ['0', '1', '0.5'])).toEqual(['0', '0.5', '1.0']);
    expect(() => srf('generate_series', [23, 23, 23], [1, 3, 0])).toThrow('step size cannot equal zero');
    const ts = srf('generate_series', [1114, 1114, 1186], [0n, 172800000000n, { months: 0, days: 1, micros: 0n }]);
    expect(ts).toEqual([0n, 86400000000n, 172800000000n]);
    expect(srf('unnest', [2277], [ArrayValue.of(23, [1, null, 3])])).toEqual([1, null, 3]);
    const j = typeByOid(3802)!.input('{"b": [1], "a": "x"}', -1);
    const rows = srf('jsonb_each', [3802], [j]) as RecordValue[];
    expect(rows.map((r) => recordOut(r))).toEqual(['(a,"""x""")', '(b,[1])']);
    expect(srf('jsonb_object_keys', [3802], [j])).toEqual(['a', 'b']);
    const arr = typeByOid(3802)!.input('[1, "a"]', -1);
    expect(srf('jsonb_array_elements_text', [3802], [arr])).toEqual(['1', 'a']);
    expect((srf('jsonb_array_elements', [3802], [arr])[0] as Jsonb).root).toEqual(new JsonbNumber('1'));
    expect(srf('string_to_table', [25, 25], ['a,b,,c', ','])).toEqual(['a', 'b', '', 'c']);
    const each = srf('json_each', [114], ['{"a": [1,  2], "b" : "s"}']) as RecordValue[];
    expect(each.map((r) => r.values)).toEqual([['a', '[1,  2]'], ['b', '"s"']]);
    expect(srf('json_array_elements_text', [114], ['[1,  "x", null]'])).toEqual(['1', 'x', null]);
    expect(srf('regexp_split_to_table', [25, 25], ['a1b22c', '[0-9]+'])).toEqual(['a', 'b', 'c']);
  });

  it('passes polymorphic argument types, or infers them when a caller does not', () => {
    const rowToJson = lookupFunctionByOid(findFunctionOid('row_to_json', [2249]));
    expect(rowToJson.impl!([new RecordValue([1, 'x', null], [23, 25, 25])], ctx, -1)).toBe('{"f1":1,"f2":"x","f3":null}');
    const toJsonb = lookupFunctionByOid(findFunctionOid('to_jsonb', [2283]));
    expect(typeByOid(3802)!.output(toJsonb.impl!(['1.50'], ctx, -1, [1700]) as Jsonb)).toBe('1.50');
    expect(typeByOid(3802)!.output(toJsonb.impl!(['1.50'], ctx, -1) as Jsonb)).toBe('"1.50"');
    const arrayAgg = functionsByName('array_agg').find((f) => f.proargtypes[0] === 2776)!;
    const agg = lookupAggregate(arrayAgg.oid);
    const state = agg.trans(agg.initValue(), [5], ctx);
    expect((agg.final!(state, ctx) as ArrayValue).elemtype).toBe(23);
  });

  it('prints records and regclass as PostgreSQL does', () => {
    expect(recordOut(new RecordValue([1, 'abc', null, '', 'a b', 'q"x'], [23, 25, 25, 25, 25, 25]))).toBe('(1,abc,,"","a b","q""x")');
    const regclass = typeByOid(2205)!;
    expect(regclass.output(16384)).toBe('16384');
    setRegclassResolver(ctx);
    expect(regclass.output(16384)).toBe('t');
    expect(regclass.input('t', -1)).toBe(16384);
    setRegclassResolver(null);
    expect(() => regclass.input('t', -1)).toThrow(/needs a database session/);
    expect(typeByOid(27)!.output(typeByOid(27)!.input('(3,7)', -1))).toBe('(3,7)');
  });
});
