/*
 * predicate.ts — serializable snapshot isolation: SIREAD predicate locks,
 * rw-conflicts between serializable transactions, and the dangerous
 * structures that make one of them fail with 40001 (PostgreSQL's
 * storage/lmgr/predicate.c, after its README-SSI and Cahill, Röhm and
 * Fekete, "Serializable isolation for snapshot databases", SIGMOD 2008).
 *
 * Exports: PredicateLockManager (one per backend), PredicateLockDeps,
 * SerializableReadScan, SireadLockRow.
 *
 * This file is the backend's side: registering a transaction with its
 * snapshot, taking SIREAD locks (and promoting them), the read and write
 * hooks that find rw-conflicts, the commit check, the end of the
 * transaction, and the views (pg_locks rows). The rest of SSI:
 *   predicate_internals.ts  the shared region: records, pools, hash tables
 *   predicate_conflict.ts   the conflict graph: recording an edge, dangerous structures
 *   predicate_release.ts    clearing and summarizing committed transactions
 *   predicate_serial.ts     pg_serial, what is left of a summarized transaction
 *
 * A serializable transaction (T) runs on a snapshot, like REPEATABLE READ.
 * On top of that it records what it read, as SIREAD locks on relations,
 * index/heap pages and heap tuples; they never block. A write by another
 * serializable transaction (W) to something T read-locked, or a read by T of
 * a version W wrote that T's snapshot cannot see, is an rw-conflict T -> W
 * ("T read before W's write"). A cycle in the serialization graph needs two
 * consecutive rw-conflicts T0 -> T1 -> T2 with T2 committing first; when
 * such a structure appears, one transaction is cancelled:
 *
 *   reader -- rw --> pivot -- rw --> writer   (writer committed first)
 *
 * A transaction's states (transition: method):
 *
 *   none --first snapshot at SERIALIZABLE: getSerializableSnapshot--> ACTIVE
 *   ACTIVE --conflict check finds it the pivot: another backend--> ACTIVE+DOOMED
 *   ACTIVE --preCommitCheck (no failure)--> PREPARED
 *   PREPARED --releasePredicateLocks(commit)--> COMMITTED (kept while concurrent ones run)
 *   ACTIVE|DOOMED|PREPARED --releasePredicateLocks(abort)--> freed at once
 *   COMMITTED --clearOldPredicateLocks: no overlapping transaction left--> freed
 *   COMMITTED --pool empty at a registration: summarizeOldestCommittedSxact--> folded into
 *             OldCommittedSxact (locks) and pg_serial (conflict out), record freed
 *   read-only ACTIVE --every concurrent writer finished harmlessly--> RO_SAFE --> none
 *   READ ONLY DEFERRABLE: waits in getSafeSnapshot until RO_SAFE (runs with no SSI) or RO_UNSAFE (new snapshot)
 *
 * Only a backend whose transaction is serializable has a SERIALIZABLEXACT
 * (mySxact != 0); every hook starts with that one test, so other isolation
 * levels pay nothing else. The rules are in README.md ("Serializable
 * snapshot isolation").
 */

import { FirstNormalObjectId, transactionIdFollowsOrEquals, transactionIdPrecedes, type TransactionId } from '../../access/transam/transam.ts';
import { XACT_SERIALIZABLE, type Xact } from '../../access/transam/xact.ts';
import { htupGetXmax, htupGetXmin } from '../../access/common/htup_details.ts';
import { tidBlock, tidOffset, type Tid } from '../../access/common/itemptr.ts';
import { HTSV_Result } from '../../access/heap/heapam_visibility.ts';
import { Assert, PgError, SQLSTATE } from '../../utils/errors.ts';
import { SnapshotType, type SnapshotData } from '../../utils/time/snapmgr.ts';
import type { Shmem } from '../ipc/shmem.ts';
import type { StorageDirectory } from '@tabgres/opfs-storage';
import { LWLockMode, type LWLockOwner } from './lwlock.ts';
import { flagRWConflict, releasePossibleUnsafe, rwConflictExists, serializationFailure, setPossibleUnsafeConflict } from './predicate_conflict.ts';
import {
  CF_I_NEXT, CF_IN, CF_O_NEXT, CF_OUT, H_ACTIVE_HEAD, H_CONFLICTS_USED, H_FIN_HEAD, H_GLOBAL_XMIN, H_GLOBAL_XMIN_COUNT,
  H_LOCKS_USED, H_LWLOCK_ACQUIRES, H_LWLOCK_CONTENDED, H_SERIAL_HEAD_XID, H_SERIAL_TAIL_XID, H_SUMMARIZED, H_SXACTS_USED, H_TARGETS_USED, H_WRITABLE,
  HF_CAN_PARTIAL_CLEAR, HF_LAST_COMMIT_SEQ, LK_FINISHED_BEFORE, LK_S_NEXT, LK_SXACT, LK_T_NEXT, LK_TARGET,
  NO_PAGE, PredShared, SX_FIN_NEXT, SX_FINISHED_BEFORE, SX_FLAGS,
  SX_IN_HEAD, SX_LOCK_HEAD, SX_NEXT, SX_ON_FIN, SX_OUT_HEAD, SX_PID, SX_TOPXID, SX_UNSAFE_IN_HEAD, SX_UNSAFE_OUT_HEAD,
  SX_VXID_BACKEND, SX_VXID_LXID, SX_XID_NEXT, SX_XMIN, SXACT_FLAG_COMMITTED, SXACT_FLAG_CONFLICT_OUT, SXACT_FLAG_DOOMED,
  SXACT_FLAG_PREPARED, SXACT_FLAG_READ_ONLY, SXACT_FLAG_RO_SAFE, SXACT_FLAG_RO_UNSAFE, SXACT_FLAG_ROLLED_BACK,
  SXACT_FLAG_SUMMARY_CONFLICT_IN, SXACT_FLAG_SUMMARY_CONFLICT_OUT, SXF_COMMIT_SEQ, SXF_EARLIEST_OUT_CONFLICT_COMMIT,
  SXF_LAST_COMMIT_BEFORE_SNAPSHOT, SXF_PREPARE_SEQ, TG_DB, TG_LOCK_HEAD, TG_OFF, TG_PAGE, TG_REL,
} from './predicate_internals.ts';
import {
  addToFinished, clearOldPredicateLocks, createPredXact, findSxactByXid, FirstNormalSerCommitSeqNo, registerSxactXid,
  releaseOneSerializableXact, releasePredXact, setNewSxactGlobalXmin, summarizeOldestCommittedSxact, type PredCtx,
} from './predicate_release.ts';
import { SERIAL_NO_CONFLICT, SerialLog } from './predicate_serial.ts';
import { LocalPredicateLocks } from './predicate_lock.ts';

/** One sleep of a DEFERRABLE transaction waiting for a safe snapshot; it is also woken when its flags change. */
const SAFE_SNAPSHOT_WAIT_MS = 100;

/** No commit sequence number yet (InvalidSerCommitSeqNo). */
const InvalidSerCommitSeqNo = 0;


/** What the manager needs from the rest of the backend. */
export interface PredicateLockDeps {
  shmem: Shmem;
  lw: LWLockOwner;
  pid: number;
  /** MyDatabaseId: part of every lock tag. */
  databaseOid: number;
  xact: Xact;
  /** The data directory: pg_serial's segment files (predicate_serial.ts). */
  dir: StorageDirectory;
  /** MyProc's virtual transaction id (backend id, local transaction id), shown in pg_locks. */
  virtualTransactionId(): { backendId: number; lxid: number };
  /** SubTransGetTopmostTransaction, stopping at TransactionXmin. */
  getTopmostTransaction(xid: TransactionId, stopBefore: TransactionId): TransactionId;
  /** ReadNextTransactionId: finishedBefore of an ending transaction. */
  readNextTransactionId(): TransactionId;
  /** TransactionXmin: the xmin of the transaction's snapshot as the proc array has it. */
  transactionXmin(): TransactionId;
  /** CHECK_FOR_INTERRUPTS while a DEFERRABLE transaction waits for a safe snapshot (cancel, terminate). */
  interrupts?: () => void;
  /** HeapTupleSatisfiesVacuum against TransactionXmin (heapam_visibility.ts). */
  satisfiesVacuum(page: Uint8Array, at: number, oldestXmin: TransactionId, buffer: number): HTSV_Result;
}

/** The SIREAD-taking side of one scan (a serializable transaction reading a user relation), or null. */
export interface SerializableReadScan {
  /** PredicateLockPage on a B-tree leaf (or a heap page an index-only scan skipped). */
  lockPage(relOid: number, blkno: number): void;
  /** PredicateLockRelation (an empty index). */
  lockRelation(relOid: number): void;
  /** PredicateLockTID: a heap tuple read through an index, unless this transaction wrote it. */
  lockTuple(relOid: number, tid: Tid, tupleXmin: TransactionId): void;
  /** HeapCheckForSerializableConflictOut for one examined tuple version (page share-locked). */
  conflictOut(visible: boolean, page: Uint8Array, at: number, buffer: number): void;
}

/** One SIREAD lock as pg_locks shows it (mode SIReadLock, granted, not fast-path). */
export interface SireadLockRow {
  locktype: 'relation' | 'page' | 'tuple';
  database: number;
  relation: number;
  page: number | null;
  tuple: number | null;
  virtualtransaction: string;
  /** null for the summarized transactions' dummy. */
  pid: number | null;
}

/**
 * One backend's side of SSI: its SERIALIZABLEXACT (mySxact), its local
 * table of held locks (for promotion to coarser ones), and the hooks the
 * heap, the B-tree and the transaction system call.
 */
export class PredicateLockManager implements SerializableReadScan {
  private readonly s: PredShared;
  private readonly lw: LWLockOwner;
  private readonly deps: PredicateLockDeps;
  /** pg_serial, where summarized transactions' conflict-out information lives. */
  private readonly serial: SerialLog;
  /** The shared structures the release and summarization steps take. */
  private readonly ctx: PredCtx;
  /** MySerializableXact: 1-based record index, 0 when the transaction is not serializable (or became RO-safe). */
  private mySxact = 0;
  /** MyXactDidWrite. */
  private didWrite = false;
  /** LocalPredicateLockHash and lock acquisition (predicate_lock.ts). */
  private readonly local: LocalPredicateLocks;
  /** The transaction snapshot's xmin, xmax and running XIDs (XidIsConcurrent). */
  private snapXmin = 0;
  private snapXmax = 0;
  private snapXip = new Set<number>();
  /** transaction_deferrable of the current transaction (GetSafeSnapshot): the SQL session (tcop/postgres.ts) reads its setting. */
  transactionDeferrable: () => boolean = () => false;

  constructor(deps: PredicateLockDeps) {
    this.deps = deps;
    this.lw = deps.lw;
    this.s = new PredShared(deps.shmem);
    this.serial = new SerialLog(deps.shmem, deps.lw, deps.dir, this.s);
    this.ctx = { s: this.s, serial: this.serial };
    this.local = new LocalPredicateLocks(this.s, deps.databaseOid, () => this.lock(), () => this.unlock());
  }

  /** Is this backend's transaction running under SSI right now (MySerializableXact != Invalid)? */
  get isActive(): boolean {
    return this.mySxact !== 0;
  }

  /** max_pred_locks_per_transaction the segment was made with. */
  get maxPredLocksPerTransaction(): number {
    return this.s.maxPredLocksPerTransaction;
  }

  private lock(): void {
    const s = this.s;
    let contended = false;
    if (!this.lw.conditionalAcquire(s.lockWord, LWLockMode.Exclusive)) {
      this.lw.acquire(s.lockWord, LWLockMode.Exclusive);
      contended = true;
    }
    // Contention statistics (predicateLockStatsOf), counted under the lock: no extra atomic operation.
    s.hset(H_LWLOCK_ACQUIRES, (s.hget(H_LWLOCK_ACQUIRES) + 1) | 0);
    if (contended) s.hset(H_LWLOCK_CONTENDED, (s.hget(H_LWLOCK_CONTENDED) + 1) | 0);
  }

  private unlock(): void {
    this.lw.release(this.s.lockWord);
  }

  /* ================================================================ snapshot */

  /**
   * GetSerializableTransactionSnapshot: the transaction's first snapshot.
   * At SERIALIZABLE it is taken under the lock, with a SERIALIZABLEXACT
   * registered at the same moment, so lastCommitBeforeSnapshot says
   * exactly which serializable transactions the snapshot sees as
   * committed. `take` is the snapshot manager's GetSnapshotData.
   */
  getSerializableSnapshot(take: () => SnapshotData): SnapshotData {
    const xact = this.deps.xact;
    if (xact.xactIsoLevel !== XACT_SERIALIZABLE) return take();
    Assert(this.mySxact === 0, 'a serializable transaction already has a SERIALIZABLEXACT');
    const readOnly = xact.xactReadOnly;
    if (readOnly && this.transactionDeferrable()) return this.getSafeSnapshot(take);
    return this.registerSerializable(take, readOnly);
  }

  /**
   * GetSafeSnapshot (SERIALIZABLE READ ONLY DEFERRABLE): a snapshot no
   * concurrent read-write transaction can make part of an anomaly. Takes a
   * read-only snapshot and waits until every read-write serializable
   * transaction running then has finished: if none of them committed with
   * a conflict out to a transaction that committed before the snapshot
   * (RO_SAFE), the snapshot is safe and the transaction runs without any
   * SSI bookkeeping; otherwise (RO_UNSAFE) it tries again with a new one.
   * Each wait is a bounded sleep on the flags word, with interrupts checked.
   */
  private getSafeSnapshot(take: () => SnapshotData): SnapshotData {
    for (;;) {
      const snap = this.registerSerializable(take, true);
      const me = this.mySxact;
      if (me === 0) return snap; // no read-write serializable transaction running: safe at once
      const w = this.s.w;
      const word = this.s.flagsIndex(me);
      for (;;) {
        const fl = Atomics.load(w, word);
        if ((fl & (SXACT_FLAG_RO_SAFE | SXACT_FLAG_RO_UNSAFE)) !== 0) break;
        this.deps.interrupts?.();
        Atomics.wait(w, word, fl, SAFE_SNAPSHOT_WAIT_MS);
      }
      const unsafe = (this.s.flagsAtomic(me) & SXACT_FLAG_RO_UNSAFE) !== 0;
      this.releasePredicateLocks(false);
      if (!unsafe) return snap;
    }
  }

  /** GetSerializableTransactionSnapshotInt: the snapshot and a SERIALIZABLEXACT for it, under the lock. */
  private registerSerializable(take: () => SnapshotData, readOnly: boolean): SnapshotData {
    const s = this.s;
    let snap: SnapshotData;
    this.lock();
    try {
      // The pool is empty: fold the oldest committed transaction into the summary (pg_serial) and retry.
      let sx = createPredXact(s);
      while (sx === 0) {
        if (!summarizeOldestCommittedSxact(this.ctx)) {
          throw new PgError(SQLSTATE.out_of_memory, 'out of shared memory', {
            hint: 'You might need to increase max_connections.',
            detail: 'Every SERIALIZABLEXACT is in use by a running serializable transaction.',
          });
        }
        sx = createPredXact(s);
      }
      try {
        snap = take();
      } catch (e) {
        releasePredXact(s, sx);
        throw e;
      }
      // createPredXact put it on the active list (PredXact->activeList: every SERIALIZABLEXACT not free).
      for (const f of [SX_TOPXID, SX_FINISHED_BEFORE, SX_FIN_NEXT, SX_OUT_HEAD, SX_IN_HEAD, SX_UNSAFE_OUT_HEAD, SX_UNSAFE_IN_HEAD, SX_LOCK_HEAD, SX_XID_NEXT, SX_ON_FIN]) {
        s.sset(sx, f, 0);
      }
      s.sset(sx, SX_FLAGS, readOnly ? SXACT_FLAG_READ_ONLY : 0);
      s.sset(sx, SX_PID, this.deps.pid);
      s.sset(sx, SX_XMIN, snap.xmin);
      const vxid = this.deps.virtualTransactionId();
      s.sset(sx, SX_VXID_BACKEND, vxid.backendId);
      s.sset(sx, SX_VXID_LXID, vxid.lxid);
      s.sfset(sx, SXF_COMMIT_SEQ, InvalidSerCommitSeqNo);
      s.sfset(sx, SXF_PREPARE_SEQ, InvalidSerCommitSeqNo);
      s.sfset(sx, SXF_EARLIEST_OUT_CONFLICT_COMMIT, InvalidSerCommitSeqNo);
      s.sfset(sx, SXF_LAST_COMMIT_BEFORE_SNAPSHOT, s.hfget(HF_LAST_COMMIT_SEQ));
      if (readOnly) {
        // A read-only transaction can only be hurt by read-write ones running now.
        try {
          for (let o = s.hget(H_ACTIVE_HEAD); o !== 0; o = s.sget(o, SX_NEXT)) {
            if (o === sx) continue;
            const fl = s.flags(o);
            if ((fl & (SXACT_FLAG_COMMITTED | SXACT_FLAG_DOOMED | SXACT_FLAG_READ_ONLY | SXACT_FLAG_ROLLED_BACK)) === 0) {
              setPossibleUnsafeConflict(s, sx, o);
            }
          }
        } catch (e) {
          releasePossibleUnsafe(s, sx);
          releasePredXact(s, sx);
          throw e;
        }
        if (s.sget(sx, SX_UNSAFE_IN_HEAD) === 0) {
          // Safe from the start: no SSI bookkeeping at all (PostgreSQL's RO-safe snapshot).
          releasePredXact(s, sx);
          return snap;
        }
      } else {
        s.hset(H_WRITABLE, s.hget(H_WRITABLE) + 1);
      }
      const gx = s.hget(H_GLOBAL_XMIN);
      if (gx === 0) {
        s.hset(H_GLOBAL_XMIN, snap.xmin);
        s.hset(H_GLOBAL_XMIN_COUNT, 1);
        this.serial.setActiveSerXmin(snap.xmin);
      } else if (gx === snap.xmin) {
        s.hset(H_GLOBAL_XMIN_COUNT, s.hget(H_GLOBAL_XMIN_COUNT) + 1);
      } else {
        Assert(transactionIdFollowsOrEquals(snap.xmin, gx), 'a new snapshot xmin precedes SxactGlobalXmin');
      }
      this.mySxact = sx;
    } finally {
      this.unlock();
    }
    this.didWrite = false;
    this.local.clear();
    this.snapXmin = snap.xmin;
    this.snapXmax = snap.xmax;
    this.snapXip = new Set(snap.xip.subarray(0, snap.xcnt));
    return snap;
  }

  /** RegisterPredicateLockingXid: the top-level XID now names this SERIALIZABLEXACT. */
  registerXid(xid: TransactionId, isSubXact: boolean): void {
    if (this.mySxact === 0 || isSubXact) return;
    const s = this.s;
    this.lock();
    try {
      registerSxactXid(s, this.mySxact, xid);
    } finally {
      this.unlock();
    }
  }

  /* ================================================================ reads */

  /**
   * SerializationNeededForRead: this backend is serializable, the snapshot
   * is an MVCC one, and the relation is a user relation (catalogs are read
   * under catalog snapshots and locks, as PostgreSQL skips them too).
   * Returns the scan side to call, or null: the one test other isolation
   * levels pay.
   */
  forRead(relOid: number, snapshot: unknown): SerializableReadScan | null {
    if (this.mySxact === 0) return null;
    if ((snapshot as SnapshotData).snapshotType !== SnapshotType.MVCC) return null;
    if ((this.s.flagsAtomic(this.mySxact) & SXACT_FLAG_RO_SAFE) !== 0) {
      // Every writer that could make us part of a cycle finished harmlessly: drop SSI for the rest of the transaction.
      this.releasePredicateLocks(false);
      return null;
    }
    if (relOid < FirstNormalObjectId) return null;
    return this;
  }

  /** PredicateLockRelation: a sequential scan reads every row, present and future. */
  lockRelation(relOid: number): void {
    if (this.mySxact === 0) return;
    this.local.acquire(this.mySxact, { rel: relOid, page: NO_PAGE, off: 0 });
  }

  /** PredicateLockPage: a B-tree leaf's key range, or a heap page. */
  lockPage(relOid: number, blkno: number): void {
    if (this.mySxact === 0) return;
    this.local.acquire(this.mySxact, { rel: relOid, page: blkno, off: 0 });
  }

  /** PredicateLockTID: one heap tuple; none for a version this transaction wrote (its write covers it). */
  lockTuple(relOid: number, tid: Tid, tupleXmin: TransactionId): void {
    if (this.mySxact === 0) return;
    if (tupleXmin !== 0 && this.deps.xact.isCurrentTransactionId(tupleXmin)) return;
    if (this.local.holds({ rel: relOid, page: NO_PAGE, off: 0 })) return;
    this.local.acquire(this.mySxact, { rel: relOid, page: tidBlock(tid), off: tidOffset(tid) });
  }

  /**
   * PredicateLockPageSplit: a B-tree page split moved keys to `newBlkno`;
   * whoever had a SIREAD lock on the old page's range gets one on the new
   * page too (every transaction's, not only mine).
   */
  pageSplit(relOid: number, oldBlkno: number, newBlkno: number): void {
    this.copyPageLocks(relOid, oldBlkno, newBlkno, false);
  }

  /** PredicateLockPageCombine: a deleted B-tree page's locks move to the page that took over its range. */
  pageCombine(relOid: number, oldBlkno: number, newBlkno: number): void {
    this.copyPageLocks(relOid, oldBlkno, newBlkno, true);
  }

  private copyPageLocks(relOid: number, oldBlkno: number, newBlkno: number, removeOld: boolean): void {
    const s = this.s;
    // No serializable transaction has ever locked anything: nothing to copy (the common case, one read).
    if (s.hget(H_LOCKS_USED) === 0) return;
    const owners: number[] = [];
    this.lock();
    try {
      const old = this.s.findTarget(this.deps.databaseOid, relOid, oldBlkno, 0);
      if (old === 0) return;
      const oldLocks: number[] = [];
      for (let lk = s.tget(old, TG_LOCK_HEAD); lk !== 0; lk = s.lget(lk, LK_T_NEXT)) oldLocks.push(lk);
      for (const lk of oldLocks) {
        const sx = s.lget(lk, LK_SXACT);
        owners.push(sx);
        const copy = s.addLock(sx, this.deps.databaseOid, relOid, newBlkno, 0);
        // The summarized readers' lock keeps what says whom it stands for.
        if (sx === s.oldCommitted) s.noteFolded(copy, s.lfget(lk), s.lget(lk, LK_FINISHED_BEFORE));
      }
      if (removeOld) {
        while (s.tget(old, TG_LOCK_HEAD) !== 0) this.s.freeLock(s.tget(old, TG_LOCK_HEAD));
      }
    } finally {
      this.unlock();
    }
    // My own local table learns of the new page lock (its parent count is not raised: a page split is no new read).
    if (this.mySxact !== 0 && owners.includes(this.mySxact)) {
      this.local.pageLockMoved(relOid, oldBlkno, newBlkno, removeOld);
    }
  }

  /**
   * TransferPredicateLocksToHeapRelation: `relOid` (an index being
   * dropped) loses its page locks; each holder gets a relation lock on
   * `heapOid` instead, so a later insert anywhere in the table still meets
   * the range it read. Scans the whole target pool: DDL is rare.
   */
  transferToHeapRelation(relOid: number, heapOid: number): void {
    const s = this.s;
    if (s.hget(H_LOCKS_USED) === 0) return;
    const db = this.deps.databaseOid;
    this.lock();
    try {
      const holders = new Set<number>();
      let dummySeq = 0;
      let dummyFinishedBefore = 0;
      for (let tg = 1; tg <= s.nTarget; tg++) {
        if (s.tget(tg, TG_LOCK_HEAD) === 0 || s.tget(tg, TG_DB) !== db || s.tget(tg, TG_REL) !== relOid) continue;
        while (s.tget(tg, TG_LOCK_HEAD) !== 0) {
          const lk = s.tget(tg, TG_LOCK_HEAD);
          const sx = s.lget(lk, LK_SXACT);
          holders.add(sx);
          if (sx === s.oldCommitted) {
            dummySeq = Math.max(dummySeq, s.lfget(lk));
            const fb = s.lget(lk, LK_FINISHED_BEFORE);
            if (dummyFinishedBefore === 0 || (fb !== 0 && transactionIdPrecedes(dummyFinishedBefore, fb))) dummyFinishedBefore = fb;
          }
          s.freeLock(lk);
        }
      }
      for (const sx of holders) {
        const lk = s.addLock(sx, db, heapOid, NO_PAGE, 0);
        if (sx === s.oldCommitted) s.noteFolded(lk, dummySeq, dummyFinishedBefore);
      }
    } finally {
      this.unlock();
    }
    if (this.mySxact !== 0) {
      this.local.forgetRelation(relOid);
    }
  }

  /**
   * CheckTableForSerializableConflictIn: DROP TABLE writes every row at
   * once: whoever holds any SIREAD lock on the table read before it.
   */
  checkTableForSerializableConflictIn(relOid: number): void {
    if (this.mySxact === 0 || relOid < FirstNormalObjectId) return;
    this.checkDoomed('Canceled on identification as a pivot, during conflict in checking.');
    this.didWrite = true;
    const s = this.s;
    if (s.hget(H_LOCKS_USED) === 0) return;
    const db = this.deps.databaseOid;
    this.lock();
    try {
      for (let tg = 1; tg <= s.nTarget; tg++) {
        if (s.tget(tg, TG_LOCK_HEAD) === 0 || s.tget(tg, TG_DB) !== db || s.tget(tg, TG_REL) !== relOid) continue;
        this.checkTargetIn(relOid, s.tget(tg, TG_PAGE), s.tget(tg, TG_OFF));
      }
    } finally {
      this.unlock();
    }
  }

  /* ================================================================ conflicts out (a read meets a concurrent write) */

  /**
   * HeapCheckForSerializableConflictOut: the tuple version at `at` was
   * examined by a read (visible or not); if a concurrent serializable
   * transaction wrote it in a way this snapshot cannot see (an insert not
   * visible, or a delete/update of a visible version), that is an
   * rw-conflict from me to it.
   */
  conflictOut(visible: boolean, page: Uint8Array, at: number, buffer: number): void {
    if (this.mySxact === 0) return;
    this.checkDoomed('Canceled on identification as a pivot, during conflict out checking.');
    const txmin = this.deps.transactionXmin();
    let xid: TransactionId;
    switch (this.deps.satisfiesVacuum(page, at, txmin, buffer)) {
      case HTSV_Result.HEAPTUPLE_LIVE:
        if (visible) return;
        xid = htupGetXmin(page, at);
        break;
      case HTSV_Result.HEAPTUPLE_RECENTLY_DEAD:
      case HTSV_Result.HEAPTUPLE_DELETE_IN_PROGRESS:
        xid = visible ? htupGetXmax(page, at) : htupGetXmin(page, at);
        if (transactionIdPrecedes(xid, txmin)) return;
        break;
      case HTSV_Result.HEAPTUPLE_INSERT_IN_PROGRESS:
        xid = htupGetXmin(page, at);
        break;
      default:
        return; // dead to everyone
    }
    if (xid === 0) return;
    xid = this.deps.getTopmostTransaction(xid, txmin);
    if (transactionIdPrecedes(xid, txmin)) return;
    if (xid === this.deps.xact.getTopTransactionIdIfAny()) return;
    this.checkForSerializableConflictOut(xid);
  }

  /** CheckForSerializableConflictOut: `xid` (top-level, not mine) wrote what I read without seeing it. */
  checkForSerializableConflictOut(xid: TransactionId): void {
    if (this.mySxact === 0) return;
    this.checkDoomed('Canceled on identification as a pivot, during conflict out checking.');
    const s = this.s;
    const me = this.mySxact;
    this.lock();
    try {
      const sx = findSxactByXid(s, xid);
      if (sx === 0) {
        // Not serializable, finished before every running serializable transaction began, or summarized.
        this.checkSummarizedConflictOut(xid);
        return;
      }
      if (sx === me) return;
      const fl = s.flags(sx);
      if ((fl & SXACT_FLAG_DOOMED) !== 0) return;
      // The writer has a conflict out to a summarized transaction, which committed first at a time we cannot place.
      if ((fl & SXACT_FLAG_SUMMARY_CONFLICT_OUT) !== 0) {
        if ((fl & SXACT_FLAG_PREPARED) === 0) {
          s.orFlags(sx, SXACT_FLAG_DOOMED);
          return;
        }
        throw serializationFailure('Canceled on conflict out to old pivot.');
      }
      // A read-only transaction that sees the writer's commit order as its own: it appears to run first.
      if (
        (s.flags(me) & SXACT_FLAG_READ_ONLY) !== 0 &&
        (fl & SXACT_FLAG_COMMITTED) !== 0 &&
        ((fl & SXACT_FLAG_CONFLICT_OUT) === 0 || s.sfget(me, SXF_LAST_COMMIT_BEFORE_SNAPSHOT) < s.sfget(sx, SXF_EARLIEST_OUT_CONFLICT_COMMIT))
      ) {
        return;
      }
      if (!this.xidIsConcurrent(xid)) return;
      if (rwConflictExists(s, me, sx)) return;
      flagRWConflict(s, me, sx, me);
    } finally {
      this.unlock();
    }
  }

  /**
   * The summarized half of CheckForSerializableConflictOut (lock held):
   * `xid` is in pg_serial when it was a read-write serializable
   * transaction folded away while I ran. My read of its write is an
   * rw-conflict me -> it, with it committed first: fail if it had itself a
   * conflict out to an earlier commit (it was a pivot), or if I already
   * have a conflict in (I am the pivot); otherwise remember the edge as
   * SUMMARY_CONFLICT_OUT.
   */
  private checkSummarizedConflictOut(xid: TransactionId): void {
    const s = this.s;
    const me = this.mySxact;
    const seq = this.serial.getMinConflictCommitSeqNo(xid);
    if (seq === 0) return;
    // A write my snapshot sees is no rw-conflict (PostgreSQL does not test this for summarized writers: see README).
    if (!this.xidIsConcurrent(xid)) return;
    const mf = s.flags(me);
    if (seq !== SERIAL_NO_CONFLICT && ((mf & SXACT_FLAG_READ_ONLY) === 0 || seq <= s.sfget(me, SXF_LAST_COMMIT_BEFORE_SNAPSHOT))) {
      throw serializationFailure(`Canceled on conflict out to old pivot ${xid}.`);
    }
    if ((mf & SXACT_FLAG_SUMMARY_CONFLICT_IN) !== 0 || s.sget(me, SX_IN_HEAD) !== 0) {
      throw serializationFailure(`Canceled on identification as a pivot, with conflict out to old committed transaction ${xid}.`);
    }
    s.orFlags(me, SXACT_FLAG_SUMMARY_CONFLICT_OUT);
  }

  /** XidIsConcurrent: my snapshot sees `xid` as running. */
  private xidIsConcurrent(xid: TransactionId): boolean {
    if (transactionIdPrecedes(xid, this.snapXmin)) return false;
    if (transactionIdFollowsOrEquals(xid, this.snapXmax)) return true;
    return this.snapXip.has(xid);
  }

  /* ================================================================ conflicts in (a write meets earlier reads) */

  /**
   * CheckForSerializableConflictIn: this serializable transaction writes
   * `relOid` (and the tuple `tid` / page `blkno` when given); every other
   * serializable transaction holding a SIREAD lock there read before this
   * write: an rw-conflict from it to me. Called with the page
   * exclusive-locked, so no reader slips between the check and the write.
   */
  checkForSerializableConflictIn(relOid: number, tid: Tid | null, blkno: number | null): void {
    if (this.mySxact === 0 || relOid < FirstNormalObjectId) return;
    this.checkDoomed('Canceled on identification as a pivot, during conflict in checking.');
    this.didWrite = true;
    // No SIREAD lock anywhere: nothing to find (one read, no lock).
    if (this.s.hget(H_LOCKS_USED) === 0) return;
    let droppedOwn = false;
    this.lock();
    try {
      if (tid !== null) droppedOwn = this.checkTargetIn(relOid, tidBlock(tid), tidOffset(tid), true);
      if (blkno !== null && blkno >= 0) this.checkTargetIn(relOid, blkno, 0);
      this.checkTargetIn(relOid, NO_PAGE, 0);
    } finally {
      this.unlock();
    }
    if (droppedOwn && tid !== null) {
      this.local.forget({ rel: relOid, page: tidBlock(tid), off: tidOffset(tid) });
    }
  }

  /**
   * CheckTargetForConflictsIn (lock held). Writing a tuple I hold a SIREAD
   * lock on makes that lock useless (my write covers it), so it goes, as in
   * PostgreSQL, except inside a subtransaction (which could roll the write
   * back); returns whether it did. DROP TABLE's check (no tuple written)
   * keeps them.
   */
  private checkTargetIn(rel: number, page: number, off: number, dropOwnTupleLock = false): boolean {
    const s = this.s;
    const tg = s.findTarget(this.deps.databaseOid, rel, page, off);
    if (tg === 0) return false;
    let mine = 0;
    const me = this.mySxact;
    const myXmin = s.sget(me, SX_XMIN);
    let lk = s.tget(tg, TG_LOCK_HEAD);
    while (lk !== 0) {
      const next = s.lget(lk, LK_T_NEXT);
      const sx = s.lget(lk, LK_SXACT);
      if (sx === s.oldCommitted) {
        // Summarized readers: one of them overlapped me if the latest to finish did (README: PostgreSQL never flags these).
        if (transactionIdPrecedes(myXmin, s.lget(lk, LK_FINISHED_BEFORE))) flagRWConflict(s, sx, me, me);
      } else if (sx === me) {
        if (dropOwnTupleLock && off !== 0 && !this.deps.xact.isSubTransaction()) mine = lk;
      } else {
        const fl = s.flags(sx);
        if (
          (fl & SXACT_FLAG_DOOMED) === 0 &&
          ((fl & SXACT_FLAG_COMMITTED) === 0 || transactionIdPrecedes(myXmin, s.sget(sx, SX_FINISHED_BEFORE))) &&
          !rwConflictExists(s, sx, me)
        ) {
          flagRWConflict(s, sx, me, me);
        }
      }
      lk = next;
    }
    if (mine === 0) return false;
    s.freeLock(mine);
    return true;
  }

  private checkDoomed(reason: string): void {
    const me = this.mySxact;
    if ((this.s.flagsAtomic(me) & SXACT_FLAG_DOOMED) !== 0) throw serializationFailure(reason);
  }

  /* ================================================================ commit and release */

  /**
   * PreCommit_CheckForSerializationFailure: the last point where this
   * transaction can still fail. Doomed by another: fail. Otherwise doom any
   * pivot that has me as its out-conflict while its own in-conflict is
   * still running (or is me), then mark myself prepared.
   */
  preCommitCheck(): void {
    const me = this.mySxact;
    if (me === 0) return;
    const s = this.s;
    this.lock();
    try {
      if ((s.flags(me) & SXACT_FLAG_DOOMED) !== 0) throw serializationFailure('Canceled on identification as a pivot, during commit attempt.');
      for (let near = s.sget(me, SX_IN_HEAD); near !== 0; near = s.cget(near, CF_I_NEXT)) {
        const pivot = s.cget(near, CF_OUT);
        const pf = s.flags(pivot);
        if ((pf & (SXACT_FLAG_COMMITTED | SXACT_FLAG_DOOMED)) !== 0) continue;
        for (let far = s.sget(pivot, SX_IN_HEAD); far !== 0; far = s.cget(far, CF_I_NEXT)) {
          const t0 = s.cget(far, CF_OUT);
          const t0f = s.flags(t0);
          if (t0 === me || (t0f & (SXACT_FLAG_COMMITTED | SXACT_FLAG_READ_ONLY | SXACT_FLAG_DOOMED)) === 0) {
            if ((pf & SXACT_FLAG_PREPARED) !== 0) {
              throw serializationFailure('Canceled on commit attempt with conflict in from prepared pivot.');
            }
            s.orFlags(pivot, SXACT_FLAG_DOOMED);
            break;
          }
        }
      }
      const seq = s.hfget(HF_LAST_COMMIT_SEQ) + 1;
      s.hfset(HF_LAST_COMMIT_SEQ, seq);
      s.sfset(me, SXF_PREPARE_SEQ, seq);
      s.orFlags(me, SXACT_FLAG_PREPARED);
    } finally {
      this.unlock();
    }
  }

  /**
   * ReleasePredicateLocks: at transaction end (after the proc array let go
   * of the XID). An abort frees everything at once. A commit keeps the
   * SERIALIZABLEXACT, its SIREAD locks and its conflicts for as long as a
   * transaction that overlapped it runs; the oldest one to finish clears
   * what nobody can need any more (clearOldPredicateLocks).
   */
  releasePredicateLocks(isCommit: boolean): void {
    const me = this.mySxact;
    if (me === 0) return;
    const s = this.s;
    let needToClear = false;
    this.lock();
    try {
      // Declared READ ONLY at the top level (checked before a commit without writes adds the flag).
      const declaredReadOnly = (s.flags(me) & SXACT_FLAG_READ_ONLY) !== 0;
      s.sset(me, SX_FINISHED_BEFORE, this.deps.readNextTransactionId());
      if (isCommit) {
        s.orFlags(me, SXACT_FLAG_COMMITTED);
        const seq = s.hfget(HF_LAST_COMMIT_SEQ) + 1;
        s.hfset(HF_LAST_COMMIT_SEQ, seq);
        s.sfset(me, SXF_COMMIT_SEQ, seq);
        // A transaction that wrote nothing counts as read-only from here on (the RO optimizations apply).
        if (!this.didWrite) s.orFlags(me, SXACT_FLAG_READ_ONLY);
      } else {
        s.orFlags(me, SXACT_FLAG_DOOMED | SXACT_FLAG_ROLLED_BACK);
        s.clearFlags(me, SXACT_FLAG_PREPARED);
      }
      if (!declaredReadOnly) {
        const w = s.hget(H_WRITABLE) - 1;
        Assert(w >= 0, 'WritableSxactCount below zero');
        s.hset(H_WRITABLE, w);
        // No read-write serializable transaction left: committed ones' locks and in-conflicts cannot matter any more.
        if (w === 0) s.hfset(HF_CAN_PARTIAL_CLEAR, s.hfget(HF_LAST_COMMIT_SEQ));
      } else {
        releasePossibleUnsafe(s, me);
      }
      const lastSeq = s.hfget(HF_LAST_COMMIT_SEQ);
      const meReadOnly = (s.flags(me) & SXACT_FLAG_READ_ONLY) !== 0;
      // A conflict out to a summarized transaction: which one, and when it committed, is lost; assume the earliest.
      if (isCommit && !meReadOnly && (s.flags(me) & SXACT_FLAG_SUMMARY_CONFLICT_OUT) !== 0) {
        s.sfset(me, SXF_EARLIEST_OUT_CONFLICT_COMMIT, FirstNormalSerCommitSeqNo);
        s.orFlags(me, SXACT_FLAG_CONFLICT_OUT);
      }
      // Out-conflicts: remember the earliest committed one (CONFLICT_OUT), release those that cannot matter.
      for (let c = s.sget(me, SX_OUT_HEAD); c !== 0;) {
        const next = s.cget(c, CF_O_NEXT);
        const inn = s.cget(c, CF_IN);
        const innCommitted = (s.flags(inn) & SXACT_FLAG_COMMITTED) !== 0;
        if (isCommit && !meReadOnly && innCommitted) {
          const prep = s.sfget(inn, SXF_PREPARE_SEQ);
          if ((s.flags(me) & SXACT_FLAG_CONFLICT_OUT) === 0 || prep < s.sfget(me, SXF_EARLIEST_OUT_CONFLICT_COMMIT)) {
            s.sfset(me, SXF_EARLIEST_OUT_CONFLICT_COMMIT, prep);
          }
          s.orFlags(me, SXACT_FLAG_CONFLICT_OUT);
        }
        if (!isCommit || innCommitted || s.sfget(inn, SXF_LAST_COMMIT_BEFORE_SNAPSHOT) >= lastSeq) this.s.releaseConflict(c, false);
        c = next;
      }
      // In-conflicts from committed and read-only transactions cannot complete a dangerous structure any more.
      for (let c = s.sget(me, SX_IN_HEAD); c !== 0;) {
        const next = s.cget(c, CF_I_NEXT);
        const out = s.cget(c, CF_OUT);
        if (!isCommit || (s.flags(out) & (SXACT_FLAG_COMMITTED | SXACT_FLAG_READ_ONLY)) !== 0) this.s.releaseConflict(c, false);
        c = next;
      }
      if (!declaredReadOnly) {
        // Concurrent read-only transactions: I made them unsafe, or I am one fewer reason for worry.
        for (let c = s.sget(me, SX_UNSAFE_OUT_HEAD); c !== 0;) {
          const next = s.cget(c, CF_O_NEXT);
          const ro = s.cget(c, CF_IN);
          if (
            isCommit && this.didWrite && (s.flags(me) & SXACT_FLAG_CONFLICT_OUT) !== 0 &&
            s.sfget(me, SXF_EARLIEST_OUT_CONFLICT_COMMIT) <= s.sfget(ro, SXF_LAST_COMMIT_BEFORE_SNAPSHOT)
          ) {
            // FlagSxactUnsafe: it must keep full SSI bookkeeping to the end.
            releasePossibleUnsafe(s, ro);
            s.orFlags(ro, SXACT_FLAG_RO_UNSAFE);
            Atomics.notify(s.w, s.flagsIndex(ro)); // a DEFERRABLE transaction may be waiting for this
          } else {
            this.s.releaseConflict(c, true);
            if (s.sget(ro, SX_UNSAFE_IN_HEAD) === 0) {
              s.orFlags(ro, SXACT_FLAG_RO_SAFE);
              Atomics.notify(s.w, s.flagsIndex(ro));
            }
          }
          c = next;
        }
      }
      if (s.sget(me, SX_XMIN) === s.hget(H_GLOBAL_XMIN)) {
        const n = s.hget(H_GLOBAL_XMIN_COUNT) - 1;
        s.hset(H_GLOBAL_XMIN_COUNT, n);
        if (n <= 0) {
          setNewSxactGlobalXmin(this.ctx);
          needToClear = true;
        }
      }
      if (isCommit) {
        addToFinished(s, me);
      } else {
        releaseOneSerializableXact(this.ctx, me, false, false);
      }
      if (needToClear) clearOldPredicateLocks(this.ctx);
    } finally {
      this.unlock();
      this.mySxact = 0;
      this.didWrite = false;
      this.local.clear();
      this.snapXip = new Set();
    }
  }

  /* ================================================================ inspection */

  /** Pool use, for tests and the playground: records in use of each pool. */
  usage(): { sxacts: number; targets: number; locks: number; conflicts: number; finished: number } {
    const s = this.s;
    this.lock();
    try {
      let finished = 0;
      for (let sx = s.hget(H_FIN_HEAD); sx !== 0 && finished <= s.nSxact; sx = s.sget(sx, SX_FIN_NEXT)) finished++;
      return {
        sxacts: s.hget(H_SXACTS_USED),
        targets: s.hget(H_TARGETS_USED),
        locks: s.hget(H_LOCKS_USED),
        conflicts: s.hget(H_CONFLICTS_USED),
        finished,
      };
    } finally {
      this.unlock();
    }
  }

  /** Summarization so far, for tests and the playground: transactions summarized, the dummy's SIREAD locks, pg_serial's range. */
  summaryUsage(): { summarized: number; oldCommittedLocks: number; serialTailXid: number; serialHeadXid: number } {
    const s = this.s;
    this.lock();
    try {
      let n = 0;
      for (let lk = s.sget(s.oldCommitted, SX_LOCK_HEAD); lk !== 0; lk = s.lget(lk, LK_S_NEXT)) n++;
      return { summarized: s.hget(H_SUMMARIZED), oldCommittedLocks: n, serialTailXid: s.hget(H_SERIAL_TAIL_XID), serialHeadXid: s.hget(H_SERIAL_HEAD_XID) };
    } finally {
      this.unlock();
    }
  }

  /**
   * GetPredicateLockStatusData: every SIREAD lock in shared memory, of
   * running, committed-and-kept and summarized transactions (the dummy's:
   * pid null, virtual transaction -1/0), as pg_locks shows them. Ordered
   * by holder (most recently registered first), then by lock.
   */
  sireadLocks(): SireadLockRow[] {
    const s = this.s;
    const out: SireadLockRow[] = [];
    const emit = (sx: number): void => {
      for (let lk = s.sget(sx, SX_LOCK_HEAD); lk !== 0; lk = s.lget(lk, LK_S_NEXT)) {
        const tg = s.lget(lk, LK_TARGET);
        const page = s.tget(tg, TG_PAGE);
        const off = s.tget(tg, TG_OFF);
        const pid = s.sget(sx, SX_PID);
        out.push({
          locktype: page === NO_PAGE ? 'relation' : off === 0 ? 'page' : 'tuple',
          database: s.tget(tg, TG_DB),
          relation: s.tget(tg, TG_REL),
          page: page === NO_PAGE ? null : page,
          tuple: off === 0 ? null : off,
          virtualtransaction: `${s.sget(sx, SX_VXID_BACKEND)}/${s.sget(sx, SX_VXID_LXID) >>> 0}`,
          pid: pid === 0 ? null : pid,
        });
      }
    };
    this.lock();
    try {
      for (let sx = s.hget(H_ACTIVE_HEAD); sx !== 0; sx = s.sget(sx, SX_NEXT)) emit(sx);
      emit(s.oldCommitted);
    } finally {
      this.unlock();
    }
    return out;
  }

  /**
   * CheckPointPredicate: pg_serial loses the pages before the oldest XID a
   * running serializable transaction could ask about, and its dirty pages
   * are written (predicate_serial.ts rule 4). Called from the checkpoint.
   */
  checkPointPredicate(): void {
    let cutoff: number | null;
    this.lock();
    try {
      cutoff = this.serial.checkpointCutoff();
    } finally {
      this.unlock();
    }
    if (cutoff !== null) this.serial.truncateAndWrite(cutoff);
  }
}
