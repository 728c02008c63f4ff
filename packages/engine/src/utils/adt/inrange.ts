/*
 * inrange.ts — the in_range support functions of the btree operator
 * families (PostgreSQL's in_range_int4_int8, in_range_float8_float8,
 * in_range_numeric_numeric, in_range_date_interval,
 * in_range_timestamp_interval, in_range_timestamptz_interval,
 * in_range_interval_interval, in_range_time_interval): what `RANGE
 * BETWEEN offset PRECEDING / FOLLOWING` means for a sort column's type.
 *
 * Exports:
 *   inRangeOffsetTypes(colType)   the offset types PostgreSQL's pg_amproc
 *                                 lists for the column's opfamily, in
 *                                 catalog order (empty: no RANGE offsets)
 *   inRangeFunction(colType, offType)   in_range(val, base, offset, sub, less)
 *
 * in_range(val, base, offset, sub, less) is `val <= base ± offset` when
 * less, `val >= base ± offset` otherwise (− when sub), with PostgreSQL's
 * rules for what cannot be computed: a negative (or NaN) offset is 22013,
 * an overflowing sum still compares as the infinite value it stands for
 * (integers are summed as BigInt, so nothing overflows), NaN sorts above
 * every number.
 */

import type { Interval } from './datum.ts';
import { ereport } from '../errors.ts';
import { type Decimal, decimalCmp, decimalFromText } from './numeric.ts';
import { addDecimal, subDecimal } from './numericarith.ts';
import { dateToTimestamp } from './date.ts';
import { timestampPlInterval, timestampMiInterval, timestamptzPlInterval, timestamptzMiInterval } from './timestamp.ts';
import { intervalCmp, intervalSpan } from './interval.ts';
import { intervalMi, intervalPl } from './intervalarith.ts';

const INVALID_PRECEDING_OR_FOLLOWING_SIZE = '22013';

export type InRangeFn = (val: unknown, base: unknown, offset: unknown, sub: boolean, less: boolean) => boolean;

const INT2 = 21, INT4 = 23, INT8 = 20, FLOAT4 = 700, FLOAT8 = 701, NUMERIC = 1700;
const DATE = 1082, TIME = 1083, TIMESTAMP = 1114, TIMESTAMPTZ = 1184, INTERVAL = 1186, TIMETZ = 1266;

/** pg_amproc's in_range rows (amprocnum 3) by left type, right types in index (OID) order. */
const OFFSET_TYPES: ReadonlyMap<number, readonly number[]> = new Map([
  [INT2, [INT8, INT2, INT4]],
  [INT4, [INT8, INT2, INT4]],
  [INT8, [INT8]],
  [FLOAT4, [FLOAT8]],
  [FLOAT8, [FLOAT8]],
  [NUMERIC, [NUMERIC]],
  [DATE, [INTERVAL]],
  [TIME, [INTERVAL]],
  [TIMESTAMP, [INTERVAL]],
  [TIMESTAMPTZ, [INTERVAL]],
  [INTERVAL, [INTERVAL]],
  [TIMETZ, [INTERVAL]],
]);

export function inRangeOffsetTypes(colType: number): readonly number[] {
  return OFFSET_TYPES.get(colType) ?? [];
}

function badSize(): never {
  return ereport(INVALID_PRECEDING_OR_FOLLOWING_SIZE, 'invalid preceding or following size in window function');
}

const big = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));

function inRangeInt(val: unknown, base: unknown, offset: unknown, sub: boolean, less: boolean): boolean {
  const off = big(offset);
  if (off < 0n) badSize();
  const sum = sub ? big(base) - off : big(base) + off;
  const v = big(val);
  return less ? v <= sum : v >= sum;
}

function inRangeFloat(val: unknown, base: unknown, offset: unknown, sub: boolean, less: boolean): boolean {
  const v = val as number;
  const b = base as number;
  const off = offset as number;
  if (Number.isNaN(off) || off < 0) badSize();
  // NaN sorts above everything: it is in range of NaN only.
  if (Number.isNaN(v)) return Number.isNaN(b) ? true : !less;
  if (Number.isNaN(b)) return less;
  // inf - inf would be NaN: such a row is taken as in range.
  if (!Number.isFinite(off) && !Number.isFinite(b) && (sub ? b > 0 : b < 0)) return true;
  const sum = sub ? b - off : b + off;
  return less ? v <= sum : v >= sum;
}

function inRangeNumeric(val: unknown, base: unknown, offset: unknown, sub: boolean, less: boolean): boolean {
  const off: Decimal = decimalFromText(offset as string);
  if (off.special === 'NaN' || off.special === '-Infinity' || (off.special === null && off.coef < 0n)) badSize();
  const v = decimalFromText(val as string);
  const b = decimalFromText(base as string);
  if (v.special === 'NaN') return b.special === 'NaN' ? true : !less;
  if (b.special === 'NaN') return less;
  if (off.special === 'Infinity' && (sub ? b.special === 'Infinity' : b.special === '-Infinity')) return true;
  const sum = sub ? subDecimal(b, off) : addDecimal(b, off);
  const c = decimalCmp(v, sum);
  return less ? c <= 0 : c >= 0;
}

function checkInterval(offset: unknown): Interval {
  const iv = offset as Interval;
  if (intervalSpan(iv) < 0n) badSize();
  return iv;
}

function inRangeTimestamp(val: unknown, base: unknown, offset: unknown, sub: boolean, less: boolean): boolean {
  const iv = checkInterval(offset);
  const b = base as bigint;
  const sum = sub ? timestampMiInterval(b, iv) : timestampPlInterval(b, iv);
  const v = val as bigint;
  return less ? v <= sum : v >= sum;
}

function inRangeTimestamptz(val: unknown, base: unknown, offset: unknown, sub: boolean, less: boolean): boolean {
  const iv = checkInterval(offset);
  const b = base as bigint;
  const sum = sub ? timestamptzMiInterval(b, iv) : timestamptzPlInterval(b, iv);
  const v = val as bigint;
  return less ? v <= sum : v >= sum;
}

function inRangeDate(val: unknown, base: unknown, offset: unknown, sub: boolean, less: boolean): boolean {
  // in_range_date_interval: both dates as timestamps, then the timestamp rule.
  return inRangeTimestamp(dateToTimestamp(val as number), dateToTimestamp(base as number), offset, sub, less);
}

function inRangeInterval(val: unknown, base: unknown, offset: unknown, sub: boolean, less: boolean): boolean {
  const iv = checkInterval(offset);
  const b = base as Interval;
  const sum = sub ? intervalMi(b, iv) : intervalPl(b, iv);
  const c = intervalCmp(val as Interval, sum);
  return less ? c <= 0 : c >= 0;
}

/** The in_range function for a sort column type and the offset's (coerced) type, null if none. */
export function inRangeFunction(colType: number, offType: number): InRangeFn | null {
  if (!(OFFSET_TYPES.get(colType) ?? []).includes(offType)) return null;
  switch (colType) {
    case INT2: case INT4: case INT8: return inRangeInt;
    case FLOAT4: case FLOAT8: return inRangeFloat;
    case NUMERIC: return inRangeNumeric;
    case DATE: return inRangeDate;
    case TIMESTAMP: return inRangeTimestamp;
    case TIMESTAMPTZ: return inRangeTimestamptz;
    case INTERVAL: return inRangeInterval;
    default: return extraInRange.get(colType) ?? null;
  }
}

/** in_range functions of types defined elsewhere (time), registered by their files. */
const extraInRange = new Map<number, InRangeFn>();
export function registerInRange(colType: number, fn: InRangeFn): void {
  extraInRange.set(colType, fn);
}
