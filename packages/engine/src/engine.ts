/*
 * engine.ts — the storage engine of one backend, assembled: shared memory,
 * buffer manager, WAL, transactions and the heap, behind a programmatic API
 * (StorageEngine) that the SQL layer and the tests call.
 *
 * What it does, in PostgreSQL's terms:
 *   open()       initdb on an empty directory (BootStrapXLOG + CLOG), then
 *                the postmaster's CreateSharedMemoryAndSemaphores, the
 *                backend's InitProcess, and StartupXLOG (crash recovery
 *                when the last shutdown was not clean, followed by an
 *                end-of-recovery checkpoint)
 *   begin/commit/rollback/savepoint   xact.c's transaction block
 *   createRelation / insert / update / delete / fetch / scan / vacuum
 *                the table access method on heap relations
 *   checkpoint() CHECKPOINT; also requested automatically after enough WAL
 *   close()      shutdown checkpoint, then the files are closed
 *
 * Until worker backends exist (the postmaster issue), this one backend runs
 * the checkpointer's duty itself: at the end of each transaction it checks
 * checkpoint_timeout and the WAL volume since the last checkpoint.
 *
 * Rules:
 *  1. Every data-changing call runs inside a transaction: begin() ... commit(),
 *     or, without begin(), an implicit single-statement transaction.
 *  2. After any error inside a transaction block the block is aborted and
 *     refuses work (25P02) until rollback(), as PostgreSQL's does.
 *  3. A PANIC-level error (shared state may be corrupt) closes the engine;
 *     the data directory must be reopened, which runs crash recovery.
 */

import { MemoryDirectory, type StorageDirectory } from '@tabgres/opfs-storage';
import { DEFAULT_SHARED_BUFFERS, DEFAULT_WAL_BUFFERS } from './constants.ts';
import { Shmem, ShmemSizer } from './storage/ipc/shmem.ts';
import { LWLockOwner } from './storage/lmgr/lwlock.ts';
import { Smgr } from './storage/smgr/smgr.ts';
import { BufferManager, bufMgrShmemSize } from './storage/buffer/bufmgr.ts';
import { FreeSpaceMap } from './storage/freespace/freespace.ts';
import { DEFAULTTABLESPACE_OID, ForkNumber, type RelFileLocator } from './storage/relfilelocator.ts';
import { XLog, xlogShmemInit, xlogShmemSize, bootstrapXLog, CHECKPOINT_END_OF_RECOVERY, CHECKPOINT_FORCE, CHECKPOINT_IMMEDIATE, CHECKPOINT_IS_SHUTDOWN, type CheckpointHooks } from './access/transam/xlog.ts';
import { XLogInsertState } from './access/transam/xloginsert.ts';
import { RedoServices, type RedoContext } from './access/transam/rmgr.ts';
import { startupXLOG, type StartupResult } from './access/transam/xlogrecovery.ts';
import './access/transam/xlogrmgr.ts';
import {
  attachTransam, bootstrapTransamFiles, checkPointTransam, finishTransamRecovery, startTransamRecovery, transamCheckpointFields,
  transamRedoCounters, transamShmemInit, transamShmemSize, transamWalFromXLog, detachTransam, type TransamBackend, type Xact,
} from './access/transam/xact.ts';
import { XACT_REDO } from './access/transam/xact_redo.ts';
import { CLOG_REDO } from './access/transam/clog_redo.ts';
import { FirstNormalTransactionId, xidFromFull } from './access/transam/transam.ts';
import { HeapVisibility } from './access/heap/heapam_visibility.ts';
import { HeapAM } from './access/heap/heapam.ts';
import type { HeapEnv, HeapWal } from './access/heap/heapam_env.ts';
import { TM_Result } from './access/heap/heapam_env.ts';
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
import { PgError, SQLSTATE, isPgError } from './utils/errors.ts';

registerHeapRmgrs();
registerSmgrRmgr();

/** The database every relation of the storage API lives in (PostgreSQL's "postgres" has OID 5). */
export const STORAGE_DB_OID = 5;

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
}

/** One row a scan returns. */
export interface ScannedRow {
  tid: Tid;
  values: (TupleValue | null)[];
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

export class StorageEngine {
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
  /** What startup found: whether crash recovery ran, how many records it replayed, where WAL ends. */
  readonly startup: StartupResult;
  private readonly walAdapter: HeapWalAdapter;
  private readonly relations = new Map<number, Relation>();
  private closed = false;
  /** An implicit transaction opened by a single call outside begin(). */
  private implicit = false;

  private constructor(dir: StorageDirectory, o: StorageEngineOptions) {
    this.dir = dir;
    const nbuffers = o.sharedBuffers ?? DEFAULT_SHARED_BUFFERS;
    const walBuffers = o.walBuffers ?? DEFAULT_WAL_BUFFERS;

    // initdb, only into an empty directory: a directory with files but no
    // pg_control is damaged, and startup below reports the missing file.
    if (dir.list('').length === 0) {
      const firstXid = o.firstXid ?? FirstNormalTransactionId;
      bootstrapXLog(dir, { segmentSize: o.walSegmentSize, nextXid: firstXid });
      bootstrapTransamFiles(dir, xidFromFull(firstXid));
    }

    // The postmaster's part: one shared segment with every region.
    const sizer = new ShmemSizer();
    bufMgrShmemSize(sizer, nbuffers);
    xlogShmemSize(sizer, walBuffers);
    transamShmemSize(sizer);
    this.shmem = Shmem.create(sizer.size);
    xlogShmemInit(this.shmem, {
      walBuffers,
      ...(o.checkpointWalBytes !== undefined ? { checkpointWalBytes: o.checkpointWalBytes } : {}),
      ...(o.checkpointTimeoutMs !== undefined ? { checkpointTimeoutMs: o.checkpointTimeoutMs } : {}),
    });
    transamShmemInit(this.shmem);

    // The backend's part.
    this.lw = new LWLockOwner(this.shmem.i32);
    this.smgr = new Smgr(dir);
    this.bufmgr = new BufferManager(this.shmem, nbuffers, this.smgr, this.lw);
    this.xlog = new XLog(this.shmem, this.lw, dir);
    this.bufmgr.setWal({ flush: (lsn) => this.xlog.flush(lsn), getRedoRecPtr: () => this.xlog.getRedoRecPtr() });
    this.xlogInsert = new XLogInsertState(this.xlog, this.bufmgr);
    this.walAdapter = new HeapWalAdapter(this.xlogInsert, this.xlog);
    this.transam = attachTransam({
      shmem: this.shmem, lw: this.lw, dir, wal: transamWalFromXLog(this.xlog), pid: 1, databaseOid: STORAGE_DB_OID,
      settings: { synchronousCommit: o.synchronousCommit ?? true },
    });
    this.xact = this.transam.xact;
    this.fsm = new FreeSpaceMap(this.bufmgr);
    this.vm = new VisibilityMap(this.bufmgr);
    this.vis = new HeapVisibility({
      xact: this.xact,
      status: this.transam.status,
      procArray: this.transam.procArray,
      subtrans: this.transam.subtrans,
      combo: this.xact.combo,
      snapmgr: this.xact.snapmgr,
      needsFlush: (lsn) => lsn > this.xlog.getFlushRecPtr(),
      markBufferDirtyHint: (buffer, std) => this.bufmgr.markBufferDirtyHint(buffer, std),
    });
    const env: HeapEnv<SnapshotData> = {
      bufmgr: this.bufmgr, fsm: this.fsm, vm: this.vm, wal: this.walAdapter, xact: this.xact, vis: this.vis,
      newOid: () => this.transam.varsup.getNewObjectId(),
      toastRelation: (toastOid) => {
        for (const r of this.relations.values()) if (r.toast !== null && r.toast.oid === toastOid) return r.toast;
        return null;
      },
    };
    this.heap = new HeapAM(env);
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

    // StartupXLOG: recovery if needed.
    startTransamRecovery(this.transam);
    const services = new RedoServices()
      .provide(SMGR_REDO_SERVICES, { smgr: this.smgr, bufmgr: this.bufmgr, fsm: this.fsm, vm: this.vm })
      .provide(HEAP_REDO_SERVICES, { vm: this.vm })
      .provide(CLOG_REDO, this.transam.clog)
      .provide(XACT_REDO, {
        status: this.transam.status,
        varsup: this.transam.varsup,
        dropRelationFiles: (rels) => {
          for (const r of rels) dropRelationFiles(r, this.smgr, this.bufmgr);
        },
      });
    const redo: RedoContext = { buffers: this.bufmgr, counters: transamRedoCounters(this.transam), services };
    this.startup = startupXLOG({ dir, xlog: this.xlog, redo, log: o.log });
    finishTransamRecovery(this.transam);
    if (this.startup.recoveryPerformed) {
      this.xlog.createCheckPoint(CHECKPOINT_END_OF_RECOVERY | CHECKPOINT_IMMEDIATE, this.checkpointHooks());
    }
  }

  /** Opens (and if empty, initializes) a data directory; runs crash recovery when needed. */
  static open(options: StorageEngineOptions = {}): StorageEngine {
    return new StorageEngine(options.dir ?? new MemoryDirectory(), options);
  }

  private checkpointHooks(): CheckpointHooks {
    return {
      checkPointGuts: () => {
        checkPointTransam(this.transam);
        this.bufmgr.bufferSync();
        this.smgr.syncAll();
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
    this.xact.startTransactionCommand();
    this.xact.beginTransactionBlock();
    this.xact.commitTransactionCommand();
  }

  /** COMMIT (ROLLBACK when the block failed, as PostgreSQL does). Returns false if it rolled back. */
  commit(): boolean {
    this.checkOpen();
    this.xact.startTransactionCommand();
    const committed = this.xact.endTransactionBlock();
    this.xact.commitTransactionCommand();
    this.afterTransaction();
    return committed;
  }

  /** ROLLBACK */
  rollback(): void {
    this.checkOpen();
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
    this.xact.startTransactionCommand();
    try {
      fn();
    } catch (e) {
      this.onError(e);
      throw e;
    }
    this.xact.commitTransactionCommand();
  }

  /**
   * Runs one statement: inside the open transaction block, or in an implicit
   * transaction of its own. The statement sees its own earlier changes
   * (CommandCounterIncrement after it).
   */
  private statement<T>(fn: () => T): T {
    this.checkOpen();
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

  /** The checkpointer's duty while there is no checkpointer worker (see the header). */
  private afterTransaction(): void {
    if (this.xlog.requestCheckpointIfNeeded()) {
      const flags = this.xlog.takeCheckpointRequest();
      this.xlog.createCheckPoint(flags, this.checkpointHooks());
    }
  }

  /** The current statement's snapshot. */
  private snapshot(): SnapshotData {
    return this.xact.snapmgr.getTransactionSnapshot();
  }

  // ------------------------------------------------------------ relations

  /**
   * Creates a heap relation (with a TOAST relation when a column may need
   * one) and returns its descriptor. Its storage is WAL-logged and removed
   * again if the transaction rolls back.
   */
  createRelation(name: string, columns: readonly ColumnDef[], options: { fillfactor?: number } = {}): Relation {
    return this.statement(() => {
      const desc = createTupleDesc(columns);
      const xid = this.xact.getCurrentTransactionId();
      const needsToast = desc.attrs.some((a) => a.attlen === -1 && a.attstorage !== 'p');
      let toast: Relation | null = null;
      if (needsToast) {
        const toid = this.transam.varsup.getNewObjectId();
        toast = makeRelation(toid, `pg_toast_${toid}`, this.locatorFor(toid), toastTupleDesc());
        relationCreateStorage(toast.locator, this.smgr, this.walAdapter, this.xact, xid);
      }
      const oid = this.transam.varsup.getNewObjectId();
      const rel = makeRelation(oid, name, this.locatorFor(oid), desc, toast, options.fillfactor ?? 100);
      relationCreateStorage(rel.locator, this.smgr, this.walAdapter, this.xact, xid);
      this.relations.set(oid, rel);
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

  /** Drops a relation: its files go away when the transaction commits. */
  dropRelation(rel: Relation): void {
    this.statement(() => {
      this.xact.getCurrentTransactionId();
      this.xact.registerPendingDelete(rel.locator, true);
      if (rel.toast !== null) this.xact.registerPendingDelete(rel.toast.locator, true);
      this.relations.delete(rel.oid);
    });
  }

  private locatorFor(relNumber: number): RelFileLocator {
    return { spcOid: DEFAULTTABLESPACE_OID, dbOid: STORAGE_DB_OID, relNumber };
  }

  // ------------------------------------------------------------ rows

  /** INSERT one row; returns its TID. */
  insert(rel: Relation, values: readonly (TupleValue | null)[]): Tid {
    return this.statement(() => this.heap.insert(rel, this.checkRow(rel, values), this.xact.getCurrentCommandId(true)));
  }

  /** INSERT many rows in one statement (one command id); returns their TIDs. */
  insertMany(rel: Relation, rows: readonly (readonly (TupleValue | null)[])[]): Tid[] {
    return this.statement(() => {
      const cid = this.xact.getCurrentCommandId(true);
      const tids: Tid[] = new Array<Tid>(rows.length);
      for (let i = 0; i < rows.length; i++) tids[i] = this.heap.insert(rel, this.checkRow(rel, rows[i]), cid);
      return tids;
    });
  }

  /** Replaces the row at tid; returns the new version's TID. */
  update(rel: Relation, tid: Tid, values: readonly (TupleValue | null)[]): Tid {
    return this.statement(() => {
      const r = this.heap.update(rel, tid, this.checkRow(rel, values), this.xact.getCurrentCommandId(true));
      this.raiseForResult(r.result);
      return r.newTid;
    });
  }

  /** Deletes the row at tid. */
  delete(rel: Relation, tid: Tid): void {
    this.statement(() => {
      const r = this.heap.delete(rel, tid, this.xact.getCurrentCommandId(true));
      this.raiseForResult(r.result);
    });
  }

  private raiseForResult(result: TM_Result): void {
    switch (result) {
      case TM_Result.TM_Ok:
        return;
      case TM_Result.TM_SelfModified:
        throw new PgError(SQLSTATE.invalid_parameter_value, 'tuple already updated by self');
      case TM_Result.TM_Updated:
      case TM_Result.TM_Deleted:
        throw new PgError(SQLSTATE.serialization_failure, 'could not serialize access due to concurrent update');
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
   * executor's SeqScan). `values` is reused between calls.
   */
  scanEach(rel: Relation, fn: (values: (TupleValue | null)[], tid: Tid) => void): number {
    return this.statement(() => {
      const values = new Array<TupleValue | null>(rel.desc.natts);
      const isnull = new Array<boolean>(rel.desc.natts);
      const scan = new HeapScan(this.heap, rel, this.snapshot());
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
   * transaction block only, as PostgreSQL requires. Returns the heap's stats;
   * the caller records relfrozenxid (see setOldestXid).
   */
  vacuum(rel: Relation, options: Omit<VacuumOptions, 'truncateRelation'> = {}): VacuumStats {
    return this.statement(() => {
      // PreventInTransactionBlock: an error like any other, so it aborts the block (rule 2).
      if (this.xact.isTransactionBlock()) {
        throw new PgError(SQLSTATE.active_sql_transaction, 'VACUUM cannot run inside a transaction block');
      }
      const truncateRelation = (r: Relation, nblocks: number): void => {
        relationTruncate(r.locator, nblocks, { smgr: this.smgr, bufmgr: this.bufmgr, fsm: this.fsm, vm: this.vm }, this.walAdapter, 0);
      };
      if (rel.toast !== null) lazyVacuumHeap(this.heap, rel.toast, { ...options, truncateRelation });
      return lazyVacuumHeap(this.heap, rel, { ...options, truncateRelation });
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

  /** CHECKPOINT */
  checkpoint(): void {
    this.checkOpen();
    // Allowed inside a transaction block, as in PostgreSQL: this backend doubles as the checkpointer.
    this.xlog.createCheckPoint(CHECKPOINT_IMMEDIATE | CHECKPOINT_FORCE, this.checkpointHooks());
  }

  /** Buffer-manager and WAL counters (pg_stat_database / pg_stat_wal style). */
  stats(): { buffers: BufferManager['stats']; wal: ReturnType<XLog['stats']> } {
    return { buffers: this.bufmgr.stats, wal: this.xlog.stats() };
  }

  /** Shutdown: rolls back an open transaction, writes a shutdown checkpoint, closes files. */
  close(): void {
    if (this.closed) return;
    if (this.xact.isTransactionBlock() || this.xact.isTransactionState()) this.xact.abortCurrentTransaction();
    this.xlog.createCheckPoint(CHECKPOINT_IS_SHUTDOWN | CHECKPOINT_IMMEDIATE, this.checkpointHooks());
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
