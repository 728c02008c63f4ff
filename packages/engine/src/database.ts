/*
 * database.ts — the Database API (DESIGN.md section 6): one backend in the
 * calling thread, with query / exec / transaction / close, as node-postgres
 * and PGlite users expect them.
 *
 * Exports: Database, DatabaseOptions, DatabaseAttachOptions, QueryOptions, Result, Queryable,
 *          setDataDirFactory (used by the Node entry point, node.ts).
 *
 *   const db = await Database.open();                       // memory
 *   const db = await Database.open({ dataDir: './data' });  // Node: import '@tabgres/engine/node' first
 *   const r = await db.query('SELECT $1::int + 1 AS n', [41]);   // r.rows[0].n === 42
 *
 * The engine package is platform-free: a dataDir path needs a file layer,
 * which the Node entry point (node.ts) registers with setDataDirFactory;
 * any StorageDirectory can also be passed as `dir`.
 *
 * Opening: StorageEngine.open (initdb on an empty directory, crash recovery
 * after an unclean shutdown), then the catalogs (Catalog.bootstrap on a
 * fresh directory, followed by the system views, created by SQL through the
 * pipeline itself; Catalog.open otherwise). Database.attachSync is the same
 * for a backend worker of @tabgres/worker-host's postmaster: it attaches to
 * the postmaster's shared memory instead of creating it.
 *
 * Shared invalidation: DDL this backend commits is appended to the shared
 * queue (storage/ipc/sinval.ts); every query and exec first reads what
 * other backends appended (acceptInvalidationMessages).
 *
 * Concurrency: the work is synchronous, but the API is promise-based; calls
 * are serialized so that a transaction() holds the session until its
 * function settles, as PGlite does: queries issued meanwhile outside the
 * transaction wait for it.
 */

import { MemoryDirectory, type StorageDirectory } from '@tabgres/opfs-storage';
import { StorageEngine } from './engine.ts';
import { Catalog } from './catalog/catalog.ts';
import { catalogsExist } from './catalog/bootstrap.ts';
import { PgError, SQLSTATE } from './utils/errors.ts';
import { Guc } from './utils/misc/guc.ts';
import { allocateBackendPid, PostgresBackend } from './tcop/postgres.ts';
import { datumToJs } from './tcop/jsvalue.ts';
import type { Notice, StatementResult } from './tcop/dest.ts';
import { createSystemViews, SYSTEM_VIEWS_SQL } from './tcop/system_views.ts';
import { initdbTemplateFingerprint, instantiateInitdbTemplate } from './catalog/initdb_template.ts';
import { INITDB_TEMPLATE } from './catalog/initdb_template_data.ts';
import { sharedMemoryConfig } from './storage/ipc/ipci.ts';
// pg_cancel_backend, pg_terminate_backend, pg_sleep: registered before the catalogs are bootstrapped.
import './storage/ipc/signalfuncs.ts';
import type { InvalidationMessage } from './utils/cache/inval.ts';
import { BackendState } from './storage/ipc/backend_status.ts';
import { currentTimestampMicros } from './tcop/session.ts';
// pg_advisory_lock and friends, pg_lock_status, pg_blocking_pids, pg_stat_get_activity: registered before initdb.
import './utils/adt/lockfuncs_sql.ts';
import './utils/adt/activityfuncs.ts';
// get_raw_page, page_header, heap_page_items (pageinspect) and tabgres_query_journey: registered before initdb.
import './utils/adt/pageinspect.ts';
// pg_walinspect and pg_current_wal_*lsn; bt_metap / bt_page_stats / bt_page_items; pg_current_snapshot, txid_*, tuple visibility.
import './utils/adt/walfuncs.ts';
import './utils/adt/pageinspect_btree.ts';
import './utils/adt/snapshotfuncs.ts';
// pg_relation_size, pg_table_size, pg_indexes_size, pg_total_relation_size, pg_size_pretty.
import './utils/adt/dbsize.ts';

/** The bootstrap superuser's OID (pg_authid "postgres"), the only role sessions run as. */
const BOOTSTRAP_SUPERUSERID = 10;

export interface DatabaseOptions {
  /** A data directory path (Node, through the Node entry point); memory when neither this nor dir is given. */
  dataDir?: string;
  /** Any file layer (MemoryDirectory, NodeDirectory, an OPFS directory). */
  dir?: StorageDirectory;
  /** shared_buffers in 8 KB pages. */
  sharedBuffers?: number;
  /**
   * initdb of an empty directory copies the compiled-in template image when
   * it was made by this code (catalog/initdb_template.ts); false always runs
   * the bootstrap (the template's generator and its tests).
   */
  initdbTemplate?: boolean;
}

/** Database.attachSync: a backend worker joining the instance a postmaster started (worker-host). */
export interface DatabaseAttachOptions {
  /** The data directory, opened by this worker's own file layer. */
  dir: StorageDirectory;
  /** The postmaster's shared memory (storage/ipc/ipci.ts). */
  shmem: SharedArrayBuffer;
  /** Run initdb / StartupXLOG (and bootstrap the catalogs of a fresh directory) first. */
  startup?: boolean;
  /** The backend's pid in the proc array. */
  pid?: number;
  /** Server log lines (recovery messages). */
  log?: (message: string) => void;
}

export interface QueryOptions {
  rowMode?: 'object' | 'array';
}

export interface Result<R = Record<string, unknown>> {
  command: string;
  /** The whole command tag, as PostgreSQL's CommandComplete sends it ("INSERT 0 2", "CREATE TABLE"). */
  commandTag: string;
  rowCount: number;
  fields: { name: string; dataTypeID: number }[];
  rows: R[];
  /** NOTICE / WARNING messages the statement raised. */
  notices: Notice[];
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<Result<R>>;
  exec(sql: string): Promise<Result[]>;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

type DirFactory = (path: string) => StorageDirectory;
let dataDirFactory: DirFactory | null = null;

/** The Node entry point registers NodeDirectory here, so dataDir works without node:* imports in this package. */
export function setDataDirFactory(f: DirFactory): void {
  dataDirFactory = f;
}

/** The command word of a tag ("INSERT 0 1" -> "INSERT", "CREATE TABLE" -> "CREATE"), as node-postgres and PGlite report `command`. */
function commandWord(tag: string): string {
  const sp = tag.indexOf(' ');
  return sp < 0 ? tag : tag.slice(0, sp);
}

function toResult<R>(r: StatementResult, rowMode: 'object' | 'array'): Result<R> {
  const fields = (r.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.typeOid }));
  const types = fields.map((f) => f.dataTypeID);
  const n = fields.length;
  const rows: R[] = new Array<R>(r.rows.length);
  if (rowMode === 'array') {
    for (let i = 0; i < r.rows.length; i++) {
      const src = r.rows[i];
      const out = new Array<unknown>(n);
      for (let j = 0; j < n; j++) out[j] = datumToJs(types[j], src[j]);
      rows[i] = out as R;
    }
  } else {
    const names = fields.map((f) => f.name);
    for (let i = 0; i < r.rows.length; i++) {
      const src = r.rows[i];
      const out: Record<string, unknown> = {};
      for (let j = 0; j < n; j++) out[names[j]] = datumToJs(types[j], src[j]);
      rows[i] = out as R;
    }
  }
  return { command: commandWord(r.command), commandTag: r.command, rowCount: r.rowCount, fields, rows, notices: r.notices };
}

/**
 * initdb by copying the template image (catalog/initdb_template.ts) into an
 * empty directory, when the image matches this code; otherwise StorageEngine
 * and Catalog.bootstrap initialize the directory as before.
 */
function initdbFromTemplate(dir: StorageDirectory): void {
  if (INITDB_TEMPLATE.files.length === 0 || dir.list('').length !== 0) return;
  if (INITDB_TEMPLATE.fingerprint !== initdbTemplateFingerprint(SYSTEM_VIEWS_SQL)) return;
  instantiateInitdbTemplate(INITDB_TEMPLATE, dir);
}

export class Database implements Queryable {
  /** The backend, for the CLI and tests that want Datums and command tags (tcop/postgres.ts). */
  readonly backend: PostgresBackend;
  readonly engine: StorageEngine;
  private closed = false;
  private readonly applyRemoteInvalidation: (msg: InvalidationMessage) => void;
  private readonly resetCaches: () => void;
  /** Indexes a shared invalidation named: dropped by another backend if the catalogs no longer have them. */
  private readonly indexesToRecheck = new Set<number>();
  /** The tail of the queue of calls (see the header: calls are serialized). */
  private lock: Promise<void> = Promise.resolve();

  private constructor(engine: StorageEngine, backend: PostgresBackend) {
    this.engine = engine;
    this.backend = backend;
    // Shared invalidation (storage/ipc/sinval.ts): what this backend's DDL commits, the others read.
    backend.catalog.inval.broadcast = (msgs) => engine.sinval.send(msgs);
    this.applyRemoteInvalidation = (msg) => {
      backend.catalog.inval.applyRemote(msg);
      if (msg.kind === 'relcache' && engine.hasIndex(msg.relId)) this.indexesToRecheck.add(msg.relId);
    };
    this.resetCaches = () => {
      backend.catalog.invalidateAll();
      for (const oid of engine.indexOids()) this.indexesToRecheck.add(oid);
    };
    // A relation lock newly granted may have waited for another backend's DDL: read its invalidations.
    engine.acceptInvalidationMessages = () => this.acceptInvalidationMessages();
  }

  /**
   * AcceptInvalidationMessages, before each protocol message runs: drops
   * the cache entries and plans that DDL committed by other backends made
   * stale (all of them after falling behind the queue). Two atomic loads
   * when there is nothing new.
   */
  acceptInvalidationMessages(): boolean {
    const r = this.engine.sinval.receive(this.applyRemoteInvalidation, this.resetCaches);
    const changed = r.messages > 0 || r.reset;
    if (changed) {
      this.backend.invalidatePlans();
      // Inside a statement that is still locking its relations (READ COMMITTED): read the catalogs
      // (and data) as of now, not as of the statement's start (StorageEngine.refreshStatementSnapshot).
      this.engine.refreshStatementSnapshot();
    }
    // The engine keeps each table's index list itself (access/index/indexlist.ts): an index another
    // backend dropped must leave it, or this backend's inserts would write into the dropped file.
    // The catalogs decide; they cannot be read in a failed block, so the check waits for its end.
    if (this.indexesToRecheck.size > 0 && this.backend.transactionStatus !== 'E') {
      const relcache = this.backend.catalog.relcache;
      for (const oid of this.indexesToRecheck) {
        if (relcache.classRow(oid) === null) this.engine.forgetDroppedIndex(oid);
      }
      this.indexesToRecheck.clear();
    }
    return changed;
  }

  /** Synchronous open (the work is synchronous); Database.open wraps it in a promise. */
  static openSync(options: DatabaseOptions = {}): Database {
    let dir = options.dir;
    if (dir === undefined && options.dataDir !== undefined) {
      if (dataDirFactory === null) {
        throw new PgError(SQLSTATE.feature_not_supported, 'dataDir needs a file layer: import "@tabgres/engine/node" (Node) or pass dir',
          { hint: 'In the browser, pass an OPFS-backed StorageDirectory as dir.' });
      }
      dir = dataDirFactory(options.dataDir);
    }
    dir ??= new MemoryDirectory();
    if (options.initdbTemplate !== false) initdbFromTemplate(dir);
    // One pid for pg_backend_pid() and the proc array (pg_locks, pg_stat_activity).
    const pid = allocateBackendPid();
    const engine = StorageEngine.open({ dir, pid, ...(options.sharedBuffers !== undefined ? { sharedBuffers: options.sharedBuffers } : {}) });
    const startup: Record<string, string> = {};
    if (options.sharedBuffers !== undefined) startup.shared_buffers = String(options.sharedBuffers);
    return Database.startBackend(engine, startup, true, pid);
  }

  /**
   * A backend in a worker (InitPostgres): attaches to the segment a
   * postmaster made (StorageEngine.attach) and opens its own catalog
   * caches. Only the backend told to run startup may bootstrap the
   * catalogs of a fresh directory; the others find them (57P03 if not).
   */
  static attachSync(options: DatabaseAttachOptions): Database {
    // The startup backend initializes an empty directory as Database.open does (template image first).
    if (options.startup === true) initdbFromTemplate(options.dir);
    const engine = StorageEngine.attach(options);
    const startup = { shared_buffers: String(sharedMemoryConfig(engine.shmem).sharedBuffers) };
    return Database.startBackend(engine, startup, options.startup === true, options.pid);
  }

  /** The catalogs (bootstrapped in a fresh directory, with the system views) and the session over an open engine. */
  private static startBackend(engine: StorageEngine, startup: Record<string, string>, mayBootstrap: boolean, pid?: number): Database {
    try {
      const fresh = !catalogsExist(engine);
      if (fresh && !mayBootstrap) throw new PgError(SQLSTATE.cannot_connect_now, 'the database system is starting up');
      const catalog = fresh ? Catalog.bootstrap(engine) : Catalog.open(engine);
      const backend = new PostgresBackend({ engine, catalog, guc: new Guc(startup), ...(pid !== undefined ? { pid } : {}) });
      if (fresh) {
        createSystemViews(backend);
      }
      // initdb's own statements are not the database's activity (reportSessionStart drops them).
      backend.reportSessionStart(fresh);
      // pgstat_bestart: this backend appears in pg_stat_activity.
      engine.backendStatus.reportBackendStart('client backend', BOOTSTRAP_SUPERUSERID, backend.guc.setting('application_name'), currentTimestampMicros());
      const db = new Database(engine, backend);
      db.reportedAppName = backend.guc.setting('application_name');
      return db;
    } catch (e) {
      if (mayBootstrap) engine.close();
      else engine.detach();
      throw e;
    }
  }

  static async open(options: DatabaseOptions = {}): Promise<Database> {
    return Database.openSync(options);
  }

  private check(): void {
    if (this.closed) throw new PgError(SQLSTATE.admin_shutdown, 'the database is closed');
  }

  /** Runs fn when every earlier call has finished. */
  private serialize<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(() => undefined, () => undefined);
    return run;
  }

  /**
   * The postmaster's key of the next protocol message (procsignal.ts): a
   * cancel sent with this key ends that message's statement. A worker
   * backend sets it before each call; 0 (in one process) means none.
   */
  cancelKey = 0;

  /**
   * What every protocol message does first: a terminated session refuses
   * it (FATAL 57P01), a cancel sent while idle is dropped, and other
   * backends' invalidations are read.
   */
  private beginMessage(sql: string): void {
    this.check();
    const sig = this.engine.procSignal;
    if (sig.diePending) sig.processInterrupts();
    sig.beginMessage(this.cancelKey);
    this.cancelKey = 0;
    // pgstat_report_activity(STATE_RUNNING): pg_stat_activity shows the query from now on.
    this.engine.backendStatus.reportActivity(BackendState.Running, sql, currentTimestampMicros());
    this.acceptInvalidationMessages();
  }

  /** ReadyForQuery's pgstat_report_activity: idle, or idle in a (failed) transaction block. */
  private endMessage(): void {
    if (this.closed) return;
    const status = this.engine.backendStatus;
    const ts = this.backend.transactionStatus;
    if (ts === 'I') status.reportXactStart(null);
    const state = ts === 'I' ? BackendState.Idle : ts === 'T' ? BackendState.IdleInTransaction : BackendState.IdleInTransactionAborted;
    status.reportActivity(state, null, currentTimestampMicros());
    // application_name's assign hook: SET (and its undoing at rollback) shows in pg_stat_activity.
    const app = this.backend.guc.setting('application_name');
    if (app !== this.reportedAppName) {
      this.reportedAppName = app;
      status.reportAppName(app);
    }
  }

  /** The application_name pg_stat_activity shows now. */
  private reportedAppName = '';

  /** One statement, with $1..$n parameters (the extended protocol). Synchronous form. */
  querySync<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], opts: QueryOptions = {}): Result<R> {
    this.beginMessage(sql);
    try {
      return toResult<R>(this.backend.execExtended(sql, params), opts.rowMode ?? 'object');
    } finally {
      this.endMessage();
    }
  }

  /** A script of statements (the simple protocol); throws the first error. Synchronous form. */
  execSync(sql: string): Result[] {
    this.beginMessage(sql);
    let out;
    try {
      out = this.backend.execSimpleQuery(sql);
    } finally {
      this.endMessage();
    }
    if (out.error !== null) throw out.error;
    return out.results.map((r) => toResult(r, 'object'));
  }

  query<R = Record<string, unknown>>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<Result<R>> {
    return this.serialize(() => this.querySync<R>(sql, params ?? [], opts ?? {}));
  }

  exec(sql: string): Promise<Result[]> {
    return this.serialize(() => this.execSync(sql));
  }

  /**
   * BEGIN; fn(tx); COMMIT — or ROLLBACK when fn throws (the error is
   * rethrown). Inside fn, use tx: calls on the Database itself wait until
   * the transaction ends. A nested tx.transaction() is a savepoint.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.serialize(() => this.runTransaction(fn, 0));
  }

  private async runTransaction<T>(fn: (tx: Queryable) => Promise<T>, depth: number): Promise<T> {
    this.check();
    const sp = `tabgres_tx_${depth}`;
    this.execSync(depth === 0 ? 'BEGIN' : `SAVEPOINT ${sp}`);
    const tx: Queryable = {
      query: async <R>(sql: string, params?: unknown[], opts?: QueryOptions) => this.querySync<R>(sql, params ?? [], opts ?? {}),
      exec: async (sql: string) => this.execSync(sql),
      transaction: <U>(inner: (t: Queryable) => Promise<U>) => this.runTransaction(inner, depth + 1),
    };
    let value: T;
    try {
      value = await fn(tx);
    } catch (e) {
      if (!this.closed) this.execSync(depth === 0 ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${sp}; RELEASE SAVEPOINT ${sp}`);
      throw e;
    }
    const r = this.execSync(depth === 0 ? 'COMMIT' : `RELEASE SAVEPOINT ${sp}`);
    if (depth === 0 && r[0]?.command === 'ROLLBACK') {
      throw new PgError(SQLSTATE.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    return value;
  }

  /** Shutdown: an open transaction rolls back; a shutdown checkpoint is written. */
  close(): Promise<void> {
    return this.serialize(() => this.closeSync());
  }

  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    this.backend.close();
    this.engine.close();
  }

  /** A backend worker's exit while the instance goes on: an open transaction rolls back; no checkpoint (StorageEngine.detach). */
  detachSync(): void {
    if (this.closed) return;
    this.closed = true;
    this.backend.close();
    this.engine.detach();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
