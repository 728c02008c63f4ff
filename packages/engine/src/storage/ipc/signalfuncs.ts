/*
 * signalfuncs.ts — the SQL functions that signal backends and the one that
 * sleeps interruptibly: pg_cancel_backend, pg_terminate_backend
 * (PostgreSQL's storage/ipc/signalfuncs.c) and pg_sleep (misc.c), with
 * PostgreSQL's OIDs and signatures, registered with fmgrtab's
 * registerBuiltin at module load (before initdb writes pg_proc).
 *
 * Exports: nothing but the registrations; database.ts imports this module
 * for its effect.
 *
 * The signal itself is procsignal.ts's word in the target's proc-array
 * slot. Every session is the bootstrap superuser, so the permission
 * checks of PostgreSQL (superuser, pg_signal_backend, same role) always
 * pass; signalling an auxiliary process is not possible since none runs
 * in a proc-array slot yet.
 */

import { registerBuiltin } from '../../utils/fmgr/fmgrtab.ts';
import type { FunctionCallContext, FunctionInfo } from '../../utils/fmgr/fmgrtypes.ts';
import { PgError, SQLSTATE } from '../../utils/errors.ts';
import { SessionFunctionContext, type SessionBackend } from '../../tcop/session.ts';
import { PROCSIG_CANCEL, PROCSIG_DIE, backendIsAlive, sendProcSignal } from './procsignal.ts';

const BOOLOID = 16;
const INT4OID = 23;
const INT8OID = 20;
const FLOAT8OID = 701;
const VOIDOID = 2278;

function backendOf(ctx: FunctionCallContext): SessionBackend {
  if (!(ctx instanceof SessionFunctionContext) || ctx.backend === null) {
    throw new PgError(SQLSTATE.feature_not_supported, 'this function needs a database session');
  }
  return ctx.backend;
}

function fn(oid: number, proname: string, argtypes: number[], rettype: number, impl: FunctionInfo['impl'], extra: Partial<FunctionInfo> = {}): void {
  registerBuiltin({
    oid, proname, prokind: 'f', proargtypes: argtypes, prorettype: rettype, provariadic: 0, proretset: false,
    proisstrict: true, provolatile: 'v', pronargdefaults: 0, impl, ...extra,
  });
}

/** pg_signal_backend: false with PostgreSQL's WARNING when no backend has the pid. */
function signalBackend(b: SessionBackend, pid: number, bits: number): boolean {
  const ok = sendProcSignal(b.engine.procSignal.segment, pid, bits);
  if (!ok) b.notice({ severity: 'WARNING', code: '01000', message: `PID ${pid} is not a PostgreSQL backend process` });
  return ok;
}

fn(2171, 'pg_cancel_backend', [INT4OID], BOOLOID, (a, ctx) => {
  const b = backendOf(ctx);
  const ok = signalBackend(b, a[0] as number, PROCSIG_CANCEL);
  // Cancelling oneself takes effect at once, as the signal handler would.
  if (ok) b.checkForInterrupts();
  return ok;
});

fn(2096, 'pg_terminate_backend', [INT4OID, INT8OID], BOOLOID, (a, ctx) => {
  const b = backendOf(ctx);
  const pid = a[0] as number;
  const timeout = a[1] === undefined ? 0n : (a[1] as bigint);
  if (timeout < 0n) throw new PgError(SQLSTATE.numeric_value_out_of_range, '"timeout" must not be negative');
  if (!signalBackend(b, pid, PROCSIG_DIE)) return false;
  if (timeout === 0n) return true;
  // pg_wait_until_termination: poll until the slot is gone, interruptibly.
  const sig = b.engine.procSignal;
  const end = performance.now() + Number(timeout);
  for (;;) {
    if (!backendIsAlive(sig.segment, pid)) return true;
    const left = end - performance.now();
    if (left <= 0) break;
    sig.sleep(Math.min(left, 10), () => b.checkForInterrupts());
  }
  b.notice({ severity: 'WARNING', code: '01000', message: `backend with PID ${pid} did not terminate within ${timeout} milliseconds` });
  return false;
}, { pronargdefaults: 1, proargnames: ['pid', 'timeout'] });

fn(2626, 'pg_sleep', [FLOAT8OID], VOIDOID, (a, ctx) => {
  const b = backendOf(ctx);
  const secs = a[0] as number;
  // NaN and negative sleep not at all; each slice ends at an interrupt (cancel, terminate, statement_timeout).
  if (secs > 0) b.engine.procSignal.sleep(secs * 1000, () => b.checkForInterrupts());
  else b.checkForInterrupts();
  return '';
});
