/*
 * predicate.ts — serializable snapshot isolation: SIREAD predicate locks,
 * rw-conflicts between serializable transactions, and the dangerous
 * structures that make one of them fail with 40001 (PostgreSQL's
 * storage/lmgr/predicate.c, after its README-SSI and Cahill, Röhm and
 * Fekete, "Serializable isolation for snapshot databases", SIGMOD 2008).
 *
 * Exports: PredicateLockManager (one per backend), PredicateLockDeps,
 * SerializableReadScan; the shared region's sizing is predicate_internals.ts.
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
 *   read-only ACTIVE --every concurrent writer finished harmlessly--> RO_SAFE --> none
 *   READ ONLY DEFERRABLE: waits in getSafeSnapshot until RO_SAFE (runs with no SSI) or RO_UNSAFE (new snapshot)
 *
 * Only a backend whose transaction is serializable has a SERIALIZABLEXACT
 * (mySxact != 0); every hook starts with that one test, so other isolation
 * levels pay nothing else. The rules are in README.md ("Serializable
 * snapshot isolation").
 */

import { FirstNormalObjectId, transactionIdFollowsOrEquals, transactionIdPrecedes, transactionIdPrecedesOrEquals, type TransactionId } from '../../access/transam/transam.ts';
import { XACT_SERIALIZABLE, type Xact } from '../../access/transam/xact.ts';
import { htupGetXmax, htupGetXmin } from '../../access/common/htup_details.ts';
import { tidBlock, tidOffset, type Tid } from '../../access/common/itemptr.ts';
import { HTSV_Result } from '../../access/heap/heapam_visibility.ts';
import { Assert, PgError, SQLSTATE } from '../../utils/errors.ts';
import { SnapshotType, type SnapshotData } from '../../utils/time/snapmgr.ts';
import type { Shmem } from '../ipc/shmem.ts';
import { LWLockMode, type LWLockOwner } from './lwlock.ts';
import {
  CF_I_NEXT, CF_IN, CF_O_NEXT, CF_OUT, H_ACTIVE_HEAD, H_CONFLICTS_USED, H_FIN_HEAD, H_FIN_TAIL, H_GLOBAL_XMIN,
  H_GLOBAL_XMIN_COUNT, H_LOCKS_USED, H_SXACT_FREE, H_SXACTS_USED, H_TARGETS_USED, H_WRITABLE, HF_CAN_PARTIAL_CLEAR,
  HF_HAVE_PARTIAL_CLEARED, HF_LAST_COMMIT_SEQ, LK_S_NEXT, LK_SXACT, LK_T_NEXT, LK_TARGET, MAX_PRED_LOCKS_PER_PAGE,
  MAX_PRED_LOCKS_PER_RELATION, NO_PAGE, PredShared, SX_FIN_NEXT, SX_FINISHED_BEFORE, SX_FLAGS, SX_IN_HEAD,
  SX_LOCK_HEAD, SX_NEXT, SX_ON_FIN, SX_OUT_HEAD, SX_PID, SX_PREV, SX_TOPXID, SX_UNSAFE_IN_HEAD, SX_UNSAFE_OUT_HEAD,
  SX_XID_NEXT, SX_XMIN, SXACT_FLAG_COMMITTED, SXACT_FLAG_CONFLICT_OUT, SXACT_FLAG_DOOMED, SXACT_FLAG_PREPARED,
  SXACT_FLAG_READ_ONLY, SXACT_FLAG_RO_SAFE, SXACT_FLAG_RO_UNSAFE, SXACT_FLAG_ROLLED_BACK, SXF_COMMIT_SEQ,
  SXF_EARLIEST_OUT_CONFLICT_COMMIT, SXF_LAST_COMMIT_BEFORE_SNAPSHOT, SXF_PREPARE_SEQ, TG_DB, TG_LOCK_HEAD, TG_OFF,
  TG_PAGE, TG_REL,
} from './predicate_internals.ts';

/** One sleep of a DEFERRABLE transaction waiting for a safe snapshot; it is also woken when its flags change. */
const SAFE_SNAPSHOT_WAIT_MS = 100;

/** No commit sequence number yet (InvalidSerCommitSeqNo). */
const InvalidSerCommitSeqNo = 0;

const SERIALIZATION_FAILURE = 'could not serialize access due to read/write dependencies among transactions';
const RETRY_HINT = 'The transaction might succeed if retried.';

function serializationFailure(reason: string): PgError {
  return new PgError(SQLSTATE.serialization_failure, SERIALIZATION_FAILURE, { detail: `Reason code: ${reason}`, hint: RETRY_HINT });
}

/** What the manager needs from the rest of the backend. */
export interface PredicateLockDeps {
  shmem: Shmem;
  lw: LWLockOwner;
  pid: number;
  /** MyDatabaseId: part of every lock tag. */
  databaseOid: number;
  xact: Xact;
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

/** A lock this backend holds or counts children under (LOCALPREDICATELOCK). */
interface LocalLock {
  held: boolean;
  childLocks: number;
}

const enum TagKind {
  Relation = 0,
  Page = 1,
  Tuple = 2,
}

interface Tag {
  rel: number;
  page: number;
  off: number;
}

function tagKind(t: Tag): TagKind {
  return t.page === NO_PAGE ? TagKind.Relation : t.off === 0 ? TagKind.Page : TagKind.Tuple;
}

/** GetParentPredicateLockTag: tuple -> page -> relation -> none. */
function parentTag(t: Tag): Tag | null {
  switch (tagKind(t)) {
    case TagKind.Tuple:
      return { rel: t.rel, page: t.page, off: 0 };
    case TagKind.Page:
      return { rel: t.rel, page: NO_PAGE, off: 0 };
    default:
      return null;
  }
}

/** TargetTagIsCoveredBy: `covering` is a strict ancestor of `covered`. */
function coveredBy(covered: Tag, covering: Tag): boolean {
  if (covered.rel !== covering.rel) return false;
  const kc = tagKind(covering);
  const k = tagKind(covered);
  if (kc === TagKind.Relation) return k !== TagKind.Relation;
  if (kc === TagKind.Page) return k === TagKind.Tuple && covered.page === covering.page;
  return false;
}

function keyOf(t: Tag): string {
  return `${t.rel}/${t.page}/${t.off}`;
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
  /** MySerializableXact: 1-based record index, 0 when the transaction is not serializable (or became RO-safe). */
  private mySxact = 0;
  /** MyXactDidWrite. */
  private didWrite = false;
  /** LocalPredicateLockHash. */
  private readonly local = new Map<string, LocalLock>();
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
    this.lw.acquire(this.s.lockWord, LWLockMode.Exclusive);
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
      const sx = s.hget(H_SXACT_FREE);
      if (sx === 0) {
        throw new PgError(SQLSTATE.out_of_memory, 'out of shared memory', {
          hint: 'You might need to increase max_connections.',
          detail: 'Every SERIALIZABLEXACT is in use by a serializable transaction that is running or must be kept for one that is.',
        });
      }
      snap = take();
      s.hset(H_SXACT_FREE, s.sget(sx, SX_NEXT));
      s.hset(H_SXACTS_USED, s.hget(H_SXACTS_USED) + 1);
      for (let f = 0; f < 16; f++) s.sset(sx, f, 0);
      s.sset(sx, SX_FLAGS, readOnly ? SXACT_FLAG_READ_ONLY : 0);
      s.sset(sx, SX_PID, this.deps.pid);
      s.sset(sx, SX_XMIN, snap.xmin);
      s.sfset(sx, SXF_COMMIT_SEQ, InvalidSerCommitSeqNo);
      s.sfset(sx, SXF_PREPARE_SEQ, InvalidSerCommitSeqNo);
      s.sfset(sx, SXF_EARLIEST_OUT_CONFLICT_COMMIT, InvalidSerCommitSeqNo);
      s.sfset(sx, SXF_LAST_COMMIT_BEFORE_SNAPSHOT, s.hfget(HF_LAST_COMMIT_SEQ));
      // The active list (PredXact->activeList): every SERIALIZABLEXACT not free.
      const head = s.hget(H_ACTIVE_HEAD);
      s.sset(sx, SX_NEXT, head);
      if (head !== 0) s.sset(head, SX_PREV, sx);
      s.hset(H_ACTIVE_HEAD, sx);
      if (readOnly) {
        // A read-only transaction can only be hurt by read-write ones running now.
        try {
          for (let o = s.hget(H_ACTIVE_HEAD); o !== 0; o = s.sget(o, SX_NEXT)) {
            if (o === sx) continue;
            const fl = s.flags(o);
            if ((fl & (SXACT_FLAG_COMMITTED | SXACT_FLAG_DOOMED | SXACT_FLAG_READ_ONLY | SXACT_FLAG_ROLLED_BACK)) === 0) {
              this.setPossibleUnsafeConflict(sx, o);
            }
          }
        } catch (e) {
          this.releasePossibleUnsafe(sx);
          this.unlinkActive(sx);
          throw e;
        }
        if (s.sget(sx, SX_UNSAFE_IN_HEAD) === 0) {
          // Safe from the start: no SSI bookkeeping at all (PostgreSQL's RO-safe snapshot).
          this.unlinkActive(sx);
          return snap;
        }
      } else {
        s.hset(H_WRITABLE, s.hget(H_WRITABLE) + 1);
      }
      const gx = s.hget(H_GLOBAL_XMIN);
      if (gx === 0) {
        s.hset(H_GLOBAL_XMIN, snap.xmin);
        s.hset(H_GLOBAL_XMIN_COUNT, 1);
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
      s.sset(this.mySxact, SX_TOPXID, xid);
      const b = s.xidBucket(xid);
      s.sset(this.mySxact, SX_XID_NEXT, s.w[b]);
      s.w[b] = this.mySxact;
    } finally {
      this.unlock();
    }
  }

  private findSxactByXid(xid: TransactionId): number {
    const s = this.s;
    for (let sx = s.w[s.xidBucket(xid)]; sx !== 0; sx = s.sget(sx, SX_XID_NEXT)) {
      if (s.sget(sx, SX_TOPXID) === xid) return sx;
    }
    return 0;
  }

  private removeXid(sx: number): void {
    const s = this.s;
    const xid = s.sget(sx, SX_TOPXID);
    if (xid === 0) return;
    const b = s.xidBucket(xid);
    let prev = 0;
    for (let cur = s.w[b]; cur !== 0; prev = cur, cur = s.sget(cur, SX_XID_NEXT)) {
      if (cur !== sx) continue;
      if (prev === 0) s.w[b] = s.sget(cur, SX_XID_NEXT);
      else s.sset(prev, SX_XID_NEXT, s.sget(cur, SX_XID_NEXT));
      return;
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
    this.acquire({ rel: relOid, page: NO_PAGE, off: 0 });
  }

  /** PredicateLockPage: a B-tree leaf's key range, or a heap page. */
  lockPage(relOid: number, blkno: number): void {
    if (this.mySxact === 0) return;
    this.acquire({ rel: relOid, page: blkno, off: 0 });
  }

  /** PredicateLockTID: one heap tuple; none for a version this transaction wrote (its write covers it). */
  lockTuple(relOid: number, tid: Tid, tupleXmin: TransactionId): void {
    if (this.mySxact === 0) return;
    if (tupleXmin !== 0 && this.deps.xact.isCurrentTransactionId(tupleXmin)) return;
    const relTag: Tag = { rel: relOid, page: NO_PAGE, off: 0 };
    if (this.local.get(keyOf(relTag))?.held === true) return;
    this.acquire({ rel: relOid, page: tidBlock(tid), off: tidOffset(tid) });
  }

  /** PredicateLockAcquire. */
  private acquire(tag: Tag): void {
    const key = keyOf(tag);
    if (this.local.get(key)?.held === true) return;
    // CoarserLockCovers.
    for (let p = parentTag(tag); p !== null; p = parentTag(p)) {
      if (this.local.get(keyOf(p))?.held === true) return;
    }
    this.createLock(tag);
    const l = this.local.get(key);
    if (l === undefined) this.local.set(key, { held: true, childLocks: 0 });
    else l.held = true;
    if (!this.checkAndPromote(tag) && tagKind(tag) !== TagKind.Tuple) this.deleteChildLocks(tag);
  }

  /**
   * CheckAndPromotePredicateLockRequest: counts the new lock in each
   * ancestor; one with more children than its threshold is taken instead
   * (the coarsest such), which deletes the children.
   */
  private checkAndPromote(tag: Tag): boolean {
    let promotion: Tag | null = null;
    for (let p = parentTag(tag); p !== null; p = parentTag(p)) {
      const k = keyOf(p);
      let l = this.local.get(k);
      if (l === undefined) {
        l = { held: false, childLocks: 0 };
        this.local.set(k, l);
      }
      l.childLocks++;
      if (l.childLocks > this.maxChildLocks(p)) promotion = p;
    }
    if (promotion === null) return false;
    this.acquire(promotion);
    return true;
  }

  /** MaxPredicateChildLocks. */
  private maxChildLocks(t: Tag): number {
    if (tagKind(t) === TagKind.Relation) {
      const perXact = this.s.maxPredLocksPerTransaction;
      return MAX_PRED_LOCKS_PER_RELATION < 0 ? Math.floor(perXact / -MAX_PRED_LOCKS_PER_RELATION) - 1 : MAX_PRED_LOCKS_PER_RELATION;
    }
    return MAX_PRED_LOCKS_PER_PAGE;
  }

  /** DecrementParentLocks: a child lock went away. */
  private decrementParents(tag: Tag): void {
    for (let p = parentTag(tag); p !== null; p = parentTag(p)) {
      const k = keyOf(p);
      const l = this.local.get(k);
      if (l === undefined) continue;
      l.childLocks--;
      if (l.childLocks < 0) l.childLocks = 0;
      if (l.childLocks === 0 && !l.held) this.local.delete(k);
    }
  }

  /** DeleteChildTargetLocks: my finer locks under `tag`, now covered by it. */
  private deleteChildLocks(tag: Tag): void {
    const s = this.s;
    const removed: Tag[] = [];
    this.lock();
    try {
      let lk = s.sget(this.mySxact, SX_LOCK_HEAD);
      while (lk !== 0) {
        const next = s.lget(lk, LK_S_NEXT);
        const tg = s.lget(lk, LK_TARGET);
        const t: Tag = { rel: s.tget(tg, TG_REL), page: s.tget(tg, TG_PAGE), off: s.tget(tg, TG_OFF) };
        if (s.tget(tg, TG_DB) === this.deps.databaseOid && coveredBy(t, tag)) {
          this.s.freeLock(lk);
          removed.push(t);
        }
        lk = next;
      }
    } finally {
      this.unlock();
    }
    for (const t of removed) {
      const k = keyOf(t);
      const l = this.local.get(k);
      if (l !== undefined) {
        l.held = false;
        if (l.childLocks === 0) this.local.delete(k);
      }
      this.decrementParents(t);
    }
  }

  /** CreatePredicateLock: the target (found or made) and my lock on it, in shared memory. */
  private createLock(tag: Tag): void {
    this.lock();
    try {
      this.s.addLock(this.mySxact, this.deps.databaseOid, tag.rel, tag.page, tag.off);
    } finally {
      this.unlock();
    }
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
      for (let lk = s.tget(old, TG_LOCK_HEAD); lk !== 0; lk = s.lget(lk, LK_T_NEXT)) owners.push(s.lget(lk, LK_SXACT));
      for (const sx of owners) this.s.addLock(sx, this.deps.databaseOid, relOid, newBlkno, 0);
      if (removeOld) {
        while (s.tget(old, TG_LOCK_HEAD) !== 0) this.s.freeLock(s.tget(old, TG_LOCK_HEAD));
      }
    } finally {
      this.unlock();
    }
    // My own local table learns of the new page lock (its parent count is not raised: a page split is no new read).
    if (this.mySxact !== 0 && owners.includes(this.mySxact)) {
      const k = keyOf({ rel: relOid, page: newBlkno, off: 0 });
      const l = this.local.get(k);
      if (l === undefined) this.local.set(k, { held: true, childLocks: 0 });
      else l.held = true;
      if (removeOld) this.local.delete(keyOf({ rel: relOid, page: oldBlkno, off: 0 }));
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
      for (let tg = 1; tg <= s.nTarget; tg++) {
        if (s.tget(tg, TG_LOCK_HEAD) === 0 || s.tget(tg, TG_DB) !== db || s.tget(tg, TG_REL) !== relOid) continue;
        while (s.tget(tg, TG_LOCK_HEAD) !== 0) {
          const lk = s.tget(tg, TG_LOCK_HEAD);
          holders.add(s.lget(lk, LK_SXACT));
          s.freeLock(lk);
        }
      }
      for (const sx of holders) s.addLock(sx, db, heapOid, NO_PAGE, 0);
    } finally {
      this.unlock();
    }
    if (this.mySxact !== 0) {
      for (const k of [...this.local.keys()]) if (k.startsWith(`${relOid}/`)) this.local.delete(k);
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
      const sx = this.findSxactByXid(xid);
      // Not serializable, or finished before every running serializable transaction began: no conflict.
      if (sx === 0 || sx === me) return;
      const fl = s.flags(sx);
      if ((fl & SXACT_FLAG_DOOMED) !== 0) return;
      // A read-only transaction that sees the writer's commit order as its own: it appears to run first.
      if (
        (s.flags(me) & SXACT_FLAG_READ_ONLY) !== 0 &&
        (fl & SXACT_FLAG_COMMITTED) !== 0 &&
        ((fl & SXACT_FLAG_CONFLICT_OUT) === 0 || s.sfget(me, SXF_LAST_COMMIT_BEFORE_SNAPSHOT) < s.sfget(sx, SXF_EARLIEST_OUT_CONFLICT_COMMIT))
      ) {
        return;
      }
      if (!this.xidIsConcurrent(xid)) return;
      if (this.rwConflictExists(me, sx)) return;
      this.flagRWConflict(me, sx);
    } finally {
      this.unlock();
    }
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
    this.lock();
    try {
      if (tid !== null) this.checkTargetIn(relOid, tidBlock(tid), tidOffset(tid));
      if (blkno !== null && blkno >= 0) this.checkTargetIn(relOid, blkno, 0);
      this.checkTargetIn(relOid, NO_PAGE, 0);
    } finally {
      this.unlock();
    }
  }

  /** CheckTargetForConflictsIn (lock held). */
  private checkTargetIn(rel: number, page: number, off: number): void {
    const s = this.s;
    const tg = s.findTarget(this.deps.databaseOid, rel, page, off);
    if (tg === 0) return;
    const me = this.mySxact;
    const myXmin = s.sget(me, SX_XMIN);
    let lk = s.tget(tg, TG_LOCK_HEAD);
    while (lk !== 0) {
      const next = s.lget(lk, LK_T_NEXT);
      const sx = s.lget(lk, LK_SXACT);
      if (sx !== me) {
        const fl = s.flags(sx);
        if (
          (fl & SXACT_FLAG_DOOMED) === 0 &&
          ((fl & SXACT_FLAG_COMMITTED) === 0 || transactionIdPrecedes(myXmin, s.sget(sx, SX_FINISHED_BEFORE))) &&
          !this.rwConflictExists(sx, me)
        ) {
          this.flagRWConflict(sx, me);
        }
      }
      lk = next;
    }
  }

  /* ================================================================ the conflict graph */

  /** RWConflictExists (lock held). */
  private rwConflictExists(reader: number, writer: number): boolean {
    const s = this.s;
    if (((s.flags(reader) | s.flags(writer)) & SXACT_FLAG_DOOMED) !== 0) return false;
    for (let c = s.sget(reader, SX_OUT_HEAD); c !== 0; c = s.cget(c, CF_O_NEXT)) if (s.cget(c, CF_IN) === writer) return true;
    return false;
  }

  /** FlagRWConflict: check for a dangerous structure first, then record reader -> writer. */
  private flagRWConflict(reader: number, writer: number): void {
    this.onConflictCheckForSerializationFailure(reader, writer);
    this.s.linkConflict(reader, writer, SX_OUT_HEAD, SX_IN_HEAD, 'not enough elements in RWConflictPool to record a read/write conflict');
  }

  /** SetPossibleUnsafeConflict: read-only `ro` may be hurt by read-write `rw` (lock held). */
  private setPossibleUnsafeConflict(ro: number, rw: number): void {
    this.s.linkConflict(rw, ro, SX_UNSAFE_OUT_HEAD, SX_UNSAFE_IN_HEAD, 'not enough elements in RWConflictPool to record a potential read/write conflict');
  }

  private releasePossibleUnsafe(ro: number): void {
    const s = this.s;
    while (s.sget(ro, SX_UNSAFE_IN_HEAD) !== 0) this.s.releaseConflict(s.sget(ro, SX_UNSAFE_IN_HEAD), true);
  }

  /**
   * OnConflict_CheckForSerializationFailure: with the new edge
   * reader -> writer, is there a pivot with an out-conflict to a
   * transaction that committed first? If so somebody must fail: me now if I
   * am the writer, else the writer (doomed; it fails at its next check or
   * commit), or me as the reader if the writer already prepared.
   */
  private onConflictCheckForSerializationFailure(reader: number, writer: number): void {
    const s = this.s;
    const rf = s.flags(reader);
    const wf = s.flags(writer);
    let failure = false;
    // T1 -> reader -> writer, writer committed with a conflict out to a transaction that committed before it.
    if ((wf & SXACT_FLAG_COMMITTED) !== 0 && (wf & SXACT_FLAG_CONFLICT_OUT) !== 0) failure = true;
    // reader -> writer (pivot) -> T2, T2 committed first.
    if (!failure) {
      for (let c = s.sget(writer, SX_OUT_HEAD); c !== 0 && !failure; c = s.cget(c, CF_O_NEXT)) {
        const t2 = s.cget(c, CF_IN);
        const t2f = s.flags(t2);
        const t2prep = s.sfget(t2, SXF_PREPARE_SEQ);
        if (
          (t2f & SXACT_FLAG_PREPARED) !== 0 &&
          ((rf & SXACT_FLAG_COMMITTED) === 0 || t2prep <= s.sfget(reader, SXF_COMMIT_SEQ)) &&
          ((wf & SXACT_FLAG_COMMITTED) === 0 || t2prep <= s.sfget(writer, SXF_COMMIT_SEQ)) &&
          ((rf & SXACT_FLAG_READ_ONLY) === 0 || t2prep <= s.sfget(reader, SXF_LAST_COMMIT_BEFORE_SNAPSHOT))
        ) {
          failure = true;
        }
      }
    }
    // T0 -> reader (pivot) -> writer, writer prepared or committed first.
    if (!failure && (wf & SXACT_FLAG_PREPARED) !== 0 && (rf & SXACT_FLAG_READ_ONLY) === 0) {
      const wprep = s.sfget(writer, SXF_PREPARE_SEQ);
      for (let c = s.sget(reader, SX_IN_HEAD); c !== 0 && !failure; c = s.cget(c, CF_I_NEXT)) {
        const t0 = s.cget(c, CF_OUT);
        const t0f = s.flags(t0);
        if (
          (t0f & SXACT_FLAG_DOOMED) === 0 &&
          ((t0f & SXACT_FLAG_COMMITTED) === 0 || s.sfget(t0, SXF_COMMIT_SEQ) >= wprep) &&
          ((t0f & SXACT_FLAG_READ_ONLY) === 0 || s.sfget(t0, SXF_LAST_COMMIT_BEFORE_SNAPSHOT) >= wprep)
        ) {
          failure = true;
        }
      }
    }
    if (!failure) return;
    if (writer === this.mySxact) throw serializationFailure('Canceled on identification as a pivot, during write.');
    if ((wf & SXACT_FLAG_PREPARED) !== 0) {
      Assert(reader === this.mySxact, 'a prepared writer is failed only by its reader');
      throw serializationFailure(`Canceled on conflict out to pivot ${s.sget(writer, SX_TOPXID)}, during read.`);
    }
    s.orFlags(writer, SXACT_FLAG_DOOMED);
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
        this.releasePossibleUnsafe(me);
      }
      const lastSeq = s.hfget(HF_LAST_COMMIT_SEQ);
      const meReadOnly = (s.flags(me) & SXACT_FLAG_READ_ONLY) !== 0;
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
            this.releasePossibleUnsafe(ro);
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
          this.setNewSxactGlobalXmin();
          needToClear = true;
        }
      }
      if (isCommit) {
        // FinishedSerializableTransactions, in commit order.
        s.sset(me, SX_FIN_NEXT, 0);
        s.sset(me, SX_ON_FIN, 1);
        const tail = s.hget(H_FIN_TAIL);
        if (tail === 0) s.hset(H_FIN_HEAD, me);
        else s.sset(tail, SX_FIN_NEXT, me);
        s.hset(H_FIN_TAIL, me);
      } else {
        this.releaseOneSerializableXact(me, false);
      }
      if (needToClear) this.clearOldPredicateLocks();
    } finally {
      this.unlock();
      this.mySxact = 0;
      this.didWrite = false;
      this.local.clear();
      this.snapXip = new Set();
    }
  }

  /** SetNewSxactGlobalXmin: the oldest xmin of running (not committed, not rolled back) serializable transactions (lock held). */
  private setNewSxactGlobalXmin(): void {
    const s = this.s;
    let gx = 0;
    let count = 0;
    for (let sx = s.hget(H_ACTIVE_HEAD); sx !== 0; sx = s.sget(sx, SX_NEXT)) {
      if ((s.flags(sx) & (SXACT_FLAG_COMMITTED | SXACT_FLAG_ROLLED_BACK)) !== 0) continue;
      const x = s.sget(sx, SX_XMIN);
      if (gx === 0 || transactionIdPrecedes(x, gx)) {
        gx = x;
        count = 1;
      } else if (x === gx) {
        count++;
      }
    }
    s.hset(H_GLOBAL_XMIN, gx);
    s.hset(H_GLOBAL_XMIN_COUNT, count);
  }

  /**
   * ClearOldPredicateLocks (lock held): committed transactions that
   * finished before every running serializable transaction's snapshot are
   * forgotten; those only read-only transactions can still see lose their
   * locks and in-conflicts (read-write ones) or everything (read-only ones).
   */
  private clearOldPredicateLocks(): void {
    const s = this.s;
    const gx = s.hget(H_GLOBAL_XMIN);
    for (let sx = s.hget(H_FIN_HEAD); sx !== 0;) {
      const next = s.sget(sx, SX_FIN_NEXT);
      const commitSeq = s.sfget(sx, SXF_COMMIT_SEQ);
      if (gx === 0 || transactionIdPrecedesOrEquals(s.sget(sx, SX_FINISHED_BEFORE), gx)) {
        this.removeFromFinished(sx);
        this.releaseOneSerializableXact(sx, false);
      } else if (commitSeq > s.hfget(HF_HAVE_PARTIAL_CLEARED) && commitSeq <= s.hfget(HF_CAN_PARTIAL_CLEAR)) {
        if ((s.flags(sx) & SXACT_FLAG_READ_ONLY) !== 0) {
          this.removeFromFinished(sx);
          this.releaseOneSerializableXact(sx, false);
        } else {
          this.releaseOneSerializableXact(sx, true);
        }
        s.hfset(HF_HAVE_PARTIAL_CLEARED, commitSeq);
      } else {
        break;
      }
      sx = next;
    }
  }

  /** Takes the head of the finished list off (it is always the head: the list is walked in order). */
  private removeFromFinished(sx: number): void {
    const s = this.s;
    Assert(s.hget(H_FIN_HEAD) === sx, 'finished transactions are released in commit order');
    const next = s.sget(sx, SX_FIN_NEXT);
    s.hset(H_FIN_HEAD, next);
    if (next === 0) s.hset(H_FIN_TAIL, 0);
    s.sset(sx, SX_ON_FIN, 0);
    s.sset(sx, SX_FIN_NEXT, 0);
  }

  /**
   * ReleaseOneSerializableXact (lock held): its SIREAD locks and
   * in-conflicts go; unless `partial`, also its out-conflicts, its XID
   * mapping and the record itself.
   */
  private releaseOneSerializableXact(sx: number, partial: boolean): void {
    const s = this.s;
    while (s.sget(sx, SX_LOCK_HEAD) !== 0) this.s.freeLock(s.sget(sx, SX_LOCK_HEAD));
    while (s.sget(sx, SX_IN_HEAD) !== 0) this.s.releaseConflict(s.sget(sx, SX_IN_HEAD), false);
    if (partial) return;
    while (s.sget(sx, SX_OUT_HEAD) !== 0) this.s.releaseConflict(s.sget(sx, SX_OUT_HEAD), false);
    while (s.sget(sx, SX_UNSAFE_OUT_HEAD) !== 0) this.s.releaseConflict(s.sget(sx, SX_UNSAFE_OUT_HEAD), true);
    this.releasePossibleUnsafe(sx);
    this.removeXid(sx);
    this.unlinkActive(sx);
  }

  /** ReleasePredXact: off the active list, onto the free list (lock held). */
  private unlinkActive(sx: number): void {
    const s = this.s;
    const prev = s.sget(sx, SX_PREV);
    const next = s.sget(sx, SX_NEXT);
    if (prev !== 0) s.sset(prev, SX_NEXT, next);
    else s.hset(H_ACTIVE_HEAD, next);
    if (next !== 0) s.sset(next, SX_PREV, prev);
    s.sset(sx, SX_FLAGS, 0);
    s.sset(sx, SX_TOPXID, 0);
    s.sset(sx, SX_PREV, 0);
    s.sset(sx, SX_NEXT, s.hget(H_SXACT_FREE));
    s.hset(H_SXACT_FREE, sx);
    s.hset(H_SXACTS_USED, s.hget(H_SXACTS_USED) - 1);
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

  /**
   * The SIREAD locks held, as pg_locks shows them (locktype, relation,
   * page, tuple, the holder's pid), in no particular order.
   */
  sireadLocks(): { locktype: 'relation' | 'page' | 'tuple'; database: number; relation: number; page: number | null; tuple: number | null; pid: number }[] {
    const s = this.s;
    const out: { locktype: 'relation' | 'page' | 'tuple'; database: number; relation: number; page: number | null; tuple: number | null; pid: number }[] = [];
    this.lock();
    try {
      for (let sx = s.hget(H_ACTIVE_HEAD); sx !== 0; sx = s.sget(sx, SX_NEXT)) {
        for (let lk = s.sget(sx, SX_LOCK_HEAD); lk !== 0; lk = s.lget(lk, LK_S_NEXT)) {
          const tg = s.lget(lk, LK_TARGET);
          const page = s.tget(tg, TG_PAGE);
          const off = s.tget(tg, TG_OFF);
          out.push({
            locktype: page === NO_PAGE ? 'relation' : off === 0 ? 'page' : 'tuple',
            database: s.tget(tg, TG_DB),
            relation: s.tget(tg, TG_REL),
            page: page === NO_PAGE ? null : page,
            tuple: off === 0 ? null : off,
            pid: s.sget(sx, SX_PID),
          });
        }
      }
    } finally {
      this.unlock();
    }
    return out;
  }
}

