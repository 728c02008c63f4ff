/*
 * snapmgr.ts — snapshots and their bookkeeping in one backend (PostgreSQL's
 * utils/time/snapmgr.c and the Snapshot type of utils/snapshot.h).
 *
 * Exports: SnapshotData, SnapshotType, SnapshotSelf, SnapshotAny,
 *          SnapshotToast, initDirtySnapshot, xidInMVCCSnapshot,
 *          SnapshotManager (per backend), SnapshotXactHooks.
 *
 * An MVCC snapshot says which transactions count as finished for a scan:
 *
 *        committed or aborted       |  listed in xip/subxip: running  | running
 *   ----------------------------- xmin ------------------------------ xmax ------->  XIDs
 *   everything before xmin is over; between xmin and xmax an XID is over
 *   unless listed; at or after xmax nothing is over yet.
 *
 * Whether a finished transaction committed is then CLOG's answer (the hint
 * bits' when set). curcid adds the same for the backend's own transaction:
 * its commands before curcid are visible, those at or after it are not.
 *
 * READ COMMITTED takes a new snapshot for every statement
 * (getTransactionSnapshot); REPEATABLE READ and SERIALIZABLE take one at the
 * first statement of the transaction and keep it. SERIALIZABLE takes its
 * first one through serializableSnapshot, which registers the transaction
 * for serializable snapshot isolation (storage/lmgr/predicate.ts).
 *
 * Rules:
 *  1. The snapshots getTransactionSnapshot and getLatestSnapshot return are
 *     reused objects, overwritten by the next call (no allocation per
 *     statement). To keep one, register it (registerSnapshot copies it) or
 *     push it as the active snapshot.
 *  2. The backend's xmin in the proc array is the xmin of its first snapshot
 *     in the transaction (TransactionXmin) and afterwards the oldest xmin of
 *     its registered and active snapshots; with none left it is cleared
 *     (snapshotResetXmin), so vacuum is held back only as long as a snapshot
 *     is in use.
 *  3. At transaction end every snapshot is forgotten (atEOXact); at a
 *     subtransaction abort, the active snapshots it pushed.
 */

import { MAX_BACKENDS, PGPROC_MAX_CACHED_SUBXIDS } from '../../constants.ts';
import {
  InvalidTransactionId,
  transactionIdPrecedes,
  type SubTransAccess,
  type TransactionId,
  type TransamStatus,
} from '../../access/transam/transam.ts';
import type { ProcArray } from '../../storage/ipc/procarray.ts';
import { Assert, elog, PgError, SQLSTATE } from '../errors.ts';

/** Which visibility rule a snapshot stands for (PostgreSQL's SnapshotType). */
export const enum SnapshotType {
  /** Visible to this snapshot's transactions (the normal case). */
  MVCC = 0,
  /** Everything committed now, plus my own changes up to now. */
  SELF = 1,
  /** Every tuple, dead or alive. */
  ANY = 2,
  /** TOAST rows: the parent row's visibility already decided. */
  TOAST = 3,
  /** Like SELF, but also in-progress inserts; reports the running XIDs in xmin/xmax. */
  DIRTY = 4,
  /** Logical decoding's snapshot (not used yet). */
  HISTORIC_MVCC = 5,
  /** Not removable by vacuum (not used yet). */
  NON_VACUUMABLE = 6,
}

/** Transaction ids of every backend's top-level transaction fit in xip. */
const XIP_CAPACITY = MAX_BACKENDS;
/** And every cached subtransaction XID in subxip. */
const SUBXIP_CAPACITY = MAX_BACKENDS * PGPROC_MAX_CACHED_SUBXIDS;

/** A snapshot (SnapshotData). For non-MVCC types only snapshotType matters. */
export class SnapshotData {
  snapshotType: SnapshotType;
  /** All XIDs before xmin are finished. For a DIRTY snapshot: a running inserter found, else 0. */
  xmin: TransactionId = InvalidTransactionId;
  /** All XIDs at or after xmax are running. For a DIRTY snapshot: a running deleter found, else 0. */
  xmax: TransactionId = InvalidTransactionId;
  /** Running top-level XIDs in [xmin, xmax): the first xcnt entries. */
  readonly xip: Uint32Array;
  xcnt = 0;
  /** Running subtransaction XIDs: the first subxcnt entries (incomplete when suboverflowed). */
  readonly subxip: Uint32Array;
  subxcnt = 0;
  /** Some backend had more subtransactions than its cache holds: ask pg_subtrans. */
  suboverflowed = false;
  /** Taken while replaying WAL (always false: there is no hot standby). */
  takenDuringRecovery = false;
  /** A copy owned by the registered / active snapshot lists, not a reused static one. */
  copied = false;
  /** My commands before this one are visible, this one and later are not. */
  curcid = 0;
  /** DIRTY snapshots: the speculative insertion token of the in-progress inserter found in xmin (0: none). */
  speculativeToken = 0;
  /** References from the active snapshot stack. */
  activeCount = 0;
  /** References from registerSnapshot. */
  regdCount = 0;
  /** xactCompletionCount when taken; 0 = never taken, or a copy (never reused). */
  snapXactCompletionCount = 0;

  constructor(type: SnapshotType = SnapshotType.MVCC, xipCapacity = XIP_CAPACITY, subxipCapacity = SUBXIP_CAPACITY) {
    this.snapshotType = type;
    this.xip = new Uint32Array(xipCapacity);
    this.subxip = new Uint32Array(subxipCapacity);
  }
}

/** The static non-MVCC snapshots (SnapshotSelfData, SnapshotAnyData, SnapshotToastData). */
export const SnapshotSelf = new SnapshotData(SnapshotType.SELF, 0, 0);
export const SnapshotAny = new SnapshotData(SnapshotType.ANY, 0, 0);
export const SnapshotToast = new SnapshotData(SnapshotType.TOAST, 0, 0);

/** InitDirtySnapshot: a fresh DIRTY snapshot; the visibility check writes its xmin/xmax. */
export function initDirtySnapshot(): SnapshotData {
  return new SnapshotData(SnapshotType.DIRTY, 0, 0);
}

/**
 * XidInMVCCSnapshot: does `xid` count as still running for `snap`? When
 * the snapshot's subtransaction data overflowed, the XID is first mapped to
 * its top-level transaction through pg_subtrans.
 */
export function xidInMVCCSnapshot(xid: TransactionId, snap: SnapshotData, subtrans: SubTransAccess): boolean {
  if (transactionIdPrecedes(xid, snap.xmin)) return false;
  if (!transactionIdPrecedes(xid, snap.xmax)) return true;
  if (!snap.suboverflowed) {
    const subxip = snap.subxip;
    for (let i = 0, n = snap.subxcnt; i < n; i++) if (subxip[i] === xid) return true;
  } else {
    xid = subtrans.getTopmostTransaction(xid, snap.xmin);
    if (transactionIdPrecedes(xid, snap.xmin)) return false;
  }
  const xip = snap.xip;
  for (let i = 0, n = snap.xcnt; i < n; i++) if (xip[i] === xid) return true;
  return false;
}

/** What the snapshot manager needs from the backend's transaction state (xact.ts implements it). */
export interface SnapshotXactHooks {
  /** IsolationUsesXactSnapshot: REPEATABLE READ or SERIALIZABLE. */
  usesXactSnapshot(): boolean;
  /** GetCurrentCommandId(false). */
  currentCommandId(): number;
  /** GetCurrentTransactionNestLevel: 0 outside a transaction, 1 at top level. */
  nestingLevel(): number;
}

interface ActiveSnapshotElt {
  snap: SnapshotData;
  level: number;
}

/** One backend's snapshots. */
export class SnapshotManager {
  /** The current statement's (or transaction's) snapshot; reused (rule 1). */
  currentSnapshot: SnapshotData | null = null;
  /** The last getLatestSnapshot result; reused. */
  secondarySnapshot: SnapshotData | null = null;
  /** Whether the transaction has taken its first snapshot (FirstSnapshotSet). */
  firstSnapshotSet = false;
  /**
   * RecentXmin: the xmin of the latest snapshot. Every XID before it is
   * finished, so TransactionIdIsInProgress can say no without looking
   * (0 until the first snapshot: PostgreSQL starts it at 3, which would be
   * wrong for a counter started near 2^32).
   */
  recentXmin: TransactionId = InvalidTransactionId;
  private readonly currentData = new SnapshotData();
  private readonly secondaryData = new SnapshotData();
  /** getCatalogSnapshot's scratch (each result is a copy: catalog scans nest). */
  private readonly catalogData = new SnapshotData();
  private firstXactSnapshot: SnapshotData | null = null;
  private readonly registered = new Set<SnapshotData>();
  private readonly active: ActiveSnapshotElt[] = [];
  /**
   * GetSerializableTransactionSnapshot (storage/lmgr/predicate.ts): takes
   * the first transaction snapshot itself (through `take`) when the
   * transaction is SERIALIZABLE, registering it for SSI at the same moment.
   */
  serializableSnapshot: ((take: () => SnapshotData) => SnapshotData) | null = null;

  constructor(
    private readonly procArray: ProcArray,
    private readonly procno: number,
    private readonly status: TransamStatus,
    private readonly hooks: SnapshotXactHooks,
  ) {}

  /** TransactionXmin (rule 2); kept in TransamStatus, whose pg_subtrans walks stop at it. */
  get transactionXmin(): TransactionId {
    return this.status.transactionXmin;
  }

  /** GetSnapshotData into one of the reused objects, with this backend's bookkeeping. */
  private takeSnapshot(into: SnapshotData): SnapshotData {
    if (this.procArray.getSnapshotData(into, this.procno)) this.status.transactionXmin = into.xmin;
    this.recentXmin = into.xmin;
    into.curcid = this.hooks.currentCommandId();
    into.activeCount = 0;
    into.regdCount = 0;
    into.copied = false;
    return into;
  }

  /**
   * GetTransactionSnapshot: the snapshot a new statement runs with. READ
   * COMMITTED: a fresh one each time. REPEATABLE READ: the transaction's
   * first one, kept registered until the end.
   */
  getTransactionSnapshot(): SnapshotData {
    Assert(this.hooks.nestingLevel() > 0, 'cannot take a transaction snapshot outside a transaction');
    if (!this.firstSnapshotSet) {
      if (this.hooks.usesXactSnapshot()) {
        const take = (): SnapshotData => this.takeSnapshot(this.currentData);
        const snap = this.copySnapshot(this.serializableSnapshot !== null ? this.serializableSnapshot(take) : take());
        snap.regdCount++;
        this.registered.add(snap);
        this.firstXactSnapshot = snap;
        this.currentSnapshot = snap;
      } else {
        this.currentSnapshot = this.takeSnapshot(this.currentData);
      }
      this.firstSnapshotSet = true;
      return this.currentSnapshot;
    }
    if (this.hooks.usesXactSnapshot()) return this.currentSnapshot as SnapshotData;
    this.currentSnapshot = this.takeSnapshot(this.currentData);
    return this.currentSnapshot;
  }

  /**
   * GetLatestSnapshot: a fresh snapshot whatever the isolation level (for
   * foreign-key checks and EvalPlanQual, which must see the latest data).
   */
  getLatestSnapshot(): SnapshotData {
    if (!this.firstSnapshotSet) return this.getTransactionSnapshot();
    this.secondarySnapshot = this.takeSnapshot(this.secondaryData);
    return this.secondarySnapshot;
  }

  /**
   * GetCatalogSnapshot for a transaction that keeps its snapshot (REPEATABLE
   * READ, SERIALIZABLE): catalog reads must see the catalogs as they are
   * now, not as the transaction's snapshot saw them, or DDL committed since
   * (a DROP INDEX) would be invisible to the relation cache while its
   * effects (the index's storage gone) are not. A fresh snapshot with the
   * current command id, as an owned copy: catalog scans nest (a cache miss
   * inside another scan). The transaction's registered snapshot is older,
   * so the backend's xmin already protects the rows this one sees.
   */
  getCatalogSnapshot(): SnapshotData {
    return this.copySnapshot(this.takeSnapshot(this.catalogData));
  }

  /** SnapshotSetCommandId: CommandCounterIncrement moves the reused snapshots along. */
  snapshotSetCommandId(curcid: number): void {
    if (this.currentSnapshot !== null) this.currentSnapshot.curcid = curcid;
    if (this.secondarySnapshot !== null) this.secondarySnapshot.curcid = curcid;
  }

  /** CopySnapshot: an owned copy, with arrays just large enough. */
  copySnapshot(snap: SnapshotData): SnapshotData {
    const keepSub = !snap.suboverflowed;
    const copy = new SnapshotData(snap.snapshotType, snap.xcnt, keepSub ? snap.subxcnt : 0);
    copy.xmin = snap.xmin;
    copy.xmax = snap.xmax;
    copy.xip.set(snap.xip.subarray(0, snap.xcnt));
    copy.xcnt = snap.xcnt;
    if (keepSub) copy.subxip.set(snap.subxip.subarray(0, snap.subxcnt));
    copy.subxcnt = keepSub ? snap.subxcnt : 0;
    copy.suboverflowed = snap.suboverflowed;
    copy.takenDuringRecovery = snap.takenDuringRecovery;
    copy.curcid = snap.curcid;
    copy.copied = true;
    return copy;
  }

  /** RegisterSnapshot: keeps a snapshot (copying a reused one); it holds back my xmin until unregistered. */
  registerSnapshot(snap: SnapshotData): SnapshotData {
    if (snap.snapshotType !== SnapshotType.MVCC) return snap;
    const s = snap.copied ? snap : this.copySnapshot(snap);
    s.regdCount++;
    this.registered.add(s);
    return s;
  }

  /** UnregisterSnapshot. */
  unregisterSnapshot(snap: SnapshotData): void {
    if (snap.snapshotType !== SnapshotType.MVCC) return;
    Assert(snap.regdCount > 0 && this.registered.has(snap), 'unregistering a snapshot that is not registered');
    snap.regdCount--;
    if (snap.regdCount === 0) this.registered.delete(snap);
    if (snap.regdCount === 0 && snap.activeCount === 0) this.snapshotResetXmin();
  }

  /** PushActiveSnapshot: the snapshot queries of the current portal run with. */
  pushActiveSnapshot(snap: SnapshotData): void {
    const s = snap === this.currentSnapshot || snap === this.secondarySnapshot || !snap.copied ? this.copySnapshot(snap) : snap;
    s.activeCount++;
    this.active.push({ snap: s, level: this.hooks.nestingLevel() });
  }

  /** PushCopiedSnapshot: pushes a private copy, whose curcid the caller may change. */
  pushCopiedSnapshot(snap: SnapshotData): void {
    const s = this.copySnapshot(snap);
    s.activeCount++;
    this.active.push({ snap: s, level: this.hooks.nestingLevel() });
  }

  /** UpdateActiveSnapshotCommandId: the active snapshot sees my commands so far. */
  updateActiveSnapshotCommandId(): void {
    const top = this.active[this.active.length - 1];
    Assert(top !== undefined && top.snap.activeCount === 1 && top.snap.regdCount === 0, 'active snapshot is shared');
    top.snap.curcid = this.hooks.currentCommandId();
  }

  /** PopActiveSnapshot. */
  popActiveSnapshot(): void {
    const top = this.active.pop();
    if (top === undefined) elog('no active snapshot to pop');
    top.snap.activeCount--;
    this.snapshotResetXmin();
  }

  /** GetActiveSnapshot. */
  getActiveSnapshot(): SnapshotData {
    const top = this.active[this.active.length - 1];
    if (top === undefined) elog('no active snapshot set');
    return top.snap;
  }

  activeSnapshotSet(): boolean {
    return this.active.length > 0;
  }

  /**
   * SnapshotResetXmin (rule 2): my xmin becomes the oldest xmin of what is
   * still registered, or nothing; it only ever moves forward here.
   */
  snapshotResetXmin(): void {
    if (this.active.length > 0) return;
    if (this.registered.size === 0) {
      this.procArray.setXmin(this.procno, InvalidTransactionId);
      return;
    }
    let min = InvalidTransactionId;
    for (const s of this.registered) if (min === InvalidTransactionId || transactionIdPrecedes(s.xmin, min)) min = s.xmin;
    if (transactionIdPrecedes(this.procArray.xminOf(this.procno), min)) this.procArray.setXmin(this.procno, min);
  }

  /** AtSubCommit_Snapshot: active snapshots of the committed level belong to its parent now. */
  atSubCommit(level: number): void {
    for (const a of this.active) if (a.level >= level) a.level = level - 1;
  }

  /** AtSubAbort_Snapshot (rule 3): drops the active snapshots the aborted level pushed. */
  atSubAbort(level: number): void {
    while (this.active.length > 0 && this.active[this.active.length - 1].level >= level) {
      const top = this.active.pop() as ActiveSnapshotElt;
      top.snap.activeCount--;
    }
    this.snapshotResetXmin();
  }

  /**
   * AtEOXact_Snapshot (rule 3): forgets every snapshot. At commit, a
   * snapshot still registered or active (other than the transaction
   * snapshot) is a leak: PostgreSQL warns, and so do we through `notice`.
   */
  atEOXact(isCommit: boolean, notice?: (e: PgError) => void): void {
    if (this.firstXactSnapshot !== null) {
      this.registered.delete(this.firstXactSnapshot);
      this.firstXactSnapshot = null;
    }
    if (isCommit && notice !== undefined) {
      for (const s of this.registered) {
        notice(new PgError(SQLSTATE.internal_error, `snapshot with xmin ${s.xmin} still active`, { severity: 'WARNING' }));
      }
      for (const a of this.active) {
        notice(new PgError(SQLSTATE.internal_error, `snapshot with xmin ${a.snap.xmin} still active`, { severity: 'WARNING' }));
      }
    }
    if (this.registered.size > 0) {
      // Guarded: Set.clear() allocates a new table even when the set is empty.
      for (const s of this.registered) s.regdCount = 0;
      this.registered.clear();
    }
    for (const a of this.active) a.snap.activeCount = 0;
    this.active.length = 0;
    this.currentSnapshot = null;
    this.secondarySnapshot = null;
    this.firstSnapshotSet = false;
    this.snapshotResetXmin();
  }

  /** Counts for tests and the playground. */
  describe(): { registered: number; active: number; firstSnapshotSet: boolean; transactionXmin: TransactionId; recentXmin: TransactionId } {
    return {
      registered: this.registered.size,
      active: this.active.length,
      firstSnapshotSet: this.firstSnapshotSet,
      transactionXmin: this.transactionXmin,
      recentXmin: this.recentXmin,
    };
  }
}
