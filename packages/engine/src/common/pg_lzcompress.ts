/*
 * pg_lzcompress.ts — pglz, the LZ77 compressor of TOAST values.
 *
 * Exports:
 *   pglzCompress(src)             -> compressed bytes, or null if not worth it
 *   pglzDecompress(src, rawSize)  -> the rawSize original bytes; throws XX001 on bad input
 *
 * The compressed format is PostgreSQL's pglz format, so values compressed here
 * and there decode the same way. A stream is groups of up to eight items, each
 * group led by a control byte whose bits, lowest first, say what each item is:
 *
 *   bit 0: a literal, one byte copied to the output as is
 *   bit 1: a tag, a back-reference "copy len bytes from off bytes back"
 *
 *        byte 0                       byte 1           byte 2 (only if len >= 18)
 *   +----------------+-------------+  +-------------+  +----------------+
 *   | off bits 11..8 | len - 3     |  | off bits 7..0 |  | len - 18       |
 *   |   (high nibble)| (low nibble)|  +-------------+  +----------------+
 *   +----------------+-------------+
 *
 *   A low nibble of 0..14 means len 3..17 in two bytes; 15 means len 18..273
 *   with the third byte. off is 1..4095: the history window is 4 KB. A tag
 *   may overlap the bytes it produces (off < len), which repeats a pattern.
 *
 * Compression (our own code, PostgreSQL's strategy): the history is a hash
 * table of 4-byte sequences whose entries chain back through earlier
 * positions with the same hash. At each input position the chain is followed
 * for the longest match (at most PGLZ_MAX_CHAIN candidates, stopping early at
 * PGLZ_GOOD_MATCH bytes); a match of 3 or more becomes a tag, anything else a
 * literal. The positions passed over are added to the history too (of a
 * long match only its tail), so later matches can start inside earlier ones.
 *
 * When to give up, as PostgreSQL's default strategy does:
 *   - input shorter than PGLZ_MIN_INPUT_SIZE (32) bytes is not tried;
 *   - no match by the time PGLZ_FIRST_SUCCESS_BY (1 KB) of output is written;
 *   - output reaching (100 - PGLZ_MIN_COMP_RATE_PERCENT)% of the input
 *     (compressed must be under 75% of the original).
 *
 * Decompression trusts nothing: every tag's offset must point into what was
 * already produced, no item may write past rawSize or read past the input, and
 * the input must end exactly when rawSize bytes are produced. Each item
 * consumes at least one input byte, so the loop ends.
 *
 * Memory: the hash table and chain arrays are allocated once per module
 * (backend) and reused; the output is assembled in a reusable scratch buffer
 * and copied out at its exact size. Inputs over SCRATCH_KEEP_MAX use a
 * buffer of their own so one huge value does not pin memory for good.
 */

import {
  PGLZ_FIRST_SUCCESS_BY,
  PGLZ_GOOD_MATCH,
  PGLZ_MAX_CHAIN,
  PGLZ_MIN_COMP_RATE_PERCENT,
  PGLZ_MIN_INPUT_SIZE,
} from '../constants.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';

/** Shortest back-reference worth a tag (a 2-byte tag for 3 bytes). */
const MATCH_MIN = 3;
/** Longest back-reference: 18 + 255, the most the third tag byte can say. */
const MATCH_MAX = 273;
/** Farthest back-reference: 12 bits of offset. */
const OFFSET_MAX = 4095;
/** Ring of chain links: one per position in the window, so a link is never overwritten while in reach. */
const WINDOW = 4096;
const WINDOW_MASK = WINDOW - 1;
/** Largest hash table, 2^13 entries; small inputs use fewer bits so clearing it stays cheap. */
const HASH_BITS_MAX = 13;
/** Every position inside a match up to this long enters the history ... */
const INSERT_ALL_MAX = 32;
/** ... and of a longer match only its last this many. */
const INSERT_TAIL = 16;
/** Back-references this short are copied byte by byte: cheaper than a copyWithin call. */
const COPY_BY_LOOP_MAX = 16;
/** Output scratch kept between calls up to this size (1 MB); bigger inputs get their own. */
const SCRATCH_KEEP_MAX = 1 << 20;

/** 2^32 / golden ratio: multiplying by it spreads nearby words over the table (Knuth). */
const HASH_MULTIPLIER = 0x9e3779b1 | 0;

const hashHead = new Int32Array(1 << HASH_BITS_MAX);
const chain = new Int32Array(WINDOW);
let scratch = new Uint8Array(4096);

function corrupt(): never {
  throw new PgError(SQLSTATE.data_corrupted, 'compressed pglz data is corrupt');
}

/** Hash of the 4 bytes starting at p, to `bits` bits (Fibonacci hashing). */
function hash4(src: Uint8Array, p: number, bits: number): number {
  const w = src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24);
  return Math.imul(w, HASH_MULTIPLIER) >>> (32 - bits);
}

/**
 * Compresses src in pglz format, or returns null when PostgreSQL's strategy
 * says not to store it compressed (too short, no early match, under 25% saved).
 */
export function pglzCompress(src: Uint8Array): Uint8Array | null {
  const n = src.length;
  if (n < PGLZ_MIN_INPUT_SIZE) return null;
  // Output must stay strictly below this to be worth keeping.
  const resultMax = Math.floor((n * (100 - PGLZ_MIN_COMP_RATE_PERCENT)) / 100);
  // A group can overshoot the check by one control byte and one 3-byte tag.
  const need = resultMax + 4;
  let out = scratch;
  if (out.length < need) {
    out = new Uint8Array(need);
    if (need <= SCRATCH_KEEP_MAX) scratch = out;
  }

  let bits = 9;
  while (bits < HASH_BITS_MAX && 1 << bits < n) bits++;
  hashHead.fill(-1, 0, 1 << bits);

  let ctrlPos = 0; // where the current group's control byte goes
  let ctrl = 0;
  let ctrlBit = 1;
  let op = 1;
  let p = 0;
  let foundMatch = false;
  const hashEnd = n - 3; // positions with 4 bytes left can be hashed

  while (p < n) {
    if (op >= resultMax) return null;
    if (!foundMatch && op >= PGLZ_FIRST_SUCCESS_BY) return null;

    let bestLen = 0;
    let bestOff = 0;
    if (p < hashEnd) {
      const h = hash4(src, p, bits);
      let cand = hashHead[h];
      const maxLen = n - p < MATCH_MAX ? n - p : MATCH_MAX;
      let good = PGLZ_GOOD_MATCH;
      for (let steps = 0; steps < PGLZ_MAX_CHAIN && cand >= 0 && p - cand <= OFFSET_MAX; steps++) {
        // The byte that would make this candidate beat the best so far decides first.
        if (src[cand + bestLen] === src[p + bestLen]) {
          let len = 0;
          while (len < maxLen && src[cand + len] === src[p + len]) len++;
          if (len > bestLen) {
            bestLen = len;
            bestOff = p - cand;
            if (len >= good || len === maxLen) break;
          }
        }
        cand = chain[cand & WINDOW_MASK];
        // Each step down the chain asks less of a match before stopping (PostgreSQL drops 10%).
        good -= good >>> 3;
      }
      chain[p & WINDOW_MASK] = hashHead[h];
      hashHead[h] = p;
    }

    if (ctrlBit === 0x100) {
      out[ctrlPos] = ctrl;
      ctrlPos = op++;
      ctrl = 0;
      ctrlBit = 1;
    }
    if (bestLen >= MATCH_MIN) {
      ctrl |= ctrlBit;
      if (bestLen < 18) {
        out[op++] = ((bestOff >>> 4) & 0xf0) | (bestLen - 3);
        out[op++] = bestOff & 0xff;
      } else {
        out[op++] = ((bestOff >>> 4) & 0xf0) | 0x0f;
        out[op++] = bestOff & 0xff;
        out[op++] = bestLen - 18;
      }
      // Enter the positions inside the match into the history too.
      // Inside a long match only its last INSERT_TAIL positions: the ones before
      // copy bytes the history already holds (the match's source), and skipping
      // them made long runs 4x faster at an unchanged ratio on text, JSON and zeros.
      // The 4-byte word rolls forward one byte per position: one load each, not four.
      const end = p + bestLen < hashEnd ? p + bestLen : hashEnd;
      const start = bestLen > INSERT_ALL_MAX && end - INSERT_TAIL > p + 1 ? end - INSERT_TAIL : p + 1;
      if (start < end) {
        let w = src[start] | (src[start + 1] << 8) | (src[start + 2] << 16) | (src[start + 3] << 24);
        for (let q = start; q < end; q++) {
          const h = Math.imul(w, HASH_MULTIPLIER) >>> (32 - bits);
          chain[q & WINDOW_MASK] = hashHead[h];
          hashHead[h] = q;
          if (q + 1 < end) w = (w >>> 8) | (src[q + 4] << 24);
        }
      }
      p += bestLen;
      foundMatch = true;
    } else {
      out[op++] = src[p++];
    }
    ctrlBit <<= 1;
  }
  out[ctrlPos] = ctrl;
  if (op >= resultMax) return null;
  return out.slice(0, op);
}

/**
 * The most bytes `srcLen` bytes of pglz can expand to: groups of a control
 * byte and eight 3-byte tags of MATCH_MAX bytes each.
 */
function maxExpansion(srcLen: number): number {
  return Math.ceil(srcLen / 25) * 8 * MATCH_MAX;
}

/**
 * Decompresses a pglz stream that must expand to exactly rawSize bytes.
 * Throws PgError XX001 "compressed pglz data is corrupt" on anything else.
 */
export function pglzDecompress(src: Uint8Array, rawSize: number): Uint8Array {
  // A size the input cannot possibly expand to is a corrupt header; refuse it before allocating.
  if (!Number.isSafeInteger(rawSize) || rawSize < 0 || rawSize > maxExpansion(src.length)) corrupt();
  const dst = new Uint8Array(rawSize);
  const srcEnd = src.length;
  let sp = 0;
  let dp = 0;
  while (sp < srcEnd) {
    let ctrl = src[sp++];
    for (let item = 0; item < 8 && sp < srcEnd; item++) {
      if ((ctrl & 1) !== 0) {
        if (sp + 1 >= srcEnd) corrupt();
        const b0 = src[sp];
        const off = ((b0 & 0xf0) << 4) | src[sp + 1];
        let len = (b0 & 0x0f) + 3;
        sp += 2;
        if (len === 18) {
          if (sp >= srcEnd) corrupt();
          len += src[sp++];
        }
        if (off === 0 || off > dp || len > rawSize - dp) corrupt();
        if (len <= COPY_BY_LOOP_MAX) {
          // Short copies byte by byte, which also repeats an overlapping pattern correctly.
          const end = dp + len;
          for (; dp < end; dp++) dst[dp] = dst[dp - off];
        } else if (off >= len) {
          dst.copyWithin(dp, dp - off, dp - off + len);
          dp += len;
        } else {
          // Overlapping: dst[from, dp) holds the pattern a whole number of times, and each copy doubles it.
          const end = dp + len;
          const from = dp - off;
          while (dp < end) {
            const c = dp - from < end - dp ? dp - from : end - dp;
            dst.copyWithin(dp, from, from + c);
            dp += c;
          }
        }
      } else {
        if (dp >= rawSize) corrupt();
        dst[dp++] = src[sp++];
      }
      ctrl >>>= 1;
    }
  }
  if (dp !== rawSize) corrupt();
  return dst;
}
