/*
 * indexing.ts — reading and writing catalog rows (PostgreSQL's
 * catalog/indexing.c: CatalogTupleInsert / Update / Delete, plus the
 * systable scans of genam.c).
 *
 * Exports:
 *   CatalogHeaps   the open catalog heaps of one Catalog and the row
 *                  operations on them, by catalog OID
 *   CatalogRow     a row copied out of a scan: its TID and values
 *
 * Every operation goes through the StorageEngine, so catalog rows are
 * WAL-logged, MVCC-versioned and rolled back like any table's rows, and a
 * scan sees what the current command's snapshot sees: committed rows plus
 * this transaction's changes up to the last CommandCounterIncrement. In a
 * REPEATABLE READ or SERIALIZABLE transaction that snapshot is a fresh
 * one per scan (engine.catalogSnapshot, PostgreSQL's catalog snapshot),
 * not the transaction's: DDL other sessions committed since it began is
 * seen, as its effects on storage are (a dropped index's files are gone).
 *
 * Catalog lookups scan the whole catalog (the catalogs are small: a few
 * hundred pg_attribute rows in a fresh database); the caches in
 * utils/cache make repeated lookups free. See README.md "Scans".
 */

import type { StorageEngine } from '../engine.ts';
import type { Relation } from '../access/heap/relation.ts';
import type { IndexRelation, ScanKey } from '../access/nbtree/nbtree.ts';
import type { Datum } from '../utils/adt/datum.ts';
import type { Tid } from '../access/common/itemptr.ts';
import type { TupleValue } from '../access/common/heaptuple.ts';
import { elog } from '../utils/errors.ts';
import { catalogDef } from './schemapg.ts';

export type CatalogValues = (TupleValue | null)[];

export interface CatalogRow {
  tid: Tid;
  values: CatalogValues;
}

export class CatalogHeaps {
  /** Catalogs with a TOAST table: their scans resolve out-of-line and compressed values. */
  private readonly toastable = new Set<number>();

  /** The catalog indexes (schemapg.ts CATALOG_INDEXES) by index OID, once built or re-attached. */
  readonly indexes = new Map<number, IndexRelation>();

  constructor(
    readonly engine: StorageEngine,
    private readonly heaps: ReadonlyMap<number, Relation>,
  ) {
    for (const [oid] of heaps) if ((catalogDef(oid)?.toastOid ?? 0) !== 0) this.toastable.add(oid);
  }

  /** The heap of catalog `relid`. */
  rel(relid: number): Relation {
    const r = this.heaps.get(relid);
    if (r === undefined) elog(`catalog ${relid} is not open`);
    return r;
  }

  /** Every visible row; `values` is reused between calls (copy what you keep). */
  scan(relid: number, fn: (values: CatalogValues, tid: Tid) => void): void {
    const rel = this.rel(relid);
    const detoast = this.toastable.has(relid);
    const heap = this.engine.heap;
    this.engine.scanEach(rel, (values, tid) => {
      if (detoast) heap.detoastValues(rel, values);
      fn(values, tid);
    }, this.engine.catalogSnapshot());
  }

  /**
   * Every visible row with only its first `natts` columns deformed (the
   * others stay null): a cache that reads a catalog's leading columns
   * (pg_class's oid, relname, relnamespace) skips the other ~30 of each
   * row. `values` is reused between calls.
   */
  scanLeading(relid: number, natts: number, fn: (values: CatalogValues, tid: Tid) => void): void {
    const snapshot = this.engine.catalogSnapshot();
    const scan = this.engine.beginScan(this.rel(relid), snapshot !== undefined ? { natts, snapshot } : { natts });
    try {
      while (scan.next()) fn(scan.values, scan.tid);
    } finally {
      scan.end();
    }
  }

  /** The visible rows for which `pred` holds, copied. */
  findAll(relid: number, pred: (values: CatalogValues) => boolean): CatalogRow[] {
    const out: CatalogRow[] = [];
    this.scan(relid, (values, tid) => {
      if (pred(values)) out.push({ tid, values: values.slice() });
    });
    return out;
  }

  /** The first visible row for which `pred` holds, copied; null if none. */
  findOne(relid: number, pred: (values: CatalogValues) => boolean): CatalogRow | null {
    let found: CatalogRow | null = null;
    this.scan(relid, (values, tid) => {
      if (found === null && pred(values)) found = { tid, values: values.slice() };
    });
    return found;
  }

  /**
   * systable_beginscan with an index: the visible rows whose leading index
   * columns equal `keys`, copied, in index order. Falls back to a
   * sequential scan with the same condition while the index does not exist
   * (during bootstrap, before the indexes are built).
   */
  lookup(relid: number, indexOid: number, keys: readonly Datum[], seqPred: (values: CatalogValues) => boolean): CatalogRow[] {
    const index = this.indexes.get(indexOid);
    if (index === undefined) return this.findAll(relid, seqPred);
    const scanKeys: ScanKey[] = keys.map((arg, i) => ({ attno: i + 1, op: '=', arg }));
    const out: CatalogRow[] = [];
    const snapshot = this.engine.catalogSnapshot();
    const scan = this.engine.beginIndexScan(index, scanKeys, snapshot !== undefined ? { snapshot } : undefined);
    try {
      while (scan.next()) out.push({ tid: scan.tid, values: scan.values.slice() });
    } finally {
      scan.end();
    }
    return out;
  }

  /** CatalogTupleInsert. */
  insert(relid: number, values: readonly (TupleValue | null)[]): Tid {
    return this.engine.insert(this.rel(relid), values);
  }

  /** CatalogTupleInsert of many rows in one engine statement. */
  insertMany(relid: number, rows: readonly (readonly (TupleValue | null)[])[]): void {
    if (rows.length > 0) this.engine.insertMany(this.rel(relid), rows);
  }

  /** CatalogTupleUpdate: replaces the row version at tid. */
  update(relid: number, tid: Tid, values: readonly (TupleValue | null)[]): Tid {
    return this.engine.update(this.rel(relid), tid, values);
  }

  /** CatalogTupleDelete. */
  delete(relid: number, tid: Tid): void {
    this.engine.delete(this.rel(relid), tid);
  }
}
