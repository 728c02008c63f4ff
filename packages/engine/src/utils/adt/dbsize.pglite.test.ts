/*
 * dbsize.pglite.test.ts — pg_size_pretty against PostgreSQL (PGlite) on
 * boundary, power-of-two and pseudo-random values (bigint and numeric), and
 * the relation-size functions against PostgreSQL where tabgres's files have
 * PostgreSQL's layout (heap and B-tree main forks; see dbsize.ts for the
 * FSM and TOAST-index differences).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { Database } from '../../database.ts';
import { rowToText } from '../../tcop/printtup.ts';
import { startPostgres } from './pgdiff.testutil.ts';

let pg: PGlite;
let db: Database;

beforeAll(async () => {
  pg = await startPostgres();
  db = Database.openSync();
});

afterAll(async () => {
  await pg.close();
  db.closeSync();
});

function ours(sql: string): string[][] {
  const out = db.backend.execSimpleQuery(sql);
  if (out.error !== null) return [[`ERR ${out.error.code} ${out.error.message}`]];
  const r = out.results[out.results.length - 1];
  return r.rows.map((row) => rowToText(r.fields ?? [], row).map((v) => (v === null ? 'NULL' : v)));
}

async function theirs(sql: string): Promise<string[][]> {
  try {
    const r = await pg.query(sql, [], { rowMode: 'array' });
    return (r.rows as unknown[][]).map((row) => row.map((v) => (v === null ? 'NULL' : String(v))));
  } catch (e) {
    const err = e as { code: string; message: string };
    return [[`ERR ${err.code} ${err.message}`]];
  }
}

const INT8_MAX = 9223372036854775807n;

function sizeValues(): bigint[] {
  const out = [0n, 1n, -1n, 10239n, 10240n, 10241n, -10239n, -10240n, -10241n, 10485247n, 10485248n, 20971007n, 20971008n, 20971519n,
    20971520n, 1024n ** 5n * 20n - 1n, 1024n ** 5n * 20n, INT8_MAX, -INT8_MAX - 1n];
  for (let k = 0n; k < 63n; k++) {
    const v = 1n << k;
    out.push(v, v - 1n, v + 1n, -v, (v * 3n) / 2n, -(v * 3n) / 2n);
  }
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let i = 0; i < 200; i++) out.push(((BigInt(rnd()) << BigInt(rnd() % 40)) % INT8_MAX) * (rnd() % 2 === 0 ? 1n : -1n));
  return out;
}

describe('pg_size_pretty', () => {
  it('agrees with PostgreSQL on bigint values', async () => {
    const sql = `SELECT v, pg_size_pretty(v) FROM unnest(ARRAY[${sizeValues().join(',')}]::bigint[]) v`;
    expect(ours(sql)).toEqual(await theirs(sql));
  });

  it('agrees with PostgreSQL on numeric values (fractions, huge, NaN, infinities)', async () => {
    const nums = ['1.5', '-1.5', '10239.99', '10240.5', '-10240.5', '0.001', '123456789012345678901234567890', '-99999999999999999999999.5',
      'NaN', 'Infinity', '-Infinity', '1e20', '10485247.5', '10485248.9', '21474836480.7', ...sizeValues().slice(0, 120).map(String)];
    const sql = `SELECT v, pg_size_pretty(v) FROM unnest(ARRAY[${nums.map((n) => `'${n}'`).join(',')}]::numeric[]) v`;
    expect(ours(sql)).toEqual(await theirs(sql));
  });
});

describe('relation sizes', () => {
  const setup = [
    'CREATE TABLE sz (a int PRIMARY KEY, b int)',
    'CREATE VIEW szv AS SELECT 1',
    'CREATE SEQUENCE szs',
  ];
  const checks = [
    "SELECT pg_relation_size('sz'), pg_table_size('sz'), pg_indexes_size('sz'), pg_total_relation_size('sz'), pg_relation_size('sz_pkey')",
    "SELECT pg_relation_size('szv'), pg_table_size('szv'), pg_indexes_size('szv'), pg_total_relation_size('szv')",
    "SELECT pg_relation_size('szs'), pg_table_size('szs')",
    "SELECT pg_table_size('sz_pkey'), pg_indexes_size('sz_pkey')",
    'SELECT pg_relation_size(0), pg_table_size(0), pg_indexes_size(0), pg_total_relation_size(0)',
    "SELECT pg_relation_size('sz', 'bogus')",
    "SELECT pg_relation_size('sz', 'main'), pg_relation_size('sz', 'vm'), pg_relation_size('sz', 'init')",
  ];

  it('agree with PostgreSQL for empty relations, views, sequences, bad OIDs and fork names', async () => {
    for (const s of setup) {
      ours(s);
      await theirs(s);
    }
    for (const c of checks) expect(ours(c), c).toEqual(await theirs(c));
  });

  it('count the heap and B-tree pages as PostgreSQL does after inserts', async () => {
    const fill = 'INSERT INTO sz SELECT g, g FROM generate_series(1, 1000) g';
    ours(fill);
    await theirs(fill);
    const main = "SELECT pg_relation_size('sz'), pg_relation_size('sz_pkey'), pg_indexes_size('sz'), pg_size_pretty(pg_relation_size('sz'))";
    expect(ours(main)).toEqual(await theirs(main));
    // The totals are the sum of their parts (the FSM fork is tabgres's own size).
    const [[table, indexes, total, fsm, vm, rel]] = ours(
      "SELECT pg_table_size('sz'), pg_indexes_size('sz'), pg_total_relation_size('sz'), pg_relation_size('sz', 'fsm'), pg_relation_size('sz', 'vm'), pg_relation_size('sz')",
    ).map((r) => r.map(Number));
    expect(total).toBe(table + indexes);
    expect(table).toBe(rel + fsm + vm);
  });
});
