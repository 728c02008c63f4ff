/*
 * time.test.ts — the time type's text form and on-disk bytes (int8
 * microseconds since midnight, little-endian as PostgreSQL writes them on
 * x86), and the arithmetic that wraps at midnight.
 */
import { describe, expect, it } from 'vitest';
import { adjustTimeForTypmod, extractTime, timeIn, timeMiInterval, timeOut, timePlInterval, timeType } from './time.ts';
import { makeInterval } from './interval.ts';

describe('time', () => {
  it('reads and prints PostgreSQL text', () => {
    expect(timeOut(timeIn('02:30'))).toBe('02:30:00');
    expect(timeOut(timeIn('13:45:10.500'))).toBe('13:45:10.5');
    expect(timeOut(timeIn('24:00'))).toBe('24:00:00');
    expect(timeOut(timeIn('2:30 PM'))).toBe('14:30:00');
    expect(timeOut(timeIn('allballs'))).toBe('00:00:00');
    expect(() => timeIn('25:00')).toThrow(/out of range/);
    expect(() => timeIn('abc')).toThrow(/invalid input syntax for type time/);
  });

  it('stores int8 microseconds, as PostgreSQL does', () => {
    const t = timeIn('01:02:03.000004');
    expect(t).toBe(3723000004n);
    const view = new DataView(new ArrayBuffer(8));
    timeType.writeFixed?.(view, 0, t);
    expect([...new Uint8Array(view.buffer)]).toEqual([0xc4, 0x78, 0xe8, 0xdd, 0x00, 0x00, 0x00, 0x00]);
    expect(timeType.readFixed?.(view, 0)).toBe(t);
    expect(timeType.typlen).toBe(8);
    expect(timeType.typalign).toBe('d');
  });

  it('rounds to a typmod, possibly up to 24:00:00', () => {
    expect(timeOut(adjustTimeForTypmod(timeIn('10:20:30.456'), 2))).toBe('10:20:30.46');
    expect(timeOut(adjustTimeForTypmod(timeIn('23:59:59.9999'), 0))).toBe('24:00:00');
  });

  it('adds an interval\'s time part, wrapping around midnight', () => {
    expect(timeOut(timePlInterval(timeIn('23:00'), makeInterval(0, 1, 7_200_000_000n)))).toBe('01:00:00');
    expect(timeOut(timeMiInterval(timeIn('01:00'), makeInterval(0, 0, 7_200_000_000n)))).toBe('23:00:00');
  });

  it('extracts fields as numeric text', () => {
    expect(extractTime('second', timeIn('13:45:10.5'))).toBe('10.500000');
    expect(extractTime('epoch', timeIn('01:00:00.25'))).toBe('3600.250000');
    expect(() => extractTime('day', 0n)).toThrow(/not supported for type time without time zone/);
  });
});
