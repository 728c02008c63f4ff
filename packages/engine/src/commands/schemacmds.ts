/*
 * schemacmds.ts — CREATE SCHEMA (PostgreSQL's commands/schemacmds.c).
 *
 * Exports: CreateSchemaCommand(CreateSchemaStmt, ctx): number
 *
 * The schema's row goes to pg_namespace through the catalog. One role
 * exists, so AUTHORIZATION is accepted only without a name of its own
 * (CREATE SCHEMA AUTHORIZATION r would name the schema after the role) and
 * schema elements (CREATE SCHEMA s CREATE TABLE ...) are refused with 0A000.
 */

import type { CreateSchemaStmt } from '../parser/nodes.ts';
import { PgError } from '../utils/errors.ts';
import { ERRCODE } from './errcodes.ts';
import type { UtilityContext } from './utility_context.ts';

/** CREATE SCHEMA [IF NOT EXISTS] name. Returns the namespace OID, 0 when skipped. */
export function CreateSchemaCommand(stmt: CreateSchemaStmt, ctx: UtilityContext): number {
  const name = stmt.schemaname ?? stmt.authrole;
  if (name === null) throw new PgError(ERRCODE.syntax_error, 'CREATE SCHEMA needs a schema name');
  if (stmt.schemaElts.length > 0) {
    throw new PgError(ERRCODE.feature_not_supported, 'CREATE SCHEMA with schema elements is not supported');
  }
  const oid = ctx.catalog.createNamespace(name, stmt.if_not_exists);
  if (oid === 0) ctx.notice(`schema "${name}" already exists, skipping`);
  return oid;
}
