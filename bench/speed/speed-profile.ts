/*
 * speed-profile.ts — a profiling script (not a test, not the benchmark
 * table): runs the speed.html series (workload.ts) on tabgres and PGlite,
 * each test timed by wall and CPU clock, and prints tabgres/PGlite ratios
 * from the same run. With --profile=ID,ID the listed tests of tabgres run
 * under the V8 inspector's CPU profiler (100 µs sampling) and each profile
 * is written to bench/out/prof/speed-<id>.cpuprofile (summarize with
 * bench/profile-summary.mjs; starting the in-process profiler shows up as a
 * "dispatch" frame of its own, not the engine's). --explain=ID,ID runs the
 * DML / SELECT statements of those tests as EXPLAIN (ANALYZE, VERBOSE) and
 * prints the plans (the statements' effects stay). Run on an esbuild bundle:
 *
 *   npx esbuild bench/speed/speed-profile.ts --bundle --platform=node \
 *     --format=esm --target=node20 --external:@electric-sql/pglite \
 *     --external:sql.js --outfile=bench/out/speed-profile.mjs
 *   node bench/out/speed-profile.mjs --profile=11,13 [--only=tabgres] [--quick] [--upto=14]
 */
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Database } from '../../packages/engine/src/database.ts';
import { startTiming, type Timing } from '../measure.ts';
import { FULL_SIZES, QUICK_SIZES, speedTests } from './workload.ts';

type Key = 'tabgres' | 'pglite';
interface Runner {
  run(sql: string): Promise<void>;
  explain(sql: string): Promise<string>;
  close(): Promise<void>;
}

const args = process.argv.slice(2);
const argValue = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const idSet = (name: string): Set<number> => new Set((argValue(name) ?? '').split(',').filter((s) => s !== '').map(Number));
const PROFILE = idSet('profile');
const EXPLAIN = idSet('explain');
const ENGINES = (argValue('only') ?? 'tabgres,pglite').split(',') as Key[];
const UPTO = Number(argValue('upto') ?? 16);
const tests = speedTests(args.includes('--quick') ? QUICK_SIZES : FULL_SIZES).filter((t) => t.id <= UPTO);

async function open(k: Key): Promise<Runner> {
  if (k === 'tabgres') {
    // --sb=N: shared_buffers in pages (default: the engine's default).
    const sb = argValue('sb');
    const db = await Database.open(sb === undefined ? {} : { sharedBuffers: Number(sb) });
    return {
      run: async (sql) => void (await db.exec(sql)),
      explain: async (sql) => (await db.query(sql)).rows.map((r) => Object.values(r)[0]).join('\n'),
      close: () => db.close(),
    };
  }
  const pg = await PGlite.create();
  return {
    run: async (sql) => void (await pg.exec(sql)),
    explain: async (sql) => (await pg.query(sql)).rows.map((r) => Object.values(r as object)[0]).join('\n'),
    close: () => pg.close(),
  };
}

const session = new inspector.Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });

const results = new Map<Key, Timing[]>();
for (const k of ENGINES) {
  const e = await open(k);
  const times: Timing[] = [];
  for (const t of tests) {
    // Profiled per statement when a test has few (speed-<id>-<n>.cpuprofile), else as a whole.
    const prof = k === 'tabgres' && PROFILE.has(t.id);
    const perStatement = prof && t.statements.length <= 4;
    const dir = path.join(process.cwd(), 'bench', 'out', 'prof');
    const save = async (name: string): Promise<void> => {
      const { profile } = await session.post('Profiler.stop');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    };
    if (args.includes('--mark')) console.log(`=== test ${t.id} start`);
    if (prof && !perStatement) await session.post('Profiler.start');
    let total: Timing = { wallMs: 0, cpuMs: 0 };
    for (let n = 0; n < t.statements.length; n++) {
      const s = t.statements[n];
      if (perStatement) await session.post('Profiler.start');
      const stop = startTiming();
      if (EXPLAIN.has(t.id) && /^(INSERT|UPDATE|DELETE|SELECT)/.test(s)) {
        console.log(`${k} test ${t.id}: ${s}\n${await e.explain(`EXPLAIN (ANALYZE, VERBOSE) ${s}`)}`);
      } else await e.run(s);
      const d = stop();
      total = { wallMs: total.wallMs + d.wallMs, cpuMs: total.cpuMs + d.cpuMs };
      if (perStatement) await save(`speed-${t.id}-${n}`);
    }
    times.push(total);
    if (prof && !perStatement) await save(`speed-${t.id}`);
  }
  results.set(k, times);
  await e.close();
}

const tg = results.get('tabgres');
const pg = results.get('pglite');
for (let i = 0; i < tests.length; i++) {
  const a = tg?.[i];
  const b = pg?.[i];
  const cell = (x: Timing | undefined): string => (x === undefined ? '-' : `${x.wallMs.toFixed(0)}ms/cpu ${x.cpuMs.toFixed(0)}ms`);
  const ratio = a !== undefined && b !== undefined ? `  ratio cpu ${(a.cpuMs / b.cpuMs).toFixed(2)} wall ${(a.wallMs / b.wallMs).toFixed(2)}` : '';
  console.log(`${String(tests[i].id).padStart(2)}. ${tests[i].name.padEnd(44)} tabgres ${cell(a)}  pglite ${cell(b)}${ratio}`);
}
