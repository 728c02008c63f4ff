/*
 * timetz.test.ts — time with time zone: text form (zone printed as
 * +HH[:MM[:SS]] east of UTC), the 12-byte on-disk form (int8 time, int4
 * zone west of UTC), ordering by instant then zone, and extract's zone
 * fields. SQL-level behaviour against PostgreSQL is in test/sql/time.sql.
 */
import { describe, expect, it } from 'vitest';
import { extractTimetz, timetzCmp, timetzIn, timetzOut, timetzType } from './timetz.ts';

describe('timetz', () => {
  it('reads and prints PostgreSQL text', () => {
    expect(timetzOut(timetzIn('13:45:10.5+02'))).toBe('13:45:10.5+02');
    expect(timetzOut(timetzIn('04:05:06-08:30'))).toBe('04:05:06-08:30');
    expect(timetzOut(timetzIn('04:05:06+05:45:30'))).toBe('04:05:06+05:45:30');
    expect(timetzOut(timetzIn('allballs'))).toBe('00:00:00+00');
    expect(timetzOut(timetzIn('13:45:10.555+02', 2))).toBe('13:45:10.56+02');
    expect(timetzIn('12:00+02').zone).toBe(-7200);
    expect(() => timetzIn('25:00+01')).toThrow(/out of range/);
    expect(() => timetzIn('12:00 Europe/Paris')).toThrow(/invalid input syntax for type time with time zone/);
    expect(timetzOut(timetzIn('2024-07-01 12:00 Europe/Paris'))).toBe('12:00:00+02');
  });

  it('orders by the UTC instant, then by the zone', () => {
    const a = timetzIn('12:00+01');
    const b = timetzIn('11:00+00');
    expect(timetzCmp(a, b)).toBe(-1);
    expect(timetzCmp(b, a)).toBe(1);
    expect(timetzCmp(a, timetzIn('12:00:00+01'))).toBe(0);
    expect(timetzCmp(timetzIn('10:00+00'), a)).toBe(-1);
  });

  it('stores 12 bytes: time then zone', () => {
    const view = new DataView(new ArrayBuffer(12));
    const v = timetzIn('23:59:59.999999-12');
    timetzType.writeFixed?.(view, 0, v);
    expect(view.getBigInt64(0, true)).toBe(86_399_999_999n);
    expect(view.getInt32(8, true)).toBe(43200);
    expect(timetzType.readFixed?.(view, 0)).toEqual(v);
  });

  it('extracts the zone east of UTC', () => {
    const v = timetzIn('12:00-05:30');
    expect(extractTimetz('timezone', v)).toBe('-19800');
    expect(extractTimetz('timezone_hour', v)).toBe('-5');
    expect(extractTimetz('timezone_m', v)).toBe('-30');
    expect(extractTimetz('epoch', v)).toBe('63000.000000');
    expect(() => extractTimetz('day', v)).toThrow(/not supported for type time with time zone/);
  });
});
