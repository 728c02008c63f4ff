/*
 * datepart.ts — extract(), date_part() and date_trunc() for date,
 * timestamp, timestamptz and interval.
 *
 * Exports:
 *   extractTimestamp, extractTimestamptz, extractDate, extractInterval
 *                          extract(unit FROM x): numeric text, or null for
 *                          SQL NULL (a field of an infinite value that has no
 *                          meaningful limit, such as dow)
 *   datePartTimestamp, datePartTimestamptz, datePartDate, datePartInterval
 *                          date_part(): the same as float8
 *   dateTruncTimestamp, dateTruncTimestamptz, dateTruncInterval
 *   parseDateUnit          unit names and abbreviations, case-insensitive
 *
 * extract() returns numeric since PostgreSQL 14: whole-number fields are
 * integers, "second" has 6 fractional digits, "milliseconds" 3, "epoch" 6
 * (an integer for date). Century and millennium count from year 1 (2000 is in
 * the 20th century, 2001 begins the 21st); there is no year 0, so 1 BC is
 * year -1.
 *
 * Units a type does not support raise 0A000 `unit "x" not supported for
 * type T`; names that are not units raise 22023 `unit "x" not recognized for
 * type T`.
 */

import type { Interval } from './datum.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import {
  DATEVAL_NOEND,
  DT_NOEND,
  POSTGRES_EPOCH_JDATE,
  USECS_PER_DAY,
  date2days,
  days2date,
  floorDiv,
  timestampToTm,
  tmToTimestamp,
  type Tm,
} from './datetime.ts';
import { getSessionTimeZone, localToUtc, type TimeZone } from './timezone.ts';
import { isTimestampFinite, isValidTimestamp, timestampOutOfRange, timestamptzToLocal } from './timestamp.ts';
import { isDateFinite } from './date.ts';
import { isIntervalFinite, isIntervalPosInfinity, makeInterval } from './interval.ts';
import { decimalToText } from './numeric.ts';
import { numericAdd, numericDiv } from './numericarith.ts';

export type DateUnit =
  | 'microseconds' | 'milliseconds' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month'
  | 'quarter' | 'year' | 'decade' | 'century' | 'millennium' | 'epoch' | 'dow' | 'isodow'
  | 'doy' | 'isoyear' | 'julian' | 'timezone' | 'timezone_hour' | 'timezone_minute';

const UNIT_NAMES: ReadonlyMap<string, DateUnit> = new Map<string, DateUnit>(
  (
    [
      ['microseconds', ['microsecond', 'microseconds', 'microsecon', 'us', 'usec', 'usecs', 'useconds']],
      ['milliseconds', ['millisecond', 'milliseconds', 'millisecon', 'ms', 'msec', 'msecs', 'mseconds']],
      ['second', ['second', 'seconds', 's', 'sec', 'secs']],
      ['minute', ['minute', 'minutes', 'm', 'min', 'mins']],
      ['hour', ['hour', 'hours', 'h', 'hr', 'hrs']],
      ['day', ['day', 'days', 'd']],
      ['week', ['week', 'weeks', 'w']],
      ['month', ['month', 'months', 'mon', 'mons']],
      ['quarter', ['quarter', 'qtr']],
      ['year', ['year', 'years', 'y', 'yr', 'yrs']],
      ['decade', ['decade', 'decades', 'dec', 'decs']],
      ['century', ['century', 'centuries', 'c', 'cent']],
      ['millennium', ['millennium', 'millennia', 'mil', 'mils', 'millenniums']],
      ['epoch', ['epoch']],
      ['dow', ['dow']],
      ['isodow', ['isodow']],
      ['doy', ['doy']],
      ['isoyear', ['isoyear']],
      ['julian', ['julian', 'j']],
      ['timezone', ['timezone']],
      ['timezone_hour', ['timezone_hour', 'timezone_h']],
      ['timezone_minute', ['timezone_minute', 'timezone_m']],
    ] as [DateUnit, string[]][]
  ).flatMap(([unit, names]) => names.map((n) => [n, unit] as [string, DateUnit])),
);

type TypeLabel = 'date' | 'timestamp without time zone' | 'timestamp with time zone' | 'interval';

export function parseDateUnit(text: string, typeLabel: TypeLabel): DateUnit {
  const lower = text.toLowerCase();
  const unit = UNIT_NAMES.get(lower);
  if (unit === undefined) {
    ereport(SQLSTATE.invalid_parameter_value, `unit "${lower}" not recognized for type ${typeLabel}`);
  }
  return unit;
}

/** Raised for a known unit the function cannot apply; the message quotes the unit as written. */
function notSupported(unitText: string, typeLabel: TypeLabel): never {
  return ereport(SQLSTATE.feature_not_supported, `unit "${unitText.toLowerCase()}" not supported for type ${typeLabel}`);
}

/** Units that are not lengths of time; date_trunc calls them unknown words, as PostgreSQL does. */
const NOT_A_LENGTH: ReadonlySet<DateUnit> = new Set<DateUnit>(['epoch', 'dow', 'isodow', 'doy', 'isoyear', 'julian']);

/** The error date_trunc raises for a unit it cannot truncate to. */
function cannotTruncate(unitText: string, unit: DateUnit, typeLabel: TypeLabel): never {
  if (!NOT_A_LENGTH.has(unit)) notSupported(unitText, typeLabel);
  return ereport(SQLSTATE.invalid_parameter_value, `unit "${unitText.toLowerCase()}" not recognized for type ${typeLabel}`);
}

/** Units whose value grows without bound, so an infinite input gives +/-Infinity, not NULL. */
const MONOTONIC: ReadonlySet<DateUnit> = new Set(['epoch', 'julian', 'year', 'isoyear', 'decade', 'century', 'millennium']);

/**
 * Microseconds as numeric text in seconds (scale 6) or milliseconds (scale
 * 3): either way the coefficient is the microsecond count itself.
 */
const scaled = (micros: bigint, scale: 3 | 6): string => decimalToText({ special: null, coef: micros, scale });

/* ---------------------------------------------------- calendar helpers */

const dayOfWeek = (days: number): number => (((days % 7) + 7 + 6) % 7);

/** ISO 8601 week-numbering year and week of a day: weeks start Monday, week 1 holds January 4. */
function isoWeek(days: number): { isoyear: number; week: number } {
  const isodow = dayOfWeek(days) || 7;
  const thursday = days - isodow + 4;
  const isoyear = days2date(thursday).year;
  return { isoyear, week: Math.floor((thursday - date2days(isoyear, 1, 1)) / 7) + 1 };
}

/** Year as extract() shows it: no year 0, 1 BC is -1. */
const displayYear = (y: number): number => (y > 0 ? y : y - 1);
const decadeOf = (y: number): number => (y >= 0 ? Math.trunc(y / 10) : -Math.trunc((9 - y) / 10));
const centuryOf = (y: number): number => (y > 0 ? Math.trunc((y + 99) / 100) : -Math.trunc((100 - y) / 100));
const millenniumOf = (y: number): number => (y > 0 ? Math.trunc((y + 999) / 1000) : -Math.trunc((1000 - y) / 1000));

/** Fields shared by date, timestamp and timestamptz; null when the unit is not a calendar field. */
function calendarField(unit: DateUnit, days: number, tm: Tm): string | null {
  switch (unit) {
    case 'day': return String(tm.day);
    case 'month': return String(tm.month);
    case 'quarter': return String(Math.floor((tm.month - 1) / 3) + 1);
    case 'week': return String(isoWeek(days).week);
    case 'year': return String(displayYear(tm.year));
    case 'decade': return String(decadeOf(tm.year));
    case 'century': return String(centuryOf(tm.year));
    case 'millennium': return String(millenniumOf(tm.year));
    case 'dow': return String(dayOfWeek(days));
    case 'isodow': return String(dayOfWeek(days) || 7);
    case 'doy': return String(days - date2days(tm.year, 1, 1) + 1);
    case 'isoyear': {
      const y = isoWeek(days).isoyear;
      return String(displayYear(y));
    }
    default: return null;
  }
}

function infiniteResult(unit: DateUnit, positive: boolean): string | null {
  if (!MONOTONIC.has(unit)) return null;
  return positive ? 'Infinity' : '-Infinity';
}

const UNIX_EPOCH_MICROS = BigInt(date2days(1970, 1, 1)) * USECS_PER_DAY;

function extractFromLocal(
  unitText: string,
  unit: DateUnit,
  local: bigint,
  epochMicros: bigint,
  typeLabel: TypeLabel,
  offsetSecs: number | null,
): string {
  const tm = timestampToTm(local);
  const days = Number(floorDiv(local, USECS_PER_DAY));
  const cal = calendarField(unit, days, tm);
  if (cal !== null) return cal;
  const secMicros = BigInt(tm.second * 1_000_000 + tm.fsec);
  switch (unit) {
    case 'microseconds': return secMicros.toString();
    case 'milliseconds': return scaled(secMicros, 3);
    case 'second': return scaled(secMicros, 6);
    case 'minute': return String(tm.minute);
    case 'hour': return String(tm.hour);
    case 'epoch': return scaled(epochMicros - UNIX_EPOCH_MICROS, 6);
    case 'julian': {
      const timeMicros = local - BigInt(days) * USECS_PER_DAY;
      return numericAdd(String(days + POSTGRES_EPOCH_JDATE), numericDiv(timeMicros.toString(), USECS_PER_DAY.toString()));
    }
    case 'timezone':
    case 'timezone_hour':
    case 'timezone_minute':
      if (offsetSecs === null) return notSupported(unitText, typeLabel);
      if (unit === 'timezone') return String(offsetSecs);
      if (unit === 'timezone_hour') return String(Math.trunc(offsetSecs / 3600) + 0);
      return String(Math.trunc((offsetSecs % 3600) / 60) + 0);
    default:
      return notSupported(unitText, typeLabel);
  }
}

/* ---------------------------------------------------------------- extract */

export function extractTimestamp(unitText: string, ts: bigint): string | null {
  const label = 'timestamp without time zone';
  const unit = parseDateUnit(unitText, label);
  if (!isTimestampFinite(ts)) return infiniteResult(unit, ts === DT_NOEND);
  if (unit === 'timezone' || unit === 'timezone_hour' || unit === 'timezone_minute') notSupported(unitText, label);
  return extractFromLocal(unitText, unit, ts, ts, label, null);
}

export function extractTimestamptz(unitText: string, ts: bigint, zone: TimeZone = getSessionTimeZone()): string | null {
  const label = 'timestamp with time zone';
  const unit = parseDateUnit(unitText, label);
  if (!isTimestampFinite(ts)) return infiniteResult(unit, ts === DT_NOEND);
  const offset = zone.utcOffsetAt(ts);
  return extractFromLocal(unitText, unit, timestamptzToLocal(ts, zone), ts, label, offset);
}

/** A date has no time of day, so only calendar units apply. */
const DATE_UNITS: ReadonlySet<DateUnit> = new Set<DateUnit>([
  'day', 'month', 'quarter', 'week', 'year', 'decade', 'century', 'millennium',
  'dow', 'isodow', 'doy', 'isoyear', 'epoch', 'julian',
]);

export function extractDate(unitText: string, d: number): string | null {
  const label = 'date';
  const unit = parseDateUnit(unitText, label);
  if (!DATE_UNITS.has(unit)) notSupported(unitText, label);
  if (!isDateFinite(d)) return infiniteResult(unit, d === DATEVAL_NOEND);
  const { year, month, day } = days2date(d);
  const cal = calendarField(unit, d, { year, month, day, hour: 0, minute: 0, second: 0, fsec: 0 });
  if (cal !== null) return cal;
  if (unit === 'epoch') return String((d - date2days(1970, 1, 1)) * 86400);
  if (unit === 'julian') return String(d + POSTGRES_EPOCH_JDATE);
  return notSupported(unitText, label);
}

/** Seconds in a year of months for extract(epoch from interval): 365.25 days. */
const SECS_PER_YEAR = 31_557_600n;

export function extractInterval(unitText: string, iv: Interval): string | null {
  const label = 'interval';
  const unit = parseDateUnit(unitText, label);
  const supported = [
    'microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month',
    'quarter', 'year', 'decade', 'century', 'millennium', 'epoch',
  ];
  if (!supported.includes(unit)) notSupported(unitText, label);
  if (!isIntervalFinite(iv)) {
    const grows = unit === 'epoch' || unit === 'hour' || unit === 'day' || unit === 'year' ||
      unit === 'decade' || unit === 'century' || unit === 'millennium';
    return grows ? (isIntervalPosInfinity(iv) ? 'Infinity' : '-Infinity') : null;
  }
  const year = Math.trunc(iv.months / 12);
  const mon = (iv.months % 12) + 0;
  const secMicros = iv.micros % 60_000_000n;
  switch (unit) {
    case 'microseconds': return secMicros.toString();
    case 'milliseconds': return scaled(secMicros, 3);
    case 'second': return scaled(secMicros, 6);
    case 'minute': return ((iv.micros / 60_000_000n) % 60n).toString();
    case 'hour': return (iv.micros / 3_600_000_000n).toString();
    case 'day': return String(iv.days);
    case 'week': return String(Math.trunc(iv.days / 7) + 0);
    case 'month': return String(mon);
    // Quarters count away from zero: 1..4 for months 0..11, -1..-4 for -1..-11.
    case 'quarter': return String(mon >= 0 ? Math.trunc(mon / 3) + 1 : -(Math.trunc((-mon - 1) / 3) + 1));
    case 'year': return String(year);
    case 'decade': return String(Math.trunc(year / 10) + 0);
    case 'century': return String(Math.trunc(year / 100) + 0);
    case 'millennium': return String(Math.trunc(year / 1000) + 0);
    default: {
      const secs = BigInt(year) * SECS_PER_YEAR + BigInt(mon * 30 + iv.days) * 86400n;
      return scaled(secs * 1_000_000n + iv.micros, 6);
    }
  }
}

const asFloat = (v: string | null): number | null => (v === null ? null : Number(v));
export const datePartTimestamp = (unit: string, ts: bigint): number | null => asFloat(extractTimestamp(unit, ts));
export const datePartTimestamptz = (unit: string, ts: bigint, zone?: TimeZone): number | null =>
  asFloat(extractTimestamptz(unit, ts, zone));
export const datePartDate = (unit: string, d: number): number | null => asFloat(extractDate(unit, d));
export const datePartInterval = (unit: string, iv: Interval): number | null => asFloat(extractInterval(unit, iv));

/* ------------------------------------------------------------- date_trunc */

/** Truncates wall-clock fields in place; false if the unit cannot truncate. */
function truncateTm(unit: DateUnit, tm: Tm): boolean {
  const y = tm.year;
  switch (unit) {
    case 'millennium':
      tm.year = y > 0 ? Math.trunc((y + 999) / 1000) * 1000 - 999 : 1 - Math.trunc((1000 - y) / 1000) * 1000;
      tm.month = 1;
      tm.day = 1;
      break;
    case 'century':
      tm.year = y > 0 ? Math.trunc((y + 99) / 100) * 100 - 99 : 1 - Math.trunc((100 - y) / 100) * 100;
      tm.month = 1;
      tm.day = 1;
      break;
    case 'decade':
      tm.year = y > 0 ? Math.trunc(y / 10) * 10 : -Math.trunc((9 - y) / 10) * 10;
      tm.month = 1;
      tm.day = 1;
      break;
    case 'year':
      tm.month = 1;
      tm.day = 1;
      break;
    case 'quarter':
      tm.month = 3 * Math.floor((tm.month - 1) / 3) + 1;
      tm.day = 1;
      break;
    case 'month':
      tm.day = 1;
      break;
    case 'week': {
      const days = date2days(tm.year, tm.month, tm.day);
      const monday = days2date(days - ((dayOfWeek(days) || 7) - 1));
      tm.year = monday.year;
      tm.month = monday.month;
      tm.day = monday.day;
      break;
    }
    case 'day':
    case 'hour':
    case 'minute':
    case 'second':
    case 'milliseconds':
    case 'microseconds':
      break;
    default:
      return false;
  }
  const order = ['day', 'hour', 'minute', 'second', 'milliseconds', 'microseconds'];
  const keep = order.indexOf(unit);
  if (keep < 1) tm.hour = 0;
  if (keep < 2) tm.minute = 0;
  if (keep < 3) tm.second = 0;
  if (keep < 4) tm.fsec = 0;
  else if (keep === 4) tm.fsec = Math.floor(tm.fsec / 1000) * 1000;
  return true;
}

export function dateTruncTimestamp(unitText: string, ts: bigint): bigint {
  const label = 'timestamp without time zone';
  const unit = parseDateUnit(unitText, label);
  const tm = timestampToTm(isTimestampFinite(ts) ? ts : 0n);
  if (!truncateTm(unit, tm)) cannotTruncate(unitText, unit, label);
  return isTimestampFinite(ts) ? checkedTimestamp(tm) : ts;
}

/** Truncating the earliest timestamps can step before the range (4714-11-24 BC to 4714-11-01 BC). */
function checkedTimestamp(tm: Tm): bigint {
  const r = tmToTimestamp(tm);
  if (!isValidTimestamp(r)) timestampOutOfRange();
  return r;
}

/**
 * Truncation happens on the session zone's wall clock. For a day or longer
 * the zone offset is looked up again for the truncated time (midnight may
 * have a different offset); shorter units keep the original offset.
 */
export function dateTruncTimestamptz(unitText: string, ts: bigint, zone: TimeZone = getSessionTimeZone()): bigint {
  const label = 'timestamp with time zone';
  const unit = parseDateUnit(unitText, label);
  const finite = isTimestampFinite(ts);
  const offset = finite ? zone.utcOffsetAt(ts) : 0;
  const tm = timestampToTm(finite ? ts + BigInt(offset) * 1_000_000n : 0n);
  if (!truncateTm(unit, tm)) cannotTruncate(unitText, unit, label);
  if (!finite) return ts;
  const local = checkedTimestamp(tm);
  const redoZone = !['hour', 'minute', 'second', 'milliseconds', 'microseconds'].includes(unit);
  return redoZone ? localToUtc(zone, local) : local - BigInt(offset) * 1_000_000n;
}

export function dateTruncInterval(unitText: string, iv: Interval): Interval {
  const label = 'interval';
  const unit = parseDateUnit(unitText, label);
  const units = ['millennium', 'century', 'decade', 'year', 'quarter', 'month', 'day', 'hour', 'minute', 'second', 'milliseconds', 'microseconds'];
  const level = units.indexOf(unit);
  if (unit === 'week') {
    ereport(SQLSTATE.feature_not_supported, `unit "${unitText.toLowerCase()}" not supported for type ${label}`, {
      detail: 'Months usually have fractional weeks.',
    });
  }
  if (level < 0) cannotTruncate(unitText, unit, label);
  if (!isIntervalFinite(iv)) return iv;
  let year = Math.trunc(iv.months / 12);
  let mon = (iv.months % 12) + 0;
  let day = iv.days;
  let micros = iv.micros;
  if (unit === 'millennium') year = Math.trunc(year / 1000) * 1000;
  if (unit === 'century') year = Math.trunc(year / 100) * 100;
  if (unit === 'decade') year = Math.trunc(year / 10) * 10;
  if (level <= 3) mon = 0;
  if (unit === 'quarter') mon = Math.trunc(mon / 3) * 3;
  if (level <= 5) day = 0;
  const keepMicros = [0n, 0n, 0n, 0n, 0n, 0n, 0n, 3_600_000_000n, 60_000_000n, 1_000_000n, 1000n, 1n][level];
  micros = keepMicros === 0n ? 0n : (micros / keepMicros) * keepMicros;
  return makeInterval(year * 12 + mon, day, micros);
}
