/*
 * backend_browser.ts — a backend worker's entry in the browser (a module
 * Web Worker started by platform_browser.ts): the platform half of
 * backend.ts, as backend_node.ts is in Node.
 *
 * Its first message is { type: 'boot', boot, channel, port }: the
 * BackendBoot, the SharedArrayBuffer channel to its OPFS I/O worker (the
 * data directory's files, opfs.ts) and the MessagePort comlink runs on
 * (a port of its own, so the worker's own postMessage stays free for
 * { type: 'exit', code }, which stands for process.exit: a Web Worker
 * cannot end itself in a way its parent sees).
 */

import { expose } from 'comlink';
import { OpfsDirectory } from '@tabgres/opfs-storage/browser';
import { isBackendBoot } from './protocol.ts';
import { makeAuxiliaryApi, makeBackendApi } from './backend.ts';

interface WorkerScope {
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(msg: unknown): void;
  close(): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (ev: MessageEvent): void => {
  const msg = ev.data as { type?: string; boot?: unknown; channel?: unknown; port?: MessagePort };
  if (msg.type !== 'boot') return;
  if (!isBackendBoot(msg.boot) || !(msg.channel instanceof SharedArrayBuffer) || msg.port === undefined) {
    throw new Error('backend_browser.ts: malformed boot message');
  }
  scope.onmessage = null;
  const boot = msg.boot;
  const dir = new OpfsDirectory(msg.channel);
  const exit = (code: number): void => {
    scope.postMessage({ type: 'exit', code });
    scope.close();
  };
  const role = boot.role ?? 'backend';
  expose(role === 'backend' ? makeBackendApi(boot, dir, exit) : makeAuxiliaryApi(boot, dir, exit), msg.port);
};
