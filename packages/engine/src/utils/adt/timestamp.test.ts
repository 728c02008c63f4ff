import { afterEach, describe, expect, it } from 'vitest';
import {
  jsDateToTimestamp, timestampAge, timestampIn, timestampMi, timestampOut, timestampPlInterval, timestampToJsDate,
  timestamptzIn, timestamptzOut, timestamptzPlInterval, timestampToTimestamptz, timestamptzToTimestamp,
} from './timestamp.ts';
import { intervalIn, intervalOut } from './interval.ts';
import { DT_NOBEGIN, DT_NOEND, setCurrentTimestampSource } from './datetime.ts';
import { setSessionTimeZone } from './timezone.ts';

afterEach(() => {
  setSessionTimeZone('UTC');
  setCurrentTimestampSource(() => BigInt(Date.now() - 946_684_800_000) * 1000n);
});

const ts = (text: string): string => timestampOut(timestampIn(text));
const tstz = (text: string): string => timestamptzOut(timestamptzIn(text));

describe('timestamp text', () => {
  it('reads and prints ISO DateStyle', () => {
    expect(ts('2024-01-15 13:45:00.5')).toBe('2024-01-15 13:45:00.5');
    expect(ts('2024-01-15T13:45:00.123456')).toBe('2024-01-15 13:45:00.123456');
    expect(ts('2024-01-15 23:59:59.9999999')).toBe('2024-01-16 00:00:00');
    expect(ts('2024-01-15 13:45:00+02')).toBe('2024-01-15 13:45:00');
    expect(ts('0001-01-01 BC')).toBe('0001-01-01 00:00:00 BC');
    expect(ts('epoch')).toBe('1970-01-01 00:00:00');
    expect(timestampIn('infinity')).toBe(DT_NOEND);
    expect(timestampIn('-infinity')).toBe(DT_NOBEGIN);
  });

  it('checks the range 4714-11-24 BC .. 294276-12-31', () => {
    expect(ts('294276-12-31 23:59:59.999999')).toBe('294276-12-31 23:59:59.999999');
    expect(() => timestampIn('294277-01-01')).toThrow('timestamp out of range: "294277-01-01"');
    expect(ts('4714-11-24 00:00:00 BC')).toBe('4714-11-24 00:00:00 BC');
    expect(() => timestampIn('4714-11-23 23:59:59 BC')).toThrow('timestamp out of range');
  });

  it('rounds to timestamp(p) half away from zero', () => {
    expect(timestampOut(timestampIn('2024-01-15 13:45:00.25', 1))).toBe('2024-01-15 13:45:00.3');
    expect(timestampOut(timestampIn('1999-12-31 23:59:59.5 BC', 0))).toBe('1999-12-31 23:59:59 BC');
  });

  it('pins now/today to the transaction clock', () => {
    setCurrentTimestampSource(() => timestamptzIn('2024-05-06 07:08:09.5+00'));
    expect(tstz('now')).toBe('2024-05-06 07:08:09.5+00');
    expect(ts('today')).toBe('2024-05-06 00:00:00');
    expect(ts('tomorrow')).toBe('2024-05-07 00:00:00');
    setSessionTimeZone('Asia/Tokyo');
    expect(ts('now')).toBe('2024-05-06 16:08:09.5');
  });
});

describe('timestamptz and time zones', () => {
  it('prints in the session zone with its offset', () => {
    expect(tstz('2024-01-15 13:45:00+02')).toBe('2024-01-15 11:45:00+00');
    setSessionTimeZone('America/New_York');
    expect(tstz('2024-01-15 12:00')).toBe('2024-01-15 12:00:00-05');
    expect(tstz('2024-07-15 12:00')).toBe('2024-07-15 12:00:00-04');
    expect(tstz('1800-01-01 00:00')).toBe('1800-01-01 00:00:00-04:56:02');
    setSessionTimeZone('+05:30');
    expect(tstz('2024-01-15 00:00Z')).toBe('2024-01-15 05:30:00+05:30');
  });

  it('resolves skipped and repeated wall-clock times as PostgreSQL does', () => {
    setSessionTimeZone('America/New_York');
    expect(tstz('2024-03-10 02:30')).toBe('2024-03-10 03:30:00-04');
    expect(tstz('2024-11-03 01:30')).toBe('2024-11-03 01:30:00-05');
  });

  it('adds days on the wall clock and hours on the time line', () => {
    setSessionTimeZone('America/New_York');
    const before = timestamptzIn('2024-03-09 12:00');
    expect(timestamptzOut(timestamptzPlInterval(before, intervalIn('1 day')))).toBe('2024-03-10 12:00:00-04');
    expect(timestamptzOut(timestamptzPlInterval(before, intervalIn('24 hours')))).toBe('2024-03-10 13:00:00-04');
    expect(timestampOut(timestamptzToTimestamp(before))).toBe('2024-03-09 12:00:00');
    expect(timestampToTimestamptz(timestampIn('2024-03-09 12:00'))).toBe(before);
  });
});

describe('timestamp arithmetic', () => {
  it('adds months clamping to the end of the month', () => {
    const plus = (t: string, i: string): string => timestampOut(timestampPlInterval(timestampIn(t), intervalIn(i)));
    expect(plus('2024-01-31', '1 mon')).toBe('2024-02-29 00:00:00');
    expect(plus('2024-03-31', '-1 mon')).toBe('2024-02-29 00:00:00');
    expect(plus('2024-01-31', '1 mon 1 day 01:00')).toBe('2024-03-01 01:00:00');
    expect(plus('infinity', '-1 year')).toBe('infinity');
    expect(() => plus('294276-12-31', '1 day')).toThrow('timestamp out of range');
  });

  it('subtracts to days and time, and age() to years, months and days', () => {
    expect(intervalOut(timestampMi(timestampIn('2024-03-01'), timestampIn('2024-01-15 12:00')))).toBe('45 days 12:00:00');
    expect(intervalOut(timestampAge(timestampIn('2024-03-01'), timestampIn('2023-01-15 12:00')))).toBe('1 year 1 mon 16 days 12:00:00');
    expect(intervalOut(timestampAge(timestampIn('2023-01-15'), timestampIn('2024-03-01 12:00')))).toBe('-1 years -1 mons -17 days -12:00:00');
    expect(intervalOut(timestampMi(DT_NOEND, timestampIn('2024-01-01')))).toBe('infinity');
    expect(() => timestampMi(DT_NOEND, DT_NOEND)).toThrow('interval out of range');
  });

  it('converts to and from JS Dates', () => {
    const t = timestamptzIn('2024-01-15 13:45:00.123456+00');
    expect(timestampToJsDate(t).toISOString()).toBe('2024-01-15T13:45:00.123Z');
    expect(jsDateToTimestamp(new Date('1969-12-31T23:59:59.999Z'))).toBe(timestamptzIn('1969-12-31 23:59:59.999+00'));
    expect(Number.isNaN(timestampToJsDate(DT_NOEND).getTime())).toBe(true);
  });
});
