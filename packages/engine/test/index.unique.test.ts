/*
 * Unique indexes in the storage engine: PostgreSQL's 23505 with its message,
 * DETAIL and constraint name; conflicts with committed rows, with rows of my
 * own transaction, and none with rows that were rolled back, deleted, or
 * carry a NULL; HOT chains followed to decide; and a unique CREATE INDEX
 * over duplicate live rows refused.
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
const COLUMNS = [{ name: 'a', type: int4 }, { name: 'b', type: text }, { name: 'n', type: int4 }];

/** The error fn throws (fails the test if it does not). */
function errorOf(fn: () => unknown): PgError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('unique indexes', () => {
  let db: StorageEngine;
  let rel: Relation;
  let ua: IndexRelation;

  beforeEach(() => {
    db = StorageEngine.open({ sharedBuffers: 64 });
    rel = db.createRelation('t', COLUMNS);
    ua = db.createIndex(rel, 't_a_key', { columns: [{ name: 'a', type: int4, heapAttnum: 1 }], unique: true });
  });
  afterEach(() => db.close());

  it('raises PostgreSQL\'s 23505 for a committed duplicate', () => {
    db.insert(rel, [1, 'one', 0]);
    const e = errorOf(() => db.insert(rel, [1, 'again', 0]));
    expect(e.code).toBe('23505');
    expect(e.message).toBe('duplicate key value violates unique constraint "t_a_key"');
    expect(e.detail).toBe('Key (a)=(1) already exists.');
    expect(e.constraint).toBe('t_a_key');
    expect(e.table).toBe('t');
    // The implicit transaction rolled back: its heap row is dead, and the index still checks out.
    expect(db.count(rel)).toBe(1);
    db.checkIndex(ua);
  });

  it('frees the key when the conflicting row rolls back or is deleted', () => {
    db.begin();
    db.insert(rel, [7, 'rolled back', 0]);
    db.rollback();
    db.insert(rel, [7, 'kept', 0]);

    const tid = db.scan(rel)[0].tid;
    db.begin();
    db.delete(rel, tid);
    // My own delete, not yet committed: the key is free for me.
    db.insert(rel, [7, 'replacement', 0]);
    db.commit();
    expect(db.scan(rel).map((r) => r.values[1])).toEqual(['replacement']);
    db.checkIndex(ua);
  });

  it('conflicts with a row my own transaction inserted, and fails the block (25P02 until ROLLBACK)', () => {
    db.begin();
    db.insert(rel, [3, 'x', 0]);
    expect(errorOf(() => db.insert(rel, [3, 'y', 0])).code).toBe('23505');
    expect(errorOf(() => db.insert(rel, [4, 'z', 0])).code).toBe('25P02');
    expect(db.commit()).toBe(false);
    expect(db.count(rel)).toBe(0);
  });

  it('rolls back to a savepoint after a violation and goes on', () => {
    db.begin();
    db.insert(rel, [1, 'x', 0]);
    db.savepoint('s');
    expect(errorOf(() => db.insert(rel, [1, 'dup', 0])).code).toBe('23505');
    db.rollbackToSavepoint('s');
    db.insert(rel, [2, 'y', 0]);
    db.commit();
    expect(db.count(rel)).toBe(2);
    expect(db.checkIndex(ua).heapTuplesChecked).toBe(2);
  });

  it('never conflicts on NULL', () => {
    for (let i = 0; i < 5; i++) db.insert(rel, [null, 'null key', i]);
    expect(db.count(rel)).toBe(5);
    db.checkIndex(ua);
  });

  it('checks updates: a HOT update keeps its key, an update onto another row\'s key fails', () => {
    const t1 = db.insert(rel, [1, 'one', 0]);
    db.insert(rel, [2, 'two', 0]);
    // Key unchanged: HOT, no unique check needed, no conflict with its own old version.
    const t1b = db.update(rel, t1, [1, 'one!', 1]);
    const e = errorOf(() => db.update(rel, t1b, [2, 'one?', 1]));
    expect(e.code).toBe('23505');
    expect(e.detail).toBe('Key (a)=(2) already exists.');
    // Moving the key away and back, in one transaction.
    db.begin();
    const t1c = db.update(rel, t1b, [10, 'ten', 2]);
    db.update(rel, t1c, [1, 'one again', 3]);
    db.commit();
    expect(db.scan(rel).map((r) => r.values[0]).sort()).toEqual([1, 2]);
    db.checkIndex(ua);
  });

  it('follows a HOT chain to the live version when judging an older entry', () => {
    let tid = db.insert(rel, [5, 'v0', 0]);
    for (let i = 1; i < 10; i++) tid = db.update(rel, tid, [5, `v${i}`, i]);
    // The only entry for 5 names the chain's root; its live version is the last.
    expect(db.indexStats(ua).tuples).toBe(1);
    expect(errorOf(() => db.insert(rel, [5, 'dup', 0])).code).toBe('23505');
    db.delete(rel, tid);
    db.insert(rel, [5, 'after delete', 0]);
    db.checkIndex(ua);
  });

  it('words the DETAIL of a multi-column key as PostgreSQL does', () => {
    const ab = db.createIndex(rel, 't_a_b_key', {
      columns: [{ name: 'n', type: int4, heapAttnum: 3 }, { name: 'b', type: text, heapAttnum: 2 }],
      unique: true,
    });
    db.insert(rel, [1, 'same', 9]);
    db.insert(rel, [2, 'other', 9]);
    const e = errorOf(() => db.insert(rel, [3, 'same', 9]));
    expect(e.message).toBe('duplicate key value violates unique constraint "t_a_b_key"');
    expect(e.detail).toBe('Key (n, b)=(9, same) already exists.');
    db.checkIndex(ab);
  });

  it('refuses to build a unique index over duplicate live rows, but not over dead ones', () => {
    const plain = db.createRelation('p', COLUMNS);
    db.insert(plain, [1, 'a', 0]);
    const dead = db.insert(plain, [2, 'b', 0]);
    db.delete(plain, dead);
    db.insert(plain, [2, 'c', 0]);
    const ok = db.createIndex(plain, 'p_a_key', { columns: [{ name: 'a', type: int4, heapAttnum: 1 }], unique: true });
    db.checkIndex(ok);
    db.insert(plain, [3, 'd', 0]);
    db.dropIndex(ok);
    db.insert(plain, [3, 'e', 0]);
    const e = errorOf(() => db.createIndex(plain, 'p_a_key2', { columns: [{ name: 'a', type: int4, heapAttnum: 1 }], unique: true }));
    expect(e.code).toBe('23505');
    expect(e.message).toBe('could not create unique index "p_a_key2"');
    expect(e.detail).toBe('Key (a)=(3) is duplicated.');
    expect(db.indexesOf(plain)).toEqual([]);
  });
});
