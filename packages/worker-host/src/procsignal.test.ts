/*
 * Cancel and terminate with real backend workers (storage/ipc/procsignal.ts,
 * postmaster.ts rules 6-7): a long statement cancelled from the API (the
 * call's cancel(), postmaster.cancel(pid)) and from another session with
 * pg_cancel_backend, while it runs; statement_timeout in a worker; a
 * terminated backend's session ends with 57P01 and a fresh backend takes
 * its place; an idle backend terminated from SQL leaves at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '@tabgres/engine';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Postmaster, type PostmasterCore } from './index.ts';
import { rejection } from './postmaster_testutil.ts';

let root = '';
let pm: PostmasterCore;

/** Sleeps ms (between polls). */
function settle(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const LONG = 'SELECT pg_sleep(30)';

/**
 * Waits until pg_stat_activity shows the backend running a statement: a
 * cancel or terminate sent before that reaches an idle backend (dropped, or
 * ending the wrong thing), and a fixed sleep is not enough on a loaded machine.
 */
async function untilRunning(watcher: Pick<PostmasterCore, 'query'>, pid: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await watcher.query<{ state: string | null }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [pid]);
    if (r.rows[0]?.state === 'active') return;
    if (Date.now() > deadline) throw new Error(`backend ${pid} never started its statement`);
    await settle(20);
  }
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-procsignal-'));
  const dir = path.join(root, 'data');
  const db = await Database.open({ dir: new NodeDirectory(dir), sharedBuffers: 256 });
  await db.close();
  pm = await Postmaster.start({ dataDir: dir, backends: 2, sharedBuffers: 256 });
  await pm.exec('CREATE TABLE t (x int)');
}, 240_000);

afterAll(async () => {
  await pm?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('cancel', () => {
  it('a running query\'s cancel() ends it with 57014; the session rolls back and works again', async () => {
    const s = await pm.connect();
    await s.exec('BEGIN; INSERT INTO t VALUES (1)');
    const q = s.query(LONG);
    await untilRunning(pm, s.pid);
    const t0 = performance.now();
    q.cancel();
    const e = await rejection(q);
    expect([e.code, e.message]).toEqual(['57014', 'canceling statement due to user request']);
    expect(performance.now() - t0).toBeLessThan(10_000);
    const after = await rejection(s.query('SELECT 1'));
    expect(after.code).toBe('25P02');
    await s.exec('ROLLBACK');
    expect((await s.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }]);
    await s.release();
  }, 60_000);

  it('a cross join cancelled through postmaster.cancel(pid)', async () => {
    const s = await pm.connect();
    const q = s.query('SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b');
    await untilRunning(pm, s.pid);
    expect(pm.cancel(s.pid)).toBe(true);
    const e = await rejection(q);
    expect(e.code).toBe('57014');
    expect((await s.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    await s.release();
  }, 60_000);

  it('pg_cancel_backend from another session cancels the running statement', async () => {
    const a = await pm.connect();
    const b = await pm.connect();
    const q = rejection(a.query(LONG));
    await untilRunning(b, a.pid);
    expect((await b.query('SELECT pg_cancel_backend($1) AS ok', [a.pid])).rows).toEqual([{ ok: true }]);
    const e = await q;
    expect([e.code, e.message]).toEqual(['57014', 'canceling statement due to user request']);
    expect((await a.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
    await a.release();
    await b.release();
  }, 60_000);

  it('a cancel() after the call finished cancels nothing later', async () => {
    const s = await pm.connect();
    const q = s.query('SELECT 1 AS one');
    expect((await q).rows).toEqual([{ one: 1 }]);
    q.cancel();
    expect((await s.query('SELECT pg_sleep(0.2), 4 AS four')).rows).toEqual([{ pg_sleep: '', four: 4 }]);
    await s.release();
  }, 60_000);

  it('statement_timeout works in a worker', async () => {
    const s = await pm.connect();
    await s.exec("SET statement_timeout = '200ms'");
    const e = await rejection(s.query(LONG));
    expect([e.code, e.message]).toEqual(['57014', 'canceling statement due to statement timeout']);
    await s.release();
  }, 60_000);
});

describe('terminate', () => {
  it('pg_terminate_backend ends a running session with 57P01; a fresh backend takes its place', async () => {
    const a = await pm.connect();
    const b = await pm.connect();
    const oldPid = a.pid;
    await a.exec('BEGIN; INSERT INTO t VALUES (2)');
    const q = rejection(a.query(LONG));
    await untilRunning(b, a.pid);
    expect((await b.query('SELECT pg_terminate_backend($1, 5000) AS ok', [oldPid])).rows).toEqual([{ ok: true }]);
    const e = await q;
    expect([e.code, e.message, e.severity]).toEqual(['57P01', 'terminating connection due to administrator command', 'FATAL']);
    // The session is dead, as a closed connection is.
    expect((await rejection(a.query('SELECT 1'))).code).toBe('57P01');
    await a.release();
    // Its transaction rolled back; the other session never noticed.
    expect((await b.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }]);
    await b.release();
    // Not a crash: no restart; the replacement serves callers.
    expect(pm.restarts).toBe(0);
    const c = await pm.connect();
    const d = await pm.connect();
    expect([c.pid, d.pid]).not.toContain(oldPid);
    expect((await c.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }]);
    await c.release();
    await d.release();
    expect(pm.replacements).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('an idle backend terminated through the API leaves at once and is replaced', async () => {
    const s = await pm.connect();
    const pid = s.pid;
    await s.release();
    const before = pm.replacements;
    expect(pm.terminate(pid)).toBe(true);
    for (let k = 0; k < 200 && pm.backendPids.includes(pid); k++) await settle(50);
    expect(pm.backendPids).not.toContain(pid);
    expect(pm.replacements).toBe(before + 1);
    // Every caller is served by the live backends.
    const r = await Promise.all([pm.query('SELECT 1 AS one'), pm.query('SELECT 2 AS two')]);
    expect(r.map((x) => x.rows[0])).toEqual([{ one: 1 }, { two: 2 }]);
    expect(pm.restarts).toBe(0);
  }, 120_000);
});
