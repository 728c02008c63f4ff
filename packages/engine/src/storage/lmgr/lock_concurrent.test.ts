/*
 * The lock manager across worker threads: each worker is a backend
 * attached to the same shared segment (lock_testworker.ts) and really
 * sleeps on its proc's semaphore word until a releaser or the deadlock
 * detector wakes it. The main thread is one more backend that only looks
 * (pg_locks) to know when a worker has started waiting.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { LockAcquireResult } from './lock.ts';
import { LockMode } from './lockdefs.ts';
import { pgBlockingPids, pgLocks } from './lockfuncs.ts';
import { attachLockBackend, createLockSegment, type TestBackend } from './lock_testutil.ts';
import type { LockCommand, LockReply, LockWorkerData, TagSpec } from './lock_testworker.ts';

const DEADLOCK_TIMEOUT_MS = 50;

class WorkerBackend {
  private readonly worker: Worker;
  private readonly replies: ((r: LockReply) => void)[] = [];
  readonly ready: Promise<LockReply>;
  procno = -1;

  constructor(readonly data: LockWorkerData) {
    // Workers do not inherit vitest's TypeScript loader: register tsx's, then load the backend.
    const tsxApi = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'));
    const backend = new URL('./lock_testworker.ts', import.meta.url);
    const src = `import { register } from ${JSON.stringify(tsxApi.href)}; register(); await import(${JSON.stringify(backend.href)});`;
    this.worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), { workerData: data });
    this.ready = new Promise((resolve) => this.replies.push(resolve));
    this.worker.on('message', (r: LockReply) => {
      const next = this.replies.shift();
      if (next === undefined) throw new Error(`unexpected reply from worker ${data.pid}`);
      next(r);
    });
    this.worker.on('error', (e) => {
      throw new Error(`worker ${data.pid}: ${e.stack ?? e.message}`);
    });
  }

  get pid(): number {
    return this.data.pid;
  }

  send(cmd: LockCommand): Promise<LockReply> {
    return new Promise((resolve) => {
      this.replies.push(resolve);
      this.worker.postMessage(cmd);
    });
  }

  async ok(cmd: LockCommand): Promise<number> {
    const r = await this.send(cmd);
    if (!r.ok) throw new Error(`worker ${this.pid}: ${r.code} ${r.message}`);
    return r.result;
  }

  async stop(): Promise<void> {
    await this.send({ op: 'detach' });
    await this.worker.terminate();
  }
}

const rel = (oid: number): TagSpec => ({ kind: 'rel', oid });
const xid = (x: number): TagSpec => ({ kind: 'xid', xid: x });

let observer: TestBackend;
let workers: WorkerBackend[];
let sequence: Int32Array;

/** Resolves once `pid` waits for a lock (as pg_locks shows), or fails after 10 s. */
async function waitUntilWaiting(pid: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (pgLocks(observer.lm, observer.transam.procArray).some((r) => r.pid === pid && !r.granted)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`backend ${pid} never started waiting`);
}

/** Whether a promise has settled, without waiting for it. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  return (await Promise.race([p, new Promise((r) => setTimeout(() => r(marker), 20))])) !== marker;
}

beforeAll(async () => {
  const shmem = createLockSegment();
  const seq = new SharedArrayBuffer(4);
  sequence = new Int32Array(seq);
  observer = attachLockBackend(shmem, 1);
  workers = [0, 1, 2, 3].map(
    (i) => new WorkerBackend({ sab: shmem.sab, pid: 2001 + i, deadlockTimeoutMs: DEADLOCK_TIMEOUT_MS, lockTimeoutMs: 0, sequence: seq }),
  );
  for (const w of workers) {
    const r = await w.ready;
    if (r.ok) w.procno = r.procno;
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  observer.detach();
});

describe('locks across worker threads', () => {
  it('a conflicting request sleeps until the holder releases, then is granted', async () => {
    const [a, b] = workers;
    expect(await a.ok({ op: 'acquire', tag: rel(100), mode: LockMode.AccessExclusive })).toBe(LockAcquireResult.Ok);
    const pending = b.send({ op: 'acquire', tag: rel(100), mode: LockMode.AccessShare });
    await waitUntilWaiting(b.pid);
    expect(await settled(pending)).toBe(false);
    expect(pgBlockingPids(observer.lm, observer.transam.procArray, b.pid)).toEqual([a.pid]);
    await a.ok({ op: 'endXact' });
    const r = await pending;
    expect(r.ok && r.result).toBe(LockAcquireResult.Ok);
    await b.ok({ op: 'endXact' });
  });

  it('NOWAIT: a conflicting request comes back NOT_AVAIL at once', async () => {
    const [a, b] = workers;
    await a.ok({ op: 'acquire', tag: rel(101), mode: LockMode.Share });
    expect(await b.ok({ op: 'acquire', tag: rel(101), mode: LockMode.RowExclusive, dontWait: true })).toBe(LockAcquireResult.NotAvail);
    expect(await b.ok({ op: 'acquire', tag: rel(101), mode: LockMode.AccessShare, dontWait: true })).toBe(LockAcquireResult.Ok);
    await a.ok({ op: 'endXact' });
    await b.ok({ op: 'endXact' });
  });

  it('waiters are granted in FIFO order', async () => {
    const [a, b, c, d] = workers;
    await a.ok({ op: 'acquire', tag: rel(102), mode: LockMode.AccessExclusive });
    const pb = b.send({ op: 'acquire', tag: rel(102), mode: LockMode.Exclusive });
    await waitUntilWaiting(b.pid);
    const pc = c.send({ op: 'acquire', tag: rel(102), mode: LockMode.Exclusive });
    await waitUntilWaiting(c.pid);
    const pd = d.send({ op: 'acquire', tag: rel(102), mode: LockMode.Exclusive });
    await waitUntilWaiting(d.pid);
    const base = Atomics.load(sequence, 0);
    await a.ok({ op: 'endXact' });
    const rb = await pb;
    expect(await settled(pc)).toBe(false);
    await b.ok({ op: 'endXact' });
    const rc = await pc;
    expect(await settled(pd)).toBe(false);
    await c.ok({ op: 'endXact' });
    const rd = await pd;
    await d.ok({ op: 'endXact' });
    expect([rb, rc, rd].map((r) => (r.ok ? r.seq - base : -1))).toEqual([1, 2, 3]);
  });

  it('a deadlock of two backends aborts the younger with 40P01, the other gets its lock', async () => {
    const [a, b] = workers;
    await a.ok({ op: 'setXid', xid: 5000 });
    await b.ok({ op: 'setXid', xid: 6000 });
    await a.ok({ op: 'acquire', tag: rel(16384), mode: LockMode.AccessExclusive });
    await b.ok({ op: 'acquire', tag: rel(16385), mode: LockMode.AccessExclusive });
    const pa = a.send({ op: 'acquire', tag: rel(16385), mode: LockMode.AccessExclusive });
    await waitUntilWaiting(a.pid);
    const pb = b.send({ op: 'acquire', tag: rel(16384), mode: LockMode.AccessExclusive });
    const rb = await pb;
    expect(rb).toEqual({
      ok: false,
      code: '40P01',
      message: 'deadlock detected',
      detail:
        `Process ${b.pid} waits for AccessExclusiveLock on relation 16384 of database 5; blocked by process ${a.pid}.\n` +
        `Process ${a.pid} waits for AccessExclusiveLock on relation 16385 of database 5; blocked by process ${b.pid}.`,
      hint: 'See server log for query details.',
    });
    expect(await settled(pa)).toBe(false);
    await b.ok({ op: 'endXact' });
    const ra = await pa;
    expect(ra.ok && ra.result).toBe(LockAcquireResult.Ok);
    // Found within twice deadlock_timeout of the cycle closing (plus thread scheduling).
    await a.ok({ op: 'endXact' });
    await a.ok({ op: 'setXid', xid: 0 });
    await b.ok({ op: 'setXid', xid: 0 });
  });

  it('a deadlock of three backends on transaction locks aborts the youngest', async () => {
    const [a, b, c] = workers;
    const xids = [7300, 7100, 7200]; // a is the youngest
    for (const [i, w] of [a, b, c].entries()) {
      await w.ok({ op: 'setXid', xid: xids[i] });
      await w.ok({ op: 'xactLock', xid: xids[i] });
    }
    const pa = a.send({ op: 'acquire', tag: xid(7100), mode: LockMode.Share });
    await waitUntilWaiting(a.pid);
    const pb = b.send({ op: 'acquire', tag: xid(7200), mode: LockMode.Share });
    await waitUntilWaiting(b.pid);
    const pc = c.send({ op: 'acquire', tag: xid(7300), mode: LockMode.Share });
    const ra = await pa;
    expect(ra.ok).toBe(false);
    if (!ra.ok) {
      expect(ra.code).toBe('40P01');
      expect(ra.detail).toBe(
        `Process ${a.pid} waits for ShareLock on transaction 7100; blocked by process ${b.pid}.\n` +
          `Process ${b.pid} waits for ShareLock on transaction 7200; blocked by process ${c.pid}.\n` +
          `Process ${c.pid} waits for ShareLock on transaction 7300; blocked by process ${a.pid}.`,
      );
    }
    expect(await settled(pb)).toBe(false);
    expect(await settled(pc)).toBe(false);
    // a's transaction ends: c gets the lock on 7300, finishes, and b follows.
    await a.ok({ op: 'endXact' });
    const rc = await pc;
    expect(rc.ok && rc.result).toBe(LockAcquireResult.Ok);
    await c.ok({ op: 'endXact' });
    const rb = await pb;
    expect(rb.ok && rb.result).toBe(LockAcquireResult.Ok);
    await b.ok({ op: 'endXact' });
    for (const w of [a, b, c]) await w.ok({ op: 'setXid', xid: 0 });
  });

  it('a cycle through soft edges is resolved by reordering a queue: nobody is aborted', async () => {
    // PostgreSQL's isolation spec deadlock-soft, with real sleeping backends.
    const [d1, d2, e1, e2] = workers;
    const a1 = rel(300);
    const a2 = rel(301);
    await d1.ok({ op: 'acquire', tag: a1, mode: LockMode.AccessShare });
    await d2.ok({ op: 'acquire', tag: a2, mode: LockMode.AccessShare });
    const pending = new Map<WorkerBackend, Promise<LockReply>>();
    pending.set(e1, e1.send({ op: 'acquire', tag: a1, mode: LockMode.AccessExclusive }));
    await waitUntilWaiting(e1.pid);
    pending.set(e2, e2.send({ op: 'acquire', tag: a2, mode: LockMode.AccessExclusive }));
    await waitUntilWaiting(e2.pid);
    pending.set(d1, d1.send({ op: 'acquire', tag: a2, mode: LockMode.AccessShare }));
    await waitUntilWaiting(d1.pid);
    pending.set(d2, d2.send({ op: 'acquire', tag: a1, mode: LockMode.AccessShare }));
    // Whoever checks first moves d1 ahead of e2 or d2 ahead of e1; from then on each
    // transaction that gets its lock ends and lets the next one go.
    const order: WorkerBackend[] = [];
    while (pending.size > 0) {
      const [w, r] = await Promise.race([...pending].map(([w, p]) => p.then((r) => [w, r] as const)));
      expect(r.ok, `backend ${w.pid}: ${r.ok ? '' : r.message}`).toBe(true);
      pending.delete(w);
      order.push(w);
      await w.ok({ op: 'endXact' });
    }
    expect([d1, d2]).toContain(order[0]);
  });

  it('advisory session locks block other sessions until unlocked twice', async () => {
    const [a, b] = workers;
    const key: TagSpec = { kind: 'advisory', key: '-42' };
    await a.ok({ op: 'acquire', tag: key, mode: LockMode.Exclusive, session: true });
    await a.ok({ op: 'acquire', tag: key, mode: LockMode.Exclusive, session: true });
    await a.ok({ op: 'endXact' });
    const pb = b.send({ op: 'acquire', tag: key, mode: LockMode.Share, session: true });
    await waitUntilWaiting(b.pid);
    expect(await a.ok({ op: 'release', tag: key, mode: LockMode.Exclusive, session: true })).toBe(1);
    expect(await settled(pb)).toBe(false);
    expect(await a.ok({ op: 'release', tag: key, mode: LockMode.Exclusive, session: true })).toBe(1);
    const rb = await pb;
    expect(rb.ok && rb.result).toBe(LockAcquireResult.Ok);
    expect(await b.ok({ op: 'release', tag: key, mode: LockMode.Share, session: true })).toBe(1);
  });

  it('random transactions with lock-order inversions: conflicting modes never coexist, deadlocks are broken', async () => {
    const rels = 4;
    const holders = new SharedArrayBuffer(4 * rels * 9);
    const results = await Promise.all(workers.map((w, i) => w.ok({ op: 'stress', iterations: 200, seed: 17 + i, rels, holders })));
    const violations = results.reduce((s, r) => s + (r % 1_000_000), 0);
    const deadlocks = results.reduce((s, r) => s + Math.floor(r / 1_000_000), 0);
    expect(violations).toBe(0);
    expect(deadlocks).toBeGreaterThan(0);
    expect(Array.from(new Int32Array(holders)).every((v) => v === 0)).toBe(true);
  }, 120_000);

  it('the lock table is empty after every backend ended its transactions', () => {
    expect(pgLocks(observer.lm, observer.transam.procArray)).toEqual([]);
  });
});
