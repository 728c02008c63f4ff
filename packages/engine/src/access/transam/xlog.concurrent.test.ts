import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { CHECKPOINT_FORCE, bootstrapXLog } from './xlog.ts';
import { getU32 } from './xlogdefs.ts';
import { TEST_RMGR_ID, startWal } from './xlog_testutil.ts';
import { XLogReader } from './xlogreader.ts';

const SEG = 256 * 1024;

function runWorker(job: Record<string, unknown>): Promise<{ id: number; last: number }> {
  return new Promise((resolve, reject) => {
    // Workers do not inherit vitest's TypeScript loader: register tsx's, then load the backend.
    const tsxApi = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'));
    const backend = new URL('./xlog_testworker.ts', import.meta.url);
    const src = `import { register } from ${JSON.stringify(tsxApi.href)}; register(); await import(${JSON.stringify(backend.href)});`;
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`), { workerData: job });
    w.once('message', (m: { id: number; last: number }) => resolve(m));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}`));
    });
  });
}

describe('WAL insertion from several worker threads', () => {
  it('interleaves records from four backends without losing or tearing any', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-xlog-concurrent-'));
    try {
      const dir = new NodeDirectory(root);
      bootstrapXLog(dir, { segmentSize: SEG });
      const main = startWal(dir, { walBuffers: 8 });
      const start = main.startup.endOfLog;
      const records = 1500;
      const results = await Promise.all(
        [1, 2, 3, 4].map((id) => runWorker({ sab: main.shmem.sab, root, id, records, rmid: TEST_RMGR_ID })),
      );
      const flushed = main.xlog.getFlushRecPtr();
      for (const r of results) expect(flushed).toBeGreaterThanOrEqual(r.last);

      const reader = new XLogReader(dir, { segmentSize: SEG, systemIdentifier: main.startup.control.systemIdentifier });
      reader.beginRead(start);
      const next = new Map<number, number>([[1, 0], [2, 0], [3, 0], [4, 0]]);
      let total = 0;
      for (let r = reader.readRecord(); r !== null; r = reader.readRecord()) {
        const id = getU32(r.mainData, 4);
        expect(r.xid).toBe(id);
        expect(getU32(r.mainData, 0)).toBe(id * 1_000_000 + next.get(id)!);
        expect(r.mainDataLength).toBe(8 + (id % 3) * 700);
        next.set(id, next.get(id)! + 1);
        total++;
      }
      reader.close();
      expect(total).toBe(4 * records);
      expect(reader.errorMessage).toMatch(/^invalid record length at .*got 0$/);
      expect(main.xlog.stats().records).toBe(4 * records);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('checkpoints concurrently with inserting backends, and recovery replays what followed the redo pointer', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-xlog-concurrent-'));
    try {
      const dir = new NodeDirectory(root);
      bootstrapXLog(dir, { segmentSize: SEG });
      const main = startWal(dir, { walBuffers: 8 });
      const records = 3000;
      let done = false;
      const all = Promise.all([1, 2, 3].map((id) => runWorker({ sab: main.shmem.sab, root, id, records, rmid: TEST_RMGR_ID }))).finally(() => {
        done = true;
      });
      const hooks = { checkPointGuts: (): void => {}, nextXidAndOid: () => ({ nextXid: 10, nextOid: 20000, oldestXid: 3, oldestActiveXid: 0 }) };
      let checkpoints = 0;
      while (!done) {
        await new Promise((r) => setTimeout(r, 5));
        if (main.xlog.createCheckPoint(CHECKPOINT_FORCE, hooks)) checkpoints++;
      }
      await all;
      expect(checkpoints).toBeGreaterThan(0);
      main.xlog.close();

      // Restart from scratch (fresh shared memory) as after a crash.
      const after = startWal(dir, { walBuffers: 8 });
      expect(after.startup.recoveryPerformed).toBe(true);
      const byWorker = new Map<number, number[]>();
      for (const seq of after.redoLog.seqs) {
        const id = Math.floor(seq / 1_000_000);
        if (!byWorker.has(id)) byWorker.set(id, []);
        byWorker.get(id)!.push(seq % 1_000_000);
      }
      // Each backend's records after the redo pointer: a contiguous run up to its last one.
      for (const [, seqs] of byWorker) {
        expect(seqs[seqs.length - 1]).toBe(records - 1);
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
      }
      after.xlog.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
