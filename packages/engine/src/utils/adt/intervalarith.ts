/*
 * intervalarith.ts — interval arithmetic: +, -, unary -, * and / by a
 * float8, and justify_hours/justify_days/justify_interval.
 *
 * Exports:
 *   intervalPl, intervalMi, intervalUm, intervalMul, intervalDiv
 *   justifyHours, justifyDays, justifyInterval
 *
 * Results are range-checked part by part (22008 "interval out of range").
 * Infinite intervals absorb finite ones; infinity plus -infinity is an error.
 */

import type { Interval } from './datum.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { rint } from './float.ts';
import {
  DAYS_PER_MONTH,
  INTERVAL_INFINITY,
  INTERVAL_NEG_INFINITY,
  intervalOutOfRange,
  isIntervalFinite,
  isIntervalNegInfinity,
  isIntervalPosInfinity,
  makeInterval,
} from './interval.ts';

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;
const USECS_PER_SEC = 1_000_000;
const USECS_PER_DAY = 86_400_000_000n;
const SECS_PER_DAY = 86400;

export function intervalUm(a: Interval): Interval {
  if (isIntervalPosInfinity(a)) return INTERVAL_NEG_INFINITY;
  if (isIntervalNegInfinity(a)) return INTERVAL_INFINITY;
  return makeInterval(-a.months, -a.days, -a.micros);
}

export function intervalPl(a: Interval, b: Interval): Interval {
  const ainf = !isIntervalFinite(a);
  const binf = !isIntervalFinite(b);
  if (ainf || binf) {
    if (ainf && binf && isIntervalPosInfinity(a) !== isIntervalPosInfinity(b)) intervalOutOfRange();
    return ainf ? a : b;
  }
  return makeInterval(a.months + b.months, a.days + b.days, a.micros + b.micros);
}

export const intervalMi = (a: Interval, b: Interval): Interval =>
  isIntervalFinite(b) ? intervalPl(a, { months: -b.months, days: -b.days, micros: -b.micros }) : intervalPl(a, intervalUm(b));

/** Rounds a double to microsecond precision (TSROUND). */
const tsRound = (x: number): number => rint(x * USECS_PER_SEC) / USECS_PER_SEC;

function checkInt32(x: number): number {
  if (Number.isNaN(x) || x < INT32_MIN || x > INT32_MAX) intervalOutOfRange();
  return Math.trunc(x);
}

/**
 * interval * factor: each part is multiplied, and what a part loses to
 * truncation flows down (months to days at 30 days a month, days to time).
 */
function scaleInterval(iv: Interval, scaled: (x: number) => number): Interval {
  if (!isIntervalFinite(iv)) {
    const s = scaled(1);
    if (Number.isNaN(s) || s === 0) intervalOutOfRange();
    return (s > 0) === isIntervalPosInfinity(iv) ? INTERVAL_INFINITY : INTERVAL_NEG_INFINITY;
  }
  const monthsExact = scaled(iv.months);
  const months = checkInt32(monthsExact);
  const daysExact = scaled(iv.days);
  let days = checkInt32(daysExact);
  const monthRemainderDays = tsRound((monthsExact - months) * DAYS_PER_MONTH);
  let secRemainder = tsRound((daysExact - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * SECS_PER_DAY);
  if (Math.abs(secRemainder) >= SECS_PER_DAY) {
    const wholeDays = Math.trunc(secRemainder / SECS_PER_DAY);
    days += wholeDays;
    secRemainder -= wholeDays * SECS_PER_DAY;
  }
  days = checkInt32(days + Math.trunc(monthRemainderDays));
  const time = rint(scaled(Number(iv.micros)) + secRemainder * USECS_PER_SEC);
  if (!Number.isFinite(time) || time >= 2 ** 63 || time < -(2 ** 63)) intervalOutOfRange();
  return makeInterval(months, days, BigInt(time));
}

export function intervalMul(iv: Interval, factor: number): Interval {
  if (Number.isNaN(factor)) intervalOutOfRange();
  return scaleInterval(iv, (x) => x * factor);
}

export function intervalDiv(iv: Interval, divisor: number): Interval {
  if (divisor === 0) ereport(SQLSTATE.division_by_zero, 'division by zero');
  if (Number.isNaN(divisor)) intervalOutOfRange();
  return scaleInterval(iv, (x) => x / divisor);
}

/** Moves whole days out of the time part (24 hours = 1 day). */
export function justifyHours(iv: Interval): Interval {
  if (!isIntervalFinite(iv)) return iv;
  let days = iv.days + Number(iv.micros / USECS_PER_DAY);
  let micros = iv.micros % USECS_PER_DAY;
  if (days > 0 && micros < 0n) {
    micros += USECS_PER_DAY;
    days--;
  } else if (days < 0 && micros > 0n) {
    micros -= USECS_PER_DAY;
    days++;
  }
  return makeInterval(iv.months, days, micros);
}

/** Moves whole months out of the days (30 days = 1 month). */
export function justifyDays(iv: Interval): Interval {
  if (!isIntervalFinite(iv)) return iv;
  let months = iv.months + Math.trunc(iv.days / DAYS_PER_MONTH);
  let days = (iv.days % DAYS_PER_MONTH) + 0;
  if (months > 0 && days < 0) {
    days += DAYS_PER_MONTH;
    months--;
  } else if (months < 0 && days > 0) {
    days -= DAYS_PER_MONTH;
    months++;
  }
  return makeInterval(months, days, iv.micros);
}

/** justify_interval: both, with one sign across all three parts. */
export function justifyInterval(iv: Interval): Interval {
  if (!isIntervalFinite(iv)) return iv;
  let months = iv.months;
  let days = iv.days + Number(iv.micros / USECS_PER_DAY);
  let micros = iv.micros % USECS_PER_DAY;
  months += Math.trunc(days / DAYS_PER_MONTH);
  days = (days % DAYS_PER_MONTH) + 0;
  if (months > 0 && (days < 0 || (days === 0 && micros < 0n))) {
    days += DAYS_PER_MONTH;
    months--;
  } else if (months < 0 && (days > 0 || (days === 0 && micros > 0n))) {
    days -= DAYS_PER_MONTH;
    months++;
  }
  if (days > 0 && micros < 0n) {
    micros += USECS_PER_DAY;
    days--;
  } else if (days < 0 && micros > 0n) {
    micros -= USECS_PER_DAY;
    days++;
  }
  return makeInterval(months, days, micros);
}
