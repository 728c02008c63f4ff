/*
 * mathfuncs.ts — float8 trigonometry (float.c's dsin, dcos, ... datan2),
 * gcd/lcm of integers (int.c's int4gcd, int8lcm, ...), width_bucket for
 * float8 (float.c's width_bucket_float8), factorial and scale of numeric
 * (numeric.c's numeric_fac, numeric_scale).
 *
 * Exports: MATH_FUNCS (ImplTable, merged by utils/fmgr/builtins.ts)
 */

import type { ImplTable } from '../fmgr/fmgrimpl.ts';
import { fixed } from '../fmgr/fmgrimpl.ts';
import { SQLSTATE, ereport } from '../errors.ts';

const n = (v: unknown): number => v as number;

/** float.c rejects infinite input for the periodic functions, and out-of-domain input for the inverse ones. */
function trig(f: (x: number) => number, domain: (x: number) => boolean): (a: unknown[]) => number {
  return (a) => {
    const x = n(a[0]);
    if (Number.isNaN(x)) return NaN;
    if (!domain(x)) ereport(SQLSTATE.numeric_value_out_of_range, 'input is out of range');
    const r = f(x);
    if (!Number.isFinite(r) && !Number.isNaN(r)) ereport(SQLSTATE.numeric_value_out_of_range, 'value out of range: overflow');
    return r;
  };
}
const finite = (x: number): boolean => Number.isFinite(x);
const unit = (x: number): boolean => x >= -1 && x <= 1;
const any = (): boolean => true;

function intGcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a < 0n ? -a : a;
}

/** int4gcd / int8gcd: the result is non-negative; gcd(MIN, 0) and gcd(MIN, MIN) do not fit. */
function gcdOf(min: bigint, name: string) {
  return (a: bigint, b: bigint): bigint => {
    const g = intGcd(a, b);
    if (g > -min - 1n) ereport(SQLSTATE.numeric_value_out_of_range, `${name} out of range`);
    return g;
  };
}

function lcmOf(min: bigint, name: string) {
  return (a: bigint, b: bigint): bigint => {
    if (a === 0n || b === 0n) return 0n;
    let r = (a / intGcd(a, b)) * b;
    if (r < 0n) r = -r;
    if (r > -min - 1n) ereport(SQLSTATE.numeric_value_out_of_range, `${name} out of range`);
    return r;
  };
}

const INT4_MIN = -2147483648n;
const INT8_MIN = -9223372036854775808n;
const gcd4 = gcdOf(INT4_MIN, 'integer');
const gcd8 = gcdOf(INT8_MIN, 'bigint');
const lcm4 = lcmOf(INT4_MIN, 'integer');
const lcm8 = lcmOf(INT8_MIN, 'bigint');

/** width_bucket_float8: equal-width buckets 1..count between the bounds, 0 below, count+1 above. */
function widthBucketFloat8(operand: number, bound1: number, bound2: number, count: number): number {
  if (count <= 0) ereport('2201G', 'count must be greater than zero');
  if (Number.isNaN(operand) || Number.isNaN(bound1) || Number.isNaN(bound2)) {
    ereport('2201G', 'operand, lower bound, and upper bound cannot be NaN');
  }
  if (!Number.isFinite(bound1) || !Number.isFinite(bound2)) ereport('2201G', 'lower and upper bounds must be finite');
  const over = (): number => {
    if (count === 2147483647) ereport(SQLSTATE.numeric_value_out_of_range, 'integer out of range');
    return count + 1;
  };
  const inside = (num: number, den: number, num2: number, den2: number): number => {
    // A width that overflows to infinity is computed on halves, as float.c does.
    let r = Math.trunc(Number.isFinite(den) ? count * (num / den) : count * (num2 / den2));
    if (r >= count) r = count - 1; // the quotient can round up to 1.0
    return r + 1;
  };
  if (bound1 < bound2) {
    if (operand < bound1) return 0;
    if (operand >= bound2) return over();
    return inside(operand - bound1, bound2 - bound1, operand / 2 - bound1 / 2, bound2 / 2 - bound1 / 2);
  }
  if (bound1 > bound2) {
    if (operand > bound1) return 0;
    if (operand <= bound2) return over();
    return inside(bound1 - operand, bound1 - bound2, bound1 / 2 - operand / 2, bound1 / 2 - bound2 / 2);
  }
  return ereport('2201G', 'lower bound cannot equal upper bound');
}

/** numeric_fac: n! as numeric; PostgreSQL refuses n > 32177 before computing. */
function factorial(v: bigint): string {
  if (v < 0n) ereport(SQLSTATE.numeric_value_out_of_range, 'factorial of a negative number is undefined');
  if (v > 32177n) ereport(SQLSTATE.numeric_value_out_of_range, 'value overflows numeric format');
  let r = 1n;
  for (let i = 2n; i <= v; i++) r *= i;
  return r.toString();
}

/** numeric_scale: digits after the decimal point; NULL for NaN and the infinities. */
function numericScale(s: string): number | null {
  if (s === 'NaN' || s === 'Infinity' || s === '-Infinity') return null;
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

export const MATH_FUNCS: ImplTable = {
  dsin: fixed(trig(Math.sin, finite)),
  dcos: fixed(trig(Math.cos, finite)),
  dtan: fixed(trig(Math.tan, finite)),
  dcot: fixed((a) => {
    // No overflow check: cot(0) is Infinity in PostgreSQL too.
    const x = n(a[0]);
    if (Number.isNaN(x)) return NaN;
    if (!Number.isFinite(x)) ereport(SQLSTATE.numeric_value_out_of_range, 'input is out of range');
    return 1 / Math.tan(x);
  }),
  dasin: fixed(trig(Math.asin, unit)),
  dacos: fixed(trig(Math.acos, unit)),
  datan: fixed(trig(Math.atan, any)),
  datan2: fixed((a) => {
    const y = n(a[0]);
    const x = n(a[1]);
    return Number.isNaN(y) || Number.isNaN(x) ? NaN : Math.atan2(y, x);
  }),
  dsinh: fixed((a) => Math.sinh(n(a[0]))),
  dcosh: fixed((a) => Math.cosh(n(a[0]))),
  dtanh: fixed((a) => Math.tanh(n(a[0]))),
  int4gcd: fixed((a) => Number(gcd4(BigInt(n(a[0])), BigInt(n(a[1]))))),
  int8gcd: fixed((a) => gcd8(a[0] as bigint, a[1] as bigint)),
  int4lcm: fixed((a) => Number(lcm4(BigInt(n(a[0])), BigInt(n(a[1]))))),
  int8lcm: fixed((a) => lcm8(a[0] as bigint, a[1] as bigint)),
  width_bucket_float8: fixed((a) => widthBucketFloat8(n(a[0]), n(a[1]), n(a[2]), n(a[3]))),
  numeric_fac: fixed((a) => factorial(a[0] as bigint)),
  numeric_scale: fixed((a) => numericScale(a[0] as string)),
};
