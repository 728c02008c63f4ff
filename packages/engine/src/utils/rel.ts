/*
 * rel.ts — what the SQL layer knows about a relation (PostgreSQL's
 * RelationData in utils/rel.h, built by the relation cache from pg_class,
 * pg_attribute, pg_index, pg_constraint and pg_attrdef), and the catalog
 * lookups the analyzer, planner, executor and commands use.
 *
 * The contract between catalog/ (which implements CatalogAccess over heap
 * catalogs with caches invalidated on DDL) and its users. Everything here is
 * a read-only snapshot of the catalogs as of the current command: a DDL
 * statement changes the catalogs, and the next lookup sees the change (after
 * CommandCounterIncrement) — callers must not keep RelationInfo objects
 * across statements.
 */

import type { Relation } from '../access/heap/relation.ts';
import type { IndexRelation } from '../access/nbtree/nbtree.ts';
import type { Expr } from '../nodes/primnodes.ts';
import type { LockMode, Query, RelKind } from '../nodes/parsenodes.ts';

/** One pg_attribute row of a table, view, index or sequence. */
export interface AttributeInfo {
  attnum: number;
  attname: string;
  atttypid: number;
  atttypmod: number;
  attnotnull: boolean;
  atthasdef: boolean;
  /** '' none, 'a' GENERATED ALWAYS AS IDENTITY, 'd' BY DEFAULT. */
  attidentity: '' | 'a' | 'd';
  /** '' or 's' (GENERATED ALWAYS AS (expr) STORED). */
  attgenerated: '' | 's';
  /** A dropped column keeps its attnum (and its bytes in old tuples); names are "........pg.dropped.N........". */
  attisdropped: boolean;
}

/** One pg_index row plus what is needed to use it. */
export interface IndexInfo {
  indexrelid: number;
  indrelid: number;
  name: string;
  /** Heap attnums of the key columns (0 would be an expression: not supported). */
  indkey: number[];
  /** INDOPTION_DESC / INDOPTION_NULLS_FIRST bits per column. */
  indoption: number[];
  indisunique: boolean;
  indisprimary: boolean;
  /** The B-tree's storage handle (StorageEngine.openIndex / createIndex). */
  index: IndexRelation;
  /** pg_class.relpages / reltuples of the index and its tree height (btIndexStats), for the planner. */
  relpages: number;
  reltuples: number;
  treeHeight: number;
}

export type ConstraintType = 'c' | 'f' | 'p' | 'u' | 'n';

/** One pg_constraint row. */
export interface ConstraintInfo {
  oid: number;
  conname: string;
  contype: ConstraintType;
  conrelid: number;
  /** Constrained columns (conkey). */
  conkey: number[];
  /** CHECK: the analyzed expression over the table's columns (Var.varno = 1). */
  conbin: Expr | null;
  /** The constraint's text as pg_get_constraintdef prints it (\d shows it). */
  consrc: string;
  /** UNIQUE / PRIMARY KEY: the index that enforces it. FOREIGN KEY: the referenced table's unique index. */
  conindid: number;
  /** FOREIGN KEY: referenced table and columns, and the actions ('a' no action, 'r' restrict, 'c' cascade, 'n' set null, 'd' set default). */
  confrelid: number;
  confkey: number[];
  confupdtype: string;
  confdeltype: string;
  confmatchtype: string;
  /** DEFERRABLE is parsed but constraints are always checked immediately (0A000 if requested as deferred). */
  condeferrable: boolean;
}

/** A relation as the SQL layer sees it (a table, index, view, sequence or TOAST table). */
export interface RelationInfo {
  oid: number;
  relname: string;
  relnamespace: number;
  nspname: string;
  relkind: RelKind;
  /** Estimates written by VACUUM / ANALYZE / CREATE INDEX (pg_class.relpages, reltuples; -1 = never analyzed). */
  relpages: number;
  reltuples: number;
  /** Columns in attnum order (index attnum - 1), dropped columns included. */
  attrs: AttributeInfo[];
  /** Heap storage ('r', 't', 'S'): the StorageEngine handle; null for views. */
  heap: Relation | null;
  /** Indexes of a table, in OID order. */
  indexes: IndexInfo[];
  constraints: ConstraintInfo[];
  /**
   * FOREIGN KEY constraints of other tables that reference this one
   * (confrelid = oid): what the RI checks on UPDATE / DELETE / TRUNCATE of
   * the referenced table act on (PostgreSQL reaches them through the RI
   * triggers on the referenced table). Absent = none. A catalog writer that
   * adds or drops a foreign key invalidates both tables' entries.
   */
  fkeysReferencing?: ConstraintInfo[];
  /** Column defaults (pg_attrdef.adbin), analyzed, by attnum. */
  defaults: Map<number, Expr>;
  /** A view's defining query (pg_rewrite's _RETURN rule). */
  viewQuery: Query | null;
}

/** A type as the analyzer resolves a TypeName to it. */
export interface ResolvedType {
  typeOid: number;
  typmod: number;
}

/**
 * The catalog lookups every SQL component uses. Errors are PostgreSQL's:
 * 42P01 `relation "x" does not exist`, 3F000 `schema "s" does not exist`,
 * 42704 `type "x" does not exist`.
 */
export interface CatalogAccess {
  /** RangeVarGetRelid: schema-qualified or along search_path; null when missingOk and absent. */
  relnameGetRelid(schemaname: string | null, relname: string, missingOk: boolean, location?: number): number | null;
  /** The relation cache entry (built from the catalogs, cached until invalidated). */
  getRelation(oid: number): RelationInfo;
  /** Namespace OID of a schema name, or null. */
  namespaceOid(nspname: string): number | null;
  /** The search_path schemas in order, as OIDs (pg_catalog first when not listed). */
  searchPath(): number[];
  /** The creation namespace for an unqualified new object (first existing schema in search_path). */
  creationNamespace(location?: number): number;
  /** The sequence owned by a column (serial / identity; pg_depend), 0 if none — the rewriter's NextValueExpr for identity columns. */
  getOwnedSequence?(relid: number, attnum: number): number;
  /**
   * LockRelationOid in the current transaction (storage/lmgr/rangevar.ts
   * calls it when opening a relation by name); false only with dontWait
   * when the lock is not free. A newly taken lock processes shared
   * invalidations first. Absent in harnesses without a lock manager.
   */
  lockRelationOid?(relid: number, mode: LockMode, dontWait: boolean): boolean;
  unlockRelationOid?(relid: number, mode: LockMode): void;
}
