/*
 * snapshotfuncs.test.ts — pg_current_snapshot, txid_current(_if_assigned)
 * and tabgres_tuple_visibility with two backends over one shared memory
 * segment (Database.attachSync, as the postmaster's workers). Checked: the
 * snapshot's text form is PostgreSQL's (xmin:xmax:xip), each backend's
 * answer is its own snapshot's (READ COMMITTED takes a new one per
 * statement, REPEATABLE READ keeps the first), and every version's
 * `visible` equals what that backend's SELECT returns (the same
 * HeapTupleSatisfiesMVCC) with a reason that tells the rule applied.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { Database, createSharedMemoryAndSemaphores } from '../../index.ts';

const open: Database[] = [];

afterEach(() => {
  const all = open.splice(0);
  for (let k = all.length - 1; k >= 0; k--) {
    if (all[k].isClosed) continue;
    if (k === 0) all[k].closeSync();
    else all[k].detachSync();
  }
});

function pair(): { a: Database; b: Database } {
  const dir = new MemoryDirectory();
  const shmem = createSharedMemoryAndSemaphores({ sharedBuffers: 128, walBuffers: 64 }).sab;
  const a = Database.attachSync({ dir, shmem, startup: true, pid: 301 });
  open.push(a);
  const b = Database.attachSync({ dir, shmem, startup: false, pid: 302 });
  open.push(b);
  return { a, b };
}

const rows = (db: Database, sql: string): Record<string, unknown>[] => db.querySync(sql).rows as Record<string, unknown>[];
const vis = (db: Database, rel: string): Record<string, { visible: boolean; reason: string }> =>
  Object.fromEntries(rows(db, `SELECT ctid::text AS c, visible, reason FROM tabgres_tuple_visibility('${rel}')`).map((r) => [r.c, { visible: r.visible as boolean, reason: r.reason as string }]));
/** The ctids a plain SELECT returns in that backend: what its scans see. */
const seen = (db: Database, rel: string): string[] => rows(db, `SELECT ctid::text AS c FROM ${rel} ORDER BY ctid`).map((r) => r.c as string);
const visibleOf = (v: Record<string, { visible: boolean }>): string[] => Object.keys(v).filter((c) => v[c].visible).sort();

describe('snapshots and tuple visibility per backend', () => {
  it("gives each backend's snapshot and XID in PostgreSQL's forms", () => {
    const { a, b } = pair();
    a.execSync('CREATE TABLE t (id int, v text)');
    expect(db1(a)).toMatchObject({ xid: null });
    a.execSync('BEGIN');
    a.execSync("INSERT INTO t VALUES (1, 'a')");
    const x = rows(a, 'SELECT txid_current_if_assigned() AS x, txid_current() AS y')[0];
    expect(x.x).toBe(x.y);
    const xa = Number(x.x);
    // A later transaction of b commits while a's runs: b's next snapshot has xmax past it and a's XID in xip.
    b.execSync("INSERT INTO t VALUES (2, 'b')");
    expect(rows(b, 'SELECT pg_current_snapshot()::text AS s')[0].s).toBe(`${xa}:${xa + 2}:${xa}`);
    // a's own snapshot lists no XID of its own transaction as running.
    expect(rows(a, 'SELECT pg_current_snapshot()::text AS s')[0].s).toBe(`${xa}:${xa + 2}:`);
    expect(rows(b, "SELECT '10:20:10,14,15'::pg_snapshot::text AS s")[0].s).toBe('10:20:10,14,15');
    expect(() => b.querySync("SELECT '10:20:12,11'::pg_snapshot")).toThrow('invalid input syntax for type pg_snapshot: "10:20:12,11"');
    a.execSync('COMMIT');
  });

  it('answers with the calling backend\'s own snapshot, as its SELECT sees the table', () => {
    const { a, b } = pair();
    a.execSync("CREATE TABLE t (id int, v text); INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    b.execSync('BEGIN ISOLATION LEVEL REPEATABLE READ');
    expect(seen(b, 't')).toEqual(['(0,1)', '(0,2)']);
    a.execSync('BEGIN');
    a.execSync("UPDATE t SET v = 'a2' WHERE id = 1");
    a.execSync("INSERT INTO t VALUES (3, 'c')");
    const xa = Number(rows(a, 'SELECT txid_current() AS x')[0].x);
    // a sees its own new versions, not the old one.
    let va = vis(a, 't');
    expect(visibleOf(va)).toEqual(seen(a, 't'));
    expect(va['(0,1)']).toEqual({ visible: false, reason: expect.stringMatching(/deleted by this transaction$/) as unknown });
    expect(va['(0,3)'].reason).toBe('inserted by this transaction');
    // b (REPEATABLE READ, snapshot taken before a began) sees the old versions only.
    let vb = vis(b, 't');
    expect(visibleOf(vb)).toEqual(seen(b, 't'));
    expect(visibleOf(vb)).toEqual(['(0,1)', '(0,2)']);
    expect(vb['(0,1)'].reason).toMatch(new RegExp(`xmax ${xa} started after the snapshot`));
    expect(vb['(0,3)'].reason).toMatch(new RegExp(`^xmin ${xa} started after the snapshot`));
    a.execSync('COMMIT');
    // After a's COMMIT: b's snapshot is kept (REPEATABLE READ), a's next statement sees the new versions.
    vb = vis(b, 't');
    expect(visibleOf(vb)).toEqual(['(0,1)', '(0,2)']);
    expect(vb['(0,4)'].visible).toBe(false);
    // (No hint bit yet, so the snapshot test comes first, as in HeapTupleSatisfiesMVCC.)
    expect(vb['(0,4)'].reason).toMatch(new RegExp(`^xmin ${xa} (committed but )?started after the snapshot`));
    va = vis(a, 't');
    expect(visibleOf(va)).toEqual(seen(a, 't'));
    expect(va['(0,1)'].reason).toMatch(new RegExp(`xmax ${xa} committed$`));
    expect(va['(0,1)'].visible).toBe(false);
    b.execSync('COMMIT');
    // A new READ COMMITTED statement in b: the same as a.
    expect(visibleOf(vis(b, 't'))).toEqual(visibleOf(vis(a, 't')));
    // An aborted writer's versions: invisible to everyone, "aborted".
    a.execSync("BEGIN; INSERT INTO t VALUES (9, 'x'); ROLLBACK");
    const aborted = Object.values(vis(b, 't')).filter((v) => / aborted$/.test(v.reason));
    expect(aborted.length).toBe(1);
    expect(aborted[0].visible).toBe(false);
    for (const v of Object.values(vis(b, 't'))) expect(v.reason).not.toContain('HeapTupleSatisfiesMVCC says');
  });
});

function db1(db: Database): Record<string, unknown> {
  return rows(db, 'SELECT txid_current_if_assigned() AS xid')[0];
}
