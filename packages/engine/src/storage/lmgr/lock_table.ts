/*
 * lock_table.ts — the shared lock table: LOCK and PROCLOCK entries, their
 * hash chains and free lists, wait queues, granting and waking (the shared
 * half of PostgreSQL's lock.c, plus ProcLockWakeup / RemoveFromWaitQueue of
 * proc.c).
 *
 * Exports: lockShmemSize, lockShmemInit, LockTable, outOfSharedMemory,
 *          PROC_WAIT_STATUS_*, the LK_* / PLK_* word layouts.
 *
 * Every method that touches an entry expects the caller to hold the LWLock
 * of the entry's partition (exclusive to change it, shared to read it), or
 * all partition locks (the deadlock detector, pg_locks). Which partition an
 * entry belongs to is fixed by its tag's hash code.
 *
 * Region "LockTable" (Int32 words; "+1" links: 0 = none, n = entry n - 1):
 *
 *   word 0    maxLocks, maxProcLocks, nbuckets            fixed at init
 *   word 16   free-list spinlock (own cache line),
 *             lockFreeHead, procLockFreeHead,
 *             locksUsed, procLocksUsed,
 *             locksNeverUsed, procLocksNeverUsed         the spinlock
 *             (high-water marks: entries at and above them were never
 *             handed out and are all zero, so init links no free list)
 *   word 32   NUM_LOCK_PARTITIONS partition LWLocks, one per 64-byte line
 *   word 288  FAST_PATH_STRONG_LOCK_HASH_PARTITIONS counters of strong
 *             relation locks held or awaited, by tag hash  Atomics
 *   then      nbuckets bucket heads (LOCK +1); bucket b belongs to partition
 *             b % NUM_LOCK_PARTITIONS                    that partition's lock
 *   then      maxLocks LOCK entries of 32 words          partition lock
 *   then      maxProcLocks PROCLOCK entries of 8 words   partition lock of its LOCK
 *   then      MAX_BACKENDS deadlock reports              written by the detector
 *                                                        (all partition locks),
 *                                                        read by the victim after
 *                                                        it was woken
 *
 * LOCK (one per locked object; exists while anyone holds or awaits it):
 *
 *   0..3   tag field1..field4
 *   4      tag type | method << 8
 *   5      hash code of the tag
 *   6      next LOCK in the bucket chain (+1); free-list link when free
 *   7      grantMask     modes granted to someone
 *   8      waitMask      modes someone waits for
 *   9      nRequested    holders' grants + waiters, counted per mode below
 *   10     nGranted
 *   11     first PROCLOCK of this lock (+1)
 *   12,13  wait queue head, tail (PROCLOCK +1, linked through PLK_WAIT_NEXT)
 *   14     waiters in the queue
 *   15     unused
 *   16..23 requested[mode 1..8]
 *   24..31 granted[mode 1..8]
 *
 * PROCLOCK (one per backend and LOCK it holds or awaits):
 *
 *   0      LOCK (+1); 0 while the entry is free
 *   1      procno of the backend
 *   2      holdMask      modes granted to this backend
 *   3      next PROCLOCK of the same LOCK (+1); free-list link when free
 *   4      next in the LOCK's wait queue (+1), while this backend waits
 *   5..7   unused
 *
 * A backend's waiting state lives in its proc-array lock words (PL_*,
 * storage/ipc/procarray.ts), guarded by the partition lock of the LOCK it
 * waits for; PL_WAIT_STATUS and PL_SEMAPHORE are also read and written with
 * Atomics, because the sleeper polls them without a lock.
 */

import {
  DEFAULT_MAX_LOCKS_PER_TRANSACTION,
  FAST_PATH_STRONG_LOCK_HASH_PARTITIONS,
  MAX_BACKENDS,
  NUM_LOCK_PARTITIONS,
  SPINLOCK_STUCK_NAPS,
  SPINS_PER_DELAY,
} from '../../constants.ts';
import { Assert, elog, panic, PgError, SQLSTATE } from '../../utils/errors.ts';
import {
  PL_HELD_LOCKS,
  PL_SEMAPHORE,
  PL_WAIT_LOCK,
  PL_WAIT_LOCK_MODE,
  PL_WAIT_PROCLOCK,
  PL_WAIT_START_MS,
  PL_WAIT_STATUS,
  PROC_LOCK_WORDS,
} from '../ipc/procarray.ts';
import { shmemAlign, type Shmem, type ShmemSizer } from '../ipc/shmem.ts';
import { LOCK_CONFLICTS, lockbit, MAX_LOCKMODES } from './lockdefs.ts';
import { LWLockMode, type LWLockOwner } from './lwlock.ts';

/* PGPROC's waitStatus */
export const PROC_WAIT_STATUS_OK = 0;
export const PROC_WAIT_STATUS_WAITING = 1;
export const PROC_WAIT_STATUS_ERROR = 2;

/* header words */
const H_MAX_LOCKS = 0;
const H_MAX_PROCLOCKS = 1;
const H_NBUCKETS = 2;
const H_FREELIST_LOCK = 16;
const H_LOCK_FREE_HEAD = 17;
const H_PROCLOCK_FREE_HEAD = 18;
const H_LOCKS_USED = 19;
const H_PROCLOCKS_USED = 20;
const H_LOCK_HWM = 21;
const H_PROCLOCK_HWM = 22;
const H_PARTITION_LOCKS = 32;
const PARTITION_LOCK_STRIDE = 16;
const H_STRONG_COUNTS = H_PARTITION_LOCKS + PARTITION_LOCK_STRIDE * NUM_LOCK_PARTITIONS;
const HEADER_WORDS = H_STRONG_COUNTS + FAST_PATH_STRONG_LOCK_HASH_PARTITIONS;

/* LOCK words */
export const LOCK_WORDS = 32;
export const LK_F1 = 0;
export const LK_F2 = 1;
export const LK_F3 = 2;
export const LK_F4 = 3;
export const LK_TYPE = 4;
export const LK_HASH = 5;
const LK_HASH_NEXT = 6;
export const LK_GRANT_MASK = 7;
export const LK_WAIT_MASK = 8;
export const LK_NREQUESTED = 9;
export const LK_NGRANTED = 10;
export const LK_PROCLOCKS = 11;
export const LK_WAIT_HEAD = 12;
const LK_WAIT_TAIL = 13;
export const LK_NWAITING = 14;
/** requested[mode] is word LK_REQUESTED + mode (modes 1..8). */
export const LK_REQUESTED = 15;
/** granted[mode] is word LK_GRANTED + mode (modes 1..8). */
export const LK_GRANTED = 23;

/* PROCLOCK words */
export const PROCLOCK_WORDS = 8;
export const PLK_LOCK = 0;
export const PLK_PROCNO = 1;
export const PLK_HOLD_MASK = 2;
export const PLK_LOCK_NEXT = 3;
export const PLK_WAIT_NEXT = 4;

/* deadlock report: a count, then one edge of REPORT_EDGE_WORDS per cycle member */
export const REPORT_EDGE_WORDS = 8;
const REPORT_WORDS = Math.ceil((1 + MAX_BACKENDS * REPORT_EDGE_WORDS) / 16) * 16;

const REGION = 'LockTable';

interface LockTableGeometry {
  maxLocks: number;
  maxProcLocks: number;
  nbuckets: number;
}

function geometry(maxLocksPerTransaction: number): LockTableGeometry {
  Assert(maxLocksPerTransaction >= 1, 'max_locks_per_transaction must be positive');
  const maxLocks = maxLocksPerTransaction * MAX_BACKENDS;
  let nbuckets = NUM_LOCK_PARTITIONS;
  while (nbuckets < maxLocks) nbuckets *= 2;
  return { maxLocks, maxProcLocks: 2 * maxLocks, nbuckets };
}

function regionWords(g: LockTableGeometry): number {
  return HEADER_WORDS + g.nbuckets + g.maxLocks * LOCK_WORDS + g.maxProcLocks * PROCLOCK_WORDS + MAX_BACKENDS * REPORT_WORDS;
}

/** Adds the lock table to a ShmemSizer (LockShmemSize). */
export function lockShmemSize(sizer: ShmemSizer, maxLocksPerTransaction = DEFAULT_MAX_LOCKS_PER_TRANSACTION): void {
  sizer.add(shmemAlign(4 * regionWords(geometry(maxLocksPerTransaction))));
}

/** Creates and formats the lock table (InitLocks; the postmaster, once). */
export function lockShmemInit(shmem: Shmem, maxLocksPerTransaction = DEFAULT_MAX_LOCKS_PER_TRANSACTION): void {
  const g = geometry(maxLocksPerTransaction);
  const region = shmem.initStruct(REGION, shmemAlign(4 * regionWords(g)));
  if (region.found) return;
  const w = shmem.i32;
  const h = region.offset / 4;
  w[h + H_MAX_LOCKS] = g.maxLocks;
  w[h + H_MAX_PROCLOCKS] = g.maxProcLocks;
  w[h + H_NBUCKETS] = g.nbuckets;
  // Free lists start empty and the high-water marks at 0: entries are handed out from the
  // (zeroed) never-used range first, so formatting does not touch the whole region (cold start).
}

/**
 * s_lock: takes the spinlock word `i` (0 free, 1 held). Spins
 * SPINS_PER_DELAY times, then naps 1 ms between tries; a lock held through
 * SPINLOCK_STUCK_NAPS naps means its holder died inside the critical
 * section, which PostgreSQL reports as a PANIC ("stuck spinlock").
 */
function spinLockAcquire(w: Int32Array, i: number): void {
  if (Atomics.compareExchange(w, i, 0, 1) === 0) return;
  for (let tries = 0; ; tries++) {
    if (Atomics.load(w, i) === 0 && Atomics.compareExchange(w, i, 0, 1) === 0) return;
    if (tries >= SPINS_PER_DELAY) {
      if (tries - SPINS_PER_DELAY >= SPINLOCK_STUCK_NAPS) panic('stuck spinlock detected in the lock table');
      Atomics.wait(w, i, 1, 1);
    }
  }
}

/** The error of a full lock table, with PostgreSQL's hint. */
export function outOfSharedMemory(): PgError {
  return new PgError(SQLSTATE.out_of_memory, 'out of shared memory', { hint: 'You might need to increase max_locks_per_transaction.' });
}

/**
 * One backend's view of the shared lock table. Entry numbers (0-based) are
 * what the methods take and return; the word of field F of LOCK n is
 * w[lockWord(n) + F].
 */
export class LockTable {
  readonly w: Int32Array;
  readonly maxLocks: number;
  readonly maxProcLocks: number;
  private readonly nbuckets: number;
  private readonly header: number;
  private readonly buckets: number;
  private readonly locks: number;
  private readonly procLocks: number;
  private readonly reports: number;
  /** The proc array's lock words (PROC_LOCK_WORDS per backend) and their Int32Array. */
  readonly procWords: Int32Array;

  constructor(
    shmem: Shmem,
    procWords: Int32Array,
    private readonly lw: LWLockOwner,
  ) {
    const region = shmem.lookup(REGION);
    if (region === undefined) elog('shared memory region "LockTable" was not initialized');
    this.w = shmem.i32;
    this.header = region.offset / 4;
    const w = this.w;
    this.maxLocks = w[this.header + H_MAX_LOCKS];
    this.maxProcLocks = w[this.header + H_MAX_PROCLOCKS];
    this.nbuckets = w[this.header + H_NBUCKETS];
    const g = { maxLocks: this.maxLocks, maxProcLocks: this.maxProcLocks, nbuckets: this.nbuckets };
    Assert(region.size === shmemAlign(4 * regionWords(g)), 'LockTable has a different layout in shared memory');
    this.buckets = this.header + HEADER_WORDS;
    this.locks = this.buckets + this.nbuckets;
    this.procLocks = this.locks + this.maxLocks * LOCK_WORDS;
    this.reports = this.procLocks + this.maxProcLocks * PROCLOCK_WORDS;
    this.procWords = procWords;
  }

  /* ---- addressing ---- */

  lockWord(lock: number): number {
    return this.locks + lock * LOCK_WORDS;
  }

  procLockWord(pl: number): number {
    return this.procLocks + pl * PROCLOCK_WORDS;
  }

  /** Index in procWords of backend `procno`'s lock word `pl` (a PL_* constant). */
  procWord(procno: number, pl: number): number {
    return procno * PROC_LOCK_WORDS + pl;
  }

  /** The LWLock guarding the partition of tag hash `hash` (LockHashPartitionLock). */
  partitionLock(hash: number): number {
    return this.header + H_PARTITION_LOCKS + PARTITION_LOCK_STRIDE * (hash & (NUM_LOCK_PARTITIONS - 1));
  }

  /** The counter of strong relation locks for tag hash `hash` (FastPathStrongLockHashPartition). */
  strongCountWord(hash: number): number {
    return this.header + H_STRONG_COUNTS + (hash & (FAST_PATH_STRONG_LOCK_HASH_PARTITIONS - 1));
  }

  /** Takes every partition lock in ascending order (the deadlock detector, pg_locks). */
  lockAllPartitions(mode: LWLockMode): void {
    for (let p = 0; p < NUM_LOCK_PARTITIONS; p++) this.lw.acquire(this.header + H_PARTITION_LOCKS + PARTITION_LOCK_STRIDE * p, mode);
  }

  unlockAllPartitions(): void {
    for (let p = NUM_LOCK_PARTITIONS - 1; p >= 0; p--) this.lw.release(this.header + H_PARTITION_LOCKS + PARTITION_LOCK_STRIDE * p);
  }

  get locksInUse(): number {
    return Atomics.load(this.w, this.header + H_LOCKS_USED);
  }

  get procLocksInUse(): number {
    return Atomics.load(this.w, this.header + H_PROCLOCKS_USED);
  }

  /* ---- the LOCK hash table (partition lock held) ---- */

  /** Finds the LOCK with this tag, or -1. */
  findLock(hash: number, f1: number, f2: number, f3: number, f4: number, typeMethod: number): number {
    const w = this.w;
    for (let n = w[this.buckets + (hash & (this.nbuckets - 1))]; n !== 0; ) {
      const b = this.lockWord(n - 1);
      if (w[b + LK_HASH] === (hash | 0) && w[b + LK_F1] === (f1 | 0) && w[b + LK_F2] === (f2 | 0) && w[b + LK_F3] === (f3 | 0) && w[b + LK_F4] === (f4 | 0) && w[b + LK_TYPE] === typeMethod) {
        return n - 1;
      }
      n = w[b + LK_HASH_NEXT];
    }
    return -1;
  }

  /** Makes a new, empty LOCK for the tag (partition lock exclusive); -1 when the table is full. */
  createLock(hash: number, f1: number, f2: number, f3: number, f4: number, typeMethod: number): number {
    const lock = this.allocate(H_LOCK_FREE_HEAD, H_LOCKS_USED, H_LOCK_HWM, this.maxLocks, this.locks, LOCK_WORDS, LK_HASH_NEXT);
    if (lock < 0) return -1;
    const w = this.w;
    const b = this.lockWord(lock);
    // No zeroing: a free LOCK has all counts, masks and lists at 0 (rule 8 frees it only then).
    w[b + LK_F1] = f1;
    w[b + LK_F2] = f2;
    w[b + LK_F3] = f3;
    w[b + LK_F4] = f4;
    w[b + LK_TYPE] = typeMethod;
    w[b + LK_HASH] = hash;
    const bucket = this.buckets + (hash & (this.nbuckets - 1));
    w[b + LK_HASH_NEXT] = w[bucket];
    w[bucket] = lock + 1;
    return lock;
  }

  /** Unlinks an unused LOCK from its bucket and frees it (partition lock exclusive). */
  private removeLock(lock: number): void {
    const w = this.w;
    const b = this.lockWord(lock);
    Assert(w[b + LK_NREQUESTED] === 0 && w[b + LK_PROCLOCKS] === 0, 'removing a lock that is still in use');
    let link = this.buckets + (w[b + LK_HASH] & (this.nbuckets - 1));
    while (w[link] !== lock + 1) {
      Assert(w[link] !== 0, 'lock table corrupted: lock not in its bucket');
      link = this.lockWord(w[link] - 1) + LK_HASH_NEXT;
    }
    w[link] = w[b + LK_HASH_NEXT];
    this.free(H_LOCK_FREE_HEAD, H_LOCKS_USED, b + LK_HASH_NEXT, lock);
  }

  /** Frees a LOCK nobody requests or has a PROCLOCK on (one made for a request that then failed). */
  removeLockIfUnused(lock: number): void {
    const b = this.lockWord(lock);
    if (this.w[b + LK_NREQUESTED] === 0 && this.w[b + LK_PROCLOCKS] === 0) this.removeLock(lock);
  }

  /* ---- PROCLOCKs (partition lock of their LOCK held) ---- */

  /**
   * The PROCLOCK of `procno` on `lock`, or -1. A LOCK's PROCLOCKs are a list
   * (at most one per backend, so at most MAX_BACKENDS long) instead of
   * PostgreSQL's second hash table; each backend's LOCALLOCK remembers its
   * PROCLOCK, so the list is walked once per lock and transaction.
   */
  findProcLock(lock: number, procno: number): number {
    const w = this.w;
    for (let n = w[this.lockWord(lock) + LK_PROCLOCKS]; n !== 0; n = w[this.procLockWord(n - 1) + PLK_LOCK_NEXT]) {
      if (w[this.procLockWord(n - 1) + PLK_PROCNO] === procno) return n - 1;
    }
    return -1;
  }

  createProcLock(lock: number, procno: number): number {
    const pl = this.allocate(H_PROCLOCK_FREE_HEAD, H_PROCLOCKS_USED, H_PROCLOCK_HWM, this.maxProcLocks, this.procLocks, PROCLOCK_WORDS, PLK_LOCK_NEXT);
    if (pl < 0) return -1;
    const w = this.w;
    const b = this.procLockWord(pl);
    // A free PROCLOCK has holdMask 0 and no wait link (rule 8).
    w[b + PLK_HOLD_MASK] = 0;
    w[b + PLK_WAIT_NEXT] = 0;
    w[b + PLK_LOCK] = lock + 1;
    w[b + PLK_PROCNO] = procno;
    const head = this.lockWord(lock) + LK_PROCLOCKS;
    w[b + PLK_LOCK_NEXT] = w[head];
    w[head] = pl + 1;
    return pl;
  }

  private removeProcLock(lock: number, pl: number): void {
    const w = this.w;
    let link = this.lockWord(lock) + LK_PROCLOCKS;
    while (w[link] !== pl + 1) {
      Assert(w[link] !== 0, 'lock table corrupted: proclock not on its lock');
      link = this.procLockWord(w[link] - 1) + PLK_LOCK_NEXT;
    }
    const b = this.procLockWord(pl);
    w[link] = w[b + PLK_LOCK_NEXT];
    w[b + PLK_LOCK] = 0;
    this.free(H_PROCLOCK_FREE_HEAD, H_PROCLOCKS_USED, b + PLK_LOCK_NEXT, pl);
  }

  /*
   * Free lists: one per pool for all partitions, under a spinlock, as
   * PostgreSQL's dynahash guards its free lists: the critical section is a
   * few loads and stores, taken while a partition lock is held, and nothing
   * is taken under it. A spinlock costs one compare-and-swap and one store;
   * an LWLock here cost a third of an uncontended lock request.
   */
  /** An entry from the free list, else the next never-used one; -1 when all are in use. */
  private allocate(headWord: number, usedWord: number, hwmWord: number, max: number, base: number, words: number, linkField: number): number {
    const w = this.w;
    const h = this.header;
    const spin = h + H_FREELIST_LOCK;
    spinLockAcquire(w, spin);
    let entry = -1;
    const head = w[h + headWord];
    if (head !== 0) {
      entry = head - 1;
      w[h + headWord] = w[base + entry * words + linkField];
      // A free entry's link word was its free-list link; in use it is a chain link, 0 until set.
      w[base + entry * words + linkField] = 0;
    } else if (w[h + hwmWord] < max) {
      entry = w[h + hwmWord]++;
    }
    if (entry >= 0) w[h + usedWord]++;
    Atomics.store(w, spin, 0);
    return entry;
  }

  private free(headWord: number, usedWord: number, linkWord: number, entry: number): void {
    const w = this.w;
    const spin = this.header + H_FREELIST_LOCK;
    spinLockAcquire(w, spin);
    w[linkWord] = w[this.header + headWord];
    w[this.header + headWord] = entry + 1;
    w[this.header + usedWord]--;
    Atomics.store(w, spin, 0);
  }

  /* ---- granting (partition lock exclusive) ---- */

  /** A request for `mode` is counted before it is granted or queued. */
  request(lock: number, mode: number): void {
    const b = this.lockWord(lock);
    this.w[b + LK_NREQUESTED]++;
    this.w[b + LK_REQUESTED + mode]++;
  }

  /** Takes back a request that was neither granted nor queued (dontWait). */
  unrequest(lock: number, pl: number, mode: number): void {
    const w = this.w;
    const b = this.lockWord(lock);
    w[b + LK_NREQUESTED]--;
    w[b + LK_REQUESTED + mode]--;
    Assert(w[b + LK_NREQUESTED] > 0 || w[this.procLockWord(pl) + PLK_HOLD_MASK] === 0, 'lock request counts are inconsistent');
    this.cleanUpLock(lock, pl, false);
  }

  /**
   * LockCheckConflicts: does `mode` conflict with what others hold? Modes
   * this backend holds itself never conflict with its own request.
   */
  lockCheckConflicts(mode: number, lock: number, pl: number): boolean {
    const w = this.w;
    const b = this.lockWord(lock);
    const conflictMask = LOCK_CONFLICTS[mode];
    if ((conflictMask & w[b + LK_GRANT_MASK]) === 0) return false;
    const myLocks = w[this.procLockWord(pl) + PLK_HOLD_MASK];
    let otherLocks = 0;
    for (let m = 1; m < MAX_LOCKMODES; m++) {
      const mine = (myLocks & lockbit(m)) !== 0 ? 1 : 0;
      if (w[b + LK_GRANTED + m] > mine) otherLocks |= lockbit(m);
    }
    return (conflictMask & otherLocks) !== 0;
  }

  /** GrantLock: the request for `mode` (already counted) is granted. */
  grantLock(lock: number, pl: number, mode: number): void {
    const w = this.w;
    const b = this.lockWord(lock);
    w[b + LK_GRANTED + mode]++;
    w[b + LK_NGRANTED]++;
    w[b + LK_GRANT_MASK] |= lockbit(mode);
    if (w[b + LK_GRANTED + mode] === w[b + LK_REQUESTED + mode]) w[b + LK_WAIT_MASK] &= ~lockbit(mode);
    w[this.procLockWord(pl) + PLK_HOLD_MASK] |= lockbit(mode);
    Assert(w[b + LK_NGRANTED] <= w[b + LK_NREQUESTED], 'more locks granted than requested');
  }

  /** UnGrantLock: gives back a granted `mode`; true when waiters may now be grantable. */
  unGrantLock(lock: number, pl: number, mode: number): boolean {
    const w = this.w;
    const b = this.lockWord(lock);
    const plb = this.procLockWord(pl);
    Assert((w[plb + PLK_HOLD_MASK] & lockbit(mode)) !== 0, 'releasing a lock mode that is not held');
    w[b + LK_REQUESTED + mode]--;
    w[b + LK_NREQUESTED]--;
    w[b + LK_GRANTED + mode]--;
    w[b + LK_NGRANTED]--;
    if (w[b + LK_GRANTED + mode] === 0) w[b + LK_GRANT_MASK] &= ~lockbit(mode);
    w[plb + PLK_HOLD_MASK] &= ~lockbit(mode);
    return (LOCK_CONFLICTS[mode] & w[b + LK_WAIT_MASK]) !== 0;
  }

  /**
   * CleanUpLock: frees the PROCLOCK if it holds nothing (and does not wait),
   * the LOCK if nobody requests it; otherwise wakes whoever can now go.
   */
  cleanUpLock(lock: number, pl: number, wakeupNeeded: boolean): void {
    const w = this.w;
    const b = this.lockWord(lock);
    if (w[this.procLockWord(pl) + PLK_HOLD_MASK] === 0 && !this.isQueued(lock, pl)) this.removeProcLock(lock, pl);
    if (w[b + LK_NREQUESTED] === 0) {
      this.removeLock(lock);
    } else if (wakeupNeeded) {
      this.procLockWakeup(lock);
    }
  }

  /* ---- wait queues (partition lock exclusive) ---- */

  private isQueued(lock: number, pl: number): boolean {
    const w = this.w;
    for (let n = w[this.lockWord(lock) + LK_WAIT_HEAD]; n !== 0; n = w[this.procLockWord(n - 1) + PLK_WAIT_NEXT]) if (n === pl + 1) return true;
    return false;
  }

  /** The waiting PROCLOCKs of `lock`, in queue order, into `out`; returns the count. */
  waitQueue(lock: number, out: Int32Array | number[]): number {
    const w = this.w;
    let k = 0;
    for (let n = w[this.lockWord(lock) + LK_WAIT_HEAD]; n !== 0; n = w[this.procLockWord(n - 1) + PLK_WAIT_NEXT]) out[k++] = n - 1;
    return k;
  }

  /** Puts `pl` into the queue before `before` (-1: at the end). */
  queueInsert(lock: number, pl: number, before: number): void {
    const w = this.w;
    const b = this.lockWord(lock);
    const plb = this.procLockWord(pl);
    if (before < 0) {
      w[plb + PLK_WAIT_NEXT] = 0;
      if (w[b + LK_WAIT_TAIL] === 0) w[b + LK_WAIT_HEAD] = pl + 1;
      else w[this.procLockWord(w[b + LK_WAIT_TAIL] - 1) + PLK_WAIT_NEXT] = pl + 1;
      w[b + LK_WAIT_TAIL] = pl + 1;
    } else {
      let link = b + LK_WAIT_HEAD;
      while (w[link] !== before + 1) {
        Assert(w[link] !== 0, 'wait queue corrupted');
        link = this.procLockWord(w[link] - 1) + PLK_WAIT_NEXT;
      }
      w[plb + PLK_WAIT_NEXT] = before + 1;
      w[link] = pl + 1;
    }
    w[b + LK_NWAITING]++;
  }

  private queueRemove(lock: number, pl: number): void {
    const w = this.w;
    const b = this.lockWord(lock);
    let link = b + LK_WAIT_HEAD;
    let prev = 0;
    while (w[link] !== pl + 1) {
      Assert(w[link] !== 0, 'wait queue corrupted: waiter not queued');
      prev = w[link];
      link = this.procLockWord(w[link] - 1) + PLK_WAIT_NEXT;
    }
    w[link] = w[this.procLockWord(pl) + PLK_WAIT_NEXT];
    if (w[b + LK_WAIT_TAIL] === pl + 1) w[b + LK_WAIT_TAIL] = prev;
    w[this.procLockWord(pl) + PLK_WAIT_NEXT] = 0;
    w[b + LK_NWAITING]--;
  }

  /** Replaces the queue by `order` (the same PROCLOCKs rearranged by the deadlock detector). */
  rewriteQueue(lock: number, order: readonly number[]): void {
    const w = this.w;
    const b = this.lockWord(lock);
    Assert(order.length === w[b + LK_NWAITING], 'rearranged wait queue has another length');
    w[b + LK_WAIT_HEAD] = 0;
    w[b + LK_WAIT_TAIL] = 0;
    w[b + LK_NWAITING] = 0;
    for (const pl of order) this.queueInsert(lock, pl, -1);
  }

  /** Makes `procno` a waiter for `mode` of `lock` at queue position `before` (JoinWaitQueue). */
  enqueueWaiter(procno: number, lock: number, pl: number, mode: number, before: number): void {
    const w = this.w;
    this.queueInsert(lock, pl, before);
    w[this.lockWord(lock) + LK_WAIT_MASK] |= lockbit(mode);
    const pw = this.procWords;
    const base = procno * PROC_LOCK_WORDS;
    pw[base + PL_WAIT_LOCK] = lock + 1;
    pw[base + PL_WAIT_PROCLOCK] = pl + 1;
    pw[base + PL_WAIT_LOCK_MODE] = mode;
    pw[base + PL_HELD_LOCKS] = w[this.procLockWord(pl) + PLK_HOLD_MASK];
    pw[base + PL_WAIT_START_MS] = Date.now() % 0x1_0000_0000 | 0;
    Atomics.store(pw, base + PL_SEMAPHORE, 0);
    Atomics.store(pw, base + PL_WAIT_STATUS, PROC_WAIT_STATUS_WAITING);
  }

  /** Is `procno` waiting, and for which LOCK (-1 if not)? Under the partition lock of that LOCK, or all of them. */
  waitingFor(procno: number): number {
    const base = procno * PROC_LOCK_WORDS;
    if (Atomics.load(this.procWords, base + PL_WAIT_STATUS) !== PROC_WAIT_STATUS_WAITING) return -1;
    return this.procWords[base + PL_WAIT_LOCK] - 1;
  }

  waitModeOf(procno: number): number {
    return this.procWords[procno * PROC_LOCK_WORDS + PL_WAIT_LOCK_MODE];
  }

  waitProcLockOf(procno: number): number {
    return this.procWords[procno * PROC_LOCK_WORDS + PL_WAIT_PROCLOCK] - 1;
  }

  waitStatus(procno: number): number {
    return Atomics.load(this.procWords, procno * PROC_LOCK_WORDS + PL_WAIT_STATUS);
  }

  /** ProcWakeup: ends `procno`'s wait with `status` and wakes it; its PROCLOCK must be off the queue. */
  private procWakeup(procno: number, status: number): void {
    const pw = this.procWords;
    const base = procno * PROC_LOCK_WORDS;
    pw[base + PL_WAIT_LOCK] = 0;
    pw[base + PL_WAIT_PROCLOCK] = 0;
    pw[base + PL_WAIT_START_MS] = 0;
    Atomics.store(pw, base + PL_WAIT_STATUS, status);
    Atomics.store(pw, base + PL_SEMAPHORE, 1);
    Atomics.notify(pw, base + PL_SEMAPHORE);
  }

  /**
   * ProcLockWakeup: grants, in queue order, every waiter whose request
   * conflicts neither with the holders nor with an earlier waiter that stays
   * queued (so a stream of weak requests cannot starve a strong one).
   */
  procLockWakeup(lock: number): void {
    const w = this.w;
    let aheadRequests = 0;
    let n = w[this.lockWord(lock) + LK_WAIT_HEAD];
    while (n !== 0) {
      const pl = n - 1;
      n = w[this.procLockWord(pl) + PLK_WAIT_NEXT];
      const procno = w[this.procLockWord(pl) + PLK_PROCNO];
      const mode = this.waitModeOf(procno);
      if ((LOCK_CONFLICTS[mode] & aheadRequests) === 0 && !this.lockCheckConflicts(mode, lock, pl)) {
        this.grantLock(lock, pl, mode);
        this.queueRemove(lock, pl);
        this.procWakeup(procno, PROC_WAIT_STATUS_OK);
      } else {
        aheadRequests |= lockbit(mode);
      }
    }
  }

  /**
   * RemoveFromWaitQueue: takes a waiter off its queue without granting
   * (deadlock victim, cancel, lock_timeout), forgets its request, frees what
   * became unused, wakes whoever can go now, and ends its wait with ERROR.
   * Partition lock of the awaited LOCK exclusive.
   */
  removeFromWaitQueue(procno: number): void {
    const w = this.w;
    const lock = this.waitingFor(procno);
    Assert(lock >= 0, 'removing a backend that does not wait from a wait queue');
    const pl = this.waitProcLockOf(procno);
    const mode = this.waitModeOf(procno);
    const b = this.lockWord(lock);
    this.queueRemove(lock, pl);
    w[b + LK_REQUESTED + mode]--;
    w[b + LK_NREQUESTED]--;
    if (w[b + LK_GRANTED + mode] === w[b + LK_REQUESTED + mode]) w[b + LK_WAIT_MASK] &= ~lockbit(mode);
    this.procWakeup(procno, PROC_WAIT_STATUS_ERROR);
    this.cleanUpLock(lock, pl, true);
  }

  /* ---- deadlock reports (all partition locks to write; the victim reads its own after waking) ---- */

  writeReport(procno: number, edges: readonly number[]): void {
    Assert(edges.length % REPORT_EDGE_WORDS === 0 && edges.length <= MAX_BACKENDS * REPORT_EDGE_WORDS, 'deadlock report too long');
    const base = this.reports + procno * REPORT_WORDS;
    this.w[base] = edges.length / REPORT_EDGE_WORDS;
    for (let i = 0; i < edges.length; i++) this.w[base + 1 + i] = edges[i];
  }

  readReport(procno: number): number[] {
    const base = this.reports + procno * REPORT_WORDS;
    const n = this.w[base] * REPORT_EDGE_WORDS;
    return Array.from(this.w.subarray(base + 1, base + 1 + n));
  }
}
