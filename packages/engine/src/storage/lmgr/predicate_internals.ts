/*
 * predicate_internals.ts — the shared-memory structures of serializable
 * snapshot isolation (PostgreSQL's predicate_internals.h and the pools and
 * hash tables predicate.c keeps in shared memory).
 *
 * Exports: predicateLockShmemSize, predicateLockShmemInit, PredShared (the
 * word accessors every backend builds over the region, and the pool and
 * list operations: findTarget, addLock, freeLock, linkConflict,
 * releaseConflict), the record field offsets, the SXACT_FLAG_* bits, the
 * tag hash, the pg_serial SLRU's configuration (SERIAL_SLRU).
 *
 * Region "PredicateLockTable", every word guarded by its one LWLock
 * (H_LOCK; README.md, "Serializable snapshot isolation"):
 *
 *   header        32 words: the LWLock, pool sizes, list heads, free lists,
 *                 SxactGlobalXmin(+Count), WritableSxactCount, geometry,
 *                 pg_serial's control (headPage, headXid, tailXid)
 *   header f64    LastSxactCommitSeqNo, CanPartialClearThrough,
 *                 HavePartialClearedThrough (sequence numbers never wrap)
 *   SERIALIZABLEXACT  nSxact x 20 words + nSxact x 4 f64 (sequence numbers);
 *                 the last record is OldCommittedSxact, never on a list
 *   PREDICATELOCKTARGET  nTarget x 8 words (tag + hash chain + lock list)
 *   PREDICATELOCK  nLock x 8 words (target, sxact, two doubly-linked lists)
 *                 + nLock f64 (commitSeqNo, for the dummy's locks)
 *   RWConflict    nConflict x 8 words (sxactOut -> sxactIn, two lists)
 *   target hash buckets, xid hash buckets (chains through the records)
 *
 * Region "Serial SLRU" (access/transam/slru.ts) holds pg_serial's pages:
 * one f64 per XID, the summarized transactions' earliest out-conflict
 * commit (predicate_serial.ts).
 *
 * Records are named by 1-based index; 0 is "none" in every link. A record
 * is on exactly one of its pool's free list or its owner's lists.
 *
 *   SERIALIZABLEXACT
 *     word 0  flags (SXACT_FLAG_*)          8  outConflicts head (I am sxactOut)
 *          1  pid                          9  inConflicts head (I am sxactIn)
 *          2  topXid (0 until assigned)   10  possibleUnsafe head, as writer
 *          3  xmin of its snapshot        11  possibleUnsafe head, as read-only
 *          4  finishedBefore              12  predicate lock list head
 *          5  prev in the active list     13  next in the xid hash chain
 *          6  next in active / free list  14  on the finished list (0/1)
 *          7  next in the finished list   15  vxid: backend id (-1: none)
 *                                         16  vxid: local transaction id
 *     f64  commitSeqNo, prepareSeqNo, lastCommitBeforeSnapshot,
 *          earliestOutConflictCommit
 *
 *   PREDICATELOCKTARGET: db, rel, page (-1: none), offset (0: none),
 *     hash next, lock list head, free next, in use
 *   PREDICATELOCK: target, sxact, prev/next on the target, prev/next of the
 *     sxact, free next, finishedBefore (the dummy's locks: the latest of the
 *     transactions folded into it)
 *   RWConflict: sxactOut, sxactIn, prev/next of sxactOut's list, prev/next of sxactIn's list, free next
 */

import { shmemAlign, type Shmem, type ShmemSizer } from '../ipc/shmem.ts';
import { BLCKSZ, MAX_BACKENDS } from '../../constants.ts';
import { slruShmemInit, slruShmemSize, type SlruConfig } from '../../access/transam/slru.ts';
import { Assert, elog, PgError, SQLSTATE } from '../../utils/errors.ts';
import { transactionIdPrecedes } from '../../access/transam/transam.ts';

export const PREDICATE_REGION = 'PredicateLockTable';

/**
 * max_pred_locks_per_transaction's default (PostgreSQL's: 64). The target
 * pool holds this many per backend, as PostgreSQL sizes its hash tables.
 */
export const DEFAULT_MAX_PRED_LOCKS_PER_TRANSACTION = 64;
/** max_pred_locks_per_relation: -2 means max_pred_locks_per_transaction / 2 (PostgreSQL's default). */
export const MAX_PRED_LOCKS_PER_RELATION = -2;
/** max_pred_locks_per_page (PostgreSQL's default): a third tuple lock on a page becomes a page lock. */
export const MAX_PRED_LOCKS_PER_PAGE = 2;
/** SERIALIZABLEXACTs per backend slot: PostgreSQL's factor, room for committed ones kept for their concurrent peers. */
export const SXACTS_PER_BACKEND = 10;
/** The pool's default size (PostgreSQL: (MaxBackends + max_prepared_xacts) x 10), not counting the dummy. */
export const DEFAULT_MAX_SERIALIZABLE_XACTS = MAX_BACKENDS * SXACTS_PER_BACKEND;

/** pg_serial: one SerCommitSeqNo (an f64 here) per XID (SERIAL_ENTRIESPERPAGE). */
export const SERIAL_ENTRIES_PER_PAGE = BLCKSZ / 8;
/** NUM_SERIAL_BUFFERS (PostgreSQL 15's). */
export const NUM_SERIAL_BUFFERS = 16;
export const SERIAL_SLRU: SlruConfig = {
  name: 'Serial',
  dirName: 'pg_serial',
  nslots: NUM_SERIAL_BUFFERS,
  xactsPerPage: SERIAL_ENTRIES_PER_PAGE,
  // Only the running server reads it back (a restart ends every transaction it could matter to).
  syncOnCheckpoint: false,
};
/** rw-conflict records per SERIALIZABLEXACT (PostgreSQL's "average of 5 conflicts per transaction"). */
export const CONFLICTS_PER_SXACT = 5;

/* header words */
export const H_LOCK = 0;
const H_NSXACT = 1;
const H_NTARGET = 2;
const H_NLOCK = 3;
const H_NCONFLICT = 4;
export const H_SXACT_FREE = 5;
export const H_ACTIVE_HEAD = 6;
export const H_FIN_HEAD = 7;
export const H_FIN_TAIL = 8;
export const H_GLOBAL_XMIN = 9;
export const H_GLOBAL_XMIN_COUNT = 10;
export const H_WRITABLE = 11;
export const H_TARGET_FREE = 12;
export const H_LOCK_FREE = 13;
export const H_CONFLICT_FREE = 14;
const H_TARGET_BUCKETS = 15;
const H_XID_BUCKETS = 16;
export const H_MAX_PER_XACT = 17;
export const H_SXACTS_USED = 18;
export const H_TARGETS_USED = 19;
export const H_LOCKS_USED = 20;
export const H_CONFLICTS_USED = 21;
const H_MAX_SXACTS = 22;
/** pg_serial's SerialControlData: newest zeroed page (-1: none yet), newest XID added, oldest XID still of interest (0: none). */
export const H_SERIAL_HEAD_PAGE = 23;
export const H_SERIAL_HEAD_XID = 24;
export const H_SERIAL_TAIL_XID = 25;
/** Transactions summarized so far (for tests and the playground). */
export const H_SUMMARIZED = 26;
/** Acquisitions of the region's LWLock, and those that found it held (counted under the lock; they wrap at 2^32). */
export const H_LWLOCK_ACQUIRES = 27;
export const H_LWLOCK_CONTENDED = 28;
const HEADER_WORDS = 32;
/* header f64 slots */
export const HF_LAST_COMMIT_SEQ = 0;
export const HF_CAN_PARTIAL_CLEAR = 1;
export const HF_HAVE_PARTIAL_CLEARED = 2;
const HEADER_F64 = 8;

/* SERIALIZABLEXACT words */
export const SX_FLAGS = 0;
export const SX_PID = 1;
export const SX_TOPXID = 2;
export const SX_XMIN = 3;
export const SX_FINISHED_BEFORE = 4;
export const SX_PREV = 5;
export const SX_NEXT = 6;
export const SX_FIN_NEXT = 7;
export const SX_OUT_HEAD = 8;
export const SX_IN_HEAD = 9;
export const SX_UNSAFE_OUT_HEAD = 10;
export const SX_UNSAFE_IN_HEAD = 11;
export const SX_LOCK_HEAD = 12;
export const SX_XID_NEXT = 13;
export const SX_ON_FIN = 14;
export const SX_VXID_BACKEND = 15;
export const SX_VXID_LXID = 16;
const SX_WORDS = 20;
/* SERIALIZABLEXACT f64 */
export const SXF_COMMIT_SEQ = 0;
export const SXF_PREPARE_SEQ = 1;
export const SXF_LAST_COMMIT_BEFORE_SNAPSHOT = 2;
export const SXF_EARLIEST_OUT_CONFLICT_COMMIT = 3;
const SX_F64 = 4;

/* PREDICATELOCKTARGET words */
export const TG_DB = 0;
export const TG_REL = 1;
export const TG_PAGE = 2;
export const TG_OFF = 3;
export const TG_HASH_NEXT = 4;
export const TG_LOCK_HEAD = 5;
export const TG_FREE_NEXT = 6;
const TG_WORDS = 8;

/* PREDICATELOCK words */
export const LK_TARGET = 0;
export const LK_SXACT = 1;
export const LK_T_PREV = 2;
export const LK_T_NEXT = 3;
export const LK_S_PREV = 4;
export const LK_S_NEXT = 5;
export const LK_FREE_NEXT = 6;
/** For a lock of OldCommittedSxact: the latest finishedBefore of the transactions folded into it. */
export const LK_FINISHED_BEFORE = 7;
const LK_WORDS = 8;

/* RWConflict words */
export const CF_OUT = 0;
export const CF_IN = 1;
export const CF_O_PREV = 2;
export const CF_O_NEXT = 3;
export const CF_I_PREV = 4;
export const CF_I_NEXT = 5;
export const CF_FREE_NEXT = 6;
const CF_WORDS = 8;

/* SERIALIZABLEXACT flags (predicate_internals.h) */
export const SXACT_FLAG_COMMITTED = 0x1;
export const SXACT_FLAG_PREPARED = 0x2;
export const SXACT_FLAG_ROLLED_BACK = 0x4;
export const SXACT_FLAG_DOOMED = 0x8;
/** It has an rw-conflict out to a transaction that committed before it (set at its commit). */
export const SXACT_FLAG_CONFLICT_OUT = 0x10;
export const SXACT_FLAG_READ_ONLY = 0x20;
export const SXACT_FLAG_RO_SAFE = 0x80;
export const SXACT_FLAG_RO_UNSAFE = 0x100;
/** It has an rw-conflict in from a transaction that was summarized (its reader is gone from memory). */
export const SXACT_FLAG_SUMMARY_CONFLICT_IN = 0x200;
/** It has an rw-conflict out to a transaction that was summarized. */
export const SXACT_FLAG_SUMMARY_CONFLICT_OUT = 0x400;

/** No page in a tag (relation lock). */
export const NO_PAGE = -1;

interface Geometry {
  /** Records, the dummy (the last) included. */
  nSxact: number;
  nTarget: number;
  nLock: number;
  nConflict: number;
  targetBuckets: number;
  xidBuckets: number;
  maxPerXact: number;
  maxSxacts: number;
}

interface Layout extends Geometry {
  /** Byte offsets from the region start. */
  headerF64: number;
  sxact: number;
  sxactF64: number;
  target: number;
  lock: number;
  lockF64: number;
  conflict: number;
  targetHash: number;
  xidHash: number;
  size: number;
}

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function geometry(maxPredLocksPerTransaction: number, maxSxacts: number): Geometry {
  if (!Number.isInteger(maxPredLocksPerTransaction) || maxPredLocksPerTransaction < 10) {
    elog(`max_pred_locks_per_transaction must be an integer of at least 10, not ${maxPredLocksPerTransaction}`);
  }
  if (!Number.isInteger(maxSxacts) || maxSxacts < 2) elog(`the SERIALIZABLEXACT pool needs at least 2 records, not ${maxSxacts}`);
  const nSxact = maxSxacts + 1;
  const nTarget = maxPredLocksPerTransaction * MAX_BACKENDS;
  return {
    nSxact,
    nTarget,
    nLock: 2 * nTarget,
    nConflict: maxSxacts * CONFLICTS_PER_SXACT,
    targetBuckets: pow2AtLeast(nTarget),
    xidBuckets: pow2AtLeast(nSxact),
    maxPerXact: maxPredLocksPerTransaction,
    maxSxacts,
  };
}

function layout(g: Geometry): Layout {
  let at = HEADER_WORDS * 4;
  const headerF64 = at;
  at += HEADER_F64 * 8;
  const sxact = at;
  at += g.nSxact * SX_WORDS * 4;
  const sxactF64 = at; // 8-aligned: everything before is a multiple of 64 bytes
  at += g.nSxact * SX_F64 * 8;
  const target = at;
  at += g.nTarget * TG_WORDS * 4;
  const lock = at;
  at += g.nLock * LK_WORDS * 4;
  const lockF64 = at; // 8-aligned: every record is a multiple of 8 bytes
  at += g.nLock * 8;
  const conflict = at;
  at += g.nConflict * CF_WORDS * 4;
  const targetHash = at;
  at += g.targetBuckets * 4;
  const xidHash = at;
  at += g.xidBuckets * 4;
  return { ...g, headerF64, sxact, sxactF64, target, lock, lockF64, conflict, targetHash, xidHash, size: at };
}

/** PredicateLockShmemSize: the region and pg_serial's SLRU. `maxSerializableXacts` sizes the SERIALIZABLEXACT pool (tests make it small). */
export function predicateLockShmemSize(
  sizer: ShmemSizer,
  maxPredLocksPerTransaction = DEFAULT_MAX_PRED_LOCKS_PER_TRANSACTION,
  maxSerializableXacts = DEFAULT_MAX_SERIALIZABLE_XACTS,
): void {
  sizer.add(layout(geometry(maxPredLocksPerTransaction, maxSerializableXacts)).size);
  sizer.add(slruShmemSize(SERIAL_SLRU));
}

/**
 * InitPredicateLocks (the postmaster's part): the region, every record on
 * its free list but the dummy OldCommittedSxact (committed, no XID, no
 * snapshot), and pg_serial's SLRU with no page in use.
 */
export function predicateLockShmemInit(
  shmem: Shmem,
  maxPredLocksPerTransaction = DEFAULT_MAX_PRED_LOCKS_PER_TRANSACTION,
  maxSerializableXacts = DEFAULT_MAX_SERIALIZABLE_XACTS,
): void {
  slruShmemInit(shmem, SERIAL_SLRU);
  const l = layout(geometry(maxPredLocksPerTransaction, maxSerializableXacts));
  const region = shmem.initStruct(PREDICATE_REGION, l.size);
  if (region.found) return;
  Assert(region.offset % 64 === 0 && shmemAlign(region.offset) === region.offset, 'predicate region is cache-line aligned');
  const h = region.offset >> 2;
  const w = shmem.i32;
  w[h + H_NSXACT] = l.nSxact;
  w[h + H_NTARGET] = l.nTarget;
  w[h + H_NLOCK] = l.nLock;
  w[h + H_NCONFLICT] = l.nConflict;
  w[h + H_TARGET_BUCKETS] = l.targetBuckets;
  w[h + H_XID_BUCKETS] = l.xidBuckets;
  w[h + H_MAX_PER_XACT] = l.maxPerXact;
  w[h + H_MAX_SXACTS] = l.maxSxacts;
  w[h + H_SERIAL_HEAD_PAGE] = -1;
  const chain = (base: number, n: number, words: number, nextField: number, head: number): void => {
    for (let i = 1; i <= n; i++) w[((region.offset + base) >> 2) + (i - 1) * words + nextField] = i < n ? i + 1 : 0;
    w[h + head] = n > 0 ? 1 : 0;
  };
  chain(l.sxact, l.maxSxacts, SX_WORDS, SX_NEXT, H_SXACT_FREE);
  const dummy = ((region.offset + l.sxact) >> 2) + (l.nSxact - 1) * SX_WORDS;
  w[dummy + SX_FLAGS] = SXACT_FLAG_COMMITTED;
  w[dummy + SX_VXID_BACKEND] = -1;
  chain(l.target, l.nTarget, TG_WORDS, TG_FREE_NEXT, H_TARGET_FREE);
  chain(l.lock, l.nLock, LK_WORDS, LK_FREE_NEXT, H_LOCK_FREE);
  chain(l.conflict, l.nConflict, CF_WORDS, CF_FREE_NEXT, H_CONFLICT_FREE);
}

/**
 * The predicate LWLock's use since the segment was made: how often it was
 * taken and how often the taker found it held and had to wait. Read with
 * plain loads (a viewer's snapshot, not exact while backends run).
 */
export function predicateLockStatsOf(shmem: Shmem): { acquires: number; contended: number } {
  const r = shmem.lookup(PREDICATE_REGION);
  if (r === undefined) return { acquires: 0, contended: 0 };
  const h = r.offset >> 2;
  return { acquires: Atomics.load(shmem.i32, h + H_LWLOCK_ACQUIRES) >>> 0, contended: Atomics.load(shmem.i32, h + H_LWLOCK_CONTENDED) >>> 0 };
}

/** The tag hash (same for every backend): relation, page and offset mixed. */
export function predicateTagHash(db: number, rel: number, page: number, off: number): number {
  let h = Math.imul(db ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ rel ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ page ^ (h >>> 16), 0x27d4eb2f);
  h = Math.imul(h ^ off ^ (h >>> 15), 0x165667b1);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * One backend's view of the region: typed accessors by record index. All
 * reads and writes happen under the region's LWLock (H_LOCK), except the
 * owner's unlocked read of its own flags (rule 4 of the README section).
 */
export class PredShared {
  readonly w: Int32Array;
  readonly f: Float64Array;
  readonly lockWord: number;
  private readonly h: number;
  private readonly sx: number;
  private readonly sxf: number;
  private readonly tg: number;
  private readonly lk: number;
  private readonly lkf: number;
  private readonly cf: number;
  private readonly th: number;
  private readonly xh: number;
  readonly nSxact: number;
  readonly nTarget: number;
  readonly nLock: number;
  readonly nConflict: number;
  readonly targetBuckets: number;
  readonly xidBuckets: number;
  readonly maxPredLocksPerTransaction: number;
  /** OldCommittedSxact: the dummy the summarized transactions' SIREAD locks are folded into. */
  readonly oldCommitted: number;

  constructor(shmem: Shmem) {
    const r = shmem.lookup(PREDICATE_REGION);
    if (r === undefined) elog('shared memory has no predicate lock table (createSharedMemoryAndSemaphores adds it)');
    this.w = shmem.i32;
    const h = r.offset >> 2;
    this.h = h;
    this.lockWord = h + H_LOCK;
    const l = layout(geometry(this.w[h + H_MAX_PER_XACT], this.w[h + H_MAX_SXACTS]));
    Assert(l.nSxact === this.w[h + H_NSXACT] && l.nTarget === this.w[h + H_NTARGET], 'predicate lock table geometry');
    this.f = new Float64Array(shmem.sab, r.offset + l.headerF64, (l.size - l.headerF64) >> 3);
    this.sx = (r.offset + l.sxact) >> 2;
    this.sxf = (l.sxactF64 - l.headerF64) >> 3;
    this.tg = (r.offset + l.target) >> 2;
    this.lk = (r.offset + l.lock) >> 2;
    this.lkf = (l.lockF64 - l.headerF64) >> 3;
    this.cf = (r.offset + l.conflict) >> 2;
    this.th = (r.offset + l.targetHash) >> 2;
    this.xh = (r.offset + l.xidHash) >> 2;
    this.nSxact = l.nSxact;
    this.nTarget = l.nTarget;
    this.nLock = l.nLock;
    this.nConflict = l.nConflict;
    this.targetBuckets = l.targetBuckets;
    this.xidBuckets = l.xidBuckets;
    this.maxPredLocksPerTransaction = l.maxPerXact;
    this.oldCommitted = l.nSxact;
  }

  /* header */
  hget(field: number): number {
    return this.w[this.h + field];
  }
  hset(field: number, v: number): void {
    this.w[this.h + field] = v;
  }
  hfget(slot: number): number {
    return this.f[slot];
  }
  hfset(slot: number, v: number): void {
    this.f[slot] = v;
  }

  /* records: index i is 1-based */
  sget(i: number, field: number): number {
    return this.w[this.sx + (i - 1) * SX_WORDS + field];
  }
  sset(i: number, field: number, v: number): void {
    this.w[this.sx + (i - 1) * SX_WORDS + field] = v;
  }
  sfget(i: number, slot: number): number {
    return this.f[this.sxf + (i - 1) * SX_F64 + slot];
  }
  sfset(i: number, slot: number, v: number): void {
    this.f[this.sxf + (i - 1) * SX_F64 + slot] = v;
  }
  flags(i: number): number {
    return this.w[this.sx + (i - 1) * SX_WORDS + SX_FLAGS];
  }
  /** The owner's read of its flags without the lock (another backend may set DOOMED or RO_SAFE). */
  flagsAtomic(i: number): number {
    return Atomics.load(this.w, this.sx + (i - 1) * SX_WORDS + SX_FLAGS);
  }
  /** The flags word's index in `w` (a DEFERRABLE transaction sleeps on it). */
  flagsIndex(i: number): number {
    return this.sx + (i - 1) * SX_WORDS + SX_FLAGS;
  }
  orFlags(i: number, bits: number): void {
    Atomics.or(this.w, this.sx + (i - 1) * SX_WORDS + SX_FLAGS, bits);
  }
  clearFlags(i: number, bits: number): void {
    Atomics.and(this.w, this.sx + (i - 1) * SX_WORDS + SX_FLAGS, ~bits);
  }
  tget(i: number, field: number): number {
    return this.w[this.tg + (i - 1) * TG_WORDS + field];
  }
  tset(i: number, field: number, v: number): void {
    this.w[this.tg + (i - 1) * TG_WORDS + field] = v;
  }
  lget(i: number, field: number): number {
    return this.w[this.lk + (i - 1) * LK_WORDS + field];
  }
  lset(i: number, field: number, v: number): void {
    this.w[this.lk + (i - 1) * LK_WORDS + field] = v;
  }
  /** A PREDICATELOCK's commitSeqNo (only the dummy's locks use it). */
  lfget(i: number): number {
    return this.f[this.lkf + i - 1];
  }
  lfset(i: number, v: number): void {
    this.f[this.lkf + i - 1] = v;
  }
  cget(i: number, field: number): number {
    return this.w[this.cf + (i - 1) * CF_WORDS + field];
  }
  cset(i: number, field: number, v: number): void {
    this.w[this.cf + (i - 1) * CF_WORDS + field] = v;
  }
  targetBucket(hash: number): number {
    return this.th + (hash & (this.targetBuckets - 1));
  }
  xidBucket(xid: number): number {
    return this.xh + (Math.imul(xid, 0x9e3779b1) >>> 0) % this.xidBuckets;
  }

  /* ---- list and pool operations, all under the region's LWLock ---- */

  findTarget(db: number, rel: number, page: number, off: number): number {
    for (let tg = this.w[this.targetBucket(predicateTagHash(db, rel, page, off))]; tg !== 0; tg = this.tget(tg, TG_HASH_NEXT)) {
      if (this.tget(tg, TG_DB) === db && this.tget(tg, TG_REL) === rel && this.tget(tg, TG_PAGE) === page && this.tget(tg, TG_OFF) === off) return tg;
    }
    return 0;
  }

  /** A PREDICATELOCK of `sx` on (db, rel, page, off), the target made if needed; none twice (lock held). Returns the lock. */
  addLock(sx: number, db: number, rel: number, page: number, off: number): number {
    let tg = this.findTarget(db, rel, page, off);
    if (tg === 0) {
      tg = this.hget(H_TARGET_FREE);
      if (tg === 0) throw outOfSharedMemoryForLocks();
      this.hset(H_TARGET_FREE, this.tget(tg, TG_FREE_NEXT));
      this.hset(H_TARGETS_USED, this.hget(H_TARGETS_USED) + 1);
      this.tset(tg, TG_DB, db);
      this.tset(tg, TG_REL, rel);
      this.tset(tg, TG_PAGE, page);
      this.tset(tg, TG_OFF, off);
      this.tset(tg, TG_LOCK_HEAD, 0);
      const bucket = this.targetBucket(predicateTagHash(db, rel, page, off));
      this.tset(tg, TG_HASH_NEXT, this.w[bucket]);
      this.w[bucket] = tg;
    } else {
      for (let lk = this.tget(tg, TG_LOCK_HEAD); lk !== 0; lk = this.lget(lk, LK_T_NEXT)) if (this.lget(lk, LK_SXACT) === sx) return lk;
    }
    const lk = this.hget(H_LOCK_FREE);
    if (lk === 0) {
      this.removeTargetIfUnused(tg);
      throw outOfSharedMemoryForLocks();
    }
    this.hset(H_LOCK_FREE, this.lget(lk, LK_FREE_NEXT));
    this.hset(H_LOCKS_USED, this.hget(H_LOCKS_USED) + 1);
    this.lset(lk, LK_TARGET, tg);
    this.lset(lk, LK_SXACT, sx);
    this.lset(lk, LK_FINISHED_BEFORE, 0);
    this.lfset(lk, 0);
    const th = this.tget(tg, TG_LOCK_HEAD);
    this.lset(lk, LK_T_PREV, 0);
    this.lset(lk, LK_T_NEXT, th);
    if (th !== 0) this.lset(th, LK_T_PREV, lk);
    this.tset(tg, TG_LOCK_HEAD, lk);
    const sh = this.sget(sx, SX_LOCK_HEAD);
    this.lset(lk, LK_S_PREV, 0);
    this.lset(lk, LK_S_NEXT, sh);
    if (sh !== 0) this.lset(sh, LK_S_PREV, lk);
    this.sset(sx, SX_LOCK_HEAD, lk);
    return lk;
  }

  /**
   * The fold of ReleaseOneSerializableXact(summarize): `lk`, a lock of a
   * committed transaction being summarized, becomes the dummy's lock on the
   * same target, or merges into the one the dummy has there; the dummy's
   * lock keeps the latest commitSeqNo and finishedBefore (lock held).
   * Needs no free record.
   */
  foldLockIntoOldCommitted(lk: number, commitSeqNo: number, finishedBefore: number): void {
    const dummy = this.oldCommitted;
    const tg = this.lget(lk, LK_TARGET);
    let mine = 0;
    for (let o = this.tget(tg, TG_LOCK_HEAD); o !== 0 && mine === 0; o = this.lget(o, LK_T_NEXT)) if (this.lget(o, LK_SXACT) === dummy) mine = o;
    if (mine !== 0) {
      this.freeLock(lk); // the target keeps the dummy's lock, so it stays
    } else {
      // Off the old owner's list, onto the dummy's; the target's list is unchanged.
      const sx = this.lget(lk, LK_SXACT);
      const sp = this.lget(lk, LK_S_PREV);
      const sn = this.lget(lk, LK_S_NEXT);
      if (sp !== 0) this.lset(sp, LK_S_NEXT, sn);
      else this.sset(sx, SX_LOCK_HEAD, sn);
      if (sn !== 0) this.lset(sn, LK_S_PREV, sp);
      const dh = this.sget(dummy, SX_LOCK_HEAD);
      this.lset(lk, LK_SXACT, dummy);
      this.lset(lk, LK_S_PREV, 0);
      this.lset(lk, LK_S_NEXT, dh);
      if (dh !== 0) this.lset(dh, LK_S_PREV, lk);
      this.sset(dummy, SX_LOCK_HEAD, lk);
      this.lset(lk, LK_FINISHED_BEFORE, 0);
      this.lfset(lk, 0);
      mine = lk;
    }
    this.noteFolded(mine, commitSeqNo, finishedBefore);
  }

  /** A lock of the dummy covers one more folded transaction: keep the latest commitSeqNo and finishedBefore (lock held). */
  noteFolded(lk: number, commitSeqNo: number, finishedBefore: number): void {
    if (this.lfget(lk) < commitSeqNo) this.lfset(lk, commitSeqNo);
    const fb = this.lget(lk, LK_FINISHED_BEFORE);
    if (finishedBefore !== 0 && (fb === 0 || transactionIdPrecedes(fb, finishedBefore))) this.lset(lk, LK_FINISHED_BEFORE, finishedBefore);
  }

  /** Unlinks a PREDICATELOCK from its target and its transaction; frees the target when it was the last (lock held). */
  freeLock(lk: number): void {
    const tg = this.lget(lk, LK_TARGET);
    const sx = this.lget(lk, LK_SXACT);
    const tp = this.lget(lk, LK_T_PREV);
    const tn = this.lget(lk, LK_T_NEXT);
    if (tp !== 0) this.lset(tp, LK_T_NEXT, tn);
    else this.tset(tg, TG_LOCK_HEAD, tn);
    if (tn !== 0) this.lset(tn, LK_T_PREV, tp);
    const sp = this.lget(lk, LK_S_PREV);
    const sn = this.lget(lk, LK_S_NEXT);
    if (sp !== 0) this.lset(sp, LK_S_NEXT, sn);
    else this.sset(sx, SX_LOCK_HEAD, sn);
    if (sn !== 0) this.lset(sn, LK_S_PREV, sp);
    this.lset(lk, LK_FREE_NEXT, this.hget(H_LOCK_FREE));
    this.hset(H_LOCK_FREE, lk);
    this.hset(H_LOCKS_USED, this.hget(H_LOCKS_USED) - 1);
    this.removeTargetIfUnused(tg);
  }

  /** RemoveTargetIfNoLongerUsed (lock held). */
  removeTargetIfUnused(tg: number): void {
    if (this.tget(tg, TG_LOCK_HEAD) !== 0) return;
    const bucket = this.targetBucket(predicateTagHash(this.tget(tg, TG_DB), this.tget(tg, TG_REL), this.tget(tg, TG_PAGE), this.tget(tg, TG_OFF)));
    let prev = 0;
    for (let cur = this.w[bucket]; cur !== 0; prev = cur, cur = this.tget(cur, TG_HASH_NEXT)) {
      if (cur !== tg) continue;
      if (prev === 0) this.w[bucket] = this.tget(cur, TG_HASH_NEXT);
      else this.tset(prev, TG_HASH_NEXT, this.tget(cur, TG_HASH_NEXT));
      break;
    }
    this.tset(tg, TG_FREE_NEXT, this.hget(H_TARGET_FREE));
    this.hset(H_TARGET_FREE, tg);
    this.hset(H_TARGETS_USED, this.hget(H_TARGETS_USED) - 1);
  }

  /** SetRWConflict / SetPossibleUnsafeConflict: a record linked into out's `outHead` list and inn's `inHead` list (lock held). */
  linkConflict(out: number, inn: number, outHead: number, inHead: number, exhausted: string): void {
    const c = this.hget(H_CONFLICT_FREE);
    if (c === 0) {
      throw new PgError(SQLSTATE.out_of_memory, exhausted, { hint: 'You might need to run fewer transactions at a time or increase max_connections.' });
    }
    this.hset(H_CONFLICT_FREE, this.cget(c, CF_FREE_NEXT));
    this.hset(H_CONFLICTS_USED, this.hget(H_CONFLICTS_USED) + 1);
    this.cset(c, CF_OUT, out);
    this.cset(c, CF_IN, inn);
    const oh = this.sget(out, outHead);
    this.cset(c, CF_O_PREV, 0);
    this.cset(c, CF_O_NEXT, oh);
    if (oh !== 0) this.cset(oh, CF_O_PREV, c);
    this.sset(out, outHead, c);
    const ih = this.sget(inn, inHead);
    this.cset(c, CF_I_PREV, 0);
    this.cset(c, CF_I_NEXT, ih);
    if (ih !== 0) this.cset(ih, CF_I_PREV, c);
    this.sset(inn, inHead, c);
  }

  /** ReleaseRWConflict: unlinks from both ends' lists (rw or possible-unsafe: `unsafe` says which heads). */
  releaseConflict(c: number, unsafe: boolean): void {
    const outHead = unsafe ? SX_UNSAFE_OUT_HEAD : SX_OUT_HEAD;
    const inHead = unsafe ? SX_UNSAFE_IN_HEAD : SX_IN_HEAD;
    const out = this.cget(c, CF_OUT);
    const inn = this.cget(c, CF_IN);
    const op = this.cget(c, CF_O_PREV);
    const on = this.cget(c, CF_O_NEXT);
    if (op !== 0) this.cset(op, CF_O_NEXT, on);
    else this.sset(out, outHead, on);
    if (on !== 0) this.cset(on, CF_O_PREV, op);
    const ip = this.cget(c, CF_I_PREV);
    const inx = this.cget(c, CF_I_NEXT);
    if (ip !== 0) this.cset(ip, CF_I_NEXT, inx);
    else this.sset(inn, inHead, inx);
    if (inx !== 0) this.cset(inx, CF_I_PREV, ip);
    this.cset(c, CF_FREE_NEXT, this.hget(H_CONFLICT_FREE));
    this.hset(H_CONFLICT_FREE, c);
    this.hset(H_CONFLICTS_USED, this.hget(H_CONFLICTS_USED) - 1);
  }
}

function outOfSharedMemoryForLocks(): PgError {
  return new PgError(SQLSTATE.out_of_memory, 'out of shared memory', { hint: 'You might need to increase max_pred_locks_per_transaction.' });
}
