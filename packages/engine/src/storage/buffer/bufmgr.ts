/*
 * bufmgr.ts — the shared buffer manager (PostgreSQL's bufmgr.c).
 *
 * Exports: bufMgrShmemSize, BufferManager (readBuffer, extendBuffer,
 * releaseBuffer, lockBuffer, markBufferDirty, markBufferDirtyHint, getPage,
 * bufferSync, dropRelationBuffers, readBufferForRedo, ...).
 *
 * One BufferManager exists per backend; all of them share the pool through
 * the SharedArrayBuffer. See README.md in this folder for the rules; the
 * numbers in comments ("rule 3") refer to it.
 */

import { BLCKSZ, NUM_BUFFER_PARTITIONS, MIN_SHARED_BUFFERS, BM_MAX_USAGE_COUNT, LWLOCK_WAIT_TIMEOUT_MS, BUF_DROP_FULL_SCAN_DIVISOR } from '../../constants.ts';
import { Assert, PgError, SQLSTATE, elog } from '../../utils/errors.ts';
import type { Shmem, ShmemSizer } from '../ipc/shmem.ts';
import { LWLockMode, type LWLockOwner } from '../lmgr/lwlock.ts';
import { pageGetLSN, pageIsNew, pageIsVerified, pageSetChecksumInplace } from '../page/bufpage.ts';
import { relPath, type RelFileLocator, ForkNumber, MAX_FORKNUM } from '../relfilelocator.ts';
import type { Smgr } from '../smgr/smgr.ts';
import {
  BM_CHECKPOINT_NEEDED, BM_DIRTY, BM_IO_ERROR, BM_IO_IN_PROGRESS, BM_JUST_DIRTIED, BM_LOCKED, BM_PERMANENT,
  BM_PIN_COUNT_WAITER, BM_TAG_VALID, BM_VALID, BUF_DESC_SIZE, BUF_DESC_WORDS, BUF_REFCOUNT_MASK, BUF_REFCOUNT_ONE,
  BUF_USAGECOUNT_MASK, BUF_USAGECOUNT_ONE, BUFFER_LOCK_EXCLUSIVE, BUFFER_LOCK_SHARE, BUFFER_LOCK_UNLOCK, type BufferTag,
  D_BLOCK, D_CONTENT_LOCK, D_DB, D_FORK, D_IO_WAIT, D_PIN_WAITER, D_REL, D_SPC, D_STATE, ReadBufferMode,
  bufStateGetRefcount, bufStateGetUsagecount, bufTableHashCode,
} from './buf_internals.ts';
import { BufTable } from './buf_table.ts';
import { ClockSweep, STRATEGY_WORDS } from './freelist.ts';

/** Relation-extension locks: an LWLock per hash slot, so two backends never extend one relation at once. */
const NUM_EXTENSION_LOCKS = 64;

/** What the buffer manager needs from the WAL (rule 6: write-ahead). */
export interface BufMgrWal {
  /** XLogFlush: make WAL durable up to lsn. */
  flush(lsn: number): void;
  /** The current checkpoint's redo pointer (for hint-bit safety, rule 8). */
  getRedoRecPtr(): number;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function layout(nbuffers: number): { nbuckets: number; words: number } {
  const nbuckets = Math.max(nextPow2(nbuffers), NUM_BUFFER_PARTITIONS);
  return { nbuckets, words: nbuckets + NUM_BUFFER_PARTITIONS + STRATEGY_WORDS + NUM_EXTENSION_LOCKS };
}

/**
 * Index in shmem.i32 of the clock sweep's words (freelist.ts S_*), given the
 * "Buffer Lookup Table" region's offset: for read-only viewers of the
 * segment that are not backends (the playground's buffer grid).
 */
export function strategyWordsIndex(lookupTableOffset: number, nbuffers: number): number {
  return (lookupTableOffset >> 2) + layout(nbuffers).nbuckets + NUM_BUFFER_PARTITIONS;
}

/** Adds the buffer pool's regions to a shared-memory size estimate. */
export function bufMgrShmemSize(sizer: ShmemSizer, nbuffers: number): void {
  sizer.add(nbuffers * BUF_DESC_SIZE);
  sizer.add(nbuffers * BLCKSZ);
  sizer.add(layout(nbuffers).words * 4);
}

const isPermanent = (fork: number): boolean => fork >= 0;

export interface BufferDescription {
  id: number;
  tag: BufferTag | null;
  refcount: number;
  usageCount: number;
  dirty: boolean;
  valid: boolean;
  ioInProgress: boolean;
  locked: 'none' | 'share' | 'exclusive';
}

export class BufferManager {
  readonly nbuffers: number;
  private readonly shmem: Shmem;
  private readonly w: Int32Array;
  private readonly lw: LWLockOwner;
  private readonly smgr: Smgr;
  private wal: BufMgrWal | null = null;

  private readonly descBase: number;
  private readonly blocksOffset: number;
  private readonly partitionLockBase: number;
  private readonly extLockBase: number;
  private readonly table: BufTable;
  private readonly sweep: ClockSweep;

  /** PrivateRefCount: this backend's pins per buffer; only the first pin touches shared state. */
  private readonly privateRefCount: Int32Array;
  /** How many buffers have privateRefCount > 0: lets releaseAll (every transaction end) skip its sweep when nothing is pinned. */
  private pinnedBuffers = 0;
  /** Which buffers this backend holds content locks on (0 none, 1 share, 2 exclusive). */
  private readonly contentLockMode: Uint8Array;
  /** BufferGetPage views, made on first use. */
  private readonly pages: (Uint8Array | undefined)[];
  /** Private page copy for writes: the checksum is set on the copy, never on the shared page (rule 7). */
  private readonly writeCopy = new Uint8Array(BLCKSZ);
  private readonly tagScratch: BufferTag = { spcOid: 0, dbOid: 0, relNumber: 0, forkNum: 0, blockNum: 0 };

  /** pg_stat counters of this backend (blks_hit, blks_read, buffers written). */
  readonly stats = { hits: 0, reads: 0, writes: 0, extends: 0 };

  constructor(shmem: Shmem, nbuffers: number, smgr: Smgr, lw: LWLockOwner) {
    if (nbuffers < MIN_SHARED_BUFFERS) {
      throw new PgError(SQLSTATE.invalid_parameter_value, `${nbuffers} is outside the valid range for parameter "shared_buffers" (${MIN_SHARED_BUFFERS} .. 1073741823)`);
    }
    this.nbuffers = nbuffers;
    this.shmem = shmem;
    this.w = shmem.i32;
    this.lw = lw;
    this.smgr = smgr;
    const desc = shmem.initStruct('Buffer Descriptors', nbuffers * BUF_DESC_SIZE);
    const blocks = shmem.initStruct('Buffer Blocks', nbuffers * BLCKSZ);
    const { nbuckets, words } = layout(nbuffers);
    const misc = shmem.initStruct('Buffer Lookup Table', words * 4);
    this.descBase = desc.offset >> 2;
    this.blocksOffset = blocks.offset;
    const bucketBase = misc.offset >> 2;
    this.partitionLockBase = bucketBase + nbuckets;
    const strategyBase = this.partitionLockBase + NUM_BUFFER_PARTITIONS;
    this.extLockBase = strategyBase + STRATEGY_WORDS;
    this.table = new BufTable(this.w, this.descBase, bucketBase, nbuckets);
    this.sweep = new ClockSweep(this.w, this.descBase, strategyBase, nbuffers);
    if (!desc.found) {
      for (let i = 0; i < nbuffers; i++) this.w[this.descBase + i * BUF_DESC_WORDS + D_PIN_WAITER] = -1;
    }
    this.privateRefCount = new Int32Array(nbuffers);
    this.contentLockMode = new Uint8Array(nbuffers);
    this.pages = new Array<Uint8Array | undefined>(nbuffers);
  }

  setWal(wal: BufMgrWal): void {
    this.wal = wal;
  }

  get clockHand(): number {
    return this.sweep.hand;
  }

  private d(id: number): number {
    return this.descBase + id * BUF_DESC_WORDS;
  }

  /** BufferGetPage: the page bytes of a pinned buffer (a view on shared memory). */
  getPage(buffer: number): Uint8Array {
    const id = buffer - 1;
    let p = this.pages[id];
    if (p === undefined) {
      p = new Uint8Array(this.shmem.sab, this.blocksOffset + id * BLCKSZ, BLCKSZ);
      this.pages[id] = p;
    }
    return p;
  }

  /** BufferGetBlockNumber */
  getBlockNumber(buffer: number): number {
    return this.w[this.d(buffer - 1) + D_BLOCK] >>> 0;
  }

  /** BufferGetTag: fills `out` with the buffer's tag. */
  getTag(buffer: number, out: BufferTag): void {
    const d = this.d(buffer - 1);
    out.spcOid = this.w[d + D_SPC] >>> 0;
    out.dbOid = this.w[d + D_DB] >>> 0;
    out.relNumber = this.w[d + D_REL] >>> 0;
    out.forkNum = this.w[d + D_FORK];
    out.blockNum = this.w[d + D_BLOCK] >>> 0;
  }

  // ---------------------------------------------------------------- pins

  private lockBufHdr(id: number): number {
    const s = this.d(id) + D_STATE;
    for (let spins = 0; ; spins++) {
      const old = Atomics.or(this.w, s, BM_LOCKED);
      if ((old & BM_LOCKED) === 0) return old | BM_LOCKED;
      if (spins > 1000) Atomics.wait(this.w, this.d(id) + D_IO_WAIT, Atomics.load(this.w, this.d(id) + D_IO_WAIT), 1);
    }
  }

  private unlockBufHdr(id: number, state: number): void {
    Atomics.store(this.w, this.d(id) + D_STATE, state & ~BM_LOCKED);
  }

  /** PinBuffer: pins a buffer found in the mapping table; true if it holds a valid page. */
  private pin(id: number): boolean {
    if (this.privateRefCount[id] > 0) {
      this.privateRefCount[id]++;
      return true;
    }
    const w = this.w;
    const s = this.d(id) + D_STATE;
    // A plain read is only a guess (aligned Int32 reads never tear); the CAS
    // validates it. Atomics.load would cost as much as the CAS itself.
    let old = w[s];
    for (;;) {
      if ((old & BM_LOCKED) !== 0) {
        old = this.waitBufHdrUnlocked(id);
        continue;
      }
      let next = old + BUF_REFCOUNT_ONE;
      if ((old & BUF_USAGECOUNT_MASK) < BM_MAX_USAGE_COUNT * BUF_USAGECOUNT_ONE) next += BUF_USAGECOUNT_ONE;
      const seen = Atomics.compareExchange(w, s, old, next);
      if (seen === old) {
        this.privateRefCount[id] = 1;
        this.pinnedBuffers++;
        return (next & BM_VALID) !== 0;
      }
      old = seen;
    }
  }

  private waitBufHdrUnlocked(id: number): number {
    const s = this.d(id) + D_STATE;
    for (let spins = 0; ; spins++) {
      const st = Atomics.load(this.w, s);
      if ((st & BM_LOCKED) === 0) return st;
      if (spins > 1000) Atomics.wait(this.w, this.d(id) + D_IO_WAIT, Atomics.load(this.w, this.d(id) + D_IO_WAIT), 1);
    }
  }

  /** Pins a buffer whose header lock we hold; releases the header lock. */
  private pinLocked(id: number, state: number): void {
    Assert(this.privateRefCount[id] === 0, 'buffer already pinned by this backend');
    let next = state + BUF_REFCOUNT_ONE;
    if ((state & BUF_USAGECOUNT_MASK) === 0) next += BUF_USAGECOUNT_ONE;
    this.unlockBufHdr(id, next);
    this.privateRefCount[id] = 1;
    this.pinnedBuffers++;
  }

  /** UnpinBuffer */
  private unpin(id: number): void {
    const priv = --this.privateRefCount[id];
    Assert(priv >= 0, 'buffer unpinned more often than pinned');
    if (priv > 0) return;
    this.pinnedBuffers--;
    Assert(this.contentLockMode[id] === 0, 'buffer unpinned while its content lock is held');
    const w = this.w;
    const s = this.d(id) + D_STATE;
    let old = w[s];
    for (;;) {
      if ((old & BM_LOCKED) !== 0) {
        old = this.waitBufHdrUnlocked(id);
        continue;
      }
      const seen = Atomics.compareExchange(w, s, old, old - BUF_REFCOUNT_ONE);
      if (seen === old) break;
      old = seen;
    }
    if ((old & BM_PIN_COUNT_WAITER) !== 0 && (old & BUF_REFCOUNT_MASK) === 2) {
      // Someone waits for a cleanup lock and we just left it the only pin.
      const st = this.lockBufHdr(id);
      this.unlockBufHdr(id, st & ~BM_PIN_COUNT_WAITER);
      this.wake(id);
    }
  }

  private wake(id: number): void {
    const iw = this.d(id) + D_IO_WAIT;
    Atomics.add(this.w, iw, 1);
    Atomics.notify(this.w, iw);
  }

  private sleepOn(id: number, seen: number): void {
    Atomics.wait(this.w, this.d(id) + D_IO_WAIT, seen, LWLOCK_WAIT_TIMEOUT_MS);
  }

  /** IncrBufferRefCount: another pin on an already-pinned buffer. */
  incrRefCount(buffer: number): void {
    Assert(this.privateRefCount[buffer - 1] > 0, 'buffer is not pinned');
    this.privateRefCount[buffer - 1]++;
  }

  /** ReleaseBuffer */
  releaseBuffer(buffer: number): void {
    this.unpin(buffer - 1);
  }

  /** UnlockReleaseBuffer */
  unlockReleaseBuffer(buffer: number): void {
    this.lockBuffer(buffer, BUFFER_LOCK_UNLOCK);
    this.unpin(buffer - 1);
  }

  /** Pins held by this backend on a buffer (tests, assertions). */
  pinCount(buffer: number): number {
    return this.privateRefCount[buffer - 1];
  }

  /** Abort/cleanup: drops every content lock and pin this backend holds. */
  releaseAll(): void {
    // A content lock needs a pin (lockBuffer), so no pins means nothing to release.
    if (this.pinnedBuffers === 0) return;
    for (let id = 0; id < this.nbuffers; id++) {
      if (this.contentLockMode[id] !== 0) {
        // An abort has already released every LWLock (LWLockReleaseAll comes first): only the bookkeeping is left.
        const word = this.d(id) + D_CONTENT_LOCK;
        if (this.lw.holds(word)) this.lw.release(word);
        this.contentLockMode[id] = 0;
      }
      if (this.privateRefCount[id] > 0) {
        this.privateRefCount[id] = 1;
        this.unpin(id);
      }
    }
  }

  /** Number of buffers this backend has pinned (leak checks at transaction end). */
  pinnedBufferCount(): number {
    let n = 0;
    for (let id = 0; id < this.nbuffers; id++) if (this.privateRefCount[id] > 0) n++;
    return n;
  }

  // ---------------------------------------------------------------- reading

  /** ReadBufferExtended: returns a pinned buffer holding the block. */
  readBuffer(rel: RelFileLocator, fork: ForkNumber, block: number, mode: ReadBufferMode = ReadBufferMode.Normal): number {
    const spc = rel.spcOid;
    const db = rel.dbOid;
    const relNumber = rel.relNumber;
    const hash = bufTableHashCode(spc, db, relNumber, fork, block);
    // Fast path (rule 4): look the tag up without the partition lock, pin
    // what we found, and check the tag after pinning. A pinned buffer cannot
    // be re-tagged, so a match proves we hold the right page; a miss or a
    // mismatch (a concurrent re-tag) falls through to the locked lookup.
    const guess = this.table.lookupOptimistic(hash, spc, db, relNumber, fork, block);
    if (guess >= 0) {
      const valid = this.pin(guess);
      if (this.tagMatches(guess, spc, db, relNumber, fork, block)) {
        this.stats.hits++;
        if (!valid || mode === ReadBufferMode.ZeroAndLock) this.completeRead(guess, rel, fork, block, mode, valid);
        return guess + 1;
      }
      this.unpin(guess);
    }
    const partLock = this.partitionLockBase + (hash & (NUM_BUFFER_PARTITIONS - 1));
    this.lw.acquire(partLock, LWLockMode.Shared);
    const id = this.table.lookup(hash, spc, db, relNumber, fork, block);
    if (id >= 0) {
      const valid = this.pin(id);
      this.lw.release(partLock);
      this.stats.hits++;
      if (!valid || mode === ReadBufferMode.ZeroAndLock) this.completeRead(id, rel, fork, block, mode, valid);
      return id + 1;
    }
    this.lw.release(partLock);
    const got = this.bufferAlloc(rel, fork, block, hash);
    this.completeRead(got, rel, fork, block, mode, false);
    return got + 1;
  }

  private tagMatches(id: number, spc: number, db: number, rel: number, fork: number, block: number): boolean {
    const w = this.w;
    const d = this.d(id);
    return (w[d + D_STATE] & BM_TAG_VALID) !== 0 && w[d + D_BLOCK] === block && w[d + D_REL] === rel &&
      w[d + D_FORK] === fork && w[d + D_DB] === db && w[d + D_SPC] === spc;
  }

  /**
   * Finishes a read: performs the I/O if nobody else did, or waits for the
   * backend that is doing it. For ZeroAndLock, zeroes the page under an
   * exclusive lock instead of reading.
   */
  private completeRead(id: number, rel: RelFileLocator, fork: ForkNumber, block: number, mode: ReadBufferMode, valid: boolean): void {
    const buffer = id + 1;
    if (mode === ReadBufferMode.ZeroAndLock) {
      // The caller will overwrite the page; nobody can be reading it while we
      // hold it exclusively, but a concurrent reader's I/O must finish first.
      let zeroed = false;
      if (!valid && this.startBufferIO(id, true)) {
        this.getPage(buffer).fill(0);
        this.terminateBufferIO(id, false, BM_VALID);
        zeroed = true;
      }
      this.lockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
      // A page someone else made valid is zeroed again under our lock; ours already is.
      if (!zeroed) this.getPage(buffer).fill(0);
      return;
    }
    if (valid) return;
    if (!this.startBufferIO(id, true)) return; // someone else read it meanwhile
    const page = this.getPage(buffer);
    try {
      this.smgr.read(rel, fork, block, page);
      this.stats.reads++;
      if (!pageIsVerified(page, block)) {
        if (mode === ReadBufferMode.ZeroOnError) {
          page.fill(0);
        } else {
          throw new PgError(SQLSTATE.data_corrupted, `invalid page in block ${block} of relation ${relPath(rel, fork)}`);
        }
      }
    } catch (e) {
      this.terminateBufferIO(id, false, BM_IO_ERROR);
      this.unpin(id);
      throw e;
    }
    this.terminateBufferIO(id, false, BM_VALID);
  }

  /**
   * BufferAlloc: finds a victim buffer and re-tags it for the new block.
   * Returns the pinned buffer id, with I/O not yet started (not BM_VALID).
   * If another backend mapped the block meanwhile, returns that buffer instead.
   */
  private bufferAlloc(rel: RelFileLocator, fork: ForkNumber, block: number, hash: number): number {
    const spc = rel.spcOid, db = rel.dbOid, relNumber = rel.relNumber;
    const newPart = hash & (NUM_BUFFER_PARTITIONS - 1);
    for (let attempt = 0; ; attempt++) {
      if (attempt > 1000) elog('could not find a free buffer after 1000 attempts');
      const victim = this.sweep.getVictim();
      const id = victim.id;
      this.pinLocked(id, victim.state);
      let state = Atomics.load(this.w, this.d(id) + D_STATE);
      if ((state & BM_DIRTY) !== 0) {
        // Write it out first (rule 6 happens inside flushBuffer).
        this.lockBuffer(id + 1, BUFFER_LOCK_SHARE);
        this.flushBuffer(id);
        this.lockBuffer(id + 1, BUFFER_LOCK_UNLOCK);
      }
      const d = this.d(id);
      state = Atomics.load(this.w, d + D_STATE);
      const hadTag = (state & BM_TAG_VALID) !== 0;
      const oldHash = hadTag ? bufTableHashCode(this.w[d + D_SPC], this.w[d + D_DB], this.w[d + D_REL], this.w[d + D_FORK], this.w[d + D_BLOCK]) : 0;
      const oldPart = oldHash & (NUM_BUFFER_PARTITIONS - 1);
      // Rule 2 of buf_table.ts: lower partition first.
      const first = hadTag && oldPart < newPart ? oldPart : newPart;
      const second = hadTag && oldPart !== newPart ? (first === oldPart ? newPart : oldPart) : -1;
      this.lw.acquire(this.partitionLockBase + first, LWLockMode.Exclusive);
      if (second >= 0) this.lw.acquire(this.partitionLockBase + second, LWLockMode.Exclusive);
      const existing = this.table.lookup(hash, spc, db, relNumber, fork, block);
      if (existing >= 0) {
        // Somebody else loaded the block while we were flushing: use theirs.
        const valid = this.pin(existing);
        if (second >= 0) this.lw.release(this.partitionLockBase + second);
        this.lw.release(this.partitionLockBase + first);
        this.unpin(id);
        if (valid) this.stats.hits++;
        return existing;
      }
      state = this.lockBufHdr(id);
      if (bufStateGetRefcount(state) !== 1 || (state & BM_DIRTY) !== 0) {
        // Pinned or dirtied by someone else meanwhile: try another victim.
        this.unlockBufHdr(id, state);
        if (second >= 0) this.lw.release(this.partitionLockBase + second);
        this.lw.release(this.partitionLockBase + first);
        this.unpin(id);
        continue;
      }
      if (hadTag) this.table.delete(oldHash, id);
      this.w[d + D_SPC] = spc;
      this.w[d + D_DB] = db;
      this.w[d + D_REL] = relNumber;
      this.w[d + D_FORK] = fork;
      this.w[d + D_BLOCK] = block;
      this.table.insert(hash, id);
      const keep = state & (BUF_REFCOUNT_MASK | BUF_USAGECOUNT_MASK | BM_LOCKED);
      this.unlockBufHdr(id, keep | BM_TAG_VALID | (isPermanent(fork) ? BM_PERMANENT : 0));
      if (second >= 0) this.lw.release(this.partitionLockBase + second);
      this.lw.release(this.partitionLockBase + first);
      return id;
    }
  }

  /**
   * StartBufferIO: claims the right to do I/O on a buffer. For a read,
   * returns false if the page became valid meanwhile; waits while another
   * backend's I/O is in progress.
   */
  private startBufferIO(id: number, forInput: boolean): boolean {
    for (;;) {
      const iw = Atomics.load(this.w, this.d(id) + D_IO_WAIT);
      const st = this.lockBufHdr(id);
      if ((st & BM_IO_IN_PROGRESS) === 0) {
        if (forInput ? (st & BM_VALID) !== 0 : (st & BM_DIRTY) === 0) {
          this.unlockBufHdr(id, st);
          return false;
        }
        this.unlockBufHdr(id, st | BM_IO_IN_PROGRESS);
        return true;
      }
      this.unlockBufHdr(id, st);
      this.sleepOn(id, iw);
    }
  }

  /** TerminateBufferIO: ends our I/O, clearing/setting flags, and wakes waiters. */
  private terminateBufferIO(id: number, clearDirty: boolean, setFlags: number): void {
    let st = this.lockBufHdr(id);
    st &= ~(BM_IO_IN_PROGRESS | BM_IO_ERROR);
    if (clearDirty && (st & BM_JUST_DIRTIED) === 0) st &= ~(BM_DIRTY | BM_CHECKPOINT_NEEDED);
    st |= setFlags;
    this.unlockBufHdr(id, st);
    this.wake(id);
  }

  // ---------------------------------------------------------------- locks

  /** LockBuffer: BUFFER_LOCK_SHARE, BUFFER_LOCK_EXCLUSIVE or BUFFER_LOCK_UNLOCK. */
  lockBuffer(buffer: number, mode: number): void {
    const id = buffer - 1;
    const word = this.d(id) + D_CONTENT_LOCK;
    if (mode === BUFFER_LOCK_UNLOCK) {
      Assert(this.contentLockMode[id] !== 0, 'buffer content lock is not held');
      this.lw.release(word);
      this.contentLockMode[id] = 0;
      return;
    }
    Assert(this.privateRefCount[id] > 0, 'buffer must be pinned before it is locked');
    this.lw.acquire(word, mode === BUFFER_LOCK_EXCLUSIVE ? LWLockMode.Exclusive : LWLockMode.Shared);
    this.contentLockMode[id] = mode;
  }

  /** ConditionalLockBuffer: exclusive lock only if free. */
  conditionalLockBuffer(buffer: number): boolean {
    const id = buffer - 1;
    if (!this.lw.conditionalAcquire(this.d(id) + D_CONTENT_LOCK, LWLockMode.Exclusive)) return false;
    this.contentLockMode[id] = BUFFER_LOCK_EXCLUSIVE;
    return true;
  }

  /** Mode of this backend's content lock on the buffer (0 none, 1 share, 2 exclusive). */
  heldLockMode(buffer: number): number {
    return this.contentLockMode[buffer - 1];
  }

  /**
   * LockBufferForCleanup: exclusive lock and ours the only pin, so no
   * other backend holds a pointer into the page (needed to move tuples).
   */
  lockBufferForCleanup(buffer: number): void {
    const id = buffer - 1;
    Assert(this.privateRefCount[id] === 1, 'cleanup lock needs exactly one local pin');
    for (;;) {
      this.lockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
      const iw = Atomics.load(this.w, this.d(id) + D_IO_WAIT);
      const st = this.lockBufHdr(id);
      if (bufStateGetRefcount(st) === 1) {
        this.unlockBufHdr(id, st);
        return;
      }
      this.unlockBufHdr(id, st | BM_PIN_COUNT_WAITER);
      this.lockBuffer(buffer, BUFFER_LOCK_UNLOCK);
      this.sleepOn(id, iw);
    }
  }

  /** ConditionalLockBufferForCleanup */
  conditionalLockBufferForCleanup(buffer: number): boolean {
    const id = buffer - 1;
    if (this.privateRefCount[id] !== 1) return false;
    if (!this.conditionalLockBuffer(buffer)) return false;
    if (bufStateGetRefcount(Atomics.load(this.w, this.d(id) + D_STATE)) === 1) return true;
    this.lockBuffer(buffer, BUFFER_LOCK_UNLOCK);
    return false;
  }

  // ---------------------------------------------------------------- dirtying

  /** MarkBufferDirty: caller holds an exclusive content lock and has WAL-logged (or will log) the change. */
  markBufferDirty(buffer: number): void {
    const id = buffer - 1;
    const s = this.d(id) + D_STATE;
    const w = this.w;
    let old = w[s];
    if ((old & (BM_DIRTY | BM_JUST_DIRTIED | BM_LOCKED)) === (BM_DIRTY | BM_JUST_DIRTIED)) return;
    for (;;) {
      if ((old & BM_LOCKED) !== 0) {
        old = this.waitBufHdrUnlocked(id);
        continue;
      }
      const seen = Atomics.compareExchange(w, s, old, old | BM_DIRTY | BM_JUST_DIRTIED);
      if (seen === old) return;
      old = seen;
    }
  }

  /**
   * MarkBufferDirtyHint: a change that needs no WAL (hint bits). Rule 8:
   * the buffer is only dirtied when a full-page image taken since the
   * checkpoint's redo point covers the page (page LSN > RedoRecPtr), so a
   * torn write of the hint is always repaired by recovery. Otherwise the
   * hint stays in memory and may be lost, which hints are allowed to be.
   */
  markBufferDirtyHint(buffer: number, _bufferStd: boolean): void {
    const id = buffer - 1;
    const st = Atomics.load(this.w, this.d(id) + D_STATE);
    if ((st & BM_DIRTY) !== 0 && (st & BM_JUST_DIRTIED) !== 0) return;
    const wal = this.wal;
    if (wal === null) return;
    if (pageGetLSN(this.getPage(buffer)) <= wal.getRedoRecPtr()) return;
    this.markBufferDirty(buffer);
  }

  // ---------------------------------------------------------------- writing

  /**
   * FlushBuffer: writes a dirty buffer. Caller holds a pin and a share (or
   * exclusive) content lock. Rule 6: WAL is flushed up to the page LSN first.
   */
  private flushBuffer(id: number): void {
    if (!this.startBufferIO(id, false)) return;
    // Clear JUST_DIRTIED: if it is set again before we finish, the buffer stays dirty.
    let st = this.lockBufHdr(id);
    this.unlockBufHdr(id, st & ~BM_JUST_DIRTIED);
    const buffer = id + 1;
    const page = this.getPage(buffer);
    const d = this.d(id);
    const block = this.w[d + D_BLOCK] >>> 0;
    try {
      const lsn = pageGetLSN(page);
      if (this.wal !== null && (st & BM_PERMANENT) !== 0) this.wal.flush(lsn);
      const copy = this.writeCopy;
      copy.set(page);
      if (!pageIsNew(copy)) pageSetChecksumInplace(copy, block);
      this.getTag(buffer, this.tagScratch);
      this.smgr.write(this.tagScratch, this.tagScratch.forkNum, block, copy);
      this.stats.writes++;
    } catch (e) {
      st = this.lockBufHdr(id);
      this.unlockBufHdr(id, (st | BM_JUST_DIRTIED | BM_IO_ERROR) & ~BM_IO_IN_PROGRESS);
      this.wake(id);
      throw e;
    }
    this.terminateBufferIO(id, true, 0);
  }

  /** FlushOneBuffer: writes a pinned, locked buffer now. */
  flushOneBuffer(buffer: number): void {
    this.flushBuffer(buffer - 1);
  }

  /**
   * BufferSync: the checkpoint's write of every dirty buffer. Buffers dirty
   * when it starts get BM_CHECKPOINT_NEEDED and are written in tag order.
   */
  bufferSync(): number {
    const ids: number[] = [];
    for (let id = 0; id < this.nbuffers; id++) {
      const st = this.lockBufHdr(id);
      if ((st & (BM_DIRTY | BM_VALID)) === (BM_DIRTY | BM_VALID)) {
        this.unlockBufHdr(id, st | BM_CHECKPOINT_NEEDED);
        ids.push(id);
      } else {
        this.unlockBufHdr(id, st);
      }
    }
    const w = this.w;
    ids.sort((a, b) => {
      const da = this.d(a), db = this.d(b);
      return w[da + D_REL] - w[db + D_REL] || w[da + D_FORK] - w[db + D_FORK] || (w[da + D_BLOCK] >>> 0) - (w[db + D_BLOCK] >>> 0);
    });
    let written = 0;
    for (const id of ids) {
      const st = Atomics.load(w, this.d(id) + D_STATE);
      if ((st & BM_CHECKPOINT_NEEDED) === 0) continue;
      this.syncOneBuffer(id);
      written++;
    }
    return written;
  }

  /**
   * BgBufferSync, reduced (the background writer's round): from the clock
   * hand onwards, writes dirty buffers the sweep could take next (valid,
   * unpinned, usage count 0), at most `maxPages`, so a backend that needs
   * a victim finds a clean one instead of writing it itself. Returns the
   * number written. Buffers pinned or in use are skipped, not waited for.
   */
  bgBufferSync(maxPages: number): number {
    let written = 0;
    const start = this.sweep.hand % this.nbuffers;
    for (let k = 0; k < this.nbuffers && written < maxPages; k++) {
      const id = (start + k) % this.nbuffers;
      const st = Atomics.load(this.w, this.d(id) + D_STATE);
      if ((st & (BM_VALID | BM_DIRTY)) !== (BM_VALID | BM_DIRTY)) continue;
      if ((st & BUF_REFCOUNT_MASK) !== 0 || (st & BUF_USAGECOUNT_MASK) !== 0) continue;
      // A content lock held by another backend would make this wait: only buffers nobody holds.
      this.syncOneBuffer(id);
      written++;
    }
    return written;
  }

  /** Writes one buffer if it is still valid and dirty (pin, share lock, flush). */
  private syncOneBuffer(id: number): void {
    const st = this.lockBufHdr(id);
    if ((st & (BM_VALID | BM_DIRTY)) !== (BM_VALID | BM_DIRTY)) {
      this.unlockBufHdr(id, st & ~BM_CHECKPOINT_NEEDED);
      return;
    }
    if (this.privateRefCount[id] > 0) {
      this.unlockBufHdr(id, st);
      this.privateRefCount[id]++;
    } else {
      this.pinLocked(id, st);
    }
    const buffer = id + 1;
    const alreadyLocked = this.contentLockMode[id] !== 0;
    if (!alreadyLocked) this.lockBuffer(buffer, BUFFER_LOCK_SHARE);
    try {
      this.flushBuffer(id);
    } finally {
      if (!alreadyLocked) this.lockBuffer(buffer, BUFFER_LOCK_UNLOCK);
      this.unpin(id);
    }
  }

  /** FlushRelationBuffers: writes every dirty buffer of a relation (before copying its files). */
  flushRelationBuffers(rel: RelFileLocator): void {
    for (let id = 0; id < this.nbuffers; id++) {
      const d = this.d(id);
      if (this.w[d + D_REL] !== rel.relNumber || this.w[d + D_DB] !== rel.dbOid) continue;
      this.syncOneBuffer(id);
    }
  }

  /**
   * DropRelationBuffers: forgets buffers of a fork at or beyond firstBlock
   * without writing them (the relation is being truncated or dropped).
   */
  dropRelationBuffers(rel: RelFileLocator, fork: ForkNumber | -1, firstBlock = 0): void {
    if (this.dropRelationBuffersByLookup(rel, fork, firstBlock)) return;
    const w = this.w;
    for (let id = 0; id < this.nbuffers; id++) {
      const d = this.d(id);
      if (w[d + D_REL] !== rel.relNumber || w[d + D_DB] !== rel.dbOid || w[d + D_SPC] !== rel.spcOid) continue;
      if (fork !== -1 && w[d + D_FORK] !== fork) continue;
      if ((w[d + D_BLOCK] >>> 0) < firstBlock) continue;
      this.invalidateBuffer(id);
    }
  }

  /**
   * DropRelationBuffers' path for a small relation (PostgreSQL's
   * FindAndDropRelationBuffers): when the blocks to drop number fewer than
   * nbuffers / BUF_DROP_FULL_SCAN_DIVISOR, each is looked up in the mapping
   * table instead of scanning every buffer header. Every buffer of a fork
   * holds a block below its file's length (a block's buffer is allocated
   * only for a block that exists, or by extendBuffer, which grows the file
   * before it lets go of the extension lock; the caller holds the
   * relation's AccessExclusive lock, so nobody extends it now). A fork
   * whose file is missing falls back to the full scan. Returns false when
   * the full scan must run.
   */
  private dropRelationBuffersByLookup(rel: RelFileLocator, fork: ForkNumber | -1, firstBlock: number): boolean {
    const threshold = Math.floor(this.nbuffers / BUF_DROP_FULL_SCAN_DIVISOR);
    const first = fork === -1 ? 0 : fork;
    const last = fork === -1 ? MAX_FORKNUM : fork;
    let toDrop = 0;
    for (let f = first; f <= last; f++) {
      if (!this.smgr.exists(rel, f)) {
        if (fork !== -1) return false;
        continue; // a fork never created (FSM, VM, INIT) has no buffers either: only MAIN must exist
      }
      toDrop += Math.max(0, this.smgr.nblocks(rel, f) - firstBlock);
      if (toDrop >= threshold) return false;
    }
    if (fork === -1 && !this.smgr.exists(rel, ForkNumber.MAIN)) return false;
    const { spcOid: spc, dbOid: db, relNumber } = rel;
    for (let f = first; f <= last; f++) {
      if (!this.smgr.exists(rel, f)) continue;
      const n = this.smgr.nblocks(rel, f);
      for (let block = firstBlock; block < n; block++) {
        const hash = bufTableHashCode(spc, db, relNumber, f, block);
        const part = this.partitionLockBase + (hash & (NUM_BUFFER_PARTITIONS - 1));
        this.lw.acquire(part, LWLockMode.Shared);
        const id = this.table.lookup(hash, spc, db, relNumber, f, block);
        this.lw.release(part);
        if (id >= 0) this.invalidateBuffer(id);
      }
    }
    return true;
  }

  /**
   * InvalidateBuffer: removes a buffer from the mapping table and marks it
   * free. The tag is read before the partition lock is taken; if the buffer
   * was re-tagged meanwhile (evicted and reused by another backend), it no
   * longer holds the page the caller meant, and is left alone.
   */
  private invalidateBuffer(id: number): void {
    const d = this.d(id);
    const w = this.w;
    for (let attempt = 0; ; attempt++) {
      let st = Atomics.load(w, d + D_STATE);
      if ((st & BM_TAG_VALID) === 0) return;
      const spc = w[d + D_SPC];
      const db = w[d + D_DB];
      const relNumber = w[d + D_REL];
      const fork = w[d + D_FORK];
      const block = w[d + D_BLOCK];
      const hash = bufTableHashCode(spc, db, relNumber, fork, block);
      const part = this.partitionLockBase + (hash & (NUM_BUFFER_PARTITIONS - 1));
      this.lw.acquire(part, LWLockMode.Exclusive);
      st = this.lockBufHdr(id);
      if ((st & BM_TAG_VALID) === 0 || w[d + D_SPC] !== spc || w[d + D_DB] !== db || w[d + D_REL] !== relNumber || w[d + D_FORK] !== fork || w[d + D_BLOCK] !== block) {
        this.unlockBufHdr(id, st);
        this.lw.release(part);
        return;
      }
      if (bufStateGetRefcount(st) !== 0) {
        // PostgreSQL waits for the pin to go away; a pin of our own is a bug.
        this.unlockBufHdr(id, st);
        this.lw.release(part);
        if (this.privateRefCount[id] > 0) elog(`cannot drop buffer ${id + 1}: it is pinned by this backend`);
        if (attempt > 10000) elog(`buffer ${id + 1} stays pinned; cannot drop it`);
        this.sleepOn(id, Atomics.load(w, d + D_IO_WAIT));
        continue;
      }
      this.table.delete(hash, id);
      this.unlockBufHdr(id, st & (BUF_REFCOUNT_MASK | BM_LOCKED) & ~BUF_USAGECOUNT_MASK);
      this.lw.release(part);
      return;
    }
  }

  // ---------------------------------------------------------------- extension

  /**
   * ExtendBufferedRel: adds one zeroed block at the end of a fork and returns
   * it pinned and exclusively locked. The caller initializes the page and
   * WAL-logs the first change with an init flag.
   */
  extendBuffer(rel: RelFileLocator, fork: ForkNumber): number {
    const extLock = this.extLockBase + ((rel.relNumber * 31 + fork) & (NUM_EXTENSION_LOCKS - 1));
    this.lw.acquire(extLock, LWLockMode.Exclusive);
    try {
      // Lock the new block's buffer before the file grows, so nobody who
      // sees the longer file can read the block before the caller set it up.
      const block = this.smgr.nblocks(rel, fork);
      const buffer = this.readBuffer(rel, fork, block, ReadBufferMode.ZeroAndLock);
      try {
        this.smgr.zeroExtend(rel, fork, block, block + 1);
      } catch (e) {
        this.unlockReleaseBuffer(buffer);
        throw e;
      }
      this.stats.extends++;
      return buffer;
    } finally {
      this.lw.release(extLock);
    }
  }

  /** The number of blocks in a fork (smgrnblocks). */
  nblocks(rel: RelFileLocator, fork: ForkNumber): number {
    return this.smgr.nblocks(rel, fork);
  }

  /**
   * For WAL redo (XLogReadBufferExtended): the block pinned and exclusively
   * locked, extending the fork with zero pages when the block lies beyond its
   * end (the file may be shorter than the WAL says after a crash).
   */
  readBufferForRedo(rel: RelFileLocator, fork: number, block: number, zeroAndLock: boolean): number {
    if (!this.smgr.exists(rel, fork)) this.smgr.create(rel, fork, true);
    const n = this.smgr.nblocks(rel, fork);
    if (block >= n) this.smgr.zeroExtend(rel, fork, n, block + 1);
    if (zeroAndLock) return this.readBuffer(rel, fork, block, ReadBufferMode.ZeroAndLock);
    const buffer = this.readBuffer(rel, fork, block, ReadBufferMode.Normal);
    this.lockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
    return buffer;
  }

  // ---------------------------------------------------------------- observing

  /** One buffer's state, for pg_buffercache-like views and the playground's buffer grid. */
  describe(id: number): BufferDescription {
    const d = this.d(id);
    const st = Atomics.load(this.w, d + D_STATE);
    const lock = Atomics.load(this.w, d + D_CONTENT_LOCK);
    return {
      id: id + 1,
      tag: (st & BM_TAG_VALID) !== 0 ? {
        spcOid: this.w[d + D_SPC] >>> 0, dbOid: this.w[d + D_DB] >>> 0, relNumber: this.w[d + D_REL] >>> 0,
        forkNum: this.w[d + D_FORK], blockNum: this.w[d + D_BLOCK] >>> 0,
      } : null,
      refcount: bufStateGetRefcount(st),
      usageCount: bufStateGetUsagecount(st),
      dirty: (st & BM_DIRTY) !== 0,
      valid: (st & BM_VALID) !== 0,
      ioInProgress: (st & BM_IO_IN_PROGRESS) !== 0,
      locked: (lock & (1 << 24)) !== 0 ? 'exclusive' : (lock & 0xffffff) !== 0 ? 'share' : 'none',
    };
  }
}
