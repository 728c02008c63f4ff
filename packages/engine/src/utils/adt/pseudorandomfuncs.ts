/*
 * pseudorandomfuncs.ts — random(), random(min, max), random_normal() and
 * setseed(): PostgreSQL's pseudorandomfuncs.c over its pg_prng.c generator.
 *
 * Exports:
 *   PSEUDORANDOM_FUNCS   ImplTable keyed by prosrc (drandom, int4random,
 *                        int8random, drandom_normal, setseed)
 *   PgPrng               the generator (xoroshiro128**), for tests
 *
 * The generator and the way a seed becomes its state are PostgreSQL's, bit
 * for bit, so after `SELECT setseed(0.5)` the same sequence of random()
 * values comes out as on a PostgreSQL server. Without setseed the state is
 * seeded once from the platform's cryptographic random source, as
 * PostgreSQL seeds it from pg_strong_random.
 *
 * The state is per module instance: one JavaScript realm is one backend
 * (a worker backend has its own), like PostgreSQL's per-process static.
 * Databases opened side by side in one realm share it.
 *
 * 64-bit arithmetic uses BigInt with explicit masking (PostgreSQL's uint64
 * wraps); one random() costs a few BigInt operations.
 */

import type { ImplTable } from '../fmgr/fmgrimpl.ts';
import { fixed } from '../fmgr/fmgrimpl.ts';
import { SQLSTATE, ereport } from '../errors.ts';

const MASK64 = (1n << 64n) - 1n;

function rotl(x: bigint, bits: bigint): bigint {
  return ((x << bits) | (x >> (64n - bits))) & MASK64;
}

/** PostgreSQL's pg_prng_state and its operations (src/common/pg_prng.c). */
export class PgPrng {
  private s0 = 0n;
  private s1 = 0n;

  /** pg_prng_seed: two splitmix64 outputs become the state. */
  seed(seed: bigint): void {
    let st = seed & MASK64;
    const splitmix64 = (): bigint => {
      st = (st + 0x9e3779b97f4a7c15n) & MASK64;
      let v = st;
      v = ((v ^ (v >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
      v = ((v ^ (v >> 27n)) * 0x94d049bb133111ebn) & MASK64;
      return v ^ (v >> 31n);
    };
    this.s0 = splitmix64();
    this.s1 = splitmix64();
    // pg_prng_seed_check: an all-zero state would only ever produce zeroes.
    if (this.s0 === 0n && this.s1 === 0n) {
      this.s0 = 0x5851f42d4c957f2dn;
      this.s1 = 0x14057b7ef767814fn;
    }
  }

  /** pg_prng_fseed: a double in [-1, 1] scaled to about 52 bits (the sign counts too). */
  fseed(fseed: number): void {
    const seed = BigInt(Math.trunc((2 ** 52 - 1) * fseed));
    this.seed(BigInt.asUintN(64, seed));
  }

  /** xoroshiro128**: the next 64-bit output. */
  next(): bigint {
    const s0 = this.s0;
    const sx = this.s1 ^ s0;
    const val = (rotl((s0 * 5n) & MASK64, 7n) * 9n) & MASK64;
    this.s0 = rotl(s0, 24n) ^ sx ^ ((sx << 16n) & MASK64);
    this.s1 = rotl(sx, 37n);
    return val;
  }

  /** pg_prng_double: 52 random bits as a double in [0, 1). */
  double(): number {
    return Number(this.next() >> 12n) * 2 ** -52;
  }

  /** pg_prng_double_normal: one Box-Muller output of the standard normal distribution. */
  doubleNormal(): number {
    const u1 = 1.0 - this.double();
    const u2 = 1.0 - this.double();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.sin(2.0 * Math.PI * u2);
  }

  /** pg_prng_int64_range: uniform in [rmin, rmax] by bitmask rejection. */
  int64Range(rmin: bigint, rmax: bigint): bigint {
    if (rmax <= rmin) return rmin;
    const range = BigInt.asUintN(64, rmax - rmin);
    const rshift = 64n - BigInt(range.toString(2).length);
    let val: bigint;
    do val = this.next() >> rshift;
    while (val > range);
    return BigInt.asIntN(64, rmin + val);
  }
}

const prng = new PgPrng();
let seeded = false;

/** The generator, seeded from the platform's random source on first use (initialize_prng). */
function state(): PgPrng {
  if (!seeded) {
    const words = new BigUint64Array(1);
    globalThis.crypto.getRandomValues(words);
    prng.seed(words[0]);
    seeded = true;
  }
  return prng;
}

/** printf's %g for the setseed message: six significant digits, trailing zeros dropped. */
function formatG(v: number): string {
  // PostgreSQL's own snprintf spells the special values this way.
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(6)))));
  if (exp < -4 || exp >= 6) {
    const [m, e] = v.toExponential(5).split('e');
    const mant = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    const en = Number(e);
    return `${mant}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const s = v.toFixed(Math.max(0, 5 - exp));
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

function checkBounds(lo: bigint | number, hi: bigint | number): void {
  if (lo > hi) ereport(SQLSTATE.invalid_parameter_value, 'lower bound must be less than or equal to upper bound');
}

export const PSEUDORANDOM_FUNCS: ImplTable = {
  drandom: fixed(() => state().double()),
  // Omitted arguments arrive as undefined: mean 0, stddev 1.
  drandom_normal: fixed((a) => ((a[1] as number | undefined) ?? 1) * state().doubleNormal() + ((a[0] as number | undefined) ?? 0)),
  int4random: fixed((a) => {
    checkBounds(a[0] as number, a[1] as number);
    return Number(state().int64Range(BigInt(a[0] as number), BigInt(a[1] as number)));
  }),
  int8random: fixed((a) => {
    checkBounds(a[0] as bigint, a[1] as bigint);
    return state().int64Range(a[0] as bigint, a[1] as bigint);
  }),
  setseed: fixed((a) => {
    const seed = a[0] as number;
    if (seed < -1 || seed > 1 || Number.isNaN(seed)) {
      ereport(SQLSTATE.invalid_parameter_value, `setseed parameter ${formatG(seed)} is out of allowed range [-1,1]`);
    }
    prng.fseed(seed);
    seeded = true;
    return ''; // void: prints as the empty string, and is not NULL
  }),
};
