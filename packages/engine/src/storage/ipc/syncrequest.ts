/*
 * syncrequest.ts — the shared fsync request queue: backends that write a
 * relation file register it; the process that runs the checkpoint fsyncs
 * every registered file before it writes the checkpoint record
 * (PostgreSQL's checkpointer.c ForwardSyncRequest / AbsorbSyncRequests and
 * the request queue in CheckpointerShmem, with sync.c's
 * RegisterSyncRequest on the backend side).
 *
 * Exports: SyncRequestQueue (per backend: the queue, and the checkpointer's
 *          request / wait words), syncRequestShmemSize, syncRequestShmemInit,
 *          requestCheckpointerShutdown (the postmaster), SYNC_REQUEST_MAX_PATH,
 *          SYNC_REQUEST_SLOTS.
 *
 * The region is PostgreSQL's CheckpointerShmem: besides the queue it holds
 * the checkpointer process's pid, latch and checkpoint counters, which
 * StorageEngine.checkpointerMain (the loop) and CHECKPOINT use.
 *
 * Why: a write() is not durable until fsync. With one process the
 * checkpoint syncs the files its own Smgr wrote; with several backends a
 * page one backend evicted sits in that backend's file handle, and a
 * checkpoint run by another process would not sync it, so an OS crash
 * after the checkpoint could lose a change whose WAL the checkpoint lets
 * be recycled. Every backend therefore forwards the name of each file it
 * writes, once per checkpoint cycle.
 *
 * Region "SyncRequestQueue":
 *
 *   word 0   i32 lock          LWLock (CheckpointerCommLock)
 *        1   i32 count         entries in use                 lock
 *        2   i32 cycle         bumped by each absorb           lock to change; read with Atomics
 *        3   i32 overflows     requests that found the queue full (the backend synced itself)
 *        4   i32 ckptPid       pid of the checkpointer process, 0 = none    Atomics
 *                              (then each backend runs checkpoints itself)
 *        5   i32 ckptLatch     bumped + notified to wake the checkpointer   Atomics
 *        6   i32 ckptStarted   checkpoints the checkpointer began           lock
 *        7   i32 ckptDone      ... and finished (notified)                  lock to change
 *        8   i32 ckptFailed    ... that failed                               lock to change
 *        9   i32 shutdown      1 = the postmaster asks for the shutdown     Atomics
 *                              checkpoint and the checkpointer's exit
 *       10   i32 auxShutdown   1 = the background writer and WAL writer     Atomics
 *                              leave (before the checkpointer's shutdown)
 *   byte 64  SYNC_REQUEST_SLOTS entries of ENTRY_BYTES: u8 length, then the path in ASCII
 *
 * Rules:
 *  1. A backend forwards a file after its write to it returned, and the
 *     write of a buffer happens under that buffer's I/O lock: a checkpoint
 *     that writes the buffer (BufferSync) therefore absorbs the request
 *     after it (the same order as PostgreSQL's mdwrite → register).
 *  2. A backend remembers what it forwarded in the current cycle and skips
 *     those; the cycle is read after the write, so a request skipped
 *     because it was already queued is absorbed by a checkpoint that
 *     starts after the write (the absorb bumps the cycle under the lock).
 *  3. A full queue (no room, entries deduplicated) makes the backend fsync
 *     the file itself, as ForwardSyncRequest's failure does.
 *  4. Paths longer than SYNC_REQUEST_MAX_PATH are synced by the backend
 *     itself too (they do not occur with base/<db>/<relfilenumber>[_fork][.seg]).
 */

import { LWLockMode, type LWLockOwner } from '../lmgr/lwlock.ts';
import type { Shmem, ShmemSizer } from './shmem.ts';
import { PgError, SQLSTATE, elog } from '../../utils/errors.ts';

/** The postmaster's request to the background writer and the WAL writer: leave (they detach, no checkpoint). */
export function requestAuxiliaryShutdown(shmem: Shmem): void {
  const region = shmem.lookup(REGION);
  if (region === undefined) elog('SyncRequestQueue is missing from shared memory');
  const at = (region.offset >> 2) + W_AUX_SHUTDOWN;
  Atomics.store(shmem.i32, at, 1);
  Atomics.notify(shmem.i32, at);
}

/** The postmaster's shutdown request: the checkpointer writes the shutdown checkpoint and exits. */
export function requestCheckpointerShutdown(shmem: Shmem): void {
  const region = shmem.lookup(REGION);
  if (region === undefined) elog('SyncRequestQueue is missing from shared memory');
  const base = region.offset >> 2;
  Atomics.store(shmem.i32, base + W_SHUTDOWN, 1);
  Atomics.add(shmem.i32, base + W_CKPT_LATCH, 1);
  Atomics.notify(shmem.i32, base + W_CKPT_LATCH);
}

const REGION = 'SyncRequestQueue';
const HEADER_BYTES = 64;
const ENTRY_BYTES = 64;
/** The longest path a request can carry (one length byte precedes it). */
export const SYNC_REQUEST_MAX_PATH = ENTRY_BYTES - 1;
/** Entries in the queue (PostgreSQL sizes it by NBuffers; files, not pages, are queued here). */
export const SYNC_REQUEST_SLOTS = 1024;
const W_LOCK = 0;
const W_COUNT = 1;
const W_CYCLE = 2;
const W_OVERFLOWS = 3;
const W_CKPT_PID = 4;
const W_CKPT_LATCH = 5;
const W_CKPT_STARTED = 6;
const W_CKPT_DONE = 7;
const W_CKPT_FAILED = 8;
const W_SHUTDOWN = 9;
const W_AUX_SHUTDOWN = 10;

function regionSize(): number {
  return HEADER_BYTES + SYNC_REQUEST_SLOTS * ENTRY_BYTES;
}

export function syncRequestShmemSize(sizer: ShmemSizer): void {
  sizer.add(regionSize());
}

export function syncRequestShmemInit(shmem: Shmem): void {
  shmem.initStruct(REGION, regionSize());
}

export class SyncRequestQueue {
  private readonly i32: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly base: number;
  private readonly entries: number;
  /** What this backend forwarded in cycle `localCycle` (rule 2). */
  private readonly forwarded = new Set<string>();
  private localCycle = -1;
  private readonly encoded = new Uint8Array(ENTRY_BYTES);

  constructor(shmem: Shmem, private readonly lw: LWLockOwner) {
    const region = shmem.lookup(REGION);
    if (region === undefined) elog('SyncRequestQueue is missing from shared memory (syncRequestShmemInit was not called)');
    this.i32 = shmem.i32;
    this.bytes = new Uint8Array(shmem.sab);
    this.base = region.offset >> 2;
    this.entries = region.offset + HEADER_BYTES;
  }

  /**
   * RegisterSyncRequest after a write to `path` returned (rule 1). False
   * when the caller must fsync the file itself (rules 3-4).
   */
  forward(path: string): boolean {
    const cycle = Atomics.load(this.i32, this.base + W_CYCLE);
    if (cycle !== this.localCycle) {
      this.forwarded.clear();
      this.localCycle = cycle;
    }
    if (this.forwarded.has(path)) return true;
    if (path.length > SYNC_REQUEST_MAX_PATH) return false;
    const e = this.encoded;
    e[0] = path.length;
    for (let i = 0; i < path.length; i++) e[1 + i] = path.charCodeAt(i);
    const lock = this.base + W_LOCK;
    this.lw.acquire(lock, LWLockMode.Exclusive);
    let ok = true;
    try {
      const count = this.i32[this.base + W_COUNT];
      let found = false;
      for (let k = 0; k < count && !found; k++) found = this.equals(this.entries + k * ENTRY_BYTES, e);
      if (!found) {
        if (count >= SYNC_REQUEST_SLOTS) {
          this.i32[this.base + W_OVERFLOWS]++;
          ok = false;
        } else {
          this.bytes.set(e.subarray(0, 1 + path.length), this.entries + count * ENTRY_BYTES);
          this.i32[this.base + W_COUNT] = count + 1;
        }
      }
      // Queued under the cycle read before the lock: if an absorb ran in between, the entry
      // waits for the next checkpoint, which is the one that needs it (rule 2).
      if (ok && this.i32[this.base + W_CYCLE] === cycle) this.forwarded.add(path);
    } finally {
      this.lw.release(lock);
    }
    return ok;
  }

  /** AbsorbSyncRequests: every queued path, and an empty queue in a new cycle. */
  absorb(): string[] {
    const lock = this.base + W_LOCK;
    const out: string[] = [];
    this.lw.acquire(lock, LWLockMode.Exclusive);
    try {
      const count = this.i32[this.base + W_COUNT];
      for (let k = 0; k < count; k++) {
        const at = this.entries + k * ENTRY_BYTES;
        out.push(String.fromCharCode(...this.bytes.subarray(at + 1, at + 1 + this.bytes[at])));
      }
      this.i32[this.base + W_COUNT] = 0;
      Atomics.add(this.i32, this.base + W_CYCLE, 1);
    } finally {
      this.lw.release(lock);
    }
    return out;
  }

  // ------------------------------------------------ the checkpointer's words (CheckpointerShmem)

  /** The checkpointer's pid, 0 while none runs (backends then run checkpoints themselves). */
  get checkpointerPid(): number {
    return Atomics.load(this.i32, this.base + W_CKPT_PID);
  }

  set checkpointerPid(pid: number) {
    Atomics.store(this.i32, this.base + W_CKPT_PID, pid);
  }

  /** SetLatch on the checkpointer. */
  wakeCheckpointer(): void {
    Atomics.add(this.i32, this.base + W_CKPT_LATCH, 1);
    Atomics.notify(this.i32, this.base + W_CKPT_LATCH);
  }

  /** The checkpointer's WaitLatch: until woken or `ms` passed. */
  waitForWork(ms: number): void {
    const v = Atomics.load(this.i32, this.base + W_CKPT_LATCH);
    if (this.shutdownRequested) return;
    Atomics.wait(this.i32, this.base + W_CKPT_LATCH, v, ms);
  }

  /** The background writer's and WAL writer's sleep: `ms`, or until the postmaster asks them to leave. */
  auxiliarySleep(ms: number): boolean {
    Atomics.wait(this.i32, this.base + W_AUX_SHUTDOWN, 0, ms);
    return Atomics.load(this.i32, this.base + W_AUX_SHUTDOWN) !== 0;
  }

  get shutdownRequested(): boolean {
    return Atomics.load(this.i32, this.base + W_SHUTDOWN) !== 0;
  }

  /**
   * The checkpointer, under the lock: the pending request flags (taken by
   * `take`) and, when there are any, a new started count (RequestCheckpoint's
   * interlock: a waiter that saw the old count knows this checkpoint
   * includes its request).
   */
  beginCheckpoint(take: () => number): number {
    const lock = this.base + W_LOCK;
    this.lw.acquire(lock, LWLockMode.Exclusive);
    try {
      const flags = take();
      if (flags !== 0) this.i32[this.base + W_CKPT_STARTED]++;
      return flags;
    } finally {
      this.lw.release(lock);
    }
  }

  /** The checkpointer: the checkpoint begun last ended (failed or not); waiters wake. */
  endCheckpoint(failed: boolean): void {
    const lock = this.base + W_LOCK;
    this.lw.acquire(lock, LWLockMode.Exclusive);
    try {
      if (failed) this.i32[this.base + W_CKPT_FAILED]++;
      Atomics.store(this.i32, this.base + W_CKPT_DONE, this.i32[this.base + W_CKPT_STARTED]);
    } finally {
      this.lw.release(lock);
    }
    Atomics.notify(this.i32, this.base + W_CKPT_DONE);
  }

  /**
   * RequestCheckpoint with CHECKPOINT_WAIT: records the request (`request`,
   * under the lock with the started count it may be served by), wakes the
   * checkpointer, and waits until a checkpoint that began after the request
   * has ended. `check` runs between sleeps (CHECK_FOR_INTERRUPTS).
   */
  requestCheckpointAndWait(request: () => void, check: () => void): void {
    const lock = this.base + W_LOCK;
    let started: number;
    let failed: number;
    this.lw.acquire(lock, LWLockMode.Exclusive);
    try {
      started = this.i32[this.base + W_CKPT_STARTED];
      failed = this.i32[this.base + W_CKPT_FAILED];
      request();
    } finally {
      this.lw.release(lock);
    }
    this.wakeCheckpointer();
    // First a checkpoint must begin after the request, then that one must end.
    let target = -1;
    for (;;) {
      check();
      if (this.checkpointerPid === 0) {
        throw new PgError(SQLSTATE.internal_error, 'could not request checkpoint because checkpointer not running');
      }
      const nowStarted = Atomics.load(this.i32, this.base + W_CKPT_STARTED);
      if (target < 0 && nowStarted !== started) target = nowStarted;
      const done = Atomics.load(this.i32, this.base + W_CKPT_DONE);
      if (target >= 0 && done - target >= 0) break;
      Atomics.wait(this.i32, this.base + W_CKPT_DONE, done, 100);
    }
    if (Atomics.load(this.i32, this.base + W_CKPT_FAILED) !== failed) {
      throw new PgError(SQLSTATE.internal_error, 'checkpoint request failed', { hint: 'Consult recent messages in the server log for details.' });
    }
  }

  /** Requests waiting for the next checkpoint, and how many found the queue full (tests, monitoring). */
  stats(): { queued: number; overflows: number } {
    return { queued: Atomics.load(this.i32, this.base + W_COUNT), overflows: Atomics.load(this.i32, this.base + W_OVERFLOWS) };
  }

  private equals(at: number, e: Uint8Array): boolean {
    const n = e[0];
    if (this.bytes[at] !== n) return false;
    for (let i = 1; i <= n; i++) if (this.bytes[at + i] !== e[i]) return false;
    return true;
  }
}
