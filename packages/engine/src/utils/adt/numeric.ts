/*
 * numeric.ts — numeric (decimal): exact decimal numbers of up to 131072
 * digits before the point and 16383 after, plus NaN and +/-Infinity.
 *
 * Exports:
 *   numericType                         the TypeInfo
 *   NumericVar, NUMERIC_POS/NEG/NAN/PINF/NINF, NBASE, DEC_DIGITS
 *                                       PostgreSQL's in-memory form
 *   Decimal, decimalFromText, decimalToText, decimalToVar, varToDecimal
 *                                       the form arithmetic works on
 *   numericVarFromText, numericVarToText
 *   numericVarToBytes, numericVarFromBytes   the on-disk payload
 *   numericIn, numericOut, numericCmp   text in/out and btree order
 *   makeNumericTypmod, numericTypmodPrecision, numericTypmodScale,
 *   applyNumericTypmod                  numeric(p,s)
 *   makeResult                          range checks every result passes through
 *
 * Arithmetic is in numericarith.ts.
 *
 * Three forms of one value:
 *
 *   text (the Datum)   "-12.50"            canonical numeric_out output
 *   Decimal            {coef: -1250n, scale: 2}   value = coef * 10^-scale;
 *                                          scale is PostgreSQL's dscale, the
 *                                          number of digits shown after the point
 *   NumericVar         {sign: NEG, weight: 0, dscale: 2, digits: [12, 5000]}
 *                                          base-10000 digits, the first worth
 *                                          10000^weight: what PostgreSQL stores
 *
 * PostgreSQL does its arithmetic on NumericVar digit arrays with schoolbook
 * algorithms. Here the arithmetic is on BigInt coefficients instead, which is
 * exact, shorter, and fast for the sizes numeric allows; the results (values
 * and display scales) are PostgreSQL's, and NumericVar remains the storage form.
 *
 * On disk (the varlena payload after the length header; little-endian):
 *
 *   short form, when dscale <= 63 and -64 <= weight <= 63:
 *     uint16 header  1 0 s d d d d d d w w w w w w w
 *                    |   | `- dscale -' `- weight -'  (7-bit two's complement)
 *                    |   `- sign: 1 = negative
 *                    `- 10 marks the short form
 *     int16 digits[ndigits]
 *
 *   long form:
 *     uint16 sign_dscale   sign in bits 15..14 (00 positive, 01 negative),
 *                          dscale in bits 13..0
 *     int16  weight
 *     int16  digits[ndigits]
 *
 *   special values: uint16 header only: NaN 0xC000, +Inf 0xD000, -Inf 0xF000
 *
 * ndigits is implied by the payload length. Leading and trailing zero digits
 * are never stored; zero is no digits at all (weight 0, positive).
 */

import type { TypeInfo } from './datum.ts';
import { SQLSTATE, ereport, elog } from '../errors.ts';
import { asString, invalidSyntax } from './datumutils.ts';
import { trimCSpace } from './numutils.ts';

export const NBASE = 10000;
export const DEC_DIGITS = 4;

export const NUMERIC_POS = 0x0000;
export const NUMERIC_NEG = 0x4000;
export const NUMERIC_SHORT = 0x8000;
export const NUMERIC_NAN = 0xc000;
export const NUMERIC_PINF = 0xd000;
export const NUMERIC_NINF = 0xf000;

const NUMERIC_SHORT_SIGN_MASK = 0x2000;
const NUMERIC_SHORT_DSCALE_SHIFT = 7;
const NUMERIC_SHORT_DSCALE_MAX = 63;
const NUMERIC_SHORT_WEIGHT_SIGN_MASK = 0x0040;
const NUMERIC_SHORT_WEIGHT_MASK = 0x003f;
const NUMERIC_SHORT_WEIGHT_MAX = 63;
const NUMERIC_SHORT_WEIGHT_MIN = -64;
const NUMERIC_DSCALE_MASK = 0x3fff;

/** Largest dscale the header can hold (14 bits). */
export const NUMERIC_DSCALE_MAX = 0x3fff;
/** Largest weight (int16): 32768 base-10000 digits before the point. */
export const NUMERIC_WEIGHT_MAX = 0x7fff;
/** numeric(p,s) limits, and the display-scale bounds division and sqrt use. */
export const NUMERIC_MAX_PRECISION = 1000;
export const NUMERIC_MIN_SCALE = -1000;
export const NUMERIC_MAX_SCALE = 1000;
export const NUMERIC_MAX_DISPLAY_SCALE = NUMERIC_MAX_PRECISION;
export const NUMERIC_MIN_DISPLAY_SCALE = 0;
export const NUMERIC_MAX_RESULT_SCALE = NUMERIC_MAX_PRECISION * 2;
/** Division and sqrt give at least this many significant digits. */
export const NUMERIC_MIN_SIG_DIGITS = 16;
/** Digits a finite value may have before the decimal point. */
const MAX_INTEGER_DIGITS = (NUMERIC_WEIGHT_MAX + 1) * DEC_DIGITS;
/** Exponents beyond this are rejected outright, as numeric_in does. */
const MAX_INPUT_EXPONENT = 0x3fffffff;
const VARHDRSZ = 4;

export interface NumericVar {
  /** NUMERIC_POS, NUMERIC_NEG, NUMERIC_NAN, NUMERIC_PINF or NUMERIC_NINF. */
  sign: number;
  /** Weight of digits[0]: it is worth digits[0] * NBASE^weight. */
  weight: number;
  /** Display scale: decimal digits shown after the point. */
  dscale: number;
  /** Base-NBASE digits, most significant first, no leading or trailing zeros. */
  digits: number[];
}

export type NumericSpecial = 'NaN' | 'Infinity' | '-Infinity';

/** The arithmetic form. For special values coef is 0n and scale 0. */
export interface Decimal {
  special: NumericSpecial | null;
  coef: bigint;
  scale: number;
}

export const DECIMAL_NAN: Decimal = { special: 'NaN', coef: 0n, scale: 0 };
export const DECIMAL_PINF: Decimal = { special: 'Infinity', coef: 0n, scale: 0 };
export const DECIMAL_NINF: Decimal = { special: '-Infinity', coef: 0n, scale: 0 };

const pow10Cache: bigint[] = [];
export function pow10(n: number): bigint {
  if (n < 0) elog(`pow10(${n})`);
  if (n < 128) {
    let p = pow10Cache[n];
    if (p === undefined) {
      p = 10n ** BigInt(n);
      pow10Cache[n] = p;
    }
    return p;
  }
  return 10n ** BigInt(n);
}

export function overflowsNumeric(): never {
  return ereport(SQLSTATE.numeric_value_out_of_range, 'value overflows numeric format');
}

/** Number of decimal digits of |v| (0 for 0). */
export function decimalDigitCount(v: bigint): number {
  if (v === 0n) return 0;
  return (v < 0n ? -v : v).toString().length;
}

/**
 * make_result: every value leaving an operation passes here. Values with too
 * many integer digits are an error; the display scale must fit the header.
 */
export function makeResult(d: Decimal): Decimal {
  if (d.special !== null) return d;
  if (d.scale > NUMERIC_DSCALE_MAX) overflowsNumeric();
  if (d.coef !== 0n && decimalDigitCount(d.coef) - d.scale > MAX_INTEGER_DIGITS) overflowsNumeric();
  return d;
}

/* ------------------------------------------------------------ text input */

const DECIMAL_RE = /^([0-9](?:_?[0-9])*)?(?:\.([0-9](?:_?[0-9])*)?)?(?:[eE]([+-]?[0-9](?:_?[0-9])*))?$/;
const PREFIXED_RE = /^0(?:[xX]((?:_?[0-9a-fA-F])+)|[oO]((?:_?[0-7])+)|[bB]((?:_?[01])+))$/;

/** numeric_in without a typmod: the exact value of the text, or a 22P02/22003 error. */
export function decimalFromText(text: string): Decimal {
  let s = trimCSpace(text);
  const lower = s.toLowerCase();
  if (lower === 'nan') return DECIMAL_NAN;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  const word = s.toLowerCase();
  if (word === 'infinity' || word === 'inf') return neg ? DECIMAL_NINF : DECIMAL_PINF;

  const p = PREFIXED_RE.exec(s);
  if (p !== null) {
    const prefix = p[1] !== undefined ? '0x' : p[2] !== undefined ? '0o' : '0b';
    const body = (p[1] ?? p[2] ?? p[3] ?? '').replaceAll('_', '');
    const v = BigInt(prefix + body);
    return makeResult({ special: null, coef: neg ? -v : v, scale: 0 });
  }

  const m = DECIMAL_RE.exec(s);
  if (m === null || (m[1] === undefined && m[2] === undefined)) invalidSyntax('numeric', text);
  const intDigits = m[1] === undefined ? '' : m[1].replaceAll('_', '');
  const fracDigits = m[2] === undefined ? '' : m[2].replaceAll('_', '');
  let exponent = 0;
  if (m[3] !== undefined) {
    exponent = Number(m[3].replaceAll('_', ''));
    if (!(Math.abs(exponent) <= MAX_INPUT_EXPONENT)) overflowsNumeric();
  }
  const dscale = Math.max(0, fracDigits.length - exponent);
  if (dscale > NUMERIC_DSCALE_MAX) overflowsNumeric();
  // Check the size before building a BigInt, so absurd input fails fast.
  const significant = (intDigits + fracDigits).replace(/^0+/, '');
  if (significant === '') return { special: null, coef: 0n, scale: dscale };
  if (significant.length + exponent - fracDigits.length > MAX_INTEGER_DIGITS) overflowsNumeric();
  // The value is significant * 10^(exponent - fracLen); rewrite it at scale dscale.
  const coef = BigInt(significant) * pow10(dscale - fracDigits.length + exponent);
  return makeResult({ special: null, coef: neg ? -coef : coef, scale: dscale });
}

/* ----------------------------------------------------------- text output */

export function decimalToText(d: Decimal): string {
  if (d.special !== null) return d.special;
  const neg = d.coef < 0n;
  let s = (neg ? -d.coef : d.coef).toString();
  if (d.scale > 0) {
    if (s.length <= d.scale) s = '0'.repeat(d.scale - s.length + 1) + s;
    s = s.slice(0, s.length - d.scale) + '.' + s.slice(s.length - d.scale);
  }
  return neg ? '-' + s : s;
}

/* ---------------------------------------------------- Decimal <-> NumericVar */

export function decimalToVar(d: Decimal): NumericVar {
  if (d.special === 'NaN') return { sign: NUMERIC_NAN, weight: 0, dscale: 0, digits: [] };
  if (d.special === 'Infinity') return { sign: NUMERIC_PINF, weight: 0, dscale: 0, digits: [] };
  if (d.special === '-Infinity') return { sign: NUMERIC_NINF, weight: 0, dscale: 0, digits: [] };
  if (d.coef === 0n) return { sign: NUMERIC_POS, weight: 0, dscale: d.scale, digits: [] };
  const neg = d.coef < 0n;
  const s = (neg ? -d.coef : d.coef).toString();
  // Pad so the decimal point falls on a base-NBASE digit boundary.
  const intLen = s.length - d.scale;
  const leftPad = (((DEC_DIGITS - (intLen % DEC_DIGITS)) % DEC_DIGITS) + DEC_DIGITS) % DEC_DIGITS;
  const fracPad = (((DEC_DIGITS - (d.scale % DEC_DIGITS)) % DEC_DIGITS) + DEC_DIGITS) % DEC_DIGITS;
  const padded = '0'.repeat(leftPad) + s + '0'.repeat(fracPad);
  const digits: number[] = [];
  for (let i = 0; i < padded.length; i += DEC_DIGITS) digits.push(Number(padded.slice(i, i + DEC_DIGITS)));
  let weight = (intLen + leftPad) / DEC_DIGITS - 1;
  let start = 0;
  while (start < digits.length && digits[start] === 0) {
    start++;
    weight--;
  }
  let end = digits.length;
  while (end > start && digits[end - 1] === 0) end--;
  return { sign: neg ? NUMERIC_NEG : NUMERIC_POS, weight, dscale: d.scale, digits: digits.slice(start, end) };
}

export function varToDecimal(v: NumericVar): Decimal {
  if (v.sign === NUMERIC_NAN) return DECIMAL_NAN;
  if (v.sign === NUMERIC_PINF) return DECIMAL_PINF;
  if (v.sign === NUMERIC_NINF) return DECIMAL_NINF;
  if (v.digits.length === 0) return { special: null, coef: 0n, scale: v.dscale };
  let s = String(v.digits[0]);
  for (let i = 1; i < v.digits.length; i++) s += String(v.digits[i]).padStart(DEC_DIGITS, '0');
  let coef = BigInt(s);
  // s holds the value times NBASE^(ndigits - 1 - weight); rescale to 10^dscale.
  const fracInS = DEC_DIGITS * (v.digits.length - 1 - v.weight);
  if (v.dscale >= fracInS) coef *= pow10(v.dscale - fracInS);
  else coef /= pow10(fracInS - v.dscale);
  return { special: null, coef: v.sign === NUMERIC_NEG ? -coef : coef, scale: v.dscale };
}

export const numericVarFromText = (text: string): NumericVar => decimalToVar(decimalFromText(text));
export const numericVarToText = (v: NumericVar): string => decimalToText(varToDecimal(v));

/* ------------------------------------------------------------- on disk */

export function numericVarToBytes(v: NumericVar): Uint8Array {
  if (v.sign === NUMERIC_NAN || v.sign === NUMERIC_PINF || v.sign === NUMERIC_NINF) {
    const out = new Uint8Array(2);
    new DataView(out.buffer).setUint16(0, v.sign, true);
    return out;
  }
  const short =
    v.dscale <= NUMERIC_SHORT_DSCALE_MAX && v.weight <= NUMERIC_SHORT_WEIGHT_MAX && v.weight >= NUMERIC_SHORT_WEIGHT_MIN;
  const headerLen = short ? 2 : 4;
  const out = new Uint8Array(headerLen + 2 * v.digits.length);
  const view = new DataView(out.buffer);
  if (short) {
    const header =
      NUMERIC_SHORT |
      (v.sign === NUMERIC_NEG ? NUMERIC_SHORT_SIGN_MASK : 0) |
      (v.dscale << NUMERIC_SHORT_DSCALE_SHIFT) |
      (v.weight < 0 ? NUMERIC_SHORT_WEIGHT_SIGN_MASK : 0) |
      (v.weight & NUMERIC_SHORT_WEIGHT_MASK);
    view.setUint16(0, header, true);
  } else {
    view.setUint16(0, v.sign | (v.dscale & NUMERIC_DSCALE_MASK), true);
    view.setInt16(2, v.weight, true);
  }
  for (let i = 0; i < v.digits.length; i++) view.setInt16(headerLen + 2 * i, v.digits[i], true);
  return out;
}

export function numericVarFromBytes(bytes: Uint8Array): NumericVar {
  if (bytes.length < 2 || bytes.length % 2 !== 0) elog(`invalid numeric payload length ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = view.getUint16(0, true);
  const kind = header & 0xc000;
  if (kind === NUMERIC_NAN) {
    const sign = header & 0xf000;
    if (sign !== NUMERIC_NAN && sign !== NUMERIC_PINF && sign !== NUMERIC_NINF) elog(`invalid numeric header ${header}`);
    return { sign, weight: 0, dscale: 0, digits: [] };
  }
  let sign: number;
  let weight: number;
  let dscale: number;
  let offset: number;
  if (kind === NUMERIC_SHORT) {
    sign = header & NUMERIC_SHORT_SIGN_MASK ? NUMERIC_NEG : NUMERIC_POS;
    dscale = (header >> NUMERIC_SHORT_DSCALE_SHIFT) & NUMERIC_SHORT_DSCALE_MAX;
    weight = header & NUMERIC_SHORT_WEIGHT_SIGN_MASK ? (header & NUMERIC_SHORT_WEIGHT_MASK) - 64 : header & NUMERIC_SHORT_WEIGHT_MASK;
    offset = 2;
  } else {
    if (bytes.length < 4) elog('invalid numeric payload: long header truncated');
    sign = kind;
    dscale = header & NUMERIC_DSCALE_MASK;
    weight = view.getInt16(2, true);
    offset = 4;
  }
  const digits: number[] = [];
  for (let i = offset; i < bytes.length; i += 2) digits.push(view.getInt16(i, true));
  return { sign, weight, dscale, digits };
}

/* -------------------------------------------------------------- typmod */

/** numeric(p,s) as atttypmod: ((p << 16) | (s & 0x7ff)) + VARHDRSZ. */
export function makeNumericTypmod(precision: number, scale = 0): number {
  if (!Number.isInteger(precision) || precision < 1 || precision > NUMERIC_MAX_PRECISION) {
    ereport(SQLSTATE.invalid_parameter_value, `NUMERIC precision ${precision} must be between 1 and ${NUMERIC_MAX_PRECISION}`);
  }
  if (!Number.isInteger(scale) || scale < NUMERIC_MIN_SCALE || scale > NUMERIC_MAX_SCALE) {
    ereport(
      SQLSTATE.invalid_parameter_value,
      `NUMERIC scale ${scale} must be between ${NUMERIC_MIN_SCALE} and ${NUMERIC_MAX_SCALE}`,
    );
  }
  return ((precision << 16) | (scale & 0x7ff)) + VARHDRSZ;
}

export const isValidNumericTypmod = (typmod: number): boolean => typmod >= VARHDRSZ;
export const numericTypmodPrecision = (typmod: number): number => ((typmod - VARHDRSZ) >> 16) & 0xffff;
/** The scale is an 11-bit two's complement field. */
export const numericTypmodScale = (typmod: number): number => ((((typmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024);

/** Rounds half away from zero to `scale` digits after the point (scale may be negative). */
export function roundDecimal(d: Decimal, scale: number): Decimal {
  if (d.special !== null) return d;
  const newScale = Math.max(scale, 0);
  if (scale >= d.scale) return { special: null, coef: d.coef * pow10(newScale - d.scale), scale: newScale };
  const div = pow10(d.scale - scale);
  const neg = d.coef < 0n;
  const mag = neg ? -d.coef : d.coef;
  let q = mag / div;
  if ((mag % div) * 2n >= div) q += 1n;
  if (scale < 0) q *= pow10(-scale);
  return { special: null, coef: neg ? -q : q, scale: newScale };
}

/** apply_typmod: round to the scale, then check the digits before the point. */
export function applyNumericTypmod(d: Decimal, typmod: number): Decimal {
  if (!isValidNumericTypmod(typmod)) return d;
  const precision = numericTypmodPrecision(typmod);
  const scale = numericTypmodScale(typmod);
  const maxdigits = precision - scale;
  if (d.special === 'NaN') return d;
  if (d.special !== null) {
    ereport(SQLSTATE.numeric_value_out_of_range, 'numeric field overflow', {
      detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.`,
    });
  }
  const r = roundDecimal(d, scale);
  if (r.coef !== 0n) {
    // Digits before the point of the rounded value; <= 0 for |value| < 1.
    const ddigits = decimalDigitCount(r.coef) - r.scale;
    if (ddigits > maxdigits) {
      ereport(SQLSTATE.numeric_value_out_of_range, 'numeric field overflow', {
        detail:
          `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ` +
          `${maxdigits !== 0 ? `10^${maxdigits}` : '1'}.`,
      });
    }
  }
  return r;
}

/* ---------------------------------------------------- text API and order */

export function numericIn(text: string, typmod = -1): string {
  return decimalToText(applyNumericTypmod(decimalFromText(text), typmod));
}

/** The Datum is already canonical text; output is the identity, kept for symmetry. */
export const numericOut = (v: string): string => v;

function specialRank(d: Decimal): number {
  if (d.special === null) return 0;
  return d.special === 'NaN' ? 2 : d.special === 'Infinity' ? 1 : -1;
}

/** cmp_numerics: -Infinity < finite values < +Infinity < NaN; NaN equals NaN. */
export function decimalCmp(a: Decimal, b: Decimal): number {
  const ra = specialRank(a);
  const rb = specialRank(b);
  if (ra !== 0 || rb !== 0) return ra === rb ? 0 : ra < rb ? -1 : 1;
  let x = a.coef;
  let y = b.coef;
  if (a.scale < b.scale) x *= pow10(b.scale - a.scale);
  else if (b.scale < a.scale) y *= pow10(a.scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const numericCmp = (a: string, b: string): number => decimalCmp(decimalFromText(a), decimalFromText(b));

export const numericType: TypeInfo = {
  oid: 1700,
  name: 'numeric',
  typlen: -1,
  typbyval: false,
  typalign: 'i',
  typstorage: 'm',
  typcategory: 'N',
  input: (text, typmod) => numericIn(text, typmod),
  output: (v) => asString(v),
  toBytes: (v) => numericVarToBytes(numericVarFromText(asString(v))),
  fromBytes: (bytes) => numericVarToText(numericVarFromBytes(bytes)),
  compare: (a, b) => numericCmp(asString(a), asString(b)),
  applyTypmod: (v, typmod) => decimalToText(applyNumericTypmod(decimalFromText(asString(v)), typmod)),
};
