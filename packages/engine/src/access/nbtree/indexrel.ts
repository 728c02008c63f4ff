/*
 * indexrel.ts — what the B-tree needs to know about an index (a slice of
 * PostgreSQL's relcache entry for an index: RelationData plus pg_index's
 * indkey, indoption and indisunique).
 *
 * Exports: IndexKeyColumn, IndexRelation, BtMetaCache, makeIndexRelation,
 *          INDOPTION_DESC, INDOPTION_NULLS_FIRST, indexColumnIsDesc,
 *          indexColumnNullsFirst.
 *
 * The SQL layer builds these from the catalogs (CREATE INDEX, PRIMARY KEY,
 * UNIQUE); tests build them directly. `amcache` and `targetBlock` are this
 * backend's private caches, like rd_amcache and rd_targblock: never shared,
 * always re-validated against the pages before they are trusted.
 */

import { BTREE_DEFAULT_FILLFACTOR, BTREE_MIN_FILLFACTOR, INDEX_MAX_KEYS } from './nbtree_constants.ts';
import type { TypeInfo } from '../../utils/adt/datum.ts';
import type { RelFileLocator } from '../../storage/relfilelocator.ts';
import { SQLSTATE, ereport } from '../../utils/errors.ts';
import { createTupleDesc, type TupleDesc } from '../common/tupdesc.ts';

/** pg_index.indoption bits (PostgreSQL's values). */
export const INDOPTION_DESC = 0x0001;
export const INDOPTION_NULLS_FIRST = 0x0002;

/** One key column as CREATE INDEX describes it. */
export interface IndexKeyColumn {
  /** Column name, shown in error details: Key (a)=(1) already exists. */
  name: string;
  type: TypeInfo;
  typmod?: number;
  /** DESC: the column's values are stored largest first. */
  desc?: boolean;
  /** NULLS FIRST; PostgreSQL's default is NULLS LAST for ASC and NULLS FIRST for DESC. */
  nullsFirst?: boolean;
  /** The heap column (1-based) this key comes from (pg_index.indkey), 0 for an expression. */
  heapAttnum?: number;
}

/** rd_amcache: the metapage fields a descent needs, copied (never shared). */
export interface BtMetaCache {
  root: number;
  level: number;
  fastroot: number;
  fastlevel: number;
}

export interface IndexRelation {
  /** pg_class.oid of the index. */
  readonly oid: number;
  /** The index's name (pg_class.relname), as error messages quote it. */
  readonly name: string;
  readonly locator: RelFileLocator;
  /** Descriptor of the index tuples: one attribute per key column. */
  readonly desc: TupleDesc;
  /** Key columns (IndexRelationGetNumberOfKeyAttributes); INCLUDE columns are not supported. */
  readonly nkeyatts: number;
  /** INDOPTION_* bits per key column. */
  readonly indoption: Uint8Array;
  /** pg_index.indkey: heap attribute number per key column (0 = expression). */
  readonly heapAttnums: Int16Array;
  readonly unique: boolean;
  /** Leaf fill factor in percent (WITH (fillfactor = n)); used by builds and rightmost splits. */
  readonly fillfactor: number;
  /** This backend's cached metapage, or null (see nbtpage.ts, "getroot"). */
  amcache: BtMetaCache | null;
  /** The rightmost leaf page this backend last inserted into, or -1 (nbtinsert.ts fast path). */
  targetBlock: number;
}

export interface MakeIndexOptions {
  oid: number;
  name: string;
  locator: RelFileLocator;
  columns: readonly IndexKeyColumn[];
  unique?: boolean;
  fillfactor?: number;
}

export function makeIndexRelation(o: MakeIndexOptions): IndexRelation {
  const n = o.columns.length;
  if (n === 0) ereport(SQLSTATE.invalid_parameter_value, 'must specify at least one column');
  if (n > INDEX_MAX_KEYS) ereport(SQLSTATE.too_many_columns, `cannot use more than ${INDEX_MAX_KEYS} columns in an index`);
  const fillfactor = o.fillfactor ?? BTREE_DEFAULT_FILLFACTOR;
  if (!Number.isInteger(fillfactor) || fillfactor < BTREE_MIN_FILLFACTOR || fillfactor > 100) {
    ereport(SQLSTATE.invalid_parameter_value, `value ${fillfactor} out of bounds for option "fillfactor"`, {
      detail: `Valid values are between "${BTREE_MIN_FILLFACTOR}" and "100".`,
    });
  }
  const desc = createTupleDesc(o.columns.map((c) => ({ name: c.name, type: c.type, typmod: c.typmod ?? -1 })));
  const indoption = new Uint8Array(n);
  const heapAttnums = new Int16Array(n);
  o.columns.forEach((c, i) => {
    const isDesc = c.desc === true;
    const nullsFirst = c.nullsFirst ?? isDesc;
    indoption[i] = (isDesc ? INDOPTION_DESC : 0) | (nullsFirst ? INDOPTION_NULLS_FIRST : 0);
    heapAttnums[i] = c.heapAttnum ?? i + 1;
  });
  return {
    oid: o.oid,
    name: o.name,
    locator: o.locator,
    desc,
    nkeyatts: n,
    indoption,
    heapAttnums,
    unique: o.unique === true,
    fillfactor,
    amcache: null,
    targetBlock: -1,
  };
}

export function indexColumnIsDesc(rel: IndexRelation, i: number): boolean {
  return (rel.indoption[i] & INDOPTION_DESC) !== 0;
}

export function indexColumnNullsFirst(rel: IndexRelation, i: number): boolean {
  return (rel.indoption[i] & INDOPTION_NULLS_FIRST) !== 0;
}
