/*
 * int.ts — smallint (int2), integer (int4), bigint (int8) and oid.
 *
 * Exports:
 *   int2Type, int4Type, int8Type, oidType      the TypeInfo objects
 *   int2in, int4in, int8in, oidin              text input (also used by casts)
 *   int2add/sub/mul/div/mod/um/abs,             checked arithmetic, raising
 *   int4add/sub/mul/div/mod/um/abs,             22003 "<type> out of range" and
 *   int8add/sub/mul/div/mod/um/abs              22012 "division by zero"
 *   int8ToInt4, int8ToInt2, int4ToInt2          narrowing casts with range checks
 *
 * Datum forms: int2, int4 and oid are JS numbers (integers); int8 is a bigint,
 * because a double holds only 53 bits. On disk they are 2, 4, 8 and 4 bytes,
 * little-endian, aligned to their own size (int8 to 8, typalign 'd').
 *
 * Input follows pg_strtoint16/32/64 (PostgreSQL 16+): surrounding C spaces, a
 * sign, decimal digits or 0x/0o/0b prefixed digits, '_' between digits. oid
 * input follows strtoul(), so it accepts "-1" (4294967295) and leading-zero
 * octal, as PostgreSQL's oidin does.
 *
 * Arithmetic mirrors int.c/int8.c: every result is range-checked, division
 * truncates toward zero, INT_MIN / -1 overflows, INT_MIN % -1 is 0.
 */

import type { TypeInfo } from './datum.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { asBigInt, asNumber, invalidSyntax, outOfRange } from './datumutils.ts';
import { scanInteger, scanUnsignedC } from './numutils.ts';

export const INT16_MIN = -32768;
export const INT16_MAX = 32767;
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
export const INT64_MIN = -9223372036854775808n;
export const INT64_MAX = 9223372036854775807n;
export const UINT32_MAX = 4294967295;

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/* ---------------------------------------------------------------- input */

export function int2in(text: string): number {
  const v = scanInteger(text);
  if (v === null) invalidSyntax('smallint', text);
  if (v < BigInt(INT16_MIN) || v > BigInt(INT16_MAX)) outOfRange('smallint', text);
  return Number(v);
}

export function int4in(text: string): number {
  const v = scanInteger(text);
  if (v === null) invalidSyntax('integer', text);
  if (v < BigInt(INT32_MIN) || v > BigInt(INT32_MAX)) outOfRange('integer', text);
  return Number(v);
}

export function int8in(text: string): bigint {
  const v = scanInteger(text);
  if (v === null) invalidSyntax('bigint', text);
  if (v < INT64_MIN || v > INT64_MAX) outOfRange('bigint', text);
  return v;
}

/** oidin: strtoul() syntax; "-n" means 2^32 - n, as the C library computes it. */
export function oidin(text: string): number {
  const v = scanUnsignedC(text);
  if (v === null) invalidSyntax('oid', text);
  if (v > BigInt(UINT32_MAX) || v < -BigInt(UINT32_MAX)) outOfRange('oid', text);
  return v < 0n ? Number((1n << 32n) + v) : Number(v);
}

/* ---------------------------------------------------------- TypeInfos */

export const int2Type: TypeInfo = {
  oid: 21,
  name: 'int2',
  typlen: 2,
  typbyval: true,
  typalign: 's',
  typstorage: 'p',
  typcategory: 'N',
  input: (text) => int2in(text),
  output: (v) => String(asNumber(v)),
  writeFixed: (view, off, v) => view.setInt16(off, asNumber(v), true),
  readFixed: (view, off) => view.getInt16(off, true),
  compare: (a, b) => compareNumbers(asNumber(a), asNumber(b)),
};

export const int4Type: TypeInfo = {
  oid: 23,
  name: 'int4',
  typlen: 4,
  typbyval: true,
  typalign: 'i',
  typstorage: 'p',
  typcategory: 'N',
  input: (text) => int4in(text),
  output: (v) => String(asNumber(v)),
  writeFixed: (view, off, v) => view.setInt32(off, asNumber(v), true),
  readFixed: (view, off) => view.getInt32(off, true),
  compare: (a, b) => compareNumbers(asNumber(a), asNumber(b)),
};

export const int8Type: TypeInfo = {
  oid: 20,
  name: 'int8',
  typlen: 8,
  typbyval: true,
  typalign: 'd',
  typstorage: 'p',
  typcategory: 'N',
  input: (text) => int8in(text),
  output: (v) => asBigInt(v).toString(),
  writeFixed: (view, off, v) => view.setBigInt64(off, asBigInt(v), true),
  readFixed: (view, off) => view.getBigInt64(off, true),
  compare: (a, b) => {
    const x = asBigInt(a);
    const y = asBigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  },
};

export const oidType: TypeInfo = {
  oid: 26,
  name: 'oid',
  typlen: 4,
  typbyval: true,
  typalign: 'i',
  typstorage: 'p',
  typcategory: 'N',
  input: (text) => oidin(text),
  output: (v) => String(asNumber(v)),
  writeFixed: (view, off, v) => view.setUint32(off, asNumber(v), true),
  readFixed: (view, off) => view.getUint32(off, true),
  compare: (a, b) => compareNumbers(asNumber(a), asNumber(b)),
};

/* ------------------------------------------------------ int2 / int4 math */

function int2Check(v: number): number {
  if (v < INT16_MIN || v > INT16_MAX) ereport(SQLSTATE.numeric_value_out_of_range, 'smallint out of range');
  return v;
}

function int4Check(v: number): number {
  if (v < INT32_MIN || v > INT32_MAX) ereport(SQLSTATE.numeric_value_out_of_range, 'integer out of range');
  return v;
}

function divisionByZero(): never {
  return ereport(SQLSTATE.division_by_zero, 'division by zero');
}

/*
 * Both operands are at most 2^31 in magnitude, so their sum, difference and
 * quotient are exact doubles, and a product that rounds is far beyond the
 * int32 range anyway: computing in doubles and range-checking is exact.
 */
export const int2add = (a: number, b: number): number => int2Check(a + b);
export const int2sub = (a: number, b: number): number => int2Check(a - b);
export const int2mul = (a: number, b: number): number => int2Check(a * b);
export const int2um = (a: number): number => int2Check(-a);
export const int2abs = (a: number): number => int2Check(Math.abs(a));
export function int2div(a: number, b: number): number {
  if (b === 0) divisionByZero();
  return int2Check(Math.trunc(a / b) + 0);
}
export function int2mod(a: number, b: number): number {
  if (b === 0) divisionByZero();
  return (a % b) + 0;
}

export const int4add = (a: number, b: number): number => int4Check(a + b);
export const int4sub = (a: number, b: number): number => int4Check(a - b);
export const int4mul = (a: number, b: number): number => int4Check(a * b);
export const int4um = (a: number): number => int4Check(-a);
export const int4abs = (a: number): number => int4Check(Math.abs(a));
export function int4div(a: number, b: number): number {
  if (b === 0) divisionByZero();
  return int4Check(Math.trunc(a / b) + 0);
}
/** The sign of the result follows the dividend, as C's % does; `+ 0` turns -0 into 0. */
export function int4mod(a: number, b: number): number {
  if (b === 0) divisionByZero();
  return (a % b) + 0;
}

/* ------------------------------------------------------------ int8 math */

function int8Check(v: bigint): bigint {
  if (v < INT64_MIN || v > INT64_MAX) ereport(SQLSTATE.numeric_value_out_of_range, 'bigint out of range');
  return v;
}

export const int8add = (a: bigint, b: bigint): bigint => int8Check(a + b);
export const int8sub = (a: bigint, b: bigint): bigint => int8Check(a - b);
export const int8mul = (a: bigint, b: bigint): bigint => int8Check(a * b);
export const int8um = (a: bigint): bigint => int8Check(-a);
export const int8abs = (a: bigint): bigint => int8Check(a < 0n ? -a : a);
/** BigInt division truncates toward zero, as C's does. */
export function int8div(a: bigint, b: bigint): bigint {
  if (b === 0n) divisionByZero();
  return int8Check(a / b);
}
export function int8mod(a: bigint, b: bigint): bigint {
  if (b === 0n) divisionByZero();
  return a % b;
}

/* ----------------------------------------------------- narrowing casts */

export function int8ToInt4(v: bigint): number {
  if (v < BigInt(INT32_MIN) || v > BigInt(INT32_MAX)) {
    ereport(SQLSTATE.numeric_value_out_of_range, 'integer out of range');
  }
  return Number(v);
}

export function int8ToInt2(v: bigint): number {
  if (v < BigInt(INT16_MIN) || v > BigInt(INT16_MAX)) {
    ereport(SQLSTATE.numeric_value_out_of_range, 'smallint out of range');
  }
  return Number(v);
}

export const int4ToInt2 = (v: number): number => int2Check(v);
