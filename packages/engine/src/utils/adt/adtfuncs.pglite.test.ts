/*
 * Differential test of the arithmetic and date/time functions this folder
 * exports for the SQL layer: the same operation in PostgreSQL (PGlite) and
 * here must give the same text, or the same SQLSTATE and message.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { compareAll, ourValue, pgValue, seededRandom, startPostgres } from './pgdiff.testutil.ts';
import {
  numericAbs, numericAdd, numericCeil, numericDiv, numericDivTrunc, numericFloor, numericFromFloat4,
  numericFromFloat8, numericMod, numericMul, numericRound, numericSign, numericSqrt, numericSub,
  numericToFloat8, numericToInt4, numericToInt8, numericTrunc,
} from './numericarith.ts';
import { float4in, float4out, float8div, float8in, float8mi, float8mul, float8out, float8pl, float8ToInt4 } from './float.ts';
import { int2mul, int4add, int4div, int4in, int4mod, int4mul, int4sub, int8div, int8in, int8mul } from './int.ts';
import { timestampIn, timestampOut, timestamptzIn, timestamptzOut, timestampPlInterval, timestampMi, timestampAge, timestamptzPlInterval, timestamptzAge } from './timestamp.ts';
import { intervalIn, intervalOut } from './interval.ts';
import { intervalDiv, intervalMul, intervalPl, justifyDays, justifyHours, justifyInterval } from './intervalarith.ts';
import { dateIn, dateMinusDate, dateOut, datePlusDays, datePlusInterval } from './date.ts';
import {
  dateTruncInterval, dateTruncTimestamp, dateTruncTimestamptz, extractDate, extractInterval,
  extractTimestamp, extractTimestamptz,
} from './datepart.ts';
import { setSessionTimeZone } from './timezone.ts';

let db: PGlite;
beforeAll(async () => {
  db = await startPostgres();
});
afterAll(async () => {
  await db.close();
  setSessionTimeZone('UTC');
});

type Op = [sql: string, ours: (a: string, b: string) => string | null];

async function checkBinary(values: readonly [string, string][], ops: readonly Op[]): Promise<void> {
  const cases = values.flatMap(([a, b]) => ops.map((op) => ({ a, b, op })));
  const mismatches = await compareAll(
    cases,
    (c) => `${c.op[0]} with $1=${c.a} $2=${c.b}`,
    (c) => pgValue(db, `SELECT (${c.op[0]})::text`, c.op[0].includes('$2') ? [c.a, c.b] : [c.a]),
    (c) => ourValue(() => c.op[1](c.a, c.b)),
  );
  expect(mismatches).toEqual([]);
}

describe('numeric arithmetic', () => {
  const rnd = seededRandom(11);
  const digits = (n: number): string => {
    let s = String(1 + Math.floor(rnd() * 9));
    for (let i = 1; i < n; i++) s += Math.floor(rnd() * 10);
    return s;
  };
  const randomNumeric = (): string => {
    const sign = rnd() < 0.3 ? '-' : '';
    const int = rnd() < 0.3 ? '0' : digits(1 + Math.floor(rnd() * 25));
    const frac = rnd() < 0.3 ? '' : '.' + digits(1 + Math.floor(rnd() * 20));
    return sign + int + frac;
  };
  const specials = ['0', '0.000', '1', '-1', '3', '7', '0.001', '100000', '300000', 'NaN', 'Infinity', '-Infinity', '1e-20', '9999.9999'];
  const pairs: [string, string][] = [];
  for (const a of specials) for (const b of specials) pairs.push([a, b]);
  for (let i = 0; i < 150; i++) pairs.push([randomNumeric(), randomNumeric()]);

  it('+ - * / % div()', async () => {
    await checkBinary(pairs, [
      ['$1::text::numeric + $2::text::numeric', numericAdd],
      ['$1::text::numeric - $2::text::numeric', numericSub],
      ['$1::text::numeric * $2::text::numeric', numericMul],
      ['$1::text::numeric / $2::text::numeric', numericDiv],
      ['$1::text::numeric % $2::text::numeric', numericMod],
      ['div($1::text::numeric, $2::text::numeric)', numericDivTrunc],
    ]);
  });

  it('round, trunc, ceil, floor, abs, sign, sqrt, conversions', async () => {
    const values = [...specials, '2.5', '-2.5', '0.5', '-0.5', '1234.5678', '-1234.5678', '2', '123456789', '1e20', '0.0001'];
    for (let i = 0; i < 60; i++) values.push(randomNumeric());
    const scales = ['0', '2', '-2', '5', '-5'];
    const unary: Op[] = [
      ['ceil($1::text::numeric)', (a) => numericCeil(a)],
      ['floor($1::text::numeric)', (a) => numericFloor(a)],
      ['abs($1::text::numeric)', (a) => numericAbs(a)],
      ['sign($1::text::numeric)', (a) => numericSign(a)],
      ['sqrt($1::text::numeric)', (a) => numericSqrt(a)],
      ['$1::text::numeric::int4', (a) => String(numericToInt4(a))],
      ['$1::text::numeric::int8', (a) => numericToInt8(a).toString()],
      ['$1::text::numeric::float8', (a) => float8out(numericToFloat8(a))],
      ['$1::text::float8::numeric', (a) => numericFromFloat8(float8in(a))],
      ['$1::text::float4::numeric', (a) => numericFromFloat4(float4in(a))],
    ];
    const withScale: Op[] = [
      ['round($1::text::numeric, $2::text::int4)', (a, s) => numericRound(a, Number(s))],
      ['trunc($1::text::numeric, $2::text::int4)', (a, s) => numericTrunc(a, Number(s))],
    ];
    await checkBinary(values.map((v) => [v, '0'] as [string, string]), unary);
    await checkBinary(values.flatMap((v) => scales.map((s) => [v, s] as [string, string])), withScale);
  });

  it('a thousand-digit operand', async () => {
    const big = '9'.repeat(600) + '.' + '1'.repeat(400);
    await checkBinary([[big, '7'], [big, big], ['1', big]], [
      ['$1::text::numeric * $2::text::numeric', numericMul],
      ['$1::text::numeric / $2::text::numeric', numericDiv],
      ['$1::text::numeric % $2::text::numeric', numericMod],
    ]);
  });
});

describe('float and integer arithmetic', () => {
  it('float8 operators with overflow, underflow and division by zero', async () => {
    const values = ['0', '-0', '1', '-1.5', '1e308', '-1e308', '1e-308', '5e-324', '0.1', '3', 'NaN', 'Infinity', '-Infinity', '123456.789'];
    const pairs = values.flatMap((a) => values.map((b) => [a, b] as [string, string]));
    const f = (op: (x: number, y: number) => number) => (a: string, b: string) => float8out(op(float8in(a), float8in(b)));
    await checkBinary(pairs, [
      ['$1::text::float8 + $2::text::float8', f(float8pl)],
      ['$1::text::float8 - $2::text::float8', f(float8mi)],
      ['$1::text::float8 * $2::text::float8', f(float8mul)],
      ['$1::text::float8 / $2::text::float8', f(float8div)],
    ]);
    await checkBinary(
      ['0.5', '1.5', '2.5', '-2.5', '2147483647.4', '2147483647.5', '-2147483648.5', 'NaN', 'Infinity'].map((v) => [v, '0']),
      [
        ['$1::text::float8::int4', (a) => String(float8ToInt4(float8in(a)))],
        ['$1::text::float8::float4', (a) => float4out(Math.fround(float8in(a)))],
      ],
    );
  });

  it('int2, int4, int8 operators at the boundaries', async () => {
    const v4 = ['0', '1', '-1', '7', '-7', '2147483647', '-2147483648', '46341', '-46341', '65536'];
    const pairs4 = v4.flatMap((a) => v4.map((b) => [a, b] as [string, string]));
    const i4 = (op: (x: number, y: number) => number) => (a: string, b: string) => String(op(int4in(a), int4in(b)));
    await checkBinary(pairs4, [
      ['$1::text::int4 + $2::text::int4', i4(int4add)],
      ['$1::text::int4 - $2::text::int4', i4(int4sub)],
      ['$1::text::int4 * $2::text::int4', i4(int4mul)],
      ['$1::text::int4 / $2::text::int4', i4(int4div)],
      ['$1::text::int4 % $2::text::int4', i4(int4mod)],
    ]);
    const v2 = ['0', '-1', '181', '182', '-32768', '32767'];
    await checkBinary(v2.flatMap((a) => v2.map((b) => [a, b] as [string, string])), [
      ['$1::text::int2 * $2::text::int2', (a, b) => String(int2mul(Number(a), Number(b)))],
    ]);
    const v8 = ['0', '-1', '3', '9223372036854775807', '-9223372036854775808', '4294967296', '-3037000500'];
    const pairs8 = v8.flatMap((a) => v8.map((b) => [a, b] as [string, string]));
    await checkBinary(pairs8, [
      ['$1::text::int8 * $2::text::int8', (a, b) => int8mul(int8in(a), int8in(b)).toString()],
      ['$1::text::int8 / $2::text::int8', (a, b) => int8div(int8in(a), int8in(b)).toString()],
    ]);
  });
});

describe('date and time functions', () => {
  const timestamps = [
    '2024-01-15 13:45:07.25', '2024-12-30 00:00', '2024-12-31 23:59:59.999999', '2021-01-03 12:00',
    '2000-01-01', '2001-01-01', '1999-12-31 23:59:59', '0001-01-01 BC', '0050-06-15 12:00 BC',
    '0005-01-01 BC', '1970-01-01', '1969-12-31 23:59:59.5', '2024-02-29 06:30', '294276-12-31 23:59:59',
    '4714-11-24 BC', 'infinity', '-infinity', '2023-01-01', '2026-01-01', '2027-01-03',
  ];
  const units = [
    'microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year',
    'decade', 'century', 'millennium', 'epoch', 'dow', 'isodow', 'doy', 'isoyear', 'julian', 'timezone',
    'timezone_hour', 'ms', 'MONTHS', 'foo',
  ];
  const intervals = [
    '1 year 2 mons 3 days 04:05:06.5', '-1 year -2 mons', '100:00:00', '40 days', '00:01:02.5', '5 mons',
    '250 years', '-1 days +02:03:04', '1 mon 1 day', '3 days 5 hours', '-7 mons -00:00:00.25', '0',
    '1 day', '25 hours', '-25 hours', '45 days -1 hour', 'infinity', '-infinity',
  ];

  it('extract and date_trunc on timestamp, timestamptz, date', async () => {
    const cases = timestamps.flatMap((t) => units.map((u) => [t, u] as [string, string]));
    await checkBinary(cases, [
      ['pg_catalog.extract($2, $1::text::timestamp)', (t, u) => extractTimestamp(u, timestampIn(t))],
      ['pg_catalog.extract($2, $1::text::timestamptz)', (t, u) => extractTimestamptz(u, timestamptzIn(t))],
      ['pg_catalog.extract($2, $1::text::date)', (t, u) => extractDate(u, dateIn(t))],
      ['date_trunc($2, $1::text::timestamp)', (t, u) => timestampOut(dateTruncTimestamp(u, timestampIn(t)))],
      ['date_trunc($2, $1::text::timestamptz)', (t, u) => timestamptzOut(dateTruncTimestamptz(u, timestamptzIn(t)))],
    ]);
  });

  it('extract and date_trunc on interval', async () => {
    const cases = intervals.flatMap((t) => units.map((u) => [t, u] as [string, string]));
    await checkBinary(cases, [
      ['pg_catalog.extract($2, $1::text::interval)', (t, u) => extractInterval(u, intervalIn(t))],
      ['date_trunc($2, $1::text::interval)', (t, u) => intervalOut(dateTruncInterval(u, intervalIn(t)))],
    ]);
  });

  it('timestamp +/- interval, timestamp - timestamp, age, date arithmetic', async () => {
    const pairs = timestamps.flatMap((t) => intervals.map((i) => [t, i] as [string, string]));
    await checkBinary(pairs, [
      ['$1::text::timestamp + $2::text::interval', (t, i) => timestampOut(timestampPlInterval(timestampIn(t), intervalIn(i)))],
      ['$1::text::timestamptz + $2::text::interval', (t, i) => timestamptzOut(timestamptzPlInterval(timestamptzIn(t), intervalIn(i)))],
      ['$1::text::date + $2::text::interval', (t, i) => timestampOut(datePlusInterval(dateIn(t), intervalIn(i)))],
    ]);
    const tpairs = timestamps.flatMap((a) => timestamps.slice(0, 12).map((b) => [a, b] as [string, string]));
    await checkBinary(tpairs, [
      ['$1::text::timestamp - $2::text::timestamp', (a, b) => intervalOut(timestampMi(timestampIn(a), timestampIn(b)))],
      ['age($1::text::timestamp, $2::text::timestamp)', (a, b) => intervalOut(timestampAge(timestampIn(a), timestampIn(b)))],
      ['$1::text::date - $2::text::date', (a, b) => String(dateMinusDate(dateIn(a), dateIn(b)))],
    ]);
    await checkBinary(
      timestamps.map((t) => [t, '0'] as [string, string]),
      [
        ['$1::text::date + 1000', (t) => dateOut(datePlusDays(dateIn(t), 1000))],
        ['$1::text::date - 1000000', (t) => dateOut(datePlusDays(dateIn(t), -1000000))],
      ],
    );
  });

  it('interval arithmetic and justify', async () => {
    const factors = ['1.5', '-1.5', '0.3', '3', '0.1', '1e-7', '0'];
    const pairs = intervals.flatMap((i) => factors.map((f) => [i, f] as [string, string]));
    await checkBinary(pairs, [
      ['$1::text::interval * $2::text::float8', (i, f) => intervalOut(intervalMul(intervalIn(i), Number(f)))],
      ['$1::text::interval / $2::text::float8', (i, f) => intervalOut(intervalDiv(intervalIn(i), Number(f)))],
    ]);
    const ipairs = intervals.flatMap((a) => intervals.map((b) => [a, b] as [string, string]));
    await checkBinary(ipairs, [
      ['$1::text::interval + $2::text::interval', (a, b) => intervalOut(intervalPl(intervalIn(a), intervalIn(b)))],
    ]);
    await checkBinary(
      [...intervals, '-1 mon 35 days', '1 mon -35 days -25:00', '29 days 24:00', '-29 days -24:00'].map((i) => [i, '0'] as [string, string]),
      [
        ['justify_hours($1::text::interval)', (i) => intervalOut(justifyHours(intervalIn(i)))],
        ['justify_days($1::text::interval)', (i) => intervalOut(justifyDays(intervalIn(i)))],
        ['justify_interval($1::text::interval)', (i) => intervalOut(justifyInterval(intervalIn(i)))],
      ],
    );
  });

  it('timestamptz in America/New_York: input, output, DST arithmetic, trunc, age', async () => {
    await db.exec("SET TimeZone = 'America/New_York'");
    setSessionTimeZone('America/New_York');
    try {
      const texts = [
        '2024-03-10 02:30', '2024-11-03 01:30', '2024-11-03 01:30 EDT', '2024-01-15 12:00', '1800-01-01 00:00',
        '2024-03-10 03:30', '2024-03-09 12:00', '2024-07-04 00:00+00', 'today', 'epoch',
      ];
      await checkBinary(texts.map((t) => [t, '0'] as [string, string]), [
        ['$1::text::timestamptz', (t) => timestamptzOut(timestamptzIn(t))],
        ["$1::text::timestamptz + '1 day'::interval", (t) => timestamptzOut(timestamptzPlInterval(timestamptzIn(t), intervalIn('1 day')))],
        ["$1::text::timestamptz + '24 hours'::interval", (t) => timestamptzOut(timestamptzPlInterval(timestamptzIn(t), intervalIn('24 hours')))],
        ["date_trunc('day', $1::text::timestamptz)", (t) => timestamptzOut(dateTruncTimestamptz('day', timestamptzIn(t)))],
        ["date_trunc('hour', $1::text::timestamptz)", (t) => timestamptzOut(dateTruncTimestamptz('hour', timestamptzIn(t)))],
        ["extract(timezone from $1::text::timestamptz)", (t) => extractTimestamptz('timezone', timestamptzIn(t))],
        ["age($1::text::timestamptz, '2023-06-15 12:00')", (t) => intervalOut(timestamptzAge(timestamptzIn(t), timestamptzIn('2023-06-15 12:00')))],
      ]);
    } finally {
      await db.exec("SET TimeZone = 'UTC'");
      setSessionTimeZone('UTC');
    }
  });
});
