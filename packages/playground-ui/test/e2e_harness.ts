/*
 * e2e_harness.ts — what the Chromium end-to-end tests share: the
 * playground built once (Vite) and served by Vite's preview server (with
 * the COOP/COEP headers), and Debian's Chromium driven by playwright-core.
 *
 * Chromium: /usr/bin/chromium (Debian's package `chromium`, installed by
 * scripts/ensure-chromium.mjs, which `npm test` runs first). Every launch
 * gets a fresh profile folder unless it is given one (a relaunch of the
 * same profile keeps OPFS, as a user's browser does).
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';

export const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--disable-gpu',
  // Containers often have a small /dev/shm; Chromium then crashes without this.
  '--disable-dev-shm-usage',
];

/**
 * Builds the playground into a temporary folder (so a running
 * `npm run playground` keeps its dist/) and serves it; returns its base
 * URL, the folder, and how to stop.
 */
export async function servePlayground(): Promise<{ url: string; dist: string; close(): Promise<void> }> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run "node scripts/ensure-chromium.mjs" (npm test does) to install Debian's chromium`);
  }
  const configFile = path.join(root, 'vite.config.ts');
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-playground-'));
  await build({ configFile, root, logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
  const server: PreviewServer = await preview({
    configFile, root, logLevel: 'warn', build: { outDir: dist }, preview: { port: 0, host: '127.0.0.1', strictPort: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview has no URL');
  return {
    url,
    dist,
    close: async () => {
      await server.close();
      fs.rmSync(dist, { recursive: true, force: true });
    },
  };
}

/** A fresh profile folder (removed by the caller's cleanup). */
export function makeProfileDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-chromium-'));
}

/** Chromium on a profile folder (persistent, so a relaunch on the same folder finds its OPFS). */
export async function launch(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}
