import { describe, expect, it } from 'vitest';
import { INTERVAL_INFINITY, intervalCmp, intervalIn, intervalOut, intervalType } from './interval.ts';
import {
  intervalDiv, intervalMul, intervalPl, intervalUm, justifyDays, justifyHours, justifyInterval,
} from './intervalarith.ts';

const io = (text: string): string => intervalOut(intervalIn(text));

describe('interval text', () => {
  it('prints the postgres IntervalStyle', () => {
    expect(io('1 year 2 mons 3 days 04:05:06')).toBe('1 year 2 mons 3 days 04:05:06');
    expect(io('-1 second')).toBe('-00:00:01');
    expect(io('-1 day +02:00:00')).toBe('-1 days +02:00:00');
    expect(io('-1 years -2 mons +3 days -04:05:06')).toBe('-1 years -2 mons +3 days -04:05:06');
    expect(io('0')).toBe('00:00:00');
    expect(io('100:00:00')).toBe('100:00:00');
    expect(io('infinity')).toBe('infinity');
  });

  it('reads verbose input with fractions spilling into smaller units', () => {
    expect(io('@ 1 hour ago')).toBe('-01:00:00');
    expect(io('1.5 months')).toBe('1 mon 15 days');
    expect(io('1.7 years')).toBe('1 year 8 mons');
    expect(io('1.333333 months')).toBe('1 mon 9 days 23:59:59.136');
    expect(io('-1.5 days')).toBe('-1 days -12:00:00');
    expect(io('1 2:03:04')).toBe('1 day 02:03:04');
    expect(io('12:34.5')).toBe('00:12:34.5');
    expect(io('1y 2mon 3d 4h 5m 6s')).toBe('1 year 2 mons 3 days 04:05:06');
    expect(io('1.5 us')).toBe('00:00:00.000001');
  });

  it('reads ISO 8601 durations', () => {
    expect(io('P1Y2M3DT4H5M6S')).toBe('1 year 2 mons 3 days 04:05:06');
    expect(io('P1W')).toBe('7 days');
    expect(io('P0001-02-03T04:05:06')).toBe('1 year 2 mons 3 days 04:05:06');
    expect(io('PT1.5H')).toBe('01:30:00');
    expect(io('P-1Y-2M')).toBe('-1 years -2 mons');
  });

  it('raises PostgreSQL errors', () => {
    expect(() => intervalIn('1 day 1 day')).toThrow('invalid input syntax for type interval: "1 day 1 day"');
    expect(() => intervalIn('2147483648 days')).toThrow('interval field value out of range: "2147483648 days"');
    expect(() => intervalIn('178956971 years')).toThrow('interval out of range');
    expect(() => intervalIn('1:60')).toThrow('interval field value out of range');
  });
});

describe('interval arithmetic and order', () => {
  it('compares months as 30 days and days as 24 hours', () => {
    expect(intervalCmp(intervalIn('1 mon'), intervalIn('30 days'))).toBe(0);
    expect(intervalCmp(intervalIn('1 day'), intervalIn('24 hours'))).toBe(0);
    expect(intervalCmp(intervalIn('1 mon'), intervalIn('29 days 23:59:59'))).toBe(1);
    expect(intervalCmp(INTERVAL_INFINITY, intervalIn('178956970 years'))).toBe(1);
  });

  it('multiplies and divides with PostgreSQL cascading', () => {
    expect(intervalOut(intervalMul(intervalIn('1 mon 1 day'), -1.5))).toBe('-1 mons -16 days -12:00:00');
    expect(intervalOut(intervalDiv(intervalIn('3 days 5 hours'), 7))).toBe('11:00:00');
    expect(intervalOut(intervalMul(intervalIn('1 year 2 months'), 1.5))).toBe('1 year 9 mons');
    expect(() => intervalDiv(intervalIn('1 day'), 0)).toThrow('division by zero');
  });

  it('adds, negates and justifies', () => {
    expect(intervalOut(intervalPl(intervalIn('1 day'), intervalIn('-25 hours')))).toBe('1 day -25:00:00');
    expect(() => intervalUm(intervalIn('-178956970 years -8 mons'))).toThrow('interval out of range');
    expect(intervalOut(justifyHours(intervalIn('1 day -25:00:00')))).toBe('-01:00:00');
    expect(intervalOut(justifyDays(intervalIn('-1 mon 35 days')))).toBe('5 days');
    expect(intervalOut(justifyInterval(intervalIn('1 mon -35 days -25:00')))).toBe('-6 days -01:00:00');
  });

  it('stores time, day, month in 16 bytes', () => {
    const view = new DataView(new ArrayBuffer(16));
    intervalType.writeFixed?.(view, 0, intervalIn('1 mon 2 days 00:00:03'));
    expect(view.getBigInt64(0, true)).toBe(3_000_000n);
    expect(view.getInt32(8, true)).toBe(2);
    expect(view.getInt32(12, true)).toBe(1);
    expect(intervalType.readFixed?.(view, 0)).toEqual({ months: 1, days: 2, micros: 3_000_000n });
  });
});
