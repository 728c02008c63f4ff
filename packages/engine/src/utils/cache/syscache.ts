/*
 * syscache.ts — whole-catalog lookup caches (the part of PostgreSQL's
 * syscache.c / catcache.c the SQL layer needs on every statement).
 *
 * Exports:
 *   SysCache   RELNAMENSP: (namespace, relname) -> pg_class.oid
 *              NAMESPACE:  nspname <-> pg_namespace.oid
 *
 * PostgreSQL's catcache keeps single rows and negative entries keyed by hash;
 * here each cache is loaded whole by one catalog scan the first time it is
 * needed, then answers every lookup — hits and misses alike — with a Map
 * lookup. That matters because an unqualified name is looked up in
 * pg_catalog first (search_path), where a user table is always a miss.
 * A catcache invalidation message (inval.ts) drops a cache whole; the next
 * lookup reloads it under the then-current snapshot.
 */

import type { CatalogHeaps } from '../../catalog/indexing.ts';
import { Anum_pg_class, Anum_pg_namespace, NamespaceRelationId, RelationRelationId } from '../../catalog/schemapg.ts';
import type { CatCacheId } from './inval.ts';

const A_relname = Anum_pg_class.relname;
const A_relnamespace = Anum_pg_class.relnamespace;
const A_reloid = Anum_pg_class.oid;
const A_nspoid = Anum_pg_namespace.oid;
const A_nspname = Anum_pg_namespace.nspname;
/** The pg_class columns RELNAMENSP reads are its first three: its reload deforms only those. */
const RELNAMENSP_NATTS = Math.max(A_relname, A_relnamespace, A_reloid) + 1;

export class SysCache {
  private nsByName: Map<string, number> | null = null;
  private nsByOid: Map<number, string> | null = null;
  private relByNsp: Map<number, Map<string, number>> | null = null;
  /** How many times a cache was (re)loaded from its catalog, for tests and the benchmark. */
  loads = 0;

  constructor(private readonly heaps: CatalogHeaps) {}

  /** pg_namespace.oid of `nspname`, or null. */
  namespaceOid(nspname: string): number | null {
    if (this.nsByName === null) this.loadNamespaces();
    return (this.nsByName as Map<string, number>).get(nspname) ?? null;
  }

  /** The name of namespace `oid`, or null. */
  namespaceName(oid: number): string | null {
    if (this.nsByOid === null) this.loadNamespaces();
    return (this.nsByOid as Map<number, string>).get(oid) ?? null;
  }

  /** Every namespace, by OID. */
  namespaces(): ReadonlyMap<number, string> {
    if (this.nsByOid === null) this.loadNamespaces();
    return this.nsByOid as Map<number, string>;
  }

  /** get_relname_relid: the OID of `relname` in `nsp`, 0 if there is none. */
  relnameNsp(nsp: number, relname: string): number {
    if (this.relByNsp === null) this.loadRelnames();
    return (this.relByNsp as Map<number, Map<string, number>>).get(nsp)?.get(relname) ?? 0;
  }

  invalidate(cacheId: CatCacheId): void {
    if (cacheId === 'RELNAMENSP') {
      this.relByNsp = null;
    } else {
      this.nsByName = null;
      this.nsByOid = null;
    }
  }

  invalidateAll(): void {
    this.invalidate('RELNAMENSP');
    this.invalidate('NAMESPACE');
  }

  private loadNamespaces(): void {
    const byName = new Map<string, number>();
    const byOid = new Map<number, string>();
    this.heaps.scan(NamespaceRelationId, (v) => {
      byName.set(v[A_nspname] as string, v[A_nspoid] as number);
      byOid.set(v[A_nspoid] as number, v[A_nspname] as string);
    });
    this.nsByName = byName;
    this.nsByOid = byOid;
    this.loads++;
  }

  private loadRelnames(): void {
    const m = new Map<number, Map<string, number>>();
    this.heaps.scanLeading(RelationRelationId, RELNAMENSP_NATTS, (v) => {
      const nsp = v[A_relnamespace] as number;
      let inner = m.get(nsp);
      if (inner === undefined) {
        inner = new Map();
        m.set(nsp, inner);
      }
      inner.set(v[A_relname] as string, v[A_reloid] as number);
    });
    this.relByNsp = m;
    this.loads++;
  }
}
