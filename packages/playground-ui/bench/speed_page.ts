/*
 * speed_page.ts — the Chromium speed page (bench/speed.html, built with the
 * playground): runs the sqlite.org/speed.html series, statement by
 * statement, on one engine at a time, timed in the page. Driven by
 * bench/opfs.bench.ts through `window.speedBench`; it prints nothing itself.
 *
 * Engines:
 *   'opfs'    the postmaster on OPFS (openBrowserDatabase, as the
 *             playground page opens its database; 2 backends), the series
 *             on one session pinned to a backend worker
 *   'memory'  tabgres's Database.open() on a MemoryDirectory in a worker
 *             (engine_worker.ts)
 *   'pglite'  PGlite in memory in a worker (engine_worker.ts)
 * Each is one postMessage round trip per statement from the page.
 *
 * The statements come from the driver (bench/speed/workload.ts, generated
 * in Node), so the page and the Node series run the same SQL. A test stops
 * at its first failing statement (its transaction block rolled back) and
 * reports the error; the next test goes on.
 */

import { wrap, type Remote } from 'comlink';
import { deleteDatabase, getDatabase, openBrowserDatabase, type BrowserPostmaster } from '@tabgres/worker-host/browser';
import { kindOf, sumFirstColumn } from '../../../bench/speed/checksum.ts';
import type { EngineWorkerApi } from './engine_worker.ts';

export type SpeedEngine = 'opfs' | 'memory' | 'pglite';

export interface SpeedTestResult {
  ms: number;
  checksum: number;
  error?: string;
}

interface OpenEngine {
  run(sql: string): Promise<number>;
  close(): Promise<void>;
}

const OPFS_DATABASE = 'speed-bench';

async function openOpfs(): Promise<OpenEngine> {
  // A new database each run: a leftover from an earlier run is removed first.
  if ((await getDatabase(OPFS_DATABASE)) !== undefined) await deleteDatabase(OPFS_DATABASE);
  const started: BrowserPostmaster = await openBrowserDatabase(OPFS_DATABASE, { create: true, backends: 2 });
  const s = await started.postmaster.connect();
  return {
    async run(sql) {
      const kind = kindOf(sql);
      const rs = await s.exec(sql);
      const r = rs[rs.length - 1];
      if (r === undefined || kind === 2) return 0;
      return kind === 1 ? r.rowCount : sumFirstColumn(r.rows, r.fields[0]?.name);
    },
    async close() {
      await s.release();
      await started.postmaster.close();
      await deleteDatabase(OPFS_DATABASE);
    },
  };
}

async function openInWorker(engine: 'tabgres' | 'pglite'): Promise<OpenEngine> {
  const worker = new Worker(new URL('./engine_worker.ts', import.meta.url), { type: 'module', name: `speed ${engine}` });
  const api: Remote<EngineWorkerApi> = wrap<EngineWorkerApi>(worker);
  await api.open(engine);
  return {
    run: (sql) => api.run(sql),
    async close() {
      await api.close();
      worker.terminate();
    },
  };
}

const open = new Map<SpeedEngine, OpenEngine>();

const speedBench = {
  /** Opens the engine; the milliseconds it took (OPFS: initdb of a new database included). */
  async open(engine: SpeedEngine): Promise<number> {
    const t0 = performance.now();
    open.set(engine, engine === 'opfs' ? await openOpfs() : await openInWorker(engine === 'memory' ? 'tabgres' : 'pglite'));
    return performance.now() - t0;
  },
  /** One speed.html test: its statements in order, one call each. */
  async runTest(engine: SpeedEngine, statements: string[]): Promise<SpeedTestResult> {
    const e = open.get(engine);
    if (e === undefined) throw new Error(`speed page: ${engine} is not open`);
    let checksum = 0;
    const t0 = performance.now();
    for (const sql of statements) {
      try {
        checksum += await e.run(sql);
      } catch (err) {
        const ms = performance.now() - t0;
        try {
          await e.run('ROLLBACK');
        } catch {
          // no transaction block was open
        }
        return { ms, checksum, error: err instanceof Error ? err.message : String(err) };
      }
    }
    return { ms: performance.now() - t0, checksum };
  },
  async close(engine: SpeedEngine): Promise<void> {
    await open.get(engine)?.close();
    open.delete(engine);
  },
};

declare global {
  interface Window {
    speedBench: typeof speedBench;
  }
}

window.speedBench = speedBench;
document.getElementById('out')!.textContent = 'ready: window.speedBench';
