/*
 * opfs_io_worker.ts — the entry of an OPFS I/O worker (a module Web
 * Worker): one OpfsIoServer over one data directory (opfs_server.ts).
 *
 * Messages from its owner (worker-host's platform_browser.ts):
 *   { type: 'init', dataDir, mode? }  open (create) the data directory;
 *                                     without mode, detect it; replies
 *                                     { type: 'ready', mode } or { type: 'error', message }
 *   { type: 'attach', channel }       serve a backend's channel (opfs.ts)
 *   { type: 'detach', channel }       stop serving it, close its files
 */

import { OpfsIoServer, detectOpfsAccessMode, openOpfsDataDir, type OpfsAccessMode } from './opfs_server.ts';

interface WorkerScope {
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(msg: unknown): void;
}

const scope = self as unknown as WorkerScope;
let server: OpfsIoServer | null = null;
const early: SharedArrayBuffer[] = [];

scope.onmessage = (ev: MessageEvent): void => {
  const msg = ev.data as { type: string; dataDir?: string; mode?: OpfsAccessMode; channel?: SharedArrayBuffer };
  if (msg.type === 'init') {
    void (async () => {
      try {
        const root = await openOpfsDataDir(msg.dataDir ?? '');
        const mode = msg.mode ?? (await detectOpfsAccessMode(root));
        // The servers of one data directory find each other by its name (opfs_server.ts rule 6).
        server = new OpfsIoServer(root, mode, `tabgres-opfs:${msg.dataDir ?? ''}`);
        for (const ch of early.splice(0)) server.attach(ch);
        scope.postMessage({ type: 'ready', mode });
      } catch (e) {
        scope.postMessage({ type: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      }
    })();
  } else if (msg.type === 'attach' && msg.channel !== undefined) {
    // A backend may be attached before init finished: its requests wait in the channel.
    if (server === null) early.push(msg.channel);
    else server.attach(msg.channel);
  } else if (msg.type === 'detach' && msg.channel !== undefined) {
    const i = early.indexOf(msg.channel);
    if (i >= 0) early.splice(i, 1);
    server?.detach(msg.channel);
  }
};
