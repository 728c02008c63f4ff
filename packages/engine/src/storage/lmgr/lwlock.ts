/*
 * lwlock.ts — lightweight locks: short-term shared/exclusive locks on shared
 * memory structures (PostgreSQL's lwlock.c).
 *
 * An LWLock is one 32-bit word in the shared segment, addressed by its index
 * in an Int32Array over the SharedArrayBuffer:
 *
 *   bit 31..30  unused
 *   bit 29      LW_FLAG_HAS_WAITERS   someone sleeps on this word
 *   bit 24      LW_VAL_EXCLUSIVE      held exclusively
 *   bit 23..0   shared holder count
 *
 * Acquiring is a compare-and-swap on the word; a backend that cannot get the
 * lock sets HAS_WAITERS and sleeps with Atomics.wait on the same word (a
 * futex), and the releaser wakes every sleeper when it sees the flag. Woken
 * backends race again; there is no queue, which is what PostgreSQL does too
 * (it just keeps its queue in the PGPROC list).
 *
 * Rules:
 *  1. LWLocks are held for short, bounded operations and never across a wait
 *     for a heavyweight lock or a client message.
 *  2. A backend never takes the same LWLock twice; doing so is reported as an
 *     error instead of a self-deadlock.
 *  3. Every acquisition is recorded in the backend's LWLockOwner so that an
 *     error releases everything the backend held (LWLockReleaseAll).
 *  4. Sleeps are bounded (LWLOCK_WAIT_TIMEOUT_MS) and retried, so a lost
 *     wake-up costs a delay, never a hang.
 *  5. The browser's main thread cannot Atomics.wait, so it never takes an
 *     LWLock; the postmaster only starts and watches workers.
 */

import { LWLOCK_WAIT_TIMEOUT_MS } from '../../constants.ts';
import { elog } from '../../utils/errors.ts';

export const LW_VAL_EXCLUSIVE = 1 << 24;
export const LW_SHARED_MASK = (1 << 24) - 1;
export const LW_FLAG_HAS_WAITERS = 1 << 29;

export const enum LWLockMode {
  Exclusive = 0,
  Shared = 1,
}

/** Most LWLocks one backend holds at once (MAX_SIMUL_LWLOCKS). */
const MAX_SIMUL_LWLOCKS = 200;

/**
 * One backend's view of the LWLocks: the shared words plus the list of locks
 * it holds. Each backend has exactly one LWLockOwner.
 */
export class LWLockOwner {
  private readonly words: Int32Array;
  private readonly held = new Int32Array(MAX_SIMUL_LWLOCKS);
  private readonly heldMode = new Uint8Array(MAX_SIMUL_LWLOCKS);
  private nheld = 0;

  constructor(words: Int32Array) {
    this.words = words;
  }

  /** LWLockAcquire. `lock` is the word's index in the Int32Array. */
  acquire(lock: number, mode: LWLockMode): void {
    const w = this.words;
    if (mode === LWLockMode.Exclusive) {
      // Fast path: free and no waiters.
      if (Atomics.compareExchange(w, lock, 0, LW_VAL_EXCLUSIVE) !== 0) this.acquireSlow(lock, mode);
    } else {
      const cur = Atomics.load(w, lock);
      if ((cur & LW_VAL_EXCLUSIVE) !== 0 || Atomics.compareExchange(w, lock, cur, cur + 1) !== cur) {
        this.acquireSlow(lock, mode);
      }
    }
    this.remember(lock, mode);
  }

  /** LWLockConditionalAcquire: takes the lock only if that needs no wait. */
  conditionalAcquire(lock: number, mode: LWLockMode): boolean {
    const w = this.words;
    for (let attempt = 0; attempt < 8; attempt++) {
      const cur = Atomics.load(w, lock);
      if (mode === LWLockMode.Exclusive) {
        if ((cur & (LW_VAL_EXCLUSIVE | LW_SHARED_MASK)) !== 0) return false;
        if (Atomics.compareExchange(w, lock, cur, cur | LW_VAL_EXCLUSIVE) === cur) break;
      } else {
        if ((cur & LW_VAL_EXCLUSIVE) !== 0) return false;
        if (Atomics.compareExchange(w, lock, cur, cur + 1) === cur) break;
      }
      if (attempt === 7) return false;
    }
    this.remember(lock, mode);
    return true;
  }

  private acquireSlow(lock: number, mode: LWLockMode): void {
    if (this.holds(lock)) elog(`LWLock ${lock} is already held by this backend`);
    const w = this.words;
    for (;;) {
      const cur = Atomics.load(w, lock);
      const free = mode === LWLockMode.Exclusive ? (cur & (LW_VAL_EXCLUSIVE | LW_SHARED_MASK)) === 0 : (cur & LW_VAL_EXCLUSIVE) === 0;
      if (free) {
        const next = mode === LWLockMode.Exclusive ? cur | LW_VAL_EXCLUSIVE : cur + 1;
        if (Atomics.compareExchange(w, lock, cur, next) === cur) return;
        continue;
      }
      const flagged = cur | LW_FLAG_HAS_WAITERS;
      if (cur !== flagged && Atomics.compareExchange(w, lock, cur, flagged) !== cur) continue;
      Atomics.wait(w, lock, flagged, LWLOCK_WAIT_TIMEOUT_MS);
    }
  }

  /** LWLockRelease. */
  release(lock: number): void {
    const i = this.indexOf(lock);
    if (i < 0) elog(`lock ${lock} is not held`);
    const mode = this.heldMode[i];
    // Remove from the held list, keeping order (locks are usually released LIFO).
    for (let j = i; j < this.nheld - 1; j++) {
      this.held[j] = this.held[j + 1];
      this.heldMode[j] = this.heldMode[j + 1];
    }
    this.nheld--;
    this.releaseWord(lock, mode);
  }

  private releaseWord(lock: number, mode: number): void {
    const w = this.words;
    const after = mode === LWLockMode.Exclusive ? Atomics.and(w, lock, ~LW_VAL_EXCLUSIVE) & ~LW_VAL_EXCLUSIVE : Atomics.sub(w, lock, 1) - 1;
    if ((after & LW_FLAG_HAS_WAITERS) !== 0 && (after & (LW_VAL_EXCLUSIVE | LW_SHARED_MASK)) === 0) {
      Atomics.and(w, lock, ~LW_FLAG_HAS_WAITERS);
      Atomics.notify(w, lock);
    }
  }

  /** LWLockReleaseAll: error recovery releases every lock still held. */
  releaseAll(): void {
    while (this.nheld > 0) {
      this.nheld--;
      this.releaseWord(this.held[this.nheld], this.heldMode[this.nheld]);
    }
  }

  /** LWLockHeldByMe. */
  holds(lock: number): boolean {
    return this.indexOf(lock) >= 0;
  }

  /** LWLockHeldByMeInMode. */
  holdsInMode(lock: number, mode: LWLockMode): boolean {
    const i = this.indexOf(lock);
    return i >= 0 && this.heldMode[i] === mode;
  }

  get heldCount(): number {
    return this.nheld;
  }

  private remember(lock: number, mode: LWLockMode): void {
    if (this.nheld >= MAX_SIMUL_LWLOCKS) {
      this.releaseWord(lock, mode);
      elog('too many LWLocks taken');
    }
    this.held[this.nheld] = lock;
    this.heldMode[this.nheld] = mode;
    this.nheld++;
  }

  private indexOf(lock: number): number {
    for (let i = this.nheld - 1; i >= 0; i--) if (this.held[i] === lock) return i;
    return -1;
  }
}

/** Describes a lock word for the playground: mode and holders. */
export function describeLWLock(words: Int32Array, lock: number): { exclusive: boolean; shared: number; waiters: boolean } {
  const v = Atomics.load(words, lock);
  return { exclusive: (v & LW_VAL_EXCLUSIVE) !== 0, shared: v & LW_SHARED_MASK, waiters: (v & LW_FLAG_HAS_WAITERS) !== 0 };
}
