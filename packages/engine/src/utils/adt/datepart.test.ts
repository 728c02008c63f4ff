import { describe, expect, it } from 'vitest';
import {
  datePartTimestamp, dateTruncInterval, dateTruncTimestamp, extractDate, extractInterval, extractTimestamp,
} from './datepart.ts';
import { timestampIn, timestampOut } from './timestamp.ts';
import { intervalIn, intervalOut } from './interval.ts';
import { dateIn } from './date.ts';

const ex = (unit: string, t: string): string | null => extractTimestamp(unit, timestampIn(t));
const trunc = (unit: string, t: string): string => timestampOut(dateTruncTimestamp(unit, timestampIn(t)));

describe('extract', () => {
  it('returns numeric text with PostgreSQL scales', () => {
    expect(ex('epoch', '2024-01-15 13:45:00.5')).toBe('1705326300.500000');
    expect(ex('second', '2024-01-15 13:45:07.25')).toBe('7.250000');
    expect(ex('milliseconds', '2024-01-15 13:45:07.25')).toBe('7250.000');
    expect(ex('microseconds', '2024-01-15 13:45:07.25')).toBe('7250000');
    expect(ex('julian', '2024-01-15 12:00')).toBe('2460325.50000000000000000000');
    expect(datePartTimestamp('epoch', timestampIn('2024-01-15 13:45:00.5'))).toBe(1705326300.5);
  });

  it('counts centuries from year 1 and has no year 0', () => {
    expect(ex('century', '2000-01-01')).toBe('20');
    expect(ex('century', '2001-01-01')).toBe('21');
    expect(ex('millennium', '2001-01-01')).toBe('3');
    expect(ex('year', '0001-01-01 BC')).toBe('-1');
    expect(ex('century', '0001-01-01 BC')).toBe('-1');
  });

  it('knows ISO weeks and days of the week', () => {
    expect(ex('week', '2024-12-30')).toBe('1');
    expect(ex('isoyear', '2024-12-30')).toBe('2025');
    expect(ex('dow', '2024-01-14')).toBe('0');
    expect(ex('isodow', '2024-01-14')).toBe('7');
    expect(ex('doy', '2024-12-31')).toBe('366');
  });

  it('gives Infinity or NULL for infinite values, and errors for bad units', () => {
    expect(ex('year', 'infinity')).toBe('Infinity');
    expect(ex('dow', '-infinity')).toBeNull();
    expect(() => ex('foo', '2024-01-01')).toThrow('unit "foo" not recognized for type timestamp without time zone');
    expect(() => ex('timezone', '2024-01-01')).toThrow('unit "timezone" not supported for type timestamp without time zone');
    expect(() => extractDate('hour', dateIn('2024-01-01'))).toThrow('unit "hour" not supported for type date');
    expect(extractDate('epoch', dateIn('1970-01-02'))).toBe('86400');
  });

  it('extracts interval fields', () => {
    const iv = intervalIn('1 year 2 mons 3 days 04:05:06.5');
    expect(extractInterval('epoch', iv)).toBe('37015506.500000');
    expect(extractInterval('hour', intervalIn('100:00:00'))).toBe('100');
    expect(extractInterval('quarter', intervalIn('-7 mons'))).toBe('-3');
  });
});

describe('date_trunc', () => {
  it('truncates timestamps, BC centuries included', () => {
    expect(trunc('week', '2024-01-17 13:45')).toBe('2024-01-15 00:00:00');
    expect(trunc('quarter', '2024-05-17')).toBe('2024-04-01 00:00:00');
    expect(trunc('century', '2024-05-17')).toBe('2001-01-01 00:00:00');
    expect(trunc('millennium', '2000-12-31')).toBe('1001-01-01 00:00:00');
    expect(trunc('century', '0050-01-01 BC')).toBe('0100-01-01 00:00:00 BC');
    expect(trunc('decade', '0005-01-01 BC')).toBe('0011-01-01 00:00:00 BC');
    expect(trunc('milliseconds', '2024-05-17 01:02:03.456789')).toBe('2024-05-17 01:02:03.456');
    expect(() => trunc('month', '4714-11-24 BC')).toThrow('timestamp out of range');
    expect(() => trunc('dow', '2024-01-01')).toThrow('unit "dow" not recognized');
  });

  it('truncates intervals', () => {
    expect(intervalOut(dateTruncInterval('hour', intervalIn('100 days 05:06:07')))).toBe('100 days 05:00:00');
    expect(intervalOut(dateTruncInterval('year', intervalIn('-1 year -5 mons')))).toBe('-1 years');
    expect(() => dateTruncInterval('week', intervalIn('1 day'))).toThrow('unit "week" not supported for type interval');
  });
});
