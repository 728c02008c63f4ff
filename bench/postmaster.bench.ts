/*
 * postmaster.bench.ts — point-query throughput through the postmaster's
 * backend workers (@tabgres/worker-host) with 1, 2 and 4 backends, next to
 * one in-process Database, and a read-write mix (TPC-B-like transfers, one
 * session per backend).
 *
 *   npx tsx bench/postmaster.bench.ts [--queries=N] [--backends=1,2,4]
 *
 * Runs under tsx (the workers load the engine from source through tsx, as
 * in the tests), so absolute rates are below the bundled benchmarks';
 * compare the lines with each other. A line reports wall-clock rates; on a
 * machine shared with other work they vary from run to run.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '@tabgres/engine';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Postmaster } from '@tabgres/worker-host';

function arg(name: string, dflt: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : a.slice(name.length + 3);
}

const QUERIES = Number(arg('queries', '4000'));
const BACKENDS = arg('backends', '1,2,4').split(',').map(Number);
const ROWS = 10_000;
const ACCOUNTS = 100;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-pm-bench-'));
const template = path.join(root, 'template');

function copyTemplate(name: string): string {
  const dir = path.join(root, name);
  fs.cpSync(template, dir, { recursive: true });
  return dir;
}

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;
}

async function main(): Promise<void> {
  const db = await Database.open({ dir: new NodeDirectory(template), sharedBuffers: 1024 });
  await db.exec(`CREATE TABLE kv (k int PRIMARY KEY, v int); INSERT INTO kv SELECT g, g * 2 FROM generate_series(1, ${ROWS}) g`);
  await db.exec(`CREATE TABLE acct (id int PRIMARY KEY, balance int NOT NULL); INSERT INTO acct SELECT g, 1000 FROM generate_series(1, ${ACCOUNTS}) g`);
  // Warm up as the workers are (their first queries compile the same code).
  for (let i = 0; i < QUERIES; i++) await db.query('SELECT v FROM kv WHERE k = $1', [1 + ((i * 104_729) % ROWS)]);
  let t0 = performance.now();
  for (let i = 0; i < QUERIES; i++) await db.query('SELECT v FROM kv WHERE k = $1', [1 + ((i * 7919) % ROWS)]);
  console.log(`in-process Database: ${QUERIES} point queries, ${rate(QUERIES, performance.now() - t0)}`);
  await db.close();

  for (const n of BACKENDS) {
    t0 = performance.now();
    const pm = await Postmaster.start({ dataDir: copyTemplate(`b${n}`), backends: n, sharedBuffers: 1024 });
    const startMs = performance.now() - t0;
    // Warm every backend up first (caches, JIT), as the in-process run was.
    await Promise.all(Array.from({ length: n }, async () => {
      for (let i = 0; i < Math.ceil(QUERIES / n); i++) await pm.query('SELECT v FROM kv WHERE k = $1', [1 + ((i * 104_729) % ROWS)]);
    }));
    t0 = performance.now();
    const per = Math.ceil(QUERIES / n);
    await Promise.all(Array.from({ length: n }, async (_, c) => {
      for (let i = 0; i < per; i++) await pm.query('SELECT v FROM kv WHERE k = $1', [1 + (((c * per + i) * 7919) % ROWS)]);
    }));
    const readMs = performance.now() - t0;

    // TPC-B-like: one session per backend, transfers between random accounts (conflicts are retried).
    t0 = performance.now();
    let commits = 0;
    let conflicts = 0;
    const transfers = Math.ceil(QUERIES / 8 / n);
    await Promise.all(Array.from({ length: n }, async (_, c) => {
      const s = await pm.connect();
      let seed = c * 104_729 + 1;
      const next = (): number => {
        seed = (seed * 48_271) % 2_147_483_647;
        return 1 + (seed % ACCOUNTS);
      };
      for (let i = 0; i < transfers; i++) {
        const from = next();
        const to = next();
        try {
          await s.exec(`BEGIN; UPDATE acct SET balance = balance - 1 WHERE id = ${from}; UPDATE acct SET balance = balance + 1 WHERE id = ${to}; COMMIT`);
          commits++;
        } catch {
          conflicts++;
        }
      }
      await s.release();
    }));
    const mixMs = performance.now() - t0;
    const total = (await pm.query('SELECT sum(balance)::int AS t FROM acct')).rows[0].t;
    console.log(`${n} backend(s): start ${Math.round(startMs)} ms; ${per * n} point queries, ${rate(per * n, readMs)}; `
      + `transfers ${rate(commits, mixMs)} (${commits} committed, ${conflicts} refused on a row conflict), total balance ${String(total)}`);
    await pm.close();
  }
  fs.rmSync(root, { recursive: true, force: true });
}

await main();
