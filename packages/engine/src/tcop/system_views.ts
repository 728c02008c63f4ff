/*
 * system_views.ts — the system views created at initdb (PostgreSQL's
 * catalog/system_views.sql and information_schema.sql, the parts monitoring
 * tools read), as SQL run once through the backend's own pipeline.
 *
 * Exports: createSystemViews(backend), SYSTEM_VIEWS_SQL.
 *
 * Column names and types are PostgreSQL 18's. information_schema's domains
 * (sql_identifier, cardinal_number, character_data, yes_or_no) appear as
 * their base types (name, integer, character varying), which is also what
 * PostgreSQL sends to clients. Columns for things tabgres does not track
 * are NULL (tablespaces other than the default, rows read by scans,
 * autovacuum, I/O timing); utils/adt/pgstatfuncs.ts has the functions.
 */

import '../utils/adt/pgstatfuncs.ts';
import '../utils/adt/ruleutils.ts';
import type { PostgresBackend } from './postgres.ts';

export const SYSTEM_VIEWS_SQL = `
CREATE VIEW pg_catalog.pg_settings AS
  SELECT name, setting, unit, category, short_desc, extra_desc, context, vartype, source, min_val, max_val,
         enumvals, boot_val, reset_val, sourcefile, sourceline, pending_restart
    FROM pg_catalog.pg_show_all_settings() a;

CREATE VIEW pg_catalog.pg_tables AS
  SELECT n.nspname AS schemaname, c.relname AS tablename, pg_catalog.pg_get_userbyid(c.relowner) AS tableowner,
         NULL::name AS tablespace, c.relhasindex AS hasindexes, c.relhasrules AS hasrules,
         c.relhastriggers AS hastriggers, c.relrowsecurity AS rowsecurity
    FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p');

CREATE VIEW pg_catalog.pg_views AS
  SELECT n.nspname AS schemaname, c.relname AS viewname, pg_catalog.pg_get_userbyid(c.relowner) AS viewowner
    FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'v';

CREATE VIEW pg_catalog.pg_indexes AS
  SELECT n.nspname AS schemaname, c.relname AS tablename, i.relname AS indexname, NULL::name AS tablespace,
         pg_catalog.pg_get_indexdef(i.oid) AS indexdef
    FROM pg_catalog.pg_index x
    JOIN pg_catalog.pg_class c ON c.oid = x.indrelid
    JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
    LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'm', 'p') AND i.relkind IN ('i', 'I');

CREATE VIEW pg_catalog.pg_stat_database AS
  SELECT d.oid AS datid, d.datname,
         CASE WHEN d.oid = 0 THEN 0 ELSE pg_catalog.pg_stat_get_db_numbackends(d.oid) END AS numbackends,
         pg_catalog.pg_stat_get_db_xact_commit(d.oid) AS xact_commit,
         pg_catalog.pg_stat_get_db_xact_rollback(d.oid) AS xact_rollback,
         pg_catalog.pg_stat_get_db_blocks_fetched(d.oid) - pg_catalog.pg_stat_get_db_blocks_hit(d.oid) AS blks_read,
         pg_catalog.pg_stat_get_db_blocks_hit(d.oid) AS blks_hit,
         pg_catalog.pg_stat_get_db_tuples_returned(d.oid) AS tup_returned,
         pg_catalog.pg_stat_get_db_tuples_fetched(d.oid) AS tup_fetched,
         pg_catalog.pg_stat_get_db_tuples_inserted(d.oid) AS tup_inserted,
         pg_catalog.pg_stat_get_db_tuples_updated(d.oid) AS tup_updated,
         pg_catalog.pg_stat_get_db_tuples_deleted(d.oid) AS tup_deleted,
         0::bigint AS conflicts, 0::bigint AS temp_files, 0::bigint AS temp_bytes,
         pg_catalog.pg_stat_get_db_deadlocks(d.oid) AS deadlocks,
         NULL::bigint AS checksum_failures, NULL::timestamptz AS checksum_last_failure,
         0::float8 AS blk_read_time, 0::float8 AS blk_write_time,
         NULL::float8 AS session_time, NULL::float8 AS active_time, NULL::float8 AS idle_in_transaction_time,
         pg_catalog.pg_stat_get_db_sessions(d.oid) AS sessions, NULL::bigint AS sessions_abandoned, NULL::bigint AS sessions_fatal,
         NULL::bigint AS sessions_killed, 0::bigint AS parallel_workers_to_launch, 0::bigint AS parallel_workers_launched,
         NULL::timestamptz AS stats_reset
    FROM (SELECT 0::oid AS oid, NULL::name AS datname
          UNION ALL
          SELECT 5::oid, 'postgres'::name) d;

CREATE VIEW pg_catalog.pg_locks AS
  SELECT locktype, database, relation, page, tuple, virtualxid, transactionid, classid, objid, objsubid,
         virtualtransaction, pid, mode, granted, fastpath, waitstart
    FROM pg_catalog.pg_lock_status() l;

CREATE VIEW pg_catalog.pg_stat_activity AS
  SELECT s.datid, (CASE WHEN s.datid = 5 THEN 'postgres' END)::name AS datname, s.pid, s.leader_pid, s.usesysid,
         pg_catalog.pg_get_userbyid(s.usesysid) AS usename, s.application_name, s.client_addr, s.client_hostname,
         s.client_port, s.backend_start, s.xact_start, s.query_start, s.state_change, s.wait_event_type,
         s.wait_event, s.state, s.backend_xid, s.backend_xmin, s.query_id, s.query, s.backend_type
    FROM pg_catalog.pg_stat_get_activity(NULL::integer) s;

CREATE VIEW pg_catalog.pg_stat_all_tables AS
  SELECT c.oid AS relid, n.nspname AS schemaname, c.relname,
         pg_catalog.pg_stat_get_numscans(c.oid) AS seq_scan,
         pg_catalog.pg_stat_get_lastscan(c.oid) AS last_seq_scan,
         NULL::bigint AS seq_tup_read,
         CASE WHEN c.relhasindex THEN pg_catalog.tabgres_stat_get_idx_scans(c.oid) END AS idx_scan,
         CASE WHEN c.relhasindex THEN pg_catalog.tabgres_stat_get_last_idx_scan(c.oid) END AS last_idx_scan,
         NULL::bigint AS idx_tup_fetch,
         pg_catalog.pg_stat_get_tuples_inserted(c.oid) AS n_tup_ins,
         pg_catalog.pg_stat_get_tuples_updated(c.oid) AS n_tup_upd,
         pg_catalog.pg_stat_get_tuples_deleted(c.oid) AS n_tup_del,
         NULL::bigint AS n_tup_hot_upd, NULL::bigint AS n_tup_newpage_upd,
         pg_catalog.pg_stat_get_live_tuples(c.oid) AS n_live_tup,
         pg_catalog.pg_stat_get_dead_tuples(c.oid) AS n_dead_tup,
         pg_catalog.pg_stat_get_mod_since_analyze(c.oid) AS n_mod_since_analyze,
         pg_catalog.pg_stat_get_ins_since_vacuum(c.oid) AS n_ins_since_vacuum,
         pg_catalog.pg_stat_get_last_vacuum_time(c.oid) AS last_vacuum,
         NULL::timestamptz AS last_autovacuum,
         pg_catalog.pg_stat_get_last_analyze_time(c.oid) AS last_analyze,
         NULL::timestamptz AS last_autoanalyze,
         pg_catalog.pg_stat_get_vacuum_count(c.oid) AS vacuum_count,
         0::bigint AS autovacuum_count,
         pg_catalog.pg_stat_get_analyze_count(c.oid) AS analyze_count,
         0::bigint AS autoanalyze_count,
         NULL::float8 AS total_vacuum_time, NULL::float8 AS total_autovacuum_time,
         NULL::float8 AS total_analyze_time, NULL::float8 AS total_autoanalyze_time
    FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 't', 'm', 'p');

CREATE VIEW pg_catalog.pg_stat_user_tables AS
  SELECT * FROM pg_catalog.pg_stat_all_tables
   WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname !~ '^pg_toast';

CREATE VIEW information_schema.tables AS
  SELECT 'postgres'::name AS table_catalog, nc.nspname AS table_schema, c.relname AS table_name,
         (CASE WHEN c.relkind IN ('r', 'p') THEN 'BASE TABLE' WHEN c.relkind = 'v' THEN 'VIEW'
               WHEN c.relkind = 'f' THEN 'FOREIGN' END)::varchar AS table_type,
         NULL::name AS self_referencing_column_name, NULL::varchar AS reference_generation,
         NULL::name AS user_defined_type_catalog, NULL::name AS user_defined_type_schema,
         NULL::name AS user_defined_type_name,
         (CASE WHEN c.relkind IN ('r', 'p') THEN 'YES' ELSE 'NO' END)::varchar(3) AS is_insertable_into,
         'NO'::varchar(3) AS is_typed, NULL::varchar AS commit_action
    FROM pg_catalog.pg_namespace nc JOIN pg_catalog.pg_class c ON nc.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'v', 'f', 'p');

CREATE VIEW information_schema.columns AS
  SELECT 'postgres'::name AS table_catalog, nc.nspname AS table_schema, c.relname AS table_name,
         a.attname AS column_name, a.attnum::int AS ordinal_position,
         (CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END)::varchar AS column_default,
         (CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END)::varchar(3) AS is_nullable,
         (CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN 'ARRAY' ELSE pg_catalog.format_type(a.atttypid, NULL) END)::varchar AS data_type,
         (CASE WHEN a.atttypid IN (1042, 1043) AND a.atttypmod > 0 THEN a.atttypmod - 4 END)::int AS character_maximum_length,
         (CASE WHEN a.atttypid IN (25, 1042, 1043) THEN
               CASE WHEN a.atttypmod > 0 THEN (a.atttypmod - 4) * 4 ELSE 1073741824 END END)::int AS character_octet_length,
         (CASE a.atttypid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 WHEN 700 THEN 24 WHEN 701 THEN 53
               WHEN 1700 THEN CASE WHEN a.atttypmod = -1 THEN NULL ELSE ((a.atttypmod - 4) >> 16) & 65535 END END)::int AS numeric_precision,
         (CASE WHEN a.atttypid IN (21, 23, 20, 700, 701) THEN 2 WHEN a.atttypid = 1700 THEN 10 END)::int AS numeric_precision_radix,
         (CASE WHEN a.atttypid IN (21, 23, 20) THEN 0
               WHEN a.atttypid = 1700 THEN CASE WHEN a.atttypmod = -1 THEN NULL ELSE (a.atttypmod - 4) & 65535 END END)::int AS numeric_scale,
         (CASE WHEN a.atttypid = 1082 THEN 0
               WHEN a.atttypid IN (1083, 1266, 1114, 1184, 1186) THEN CASE WHEN a.atttypmod < 0 THEN 6 ELSE a.atttypmod END END)::int AS datetime_precision,
         NULL::varchar AS interval_type, NULL::int AS interval_precision,
         NULL::name AS character_set_catalog, NULL::name AS character_set_schema, NULL::name AS character_set_name,
         NULL::name AS collation_catalog, NULL::name AS collation_schema, NULL::name AS collation_name,
         NULL::name AS domain_catalog, NULL::name AS domain_schema, NULL::name AS domain_name,
         'postgres'::name AS udt_catalog, 'pg_catalog'::name AS udt_schema, t.typname AS udt_name,
         NULL::name AS scope_catalog, NULL::name AS scope_schema, NULL::name AS scope_name,
         NULL::int AS maximum_cardinality, a.attnum::text::name AS dtd_identifier,
         'NO'::varchar(3) AS is_self_referencing,
         (CASE WHEN a.attidentity IN ('a', 'd') THEN 'YES' ELSE 'NO' END)::varchar(3) AS is_identity,
         (CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END)::varchar AS identity_generation,
         NULL::varchar AS identity_start, NULL::varchar AS identity_increment, NULL::varchar AS identity_maximum,
         NULL::varchar AS identity_minimum, 'NO'::varchar(3) AS identity_cycle,
         (CASE WHEN a.attgenerated <> '' THEN 'ALWAYS' ELSE 'NEVER' END)::varchar AS is_generated,
         (CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END)::varchar AS generation_expression,
         (CASE WHEN c.relkind IN ('r', 'p') THEN 'YES' ELSE 'NO' END)::varchar(3) AS is_updatable
    FROM pg_catalog.pg_attribute a
    LEFT JOIN pg_catalog.pg_attrdef ad ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
    JOIN pg_catalog.pg_class c ON a.attrelid = c.oid
    JOIN pg_catalog.pg_namespace nc ON c.relnamespace = nc.oid
    JOIN pg_catalog.pg_type t ON a.atttypid = t.oid
   WHERE NOT a.attisdropped AND a.attnum > 0 AND c.relkind IN ('r', 'v', 'f', 'p');
`;

/**
 * Runs SYSTEM_VIEWS_SQL at initdb. A view whose SQL the pipeline cannot
 * run yet is skipped and reported through `onSkip`, so a database still
 * opens while a feature it needs is missing.
 */
export function createSystemViews(backend: PostgresBackend, onSkip: (sql: string, err: Error) => void = () => {}): void {
  // One implicit transaction for all of them (one commit); view by view only if one fails.
  if (backend.execSimpleQuery(SYSTEM_VIEWS_SQL).error === null) return;
  for (const stmt of SYSTEM_VIEWS_SQL.split(/;\s*\n/).map((s) => s.trim()).filter((s) => s !== '')) {
    const out = backend.execSimpleQuery(stmt);
    if (out.error !== null) onSkip(stmt, out.error);
  }
}
