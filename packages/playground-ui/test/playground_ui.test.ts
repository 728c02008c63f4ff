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
 * an UPDATE's old version get its xmax and ctid.
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
});
