/*
 * polymorphic.pglite.test.ts — the executor passes the actual argument types
 * to aggregates, window aggregates and set-returning functions (polymorphic
 * and "any" functions read them), and min/max keep the newer value on a tie
 * as PostgreSQL's transition functions do; plus the float8 trigonometry,
 * gcd/lcm, width_bucket, factorial and scale of utils/adt/mathfuncs.ts.
 * Each statement's psql rendering is compared with PGlite's.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteSide, renderOutcome, type Side } from '../../test/sql/harness.ts';
import { openTabgresSide } from '../../test/sql/tabgres_side.ts';

let pg: PgliteSide;
let tg: Side;

beforeAll(async () => {
  pg = await PgliteSide.start();
  tg = await openTabgresSide();
}, 60_000);

afterAll(async () => {
  await pg.close();
  await tg.close();
});

async function same(sql: string): Promise<void> {
  const [a, b] = [await pg.run(sql), await tg.run(sql)];
  expect(renderOutcome(b), sql).toBe(renderOutcome(a));
}

describe('argument types reach aggregates and set-returning functions', () => {
  const cases = [
    'SELECT jsonb_object_agg(x, x*1.5) FROM generate_series(1,3) x',
    'SELECT json_object_agg(x, x*1.5) FROM generate_series(1,3) x',
    'SELECT array_agg(x*1.5) FROM generate_series(1,3) x',
    'SELECT jsonb_agg(x) FROM (VALUES (1.50::numeric), (NULL), (2)) v(x)',
    "SELECT jsonb_agg(t) FROM (VALUES ('a'::text), ('b')) v(t)",
    "SELECT json_agg(b) FROM (VALUES (true), (false)) v(b)",
    "SELECT unnest(ARRAY['x','y']::text[]) AS u",
    "SELECT * FROM unnest(ARRAY['x','y']::text[]) AS u",
    'SELECT x, jsonb_agg(x*2.5) OVER (ORDER BY x) FROM generate_series(1,3) x',
    'SELECT x, array_agg(x) OVER (ORDER BY x), json_agg(x) OVER (ORDER BY x), jsonb_object_agg(x, x) OVER (ORDER BY x) FROM generate_series(1,3) x',
    "SELECT x, string_agg(x::text, ',') OVER (ORDER BY x), array_agg(ARRAY[x]) OVER (ORDER BY x) FROM generate_series(1,3) x",
    'SELECT x, array_agg(x::numeric) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM generate_series(1,3) x',
  ];
  for (const sql of cases) it(sql, () => same(sql));
});

describe('min/max on ties', () => {
  const cases = [
    'SELECT min(x), max(x) FROM (VALUES (1.0::numeric), (1.00)) v(x)',
    'SELECT min(x), max(x) FROM (VALUES (1.00::numeric), (1.0)) v(x)',
    "SELECT min(x), max(x) FROM (VALUES ('1 day'::interval), ('24 hours')) v(x)",
    "SELECT min(x), max(x) FROM (VALUES ('0'::float8), ('-0')) v(x)",
    "SELECT octet_length(min(x)) a, octet_length(max(x)) b FROM (VALUES ('a '::bpchar), ('a'::bpchar)) v(x)",
    'SELECT min(x) OVER (), max(x) OVER () FROM (VALUES (1.0::numeric), (1.00)) v(x)',
  ];
  for (const sql of cases) it(sql, () => same(sql));
});

describe('math functions', () => {
  const cases = [
    'SELECT sin(0), cos(0), tan(0), atan(1) * 4, asin(1), acos(-1), atan2(1, 1), cot(1), sinh(1), cosh(0), tanh(0.5)',
    "SELECT sin('Infinity'::float8)",
    'SELECT asin(2)',
    'SELECT gcd(12, 18), lcm(4, 6), gcd(-12, 0), lcm(-4, 6), gcd(12::int8, 18::int8), lcm(0::int8, 5)',
    'SELECT gcd(-2147483648, 0)',
    'SELECT lcm(2147483647, 2)',
    'SELECT width_bucket(5, 0, 10, 5), width_bucket(-1, 0, 10, 5), width_bucket(10, 0, 10, 5), width_bucket(3.3::float8, 10, 0, 4)',
    'SELECT width_bucket(1, 0, 0, 3)',
    'SELECT width_bucket(1, 0, 2, 0)',
    'SELECT factorial(5), factorial(0), factorial(25)',
    'SELECT factorial(-1)',
    'SELECT make_timestamp(2024, 1, 2, 3, 4, 5.5), make_timestamp(2024, 2, 29, 24, 0, 0), make_timestamp(-44, 3, 15, 12, 0, 59.9999999)',
    'SELECT make_timestamp(2023, 2, 29, 1, 2, 3)',
    'SELECT make_timestamp(2024, 1, 2, 25, 0, 0)',
    'SELECT make_timestamp(2024, 1, 2, 1, 2, 60.5)',
    'SELECT make_timestamp(2024, 1, 2, 24, 0, 1)',
    "SELECT to_char(timestamp '2024-05-17 10:20:30', 'YYYY-MM-DD HH24:MI:SS')",
    "SELECT to_char(timestamp '2024-05-05 00:07:08.123456', 'Day DAY day Dy DY dy D DDD Q J HH HH12 AM pm A.M. SSSS SSSSS MS US')",
    "SELECT to_char(timestamp '2024-02-03 13:04:05', 'FMMonth Month MONTH month Mon MON mon FMDD FMHH12 YYY YY Y AD b.c.')",
    "SELECT to_char(timestamp '0044-03-15 12:00:00 BC', 'YYYY BC \"quoted YYYY\" \\\\MM')",
    "SELECT to_char(timestamp 'infinity', 'YYYY'), to_char(timestamp '2024-01-01', '')",
    "SELECT scale(1.230), scale(12), scale('NaN'::numeric), scale(0.00001)",
  ];
  for (const sql of cases) it(sql, () => same(sql));
});
