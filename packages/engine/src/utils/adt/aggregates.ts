/*
 * aggregates.ts — the code of the built-in aggregates (PostgreSQL's
 * pg_aggregate transition and final functions: int8inc, int4_sum,
 * numeric_avg_accum, float8_accum, array_agg_transfn, ...).
 *
 * Exports:
 *   AGGREGATE_IMPLS   keyed by "name(argoids)" as pg_proc lists the
 *                     aggregate ("sum(23)", "count()", "max(2277)")
 *   AggFactory        (argtypes, rettype) => AggregateInfo; fmgrtab fills in
 *                     aggfnoid, aggtranstype and aggsortop from pg_aggregate
 *
 * Result types are PostgreSQL's: sum(int2/int4) is bigint, sum(int8) and
 * avg of any integer are numeric, avg(float) is double precision, the
 * variance family returns numeric for integer and numeric input. The
 * float variance uses the Youngs-Cramer update PostgreSQL's float8_accum
 * uses, so results agree to the last bit.
 *
 * States are JavaScript values private to each aggregate (an object per
 * group); a transition function may update its state in place and return it.
 */

import { argType } from './argtypes.ts';
import type { AggregateInfo } from '../fmgr/fmgrtypes.ts';
import type { Datum, Interval } from './datum.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { compareAcross } from './opfuncs.ts';
import { numericAdd, numericDiv, numericDivInts, numericMul, numericSub, numericSqrt, numericFromInt } from './numericarith.ts';
import { numericCmp } from './numeric.ts';
import { float8pl } from './float.ts';
import { intervalPl, intervalDiv } from './intervalarith.ts';
import { ArrayValue } from './array.ts';
import { Jsonb, type JsonbNode, makeJsonbObject, escapeJson } from './jsonb.ts';
import { toJsonbNode, toJsonText } from './jsonfuncs.ts';
import { typeByOid } from './types.ts';

export type AggFactory = (argtypes: readonly number[], rettype: number) => AggregateInfo;

const base = { aggfnoid: 0, aggtranstype: 0, aggsortop: 0 };

function simple(init: () => unknown, trans: AggregateInfo['trans'], final?: AggregateInfo['final'], transStrict = true): AggregateInfo {
  return { ...base, initValue: init, transStrict, trans, ...(final !== undefined ? { final } : {}) };
}

const INT8_MAX = 9223372036854775807n;
const INT8_MIN = -9223372036854775808n;

/* ----------------------------------------------------------------- count */

const countAny: AggFactory = () => simple(() => 0n, (s) => (s as bigint) + 1n);

/* ------------------------------------------------------------------- sum */

function sumInt(argtypes: readonly number[], rettype: number): AggregateInfo {
  if (rettype === 20) {
    // sum(int2/int4) -> int8: a NULL state until the first input.
    return simple(() => null, (s, a) => {
      if (a[0] === null) return s;
      const r = (s === null ? 0n : (s as bigint)) + BigInt(a[0] as number);
      if (r > INT8_MAX || r < INT8_MIN) ereport(SQLSTATE.numeric_value_out_of_range, 'bigint out of range');
      return r;
    }, undefined, false);
  }
  void argtypes;
  // sum(int8) -> numeric: exact in BigInt, numeric text at the end.
  return simple(() => null, (s, a) => (a[0] === null ? s : (s === null ? 0n : (s as bigint)) + (a[0] as bigint)), (s) => (s === null ? null : numericFromInt(s as bigint)), false);
}

/** Null-skipping transition: the state stays NULL until the first non-null input. */
function strictTrans(f: (s: unknown, v: unknown) => unknown): AggregateInfo['trans'] {
  return (s, a) => (a[0] === null ? s : s === null ? a[0] : f(s, a[0]));
}

const sumFloat8: AggFactory = () => simple(() => null, strictTrans((s, v) => float8pl(s as number, v as number)), undefined, false);
const sumFloat4: AggFactory = () => simple(() => null, strictTrans((s, v) => Math.fround(float8pl(s as number, v as number))), undefined, false);
const sumNumeric: AggFactory = () => simple(() => null, strictTrans((s, v) => numericAdd(s as string, v as string)), undefined, false);
const sumInterval: AggFactory = () => simple(() => null, strictTrans((s, v) => intervalPl(s as Interval, v as Interval)), undefined, false);

/* ------------------------------------------------------------------- avg */

/*
 * avg(int2/int4/int8): PostgreSQL keeps an int8 count and sum for int2/int4
 * (int4_avg_accum) and an int128 sum for int8. Here the count and the sum
 * of number inputs run in JavaScript numbers, the sum folded into a bigint
 * before it could pass 2^53 (|sum| <= 2^52 plus one int4 stays exact), so
 * a row costs no BigInt operation; int8 inputs (bigints) add to the bigint.
 */
interface IntAvgState { n: number; sum: number; big: bigint }
const INT_AVG_FOLD = 2 ** 52;
const avgInt: AggFactory = () =>
  simple(
    () => ({ n: 0, sum: 0, big: 0n }),
    (s, a) => {
      const st = s as IntAvgState;
      const v = a[0] as number | bigint;
      st.n++;
      if (typeof v === 'number') {
        const sum = (st.sum += v);
        if (sum > INT_AVG_FOLD || sum < -INT_AVG_FOLD) {
          st.big += BigInt(sum);
          st.sum = 0;
        }
      } else {
        st.big += v;
      }
      return st;
    },
    (s) => {
      const st = s as IntAvgState;
      return st.n === 0 ? null : numericDivInts(st.big + BigInt(st.sum), BigInt(st.n));
    },
  );

interface NumAvgState { n: number; sum: string }
const avgNumeric: AggFactory = () =>
  simple(
    () => ({ n: 0, sum: '0' }),
    (s, a) => {
      const st = s as NumAvgState;
      st.n++;
      st.sum = numericAdd(st.sum, a[0] as string);
      return st;
    },
    (s) => {
      const st = s as NumAvgState;
      return st.n === 0 ? null : numericDiv(st.sum, numericFromInt(st.n));
    },
  );

interface IvAvgState { n: number; sum: Interval }
const avgInterval: AggFactory = () =>
  simple(
    () => ({ n: 0, sum: { months: 0, days: 0, micros: 0n } }),
    (s, a) => {
      const st = s as IvAvgState;
      st.n++;
      st.sum = intervalPl(st.sum, a[0] as Interval);
      return st;
    },
    (s) => {
      const st = s as IvAvgState;
      return st.n === 0 ? null : intervalDiv(st.sum, st.n);
    },
  );

/* ------------------------------------------------ float accumulation */

/** float8_accum's state: N, Sx, Sxx with the Youngs-Cramer update. */
interface FloatAccum { n: number; sx: number; sxx: number }

function floatAccum(st: FloatAccum, x: number): FloatAccum {
  const n = st.n + 1;
  const sx = st.sx + x;
  let sxx = st.sxx;
  if (st.n > 0) {
    const tmp = x * n - sx;
    sxx += (tmp * tmp) / (n * st.n);
    if (!Number.isFinite(sx) || !Number.isFinite(sxx)) {
      if (!Number.isFinite(st.sx) || !Number.isFinite(x)) sxx = NaN;
      else ereport(SQLSTATE.numeric_value_out_of_range, 'value out of range: overflow');
    }
  } else if (!Number.isFinite(x)) sxx = NaN;
  st.n = n;
  st.sx = sx;
  st.sxx = sxx;
  return st;
}

function floatAgg(final: (st: FloatAccum) => number | null): AggFactory {
  return () =>
    simple(
      () => ({ n: 0, sx: 0, sxx: 0 }),
      (s, a) => floatAccum(s as FloatAccum, a[0] as number),
      (s) => final(s as FloatAccum),
    );
}

const floatAvg = floatAgg((st) => (st.n === 0 ? null : st.sx / st.n));
const floatVarPop = floatAgg((st) => (st.n === 0 ? null : st.sxx / st.n));
const floatVarSamp = floatAgg((st) => (st.n <= 1 ? null : st.sxx / (st.n - 1)));
const floatStddevPop = floatAgg((st) => (st.n === 0 ? null : Math.sqrt(st.sxx / st.n)));
const floatStddevSamp = floatAgg((st) => (st.n <= 1 ? null : Math.sqrt(st.sxx / (st.n - 1))));

/* ---------------------------------------------- numeric variance family */

interface NumAccum { n: number; sx: string; sxx: string }

/** numeric_stddev_internal: (N*Sxx - Sx*Sx) / (N*(N-1)) (or N*N for the population), sqrt for stddev. */
function numericVariance(st: NumAccum, sample: boolean, stddev: boolean): string | null {
  if (st.n === 0 || (sample && st.n === 1)) return null;
  const n = numericFromInt(st.n);
  const num = numericSub(numericMul(n, st.sxx), numericMul(st.sx, st.sx));
  if (numericCmp(num, '0') <= 0) return '0';
  const den = sample ? numericMul(n, numericFromInt(st.n - 1)) : numericMul(n, n);
  const v = numericDiv(num, den);
  return stddev ? numericSqrt(v) : v;
}

function numericVarAgg(sample: boolean, stddev: boolean): AggFactory {
  return (argtypes) => {
    const toNum = argtypes[0] === 1700 ? (v: unknown): string => v as string : (v: unknown): string => numericFromInt(v as number | bigint);
    return simple(
      () => ({ n: 0, sx: '0', sxx: '0' }),
      (s, a) => {
        const st = s as NumAccum;
        const x = toNum(a[0]);
        st.n++;
        st.sx = numericAdd(st.sx, x);
        st.sxx = numericAdd(st.sxx, numericMul(x, x));
        return st;
      },
      (s) => numericVariance(s as NumAccum, sample, stddev),
    );
  };
}

/* --------------------------------------------------------------- min/max */

/*
 * PostgreSQL's transition functions (int4larger, numeric_smaller, ...) keep
 * the state only when it is strictly greater (max) / less (min) than the
 * input, so on a tie the newer input wins: min(1.0, 1.00) is 1.00. bpchar
 * and tid (bpchar_larger, tidlarger) are the exceptions: they compare with
 * >= / <= and keep the older value.
 */
function minmax(sign: 1 | -1): AggFactory {
  return (argtypes) => {
    const cmp = compareAcross(argtypes[0], argtypes[0]);
    const keepOldOnTie = argtypes[0] === 1042 || argtypes[0] === 27;
    const trans = keepOldOnTie
      ? (s: unknown, v: unknown) => (sign * cmp(v as Datum, s as Datum) > 0 ? v : s)
      : (s: unknown, v: unknown) => (sign * cmp(s as Datum, v as Datum) > 0 ? s : v);
    return simple(() => null, strictTrans(trans), undefined, false);
  };
}

/* ------------------------------------------------------------------ bool */

const boolAnd: AggFactory = () => simple(() => null, strictTrans((s, v) => (s as boolean) && (v as boolean)), undefined, false);
const boolOr: AggFactory = () => simple(() => null, strictTrans((s, v) => (s as boolean) || (v as boolean)), undefined, false);

/* ----------------------------------------------------------- string_agg */

interface StrAgg { parts: string[] }
const stringAgg: AggFactory = () =>
  simple(
    () => null,
    (s, a) => {
      if (a[0] === null) return s;
      if (s === null) return { parts: [a[0] as string] };
      const st = s as StrAgg;
      if (a[1] !== null) st.parts.push(a[1] as string);
      st.parts.push(a[0] as string);
      return st;
    },
    (s) => (s === null ? null : (s as StrAgg).parts.join('')),
    false,
  );

interface BytesAgg { parts: Uint8Array[] }
const stringAggBytea: AggFactory = () =>
  simple(
    () => null,
    (s, a) => {
      if (a[0] === null) return s;
      if (s === null) return { parts: [a[0] as Uint8Array] };
      const st = s as BytesAgg;
      if (a[1] !== null) st.parts.push(a[1] as Uint8Array);
      st.parts.push(a[0] as Uint8Array);
      return st;
    },
    (s) => {
      if (s === null) return null;
      const parts = (s as BytesAgg).parts;
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let off = 0;
      for (const p of parts) {
        out.set(p, off);
        off += p.length;
      }
      return out;
    },
    false,
  );

/* ------------------------------------------------------------ array_agg */

const arrayAgg: AggFactory = (argtypes) =>
  simple(
    () => null,
    (s, a) => {
      const list = (s as (Datum | null)[] | null) ?? [];
      list.push(a[0] as Datum | null);
      return list;
    },
    (s, _ctx, types) => {
      if (s === null) return null;
      const list = s as (Datum | null)[];
      const elemtype = argType(types, 0, argtypes[0], list.find((x) => x !== null) ?? null);
      // A copy: a window aggregate keeps advancing the state after this result is emitted.
      return ArrayValue.of(elemtype, list.slice());
    },
    false,
  );

/** array_agg(anyarray): the inputs become slices of one more dimension; all must have the same dimensions. */
const arrayAggArray: AggFactory = () =>
  simple(
    () => null,
    (s, a) => {
      if (a[0] === null) ereport('22004', 'cannot accumulate null arrays');
      const x = a[0] as ArrayValue;
      if (x.dims.length === 0) ereport('2202E', 'cannot accumulate empty arrays');
      const list = (s as ArrayValue[] | null) ?? [];
      if (list.length > 0 && (list[0].dims.length !== x.dims.length || list[0].dims.some((d, i) => d !== x.dims[i]))) {
        ereport('2202E', 'cannot accumulate arrays of different dimensionality');
      }
      list.push(x);
      return list;
    },
    (s) => {
      if (s === null) return null;
      const list = s as ArrayValue[];
      const first = list[0];
      return new ArrayValue(first.elemtype, [list.length, ...first.dims], [1, ...first.lbounds], list.flatMap((x) => x.elements));
    },
    false,
  );

/* --------------------------------------------------------- json_agg & co */

const jsonbAgg: AggFactory = (argtypes) =>
  simple(
    () => null,
    (s, a, _ctx, types) => {
      const list = (s as JsonbNode[] | null) ?? [];
      list.push(toJsonbNode(a[0], argType(types, 0, argtypes[0], a[0])));
      return list;
    },
    (s) => (s === null ? null : new Jsonb((s as JsonbNode[]).slice())), // a copy, as array_agg's
    false,
  );

const jsonAgg: AggFactory = (argtypes) =>
  simple(
    () => null,
    (s, a, _ctx, types) => {
      const list = (s as string[] | null) ?? [];
      list.push(toJsonText(a[0], argType(types, 0, argtypes[0], a[0])));
      return list;
    },
    (s) => (s === null ? null : '[' + (s as string[]).join(', ') + ']'),
    false,
  );

function keyText(v: unknown, t: number | undefined): string {
  if (v === null) ereport('22004', 'field name must not be null');
  if (typeof v === 'string') return v;
  const ti = t === undefined ? undefined : typeByOid(t);
  return ti === undefined ? String(v) : ti.output(v as Datum);
}

const jsonbObjectAgg: AggFactory = (argtypes) =>
  simple(
    () => null,
    (s, a, _ctx, types) => {
      const list = (s as [string, JsonbNode][] | null) ?? [];
      list.push([keyText(a[0], argType(types, 0, argtypes[0], a[0])), toJsonbNode(a[1], argType(types, 1, argtypes[1], a[1]))]);
      return list;
    },
    (s) => (s === null ? null : new Jsonb(makeJsonbObject(s as [string, JsonbNode][]))),
    false,
  );

const jsonObjectAgg: AggFactory = (argtypes) =>
  simple(
    () => null,
    (s, a, _ctx, types) => {
      const list = (s as string[] | null) ?? [];
      list.push(`${escapeJson(keyText(a[0], argType(types, 0, argtypes[0], a[0])))} : ${toJsonText(a[1], argType(types, 1, argtypes[1], a[1]))}`);
      return list;
    },
    (s) => (s === null ? null : '{ ' + (s as string[]).join(', ') + ' }'),
    false,
  );

/* ----------------------------------------------------------------- table */

const MINMAX_TYPES = [20, 21, 23, 26, 700, 701, 1700, 25, 1042, 1082, 1083, 1266, 1114, 1184, 1186, 2277, 27];

export const AGGREGATE_IMPLS: Record<string, AggFactory> = {
  'count()': countAny,
  'count(2276)': countAny,
  'sum(21)': sumInt,
  'sum(23)': sumInt,
  'sum(20)': sumInt,
  'sum(700)': sumFloat4,
  'sum(701)': sumFloat8,
  'sum(1700)': sumNumeric,
  'sum(1186)': sumInterval,
  'avg(21)': avgInt,
  'avg(23)': avgInt,
  'avg(20)': avgInt,
  'avg(1700)': avgNumeric,
  'avg(700)': floatAvg,
  'avg(701)': floatAvg,
  'avg(1186)': avgInterval,
  'bool_and(16)': boolAnd,
  'bool_or(16)': boolOr,
  'every(16)': boolAnd,
  'string_agg(25,25)': stringAgg,
  'string_agg(17,17)': stringAggBytea,
  'array_agg(2776)': arrayAgg,
  'array_agg(2277)': arrayAggArray,
  'json_agg(2283)': jsonAgg,
  'jsonb_agg(2283)': jsonbAgg,
  'json_object_agg(2276,2276)': jsonObjectAgg,
  'jsonb_object_agg(2276,2276)': jsonbObjectAgg,
};

for (const t of MINMAX_TYPES) {
  AGGREGATE_IMPLS[`min(${t})`] = minmax(-1);
  AGGREGATE_IMPLS[`max(${t})`] = minmax(1);
}

for (const [name, sample, stddev] of [
  ['variance', true, false], ['var_samp', true, false], ['var_pop', false, false],
  ['stddev', true, true], ['stddev_samp', true, true], ['stddev_pop', false, true],
] as const) {
  for (const t of [21, 23, 20, 1700]) AGGREGATE_IMPLS[`${name}(${t})`] = numericVarAgg(sample, stddev);
  const f = sample ? (stddev ? floatStddevSamp : floatVarSamp) : stddev ? floatStddevPop : floatVarPop;
  AGGREGATE_IMPLS[`${name}(700)`] = f;
  AGGREGATE_IMPLS[`${name}(701)`] = f;
}
