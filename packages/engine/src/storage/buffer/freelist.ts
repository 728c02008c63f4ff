/*
 * freelist.ts — buffer replacement by clock sweep (PostgreSQL's freelist.c).
 *
 * The clock hand is a shared atomic counter; each backend looking for a
 * victim advances it one buffer at a time. A buffer with refcount 0 and usage
 * count 0 is taken; one with a usage count has it decremented and is passed
 * over. Pinning a buffer raises its usage count (capped at
 * BM_MAX_USAGE_COUNT), so a page survives as many passes as it was used.
 *
 * Rules:
 *  1. The sweep returns a victim with its header lock (BM_LOCKED) held and
 *     refcount 0; the caller pins it and releases the header lock.
 *  2. The sweep is bounded: after it has looked at every buffer
 *     BM_MAX_USAGE_COUNT + 1 times without a single decrement or a free buffer,
 *     every buffer is pinned, and it raises PostgreSQL's
 *     "no unpinned buffers available" instead of spinning forever.
 *
 * There is no separate free list: never-used and invalidated buffers have
 * usage count 0 and refcount 0, so the first sweep pass finds them at once.
 */

import { BM_MAX_USAGE_COUNT } from '../../constants.ts';
import { PgError, SQLSTATE } from '../../utils/errors.ts';
import { BM_LOCKED, BUF_DESC_WORDS, BUF_REFCOUNT_MASK, BUF_USAGECOUNT_MASK, BUF_USAGECOUNT_ONE, D_STATE } from './buf_internals.ts';

/** Strategy region words. */
export const S_NEXT_VICTIM = 0;
export const S_COMPLETE_PASSES = 1;
export const S_NUM_ALLOCS = 2;
export const STRATEGY_WORDS = 16;

export class ClockSweep {
  private readonly w: Int32Array;
  private readonly descBase: number;
  private readonly strategyBase: number;
  private readonly nbuffers: number;

  constructor(words: Int32Array, descBase: number, strategyBase: number, nbuffers: number) {
    this.w = words;
    this.descBase = descBase;
    this.strategyBase = strategyBase;
    this.nbuffers = nbuffers;
  }

  /** The clock hand's position, for the playground. */
  get hand(): number {
    return (Atomics.load(this.w, this.strategyBase + S_NEXT_VICTIM) >>> 0) % this.nbuffers;
  }

  private tick(): number {
    const v = Atomics.add(this.w, this.strategyBase + S_NEXT_VICTIM, 1) >>> 0;
    const id = v % this.nbuffers;
    if (id === this.nbuffers - 1) Atomics.add(this.w, this.strategyBase + S_COMPLETE_PASSES, 1);
    return id;
  }

  /**
   * StrategyGetBuffer: returns a 0-based buffer id whose header is locked and
   * whose refcount is 0; the state word value as locked is in `lockedState`.
   */
  getVictim(): { id: number; state: number } {
    const w = this.w;
    Atomics.add(w, this.strategyBase + S_NUM_ALLOCS, 1);
    let tries = this.nbuffers * (BM_MAX_USAGE_COUNT + 1);
    for (;;) {
      const id = this.tick();
      const s = this.descBase + id * BUF_DESC_WORDS + D_STATE;
      const state = Atomics.load(w, s);
      if ((state & BM_LOCKED) === 0 && (state & BUF_REFCOUNT_MASK) === 0) {
        if ((state & BUF_USAGECOUNT_MASK) !== 0) {
          if (Atomics.compareExchange(w, s, state, state - BUF_USAGECOUNT_ONE) === state) {
            tries = this.nbuffers * (BM_MAX_USAGE_COUNT + 1);
          }
        } else if (Atomics.compareExchange(w, s, state, state | BM_LOCKED) === state) {
          return { id, state: state | BM_LOCKED };
        }
      }
      if (--tries <= 0) {
        throw new PgError(SQLSTATE.internal_error, 'no unpinned buffers available');
      }
    }
  }
}
