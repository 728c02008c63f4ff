/*
 * opfs_conformance_page.ts — runs opfs-storage's conformance suite
 * (conformance.ts) against OpfsDirectory in this browser: an OPFS I/O
 * worker serves a scratch folder, a runner worker (where Atomics.wait is
 * allowed) runs the suite over its channel. ?mode=exclusive forces the
 * one-shared-I/O-worker way; otherwise the mode is detected.
 * The result lands in window.conformance (and the page's text).
 */

import { makeOpfsChannel, removeOpfsDataDir, spawnOpfsIoWorker, type OpfsAccessMode } from '@tabgres/opfs-storage/browser';
import type { CaseResult } from './browser_vitest.ts';

declare global {
  interface Window {
    conformance: Promise<{ mode: OpfsAccessMode; results: CaseResult[] }>;
  }
}

const forced = new URLSearchParams(location.search).get('mode') as OpfsAccessMode | null;
const folder = `tabgres-conformance/${Date.now().toString(36)}`;

window.conformance = (async () => {
  const io = spawnOpfsIoWorker();
  const mode = await new Promise<OpfsAccessMode>((resolve, reject) => {
    io.onmessage = (ev: MessageEvent) => {
      const m = ev.data as { type: string; mode: OpfsAccessMode; message: string };
      if (m.type === 'ready') resolve(m.mode);
      else reject(new Error(m.message));
    };
    io.postMessage({ type: 'init', dataDir: folder, ...(forced !== null ? { mode: forced } : {}) });
  });
  const channel = makeOpfsChannel();
  io.postMessage({ type: 'attach', channel });
  const runner = new Worker(new URL('./opfs_conformance_worker.ts', import.meta.url), { type: 'module' });
  const results = await new Promise<CaseResult[]>((resolve, reject) => {
    runner.onmessage = (ev: MessageEvent) => resolve(ev.data as CaseResult[]);
    runner.onerror = (ev) => reject(new Error(ev.message));
    runner.postMessage({ channel });
  });
  runner.terminate();
  io.terminate();
  await removeOpfsDataDir(folder).catch(() => undefined);
  (document.getElementById('out') as HTMLElement).textContent =
    `mode ${mode}\n` + results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.error !== undefined ? `: ${r.error}` : ''}`).join('\n');
  return { mode, results };
})();
