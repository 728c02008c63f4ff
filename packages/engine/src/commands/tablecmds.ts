/*
 * tablecmds.ts — CREATE TABLE and the constraint machinery ALTER TABLE
 * shares with it (PostgreSQL's commands/tablecmds.c DefineRelation and
 * parser/parse_utilcmd.c transformCreateStmt).
 *
 * Exports:
 *   DefineRelation(CreateStmt, ctx): number           CREATE TABLE [IF NOT EXISTS]
 *   AlterTable, ExecRenameStmt                        (re-exported from altertable.ts)
 *   transformColumn, addCheckConstraint, addIndexConstraint, addForeignKey,
 *   addNotNullConstraint, checkNoNulls, storeColumnDefault, columnIdentityOrSerial,
 *   sequenceNameFor, utilityEState, analyzeContext   (shared with altertable.ts)
 *
 * CREATE TABLE runs as PostgreSQL's transformCreateStmt orders it:
 *   1. the sequences of serial and identity columns (t_col_seq, chosen
 *      before the table exists, so a clash gives t_col_seq1);
 *   2. the table with its columns (NOT NULL from NOT NULL, PRIMARY KEY,
 *      identity and serial);
 *   3. column defaults (serial: nextval('t_col_seq'::regclass)) and
 *      generation expressions, then CHECK constraints in the order written
 *      (unnamed ones get t_col_check / t_check);
 *   4. the PRIMARY KEY index first, then the UNIQUE ones in order (t_pkey,
 *      t_a_key; a UNIQUE constraint on exactly the columns of an earlier one
 *      is redundant and dropped, as PostgreSQL does);
 *   5. FOREIGN KEYs (t_col_fkey), each needing a unique index of the
 *      referenced table on exactly the referenced columns (42830 otherwise).
 * Every implicit name goes through chooseRelationName / the catalog's
 * chooseConstraintName, so it is PostgreSQL's, numeric suffix included.
 */

import type { ColumnDef, Constraint, CreateStmt } from '../parser/nodes.ts';
import type { Node, TypeName } from '../parser/primnodes.ts';
import { parse } from '../parser/gram.ts';
import { quoteIdentifier } from '../parser/deparse.ts';
import { deparseRelationExpr } from './explain_deparse.ts';
import { typenameTypeIdAndMod } from '../parser/parse_type.ts';
import { formatTypeWithTypmod } from '../parser/parse_type.ts';
import { transformExprForDDL } from '../parser/analyze.ts';
import type { Expr } from '../nodes/primnodes.ts';
import type { PlannedStmt } from '../nodes/plannodes.ts';
import type { ColumnSpec } from '../catalog/catalog.ts';
import type { RelationInfo } from '../utils/rel.ts';
import { INT2OID, INT4OID, INT8OID } from '../utils/adt/types.ts';
import { PgError } from '../utils/errors.ts';
import { ExecInitExpr } from '../executor/execExpr.ts';
import { ExprContext, TupleTableSlot, type EState } from '../executor/execnodes.ts';
import { AfterTriggers } from '../utils/adt/ri_triggers.ts';
import { cursorsOf } from '../utils/adt/ri_triggers.ts';
import { valueText } from '../executor/execConstraints.ts';
import { ERRCODE } from './errcodes.ts';
import { chooseIndexNameAddition, chooseRelationName } from './indexcmds.ts';
import { chooseConstraintName } from '../catalog/index.ts';
import { defineSequenceForColumn } from './sequence.ts';
import type { UtilityContext } from './utility_context.ts';

export { AlterTable, ExecRenameStmt } from './altertable.ts';

/** PostgreSQL's MaxHeapAttributeNumber. */
const MAX_HEAP_ATTRIBUTE_NUMBER = 1600;

export function err(code: string, message: string, fields: { detail?: string; hint?: string; position?: number } = {}): never {
  throw new PgError(code, message, fields);
}

export function notSupported(what: string, location = -1): never {
  err(ERRCODE.feature_not_supported, `${what} is not supported`, location >= 0 ? { position: location + 1 } : {});
}

/** The analyzer's context for a DDL expression. */
export function analyzeContext(ctx: UtilityContext): { catalog: UtilityContext['catalog']; sourceText: string; paramTypes: number[] } {
  return { catalog: ctx.catalog, sourceText: ctx.sourceText, paramTypes: [] };
}

const UTILITY_PLAN: PlannedStmt = {
  type: 'PlannedStmt', commandType: 'CMD_UTILITY', canSetTag: false,
  planTree: { type: 'Result', resconstantqual: null, startup_cost: 0, total_cost: 0, plan_rows: 0, plan_width: 0, plan_node_id: 0, targetlist: [], qual: [], lefttree: null, righttree: null, initPlan: [] },
  rtable: [], resultRelations: [], subplans: [], paramExecTypes: [], relationOids: [], rowMarks: [], utilityStmt: null, stmt_location: 0, stmt_len: 0,
};

/** An EState for expressions a utility command evaluates (defaults of ADD COLUMN, CHECK validation, FK checks). */
export function utilityEState(ctx: UtilityContext): EState {
  return {
    engine: ctx.engine, catalog: ctx.catalog, plannedstmt: UTILITY_PLAN, externParams: [], execParams: [], fmgr: ctx.fmgr,
    workMemBytes: 4 * 1024 * 1024, processed: 0, checkInterrupts: () => {},
  };
}

// ---------------------------------------------------------------- columns

/** serial types: the integer type behind each (parse_utilcmd.c transformColumnDefinition). */
const SERIAL_TYPES: ReadonlyMap<string, number> = new Map([
  ['smallserial', INT2OID], ['serial2', INT2OID],
  ['serial', INT4OID], ['serial4', INT4OID],
  ['bigserial', INT8OID], ['serial8', INT8OID],
]);

function serialTypeOf(t: TypeName): number {
  if (t.arrayBounds.length > 0 || t.typmods.length > 0) return 0;
  if (t.names.length === 1 || (t.names.length === 2 && t.names[0] === 'pg_catalog')) return SERIAL_TYPES.get(t.names[t.names.length - 1]) ?? 0;
  return 0;
}

/** typenameTypeIdAndMod, with the type name's position on its errors (PostgreSQL reports it for CREATE TABLE). */
function resolveType(t: TypeName): { typeOid: number; typmod: number } {
  try {
    return typenameTypeIdAndMod(t);
  } catch (e) {
    if (e instanceof PgError && e.position === undefined && t.location >= 0) {
      throw new PgError(e.code, e.message, { ...(e.detail !== undefined ? { detail: e.detail } : {}), ...(e.hint !== undefined ? { hint: e.hint } : {}), position: t.location + 1 });
    }
    throw e;
  }
}

/** One column after its constraints were sorted out. */
export interface ColumnPlan {
  def: ColumnDef;
  spec: ColumnSpec;
  isSerial: boolean;
  /** CONSTRAINT name NOT NULL: the name of its pg_constraint row. */
  notNullName: string | null;
  identity: Constraint | null;
  rawDefault: Node | null;
  generated: Node | null;
}

/** transformColumnDefinition: type, NULL / NOT NULL, DEFAULT, identity, generated, serial; other constraints go to `tableCons`. */
export function transformColumn(def: ColumnDef, relname: string, tableCons: Constraint[]): ColumnPlan {
  const serialOid = serialTypeOf(def.typeName);
  const { typeOid, typmod } = serialOid !== 0 ? { typeOid: serialOid, typmod: -1 } : resolveType(def.typeName);
  const where = `column "${def.colname}" of table "${relname}"`;
  let notnull = def.is_not_null;
  let sawNull = false;
  let sawNotNull = def.is_not_null;
  let rawDefault: Node | null = def.raw_default;
  let identity: Constraint | null = null;
  let generated: Node | null = null;
  let notNullName: string | null = null;
  for (let i = 0; i < def.constraints.length; i++) {
    const c = def.constraints[i];
    switch (c.contype) {
      case 'CONSTR_NULL':
        if (sawNotNull) err(ERRCODE.syntax_error, `conflicting NULL/NOT NULL declarations for ${where}`, { position: c.location + 1 });
        sawNull = true;
        notnull = false;
        break;
      case 'CONSTR_NOTNULL':
        if (sawNull) err(ERRCODE.syntax_error, `conflicting NULL/NOT NULL declarations for ${where}`, { position: c.location + 1 });
        sawNotNull = true;
        notnull = true;
        if (c.conname !== null) notNullName = c.conname;
        break;
      case 'CONSTR_DEFAULT':
        if (rawDefault !== null) err(ERRCODE.syntax_error, `multiple default values specified for ${where}`, { position: c.location + 1 });
        rawDefault = c.raw_expr;
        break;
      case 'CONSTR_IDENTITY':
        if (identity !== null) err(ERRCODE.syntax_error, `multiple identity specifications for ${where}`, { position: c.location + 1 });
        identity = c;
        notnull = true;
        sawNotNull = true;
        break;
      case 'CONSTR_GENERATED':
        if (generated !== null) err(ERRCODE.syntax_error, `multiple generation clauses specified for ${where}`, { position: c.location + 1 });
        generated = c.raw_expr;
        break;
      case 'CONSTR_CHECK':
        tableCons.push(c);
        break;
      case 'CONSTR_PRIMARY':
      case 'CONSTR_UNIQUE':
        tableCons.push({ ...c, keys: [def.colname] });
        break;
      case 'CONSTR_FOREIGN':
        tableCons.push({ ...c, fk_attrs: [def.colname] });
        break;
      case 'CONSTR_ATTR_DEFERRABLE':
      case 'CONSTR_ATTR_NOT_DEFERRABLE':
      case 'CONSTR_ATTR_DEFERRED':
      case 'CONSTR_ATTR_IMMEDIATE': {
        const prev = tableCons[tableCons.length - 1];
        if (prev === undefined || !['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_FOREIGN'].includes(prev.contype)) {
          err(ERRCODE.syntax_error, 'misplaced DEFERRABLE clause', { position: c.location + 1 });
        }
        if (c.contype === 'CONSTR_ATTR_DEFERRABLE') prev.deferrable = true;
        if (c.contype === 'CONSTR_ATTR_DEFERRED') prev.initdeferred = true;
        break;
      }
      default:
        notSupported(`${c.contype} constraints`, c.location);
    }
    const pos = { position: c.location + 1 };
    if (identity !== null && rawDefault !== null) err(ERRCODE.syntax_error, `both default and identity specified for ${where}`, pos);
    if (identity !== null && generated !== null) err(ERRCODE.syntax_error, `both identity and generation expression specified for ${where}`, pos);
    if (generated !== null && rawDefault !== null) err(ERRCODE.syntax_error, `both default and generation expression specified for ${where}`, pos);
  }
  if (serialOid !== 0) {
    if (rawDefault !== null) err(ERRCODE.syntax_error, `multiple default values specified for ${where}`);
    if (identity !== null) err(ERRCODE.syntax_error, `both default and identity specified for ${where}`);
    notnull = true;
  }
  if (identity !== null && rawDefault !== null) err(ERRCODE.syntax_error, `both default and identity specified for ${where}`);
  if (identity !== null && generated !== null) err(ERRCODE.syntax_error, `both identity and generation expression specified for ${where}`);
  if (generated !== null && rawDefault !== null) err(ERRCODE.syntax_error, `both default and generation expression specified for ${where}`);
  if (identity !== null && typeOid !== INT2OID && typeOid !== INT4OID && typeOid !== INT8OID) {
    err(ERRCODE.invalid_parameter_value, `identity column type must be smallint, integer, or bigint`);
  }
  return {
    def,
    spec: {
      attname: def.colname, atttypid: typeOid, atttypmod: typmod, attnotnull: notnull,
      attidentity: identity === null ? '' : (identity.generated_when as 'a' | 'd'),
      attgenerated: generated !== null ? 's' : '',
    },
    isSerial: serialOid !== 0,
    notNullName,
    identity,
    rawDefault,
    generated,
  };
}

/** The text pg_get_expr shows for a default or CHECK expression: the analyzed tree deparsed as ruleutils does. */
function storedExprSource(expr: Expr, rel: RelationInfo): string {
  return deparseRelationExpr(expr, rel.attrs.map((a) => (a.attisdropped ? '' : a.attname)));
}

/** A serial column's default, nextval('[schema.]t_col_seq'::regclass), analyzed against the column's type. */
function serialDefault(ctx: UtilityContext, rel: RelationInfo, attnum: number, seqName: string, nsp: number): { expr: Expr; src: string } {
  const qualified = ctx.catalog.searchPath().includes(nsp) ? quoteIdentifier(seqName) : `${quoteIdentifier(ctx.catalog.namespaceName(nsp) ?? '')}.${quoteIdentifier(seqName)}`;
  const text = `nextval('${qualified.replace(/'/g, "''")}'::regclass)`;
  const stmt = parse(`SELECT ${text}`)[0].stmt;
  const raw = stmt.type === 'SelectStmt' ? stmt.targetList[0].val : null;
  if (raw === null) err(ERRCODE.internal_error, 'serial default did not parse');
  const a = rel.attrs[attnum - 1];
  const expr = transformExprForDDL(analyzeContext(ctx), rel.attrs, raw, 'DEFAULT', a.atttypid, a.atttypmod);
  return { expr, src: text };
}

/**
 * DEFAULT / GENERATED ... STORED of a column: analyzed against the table's
 * columns and stored in pg_attrdef (replacing an existing default when
 * `replace`, as ALTER COLUMN SET DEFAULT does).
 */
export function storeColumnDefault(ctx: UtilityContext, relid: number, attnum: number, raw: Node, kind: 'DEFAULT' | 'GENERATED', replace = false): Expr {
  const rel = ctx.catalog.getRelation(relid);
  const a = rel.attrs[attnum - 1];
  const expr = transformExprForDDL(analyzeContext(ctx), rel.attrs, raw, kind, a.atttypid, a.atttypmod);
  const src = storedExprSource(expr, rel);
  if (replace) ctx.catalog.setDefault(relid, attnum, expr, src);
  else ctx.catalog.storeDefault(relid, attnum, expr, src);
  return expr;
}

/**
 * PostgreSQL 18's NOT NULL constraints: a pg_constraint row (contype 'n')
 * named t_col_not_null for each NOT NULL column, besides attnotnull.
 */
export function addNotNullConstraint(ctx: UtilityContext, relid: number, attnum: number, conname: string | null): void {
  const rel = ctx.catalog.getRelation(relid);
  if (rel.constraints.some((c) => c.contype === 'n' && c.conkey.length === 1 && c.conkey[0] === attnum)) return;
  const name = conname ?? chooseConstraintName(ctx.catalog, rel.relname, rel.attrs[attnum - 1].attname, 'not_null', rel.relnamespace);
  ctx.catalog.addConstraint({ relid, contype: 'n', conkey: [attnum], conname: name });
}

/**
 * The sequence of a serial or identity column (created before the column
 * is owned by it), and for serial the nextval default. Called after the
 * table exists; `seqName` was chosen before (step 1 of the header).
 */
export function columnIdentityOrSerial(ctx: UtilityContext, relid: number, attnum: number, col: ColumnPlan, seqName: string): void {
  const rel = ctx.catalog.getRelation(relid);
  const nsp = rel.relnamespace;
  const typeOid = col.spec.atttypid;
  if (col.isSerial) {
    defineSequenceForColumn(ctx, seqName, nsp, typeOid, [], relid, attnum, false);
    const d = serialDefault(ctx, ctx.catalog.getRelation(relid), attnum, seqName, nsp);
    ctx.catalog.storeDefault(relid, attnum, d.expr, d.src);
  } else if (col.identity !== null) {
    defineSequenceForColumn(ctx, seqName, nsp, typeOid, col.identity.options, relid, attnum, true);
  }
}

/** The sequence name of a serial / identity column: SEQUENCE NAME option, or ChooseRelationName(t, col, "seq"). */
export function sequenceNameFor(ctx: UtilityContext, relname: string, col: ColumnPlan, nsp: number): string {
  const opt = col.identity?.options.find((o) => o.defname === 'sequence_name');
  if (opt !== undefined) {
    const names = opt.arg as string[];
    return names[names.length - 1];
  }
  return chooseRelationName(ctx, relname, col.def.colname, 'seq', nsp, false);
}

// ---------------------------------------------------------------- constraints

/** CHECK: analyzed, stored; with `validate` every existing row must pass (ALTER TABLE ADD CONSTRAINT). */
export function addCheckConstraint(ctx: UtilityContext, relid: number, c: Constraint, validate: boolean): void {
  if (c.raw_expr === null) err(ERRCODE.internal_error, 'CHECK constraint without an expression');
  const rel = ctx.catalog.getRelation(relid);
  const expr = transformExprForDDL(analyzeContext(ctx), rel.attrs, c.raw_expr, 'CHECK');
  const src = storedExprSource(expr, rel);
  const oid = ctx.catalog.addConstraint({
    // conbin keeps pg_get_expr's text of the expression; ConstraintInfo.consrc adds CHECK ( ).
    relid, contype: 'c', conkey: [], conbin: expr, consrc: src,
    ...(c.conname !== null ? { conname: c.conname } : {}),
    connoinherit: c.is_no_inherit,
    convalidated: validate || !c.skip_validation,
  });
  if (!validate) return;
  const conname = ctx.catalog.getRelation(relid).constraints.find((k) => k.oid === oid)?.conname ?? c.conname ?? '';
  validateCheckConstraint(ctx, rel, expr, conname);
}

/** Every existing row must pass the CHECK expression (validateCheckConstraint): 23514 naming the constraint otherwise. */
export function validateCheckConstraint(ctx: UtilityContext, rel: RelationInfo, expr: Expr, conname: string): void {
  if (rel.heap === null) return;
  const estate = utilityEState(ctx);
  const check = ExecInitExpr(expr, null, estate);
  const ec = new ExprContext(estate);
  const slot = new TupleTableSlot(rel.attrs.length);
  ec.scantuple = slot;
  const cur = cursorsOf(ctx.engine).beginScan(rel.heap);
  try {
    while (cur.next()) {
      slot.values = cur.values as unknown[];
      if (check(ec) === false) {
        err(ERRCODE.check_violation, `check constraint "${conname}" of relation "${rel.relname}" is violated by some row`);
      }
    }
  } finally {
    cur.end();
  }
}

/** The heap attnums of named key columns; `what` names the constraint kind in errors. */
function keyAttnums(rel: RelationInfo, names: readonly string[], missing: (n: string) => string, twice: (n: string) => string, location = -1): number[] {
  const out: number[] = [];
  const pos = location >= 0 ? { position: location + 1 } : {};
  for (const n of names) {
    const a = rel.attrs.find((x) => !x.attisdropped && x.attname === n);
    if (a === undefined) err(ERRCODE.undefined_column, missing(n), pos);
    if (out.includes(a.attnum)) err(ERRCODE.duplicate_column, twice(n), pos);
    out.push(a.attnum);
  }
  return out;
}

/** PRIMARY KEY / UNIQUE: builds the unique index (and its pg_constraint row) named as PostgreSQL names it. */
export function addIndexConstraint(ctx: UtilityContext, relid: number, c: Constraint, validate: boolean): number {
  const rel = ctx.catalog.getRelation(relid);
  const primary = c.contype === 'CONSTR_PRIMARY';
  if (c.nulls_not_distinct) notSupported('NULLS NOT DISTINCT');
  if (c.including.length > 0) notSupported('INCLUDE columns');
  if (c.deferrable) notSupported('DEFERRABLE unique constraints');
  if (primary && rel.indexes.some((i) => i.indisprimary)) {
    err(ERRCODE.invalid_table_definition, `multiple primary keys for table "${rel.relname}" are not allowed`, { position: c.location + 1 });
  }
  const kind = primary ? 'primary key' : 'unique';
  const attnums = keyAttnums(rel, c.keys, (n) => `column "${n}" named in key does not exist`, (n) => `column "${n}" appears twice in ${kind} constraint`, c.location);
  if (primary && validate && rel.heap !== null) {
    // SET NOT NULL's check comes first, as ALTER TABLE ... ADD PRIMARY KEY does it.
    for (const attnum of attnums) if (!rel.attrs[attnum - 1].attnotnull) checkNoNulls(ctx, rel, attnum);
  }
  if (primary) for (const attnum of attnums) addNotNullConstraint(ctx, relid, attnum, null);
  const nsp = rel.relnamespace;
  const name = c.conname ?? chooseRelationName(ctx, rel.relname, primary ? '' : chooseIndexNameAddition(c.keys), primary ? 'pkey' : 'key', nsp, true);
  return ctx.catalog.indexCreate({
    indexName: name, relnamespace: nsp, heapOid: relid, keys: attnums.map((attnum) => ({ attnum, desc: false, nullsFirst: false })),
    unique: true, primary, constraintName: name,
  });
}

/** 23502 `column "a" of relation "t" contains null values` when a row has NULL in the column. */
export function checkNoNulls(ctx: UtilityContext, rel: RelationInfo, attnum: number): void {
  if (rel.heap === null) return;
  const cur = cursorsOf(ctx.engine).beginScan(rel.heap);
  try {
    while (cur.next()) {
      const v = cur.values[attnum - 1];
      if (v === null || v === undefined) {
        err(ERRCODE.not_null_violation, `column "${rel.attrs[attnum - 1].attname}" of relation "${rel.relname}" contains null values`);
      }
    }
  } finally {
    cur.end();
  }
}

/** Type families an equality operator joins (for the "cannot be implemented" check of foreign keys). */
function typeFamily(oid: number): string {
  if ([20, 21, 23, 700, 701, 1700, 26].includes(oid)) return 'numeric';
  if ([25, 1042, 1043, 19].includes(oid)) return 'string';
  if ([1114, 1184].includes(oid)) return 'timestamp';
  return `t${oid}`;
}

/**
 * FOREIGN KEY: resolves the referenced table and columns (its primary key
 * when none are named), finds the unique index that matches them exactly
 * (42830 otherwise), stores the constraint; with `validate` every existing
 * row must have its key in the referenced table.
 */
export function addForeignKey(ctx: UtilityContext, relid: number, c: Constraint, validate: boolean): void {
  if (c.pktable === null) err(ERRCODE.internal_error, 'FOREIGN KEY without a referenced table');
  if (c.fk_matchtype === 'p') notSupported('MATCH PARTIAL');
  if (c.initdeferred) notSupported('INITIALLY DEFERRED constraints (constraints are checked at the end of each statement)');
  if (c.fk_del_set_cols.length > 0) notSupported('column lists in ON DELETE SET NULL / SET DEFAULT');
  const rel = ctx.catalog.getRelation(relid);
  const pkid = ctx.catalog.relnameGetRelid(c.pktable.schemaname, c.pktable.relname, false)!;
  const pk = ctx.catalog.getRelation(pkid);
  if (pk.relkind !== 'r') err(ERRCODE.wrong_object_type, `referenced relation "${pk.relname}" is not a table`);
  const fkAttnums = keyAttnums(rel, c.fk_attrs, (n) => `column "${n}" referenced in foreign key constraint does not exist`, (n) => `foreign key referenced-columns list must not contain duplicates: ${n}`);
  let pkAttnums: number[];
  let indexOid: number;
  if (c.pk_attrs.length === 0) {
    const pkey = pk.indexes.find((i) => i.indisprimary);
    if (pkey === undefined) err(ERRCODE.undefined_object, `there is no primary key for referenced table "${pk.relname}"`);
    pkAttnums = pkey.indkey.slice();
    indexOid = pkey.indexrelid;
  } else {
    pkAttnums = keyAttnums(pk, c.pk_attrs, (n) => `column "${n}" referenced in foreign key constraint does not exist`, () => `foreign key referenced-columns list must not contain duplicates`);
    const idx = pk.indexes.find((i) => i.indisunique && i.indkey.length === pkAttnums.length && pkAttnums.every((a) => i.indkey.includes(a)));
    if (idx === undefined) err(ERRCODE.invalid_foreign_key, `there is no unique constraint matching given keys for referenced table "${pk.relname}"`);
    indexOid = idx.indexrelid;
  }
  if (fkAttnums.length !== pkAttnums.length) err(ERRCODE.invalid_foreign_key, 'number of referencing and referenced columns for foreign key disagree');
  for (let i = 0; i < fkAttnums.length; i++) {
    const fa = rel.attrs[fkAttnums[i] - 1];
    const pa = pk.attrs[pkAttnums[i] - 1];
    if (typeFamily(fa.atttypid) !== typeFamily(pa.atttypid)) {
      const conname = c.conname ?? `${rel.relname}_${chooseIndexNameAddition(c.fk_attrs)}_fkey`;
      err(ERRCODE.datatype_mismatch, `foreign key constraint "${conname}" cannot be implemented`, {
        detail: `Key columns "${fa.attname}" of the referencing table and "${pa.attname}" of the referenced table are of incompatible types: ${formatTypeWithTypmod(fa.atttypid, -1)} and ${formatTypeWithTypmod(pa.atttypid, -1)}.`,
      });
    }
  }
  const oid = ctx.catalog.addConstraint({
    relid, contype: 'f', conkey: fkAttnums, confrelid: pkid, confkey: pkAttnums, conindid: indexOid,
    confupdtype: c.fk_upd_action, confdeltype: c.fk_del_action, confmatchtype: c.fk_matchtype, condeferrable: c.deferrable,
    consrc: foreignKeyDef(c, rel, pk, fkAttnums, pkAttnums),
    convalidated: validate || !c.skip_validation,
    ...(c.conname !== null ? { conname: c.conname } : {}),
  });
  if (!validate) return;
  const con = ctx.catalog.getRelation(relid).constraints.find((k) => k.oid === oid);
  if (con === undefined) return;
  validateForeignKeyRows(ctx, ctx.catalog.getRelation(relid), con);
}

/** Every existing row must have its referenced row (validateForeignKeyConstraint): 23503 otherwise. */
export function validateForeignKeyRows(ctx: UtilityContext, rel: RelationInfo, con: RelationInfo['constraints'][number]): void {
  new AfterTriggers(utilityEState(ctx)).validateForeignKey(rel, con);
}

const FK_ACTION_TEXT: Record<string, string> = { r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** pg_get_constraintdef's text of a foreign key. */
function foreignKeyDef(c: Constraint, rel: RelationInfo, pk: RelationInfo, fk: number[], pkc: number[]): string {
  const cols = (r: RelationInfo, a: number[]): string => a.map((n) => quoteIdentifier(r.attrs[n - 1].attname)).join(', ');
  let s = `FOREIGN KEY (${cols(rel, fk)}) REFERENCES ${quoteIdentifier(pk.relname)}(${cols(pk, pkc)})`;
  if (c.fk_matchtype === 'f') s += ' MATCH FULL';
  if (c.fk_upd_action !== 'a') s += ` ON UPDATE ${FK_ACTION_TEXT[c.fk_upd_action]}`;
  if (c.fk_del_action !== 'a') s += ` ON DELETE ${FK_ACTION_TEXT[c.fk_del_action]}`;
  if (c.deferrable) s += ' DEFERRABLE';
  return s;
}

// ---------------------------------------------------------------- CREATE TABLE

/** CREATE TABLE [IF NOT EXISTS] t (columns, constraints). Returns the OID, 0 when skipped. */
export function DefineRelation(stmt: CreateStmt, ctx: UtilityContext): number {
  const rv = stmt.relation;
  if (rv.relpersistence === 't') notSupported('temporary tables', rv.location);
  if (rv.relpersistence === 'u') notSupported('unlogged tables', rv.location);
  if (stmt.inhRelations.length > 0) notSupported('table inheritance (INHERITS)');
  if (stmt.options.length > 0) notSupported('storage parameters (WITH ...)');
  if (stmt.oncommit !== 'ONCOMMIT_NOOP') notSupported('ON COMMIT');
  if (stmt.tablespacename !== null) notSupported('tablespaces');
  if (stmt.accessMethod !== null && stmt.accessMethod !== 'heap') notSupported(`table access method "${stmt.accessMethod}"`);
  const nsp = ctx.catalog.namespaceForCreate(rv.schemaname, rv.location);
  const relname = rv.relname;
  if (stmt.if_not_exists && ctx.catalog.syscache.relnameNsp(nsp, relname) !== 0) {
    ctx.notice(`relation "${relname}" already exists, skipping`);
    return 0;
  }

  // transformCreateStmt: columns, with their constraints moved to the table's list in order.
  const tableCons: Constraint[] = [];
  const cols: ColumnPlan[] = [];
  for (const elt of stmt.tableElts) {
    if (elt.type === 'ColumnDef') cols.push(transformColumn(elt, relname, tableCons));
    else tableCons.push(elt);
  }
  for (const c of stmt.constraints) tableCons.push(c);
  if (cols.length > MAX_HEAP_ATTRIBUTE_NUMBER) err('54011', `tables can have at most ${MAX_HEAP_ATTRIBUTE_NUMBER} columns`);
  // NOT NULL of PRIMARY KEY columns and table-level NOT NULL (c) go into pg_attribute directly.
  for (const c of tableCons) {
    if (c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_NOTNULL') {
      for (const k of c.keys) {
        const col = cols.find((x) => x.def.colname === k);
        if (col !== undefined) col.spec.attnotnull = true;
        else if (c.contype === 'CONSTR_NOTNULL') err(ERRCODE.undefined_column, `column "${k}" named in NOT NULL constraint does not exist`);
      }
    }
  }

  // 1. Sequence names, chosen before the table exists.
  const seqNames = cols.map((c) => (c.isSerial || c.identity !== null ? sequenceNameFor(ctx, relname, c, nsp) : ''));

  // 2. The table.
  const relid = ctx.catalog.heapCreateWithCatalog({ relname, relnamespace: nsp, relkind: 'r', columns: cols.map((c) => c.spec) });

  // 3. Sequences, defaults, generation expressions, CHECKs.
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i];
    if (c.isSerial || c.identity !== null) columnIdentityOrSerial(ctx, relid, i + 1, c, seqNames[i]);
    if (c.rawDefault !== null) storeColumnDefault(ctx, relid, i + 1, c.rawDefault, 'DEFAULT');
    if (c.generated !== null) storeColumnDefault(ctx, relid, i + 1, c.generated, 'GENERATED');
  }
  // NOT VALID is ignored in CREATE TABLE (no rows yet): the constraints are marked valid, as in PostgreSQL.
  for (const c of tableCons) if (c.contype === 'CONSTR_CHECK') addCheckConstraint(ctx, relid, { ...c, skip_validation: false }, false);
  for (let i = 0; i < cols.length; i++) {
    if (cols[i].spec.attnotnull) addNotNullConstraint(ctx, relid, i + 1, cols[i].notNullName);
  }

  // 4. PRIMARY KEY first, then UNIQUE; a constraint on the same columns as an earlier one is redundant.
  const indexCons = [...tableCons.filter((c) => c.contype === 'CONSTR_PRIMARY'), ...tableCons.filter((c) => c.contype === 'CONSTR_UNIQUE')];
  const built: string[][] = [];
  for (const c of indexCons) {
    if (built.some((k) => k.length === c.keys.length && k.every((x, j) => x === c.keys[j]))) continue;
    addIndexConstraint(ctx, relid, c, false);
    built.push(c.keys);
  }

  // 5. Foreign keys, which may reference the table itself.
  for (const c of tableCons) if (c.contype === 'CONSTR_FOREIGN') addForeignKey(ctx, relid, { ...c, skip_validation: false }, false);
  for (const c of tableCons) {
    if (!['CONSTR_CHECK', 'CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_FOREIGN', 'CONSTR_NOTNULL'].includes(c.contype)) notSupported(`${c.contype} table constraints`, c.location);
  }
  return relid;
}

/** Shown in DETAIL lines: a key value as text. */
export { valueText };
