/*
 * lockfuncs_sql.ts — the SQL functions over the heavyweight lock manager
 * (PostgreSQL's utils/adt/lockfuncs.c): the advisory-lock functions,
 * pg_lock_status (behind the view pg_locks) and pg_blocking_pids, with
 * PostgreSQL's pg_proc OIDs and signatures, registered with fmgrtab's
 * registerBuiltin at module load (before initdb writes pg_proc).
 *
 * Exports: nothing but the registrations; database.ts imports this module
 * for its effect.
 *
 * The work is storage/lmgr/lockfuncs.ts's; these wrappers find the
 * session's lock manager (StorageEngine.lockManager) and convert Datums.
 * A wait for an advisory lock sleeps in the lock manager: it is deadlock
 * checked and cancellable (57014) like any lock wait.
 */

import { registerBuiltin } from '../fmgr/fmgrtab.ts';
import type { FunctionCallContext, FunctionInfo } from '../fmgr/fmgrtypes.ts';
import { PgError, SQLSTATE } from '../errors.ts';
import { SessionFunctionContext, type SessionBackend } from '../../tcop/session.ts';
import { RecordValue } from './rowtypes.ts';
import { ArrayValue } from './array.ts';
import { STORAGE_DB_OID } from '../../engine.ts';
import {
  pgAdvisoryLock, pgAdvisoryLockShared, pgAdvisoryUnlock, pgAdvisoryUnlockAll, pgAdvisoryUnlockShared, pgAdvisoryXactLock,
  pgAdvisoryXactLockShared, pgBlockingPids, pgLocks, predicateLockRows, pgTryAdvisoryLock, pgTryAdvisoryLockShared, pgTryAdvisoryXactLock,
  pgTryAdvisoryXactLockShared, type AdvisoryKey,
} from '../../storage/lmgr/lockfuncs.ts';
import type { LockManager } from '../../storage/lmgr/lock.ts';

const BOOLOID = 16;
const INT2OID = 21;
const INT4OID = 23;
const INT8OID = 20;
const TEXTOID = 25;
const OIDOID = 26;
const XIDOID = 28;
const TIMESTAMPTZOID = 1184;
const INT4ARRAYOID = 1007;
const VOIDOID = 2278;
const RECORDOID = 2249;

/** Milliseconds from 1970-01-01 to 2000-01-01 (PostgreSQL's epoch), for timestamptz Datums. */
const POSTGRES_EPOCH_MS = 946_684_800_000;

function backendOf(ctx: FunctionCallContext): SessionBackend {
  if (!(ctx instanceof SessionFunctionContext) || ctx.backend === null) {
    throw new PgError(SQLSTATE.feature_not_supported, 'this function needs a database session');
  }
  return ctx.backend;
}

function lockManagerOf(ctx: FunctionCallContext): LockManager {
  return backendOf(ctx).engine.lockManager;
}

function fn(oid: number, proname: string, argtypes: number[], rettype: number, impl: FunctionInfo['impl'], extra: Partial<FunctionInfo> = {}): void {
  registerBuiltin({
    oid, proname, prokind: 'f', proargtypes: argtypes, prorettype: rettype, provariadic: 0, proretset: false,
    proisstrict: true, provolatile: 'v', pronargdefaults: 0, impl, ...extra,
  });
}

// ---------------------------------------------------------------- advisory locks

type Taker = (lm: LockManager, db: number, key: AdvisoryKey) => unknown;

/** One advisory function in both key forms: (bigint) at oid8, (int, int) at oid44. */
function advisory(oid8: number, oid44: number, proname: string, rettype: number, take: Taker): void {
  // A void result is the empty string (voidout), not NULL.
  const wrap = (r: unknown): unknown => (rettype === VOIDOID ? '' : r);
  fn(oid8, proname, [INT8OID], rettype, (a, ctx) => wrap(take(lockManagerOf(ctx), STORAGE_DB_OID, BigInt(a[0] as bigint))));
  fn(oid44, proname, [INT4OID, INT4OID], rettype, (a, ctx) => wrap(take(lockManagerOf(ctx), STORAGE_DB_OID, [a[0] as number, a[1] as number])));
}

advisory(2880, 2886, 'pg_advisory_lock', VOIDOID, pgAdvisoryLock);
advisory(2881, 2887, 'pg_advisory_lock_shared', VOIDOID, pgAdvisoryLockShared);
advisory(2882, 2888, 'pg_try_advisory_lock', BOOLOID, pgTryAdvisoryLock);
advisory(2883, 2889, 'pg_try_advisory_lock_shared', BOOLOID, pgTryAdvisoryLockShared);
advisory(2884, 2890, 'pg_advisory_unlock', BOOLOID, pgAdvisoryUnlock);
advisory(2885, 2891, 'pg_advisory_unlock_shared', BOOLOID, pgAdvisoryUnlockShared);
advisory(3089, 3093, 'pg_advisory_xact_lock', VOIDOID, pgAdvisoryXactLock);
advisory(3090, 3094, 'pg_advisory_xact_lock_shared', VOIDOID, pgAdvisoryXactLockShared);
advisory(3091, 3095, 'pg_try_advisory_xact_lock', BOOLOID, pgTryAdvisoryXactLock);
advisory(3092, 3096, 'pg_try_advisory_xact_lock_shared', BOOLOID, pgTryAdvisoryXactLockShared);
fn(2892, 'pg_advisory_unlock_all', [], VOIDOID, (_a, ctx) => {
  pgAdvisoryUnlockAll(lockManagerOf(ctx));
  return '';
});

// ---------------------------------------------------------------- pg_locks

const LOCK_STATUS_COLUMNS: [string, number][] = [
  ['locktype', TEXTOID], ['database', OIDOID], ['relation', OIDOID], ['page', INT4OID], ['tuple', INT2OID],
  ['virtualxid', TEXTOID], ['transactionid', XIDOID], ['classid', OIDOID], ['objid', OIDOID], ['objsubid', INT2OID],
  ['virtualtransaction', TEXTOID], ['pid', INT4OID], ['mode', TEXTOID], ['granted', BOOLOID], ['fastpath', BOOLOID],
  ['waitstart', TIMESTAMPTZOID],
];
const LOCK_STATUS_TYPES = LOCK_STATUS_COLUMNS.map(([, t]) => t);

/** Date.now() milliseconds as a timestamptz Datum (µs since 2000-01-01). */
export function timestamptzFromEpochMs(ms: number): bigint {
  return BigInt(Math.round((ms - POSTGRES_EPOCH_MS) * 1000));
}

registerBuiltin({
  oid: 1371, proname: 'pg_lock_status', prokind: 'f', proargtypes: [], prorettype: RECORDOID, provariadic: 0,
  proretset: true, proisstrict: true, provolatile: 'v', pronargdefaults: 0,
  proargnames: LOCK_STATUS_COLUMNS.map(([n]) => n),
  proallargtypes: LOCK_STATUS_TYPES,
  proargmodes: LOCK_STATUS_COLUMNS.map(() => 'o'),
  implSet: (_args, ctx) => {
    const engine = backendOf(ctx).engine;
    // Heavyweight locks first, then the SIREAD locks of serializable transactions, as PostgreSQL lists them.
    const all = pgLocks(engine.lockManager, engine.transam.procArray).concat(predicateLockRows(engine.predicateLocks));
    return all.map((r) => new RecordValue([
      r.locktype, r.database, r.relation, r.page, r.tuple, r.virtualxid, r.transactionid, r.classid, r.objid, r.objsubid,
      r.virtualtransaction, r.pid, r.mode, r.granted, r.fastpath, r.waitstart === null ? null : timestamptzFromEpochMs(r.waitstart),
    ], LOCK_STATUS_TYPES));
  },
});

fn(2561, 'pg_blocking_pids', [INT4OID], INT4ARRAYOID, (a, ctx) => {
  const engine = backendOf(ctx).engine;
  const pids = pgBlockingPids(engine.lockManager, engine.transam.procArray, a[0] as number);
  return new ArrayValue(INT4OID, pids.length === 0 ? [] : [pids.length], pids.length === 0 ? [] : [1], pids);
});
