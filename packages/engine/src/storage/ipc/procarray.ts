/*
 * procarray.ts — the shared array of running backends and their
 * transactions (PostgreSQL's storage/ipc/procarray.c plus the parts of
 * PGPROC other backends read).
 *
 * Exports: ProcArray (per backend), procArrayShmemSize, procArrayShmemInit,
 *          PROC_* status flags, DELAY_CHKPT_* flags, PROC_LOCK_WORDS and the
 *          PL_* indexes of the lock manager's reserved words, ProcInfo.
 *
 * Every backend (and auxiliary process) owns one slot from addProc until
 * removeProc. The slot says which transaction it runs (top-level XID, cached
 * subtransaction XIDs) and the oldest XID its snapshots can see (xmin).
 * Snapshots are computed from these slots; so are the vacuum horizon and
 * "is this XID still running?".
 *
 * Region "ProcArray" (struct of arrays, like PostgreSQL 14's dense xids[] /
 * subxidStates[] / statusFlags[]: getSnapshotData walks contiguous words):
 *
 *   byte 0    i32 ProcArrayLock        the LWLock
 *        4    i32 procCount            slots in use              ProcArrayLock excl
 *        8    f64 latestCompletedXid   full XID                  ProcArrayLock excl to change
 *       16    f64 xactCompletionCount  bumped when an XID ends   ProcArrayLock excl to change
 *       24    i32 slotsHigh            1 + highest slot in use   ProcArrayLock excl
 *                                      (scans stop there)
 *       64    one column of MAX_BACKENDS 32-bit words each:
 *             inUse            1 = slot taken                    ProcArrayLock excl
 *             pid              owner's process id                ProcArrayLock excl
 *             xid              top-level XID or 0                set by the owner under
 *                                                                XidGenLock, cleared under
 *                                                                ProcArrayLock excl
 *             xmin             oldest XID its snapshots need     owner only; read under
 *                                                                ProcArrayLock
 *             databaseOid      database the backend is in        ProcArrayLock excl
 *             statusFlags      PROC_* below                      ProcArrayLock excl
 *             subxidState      bits 0..15: cached subtransaction owner under XidGenLock
 *                              XIDs; bit 16: more than the cache (add, Atomics.store after
 *                              holds (overflowed)                the entry), ProcArrayLock
 *                                                                excl (remove)
 *             delayChkpt       DELAY_CHKPT_* while committing    owner, Atomics
 *             lxid             local transaction number (the     owner, Atomics
 *                              second half of a virtual XID)
 *             waitEvent        what the backend waits for        owner, Atomics
 *             pendingInterrupts PROCSIG_* bits another backend or  anyone, Atomics.or; the
 *                              the postmaster set (procsignal.ts) owner clears (Atomics.and)
 *             cancelKey        protocol message to cancel        the postmaster, Atomics
 *                              (procsignal.ts)
 *             subxids          PGPROC_MAX_CACHED_SUBXIDS per slot (u32), as subxidState
 *             lock             PROC_LOCK_WORDS per slot, reserved for the lock manager
 *                              (storage/lmgr), see PL_* below; zeroed by addProc
 *
 * Rules:
 *  1. An XID is stored in its backend's slot before XidGenLock is released
 *     (varsup.ts), so a snapshot whose xmax is computed later sees it as
 *     running; a newer XID than xmax is running by definition.
 *  2. Clearing an XID (endTransaction) and advancing latestCompletedXid
 *     happen together under ProcArrayLock exclusive, after CLOG says
 *     committed or aborted: a snapshot sees either "running" or the final
 *     CLOG status, never a committed-but-invisible gap.
 *  3. A backend changes only its own slot's xmin, xid and subxids; statusFlags
 *     of any slot change only under ProcArrayLock exclusive.
 *  4. latestCompletedXid only moves forward; xactCompletionCount increases
 *     whenever a transaction with an XID ends, so a backend whose last
 *     snapshot saw the same count may reuse it (GetSnapshotDataReuse).
 *  5. Lock order: XidGenLock is never requested while holding ProcArrayLock.
 *  6. Scans read the xid column with plain loads, as PostgreSQL reads it
 *     with UINT32_ACCESS_ONCE: under ProcArrayLock every cleared XID is
 *     seen (the lock's atomic acquire orders it), a concurrently assigned
 *     one may or may not be (rule 1 makes both right), and aligned 32-bit
 *     reads never tear. Atomics.load costs ~10 ns here against ~1 ns, and a
 *     snapshot reads every slot. subxidState is read with one Atomics.load,
 *     which orders the entries written before it (PostgreSQL's
 *     pg_read_barrier): a snapshot must never see a count without its XID,
 *     or it would take a running subtransaction for an aborted one.
 */

import { MAX_BACKENDS, PGPROC_MAX_CACHED_SUBXIDS, DELAY_CHKPT_WAIT_ROUNDS_MAX, LWLOCK_WAIT_TIMEOUT_MS } from '../../constants.ts';
import {
  InvalidTransactionId,
  fullXidRelativeTo,
  transactionIdAdvance,
  transactionIdIsValid,
  transactionIdOlder,
  transactionIdPrecedes,
  xidFromFull,
  type FullTransactionId,
  type SubTransAccess,
  type TransactionId,
  type TransamStatus,
} from '../../access/transam/transam.ts';
import type { SnapshotData } from '../../utils/time/snapmgr.ts';
import { Assert, elog, PgError, SQLSTATE } from '../../utils/errors.ts';
import { LWLockMode, type LWLockOwner } from '../lmgr/lwlock.ts';
import type { Shmem } from './shmem.ts';

/* statusFlags (PostgreSQL's PROC_* in proc.h) */
/** An autovacuum worker. */
export const PROC_IS_AUTOVACUUM = 0x01;
/** Running lazy VACUUM: its xmin does not hold back other vacuums, its XID is left out of snapshots. */
export const PROC_IN_VACUUM = 0x02;
/** Running CREATE INDEX CONCURRENTLY on a "safe" index. */
export const PROC_IN_SAFE_IC = 0x04;
/** Vacuuming to prevent wraparound. */
export const PROC_VACUUM_FOR_WRAPAROUND = 0x08;
/** Logical decoding outside a transaction. */
export const PROC_IN_LOGICAL_DECODING = 0x10;
/** The flags cleared at the end of every transaction. */
export const PROC_VACUUM_STATE_MASK = PROC_IN_VACUUM | PROC_IN_SAFE_IC | PROC_VACUUM_FOR_WRAPAROUND;

/* delayChkpt flags */
/** Between writing a commit record and updating CLOG: a checkpoint must not take its redo point now. */
export const DELAY_CHKPT_START = 1;
/** Between a critical change's WAL and its completion (PostgreSQL uses it for truncation). */
export const DELAY_CHKPT_COMPLETE = 2;

/*
 * Words reserved per slot for the heavyweight lock manager (PostgreSQL
 * keeps these in PGPROC); storage/lmgr owns their meaning (lock_table.ts).
 * The wait words (PL_WAIT_LOCK .. PL_WAIT_START_MS) are guarded by the
 * partition lock of the LOCK waited for; PL_WAIT_STATUS and PL_SEMAPHORE
 * are also polled by the sleeper without a lock, so they are written with
 * Atomics (status first, then the semaphore, then Atomics.notify). The
 * fast-path words (PL_FP_*) are guarded by the slot's PL_FP_INFO_LOCK. The
 * lock-group and fast-path VXID words are not used yet.
 */
export const PROC_LOCK_WORDS = 32;
/** Futex word the backend sleeps on while waiting for a heavyweight lock (PGPROC's semaphore). */
export const PL_SEMAPHORE = 0;
/** Lock table entry waited for, + 1 (0 = not waiting). */
export const PL_WAIT_LOCK = 1;
/** PROCLOCK entry of that wait, + 1. */
export const PL_WAIT_PROCLOCK = 2;
/** Lock mode waited for. */
export const PL_WAIT_LOCK_MODE = 3;
/** PROC_WAIT_STATUS_OK (0) / WAITING (1) / ERROR (2: deadlock victim, or a wait abandoned). */
export const PL_WAIT_STATUS = 4;
/** Bitmask of modes this backend already holds on the lock it waits for (heldLocks). */
export const PL_HELD_LOCKS = 5;
/** Lock group leader's procno + 1 (parallel query), 0 = none. */
export const PL_LOCK_GROUP_LEADER = 6;
/** When the wait began, in milliseconds modulo 2^32 (deadlock_timeout). */
export const PL_WAIT_START_MS = 7;
/** Fast-path lock mode bits: 16 slots x 3 bits in two words. */
export const PL_FP_LOCK_BITS = 8;
/** Fast-path relation OIDs, 16 words. */
export const PL_FP_REL_ID = 10;
/** 1 while the fast-path virtual XID lock is held. */
export const PL_FP_VXID_LOCK = 26;
/** Local transaction id of the fast-path VXID lock. */
export const PL_FP_LOCAL_XID = 27;
/** The LWLock guarding this slot's fast-path words (PGPROC's fpInfoLock). */
export const PL_FP_INFO_LOCK = 28;
/** The database of this slot's fast-path relation locks (set once when the lock manager attaches). */
export const PL_FP_DATABASE = 29;
/* 30..31 spare. */

const HEADER_BYTES = 64;
const SUBXID_COUNT_MASK = 0xffff;
const SUBXID_OVERFLOWED = 1 << 16;
const W_LOCK = 0;
const W_PROC_COUNT = 1;
const W_SLOTS_HIGH = 6;
const F_LATEST_COMPLETED = 1; // f64 index in the header
const F_COMPLETION_COUNT = 2;

const COLUMNS = [
  'inUse',
  'pid',
  'xid',
  'xmin',
  'databaseOid',
  'statusFlags',
  'subxidState',
  'delayChkpt',
  'lxid',
  'waitEvent',
  'pendingInterrupts',
  'cancelKey',
] as const;

/** Column `name`'s offset in the region (ProcArray's constructor and procsignal.ts read the same layout). */
export function procArrayColumnOffset(regionOffset: number, name: (typeof COLUMNS)[number]): number {
  return regionOffset + HEADER_BYTES + 4 * MAX_BACKENDS * COLUMNS.indexOf(name);
}

/** The subxids and lock-word areas follow the columns. */
export function procArrayLockWordsOffset(regionOffset: number): number {
  return regionOffset + HEADER_BYTES + 4 * MAX_BACKENDS * (COLUMNS.length + PGPROC_MAX_CACHED_SUBXIDS);
}

export const PROC_ARRAY_REGION = 'ProcArray';

function layoutSize(): number {
  return HEADER_BYTES + 4 * MAX_BACKENDS * (COLUMNS.length + PGPROC_MAX_CACHED_SUBXIDS + PROC_LOCK_WORDS);
}

export function procArrayShmemSize(): number {
  return layoutSize();
}

const REGION = PROC_ARRAY_REGION;

export function procArrayShmemInit(shmem: Shmem): void {
  const region = shmem.initStruct(REGION, layoutSize());
  // Count from 1: a snapshot with count 0 was never taken and is never reused.
  if (!region.found) new Float64Array(shmem.sab, region.offset, HEADER_BYTES / 8)[F_COMPLETION_COUNT] = 1;
}

/** One slot as the playground and pg_stat_activity show it. */
export interface ProcInfo {
  procno: number;
  pid: number;
  databaseOid: number;
  xid: TransactionId;
  xmin: TransactionId;
  subxids: TransactionId[];
  subxidOverflowed: boolean;
  statusFlags: number;
  delayChkpt: number;
  /** Virtual transaction id as PostgreSQL prints it: backend id / local xid. */
  vxid: string;
  waitEvent: number;
}

/**
 * One backend's handle on the proc array. Methods that act on "my" slot take
 * its procno; the others look at every slot.
 */
export class ProcArray {
  readonly lock: number;
  private readonly lw: LWLockOwner;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  /* Column views, MAX_BACKENDS entries each. */
  private readonly inUse: Int32Array;
  private readonly pid: Int32Array;
  private readonly xid: Uint32Array;
  private readonly xmin: Uint32Array;
  private readonly databaseOid: Uint32Array;
  private readonly statusFlags: Uint32Array;
  private readonly subxidState: Int32Array;
  private readonly delayChkpt: Int32Array;
  private readonly lxid: Int32Array;
  private readonly waitEvent: Int32Array;
  private readonly subxids: Uint32Array;
  /** The lock manager's reserved words: slot p's are lockWords[p * PROC_LOCK_WORDS ..]. */
  readonly lockWords: Int32Array;
  /** Index of lockWords[0] in shmem.i32, for Atomics.wait on a slot's semaphore. */
  readonly lockWordsIndex: number;
  /** Scratch: top-level XIDs whose subxid caches overflowed (transactionIdIsInProgress). */
  private readonly overflowedXids = new Uint32Array(MAX_BACKENDS);
  private readonly sleepWord = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    shmem: Shmem,
    lw: LWLockOwner,
    private readonly status: TransamStatus,
    private readonly subtrans: SubTransAccess,
  ) {
    const region = shmem.lookup(REGION);
    if (region === undefined) elog('shared memory region "ProcArray" was not initialized');
    Assert(region.size === layoutSize(), 'ProcArray has a different layout in shared memory');
    this.lw = lw;
    this.i32 = shmem.i32;
    this.lock = region.offset / 4 + W_LOCK;
    this.f64 = new Float64Array(shmem.sab, region.offset, HEADER_BYTES / 8);
    let at = region.offset + HEADER_BYTES;
    const col = (): number => {
      const o = at;
      at += 4 * MAX_BACKENDS;
      return o;
    };
    const sab = shmem.sab;
    this.inUse = new Int32Array(sab, col(), MAX_BACKENDS);
    this.pid = new Int32Array(sab, col(), MAX_BACKENDS);
    this.xid = new Uint32Array(sab, col(), MAX_BACKENDS);
    this.xmin = new Uint32Array(sab, col(), MAX_BACKENDS);
    this.databaseOid = new Uint32Array(sab, col(), MAX_BACKENDS);
    this.statusFlags = new Uint32Array(sab, col(), MAX_BACKENDS);
    this.subxidState = new Int32Array(sab, col(), MAX_BACKENDS);
    this.delayChkpt = new Int32Array(sab, col(), MAX_BACKENDS);
    this.lxid = new Int32Array(sab, col(), MAX_BACKENDS);
    this.waitEvent = new Int32Array(sab, col(), MAX_BACKENDS);
    col(); // pendingInterrupts and cancelKey: procsignal.ts owns them
    col();
    this.subxids = new Uint32Array(sab, at, MAX_BACKENDS * PGPROC_MAX_CACHED_SUBXIDS);
    at += 4 * MAX_BACKENDS * PGPROC_MAX_CACHED_SUBXIDS;
    this.lockWords = new Int32Array(sab, at, MAX_BACKENDS * PROC_LOCK_WORDS);
    this.lockWordsIndex = at / 4;
  }

  /* ---- slots ---- */

  /**
   * InitProcess + ProcArrayAdd: takes a free slot for a new backend. Raises
   * PostgreSQL's FATAL "sorry, too many clients already" when all are taken.
   */
  addProc(pid: number, databaseOid: number): number {
    this.lw.acquire(this.lock, LWLockMode.Exclusive);
    try {
      for (let p = 0; p < MAX_BACKENDS; p++) {
        if (this.inUse[p] !== 0) continue;
        this.pid[p] = pid;
        this.xid[p] = InvalidTransactionId;
        this.xmin[p] = InvalidTransactionId;
        this.databaseOid[p] = databaseOid;
        this.statusFlags[p] = 0;
        this.subxidState[p] = 0;
        this.delayChkpt[p] = 0;
        this.lxid[p] = 0;
        this.waitEvent[p] = 0;
        Atomics.store(this.i32, procArrayColumnOffset(this.lock * 4 - W_LOCK * 4, 'pendingInterrupts') / 4 + p, 0);
        Atomics.store(this.i32, procArrayColumnOffset(this.lock * 4 - W_LOCK * 4, 'cancelKey') / 4 + p, 0);
        this.lockWords.fill(0, p * PROC_LOCK_WORDS, (p + 1) * PROC_LOCK_WORDS);
        this.inUse[p] = 1;
        this.i32[this.lock + W_PROC_COUNT]++;
        if (p + 1 > this.i32[this.lock + W_SLOTS_HIGH]) this.i32[this.lock + W_SLOTS_HIGH] = p + 1;
        return p;
      }
    } finally {
      this.lw.release(this.lock);
    }
    throw new PgError(SQLSTATE.too_many_connections, 'sorry, too many clients already', { severity: 'FATAL' });
  }

  /** ProcArrayRemove: frees a slot at backend exit. The backend must have ended its transaction. */
  removeProc(procno: number): void {
    this.lw.acquire(this.lock, LWLockMode.Exclusive);
    try {
      Assert(this.inUse[procno] === 1, `proc slot ${procno} is not in use`);
      Assert(this.xid[procno] === InvalidTransactionId, 'a backend exits with its transaction still running');
      this.inUse[procno] = 0;
      this.pid[procno] = 0;
      this.xmin[procno] = InvalidTransactionId;
      this.i32[this.lock + W_PROC_COUNT]--;
      let high = this.i32[this.lock + W_SLOTS_HIGH];
      while (high > 0 && this.inUse[high - 1] === 0) high--;
      this.i32[this.lock + W_SLOTS_HIGH] = high;
    } finally {
      this.lw.release(this.lock);
    }
  }

  get procCount(): number {
    return Atomics.load(this.i32, this.lock + W_PROC_COUNT);
  }

  xidOf(procno: number): TransactionId {
    return this.xid[procno];
  }

  xminOf(procno: number): TransactionId {
    return this.xmin[procno];
  }

  /** Sets my xmin (snapmgr.ts; rule 3). 0 clears it. */
  setXmin(procno: number, xmin: TransactionId): void {
    this.xmin[procno] = xmin;
  }

  setLocalXid(procno: number, lxid: number): void {
    Atomics.store(this.lxid, procno, lxid);
  }

  /** The local transaction id of `procno`'s current transaction (the second half of its vxid). */
  localXidOf(procno: number): number {
    return Atomics.load(this.lxid, procno) >>> 0;
  }

  setWaitEvent(procno: number, event: number): void {
    Atomics.store(this.waitEvent, procno, event);
  }

  statusFlagsOf(procno: number): number {
    return this.statusFlags[procno];
  }

  /** Sets or clears PROC_* flags of my slot (rule 3: under ProcArrayLock exclusive). */
  setStatusFlags(procno: number, set: number, clear = 0): void {
    this.lw.acquire(this.lock, LWLockMode.Exclusive);
    this.statusFlags[procno] = (this.statusFlags[procno] & ~clear) | set;
    this.lw.release(this.lock);
  }

  /* ---- XID assignment (called by varsup.ts under XidGenLock) ---- */

  /** Publishes my new top-level XID (rule 1). */
  setTopXid(procno: number, xid: TransactionId): void {
    Atomics.store(this.xid, procno, xid);
  }

  /** XidCacheAdd: publishes a new subtransaction XID, or marks the cache overflowed. */
  addSubxid(procno: number, xid: TransactionId): void {
    const st = this.subxidState[procno];
    const n = st & SUBXID_COUNT_MASK;
    if (n < PGPROC_MAX_CACHED_SUBXIDS) {
      this.subxids[procno * PGPROC_MAX_CACHED_SUBXIDS + n] = xid;
      Atomics.store(this.subxidState, procno, st + 1);
    } else {
      Atomics.store(this.subxidState, procno, st | SUBXID_OVERFLOWED);
    }
  }

  /* ---- end of transaction ---- */

  /**
   * ProcArrayEndTransaction (rule 2): my transaction is over. `latestXid` is
   * the newest XID of its tree (0 when it had none: then nobody's snapshot
   * depends on us, and only the xmin is cleared, without the lock).
   */
  endTransaction(procno: number, latestXid: TransactionId): void {
    if (transactionIdIsValid(latestXid)) {
      this.lw.acquire(this.lock, LWLockMode.Exclusive);
      try {
        Assert(this.xid[procno] !== InvalidTransactionId, 'ending a transaction whose XID is not in the proc array');
        this.clearSlotXact(procno);
        this.maintainLatestCompletedXid(latestXid);
        this.f64[F_COMPLETION_COUNT]++;
      } finally {
        this.lw.release(this.lock);
      }
      return;
    }
    Assert(this.xid[procno] === InvalidTransactionId, 'a transaction without XID has one in the proc array');
    Atomics.store(this.lxid, procno, 0);
    this.xmin[procno] = InvalidTransactionId;
    if ((this.statusFlags[procno] & PROC_VACUUM_STATE_MASK) !== 0) this.setStatusFlags(procno, 0, PROC_VACUUM_STATE_MASK);
  }

  /** ProcArrayEndTransactionInternal (ProcArrayLock exclusive). */
  private clearSlotXact(procno: number): void {
    Atomics.store(this.xid, procno, InvalidTransactionId);
    Atomics.store(this.lxid, procno, 0);
    this.xmin[procno] = InvalidTransactionId;
    this.statusFlags[procno] &= ~PROC_VACUUM_STATE_MASK;
    Atomics.store(this.subxidState, procno, 0);
  }

  /** MaintainLatestCompletedXid (ProcArrayLock exclusive; rule 4). */
  private maintainLatestCompletedXid(latestXid: TransactionId): void {
    const cur = this.f64[F_LATEST_COMPLETED];
    if (transactionIdPrecedes(xidFromFull(cur), latestXid)) this.f64[F_LATEST_COMPLETED] = fullXidRelativeTo(cur, latestXid);
  }

  /**
   * XidCacheRemoveRunningXids: a subtransaction tree aborted; its XIDs leave
   * my cache (they are aborted in CLOG already) and latestCompletedXid moves.
   */
  removeSubxids(procno: number, xid: TransactionId, subxids: ArrayLike<number>, nsubxids: number, latestXid: TransactionId): void {
    this.lw.acquire(this.lock, LWLockMode.Exclusive);
    try {
      for (let j = nsubxids - 1; j >= -1; j--) {
        const target = j >= 0 ? subxids[j] : xid;
        const base = procno * PGPROC_MAX_CACHED_SUBXIDS;
        const st = this.subxidState[procno];
        const n = st & SUBXID_COUNT_MASK;
        for (let k = n - 1; k >= 0; k--) {
          if (this.subxids[base + k] === target) {
            this.subxids[base + k] = this.subxids[base + n - 1];
            Atomics.store(this.subxidState, procno, st - 1);
            break;
          }
        }
      }
      this.maintainLatestCompletedXid(latestXid);
      this.f64[F_COMPLETION_COUNT]++;
    } finally {
      this.lw.release(this.lock);
    }
  }

  /* ---- counters ---- */

  /** latestCompletedXid as a full XID (under ProcArrayLock shared). */
  getLatestCompletedXid(): FullTransactionId {
    this.lw.acquire(this.lock, LWLockMode.Shared);
    const v = this.f64[F_LATEST_COMPLETED];
    this.lw.release(this.lock);
    return v;
  }

  /** Startup and initdb: latestCompletedXid = nextXid - 1. */
  setLatestCompletedXid(fxid: FullTransactionId): void {
    this.lw.acquire(this.lock, LWLockMode.Exclusive);
    this.f64[F_LATEST_COMPLETED] = fxid;
    this.lw.release(this.lock);
  }

  /* ---- snapshots ---- */

  /**
   * GetSnapshotData: fills `snap` with the running transactions:
   *   xmax = latestCompletedXid + 1 (everything at or after it is running),
   *   xip  = other backends' top-level XIDs below xmax,
   *   subxip = their cached subtransaction XIDs (suboverflowed when some
   *            cache overflowed: pg_subtrans must then be asked),
   *   xmin = the oldest of those, my own XID, and xmax.
   * My own XID is left out of xip: the visibility rules check "is it mine?"
   * first. If `snap` was filled by this backend before and no transaction
   * ended since, it is still right and only its bookkeeping is refreshed
   * (GetSnapshotDataReuse). No allocation either way: `snap`'s arrays have
   * room for every slot.
   *
   * Returns true when my slot had no xmin and now has snap.xmin (the
   * caller's TransactionXmin).
   */
  getSnapshotData(snap: SnapshotData, procno: number): boolean {
    // A copied snapshot has arrays just large enough for its own contents: typed-array
    // writes past the end would be dropped silently.
    Assert(snap.xip.length >= MAX_BACKENDS && snap.subxip.length >= MAX_BACKENDS * PGPROC_MAX_CACHED_SUBXIDS, 'snapshot arrays too small to refill');
    const f64 = this.f64;
    this.lw.acquire(this.lock, LWLockMode.Shared);
    const count = f64[F_COMPLETION_COUNT];
    if (snap.snapXactCompletionCount !== 0 && snap.snapXactCompletionCount === count) {
      let xminSet = false;
      if (this.xmin[procno] === InvalidTransactionId) {
        this.xmin[procno] = snap.xmin;
        xminSet = true;
      }
      this.lw.release(this.lock);
      return xminSet;
    }
    const xmax = transactionIdAdvance(xidFromFull(f64[F_LATEST_COMPLETED]));
    let xmin = xmax;
    const myxid = this.xid[procno];
    if (myxid !== InvalidTransactionId && transactionIdPrecedes(myxid, xmin)) xmin = myxid;
    const xids = this.xid;
    const xip = snap.xip;
    const subxip = snap.subxip;
    let xcnt = 0;
    let subcnt = 0;
    let suboverflowed = false;
    const high = this.i32[this.lock + W_SLOTS_HIGH];
    for (let p = 0; p < high; p++) {
      const xid = xids[p]; // plain load: rule 6
      if (xid === InvalidTransactionId || p === procno) continue;
      // At or after xmax it is running anyway (and so are its subtransactions).
      if (((xid - xmax) | 0) >= 0) continue;
      if ((this.statusFlags[p] & (PROC_IN_VACUUM | PROC_IN_LOGICAL_DECODING)) !== 0) continue;
      if (((xid - xmin) | 0) < 0) xmin = xid;
      xip[xcnt++] = xid;
      if (!suboverflowed) {
        const st = Atomics.load(this.subxidState, p);
        if ((st & SUBXID_OVERFLOWED) !== 0) {
          suboverflowed = true;
        } else {
          const n = st & SUBXID_COUNT_MASK;
          if (n > 0) {
            const base = p * PGPROC_MAX_CACHED_SUBXIDS;
            for (let k = 0; k < n; k++) subxip[subcnt++] = this.subxids[base + k];
          }
        }
      }
    }
    let xminSet = false;
    if (this.xmin[procno] === InvalidTransactionId) {
      this.xmin[procno] = xmin;
      xminSet = true;
    }
    this.lw.release(this.lock);
    snap.xmin = xmin;
    snap.xmax = xmax;
    snap.xcnt = xcnt;
    snap.subxcnt = subcnt;
    snap.suboverflowed = suboverflowed;
    snap.snapXactCompletionCount = count;
    return xminSet;
  }

  /**
   * TransactionIdIsInProgress: is `xid` still running in some backend? The
   * caller checks its own transaction first (the visibility rules do).
   * `recentXmin` (the xmin of my latest snapshot) answers "no" for anything
   * older without touching shared memory.
   */
  transactionIdIsInProgress(xid: TransactionId, recentXmin: TransactionId = InvalidTransactionId): boolean {
    if (recentXmin !== InvalidTransactionId && transactionIdPrecedes(xid, recentXmin)) return false;
    if (this.status.isKnownCompleted(xid)) return false;
    let noverflowed = 0;
    this.lw.acquire(this.lock, LWLockMode.Shared);
    try {
      if (transactionIdPrecedes(xidFromFull(this.f64[F_LATEST_COMPLETED]), xid)) return true;
      const high = this.i32[this.lock + W_SLOTS_HIGH];
      for (let p = 0; p < high; p++) {
        const pxid = this.xid[p];
        if (pxid === InvalidTransactionId) continue;
        if (pxid === xid) return true;
        // A younger top-level XID cannot be the parent of xid.
        if (transactionIdPrecedes(xid, pxid)) continue;
        const st = Atomics.load(this.subxidState, p);
        const base = p * PGPROC_MAX_CACHED_SUBXIDS;
        for (let k = (st & SUBXID_COUNT_MASK) - 1; k >= 0; k--) if (this.subxids[base + k] === xid) return true;
        if ((st & SUBXID_OVERFLOWED) !== 0) this.overflowedXids[noverflowed++] = pxid;
      }
    } finally {
      this.lw.release(this.lock);
    }
    if (noverflowed === 0) return false;
    // Some cache overflowed: find xid's top-level parent and see whether that was running.
    if (this.status.didAbort(xid)) return false;
    const top = this.subtrans.getTopmostTransaction(xid, this.status.transactionXmin);
    if (top === xid) return false;
    for (let i = 0; i < noverflowed; i++) if (this.overflowedXids[i] === top) return true;
    return false;
  }

  /**
   * The oldest XID whose effects some backend may still need to see, i.e.
   * the horizon below which deleted tuples can be removed
   * (ComputeXidHorizons' data_oldest_nonremovable). Backends running lazy
   * VACUUM are ignored. With `databaseOid` only backends of that database
   * (and those in none) count, as for a table of that database; without it
   * all backends count, as for a shared catalog.
   */
  getOldestNonRemovableXid(databaseOid?: number): TransactionId {
    this.lw.acquire(this.lock, LWLockMode.Shared);
    try {
      let result = transactionIdAdvance(xidFromFull(this.f64[F_LATEST_COMPLETED]));
      const high = this.i32[this.lock + W_SLOTS_HIGH];
      for (let p = 0; p < high; p++) {
        if (this.inUse[p] === 0) continue;
        const x = transactionIdOlder(this.xmin[p], this.xid[p]);
        if (x === InvalidTransactionId) continue;
        if ((this.statusFlags[p] & (PROC_IN_VACUUM | PROC_IN_LOGICAL_DECODING)) !== 0) continue;
        const db = this.databaseOid[p];
        if (databaseOid !== undefined && db !== databaseOid && db !== 0) continue;
        if (transactionIdPrecedes(x, result)) result = x;
      }
      return result;
    } finally {
      this.lw.release(this.lock);
    }
  }

  /**
   * GetOldestTransactionIdConsideredRunning: the oldest XID or xmin of any
   * backend, vacuum included; pg_subtrans may be truncated before it.
   */
  getOldestTransactionIdConsideredRunning(): TransactionId {
    this.lw.acquire(this.lock, LWLockMode.Shared);
    let result = transactionIdAdvance(xidFromFull(this.f64[F_LATEST_COMPLETED]));
    const high = this.i32[this.lock + W_SLOTS_HIGH];
    for (let p = 0; p < high; p++) {
      if (this.inUse[p] === 0) continue;
      const x = transactionIdOlder(this.xmin[p], this.xid[p]);
      if (x !== InvalidTransactionId && transactionIdPrecedes(x, result)) result = x;
    }
    this.lw.release(this.lock);
    return result;
  }

  /**
   * GetOldestActiveTransactionId: the oldest running top-level XID, or
   * `nextXid` when none runs (checkpoints record it for pg_subtrans startup).
   */
  getOldestActiveTransactionId(nextXid: TransactionId): TransactionId {
    this.lw.acquire(this.lock, LWLockMode.Shared);
    let oldest = nextXid;
    const high = this.i32[this.lock + W_SLOTS_HIGH];
    for (let p = 0; p < high; p++) {
      const x = this.xid[p];
      if (x !== InvalidTransactionId && transactionIdPrecedes(x, oldest)) oldest = x;
    }
    this.lw.release(this.lock);
    return oldest;
  }

  /* ---- checkpoint interlock ---- */

  setDelayChkpt(procno: number, flags: number): void {
    Atomics.store(this.delayChkpt, procno, flags);
  }

  /** GetVirtualXIDsDelayingChkpt: who delays a checkpoint right now, as (procno, lxid) pairs. */
  getDelayingCheckpoint(flag: number): { procno: number; lxid: number }[] {
    const out: { procno: number; lxid: number }[] = [];
    for (let p = 0; p < MAX_BACKENDS; p++) {
      if ((Atomics.load(this.delayChkpt, p) & flag) !== 0) out.push({ procno: p, lxid: Atomics.load(this.lxid, p) });
    }
    return out;
  }

  /** HaveVirtualXIDsDelayingChkpt: are any of those still delaying, in the same transaction? */
  haveDelayingCheckpoint(list: { procno: number; lxid: number }[], flag: number): boolean {
    for (const { procno, lxid } of list) {
      if ((Atomics.load(this.delayChkpt, procno) & flag) !== 0 && Atomics.load(this.lxid, procno) === lxid) return true;
    }
    return false;
  }

  /**
   * The checkpointer's wait (CreateCheckPoint): after choosing its redo
   * point, wait until every backend that was between its commit record and
   * its CLOG update has finished that step, so the checkpoint's CLOG flush
   * includes those commits. Bounded (DELAY_CHKPT_WAIT_ROUNDS_MAX sleeps).
   */
  waitForDelayingCheckpoint(flag: number): void {
    const list = this.getDelayingCheckpoint(flag);
    for (let round = 0; list.length > 0 && this.haveDelayingCheckpoint(list, flag); round++) {
      if (round >= DELAY_CHKPT_WAIT_ROUNDS_MAX) elog('backends kept delaying the checkpoint');
      Atomics.wait(this.sleepWord, 0, 0, LWLOCK_WAIT_TIMEOUT_MS);
    }
  }

  /* ---- describe ---- */

  /** Every slot in use (for pg_stat_activity, the playground and tests). */
  describe(): ProcInfo[] {
    const out: ProcInfo[] = [];
    this.lw.acquire(this.lock, LWLockMode.Shared);
    try {
      for (let p = 0; p < MAX_BACKENDS; p++) {
        if (this.inUse[p] === 0) continue;
        const n = this.subxidState[p] & SUBXID_COUNT_MASK;
        const base = p * PGPROC_MAX_CACHED_SUBXIDS;
        out.push({
          procno: p,
          pid: this.pid[p],
          databaseOid: this.databaseOid[p],
          xid: this.xid[p],
          xmin: this.xmin[p],
          subxids: Array.from(this.subxids.subarray(base, base + n)),
          subxidOverflowed: (this.subxidState[p] & SUBXID_OVERFLOWED) !== 0,
          statusFlags: this.statusFlags[p],
          delayChkpt: this.delayChkpt[p],
          vxid: `${p + 1}/${this.lxid[p] >>> 0}`,
          waitEvent: this.waitEvent[p],
        });
      }
    } finally {
      this.lw.release(this.lock);
    }
    return out;
  }
}
