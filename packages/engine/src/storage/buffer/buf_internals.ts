/*
 * buf_internals.ts — the shared layout of the buffer pool (PostgreSQL's
 * buf_internals.h).
 *
 * Buffer descriptors, one per shared buffer, 64 bytes each (one cache line,
 * as PostgreSQL pads them), read as 16 Int32 words:
 *
 *   word  field             guarded by
 *   0     state             atomic CAS (see the bit layout below)
 *   1     tag.spcOid        buffer header lock (BM_LOCKED) + mapping partition lock
 *   2     tag.dbOid           "
 *   3     tag.relNumber       "
 *   4     tag.forkNum         "
 *   5     tag.blockNum        "
 *   6     content lock      the LWLock word protecting the page's bytes
 *   7     io wait word      futex word: Atomics.notify wakes I/O and pin waiters
 *   8     hash next         next buffer id + 1 in the mapping bucket's chain
 *                           (0 = end); mapping partition lock
 *   9     pin-count waiter  proc number waiting for a cleanup lock, or -1
 *   10-15 unused
 *
 * State word (PostgreSQL's layout):
 *
 *   bits 0..17   refcount   backends holding a pin
 *   bits 18..21  usage count, 0..BM_MAX_USAGE_COUNT, for the clock sweep
 *   bit 22 BM_LOCKED          buffer header spinlock
 *   bit 23 BM_DIRTY           page differs from disk
 *   bit 24 BM_VALID           page contents are valid
 *   bit 25 BM_TAG_VALID       tag is meaningful (buffer is in the mapping table)
 *   bit 26 BM_IO_IN_PROGRESS  a read or write is running
 *   bit 27 BM_IO_ERROR        the last I/O failed
 *   bit 28 BM_JUST_DIRTIED    dirtied since the write started
 *   bit 29 BM_PIN_COUNT_WAITER someone waits for the refcount to drop to 1
 *   bit 30 BM_CHECKPOINT_NEEDED the running checkpoint must write it
 *   bit 31 BM_PERMANENT       belongs to a WAL-logged relation
 *
 * State diagram of one buffer (transition -> function):
 *
 *   free (tag invalid) --bufferAlloc--> tag valid + IO_IN_PROGRESS
 *       --read ok (terminateBufferIO)--> VALID --markBufferDirty--> VALID|DIRTY
 *       --flushBuffer--> VALID --clock sweep picks it (refcount 0, usage 0)--> re-tagged
 *   tag valid, !VALID, !IO (read failed) --next reader retries startBufferIO
 *   any unpinned --invalidateBuffer (drop relation)--> free
 */

export const BUF_DESC_WORDS = 16;
export const BUF_DESC_SIZE = BUF_DESC_WORDS * 4;

export const D_STATE = 0;
export const D_SPC = 1;
export const D_DB = 2;
export const D_REL = 3;
export const D_FORK = 4;
export const D_BLOCK = 5;
export const D_CONTENT_LOCK = 6;
export const D_IO_WAIT = 7;
export const D_HASH_NEXT = 8;
export const D_PIN_WAITER = 9;

export const BUF_REFCOUNT_ONE = 1;
export const BUF_REFCOUNT_MASK = (1 << 18) - 1;
export const BUF_USAGECOUNT_SHIFT = 18;
export const BUF_USAGECOUNT_ONE = 1 << BUF_USAGECOUNT_SHIFT;
export const BUF_USAGECOUNT_MASK = 0xf << BUF_USAGECOUNT_SHIFT;

export const BM_LOCKED = 1 << 22;
export const BM_DIRTY = 1 << 23;
export const BM_VALID = 1 << 24;
export const BM_TAG_VALID = 1 << 25;
export const BM_IO_IN_PROGRESS = 1 << 26;
export const BM_IO_ERROR = 1 << 27;
export const BM_JUST_DIRTIED = 1 << 28;
export const BM_PIN_COUNT_WAITER = 1 << 29;
export const BM_CHECKPOINT_NEEDED = 1 << 30;
export const BM_PERMANENT = 1 << 31;

export function bufStateGetRefcount(state: number): number {
  return state & BUF_REFCOUNT_MASK;
}

export function bufStateGetUsagecount(state: number): number {
  return (state & BUF_USAGECOUNT_MASK) >>> BUF_USAGECOUNT_SHIFT;
}

/** A buffer tag: which block of which fork of which relation a buffer holds. */
export interface BufferTag {
  spcOid: number;
  dbOid: number;
  relNumber: number;
  forkNum: number;
  blockNum: number;
}

/**
 * The tag hash: mixes the five words with multiplications (a Murmur-style
 * finalizer), so that consecutive blocks of one relation spread over all
 * partitions and buckets.
 */
export function bufTableHashCode(spc: number, db: number, rel: number, fork: number, block: number): number {
  let h = Math.imul(rel ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ block, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ (fork << 24) ^ db, 0x27d4eb2f);
  h ^= spc;
  h = Math.imul(h ^ (h >>> 15), 0x165667b1);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Buffer numbers are 1-based, as PostgreSQL's Buffer; 0 is InvalidBuffer. */
export const InvalidBuffer = 0;

export const enum ReadBufferMode {
  /** Read the block; error if it does not exist or fails its checksum. */
  Normal = 0,
  /** Don't read: return a zeroed page, pinned and exclusively locked (for redo and new pages). */
  ZeroAndLock = 1,
  /** Read, but a page that fails verification comes back zeroed (zero_damaged_pages-style, for redo). */
  ZeroOnError = 2,
}

export const BUFFER_LOCK_UNLOCK = 0;
export const BUFFER_LOCK_SHARE = 1;
export const BUFFER_LOCK_EXCLUSIVE = 2;
