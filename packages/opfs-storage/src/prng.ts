/*
 * prng.ts — a small seeded pseudo-random number generator.
 *
 * Exports: Prng.
 *
 * Crash tests must be replayable from their seed alone: a failing seed printed
 * by CI must fail the same way on a laptop. Math.random() cannot be seeded, so
 * the crash simulation (and the engine's crash tests) draw from this instead.
 * The algorithm is mulberry32 (Tommy Ettinger): 32 bits of state, period 2^32,
 * passes gjrand's tests at the sizes used here, and is a handful of integer
 * operations per draw. It is not for cryptography.
 */

export class Prng {
  private state: number;

  /** Any number is a seed; it is reduced to 32 bits, so seeds 1 and 2^32 + 1 agree. */
  constructor(seed: number) {
    this.state = Math.trunc(seed) >>> 0;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n), for 0 < n <= 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) throw new RangeError(`Prng.int: bad bound ${n}`);
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max], both inclusive. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Prng.pick: empty array');
    return items[this.int(items.length)];
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}
