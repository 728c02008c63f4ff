/*
 * heap.ts — creating relations and changing their columns (PostgreSQL's
 * catalog/heap.c, parts of commands/tablecmds.c, view.c, sequence.c and
 * namespace.c that touch catalog rows).
 *
 * Exports (the first group is called through Catalog's method of the same name):
 *   heapCreateWithCatalog, createView, createSequenceRelation, createNamespace,
 *   storeDefault, setDefault, addColumn, dropColumn, renameRelation,
 *   renameColumn, setNotNull, setIdentity, updateRelStats, sequenceParams
 *   columnDefs(columns)            the heap's ColumnDef[] for new columns
 *   collectRelationReferences(tree)  what an analyzed tree reads, for pg_depend
 *   setClassFlags(...)             one pg_class update of relhasindex/relchecks/relhastriggers/stats
 *   removeRelationRows, markColumnDropped, removeAttrDefault, removeRewriteRule,
 *   removeNamespace                the per-object deletions dependency.ts performs
 *
 * Every function changes catalog rows, registers the invalidations for
 * what it changed, and ends with CommandCounterIncrement (catalog.ts rules).
 * Names are stored truncated to NAMEDATALEN - 1 = 63 bytes; the parser has
 * already warned about it (42622).
 */

import type { ColumnDef } from '../access/common/tupdesc.ts';
import type { Relation } from '../access/heap/relation.ts';
import type { TupleValue } from '../access/common/heaptuple.ts';
import type { Expr } from '../nodes/primnodes.ts';
import type { Query, RelKind } from '../nodes/parsenodes.ts';
import { nameIn } from '../utils/adt/text.ts';
import { BOOLOID, BYTEAOID, INT4OID, INT8OID, OIDOID, REGCLASSOID } from '../utils/adt/types.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import type { Catalog } from './catalog.ts';
import { CATALOG_SQLSTATE } from './catalog.ts';
import { catalogTypeByOid } from './pg_type.ts';
import { attributeRowValues, attributeRowsForDesc, classRowValues, systemAttributeRows } from './bootstrap.ts';
import { encodeNodeTree } from './nodetree.ts';
import {
  Anum_pg_attrdef, Anum_pg_attribute, AttributeRelidNumIndexId, ClassOidIndexId, Anum_pg_class, Anum_pg_namespace, Anum_pg_sequence, AttrDefaultIndexId, AttrDefaultRelationId, AttributeRelationId,
  BOOTSTRAP_SUPERUSERID, IndexRelationId, Anum_pg_index, NamespaceRelationId, PG_TOAST_NAMESPACE, RelationRelationId,
  RewriteRelationId, SequenceRelationId, StatisticRelationId, Anum_pg_statistic, Anum_pg_rewrite,
} from './schemapg.ts';
import { deleteDependencyRecordsFor, recordDependencies, recordDependencyOn, relationAddress, type DependencySpec, type NoticeFn } from './dependency.ts';

/** One column of a new relation (or ADD COLUMN). */
export interface ColumnSpec {
  attname: string;
  atttypid: number;
  atttypmod: number;
  attnotnull: boolean;
  attidentity?: '' | 'a' | 'd';
  attgenerated?: '' | 's';
}

export interface HeapCreateSpec {
  relname: string;
  relnamespace: number;
  relkind: RelKind;
  columns: readonly ColumnSpec[];
  /** CREATE ... IF NOT EXISTS: an existing relation of that name makes the call return 0 (the caller gives the NOTICE). */
  ifNotExists?: boolean;
}

/** A sequence's pg_sequence row and owner. */
export interface SequenceSpec {
  relname: string;
  relnamespace: number;
  params: {
    seqtypid: number;
    seqstart: bigint;
    seqincrement: bigint;
    seqmax: bigint;
    seqmin: bigint;
    seqcache: bigint;
    seqcycle: boolean;
  };
  /** serial ('a': dropped with the column) or identity ('i') column that owns the sequence. */
  ownedBy?: { relid: number; attnum: number; deptype: 'a' | 'i' };
  ifNotExists?: boolean;
}

const AT = Anum_pg_attribute;
const CL = Anum_pg_class;

/** The heap columns for new columns (ColumnDef for StorageEngine.createRelation). */
export function columnDefs(columns: readonly ColumnSpec[]): ColumnDef[] {
  return columns.map((c) => ({ name: nameIn(c.attname), type: catalogTypeByOid(c.atttypid), typmod: c.atttypmod, notNull: c.attnotnull }));
}

function relationAlreadyExists(relname: string): PgError {
  return new PgError(SQLSTATE.duplicate_table, `relation "${relname}" already exists`);
}

function checkDuplicateColumns(columns: readonly ColumnSpec[]): void {
  const seen = new Set<string>();
  for (const c of columns) {
    const n = nameIn(c.attname);
    if (seen.has(n)) throw new PgError(CATALOG_SQLSTATE.duplicate_column, `column "${n}" specified more than once`);
    seen.add(n);
  }
}

/** heap_create_with_catalog: the relation's storage (if any), pg_class and pg_attribute rows; returns its OID (0: exists and ifNotExists). */
export function heapCreateWithCatalog(cat: Catalog, spec: HeapCreateSpec, relhasrules = false): number {
  const relname = nameIn(spec.relname);
  if (cat.namespaceName(spec.relnamespace) === null) {
    throw new PgError(CATALOG_SQLSTATE.invalid_schema_name, `schema with OID ${spec.relnamespace} does not exist`);
  }
  if (cat.syscache.relnameNsp(spec.relnamespace, relname) !== 0) {
    if (spec.ifNotExists === true) return 0;
    throw relationAlreadyExists(relname);
  }
  checkDuplicateColumns(spec.columns);
  const hasStorage = spec.relkind === 'r' || spec.relkind === 'S' || spec.relkind === 'm';
  let oid: number;
  let heap: Relation | null = null;
  if (hasStorage) {
    heap = cat.engine.createRelation(relname, columnDefs(spec.columns));
    oid = heap.oid;
    cat.relcache.rememberHeap(heap);
  } else {
    oid = cat.newOid();
  }
  const toast = heap?.toast ?? null;
  const xid = cat.engine.xact.getCurrentTransactionId();
  cat.heaps.insert(RelationRelationId, classRowValues({
    oid, relname, relnamespace: spec.relnamespace, relkind: spec.relkind, relnatts: spec.columns.length,
    reltoastrelid: toast?.oid ?? 0, relfrozenxid: xid, relhasrules,
  }));
  cat.heaps.insertMany(AttributeRelationId, spec.columns.map((c, i) => attributeRowValues({
    attrelid: oid, attname: nameIn(c.attname), type: catalogTypeByOid(c.atttypid), attnum: i + 1, atttypmod: c.atttypmod,
    attnotnull: c.attnotnull, attidentity: c.attidentity ?? '', attgenerated: c.attgenerated ?? '',
  })));
  if (spec.relkind !== 'v' && spec.relkind !== 'c') cat.heaps.insertMany(AttributeRelationId, systemAttributeRows(oid));
  if (toast !== null) {
    cat.heaps.insert(RelationRelationId, classRowValues({
      oid: toast.oid, relname: `pg_toast_${oid}`, relnamespace: PG_TOAST_NAMESPACE, relkind: 't', relnatts: toast.desc.natts, relfrozenxid: xid,
    }));
    cat.heaps.insertMany(AttributeRelationId, [...attributeRowsForDesc(toast.oid, toast.desc), ...systemAttributeRows(toast.oid)]);
    recordDependencyOn(cat, relationAddress(toast.oid), relationAddress(oid), 'i');
  }
  recordDependencyOn(cat, relationAddress(oid), { classId: NamespaceRelationId, objectId: spec.relnamespace, objectSubId: 0 }, 'n');
  cat.invalidate({ kind: 'relcache', relId: oid });
  cat.invalidate({ kind: 'catcache', cacheId: 'RELNAMENSP' });
  cat.commandCounterIncrement();
  return oid;
}

/** The pg_class row of a relation, or 42P01-like internal error. */
function classRow(cat: Catalog, relid: number): { tid: number; values: (TupleValue | null)[] } {
  const row = cat.heaps.lookup(RelationRelationId, ClassOidIndexId, [relid], (v) => v[CL.oid] === relid)[0];
  if (row === undefined) throw new PgError(SQLSTATE.internal_error, `cache lookup failed for relation ${relid}`);
  return row;
}

function updateClass(cat: Catalog, relid: number, change: (v: (TupleValue | null)[]) => void): void {
  const row = classRow(cat, relid);
  change(row.values);
  cat.heaps.update(RelationRelationId, row.tid, row.values);
  cat.invalidate({ kind: 'relcache', relId: relid });
}

function attributeRow(cat: Catalog, relid: number, attnum: number): { tid: number; values: (TupleValue | null)[] } {
  const row = cat.heaps.lookup(AttributeRelationId, AttributeRelidNumIndexId, [relid, attnum], (v) => v[AT.attrelid] === relid && v[AT.attnum] === attnum)[0];
  if (row === undefined) throw new PgError(SQLSTATE.internal_error, `cache lookup failed for attribute ${attnum} of relation ${relid}`);
  return row;
}

function updateAttribute(cat: Catalog, relid: number, attnum: number, change: (v: (TupleValue | null)[]) => void): void {
  const row = attributeRow(cat, relid, attnum);
  change(row.values);
  cat.heaps.update(AttributeRelationId, row.tid, row.values);
  cat.invalidate({ kind: 'relcache', relId: relid });
}

/** Relation OIDs and columns an analyzed tree reads (find_expr_references_walker), for pg_depend. */
export function collectRelationReferences(tree: unknown): { relid: number; attnum: number }[] {
  const out = new Map<string, { relid: number; attnum: number }>();
  const add = (relid: number, attnum: number): void => {
    if (relid !== 0) out.set(`${relid}.${attnum}`, { relid, attnum });
  };
  const rtables: { rtekind: string; relid: number }[][] = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const x of node) walk(x);
      return;
    }
    const n = node as Record<string, unknown>;
    const isQuery = n.type === 'Query';
    if (isQuery) rtables.push(n.rtable as { rtekind: string; relid: number }[]);
    if (n.type === 'RangeTblEntry' && n.rtekind === 'RTE_RELATION') add(n.relid as number, 0);
    if (n.type === 'Var') {
      const level = rtables.length - 1 - (n.varlevelsup as number);
      const rte = level >= 0 ? rtables[level][(n.varno as number) - 1] : undefined;
      if (rte !== undefined && rte.rtekind === 'RTE_RELATION' && (n.varattno as number) > 0) add(rte.relid, n.varattno as number);
    }
    if (n.type === 'Const' && n.consttype === REGCLASSOID && n.constisnull === false) add(n.constvalue as number, 0);
    for (const k in n) {
      const v = n[k];
      if (v !== null && typeof v === 'object') walk(v);
    }
    if (isQuery) rtables.pop();
  };
  walk(tree);
  // eliminate_duplicate_dependencies: a column reference makes the whole-relation one redundant.
  const refs = [...out.values()];
  return refs.filter((r) => r.attnum !== 0 || !refs.some((o) => o.relid === r.relid && o.attnum !== 0));
}

/** StoreAttrDefault: a pg_attrdef row, atthasdef, and the default's dependencies; returns the pg_attrdef OID. */
export function storeDefault(cat: Catalog, relid: number, attnum: number, expr: Expr, adsrc: string): number {
  const oid = cat.newOid();
  cat.heaps.insert(AttrDefaultRelationId, [oid, relid, attnum, encodeNodeTree(expr, adsrc)]);
  // Only when it changes: setDefault replacing a default leaves it set, and the row is then not updated at all.
  const att = attributeRow(cat, relid, attnum);
  if (att.values[AT.atthasdef] !== true) {
    att.values[AT.atthasdef] = true;
    cat.heaps.update(AttributeRelationId, att.tid, att.values);
  }
  cat.invalidate({ kind: 'relcache', relId: relid });
  const self = { classId: AttrDefaultRelationId, objectId: oid, objectSubId: 0 };
  recordDependencyOn(cat, self, { classId: RelationRelationId, objectId: relid, objectSubId: attnum }, 'a');
  for (const ref of collectRelationReferences(expr)) recordDependencyOn(cat, self, { classId: RelationRelationId, objectId: ref.relid, objectSubId: ref.attnum }, 'n');
  cat.commandCounterIncrement();
  return oid;
}

/**
 * Deletes a pg_attrdef row (RemoveAttrDefaultById) and clears atthasdef,
 * unless `keepAtthasdef` (setDefault replacing the default: the column keeps
 * one, and updating its pg_attribute row twice in one command would fail).
 */
export function removeAttrDefault(cat: Catalog, attrdefOid: number, keepAtthasdef = false): void {
  const row = cat.heaps.findOne(AttrDefaultRelationId, (v) => v[Anum_pg_attrdef.oid] === attrdefOid);
  if (row === null) return;
  const relid = row.values[Anum_pg_attrdef.adrelid] as number;
  const attnum = row.values[Anum_pg_attrdef.adnum] as number;
  cat.heaps.delete(AttrDefaultRelationId, row.tid);
  // The column's row may be gone already (DROP TABLE deletes the relation's rows before its defaults).
  const att = keepAtthasdef ? undefined : cat.heaps.lookup(AttributeRelationId, AttributeRelidNumIndexId, [relid, attnum], (v) => v[AT.attrelid] === relid && v[AT.attnum] === attnum)[0];
  if (att !== undefined && att.values[AT.atthasdef] === true) {
    att.values[AT.atthasdef] = false;
    cat.heaps.update(AttributeRelationId, att.tid, att.values);
  }
  cat.invalidate({ kind: 'relcache', relId: relid });
}

/**
 * ALTER COLUMN SET DEFAULT / DROP DEFAULT (expr null). Replacing a default
 * touches the column's pg_attribute row at most once (atthasdef stays true),
 * so it is one command.
 */
export function setDefault(cat: Catalog, relid: number, attnum: number, expr: Expr | null, adsrc: string): void {
  for (const row of cat.heaps.lookup(AttrDefaultRelationId, AttrDefaultIndexId, [relid, attnum], (v) => v[Anum_pg_attrdef.adrelid] === relid && v[Anum_pg_attrdef.adnum] === attnum)) {
    const oid = row.values[Anum_pg_attrdef.oid] as number;
    removeAttrDefault(cat, oid, expr !== null);
    deleteDependencyRecordsFor(cat, { classId: AttrDefaultRelationId, objectId: oid, objectSubId: 0 });
  }
  if (expr !== null) storeDefault(cat, relid, attnum, expr, adsrc);
  else cat.commandCounterIncrement();
}

/** CREATE VIEW: a relkind 'v' relation with its _RETURN rule (pg_rewrite) and a dependency on everything the query reads. */
export function createView(cat: Catalog, name: string, nsp: number, query: Query, columns: readonly ColumnSpec[], replace: boolean, viewdef = ''): number {
  const relname = nameIn(name);
  const existing = cat.syscache.relnameNsp(nsp, relname);
  if (existing !== 0) {
    if (!replace) throw relationAlreadyExists(relname);
    const old = cat.getRelation(existing);
    if (old.relkind !== 'v') throw new PgError(CATALOG_SQLSTATE.wrong_object_type, `"${relname}" is not a view`);
    return replaceViewQuery(cat, existing, query, viewdef);
  }
  // relhasrules is set in the first pg_class row rather than by a second update of it.
  const oid = heapCreateWithCatalog(cat, { relname, relnamespace: nsp, relkind: 'v', columns }, true);
  storeViewRule(cat, oid, query, viewdef);
  cat.commandCounterIncrement();
  return oid;
}

function storeViewRule(cat: Catalog, viewOid: number, query: Query, viewdef: string): void {
  const ruleOid = cat.newOid();
  // ev_type '1' = CMD_SELECT, ev_enabled 'O' = fires in origin mode; ev_qual "<>" is PostgreSQL's text for no qualification.
  cat.heaps.insert(RewriteRelationId, [ruleOid, '_RETURN', viewOid, '1', 'O', true, '<>', encodeNodeTree(query, viewdef)]);
  const rule = { classId: RewriteRelationId, objectId: ruleOid, objectSubId: 0 };
  // One pg_depend insert for the rule's dependencies (a view over many columns has many).
  const deps: DependencySpec[] = [{ depender: rule, referenced: relationAddress(viewOid), type: 'i' }];
  for (const ref of collectRelationReferences(query)) {
    if (ref.relid !== viewOid) deps.push({ depender: rule, referenced: { classId: RelationRelationId, objectId: ref.relid, objectSubId: ref.attnum }, type: 'n' });
  }
  recordDependencies(cat, deps);
  cat.invalidate({ kind: 'relcache', relId: viewOid });
}

/** CREATE OR REPLACE VIEW of an existing view: a new _RETURN rule (the caller checked the columns are compatible). */
function replaceViewQuery(cat: Catalog, viewOid: number, query: Query, viewdef: string): number {
  for (const row of cat.heaps.findAll(RewriteRelationId, (v) => v[Anum_pg_rewrite.ev_class] === viewOid)) {
    cat.heaps.delete(RewriteRelationId, row.tid);
    deleteDependencyRecordsFor(cat, { classId: RewriteRelationId, objectId: row.values[Anum_pg_rewrite.oid] as number, objectSubId: 0 });
  }
  storeViewRule(cat, viewOid, query, viewdef);
  cat.commandCounterIncrement();
  return viewOid;
}

/** CREATE SCHEMA's catalog row; returns its OID (0: exists and ifNotExists). */
export function createNamespace(cat: Catalog, name: string, ifNotExists: boolean): number {
  const nspname = nameIn(name);
  if (cat.namespaceOid(nspname) !== null) {
    if (ifNotExists) return 0;
    throw new PgError(CATALOG_SQLSTATE.duplicate_schema, `schema "${nspname}" already exists`);
  }
  if (nspname.startsWith('pg_')) {
    throw new PgError('42939', `unacceptable schema name "${nspname}"`, { detail: 'The prefix "pg_" is reserved for system schemas.' });
  }
  const oid = cat.newOid();
  cat.heaps.insert(NamespaceRelationId, [oid, nspname, BOOTSTRAP_SUPERUSERID]);
  cat.invalidate({ kind: 'catcache', cacheId: 'NAMESPACE' });
  cat.commandCounterIncrement();
  return oid;
}

/** Deletes a pg_namespace row (dependency.ts, after its contents are gone). */
export function removeNamespace(cat: Catalog, nspOid: number): void {
  const row = cat.heaps.findOne(NamespaceRelationId, (v) => v[Anum_pg_namespace.oid] === nspOid);
  if (row !== null) cat.heaps.delete(NamespaceRelationId, row.tid);
  cat.invalidate({ kind: 'catcache', cacheId: 'NAMESPACE' });
}

/** The columns of every sequence relation (PostgreSQL's FormData_pg_sequence_data). */
const SEQUENCE_COLUMNS: readonly ColumnSpec[] = [
  { attname: 'last_value', atttypid: INT8OID, atttypmod: -1, attnotnull: true },
  { attname: 'log_cnt', atttypid: INT8OID, atttypmod: -1, attnotnull: true },
  { attname: 'is_called', atttypid: BOOLOID, atttypmod: -1, attnotnull: true },
];

/** CREATE SEQUENCE's catalog part: the relkind 'S' relation and its pg_sequence row (the data row is commands/sequence.ts's). */
export function createSequenceRelation(cat: Catalog, spec: SequenceSpec): number {
  const oid = heapCreateWithCatalog(cat, { relname: spec.relname, relnamespace: spec.relnamespace, relkind: 'S', columns: SEQUENCE_COLUMNS, ifNotExists: spec.ifNotExists });
  if (oid === 0) return 0;
  const p = spec.params;
  cat.heaps.insert(SequenceRelationId, [oid, p.seqtypid, p.seqstart, p.seqincrement, p.seqmax, p.seqmin, p.seqcache, p.seqcycle]);
  if (spec.ownedBy !== undefined) {
    recordDependencyOn(cat, relationAddress(oid), { classId: RelationRelationId, objectId: spec.ownedBy.relid, objectSubId: spec.ownedBy.attnum }, spec.ownedBy.deptype);
    cat.invalidate({ kind: 'relcache', relId: spec.ownedBy.relid });
  }
  cat.invalidate({ kind: 'relcache', relId: oid });
  cat.commandCounterIncrement();
  return oid;
}

/** The pg_sequence row of a sequence, or null. */
export function sequenceParams(cat: Catalog, seqOid: number): SequenceSpec['params'] | null {
  const S = Anum_pg_sequence;
  const row = cat.heaps.findOne(SequenceRelationId, (v) => v[S.seqrelid] === seqOid);
  if (row === null) return null;
  const v = row.values;
  return {
    seqtypid: v[S.seqtypid] as number,
    seqstart: v[S.seqstart] as bigint,
    seqincrement: v[S.seqincrement] as bigint,
    seqmax: v[S.seqmax] as bigint,
    seqmin: v[S.seqmin] as bigint,
    seqcache: v[S.seqcache] as bigint,
    seqcycle: v[S.seqcycle] as boolean,
  };
}

/** ALTER TABLE ADD COLUMN's catalog part; returns the new attnum. Existing rows read the column as NULL until the caller rewrites them. */
export function addColumn(cat: Catalog, relid: number, column: ColumnSpec): number {
  const rel = cat.getRelation(relid);
  const attname = nameIn(column.attname);
  if (rel.attrs.some((a) => !a.attisdropped && a.attname === attname)) {
    throw new PgError(CATALOG_SQLSTATE.duplicate_column, `column "${attname}" of relation "${rel.relname}" already exists`);
  }
  const attnum = rel.attrs.length + 1;
  cat.heaps.insert(AttributeRelationId, attributeRowValues({
    attrelid: relid, attname, type: catalogTypeByOid(column.atttypid), attnum, atttypmod: column.atttypmod,
    attnotnull: column.attnotnull, attidentity: column.attidentity ?? '', attgenerated: column.attgenerated ?? '',
  }));
  // A first toastable column needs a TOAST table (PostgreSQL's AlterTableCreateToastTable after ADD COLUMN).
  const type = catalogTypeByOid(column.atttypid);
  const needsToast = rel.heap !== null && rel.heap.toast === null && type.typlen === -1 && type.typstorage !== 'p';
  const toastOid = needsToast ? createToastTable(cat, relid) : 0;
  updateClass(cat, relid, (v) => {
    v[CL.relnatts] = attnum;
    if (toastOid !== 0) v[CL.reltoastrelid] = toastOid;
  });
  cat.commandCounterIncrement();
  return attnum;
}

/** TOAST storage for an existing table: a heap with the TOAST columns, its pg_class/pg_attribute rows and its dependency. */
function createToastTable(cat: Catalog, relid: number): number {
  const columns: ColumnDef[] = [
    { name: 'chunk_id', type: catalogTypeByOid(OIDOID) },
    { name: 'chunk_seq', type: catalogTypeByOid(INT4OID) },
    { name: 'chunk_data', type: catalogTypeByOid(BYTEAOID), storage: 'p' },
  ];
  const toast = cat.engine.createRelation(`pg_toast_${relid}`, columns);
  cat.heaps.insert(RelationRelationId, classRowValues({
    oid: toast.oid, relname: `pg_toast_${relid}`, relnamespace: PG_TOAST_NAMESPACE, relkind: 't', relnatts: toast.desc.natts,
    relfrozenxid: cat.engine.xact.getCurrentTransactionId(),
  }));
  cat.heaps.insertMany(AttributeRelationId, [...attributeRowsForDesc(toast.oid, toast.desc), ...systemAttributeRows(toast.oid)]);
  recordDependencyOn(cat, relationAddress(toast.oid), relationAddress(relid), 'i');
  return toast.oid;
}

/**
 * ALTER TABLE DROP COLUMN: through performDeletion, so what depends on the
 * column (its default, indexes and constraints on it, views reading it)
 * goes with it or stops the drop (RESTRICT).
 */
export function dropColumn(cat: Catalog, relid: number, attnum: number, behavior: 'DROP_RESTRICT' | 'DROP_CASCADE' = 'DROP_RESTRICT', notice: NoticeFn = () => {}): void {
  cat.performDeletion([{ classId: RelationRelationId, objectId: relid, objectSubId: attnum }], behavior, notice);
}

/** RemoveAttributeById: the column stays in pg_attribute (old tuples still hold it) under PostgreSQL's dropped name. */
export function markColumnDropped(cat: Catalog, relid: number, attnum: number): void {
  updateAttribute(cat, relid, attnum, (v) => {
    v[AT.attname] = `........pg.dropped.${attnum}........`;
    v[AT.atttypid] = 0;
    v[AT.attnotnull] = false;
    v[AT.atthasdef] = false;
    v[AT.attidentity] = '';
    v[AT.attgenerated] = '';
    v[AT.attisdropped] = true;
    v[AT.attstattarget] = null;
  });
  for (const row of cat.heaps.findAll(StatisticRelationId, (v) => v[Anum_pg_statistic.starelid] === relid && v[Anum_pg_statistic.staattnum] === attnum)) {
    cat.heaps.delete(StatisticRelationId, row.tid);
  }
}

/** ALTER TABLE / INDEX / VIEW / SEQUENCE ... RENAME TO. */
export function renameRelation(cat: Catalog, relid: number, newname: string): void {
  const rel = cat.getRelation(relid);
  const relname = nameIn(newname);
  if (cat.syscache.relnameNsp(rel.relnamespace, relname) !== 0) throw relationAlreadyExists(relname);
  updateClass(cat, relid, (v) => {
    v[CL.relname] = relname;
  });
  cat.invalidate({ kind: 'catcache', cacheId: 'RELNAMENSP' });
  // An index's name is part of its table's entry (IndexInfo.name).
  const ix = cat.heaps.findOne(IndexRelationId, (v) => v[Anum_pg_index.indexrelid] === relid);
  if (ix !== null) cat.invalidate({ kind: 'relcache', relId: ix.values[Anum_pg_index.indrelid] as number });
  cat.commandCounterIncrement();
}

/** ALTER TABLE RENAME COLUMN. */
export function renameColumn(cat: Catalog, relid: number, oldname: string, newname: string): void {
  const rel = cat.getRelation(relid);
  const from = nameIn(oldname);
  const to = nameIn(newname);
  const att = rel.attrs.find((a) => !a.attisdropped && a.attname === from);
  if (att === undefined) throw new PgError(CATALOG_SQLSTATE.undefined_column, `column "${from}" does not exist`);
  if (rel.attrs.some((a) => !a.attisdropped && a.attname === to)) {
    throw new PgError(CATALOG_SQLSTATE.duplicate_column, `column "${to}" of relation "${rel.relname}" already exists`);
  }
  updateAttribute(cat, relid, att.attnum, (v) => {
    v[AT.attname] = to;
  });
  // Index columns are named after table columns in their own pg_attribute rows.
  for (const ix of rel.indexes) {
    ix.indkey.forEach((k, i) => {
      if (k === att.attnum) {
        updateAttribute(cat, ix.indexrelid, i + 1, (v) => {
          v[AT.attname] = to;
        });
      }
    });
  }
  cat.commandCounterIncrement();
}

/** ALTER COLUMN SET / DROP NOT NULL (the caller checked the existing rows). */
export function setNotNull(cat: Catalog, relid: number, attnum: number, notNull: boolean): void {
  updateAttribute(cat, relid, attnum, (v) => {
    v[AT.attnotnull] = notNull;
  });
  cat.commandCounterIncrement();
}

/** ALTER COLUMN ADD / DROP IDENTITY's pg_attribute part. */
export function setIdentity(cat: Catalog, relid: number, attnum: number, identity: '' | 'a' | 'd'): void {
  updateAttribute(cat, relid, attnum, (v) => {
    v[AT.attidentity] = identity;
  });
  cat.commandCounterIncrement();
}

/** VACUUM / ANALYZE / CREATE INDEX: pg_class.relpages and reltuples. */
export function updateRelStats(cat: Catalog, oid: number, relpages: number, reltuples: number): void {
  updateClass(cat, oid, (v) => {
    v[CL.relpages] = relpages;
    v[CL.reltuples] = reltuples;
  });
  const ix = cat.heaps.findOne(IndexRelationId, (v) => v[Anum_pg_index.indexrelid] === oid);
  if (ix !== null) cat.invalidate({ kind: 'relcache', relId: ix.values[Anum_pg_index.indrelid] as number });
  cat.commandCounterIncrement();
}

/** Sets pg_class.relhasindex / relchecks / relhastriggers / stats of a table in one row update (index.ts). */
export function setClassFlags(
  cat: Catalog, relid: number,
  flags: { relhasindex?: boolean; relchecksDelta?: number; relhastriggers?: boolean; relpages?: number; reltuples?: number },
): void {
  updateClass(cat, relid, (v) => {
    if (flags.relpages !== undefined) v[CL.relpages] = flags.relpages;
    if (flags.reltuples !== undefined) v[CL.reltuples] = flags.reltuples;
    if (flags.relhasindex !== undefined) v[CL.relhasindex] = flags.relhasindex;
    if (flags.relchecksDelta !== undefined) v[CL.relchecks] = Math.max(0, (v[CL.relchecks] as number) + flags.relchecksDelta);
    if (flags.relhastriggers !== undefined) v[CL.relhastriggers] = flags.relhastriggers;
  });
}

/**
 * heap_drop_with_catalog / index_drop: the relation's rows in pg_class,
 * pg_attribute, pg_index, pg_statistic, pg_sequence, its view rule, and its
 * storage (removed at commit). Dependent objects are performDeletion's job.
 */
export function removeRelationRows(cat: Catalog, relid: number): void {
  // Through pg_class_oid_index and pg_attribute_relid_attnum_index, as RelationRemoveAttributes does:
  // a DROP reads the few rows of its relation, not every row of both catalogs.
  const cls = cat.heaps.lookup(RelationRelationId, ClassOidIndexId, [relid], (v) => v[CL.oid] === relid)[0];
  if (cls === undefined) return;
  const relkind = cls.values[CL.relkind] as RelKind;
  if (relkind === 'i') {
    const ix = cat.heaps.findOne(IndexRelationId, (v) => v[Anum_pg_index.indexrelid] === relid);
    if (ix !== null) {
      const heapOid = ix.values[Anum_pg_index.indrelid] as number;
      // Building the table's entry attaches its indexes (after a restart they may not be yet), so dropIndex below has a handle.
      if (cat.relcache.indexHandle(relid) === undefined) cat.getRelation(heapOid);
      cat.heaps.delete(IndexRelationId, ix.tid);
      // Like index_drop, relhasindex stays set; the relcache finds no pg_index row.
      cat.invalidate({ kind: 'relcache', relId: heapOid });
    }
    const index = cat.relcache.indexHandle(relid);
    if (index !== undefined) cat.engine.dropIndex(index);
  } else if (relkind === 'r' || relkind === 'S' || relkind === 'm') {
    const heap = cat.getRelation(relid).heap;
    if (heap !== null) cat.engine.dropRelation(heap);
  }
  cat.heaps.delete(RelationRelationId, cls.tid);
  for (const row of cat.heaps.lookup(AttributeRelationId, AttributeRelidNumIndexId, [relid], (v) => v[AT.attrelid] === relid)) cat.heaps.delete(AttributeRelationId, row.tid);
  for (const row of cat.heaps.findAll(StatisticRelationId, (v) => v[Anum_pg_statistic.starelid] === relid)) cat.heaps.delete(StatisticRelationId, row.tid);
  for (const row of cat.heaps.findAll(SequenceRelationId, (v) => v[Anum_pg_sequence.seqrelid] === relid)) cat.heaps.delete(SequenceRelationId, row.tid);
  cat.invalidate({ kind: 'relcache', relId: relid });
  cat.invalidate({ kind: 'catcache', cacheId: 'RELNAMENSP' });
}

/** Deletes a pg_rewrite row (a view's rule goes with its view). */
export function removeRewriteRule(cat: Catalog, ruleOid: number): void {
  const row = cat.heaps.findOne(RewriteRelationId, (v) => v[Anum_pg_rewrite.oid] === ruleOid);
  if (row === null) return;
  cat.heaps.delete(RewriteRelationId, row.tid);
  cat.invalidate({ kind: 'relcache', relId: row.values[Anum_pg_rewrite.ev_class] as number });
}
