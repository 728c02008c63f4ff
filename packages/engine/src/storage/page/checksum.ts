/*
 * checksum.ts — the 16-bit data page checksum.
 *
 * Exports:
 *   pageChecksum(page, blkno) -> checksum of an 8 KB page image, 1..65535
 *
 * bufpage.ts stamps it into pd_checksum before a page is written
 * (pageSetChecksumInplace) and checks it after a page is read
 * (pageVerifyChecksum). README.md in this folder describes where it is used.
 *
 * The algorithm, in the spirit of PostgreSQL's pg_checksum_page (FNV-1a
 * lanes over 32-bit words) but our own:
 *
 *   1. The page is read as 2048 little-endian 32-bit words, with the 16 bits
 *      of pd_checksum read as zero (the checksum cannot cover itself). The
 *      page itself is never written, so a reader holding only a share lock
 *      may compute it.
 *   2. Word i goes to lane i % 8. Each lane is an FNV-1a-like state:
 *          x = imul(lane ^ word, FNV_PRIME);  lane = x ^ (x >>> 17)
 *      The shift brings high bits down, because a multiply only carries
 *      change upward and the final fold keeps low bits too.
 *   3. Two more rounds with zero words push the last words through the mix.
 *   4. The lanes are XORed together, then XORed with the block number, so the
 *      same image stored at another block fails the check.
 *   5. The 32 bits are folded to 1..65535 with (h mod 65535) + 1: never 0,
 *      so a zero pd_checksum always means "never stamped".
 *
 * Properties this gives (the tests check them):
 *   - Each step is a bijection of the lane state for a fixed word, so any
 *     change confined to one 32-bit word (any bits of any one byte, say)
 *     always changes the 32-bit value before the fold; the fold then loses
 *     it with probability about 1/65535.
 *   - Block numbers that differ only in their low 16 bits change only the low
 *     half of h, and (hi + lo) mod 65535 then always differs (except lo
 *     values 0 and 65535): a page misplaced by fewer than 65536 blocks is
 *     caught for certain, not by chance.
 *
 * Why 8 lanes and not PostgreSQL's 32: PostgreSQL picks 32 so a C compiler
 * turns the inner loop into SIMD instructions. JavaScript engines do not
 * vectorize, so the lanes are plain local variables instead; 8 of them are
 * enough independent multiply chains to keep the CPU's multiplier busy
 * (measured: about 2-3 µs per 8 KB page, 3 GB/s, against 5-6 µs for 32 lanes
 * kept in an array).
 */

import { BLCKSZ } from '../../constants.ts';
import { Assert } from '../../utils/errors.ts';

/** The 32-bit FNV prime (2^24 + 2^8 + 0x93). */
const FNV_PRIME = 16777619;

/*
 * Lane seeds: the first 32 bits of the fractional parts of the square roots
 * of the first eight primes (the SHA-256 initial values), numbers with no
 * structure to hide. Distinct seeds keep identical lanes from cancelling in
 * the XOR of step 4 when the page repeats with period 8 words.
 */
const SEED0 = 0x6a09e667 | 0;
const SEED1 = 0xbb67ae85 | 0;
const SEED2 = 0x3c6ef372 | 0;
const SEED3 = 0xa54ff53a | 0;
const SEED4 = 0x510e527f | 0;
const SEED5 = 0x9b05688c | 0;
const SEED6 = 0x1f83d9ab | 0;
const SEED7 = 0x5be0cd19 | 0;

/** Words per page; the main loop takes 8 (one per lane) per step. */
const PAGE_WORDS = BLCKSZ >>> 2;

/** pd_checksum is the low half of word 2 (bytes 8..9); pd_flags is the high half. */
const CHECKSUM_WORD_MASK = 0xffff0000 | 0;

/*
 * The platform must be little-endian: the Uint32Array view below reads words
 * in the platform's order and the page format is little-endian.
 */
Assert(new Uint8Array(new Uint32Array([0x01020304]).buffer)[0] === 0x04, 'platform must be little-endian');
Assert(PAGE_WORDS % 8 === 0, 'page must be a whole number of 8-word steps');

/*
 * One cached word view of the last buffer seen. Pages are subarrays of the
 * one SharedArrayBuffer of the buffer pool, so after the first call this is
 * always a hit and no view is allocated per page. The cache keeps that
 * buffer alive, which it is anyway.
 */
let viewBuffer: ArrayBufferLike | null = null;
let viewWords: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

function wordsOf(buffer: ArrayBufferLike): Uint32Array<ArrayBufferLike> {
  if (buffer !== viewBuffer) {
    viewBuffer = buffer;
    viewWords = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
  }
  return viewWords;
}

/**
 * Checksum of one page image as stored at block `blkno`, in 1..65535.
 * The value in pd_checksum does not take part.
 */
export function pageChecksum(page: Uint8Array, blkno: number): number {
  Assert(page.length === BLCKSZ, 'page must be BLCKSZ bytes');
  const h = (page.byteOffset & 3) === 0 ? hashAligned(page) : hashUnaligned(page);
  return ((h ^ blkno) >>> 0) % 65535 + 1;
}

/** Steps 1-4 on a page whose first byte is 4-aligned in its buffer: one word load per word. */
function hashAligned(page: Uint8Array): number {
  const w = wordsOf(page.buffer);
  let i = page.byteOffset >>> 2;
  const end = i + PAGE_WORDS;
  let x = 0;
  // The first step by hand, to read pd_checksum as zero.
  x = Math.imul(SEED0 ^ w[i], FNV_PRIME);
  let s0 = x ^ (x >>> 17);
  x = Math.imul(SEED1 ^ w[i + 1], FNV_PRIME);
  let s1 = x ^ (x >>> 17);
  x = Math.imul(SEED2 ^ (w[i + 2] & CHECKSUM_WORD_MASK), FNV_PRIME);
  let s2 = x ^ (x >>> 17);
  x = Math.imul(SEED3 ^ w[i + 3], FNV_PRIME);
  let s3 = x ^ (x >>> 17);
  x = Math.imul(SEED4 ^ w[i + 4], FNV_PRIME);
  let s4 = x ^ (x >>> 17);
  x = Math.imul(SEED5 ^ w[i + 5], FNV_PRIME);
  let s5 = x ^ (x >>> 17);
  x = Math.imul(SEED6 ^ w[i + 6], FNV_PRIME);
  let s6 = x ^ (x >>> 17);
  x = Math.imul(SEED7 ^ w[i + 7], FNV_PRIME);
  let s7 = x ^ (x >>> 17);
  for (i += 8; i < end; i += 8) {
    x = Math.imul(s0 ^ w[i], FNV_PRIME);
    s0 = x ^ (x >>> 17);
    x = Math.imul(s1 ^ w[i + 1], FNV_PRIME);
    s1 = x ^ (x >>> 17);
    x = Math.imul(s2 ^ w[i + 2], FNV_PRIME);
    s2 = x ^ (x >>> 17);
    x = Math.imul(s3 ^ w[i + 3], FNV_PRIME);
    s3 = x ^ (x >>> 17);
    x = Math.imul(s4 ^ w[i + 4], FNV_PRIME);
    s4 = x ^ (x >>> 17);
    x = Math.imul(s5 ^ w[i + 5], FNV_PRIME);
    s5 = x ^ (x >>> 17);
    x = Math.imul(s6 ^ w[i + 6], FNV_PRIME);
    s6 = x ^ (x >>> 17);
    x = Math.imul(s7 ^ w[i + 7], FNV_PRIME);
    s7 = x ^ (x >>> 17);
  }
  return finish(s0, s1, s2, s3, s4, s5, s6, s7);
}

/** The same hash for a page at an odd place in its buffer: words assembled from bytes. */
function hashUnaligned(page: Uint8Array): number {
  let s0 = SEED0;
  let s1 = SEED1;
  let s2 = SEED2;
  let s3 = SEED3;
  let s4 = SEED4;
  let s5 = SEED5;
  let s6 = SEED6;
  let s7 = SEED7;
  let x = 0;
  for (let b = 0; b < BLCKSZ; b += 32) {
    x = Math.imul(s0 ^ wordAt(page, b), FNV_PRIME);
    s0 = x ^ (x >>> 17);
    x = Math.imul(s1 ^ wordAt(page, b + 4), FNV_PRIME);
    s1 = x ^ (x >>> 17);
    x = Math.imul(s2 ^ (b === 0 ? wordAt(page, 8) & CHECKSUM_WORD_MASK : wordAt(page, b + 8)), FNV_PRIME);
    s2 = x ^ (x >>> 17);
    x = Math.imul(s3 ^ wordAt(page, b + 12), FNV_PRIME);
    s3 = x ^ (x >>> 17);
    x = Math.imul(s4 ^ wordAt(page, b + 16), FNV_PRIME);
    s4 = x ^ (x >>> 17);
    x = Math.imul(s5 ^ wordAt(page, b + 20), FNV_PRIME);
    s5 = x ^ (x >>> 17);
    x = Math.imul(s6 ^ wordAt(page, b + 24), FNV_PRIME);
    s6 = x ^ (x >>> 17);
    x = Math.imul(s7 ^ wordAt(page, b + 28), FNV_PRIME);
    s7 = x ^ (x >>> 17);
  }
  return finish(s0, s1, s2, s3, s4, s5, s6, s7);
}

function wordAt(page: Uint8Array, b: number): number {
  return page[b] | (page[b + 1] << 8) | (page[b + 2] << 16) | (page[b + 3] << 24);
}

/** Step 3 (two rounds of zero words) and the XOR of step 4, before the block number. */
function finish(
  s0: number,
  s1: number,
  s2: number,
  s3: number,
  s4: number,
  s5: number,
  s6: number,
  s7: number,
): number {
  let h = 0;
  h ^= mixZeroTwice(s0);
  h ^= mixZeroTwice(s1);
  h ^= mixZeroTwice(s2);
  h ^= mixZeroTwice(s3);
  h ^= mixZeroTwice(s4);
  h ^= mixZeroTwice(s5);
  h ^= mixZeroTwice(s6);
  h ^= mixZeroTwice(s7);
  return h;
}

function mixZeroTwice(s: number): number {
  let x = Math.imul(s, FNV_PRIME);
  x ^= x >>> 17;
  x = Math.imul(x, FNV_PRIME);
  return x ^ (x >>> 17);
}

/**
 * The 32-bit value before the block number and the fold, for tests that
 * check "a change in one word always changes it".
 */
export function pageHash32ForTests(page: Uint8Array): number {
  return ((page.byteOffset & 3) === 0 ? hashAligned(page) : hashUnaligned(page)) >>> 0;
}
