/*
 * ri_triggers.ts — FOREIGN KEY enforcement (PostgreSQL's
 * utils/adt/ri_triggers.c, with the AFTER-trigger queue of
 * commands/trigger.c that runs it at the end of each statement).
 *
 * Exports:
 *   AfterTriggers            the statement's queue of row events and its delta
 *   afterTriggersFor(estate) the queue of one query (shared by every ModifyTable in it)
 *   relationHasForeignKeys(rel)
 *   RowCursor, CursorEngine, cursorsOf(engine)   the engine's pull cursors as used here
 *   probeIndexDirty(engine, rel, index, keyValues)   ON CONFLICT's arbiter check (SnapshotDirty)
 *
 * How it works. ModifyTable reports every row it inserts, updates or
 * deletes in a table that takes part in a foreign key (afterInsert /
 * afterUpdate / afterDelete). Nothing is checked then: as PostgreSQL's RI
 * triggers are AFTER ROW triggers whose events fire at the end of the
 * statement, a statement may insert a child before its parent. fire()
 * processes the events in order; actions (CASCADE, SET NULL, SET DEFAULT)
 * change more rows, whose events are appended and processed in the same
 * loop, as PostgreSQL's cascaded trigger events are.
 *
 * What a check sees. The engine runs a statement under one snapshot and
 * command id, so the statement's own writes are invisible to its scans
 * (engine.ts, "Statements"). PostgreSQL's RI triggers run after a
 * CommandCounterIncrement and do see them. The queue therefore keeps the
 * statement's delta per table — rows it inserted (tid -> values) and row
 * versions it deleted or replaced — and every lookup is "what the snapshot
 * sees, minus the delta's deletions, plus the delta's insertions".
 *
 * Rules:
 *  1. MATCH SIMPLE (the default): a referencing key with any NULL column is
 *     not checked. MATCH FULL: all NULL is not checked, a mix is an error.
 *  2. The referenced side is looked up through its unique index (conindid);
 *     the referencing side through an index whose leading columns are the
 *     referencing columns when one exists, else by a sequential scan.
 *  3. NO ACTION checks at the end of the statement that no row with the old
 *     key exists any more before complaining; RESTRICT does not look.
 *  4. Row locks, as PostgreSQL's RI queries take them (SELECT 1 FROM pk
 *     WHERE key = $1 FOR KEY SHARE, and the same on the referencing table
 *     for RESTRICT / NO ACTION): every row a check finds is locked FOR KEY
 *     SHARE before it counts (lockKeyShare). A DELETE or key UPDATE of a
 *     referenced row in progress makes the check wait; after its commit the
 *     row is gone (23503), after its rollback it counts. Conversely the
 *     lock makes a later DELETE / key UPDATE of the referenced row wait for
 *     the inserter, and its own check then sees the new referencing row. A
 *     non-key UPDATE (NO KEY UPDATE) and FOR KEY SHARE never wait for each
 *     other. So no two transactions can commit an orphan.
 *  5. Snapshots (ri_PerformCheck): the referencing-side check reads with
 *     the latest snapshot in READ COMMITTED and the transaction snapshot
 *     otherwise (a referenced row changed since: its lock fails with 40001);
 *     the referenced-side checks and actions always read with the latest
 *     snapshot (detectNewRows), and in REPEATABLE READ / SERIALIZABLE an
 *     action's DELETE / UPDATE of a row the transaction snapshot does not
 *     see fails with 40001 (the crosscheck snapshot). A row an action
 *     finds changed by a committed transaction is followed to its newest
 *     version and re-checked in READ COMMITTED (EvalPlanQual).
 */

import type { StorageEngine } from '../../engine.ts';
import type { Relation } from '../../access/heap/relation.ts';
import type { IndexRelation } from '../../access/nbtree/nbtree.ts';
import type { ScanKey } from '../../access/nbtree/nbtree.ts';
import { initDirtySnapshot, type SnapshotData } from '../time/snapmgr.ts';
import { LockTupleMode, LockWaitPolicy } from '../../access/heap/heapam_env.ts';
import type { Tid } from '../../access/common/itemptr.ts';
import type { Expr } from '../../nodes/primnodes.ts';
import type { CatalogAccess, ConstraintInfo, IndexInfo, RelationInfo } from '../rel.ts';
import { INT2OID, INT4OID, INT8OID, typeByOid } from './types.ts';
import { PgError, SQLSTATE } from '../errors.ts';
import { ERRCODE } from '../../commands/errcodes.ts';
import { ExecInitExpr } from '../../executor/execExpr.ts';
import { ExprContext, type EState, type ExprState } from '../../executor/execnodes.ts';
import { execConstraints, initResultRelConstraints, valueText, type ResultRelConstraints } from '../../executor/execConstraints.ts';

// ---------------------------------------------------------------- the engine's cursors

/** A pull cursor over rows (the engine's TableScanCursor / IndexScan). */
export interface RowCursor {
  readonly values: readonly unknown[];
  readonly tid: Tid;
  next(): boolean;
  end(): void;
}

/** The engine's cursor API as used here (engine.ts beginScan / beginIndexScan). */
export interface CursorEngine {
  beginScan(rel: Relation, options?: { snapshot?: SnapshotData }): RowCursor;
  beginIndexScan(index: IndexRelation, keys: readonly ScanKey[], options?: { direction?: 'forward' | 'backward'; indexOnly?: boolean; snapshot?: SnapshotData }): RowCursor;
}

export function cursorsOf(engine: StorageEngine): CursorEngine {
  return engine;
}

/** Converts a key value to the representation of the index column's type (int4 keys probing an int8 index). */
function keyArg(v: unknown, typeOid: number): unknown {
  if (typeOid === INT8OID && typeof v === 'number') return BigInt(v);
  if ((typeOid === INT4OID || typeOid === INT2OID) && typeof v === 'bigint') return Number(v);
  return v;
}

/**
 * Opens an index scan for `col = value` on each of `heapAttnums` (which must
 * all be key columns of the index).
 */
function openEqualityScan(engine: StorageEngine, rel: RelationInfo, index: IndexInfo, heapAttnums: readonly number[], keyValues: readonly unknown[], snapshot?: SnapshotData): RowCursor {
  const keys: ScanKey[] = [];
  for (let i = 0; i < heapAttnums.length; i++) {
    const col = index.indkey.indexOf(heapAttnums[i]);
    const typeOid = rel.attrs[heapAttnums[i] - 1].atttypid;
    keys.push({ attno: col + 1, op: '=', arg: keyArg(keyValues[i], typeOid) as ScanKey['arg'] });
  }
  keys.sort((a, b) => a.attno - b.attno);
  return cursorsOf(engine).beginIndexScan(index.index, keys, { direction: 'forward', indexOnly: false, snapshot });
}

/** ExecLockRows' error for a row a transaction-snapshot check finds changed by a committed transaction. */
function concurrentUpdate(): PgError {
  return new PgError(SQLSTATE.serialization_failure, 'could not serialize access due to concurrent update');
}

/**
 * ON CONFLICT's arbiter check (check_exclusion_or_unique_constraint with
 * SnapshotDirty): the first row with the key that is committed-live
 * (visible or not to the statement's snapshot) or being inserted or
 * deleted by a running transaction. `xwait` is that transaction (0 when
 * none): the caller waits for it and probes again; `speculativeToken` is
 * its token when it is a speculative insertion (wait on that instead).
 */
export function probeIndexDirty(
  engine: StorageEngine, rel: RelationInfo, index: IndexInfo, keyValues: readonly unknown[], skip?: (tid: Tid) => boolean,
): { tid: Tid; values: unknown[]; xwait: number; speculativeToken: number } | null {
  const dirty = initDirtySnapshot();
  const keys: ScanKey[] = [];
  for (let i = 0; i < index.indkey.length; i++) {
    keys.push({ attno: i + 1, op: '=', arg: keyArg(keyValues[i], rel.attrs[index.indkey[i] - 1].atttypid) as ScanKey['arg'] });
  }
  const cur = cursorsOf(engine).beginIndexScan(index.index, keys, { direction: 'forward', indexOnly: false, snapshot: dirty });
  try {
    while (cur.next()) {
      if (skip !== undefined && skip(cur.tid)) continue;
      if (dirty.xmin !== 0) return { tid: cur.tid, values: cur.values.slice(), xwait: dirty.xmin, speculativeToken: dirty.speculativeToken };
      return { tid: cur.tid, values: cur.values.slice(), xwait: dirty.xmax, speculativeToken: 0 };
    }
    return null;
  } finally {
    cur.end();
  }
}

// ---------------------------------------------------------------- key helpers

function valuesEqual(typeOid: number, a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return BigInt(a) === BigInt(b);
  }
  const t = typeByOid(typeOid);
  if (t !== undefined) {
    try {
      return t.compare(a as never, b as never) === 0;
    } catch {
      return false;
    }
  }
  return String(a) === String(b);
}

function keyOf(values: readonly unknown[], attnums: readonly number[]): unknown[] {
  const k = new Array<unknown>(attnums.length);
  for (let i = 0; i < attnums.length; i++) k[i] = values[attnums[i] - 1] ?? null;
  return k;
}

function keyHasNull(key: readonly unknown[]): 'none' | 'some' | 'all' {
  let n = 0;
  for (const v of key) if (v === null) n++;
  return n === 0 ? 'none' : n === key.length ? 'all' : 'some';
}

function keysEqual(rel: RelationInfo, attnums: readonly number[], a: readonly unknown[], b: readonly unknown[]): boolean {
  for (let i = 0; i < attnums.length; i++) if (!valuesEqual(rel.attrs[attnums[i] - 1].atttypid, a[i], b[i])) return false;
  return true;
}

/** "(a, b)=(1, 2)" as RI error details print a key. */
function keyText(rel: RelationInfo, attnums: readonly number[], key: readonly unknown[]): string {
  const names = attnums.map((n) => rel.attrs[n - 1].attname);
  const vals = attnums.map((n, i) => valueText(rel.attrs[n - 1].atttypid, key[i]));
  return `(${names.join(', ')})=(${vals.join(', ')})`;
}

/**
 * The foreign keys of other tables (and self-references) that point at rel:
 * the relcache entry's fkeysReferencing (the catalog fills it for every
 * table and invalidates it when a foreign key on either side comes or goes),
 * so no per-statement pg_constraint scan. A RelationInfo without it (test
 * doubles of CatalogAccess) has none. `catalog` is kept for the callers.
 */
export function referencingForeignKeys(_catalog: CatalogAccess, rel: RelationInfo): readonly ConstraintInfo[] {
  return rel.fkeysReferencing ?? NO_FKEYS;
}

const NO_FKEYS: readonly ConstraintInfo[] = [];

/**
 * Whether writes to rel need the AFTER-trigger queue: its own foreign keys,
 * or (UPDATE / DELETE, or an INSERT beside other writes of the same query,
 * whose checks must see its rows) foreign keys that reference it.
 */
export function relationHasForeignKeys(catalog: CatalogAccess, rel: RelationInfo, operation: 'CMD_INSERT' | 'CMD_UPDATE' | 'CMD_DELETE', otherWrites: boolean): boolean {
  if (rel.constraints.some((c) => c.contype === 'f')) return true;
  return (operation !== 'CMD_INSERT' || otherWrites) && referencingForeignKeys(catalog, rel).length > 0;
}

// ---------------------------------------------------------------- the queue

type RowEvent =
  | { kind: 'insert'; relid: number; newTid: Tid; newValues: unknown[] }
  | { kind: 'update'; relid: number; oldTid: Tid; oldValues: unknown[]; newTid: Tid; newValues: unknown[] }
  | { kind: 'delete'; relid: number; oldTid: Tid; oldValues: unknown[] };

/** One table's share of the statement's changes. */
interface TableDelta {
  inserted: Map<Tid, unknown[]>;
  deleted: Set<Tid>;
}

const queues = new WeakMap<EState, AfterTriggers>();

/** The AFTER-trigger queue of one query: every ModifyTable of it reports here. */
export function afterTriggersFor(estate: EState): AfterTriggers {
  let q = queues.get(estate);
  if (q === undefined) {
    q = new AfterTriggers(estate);
    queues.set(estate, q);
  }
  return q;
}

export class AfterTriggers {
  private readonly events: RowEvent[] = [];
  private readonly deltas = new Map<number, TableDelta>();
  private readonly constraintsByRel = new Map<number, ResultRelConstraints>();
  private readonly defaultExprs = new Map<string, ExprState>();
  private readonly econtext: ExprContext;
  /** Whether checks lock the rows they find (rule 4); false only while validateForeignKey runs. */
  private lockRows = true;
  /** ModifyTable nodes still running; the queue fires when the last one finishes. */
  active = 0;

  constructor(private readonly estate: EState) {
    this.econtext = new ExprContext(estate);
  }

  private get engine(): StorageEngine {
    return this.estate.engine;
  }
  private get catalog(): CatalogAccess {
    return this.estate.catalog;
  }

  private delta(relid: number): TableDelta {
    let d = this.deltas.get(relid);
    if (d === undefined) {
      d = { inserted: new Map(), deleted: new Set() };
      this.deltas.set(relid, d);
    }
    return d;
  }

  /** Whether this statement deleted or replaced the row version at tid. */
  isDeleted(relid: number, tid: Tid): boolean {
    return this.deltas.get(relid)?.deleted.has(tid) ?? false;
  }

  afterInsert(rel: RelationInfo, newTid: Tid, newValues: unknown[]): void {
    this.delta(rel.oid).inserted.set(newTid, newValues);
    this.events.push({ kind: 'insert', relid: rel.oid, newTid, newValues });
  }

  afterUpdate(rel: RelationInfo, oldTid: Tid, oldValues: unknown[], newTid: Tid, newValues: unknown[]): void {
    const d = this.delta(rel.oid);
    d.deleted.add(oldTid);
    d.inserted.delete(oldTid);
    d.inserted.set(newTid, newValues);
    this.events.push({ kind: 'update', relid: rel.oid, oldTid, oldValues, newTid, newValues });
  }

  afterDelete(rel: RelationInfo, oldTid: Tid, oldValues: unknown[]): void {
    const d = this.delta(rel.oid);
    d.deleted.add(oldTid);
    d.inserted.delete(oldTid);
    this.events.push({ kind: 'delete', relid: rel.oid, oldTid, oldValues });
  }

  /** AfterTriggerEndQuery: processes every queued event, and the events the actions add. */
  fire(): void {
    for (let i = 0; i < this.events.length; i++) {
      this.estate.checkInterrupts();
      const ev = this.events[i];
      const rel = this.catalog.getRelation(ev.relid);
      if (ev.kind !== 'delete') this.checkReferencingSide(rel, ev);
      if (ev.kind !== 'insert') this.actOnReferencedSide(rel, ev);
    }
    this.events.length = 0;
    this.deltas.clear();
  }

  // ------------------------------------------------------------ referencing side (RI_FKey_check)

  private checkReferencingSide(rel: RelationInfo, ev: Extract<RowEvent, { kind: 'insert' | 'update' }>): void {
    // A row version this statement replaced or deleted again is not checked (RI_FKey_check's "row gone" test).
    if (this.isDeleted(rel.oid, ev.newTid)) return;
    for (const con of rel.constraints) {
      if (con.contype !== 'f') continue;
      if (ev.kind === 'update' && keysEqual(rel, con.conkey, keyOf(ev.newValues, con.conkey), keyOf(ev.oldValues, con.conkey))) continue;
      this.checkRow(rel, con, ev.newValues);
    }
  }

  /** RI_FKey_check for one row and one constraint: 23503 unless its key is NULL (rule 1) or present. */
  private checkRow(rel: RelationInfo, con: ConstraintInfo, values: readonly unknown[]): void {
    const key = keyOf(values, con.conkey);
    const nulls = keyHasNull(key);
    if (nulls === 'all') return;
    if (nulls === 'some') {
      if (con.confmatchtype === 'f') {
        throw new PgError(ERRCODE.foreign_key_violation, `insert or update on table "${rel.relname}" violates foreign key constraint "${con.conname}"`, {
          detail: 'MATCH FULL does not allow mixing of null and nonnull key values.',
          table: rel.relname, constraint: con.conname,
        });
      }
      return;
    }
    const pk = this.catalog.getRelation(con.confrelid);
    if (!this.referencedRowExists(pk, con, key, false)) {
      throw new PgError(ERRCODE.foreign_key_violation, `insert or update on table "${rel.relname}" violates foreign key constraint "${con.conname}"`, {
        detail: `Key ${keyText(rel, con.conkey, key)} is not present in table "${pk.relname}".`,
        table: rel.relname, constraint: con.conname,
      });
    }
  }

  /** ALTER TABLE ADD FOREIGN KEY: every existing row of rel must satisfy con (RI_Initial_Check, row by row). */
  validateForeignKey(rel: RelationInfo, con: ConstraintInfo): void {
    if (rel.heap === null) return;
    const cur = cursorsOf(this.engine).beginScan(rel.heap);
    // RI_Initial_Check locks no rows: ALTER TABLE holds both tables against writers.
    this.lockRows = false;
    try {
      while (cur.next()) this.checkRow(rel, con, cur.values);
    } finally {
      this.lockRows = true;
      cur.end();
    }
  }

  /**
   * Is there a row in the referenced table whose confkey columns equal key
   * (snapshot + delta)? A row found is locked FOR KEY SHARE first (rule 4);
   * `detectNewRows`: read with the latest snapshot whatever the isolation
   * level (rule 5).
   */
  private referencedRowExists(pk: RelationInfo, con: ConstraintInfo, key: readonly unknown[], detectNewRows: boolean): boolean {
    const index = pk.indexes.find((i) => i.indexrelid === con.conindid) ?? pk.indexes.find((i) => i.indisunique && sameColumns(i.indkey, con.confkey));
    const d = this.deltas.get(pk.oid);
    const snapshot = this.riSnapshot(detectNewRows);
    const found: Tid[] = [];
    if (index !== undefined) {
      const cur = openEqualityScan(this.engine, pk, index, con.confkey, key, snapshot);
      try {
        while (cur.next()) if (d === undefined || !d.deleted.has(cur.tid)) found.push(cur.tid);
      } finally {
        cur.end();
      }
    } else {
      this.scanFor(pk, con.confkey, key, (tid) => {
        if (d === undefined || !d.deleted.has(tid)) found.push(tid);
        return false;
      }, snapshot);
    }
    // Locked with no scan open: the lock may wait.
    for (const tid of found) if (!this.lockRows || this.lockKeyShare(pk, tid, con.confkey, key)) return true;
    if (d !== undefined) {
      for (const [tid, values] of d.inserted) {
        if (!d.deleted.has(tid) && keysEqual(pk, con.confkey, keyOf(values, con.confkey), key)) return true;
      }
    }
    return false;
  }

  /**
   * ri_PerformCheck's snapshot (rule 5): undefined for the statement's own
   * (the transaction snapshot in REPEATABLE READ and SERIALIZABLE), else a
   * copy of the latest one (GetLatestSnapshot reuses its buffer).
   */
  private riSnapshot(detectNewRows: boolean): SnapshotData | undefined {
    const xact = this.engine.xact;
    // Validating a new foreign key (no row locks) reads what its statement sees, as RI_Initial_Check.
    if (!this.lockRows || (xact.usesXactSnapshot() && !detectNewRows)) return undefined;
    return xact.snapmgr.copySnapshot(xact.snapmgr.getLatestSnapshot());
  }

  /**
   * The FOR KEY SHARE of an RI query's row (ExecLockRows): true when the row
   * at tid, or in READ COMMITTED its newest version if a committed
   * transaction updated it and its `attnums` still equal `key` (the
   * EvalPlanQual re-check of the query's WHERE clause), is locked. A row
   * deleted meanwhile does not count; with a transaction snapshot a row
   * changed meanwhile is 40001.
   */
  private lockKeyShare(rel: RelationInfo, tid: Tid, attnums: readonly number[], key: readonly unknown[]): boolean {
    const engine = this.engine;
    const heap = heapOf(rel);
    let t = tid;
    for (;;) {
      const lr = engine.lockRow(heap, t, LockTupleMode.KeyShare, LockWaitPolicy.Block);
      switch (lr.outcome) {
        case 'ok':
          return t === tid || (lr.values !== null && keysEqual(rel, attnums, keyOf(lr.values, attnums), key));
        case 'updated':
          if (engine.xact.usesXactSnapshot()) throw concurrentUpdate();
          t = lr.tid;
          continue;
        case 'deleted':
          if (engine.xact.usesXactSnapshot()) throw concurrentUpdate();
          return false;
        default:
          return false; // changed by this transaction's current command: not there for it
      }
    }
  }

  /**
   * An action's DELETE or UPDATE of a referencing row found with the latest
   * snapshot (rule 5): 40001 in REPEATABLE READ when the transaction
   * snapshot does not see the row (crosscheck); `apply` changes the row
   * version at a TID; if a committed transaction changed it first, READ
   * COMMITTED locks the newest version, and applies to it if it still
   * references `key` (EvalPlanQual); others fail with 40001.
   */
  private modifyReferencing(fk: RelationInfo, con: ConstraintInfo, key: readonly unknown[], tid: Tid, values: unknown[], apply: (tid: Tid, values: unknown[]) => { outcome: string; tid: Tid }): void {
    const engine = this.engine;
    const heap = heapOf(fk);
    const xactSnapshot = engine.xact.usesXactSnapshot();
    if (xactSnapshot && !(this.deltas.get(fk.oid)?.inserted.has(tid) ?? false) && engine.fetch(heap, tid) === null) throw concurrentUpdate();
    let t = tid;
    let v = values;
    for (;;) {
      const r = apply(t, v);
      if (r.outcome === 'ok' || r.outcome === 'self-modified') return;
      if (r.outcome !== 'updated' && r.outcome !== 'deleted') throw new PgError(ERRCODE.internal_error, `unexpected result changing a referencing row: ${r.outcome}`);
      if (xactSnapshot) throw concurrentUpdate();
      if (r.outcome === 'deleted') return;
      // EvalPlanQual: the newest version, locked, still referencing the key?
      let next = r.tid;
      for (;;) {
        const lr = engine.lockRow(heap, next, LockTupleMode.Exclusive, LockWaitPolicy.Block);
        if (lr.outcome === 'updated') {
          next = lr.tid;
          continue;
        }
        if (lr.outcome !== 'ok' || lr.values === null) return;
        if (!keysEqual(fk, con.conkey, keyOf(lr.values, con.conkey), key)) return;
        t = next;
        v = lr.values as unknown[];
        break;
      }
    }
  }

  // ------------------------------------------------------------ referenced side (NO ACTION, RESTRICT, CASCADE, SET NULL, SET DEFAULT)

  private actOnReferencedSide(pk: RelationInfo, ev: Extract<RowEvent, { kind: 'update' | 'delete' }>): void {
    const fks = referencingForeignKeys(this.catalog, pk);
    if (fks.length === 0) return;
    for (const con of fks) {
      const oldKey = keyOf(ev.oldValues, con.confkey);
      if (keyHasNull(oldKey) !== 'none') continue; // nothing can reference a key with a NULL in it
      let newKey: unknown[] | null = null;
      if (ev.kind === 'update') {
        newKey = keyOf(ev.newValues, con.confkey);
        if (keysEqual(pk, con.confkey, oldKey, newKey)) continue;
      }
      const action = ev.kind === 'delete' ? con.confdeltype : con.confupdtype;
      const fk = this.catalog.getRelation(con.conrelid);
      switch (action) {
        case 'a':
          // NO ACTION: fine if another row now carries the old key (rule 3).
          if (this.referencedRowExists(pk, con, oldKey, true)) continue;
          this.restrict(pk, fk, con, oldKey, false);
          break;
        case 'r':
          this.restrict(pk, fk, con, oldKey, true);
          break;
        case 'c':
          if (ev.kind === 'delete') this.forEachReferencing(fk, con, oldKey, (tid, values) => this.cascadeDelete(fk, con, oldKey, tid, values));
          else this.forEachReferencing(fk, con, oldKey, (tid, values) => this.setKey(fk, con, oldKey, tid, values, newKey));
          break;
        case 'n':
          this.forEachReferencing(fk, con, oldKey, (tid, values) => this.setKey(fk, con, oldKey, tid, values, con.conkey.map(() => null)));
          break;
        case 'd':
          this.forEachReferencing(fk, con, oldKey, (tid, values) => this.setKey(fk, con, oldKey, tid, values, con.conkey.map((attnum) => this.columnDefault(fk, attnum))));
          // The default may be the old key itself: those rows still reference it (RI_FKey_setdefault's second look).
          if (!this.referencedRowExists(pk, con, oldKey, true)) this.restrict(pk, fk, con, oldKey, false);
          break;
        default:
          throw new PgError(ERRCODE.internal_error, `unrecognized foreign key action "${action}"`);
      }
    }
  }

  /** NO ACTION's 23503, or RESTRICT's 23001 (PostgreSQL 17 words them differently). */
  private restrict(pk: RelationInfo, fk: RelationInfo, con: ConstraintInfo, oldKey: readonly unknown[], isRestrict: boolean): void {
    // ri_restrict's SELECT 1 FROM fk WHERE key = $1 FOR KEY SHARE: a row counts once locked (rule 4).
    let found = false;
    const ownInserted = this.deltas.get(fk.oid)?.inserted;
    this.forEachReferencing(fk, con, oldKey, (tid) => {
      found = (ownInserted?.has(tid) ?? false) || this.lockKeyShare(fk, tid, con.conkey, oldKey);
      return !found;
    });
    if (found && isRestrict) {
      throw new PgError(ERRCODE.restrict_violation, `update or delete on table "${pk.relname}" violates RESTRICT setting of foreign key constraint "${con.conname}" on table "${fk.relname}"`, {
        detail: `Key ${keyText(pk, con.confkey, oldKey)} is referenced from table "${fk.relname}".`,
        table: fk.relname, constraint: con.conname,
      });
    }
    if (found) {
      throw new PgError(ERRCODE.foreign_key_violation, `update or delete on table "${pk.relname}" violates foreign key constraint "${con.conname}" on table "${fk.relname}"`, {
        detail: `Key ${keyText(pk, con.confkey, oldKey)} is still referenced from table "${fk.relname}".`,
        table: fk.relname, constraint: con.conname,
      });
    }
  }

  /**
   * Calls fn for each row of the referencing table whose conkey equals key,
   * collected first so the callback may change the table. fn returning false stops.
   */
  private forEachReferencing(fk: RelationInfo, con: ConstraintInfo, key: readonly unknown[], fn: (tid: Tid, values: unknown[]) => boolean | void): void {
    const rows: { tid: Tid; values: unknown[] }[] = [];
    const d = this.deltas.get(fk.oid);
    const index = fk.indexes.find((i) => i.indkey.length >= con.conkey.length && sameColumns(i.indkey.slice(0, con.conkey.length), con.conkey));
    const snapshot = this.riSnapshot(true);
    if (index !== undefined) {
      const cur = openEqualityScan(this.engine, fk, index, con.conkey, key, snapshot);
      try {
        while (cur.next()) if (d === undefined || !d.deleted.has(cur.tid)) rows.push({ tid: cur.tid, values: cur.values.slice() });
      } finally {
        cur.end();
      }
    } else {
      this.scanFor(fk, con.conkey, key, (tid, values) => {
        if (d === undefined || !d.deleted.has(tid)) rows.push({ tid, values: values.slice() });
        return false;
      }, snapshot);
    }
    if (d !== undefined) {
      for (const [tid, values] of d.inserted) {
        if (!d.deleted.has(tid) && keysEqual(fk, con.conkey, keyOf(values, con.conkey), key)) rows.push({ tid, values });
      }
    }
    for (const r of rows) if (fn(r.tid, r.values) === false) return;
  }

  /** Sequential scan for rows whose attnums equal key; stops when fn returns true. Returns whether it stopped. */
  private scanFor(rel: RelationInfo, attnums: readonly number[], key: readonly unknown[], fn: (tid: Tid, values: readonly unknown[]) => boolean, snapshot?: SnapshotData): boolean {
    if (rel.heap === null) return false;
    const cur = cursorsOf(this.engine).beginScan(rel.heap, { snapshot });
    try {
      while (cur.next()) {
        let eq = true;
        for (let i = 0; i < attnums.length && eq; i++) eq = valuesEqual(rel.attrs[attnums[i] - 1].atttypid, cur.values[attnums[i] - 1], key[i]);
        if (eq && fn(cur.tid, cur.values)) return true;
      }
      return false;
    } finally {
      cur.end();
    }
  }

  /** ON DELETE CASCADE: RI_FKey_cascade_del's DELETE FROM fk WHERE key = $1, one found row (rule 5). */
  private cascadeDelete(fk: RelationInfo, con: ConstraintInfo, key: readonly unknown[], tid: Tid, values: unknown[]): void {
    if (this.isDeleted(fk.oid, tid)) return;
    this.modifyReferencing(fk, con, key, tid, values, (t, v) => {
      const r = this.engine.tryDelete(heapOf(fk), t);
      if (r.outcome === 'ok') this.afterDelete(fk, t, v);
      return r;
    });
  }

  /** ON UPDATE CASCADE / SET NULL / SET DEFAULT: the referencing columns get newKey; the row's constraints apply. */
  private setKey(fk: RelationInfo, con: ConstraintInfo, key: readonly unknown[], tid: Tid, values: unknown[], newKey: readonly unknown[] | null): void {
    if (newKey === null || this.isDeleted(fk.oid, tid)) return;
    this.modifyReferencing(fk, con, key, tid, values, (t, v) => {
      const next = v.slice();
      for (let i = 0; i < con.conkey.length; i++) next[con.conkey[i] - 1] = newKey[i];
      execConstraints(this.constraintsOf(fk), next, this.econtext);
      const r = this.engine.tryUpdate(heapOf(fk), t, next as never);
      if (r.outcome === 'ok') this.afterUpdate(fk, t, v, r.tid, next);
      return r;
    });
  }

  private constraintsOf(rel: RelationInfo): ResultRelConstraints {
    let rc = this.constraintsByRel.get(rel.oid);
    if (rc === undefined) {
      rc = initResultRelConstraints(rel, null, this.estate);
      this.constraintsByRel.set(rel.oid, rc);
    }
    return rc;
  }

  private columnDefault(rel: RelationInfo, attnum: number): unknown {
    const e: Expr | undefined = rel.attrs[attnum - 1].attgenerated === '' ? rel.defaults.get(attnum) : undefined;
    if (e === undefined) return null;
    const k = `${rel.oid}.${attnum}`;
    let st = this.defaultExprs.get(k);
    if (st === undefined) {
      st = ExecInitExpr(e, null, this.estate);
      this.defaultExprs.set(k, st);
    }
    return st(this.econtext);
  }
}

function sameColumns(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (const x of a) if (!b.includes(x)) return false;
  return true;
}

function heapOf(rel: RelationInfo): Relation {
  if (rel.heap === null) throw new PgError(ERRCODE.internal_error, `relation "${rel.relname}" has no storage`);
  return rel.heap;
}
