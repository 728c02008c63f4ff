/*
 * sql.bench.ts — the SQL benchmark (issue 4): the same SQL on tabgres
 * (Database.open() in memory), PGlite in memory and sql.js, in one run
 * (`npm run bench`, or `node bench/run.mjs --sql` for this part alone;
 * run.mjs bundles it with esbuild first).
 *
 * What it measures:
 *   speed.html   sqlite.org/speed.html's 16 tests (speed/workload.ts), ms
 *                per test per engine; goal: tabgres no slower than PGlite
 *   lookups      SELECT v FROM kv WHERE k = $1 in a loop over random keys
 *                of a primary key, queries/s; goal >= 40,000/s
 *   COUNT / SUM  SELECT count(*) / sum(a) over 1,000,000 rows, rows/s
 *   join         100,000 x 10,000 rows joined, GROUP BY, ms
 *   cold start   a fresh Node process per start (speed/cold/*.ts): import,
 *                open an empty in-memory database, SELECT 1; the median of
 *                5 processes; goal: no slower than sql.js
 *
 * The engines take turns test by test (tabgres, PGlite, sql.js), so a
 * burst of load from elsewhere on the machine lands on all of them alike.
 * A statement that fails does not stop the run: its cell reads
 * "error: <message>". A statement loop that runs past its time budget is
 * cut short (the rest of its statements skipped, a trailing COMMIT still
 * sent) and its cell reads "> N ms (k/n)". Every statement's result feeds
 * a checksum; checksums that differ between engines are listed under the
 * table (a wrong answer is worse than a slow one).
 *
 * Options: --quick (smaller sizes, for development); --tests=speed,lookup,
 * scan,join,cold (default all); --engines=tabgres,pglite,sqljs;
 * --budget=SECONDS (per statement loop per engine; default 60, quick 30).
 */

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Prng } from '@tabgres/opfs-storage';
import { median, startTiming } from './measure.ts';
import { ENGINE_KEYS, ENGINE_NAMES, openEngine, type EngineKey, type SqlEngine } from './speed/systems.ts';
import { SqlTable, type Cell, type SqlRow } from './speed/table.ts';
import { FULL_SIZES, QUICK_SIZES, speedTests } from './speed/workload.ts';
import { numberName } from './speed/words.ts';

// ------------------------------------------------------------------ settings

const args = process.argv.slice(2);
const argValue = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const QUICK = args.includes('--quick');
const ONLY = new Set((argValue('tests') ?? 'speed,lookup,scan,join,cold').split(','));
const ENGINES = (argValue('engines')?.split(',') ?? ENGINE_KEYS).filter((k): k is EngineKey => (ENGINE_KEYS as readonly string[]).includes(k));
const BUDGET_MS = Number(argValue('budget') ?? (QUICK ? 30 : 60)) * 1000;

const SIZES = QUICK ? QUICK_SIZES : FULL_SIZES;
/** Rows of the primary-key table and lookups per round. */
const KV_ROWS = QUICK ? 10_000 : 100_000;
const LOOKUPS = QUICK ? 2_000 : 20_000;
/** Time budget of one round of lookups. */
const LOOKUP_BUDGET_MS = QUICK ? 2_000 : 8_000;
/** Rows of the COUNT / SUM table. */
const SCAN_ROWS = QUICK ? 100_000 : 1_000_000;
const JOIN_FACT = QUICK ? 10_000 : 100_000;
const JOIN_DIM = QUICK ? 1_000 : 10_000;
const ROUNDS = 3;
const COLD_STARTS = QUICK ? 3 : 5;

/** Where the goals come from: issue 4, "What it must show". */
const GOAL_LOOKUPS_PER_S = 40_000;

const here = path.dirname(fileURLToPath(import.meta.url));
/** run.mjs writes the bundles to bench/out; this file runs from there, or from bench/ under tsx. */
const outDir = path.basename(here) === 'out' ? here : path.join(here, 'out');

const benchStart = performance.now();
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ');

// The data's spelling must be speed.html's (its examples).
for (const [n, words] of [[13153, 'thirteen thousand one hundred fifty three'], [59672, 'fifty nine thousand six hundred seventy two'],
  [24, 'twenty four'], [10719, 'ten thousand seven hundred nineteen'], [0, 'zero'], [100000, 'one hundred thousand']] as const) {
  if (numberName(n) !== words) throw new Error(`numberName(${n}) = "${numberName(n)}", expected "${words}"`);
}

// ------------------------------------------------------------------ engines

const table = new SqlTable();
const engines = new Map<EngineKey, SqlEngine>();
const openErrors = new Map<EngineKey, string>();

for (const k of ENGINES) {
  const stop = startTiming();
  try {
    engines.set(k, await openEngine(k));
    log(`opened ${ENGINE_NAMES[k]} in ${stop().wallMs.toFixed(0)} ms`);
  } catch (e) {
    openErrors.set(k, `open: ${message(e)}`);
    log(`${ENGINE_NAMES[k]} failed to open: ${message(e)}`);
  }
}

/** Runs fn on every engine in turn, each result (or error) in its cell. */
async function eachEngine(row: SqlRow, fn: (e: SqlEngine) => Promise<Cell>): Promise<void> {
  for (const k of ENGINES) {
    const e = engines.get(k);
    if (e === undefined) {
      row.cells[k] = { error: openErrors.get(k) ?? 'not open' };
      continue;
    }
    try {
      row.cells[k] = await fn(e);
    } catch (err) {
      row.cells[k] = { error: message(err) };
      await e.recover();
    }
  }
}

/** Checksums per engine for one row; listed under the table when they differ. */
function compareChecksums(label: string, sums: Partial<Record<EngineKey, number>>): void {
  const got = Object.entries(sums) as [EngineKey, number][];
  if (got.length > 1 && got.some(([, s]) => s !== got[0][1])) {
    table.note(`${label}: results differ: ${got.map(([k, s]) => `${ENGINE_NAMES[k]} ${s}`).join(', ')}`);
  }
}

// ------------------------------------------------------------------ speed.html

async function speedSeries(): Promise<void> {
  const tests = speedTests(SIZES);
  log(`speed.html series: ${tests.length} tests, ${tests.reduce((s, t) => s + t.statements.length, 0).toLocaleString('en-US')} statements per engine`);
  for (const t of tests) {
    const row = table.add({ label: `${t.id}. ${t.name}`, unit: 'ms', goal: { kind: 'notSlowerThan', than: 'pglite' }, cells: {} });
    const sums: Partial<Record<EngineKey, number>> = {};
    await eachEngine(row, async (e) => {
      const stmts = t.statements;
      const lastIsCommit = stmts[stmts.length - 1] === 'COMMIT';
      let sum = 0;
      let done = 0;
      let cut = false;
      const stop = startTiming();
      const t0 = performance.now();
      for (let i = 0; i < stmts.length; i++) {
        if (!cut && performance.now() - t0 > BUDGET_MS && i < stmts.length - 1) {
          // Out of time: skip to the end, still closing the transaction block.
          cut = true;
          done = i;
          if (lastIsCommit) i = stmts.length - 1;
          else break;
        }
        try {
          sum += await e.run(stmts[i]);
        } catch (err) {
          throw new Error(`${message(err)} (statement ${i + 1}: ${stmts[i].slice(0, 80)})`, { cause: err });
        }
      }
      const ms = stop().wallMs;
      if (cut) return { value: ms, partial: `${done}/${stmts.length}` };
      sums[e.key] = sum;
      return { value: ms };
    });
    compareChecksums(`test ${t.id}`, sums);
    log(`  ${row.label}: ${ENGINES.map((k) => `${ENGINE_NAMES[k]} ${cellText(row.cells[k])}`).join(', ')}`);
  }
}

function cellText(c: Cell | undefined): string {
  if (c === undefined) return '—';
  if ('error' in c) return `error: ${c.error}`;
  return `${c.value.toFixed(1)}${c.partial !== undefined ? ` (cut at ${c.partial})` : ''}`;
}

// ------------------------------------------------------------------ the rest

/** Fills a table on every engine (untimed, but the time is noted); errors land in `rows`' cells later. */
async function load(what: string, ddl: string[], fills: { table: string; rows: number; list: string }[]): Promise<Map<EngineKey, string>> {
  const failed = new Map<EngineKey, string>();
  const times: string[] = [];
  for (const [k, e] of engines) {
    const stop = startTiming();
    try {
      for (const sql of ddl) await e.run(sql);
      for (const f of fills) await e.run(e.fillSql(f.table, f.rows, f.list));
      times.push(`${ENGINE_NAMES[k]} ${stop().wallMs.toFixed(0)} ms`);
    } catch (err) {
      failed.set(k, `load: ${message(err)}`);
      await e.recover();
    }
  }
  table.note(`${what} loaded with INSERT ... SELECT over a series (untimed in the table): ${times.join(', ')}`);
  return failed;
}

/** Rounds of fn on each engine in turn (tabgres, PGlite, sql.js, tabgres, ...) after one warm-up; the median ms per engine. */
async function rounds(rows: SqlRow[], failed: Map<EngineKey, string>, want: number,
  fn: (e: SqlEngine, warm: boolean) => Promise<number>, toCell: (ms: number, k: EngineKey) => Cell): Promise<void> {
  const times = new Map<EngineKey, number[]>();
  const sums: Partial<Record<EngineKey, number>> = {};
  const errors = new Map<EngineKey, string>(failed);
  for (const k of ENGINES) if (!engines.has(k)) errors.set(k, openErrors.get(k) ?? 'not open');
  for (let r = -1; r < ROUNDS; r++) {
    for (const [k, e] of engines) {
      if (errors.has(k)) continue;
      try {
        const stop = startTiming();
        const sum = await fn(e, r < 0);
        const ms = stop().wallMs;
        if (r >= 0) (times.get(k) ?? times.set(k, []).get(k)!).push(ms);
        sums[k] = sum;
      } catch (err) {
        errors.set(k, message(err));
        await e.recover();
      }
    }
  }
  for (const row of rows) {
    for (const k of ENGINES) {
      const err = errors.get(k);
      row.cells[k] = err !== undefined ? { error: err } : toCell(median(times.get(k)!), k);
    }
  }
  for (const [k, s] of Object.entries(sums) as [EngineKey, number][]) {
    if (s !== want) table.note(`${rows[0].label}: ${ENGINE_NAMES[k]} answered ${s}, expected ${want}`);
  }
}

async function lookups(): Promise<void> {
  const row = table.add({ label: `PK lookup, $1 param (${KV_ROWS.toLocaleString('en-US')} rows)`, unit: 'q/s',
    goal: { kind: 'atLeast', value: GOAL_LOOKUPS_PER_S }, cells: {} });
  const failed = await load('kv', ['CREATE TABLE kv (k INTEGER PRIMARY KEY, v INTEGER)'], [{ table: 'kv', rows: KV_ROWS, list: 'g, g * 3' }]);
  const rnd = new Prng(40);
  const keys = new Int32Array(LOOKUPS);
  for (let i = 0; i < LOOKUPS; i++) keys[i] = rnd.nextUint32() % KV_ROWS;
  // A round looks up the keys in chunks until all are done or its time
  // budget is spent (an engine that scans the table for each key would
  // otherwise take hours), and is scored by the keys it did.
  const CHUNK = 100;
  const done = new Map<EngineKey, number[]>();
  await rounds([row], failed, 0, async (e, warm) => {
    const limit = warm ? Math.min(1000, LOOKUPS) : LOOKUPS;
    const t0 = performance.now();
    let i = 0;
    let got = 0;
    let want = 0;
    while (i < limit && performance.now() - t0 < LOOKUP_BUDGET_MS) {
      const chunk = keys.subarray(i, Math.min(limit, i + CHUNK));
      got += await e.lookups('SELECT v FROM kv WHERE k = $1', chunk);
      for (const k of chunk) want += k * 3;
      i += chunk.length;
    }
    if (got !== want) throw new Error(`lookups answered ${got}, expected ${want}`);
    if (!warm) (done.get(e.key) ?? done.set(e.key, []).get(e.key)!).push(i);
    return 0;
  }, (ms, k) => {
    const counts = done.get(k)!;
    const keysDone = median(counts);
    return keysDone < LOOKUPS ? { value: (keysDone * 1000) / ms, partial: `${keysDone}/${LOOKUPS} keys` } : { value: (LOOKUPS * 1000) / ms };
  });
  table.note(`PK lookups: ${LOOKUPS.toLocaleString('en-US')} random keys per round (or as many as fit in ${LOOKUP_BUDGET_MS / 1000} s), median of ${ROUNDS} rounds; ` +
    'tabgres db.query(sql, [k]), PGlite query(sql, [k]), sql.js one prepared statement bound per key (in SQLite an INTEGER PRIMARY KEY is the rowid itself)');
}

async function scans(): Promise<void> {
  const label = `${SCAN_ROWS.toLocaleString('en-US')} rows`;
  const count = table.add({ label: `COUNT(*), ${label}`, unit: 'rows/s', cells: {} });
  const sum = table.add({ label: `SUM(a), ${label}`, unit: 'rows/s', cells: {} });
  const failed = await load('big', ['CREATE TABLE big (a INTEGER, b INTEGER)'], [{ table: 'big', rows: SCAN_ROWS, list: 'g, g % 1000' }]);
  const perSec = (ms: number): Cell => ({ value: (SCAN_ROWS * 1000) / ms });
  await rounds([count], failed, SCAN_ROWS, (e) => e.run('SELECT count(*) FROM big'), perSec);
  await rounds([sum], failed, (SCAN_ROWS * (SCAN_ROWS - 1)) / 2, (e) => e.run('SELECT sum(a) FROM big'), perSec);
  // Free the memory before the join.
  for (const e of engines.values()) {
    try {
      await e.run('DROP TABLE big');
    } catch {
      // it failed to load
    }
  }
  table.note('COUNT / SUM: median of 3 scans after one warm-up (which also sets PostgreSQL\'s hint bits); SQLite answers count(*) from b-tree cell counts without visiting rows');
}

async function join(): Promise<void> {
  const row = table.add({ label: `join ${JOIN_FACT.toLocaleString('en-US')} x ${JOIN_DIM.toLocaleString('en-US')}, GROUP BY`, unit: 'ms', cells: {} });
  const failed = await load('fact, dim', ['CREATE TABLE dim (id INTEGER PRIMARY KEY, grp INTEGER)', 'CREATE TABLE fact (id INTEGER, dim_id INTEGER, val INTEGER)'],
    [{ table: 'dim', rows: JOIN_DIM, list: 'g, g % 100' }, { table: 'fact', rows: JOIN_FACT, list: `g, (g * 7919) % ${JOIN_DIM}, g % 1000` }]);
  await rounds([row], failed, JOIN_FACT,
    (e) => e.run('SELECT count(*) AS n, d.grp, sum(f.val) AS s FROM fact f JOIN dim d ON d.id = f.dim_id GROUP BY d.grp ORDER BY d.grp'),
    (ms) => ({ value: ms }));
  table.note('join: SELECT count(*), d.grp, sum(f.val) FROM fact f JOIN dim d ON d.id = f.dim_id GROUP BY d.grp ORDER BY d.grp (100 groups); median of 3');
}

function coldStart(): void {
  const row = table.add({ label: 'cold start (import, open, SELECT 1)', unit: 'ms', goal: { kind: 'notSlowerThan', than: 'sqljs' }, cells: {} });
  const wall = new Map<EngineKey, number[]>();
  const inner = new Map<EngineKey, number[]>();
  const errors = new Map<EngineKey, string>();
  for (const k of ENGINES) {
    const file = path.join(outDir, `cold-${k}.mjs`);
    if (!fs.existsSync(file)) errors.set(k, `${file} is missing: run through \`node bench/run.mjs\`, which bundles it`);
  }
  // One untimed start each first (the OS file cache), then the engines take turns.
  for (let r = -1; r < COLD_STARTS; r++) {
    for (const k of ENGINES) {
      if (errors.has(k)) continue;
      const stop = startTiming();
      const p = spawnSync(process.execPath, [path.join(outDir, `cold-${k}.mjs`)], { encoding: 'utf8' });
      const ms = stop().wallMs;
      if (p.status !== 0) {
        errors.set(k, message(p.stderr || `exit ${p.status}`).slice(0, 400));
        continue;
      }
      const got = JSON.parse(p.stdout.trim().split('\n').pop()!) as { ms: number };
      if (r < 0) continue;
      (wall.get(k) ?? wall.set(k, []).get(k)!).push(ms);
      (inner.get(k) ?? inner.set(k, []).get(k)!).push(got.ms);
    }
  }
  for (const k of ENGINES) {
    const err = errors.get(k);
    row.cells[k] = err !== undefined ? { error: err } : { value: median(inner.get(k)!) };
  }
  const whole = ENGINES.filter((k) => wall.has(k)).map((k) => `${ENGINE_NAMES[k]} ${median(wall.get(k)!).toFixed(0)} ms`);
  table.note(`cold start: ms from the process's start (performance.now()) to SELECT 1's answer, median of ${COLD_STARTS} fresh processes ` +
    `after one untimed; the whole process, spawn to exit: ${whole.join(', ')}`);
}

// ------------------------------------------------------------------ main

log(`SQL benchmark${QUICK ? ' (--quick)' : ''}: ${ENGINES.map((k) => ENGINE_NAMES[k]).join(', ')}; node ${process.version}`);
if (ONLY.has('speed')) await speedSeries();
if (ONLY.has('lookup')) await lookups();
if (ONLY.has('scan')) await scans();
if (ONLY.has('join')) await join();
for (const e of engines.values()) await e.close();
if (ONLY.has('cold')) coldStart();

const load1 = os.loadavg();
table.note(`load average at the end: ${load1[0].toFixed(2)} (1 min), ${load1[1].toFixed(2)} (5 min) on ${os.cpus().length} CPUs; ` +
  `the whole SQL benchmark took ${((performance.now() - benchStart) / 1000).toFixed(0)} s`);
log('');
table.print(log);
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'sql-results.json'), JSON.stringify({ quick: QUICK, rows: table.rows, notes: table.notes }, null, 2));
