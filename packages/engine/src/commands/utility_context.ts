/*
 * utility_context.ts — what a utility command (DDL, TRUNCATE, sequence
 * operations) gets from the backend that runs it: PostgreSQL passes these
 * around as globals (the current transaction, the relcache, the client
 * connection for NOTICEs); here they travel in one object.
 *
 * Exports: UtilityContext, and the list of command entry points tcop's
 * ProcessUtility dispatches to (each lives in its own commands/ file):
 *
 *   DefineRelation(CreateStmt, ctx)          tablecmds.ts   CREATE TABLE
 *   AlterTable(AlterTableStmt, ctx)          tablecmds.ts   ALTER TABLE
 *   ExecRenameStmt(RenameStmt, ctx)          tablecmds.ts   ALTER ... RENAME
 *   DefineIndex(IndexStmt, ctx)              indexcmds.ts   CREATE INDEX
 *   RemoveRelations(DropStmt, ctx)           dropcmds.ts    DROP TABLE/INDEX/VIEW/SEQUENCE/SCHEMA
 *   DefineView(ViewStmt, ctx)                view.ts        CREATE [OR REPLACE] VIEW
 *   ExecuteTruncate(TruncateStmt, ctx)       truncate.ts    TRUNCATE
 *   CreateSchemaCommand(CreateSchemaStmt, ctx) schemacmds.ts CREATE SCHEMA
 *   DefineSequence(CreateSeqStmt, ctx)       sequence.ts    CREATE SEQUENCE
 *   AlterSequence(AlterSeqStmt, ctx)         sequence.ts    ALTER SEQUENCE
 *   SequenceSession                          sequence.ts    nextval/currval/setval/lastval
 *
 * Every command runs inside the statement tcop started on the engine
 * (startStatement ... endStatement), so its catalog and heap changes share
 * one command id and roll back with the transaction.
 */

import type { StorageEngine } from '../engine.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { FunctionCallContext } from '../utils/fmgr/fmgrtypes.ts';

export interface UtilityContext {
  readonly engine: StorageEngine;
  /** The catalogs: lookups (CatalogAccess) and the write primitives DDL uses. */
  readonly catalog: Catalog;
  /** The whole query string, for error positions and for a view's or constraint's source text. */
  readonly sourceText: string;
  /** Sends a NOTICE to the client (`table "x" does not exist, skipping`; `drop cascades to ...` with a DETAIL). */
  readonly notice: (message: string, fields?: { detail?: string; hint?: string }) => void;
  /** The session's function-call context (nextval in DEFAULTs evaluated by ALTER TABLE ADD COLUMN). */
  readonly fmgr: FunctionCallContext;
}
