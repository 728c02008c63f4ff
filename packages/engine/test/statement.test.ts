/*
 * The statement API the SQL executor drives (engine.ts header):
 * startStatement ... endStatement share one snapshot and one command id, so
 * an UPDATE that scans while it writes never meets its own new versions
 * (the Halloween problem), through a sequential scan or an index scan on
 * the column it changes; errors abort the implicit transaction or fail the
 * block; cursors opened outside a statement run one of their own.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageEngine } from '../src/engine.ts';
import { INT4OID, TEXTOID } from '../src/utils/adt/types.ts';
import type { Relation } from '../src/access/heap/relation.ts';
import type { IndexRelation } from '../src/access/nbtree/nbtree.ts';
import { PgError } from '../src/utils/errors.ts';
import { typ } from '../src/access/heap/heap_testutil.ts';

const int4 = typ(INT4OID);
const text = typ(TEXTOID);
const COLUMNS = [{ name: 'id', type: int4, notNull: true }, { name: 'n', type: int4 }, { name: 'note', type: text }];
const ROWS = 1500;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof PgError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('statements', () => {
  let db: StorageEngine;
  let rel: Relation;
  let byN: IndexRelation;

  beforeEach(() => {
    db = StorageEngine.open({ sharedBuffers: 96 });
    rel = db.createRelation('t', COLUMNS);
    db.insertMany(rel, Array.from({ length: ROWS }, (_, i) => [i, i, 'x']));
    byN = db.createIndex(rel, 't_n', { columns: [{ name: 'n', type: int4, heapAttnum: 2 }] });
  });
  afterEach(() => db.close());

  const ns = (): number[] => db.scan(rel).map((r) => r.values[1] as number).sort((a, b) => a - b);

  it('UPDATE t SET n = n + 1 through a sequential scan updates every row once and ends (Halloween)', () => {
    db.startStatement();
    const c = db.beginScan(rel);
    let updated = 0;
    while (c.next()) {
      db.update(rel, c.tid, [c.values[0], (c.values[1] as number) + 1, 'seq']);
      updated++;
      expect(updated).toBeLessThanOrEqual(ROWS);
    }
    c.end();
    db.endStatement();
    expect(updated).toBe(ROWS);
    expect(ns()).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    db.checkIndex(byN);
  });

  it('UPDATE t SET n = n + 10000 WHERE n >= 0 through an ascending index scan on n updates every row once', () => {
    // Every new version's key lies ahead of the scan: without the statement's snapshot it would meet them forever.
    db.begin();
    db.startStatement();
    const c = db.beginIndexScan(byN, [{ attno: 1, op: '>=', arg: 0 }], { direction: 'forward' });
    let updated = 0;
    while (c.next()) {
      db.update(rel, c.tid, [c.values[0], (c.values[1] as number) + 10_000, 'idx']);
      updated++;
      expect(updated).toBeLessThanOrEqual(ROWS);
    }
    db.endStatement(); // closes the cursor
    // The next statement of the block sees the new versions.
    db.startStatement();
    const again = db.beginIndexScan(byN, [{ attno: 1, op: '>=', arg: 10_000 }]);
    let seen = 0;
    while (again.next()) seen++;
    db.endStatement();
    db.commit();
    expect(updated).toBe(ROWS);
    expect(seen).toBe(ROWS);
    expect(ns()).toEqual(Array.from({ length: ROWS }, (_, i) => i + 10_000));
    db.checkIndex(byN);
  });

  it('a row updated twice in one statement is reported, not updated again (tryUpdate)', () => {
    db.startStatement();
    const tid = db.beginScan(rel);
    expect(tid.next()).toBe(true);
    const first = tid.tid;
    tid.end();
    expect(db.tryUpdate(rel, first, [0, -1, 'once']).outcome).toBe('ok');
    expect(db.tryUpdate(rel, first, [0, -2, 'twice'])).toEqual({ outcome: 'self-modified', tid: expect.any(Number) as number });
    db.endStatement();
    expect(db.scan(rel).find((r) => r.values[0] === 0)?.values).toEqual([0, -1, 'once']);
  });

  it('does not see rows inserted by the statement itself, and the next statement does', () => {
    db.begin();
    db.startStatement();
    const c = db.beginScan(rel);
    let n = 0;
    while (c.next()) {
      if (n < 10) db.insert(rel, [ROWS + n, -1, 'new']);
      n++;
    }
    expect(n).toBe(ROWS);
    db.endStatement();
    expect(db.count(rel)).toBe(ROWS + 10);
    db.commit();
  });

  it('commits an implicit transaction at endStatement and rolls it back at abortStatement', () => {
    db.startStatement();
    db.insert(rel, [9000, 0, 'kept']);
    db.endStatement();
    db.startStatement();
    db.insert(rel, [9001, 0, 'lost']);
    db.abortStatement(new Error('client went away'));
    expect(db.inTransactionBlock).toBe(false);
    expect(db.scan(rel).filter((r) => (r.values[0] as number) >= 9000).map((r) => r.values[2])).toEqual(['kept']);
  });

  it('fails the block after abortStatement: 25P02 until ROLLBACK', () => {
    db.begin();
    db.startStatement();
    db.insert(rel, [9000, 0, 'x']);
    db.abortStatement(new Error('boom'));
    expect(db.inTransactionBlock).toBe(true);
    expect(codeOf(() => db.startStatement())).toBe('25P02');
    expect(codeOf(() => db.insert(rel, [1, 1, 'y']))).toBe('25P02');
    db.rollback();
    db.startStatement();
    expect(db.count(rel)).toBe(ROWS);
    db.endStatement();
  });

  it('endStatement after a failed call aborts and rethrows it; later calls in the statement are refused', () => {
    const idx = db.createIndex(rel, 't_id', { columns: [{ name: 'id', type: int4, heapAttnum: 1 }], unique: true });
    db.startStatement();
    db.insert(rel, [5000, 0, 'a']);
    expect(codeOf(() => db.insert(rel, [5000, 0, 'b']))).toBe('23505');
    expect(codeOf(() => db.insert(rel, [5001, 0, 'c']))).toBe('25P02');
    expect(codeOf(() => db.endStatement())).toBe('23505');
    expect(db.inStatement).toBe(false);
    expect(db.count(rel)).toBe(ROWS);
    db.checkIndex(idx);
  });

  it('refuses transaction control inside a statement', () => {
    db.startStatement();
    expect(codeOf(() => db.begin())).toBe('25001');
    expect(codeOf(() => db.startStatement())).toBe('25001');
    db.endStatement();
    expect(codeOf(() => db.endStatement())).toBe('25000');
  });

  it('gives a cursor opened outside a statement its own, ended by end()', () => {
    const c = db.beginScan(rel);
    expect(db.inStatement).toBe(true);
    let n = 0;
    while (c.next()) n++;
    c.end();
    expect(n).toBe(ROWS);
    expect(db.inStatement).toBe(false);
    expect(db.inTransactionBlock).toBe(false);
    // A cursor that fails aborts the statement it would have owned.
    expect(() => db.beginIndexScan(byN, [{ attno: 7, op: '=', arg: 1 }])).toThrow('invalid scan key attribute number 7 for index "t_n"');
    expect(db.inStatement).toBe(false);
    expect(db.count(rel)).toBe(ROWS);
  });

  it('keeps one snapshot for the whole statement (READ COMMITTED takes a new one per statement)', () => {
    db.begin();
    db.startStatement();
    const before = db.count(rel);
    db.insert(rel, [7000, 0, 'in statement']);
    expect(db.count(rel)).toBe(before); // same snapshot, same command id
    expect(db.fetch(rel, db.scan(rel)[0].tid)).not.toBeNull();
    db.endStatement();
    expect(db.count(rel)).toBe(before + 1);
    db.commit();
  });

  it('lets a utility command see its own changes with commandCounterIncrement', () => {
    db.startStatement();
    db.insert(rel, [8000, 0, 'catalog row']);
    expect(db.count(rel)).toBe(ROWS);
    db.commandCounterIncrement();
    expect(db.count(rel)).toBe(ROWS + 1);
    db.endStatement();
  });
});
