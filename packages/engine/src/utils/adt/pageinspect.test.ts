/*
 * pageinspect.test.ts — get_raw_page / page_header / heap_page_items /
 * heap_tuple_infomask_flags on a real heap page, and tabgres_query_journey.
 * (PGlite has no pageinspect, so the expectations are PostgreSQL's
 * documented behaviour: an UPDATE sets the old version's xmax and ctid.)
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../database.ts';

let db: Database;

beforeEach(() => {
  db = Database.openSync();
});

afterEach(() => {
  db.closeSync();
});

const rows = (sql: string): Record<string, unknown>[] => db.querySync(sql).rows as Record<string, unknown>[];

describe('pageinspect', () => {
  it('page_header and heap_page_items show an UPDATE: the old version gets xmax and a ctid to the new one', () => {
    db.execSync('CREATE TABLE t (a int, b text)');
    db.execSync("INSERT INTO t VALUES (1, 'one'), (2, NULL)");
    const h = rows("SELECT * FROM page_header(get_raw_page('t', 0))")[0];
    expect(h.lower).toBe(24 + 2 * 4);
    expect(h.pagesize).toBe(8192);
    expect(h.version).toBe(4);
    expect(h.special).toBe(8192);
    expect(Number(h.upper)).toBeLessThan(8192);
    expect(String(h.lsn)).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    let items = rows("SELECT lp, lp_flags, t_xmin, t_xmax, t_ctid, t_bits, t_hoff FROM heap_page_items(get_raw_page('t', 0))");
    expect(items.length).toBe(2);
    const xmin = Number(items[0].t_xmin);
    expect(xmin).toBeGreaterThan(2);
    expect(items[0]).toMatchObject({ lp: 1, lp_flags: 1, t_xmax: '0', t_ctid: '(0,1)', t_bits: null });
    expect(items[1].t_bits).toBe('10');
    db.execSync('UPDATE t SET b = \'uno\' WHERE a = 1');
    items = rows("SELECT lp, t_xmin, t_xmax, t_ctid FROM heap_page_items(get_raw_page('t', 0)) ORDER BY lp");
    expect(items.length).toBe(3);
    expect(Number(items[0].t_xmax)).toBeGreaterThan(xmin);
    expect(items[0].t_ctid).toBe('(0,3)');
    expect(items[2].t_xmin).toBe(items[0].t_xmax);
    expect(items[2].t_xmax).toBe('0');
    const f = rows("SELECT raw_flags, combined_flags FROM heap_tuple_infomask_flags(2304, 1)")[0];
    expect(f.raw_flags).toEqual(['HEAP_XMIN_COMMITTED', 'HEAP_XMAX_INVALID']);
    expect(f.combined_flags).toEqual([]);
  });

  it('errors as pageinspect does', () => {
    db.execSync('CREATE TABLE t (a int)');
    expect(() => db.querySync("SELECT get_raw_page('t', 0)")).toThrow(/block number 0 is out of range for relation "t"/);
    expect(() => db.querySync("SELECT get_raw_page('nope', 0)")).toThrow(/relation "nope" does not exist/);
    expect(() => db.querySync("SELECT get_raw_page('t', 'xyz', 0)")).toThrow(/invalid fork name/);
    db.execSync('CREATE VIEW v AS SELECT 1 AS one; CREATE INDEX t_a ON t (a)');
    // An index's pages are read too (its metapage here: pageinspect_btree.test.ts decodes them).
    expect((db.querySync("SELECT length(get_raw_page('t_a', 0)) AS n").rows[0] as { n: number }).n).toBe(8192);
    expect(() => db.querySync("SELECT get_raw_page('v', 0)")).toThrow(/cannot get raw page from relation "v"/);
    expect(() => db.querySync("SELECT heap_page_items('\\x00'::bytea)")).toThrow(/invalid page size/);
  });
});

describe('tabgres_query_journey', () => {
  it('gives the tokens, the raw tree and the analyzed Query of the last statement', () => {
    db.execSync('CREATE TABLE a (id int, x text); CREATE TABLE b (id int, y text)');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const j = rows("SELECT tabgres_query_journey('SELECT 1; SELECT a.x, b.y FROM a JOIN b ON a.id = b.id WHERE a.id > 1') AS j")[0].j as any;
    expect(j.statement).toBe('SELECT a.x, b.y FROM a JOIN b ON a.id = b.id WHERE a.id > 1');
    expect(j.tokens.slice(0, 2)).toEqual([
      { kind: 'KEYWORD', value: 'select', text: 'SELECT', start: 0, end: 6 },
      { kind: 'IDENT', value: 'a', text: 'a', start: 7, end: 8 },
    ]);
    expect(JSON.stringify(j.raw)).toContain('"type":"RangeVar"');
    expect(j.query.rtable.map((r: { eref: { aliasname: string } }) => r.eref.aliasname)).toEqual(['a', 'b', 'unnamed_join']);
    expect(j.queryText).toContain('a.x');
  });
});
