/*
 * relcache.ts — the relation cache (PostgreSQL's utils/cache/relcache.c):
 * RelationInfo (utils/rel.ts) by pg_class OID, built from pg_class,
 * pg_attribute, pg_index, pg_constraint, pg_attrdef and pg_rewrite.
 *
 * Exports:
 *   RelCache            get(oid), peek(oid), invalidate(relId | 0)
 *   RelCacheStorage     how the cache opens a relation's storage (the
 *                       Catalog implements it over the StorageEngine)
 *   attributeColumnDefs(attrs) / droppedColumnType(attlen, attalign)
 *
 * Invariants:
 *   1. An entry is built under the snapshot of the command that first asks
 *      for it and is valid until an invalidation message names it (inval.ts);
 *      every catalog writer registers one for each relation it changes.
 *   2. Storage handles (heap Relation, IndexRelation) outlive entries: they
 *      are kept by OID and reused when an entry is rebuilt, so the heap's
 *      insertion hints and the B-tree's cached metapage survive DDL on
 *      other relations. A heap handle is replaced when its columns change
 *      (ADD / DROP COLUMN give the heap a new tuple descriptor).
 */

import type { Relation } from '../../access/heap/relation.ts';
import type { IndexRelation } from '../../access/nbtree/nbtree.ts';
import type { ColumnDef } from '../../access/common/tupdesc.ts';
import type { TypAlign, TypeInfo, TypStorage } from '../adt/datum.ts';
import { TYPES, BYTEAOID } from '../adt/types.ts';
import type { Expr } from '../../nodes/primnodes.ts';
import type { Query, RelKind } from '../../nodes/parsenodes.ts';
import type { AttributeInfo, ConstraintInfo, ConstraintType, IndexInfo, RelationInfo } from '../rel.ts';
import { SQLSTATE, ereport, elog } from '../errors.ts';
import type { CatalogHeaps, CatalogValues } from '../../catalog/indexing.ts';
import {
  Anum_pg_attrdef, Anum_pg_attribute, Anum_pg_class, Anum_pg_constraint, Anum_pg_index, Anum_pg_rewrite,
  AttrDefaultIndexId, AttrDefaultRelationId, AttributeRelationId, AttributeRelidNumIndexId, ClassOidIndexId, ConstraintRelationId,
  ConstraintRelidTypidNameIndexId, IndexIndrelidIndexId, RewriteRelRulenameIndexId, IndexRelationId, RelationRelationId, RewriteRelationId,
} from '../../catalog/schemapg.ts';
import { intList } from '../../catalog/catalogtypes.ts';
import { catalogTypeByOid } from '../../catalog/pg_type.ts';
import { decodeNodeTree } from '../../catalog/nodetree.ts';
import type { SysCache } from './syscache.ts';

/** A pg_attribute row with the storage fields the heap needs (beyond AttributeInfo). */
export interface AttributeRow extends AttributeInfo {
  attlen: number;
  attalign: TypAlign;
  attstorage: TypStorage;
}

/** What a relcache entry needs from the storage layer. */
export interface RelCacheStorage {
  /** The catalog heap of a catalog OID, or undefined for other relations. */
  catalogHeap(oid: number): Relation | undefined;
  /** Re-attaches a heap whose files exist (StorageEngine.openRelation). */
  openHeap(oid: number, relname: string, columns: readonly ColumnDef[], toastOid: number): Relation;
  /** Re-attaches a B-tree (StorageEngine.openIndex). */
  openIndex(heap: Relation, oid: number, relname: string, attrs: readonly AttributeRow[], indkey: readonly number[], indoption: readonly number[], unique: boolean): IndexRelation;
  /** The index's tree height (btIndexStats), for the planner. */
  indexTreeHeight(index: IndexRelation): number;
}

const C = Anum_pg_class;
const A_oid = C.oid, A_relname = C.relname, A_relnamespace = C.relnamespace, A_relkind = C.relkind;
const A_relpages = C.relpages, A_reltuples = C.reltuples, A_reltoastrelid = C.reltoastrelid, A_relhasindex = C.relhasindex;
const A_relhasrules = C.relhasrules;
const A_relhastriggers = C.relhastriggers;
const AT = Anum_pg_attribute;
const AT_attrelid = AT.attrelid, AT_attnum = AT.attnum;
const I = Anum_pg_index;
const CO = Anum_pg_constraint;
const AD = Anum_pg_attrdef;
const RW = Anum_pg_rewrite;

/** A pg_attribute row as AttributeRow. */
export function attributeRowFromValues(v: CatalogValues): AttributeRow {
  return {
    attnum: v[AT.attnum] as number,
    attname: v[AT.attname] as string,
    atttypid: v[AT.atttypid] as number,
    atttypmod: v[AT.atttypmod] as number,
    attnotnull: v[AT.attnotnull] as boolean,
    atthasdef: v[AT.atthasdef] as boolean,
    attidentity: v[AT.attidentity] as AttributeInfo['attidentity'],
    attgenerated: v[AT.attgenerated] as AttributeInfo['attgenerated'],
    attisdropped: v[AT.attisdropped] as boolean,
    attlen: v[AT.attlen] as number,
    attalign: v[AT.attalign] as TypAlign,
    attstorage: v[AT.attstorage] as TypStorage,
  };
}

/**
 * A type with the same bytes on disk as a dropped column had: PostgreSQL
 * sets a dropped column's atttypid to 0 and keeps attlen/attalign so old
 * tuples can still be stepped over.
 */
export function droppedColumnType(attlen: number, attalign: TypAlign): TypeInfo {
  if (attlen === -1) return TYPES.get(BYTEAOID) as TypeInfo;
  for (const t of TYPES.values()) {
    if (t.typlen === attlen && t.typalign === attalign && t.writeFixed !== undefined) return t;
  }
  return elog(`no type to read a dropped column of length ${attlen} and alignment ${attalign}`);
}

/** The heap's column definitions for a relation's pg_attribute rows (dropped columns included). */
export function attributeColumnDefs(attrs: readonly AttributeRow[]): ColumnDef[] {
  return attrs.map((a) => ({
    name: a.attname,
    type: a.attisdropped ? droppedColumnType(a.attlen, a.attalign) : catalogTypeByOid(a.atttypid),
    typmod: a.atttypmod,
    notNull: a.attnotnull,
    storage: a.attstorage,
  }));
}

/** Whether a heap handle was made for exactly this name (engine messages quote it), TOAST table and these columns. */
function heapMatches(rel: Relation, relname: string, toastOid: number, attrs: readonly AttributeRow[]): boolean {
  if (rel.name !== relname || (rel.toast?.oid ?? 0) !== toastOid) return false;
  const d = rel.desc;
  if (d.natts !== attrs.length) return false;
  for (let i = 0; i < attrs.length; i++) {
    const x = d.attrs[i];
    const a = attrs[i];
    if (x.attname !== a.attname || x.attnotnull !== a.attnotnull || x.attlen !== a.attlen) return false;
    if (!a.attisdropped && (x.atttypid !== a.atttypid || x.atttypmod !== a.atttypmod)) return false;
  }
  return true;
}

export class RelCache {
  private readonly entries = new Map<number, RelationInfo>();
  private readonly heapHandles = new Map<number, Relation>();
  private readonly indexHandles = new Map<number, IndexRelation>();
  /** Entries built from the catalogs, for tests and the benchmark. */
  builds = 0;

  constructor(
    private readonly heaps: CatalogHeaps,
    private readonly syscache: SysCache,
    private readonly storage: RelCacheStorage,
  ) {}

  /** RelationIdGetRelation: the entry, built on a miss. */
  get(oid: number): RelationInfo {
    const e = this.entries.get(oid);
    if (e !== undefined) return e;
    const built = this.build(oid);
    this.entries.set(oid, built);
    return built;
  }

  /** The entry if cached, without building it. */
  peek(oid: number): RelationInfo | undefined {
    return this.entries.get(oid);
  }

  /** A relation's entry is stale (relId 0: every entry). */
  invalidate(relId: number): void {
    if (relId === 0) this.entries.clear();
    else this.entries.delete(relId);
  }

  /** Remembers the heap handle StorageEngine.createRelation returned, so the first build reuses it. */
  rememberHeap(rel: Relation): void {
    this.heapHandles.set(rel.oid, rel);
  }

  rememberIndex(index: IndexRelation): void {
    this.indexHandles.set(index.oid, index);
  }

  /** The attached B-tree of an index OID, if this backend attached it (an entry of its table was built). */
  indexHandle(oid: number): IndexRelation | undefined {
    return this.indexHandles.get(oid);
  }

  /** The pg_class row of `oid`, or null (pg_class_oid_index). */
  classRow(oid: number): CatalogValues | null {
    const rows = this.heaps.lookup(RelationRelationId, ClassOidIndexId, [oid], (v) => v[A_oid] === oid);
    return rows.length > 0 ? rows[0].values : null;
  }

  /** pg_attribute rows of a relation (attnum > 0), in attnum order (pg_attribute_relid_attnum_index). */
  attributeRows(oid: number): AttributeRow[] {
    const attrs: AttributeRow[] = [];
    for (const row of this.heaps.lookup(AttributeRelationId, AttributeRelidNumIndexId, [oid], (v) => v[AT_attrelid] === oid)) {
      if ((row.values[AT_attnum] as number) > 0) attrs.push(attributeRowFromValues(row.values));
    }
    attrs.sort((a, b) => a.attnum - b.attnum);
    return attrs;
  }

  private build(oid: number): RelationInfo {
    const cls = this.classRow(oid);
    if (cls === null) return ereport(SQLSTATE.internal_error, `could not open relation with OID ${oid}`);
    this.builds++;
    const relname = cls[A_relname] as string;
    const relnamespace = cls[A_relnamespace] as number;
    const relkind = cls[A_relkind] as RelKind;
    const attrs = this.attributeRows(oid);

    let heap: Relation | null = this.storage.catalogHeap(oid) ?? null;
    if (heap === null && (relkind === 'r' || relkind === 't' || relkind === 'S' || relkind === 'm')) {
      heap = this.heapHandles.get(oid) ?? null;
      if (heap === null || !heapMatches(heap, relname, cls[A_reltoastrelid] as number, attrs)) {
        heap = this.storage.openHeap(oid, relname, attributeColumnDefs(attrs), cls[A_reltoastrelid] as number);
        this.heapHandles.set(oid, heap);
      }
    }

    const indexes: IndexInfo[] = [];
    if (cls[A_relhasindex] === true && heap !== null) {
      for (const row of this.heaps.lookup(IndexRelationId, IndexIndrelidIndexId, [oid], (v) => v[I.indrelid] === oid)) {
        indexes.push(this.indexInfo(heap, row.values));
      }
      indexes.sort((a, b) => a.indexrelid - b.indexrelid);
    }

    const constraints: ConstraintInfo[] = [];
    const fkeysReferencing: ConstraintInfo[] = [];
    for (const row of this.heaps.lookup(ConstraintRelationId, ConstraintRelidTypidNameIndexId, [oid], (v) => v[CO.conrelid] === oid)) {
      constraints.push(constraintInfo(row.values));
    }
    // Foreign keys of other tables pointing here: adding one sets relhastriggers on this table (PostgreSQL's RI
    // triggers do); pg_constraint has no index on confrelid, so only such tables pay for the scan.
    if (cls[A_relhastriggers] === true) {
      for (const row of this.heaps.findAll(ConstraintRelationId, (v) => v[CO.confrelid] === oid && v[CO.contype] === 'f')) {
        fkeysReferencing.push(constraintInfo(row.values));
      }
    }
    constraints.sort((a, b) => a.oid - b.oid);
    fkeysReferencing.sort((a, b) => a.oid - b.oid);
    for (const con of constraints) {
      if (con.consrc === '') con.consrc = this.constraintDef(con, attrs);
    }

    const defaults = new Map<number, Expr>();
    if (attrs.some((a) => a.atthasdef)) {
      for (const row of this.heaps.lookup(AttrDefaultRelationId, AttrDefaultIndexId, [oid], (v) => v[AD.adrelid] === oid)) {
        defaults.set(row.values[AD.adnum] as number, decodeNodeTree<Expr>(row.values[AD.adbin] as string).node);
      }
    }

    let viewQuery: Query | null = null;
    if (relkind === 'v' || cls[A_relhasrules] === true) {
      const rule = this.heaps.lookup(RewriteRelationId, RewriteRelRulenameIndexId, [oid, '_RETURN'], (v) => v[RW.ev_class] === oid && v[RW.rulename] === '_RETURN')[0];
      if (rule !== undefined) viewQuery = decodeNodeTree<Query>(rule.values[RW.ev_action] as string).node;
    }

    return {
      oid,
      relname,
      relnamespace,
      nspname: this.syscache.namespaceName(relnamespace) ?? '',
      relkind,
      relpages: cls[A_relpages] as number,
      reltuples: cls[A_reltuples] as number,
      attrs,
      heap,
      indexes,
      constraints,
      fkeysReferencing,
      defaults,
      viewQuery,
    };
  }

  /** pg_get_constraintdef for the kinds without a stored expression: PRIMARY KEY (a), UNIQUE (a, b), FOREIGN KEY (a) REFERENCES p(id). */
  private constraintDef(con: ConstraintInfo, attrs: readonly AttributeRow[]): string {
    const names = (list: readonly number[], cols: readonly AttributeRow[]): string => list.map((n) => cols[n - 1]?.attname ?? String(n)).join(', ');
    switch (con.contype) {
      case 'p':
        return `PRIMARY KEY (${names(con.conkey, attrs)})`;
      case 'u':
        return `UNIQUE (${names(con.conkey, attrs)})`;
      case 'f': {
        const ref = this.classRow(con.confrelid);
        const refName = ref === null ? String(con.confrelid) : (ref[A_relname] as string);
        const refCols = con.confrelid === con.conrelid ? attrs : this.attributeRows(con.confrelid);
        let def = `FOREIGN KEY (${names(con.conkey, attrs)}) REFERENCES ${refName}(${names(con.confkey, refCols)})`;
        const action = (c: string): string => ({ r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' } as Record<string, string>)[c] ?? '';
        if (action(con.confupdtype) !== '') def += ` ON UPDATE ${action(con.confupdtype)}`;
        if (action(con.confdeltype) !== '') def += ` ON DELETE ${action(con.confdeltype)}`;
        return def;
      }
      default:
        return '';
    }
  }

  private indexInfo(heap: Relation, v: CatalogValues): IndexInfo {
    const indexrelid = v[I.indexrelid] as number;
    const indkey = intList(v[I.indkey]);
    const indoption = intList(v[I.indoption]);
    const cls = this.classRow(indexrelid);
    if (cls === null) return elog(`pg_class row of index ${indexrelid} is missing`);
    const name = cls[A_relname] as string;
    const unique = v[I.indisunique] as boolean;
    let index = this.indexHandles.get(indexrelid);
    if (index === undefined || index.name !== name) {
      index = this.storage.openIndex(heap, indexrelid, name, this.attributeRows(indexrelid), indkey, indoption, unique);
      this.indexHandles.set(indexrelid, index);
    }
    return {
      indexrelid,
      indrelid: v[I.indrelid] as number,
      name,
      indkey,
      indoption,
      indisunique: unique,
      indisprimary: v[I.indisprimary] as boolean,
      index,
      relpages: cls[A_relpages] as number,
      reltuples: cls[A_reltuples] as number,
      treeHeight: this.storage.indexTreeHeight(index),
    };
  }
}

/**
 * pg_get_constraintdef of a CHECK: CHECK (expression text); conbin keeps the expression's text alone
 * (pg_get_expr), databases made before that keep the whole definition.
 */
function checkConstraintDef(contype: ConstraintType, src: string): string {
  return contype === 'c' && !src.startsWith('CHECK (') ? `CHECK (${src})` : src;
}

/** A pg_constraint row as ConstraintInfo. */
export function constraintInfo(v: CatalogValues): ConstraintInfo {
  const conbin = v[CO.conbin] as string | null;
  const tree = conbin === null ? null : decodeNodeTree<Expr>(conbin);
  return {
    oid: v[CO.oid] as number,
    conname: v[CO.conname] as string,
    contype: v[CO.contype] as ConstraintType,
    conrelid: v[CO.conrelid] as number,
    conkey: intList(v[CO.conkey]),
    conbin: tree?.node ?? null,
    consrc: checkConstraintDef(v[CO.contype] as ConstraintType, tree?.src ?? ''),
    conindid: v[CO.conindid] as number,
    confrelid: v[CO.confrelid] as number,
    confkey: intList(v[CO.confkey]),
    confupdtype: v[CO.confupdtype] as string,
    confdeltype: v[CO.confdeltype] as string,
    confmatchtype: v[CO.confmatchtype] as string,
    condeferrable: v[CO.condeferrable] as boolean,
  };
}
