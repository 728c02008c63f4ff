/*
 * time.ts — time without time zone (PostgreSQL's date.c, the TimeADT part).
 *
 * Exports:
 *   timeType                 the TypeInfo (OID 1083)
 *   timeIn, timeOut          text I/O: "13:45:10.5", "24:00:00", "2:30 PM", "allballs"
 *   TIME_FUNCS               ImplTable: casts, arithmetic, extract/date_part, make_time
 *   inRangeTimeInterval      RANGE offsets over a time column
 *
 * Datum form: a bigint, microseconds since midnight, 0 .. 86,400,000,000
 * (24:00:00 is a valid time). On disk: int8, typalign 'd', as PostgreSQL
 * stores TimeADT.
 *
 * Arithmetic with an interval uses only the interval's time part and wraps
 * around midnight (`'23:00' + '2 hours'` is 01:00); days and months of the
 * interval are ignored, as in PostgreSQL. time - time is an interval of
 * microseconds only.
 */

import type { Interval, TypeInfo } from './datum.ts';
import type { ImplTable } from '../fmgr/fmgrimpl.ts';
import { fixed } from '../fmgr/fmgrimpl.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { USECS_PER_DAY, currentTimestamp, decodeDateTime, encodeSeconds, floorDiv } from './datetime.ts';
import { DATEVAL_NOBEGIN, DATEVAL_NOEND } from './datetime.ts';
import { isTimestampFinite, isValidTimestamp, timestampOutOfRange, timestamptzToLocal } from './timestamp.ts';
import { decimalToText } from './numeric.ts';
import { intervalSpan, isIntervalFinite, makeInterval } from './interval.ts';
import { registerInRange } from './inrange.ts';

export const TIMEOID = 1083;
/** Time precision is at most 6 fractional digits (MAX_TIME_PRECISION). */
const MAX_TIME_PRECISION = 6;
const USECS_PER_HOUR = 3_600_000_000n;
const USECS_PER_MINUTE = 60_000_000n;
const USECS_PER_SEC = 1_000_000n;

const big = (v: unknown): bigint => v as bigint;

/** AdjustTimeForTypmod: round to `typmod` fractional digits (23:59:59.9999999 may become 24:00:00). */
export function adjustTimeForTypmod(t: bigint, typmod: number): bigint {
  if (typmod < 0 || typmod >= MAX_TIME_PRECISION) return t;
  const scale = 10n ** BigInt(MAX_TIME_PRECISION - typmod);
  return ((t + scale / 2n) / scale) * scale;
}

export function timeIn(text: string, typmod = -1): bigint {
  const trimmed = text.trim().toLowerCase();
  let t: bigint;
  if (trimmed === 'allballs') t = 0n;
  else {
    const d = decodeDateTime(text, 'time');
    if (d.special === 'now') {
      t = floorMod(timestamptzToLocal(currentTimestamp()), USECS_PER_DAY);
    } else if (d.special !== null) {
      return ereport(SQLSTATE.invalid_datetime_format, `invalid input syntax for type time: "${text}"`);
    } else {
      // A named zone's offset depends on the date, so without one it means nothing (DecodeTimeOnly).
      if (d.zone !== null && typeof d.zone !== 'number' && d.zone.name.includes('/') && !d.hasDate) {
        ereport(SQLSTATE.invalid_datetime_format, `invalid input syntax for type time: "${text}"`);
      }
      const tm = d.tm;
      t = BigInt(tm.hour) * USECS_PER_HOUR + BigInt(tm.minute) * USECS_PER_MINUTE + BigInt(tm.second) * USECS_PER_SEC + BigInt(tm.fsec);
      if (t > USECS_PER_DAY) ereport(SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${text}"`);
    }
  }
  return adjustTimeForTypmod(t, typmod);
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + String(n);

export function timeOut(t: bigint): string {
  const hour = Number(t / USECS_PER_HOUR);
  let rest = t % USECS_PER_HOUR;
  const minute = Number(rest / USECS_PER_MINUTE);
  rest %= USECS_PER_MINUTE;
  const second = Number(rest / USECS_PER_SEC);
  const fsec = Number(rest % USECS_PER_SEC);
  return `${pad2(hour)}:${pad2(minute)}:${encodeSeconds(second, fsec)}`;
}

function floorMod(a: bigint, b: bigint): bigint {
  return a - floorDiv(a, b) * b;
}

export const timeType: TypeInfo = {
  oid: TIMEOID,
  name: 'time',
  typlen: 8,
  typbyval: true,
  typalign: 'd',
  typstorage: 'p',
  typcategory: 'D',
  input: (text, typmod) => timeIn(text, typmod),
  output: (v) => timeOut(big(v)),
  writeFixed: (view, off, v) => view.setBigInt64(off, big(v), true),
  readFixed: (view, off) => view.getBigInt64(off, true),
  compare: (a, b) => (big(a) < big(b) ? -1 : big(a) > big(b) ? 1 : 0),
  applyTypmod: (v, typmod) => adjustTimeForTypmod(big(v), typmod),
};

/* ---------------------------------------------------------- arithmetic */

/** time_pl_interval: the interval's time part added, wrapping around midnight. */
export function timePlInterval(t: bigint, iv: Interval): bigint {
  if (!isIntervalFinite(iv)) ereport(SQLSTATE.datetime_field_overflow, 'cannot add infinite interval to time');
  return floorMod(t + iv.micros % USECS_PER_DAY, USECS_PER_DAY);
}

export function timeMiInterval(t: bigint, iv: Interval): bigint {
  if (!isIntervalFinite(iv)) ereport(SQLSTATE.datetime_field_overflow, 'cannot subtract infinite interval from time');
  return floorMod(t - iv.micros % USECS_PER_DAY, USECS_PER_DAY);
}

/** date + time: a timestamp (datetime_timestamp); infinite dates stay infinite. */
function dateTimeTimestamp(d: number, t: bigint): bigint {
  if (d === DATEVAL_NOBEGIN) return -9223372036854775808n;
  if (d === DATEVAL_NOEND) return 9223372036854775807n;
  const ts = BigInt(d) * USECS_PER_DAY + t;
  if (!isValidTimestamp(ts)) timestampOutOfRange();
  return ts;
}

/** timestamp -> time: the time of day, NULL for an infinite timestamp. */
function timestampTime(ts: bigint): bigint | null {
  if (!isTimestampFinite(ts)) return null;
  return floorMod(ts, USECS_PER_DAY);
}

/* ------------------------------------------------------------- extract */

const UNIT_ALIASES: ReadonlyMap<string, string> = new Map([
  ['microsecond', 'microseconds'], ['microseconds', 'microseconds'], ['us', 'microseconds'], ['usec', 'microseconds'], ['usecs', 'microseconds'], ['useconds', 'microseconds'],
  ['millisecond', 'milliseconds'], ['milliseconds', 'milliseconds'], ['ms', 'milliseconds'], ['msec', 'milliseconds'], ['msecs', 'milliseconds'], ['mseconds', 'milliseconds'],
  ['second', 'second'], ['seconds', 'second'], ['s', 'second'], ['sec', 'second'], ['secs', 'second'],
  ['minute', 'minute'], ['minutes', 'minute'], ['m', 'minute'], ['min', 'minute'], ['mins', 'minute'],
  ['hour', 'hour'], ['hours', 'hour'], ['h', 'hour'], ['hr', 'hour'], ['hrs', 'hour'],
  ['epoch', 'epoch'],
]);
/** Units of the other date/time types: known words, not applicable to a time. */
const OTHER_UNITS = new Set([
  'day', 'days', 'd', 'week', 'weeks', 'w', 'month', 'months', 'mon', 'mons', 'quarter', 'qtr', 'year', 'years', 'y', 'yr', 'yrs',
  'decade', 'decades', 'dec', 'decs', 'century', 'centuries', 'c', 'cent', 'millennium', 'millennia', 'mil', 'mils', 'millenniums',
  'dow', 'isodow', 'doy', 'isoyear', 'julian', 'j', 'timezone', 'timezone_hour', 'timezone_h', 'timezone_minute', 'timezone_m',
]);

/** extract(unit FROM time) as numeric text (time_part_common with retnumeric); timetz.ts passes its type name for the errors. */
export function extractTime(unitText: string, t: bigint, typeName = 'time without time zone'): string {
  const lower = unitText.toLowerCase();
  const unit = UNIT_ALIASES.get(lower);
  if (unit === undefined) {
    if (OTHER_UNITS.has(lower)) ereport(SQLSTATE.feature_not_supported, `unit "${lower}" not supported for type ${typeName}`);
    ereport(SQLSTATE.invalid_parameter_value, `unit "${lower}" not recognized for type ${typeName}`);
  }
  const secMicros = t % USECS_PER_MINUTE;
  switch (unit) {
    case 'microseconds': return secMicros.toString();
    case 'milliseconds': return decimalToText({ special: null, coef: secMicros, scale: 3 });
    case 'second': return decimalToText({ special: null, coef: secMicros, scale: 6 });
    case 'minute': return ((t / USECS_PER_MINUTE) % 60n).toString();
    case 'hour': return (t / USECS_PER_HOUR).toString();
    default: return decimalToText({ special: null, coef: t, scale: 6 });
  }
}

/** make_time(hour, min, sec): 22008 for a field out of range. */
function makeTime(hour: number, min: number, sec: number): bigint {
  const valid = hour >= 0 && min >= 0 && min <= 59 && sec >= 0 && sec <= 60 &&
    (hour < 24 || (hour === 24 && min === 0 && sec === 0));
  if (!valid) {
    ereport(SQLSTATE.datetime_field_overflow, `time field value out of range: ${hour}:${pad2(min)}:${formatSeconds(sec)}`);
  }
  const t = BigInt(hour) * USECS_PER_HOUR + BigInt(min) * USECS_PER_MINUTE + BigInt(Math.round(sec * 1e6));
  if (t > USECS_PER_DAY) ereport(SQLSTATE.datetime_field_overflow, `time field value out of range: ${hour}:${pad2(min)}:${formatSeconds(sec)}`);
  return t;
}

/** The seconds of make_time's message, printed as %0*.*f would print them (up to 6 digits, zeros kept). */
function formatSeconds(sec: number): string {
  const s = sec.toFixed(6).replace(/\.?0+$/, '');
  return sec < 10 && sec >= 0 ? '0' + s : s;
}

/** in_range_time_interval: the sum is not wrapped around midnight, unlike time + interval. */
export function inRangeTimeInterval(val: unknown, base: unknown, offset: unknown, sub: boolean, less: boolean): boolean {
  const iv = offset as Interval;
  if (intervalSpan(iv) < 0n) ereport('22013', 'invalid preceding or following size in window function');
  const sum = sub ? big(base) - iv.micros : big(base) + iv.micros;
  return less ? big(val) <= sum : big(val) >= sum;
}
registerInRange(TIMEOID, inRangeTimeInterval);

const iv = (v: unknown): Interval => v as Interval;

export const TIME_FUNCS: ImplTable = {
  time_pl_interval: fixed((a) => timePlInterval(big(a[0]), iv(a[1]))),
  time_mi_interval: fixed((a) => timeMiInterval(big(a[0]), iv(a[1]))),
  'sql:interval_pl_time(1186,1083)': fixed((a) => timePlInterval(big(a[1]), iv(a[0]))),
  time_mi_time: fixed((a) => makeInterval(0, 0, big(a[0]) - big(a[1]))),
  datetime_timestamp: fixed((a) => dateTimeTimestamp(a[0] as number, big(a[1]))),
  'sql:timedate_pl(1083,1082)': fixed((a) => dateTimeTimestamp(a[1] as number, big(a[0]))),
  timestamp_time: fixed((a) => timestampTime(big(a[0]))),
  timestamptz_time: fixed((a) => (isTimestampFinite(big(a[0])) ? floorMod(timestamptzToLocal(big(a[0])), USECS_PER_DAY) : null)),
  interval_time: fixed((a) => floorMod(iv(a[0]).micros, USECS_PER_DAY)),
  time_interval: fixed((a) => makeInterval(0, 0, big(a[0]))),
  time_scale: fixed((a) => adjustTimeForTypmod(big(a[0]), a[1] as number)),
  time_larger: fixed((a) => (big(a[0]) >= big(a[1]) ? a[0] : a[1])),
  time_smaller: fixed((a) => (big(a[0]) <= big(a[1]) ? a[0] : a[1])),
  extract_time: fixed((a) => extractTime(a[0] as string, big(a[1]))),
  time_part: fixed((a) => Number(extractTime(a[0] as string, big(a[1])))),
  make_time: fixed((a) => makeTime(a[0] as number, a[1] as number, a[2] as number)),
};
