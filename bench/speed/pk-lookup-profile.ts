/*
 * pk-lookup-profile.ts — a profiling script (not a test, not a benchmark
 * table): opens Database in memory, creates t(id int primary key, v text)
 * with 100,000 rows, then runs 50,000 parameterized primary-key lookups
 * through Database.query('SELECT * FROM t WHERE id = $1', [k]) and prints
 * queries/s. Run on an esbuild bundle (tsx doubles the hot path's cost):
 *
 *   npx esbuild bench/speed/pk-lookup-profile.ts --bundle --platform=node \
 *     --format=esm --target=node20 --outfile=bench/out/pk-lookup-profile.mjs
 *   node --cpu-prof --cpu-prof-dir=bench/out/prof bench/out/pk-lookup-profile.mjs
 *   node bench/profile-summary.mjs bench/out/prof/<file>.cpuprofile 40
 *
 * Options: --rows=N --lookups=N --sync (querySync, no promise per query);
 * --speed runs the speed.html series (workload.ts) on the same database
 * first, as the SQL benchmark does before its lookups (the heap and caches
 * the earlier tests leave behind); --profile=FILE writes a V8 CPU profile of
 * the measured rounds only (through the inspector) to FILE.
 */
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { Database } from '../../packages/engine/src/database.ts';
import { FULL_SIZES, speedTests } from './workload.ts';

const arg = (name: string, dflt: number): number => {
  const a = process.argv.find((s) => s.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
};
const ROWS = arg('rows', 100_000);
const LOOKUPS = arg('lookups', 50_000);
const SYNC = process.argv.includes('--sync');

const db = await Database.open({});
if (process.argv.includes('--speed')) {
  const t0 = performance.now();
  for (const t of speedTests(FULL_SIZES)) for (const sql of t.statements) await db.exec(sql);
  console.log(`speed.html series: ${(performance.now() - t0).toFixed(0)} ms`);
}
await db.exec('CREATE TABLE t (id int PRIMARY KEY, v text)');
const t0 = performance.now();
await db.exec(`INSERT INTO t SELECT g, 'value ' || g FROM generate_series(1, ${ROWS}) g`);
console.log(`load ${ROWS} rows: ${(performance.now() - t0).toFixed(0)} ms`);

// Deterministic pseudo-random keys (xorshift), the same on every run.
const keys = new Int32Array(LOOKUPS);
let s = 0x2545f491;
for (let i = 0; i < LOOKUPS; i++) {
  s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
  keys[i] = ((s >>> 0) % ROWS) + 1;
}

// CPU time as well as wall time: on a shared machine the wall-clock rate
// follows the load, the CPU microseconds per query much less.
const cpuPerQuery: number[] = [];
// Garbage-collection pauses during the rounds (minor = scavenges, major =
// mark-sweep-compact), from perf_hooks' 'gc' entries.
const gcMs = { minor: 0, major: 0, other: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = ((e as PerformanceEntry & { detail?: { kind?: number } }).detail)?.kind;
    if (kind === 1) gcMs.minor += e.duration;
    else if (kind === 2 || kind === 4) gcMs.major += e.duration;
    else gcMs.other += e.duration;
  }
}).observe({ entryTypes: ['gc'] });
async function round(n: number): Promise<number> {
  let found = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const r = SYNC ? db.querySync('SELECT * FROM t WHERE id = $1', [keys[i]]) : await db.query('SELECT * FROM t WHERE id = $1', [keys[i]]);
    found += r.rows.length;
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  cpuPerQuery.push((cpu.user + cpu.system) / n);
  if (found !== n) throw new Error(`found ${found} of ${n}`);
  return (n / ms) * 1000;
}

await round(Math.min(5000, LOOKUPS)); // warm-up
await new Promise((r) => setTimeout(r, 0));
gcMs.minor = gcMs.major = gcMs.other = 0;
cpuPerQuery.length = 0;
const profileFile = process.argv.find((a) => a.startsWith('--profile='))?.slice('--profile='.length);
const session = profileFile === undefined ? null : new inspector.Session();
if (session !== null) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
}
const rates: number[] = [];
for (let r = 0; r < 3; r++) rates.push(await round(LOOKUPS));
if (session !== null) {
  const { profile } = await session.post('Profiler.stop');
  fs.writeFileSync(profileFile!, JSON.stringify(profile));
}
rates.sort((a, b) => a - b);
console.log(`PK lookups (${SYNC ? 'querySync' : 'query'}): ${rates.map((x) => x.toFixed(0)).join(' / ')} q/s, median ${rates[1].toFixed(0)} q/s; CPU ${cpuPerQuery.map((x) => x.toFixed(1)).join(' / ')} µs/query (best ${(1e6 / Math.min(...cpuPerQuery)).toFixed(0)} q/s of CPU)`);
await new Promise((r) => setTimeout(r, 0));
const heap = process.memoryUsage();
console.log(`GC during the 3 rounds: minor ${gcMs.minor.toFixed(0)} ms, major ${gcMs.major.toFixed(0)} ms, other ${gcMs.other.toFixed(0)} ms; ` +
  `heap used ${(heap.heapUsed / 1e6).toFixed(0)} MB of ${(heap.heapTotal / 1e6).toFixed(0)} MB, external ${(heap.external / 1e6).toFixed(0)} MB`);
await db.close();
