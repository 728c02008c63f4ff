import { describe, expect, it } from 'vitest';
import { BLCKSZ } from '../../constants.ts';
import { pageChecksum, pageHash32ForTests } from './checksum.ts';

/** A page of deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
function randomPage(seed: number): Uint8Array {
  const page = new Uint8Array(BLCKSZ);
  let x = seed | 1;
  for (let i = 0; i < BLCKSZ; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    page[i] = x;
  }
  return page;
}

describe('pageChecksum', () => {
  it('is a 16-bit value that is never 0, and deterministic', () => {
    for (let seed = 1; seed < 200; seed++) {
      const c = pageChecksum(randomPage(seed), seed);
      expect(c).toBeGreaterThanOrEqual(1);
      expect(c).toBeLessThanOrEqual(65535);
    }
    expect(pageChecksum(randomPage(7), 3)).toBe(pageChecksum(randomPage(7), 3));
    expect(pageChecksum(new Uint8Array(BLCKSZ), 0)).toBeGreaterThan(0);
  });

  it('changes when any byte outside pd_checksum changes', () => {
    const page = randomPage(42);
    const base32 = pageHash32ForTests(page);
    const base = pageChecksum(page, 5);
    let foldCollisions = 0;
    for (let i = 0; i < BLCKSZ; i++) {
      if (i === 8 || i === 9) continue;
      for (const flip of [0x01, 0x80, 0xff]) {
        page[i] ^= flip;
        // Before the fold to 16 bits a change inside one word is always seen.
        expect(pageHash32ForTests(page)).not.toBe(base32);
        if (pageChecksum(page, 5) === base) foldCollisions++;
        page[i] ^= flip;
      }
    }
    // 24,570 changes, each lost by the 16-bit fold with chance 1/65535:
    // about 0.4 expected; more than 4 would mean the fold is biased.
    expect(foldCollisions).toBeLessThanOrEqual(4);
  });

  it('ignores pd_checksum (bytes 8..9) but not pd_flags (bytes 10..11)', () => {
    const page = randomPage(9);
    const c = pageChecksum(page, 1);
    page[8] = 0x12;
    page[9] = 0x34;
    expect(pageChecksum(page, 1)).toBe(c);
    page[8] = c & 0xff;
    page[9] = c >>> 8;
    expect(pageChecksum(page, 1)).toBe(c);
    page[10] ^= 1;
    expect(pageChecksum(page, 1)).not.toBe(c);
  });

  it('depends on the block number: a page misplaced by up to 65535 blocks always fails', () => {
    const page = randomPage(3);
    const at0 = pageChecksum(page, 1000);
    const seen = new Set<number>();
    for (let blk = 0; blk < 65536; blk += 1) seen.add(pageChecksum(page, 1000 ^ blk));
    // Block numbers differing in the low 16 bits only: all but at most one pair distinct.
    expect(seen.size).toBeGreaterThanOrEqual(65535);
    expect(pageChecksum(page, 1001)).not.toBe(at0);
    expect(pageChecksum(page, 0x7fffffff)).not.toBe(pageChecksum(page, 0x7ffffffe));
  });

  it('gives the same value for a page at an unaligned place in its buffer', () => {
    const page = randomPage(11);
    const big = new Uint8Array(BLCKSZ + 3);
    big.set(page, 3);
    expect(pageChecksum(big.subarray(3), 77)).toBe(pageChecksum(page, 77));
    const shared = new Uint8Array(new SharedArrayBuffer(BLCKSZ * 3));
    shared.set(page, BLCKSZ);
    expect(pageChecksum(shared.subarray(BLCKSZ, 2 * BLCKSZ), 77)).toBe(pageChecksum(page, 77));
  });

  it('rejects arrays that are not one page', () => {
    expect(() => pageChecksum(new Uint8Array(100), 0)).toThrow(/BLCKSZ/);
  });
});
