import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { LWLockMode, LWLockOwner, describeLWLock } from './lwlock.ts';

describe('LWLock', () => {
  it('grants shared locks together and exclusive alone', () => {
    const words = new Int32Array(new SharedArrayBuffer(64));
    const a = new LWLockOwner(words);
    const b = new LWLockOwner(words);
    a.acquire(3, LWLockMode.Shared);
    b.acquire(3, LWLockMode.Shared);
    expect(describeLWLock(words, 3)).toEqual({ exclusive: false, shared: 2, waiters: false });
    expect(b.conditionalAcquire(4, LWLockMode.Exclusive)).toBe(true);
    expect(a.conditionalAcquire(4, LWLockMode.Shared)).toBe(false);
    expect(a.conditionalAcquire(3, LWLockMode.Exclusive)).toBe(false);
    a.release(3);
    b.release(3);
    b.release(4);
    expect(words[3]).toBe(0);
    expect(words[4]).toBe(0);
  });

  it('refuses to take a lock the backend already holds', () => {
    const words = new Int32Array(new SharedArrayBuffer(64));
    const a = new LWLockOwner(words);
    a.acquire(1, LWLockMode.Exclusive);
    expect(() => a.acquire(1, LWLockMode.Exclusive)).toThrow(/already held/);
    a.releaseAll();
    expect(words[1]).toBe(0);
  });

  it('releaseAll frees everything after an error', () => {
    const words = new Int32Array(new SharedArrayBuffer(64));
    const a = new LWLockOwner(words);
    a.acquire(1, LWLockMode.Exclusive);
    a.acquire(2, LWLockMode.Shared);
    expect(a.heldCount).toBe(2);
    a.releaseAll();
    expect(a.heldCount).toBe(0);
    expect(words[1]).toBe(0);
    expect(words[2]).toBe(0);
  });

  it('excludes a second thread: increments under the lock never get lost', async () => {
    // Word 0 is the lock, word 1 a counter incremented non-atomically under it.
    const sab = new SharedArrayBuffer(64);
    const words = new Int32Array(sab);
    const rounds = 20000;
    const src = `
      const { workerData, parentPort } = require('node:worker_threads');
      const w = new Int32Array(workerData.sab);
      const EXCL = 1 << 24, WAIT = 1 << 29;
      for (let i = 0; i < workerData.rounds; i++) {
        for (;;) {
          const cur = Atomics.load(w, 0);
          if ((cur & (EXCL | 0xffffff)) === 0) { if (Atomics.compareExchange(w, 0, cur, cur | EXCL) === cur) break; continue; }
          const f = cur | WAIT;
          if (cur !== f && Atomics.compareExchange(w, 0, cur, f) !== cur) continue;
          Atomics.wait(w, 0, f, 100);
        }
        const v = w[1]; w[1] = v + 1;
        const after = Atomics.and(w, 0, ~EXCL) & ~EXCL;
        if ((after & WAIT) && (after & (EXCL | 0xffffff)) === 0) { Atomics.and(w, 0, ~WAIT); Atomics.notify(w, 0); }
      }
      parentPort.postMessage('done');`;
    const worker = new Worker(src, { eval: true, workerData: { sab, rounds } });
    const done = new Promise((resolve, reject) => {
      worker.on('message', resolve);
      worker.on('error', reject);
    });
    const me = new LWLockOwner(words);
    for (let i = 0; i < rounds; i++) {
      me.acquire(0, LWLockMode.Exclusive);
      const v = words[1];
      words[1] = v + 1;
      me.release(0);
    }
    await done;
    await worker.terminate();
    expect(words[1]).toBe(2 * rounds);
  });
});
