/*
 * varsup.ts — the shared XID and OID counters (PostgreSQL's
 * access/transam/varsup.c and TransamVariablesData).
 *
 * Exports: VarSup (per backend), varsupShmemSize, varsupShmemInit,
 *          VarSupDeps, CheckpointXidFields.
 *
 * Region "TransamVariables":
 *
 *   byte 0   i32 XidGenLock       LWLock
 *        4   i32 OidGenLock       LWLock
 *        8   f64 nextXid          full XID to assign next          XidGenLock
 *       16   u32 oldestXid        oldest datfrozenxid of any db    XidGenLock
 *       20   u32 xidVacLimit      ask autovacuum from here         XidGenLock
 *       24   u32 xidWarnLimit     warn from here                   XidGenLock
 *       28   u32 xidStopLimit     refuse new XIDs from here        XidGenLock
 *       32   u32 xidWrapLimit     where wraparound would happen    XidGenLock
 *       36   u32 oldestXidDB      database holding oldestXid back  XidGenLock
 *       40   u32 nextOid          OID to assign next               OidGenLock
 *       44   u32 oidCount         OIDs left before the next        OidGenLock
 *                                 XLOG_NEXTOID record
 *
 * Wraparound limits, with W = oldestXid + 2^31 (the XID at which oldestXid
 * would start to look like the future):
 *
 *   oldestXid ... xidVacLimit ...... xidWarnLimit ... xidStopLimit ... W
 *                 +200M (autovacuum  W - 40M          W - 3M
 *                 _freeze_max_age)   WARNING per XID  ERROR 54000
 *
 * Rules:
 *  1. A new XID's CLOG and pg_subtrans pages exist before nextXid passes it
 *     (extend runs first, under XidGenLock), so nobody ever looks up the
 *     status of an XID whose page is missing.
 *  2. The XID is published in the proc array before XidGenLock is released
 *     (procarray.ts rule 1).
 *  3. After 2^32 - 1 the counter continues at 3 (FirstNormalTransactionId)
 *     in the next epoch.
 *  4. OIDs are WAL-logged ahead, VAR_OID_PREFETCH at a time: after a crash
 *     the counter restarts from the logged value, skipping unused OIDs
 *     rather than reusing any. Below FirstNormalObjectId they wrap back to it.
 *  5. Lock order: XidGenLock before the CLOG / pg_subtrans control locks.
 */

import { AUTOVACUUM_FREEZE_MAX_AGE, VAR_OID_PREFETCH, XID_STOP_LIMIT_MARGIN, XID_WARN_LIMIT_MARGIN } from '../../constants.ts';
import type { ProcArray } from '../../storage/ipc/procarray.ts';
import type { Shmem } from '../../storage/ipc/shmem.ts';
import { LWLockMode, type LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { Assert, elog, PgError, SQLSTATE } from '../../utils/errors.ts';
import {
  FirstGenbkiObjectId,
  FirstNormalObjectId,
  FirstNormalTransactionId,
  MaxTransactionId,
  epochFromFull,
  fullTransactionId,
  fullTransactionIdAdvance,
  transactionIdAdvance,
  transactionIdFollowsOrEquals,
  xidFromFull,
  type FullTransactionId,
  type NoticeSink,
  type TransactionId,
  type TransamWal,
} from './transam.ts';

const REGION = 'TransamVariables';
const REGION_BYTES = 64;

const W_XID_GEN_LOCK = 0;
const W_OID_GEN_LOCK = 1;
const F_NEXT_XID = 1;
const W_OLDEST_XID = 4;
const W_VAC_LIMIT = 5;
const W_WARN_LIMIT = 6;
const W_STOP_LIMIT = 7;
const W_WRAP_LIMIT = 8;
const W_OLDEST_XID_DB = 9;
const W_NEXT_OID = 10;
const W_OID_COUNT = 11;

export function varsupShmemSize(): number {
  return REGION_BYTES;
}

export function varsupShmemInit(shmem: Shmem): void {
  shmem.initStruct(REGION, REGION_BYTES);
}

/** The XID fields a checkpoint record and pg_control carry. */
export interface CheckpointXidFields {
  nextXid: FullTransactionId;
  nextOid: number;
  oldestXid: TransactionId;
  oldestXidDb: number;
}

/** What GetNewTransactionId needs besides the counters. */
export interface VarSupDeps {
  clog: { extend(xid: TransactionId): void };
  subtrans: { extend(xid: TransactionId): void };
  procArray: ProcArray;
  wal: TransamWal | null;
  notice: NoticeSink;
  /** get_database_name for the wraparound messages; undefined when unknown. */
  databaseName?: (oid: number) => string | undefined;
  /** Signals the autovacuum launcher (SendPostmasterSignal(PMSIGNAL_START_AUTOVAC_LAUNCHER)). */
  requestAutovacuum?: () => void;
}

/** ERRCODE_WARNING: the SQLSTATE of a WARNING that names no more specific condition. */
const ERRCODE_WARNING = '01000';
const WRAP_HINT_TAIL = 'You might also need to commit or roll back old prepared transactions, or drop stale replication slots.';

/** One backend's access to the shared counters. */
export class VarSup {
  /** Set by the startup process while replaying: no XIDs or OIDs may be assigned then. */
  inRecovery = false;
  /** initdb's bootstrap mode: OIDs from FirstGenbkiObjectId are handed out (IsPostmasterEnvironment false). */
  bootstrapMode = false;
  readonly xidGenLock: number;
  readonly oidGenLock: number;
  private readonly u32: Uint32Array;
  private readonly f64: Float64Array;
  private readonly base: number;

  constructor(
    shmem: Shmem,
    private readonly lw: LWLockOwner,
    private readonly deps: VarSupDeps,
  ) {
    const region = shmem.lookup(REGION);
    if (region === undefined) elog(`shared memory region "${REGION}" was not initialized`);
    this.base = region.offset / 4;
    this.xidGenLock = this.base + W_XID_GEN_LOCK;
    this.oidGenLock = this.base + W_OID_GEN_LOCK;
    this.u32 = shmem.u32;
    this.f64 = new Float64Array(shmem.sab, region.offset, REGION_BYTES / 8);
  }

  private get(w: number): number {
    return this.u32[this.base + w];
  }

  private set(w: number, v: number): void {
    this.u32[this.base + w] = v;
  }

  /**
   * GetNewTransactionId: assigns the next XID to my transaction (top-level
   * or a subtransaction) and publishes it in my proc slot (rule 2).
   */
  getNewTransactionId(procno: number, isSubXact: boolean): FullTransactionId {
    if (this.inRecovery) elog('cannot assign TransactionIds during recovery');
    const lw = this.lw;
    lw.acquire(this.xidGenLock, LWLockMode.Exclusive);
    let full = this.f64[F_NEXT_XID];
    let xid = xidFromFull(full);
    if (transactionIdFollowsOrEquals(xid, this.get(W_VAC_LIMIT))) {
      // Past the autovacuum point: check the limits with the lock released, as PostgreSQL does.
      const warnLimit = this.get(W_WARN_LIMIT);
      const stopLimit = this.get(W_STOP_LIMIT);
      const wrapLimit = this.get(W_WRAP_LIMIT);
      const oldestDb = this.get(W_OLDEST_XID_DB);
      lw.release(this.xidGenLock);
      if (xid % 65536 === 0) this.deps.requestAutovacuum?.();
      if (transactionIdFollowsOrEquals(xid, stopLimit)) throw this.stopLimitError(oldestDb);
      if (transactionIdFollowsOrEquals(xid, warnLimit)) this.deps.notice(this.warnLimitNotice(oldestDb, (wrapLimit - xid) >>> 0));
      lw.acquire(this.xidGenLock, LWLockMode.Exclusive);
      full = this.f64[F_NEXT_XID];
      xid = xidFromFull(full);
    }
    try {
      // Rule 1: the pages first; if that fails nextXid stays, and the next caller retries.
      this.deps.clog.extend(xid);
      this.deps.subtrans.extend(xid);
      this.f64[F_NEXT_XID] = fullTransactionIdAdvance(full);
      if (!isSubXact) this.deps.procArray.setTopXid(procno, xid);
      else this.deps.procArray.addSubxid(procno, xid);
    } finally {
      lw.release(this.xidGenLock);
    }
    return full;
  }

  private dbLabel(oid: number): string {
    const name = this.deps.databaseName?.(oid);
    return name !== undefined ? `database "${name}"` : `database with OID ${oid}`;
  }

  private stopLimitError(oldestDb: number): PgError {
    return new PgError(
      SQLSTATE.program_limit_exceeded,
      `database is not accepting commands that assign new transaction IDs to avoid wraparound data loss in ${this.dbLabel(oldestDb)}`,
      { hint: `Execute a database-wide VACUUM in that database.\n${WRAP_HINT_TAIL}` },
    );
  }

  private warnLimitNotice(oldestDb: number, remaining: number): PgError {
    return new PgError(ERRCODE_WARNING, `${this.dbLabel(oldestDb)} must be vacuumed within ${remaining} transactions`, {
      severity: 'WARNING',
      hint: `To avoid transaction ID assignment failures, execute a database-wide VACUUM in that database.\n${WRAP_HINT_TAIL}`,
    });
  }

  /** ReadNextFullTransactionId. */
  readNextFullTransactionId(): FullTransactionId {
    this.lw.acquire(this.xidGenLock, LWLockMode.Shared);
    const v = this.f64[F_NEXT_XID];
    this.lw.release(this.xidGenLock);
    return v;
  }

  /** ReadNextTransactionId: the 32-bit XID to be assigned next. */
  readNextTransactionId(): TransactionId {
    return xidFromFull(this.readNextFullTransactionId());
  }

  /**
   * Sets the counter: at startup from the checkpoint, and in initdb or tests
   * to start anywhere (e.g. just before 2^32 to exercise wraparound). The
   * caller also makes the CLOG page of that XID exist (xact.ts
   * bootstrapTransam does both).
   */
  setNextFullTransactionId(fxid: FullTransactionId): void {
    Assert(xidFromFull(fxid) >= FirstNormalTransactionId, 'nextXid must be a normal XID');
    this.lw.acquire(this.xidGenLock, LWLockMode.Exclusive);
    this.f64[F_NEXT_XID] = fxid;
    this.lw.release(this.xidGenLock);
  }

  /**
   * AdvanceNextFullTransactionIdPastXid, for redo: a replayed record names
   * `xid`, so nextXid must be past it; an XID numerically below nextXid's
   * that still follows it modulo 2^32 is in the next epoch.
   */
  advanceNextFullTransactionIdPastXid(xid: TransactionId): void {
    const next = this.f64[F_NEXT_XID];
    const nextXid = xidFromFull(next);
    if (!transactionIdFollowsOrEquals(xid, nextXid)) return;
    const after = transactionIdAdvance(xid);
    let epoch = epochFromFull(next);
    if (after < nextXid) epoch++;
    this.lw.acquire(this.xidGenLock, LWLockMode.Exclusive);
    this.f64[F_NEXT_XID] = fullTransactionId(epoch, after);
    this.lw.release(this.xidGenLock);
  }

  /**
   * SetTransactionIdLimit: vacuum (or startup) found `oldestXid` to be the
   * oldest unfrozen XID of any database, in database `oldestXidDb`; the
   * limits in the diagram above follow from it.
   */
  setTransactionIdLimit(oldestXid: TransactionId, oldestXidDb: number): void {
    Assert(oldestXid >= FirstNormalTransactionId, 'oldestXid must be a normal XID');
    let wrap = (oldestXid + (MaxTransactionId >>> 1)) >>> 0;
    if (wrap < FirstNormalTransactionId) wrap = (wrap + FirstNormalTransactionId) >>> 0;
    let stop = (wrap - XID_STOP_LIMIT_MARGIN) >>> 0;
    if (stop < FirstNormalTransactionId) stop = (stop - FirstNormalTransactionId) >>> 0;
    let warn = (wrap - XID_WARN_LIMIT_MARGIN) >>> 0;
    if (warn < FirstNormalTransactionId) warn = (warn - FirstNormalTransactionId) >>> 0;
    let vac = (oldestXid + AUTOVACUUM_FREEZE_MAX_AGE) >>> 0;
    if (vac < FirstNormalTransactionId) vac = (vac + FirstNormalTransactionId) >>> 0;
    this.lw.acquire(this.xidGenLock, LWLockMode.Exclusive);
    this.set(W_OLDEST_XID, oldestXid);
    this.set(W_VAC_LIMIT, vac);
    this.set(W_WARN_LIMIT, warn);
    this.set(W_STOP_LIMIT, stop);
    this.set(W_WRAP_LIMIT, wrap);
    this.set(W_OLDEST_XID_DB, oldestXidDb);
    const cur = xidFromFull(this.f64[F_NEXT_XID]);
    this.lw.release(this.xidGenLock);
    if (this.inRecovery) return;
    if (transactionIdFollowsOrEquals(cur, vac)) this.deps.requestAutovacuum?.();
    if (transactionIdFollowsOrEquals(cur, warn)) this.deps.notice(this.warnLimitNotice(oldestXidDb, (wrap - cur) >>> 0));
  }

  /** The limits, for tests and the playground. */
  limits(): { oldestXid: TransactionId; vac: TransactionId; warn: TransactionId; stop: TransactionId; wrap: TransactionId; oldestXidDb: number } {
    this.lw.acquire(this.xidGenLock, LWLockMode.Shared);
    const r = {
      oldestXid: this.get(W_OLDEST_XID),
      vac: this.get(W_VAC_LIMIT),
      warn: this.get(W_WARN_LIMIT),
      stop: this.get(W_STOP_LIMIT),
      wrap: this.get(W_WRAP_LIMIT),
      oldestXidDb: this.get(W_OLDEST_XID_DB),
    };
    this.lw.release(this.xidGenLock);
    return r;
  }

  /** GetNewObjectId (rule 4). The caller checks the OID is unused in its catalog. */
  getNewObjectId(): number {
    if (this.inRecovery) elog('cannot assign OIDs during recovery');
    this.lw.acquire(this.oidGenLock, LWLockMode.Exclusive);
    try {
      const next = this.get(W_NEXT_OID);
      if (next < FirstNormalObjectId && (!this.bootstrapMode || next < FirstGenbkiObjectId)) {
        // Wraparound, or the first assignment after initdb.
        this.set(W_NEXT_OID, this.bootstrapMode ? FirstGenbkiObjectId : FirstNormalObjectId);
        this.set(W_OID_COUNT, 0);
      }
      if (this.get(W_OID_COUNT) === 0) {
        if (this.deps.wal === null) elog('OIDs cannot be assigned without WAL');
        this.deps.wal.logNextOid((this.get(W_NEXT_OID) + VAR_OID_PREFETCH) >>> 0);
        this.set(W_OID_COUNT, VAR_OID_PREFETCH);
      }
      const result = this.get(W_NEXT_OID);
      this.set(W_NEXT_OID, (result + 1) >>> 0);
      this.set(W_OID_COUNT, this.get(W_OID_COUNT) - 1);
      return result;
    } finally {
      this.lw.release(this.oidGenLock);
    }
  }

  /** Redo of XLOG_NEXTOID and startup from a checkpoint: continue from `nextOid`, nothing prefetched. */
  setNextOid(nextOid: number): void {
    this.lw.acquire(this.oidGenLock, LWLockMode.Exclusive);
    this.set(W_NEXT_OID, nextOid >>> 0);
    this.set(W_OID_COUNT, 0);
    this.lw.release(this.oidGenLock);
  }

  /**
   * What a checkpoint records (the WAL module's checkpoint calls this). As in
   * PostgreSQL, an online checkpoint's nextOid includes the prefetched range:
   * replay restarts after every OID that may have been handed out, since the
   * NEXTOID record covering them is before the checkpoint's redo point.
   */
  getCheckpointFields(shutdown = false): CheckpointXidFields {
    this.lw.acquire(this.xidGenLock, LWLockMode.Shared);
    const nextXid = this.f64[F_NEXT_XID];
    const oldestXid = this.get(W_OLDEST_XID);
    const oldestXidDb = this.get(W_OLDEST_XID_DB);
    this.lw.release(this.xidGenLock);
    this.lw.acquire(this.oidGenLock, LWLockMode.Shared);
    let nextOid = this.get(W_NEXT_OID);
    if (!shutdown) nextOid = (nextOid + this.get(W_OID_COUNT)) >>> 0;
    this.lw.release(this.oidGenLock);
    return { nextXid, nextOid, oldestXid, oldestXidDb };
  }

  /** Startup from a checkpoint or pg_control: counters and limits. */
  setFromCheckpoint(f: CheckpointXidFields): void {
    this.setNextFullTransactionId(f.nextXid);
    this.setNextOid(f.nextOid);
    this.setTransactionIdLimit(f.oldestXid, f.oldestXidDb);
  }
}
