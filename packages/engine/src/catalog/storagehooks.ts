/*
 * storagehooks.ts — how the relation cache re-attaches storage through the
 * StorageEngine (the part of relcache.c that opens smgr relations).
 *
 * Exports:
 *   StorageHooks        RelCacheStorage over a StorageEngine
 *   indexKeyColumns     IndexKeyColumn[] for an index's pg_attribute/pg_index rows
 *
 * After a restart nothing but the catalog heaps is attached; a user table's
 * heap and its indexes are attached the first time the relcache builds its
 * entry. Every DML path gets its heap handle from that entry, so a table's
 * indexes are always attached (and maintained by the engine) before the
 * first row is written to it.
 */

import type { StorageEngine } from '../engine.ts';
import type { Relation } from '../access/heap/relation.ts';
import type { ColumnDef } from '../access/common/tupdesc.ts';
import { INDOPTION_DESC, INDOPTION_NULLS_FIRST, type IndexKeyColumn, type IndexRelation } from '../access/nbtree/nbtree.ts';
import type { AttributeRow, RelCacheStorage } from '../utils/cache/relcache.ts';
import { catalogTypeByOid } from './pg_type.ts';

/** The key columns of an index: its own pg_attribute rows give names, pg_index gives heap columns and options. */
export function indexKeyColumns(attrs: readonly AttributeRow[], indkey: readonly number[], indoption: readonly number[]): IndexKeyColumn[] {
  return indkey.map((heapAttnum, i) => {
    const a = attrs[i];
    const opt = indoption[i] ?? 0;
    return {
      name: a.attname,
      type: catalogTypeByOid(a.atttypid),
      typmod: a.atttypmod,
      desc: (opt & INDOPTION_DESC) !== 0,
      nullsFirst: (opt & INDOPTION_NULLS_FIRST) !== 0,
      heapAttnum,
    };
  });
}

export class StorageHooks implements RelCacheStorage {
  constructor(
    private readonly engine: StorageEngine,
    private readonly catalogRels: ReadonlyMap<number, Relation>,
  ) {}

  catalogHeap(oid: number): Relation | undefined {
    return this.catalogRels.get(oid);
  }

  openHeap(oid: number, relname: string, columns: readonly ColumnDef[], toastOid: number): Relation {
    return this.engine.openRelation({ oid, name: relname, columns, toastOid: toastOid !== 0 ? toastOid : null });
  }

  openIndex(heap: Relation, oid: number, relname: string, attrs: readonly AttributeRow[], indkey: readonly number[], indoption: readonly number[], unique: boolean): IndexRelation {
    return this.engine.openIndex(heap, { oid, name: relname, columns: indexKeyColumns(attrs, indkey, indoption), unique });
  }

  indexTreeHeight(index: IndexRelation): number {
    return this.engine.indexStats(index).height;
  }
}
