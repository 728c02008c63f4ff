/*
 * engine.ts — the storage engine of one backend, assembled: shared memory,
 * buffer manager, WAL, transactions, the heap and its B-tree indexes, behind
 * a programmatic API (StorageEngine) that the SQL layer and the tests call.
 *
 * What it does, in PostgreSQL's terms:
 *   open()       initdb on an empty directory (BootStrapXLOG + CLOG), then
 *                the postmaster's CreateSharedMemoryAndSemaphores
 *                (storage/ipc/ipci.ts), the backend's InitProcess, and
 *                StartupXLOG (crash recovery when the last shutdown was
 *                not clean, followed by an end-of-recovery checkpoint):
 *                postmaster, startup process and one backend in one object
 *   attach()     only the backend's part, in a worker: Shmem.attach to the
 *                postmaster's segment, a proc-array and a sinval slot, its
 *                own buffer-manager, WAL and transaction objects; with
 *                `startup` it also runs initdb and StartupXLOG (the first
 *                backend after the postmaster started or restarted)
 *   begin/commit/rollback/savepoint   xact.c's transaction block
 *   startStatement / endStatement / abortStatement
 *                exec_simple_query's frame around one SQL statement
 *   createRelation / insert / update / delete / fetch / scan / vacuum
 *                the table access method on heap relations
 *   createIndex / openIndex / dropIndex
 *                index DDL (index_create + btbuild); every insert and
 *                non-HOT update maintains the table's indexes
 *                (ExecInsertIndexTuples), VACUUM cleans them
 *   beginScan / beginIndexScan
 *                pull-based scans for the executor (SeqScan, IndexScan,
 *                IndexOnlyScan), one row at a time
 *   indexStats / relationStats   what ANALYZE and the planner read
 *   checkpoint() CHECKPOINT; also requested automatically after enough WAL
 *                or checkpoint_timeout. Run here, or, when a checkpointer
 *                process runs (worker-host), forwarded to it and waited for
 *   checkpointerMain()  this engine is the checkpointer process: its loop
 *   close()      shutdown checkpoint, then the files are closed
 *   detach()     a backend's exit while others go on: no checkpoint
 *
 * Statements. Every engine call is a statement of its own unless the
 * caller brackets several in startStatement() ... endStatement(), as the
 * SQL executor does for one SQL statement:
 *
 *   startStatement()      StartTransactionCommand (an implicit transaction
 *        |                when no block is open), refuses with 25P02 in a
 *        |                failed block, takes the statement's snapshot
 *        |                (READ COMMITTED: a fresh one) and pushes it active
 *        v
 *   insert / update / delete / fetch / scans ...   all under that one
 *        |                snapshot and one command id: what the statement
 *        |                writes is invisible to its own scans (the
 *        |                Halloween problem: an UPDATE never meets the rows
 *        |                it wrote)
 *        +--> endStatement()    CommandCounterIncrement; commits an
 *        |                      implicit transaction
 *        +--> abortStatement(e) aborts the implicit transaction, or marks
 *                               the block failed (25P02 until ROLLBACK)
 *
 * Transaction control (begin, commit, rollback, savepoints) may not be
 * called inside such a statement. A cursor opened outside one
 * (beginScan, beginIndexScan) opens its own, which its end() closes.
 *
 * Indexes. The engine keeps the list of each table's open indexes (the
 * relcache's rd_indexlist), keyed by the table's OID: createIndex and
 * openIndex add to it, dropIndex and dropRelation remove from it, and a
 * (sub)transaction that rolls back undoes its changes to the list, as the
 * catalogs it stands in for would. The SQL layer's catalogs call openIndex
 * for each pg_index row when they open a table after a restart.
 *
 * Without a checkpointer worker (Database.open in one thread), every
 * backend runs the checkpointer's duty itself: at the end of each
 * transaction it checks checkpoint_timeout and the WAL volume since the
 * last checkpoint (the request word and CheckpointLock in XLogCtl make one
 * of them do it). Under the postmaster's checkpointer (checkpointerMain)
 * backends only set the request and wake it.
 *
 * Rules:
 *  1. Every data-changing call runs inside a transaction: begin() ... commit(),
 *     or, without begin(), an implicit single-statement transaction.
 *  2. After any error inside a transaction block the block is aborted and
 *     refuses work (25P02) until rollback(), as PostgreSQL's does. Inside
 *     startStatement() the caller reports the error with abortStatement();
 *     endStatement() after a failed call aborts and rethrows.
 *  3. A PANIC-level error (shared state may be corrupt) closes the engine;
 *     the data directory must be reopened, which runs crash recovery.
 *  4. Every index of a table gets an entry for each new heap row version
 *     except HOT ones (an UPDATE that changed no indexed column and stayed
 *     on its page), before the call returns; unique indexes are checked
 *     then, and a conflict is 23505.
 *  5. The nbtree resource manager is registered (by importing nbtree.ts)
 *     before startup replays WAL, so recovery redoes index records.
 */

import { MemoryDirectory, type StorageDirectory } from '@tabgres/opfs-storage';
import { DEFAULT_SHARED_BUFFERS, DEFAULT_WAL_BUFFERS, HEAP_MULTI_INSERT_MAX_TUPLES, MAX_BACKENDS } from './constants.ts';
import { Shmem } from './storage/ipc/shmem.ts';
import { createSharedMemoryAndSemaphores, sharedMemoryConfig } from './storage/ipc/ipci.ts';
import { SharedInvalidation } from './storage/ipc/sinval.ts';
import { ProcSignal } from './storage/ipc/procsignal.ts';
import { SyncRequestQueue } from './storage/ipc/syncrequest.ts';
import { LWLockOwner } from './storage/lmgr/lwlock.ts';
import { LockAcquireResult, LockManager } from './storage/lmgr/lock.ts';
import { PredicateLockManager } from './storage/lmgr/predicate.ts';
import {
  conditionalLockRelationOid, lockRelationIdForSession, lockRelationOid, speculativeInsertionLockAcquire, speculativeInsertionLockRelease,
  unlockRelationIdForSession, unlockRelationOid, xactLockTableInsert, type XactWaitCallbacks,
} from './storage/lmgr/lmgr.ts';
import type { LockMode } from './storage/lmgr/lockdefs.ts';
import { BackendStatus } from './storage/ipc/backend_status.ts';
import { Smgr } from './storage/smgr/smgr.ts';
import { BufferManager } from './storage/buffer/bufmgr.ts';
import { FreeSpaceMap } from './storage/freespace/freespace.ts';
import { DEFAULTTABLESPACE_OID, ForkNumber, type RelFileLocator } from './storage/relfilelocator.ts';
import {
  XLog, bootstrapXLog, CHECKPOINT_CAUSE_TIME, CHECKPOINT_END_OF_RECOVERY, CHECKPOINT_FORCE, CHECKPOINT_IMMEDIATE, CHECKPOINT_IS_SHUTDOWN,
  CHECKPOINT_WAIT, type CheckpointHooks,
} from './access/transam/xlog.ts';
import { XLogInsertState } from './access/transam/xloginsert.ts';
import { getRmgr, RedoServices, RM_BTREE_ID, type RedoContext } from './access/transam/rmgr.ts';
import { startupXLOG, type StartupResult } from './access/transam/xlogrecovery.ts';
import './access/transam/xlogrmgr.ts';
import {
  attachTransam, bootstrapTransamFiles, checkPointTransam, finishTransamRecovery, startTransamRecovery, transamCheckpointFields,
  transamRedoCounters, transamWalFromXLog, detachTransam, type TransamBackend, type Xact,
} from './access/transam/xact.ts';
import { XACT_REDO } from './access/transam/xact_redo.ts';
import { CLOG_REDO } from './access/transam/clog_redo.ts';
import { FirstNormalTransactionId, xidFromFull } from './access/transam/transam.ts';
import { btbuild, btbulkdelete, btIndexCheck, btIndexStats, btvacuumcleanup, makeIndexRelation, SharedVacuumCycles } from './access/nbtree/nbtree.ts';
import type { BtCheckResult, BtEnv, BtIndexStats, BtWal, IndexValue, IndexBulkDeleteResult, IndexKeyColumn, IndexRelation, ScanKey } from './access/nbtree/nbtree.ts';
import { IndexInserter, IndexScanCursor, type IndexAccessDeps, type IndexScanCursorOptions } from './access/index/indexam.ts';
import { IndexLists, UndoLog } from './access/index/indexlist.ts';
import { HeapScanCursor, heapEstimateSize, heapIndexBuildScan, type HeapScanOptions, type HeapSizeEstimate, type ScanOwner } from './access/heap/heapam_handler.ts';
import type { HeapModifyResult } from './access/heap/heapam.ts';
import { HeapVisibility } from './access/heap/heapam_visibility.ts';
import { MULTIXACT_REDO } from './access/transam/multixact.ts';
import { HeapAM } from './access/heap/heapam.ts';
import { BulkInsertState, freeBulkInsertState } from './access/heap/hio.ts';
import type { HeapEnv, HeapWal } from './access/heap/heapam_env.ts';
import { TM_Result, type LockTupleMode, type LockWaitPolicy } from './access/heap/heapam_env.ts';
import { HeapScan } from './access/heap/heapscan.ts';
import { HEAP_REDO_SERVICES, registerHeapRmgrs } from './access/heap/heapam_redo.ts';
import { lazyVacuumHeap, type VacuumOptions, type VacuumStats } from './access/heap/vacuumlazy.ts';
import { VisibilityMap } from './access/heap/visibilitymap.ts';
import { makeRelation, type Relation } from './access/heap/relation.ts';
import { toastTupleDesc } from './access/heap/heaptoast.ts';
import { createTupleDesc, type ColumnDef, type TupleDesc } from './access/common/tupdesc.ts';
import type { TupleValue } from './access/common/heaptuple.ts';
import type { Tid } from './access/common/itemptr.ts';
import { dropRelationFiles, registerSmgrRmgr, relationCreateStorage, relationTruncate, SMGR_REDO_SERVICES, type StorageWal } from './catalog/storage.ts';
import type { SnapshotData } from './utils/time/snapmgr.ts';
import { PgError, SQLSTATE, elog, isPgError } from './utils/errors.ts';

registerHeapRmgrs();
registerSmgrRmgr();
// Rule 5: importing nbtree.ts registered the Btree resource manager; recovery needs it.
if (getRmgr(RM_BTREE_ID) === undefined) throw new Error('the Btree resource manager is not registered');

/** The database every relation of the storage API lives in (PostgreSQL's "postgres" has OID 5). */
export const STORAGE_DB_OID = 5;

/** How often the checkpointer process looks at the clock for checkpoint_timeout when nobody wakes it. */
const CHECKPOINTER_POLL_MS = 1000;
/** wal_writer_delay, bgwriter_delay and bgwriter_lru_maxpages: PostgreSQL's defaults. */
const WAL_WRITER_DELAY_MS = 200;
const BGWRITER_DELAY_MS = 200;
const BGWRITER_LRU_MAXPAGES = 100;
/** The key columns of a table without unique indexes (heap_update compares none). */
const NO_KEY_ATTRS: readonly number[] = [];

export interface StorageEngineOptions {
  /** Where the data directory lives; a fresh MemoryDirectory when absent. */
  dir?: StorageDirectory;
  /** shared_buffers, in 8 KB pages. */
  sharedBuffers?: number;
  /** wal_buffers, in 8 KB pages. */
  walBuffers?: number;
  /** WAL segment size, fixed at initdb (default 16 MB). */
  walSegmentSize?: number;
  /** Request a checkpoint after this much WAL (bytes). */
  checkpointWalBytes?: number;
  /** checkpoint_timeout in milliseconds. */
  checkpointTimeoutMs?: number;
  /** initdb only: the first XID to hand out (tests start near 2^32 to cross wraparound). */
  firstXid?: number;
  /** synchronous_commit. */
  synchronousCommit?: boolean;
  /** Server log lines (recovery messages). */
  log?: (message: string) => void;
  /** The backend's pid in the proc array (pg_backend_pid, pg_locks, pg_stat_activity); 1 when absent. */
  pid?: number;
}

/** StorageEngine.attach: a backend joining a running instance (see the constructor). */
export interface StorageEngineAttachOptions extends Omit<StorageEngineOptions, 'dir' | 'sharedBuffers' | 'walBuffers' | 'checkpointWalBytes' | 'checkpointTimeoutMs'> {
  dir: StorageDirectory;
  /** The postmaster's segment (createSharedMemoryAndSemaphores), or its SharedArrayBuffer as a worker receives it. */
  shmem: Shmem | SharedArrayBuffer;
  /** Run initdb (empty directory) and StartupXLOG first: the first backend after a start or a crash. */
  startup?: boolean;
  /** The pid in the proc array (pg_stat_activity), unique among running backends. */
  pid?: number;
}

/** What the constructor is told when a postmaster made the segment. */
interface BackendAttachment {
  shmem: Shmem;
  startup: boolean;
  pid: number;
}

/** One row a scan returns. */
export interface ScannedRow {
  tid: Tid;
  values: (TupleValue | null)[];
}

/**
 * A sequential scan for the executor (SeqScan): next() advances, then
 * `values` (one array reused for every row, TOASTed values fetched) and
 * `tid` describe the row. rescan() starts over; end() releases the pin.
 */
export interface TableScanCursor {
  readonly values: (TupleValue | null)[];
  readonly tid: Tid;
  /** Rows skipped by the scan keys so far (HeapScanOptions.keys). */
  readonly keyFiltered: number;
  next(): boolean;
  rescan(): void;
  end(): void;
}

/**
 * An index scan for the executor (IndexScan, IndexOnlyScan): rows in index
 * order (or reverse) visible to the statement's snapshot. `values` holds
 * the heap row, or with indexOnly the index's columns in index order;
 * `heapFetches` counts heap visits (EXPLAIN's "Heap Fetches").
 */
export interface IndexScan {
  readonly values: (TupleValue | null)[];
  readonly tid: Tid;
  readonly heapFetches: number;
  readonly indexOnly: boolean;
  next(): boolean;
  /** A bitmap scan's index half: the next entry's heap TID in `tid`, no heap visit (IndexScanCursor.nextTid). */
  nextTid(): boolean;
  /** A bitmap scan's heap half: the visible version of the chain at `tid` into values/tid (IndexScanCursor.fetchTid). */
  fetchTid(tid: Tid): boolean;
  rescan(keys?: readonly ScanKey[], direction?: 'forward' | 'backward'): void;
  end(): void;
}

/** CREATE INDEX's description of a new index. */
export interface IndexSpec {
  /** Key columns, each naming its heap column (heapAttnum, 1-based) and that column's type. */
  columns: readonly IndexKeyColumn[];
  unique?: boolean;
  /** Leaf fill factor in percent (WITH (fillfactor = n)); 90 by default. */
  fillfactor?: number;
  /** createIndex: the OID (and file number) the catalogs chose; a new one when absent. */
  oid?: number;
}

/**
 * What createIndex's build counted, for pg_class (index_update_stats): the
 * table's blocks and the live rows its scan offered, the index's blocks and
 * entries. It saves CREATE INDEX a second pass over the table and the index.
 */
export interface IndexBuildStats {
  heapPages: number;
  heapLiveTuples: number;
  indexPages: number;
  indexTuples: number;
}

/** The outcome of tryUpdate / tryDelete (heap_update's TM_Result, for ExecUpdate / ExecDelete). */
export type ModifyOutcome =
  /** Done; for an update, `tid` is the new version's. */
  | 'ok'
  /** The row was already updated or deleted by this same statement (ExecUpdate skips it). */
  | 'self-modified'
  /** Updated (`tid` is the successor) or deleted by a transaction that committed after the snapshot. */
  | 'updated'
  | 'deleted'
  /** Another transaction is changing it right now. */
  | 'being-modified'
  /** lockRow with SKIP LOCKED: another transaction holds the row. */
  | 'would-block';

/** VACUUM's counters for the heap and, per index, btbulkdelete + btvacuumcleanup's. */
export interface RelationVacuumStats extends VacuumStats {
  indexes: { oid: number; name: string; stats: IndexBulkDeleteResult }[];
}

/** What startStatement() opened (see the header's diagram). */
interface StatementState {
  /** The statement's snapshot, pushed as the active snapshot. */
  readonly snapshot: SnapshotData;
  /** Cursors opened in the statement; endStatement and abortStatement close them. */
  readonly cursors: Set<HeapScanCursor | IndexScanCursor>;
  /** The cursor whose end() ends the statement (one opened outside any statement), or null. */
  owner: HeapScanCursor | IndexScanCursor | null;
  /** An error a call raised inside the statement: it may only be aborted now. */
  error: unknown;
}

/** The heap's WAL calls, bound to this backend's XLogInsertState (xl_xid is the caller's XID). */
class HeapWalAdapter implements HeapWal, StorageWal {
  constructor(private readonly ins: XLogInsertState, private readonly xlog: XLog) {}
  beginInsert(): void {
    this.ins.beginInsert();
  }
  registerData(bytes: Uint8Array, start?: number, len?: number): void {
    this.ins.registerData(bytes, start, len);
  }
  registerBuffer(blockId: number, buffer: number, flags: number): void {
    this.ins.registerBuffer(blockId, buffer, flags);
  }
  registerBufData(blockId: number, bytes: Uint8Array, start?: number, len?: number): void {
    this.ins.registerBufData(blockId, bytes, start, len);
  }
  insert(rmid: number, info: number, xid: number): number {
    this.ins.setTopXid(xid);
    return this.ins.insert(rmid, info);
  }
  flush(lsn: number): void {
    this.xlog.flush(lsn);
  }
}

/** The B-tree's WAL calls: stamped with the running top-level XID (0 for VACUUM without one), as XLogInsert does. */
class BtWalAdapter implements BtWal {
  constructor(private readonly ins: XLogInsertState, private readonly xact: Xact) {}
  beginInsert(): void {
    this.ins.beginInsert();
  }
  registerData(bytes: Uint8Array, start?: number, len?: number): void {
    this.ins.registerData(bytes, start, len);
  }
  registerBuffer(blockId: number, buffer: number, flags: number): void {
    this.ins.registerBuffer(blockId, buffer, flags);
  }
  registerBufData(blockId: number, bytes: Uint8Array, start?: number, len?: number): void {
    this.ins.registerBufData(blockId, bytes, start, len);
  }
  insert(rmid: number, info: number): number {
    this.ins.setTopXid(this.xact.getTopTransactionIdIfAny());
    return this.ins.insert(rmid, info);
  }
  logNewPage(buffer: number, pageStd: boolean): number {
    this.ins.setTopXid(this.xact.getTopTransactionIdIfAny());
    return this.ins.logNewPage(buffer, pageStd);
  }
}

export class StorageEngine implements ScanOwner {
  readonly dir: StorageDirectory;
  readonly shmem: Shmem;
  readonly lw: LWLockOwner;
  readonly smgr: Smgr;
  readonly bufmgr: BufferManager;
  readonly xlog: XLog;
  readonly xlogInsert: XLogInsertState;
  readonly transam: TransamBackend;
  readonly xact: Xact;
  readonly vis: HeapVisibility;
  readonly fsm: FreeSpaceMap;
  readonly vm: VisibilityMap;
  readonly heap: HeapAM<SnapshotData>;
  /** What every B-tree routine is handed: buffers, WAL, FSM, the XID horizon, the shared VACUUM cycle ids. */
  readonly btEnv: BtEnv;
  private readonly indexDeps: IndexAccessDeps;
  /** What StartupXLOG found; null on a backend that attached after another ran it. */
  private readonly startupResult: StartupResult | null;
  /** This backend's end of the shared invalidation queue (storage/ipc/sinval.ts). */
  readonly sinval: SharedInvalidation;
  /** This backend's interrupt words (cancel, terminate) in its proc-array slot. */
  readonly procSignal: ProcSignal;
  /**
   * This backend's heavyweight lock manager (storage/lmgr/lock.ts): table,
   * tuple, transaction and advisory locks, released at (sub)transaction end.
   * The heap gets it as HeapEnv.lockManager; lmgr.ts's calls take it.
   */
  readonly lockManager: LockManager;
  /** This backend's side of serializable snapshot isolation: SIREAD locks, rw-conflicts (storage/lmgr/predicate.ts). */
  readonly predicateLocks: PredicateLockManager;
  /** This backend's slot of the shared backend status array (pg_stat_activity). */
  readonly backendStatus: BackendStatus;
  /**
   * CHECK_FOR_INTERRUPTS while waiting for a heavyweight lock: the session
   * (tcop/postgres.ts) replaces it with its own, which adds
   * statement_timeout; by default, cancel and terminate only.
   */
  lockWaitInterrupts: () => void = () => {
    if (this.procSignal.pending()) this.procSignal.processInterrupts();
  };
  /**
   * What xactLockTableWait needs to go on waiting for a parent after a
   * subtransaction's XID lock went (TransactionIdIsInProgress, SubTransGetParent).
   */
  readonly xactWait: XactWaitCallbacks = {
    isInProgress: (xid) => this.transam.procArray.transactionIdIsInProgress(xid),
    parentOf: (xid) => this.transam.subtrans.getParent(xid),
  };
  /**
   * AcceptInvalidationMessages, after a relation lock was newly taken
   * (lmgr.c's LockRelationOid does it there): whoever held a conflicting
   * lock may have changed the relation, and its invalidations are in the
   * shared queue by now. The session (database.ts) sets it; none by default.
   * True when any message (or a reset) arrived.
   */
  acceptInvalidationMessages: () => boolean = () => false;
  /** WARNINGs of the lock manager (unlocking what is not held): the session sends them to its client. */
  lockNotice: (notice: PgError) => void = () => {};
  /** The subtransaction that owns the XID lock being taken (AssignTransactionId switches CurrentResourceOwner). */
  private xidLockOwner = 0;
  /** The shared fsync request queue: files this backend writes are synced by the next checkpoint. */
  readonly syncRequests: SyncRequestQueue;
  /** This process's pid (the proc array's; 1 for a one-process instance). */
  readonly pid: number;
  private readonly walAdapter: HeapWalAdapter;
  private readonly relations = new Map<number, Relation>();
  /** Reverses relation and index list changes of (sub)transactions that roll back. */
  private readonly undo: UndoLog;
  /** rd_indexlist: each table's open indexes. */
  private readonly indexLists: IndexLists;
  /** Per table: the inserter of its index entries, while its index list is unchanged. */
  private readonly inserters = new Map<number, IndexInserter>();
  private stmt: StatementState | null = null;
  /** The cursor set of the last ended statement, empty, for the next one (no Set per statement). */
  private spareCursors: Set<HeapScanCursor | IndexScanCursor> | null = null;
  private closed = false;

  private constructor(dir: StorageDirectory, o: StorageEngineOptions, attach: BackendAttachment | null) {
    this.dir = dir;
    // Without an attachment this one object is the postmaster, the startup
    // process and a backend; with one, the postmaster made the segment and
    // this backend runs startup only if told to (the first after a start).
    const runsStartup = attach === null || attach.startup;

    // initdb, only into an empty directory: a directory with files but no
    // pg_control is damaged, and startup below reports the missing file.
    if (runsStartup && dir.list('').length === 0) {
      const firstXid = o.firstXid ?? FirstNormalTransactionId;
      bootstrapXLog(dir, { segmentSize: o.walSegmentSize, nextXid: firstXid });
      bootstrapTransamFiles(dir, xidFromFull(firstXid));
    }

    // The postmaster's part: one shared segment with every region (storage/ipc/ipci.ts).
    this.shmem = attach?.shmem ?? createSharedMemoryAndSemaphores({
      sharedBuffers: o.sharedBuffers ?? DEFAULT_SHARED_BUFFERS,
      walBuffers: o.walBuffers ?? DEFAULT_WAL_BUFFERS,
      checkpointWalBytes: o.checkpointWalBytes,
      checkpointTimeoutMs: o.checkpointTimeoutMs,
    });
    const nbuffers = sharedMemoryConfig(this.shmem).sharedBuffers;

    // The backend's part.
    this.lw = new LWLockOwner(this.shmem.i32);
    this.pid = attach?.pid ?? o.pid ?? 1;
    this.smgr = new Smgr(dir);
    this.syncRequests = new SyncRequestQueue(this.shmem, this.lw);
    this.smgr.syncRequests = this.syncRequests;
    this.bufmgr = new BufferManager(this.shmem, nbuffers, this.smgr, this.lw);
    this.xlog = new XLog(this.shmem, this.lw, dir);
    this.bufmgr.setWal({ flush: (lsn) => this.xlog.flush(lsn), getRedoRecPtr: () => this.xlog.getRedoRecPtr() });
    this.xlogInsert = new XLogInsertState(this.xlog, this.bufmgr);
    this.walAdapter = new HeapWalAdapter(this.xlogInsert, this.xlog);
    this.transam = attachTransam({
      shmem: this.shmem, lw: this.lw, dir, wal: transamWalFromXLog(this.xlog), pid: this.pid, databaseOid: STORAGE_DB_OID,
      settings: { synchronousCommit: o.synchronousCommit ?? true },
    });
    this.xact = this.transam.xact;
    this.xlog.minimumActiveBackends = minimumActiveBackends(this.transam.procArray, this.transam.procno);
    this.procSignal = new ProcSignal(this.shmem, this.transam.procno);
    this.backendStatus = new BackendStatus(this.shmem, this.transam.procno);
    // InitProcess's lock part: the lock manager over this backend's proc-array slot; its
    // transaction locks end with the (sub)transaction that took them (README rule 11: the
    // resource cleanups run after ProcArray.endTransaction).
    const xact = this.xact;
    this.lockManager = new LockManager({
      shmem: this.shmem,
      lw: this.lw,
      procno: this.transam.procno,
      procs: this.transam.procArray,
      databaseOid: STORAGE_DB_OID,
      currentOwner: () => (this.xidLockOwner !== 0 ? this.xidLockOwner : xact.getCurrentSubTransactionId()),
      interrupts: () => this.lockWaitInterrupts(),
      notice: (n) => this.lockNotice(n),
    });
    this.xact.registerResourceCleanup(this.lockManager);
    // XactLockTableInsert: every XID, top-level or sub, is locked by the (sub)transaction it
    // belongs to, so others can wait for it to end (xactLockTableWait).
    this.xact.registerXidAssignedCallback((xid, _isSubXact, subid) => {
      this.xidLockOwner = subid;
      try {
        xactLockTableInsert(this.lockManager, xid);
      } finally {
        this.xidLockOwner = 0;
      }
    });
    this.fsm = new FreeSpaceMap(this.bufmgr);
    this.vm = new VisibilityMap(this.bufmgr);
    this.vis = new HeapVisibility({
      xact: this.xact,
      status: this.transam.status,
      procArray: this.transam.procArray,
      subtrans: this.transam.subtrans,
      combo: this.xact.combo,
      snapmgr: this.xact.snapmgr,
      multixact: this.transam.multixact,
      needsFlush: (lsn) => lsn > this.xlog.getFlushRecPtr(),
      markBufferDirtyHint: (buffer, std) => this.bufmgr.markBufferDirtyHint(buffer, std),
    });
    // Serializable snapshot isolation (storage/lmgr/predicate.ts): the first snapshot of a
    // SERIALIZABLE transaction registers it; its XID, commit check and end are reported here.
    const subtrans = this.transam.subtrans;
    const vis = this.vis;
    this.predicateLocks = new PredicateLockManager({
      shmem: this.shmem, lw: this.lw, pid: this.pid, databaseOid: STORAGE_DB_OID, xact: this.xact, dir: this.dir,
      virtualTransactionId: () => ({ backendId: this.transam.procno + 1, lxid: this.transam.procArray.localXidOf(this.transam.procno) }),
      getTopmostTransaction: (xid, stopBefore) => subtrans.getTopmostTransaction(xid, stopBefore),
      readNextTransactionId: () => this.transam.varsup.readNextTransactionId(),
      transactionXmin: () => this.xact.snapmgr.transactionXmin,
      satisfiesVacuum: (page, at, oldestXmin, buffer) => vis.satisfiesVacuum(page, at, oldestXmin, buffer),
      interrupts: () => this.lockWaitInterrupts(),
    });
    const ssi = this.predicateLocks;
    this.xact.snapmgr.serializableSnapshot = (take) => ssi.getSerializableSnapshot(take);
    this.xact.preCommitSerializationCheck = () => ssi.preCommitCheck();
    this.xact.registerXidAssignedCallback((xid, isSubXact) => ssi.registerXid(xid, isSubXact));
    this.xact.registerResourceCleanup({ atEOXact: (isCommit) => ssi.releasePredicateLocks(isCommit) });
    const env: HeapEnv<SnapshotData> = {
      bufmgr: this.bufmgr, fsm: this.fsm, vm: this.vm, wal: this.walAdapter, xact: this.xact, vis: this.vis,
      predicate: ssi,
      lockManager: this.lockManager, lockDatabaseOid: STORAGE_DB_OID, xactWait: this.xactWait,
      multixact: this.transam.multixact,
      newOid: () => this.transam.varsup.getNewObjectId(),
      toastRelation: (toastOid) => {
        for (const r of this.relations.values()) if (r.toast !== null && r.toast.oid === toastOid) return r.toast;
        return null;
      },
    };
    this.heap = new HeapAM(env);
    const varsup = this.transam.varsup;
    this.btEnv = {
      bufmgr: this.bufmgr,
      wal: new BtWalAdapter(this.xlogInsert, this.xact),
      fsm: this.fsm,
      xids: {
        readNextFullXid: () => varsup.readNextFullTransactionId(),
        // GlobalVisCheckRemovableFullXid: oldestXmin widened to a full XID
        // against the next one, so a page deleted 2^31 XIDs ago is not
        // mistaken for one deleted in the future.
        isRemovableFullXid: (fxid) => {
          const next = varsup.readNextFullTransactionId();
          return fxid < next - ((xidFromFull(next) - this.vis.oldestXmin()) >>> 0);
        },
      },
      cycles: new SharedVacuumCycles(this.shmem, this.lw),
      predicate: ssi,
    };
    this.indexDeps = { heap: this.heap, vis: this.vis, vm: this.vm, bt: this.btEnv };
    this.xact.setPendingDeleteExecutor((rels) => {
      for (const r of rels) dropRelationFiles(r, this.smgr, this.bufmgr);
    });
    // Resource owners: an abort drops a half-built WAL record and every buffer pin and lock.
    this.xact.registerResourceCleanup({
      atEOXact: () => {
        this.xlogInsert.reset();
        this.bufmgr.releaseAll();
      },
    });
    // The relation and index lists follow the transaction, as catalog rows would.
    this.undo = new UndoLog(() => this.xact.getCurrentSubTransactionId());
    this.indexLists = new IndexLists(this.undo);
    this.xact.registerResourceCleanup(this.undo);

    this.sinval = new SharedInvalidation(this.shmem, this.lw, this.transam.procno, STORAGE_DB_OID);
    if (!runsStartup) {
      this.startupResult = null;
      return;
    }

    // StartupXLOG: recovery if needed.
    startTransamRecovery(this.transam);
    const services = new RedoServices()
      .provide(SMGR_REDO_SERVICES, { smgr: this.smgr, bufmgr: this.bufmgr, fsm: this.fsm, vm: this.vm })
      .provide(HEAP_REDO_SERVICES, { vm: this.vm })
      .provide(CLOG_REDO, this.transam.clog)
      .provide(MULTIXACT_REDO, this.transam.multixact)
      .provide(XACT_REDO, {
        status: this.transam.status,
        varsup: this.transam.varsup,
        dropRelationFiles: (rels) => {
          for (const r of rels) dropRelationFiles(r, this.smgr, this.bufmgr);
        },
      });
    const redo: RedoContext = { buffers: this.bufmgr, counters: transamRedoCounters(this.transam), services };
    this.startupResult = startupXLOG({ dir, xlog: this.xlog, redo, log: o.log });
    finishTransamRecovery(this.transam);
    if (this.startupResult.recoveryPerformed) {
      this.xlog.createCheckPoint(CHECKPOINT_END_OF_RECOVERY | CHECKPOINT_IMMEDIATE, this.checkpointHooks());
    }
  }

  /** Opens (and if empty, initializes) a data directory; runs crash recovery when needed. */
  static open(options: StorageEngineOptions = {}): StorageEngine {
    return new StorageEngine(options.dir ?? new MemoryDirectory(), options, null);
  }

  /**
   * A backend in a worker (InitPostgres after fork): attaches to the
   * segment the postmaster made (Shmem.attach), takes a proc-array and a
   * sinval slot, and builds its own buffer-manager, WAL and transaction
   * objects over them. With `startup`, it first runs initdb (empty
   * directory) and StartupXLOG, as the startup process does before the
   * postmaster lets other backends in.
   */
  static attach(options: StorageEngineAttachOptions): StorageEngine {
    const shmem = options.shmem instanceof SharedArrayBuffer ? Shmem.attach(options.shmem) : options.shmem;
    return new StorageEngine(options.dir, options, { shmem, startup: options.startup ?? false, pid: options.pid ?? 1 });
  }

  /** What startup found: whether crash recovery ran, how many records it replayed, where WAL ends (only on the backend that ran it). */
  get startup(): StartupResult {
    if (this.startupResult === null) return elog('this backend attached after startup; the startup backend has its result');
    return this.startupResult;
  }

  private checkpointHooks(): CheckpointHooks {
    return {
      checkPointGuts: () => {
        checkPointTransam(this.transam);
        this.predicateLocks.checkPointPredicate();
        this.bufmgr.bufferSync();
        // Every backend's writes, not only this one's: the shared fsync request queue (syncrequest.ts).
        this.smgr.syncAll(this.syncRequests.absorb());
      },
      nextXidAndOid: () => transamCheckpointFields(this.transam),
    };
  }

  private checkOpen(): void {
    if (this.closed) throw new PgError(SQLSTATE.admin_shutdown, 'terminating connection due to administrator command', { severity: 'FATAL' });
  }

  // ------------------------------------------------------------ transactions

  /** BEGIN */
  begin(): void {
    this.checkOpen();
    this.checkNoStatement('BEGIN');
    this.xact.startTransactionCommand();
    this.xact.beginTransactionBlock();
    this.xact.commitTransactionCommand();
  }

  /** COMMIT (ROLLBACK when the block failed, as PostgreSQL does). Returns false if it rolled back. */
  commit(): boolean {
    this.checkOpen();
    this.checkNoStatement('COMMIT');
    this.xact.startTransactionCommand();
    const committed = this.xact.endTransactionBlock();
    try {
      this.xact.commitTransactionCommand();
    } catch (e) {
      // Failed before the commit record (a serialization failure at PreCommit, a pre_commit
      // callback): the transaction rolls back and the block is over, as in PostgreSQL.
      if (this.xact.isInTransaction) this.xact.abortCurrentTransaction();
      throw e;
    }
    this.afterTransaction();
    return committed;
  }

  /** ROLLBACK */
  rollback(): void {
    this.checkOpen();
    this.checkNoStatement('ROLLBACK');
    this.xact.startTransactionCommand();
    this.xact.userAbortTransactionBlock();
    this.xact.commitTransactionCommand();
    this.afterTransaction();
  }

  /** SAVEPOINT name */
  savepoint(name: string): void {
    this.utility(() => this.xact.defineSavepoint(name));
  }

  /** RELEASE SAVEPOINT name */
  releaseSavepoint(name: string): void {
    this.utility(() => this.xact.releaseSavepoint(name));
  }

  /** ROLLBACK TO SAVEPOINT name */
  rollbackToSavepoint(name: string): void {
    this.utility(() => this.xact.rollbackToSavepoint(name));
  }

  get inTransactionBlock(): boolean {
    return this.xact.isTransactionBlock();
  }

  private utility(fn: () => void): void {
    this.checkOpen();
    this.checkNoStatement('a savepoint command');
    this.xact.startTransactionCommand();
    try {
      fn();
    } catch (e) {
      this.onError(e);
      throw e;
    }
    this.xact.commitTransactionCommand();
  }

  /** Transaction control is a statement of its own, never part of another. */
  private checkNoStatement(what: string): void {
    if (this.stmt !== null) throw new PgError(SQLSTATE.active_sql_transaction, `${what} cannot run inside a statement (call endStatement or abortStatement first)`);
  }

  // ------------------------------------------------------------ relation locks

  /**
   * LockRelationOid for the current transaction: sleeps while the lock
   * conflicts (deadlock-checked, cancellable). With `dontWait`, returns
   * false instead of waiting (ConditionalLockRelationOid). A lock newly
   * taken is followed by AcceptInvalidationMessages, so what the caller
   * reads of the relation's catalog rows next is current.
   */
  lockRelation(relid: number, mode: LockMode, dontWait = false): boolean {
    const lm = this.lockManager;
    const sleeps = lm.sleeps;
    if (dontWait) {
      if (!conditionalLockRelationOid(lm, STORAGE_DB_OID, relid, mode)) return false;
    } else if (lockRelationOid(lm, STORAGE_DB_OID, relid, mode) === LockAcquireResult.AlreadyHeld) {
      return true;
    }
    // Time passed while we waited: what the lock's holder committed must be visible (data too).
    if (lm.sleeps !== sleeps) this.refreshStatementSnapshot();
    // The session's hook renews the snapshot too when catalog changes arrived.
    this.acceptInvalidationMessages();
    return true;
  }

  /**
   * READ COMMITTED: a statement that has not begun to read or write data
   * yet (it is still opening and locking its relations) takes a new
   * snapshot when it waited for a lock or other backends' catalog changes
   * arrived meanwhile. PostgreSQL gets the same by taking the execution
   * snapshot after parse analysis (PortalStart) and by its catalog
   * snapshot, renewed on every invalidation: what the lock holder
   * committed, the waiter sees, catalog rows and data alike. With a
   * transaction snapshot (REPEATABLE READ, SERIALIZABLE) nothing changes.
   */
  refreshStatementSnapshot(): void {
    const st = this.stmt;
    if (st === null || st.error !== null || st.cursors.size > 0 || this.xact.usesXactSnapshot()) return;
    const snapmgr = this.xact.snapmgr;
    snapmgr.popActiveSnapshot();
    snapmgr.pushActiveSnapshot(snapmgr.getTransactionSnapshot());
    this.stmt = { ...st, snapshot: snapmgr.getActiveSnapshot() };
  }

  /** UnlockRelationOid: gives back a lock taken by lockRelation (a name that resolved to another OID meanwhile). */
  unlockRelation(relid: number, mode: LockMode): void {
    unlockRelationOid(this.lockManager, STORAGE_DB_OID, relid, mode);
  }

  /** LockRelationIdForSession: held across transactions, until unlockRelationForSession (VACUUM). */
  lockRelationForSession(relid: number, mode: LockMode): void {
    lockRelationIdForSession(this.lockManager, STORAGE_DB_OID, relid, mode);
    this.acceptInvalidationMessages();
  }

  unlockRelationForSession(relid: number, mode: LockMode): void {
    unlockRelationIdForSession(this.lockManager, STORAGE_DB_OID, relid, mode);
  }

  // ------------------------------------------------------------ statements

  /**
   * Starts one statement (exec_simple_query's start_xact_command plus the
   * snapshot PortalStart pushes): the calls until endStatement() share its
   * snapshot and command id. See the header's diagram.
   */
  startStatement(): void {
    this.checkOpen();
    if (this.stmt !== null) throw new PgError(SQLSTATE.active_sql_transaction, 'a statement is already running (startStatement without endStatement)');
    this.xact.startTransactionCommand();
    this.xact.checkNotAborted();
    try {
      const snapmgr = this.xact.snapmgr;
      snapmgr.pushActiveSnapshot(snapmgr.getTransactionSnapshot());
      const cursors = this.spareCursors ?? new Set<HeapScanCursor | IndexScanCursor>();
      this.spareCursors = null;
      this.stmt = { snapshot: snapmgr.getActiveSnapshot(), cursors, owner: null, error: null };
    } catch (e) {
      this.onError(e);
      throw e;
    }
  }

  /**
   * Ends the statement: closes its cursors, CommandCounterIncrement (so the
   * next statement sees this one's changes), and commits an implicit
   * transaction. After a call inside it failed, aborts instead and rethrows
   * that error (rule 2).
   */
  endStatement(): void {
    const st = this.stmt;
    if (st === null) throw new PgError(SQLSTATE.invalid_transaction_state, 'no statement is running (endStatement without startStatement)');
    if (st.error !== null) {
      const e = st.error;
      this.abortStatement(e);
      throw e;
    }
    this.closeCursors(st);
    this.stmt = null;
    this.spareCursors = st.cursors;
    this.xact.snapmgr.popActiveSnapshot();
    const implicit = !this.xact.isTransactionBlock();
    try {
      this.xact.commitTransactionCommand();
    } catch (e) {
      this.onError(e);
      throw e;
    }
    if (implicit) this.afterTransaction();
  }

  /**
   * After an error in the statement: closes its cursors, then aborts the
   * implicit transaction, or the block's transaction, leaving the block
   * failed until ROLLBACK (25P02 meanwhile). Safe without a running
   * statement (an error before startStatement returned).
   */
  abortStatement(err?: unknown): void {
    const st = this.stmt;
    if (st !== null) {
      this.stmt = null;
      this.closeCursors(st);
      if (this.xact.snapmgr.activeSnapshotSet()) this.xact.snapmgr.popActiveSnapshot();
    }
    if (this.closed) return;
    this.onError(err);
  }

  /**
   * CommandCounterIncrement inside a statement, for a utility command that
   * must see its own earlier changes (DDL writing catalog rows it then
   * reads): the statement's snapshot moves to the new command id too
   * (UpdateActiveSnapshotCommandId). A DML statement must not call it: it
   * would see the rows it wrote.
   */
  commandCounterIncrement(): void {
    this.checkOpen();
    this.xact.commandCounterIncrement();
    if (this.stmt !== null) {
      this.xact.snapmgr.updateActiveSnapshotCommandId();
    }
  }

  /** Whether startStatement() has opened a statement that has not ended. */
  get inStatement(): boolean {
    return this.stmt !== null;
  }

  /** Whether a call inside the running statement failed (it refuses more work until abortStatement). */
  get statementFailed(): boolean {
    return this.stmt !== null && this.stmt.error !== null;
  }

  private closeCursors(st: StatementState): void {
    st.owner = null;
    // The executor ends its cursors itself, so the set is usually empty already.
    if (st.cursors.size === 0) return;
    const open = [...st.cursors];
    st.cursors.clear();
    for (const c of open) {
      try {
        c.end();
      } catch {
        // The transaction's end releases whatever pin is left.
      }
    }
  }

  /** ScanOwner: a cursor ended; if it opened its own statement, that statement ends with it. */
  scanEnded(cursor: HeapScanCursor | IndexScanCursor): void {
    const st = this.stmt;
    if (st === null || !st.cursors.delete(cursor)) return;
    if (st.owner === cursor) this.endStatement();
  }

  /** ScanOwner: a cursor's next() failed. */
  scanFailed(cursor: HeapScanCursor | IndexScanCursor, err: unknown): void {
    const st = this.stmt;
    if (st === null || !st.cursors.has(cursor)) return;
    if (st.owner === cursor) this.abortStatement(err);
    else st.error = err;
  }

  /** Registers a new cursor with the running statement, opening one it owns if none is running. */
  private openCursor<C extends HeapScanCursor | IndexScanCursor>(make: (snapshot: SnapshotData) => C): C {
    const owns = this.stmt === null;
    if (owns) this.startStatement();
    const st = this.stmt as StatementState;
    let cursor: C;
    try {
      cursor = make(st.snapshot);
    } catch (e) {
      if (owns) this.abortStatement(e);
      else st.error = e;
      throw e;
    }
    st.cursors.add(cursor);
    if (owns) st.owner = cursor;
    return cursor;
  }

  /**
   * Runs one call as a statement: inside startStatement(), as part of that
   * statement (its snapshot and command id; an error is recorded for
   * endStatement/abortStatement); otherwise in the open transaction block
   * or an implicit transaction of its own, seeing its own earlier changes
   * (CommandCounterIncrement after it).
   */
  private statement<T>(fn: () => T): T {
    this.checkOpen();
    const st = this.stmt;
    if (st !== null) {
      if (st.error !== null) throw new PgError(SQLSTATE.in_failed_sql_transaction, 'the current statement failed; call abortStatement');
      try {
        return fn();
      } catch (e) {
        st.error = e;
        // Rule 3 does not wait for the caller: shared state may be corrupt.
        if (isPgError(e) && e.severity === 'PANIC') this.abortStatement(e);
        throw e;
      }
    }
    this.xact.startTransactionCommand();
    this.xact.checkNotAborted();
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.onError(e);
      throw e;
    }
    const implicit = !this.xact.isTransactionBlock();
    this.xact.commitTransactionCommand();
    if (implicit) this.afterTransaction();
    return result;
  }

  private onError(e: unknown): void {
    this.lw.releaseAll();
    if (isPgError(e) && e.severity === 'PANIC') {
      this.abandon();
      return;
    }
    this.xact.abortCurrentTransaction();
  }

  /** A checkpoint due: asked of the checkpointer process when one runs, else this backend's own duty. */
  private afterTransaction(): void {
    if (this.otherCheckpointer()) {
      if (this.xlog.requestCheckpointIfNeeded()) this.syncRequests.wakeCheckpointer();
      return;
    }
    if (this.xlog.requestCheckpointIfNeeded()) {
      const flags = this.xlog.takeCheckpointRequest();
      this.xlog.createCheckPoint(flags, this.checkpointHooks());
    }
  }

  /**
   * The snapshot catalog scans use (catalog/indexing.ts): a fresh one in a
   * transaction that keeps its snapshot (REPEATABLE READ, SERIALIZABLE;
   * SnapshotManager.getCatalogSnapshot), else undefined: the statement's.
   */
  catalogSnapshot(): SnapshotData | undefined {
    if (!this.xact.usesXactSnapshot() || !this.xact.snapmgr.firstSnapshotSet) return undefined;
    return this.xact.snapmgr.getCatalogSnapshot();
  }

  /** The current statement's snapshot: startStatement's, or a new one per call (READ COMMITTED). */
  private snapshot(): SnapshotData {
    return this.stmt !== null ? this.stmt.snapshot : this.xact.snapmgr.getTransactionSnapshot();
  }

  // ------------------------------------------------------------ relations

  /**
   * Creates a heap relation (with a TOAST relation when a column may need
   * one) and returns its descriptor. Its storage is WAL-logged and removed
   * again if the transaction rolls back.
   */
  createRelation(name: string, columns: readonly ColumnDef[], options: { fillfactor?: number; oid?: number; toastOid?: number } = {}): Relation {
    return this.statement(() => {
      const desc = createTupleDesc(columns);
      const xid = this.xact.getCurrentTransactionId();
      const needsToast = desc.attrs.some((a) => a.attlen === -1 && a.attstorage !== 'p');
      let toast: Relation | null = null;
      if (needsToast) {
        // options.oid / toastOid: the catalogs' fixed OIDs at bootstrap (catalog/schemapg.ts).
        const toid = options.toastOid ?? this.transam.varsup.getNewObjectId();
        toast = makeRelation(toid, `pg_toast_${toid}`, this.locatorFor(toid), toastTupleDesc());
        relationCreateStorage(toast.locator, this.smgr, this.walAdapter, this.xact, xid);
      }
      const oid = options.oid ?? this.transam.varsup.getNewObjectId();
      const rel = makeRelation(oid, name, this.locatorFor(oid), desc, toast, options.fillfactor ?? 100);
      relationCreateStorage(rel.locator, this.smgr, this.walAdapter, this.xact, xid);
      this.relations.set(oid, rel);
      this.undo.note(() => this.relations.delete(oid));
      return rel;
    });
  }

  /**
   * Re-attaches a relation created earlier (after a reopen): the caller keeps
   * what a catalog would (OIDs and columns) until the SQL layer's catalogs do.
   */
  openRelation(spec: { oid: number; name: string; columns?: readonly ColumnDef[]; desc?: TupleDesc; toastOid?: number | null; fillfactor?: number }): Relation {
    this.checkOpen();
    const desc = spec.desc ?? createTupleDesc(spec.columns ?? []);
    const toast = spec.toastOid != null ? makeRelation(spec.toastOid, `pg_toast_${spec.toastOid}`, this.locatorFor(spec.toastOid), toastTupleDesc()) : null;
    const rel = makeRelation(spec.oid, spec.name, this.locatorFor(spec.oid), desc, toast, spec.fillfactor ?? 100);
    if (!this.smgr.exists(rel.locator, ForkNumber.MAIN)) {
      throw new PgError(SQLSTATE.undefined_table, `relation "${spec.name}" does not exist`);
    }
    this.relations.set(spec.oid, rel);
    return rel;
  }

  /** Drops a relation and its indexes: their files go away when the transaction commits. */
  dropRelation(rel: Relation): void {
    this.statement(() => {
      this.xact.getCurrentTransactionId();
      // SSI: dropping the table writes all of it (CheckTableForSerializableConflictIn).
      this.predicateLocks.checkTableForSerializableConflictIn(rel.oid);
      for (const index of this.indexesOf(rel)) this.dropIndexStorage(index);
      this.xact.registerPendingDelete(rel.locator, true);
      if (rel.toast !== null) this.xact.registerPendingDelete(rel.toast.locator, true);
      const was = this.relations.get(rel.oid);
      this.relations.delete(rel.oid);
      if (was !== undefined) this.undo.note(() => this.relations.set(rel.oid, was));
    });
  }

  // ------------------------------------------------------------ indexes

  /**
   * CREATE INDEX: a new B-tree on `heapRel`, built bottom-up from a scan of
   * the table that offers every row version some snapshot may still see
   * (heapam_handler.ts rule 3). Its storage is WAL-logged and removed again
   * if the transaction rolls back; from now on every insert and non-HOT
   * update of the table adds entries to it. A unique index refuses to build
   * over duplicate live rows (23505, `could not create unique index`).
   */
  createIndex(heapRel: Relation, name: string, spec: IndexSpec, onBuilt?: (stats: IndexBuildStats) => void): IndexRelation {
    return this.statement(() => {
      this.checkIndexColumns(heapRel, name, spec.columns);
      const xid = this.xact.getCurrentTransactionId();
      const oid = spec.oid ?? this.transam.varsup.getNewObjectId();
      const index = makeIndexRelation({ oid, name, locator: this.locatorFor(oid), columns: spec.columns, unique: spec.unique, fillfactor: spec.fillfactor });
      relationCreateStorage(index.locator, this.smgr, this.walAdapter, this.xact, xid);
      const built = btbuild(index, this.btEnv, heapIndexBuildScan(this.heap, this.vis, heapRel, index.heapAttnums), heapRel);
      onBuilt?.({
        heapPages: this.bufmgr.nblocks(heapRel.locator, ForkNumber.MAIN), heapLiveTuples: built.heapLiveTuples,
        indexPages: this.bufmgr.nblocks(index.locator, ForkNumber.MAIN), indexTuples: built.indexTuples,
      });
      this.indexLists.attach(heapRel, index, true);
      return index;
    });
  }

  /**
   * Re-attaches an index created earlier (after a reopen), from what the
   * catalogs keep (pg_class.oid, relname, pg_index's columns, indisunique,
   * reloptions). Not transactional: it describes what already exists.
   */
  openIndex(heapRel: Relation, spec: IndexSpec & { oid: number; name: string }): IndexRelation {
    this.checkOpen();
    this.checkIndexColumns(heapRel, spec.name, spec.columns);
    const index = makeIndexRelation({
      oid: spec.oid, name: spec.name, locator: this.locatorFor(spec.oid), columns: spec.columns, unique: spec.unique, fillfactor: spec.fillfactor,
    });
    if (!this.smgr.exists(index.locator, ForkNumber.MAIN)) {
      throw new PgError(SQLSTATE.undefined_table, `relation "${spec.name}" does not exist`);
    }
    this.indexLists.attach(heapRel, index, false);
    return index;
  }

  /** DROP INDEX: the table stops maintaining it now; its files go away when the transaction commits. */
  dropIndex(index: IndexRelation): void {
    this.statement(() => {
      this.xact.getCurrentTransactionId();
      this.dropIndexStorage(index);
    });
  }

  /** Whether this backend maintains index `indexOid` (it is in its table's list). */
  hasIndex(indexOid: number): boolean {
    return this.indexLists.has(indexOid);
  }

  /** Every index this backend maintains, by OID (for a sinval reset, which must recheck them all). */
  indexOids(): number[] {
    return this.indexLists.indexOids();
  }

  /**
   * Shared invalidation said another backend committed a DROP INDEX (the
   * catalogs no longer list `indexOid`): this backend stops maintaining it.
   * Not transactional: the drop is already committed.
   */
  forgetDroppedIndex(indexOid: number): void {
    this.indexLists.forget(indexOid);
  }

  /** The table's open indexes, in creation order (ExecOpenIndices). */
  indexesOf(rel: Relation): readonly IndexRelation[] {
    return this.indexLists.of(rel.oid);
  }

  private dropIndexStorage(index: IndexRelation): void {
    // SSI: SIREAD locks on the index's pages become locks on its table (TransferPredicateLocksToHeapRelation).
    const heapOfIndex = this.indexLists.heapOf(index);
    if (heapOfIndex !== undefined) this.predicateLocks.transferToHeapRelation(index.oid, heapOfIndex.oid);
    this.xact.registerPendingDelete(index.locator, true);
    this.indexLists.detach(index);
  }

  /** Index key columns must name heap columns of the same type (no expressions). */
  private checkIndexColumns(heapRel: Relation, name: string, columns: readonly IndexKeyColumn[]): void {
    for (const c of columns) {
      const attnum = c.heapAttnum ?? 0;
      if (!Number.isInteger(attnum) || attnum < 1 || attnum > heapRel.desc.natts) {
        throw new PgError(SQLSTATE.feature_not_supported, `index "${name}": column "${c.name}" must name a column of "${heapRel.name}" (heapAttnum 1..${heapRel.desc.natts}); expression indexes are not supported`);
      }
      const attr = heapRel.desc.attrs[attnum - 1];
      if (attr.atttypid !== c.type.oid) {
        throw new PgError(SQLSTATE.invalid_parameter_value, `index "${name}": column "${c.name}" has type ${c.type.name}, but column "${attr.attname}" of "${heapRel.name}" has another type`);
      }
    }
  }

  /** The table's index inserter, rebuilt when its index list changed. */
  private inserterFor(rel: Relation, indexes: readonly IndexRelation[]): IndexInserter {
    let ins = this.inserters.get(rel.oid);
    if (ins === undefined || ins.rel !== rel || ins.indexes !== indexes) {
      ins = new IndexInserter(this.indexDeps, rel, indexes);
      this.inserters.set(rel.oid, ins);
    }
    return ins;
  }

  /**
   * amcheck's bt_index_parent_check(index, heapallindexed => true): the
   * tree's invariants, and (by default) that every row version the table
   * holds for the index (what a build would index now) has its entry.
   * Raises XX002 at the first violation. Like amcheck, it expects no
   * concurrent writer.
   */
  checkIndex(index: IndexRelation, options: { heapAllIndexed?: boolean } = {}): BtCheckResult {
    return this.statement(() => {
      const heapRel = this.indexLists.heapOf(index);
      const all = options.heapAllIndexed !== false && heapRel !== undefined;
      return btIndexCheck(index, this.btEnv, all ? { heapAllIndexed: heapIndexBuildScan(this.heap, this.vis, heapRel, index.heapAttnums) } : {});
    });
  }

  /**
   * checkIndex for every index of the table, reading the heap once for all
   * of them (each index's heapallindexed is fed from the same pass).
   */
  checkIndexes(rel: Relation): { index: IndexRelation; result: BtCheckResult }[] {
    return this.statement(() => {
      const indexes = this.indexesOf(rel);
      const attnums = [...new Set(indexes.flatMap((ix) => [...ix.heapAttnums]))];
      const rows: { tid: Tid; values: IndexValue[]; alive: boolean }[] = [];
      heapIndexBuildScan(this.heap, this.vis, rel, attnums)((tid, values, alive) => rows.push({ tid, values: [...values], alive }));
      return indexes.map((index) => {
        const pos = [...index.heapAttnums].map((a) => attnums.indexOf(a));
        const key = new Array<IndexValue>(pos.length);
        const heapAllIndexed = (cb: (tid: Tid, values: readonly IndexValue[], alive: boolean) => void): void => {
          for (const r of rows) {
            for (let i = 0; i < pos.length; i++) key[i] = r.values[pos[i]];
            cb(r.tid, key, r.alive);
          }
        };
        return { index, result: btIndexCheck(index, this.btEnv, { heapAllIndexed }) };
      });
    });
  }

  /** Planner statistics of an index: pages, leaf tuples, tree height (btIndexStats). */
  indexStats(index: IndexRelation): BtIndexStats {
    return this.statement(() => btIndexStats(index, this.btEnv));
  }

  /** relpages (blocks of the table) and an estimate of its live tuples, as ANALYZE stores them. */
  relationStats(rel: Relation): HeapSizeEstimate {
    return this.statement(() => heapEstimateSize(this.heap, this.vis, rel));
  }

  private locatorFor(relNumber: number): RelFileLocator {
    return { spcOid: DEFAULTTABLESPACE_OID, dbOid: STORAGE_DB_OID, relNumber };
  }

  // ------------------------------------------------------------ rows

  /** INSERT one row; returns its TID. Every index of the table gets its entry (rule 4). */
  insert(rel: Relation, values: readonly (TupleValue | null)[]): Tid {
    return this.statement(() => this.insertRow(rel, this.checkRow(rel, values), this.xact.getCurrentCommandId(true)));
  }

  /**
   * INSERT many rows in one statement (one command id); returns their TIDs.
   * The heap takes them in batches of HEAP_MULTI_INSERT_MAX_TUPLES
   * (heap_multi_insert: a lock and a WAL record per page, not per row);
   * each batch's index entries follow it row by row.
   */
  insertMany(rel: Relation, rows: readonly (readonly (TupleValue | null)[])[]): Tid[] {
    return this.statement(() => {
      const tids: Tid[] = new Array<Tid>(rows.length);
      for (const r of rows) this.checkRow(rel, r);
      const bistate = new BulkInsertState();
      const batch: Tid[] = new Array<Tid>(Math.min(rows.length, HEAP_MULTI_INSERT_MAX_TUPLES)).fill(0);
      try {
        for (let start = 0; start < rows.length; start += HEAP_MULTI_INSERT_MAX_TUPLES) {
          const part = start === 0 && rows.length <= HEAP_MULTI_INSERT_MAX_TUPLES ? rows : rows.slice(start, start + HEAP_MULTI_INSERT_MAX_TUPLES);
          this.insertBatchRows(rel, part, part.length, batch, bistate);
          for (let i = 0; i < part.length; i++) tids[start + i] = batch[i];
        }
      } finally {
        this.endBulkInsert(bistate);
      }
      return tids;
    });
  }

  /**
   * The executor's bulk INSERT (ExecInsert's buffered path, as COPY's
   * CopyMultiInsertBuffer): rows[0..n) stored by heap_multi_insert, then
   * each row's index entries in order; tids[i] gets row i's TID. The rows
   * must already have passed the executor's constraint checks. `bistate`
   * (beginBulkInsert) keeps the target page pinned from one batch to the
   * next; the caller frees it with endBulkInsert, also after an error.
   */
  insertBatch(rel: Relation, rows: readonly (readonly (TupleValue | null)[])[], n: number, tids: Tid[], bistate: BulkInsertState): void {
    this.statement(() => this.insertBatchRows(rel, rows, n, tids, bistate));
  }

  /** A BulkInsertState for insertBatch (GetBulkInsertState). */
  beginBulkInsert(): BulkInsertState {
    return new BulkInsertState();
  }

  /**
   * FreeBulkInsertState: drops the pin insertBatch kept. Safe to call twice,
   * and after the transaction's end or a PANIC released every pin already.
   */
  endBulkInsert(bistate: BulkInsertState): void {
    if (this.closed || (bistate.current !== 0 && this.bufmgr.pinCount(bistate.current) === 0)) bistate.current = 0;
    freeBulkInsertState(this.bufmgr, bistate);
  }

  private insertBatchRows(rel: Relation, rows: readonly (readonly (TupleValue | null)[])[], n: number, tids: Tid[], bistate: BulkInsertState): void {
    const cid = this.xact.getCurrentCommandId(true);
    this.heap.multiInsert(rel, rows, n, cid, tids, bistate);
    const indexes = this.indexesOf(rel);
    if (indexes.length === 0) return;
    const ins = this.inserterFor(rel, indexes);
    for (let i = 0; i < n; i++) ins.insert(rows[i], tids[i]);
  }

  /** heap_insert + ExecInsertIndexTuples. */
  private insertRow(rel: Relation, values: readonly (TupleValue | null)[], cid: number): Tid {
    const tid = this.heap.insert(rel, values, cid);
    const indexes = this.indexesOf(rel);
    if (indexes.length > 0) this.inserterFor(rel, indexes).insert(values, tid);
    return tid;
  }

  /**
   * INSERT ... ON CONFLICT's insertion (ExecInsert's speculative path,
   * README.md "Speculative insertion"): the row is stored with a fresh
   * speculative token under the speculative insertion lock, its index
   * entries made with the arbiter indexes (`arbiters`, index OIDs) checked
   * in 'partial' mode. If an arbiter saw another live or in-progress row
   * with the key, the tuple is super-deleted (invisible to everyone at
   * once) and null returned: the caller checks the arbiters again, now
   * finding that row. Else the insertion is confirmed and its TID returned.
   * The lock is released after either, waking the backends that found the
   * tuple meanwhile and waited on its token. The row must have passed the
   * executor's constraint checks.
   */
  insertSpeculative(rel: Relation, values: readonly (TupleValue | null)[], arbiters: ReadonlySet<number>): Tid | null {
    return this.statement(() => {
      const row = this.checkRow(rel, values);
      const cid = this.xact.getCurrentCommandId(true);
      const xid = this.xact.getCurrentTransactionId();
      const token = speculativeInsertionLockAcquire(this.lockManager, xid);
      const tid = this.heap.insert(rel, row, cid, token);
      const indexes = this.indexesOf(rel);
      const conflict = indexes.length > 0 && this.inserterFor(rel, indexes).insertSpeculative(row, tid, arbiters);
      if (conflict) this.heap.abortSpeculative(rel, tid);
      else this.heap.finishSpeculative(rel, tid);
      speculativeInsertionLockRelease(this.lockManager, xid, token);
      return conflict ? null : tid;
    });
  }

  /**
   * ON CONFLICT's question about the row version an arbiter check found
   * (HeapAM.snapshotVisibility): 'visible' to the statement's snapshot,
   * 'mine' (inserted by this transaction, not visible: this command's), or
   * 'invisible'.
   */
  tupleSnapshotVisibility(rel: Relation, tid: Tid): 'visible' | 'mine' | 'invisible' {
    return this.statement(() => this.heap.snapshotVisibility(rel, tid, this.snapshot()));
  }

  /** Replaces the row at tid; returns the new version's TID. */
  update(rel: Relation, tid: Tid, values: readonly (TupleValue | null)[]): Tid {
    return this.statement(() => {
      const r = this.updateRow(rel, tid, this.checkRow(rel, values));
      this.raiseForResult(r.result);
      return r.newTid;
    });
  }

  /**
   * UPDATE as ExecUpdate needs it: the outcome instead of an error, so a
   * row this statement already changed ('self-modified') can be skipped.
   * `tid` is the new version's on 'ok', the successor's on 'updated'.
   */
  tryUpdate(rel: Relation, tid: Tid, values: readonly (TupleValue | null)[]): { outcome: ModifyOutcome; tid: Tid } {
    return this.statement(() => {
      const r = this.updateRow(rel, tid, this.checkRow(rel, values));
      return { outcome: outcomeOf(r.result), tid: r.result === TM_Result.TM_Ok ? r.newTid : r.ctid };
    });
  }

  /**
   * heap_update, with HOT allowed only when no indexed column changed (the
   * heap compares them on the locked old version), then index entries for
   * a version that is not HOT.
   */
  private updateRow(rel: Relation, tid: Tid, values: readonly (TupleValue | null)[]): HeapModifyResult {
    const cid = this.xact.getCurrentCommandId(true);
    const indexes = this.indexesOf(rel);
    // No unique index, no key columns: every update is NO KEY (FOR KEY SHARE lockers do not stop it).
    if (indexes.length === 0) return this.heap.update(rel, tid, values, cid, true, NO_KEY_ATTRS);
    const ins = this.inserterFor(rel, indexes);
    const r = this.heap.update(rel, tid, values, cid, ins.indexedAttrs, ins.keyAttrs);
    if (r.result === TM_Result.TM_Ok && !r.hot) ins.insert(values, r.newTid);
    return r;
  }

  /** Deletes the row at tid (index entries stay until VACUUM removes them). */
  delete(rel: Relation, tid: Tid): void {
    this.statement(() => {
      const r = this.heap.delete(rel, tid, this.xact.getCurrentCommandId(true));
      this.raiseForResult(r.result);
    });
  }

  /** DELETE as ExecDelete needs it: the outcome instead of an error (see tryUpdate). */
  tryDelete(rel: Relation, tid: Tid): { outcome: ModifyOutcome; tid: Tid } {
    return this.statement(() => {
      const r = this.heap.delete(rel, tid, this.xact.getCurrentCommandId(true));
      return { outcome: outcomeOf(r.result), tid: r.ctid };
    });
  }

  /**
   * heap_lock_tuple for SELECT ... FOR UPDATE / SHARE and for EvalPlanQual:
   * locks the row version at `tid` in `mode` (LockTupleMode), waiting,
   * skipping or failing per `policy` (LockWaitPolicy). On 'ok', `values` is
   * the locked version's row (detoasted); on 'updated', `tid` is the
   * successor version's.
   */
  lockRow(rel: Relation, tid: Tid, mode: LockTupleMode, policy: LockWaitPolicy): { outcome: ModifyOutcome; tid: Tid; values: (TupleValue | null)[] | null } {
    return this.statement(() => {
      const r = this.heap.lockTuple(rel, tid, this.xact.getCurrentCommandId(false), mode, policy);
      if (r.values !== null) this.heap.detoastValues(rel, r.values);
      return { outcome: outcomeOf(r.result), tid: r.ctid, values: r.values };
    });
  }

  private raiseForResult(result: TM_Result): void {
    switch (result) {
      case TM_Result.TM_Ok:
        return;
      case TM_Result.TM_SelfModified:
        throw new PgError(SQLSTATE.invalid_parameter_value, 'tuple already updated by self');
      case TM_Result.TM_Updated:
        throw new PgError(SQLSTATE.serialization_failure, 'could not serialize access due to concurrent update');
      case TM_Result.TM_Deleted:
        throw new PgError(SQLSTATE.serialization_failure, 'could not serialize access due to concurrent delete');
      case TM_Result.TM_BeingModified:
        throw new PgError(SQLSTATE.lock_not_available, 'could not obtain lock on row: another transaction is modifying it');
      default:
        throw new PgError(SQLSTATE.internal_error, `unexpected heap result ${result}`);
    }
  }

  /** NOT NULL checks (the executor's ExecConstraints for the storage API). */
  private checkRow(rel: Relation, values: readonly (TupleValue | null)[]): readonly (TupleValue | null)[] {
    const desc = rel.desc;
    if (values.length !== desc.natts) {
      throw new PgError(SQLSTATE.invalid_parameter_value, `relation "${rel.name}" has ${desc.natts} columns, ${values.length} values given`);
    }
    for (let i = 0; i < desc.natts; i++) {
      if (values[i] === null && desc.attrs[i].attnotnull) {
        throw new PgError(SQLSTATE.not_null_violation, `null value in column "${desc.attrs[i].attname}" of relation "${rel.name}" violates not-null constraint`, {
          table: rel.name, column: desc.attrs[i].attname,
        });
      }
    }
    return values;
  }

  /** The row at tid if visible to the current snapshot (TOASTed values resolved). */
  fetch(rel: Relation, tid: Tid): (TupleValue | null)[] | null {
    return this.statement(() => {
      const values = this.heap.fetch(rel, tid, this.snapshot());
      if (values !== null) this.heap.detoastValues(rel, values);
      return values;
    });
  }

  /** Every row visible to the current snapshot, in physical order, TOASTed values resolved. */
  scan(rel: Relation): ScannedRow[] {
    return this.statement(() => {
      const out: ScannedRow[] = [];
      const scan = new HeapScan(this.heap, rel, this.snapshot());
      try {
        while (scan.next()) {
          const values = new Array<TupleValue | null>(rel.desc.natts);
          scan.getValues(values, new Array<boolean>(rel.desc.natts));
          this.heap.detoastValues(rel, values);
          out.push({ tid: scan.tid, values });
        }
      } finally {
        scan.end();
      }
      return out;
    });
  }

  /**
   * Calls fn for every visible row without materializing them (the
   * executor's SeqScan). `values` is reused between calls. `snapshot`
   * replaces the statement's (catalog scans: catalogSnapshot).
   */
  scanEach(rel: Relation, fn: (values: (TupleValue | null)[], tid: Tid) => void, snapshot?: SnapshotData): number {
    return this.statement(() => {
      const values = new Array<TupleValue | null>(rel.desc.natts);
      const isnull = new Array<boolean>(rel.desc.natts);
      const scan = new HeapScan(this.heap, rel, snapshot ?? this.snapshot());
      let n = 0;
      try {
        while (scan.next()) {
          scan.getValues(values, isnull);
          fn(values, scan.tid);
          n++;
        }
      } finally {
        scan.end();
      }
      return n;
    });
  }

  /**
   * A sequential scan pulled one row at a time (SeqScan), under the running
   * statement's snapshot; outside startStatement() it opens a statement of
   * its own that its end() ends. `options.natts`: only the leading natts
   * attributes are deformed (the rest of `values` stays null), for a plan
   * that reads no column past it; `options.keys`: scan keys tested on the
   * stored tuple before it is deformed (HeapScanOptions).
   */
  beginScan(rel: Relation, options?: HeapScanOptions): TableScanCursor {
    this.checkOpen();
    return this.openCursor((snapshot) => new HeapScanCursor(this.heap, rel, snapshot, this, options));
  }

  /**
   * An index scan pulled one row at a time (IndexScan, IndexOnlyScan): the
   * heap rows whose index entries satisfy every key, in index order
   * ('forward') or reverse, visible to the statement's snapshot; HOT chains
   * are followed from each entry. `indexOnly` returns the index's columns,
   * visiting the heap only where the visibility map does not promise that
   * the whole page is visible. Statement handling as beginScan.
   */
  beginIndexScan(index: IndexRelation, keys: readonly ScanKey[], options: IndexScanCursorOptions = {}): IndexScan {
    this.checkOpen();
    const attached = this.indexLists.heapOf(index);
    // The table's current descriptor if it was reopened since (openRelation replaces it).
    const heapRel = attached === undefined ? undefined : this.relations.get(attached.oid) ?? attached;
    if (heapRel === undefined) throw new PgError(SQLSTATE.undefined_object, `index "${index.name}" is not open on an open table (createIndex or openIndex first)`);
    return this.openCursor((snapshot) => new IndexScanCursor(this.indexDeps, heapRel, index, keys, snapshot, options, this));
  }

  /** Counts visible rows (a COUNT(*) scan: visibility checks, no deforming). */
  count(rel: Relation): number {
    return this.statement(() => {
      const scan = new HeapScan(this.heap, rel, this.snapshot());
      let n = 0;
      try {
        while (scan.next()) n++;
      } finally {
        scan.end();
      }
      return n;
    });
  }

  // ------------------------------------------------------------ maintenance

  /**
   * VACUUM [FREEZE] of one relation (and its TOAST relation). Outside a
   * transaction block only, as PostgreSQL requires. The heap's first pass
   * collects dead TIDs, btbulkdelete removes their entries from every index,
   * and only then does the heap's second pass free the line pointers (a
   * TID must not be reused while an index still names it); btvacuumcleanup
   * ends each index's part. Returns the heap's and each index's counters;
   * the caller records relfrozenxid (see setOldestXid).
   */
  vacuum(rel: Relation, options: Omit<VacuumOptions, 'truncateRelation' | 'indexBulkDelete'> = {}): RelationVacuumStats {
    return this.statement(() => {
      // PreventInTransactionBlock: an error like any other, so it aborts the block (rule 2).
      if (this.xact.isTransactionBlock()) {
        throw new PgError(SQLSTATE.active_sql_transaction, 'VACUUM cannot run inside a transaction block');
      }
      const truncateRelation = (r: Relation, nblocks: number): void => {
        relationTruncate(r.locator, nblocks, { smgr: this.smgr, bufmgr: this.bufmgr, fsm: this.fsm, vm: this.vm }, this.walAdapter, 0);
      };
      if (rel.toast !== null) lazyVacuumHeap(this.heap, rel.toast, { ...options, truncateRelation });
      const indexes = this.indexesOf(rel);
      const results = new Map<IndexRelation, IndexBulkDeleteResult | null>(indexes.map((ix) => [ix, null]));
      const indexBulkDelete = indexes.length === 0 ? [] : [(deadTids: readonly Tid[]): void => {
        const dead = new Set(deadTids);
        for (const ix of indexes) results.set(ix, btbulkdelete(ix, this.btEnv, dead, results.get(ix) ?? null));
      }];
      const heapStats = lazyVacuumHeap(this.heap, rel, { ...options, truncateRelation, indexBulkDelete });
      const indexStats = indexes.map((ix) => ({ oid: ix.oid, name: ix.name, stats: btvacuumcleanup(ix, this.btEnv, results.get(ix) ?? null) }));
      return { ...heapStats, indexes: indexStats };
    });
  }

  /**
   * vac_update_datfrozenxid's end: the oldest relfrozenxid of every table is
   * now `oldestXid`, so the wraparound limits move forward and CLOG before it
   * can be truncated.
   */
  setOldestXid(oldestXid: number): void {
    this.checkOpen();
    this.transam.varsup.setTransactionIdLimit(oldestXid, STORAGE_DB_OID);
    this.transam.clog.truncate(oldestXid, STORAGE_DB_OID);
  }

  /** CHECKPOINT: forwarded to the checkpointer process and waited for, or run here when there is none. */
  checkpoint(): void {
    this.checkOpen();
    if (this.otherCheckpointer()) {
      this.syncRequests.requestCheckpointAndWait(
        () => this.xlog.requestCheckpoint(CHECKPOINT_IMMEDIATE | CHECKPOINT_FORCE | CHECKPOINT_WAIT),
        () => {
          if (this.procSignal.pending()) this.procSignal.processInterrupts();
        },
      );
      return;
    }
    // Allowed inside a transaction block, as in PostgreSQL: this backend doubles as the checkpointer.
    this.xlog.createCheckPoint(CHECKPOINT_IMMEDIATE | CHECKPOINT_FORCE, this.checkpointHooks());
  }

  /**
   * WalWriterMain: every `delayMs` (wal_writer_delay) writes and flushes
   * the WAL that asynchronous commits left unflushed (XLogBackgroundFlush),
   * until the postmaster asks the auxiliary processes to leave; then
   * detaches. Blocks the thread throughout.
   */
  walWriterMain(delayMs = WAL_WRITER_DELAY_MS): void {
    this.checkOpen();
    do this.xlog.backgroundFlush();
    while (!this.syncRequests.auxiliarySleep(delayMs));
    this.detach();
  }

  /** One round of the WAL writer; whether it flushed anything. */
  walWriterCycle(): boolean {
    return this.xlog.backgroundFlush();
  }

  /**
   * BackgroundWriterMain: every `delayMs` (bgwriter_delay) writes up to
   * `maxPages` (bgwriter_lru_maxpages) dirty buffers ahead of the clock
   * sweep (BufferManager.bgBufferSync), until the postmaster asks the
   * auxiliary processes to leave; then detaches.
   */
  bgWriterMain(delayMs = BGWRITER_DELAY_MS, maxPages = BGWRITER_LRU_MAXPAGES): void {
    this.checkOpen();
    do this.bufmgr.bgBufferSync(maxPages);
    while (!this.syncRequests.auxiliarySleep(delayMs));
    this.detach();
  }

  /** One round of the background writer: buffers written. */
  bgWriterCycle(maxPages = BGWRITER_LRU_MAXPAGES): number {
    return this.bufmgr.bgBufferSync(maxPages);
  }

  /** Whether a checkpointer process other than this one runs the checkpoints. */
  private otherCheckpointer(): boolean {
    const pid = this.syncRequests.checkpointerPid;
    return pid !== 0 && pid !== this.pid;
  }

  /**
   * CheckpointerMain: this engine, attached to a postmaster's segment, is
   * the checkpointer process. It runs requested checkpoints (CHECKPOINT,
   * WAL volume: backends set the request flags and wake it) and timed ones
   * (checkpoint_timeout), until the postmaster asks for shutdown; then it
   * writes the shutdown checkpoint and closes. Blocks the thread throughout.
   */
  checkpointerMain(): void {
    this.checkOpen();
    const q = this.syncRequests;
    q.checkpointerPid = this.pid;
    try {
      while (!q.shutdownRequested) {
        let flags = q.beginCheckpoint(() => this.xlog.takeCheckpointRequest());
        if (flags === 0 && this.xlog.checkpointNeeded()) flags = q.beginCheckpoint(() => CHECKPOINT_CAUSE_TIME);
        if (flags !== 0) {
          let failed = true;
          try {
            this.xlog.createCheckPoint(flags, this.checkpointHooks());
            failed = false;
          } finally {
            q.endCheckpoint(failed);
          }
          continue;
        }
        q.waitForWork(CHECKPOINTER_POLL_MS);
      }
    } finally {
      q.checkpointerPid = 0;
    }
    this.close();
  }

  /** Buffer-manager and WAL counters (pg_stat_database / pg_stat_wal style). */
  stats(): { buffers: BufferManager['stats']; wal: ReturnType<XLog['stats']> } {
    return { buffers: this.bufmgr.stats, wal: this.xlog.stats() };
  }

  /** Shutdown: rolls back an open transaction, writes a shutdown checkpoint, closes files. */
  close(): void {
    this.exit(true);
  }

  /**
   * A backend's exit while others go on (proc_exit, ProcKill): rolls back an
   * open transaction, gives back its proc-array and sinval slots, closes its
   * files; no checkpoint. The postmaster's last backend calls close().
   */
  detach(): void {
    this.exit(false);
  }

  private exit(shutdownCheckpoint: boolean): void {
    if (this.closed) return;
    if (this.stmt !== null) {
      const st = this.stmt;
      this.stmt = null;
      this.closeCursors(st);
    }
    if (this.xact.isTransactionBlock() || this.xact.isTransactionState()) this.xact.abortCurrentTransaction();
    if (shutdownCheckpoint) this.xlog.createCheckPoint(CHECKPOINT_IS_SHUTDOWN | CHECKPOINT_IMMEDIATE, this.checkpointHooks());
    // The files this backend wrote are in the shared fsync request queue, synced by the next
    // checkpoint whoever runs it; only what the queue could not take is still pending here.
    else this.smgr.syncAll();
    this.sinval.detach();
    // ProcKill: session locks (advisory) go with the backend; transaction locks went with the abort above.
    this.lockManager.lockReleaseAll(true);
    this.backendStatus.clear();
    detachTransam(this.transam);
    this.xlog.close();
    this.smgr.closeAll();
    this.closed = true;
  }

  /**
   * Drops this instance without a shutdown checkpoint, as a crash would:
   * nothing more is written. Reopening the directory runs crash recovery.
   */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.stmt = null;
    try {
      this.xlog.close();
    } catch {
      // Handles already invalidated by a simulated crash.
    }
    this.smgr.closeAll();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

/** TM_Result as the executor sees it. */
function outcomeOf(result: TM_Result): ModifyOutcome {
  switch (result) {
    case TM_Result.TM_Ok:
      return 'ok';
    case TM_Result.TM_SelfModified:
      return 'self-modified';
    case TM_Result.TM_Updated:
      return 'updated';
    case TM_Result.TM_Deleted:
      return 'deleted';
    case TM_Result.TM_BeingModified:
      return 'being-modified';
    case TM_Result.TM_WouldBlock:
      return 'would-block';
    default:
      throw new PgError(SQLSTATE.internal_error, `unexpected heap result ${result}`);
  }
}

/**
 * MinimumActiveBackends for commit_delay (xlog.ts): whether at least `n`
 * backends other than `me` have a transaction with an XID open. PostgreSQL
 * also skips backends waiting for a heavyweight lock; this counts them.
 */
function minimumActiveBackends(procs: { xidOf(procno: number): number }, me: number): (n: number) => boolean {
  return (n) => {
    let count = 0;
    for (let p = 0; p < MAX_BACKENDS && count < n; p++) if (p !== me && procs.xidOf(p) !== 0) count++;
    return count >= n;
  };
}
