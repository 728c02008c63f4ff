/*
 * Heap DML through the StorageEngine API: what a transaction sees of its
 * own and others' inserts, updates and deletes, savepoints, update chains
 * (t_ctid), and the errors PostgreSQL raises for bad rows and for work in
 * an aborted transaction block.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageEngine } from '../src/engine.ts';
import { INT4OID, INT8OID, BYTEAOID, TEXTOID } from '../src/utils/adt/types.ts';
import { isPgError } from '../src/utils/errors.ts';
import type { Relation } from '../src/access/heap/relation.ts';
import type { Tid } from '../src/access/common/itemptr.ts';
import { tidBlock, tidOffset } from '../src/access/common/itemptr.ts';
import { HEAP_HOT_UPDATED, HEAP_ONLY_TUPLE, HEAP_UPDATED } from '../src/access/common/htup_details.ts';
import { typ } from '../src/access/heap/heap_testutil.ts';
import { ForkNumber } from '../src/storage/relfilelocator.ts';

const cols = [{ name: 'id', type: typ(INT4OID), notNull: true }, { name: 'v', type: typ(TEXTOID) }];

/** The PgError a call throws (fails the test when it does not throw one). */
function pgErrorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isPgError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a PgError');
}

const AbortedBlock = { code: '25P02', message: 'current transaction is aborted, commands ignored until end of transaction block' };

describe('heap DML visibility', () => {
  let db: StorageEngine;
  let rel: Relation;
  const ids = (): number[] => db.scan(rel).map((r) => r.values[0] as number).sort((a, b) => a - b);

  beforeEach(() => {
    db = StorageEngine.open({ sharedBuffers: 64, walSegmentSize: 1024 * 1024 });
    rel = db.createRelation('t', cols);
  });
  afterEach(() => db.close());

  it('shows a transaction its own changes after each statement, and others only after commit', () => {
    db.begin();
    const a = db.insert(rel, [1, 'a']);
    expect(db.fetch(rel, a)).toEqual([1, 'a']);
    const a2 = db.update(rel, a, [1, 'a2']);
    expect(db.fetch(rel, a)).toBeNull();
    expect(db.fetch(rel, a2)).toEqual([1, 'a2']);
    const b = db.insert(rel, [2, 'b']);
    db.delete(rel, b);
    expect(db.fetch(rel, b)).toBeNull();
    expect(db.scan(rel).map((r) => r.values)).toEqual([[1, 'a2']]);
    db.commit();

    // A new transaction sees exactly what committed.
    expect(db.fetch(rel, a)).toBeNull();
    expect(db.fetch(rel, a2)).toEqual([1, 'a2']);
    expect(db.fetch(rel, b)).toBeNull();
    expect(db.count(rel)).toBe(1);
  });

  it('hides every change of a rolled-back transaction', () => {
    const keep = db.insert(rel, [1, 'keep']);
    const gone = db.insert(rel, [2, 'gone']);
    db.begin();
    const n = db.insert(rel, [3, 'new']);
    const u = db.update(rel, keep, [1, 'changed']);
    db.delete(rel, gone);
    expect(ids()).toEqual([1, 3]);
    db.rollback();

    expect(db.fetch(rel, keep)).toEqual([1, 'keep']);
    expect(db.fetch(rel, gone)).toEqual([2, 'gone']);
    expect(db.fetch(rel, n)).toBeNull();
    expect(db.fetch(rel, u)).toBeNull();
    expect(db.scan(rel).map((r) => r.values)).toEqual([[1, 'keep'], [2, 'gone']]);
    // The rolled-back update's xmax does not stop a later one.
    const u2 = db.update(rel, keep, [1, 'later']);
    expect(db.fetch(rel, u2)).toEqual([1, 'later']);
  });

  it('undoes only the work after the savepoint on ROLLBACK TO SAVEPOINT', () => {
    const c = db.insert(rel, [10, 'c']);
    db.begin();
    const a = db.insert(rel, [1, 'a']);
    db.savepoint('s1');
    const b = db.insert(rel, [2, 'b']);
    const a2 = db.update(rel, a, [1, 'a in s1']);
    db.delete(rel, c);
    expect(ids()).toEqual([1, 2]);
    db.rollbackToSavepoint('s1');
    // Back to the state at SAVEPOINT, in the same transaction.
    expect(db.fetch(rel, a)).toEqual([1, 'a']);
    expect(db.fetch(rel, a2)).toBeNull();
    expect(db.fetch(rel, b)).toBeNull();
    expect(db.fetch(rel, c)).toEqual([10, 'c']);
    const d = db.insert(rel, [3, 'd']);
    db.savepoint('s2');
    const e = db.insert(rel, [4, 'e']);
    db.releaseSavepoint('s2');
    // The rolled-back subtransaction's update left an aborted xmax on `a`: updating it again works.
    const a3 = db.update(rel, a, [1, 'a after']);
    expect(db.commit()).toBe(true);

    expect(ids()).toEqual([1, 3, 4, 10]);
    expect(db.fetch(rel, a3)).toEqual([1, 'a after']);
    expect(db.fetch(rel, d)).toEqual([3, 'd']);
    expect(db.fetch(rel, e)).toEqual([4, 'e']);
    expect(db.fetch(rel, b)).toBeNull();
  });

  it('links update chains through t_ctid, and old TIDs fetch nothing once the update commits', () => {
    const v0 = db.insert(rel, [1, 'v0']);
    const v1 = db.update(rel, v0, [1, 'v1']);
    const v2 = db.update(rel, v1, [1, 'v2']);
    expect(tidBlock(v1)).toBe(tidBlock(v0));
    expect(db.heap.tupleHeader(rel, v0)?.ctid).toBe(v1);
    expect(db.heap.tupleHeader(rel, v1)?.ctid).toBe(v2);
    // The newest version points at itself (heapam.ts rule 4).
    expect(db.heap.tupleHeader(rel, v2)?.ctid).toBe(v2);
    // Same-page updates are HOT: old versions HOT_UPDATED, new ones heap-only.
    expect((db.heap.tupleHeader(rel, v0)?.infomask2 ?? 0) & HEAP_HOT_UPDATED).toBe(HEAP_HOT_UPDATED);
    expect((db.heap.tupleHeader(rel, v2)?.infomask2 ?? 0) & HEAP_ONLY_TUPLE).toBe(HEAP_ONLY_TUPLE);
    expect((db.heap.tupleHeader(rel, v2)?.infomask ?? 0) & HEAP_UPDATED).toBe(HEAP_UPDATED);
    expect(db.fetch(rel, v0)).toBeNull();
    expect(db.fetch(rel, v1)).toBeNull();
    expect(db.fetch(rel, v2)).toEqual([1, 'v2']);
    expect(db.count(rel)).toBe(1);

    // Updating a superseded version is a concurrent-update failure, not a silent overwrite.
    expect(pgErrorOf(() => db.update(rel, v0, [1, 'stale'])).code).toBe('40001');
    expect(db.scan(rel).map((r) => r.values)).toEqual([[1, 'v2']]);
  });

  it('moves an updated row to another page when its page is full, without HOT', () => {
    const big = 'x'.repeat(1000);
    const tids: Tid[] = [];
    for (let i = 0; i < 7; i++) tids.push(db.insert(rel, [i, big]));
    expect(new Set(tids.map(tidBlock))).toEqual(new Set([0]));
    db.begin();
    const moved = db.update(rel, tids[3], [3, big + 'y']);
    db.commit();
    expect(tidBlock(moved)).toBe(1);
    const old = db.heap.tupleHeader(rel, tids[3]);
    expect(old?.ctid).toBe(moved);
    expect((old?.infomask2 ?? 0) & HEAP_HOT_UPDATED).toBe(0);
    expect((db.heap.tupleHeader(rel, moved)?.infomask2 ?? 0) & HEAP_ONLY_TUPLE).toBe(0);
    expect(db.fetch(rel, tids[3])).toBeNull();
    expect(db.fetch(rel, moved)).toEqual([3, big + 'y']);
    expect(ids()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('deletes and re-inserts the same key, committed and rolled back', () => {
    const first = db.insert(rel, [7, 'first']);
    db.begin();
    db.delete(rel, first);
    const second = db.insert(rel, [7, 'second']);
    expect(db.scan(rel).map((r) => r.values)).toEqual([[7, 'second']]);
    db.rollback();
    expect(db.scan(rel).map((r) => r.values)).toEqual([[7, 'first']]);
    expect(db.fetch(rel, second)).toBeNull();

    db.begin();
    db.delete(rel, first);
    const third = db.insert(rel, [7, 'third']);
    db.commit();
    expect(db.fetch(rel, first)).toBeNull();
    expect(db.fetch(rel, third)).toEqual([7, 'third']);
    expect(db.count(rel)).toBe(1);
    expect(tidOffset(third)).not.toBe(tidOffset(first));
  });

  it('sees a row inserted and updated within one transaction, and deleted in a later command', () => {
    db.begin();
    const a = db.insert(rel, [1, 'a']);
    const a1 = db.update(rel, a, [1, 'a1']);
    const a2 = db.update(rel, a1, [1, 'a2']);
    expect(db.fetch(rel, a2)).toEqual([1, 'a2']);
    db.delete(rel, a2);
    expect(db.count(rel)).toBe(0);
    db.commit();
    expect(db.count(rel)).toBe(0);
    for (const t of [a, a1, a2]) expect(db.fetch(rel, t)).toBeNull();
  });
});

describe('heap DML errors', () => {
  let db: StorageEngine;
  let rel: Relation;

  beforeEach(() => {
    db = StorageEngine.open({ sharedBuffers: 64, walSegmentSize: 1024 * 1024 });
    rel = db.createRelation('t', cols);
  });
  afterEach(() => db.close());

  it('raises 23502 with PostgreSQL\'s message for a NULL in a NOT NULL column', () => {
    expect(pgErrorOf(() => db.insert(rel, [null, 'x']))).toEqual({
      code: '23502',
      message: 'null value in column "id" of relation "t" violates not-null constraint',
    });
    // Outside a block the failed statement was its own transaction: the next one works.
    const tid = db.insert(rel, [1, 'x']);
    expect(pgErrorOf(() => db.update(rel, tid, [null, 'y'])).code).toBe('23502');
    expect(db.scan(rel).map((r) => r.values)).toEqual([[1, 'x']]);
  });

  it('raises 54000 "row is too big" for a row of 1100 int8 columns, which cannot be toasted', () => {
    const wide = db.createRelation('wide', Array.from({ length: 1100 }, (_, i) => ({ name: `c${i}`, type: typ(INT8OID) })));
    expect(wide.toast).toBeNull();
    // 24-byte header (23 rounded up to MAXALIGN) + 1100 * 8 bytes.
    expect(pgErrorOf(() => db.insert(wide, Array.from({ length: 1100 }, (_, i) => BigInt(i))))).toEqual({
      code: '54000',
      message: 'row is too big: size 8824, maximum size 8160',
    });
    // 1000 columns fit: 24 + 8000 bytes.
    const narrow = db.createRelation('narrow', Array.from({ length: 1000 }, (_, i) => ({ name: `c${i}`, type: typ(INT8OID) })));
    const tid = db.insert(narrow, Array.from({ length: 1000 }, (_, i) => BigInt(i)));
    expect(db.fetch(narrow, tid)?.[999]).toBe(999n);
  });

  it('raises 54000 for a PLAIN-storage value that does not fit a page', () => {
    const plain = db.createRelation('plain', [{ name: 'b', type: typ(BYTEAOID), storage: 'p' }]);
    expect(plain.toast).toBeNull();
    const err = pgErrorOf(() => db.insert(plain, [new Uint8Array(9000)]));
    expect(err.code).toBe('54000');
    expect(err.message).toMatch(/^row is too big: size \d+, maximum size 8160$/);
    // An update to an oversized row fails the same way and leaves the row alone.
    const tid = db.insert(plain, [new Uint8Array(10)]);
    expect(pgErrorOf(() => db.update(plain, tid, [new Uint8Array(9000)])).code).toBe('54000');
    expect(db.fetch(plain, tid)).toEqual([new Uint8Array(10)]);
  });

  it('refuses work in an aborted transaction block with 25P02 until ROLLBACK', () => {
    const before = db.insert(rel, [1, 'before']);
    db.begin();
    db.insert(rel, [2, 'in block']);
    expect(pgErrorOf(() => db.insert(rel, [null, 'bad'])).code).toBe('23502');
    expect(db.inTransactionBlock).toBe(true);
    expect(pgErrorOf(() => db.insert(rel, [3, 'x']))).toEqual(AbortedBlock);
    expect(pgErrorOf(() => db.fetch(rel, before))).toEqual(AbortedBlock);
    expect(pgErrorOf(() => db.scan(rel))).toEqual(AbortedBlock);
    expect(pgErrorOf(() => db.count(rel))).toEqual(AbortedBlock);
    expect(pgErrorOf(() => db.update(rel, before, [1, 'y']))).toEqual(AbortedBlock);
    expect(pgErrorOf(() => db.delete(rel, before))).toEqual(AbortedBlock);
    expect(pgErrorOf(() => db.createRelation('u', cols))).toEqual(AbortedBlock);
    db.rollback();
    expect(db.inTransactionBlock).toBe(false);
    expect(db.scan(rel).map((r) => r.values)).toEqual([[1, 'before']]);
    db.insert(rel, [4, 'after']);
    expect(db.count(rel)).toBe(2);
  });

  it('turns COMMIT of an aborted block into a rollback', () => {
    db.begin();
    db.insert(rel, [1, 'lost']);
    expect(pgErrorOf(() => db.insert(rel, [null, 'bad'])).code).toBe('23502');
    expect(db.commit()).toBe(false);
    expect(db.count(rel)).toBe(0);
  });

  it('recovers an aborted block with ROLLBACK TO SAVEPOINT', () => {
    db.begin();
    db.insert(rel, [1, 'kept']);
    db.savepoint('s');
    db.insert(rel, [2, 'undone']);
    expect(pgErrorOf(() => db.insert(rel, [null, 'bad'])).code).toBe('23502');
    expect(pgErrorOf(() => db.insert(rel, [3, 'refused']))).toEqual(AbortedBlock);
    db.rollbackToSavepoint('s');
    db.insert(rel, [4, 'after']);
    expect(db.commit()).toBe(true);
    expect(db.scan(rel).map((r) => r.values[0])).toEqual([1, 4]);
  });

  it('aborts the transaction block when VACUUM is refused inside it (the block stayed usable)', () => {
    db.begin();
    db.insert(rel, [1, 'lost']);
    expect(pgErrorOf(() => db.vacuum(rel))).toEqual({ code: '25001', message: 'VACUUM cannot run inside a transaction block' });
    expect(pgErrorOf(() => db.insert(rel, [2, 'refused']))).toEqual(AbortedBlock);
    expect(pgErrorOf(() => db.vacuum(rel))).toEqual(AbortedBlock);
    db.rollback();
    expect(db.count(rel)).toBe(0);
    expect(db.vacuum(rel).pagesScanned).toBe(1);
  });
});

describe('relation storage lifetime (catalog/storage.ts)', () => {
  let db: StorageEngine;
  beforeEach(() => {
    db = StorageEngine.open({ sharedBuffers: 64, walSegmentSize: 1024 * 1024 });
  });
  afterEach(() => db.close());
  const exists = (rel: Relation): boolean => db.smgr.exists(rel.locator, ForkNumber.MAIN);

  it('removes the files of a table created in a transaction that rolls back, or in a rolled-back savepoint', () => {
    db.begin();
    const a = db.createRelation('a', cols);
    db.insert(a, [1, 'x']);
    expect(exists(a)).toBe(true);
    db.rollback();
    expect(exists(a)).toBe(false);

    db.begin();
    const b = db.createRelation('b', cols);
    db.savepoint('s');
    const c = db.createRelation('c', cols);
    db.rollbackToSavepoint('s');
    expect(exists(c)).toBe(false);
    db.commit();
    expect(exists(b)).toBe(true);
  });

  it('keeps a dropped table until commit, and keeps it if the drop rolls back', () => {
    const t = db.createRelation('t', cols);
    db.insert(t, [1, 'x']);
    db.begin();
    db.dropRelation(t);
    expect(exists(t)).toBe(true);
    db.rollback();
    expect(exists(t)).toBe(true);
    const reopened = db.openRelation({ oid: t.oid, name: 't', columns: cols, toastOid: t.toast?.oid ?? null });
    expect(db.count(reopened)).toBe(1);
    db.dropRelation(reopened);
    expect(exists(t)).toBe(false);
    if (t.toast !== null) expect(db.smgr.exists(t.toast.locator, ForkNumber.MAIN)).toBe(false);
  });
});
