/*
 * others.ts — the systems tabgres is compared with, behind one small
 * interface: PGlite (PostgreSQL compiled to wasm) and sql.js (SQLite
 * compiled to wasm), both in memory.
 *
 * Both load the table with one autocommitted INSERT ... SELECT over a
 * generated series (generate_series in PGlite, a recursive CTE in sql.js):
 * the engine's own insert path with no per-row SQL parsing, which is what
 * tabgres's insertMany measures too. The figure includes their COMMIT.
 *
 * The index workload: CREATE INDEX on t(a), point lookups through a
 * prepared SELECT (PGlite: PREPARE / EXECUTE; sql.js: a prepared statement
 * stepped per key), and range sums over the index. Each lookup is a whole
 * SQL statement there, against a storage-API call in tabgres: the ratio
 * shows what the SQL layer and the wasm boundary cost as much as the tree.
 */

import { PGlite } from '@electric-sql/pglite';
import initSqlJs from 'sql.js';
import { startTiming, type Timing } from './measure.ts';
import type { Other } from './report.ts';

export interface SqlSystem {
  readonly key: Other;
  /** Drops and recreates table t(a int4 not null, b int4) and fills it with (i, 2i), i < rows; times the INSERT only. */
  load(rows: number): Promise<Timing>;
  /** SELECT count(*) FROM t */
  count(): Promise<number>;
  /** SELECT sum(a) FROM t */
  sum(): Promise<number>;
  /** VACUUM t, where the system has it (afterwards PostgreSQL's scans skip per-tuple visibility checks). */
  vacuum: (() => Promise<void>) | null;
  /** CREATE INDEX t_a ON t (a), timed (its ANALYZE afterwards is not). */
  createIndex(): Promise<Timing>;
  /** SELECT b FROM t WHERE a = k, prepared once, for each key; the sum of the b values found. */
  lookups(keys: Int32Array): Promise<number>;
  /** SELECT sum(b) FROM t WHERE a >= lo AND a < lo + width, prepared once, for each lo; the total. */
  rangeSums(los: Int32Array, width: number): Promise<number>;
  close(): Promise<void>;
}

export async function openPGlite(): Promise<SqlSystem> {
  const pg = await PGlite.create();
  return {
    key: 'pglite',
    async load(rows) {
      await pg.exec('DROP TABLE IF EXISTS t; CREATE TABLE t (a int4 NOT NULL, b int4)');
      const stop = startTiming();
      await pg.exec(`INSERT INTO t SELECT g, g * 2 FROM generate_series(0, ${rows - 1}) g`);
      return stop();
    },
    async count() {
      const r = await pg.query<{ n: number }>('SELECT count(*)::int4 AS n FROM t');
      return r.rows[0].n;
    },
    async sum() {
      const r = await pg.query<{ s: number }>('SELECT sum(a)::float8 AS s FROM t');
      return r.rows[0].s;
    },
    vacuum: async () => {
      await pg.exec('VACUUM t');
    },
    async createIndex() {
      await pg.exec('DROP INDEX IF EXISTS t_a; DEALLOCATE ALL');
      const stop = startTiming();
      await pg.exec('CREATE INDEX t_a ON t (a)');
      const t = stop();
      await pg.exec('ANALYZE t');
      await pg.exec('PREPARE lookup(int4) AS SELECT b FROM t WHERE a = $1');
      await pg.exec('PREPARE range(int4, int4) AS SELECT sum(b)::float8 AS s FROM t WHERE a >= $1 AND a < $2');
      return t;
    },
    async lookups(keys) {
      let sum = 0;
      for (let i = 0; i < keys.length; i++) {
        const r = await pg.query<{ b: number }>(`EXECUTE lookup(${keys[i]})`);
        for (const row of r.rows) sum += row.b;
      }
      return sum;
    },
    async rangeSums(los, width) {
      let sum = 0;
      for (let i = 0; i < los.length; i++) {
        const r = await pg.query<{ s: number }>(`EXECUTE range(${los[i]}, ${los[i] + width})`);
        sum += r.rows[0].s;
      }
      return sum;
    },
    close: () => pg.close(),
  };
}

export async function openSqlJs(): Promise<SqlSystem> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  const scalar = (sql: string): number => Number(db.exec(sql)[0].values[0][0]);
  return {
    key: 'sqljs',
    load(rows) {
      db.run('DROP TABLE IF EXISTS t; CREATE TABLE t (a INTEGER NOT NULL, b INTEGER)');
      const stop = startTiming();
      db.run(`WITH RECURSIVE g(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM g WHERE x < ${rows - 1}) INSERT INTO t SELECT x, x * 2 FROM g`);
      return Promise.resolve(stop());
    },
    // SQLite answers count(*) from the b-tree's cell counts (OP_Count)
    // without visiting rows, so its count is not a row scan.
    count: () => Promise.resolve(scalar('SELECT count(*) FROM t')),
    sum: () => Promise.resolve(scalar('SELECT sum(a) FROM t')),
    vacuum: null,
    createIndex() {
      db.run('DROP INDEX IF EXISTS t_a');
      const stop = startTiming();
      db.run('CREATE INDEX t_a ON t (a)');
      return Promise.resolve(stop());
    },
    lookups(keys) {
      const st = db.prepare('SELECT b FROM t WHERE a = ?');
      let sum = 0;
      for (let i = 0; i < keys.length; i++) {
        st.bind([keys[i]]);
        while (st.step()) sum += Number(st.get()[0]);
        st.reset();
      }
      st.free();
      return Promise.resolve(sum);
    },
    rangeSums(los, width) {
      const st = db.prepare('SELECT sum(b) FROM t WHERE a >= ? AND a < ?');
      let sum = 0;
      for (let i = 0; i < los.length; i++) {
        st.bind([los[i], los[i] + width]);
        if (st.step()) sum += Number(st.get()[0]);
        st.reset();
      }
      st.free();
      return Promise.resolve(sum);
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}
