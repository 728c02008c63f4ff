/*
 * xact.ts — the transaction system of one backend (PostgreSQL's
 * access/transam/xact.c, plus the pending file deletes of catalog/storage.c).
 *
 * Exports:
 *   Xact                 one backend's transactions: the block state machine
 *                        the SQL layer drives, XID / command id assignment,
 *                        commit and abort, savepoints, callbacks
 *   TBlockState, TransState, IsolationLevel, XACT_* isolation levels,
 *   XactSettings, XactDeps, XactEvent, XactCallback, XactCallbackInfo,
 *   ResourceCleanup, PendingDeleteExecutor
 *   transamShmemSize, transamShmemInit, attachTransam, detachTransam,
 *   bootstrapTransam, bootstrapTransamFiles, startTransamRecovery, finishTransamRecovery,
 *   transamWalFromXLog, transamCheckpointFields, checkPointTransam,
 *   transamRedoCounters,
 *   TransamBackend, AttachTransamOptions   (wiring of the whole module)
 *
 * Two levels of state, as in PostgreSQL. The low level (TransState) is the
 * transaction's own life: DEFAULT -> START -> INPROGRESS -> COMMIT | ABORT
 * -> DEFAULT. The high level (TBlockState) is where the client's
 * BEGIN/COMMIT/SAVEPOINT commands have put us; the SQL layer calls
 * startTransactionCommand before and commitTransactionCommand after every
 * statement, abortCurrentTransaction after an error, and the block commands
 * in between. Top-level block states (transition: function):
 *
 *                    startTransactionCommand          commitTransactionCommand
 *        DEFAULT ---------------------------> STARTED --------------------------> DEFAULT
 *           ^                                 |   |  (a single statement commits)
 *           |                 beginTransactionBlock  beginImplicitTransactionBlock
 *           |                                 v   v                 (multi-statement query)
 *           |                               BEGIN IMPLICIT_INPROGRESS --endImplicit..--> STARTED
 *           |         commitTransactionCommand |
 *           |                                 v
 *           |  commit  END <--endTransactionBlock-- INPROGRESS --error: abortCurrentTransaction--> ABORT
 *           +------------------------------------/ |                                            |
 *           |                 userAbortTransactionBlock                  endTransactionBlock or  |
 *           |  abort + cleanup               v                           userAbortTransaction..  v
 *           +------------------------ ABORT_PENDING                          cleanup <---- ABORT_END
 *
 * Subtransactions (savepoints) stack TransactionState objects; each has its
 * own block state:
 *
 *   INPROGRESS/SUBINPROGRESS --defineSavepoint--> (new level) SUBBEGIN
 *       --commitTransactionCommand--> SUBINPROGRESS
 *   SUBINPROGRESS --releaseSavepoint--> SUBRELEASE --commitTransactionCommand--> popped (committed into parent)
 *   SUBINPROGRESS --endTransactionBlock (COMMIT)--> SUBCOMMIT --> popped, then the top level commits
 *   SUBINPROGRESS --error--> SUBABORT (subtransaction aborted, waiting for ROLLBACK [TO])
 *   SUBINPROGRESS --rollbackToSavepoint, levels above target--> SUBABORT_PENDING --> aborted, popped
 *   SUBABORT      --rollbackToSavepoint, levels above target--> SUBABORT_END     --> popped
 *   target level: SUBINPROGRESS --> SUBRESTART, SUBABORT --> SUBABORT_RESTART
 *       --commitTransactionCommand--> aborted, popped, and a new SUBINPROGRESS
 *         subtransaction with the same savepoint name pushed
 *   any level --ROLLBACK (userAbortTransactionBlock)--> SUBABORT_PENDING / SUBABORT_END,
 *       the top to ABORT_PENDING / ABORT_END
 *
 * assertXactState() checks the invariants of these states.
 *
 * Rules:
 *  1. XIDs are assigned lazily, on the first write (getCurrentTransactionId);
 *     a read-only transaction has none, writes no WAL and ends without
 *     touching CLOG. A subtransaction's parents get their XIDs first, so a
 *     child's XID always follows its parent's (pg_subtrans walks rely on it).
 *  2. Commit: the commit record is written and flushed, then CLOG marks the
 *     tree committed, then the proc array drops the XID (DESIGN.md section 5,
 *     rule 2). Between the record and CLOG the backend delays checkpoints
 *     (DELAY_CHKPT_START), so a checkpoint's redo point never falls between
 *     them. With synchronous_commit off the flush is skipped and the LSN goes
 *     to CLOG's group LSN instead. Errors in this sequence are PANIC.
 *  3. Abort: an abort record (not flushed: a lost abort reads as a crash,
 *     which is an abort too), CLOG aborted, proc array. A subtransaction abort
 *     does the same for the subtransaction's tree only.
 *  4. Resources are released at the end of every (sub)transaction, abort or
 *     commit, through the registered ResourceCleanups; LWLocks are released
 *     first on abort.
 *  5. Relation files dropped in a transaction are deleted only after it
 *     commits, files created in it only after it aborts (pending deletes);
 *     both lists go into the commit / abort record for redo.
 */

import type { StorageDirectory } from '@tabgres/opfs-storage';
import { XACT_NESTING_DEPTH_MAX } from '../../constants.ts';
import { DELAY_CHKPT_START, ProcArray, procArrayShmemInit, procArrayShmemSize } from '../../storage/ipc/procarray.ts';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import type { RelFileLocator } from '../../storage/relfilelocator.ts';
import { Assert, ereport, PgError, SQLSTATE } from '../../utils/errors.ts';
import { ComboCids, FirstCommandId, InvalidCommandId } from '../../utils/time/combocid.ts';
import { SnapshotManager, type SnapshotXactHooks } from '../../utils/time/snapmgr.ts';
import { Clog, clogShmemInit, clogShmemSize } from './clog.ts';
import type { CheckPoint } from '../../catalog/pg_control.ts';
import { RM_XACT_ID, type RedoCounters } from './rmgr.ts';
import { SubTrans, subtransShmemInit, subtransShmemSize } from './subtrans.ts';
import { MultiXact, multixactShmemInit, multixactShmemSize } from './multixact.ts';
import {
  FirstGenbkiObjectId,
  FirstNormalTransactionId,
  InvalidTransactionId,
  TransamStatus,
  discardNotices,
  fullTransactionId,
  transactionIdFollows,
  transactionIdLatest,
  transactionIdPrecedes,
  transactionIdRetreat,
  xidFromFull,
  type FullTransactionId,
  type NoticeSink,
  type TransactionId,
  type TransamWal,
} from './transam.ts';
import { VarSup, varsupShmemInit, varsupShmemSize, type CheckpointXidFields } from './varsup.ts';
import { currentTimestamp, encodeXactRecord, XLOG_XACT_ABORT, XLOG_XACT_COMMIT } from './xact_redo.ts';
import type { XLog } from './xlog.ts';
import type { XLogRecPtr } from './xlogdefs.ts';

export type TransState = 'DEFAULT' | 'START' | 'INPROGRESS' | 'COMMIT' | 'ABORT';

export type TBlockState =
  | 'DEFAULT'
  | 'STARTED'
  | 'BEGIN'
  | 'INPROGRESS'
  | 'IMPLICIT_INPROGRESS'
  | 'END'
  | 'ABORT'
  | 'ABORT_END'
  | 'ABORT_PENDING'
  | 'SUBBEGIN'
  | 'SUBINPROGRESS'
  | 'SUBRELEASE'
  | 'SUBCOMMIT'
  | 'SUBABORT'
  | 'SUBABORT_END'
  | 'SUBABORT_PENDING'
  | 'SUBRESTART'
  | 'SUBABORT_RESTART';

export const XACT_READ_UNCOMMITTED = 0;
export const XACT_READ_COMMITTED = 1;
export const XACT_REPEATABLE_READ = 2;
export const XACT_SERIALIZABLE = 3;
export type IsolationLevel = 0 | 1 | 2 | 3;

/** The GUCs this module reads (each backend's own values). */
export interface XactSettings {
  /** synchronous_commit: false skips the commit-record flush (rule 2). */
  synchronousCommit: boolean;
  /** default_transaction_isolation. */
  defaultIsolationLevel: IsolationLevel;
  /** default_transaction_read_only. */
  defaultReadOnly: boolean;
}

export type XactEvent = 'pre_commit' | 'commit' | 'abort' | 'subcommit' | 'subabort';

export interface XactCallbackInfo {
  /** The XID of the (sub)transaction ending, 0 if it had none. */
  xid: TransactionId;
  /** Its SubTransactionId (1 for the top level) and its parent's (0 at top level). */
  subTransactionId: number;
  parentSubTransactionId: number;
  nestingLevel: number;
}

/** RegisterXactCallback / RegisterSubXactCallback in one. 'pre_commit' may throw to abort the commit. */
export type XactCallback = (event: XactEvent, info: XactCallbackInfo) => void;

/**
 * A resource manager (buffer pins, heavyweight locks, temp files, ...) that
 * must be cleaned up when a transaction or subtransaction ends. Resources
 * taken in a subtransaction are tagged with getCurrentSubTransactionId().
 */
export interface ResourceCleanup {
  /** End of the top-level transaction: release everything (warn about leaks at commit). */
  atEOXact(isCommit: boolean): void;
  /** End of a subtransaction: release what `mySubid` took on abort, hand it to `parentSubid` on commit. */
  atEOSubXact?(isCommit: boolean, mySubid: number, parentSubid: number): void;
}

/** Removes relation files (the storage manager registers it): at commit/abort, and in redo. */
export type PendingDeleteExecutor = (rels: readonly RelFileLocator[]) => void;

export interface XactDeps {
  procno: number;
  lw: LWLockOwner;
  procArray: ProcArray;
  varsup: VarSup;
  status: TransamStatus;
  subtrans: SubTrans;
  wal: TransamWal;
  notice?: NoticeSink;
  settings?: Partial<XactSettings>;
}

const TopSubTransactionId = 1;
const InvalidSubTransactionId = 0;
const MAX_SUBTRANSACTION_ID = 0xffffffff;

/** One level of the transaction stack (TransactionStateData). */
class TransactionStateData {
  /** Set only through setFullTransactionId, which keeps `xid` in step. */
  fullTransactionId: FullTransactionId = 0;
  /**
   * The 32-bit XID of fullTransactionId (InvalidTransactionId when none), kept
   * as a field: isCurrentTransactionId reads it for nearly every tuple a scan
   * checks, and deriving it is a floating-point modulo.
   */
  xid: TransactionId = InvalidTransactionId;
  subTransactionId = InvalidSubTransactionId;
  /** Savepoint name; null at the top level and for internal subtransactions. */
  name: string | null = null;
  savepointLevel = 0;
  state: TransState = 'DEFAULT';
  blockState: TBlockState = 'DEFAULT';
  nestingLevel = 0;
  /** XIDs of committed children (and their children), in XID order. */
  childXids: number[] = [];
  prevXactReadOnly = false;
  /** COMMIT AND CHAIN / ROLLBACK AND CHAIN. */
  chain = false;

  constructor(readonly parent: TransactionStateData | null) {}

  setFullTransactionId(fxid: FullTransactionId): void {
    this.fullTransactionId = fxid;
    this.xid = fxid === 0 ? InvalidTransactionId : xidFromFull(fxid);
  }
}

interface PendingDelete {
  rlocator: RelFileLocator;
  atCommit: boolean;
  nestLevel: number;
}

const SUB_STATES: ReadonlySet<TBlockState> = new Set<TBlockState>([
  'SUBBEGIN',
  'SUBINPROGRESS',
  'SUBRELEASE',
  'SUBCOMMIT',
  'SUBABORT',
  'SUBABORT_END',
  'SUBABORT_PENDING',
  'SUBRESTART',
  'SUBABORT_RESTART',
]);

/** The low-level state each block state implies (assertXactState). */
const STATE_OF_BLOCK: Record<TBlockState, TransState> = {
  DEFAULT: 'DEFAULT',
  STARTED: 'INPROGRESS',
  BEGIN: 'INPROGRESS',
  INPROGRESS: 'INPROGRESS',
  IMPLICIT_INPROGRESS: 'INPROGRESS',
  END: 'INPROGRESS',
  ABORT: 'ABORT',
  ABORT_END: 'ABORT',
  ABORT_PENDING: 'INPROGRESS',
  SUBBEGIN: 'DEFAULT',
  SUBINPROGRESS: 'INPROGRESS',
  SUBRELEASE: 'INPROGRESS',
  SUBCOMMIT: 'INPROGRESS',
  SUBABORT: 'ABORT',
  SUBABORT_END: 'ABORT',
  SUBABORT_PENDING: 'INPROGRESS',
  SUBRESTART: 'INPROGRESS',
  SUBABORT_RESTART: 'ABORT',
};

function fatal(message: string): never {
  throw new PgError(SQLSTATE.internal_error, message, { severity: 'FATAL' });
}

/** The transactions of one backend. */
export class Xact implements SnapshotXactHooks {
  readonly snapmgr: SnapshotManager;
  /** SSI's PreCommit_CheckForSerializationFailure (storage/lmgr/predicate.ts), run after the pre_commit callbacks; may throw 40001. */
  preCommitSerializationCheck: (() => void) | null = null;
  readonly combo = new ComboCids();
  readonly settings: XactSettings;
  private readonly procno: number;
  private readonly lw: LWLockOwner;
  private readonly procArray: ProcArray;
  private readonly varsup: VarSup;
  private readonly status: TransamStatus;
  private readonly subtrans: SubTrans;
  private readonly wal: TransamWal;
  private readonly notice: NoticeSink;

  private readonly top = new TransactionStateData(null);
  private current: TransactionStateData = this.top;
  private currentSubTransactionId = InvalidSubTransactionId;
  private curCommandId = FirstCommandId;
  private currentCommandIdUsed = false;
  private nextLocalXid = 1;
  private xactIsoLevelValue: IsolationLevel = XACT_READ_COMMITTED;
  private xactReadOnlyValue = false;
  private xactStartTimestamp = 0;
  private stmtStartTimestamp = 0;
  private xactStopTimestamp = 0;
  /** End of the last commit/abort record this backend wrote (XactLastRecEnd). */
  private lastRecEnd: XLogRecPtr = 0;

  private readonly callbacks: XactCallback[] = [];
  private readonly cleanups: ResourceCleanup[] = [];
  private readonly cciCallbacks: (() => void)[] = [];
  private readonly xidAssignedCallbacks: ((xid: TransactionId, isSubXact: boolean, subid: number) => void)[] = [];
  private pendingDeletes: PendingDelete[] = [];
  private pendingDeleteExecutor: PendingDeleteExecutor | null = null;

  constructor(deps: XactDeps) {
    this.procno = deps.procno;
    this.lw = deps.lw;
    this.procArray = deps.procArray;
    this.varsup = deps.varsup;
    this.status = deps.status;
    this.subtrans = deps.subtrans;
    this.wal = deps.wal;
    this.notice = deps.notice ?? discardNotices;
    this.settings = {
      synchronousCommit: deps.settings?.synchronousCommit ?? true,
      defaultIsolationLevel: deps.settings?.defaultIsolationLevel ?? XACT_READ_COMMITTED,
      defaultReadOnly: deps.settings?.defaultReadOnly ?? false,
    };
    this.snapmgr = new SnapshotManager(deps.procArray, deps.procno, deps.status, this);
  }

  /* ==== registration ==== */

  /** RegisterXactCallback + RegisterSubXactCallback. Returns the unregister function. */
  registerXactCallback(fn: XactCallback): () => void {
    this.callbacks.push(fn);
    return () => {
      const i = this.callbacks.indexOf(fn);
      if (i >= 0) this.callbacks.splice(i, 1);
    };
  }

  /** Adds a resource manager to release at (sub)transaction end (rule 4). */
  registerResourceCleanup(rc: ResourceCleanup): () => void {
    this.cleanups.push(rc);
    return () => {
      const i = this.cleanups.indexOf(rc);
      if (i >= 0) this.cleanups.splice(i, 1);
    };
  }

  /** Called by commandCounterIncrement after a command that changed something (AtCCI_LocalCache: catalog caches). */
  registerCommandCounterCallback(fn: () => void): void {
    this.cciCallbacks.push(fn);
  }

  /**
   * Called when an XID is assigned (XactLockTableInsert: the lock manager
   * locks the XID), with the subtransaction id of the (sub)transaction it
   * belongs to: a parent's XID may be assigned while a child is current.
   */
  registerXidAssignedCallback(fn: (xid: TransactionId, isSubXact: boolean, subid: number) => void): void {
    this.xidAssignedCallbacks.push(fn);
  }

  /** The storage manager's file remover (rule 5). */
  setPendingDeleteExecutor(fn: PendingDeleteExecutor): void {
    this.pendingDeleteExecutor = fn;
  }

  /**
   * RelationDropStorage (atCommit = true) / RelationCreateStorage's
   * cleanup (atCommit = false): delete `rlocator`'s files when the current
   * (sub)transaction commits, resp. aborts (rule 5).
   */
  registerPendingDelete(rlocator: RelFileLocator, atCommit: boolean): void {
    Assert(this.current.state === 'INPROGRESS', 'pending deletes are registered inside a transaction');
    this.pendingDeletes.push({ rlocator: { ...rlocator }, atCommit, nestLevel: this.current.nestingLevel });
  }

  /* ==== simple accessors ==== */

  /** GetTopTransactionIdIfAny. */
  getTopTransactionIdIfAny(): TransactionId {
    return this.top.xid;
  }

  /** GetTopTransactionId: assigns the top-level XID if there is none yet. */
  getTopTransactionId(): TransactionId {
    if (this.top.fullTransactionId === 0) this.assignTransactionId(this.top);
    return this.top.xid;
  }

  /** GetCurrentTransactionIdIfAny: the innermost (sub)transaction's XID, 0 if none. */
  getCurrentTransactionIdIfAny(): TransactionId {
    return this.current.xid;
  }

  /** GetCurrentTransactionId: assigns XIDs up the stack as needed (rule 1). Call before the first write. */
  getCurrentTransactionId(): TransactionId {
    if (this.current.fullTransactionId === 0) this.assignTransactionId(this.current);
    return this.current.xid;
  }

  /** The top-level XID, 0 if none (for the storage API and the playground). */
  get currentXid(): TransactionId {
    return this.top.xid;
  }

  /** IsTransactionOrTransactionBlock: inside any transaction or block. */
  get isInTransaction(): boolean {
    return this.top.blockState !== 'DEFAULT';
  }

  /** IsTransactionState: a transaction is running normally (not aborting, not idle). */
  isTransactionState(): boolean {
    return this.current.state === 'INPROGRESS';
  }

  /** GetCurrentSubTransactionId. */
  getCurrentSubTransactionId(): number {
    return this.current.subTransactionId;
  }

  /** GetCurrentTransactionNestLevel (also SnapshotXactHooks.nestingLevel). */
  nestingLevel(): number {
    return this.current.nestingLevel;
  }

  isSubTransaction(): boolean {
    return this.current.nestingLevel >= 2;
  }

  get xactIsoLevel(): IsolationLevel {
    return this.xactIsoLevelValue;
  }

  get xactReadOnly(): boolean {
    return this.xactReadOnlyValue;
  }

  /** IsolationUsesXactSnapshot. */
  usesXactSnapshot(): boolean {
    return this.xactIsoLevelValue >= XACT_REPEATABLE_READ;
  }

  /** SnapshotXactHooks: GetCurrentCommandId(false). */
  currentCommandId(): number {
    return this.curCommandId;
  }

  /** GetCurrentTransactionStartTimestamp (now()), microseconds since 2000. */
  getTransactionStartTimestamp(): number {
    return this.xactStartTimestamp;
  }

  getStatementStartTimestamp(): number {
    return this.stmtStartTimestamp;
  }

  /** SetCurrentStatementStartTimestamp: the SQL layer calls it as a statement arrives. */
  setStatementStartTimestamp(us: number = currentTimestamp()): void {
    this.stmtStartTimestamp = us;
  }

  /** The commit/abort timestamp of the last transaction (xactStopTimestamp). */
  getTransactionStopTimestamp(): number {
    return this.xactStopTimestamp;
  }

  /* ==== transaction ids ==== */

  /**
   * TransactionIdIsCurrentTransactionId: is `xid` my top-level XID, or that
   * of a subtransaction of mine that is not aborted (still open, or
   * committed into an open one)?
   */
  isCurrentTransactionId(xid: TransactionId): boolean {
    if (xid < FirstNormalTransactionId) return false;
    const top = this.top;
    if (xid === top.xid) return true;
    // No subtransaction open and none committed into the top level (the
    // common case, asked once or twice per tuple a scan checks): nothing else is mine.
    if (this.current === top && top.childXids.length === 0) return false;
    for (let s: TransactionStateData | null = this.current; s !== null; s = s.parent) {
      if (s.state === 'ABORT' || s.fullTransactionId === 0) continue;
      if (xid === s.xid) return true;
      // childXids is in XID order: binary search with modular comparisons.
      const kids = s.childXids;
      let low = 0;
      let high = kids.length - 1;
      while (low <= high) {
        const mid = (low + high) >>> 1;
        const probe = kids[mid];
        if (probe === xid) return true;
        if (transactionIdPrecedes(probe, xid)) low = mid + 1;
        else high = mid - 1;
      }
    }
    return false;
  }

  /**
   * AssignTransactionId (rule 1): parents first, without recursion, then
   * `s` itself; pg_subtrans learns a subtransaction's parent at once.
   */
  private assignTransactionId(s: TransactionStateData): void {
    Assert(s.fullTransactionId === 0 && s.state === 'INPROGRESS', 'assigning an XID outside a running transaction');
    const missing: TransactionStateData[] = [];
    for (let p = s.parent; p !== null && p.fullTransactionId === 0; p = p.parent) missing.push(p);
    for (let i = missing.length - 1; i >= 0; i--) this.assignOne(missing[i]);
    this.assignOne(s);
  }

  private assignOne(s: TransactionStateData): void {
    const isSubXact = s.parent !== null;
    s.setFullTransactionId(this.varsup.getNewTransactionId(this.procno, isSubXact));
    if (isSubXact) this.subtrans.setParent(s.xid, (s.parent as TransactionStateData).xid);
    for (const fn of this.xidAssignedCallbacks) fn(s.xid, isSubXact, s.subTransactionId);
  }

  /* ==== command ids ==== */

  /**
   * GetCurrentCommandId: `used` = true when the caller will stamp tuples
   * with it, so the next commandCounterIncrement must really advance.
   */
  getCurrentCommandId(used: boolean): number {
    if (used) this.currentCommandIdUsed = true;
    return this.curCommandId;
  }

  /**
   * CommandCounterIncrement: makes the effects of the commands so far
   * visible to the following ones. A command that changed nothing does not
   * use up a command id.
   */
  commandCounterIncrement(): void {
    if (!this.currentCommandIdUsed) return;
    if (this.curCommandId + 1 >= InvalidCommandId) {
      ereport(SQLSTATE.program_limit_exceeded, 'cannot have more than 2^32-2 commands in a transaction');
    }
    this.curCommandId++;
    this.currentCommandIdUsed = false;
    this.snapmgr.snapshotSetCommandId(this.curCommandId);
    for (const fn of this.cciCallbacks) fn();
  }

  /** Moves the command counter near its limit, for tests of the 2^32-2 error. */
  setCommandIdForTests(cid: number): void {
    this.curCommandId = cid;
  }

  /* ==== isolation and read-only ==== */

  /** SET TRANSACTION ISOLATION LEVEL (check_transaction_isolation's rules). */
  setTransactionIsolation(level: IsolationLevel): void {
    if (level !== this.xactIsoLevelValue && this.isTransactionState()) {
      if (this.snapmgr.firstSnapshotSet) {
        ereport(SQLSTATE.active_sql_transaction, 'SET TRANSACTION ISOLATION LEVEL must be called before any query');
      }
      if (this.isSubTransaction()) {
        ereport(SQLSTATE.active_sql_transaction, 'SET TRANSACTION ISOLATION LEVEL must not be called in a subtransaction');
      }
    }
    this.xactIsoLevelValue = level;
  }

  /** SET TRANSACTION READ ONLY / READ WRITE (check_transaction_read_only's rules). */
  setTransactionReadOnly(readOnly: boolean): void {
    if (!readOnly && this.xactReadOnlyValue && this.isTransactionState()) {
      if (this.current.parent !== null && this.current.prevXactReadOnly) {
        ereport(SQLSTATE.active_sql_transaction, 'cannot set transaction read-write mode inside a read-only transaction');
      }
      if (this.snapmgr.firstSnapshotSet) {
        ereport(SQLSTATE.active_sql_transaction, 'transaction read-write mode must be set before any query');
      }
    }
    this.xactReadOnlyValue = readOnly;
  }

  /** PreventCommandIfReadOnly. */
  preventCommandIfReadOnly(cmdname: string): void {
    if (this.xactReadOnlyValue) ereport(SQLSTATE.read_only_sql_transaction, `cannot execute ${cmdname} in a read-only transaction`);
  }

  /* ==== callbacks and cleanup ==== */

  private info(s: TransactionStateData): XactCallbackInfo {
    return {
      xid: s.xid,
      subTransactionId: s.subTransactionId,
      parentSubTransactionId: s.parent?.subTransactionId ?? InvalidSubTransactionId,
      nestingLevel: s.nestingLevel,
    };
  }

  /** Runs callbacks after the point of no return: an error is reported as a WARNING and cleanup goes on. */
  private runSafely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.notice(new PgError(SQLSTATE.internal_error, `error during ${what}: ${msg}`, { severity: 'WARNING' }));
    }
  }

  private callCallbacks(event: XactEvent, s: TransactionStateData, safe: boolean): void {
    if (this.callbacks.length === 0) return;
    const info = this.info(s);
    for (const fn of [...this.callbacks]) {
      if (safe) this.runSafely(`${event} callback`, () => fn(event, info));
      else fn(event, info);
    }
  }

  private releaseResources(isCommit: boolean): void {
    for (const rc of this.cleanups) this.runSafely('resource cleanup', () => rc.atEOXact(isCommit));
  }

  private releaseSubResources(isCommit: boolean, s: TransactionStateData): void {
    const parentSubid = (s.parent as TransactionStateData).subTransactionId;
    for (const rc of this.cleanups) {
      if (rc.atEOSubXact !== undefined) {
        const f = rc.atEOSubXact.bind(rc);
        this.runSafely('resource cleanup', () => f(isCommit, s.subTransactionId, parentSubid));
      }
    }
  }

  /** smgrGetPendingDeletes: files to delete when the current level ends with `forCommit`. */
  private getPendingDeletes(forCommit: boolean): RelFileLocator[] {
    if (this.pendingDeletes.length === 0) return [];
    const level = this.current.nestingLevel;
    return this.pendingDeletes.filter((p) => p.nestLevel >= level && p.atCommit === forCommit).map((p) => p.rlocator);
  }

  /** smgrDoPendingDeletes: forget the current level's entries, deleting those due now. */
  private doPendingDeletes(isCommit: boolean): void {
    if (this.pendingDeletes.length === 0) return;
    const level = this.current.nestingLevel;
    const due: RelFileLocator[] = [];
    const keep: PendingDelete[] = [];
    for (const p of this.pendingDeletes) {
      if (p.nestLevel < level) keep.push(p);
      else if (p.atCommit === isCommit) due.push(p.rlocator);
    }
    this.pendingDeletes = keep;
    if (due.length > 0) {
      const exec = this.pendingDeleteExecutor;
      if (exec === null) {
        this.notice(new PgError(SQLSTATE.internal_error, 'relation files to delete, but no storage manager registered', { severity: 'WARNING' }));
      } else {
        this.runSafely('file deletion', () => exec(due));
      }
    }
  }

  /** AtSubCommit_smgr: the committed level's entries now belong to its parent. */
  private reassignPendingDeletesToParent(): void {
    const level = this.current.nestingLevel;
    for (const p of this.pendingDeletes) if (p.nestLevel >= level) p.nestLevel = level - 1;
  }

  private warnState(what: string, state: TransState): void {
    this.notice(new PgError(SQLSTATE.internal_error, `${what} while in ${state} state`, { severity: 'WARNING' }));
  }

  /* ==== low level: one transaction ==== */

  /** StartTransaction. */
  private startTransaction(): void {
    const s = this.top;
    this.current = s;
    Assert(s.state === 'DEFAULT', `StartTransaction while in ${s.state} state`);
    s.state = 'START';
    s.setFullTransactionId(0);
    this.xactIsoLevelValue = this.settings.defaultIsolationLevel;
    this.xactReadOnlyValue = this.settings.defaultReadOnly;
    s.subTransactionId = TopSubTransactionId;
    this.currentSubTransactionId = TopSubTransactionId;
    this.curCommandId = FirstCommandId;
    this.currentCommandIdUsed = false;
    const lxid = this.nextLocalXid;
    this.nextLocalXid = lxid === 0xffffffff ? 1 : lxid + 1;
    this.procArray.setLocalXid(this.procno, lxid);
    this.xactStartTimestamp = this.stmtStartTimestamp !== 0 ? this.stmtStartTimestamp : currentTimestamp();
    this.xactStopTimestamp = 0;
    s.nestingLevel = 1;
    s.childXids = [];
    s.state = 'INPROGRESS';
  }

  /** CommitTransaction. */
  private commitTransaction(): void {
    const s = this.top;
    Assert(this.current === s, 'CommitTransaction with subtransactions open');
    if (s.state !== 'INPROGRESS') this.warnState('CommitTransaction', s.state);
    // Last chance for callbacks to fail the commit (deferred triggers, ...).
    this.callCallbacks('pre_commit', s, false);
    // PreCommit_CheckForSerializationFailure: after everything that may still read or write.
    if (this.preCommitSerializationCheck !== null) this.preCommitSerializationCheck();
    s.state = 'COMMIT';
    const latestXid = this.recordTransactionCommit();
    this.procArray.endTransaction(this.procno, latestXid);
    this.callCallbacks('commit', s, true);
    this.releaseResources(true);
    this.doPendingDeletes(true);
    this.atEndOfTransaction(true);
  }

  /**
   * RecordTransactionCommit (rule 2). Returns the newest XID of the tree,
   * or 0 for a transaction that assigned none (nothing to record).
   */
  private recordTransactionCommit(): TransactionId {
    const xid = this.top.xid;
    const rels = this.getPendingDeletes(true);
    const children = this.top.childXids;
    if (xid === InvalidTransactionId) {
      // Dropping a relation always updates a catalog first, which assigns an XID.
      Assert(rels.length === 0, 'a transaction without XID cannot delete files');
      // Nothing to record, so no stop timestamp either (as RecordTransactionCommit):
      // a read-only statement skips the clock read.
      return InvalidTransactionId;
    }
    this.xactStopTimestamp = currentTimestamp();
    const { info, data } = encodeXactRecord(XLOG_XACT_COMMIT, { xactTime: this.xactStopTimestamp, subxacts: children, rels });
    this.procArray.setDelayChkpt(this.procno, DELAY_CHKPT_START);
    try {
      const lsn = this.wal.insertRecord(RM_XACT_ID, info, data, xid);
      this.lastRecEnd = lsn;
      // Deleting files cannot wait for a later flush: the commit must be durable first.
      if (this.settings.synchronousCommit || rels.length > 0) {
        this.wal.flush(lsn);
        this.status.commitTree(xid, children);
      } else {
        this.wal.setAsyncXactLsn(lsn);
        this.status.asyncCommitTree(xid, children, children.length, lsn);
      }
    } catch (e) {
      throw this.criticalSectionFailure(e);
    } finally {
      this.procArray.setDelayChkpt(this.procno, 0);
    }
    return transactionIdLatest(xid, children);
  }

  /** An error inside a critical section leaves shared state unknown: PANIC (PostgreSQL's START_CRIT_SECTION). */
  private criticalSectionFailure(e: unknown): PgError {
    const msg = e instanceof Error ? e.message : String(e);
    const code = e instanceof PgError ? e.code : SQLSTATE.internal_error;
    return new PgError(code, msg, { severity: 'PANIC' });
  }

  /**
   * RecordTransactionAbort (rule 3): for the current (sub)transaction and
   * its committed children. Returns the newest XID of that tree, 0 if none.
   */
  private recordTransactionAbort(isSubXact: boolean): TransactionId {
    const s = this.current;
    const xid = s.xid;
    if (xid === InvalidTransactionId) return InvalidTransactionId;
    if (this.status.didCommit(xid)) {
      throw new PgError(SQLSTATE.internal_error, `cannot abort transaction ${xid}, it was already committed`, { severity: 'PANIC' });
    }
    const rels = this.getPendingDeletes(false);
    const children = s.childXids;
    const xactTime = isSubXact ? currentTimestamp() : (this.xactStopTimestamp = currentTimestamp());
    const { info, data } = encodeXactRecord(XLOG_XACT_ABORT, { xactTime, subxacts: children, rels });
    try {
      const lsn = this.wal.insertRecord(RM_XACT_ID, info, data, xid);
      this.lastRecEnd = lsn;
      if (!isSubXact) this.wal.setAsyncXactLsn(lsn);
      this.status.abortTree(xid, children);
    } catch (e) {
      throw this.criticalSectionFailure(e);
    }
    const latestXid = transactionIdLatest(xid, children);
    if (isSubXact) this.procArray.removeSubxids(this.procno, xid, children, children.length, latestXid);
    return latestXid;
  }

  /** AbortTransaction: everything but forgetting the state (which waits for ROLLBACK in a block). */
  private abortTransaction(): void {
    this.lw.releaseAll();
    this.procArray.setDelayChkpt(this.procno, 0);
    const s = this.top;
    this.current = s;
    if (s.state !== 'INPROGRESS') this.warnState('AbortTransaction', s.state);
    s.state = 'ABORT';
    const latestXid = this.recordTransactionAbort(false);
    this.procArray.endTransaction(this.procno, latestXid);
    this.callCallbacks('abort', s, true);
    this.releaseResources(false);
    this.doPendingDeletes(false);
  }

  /** CleanupTransaction. */
  private cleanupTransaction(): void {
    const s = this.top;
    if (s.state !== 'ABORT') fatal(`CleanupTransaction: unexpected state ${s.state}`);
    this.atEndOfTransaction(false);
  }

  /** What commit and cleanup share: forget the transaction. */
  private atEndOfTransaction(isCommit: boolean): void {
    const s = this.top;
    this.combo.atEOXact();
    this.snapmgr.atEOXact(isCommit, this.notice);
    this.pendingDeletes = [];
    s.setFullTransactionId(0);
    s.subTransactionId = InvalidSubTransactionId;
    s.nestingLevel = 0;
    s.childXids = [];
    s.name = null;
    this.current = s;
    s.state = 'DEFAULT';
  }

  /* ==== low level: subtransactions ==== */

  /** PushTransaction: a new, not yet started level (blockState SUBBEGIN). */
  private pushTransaction(): TransactionStateData {
    const p = this.current;
    if (p.nestingLevel >= XACT_NESTING_DEPTH_MAX) {
      ereport(SQLSTATE.program_limit_exceeded, `cannot have more than ${XACT_NESTING_DEPTH_MAX} nested subtransactions`);
    }
    if (this.currentSubTransactionId >= MAX_SUBTRANSACTION_ID) {
      ereport(SQLSTATE.program_limit_exceeded, 'cannot have more than 2^32-1 subtransactions in a transaction');
    }
    this.currentSubTransactionId++;
    const s = new TransactionStateData(p);
    s.subTransactionId = this.currentSubTransactionId;
    s.nestingLevel = p.nestingLevel + 1;
    s.savepointLevel = p.savepointLevel;
    s.state = 'DEFAULT';
    s.blockState = 'SUBBEGIN';
    s.prevXactReadOnly = this.xactReadOnlyValue;
    this.current = s;
    return s;
  }

  private popTransaction(): void {
    const s = this.current;
    if (s.state !== 'DEFAULT') this.warnState('PopTransaction', s.state);
    if (s.parent === null) fatal('PopTransaction with no parent');
    this.current = s.parent;
  }

  private startSubTransaction(): void {
    const s = this.current;
    if (s.state !== 'DEFAULT') this.warnState('StartSubTransaction', s.state);
    s.state = 'START';
    s.state = 'INPROGRESS';
  }

  /** CommitSubTransaction: its XIDs become the parent's children; resources pass to the parent. */
  private commitSubTransaction(): void {
    const s = this.current;
    const parent = s.parent as TransactionStateData;
    if (s.state !== 'INPROGRESS') this.warnState('CommitSubTransaction', s.state);
    s.state = 'COMMIT';
    // The subtransaction's commands must be seen as done by the parent's next ones.
    this.commandCounterIncrement();
    if (s.fullTransactionId !== 0) {
      parent.childXids.push(s.xid);
      for (const c of s.childXids) parent.childXids.push(c);
    }
    this.callCallbacks('subcommit', s, true);
    this.releaseSubResources(true, s);
    this.reassignPendingDeletesToParent();
    this.snapmgr.atSubCommit(s.nestingLevel);
    this.xactReadOnlyValue = s.prevXactReadOnly;
    s.state = 'DEFAULT';
    this.popTransaction();
  }

  /** AbortSubTransaction (rule 3). */
  private abortSubTransaction(): void {
    this.lw.releaseAll();
    const s = this.current;
    if (s.state !== 'INPROGRESS') this.warnState('AbortSubTransaction', s.state);
    s.state = 'ABORT';
    this.recordTransactionAbort(true);
    this.callCallbacks('subabort', s, true);
    this.releaseSubResources(false, s);
    this.doPendingDeletes(false);
    this.snapmgr.atSubAbort(s.nestingLevel);
    this.xactReadOnlyValue = s.prevXactReadOnly;
  }

  private cleanupSubTransaction(): void {
    const s = this.current;
    if (s.state !== 'ABORT') this.warnState('CleanupSubTransaction', s.state);
    s.childXids = [];
    s.state = 'DEFAULT';
    this.popTransaction();
  }

  /* ==== high level: the block state machine ==== */

  /** StartTransactionCommand: before each statement. */
  startTransactionCommand(): void {
    const s = this.current;
    switch (s.blockState) {
      case 'DEFAULT':
        this.startTransaction();
        s.blockState = 'STARTED';
        break;
      case 'INPROGRESS':
      case 'IMPLICIT_INPROGRESS':
      case 'SUBINPROGRESS':
        break;
      case 'ABORT':
      case 'SUBABORT':
        break; // a failed transaction: the statement will be rejected (checkNotAborted) unless it ends the block
      default:
        fatal(`StartTransactionCommand: unexpected state ${s.blockState}`);
    }
  }

  /** CommitTransactionCommand: after each statement; carries out what the block commands decided. */
  commitTransactionCommand(): void {
    const saved = { iso: this.xactIsoLevelValue, readOnly: this.xactReadOnlyValue };
    for (let round = 0; round <= XACT_NESTING_DEPTH_MAX + 1; round++) {
      const s = this.current;
      switch (s.blockState) {
        case 'DEFAULT':
          fatal('CommitTransactionCommand: unexpected state DEFAULT');
          break;
        case 'STARTED':
          this.commitTransaction();
          this.top.blockState = 'DEFAULT';
          return;
        case 'BEGIN':
          s.blockState = 'INPROGRESS';
          return;
        case 'INPROGRESS':
        case 'IMPLICIT_INPROGRESS':
        case 'SUBINPROGRESS':
          this.commandCounterIncrement();
          return;
        case 'END':
          this.commitTransaction();
          this.top.blockState = 'DEFAULT';
          this.maybeChain(saved);
          return;
        case 'ABORT':
        case 'SUBABORT':
          return;
        case 'ABORT_END':
          this.cleanupTransaction();
          this.top.blockState = 'DEFAULT';
          this.maybeChain(saved);
          return;
        case 'ABORT_PENDING':
          this.abortTransaction();
          this.cleanupTransaction();
          this.top.blockState = 'DEFAULT';
          this.maybeChain(saved);
          return;
        case 'SUBBEGIN':
          this.startSubTransaction();
          s.blockState = 'SUBINPROGRESS';
          return;
        case 'SUBRELEASE':
          while (this.current.blockState === 'SUBRELEASE') this.commitSubTransaction();
          Assert(this.current.blockState === 'INPROGRESS' || this.current.blockState === 'SUBINPROGRESS', 'RELEASE left a bad state');
          return;
        case 'SUBCOMMIT':
          while (this.current.blockState === 'SUBCOMMIT') this.commitSubTransaction();
          if (this.current.blockState !== 'END') fatal(`CommitTransactionCommand: unexpected state ${this.current.blockState}`);
          this.commitTransaction();
          this.top.blockState = 'DEFAULT';
          this.maybeChain(saved);
          return;
        case 'SUBABORT_END':
          this.cleanupSubTransaction();
          continue; // and handle the parent's state, as PostgreSQL's recursive call does
        case 'SUBABORT_PENDING':
          this.abortSubTransaction();
          this.cleanupSubTransaction();
          continue;
        case 'SUBRESTART':
        case 'SUBABORT_RESTART': {
          const name = s.name;
          const savepointLevel = s.savepointLevel;
          if (s.blockState === 'SUBRESTART') this.abortSubTransaction();
          this.cleanupSubTransaction();
          this.defineSavepoint(null);
          const n = this.current;
          n.name = name;
          n.savepointLevel = savepointLevel;
          Assert(n.blockState === 'SUBBEGIN', 'restarted savepoint is not in SUBBEGIN');
          this.startSubTransaction();
          n.blockState = 'SUBINPROGRESS';
          return;
        }
      }
    }
    fatal('CommitTransactionCommand: too many nested subtransactions to end');
  }

  /** COMMIT AND CHAIN / ROLLBACK AND CHAIN: a new transaction with the same characteristics. */
  private maybeChain(saved: { iso: IsolationLevel; readOnly: boolean }): void {
    const s = this.top;
    if (!s.chain) return;
    s.chain = false;
    this.startTransaction();
    s.blockState = 'INPROGRESS';
    this.xactIsoLevelValue = saved.iso;
    this.xactReadOnlyValue = saved.readOnly;
  }

  /** AbortCurrentTransaction: after an error in a statement. */
  abortCurrentTransaction(): void {
    for (let round = 0; round <= XACT_NESTING_DEPTH_MAX + 1; round++) {
      const s = this.current;
      switch (s.blockState) {
        case 'DEFAULT':
          if (s.state !== 'DEFAULT') {
            // An error while starting the transaction.
            if (s.state === 'START') s.state = 'INPROGRESS';
            this.abortTransaction();
            this.cleanupTransaction();
          }
          return;
        case 'STARTED':
        case 'IMPLICIT_INPROGRESS':
        case 'BEGIN':
        case 'END':
        case 'ABORT_PENDING':
          this.abortTransaction();
          this.cleanupTransaction();
          this.top.blockState = 'DEFAULT';
          return;
        case 'INPROGRESS':
          this.abortTransaction();
          this.top.blockState = 'ABORT'; // CleanupTransaction waits for ROLLBACK
          return;
        case 'ABORT':
        case 'SUBABORT':
          return;
        case 'ABORT_END':
          this.cleanupTransaction();
          this.top.blockState = 'DEFAULT';
          return;
        case 'SUBINPROGRESS':
          this.abortSubTransaction();
          s.blockState = 'SUBABORT';
          return;
        case 'SUBBEGIN':
        case 'SUBRELEASE':
        case 'SUBCOMMIT':
        case 'SUBABORT_PENDING':
        case 'SUBRESTART':
          // Failed while starting or ending a subtransaction: abort it, then the parent.
          if (s.state === 'DEFAULT') s.state = 'INPROGRESS';
          this.abortSubTransaction();
          this.cleanupSubTransaction();
          continue;
        case 'SUBABORT_END':
        case 'SUBABORT_RESTART':
          this.cleanupSubTransaction();
          continue;
      }
    }
    fatal('AbortCurrentTransaction: too many nested subtransactions to abort');
  }

  /** BeginTransactionBlock: BEGIN. */
  beginTransactionBlock(): void {
    const s = this.current;
    switch (s.blockState) {
      case 'STARTED':
      case 'IMPLICIT_INPROGRESS':
        s.blockState = 'BEGIN';
        break;
      case 'INPROGRESS':
      case 'SUBINPROGRESS':
      case 'ABORT':
      case 'SUBABORT':
        this.notice(new PgError(SQLSTATE.active_sql_transaction, 'there is already a transaction in progress', { severity: 'WARNING' }));
        break;
      default:
        fatal(`BeginTransactionBlock: unexpected state ${s.blockState}`);
    }
  }

  /**
   * EndTransactionBlock: COMMIT [AND CHAIN]. Returns true when the
   * transaction will commit, false when it was failed and will roll back
   * (the command tag is then ROLLBACK).
   */
  endTransactionBlock(chain = false): boolean {
    let s = this.current;
    let result = false;
    switch (s.blockState) {
      case 'INPROGRESS':
        s.blockState = 'END';
        result = true;
        break;
      case 'IMPLICIT_INPROGRESS':
      case 'STARTED':
        if (chain) ereport(SQLSTATE.no_active_sql_transaction, 'COMMIT AND CHAIN can only be used in transaction blocks');
        this.notice(new PgError(SQLSTATE.no_active_sql_transaction, 'there is no transaction in progress', { severity: 'WARNING' }));
        if (s.blockState === 'IMPLICIT_INPROGRESS') s.blockState = 'END';
        result = true;
        break;
      case 'ABORT':
        s.blockState = 'ABORT_END';
        break;
      case 'SUBINPROGRESS':
        for (; s.parent !== null; s = s.parent) {
          if (s.blockState !== 'SUBINPROGRESS') fatal(`EndTransactionBlock: unexpected state ${s.blockState}`);
          s.blockState = 'SUBCOMMIT';
        }
        if (s.blockState !== 'INPROGRESS') fatal(`EndTransactionBlock: unexpected state ${s.blockState}`);
        s.blockState = 'END';
        result = true;
        break;
      case 'SUBABORT':
        this.markAbortPendingUpTo(null);
        break;
      default:
        fatal(`EndTransactionBlock: unexpected state ${s.blockState}`);
    }
    this.top.chain = chain;
    return result;
  }

  /**
   * Marks every level from the current one up to the top (target null) as
   * abort-pending or abort-end, as ROLLBACK and COMMIT-of-a-failed-block do.
   */
  private markAbortPendingUpTo(target: TransactionStateData | null): void {
    let s = this.current;
    for (; s.parent !== null && s !== target; s = s.parent) {
      if (s.blockState === 'SUBINPROGRESS') s.blockState = 'SUBABORT_PENDING';
      else if (s.blockState === 'SUBABORT') s.blockState = 'SUBABORT_END';
      else fatal(`unexpected state ${s.blockState} while aborting subtransactions`);
    }
    if (target !== null) return;
    if (s.blockState === 'INPROGRESS') s.blockState = 'ABORT_PENDING';
    else if (s.blockState === 'ABORT') s.blockState = 'ABORT_END';
    else fatal(`unexpected state ${s.blockState} while aborting the transaction`);
  }

  /** UserAbortTransactionBlock: ROLLBACK [AND CHAIN]. */
  userAbortTransactionBlock(chain = false): void {
    const s = this.current;
    switch (s.blockState) {
      case 'INPROGRESS':
        s.blockState = 'ABORT_PENDING';
        break;
      case 'ABORT':
        s.blockState = 'ABORT_END';
        break;
      case 'SUBINPROGRESS':
      case 'SUBABORT':
        this.markAbortPendingUpTo(null);
        break;
      case 'STARTED':
      case 'IMPLICIT_INPROGRESS':
        if (chain) ereport(SQLSTATE.no_active_sql_transaction, 'ROLLBACK AND CHAIN can only be used in transaction blocks');
        this.notice(new PgError(SQLSTATE.no_active_sql_transaction, 'there is no transaction in progress', { severity: 'WARNING' }));
        s.blockState = 'ABORT_PENDING';
        break;
      default:
        fatal(`UserAbortTransactionBlock: unexpected state ${s.blockState}`);
    }
    this.top.chain = chain;
  }

  /** BeginImplicitTransactionBlock: a query string with several statements runs as one transaction. */
  beginImplicitTransactionBlock(): void {
    if (this.current.blockState === 'STARTED') this.current.blockState = 'IMPLICIT_INPROGRESS';
  }

  /** EndImplicitTransactionBlock: its last statement; the commit happens as for a single statement. */
  endImplicitTransactionBlock(): void {
    if (this.current.blockState === 'IMPLICIT_INPROGRESS') this.current.blockState = 'STARTED';
  }

  /** DefineSavepoint: SAVEPOINT name (null for internal subtransactions, e.g. PL/pgSQL exception blocks). */
  defineSavepoint(name: string | null): void {
    const s = this.current;
    switch (s.blockState) {
      case 'INPROGRESS':
      case 'SUBINPROGRESS':
        this.pushTransaction().name = name;
        break;
      case 'IMPLICIT_INPROGRESS':
        ereport(SQLSTATE.no_active_sql_transaction, 'SAVEPOINT can only be used in transaction blocks');
        break;
      default:
        fatal(`DefineSavepoint: unexpected state ${s.blockState}`);
    }
  }

  private findSavepoint(name: string): TransactionStateData {
    let target: TransactionStateData | null = this.current;
    while (target !== null && target.name !== name) target = target.parent;
    if (target === null) ereport(SQLSTATE.invalid_savepoint_specification, `savepoint "${name}" does not exist`);
    if (target.savepointLevel !== this.current.savepointLevel) {
      ereport(SQLSTATE.invalid_savepoint_specification, `savepoint "${name}" does not exist within current savepoint level`);
    }
    return target;
  }

  /** ReleaseSavepoint: RELEASE [SAVEPOINT] name; commits the levels up to and including it. */
  releaseSavepoint(name: string): void {
    const s = this.current;
    switch (s.blockState) {
      case 'INPROGRESS':
        ereport(SQLSTATE.invalid_savepoint_specification, `savepoint "${name}" does not exist`);
        break;
      case 'IMPLICIT_INPROGRESS':
        ereport(SQLSTATE.no_active_sql_transaction, 'RELEASE SAVEPOINT can only be used in transaction blocks');
        break;
      case 'SUBINPROGRESS':
        break;
      default:
        fatal(`ReleaseSavepoint: unexpected state ${s.blockState}`);
    }
    const target = this.findSavepoint(name);
    for (let x: TransactionStateData | null = s; x !== null; x = x.parent) {
      Assert(x.blockState === 'SUBINPROGRESS', 'RELEASE across a non-running subtransaction');
      x.blockState = 'SUBRELEASE';
      if (x === target) break;
    }
  }

  /** RollbackToSavepoint: ROLLBACK TO [SAVEPOINT] name; the savepoint itself restarts, empty. */
  rollbackToSavepoint(name: string): void {
    const s = this.current;
    switch (s.blockState) {
      case 'INPROGRESS':
      case 'ABORT':
        ereport(SQLSTATE.invalid_savepoint_specification, `savepoint "${name}" does not exist`);
        break;
      case 'IMPLICIT_INPROGRESS':
        ereport(SQLSTATE.no_active_sql_transaction, 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks');
        break;
      case 'SUBINPROGRESS':
      case 'SUBABORT':
        break;
      default:
        fatal(`RollbackToSavepoint: unexpected state ${s.blockState}`);
    }
    const target = this.findSavepoint(name);
    this.markAbortPendingUpTo(target);
    if (target.blockState === 'SUBINPROGRESS') target.blockState = 'SUBRESTART';
    else if (target.blockState === 'SUBABORT') target.blockState = 'SUBABORT_RESTART';
    else fatal(`RollbackToSavepoint: unexpected state ${target.blockState}`);
  }

  /* ==== checks for the SQL layer ==== */

  /** IsTransactionBlock: inside BEGIN ... COMMIT or an implicit block. */
  isTransactionBlock(): boolean {
    const b = this.top.blockState;
    return b !== 'DEFAULT' && b !== 'STARTED';
  }

  /** IsAbortedTransactionBlockState: statements other than ROLLBACK / COMMIT / ROLLBACK TO are refused. */
  isAbortedTransactionBlockState(): boolean {
    const b = this.current.blockState;
    return b === 'ABORT' || b === 'SUBABORT';
  }

  /** The check exec_simple_query makes before running a statement that does not end the block. */
  checkNotAborted(): void {
    if (this.isAbortedTransactionBlockState()) {
      ereport(SQLSTATE.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
  }

  /** TransactionBlockStatusCode: ReadyForQuery's 'I' (idle), 'T' (in a block), 'E' (failed block). */
  transactionBlockStatusCode(): 'I' | 'T' | 'E' {
    switch (this.current.blockState) {
      case 'DEFAULT':
      case 'STARTED':
        return 'I';
      case 'BEGIN':
      case 'SUBBEGIN':
      case 'INPROGRESS':
      case 'IMPLICIT_INPROGRESS':
      case 'SUBINPROGRESS':
      case 'END':
      case 'SUBRELEASE':
      case 'SUBCOMMIT':
        return 'T';
      default:
        return 'E';
    }
  }

  /** PreventInTransactionBlock: VACUUM, CREATE DATABASE, ... refuse to run inside a block. */
  preventInTransactionBlock(isTopLevel: boolean, stmtType: string): void {
    if (this.isTransactionBlock()) ereport(SQLSTATE.active_sql_transaction, `${stmtType} cannot run inside a transaction block`);
    if (this.isSubTransaction()) ereport(SQLSTATE.active_sql_transaction, `${stmtType} cannot run inside a subtransaction`);
    if (!isTopLevel) ereport(SQLSTATE.active_sql_transaction, `${stmtType} cannot be executed from a function`);
  }

  /** RequireTransactionBlock: SAVEPOINT, LOCK, DECLARE CURSOR ... need one. */
  requireTransactionBlock(isTopLevel: boolean, stmtType: string): void {
    if (this.isTransactionBlock() || this.isSubTransaction() || !isTopLevel) return;
    ereport(SQLSTATE.no_active_sql_transaction, `${stmtType} can only be used in transaction blocks`);
  }

  /** WarnNoTransactionBlock: SET LOCAL, SET TRANSACTION ... outside a block only warn. */
  warnNoTransactionBlock(isTopLevel: boolean, stmtType: string): void {
    if (this.isTransactionBlock() || this.isSubTransaction() || !isTopLevel) return;
    this.notice(new PgError(SQLSTATE.no_active_sql_transaction, `${stmtType} can only be used in transaction blocks`, { severity: 'WARNING' }));
  }

  /* ==== the storage API's simple interface ==== */

  /** Opens a transaction block (BEGIN as its own statement). */
  begin(): void {
    this.startTransactionCommand();
    this.beginTransactionBlock();
    this.commitTransactionCommand();
  }

  /** Ends the block with COMMIT; returns false if the block had failed and rolled back instead. */
  commit(): boolean {
    this.startTransactionCommand();
    const committed = this.endTransactionBlock();
    this.commitTransactionCommand();
    return committed;
  }

  /** Rolls back whatever is open: after an error, or as ROLLBACK. */
  abort(): void {
    if (this.top.blockState === 'DEFAULT' && this.top.state === 'DEFAULT') return;
    this.abortCurrentTransaction();
    if (this.top.blockState !== 'DEFAULT') {
      this.startTransactionCommand();
      this.userAbortTransactionBlock();
      this.commitTransactionCommand();
    }
  }

  /* ==== invariants and description ==== */

  /** Checks the state diagram's invariants; throws on a violation. Cheap: one walk up the stack. */
  assertXactState(): void {
    let depth = 0;
    for (let s: TransactionStateData | null = this.current; s !== null; s = s.parent, depth++) {
      Assert(depth <= XACT_NESTING_DEPTH_MAX, 'transaction stack too deep');
      const isTop = s.parent === null;
      Assert(isTop === (s === this.top), 'only the bottom of the stack has no parent');
      Assert(SUB_STATES.has(s.blockState) === !isTop, `block state ${s.blockState} at nesting level ${s.nestingLevel}`);
      if (s.blockState === 'DEFAULT') {
        Assert(s.state === 'DEFAULT' && s === this.current, 'an idle backend has no transaction');
      } else {
        Assert(s.state === STATE_OF_BLOCK[s.blockState], `block state ${s.blockState} with transaction state ${s.state}`);
      }
      if (s.parent !== null) {
        Assert(s.nestingLevel === s.parent.nestingLevel + 1, 'nesting levels step by one');
        if (s.fullTransactionId !== 0) {
          Assert(s.parent.fullTransactionId !== 0, 'a subtransaction with an XID has a parent with one');
          Assert(transactionIdFollows(s.xid, s.parent.xid), 'a child XID follows its parent XID');
        }
      }
    }
  }

  /** The stack, for the playground and tests. */
  describe(): {
    blockState: TBlockState;
    state: TransState;
    nestingLevel: number;
    topXid: TransactionId;
    commandId: number;
    isolationLevel: IsolationLevel;
    levels: { name: string | null; blockState: TBlockState; xid: TransactionId; childXids: TransactionId[] }[];
  } {
    const levels: { name: string | null; blockState: TBlockState; xid: TransactionId; childXids: TransactionId[] }[] = [];
    for (let s: TransactionStateData | null = this.current; s !== null; s = s.parent) {
      levels.unshift({ name: s.name, blockState: s.blockState, xid: s.xid, childXids: [...s.childXids] });
    }
    return {
      blockState: this.current.blockState,
      state: this.current.state,
      nestingLevel: this.current.nestingLevel,
      topXid: this.top.xid,
      commandId: this.curCommandId,
      isolationLevel: this.xactIsoLevelValue,
      levels,
    };
  }

  /** XactLastRecEnd: end of the last commit/abort record written. */
  get lastRecordEnd(): XLogRecPtr {
    return this.lastRecEnd;
  }
}

/* ==== wiring: shared memory, one backend's handles, initdb, recovery ==== */

/** Adds the transaction system's shared regions to a ShmemSizer (CalculateShmemSize). */
export function transamShmemSize(sizer: ShmemSizer): void {
  sizer.add(clogShmemSize());
  sizer.add(subtransShmemSize());
  sizer.add(procArrayShmemSize());
  sizer.add(varsupShmemSize());
  multixactShmemSize(sizer);
}

/** Creates the regions (the postmaster, once). */
export function transamShmemInit(shmem: Shmem): void {
  clogShmemInit(shmem);
  subtransShmemInit(shmem);
  procArrayShmemInit(shmem);
  varsupShmemInit(shmem);
  multixactShmemInit(shmem);
}

export interface AttachTransamOptions {
  shmem: Shmem;
  /** The backend's LWLockOwner over shmem.i32. */
  lw: LWLockOwner;
  dir: StorageDirectory;
  wal: TransamWal;
  pid: number;
  databaseOid: number;
  notice?: NoticeSink;
  settings?: Partial<XactSettings>;
  databaseName?: (oid: number) => string | undefined;
  requestAutovacuum?: () => void;
}

/** One backend's transaction handles. */
export interface TransamBackend {
  procno: number;
  lw: LWLockOwner;
  clog: Clog;
  subtrans: SubTrans;
  status: TransamStatus;
  procArray: ProcArray;
  varsup: VarSup;
  xact: Xact;
  /** MultiXactIds: several lockers of one row (multixact.ts). */
  multixact: MultiXact;
}

/** Makes a backend's handles and takes its proc slot (InitProcess). */
export function attachTransam(o: AttachTransamOptions): TransamBackend {
  const clog = new Clog(o.shmem, o.lw, o.dir, o.wal);
  const subtrans = new SubTrans(o.shmem, o.lw, o.dir);
  const status = new TransamStatus(clog, subtrans);
  const procArray = new ProcArray(o.shmem, o.lw, status, subtrans);
  const notice = o.notice ?? discardNotices;
  const varsup = new VarSup(o.shmem, o.lw, {
    clog,
    subtrans,
    procArray,
    wal: o.wal,
    notice,
    databaseName: o.databaseName,
    requestAutovacuum: o.requestAutovacuum,
  });
  const procno = procArray.addProc(o.pid, o.databaseOid);
  const xact = new Xact({ procno, lw: o.lw, procArray, varsup, status, subtrans, wal: o.wal, notice, settings: o.settings });
  const multixact = new MultiXact(o.shmem, o.lw, o.dir, o.wal);
  return { procno, lw: o.lw, clog, subtrans, status, procArray, varsup, xact, multixact };
}

/** Gives the proc slot back (ProcKill); an open transaction is rolled back first. */
export function detachTransam(b: TransamBackend): void {
  b.xact.abort();
  b.procArray.removeProc(b.procno);
}

/**
 * initdb's part for transactions: the counters start at `firstXid` (normally
 * FirstNormalTransactionId; tests start near 2^32 to cross a wraparound),
 * CLOG and pg_subtrans get the page of that XID, OIDs start at
 * FirstGenbkiObjectId, and oldestXid is firstXid in database `databaseOid`.
 */
export function bootstrapTransam(b: TransamBackend, firstXid: FullTransactionId = FirstNormalTransactionId, databaseOid = 1): void {
  const xid = xidFromFull(firstXid);
  Assert(xid >= FirstNormalTransactionId, 'the XID counter starts at a normal XID');
  b.varsup.setNextFullTransactionId(firstXid);
  b.varsup.setTransactionIdLimit(xid, databaseOid);
  b.varsup.setNextOid(FirstGenbkiObjectId);
  b.clog.bootstrap(xid);
  b.clog.startup(xid);
  b.subtrans.bootstrap(xid);
  b.multixact.startup();
  b.procArray.setLatestCompletedXid(latestBefore(firstXid));
}

/**
 * BootStrapCLOG as initdb runs it, next to bootstrapXLog and before the
 * first start: the CLOG page holding `firstXid` (the checkpoint's nextXid)
 * is written to pg_xact/ and flushed, so the first startup finds it.
 */
export function bootstrapTransamFiles(dir: StorageDirectory, firstXid: TransactionId = FirstNormalTransactionId): void {
  const sizer = new ShmemSizer();
  sizer.add(clogShmemSize());
  const shmem = Shmem.create(sizer.size);
  clogShmemInit(shmem);
  const clog = new Clog(shmem, new LWLockOwner(shmem.i32), dir, null);
  clog.bootstrap(firstXid);
  clog.checkpoint();
}

/** The full XID before `next` (latestCompletedXid = nextXid - 1, skipping the permanent XIDs). */
function latestBefore(next: FullTransactionId): FullTransactionId {
  const xid = xidFromFull(next);
  const prev = transactionIdRetreat(xid);
  const epoch = Math.floor(next / 4294967296) - (prev > xid ? 1 : 0);
  return epoch < 0 ? 0 : fullTransactionId(epoch, prev);
}

/**
 * A TransamWal over the WAL module's XLog: records with main data only,
 * stamped with the given XID (XLog.insertSimple). Asynchronous commits need
 * no wake-up call: the WAL writer's backgroundFlush writes whatever is
 * inserted.
 */
export function transamWalFromXLog(xlog: XLog): TransamWal {
  return {
    insertRecord: (rmid, info, data, xid) => xlog.insertSimple(rmid, info, data, xid),
    flush: (lsn) => xlog.flush(lsn),
    needsFlush: (lsn) => lsn > xlog.getFlushRecPtr(),
    setAsyncXactLsn: () => {},
    logNextOid: (nextOid) => {
      xlog.logNextOid(nextOid);
    },
  };
}

/**
 * The transaction counters a checkpoint records (the WAL module's
 * CheckpointHooks.nextXidAndOid). nextOid includes the prefetched OIDs, as
 * an online checkpoint's does; after a shutdown that skips at most
 * VAR_OID_PREFETCH OIDs, which is harmless.
 */
export function transamCheckpointFields(b: TransamBackend): {
  nextXid: FullTransactionId;
  nextOid: number;
  oldestXid: TransactionId;
  oldestXidDB: number;
  oldestActiveXid: TransactionId;
} {
  const f = b.varsup.getCheckpointFields(false);
  return {
    nextXid: f.nextXid,
    nextOid: f.nextOid,
    oldestXid: f.oldestXid,
    oldestXidDB: f.oldestXidDb,
    oldestActiveXid: b.procArray.getOldestActiveTransactionId(xidFromFull(f.nextXid)),
  };
}

/**
 * The transaction part of CheckPointGuts, run after the redo pointer is
 * chosen: wait for backends between their commit record and their CLOG
 * update (so those commits are in the CLOG pages written now), write CLOG
 * durably, write pg_subtrans and drop its pages no snapshot can need.
 */
export function checkPointTransam(b: TransamBackend): void {
  b.procArray.waitForDelayingCheckpoint(DELAY_CHKPT_START);
  b.clog.checkpoint();
  b.subtrans.checkpoint(b.procArray.getOldestTransactionIdConsideredRunning());
  b.multixact.checkpoint();
}

/**
 * Before WAL replay (startup process): the recovery flags that allow missing
 * CLOG pages and forbid assigning XIDs, and the counters from the
 * checkpoint when the caller has them (otherwise transamRedoCounters sets
 * them when the WAL module reads the checkpoint). Redo routines find the
 * handles under CLOG_REDO and XACT_REDO (clog_redo.ts, xact_redo.ts).
 */
export function startTransamRecovery(b: TransamBackend, fields?: CheckpointXidFields): void {
  b.clog.inRecovery = true;
  b.subtrans.slru.inRecovery = true;
  b.varsup.inRecovery = true;
  b.multixact.inRecovery = true;
  if (fields !== undefined) {
    b.varsup.setFromCheckpoint(fields);
    b.clog.startup(xidFromFull(fields.nextXid));
  }
}

/**
 * The WAL module's RedoCounters over the shared counters, with
 * PostgreSQL's rules (xlog_redo): a shutdown checkpoint sets nextXid and
 * nextOid, an online one only moves nextXid forward; both bring the
 * wraparound limits; XLOG_NEXTOID sets nextOid.
 */
export function transamRedoCounters(b: TransamBackend): RedoCounters {
  return {
    checkpoint(cp: CheckPoint, shutdown: boolean): void {
      if (shutdown || cp.nextXid > b.varsup.readNextFullTransactionId()) b.varsup.setNextFullTransactionId(cp.nextXid);
      if (shutdown) b.varsup.setNextOid(cp.nextOid);
      b.varsup.setTransactionIdLimit(cp.oldestXid, cp.oldestXidDB);
      b.clog.startup(xidFromFull(b.varsup.readNextFullTransactionId()));
    },
    setNextOid(nextOid: number): void {
      b.varsup.setNextOid(nextOid);
    },
    advanceNextXidPast(xid: number): void {
      if (xid >= FirstNormalTransactionId) b.varsup.advanceNextFullTransactionIdPastXid(xid);
    },
  };
}

/**
 * After WAL replay (StartupCLOG, TrimCLOG, StartupSUBTRANS and
 * latestCompletedXid in StartupXLOG): no transaction is running, so
 * pg_subtrans starts empty, and CLOG past nextXid is cleared.
 */
export function finishTransamRecovery(b: TransamBackend): void {
  const next = b.varsup.readNextFullTransactionId();
  const xid = xidFromFull(next);
  b.clog.inRecovery = false;
  b.subtrans.slru.inRecovery = false;
  b.varsup.inRecovery = false;
  b.multixact.inRecovery = false;
  b.multixact.startup();
  b.clog.startup(xid);
  b.clog.trim(xid);
  b.subtrans.startup(xid, xid);
  b.procArray.setLatestCompletedXid(latestBefore(next));
}
