/*
 * platform_node.ts — the postmaster's platform in Node: backend workers are
 * worker_threads running backend_node.ts, data directories are paths.
 *
 * Exports: nodePlatform, makeNodePlatform, workerEntry, workerExecArgv, WorkerEntryKind
 *
 * Two ways to run a worker's entry:
 *   'bundle'  (the default) backend_node.ts bundled by esbuild into one
 *             JavaScript file, rebuilt when its sources changed
 *             (worker_bundle.ts); a worker then loads in about a tenth of
 *             the CPU time (README, "Worker start: the bundle").
 *   'source'  the TypeScript itself: the worker first registers tsx's
 *             loader (vitest's transform does not reach workers), then imports
 *             backend_node.ts, as the engine's concurrent tests start
 *             theirs. Stack traces name the .ts files; for debugging.
 * TABGRES_WORKER=source in the environment makes nodePlatform use the
 * sources.
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
import { workerBundle, workerSourceDir } from './worker_bundle.ts';

export type WorkerEntryKind = 'bundle' | 'source';

let sourceEntryUrl: URL | null = null;

/** A data: URL module that registers tsx and loads backend_node.ts. */
function sourceEntry(): URL {
  if (sourceEntryUrl !== null) return sourceEntryUrl;
  const srcDir = workerSourceDir();
  const tsxApi = pathToFileURL(path.join(path.dirname(createRequire(path.join(srcDir, 'index.ts')).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'));
  const backend = pathToFileURL(path.join(srcDir, 'backend_node.ts'));
  const src = `import { register } from ${JSON.stringify(tsxApi.href)}; register(); await import(${JSON.stringify(backend.href)});`;
  sourceEntryUrl = new URL(`data:text/javascript,${encodeURIComponent(src)}`);
  return sourceEntryUrl;
}

/** The module a worker starts from (also for bench/postmaster.bench.ts's load-time line). */
export function workerEntry(kind: WorkerEntryKind): URL {
  return kind === 'source' ? sourceEntry() : pathToFileURL(workerBundle());
}

/** Node flags that load a module loader (and take the next argument when not written with '='). */
const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/**
 * The parent's Node flags without its module loaders. A worker inherits
 * execArgv, so under tsx or vitest a bundle worker would load tsx's hooks
 * and pass its 2.6 MB of JavaScript through them: about 0.35 s of CPU per
 * worker for nothing. Other flags (--enable-source-maps, --cpu-prof, ...)
 * stay.
 */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const a = parent[i];
    const name = a.split('=')[0];
    if (LOADER_FLAGS.has(name)) {
      if (!a.includes('=')) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** Node's platform, its workers started from the bundle or from the TypeScript sources. */
export function makeNodePlatform(kind: WorkerEntryKind): Platform {
  return {
    spawnBackend: (boot) => spawnWorker(workerEntry(kind), kind === 'bundle' ? workerExecArgv() : undefined, boot),
    makeTempDataDir,
  };
}

function spawnWorker(entry: URL, execArgv: string[] | undefined, boot: BackendBoot): WorkerHandle {
  const worker = new Worker(entry, { workerData: boot, ...(execArgv !== undefined ? { execArgv } : {}) });
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
}

function makeTempDataDir(): { path: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-'));
  return { path: dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The platform Postmaster.start uses: the bundle, or the sources with TABGRES_WORKER=source. */
export const nodePlatform: Platform = makeNodePlatform(process.env.TABGRES_WORKER === 'source' ? 'source' : 'bundle');
