/*
 * date.ts — date.
 *
 * Exports:
 *   dateType                  the TypeInfo
 *   dateIn, dateOut           ISO text ("2024-01-15", "0044-03-15 BC")
 *   isDateFinite, currentDate
 *   datePlusDays, dateMinusDate, datePlusInterval
 *   dateToTimestamp, timestampToDate, dateToTimestamptz, timestamptzToDate
 *   dateToJsDate, jsDateToDate
 *
 * Datum form: a number of days since 2000-01-01; DATEVAL_NOBEGIN and
 * DATEVAL_NOEND (the int32 extremes) are -infinity and infinity. Valid
 * finite dates run from 4714-11-24 BC (Julian day 0) to 5874897-12-31.
 * On disk: int32, typalign 'i'.
 */

import type { Interval, TypeInfo } from './datum.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { asNumber } from './datumutils.ts';
import {
  DATEVAL_NOBEGIN,
  DATEVAL_NOEND,
  DT_NOBEGIN,
  DT_NOEND,
  END_DATE,
  MIN_DATE,
  POSTGRES_EPOCH_JDATE,
  TIMESTAMP_END_JULIAN,
  USECS_PER_DAY,
  currentTimestamp,
  date2days,
  days2date,
  decodeDateTime,
  encodeDate,
  floorDiv,
} from './datetime.ts';
import { getSessionTimeZone, localToUtc, type TimeZone } from './timezone.ts';
import { isTimestampFinite, timestampPlInterval, timestamptzToLocal } from './timestamp.ts';

export const isDateFinite = (d: number): boolean => d !== DATEVAL_NOBEGIN && d !== DATEVAL_NOEND;
const isValidDate = (d: number): boolean => d >= MIN_DATE && d < END_DATE;
const TIMESTAMP_END_DAYS = TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE;

function dateOutOfRange(text?: string): never {
  return ereport(SQLSTATE.datetime_field_overflow, text === undefined ? 'date out of range' : `date out of range: "${text}"`);
}

/** Today on the session time zone's calendar. */
export const currentDate = (): number => Number(floorDiv(timestamptzToLocal(currentTimestamp()), USECS_PER_DAY));

export function dateIn(text: string): number {
  const d = decodeDateTime(text, 'date');
  switch (d.special) {
    case 'epoch':
      return date2days(1970, 1, 1);
    case 'infinity':
      return DATEVAL_NOEND;
    case '-infinity':
      return DATEVAL_NOBEGIN;
    case 'now':
      return currentDate();
    case null:
      break;
  }
  if (d.relativeDay !== null) {
    return currentDate() + (d.relativeDay === 'tomorrow' ? 1 : d.relativeDay === 'yesterday' ? -1 : 0);
  }
  if (!d.hasDate) ereport(SQLSTATE.invalid_datetime_format, `invalid input syntax for type date: "${text}"`);
  const days = date2days(d.tm.year, d.tm.month, d.tm.day);
  if (!isValidDate(days)) dateOutOfRange(text);
  return days;
}

export function dateOut(d: number): string {
  if (d === DATEVAL_NOBEGIN) return '-infinity';
  if (d === DATEVAL_NOEND) return 'infinity';
  const { year, month, day } = days2date(d);
  return encodeDate(year, month, day);
}

export const dateType: TypeInfo = {
  oid: 1082,
  name: 'date',
  typlen: 4,
  typbyval: true,
  typalign: 'i',
  typstorage: 'p',
  typcategory: 'D',
  input: (text) => dateIn(text),
  output: (v) => dateOut(asNumber(v)),
  writeFixed: (view, off, v) => view.setInt32(off, asNumber(v), true),
  readFixed: (view, off) => view.getInt32(off, true),
  compare: (a, b) => asNumber(a) - asNumber(b),
};

/* ----------------------------------------------------------- arithmetic */

/** date + integer; infinite dates stay infinite. */
export function datePlusDays(d: number, days: number): number {
  if (!isDateFinite(d)) return d;
  const r = d + days;
  if (!isValidDate(r)) dateOutOfRange();
  return r;
}

/** date - date in days. */
export function dateMinusDate(a: number, b: number): number {
  if (!isDateFinite(a) || !isDateFinite(b)) ereport(SQLSTATE.datetime_field_overflow, 'cannot subtract infinite dates');
  return a - b;
}

/* ---------------------------------------------------------- conversions */

export function dateToTimestamp(d: number): bigint {
  if (d === DATEVAL_NOBEGIN) return DT_NOBEGIN;
  if (d === DATEVAL_NOEND) return DT_NOEND;
  if (d >= TIMESTAMP_END_DAYS) ereport(SQLSTATE.datetime_field_overflow, 'date out of range for timestamp');
  return BigInt(d) * USECS_PER_DAY;
}

export function timestampToDate(ts: bigint): number {
  if (ts === DT_NOBEGIN) return DATEVAL_NOBEGIN;
  if (ts === DT_NOEND) return DATEVAL_NOEND;
  return Number(floorDiv(ts, USECS_PER_DAY));
}

/** Midnight of the date in the session time zone. */
export function dateToTimestamptz(d: number, zone: TimeZone = getSessionTimeZone()): bigint {
  const ts = dateToTimestamp(d);
  return isTimestampFinite(ts) ? localToUtc(zone, ts) : ts;
}

export function timestamptzToDate(ts: bigint, zone: TimeZone = getSessionTimeZone()): number {
  if (!isTimestampFinite(ts)) return timestampToDate(ts);
  return timestampToDate(timestamptzToLocal(ts, zone));
}

/** date + interval is a timestamp. */
export const datePlusInterval = (d: number, iv: Interval): bigint => timestampPlInterval(dateToTimestamp(d), iv);

/** UTC midnight of the date as a JS Date (Invalid Date for the infinities). */
export function dateToJsDate(d: number): Date {
  if (!isDateFinite(d)) return new Date(NaN);
  const { year, month, day } = days2date(d);
  const out = new Date(0);
  out.setUTCFullYear(year, month - 1, day);
  return out;
}

/** The UTC calendar day of a JS Date. */
export function jsDateToDate(js: Date): number {
  if (Number.isNaN(js.getTime())) ereport(SQLSTATE.invalid_parameter_value, 'invalid Date value');
  return date2days(js.getUTCFullYear(), js.getUTCMonth() + 1, js.getUTCDate());
}
