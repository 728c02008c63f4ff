import { describe, expect, it } from 'vitest';
import {
  float4in, float4out, float8cmp, float8div, float8in, float8mul, float8out, float8pl, float8ToInt4, float8Type,
  float4Type, rint,
} from './float.ts';

describe('float8 output', () => {
  it('prints the shortest round-trip digits in PostgreSQL exponent style', () => {
    const cases: [number, string][] = [
      [1e100, '1e+100'], [1.5e-7, '1.5e-07'], [123456789012345680000, '1.2345678901234568e+20'],
      [1e15, '1e+15'], [1e14, '100000000000000'], [0.1 + 0.2, '0.30000000000000004'], [1e-5, '1e-05'],
      [0.0001, '0.0001'], [5e-324, '5e-324'], [-0, '-0'], [NaN, 'NaN'], [-Infinity, '-Infinity'],
    ];
    for (const [x, text] of cases) expect(float8out(x)).toBe(text);
  });

  it('never prints a decimal that lies exactly halfway between two doubles (as Ryu does)', () => {
    // 1e23 is halfway between two doubles; reading it picks the even one, but PostgreSQL prints that one differently.
    expect(float8out(float8in('1e23'))).toBe('9.999999999999999e+22');
  });

  it('honours extra_float_digits <= 0 (%.{15+n}g)', () => {
    expect(float8out(1 / 3, 0)).toBe('0.333333333333333');
    expect(float8out(1 / 3, -3)).toBe('0.333333333333');
    expect(float8out(1e15, 0)).toBe('1e+15');
  });
});

describe('float4', () => {
  it('rounds decimal input to float4 exactly, even when the double sits on a float4 midpoint', () => {
    // 1 + 2^-24 is exactly halfway between 1 and the next float4: ties go to even (1).
    expect(float4in('1.000000059604644775390625')).toBe(1);
    // A hair above the midpoint must round up, though its nearest double is the midpoint itself.
    expect(float4in('1.0000000596046447753906251')).toBe(Math.fround(1 + 2 ** -23));
  });

  it('prints the shortest float4 digits', () => {
    expect(float4out(float4in('0.1'))).toBe('0.1');
    expect(float4out(float4in('16777217'))).toBe('1.6777216e+07');
    expect(float4out(float4in('1e6'))).toBe('1e+06');
    expect(float4out(float4in('123456'))).toBe('123456');
    expect(float4out(float4in('3.4028235e38'))).toBe('3.4028235e+38');
    expect(float4out(float4in('1e-45'))).toBe('1e-45');
  });

  it('rejects values outside float4 with 22003', () => {
    expect(() => float4in('3.40282357e38')).toThrow('"3.40282357e38" is out of range for type real');
    expect(() => float4in('1e-46')).toThrow('"1e-46" is out of range for type real');
  });
});

describe('float8 input', () => {
  it('accepts specials in any case, with a sign, surrounded by spaces', () => {
    expect(float8in(' -Infinity ')).toBe(-Infinity);
    expect(float8in('inf')).toBe(Infinity);
    expect(Number.isNaN(float8in('nAn'))).toBe(true);
    expect(float8in('0x1p-2')).toBe(0.25);
    expect(float8in('.5')).toBe(0.5);
  });

  it('rejects overflow and underflow to zero, accepts denormals', () => {
    expect(() => float8in('1e400')).toThrow('"1e400" is out of range for type double precision');
    expect(() => float8in(' 1e-400 ')).toThrow('"1e-400" is out of range for type double precision');
    expect(float8in('2.5e-324')).toBe(5e-324);
    expect(float8in('0e-999')).toBe(0);
    expect(() => float8in('1e')).toThrow('invalid input syntax for type double precision: "1e"');
  });
});

describe('arithmetic and order', () => {
  it('raises PostgreSQL errors', () => {
    expect(() => float8mul(1e308, 10)).toThrow('value out of range: overflow');
    expect(() => float8mul(1e-308, 1e-308)).toThrow('value out of range: underflow');
    expect(() => float8div(1, 0)).toThrow('division by zero');
    expect(Number.isNaN(float8pl(Infinity, -Infinity))).toBe(true);
    expect(Number.isNaN(float8div(NaN, 0))).toBe(true);
  });

  it('sorts NaN above Infinity and -0 equal to 0', () => {
    expect(float8cmp(NaN, Infinity)).toBe(1);
    expect(float8cmp(NaN, NaN)).toBe(0);
    expect(float8cmp(-0, 0)).toBe(0);
    const sorted = [NaN, 1, -Infinity, Infinity, -0].sort(float8cmp);
    expect(sorted.map((x) => float8out(x))).toEqual(['-Infinity', '-0', '1', 'Infinity', 'NaN']);
  });

  it('rounds casts to integer half to even', () => {
    expect([0.5, 1.5, 2.5, -2.5].map(rint)).toEqual([0, 2, 2, -2]);
    expect(float8ToInt4(2.5)).toBe(2);
    expect(() => float8ToInt4(2147483647.5)).toThrow('integer out of range');
  });

  it('stores IEEE bits little-endian', () => {
    const view = new DataView(new ArrayBuffer(8));
    float8Type.writeFixed?.(view, 0, -1.5);
    expect(float8Type.readFixed?.(view, 0)).toBe(-1.5);
    float4Type.writeFixed?.(view, 4, 0.1);
    expect(float4Type.readFixed?.(view, 4)).toBe(Math.fround(0.1));
  });
});
