/*
 * TOAST (heaptoast.ts): large values compressed and/or moved out of line into
 * chunk rows of the table's TOAST relation, read back whole, kept by an
 * UPDATE that does not change them, and removed with the row version that
 * owned them.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageEngine } from '../src/engine.ts';
import { BYTEAOID, INT4OID, TEXTOID } from '../src/utils/adt/types.ts';
import type { TupleValue } from '../src/access/common/heaptuple.ts';
import { isRawVarlena } from '../src/access/common/varlena.ts';
import type { Relation } from '../src/access/heap/relation.ts';
import type { Tid } from '../src/access/common/itemptr.ts';
import { TOAST_MAX_CHUNK_SIZE } from '../src/constants.ts';
import { fingerprint, physicalTuples, randomBytes, typ } from '../src/access/heap/heap_testutil.ts';

const cols = [
  { name: 'id', type: typ(INT4OID), notNull: true },
  { name: 't', type: typ(TEXTOID) },
  { name: 'b', type: typ(BYTEAOID) },
];
const SIZES = [10 * 1024, 100 * 1024, 1024 * 1024];
const chunksFor = (bytes: number): number => Math.ceil(bytes / TOAST_MAX_CHUNK_SIZE);
/** Compressible text of `len` characters (pglz finds the repeats). */
const text = (len: number, seed: number): string => {
  const unit = `line ${seed}: the quick brown fox jumps over the lazy dog\n`;
  return unit.repeat(Math.ceil(len / unit.length)).slice(0, len);
};

describe('TOAST', () => {
  let db: StorageEngine;
  let rel: Relation;
  let toast: Relation;
  const toastRows = (): number => db.count(toast);

  beforeEach(() => {
    db = StorageEngine.open({ sharedBuffers: 256, walSegmentSize: 4 * 1024 * 1024 });
    rel = db.createRelation('t', cols);
    if (rel.toast === null) throw new Error('a table with text and bytea columns has a TOAST table');
    toast = rel.toast;
  });
  afterEach(() => db.close());

  /** The stored (not detoasted) values of the row at tid, as a scan sees them. */
  function rawRow(tid: Tid): (TupleValue | null)[] {
    let found: (TupleValue | null)[] | null = null;
    db.scanEach(rel, (values, t) => {
      if (t === tid) found = values.slice();
    });
    if (found === null) throw new Error('row not found');
    return found;
  }

  it('round-trips 10 KB, 100 KB and 1 MB values through insert, fetch and scan', () => {
    const tids: Tid[] = [];
    const want: (TupleValue | null)[][] = [];
    for (const [i, size] of SIZES.entries()) {
      const row = [i, text(size, i), randomBytes(size, i)];
      want.push(row);
      tids.push(db.insert(rel, row));
    }
    // Random bytes do not compress: exactly ceil(size / chunk) chunks each. The text compresses well.
    const byteaChunks = SIZES.reduce((n, s) => n + chunksFor(s), 0);
    const rows = toastRows();
    expect(rows).toBeGreaterThanOrEqual(byteaChunks);
    expect(rows).toBeLessThan(byteaChunks + chunksFor(SIZES[2]) / 4);

    for (const [i, tid] of tids.entries()) expect(fingerprint(db.fetch(rel, tid))).toEqual(fingerprint(want[i]));
    expect(db.scan(rel).map((r) => fingerprint(r.values))).toEqual(want.map(fingerprint));
    // The heap row itself holds TOAST pointers for the big values, not the data.
    const raw = rawRow(tids[2]);
    expect(isRawVarlena(raw[2]) && raw[2].isExternal).toBe(true);
  });

  it('keeps a small value inline, and compresses a 10 KB text inline without chunks', () => {
    db.insert(rel, [1, 'small', new Uint8Array([1, 2, 3])]);
    db.insert(rel, [2, 'x'.repeat(10 * 1024), null]);
    expect(toastRows()).toBe(0);
    expect(db.scan(rel).map((r) => r.values)).toEqual([[1, 'small', new Uint8Array([1, 2, 3])], [2, 'x'.repeat(10 * 1024), null]]);
  });

  it('does not copy an unchanged out-of-line value on UPDATE, and the old version shares it', () => {
    const bytes = randomBytes(100 * 1024, 7);
    const tid = db.insert(rel, [1, 'a', bytes]);
    const chunks = toastRows();
    expect(chunks).toBe(chunksFor(bytes.length));

    // The executor passes the stored pointer for columns an UPDATE does not set.
    const raw = rawRow(tid);
    const newTid = db.update(rel, tid, [2, 'b', raw[2]]);
    expect(toastRows()).toBe(chunks);
    expect(physicalTuples(db, toast)).toBe(chunks);
    expect(fingerprint(db.fetch(rel, newTid))).toEqual(fingerprint([2, 'b', bytes]));
    // Vacuum removes the old heap version but must keep the shared chunks.
    db.vacuum(rel);
    expect(physicalTuples(db, toast)).toBe(chunks);
    expect(fingerprint(db.fetch(rel, newTid))).toEqual(fingerprint([2, 'b', bytes]));
  });

  it('removes the old chunks of a changed value, and all chunks of a deleted row, after VACUUM', () => {
    const v1 = randomBytes(50 * 1024, 1);
    const v2 = randomBytes(30 * 1024, 2);
    const tid = db.insert(rel, [1, 'a', v1]);
    const other = db.insert(rel, [2, 'keep', randomBytes(20 * 1024, 3)]);
    const otherChunks = chunksFor(20 * 1024);
    expect(toastRows()).toBe(chunksFor(v1.length) + otherChunks);

    const tid2 = db.update(rel, tid, [1, 'a', v2]);
    // The old chunks are deleted by the update: physically there until pruned or vacuumed, invisible now.
    expect(physicalTuples(db, toast)).toBe(chunksFor(v1.length) + chunksFor(v2.length) + otherChunks);
    expect(toastRows()).toBe(chunksFor(v2.length) + otherChunks);
    db.vacuum(rel);
    expect(physicalTuples(db, toast)).toBe(chunksFor(v2.length) + otherChunks);
    expect(fingerprint(db.fetch(rel, tid2))).toEqual(fingerprint([1, 'a', v2]));

    db.delete(rel, tid2);
    expect(physicalTuples(db, toast)).toBe(chunksFor(v2.length) + otherChunks);
    expect(toastRows()).toBe(otherChunks);
    db.vacuum(rel);
    expect(physicalTuples(db, toast)).toBe(otherChunks);
    expect(db.scan(rel).map((r) => r.values[0])).toEqual([2]);
    expect(fingerprint(db.fetch(rel, other))).toEqual(fingerprint([2, 'keep', randomBytes(20 * 1024, 3)]));
  });

  it('leaves no visible chunks after a toasted insert rolls back, and VACUUM removes them', () => {
    db.insert(rel, [1, 'kept', randomBytes(5000, 9)]);
    const before = toastRows();
    db.begin();
    db.insert(rel, [2, 'gone', randomBytes(200 * 1024, 10)]);
    expect(toastRows()).toBe(before + chunksFor(200 * 1024));
    db.rollback();
    expect(physicalTuples(db, toast)).toBe(before + chunksFor(200 * 1024));
    expect(toastRows()).toBe(before);
    expect(db.count(rel)).toBe(1);
    db.vacuum(rel);
    expect(physicalTuples(db, toast)).toBe(before);
    expect(db.scan(rel).map((r) => fingerprint(r.values))).toEqual([fingerprint([1, 'kept', randomBytes(5000, 9)])]);
  });

  it('restores the old value when an UPDATE that replaced it rolls back', () => {
    const v1 = randomBytes(40 * 1024, 4);
    const tid = db.insert(rel, [1, 'a', v1]);
    db.begin();
    db.update(rel, tid, [1, 'a', randomBytes(60 * 1024, 5)]);
    db.rollback();
    expect(toastRows()).toBe(chunksFor(v1.length));
    expect(fingerprint(db.fetch(rel, tid))).toEqual(fingerprint([1, 'a', v1]));
    db.vacuum(rel);
    expect(physicalTuples(db, toast)).toBe(chunksFor(v1.length));
    expect(fingerprint(db.fetch(rel, tid))).toEqual(fingerprint([1, 'a', v1]));
  });

  it('stores a value copied by pointer from another row of the same table (its size was counted as the pointer\'s: "row is too big")', () => {
    const bytes = randomBytes(20_000, 11);
    const tid = db.insert(rel, [1, 'original', bytes]);
    const raw = rawRow(tid);
    expect(isRawVarlena(raw[2]) && raw[2].isExternal).toBe(true);
    // INSERT INTO t SELECT ...: the new row gets its own copy of the value.
    const copy = db.insert(rel, [2, 'copy', raw[2]]);
    expect(toastRows()).toBe(2 * chunksFor(bytes.length));
    expect(fingerprint(db.fetch(rel, copy))).toEqual(fingerprint([2, 'copy', bytes]));
    // The copies are independent: deleting the original leaves the copy whole.
    db.delete(rel, tid);
    db.vacuum(rel);
    expect(fingerprint(db.fetch(rel, copy))).toEqual(fingerprint([2, 'copy', bytes]));
    // UPDATE ... SET b = (another row's b) as well.
    const other = db.insert(rel, [3, 'other', null]);
    const updated = db.update(rel, other, [3, 'other', rawRow(copy)[2]]);
    expect(fingerprint(db.fetch(rel, updated))).toEqual(fingerprint([3, 'other', bytes]));
  });

  it('copies a value whose TOAST pointer names another table\'s TOAST table (it raised XX000)', () => {
    const other = db.createRelation('other', cols);
    const bytes = randomBytes(30_000, 12);
    const src = db.insert(rel, [1, 'src', bytes]);
    const copy = db.insert(other, [1, 'copied', rawRow(src)[2]]);
    expect(other.toast === null ? -1 : db.count(other.toast)).toBe(chunksFor(bytes.length));
    db.delete(rel, src);
    db.vacuum(rel);
    expect(toastRows()).toBe(0);
    expect(fingerprint(db.fetch(other, copy))).toEqual(fingerprint([1, 'copied', bytes]));
  });
});
