/*
 * Transactions from several worker threads at once over one shared memory:
 * XID assignment, CLOG page creation, pg_subtrans, snapshots and commit all
 * under real concurrency.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { TRANSACTION_STATUS_ABORTED, TRANSACTION_STATUS_COMMITTED, type TransamWal } from './transam.ts';
import { attachTransam, bootstrapTransam, transamShmemInit, transamShmemSize } from './xact.ts';

interface WorkerResult {
  committed: number[];
  aborted: number[];
  snapshots: number;
}

/*
 * The worker: attaches, runs `count` transactions (every third with a
 * savepoint, every fifth rolled back), and checks every snapshot it takes
 * against what it knows: its own finished XIDs are never listed as running.
 */
const WORKER_BODY = `
const { workerData, parentPort } = await import('node:worker_threads');
const { NodeDirectory } = await import(workerData.urls.storage);
const { Shmem } = await import(workerData.urls.shmem);
const { LWLockOwner } = await import(workerData.urls.lwlock);
const { attachTransam } = await import(workerData.urls.xact);
const { xidInMVCCSnapshot } = await import(workerData.urls.snapmgr);
const shmem = Shmem.attach(workerData.sab);
const lsn = new Int32Array(workerData.walSab);
const wal = {
  insertRecord: () => Atomics.add(lsn, 0, 64) + 64,
  flush: () => {},
  needsFlush: () => false,
  setAsyncXactLsn: () => {},
  logNextOid: () => {},
};
const b = attachTransam({ shmem, lw: new LWLockOwner(shmem.i32), dir: new NodeDirectory(workerData.root), wal, pid: workerData.id, databaseOid: 5 });
const x = b.xact;
const committed = [], aborted = [];
let snapshots = 0;
for (let i = 0; i < workerData.count; i++) {
  x.begin();
  x.startTransactionCommand();
  const top = x.getCurrentTransactionId();
  const snap = x.snapmgr.getTransactionSnapshot();
  snapshots++;
  for (const mine of committed.slice(-20)) {
    if (xidInMVCCSnapshot(mine, snap, b.subtrans)) throw new Error('my committed xid ' + mine + ' is running in a later snapshot');
  }
  x.commitTransactionCommand();
  const tree = [top];
  if (i % 3 === 0) {
    x.startTransactionCommand(); x.defineSavepoint('s'); x.commitTransactionCommand();
    x.startTransactionCommand(); tree.push(x.getCurrentTransactionId()); x.commitTransactionCommand();
    x.startTransactionCommand(); x.releaseSavepoint('s'); x.commitTransactionCommand();
  }
  if (i % 5 === 4) { x.abort(); aborted.push(...tree); }
  else { x.commit(); committed.push(...tree); }
}
b.procArray.removeProc(b.procno);
parentPort.postMessage({ committed, aborted, snapshots });
`;

function runWorker(data: Record<string, unknown>): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const tsxApi = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'));
    const src = `import { register } from ${JSON.stringify(tsxApi.href)}; register();\n${WORKER_BODY}`;
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), { workerData: data });
    w.once('message', (m: WorkerResult) => resolve(m));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}`));
    });
  });
}

describe('transactions from several threads', () => {
  it('assigns unique XIDs, crosses CLOG and pg_subtrans pages, and records every outcome', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-xact-concurrent-'));
    try {
      const sizer = new ShmemSizer();
      transamShmemSize(sizer);
      const shmem = Shmem.create(sizer.size);
      transamShmemInit(shmem);
      const dir = new NodeDirectory(root);
      const walSab = new SharedArrayBuffer(4);
      const wal: TransamWal = { insertRecord: () => 64, flush: () => {}, needsFlush: () => false, setAsyncXactLsn: () => {}, logNextOid: () => {} };
      const main = attachTransam({ shmem, lw: new LWLockOwner(shmem.i32), dir, wal, pid: 1, databaseOid: 5 });
      // Start just before a CLOG page boundary, so the workers race across it.
      bootstrapTransam(main, 32768 - 700);
      const here = (p: string): string => new URL(p, import.meta.url).href;
      const urls = {
        storage: pathToFileURL(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../opfs-storage/src/index.ts')).href,
        shmem: here('../../storage/ipc/shmem.ts'),
        lwlock: here('../../storage/lmgr/lwlock.ts'),
        xact: here('./xact.ts'),
        snapmgr: here('../../utils/time/snapmgr.ts'),
      };
      const count = 400;
      const results = await Promise.all([1, 2, 3, 4].map((id) => runWorker({ sab: shmem.sab, walSab, root, id: 100 + id, count, urls })));
      const all = results.flatMap((r) => [...r.committed, ...r.aborted]);
      expect(new Set(all).size).toBe(all.length);
      expect(Math.max(...all)).toBeGreaterThan(32768);
      for (const r of results) {
        expect(r.snapshots).toBe(count);
        for (const x of r.committed) expect(main.clog.getStatus(x)).toBe(TRANSACTION_STATUS_COMMITTED);
        for (const x of r.aborted) expect(main.clog.getStatus(x)).toBe(TRANSACTION_STATUS_ABORTED);
      }
      expect(main.procArray.describe().map((p) => p.pid)).toEqual([1]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
