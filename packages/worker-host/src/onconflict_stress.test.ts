/*
 * INSERT ... ON CONFLICT under a real race (issue 5): four backend workers
 * run upserts of the same few keys at the same time, in autocommit, so two
 * of them often pass the arbiter pre-check together and both insert. With
 * PostgreSQL's speculative insertion (executor/nodeModifyTable.ts header)
 * the loser's index entry sees the winner's, it super-deletes its tuple and
 * goes round again; no statement may ever fail with 23505, and the counts
 * must come out exact:
 *
 *   DO NOTHING  every backend proposes keys 0..ROUNDS-1 in the same order;
 *               each key is inserted by exactly one of them (RETURNING
 *               counts one row per key over all backends) and the table
 *               holds each key once.
 *   DO UPDATE   every backend adds 1 to a random one of KEYS counters
 *               ROUNDS times (inserting the counter at 1 when missing); each
 *               counter ends at the number of upserts aimed at it.
 *
 * Isolation specs cannot show this: their steps run one at a time, so the
 * two pre-checks never overlap. The number of super-deleted tuples left
 * (xmin 0 in pageinspect, until pruning removes them) is printed, to show
 * the race was really run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, PgError } from '@tabgres/engine';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Postmaster, type PostmasterCore, type Session } from './index.ts';

const BACKENDS = 4;
const ROUNDS = 150;
const KEYS = 3;

let root = '';
let pm: PostmasterCore;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-onconflict-'));
  const dir = path.join(root, 'data');
  const db = await Database.open({ dir: new NodeDirectory(dir), sharedBuffers: 256 });
  await db.close();
  pm = await Postmaster.start({ dataDir: dir, backends: BACKENDS, sharedBuffers: 256 });
}, 240_000);

afterAll(async () => {
  await pm?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function withSessions(n: number, fn: (s: Session[]) => Promise<void>): Promise<void> {
  const ss: Session[] = [];
  for (let i = 0; i < n; i++) ss.push(await pm.connect());
  try {
    await fn(ss);
  } finally {
    for (const s of ss) await s.release();
  }
}

/** Runs fn, collecting every PgError as "SQLSTATE message" instead of throwing. */
async function collect(errors: string[], fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof PgError) errors.push(`${e.code} ${e.message}`);
    else throw e;
  }
}

/** Tuples of the table's pages whose xmin is 0: speculative insertions that lost and were super-deleted. */
async function superDeleted(table: string): Promise<number> {
  let n = 0;
  // Page by page until get_raw_page says the block is past the end (pg_relation_size is not built yet).
  for (let p = 0; p < 1000; p++) {
    try {
      const r = await pm.query(`SELECT count(*) AS n FROM heap_page_items(get_raw_page('${table}', ${p})) WHERE t_xmin = '0'`);
      n += Number(r.rows[0].n);
    } catch (e) {
      if (e instanceof PgError && /out of range/.test(e.message)) break;
      throw e;
    }
  }
  return n;
}

describe('INSERT ... ON CONFLICT with concurrent inserters of the same keys', () => {
  it('DO NOTHING: each key inserted exactly once, never 23505', async () => {
    await pm.exec('CREATE TABLE dn (k int PRIMARY KEY, who int)');
    const errors: string[] = [];
    const inserted = new Array<number>(ROUNDS).fill(0);
    await withSessions(BACKENDS, async (ss) => {
      await Promise.all(ss.map((s, who) => collect(errors, async () => {
        for (let k = 0; k < ROUNDS; k++) {
          const r = await s.query(`INSERT INTO dn VALUES (${k}, ${who}) ON CONFLICT DO NOTHING RETURNING k`);
          inserted[k] += r.rows.length;
        }
      })));
    });
    console.log(`DO NOTHING: ${await superDeleted('dn')} super-deleted tuples (lost races) over ${ROUNDS} keys x ${BACKENDS} backends`);
    expect(errors).toEqual([]);
    expect(inserted).toEqual(new Array<number>(ROUNDS).fill(1));
    const rows = (await pm.query('SELECT count(*) AS n, count(DISTINCT k) AS d, min(k) AS lo, max(k) AS hi FROM dn')).rows[0];
    expect(rows).toEqual({ n: BigInt(ROUNDS), d: BigInt(ROUNDS), lo: 0, hi: ROUNDS - 1 });
  }, 120_000);

  it('DO UPDATE SET n = n + 1: every upsert counted once, never 23505', async () => {
    await pm.exec('CREATE TABLE du (k int PRIMARY KEY, n int NOT NULL)');
    const errors: string[] = [];
    const aimed = new Array<number>(KEYS).fill(0);
    // A fixed pseudo-random sequence per backend (no Math.random: a failure must be repeatable).
    const keyFor = (who: number, i: number): number => ((i * 7 + who * 3 + ((i * who) >> 2)) % KEYS);
    await withSessions(BACKENDS, async (ss) => {
      await Promise.all(ss.map((s, who) => collect(errors, async () => {
        for (let i = 0; i < ROUNDS; i++) {
          const k = keyFor(who, i);
          const r = await s.query(`INSERT INTO du VALUES (${k}, 1) ON CONFLICT (k) DO UPDATE SET n = du.n + 1`);
          expect(r.rowCount).toBe(1);
          aimed[k]++;
        }
      })));
    });
    console.log(`DO UPDATE: ${await superDeleted('du')} super-deleted tuples (lost races) over ${BACKENDS * ROUNDS} upserts of ${KEYS} keys`);
    expect(errors).toEqual([]);
    const rows = (await pm.query('SELECT k, n FROM du ORDER BY k')).rows;
    expect(rows).toEqual(aimed.map((n, k) => ({ k, n })).filter((r) => r.n > 0));
    expect(aimed.reduce((a, b) => a + b, 0)).toBe(BACKENDS * ROUNDS);
  }, 120_000);

  it('DO UPDATE on fresh keys: the first upsert of each key races the others to insert it', async () => {
    await pm.exec('CREATE TABLE dk (k int PRIMARY KEY, n int NOT NULL)');
    const errors: string[] = [];
    await withSessions(BACKENDS, async (ss) => {
      await Promise.all(ss.map((s) => collect(errors, async () => {
        for (let k = 0; k < ROUNDS; k++) await s.query(`INSERT INTO dk VALUES (${k}, 1) ON CONFLICT (k) DO UPDATE SET n = dk.n + 1`);
      })));
    });
    console.log(`DO UPDATE, fresh keys: ${await superDeleted('dk')} super-deleted tuples (lost races)`);
    expect(errors).toEqual([]);
    const r = (await pm.query('SELECT count(*) AS keys, min(n) AS lo, max(n) AS hi FROM dk')).rows[0];
    expect(r).toEqual({ keys: BigInt(ROUNDS), lo: BACKENDS, hi: BACKENDS });
  }, 120_000);
});
