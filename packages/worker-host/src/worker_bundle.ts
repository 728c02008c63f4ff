/*
 * worker_bundle.ts — the backend worker's entry (backend_node.ts and
 * everything it imports: the engine, opfs-storage, comlink) bundled by
 * esbuild into one JavaScript file, built on demand when stale.
 *
 * Exports: workerBundle(), workerSourceDir(), ensureBundle(layout)
 *
 * Why: run from TypeScript through tsx, every worker transpiles the engine
 * again (about 1.6 s of CPU per worker), which is what starting an
 * instance, every multi-backend test and every crash restart cost. The
 * bundle is plain JavaScript that a worker only parses (about 0.45 s), and
 * esbuild inlines const enums across the whole bundle as the benchmarks'
 * bundles do, so workers also run the hot paths the benchmarks measure.
 *
 * Staleness: the bundle is named after a content hash of its inputs. Next
 * to it, manifest.json lists every input file esbuild read for it (its
 * metafile) with the SHA-1 of each; the bundle is current while every
 * listed file still has that hash. A new file can only enter the bundle
 * through an import added to a listed file, whose hash then changes, so
 * the check needs no directory walk. The hashes are read after the build,
 * so a build during which any input was modified is redone (an edit racing
 * the build once left a bundle of the old text under the new hashes).
 * Checking costs about 10 ms (300
 * files, 4 MB), once per process; a rebuild about a second of CPU (two
 * on a loaded machine).
 *
 * Concurrency: vitest runs test files in several processes, each of which
 * may find the bundle stale at once. Each writes its bundle and manifest
 * under temporary names and renames them into place (atomic on one file
 * system); bundles are content-named, so two builders of the same sources
 * write the same bytes, and a worker always loads the file named in the
 * manifest its parent read. Bundles of other contents are removed once
 * they are an hour old (no worker still loading them).
 *
 * The cache lives in node_modules/.cache/tabgres-worker/ at the repository
 * root (node_modules/ is gitignored).
 */

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync, type Metafile } from 'esbuild';

/** Bundles of other contents older than this are deleted after a build. */
const STALE_BUNDLE_AGE_MS = 60 * 60 * 1000;
/** How far up from this module's directory to look for the sources (bundled callers live in bench/out/). */
const SOURCE_SEARCH_DEPTH = 6;

interface Manifest {
  /** The bundle's file name in the cache directory. */
  bundle: string;
  /** Input path (relative to the repository root) → SHA-1 of its content when the bundle was built. */
  inputs: Record<string, string>;
}

let cached: string | null = null;

/**
 * The directory holding backend_node.ts: this module's own when it runs
 * from source (tsx, vitest), otherwise found by walking up from wherever
 * it was bundled into (bench/out/ → packages/worker-host/src).
 */
export function workerSourceDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  if (fs.existsSync(path.join(here, 'backend_node.ts'))) return here;
  let dir = here;
  for (let i = 0; i < SOURCE_SEARCH_DEPTH; i++) {
    const candidate = path.join(dir, 'packages', 'worker-host', 'src');
    if (fs.existsSync(path.join(candidate, 'backend_node.ts'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`backend_node.ts not found above ${here}`);
}

function sha1(file: string): string | null {
  try {
    return createHash('sha1').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return null; // a deleted input makes the bundle stale
  }
}

function readManifest(file: string): Manifest | null {
  try {
    const m: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof m !== 'object' || m === null) return null;
    const { bundle, inputs } = m as Record<string, unknown>;
    if (typeof bundle !== 'string' || typeof inputs !== 'object' || inputs === null) return null;
    return { bundle, inputs: inputs as Record<string, string> };
  } catch {
    return null;
  }
}

function isCurrent(root: string, cacheDir: string, m: Manifest): boolean {
  if (!fs.existsSync(path.join(cacheDir, m.bundle))) return false;
  for (const [rel, hash] of Object.entries(m.inputs)) if (sha1(path.join(root, rel)) !== hash) return false;
  return true;
}

function writeAtomically(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function build(root: string, srcDir: string, cacheDir: string): Manifest {
  // The hashes are taken after esbuild has read the files, so a file edited
  // while it ran would be recorded with text the bundle does not contain.
  // Any input modified since the build began means: build again.
  for (let attempt = 1; ; attempt++) {
    const began = Date.now();
    const result = buildOnce(root, srcDir, cacheDir);
    const touched = Object.keys(result.metafile.inputs).some((rel) => {
      try {
        return fs.statSync(path.resolve(root, rel)).mtimeMs >= began - 5;
      } catch {
        return true; // removed meanwhile
      }
    });
    if (!touched || attempt === 5) return writeBundle(root, cacheDir, result);
  }
}

function buildOnce(root: string, srcDir: string, cacheDir: string): ReturnType<typeof buildSync> & { metafile: Metafile } {
  const result = buildSync({
    entryPoints: [path.join(srcDir, 'backend_node.ts')],
    bundle: true,
    write: false,
    outfile: path.join(cacheDir, 'backend_node.mjs'),
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'external',
    ...(fs.existsSync(path.join(root, 'tsconfig.json')) ? { tsconfig: path.join(root, 'tsconfig.json') } : {}),
    metafile: true,
    absWorkingDir: root, // metafile input paths are relative to it
    logLevel: 'silent',
  });
  if (result.metafile === undefined) throw new Error('esbuild produced no metafile for backend_node.ts');
  return result as ReturnType<typeof buildSync> & { metafile: Metafile };
}

function writeBundle(root: string, cacheDir: string, result: ReturnType<typeof buildSync> & { metafile: Metafile }): Manifest {
  if (result.outputFiles === undefined) throw new Error('esbuild produced no output for backend_node.ts');
  const js = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  if (js === undefined) throw new Error('esbuild produced no bundle for backend_node.ts');
  const inputs: Record<string, string> = {};
  for (const rel of Object.keys(result.metafile.inputs).sort()) {
    const hash = sha1(path.resolve(root, rel));
    if (hash !== null) inputs[rel] = hash;
  }
  const contentHash = createHash('sha1').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
  const bundle = `backend_node-${contentHash}.mjs`;
  const bundlePath = path.join(cacheDir, bundle);
  if (!fs.existsSync(bundlePath)) {
    if (map !== undefined) writeAtomically(`${bundlePath}.map`, map.contents);
    writeAtomically(bundlePath, `${js.text}\n//# sourceMappingURL=${bundle}.map\n`);
  }
  const manifest: Manifest = { bundle, inputs };
  writeAtomically(path.join(cacheDir, 'manifest.json'), JSON.stringify(manifest));
  const now = Date.now();
  for (const f of fs.readdirSync(cacheDir)) {
    if (!f.startsWith('backend_node-') || f.startsWith(bundle)) continue;
    const p = path.join(cacheDir, f);
    try {
      if (now - fs.statSync(p).mtimeMs > STALE_BUNDLE_AGE_MS) fs.rmSync(p, { force: true });
    } catch {
      // another process removed it first
    }
  }
  return manifest;
}

/** Where the sources and the cache are: the repository root, the folder holding backend_node.ts, the cache folder. */
export interface BundleLayout {
  root: string;
  srcDir: string;
  cacheDir: string;
}

/**
 * A current bundle of srcDir/backend_node.ts in cacheDir: the one the
 * manifest names if every input still has its hash, else a new build.
 */
export function ensureBundle(layout: BundleLayout): { path: string; built: boolean } {
  const { root, srcDir, cacheDir } = layout;
  fs.mkdirSync(cacheDir, { recursive: true });
  const m = readManifest(path.join(cacheDir, 'manifest.json'));
  if (m !== null && isCurrent(root, cacheDir, m)) return { path: path.join(cacheDir, m.bundle), built: false };
  return { path: path.join(cacheDir, build(root, srcDir, cacheDir).bundle), built: true };
}

/**
 * The path of a current bundle of backend_node.ts, building it first if
 * the sources changed since the last build. Checked once per process:
 * sources edited while a process runs are picked up by the next process.
 */
export function workerBundle(): string {
  if (cached !== null) return cached;
  const srcDir = workerSourceDir();
  const root = path.resolve(srcDir, '..', '..', '..');
  cached = ensureBundle({ root, srcDir, cacheDir: path.join(root, 'node_modules', '.cache', 'tabgres-worker') }).path;
  return cached;
}
