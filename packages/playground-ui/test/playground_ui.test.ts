/*
 * playground_ui.test.ts — the playground's page in Chromium, driven through
 * its UI (not window.tabgres): SQL typed into a session's CodeMirror editor
 * and run with Ctrl-Enter, a syntax error's SQLSTATE and the mark at its
 * position, a row lock making session 2 show "waiting" until session 1
 * commits (and the locks view naming the wait), a transaction shown
 * aborted until ROLLBACK, Cancel of a running statement (57014), and the
 * buffer grid drawn from shared memory with dirty buffers after an INSERT;
 * the query journey of a join (tokens, RangeVar, range table, a plan tree
 * with costs, EXPLAIN ANALYZE's actual rows) and the page inspector showing
 * an UPDATE's old version get its xmax and ctid; the WAL stream growing
 * live after an INSERT (PostgreSQL 15's descriptions, a block reference
 * opening the page inspector); a B-tree drawn from the meta page to its
 * leaves, growing after more rows; the snapshots view's per-session
 * visibility of an UPDATE's two versions, before and after its COMMIT.
 * wal-stream.png, btree.png and snapshots.png also go to docs/screenshots/.
 *
 * One browser and one page for all the tests (in order: each builds on the
 * table the first made). Screenshots go to test/artifacts/ (gitignored).
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { launch, makeProfileDir, servePlayground } from './e2e_harness.ts';

const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));
/** The README's pictures: the WAL, B-tree and snapshots tests write theirs here too. */
const docsShots = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
let stop: (() => Promise<void>) | null = null;
let ctx: BrowserContext | null = null;
let page: Page;
let profile = '';

beforeAll(async () => {
  const s = await servePlayground();
  stop = s.close;
  profile = makeProfileDir();
  ctx = await launch(profile);
  page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${s.url}?db=ui`);
  await page.evaluate(() => window.tabgres.ready);
  fs.mkdirSync(artifacts, { recursive: true });
}, 120_000);

afterAll(async () => {
  await ctx?.close().catch(() => undefined);
  await stop?.();
  if (profile !== '') fs.rmSync(profile, { recursive: true, force: true });
});

const session = (n: number): Locator => page.locator(`section.session[data-session="${n}"]`);

/** Replaces session n's editor text as typed input, then runs it with Ctrl-Enter. */
async function runIn(n: number, sql: string): Promise<void> {
  const s = session(n);
  await s.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(sql);
  await page.keyboard.press('Control+Enter');
}

/** Waits until session n has finished its statement. */
async function settled(n: number): Promise<void> {
  await page.waitForFunction((k) => document.querySelector(`section.session[data-session="${k}"]`)?.getAttribute('data-running') === 'false', n);
}

async function shot(name: string, target: Locator | Page = page): Promise<void> {
  await target.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

describe('playground UI in Chromium', () => {
  it('runs a script typed into session 1 and shows the rows, NULL distinctly, the command tags and the timing', async () => {
    await runIn(1, "CREATE TABLE acct (id int PRIMARY KEY, owner text, balance int); INSERT INTO acct VALUES (1, 'alice', 100), (2, 'bob', NULL); SELECT * FROM acct ORDER BY id;");
    await settled(1);
    const out = session(1).locator('.output');
    expect(await out.locator('.tag').allTextContents()).toEqual(['CREATE TABLE', 'INSERT 0 2', 'SELECT 2']);
    expect(await out.locator('th').allTextContents()).toEqual(['id', 'owner', 'balance']);
    expect(await out.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)))).toEqual([
      ['1', 'alice', '100'], ['2', 'bob', 'NULL'],
    ]);
    expect(await out.locator('td.null').count()).toBe(1);
    expect(await out.locator('.timing').textContent()).toMatch(/^3 statements, \d+\.\d ms$/);
    await shot('session-result', session(1));
  });

  it('shows a syntax error with 42601 and underlines its position in the editor', async () => {
    await runIn(1, 'SELECT id FROM acct;\nSELEC 2;');
    await settled(1);
    const err = session(1).locator('.output .error');
    expect(await err.locator('.sqlstate').textContent()).toBe('42601');
    expect(await err.locator('.message').textContent()).toContain('syntax error at or near "SELEC"');
    expect(await err.locator('.position').textContent()).toBe('at character 22 (line 2, column 1)');
    expect(await session(1).locator('.cm-pg-error').allTextContents()).toEqual(['SELEC']);
    await shot('session-error', session(1));
  });

  it('shows session 2 waiting for the row lock of session 1 until session 1 commits; the locks view names the wait', async () => {
    await runIn(1, 'BEGIN; UPDATE acct SET balance = balance + 1 WHERE id = 1;');
    await settled(1);
    await page.waitForFunction(() => document.querySelector('section.session[data-session="1"]')?.getAttribute('data-tx') === 'in transaction');

    await runIn(2, 'UPDATE acct SET balance = balance + 10 WHERE id = 1;');
    await page.waitForFunction(() => document.querySelector('section.session[data-session="2"]')?.getAttribute('data-waiting') === 'true');
    expect(await session(2).locator('.status .waiting').textContent()).toBe('waiting for a lock');
    expect(await session(2).getAttribute('data-running')).toBe('true');

    await page.click('#internals-tabs button[data-view="locks"]');
    const pid1 = await page.evaluate(() => window.tabgres.sessions[0].pid);
    const pid2 = await page.evaluate(() => window.tabgres.sessions[1].pid);
    await page.waitForSelector('.locks .wait-edge');
    expect(await page.locator('.locks .wait-edge').allTextContents()).toEqual([`pid ${pid2} waits for pid ${pid1}`]);
    expect(await page.locator('.locks tr.not-granted').count()).toBeGreaterThan(0);
    await shot('sessions-waiting');
    await shot('locks-view', page.locator('#internals'));

    await runIn(1, 'COMMIT;');
    await settled(1);
    await settled(2);
    expect(await session(2).locator('.output .tag').allTextContents()).toEqual(['UPDATE 1']);
    await page.waitForFunction(() => document.querySelector('section.session[data-session="2"]')?.getAttribute('data-waiting') === 'false');
    await runIn(2, 'SELECT balance FROM acct WHERE id = 1;');
    await settled(2);
    expect(await session(2).locator('.output tbody td').allTextContents()).toEqual(['111']);
  });

  it('shows a transaction aborted by an error as "aborted" until ROLLBACK', async () => {
    await runIn(1, 'BEGIN; SELECT 1 / 0;');
    await settled(1);
    expect(await session(1).locator('.output .sqlstate').textContent()).toBe('22012');
    await page.waitForFunction(() => document.querySelector('section.session[data-session="1"]')?.getAttribute('data-tx') === 'aborted');
    await runIn(1, 'SELECT 1;');
    await settled(1);
    expect(await session(1).locator('.output .sqlstate').textContent()).toBe('25P02');
    await runIn(1, 'ROLLBACK;');
    await settled(1);
    await page.waitForFunction(() => document.querySelector('section.session[data-session="1"]')?.getAttribute('data-tx') === 'idle');
  });

  it('cancels a running statement with the Cancel button (57014); the session goes on', async () => {
    await runIn(2, 'SELECT pg_sleep(30);');
    await page.waitForFunction(() => document.querySelector('section.session[data-session="2"] .status .active') !== null);
    await session(2).locator('button.cancel').click();
    await settled(2);
    expect(await session(2).locator('.output .sqlstate').textContent()).toBe('57014');
    expect(await session(2).locator('.output .message').textContent()).toContain('canceling statement due to user request');
    await runIn(2, 'SELECT 1 AS one;');
    await settled(2);
    expect(await session(2).locator('.output tbody td').allTextContents()).toEqual(['1']);
  });

  it('draws the buffer pool from shared memory; an INSERT after a CHECKPOINT dirties buffers', async () => {
    await page.click('#internals-tabs button[data-view="buffers"]');
    const pool = page.locator('.buffer-pool');
    const nbuffers = await pool.locator('.grid .cell').count();
    expect(nbuffers).toBeGreaterThanOrEqual(16);
    expect(await pool.locator('.grid .cell.hand').count()).toBe(1);
    expect(Number(await pool.getAttribute('data-valid'))).toBeGreaterThan(0);

    await runIn(1, 'CHECKPOINT;');
    await settled(1);
    await page.waitForTimeout(250); // two refreshes of the grid
    const dirtyAfterCheckpoint = await pool.locator('.grid .cell.dirty').count();

    await runIn(1, "CREATE TABLE filler (id int, pad text); INSERT INTO filler SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g;");
    await settled(1);
    expect(await session(1).locator('.output .tag').allTextContents()).toEqual(['CREATE TABLE', 'INSERT 0 2000']);
    await page.waitForFunction((before) => document.querySelectorAll('.buffer-pool .grid .cell.dirty').length > before + 10, dirtyAfterCheckpoint);
    // Both read in one evaluate: the grid redraws every 100 ms and background writes change it between two reads.
    const [dirty, summary] = await pool.evaluate((p) => [p.querySelectorAll('.grid .cell.dirty').length, Number((p as HTMLElement).dataset.dirty)]);
    expect(summary).toBe(dirty);
    expect(await pool.locator('.grid .cell.dirty').first().getAttribute('title')).toMatch(/^buffer \d+: rel \d+ \w+ block \d+\nrefcount \d+, usage \d, dirty$/);
    await shot('buffer-pool', page.locator('#internals'));
    await shot('playground');
  });

  it("shows the query journey of session 1's last statement: tokens, raw tree, range table, plan tree with costs, then EXPLAIN ANALYZE", async () => {
    await runIn(1, "CREATE TABLE cust (id int PRIMARY KEY, name text); INSERT INTO cust VALUES (1, 'alice'), (2, 'bob'); ANALYZE cust; ANALYZE acct;\nSELECT c.name, a.balance FROM cust c JOIN acct a ON a.id = c.id WHERE c.id < 10;");
    await settled(1);
    await page.click('#internals-tabs button[data-view="journey"]');
    const j = page.locator('.journey');
    await j.locator('select.session-picker').selectOption('1');
    await j.locator('button.show-journey').click();
    await j.locator('.plan-node').first().waitFor();
    expect(await j.locator('pre.statement').textContent()).toBe('SELECT c.name, a.balance FROM cust c JOIN acct a ON a.id = c.id WHERE c.id < 10');
    const tokens = await j.locator('.token .token-text').allTextContents();
    expect(tokens.slice(0, 6)).toEqual(['SELECT', 'c', '.', 'name', ',', 'a']);
    expect(tokens).toContain('JOIN');
    expect(await j.locator('.token-KEYWORD .token-text').first().textContent()).toBe('SELECT');
    expect(await j.locator('.raw-tree .node-type').allTextContents()).toContain('RangeVar');
    const rtable = await j.locator('table.rtable tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent).slice(0, 3)));
    expect(rtable).toEqual([['1', 'RTE_RELATION', 'c'], ['2', 'RTE_RELATION', 'a'], ['3', 'RTE_JOIN', 'unnamed_join']]);
    expect(await j.locator('pre.query-text').textContent()).toContain('(a.id = c.id)');
    const top = j.locator('.plan-tree > li > .plan-node');
    expect(['Hash Join', 'Nested Loop']).toContain(await top.getAttribute('data-node-type'));
    expect(await top.locator('.cost').textContent()).toMatch(/^cost=\d+\.\d\d\.\.\d+\.\d\d rows=\d+ width=\d+$/);
    expect(await j.locator('.plan-node .actual').count()).toBe(0);
    expect(await j.locator('.plan-node[data-node-type="Seq Scan"], .plan-node[data-node-type="Index Scan"]').count()).toBeGreaterThanOrEqual(2);

    await j.locator('button.explain-analyze').click();
    await j.locator('.plan-node .actual').first().waitFor();
    expect(await top.locator('.actual').textContent()).toMatch(/^actual time=\d+\.\d{3}\.\.\d+\.\d{3} rows=2 loops=1$/);
    await shot('journey', page.locator('#internals'));
  });

  it("shows a heap page in the page inspector; after an UPDATE the old version has xmax set and a ctid to the new one", async () => {
    await runIn(1, "CREATE TABLE pi (id int, v text); INSERT INTO pi VALUES (1, 'a'), (2, 'b');");
    await settled(1);
    await page.click('#internals-tabs button[data-view="page"]');
    const v = page.locator('.page-inspector');
    await v.locator('input.relation').fill('pi');
    await v.locator('input.block').fill('0');
    await v.locator('button.inspect').click();
    await v.locator('tr[data-lp="2"]').waitFor();
    const cell = (lp: number, col: string): Promise<string | null> => v.locator(`tr[data-lp="${lp}"] td[data-col="${col}"]`).textContent();
    const xmin1 = Number(await cell(1, 't_xmin'));
    expect(xmin1).toBeGreaterThan(2);
    expect(await cell(1, 't_xmax')).toBe('0');
    expect(await cell(1, 't_ctid')).toBe('(0,1)');
    expect(await cell(1, 'lp_flags')).toBe('1 LP_NORMAL');
    expect(await cell(1, 't_infomask')).toContain('HEAP_XMAX_INVALID');
    expect(await v.locator('tr[data-field="pd_lower"] td').textContent()).toBe('32');
    expect(await v.locator('tr[data-field="pd_pagesize_version"] td').textContent()).toBe('size 8192, version 4');
    expect(await v.locator('tr[data-field="free space"] td').textContent()).toMatch(/^\d+ bytes/);

    await runIn(1, "UPDATE pi SET v = 'a2' WHERE id = 1;");
    await settled(1);
    await v.locator('button.inspect').click();
    await v.locator('tr[data-lp="3"]').waitFor();
    const xmax1 = Number(await cell(1, 't_xmax'));
    expect(xmax1).toBeGreaterThan(xmin1);
    expect(await cell(1, 't_ctid')).toBe('(0,3)');
    expect(Number(await cell(3, 't_xmin'))).toBe(xmax1);
    expect(await cell(3, 't_xmax')).toBe('0');
    expect(await cell(3, 't_infomask')).toContain('HEAP_UPDATED');
    expect(await v.locator('tr[data-field="pd_lower"] td').textContent()).toBe('36');
    await shot('page-inspector', page.locator('#internals'));
  });

  it('shows the WAL stream live: an INSERT adds Heap and COMMIT records in PostgreSQL 15 wording; a block ref opens the page', async () => {
    await runIn(1, "CREATE TABLE ws (id int, v text); INSERT INTO ws VALUES (1, 'a');");
    await settled(1);
    await page.click('#internals-tabs button[data-view="wal"]');
    const w = page.locator('.wal-stream');
    await w.locator('tbody tr').first().waitFor();
    const before = await page.evaluate(() => window.tabgres.wal?.total ?? 0);
    await runIn(1, "INSERT INTO ws VALUES (2, 'b');");
    await settled(1);
    // Live: the view polls twice a second; the INSERT's records arrive without a click.
    await page.waitForFunction((n) => (window.tabgres.wal?.total ?? 0) >= n + 2, before);
    const heap = w.locator('tr[data-rmgr="Heap"][data-type="INSERT"]').first();
    await heap.waitFor();
    expect(await heap.locator('td[data-col="description"]').textContent()).toMatch(/^off 2 flags 0x[0-9A-F]{2}$/);
    expect(await heap.locator('td[data-col="block_ref"]').textContent()).toMatch(/^blkref #0: rel 1663\/\d+\/\d+ fork main blk 0/);
    expect(await w.locator('tr[data-rmgr="Transaction"][data-type="COMMIT"] td[data-col="description"]').first().textContent())
      .toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00$/);
    const lsns = await w.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.lsn as string));
    const value = (l: string): bigint => (BigInt('0x' + l.split('/')[0]) << 32n) | BigInt('0x' + l.split('/')[1]);
    for (let i = 1; i < lsns.length; i++) expect(value(lsns[i - 1]) > value(lsns[i])).toBe(true); // newest first
    await shot('wal-stream', page.locator('#internals'));
    fs.copyFileSync(path.join(artifacts, 'wal-stream.png'), path.join(docsShots, 'wal-stream.png'));

    await heap.locator('a.blkref').first().click();
    await page.locator('#view-page:not([hidden]) .page-inspector tr[data-lp="2"]').waitFor();
    expect(await page.locator('.page-inspector input.relation').inputValue()).toBe('ws');
  });

  it('draws a B-tree from the meta page to the leaves and lists a page\'s items; the snapshots view shows what each session sees and why', async () => {
    await runIn(1, "CREATE TABLE bt (id int PRIMARY KEY, v text); INSERT INTO bt SELECT i, 'row ' || i FROM generate_series(1, 800) i;");
    await settled(1);
    await page.click('#internals-tabs button[data-view="btree"]');
    const b = page.locator('.btree-view');
    await b.locator('input.index').fill('bt_pkey');
    await b.locator('button.show').click();
    await b.locator('.bt-page[data-type="r"]').waitFor();
    expect(await b.locator('.bt-meta').textContent()).toContain('version 4');
    const leaves1 = await b.locator('.bt-page[data-type="l"]').count();
    expect(leaves1).toBeGreaterThanOrEqual(2);
    await b.locator('.bt-page[data-type="l"]').first().click();
    await b.locator('.bt-items tbody tr').first().waitFor();
    // The leftmost leaf: its high key first (no htid), then the keys 1, 2, ... as little-endian int4 with their heap TIDs.
    expect(await b.locator('.bt-items tr[data-item="2"] td[data-col="data"]').textContent()).toBe('01 00 00 00 00 00 00 00');
    expect(await b.locator('.bt-items tr[data-item="2"] td[data-col="htid"]').textContent()).toBe('(0,1)');
    expect(await b.locator('.bt-items tr[data-item="1"] td[data-col="htid"]').getAttribute('class')).toBe('null');
    await runIn(1, "INSERT INTO bt SELECT i, 'row ' || i FROM generate_series(801, 2000) i;");
    await settled(1);
    await b.locator('button.show').click();
    await page.waitForFunction((n) => document.querySelectorAll('.btree-view .bt-page[data-type="l"]').length > n, leaves1);
    await shot('btree', page.locator('#internals'));
    fs.copyFileSync(path.join(artifacts, 'btree.png'), path.join(docsShots, 'btree.png'));

    await runIn(1, "CREATE TABLE sv (id int, v text); INSERT INTO sv VALUES (1, 'a');");
    await settled(1);
    await runIn(1, 'BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT * FROM sv;');
    await settled(1);
    await runIn(2, "BEGIN; UPDATE sv SET v = 'b' WHERE id = 1;");
    await settled(2);
    await page.click('#internals-tabs button[data-view="snapshots"]');
    const sv = page.locator('.snapshot-view');
    await sv.locator('input.table').fill('sv');
    await sv.locator('button.refresh').click();
    const cell = (ctid: string, n: number): Locator => sv.locator(`.visibility tr[data-ctid="${ctid}"] td[data-session="${n}"]`);
    await cell('(0,2)', 2).waitFor();
    expect(await sv.locator('.snapshots tr[data-session="1"]').textContent()).toContain('repeatable read');
    expect(await sv.locator('.snapshots tr[data-session="1"] td[data-col="xid"]').getAttribute('class')).toBe('null');
    const xid2 = await sv.locator('.snapshots tr[data-session="2"] td[data-col="xid"]').textContent();
    expect(Number(xid2)).toBeGreaterThan(2);
    expect(await sv.locator('.snapshots tr[data-session="2"] td[data-col="snapshot"]').textContent()).toMatch(/^\d+:\d+:/);
    // The old version: session 1 still sees it (its updater began after session 1's snapshot), session 2 deleted it.
    expect(await cell('(0,1)', 1).getAttribute('data-visible')).toBe('true');
    expect(await cell('(0,1)', 1).textContent()).toContain(`xmax ${xid2 ?? ''} started after the snapshot`);
    expect(await cell('(0,1)', 2).getAttribute('data-visible')).toBe('false');
    expect(await cell('(0,1)', 2).textContent()).toContain('deleted by this transaction');
    // The new version: only its inserter sees it.
    expect(await cell('(0,2)', 1).getAttribute('data-visible')).toBe('false');
    expect(await cell('(0,2)', 2).textContent()).toContain('inserted by this transaction');

    await runIn(2, 'COMMIT;');
    await settled(2);
    await sv.locator('button.refresh').click();
    await page.waitForFunction(() => document.querySelector('.snapshot-view .visibility tr[data-ctid="(0,2)"] td[data-session="2"]')?.getAttribute('data-visible') === 'true'
      && document.querySelector('.snapshot-view .snapshots tr[data-session="2"] td[data-col="xid"]')?.className === 'null');
    // Session 2's new snapshot sees the new version; session 1's REPEATABLE READ snapshot still the old one.
    expect(await cell('(0,1)', 2).textContent()).toContain(`xmax ${xid2 ?? ''} committed`);
    expect(await cell('(0,1)', 1).getAttribute('data-visible')).toBe('true');
    expect(await cell('(0,2)', 1).getAttribute('data-visible')).toBe('false');
    await shot('snapshots', page.locator('#internals'));
    fs.copyFileSync(path.join(artifacts, 'snapshots.png'), path.join(docsShots, 'snapshots.png'));
    await runIn(1, 'COMMIT;');
    await settled(1);
  });
});

/*
 * The databases bar (database_picker.ts, worker-host's db_registry.ts), on a
 * second tab of the same browser: two databases created and written, both
 * listed with their data after a reload; the open database exported (it is
 * closed for that and reopened), another exported, deleted, and imported
 * back with its rows; a damaged archive refused with nothing created;
 * deleting the open database refused; a sample database loaded in one click.
 */
describe('databases bar in Chromium', () => {
  let tab: Page;
  const base = (): string => `${new URL(page.url()).origin}/`;
  const ready = async (): Promise<void> => {
    await tab.waitForFunction(() => window.tabgres?.postmaster !== null && window.tabgres?.postmaster !== undefined);
    await tab.evaluate(() => window.tabgres.ready);
  };
  const rowsOf = async (sql: string): Promise<unknown[]> => tab.evaluate(async (q) => (await window.tabgres.query(q)).rows, sql);
  const listed = async (): Promise<string[]> => {
    await tab.locator('#databases .db-table').waitFor();
    return tab.locator('#databases tr[data-db]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.db ?? ''));
  };
  const message = (): Locator => tab.locator('#databases .db-message');

  beforeAll(async () => {
    tab = await (ctx as BrowserContext).newPage();
    await tab.setViewportSize({ width: 1280, height: 800 });
    tab.on('dialog', (d) => void d.accept());
  });
  afterAll(async () => {
    await tab?.close().catch(() => undefined);
  });

  it('creates two databases, writes to both, lists both with their data after a reload', async () => {
    await tab.goto(`${base()}?db=db-a&backends=2`);
    await ready();
    await tab.evaluate(() => window.tabgres.exec("CREATE TABLE notes (t text); INSERT INTO notes VALUES ('in a')"));
    await tab.locator('#databases input[name="db-name"]').fill('db-b');
    await Promise.all([tab.waitForURL(/db=db-b/), tab.locator('#databases button.db-create').click()]);
    await ready();
    await tab.evaluate(() => window.tabgres.exec("CREATE TABLE notes (t text); INSERT INTO notes VALUES ('in b')"));
    await tab.reload();
    await ready();
    expect(await listed()).toEqual(expect.arrayContaining(['db-a', 'db-b', 'ui']));
    expect(await tab.locator('#databases tr[data-db="db-b"]').getAttribute('class')).toBe('current');
    expect(await tab.locator('#databases tr[data-db="ui"] .badge').textContent()).toBe('open in another tab');
    expect(await tab.locator('#databases .persistence').textContent()).toMatch(/^storage: (persistent|best-effort)/);
    expect(await rowsOf('SELECT t FROM notes')).toEqual([{ t: 'in b' }]);
    await Promise.all([tab.waitForURL(/db=db-a/), tab.locator('#databases tr[data-db="db-a"] a').click()]);
    await ready();
    expect(await rowsOf('SELECT t FROM notes')).toEqual([{ t: 'in a' }]);
    // The closed database's size was measured (initdb's files at least).
    expect(await tab.locator('#databases tr[data-db="db-b"] .db-size').textContent()).toMatch(/MB$/);
  });

  it('exports the open database and another; deletes one, imports it back with its rows; refuses a damaged archive and deleting the open one', async () => {
    // The open database: closed for the export (clean shutdown), downloaded, opened again in the page.
    const [current] = await Promise.all([tab.waitForEvent('download'), tab.locator('#databases tr[data-db="db-a"] button.db-export').click()]);
    expect(current.suggestedFilename()).toBe('db-a.tabgres.tar.gz');
    await expect.poll(() => message().textContent(), { timeout: 30_000 }).toMatch(/^exported "db-a" \(\d+\.\d kB\)$/);
    await ready();
    expect(await rowsOf('SELECT t FROM notes')).toEqual([{ t: 'in a' }]);

    const [download] = await Promise.all([tab.waitForEvent('download'), tab.locator('#databases tr[data-db="db-b"] button.db-export').click()]);
    const bytes = fs.readFileSync(await download.path());
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    await expect.poll(() => message().textContent(), { timeout: 30_000 }).toMatch(/^exported "db-b"/);

    await tab.locator('#databases tr[data-db="db-a"] button.db-delete').click();
    await expect.poll(() => message().textContent(), { timeout: 30_000 }).toMatch(/^55006: database "db-a" is being accessed by other users/);

    await tab.locator('#databases tr[data-db="db-b"] button.db-delete').click();
    await expect.poll(() => message().textContent(), { timeout: 30_000 }).toBe('deleted database "db-b"');
    expect(await listed()).not.toContain('db-b');

    // A damaged copy, under another name: refused, nothing listed.
    const damaged = Buffer.from(bytes);
    damaged[damaged.length >> 1] ^= 0xff;
    await tab.locator('#databases input[name="db-name"]').fill('broken');
    await tab.locator('#databases input[type="file"]').setInputFiles({ name: 'broken.tabgres.tar.gz', mimeType: 'application/gzip', buffer: damaged });
    await expect.poll(() => message().textContent(), { timeout: 30_000 }).toMatch(/^XX001: /);
    expect(await listed()).not.toContain('broken');
    expect(await tab.evaluate(async () => (await navigator.storage.getDirectory().then((d) => d.getDirectoryHandle('tabgres')).then((d) => d.getDirectoryHandle('broken')).then(() => true, () => false)))).toBe(false);

    await tab.locator('#databases input[name="db-name"]').fill('');
    await tab.locator('#databases input[type="file"]').setInputFiles({ name: 'db-b.tabgres.tar.gz', mimeType: 'application/gzip', buffer: bytes });
    await expect.poll(() => message().textContent(), { timeout: 30_000 }).toMatch(/^imported database "db-b"/);
    expect(await listed()).toContain('db-b');
    await Promise.all([tab.waitForURL(/db=db-b/), tab.locator('#databases tr[data-db="db-b"] a').click()]);
    await ready();
    expect(await rowsOf('SELECT t FROM notes')).toEqual([{ t: 'in b' }]);
  });

  it('loads a sample database in one click', async () => {
    await Promise.all([tab.waitForURL(/db=bank/), tab.locator('#databases button.db-sample[data-sample="bank"]').click()]);
    await tab.waitForFunction(() => document.getElementById('status')?.dataset.sample === 'loaded', undefined, { timeout: 60_000 });
    expect(await rowsOf('SELECT owner, balance FROM accounts ORDER BY id')).toEqual([
      { owner: 'alice', balance: '1000.00' }, { owner: 'bob', balance: '250.00' }, { owner: 'carol', balance: '4200.00' }, { owner: 'dave', balance: '0.00' },
    ]);
    expect(tab.url()).not.toContain('sample=');
    await tab.locator('#databases tr[data-db="bank"] .badge.sample').waitFor();
    await tab.locator('#databases').screenshot({ path: path.join(artifacts, 'databases.png') });
    fs.copyFileSync(path.join(artifacts, 'databases.png'), path.join(docsShots, 'databases.png'));
  }, 60_000);
});

/*
 * The lessons panel (lesson_panel.ts over lessons.ts) and the wait-for graph
 * (wait_for_graph.ts, in the locks view), on the first tab: the locking
 * lesson's "run this" buttons make session 2 wait for session 1's row lock
 * (an edge labelled with session 1's transaction), then a deadlock drawn as
 * a cycle (deadlock_timeout raised by the lesson; session 2's Cancel ends it
 * here instead of its 10 s detector); the crash lesson's button ends every
 * backend worker, the postmaster restarts through recovery, the committed
 * rows are there and the uncommitted ones invisible. wait-for-graph.png and
 * lesson.png go to docs/screenshots/.
 */
describe('lessons and the wait-for graph in Chromium', () => {
  const runStep = async (n: number): Promise<void> => {
    await page.locator(`.lesson-panel .lesson-sql[data-session="${n}"] button.lesson-run`).click();
  };
  const next = async (): Promise<void> => {
    await page.locator('.lesson-panel button.lesson-next').click();
  };

  it('the locking lesson: the wait-for graph draws session 2 waiting for session 1, then a deadlock as a cycle', async () => {
    await page.click('#lessons-toggle');
    await page.selectOption('.lesson-panel select.lesson-picker', 'locking');
    await runStep(1);
    await settled(1);
    await next();
    await runStep(1);
    await settled(1);
    await page.waitForFunction(() => document.querySelector('section.session[data-session="1"]')?.getAttribute('data-tx') === 'in transaction');
    await runStep(2);
    await page.waitForFunction(() => document.querySelector('section.session[data-session="2"]')?.getAttribute('data-waiting') === 'true');
    const [pid1, pid2] = await page.evaluate(() => [window.tabgres.sessions[0].pid, window.tabgres.sessions[1].pid]);
    const xid1 = await page.evaluate(async (p) => String((await window.tabgres.query('SELECT backend_xid::text AS x FROM pg_stat_activity WHERE pid = $1', [p])).rows[0].x), pid1);
    // The step opened the locks view; the graph is live (twice a second).
    const graph = page.locator('#view-locks:not([hidden]) .wait-for-graph');
    const edge = graph.locator(`path.wfg-edge[data-from="${pid2}"][data-to="${pid1}"]`);
    await edge.waitFor();
    expect(await graph.locator('path.wfg-edge').count()).toBe(1);
    expect(await graph.locator(`text.wfg-label[data-from="${pid2}"]`).textContent()).toBe(`waits forShareLock on transaction ${xid1}`);
    expect(await graph.locator(`g.wfg-node[data-pid="${pid2}"]`).getAttribute('class')).toContain('waiting');
    expect(await graph.locator(`g.wfg-node[data-pid="${pid2}"] .wfg-query`).first().textContent()).toMatch(/^UPDATE lock_demo SET balance/);

    await next();
    await runStep(1); // COMMIT
    await settled(1);
    await settled(2);
    expect(await session(2).locator('.output .tag').allTextContents()).toEqual(['UPDATE 1']);
    await page.locator('#view-locks .wait-for-graph[data-edges="0"]').waitFor();

    await next();
    await runStep(1);
    await settled(1);
    await runStep(2);
    await settled(2);
    await next();
    await runStep(1);
    await page.waitForFunction(() => document.querySelector('section.session[data-session="1"]')?.getAttribute('data-waiting') === 'true');
    await runStep(2);
    await page.locator('#view-locks .wait-for-graph[data-cycles="1"]').waitFor();
    expect(await graph.locator('path.wfg-edge.cycle').count()).toBe(2);
    expect(await graph.locator('.wfg-caption').textContent()).toMatch(new RegExp(`^deadlock: pid ${Math.min(pid1 ?? 0, pid2 ?? 0)} → pid ${Math.max(pid1 ?? 0, pid2 ?? 0)} → pid ${Math.min(pid1 ?? 0, pid2 ?? 0)}`));
    await shot('lesson');
    await shot('wait-for-graph', page.locator('#view-locks .wait-for-graph'));
    fs.copyFileSync(path.join(artifacts, 'lesson.png'), path.join(docsShots, 'lesson.png'));
    fs.copyFileSync(path.join(artifacts, 'wait-for-graph.png'), path.join(docsShots, 'wait-for-graph.png'));
    // Session 2's deadlock check would fire after its 10 s deadlock_timeout; Cancel ends its wait sooner.
    await session(2).locator('button.cancel').click();
    await settled(2);
    expect(await session(2).locator('.output .sqlstate').textContent()).toBe('57014');
    await settled(1);
    await next();
    await runStep(2);
    await settled(2);
    await runStep(1);
    await settled(1);
    expect(await session(1).locator('.output tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)))).toEqual([
      ['1', '99'], ['2', '101'],
    ]);
  });

  it("the crash lesson's button ends every backend worker; the restart recovers the committed rows and not the uncommitted", async () => {
    await page.selectOption('.lesson-panel select.lesson-picker', 'crash');
    await runStep(1);
    await settled(1);
    await next();
    await runStep(2); // BEGIN; INSERT, UPDATE, never committed
    await settled(2);
    const xid2 = await page.evaluate(async () => String((await window.tabgres.sessions[1].queryOnBackend('SELECT txid_current_if_assigned()::text AS x')).rows[0].x));
    await runStep(1); // CHECKPOINT
    await settled(1);
    await next();
    const before = await page.evaluate(() => ({ restarts: window.tabgres.postmaster?.restarts ?? -1, pids: window.tabgres.postmaster?.backendPids ?? [] }));
    await page.locator('.lesson-panel button.lesson-crash').click();
    const result = page.locator('.lesson-panel .lesson-crash-result[data-restarts]');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.getAttribute('data-restarts')).toBe(String(before.restarts + 1));
    expect(await result.getAttribute('data-recovered')).toBe('true');
    const after = await page.evaluate(() => window.tabgres.postmaster?.backendPids ?? []);
    expect(after.length).toBe(before.pids.length);
    expect(after.filter((p) => before.pids.includes(p))).toEqual([]);

    await next();
    await runStep(1);
    await settled(1);
    const tables = session(1).locator('.output table');
    expect(await tables.nth(0).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)))).toEqual([
      ['(0,1)', '1', 'committed'], ['(0,2)', '2', 'committed too'],
    ]);
    // The raw page: recovery replayed the uncommitted insert and update too; their XID never committed, so no snapshot sees them.
    const items = await tables.nth(1).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    expect(items[0].slice(0, 3)).toEqual(['1', expect.any(String), xid2]); // row 1's old version: xmax the aborted XID
    expect(items.some((r) => r[1] === xid2)).toBe(true); // a version session 2 wrote, on the page, invisible
  }, 90_000);
});
