/*
 * sqlfuncs_random.pglite.test.ts — the built-in functions and operators on
 * many seeded random inputs, compared with PostgreSQL (PGlite): the same
 * call resolved and evaluated on both sides, result type and text (or
 * SQLSTATE and message) must agree. The seed is fixed so a failure
 * reproduces; RANDOM_CASES=n runs more.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { makeOp } from './parse_oper.ts';
import { parseFuncOrColumn } from './parse_func.ts';
import { seededRandom, startPostgres } from '../utils/adt/pgdiff.testutil.ts';
import { type Lit, describeOurs, describePg, literal, sqlLit } from './resolve.testutil.ts';

let db: PGlite;
beforeAll(async () => {
  db = await startPostgres();
}, 60_000);
afterAll(async () => {
  await db.close();
});

const N = Number(process.env.RANDOM_CASES ?? 12);
const rnd = seededRandom(20261125);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

const STRINGS = ['', 'a', 'abc', 'Hello World', '  padded  ', 'x,y,,z', 'ÀÉÎõü', '日本語テキスト', 'a_b%c', "it's", 'back\\slash', 'tab\tnew\nline', '😀 emoji'];
const ints = (): string => String(pick([0, 1, -1, 7, -13, 100, 32767, -32768, 2147483647, -2147483648, int(-1000, 1000)]));
const bigs = (): string => pick(['0', '9223372036854775807', '-9223372036854775808', String(int(-1e6, 1e6)), '4294967296']);
const nums = (): string => pick(['0', '1.5', '-2.25', '123456789.123456789', '0.001', '1e10', 'NaN', String(int(-999, 999) / 8), '-0.5', '2.5']);
const floats = (): string => pick(['0', '1.5', '-2.25', '1e300', '1e-300', 'NaN', 'Infinity', '-Infinity', String(rnd() * 1000 - 500), '0.1']);
const dates = (): string => pick(['2024-02-29', '2000-01-01', '1999-12-31', '2023-03-26', 'infinity', `20${int(10, 30)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`]);
const stamps = (): string => `${dates()} ${String(int(0, 23)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}.${int(0, 999999)}`;
const intervals = (): string => pick(['1 day', '-3 hours', '1 mon 2 days 03:04:05', '1 year', '00:00:00.5', `${int(-50, 50)} days ${int(0, 30)} hours`, '2 weeks']);
const units = ['year', 'month', 'day', 'hour', 'minute', 'second', 'week', 'quarter', 'decade', 'century', 'millennium', 'dow', 'doy', 'epoch', 'isodow', 'microseconds', 'milliseconds', 'julian', 'isoyear', 'nonsense'];
const arrays = (): string => pick(['{}', '{1,2,3}', '{1,NULL,3}', '{{1,2},{3,4}}', '[0:2]={7,8,9}', `{${int(-5, 5)},${int(-5, 5)}}`]);
const jsons = (): string => pick(['{}', '[]', '{"a": 1, "b": [1, 2, {"c": null}]}', '[1, "two", 3.50, true, null]', '"str"', '42', '{"a": {"b": {"c": "deep"}}}', '{"x": 1, "y": "2"}']);

type Gen = () => Lit;
const s: Gen = () => pick(STRINGS);
const t: Gen = () => [pick(STRINGS), 'text'];
const i4: Gen = () => [ints(), 'int4'];
const i2: Gen = () => [String(int(-300, 300)), 'int2'];
const i8: Gen = () => [bigs(), 'int8'];
const n: Gen = () => [nums(), 'numeric'];
const pos: Gen = () => [pick(['2', '10', '0.5', '1.0001', '123456.789', '1e-20', '1e30', '0.999', '1.1', '0.9', '2.718281828', '100', String(int(1, 100000) / 7)]), 'numeric'];
const smalln: Gen = () => [pick(['0', '1', '-1', '2.5', '-10.25', '50', '0.001', '-0.5', '100.125', '700', '-700']), 'numeric'];
const f8: Gen = () => [floats(), 'float8'];
const f4: Gen = () => [pick(['1.5', '-0.25', '3.4e38', '1e-40', 'NaN', '100']), 'float4'];
const d: Gen = () => [dates(), 'date'];
const ts: Gen = () => [stamps(), 'timestamp'];
const tz: Gen = () => [stamps() + '+00', 'timestamptz'];
const iv: Gen = () => [intervals(), 'interval'];
const small: Gen = () => [String(int(-3, 8)), 'int4'];
const unit: Gen = () => pick(units);
const arr: Gen = () => [arrays(), 'int4[]'];
const jb: Gen = () => [jsons(), 'jsonb'];
const key: Gen = () => pick(['a', 'b', 'c', 'x', 'zz']);

const FUNCS: [string, Gen[]][] = [
  ['length', [t]], ['octet_length', [t]], ['lower', [t]], ['upper', [t]], ['initcap', [t]], ['reverse', [t]], ['md5', [t]],
  ['substr', [t, small, small]], ['substr', [t, small]], ['left', [t, small]], ['right', [t, small]], ['strpos', [t, s]],
  ['btrim', [t, s]], ['ltrim', [t]], ['rtrim', [t, s]], ['replace', [t, s, s]], ['lpad', [t, small, s]], ['rpad', [t, small, s]],
  ['repeat', [t, small]], ['split_part', [t, s, small]], ['starts_with', [t, s]], ['ascii', [t]], ['concat', [t, i4, n]],
  ['concat_ws', [s, t, i4, d]], ['translate', [t, s, s]], ['to_hex', [i4]], ['to_hex', [i8]], ['quote_literal', [t]], ['quote_ident', [t]],
  ['abs', [i4]], ['abs', [n]], ['abs', [f8]], ['round', [n]], ['round', [n, small]], ['round', [f8]], ['trunc', [n, small]], ['trunc', [f8]],
  ['floor', [n]], ['ceil', [f8]], ['sign', [n]], ['mod', [i4, i4]], ['mod', [n, n]], ['div', [n, n]], ['sqrt', [f8]], ['sqrt', [n]],
  ['cbrt', [f8]], ['ln', [f8]], ['log', [f8]], ['power', [n, small]], ['degrees', [f8]], ['radians', [f8]],
  ['date_trunc', [unit, ts]], ['date_trunc', [unit, tz]], ['date_trunc', [unit, iv]], ['date_part', [unit, ts]], ['date_part', [unit, d]],
  ['date_part', [unit, iv]], ['extract_missing', [unit, ts]], ['age', [ts, ts]], ['age', [tz, tz]], ['justify_interval', [iv]],
  ['justify_days', [iv]], ['justify_hours', [iv]], ['make_date', [i4, small, small]], ['to_timestamp', [f8]], ['isfinite', [d]],
  ['array_length', [arr, small]], ['array_lower', [arr, small]], ['array_upper', [arr, small]], ['cardinality', [arr]], ['array_to_string', [arr, s, s]],
  ['array_append', [arr, i4]], ['array_position', [arr, i4]], ['array_remove', [arr, i4]], ['string_to_array', [t, s]],
  ['ln', [pos]], ['log', [pos]], ['log10', [pos]], ['exp', [smalln]], ['log', [pos, pos]], ['power', [pos, n]], ['sqrt', [pos]],
  ['jsonb_typeof', [jb]], ['jsonb_array_length', [jb]], ['jsonb_strip_nulls', [jb]], ['jsonb_pretty', [jb]], ['to_jsonb', [n]],
  ['to_jsonb', [ts]], ['to_json', [t]], ['jsonb_build_object', [key, i4, key, t]], ['jsonb_build_array', [n, t, d]],
];

const OPS: [string, Gen, Gen][] = [
  ['+', i4, i4], ['-', i4, i8], ['*', i2, i4], ['/', i4, i4], ['%', i8, i8], ['+', n, n], ['*', n, n], ['/', n, n], ['-', f8, f4],
  ['*', f8, f8], ['/', f8, f8], ['^', f8, f8], ['<', i4, i8], ['=', i2, i8], ['>=', f4, f8], ['<>', n, n], ['<', t, t], ['=', t, s],
  ['<', d, ts], ['=', d, tz], ['>', ts, tz], ['+', d, i4], ['-', d, d], ['+', d, iv], ['+', ts, iv], ['-', tz, iv], ['-', ts, ts],
  ['*', iv, f8], ['/', iv, f8], ['+', iv, iv], ['<', iv, iv], ['||', t, t], ['||', t, i4], ['~~', t, s], ['~~*', t, s], ['!~~', t, s],
  ['~', t, s], ['->', jb, key], ['->>', jb, key], ['->', jb, small], ['?', jb, key], ['@>', jb, jb], ['<', jb, jb], ['=', jb, jb],
  ['||', jb, jb], ['=', arr, arr], ['<', arr, arr], ['@>', arr, arr], ['&&', arr, arr], ['||', arr, arr], ['||', arr, i4],
];

describe('random inputs agree with PostgreSQL', () => {
  it('functions', async () => {
    const mismatches: string[] = [];
    for (const [name, gens] of FUNCS) {
      for (let k = 0; k < N; k++) {
        const args = gens.map((g) => g());
        const sql = `${name}(${args.map(sqlLit).join(', ')})`;
        const pg = await describePg(db, sql);
        const ours = describeOurs(() => parseFuncOrColumn([name], args.map(literal), 0));
        if (pg !== ours) mismatches.push(`${sql} ## pg: ${pg} ## ours: ${ours}`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 300_000);

  it('operators', async () => {
    const mismatches: string[] = [];
    for (const [op, lg, rg] of OPS) {
      for (let k = 0; k < N; k++) {
        const l = lg();
        const r = rg();
        const sql = `${sqlLit(l)} ${op} ${sqlLit(r)}`;
        const pg = await describePg(db, sql);
        const ours = describeOurs(() => makeOp([op], literal(l), literal(r), 0));
        if (pg !== ours) mismatches.push(`${sql} ## pg: ${pg} ## ours: ${ours}`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 300_000);
});
