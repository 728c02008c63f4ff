/*
 * float.ts — real (float4) and double precision (float8).
 *
 * Exports:
 *   float4Type, float8Type        the TypeInfo objects
 *   float4in, float8in            text input (strtof/strtod syntax plus
 *                                 NaN, Infinity, inf, with a sign)
 *   float4out, float8out          text output for an extra_float_digits value
 *                                 (default 1: shortest exact round trip)
 *   float8cmp                     btree order: NaN above +Infinity, -0 = 0
 *   float8pl/mi/mul/div, float4pl/mi/mul/div
 *                                 arithmetic with PostgreSQL's overflow,
 *                                 underflow and division-by-zero errors
 *   rint                          C's rint(): round half to even
 *   float8ToInt2/Int4/Int8        casts (rint, then range check)
 *
 * Datum form: a JS number. A float4 is a number that Math.fround leaves
 * unchanged. On disk: IEEE 754 little-endian, 4 or 8 bytes.
 *
 * Output with extra_float_digits > 0 prints the shortest decimal that reads
 * back as the same value (see floatshortest.ts), in %g style: exponential
 * notation when the decimal exponent is < -4 or >= 15 (float8) / 6 (float4),
 * with at least two exponent digits ("1e+100", "1.5e-07"); otherwise plain.
 * With extra_float_digits <= 0 it prints %.{15+n}g (float8) or %.{6+n}g.
 */

import type { TypeInfo } from './datum.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { asNumber, invalidSyntax } from './datumutils.ts';
import { trimCSpace } from './numutils.ts';
import { FLOAT32, FLOAT64, decimalToFloat32, shortestDecimal, type DecimalDigits } from './floatshortest.ts';

/** DBL_DIG and FLT_DIG: digits a %g output keeps before switching to exponential. */
const DBL_DIG = 15;
const FLT_DIG = 6;

/*
 *   [spaces] [+|-] ( digits [. digits] | . digits ) [ e [+|-] digits ] [spaces]
 *   [spaces] [+|-] 0x hexdigits [. hexdigits] [ p [+|-] digits ]  [spaces]
 *   [spaces] [+|-] ( inf | infinity | nan )                        [spaces]
 */
const FLOAT_RE =
  /^[ \t\n\v\f\r]*([+-]?)(?:((?:[0-9]+\.?[0-9]*|\.[0-9]+))(?:[eE]([+-]?[0-9]+))?|0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))(?:[pP]([+-]?[0-9]+))?|(inf|infinity|nan))[ \t\n\v\f\r]*$/i;

interface ScannedFloat {
  /** The double nearest to the text (may be 0 or Infinity past the range). */
  value: number;
  /** True when the text has a nonzero digit (so a 0 result is an underflow). */
  nonzero: boolean;
  /** True for NaN / Infinity spelled out, which are not range errors. */
  special: boolean;
  /** Exact decimal form for float4's correction: |value| = digits * 10^e10 (decimal input only). */
  digits: string | null;
  e10: number;
}

function scanFloat(text: string, typeName: string): ScannedFloat {
  const m = FLOAT_RE.exec(text);
  if (m === null) invalidSyntax(typeName, text);
  const neg = m[1] === '-';
  if (m[6] !== undefined) {
    const v = m[6].toLowerCase() === 'nan' ? NaN : neg ? -Infinity : Infinity;
    return { value: v, nonzero: true, special: true, digits: null, e10: 0 };
  }
  if (m[2] !== undefined) {
    const body = m[2];
    const value = Number(m[1] + body + (m[3] !== undefined ? 'e' + m[3] : ''));
    const nonzero = /[1-9]/.test(body);
    let digits: string | null = null;
    let e10 = 0;
    if (nonzero) {
      const dot = body.indexOf('.');
      const fracLen = dot < 0 ? 0 : body.length - dot - 1;
      digits = dot < 0 ? body : body.slice(0, dot) + body.slice(dot + 1);
      e10 = (m[3] !== undefined ? Number(m[3]) : 0) - fracLen;
    }
    return { value, nonzero, special: false, digits, e10 };
  }
  // Hexadecimal: the significand is exact as a BigInt, then scaled by 2^exp.
  const hex = m[4] as string;
  const dot = hex.indexOf('.');
  const fracLen = dot < 0 ? 0 : hex.length - dot - 1;
  const mant = BigInt('0x' + (hex.replace('.', '') || '0'));
  const exp2 = (m[5] !== undefined ? Number(m[5]) : 0) - 4 * fracLen;
  let value = mant === 0n ? 0 : hexToDouble(mant, exp2);
  if (neg) value = -value;
  return { value, nonzero: mant !== 0n, special: false, digits: null, e10: 0 };
}

function hexToDouble(mant: bigint, exp2: number): number {
  // Keep 64 significant bits so Number() rounds once; sticky bit for the rest.
  const len = mant.toString(2).length;
  if (len > 64) {
    const shift = len - 64;
    const sticky = mant & ((1n << BigInt(shift)) - 1n) ? 1n : 0n;
    mant = (mant >> BigInt(shift)) | sticky;
    exp2 += shift;
  }
  return Number(mant) * 2 ** exp2;
}

function rangeError(text: string, typeName: string): never {
  return ereport(SQLSTATE.numeric_value_out_of_range, `"${trimCSpace(text)}" is out of range for type ${typeName}`);
}

export function float8in(text: string): number {
  const s = scanFloat(text, 'double precision');
  if (s.special) return s.value;
  if (!Number.isFinite(s.value)) rangeError(text, 'double precision');
  if (s.value === 0 && s.nonzero) rangeError(text, 'double precision');
  return s.value;
}

export function float4in(text: string): number {
  const s = scanFloat(text, 'real');
  if (s.special) return s.value;
  const f = s.digits !== null ? decimalToFloat32(s.value, s.digits, s.e10) : Math.fround(s.value);
  if (!Number.isFinite(f)) rangeError(text, 'real');
  if (f === 0 && s.nonzero) rangeError(text, 'real');
  return f;
}

/* --------------------------------------------------------------- output */

function formatDigits(neg: boolean, d: DecimalDigits, threshold: number): string {
  const { digits, exponent } = d;
  let body: string;
  if (exponent < -4 || exponent >= threshold) {
    const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const e = Math.abs(exponent);
    body = `${mant}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  } else if (exponent >= 0) {
    body =
      digits.length <= exponent + 1
        ? digits + '0'.repeat(exponent + 1 - digits.length)
        : digits.slice(0, exponent + 1) + '.' + digits.slice(exponent + 1);
  } else {
    body = '0.' + '0'.repeat(-exponent - 1) + digits;
  }
  return neg ? '-' + body : body;
}

function formatSpecial(x: number): string | null {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return null;
}

/** %.{precision}g with trailing zeros removed. */
function formatG(x: number, precision: number): string {
  const neg = x < 0;
  const s = Math.abs(x).toExponential(precision - 1);
  const e = s.indexOf('e');
  let digits = s.slice(0, e).replace('.', '');
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  return formatDigits(neg, { digits, exponent: Number(s.slice(e + 1)) }, precision);
}

export function float8out(x: number, extraFloatDigits = 1): string {
  const special = formatSpecial(x);
  if (special !== null) return special;
  if (extraFloatDigits > 0) return formatDigits(x < 0, shortestDecimal(Math.abs(x), FLOAT64), DBL_DIG);
  return formatG(x, Math.max(1, DBL_DIG + extraFloatDigits));
}

export function float4out(x: number, extraFloatDigits = 1): string {
  const special = formatSpecial(x);
  if (special !== null) return special;
  if (extraFloatDigits > 0) return formatDigits(x < 0, shortestDecimal(Math.abs(x), FLOAT32), FLT_DIG);
  return formatG(x, Math.max(1, FLT_DIG + extraFloatDigits));
}

/* ----------------------------------------------------------- comparison */

/** float8_cmp_internal: all NaNs are equal and sort above everything else. */
export function float8cmp(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a > b ? 1 : a < b ? -1 : 0;
}

export const float4Type: TypeInfo = {
  oid: 700,
  name: 'float4',
  typlen: 4,
  typbyval: true,
  typalign: 'i',
  typstorage: 'p',
  typcategory: 'N',
  input: (text) => float4in(text),
  output: (v) => float4out(asNumber(v)),
  writeFixed: (view, off, v) => view.setFloat32(off, asNumber(v), true),
  readFixed: (view, off) => view.getFloat32(off, true),
  compare: (a, b) => float8cmp(asNumber(a), asNumber(b)),
};

export const float8Type: TypeInfo = {
  oid: 701,
  name: 'float8',
  typlen: 8,
  typbyval: true,
  typalign: 'd',
  typstorage: 'p',
  typcategory: 'N',
  input: (text) => float8in(text),
  output: (v) => float8out(asNumber(v)),
  writeFixed: (view, off, v) => view.setFloat64(off, asNumber(v), true),
  readFixed: (view, off) => view.getFloat64(off, true),
  compare: (a, b) => float8cmp(asNumber(a), asNumber(b)),
};

/* ----------------------------------------------------------- arithmetic */

function overflow(): never {
  return ereport(SQLSTATE.numeric_value_out_of_range, 'value out of range: overflow');
}

function underflow(): never {
  return ereport(SQLSTATE.numeric_value_out_of_range, 'value out of range: underflow');
}

const isInf = (x: number): boolean => x === Infinity || x === -Infinity;

/** An infinite result from finite inputs is an overflow (float_overflow_error). */
function checkInf(r: number, a: number, b: number): number {
  if (isInf(r) && !isInf(a) && !isInf(b)) overflow();
  return r;
}

/** A zero product or quotient of nonzero inputs is an underflow. */
function checkZero(r: number, a: number, nonzeroB: boolean): number {
  if (r === 0 && a !== 0 && nonzeroB) underflow();
  return r;
}

export const float8pl = (a: number, b: number): number => checkInf(a + b, a, b);
export const float8mi = (a: number, b: number): number => checkInf(a - b, a, b);
export const float8mul = (a: number, b: number): number => checkZero(checkInf(a * b, a, b), a, b !== 0);
export function float8div(a: number, b: number): number {
  if (b === 0 && !Number.isNaN(a)) ereport(SQLSTATE.division_by_zero, 'division by zero');
  return checkZero(checkInf(a / b, a, b), a, !isInf(b));
}

export const float4pl = (a: number, b: number): number => checkInf(Math.fround(a + b), a, b);
export const float4mi = (a: number, b: number): number => checkInf(Math.fround(a - b), a, b);
export const float4mul = (a: number, b: number): number => checkZero(checkInf(Math.fround(a * b), a, b), a, b !== 0);
export function float4div(a: number, b: number): number {
  if (b === 0 && !Number.isNaN(a)) ereport(SQLSTATE.division_by_zero, 'division by zero');
  return checkZero(checkInf(Math.fround(a / b), a, b), a, !isInf(b));
}

/** C's rint() in the default rounding mode: to nearest, ties to even. */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  // Math.round sends ties up; send them to the even neighbour instead.
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

function castError(what: string): never {
  return ereport(SQLSTATE.numeric_value_out_of_range, `${what} out of range`);
}

export function float8ToInt2(x: number): number {
  const r = rint(x);
  if (Number.isNaN(r) || r < -32768 || r > 32767) castError('smallint');
  return r + 0;
}

export function float8ToInt4(x: number): number {
  const r = rint(x);
  if (Number.isNaN(r) || r < -2147483648 || r > 2147483647) castError('integer');
  return r + 0;
}

export function float8ToInt8(x: number): bigint {
  const r = rint(x);
  if (Number.isNaN(r) || r < -9223372036854775808 || r >= 9223372036854775808) castError('bigint');
  return BigInt(r);
}
