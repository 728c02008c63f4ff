import { describe, expect, it } from 'vitest';
import {
  applyNumericTypmod, decimalFromText, decimalToText, makeNumericTypmod, numericCmp, numericIn, numericType,
  numericTypmodPrecision, numericTypmodScale, numericVarFromBytes, numericVarFromText, numericVarToBytes,
  numericVarToText, NUMERIC_NEG,
} from './numeric.ts';
import {
  numericAdd, numericDiv, numericDivTrunc, numericFromFloat8, numericMod, numericMul, numericRound, numericSqrt,
  numericSub, numericToInt4, numericTrunc, selectDivScale, divVar, addVar,
} from './numericarith.ts';

function err(fn: () => unknown): { code: string; message: string; detail?: string } {
  try {
    fn();
  } catch (e) {
    const { code, message, detail } = e as { code: string; message: string; detail?: string };
    return detail === undefined ? { code, message } : { code, message, detail };
  }
  throw new Error('expected an error');
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('numeric text form', () => {
  it('keeps the display scale of the input', () => {
    expect(numericIn(' 12.50 ')).toBe('12.50');
    expect(numericIn('-0.000')).toBe('0.000');
    expect(numericIn('1.5e-3')).toBe('0.0015');
    expect(numericIn('12.3400e1')).toBe('123.400');
    expect(numericIn('0x1F')).toBe('31');
    expect(numericIn('1_000.5')).toBe('1000.5');
    expect(numericIn('-inf')).toBe('-Infinity');
    expect(numericIn('NaN')).toBe('NaN');
  });

  it('enforces the format limits', () => {
    expect(err(() => numericIn('1e131072'))).toEqual({ code: '22003', message: 'value overflows numeric format' });
    expect(numericIn('1e131071').length).toBe(131072);
    expect(err(() => numericIn('1e-16384')).code).toBe('22003');
    expect(err(() => numericIn('-NaN'))).toEqual({ code: '22P02', message: 'invalid input syntax for type numeric: "-NaN"' });
  });

  it('applies numeric(p,s) with PostgreSQL detail messages', () => {
    const t52 = makeNumericTypmod(5, 2);
    expect(numericTypmodPrecision(t52)).toBe(5);
    expect(numericTypmodScale(makeNumericTypmod(3, -2))).toBe(-2);
    expect(numericIn('123.456', t52)).toBe('123.46');
    expect(err(() => numericIn('999.995', t52))).toEqual({
      code: '22003',
      message: 'numeric field overflow',
      detail: 'A field with precision 5, scale 2 must round to an absolute value less than 10^3.',
    });
    expect(err(() => numericIn('1.5', makeNumericTypmod(2, 2))).detail).toBe(
      'A field with precision 2, scale 2 must round to an absolute value less than 1.',
    );
    expect(err(() => numericIn('inf', t52)).detail).toBe('A field with precision 5, scale 2 cannot hold an infinite value.');
    expect(numericIn('12345', makeNumericTypmod(3, -2))).toBe('12300');
    expect(decimalToText(applyNumericTypmod(decimalFromText('NaN'), t52))).toBe('NaN');
    expect(err(() => makeNumericTypmod(1001, 0)).message).toBe('NUMERIC precision 1001 must be between 1 and 1000');
  });
});

describe('numeric on disk', () => {
  // Payloads read from a PostgreSQL 15 heap page with pageinspect (varlena header removed).
  const fixtures: [string, string][] = [
    ['0', '0080'],
    ['1', '00800100'],
    ['-12.50', '00a10c008813'],
    ['12345.678', '8181010029097c1a'],
    ['1' + '0'.repeat(300), '00004b000100'],
    ['-0.' + '0'.repeat(299) + '1', '2c41b5ff0100'],
    ['NaN', '00c0'],
    ['0.000', '8081'],
    ['0.0001', '7f820100'],
    ['123456789012345678901234567890.5', '87800c00800dd21ed2042e163423800dd21e8813'],
  ];

  it('writes PostgreSQL\'s short and long headers byte for byte', () => {
    for (const [text, payload] of fixtures) {
      expect(hex(numericVarToBytes(numericVarFromText(text)))).toBe(payload);
      expect(numericVarToText(numericVarFromBytes(Buffer.from(payload, 'hex')))).toBe(text);
    }
  });

  it('round-trips specials, huge and tiny values through toBytes/fromBytes', () => {
    const values = ['Infinity', '-Infinity', '9'.repeat(1000) + '.' + '9'.repeat(500), '-1e-16383', '1e131071', '0.5'];
    for (const v of values) {
      const canonical = numericIn(v);
      const bytes = numericType.toBytes?.(canonical) as Uint8Array;
      expect(numericType.fromBytes?.(bytes)).toBe(canonical);
    }
    expect(numericVarFromText('-12.50')).toEqual({ sign: NUMERIC_NEG, weight: 0, dscale: 2, digits: [12, 5000] });
  });
});

describe('numeric arithmetic', () => {
  it('keeps scales: max for + - %, sum for *', () => {
    expect(numericAdd('1.10', '2.2')).toBe('3.30');
    expect(numericSub('1', '0.001')).toBe('0.999');
    expect(numericMul('1.10', '2.200')).toBe('2.42000');
    expect(numericMod('-5.5', '2')).toBe('-1.5');
  });

  it('chooses the division scale as select_div_scale does', () => {
    expect(numericDiv('10', '3')).toBe('3.3333333333333333');
    expect(numericDiv('1', '7')).toBe('0.14285714285714285714');
    expect(numericDiv('100000', '3')).toBe('33333.333333333333');
    expect(numericDiv('1.0000', '3')).toBe('0.33333333333333333333');
    expect(numericDiv('123456789', '0.001')).toBe('123456789000.00000000');
    expect(selectDivScale(decimalFromText('1'), decimalFromText('300000'))).toBe(24);
    expect(numericDivTrunc('-7.5', '2')).toBe('-3');
  });

  it('follows PostgreSQL for special values', () => {
    expect(numericAdd('Infinity', '-Infinity')).toBe('NaN');
    expect(numericMul('Infinity', '0')).toBe('NaN');
    expect(numericDiv('1', 'Infinity')).toBe('0');
    expect(numericMod('2', '-Infinity')).toBe('2');
    expect(numericDiv('NaN', '0')).toBe('NaN');
    expect(err(() => numericDiv('Infinity', '0'))).toEqual({ code: '22012', message: 'division by zero' });
    expect(err(() => numericMod('1', '0.0')).code).toBe('22012');
    expect(numericCmp('NaN', 'Infinity')).toBeGreaterThan(0);
    expect(numericCmp('-Infinity', '-1e1000')).toBeLessThan(0);
    expect(numericCmp('1.0', '1.00')).toBe(0);
  });

  it('works on thousand-digit numbers exactly', () => {
    const a = '9'.repeat(1000);
    const sum = numericAdd(a, '1');
    expect(sum).toBe('1' + '0'.repeat(1000));
    expect(numericSub(sum, '1')).toBe(a);
    expect(numericMul(a, a)).toBe('9'.repeat(999) + '8' + '0'.repeat(999) + '1');
    expect(numericDiv(numericMul(a, '7'), '7')).toBe(a);
    expect(numericMod(a, '7')).toBe(String(BigInt(a) % 7n));
  });

  it('rounds half away from zero, at negative scales too', () => {
    expect(numericRound('2.5')).toBe('3');
    expect(numericRound('-2.5')).toBe('-3');
    expect(numericRound('1234.5678', -2)).toBe('1200');
    expect(numericRound('1.5', 3)).toBe('1.500');
    expect(numericTrunc('-1234.5678', 2)).toBe('-1234.56');
    expect(numericToInt4('-2.5')).toBe(-3);
    expect(err(() => numericToInt4('NaN'))).toEqual({ code: '0A000', message: 'cannot convert NaN to integer' });
  });

  it('computes sqrt to about sixteen significant digits', () => {
    expect(numericSqrt('2')).toBe('1.414213562373095');
    expect(numericSqrt('0.0001')).toBe('0.01000000000000000');
    expect(numericSqrt('1e20')).toBe('10000000000.00000');
    expect(err(() => numericSqrt('-1')).code).toBe('2201F');
  });

  it('converts from float8 through 15 significant digits', () => {
    expect(numericFromFloat8(0.1)).toBe('0.1');
    expect(numericFromFloat8(1 / 3)).toBe('0.333333333333333');
    expect(numericFromFloat8(1e20)).toBe('100000000000000000000');
    expect(numericFromFloat8(-Infinity)).toBe('-Infinity');
  });

  it('offers the same operations on NumericVar', () => {
    const q = divVar(numericVarFromText('1'), numericVarFromText('3'), 5, true);
    expect(numericVarToText(q)).toBe('0.33333');
    expect(numericVarToText(addVar(q, numericVarFromText('0.00001')))).toBe('0.33334');
  });
});
