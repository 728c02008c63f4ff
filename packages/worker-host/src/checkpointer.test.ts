/*
 * The checkpointer worker (postmaster.ts, StorageEngine.checkpointerMain):
 * CHECKPOINT issued in a backend is forwarded to it and waited for; it
 * runs timed checkpoints (checkpoint_timeout) while no backend does
 * anything; it writes the shutdown checkpoint at close (a reopen needs no
 * recovery); its death is a crash like a backend's. The background writer
 * and WAL writer workers start and leave with the instance (their rounds
 * are tested in the engine's test/auxiliary.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '@tabgres/engine';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Postmaster, type PostmasterCore } from './index.ts';

let root = '';
let dir = '';

function control(): Buffer {
  return fs.readFileSync(path.join(dir, 'global', 'pg_control'));
}

function settle(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-checkpointer-'));
  dir = path.join(root, 'data');
  const db = await Database.open({ dir: new NodeDirectory(dir), sharedBuffers: 256 });
  await db.close();
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the checkpointer process', () => {
  let pm: PostmasterCore;

  it('runs CHECKPOINT for a backend, and timed checkpoints while the backends are idle', async () => {
    pm = await Postmaster.start({ dataDir: dir, backends: 2, sharedBuffers: 256, checkpointTimeoutMs: 1000 });
    expect(pm.checkpointerPid).not.toBeNull();
    expect(pm.backendPids).not.toContain(pm.checkpointerPid);
    await pm.exec('CREATE TABLE t (x int); INSERT INTO t SELECT g FROM generate_series(1, 1000) g');
    const before = control();
    await pm.exec('CHECKPOINT');
    const afterCheckpoint = control();
    expect(afterCheckpoint.equals(before)).toBe(false);
    // WAL written, then nothing: only the checkpointer's timer can checkpoint now.
    await pm.exec('INSERT INTO t VALUES (0)');
    const idle = control();
    let changed = false;
    for (let k = 0; k < 60 && !changed; k++) {
      await settle(100);
      changed = !control().equals(idle);
    }
    expect(changed).toBe(true);
  }, 240_000);

  it('writes the shutdown checkpoint at close: a reopen needs no recovery and finds every row', async () => {
    await pm.close();
    const pm2 = await Postmaster.start({ dataDir: dir, backends: 1, sharedBuffers: 256 });
    expect(pm2.lastStartupRecovered).toBe(false);
    expect((await pm2.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 1001 }]);
    pm = pm2;
  }, 240_000);

  it('a checkpointer that dies is a crash: the instance restarts through recovery with a new one', async () => {
    const old = pm.checkpointerPid as number;
    await pm.exec('INSERT INTO t VALUES (-1)');
    const w = (pm as unknown as { checkpointer: { worker: { terminate(): Promise<void> } } }).checkpointer.worker;
    await w.terminate();
    for (let k = 0; k < 100 && pm.restarts === 0; k++) await settle(20);
    expect((await pm.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 1002 }]);
    expect(pm.restarts).toBe(1);
    expect(pm.lastStartupRecovered).toBe(true);
    expect(pm.checkpointerPid).not.toBe(old);
    expect(pm.checkpointerPid).not.toBeNull();
    await pm.close();
  }, 240_000);

  it('with the background writer and WAL writer: four auxiliary workers (with the default autovacuum launcher), and a clean shutdown', async () => {
    const p = await Postmaster.start({ dataDir: dir, backends: 1, sharedBuffers: 64, bgwriter: true, walwriter: true });
    const aux = p.auxiliaryPids;
    expect(Object.keys(aux).sort()).toEqual(['autovacuum', 'bgwriter', 'checkpointer', 'walwriter']);
    await p.exec("INSERT INTO t SELECT g FROM generate_series(1, 5000) g");
    await settle(500);
    await p.close();
    const p2 = await Postmaster.start({ dataDir: dir, backends: 1, sharedBuffers: 256, checkpointer: false });
    expect(p2.lastStartupRecovered).toBe(false);
    expect(p2.checkpointerPid).toBeNull();
    expect((await p2.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 6002 }]);
    await p2.close();
  }, 240_000);
});
