/*
 * postgres.ts — the backend's main loop for one session (PostgreSQL's
 * tcop/postgres.c): a query string goes through parse -> analyze ->
 * rewrite -> plan -> execute, inside the right transaction.
 *
 * Exports:
 *   PostgresBackend
 *     execSimpleQuery(sql)          exec_simple_query: every statement of a string
 *     execExtended(sql, params)     one statement with $1..$n (Parse/Bind/Execute)
 *     transactionStatus             'I' idle, 'T' in a block, 'E' in a failed block
 *     stats                         the pg_stat_database counters of this backend
 *   BackendCatalog                  what the backend needs of catalog/catalog.ts
 *
 * The simple query protocol, as PostgreSQL runs it:
 *   1. The whole string is parsed first: a syntax error anywhere means no
 *      statement runs.
 *   2. Several statements outside a transaction block form an implicit
 *      transaction block: they commit together at the end of the string, and
 *      an error rolls all of them back. BEGIN inside the string turns the
 *      implicit block into an ordinary one; COMMIT ends it (with a warning).
 *   3. Each statement runs inside engine.startStatement() ... endStatement():
 *      one snapshot and one command id for everything it does. An error
 *      calls engine.abortStatement(): the implicit transaction rolls back,
 *      or an explicit block becomes failed.
 *   4. In a failed block every statement except COMMIT / ROLLBACK / ROLLBACK
 *      TO gives 25P02 without running.
 *
 * Transaction block states (xact.c's TBlockState, reduced to what tcop
 * sees; the engine keeps the real one and the two move together):
 *
 *            BEGIN                 error
 *   none ───────────► explicit ──────────► failed
 *    ▲ │ multi-stmt     │  ▲ COMMIT/          │ ROLLBACK, COMMIT,
 *    │ ▼ string         │  │ ROLLBACK         │ ROLLBACK TO (-> explicit)
 *   implicit ──BEGIN────┘  └──────────────────┘
 *    end of string: commit; error: rollback -> none
 *
 * Settings (guc) follow the transaction: tcop calls guc's atStart / atCommit
 * / atAbort / subtransaction hooks at the same points.
 */

import type { StorageEngine } from '../engine.ts';
import type { RawStmt, Stmt, TransactionStmt } from '../parser/nodes.ts';
import type { Query } from '../nodes/parsenodes.ts';
import type { PlannedStmt } from '../nodes/plannodes.ts';
import { parse } from '../parser/gram.ts';
import { parseAnalyze } from '../parser/analyze.ts';
import { queryRewrite } from '../rewrite/rewriteHandler.ts';
import { planner } from '../optimizer/plan/planner.ts';
import { ExecutorEnd, ExecutorRun, ExecutorStart, type QueryDesc } from '../executor/execMain.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { RelationInfo } from '../utils/rel.ts';
import { ForkNumber } from '../storage/relfilelocator.ts';
import { PgError, SQLSTATE, isPgError } from '../utils/errors.ts';
import { Guc } from '../utils/misc/guc.ts';
import { setSessionTimeZone } from '../utils/adt/timezone.ts';
import { setRegclassResolver } from '../utils/adt/pseudotypes.ts';
import { SessionFunctionContext, currentTimestampMicros } from './session.ts';
import { commandTagFor, type BackendStats, type FieldDescription, type Notice, type SimpleQueryOutcome, type StatementResult } from './dest.ts';
import { ProcessUtility, type UtilityEnv } from './utility.ts';
import { bindParams } from './jsvalue.ts';
import { TableStatsMap } from './pgstat.ts';
import { PgStatDatabasePending, resetDatabaseStats } from '../utils/activity/pgstat_database.ts';
import { resetRelationStats } from '../utils/activity/pgstat_relation.ts';
import { lockRelationsOfRangeTable } from '../storage/lmgr/rangevar.ts';
import { XACT_READ_COMMITTED, XACT_READ_UNCOMMITTED, XACT_REPEATABLE_READ, XACT_SERIALIZABLE, type IsolationLevel } from '../access/transam/xact.ts';

/** XactIsoLevel of a transaction_isolation value. */
function isolationLevelOf(v: string): IsolationLevel {
  switch (v) {
    case 'serializable': return XACT_SERIALIZABLE;
    case 'repeatable read': return XACT_REPEATABLE_READ;
    case 'read uncommitted': return XACT_READ_UNCOMMITTED;
    default: return XACT_READ_COMMITTED;
  }
}

/** The catalog the backend runs on (catalog/catalog.ts). */
export type BackendCatalog = Catalog;

type BlockState = 'none' | 'implicit' | 'explicit' | 'failed';

/** Statements whose plans execExtended keeps (the unnamed statement's plan, reused for the same text). */
const PLAN_CACHE_MAX = 256;
/** How often (in checkInterrupts calls) the clock is read for statement_timeout. */
const INTERRUPT_CLOCK_EVERY = 64;

let nextBackendPid = 4000;

/** A pid for a backend of this process that has no proc-array pid of its own (Database.open). */
export function allocateBackendPid(): number {
  return nextBackendPid++;
}

export interface BackendInit {
  engine: StorageEngine;
  catalog: BackendCatalog;
  guc?: Guc;
  /** pg_backend_pid(): the proc array's pid for a worker backend; a process-wide counter otherwise. */
  pid?: number;
}

/** A planned statement ready to run, and how to report it. */
interface PreparedQuery {
  query: Query;
  plan: PlannedStmt | null;
}

export class PostgresBackend {
  readonly engine: StorageEngine;
  readonly catalog: BackendCatalog;
  readonly guc: Guc;
  readonly fmgr: SessionFunctionContext;
  readonly pid: number;
  readonly stats: BackendStats = {
    xact_commit: 0, xact_rollback: 0, tup_returned: 0, tup_fetched: 0, tup_inserted: 0, tup_updated: 0, tup_deleted: 0,
  };

  /**
   * Plans of recent execExtended statements by their text, valid while
   * `generation` is unchanged: any utility statement (DDL, SET, VACUUM,
   * ANALYZE), transaction control or error starts a new generation, since
   * each may change what a plan depends on (catalogs, settings, statistics).
   */
  private readonly planCache = new Map<string, { raw: RawStmt; prepared: PreparedQuery[]; paramTypes: number[]; generation: number }>();
  private generation = 0;
  /** pg_stat_all_tables counters (tcop/pgstat.ts). */
  readonly tableStats = new TableStatsMap();
  /** pg_stat_database: this backend's counts not yet added to the shared entry (utils/activity/pgstat_database.ts). */
  private pgstatPending: PgStatDatabasePending | null = null;
  /** `stats` and the buffer manager's hit/read counters as of the last flush. */
  private readonly pgstatFlushed = { xact_commit: 0, xact_rollback: 0, tup_returned: 0, tup_fetched: 0, tup_inserted: 0, tup_updated: 0, tup_deleted: 0, blks_hit: 0, blks_read: 0 };

  /** This backend's pending pg_stat_database counts (made on first use: the segment's region must exist). */
  pgstatDatabase(): PgStatDatabasePending {
    return (this.pgstatPending ??= new PgStatDatabasePending(this.engine.shmem, 5));
  }

  /**
   * pgstat_bestart's half in pg_stat_database: one more session. With
   * `discardInitdb` (the bootstrap backend, alone on a new segment) what
   * initdb's own statements counted is dropped first: it is not the
   * database's activity.
   */
  reportSessionStart(discardInitdb: boolean): void {
    if (discardInitdb) {
      for (const k of Object.keys(this.stats) as (keyof BackendStats)[]) this.stats[k] = 0;
      for (const k of Object.keys(this.pgstatFlushed) as (keyof typeof this.pgstatFlushed)[]) this.pgstatFlushed[k] = 0;
      const buf = this.engine.stats().buffers;
      this.pgstatFlushed.blks_hit = buf.hits;
      this.pgstatFlushed.blks_read = buf.reads;
      resetDatabaseStats(this.engine.shmem);
      resetRelationStats(this.engine.shmem);
    }
    this.pgstatDatabase().count('sessions');
    this.pgstatDatabase().flush();
  }

  /**
   * pgstat_report_stat at transaction end: what `stats` and the buffer
   * manager counted since the last flush goes to the shared entry every
   * backend's pg_stat_database reads (pgstat_database.ts rule 1).
   */
  private reportStat(): void {
    if (this.engine.isClosed) return;
    const pending = this.pgstatDatabase();
    const f = this.pgstatFlushed;
    const s = this.stats;
    const buf = this.engine.stats().buffers;
    for (const k of ['xact_commit', 'xact_rollback', 'tup_returned', 'tup_fetched', 'tup_inserted', 'tup_updated', 'tup_deleted'] as const) {
      pending.count(k, s[k] - f[k]);
      f[k] = s[k];
    }
    pending.count('blks_hit', buf.hits - f.blks_hit);
    pending.count('blks_read', buf.reads - f.blks_read);
    f.blks_hit = buf.hits;
    f.blks_read = buf.reads;
    pending.flush();
    this.tableStats.flushShared(this.engine.shmem);
  }

  private block: BlockState = 'none';
  /** Savepoint names of the open block, innermost last. */
  private readonly savepoints: string[] = [];
  /** Notices of the statement running now. */
  private notices: Notice[] = [];
  /** performance.now() deadline of statement_timeout; 0 = none. */
  private deadline = 0;
  private interruptTick = 0;
  /** Whether a guc transaction frame is open (a transaction of any kind is in progress). */
  private xactOpen = false;
  private readonly checkInterruptsFn: () => void;
  /** The planner reads settings in SHOW form ('4MB', 'on', '4'), as current_setting() returns them. */
  private readonly plannerSettings = (name: string): string => this.guc.show(name).value;
  /** RelationGetNumberOfBlocks, for the planner's size of tables never vacuumed or analyzed. */
  private readonly relationBlocks = (rel: RelationInfo): number =>
    rel.heap === null ? 0 : this.engine.bufmgr.nblocks(rel.heap.locator, ForkNumber.MAIN);

  constructor(init: BackendInit) {
    this.engine = init.engine;
    this.catalog = init.catalog;
    this.guc = init.guc ?? new Guc();
    this.pid = init.pid ?? nextBackendPid++;
    this.fmgr = new SessionFunctionContext(this.engine, this.catalog, this.guc, this.pid);
    this.fmgr.backend = this;
    this.catalog.searchPathSetting = () => this.guc.show('search_path').value;
    this.checkInterruptsFn = () => this.checkInterrupts();
    // A heavyweight lock wait is cancellable like any other sleep: cancel, terminate, statement_timeout.
    this.engine.lockWaitInterrupts = () => this.checkForInterrupts();
    this.engine.lockNotice = (e) => this.notice({ severity: e.severity === 'WARNING' ? 'WARNING' : 'NOTICE', code: e.code, message: e.message });
    // The isolation level settings drive the transaction manager (check_transaction_isolation /
    // assign_XactIsoLevel): BEGIN ISOLATION LEVEL and SET TRANSACTION reach Xact, which refuses a
    // change after the transaction's first snapshot (25001).
    const xact = this.engine.xact;
    this.guc.externalHooks.set('transaction_isolation', (v) => xact.setTransactionIsolation(isolationLevelOf(v)));
    this.guc.externalHooks.set('default_transaction_isolation', (v) => {
      xact.settings.defaultIsolationLevel = isolationLevelOf(v);
    });
    xact.settings.defaultIsolationLevel = isolationLevelOf(this.guc.show('default_transaction_isolation').value);
    // READ ONLY the same way (SSI's read-only optimizations read it); DEFERRABLE is read when a
    // serializable read-only transaction takes its snapshot (storage/lmgr/predicate.ts).
    this.guc.externalHooks.set('transaction_read_only', (v) => xact.setTransactionReadOnly(v === 'on'));
    this.guc.externalHooks.set('default_transaction_read_only', (v) => {
      xact.settings.defaultReadOnly = v === 'on';
    });
    xact.settings.defaultReadOnly = this.guc.show('default_transaction_read_only').value === 'on';
    this.engine.predicateLocks.transactionDeferrable = () => this.guc.show('transaction_deferrable').value === 'on';
    // synchronous_commit is read when the commit record is written (RecordTransactionCommit), so
    // SET LOCAL, and a SET undone with its transaction, count as in PostgreSQL; 'off' skips the
    // WAL flush, every other value (no replication here) flushes. An engine opened with
    // synchronousCommit: false stays asynchronous.
    const engineSync = xact.settings.synchronousCommit;
    const guc = this.guc;
    Object.defineProperty(xact.settings, 'synchronousCommit', {
      get: () => engineSync && guc.show('synchronous_commit').value !== 'off',
      configurable: true,
    });
  }

  /** Another backend changed catalogs (a shared invalidation arrived): cached plans may depend on them. */
  invalidatePlans(): void {
    this.generation++;
  }

  /** 'I' idle, 'T' in a transaction block, 'E' in a failed block (ReadyForQuery's status byte). */
  get transactionStatus(): 'I' | 'T' | 'E' {
    return this.block === 'failed' ? 'E' : this.block === 'explicit' ? 'T' : 'I';
  }

  /**
   * The module-level state utils/adt reads (session time zone, regclass
   * lookups) is this backend's while it runs a statement: two Databases in
   * one thread each see their own.
   */
  private activate(): void {
    setSessionTimeZone(this.guc.timeZone);
    setRegclassResolver(this.fmgr);
  }

  // ------------------------------------------------------------------ simple query

  /** exec_simple_query: runs every statement of the string; stops at the first error. */
  execSimpleQuery(sql: string): SimpleQueryOutcome {
    this.activate();
    const results: StatementResult[] = [];
    let raws: RawStmt[];
    try {
      raws = parse(sql);
    } catch (e) {
      // A syntax error in a block fails the block, as in PostgreSQL.
      const err = toPgError(e);
      this.failOutsideStatement(err);
      return { results, error: err, errorNotices: [] };
    }
    const implicitBlock = raws.length > 1 && this.block === 'none';
    if (implicitBlock) this.beginImplicitBlock();
    for (let i = 0; i < raws.length; i++) {
      // After COMMIT/ROLLBACK in the middle of a string, the rest is a new implicit block.
      if (implicitBlock && this.block === 'none' && i < raws.length) this.beginImplicitBlock();
      this.notices = [];
      try {
        results.push(this.runStatement(raws[i], sql, null));
      } catch (e) {
        const err = toPgError(e);
        const errorNotices = this.notices;
        this.notices = [];
        return { results, error: err, errorNotices };
      }
    }
    if (this.block === 'implicit') this.finishImplicitBlock();
    return { results, error: null, errorNotices: [] };
  }

  /**
   * The extended protocol for one statement: Parse (parameter types
   * inferred by the analyzer), Bind (JS values converted to those types),
   * Execute. Throws PgError; notices are in the result.
   */
  execExtended(sql: string, params: readonly unknown[]): StatementResult {
    this.activate();
    const hit = this.planCache.get(sql);
    if (hit !== undefined && hit.generation === this.generation) {
      this.notices = [];
      return this.runStatement(hit.raw, sql, params);
    }
    let raws: RawStmt[];
    try {
      raws = parse(sql);
    } catch (e) {
      const err = toPgError(e);
      this.failOutsideStatement(err);
      throw err;
    }
    if (raws.length > 1) {
      const err = new PgError('42601', 'cannot insert multiple commands into a prepared statement');
      this.failOutsideStatement(err);
      throw err;
    }
    this.notices = [];
    if (raws.length === 0) return { command: '', rowCount: 0, fields: null, rows: [], notices: [] };
    return this.runStatement(raws[0], sql, params);
  }

  // ------------------------------------------------------------------ one statement

  private runStatement(raw: RawStmt, sql: string, params: readonly unknown[] | null): StatementResult {
    const stmt = raw.stmt;
    if (this.block === 'failed' && !isTransactionExit(stmt)) {
      throw new PgError(SQLSTATE.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    if (!isPlannable(stmt)) this.generation++;
    if (stmt.type === 'TransactionStmt') return this.finish(this.transactionStatement(stmt), stmt);
    // EXPLAIN takes the parameters of the statement it explains (its inner statement is analyzed with them).
    if (params !== null && params.length > 0 && !isPlannable(stmt) && stmt.type !== 'ExplainStmt') {
      throw new PgError('08P01', `bind message supplies ${params.length} parameters, but prepared statement "" requires 0`);
    }

    const startedXact = this.startXactIfNeeded();
    this.fmgr.stmtStart = currentTimestampMicros();
    const timeoutMs = this.guc.intValue('statement_timeout');
    this.deadline = timeoutMs > 0 ? performance.now() + timeoutMs : 0;
    this.interruptTick = 0;
    // The lock manager's settings are read per statement, as PostgreSQL's GUC variables are.
    const lockSettings = this.engine.lockManager.settings;
    lockSettings.deadlockTimeoutMs = this.guc.intValue('deadlock_timeout');
    lockSettings.lockTimeoutMs = this.guc.intValue('lock_timeout');

    if (!needsStatementFrame(stmt)) {
      // SET / SHOW / VACUUM / CHECKPOINT: no snapshot of their own (VACUUM takes its own).
      try {
        const r = ProcessUtility(stmt, this.utilityEnv(sql, raw, params));
        this.endXactIfImplicit(startedXact, true);
        return this.finish(r, stmt);
      } catch (e) {
        this.afterError(e, startedXact, false);
        throw e;
      }
    }

    this.engine.startStatement();
    let result: StatementResult;
    try {
      result = isPlannable(stmt) ? this.runPlannable(raw, sql, params) : ProcessUtility(stmt, this.utilityEnv(sql, raw, params));
    } catch (e) {
      this.afterError(e, startedXact, true);
      throw e;
    }
    try {
      this.engine.endStatement();
    } catch (e) {
      this.afterError(e, startedXact, false);
      throw e;
    }
    this.catalogCommandEnd();
    this.endXactIfImplicit(startedXact, true);
    return this.finish(result, stmt);
  }

  /** Attaches the statement's notices (filtered by client_min_messages) and counts rows. */
  private finish(r: StatementResult, _stmt: Stmt): StatementResult {
    const level = this.guc.setting('client_min_messages');
    const keepNotice = level !== 'warning' && level !== 'error';
    const keepWarning = level !== 'error';
    for (const n of this.notices) {
      if (n.severity === 'NOTICE' && !keepNotice) continue;
      if (n.severity === 'WARNING' && !keepWarning) continue;
      r.notices.push(n);
    }
    this.notices = [];
    return r;
  }

  notice(n: Notice): void {
    this.notices.push(n);
  }

  /** Analyze, rewrite and plan one SELECT / INSERT / UPDATE / DELETE (also EXPLAIN's inner statement). */
  prepare(raw: RawStmt, sql: string, paramTypes: number[], beforeRewrite?: (query: Query) => void): PreparedQuery[] {
    const query = parseAnalyze(raw, { catalog: this.catalog, sourceText: sql, paramTypes });
    // EXPLAIN's hook: bound parameter values folded in before planning.
    if (beforeRewrite !== undefined) beforeRewrite(query);
    const rewritten = queryRewrite(query, this.catalog);
    return rewritten.map((q: Query) => {
      const plan = q.commandType === 'CMD_UTILITY' ? null : planner(q, { catalog: this.catalog, settings: this.plannerSettings, settingsVersion: this.guc.changes, relationBlocks: this.relationBlocks });
      // The relations the rewriter brought in (a view's tables) are locked too (AcquireRewriteLocks).
      if (plan !== null) lockRelationsOfRangeTable(this.catalog, plan.rtable);
      return { query: q, plan };
    });
  }

  private runPlannable(raw: RawStmt, sql: string, params: readonly unknown[] | null): StatementResult {
    let paramTypes: number[];
    let prepared: PreparedQuery[];
    const hit = params !== null ? this.planCache.get(sql) : undefined;
    // AcquireExecutorLocks: a cached plan's relations are locked before it is trusted; a lock
    // newly taken reads other backends' invalidations, which may make the plan stale (generation).
    if (hit !== undefined && hit.generation === this.generation && hit.raw === raw) {
      for (const p of hit.prepared) if (p.plan !== null) lockRelationsOfRangeTable(this.catalog, p.plan.rtable);
    }
    if (hit !== undefined && hit.generation === this.generation && hit.raw === raw) {
      paramTypes = hit.paramTypes;
      prepared = hit.prepared;
    } else {
      // Parse without declared types, as a client library does: the statement has as many parameters as
      // the highest $n it references, so a Bind with more values is 08P01 (bindParams), not 42P18.
      paramTypes = [];
      prepared = this.prepare(raw, sql, paramTypes);
      if (params !== null && paramTypes.length === params.length && prepared.every((p) => p.plan !== null)) {
        if (this.planCache.size >= PLAN_CACHE_MAX) this.planCache.delete(this.planCache.keys().next().value as string);
        this.planCache.set(sql, { raw, prepared, paramTypes, generation: this.generation });
      }
    }
    const values = bindParams(params, paramTypes);
    let tagged: StatementResult | null = null;
    for (const p of prepared) {
      if (p.plan === null) {
        const r = ProcessUtility(p.query.utilityStmt as Stmt, this.utilityEnv(sql, raw, null));
        if (p.query.canSetTag) tagged = r;
        continue;
      }
      const r = this.executePlan(p.plan, values);
      if (p.query.canSetTag || tagged === null) tagged = r;
    }
    return tagged ?? { command: commandTagFor(raw.stmt), rowCount: 0, fields: null, rows: [], notices: [] };
  }

  /** ExecutorStart / Run / End for one plan: the rows, the command tag and the counters. */
  executePlan(plan: PlannedStmt, params: readonly unknown[]): StatementResult {
    const qd = this.startExecutor(plan, params, false);
    const rows: unknown[][] = [];
    try {
      ExecutorRun(qd, (values) => {
        rows.push(values);
      });
    } finally {
      ExecutorEnd(qd);
    }
    const processed = qd.estate.processed;
    const st = this.stats;
    this.tableStats.countScans(plan, this.fmgr.stmtStart);
    if (plan.commandType !== 'CMD_SELECT' && plan.commandType !== 'CMD_UTILITY') {
      const target = plan.rtable[(plan.resultRelations[0] ?? 0) - 1];
      if (target !== undefined) this.tableStats.countModify(target.relid, plan.commandType, processed);
    }
    let command: string;
    let rowCount: number;
    switch (plan.commandType) {
      case 'CMD_INSERT':
        command = `INSERT 0 ${processed}`;
        rowCount = processed;
        st.tup_inserted += processed;
        break;
      case 'CMD_UPDATE':
        command = `UPDATE ${processed}`;
        rowCount = processed;
        st.tup_updated += processed;
        break;
      case 'CMD_DELETE':
        command = `DELETE ${processed}`;
        rowCount = processed;
        st.tup_deleted += processed;
        break;
      default:
        command = `SELECT ${rows.length}`;
        rowCount = rows.length;
        st.tup_fetched += rows.length;
        break;
    }
    st.tup_returned += rows.length;
    const hasResult = plan.commandType === 'CMD_SELECT' || qd.tupDesc.length > 0;
    const fields: FieldDescription[] | null = hasResult ? qd.tupDesc.map((c) => ({ name: c.name, typeOid: c.typeOid, typmod: c.typmod })) : null;
    return { command, rowCount, fields, rows, notices: [] };
  }

  /** Runs internal SQL (a SELECT) inside the current statement; returns its rows as Datums. */
  executePlanForSql(sql: string): unknown[][] {
    const out: unknown[][] = [];
    for (const raw of parse(sql)) {
      for (const p of this.prepare(raw, sql, [])) if (p.plan !== null) out.push(...this.executePlan(p.plan, []).rows);
    }
    return out;
  }

  startExecutor(plan: PlannedStmt, params: readonly unknown[], instrument: boolean): QueryDesc {
    return ExecutorStart(plan, {
      engine: this.engine,
      catalog: this.catalog,
      externParams: params,
      fmgr: this.fmgr,
      workMemBytes: this.guc.intValue('work_mem') * 1024,
      checkInterrupts: this.checkInterruptsFn,
      instrument,
    });
  }

  /** The executor's CHECK_FOR_INTERRUPTS: every INTERRUPT_CLOCK_EVERY calls, checkForInterrupts. */
  private checkInterrupts(): void {
    if (++this.interruptTick % INTERRUPT_CLOCK_EVERY !== 0) return;
    this.checkForInterrupts();
  }

  /**
   * ProcessInterrupts now: terminate (FATAL 57P01) and cancel (57014) sent
   * through the proc array (storage/ipc/procsignal.ts), then
   * statement_timeout (57014). Sleeps (pg_sleep, lock waits) call it directly.
   */
  checkForInterrupts(): void {
    const sig = this.engine.procSignal;
    if (sig.pending()) sig.processInterrupts();
    if (this.deadline !== 0 && performance.now() > this.deadline) {
      throw new PgError(SQLSTATE.query_canceled, 'canceling statement due to statement timeout');
    }
  }

  private utilityEnv(sql: string, raw: RawStmt, params: readonly unknown[] | null): UtilityEnv {
    return {
      backend: this,
      sourceText: sql,
      raw,
      params,
      inTransactionBlock: this.block !== 'none',
    };
  }

  /** After DDL the caches must not hold stale entries into the next command. */
  private catalogCommandEnd(): void {
    // The catalog applies its invalidation messages at its own command boundaries (catalog.ts rule 2).
  }

  // ------------------------------------------------------------------ transactions

  /** Opens the guc frame and the transaction timestamp when no transaction is in progress. */
  private startXactIfNeeded(): boolean {
    if (this.xactOpen) return false;
    this.xactOpen = true;
    this.guc.atStartTransaction();
    this.fmgr.xactStart = currentTimestampMicros();
    this.engine.backendStatus.reportXactStart(this.fmgr.xactStart);
    return true;
  }

  /** A single statement outside a block was its own transaction: it ended with the statement. */
  private endXactIfImplicit(started: boolean, committed: boolean): void {
    if (!started || this.block !== 'none') return;
    this.xactOpen = false;
    if (committed) {
      this.guc.atCommit();
      this.stats.xact_commit++;
      this.reportStat();
    } else {
      this.guc.atAbort();
      this.stats.xact_rollback++;
      this.reportStat();
      this.catalog.invalidateAll();
    }
  }

  private afterError(e: unknown, startedXact: boolean, inFrame: boolean): void {
    this.generation++;
    if (inFrame) this.engine.abortStatement(e);
    else if (this.block === 'explicit' || this.block === 'implicit') this.failEngineBlock(e);
    if (isPgError(e) && e.severity === 'PANIC') return;
    // pgstat_report_deadlock: this backend was the deadlock detector's victim.
    if (isPgError(e) && e.code === SQLSTATE.deadlock_detected && !this.engine.isClosed) this.pgstatDatabase().count('deadlocks');
    switch (this.block) {
      case 'none':
        this.endXactIfImplicit(startedXact, false);
        break;
      case 'implicit':
        this.abortBlock();
        break;
      case 'explicit':
        this.block = 'failed';
        break;
      case 'failed':
        break;
    }
  }

  /** Marks the engine's block failed for an error raised outside a statement frame. */
  private failEngineBlock(e: unknown): void {
    if (this.engine.isClosed) return;
    try {
      this.engine.startStatement();
    } catch {
      return;
    }
    this.engine.abortStatement(e);
  }

  /** An error before any statement ran (a syntax error): fails an open block. */
  private failOutsideStatement(err: PgError): void {
    if (this.block === 'explicit') {
      this.failEngineBlock(err);
      this.block = 'failed';
    }
  }

  private beginImplicitBlock(): void {
    this.engine.begin();
    this.block = 'implicit';
    this.startXactIfNeeded();
  }

  private finishImplicitBlock(): void {
    this.engine.commit();
    this.block = 'none';
    this.xactOpen = false;
    this.savepoints.length = 0;
    this.guc.atCommit();
    this.stats.xact_commit++;
    this.reportStat();
  }

  private abortBlock(): void {
    if (!this.engine.isClosed) this.engine.rollback();
    this.afterRollback();
  }

  /** The session's side of a transaction that ended in rollback (the engine's side is done). */
  private afterRollback(): void {
    this.block = 'none';
    this.xactOpen = false;
    this.savepoints.length = 0;
    this.guc.atAbort();
    this.catalog.invalidateAll();
    this.stats.xact_rollback++;
    this.reportStat();
  }

  private warn(code: string, message: string): void {
    this.notices.push({ severity: 'WARNING', code, message });
  }

  private transactionStatement(stmt: TransactionStmt): StatementResult {
    const result = (command: string): StatementResult => ({ command, rowCount: 0, fields: null, rows: [], notices: [] });
    const inBlockError = (what: string): PgError =>
      new PgError(SQLSTATE.no_active_sql_transaction, `${what} can only be used in transaction blocks`);
    switch (stmt.kind) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START': {
        const tag = stmt.kind === 'TRANS_STMT_BEGIN' ? 'BEGIN' : 'START TRANSACTION';
        if (this.block === 'explicit') {
          this.warn(SQLSTATE.active_sql_transaction, 'there is already a transaction in progress');
          return result(tag);
        }
        if (this.block === 'none') {
          this.engine.begin();
          this.startXactIfNeeded();
        }
        this.block = 'explicit';
        try {
          for (const opt of stmt.options) {
            const arg = opt.arg;
            const v = arg !== null && typeof arg === 'object' && 'type' in arg && arg.type === 'A_Const' && arg.val !== undefined
              ? (arg.val.type === 'String' ? arg.val.sval : arg.val.type === 'Integer' ? String(arg.val.ival) : '')
              : '';
            this.guc.set(opt.defname, v, { isLocal: true });
          }
        } catch (e) {
          this.failEngineBlock(e);
          this.block = 'failed';
          throw e;
        }
        return result(tag);
      }
      case 'TRANS_STMT_COMMIT': {
        if (this.block === 'none') {
          this.warn(SQLSTATE.no_active_sql_transaction, 'there is no transaction in progress');
          return result('COMMIT');
        }
        if (this.block === 'implicit') {
          this.warn(SQLSTATE.no_active_sql_transaction, 'there is no transaction in progress');
          this.finishImplicitBlock();
          return result('COMMIT');
        }
        if (this.block === 'failed') {
          this.abortBlock();
          return result('ROLLBACK');
        }
        try {
          this.engine.commit();
        } catch (e) {
          // The commit failed (40001 from SSI's pre-commit check): the engine rolled the transaction back.
          this.afterRollback();
          throw e;
        }
        this.block = 'none';
        this.xactOpen = false;
        this.savepoints.length = 0;
        this.guc.atCommit();
        this.stats.xact_commit++;
        this.reportStat();
        return result('COMMIT');
      }
      case 'TRANS_STMT_ROLLBACK': {
        if (this.block === 'none') {
          this.warn(SQLSTATE.no_active_sql_transaction, 'there is no transaction in progress');
          return result('ROLLBACK');
        }
        if (this.block === 'implicit') this.warn(SQLSTATE.no_active_sql_transaction, 'there is no transaction in progress');
        this.abortBlock();
        return result('ROLLBACK');
      }
      case 'TRANS_STMT_SAVEPOINT': {
        if (this.block !== 'explicit') throw this.failIfImplicit(inBlockError('SAVEPOINT'));
        const name = stmt.savepoint_name as string;
        this.engine.savepoint(name);
        this.savepoints.push(name);
        this.guc.atStartSubtransaction();
        return result('SAVEPOINT');
      }
      case 'TRANS_STMT_RELEASE': {
        if (this.block !== 'explicit') throw this.failIfImplicit(inBlockError('RELEASE SAVEPOINT'));
        const name = stmt.savepoint_name as string;
        const idx = this.savepoints.lastIndexOf(name);
        if (idx < 0) throw this.failBlock(new PgError(SQLSTATE.invalid_savepoint_specification, `savepoint "${name}" does not exist`));
        this.engine.releaseSavepoint(name);
        while (this.savepoints.length > idx) {
          this.savepoints.pop();
          this.guc.atSubCommit();
        }
        return result('RELEASE');
      }
      case 'TRANS_STMT_ROLLBACK_TO': {
        if (this.block !== 'explicit' && this.block !== 'failed') throw this.failIfImplicit(inBlockError('ROLLBACK TO SAVEPOINT'));
        const name = stmt.savepoint_name as string;
        const idx = this.savepoints.lastIndexOf(name);
        if (idx < 0) throw this.failBlock(new PgError(SQLSTATE.invalid_savepoint_specification, `savepoint "${name}" does not exist`));
        this.engine.rollbackToSavepoint(name);
        while (this.savepoints.length > idx + 1) {
          this.savepoints.pop();
          this.guc.atSubAbort(false);
        }
        this.guc.atSubAbort(true);
        this.catalog.invalidateAll();
        this.block = 'explicit';
        return result('ROLLBACK');
      }
    }
  }

  /** An error in an explicit block fails it; returns the error to throw. */
  private failBlock(err: PgError): PgError {
    if (this.block === 'explicit') {
      this.failEngineBlock(err);
      this.block = 'failed';
    }
    return err;
  }

  /** An error in an implicit block rolls it back; returns the error to throw. */
  private failIfImplicit(err: PgError): PgError {
    if (this.block === 'implicit') this.abortBlock();
    return err;
  }

  /** Ends the session: an open transaction rolls back. */
  close(): void {
    if (this.block !== 'none' && !this.engine.isClosed) {
      try {
        this.engine.rollback();
      } catch {
        // The engine closes next; its close() aborts whatever is left.
      }
      this.block = 'none';
    }
  }
}

/** Statements that go through analyze / rewrite / plan / execute. */
function isPlannable(stmt: Stmt): boolean {
  return stmt.type === 'SelectStmt' || stmt.type === 'InsertStmt' || stmt.type === 'UpdateStmt' || stmt.type === 'DeleteStmt';
}

/** Statements run without a snapshot of their own. */
function needsStatementFrame(stmt: Stmt): boolean {
  switch (stmt.type) {
    case 'VariableSetStmt':
    case 'VariableShowStmt':
    case 'CheckPointStmt':
      return false;
    case 'VacuumStmt':
      return !stmt.is_vacuumcmd;
    default:
      return true;
  }
}

/** COMMIT, ROLLBACK and ROLLBACK TO run in a failed block (IsTransactionExitStmt). */
function isTransactionExit(stmt: Stmt): boolean {
  return stmt.type === 'TransactionStmt' &&
    (stmt.kind === 'TRANS_STMT_COMMIT' || stmt.kind === 'TRANS_STMT_ROLLBACK' || stmt.kind === 'TRANS_STMT_ROLLBACK_TO');
}

/** Anything thrown becomes a PgError (an internal error if it was not one). */
export function toPgError(e: unknown): PgError {
  if (isPgError(e)) return e;
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return new PgError('54001', 'stack depth limit exceeded', { hint: 'Increase the configuration parameter "max_stack_depth" (currently 2048kB), after ensuring the platform\'s stack depth limit is adequate.' });
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new PgError(SQLSTATE.internal_error, msg);
}
