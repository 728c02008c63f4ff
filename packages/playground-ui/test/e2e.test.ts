/*
 * e2e.test.ts — tabgres in Chromium, end to end: the OPFS file layer's
 * conformance suite in the browser (both ways of sharing files), the
 * playground's postmaster on OPFS through `window.tabgres`: persistence
 * across a reload and a browser relaunch on the same profile, crash
 * restart after the backend workers are killed in the middle of a write
 * transaction, two sessions (uncommitted rows invisible, a row lock making
 * one wait), a write past the OPFS quota (53100, the database reopens),
 * and the error a page without cross-origin isolation gets.
 *
 * Debian's Chromium driven by playwright-core (e2e_harness.ts); the
 * playground is built once by Vite and served by its preview server.
 */

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launch, makeProfileDir, servePlayground } from './e2e_harness.ts';

let base = '';
let dist = '';
let stop: (() => Promise<void>) | null = null;
const profiles: string[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const s = await servePlayground();
  base = s.url;
  dist = s.dist + path.sep;
  stop = s.close;
});

// A test's browsers end with it: idle backend workers would take CPU from the next test.
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
});

afterAll(async () => {
  await stop?.();
  for (const p of profiles) fs.rmSync(p, { recursive: true, force: true });
});

async function browser(profile?: string): Promise<{ ctx: BrowserContext; page: Page; profile: string }> {
  const dir = profile ?? makeProfileDir();
  if (profile === undefined) profiles.push(dir);
  const ctx = await launch(dir);
  contexts.push(ctx);
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  return { ctx, page, profile: dir };
}

/** Opens the playground on database `db` and waits for its postmaster. */
async function openPlayground(page: Page, db: string): Promise<void> {
  await page.goto(`${base}?db=${db}`);
  await page.evaluate(() => window.tabgres.ready);
}

interface ConformanceReport {
  mode: string;
  results: { name: string; ok: boolean; error?: string }[];
}

describe('Chromium end to end', () => {
  it('passes the StorageDirectory conformance suite on OPFS with readwrite-unsafe handles (detected)', async () => {
    const { page } = await browser();
    await page.goto(`${base}test/opfs-conformance.html`);
    const r = (await page.evaluate(() => window.conformance)) as ConformanceReport;
    expect(r.mode).toBe('readwrite-unsafe');
    expect(r.results.length).toBeGreaterThanOrEqual(20);
    expect(r.results.filter((x) => !x.ok)).toEqual([]);
  });

  it('passes the conformance suite through one shared I/O worker (the fallback, forced)', async () => {
    const { page } = await browser();
    await page.goto(`${base}test/opfs-conformance.html?mode=exclusive`);
    const r = (await page.evaluate(() => window.conformance)) as ConformanceReport;
    expect(r.mode).toBe('exclusive');
    expect(r.results.length).toBeGreaterThanOrEqual(20);
    expect(r.results.filter((x) => !x.ok)).toEqual([]);
  });

  it('keeps rows in OPFS across a reload and a relaunch of the browser on the same profile', async () => {
    const first = await browser();
    await openPlayground(first.page, 'persist');
    expect(await first.page.evaluate(() => window.tabgres.opfsAccessMode)).toBe('readwrite-unsafe');
    await first.page.evaluate(async () => {
      await window.tabgres.exec("CREATE TABLE kept (id int PRIMARY KEY, note text); INSERT INTO kept SELECT g, 'row ' || g FROM generate_series(1, 500) g");
    });
    const count = (page: Page) => page.evaluate(async () => (await window.tabgres.query('SELECT count(*)::int AS n, sum(id)::int AS s FROM kept')).rows[0]);
    expect(await count(first.page)).toEqual({ n: 500, s: 125250 });

    await first.page.reload();
    await first.page.evaluate(() => window.tabgres.ready);
    expect(await count(first.page)).toEqual({ n: 500, s: 125250 });
    await first.page.evaluate(() => window.tabgres.exec("INSERT INTO kept VALUES (501, 'after reload')"));

    await first.ctx.close();
    const again = await browser(first.profile);
    await openPlayground(again.page, 'persist');
    expect(await count(again.page)).toEqual({ n: 501, s: 125751 });
    expect(await again.page.evaluate(async () => (await window.tabgres.query('SELECT note FROM kept WHERE id = 501')).rows)).toEqual([{ note: 'after reload' }]);
  });

  it('runs the postmaster through one shared OPFS I/O worker (the fallback, forced), across a crash restart and a reload', async () => {
    const { page } = await browser();
    await page.goto(`${base}?db=shared-io&opfs=exclusive`);
    await page.evaluate(() => window.tabgres.ready);
    expect(await page.evaluate(() => window.tabgres.opfsAccessMode)).toBe('exclusive');
    const r = await page.evaluate(async () => {
      const t = window.tabgres;
      await t.exec("CREATE TABLE s (id int PRIMARY KEY, v text); CREATE INDEX ON s (v); INSERT INTO s SELECT g, 'v' || g FROM generate_series(1, 2000) g");
      await t.exec('CHECKPOINT');
      await t.exec("UPDATE s SET v = 'w' || id WHERE id % 2 = 0");
      const s1 = await t.connect();
      await s1.exec("BEGIN; DELETE FROM s WHERE id > 1000");
      await t.crashBackend(s1.pid);
      return (await t.query("SELECT count(*)::int AS n, count(*) FILTER (WHERE v LIKE 'w%')::int AS w FROM s")).rows[0];
    });
    expect(r).toEqual({ n: 2000, w: 1000 });
    await page.reload();
    await page.evaluate(() => window.tabgres.ready);
    expect(await page.evaluate(async () => (await window.tabgres.query("SELECT count(*)::int AS n FROM s WHERE v = 'w1000'")).rows[0])).toEqual({ n: 1 });
  });

  it('recycles WAL segments that other backends\' I/O workers hold open (readwrite-unsafe peers release their handles)', async () => {
    const { page } = await browser();
    await openPlayground(page, 'walrecycle');
    const r = await page.evaluate(async () => {
      const t = window.tabgres;
      await t.exec('CREATE TABLE w (id int, pad text)');
      const a = await t.connect();
      const b = await t.connect();
      // Both backends write WAL (each one's I/O worker opens the segments); checkpoints recycle the old ones.
      for (let i = 0; i < 4; i++) {
        await (i % 2 === 0 ? a : b).query(`INSERT INTO w SELECT g, repeat(md5(g::text), 20) FROM generate_series(${i * 10000 + 1}, ${i * 10000 + 10000}) g`);
        if (i % 2 === 1) await a.exec('CHECKPOINT');
      }
      const n = (await a.query('SELECT count(*)::int AS n FROM w')).rows[0].n;
      await a.release();
      await b.release();
      let wal = await navigator.storage.getDirectory();
      for (const part of ['tabgres', 'walrecycle', 'pg_wal']) wal = await wal.getDirectoryHandle(part);
      const names: string[] = [];
      for await (const name of (wal as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
      const pm = t.postmaster as unknown as { restarts: number };
      return { n, restarts: pm.restarts, firstSegmentGone: !names.includes('000000010000000000000001') };
    });
    expect(r).toEqual({ n: 40000, restarts: 0, firstSegmentGone: true });
  });

  it('restarts through crash recovery after the backend workers die in a write transaction; every committed row is there', async () => {
    const { page } = await browser();
    await openPlayground(page, 'crash');
    const outcome = await page.evaluate(async () => {
      const t = window.tabgres;
      await t.exec('CREATE TABLE acct (id int PRIMARY KEY, balance int NOT NULL)');
      for (let i = 0; i < 5; i++) await t.exec(`INSERT INTO acct SELECT g, 100 FROM generate_series(${i * 10 + 1}, ${i * 10 + 10}) g`);
      const s = await t.connect();
      await s.exec('BEGIN');
      await s.query('INSERT INTO acct SELECT g, 1 FROM generate_series(1001, 2000) g');
      await s.query('UPDATE acct SET balance = 0 WHERE id <= 25');
      // A long INSERT still running when the worker is killed.
      const running = s.query('INSERT INTO acct SELECT g, 2 FROM generate_series(3001, 400000) g');
      const failed = running.then(() => 'committed?', (e: { code?: string }) => e.code ?? String(e));
      await new Promise((r) => setTimeout(r, 150));
      const killed = await t.crashBackend(s.pid);
      const code = await failed;
      // New callers wait for the restart and go on.
      const after = (await t.query('SELECT count(*)::int AS n, sum(balance)::int AS total, max(id)::int AS top FROM acct')).rows[0];
      const pm = t.postmaster as unknown as { restarts: number; lastStartupRecovered: boolean };
      return { killed, code, after, restarts: pm.restarts, recovered: pm.lastStartupRecovered };
    });
    expect(outcome.killed).toBe(true);
    expect(outcome.code).toBe('57P01');
    expect(outcome.after).toEqual({ n: 50, total: 5000, top: 50 });
    expect(outcome.restarts).toBe(1);
    expect(outcome.recovered).toBe(true);
  });

  describe('two sessions (one instance for both tests)', () => {
    let sessionsCtx: BrowserContext | null = null;
    let shared: Page | null = null;
    beforeAll(async () => {
      const dir = makeProfileDir();
      profiles.push(dir);
      sessionsCtx = await launch(dir);
      shared = sessionsCtx.pages()[0] ?? (await sessionsCtx.newPage());
      await openPlayground(shared, 'sessions');
    });
    afterAll(async () => {
      await sessionsCtx?.close().catch(() => undefined);
    });
    const sessionsPage = async (): Promise<Page> => shared as Page;

    it('two sessions: rows one has not committed are invisible to the other until it commits', async () => {
      const page = await sessionsPage();
      const seen = await page.evaluate(async () => {
        const t = window.tabgres;
        await t.exec('CREATE TABLE m (id int)');
        const a = await t.connect();
        const b = await t.connect();
        await a.exec('BEGIN; INSERT INTO m VALUES (1), (2)');
        const before = (await b.query('SELECT count(*)::int AS n FROM m')).rows[0].n;
        const own = (await a.query('SELECT count(*)::int AS n FROM m')).rows[0].n;
        await a.exec('COMMIT');
        const after = (await b.query('SELECT count(*)::int AS n FROM m')).rows[0].n;
        await a.release();
        await b.release();
        return { pids: a.pid !== b.pid, before, own, after };
      });
      expect(seen).toEqual({ pids: true, before: 0, own: 2, after: 2 });
    });

    it('two sessions: an UPDATE waits for the row lock of the other session\'s open transaction', async () => {
      const page = await sessionsPage();
      const r = await page.evaluate(async () => {
        const t = window.tabgres;
        await t.exec('CREATE TABLE l (id int PRIMARY KEY, v int); INSERT INTO l VALUES (1, 1)');
        const a = await t.connect();
        const b = await t.connect();
        await a.exec('BEGIN; UPDATE l SET v = v + 1 WHERE id = 1');
        let settled = 'waiting';
        const waiter = b.query('UPDATE l SET v = v + 10 WHERE id = 1').then(
          (res) => { settled = `updated ${res.rowCount}`; },
          (e: { code?: string }) => { settled = `error ${e.code ?? String(e)}`; },
        );
        await new Promise((res) => setTimeout(res, 400));
        const whileHeld = settled;
        await a.exec('COMMIT');
        await waiter;
        // Both backends are held by the sessions: ask one of them.
        const v = (await a.query('SELECT v FROM l WHERE id = 1')).rows[0].v;
        await a.release();
        await b.release();
        return { whileHeld, settled, v };
      });
      expect(r).toEqual({ whileHeld: 'waiting', settled: 'updated 1', v: 12 });
    });


    it('two sessions: a deadlock is detected and reported (40P01) on one side; the other goes on', async () => {
      const page = await sessionsPage();
      const r = await page.evaluate(async () => {
        const t = window.tabgres;
        const a = await t.connect();
        const b = await t.connect();
        await a.exec('CREATE TABLE d (id int PRIMARY KEY, v int); INSERT INTO d VALUES (1, 0), (2, 0)');
        await a.exec('BEGIN; UPDATE d SET v = v + 1 WHERE id = 1');
        await b.exec('BEGIN; UPDATE d SET v = v + 1 WHERE id = 2');
        const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string; message?: string; detail?: string }) => `${e.code} ${e.message}${e.detail !== undefined && e.detail.includes('waits for') ? ' (detail names the waits)' : ''}`);
        const fromA = outcome(a.query('UPDATE d SET v = v + 10 WHERE id = 2'));
        await new Promise((res) => setTimeout(res, 100));
        const fromB = outcome(b.query('UPDATE d SET v = v + 10 WHERE id = 1'));
        const [ra, rb] = await Promise.all([fromA.then(async (x) => { await a.exec(x === 'ok' ? 'COMMIT' : 'ROLLBACK'); return x; }), fromB.then(async (x) => { await b.exec(x === 'ok' ? 'COMMIT' : 'ROLLBACK'); return x; })]);
        const rows = (await a.query('SELECT id, v FROM d ORDER BY id')).rows;
        await a.release();
        await b.release();
        return { outcomes: [ra, rb].sort(), rows };
      });
      expect(r.outcomes[0]).toBe('40P01 deadlock detected (detail names the waits)');
      expect(r.outcomes[1]).toBe('ok');
      // The survivor's two updates are committed, the victim's transaction rolled back.
      const survivorIsA = r.rows[0].v === 1 && r.rows[1].v === 10;
      const survivorIsB = r.rows[0].v === 10 && r.rows[1].v === 1;
      expect(survivorIsA || survivorIsB).toBe(true);
    });
  });

  it('a write that exceeds the OPFS quota fails with 53100; the database stays consistent and opens again', async () => {
    const { ctx, page } = await browser();
    await openPlayground(page, 'quota');
    await page.evaluate(() => window.tabgres.exec("CREATE TABLE big (id int, pad text); INSERT INTO big SELECT g, 'first' FROM generate_series(1, 100) g"));
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    // Chromium's quota for the origin, lowered to 2 MB above what the database uses now (DevTools protocol).
    const cdp = await ctx.newCDPSession(page);
    const origin = new URL(base).origin;
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 2 * 1024 * 1024 });
    const failure = await page.evaluate(async () => {
      for (let i = 1; i <= 100; i++) {
        try {
          await window.tabgres.exec(`INSERT INTO big SELECT g, repeat(md5(g::text), 30) FROM generate_series(${i * 1000}, ${i * 1000 + 999}) g`);
        } catch (e) {
          const err = e as { code?: string; message?: string };
          return { code: err.code, message: err.message, committedBatches: i - 1 };
        }
      }
      return null;
    });
    expect(failure).not.toBeNull();
    expect(failure?.code).toBe('53100');
    expect(failure?.message).toMatch(/^could not (extend|write to) file ".+": No space left on device$/);
    const expected = 100 + 1000 * (failure?.committedBatches ?? 0);
    const count = () => page.evaluate(async () => (await window.tabgres.query('SELECT count(*)::int AS n FROM big')).rows[0].n);
    expect(await count()).toBe(expected);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await page.reload();
    await page.evaluate(() => window.tabgres.ready);
    expect(await count()).toBe(expected);
    await page.evaluate(() => window.tabgres.exec("INSERT INTO big VALUES (0, 'after the quota')"));
    expect(await count()).toBe(expected + 1);
  });

  it('without cross-origin isolation the postmaster refuses to start with a clear error, not a hang', async () => {
    // The same build from a server that sends no COOP/COEP headers.
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
    const server = http.createServer((req, res) => {
      const file = path.join(dist, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      const target = fs.existsSync(file) && fs.statSync(file).isDirectory() ? path.join(file, 'index.html') : file;
      if (!target.startsWith(dist) || !fs.existsSync(target)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': types[path.extname(target)] ?? 'application/octet-stream' }).end(fs.readFileSync(target));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { page } = await browser();
      const port = (server.address() as { port: number }).port;
      await page.goto(`http://127.0.0.1:${port}/?db=isolation`);
      const err = await page.evaluate(() => window.tabgres.ready.then(() => null, (e: { code?: string; message?: string }) => ({ code: e.code, message: e.message })));
      expect(err).toEqual({ code: '55000', message: 'tabgres needs a cross-origin isolated page: SharedArrayBuffer is not available' });
      expect(await page.textContent('#status')).toContain('Cross-Origin-Opener-Policy: same-origin');
    } finally {
      server.close();
    }
  });
});
