/*
 * dest.ts — what a statement sends back to its client (PostgreSQL's
 * dest.h / the protocol messages RowDescription, DataRow, CommandComplete,
 * NoticeResponse), as plain data.
 *
 * Exports: FieldDescription, Notice, StatementResult, SimpleQueryOutcome,
 *          commandTagFor(stmt), BackendStats.
 */

import type { Stmt } from '../parser/nodes.ts';
import type { PgError } from '../utils/errors.ts';

/** One result column (RowDescription): name, type OID and typmod. */
export interface FieldDescription {
  name: string;
  typeOid: number;
  typmod: number;
}

/** A NOTICE, WARNING or INFO the statement raised (NoticeResponse). */
export interface Notice {
  severity: 'NOTICE' | 'WARNING' | 'INFO';
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

/**
 * The outcome of one statement. rows hold Datums (utils/adt forms); fields
 * is null for a statement that returns no rows (no RowDescription), and an
 * array, possibly empty of rows, for SELECT, SHOW, EXPLAIN and RETURNING.
 */
export interface StatementResult {
  /** The command tag exactly as PostgreSQL's CommandComplete: "SELECT 3", "INSERT 0 1", "CREATE TABLE". */
  command: string;
  /** Rows returned or affected (the tag's number; 0 for tags without one). */
  rowCount: number;
  fields: FieldDescription[] | null;
  rows: unknown[][];
  notices: Notice[];
}

/** A query string's outcome: the statements that completed, then the error that stopped it (if any). */
export interface SimpleQueryOutcome {
  results: StatementResult[];
  error: PgError | null;
  /** Notices raised by the failing statement before its error. */
  errorNotices: Notice[];
}

/**
 * Counters this backend keeps for pg_stat_database (PostgreSQL's pgstat
 * counts them in shared memory across backends; with one backend, these are
 * the database's). tup_returned counts rows returned to the client,
 * tup_fetched rows of SELECTs, tup_inserted/updated/deleted rows changed by
 * DML that committed or not (PostgreSQL counts them at commit; here at
 * statement end).
 */
export interface BackendStats {
  xact_commit: number;
  xact_rollback: number;
  tup_returned: number;
  tup_fetched: number;
  tup_inserted: number;
  tup_updated: number;
  tup_deleted: number;
}

const DROP_TAGS: Record<string, string> = {
  OBJECT_TABLE: 'DROP TABLE', OBJECT_INDEX: 'DROP INDEX', OBJECT_VIEW: 'DROP VIEW',
  OBJECT_SEQUENCE: 'DROP SEQUENCE', OBJECT_SCHEMA: 'DROP SCHEMA',
};

const ALTER_TAGS: Record<string, string> = {
  OBJECT_TABLE: 'ALTER TABLE', OBJECT_INDEX: 'ALTER INDEX', OBJECT_VIEW: 'ALTER VIEW',
  OBJECT_SEQUENCE: 'ALTER SEQUENCE', OBJECT_SCHEMA: 'ALTER SCHEMA', OBJECT_COLUMN: 'ALTER TABLE', OBJECT_TABCONSTRAINT: 'ALTER TABLE',
};

/** The command tag of a utility statement (CreateCommandTag), without a row count. */
export function commandTagFor(stmt: Stmt): string {
  switch (stmt.type) {
    case 'SelectStmt': return 'SELECT';
    case 'InsertStmt': return 'INSERT';
    case 'UpdateStmt': return 'UPDATE';
    case 'DeleteStmt': return 'DELETE';
    case 'CreateStmt': return 'CREATE TABLE';
    case 'IndexStmt': return 'CREATE INDEX';
    case 'DropStmt': return DROP_TAGS[stmt.removeType] ?? 'DROP TABLE';
    case 'AlterTableStmt': return ALTER_TAGS[stmt.objtype] ?? 'ALTER TABLE';
    case 'RenameStmt': return ALTER_TAGS[stmt.renameType === 'OBJECT_COLUMN' || stmt.renameType === 'OBJECT_TABCONSTRAINT' ? stmt.relationType : stmt.renameType] ?? 'ALTER TABLE';
    case 'ViewStmt': return 'CREATE VIEW';
    case 'TruncateStmt': return 'TRUNCATE TABLE';
    case 'CreateSchemaStmt': return 'CREATE SCHEMA';
    case 'CreateSeqStmt': return 'CREATE SEQUENCE';
    case 'AlterSeqStmt': return 'ALTER SEQUENCE';
    case 'TransactionStmt':
      switch (stmt.kind) {
        case 'TRANS_STMT_BEGIN': return 'BEGIN';
        case 'TRANS_STMT_START': return 'START TRANSACTION';
        case 'TRANS_STMT_COMMIT': return 'COMMIT';
        case 'TRANS_STMT_ROLLBACK': return 'ROLLBACK';
        case 'TRANS_STMT_SAVEPOINT': return 'SAVEPOINT';
        case 'TRANS_STMT_RELEASE': return 'RELEASE';
        case 'TRANS_STMT_ROLLBACK_TO': return 'ROLLBACK';
      }
      break;
    case 'VariableSetStmt': return stmt.kind === 'VAR_RESET' || stmt.kind === 'VAR_RESET_ALL' ? 'RESET' : 'SET';
    case 'VariableShowStmt': return 'SHOW';
    case 'ExplainStmt': return 'EXPLAIN';
    case 'VacuumStmt': return stmt.is_vacuumcmd ? 'VACUUM' : 'ANALYZE';
    case 'CheckPointStmt': return 'CHECKPOINT';
    case 'LockStmt': return 'LOCK TABLE';
  }
  return '???';
}
