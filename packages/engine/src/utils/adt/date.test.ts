import { describe, expect, it } from 'vitest';
import {
  dateIn, dateMinusDate, dateOut, datePlusDays, datePlusInterval, dateToJsDate, dateToTimestamp, jsDateToDate,
  timestampToDate, dateType,
} from './date.ts';
import { DATEVAL_NOBEGIN, DATEVAL_NOEND } from './datetime.ts';
import { intervalIn } from './interval.ts';
import { timestampOut } from './timestamp.ts';

describe('date', () => {
  it('reads and prints ISO dates, BC years and infinities', () => {
    expect(dateIn('2024-01-15')).toBe(8780);
    expect(dateOut(dateIn(' 2024-1-5 '))).toBe('2024-01-05');
    expect(dateOut(dateIn('0001-01-01 BC'))).toBe('0001-01-01 BC');
    expect(dateOut(dateIn('4714-11-24 BC'))).toBe('4714-11-24 BC');
    expect(dateOut(dateIn('5874897-12-31'))).toBe('5874897-12-31');
    expect(dateIn('infinity')).toBe(DATEVAL_NOEND);
    expect(dateOut(DATEVAL_NOBEGIN)).toBe('-infinity');
  });

  it('raises PostgreSQL errors', () => {
    expect(() => dateIn('2024-13-01')).toThrow('date/time field value out of range: "2024-13-01"');
    expect(() => dateIn('5874898-01-01')).toThrow('date out of range: "5874898-01-01"');
    expect(() => dateIn('4714-11-23 BC')).toThrow('date out of range: "4714-11-23 BC"');
    expect(() => dateIn('x')).toThrow('invalid input syntax for type date: "x"');
  });

  it('does arithmetic in days', () => {
    expect(dateOut(datePlusDays(dateIn('2024-02-28'), 1))).toBe('2024-02-29');
    expect(dateMinusDate(dateIn('2024-01-31'), dateIn('2023-01-31'))).toBe(365);
    expect(datePlusDays(DATEVAL_NOEND, 5)).toBe(DATEVAL_NOEND);
    expect(() => dateMinusDate(DATEVAL_NOEND, 0)).toThrow('cannot subtract infinite dates');
    expect(timestampOut(datePlusInterval(dateIn('2024-01-31'), intervalIn('1 mon')))).toBe('2024-02-29 00:00:00');
    expect(() => dateToTimestamp(dateIn('300000-01-01'))).toThrow('date out of range for timestamp');
  });

  it('converts to timestamps and JS Dates', () => {
    const d = dateIn('1969-07-20');
    expect(timestampToDate(dateToTimestamp(d) + 5n)).toBe(d);
    expect(timestampToDate(dateToTimestamp(d) - 1n)).toBe(d - 1);
    expect(dateToJsDate(d).toISOString()).toBe('1969-07-20T00:00:00.000Z');
    expect(jsDateToDate(new Date('0005-03-01T12:00:00Z'))).toBe(dateIn('0005-03-01'));
    const view = new DataView(new ArrayBuffer(4));
    dateType.writeFixed?.(view, 0, d);
    expect(dateType.readFixed?.(view, 0)).toBe(d);
  });
});
