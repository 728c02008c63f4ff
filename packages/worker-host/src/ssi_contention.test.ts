/*
 * How much serializable transactions in different workers contend for the
 * predicate lock table's one LWLock (storage/lmgr/predicate.ts; README
 * "Serializable snapshot isolation", "One LWLock"). Two workers each run
 * short read-write SERIALIZABLE transactions on their own rows, at the
 * same time; the segment's counters (predicateLockStatsOf) say how often
 * the LWLock was taken and how often the taker found it held. The numbers
 * are printed for the README; the assertions only check that the counters
 * count (no timing is asserted).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, predicateLockStatsOf } from '@tabgres/engine';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Postmaster, type PostmasterCore } from './index.ts';

let root = '';
let pm: PostmasterCore;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-ssi-contention-'));
  const dir = path.join(root, 'data');
  const db = await Database.open({ dir: new NodeDirectory(dir), sharedBuffers: 256 });
  await db.close();
  pm = await Postmaster.start({ dataDir: dir, backends: 2, sharedBuffers: 256 });
  await pm.exec('CREATE TABLE accts (id int PRIMARY KEY, bal int NOT NULL); INSERT INTO accts SELECT g, 0 FROM generate_series(1, 200) g');
}, 240_000);

afterAll(async () => {
  await pm?.close();
  if (root !== '') fs.rmSync(root, { recursive: true, force: true });
}, 120_000);

const PER_SESSION = 150;

/** One worker's share: read and update its own rows (odd or even ids), retrying a 40001. */
async function run(level: string, parity: number): Promise<{ commits: number; failures: number }> {
  const s = await pm.connect();
  let commits = 0;
  let failures = 0;
  try {
    for (let i = 0; i < PER_SESSION; i++) {
      const id = ((2 * i + parity) % 200) + 1;
      try {
        await s.query(`BEGIN ISOLATION LEVEL ${level}`);
        await s.query(`SELECT bal FROM accts WHERE id = ${id}`);
        await s.query(`UPDATE accts SET bal = bal + 1 WHERE id = ${id}`);
        await s.query('COMMIT');
        commits++;
      } catch (e) {
        if ((e as { code?: string }).code !== '40001') throw e;
        failures++;
        await s.query('ROLLBACK');
      }
    }
  } finally {
    await s.release();
  }
  return { commits, failures };
}

it('two workers running read-write SERIALIZABLE transactions: predicate LWLock acquisitions and waits', async () => {
  const shmem = pm.sharedMemory;
  if (shmem === null) throw new Error('postmaster has no segment');
  for (const level of ['REPEATABLE READ', 'SERIALIZABLE']) {
    const before = predicateLockStatsOf(shmem);
    const t0 = performance.now();
    const [a, b] = await Promise.all([run(level, 0), run(level, 1)]);
    const ms = performance.now() - t0;
    const after = predicateLockStatsOf(shmem);
    const acquires = after.acquires - before.acquires;
    const contended = after.contended - before.contended;
    const xacts = a.commits + a.failures + b.commits + b.failures;
    console.log(
      `${level}: ${xacts} transactions (${a.failures + b.failures} x 40001) in ${ms.toFixed(0)} ms; ` +
        `predicate LWLock acquired ${acquires} times (${(acquires / xacts).toFixed(1)} per transaction), ` +
        `found held ${contended} times (${acquires === 0 ? 0 : ((100 * contended) / acquires).toFixed(2)}%)`,
    );
    expect(a.commits + b.commits).toBeGreaterThan(0);
    if (level === 'SERIALIZABLE') {
      // Registration, the SIREAD locks, the conflict checks and the end: several acquisitions per transaction.
      expect(acquires).toBeGreaterThanOrEqual(4 * xacts);
      expect(contended).toBeLessThanOrEqual(acquires);
    } else {
      // Other isolation levels never touch the predicate lock table.
      expect(acquires).toBe(0);
    }
  }
}, 300_000);
