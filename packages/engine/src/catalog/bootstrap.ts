/*
 * bootstrap.ts — initdb for the catalogs (PostgreSQL's bootstrap mode:
 * genbki's postgres.bki run by initdb), and the row builders for pg_class,
 * pg_attribute and pg_type that DDL uses too (heap.c's
 * InsertPgClassTuple / InsertPgAttributeTuples).
 *
 * Exports:
 *   bootstrapCatalogHeaps(engine)   creates every catalog heap with its fixed OID
 *   openCatalogHeaps(engine)        re-attaches them after a restart (compiled-in descriptors)
 *   catalogsExist(engine)           whether pg_class's file exists
 *   fillBootstrapRows(heaps, ...)   the initdb rows: namespaces, the catalogs' own
 *                                   pg_class/pg_attribute rows, pg_type, pg_proc,
 *                                   pg_operator, pg_cast, pg_aggregate
 *   bootstrapCatalogIndexes / openCatalogIndexes   the catalog indexes (schemapg.ts)
 *   classRowValues, attributeRowValues, attributeRowsForDesc, systemAttributeRows,
 *   typeRowValues, indexRowValues   row builders
 *   BuiltinSource, FMGR_BUILTINS    where the pg_proc/pg_operator/pg_cast/pg_aggregate rows come from
 *
 * Bootstrap runs in one transaction: a crash during initdb leaves an
 * uncommitted, invisible half-catalog, and Catalog.open refuses it.
 */

import type { StorageEngine } from '../engine.ts';
import { STORAGE_DB_OID } from '../engine.ts';
import type { Relation } from '../access/heap/relation.ts';
import type { IndexKeyColumn, IndexRelation } from '../access/nbtree/nbtree.ts';
import type { TupleValue } from '../access/common/heaptuple.ts';
import type { TupleDesc } from '../access/common/tupdesc.ts';
import type { TypeInfo } from '../utils/adt/datum.ts';
import { TYPES, NAMEOID, OIDOID, TIDOID } from '../utils/adt/types.ts';
import type { AggregateInfo, CastInfo, FunctionInfo, OperatorInfo } from '../utils/fmgr/fmgrtypes.ts';
import { allAggregates, allCasts, allFunctions, allOperators } from '../utils/fmgr/fmgrtab.ts';
import { DEFAULTTABLESPACE_OID, ForkNumber } from '../storage/relfilelocator.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import type { RelKind } from '../nodes/parsenodes.ts';
import type { CatalogHeaps } from './indexing.ts';
import {
  AggregateRelationId, AttributeRelationId, BOOTSTRAP_SUPERUSERID, CATALOGS, CastRelationId, C_COLLATION_OID, DEFAULT_COLLATION_OID,
  BTREE_AM_OID, CATALOG_INDEXES, IndexRelationId, FirstGenbkiObjectId, HEAP_TABLE_AM_OID, type CatalogIndexDef, INFORMATION_SCHEMA_NAMESPACE, INTERNALlanguageId, NamespaceRelationId, OperatorRelationId,
  PG_CATALOG_NAMESPACE, PG_PUBLIC_NAMESPACE, PG_TOAST_NAMESPACE, ProcedureRelationId, RelationRelationId, TypeRelationId,
  catalogTupleDesc, type CatalogDef,
} from './schemapg.ts';
import { CATALOG_ONLY_TYPES, CIDOID, INT2VECTOROID, OIDVECTOROID, PGNODETREEOID, XIDOID } from './catalogtypes.ts';
import { catalogTypeByOid, intListDatum } from './pg_type.ts';

/** The rows pg_proc, pg_operator, pg_cast and pg_aggregate are filled from (utils/fmgr/fmgrtab.ts by default). */
export interface BuiltinSource {
  functions(): readonly FunctionInfo[];
  operators(): readonly OperatorInfo[];
  casts(): readonly CastInfo[];
  aggregates(): readonly AggregateInfo[];
}

export const FMGR_BUILTINS: BuiltinSource = {
  functions: allFunctions,
  operators: allOperators,
  casts: allCasts,
  aggregates: allAggregates,
};

// ---------------------------------------------------------------- heaps

/** Creates every catalog heap (and its TOAST table) with PostgreSQL's OIDs. */
export function bootstrapCatalogHeaps(engine: StorageEngine): Map<number, Relation> {
  const heaps = new Map<number, Relation>();
  for (const def of CATALOGS) {
    const desc = catalogTupleDesc(def);
    const columns = desc.attrs.map((a, i) => ({ name: a.attname, type: desc.types[i], typmod: -1, notNull: a.attnotnull }));
    const rel = engine.createRelation(def.relname, columns, { oid: def.oid, ...(def.toastOid !== 0 ? { toastOid: def.toastOid } : {}) });
    if ((rel.toast?.oid ?? 0) !== def.toastOid) throw new PgError(SQLSTATE.internal_error, `catalog ${def.relname}: TOAST table OID mismatch`);
    heaps.set(def.oid, rel);
  }
  return heaps;
}

/** Whether the data directory has catalogs (pg_class's file exists). */
export function catalogsExist(engine: StorageEngine): boolean {
  return engine.smgr.exists({ spcOid: DEFAULTTABLESPACE_OID, dbOid: STORAGE_DB_OID, relNumber: RelationRelationId }, ForkNumber.MAIN);
}

/** Re-attaches the catalog heaps after a restart: their descriptors are compiled in (schemapg.ts). */
export function openCatalogHeaps(engine: StorageEngine): Map<number, Relation> {
  if (!catalogsExist(engine)) {
    throw new PgError('3D000', 'database has no system catalogs; run Catalog.bootstrap first', { hint: 'A fresh data directory is initialized by Catalog.bootstrap (initdb).' });
  }
  const heaps = new Map<number, Relation>();
  for (const def of CATALOGS) {
    heaps.set(def.oid, engine.openRelation({ oid: def.oid, name: def.relname, desc: catalogTupleDesc(def), toastOid: def.toastOid !== 0 ? def.toastOid : null }));
  }
  return heaps;
}

/** The key columns of a catalog index, from the catalog's compiled-in descriptor. */
function catalogIndexColumns(def: CatalogIndexDef, heap: Relation): IndexKeyColumn[] {
  return def.columns.map((name) => {
    const i = heap.desc.attrs.findIndex((a) => a.attname === name);
    if (i < 0) throw new PgError(SQLSTATE.internal_error, `catalog index ${def.relname}: no column ${name}`);
    return { name, type: heap.desc.types[i], typmod: -1, heapAttnum: i + 1 };
  });
}

/**
 * Builds the catalog indexes over the filled catalogs, one btbuild each
 * (sorted bulk load, no per-row index insertion). Their pg_class,
 * pg_attribute and pg_index rows, and relhasindex of the indexed catalogs,
 * were written with the other rows by fillBootstrapRows.
 */
export function bootstrapCatalogIndexes(engine: StorageEngine, catalogRels: ReadonlyMap<number, Relation>): Map<number, IndexRelation> {
  const out = new Map<number, IndexRelation>();
  for (const def of CATALOG_INDEXES) {
    const heap = catalogRels.get(def.heapOid) as Relation;
    out.set(def.oid, engine.createIndex(heap, def.relname, { columns: catalogIndexColumns(def, heap), unique: def.unique, oid: def.oid }));
  }
  return out;
}

/** The pg_class, pg_attribute and pg_index rows describing the catalog indexes (index_create's rows). */
function catalogIndexRows(catalogRels: ReadonlyMap<number, Relation>, classRows: (TupleValue | null)[][], attRows: (TupleValue | null)[][], indexRows: (TupleValue | null)[][]): void {
  for (const def of CATALOG_INDEXES) {
    const columns = catalogIndexColumns(def, catalogRels.get(def.heapOid) as Relation);
    classRows.push(classRowValues({
      oid: def.oid, relname: def.relname, relnamespace: PG_CATALOG_NAMESPACE, relkind: 'i', relnatts: columns.length, relam: BTREE_AM_OID,
    }));
    for (let i = 0; i < columns.length; i++) attRows.push(attributeRowValues({ attrelid: def.oid, attname: columns[i].name, type: columns[i].type, attnum: i + 1 }));
    indexRows.push(indexRowValues(def.oid, def.heapOid, columns.map((c) => c.heapAttnum as number), columns.map(() => 0), def.unique, false));
  }
}

/** Re-attaches the catalog indexes after a restart. */
export function openCatalogIndexes(engine: StorageEngine, catalogRels: ReadonlyMap<number, Relation>): Map<number, IndexRelation> {
  const out = new Map<number, IndexRelation>();
  for (const def of CATALOG_INDEXES) {
    const heap = catalogRels.get(def.heapOid) as Relation;
    out.set(def.oid, engine.openIndex(heap, { oid: def.oid, name: def.relname, columns: catalogIndexColumns(def, heap), unique: def.unique }));
  }
  return out;
}

// ---------------------------------------------------------------- row builders

/** A pg_index row (index_create's UpdateIndexRelation). */
export function indexRowValues(indexrelid: number, indrelid: number, attnums: readonly number[], indoption: readonly number[], unique: boolean, primary: boolean): TupleValue[] {
  return [
    indexrelid, indrelid, attnums.length, attnums.length,
    unique, false, primary,
    false, true, false, true,
    false, true, true, false,
    intListDatum(INT2VECTOROID, attnums) as TupleValue, intListDatum(INT2VECTOROID, indoption) as TupleValue,
  ];
}

export interface ClassRowSpec {
  oid: number;
  relname: string;
  relnamespace: number;
  relkind: RelKind;
  relnatts: number;
  reltoastrelid?: number;
  relam?: number;
  relhasindex?: boolean;
  relchecks?: number;
  relhasrules?: boolean;
  relhastriggers?: boolean;
  relpages?: number;
  reltuples?: number;
  relfrozenxid?: number;
  relreplident?: string;
}

/** A pg_class row (InsertPgClassTuple). */
export function classRowValues(s: ClassRowSpec): TupleValue[] {
  const hasStorage = s.relkind !== 'v' && s.relkind !== 'c' && s.relkind !== 'f' && s.relkind !== 'p';
  const frozen = s.relkind === 'r' || s.relkind === 't' || s.relkind === 'm';
  return [
    s.oid, s.relname, s.relnamespace, 0, 0,
    BOOTSTRAP_SUPERUSERID, s.relam ?? (hasStorage && s.relkind !== 'S' && s.relkind !== 'i' ? HEAP_TABLE_AM_OID : 0), hasStorage ? s.oid : 0, 0,
    s.relpages ?? 0, s.reltuples ?? -1, 0, 0,
    s.reltoastrelid ?? 0, s.relhasindex ?? false, false, 'p',
    s.relkind, s.relnatts, s.relchecks ?? 0, s.relhasrules ?? false,
    s.relhastriggers ?? false, false, false,
    false, true, s.relreplident ?? (s.relkind === 'r' ? 'd' : 'n'),
    false, 0, frozen ? (s.relfrozenxid ?? 3) : 0, frozen ? 1 : 0,
  ];
}

export interface AttributeRowSpec {
  attrelid: number;
  attname: string;
  type: TypeInfo;
  attnum: number;
  atttypmod?: number;
  attnotnull?: boolean;
  atthasdef?: boolean;
  attidentity?: string;
  attgenerated?: string;
  attstorage?: string;
}

/** attcollation: collatable types get the database default, name the "C" collation. */
function collationOf(type: TypeInfo): number {
  if (type.oid === NAMEOID) return C_COLLATION_OID;
  return type.typcategory === 'S' || type.oid === PGNODETREEOID ? DEFAULT_COLLATION_OID : 0;
}

/** A pg_attribute row (InsertPgAttributeTuples). */
export function attributeRowValues(s: AttributeRowSpec): (TupleValue | null)[] {
  const t = s.type;
  const isArray = (t.typelem ?? 0) !== 0 && t.typlen === -1;
  return [
    s.attrelid, s.attname, t.oid, t.typlen, s.attnum,
    s.atttypmod ?? -1, isArray ? 1 : 0, t.typbyval, t.typalign,
    s.attstorage ?? t.typstorage, '', s.attnotnull ?? false, s.atthasdef ?? false,
    false, s.attidentity ?? '', s.attgenerated ?? '', false,
    true, 0, collationOf(t), null,
  ];
}

/** The system columns every heap has (PostgreSQL 18's sysattr.h numbering), as pg_attribute lists them. */
const SYSTEM_COLUMNS: readonly [string, number, number][] = [
  ['tableoid', OIDOID, -6], ['cmax', CIDOID, -5], ['xmax', XIDOID, -4], ['cmin', CIDOID, -3], ['xmin', XIDOID, -2], ['ctid', TIDOID, -1],
];

/** pg_attribute rows of a heap's system columns (AddNewAttributeTuples: every relation but views and composite types). */
export function systemAttributeRows(relid: number): (TupleValue | null)[][] {
  return SYSTEM_COLUMNS.map(([attname, typeOid, attnum]) => attributeRowValues({
    attrelid: relid, attname, type: catalogTypeByOid(typeOid), attnum, attnotnull: true, attstorage: 'p',
  }));
}

/** pg_attribute rows describing a heap's tuple descriptor (the catalogs' own, TOAST tables'). */
export function attributeRowsForDesc(relid: number, desc: TupleDesc): (TupleValue | null)[][] {
  return desc.attrs.map((a, i) => attributeRowValues({
    attrelid: relid, attname: a.attname, type: desc.types[i], attnum: a.attnum, atttypmod: a.atttypmod,
    attnotnull: a.attnotnull, attstorage: a.attstorage,
  }));
}

/** A pg_type row for a built-in type. */
export function typeRowValues(t: TypeInfo): TupleValue[] {
  return [
    t.oid, t.name, PG_CATALOG_NAMESPACE, BOOTSTRAP_SUPERUSERID, t.typlen,
    t.typbyval, t.typtype ?? 'b', t.typcategory, t.typispreferred ?? false,
    true, ',', 0, t.typelem ?? 0,
    t.typarray ?? 0, t.typalign, t.typstorage, false,
    0, -1, 0, collationOf(t),
  ];
}

// ---------------------------------------------------------------- initdb rows

const NAMESPACES: readonly [number, string][] = [
  [PG_CATALOG_NAMESPACE, 'pg_catalog'],
  [PG_TOAST_NAMESPACE, 'pg_toast'],
  [PG_PUBLIC_NAMESPACE, 'public'],
  [INFORMATION_SCHEMA_NAMESPACE, 'information_schema'],
];

function catalogClassRows(def: CatalogDef, rel: Relation): (TupleValue | null)[][] {
  const rows: (TupleValue | null)[][] = [classRowValues({
    oid: def.oid, relname: def.relname, relnamespace: PG_CATALOG_NAMESPACE, relkind: 'r',
    relnatts: def.columns.length, reltoastrelid: def.toastOid, relreplident: 'n',
    relhasindex: CATALOG_INDEXES.some((ix) => ix.heapOid === def.oid),
  })];
  if (rel.toast !== null) {
    rows.push(classRowValues({
      oid: rel.toast.oid, relname: `pg_toast_${def.oid}`, relnamespace: PG_TOAST_NAMESPACE, relkind: 't',
      relnatts: rel.toast.desc.natts, relreplident: 'n',
    }));
  }
  return rows;
}

/** Fills the catalogs on a fresh data directory; `heaps` was just made by bootstrapCatalogHeaps. */
export function fillBootstrapRows(heaps: CatalogHeaps, catalogRels: ReadonlyMap<number, Relation>, source: BuiltinSource): void {
  heaps.insertMany(NamespaceRelationId, NAMESPACES.map(([oid, name]) => [oid, name, BOOTSTRAP_SUPERUSERID]));

  const classRows: (TupleValue | null)[][] = [];
  const attRows: (TupleValue | null)[][] = [];
  for (const def of CATALOGS) {
    const rel = catalogRels.get(def.oid) as Relation;
    classRows.push(...catalogClassRows(def, rel));
    attRows.push(...attributeRowsForDesc(def.oid, rel.desc), ...systemAttributeRows(def.oid));
    if (rel.toast !== null) attRows.push(...attributeRowsForDesc(rel.toast.oid, rel.toast.desc), ...systemAttributeRows(rel.toast.oid));
  }
  const indexRows: (TupleValue | null)[][] = [];
  catalogIndexRows(catalogRels, classRows, attRows, indexRows);
  heaps.insertMany(RelationRelationId, classRows);
  heaps.insertMany(AttributeRelationId, attRows);
  heaps.insertMany(IndexRelationId, indexRows);

  const types = new Map<number, TypeInfo>(TYPES);
  for (const t of CATALOG_ONLY_TYPES) if (!types.has(t.oid)) types.set(t.oid, t);
  heaps.insertMany(TypeRelationId, [...types.values()].sort((a, b) => a.oid - b.oid).map(typeRowValues));

  heaps.insertMany(ProcedureRelationId, source.functions().map((f) => [
    f.oid, f.proname, PG_CATALOG_NAMESPACE, BOOTSTRAP_SUPERUSERID, INTERNALlanguageId,
    f.provariadic, f.prokind, false, f.proisstrict,
    f.proretset, f.provolatile, f.proargtypes.length, f.pronargdefaults,
    f.prorettype, intListDatum(OIDVECTOROID, f.proargtypes) as TupleValue,
  ]));
  heaps.insertMany(OperatorRelationId, source.operators().map((o) => [
    o.oid, o.oprname, PG_CATALOG_NAMESPACE, BOOTSTRAP_SUPERUSERID, o.oprkind,
    o.oprcanmerge, o.oprcanhash, o.oprleft, o.oprright,
    o.oprresult, o.oprcom, o.oprnegate, o.oprcode,
  ]));
  // pg_cast rows have no OIDs in the registry; genbki gives such rows OIDs from FirstGenbkiObjectId on.
  let genbkiOid = FirstGenbkiObjectId;
  heaps.insertMany(CastRelationId, source.casts().map((c) => [genbkiOid++, c.castsource, c.casttarget, c.castfunc, c.castcontext, c.castmethod]));
  heaps.insertMany(AggregateRelationId, source.aggregates().map((a) => [a.aggfnoid, 'n', 0, a.aggsortop, a.aggtranstype]));
}
