/*
 * errors.ts — PgError and the SQLSTATE codes the engine raises.
 *
 * Every error a user can see is a PgError carrying PostgreSQL's five-character
 * SQLSTATE in `code` and a message worded as PostgreSQL words it, so client
 * code written for node-postgres or PGlite can branch on `err.code` the same
 * way. `severity` follows PostgreSQL's levels: ERROR aborts the current
 * transaction, FATAL ends the session, PANIC means shared state may be
 * corrupt and the whole instance must restart through crash recovery.
 */

export const SQLSTATE = {
  successful_completion: '00000',
  feature_not_supported: '0A000',
  invalid_transaction_state: '25000',
  active_sql_transaction: '25001',
  no_active_sql_transaction: '25P01',
  in_failed_sql_transaction: '25P02',
  read_only_sql_transaction: '25006',
  invalid_savepoint_specification: '3B001',
  numeric_value_out_of_range: '22003',
  division_by_zero: '22012',
  invalid_text_representation: '22P02',
  invalid_datetime_format: '22007',
  datetime_field_overflow: '22008',
  string_data_right_truncation: '22001',
  invalid_parameter_value: '22023',
  invalid_binary_representation: '22P03',
  character_not_in_repertoire: '22021',
  untranslatable_character: '22P05',
  program_limit_exceeded: '54000',
  too_many_columns: '54011',
  not_null_violation: '23502',
  unique_violation: '23505',
  serialization_failure: '40001',
  deadlock_detected: '40P01',
  undefined_table: '42P01',
  undefined_object: '42704',
  duplicate_table: '42P07',
  disk_full: '53100',
  out_of_memory: '53200',
  query_canceled: '57014',
  admin_shutdown: '57P01',
  crash_shutdown: '57P02',
  cannot_connect_now: '57P03',
  io_error: '58030',
  undefined_file: '58P01',
  internal_error: 'XX000',
  data_corrupted: 'XX001',
  index_corrupted: 'XX002',
  object_not_in_prerequisite_state: '55000',
  lock_not_available: '55P03',
  configuration_limit_exceeded: '53400',
  too_many_connections: '53300',
} as const;

export type SqlState = (typeof SQLSTATE)[keyof typeof SQLSTATE];

export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE';

export interface PgErrorFields {
  detail?: string;
  hint?: string;
  /** 1-based character position in the query text, as PostgreSQL reports it. */
  position?: number;
  severity?: Severity;
  /** Extra context lines (PostgreSQL's CONTEXT). */
  where?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

export class PgError extends Error {
  readonly code: string;
  readonly severity: Severity;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly position: number | undefined;
  readonly where: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;
  readonly constraint: string | undefined;

  constructor(code: string, message: string, fields: PgErrorFields = {}) {
    super(message);
    this.name = 'PgError';
    this.code = code;
    this.severity = fields.severity ?? 'ERROR';
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.where = fields.where;
    this.table = fields.table;
    this.column = fields.column;
    this.constraint = fields.constraint;
  }
}

export function isPgError(e: unknown): e is PgError {
  return e instanceof PgError;
}

/** ereport(ERROR, ...) in one call: throws a PgError. */
export function ereport(code: string, message: string, fields?: PgErrorFields): never {
  throw new PgError(code, message, fields);
}

/**
 * elog(ERROR, ...) for conditions that "cannot happen": an internal error
 * (XX000) whose message is for developers, as PostgreSQL's elog is.
 */
export function elog(message: string): never {
  throw new PgError(SQLSTATE.internal_error, message);
}

/** PANIC: shared state is not trustworthy; the instance must restart through recovery. */
export function panic(message: string, fields: PgErrorFields = {}): never {
  throw new PgError(SQLSTATE.internal_error, message, { ...fields, severity: 'PANIC' });
}

/** Assert(): an invariant the code relies on. Cheap enough to keep on in production. */
export function Assert(condition: unknown, what = 'assertion failed'): asserts condition {
  if (!condition) throw new PgError(SQLSTATE.internal_error, `TRAP: ${what}`);
}

export function featureNotSupported(what: string): never {
  throw new PgError(SQLSTATE.feature_not_supported, `${what} is not supported`);
}
