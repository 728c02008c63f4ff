/*
 * numericarith.ts — numeric arithmetic with PostgreSQL's result scales and
 * special-value rules.
 *
 * Exports, on Decimal (see numeric.ts) and NumericVar:
 *   addDecimal, subDecimal, mulDecimal, divDecimal, divTruncDecimal,
 *   modDecimal, sqrtDecimal, truncDecimal, ceilDecimal, floorDecimal,
 *   absDecimal, negDecimal, signDecimal, selectDivScale
 *   addVar, subVar, mulVar, divVar, modVar, cmpVar, roundVar, truncVar
 *
 * and on the text Datum form, for the SQL layer:
 *   numericAdd, numericSub, numericMul, numericDiv, numericDivTrunc (div()), numericDivInts,
 *   numericMod, numericRound, numericTrunc, numericCeil, numericFloor,
 *   numericAbs, numericNeg, numericSign, numericSqrt
 *   numericFromInt, numericToInt2/Int4/Int8, numericToFloat8/Float4,
 *   numericFromFloat8/Float4
 *
 * Result display scales (dscale) follow numeric.c:
 *   a + b, a - b, a % b    max(dscale a, dscale b)
 *   a * b                  dscale a + dscale b (capped at NUMERIC_DSCALE_MAX)
 *   a / b                  selectDivScale: at least NUMERIC_MIN_SIG_DIGITS
 *                          significant digits, at least either input's
 *                          dscale, at most NUMERIC_MAX_DISPLAY_SCALE;
 *                          rounded half away from zero
 *   sqrt(a)                about NUMERIC_MIN_SIG_DIGITS significant digits
 *
 * Special values: NaN in, NaN out; Infinity behaves as in IEEE arithmetic,
 * except that dividing anything but NaN by zero is an error (22012).
 */

import { SQLSTATE, ereport } from '../errors.ts';
import { float4in, float8in } from './float.ts';
import {
  DEC_DIGITS,
  DECIMAL_NAN,
  DECIMAL_NINF,
  DECIMAL_PINF,
  NUMERIC_DSCALE_MAX,
  NUMERIC_MAX_DISPLAY_SCALE,
  NUMERIC_MAX_RESULT_SCALE,
  NUMERIC_MIN_DISPLAY_SCALE,
  NUMERIC_MIN_SIG_DIGITS,
  decimalCmp,
  decimalFromText,
  decimalToText,
  decimalToVar,
  makeResult,
  pow10,
  roundDecimal,
  varToDecimal,
  type Decimal,
  type NumericVar,
} from './numeric.ts';

const finite = (coef: bigint, scale: number): Decimal => ({ special: null, coef, scale });

const isNaN = (d: Decimal): boolean => d.special === 'NaN';
const isPinf = (d: Decimal): boolean => d.special === 'Infinity';
const isNinf = (d: Decimal): boolean => d.special === '-Infinity';
const isInf = (d: Decimal): boolean => isPinf(d) || isNinf(d);

/** -1, 0 or 1 for a finite or infinite value (not NaN). */
function signOf(d: Decimal): number {
  if (isPinf(d)) return 1;
  if (isNinf(d)) return -1;
  return d.coef > 0n ? 1 : d.coef < 0n ? -1 : 0;
}

const infOfSign = (sign: number): Decimal => (sign > 0 ? DECIMAL_PINF : sign < 0 ? DECIMAL_NINF : DECIMAL_NAN);

/** Both coefficients at the larger scale. */
function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  if (a.scale === b.scale) return [a.coef, b.coef, a.scale];
  if (a.scale < b.scale) return [a.coef * pow10(b.scale - a.scale), b.coef, b.scale];
  return [a.coef, b.coef * pow10(a.scale - b.scale), a.scale];
}

function divisionByZero(): never {
  return ereport(SQLSTATE.division_by_zero, 'division by zero');
}

/** n / d rounded half away from zero (d != 0). */
function divRound(n: bigint, d: bigint): bigint {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}

/* --------------------------------------------------------------- + - * */

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.special !== null || b.special !== null) {
    if (isNaN(a) || isNaN(b)) return DECIMAL_NAN;
    if (isInf(a) && isInf(b)) return a.special === b.special ? a : DECIMAL_NAN;
    return isInf(a) ? a : b;
  }
  const [x, y, scale] = align(a, b);
  return makeResult(finite(x + y, scale));
}

export function negDecimal(a: Decimal): Decimal {
  if (isNaN(a)) return a;
  if (isPinf(a)) return DECIMAL_NINF;
  if (isNinf(a)) return DECIMAL_PINF;
  return finite(-a.coef, a.scale);
}

export const subDecimal = (a: Decimal, b: Decimal): Decimal => addDecimal(a, negDecimal(b));

export function mulDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.special !== null || b.special !== null) {
    if (isNaN(a) || isNaN(b)) return DECIMAL_NAN;
    // Infinity times zero is NaN; otherwise the signs multiply.
    return infOfSign(signOf(a) * signOf(b));
  }
  const product = finite(a.coef * b.coef, a.scale + b.scale);
  if (product.scale <= NUMERIC_DSCALE_MAX) return makeResult(product);
  return makeResult(roundDecimal(product, NUMERIC_DSCALE_MAX));
}

/* -------------------------------------------------------------- division */

/** Weight (base NBASE) and first base-NBASE digit of a finite nonzero value; [0, 0] for zero. */
function firstDigit(d: Decimal): [number, number] {
  const v = decimalToVar(d);
  return v.digits.length === 0 ? [0, 0] : [v.weight, v.digits[0]];
}

/**
 * select_div_scale: the quotient gets at least NUMERIC_MIN_SIG_DIGITS
 * significant digits, and never fewer fractional digits than either input.
 */
export function selectDivScale(a: Decimal, b: Decimal): number {
  const [weight1, first1] = firstDigit(a);
  const [weight2, first2] = firstDigit(b);
  // Estimate the quotient's weight; an equal first digit may still mean a quotient below 1.
  let qweight = weight1 - weight2;
  if (first1 <= first2) qweight--;
  let rscale = NUMERIC_MIN_SIG_DIGITS - qweight * DEC_DIGITS;
  rscale = Math.max(rscale, a.scale, b.scale, NUMERIC_MIN_DISPLAY_SCALE);
  return Math.min(rscale, NUMERIC_MAX_DISPLAY_SCALE);
}

/** a / b rounded to rscale digits after the point (finite values). */
function divideAtScale(a: Decimal, b: Decimal, rscale: number, round: boolean): Decimal {
  if (b.coef === 0n) divisionByZero();
  // a/b * 10^rscale = a.coef * 10^(rscale + b.scale - a.scale) / b.coef
  const shift = rscale + b.scale - a.scale;
  let n = a.coef;
  let d = b.coef;
  if (shift >= 0) n *= pow10(shift);
  else d *= pow10(-shift);
  const q = round ? divRound(n, d) : n / d;
  // A negative rscale counts tens left of the point: 12345 at rscale -2 is 123 hundreds.
  if (rscale < 0) return makeResult(finite(q * pow10(-rscale), 0));
  return makeResult(finite(q, rscale));
}

export function divDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.special !== null || b.special !== null) {
    if (isNaN(a) || isNaN(b)) return DECIMAL_NAN;
    if (isInf(a)) {
      if (isInf(b)) return DECIMAL_NAN;
      const s = signOf(b);
      if (s === 0) divisionByZero();
      return infOfSign(signOf(a) * s);
    }
    // finite / infinity
    return finite(0n, 0);
  }
  return divideAtScale(a, b, selectDivScale(a, b), true);
}

/** div(a, b): the quotient truncated toward zero, scale 0. */
export function divTruncDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.special !== null || b.special !== null) {
    if (isNaN(a) || isNaN(b)) return DECIMAL_NAN;
    if (isInf(a)) {
      if (isInf(b)) return DECIMAL_NAN;
      const s = signOf(b);
      if (s === 0) divisionByZero();
      return infOfSign(signOf(a) * s);
    }
    return finite(0n, 0);
  }
  return divideAtScale(a, b, 0, false);
}

/** a % b = a - trunc(a / b) * b; the sign follows a. */
export function modDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.special !== null || b.special !== null) {
    if (isNaN(a) || isNaN(b)) return DECIMAL_NAN;
    if (isInf(a)) {
      if (signOf(b) === 0) divisionByZero();
      return DECIMAL_NAN;
    }
    return a; // finite % infinity
  }
  const [x, y, scale] = align(a, b);
  if (y === 0n) divisionByZero();
  return makeResult(finite(x % y, scale));
}

/* ------------------------------------------------------ rounding family */

export function truncDecimal(d: Decimal, scale: number): Decimal {
  if (d.special !== null) return d;
  const newScale = Math.max(scale, 0);
  if (scale >= d.scale) return finite(d.coef * pow10(newScale - d.scale), newScale);
  let q = d.coef / pow10(d.scale - scale);
  if (scale < 0) q *= pow10(-scale);
  return finite(q, newScale);
}

/** Clamp the scale argument of round()/trunc() as numeric_round does. */
const clampScale = (s: number): number => Math.min(Math.max(s, -NUMERIC_MAX_RESULT_SCALE), NUMERIC_MAX_RESULT_SCALE);

export function ceilDecimal(d: Decimal): Decimal {
  if (d.special !== null) return d;
  const t = truncDecimal(d, 0);
  return decimalCmp(t, d) < 0 ? finite(t.coef + 1n, 0) : t;
}

export function floorDecimal(d: Decimal): Decimal {
  if (d.special !== null) return d;
  const t = truncDecimal(d, 0);
  return decimalCmp(t, d) > 0 ? finite(t.coef - 1n, 0) : t;
}

export function absDecimal(d: Decimal): Decimal {
  if (d.special !== null) return isNinf(d) ? DECIMAL_PINF : d;
  return d.coef < 0n ? finite(-d.coef, d.scale) : d;
}

/** sign(): -1, 0 or 1 with scale 0; NaN for NaN. */
export function signDecimal(d: Decimal): Decimal {
  if (isNaN(d)) return d;
  return finite(BigInt(signOf(d)), 0);
}

function bigintSqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's iteration from an overestimate converges monotonically down.
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrtDecimal(d: Decimal): Decimal {
  if (isNaN(d) || isPinf(d)) return d;
  if (isNinf(d) || d.coef < 0n) {
    ereport('2201F', 'cannot take square root of a negative number');
  }
  // Result scale: about NUMERIC_MIN_SIG_DIGITS significant digits.
  const v = decimalToVar(d);
  const weight = v.digits.length === 0 ? 0 : v.weight;
  const sweight = Math.trunc(((weight + 1) * DEC_DIGITS) / 2) - 1;
  let rscale = NUMERIC_MIN_SIG_DIGITS - sweight;
  rscale = Math.max(rscale, d.scale, NUMERIC_MIN_DISPLAY_SCALE);
  rscale = Math.min(rscale, NUMERIC_MAX_DISPLAY_SCALE);
  // floor(sqrt(value) * 10^(rscale+1)), then round the extra digit.
  const n = d.coef * pow10(2 * (rscale + 1) - d.scale);
  const root = bigintSqrt(n);
  const q = root / 10n + (root % 10n >= 5n ? 1n : 0n);
  return makeResult(finite(q, rscale));
}

/* ------------------------------------------------------------- NumericVar */

const onVars =
  (op: (a: Decimal, b: Decimal) => Decimal) =>
  (a: NumericVar, b: NumericVar): NumericVar =>
    decimalToVar(op(varToDecimal(a), varToDecimal(b)));

export const addVar = onVars(addDecimal);
export const subVar = onVars(subDecimal);
export const modVar = onVars(modDecimal);
export const cmpVar = (a: NumericVar, b: NumericVar): number => decimalCmp(varToDecimal(a), varToDecimal(b));

/** mul_var: the exact product rounded to rscale. */
export function mulVar(a: NumericVar, b: NumericVar, rscale?: number): NumericVar {
  const p = mulDecimal(varToDecimal(a), varToDecimal(b));
  return decimalToVar(rscale === undefined ? p : roundDecimal(p, rscale));
}

/** div_var: the quotient at rscale digits, rounded (round = true) or truncated. */
export function divVar(a: NumericVar, b: NumericVar, rscale: number, round: boolean): NumericVar {
  const x = varToDecimal(a);
  const y = varToDecimal(b);
  if (x.special !== null || y.special !== null) return decimalToVar(divDecimal(x, y));
  return decimalToVar(divideAtScale(x, y, rscale, round));
}

export const roundVar = (v: NumericVar, rscale: number): NumericVar => decimalToVar(roundDecimal(varToDecimal(v), rscale));
export const truncVar = (v: NumericVar, rscale: number): NumericVar => decimalToVar(truncDecimal(varToDecimal(v), rscale));

/* ------------------------------------------------------------- text API */

const binary =
  (op: (a: Decimal, b: Decimal) => Decimal) =>
  (a: string, b: string): string =>
    decimalToText(op(decimalFromText(a), decimalFromText(b)));

const unary =
  (op: (a: Decimal) => Decimal) =>
  (a: string): string =>
    decimalToText(op(decimalFromText(a)));

export const numericAdd = binary(addDecimal);
export const numericSub = binary(subDecimal);
export const numericMul = binary(mulDecimal);
export const numericDiv = binary(divDecimal);
export const numericDivTrunc = binary(divTruncDecimal);
export const numericMod = binary(modDecimal);
export const numericCeil = unary(ceilDecimal);
export const numericFloor = unary(floorDecimal);
export const numericAbs = unary(absDecimal);
export const numericNeg = unary(negDecimal);
export const numericSign = unary(signDecimal);
export const numericSqrt = unary(sqrtDecimal);

/** round(x, s): half away from zero; s may be negative. */
export const numericRound = (a: string, scale = 0): string =>
  decimalToText(roundDecimal(decimalFromText(a), clampScale(scale)));
export const numericTrunc = (a: string, scale = 0): string =>
  decimalToText(truncDecimal(decimalFromText(a), clampScale(scale)));

/* ------------------------------------------------------------ conversions */

export const numericFromInt = (v: number | bigint): string => (typeof v === 'bigint' ? v.toString() : String(Math.trunc(v)));

/** a / b of two integers as numeric_div gives it (avg's final step: sum / count), without the text round trip. */
export const numericDivInts = (a: bigint, b: bigint): string => decimalToText(divDecimal(finite(a, 0), finite(b, 0)));

function toInteger(text: string, typeName: string, min: bigint, max: bigint): bigint {
  const d = decimalFromText(text);
  if (isNaN(d)) ereport(SQLSTATE.feature_not_supported, `cannot convert NaN to ${typeName}`);
  if (isInf(d)) ereport(SQLSTATE.feature_not_supported, `cannot convert infinity to ${typeName}`);
  const r = roundDecimal(d, 0).coef;
  if (r < min || r > max) ereport(SQLSTATE.numeric_value_out_of_range, `${typeName} out of range`);
  return r;
}

export const numericToInt2 = (v: string): number => Number(toInteger(v, 'smallint', -32768n, 32767n));
export const numericToInt4 = (v: string): number => Number(toInteger(v, 'integer', -2147483648n, 2147483647n));
export const numericToInt8 = (v: string): bigint =>
  toInteger(v, 'bigint', -9223372036854775808n, 9223372036854775807n);

/** numeric_float8 goes through the text form, so the double is correctly rounded. */
export function numericToFloat8(v: string): number {
  const d = decimalFromText(v);
  if (d.special === 'NaN') return NaN;
  if (d.special !== null) return isPinf(d) ? Infinity : -Infinity;
  return float8in(decimalToText(d));
}

export function numericToFloat4(v: string): number {
  const d = decimalFromText(v);
  if (d.special === 'NaN') return NaN;
  if (d.special !== null) return isPinf(d) ? Infinity : -Infinity;
  return float4in(decimalToText(d));
}

/** %.{digits}g of x, as float8_numeric prints it before parsing: 15 significant digits (DBL_DIG). */
function fromFloat(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  const s = x.toExponential(digits - 1);
  const e = s.indexOf('e');
  const mant = s.slice(0, e).replace(/\.?0+$/, '');
  return decimalToText(decimalFromText(mant + s.slice(e)));
}

export const numericFromFloat8 = (x: number): string => fromFloat(x, 15);
export const numericFromFloat4 = (x: number): string => fromFloat(x, 6);
