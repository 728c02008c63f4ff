/*
 * index.ts — CREATE INDEX and table constraints in the catalogs
 * (PostgreSQL's catalog/index.c index_create / index_constraint_create,
 * catalog/pg_constraint.c CreateConstraintEntry, and the name choosers of
 * commands/indexcmds.c).
 *
 * Exports:
 *   indexCreate(cat, spec)       the B-tree (StorageEngine.createIndex), its pg_class,
 *                                pg_attribute and pg_index rows, and for PRIMARY KEY /
 *                                UNIQUE constraints their pg_constraint row
 *   addConstraint(cat, spec)     CHECK, FOREIGN KEY (or a UNIQUE / PRIMARY KEY row over
 *                                an existing index) in pg_constraint, with pg_depend rows
 *   makeObjectName(n1, n2, label), chooseConstraintName(cat, n1, n2, label, nsp)
 *                                PostgreSQL's default names (t_pkey, t_a_key, t_a_check, t_b_fkey)
 *
 * Dependencies recorded (as PostgreSQL does):
 *   plain index         -> each key column          'a'
 *   constraint's index  -> its constraint           'i'
 *   PK/UNIQUE/CHECK     -> each constrained column  'a' (CHECK without columns: the table)
 *   FOREIGN KEY         -> its columns 'a', the referenced columns 'n', the referenced index 'n'
 */

import type { Expr } from '../nodes/primnodes.ts';
import type { IndexBuildStats } from '../engine.ts';
import type { ConstraintType } from '../utils/rel.ts';
import { nameIn, NAMEDATALEN } from '../utils/adt/text.ts';
import { utf8Encode } from '../utils/adt/text.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import type { Catalog } from './catalog.ts';
import { CATALOG_SQLSTATE } from './catalog.ts';
import { INT2ARRAYOID } from './catalogtypes.ts';
import { catalogTypeByOid, intListDatum } from './pg_type.ts';
import { attributeRowValues, classRowValues, indexRowValues } from './bootstrap.ts';
import { encodeNodeTree } from './nodetree.ts';
import { INDOPTION_DESC, INDOPTION_NULLS_FIRST } from '../access/nbtree/nbtree.ts';
import {
  Anum_pg_constraint, AttributeRelationId, BTREE_AM_OID, ConstraintRelationId, IndexRelationId, RelationRelationId,
} from './schemapg.ts';
import { collectRelationReferences, setClassFlags } from './heap.ts';
import { recordDependencyOn, relationAddress, type ObjectAddress } from './dependency.ts';

export interface IndexKeySpec {
  attnum: number;
  desc: boolean;
  nullsFirst: boolean;
}

export interface IndexCreateSpec {
  indexName: string;
  relnamespace: number;
  heapOid: number;
  keys: readonly IndexKeySpec[];
  unique: boolean;
  primary: boolean;
  /** PRIMARY KEY / UNIQUE constraint: its name (usually the index's); absent for CREATE INDEX. */
  constraintName?: string;
  fillfactor?: number;
  /** CREATE INDEX IF NOT EXISTS: an existing relation of that name makes the call return 0. */
  ifNotExists?: boolean;
}

export interface ConstraintSpec {
  /** Chosen as PostgreSQL does (t_a_check, t_a_fkey) when absent. */
  conname?: string;
  relid: number;
  contype: ConstraintType;
  conkey: readonly number[];
  /** CHECK: the analyzed expression and its source text. */
  conbin?: Expr | null;
  consrc?: string;
  /** UNIQUE / PRIMARY KEY over an existing index; FOREIGN KEY: the referenced table's unique index. */
  conindid?: number;
  confrelid?: number;
  confkey?: readonly number[];
  confupdtype?: string;
  confdeltype?: string;
  confmatchtype?: string;
  condeferrable?: boolean;
  condeferred?: boolean;
  connoinherit?: boolean;
  /** NOT VALID (FOREIGN KEY / CHECK added without checking existing rows). */
  convalidated?: boolean;
}

const CO = Anum_pg_constraint;

/** The byte length of a UTF-8 string. */
function byteLength(s: string): number {
  return utf8Encode(s).length;
}

/** Cuts a name to at most `bytes` UTF-8 bytes without splitting a character (pg_mbcliplen). */
function clip(s: string, bytes: number): string {
  let out = s;
  while (byteLength(out) > bytes) out = out.slice(0, -1);
  return out;
}

/** makeObjectName: name1_name2_label, shortening the longer of name1/name2 until it fits in 63 bytes. */
export function makeObjectName(name1: string, name2: string, label: string): string {
  let n1 = name1;
  let n2 = name2;
  const overhead = (n2 !== '' ? 1 : 0) + (label !== '' ? label.length + 1 : 0);
  const avail = NAMEDATALEN - 1 - overhead;
  while (byteLength(n1) + byteLength(n2) > avail) {
    if (byteLength(n1) > byteLength(n2)) n1 = clip(n1, byteLength(n1) - 1);
    else n2 = clip(n2, byteLength(n2) - 1);
  }
  let name = n1;
  if (n2 !== '') name += `_${n2}`;
  if (label !== '') name += `_${label}`;
  return name;
}

/** ChooseConstraintName: makeObjectName plus a number (t_a_check1, ...) until no constraint of the namespace has it. */
export function chooseConstraintName(cat: Catalog, name1: string, name2: string, label: string, nsp: number): string {
  const used = new Set<string>();
  cat.heaps.scan(ConstraintRelationId, (v) => {
    if (v[CO.connamespace] === nsp) used.add(v[CO.conname] as string);
  });
  for (let pass = 0; ; pass++) {
    const name = pass === 0 ? makeObjectName(name1, name2, label) : makeObjectName(name1, name2, `${label}${pass}`);
    if (!used.has(name)) return name;
  }
}

function columnAddress(relid: number, attnum: number): ObjectAddress {
  return { classId: RelationRelationId, objectId: relid, objectSubId: attnum };
}

/** index_create: returns the index's OID (0 when it exists and ifNotExists). */
export function indexCreate(cat: Catalog, spec: IndexCreateSpec): number {
  const heapInfo = cat.getRelation(spec.heapOid);
  if (heapInfo.heap === null || (heapInfo.relkind !== 'r' && heapInfo.relkind !== 'm')) {
    throw new PgError(CATALOG_SQLSTATE.wrong_object_type, `cannot create index on relation "${heapInfo.relname}"`, { detail: `This operation is not supported for ${heapInfo.relkind === 'v' ? 'views' : 'this kind of relation'}.` });
  }
  const name = nameIn(spec.indexName);
  if (cat.syscache.relnameNsp(spec.relnamespace, name) !== 0) {
    if (spec.ifNotExists === true) return 0;
    throw new PgError(SQLSTATE.duplicate_table, `relation "${name}" already exists`);
  }
  const keyAttrs = spec.keys.map((k) => {
    const a = heapInfo.attrs[k.attnum - 1];
    if (a === undefined || a.attisdropped) throw new PgError(CATALOG_SQLSTATE.undefined_column, `column number ${k.attnum} of relation "${heapInfo.relname}" does not exist`);
    return a;
  });
  let built: IndexBuildStats | null = null;
  const index = cat.engine.createIndex(heapInfo.heap, name, {
    columns: spec.keys.map((k, i) => ({
      name: keyAttrs[i].attname, type: catalogTypeByOid(keyAttrs[i].atttypid), typmod: keyAttrs[i].atttypmod,
      desc: k.desc, nullsFirst: k.nullsFirst, heapAttnum: k.attnum,
    })),
    unique: spec.unique,
    ...(spec.fillfactor !== undefined ? { fillfactor: spec.fillfactor } : {}),
  }, (stats) => {
    built = stats;
  });
  cat.relcache.rememberIndex(index);
  const oid = index.oid;
  // index_update_stats: both relations' pg_class stats come from what the build counted (no second pass).
  const b = built as IndexBuildStats | null;
  const stats = b !== null ? { pages: b.indexPages, tuples: b.indexTuples } : cat.engine.indexStats(index);
  cat.heaps.insert(RelationRelationId, classRowValues({
    oid, relname: name, relnamespace: spec.relnamespace, relkind: 'i', relnatts: spec.keys.length, relam: BTREE_AM_OID,
    relpages: stats.pages, reltuples: stats.tuples,
  }));
  cat.heaps.insertMany(AttributeRelationId, keyAttrs.map((a, i) => attributeRowValues({
    attrelid: oid, attname: a.attname, type: catalogTypeByOid(a.atttypid), attnum: i + 1, atttypmod: a.atttypmod,
  })));
  const indoption = spec.keys.map((k) => (k.desc ? INDOPTION_DESC : 0) | (k.nullsFirst ? INDOPTION_NULLS_FIRST : 0));
  cat.heaps.insert(IndexRelationId, indexRowValues(oid, spec.heapOid, spec.keys.map((k) => k.attnum), indoption, spec.unique, spec.primary));
  const heapStats = b !== null ? { relpages: b.heapPages, reltuples: b.heapLiveTuples } : cat.engine.relationStats(heapInfo.heap);
  // As index_update_stats: an empty table never vacuumed keeps reltuples -1, so an index made with
  // CREATE TABLE does not make the table look analyzed (and tiny) to the planner.
  const heapTuples = heapStats.reltuples === 0 && heapInfo.reltuples < 0 ? -1 : heapStats.reltuples;
  setClassFlags(cat, spec.heapOid, { relhasindex: true, relpages: heapStats.relpages, reltuples: heapTuples });
  if (spec.primary) {
    for (const a of keyAttrs) {
      if (!a.attnotnull) cat.setNotNull(spec.heapOid, a.attnum, true);
    }
  }
  if (spec.constraintName !== undefined || spec.primary) {
    const conOid = insertConstraintRow(cat, {
      conname: spec.constraintName ?? name, relid: spec.heapOid, contype: spec.primary ? 'p' : 'u',
      conkey: spec.keys.map((k) => k.attnum), conindid: oid,
    }, heapInfo.relnamespace);
    recordDependencyOn(cat, relationAddress(oid), { classId: ConstraintRelationId, objectId: conOid, objectSubId: 0 }, 'i');
  } else {
    for (const k of spec.keys) recordDependencyOn(cat, relationAddress(oid), columnAddress(spec.heapOid, k.attnum), 'a');
  }
  cat.invalidate({ kind: 'relcache', relId: spec.heapOid });
  cat.invalidate({ kind: 'relcache', relId: oid });
  cat.invalidate({ kind: 'catcache', cacheId: 'RELNAMENSP' });
  cat.commandCounterIncrement();
  return oid;
}

/** CreateConstraintEntry: the pg_constraint row and its dependencies on the table's columns; returns its OID. */
function insertConstraintRow(cat: Catalog, spec: ConstraintSpec & { conname: string }, nsp: number): number {
  const rel = cat.getRelation(spec.relid);
  const conname = nameIn(spec.conname);
  const clash = cat.heaps.findOne(ConstraintRelationId, (v) => v[CO.conrelid] === spec.relid && v[CO.conname] === conname);
  if (clash !== null) {
    throw new PgError(CATALOG_SQLSTATE.duplicate_object, `constraint "${conname}" for relation "${rel.relname}" already exists`);
  }
  const oid = cat.newOid();
  const isFk = spec.contype === 'f';
  cat.heaps.insert(ConstraintRelationId, [
    oid, conname, nsp, spec.contype,
    spec.condeferrable ?? false, spec.condeferred ?? false, true, spec.convalidated ?? true,
    spec.relid, 0, spec.conindid ?? 0, 0,
    spec.confrelid ?? 0, isFk ? (spec.confupdtype ?? 'a') : ' ', isFk ? (spec.confdeltype ?? 'a') : ' ', isFk ? (spec.confmatchtype ?? 's') : ' ',
    // PostgreSQL marks every constraint but CHECK connoinherit (they are never inherited).
    true, 0, spec.connoinherit ?? spec.contype !== 'c', false,
    intListDatum(INT2ARRAYOID, spec.conkey) as never,
    isFk ? intListDatum(INT2ARRAYOID, spec.confkey ?? []) as never : null,
    spec.conbin !== undefined && spec.conbin !== null ? encodeNodeTree(spec.conbin, spec.consrc ?? '') : null,
  ]);
  const self: ObjectAddress = { classId: ConstraintRelationId, objectId: oid, objectSubId: 0 };
  if (spec.conkey.length > 0) {
    for (const attnum of spec.conkey) recordDependencyOn(cat, self, columnAddress(spec.relid, attnum), 'a');
  } else {
    recordDependencyOn(cat, self, relationAddress(spec.relid), 'a');
  }
  cat.invalidate({ kind: 'relcache', relId: spec.relid });
  return oid;
}

/** Adds a CHECK or FOREIGN KEY constraint (or a PRIMARY KEY / UNIQUE row over an existing index); returns its OID. */
export function addConstraint(cat: Catalog, spec: ConstraintSpec): number {
  const rel = cat.getRelation(spec.relid);
  const nsp = rel.relnamespace;
  // A CHECK expression's Vars (varno 1) are the table's columns: walk it as the qual of a one-table query.
  const exprRefs = spec.contype === 'c' && spec.conbin != null
    ? collectRelationReferences({ type: 'Query', rtable: [{ type: 'RangeTblEntry', rtekind: 'RTE_RELATION', relid: spec.relid }], quals: spec.conbin })
    : [];
  let conkey = spec.conkey;
  if (spec.contype === 'c' && conkey.length === 0) {
    conkey = exprRefs.filter((r) => r.relid === spec.relid && r.attnum > 0).map((r) => r.attnum);
  }
  const colName = (attnums: readonly number[]): string => attnums.map((n) => rel.attrs[n - 1]?.attname ?? '').join('_');
  let conname = spec.conname;
  if (conname === undefined) {
    const label = spec.contype === 'c' ? 'check' : spec.contype === 'f' ? 'fkey' : spec.contype === 'p' ? 'pkey' : 'key';
    const col = spec.contype === 'p' ? '' : spec.contype === 'c' && conkey.length !== 1 ? '' : colName(conkey);
    conname = chooseConstraintName(cat, rel.relname, col, label, nsp);
  }
  const oid = insertConstraintRow(cat, { ...spec, conkey, conname }, nsp);
  const self: ObjectAddress = { classId: ConstraintRelationId, objectId: oid, objectSubId: 0 };
  if (spec.contype === 'c') {
    setClassFlags(cat, spec.relid, { relchecksDelta: 1 });
    // recordDependencyOnSingleRelExpr: what the expression reads, its own table's columns included, as normal dependencies.
    for (const ref of exprRefs) {
      if (ref.relid !== spec.relid || ref.attnum !== 0) recordDependencyOn(cat, self, { classId: RelationRelationId, objectId: ref.relid, objectSubId: ref.attnum }, 'n');
    }
  } else if (spec.contype === 'f') {
    const confrelid = spec.confrelid ?? 0;
    for (const attnum of spec.confkey ?? []) recordDependencyOn(cat, self, columnAddress(confrelid, attnum), 'n');
    if ((spec.conindid ?? 0) !== 0) recordDependencyOn(cat, self, relationAddress(spec.conindid as number), 'n');
    setClassFlags(cat, spec.relid, { relhastriggers: true });
    if (confrelid !== spec.relid) setClassFlags(cat, confrelid, { relhastriggers: true });
  } else if ((spec.conindid ?? 0) !== 0) {
    recordDependencyOn(cat, relationAddress(spec.conindid as number), self, 'i');
  }
  cat.commandCounterIncrement();
  return oid;
}
