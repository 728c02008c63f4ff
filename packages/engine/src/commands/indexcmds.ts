/*
 * indexcmds.ts — CREATE INDEX, and the implicit-name rules every DDL
 * command shares (PostgreSQL's commands/indexcmds.c).
 *
 * Exports:
 *   DefineIndex(IndexStmt, ctx): number                CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON t (...)
 *   chooseRelationName(ctx, name1, name2, label, nsp, isconstraint)
 *   chooseIndexNameAddition(colnames)
 *   indexKeysFor(ctx, rel, elems, what)                IndexElem list -> key columns
 *
 * Names. An index without a name gets ChooseIndexName's: t_pkey for a
 * primary key, t_a_b_key for a UNIQUE constraint, t_a_b_idx otherwise; each
 * part shortened (makeObjectName) so the whole fits in 63 bytes, and a
 * number appended to the label (t_a_idx1, t_a_idx2, ...) until no relation
 * of the schema — and, for constraints, no constraint of the schema — has
 * the name.
 *
 * What is refused (0A000): expression and partial indexes, INCLUDE,
 * operator classes and collations, access methods other than btree,
 * NULLS NOT DISTINCT.
 */

import type { IndexElem, IndexStmt } from '../parser/nodes.ts';
import type { RelationInfo } from '../utils/rel.ts';
import { PgError } from '../utils/errors.ts';
import { makeObjectName } from '../catalog/index.ts';
import { Anum_pg_constraint, ConstraintRelationId } from '../catalog/schemapg.ts';
import type { IndexKeySpec } from '../catalog/catalog.ts';
import { ERRCODE } from './errcodes.ts';
import type { UtilityContext } from './utility_context.ts';

const NAMEDATALEN = 64;

function err(code: string, message: string, fields: { detail?: string; hint?: string; position?: number } = {}): never {
  throw new PgError(code, message, fields);
}

function notSupported(what: string, location = -1): never {
  err(ERRCODE.feature_not_supported, `${what} is not supported`, location >= 0 ? { position: location + 1 } : {});
}

/** ChooseIndexNameAddition: the column names joined by "_", stopping once NAMEDATALEN is reached. */
export function chooseIndexNameAddition(colnames: readonly string[]): string {
  let buf = '';
  for (const name of colnames) {
    if (buf.length > 0) buf += '_';
    buf += name;
    if (buf.length >= NAMEDATALEN) break;
  }
  return buf;
}

/** Whether a constraint of the namespace has this name (ConstraintNameExists). */
function constraintNameExists(ctx: UtilityContext, name: string, nsp: number): boolean {
  const CO = Anum_pg_constraint;
  return ctx.catalog.heaps.findOne(ConstraintRelationId, (v) => v[CO.connamespace] === nsp && v[CO.conname] === name) !== null;
}

/** ChooseRelationName: name1_name2_label, then label1, label2, ... until unused. */
export function chooseRelationName(ctx: UtilityContext, name1: string, name2: string, label: string, nsp: number, isconstraint: boolean): string {
  for (let pass = 0; ; pass++) {
    const name = makeObjectName(name1, name2, pass === 0 ? label : `${label}${pass}`);
    if (ctx.catalog.syscache.relnameNsp(nsp, name) === 0 && (!isconstraint || !constraintNameExists(ctx, name, nsp))) return name;
  }
}

/** The key columns of an index from its IndexElems (column names only). */
export function indexKeysFor(rel: RelationInfo, elems: readonly IndexElem[], missingColumn: (name: string) => never): IndexKeySpec[] {
  return elems.map((e) => {
    if (e.name === null) notSupported('index expressions');
    if (e.opclass.length > 0) notSupported('operator classes in indexes');
    if (e.collation.length > 0) notSupported('collations in indexes');
    const att = rel.attrs.find((a) => !a.attisdropped && a.attname === e.name);
    if (att === undefined) missingColumn(e.name);
    const desc = e.ordering === 'SORTBY_DESC';
    // PostgreSQL's default: NULLS LAST for ASC, NULLS FIRST for DESC.
    const nullsFirst = e.nulls_ordering === 'SORTBY_NULLS_DEFAULT' ? desc : e.nulls_ordering === 'SORTBY_NULLS_FIRST';
    return { attnum: att.attnum, desc, nullsFirst };
  });
}

function fillfactorOption(stmt: IndexStmt): number | undefined {
  let ff: number | undefined;
  for (const o of stmt.options) {
    if (o.defname !== 'fillfactor') err(ERRCODE.invalid_parameter_value, `unrecognized parameter "${o.defname}"`);
    const a = o.arg;
    if (a !== null && typeof a === 'object' && !Array.isArray(a) && a.type === 'Integer') ff = a.ival;
    else err(ERRCODE.invalid_parameter_value, `invalid value for integer option "fillfactor"`);
  }
  return ff;
}

/** CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON t (col [ASC|DESC] [NULLS FIRST|LAST], ...). Returns the index OID, 0 when skipped. */
export function DefineIndex(stmt: IndexStmt, ctx: UtilityContext): number {
  const rv = stmt.relation;
  const relid = ctx.catalog.relnameGetRelid(rv.schemaname, rv.relname, false)!;
  const rel = ctx.catalog.getRelation(relid);
  if (rel.relkind !== 'r') {
    const noun = rel.relkind === 'v' ? 'views' : rel.relkind === 'i' ? 'indexes' : rel.relkind === 'S' ? 'sequences' : 'this kind of relation';
    err(ERRCODE.wrong_object_type, `cannot create index on relation "${rel.relname}"`, { detail: `This operation is not supported for ${noun}.` });
  }
  if (stmt.accessMethod !== 'btree') {
    if (['hash', 'gist', 'gin', 'spgist', 'brin'].includes(stmt.accessMethod)) notSupported(`access method "${stmt.accessMethod}"`);
    err(ERRCODE.undefined_object, `access method "${stmt.accessMethod}" does not exist`);
  }
  if (stmt.whereClause !== null) notSupported('partial indexes (CREATE INDEX ... WHERE)');
  if (stmt.indexIncludingParams.length > 0) notSupported('INCLUDE columns');
  if (stmt.nulls_not_distinct) notSupported('NULLS NOT DISTINCT');
  if (stmt.tableSpace !== null) notSupported('tablespaces');
  const keys = indexKeysFor(rel, stmt.indexParams, (name) => err(ERRCODE.undefined_column, `column "${name}" does not exist`));
  const nsp = rel.relnamespace;
  const name =
    stmt.idxname ??
    chooseRelationName(ctx, rel.relname, chooseIndexNameAddition(keys.map((k) => rel.attrs[k.attnum - 1].attname)),
      stmt.primary ? 'pkey' : stmt.isconstraint ? 'key' : 'idx', nsp, stmt.primary || stmt.isconstraint);
  const ff = fillfactorOption(stmt);
  const oid = ctx.catalog.indexCreate({
    indexName: name, relnamespace: nsp, heapOid: relid, keys, unique: stmt.unique || stmt.primary, primary: stmt.primary,
    ...(stmt.isconstraint || stmt.primary ? { constraintName: name } : {}),
    ...(ff !== undefined ? { fillfactor: ff } : {}),
    ifNotExists: stmt.if_not_exists,
  });
  if (oid === 0) ctx.notice(`relation "${name}" already exists, skipping`);
  return oid;
}
