/*
 * nodeBitmapHeapscan.pglite.test.ts — Bitmap Heap Scans that collect TIDs
 * first and visit the heap afterwards, in TID order: the rows they return
 * and the rows UPDATE / DELETE change through them, on a table with dead
 * versions, HOT chains and non-HOT updates (index entries to dead rows),
 * compared with PGlite statement by statement (psql rendering).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgliteSide, renderOutcome, type Side } from '../../test/sql/harness.ts';
import { openTabgresSide } from '../../test/sql/tabgres_side.ts';

let pg: PgliteSide;
let tg: Side;

beforeAll(async () => {
  pg = await PgliteSide.start();
  tg = await openTabgresSide();
}, 60_000);

afterAll(async () => {
  await pg.close();
  await tg.close();
});

async function same(sql: string): Promise<void> {
  const [a, b] = [await pg.run(sql), await tg.run(sql)];
  expect(renderOutcome(b), sql).toBe(renderOutcome(a));
}

describe('bitmap heap scans over a table with dead and HOT-updated rows', () => {
  const steps = [
    'CREATE TABLE bh (a int, b int, c text)',
    "INSERT INTO bh SELECT g, g % 97, 'r' || g FROM generate_series(1, 3000) g",
    'CREATE INDEX bh_a ON bh (a)',
    'CREATE INDEX bh_b ON bh (b)',
    'SET enable_seqscan = off',
    'SET enable_indexscan = off',
    // Non-HOT (b is indexed): new index entries, the old ones point to dead rows.
    'UPDATE bh SET b = b + 1000 WHERE a BETWEEN 100 AND 400',
    // HOT (c is not indexed): chains behind the index entries.
    "UPDATE bh SET c = c || 'x' WHERE a BETWEEN 300 AND 900",
    "UPDATE bh SET c = c || 'y' WHERE a BETWEEN 350 AND 360",
    'SELECT count(*), sum(a), sum(b), max(c) FROM bh WHERE a > 50 AND a < 1000',
    'SELECT count(*) FROM bh WHERE b >= 1000',
    'SELECT a, b, c FROM bh WHERE a = ANY (ARRAY[5, 355, 356, 2999, 5]) ORDER BY a',
    // DELETE and UPDATE read through the bitmap scan (the ctid-only plan and a full-row one).
    'EXPLAIN (COSTS OFF) DELETE FROM bh WHERE a > 10 AND a < 700',
    "EXPLAIN (COSTS OFF) UPDATE bh SET b = b + 1, c = c || 'z' WHERE a >= 700 AND a < 1200",
    'DELETE FROM bh WHERE a > 10 AND a < 700',
    'SELECT count(*), sum(a) FROM bh WHERE a < 1000',
    "UPDATE bh SET b = b + 1, c = c || 'z' WHERE a >= 700 AND a < 1200",
    'SELECT count(*), sum(b), max(c) FROM bh WHERE a >= 700 AND a < 1200',
    'DELETE FROM bh WHERE b > 1000 RETURNING a',
    'SELECT count(*), sum(a), sum(b) FROM bh WHERE a > 0',
    // Without ORDER BY the rows come in the order of the TIDs the index holds (HOT chain roots),
    // not of the visible versions: id 1's new version sits after id 3's row on the page.
    'CREATE TABLE bo (id int PRIMARY KEY, v int)',
    'INSERT INTO bo SELECT g, g FROM generate_series(1, 4) g',
    'UPDATE bo SET v = v + 10 WHERE id = 1',
    'EXPLAIN (COSTS OFF) SELECT id, v FROM bo WHERE id IN (1, 3)',
    'SELECT id, v FROM bo WHERE id IN (1, 3)',
    'UPDATE bo SET v = v + 1 WHERE id IN (1, 3) RETURNING id, v',
    'SELECT id, v FROM bo WHERE id IN (3, 1, 4)',
  ];
  for (const sql of steps) it(sql, () => same(sql));
});
