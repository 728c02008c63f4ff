/*
 * platform.ts — what the postmaster needs from its platform, as an
 * interface: Node's worker_threads (platform_node.ts), Web Workers and
 * OPFS (platform_browser.ts). Types only.
 */

import type { Remote } from 'comlink';
import type { BackendApi, BackendBoot } from './protocol.ts';

/** One running backend worker, as the postmaster sees it. */
export interface WorkerHandle {
  /** The backend's API through comlink. */
  readonly api: Remote<BackendApi>;
  /** Ends the thread now (SIGKILL's equivalent); the exit listener still runs. */
  terminate(): Promise<void>;
  /** Called once when the thread has ended, for any reason. */
  onExit(listener: (code: number) => void): void;
}

export interface Platform {
  /** Starts a backend worker (its entry file is the platform's). */
  spawnBackend(boot: BackendBoot): WorkerHandle;
  /** A fresh private data directory for an instance without dataDir, and how to remove it. */
  makeTempDataDir(): { path: string; remove(): void };
  /** After close(): releases what the platform keeps for the instance (the browser's shared OPFS I/O worker). */
  stop?(): void;
}
