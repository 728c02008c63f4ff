/*
 * opfs.bench.ts — measurements of tabgres in Chromium on OPFS (not a test:
 * it prints numbers). `npx tsx packages/playground-ui/bench/opfs.bench.ts`
 *
 * For each way of sharing OPFS files (readwrite-unsafe, detected; exclusive,
 * forced): cold start of a new database (initdb included) to its first
 * query result, a start of the existing database, the median and p95 latency
 * of an autocommit single-row INSERT (one WAL flush each: OPFS flush()),
 * a 20 000-row INSERT ... SELECT, and point SELECTs by primary key.
 */

import * as fs from 'node:fs';
import { launch, makeProfileDir, servePlayground } from '../test/e2e_harness.ts';

const srv = await servePlayground();
const profile = makeProfileDir();
const ctx = await launch(profile);
const page = ctx.pages()[0] ?? (await ctx.newPage());

async function coldStart(db: string, mode: string): Promise<number> {
  const t0 = Date.now();
  // 2 backends, as the numbers in the README were measured with (the page starts 3 by default).
  await page.goto(`${srv.url}?db=${db}&backends=2${mode === 'exclusive' ? '&opfs=exclusive' : ''}`);
  await page.evaluate(async () => {
    await window.tabgres.ready;
    await window.tabgres.query('SELECT 1');
  });
  return Date.now() - t0;
}

for (const mode of ['readwrite-unsafe', 'exclusive']) {
  const db = `bench-${mode}`;
  const fresh = await coldStart(db, mode);
  const m = await page.evaluate(async () => {
    const t = window.tabgres;
    await t.exec('CREATE TABLE b (id int PRIMARY KEY, v text)');
    const s = await t.connect();
    const lat: number[] = [];
    for (let i = 1; i <= 200; i++) {
      const t0 = performance.now();
      await s.query('INSERT INTO b VALUES ($1, $2)', [i, 'x']);
      lat.push(performance.now() - t0);
    }
    lat.sort((a, b) => a - b);
    let t0 = performance.now();
    await s.query("INSERT INTO b SELECT g, repeat('y', 50) FROM generate_series(1001, 21000) g");
    const bulk = performance.now() - t0;
    t0 = performance.now();
    for (let i = 0; i < 500; i++) await s.query('SELECT v FROM b WHERE id = $1', [1001 + ((i * 37) % 20000)]);
    const point = (performance.now() - t0) / 500;
    await s.release();
    return { median: lat[100], p95: lat[190], bulk, point, mode: t.opfsAccessMode };
  });
  const reopen = await coldStart(db, mode);
  console.log(
    `${m.mode}: cold start (initdb) to first result ${fresh} ms; reopen ${reopen} ms; ` +
    `autocommit INSERT median ${m.median.toFixed(2)} ms, p95 ${m.p95.toFixed(2)} ms; ` +
    `20000-row INSERT ... SELECT ${m.bulk.toFixed(0)} ms; point SELECT ${(m.point * 1000).toFixed(0)} µs`,
  );
}

await ctx.close();
await srv.close();
fs.rmSync(profile, { recursive: true, force: true });
