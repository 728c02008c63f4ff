/*
 * pageinspect_btree.test.ts — bt_metap, bt_page_stats, bt_page_items and
 * get_raw_page of an index. The engine's B-tree pages are PostgreSQL's
 * layout, so where the same statements make the same tree the numbers are
 * compared with what a PostgreSQL 15 server printed for them (an index
 * built by CREATE INDEX over 1..2000); everything else is checked against
 * the tree's own invariants: the downlinks of the root reach every leaf,
 * leaves chain left to right, every leaf item's htid is the heap TID of the
 * row with that key, the separators ascend.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../database.ts';
import { PgError } from '../errors.ts';

let db: Database;

beforeAll(() => {
  db = Database.openSync();
  db.execSync("CREATE TABLE bt (a int, b text); INSERT INTO bt SELECT i, 'v' || (i % 7) FROM generate_series(1, 2000) i; CREATE INDEX bt_a ON bt (a)");
});

afterAll(() => {
  db.closeSync();
});

const rows = (sql: string, params: unknown[] = []): Record<string, unknown>[] => db.querySync(sql, params).rows as Record<string, unknown>[];
const json = (v: unknown): Record<string, unknown>[] => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x))) as Record<string, unknown>[];

function errorOf(sql: string): PgError {
  try {
    db.querySync(sql);
  } catch (e) {
    return e as PgError;
  }
  throw new Error(`no error from ${sql}`);
}

/** A little-endian int4 key as bt_page_items's data prints it (8 bytes: the key and its MAXALIGN padding). */
const int4Data = (v: number): string => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff, 0, 0, 0, 0].map((b) => b.toString(16).padStart(2, '0')).join(' ');

describe('pageinspect B-tree functions', () => {
  it('have PostgreSQL 15\'s columns and types', () => {
    const f = (sql: string): unknown[] => db.querySync(sql).fields.map((x) => [x.name, x.dataTypeID]);
    expect(f("SELECT * FROM bt_metap('bt_a')")).toEqual([['magic', 23], ['version', 23], ['root', 20], ['level', 20], ['fastroot', 20], ['fastlevel', 20],
      ['last_cleanup_num_delpages', 20], ['last_cleanup_num_tuples', 701], ['allequalimage', 16]]);
    expect(f("SELECT * FROM bt_page_stats('bt_a', 1)")).toEqual([['blkno', 20], ['type', 18], ['live_items', 23], ['dead_items', 23], ['avg_item_size', 23],
      ['page_size', 23], ['free_size', 23], ['btpo_prev', 20], ['btpo_next', 20], ['btpo_level', 20], ['btpo_flags', 23]]);
    const items = [['itemoffset', 21], ['ctid', 27], ['itemlen', 21], ['nulls', 16], ['vars', 16], ['data', 25], ['dead', 16], ['htid', 27], ['tids', 1010]];
    expect(f("SELECT * FROM bt_page_items('bt_a', 1)")).toEqual(items);
    expect(f("SELECT * FROM bt_page_items(get_raw_page('bt_a', 1))")).toEqual(items);
  });

  it('match what PostgreSQL 15 printed for the same CREATE INDEX over 1..2000', () => {
    // PostgreSQL 15: SELECT * FROM bt_metap('bt_a'), bt_page_stats('bt_a', 3) and ('bt_a', 1), bt_page_items('bt_a', 3 / 1) LIMIT 3.
    expect(json(rows("SELECT * FROM bt_metap('bt_a')"))).toEqual([{ magic: 340322, version: 4, root: 3, level: 1, fastroot: 3, fastlevel: 1,
      last_cleanup_num_delpages: 0, last_cleanup_num_tuples: -1, allequalimage: true }]);
    expect(json(rows("SELECT * FROM bt_page_stats('bt_a', 3)"))).toEqual([{ blkno: 3, type: 'r', live_items: 6, dead_items: 0, avg_item_size: 14,
      page_size: 8192, free_size: 8036, btpo_prev: 0, btpo_next: 0, btpo_level: 1, btpo_flags: 2 }]);
    expect(json(rows("SELECT * FROM bt_page_stats('bt_a', 1)"))).toEqual([{ blkno: 1, type: 'l', live_items: 367, dead_items: 0, avg_item_size: 16,
      page_size: 8192, free_size: 808, btpo_prev: 0, btpo_next: 2, btpo_level: 0, btpo_flags: 1 }]);
    expect(rows("SELECT itemoffset, ctid::text, itemlen, nulls, vars, data, dead, htid::text, tids FROM bt_page_items('bt_a', 3) LIMIT 3")).toEqual([
      { itemoffset: 1, ctid: '(1,0)', itemlen: 8, nulls: false, vars: false, data: '', dead: null, htid: null, tids: null },
      { itemoffset: 2, ctid: '(2,1)', itemlen: 16, nulls: false, vars: false, data: '6f 01 00 00 00 00 00 00', dead: null, htid: null, tids: null },
      { itemoffset: 3, ctid: '(4,1)', itemlen: 16, nulls: false, vars: false, data: 'dd 02 00 00 00 00 00 00', dead: null, htid: null, tids: null },
    ]);
    expect(rows("SELECT itemoffset, ctid::text, itemlen, data, dead, htid::text FROM bt_page_items('bt_a', 1) LIMIT 3")).toEqual([
      { itemoffset: 1, ctid: '(1,1)', itemlen: 16, data: '6f 01 00 00 00 00 00 00', dead: null, htid: null },
      { itemoffset: 2, ctid: '(0,1)', itemlen: 16, data: '01 00 00 00 00 00 00 00', dead: false, htid: '(0,1)' },
      { itemoffset: 3, ctid: '(0,2)', itemlen: 16, data: '02 00 00 00 00 00 00 00', dead: false, htid: '(0,2)' },
    ]);
  });

  it("keep the tree's invariants on an index grown by inserts (a primary key, with splits)", () => {
    db.execSync("CREATE TABLE pk (id int PRIMARY KEY, v text); INSERT INTO pk SELECT i, 'row' FROM generate_series(1, 3000) i");
    const meta = json(rows("SELECT root, level FROM bt_metap('pk_pkey')"))[0] as unknown as { root: number; level: number };
    expect(meta.level).toBeGreaterThanOrEqual(1);
    const root = json(rows('SELECT * FROM bt_page_stats($1, $2)', ['pk_pkey', meta.root]))[0] as Record<string, number | string>;
    expect(root.type).toBe('r');
    // The root's downlinks (its only level above the leaves here) reach the leaves in key order, chained by btpo_next.
    const down = rows("SELECT itemoffset, ctid::text AS ctid, data FROM bt_page_items('pk_pkey', $1)", [meta.root]);
    const leaves = down.map((r) => Number(/^\((\d+),/.exec(String(r.ctid))?.[1]));
    let total = 0;
    for (let i = 0; i < leaves.length; i++) {
      const s = json(rows('SELECT * FROM bt_page_stats($1, $2)', ['pk_pkey', leaves[i]]))[0] as Record<string, number | string>;
      expect(s.type).toBe('l');
      expect(s.btpo_next).toBe(i + 1 < leaves.length ? leaves[i + 1] : 0);
      expect(s.btpo_prev).toBe(i > 0 ? leaves[i - 1] : 0);
      // free_size = pd_upper - pd_lower - one line pointer (PageGetFreeSpace).
      const h = rows("SELECT lower, upper FROM page_header(get_raw_page('pk_pkey', $1))", [leaves[i]])[0];
      expect(s.free_size).toBe(Number(h.upper) - Number(h.lower) - 4);
      // Items after the high key (a non-rightmost page's item 1) are heap tuples: total live = 3000.
      total += Number(s.live_items) - (i + 1 < leaves.length ? 1 : 0);
      // The separator in the root is the first key of the leaf it points to.
      if (i > 0) {
        // (The rightmost leaf has no high key: its first data item is item 1.)
        const first = rows("SELECT data FROM bt_page_items('pk_pkey', $1) WHERE itemoffset = $2", [leaves[i], i + 1 < leaves.length ? 2 : 1])[0];
        expect(first.data).toBe(down[i].data);
      }
    }
    expect(total).toBe(3000);
    // Every leaf item's htid is where the heap keeps the row with that key.
    const check = rows(`SELECT count(*)::int AS n FROM bt_page_items('pk_pkey', $1) i JOIN pk ON pk.ctid = i.htid
                         WHERE i.data = $2`, [leaves[0], int4Data(7)]);
    expect(check).toEqual([{ n: 1 }]);
  });

  it("read an index's pages with get_raw_page and refuse as PostgreSQL 15 does", () => {
    const h = rows("SELECT lower, special, pagesize FROM page_header(get_raw_page('bt_a', 1))")[0];
    expect(h).toMatchObject({ special: 8192 - 16, pagesize: 8192 });
    let e = errorOf("SELECT * FROM bt_page_stats('bt_a', 0)");
    expect([e.code, e.message]).toEqual(['22023', 'block 0 is a meta page']);
    e = errorOf("SELECT * FROM bt_page_items('bt_a', 100)");
    expect([e.code, e.message]).toEqual(['XX000', 'block number out of range']);
    e = errorOf("SELECT * FROM bt_page_stats('bt_a', -1)");
    expect([e.code, e.message]).toEqual(['22023', 'invalid block number']);
    e = errorOf("SELECT * FROM bt_metap('bt')");
    expect([e.code, e.message]).toEqual(['42809', '"bt" is not a btree index']);
    e = errorOf("SELECT * FROM bt_page_items(get_raw_page('bt_a', 0))");
    expect([e.code, e.message]).toEqual(['22023', 'block is a meta page']);
    e = errorOf("SELECT * FROM bt_page_items(get_raw_page('bt', 0))");
    expect([e.code, e.message, e.detail]).toEqual(['22023', 'input page is not a valid btree page', 'Expected special size 16, got 0.']);
  });
});
