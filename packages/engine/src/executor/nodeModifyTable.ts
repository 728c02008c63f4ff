/*
 * nodeModifyTable.ts — INSERT, UPDATE and DELETE (PostgreSQL's
 * executor/nodeModifyTable.c): the plan node that takes the rows its child
 * produces and writes them to the result relation through the storage
 * engine's row API, inside the statement tcop started.
 *
 * Exports: ExecInitModifyTable(node, estate): PlanState
 *
 * What the child produces (the planner's contract, plannodes.ts):
 *   INSERT  the full new row, one column per attribute, resno = attnum
 *   UPDATE  the new values of the SET columns in updateColnosLists[0]
 *           order, plus a resjunk "ctid" (the old row's TID)
 *   DELETE  a resjunk "ctid"
 *
 * Per row: INSERT computes GENERATED STORED columns, runs ExecConstraints
 * (NOT NULL, CHECK: execConstraints.ts), then engine.insert (which
 * maintains every index and raises 23505 for a unique violation), or with
 * ON CONFLICT the speculative insertion loop below. UPDATE fetches the
 * old row by TID, merges the SET values into it, recomputes generated
 * columns, checks, engine.tryUpdate.
 * DELETE engine.tryDelete. Both wait (in the heap) for a transaction that
 * holds the row; a row a committed transaction changed meanwhile gives
 * 40001 in REPEATABLE READ, and in READ COMMITTED is skipped (deleted) or
 * locked in its newest version and re-checked by EvalPlanQual (execEPQ.ts),
 * whose row supplies the SET values (concurrentlyChanged). Foreign keys are queued per row and checked when
 * the statement's last ModifyTable finishes (utils/adt/ri_triggers.ts).
 * RETURNING is projected over the new row (the old one for DELETE) as the
 * scan tuple, with the child's row as the outer tuple; with RETURNING the
 * node returns one row per row written, without it it runs to the end on
 * the first next() and returns nothing. estate.processed counts the rows.
 *
 * Batched INSERT. An INSERT with no RETURNING, no ON CONFLICT and no
 * foreign key to queue keeps its checked rows in a buffer (at most
 * HEAP_MULTI_INSERT_MAX_TUPLES rows or HEAP_MULTI_INSERT_MAX_BYTES of
 * values) and hands each full buffer to engine.insertBatch: one
 * heap_multi_insert (a page lock and a WAL record per page filled, the
 * target page kept pinned by a BulkInsertState between batches), then the
 * rows' index entries in order, as PostgreSQL's COPY does. A statement that
 * ends with one row buffered stores it with engine.insert, as before. The
 * statement's snapshot and command id make the buffered rows as invisible
 * to its scans as stored ones. Errors keep row order: when a later row
 * fails (in the child, a constraint, a generated column), the buffered
 * earlier rows are stored first, so an error of theirs (23505) is the one
 * reported, as row-at-a-time execution would report it.
 *
 * ON CONFLICT: PostgreSQL's speculative insertion (ExecInsert and
 * ExecOnConflictUpdate; access/heap/README.md "Speculative insertion"):
 *
 *        +--> 1. pre-check: probe each arbiter index with a DIRTY snapshot
 *        |       (probeDirty); a running inserter or deleter of the key is
 *        |       waited for (on its speculative token if it has one) and
 *        |       the probe repeated
 *        |    row found:  DO NOTHING  skip the row (40001 at REPEATABLE
 *        |                            READ if the snapshot cannot see it)
 *        |                DO UPDATE   lock it (waiting for its holder); if
 *        +----------------------------- it was updated / deleted meanwhile:
 *        |                            READ COMMITTED starts over, REPEATABLE
 *        |                            READ fails with 40001; else update it
 *        |    none:     2. engine.insertSpeculative: heap tuple with a
 *        |               token, index entries with the arbiters checked in
 *        |               'partial' mode (no error, no wait)
 *        +---------- an arbiter saw a concurrent row with the key: our
 *                     tuple was super-deleted; start over (1 finds it now)
 *                     otherwise: confirmed, done
 *
 * So two sessions that pass the pre-check at the same moment never see
 * 23505 from an arbiter: the one whose index entry comes second sees the
 * first's entry, super-deletes its own tuple and goes round again. A
 * non-arbiter unique index still raises 23505, as in PostgreSQL. The
 * statement's own writes are invisible to its snapshot but not to the
 * dirty probe, and the node also remembers the keys it wrote: a second
 * proposed row with the same key is a conflict for DO NOTHING and error
 * 21000 for DO UPDATE, as in PostgreSQL.
 *
 * The statement's own updates are invisible too (the Halloween rule), so an
 * UPDATE ... FROM that reaches one row twice updates it once: the TIDs this
 * node replaced are remembered and skipped, as heap_update's TM_SelfModified
 * is in PostgreSQL.
 */

import type { Relation } from '../access/heap/relation.ts';
import type { BulkInsertState } from '../access/heap/hio.ts';
import { HEAP_MULTI_INSERT_MAX_BYTES, HEAP_MULTI_INSERT_MAX_TUPLES } from '../constants.ts';
import type { Tid } from '../access/common/itemptr.ts';
import type { ModifyTable } from '../nodes/plannodes.ts';
import { INNER_VAR, type Expr, type TargetEntry } from '../nodes/primnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import type { IndexInfo, RelationInfo } from '../utils/rel.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import { ERRCODE } from '../commands/errcodes.ts';
import { afterTriggersFor, probeIndexDirty, relationHasForeignKeys, type AfterTriggers } from '../utils/adt/ri_triggers.ts';
import { speculativeInsertionWait, xactLockTableWait } from '../storage/lmgr/lmgr.ts';
import { ExecBuildProjectionInfo, ExecInitExpr, ExecInitQual } from './execExpr.ts';
import { TupleTableSlot, type EState, type ExprContext, type ExprState, type PlanState } from './execnodes.ts';
import { PlanStateBase } from './execUtils.ts';
import { ExecInitNode } from './execProcnode.ts';
import { EPQState, findFixedMarks, fixedMarkRow, type EPQFixedMark, type EPQRow } from './execEPQ.ts';
import { LockTupleMode, LockWaitPolicy } from '../access/heap/heapam_env.ts';
import {
  checkUpdateTargets, computeStoredGenerated, execConstraints, initResultRelConstraints, type ResultRelConstraints,
} from './execConstraints.ts';

const TIDOID = 27;

/**
 * Rounds of ON CONFLICT's check-and-insert loop for one row before giving
 * up. Each round that does not finish waited for (or lost to) another
 * backend's insertion of the key, so a real row needs a handful; the bound
 * only turns an endless livelock into an error.
 */
const ON_CONFLICT_ROUNDS_MAX = 100_000;

/** 40001 for a row changed by a transaction that committed after a REPEATABLE READ snapshot. */
export function serializationFailure(what: 'update' | 'delete'): PgError {
  return new PgError(SQLSTATE.serialization_failure, `could not serialize access due to concurrent ${what}`);
}

/** A row held by another transaction where this backend cannot wait (no lock manager). */
function rowBusy(relname: string): PgError {
  return new PgError(SQLSTATE.lock_not_available, `could not obtain lock on row in relation "${relname}"`);
}

export function ExecInitModifyTable(node: ModifyTable, estate: EState): PlanState {
  return new ModifyTableState(node, estate);
}

/** A key as a string, for the node's memory of the keys it wrote (same value, same string). */
function keyString(values: readonly unknown[]): string {
  let s = '';
  for (const v of values) {
    if (v instanceof Uint8Array) s += Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('');
    else if (typeof v === 'object' && v !== null) s += JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
    else s += String(v);
    s += '\u0000';
  }
  return s;
}

/** Rewrites EXCLUDED.col (varno = exclRelRTI) into the inner tuple, where the proposed row is. */
function excludedToInner(e: Expr, exclRelRTI: number): Expr {
  if (exclRelRTI <= 0) return e;
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (x === null || typeof x !== 'object' || x instanceof Uint8Array) return x;
    const o = x as Record<string, unknown>;
    if (o.type === 'Var' && o.varno === exclRelRTI && o.varlevelsup === 0) return { ...o, varno: INNER_VAR };
    if (o.type === 'Query' || o.type === 'SubPlan') return x;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o)) out[k] = walk(o[k]);
    return out;
  };
  return walk(e) as Expr;
}

interface Arbiter {
  index: IndexInfo;
  /** Keys this statement wrote into the table (the scans cannot see them), with the TID that holds each. */
  written: Map<string, Tid>;
}

class ModifyTableState extends PlanStateBase<ModifyTable> {
  private readonly child: PlanState;
  private readonly rel: RelationInfo;
  private readonly heap: Relation;
  private readonly rc: ResultRelConstraints;
  private readonly natts: number;
  /** INSERT: the attnum of each child column (-1 for junk). UPDATE: the target attnum of each child column. */
  private readonly colAttnums: number[];
  private readonly ctidIndex: number;
  private readonly returningSlot: TupleTableSlot | null;
  private readonly projectReturning: (() => void) | null;
  /** The row RETURNING and ON CONFLICT read as the scan tuple. */
  private readonly rowSlot: TupleTableSlot;
  private readonly triggers: AfterTriggers | null;
  /** Row versions this node replaced or deleted (TM_SelfModified). */
  private readonly replaced = new Set<Tid>();
  private readonly arbiters: Arbiter[];
  /** The arbiter indexes' OIDs, checked in 'partial' mode by the speculative insertion. */
  private readonly arbiterOids = new Set<number>();
  /** DO UPDATE's row lock (ExecUpdateLockMode): NO KEY EXCLUSIVE unless SET assigns a column of a unique index. */
  private onConflictLockMode = LockTupleMode.Exclusive;
  private readonly onConflictSet: { attnum: number; expr: ExprState }[];
  private readonly onConflictWhere: ((ec: ExprContext) => boolean) | null;
  private readonly excludedSlot: TupleTableSlot;
  private readonly needOldRow: boolean;
  /** INSERT: the child's column i is attribute i + 1 for every column (no junk, no reordering). */
  private readonly insertIsIdentity: boolean;
  /** INSERT without a trigger queue: one array reused for every row (made at the first row that needs it). */
  private insertScratch: unknown[] | null = null;
  /** Batched INSERT (see the header): the buffer's rows (arrays reused from batch to batch), their count and bytes. */
  private readonly batching: boolean;
  private readonly batchRows: unknown[][] = [];
  private batchN = 0;
  private batchBytes = 0;
  private batchTids: Tid[] = [];
  private bistate: BulkInsertState | null = null;
  private done = false;
  /** EvalPlanQual for READ COMMITTED re-checks (built at the first concurrent update met). */
  private epq: EPQState | null = null;
  /** UPDATE ... FROM / DELETE ... USING: the other FROM items' junk ctid<rti> / wholerow<rti> columns (row marks). */
  private readonly fixedMarks: EPQFixedMark[];
  /**
   * The strength EvalPlanQual locks the newest version with
   * (ExecUpdateLockMode): NO KEY EXCLUSIVE for an UPDATE that assigns no key
   * column (one of a unique index), else EXCLUSIVE, as for DELETE; the same
   * the update or delete itself takes, so FOR KEY SHARE lockers are not
   * waited for by a non-key UPDATE's re-check either.
   */
  private readonly epqLockMode: LockTupleMode;

  constructor(node: ModifyTable, estate: EState) {
    super(node, estate);
    if (node.resultRelations.length !== 1) {
      throw new PgError(ERRCODE.feature_not_supported, 'modifying more than one result relation (inheritance, partitions) is not supported');
    }
    const rte = estate.plannedstmt.rtable[node.resultRelations[0] - 1];
    this.rel = estate.catalog.getRelation(rte.relid);
    if (this.rel.heap === null) {
      throw new PgError(ERRCODE.wrong_object_type, `cannot change relation "${this.rel.relname}"`);
    }
    this.heap = this.rel.heap;
    this.natts = this.rel.attrs.length;
    if (node.lefttree === null) throw new PgError(ERRCODE.internal_error, 'ModifyTable has no subplan');
    this.child = ExecInitNode(node.lefttree, estate);
    this.rc = initResultRelConstraints(this.rel, this, estate);
    // Both slots are pointed at a row (setRow, onConflictUpdate) before anything reads them.
    this.rowSlot = new TupleTableSlot(0);
    this.excludedSlot = new TupleTableSlot(0);

    const tlist = node.lefttree.targetlist;
    this.ctidIndex = tlist.findIndex((t) => t.resjunk && t.resname === 'ctid');
    if (this.ctidIndex < 0) this.ctidIndex = tlist.findIndex((t) => t.resjunk && exprType(t.expr) === TIDOID);
    const colnos = node.updateColnosLists[0] ?? [];
    this.colAttnums = [];
    let k = 0;
    for (const t of tlist) {
      if (t.resjunk) this.colAttnums.push(-1);
      else if (node.operation === 'CMD_INSERT') this.colAttnums.push(t.resno);
      else this.colAttnums.push(colnos[k++] ?? -1);
    }
    this.insertIsIdentity = node.operation === 'CMD_INSERT' && this.colAttnums.length === this.natts && this.colAttnums.every((a, i) => a === i + 1);
    this.fixedMarks = findFixedMarks(tlist, node.rowMarks);
    const assignsKey = colnos.some((c) => this.rel.indexes.some((i) => i.indisunique && i.indkey.includes(c)));
    this.epqLockMode = node.operation === 'CMD_UPDATE' && !assignsKey ? LockTupleMode.NoKeyExclusive : LockTupleMode.Exclusive;
    if (node.operation !== 'CMD_INSERT' && this.ctidIndex < 0) {
      throw new PgError(ERRCODE.internal_error, 'could not find junk ctid column');
    }
    if (node.operation === 'CMD_UPDATE') {
      const exprs = tlist.filter((t) => !t.resjunk).map((t) => t.expr);
      checkUpdateTargets(this.rel, colnos, exprs);
    }

    const returning: TargetEntry[] | undefined = node.returningLists[0];
    if (returning !== undefined && returning.length > 0) {
      this.returningSlot = new TupleTableSlot(returning.length);
      this.projectReturning = ExecBuildProjectionInfo(returning, this.econtext, this.returningSlot, this, estate);
    } else {
      this.returningSlot = null;
      this.projectReturning = null;
    }

    this.triggers = relationHasForeignKeys(estate.catalog, this.rel, node.operation, estate.plannedstmt.resultRelations.length > 1) ? afterTriggersFor(estate) : null;
    if (this.triggers !== null) this.triggers.active++;
    this.needOldRow = node.operation === 'CMD_DELETE' && (this.triggers !== null || this.projectReturning !== null);
    this.batching = node.operation === 'CMD_INSERT' && this.triggers === null && this.projectReturning === null && node.onConflictAction === 'ONCONFLICT_NONE';

    // ON CONFLICT: the arbiter indexes (all unique indexes when DO NOTHING named none).
    this.arbiters = [];
    this.onConflictSet = [];
    this.onConflictWhere = null;
    if (node.onConflictAction !== 'ONCONFLICT_NONE') {
      const ids = node.arbiterIndexes.length > 0 ? node.arbiterIndexes : this.rel.indexes.filter((i) => i.indisunique).map((i) => i.indexrelid);
      for (const id of ids) {
        const index = this.rel.indexes.find((i) => i.indexrelid === id);
        if (index === undefined) throw new PgError(ERRCODE.internal_error, `arbiter index ${id} not found`);
        this.arbiters.push({ index, written: new Map() });
        this.arbiterOids.add(id);
      }
      if (node.onConflictAction === 'ONCONFLICT_UPDATE') {
        for (const t of node.onConflictSet) {
          if (t.resjunk) continue;
          this.onConflictSet.push({ attnum: t.resno, expr: ExecInitExpr(excludedToInner(t.expr, node.exclRelRTI), this, estate) });
        }
        const setsKey = this.onConflictSet.some((s) => this.rel.indexes.some((i) => i.indisunique && i.indkey.includes(s.attnum)));
        this.onConflictLockMode = setsKey ? LockTupleMode.Exclusive : LockTupleMode.NoKeyExclusive;
        if (node.onConflictWhere !== null) {
          this.onConflictWhere = ExecInitQual([excludedToInner(node.onConflictWhere, node.exclRelRTI)], this, estate);
        }
      }
    }
  }

  next(): TupleTableSlot | null {
    if (this.done) return null;
    if (!this.batching) return this.run();
    try {
      return this.run();
    } catch (e) {
      // A later row failed: the buffered earlier ones go first, so an error of theirs wins (see the header).
      if (this.batchN > 0 && !this.estate.engine.statementFailed) this.flushInserts();
      throw e;
    }
  }

  private run(): TupleTableSlot | null {
    const estate = this.estate;
    for (;;) {
      const planSlot = this.child.next();
      if (planSlot === null) {
        if (this.batchN > 0) this.flushInserts();
        this.finish();
        return null;
      }
      estate.checkInterrupts();
      let wrote: boolean;
      switch (this.plan.operation) {
        case 'CMD_INSERT':
          wrote = this.execInsert(planSlot);
          break;
        case 'CMD_UPDATE':
          wrote = this.execUpdate(planSlot);
          break;
        case 'CMD_DELETE':
          wrote = this.execDelete(planSlot);
          break;
      }
      if (wrote && this.projectReturning !== null) {
        const ec = this.econtext;
        ec.scantuple = this.rowSlot;
        ec.outertuple = planSlot;
        this.projectReturning();
        return this.returningSlot;
      }
    }
  }

  /** The end of the child's rows: fire the queued foreign-key checks once the query's last ModifyTable is done. */
  private finish(): void {
    this.done = true;
    if (this.triggers !== null && --this.triggers.active === 0) this.triggers.fire();
  }

  private counted(): void {
    if (this.plan.canSetTag) this.estate.processed++;
  }

  private setRow(values: unknown[], tid: Tid): void {
    this.rowSlot.values = values;
    this.rowSlot.tid = tid;
    this.rowSlot.tableOid = this.rel.oid;
  }

  // ------------------------------------------------------------ INSERT

  private execInsert(planSlot: TupleTableSlot): boolean {
    const src = planSlot.values;
    let values: unknown[];
    if (this.triggers !== null) {
      // The trigger queue keeps the row: it needs an array of its own.
      values = new Array<unknown>(this.natts).fill(null);
    } else if (this.insertIsIdentity && src.length === this.natts) {
      // The child's row is already the table's row; it is overwritten by the child's next row, after the insert.
      values = src;
    } else {
      values = this.insertScratch ??= new Array<unknown>(this.natts);
      values.fill(null);
    }
    if (values !== src) {
      const map = this.colAttnums;
      for (let i = 0; i < map.length; i++) if (map[i] > 0) values[map[i] - 1] = src[i];
    }
    computeStoredGenerated(this.rc, values, this.econtext);
    execConstraints(this.rc, values, this.econtext);
    if (this.batching) {
      this.bufferInsert(values);
      this.counted();
      return true;
    }
    if (this.arbiters.length > 0) return this.insertOnConflict(values);
    const tid = this.estate.engine.insert(this.heap, values as never);
    this.wroteRow(tid, values);
    if (this.triggers !== null) this.triggers.afterInsert(this.rel, tid, values);
    this.counted();
    this.setRow(values, tid);
    return true;
  }

  /** Copies a checked row into the insert buffer; a full buffer is stored. */
  private bufferInsert(values: readonly unknown[]): void {
    const natts = this.natts;
    let row = this.batchRows[this.batchN];
    if (row === undefined) {
      row = new Array<unknown>(natts);
      this.batchRows.push(row);
    }
    // The bytes of the values, roughly (strings by length): bounds the memory a buffer holds.
    let bytes = 0;
    for (let i = 0; i < natts; i++) {
      const v = values[i];
      row[i] = v;
      if (typeof v === 'string') bytes += v.length;
      else if (v instanceof Uint8Array) bytes += v.length;
      else bytes += 8;
    }
    this.batchN++;
    this.batchBytes += bytes;
    if (this.batchN >= HEAP_MULTI_INSERT_MAX_TUPLES || this.batchBytes >= HEAP_MULTI_INSERT_MAX_BYTES) this.flushInserts();
  }

  /** Stores the buffered rows: one row as a plain insert, more through heap_multi_insert. */
  private flushInserts(): void {
    const n = this.batchN;
    this.batchN = 0;
    this.batchBytes = 0;
    const engine = this.estate.engine;
    if (n === 1 && this.bistate === null) {
      engine.insert(this.heap, this.batchRows[0] as never);
    } else {
      if (this.batchTids.length < n) this.batchTids = new Array<Tid>(HEAP_MULTI_INSERT_MAX_TUPLES).fill(0);
      this.bistate ??= engine.beginBulkInsert();
      engine.insertBatch(this.heap, this.batchRows as never, n, this.batchTids, this.bistate);
    }
    // The buffer's arrays are reused; drop their values so they are not kept alive.
    for (let i = 0; i < n; i++) this.batchRows[i].fill(null);
  }

  /** Remembers a row version this node wrote, and its keys in every arbiter index. */
  private wroteRow(tid: Tid, values: readonly unknown[]): void {
    for (const a of this.arbiters) {
      const key = a.index.indkey.map((n) => values[n - 1]);
      if (key.some((v) => v === null || v === undefined)) continue;
      a.written.set(keyString(key), tid);
    }
  }

  /**
   * One proposed row of INSERT ... ON CONFLICT: the loop of the header's
   * diagram (ExecInsert's vlock label). Returns whether a row was written.
   */
  private insertOnConflict(values: unknown[]): boolean {
    const engine = this.estate.engine;
    for (let round = 0; ; round++) {
      if (round > 0) this.estate.checkInterrupts();
      if (round >= ON_CONFLICT_ROUNDS_MAX) {
        throw new PgError(ERRCODE.internal_error, `INSERT ... ON CONFLICT gave up after ${ON_CONFLICT_ROUNDS_MAX} rounds of concurrent insertions into "${this.rel.relname}"`);
      }
      const conflict = this.findConflict(values);
      if (conflict !== null) {
        if (this.plan.onConflictAction === 'ONCONFLICT_NOTHING') {
          // ExecCheckTIDVisible: at REPEATABLE READ a row the snapshot cannot see is a serialization failure.
          if (!conflict.own && engine.xact.usesXactSnapshot() && engine.tupleSnapshotVisibility(this.heap, conflict.tid) === 'invisible') throw serializationFailure('update');
          return false;
        }
        const done = this.onConflictUpdate(conflict.tid, values, conflict.own);
        if (done !== null) return done;
        continue; // the row changed or went away before it could be locked: check again
      }
      const tid = engine.insertSpeculative(this.heap, values as never, this.arbiterOids);
      if (tid === null) continue; // lost the race to a concurrent insertion of the key (our tuple is super-deleted)
      this.wroteRow(tid, values);
      if (this.triggers !== null) this.triggers.afterInsert(this.rel, tid, values);
      this.counted();
      this.setRow(values, tid);
      return true;
    }
  }

  /**
   * ExecCheckIndexConstraints: a row with the proposed key in any arbiter
   * index, one this statement wrote (own) or one found by probeDirty.
   */
  private findConflict(values: readonly unknown[]): { tid: Tid; own: boolean } | null {
    for (const a of this.arbiters) {
      const key = a.index.indkey.map((n) => values[n - 1] ?? null);
      // NULLs are distinct: a key with a NULL never conflicts.
      if (key.some((v) => v === null)) continue;
      const ownTid = a.written.get(keyString(key));
      if (ownTid !== undefined) return { tid: ownTid, own: true };
      const skip = (tid: Tid): boolean => this.triggers?.isDeleted(this.rel.oid, tid) === true && !this.replaced.has(tid);
      const found = this.probeDirty(a.index, key, skip);
      if (found !== null) return { tid: found, own: false };
    }
    return null;
  }

  /**
   * check_exclusion_or_unique_constraint's pre-check (SnapshotDirty): the
   * TID of a row with the key that is committed and live (visible to the
   * statement's snapshot or not) or mine. A row a running transaction is
   * inserting or deleting is waited for (its speculative insertion only,
   * when it is one: SpeculativeInsertionWait), then the index is probed
   * again.
   */
  private probeDirty(index: IndexInfo, key: readonly unknown[], skip: (tid: Tid) => boolean): Tid | null {
    const engine = this.estate.engine;
    for (let round = 0; ; round++) {
      if (round > 0) this.estate.checkInterrupts();
      if (round >= ON_CONFLICT_ROUNDS_MAX) {
        throw new PgError(ERRCODE.internal_error, `INSERT ... ON CONFLICT gave up waiting for concurrent writers of a key in "${this.rel.relname}"`);
      }
      const found = probeIndexDirty(engine, this.rel, index, key, skip);
      if (found === null) return null;
      if (found.xwait === 0) return found.tid;
      if (found.speculativeToken !== 0) speculativeInsertionWait(engine.lockManager, found.xwait, found.speculativeToken);
      else xactLockTableWait(engine.lockManager, found.xwait, engine.xactWait);
    }
  }

  /**
   * DO UPDATE SET ... WHERE ... on the existing row (ExecOnConflictUpdate).
   * The row is locked first, waiting for a transaction that holds it; if a
   * committed one changed or deleted it meanwhile, REPEATABLE READ fails
   * with 40001 and READ COMMITTED returns null: the caller checks the
   * arbiters again (the newest version, if it still has the key, is found
   * there; if none has, the row is inserted). A locked row the snapshot
   * cannot see fails with 40001 at REPEATABLE READ (ExecCheckTupleVisible).
   */
  private onConflictUpdate(tid: Tid, proposed: unknown[], own: boolean): boolean | null {
    if (own) throw this.cardinalityViolation();
    const engine = this.estate.engine;
    // A row this command inserted (a proposed key equal under the index but not in `written`: 1.0 and 1.00).
    if (engine.tupleSnapshotVisibility(this.heap, tid) === 'mine') throw this.cardinalityViolation();
    const lr = engine.lockRow(this.heap, tid, this.onConflictLockMode, LockWaitPolicy.Block);
    if (lr.outcome === 'updated' || lr.outcome === 'deleted') {
      if (engine.xact.usesXactSnapshot()) throw serializationFailure('update');
      return null;
    }
    if (lr.outcome === 'self-modified') throw this.cardinalityViolation();
    if (lr.outcome !== 'ok' || lr.values === null) throw new PgError(ERRCODE.internal_error, `unexpected result locking the conflicting row: ${lr.outcome}`);
    tid = lr.tid;
    if (engine.xact.usesXactSnapshot() && engine.tupleSnapshotVisibility(this.heap, tid) === 'invisible') throw serializationFailure('update');
    const existing = lr.values as unknown[];
    const ec = this.econtext;
    this.setRow(existing, tid);
    this.excludedSlot.values = proposed;
    ec.scantuple = this.rowSlot;
    ec.innertuple = this.excludedSlot;
    if (this.onConflictWhere !== null && !this.onConflictWhere(ec)) return false;
    const next = existing.slice();
    for (const s of this.onConflictSet) next[s.attnum - 1] = s.expr(ec);
    computeStoredGenerated(this.rc, next, ec);
    execConstraints(this.rc, next, ec);
    const newTid = this.estate.engine.update(this.heap, tid, next as never);
    this.replaced.add(tid);
    this.wroteRow(newTid, next);
    if (this.triggers !== null) this.triggers.afterUpdate(this.rel, tid, existing, newTid, next);
    this.counted();
    this.setRow(next, newTid);
    return true;
  }

  private cardinalityViolation(): PgError {
    return new PgError(ERRCODE.cardinality_violation, 'ON CONFLICT DO UPDATE command cannot affect row a second time', {
      hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
    });
  }

  // ------------------------------------------------------------ concurrent updates

  /**
   * A row this statement was about to update or delete was changed by a
   * transaction that committed after the snapshot (heap_update's
   * TM_Updated / TM_Deleted, after any wait for it). REPEATABLE READ and
   * SERIALIZABLE fail with 40001. READ COMMITTED locks the newest version
   * of the row and re-checks it (EvalPlanQual, execEPQ.ts): the result is
   * that version, its TID and the subplan's row recomputed over it, or
   * null when the row was deleted or no longer qualifies (it is skipped).
   */
  private concurrentlyChanged(outcome: 'updated' | 'deleted', successor: Tid, planRow: readonly unknown[]): { tid: Tid; values: unknown[]; planRow: unknown[] } | null {
    const engine = this.estate.engine;
    if (engine.xact.usesXactSnapshot()) throw serializationFailure(outcome === 'updated' ? 'update' : 'delete');
    if (outcome === 'deleted') return null;
    let tid = successor;
    for (;;) {
      const lr = engine.lockRow(this.heap, tid, this.epqLockMode, LockWaitPolicy.Block);
      if (lr.outcome === 'updated') {
        tid = lr.tid;
        continue;
      }
      if (lr.outcome !== 'ok' || lr.values === null) return null; // deleted, or already changed by this statement
      const target = this.plan.resultRelations[0];
      if (this.epq === null) {
        this.epq = new EPQState(this.plan.lefttree!, this.estate, new Set([target, ...this.fixedMarks.map((m) => m.rti)]), new Set([target]));
      }
      if (!this.epq.supported) throw serializationFailure('update');
      // The other FROM items' rows stay the ones this row was joined with (ROW_MARK_REFERENCE / COPY).
      const rows = new Map<number, EPQRow | null>([[target, { values: lr.values as unknown[], tid: lr.tid, tableOid: this.rel.oid }]]);
      for (const m of this.fixedMarks) rows.set(m.rti, fixedMarkRow(this.estate, m, planRow));
      const slot = this.epq.recheck(rows);
      if (slot === null) return null;
      return { tid: lr.tid, values: lr.values as unknown[], planRow: slot.copyValues() };
    }
  }

  // ------------------------------------------------------------ UPDATE

  private execUpdate(planSlot: TupleTableSlot): boolean {
    let tid = planSlot.values[this.ctidIndex] as Tid;
    if (this.replaced.has(tid)) return false;
    let old = this.estate.engine.fetch(this.heap, tid);
    if (old === null) return false;
    let src = planSlot.values;
    const map = this.colAttnums;
    for (;;) {
      const next: unknown[] = old.slice();
      for (let i = 0; i < map.length; i++) if (map[i] > 0) next[map[i] - 1] = src[i];
      computeStoredGenerated(this.rc, next, this.econtext);
      execConstraints(this.rc, next, this.econtext);
      const r = this.estate.engine.tryUpdate(this.heap, tid, next as never);
      switch (r.outcome) {
        case 'ok':
          break;
        case 'self-modified':
          return false; // already updated by this statement (ExecUpdate's TM_SelfModified)
        case 'updated':
        case 'deleted': {
          const again = this.concurrentlyChanged(r.outcome, r.tid, planSlot.values);
          if (again === null) return false;
          tid = again.tid;
          old = again.values as (typeof old);
          src = again.planRow;
          continue;
        }
        default:
          throw rowBusy(this.rel.relname);
      }
      const newTid = r.tid;
      this.replaced.add(tid);
      if (this.triggers !== null) this.triggers.afterUpdate(this.rel, tid, old, newTid, next);
      this.counted();
      this.setRow(next, newTid);
      return true;
    }
  }

  // ------------------------------------------------------------ DELETE

  private execDelete(planSlot: TupleTableSlot): boolean {
    let tid = planSlot.values[this.ctidIndex] as Tid;
    if (this.replaced.has(tid)) return false;
    let old: unknown[] | null = null;
    if (this.needOldRow) {
      old = this.estate.engine.fetch(this.heap, tid);
      if (old === null) return false;
    }
    for (;;) {
      const r = this.estate.engine.tryDelete(this.heap, tid);
      if (r.outcome === 'ok') break;
      if (r.outcome === 'self-modified') return false;
      if (r.outcome !== 'updated' && r.outcome !== 'deleted') throw rowBusy(this.rel.relname);
      const again = this.concurrentlyChanged(r.outcome, r.tid, planSlot.values);
      if (again === null) return false;
      tid = again.tid;
      if (old !== null) old = again.values;
    }
    this.replaced.add(tid);
    if (this.triggers !== null) this.triggers.afterDelete(this.rel, tid, old!);
    this.counted();
    if (old !== null) this.setRow(old, tid);
    return true;
  }

  rescan(): void {
    throw new PgError(ERRCODE.feature_not_supported, 'rescanning a ModifyTable node is not supported');
  }

  end(): void {
    this.batchN = 0;
    if (this.bistate !== null) {
      const bistate = this.bistate;
      this.bistate = null;
      this.estate.engine.endBulkInsert(bistate);
    }
    this.child.end();
  }

  children(): PlanState[] {
    return [this.child];
  }
}
