/*
 * systems.ts — the three SQL engines of the SQL benchmark behind one small
 * interface: tabgres (Database.open() in memory), PGlite in memory and
 * sql.js, each driven the way its users drive it.
 *
 * Exports: SqlEngine, EngineKey, ENGINE_KEYS, ENGINE_NAMES, openEngine(key).
 *
 * Statements without parameters go through each engine's "run a string"
 * call (tabgres exec, PGlite exec — both the simple query protocol — and
 * sql.js exec); parameterized lookups through its parameter path (tabgres
 * query(sql, [k]), PGlite query(sql, [k]), a sql.js prepared statement
 * bound and stepped per key).
 *
 * Every call returns a checksum so that the engines can be compared and no
 * engine can skip work: for a query the sum of its first column over the
 * rows, for INSERT / UPDATE / DELETE the number of rows affected, else 0.
 */

import { PGlite } from '@electric-sql/pglite';
import initSqlJs from 'sql.js';
import { Database } from '../../packages/engine/src/database.ts';
import { kindOf, sumFirstColumn } from './checksum.ts';

export type EngineKey = 'tabgres' | 'pglite' | 'sqljs';
export const ENGINE_KEYS: readonly EngineKey[] = ['tabgres', 'pglite', 'sqljs'];
export const ENGINE_NAMES: Record<EngineKey, string> = { tabgres: 'tabgres', pglite: 'PGlite', sqljs: 'sql.js' };

export interface SqlEngine {
  readonly key: EngineKey;
  /** One statement; its checksum (see the header). */
  run(sql: string): Promise<number>;
  /** After a failed statement: leave any open transaction block (ROLLBACK; its errors ignored). */
  recover(): Promise<void>;
  /** `sql` has one parameter $1 (sql.js: ?), run once per key; the checksum summed. */
  lookups(sql: string, keys: Int32Array): Promise<number>;
  /** INSERT INTO table SELECT selectList FROM a series of g = 0 .. rows-1, in the engine's dialect. */
  fillSql(table: string, rows: number, selectList: string): string;
  close(): Promise<void>;
}

const pgFill = (table: string, rows: number, list: string): string =>
  `INSERT INTO ${table} SELECT ${list} FROM generate_series(0, ${rows - 1}) AS s(g)`;

async function openTabgres(): Promise<SqlEngine> {
  const db = await Database.open();
  return {
    key: 'tabgres',
    async run(sql) {
      const kind = kindOf(sql);
      const rs = await db.exec(sql);
      const r = rs[rs.length - 1];
      if (r === undefined || kind === 2) return 0;
      return kind === 1 ? r.rowCount : sumFirstColumn(r.rows, r.fields[0]?.name);
    },
    async recover() {
      try {
        await db.exec('ROLLBACK');
      } catch {
        // no transaction was open
      }
    },
    async lookups(sql, keys) {
      let s = 0;
      const param: unknown[] = [0];
      for (let i = 0; i < keys.length; i++) {
        param[0] = keys[i];
        const r = await db.query(sql, param, { rowMode: 'array' });
        for (const row of r.rows as unknown as unknown[][]) s += Number(row[0]);
      }
      return s;
    },
    fillSql: pgFill,
    close: () => db.close(),
  };
}

async function openPGlite(): Promise<SqlEngine> {
  const pg = await PGlite.create();
  return {
    key: 'pglite',
    async run(sql) {
      const kind = kindOf(sql);
      const rs = await pg.exec(sql);
      const r = rs[rs.length - 1];
      if (r === undefined || kind === 2) return 0;
      return kind === 1 ? (r.affectedRows ?? 0) : sumFirstColumn(r.rows as Record<string, unknown>[], r.fields[0]?.name);
    },
    async recover() {
      try {
        await pg.exec('ROLLBACK');
      } catch {
        // no transaction was open
      }
    },
    async lookups(sql, keys) {
      let s = 0;
      const param: unknown[] = [0];
      for (let i = 0; i < keys.length; i++) {
        param[0] = keys[i];
        const r = await pg.query<unknown[]>(sql, param, { rowMode: 'array' });
        for (const row of r.rows) s += Number(row[0]);
      }
      return s;
    },
    fillSql: pgFill,
    close: () => pg.close(),
  };
}

async function openSqlJs(): Promise<SqlEngine> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  // getRowsModified is sqlite3_changes(); bench/sqljs.d.ts does not declare it.
  const changes = (): number => (db as unknown as { getRowsModified(): number }).getRowsModified();
  return {
    key: 'sqljs',
    run(sql) {
      const kind = kindOf(sql);
      const rs = db.exec(sql);
      if (kind === 2) return Promise.resolve(0);
      // sqlite3_changes() keeps the last DML's count across queries, so read it for DML only.
      if (kind === 1) return Promise.resolve(changes());
      let s = 0;
      const r = rs[rs.length - 1];
      if (r !== undefined) for (const row of r.values) if (row[0] !== null) s += Number(row[0]);
      return Promise.resolve(s);
    },
    recover() {
      try {
        db.exec('ROLLBACK');
      } catch {
        // no transaction was open
      }
      return Promise.resolve();
    },
    lookups(sql, keys) {
      const st = db.prepare(sql.replace(/\$1/g, '?'));
      let s = 0;
      const param: unknown[] = [0];
      for (let i = 0; i < keys.length; i++) {
        param[0] = keys[i];
        st.bind(param);
        while (st.step()) s += Number(st.get()[0]);
        st.reset();
      }
      st.free();
      return Promise.resolve(s);
    },
    fillSql: (table, rows, list) =>
      `WITH RECURSIVE s(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM s WHERE g < ${rows - 1}) INSERT INTO ${table} SELECT ${list} FROM s`,
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}

export function openEngine(key: EngineKey): Promise<SqlEngine> {
  switch (key) {
    case 'tabgres':
      return openTabgres();
    case 'pglite':
      return openPGlite();
    case 'sqljs':
      return openSqlJs();
  }
}
