/*
 * dropcmds.ts — DROP TABLE / INDEX / VIEW / SEQUENCE / SCHEMA (PostgreSQL's
 * commands/tablecmds.c RemoveRelations and commands/dropcmds.c).
 *
 * Exports: RemoveRelations(DropStmt, ctx)
 *
 * Every name is looked up first (an absent one is an error, or with
 * IF EXISTS a NOTICE "... does not exist, skipping"); a relation of another
 * kind is 42809 with PostgreSQL's hint ("Use DROP VIEW to remove a view.").
 * Then all the objects are dropped together by the catalog's
 * performDeletion, which applies RESTRICT (2BP01 when something depends on
 * them) or CASCADE (a NOTICE listing what else goes).
 */

import type { DropStmt, ObjectType } from '../parser/nodes.ts';
import type { ObjectAddress } from '../catalog/catalog.ts';
import { NamespaceRelationId, RelationRelationId } from '../catalog/schemapg.ts';
import { PgError } from '../utils/errors.ts';
import { ERRCODE } from './errcodes.ts';
import type { UtilityContext } from './utility_context.ts';

/** PostgreSQL's dropmsgstrings: per object kind, its relkind, noun, SQLSTATE when missing, and the hint for the wrong kind. */
const DROP_KINDS: Partial<Record<ObjectType, { relkind: string; noun: string; missingCode: string; hint: string }>> = {
  OBJECT_TABLE: { relkind: 'r', noun: 'table', missingCode: ERRCODE.undefined_table, hint: 'Use DROP TABLE to remove a table.' },
  OBJECT_SEQUENCE: { relkind: 'S', noun: 'sequence', missingCode: ERRCODE.undefined_table, hint: 'Use DROP SEQUENCE to remove a sequence.' },
  OBJECT_VIEW: { relkind: 'v', noun: 'view', missingCode: ERRCODE.undefined_table, hint: 'Use DROP VIEW to remove a view.' },
  OBJECT_INDEX: { relkind: 'i', noun: 'index', missingCode: ERRCODE.undefined_object, hint: 'Use DROP INDEX to remove an index.' },
};

const KIND_BY_RELKIND: Record<string, ObjectType> = { r: 'OBJECT_TABLE', S: 'OBJECT_SEQUENCE', v: 'OBJECT_VIEW', i: 'OBJECT_INDEX' };

function quoted(names: readonly string[]): string {
  return names.join('.');
}

/** DROP ... [IF EXISTS] name [, ...] [CASCADE | RESTRICT]. Returns the number of objects dropped by name. */
export function RemoveRelations(stmt: DropStmt, ctx: UtilityContext): number {
  if (stmt.removeType === 'OBJECT_SCHEMA') return removeSchemas(stmt, ctx);
  const kind = DROP_KINDS[stmt.removeType];
  if (kind === undefined) throw new PgError(ERRCODE.feature_not_supported, `DROP of ${stmt.removeType} is not supported`);
  const objects: ObjectAddress[] = [];
  for (const names of stmt.objects) {
    if (names.length > 3) throw new PgError(ERRCODE.syntax_error, `improper qualified name (too many dotted names): ${quoted(names)}`);
    const relname = names[names.length - 1];
    const schemaname = names.length >= 2 ? names[names.length - 2] : null;
    if (schemaname !== null && ctx.catalog.namespaceOid(schemaname) === null) {
      if (stmt.missing_ok) {
        ctx.notice(`schema "${schemaname}" does not exist, skipping`);
        continue;
      }
      throw new PgError(ERRCODE.undefined_schema, `schema "${schemaname}" does not exist`);
    }
    const relid = ctx.catalog.relnameGetRelid(schemaname, relname, true);
    if (relid === null) {
      if (stmt.missing_ok) {
        ctx.notice(`${kind.noun} "${quoted(names)}" does not exist, skipping`);
        continue;
      }
      throw new PgError(kind.missingCode, `${kind.noun} "${quoted(names)}" does not exist`);
    }
    const rel = ctx.catalog.getRelation(relid);
    if (rel.relkind !== kind.relkind) {
      const actual = DROP_KINDS[KIND_BY_RELKIND[rel.relkind] ?? 'OBJECT_TABLE'];
      throw new PgError(ERRCODE.wrong_object_type, `"${rel.relname}" is not ${kind.noun === 'index' ? 'an' : 'a'} ${kind.noun}`, {
        ...(actual !== undefined && actual !== kind ? { hint: actual.hint } : {}),
      });
    }
    if (rel.relnamespace === 11) {
      throw new PgError('42501', `permission denied: "${rel.relname}" is a system catalog`);
    }
    if (!objects.some((o) => o.objectId === relid)) objects.push({ classId: RelationRelationId, objectId: relid, objectSubId: 0 });
  }
  if (objects.length > 0) {
    ctx.catalog.performDeletion(objects, stmt.behavior, (e) => ctx.notice(e.message, { detail: e.detail, hint: e.hint }));
  }
  return objects.length;
}

/** DROP SCHEMA [IF EXISTS] name [, ...] [CASCADE | RESTRICT]. */
function removeSchemas(stmt: DropStmt, ctx: UtilityContext): number {
  const objects: ObjectAddress[] = [];
  for (const names of stmt.objects) {
    if (names.length !== 1) throw new PgError(ERRCODE.syntax_error, `improper qualified name (too many dotted names): ${quoted(names)}`);
    const oid = ctx.catalog.namespaceOid(names[0]);
    if (oid === null) {
      if (stmt.missing_ok) {
        ctx.notice(`schema "${names[0]}" does not exist, skipping`);
        continue;
      }
      throw new PgError(ERRCODE.undefined_schema, `schema "${names[0]}" does not exist`);
    }
    objects.push({ classId: NamespaceRelationId, objectId: oid, objectSubId: 0 });
  }
  if (objects.length > 0) {
    ctx.catalog.performDeletion(objects, stmt.behavior, (e) => ctx.notice(e.message, { detail: e.detail, hint: e.hint }));
  }
  return objects.length;
}
