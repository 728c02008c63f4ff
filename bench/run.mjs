// run.mjs — bundles bench/storage.bench.ts, bench/sql.bench.ts and
// bench/postmaster.bench.ts with esbuild
// and runs the bundles with plain node (`npm run bench`).
//
// Why a bundle and not tsx: under tsx every module boundary costs on the hot
// path (const enums imported from another module are not inlined, and
// imports are read through getters). esbuild inlines const enums across the
// whole bundle, so the numbers measure the engine and not the loader.
//
// PGlite and sql.js stay external: both load their .wasm files relative to
// their own module, which a bundle would break.
//
// Usage:
//   node bench/run.mjs               bundle, then run
//   node bench/run.mjs --profile     also write a V8 CPU profile (.cpuprofile)
//                                    to bench/out/prof/
//   node bench/run.mjs --storage     only the storage benchmark (storage.bench.ts)
//   node bench/run.mjs --sql         only the SQL benchmark (sql.bench.ts: speed.html,
//                                    lookups, COUNT/SUM, join, cold start);
//   node bench/run.mjs --postmaster  only the postmaster benchmark (postmaster.bench.ts:
//                                    worker start, point queries on 1/2/4 backends,
//                                    TPC-B-like, group commit, PGlite beside);
//                                    the default runs all three, in that order
//   anything else is passed on to the benchmark(s) (see storage.bench.ts,
//   sql.bench.ts; both take --quick).
//   node bench/run.mjs --browser     only the Chromium benchmark instead
//                                    (packages/playground-ui/bench/opfs.bench.ts, run
//                                    with tsx: start and commit on OPFS, the speed.html
//                                    series on OPFS / in memory / PGlite); never part of
//                                    the default run (it needs /usr/bin/chromium)

import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

// The browser benchmark builds its own page with Vite; nothing to bundle here.
if (process.argv.includes('--browser')) {
  const rest = process.argv.slice(2).filter((a) => a !== '--browser');
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  const result = spawnSync(tsx, [path.join(root, 'packages', 'playground-ui', 'bench', 'opfs.bench.ts'), ...rest], { stdio: 'inherit', cwd: root });
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}
const outfile = path.join(here, 'out', 'storage.bench.mjs');

await build({
  entryPoints: [path.join(here, 'storage.bench.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  tsconfig: path.join(root, 'tsconfig.json'),
  external: ['@electric-sql/pglite', 'sql.js'],
  logLevel: 'warning',
});

// The SQL benchmark and the cold-start scripts it runs as fresh processes
// (bench/out/cold-<engine>.mjs), bundled the same way.
const sqlEntries = { 'sql.bench': 'sql.bench.ts', 'cold-tabgres': 'speed/cold/tabgres.ts', 'cold-pglite': 'speed/cold/pglite.ts', 'cold-sqljs': 'speed/cold/sqljs.ts' };
await build({
  entryPoints: Object.fromEntries(Object.entries(sqlEntries).map(([out, src]) => [out, path.join(here, src)])),
  outdir: path.join(here, 'out'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  tsconfig: path.join(root, 'tsconfig.json'),
  external: ['@electric-sql/pglite', 'sql.js'],
  logLevel: 'warning',
});

// The postmaster benchmark's main thread. Its workers run their own bundle
// (packages/worker-host/src/worker_bundle.ts builds it), which it finds by
// walking up from bench/out/ to the sources; esbuild stays external for that.
await build({
  entryPoints: [path.join(here, 'postmaster.bench.ts')],
  outfile: path.join(here, 'out', 'postmaster.bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  tsconfig: path.join(root, 'tsconfig.json'),
  external: ['@electric-sql/pglite', 'sql.js', 'esbuild'],
  logLevel: 'warning',
});

const args = process.argv.slice(2);
const profile = args.includes('--profile');
// No --expose-gc: forcing a full GC between rounds makes V8 throw away the
// scan's optimized code ("weak objects" deopts), and the scan then measures
// 3× slower than it runs in steady state.
const nodeFlags = [];
if (profile) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${path.join(here, 'out', 'prof')}`);
const benchArgs = args.filter((a) => a !== '--profile' && a !== '--sql' && a !== '--storage' && a !== '--postmaster');
const chosen = ['--storage', '--sql', '--postmaster'].filter((a) => args.includes(a));
const wanted = (flag) => chosen.length === 0 || chosen.includes(flag);
const suites = [];
if (wanted('--storage')) suites.push(outfile);
if (wanted('--sql')) suites.push(path.join(here, 'out', 'sql.bench.mjs'));
if (wanted('--postmaster')) suites.push(path.join(here, 'out', 'postmaster.bench.mjs'));

let status = 0;
for (const bundle of suites) {
  const result = spawnSync(process.execPath, [...nodeFlags, bundle, ...benchArgs], { stdio: 'inherit', cwd: root });
  if (result.error) throw result.error;
  if ((result.status ?? 1) !== 0) status = result.status ?? 1;
}
process.exit(status);
