/*
 * altertable.ts — ALTER TABLE and ALTER ... RENAME (PostgreSQL's
 * commands/tablecmds.c AlterTable / renameatt / RenameRelation).
 *
 * Exports: AlterTable(AlterTableStmt, ctx), ExecRenameStmt(RenameStmt, ctx)
 *
 * Subcommands run in the order written, each seeing the previous one's
 * catalog changes. What needs the table's rows:
 *   ADD COLUMN with a DEFAULT (or serial / identity / generated): every
 *     existing row gets the value, evaluated per row (nextval gives each
 *     row its own), and is rewritten with engine.update; NOT NULL without
 *     a default on a table with rows fails as PostgreSQL's does;
 *   SET NOT NULL, ADD PRIMARY KEY: a scan for NULLs (23502);
 *   ADD CHECK: a scan (23514 "is violated by some row");
 *   ADD UNIQUE / PRIMARY KEY: the index build (23505 on duplicates);
 *   ADD FOREIGN KEY: every row's key is looked up (23503).
 * ALTER COLUMN TYPE is refused with 0A000 (it would rewrite the table).
 * RENAME CONSTRAINT renames a PRIMARY KEY's or UNIQUE constraint's index
 * with it, as PostgreSQL does.
 */

import type { AlterTableCmd, AlterTableStmt, ColumnDef, Constraint, RenameStmt } from '../parser/nodes.ts';
import type { Node } from '../parser/primnodes.ts';
import type { RelationInfo } from '../utils/rel.ts';
import { Anum_pg_constraint, ConstraintRelationId, RelationRelationId } from '../catalog/schemapg.ts';
import { ExecInitExpr } from '../executor/execExpr.ts';
import { ExprContext, TupleTableSlot } from '../executor/execnodes.ts';
import { cursorsOf } from '../utils/adt/ri_triggers.ts';
import { ERRCODE } from './errcodes.ts';
import {
  addCheckConstraint, addForeignKey, addIndexConstraint, addNotNullConstraint, checkNoNulls, columnIdentityOrSerial, err, notSupported,
  sequenceNameFor, storeColumnDefault, transformColumn, utilityEState, validateCheckConstraint, validateForeignKeyRows,
} from './tablecmds.ts';
import type { UtilityContext } from './utility_context.ts';

const RELKIND_NOUN: Record<string, string> = { v: 'view', S: 'sequence' };

/** ALTER TABLE [IF EXISTS] t subcommand, ... Returns the table's OID, 0 when skipped. */
export function AlterTable(stmt: AlterTableStmt, ctx: UtilityContext): number {
  const rv = stmt.relation;
  const relid = ctx.catalog.relnameGetRelid(rv.schemaname, rv.relname, stmt.missing_ok);
  if (relid === null) {
    ctx.notice(`relation "${rv.relname}" does not exist, skipping`);
    return 0;
  }
  const rel = ctx.catalog.getRelation(relid);
  for (const cmd of stmt.cmds) {
    // ATSimplePermissions: most subcommands need a table; a view may have column defaults.
    const ok = rel.relkind === 'r' || (rel.relkind === 'v' && cmd.subtype === 'AT_ColumnDefault');
    if (!ok) {
      err(ERRCODE.wrong_object_type, `ALTER action ${AT_NAMES[cmd.subtype]} cannot be performed on relation "${rel.relname}"`, {
        detail: `This operation is not supported for ${RELKIND_PLURAL[rel.relkind] ?? 'this kind of relation'}.`,
      });
    }
  }
  for (const cmd of stmt.cmds) alterTableCmd(ctx, relid, cmd);
  return relid;
}

/** alter_table_type_to_string. */
const AT_NAMES: Record<AlterTableCmd['subtype'], string> = {
  AT_AddColumn: 'ADD COLUMN',
  AT_ColumnDefault: 'ALTER COLUMN ... SET DEFAULT',
  AT_DropNotNull: 'ALTER COLUMN ... DROP NOT NULL',
  AT_SetNotNull: 'ALTER COLUMN ... SET NOT NULL',
  AT_DropColumn: 'DROP COLUMN',
  AT_AlterColumnType: 'ALTER COLUMN ... SET DATA TYPE',
  AT_AddConstraint: 'ADD CONSTRAINT',
  AT_DropConstraint: 'DROP CONSTRAINT',
  AT_ValidateConstraint: 'VALIDATE CONSTRAINT',
};

const RELKIND_PLURAL: Record<string, string> = { i: 'indexes', v: 'views', S: 'sequences', r: 'tables' };

function column(rel: RelationInfo, name: string): RelationInfo['attrs'][number] | undefined {
  return rel.attrs.find((a) => !a.attisdropped && a.attname === name);
}

function columnOrError(rel: RelationInfo, name: string | null): RelationInfo['attrs'][number] {
  const a = column(rel, name ?? '');
  if (a === undefined) err(ERRCODE.undefined_column, `column "${name}" of relation "${rel.relname}" does not exist`);
  return a;
}

function alterTableCmd(ctx: UtilityContext, relid: number, cmd: AlterTableCmd): void {
  const rel = ctx.catalog.getRelation(relid);
  switch (cmd.subtype) {
    case 'AT_AddColumn':
      addColumn(ctx, rel, cmd.def as ColumnDef, cmd.missing_ok);
      return;
    case 'AT_DropColumn': {
      const a = column(rel, cmd.name ?? '');
      if (a === undefined) {
        if (cmd.missing_ok) {
          ctx.notice(`column "${cmd.name}" of relation "${rel.relname}" does not exist, skipping`);
          return;
        }
        columnOrError(rel, cmd.name);
        return;
      }
      ctx.catalog.performDeletion([{ classId: RelationRelationId, objectId: relid, objectSubId: a.attnum }], cmd.behavior, (e) => ctx.notice(e.message, { detail: e.detail, hint: e.hint }));
      return;
    }
    case 'AT_ColumnDefault': {
      const a = columnOrError(rel, cmd.name);
      if (a.attidentity !== '' && cmd.def !== null) {
        err(ERRCODE.syntax_error, `column "${a.attname}" of relation "${rel.relname}" is an identity column`, { hint: 'Use ALTER TABLE ... ALTER COLUMN ... DROP IDENTITY instead.' });
      }
      if (a.attgenerated !== '') {
        err(ERRCODE.syntax_error, `column "${a.attname}" of relation "${rel.relname}" is a generated column`, { hint: 'Use ALTER TABLE ... ALTER COLUMN ... SET EXPRESSION instead.' });
      }
      if (cmd.def === null) ctx.catalog.setDefault(relid, a.attnum, null, '');
      else storeColumnDefault(ctx, relid, a.attnum, cmd.def as Node, 'DEFAULT', true);
      return;
    }
    case 'AT_SetNotNull': {
      const a = columnOrError(rel, cmd.name);
      if (a.attnotnull) return;
      checkNoNulls(ctx, rel, a.attnum);
      ctx.catalog.setNotNull(relid, a.attnum, true);
      addNotNullConstraint(ctx, relid, a.attnum, null);
      return;
    }
    case 'AT_DropNotNull': {
      const a = columnOrError(rel, cmd.name);
      if (rel.indexes.some((i) => i.indisprimary && i.indkey.includes(a.attnum))) {
        err(ERRCODE.invalid_table_definition, `column "${a.attname}" is in a primary key`);
      }
      if (a.attidentity !== '') err(ERRCODE.invalid_table_definition, `column "${a.attname}" of relation "${rel.relname}" is an identity column`);
      if (!a.attnotnull) return;
      const nn = rel.constraints.find((c) => c.contype === 'n' && c.conkey.length === 1 && c.conkey[0] === a.attnum);
      if (nn !== undefined) ctx.catalog.performDeletion([{ classId: ConstraintRelationId, objectId: nn.oid, objectSubId: 0 }], 'DROP_RESTRICT', () => {});
      ctx.catalog.setNotNull(relid, a.attnum, false);
      return;
    }
    case 'AT_AlterColumnType':
      notSupported('ALTER COLUMN ... TYPE');
      return;
    case 'AT_AddConstraint':
      addConstraint(ctx, relid, cmd.def as Constraint);
      return;
    case 'AT_ValidateConstraint':
      validateConstraint(ctx, rel, cmd.name ?? '');
      return;
    case 'AT_DropConstraint': {
      const con = rel.constraints.find((c) => c.conname === cmd.name);
      if (con === undefined) {
        if (cmd.missing_ok) {
          ctx.notice(`constraint "${cmd.name}" of relation "${rel.relname}" does not exist, skipping`);
          return;
        }
        err(ERRCODE.undefined_object, `constraint "${cmd.name}" of relation "${rel.relname}" does not exist`);
      }
      ctx.catalog.performDeletion([{ classId: ConstraintRelationId, objectId: con.oid, objectSubId: 0 }], cmd.behavior, (e) => ctx.notice(e.message, { detail: e.detail, hint: e.hint }));
      return;
    }
  }
}

function addConstraint(ctx: UtilityContext, relid: number, c: Constraint): void {
  switch (c.contype) {
    case 'CONSTR_CHECK':
      // NOT VALID: existing rows are not checked, and pg_constraint.convalidated says so.
      addCheckConstraint(ctx, relid, c, !c.skip_validation);
      return;
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE':
      addIndexConstraint(ctx, relid, c, true);
      return;
    case 'CONSTR_FOREIGN':
      addForeignKey(ctx, relid, c, !c.skip_validation);
      return;
    case 'CONSTR_NOTNULL':
      for (const k of c.keys) alterTableCmd(ctx, relid, { type: 'AlterTableCmd', subtype: 'AT_SetNotNull', name: k, num: 0, def: null, behavior: 'DROP_RESTRICT', missing_ok: false, recurse: true });
      return;
    default:
      notSupported(`${c.contype} constraints in ALTER TABLE`, c.location);
  }
}

/** ADD COLUMN [IF NOT EXISTS]: the catalog row, the column's constraints, and existing rows rewritten when it has a value. */
function addColumn(ctx: UtilityContext, rel: RelationInfo, def: ColumnDef, ifNotExists: boolean): void {
  if (column(rel, def.colname) !== undefined) {
    if (ifNotExists) {
      ctx.notice(`column "${def.colname}" of relation "${rel.relname}" already exists, skipping`);
      return;
    }
    err(ERRCODE.duplicate_column, `column "${def.colname}" of relation "${rel.relname}" already exists`);
  }
  const tableCons: Constraint[] = [];
  const col = transformColumn(def, rel.relname, tableCons);
  const relid = rel.oid;
  const seqName = col.isSerial || col.identity !== null ? sequenceNameFor(ctx, rel.relname, col, rel.relnamespace) : '';
  // NOT NULL is set after the rows have their values.
  const notnull = col.spec.attnotnull || tableCons.some((c) => c.contype === 'CONSTR_PRIMARY');
  const attnum = ctx.catalog.addColumn(relid, { ...col.spec, attnotnull: false });
  if (seqName !== '') columnIdentityOrSerial(ctx, relid, attnum, col, seqName);
  if (col.rawDefault !== null) storeColumnDefault(ctx, relid, attnum, col.rawDefault, 'DEFAULT');
  if (col.generated !== null) storeColumnDefault(ctx, relid, attnum, col.generated, 'GENERATED');
  rewriteRowsWithNewColumn(ctx, relid, attnum, col.identity !== null ? ctx.catalog.getOwnedSequence(relid, attnum) : 0);
  if (notnull) {
    checkNoNulls(ctx, ctx.catalog.getRelation(relid), attnum);
    ctx.catalog.setNotNull(relid, attnum, true);
    addNotNullConstraint(ctx, relid, attnum, col.notNullName);
  }
  for (const c of tableCons) addConstraint(ctx, relid, c);
}

/** Gives every existing row the new column's default (or identity value, or generated value). */
function rewriteRowsWithNewColumn(ctx: UtilityContext, relid: number, attnum: number, identitySeq: number): void {
  const rel = ctx.catalog.getRelation(relid);
  const expr = rel.defaults.get(attnum);
  if ((expr === undefined && identitySeq === 0) || rel.heap === null) return;
  const estate = utilityEState(ctx);
  const value = expr !== undefined
    ? ExecInitExpr(expr, null, estate)
    : ((): unknown => {
        const v = ctx.fmgr.nextval(identitySeq);
        return rel.attrs[attnum - 1].atttypid === 20 ? v : Number(v);
      });
  const ec = new ExprContext(estate);
  const slot = new TupleTableSlot(rel.attrs.length);
  ec.scantuple = slot;
  // Collect first: the rewritten rows must not be met again by the scan.
  const rows: { tid: number; values: unknown[] }[] = [];
  const cur = cursorsOf(ctx.engine).beginScan(rel.heap);
  try {
    while (cur.next()) rows.push({ tid: cur.tid, values: cur.values.slice() });
  } finally {
    cur.end();
  }
  for (const r of rows) {
    while (r.values.length < rel.attrs.length) r.values.push(null);
    slot.values = r.values;
    r.values[attnum - 1] = value(ec);
    ctx.engine.update(rel.heap, r.tid, r.values as never);
  }
  // Later steps of the statement (the NOT NULL scan) must see the rewritten rows.
  ctx.catalog.commandCounterIncrement();
}

/** ALTER TABLE/INDEX/VIEW/SEQUENCE ... RENAME [COLUMN] ... TO .... Returns the relation's OID, 0 when skipped. */
export function ExecRenameStmt(stmt: RenameStmt, ctx: UtilityContext): number {
  const rv = stmt.relation;
  if (rv === null) notSupported('RENAME of this object type');
  const relid = ctx.catalog.relnameGetRelid(rv.schemaname, rv.relname, stmt.missing_ok);
  if (relid === null) {
    ctx.notice(`relation "${rv.relname}" does not exist, skipping`);
    return 0;
  }
  const rel = ctx.catalog.getRelation(relid);
  switch (stmt.renameType) {
    case 'OBJECT_COLUMN': {
      if (rel.relkind !== 'r' && rel.relkind !== 'v') err(ERRCODE.wrong_object_type, `"${rel.relname}" is not a table, view, materialized view, composite type, index, or foreign table`);
      const a = column(rel, stmt.subname ?? '');
      if (a === undefined) err(ERRCODE.undefined_column, `column "${stmt.subname}" does not exist`);
      if (column(rel, stmt.newname) !== undefined) err(ERRCODE.duplicate_column, `column "${stmt.newname}" of relation "${rel.relname}" already exists`);
      ctx.catalog.renameColumn(relid, a.attname, stmt.newname);
      return relid;
    }
    case 'OBJECT_TABCONSTRAINT':
      renameConstraint(ctx, rel, stmt.subname ?? '', stmt.newname);
      return relid;
    default: {
      const wanted = stmt.renameType === 'OBJECT_VIEW' ? 'v' : 'S';
      // ALTER TABLE and ALTER INDEX may rename any relation kind (PostgreSQL allows it for RENAME); SEQUENCE and VIEW must match.
      if ((stmt.renameType === 'OBJECT_SEQUENCE' || stmt.renameType === 'OBJECT_VIEW') && rel.relkind !== wanted) {
        err(ERRCODE.wrong_object_type, `"${rel.relname}" is not a ${RELKIND_NOUN[wanted]}`);
      }
      if (ctx.catalog.syscache.relnameNsp(rel.relnamespace, stmt.newname) !== 0) err(ERRCODE.duplicate_table, `relation "${stmt.newname}" already exists`);
      ctx.catalog.renameRelation(relid, stmt.newname);
      return relid;
    }
  }
}

/**
 * VALIDATE CONSTRAINT (ATExecValidateConstraint): a NOT VALID CHECK or
 * FOREIGN KEY checks the existing rows and becomes valid; an already valid
 * one (every NOT NULL) is left alone; PRIMARY KEY / UNIQUE are 42809.
 */
function validateConstraint(ctx: UtilityContext, rel: RelationInfo, conname: string): void {
  const con = rel.constraints.find((c) => c.conname === conname);
  if (con === undefined) err(ERRCODE.undefined_object, `constraint "${conname}" of relation "${rel.relname}" does not exist`);
  // NOT NULL constraints are always valid here (no NOT VALID form), so validating one does nothing.
  if (con.contype !== 'c' && con.contype !== 'f' && con.contype !== 'n') {
    err(ERRCODE.wrong_object_type, `cannot validate constraint "${conname}" of relation "${rel.relname}"`, {
      detail: 'This operation is not supported for this type of constraint.',
    });
  }
  const CO = Anum_pg_constraint;
  const row = ctx.catalog.heaps.findOne(ConstraintRelationId, (v) => v[CO.oid] === con.oid);
  if (row === null) err(ERRCODE.internal_error, `cache lookup failed for constraint ${con.oid}`);
  if (row.values[CO.convalidated] === true) return;
  if (con.contype === 'c') {
    if (con.conbin === null) err(ERRCODE.internal_error, `null conbin for constraint ${con.oid}`);
    validateCheckConstraint(ctx, rel, con.conbin, conname);
  } else {
    validateForeignKeyRows(ctx, rel, con);
  }
  row.values[CO.convalidated] = true;
  ctx.catalog.heaps.update(ConstraintRelationId, row.tid, row.values);
  ctx.catalog.invalidate({ kind: 'relcache', relId: rel.oid });
  ctx.catalog.commandCounterIncrement();
}

/** RENAME CONSTRAINT (RenameConstraintById): the pg_constraint row, and the index of a PRIMARY KEY / UNIQUE constraint with it. */
function renameConstraint(ctx: UtilityContext, rel: RelationInfo, oldname: string, newname: string): void {
  const con = rel.constraints.find((c) => c.conname === oldname);
  if (con === undefined) err(ERRCODE.undefined_object, `constraint "${oldname}" for table "${rel.relname}" does not exist`);
  if (rel.constraints.some((c) => c.conname === newname)) {
    err(ERRCODE.duplicate_object, `constraint "${newname}" for relation "${rel.relname}" already exists`);
  }
  const CO = Anum_pg_constraint;
  const row = ctx.catalog.heaps.findOne(ConstraintRelationId, (v) => v[CO.oid] === con.oid);
  if (row === null) err(ERRCODE.internal_error, `cache lookup failed for constraint ${con.oid}`);
  row.values[CO.conname] = newname;
  ctx.catalog.heaps.update(ConstraintRelationId, row.tid, row.values);
  ctx.catalog.invalidate({ kind: 'relcache', relId: rel.oid });
  ctx.catalog.commandCounterIncrement();
  if ((con.contype === 'p' || con.contype === 'u') && con.conindid !== 0) {
    if (ctx.catalog.syscache.relnameNsp(rel.relnamespace, newname) !== 0) err(ERRCODE.duplicate_table, `relation "${newname}" already exists`);
    ctx.catalog.renameRelation(con.conindid, newname);
  }
}
