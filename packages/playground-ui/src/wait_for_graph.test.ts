/*
 * wait_for_graph.test.ts — the wait-for graph's model without a browser:
 * cycles found once each, the lock labels pg_locks' columns give, and the
 * graph's two queries run on a real postmaster (Node workers) while two
 * sessions deadlock with deadlock_timeout raised: the cycle is there, each
 * edge labelled with the transaction the waiter waits for; a cancel ends it.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '@tabgres/engine';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Postmaster, type PostmasterCore } from '@tabgres/worker-host';
import { BACKENDS_SQL, WAITS_SQL, buildWaitForGraph, findCycles, lockLabel } from './wait_for_graph.ts';

describe('wait-for graph model', () => {
  it('finds each cycle once, started at its smallest pid', () => {
    expect(findCycles([{ from: 2, to: 1 }, { from: 1, to: 2 }])).toEqual([[1, 2, 1]]);
    expect(findCycles([{ from: 3, to: 1 }, { from: 1, to: 2 }, { from: 2, to: 3 }, { from: 4, to: 1 }])).toEqual([[1, 2, 3, 1]]);
    expect(findCycles([{ from: 2, to: 1 }, { from: 3, to: 1 }])).toEqual([]);
  });

  it('labels the lock a waiter waits for as pg_locks names it', () => {
    expect(lockLabel({ locktype: 'transactionid', mode: 'ShareLock', transactionid: '742' })).toBe('ShareLock on transaction 742');
    expect(lockLabel({ locktype: 'tuple', mode: 'ExclusiveLock', relation: 'acct', page: 0, tuple: 1 })).toBe('ExclusiveLock on tuple (0,1) of relation acct');
    expect(lockLabel({ locktype: 'relation', mode: 'AccessExclusiveLock', relation: 'acct' })).toBe('AccessExclusiveLock on relation acct');
    expect(lockLabel({ locktype: 'advisory', mode: 'ExclusiveLock', classid: '1', objid: '5', objsubid: 1 })).toBe('ExclusiveLock on advisory lock 4294967301');
    expect(lockLabel({ locktype: 'advisory', mode: 'ShareLock', classid: '7', objid: '9', objsubid: 2 })).toBe('ShareLock on advisory lock (7, 9)');
  });

  it('marks the edges of a cycle and adds a node for a pid only the lock table named', () => {
    const g = buildWaitForGraph([{ pid: 1, state: 'active', query: 'UPDATE a' }], [
      { pid: 1, locktype: 'transactionid', mode: 'ShareLock', transactionid: '10', blocked_by: [2] },
      { pid: 2, locktype: 'transactionid', mode: 'ShareLock', transactionid: '9', blocked_by: '{1}' },
    ]);
    expect(g.nodes.map((n) => n.pid)).toEqual([1, 2]);
    expect(g.edges.map((e) => [e.from, e.to, e.inCycle])).toEqual([[1, 2, true], [2, 1, true]]);
    expect(g.cycles).toEqual([[1, 2, 1]]);
  });
});

describe('wait-for graph queries on a postmaster', () => {
  let root = '';
  let pm: PostmasterCore;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-wfg-'));
    const dir = path.join(root, 'data');
    const db = await Database.open({ dir: new NodeDirectory(dir), sharedBuffers: 256 });
    await db.close();
    pm = await Postmaster.start({ dataDir: dir, backends: 3, sharedBuffers: 256, autovacuum: false });
    await pm.exec('CREATE TABLE acct (id int PRIMARY KEY, balance int); INSERT INTO acct VALUES (1, 100), (2, 100)');
  }, 240_000);
  afterAll(async () => {
    await pm?.close();
    if (root !== '') fs.rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('shows a deadlock as a cycle while deadlock_timeout keeps the detector away; a cancel breaks it', async () => {
    const a = await pm.connect();
    const b = await pm.connect();
    await a.exec("SET deadlock_timeout = '1min'; BEGIN; UPDATE acct SET balance = balance - 1 WHERE id = 1");
    await b.exec("SET deadlock_timeout = '1min'; BEGIN; UPDATE acct SET balance = balance - 1 WHERE id = 2");
    const xidA = String((await a.query('SELECT txid_current_if_assigned()::text AS x')).rows[0].x);
    const xidB = String((await b.query('SELECT txid_current_if_assigned()::text AS x')).rows[0].x);
    const waitA = a.query('UPDATE acct SET balance = balance + 1 WHERE id = 2').then(() => 'done', (e: { code?: string }) => e.code);
    const waitB = b.query('UPDATE acct SET balance = balance + 1 WHERE id = 1').then(() => 'done', (e: { code?: string }) => e.code);
    let g = buildWaitForGraph([], []);
    for (let i = 0; i < 200 && g.cycles.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      g = buildWaitForGraph((await pm.query(BACKENDS_SQL)).rows, (await pm.query(WAITS_SQL)).rows);
    }
    expect(g.cycles).toEqual([[Math.min(a.pid, b.pid), Math.max(a.pid, b.pid), Math.min(a.pid, b.pid)]]);
    expect(g.edges.map((e) => [e.from, e.to, e.label]).sort()).toEqual([
      [a.pid, b.pid, `ShareLock on transaction ${xidB}`], [b.pid, a.pid, `ShareLock on transaction ${xidA}`],
    ].sort());
    expect(g.nodes.find((n) => n.pid === a.pid)?.query).toContain('WHERE id = 2');
    pm.cancel(b.pid);
    expect(await waitB).toBe('57014');
    await b.exec('ROLLBACK');
    expect(await waitA).toBe('done');
    await a.exec('COMMIT');
    g = buildWaitForGraph((await pm.query(BACKENDS_SQL)).rows, (await pm.query(WAITS_SQL)).rows);
    expect(g.edges).toEqual([]);
    await a.release();
    await b.release();
  });
});
