/**
 * tpcb-inproc.ts — pgbench's TPC-B-like transaction (scale 1: 1 branch, 10
 * tellers, --accounts accounts) against one in-process Database on a
 * MemoryDirectory (no postmaster, no disk), to see what one transaction costs
 * in the engine alone. Per-statement timings are printed so a slow statement
 * stands out, and CPU time beside wall time: on a shared machine wall time
 * mostly measures the other processes. With --postmaster=N the same
 * transaction (one simple-protocol string, as postmaster.bench.ts sends it)
 * runs on N sessions of a Postmaster over a NodeDirectory; --async adds
 * SET synchronous_commit = off (no fdatasync per commit, as PGlite in memory).
 *
 * Run it bundled (tsx runs the hot paths ~2x slower), from bench/out/ so a
 * postmaster finds its worker sources:
 *   node -e "require('esbuild').buildSync({entryPoints:['bench/tpcb-inproc.ts'],outfile:'bench/out/tpcb-inproc.mjs',
 *     bundle:true,platform:'node',format:'esm',external:['@electric-sql/pglite','sql.js','esbuild']})"
 *   node bench/out/tpcb-inproc.mjs [--accounts=100000] [--tx=6000 | --seconds=5] [--select-rounds=2]
 *   node bench/out/tpcb-inproc.mjs --postmaster=4 [--async] [--seconds=10]
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Database } from '@tabgres/engine';
import { MemoryDirectory, NodeDirectory } from '@tabgres/opfs-storage';
import { Postmaster, type Session } from '@tabgres/worker-host';

function arg(name: string, dflt: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : a.slice(name.length + 3);
}

const NACCOUNTS = Number(arg('accounts', '100000'));
const SECONDS = Number(arg('seconds', '5'));
const SCALE = 1;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 8;
  };
}

const STMTS = ['BEGIN', 'UPDATE accounts', 'SELECT accounts', 'UPDATE tellers', 'UPDATE branches', 'INSERT history', 'COMMIT'];

function statements(next: () => number): string[] {
  const aid = 1 + (next() % NACCOUNTS);
  const tid = 1 + (next() % (SCALE * 10));
  const bid = 1 + (next() % SCALE);
  const delta = (next() % 10_001) - 5000;
  return [
    'BEGIN',
    `UPDATE pgbench_accounts SET abalance = abalance + ${delta} WHERE aid = ${aid}`,
    `SELECT abalance FROM pgbench_accounts WHERE aid = ${aid}`,
    `UPDATE pgbench_tellers SET tbalance = tbalance + ${delta} WHERE tid = ${tid}`,
    `UPDATE pgbench_branches SET bbalance = bbalance + ${delta} WHERE bid = ${bid}`,
    `INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (${tid}, ${bid}, ${aid}, ${delta}, CURRENT_TIMESTAMP)`,
    'COMMIT',
  ];
}

const SCHEMA = `
    CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int NOT NULL, filler char(88));
    CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int NOT NULL, tbalance int NOT NULL, filler char(84));
    CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int NOT NULL, abalance int NOT NULL, filler char(84));
    CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
    INSERT INTO pgbench_branches SELECT g, 0 FROM generate_series(1, ${SCALE}) g;
    INSERT INTO pgbench_tellers SELECT g, 1 + (g - 1) / 10, 0 FROM generate_series(1, ${SCALE * 10}) g;
    INSERT INTO pgbench_accounts SELECT g, 1 + (g - 1) / ${NACCOUNTS}, 0 FROM generate_series(1, ${NACCOUNTS}) g;
`;

/** SQLSTATEs a transaction retries on: row conflict without waits, serialization, deadlock. */
const RETRYABLE = new Set(['55P03', '40001', '40P01']);

async function postmasterMain(sessions: number): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-tpcb-'));
  try {
    const dataDir = path.join(root, 'data');
    const db = await Database.open({ dir: new NodeDirectory(dataDir), sharedBuffers: 16384 });
    await db.exec(SCHEMA);
    await db.close();
    const pm = await Postmaster.start({ dataDir, backends: sessions, sharedBuffers: 16384 });
    const ss: Session[] = [];
    for (let i = 0; i < sessions; i++) {
      const sess = await pm.connect();
      if (process.argv.includes('--async')) await sess.exec('SET synchronous_commit = off');
      ss.push(sess);
    }
    const client = async (c: number, until: number): Promise<[number, number]> => {
      const next = lcg(1000 + c);
      let commits = 0;
      let retries = 0;
      while (performance.now() < until) {
        try {
          await ss[c].exec(statements(next).join(';\n'));
          commits++;
        } catch (e) {
          if (!(e instanceof Error && 'code' in e && RETRYABLE.has(String(e.code)))) throw e;
          retries++;
          await ss[c].exec('ROLLBACK');
        }
      }
      return [commits, retries];
    };
    await Promise.all(ss.map((_, c) => client(c, performance.now() + 2000)));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await Promise.all(ss.map((_, c) => client(c, t0 + SECONDS * 1000)));
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const commits = r.reduce((a, x) => a + x[0], 0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(`postmaster, ${sessions} session(s)${process.argv.includes('--async') ? ', synchronous_commit off' : ', fdatasync per commit'}: `
      + `${commits} committed (${r.reduce((a, x) => a + x[1], 0)} retried) in ${ms.toFixed(0)} ms = ${((commits / ms) * 1000).toFixed(0)}/s wall; `
      + `${cpuMs.toFixed(0)} ms CPU (all threads) = ${((cpuMs / commits) * 1000).toFixed(0)} us CPU per transaction`);
    for (const sess of ss) await sess.release();
    await pm.close();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const pmSessions = Number(arg('postmaster', '0'));
  if (pmSessions > 0) return postmasterMain(pmSessions);
  const t00 = performance.now();
  const db = await Database.open({ dir: new MemoryDirectory(), sharedBuffers: 16384 });
  await db.exec(SCHEMA);
  console.log(`setup (${NACCOUNTS} accounts): ${(performance.now() - t00).toFixed(0)} ms`);
  if (process.argv.includes('--analyze')) await db.exec('ANALYZE');
  const next = lcg(42);
  for (const s of statements(next)) {
    if (s === 'BEGIN' || s === 'COMMIT') continue;
    const r = await db.query(`EXPLAIN ${s}`);
    console.log(`EXPLAIN ${s}\n  ${r.rows.map((x) => Object.values(x as object).join(' ')).join('\n  ')}`);
  }
  // Baseline: the same point SELECT alone, outside a transaction block.
  const rounds = Number(arg('select-rounds', '2'));
  for (let round = 0; round < rounds; round++) {
    const c0 = process.cpuUsage();
    const nsel = 2000;
    for (let i = 0; i < nsel; i++) await db.query(`SELECT abalance FROM pgbench_accounts WHERE aid = ${1 + (next() % NACCOUNTS)}`);
    const c = process.cpuUsage(c0);
    console.log(`point SELECT alone (round ${round}): ${((c.user + c.system) / nsel).toFixed(0)} us CPU each`);
  }
  const per = new Float64Array(STMTS.length);
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + SECONDS * 1000;
  let tick = t0;
  let nTick = 0;
  let cpuTick = process.cpuUsage();
  const maxTx = Number(arg('tx', 'Infinity'));
  let cpuHalf: NodeJS.CpuUsage | null = null;
  while (n < maxTx && (maxTx !== Infinity || performance.now() < until)) {
    const ss = statements(next);
    for (let i = 0; i < ss.length; i++) {
      const a = performance.now();
      await db.query(ss[i]);
      per[i] += performance.now() - a;
    }
    n++;
    if (n === Math.floor(maxTx / 2)) cpuHalf = process.cpuUsage();
    const now = performance.now();
    if (now - tick > 1000) {
      const c = process.cpuUsage(cpuTick);
      console.log(`  ${((n - nTick) / ((now - tick) / 1000)).toFixed(0)} tx/s wall, ${((c.user + c.system) / (n - nTick)).toFixed(0)} us CPU per transaction`);
      cpuTick = process.cpuUsage();
      tick = now;
      nTick = n;
    }
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // The machine may be shared: CPU time says what the engine costs, wall time what a client saw.
  console.log(`TPC-B in process: ${n} transactions in ${ms.toFixed(0)} ms wall = ${((n / ms) * 1000).toFixed(0)}/s; ${cpuMs.toFixed(0)} ms CPU = ${((n / cpuMs) * 1000).toFixed(0)}/s of CPU (${((cpuMs / n) * 1000).toFixed(0)} us CPU per transaction)`);
  if (cpuHalf !== null) {
    const c = process.cpuUsage(cpuHalf);
    const half = n - Math.floor(maxTx / 2);
    console.log(`  second half (warmer JIT): ${((c.user + c.system) / half).toFixed(0)} us CPU per transaction = ${((half / (c.user + c.system)) * 1e6).toFixed(0)}/s of CPU`);
  }
  const wall = per.reduce((a, b) => a + b, 0);
  for (let i = 0; i < STMTS.length; i++) console.log(`  ${STMTS[i].padEnd(16)} ${((per[i] / n) * 1000).toFixed(0).padStart(7)} us wall, ~${((per[i] / wall) * (cpuMs / n) * 1000).toFixed(0).padStart(6)} us CPU`);
  // Sizes after the run: the branches and tellers rows are updated on every
  // transaction, so a table that grows here is not being pruned (HOT chains).
  for (const q of ['SELECT ctid FROM pgbench_branches', 'SELECT max(ctid) FROM pgbench_tellers', 'SELECT count(*) FROM pgbench_history']) {
    const r = await db.query(q);
    console.log(`  ${q}: ${String(Object.values(r.rows[0] as object)[0])}`);
  }
  await db.close();
}

await main();
