/*
 * timestamp.ts — timestamp (without time zone) and timestamptz.
 *
 * Exports:
 *   timestampType, timestamptzType          the TypeInfo objects
 *   timestampIn, timestamptzIn, timestampOut, timestamptzOut
 *   adjustTimestampForTypmod                timestamp(p) rounding
 *   isValidTimestamp, isTimestampFinite, timestampOutOfRange
 *   timestampToJsDate, jsDateToTimestamp, timestampToEpochMs
 *   timestampToTimestamptz, timestamptzToTimestamp, timestamptzToLocal
 *   timestampPlInterval, timestampMiInterval, timestamptzPlInterval, timestamptzMiInterval
 *   timestampMi, timestampAge, timestamptzAge
 *
 * Datum form: a bigint of microseconds since 2000-01-01 00:00:00, on the
 * wall clock for timestamp and in UTC for timestamptz; DT_NOBEGIN/DT_NOEND
 * (the int64 extremes) are -infinity/infinity. Valid finite values lie in
 * [4714-11-24 00:00 BC, 294277-01-01 00:00). On disk: int64, typalign 'd'.
 *
 * A timestamptz is shown in the session time zone (timezone.ts) with its
 * offset: "2024-01-15 13:45:00+00". Month and day arithmetic on timestamptz
 * happens on the session zone's wall clock, so '1 day' across a daylight-
 * saving change keeps the clock time while '24 hours' keeps the duration.
 */

import type { Interval, TypeInfo } from './datum.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { asBigInt } from './datumutils.ts';
import {
  DT_NOBEGIN,
  DT_NOEND,
  END_TIMESTAMP,
  MIN_TIMESTAMP,
  TIMESTAMP_END_JULIAN,
  POSTGRES_EPOCH_JDATE,
  MIN_DATE,
  USECS_PER_DAY,
  currentTimestamp,
  date2days,
  daysInMonth,
  decodeDateTime,
  encodeTimestamp,
  floorDiv,
  timestampToTm,
  tmToTimestamp,
  type DecodedDateTime,
  type Tm,
} from './datetime.ts';
import { formatUtcOffset, getSessionTimeZone, localToUtc, type TimeZone } from './timezone.ts';
import {
  INTERVAL_INFINITY,
  INTERVAL_NEG_INFINITY,
  isIntervalFinite,
  isIntervalPosInfinity,
  makeInterval,
  intervalOutOfRange,
} from './interval.ts';
import { intervalUm, justifyHours } from './intervalarith.ts';

/** timestamp(p) allows p in 0..6; larger requests are reduced to 6, as PostgreSQL does. */
const MAX_TIMESTAMP_PRECISION = 6;
const TIMESTAMP_END_DAYS = TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE;
/** Milliseconds from 1970-01-01 to 2000-01-01. */
const POSTGRES_EPOCH_MS = 946_684_800_000n;

export const isValidTimestamp = (ts: bigint): boolean => ts >= MIN_TIMESTAMP && ts < END_TIMESTAMP;
export const isTimestampFinite = (ts: bigint): boolean => ts !== DT_NOBEGIN && ts !== DT_NOEND;

export function timestampOutOfRange(text?: string): never {
  return ereport(SQLSTATE.datetime_field_overflow, text === undefined ? 'timestamp out of range' : `timestamp out of range: "${text}"`);
}

/**
 * Rounds to timestamp(p), half away from zero. Like PostgreSQL, rounding is
 * not range-checked again: 294276-12-31 23:59:59.6 at p = 0 becomes 294277-01-01.
 */
export function adjustTimestampForTypmod(ts: bigint, typmod: number): bigint {
  if (typmod < 0 || typmod >= MAX_TIMESTAMP_PRECISION || !isTimestampFinite(ts)) return ts;
  const scale = 10n ** BigInt(MAX_TIMESTAMP_PRECISION - typmod);
  const half = scale / 2n;
  return ts >= 0n ? ((ts + half) / scale) * scale : -(((-ts + half) / scale) * scale);
}

/** Wall-clock microseconds of a timestamptz in `zone`. */
export function timestamptzToLocal(ts: bigint, zone: TimeZone = getSessionTimeZone()): bigint {
  return ts + BigInt(zone.utcOffsetAt(ts)) * 1_000_000n;
}

const localToday = (): number => Number(floorDiv(timestamptzToLocal(currentTimestamp()), USECS_PER_DAY));

function timestampFromDecoded(d: DecodedDateTime, text: string, typeName: string, withZone: boolean): bigint {
  switch (d.special) {
    case 'epoch':
      return BigInt(date2days(1970, 1, 1)) * USECS_PER_DAY;
    case 'infinity':
      return DT_NOEND;
    case '-infinity':
      return DT_NOBEGIN;
    case 'now':
      return withZone ? currentTimestamp() : timestamptzToLocal(currentTimestamp());
    case null:
      break;
  }
  let days: number;
  if (d.relativeDay !== null) {
    days = localToday() + (d.relativeDay === 'tomorrow' ? 1 : d.relativeDay === 'yesterday' ? -1 : 0);
  } else if (d.hasDate) {
    days = date2days(d.tm.year, d.tm.month, d.tm.day);
  } else {
    return ereport(SQLSTATE.invalid_datetime_format, `invalid input syntax for type ${typeName}: "${text}"`);
  }
  if (days < MIN_DATE || days > TIMESTAMP_END_DAYS) timestampOutOfRange(text);
  const tm = d.tm;
  const local =
    BigInt(days) * USECS_PER_DAY + BigInt((tm.hour * 3600 + tm.minute * 60 + tm.second) * 1_000_000 + tm.fsec);
  let ts = local;
  if (withZone) {
    if (typeof d.zone === 'number') ts = local - BigInt(d.zone) * 1_000_000n;
    else ts = localToUtc(d.zone ?? getSessionTimeZone(), local);
  }
  if (!isValidTimestamp(ts)) timestampOutOfRange(text);
  return ts;
}

export function timestampIn(text: string, typmod = -1): bigint {
  const d = decodeDateTime(text, 'timestamp');
  return adjustTimestampForTypmod(timestampFromDecoded(d, text, 'timestamp', false), typmod);
}

export function timestamptzIn(text: string, typmod = -1): bigint {
  const d = decodeDateTime(text, 'timestamp with time zone');
  return adjustTimestampForTypmod(timestampFromDecoded(d, text, 'timestamp with time zone', true), typmod);
}

export function timestampOut(ts: bigint): string {
  if (ts === DT_NOBEGIN) return '-infinity';
  if (ts === DT_NOEND) return 'infinity';
  return encodeTimestamp(timestampToTm(ts), null);
}

export function timestamptzOut(ts: bigint, zone: TimeZone = getSessionTimeZone()): string {
  if (ts === DT_NOBEGIN) return '-infinity';
  if (ts === DT_NOEND) return 'infinity';
  const offset = zone.utcOffsetAt(ts);
  return encodeTimestamp(timestampToTm(ts + BigInt(offset) * 1_000_000n), formatUtcOffset(offset));
}

const compareBigInt = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

function timestampTypeInfo(oid: number, name: string, input: (t: string, m: number) => bigint, output: (v: bigint) => string): TypeInfo {
  return {
    oid,
    name,
    typlen: 8,
    typbyval: true,
    typalign: 'd',
    typstorage: 'p',
    typcategory: 'D',
    input: (text, typmod) => input(text, typmod),
    output: (v) => output(asBigInt(v)),
    writeFixed: (view, off, v) => view.setBigInt64(off, asBigInt(v), true),
    readFixed: (view, off) => view.getBigInt64(off, true),
    compare: (a, b) => compareBigInt(asBigInt(a), asBigInt(b)),
    applyTypmod: (v, typmod) => adjustTimestampForTypmod(asBigInt(v), typmod),
  };
}

export const timestampType = timestampTypeInfo(1114, 'timestamp', timestampIn, timestampOut);
export const timestamptzType = timestampTypeInfo(1184, 'timestamptz', timestamptzIn, (v) => timestamptzOut(v));

/* ----------------------------------------------------------- JS Dates */

/** Milliseconds since 1970 (Date's scale), +/-Infinity for the infinities; micros are truncated. */
export function timestampToEpochMs(ts: bigint): number {
  if (ts === DT_NOBEGIN) return -Infinity;
  if (ts === DT_NOEND) return Infinity;
  return Number(floorDiv(ts, 1000n) + POSTGRES_EPOCH_MS);
}

/** A JS Date for a timestamptz (or a timestamp read as UTC); Invalid Date for the infinities. */
export const timestampToJsDate = (ts: bigint): Date => {
  const ms = timestampToEpochMs(ts);
  return new Date(Number.isFinite(ms) ? ms : NaN);
};

export function jsDateToTimestamp(d: Date): bigint {
  const ms = d.getTime();
  if (Number.isNaN(ms)) ereport(SQLSTATE.invalid_parameter_value, 'invalid Date value');
  return (BigInt(ms) - POSTGRES_EPOCH_MS) * 1000n;
}

/* ------------------------------------------------ with and without zone */

export function timestampToTimestamptz(ts: bigint, zone: TimeZone = getSessionTimeZone()): bigint {
  if (!isTimestampFinite(ts)) return ts;
  const r = localToUtc(zone, ts);
  if (!isValidTimestamp(r)) timestampOutOfRange();
  return r;
}

export function timestamptzToTimestamp(ts: bigint, zone: TimeZone = getSessionTimeZone()): bigint {
  if (!isTimestampFinite(ts)) return ts;
  const r = timestamptzToLocal(ts, zone);
  if (!isValidTimestamp(r)) timestampOutOfRange();
  return r;
}

/* ---------------------------------------------------------- + interval */

/** Months then days on the wall clock `local`; returns the new wall clock time. */
function addMonthsAndDays(local: bigint, iv: Interval): bigint {
  let t = local;
  if (iv.months !== 0) {
    const tm = timestampToTm(t);
    const month0 = tm.year * 12 + (tm.month - 1) + iv.months;
    tm.year = Math.floor(month0 / 12);
    tm.month = month0 - tm.year * 12 + 1;
    tm.day = Math.min(tm.day, daysInMonth(tm.year, tm.month));
    const days = date2days(tm.year, tm.month, tm.day);
    if (days < MIN_DATE || days >= TIMESTAMP_END_DAYS) timestampOutOfRange();
    t = tmToTimestamp(tm);
  }
  if (iv.days !== 0) {
    const dayNum = floorDiv(t, USECS_PER_DAY);
    const days = Number(dayNum) + iv.days;
    if (days < MIN_DATE || days >= TIMESTAMP_END_DAYS) timestampOutOfRange();
    t = BigInt(days) * USECS_PER_DAY + (t - dayNum * USECS_PER_DAY);
  }
  return t;
}

function infiniteSum(ts: bigint, iv: Interval): bigint | null {
  if (!isIntervalFinite(iv)) {
    const up = isIntervalPosInfinity(iv);
    if ((ts === DT_NOEND && !up) || (ts === DT_NOBEGIN && up)) timestampOutOfRange();
    return up ? DT_NOEND : DT_NOBEGIN;
  }
  return isTimestampFinite(ts) ? null : ts;
}

export function timestampPlInterval(ts: bigint, iv: Interval): bigint {
  const inf = infiniteSum(ts, iv);
  if (inf !== null) return inf;
  const r = addMonthsAndDays(ts, iv) + iv.micros;
  if (!isValidTimestamp(r)) timestampOutOfRange();
  return r;
}

export function timestamptzPlInterval(ts: bigint, iv: Interval, zone: TimeZone = getSessionTimeZone()): bigint {
  const inf = infiniteSum(ts, iv);
  if (inf !== null) return inf;
  let t = ts;
  if (iv.months !== 0 || iv.days !== 0) t = localToUtc(zone, addMonthsAndDays(timestamptzToLocal(ts, zone), iv));
  const r = t + iv.micros;
  if (!isValidTimestamp(r)) timestampOutOfRange();
  return r;
}

export const timestampMiInterval = (ts: bigint, iv: Interval): bigint => timestampPlInterval(ts, intervalUm(iv));
export const timestamptzMiInterval = (ts: bigint, iv: Interval, zone?: TimeZone): bigint =>
  timestamptzPlInterval(ts, intervalUm(iv), zone);

/** Differences involving infinity: +/-infinity intervals, or an error for infinity - infinity. */
function infiniteDifference(a: bigint, b: bigint): Interval | null {
  if (isTimestampFinite(a) && isTimestampFinite(b)) return null;
  if (a === b) intervalOutOfRange();
  return a === DT_NOEND || b === DT_NOBEGIN ? INTERVAL_INFINITY : INTERVAL_NEG_INFINITY;
}

/** timestamp - timestamp: days and time, whole days taken out of the time (justify_hours). */
export function timestampMi(a: bigint, b: bigint): Interval {
  return infiniteDifference(a, b) ?? justifyHours(makeInterval(0, 0, a - b));
}

/**
 * age(): a symbolic difference in years, months and days, computed field by
 * field and borrowing from the next larger field, where a borrowed month is
 * as long as the month it borrows from.
 */
function ageOfFields(t1: Tm, t2: Tm, firstIsEarlier: boolean): Interval {
  const sign = firstIsEarlier ? -1 : 1;
  let fsec = sign * (t1.fsec - t2.fsec);
  let sec = sign * (t1.second - t2.second);
  let min = sign * (t1.minute - t2.minute);
  let hour = sign * (t1.hour - t2.hour);
  let mday = sign * (t1.day - t2.day);
  let mon = sign * (t1.month - t2.month);
  let year = sign * (t1.year - t2.year);
  if (fsec < 0) { fsec += 1_000_000; sec--; }
  if (sec < 0) { sec += 60; min--; }
  if (min < 0) { min += 60; hour--; }
  if (hour < 0) { hour += 24; mday--; }
  while (mday < 0) {
    const from = firstIsEarlier ? t1 : t2;
    mday += daysInMonth(from.year, from.month);
    mon--;
  }
  if (mon < 0) { mon += 12; year--; }
  const micros = BigInt(((hour * 60 + min) * 60 + sec) * 1_000_000 + fsec);
  return makeInterval(sign * (year * 12 + mon), sign * mday, BigInt(sign) * micros);
}

export function timestampAge(a: bigint, b: bigint): Interval {
  return infiniteDifference(a, b) ?? ageOfFields(timestampToTm(a), timestampToTm(b), a < b);
}

export function timestamptzAge(a: bigint, b: bigint, zone: TimeZone = getSessionTimeZone()): Interval {
  const inf = infiniteDifference(a, b);
  if (inf !== null) return inf;
  const la = timestamptzToLocal(a, zone);
  const lb = timestamptzToLocal(b, zone);
  return ageOfFields(timestampToTm(la), timestampToTm(lb), a < b);
}
