/*
 * guc_tables.ts — the table of configuration parameters (PostgreSQL's
 * guc_tables.c): each setting's name, type, unit, bounds, default and
 * description, as pg_settings shows them.
 *
 * Exports: GucDef, GucType, GucContext, GucUnit, GUC_DEFS.
 *
 * Names, types, units, bounds, contexts, categories and descriptions are
 * PostgreSQL 18's (checked against PGlite's pg_settings). Defaults are
 * PostgreSQL's boot values, except where tabgres's own configuration
 * differs and says so (shared_buffers follows Database.open's option; fsync
 * is on). Only settings that mean something here, or that monitoring tools
 * commonly read, are listed: an unknown name is 42704 as in PostgreSQL.
 *
 * Values are kept in pg_settings.setting form: integers in the base unit
 * ('4096' for work_mem = 4MB), reals as %g text, booleans 'on'/'off', enums
 * in their canonical lower case.
 */

export type GucType = 'bool' | 'integer' | 'real' | 'string' | 'enum';
export type GucContext = 'internal' | 'postmaster' | 'sighup' | 'superuser' | 'user';
/** Base units: memory (B, kB, 8kB, MB) and time (us, ms, s, min). */
export type GucUnit = 'B' | 'kB' | '8kB' | 'MB' | 'us' | 'ms' | 's' | 'min';

export interface GucDef {
  name: string;
  vartype: GucType;
  context: GucContext;
  category: string;
  short_desc: string;
  unit: GucUnit | null;
  /** The boot value in setting form. */
  boot: string;
  min?: number;
  max?: number;
  enumvals?: readonly string[];
  /** GUC_LIST_INPUT | GUC_LIST_QUOTE (search_path): SET takes a list; string items are quoted identifiers. */
  listQuote?: boolean;
}

const INT_MAX = 2147483647;
const DBL_MAX = 1.7976931348623157e308;
const PLANNER_METHOD = 'Query Tuning / Planner Method Configuration';
const PLANNER_COST = 'Query Tuning / Planner Cost Constants';
const STMT_BEHAVIOR = 'Client Connection Defaults / Statement Behavior';
const LOCALE = 'Client Connection Defaults / Locale and Formatting';
const PRESET = 'Preset Options';
const ISOLATION_LEVELS = ['serializable', 'repeatable read', 'read committed', 'read uncommitted'] as const;

function enableFlag(name: string, what: string, boot = 'on'): GucDef {
  return { name, vartype: 'bool', context: 'user', category: PLANNER_METHOD, short_desc: `Enables the planner's use of ${what}.`, unit: null, boot };
}

function cost(name: string, desc: string, boot: string): GucDef {
  return { name, vartype: 'real', context: 'user', category: PLANNER_COST, short_desc: desc, unit: null, boot, min: 0, max: DBL_MAX };
}

export const GUC_DEFS: readonly GucDef[] = [
  { name: 'application_name', vartype: 'string', context: 'user', category: 'Reporting and Logging / What to Log', short_desc: 'Sets the application name to be reported in statistics and logs.', unit: null, boot: '' },
  { name: 'block_size', vartype: 'integer', context: 'internal', category: PRESET, short_desc: 'Shows the size of a disk block.', unit: null, boot: '8192', min: 8192, max: 8192 },
  { name: 'bytea_output', vartype: 'enum', context: 'user', category: STMT_BEHAVIOR, short_desc: 'Sets the output format for bytea.', unit: null, boot: 'hex', enumvals: ['escape', 'hex'] },
  { name: 'checkpoint_timeout', vartype: 'integer', context: 'sighup', category: 'Write-Ahead Log / Checkpoints', short_desc: 'Sets the maximum time between automatic WAL checkpoints.', unit: 's', boot: '300', min: 30, max: 86400 },
  { name: 'client_encoding', vartype: 'string', context: 'user', category: LOCALE, short_desc: "Sets the client's character set encoding.", unit: null, boot: 'UTF8' },
  { name: 'client_min_messages', vartype: 'enum', context: 'user', category: STMT_BEHAVIOR, short_desc: 'Sets the message levels that are sent to the client.', unit: null, boot: 'notice', enumvals: ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error'] },
  cost('cpu_index_tuple_cost', "Sets the planner's estimate of the cost of processing each index entry during an index scan.", '0.005'),
  cost('cpu_operator_cost', "Sets the planner's estimate of the cost of processing each operator or function call.", '0.0025'),
  cost('cpu_tuple_cost', "Sets the planner's estimate of the cost of processing each tuple (row).", '0.01'),
  { name: 'data_checksums', vartype: 'bool', context: 'internal', category: PRESET, short_desc: 'Shows whether data checksums are turned on for this cluster.', unit: null, boot: 'on' },
  { name: 'DateStyle', vartype: 'string', context: 'user', category: LOCALE, short_desc: 'Sets the display format for date and time values.', unit: null, boot: 'ISO, MDY' },
  { name: 'deadlock_timeout', vartype: 'integer', context: 'superuser', category: 'Lock Management', short_desc: 'Sets the time to wait on a lock before checking for deadlock.', unit: 'ms', boot: '1000', min: 1, max: INT_MAX },
  { name: 'default_statistics_target', vartype: 'integer', context: 'user', category: 'Query Tuning / Other Planner Options', short_desc: 'Sets the default statistics target.', unit: null, boot: '100', min: 1, max: 10000 },
  { name: 'default_transaction_isolation', vartype: 'enum', context: 'user', category: STMT_BEHAVIOR, short_desc: 'Sets the transaction isolation level of each new transaction.', unit: null, boot: 'read committed', enumvals: ISOLATION_LEVELS },
  { name: 'default_transaction_read_only', vartype: 'bool', context: 'user', category: STMT_BEHAVIOR, short_desc: 'Sets the default read-only status of new transactions.', unit: null, boot: 'off' },
  { name: 'effective_cache_size', vartype: 'integer', context: 'user', category: PLANNER_COST, short_desc: "Sets the planner's assumption about the total size of the data caches.", unit: '8kB', boot: '524288', min: 1, max: INT_MAX },
  enableFlag('enable_bitmapscan', 'bitmap-scan plans'),
  enableFlag('enable_hashagg', 'hashed aggregation plans'),
  enableFlag('enable_hashjoin', 'hash join plans'),
  enableFlag('enable_indexonlyscan', 'index-only-scan plans'),
  enableFlag('enable_indexscan', 'index-scan plans'),
  enableFlag('enable_material', 'materialization'),
  enableFlag('enable_mergejoin', 'merge join plans'),
  enableFlag('enable_nestloop', 'nested-loop join plans'),
  enableFlag('enable_seqscan', 'sequential-scan plans'),
  enableFlag('enable_sort', 'explicit sort steps'),
  { name: 'extra_float_digits', vartype: 'integer', context: 'user', category: LOCALE, short_desc: 'Sets the number of digits displayed for floating-point values.', unit: null, boot: '1', min: -15, max: 3 },
  { name: 'from_collapse_limit', vartype: 'integer', context: 'user', category: 'Query Tuning / Other Planner Options', short_desc: 'Sets the FROM-list size beyond which subqueries are not collapsed.', unit: null, boot: '8', min: 1, max: INT_MAX },
  { name: 'fsync', vartype: 'bool', context: 'sighup', category: 'Write-Ahead Log / Settings', short_desc: 'Forces synchronization of updates to disk.', unit: null, boot: 'on' },
  { name: 'hash_mem_multiplier', vartype: 'real', context: 'user', category: 'Resource Usage / Memory', short_desc: 'Multiple of "work_mem" to use for hash tables.', unit: null, boot: '2', min: 1, max: 1000 },
  { name: 'idle_in_transaction_session_timeout', vartype: 'integer', context: 'user', category: STMT_BEHAVIOR, short_desc: 'Sets the maximum allowed idle time between queries, when in a transaction.', unit: 'ms', boot: '0', min: 0, max: INT_MAX },
  { name: 'integer_datetimes', vartype: 'bool', context: 'internal', category: PRESET, short_desc: 'Shows whether datetimes are integer based.', unit: null, boot: 'on' },
  { name: 'IntervalStyle', vartype: 'enum', context: 'user', category: LOCALE, short_desc: 'Sets the display format for interval values.', unit: null, boot: 'postgres', enumvals: ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601'] },
  { name: 'join_collapse_limit', vartype: 'integer', context: 'user', category: 'Query Tuning / Other Planner Options', short_desc: 'Sets the FROM-list size beyond which JOIN constructs are not flattened.', unit: null, boot: '8', min: 1, max: INT_MAX },
  { name: 'lock_timeout', vartype: 'integer', context: 'user', category: STMT_BEHAVIOR, short_desc: 'Sets the maximum allowed duration of any wait for a lock.', unit: 'ms', boot: '0', min: 0, max: INT_MAX },
  { name: 'maintenance_work_mem', vartype: 'integer', context: 'user', category: 'Resource Usage / Memory', short_desc: 'Sets the maximum memory to be used for maintenance operations.', unit: 'kB', boot: '65536', min: 64, max: 2097151 },
  { name: 'max_connections', vartype: 'integer', context: 'postmaster', category: 'Connections and Authentication / Connection Settings', short_desc: 'Sets the maximum number of concurrent connections.', unit: null, boot: '100', min: 1, max: 262143 },
  { name: 'max_locks_per_transaction', vartype: 'integer', context: 'postmaster', category: 'Lock Management', short_desc: 'Sets the maximum number of locks per transaction.', unit: null, boot: '64', min: 10, max: INT_MAX },
  { name: 'max_wal_size', vartype: 'integer', context: 'sighup', category: 'Write-Ahead Log / Checkpoints', short_desc: 'Sets the WAL size that triggers a checkpoint.', unit: 'MB', boot: '1024', min: 2, max: 2097151 },
  cost('random_page_cost', "Sets the planner's estimate of the cost of a nonsequentially fetched disk page.", '4'),
  { name: 'search_path', vartype: 'string', context: 'user', category: STMT_BEHAVIOR, short_desc: 'Sets the schema search order for names that are not schema-qualified.', unit: null, boot: '"$user", public', listQuote: true },
  cost('seq_page_cost', "Sets the planner's estimate of the cost of a sequentially fetched disk page.", '1'),
  { name: 'server_encoding', vartype: 'string', context: 'internal', category: PRESET, short_desc: 'Shows the server (database) character set encoding.', unit: null, boot: 'UTF8' },
  { name: 'server_version', vartype: 'string', context: 'internal', category: PRESET, short_desc: 'Shows the server version.', unit: null, boot: '18.6' },
  { name: 'server_version_num', vartype: 'integer', context: 'internal', category: PRESET, short_desc: 'Shows the server version as an integer.', unit: null, boot: '180006', min: 180006, max: 180006 },
  { name: 'shared_buffers', vartype: 'integer', context: 'postmaster', category: 'Resource Usage / Memory', short_desc: 'Sets the number of shared memory buffers used by the server.', unit: '8kB', boot: '16384', min: 16, max: 1073741823 },
  { name: 'standard_conforming_strings', vartype: 'bool', context: 'user', category: 'Version and Platform Compatibility / Previous PostgreSQL Versions', short_desc: "Causes '...' strings to treat backslashes literally.", unit: null, boot: 'on' },
  { name: 'statement_timeout', vartype: 'integer', context: 'user', category: STMT_BEHAVIOR, short_desc: 'Sets the maximum allowed duration of any statement.', unit: 'ms', boot: '0', min: 0, max: INT_MAX },
  { name: 'synchronous_commit', vartype: 'enum', context: 'user', category: 'Write-Ahead Log / Settings', short_desc: "Sets the current transaction's synchronization level.", unit: null, boot: 'on', enumvals: ['local', 'remote_write', 'remote_apply', 'on', 'off'] },
  { name: 'TimeZone', vartype: 'string', context: 'user', category: LOCALE, short_desc: 'Sets the time zone for displaying and interpreting time stamps.', unit: null, boot: 'UTC' },
  { name: 'transaction_deferrable', vartype: 'bool', context: 'user', category: STMT_BEHAVIOR, short_desc: 'Whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures.', unit: null, boot: 'off' },
  { name: 'transaction_isolation', vartype: 'enum', context: 'user', category: STMT_BEHAVIOR, short_desc: "Sets the current transaction's isolation level.", unit: null, boot: 'read committed', enumvals: ISOLATION_LEVELS },
  { name: 'transaction_read_only', vartype: 'bool', context: 'user', category: STMT_BEHAVIOR, short_desc: "Sets the current transaction's read-only status.", unit: null, boot: 'off' },
  { name: 'wal_buffers', vartype: 'integer', context: 'postmaster', category: 'Write-Ahead Log / Settings', short_desc: 'Sets the number of disk-page buffers in shared memory for WAL.', unit: '8kB', boot: '512', min: -1, max: 262143 },
  { name: 'wal_segment_size', vartype: 'integer', context: 'internal', category: PRESET, short_desc: 'Shows the size of write ahead log segments.', unit: 'B', boot: '16777216', min: 1048576, max: 1073741824 },
  { name: 'work_mem', vartype: 'integer', context: 'user', category: 'Resource Usage / Memory', short_desc: 'Sets the maximum memory to be used for query workspaces.', unit: 'kB', boot: '4096', min: 64, max: 2097151 },
];
