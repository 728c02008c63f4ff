/*
 * Serializable snapshot isolation across worker backends (the engine's
 * storage/lmgr/predicate.ts): the SIREAD locks and rw-conflicts live in the
 * shared segment, so transactions in different workers see each other's.
 * One postmaster for the file (workers take seconds to start). The
 * single-thread tests of the same rules are storage/lmgr/predicate.test.ts;
 * what only workers can show is a wait: SERIALIZABLE READ ONLY DEFERRABLE
 * sleeping until its snapshot is safe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '@tabgres/engine';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Postmaster, type PostmasterCore } from './index.ts';
import { rejection, settled } from './postmaster_testutil.ts';

let root = '';
let pm: PostmasterCore;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-ssi-'));
  const dir = path.join(root, 'data');
  const db = await Database.open({ dir: new NodeDirectory(dir), sharedBuffers: 256 });
  await db.close();
  pm = await Postmaster.start({ dataDir: dir, backends: 2, sharedBuffers: 256 });
  await pm.exec("CREATE TABLE doctors (name text PRIMARY KEY, on_call bool NOT NULL); INSERT INTO doctors VALUES ('alice', true), ('bob', true)");
}, 240_000);

afterAll(async () => {
  await pm?.close();
  if (root !== '') fs.rmSync(root, { recursive: true, force: true });
}, 120_000);

describe('SSI across workers', () => {
  it('write skew between two workers: the second commit fails with 40001', async () => {
    const s1 = await pm.connect();
    const s2 = await pm.connect();
    try {
      await s1.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await s2.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      expect((await s1.query('SELECT count(*)::int AS n FROM doctors WHERE on_call')).rows).toEqual([{ n: 2 }]);
      expect((await s2.query('SELECT count(*)::int AS n FROM doctors WHERE on_call')).rows).toEqual([{ n: 2 }]);
      await s1.query("UPDATE doctors SET on_call = false WHERE name = 'alice'");
      await s2.query("UPDATE doctors SET on_call = false WHERE name = 'bob'");
      await s1.query('COMMIT');
      const e = await rejection(s2.query('COMMIT'));
      expect([e.code, e.detail]).toEqual(['40001', 'Reason code: Canceled on identification as a pivot, during commit attempt.']);
      expect((await s2.query('SELECT name FROM doctors WHERE on_call')).rows).toEqual([{ name: 'bob' }]);
      await s2.query("UPDATE doctors SET on_call = true");
    } finally {
      await s1.release();
      await s2.release();
    }
  }, 60_000);

  it('SERIALIZABLE READ ONLY DEFERRABLE waits until the running writer ends, then reads its snapshot', async () => {
    const w = await pm.connect();
    const r = await pm.connect();
    try {
      // No read-write serializable transaction running: the snapshot is safe at once.
      await r.query('BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE');
      expect((await r.query('SELECT count(*)::int AS n FROM doctors')).rows).toEqual([{ n: 2 }]);
      await r.query('COMMIT');

      await w.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await w.query('SELECT count(*) FROM doctors');
      await r.query('BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE');
      const read = r.query('SELECT count(*)::int AS n FROM doctors');
      expect(await settled(read, 300)).toBe(false);
      await w.query("INSERT INTO doctors VALUES ('carol', true)");
      expect(await settled(read, 300)).toBe(false);
      await w.query('COMMIT');
      // The writer had no conflict out: the snapshot taken before its commit is safe.
      expect((await read).rows).toEqual([{ n: 2 }]);
      await r.query('COMMIT');
      await w.query("DELETE FROM doctors WHERE name = 'carol'");
    } finally {
      await w.release();
      await r.release();
    }
  }, 60_000);
});
