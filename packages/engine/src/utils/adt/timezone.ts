/*
 * timezone.ts — time zones: the session's TimeZone setting, zone lookup by
 * name, and UTC offsets at an instant.
 *
 * Exports:
 *   TimeZone                      a zone: its name and utcOffsetAt(instant)
 *   UTC_ZONE, fixedOffsetZone(seconds)
 *   lookupTimeZone(name)          abbreviation, IANA name or null
 *   setSessionTimeZone(name | zone), getSessionTimeZone()
 *   localToUtc(zone, localMicros)  which instant a wall-clock time means
 *   formatUtcOffset(seconds)      "+00", "-04", "+05:30", "-04:56:02"
 *
 * Offsets are in seconds east of Greenwich (PostgreSQL's tm_gmtoff; its
 * DecodeDateTime internally counts the other way). Instants are
 * microseconds since 2000-01-01 00:00:00 UTC, the timestamptz Datum form.
 *
 * Zone data. PostgreSQL ships the IANA tz database; here the JavaScript
 * engine's copy (Intl.DateTimeFormat, which every supported browser and Node
 * have) answers for IANA names such as America/New_York, including the local
 * mean time offsets of the 1800s. Intl covers years -271821..275760; for
 * instants outside that (PostgreSQL allows 4713 BC..294276 AD) the offset at
 * the nearest end is used. Abbreviations (EST, CEST, ...) are fixed offsets,
 * a subset of PostgreSQL's "Default" abbreviation set.
 *
 * The session setting is module state, one per backend (each backend is its
 * own worker with its own module instance). It starts as UTC.
 */

import { SQLSTATE, ereport } from '../errors.ts';

export interface TimeZone {
  /** The name as SHOW TimeZone prints it. */
  readonly name: string;
  /** Seconds east of UTC at the given instant (microseconds since 2000-01-01 UTC). */
  utcOffsetAt(utcMicros: bigint): number;
}

const USECS_PER_SEC = 1_000_000n;
/** Milliseconds from 1970-01-01 to 2000-01-01, to go between our instants and JS Dates. */
const POSTGRES_EPOCH_MS = 946_684_800_000;
/** JavaScript Date's range: +/-100,000,000 days from 1970. */
const JS_DATE_MAX_MS = 8.64e15;
/** No zone has ever had two transitions this close together; used to bracket a transition. */
const TRANSITION_PROBE_SECS = 86_400n;

export function fixedOffsetZone(offsetSecs: number, name?: string): TimeZone {
  return { name: name ?? formatUtcOffset(offsetSecs), utcOffsetAt: () => offsetSecs };
}

export const UTC_ZONE: TimeZone = fixedOffsetZone(0, 'UTC');

/** Offsets in seconds east for the abbreviations PostgreSQL knows by default (a subset). */
const ABBREVIATIONS: ReadonlyMap<string, number> = new Map([
  ['utc', 0], ['ut', 0], ['gmt', 0], ['z', 0], ['zulu', 0], ['wet', 0],
  ['west', 3600], ['bst', 3600], ['cet', 3600], ['met', 3600],
  ['cest', 7200], ['mest', 7200], ['eet', 7200], ['eest', 10800], ['msk', 10800],
  ['ist', 7200], ['sgt', 28800], ['hkt', 28800], ['awst', 28800],
  ['jst', 32400], ['kst', 32400], ['acst', 34200], ['acdt', 37800],
  ['aest', 36000], ['aedt', 39600], ['nzst', 43200], ['nzdt', 46800],
  ['hst', -36000], ['akst', -32400], ['akdt', -28800],
  ['pst', -28800], ['pdt', -25200], ['mst', -25200], ['mdt', -21600],
  ['cst', -21600], ['cdt', -18000], ['est', -18000], ['edt', -14400],
  ['ast', -14400], ['adt', -10800], ['nst', -12600], ['ndt', -9000],
]);

class IntlZone implements TimeZone {
  readonly name: string;
  private readonly format: Intl.DateTimeFormat;

  constructor(name: string, format: Intl.DateTimeFormat) {
    this.name = name;
    this.format = format;
  }

  utcOffsetAt(utcMicros: bigint): number {
    let ms = Number(utcMicros / 1000n) + POSTGRES_EPOCH_MS;
    ms = Math.min(Math.max(ms, -JS_DATE_MAX_MS), JS_DATE_MAX_MS);
    ms = Math.floor(ms / 1000) * 1000;
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const part of this.format.formatToParts(ms)) {
      switch (part.type) {
        case 'year': year = Number(part.value); break;
        case 'month': month = Number(part.value); break;
        case 'day': day = Number(part.value); break;
        case 'hour': hour = Number(part.value) % 24; break;
        case 'minute': minute = Number(part.value); break;
        case 'second': second = Number(part.value); break;
        case 'era': bc = part.value === 'BC' || part.value === 'B'; break;
        default: break;
      }
    }
    const local = new Date(0);
    local.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
    local.setUTCHours(hour, minute, second, 0);
    return Math.round((local.getTime() - ms) / 1000);
  }
}

const zoneCache = new Map<string, TimeZone | null>();
/** Bound on cached zone lookups (a client could send endless distinct names). */
const ZONE_CACHE_MAX = 512;

function intlZone(name: string): TimeZone | null {
  try {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    return new IntlZone(format.resolvedOptions().timeZone, format);
  } catch {
    return null;
  }
}

/** Offset text as a zone spec: +HH, +HH:MM, +HHMM, +HH:MM:SS (sign required). */
const OFFSET_RE = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::(\d{2}))?$/;

/**
 * A zone by name: an abbreviation (case-insensitive), an IANA name, or null
 * when neither knows it. Numeric offsets are not names; datetime input parses
 * those itself.
 */
export function lookupTimeZone(name: string): TimeZone | null {
  const key = name.toLowerCase();
  const abbrev = ABBREVIATIONS.get(key);
  if (abbrev !== undefined) return fixedOffsetZone(abbrev, name.toUpperCase());
  const cached = zoneCache.get(key);
  if (cached !== undefined) return cached;
  const zone = /^[a-z]/i.test(name) ? intlZone(name) : null;
  if (zoneCache.size >= ZONE_CACHE_MAX) zoneCache.clear();
  zoneCache.set(key, zone);
  return zone;
}

export function timeZoneNotRecognized(name: string): never {
  return ereport(SQLSTATE.invalid_parameter_value, `time zone "${name.toLowerCase()}" not recognized`);
}

let sessionZone: TimeZone = UTC_ZONE;

/** SET TIME ZONE: a zone name, or a numeric offset such as '+02' or '-05:30'. */
export function setSessionTimeZone(zone: string | TimeZone): void {
  if (typeof zone !== 'string') {
    sessionZone = zone;
    return;
  }
  const m = OFFSET_RE.exec(zone);
  if (m !== null) {
    const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    sessionZone = fixedOffsetZone(m[1] === '-' ? -secs : secs);
    return;
  }
  sessionZone = lookupTimeZone(zone) ?? timeZoneNotRecognized(zone);
}

export const getSessionTimeZone = (): TimeZone => sessionZone;

/**
 * The instant a wall-clock time in `zone` denotes (localMicros counts from
 * 2000-01-01 00:00 on that clock). Around a transition a wall-clock time can
 * be skipped (spring forward) or happen twice (fall back); PostgreSQL then
 * prefers the standard-time reading, which is the one with the smaller
 * offset for ordinary daylight-saving rules.
 */
export function localToUtc(zone: TimeZone, localMicros: bigint): bigint {
  const probe = TRANSITION_PROBE_SECS * USECS_PER_SEC;
  const before = zone.utcOffsetAt(localMicros - probe);
  const after = zone.utcOffsetAt(localMicros + probe);
  const asUtc = (off: number): bigint => localMicros - BigInt(off) * USECS_PER_SEC;
  if (before === after) {
    const off = zone.utcOffsetAt(asUtc(before));
    return asUtc(off === before ? before : off);
  }
  const beforeFits = zone.utcOffsetAt(asUtc(before)) === before;
  const afterFits = zone.utcOffsetAt(asUtc(after)) === after;
  if (beforeFits && !afterFits) return asUtc(before);
  if (afterFits && !beforeFits) return asUtc(after);
  return asUtc(Math.min(before, after));
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** The offset as ISO DateStyle prints it after a timestamptz. */
export function formatUtcOffset(offsetSecs: number): string {
  const sign = offsetSecs < 0 ? '-' : '+';
  const a = Math.abs(offsetSecs);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const s = a % 60;
  let out = sign + pad2(h);
  if (m !== 0 || s !== 0) out += ':' + pad2(m);
  if (s !== 0) out += ':' + pad2(s);
  return out;
}
