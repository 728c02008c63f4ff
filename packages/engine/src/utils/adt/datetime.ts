/*
 * datetime.ts — the calendar, and date/time text shared by date, timestamp
 * and timestamptz (PostgreSQL's datetime.c role).
 *
 * Exports:
 *   constants        POSTGRES_EPOCH_JDATE, USECS_PER_*, DATEVAL_NOBEGIN/NOEND,
 *                    DT_NOBEGIN/NOEND, MIN/END_DATE, MIN/END_TIMESTAMP
 *   date2days, days2date, daysInMonth, isLeapYear
 *                    proleptic Gregorian calendar, days since 2000-01-01
 *   Tm, timestampToTm, tmToTimestamp, floorDiv
 *   decodeDateTime(text, typeName)   input text -> fields, zone, or special
 *   encodeDate, encodeTimestamp      ISO DateStyle output
 *   currentTimestamp, setCurrentTimestampSource   what 'now' means
 *
 * Years are astronomical inside: 1 BC is year 0, 2 BC is -1. Text shows
 * them as PostgreSQL does, "0001-01-01 BC" for year 0.
 *
 * Input is a tokenizer plus a decoder, after PostgreSQL's ParseDateTime and
 * DecodeDateTime but smaller: it accepts ISO 8601 ("2024-01-15 13:45:00.5",
 * "2024-01-15T13:45:00Z"), month names ("Jan 15 2024", "15 January 2024"),
 * M/D/Y (DateStyle MDY, PostgreSQL's default), YYYYMMDD, YYYY-DDD, Julian
 * "J2451545", AM/PM, BC/AD, zones as offsets (+02, -05:30, +0530),
 * abbreviations (UTC, EST) or IANA names, and the special words epoch,
 * infinity, -infinity, now, today, tomorrow, yesterday, allballs.
 * Errors are PostgreSQL's: 22007 for text it cannot read, 22008 for fields
 * out of range, 22009 for an offset of 16 hours or more, 22023 for an
 * unknown zone name.
 */

import { SQLSTATE, ereport } from '../errors.ts';
import { lookupTimeZone, timeZoneNotRecognized, type TimeZone } from './timezone.ts';

export const POSTGRES_EPOCH_JDATE = 2451545;
export const UNIX_EPOCH_JDATE = 2440588;
export const SECS_PER_DAY = 86400;
export const USECS_PER_SEC = 1_000_000n;
export const USECS_PER_MINUTE = 60_000_000n;
export const USECS_PER_HOUR = 3_600_000_000n;
export const USECS_PER_DAY = 86_400_000_000n;

/** date's -infinity and infinity (the int32 extremes). */
export const DATEVAL_NOBEGIN = -2147483648;
export const DATEVAL_NOEND = 2147483647;
/** timestamp's -infinity and infinity (the int64 extremes). */
export const DT_NOBEGIN = -9223372036854775808n;
export const DT_NOEND = 9223372036854775807n;

/** Julian day 0 is 4714-11-24 BC, the first day PostgreSQL accepts. */
export const DATETIME_MIN_JULIAN = 0;
/** First Julian day past the date range: 5874898-01-01. */
export const DATE_END_JULIAN = 2147483494;
/** First Julian day past the timestamp range: 294277-01-01. */
export const TIMESTAMP_END_JULIAN = 109203528;

export const MIN_DATE = DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE;
export const END_DATE = DATE_END_JULIAN - POSTGRES_EPOCH_JDATE;
export const MIN_TIMESTAMP = BigInt(MIN_DATE) * USECS_PER_DAY;
export const END_TIMESTAMP = BigInt(TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY;
/** Days from 0000-03-01 to 2000-01-01, the shift between the civil algorithm's epoch and ours. */
const CIVIL_EPOCH_SHIFT = 730425;
/** PostgreSQL refuses zone displacements of this many hours or more. */
const MAX_TZDISP_HOUR = 15;

/* ------------------------------------------------------------- calendar */

export const isLeapYear = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export const daysInMonth = (y: number, m: number): number => (m === 2 && isLeapYear(y) ? 29 : MONTH_DAYS[m - 1]);

/**
 * Days since 2000-01-01 of a proleptic Gregorian date. The year is counted
 * from March so the leap day falls last; 400-year eras repeat exactly.
 */
export function date2days(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - CIVIL_EPOCH_SHIFT;
}

export function days2date(days: number): { year: number; month: number; day: number } {
  const z = days + CIVIL_EPOCH_SHIFT;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** Broken-down time. year is astronomical; fsec is microseconds. */
export interface Tm {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fsec: number;
}

export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

export function timestampToTm(ts: bigint): Tm {
  const days = floorDiv(ts, USECS_PER_DAY);
  let time = Number(ts - days * USECS_PER_DAY);
  const { year, month, day } = days2date(Number(days));
  const fsec = time % 1_000_000;
  time = (time - fsec) / 1_000_000;
  return { year, month, day, hour: Math.floor(time / 3600), minute: Math.floor(time / 60) % 60, second: time % 60, fsec };
}

export function tmToTimestamp(tm: Tm): bigint {
  const time = (tm.hour * 3600 + tm.minute * 60 + tm.second) * 1_000_000 + tm.fsec;
  return BigInt(date2days(tm.year, tm.month, tm.day)) * USECS_PER_DAY + BigInt(time);
}

/* ----------------------------------------------------------- 'now' */

const POSTGRES_EPOCH_MS = 946_684_800_000;
let nowSource: () => bigint = () => BigInt(Date.now() - POSTGRES_EPOCH_MS) * 1000n;

/** The transaction layer pins 'now' to the transaction start, as PostgreSQL does. */
export function setCurrentTimestampSource(source: () => bigint): void {
  nowSource = source;
}

export const currentTimestamp = (): bigint => nowSource();

/* ------------------------------------------------------------ output */

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function yearText(year: number): { text: string; bc: boolean } {
  const bc = year <= 0;
  return { text: String(bc ? 1 - year : year).padStart(4, '0'), bc };
}

export function encodeDate(year: number, month: number, day: number): string {
  const y = yearText(year);
  return `${y.text}-${pad2(month)}-${pad2(day)}${y.bc ? ' BC' : ''}`;
}

/** Seconds with the fraction PostgreSQL shows: up to six digits, trailing zeros cut. */
export function encodeSeconds(second: number, fsec: number): string {
  if (fsec === 0) return pad2(second);
  return pad2(second) + '.' + String(fsec).padStart(6, '0').replace(/0+$/, '');
}

/** ISO timestamp text; `zone` is the offset text for timestamptz, or null. */
export function encodeTimestamp(tm: Tm, zone: string | null): string {
  const y = yearText(tm.year);
  return (
    `${y.text}-${pad2(tm.month)}-${pad2(tm.day)} ${pad2(tm.hour)}:${pad2(tm.minute)}:${encodeSeconds(tm.second, tm.fsec)}` +
    `${zone ?? ''}${y.bc ? ' BC' : ''}`
  );
}

/* ------------------------------------------------------------- input */

export type DateTimeSpecial = 'epoch' | 'infinity' | '-infinity' | 'now';
export type RelativeDay = 'today' | 'tomorrow' | 'yesterday';

export interface DecodedDateTime {
  special: DateTimeSpecial | null;
  /** Set when the text named a day relative to today; tm's date is then unset (0). */
  relativeDay: RelativeDay | null;
  tm: Tm;
  hasDate: boolean;
  /** An explicit zone: a fixed offset (seconds east) or a named zone; null for none. */
  zone: number | TimeZone | null;
}

type TokenKind = 'number' | 'date' | 'time' | 'tz' | 'word' | 'julian';
interface Token {
  kind: TokenKind;
  text: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const FULL_MONTHS = [
  'january', 'february', 'march', 'april', 'may', 'june',
  'july', 'august', 'september', 'october', 'november', 'december',
];
const DAY_NAMES = new Set([
  'sun', 'mon', 'tue', 'tues', 'wed', 'wednes', 'thu', 'thur', 'thurs', 'fri', 'sat',
  'sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday',
]);

function monthNumber(word: string): number {
  let i = MONTHS.indexOf(word);
  if (i < 0) i = FULL_MONTHS.indexOf(word);
  if (i < 0 && word === 'sept') i = 8;
  return i + 1;
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => c >= 'a' && c <= 'z';

/** Splits lower-cased input into fields, as ParseDateTime does; null on stray characters. */
function tokenize(s: string): Token[] | null {
  const out: Token[] = [];
  let i = 0;
  const n = s.length;
  const take = (ok: (c: string, j: number) => boolean): string => {
    const start = i;
    while (i < n && ok(s[i], i)) i++;
    return s.slice(start, i);
  };
  while (i < n) {
    const c = s[i];
    if (c === ' ' || c === ',' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f') {
      i++;
    } else if (isDigit(c)) {
      const start = i;
      take(isDigit);
      const next = s[i] ?? '';
      if (next === ':') {
        take((ch) => isDigit(ch) || ch === ':' || ch === '.');
        out.push({ kind: 'time', text: s.slice(start, i) });
      } else if (next === '.' && /^\.\d*(?![\d.\-/])/.test(s.slice(i))) {
        i++;
        take(isDigit);
        out.push({ kind: 'number', text: s.slice(start, i) });
      } else if (next === '-' || next === '/' || next === '.') {
        // A date, possibly with a month name inside; an ISO 'T' ends it.
        take((ch, j) => isDigit(ch) || ch === '-' || ch === '/' || ch === '.' ||
          (isAlpha(ch) && !(ch === 't' && isDigit(s[j - 1]) && isDigit(s[j + 1] ?? ''))));
        out.push({ kind: 'date', text: s.slice(start, i) });
      } else {
        out.push({ kind: 'number', text: s.slice(start, i) });
      }
    } else if (c === '.' && isDigit(s[i + 1] ?? '')) {
      const start = i++;
      take(isDigit);
      out.push({ kind: 'number', text: s.slice(start, i) });
    } else if (isAlpha(c)) {
      const start = i;
      take(isAlpha);
      const word = s.slice(start, i);
      const next = s[i] ?? '';
      if (next === '/' || next === '_') {
        take((ch) => isAlpha(ch) || isDigit(ch) || ch === '/' || ch === '_' || ch === '-' || ch === '+');
        out.push({ kind: 'word', text: s.slice(start, i) });
      } else if ((next === '-' || next === '.' || next === '/') && monthNumber(word) > 0 && isDigit(s[i + 1] ?? '')) {
        take((ch) => isDigit(ch) || isAlpha(ch) || ch === '-' || ch === '/' || ch === '.');
        out.push({ kind: 'date', text: s.slice(start, i) });
      } else if (word === 'j' && isDigit(next)) {
        out.push({ kind: 'julian', text: take(isDigit) });
      } else if (word !== 't') {
        out.push({ kind: 'word', text: word });
      }
    } else if (c === '+' || c === '-') {
      const start = i++;
      if (isDigit(s[i] ?? '')) {
        take((ch) => isDigit(ch) || ch === ':' || ch === '.');
        out.push({ kind: 'tz', text: s.slice(start, i) });
      } else if (isAlpha(s[i] ?? '')) {
        take(isAlpha);
        out.push({ kind: 'word', text: s.slice(start, i) });
      } else {
        return null;
      }
    } else {
      return null;
    }
  }
  return out;
}

class DecodeError {
  constructor(readonly kind: 'syntax' | 'range' | 'tzrange') {}
}

const SYNTAX = new DecodeError('syntax');
const RANGE = new DecodeError('range');

/** C rint() on a fraction of a second: round half to even, in microseconds. */
function fractionToMicros(frac: string): number {
  const x = Number('0.' + frac) * 1e6;
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

interface DateParts {
  year?: number;
  month?: number;
  day?: number;
  twoDigitYear: boolean;
}

function setPart(p: DateParts, key: 'year' | 'month' | 'day', v: number): void {
  if (p[key] !== undefined) throw SYNTAX;
  p[key] = v;
}

/** A bare number among date fields: a year if long or large, else the day, then a short year. */
function assignNumber(p: DateParts, text: string): void {
  if (!/^\d+$/.test(text)) throw SYNTAX;
  const v = Number(text);
  if (text.length >= 3 || v > 31) {
    setPart(p, 'year', v);
  } else if (p.day === undefined) {
    p.day = v;
  } else {
    setPart(p, 'year', v);
    p.twoDigitYear = text.length <= 2;
  }
}

function decodeDateToken(p: DateParts, text: string): void {
  const parts = text.split(/[-/.]/);
  if (parts.some((x) => x === '')) throw SYNTAX;
  const named = parts.findIndex((x) => isAlpha(x[0]));
  if (named >= 0) {
    const m = monthNumber(parts[named]);
    if (m === 0 || parts.length !== 3) throw SYNTAX;
    setPart(p, 'month', m);
    for (let k = 0; k < 3; k++) if (k !== named) assignNumber(p, parts[k]);
    return;
  }
  if (!parts.every((x) => /^\d+$/.test(x))) throw SYNTAX;
  if (parts.length === 2 && parts[0].length >= 3 && parts[1].length === 3) {
    // ISO ordinal date, YYYY-DDD; day 366 of a common year is January 1 of the next, as PostgreSQL has it.
    const doy = Number(parts[1]);
    if (doy < 1 || doy > 366) throw SYNTAX;
    const d = days2date(date2days(Number(parts[0]), 1, 1) + doy - 1);
    setPart(p, 'year', d.year);
    setPart(p, 'month', d.month);
    setPart(p, 'day', d.day);
    return;
  }
  if (parts.length !== 3) throw SYNTAX;
  if (parts[0].length >= 3) {
    setPart(p, 'year', Number(parts[0]));
    setPart(p, 'month', Number(parts[1]));
    setPart(p, 'day', Number(parts[2]));
  } else {
    // DateStyle MDY.
    setPart(p, 'month', Number(parts[0]));
    setPart(p, 'day', Number(parts[1]));
    setPart(p, 'year', Number(parts[2]));
    p.twoDigitYear = parts[2].length <= 2;
  }
}

function decodeTimeToken(tm: Tm, text: string): void {
  const m = /^(\d+):(\d+)(?::(\d+)(?:\.(\d*))?)?$/.exec(text);
  if (m === null) throw SYNTAX;
  tm.hour = Number(m[1]);
  tm.minute = Number(m[2]);
  tm.second = m[3] === undefined ? 0 : Number(m[3]);
  tm.fsec = m[4] === undefined || m[4] === '' ? 0 : fractionToMicros(m[4]);
}

/** "+HH", "+HHMM", "+HH:MM", "+HH:MM:SS" as seconds east of UTC. */
function decodeOffset(text: string): number {
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::(\d{2}))?$/.exec(text);
  if (m === null) throw SYNTAX;
  const h = Number(m[2]);
  const mi = Number(m[3] ?? 0);
  const s = Number(m[4] ?? 0);
  if (h > MAX_TZDISP_HOUR) throw new DecodeError('tzrange');
  if (mi > 59 || s > 59) throw RANGE;
  const secs = h * 3600 + mi * 60 + s;
  return m[1] === '-' ? -secs : secs;
}

const SPECIAL_WORDS = new Set(['epoch', 'infinity', '+infinity', '-infinity', 'now']);

function decodeTokens(tokens: Token[]): DecodedDateTime {
  const tm: Tm = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, fsec: 0 };
  const p: DateParts = { twoDigitYear: false };
  const out: DecodedDateTime = { special: null, relativeDay: null, tm, hasDate: false, zone: null };
  let haveTime = false;
  let ampm: 'am' | 'pm' | null = null;
  let bc = false;
  let era = false;
  const setTime = (): void => {
    if (haveTime) throw SYNTAX;
    haveTime = true;
  };
  for (const t of tokens) {
    switch (t.kind) {
      case 'date':
        decodeDateToken(p, t.text);
        break;
      case 'time':
        setTime();
        decodeTimeToken(tm, t.text);
        break;
      case 'julian': {
        const d = days2date(Number(t.text) - POSTGRES_EPOCH_JDATE);
        setPart(p, 'year', d.year);
        setPart(p, 'month', d.month);
        setPart(p, 'day', d.day);
        break;
      }
      case 'tz':
        if (out.zone !== null) throw SYNTAX;
        out.zone = decodeOffset(t.text);
        break;
      case 'number': {
        const s = t.text;
        if (s.includes('.')) throw SYNTAX;
        const noDate = p.year === undefined && p.month === undefined && p.day === undefined;
        if (s.length === 8 && noDate) {
          decodeDateToken(p, `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}`);
        } else if (s.length === 6 && noDate) {
          // YYMMDD
          setPart(p, 'year', Number(s.slice(0, 2)));
          setPart(p, 'month', Number(s.slice(2, 4)));
          setPart(p, 'day', Number(s.slice(4)));
          p.twoDigitYear = true;
        } else if (s.length === 6 && !noDate) {
          setTime();
          decodeTimeToken(tm, `${s.slice(0, 2)}:${s.slice(2, 4)}:${s.slice(4)}`);
        } else {
          assignNumber(p, s);
        }
        break;
      }
      case 'word': {
        const w = t.text;
        if (SPECIAL_WORDS.has(w)) {
          if (tokens.length !== 1) throw SYNTAX;
          out.special = w === '+infinity' ? 'infinity' : (w as DateTimeSpecial);
        } else if (w === 'today' || w === 'tomorrow' || w === 'yesterday') {
          if (out.relativeDay !== null) throw SYNTAX;
          out.relativeDay = w;
        } else if (w === 'allballs') {
          setTime();
          out.zone = 0;
        } else if (w === 'am' || w === 'pm') {
          if (ampm !== null) throw SYNTAX;
          ampm = w;
        } else if (w === 'bc' || w === 'ad') {
          if (era) throw SYNTAX;
          era = true;
          bc = w === 'bc';
        } else if (monthNumber(w) > 0) {
          setPart(p, 'month', monthNumber(w));
        } else if (DAY_NAMES.has(w) || w === 'at' || w === 'on') {
          // Day names are allowed and ignored, as PostgreSQL ignores them.
        } else {
          if (out.zone !== null) throw SYNTAX;
          const zone = lookupTimeZone(w);
          if (zone === null) {
            if (w.includes('/')) timeZoneNotRecognized(w);
            throw SYNTAX;
          }
          out.zone = zone;
        }
        break;
      }
    }
  }
  if (out.special !== null) return out;

  const anyDate = p.year !== undefined || p.month !== undefined || p.day !== undefined;
  if (out.relativeDay !== null && anyDate) throw SYNTAX;
  if (anyDate) {
    if (p.year === undefined || p.month === undefined || p.day === undefined) throw SYNTAX;
    let year = p.year;
    if (bc) {
      if (year <= 0) throw RANGE;
      year = 1 - year;
    } else if (p.twoDigitYear) {
      year += year < 70 ? 2000 : 1900;
    } else if (year === 0) {
      throw RANGE;
    }
    if (p.month < 1 || p.month > 12) throw RANGE;
    if (p.day < 1 || p.day > daysInMonth(year, p.month)) throw RANGE;
    tm.year = year;
    tm.month = p.month;
    tm.day = p.day;
    out.hasDate = true;
  } else if (bc) {
    throw SYNTAX;
  }
  if (ampm !== null) {
    if (tm.hour > 12) throw RANGE;
    if (ampm === 'pm' && tm.hour < 12) tm.hour += 12;
    else if (ampm === 'am' && tm.hour === 12) tm.hour = 0;
  }
  const time24 = tm.hour === 24 && (tm.minute > 0 || tm.second > 0 || tm.fsec > 0);
  if (tm.hour > 24 || time24 || tm.minute > 59 || tm.second > 60 || tm.fsec > 1_000_000) throw RANGE;
  return out;
}

const ISO_RE =
  /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?(?:([+-])(\d\d)(?::?(\d\d))?|(Z))?)?$/;

/**
 * The common case, "YYYY-MM-DD[ HH:MM[:SS[.ffffff]][+HH[:MM]|Z]]" with every field in
 * range, without the general tokenizer (about five times faster, which COPY
 * notices). Anything else, including every error, takes the general path.
 */
function decodeIsoFast(text: string): DecodedDateTime | null {
  const m = ISO_RE.exec(text);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (year === 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const fsec = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0'));
  let zone: number | null = m[11] === undefined ? null : 0;
  if (m[8] !== undefined) {
    const zh = Number(m[9]);
    const zm = m[10] === undefined ? 0 : Number(m[10]);
    if (zh > MAX_TZDISP_HOUR || zm > 59) return null;
    zone = (m[8] === '-' ? -1 : 1) * (zh * 3600 + zm * 60);
  }
  return {
    special: null,
    relativeDay: null,
    tm: { year, month, day, hour, minute, second, fsec },
    hasDate: true,
    zone,
  };
}

/**
 * DecodeDateTime: the fields of a date/time literal. `typeName` words the
 * syntax error ("date", "timestamp", "timestamp with time zone").
 */
export function decodeDateTime(text: string, typeName: string): DecodedDateTime {
  const fast = decodeIsoFast(text);
  if (fast !== null) return fast;
  const tokens = tokenize(text.toLowerCase());
  try {
    if (tokens === null || tokens.length === 0) throw SYNTAX;
    return decodeTokens(tokens);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    if (e.kind === 'range') ereport(SQLSTATE.datetime_field_overflow, `date/time field value out of range: "${text}"`);
    if (e.kind === 'tzrange') ereport('22009', `time zone displacement out of range: "${text}"`);
    return ereport(SQLSTATE.invalid_datetime_format, `invalid input syntax for type ${typeName}: "${text}"`);
  }
}

/* Tie the range constants to the calendar once, at load. */
if (
  date2days(2000, 1, 1) !== 0 ||
  date2days(-4713, 11, 24) !== MIN_DATE ||
  date2days(5874898, 1, 1) !== END_DATE ||
  date2days(294277, 1, 1) !== TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE
) {
  throw new Error('datetime.ts: calendar constants disagree with date2days');
}
