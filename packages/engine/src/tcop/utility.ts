/*
 * utility.ts — ProcessUtility: statements that are not planned (PostgreSQL's
 * tcop/utility.c). DDL goes to the commands/ entry points; SET / SHOW /
 * RESET to guc; EXPLAIN to commands/explain.ts; VACUUM, ANALYZE and
 * CHECKPOINT to the storage engine and the catalog's statistics.
 *
 * Exports: ProcessUtility(stmt, env) -> StatementResult, UtilityEnv.
 *
 * Transaction statements are tcop/postgres.ts's (they change its block
 * state); everything else that is not SELECT/INSERT/UPDATE/DELETE is here.
 *
 * Relation locks (storage/lmgr): before a DDL command reads a relation's
 * catalog rows, acquireUtilityLocks locks it as PostgreSQL's commands do:
 * Share for CREATE INDEX (ShareUpdateExclusive for CONCURRENTLY),
 * AccessExclusive for DROP TABLE/INDEX/VIEW/SEQUENCE (an index's table
 * first), TRUNCATE, ALTER TABLE, RENAME and CREATE OR REPLACE VIEW of an
 * existing view; ShareUpdateExclusive for VACUUM and ANALYZE. The commands
 * then find what they look up current (a lock newly taken reads the shared
 * invalidations). A name that does not resolve is left for the command to
 * report with its own message.
 *
 * LOCK TABLE takes the lock it names (LockTableCommand), waiting unless
 * NOWAIT (55P03); only inside a transaction block (25P01).
 */

import type { RawStmt, Stmt, VacuumStmt, ExplainStmt, DefElem, LockStmt } from '../parser/nodes.ts';
import type { Node, RangeVar, Value } from '../parser/primnodes.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import type { UtilityContext } from '../commands/utility_context.ts';
import { DefineSequence, AlterSequence } from '../commands/sequence.ts';
import { DefineRelation, AlterTable, ExecRenameStmt } from '../commands/tablecmds.ts';
import { DefineIndex } from '../commands/indexcmds.ts';
import { RemoveRelations } from '../commands/dropcmds.ts';
import { DefineView } from '../commands/view.ts';
import { ExecuteTruncate } from '../commands/truncate.ts';
import { CreateSchemaCommand } from '../commands/schemacmds.ts';
import type { PostgresBackend } from './postgres.ts';
import { bindParams } from './jsvalue.ts';
import type { Query } from '../nodes/parsenodes.ts';
import type { Const, Param } from '../nodes/primnodes.ts';
import { commandTagFor, type StatementResult } from './dest.ts';
import { explainOneQuery, type ExplainExecutor } from '../commands/explain.ts';
import { ExecutorEnd, ExecutorRun, type QueryDesc } from '../executor/execMain.ts';
import { executorPrivate } from '../executor/execUtils.ts';
import type { PlanState } from '../executor/execnodes.ts';
import type { LockMode as LockModeName } from '../nodes/parsenodes.ts';
import { LockMode, lockModeFromName, lockModeName } from '../storage/lmgr/lockdefs.ts';
import { relationLockNotAvailable } from '../storage/lmgr/lmgr.ts';
import { rangeVarGetRelidLocked } from '../storage/lmgr/rangevar.ts';
import { Anum_pg_index, IndexRelationId } from '../catalog/schemapg.ts';
import type { Relation } from '../access/heap/relation.ts';

const TEXTOID = 25;
const JSONOID = 114;

export interface UtilityEnv {
  backend: PostgresBackend;
  /** The whole query string. */
  sourceText: string;
  /** The statement as parsed (for its location in the string). */
  raw: RawStmt;
  /** The extended protocol's parameter values ($1..$n), null for the simple protocol; only EXPLAIN takes them. */
  params: readonly unknown[] | null;
  inTransactionBlock: boolean;
}

function done(command: string): StatementResult {
  return { command, rowCount: 0, fields: null, rows: [], notices: [] };
}

function textResult(command: string, columns: string[], rows: string[][], typeOid = TEXTOID): StatementResult {
  return {
    command: command === 'SHOW' || command === 'EXPLAIN' ? command : `${command} ${rows.length}`,
    rowCount: rows.length,
    fields: columns.map((name) => ({ name, typeOid, typmod: -1 })),
    rows,
    notices: [],
  };
}

function utilityContext(env: UtilityEnv): UtilityContext {
  const b = env.backend;
  return {
    engine: b.engine,
    catalog: b.catalog,
    sourceText: env.sourceText,
    notice: (message: string) => b.notice({ severity: 'NOTICE', code: '00000', message }),
    fmgr: b.fmgr,
  };
}

export function ProcessUtility(stmt: Stmt, env: UtilityEnv): StatementResult {
  const tag = commandTagFor(stmt);
  acquireUtilityLocks(stmt, env);
  switch (stmt.type) {
    case 'CreateStmt':
      DefineRelation(stmt, utilityContext(env));
      return done(tag);
    case 'IndexStmt':
      DefineIndex(stmt, utilityContext(env));
      return done(tag);
    case 'DropStmt':
      RemoveRelations(stmt, utilityContext(env));
      return done(tag);
    case 'AlterTableStmt':
      AlterTable(stmt, utilityContext(env));
      return done(tag);
    case 'RenameStmt':
      ExecRenameStmt(stmt, utilityContext(env));
      return done(tag);
    case 'ViewStmt':
      DefineView(stmt, utilityContext(env));
      return done(tag);
    case 'TruncateStmt':
      ExecuteTruncate(stmt, utilityContext(env));
      return done(tag);
    case 'CreateSchemaStmt':
      CreateSchemaCommand(stmt, utilityContext(env));
      return done(tag);
    case 'CreateSeqStmt':
      DefineSequence(stmt, utilityContext(env));
      return done(tag);
    case 'AlterSeqStmt':
      AlterSequence(stmt, utilityContext(env));
      return done(tag);
    case 'VariableSetStmt': {
      const warning = env.backend.guc.executeSetStmt(stmt, env.inTransactionBlock);
      if (warning !== null) env.backend.notice({ severity: 'WARNING', code: SQLSTATE.no_active_sql_transaction, message: warning });
      return done(tag);
    }
    case 'VariableShowStmt':
      return show(env, stmt.name);
    case 'ExplainStmt':
      return explain(env, stmt);
    case 'VacuumStmt':
      return stmt.is_vacuumcmd ? vacuum(env, stmt) : analyze(env, stmt);
    case 'CheckPointStmt':
      env.backend.engine.checkpoint();
      return done(tag);
    case 'LockStmt':
      return lockTable(env, stmt);
    default:
      throw new PgError(SQLSTATE.feature_not_supported, `${tag} is not supported`);
  }
}

// ---------------------------------------------------------------- SHOW

function show(env: UtilityEnv, name: string): StatementResult {
  const guc = env.backend.guc;
  if (name === 'all') {
    const rows = guc.showAll().map((r) => [r.name, r.setting, r.description]);
    return textResult('SHOW', ['name', 'setting', 'description'], rows);
  }
  const s = guc.show(name);
  return textResult('SHOW', [s.column], [[s.value]]);
}

// ---------------------------------------------------------------- EXPLAIN

interface ExplainOptions {
  analyze: boolean;
  verbose: boolean;
  costs: boolean;
  buffers: boolean;
  timing: boolean;
  summary: boolean;
  format: 'text' | 'json';
}

/** The text of a DefElem's argument (a value node or an A_Const), or null when it has none. */
function defText(d: DefElem): string | null {
  const a = d.arg as Node | Value | null;
  if (a === null) return null;
  const v = a.type === 'A_Const' ? a.val : a.type === 'String' || a.type === 'Integer' || a.type === 'Boolean' || a.type === 'Float' ? a : undefined;
  switch (v?.type) {
    case 'String': return v.sval;
    case 'Integer': return String(v.ival);
    case 'Float': return v.fval;
    case 'Boolean': return v.boolval ? 'true' : 'false';
    default: return '';
  }
}

/** defGetBoolean: no argument is true; on/off, true/false, 1/0. */
function defBool(d: DefElem): boolean {
  const t = defText(d);
  if (t === null) return true;
  const s = t.toLowerCase();
  if (s === 'true' || s === 'on' || s === '1') return true;
  if (s === 'false' || s === 'off' || s === '0') return false;
  throw new PgError('42601', `${d.defname} requires a Boolean value`, d.location >= 0 ? { position: d.location + 1 } : {});
}

function explainOptions(opts: DefElem[]): ExplainOptions {
  const o: ExplainOptions = { analyze: false, verbose: false, costs: true, buffers: false, timing: true, summary: false, format: 'text' };
  let timingSet = false;
  let summarySet = false;
  for (const d of opts) {
    switch (d.defname) {
      case 'analyze': o.analyze = defBool(d); break;
      case 'verbose': o.verbose = defBool(d); break;
      case 'costs': o.costs = defBool(d); break;
      case 'buffers': o.buffers = defBool(d); break;
      case 'timing': o.timing = defBool(d); timingSet = true; break;
      case 'summary': o.summary = defBool(d); summarySet = true; break;
      case 'format': {
        const v = (defText(d) ?? '').toLowerCase();
        if (v === 'text' || v === 'json') o.format = v;
        else if (v === 'xml' || v === 'yaml') throw new PgError(SQLSTATE.feature_not_supported, `EXPLAIN format "${v}" is not supported`);
        else throw new PgError(SQLSTATE.invalid_parameter_value, `unrecognized value for EXPLAIN option "format": "${v}"`, { position: d.location + 1 });
        break;
      }
      default:
        throw new PgError('42601', `unrecognized EXPLAIN option "${d.defname}"`, { position: d.location + 1 });
    }
  }
  if (o.timing && timingSet && !o.analyze) throw new PgError(SQLSTATE.invalid_parameter_value, 'EXPLAIN option TIMING requires ANALYZE');
  if (!summarySet) o.summary = o.analyze;
  return o;
}

function explain(env: UtilityEnv, stmt: ExplainStmt): StatementResult {
  const opts = explainOptions(stmt.options);
  const inner = stmt.query;
  if (inner.type !== 'SelectStmt' && inner.type !== 'InsertStmt' && inner.type !== 'UpdateStmt' && inner.type !== 'DeleteStmt') {
    throw new PgError(SQLSTATE.feature_not_supported, `EXPLAIN of ${commandTagFor(inner)} is not supported`);
  }
  const b = env.backend;
  const raw: RawStmt = { type: 'RawStmt', stmt: inner, stmt_location: env.raw.stmt_location, stmt_len: env.raw.stmt_len };
  // The inner statement is analyzed with the parameters' types (inferred, as
  // for a plain statement), planned, and for ANALYZE run with their values.
  const paramTypes: number[] = []; // grows to the highest $n used; extra bound values are 08P01 in bindParams
  const t0 = performance.now();
  const prepared = b.prepare(raw, env.sourceText, paramTypes, (q) => {
    const values = bindParams(env.params, paramTypes);
    if (values.length > 0) foldBoundParams(q, values, paramTypes);
  });
  const planningTimeMs = performance.now() - t0;
  const values = bindParams(env.params, paramTypes);
  const run: ExplainExecutor<QueryDesc> = {
    start: (plan) => b.startExecutor(plan, values, true),
    run: (qd) => ExecutorRun(qd, () => {}),
    planStates: (qd) => [qd.planstate, ...executorPrivate(qd.estate).subplanStates.filter((ps): ps is PlanState => ps !== null)],
    end: (qd) => ExecutorEnd(qd),
  };
  const lines: string[] = [];
  for (const p of prepared) {
    if (p.plan === null) continue;
    lines.push(...explainOneQuery(p.plan, { ...opts, planningTimeMs, catalog: b.catalog }, run));
  }
  if (opts.format === 'json') return textResult('EXPLAIN', ['QUERY PLAN'], [[lines.join('\n')]], JSONOID);
  return textResult('EXPLAIN', ['QUERY PLAN'], lines.map((l) => [l]));
}

/**
 * The parameters of the unnamed statement are constants for its plan
 * (exec_bind_message marks them PARAM_FLAG_CONST and eval_const_expressions
 * folds them): every $n of the analyzed Query, at any subquery level,
 * becomes a Const of its value, so EXPLAIN shows `(k = 5)` as PostgreSQL
 * does and the planner estimates with the value. Edits the Query in place.
 */
function foldBoundParams(query: Query, values: readonly unknown[], paramTypes: readonly number[]): void {
  const fold = (node: unknown, depth: number): void => {
    if (typeof node !== 'object' || node === null || depth > 5000) return;
    const o = node as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      const child = o[key];
      if (typeof child !== 'object' || child === null) continue;
      const c = child as Partial<Param>;
      if (c.type === 'Param' && c.paramkind === 'PARAM_EXTERN' && c.paramid !== undefined && c.paramid <= values.length) {
        const v = values[c.paramid - 1];
        const isnull = v === null || v === undefined;
        const folded: Const = {
          type: 'Const',
          consttype: c.paramtype ?? paramTypes[c.paramid - 1],
          consttypmod: c.paramtypmod ?? -1,
          constvalue: (isnull ? null : v) as Const['constvalue'],
          constisnull: isnull,
          location: c.location ?? -1,
        };
        o[key] = folded;
        continue;
      }
      fold(child, depth + 1);
    }
  };
  fold(query, 0);
}

// ---------------------------------------------------------------- VACUUM / ANALYZE

interface TargetRel {
  oid: number;
  name: string;
}

function rangeVarName(rv: RangeVar): string {
  return rv.schemaname !== null ? `${rv.schemaname}.${rv.relname}` : rv.relname;
}

/** The tables VACUUM/ANALYZE work on: the named ones, or every user table. */
function targetRelations(env: UtilityEnv, stmt: VacuumStmt): TargetRel[] {
  const cat = env.backend.catalog;
  if (stmt.rels.length > 0) {
    return stmt.rels.map((vr) => {
      const rv = vr.relation;
      const oid = cat.relnameGetRelid(rv.schemaname, rv.relname, false, rv.location) as number;
      const rel = cat.getRelation(oid);
      if (rel.relkind !== 'r' && rel.relkind !== 't' && rel.relkind !== 'm') {
        env.backend.notice({ severity: 'WARNING', code: '01000', message: `skipping "${rel.relname}" --- cannot ${stmt.is_vacuumcmd ? 'vacuum' : 'analyze'} non-tables or special system tables` });
        return null;
      }
      return { oid, name: rangeVarName(rv) };
    }).filter((r): r is TargetRel => r !== null);
  }
  const r = env.backend.executePlanForSql("SELECT c.oid, c.relname FROM pg_catalog.pg_class c WHERE c.relkind = 'r' AND c.relnamespace <> 11 ORDER BY c.oid");
  return r.map((row) => ({ oid: Number(row[0]), name: String(row[1]) }));
}

function optionFlag(stmt: VacuumStmt, name: string): boolean {
  const d = stmt.options.find((o) => o.defname === name);
  return d !== undefined && defBool(d);
}

function analyzeRelation(env: UtilityEnv, oid: number, verbose: boolean): void {
  const b = env.backend;
  const rel = b.catalog.getRelation(oid);
  if (rel.heap === null) return;
  const st = b.engine.relationStats(rel.heap);
  b.catalog.updateRelStats(oid, st.relpages, st.reltuples);
  b.tableStats.onAnalyze(oid, Math.round(st.reltuples), st.deadTuples, b.fmgr.stmtStart);
  for (const ix of rel.indexes) {
    const is = b.engine.indexStats(ix.index);
    b.catalog.updateRelStats(ix.indexrelid, is.pages, is.tuples);
  }
  if (verbose) {
    b.notice({ severity: 'INFO', code: '00000', message: `analyzing "${rel.nspname}.${rel.relname}"` });
    b.notice({
      severity: 'INFO', code: '00000',
      message: `"${rel.relname}": scanned ${st.relpages} of ${st.relpages} pages, containing ${Math.round(st.reltuples)} live rows and ${st.deadTuples} dead rows; ${Math.round(st.reltuples)} rows in sample, ${Math.round(st.reltuples)} estimated total rows`,
    });
  }
}

function analyze(env: UtilityEnv, stmt: VacuumStmt): StatementResult {
  const verbose = optionFlag(stmt, 'verbose');
  for (const t of targetRelations(env, stmt)) {
    // ShareUpdateExclusiveLock: concurrent DML goes on; another VACUUM/ANALYZE or DDL of the table waits.
    env.backend.engine.lockRelation(t.oid, LockMode.ShareUpdateExclusive);
    analyzeRelation(env, t.oid, verbose);
  }
  return done('ANALYZE');
}

function vacuum(env: UtilityEnv, stmt: VacuumStmt): StatementResult {
  const b = env.backend;
  if (env.inTransactionBlock) throw new PgError(SQLSTATE.active_sql_transaction, 'VACUUM cannot run inside a transaction block');
  const full = optionFlag(stmt, 'full');
  const freeze = optionFlag(stmt, 'freeze');
  const verbose = optionFlag(stmt, 'verbose');
  const doAnalyze = optionFlag(stmt, 'analyze');
  if (full) {
    // VACUUM FULL rewrites the table in PostgreSQL; here it is a plain
    // VACUUM (which already truncates empty trailing pages). Documented.
  }
  b.engine.startStatement();
  let targets: TargetRel[];
  try {
    targets = targetRelations(env, stmt);
    b.engine.endStatement();
  } catch (e) {
    b.engine.abortStatement(e);
    throw e;
  }
  for (const t of targets) {
    // vacuum_rel's session lock: ShareUpdateExclusiveLock across the table's own transactions.
    b.engine.startStatement();
    let heap;
    try {
      b.engine.lockRelationForSession(t.oid, LockMode.ShareUpdateExclusive);
      heap = b.catalog.getRelation(t.oid).heap;
      b.engine.endStatement();
    } catch (e) {
      b.engine.abortStatement(e);
      b.engine.unlockRelationForSession(t.oid, LockMode.ShareUpdateExclusive);
      throw e;
    }
    try {
      vacuumOneRelation(env, t, heap, freeze, verbose, doAnalyze);
    } finally {
      b.engine.unlockRelationForSession(t.oid, LockMode.ShareUpdateExclusive);
    }
  }
  return done('VACUUM');
}

/** One table of VACUUM, under its session lock: the heap and its indexes, then pg_class's counts (and ANALYZE). */
function vacuumOneRelation(env: UtilityEnv, t: TargetRel, heap: Relation | null, freeze: boolean, verbose: boolean, doAnalyze: boolean): void {
  const b = env.backend;
  if (heap === null) return;
  const vs = b.engine.vacuum(heap, { freeze });
  if (verbose) {
    b.notice({ severity: 'INFO', code: '00000', message: `vacuuming "${t.name}"` });
    b.notice({ severity: 'INFO', code: '00000', message: `finished vacuuming "${t.name}": ${vs.pagesScanned} pages scanned, ${vs.pagesRemoved} removed; tuples: ${vs.tuplesRemoved} removed, ${vs.liveTuples} remain, ${vs.deadTuplesRemaining} are dead but not yet removable` });
  }
  b.tableStats.onVacuum(t.oid, vs.liveTuples, vs.deadTuplesRemaining, b.fmgr.stmtStart);
  b.engine.startStatement();
  try {
    b.catalog.updateRelStats(t.oid, vs.relPages, vs.liveTuples);
    if (doAnalyze) analyzeRelation(env, t.oid, verbose);
    b.engine.endStatement();
  } catch (e) {
    b.engine.abortStatement(e);
    throw e;
  }
}

// ---------------------------------------------------------------- LOCK

/** errdetail_relkind_not_supported's words for LOCK's refusal. */
const RELKIND_NOT_SUPPORTED: Record<string, string> = {
  i: 'This operation is not supported for indexes.',
  S: 'This operation is not supported for sequences.',
  t: 'This operation is not supported for TOAST tables.',
  m: 'This operation is not supported for materialized views.',
  c: 'This operation is not supported for composite types.',
  f: 'This operation is not supported for foreign tables.',
};

/**
 * LockTableCommand: each table (or view) locked in the mode named, in the
 * order written, for the rest of the transaction. NOWAIT raises 55P03
 * instead of waiting. A view's tables are locked with it (LockViewRecurse),
 * through its FROM items, subqueries in FROM and WITH, and views it uses;
 * not through sublinks in expressions. There are no inheritance children.
 */
function lockTable(env: UtilityEnv, stmt: LockStmt): StatementResult {
  if (!env.inTransactionBlock) throw new PgError(SQLSTATE.no_active_sql_transaction, 'LOCK TABLE can only be used in transaction blocks');
  const cat = env.backend.catalog;
  const mode = lockModeName(stmt.mode) as LockModeName;
  for (const rv of stmt.relations) {
    const relid = rangeVarGetRelidLocked(cat, rv.schemaname, rv.relname, mode, { missingOk: false, nowait: stmt.nowait, location: rv.location }) as number;
    const rel = cat.getRelation(relid);
    if (rel.relkind !== 'r' && rel.relkind !== 'p' && rel.relkind !== 'v') {
      throw new PgError('42809', `cannot lock relation "${rv.relname}"`, { detail: RELKIND_NOT_SUPPORTED[rel.relkind] });
    }
    if (rel.viewQuery !== null) lockViewRecurse(env, rel.viewQuery, mode, stmt.nowait, [relid]);
  }
  return done('LOCK TABLE');
}

/** LockViewRecurse: the relations a view's query reads, in the view's lock mode; `ancestors` stops a view cycle. */
function lockViewRecurse(env: UtilityEnv, q: Query, mode: LockModeName, nowait: boolean, ancestors: number[]): void {
  const cat = env.backend.catalog;
  for (const cte of q.cteList) lockViewRecurse(env, cte.ctequery, mode, nowait, ancestors);
  for (const rte of q.rtable) {
    if (rte.rtekind === 'RTE_SUBQUERY' && rte.subquery !== null) {
      lockViewRecurse(env, rte.subquery, mode, nowait, ancestors);
      continue;
    }
    if (rte.rtekind !== 'RTE_RELATION' || rte.relid === 0 || ancestors.includes(rte.relid)) continue;
    if (!env.backend.engine.lockRelation(rte.relid, lockModeFromName(mode), nowait)) {
      throw relationLockNotAvailable(cat.getRelation(rte.relid).relname);
    }
    const rel = cat.getRelation(rte.relid);
    if (rel.viewQuery !== null) lockViewRecurse(env, rel.viewQuery, mode, nowait, [...ancestors, rte.relid]);
  }
}

// ---------------------------------------------------------------- relation locks of DDL

/** The relation a name resolves to, locked; null when it does not resolve (the command reports that). */
function lockByName(env: UtilityEnv, schemaname: string | null, relname: string, mode: LockModeName): number | null {
  const cat = env.backend.catalog;
  try {
    return rangeVarGetRelidLocked(cat, schemaname, relname, mode, { missingOk: true });
  } catch (e) {
    // A missing schema and the like: the command's own check says it in its words.
    if (e instanceof PgError && (e.code.startsWith('42') || e.code.startsWith('3F'))) return null;
    throw e;
  }
}

/** The table an index belongs to (pg_index.indrelid), or 0 when `relid` is not an index. */
function indexHeapOid(env: UtilityEnv, relid: number): number {
  const ix = env.backend.catalog.heaps.findOne(IndexRelationId, (v) => v[Anum_pg_index.indexrelid] === relid);
  return ix === null ? 0 : (ix.values[Anum_pg_index.indrelid] as number);
}

/** The locks a DDL statement takes on the relations it names, before it reads their catalog rows. */
function acquireUtilityLocks(stmt: Stmt, env: UtilityEnv): void {
  switch (stmt.type) {
    case 'IndexStmt':
      lockByName(env, stmt.relation.schemaname, stmt.relation.relname, stmt.concurrent ? 'ShareUpdateExclusiveLock' : 'ShareLock');
      return;
    case 'DropStmt': {
      if (stmt.removeType === 'OBJECT_SCHEMA') return;
      for (const names of stmt.objects) {
        const relname = names[names.length - 1];
        const schemaname = names.length >= 2 ? names[names.length - 2] : null;
        if (stmt.removeType === 'OBJECT_INDEX') {
          // RangeVarCallbackForDropRelation: the table before its index.
          let relid: number | null = null;
          try {
            relid = env.backend.catalog.relnameGetRelid(schemaname, relname, true);
          } catch {
            relid = null;
          }
          const heapOid = relid === null ? 0 : indexHeapOid(env, relid);
          if (heapOid !== 0) env.backend.engine.lockRelation(heapOid, LockMode.AccessExclusive);
        }
        lockByName(env, schemaname, relname, 'AccessExclusiveLock');
      }
      return;
    }
    case 'AlterTableStmt':
      // AlterTableGetLockLevel: most subcommands need AccessExclusiveLock; tabgres takes it for all.
      lockByName(env, stmt.relation.schemaname, stmt.relation.relname, 'AccessExclusiveLock');
      return;
    case 'RenameStmt':
      if (stmt.relation !== null) lockByName(env, stmt.relation.schemaname, stmt.relation.relname, 'AccessExclusiveLock');
      return;
    case 'TruncateStmt':
      for (const rv of stmt.relations) lockByName(env, rv.schemaname, rv.relname, 'AccessExclusiveLock');
      return;
    case 'ViewStmt':
      if (stmt.replace) lockByName(env, stmt.view.schemaname, stmt.view.relname, 'AccessExclusiveLock');
      return;
    default:
      return;
  }
}
