/*
 * platform_node.ts — the postmaster's platform in Node: backend workers are
 * worker_threads running backend_node.ts, data directories are paths.
 *
 * Exports: nodePlatform
 *
 * The worker entry is TypeScript, run without a build step: the worker
 * first registers tsx's loader (workers do not inherit the parent's), then
 * imports backend_node.ts, as the engine's concurrent tests start theirs.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/umd/node-adapter.js';
import type { BackendApi, BackendBoot } from './protocol.ts';
import type { Platform, WorkerHandle } from './platform.ts';

let entryUrl: URL | null = null;

/** A data: URL module that registers tsx and loads backend_node.ts. */
function workerEntry(): URL {
  if (entryUrl !== null) return entryUrl;
  const tsxApi = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'));
  const backend = new URL('./backend_node.ts', import.meta.url);
  const src = `import { register } from ${JSON.stringify(tsxApi.href)}; register(); await import(${JSON.stringify(backend.href)});`;
  entryUrl = new URL(`data:text/javascript,${encodeURIComponent(src)}`);
  return entryUrl;
}

export const nodePlatform: Platform = {
  spawnBackend(boot: BackendBoot): WorkerHandle {
    const worker = new Worker(workerEntry(), { workerData: boot });
    const api = wrap<BackendApi>(nodeEndpoint(worker));
    let exitCode: number | null = null;
    const listeners: ((code: number) => void)[] = [];
    // An uncaught exception in the worker is followed by its exit; the exit is what counts.
    worker.on('error', () => undefined);
    worker.once('exit', (code) => {
      exitCode = code;
      for (const l of listeners) l(code);
    });
    return {
      api,
      terminate: async () => {
        await worker.terminate();
      },
      onExit(listener: (code: number) => void): void {
        if (exitCode !== null) listener(exitCode);
        else listeners.push(listener);
      },
    };
  },

  makeTempDataDir(): { path: string; remove(): void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-'));
    return { path: dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
  },
};
