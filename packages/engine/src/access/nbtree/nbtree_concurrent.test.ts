/*
 * Several backends (worker threads sharing one buffer pool and one WAL)
 * insert into, scan and vacuum the same B-tree at once. Afterwards the tree
 * must pass the structure check and hold every entry that was not removed;
 * every scan must have returned, in order and each once, every entry
 * inserted before it began (the guarantee an MVCC scan relies on: entries
 * inserted during the scan may appear out of order, for instance after
 * page deletion moved a key range to the right, but their rows are
 * invisible to the scan's snapshot).
 */

import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { btbeginscan, btbuildempty, btIndexCheck } from './nbtree.ts';
import { concurrentRowIsDead as isDead, intKey, startInstance, testIndex } from './nbtree_testutil.ts';
import type { WorkerJob } from './nbtree_testworker.ts';

function runWorker(job: WorkerJob): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    // Workers do not inherit vitest's TypeScript loader: register tsx's, then load the backend.
    const tsxApi = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'));
    const backend = new URL('./nbtree_testworker.ts', import.meta.url);
    const src = `import { register } from ${JSON.stringify(tsxApi.href)}; register(); await import(${JSON.stringify(backend.href)});`;
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), { workerData: job });
    w.once('message', (m: Record<string, number>) => resolve(m));
    w.once('error', (e: Error) => reject(new Error(`worker ${job.role} ${job.id}: ${e.stack ?? e.message}`)));
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}`));
    });
  });
}

describe('B-tree under concurrent backends', () => {
  it('four inserters, a scanner and a VACUUM at once', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-nbtree-concurrent-'));
    try {
      const nbuffers = 512;
      const inst = startInstance(new NodeDirectory(root), { nbuffers });
      const relNumber = 40_000;
      const idx = testIndex(inst, [intKey('k')], { relNumber });
      btbuildempty(idx, inst.env);
      inst.checkpoint();
      const keys = 120_000;
      const inserters = 4;
      const flags = new SharedArrayBuffer(4 * (1 + inserters));
      new Int32Array(flags)[0] = inserters;
      const base = { sab: inst.shmem.sab, root, nbuffers, relNumber, workers: inserters, keys, flags };
      const results = await Promise.all([
        ...Array.from({ length: inserters }, (_, id) => runWorker({ ...base, role: 'insert', id })),
        runWorker({ ...base, role: 'scan', id: 100 }),
        runWorker({ ...base, role: 'vacuum', id: 200 }),
      ]);
      expect(results.slice(0, inserters).reduce((a, r) => a + r.inserted, 0)).toBe(keys);
      expect(results[inserters].scans).toBeGreaterThan(3);
      expect(results[inserters + 1].passes).toBeGreaterThan(0);
      expect(results[inserters + 1].deleted).toBeGreaterThan(0);

      idx.amcache = null;
      const check = btIndexCheck(idx, inst.env);
      // Every live key is there; dead ones only if VACUUM's last pass came before them.
      const s = btbeginscan(idx, inst.env, []);
      const seen = new Set<number>();
      let prev = -1;
      while (s.next()) {
        const k = s.heapTid - 1;
        expect(k).toBeGreaterThan(prev);
        prev = k;
        seen.add(k);
      }
      s.end();
      for (let k = 0; k < keys; k++) if (!isDead(k, keys) && !seen.has(k)) throw new Error(`key ${k} is missing`);
      expect(check.leafTuples).toBe(seen.size);
      expect(seen.size).toBe(keys - results[inserters + 1].removed);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 300_000);
});
