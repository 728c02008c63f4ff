/*
 * cold/tabgres-phases.ts — a profiling aid beside cold/tabgres.ts (not run
 * by the benchmark): one cold start split into its phases, milliseconds
 * since the process started at each: module evaluated, Database.open done,
 * SELECT 1 answered (and the process's CPU milliseconds at each, which a
 * loaded machine disturbs less than the wall clock). Bundle it as run.mjs bundles cold/tabgres.ts:
 *
 *   npx esbuild bench/speed/cold/tabgres-phases.ts --bundle --platform=node \
 *     --format=esm --target=node20 --outfile=bench/out/cold-tabgres-phases.mjs
 *   node bench/out/cold-tabgres-phases.mjs
 */

import { performance } from 'node:perf_hooks';

const cpu = (): number => {
  const u = process.cpuUsage();
  return +((u.user + u.system) / 1000).toFixed(1);
};
const t0 = performance.now();
const c0 = cpu();
const { Database } = await import('../../../packages/engine/src/database.ts');
const tImport = performance.now();
const cImport = cpu();
const db = await Database.open();
const tOpen = performance.now();
const cOpen = cpu();
const r = await db.query<{ x: number }>('SELECT 1 AS x');
const tSelect = performance.now();
const cSelect = cpu();
if (r.rows[0]?.x !== 1) throw new Error('SELECT 1 did not answer 1');
process.stdout.write(`${JSON.stringify({ start: +t0.toFixed(1), imported: +tImport.toFixed(1), opened: +tOpen.toFixed(1), selected: +tSelect.toFixed(1), cpu: [c0, cImport, cOpen, cSelect] })}\n`);
await db.close();
