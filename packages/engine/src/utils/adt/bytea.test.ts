import { describe, expect, it } from 'vitest';
import { byteaCompare, byteain, byteaout, byteaType } from './bytea.ts';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

describe('bytea', () => {
  it('reads hex and escape formats', () => {
    expect(byteain('\\x0102FF')).toEqual(bytes(1, 2, 255));
    expect(byteain('\\x 01\n02 ')).toEqual(bytes(1, 2));
    expect(byteain('a\\001b\\\\')).toEqual(bytes(0x61, 1, 0x62, 0x5c));
    expect(byteain('é')).toEqual(bytes(0xc3, 0xa9));
  });

  it('raises PostgreSQL errors', () => {
    expect(() => byteain('\\x012')).toThrow('invalid hexadecimal data: odd number of digits');
    expect(() => byteain('\\x0g')).toThrow('invalid hexadecimal digit: "g"');
    expect(() => byteain('a\\9')).toThrow('invalid input syntax for type bytea');
    expect(() => byteain('a\\400')).toThrow('invalid input syntax for type bytea');
  });

  it('prints hex, orders by memcmp then length, copies out of pages', () => {
    expect(byteaout(bytes(0, 15, 16, 255))).toBe('\\x000f10ff');
    expect(byteaout(bytes())).toBe('\\x');
    expect(byteaCompare(bytes(1, 2), bytes(1, 2, 0))).toBeLessThan(0);
    expect(byteaCompare(bytes(2), bytes(1, 9))).toBeGreaterThan(0);
    const page = bytes(9, 1, 2, 9);
    const value = byteaType.fromBytes?.(page.subarray(1, 3)) as Uint8Array;
    page[1] = 0;
    expect(value).toEqual(bytes(1, 2));
  });
});
