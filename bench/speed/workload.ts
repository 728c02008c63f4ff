/*
 * workload.ts — the sqlite.org/speed.html series of 16 tests as SQL text,
 * generated once from a seeded PRNG so that every engine runs exactly the
 * same statements on exactly the same data.
 *
 * Exports: SpeedTest, SpeedSizes, FULL_SIZES, QUICK_SIZES, speedTests(sizes, seed).
 *
 * Schemas and data shape are speed.html's: t1, t2, t3 (a INTEGER, b INTEGER,
 * c VARCHAR(100)), a counting up from 1, b random, c the English spelling of
 * b. BEGIN and COMMIT are statements of the test where speed.html's script
 * has them, so each engine pays for its own transaction handling; the other
 * statements autocommit one by one.
 */

import { Prng } from '@tabgres/opfs-storage';
import { numberName } from './words.ts';

export interface SpeedTest {
  /** "1", "2", ... as speed.html numbers them. */
  id: number;
  name: string;
  /** Run one by one, in order; one engine call each. */
  statements: string[];
}

export interface SpeedSizes {
  inserts1: number; // test 1
  inserts2: number; // test 2
  inserts3: number; // test 3
  selects4: number; // test 4
  selects5: number; // test 5
  selects7: number; // test 7
  updates8: number; // test 8
  updates9: number; // test 9
  updates10: number; // test 10
  inserts15: number; // test 15
}

export const FULL_SIZES: SpeedSizes = {
  inserts1: 1000, inserts2: 25000, inserts3: 25000, selects4: 100, selects5: 100,
  selects7: 5000, updates8: 1000, updates9: 25000, updates10: 25000, inserts15: 12000,
};

export const QUICK_SIZES: SpeedSizes = {
  inserts1: 200, inserts2: 2500, inserts3: 2500, selects4: 20, selects5: 20,
  selects7: 500, updates8: 100, updates9: 2500, updates10: 2500, inserts15: 1200,
};

const txn = (body: string[]): string[] => ['BEGIN', ...body, 'COMMIT'];

export function speedTests(sz: SpeedSizes, seed = 4): SpeedTest[] {
  const rnd = new Prng(seed);
  const below = (n: number): number => rnd.nextUint32() % n;
  const insertRows = (table: string, count: number, range: number): string[] => {
    const out: string[] = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const b = below(range);
      out[i] = `INSERT INTO ${table} VALUES(${i + 1},${b},'${numberName(b)}')`;
    }
    return out;
  };
  const range = (count: number, f: (i: number) => string): string[] => Array.from({ length: count }, (_, i) => f(i));
  const schema = '(a INTEGER, b INTEGER, c VARCHAR(100))';

  return [
    { id: 1, name: `${sz.inserts1} INSERTs`, statements: [`CREATE TABLE t1${schema}`, ...insertRows('t1', sz.inserts1, 100000)] },
    { id: 2, name: `${sz.inserts2} INSERTs in a transaction`, statements: txn([`CREATE TABLE t2${schema}`, ...insertRows('t2', sz.inserts2, 500000)]) },
    { id: 3, name: `${sz.inserts3} INSERTs into an indexed table`,
      statements: txn([`CREATE TABLE t3${schema}`, 'CREATE INDEX i3 ON t3(c)', ...insertRows('t3', sz.inserts3, 500000)]) },
    { id: 4, name: `${sz.selects4} SELECTs without an index`,
      statements: txn(range(sz.selects4, (i) => `SELECT count(*), avg(b) FROM t2 WHERE b>=${i * 100} AND b<${i * 100 + 1000}`)) },
    { id: 5, name: `${sz.selects5} SELECTs on a string comparison`,
      statements: txn(range(sz.selects5, (i) => `SELECT count(*), avg(b) FROM t2 WHERE c LIKE '%${numberName(i + 1)}%'`)) },
    { id: 6, name: 'Creating an index', statements: ['CREATE INDEX i2a ON t2(a)', 'CREATE INDEX i2b ON t2(b)'] },
    { id: 7, name: `${sz.selects7} SELECTs with an index`,
      statements: range(sz.selects7, (i) => `SELECT count(*), avg(b) FROM t2 WHERE b>=${i * 100} AND b<${i * 100 + 100}`) },
    { id: 8, name: `${sz.updates8} UPDATEs without an index`,
      statements: txn(range(sz.updates8, (i) => `UPDATE t1 SET b=b*2 WHERE a>=${i * 10} AND a<${i * 10 + 10}`)) },
    { id: 9, name: `${sz.updates9} UPDATEs with an index`,
      statements: txn(range(sz.updates9, (i) => `UPDATE t2 SET b=${below(500000)} WHERE a=${i + 1}`)) },
    { id: 10, name: `${sz.updates10} text UPDATEs with an index`,
      statements: txn(range(sz.updates10, (i) => `UPDATE t2 SET c='${numberName(below(500000))}' WHERE a=${i + 1}`)) },
    { id: 11, name: 'INSERTs from a SELECT', statements: txn(['INSERT INTO t1 SELECT b,a,c FROM t2', 'INSERT INTO t2 SELECT b,a,c FROM t1']) },
    { id: 12, name: 'DELETE without an index', statements: ["DELETE FROM t2 WHERE c LIKE '%fifty%'"] },
    { id: 13, name: 'DELETE with an index', statements: ['DELETE FROM t2 WHERE a>10 AND a<20000'] },
    { id: 14, name: 'A big INSERT after a big DELETE', statements: ['INSERT INTO t2 SELECT * FROM t1'] },
    { id: 15, name: 'A big DELETE followed by many small INSERTs', statements: txn(['DELETE FROM t1', ...insertRows('t1', sz.inserts15, 100000)]) },
    { id: 16, name: 'DROP TABLE', statements: ['DROP TABLE t1', 'DROP TABLE t2', 'DROP TABLE t3'] },
  ];
}
