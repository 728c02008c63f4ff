import { describe, expect, it } from 'vitest';
import { isPgError } from '../utils/errors.ts';
import { pglzCompress, pglzDecompress } from './pg_lzcompress.ts';

/** Deterministic pseudo-random bytes (xorshift32). */
function randomBytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x;
  }
  return b;
}

function textBytes(n: number): Uint8Array {
  const words = ['select', 'from', 'where', 'tuple', 'page', 'buffer', 'the', 'of', 'PostgreSQL', 'vacuum', 'index', 'heap'];
  let s = '';
  let x = 12345;
  while (s.length < n) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    s += words[(x >>> 16) % words.length] + ((x & 7) === 0 ? '.\n' : ' ');
  }
  return new TextEncoder().encode(s.slice(0, n));
}

/** Byte equality by a plain loop: vitest's deep equality takes seconds on megabyte arrays. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function roundTrip(data: Uint8Array): Uint8Array | null {
  const c = pglzCompress(data);
  if (c !== null) {
    expect(c.length).toBeLessThan(Math.floor(data.length * 0.75));
    expect(sameBytes(pglzDecompress(c, data.length), data)).toBe(true);
  }
  return c;
}

function expectCorrupt(fn: () => unknown): void {
  try {
    fn();
    expect.unreachable('expected corrupt-data error');
  } catch (e) {
    expect(isPgError(e)).toBe(true);
    if (isPgError(e)) {
      expect(e.code).toBe('XX001');
      expect(e.message).toBe('compressed pglz data is corrupt');
    }
  }
}

describe('pglz', () => {
  it('round-trips repetitive and text data of many sizes up to 1 MB', () => {
    for (const n of [32, 33, 100, 1000, 4095, 4096, 4097, 65536, 1 << 20]) {
      const rep = new Uint8Array(n);
      for (let i = 0; i < n; i++) rep[i] = 'abcdefg'.charCodeAt(i % 7);
      expect(roundTrip(rep)).not.toBeNull();
      expect(roundTrip(new Uint8Array(n))).not.toBeNull();
      if (n >= 1000) expect(roundTrip(textBytes(n))).not.toBeNull();
    }
  });

  it('compresses runs with overlapping back-references to a few bytes', () => {
    const zeros = new Uint8Array(100_000);
    const c = pglzCompress(zeros);
    expect(c).not.toBeNull();
    // 273 bytes per 3-byte tag, plus control bytes.
    expect(c!.length).toBeLessThan(1300);
    expect(sameBytes(pglzDecompress(c!, zeros.length), zeros)).toBe(true);
  });

  it('round-trips mixtures of random and repeated stretches', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const n = 2000 + seed * 3001;
      const data = randomBytes(n, seed);
      // Copy earlier stretches forward at distances up to and beyond the 4 KB window.
      for (let i = 0; i < 60; i++) {
        const len = 3 + ((i * 37 + seed) % 400);
        const dist = 1 + ((i * 977 + seed * 13) % 5000);
        const at = (i * 7919 + seed) % n;
        for (let k = 0; k < len && at + k < n && at + k - dist >= 0; k++) data[at + k] = data[at + k - dist];
      }
      // Long repeated block so the whole is compressible enough.
      const block = data.slice(0, 500);
      for (let at = 1000; at + 500 <= n; at += 1500) data.set(block, at);
      const c = pglzCompress(data);
      if (c !== null) expect(sameBytes(pglzDecompress(c, n), data)).toBe(true);
    }
  });

  it('refuses short, incompressible and barely compressible input', () => {
    expect(pglzCompress(new Uint8Array(31))).toBeNull();
    expect(pglzCompress(randomBytes(1 << 20, 7))).toBeNull();
    expect(pglzCompress(randomBytes(2000, 8))).toBeNull();
    // Random for the first 2 KB, then zeros: no match in the first 1 KB of output, so pglz gives up.
    const lateRepeat = new Uint8Array(100_000);
    lateRepeat.set(randomBytes(2048, 9));
    expect(pglzCompress(lateRepeat)).toBeNull();
    // About 10% savings is not the required 25%.
    const mostlyRandom = randomBytes(10_000, 10);
    for (let i = 0; i < 10_000; i += 100) mostlyRandom.fill(0, i, i + 12);
    expect(pglzCompress(mostlyRandom)).toBeNull();
  });

  it('decodes a hand-assembled PostgreSQL-format stream', () => {
    // "abcabcabcabcX": literals a, b, c; tag off 3 len 9; literal X.
    const stream = Uint8Array.of(0b0000_1000, 0x61, 0x62, 0x63, 0x06, 0x03, 0x58);
    expect(new TextDecoder().decode(pglzDecompress(stream, 13))).toBe('abcabcabcabcX');
    // A 3-byte tag: len 18 + 2 = 20 from off 1 after one literal.
    const long = Uint8Array.of(0b0000_0010, 0x7a, 0x0f, 0x01, 0x02);
    expect(new TextDecoder().decode(pglzDecompress(long, 21))).toBe('z'.repeat(21));
    expect(pglzDecompress(new Uint8Array(0), 0)).toEqual(new Uint8Array(0));
  });

  it('rejects corrupt streams without reading out of bounds or looping', () => {
    const good = pglzCompress(textBytes(5000))!;
    expect(good).not.toBeNull();
    expectCorrupt(() => pglzDecompress(good, 4999)); // wrong raw size: too small
    expectCorrupt(() => pglzDecompress(good, 5001)); // too big
    expectCorrupt(() => pglzDecompress(good.subarray(0, good.length - 1), 5000)); // truncated
    expectCorrupt(() => pglzDecompress(Uint8Array.of(0x01, 0x00, 0x00), 3)); // offset 0
    expectCorrupt(() => pglzDecompress(Uint8Array.of(0x02, 0x41, 0x00, 0x05), 8)); // offset past output start
    expectCorrupt(() => pglzDecompress(Uint8Array.of(0x01, 0x0f), 20)); // tag cut short
    expectCorrupt(() => pglzDecompress(Uint8Array.of(0x02, 0x41, 0x0f, 0x01), 30)); // 3-byte tag cut short
    expectCorrupt(() => pglzDecompress(Uint8Array.of(0x00, 0x41, 0x42), 1)); // more literals than rawSize
    expectCorrupt(() => pglzDecompress(good, -1));
    expectCorrupt(() => pglzDecompress(good, 1e15)); // cannot expand that far: no huge allocation

    // Random damage: every outcome is either the right bytes, other bytes of the
    // right length, or XX001; never another exception.
    const orig = textBytes(20_000);
    const comp = pglzCompress(orig)!;
    const rnd = randomBytes(4000, 99);
    for (let t = 0; t < 1000; t++) {
      const bad = comp.slice();
      const pos = ((rnd[t * 2] << 8) | rnd[t * 2 + 1]) % bad.length;
      bad[pos] ^= 1 << (t & 7);
      try {
        expect(pglzDecompress(bad, orig.length).length).toBe(orig.length);
      } catch (e) {
        expect(isPgError(e) && e.code === 'XX001').toBe(true);
      }
    }
  });
});
