/*
 * interval.ts — interval: a span of months, days and microseconds.
 *
 * Exports:
 *   intervalType                  the TypeInfo
 *   intervalIn(text, typmod)      PostgreSQL verbose and ISO 8601 input
 *   intervalOut(iv)               IntervalStyle 'postgres' output
 *   intervalCmp                   btree order (months as 30 days, days as 24 hours)
 *   INTERVAL_INFINITY, INTERVAL_NEG_INFINITY, isIntervalFinite, makeInterval
 *
 * Arithmetic (+, -, *, /, justify_*) is in intervalarith.ts.
 *
 * Datum form: {months, days, micros: bigint}. The three parts are kept
 * apart because they do not convert into each other exactly: a month is 28
 * to 31 days and a day is 23 to 25 hours across daylight-saving changes. On
 * disk (16 bytes, typalign 'd'):
 *
 *    0        8      12     16
 *   +--------+------+------+
 *   | micros | days |months|   int64, int32, int32, little-endian
 *   +--------+------+------+
 *
 * +infinity is every field at its maximum, -infinity every field at its
 * minimum (PostgreSQL 17+).
 *
 * Input. Verbose form: "[@] quantity unit [quantity unit ...] [ago]" where
 * units are microsecond .. millennium with their abbreviations, and a bare
 * time "[-]H:M[:S.f]" may stand in for hours, minutes and seconds; a bare
 * number before a time is days and a lone number is seconds. Each unit may
 * appear once. A fractional quantity spills into smaller units the way
 * PostgreSQL spills it: fractions of years become whole months (rounded),
 * fractions of months become days at 30 days per month, fractions of days
 * become time. "ago" negates everything. ISO 8601: "P1Y2M3DT4H5M6S",
 * "P1W", and the alternative form "P0001-02-03T04:05:06".
 */

import type { Interval, TypeInfo } from './datum.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { asInterval } from './datumutils.ts';
import { rint } from './float.ts';
import { encodeSeconds } from './datetime.ts';

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const USECS_PER_SEC = 1_000_000;
const USECS_PER_DAY = 86_400_000_000n;
const SECS_PER_DAY = 86400;
/** An interval month counts as 30 days wherever months and days must be compared. */
export const DAYS_PER_MONTH = 30;
const MONTHS_PER_YEAR = 12;
/** Default and largest interval(p) precision. */
const MAX_INTERVAL_PRECISION = 6;
const INTERVAL_FULL_PRECISION = 0xffff;
const INTERVAL_FIELD_OVERFLOW = '22015';

export const INTERVAL_INFINITY: Interval = { months: INT32_MAX, days: INT32_MAX, micros: INT64_MAX };
export const INTERVAL_NEG_INFINITY: Interval = { months: INT32_MIN, days: INT32_MIN, micros: INT64_MIN };

export const isIntervalPosInfinity = (iv: Interval): boolean =>
  iv.months === INT32_MAX && iv.days === INT32_MAX && iv.micros === INT64_MAX;
export const isIntervalNegInfinity = (iv: Interval): boolean =>
  iv.months === INT32_MIN && iv.days === INT32_MIN && iv.micros === INT64_MIN;
export const isIntervalFinite = (iv: Interval): boolean => !isIntervalPosInfinity(iv) && !isIntervalNegInfinity(iv);

export function intervalOutOfRange(): never {
  return ereport(SQLSTATE.datetime_field_overflow, 'interval out of range');
}

/** A finite interval from parts, range-checked. */
export function makeInterval(months: number, days: number, micros: bigint): Interval {
  if (months < INT32_MIN || months > INT32_MAX || days < INT32_MIN || days > INT32_MAX) intervalOutOfRange();
  if (micros < INT64_MIN || micros > INT64_MAX) intervalOutOfRange();
  const iv = { months: months + 0, days: days + 0, micros };
  if (!isIntervalFinite(iv)) intervalOutOfRange();
  return iv;
}

/* ----------------------------------------------------------------- input */

class IntervalSyntax {}
const SYNTAX = new IntervalSyntax();
class FieldOverflow {}
const FIELD_OVERFLOW = new FieldOverflow();

type Unit = 'us' | 'ms' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year' | 'decade' | 'century' | 'millennium';

const UNITS: ReadonlyMap<string, Unit> = new Map<string, Unit>([
  ...['us', 'usec', 'usecs', 'useconds', 'microsecon', 'microsecond', 'microseconds'].map((w) => [w, 'us'] as [string, Unit]),
  ...['ms', 'msec', 'msecs', 'mseconds', 'millisecon', 'millisecond', 'milliseconds'].map((w) => [w, 'ms'] as [string, Unit]),
  ...['s', 'sec', 'secs', 'second', 'seconds'].map((w) => [w, 'second'] as [string, Unit]),
  ...['m', 'min', 'mins', 'minute', 'minutes'].map((w) => [w, 'minute'] as [string, Unit]),
  ...['h', 'hr', 'hrs', 'hour', 'hours'].map((w) => [w, 'hour'] as [string, Unit]),
  ...['d', 'day', 'days'].map((w) => [w, 'day'] as [string, Unit]),
  ...['w', 'week', 'weeks'].map((w) => [w, 'week'] as [string, Unit]),
  ...['mon', 'mons', 'month', 'months'].map((w) => [w, 'month'] as [string, Unit]),
  ...['y', 'yr', 'yrs', 'year', 'years'].map((w) => [w, 'year'] as [string, Unit]),
  ...['dec', 'decs', 'decade', 'decades'].map((w) => [w, 'decade'] as [string, Unit]),
  ...['c', 'cent', 'century', 'centuries'].map((w) => [w, 'century'] as [string, Unit]),
  ...['mil', 'mils', 'millennium', 'millennia', 'millenniums'].map((w) => [w, 'millennium'] as [string, Unit]),
]);

/** Field bits, as DecodeInterval's fmask: each may be set once. */
const BIT: Record<Unit, number> = {
  us: 1, ms: 2, second: 4, minute: 8, hour: 16, day: 32, week: 64,
  month: 128, year: 256, decade: 512, century: 1024, millennium: 2048,
};
const ALL_SECS = BIT.second | BIT.ms | BIT.us;
const TIME_BITS = BIT.hour | BIT.minute | ALL_SECS;

/** Running totals while decoding; micros is exact. */
interface Acc {
  months: number;
  days: number;
  micros: bigint;
}

/**
 * A signed decimal quantity split as PostgreSQL splits it: an int64 integer
 * part and the fraction as a double. A sign must be followed by a digit.
 */
interface Quantity {
  int: bigint;
  frac: number;
}

function parseQuantity(text: string): Quantity {
  const m = /^(?:([+-]?)(\d+)|())(?:\.(\d*))?$/.exec(text);
  if (m === null || (m[2] === undefined && (m[4] === undefined || m[4] === ''))) throw SYNTAX;
  const neg = m[1] === '-';
  const int = m[2] === undefined ? 0n : BigInt(m[2]);
  if (int > (neg ? -INT64_MIN : INT64_MAX)) throw FIELD_OVERFLOW;
  const frac = m[4] === undefined || m[4] === '' ? 0 : Number('0.' + m[4]);
  return { int: neg ? -int : int, frac: neg ? -frac : frac };
}

/**
 * Microseconds in `frac` (|frac| < 1) of a unit of `scale` microseconds:
 * the whole microseconds, plus the leftover fraction rounded half to even
 * (AdjustFractMicroseconds), so 1.5 us gives 1 us.
 */
function fracMicros(frac: number, scale: number): bigint {
  if (frac === 0) return 0n;
  const x = frac * scale;
  const whole = Math.trunc(x);
  return BigInt(whole + rint(x - whole));
}

function int32Part(v: bigint): number {
  if (v > BigInt(INT32_MAX) || v < BigInt(INT32_MIN)) throw FIELD_OVERFLOW;
  return Number(v);
}

function addMicros(acc: Acc, micros: bigint): void {
  acc.micros += micros;
  if (acc.micros > INT64_MAX || acc.micros < INT64_MIN) throw FIELD_OVERFLOW;
}

function addDays(acc: Acc, days: number): void {
  acc.days += days;
  if (acc.days > INT32_MAX || acc.days < INT32_MIN) throw FIELD_OVERFLOW;
}

/** A fraction of `daysPer` days: whole days, and the rest as time (AdjustFractDays). */
function addFractionalDays(acc: Acc, frac: number, daysPer: number): void {
  if (frac === 0) return;
  const extra = frac * daysPer;
  const whole = Math.trunc(extra);
  addDays(acc, whole);
  addMicros(acc, fracMicros(extra - whole, SECS_PER_DAY * USECS_PER_SEC));
}

/** Months in a number of years (and a fraction of one), rounded to whole months. */
function addYears(acc: Acc, q: Quantity, yearsPer: number): void {
  const months = int32Part(q.int) * yearsPer * MONTHS_PER_YEAR + rint(q.frac * yearsPer * MONTHS_PER_YEAR);
  acc.months += months;
}

/** Time units: the whole part exactly, the fraction through fracMicros. */
function addTimeUnit(acc: Acc, q: Quantity, usecsPerUnit: number): void {
  addMicros(acc, q.int * BigInt(usecsPerUnit) + fracMicros(q.frac, usecsPerUnit));
}

function addUnit(acc: Acc, q: Quantity, unit: Unit): void {
  switch (unit) {
    case 'us':
      addTimeUnit(acc, q, 1);
      break;
    case 'ms':
      addTimeUnit(acc, q, 1000);
      break;
    case 'second':
      addTimeUnit(acc, q, USECS_PER_SEC);
      break;
    case 'minute':
      addTimeUnit(acc, q, 60 * USECS_PER_SEC);
      break;
    case 'hour':
      addTimeUnit(acc, q, 3600 * USECS_PER_SEC);
      break;
    case 'day':
      addDays(acc, int32Part(q.int));
      addMicros(acc, fracMicros(q.frac, SECS_PER_DAY * USECS_PER_SEC));
      break;
    case 'week':
      addDays(acc, int32Part(q.int) * 7);
      addFractionalDays(acc, q.frac, 7);
      break;
    case 'month':
      acc.months += int32Part(q.int);
      addFractionalDays(acc, q.frac, DAYS_PER_MONTH);
      break;
    case 'year':
      addYears(acc, q, 1);
      break;
    case 'decade':
      addYears(acc, q, 10);
      break;
    case 'century':
      addYears(acc, q, 100);
      break;
    case 'millennium':
      addYears(acc, q, 1000);
      break;
  }
}

/** "[+-]H:M[:S[.f]]", or "M:S.f" when the second part has a fraction. */
function addTimeField(acc: Acc, text: string): void {
  const m = /^([+-]?)(\d+):(\d+)(?::(\d+))?(?:\.(\d*))?$/.exec(text);
  if (m === null) throw SYNTAX;
  const neg = m[1] === '-';
  let minutes: number;
  let seconds: number;
  if (m[4] === undefined && m[5] !== undefined) {
    minutes = Number(m[2]);
    seconds = Number(m[3]);
  } else {
    minutes = Number(m[3]);
    seconds = m[4] === undefined ? 0 : Number(m[4]);
  }
  if (minutes > 59 || seconds > 59) throw FIELD_OVERFLOW;
  const frac = m[5] === undefined || m[5] === '' ? 0 : Number('0.' + m[5]);
  const hourDigits = m[4] === undefined && m[5] !== undefined ? '0' : m[2];
  let micros =
    BigInt(hourDigits) * 3_600_000_000n + BigInt(minutes * 60 + seconds) * 1_000_000n + BigInt(rint(frac * USECS_PER_SEC));
  if (micros > INT64_MAX + (neg ? 1n : 0n)) throw FIELD_OVERFLOW;
  if (neg) micros = -micros;
  addMicros(acc, micros);
}

/** Splits "1day", "5mins", "-1.5hours" into number and word, and separates tokens. */
function tokenizeVerbose(s: string): string[] {
  const out: string[] = [];
  for (const raw of s.split(/[ \t\n\r\v\f]+/)) {
    if (raw === '') continue;
    const m = /^([+-]?[\d.:]+)([a-z]+)$/.exec(raw);
    if (m !== null) out.push(m[1], m[2]);
    else out.push(raw);
  }
  return out;
}

function decodeVerbose(s: string): Acc {
  const acc: Acc = { months: 0, days: 0, micros: 0n };
  // '@' is PostgreSQL's old verbose marker; it may stand anywhere and means nothing.
  const tokens = tokenizeVerbose(s.replaceAll('@', ' '));
  if (tokens.length === 0) throw SYNTAX;
  let mask = 0;
  const claim = (bits: number): void => {
    if (mask & bits) throw SYNTAX;
    mask |= bits;
  };
  let ago = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === 'ago') {
      if (i !== tokens.length - 1 || i === 0) throw SYNTAX;
      ago = true;
      continue;
    }
    if (t.includes(':')) {
      claim(TIME_BITS);
      addTimeField(acc, t);
      continue;
    }
    if (t === '-' || t === '+') {
      // "- 1 day": a detached sign belongs to the next number.
      const next = tokens[i + 1];
      if (next === undefined || !/^[\d.]/.test(next)) throw SYNTAX;
      tokens[i + 1] = t + next;
      continue;
    }
    if (!/^[+-]?[\d.]/.test(t)) throw SYNTAX;
    const q = parseQuantity(t);
    const next = tokens[i + 1];
    const unit = next === undefined ? undefined : UNITS.get(next);
    if (unit !== undefined) {
      let bits = BIT[unit];
      if (q.frac !== 0 && unit === 'second') bits |= BIT.ms | BIT.us;
      if (q.frac !== 0 && unit === 'ms') bits |= BIT.us;
      claim(bits);
      addUnit(acc, q, unit);
      i++;
    } else if (next !== undefined && next.includes(':')) {
      claim(BIT.day);
      addUnit(acc, q, 'day');
    } else if (next === undefined) {
      claim(q.frac !== 0 ? ALL_SECS : BIT.second);
      addUnit(acc, q, 'second');
    } else {
      throw SYNTAX;
    }
  }
  if (ago) {
    acc.months = -acc.months;
    acc.days = -acc.days;
    acc.micros = -acc.micros;
  }
  return acc;
}

/** ISO 8601 durations: designators (P1Y2M3DT4H5M6S) or the alternative form (P0001-02-03T04:05:06). */
function decodeIso(s: string): Acc {
  const acc: Acc = { months: 0, days: 0, micros: 0n };
  const alt = /^P(\d+)(?:-(\d+)(?:-(\d+))?)?(?:T(\d+):(\d+)(?::(\d+(?:\.\d*)?))?)?$/.exec(s);
  if (alt !== null && !/[YMWDHS]/.test(s.slice(1))) {
    addUnit(acc, parseQuantity(alt[1]), 'year');
    if (alt[2] !== undefined) addUnit(acc, parseQuantity(alt[2]), 'month');
    if (alt[3] !== undefined) addUnit(acc, parseQuantity(alt[3]), 'day');
    if (alt[4] !== undefined) {
      addUnit(acc, parseQuantity(alt[4]), 'hour');
      addUnit(acc, parseQuantity(alt[5]), 'minute');
      if (alt[6] !== undefined) addUnit(acc, parseQuantity(alt[6]), 'second');
    }
    return acc;
  }
  let timePart = false;
  let i = 1;
  if (s.length === 1) throw SYNTAX;
  while (i < s.length) {
    if (s[i] === 'T') {
      if (timePart) throw SYNTAX;
      timePart = true;
      i++;
      // The time may also be written as a clock time: PT04:05, P1DT04:05:06.
      const clock = /^(\d+):(\d+)(?::(\d+(?:\.\d*)?))?$/.exec(s.slice(i));
      if (clock !== null) {
        addUnit(acc, parseQuantity(clock[1]), 'hour');
        addUnit(acc, parseQuantity(clock[2]), 'minute');
        if (clock[3] !== undefined) addUnit(acc, parseQuantity(clock[3]), 'second');
        return acc;
      }
      continue;
    }
    const m = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)/.exec(s.slice(i));
    if (m === null) throw SYNTAX;
    i += m[0].length;
    const designator = s[i++];
    const q = parseQuantity(m[0]);
    const unit: Unit | undefined = timePart
      ? ({ H: 'hour', M: 'minute', S: 'second' } as Record<string, Unit>)[designator]
      : ({ Y: 'year', M: 'month', W: 'week', D: 'day' } as Record<string, Unit>)[designator];
    if (unit === undefined) throw SYNTAX;
    addUnit(acc, q, unit);
  }
  return acc;
}

/** Rounds the time part to interval(p)'s precision, half away from zero. */
function roundToPrecision(iv: Interval, typmod: number): Interval {
  if (typmod < 0) return iv;
  const precision = typmod & 0xffff;
  if (precision === INTERVAL_FULL_PRECISION || precision >= MAX_INTERVAL_PRECISION) return iv;
  const scale = 10n ** BigInt(MAX_INTERVAL_PRECISION - precision);
  const half = scale / 2n;
  const t = iv.micros;
  const micros = t >= 0n ? ((t + half) / scale) * scale : -(((-t + half) / scale) * scale);
  return { ...iv, micros };
}

export function intervalIn(text: string, typmod = -1): Interval {
  const trimmed = text.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '');
  const lower = trimmed.toLowerCase();
  if (lower === 'infinity' || lower === '+infinity') return INTERVAL_INFINITY;
  if (lower === '-infinity') return INTERVAL_NEG_INFINITY;
  let acc: Acc;
  try {
    acc = trimmed.startsWith('P') ? decodeIso(trimmed) : decodeVerbose(lower);
  } catch (e) {
    if (e instanceof FieldOverflow) {
      ereport(INTERVAL_FIELD_OVERFLOW, `interval field value out of range: "${text}"`);
    }
    if (e instanceof IntervalSyntax) {
      ereport(SQLSTATE.invalid_datetime_format, `invalid input syntax for type interval: "${text}"`);
    }
    throw e;
  }
  // Spelling out the fields of an infinity is not a way to write one.
  if (!isIntervalFinite(acc)) {
    ereport(SQLSTATE.invalid_datetime_format, `invalid input syntax for type interval: "${text}"`);
  }
  return roundToPrecision(makeInterval(acc.months, acc.days, acc.micros), typmod);
}

/* ---------------------------------------------------------------- output */

function pad2(n: bigint): string {
  return n < 10n ? '0' + n : n.toString();
}

/**
 * IntervalStyle 'postgres': "1 year 2 mons 3 days 04:05:06". A part after a
 * negative part carries an explicit "+"; the time carries its own sign.
 */
export function intervalOut(iv: Interval): string {
  if (isIntervalPosInfinity(iv)) return 'infinity';
  if (isIntervalNegInfinity(iv)) return '-infinity';
  const year = Math.trunc(iv.months / MONTHS_PER_YEAR);
  const mon = (iv.months % MONTHS_PER_YEAR) + 0;
  const parts: string[] = [];
  let previousNegative = false;
  const addPart = (value: number, unit: string): void => {
    if (value === 0) return;
    const sign = previousNegative && value > 0 ? '+' : '';
    parts.push(`${sign}${value} ${unit}${value !== 1 ? 's' : ''}`);
    previousNegative = value < 0;
  };
  addPart(year, 'year');
  addPart(mon, 'mon');
  addPart(iv.days, 'day');
  if (parts.length === 0 || iv.micros !== 0n) {
    const neg = iv.micros < 0n;
    const t = neg ? -iv.micros : iv.micros;
    const hours = t / 3_600_000_000n;
    const minutes = (t / 60_000_000n) % 60n;
    const seconds = Number((t / 1_000_000n) % 60n);
    const fsec = Number(t % 1_000_000n);
    const sign = neg ? '-' : previousNegative ? '+' : '';
    parts.push(`${sign}${pad2(hours)}:${pad2(minutes)}:${encodeSeconds(seconds, fsec)}`);
  }
  return parts.join(' ');
}

/* ------------------------------------------------------------ comparison */

/** The interval as one number of microseconds, months as 30 days (interval_cmp_value). */
export function intervalSpan(iv: Interval): bigint {
  return (BigInt(iv.months) * BigInt(DAYS_PER_MONTH) + BigInt(iv.days)) * USECS_PER_DAY + iv.micros;
}

export function intervalCmp(a: Interval, b: Interval): number {
  const x = intervalSpan(a);
  const y = intervalSpan(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const intervalType: TypeInfo = {
  oid: 1186,
  name: 'interval',
  typlen: 16,
  typbyval: false,
  typalign: 'd',
  typstorage: 'p',
  typcategory: 'T',
  input: (text, typmod) => intervalIn(text, typmod),
  output: (v) => intervalOut(asInterval(v)),
  writeFixed: (view, off, v) => {
    const iv = asInterval(v);
    view.setBigInt64(off, iv.micros, true);
    view.setInt32(off + 8, iv.days, true);
    view.setInt32(off + 12, iv.months, true);
  },
  readFixed: (view, off) => ({
    micros: view.getBigInt64(off, true),
    days: view.getInt32(off + 8, true),
    months: view.getInt32(off + 12, true),
  }),
  compare: (a, b) => intervalCmp(asInterval(a), asInterval(b)),
  applyTypmod: (v, typmod) => roundToPrecision(asInterval(v), typmod),
};
