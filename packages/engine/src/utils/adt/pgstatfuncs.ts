/*
 * pgstatfuncs.ts — the SQL functions behind the monitoring views
 * (PostgreSQL's pgstatfuncs.c, guc_funcs.c's pg_show_all_settings, and the
 * few ruleutils.c / misc.c functions the system views call), registered
 * with fmgrtab's registerBuiltin at module load (before initdb writes
 * pg_proc), with PostgreSQL's OIDs, names and signatures.
 *
 * Exports: nothing but the registrations; import this module for its effect
 * (database.ts does, before Catalog.bootstrap).
 *
 * Every function reads the backend through the session's
 * FunctionCallContext (tcop/session.ts): pg_stat_database's counters are
 * the shared cumulative ones every backend flushes into at transaction end
 * (utils/activity/pgstat_database.ts), numbackends the proc array;
 * pg_stat_all_tables' row counters (n_tup_*, n_live_tup, n_dead_tup) are
 * shared too (utils/activity/pgstat_relation.ts), its scan and vacuum
 * counters this backend's own (tcop/pgstat.ts TableStats), the settings its Guc. Shared-catalog
 * activity (datid 0) is always zero since there are no shared catalogs.
 */

import { registerBuiltin } from '../fmgr/fmgrtab.ts';
import type { FunctionCallContext, FunctionInfo } from '../fmgr/fmgrtypes.ts';
import { RecordValue } from './rowtypes.ts';
import { ArrayValue } from './array.ts';
import { PgError, SQLSTATE } from '../errors.ts';
import { SessionFunctionContext } from '../../tcop/session.ts';
import { decodeNodeTree } from '../../catalog/nodetree.ts';
import type { TableStats } from '../../tcop/pgstat.ts';
import { readDatabaseStats, type DbCounter } from '../activity/pgstat_database.ts';
import { readRelationStats, type RelCounter } from '../activity/pgstat_relation.ts';
import { readBackendStatuses } from '../../storage/ipc/backend_status.ts';

const OIDOID = 26;
const TEXTOID = 25;
const NAMEOID = 19;
const INT4OID = 23;
const INT8OID = 20;
const BOOLOID = 16;
const TIMESTAMPTZOID = 1184;
const TEXTARRAYOID = 1009;
const PGNODETREEOID = 194;

/** The database every relation lives in (engine.ts STORAGE_DB_OID; PostgreSQL's "postgres" is 5). */
export const DATABASE_OID = 5;
export const DATABASE_NAME = 'postgres';
/** The bootstrap superuser, PostgreSQL's OID 10. */
const SUPERUSER_OID = 10;
const SUPERUSER_NAME = 'postgres';

function session(ctx: FunctionCallContext): SessionFunctionContext {
  if (!(ctx instanceof SessionFunctionContext) || ctx.backend === null) {
    throw new PgError(SQLSTATE.feature_not_supported, 'this function needs a database session');
  }
  return ctx;
}

function fn(oid: number, proname: string, argtypes: number[], rettype: number, impl: FunctionInfo['impl'], extra: Partial<FunctionInfo> = {}): void {
  registerBuiltin({
    oid, proname, prokind: 'f', proargtypes: argtypes, prorettype: rettype, provariadic: 0, proretset: false,
    proisstrict: true, provolatile: 's', pronargdefaults: 0, impl, ...extra,
  });
}

// ---------------------------------------------------------------- settings

const SETTINGS_COLUMNS: [string, number][] = [
  ['name', TEXTOID], ['setting', TEXTOID], ['unit', TEXTOID], ['category', TEXTOID], ['short_desc', TEXTOID],
  ['extra_desc', TEXTOID], ['context', TEXTOID], ['vartype', TEXTOID], ['source', TEXTOID], ['min_val', TEXTOID],
  ['max_val', TEXTOID], ['enumvals', TEXTARRAYOID], ['boot_val', TEXTOID], ['reset_val', TEXTOID], ['sourcefile', TEXTOID],
  ['sourceline', INT4OID], ['pending_restart', BOOLOID],
];

registerBuiltin({
  oid: 2084, proname: 'pg_show_all_settings', prokind: 'f', proargtypes: [], prorettype: 2249, provariadic: 0,
  proretset: true, proisstrict: true, provolatile: 's', pronargdefaults: 0,
  proargnames: SETTINGS_COLUMNS.map(([n]) => n),
  proallargtypes: SETTINGS_COLUMNS.map(([, t]) => t),
  proargmodes: SETTINGS_COLUMNS.map(() => 'o'),
  implSet: (_args, ctx) => {
    const types = SETTINGS_COLUMNS.map(([, t]) => t);
    return session(ctx).backend?.guc.pgSettingsRows().map((r) => new RecordValue([
      r.name, r.setting, r.unit, r.category, r.short_desc, r.extra_desc, r.context, r.vartype, r.source, r.min_val,
      r.max_val, r.enumvals === null ? null : new ArrayValue(TEXTOID, [r.enumvals.length], [1], r.enumvals), r.boot_val,
      r.reset_val, r.sourcefile, r.sourceline, r.pending_restart,
    ], types)) ?? [];
  },
});

// ---------------------------------------------------------------- names

fn(861, 'current_database', [], NAMEOID, () => DATABASE_NAME);
fn(1402, 'current_schema', [], NAMEOID, (_a, ctx) => {
  const b = session(ctx).backend;
  if (b === null) return null;
  for (const nsp of b.catalog.searchPath()) {
    const name = b.catalog.namespaceName(nsp);
    if (name !== null && name !== 'pg_catalog') return name;
  }
  return null;
}, { proisstrict: false });
fn(1642, 'pg_get_userbyid', [OIDOID], NAMEOID, (a) => (a[0] === SUPERUSER_OID ? SUPERUSER_NAME : `unknown (OID=${String(a[0])})`));
fn(2079, 'pg_table_is_visible', [OIDOID], BOOLOID, (a, ctx) => {
  const b = session(ctx).backend;
  return b === null ? false : b.catalog.relationIsVisible(a[0] as number);
});

/** pg_get_expr: the stored source text of a default or constraint (catalog/nodetree.ts keeps it beside the tree). */
fn(1716, 'pg_get_expr', [PGNODETREEOID, OIDOID], TEXTOID, (a) => decodeNodeTree(String(a[0])).src);

// pg_get_indexdef lives in ruleutils.ts with the other deparsing functions.

// ---------------------------------------------------------------- pg_stat_database

function dbCounter(oid: number, proname: string, pick: (c: Record<DbCounter, bigint>) => bigint): void {
  fn(oid, proname, [OIDOID], INT8OID, (a, ctx) => {
    const b = session(ctx).backend;
    if (b === null) return 0n;
    const c = readDatabaseStats(b.engine.shmem, a[0] as number);
    return c === null ? 0n : pick(c);
  });
}

// The shared cumulative counters every backend flushes into (utils/activity/pgstat_database.ts).
dbCounter(1942, 'pg_stat_get_db_xact_commit', (c) => c.xact_commit);
dbCounter(1943, 'pg_stat_get_db_xact_rollback', (c) => c.xact_rollback);
dbCounter(1944, 'pg_stat_get_db_blocks_fetched', (c) => c.blks_hit + c.blks_read);
dbCounter(1945, 'pg_stat_get_db_blocks_hit', (c) => c.blks_hit);
dbCounter(2758, 'pg_stat_get_db_tuples_returned', (c) => c.tup_returned);
dbCounter(2759, 'pg_stat_get_db_tuples_fetched', (c) => c.tup_fetched);
dbCounter(2760, 'pg_stat_get_db_tuples_inserted', (c) => c.tup_inserted);
dbCounter(2761, 'pg_stat_get_db_tuples_updated', (c) => c.tup_updated);
dbCounter(2762, 'pg_stat_get_db_tuples_deleted', (c) => c.tup_deleted);
dbCounter(3152, 'pg_stat_get_db_deadlocks', (c) => c.deadlocks);
dbCounter(6188, 'pg_stat_get_db_sessions', (c) => c.sessions);
/** Client backends connected to the database: proc-array entries whose backend status says 'client backend'. */
fn(1941, 'pg_stat_get_db_numbackends', [OIDOID], INT4OID, (a, ctx) => {
  const b = session(ctx).backend;
  if (b === null) return 0;
  const clients = new Set(readBackendStatuses(b.engine.shmem).filter((st) => st.backendType === 'client backend').map((st) => st.procno));
  return b.engine.transam.procArray.describe().filter((p) => p.databaseOid === a[0] && clients.has(p.procno)).length;
});

// ---------------------------------------------------------------- pg_stat_all_tables

function tableCounter(oid: number, proname: string, pick: (t: TableStats) => number): void {
  fn(oid, proname, [OIDOID], INT8OID, (a, ctx) => {
    const b = session(ctx).backend;
    const t = b?.tableStats.get(a[0] as number);
    return t === undefined ? 0n : BigInt(Math.max(0, Math.round(pick(t))));
  });
}

function tableTime(oid: number, proname: string, pick: (t: TableStats) => bigint | null): void {
  fn(oid, proname, [OIDOID], TIMESTAMPTZOID, (a, ctx) => {
    const t = session(ctx).backend?.tableStats.get(a[0] as number);
    return t === undefined ? null : pick(t);
  });
}

tableCounter(1928, 'pg_stat_get_numscans', (t) => t.seqScan);
/** Index scans of a table (PostgreSQL sums pg_stat_get_numscans over the indexes; kept per table here). */
tableCounter(9900, 'tabgres_stat_get_idx_scans', (t) => t.idxScan);
tableTime(9901, 'tabgres_stat_get_last_idx_scan', (t) => t.lastIdxScan);
/** The shared row counters (utils/activity/pgstat_relation.ts): NULL for a table the full shared hash refused. */
function sharedTableCounter(oid: number, proname: string, counter: RelCounter): void {
  fn(oid, proname, [OIDOID], INT8OID, (a, ctx) => {
    const b = session(ctx).backend;
    if (b === null) return 0n;
    const c = readRelationStats(b.engine.shmem, a[0] as number);
    return c === null ? null : BigInt(c[counter]);
  });
}

sharedTableCounter(1931, 'pg_stat_get_tuples_inserted', 'n_tup_ins');
sharedTableCounter(1932, 'pg_stat_get_tuples_updated', 'n_tup_upd');
sharedTableCounter(1933, 'pg_stat_get_tuples_deleted', 'n_tup_del');
sharedTableCounter(2878, 'pg_stat_get_live_tuples', 'n_live_tup');
sharedTableCounter(2879, 'pg_stat_get_dead_tuples', 'n_dead_tup');
tableCounter(3054, 'pg_stat_get_vacuum_count', (t) => t.vacuumCount);
tableCounter(3056, 'pg_stat_get_analyze_count', (t) => t.analyzeCount);
tableCounter(3177, 'pg_stat_get_mod_since_analyze', (t) => t.modSinceAnalyze);
tableCounter(5053, 'pg_stat_get_ins_since_vacuum', (t) => t.insSinceVacuum);
tableTime(2781, 'pg_stat_get_last_vacuum_time', (t) => t.lastVacuum);
tableTime(2783, 'pg_stat_get_last_analyze_time', (t) => t.lastAnalyze);
tableTime(6310, 'pg_stat_get_lastscan', (t) => t.lastSeqScan);
