import { describe, expect, it } from 'vitest';
import {
  date2days, days2date, decodeDateTime, END_DATE, END_TIMESTAMP, MIN_DATE, MIN_TIMESTAMP, timestampToTm,
  tmToTimestamp, USECS_PER_DAY,
} from './datetime.ts';

describe('calendar', () => {
  it('counts days from 2000-01-01 in the proleptic Gregorian calendar', () => {
    expect(date2days(2000, 1, 1)).toBe(0);
    expect(date2days(1970, 1, 1)).toBe(-10957);
    expect(date2days(2000, 3, 1)).toBe(60);
    expect(date2days(1999, 12, 31)).toBe(-1);
    expect(date2days(1, 1, 1) - date2days(0, 12, 31)).toBe(1);
    expect(date2days(-4713, 11, 24)).toBe(MIN_DATE);
    expect(date2days(5874898, 1, 1)).toBe(END_DATE);
  });

  it('inverts exactly over the whole date range', () => {
    const step = 9973;
    for (let d = MIN_DATE; d < END_DATE; d += step * 101) {
      const { year, month, day } = days2date(d);
      expect(date2days(year, month, day)).toBe(d);
    }
    for (let d = -800000; d < 800000; d += 37) {
      const { year, month, day } = days2date(d);
      expect(date2days(year, month, day)).toBe(d);
    }
  });

  it('splits timestamps into fields and back, before and after the epoch', () => {
    for (const ts of [0n, -1n, 1n, MIN_TIMESTAMP, END_TIMESTAMP - 1n, -USECS_PER_DAY - 1n, 789_123_456_789n]) {
      expect(tmToTimestamp(timestampToTm(ts))).toBe(ts);
    }
    expect(timestampToTm(-1n)).toEqual({ year: 1999, month: 12, day: 31, hour: 23, minute: 59, second: 59, fsec: 999999 });
  });
});

describe('decodeDateTime', () => {
  const fields = (text: string): number[] => {
    const d = decodeDateTime(text, 'timestamp');
    return [d.tm.year, d.tm.month, d.tm.day, d.tm.hour, d.tm.minute, d.tm.second, d.tm.fsec];
  };

  it('reads ISO 8601 and the other common spellings', () => {
    expect(fields('2024-01-15 13:45:00.123456')).toEqual([2024, 1, 15, 13, 45, 0, 123456]);
    expect(fields('2024-01-15T13:45')).toEqual([2024, 1, 15, 13, 45, 0, 0]);
    expect(fields('January 15, 2024 1:45 pm')).toEqual([2024, 1, 15, 13, 45, 0, 0]);
    expect(fields('15-jan-2024')).toEqual([2024, 1, 15, 0, 0, 0, 0]);
    expect(fields('01/15/24')).toEqual([2024, 1, 15, 0, 0, 0, 0]);
    expect(fields('0044-03-15 BC')).toEqual([-43, 3, 15, 0, 0, 0, 0]);
    expect(fields('20240115T134500')).toEqual([2024, 1, 15, 13, 45, 0, 0]);
  });

  it('returns zones as offsets east of UTC or as zone objects', () => {
    expect(decodeDateTime('2024-01-15 13:45+05:30', 'timestamp').zone).toBe(19800);
    expect(decodeDateTime('2024-01-15 13:45-08', 'timestamp').zone).toBe(-28800);
    expect(decodeDateTime('2024-01-15 13:45 EST', 'timestamp').zone).toMatchObject({ name: 'EST' });
    expect(decodeDateTime('2024-01-15 13:45 europe/paris', 'timestamp').zone).toMatchObject({ name: 'Europe/Paris' });
  });

  it('raises the SQLSTATE PostgreSQL raises', () => {
    const code = (text: string): string => {
      try {
        decodeDateTime(text, 'date');
        return 'ok';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(code('2024-13-01')).toBe('22008');
    expect(code('2024-02-30')).toBe('22008');
    expect(code('0000-01-01')).toBe('22008');
    expect(code('2024-01-15 24:00:01')).toBe('22008');
    expect(code('x')).toBe('22007');
    expect(code('2024-01-15 13:45+16')).toBe('22009');
    expect(code('2024-01-15 13:45 Mars/Olympus')).toBe('22023');
    expect(() => decodeDateTime('x', 'date')).toThrow('invalid input syntax for type date: "x"');
  });
});
