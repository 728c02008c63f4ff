/*
 * catalog.ts — the system catalogs of one backend: the heaps, the caches
 * over them, the lookups every SQL component uses (CatalogAccess,
 * utils/rel.ts) and the write primitives DDL uses.
 *
 * Exports:
 *   Catalog                   Catalog.bootstrap(engine) (initdb), Catalog.open(engine)
 *                             (after a restart), Catalog.openOrBootstrap(engine)
 *   ObjectAddress, DependencyType, DropBehavior, ColumnSpec, ...  (re-exported
 *                             from the modules that implement the primitives)
 *
 * Where things are:
 *   schemapg.ts      the catalogs' compiled-in descriptors and OIDs
 *   bootstrap.ts     initdb rows, pg_class/pg_attribute/pg_type row builders
 *   indexing.ts      catalog row scans, inserts, updates, deletes
 *   namespace.ts     search_path
 *   heap.ts          CREATE TABLE/VIEW/SEQUENCE/SCHEMA, column changes, renames, defaults
 *   index.ts         CREATE INDEX and constraints (pg_index, pg_constraint)
 *   dependency.ts    pg_depend and DROP ... RESTRICT / CASCADE
 *   utils/cache/     relcache.ts, syscache.ts, inval.ts
 *
 * Rules (README.md has the why):
 *   1. Reads see the current command's snapshot. Every write primitive ends
 *      with CommandCounterIncrement, so the next primitive of the same DDL
 *      statement (and the next statement) sees its rows.
 *   2. Every catalog change registers an invalidation message for what it
 *      makes stale; caches change only when messages are applied (inval.ts).
 *   3. Storage is created and dropped through the StorageEngine in the same
 *      transaction as the catalog rows, so a rollback undoes both.
 *   4. One Catalog per StorageEngine: its caches are invalidated by the
 *      messages its own primitives register and, under the postmaster, by
 *      the messages other backends commit (storage/ipc/sinval.ts, applied
 *      through inval.ts's applyRemote).
 */

import type { StorageEngine } from '../engine.ts';
import type { Relation } from '../access/heap/relation.ts';
import type { IndexRelation } from '../access/nbtree/nbtree.ts';
import type { Expr } from '../nodes/primnodes.ts';
import type { LockMode as LockModeName, Query } from '../nodes/parsenodes.ts';
import { lockModeFromName as lockModeNumber } from '../storage/lmgr/lockdefs.ts';
import type { CatalogAccess, RelationInfo } from '../utils/rel.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import { nameIn } from '../utils/adt/text.ts';
import { CatalogHeaps } from './indexing.ts';
import { PG_CATALOG_NAMESPACE } from './schemapg.ts';
import {
  bootstrapCatalogHeaps, bootstrapCatalogIndexes, catalogsExist, fillBootstrapRows, openCatalogHeaps, openCatalogIndexes, FMGR_BUILTINS, type BuiltinSource,
} from './bootstrap.ts';
import { parseSearchPath, resolveSearchPath, type ResolvedSearchPath } from './namespace.ts';
import { RelCache, type AttributeRow } from '../utils/cache/relcache.ts';
import { SysCache } from '../utils/cache/syscache.ts';
import { InvalidationManager, type InvalidationMessage } from '../utils/cache/inval.ts';
import { StorageHooks } from './storagehooks.ts';
import * as heap from './heap.ts';
import * as index from './index.ts';
import * as dependency from './dependency.ts';
import type { NoticeFn } from './dependency.ts';

export type { ObjectAddress, DependencyType, DropBehavior, NoticeFn } from './dependency.ts';
export type { ColumnSpec, HeapCreateSpec, SequenceSpec } from './heap.ts';
export type { IndexCreateSpec, IndexKeySpec, ConstraintSpec } from './index.ts';

/** 3F000 and friends that errors.ts does not list. */
export const CATALOG_SQLSTATE = {
  invalid_schema_name: '3F000',
  dependent_objects_still_exist: '2BP01',
  duplicate_column: '42701',
  duplicate_schema: '42P06',
  duplicate_object: '42710',
  undefined_column: '42703',
  wrong_object_type: '42809',
  undefined_object: '42704',
} as const;

function errPosition(location: number | undefined): { position?: number } {
  return location !== undefined && location >= 0 ? { position: location + 1 } : {};
}

export class Catalog implements CatalogAccess {
  readonly heaps: CatalogHeaps;
  readonly syscache: SysCache;
  readonly relcache: RelCache;
  readonly inval: InvalidationManager;
  readonly storage: StorageHooks;
  /** The search_path setting; the backend (tcop's GUCs) replaces this with its own reader. */
  searchPathSetting: () => string = () => '"$user", public';
  /** session_user, for "$user" in search_path. */
  userName = 'postgres';
  private resolvedFor: string | null = null;
  private resolved: ResolvedSearchPath = { path: [PG_CATALOG_NAMESPACE], creation: 0 };

  private constructor(readonly engine: StorageEngine, catalogRels: Map<number, Relation>) {
    this.heaps = new CatalogHeaps(engine, catalogRels);
    this.syscache = new SysCache(this.heaps);
    this.storage = new StorageHooks(engine, catalogRels);
    this.relcache = new RelCache(this.heaps, this.syscache, this.storage);
    this.inval = new InvalidationManager(engine.xact, (msg) => this.applyInvalidation(msg));
  }

  /** initdb: creates and fills the catalogs of an empty data directory, in one transaction. */
  static bootstrap(engine: StorageEngine, source: BuiltinSource = FMGR_BUILTINS): Catalog {
    if (catalogsExist(engine)) throw new PgError(SQLSTATE.object_not_in_prerequisite_state, 'the data directory already has system catalogs');
    const wasInBlock = engine.inTransactionBlock;
    if (!wasInBlock) engine.begin();
    try {
      const rels = bootstrapCatalogHeaps(engine);
      const cat = new Catalog(engine, rels);
      fillBootstrapRows(cat.heaps, rels, source);
      cat.attachCatalogIndexes(bootstrapCatalogIndexes(engine, rels));
      if (!wasInBlock) engine.commit();
      return cat;
    } catch (e) {
      if (!wasInBlock && engine.inTransactionBlock) engine.rollback();
      throw e;
    }
  }

  /** After a restart: the catalog heaps are re-attached; everything else is read from them on demand. */
  static open(engine: StorageEngine): Catalog {
    const rels = openCatalogHeaps(engine);
    const cat = new Catalog(engine, rels);
    cat.attachCatalogIndexes(openCatalogIndexes(engine, rels));
    // Files without rows: initdb crashed before its commit (its files stay behind as orphans).
    if (cat.namespaceOid('pg_catalog') === null) {
      throw new PgError(SQLSTATE.internal_error, 'the system catalogs are empty: initdb did not finish', { hint: 'Remove the data directory and open it again.' });
    }
    return cat;
  }

  private attachCatalogIndexes(indexes: ReadonlyMap<number, IndexRelation>): void {
    for (const [oid, index] of indexes) {
      this.heaps.indexes.set(oid, index);
      this.relcache.rememberIndex(index);
    }
  }

  /** open, or bootstrap when the data directory has no catalogs yet. */
  static openOrBootstrap(engine: StorageEngine, source: BuiltinSource = FMGR_BUILTINS): Catalog {
    return catalogsExist(engine) ? Catalog.open(engine) : Catalog.bootstrap(engine, source);
  }

  // ------------------------------------------------------------ invalidation

  /** LocalExecuteInvalidationMessage. */
  private applyInvalidation(msg: InvalidationMessage): void {
    if (msg.kind === 'relcache') {
      this.relcache.invalidate(msg.relId);
      if (msg.relId === 0) this.syscache.invalidateAll();
    } else {
      this.syscache.invalidate(msg.cacheId);
      if (msg.cacheId === 'NAMESPACE') this.resolvedFor = null;
    }
  }

  /** Drops every cached entry now (a session reset, or a message from another backend that overflowed the queue). */
  invalidateAll(): void {
    this.relcache.invalidate(0);
    this.syscache.invalidateAll();
    this.resolvedFor = null;
  }

  /** CommandCounterIncrement after a catalog change (rule 1); outside a transaction every engine call committed already. */
  commandCounterIncrement(): void {
    const xact = this.engine.xact;
    if (!xact.isTransactionState()) {
      this.inval.atCommandCounterIncrement();
      return;
    }
    xact.commandCounterIncrement();
    // Outside startStatement() every engine call already ended with a CCI of its own, so the one
    // above may find no command id used and skip the callbacks: apply this command's messages here.
    this.inval.atCommandCounterIncrement();
    // Inside startStatement() the statement's snapshot is a private copy that CCI does not move;
    // DDL reads the catalogs with it, so it must see the rows of the primitives before.
    if (this.engine.inStatement && xact.snapmgr.activeSnapshotSet()) xact.snapmgr.updateActiveSnapshotCommandId();
  }

  /** GetNewOidWithIndex: a fresh OID for a catalog row. */
  newOid(): number {
    return this.engine.transam.varsup.getNewObjectId();
  }

  // ------------------------------------------------------------ CatalogAccess

  /** CatalogAccess.lockRelationOid: the engine's heavyweight relation lock (storage/lmgr). */
  lockRelationOid(relid: number, mode: LockModeName, dontWait: boolean): boolean {
    return this.engine.lockRelation(relid, lockModeNumber(mode), dontWait);
  }

  unlockRelationOid(relid: number, mode: LockModeName): void {
    this.engine.unlockRelation(relid, lockModeNumber(mode));
  }

  relnameGetRelid(schemaname: string | null, relname: string, missingOk: boolean, location?: number): number | null {
    // A name of at most 21 UTF-16 units is at most 63 UTF-8 bytes: no truncation needed.
    const name = relname.length > 21 ? nameIn(relname) : relname;
    if (schemaname !== null) {
      const nsp = this.syscache.namespaceOid(schemaname);
      if (nsp === null) {
        if (missingOk) return null;
        throw new PgError(CATALOG_SQLSTATE.invalid_schema_name, `schema "${schemaname}" does not exist`, errPosition(location));
      }
      const oid = this.syscache.relnameNsp(nsp, name);
      if (oid !== 0) return oid;
    } else {
      const path = this.searchPath();
      for (let i = 0; i < path.length; i++) {
        const oid = this.syscache.relnameNsp(path[i], name);
        if (oid !== 0) return oid;
      }
    }
    if (missingOk) return null;
    const shown = schemaname !== null ? `${schemaname}.${name}` : name;
    throw new PgError(SQLSTATE.undefined_table, `relation "${shown}" does not exist`, errPosition(location));
  }

  getRelation(oid: number): RelationInfo {
    return this.relcache.get(oid);
  }

  namespaceOid(nspname: string): number | null {
    return this.syscache.namespaceOid(nspname);
  }

  /** The name of a namespace, or null. */
  namespaceName(oid: number): string | null {
    return this.syscache.namespaceName(oid);
  }

  searchPath(): number[] {
    return this.resolveSearchPath().path;
  }

  creationNamespace(location?: number): number {
    const nsp = this.resolveSearchPath().creation;
    if (nsp === 0) throw new PgError(CATALOG_SQLSTATE.invalid_schema_name, 'no schema has been selected to create in', errPosition(location));
    return nsp;
  }

  /** The namespace a possibly qualified new object goes to (RangeVarGetCreationNamespace). */
  namespaceForCreate(schemaname: string | null, location?: number): number {
    if (schemaname === null) return this.creationNamespace(location);
    const nsp = this.syscache.namespaceOid(schemaname);
    if (nsp === null) throw new PgError(CATALOG_SQLSTATE.invalid_schema_name, `schema "${schemaname}" does not exist`, errPosition(location));
    return nsp;
  }

  /** Whether a relation would be found by its bare name (RelationIsVisible): messages qualify it otherwise. */
  relationIsVisible(oid: number): boolean {
    const rel = this.relcache.get(oid);
    if (!this.searchPath().includes(rel.relnamespace)) return false;
    return this.relnameGetRelid(null, rel.relname, true) === oid;
  }

  private resolveSearchPath(): ResolvedSearchPath {
    const setting = this.searchPathSetting();
    if (setting !== this.resolvedFor) {
      this.resolved = resolveSearchPath(parseSearchPath(setting), this.userName, (n) => this.syscache.namespaceOid(n), PG_CATALOG_NAMESPACE);
      this.resolvedFor = setting;
    }
    return this.resolved;
  }

  // ------------------------------------------------------------ write primitives

  /**
   * Runs a write primitive atomically: inside the caller's statement (the
   * normal case: tcop started it), otherwise as a statement of its own — in
   * the open transaction block if there is one, which an error then leaves
   * failed (25P02 until ROLLBACK), as any failed statement does.
   */
  private ddl<T>(fn: () => T): T {
    const engine = this.engine;
    if (engine.inStatement) return fn();
    engine.startStatement();
    let result: T;
    try {
      result = fn();
    } catch (e) {
      engine.abortStatement(e);
      throw e;
    }
    engine.endStatement();
    return result;
  }

  heapCreateWithCatalog(spec: heap.HeapCreateSpec): number {
    return this.ddl(() => heap.heapCreateWithCatalog(this, spec));
  }

  indexCreate(spec: index.IndexCreateSpec): number {
    return this.ddl(() => index.indexCreate(this, spec));
  }

  addConstraint(spec: index.ConstraintSpec): number {
    return this.ddl(() => index.addConstraint(this, spec));
  }

  storeDefault(relid: number, attnum: number, expr: Expr, adsrc: string): number {
    return this.ddl(() => heap.storeDefault(this, relid, attnum, expr, adsrc));
  }

  /** `viewdef` is the view's SELECT as written, what \d+ and pg_get_viewdef show. */
  createView(name: string, nsp: number, query: Query, columns: readonly heap.ColumnSpec[], replace = false, viewdef = ''): number {
    return this.ddl(() => heap.createView(this, name, nsp, query, columns, replace, viewdef));
  }

  createNamespace(name: string, ifNotExists = false): number {
    return this.ddl(() => heap.createNamespace(this, name, ifNotExists));
  }

  createSequenceRelation(spec: heap.SequenceSpec): number {
    return this.ddl(() => heap.createSequenceRelation(this, spec));
  }

  recordDependencyOn(depender: dependency.ObjectAddress, referenced: dependency.ObjectAddress, type: dependency.DependencyType): void {
    this.ddl(() => dependency.recordDependencyOn(this, depender, referenced, type));
  }

  performDeletion(objects: readonly dependency.ObjectAddress[], behavior: dependency.DropBehavior, notice: NoticeFn): void {
    this.ddl(() => dependency.performDeletion(this, objects, behavior, notice));
  }

  renameRelation(relid: number, newname: string): void {
    this.ddl(() => heap.renameRelation(this, relid, newname));
  }

  renameColumn(relid: number, oldname: string, newname: string): void {
    this.ddl(() => heap.renameColumn(this, relid, oldname, newname));
  }

  addColumn(relid: number, column: heap.ColumnSpec): number {
    return this.ddl(() => heap.addColumn(this, relid, column));
  }

  dropColumn(relid: number, attnum: number, behavior: dependency.DropBehavior = 'DROP_RESTRICT', notice: NoticeFn = () => {}): void {
    this.ddl(() => heap.dropColumn(this, relid, attnum, behavior, notice));
  }

  setNotNull(relid: number, attnum: number, notNull: boolean): void {
    this.ddl(() => heap.setNotNull(this, relid, attnum, notNull));
  }

  setDefault(relid: number, attnum: number, expr: Expr | null, adsrc: string): void {
    this.ddl(() => heap.setDefault(this, relid, attnum, expr, adsrc));
  }

  setIdentity(relid: number, attnum: number, identity: '' | 'a' | 'd'): void {
    this.ddl(() => heap.setIdentity(this, relid, attnum, identity));
  }

  updateRelStats(oid: number, relpages: number, reltuples: number): void {
    this.ddl(() => heap.updateRelStats(this, oid, relpages, reltuples));
  }

  /** pg_sequence row of a sequence (for nextval's bounds), or null. */
  sequenceParams(seqOid: number): heap.SequenceSpec['params'] | null {
    return heap.sequenceParams(this, seqOid);
  }

  /** The sequence owned by a column (serial / identity), 0 if none. */
  getOwnedSequence(relid: number, attnum: number): number {
    return dependency.getOwnedSequence(this, relid, attnum);
  }

  // ------------------------------------------------------------ helpers for the primitives

  /** The pg_attribute rows of a relation, fresh from the catalog. */
  attributeRows(relid: number): AttributeRow[] {
    return this.relcache.attributeRows(relid);
  }

  /** Heap handle of a relation (for DML on it): the relcache entry's. */
  heapOf(relid: number): Relation {
    const h = this.relcache.get(relid).heap;
    if (h === null) throw new PgError(SQLSTATE.internal_error, `relation ${relid} has no storage`);
    return h;
  }

  /** Registers an invalidation message (rule 2). */
  invalidate(msg: InvalidationMessage): void {
    this.inval.register(msg);
  }
}
