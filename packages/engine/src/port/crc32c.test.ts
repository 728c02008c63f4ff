import { describe, expect, it } from 'vitest';
import { crc32c, crc32cFinal, crc32cInit, crc32cUpdate } from './crc32c.ts';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Bit-at-a-time reference: the definition, with no tables to get wrong. */
function crc32cReference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('matches the standard check value and the RFC 3720 (iSCSI) vectors', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('agrees with the bit-at-a-time definition for every length 0..300', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
    for (let n = 0; n <= 300; n++) {
      expect(crc32c(data.subarray(0, n))).toBe(crc32cReference(data.subarray(0, n)));
    }
  });

  it('gives the same result when fed in pieces at any split point', () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => (i * 17) ^ 0x5a);
    const whole = crc32c(data);
    for (let split = 0; split <= data.length; split++) {
      let c = crc32cInit();
      c = crc32cUpdate(c, data, 0, split);
      c = crc32cUpdate(c, data, split);
      expect(crc32cFinal(c)).toBe(whole);
    }
  });

  it('returns unsigned numbers and rejects ranges outside the array', () => {
    expect(crc32c(ascii('123456789'))).toBeGreaterThan(0x7fffffff);
    expect(() => crc32cUpdate(crc32cInit(), new Uint8Array(4), 2, 5)).toThrow(RangeError);
    expect(() => crc32cUpdate(crc32cInit(), new Uint8Array(4), 3, 2)).toThrow(RangeError);
  });
});
