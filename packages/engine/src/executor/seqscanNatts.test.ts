/*
 * SeqScan deforms only the leading columns its plan (and an Agg above a
 * physical target list) reads: results must not change whichever columns
 * the qual, the aggregates, the grouping and the output touch.
 */
import { describe, expect, it } from 'vitest';
import { Database } from '../database.ts';

describe('SeqScan column limiting', () => {
  const db = Database.openSync();
  db.execSync('CREATE TABLE t (a int, b text, c int, d int)');
  db.execSync("INSERT INTO t SELECT g, CASE WHEN g % 3 = 0 THEN 'x' ELSE 'y' END, CASE WHEN g % 5 = 0 THEN NULL ELSE g % 4 END, g * 2 FROM generate_series(1, 1000) g");
  const one = (sql: string): unknown[] => db.querySync<unknown[]>(sql, [], { rowMode: 'array' }).rows[0];
  const all = (sql: string): unknown[][] => db.querySync<unknown[]>(sql, [], { rowMode: 'array' }).rows;

  it('aggregates over the first column, none, or a later one', () => {
    expect(one('SELECT count(*) FROM t')).toEqual([1000n]);
    expect(one('SELECT sum(a) FROM t')).toEqual([500500n]);
    expect(one('SELECT sum(d), count(c) FROM t')).toEqual([1001000n, 800n]);
  });

  it('a qual on a later column than the aggregate reads', () => {
    expect(one("SELECT sum(a) FROM t WHERE b = 'x'")).toEqual([166833n]);
    expect(one('SELECT count(*) FROM t WHERE d > 1990')).toEqual([5n]);
  });

  it('grouping columns past the aggregated ones', () => {
    expect(all('SELECT c, count(*) FROM t GROUP BY c ORDER BY c')).toEqual([[0, 200n], [1, 200n], [2, 200n], [3, 200n], [null, 200n]]);
    expect(all('SELECT d, sum(a) FROM t WHERE a <= 2 GROUP BY d ORDER BY d')).toEqual([[2, 1n], [4, 2n]]);
  });

  it('index and bitmap heap scans deform only what the plan reads', () => {
    db.execSync('CREATE INDEX t_a ON t (a)');
    const plan = (sql: string): string => all(`EXPLAIN (COSTS OFF) ${sql}`).map((r) => String(r[0])).join('\n');
    try {
      for (const [on, node] of [['enable_indexscan', 'Index Scan'], ['enable_bitmapscan', 'Bitmap Heap Scan']]) {
        db.execSync('SET enable_seqscan = off; SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_bitmapscan = off');
        db.execSync(`SET ${on} = on`);
        const q1 = 'SELECT count(*), sum(d) FROM t WHERE a >= 10 AND a < 20';
        expect(plan(q1)).toContain(node);
        expect(one(q1)).toEqual([10n, 290n]);
        expect(one("SELECT sum(d), count(c) FROM t WHERE a BETWEEN 100 AND 199 AND b = 'x'")).toEqual([9900n, 26n]);
        expect(all('SELECT c, count(*) FROM t WHERE a < 50 GROUP BY c ORDER BY c')).toEqual([[0, 10n], [1, 10n], [2, 10n], [3, 10n], [null, 9n]]);
        expect(all('SELECT a, b, c, d FROM t WHERE a = 15')).toEqual([[15, 'x', null, 30]]);
      }
    } finally {
      db.execSync('RESET enable_seqscan; RESET enable_indexscan; RESET enable_indexonlyscan; RESET enable_bitmapscan');
    }
  });
});
