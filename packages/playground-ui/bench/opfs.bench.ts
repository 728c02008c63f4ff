/*
 * opfs.bench.ts — measurements of tabgres in Chromium (not a test: it
 * prints numbers). `npm run bench -- --browser`, or
 * `npx tsx packages/playground-ui/bench/opfs.bench.ts [options]`.
 *
 * 1. Start and commit, on the playground page through `window.tabgres`, for
 *    each way of sharing OPFS files (readwrite-unsafe, detected; exclusive,
 *    forced): cold start of a new database (page load, initdb included) to
 *    its first query result, a start of the existing database, the median
 *    and p95 latency of an autocommit single-row INSERT (one WAL flush
 *    each: OPFS flush()), a 20 000-row INSERT ... SELECT, and point SELECTs
 *    by primary key.
 * 2. The sqlite.org/speed.html series (bench/speed/workload.ts, the same
 *    statements as the Node SQL benchmark) on the speed page
 *    (bench/speed.html, speed_page.ts): tabgres's postmaster on OPFS,
 *    tabgres in memory and PGlite in memory, one engine after the other in
 *    the same page, milliseconds per test timed in the page, ratios, and
 *    whether every engine's checksums agree.
 *
 * Options: --quick (the series' small sizes), --engines=opfs,memory,pglite
 * (which series columns), --no-start (skip part 1), --no-speed (skip part 2).
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import { launch, makeProfileDir, servePlayground } from '../test/e2e_harness.ts';
import { FULL_SIZES, QUICK_SIZES, speedTests } from '../../../bench/speed/workload.ts';
import type { SpeedEngine, SpeedTestResult } from './speed_page.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const enginesArg = args.find((a) => a.startsWith('--engines='))?.slice('--engines='.length);
const engines = (enginesArg?.split(',') ?? ['opfs', 'memory', 'pglite']) as SpeedEngine[];
const ENGINE_TITLES: Record<SpeedEngine, string> = { opfs: 'tabgres OPFS', memory: 'tabgres memory', pglite: 'PGlite memory' };

const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

const srv = await servePlayground();
const profile = makeProfileDir();
const ctx = await launch(profile);
const page = ctx.pages()[0] ?? (await ctx.newPage());
page.on('pageerror', (e) => console.error(`page error: ${e.message}`));

console.log(`${new Date().toISOString()}, ${os.cpus().length} CPUs, load average ${load()}`);

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

if (!args.includes('--no-start')) {
  console.log('\n| playground page, 2 backends | new database (initdb) → first SELECT 1 | existing database → first SELECT 1 | autocommit 1-row INSERT median / p95 | 20 000-row INSERT ... SELECT | point SELECT (round trip) |');
  console.log('|---|---|---|---|---|---|');
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
      `| ${m.mode ?? mode} | ${fresh} ms | ${reopen} ms | ${m.median.toFixed(2)} / ${m.p95.toFixed(2)} ms | ` +
      `${m.bulk.toFixed(0)} ms | ${(m.point * 1000).toFixed(0)} µs |`,
    );
  }
}

if (!args.includes('--no-speed')) {
  const tests = speedTests(quick ? QUICK_SIZES : FULL_SIZES);
  await page.goto(`${srv.url}bench/speed.html`);
  await page.waitForFunction(() => window.speedBench !== undefined);
  const results = new Map<SpeedEngine, SpeedTestResult[]>();
  const opened = new Map<SpeedEngine, number>();
  for (const engine of engines) {
    const t0 = Date.now();
    opened.set(engine, await page.evaluate((e) => window.speedBench.open(e), engine));
    const rs: SpeedTestResult[] = [];
    for (const t of tests) rs.push(await page.evaluate(([e, st]) => window.speedBench.runTest(e, st), [engine, t.statements] as [SpeedEngine, string[]]));
    await page.evaluate((e) => window.speedBench.close(e), engine);
    results.set(engine, rs);
    console.error(`${engine}: series done in ${((Date.now() - t0) / 1000).toFixed(1)} s, load average ${load()}`);
  }

  const ratio = (a: SpeedTestResult | undefined, b: SpeedTestResult | undefined): string =>
    a === undefined || b === undefined || a.error !== undefined || b.error !== undefined ? '' : (a.ms / b.ms).toFixed(2);
  const cell = (r: SpeedTestResult | undefined): string =>
    r === undefined ? '' : r.error !== undefined ? `error: ${r.error}` : `${fmt(r.ms)} ms`;
  const ratioCols: [SpeedEngine, SpeedEngine, string][] = [['opfs', 'memory', 'OPFS/memory'], ['opfs', 'pglite', 'OPFS/PGlite'], ['memory', 'pglite', 'memory/PGlite']];
  const shownRatios = ratioCols.filter(([a, b]) => results.has(a) && results.has(b));
  console.log(`\nspeed.html series${quick ? ' (--quick sizes)' : ''}, ms per test timed in the page, one round trip per statement`);
  console.log(`| test | ${engines.map((e) => ENGINE_TITLES[e]).join(' | ')} | ${shownRatios.map((r) => r[2]).join(' | ')} |`);
  console.log(`|---|${engines.map(() => '---|').join('')}${shownRatios.map(() => '---|').join('')}`);
  const totals = new Map<SpeedEngine, number>(engines.map((e) => [e, 0]));
  const mismatches: string[] = [];
  tests.forEach((t, i) => {
    const row = engines.map((e) => results.get(e)![i]);
    engines.forEach((e, k) => (totals.set(e, totals.get(e)! + row[k].ms)));
    const sums = new Set(row.filter((r) => r.error === undefined).map((r) => r.checksum));
    if (sums.size > 1) mismatches.push(`test ${t.id}: ${engines.map((e, k) => `${e} ${row[k].checksum}`).join(', ')}`);
    console.log(`| ${t.id}. ${t.name} | ${row.map(cell).join(' | ')} | ${shownRatios.map(([a, b]) => ratio(results.get(a)![i], results.get(b)![i])).join(' | ')} |`);
  });
  const tot = (e: SpeedEngine): number => totals.get(e)!;
  console.log(`| total | ${engines.map((e) => `${fmt(tot(e))} ms`).join(' | ')} | ${shownRatios.map(([a, b]) => (tot(a) / tot(b)).toFixed(2)).join(' | ')} |`);
  console.log(`| open (OPFS: new database, initdb) | ${engines.map((e) => `${fmt(opened.get(e)!)} ms`).join(' | ')} |${shownRatios.map(() => ' |').join('')}`);
  console.log(mismatches.length === 0 ? 'checksums: every engine gave the same answers' : `checksums differ:\n  ${mismatches.join('\n  ')}`);
}

console.log(`\nChromium ${await page.evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? navigator.userAgent)}, load average at the end ${load()}`);
await ctx.close();
await srv.close();
fs.rmSync(profile, { recursive: true, force: true });
