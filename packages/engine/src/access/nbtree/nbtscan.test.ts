/*
 * Property tests of index scans against a sorted-array model: random keys
 * (duplicates, NULLs, several columns, long text, DESC and NULLS FIRST),
 * random search conditions; every scan must return exactly the model's
 * answer, in order, forward and backward, and index-only values must be
 * the stored ones.
 */

import { describe, expect, it } from 'vitest';
import { MemoryDirectory, Prng } from '@tabgres/opfs-storage';
import type { Datum } from '../../utils/adt/datum.ts';
import type { Tid } from '../common/itemptr.ts';
import type { IndexKeyColumn, IndexRelation } from './indexrel.ts';
import type { IndexValue } from './itup.ts';
import { btbeginscan, btbuild, btbuildempty, btIndexCheck, btinsert, type ScanKey, type ScanKeyOp } from './nbtree.ts';
import { FakeHeap, intKey, startInstance, testIndex, textKey, type BtInstance } from './nbtree_testutil.ts';

interface Row {
  values: IndexValue[];
  tid: Tid;
}

/** The model's index order, written independently of nbtcompare.ts. */
function modelCompare(cols: IndexKeyColumn[], a: Row, b: Row): number {
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i];
    const desc = c.desc === true;
    const nullsFirst = c.nullsFirst ?? desc;
    const x = a.values[i];
    const y = b.values[i];
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return (x === null) === nullsFirst ? -1 : 1;
    }
    const r = c.type.compare(x, y);
    if (r !== 0) return desc ? -Math.sign(r) : Math.sign(r);
  }
  return a.tid - b.tid;
}

function satisfies(cols: IndexKeyColumn[], row: Row, keys: ScanKey[]): boolean {
  for (const k of keys) {
    const v = row.values[k.attno - 1];
    if (k.op === 'isnull') {
      if (v !== null) return false;
      continue;
    }
    if (k.op === 'notnull') {
      if (v === null) return false;
      continue;
    }
    if (v === null) return false;
    const r = cols[k.attno - 1].type.compare(v, k.arg!);
    const ok = k.op === '<' ? r < 0 : k.op === '<=' ? r <= 0 : k.op === '=' ? r === 0 : k.op === '>=' ? r >= 0 : r > 0;
    if (!ok) return false;
  }
  return true;
}

function scanAll(inst: BtInstance, idx: IndexRelation, keys: ScanKey[], dir: 'forward' | 'backward', checkValues: Map<Tid, IndexValue[]> | null): Tid[] {
  const s = btbeginscan(idx, inst.env, keys, { direction: dir, indexOnly: checkValues !== null });
  const out: Tid[] = [];
  const vals: IndexValue[] = new Array<IndexValue>(idx.nkeyatts).fill(null);
  const nulls: boolean[] = new Array<boolean>(idx.nkeyatts).fill(false);
  while (s.next()) {
    s.assertState();
    out.push(s.heapTid);
    if (checkValues !== null) {
      s.getValues(vals, nulls);
      expect(vals).toEqual(checkValues.get(s.heapTid));
    }
    if (out.length > 1_000_000) throw new Error('runaway scan');
  }
  s.assertState();
  s.end();
  return out;
}

type Gen = (rng: Prng) => IndexValue;

const LONG_WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];

function genInt(range: number, nullRate: number): Gen {
  return (rng) => (rng.chance(nullRate) ? null : rng.int(range) - (range >> 1));
}

function genText(nullRate: number, longRate: number): Gen {
  return (rng) => {
    if (rng.chance(nullRate)) return null;
    const w = rng.pick(LONG_WORDS);
    if (rng.chance(longRate)) return w + 'x'.repeat(rng.range(200, 2000)) + rng.int(5);
    return w + rng.int(20);
  };
}

/** A random condition on column `attno` using values that occur (or nearly). */
function randomKeys(rng: Prng, cols: IndexKeyColumn[], gens: Gen[], rows: Row[]): ScanKey[] {
  const keys: ScanKey[] = [];
  const pickArg = (c: number): Datum => {
    for (let t = 0; t < 10; t++) {
      const v = rows.length > 0 && rng.chance(0.7) ? rng.pick(rows).values[c] : gens[c](rng);
      if (v !== null) return v;
    }
    return cols[c].type.name === 'int4' ? 0 : 'delta5';
  };
  const ncond = rng.range(0, 3);
  for (let i = 0; i < ncond; i++) {
    // Mostly on the leading column (prefix searches), sometimes on later ones.
    const c = rng.chance(0.6) ? 0 : rng.int(cols.length);
    const kind = rng.int(9);
    const ops: ScanKeyOp[] = ['=', '<', '<=', '>', '>=', '=', 'isnull', 'notnull'];
    if (kind === 8) {
      // BETWEEN a AND b
      const a = pickArg(c);
      const b = pickArg(c);
      const [lo, hi] = cols[c].type.compare(a, b) <= 0 ? [a, b] : [b, a];
      keys.push({ attno: c + 1, op: '>=', arg: lo }, { attno: c + 1, op: '<=', arg: hi });
      continue;
    }
    const op = ops[kind];
    keys.push(op === 'isnull' || op === 'notnull' ? { attno: c + 1, op } : { attno: c + 1, op, arg: pickArg(c) });
  }
  return keys;
}

interface Scenario {
  name: string;
  cols: IndexKeyColumn[];
  gens: Gen[];
  rows: number;
}

const scenarios: Scenario[] = [
  { name: 'one int4 column, many duplicates and NULLs', cols: [intKey('a')], gens: [genInt(200, 0.05)], rows: 6000 },
  { name: 'int4 DESC NULLS LAST', cols: [intKey('a', { desc: true, nullsFirst: false })], gens: [genInt(3000, 0.1)], rows: 5000 },
  {
    name: 'two columns: int4 NULLS FIRST, text DESC',
    cols: [intKey('a', { nullsFirst: true }), textKey('b', { desc: true })],
    gens: [genInt(40, 0.08), genText(0.08, 0)],
    rows: 6000,
  },
  {
    name: 'long text keys (up to ~2000 bytes) and an int4',
    cols: [textKey('t'), intKey('n', { desc: true })],
    gens: [genText(0.05, 0.3), genInt(10, 0.05)],
    rows: 2500,
  },
  {
    name: 'three columns with DESC in the middle',
    cols: [intKey('a'), intKey('b', { desc: true }), textKey('c', { nullsFirst: true })],
    gens: [genInt(8, 0.02), genInt(30, 0.1), genText(0.1, 0.05)],
    rows: 5000,
  },
];

describe('index scans agree with a sorted-array model', () => {
  for (const sc of scenarios) {
    for (const how of ['inserted', 'built'] as const) {
      it(`${sc.name} (${how})`, () => {
        const inst = startInstance(new MemoryDirectory(), { nbuffers: 256 });
        const idx = testIndex(inst, sc.cols);
        const rng = new Prng(sc.name.length * 31 + (how === 'built' ? 7 : 0));
        const heap = new FakeHeap();
        const rows: Row[] = [];
        for (let i = 0; i < sc.rows; i++) {
          const values = sc.gens.map((g) => g(rng));
          rows.push({ values, tid: heap.add(values) });
        }
        if (how === 'built') {
          btbuild(idx, inst.env, heap.scan);
        } else {
          btbuildempty(idx, inst.env);
          // Insert in random order so splits happen everywhere.
          const order = rows.map((_, i) => i);
          for (let i = order.length - 1; i > 0; i--) {
            const j = rng.int(i + 1);
            [order[i], order[j]] = [order[j], order[i]];
          }
          for (const i of order) btinsert(idx, inst.env, rows[i].values, null, rows[i].tid, null);
        }
        const check = btIndexCheck(idx, inst.env, { heapAllIndexed: heap.scan });
        expect(check.leafTuples).toBe(sc.rows);
        expect(check.heapTuplesChecked).toBe(sc.rows);
        expect(check.levels).toBeGreaterThanOrEqual(2);

        const sorted = rows.slice().sort((a, b) => modelCompare(sc.cols, a, b));
        const valuesByTid = new Map(rows.map((r) => [r.tid, r.values]));
        const queries: ScanKey[][] = [[]];
        for (let q = 0; q < 60; q++) queries.push(randomKeys(rng, sc.cols, sc.gens, rows));
        let nonEmpty = 0;
        for (const [qi, keys] of queries.entries()) {
          const expected = sorted.filter((r) => satisfies(sc.cols, r, keys)).map((r) => r.tid);
          if (expected.length > 0) nonEmpty++;
          const fwd = scanAll(inst, idx, keys, 'forward', qi % 10 === 0 ? valuesByTid : null);
          expect(fwd, `forward ${JSON.stringify(keys)}`).toEqual(expected);
          const bwd = scanAll(inst, idx, keys, 'backward', null);
          expect(bwd, `backward ${JSON.stringify(keys)}`).toEqual(expected.slice().reverse());
        }
        // The queries must mostly find something, or the comparison proves little.
        expect(nonEmpty).toBeGreaterThan(queries.length / 3);
        expect(inst.bufmgr.pinnedBufferCount()).toBe(0);
      });
    }
  }

  it('changes direction in the middle of a scan', () => {
    const inst = startInstance(new MemoryDirectory());
    const idx = testIndex(inst, [intKey()]);
    btbuildempty(idx, inst.env);
    for (let i = 0; i < 3000; i++) btinsert(idx, inst.env, [i], null, i + 1, null);
    const s = btbeginscan(idx, inst.env, [{ attno: 1, op: '>=', arg: 1000 }, { attno: 1, op: '<', arg: 2000 }]);
    const seen: number[] = [];
    for (let i = 0; i < 700; i++) {
      expect(s.next('forward')).toBe(true);
      seen.push(s.heapTid - 1);
    }
    expect(seen[699]).toBe(1699);
    // Back over page boundaries to the start of the range, and no further.
    const back: number[] = [];
    while (s.next('backward')) back.push(s.heapTid - 1);
    expect(back).toEqual(Array.from({ length: 699 }, (_, i) => 1698 - i));
    s.end();
    expect(inst.bufmgr.pinnedBufferCount()).toBe(0);
  });

  for (const dir of ['forward', 'backward'] as const) {
    it(`a ${dir} scan moves past pages that split under it, returning every entry once`, () => {
      const inst = startInstance(new MemoryDirectory());
      const idx = testIndex(inst, [intKey()]);
      btbuildempty(idx, inst.env);
      const n = 20_000;
      // Keys 0, 10, 20, ...; the inserts below go between them and split every page.
      for (let i = 0; i < n; i++) btinsert(idx, inst.env, [i * 10], null, i + 1, null);
      const s = btbeginscan(idx, inst.env, [], { direction: dir, indexOnly: true });
      const seen: number[] = [];
      const vals: IndexValue[] = [null];
      const nulls = [false];
      const rng = new Prng(dir.length);
      let inserted = 0;
      while (s.next()) {
        s.getValues(vals, nulls);
        seen.push(vals[0] as number);
        if (seen.length % 500 === 0) {
          // "Another backend" inserts all over the key range, splitting pages on both sides of the scan.
          for (let j = 0; j < 800; j++) btinsert(idx, inst.env, [rng.int(n) * 10 + 1 + rng.int(9)], null, 1_000_000 + inserted++, null);
        }
      }
      s.end();
      expect(btIndexCheck(idx, inst.env).leafTuples).toBe(n + inserted);
      // Every original key exactly once, and the whole sequence in scan order.
      const original = seen.filter((k) => k % 10 === 0);
      expect(original).toEqual(dir === 'forward' ? Array.from({ length: n }, (_, i) => i * 10) : Array.from({ length: n }, (_, i) => (n - 1 - i) * 10));
      for (let i = 1; i < seen.length; i++) expect(dir === 'forward' ? seen[i] >= seen[i - 1] : seen[i] <= seen[i - 1]).toBe(true);
      expect(seen.length).toBeGreaterThan(n);
      expect(inst.bufmgr.pinnedBufferCount()).toBe(0);
    });
  }

  it('returns nothing for contradictory keys and for comparisons with NULL', () => {
    const inst = startInstance(new MemoryDirectory());
    const idx = testIndex(inst, [intKey()]);
    btbuildempty(idx, inst.env);
    for (let i = 0; i < 100; i++) btinsert(idx, inst.env, [i % 10 === 0 ? null : i], null, i + 1, null);
    expect(scanAll(inst, idx, [{ attno: 1, op: '=', arg: 5 }, { attno: 1, op: '=', arg: 6 }], 'forward', null)).toEqual([]);
    expect(scanAll(inst, idx, [{ attno: 1, op: '>', arg: 50 }, { attno: 1, op: '<', arg: 40 }], 'forward', null)).toEqual([]);
    expect(scanAll(inst, idx, [{ attno: 1, op: 'isnull' }, { attno: 1, op: '>', arg: 1 }], 'forward', null)).toEqual([]);
    expect(scanAll(inst, idx, [{ attno: 1, op: 'isnull' }], 'forward', null)).toEqual([1, 11, 21, 31, 41, 51, 61, 71, 81, 91]);
  });

  it('scans an empty index', () => {
    const inst = startInstance(new MemoryDirectory());
    const idx = testIndex(inst, [intKey()]);
    btbuildempty(idx, inst.env);
    expect(scanAll(inst, idx, [], 'forward', null)).toEqual([]);
    expect(scanAll(inst, idx, [{ attno: 1, op: '=', arg: 1 }], 'backward', null)).toEqual([]);
  });
});
