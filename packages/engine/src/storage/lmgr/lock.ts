/*
 * lock.ts — one backend's heavyweight lock manager: LockAcquire,
 * LockRelease, LockReleaseAll over its LOCALLOCK table (locallock.ts),
 * the fast path (fastpath.ts) and the shared table (lock_table.ts),
 * waiting for a lock and checking for deadlocks while waiting
 * (PostgreSQL's lock.c, and the waiting half of proc.c: ProcSleep,
 * CheckDeadLock, LockErrorCleanup).
 *
 * Exports: LockManager, LockAcquireResult, LockProcs, LockSettings,
 *          LockStatusRow, SESSION_LOCK_OWNER (from locallock.ts).
 *
 * The shared table (lock_table.ts) records what each backend holds and
 * awaits, once per (object, mode). The local table counts how often, and
 * by which owner: the session, or the (sub)transaction that took it. A
 * second request for a lock already held only bumps a local count, and only
 * the release of the last count touches shared memory.
 *
 * A request's way (lock_table.ts names the shared steps):
 *
 *   local count > 0 ----------------------------------------> ALREADY_HELD
 *   weak relation lock, no strong one around (fastpath.ts) --> OK
 *   strong relation lock: raise the strong counter, transfer fast-path locks
 *   partition lock; find or create LOCK and PROCLOCK; request()
 *   no conflict with holders or earlier waiters -> grantLock --> OK
 *   conflict, dontWait -> unrequest ---------------------------> NOT_AVAIL
 *   conflict -> joinWaitQueue; release partition lock; sleep:
 *
 *      WAITING --ProcLockWakeup (a releaser)------------------> OK
 *      WAITING --deadlock_timeout--> checkDeadLock:
 *          no cycle / queues rearranged: keep WAITING
 *          hard cycle: the youngest member is removed from its queue
 *          and its wait ends ERROR (maybe this backend, maybe another:
 *          then check again until no cycle through this backend is left)
 *      WAITING --cancel, lock_timeout--> lockErrorCleanup -------> throw
 *      ERROR ---------------------------------------------------> throw 40P01
 *
 * Rules (README.md has the whole list):
 *  1. Shared entries change only under their partition's LWLock; the
 *     deadlock detector and pg_locks take all partition locks, in order.
 *  2. A backend waits for at most one lock at a time, and never holds an
 *     LWLock while it sleeps.
 *  3. Only the waiter's own lock words are written by others: wait status
 *     and semaphore, set by the releaser that grants it or by the detector
 *     that chooses it as the victim, both under the partition lock.
 */

import { DEFAULT_DEADLOCK_TIMEOUT_MS, LOCK_WAIT_SLICE_MS, MAX_BACKENDS } from '../../constants.ts';
import { transactionIdPrecedes, type NoticeSink, type TransactionId } from '../../access/transam/transam.ts';
import { Assert, PgError, SQLSTATE } from '../../utils/errors.ts';
import { PL_SEMAPHORE, PL_WAIT_START_MS, PL_WAIT_STATUS, PROC_LOCK_WORDS, type ProcInfo } from '../ipc/procarray.ts';
import type { Shmem } from '../ipc/shmem.ts';
import { deadLockCheck, DeadLockState, type DeadLockMember } from './deadlock.ts';
import {
  describeLockTag,
  LOCK_CONFLICTS,
  LockTag,
  lockbit,
  lockModeName,
  lockTagHashCode,
  MAX_LOCKMODES,
  LockMethodId,
  LockTagType,
  packTagType,
} from './lockdefs.ts';
import { conflictsWithRelationFastPath, eligibleForRelationFastPath, FastPath } from './fastpath.ts';
import {
  LK_F1,
  LK_F2,
  LK_F3,
  LK_F4,
  LK_NREQUESTED,
  LK_PROCLOCKS,
  LK_TYPE,
  LK_WAIT_MASK,
  LockTable,
  outOfSharedMemory,
  PLK_HOLD_MASK,
  PLK_LOCK_NEXT,
  PLK_PROCNO,
  PROC_WAIT_STATUS_ERROR,
  PROC_WAIT_STATUS_OK,
  PROC_WAIT_STATUS_WAITING,
  REPORT_EDGE_WORDS,
} from './lock_table.ts';
import { LocalLockTable, SESSION_LOCK_OWNER, type LocalLock } from './locallock.ts';
import { LWLockMode, type LWLockOwner } from './lwlock.ts';

export { SESSION_LOCK_OWNER };

/** LockAcquire's results (LOCKACQUIRE_*), plus WAITING for lockAcquireNoSleep. */
export const enum LockAcquireResult {
  NotAvail = 0,
  Ok = 1,
  AlreadyHeld = 2,
  Waiting = 3,
}

/** What the lock manager reads from the proc array: its lock words, XIDs for the victim, pids for messages. */
export interface LockProcs {
  readonly lockWords: Int32Array;
  /** Index of lockWords[0] in the segment's Int32Array (for the fast-path LWLocks). */
  readonly lockWordsIndex: number;
  xidOf(procno: number): TransactionId;
  describe(): ProcInfo[];
}

export interface LockSettings {
  /** deadlock_timeout in ms. */
  deadlockTimeoutMs: number;
  /** lock_timeout in ms; 0 = wait forever. */
  lockTimeoutMs: number;
}

export interface LockManagerDeps {
  shmem: Shmem;
  lw: LWLockOwner;
  procno: number;
  procs: LockProcs;
  /** MyDatabaseId: weak locks on this database's relations may use the fast path (0: none do). */
  databaseOid?: number;
  /** WARNINGs (releasing a lock not held). */
  notice?: NoticeSink;
  /** CurrentResourceOwner: the current subtransaction id (>= 1). */
  currentOwner?: () => number;
  /** CHECK_FOR_INTERRUPTS while sleeping: throws to cancel the wait (statement_timeout, cancel, terminate). */
  interrupts?: () => void;
  settings?: Partial<LockSettings>;
}

/** One row of the lock table as pg_locks shows it, before pids are attached. */
export interface LockStatusRow {
  type: number;
  method: number;
  field1: number;
  field2: number;
  field3: number;
  field4: number;
  procno: number;
  mode: number;
  granted: boolean;
  /** Held through the fast path (fastpath.ts), not in the shared table. */
  fastpath: boolean;
  /** Date.now() when the wait began, for waiting rows. */
  waitStart: number | null;
}

interface PendingWait {
  ll: LocalLock;
  owner: number;
  started: number;
  /** Check for a deadlock at once instead of after deadlock_timeout (ProcSleep's early deadlock). */
  checkNow: boolean;
  /** When deadlock_timeout counts from: `started`, or the start of the wait episode's first sleep. */
  deadlockFrom: number;
}

export class LockManager {
  readonly table: LockTable;
  private readonly fp: FastPath;
  readonly procno: number;
  readonly settings: LockSettings;
  private readonly lw: LWLockOwner;
  private readonly procs: LockProcs;
  private readonly notice: NoticeSink | undefined;
  private readonly currentOwner: () => number;
  private readonly interrupts: (() => void) | undefined;
  private readonly myWords: number;
  /** The LOCALLOCK table. */
  private readonly local = new LocalLockTable();
  private waiting: PendingWait | null = null;
  /**
   * How many lock requests of this backend have had to wait (ProcSleep
   * calls), for callers that must know whether time passed while they
   * asked: a statement's snapshot taken before a wait is stale after it.
   */
  sleeps = 0;
  /**
   * The open wait episode (beginWaitEpisode): -1 when none is open,
   * Infinity while open but no request of it has slept yet, else when its
   * first sleep began.
   */
  private episodeStart = -1;
  private readonly scratchTag = new LockTag();

  constructor(d: LockManagerDeps) {
    this.lw = d.lw;
    this.procs = d.procs;
    this.procno = d.procno;
    this.table = new LockTable(d.shmem, d.procs.lockWords, d.lw);
    this.fp = new FastPath(this.table, d.lw, d.procs.lockWordsIndex, d.procno, d.databaseOid ?? 0);
    this.notice = d.notice;
    this.currentOwner = d.currentOwner ?? (() => 1);
    this.interrupts = d.interrupts;
    this.settings = { deadlockTimeoutMs: DEFAULT_DEADLOCK_TIMEOUT_MS, lockTimeoutMs: 0, ...d.settings };
    this.myWords = d.procno * PROC_LOCK_WORDS;
  }

  /* ---- acquiring ---- */

  /**
   * LockAcquire: takes `mode` on the object, for the session or for the
   * current (sub)transaction. Sleeps while it conflicts, unless `dontWait`
   * (then NOT_AVAIL: the caller raises 55P03). Throws 40P01 if this backend
   * is chosen as a deadlock victim while it waits, 53200 if the shared
   * table is full.
   */
  lockAcquire(tag: LockTag, mode: number, sessionLock = false, dontWait = false): LockAcquireResult {
    const r = this.lockAcquireExtended(tag, mode, sessionLock, dontWait);
    return r === LockAcquireResult.Waiting ? this.procSleep() : r;
  }

  /**
   * As lockAcquire, but a request that must wait is left queued and
   * WAITING is returned; lockWaitPoll, lockWaitSleep, checkDeadLock and
   * lockErrorCleanup then finish it. For callers that cannot block (and
   * single-threaded tests).
   */
  lockAcquireNoSleep(tag: LockTag, mode: number, sessionLock = false): LockAcquireResult {
    return this.lockAcquireExtended(tag, mode, sessionLock, false);
  }

  private lockAcquireExtended(tag: LockTag, mode: number, sessionLock: boolean, dontWait: boolean): LockAcquireResult {
    Assert(mode > 0 && mode < MAX_LOCKMODES, `unrecognized lock mode: ${mode}`);
    Assert(this.waiting === null, 'a backend waits for one lock at a time');
    const owner = sessionLock ? SESSION_LOCK_OWNER : this.currentOwner();
    const typeMethod = packTagType(tag.type, tag.method);
    const hash = lockTagHashCode(tag.field1, tag.field2, tag.field3, tag.field4, typeMethod);
    let ll = this.local.find(tag, mode, hash);
    if (ll !== null && ll.nLocks > 0) {
      ll.add(owner, 1);
      return LockAcquireResult.AlreadyHeld;
    }
    ll ??= this.local.insert(tag, mode, hash);
    const t = this.table;

    // A weak relation lock while nobody holds or wants a strong one: recorded in my proc slot only.
    if (eligibleForRelationFastPath(tag, mode, this.fp.databaseOid) && this.fp.tryAcquire(hash, tag.field2, mode)) {
      ll.add(owner, 1); // ll.lock stays -1: held through the fast path
      return LockAcquireResult.Ok;
    }
    // A strong relation lock: stop new fast-path grants on this hash, and move existing ones here.
    if (conflictsWithRelationFastPath(tag, mode)) {
      if (!ll.holdsStrongLockCount) {
        Atomics.add(t.w, t.strongCountWord(hash), 1);
        ll.holdsStrongLockCount = true;
      }
      if (!this.fp.transfer(tag, hash, typeMethod)) {
        this.removeLocalLock(ll);
        throw outOfSharedMemory();
      }
    }

    const partitionLock = t.partitionLock(hash);
    this.lw.acquire(partitionLock, LWLockMode.Exclusive);
    let lock = t.findLock(hash, tag.field1, tag.field2, tag.field3, tag.field4, typeMethod);
    if (lock < 0) lock = t.createLock(hash, tag.field1, tag.field2, tag.field3, tag.field4, typeMethod);
    let pl = lock < 0 ? -1 : t.findProcLock(lock, this.procno);
    if (lock >= 0 && pl < 0) pl = t.createProcLock(lock, this.procno);
    if (pl < 0) {
      // A LOCK made just now for us is unused again (its count is 0): clean it up.
      if (lock >= 0) t.removeLockIfUnused(lock);
      this.lw.release(partitionLock);
      this.removeLocalLock(ll);
      throw outOfSharedMemory();
    }
    ll.lock = lock;
    ll.procLock = pl;
    t.request(lock, mode);
    // A request conflicting with an earlier waiter queues behind it, even if the holders would allow it.
    const conflict = (LOCK_CONFLICTS[mode] & t.w[t.lockWord(lock) + LK_WAIT_MASK]) !== 0 || t.lockCheckConflicts(mode, lock, pl);
    if (!conflict) {
      t.grantLock(lock, pl, mode);
      this.lw.release(partitionLock);
      ll.add(owner, 1);
      return LockAcquireResult.Ok;
    }
    if (dontWait) {
      t.unrequest(lock, pl, mode);
      this.lw.release(partitionLock);
      this.removeLocalLock(ll);
      return LockAcquireResult.NotAvail;
    }
    const joined = this.joinWaitQueue(lock, pl, mode);
    this.lw.release(partitionLock);
    if (joined === LockAcquireResult.Ok) {
      ll.add(owner, 1);
      return LockAcquireResult.Ok;
    }
    const started = performance.now();
    if (this.episodeStart === Infinity) this.episodeStart = started;
    const deadlockFrom = this.episodeStart >= 0 ? this.episodeStart : started;
    this.waiting = { ll, owner, started, checkNow: joined === LockAcquireResult.NotAvail, deadlockFrom };
    return LockAcquireResult.Waiting;
  }

  /**
   * Opens a wait episode: the waits of one row operation (heap_update,
   * heap_delete, heap_lock_tuple: the tuple lock, then each holder's XID,
   * again after a holder ended and another took the row) count as one wait
   * for deadlock_timeout. A sleep of the episode that begins after the
   * episode's first sleep has lasted deadlock_timeout checks for a deadlock
   * at once. Without this, a cycle that a deadlock victim's abort turns into
   * another one (a backend queued for a row's tuple lock behind the victim
   * is granted it and now waits for the XID the victim waited for, which
   * waits for it) would be found only deadlock_timeout after that new wait
   * began, by the re-waiting backend, since every other member has already
   * made its one check: two timeouts after the deadlock really formed
   * (README.md, "Deadlocks"). PostgreSQL's checker is always its victim, so
   * there the other members' timers are usually still running.
   */
  beginWaitEpisode(): void {
    if (this.episodeStart < 0) this.episodeStart = Infinity;
  }

  /** Closes the wait episode beginWaitEpisode opened. */
  endWaitEpisode(): void {
    this.episodeStart = -1;
  }

  /**
   * JoinWaitQueue (the first half of PostgreSQL's ProcSleep), partition
   * lock held. Normally the request goes to the end of the queue. If this
   * backend already holds modes on the object that an earlier waiter is
   * waiting for, it goes just before that waiter instead (waiting behind it
   * would be a certain deadlock); if nothing ahead of that point conflicts,
   * it is granted at once. If that waiter also holds what we want, the
   * deadlock is certain: the request is queued at the end and checked at
   * once (returns NOT_AVAIL to say so). Returns OK or WAITING otherwise.
   */
  private joinWaitQueue(lock: number, pl: number, mode: number): LockAcquireResult {
    const t = this.table;
    const w = t.w;
    const myHeldLocks = w[t.procLockWord(pl) + PLK_HOLD_MASK];
    let before = -1;
    let earlyDeadlock = false;
    if (myHeldLocks !== 0) {
      const queue = new Int32Array(MAX_BACKENDS);
      const n = t.waitQueue(lock, queue);
      let aheadRequests = 0;
      for (let i = 0; i < n; i++) {
        const other = queue[i];
        const otherProc = w[t.procLockWord(other) + PLK_PROCNO];
        const otherMode = t.waitModeOf(otherProc);
        if ((LOCK_CONFLICTS[otherMode] & myHeldLocks) !== 0) {
          if ((LOCK_CONFLICTS[mode] & w[t.procLockWord(other) + PLK_HOLD_MASK]) !== 0) {
            earlyDeadlock = true;
            break;
          }
          if ((LOCK_CONFLICTS[mode] & aheadRequests) === 0 && !t.lockCheckConflicts(mode, lock, pl)) {
            t.grantLock(lock, pl, mode);
            return LockAcquireResult.Ok;
          }
          before = other;
          break;
        }
        aheadRequests |= lockbit(otherMode);
      }
    }
    t.enqueueWaiter(this.procno, lock, pl, mode, earlyDeadlock ? -1 : before);
    return earlyDeadlock ? LockAcquireResult.NotAvail : LockAcquireResult.Waiting;
  }

  /** Is a request of this backend queued? */
  get isWaiting(): boolean {
    return this.waiting !== null;
  }

  /**
   * Where the pending wait stands: OK once granted (the request is then
   * finished), WAITING while queued; throws 40P01 if it was chosen as a
   * deadlock victim.
   */
  lockWaitPoll(): LockAcquireResult {
    const pw = this.waiting;
    Assert(pw !== null, 'no lock wait in progress');
    const st = Atomics.load(this.table.procWords, this.myWords + PL_WAIT_STATUS);
    if (st === PROC_WAIT_STATUS_OK) {
      this.waiting = null;
      pw.ll.add(pw.owner, 1);
      return LockAcquireResult.Ok;
    }
    if (st === PROC_WAIT_STATUS_ERROR) this.deadlockVictim();
    return LockAcquireResult.Waiting;
  }

  /** Sleeps until the pending request is granted (returns OK) or fails (throws). */
  lockWaitSleep(): LockAcquireResult {
    return this.procSleep();
  }

  /**
   * ProcSleep's waiting loop: sleep on the semaphore word in slices; after
   * deadlock_timeout (counted from the wait episode's first sleep, see
   * beginWaitEpisode) look for a deadlock once (a cycle closed later is
   * found by the backend whose wait closed it); honour lock_timeout and
   * interrupts.
   */
  private procSleep(): LockAcquireResult {
    const pw = this.waiting;
    Assert(pw !== null, 'no lock wait in progress');
    this.sleeps++;
    const words = this.table.procWords;
    const sem = this.myWords + PL_SEMAPHORE;
    let deadlockAt = pw.checkNow ? pw.started : Math.max(pw.started, pw.deadlockFrom + this.settings.deadlockTimeoutMs);
    const lockTimeoutAt = this.settings.lockTimeoutMs > 0 ? pw.started + this.settings.lockTimeoutMs : Infinity;
    for (;;) {
      const r = this.lockWaitPoll();
      if (r === LockAcquireResult.Ok) return r;
      const now = performance.now();
      if (now >= deadlockAt) {
        deadlockAt = Infinity;
        this.checkDeadLock();
        continue;
      }
      if (now >= lockTimeoutAt) {
        if (this.lockErrorCleanup()) return LockAcquireResult.Ok;
        throw new PgError(SQLSTATE.lock_not_available, 'canceling statement due to lock timeout');
      }
      if (this.interrupts !== undefined) {
        try {
          this.interrupts();
        } catch (e) {
          this.lockErrorCleanup();
          throw e;
        }
      }
      const slice = Math.max(1, Math.min(LOCK_WAIT_SLICE_MS, deadlockAt - now, lockTimeoutAt - now));
      Atomics.wait(words, sem, 0, slice);
    }
  }

  /**
   * CheckDeadLock: with every partition lock held, looks for a cycle
   * through this backend's wait. A soft one is resolved by rearranging
   * queues; a hard one aborts the youngest transaction of the cycle (the
   * highest XID; a transaction without an XID counts as younger than any
   * with one, and among those this backend goes first): its wait ends with
   * ERROR and a report of the cycle, starting at the victim, for its
   * message. When the victim is another backend this backend may still be
   * in another cycle (PostgreSQL never meets this: its checker is always
   * the victim), so the check repeats until no cycle through this backend
   * remains or it is the victim itself; each round removes one waiter, so
   * there are at most MAX_BACKENDS. Returns the state found.
   */
  checkDeadLock(): DeadLockState {
    Assert(this.waiting !== null, 'no lock wait in progress');
    const t = this.table;
    let found = DeadLockState.NoDeadlock;
    t.lockAllPartitions(LWLockMode.Exclusive);
    try {
      for (let round = 0; round < MAX_BACKENDS; round++) {
        // Granted, or chosen as a victim, since we last looked.
        if (t.waitStatus(this.procno) !== PROC_WAIT_STATUS_WAITING) return found;
        const result = deadLockCheck(t, this.procno);
        if (result.state !== DeadLockState.HardDeadlock) return found === DeadLockState.NoDeadlock ? result.state : found;
        found = DeadLockState.HardDeadlock;
        const cycle = result.cycle;
        const v = this.chooseVictim(cycle);
        const report: number[] = [];
        for (let i = 0; i < cycle.length; i++) {
          const m = cycle[(v + i) % cycle.length];
          const next = cycle[(v + i + 1) % cycle.length];
          const b = t.lockWord(m.lock);
          const w = t.w;
          report.push(m.procno, w[b + LK_F1], w[b + LK_F2], w[b + LK_F3], w[b + LK_F4], w[b + LK_TYPE], m.mode, next.procno);
        }
        t.writeReport(cycle[v].procno, report);
        t.removeFromWaitQueue(cycle[v].procno);
      }
      return found;
    } finally {
      t.unlockAllPartitions();
    }
  }

  /** Index in `cycle` of the youngest transaction. */
  private chooseVictim(cycle: readonly DeadLockMember[]): number {
    let best = 0;
    let bestXid = this.procs.xidOf(cycle[0].procno);
    for (let i = 1; i < cycle.length; i++) {
      const xid = this.procs.xidOf(cycle[i].procno);
      if (bestXid === 0) continue; // no XID: as young as it gets, and the checker (cycle[0]) wins ties
      if (xid === 0 || transactionIdPrecedes(bestXid, xid)) {
        best = i;
        bestXid = xid;
      }
    }
    return best;
  }

  /** This backend's wait ended ERROR: the detector has already undone its request; raise DeadLockReport. */
  private deadlockVictim(): never {
    const pw = this.waiting;
    Assert(pw !== null, 'no lock wait in progress');
    this.waiting = null;
    if (pw.ll.nLocks === 0) this.removeLocalLock(pw.ll);
    throw this.deadlockError(this.table.readReport(this.procno));
  }

  private deadlockError(report: readonly number[]): PgError {
    const pids = new Map<number, number>();
    for (const p of this.procs.describe()) pids.set(p.procno, p.pid);
    const lines: string[] = [];
    for (let i = 0; i < report.length; i += REPORT_EDGE_WORDS) {
      const [procno, f1, f2, f3, f4, typeMethod, mode, blocker] = report.slice(i, i + REPORT_EDGE_WORDS);
      const what = describeLockTag(typeMethod & 0xff, f1 >>> 0, f2 >>> 0, f3 >>> 0, f4 >>> 0);
      lines.push(`Process ${pids.get(procno) ?? procno} waits for ${lockModeName(mode)} on ${what}; blocked by process ${pids.get(blocker) ?? blocker}.`);
    }
    return new PgError(SQLSTATE.deadlock_detected, 'deadlock detected', { detail: lines.join('\n'), hint: 'See server log for query details.' });
  }

  /**
   * LockErrorCleanup: abandons a pending wait (error, cancel, timeout). If
   * the lock was granted meanwhile it is kept, counted for its owner, and
   * true is returned; the transaction's abort releases it.
   */
  lockErrorCleanup(): boolean {
    const pw = this.waiting;
    if (pw === null) return false;
    const t = this.table;
    const partitionLock = t.partitionLock(pw.ll.hashcode);
    this.lw.acquire(partitionLock, LWLockMode.Exclusive);
    const st = t.waitStatus(this.procno);
    if (st === PROC_WAIT_STATUS_WAITING) t.removeFromWaitQueue(this.procno);
    this.lw.release(partitionLock);
    this.waiting = null;
    if (st === PROC_WAIT_STATUS_OK) {
      pw.ll.add(pw.owner, 1);
      return true;
    }
    if (pw.ll.nLocks === 0) this.removeLocalLock(pw.ll);
    return false;
  }

  /* ---- releasing ---- */

  /**
   * LockRelease: gives back one count of `mode` held by the session or the
   * current owner. Not held: WARNING "you don't own a lock of type ..." and
   * false, as PostgreSQL.
   */
  lockRelease(tag: LockTag, mode: number, sessionLock = false): boolean {
    Assert(this.waiting === null, 'releasing a lock while waiting for one');
    const typeMethod = packTagType(tag.type, tag.method);
    const hash = lockTagHashCode(tag.field1, tag.field2, tag.field3, tag.field4, typeMethod);
    const ll = this.local.find(tag, mode, hash);
    const owner = sessionLock ? SESSION_LOCK_OWNER : this.currentOwner();
    const i = ll === null ? -1 : ll.ownerIndex(owner);
    if (ll === null || i < 0) {
      this.notice?.(new PgError('01000', `you don't own a lock of type ${lockModeName(mode)}`, { severity: 'WARNING' }));
      return false;
    }
    ll.decrementAt(i);
    if (ll.nLocks === 0) this.releaseShared(ll);
    return true;
  }

  /**
   * LockReleaseAll: at transaction end (allLocks false) releases every
   * transaction-level lock and keeps session locks; at session end (true)
   * releases everything. `method` limits it to one lock method.
   */
  lockReleaseAll(allLocks: boolean, method?: LockMethodId): void {
    this.lockErrorCleanup();
    this.episodeStart = -1;
    const entries = this.local.entries;
    // Backwards: remove() moves the last entry into the freed slot, and that one was seen already.
    for (let k = entries.length - 1; k >= 0; k--) {
      const ll = entries[k];
      if (method !== undefined && ll.tag.method !== method) continue;
      const heldShared = ll.nLocks > 0;
      if (!allLocks) {
        for (let i = ll.nOwners - 1; i >= 0; i--) if (ll.ownerAt(i) !== SESSION_LOCK_OWNER) ll.removeAt(i);
        if (ll.nLocks > 0) continue;
      } else {
        while (ll.nOwners > 0) ll.removeAt(0);
      }
      if (heldShared) this.releaseShared(ll);
      else this.removeLocalLock(ll);
    }
  }

  /** LockReleaseSession: every session lock of `method` (pg_advisory_unlock_all). */
  lockReleaseSession(method: LockMethodId): void {
    const entries = this.local.entries;
    for (let k = entries.length - 1; k >= 0; k--) {
      const ll = entries[k];
      if (ll.tag.method !== method) continue;
      const s = ll.ownerIndex(SESSION_LOCK_OWNER);
      if (s < 0) continue;
      ll.removeAt(s);
      if (ll.nLocks === 0) this.releaseShared(ll);
    }
  }

  /** LockReleaseCurrentOwner: a subtransaction aborted; its locks go. */
  lockReleaseOwner(owner: number): void {
    Assert(owner !== SESSION_LOCK_OWNER, 'session locks are not released by owner');
    this.lockErrorCleanup();
    const entries = this.local.entries;
    for (let k = entries.length - 1; k >= 0; k--) {
      const ll = entries[k];
      const i = ll.ownerIndex(owner);
      if (i < 0) continue;
      ll.removeAt(i);
      if (ll.nLocks === 0) this.releaseShared(ll);
    }
  }

  /** LockReassignCurrentOwner: a subtransaction committed; its locks now belong to its parent. */
  lockReassignOwner(owner: number, parent: number): void {
    for (const ll of this.local.entries) {
      const i = ll.ownerIndex(owner);
      if (i >= 0) ll.add(parent, ll.removeAt(i));
    }
  }

  /** ResourceCleanup for Xact.registerResourceCleanup: transaction locks end with their (sub)transaction. */
  atEOXact(_isCommit: boolean): void {
    this.lockReleaseAll(false);
  }

  atEOSubXact(isCommit: boolean, mySubid: number, parentSubid: number): void {
    if (isCommit) this.lockReassignOwner(mySubid, parentSubid);
    else this.lockReleaseOwner(mySubid);
  }

  /**
   * The last count went: UnGrantLock and CleanUpLock under the partition
   * lock (or just clear the fast-path bit), then forget it locally.
   */
  private releaseShared(ll: LocalLock): void {
    const t = this.table;
    if (ll.lock < 0 && this.fp.unGrant(ll.tag.field2, ll.mode)) {
      this.removeLocalLock(ll);
      return;
    }
    const partitionLock = t.partitionLock(ll.hashcode);
    this.lw.acquire(partitionLock, LWLockMode.Exclusive);
    try {
      if (ll.lock < 0) {
        // Taken through the fast path, then moved to the shared table by a strong locker.
        const tag = ll.tag;
        ll.lock = t.findLock(ll.hashcode, tag.field1, tag.field2, tag.field3, tag.field4, packTagType(tag.type, tag.method));
        Assert(ll.lock >= 0, 'transferred fast-path lock not in the lock table');
        ll.procLock = t.findProcLock(ll.lock, this.procno);
        Assert(ll.procLock >= 0, 'transferred fast-path lock has no proclock');
      }
      const wakeupNeeded = t.unGrantLock(ll.lock, ll.procLock, ll.mode);
      t.cleanUpLock(ll.lock, ll.procLock, wakeupNeeded);
    } finally {
      this.lw.release(partitionLock);
    }
    this.removeLocalLock(ll);
  }

  /* ---- questions ---- */

  /** LockHeldByMe: does this backend hold `mode` (by any owner)? */
  lockHeldByMe(tag: LockTag, mode: number): boolean {
    const typeMethod = packTagType(tag.type, tag.method);
    const ll = this.local.find(tag, mode, lockTagHashCode(tag.field1, tag.field2, tag.field3, tag.field4, typeMethod));
    return ll !== null && ll.nLocks > 0;
  }

  /** How many counts of `mode` this backend holds, and how many of them are the session's. */
  localCounts(tag: LockTag, mode: number): { total: number; session: number } {
    const typeMethod = packTagType(tag.type, tag.method);
    const ll = this.local.find(tag, mode, lockTagHashCode(tag.field1, tag.field2, tag.field3, tag.field4, typeMethod));
    if (ll === null) return { total: 0, session: 0 };
    return { total: ll.nLocks, session: ll.countOf(SESSION_LOCK_OWNER) };
  }

  /** Number of (object, mode) pairs this backend holds. */
  get heldCount(): number {
    let n = 0;
    for (const ll of this.local.entries) if (ll.nLocks > 0) n++;
    return n;
  }

  /**
   * GetLockStatusData: every granted and awaited (object, backend, mode)
   * in the shared table, read under all partition locks (shared).
   */
  getLockStatusData(): LockStatusRow[] {
    const t = this.table;
    const w = t.w;
    const rows: LockStatusRow[] = [];
    const now = Date.now();
    // Fast-path locks first, each backend's under its own fpInfoLock (taken before partition locks).
    this.fp.statusRows((procno, database, relid, mode) => {
      rows.push({ type: LockTagType.Relation, method: LockMethodId.Default, field1: database, field2: relid, field3: 0, field4: 0, procno, mode, granted: true, fastpath: true, waitStart: null });
    });
    t.lockAllPartitions(LWLockMode.Shared);
    try {
      for (let lock = 0; lock < t.maxLocks; lock++) {
        const b = t.lockWord(lock);
        if (w[b + LK_NREQUESTED] === 0) continue;
        const typeMethod = w[b + LK_TYPE];
        for (let n = w[b + LK_PROCLOCKS]; n !== 0; n = w[t.procLockWord(n - 1) + PLK_LOCK_NEXT]) {
          const plb = t.procLockWord(n - 1);
          const procno = w[plb + PLK_PROCNO];
          const row = (granted: boolean, mode: number, waitStart: number | null): LockStatusRow => ({
            type: typeMethod & 0xff,
            method: typeMethod >>> 8,
            field1: w[b + LK_F1] >>> 0,
            field2: w[b + LK_F2] >>> 0,
            field3: w[b + LK_F3] >>> 0,
            field4: w[b + LK_F4] >>> 0,
            procno,
            mode,
            granted,
            fastpath: false,
            waitStart,
          });
          const hold = w[plb + PLK_HOLD_MASK];
          for (let m = 1; m < MAX_LOCKMODES; m++) if ((hold & lockbit(m)) !== 0) rows.push(row(true, m, null));
          if (t.waitingFor(procno) === lock && t.waitProcLockOf(procno) === n - 1) {
            const started = t.procWords[procno * PROC_LOCK_WORDS + PL_WAIT_START_MS] >>> 0;
            rows.push(row(false, t.waitModeOf(procno), now - ((now - started) % 0x1_0000_0000)));
          }
        }
      }
    } finally {
      t.unlockAllPartitions();
    }
    return rows;
  }

  /**
   * GetBlockerStatusData for one backend: the procnos that block its
   * current wait: holders of conflicting modes, and conflicting waiters
   * queued ahead of it, each once (pg_blocking_pids). Empty if it does not
   * wait.
   */
  blockingProcs(procno: number): number[] {
    const t = this.table;
    const w = t.w;
    const out: number[] = [];
    t.lockAllPartitions(LWLockMode.Shared);
    try {
      const lock = t.waitingFor(procno);
      if (lock < 0) return out;
      const conflictMask = LOCK_CONFLICTS[t.waitModeOf(procno)];
      const queue = new Int32Array(MAX_BACKENDS);
      const nq = t.waitQueue(lock, queue);
      const ahead: number[] = [];
      for (let i = 0; i < nq; i++) {
        const q = w[t.procLockWord(queue[i]) + PLK_PROCNO];
        if (q === procno) break;
        ahead.push(q);
      }
      for (let n = w[t.lockWord(lock) + LK_PROCLOCKS]; n !== 0; n = w[t.procLockWord(n - 1) + PLK_LOCK_NEXT]) {
        const plb = t.procLockWord(n - 1);
        const q = w[plb + PLK_PROCNO];
        if (q === procno) continue;
        if ((conflictMask & w[plb + PLK_HOLD_MASK]) !== 0) out.push(q);
        else if (ahead.includes(q) && (conflictMask & lockbit(t.waitModeOf(q))) !== 0) out.push(q);
      }
    } finally {
      t.unlockAllPartitions();
    }
    return out;
  }

  /** RemoveLocalLock: forgets a LOCALLOCK, and lowers the strong-lock counter it raised. */
  private removeLocalLock(ll: LocalLock): void {
    if (ll.holdsStrongLockCount) {
      Atomics.sub(this.table.w, this.table.strongCountWord(ll.hashcode), 1);
      ll.holdsStrongLockCount = false;
    }
    this.local.remove(ll);
  }

  /** A scratch LOCKTAG for callers in lmgr.ts and lockfuncs.ts (no allocation per request). */
  get tagScratch(): LockTag {
    return this.scratchTag;
  }
}
