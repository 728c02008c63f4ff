import { describe, expect, it } from 'vitest';
import {
  bpcharApplyTypmod, bpcharType, charLength, compareCodePoints, nameIn, nameType, NAMEDATALEN, textType,
  utf8Decode, varcharApplyTypmod, varcharType,
} from './text.ts';

function err(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    const { code, message } = e as { code: string; message: string };
    return { code, message };
  }
  throw new Error('expected an error');
}

describe('collation "C"', () => {
  it('orders by code point, as memcmp orders UTF-8', () => {
    // U+FF5E sorts below U+1F600 by code point, though its UTF-16 unit is larger than a surrogate.
    expect(compareCodePoints('\uFF5E', '😀')).toBeLessThan(0);
    expect('\uFF5E' < '😀').toBe(false);
    expect(compareCodePoints('B', 'a')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'abc')).toBeLessThan(0);
    expect(compareCodePoints('é', 'z')).toBeGreaterThan(0);
    const words = ['😀', 'b', 'a', '\uFF5E', 'é', 'A', ''];
    const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...words].sort(compareCodePoints)).toEqual(byBytes);
  });
});

describe('varchar(n) and char(n)', () => {
  const vc5 = 5 + 4;
  it('rejects long values unless the excess is spaces; explicit casts truncate', () => {
    expect(err(() => varcharType.input('abcdef', vc5))).toEqual({
      code: '22001',
      message: 'value too long for type character varying(5)',
    });
    expect(varcharType.input('abcde   ', vc5)).toBe('abcde');
    expect(varcharApplyTypmod('abcdef', vc5, true)).toBe('abcde');
    expect(varcharApplyTypmod('😀😀😀😀😀😀', vc5, true)).toBe('😀😀😀😀😀');
    expect(charLength('😀é')).toBe(2);
  });

  it('pads char(n) with spaces and compares without trailing spaces', () => {
    expect(bpcharType.input('ab', vc5)).toBe('ab   ');
    expect(err(() => bpcharType.input('abcdef', vc5)).message).toBe('value too long for type character(5)');
    expect(bpcharApplyTypmod('abcdef', vc5, true)).toBe('abcde');
    expect(bpcharType.compare('a  ', 'a')).toBe(0);
    expect(bpcharType.compare('a', 'a\t')).toBeLessThan(0);
    expect(bpcharType.input('ab', -1)).toBe('ab');
  });
});

describe('text storage', () => {
  it('stores UTF-8 and rejects NUL and lone surrogates', () => {
    const bytes = textType.toBytes?.('héllo😀') as Uint8Array;
    expect(bytes.length).toBe(10);
    expect(textType.fromBytes?.(bytes)).toBe('héllo😀');
    expect(err(() => textType.input('a\0b', -1))).toEqual({
      code: '22021',
      message: 'invalid byte sequence for encoding "UTF8": 0x00',
    });
    expect(err(() => textType.input('a\uD800', -1)).code).toBe('22021');
    expect(textType.input('😀', -1)).toBe('😀');
  });

  it('decodes views of shared memory', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(64));
    const long = 'x'.repeat(40) + 'é';
    shared.set(Buffer.from(long), 8);
    expect(utf8Decode(shared.subarray(8, 8 + 42))).toBe(long);
  });
});

describe('name', () => {
  it('truncates to 63 bytes without splitting a character', () => {
    expect(Buffer.byteLength(nameIn('é'.repeat(40)))).toBe(62);
    expect(nameIn('a'.repeat(70))).toBe('a'.repeat(63));
  });

  it('is a fixed 64-byte, NUL-padded field', () => {
    const view = new DataView(new ArrayBuffer(NAMEDATALEN + 2));
    new Uint8Array(view.buffer).fill(0xff);
    nameType.writeFixed?.(view, 1, 'pg_class');
    expect(nameType.readFixed?.(view, 1)).toBe('pg_class');
    expect(new Uint8Array(view.buffer)[1 + 8]).toBe(0);
    expect(new Uint8Array(view.buffer)[1 + 63]).toBe(0);
    expect(new Uint8Array(view.buffer)[1 + 64]).toBe(0xff);
  });
});
