/*
 * worker_bundle.ts on a tiny project in a temporary folder: the first call
 * builds, a second finds the bundle current, an edit to any input (an
 * imported file too) makes a new content-named bundle, a deleted bundle is
 * rebuilt, and the bundle runs as a worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ensureBundle, type BundleLayout } from './worker_bundle.ts';

let layout: BundleLayout;

beforeAll(() => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-bundle-'));
  const srcDir = path.join(root, 'src');
  fs.mkdirSync(srcDir);
  fs.writeFileSync(path.join(srcDir, 'dep.ts'), 'export const enum Answer { Value = 41 }\nexport function plus(n: number): number { return n + 1; }\n');
  fs.writeFileSync(path.join(srcDir, 'backend_node.ts'), [
    "import { parentPort } from 'node:worker_threads';",
    "import { Answer, plus } from './dep.ts';",
    'parentPort?.postMessage(plus(Answer.Value));',
    '',
  ].join('\n'));
  layout = { root, srcDir, cacheDir: path.join(root, 'cache') };
});

afterAll(() => {
  fs.rmSync(layout.root, { recursive: true, force: true });
});

function run(bundle: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const w = new Worker(bundle, { execArgv: [] });
    w.once('message', (m) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

describe('the worker bundle', () => {
  it('is built once, then found current; it runs as a worker', async () => {
    const first = ensureBundle(layout);
    expect(first.built).toBe(true);
    expect(path.basename(first.path)).toMatch(/^backend_node-[0-9a-f]{16}\.mjs$/);
    const manifest = JSON.parse(fs.readFileSync(path.join(layout.cacheDir, 'manifest.json'), 'utf8')) as { inputs: Record<string, string> };
    expect(Object.keys(manifest.inputs).sort()).toEqual(['src/backend_node.ts', 'src/dep.ts']);
    const again = ensureBundle(layout);
    expect(again).toEqual({ path: first.path, built: false });
    expect(await run(first.path)).toBe(42);
  });

  it('is rebuilt, under a new name, when an imported file changes; the old bundle stays for workers loading it', async () => {
    const before = ensureBundle(layout).path;
    fs.writeFileSync(path.join(layout.srcDir, 'dep.ts'), 'export const enum Answer { Value = 99 }\nexport function plus(n: number): number { return n + 1; }\n');
    const after = ensureBundle(layout);
    expect(after.built).toBe(true);
    expect(after.path).not.toBe(before);
    expect(fs.existsSync(before)).toBe(true);
    expect(await run(after.path)).toBe(100);
    expect(ensureBundle(layout).built).toBe(false);
  });

  it('is rebuilt when the bundle file is gone', () => {
    const current = ensureBundle(layout).path;
    fs.rmSync(current);
    const again = ensureBundle(layout);
    expect(again.built).toBe(true);
    expect(again.path).toBe(current); // same inputs, same name
    expect(fs.existsSync(current)).toBe(true);
  });
});
