/*
 * datetimefuncs.ts — the SQL-callable date/time functions and operators
 * (PostgreSQL's date.c, timestamp.c, datetime.c as fmgr sees them): now()
 * and friends through FunctionCallContext, date/timestamp/interval
 * arithmetic, date_trunc, extract/date_part, age, make_*, to_timestamp,
 * justify_*, isfinite, overlaps, generate_series over timestamps.
 *
 * Exports: DATETIME_FUNCS (ImplTable keyed by prosrc / "sql:name(args)").
 */

import type { Interval } from './datum.ts';
import type { ImplTable } from '../fmgr/fmgrimpl.ts';
import { fixed, set } from '../fmgr/fmgrimpl.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { currentTimestamp, date2days, DT_NOBEGIN, DT_NOEND, END_DATE, END_TIMESTAMP, MIN_DATE, MIN_TIMESTAMP, USECS_PER_DAY } from './datetime.ts';
import { datePlusDays, dateMinusDate, datePlusInterval, dateToTimestamp, dateToTimestamptz, isDateFinite } from './date.ts';
import {
  timestampPlInterval, timestamptzPlInterval, timestampMiInterval, timestamptzMiInterval, timestampMi, timestampAge,
  timestamptzAge, isTimestampFinite, isValidTimestamp, timestamptzToLocal, timestampToTimestamptz,
} from './timestamp.ts';
import { extractDate, extractInterval, extractTimestamp, extractTimestamptz, datePartInterval, datePartTimestamp, datePartTimestamptz, dateTruncInterval, dateTruncTimestamp, dateTruncTimestamptz } from './datepart.ts';
import { intervalMi, intervalMul, intervalDiv, intervalPl, intervalUm, justifyDays, justifyHours, justifyInterval } from './intervalarith.ts';
import { INTERVAL_INFINITY, INTERVAL_NEG_INFINITY, intervalCmp, isIntervalFinite, makeInterval } from './interval.ts';
import { INT32_MAX, INT32_MIN } from './int.ts';
import { rint } from './float.ts';
import { floorDiv } from './datetime.ts';
import { type TimeZone, fixedOffsetZone, localToUtc, lookupTimeZone } from './timezone.ts';
import { intervalOut } from './interval.ts';

const big = (v: unknown): bigint => v as bigint;
const int = (v: unknown): number => v as number;
const iv = (v: unknown): Interval => v as Interval;
const str = (v: unknown): string => v as string;

function makeDate(y: number, m: number, d: number): number {
  // Negative years are BC: year -1 is 1 BC (there is no year 0); the message shows the converted year, as PostgreSQL's does.
  const year = y < 0 ? y + 1 : y;
  const fail = (): never =>
    ereport(SQLSTATE.datetime_field_overflow, `date field value out of range: ${y < 0 && y > -2147483648 ? year : y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  if (y === 0 || y === -2147483648) fail();
  const dim = [31, (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (m < 1 || m > 12 || d < 1 || d > dim[m - 1]) fail();
  const days = date2days(year, m, d);
  if (days < MIN_DATE || days >= END_DATE) {
    ereport(SQLSTATE.datetime_field_overflow, `date out of range: ${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  }
  return days;
}

/** C's %02g for the seconds of make_timestamp's messages (shortest form, zero-padded to two characters). */
function secText(sec: number): string {
  const t = Number.isInteger(sec) ? String(sec) : String(Number(sec.toPrecision(6)));
  return t.length < 2 ? t.padStart(2, '0') : t;
}

/**
 * make_timestamp(year, month, mday, hour, min, sec): the date as make_date
 * checks it, the time as float_time_overflows does (24:00:00 is allowed,
 * seconds are rounded to microseconds), then the timestamp's range.
 */
function makeTimestamp(y: number, m: number, d: number, hour: number, min: number, sec: number): bigint {
  const days = makeDate(y, m, d);
  const us = rint(sec * 1e6);
  const bad =
    hour < 0 || hour > 24 || min < 0 || min >= 60 || Number.isNaN(sec) || sec < 0 || sec > 60 ||
    us < 0 || us > 60_000_000 || ((hour * 60 + min) * 60) * 1_000_000 + us > 86_400_000_000;
  if (bad) ereport(SQLSTATE.datetime_field_overflow, `time field value out of range: ${hour}:${String(min).padStart(2, '0')}:${secText(sec)}`);
  const result = BigInt(days) * USECS_PER_DAY + BigInt(((hour * 60 + min) * 60) * 1_000_000 + us);
  if (result < MIN_TIMESTAMP || result >= END_TIMESTAMP) {
    const year = y < 0 ? y + 1 : y;
    ereport(SQLSTATE.datetime_field_overflow, `timestamp out of range: ${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')} ${hour}:${String(min).padStart(2, '0')}:${secText(sec)}`);
  }
  return result;
}

/** interval * factor with PostgreSQL 17's infinities: a nonzero interval times an infinite factor is infinite. */
function intervalMulInf(i: Interval, factor: number): Interval {
  if (Number.isFinite(factor) || Number.isNaN(factor) || !isIntervalFinite(i)) return intervalMul(i, factor);
  const sign = intervalCmp(i, { months: 0, days: 0, micros: 0n });
  if (sign === 0) return ereport(SQLSTATE.datetime_field_overflow, 'interval out of range');
  return (sign > 0) === (factor > 0) ? INTERVAL_INFINITY : INTERVAL_NEG_INFINITY;
}

function intervalDivInf(i: Interval, divisor: number): Interval {
  if (Number.isFinite(divisor) || Number.isNaN(divisor) || !isIntervalFinite(i)) return intervalDiv(i, divisor);
  return { months: 0, days: 0, micros: 0n };
}

/** make_interval(years, months, weeks, days, hours, mins, secs). */
function makeIntervalFn(a: unknown[]): Interval {
  // Omitted trailing arguments default to zero (pg_proc.proargdefaults).
  const [years, months, weeks, days, hours, mins] = [0, 1, 2, 3, 4, 5].map((i) => (a[i] === undefined ? 0 : int(a[i])));
  const secs = a[6] === undefined ? 0 : (a[6] as number);
  if (!Number.isFinite(secs)) ereport(SQLSTATE.datetime_field_overflow, 'interval out of range');
  const totalMonths = years * 12 + months;
  const totalDays = weeks * 7 + days;
  const micros = BigInt(hours) * 3_600_000_000n + BigInt(mins) * 60_000_000n + BigInt(Math.round(secs * 1e6));
  if (totalMonths < INT32_MIN || totalMonths > INT32_MAX || totalDays < INT32_MIN || totalDays > INT32_MAX) {
    ereport(SQLSTATE.datetime_field_overflow, 'interval out of range');
  }
  return makeInterval(totalMonths, totalDays, micros);
}

/** to_timestamp(double precision): Unix epoch seconds to timestamptz. */
function floatToTimestamptz(secs: number): bigint {
  if (Number.isNaN(secs)) ereport(SQLSTATE.datetime_field_overflow, 'timestamp cannot be NaN');
  if (secs === Infinity) return DT_NOEND;
  if (secs === -Infinity) return DT_NOBEGIN;
  const EPOCH_DIFF = 946_684_800; // seconds from 1970-01-01 to 2000-01-01
  const shifted = secs - EPOCH_DIFF;
  if (Math.abs(shifted) > 9.2e12) ereport(SQLSTATE.datetime_field_overflow, `timestamp out of range: "${secs}"`);
  const ts = BigInt(Math.round(shifted * 1e6));
  if (!isValidTimestamp(ts)) ereport(SQLSTATE.datetime_field_overflow, `timestamp out of range: "${secs}"`);
  return ts;
}

/** overlaps: do the periods (s1, e1) and (s2, e2) share an instant (NULL rules as overlaps_timestamp). */
function overlaps(a: unknown[]): boolean | null {
  let [s1, e1, s2, e2] = a as (bigint | null)[];
  if (s1 === null) {
    if (e1 === null) return null;
    s1 = e1;
  } else if (e1 === null) e1 = s1;
  else if (e1 < s1) [s1, e1] = [e1, s1];
  if (s2 === null) {
    if (e2 === null) return null;
    s2 = e2;
  } else if (e2 === null) e2 = s2;
  else if (e2 < s2) [s2, e2] = [e2, s2];
  if (s1 > s2) {
    if (s1 < (e2 as bigint)) return true;
    if (a[3] === null) return null;
    return false;
  }
  if (s1 < s2) {
    if (s2 < (e1 as bigint)) return true;
    if (a[1] === null) return null;
    return false;
  }
  // Equal starts: overlapping unless both are instants; NULL ends make it unknown.
  if (a[1] === null || a[3] === null) return null;
  return true;
}

/** start + length for the OVERLAPS forms, NULL when either is. */
function plus(start: unknown, len: unknown, tz: boolean): bigint | null {
  if (start === null || len === null) return null;
  return tz ? timestamptzPlInterval(big(start), iv(len)) : timestampPlInterval(big(start), iv(len));
}

function* seriesTimestamp(start: bigint, stop: bigint, step: Interval, add: (t: bigint, i: Interval) => bigint): Iterable<bigint> {
  const zero = { months: 0, days: 0, micros: 0n };
  const dir = intervalCmp(step, zero);
  if (dir === 0) ereport(SQLSTATE.invalid_parameter_value, 'step size cannot equal zero');
  if (!isIntervalFinite(step)) ereport(SQLSTATE.invalid_parameter_value, 'step size cannot be infinite');
  let t = start;
  while (dir > 0 ? t <= stop : t >= stop) {
    yield t;
    t = add(t, step);
  }
}

/** AT TIME ZONE's zone argument: a name or abbreviation PostgreSQL accepts, or a numeric offset such as '+02'. */
export function zoneOf(name: string): TimeZone {
  const z = lookupTimeZone(name);
  if (z !== null) return z;
  const m = /^\s*([+-])?(\d{1,2})(?::(\d{2}))?\s*$/.exec(name);
  // A bare offset is read with the POSIX sign convention, as PostgreSQL reads it here: '+02' is two hours west of UTC.
  if (m !== null) {
    const east = (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60) * (m[1] === '-' ? 1 : -1);
    return fixedOffsetZone(east);
  }
  return ereport(SQLSTATE.invalid_parameter_value, `time zone "${name}" not recognized`);
}

export function intervalZoneMicros(z: Interval): bigint {
  if (z.months !== 0 || z.days !== 0) {
    ereport(SQLSTATE.invalid_parameter_value, `interval time zone "${intervalOut(z)}" must not include months or days`);
  }
  return z.micros;
}

const finiteOr = (ts: bigint, f: (t: bigint) => bigint): bigint => (isTimestampFinite(ts) ? f(ts) : ts);

const nowLocalDate = (ts: bigint): number => Number(floorDiv(timestamptzToLocal(ts), USECS_PER_DAY));

export const DATETIME_FUNCS: ImplTable = {
  now: fixed((_a, ctx) => ctx.transactionTimestamp()),
  statement_timestamp: fixed((_a, ctx) => ctx.statementTimestamp()),
  clock_timestamp: fixed(() => currentTimestamp()),

  date_pli: fixed((a) => datePlusDays(int(a[0]), int(a[1]))),
  date_mii: fixed((a) => datePlusDays(int(a[0]), -int(a[1]))),
  'sql:integer_pl_date(23,1082)': fixed((a) => datePlusDays(int(a[1]), int(a[0]))),
  date_mi: fixed((a) => dateMinusDate(int(a[0]), int(a[1]))),
  date_pl_interval: fixed((a) => datePlusInterval(int(a[0]), iv(a[1]))),
  date_mi_interval: fixed((a) => timestampMiInterval(dateToTimestamp(int(a[0])), iv(a[1]))),
  'sql:interval_pl_date(1186,1082)': fixed((a) => datePlusInterval(int(a[1]), iv(a[0]))),
  timestamp_pl_interval: fixed((a) => timestampPlInterval(big(a[0]), iv(a[1]))),
  timestamp_mi_interval: fixed((a) => timestampMiInterval(big(a[0]), iv(a[1]))),
  timestamptz_pl_interval: fixed((a) => timestamptzPlInterval(big(a[0]), iv(a[1]))),
  timestamptz_mi_interval: fixed((a) => timestamptzMiInterval(big(a[0]), iv(a[1]))),
  'sql:interval_pl_timestamp(1186,1114)': fixed((a) => timestampPlInterval(big(a[1]), iv(a[0]))),
  'sql:interval_pl_timestamptz(1186,1184)': fixed((a) => timestamptzPlInterval(big(a[1]), iv(a[0]))),
  timestamp_mi: fixed((a) => timestampMi(big(a[0]), big(a[1]))),
  interval_pl: fixed((a) => intervalPl(iv(a[0]), iv(a[1]))),
  interval_mi: fixed((a) => intervalMi(iv(a[0]), iv(a[1]))),
  interval_um: fixed((a) => intervalUm(iv(a[0]))),
  interval_mul: fixed((a) => intervalMulInf(iv(a[0]), a[1] as number)),
  mul_d_interval: fixed((a) => intervalMulInf(iv(a[1]), a[0] as number)),
  interval_div: fixed((a) => intervalDivInf(iv(a[0]), a[1] as number)),
  interval_larger: fixed((a) => (intervalCmp(iv(a[0]), iv(a[1])) >= 0 ? a[0] : a[1])),
  interval_smaller: fixed((a) => (intervalCmp(iv(a[0]), iv(a[1])) <= 0 ? a[0] : a[1])),
  date_larger: fixed((a) => (int(a[0]) >= int(a[1]) ? a[0] : a[1])),
  date_smaller: fixed((a) => (int(a[0]) <= int(a[1]) ? a[0] : a[1])),
  timestamp_larger: fixed((a) => (big(a[0]) >= big(a[1]) ? a[0] : a[1])),
  timestamp_smaller: fixed((a) => (big(a[0]) <= big(a[1]) ? a[0] : a[1])),

  timestamp_trunc: fixed((a) => dateTruncTimestamp(str(a[0]), big(a[1]))),
  timestamptz_trunc: fixed((a) => dateTruncTimestamptz(str(a[0]), big(a[1]))),
  interval_trunc: fixed((a) => dateTruncInterval(str(a[0]), iv(a[1]))),
  extract_date: fixed((a) => extractDate(str(a[0]), int(a[1]))),
  extract_timestamp: fixed((a) => extractTimestamp(str(a[0]), big(a[1]))),
  extract_timestamptz: fixed((a) => extractTimestamptz(str(a[0]), big(a[1]))),
  extract_interval: fixed((a) => extractInterval(str(a[0]), iv(a[1]))),
  timestamp_part: fixed((a) => datePartTimestamp(str(a[0]), big(a[1]))),
  timestamptz_part: fixed((a) => datePartTimestamptz(str(a[0]), big(a[1]))),
  interval_part: fixed((a) => datePartInterval(str(a[0]), iv(a[1]))),
  // date_part(text, date) is `date_part($1, $2::timestamp)` in PostgreSQL: a timestamp's units and messages.
  'sql:date_part(25,1082)': fixed((a) => datePartTimestamp(str(a[0]), dateToTimestamp(int(a[1])))),

  timestamp_age: fixed((a) => timestampAge(big(a[0]), big(a[1]))),
  timestamptz_age: fixed((a) => timestamptzAge(big(a[0]), big(a[1]))),
  // age(x): from midnight of the current date (in the session zone for timestamptz).
  'sql:age(1114)': fixed((a, ctx) => timestampAge(dateToTimestamp(nowLocalDate(ctx.transactionTimestamp())), big(a[0]))),
  'sql:age(1184)': fixed((a, ctx) => timestamptzAge(dateToTimestamptz(nowLocalDate(ctx.transactionTimestamp())), big(a[0]))),

  make_date: fixed((a) => makeDate(int(a[0]), int(a[1]), int(a[2]))),
  make_timestamp: fixed((a) => makeTimestamp(int(a[0]), int(a[1]), int(a[2]), int(a[3]), int(a[4]), a[5] as number)),
  make_interval: fixed((a) => makeIntervalFn(a)),
  float8_timestamptz: fixed((a) => floatToTimestamptz(a[0] as number)),
  interval_justify_days: fixed((a) => justifyDays(iv(a[0]))),
  interval_justify_hours: fixed((a) => justifyHours(iv(a[0]))),
  interval_justify_interval: fixed((a) => justifyInterval(iv(a[0]))),
  date_finite: fixed((a) => isDateFinite(int(a[0]))),
  timestamp_finite: fixed((a) => isTimestampFinite(big(a[0]))),
  interval_finite: fixed((a) => isIntervalFinite(iv(a[0]))),
  overlaps_timestamp: fixed((a) => overlaps(a)),
  // The (start, length) forms are SQL functions in PostgreSQL: (s, s + len) OVERLAPS (s2, s2 + len2).
  'sql:overlaps(1184,1186,1184,1186)': fixed((a) => overlaps([a[0], plus(a[0], a[1], true), a[2], plus(a[2], a[3], true)])),
  'sql:overlaps(1184,1184,1184,1186)': fixed((a) => overlaps([a[0], a[1], a[2], plus(a[2], a[3], true)])),
  'sql:overlaps(1184,1186,1184,1184)': fixed((a) => overlaps([a[0], plus(a[0], a[1], true), a[2], a[3]])),
  'sql:overlaps(1114,1186,1114,1186)': fixed((a) => overlaps([a[0], plus(a[0], a[1], false), a[2], plus(a[2], a[3], false)])),
  'sql:overlaps(1114,1114,1114,1186)': fixed((a) => overlaps([a[0], a[1], a[2], plus(a[2], a[3], false)])),
  'sql:overlaps(1114,1186,1114,1114)': fixed((a) => overlaps([a[0], plus(a[0], a[1], false), a[2], a[3]])),

  // AT TIME ZONE: timestamptz -> the wall clock there; timestamp -> the instant of that wall clock there.
  timestamptz_zone: fixed((a) => finiteOr(big(a[1]), (t) => timestamptzToLocal(t, zoneOf(str(a[0]))))),
  timestamp_zone: fixed((a) => finiteOr(big(a[1]), (t) => localToUtc(zoneOf(str(a[0])), t))),
  timestamptz_izone: fixed((a) => finiteOr(big(a[1]), (t) => t + intervalZoneMicros(iv(a[0])))),
  timestamp_izone: fixed((a) => finiteOr(big(a[1]), (t) => t - intervalZoneMicros(iv(a[0])))),
  timestamptz_at_local: fixed((a) => finiteOr(big(a[0]), (t) => timestamptzToLocal(t))),
  timestamp_at_local: fixed((a) => finiteOr(big(a[0]), (t) => timestampToTimestamptz(t))),

  generate_series_timestamp: set((a) => seriesTimestamp(big(a[0]), big(a[1]), iv(a[2]), timestampPlInterval)),
  generate_series_timestamptz: set((a) => seriesTimestamp(big(a[0]), big(a[1]), iv(a[2]), (t, i) => timestamptzPlInterval(t, i))),
};
