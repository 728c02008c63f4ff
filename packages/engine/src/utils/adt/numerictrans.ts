/*
 * numerictrans.ts — numeric's transcendental functions: ln, log(base, x),
 * exp, and power with a fractional exponent (PostgreSQL's numeric.c ln_var,
 * log_var, exp_var, power_var), on BigInt fixed-point arithmetic.
 *
 * Exports: numericLn(x), numericLog(base, x), numericExp(x), numericPowerReal(base, exp)
 *
 * The result scales are PostgreSQL's: at least 16 significant digits
 * (NUMERIC_MIN_SIG_DIGITS) from an estimate of the result's decimal weight
 * (estimate_ln_dweight), and never less than an input's display scale. The
 * value is computed with 25 guard digits and rounded half away from zero,
 * so it agrees with PostgreSQL's (whose own computation is accurate to the
 * last digit it prints).
 *
 * Methods: ln(x) = ln(m) + k ln(10) with x = m * 10^k, m in [1, 10); ln(m)
 * after eight square roots (m^(1/256) is within 1% of 1) by the atanh
 * series. exp(x) = exp(x / 2^s)^(2^s) with the Taylor series for the small
 * argument.
 */

import { SQLSTATE, ereport } from '../errors.ts';
import { type Decimal, decimalFromText, decimalToText, pow10 } from './numeric.ts';

const MIN_SIG_DIGITS = 16;
const MAX_DISPLAY_SCALE = 1000;
const GUARD = 25;
const SQRT_STEPS = 8;

const clampScale = (s: number): number => Math.min(Math.max(s, 0), MAX_DISPLAY_SCALE);

/** Integer square root (floor), by Newton's iteration from a power of two above the root. */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Fixed-point value v / 10^w rounded half away from zero to scale s (s <= w). */
function roundTo(v: bigint, w: number, s: number): bigint {
  const d = pow10(w - s);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const q = (a + d / 2n) / d;
  return neg ? -q : q;
}

/** ln of a positive fixed-point value v / 10^w, at scale w. */
function lnFixed(v: bigint, w: number): bigint {
  const one = pow10(w);
  // x = m * 10^k with m in [1, 10).
  let k = v.toString().length - 1 - w;
  let m = k >= 0 ? v / pow10(k) : v * pow10(-k);
  // Keep the digits lost by the division.
  if (k > 0) m = (v * one) / (one * pow10(k));
  if (m < one) {
    m *= 10n;
    k--;
  }
  const lnM = lnNearOne(m, w);
  return k === 0 ? lnM : lnM + BigInt(k) * ln10(w);
}

const ln10Cache = new Map<number, bigint>();
function ln10(w: number): bigint {
  let v = ln10Cache.get(w);
  if (v === undefined) {
    v = lnNearOne(10n * pow10(w), w);
    ln10Cache.set(w, v);
  }
  return v;
}

/** ln(m) for m / 10^w in [1, 10]: square roots to bring it near 1, then 2 atanh((y-1)/(y+1)). */
function lnNearOne(m: bigint, w: number): bigint {
  const one = pow10(w);
  let y = m;
  for (let i = 0; i < SQRT_STEPS; i++) y = isqrt(y * one);
  const z = ((y - one) * one) / (y + one);
  const z2 = (z * z) / one;
  let term = z;
  let sum = 0n;
  for (let n = 1n; term !== 0n; n += 2n) {
    sum += term / n;
    term = (term * z2) / one;
  }
  return (2n * sum) << BigInt(SQRT_STEPS);
}

/** exp of a fixed-point value v / 10^w, at scale w. */
function expFixed(v: bigint, w: number): bigint {
  const one = pow10(w);
  // Halve until |x| < 0.01, then square back.
  let s = 0;
  let x = v;
  const limit = one / 100n;
  while ((x < 0n ? -x : x) > limit) {
    x /= 2n;
    s++;
  }
  let term = one;
  let sum = one;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * x) / (one * n);
    sum += term;
  }
  for (let i = 0; i < s; i++) sum = (sum * sum) / one;
  return sum;
}

/** estimate_ln_dweight: the decimal weight of ln(x), from the leading base-10000 digits as PostgreSQL estimates it. */
function estimateLnDweight(d: Decimal): number {
  if (d.coef <= 0n) return 0;
  const x = Number(decimalToText(d));
  if (x >= 0.9 && x <= 1.1) {
    const diff = decimalToText({ special: null, coef: d.coef - pow10(d.scale), scale: d.scale });
    if (Number(diff) === 0) return 0;
    return Math.floor(Math.log10(Math.abs(Number(diff))));
  }
  return Math.trunc(Math.log10(Math.abs(approxLn(d))));
}

/** ln(x) in double precision, without overflowing for huge or tiny x. */
function approxLn(d: Decimal): number {
  const digits = (d.coef < 0n ? -d.coef : d.coef).toString();
  const lead = Number(digits.slice(0, 15));
  const exponent = digits.length - Math.min(15, digits.length) - d.scale;
  return Math.log(lead) + exponent * Math.LN10;
}

function toFixed(d: Decimal, w: number): bigint {
  return d.scale <= w ? d.coef * pow10(w - d.scale) : d.coef / pow10(d.scale - w);
}

function fixedToText(v: bigint, scale: number): string {
  return decimalToText({ special: null, coef: v, scale });
}

function checkLnArg(d: Decimal): void {
  if (d.special === '-Infinity' || (d.special === null && d.coef < 0n)) ereport('2201E', 'cannot take logarithm of a negative number');
  if (d.special === null && d.coef === 0n) ereport('2201E', 'cannot take logarithm of zero');
}

export function numericLn(text: string): string {
  const d = decimalFromText(text);
  checkLnArg(d);
  if (d.special !== null) return d.special;
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - estimateLnDweight(d), d.scale));
  const w = rscale + GUARD;
  return fixedToText(roundTo(lnFixed(toFixed(d, w), w), w, rscale), rscale);
}

/** log(base, x) = ln(x) / ln(base), scaled as log_var does. */
export function numericLog(baseText: string, numText: string): string {
  const b = decimalFromText(baseText);
  const x = decimalFromText(numText);
  checkLnArg(b);
  checkLnArg(x);
  if (b.special === 'NaN' || x.special === 'NaN') return 'NaN';
  if (b.special !== null || x.special !== null) {
    if (b.special === 'Infinity' && x.special === 'Infinity') return 'NaN';
    if (x.special === 'Infinity') return 'Infinity';
    return '0';
  }
  const resultDweight = estimateLnDweight(x) - estimateLnDweight(b);
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - resultDweight, b.scale, x.scale));
  const w = rscale + GUARD + Math.max(0, resultDweight);
  const lnB = lnFixed(toFixed(b, w), w);
  if (lnB === 0n) ereport(SQLSTATE.division_by_zero, 'division by zero');
  const lnX = lnFixed(toFixed(x, w), w);
  const q = (lnX * pow10(w)) / lnB;
  return fixedToText(roundTo(q, w, rscale), rscale);
}

export function numericExp(text: string): string {
  const d = decimalFromText(text);
  if (d.special === 'NaN' || d.special === 'Infinity') return d.special;
  if (d.special === '-Infinity') return '0';
  const x = Number(text);
  if (x > 302000) ereport(SQLSTATE.numeric_value_out_of_range, 'value overflows numeric format');
  let val = x * 0.434294481903252;
  val = Math.max(Math.min(val, 2000), -2000);
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - Math.trunc(val), d.scale));
  // The series runs at absolute precision 10^-w, so w must also cover the result's integer digits
  // and the doublings that squaring back costs.
  const w = rscale + GUARD + Math.max(0, Math.ceil(val)) + Math.ceil(Math.log10(Math.abs(x) * 100 + 1));
  return fixedToText(roundTo(expFixed(toFixed(d, w), w), w, rscale), rscale);
}

/** power(base, exp) for a fractional exponent: exp(exp * ln(base)), scaled as power_var does. */
export function numericPowerReal(baseText: string, expText: string): string {
  const b = decimalFromText(baseText);
  const e = decimalFromText(expText);
  if (b.special !== null || e.special !== null) {
    return ereport(SQLSTATE.feature_not_supported, 'power(numeric, numeric) of infinite values is not supported');
  }
  if (b.coef === 0n) return e.coef > 0n ? '0.0000000000000000' : ereport('2201F', 'zero raised to a negative power is undefined');
  if (b.coef < 0n) ereport('2201F', 'a negative number raised to a non-integer power yields a complex result');
  const lnApprox = approxLn(b) * Number(expText);
  if (Math.abs(lnApprox) > 2000 * 3.01) {
    if (lnApprox > 0) ereport(SQLSTATE.numeric_value_out_of_range, 'value overflows numeric format');
    return '0.' + '0'.repeat(MAX_DISPLAY_SCALE);
  }
  const val = lnApprox * 0.434294481903252;
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - Math.trunc(val), b.scale, e.scale));
  const w = rscale + GUARD + Math.max(0, Math.ceil(val)) + Math.ceil(Math.log10(Math.abs(lnApprox) * 100 + 1));
  const lnB = lnFixed(toFixed(b, w), w);
  const prod = (lnB * toFixed(e, w)) / pow10(w);
  return fixedToText(roundTo(expFixed(prod, w), w, rscale), rscale);
}
