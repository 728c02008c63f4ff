/*
 * procsignal.ts — interrupts sent to a backend: query cancel and
 * terminate (PostgreSQL's procsignal.c, the SIGINT / SIGTERM handlers of
 * postgres.c that set QueryCancelPending / ProcDiePending, and
 * ProcessInterrupts).
 *
 * Exports: ProcSignal (a backend's own view: what is pending, processing
 *          it), sendProcSignal (from anyone holding the segment: another
 *          backend, or the postmaster), PROCSIG_* bits.
 *
 * PostgreSQL signals a process with kill(); a worker thread cannot be
 * interrupted, so the "signal" is a word in the target's proc-array slot
 * (procarray.ts, column pendingInterrupts) that the target polls at its
 * CHECK_FOR_INTERRUPTS points (the executor's checkInterrupts hook, the
 * sleeps of pg_sleep and of lock waits), plus a futex wake-up of whatever
 * the target sleeps on. A second word, cancelKey, lets the postmaster
 * cancel one protocol message of a session (the API's cancel()): the
 * backend numbers each message it runs with the key the postmaster sent
 * with it, and a key that no longer runs cancels nothing.
 *
 * Rules:
 *  1. Senders only OR bits in (Atomics.or) and never block: the postmaster
 *     may run on a thread that cannot wait (lwlock.ts rule 5). The slot is
 *     found by pid without ProcArrayLock, as SendProcSignal does: a pid is
 *     never reused, so a slot that changes owner meanwhile has another pid.
 *  2. Only the owner clears its bits: the cancel bit when it throws 57014,
 *     and when a protocol message begins (a cancel that arrives while the
 *     backend is idle is ignored, as in PostgreSQL). The die bit is never
 *     cleared: the session ends.
 *  3. After setting a bit the sender wakes the target's interrupt word and
 *     its lock semaphore (PL_SEMAPHORE), so a sleeping target sees it at
 *     once instead of at the end of its sleep slice.
 */

import { MAX_BACKENDS } from '../../constants.ts';
import { PgError, SQLSTATE, elog } from '../../utils/errors.ts';
import { PL_SEMAPHORE, PROC_ARRAY_REGION, PROC_LOCK_WORDS, procArrayColumnOffset, procArrayLockWordsOffset } from './procarray.ts';
import type { Shmem } from './shmem.ts';

/** QueryCancelPending: end the running statement with 57014. */
export const PROCSIG_CANCEL = 1;
/** ProcDiePending: end the session with FATAL 57P01. */
export const PROCSIG_DIE = 2;

/** The longest single sleep between two interrupt checks (pg_sleep, terminate's wait). */
const SLEEP_SLICE_MS = 100;

interface Columns {
  i32: Int32Array;
  inUse: number;
  pid: number;
  interrupts: number;
  cancelKey: number;
  lockWords: number;
}

function columns(shmem: Shmem): Columns {
  const region = shmem.lookup(PROC_ARRAY_REGION);
  if (region === undefined) elog('shared memory region "ProcArray" was not initialized');
  return {
    i32: shmem.i32,
    inUse: procArrayColumnOffset(region.offset, 'inUse') / 4,
    pid: procArrayColumnOffset(region.offset, 'pid') / 4,
    interrupts: procArrayColumnOffset(region.offset, 'pendingInterrupts') / 4,
    cancelKey: procArrayColumnOffset(region.offset, 'cancelKey') / 4,
    lockWords: procArrayLockWordsOffset(region.offset) / 4,
  };
}

function procnoOfPid(c: Columns, pid: number): number {
  if (pid === 0) return -1;
  for (let p = 0; p < MAX_BACKENDS; p++) {
    if (Atomics.load(c.i32, c.inUse + p) !== 0 && Atomics.load(c.i32, c.pid + p) === pid) return p;
  }
  return -1;
}

function wake(c: Columns, p: number): void {
  Atomics.notify(c.i32, c.interrupts + p);
  Atomics.notify(c.i32, c.lockWords + p * PROC_LOCK_WORDS + PL_SEMAPHORE);
}

/**
 * SendProcSignal: sets `bits` in the backend with this pid (and, with
 * cancelKey, asks it to cancel the protocol message it runs under that
 * key). False when no backend has that pid.
 */
export function sendProcSignal(shmem: Shmem, pid: number, bits: number, cancelKey = 0): boolean {
  const c = columns(shmem);
  const p = procnoOfPid(c, pid);
  if (p < 0) return false;
  if (cancelKey !== 0) Atomics.store(c.i32, c.cancelKey + p, cancelKey);
  if (bits !== 0) Atomics.or(c.i32, c.interrupts + p, bits);
  wake(c, p);
  return true;
}

/** Whether a backend with this pid is in the proc array (pg_terminate_backend's wait). */
export function backendIsAlive(shmem: Shmem, pid: number): boolean {
  return procnoOfPid(columns(shmem), pid) >= 0;
}

/** One backend's side: its own slot's words. */
export class ProcSignal {
  private readonly c: Columns;
  private readonly word: number;
  private readonly keyWord: number;
  /** The key of the protocol message running now (0: none; set by the worker backend). */
  messageKey = 0;

  constructor(private readonly shmem: Shmem, readonly procno: number) {
    this.c = columns(shmem);
    this.word = this.c.interrupts + procno;
    this.keyWord = this.c.cancelKey + procno;
  }

  /** The futex word a sleeping backend waits on (woken by sendProcSignal). */
  get i32(): Int32Array {
    return this.c.i32;
  }

  get interruptWordIndex(): number {
    return this.word;
  }

  /** InterruptPending: a cheap test for the executor's check. */
  pending(): boolean {
    return Atomics.load(this.c.i32, this.word) !== 0 || (this.messageKey !== 0 && Atomics.load(this.c.i32, this.keyWord) === this.messageKey);
  }

  /** Whether this backend was told to terminate (the session must end). */
  get diePending(): boolean {
    return (Atomics.load(this.c.i32, this.word) & PROCSIG_DIE) !== 0;
  }

  /** A protocol message begins (rule 2): a cancel sent while idle is dropped. */
  beginMessage(key: number): void {
    this.messageKey = key;
    Atomics.and(this.c.i32, this.word, ~PROCSIG_CANCEL);
  }

  /** Clears a cancel that arrived while idle (the worker's idle watcher). */
  clearIdleCancel(): void {
    Atomics.and(this.c.i32, this.word, ~PROCSIG_CANCEL);
  }

  /**
   * ProcessInterrupts: throws what is pending, die before cancel. Call
   * only when pending() said so, or at an explicit CHECK_FOR_INTERRUPTS.
   */
  processInterrupts(): void {
    const bits = Atomics.load(this.c.i32, this.word);
    if ((bits & PROCSIG_DIE) !== 0) {
      throw new PgError(SQLSTATE.admin_shutdown, 'terminating connection due to administrator command', { severity: 'FATAL' });
    }
    const keyed = this.messageKey !== 0 && Atomics.load(this.c.i32, this.keyWord) === this.messageKey;
    if ((bits & PROCSIG_CANCEL) !== 0 || keyed) {
      Atomics.and(this.c.i32, this.word, ~PROCSIG_CANCEL);
      // One cancel ends one statement: the same key does not cancel the rollback that follows.
      if (keyed) this.messageKey = 0;
      throw new PgError(SQLSTATE.query_canceled, 'canceling statement due to user request');
    }
  }

  /**
   * Sleeps up to `ms`, in slices, calling `check` (CHECK_FOR_INTERRUPTS,
   * which throws) before each slice and after the last; a signal wakes the
   * sleep at once (rule 3). pg_sleep's WaitLatch loop.
   */
  sleep(ms: number, check: () => void): void {
    const end = performance.now() + ms;
    for (;;) {
      check();
      const left = end - performance.now();
      if (left <= 0) return;
      const cur = Atomics.load(this.c.i32, this.word);
      if (this.pending()) continue; // check() throws for it
      Atomics.wait(this.c.i32, this.word, cur, Math.min(left, SLEEP_SLICE_MS));
    }
  }

  /** The shared memory this backend is attached to (for sendProcSignal from SQL functions). */
  get segment(): Shmem {
    return this.shmem;
  }
}
