/*
 * postmaster.bench.ts — tabgres through the postmaster's backend workers
 * (@tabgres/worker-host), printed side by side:
 *
 *   1. worker start: CPU and wall ms for one worker to load its entry, from
 *      the esbuild bundle (the default) and from the TypeScript through tsx;
 *      Postmaster.start({ backends: 4 }) to the first query answered, both ways;
 *   2. read-only point queries with 1, 2 and 4 backends, and the scaling
 *      ratio against 1 (next to one in-process Database);
 *   3. a TPC-B-like read-write mix (pgbench's branches / tellers / accounts
 *      / history at a small scale) with 4 sessions on 4 backends;
 *   4. group commit: commit latency and commits/s of autocommit INSERTs
 *      with 1 committer and 4 concurrent committers (one per backend), with
 *      group commit, without it (XLogSettings.groupCommit false: each flush
 *      stops at its own record), and with commit_delay;
 *   5. PGlite (in memory, one connection) on the same point query and
 *      TPC-B-like transaction, where it can run them.
 *
 *   node bench/run.mjs --postmaster [--seconds=N] [--queries=N] [--backends=1,2,4] [--quick]
 *                                   [--sections=start,read,tpcb,groupcommit,pglite]
 *   npx tsx bench/postmaster.bench.ts [same options]
 *
 * Data directories are real NodeDirectory folders under the OS temporary
 * directory, so a commit's fdatasync costs what the disk makes it cost.
 * Rates are wall-clock; the machine's cores are shared by every worker and
 * by the postmaster's thread (the line says how many there are), so more
 * backends than cores cannot scale.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { Database } from '@tabgres/engine';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Postmaster, workerEntry, workerExecArgv, type PostmasterCore, type PostmasterOptions, type Session, type WorkerEntryKind } from '@tabgres/worker-host';

function arg(name: string, dflt: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : a.slice(name.length + 3);
}

const QUICK = process.argv.includes('--quick');
const QUERIES = Number(arg('queries', QUICK ? '1000' : '4000'));
const SECONDS = Number(arg('seconds', QUICK ? '1' : '3'));
const BACKENDS = arg('backends', '1,2,4').split(',').map(Number);
const SECTIONS = arg('sections', 'start,read,tpcb,groupcommit,pglite').split(',');
/** pgbench's scale, shrunk: SCALE branches, 10 tellers and ACCOUNTS_PER_BRANCH accounts per branch. */
const SCALE = 4;
const ACCOUNTS_PER_BRANCH = 1000;
/** SQLSTATEs a TPC-B transaction retries on: row conflict without waits, serialization, deadlock. */
const RETRYABLE = new Set(['55P03', '40001', '40P01']);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-pm-bench-'));
const template = path.join(root, 'template');

function copyTemplate(name: string): string {
  const dir = path.join(root, name);
  fs.cpSync(template, dir, { recursive: true });
  return dir;
}

function perSec(n: number, ms: number): number {
  return (n / ms) * 1000;
}

function fmtRate(r: number): string {
  return `${Math.round(r).toLocaleString('en-US')}/s`;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
}

/** A deterministic generator (Park–Miller), so runs draw the same keys. */
function lcg(seed: number): () => number {
  let s = seed % 2_147_483_647 || 1;
  return () => {
    s = (s * 48_271) % 2_147_483_647;
    return s;
  };
}

// ---------------------------------------------------------------- 1. worker start

/** One worker loading its entry: with no boot data it throws once its imports are evaluated, and exits. */
async function workerLoad(kind: WorkerEntryKind): Promise<{ wallMs: number; cpuMs: number }> {
  const entry = workerEntry(kind); // builds the bundle first if stale: not part of the measurement
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const w = new Worker(entry, { workerData: null, stderr: true, ...(kind === 'bundle' ? { execArgv: workerExecArgv() } : {}) });
    w.on('error', () => undefined);
    w.on('exit', () => resolve());
  });
  return { wallMs: performance.now() - t0, cpuMs: cpuMs(c0) };
}

async function startToFirstQuery(kind: WorkerEntryKind, dir: string): Promise<{ wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const pm = await Postmaster.start({ dataDir: dir, backends: 4, sharedBuffers: 1024 }, kind);
  await pm.query('SELECT 1');
  const r = { wallMs: performance.now() - t0, cpuMs: cpuMs(c0) };
  await pm.close();
  return r;
}

async function workerStartLines(): Promise<void> {
  console.log(`== worker start (${os.cpus().length} cores) ==`);
  for (const kind of ['bundle', 'source'] as const) {
    const runs = [];
    for (let i = 0; i < (QUICK ? 1 : 3); i++) runs.push(await workerLoad(kind));
    const wall = Math.min(...runs.map((r) => r.wallMs));
    const cpu = Math.min(...runs.map((r) => r.cpuMs));
    console.log(`  one worker loads its entry (${kind}): wall ${Math.round(wall)} ms, CPU ${Math.round(cpu)} ms (best of ${runs.length})`);
  }
  const dir = copyTemplate('start');
  for (const kind of ['bundle', 'source'] as const) {
    const r = await startToFirstQuery(kind, dir);
    console.log(`  Postmaster.start({ backends: 4 }) + checkpointer to first query (${kind}): wall ${Math.round(r.wallMs)} ms, CPU ${Math.round(r.cpuMs)} ms`);
  }
}

// ---------------------------------------------------------------- 2. point queries

const POINT = 'SELECT abalance FROM pgbench_accounts WHERE aid = $1';
const NACCOUNTS = SCALE * ACCOUNTS_PER_BRANCH;

async function pointQueryLines(): Promise<void> {
  console.log(`== read-only point queries (${POINT}, ${NACCOUNTS} rows) ==`);
  const db = await Database.open({ dir: new NodeDirectory(copyTemplate('inproc')), sharedBuffers: 1024 });
  for (let i = 0; i < QUERIES; i++) await db.query(POINT, [1 + ((i * 104_729) % NACCOUNTS)]);
  let t0 = performance.now();
  for (let i = 0; i < QUERIES; i++) await db.query(POINT, [1 + ((i * 7919) % NACCOUNTS)]);
  console.log(`  in-process Database (no workers): ${fmtRate(perSec(QUERIES, performance.now() - t0))}`);
  await db.close();

  let one = 0;
  for (const n of BACKENDS) {
    const pm = await Postmaster.start({ dataDir: copyTemplate(`read${n}`), backends: n, sharedBuffers: 1024 });
    const per = Math.ceil(QUERIES / n);
    // Warm every backend up first (caches, JIT), as the in-process run was.
    await Promise.all(Array.from({ length: n }, async () => {
      const s = await pm.connect();
      for (let i = 0; i < per; i++) await s.query(POINT, [1 + ((i * 104_729) % NACCOUNTS)]);
      await s.release();
    }));
    const ss: Session[] = [];
    for (let c = 0; c < n; c++) ss.push(await pm.connect());
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    await Promise.all(ss.map(async (s, c) => {
      for (let i = 0; i < per; i++) await s.query(POINT, [1 + (((c * per + i) * 7919) % NACCOUNTS)]);
    }));
    const ms = performance.now() - t0;
    // How busy the postmaster's own thread was, and the CPU of every thread of the process, per wall second.
    const busy = performance.eventLoopUtilization(elu0).utilization;
    const cores = cpuMs(cpu0) / ms;
    for (const s of ss) await s.release();
    const rate = perSec(per * n, ms);
    if (n === 1) one = rate;
    const scaling = one > 0 ? `, ${(rate / one).toFixed(2)}x of 1 backend` : '';
    console.log(`  ${n} backend(s), one session each: ${fmtRate(rate)}${scaling} `
      + `(postmaster thread ${Math.round(busy * 100)}% busy, ${cores.toFixed(2)} cores used)`);
    await pm.close();
  }
}

// ---------------------------------------------------------------- 3. TPC-B-like

/** pgbench's tables at SCALE (accounts shrunk to ACCOUNTS_PER_BRANCH per branch). */
const TPCB_SCHEMA = `
  CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int NOT NULL, filler char(88));
  CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int NOT NULL, tbalance int NOT NULL, filler char(84));
  CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int NOT NULL, abalance int NOT NULL, filler char(84));
  CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
  INSERT INTO pgbench_branches SELECT g, 0 FROM generate_series(1, ${SCALE}) g;
  INSERT INTO pgbench_tellers SELECT g, 1 + (g - 1) / 10, 0 FROM generate_series(1, ${SCALE * 10}) g;
  INSERT INTO pgbench_accounts SELECT g, 1 + (g - 1) / ${ACCOUNTS_PER_BRANCH}, 0 FROM generate_series(1, ${NACCOUNTS}) g;
  CREATE TABLE gc_log (c int, i int);
`;

/** pgbench's built-in "TPC-B (sort of)" transaction, as one simple-protocol string. */
function tpcbTransaction(next: () => number): string {
  const aid = 1 + (next() % NACCOUNTS);
  const tid = 1 + (next() % (SCALE * 10));
  const bid = 1 + (next() % SCALE);
  const delta = (next() % 10_001) - 5000;
  return `BEGIN;
    UPDATE pgbench_accounts SET abalance = abalance + ${delta} WHERE aid = ${aid};
    SELECT abalance FROM pgbench_accounts WHERE aid = ${aid};
    UPDATE pgbench_tellers SET tbalance = tbalance + ${delta} WHERE tid = ${tid};
    UPDATE pgbench_branches SET bbalance = bbalance + ${delta} WHERE bid = ${bid};
    INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (${tid}, ${bid}, ${aid}, ${delta}, CURRENT_TIMESTAMP);
    END`;
}

/** Runs TPC-B transactions on one session until `until`; a retryable error rolls back and counts. */
async function tpcbClient(run: (sql: string) => Promise<unknown>, seed: number, until: number): Promise<{ commits: number; retries: number }> {
  const next = lcg(seed);
  let commits = 0;
  let retries = 0;
  while (performance.now() < until) {
    try {
      await run(tpcbTransaction(next));
      commits++;
    } catch (e) {
      if (!(e instanceof Error && 'code' in e && RETRYABLE.has(String(e.code)))) throw e;
      retries++;
      await run('ROLLBACK');
    }
  }
  return { commits, retries };
}

async function tpcbLines(): Promise<void> {
  const sessions = 4;
  console.log(`== TPC-B-like (scale ${SCALE}: ${SCALE} branches, ${SCALE * 10} tellers, ${NACCOUNTS} accounts), ${SECONDS} s ==`);
  const pm = await Postmaster.start({ dataDir: copyTemplate('tpcb'), backends: sessions, sharedBuffers: 1024 });
  const ss: Session[] = [];
  for (let i = 0; i < sessions; i++) ss.push(await pm.connect());
  const warm = performance.now() + 500;
  await Promise.all(ss.map((s, c) => tpcbClient((sql) => s.exec(sql), 7 + c, warm)));
  const t0 = performance.now();
  const results = await Promise.all(ss.map((s, c) => tpcbClient((sql) => s.exec(sql), 1000 + c, t0 + SECONDS * 1000)));
  const ms = performance.now() - t0;
  const commits = results.reduce((a, r) => a + r.commits, 0);
  const retries = results.reduce((a, r) => a + r.retries, 0);
  for (const s of ss) await s.release();
  console.log(`  tabgres, ${sessions} sessions on ${sessions} backends: ${fmtRate(perSec(commits, ms))} transactions (${commits} committed, ${retries} retried on 55P03/40001/40P01)`);
  await pm.close();
}

// ---------------------------------------------------------------- 4. group commit

interface CommitRun { commits: number; ms: number; latencies: number[]; syncs: number }

/** n sessions (one per backend) committing autocommit INSERTs for `ms`. */
async function committers(pm: PostmasterCore, n: number, ms: number): Promise<CommitRun> {
  const ss: Session[] = [];
  for (let i = 0; i < n; i++) ss.push(await pm.connect());
  for (const s of ss) for (let i = 0; i < 20; i++) await s.query('INSERT INTO gc_log VALUES ($1, $2)', [0, i]);
  const latencies: number[] = [];
  const syncs0 = pm.walStats()?.syncs ?? 0;
  const t0 = performance.now();
  const until = t0 + ms;
  await Promise.all(ss.map(async (s, c) => {
    for (let i = 0; performance.now() < until; i++) {
      const q0 = performance.now();
      await s.query('INSERT INTO gc_log VALUES ($1, $2)', [c + 1, i]);
      latencies.push(performance.now() - q0);
    }
  }));
  const elapsed = performance.now() - t0;
  const syncs = (pm.walStats()?.syncs ?? 0) - syncs0;
  for (const s of ss) await s.release();
  return { commits: latencies.length, ms: elapsed, latencies, syncs };
}

function latencyText(l: number[]): string {
  const sorted = [...l].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  const p = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `latency mean ${mean.toFixed(2)} ms, p50 ${p(0.5).toFixed(2)}, p95 ${p(0.95).toFixed(2)}`;
}

/** Rounds each configuration takes turns in, so drift in the disk's fsync time and the machine's load hits all alike. */
const GC_ROUNDS = QUICK ? 2 : 4;

async function groupCommitLines(): Promise<void> {
  const roundMs = (SECONDS * 1000) / GC_ROUNDS;
  console.log(`== group commit: autocommit INSERTs, each commit fdatasyncs its WAL (${SECONDS} s per line, in ${GC_ROUNDS} interleaved rounds) ==`);
  const configs: { label: string; options: PostmasterOptions }[] = [
    { label: 'group commit (default)', options: {} },
    { label: 'group commit off (each flush stops at its own record)', options: { groupCommit: false } },
    { label: 'group commit + commit_delay 200 us, commit_siblings 1', options: { commitDelayUs: 200, commitSiblings: 1 } },
  ];
  // All three instances at once (idle workers cost no CPU); settings are fixed per shared memory segment.
  const pms: PostmasterCore[] = [];
  for (const [i, c] of configs.entries()) {
    pms.push(await Postmaster.start({ dataDir: copyTemplate(`gc${i}`), backends: 4, sharedBuffers: 1024, ...c.options }));
  }
  const totals = configs.map(() => [1, 4].map((n) => ({ n, commits: 0, ms: 0, syncs: 0, latencies: [] as number[] })));
  for (let round = 0; round < GC_ROUNDS; round++) {
    for (const [i, pm] of pms.entries()) {
      for (const t of totals[i]) {
        const r = await committers(pm, t.n, roundMs);
        t.commits += r.commits;
        t.ms += r.ms;
        t.syncs += r.syncs;
        t.latencies.push(...r.latencies);
      }
    }
  }
  for (const [i, c] of configs.entries()) {
    for (const t of totals[i]) {
      console.log(`  ${c.label}, ${t.n} committer(s): ${fmtRate(perSec(t.commits, t.ms))} commits, ${latencyText(t.latencies)}, `
        + `${(t.syncs / t.commits).toFixed(2)} WAL fdatasyncs per commit`);
    }
  }
  for (const pm of pms) await pm.close();
}

// ---------------------------------------------------------------- 5. PGlite

async function pgliteLines(): Promise<void> {
  console.log('== PGlite (in memory, one connection: no workers, no fsync) ==');
  const pg = await PGlite.create();
  await pg.exec(TPCB_SCHEMA);
  for (let i = 0; i < QUERIES; i++) await pg.query(POINT, [1 + ((i * 104_729) % NACCOUNTS)]);
  let t0 = performance.now();
  for (let i = 0; i < QUERIES; i++) await pg.query(POINT, [1 + ((i * 7919) % NACCOUNTS)]);
  console.log(`  point queries: ${fmtRate(perSec(QUERIES, performance.now() - t0))}`);
  await tpcbClient((sql) => pg.exec(sql), 7, performance.now() + 500);
  t0 = performance.now();
  const r = await tpcbClient((sql) => pg.exec(sql), 1000, t0 + SECONDS * 1000);
  console.log(`  TPC-B-like, 1 session: ${fmtRate(perSec(r.commits, performance.now() - t0))} transactions`);
  await pg.close();
  // tabgres with one session on one backend, for the same comparison.
  const pm = await Postmaster.start({ dataDir: copyTemplate('tpcb1'), backends: 1, sharedBuffers: 1024 });
  const s = await pm.connect();
  await tpcbClient((sql) => s.exec(sql), 7, performance.now() + 500);
  t0 = performance.now();
  const t = await tpcbClient((sql) => s.exec(sql), 1000, t0 + SECONDS * 1000);
  console.log(`  tabgres TPC-B-like, 1 session on 1 backend (fdatasync per commit): ${fmtRate(perSec(t.commits, performance.now() - t0))} transactions`);
  await s.release();
  await pm.close();
}

async function main(): Promise<void> {
  const db = await Database.open({ dir: new NodeDirectory(template), sharedBuffers: 1024 });
  await db.exec(TPCB_SCHEMA);
  await db.close();
  try {
    if (SECTIONS.includes('start')) await workerStartLines();
    if (SECTIONS.includes('read')) await pointQueryLines();
    if (SECTIONS.includes('tpcb')) await tpcbLines();
    if (SECTIONS.includes('groupcommit')) await groupCommitLines();
    if (SECTIONS.includes('pglite')) await pgliteLines();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await main();
