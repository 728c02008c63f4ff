/*
 * vite.config.ts — the playground's build and dev/preview server.
 *
 * Cross-origin isolation: the backends share a SharedArrayBuffer, which
 * browsers give only to a page served with COOP same-origin and COEP
 * require-corp; both servers (dev and preview) send them. A static host of
 * the production build (dist/) must send the same two headers.
 *
 * Workspace packages resolve to their TypeScript sources (no build step),
 * '@tabgres/opfs-storage' to its browser surface (no node:fs).
 * `vitest` is aliased to a small browser runner only the OPFS conformance
 * page uses (test/browser_vitest.ts).
 */

import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export const crossOriginIsolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here('.'),
  resolve: {
    alias: [
      { find: /^@tabgres\/opfs-storage(\/browser)?$/, replacement: here('../opfs-storage/src/opfs_browser.ts') },
      { find: /^@tabgres\/engine$/, replacement: here('../engine/src/index.ts') },
      { find: /^@tabgres\/worker-host\/browser$/, replacement: here('../worker-host/src/platform_browser.ts') },
      { find: /^vitest$/, replacement: here('test/browser_vitest.ts') },
    ],
  },
  server: { headers: crossOriginIsolationHeaders },
  preview: { headers: crossOriginIsolationHeaders },
  // PGlite (in the speed page's engine worker, bench/engine_worker.ts) uses a direct eval: the notice is noise.
  worker: { format: 'es', rollupOptions: { checks: { eval: false, pluginTimings: false } } },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
    rollupOptions: {
      // The bundler's report of slow plugins is noise in test logs.
      checks: { pluginTimings: false },
      // PGlite imports node:module on a path it takes only in Node; Vite's notice that it stubbed it is noise.
      onLog(level, log, handler) {
        if (/node:module.*externalized for browser compatibility/.test(log.message) && log.message.includes('@electric-sql/pglite')) return;
        handler(level, log);
      },
      input: {
        main: here('index.html'),
        conformance: here('test/opfs-conformance.html'),
        // The speed.html series page bench/opfs.bench.ts drives (not linked from the playground).
        speed: here('bench/speed.html'),
      },
    },
  },
});
