/*
 * Index scans through the storage engine against a model: a table worked
 * on by random inserts, HOT and non-HOT updates, deletes and rollbacks;
 * every scan (random bounds, equalities, null tests, both directions) must
 * return exactly the visible rows that satisfy its keys, in the index's
 * order, each once. Index-only scans must agree and visit the heap only
 * for pages the visibility map does not call all-visible.
 */

import { describe, expect, it } from 'vitest';
import { Prng } from '@tabgres/opfs-storage';
import { StorageEngine } from '../src/engine.ts';
import { INT4OID, TEXTOID } from '../src/utils/adt/types.ts';
import type { IndexRelation, ScanKey } from '../src/access/nbtree/nbtree.ts';
import type { Tid } from '../src/access/common/itemptr.ts';
import { typ } from '../src/access/heap/heap_testutil.ts';

const int4 = typ(INT4OID);
const text = typ(TEXTOID);
const COLUMNS = [{ name: 'id', type: int4, notNull: true }, { name: 'a', type: int4 }, { name: 'b', type: text }, { name: 'pad', type: text }];

type Row = [number, number | null, string | null, string];

/** Index (a ASC NULLS LAST, b DESC NULLS FIRST) order, then id: a total order the index's TID tiebreak makes stable only per version, so ties are compared as sets. */
function cmpNullable<T>(x: T | null, y: T | null, nullsFirst: boolean, desc: boolean): number {
  if (x === null || y === null) {
    if (x === y) return 0;
    return (x === null) === nullsFirst ? -1 : 1;
  }
  const c = x < y ? -1 : x > y ? 1 : 0;
  return desc ? -c : c;
}

function keyCmp(r: Row, s: Row): number {
  return cmpNullable(r[1], s[1], false, false) || cmpNullable(r[2], s[2], true, true);
}

/** Whether a row satisfies one scan key on index column attno (1 = a, 2 = b). */
function satisfies(r: Row, k: ScanKey): boolean {
  const v = k.attno === 1 ? r[1] : r[2];
  if (k.op === 'isnull') return v === null;
  if (k.op === 'notnull') return v !== null;
  if (v === null) return false;
  const arg = k.arg as number | string;
  switch (k.op) {
    case '<':
      return v < arg;
    case '<=':
      return v <= arg;
    case '=':
      return v === arg;
    case '>=':
      return v >= arg;
    case '>':
      return v > arg;
  }
}

function randomKeys(rng: Prng): ScanKey[] {
  const keys: ScanKey[] = [];
  const n = rng.int(3);
  for (let i = 0; i < n; i++) {
    const attno = rng.chance(0.7) ? 1 : 2;
    const op = rng.pick(['<', '<=', '=', '>=', '>', '=', 'isnull', 'notnull'] as const);
    if (op === 'isnull' || op === 'notnull') keys.push({ attno, op });
    else keys.push({ attno, op, arg: attno === 1 ? rng.int(60) : `b${rng.int(12)}` });
  }
  return keys;
}

/** Runs the scan and checks it against the model; returns the heap fetches it made. */
function checkScan(db: StorageEngine, index: IndexRelation, model: Map<number, Row>, keys: ScanKey[], direction: 'forward' | 'backward', indexOnly: boolean): number {
  const want = [...model.values()].filter((r) => keys.every((k) => satisfies(r, k))).sort(keyCmp);
  if (direction === 'backward') want.reverse();
  const c = db.beginIndexScan(index, keys, { direction, indexOnly });
  const got: unknown[][] = [];
  const tids = new Set<Tid>();
  while (c.next()) {
    got.push([...c.values]);
    tids.add(c.tid);
  }
  const fetches = c.heapFetches;
  c.end();
  const what = `${direction}${indexOnly ? ' index-only' : ''} ${JSON.stringify(keys)}`;
  expect(got.length, what).toBe(want.length);
  expect(tids.size, what).toBe(want.length);
  if (indexOnly) {
    expect(got, what).toEqual(want.map((r) => [r[1], r[2]]));
  } else {
    // Same keys in the same order; among equal keys the order is by TID, so compare those runs as sets.
    expect(got.map((r) => [r[1], r[2]]), what).toEqual(want.map((r) => [r[1], r[2]]));
    const byKey = (rows: unknown[][]): string[] => rows.map((r) => JSON.stringify(r)).sort();
    expect(byKey(got), what).toEqual(byKey(want as unknown[][]));
  }
  return fetches;
}

describe('index scans against a model', () => {
  it('return exactly the visible matching rows, in order, both directions, after random DML', () => {
    const rng = new Prng(4711);
    const db = StorageEngine.open({ sharedBuffers: 96 });
    const rel = db.createRelation('t', COLUMNS);
    const model = new Map<number, Row>();
    const tids = new Map<number, Tid>();
    const value = (): [number | null, string | null] => [rng.chance(0.08) ? null : rng.int(60), rng.chance(0.08) ? null : `b${rng.int(12)}`];
    let nextId = 0;
    // Rows before the index exists (the build), then DML with it.
    for (let i = 0; i < 600; i++) {
      const [a, b] = value();
      const row: Row = [nextId++, a, b, 'p'.repeat(rng.int(60))];
      tids.set(row[0], db.insert(rel, row));
      model.set(row[0], row);
    }
    const index = db.createIndex(rel, 't_a_b', {
      columns: [{ name: 'a', type: int4, heapAttnum: 2 }, { name: 'b', type: text, heapAttnum: 3, desc: true, nullsFirst: true }],
    });
    for (let round = 0; round < 12; round++) {
      db.begin();
      const commit = rng.chance(0.8);
      const pending = new Map(model);
      const pendingTids = new Map(tids);
      for (let op = 0; op < 80; op++) {
        const ids = [...pending.keys()];
        const p = rng.next();
        if (p < 0.35 || ids.length === 0) {
          const [a, b] = value();
          const row: Row = [nextId++, a, b, 'p'.repeat(rng.int(60))];
          pendingTids.set(row[0], db.insert(rel, row));
          pending.set(row[0], row);
        } else if (p < 0.85) {
          const id = ids[rng.int(ids.length)];
          const old = pending.get(id) as Row;
          // Half of the updates keep the key (HOT when there is room), half change it.
          const [a, b] = rng.chance(0.5) ? [old[1], old[2]] : value();
          const row: Row = [id, a, b, 'q'.repeat(rng.int(60))];
          pendingTids.set(id, db.update(rel, pendingTids.get(id) as Tid, row));
          pending.set(id, row);
        } else {
          const id = ids[rng.int(ids.length)];
          db.delete(rel, pendingTids.get(id) as Tid);
          pending.delete(id);
          pendingTids.delete(id);
        }
      }
      // Inside the transaction, scans see its own changes.
      for (let q = 0; q < 4; q++) checkScan(db, index, pending, randomKeys(rng), rng.chance(0.5) ? 'forward' : 'backward', rng.chance(0.3));
      if (commit) {
        db.commit();
        model.clear();
        for (const [k, v] of pending) model.set(k, v);
        tids.clear();
        for (const [k, v] of pendingTids) tids.set(k, v);
      } else {
        db.rollback();
      }
      for (let q = 0; q < 10; q++) checkScan(db, index, model, randomKeys(rng), rng.chance(0.5) ? 'forward' : 'backward', rng.chance(0.3));
      if (round % 4 === 3) db.vacuum(rel);
    }
    // Unrestricted scans, both ways.
    checkScan(db, index, model, [], 'forward', false);
    checkScan(db, index, model, [], 'backward', false);
    checkScan(db, index, model, [], 'backward', true);
    db.checkIndex(index);
    db.close();
  });

  it('rescans with new keys and changes direction between rescans', () => {
    const db = StorageEngine.open({ sharedBuffers: 64 });
    const rel = db.createRelation('t', COLUMNS);
    db.insertMany(rel, Array.from({ length: 1000 }, (_, i) => [i, i % 100, `b${i}`, '']));
    const index = db.createIndex(rel, 't_a', { columns: [{ name: 'a', type: int4, heapAttnum: 2 }] });
    db.startStatement();
    const c = db.beginIndexScan(index, [{ attno: 1, op: '=', arg: 0 }]);
    for (const k of [5, 99, 42]) {
      c.rescan([{ attno: 1, op: '=', arg: k }]);
      const ids: number[] = [];
      while (c.next()) ids.push(c.values[0] as number);
      expect(ids.sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, j) => k + 100 * j));
    }
    c.rescan([{ attno: 1, op: '>=', arg: 97 }], 'backward');
    const as: number[] = [];
    while (c.next()) as.push(c.values[1] as number);
    expect(as).toEqual([...new Array<number>(10).fill(99), ...new Array<number>(10).fill(98), ...new Array<number>(10).fill(97)]);
    c.end();
    db.endStatement();
    db.close();
  });
});

describe('index-only scans', () => {
  it('visit the heap only for pages that are not all-visible (Heap Fetches)', () => {
    const db = StorageEngine.open({ sharedBuffers: 64 });
    const rel = db.createRelation('t', COLUMNS);
    const tids = db.insertMany(rel, Array.from({ length: 2000 }, (_, i) => [i, i, null, 'x'.repeat(20)]));
    const index = db.createIndex(rel, 't_a', { columns: [{ name: 'a', type: int4, heapAttnum: 2 }] });
    const count = (keys: ScanKey[]): { rows: number; fetches: number } => {
      const c = db.beginIndexScan(index, keys, { indexOnly: true });
      let rows = 0;
      while (c.next()) rows++;
      const fetches = c.heapFetches;
      c.end();
      return { rows, fetches };
    };
    // Never vacuumed: every entry needs its heap page.
    expect(count([])).toEqual({ rows: 2000, fetches: 2000 });
    db.vacuum(rel);
    expect(count([])).toEqual({ rows: 2000, fetches: 0 });
    // A change clears its page's all-visible bit: only that page's rows are fetched again.
    db.delete(rel, tids[0]);
    const page0 = db.relationStats(rel).relpages; // all pages are full but the last
    expect(page0).toBeGreaterThan(1);
    const after = count([]);
    expect(after.rows).toBe(1999);
    const perPage = tids.filter((t) => Math.floor(t / 65536) === 0).length;
    expect(after.fetches).toBe(perPage);
    db.vacuum(rel);
    expect(count([{ attno: 1, op: '<', arg: 100 }])).toEqual({ rows: 99, fetches: 0 });
    db.close();
  });
});
