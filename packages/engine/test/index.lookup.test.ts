/*
 * The primary-key lookup path as the SQL executor drives it: one short
 * statement per lookup (startStatement, beginIndexScan, next, end,
 * endStatement), thousands of times. Checks what the fast path must keep:
 * scans that reuse the per-page item arrays of ended scans (nbtscan.ts's
 * free list) return the right rows, however many scans are open at once
 * and in whichever order they end; no pin outlives a statement; and a
 * read-only statement assigns no XID and writes no WAL.
 */

import { describe, expect, it } from 'vitest';
import { Prng } from '@tabgres/opfs-storage';
import { StorageEngine } from '../src/engine.ts';
import { INT4OID, TEXTOID } from '../src/utils/adt/types.ts';
import { typ } from '../src/access/heap/heap_testutil.ts';

const int4 = typ(INT4OID);
const text = typ(TEXTOID);
const COLUMNS = [{ name: 'id', type: int4, notNull: true }, { name: 'v', type: text }];
const ROWS = 3000;

function setup(): { db: StorageEngine; rel: ReturnType<StorageEngine['createRelation']>; pk: ReturnType<StorageEngine['createIndex']> } {
  const db = StorageEngine.open({ sharedBuffers: 64 });
  const rel = db.createRelation('t', COLUMNS);
  db.insertMany(rel, Array.from({ length: ROWS }, (_, i) => [i + 1, `value ${i + 1}`]));
  const pk = db.createIndex(rel, 't_pkey', { columns: [{ name: 'id', type: int4, heapAttnum: 1 }], unique: true });
  return { db, rel, pk };
}

describe('primary-key lookups, one statement each', () => {
  it('return the right row for thousands of lookups, leaving no pin behind', () => {
    const { db, pk } = setup();
    const rng = new Prng(7);
    for (let i = 0; i < 2000; i++) {
      const k = rng.int(ROWS + 10) + 1; // some keys miss
      db.startStatement();
      const c = db.beginIndexScan(pk, [{ attno: 1, op: '=', arg: k }], { indexOnly: i % 3 === 0 });
      const got: unknown[][] = [];
      while (c.next()) got.push([...c.values]);
      c.end();
      db.endStatement();
      const want = k <= ROWS ? [i % 3 === 0 ? [k] : [k, `value ${k}`]] : [];
      expect(got).toEqual(want);
      expect(db.bufmgr.pinnedBufferCount()).toBe(0);
    }
    db.close();
  });

  it('keep every open scan correct when more scans are open than the free list holds, ended in any order', () => {
    const { db, pk } = setup();
    const rng = new Prng(11);
    db.startStatement();
    // 40 scans open at once (the free list keeps 16), each a range read in steps, in both directions.
    type Open = { c: ReturnType<StorageEngine['beginIndexScan']>; expect: number[]; got: number[] };
    const open: Open[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40; i++) {
        const lo = rng.int(ROWS - 900) + 1;
        const hi = lo + rng.int(900); // spans several leaf pages
        const backward = rng.int(2) === 0;
        const c = db.beginIndexScan(pk, [{ attno: 1, op: '>=', arg: lo }, { attno: 1, op: '<=', arg: hi }], { direction: backward ? 'backward' : 'forward', indexOnly: rng.int(2) === 0 });
        const expectIds = Array.from({ length: hi - lo + 1 }, (_, j) => lo + j);
        if (backward) expectIds.reverse();
        open.push({ c, expect: expectIds, got: [] });
      }
      // Interleave: pull a few rows from a random unfinished scan; a drained scan ends at once,
      // handing its arrays back while the others still run.
      let pending = open.slice();
      while (pending.length > 0) {
        const o = pending[rng.int(pending.length)];
        for (let n = rng.int(50) + 1; n > 0 && o.got.length < o.expect.length; n--) {
          expect(o.c.next()).toBe(true);
          o.got.push(o.c.values[0] as number);
        }
        if (o.got.length === o.expect.length) {
          expect(o.c.next()).toBe(false);
          o.c.end();
          pending = pending.filter((x) => x !== o);
        }
      }
      for (const o of open) expect(o.got).toEqual(o.expect);
      open.length = 0;
    }
    db.endStatement();
    expect(db.bufmgr.pinnedBufferCount()).toBe(0);
    db.close();
  });

  it('rescans one cursor across many keys, as a nested loop does', () => {
    const { db, pk } = setup();
    db.startStatement();
    const c = db.beginIndexScan(pk, [{ attno: 1, op: '=', arg: 1 }]);
    for (let k = 1; k <= ROWS; k += 7) {
      c.rescan([{ attno: 1, op: '=', arg: k }]);
      expect(c.next()).toBe(true);
      expect(c.values).toEqual([k, `value ${k}`]);
      expect(c.next()).toBe(false);
    }
    c.end();
    c.end(); // twice is safe, and does not hand the arrays back twice
    const a = db.beginIndexScan(pk, [{ attno: 1, op: '=', arg: 10 }]);
    const b = db.beginIndexScan(pk, [{ attno: 1, op: '=', arg: 20 }]);
    expect(a.next() && b.next()).toBe(true);
    expect([a.values[0], b.values[0]]).toEqual([10, 20]);
    a.end();
    b.end();
    db.endStatement();
    db.close();
  });

  it('a read-only statement assigns no XID and writes no WAL', () => {
    const { db, pk } = setup();
    db.checkpoint();
    const walBefore = db.xlog.getInsertRecPtr();
    for (let k = 1; k <= 200; k++) {
      db.startStatement();
      const c = db.beginIndexScan(pk, [{ attno: 1, op: '=', arg: k }]);
      expect(c.next()).toBe(true);
      c.end();
      db.endStatement();
    }
    expect(db.xlog.getInsertRecPtr()).toBe(walBefore);
    expect(db.xact.getTransactionStopTimestamp()).toBe(0);
    db.close();
  });
});
