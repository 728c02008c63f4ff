/*
 * sequence.ts — sequences (PostgreSQL's commands/sequence.c): CREATE and
 * ALTER SEQUENCE, and the session's nextval / currval / setval / lastval.
 *
 * Exports: DefineSequence(CreateSeqStmt, ctx), AlterSequence(AlterSeqStmt,
 *          ctx), SequenceSession (one per backend: the per-session state of
 *          currval and lastval), seqStorageOf(engine), initSequenceParams,
 *          defineSequenceForColumn (serial and identity columns),
 *          SEQ_TYPE_BOUNDS.
 *
 * Rules:
 *  1. Sequences are not transactional: a value nextval handed out is never
 *     handed out again, even if the transaction that took it rolls back
 *     (the page is changed in place, sequence_xlog.ts).
 *  2. nextval WAL-logs the state SEQ_LOG_VALS (32) calls ahead, and logs
 *     again when the last record was written before the latest checkpoint's
 *     redo point (otherwise recovery, starting at that redo point, would not
 *     see it). After a crash, up to 32 values are skipped, never repeated.
 *  3. Unlike PostgreSQL, the record is flushed at once rather than at the
 *     next commit: a value that a rolled-back or read-only transaction saw
 *     stays used after a crash. It costs one flush per 32 nextval calls.
 *  4. CACHE is 1 only (one backend: nothing to gain from a session cache);
 *     a larger CACHE is refused with 0A000.
 */

import type { StorageEngine } from '../engine.ts';
import type { CreateSeqStmt, AlterSeqStmt, DefElem } from '../parser/nodes.ts';
import type { TypeName } from '../parser/primnodes.ts';
import type { CatalogAccess, RelationInfo } from '../utils/rel.ts';
import { INT2OID, INT4OID, INT8OID } from '../utils/adt/types.ts';
import { PgError } from '../utils/errors.ts';
import { ERRCODE } from './errcodes.ts';
import { SEQ_LOG_VALS, modifySeqPage, readSeqPage, writeSeqPage, type SeqChange, type SeqParams, type SeqState, type SeqStorage } from './sequence_xlog.ts';
import type { UtilityContext } from './utility_context.ts';
import { Anum_pg_sequence, RelationRelationId, SequenceRelationId } from '../catalog/schemapg.ts';

/** The value range of each sequence data type, and its name as format_type prints it. */
export const SEQ_TYPE_BOUNDS: ReadonlyMap<number, { min: bigint; max: bigint; name: string }> = new Map([
  [INT2OID, { min: -32768n, max: 32767n, name: 'smallint' }],
  [INT4OID, { min: -2147483648n, max: 2147483647n, name: 'integer' }],
  [INT8OID, { min: -9223372036854775808n, max: 9223372036854775807n, name: 'bigint' }],
]);

/** The engine services sequence_xlog.ts needs, bound to one engine. */
export function seqStorageOf(engine: StorageEngine): SeqStorage {
  return {
    bufmgr: engine.bufmgr,
    xlogInsert: engine.xlogInsert,
    flush: (lsn) => engine.xlog.flush(lsn),
    redoRecPtr: () => engine.xlog.getRedoRecPtr(),
  };
}

// ---------------------------------------------------------------- options

function err(code: string, message: string, fields: { detail?: string; hint?: string; position?: number } = {}): never {
  throw new PgError(code, message, fields);
}

function defGetInt64(d: DefElem): bigint {
  const a = d.arg;
  if (a !== null && typeof a === 'object' && !Array.isArray(a)) {
    if (a.type === 'Integer') return BigInt(a.ival);
    if (a.type === 'Float') {
      if (/^[+-]?\d+$/.test(a.fval)) {
        const v = BigInt(a.fval);
        if (v >= -9223372036854775808n && v <= 9223372036854775807n) return v;
        err(ERRCODE.numeric_value_out_of_range, `value "${a.fval}" is out of range for type bigint`);
      }
      err('22P02', `invalid input syntax for type bigint: "${a.fval}"`);
    }
  }
  return err(ERRCODE.syntax_error, `${d.defname} requires a numeric value`);
}

/** The type of `AS type`: only smallint, integer and bigint are sequence types. */
function seqTypeOf(t: TypeName): number {
  const name = t.names[t.names.length - 1];
  const oid =
    name === 'int2' || name === 'smallint' ? INT2OID :
    name === 'int4' || name === 'integer' || name === 'int' ? INT4OID :
    name === 'int8' || name === 'bigint' ? INT8OID : 0;
  if (oid === 0 || t.arrayBounds.length > 0) {
    err(ERRCODE.invalid_parameter_value, 'sequence type must be smallint, integer, or bigint');
  }
  return oid;
}

/** What init_params decided besides the parameters. */
interface InitResult {
  params: SeqParams;
  /** New last_value (START on CREATE, RESTART on ALTER), or null to keep it. */
  restart: bigint | null;
  /** OWNED BY: qualified column name, ['none'], or null if not given. */
  ownedBy: string[] | null;
}

/**
 * init_params: applies the options to `old` (the current parameters, or
 * null for CREATE) with PostgreSQL's defaults and checks.
 */
export function initSequenceParams(options: readonly DefElem[], old: SeqParams | null, oldLastValue: bigint | null, forIdentity = false): InitResult {
  const seen = new Map<string, DefElem>();
  for (const d of options) {
    // sequence_name only comes from an identity column's options.
    if (d.defname === 'sequence_name' && !forIdentity) err(ERRCODE.syntax_error, 'invalid sequence option SEQUENCE NAME', { position: d.location + 1 });
    if (seen.has(d.defname)) err(ERRCODE.syntax_error, 'conflicting or redundant options', { position: d.location + 1 });
    seen.set(d.defname, d);
  }
  const isInit = old === null;
  const asType = seen.get('as');
  const oldType = old?.seqtypid ?? INT8OID;
  const seqtypid = asType !== undefined ? seqTypeOf(asType.arg as TypeName) : oldType;
  const bounds = SEQ_TYPE_BOUNDS.get(seqtypid)!;
  const oldBounds = SEQ_TYPE_BOUNDS.get(oldType)!;

  const incD = seen.get('increment');
  const increment = incD !== undefined ? defGetInt64(incD) : (old?.increment ?? 1n);
  if (increment === 0n) err(ERRCODE.invalid_parameter_value, 'INCREMENT must not be zero');

  const cycleD = seen.get('cycle');
  const cycle = cycleD !== undefined ? (cycleD.arg as { boolval: boolean }).boolval : (old?.cycle ?? false);

  // MAXVALUE / MINVALUE: given, NO (reset to the default), or kept; a type change resets bounds that were the old type's.
  const maxD = seen.get('maxvalue');
  let max: bigint;
  if (maxD !== undefined && maxD.arg !== null) max = defGetInt64(maxD);
  else if (maxD !== undefined || isInit || (asType !== undefined && (old!.max === oldBounds.max || old!.max === -1n) && seqtypid !== oldType)) {
    max = increment > 0n ? bounds.max : -1n;
  } else max = old!.max;
  if (max < bounds.min || max > bounds.max) {
    err(ERRCODE.invalid_parameter_value, `MAXVALUE (${max}) is out of range for sequence data type ${bounds.name}`);
  }
  const minD = seen.get('minvalue');
  let min: bigint;
  if (minD !== undefined && minD.arg !== null) min = defGetInt64(minD);
  else if (minD !== undefined || isInit || (asType !== undefined && (old!.min === oldBounds.min || old!.min === 1n) && seqtypid !== oldType)) {
    min = increment > 0n ? 1n : bounds.min;
  } else min = old!.min;
  if (min < bounds.min || min > bounds.max) {
    err(ERRCODE.invalid_parameter_value, `MINVALUE (${min}) is out of range for sequence data type ${bounds.name}`);
  }
  if (min >= max) err(ERRCODE.invalid_parameter_value, `MINVALUE (${min}) must be less than MAXVALUE (${max})`);

  const startD = seen.get('start');
  let start: bigint;
  if (startD !== undefined) start = defGetInt64(startD);
  else if (isInit) start = increment > 0n ? min : max;
  else start = old!.start;
  if (start < min) err(ERRCODE.invalid_parameter_value, `START value (${start}) cannot be less than MINVALUE (${min})`);
  if (start > max) err(ERRCODE.invalid_parameter_value, `START value (${start}) cannot be greater than MAXVALUE (${max})`);

  const restartD = seen.get('restart');
  let restart: bigint | null = isInit ? start : null;
  if (restartD !== undefined) restart = restartD.arg !== null ? defGetInt64(restartD) : start;
  const last = restart ?? oldLastValue;
  if (last !== null && restartD !== undefined || (!isInit && last !== null)) {
    if (last! < min) err(ERRCODE.invalid_parameter_value, `RESTART value (${last}) cannot be less than MINVALUE (${min})`);
    if (last! > max) err(ERRCODE.invalid_parameter_value, `RESTART value (${last}) cannot be greater than MAXVALUE (${max})`);
  }

  const cacheD = seen.get('cache');
  const cache = cacheD !== undefined ? defGetInt64(cacheD) : (old?.cache ?? 1n);
  if (cache <= 0n) err(ERRCODE.invalid_parameter_value, `CACHE (${cache}) must be greater than zero`);
  if (cache > 1n) err(ERRCODE.feature_not_supported, 'CACHE greater than 1 is not supported (sequences here have no per-session cache)');

  const ownedD = seen.get('owned_by');
  return { params: { seqtypid, start, increment, max, min, cache, cycle }, restart, ownedBy: ownedD !== undefined ? (ownedD.arg as string[]) : null };
}

// ---------------------------------------------------------------- DDL

/** CREATE SEQUENCE [IF NOT EXISTS] name [options]. Returns the new sequence's OID, or 0 when skipped. */
export function DefineSequence(stmt: CreateSeqStmt, ctx: UtilityContext): number {
  const rv = stmt.sequence;
  const nsp = ctx.catalog.namespaceForCreate(rv.schemaname);
  const init = initSequenceParams(stmt.options, null, null, stmt.for_identity);
  const oid = createSequence(ctx, rv.relname, nsp, init, undefined, stmt.if_not_exists);
  if (oid === 0) {
    ctx.notice(`relation "${rv.relname}" already exists, skipping`);
    return 0;
  }
  if (init.ownedBy !== null) processOwnedBy(ctx, oid, init.ownedBy, nsp);
  return oid;
}

function createSequence(ctx: UtilityContext, relname: string, nsp: number, init: InitResult, ownedBy?: { relid: number; attnum: number; deptype: 'a' | 'i' }, ifNotExists = false): number {
  const p = init.params;
  const oid = ctx.catalog.createSequenceRelation({
    relname, relnamespace: nsp,
    params: { seqtypid: p.seqtypid, seqstart: p.start, seqincrement: p.increment, seqmax: p.max, seqmin: p.min, seqcache: p.cache, seqcycle: p.cycle },
    ...(ownedBy !== undefined ? { ownedBy } : {}),
    ifNotExists,
  });
  if (oid === 0) return 0;
  const rel = ctx.catalog.getRelation(oid);
  const state: SeqState = { lastValue: init.restart ?? p.start, logCnt: 0n, isCalled: false };
  writeSeqPage(seqStorageOf(ctx.engine), heapOf(rel).locator, p, state, state);
  return oid;
}

/**
 * The sequence behind a serial or identity column (CREATE TABLE, ALTER TABLE
 * ADD COLUMN): created in the table's schema with the column's type and the
 * column's options, owned by the column ('a' for serial, so dropping the
 * column drops it; 'i' for identity).
 */
export function defineSequenceForColumn(ctx: UtilityContext, seqName: string, nsp: number, typeOid: number, options: readonly DefElem[], relid: number, attnum: number, identity: boolean): number {
  if (!SEQ_TYPE_BOUNDS.has(typeOid)) {
    err(ERRCODE.invalid_parameter_value, 'identity column type must be smallint, integer, or bigint');
  }
  const asOpt: DefElem = {
    type: 'DefElem', defnamespace: null, defname: 'as', defaction: 'DEFELEM_UNSPEC', location: -1,
    arg: { type: 'TypeName', names: [SEQ_TYPE_BOUNDS.get(typeOid)!.name], typeOid: 0, setof: false, pct_type: false, typmods: [], typemod: -1, arrayBounds: [], location: -1 },
  };
  const opts = [asOpt, ...options.filter((o) => o.defname !== 'sequence_name' && o.defname !== 'as')];
  const init = initSequenceParams(opts, null, null, true);
  return createSequence(ctx, seqName, nsp, init, { relid, attnum, deptype: identity ? 'i' : 'a' });
}

/** ALTER SEQUENCE [IF EXISTS] name options. Returns the OID, or 0 when skipped. */
export function AlterSequence(stmt: AlterSeqStmt, ctx: UtilityContext): number {
  const rv = stmt.sequence;
  const oid = ctx.catalog.relnameGetRelid(rv.schemaname, rv.relname, stmt.missing_ok);
  if (oid === null) {
    ctx.notice(`relation "${rv.relname}" does not exist, skipping`);
    return 0;
  }
  const rel = ctx.catalog.getRelation(oid);
  if (rel.relkind !== 'S') err(ERRCODE.wrong_object_type, `cannot open relation "${rel.relname}"`, { detail: `This operation is not supported for ${relkindNoun(rel)}.` });
  // Changing an existing owner needs pg_depend row deletion, which the catalog does not offer yet.
  if (stmt.options.some((o) => o.defname === 'owned_by')) err(ERRCODE.feature_not_supported, 'ALTER SEQUENCE ... OWNED BY is not supported');
  const changed: SeqParams[] = [];
  modifySeqPage(seqStorageOf(ctx.engine), heapOf(rel).locator, rel.relname, (params, cur) => {
    const init = initSequenceParams(stmt.options, params, cur.lastValue, stmt.for_identity);
    const state: SeqState = init.restart !== null ? { lastValue: init.restart, logCnt: 0n, isCalled: false } : { ...cur, logCnt: 0n };
    changed.push(init.params);
    return { params: init.params, state, logged: state };
  });
  for (const p of changed) updatePgSequence(ctx, oid, p);
  return oid;
}

/** AlterSequence's pg_sequence update (the catalog's copy of the parameters, read by \d and pg_sequences). */
function updatePgSequence(ctx: UtilityContext, seqOid: number, p: SeqParams): void {
  const S = Anum_pg_sequence;
  const row = ctx.catalog.heaps.findOne(SequenceRelationId, (v) => v[S.seqrelid] === seqOid);
  if (row === null) return;
  const v = row.values;
  v[S.seqtypid] = p.seqtypid;
  v[S.seqstart] = p.start;
  v[S.seqincrement] = p.increment;
  v[S.seqmax] = p.max;
  v[S.seqmin] = p.min;
  v[S.seqcache] = p.cache;
  v[S.seqcycle] = p.cycle;
  ctx.catalog.heaps.update(SequenceRelationId, row.tid, v);
  ctx.catalog.invalidate({ kind: 'relcache', relId: seqOid });
  ctx.catalog.commandCounterIncrement();
}

/** ALTER SEQUENCE ... RESTART for TRUNCATE ... RESTART IDENTITY: back to the start value, not yet called. */
export function restartSequence(ctx: UtilityContext, seqOid: number): void {
  const rel = ctx.catalog.getRelation(seqOid);
  const storage = seqStorageOf(ctx.engine);
  const loc = heapOf(rel).locator;
  modifySeqPage(storage, loc, rel.relname, (params) => {
    const state: SeqState = { lastValue: params.start, logCnt: 0n, isCalled: false };
    return { params, state, logged: state };
  });
}

/** OWNED BY table.column | NONE: the sequence's 'a' dependency on the column. */
function processOwnedBy(ctx: UtilityContext, seqOid: number, owned: string[], seqNsp: number): void {
  const seqAddr = { classId: RelationRelationId, objectId: seqOid, objectSubId: 0 };
  if (owned.length === 1 && owned[0] !== 'none') {
    err(ERRCODE.syntax_error, 'invalid OWNED BY option', { hint: 'Specify OWNED BY table.column or OWNED BY NONE.' });
  }
  if (owned.length === 1) return;
  const colname = owned[owned.length - 1];
  const relname = owned[owned.length - 2];
  const schemaname = owned.length > 2 ? owned[owned.length - 3] : null;
  const relid = ctx.catalog.relnameGetRelid(schemaname, relname, false)!;
  const rel = ctx.catalog.getRelation(relid);
  if (rel.relkind !== 'r' && rel.relkind !== 'p' && rel.relkind !== 'f' && rel.relkind !== 'v') {
    err(ERRCODE.wrong_object_type, `sequence cannot be owned by relation "${rel.relname}"`, { detail: `This operation is not supported for ${relkindNoun(rel)}.` });
  }
  if (rel.relnamespace !== seqNsp) err(ERRCODE.object_not_in_prerequisite_state, 'sequence must be in same schema as table it is linked to');
  const att = rel.attrs.find((a) => !a.attisdropped && a.attname === colname);
  if (att === undefined) err(ERRCODE.undefined_column, `column "${colname}" of relation "${rel.relname}" does not exist`);
  ctx.catalog.recordDependencyOn(seqAddr, { classId: RelationRelationId, objectId: relid, objectSubId: att.attnum }, 'a');
}

function relkindNoun(rel: RelationInfo): string {
  switch (rel.relkind) {
    case 'i': return 'indexes';
    case 'S': return 'sequences';
    case 'v': return 'views';
    case 'r': return 'tables';
    default: return 'this kind of relation';
  }
}

function heapOf(rel: RelationInfo): NonNullable<RelationInfo['heap']> {
  if (rel.heap === null) err(ERRCODE.internal_error, `sequence "${rel.relname}" has no storage`);
  return rel.heap;
}

// ---------------------------------------------------------------- the session's functions

/** One sequence this session used (PostgreSQL's SeqTableData). */
interface SeqTableEntry {
  /** The value nextval last returned in this session (currval). */
  last: bigint;
  lastValid: boolean;
}

/**
 * The sequence functions of one session. currval and lastval are session
 * state (PostgreSQL's seqhashtab and last_used_seq); the value itself lives
 * on the sequence's page, shared by every session.
 */
export class SequenceSession {
  private readonly seqtab = new Map<number, SeqTableEntry>();
  private lastUsed = 0;
  private readonly storage: SeqStorage;

  constructor(engine: StorageEngine, private readonly catalog: CatalogAccess) {
    this.storage = seqStorageOf(engine);
  }

  private openSequence(seqOid: number): RelationInfo {
    const rel = this.catalog.getRelation(seqOid);
    if (rel.relkind !== 'S') err(ERRCODE.wrong_object_type, `cannot open relation "${rel.relname}"`, { detail: `This operation is not supported for ${relkindNoun(rel)}.` });
    return rel;
  }

  private entry(seqOid: number): SeqTableEntry {
    let e = this.seqtab.get(seqOid);
    if (e === undefined) {
      e = { last: 0n, lastValid: false };
      this.seqtab.set(seqOid, e);
    }
    return e;
  }

  /** nextval(regclass) — nextval_internal. */
  nextval(seqOid: number): bigint {
    const rel = this.openSequence(seqOid);
    const loc = heapOf(rel).locator;
    let result = 0n;
    modifySeqPage(this.storage, loc, rel.relname, (params, state, lsn) => {
      const c = this.advance(rel.relname, params, state, lsn);
      result = c.result;
      return c.change;
    });
    const e = this.entry(seqOid);
    e.last = result;
    e.lastValid = true;
    this.lastUsed = seqOid;
    return result;
  }

  /** nextval_internal's arithmetic: the value to return and the page change, under the caller's buffer lock. */
  private advance(relname: string, params: SeqParams, state: SeqState, lsn: number): { result: bigint; change: SeqChange } {
    const { increment: incby, max: maxv, min: minv, cache } = params;
    let next = state.lastValue;
    let last = next;
    let result = next;
    let fetch = cache;
    let log = state.logCnt;
    let rescnt = 0n;
    let logit = false;
    if (!state.isCalled) {
      rescnt++; // last_value itself is the first value returned
      fetch--;
    }
    if (log < fetch || !state.isCalled) {
      fetch = log = fetch + BigInt(SEQ_LOG_VALS);
      logit = true;
    } else if (lsn <= this.storage.redoRecPtr()) {
      // The last record predates the checkpoint recovery would start from (rule 2).
      fetch = log = fetch + BigInt(SEQ_LOG_VALS);
      logit = true;
    }
    while (fetch > 0n) {
      if (incby > 0n) {
        if ((maxv >= 0n && next > maxv - incby) || (maxv < 0n && next + incby > maxv)) {
          if (rescnt > 0n) break;
          if (!params.cycle) {
            err(ERRCODE.sequence_generator_limit_exceeded, `nextval: reached maximum value of sequence "${relname}" (${maxv})`);
          }
          next = minv;
        } else next += incby;
      } else if ((minv < 0n && next < minv - incby) || (minv >= 0n && next + incby < minv)) {
        if (rescnt > 0n) break;
        if (!params.cycle) {
          err(ERRCODE.sequence_generator_limit_exceeded, `nextval: reached minimum value of sequence "${relname}" (${minv})`);
        }
        next = maxv;
      } else next += incby;
      fetch--;
      if (rescnt < cache) {
        log--;
        rescnt++;
        last = next;
        if (rescnt === 1n) result = next;
      }
    }
    log -= fetch;
    const logged: SeqState | null = logit ? { lastValue: next, logCnt: 0n, isCalled: true } : null;
    return { result, change: { params, state: { lastValue: last, logCnt: log, isCalled: true }, logged } };
  }

  /** currval(regclass). */
  currval(seqOid: number): bigint {
    const rel = this.openSequence(seqOid);
    const e = this.seqtab.get(seqOid);
    if (e === undefined || !e.lastValid) {
      err(ERRCODE.object_not_in_prerequisite_state, `currval of sequence "${rel.relname}" is not yet defined in this session`);
    }
    return e.last;
  }

  /** lastval(): the value of the sequence nextval used last in this session. */
  lastval(): bigint {
    if (this.lastUsed === 0) err(ERRCODE.object_not_in_prerequisite_state, 'lastval is not yet defined in this session');
    const e = this.seqtab.get(this.lastUsed)!;
    let exists = true;
    try {
      this.catalog.getRelation(this.lastUsed);
    } catch {
      exists = false;
    }
    if (!exists || !e.lastValid) err(ERRCODE.object_not_in_prerequisite_state, 'lastval is not yet defined in this session');
    return e.last;
  }

  /** setval(regclass, value [, is_called]). */
  setval(seqOid: number, value: bigint, isCalled = true): bigint {
    const rel = this.openSequence(seqOid);
    const loc = heapOf(rel).locator;
    modifySeqPage(this.storage, loc, rel.relname, (params) => {
      if (value < params.min || value > params.max) {
        err(ERRCODE.numeric_value_out_of_range, `setval: value ${value} is out of bounds for sequence "${rel.relname}" (${params.min}..${params.max})`);
      }
      const state: SeqState = { lastValue: value, logCnt: 0n, isCalled };
      return { params, state, logged: state };
    });
    if (isCalled) {
      const e = this.entry(seqOid);
      e.last = value;
      e.lastValid = true;
    }
    return value;
  }

  /** The parameters and state on the page (for pg_sequences-like views and tests). */
  read(seqOid: number): { params: SeqParams; state: SeqState } {
    const rel = this.openSequence(seqOid);
    const { params, state } = readSeqPage(this.storage, heapOf(rel).locator, rel.relname);
    return { params, state };
  }
}
