/*
 * platform_browser.ts — the postmaster's platform in a browser: backend
 * workers are module Web Workers running backend_browser.ts, the data
 * directory is a folder of the origin's OPFS, reached through OPFS I/O
 * workers (@tabgres/opfs-storage's opfs_io_worker.ts). The postmaster
 * itself (postmaster.ts) is the same code as in Node and runs on the page's
 * main thread, which never blocks.
 *
 * Exports: Postmaster (start), startBrowserPostmaster, BrowserPostmasterOptions;
 *          the database registry re-exported from db_registry.ts
 *
 * At start:
 *  1. The page must be cross-origin isolated (COOP same-origin + COEP
 *     require-corp), or SharedArrayBuffer does not exist: start() throws
 *     at once, saying so, instead of hanging.
 *  2. An I/O worker opens (creates) the data directory and detects how
 *     workers may share OPFS files (detectOpfsAccessMode):
 *       'readwrite-unsafe': each backend gets an I/O worker of its own
 *         (the probe worker is ended);
 *       'exclusive': the probe worker stays and serves every backend, one
 *         channel each.
 *
 * Rules:
 *  1. A worker's exit is what the postmaster sees of it, as in Node: the
 *     worker's { type: 'exit', code } message (its process.exit), an
 *     uncaught error (code 1), or terminate() (code 1, SIGKILL's
 *     equivalent) end it and call the exit listeners once.
 *  2. A backend's channel dies with it: its own I/O worker is ended, or the
 *     shared one detaches the channel and closes the files it left open.
 *  3. An I/O worker that fails ends the backends it serves (code 1): the
 *     postmaster then restarts the instance as after any crash.
 */

import { wrap } from 'comlink';
import { PgError } from '@tabgres/engine';
import {
  makeOpfsChannel, removeOpfsDataDir, spawnOpfsIoWorker, type OpfsAccessMode,
} from '@tabgres/opfs-storage/browser';
import { PostmasterCore, type PostmasterOptions } from './postmaster.ts';
import type { BackendApi, BackendBoot } from './protocol.ts';
import type { Platform, WorkerHandle } from './platform.ts';

export interface BrowserPostmasterOptions extends PostmasterOptions {
  /**
   * The data directory: a '/'-separated folder under the origin's OPFS root
   * (created if missing). Without it, a temporary folder under
   * 'tabgres-tmp/' removed at close().
   */
  dataDir?: string;
  /** Force a way of sharing files (tests of the fallback); detected when absent. */
  opfsAccessMode?: OpfsAccessMode;
  /** Called once the instance has stopped (after close(), or a start that failed): db_registry.ts releases its lock. */
  onStop?: () => void;
}

export interface BrowserPostmaster {
  postmaster: PostmasterCore;
  /** How backends share OPFS files in this browser (see the header). */
  opfsAccessMode: OpfsAccessMode;
  dataDir: string;
}

/** Waits for an I/O worker's answer to 'init'. */
function initIoWorker(io: Worker, dataDir: string, mode?: OpfsAccessMode): Promise<OpfsAccessMode> {
  return new Promise<OpfsAccessMode>((resolve, reject) => {
    io.addEventListener('message', function onReady(ev: MessageEvent) {
      const m = ev.data as { type: string; mode?: OpfsAccessMode; message?: string };
      if (m.type === 'ready') {
        io.removeEventListener('message', onReady);
        resolve(m.mode as OpfsAccessMode);
      } else if (m.type === 'error') {
        io.removeEventListener('message', onReady);
        reject(new PgError('58030', `could not open OPFS data directory "${dataDir}": ${m.message ?? ''}`));
      }
    });
    io.addEventListener('error', (ev) => {
      ev.preventDefault();
      reject(new PgError('58030', `the OPFS I/O worker failed to load: ${ev.message}`));
    });
    io.postMessage({ type: 'init', dataDir, ...(mode !== undefined ? { mode } : {}) });
  });
}

class BrowserPlatform implements Platform {
  /** Exit functions of the live workers served by the shared I/O worker (rule 3). */
  private readonly sharedClients = new Set<(code: number, why?: string) => void>();

  constructor(
    private readonly dataDir: string,
    private readonly temporary: boolean,
    readonly mode: OpfsAccessMode,
    /** The shared I/O worker ('exclusive' mode), or null. */
    private readonly shared: Worker | null,
    private readonly onStop?: () => void,
  ) {
    shared?.addEventListener('error', (ev) => {
      ev.preventDefault();
      for (const end of [...this.sharedClients]) end(1, `lost the shared OPFS I/O worker: ${ev.message}`);
    });
  }

  spawnBackend(boot: BackendBoot): WorkerHandle {
    const channel = makeOpfsChannel();
    let io: Worker | null = null;
    if (this.shared === null) {
      io = spawnOpfsIoWorker(`tabgres io ${boot.pid}`);
      io.postMessage({ type: 'init', dataDir: boot.dataDir, mode: this.mode });
      io.postMessage({ type: 'attach', channel });
    } else {
      this.shared.postMessage({ type: 'attach', channel });
    }
    const worker = new Worker(new URL('./backend_browser.ts', import.meta.url), { type: 'module', name: `tabgres ${boot.role ?? 'backend'} ${boot.pid}` });
    const { port1, port2 } = new MessageChannel();
    worker.postMessage({ type: 'boot', boot, channel, port: port2 }, [port2]);
    const api = wrap<BackendApi>(port1);
    let exitCode: number | null = null;
    const listeners: ((code: number) => void)[] = [];
    /** Ends the worker; `why` (for the console, the server log's stand-in) unless the postmaster asked. */
    const end = (code: number, why?: string): void => {
      if (exitCode !== null) return;
      exitCode = code;
      worker.terminate();
      port1.close();
      // Rule 2.
      if (io !== null) io.terminate();
      else {
        this.sharedClients.delete(end);
        this.shared?.postMessage({ type: 'detach', channel });
      }
      if (why !== undefined) console.warn(`tabgres: ${boot.role ?? 'backend'} process ${boot.pid} ${why}`);
      for (const l of listeners.splice(0)) l(code);
    };
    if (io === null) this.sharedClients.add(end);
    else {
      io.addEventListener('message', (ev: MessageEvent) => {
        const m = ev.data as { type?: string; message?: string };
        if (m.type === 'error') end(1, `lost its OPFS I/O worker: ${m.message ?? ''}`);
      });
      io.addEventListener('error', (ev) => {
        ev.preventDefault();
        end(1, `lost its OPFS I/O worker: ${ev.message}`);
      });
    }
    worker.addEventListener('message', (ev: MessageEvent) => {
      const m = ev.data as { type?: string; code?: number };
      const code = typeof m.code === 'number' ? m.code : 1;
      if (m.type === 'exit') end(code, code === 0 ? undefined : `exited with exit code ${code}`);
    });
    worker.addEventListener('error', (ev) => {
      // An uncaught error ends a Node worker with code 1; here the worker would live on, broken.
      ev.preventDefault();
      end(1, `failed: ${ev.message}`);
    });
    return {
      api,
      terminate: async () => end(1),
      onExit(listener: (code: number) => void): void {
        if (exitCode !== null) listener(exitCode);
        else listeners.push(listener);
      },
    };
  }

  makeTempDataDir(): { path: string; remove(): void } {
    if (!this.temporary) throw new Error('platform_browser: makeTempDataDir on an instance with a data directory');
    return { path: this.dataDir, remove: () => this.removeLater() };
  }

  /** After close(): the shared I/O worker ends, then a temporary directory goes. */
  stop(): void {
    this.shared?.terminate();
    this.onStop?.();
  }

  private removeLater(): void {
    this.stop();
    // Ended workers release their sync handles asynchronously: retry a few times.
    const attempt = (n: number): void => {
      removeOpfsDataDir(this.dataDir).catch((e: unknown) => {
        if (n > 0) setTimeout(() => attempt(n - 1), 100);
        else console.warn(`tabgres: could not remove temporary OPFS directory ${this.dataDir}:`, e);
      });
    };
    attempt(10);
  }
}

/** Start rule 1: SharedArrayBuffer exists only on a cross-origin isolated page. */
function checkCrossOriginIsolated(): void {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (!isolated || typeof SharedArrayBuffer === 'undefined') {
    throw new PgError('55000', 'tabgres needs a cross-origin isolated page: SharedArrayBuffer is not available', {
      detail: 'The backends share their buffer pool, WAL and lock table through a SharedArrayBuffer, which browsers provide only when crossOriginIsolated is true.',
      hint: 'Serve the page with the headers "Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp".',
    });
  }
  if (typeof Worker === 'undefined' || typeof navigator === 'undefined' || navigator.storage?.getDirectory === undefined) {
    throw new PgError('0A000', 'this browser has no Origin Private File System (navigator.storage.getDirectory) or no Web Workers');
  }
}

/** The postmaster in a browser, with what it found out about OPFS. */
export async function startBrowserPostmaster(options: BrowserPostmasterOptions = {}): Promise<BrowserPostmaster> {
  checkCrossOriginIsolated();
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? `tabgres-tmp/${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const probe = spawnOpfsIoWorker('tabgres io (shared)');
  let mode: OpfsAccessMode;
  try {
    mode = await initIoWorker(probe, dataDir, options.opfsAccessMode);
  } catch (e) {
    probe.terminate();
    options.onStop?.();
    throw e;
  }
  let shared: Worker | null = probe;
  if (mode === 'readwrite-unsafe') {
    probe.terminate();
    shared = null;
  }
  console.info(`tabgres: OPFS data directory "${dataDir}", files shared by ${mode === 'readwrite-unsafe' ? "'readwrite-unsafe' sync handles (one I/O worker per backend)" : 'one I/O worker serving every backend'}`);
  const platform = new BrowserPlatform(dataDir, temporary, mode, shared, options.onStop);
  const { opfsAccessMode: _mode, onStop: _onStop, ...rest } = options;
  let postmaster: PostmasterCore;
  try {
    postmaster = await PostmasterCore.start(platform, temporary ? rest : { ...rest, dataDir });
  } catch (e) {
    platform.stop();
    throw e;
  }
  return { postmaster, opfsAccessMode: mode, dataDir };
}

export type { PostmasterCore, Session, QueryPromise } from './postmaster.ts';
// The origin's databases (IndexedDB registry, one OPFS folder each): db_registry.ts.
export {
  listDatabases, getDatabase, createDatabase, openDatabase, openBrowserDatabase, deleteDatabase, exportDatabase, importDatabase, storagePersistence,
  databaseDataDir, type DatabaseEntry, type DatabaseSettings, type ListedDatabase, type OpenDatabaseOptions,
} from './db_registry.ts';

/** The postmaster on Web Workers and OPFS, as `Postmaster` is on worker_threads in Node. */
export const Postmaster = {
  async start(options: BrowserPostmasterOptions = {}): Promise<PostmasterCore> {
    return (await startBrowserPostmaster(options)).postmaster;
  },
};
