/*
 * opfuncs.ts — the SQL-callable functions behind the operators and casts of
 * the scalar types, and the math functions: PostgreSQL's int.c, int8.c,
 * float.c, numeric.c, bool.c, date.c/timestamp.c casts, as fmgr sees them.
 *
 * Exports:
 *   OP_FUNCS       ImplTable (utils/fmgr/fmgrimpl.ts) keyed by prosrc and by
 *                  "cmp:<op>" / "arith:<op>"
 *   compareAcross(t1, t2)   the three-way comparison of two values of
 *                  (possibly different) comparable types, for the
 *                  cross-type operators (int4 < int8, date = timestamptz, ...)
 *
 * Comparisons are one generic factory per operator: the pg_proc row's two
 * argument types pick how values are brought to a common form (ints as
 * number or bigint compare directly in JavaScript; float4/float8 with NaN
 * above everything; date, timestamp and timestamptz converted as
 * PostgreSQL's cross-type comparisons convert them), and the same type uses
 * that type's btree order (TypeInfo.compare).
 */

import type { Datum } from './datum.ts';
import type { ImplTable, ScalarImpl } from '../fmgr/fmgrimpl.ts';
import { fixed } from '../fmgr/fmgrimpl.ts';
import { SQLSTATE, ereport, elog } from '../errors.ts';
import { ANYARRAYOID, typeByOid } from './types.ts';
import { type ArrayValue, arrayCompare } from './array.ts';
import { float8cmp, float8pl, float8mi, float8mul, float8div, float4pl, float4mi, float4mul, float4div, rint, float8ToInt2, float8ToInt4, float8ToInt8 } from './float.ts';
import {
  numericAdd, numericSub, numericMul, numericDiv, numericDivTrunc, numericMod, numericCeil, numericFloor, numericAbs, numericNeg,
  numericSign, numericSqrt, numericRound, numericTrunc, numericFromInt, numericToInt2, numericToInt4, numericToInt8,
  numericToFloat8, numericToFloat4, numericFromFloat8, numericFromFloat4,
} from './numericarith.ts';
import { numericCmp, numericType } from './numeric.ts';
import { numericExp, numericLn, numericLog, numericPowerReal } from './numerictrans.ts';
import { bpcharTrim, compareCodePoints, nameIn, bpcharApplyTypmod, varcharApplyTypmod } from './text.ts';
import { dateToTimestamp, dateToTimestamptz, timestampToDate, timestamptzToDate } from './date.ts';
import { timestampToTimestamptz, timestamptzToTimestamp, adjustTimestampForTypmod } from './timestamp.ts';
import { intervalType } from './interval.ts';

const n = (v: unknown): number => v as number;
const big = (v: unknown): bigint => v as bigint;
const str = (v: unknown): string => v as string;

function outOfRange(what: string): never {
  return ereport(SQLSTATE.numeric_value_out_of_range, `${what} out of range`);
}
function divisionByZero(): never {
  return ereport(SQLSTATE.division_by_zero, 'division by zero');
}

const INT_NAMES: Record<number, string> = { 21: 'smallint', 23: 'integer', 20: 'bigint' };
const INT_LIMITS: Record<number, [bigint, bigint]> = {
  21: [-32768n, 32767n],
  23: [-2147483648n, 2147483647n],
  20: [-9223372036854775808n, 9223372036854775807n],
};

/* ------------------------------------------------------------ comparison */

const DATETIME = new Set([1082, 1114, 1184]);
const FLOATS = new Set([700, 701]);

/** Converts a date/timestamp/timestamptz value to the representation of `to` for comparison. */
function datetimeTo(v: Datum, from: number, to: number): bigint {
  if (from === to) return v as bigint;
  if (from === 1082) return to === 1114 ? dateToTimestamp(v as number) : dateToTimestamptz(v as number);
  if (from === 1114 && to === 1184) return timestampToTimestamptz(v as bigint);
  return v as bigint;
}

export function compareAcross(t1: number, t2: number): (a: Datum, b: Datum) => number {
  if (t1 === ANYARRAYOID && t2 === ANYARRAYOID) {
    // The element type is only known at run time, from the array itself.
    return (a, b) => {
      const x = a as ArrayValue;
      const y = b as ArrayValue;
      if (x.elemtype !== y.elemtype) {
        ereport('42804', 'cannot compare arrays of different element types');
      }
      const elem = typeByOid(x.elemtype);
      if (elem === undefined) elog(`no type ${x.elemtype}`);
      return arrayCompare(x, y, elem);
    };
  }
  if (t1 === t2) {
    const t = typeByOid(t1);
    if (t === undefined) elog(`no comparison for type ${t1}`);
    return t.compare;
  }
  if (FLOATS.has(t1) && FLOATS.has(t2)) return (a, b) => float8cmp(n(a), n(b));
  if (INT_NAMES[t1] !== undefined && INT_NAMES[t2] !== undefined) {
    // number and bigint compare exactly with < and > in JavaScript.
    return (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
  }
  if (DATETIME.has(t1) && DATETIME.has(t2)) {
    // The wider of the two: date < timestamp < timestamptz.
    const to = t1 === 1184 || t2 === 1184 ? 1184 : 1114;
    return (a, b) => {
      const x = datetimeTo(a, t1, to);
      const y = datetimeTo(b, t2, to);
      return x < y ? -1 : x > y ? 1 : 0;
    };
  }
  const textish = (t: number): boolean => t === 25 || t === 19 || t === 1043 || t === 1042;
  if (textish(t1) && textish(t2)) {
    const norm1 = t1 === 1042 ? bpcharTrim : (s: string): string => s;
    const norm2 = t2 === 1042 ? bpcharTrim : (s: string): string => s;
    return (a, b) => compareCodePoints(norm1(str(a)), norm2(str(b)));
  }
  if ((t1 === 1700 || t2 === 1700) && (INT_NAMES[t1] !== undefined || INT_NAMES[t2] !== undefined)) {
    return (a, b) => numericCmp(typeof a === 'string' ? a : numericFromInt(a as number), typeof b === 'string' ? b : numericFromInt(b as number));
  }
  if ((t1 === 26 || t2 === 26 || t1 === 2205 || t2 === 2205)) return (a, b) => (n(a) < n(b) ? -1 : n(a) > n(b) ? 1 : 0);
  // xideqint4: the int4 is taken as a TransactionId (unsigned 32 bits).
  if (t1 === 28 && t2 === 23) return (a, b) => ((n(a) >>> 0) === (n(b) >>> 0) ? 0 : (n(a) >>> 0) < (n(b) >>> 0) ? -1 : 1);
  return elog(`no cross-type comparison for types ${t1} and ${t2}`);
}

/** Types whose Datums are equal exactly when they are ===: integers, oid, bool, dates and timestamps, and text in the "C" collation. */
const IDENTITY_EQ = new Set([16, 20, 21, 23, 26, 1082, 1114, 1184, 25, 1043, 19, 2950, 2205]);
/** Types whose Datums (number or bigint) order with < and > directly. */
const PRIMITIVE_ORDER = new Set([20, 21, 23, 26, 1082, 1114, 1184, 2205]);

/**
 * A comparison operator's code. The common same-type cases compare the
 * Datums directly (a query's hottest calls: WHERE id = $1, join keys);
 * everything else goes through the three-way comparison.
 */
function cmpOp(op: string, test: (c: number) => boolean): ImplTable[string] {
  return (argtypes) => {
    const [t1, t2] = argtypes;
    const ints = (t: number): boolean => t === 20 || t === 21 || t === 23;
    if (t1 === t2 && IDENTITY_EQ.has(t1)) {
      if (op === '=') return (a) => a[0] === a[1];
      if (op === '<>') return (a) => a[0] !== a[1];
    }
    if ((t1 === t2 && PRIMITIVE_ORDER.has(t1)) || (ints(t1) && ints(t2))) {
      // number and bigint compare exactly with < and > (and == across the two forms).
      switch (op) {
        case '=': return (a) => (a[0] as number) == (a[1] as number);
        case '<>': return (a) => (a[0] as number) != (a[1] as number);
        case '<': return (a) => (a[0] as number) < (a[1] as number);
        case '<=': return (a) => (a[0] as number) <= (a[1] as number);
        case '>': return (a) => (a[0] as number) > (a[1] as number);
        default: return (a) => (a[0] as number) >= (a[1] as number);
      }
    }
    const cmp = compareAcross(t1, t2);
    return (args) => test(cmp(args[0] as Datum, args[1] as Datum));
  };
}

/* ------------------------------------------------------------ arithmetic */

function intArith(op: string, rettype: number): ScalarImpl {
  const [lo, hi] = INT_LIMITS[rettype];
  const name = INT_NAMES[rettype];
  if (rettype === 20) {
    return (args) => {
      const a = BigInt(args[0] as number | bigint);
      const b = BigInt(args[1] as number | bigint);
      let r: bigint;
      switch (op) {
        case '+': r = a + b; break;
        case '-': r = a - b; break;
        case '*': r = a * b; break;
        case '/': if (b === 0n) divisionByZero(); r = a / b; break;
        default: if (b === 0n) divisionByZero(); r = a % b; break;
      }
      if (r < lo || r > hi) outOfRange(name);
      return r;
    };
  }
  const min = Number(lo);
  const max = Number(hi);
  return (args) => {
    const a = args[0] as number;
    const b = args[1] as number;
    let r: number;
    switch (op) {
      case '+': r = a + b; break;
      case '-': r = a - b; break;
      case '*': r = a * b; break;
      case '/': if (b === 0) divisionByZero(); r = Math.trunc(a / b); break;
      default: if (b === 0) divisionByZero(); r = a % b; break;
    }
    if (r < min || r > max) outOfRange(name);
    return r + 0;
  };
}

function floatArith(op: string, rettype: number): ScalarImpl {
  if (rettype === 700) {
    const f = op === '+' ? float4pl : op === '-' ? float4mi : op === '*' ? float4mul : float4div;
    return (args) => f(n(args[0]), n(args[1]));
  }
  const f = op === '+' ? float8pl : op === '-' ? float8mi : op === '*' ? float8mul : float8div;
  return (args) => f(n(args[0]), n(args[1]));
}

function arithOp(op: string): ImplTable[string] {
  return (_argtypes, rettype) => (rettype === 700 || rettype === 701 ? floatArith(op, rettype) : intArith(op, rettype));
}

/* ----------------------------------------------------------- conversions */

function intToInt(rettype: number): ScalarImpl {
  const [lo, hi] = INT_LIMITS[rettype];
  const name = INT_NAMES[rettype];
  if (rettype === 20) return (args) => BigInt(args[0] as number);
  return (args) => {
    const v = args[0] as number | bigint;
    if (v < lo || v > hi) outOfRange(name);
    return Number(v);
  };
}

function float8ToFloat4(x: number): number {
  const r = Math.fround(x);
  if (!Number.isFinite(r) && Number.isFinite(x)) ereport(SQLSTATE.numeric_value_out_of_range, 'value out of range: overflow');
  if (r === 0 && x !== 0) ereport(SQLSTATE.numeric_value_out_of_range, 'value out of range: underflow');
  return r;
}

const u = (f: (a: never) => unknown): ScalarImpl => (args) => f(args[0] as never);
const b2 = (f: (a: never, b: never) => unknown): ScalarImpl => (args) => f(args[0] as never, args[1] as never);

/* ------------------------------------------------------------------ math */

/** float.c's RADIANS_PER_DEGREE: degrees() divides by it, radians() multiplies, so results match bit for bit. */
const RADIANS_PER_DEGREE = 0.017453292519943295;

function logArg(x: number): void {
  if (x === 0) ereport('2201E', 'cannot take logarithm of zero');
  if (x < 0) ereport('2201E', 'cannot take logarithm of a negative number');
}

function dpow(x: number, y: number): number {
  if (x === 0 && y < 0) ereport('2201F', 'zero raised to a negative power is undefined');
  if (x < 0 && Number.isFinite(y) && Math.floor(y) !== y) {
    ereport('2201F', 'a negative number raised to a non-integer power yields a complex result');
  }
  if (x === 1 || (Number.isNaN(x) && y === 0)) return 1;
  if (y === 0) return 1;
  const r = Math.pow(x, y);
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y) && !Number.isNaN(r)) {
    ereport(SQLSTATE.numeric_value_out_of_range, 'value out of range: overflow');
  }
  if (r === 0 && x !== 0 && Number.isFinite(x) && Number.isFinite(y)) {
    ereport(SQLSTATE.numeric_value_out_of_range, 'value out of range: underflow');
  }
  return r;
}

function dexp(x: number): number {
  const r = Math.exp(x);
  if (!Number.isFinite(r) && Number.isFinite(x)) ereport(SQLSTATE.numeric_value_out_of_range, 'value out of range: overflow');
  if (r === 0 && Number.isFinite(x)) ereport(SQLSTATE.numeric_value_out_of_range, 'value out of range: underflow');
  return r;
}

/**
 * power(numeric, numeric) for an integer exponent, exact and rounded to
 * power_var_int's result scale: 16 significant digits' worth
 * (NUMERIC_MIN_SIG_DIGITS - floor(log10 of the result)), at least the
 * base's display scale.
 */
function numericPower(base: string, exp: string): string {
  if (base === 'NaN' || exp === 'NaN') return base === '1' || exp === '0' ? '1' : 'NaN';
  if (numericCmp(base, '0') === 0 && numericCmp(exp, '0') < 0) {
    ereport('2201F', 'zero raised to a negative power is undefined');
  }
  const isIntegerExp = /^-?\d+(\.0*)?$/.test(exp);
  if (numericCmp(base, '0') < 0 && !isIntegerExp) {
    ereport('2201F', 'a negative number raised to a non-integer power yields a complex result');
  }
  const e = Number(exp);
  if (!isIntegerExp || Math.abs(e) > 100000) return numericPowerReal(base, exp);
  if (e === 0) return '1.0000000000000000';
  const baseScale = base.includes('.') ? base.length - base.indexOf('.') - 1 : 0;
  const absBase = Math.abs(Number(base));
  const val = absBase === 0 ? 0 : e * Math.log10(absBase);
  // (int) of a double truncates toward zero, as power_var_int's estimate does.
  const rscale = Math.min(Math.max(16 - Math.trunc(val), baseScale, 0), 1000);
  // base = coef / 10^baseScale exactly.
  const coef = BigInt(base.replace('.', '').replace(/^(-?)0+(?=\d)/, '$1'));
  const k = Math.abs(e);
  const num = coef ** BigInt(k);
  const numScale = baseScale * k;
  let q: bigint;
  if (e > 0) {
    // num / 10^numScale rounded to rscale.
    q = roundDiv(num * 10n ** BigInt(rscale), 10n ** BigInt(numScale));
  } else {
    // 10^numScale / num rounded to rscale.
    q = roundDiv(10n ** BigInt(numScale + rscale), num);
  }
  const neg = q < 0n;
  const digits = (neg ? -q : q).toString().padStart(rscale + 1, '0');
  const text = rscale === 0 ? digits : digits.slice(0, digits.length - rscale) + '.' + digits.slice(digits.length - rscale);
  return (neg ? '-' : '') + text;
}

/** a / b rounded half away from zero. */
function roundDiv(a: bigint, b: bigint): bigint {
  const neg = (a < 0n) !== (b < 0n);
  const x = a < 0n ? -a : a;
  const y = b < 0n ? -b : b;
  const q = (2n * x + y) / (2n * y);
  return neg ? -q : q;
}

/* ------------------------------------------------------------------ table */

export const OP_FUNCS: ImplTable = {
  'cmp:=': cmpOp('=', (c) => c === 0),
  'cmp:<>': cmpOp('<>', (c) => c !== 0),
  'cmp:<': cmpOp('<', (c) => c < 0),
  'cmp:<=': cmpOp('<=', (c) => c <= 0),
  'cmp:>': cmpOp('>', (c) => c > 0),
  'cmp:>=': cmpOp('>=', (c) => c >= 0),
  'arith:+': arithOp('+'),
  'arith:-': arithOp('-'),
  'arith:*': arithOp('*'),
  'arith:/': arithOp('/'),
  'arith:%': arithOp('%'),

  // Unary operators and abs.
  int2um: fixed(intArithUnary(21, (v) => -v)),
  int4um: fixed(intArithUnary(23, (v) => -v)),
  int8um: fixed(intArithUnary(20, (v) => -v)),
  int2up: fixed((a) => a[0]),
  int4up: fixed((a) => a[0]),
  int8up: fixed((a) => a[0]),
  float4up: fixed((a) => a[0]),
  float8up: fixed((a) => a[0]),
  float4um: fixed((a) => -n(a[0])),
  float8um: fixed((a) => -n(a[0])),
  int2abs: fixed(intArithUnary(21, (v) => (v < 0n ? -v : v))),
  int4abs: fixed(intArithUnary(23, (v) => (v < 0n ? -v : v))),
  int8abs: fixed(intArithUnary(20, (v) => (v < 0n ? -v : v))),
  float4abs: fixed((a) => Math.abs(n(a[0]))),
  float8abs: fixed((a) => Math.abs(n(a[0]))),
  int2mod: fixed(intArith('%', 21)),
  int4mod: fixed(intArith('%', 23)),
  int8mod: fixed(intArith('%', 20)),
  int2larger: fixed((a) => Math.max(n(a[0]), n(a[1]))),
  int4larger: fixed((a) => Math.max(n(a[0]), n(a[1]))),
  int2smaller: fixed((a) => Math.min(n(a[0]), n(a[1]))),
  int4smaller: fixed((a) => Math.min(n(a[0]), n(a[1]))),
  int8larger: fixed((a) => (big(a[0]) >= big(a[1]) ? a[0] : a[1])),
  int8smaller: fixed((a) => (big(a[0]) <= big(a[1]) ? a[0] : a[1])),
  float8larger: fixed((a) => (float8cmp(n(a[0]), n(a[1])) >= 0 ? a[0] : a[1])),
  float8smaller: fixed((a) => (float8cmp(n(a[0]), n(a[1])) <= 0 ? a[0] : a[1])),
  float4larger: fixed((a) => (float8cmp(n(a[0]), n(a[1])) >= 0 ? a[0] : a[1])),
  float4smaller: fixed((a) => (float8cmp(n(a[0]), n(a[1])) <= 0 ? a[0] : a[1])),
  int4inc: fixed(intArithUnary(23, (v) => v + 1n)),

  // Bitwise.
  int2and: fixed((a) => n(a[0]) & n(a[1])),
  int4and: fixed((a) => n(a[0]) & n(a[1])),
  int8and: fixed((a) => big(a[0]) & big(a[1])),
  int2or: fixed((a) => n(a[0]) | n(a[1])),
  int4or: fixed((a) => n(a[0]) | n(a[1])),
  int8or: fixed((a) => big(a[0]) | big(a[1])),
  int2xor: fixed((a) => n(a[0]) ^ n(a[1])),
  int4xor: fixed((a) => n(a[0]) ^ n(a[1])),
  int8xor: fixed((a) => big(a[0]) ^ big(a[1])),
  int2not: fixed((a) => ~n(a[0])),
  int4not: fixed((a) => ~n(a[0])),
  int8not: fixed((a) => ~big(a[0])),
  int4shl: fixed((a) => n(a[0]) << n(a[1])),
  int4shr: fixed((a) => n(a[0]) >> n(a[1])),
  int2shl: fixed((a) => (n(a[0]) << n(a[1]) << 16) >> 16),
  int2shr: fixed((a) => n(a[0]) >> n(a[1])),
  int8shl: fixed((a) => BigInt.asIntN(64, big(a[0]) << BigInt(n(a[1]) & 63))),
  int8shr: fixed((a) => big(a[0]) >> BigInt(n(a[1]) & 63)),

  // Integer conversions.
  i2toi4: fixed((a) => a[0]),
  i4toi2: fixed(intToInt(21)),
  int48: fixed(intToInt(20)),
  int28: fixed(intToInt(20)),
  int84: fixed(intToInt(23)),
  int82: fixed(intToInt(21)),
  i8tooid: fixed((a) => {
    const v = big(a[0]);
    if (v < 0n || v > 4294967295n) outOfRange('OID');
    return Number(v);
  }),
  oidtoi8: fixed((a) => BigInt(n(a[0]))),
  i2tod: fixed((a) => a[0]),
  i4tod: fixed((a) => a[0]),
  i8tod: fixed((a) => Number(big(a[0]))),
  i2tof: fixed((a) => Math.fround(n(a[0]))),
  i4tof: fixed((a) => Math.fround(n(a[0]))),
  i8tof: fixed((a) => Math.fround(Number(big(a[0])))),
  dtoi2: fixed((a) => float8ToInt2(n(a[0]))),
  dtoi4: fixed((a) => float8ToInt4(n(a[0]))),
  dtoi8: fixed((a) => float8ToInt8(n(a[0]))),
  ftoi2: fixed((a) => float8ToInt2(n(a[0]))),
  ftoi4: fixed((a) => float8ToInt4(n(a[0]))),
  ftoi8: fixed((a) => float8ToInt8(n(a[0]))),
  ftod: fixed((a) => a[0]),
  dtof: fixed((a) => float8ToFloat4(n(a[0]))),
  int2_numeric: fixed((a) => numericFromInt(n(a[0]))),
  int4_numeric: fixed((a) => numericFromInt(n(a[0]))),
  int8_numeric: fixed((a) => numericFromInt(big(a[0]))),
  float4_numeric: fixed((a) => numericFromFloat4(n(a[0]))),
  float8_numeric: fixed((a) => numericFromFloat8(n(a[0]))),
  numeric_int2: fixed(u(numericToInt2)),
  numeric_int4: fixed(u(numericToInt4)),
  numeric_int8: fixed(u(numericToInt8)),
  numeric_float4: fixed(u(numericToFloat4)),
  numeric_float8: fixed(u(numericToFloat8)),
  bool_int4: fixed((a) => (a[0] === true ? 1 : 0)),
  int4_bool: fixed((a) => n(a[0]) !== 0),

  // Length coercions (typmod casts): (value, typmod, isExplicit).
  numeric: fixed((a) => numericType.applyTypmod?.(a[0] as Datum, n(a[1]), a[2] === true) ?? a[0]),
  varchar: fixed((a) => varcharApplyTypmod(str(a[0]), n(a[1]), a[2] === true)),
  bpchar: fixed((a) => bpcharApplyTypmod(str(a[0]), n(a[1]), a[2] === true)),
  timestamp_scale: fixed((a) => adjustTimestampForTypmod(big(a[0]), n(a[1]))),
  timestamptz_scale: fixed((a) => adjustTimestampForTypmod(big(a[0]), n(a[1]))),
  interval_scale: fixed((a) => intervalType.applyTypmod?.(a[0] as Datum, n(a[1]), true) ?? a[0]),

  // Text-family conversions.
  name_text: fixed((a) => a[0]),
  text_name: fixed((a) => nameIn(truncateName(str(a[0])))),
  bpchar_name: fixed((a) => nameIn(truncateName(bpcharTrim(str(a[0]))))),
  name_bpchar: fixed((a) => a[0]),
  booltext: fixed((a) => (a[0] === true ? 'true' : 'false')),

  // Date/time conversions.
  date_timestamp: fixed((a) => dateToTimestamp(n(a[0]))),
  timestamp_date: fixed((a) => timestampToDate(big(a[0]))),
  date_timestamptz: fixed((a) => dateToTimestamptz(n(a[0]))),
  timestamptz_date: fixed((a) => timestamptzToDate(big(a[0]))),
  timestamp_timestamptz: fixed((a) => timestampToTimestamptz(big(a[0]))),
  timestamptz_timestamp: fixed((a) => timestamptzToTimestamp(big(a[0]))),

  // Numeric.
  numeric_add: fixed(b2(numericAdd)),
  numeric_sub: fixed(b2(numericSub)),
  numeric_mul: fixed(b2(numericMul)),
  numeric_div: fixed(b2(numericDiv)),
  numeric_mod: fixed(b2(numericMod)),
  numeric_div_trunc: fixed(b2(numericDivTrunc)),
  numeric_uminus: fixed(u(numericNeg)),
  numeric_uplus: fixed((a) => a[0]),
  numeric_abs: fixed(u(numericAbs)),
  numeric_sign: fixed(u(numericSign)),
  numeric_sqrt: fixed(u(numericSqrt)),
  numeric_ceil: fixed(u(numericCeil)),
  numeric_floor: fixed(u(numericFloor)),
  numeric_round: fixed((a) => numericRound(str(a[0]), n(a[1]))),
  numeric_trunc: fixed((a) => numericTrunc(str(a[0]), n(a[1]))),
  'sql:round(1700)': fixed((a) => numericRound(str(a[0]), 0)),
  'sql:trunc(1700)': fixed((a) => numericTrunc(str(a[0]), 0)),
  // numeric_larger / numeric_smaller keep the first argument only when strictly greater / less.
  numeric_larger: fixed((a) => (numericCmp(str(a[0]), str(a[1])) > 0 ? a[0] : a[1])),
  numeric_smaller: fixed((a) => (numericCmp(str(a[0]), str(a[1])) < 0 ? a[0] : a[1])),
  numeric_power: fixed((a) => numericPower(str(a[0]), str(a[1]))),
  numeric_ln: fixed((a) => numericLn(str(a[0]))),
  numeric_exp: fixed((a) => numericExp(str(a[0]))),
  numeric_log: fixed((a) => numericLog(str(a[0]), str(a[1]))),
  'sql:log(1700)': fixed((a) => numericLog('10', str(a[0]))),
  'sql:log10(1700)': fixed((a) => numericLog('10', str(a[0]))),

  // Float math.
  dround: fixed((a) => rint(n(a[0]))),
  dtrunc: fixed((a) => Math.trunc(n(a[0]))),
  dfloor: fixed((a) => Math.floor(n(a[0]))),
  dceil: fixed((a) => Math.ceil(n(a[0]))),
  dsign: fixed((a) => (n(a[0]) > 0 ? 1 : n(a[0]) < 0 ? -1 : Number.isNaN(n(a[0])) ? NaN : 0)),
  dsqrt: fixed((a) => {
    if (n(a[0]) < 0) ereport('2201F', 'cannot take square root of a negative number');
    return Math.sqrt(n(a[0]));
  }),
  dcbrt: fixed((a) => Math.cbrt(n(a[0]))),
  dexp: fixed((a) => dexp(n(a[0]))),
  dlog1: fixed((a) => {
    logArg(n(a[0]));
    return Math.log(n(a[0]));
  }),
  dlog10: fixed((a) => {
    logArg(n(a[0]));
    return Math.log10(n(a[0]));
  }),
  dpow: fixed((a) => dpow(n(a[0]), n(a[1]))),
  dpi: fixed(() => Math.PI),
  degrees: fixed((a) => float8div(n(a[0]), RADIANS_PER_DEGREE)),
  radians: fixed((a) => float8mul(n(a[0]), RADIANS_PER_DEGREE)),
};

function intArithUnary(rettype: number, f: (v: bigint) => bigint): ScalarImpl {
  const [lo, hi] = INT_LIMITS[rettype];
  const name = INT_NAMES[rettype];
  return (args) => {
    const r = f(BigInt(args[0] as number | bigint));
    if (r < lo || r > hi) outOfRange(name);
    return rettype === 20 ? r : Number(r);
  };
}

function truncateName(s: string): string {
  // text_name silently truncates to NAMEDATALEN - 1 bytes (on a character boundary).
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    const len = ch.codePointAt(0)! < 0x80 ? 1 : ch.codePointAt(0)! < 0x800 ? 2 : ch.codePointAt(0)! < 0x10000 ? 3 : 4;
    if (bytes + len > 63) break;
    bytes += len;
    end += ch.length;
  }
  return s.slice(0, end);
}
