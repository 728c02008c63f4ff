/*
 * schemapg.ts — the compiled-in descriptors of the system catalogs
 * (PostgreSQL's catalog/pg_*.h headers and the generated schemapg.h).
 *
 * Exports:
 *   the catalog OIDs (RelationRelationId 1259, ...), namespace OIDs
 *   (PG_CATALOG_NAMESPACE 11, PG_PUBLIC_NAMESPACE 2200, ...)
 *   CatalogDef, CATALOGS (every catalog, in bootstrap order), catalogDef(oid)
 *   Anum_pg_class, Anum_pg_attribute, ...: 0-based column positions by name
 *   catalogTupleDesc(def): the TupleDesc a catalog heap is read with
 *
 * A catalog's own descriptor cannot come from pg_attribute (reading
 * pg_attribute needs it first), so it is compiled in here, as PostgreSQL
 * compiles Desc_pg_class etc. into relcache.c. The columns are PostgreSQL's
 * (names, types, order) with some left out — a documented subset, see
 * README.md "Column subsets". Leaving a column out keeps the order of the
 * rest; no column is invented.
 *
 * Fixed-width columns are NOT NULL (PostgreSQL's BKI_FORCE_NOT_NULL rule for
 * a catalog's leading fixed-width columns); varlena columns may be NULL.
 */

import { createTupleDesc, type TupleDesc } from '../access/common/tupdesc.ts';
import { BOOLOID, FLOAT4OID, INT2OID, INT4OID, INT8OID, NAMEOID, OIDOID } from '../utils/adt/types.ts';
import { elog } from '../utils/errors.ts';
import { CHAROID, INT2ARRAYOID, INT2VECTOROID, OIDVECTOROID, PGNODETREEOID, REGPROCOID, XIDOID } from './catalogtypes.ts';
import { catalogTypeByOid } from './pg_type.ts';

// ---------------------------------------------------------------- OIDs

export const TypeRelationId = 1247;
export const AttributeRelationId = 1249;
export const ProcedureRelationId = 1255;
export const RelationRelationId = 1259;
export const AggregateRelationId = 2600;
export const AttrDefaultRelationId = 2604;
export const CastRelationId = 2605;
export const ConstraintRelationId = 2606;
export const DependRelationId = 2608;
export const IndexRelationId = 2610;
export const NamespaceRelationId = 2615;
export const OperatorRelationId = 2617;
export const RewriteRelationId = 2618;
export const StatisticRelationId = 2619;
export const SequenceRelationId = 2224;

export const PG_CATALOG_NAMESPACE = 11;
export const PG_TOAST_NAMESPACE = 99;
export const PG_PUBLIC_NAMESPACE = 2200;
/** initdb creates information_schema after bootstrap, so PostgreSQL's OID for it varies (12424 in PostgreSQL 18); ours is fixed. */
export const INFORMATION_SCHEMA_NAMESPACE = 12424;

/** The bootstrap superuser (pg_authid row "postgres"). */
export const BOOTSTRAP_SUPERUSERID = 10;
/** pg_am: heap and btree. */
export const HEAP_TABLE_AM_OID = 2;
export const BTREE_AM_OID = 403;
/** pg_language "internal": every built-in function. */
export const INTERNALlanguageId = 12;
/** The "C" collation, for attcollation/typcollation of collatable types. */
export const C_COLLATION_OID = 950;
export const DEFAULT_COLLATION_OID = 100;

/** First OID initdb hands to rows without a fixed one (FirstGenbkiObjectId); user objects start at FirstNormalObjectId (16384). */
export const FirstGenbkiObjectId = 10000;

// ---------------------------------------------------------------- definitions

export interface CatalogColumn {
  readonly name: string;
  readonly typeOid: number;
}

export interface CatalogDef {
  readonly oid: number;
  readonly relname: string;
  /** PostgreSQL's fixed OID of the catalog's TOAST table; 0 when the subset has no toastable column. */
  readonly toastOid: number;
  readonly columns: readonly CatalogColumn[];
}

const c = (name: string, typeOid: number): CatalogColumn => ({ name, typeOid });

export const PG_NAMESPACE: CatalogDef = {
  oid: NamespaceRelationId, relname: 'pg_namespace', toastOid: 0,
  columns: [c('oid', OIDOID), c('nspname', NAMEOID), c('nspowner', OIDOID)],
};

export const PG_CLASS: CatalogDef = {
  oid: RelationRelationId, relname: 'pg_class', toastOid: 0,
  columns: [
    c('oid', OIDOID), c('relname', NAMEOID), c('relnamespace', OIDOID), c('reltype', OIDOID), c('reloftype', OIDOID),
    c('relowner', OIDOID), c('relam', OIDOID), c('relfilenode', OIDOID), c('reltablespace', OIDOID),
    c('relpages', INT4OID), c('reltuples', FLOAT4OID), c('relallvisible', INT4OID), c('relallfrozen', INT4OID),
    c('reltoastrelid', OIDOID), c('relhasindex', BOOLOID), c('relisshared', BOOLOID), c('relpersistence', CHAROID),
    c('relkind', CHAROID), c('relnatts', INT2OID), c('relchecks', INT2OID), c('relhasrules', BOOLOID),
    c('relhastriggers', BOOLOID), c('relhassubclass', BOOLOID), c('relrowsecurity', BOOLOID),
    c('relforcerowsecurity', BOOLOID), c('relispopulated', BOOLOID), c('relreplident', CHAROID),
    c('relispartition', BOOLOID), c('relrewrite', OIDOID), c('relfrozenxid', XIDOID), c('relminmxid', XIDOID),
  ],
};

export const PG_ATTRIBUTE: CatalogDef = {
  oid: AttributeRelationId, relname: 'pg_attribute', toastOid: 0,
  columns: [
    c('attrelid', OIDOID), c('attname', NAMEOID), c('atttypid', OIDOID), c('attlen', INT2OID), c('attnum', INT2OID),
    c('atttypmod', INT4OID), c('attndims', INT2OID), c('attbyval', BOOLOID), c('attalign', CHAROID),
    c('attstorage', CHAROID), c('attcompression', CHAROID), c('attnotnull', BOOLOID), c('atthasdef', BOOLOID),
    c('atthasmissing', BOOLOID), c('attidentity', CHAROID), c('attgenerated', CHAROID), c('attisdropped', BOOLOID),
    c('attislocal', BOOLOID), c('attinhcount', INT2OID), c('attcollation', OIDOID), c('attstattarget', INT2OID),
  ],
};

export const PG_TYPE: CatalogDef = {
  oid: TypeRelationId, relname: 'pg_type', toastOid: 0,
  columns: [
    c('oid', OIDOID), c('typname', NAMEOID), c('typnamespace', OIDOID), c('typowner', OIDOID), c('typlen', INT2OID),
    c('typbyval', BOOLOID), c('typtype', CHAROID), c('typcategory', CHAROID), c('typispreferred', BOOLOID),
    c('typisdefined', BOOLOID), c('typdelim', CHAROID), c('typrelid', OIDOID), c('typelem', OIDOID),
    c('typarray', OIDOID), c('typalign', CHAROID), c('typstorage', CHAROID), c('typnotnull', BOOLOID),
    c('typbasetype', OIDOID), c('typtypmod', INT4OID), c('typndims', INT4OID), c('typcollation', OIDOID),
  ],
};

export const PG_PROC: CatalogDef = {
  oid: ProcedureRelationId, relname: 'pg_proc', toastOid: 0,
  columns: [
    c('oid', OIDOID), c('proname', NAMEOID), c('pronamespace', OIDOID), c('proowner', OIDOID), c('prolang', OIDOID),
    c('provariadic', OIDOID), c('prokind', CHAROID), c('prosecdef', BOOLOID), c('proisstrict', BOOLOID),
    c('proretset', BOOLOID), c('provolatile', CHAROID), c('pronargs', INT2OID), c('pronargdefaults', INT2OID),
    c('prorettype', OIDOID), c('proargtypes', OIDVECTOROID),
  ],
};

export const PG_OPERATOR: CatalogDef = {
  oid: OperatorRelationId, relname: 'pg_operator', toastOid: 0,
  columns: [
    c('oid', OIDOID), c('oprname', NAMEOID), c('oprnamespace', OIDOID), c('oprowner', OIDOID), c('oprkind', CHAROID),
    c('oprcanmerge', BOOLOID), c('oprcanhash', BOOLOID), c('oprleft', OIDOID), c('oprright', OIDOID),
    c('oprresult', OIDOID), c('oprcom', OIDOID), c('oprnegate', OIDOID), c('oprcode', REGPROCOID),
  ],
};

export const PG_CAST: CatalogDef = {
  oid: CastRelationId, relname: 'pg_cast', toastOid: 0,
  columns: [c('oid', OIDOID), c('castsource', OIDOID), c('casttarget', OIDOID), c('castfunc', OIDOID), c('castcontext', CHAROID), c('castmethod', CHAROID)],
};

export const PG_AGGREGATE: CatalogDef = {
  oid: AggregateRelationId, relname: 'pg_aggregate', toastOid: 0,
  columns: [c('aggfnoid', REGPROCOID), c('aggkind', CHAROID), c('aggnumdirectargs', INT2OID), c('aggsortop', OIDOID), c('aggtranstype', OIDOID)],
};

export const PG_ATTRDEF: CatalogDef = {
  oid: AttrDefaultRelationId, relname: 'pg_attrdef', toastOid: 2830,
  columns: [c('oid', OIDOID), c('adrelid', OIDOID), c('adnum', INT2OID), c('adbin', PGNODETREEOID)],
};

export const PG_CONSTRAINT: CatalogDef = {
  oid: ConstraintRelationId, relname: 'pg_constraint', toastOid: 2832,
  columns: [
    c('oid', OIDOID), c('conname', NAMEOID), c('connamespace', OIDOID), c('contype', CHAROID),
    c('condeferrable', BOOLOID), c('condeferred', BOOLOID), c('conenforced', BOOLOID), c('convalidated', BOOLOID),
    c('conrelid', OIDOID), c('contypid', OIDOID), c('conindid', OIDOID), c('conparentid', OIDOID),
    c('confrelid', OIDOID), c('confupdtype', CHAROID), c('confdeltype', CHAROID), c('confmatchtype', CHAROID),
    c('conislocal', BOOLOID), c('coninhcount', INT2OID), c('connoinherit', BOOLOID), c('conperiod', BOOLOID),
    c('conkey', INT2ARRAYOID), c('confkey', INT2ARRAYOID), c('conbin', PGNODETREEOID),
  ],
};

export const PG_INDEX: CatalogDef = {
  oid: IndexRelationId, relname: 'pg_index', toastOid: 0,
  columns: [
    c('indexrelid', OIDOID), c('indrelid', OIDOID), c('indnatts', INT2OID), c('indnkeyatts', INT2OID),
    c('indisunique', BOOLOID), c('indnullsnotdistinct', BOOLOID), c('indisprimary', BOOLOID),
    c('indisexclusion', BOOLOID), c('indimmediate', BOOLOID), c('indisclustered', BOOLOID), c('indisvalid', BOOLOID),
    c('indcheckxmin', BOOLOID), c('indisready', BOOLOID), c('indislive', BOOLOID), c('indisreplident', BOOLOID),
    c('indkey', INT2VECTOROID), c('indoption', INT2VECTOROID),
  ],
};

export const PG_DEPEND: CatalogDef = {
  oid: DependRelationId, relname: 'pg_depend', toastOid: 0,
  columns: [
    c('classid', OIDOID), c('objid', OIDOID), c('objsubid', INT4OID), c('refclassid', OIDOID), c('refobjid', OIDOID),
    c('refobjsubid', INT4OID), c('deptype', CHAROID),
  ],
};

export const PG_REWRITE: CatalogDef = {
  oid: RewriteRelationId, relname: 'pg_rewrite', toastOid: 2838,
  columns: [
    c('oid', OIDOID), c('rulename', NAMEOID), c('ev_class', OIDOID), c('ev_type', CHAROID), c('ev_enabled', CHAROID),
    c('is_instead', BOOLOID), c('ev_qual', PGNODETREEOID), c('ev_action', PGNODETREEOID),
  ],
};

export const PG_STATISTIC: CatalogDef = {
  oid: StatisticRelationId, relname: 'pg_statistic', toastOid: 0,
  columns: [
    c('starelid', OIDOID), c('staattnum', INT2OID), c('stainherit', BOOLOID), c('stanullfrac', FLOAT4OID),
    c('stawidth', INT4OID), c('stadistinct', FLOAT4OID),
    c('stakind1', INT2OID), c('stakind2', INT2OID), c('stakind3', INT2OID), c('stakind4', INT2OID), c('stakind5', INT2OID),
    c('staop1', OIDOID), c('staop2', OIDOID), c('staop3', OIDOID), c('staop4', OIDOID), c('staop5', OIDOID),
    c('stacoll1', OIDOID), c('stacoll2', OIDOID), c('stacoll3', OIDOID), c('stacoll4', OIDOID), c('stacoll5', OIDOID),
  ],
};

export const PG_SEQUENCE: CatalogDef = {
  oid: SequenceRelationId, relname: 'pg_sequence', toastOid: 0,
  columns: [
    c('seqrelid', OIDOID), c('seqtypid', OIDOID), c('seqstart', INT8OID), c('seqincrement', INT8OID),
    c('seqmax', INT8OID), c('seqmin', INT8OID), c('seqcache', INT8OID), c('seqcycle', BOOLOID),
  ],
};

/** Every catalog, in the order bootstrap creates them (pg_class first: it describes the others). */
export const CATALOGS: readonly CatalogDef[] = [
  PG_CLASS, PG_ATTRIBUTE, PG_TYPE, PG_PROC, PG_NAMESPACE, PG_OPERATOR, PG_CAST, PG_AGGREGATE,
  PG_ATTRDEF, PG_CONSTRAINT, PG_INDEX, PG_DEPEND, PG_REWRITE, PG_STATISTIC, PG_SEQUENCE,
];

const BY_OID: ReadonlyMap<number, CatalogDef> = new Map(CATALOGS.map((d) => [d.oid, d]));

/** A B-tree index on a catalog (PostgreSQL's DECLARE_UNIQUE_INDEX lines), with PostgreSQL's OID and name. */
export interface CatalogIndexDef {
  readonly oid: number;
  readonly relname: string;
  readonly heapOid: number;
  /** Key columns, by catalog column name. */
  readonly columns: readonly string[];
  readonly unique: boolean;
}

export const ClassOidIndexId = 2662;
export const ClassNameNspIndexId = 2663;
export const AttributeRelidNumIndexId = 2659;
export const IndexIndrelidIndexId = 2678;
export const ConstraintRelidTypidNameIndexId = 2665;
export const AttrDefaultIndexId = 2656;
export const RewriteRelRulenameIndexId = 2693;

/**
 * The catalog indexes: a relcache build finds one relation's rows in
 * pg_class, pg_attribute, pg_index, pg_constraint, pg_attrdef and
 * pg_rewrite through them (by a prefix of the key where the index has more
 * columns). pg_class_relname_nsp_index makes a duplicate (relname,
 * relnamespace) impossible even if a caller skipped the 42P07 check; name
 * lookups themselves are answered by the RELNAMENSP cache.
 */
export const CATALOG_INDEXES: readonly CatalogIndexDef[] = [
  { oid: ClassOidIndexId, relname: 'pg_class_oid_index', heapOid: RelationRelationId, columns: ['oid'], unique: true },
  { oid: ClassNameNspIndexId, relname: 'pg_class_relname_nsp_index', heapOid: RelationRelationId, columns: ['relname', 'relnamespace'], unique: true },
  { oid: AttributeRelidNumIndexId, relname: 'pg_attribute_relid_attnum_index', heapOid: AttributeRelationId, columns: ['attrelid', 'attnum'], unique: true },
  { oid: IndexIndrelidIndexId, relname: 'pg_index_indrelid_index', heapOid: IndexRelationId, columns: ['indrelid'], unique: false },
  { oid: ConstraintRelidTypidNameIndexId, relname: 'pg_constraint_conrelid_contypid_conname_index', heapOid: ConstraintRelationId, columns: ['conrelid', 'contypid', 'conname'], unique: true },
  { oid: AttrDefaultIndexId, relname: 'pg_attrdef_adrelid_adnum_index', heapOid: AttrDefaultRelationId, columns: ['adrelid', 'adnum'], unique: true },
  { oid: RewriteRelRulenameIndexId, relname: 'pg_rewrite_rel_rulename_index', heapOid: RewriteRelationId, columns: ['ev_class', 'rulename'], unique: true },
];

export function catalogDef(oid: number): CatalogDef | undefined {
  return BY_OID.get(oid);
}

// ---------------------------------------------------------------- column positions

type Anum = Readonly<Record<string, number>>;

/*
 * 0-based positions by column name. A Proxy turns a misspelt name into an
 * error instead of undefined; readers copy the positions they use into
 * module-level consts, so hot loops index rows by plain numbers.
 */
function positions(def: CatalogDef): Anum {
  const out: Record<string, number> = {};
  def.columns.forEach((col, i) => {
    out[col.name] = i;
  });
  return new Proxy(out, { get: (t, k: string) => t[k] ?? elog(`${def.relname} has no column ${k}`) });
}

export const Anum_pg_namespace = positions(PG_NAMESPACE);
export const Anum_pg_class = positions(PG_CLASS);
export const Anum_pg_attribute = positions(PG_ATTRIBUTE);
export const Anum_pg_type = positions(PG_TYPE);
export const Anum_pg_proc = positions(PG_PROC);
export const Anum_pg_operator = positions(PG_OPERATOR);
export const Anum_pg_cast = positions(PG_CAST);
export const Anum_pg_aggregate = positions(PG_AGGREGATE);
export const Anum_pg_attrdef = positions(PG_ATTRDEF);
export const Anum_pg_constraint = positions(PG_CONSTRAINT);
export const Anum_pg_index = positions(PG_INDEX);
export const Anum_pg_depend = positions(PG_DEPEND);
export const Anum_pg_rewrite = positions(PG_REWRITE);
export const Anum_pg_statistic = positions(PG_STATISTIC);
export const Anum_pg_sequence = positions(PG_SEQUENCE);

/** The catalog's heap descriptor: fixed-width columns NOT NULL, varlena nullable. */
export function catalogTupleDesc(def: CatalogDef): TupleDesc {
  return createTupleDesc(def.columns.map((col) => {
    const type = catalogTypeByOid(col.typeOid);
    const nullable = type.typlen < 0 || (def.oid === AttributeRelationId && col.name === 'attstattarget');
    return { name: col.name, type, notNull: !nullable };
  }));
}
