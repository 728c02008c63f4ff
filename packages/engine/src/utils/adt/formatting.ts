/*
 * formatting.ts — to_char(timestamp, text), a part of PostgreSQL's
 * formatting.c: the date/time template patterns YYYY YYY YY Y MM DD DDD D
 * HH HH12 HH24 MI SS SSSS SSSSS MS US AM PM A.M. P.M. AD BC Q J, Month/Mon/
 * Day/Dy in their three capitalizations, the FM prefix, "quoted text" and
 * backslash-escaped double quotes. Characters that are no pattern are copied. Patterns
 * PostgreSQL knows but this file does not implement (ISO weeks, time
 * zones, TH/SP suffixes, TM, roman months, ...) raise 0A000 rather than
 * being copied as text, so a result is never silently wrong.
 *
 * Exports: FORMATTING_FUNCS (ImplTable), timestampToChar
 */

import type { ImplTable } from '../fmgr/fmgrimpl.ts';
import { fixed } from '../fmgr/fmgrimpl.ts';
import { PgError, SQLSTATE } from '../errors.ts';
import { days2date, POSTGRES_EPOCH_JDATE, USECS_PER_DAY, date2days } from './datetime.ts';
import { isTimestampFinite } from './timestamp.ts';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Patterns this file implements, longest first where one is a prefix of another. */
const IMPLEMENTED = [
  'YYYY', 'yyyy', 'YYY', 'yyy', 'YY', 'yy', 'Y', 'y',
  'MONTH', 'Month', 'month', 'MON', 'Mon', 'mon', 'MM', 'mm', 'MS', 'ms', 'MI', 'mi',
  'DAY', 'Day', 'day', 'DDD', 'ddd', 'DD', 'dd', 'DY', 'Dy', 'dy', 'D', 'd',
  'HH24', 'hh24', 'HH12', 'hh12', 'HH', 'hh',
  'SSSSS', 'sssss', 'SSSS', 'ssss', 'SS', 'ss', 'US', 'us',
  'A.M.', 'a.m.', 'P.M.', 'p.m.', 'AM', 'am', 'PM', 'pm',
  'A.D.', 'a.d.', 'B.C.', 'b.c.', 'AD', 'ad', 'BC', 'bc', 'Q', 'q', 'J', 'j',
];
/** PostgreSQL patterns (and prefixes/suffixes) not implemented here. */
const UNSUPPORTED = [
  'Y,YYY', 'y,yyy', 'IYYY', 'iyyy', 'IYY', 'iyy', 'IDDD', 'iddd', 'IY', 'iy', 'IW', 'iw', 'ID', 'id', 'I', 'i',
  'CC', 'cc', 'WW', 'ww', 'W', 'w', 'RM', 'rm', 'TZH', 'tzh', 'TZM', 'tzm', 'TZ', 'tz', 'OF', 'of',
  'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'ff1', 'ff2', 'ff3', 'ff4', 'ff5', 'ff6', 'FX', 'fx',
];
const PATTERNS = [...IMPLEMENTED, ...UNSUPPORTED].sort((a, b) => b.length - a.length);
const UNSUPPORTED_SET = new Set(UNSUPPORTED);

function cased(s: string, pattern: string): string {
  if (pattern === pattern.toUpperCase()) return s.toUpperCase();
  if (pattern === pattern.toLowerCase()) return s.toLowerCase();
  return s;
}

const pad = (v: number, width: number, fm: boolean): string => (fm ? String(v) : String(v).padStart(width, '0'));

/** to_char(timestamp, text): NULL for an infinite timestamp or an empty template, as PostgreSQL. */
export function timestampToChar(ts: bigint, fmt: string): string | null {
  if (!isTimestampFinite(ts) || fmt === '') return null;
  let days = Number(ts / USECS_PER_DAY);
  let tod = ts % USECS_PER_DAY;
  if (tod < 0n) {
    tod += USECS_PER_DAY;
    days -= 1;
  }
  const { year, month, day } = days2date(days);
  const us = Number(tod);
  const hour = Math.floor(us / 3_600_000_000);
  const min = Math.floor(us / 60_000_000) % 60;
  const sec = Math.floor(us / 1_000_000) % 60;
  const frac = us % 1_000_000;
  const bc = year <= 0;
  const yr = bc ? 1 - year : year;
  const dow = (((days + 6) % 7) + 7) % 7; // 2000-01-01 was a Saturday
  const doy = days - date2days(year, 1, 1) + 1;
  let out = '';
  let fm = false;
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i];
    if (c === '"') {
      i++;
      while (i < fmt.length && fmt[i] !== '"') {
        if (fmt[i] === '\\' && i + 1 < fmt.length) i++;
        out += fmt[i++];
      }
      i++;
      continue;
    }
    if (c === '\\' && fmt[i + 1] === '"') {
      // Outside quotes a backslash escapes only a double quote; otherwise it is copied.
      out += '"';
      i += 2;
      continue;
    }
    if ((c === 'F' || c === 'f') && (fmt[i + 1] === 'M' || fmt[i + 1] === 'm') && fmt.slice(i, i + 2) !== 'fM' && fmt.slice(i, i + 2) !== 'Fm') {
      fm = true;
      i += 2;
      continue;
    }
    if ((c === 'T' || c === 't') && (fmt[i + 1] === 'M' || fmt[i + 1] === 'm') && PATTERNS.some((k) => fmt.startsWith(k, i + 2))) {
      throw new PgError(SQLSTATE.feature_not_supported, 'to_char template prefix "TM" is not supported');
    }
    const p = PATTERNS.find((k) => fmt.startsWith(k, i));
    if (p === undefined) {
      out += c;
      i++;
      continue;
    }
    if (UNSUPPORTED_SET.has(p)) throw new PgError(SQLSTATE.feature_not_supported, `to_char template pattern "${p}" is not supported`);
    i += p.length;
    const suffix = fmt.slice(i, i + 2).toUpperCase();
    if (suffix === 'TH' || suffix === 'SP') throw new PgError(SQLSTATE.feature_not_supported, `to_char template suffix "${suffix}" is not supported`);
    switch (p.toUpperCase()) {
      case 'YYYY': out += pad(yr, 4, fm); break;
      case 'YYY': out += pad(yr % 1000, 3, fm); break;
      case 'YY': out += pad(yr % 100, 2, fm); break;
      case 'Y': out += String(yr % 10); break;
      case 'MONTH': { const s = cased(MONTHS[month - 1], p); out += fm ? s : s.padEnd(9); break; }
      case 'MON': out += cased(MONTHS[month - 1].slice(0, 3), p); break;
      case 'MM': out += pad(month, 2, fm); break;
      case 'MS': out += pad(Math.floor(frac / 1000), 3, fm); break;
      case 'US': out += pad(frac, 6, fm); break;
      case 'MI': out += pad(min, 2, fm); break;
      case 'DAY': { const s = cased(DAYS[dow], p); out += fm ? s : s.padEnd(9); break; }
      case 'DY': out += cased(DAYS[dow].slice(0, 3), p); break;
      case 'DDD': out += pad(doy, 3, fm); break;
      case 'DD': out += pad(day, 2, fm); break;
      case 'D': out += String(dow + 1); break;
      case 'HH24': out += pad(hour, 2, fm); break;
      case 'HH12': case 'HH': out += pad(hour % 12 === 0 ? 12 : hour % 12, 2, fm); break;
      case 'SSSSS': case 'SSSS': out += String(hour * 3600 + min * 60 + sec); break;
      case 'SS': out += pad(sec, 2, fm); break;
      case 'AM': case 'PM': out += cased(hour >= 12 ? 'PM' : 'AM', p); break;
      case 'A.M.': case 'P.M.': out += cased(hour >= 12 ? 'P.M.' : 'A.M.', p); break;
      case 'AD': case 'BC': out += cased(bc ? 'BC' : 'AD', p); break;
      case 'A.D.': case 'B.C.': out += cased(bc ? 'B.C.' : 'A.D.', p); break;
      case 'Q': out += String(Math.floor((month - 1) / 3) + 1); break;
      case 'J': out += String(days + POSTGRES_EPOCH_JDATE); break;
    }
    fm = false;
  }
  return out;
}

export const FORMATTING_FUNCS: ImplTable = {
  timestamp_to_char: fixed((a) => timestampToChar(a[0] as bigint, a[1] as string)),
};
