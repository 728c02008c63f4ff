import { describe, expect, it } from 'vitest';
import {
  int2in, int4add, int4div, int4in, int4mod, int4mul, int4sub, int4um, int8add, int8div, int8in, int8mod,
  int8mul, int8ToInt4, oidin, int2add, int4Type, int8Type, int2Type, oidType,
} from './int.ts';

function err(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    const { code, message } = e as { code: string; message: string };
    return { code, message };
  }
  throw new Error('expected an error');
}

describe('integer input', () => {
  it('accepts spaces, signs, underscores and prefixes', () => {
    expect(int4in(' 12 ')).toBe(12);
    expect(int4in('-2147483648')).toBe(-2147483648);
    expect(int4in('1_000_000')).toBe(1000000);
    expect(int4in('0x7FFFFFFF')).toBe(2147483647);
    expect(int4in('-0b1000')).toBe(-8);
    expect(int4in('0o_17')).toBe(15);
    expect(int2in('\t-32768\n')).toBe(-32768);
    expect(int8in('-9223372036854775808')).toBe(-9223372036854775808n);
  });

  it('reports syntax and range errors as PostgreSQL words them', () => {
    expect(err(() => int4in('x'))).toEqual({ code: '22P02', message: 'invalid input syntax for type integer: "x"' });
    expect(err(() => int4in('99999999999'))).toEqual({
      code: '22003',
      message: 'value "99999999999" is out of range for type integer',
    });
    expect(err(() => int2in('32768')).message).toBe('value "32768" is out of range for type smallint');
    expect(err(() => int8in('9223372036854775808')).message).toBe(
      'value "9223372036854775808" is out of range for type bigint',
    );
    for (const bad of ['', ' ', '+', '1_', '_1', '1__0', '0x', '1.0', '1e3', '12 3']) {
      expect(err(() => int4in(bad)).code).toBe('22P02');
    }
  });

  it('oid input wraps negative values the way strtoul does', () => {
    expect(oidin('-1')).toBe(4294967295);
    expect(oidin('4294967295')).toBe(4294967295);
    expect(oidin('010')).toBe(8);
    expect(err(() => oidin('4294967296')).code).toBe('22003');
    expect(err(() => oidin('1_0')).code).toBe('22P02');
  });
});

describe('checked arithmetic', () => {
  it('raises integer out of range at the int4 boundaries', () => {
    expect(int4add(2147483646, 1)).toBe(2147483647);
    expect(err(() => int4add(2147483647, 1))).toEqual({ code: '22003', message: 'integer out of range' });
    expect(err(() => int4sub(-2147483648, 1)).code).toBe('22003');
    expect(err(() => int4mul(65536, 32768)).code).toBe('22003');
    expect(err(() => int4um(-2147483648)).code).toBe('22003');
    expect(err(() => int4div(-2147483648, -1)).code).toBe('22003');
    expect(err(() => int2add(32767, 1)).message).toBe('smallint out of range');
  });

  it('divides toward zero and takes the sign of the dividend for %', () => {
    expect(int4div(-7, 2)).toBe(-3);
    expect(int4mod(-7, 2)).toBe(-1);
    expect(Object.is(int4mod(-2147483648, -1), 0)).toBe(true);
    expect(err(() => int4div(1, 0))).toEqual({ code: '22012', message: 'division by zero' });
    expect(err(() => int4mod(1, 0)).code).toBe('22012');
  });

  it('checks bigint arithmetic', () => {
    expect(err(() => int8add(9223372036854775807n, 1n))).toEqual({ code: '22003', message: 'bigint out of range' });
    expect(err(() => int8mul(4294967296n, 4294967296n)).code).toBe('22003');
    expect(err(() => int8div(-9223372036854775808n, -1n)).code).toBe('22003');
    expect(int8mod(-9223372036854775808n, -1n)).toBe(0n);
    expect(int8div(-7n, 2n)).toBe(-3n);
    expect(err(() => int8ToInt4(2147483648n)).message).toBe('integer out of range');
  });
});

describe('fixed-width storage', () => {
  it('round-trips the extremes through writeFixed/readFixed', () => {
    const view = new DataView(new ArrayBuffer(16));
    const cases: [typeof int2Type, (number | bigint)[]][] = [
      [int2Type, [-32768, 32767, 0]],
      [int4Type, [-2147483648, 2147483647, -1]],
      [int8Type, [-9223372036854775808n, 9223372036854775807n, 0n]],
      [oidType, [0, 4294967295]],
    ];
    for (const [type, values] of cases) {
      for (const v of values) {
        type.writeFixed?.(view, 3, v);
        expect(type.readFixed?.(view, 3)).toBe(v);
      }
    }
    int4Type.writeFixed?.(view, 0, 1);
    expect([...new Uint8Array(view.buffer, 0, 4)]).toEqual([1, 0, 0, 0]);
  });

  it('orders values', () => {
    expect(int4Type.compare(-1, 1)).toBeLessThan(0);
    expect(int8Type.compare(2n, 2n)).toBe(0);
    expect(oidType.compare(4294967295, 0)).toBeGreaterThan(0);
  });
});
