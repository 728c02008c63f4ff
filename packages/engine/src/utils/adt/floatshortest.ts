/*
 * floatshortest.ts — exact decimal <-> binary floating point, the part of
 * float4/float8 I/O that must be exact (PostgreSQL's common/d2s.c, f2s.c and
 * the C library's strtof play this role there).
 *
 * Exports:
 *   shortestDecimal(x, format)   the shortest digits that read back as x,
 *                                chosen as PostgreSQL's Ryu output chooses them
 *   decimalToFloat32(d, text)    correctly rounded float32 of decimal text,
 *                                given its (possibly double-rounded) double d
 *   FLOAT64, FLOAT32             the two binary formats
 *
 * Two facts carry the design:
 *
 * 1. JavaScript already prints the shortest round-trip digits of a double
 *    (Number.prototype.toExponential() with no argument). Ryu, as PostgreSQL
 *    uses it, differs in one case only: it never prints a decimal lying
 *    exactly halfway between x and a neighbouring double, even though
 *    reading such a decimal back gives x by round-half-to-even. (PostgreSQL
 *    prints '1e23'::float8 as 9.999999999999999e+22 for that reason.) So we
 *    take JavaScript's digits and, only when they are such a midpoint, look
 *    for the shortest non-midpoint instead.
 *
 * 2. Number(text) followed by Math.fround() rounds twice and can be wrong for
 *    float32 when the double lands exactly on a float32 midpoint. Then, and
 *    only then, the decimal text is compared exactly (BigInt) with the
 *    midpoint to pick the right side.
 *
 * Midpoints between binary floats are dyadic rationals (k / 2^n), so a
 * decimal that is not dyadic can never be one; that test is cheap and skips
 * the BigInt work for almost every value.
 */

export interface FloatFormat {
  /** Significand bits including the implicit one: 53 or 24. */
  readonly precisionBits: number;
  /** Exponent of the smallest normal number: -1022 or -126. */
  readonly minExponent: number;
  /** Converts a double to this format (identity or Math.fround). */
  readonly round: (x: number) => number;
}

export const FLOAT64: FloatFormat = { precisionBits: 53, minExponent: -1022, round: (x) => x };
export const FLOAT32: FloatFormat = { precisionBits: 24, minExponent: -126, round: Math.fround };

const scratch = new DataView(new ArrayBuffer(8));

/** x = mant * 2^exp exactly, for finite x > 0. */
function decomposeDouble(x: number): { mant: bigint; exp: number } {
  scratch.setFloat64(0, x);
  const bits = scratch.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  if (biased === 0) return { mant: frac, exp: -1074 };
  return { mant: frac | (1n << 52n), exp: biased - 1075 };
}

function bitLength(v: bigint): number {
  return v.toString(2).length;
}

const pow10Cache: bigint[] = [];
function pow10(n: number): bigint {
  if (n < 64) {
    let p = pow10Cache[n];
    if (p === undefined) {
      p = 10n ** BigInt(n);
      pow10Cache[n] = p;
    }
    return p;
  }
  return 10n ** BigInt(n);
}

/** Sign of (m * 10^e10) - (k * 2^e2), all exact; m, k >= 0. */
function compareDecimalBinary(m: bigint, e10: number, k: bigint, e2: number): number {
  let left = m;
  let right = k;
  if (e10 >= 0) left *= pow10(e10);
  else right *= pow10(-e10);
  if (e2 >= 0) right <<= BigInt(e2);
  else left <<= BigInt(-e2);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** True when the decimal m * 10^e10 could equal some dyadic rational. */
function isDyadic(m: bigint, e10: number): boolean {
  if (e10 >= 0) return true;
  return m % 5n ** BigInt(-e10) === 0n;
}

/**
 * True when the decimal digits * 10^e10 lies exactly halfway between x (a
 * positive finite value of `format`) and one of its neighbours.
 */
function isMidpoint(digits: bigint, e10: number, x: number, format: FloatFormat): boolean {
  if (!isDyadic(digits, e10)) return false;
  const { mant, exp } = decomposeDouble(x);
  const top = exp + bitLength(mant) - 1;
  // The format's unit in the last place for x: 2^q.
  const q = Math.max(top, format.minExponent) - (format.precisionBits - 1);
  const M = q >= exp ? mant >> BigInt(q - exp) : mant << BigInt(exp - q);
  const cmp = compareDecimalBinary(digits, e10, M, q);
  if (cmp === 0) return false;
  if (cmp > 0) return compareDecimalBinary(digits, e10, 2n * M + 1n, q - 1) === 0;
  const atBinade = M === 1n << BigInt(format.precisionBits - 1) && top > format.minExponent;
  if (atBinade) return compareDecimalBinary(digits, e10, 4n * M - 1n, q - 2) === 0;
  return compareDecimalBinary(digits, e10, 2n * M - 1n, q - 1) === 0;
}

export interface DecimalDigits {
  /** Significant digits without leading or trailing zeros, e.g. "15". */
  digits: string;
  /** Decimal exponent of the first digit: value = d.ddd * 10^exponent. */
  exponent: number;
}

/** Splits JavaScript's exponential notation ("1.5e-7") into digits and exponent. */
function splitExponential(s: string): DecimalDigits {
  const e = s.indexOf('e');
  let digits = s.slice(0, e).replace('.', '');
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  return { digits, exponent: Number(s.slice(e + 1)) };
}

function parsesBack(d: DecimalDigits, x: number, format: FloatFormat): boolean {
  const e10 = d.exponent - d.digits.length + 1;
  const asDouble = Number(`${d.digits}e${e10}`);
  const v = format === FLOAT32 ? decimalToFloat32(asDouble, d.digits, e10) : asDouble;
  return v === x;
}

/**
 * Shortest decimal that reads back as x and is not a midpoint (x finite, > 0,
 * and exactly representable in `format`).
 */
export function shortestDecimal(x: number, format: FloatFormat): DecimalDigits {
  const maxDigits = format === FLOAT64 ? 17 : 9;
  let first: DecimalDigits;
  if (format === FLOAT64) {
    first = splitExponential(x.toExponential());
  } else {
    first = { digits: '', exponent: 0 };
    for (let p = 1; p <= maxDigits; p++) {
      const d = splitExponential(x.toExponential(p - 1));
      if (parsesBack(d, x, format)) {
        first = d;
        break;
      }
    }
  }
  if (!isMidpoint(BigInt(first.digits), first.exponent - first.digits.length + 1, x, format)) return first;
  for (let p = first.digits.length + 1; p <= maxDigits; p++) {
    const d = splitExponential(x.toExponential(p - 1));
    if (!parsesBack(d, x, format)) continue;
    if (!isMidpoint(BigInt(d.digits), d.exponent - d.digits.length + 1, x, format)) return d;
  }
  return first;
}

/* ------------------------------------------------- float32 from decimal */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The next float32 away from zero from a non-negative float32 (2^128 past the largest). */
function nextUp32(f: number): number {
  f32[0] = f;
  if (u32[0] === 0x7f7fffff) return 2 ** 128;
  u32[0] = u32[0] + 1;
  return f32[0];
}

function nextDown32(f: number): number {
  f32[0] = f;
  u32[0] = u32[0] - 1;
  return f32[0];
}

/**
 * Correctly rounded float32 of the decimal digits * 10^e10 (digits: a
 * string of decimal digits, no sign), given d, its correctly rounded double
 * (sign included). Returns +/-Infinity on overflow and +/-0 on underflow;
 * the caller decides whether those are errors.
 */
export function decimalToFloat32(d: number, digits: string, e10: number): number {
  const f = Math.fround(d);
  if (f === d || !Number.isFinite(d)) return f;
  const a = Math.abs(d);
  const af = Math.abs(f);
  const lo = af < a ? af : nextDown32(af === Infinity ? 2 ** 128 : af);
  const hi = af < a ? nextUp32(af) : af === Infinity ? 2 ** 128 : af;
  const mid = (lo + hi) / 2;
  if (mid !== a) return f;
  // The double sits exactly on a float32 midpoint: decide with the exact decimal.
  const { mant, exp } = decomposeDouble(mid);
  const cmp = compareDecimalBinary(BigInt(digits), e10, mant, exp);
  if (cmp === 0) return f;
  const pick = cmp > 0 ? hi : lo;
  const r = pick === 2 ** 128 ? Infinity : pick;
  return d < 0 ? -r : r;
}
