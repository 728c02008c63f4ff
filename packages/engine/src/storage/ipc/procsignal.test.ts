/*
 * Cancel and terminate through the proc array (procsignal.ts) and their SQL
 * functions (signalfuncs.ts), in one thread: backends attached to one
 * segment signal each other; a signal that must hit a running statement is
 * sent before the statement starts, under the key it will run with (what
 * the postmaster's cancel() does while the statement runs). The same with
 * real workers and statements interrupted while they run is in
 * packages/worker-host/src/procsignal.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { Database, PgError } from '../../index.ts';
import { createSharedMemoryAndSemaphores } from './ipci.ts';
import { PROCSIG_CANCEL, PROCSIG_DIE, backendIsAlive, sendProcSignal } from './procsignal.ts';

const open: Database[] = [];

function pair(): { a: Database; b: Database } {
  const dir = new MemoryDirectory();
  const shmem = createSharedMemoryAndSemaphores({ sharedBuffers: 128, walBuffers: 64 }).sab;
  const a = Database.attachSync({ dir, shmem, startup: true, pid: 101 });
  open.push(a);
  const b = Database.attachSync({ dir, shmem, startup: false, pid: 102 });
  open.push(b);
  return { a, b };
}

function failure(fn: () => unknown): PgError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

afterEach(() => {
  const all = open.splice(0);
  for (let k = all.length - 1; k >= 0; k--) {
    if (all[k].isClosed) continue;
    if (k === 0) all[k].closeSync();
    else all[k].detachSync();
  }
});

describe('pg_cancel_backend / pg_terminate_backend', () => {
  it('an unknown pid: false with PostgreSQL\'s WARNING', () => {
    const { a } = pair();
    const r = a.querySync('SELECT pg_cancel_backend(123) AS c, pg_terminate_backend(123) AS t');
    expect(r.rows).toEqual([{ c: false, t: false }]);
    expect(r.notices.map((n) => `${n.severity}: ${n.message}`)).toEqual([
      'WARNING: PID 123 is not a PostgreSQL backend process',
      'WARNING: PID 123 is not a PostgreSQL backend process',
    ]);
    const neg = failure(() => a.querySync('SELECT pg_terminate_backend(102, -1)'));
    expect([neg.code, neg.message]).toEqual(['22003', '"timeout" must not be negative']);
  });

  it('the functions have PostgreSQL\'s pg_proc rows', () => {
    const { a } = pair();
    const r = a.querySync(`SELECT oid::int, proname, pronargs::int, prorettype::int FROM pg_proc
      WHERE proname IN ('pg_cancel_backend', 'pg_terminate_backend', 'pg_sleep') ORDER BY oid`);
    expect(r.rows).toEqual([
      { oid: 2096, proname: 'pg_terminate_backend', pronargs: 2, prorettype: 16 },
      { oid: 2171, proname: 'pg_cancel_backend', pronargs: 1, prorettype: 16 },
      { oid: 2626, proname: 'pg_sleep', pronargs: 1, prorettype: 2278 },
    ]);
  });

  it('cancelling oneself ends the statement at once; the session goes on', () => {
    const { a } = pair();
    const e = failure(() => a.querySync('SELECT pg_cancel_backend(pg_backend_pid())'));
    expect([e.code, e.message]).toEqual(['57014', 'canceling statement due to user request']);
    expect(a.querySync('SELECT 1 AS one').rows).toEqual([{ one: 1 }]);
  });

  it('a cancel that reaches an idle backend is dropped, as PostgreSQL does', () => {
    const { a, b } = pair();
    expect(b.querySync('SELECT pg_cancel_backend(101) AS ok').rows).toEqual([{ ok: true }]);
    expect(a.querySync('SELECT pg_sleep(0.01), 1 AS one').rows).toEqual([{ pg_sleep: '', one: 1 }]);
  });

  it('a cancel under the running message\'s key ends it with 57014; its transaction rolls back; the next message runs', () => {
    const { a, b } = pair();
    a.execSync('CREATE TABLE t (x int)');
    a.execSync('BEGIN');
    a.execSync('INSERT INTO t VALUES (1)');
    // The postmaster's cancel() of the call it numbered 7, sent while the call is on its way.
    expect(sendProcSignal(a.engine.procSignal.segment, 101, 0, 7)).toBe(true);
    a.cancelKey = 7;
    const e = failure(() => a.querySync('SELECT count(*) FROM generate_series(1, 1000000) g, generate_series(1, 1000) h'));
    expect([e.code, e.message]).toEqual(['57014', 'canceling statement due to user request']);
    expect(a.backend.transactionStatus).toBe('E');
    a.execSync('ROLLBACK');
    expect(b.querySync('SELECT count(*)::int AS n FROM t').rows).toEqual([{ n: 0 }]);
    // The key is spent: the next message (another key, or none) is not cancelled.
    expect(a.querySync('SELECT pg_sleep(0.01), 2 AS two').rows).toEqual([{ pg_sleep: '', two: 2 }]);
  });

  it('pg_sleep wakes for a cancel bit at once, and for statement_timeout', () => {
    const { a } = pair();
    a.execSync("SET statement_timeout = '50ms'");
    const t0 = performance.now();
    const e = failure(() => a.querySync('SELECT pg_sleep(10)'));
    expect([e.code, e.message]).toEqual(['57014', 'canceling statement due to statement timeout']);
    expect(performance.now() - t0).toBeLessThan(5000);
    a.execSync('RESET statement_timeout');
    // A cancel bit set while the statement runs (here: by the statement itself, before it sleeps).
    const e2 = failure(() => a.querySync('SELECT pg_cancel_backend(pg_backend_pid()) OR pg_sleep(10) IS NULL'));
    expect(e2.code).toBe('57014');
  });

  it('terminate: the target\'s next message fails with FATAL 57P01, every one after too', () => {
    const { a, b } = pair();
    expect(b.querySync('SELECT pg_terminate_backend(101) AS ok').rows).toEqual([{ ok: true }]);
    for (let k = 0; k < 2; k++) {
      const e = failure(() => a.querySync('SELECT 1'));
      expect([e.code, e.message, e.severity]).toEqual(['57P01', 'terminating connection due to administrator command', 'FATAL']);
    }
    expect(a.engine.procSignal.diePending).toBe(true);
    // The session's end is the backend's exit: its slot is freed and the others go on.
    a.detachSync();
    expect(backendIsAlive(b.engine.procSignal.segment, 101)).toBe(false);
    expect(b.querySync('SELECT pg_terminate_backend(101) AS ok').rows).toEqual([{ ok: false }]);
  });

  it('a terminate while running a statement: FATAL 57P01 from its next interrupt check', () => {
    const { a } = pair();
    expect(sendProcSignal(a.engine.procSignal.segment, 101, PROCSIG_DIE)).toBe(true);
    expect(sendProcSignal(a.engine.procSignal.segment, 999, PROCSIG_CANCEL)).toBe(false);
    const e = failure(() => a.execSync('SELECT pg_sleep(5)'));
    expect([e.code, e.severity]).toEqual(['57P01', 'FATAL']);
  });

  it('pg_terminate_backend with a timeout waits for the target to leave, or warns', () => {
    const { a, b } = pair();
    const r = a.querySync('SELECT pg_terminate_backend(102, 30) AS ok');
    // b runs nothing in this thread while a waits: it cannot leave, so the wait times out.
    expect(r.rows).toEqual([{ ok: false }]);
    expect(r.notices.map((n) => n.message)).toEqual(['backend with PID 102 did not terminate within 30 milliseconds']);
    b.detachSync();
    expect(a.querySync('SELECT pg_terminate_backend(102, 30) AS ok').rows).toEqual([{ ok: false }]);
  });
});
