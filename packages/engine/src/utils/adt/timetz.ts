/*
 * timetz.ts — time with time zone (PostgreSQL's date.c, the TimeTzADT part).
 *
 * Exports:
 *   TIMETZOID, timetzType    the TypeInfo (OID 1266, array 1270)
 *   timetzIn, timetzOut      text I/O: "13:45:10.5+02", "04:05:06 PST", "allballs"
 *   timetzFromTimestamptz    current_time's value (timestamptz_timetz)
 *   TIMETZ_FUNCS             ImplTable: casts, arithmetic, AT TIME ZONE, extract/date_part
 *
 * Datum form: { time, zone } — time a bigint of microseconds since midnight
 * (0 .. 24:00:00) in the zone's local time, zone the offset in seconds WEST
 * of UTC (PostgreSQL's sign, so "+02" is -7200). On disk 12 bytes, int8 then
 * int4, typalign 'd', as PostgreSQL stores TimeTzADT.
 *
 * Invariants, as in PostgreSQL:
 *   - Ordering compares the UTC instant (time + zone) first, then the zone
 *     (the larger west offset sorts later), so two values are equal only when
 *     both fields are; GROUP BY / DISTINCT treat '12:00+01' and '11:00+00' as
 *     different values.
 *   - A value without a zone takes the session TimeZone's offset on the
 *     current date (its DST state today); a full zone name (Europe/Paris)
 *     needs a date in the text to resolve DST, else 22007.
 *   - AT TIME ZONE with a named zone uses that zone's offset at the
 *     transaction start; the time wraps around midnight.
 */

import type { Interval, TypeInfo } from './datum.ts';
import type { ImplTable } from '../fmgr/fmgrimpl.ts';
import { fixed } from '../fmgr/fmgrimpl.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { USECS_PER_DAY, currentTimestamp, date2days, decodeDateTime, floorDiv } from './datetime.ts';
import { DATEVAL_NOBEGIN, DATEVAL_NOEND, DT_NOBEGIN, DT_NOEND, TIMESTAMP_END_JULIAN, POSTGRES_EPOCH_JDATE } from './datetime.ts';
import { isTimestampFinite, isValidTimestamp, timestampOutOfRange, timestamptzToLocal } from './timestamp.ts';
import { adjustTimeForTypmod, extractTime, timeMiInterval, timeOut, timePlInterval } from './time.ts';
import { getSessionTimeZone, localToUtc, type TimeZone } from './timezone.ts';
import { intervalZoneMicros, zoneOf } from './datetimefuncs.ts';
import { decimalToText } from './numeric.ts';
import { intervalSpan } from './interval.ts';
import { registerInRange } from './inrange.ts';

export const TIMETZOID = 1266;

export interface TimeTz {
  time: bigint;
  /** Seconds west of UTC. */
  zone: number;
}

const USECS_PER_SEC = 1_000_000n;
const USECS_PER_HOUR = 3_600_000_000n;
const USECS_PER_MINUTE = 60_000_000n;

const tz = (v: unknown): TimeTz => v as TimeTz;
const big = (v: unknown): bigint => v as bigint;
const make = (time: bigint, zone: number): TimeTz => ({ time, zone });

function floorMod(a: bigint, b: bigint): bigint {
  return a - floorDiv(a, b) * b;
}

/** The session-local day number (days since 2000-01-01) of an instant. */
function localDay(ts: bigint): number {
  return Number(floorDiv(timestamptzToLocal(ts), USECS_PER_DAY));
}

/** DetermineTimeZoneOffset: the offset (seconds west) `zone` has at local time `local` (microseconds since 2000-01-01). */
function zoneOffsetAtLocal(zone: TimeZone, local: bigint): number {
  const utc = localToUtc(zone, local);
  return Number((utc - local) / USECS_PER_SEC);
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + String(n);

/** EncodeTimezone: +HH, +HH:MM or +HH:MM:SS east of UTC. */
function encodeZone(west: number): string {
  const east = -west;
  const sign = east >= 0 ? '+' : '-';
  let rest = Math.abs(east);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  return `${sign}${pad2(h)}${m !== 0 || s !== 0 ? ':' + pad2(m) : ''}${s !== 0 ? ':' + pad2(s) : ''}`;
}

export function timetzIn(text: string, typmod = -1): TimeTz {
  const bad = (): never => ereport(SQLSTATE.invalid_datetime_format, `invalid input syntax for type time with time zone: "${text}"`);
  if (text.trim().toLowerCase() === 'allballs') return make(0n, 0);
  const d = decodeDateTime(text, 'time with time zone');
  let time: bigint;
  let day: number;
  if (d.special === 'now') {
    const now = currentTimestamp();
    const local = timestamptzToLocal(now);
    time = floorMod(local, USECS_PER_DAY);
    day = localDay(now);
  } else if (d.special !== null) {
    return bad();
  } else {
    const tm = d.tm;
    time = BigInt(tm.hour) * USECS_PER_HOUR + BigInt(tm.minute) * USECS_PER_MINUTE + BigInt(tm.second) * USECS_PER_SEC + BigInt(tm.fsec);
    if (time > USECS_PER_DAY) ereport(SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${text}"`);
    day = d.hasDate ? date2days(tm.year, tm.month, tm.day) : localDay(currentTimestamp());
  }
  let zone: number;
  if (typeof d.zone === 'number') {
    zone = -d.zone;
  } else if (d.zone !== null) {
    // A full zone name's offset depends on the date (DST): without one the text means nothing.
    if (d.zone.name.includes('/') && !d.hasDate) bad();
    zone = zoneOffsetAtLocal(d.zone, BigInt(day) * USECS_PER_DAY + time);
  } else {
    zone = zoneOffsetAtLocal(getSessionTimeZone(), BigInt(day) * USECS_PER_DAY + time);
  }
  return make(adjustTimeForTypmod(time, typmod), zone);
}

export function timetzOut(v: TimeTz): string {
  return timeOut(v.time) + encodeZone(v.zone);
}

/** timetz_cmp_internal: the UTC instant first, then the zone. */
export function timetzCmp(a: TimeTz, b: TimeTz): number {
  const ua = a.time + BigInt(a.zone) * USECS_PER_SEC;
  const ub = b.time + BigInt(b.zone) * USECS_PER_SEC;
  if (ua !== ub) return ua < ub ? -1 : 1;
  return a.zone === b.zone ? 0 : a.zone > b.zone ? 1 : -1;
}

export const timetzType: TypeInfo = {
  oid: TIMETZOID,
  name: 'timetz',
  typlen: 12,
  typbyval: false,
  typalign: 'd',
  typstorage: 'p',
  typcategory: 'D',
  input: (text, typmod) => timetzIn(text, typmod),
  output: (v) => timetzOut(tz(v)),
  writeFixed: (view, off, v) => {
    view.setBigInt64(off, tz(v).time, true);
    view.setInt32(off + 8, tz(v).zone, true);
  },
  readFixed: (view, off) => make(view.getBigInt64(off, true), view.getInt32(off + 8, true)),
  compare: (a, b) => timetzCmp(tz(a), tz(b)),
  applyTypmod: (v, typmod) => make(adjustTimeForTypmod(tz(v).time, typmod), tz(v).zone),
};

/* ------------------------------------------------------------- casts */

/** timestamptz_timetz: the session-local time of day and the session zone's offset at that instant; NULL if infinite. */
export function timetzFromTimestamptz(ts: bigint): TimeTz | null {
  if (!isTimestampFinite(ts)) return null;
  const local = timestamptzToLocal(ts);
  return make(floorMod(local, USECS_PER_DAY), Number((ts - local) / USECS_PER_SEC));
}

/** time_timetz: the session zone's offset on the current date at that time of day. */
function timeToTimetz(t: bigint): TimeTz {
  const day = localDay(currentTimestamp());
  return make(t, zoneOffsetAtLocal(getSessionTimeZone(), BigInt(day) * USECS_PER_DAY + t));
}

/** datetimetz_timestamptz: date + timetz as an instant. */
function dateTimetzTimestamptz(d: number, t: TimeTz): bigint {
  if (d === DATEVAL_NOBEGIN) return DT_NOBEGIN;
  if (d === DATEVAL_NOEND) return DT_NOEND;
  if (d >= TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE) timestampOutOfRange();
  const ts = BigInt(d) * USECS_PER_DAY + t.time + BigInt(t.zone) * USECS_PER_SEC;
  if (!isValidTimestamp(ts)) timestampOutOfRange();
  return ts;
}

/* ------------------------------------------------------- AT TIME ZONE */

/** The value shown in another zone (west offset `zone`): same instant, time wrapped around midnight. */
function shiftZone(t: TimeTz, zone: number): TimeTz {
  return make(floorMod(t.time + BigInt(t.zone - zone) * USECS_PER_SEC, USECS_PER_DAY), zone);
}

/* ------------------------------------------------------------- extract */

const TZ_UNITS: ReadonlyMap<string, string> = new Map([
  ['timezone', 'timezone'], ['timezone_hour', 'timezone_hour'], ['timezone_h', 'timezone_hour'],
  ['timezone_minute', 'timezone_minute'], ['timezone_m', 'timezone_minute'],
]);

/** extract(unit FROM timetz) as numeric text (timetz_part_common with retnumeric). */
export function extractTimetz(unitText: string, t: TimeTz): string {
  const lower = unitText.toLowerCase();
  const east = -t.zone;
  switch (TZ_UNITS.get(lower)) {
    case 'timezone': return String(east);
    case 'timezone_hour': return String(Math.trunc(east / 3600));
    case 'timezone_minute': return String(Math.trunc(east / 60) % 60);
    default:
      break;
  }
  if (lower === 'epoch') return decimalToText({ special: null, coef: t.time + BigInt(t.zone) * USECS_PER_SEC, scale: 6 });
  return extractTime(unitText, t.time, 'time with time zone');
}

const iv = (v: unknown): Interval => v as Interval;

/** in_range_timetz_interval: base +/- the offset's time part, not wrapped around midnight, compared as timetz. */
function inRangeTimetzInterval(val: unknown, base: unknown, offset: unknown, sub: boolean, less: boolean): boolean {
  const o = iv(offset);
  if (intervalSpan(o) < 0n) ereport('22013', 'invalid preceding or following size in window function');
  const sum = make(sub ? tz(base).time - o.micros : tz(base).time + o.micros, tz(base).zone);
  const c = timetzCmp(tz(val), sum);
  return less ? c <= 0 : c >= 0;
}
registerInRange(TIMETZOID, inRangeTimetzInterval);

export const TIMETZ_FUNCS: ImplTable = {
  timetz_pl_interval: fixed((a) => make(timePlInterval(tz(a[0]).time, iv(a[1])), tz(a[0]).zone)),
  timetz_mi_interval: fixed((a) => make(timeMiInterval(tz(a[0]).time, iv(a[1])), tz(a[0]).zone)),
  'sql:interval_pl_timetz(1186,1266)': fixed((a) => make(timePlInterval(tz(a[1]).time, iv(a[0])), tz(a[1]).zone)),
  timetz_larger: fixed((a) => (timetzCmp(tz(a[0]), tz(a[1])) > 0 ? a[0] : a[1])),
  timetz_smaller: fixed((a) => (timetzCmp(tz(a[0]), tz(a[1])) < 0 ? a[0] : a[1])),
  timetz_scale: fixed((a) => make(adjustTimeForTypmod(tz(a[0]).time, a[1] as number), tz(a[0]).zone)),
  timetz_time: fixed((a) => tz(a[0]).time),
  time_timetz: fixed((a) => timeToTimetz(big(a[0]))),
  timestamptz_timetz: fixed((a) => timetzFromTimestamptz(big(a[0]))),
  datetimetz_timestamptz: fixed((a) => dateTimetzTimestamptz(a[0] as number, tz(a[1]))),
  'sql:timetzdate_pl(1266,1082)': fixed((a) => dateTimetzTimestamptz(a[1] as number, tz(a[0]))),
  timetz_zone: fixed((a, ctx) => {
    const zone = zoneOf(a[0] as string);
    return shiftZone(tz(a[1]), -zone.utcOffsetAt(ctx.transactionTimestamp()));
  }),
  timetz_izone: fixed((a) => shiftZone(tz(a[1]), -Number(intervalZoneMicros(iv(a[0])) / USECS_PER_SEC))),
  timetz_at_local: fixed((a, ctx) => shiftZone(tz(a[0]), -getSessionTimeZone().utcOffsetAt(ctx.transactionTimestamp()))),
  extract_timetz: fixed((a) => extractTimetz(a[0] as string, tz(a[1]))),
  timetz_part: fixed((a) => Number(extractTimetz(a[0] as string, tz(a[1])))),
};
