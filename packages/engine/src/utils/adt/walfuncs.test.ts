/*
 * walfuncs.test.ts — pg_walinspect (release 15), pg_current_wal_*lsn and the
 * pg_lsn type. PGlite has no pg_walinspect, and the engine's records are not
 * byte for byte PostgreSQL's, so the checks are: the columns and types of
 * PostgreSQL 15's functions (read from a 15 server's pg_proc), release 15's
 * wording of each description and block reference (the strings a 15 server
 * printed for the same statements), release 15's errors, and the WAL's own
 * invariants (each record's prev_lsn is the previous record, end_lsn the
 * next one's start).
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../database.ts';
import { PgError } from '../errors.ts';

let db: Database;

beforeEach(() => {
  db = Database.openSync();
});

afterEach(() => {
  db.closeSync();
});

const rows = (sql: string, params: unknown[] = []): Record<string, unknown>[] => db.querySync(sql, params).rows as Record<string, unknown>[];
const one = (sql: string, params: unknown[] = []): Record<string, unknown> => rows(sql, params)[0];

function errorOf(sql: string): PgError {
  try {
    db.querySync(sql);
  } catch (e) {
    return e as PgError;
  }
  throw new Error(`no error from ${sql}`);
}

const lsn = (t: unknown): bigint => {
  const [hi, lo] = String(t).split('/');
  return (BigInt('0x' + hi) << 32n) | BigInt('0x' + lo);
};

describe('pg_walinspect', () => {
  it("has PostgreSQL 15's columns and types", () => {
    // The OUT columns of PostgreSQL 15.x's pg_walinspect 1.0 (pg_get_function_result), by name and type OID.
    const cols = [
      ['start_lsn', 3220], ['end_lsn', 3220], ['prev_lsn', 3220], ['xid', 28], ['resource_manager', 25], ['record_type', 25],
      ['record_length', 23], ['main_data_length', 23], ['fpi_length', 23], ['description', 25], ['block_ref', 25],
    ];
    const cur = one('SELECT pg_current_wal_flush_lsn()::text AS l').l as string;
    const back = `0/${(Number(lsn(cur) - 200n)).toString(16)}`;
    for (const sql of [
      `SELECT * FROM pg_get_wal_records_info('${back}', '${cur}')`,
      `SELECT * FROM pg_get_wal_record_info('${back}')`,
      `SELECT * FROM pg_get_wal_records_info_till_end_of_wal('${back}')`,
    ]) {
      expect(db.querySync(sql).fields.map((f) => [f.name, f.dataTypeID])).toEqual(cols);
    }
    expect(db.querySync('SELECT pg_current_wal_lsn(), pg_current_wal_insert_lsn(), pg_current_wal_flush_lsn()').fields.map((f) => f.dataTypeID)).toEqual([3220, 3220, 3220]);
    // In pg_proc (the initdb template): set-returning or not, as PostgreSQL's.
    expect(rows(`SELECT proname::text AS n, proretset AS s FROM pg_proc WHERE proname IN ('pg_get_wal_records_info', 'pg_get_wal_record_info',
                   'pg_get_wal_records_info_till_end_of_wal', 'pg_current_wal_lsn') ORDER BY 1`)).toEqual([
      { n: 'pg_current_wal_lsn', s: false }, { n: 'pg_get_wal_record_info', s: false },
      { n: 'pg_get_wal_records_info', s: true }, { n: 'pg_get_wal_records_info_till_end_of_wal', s: true },
    ]);
  });

  it('lists the records of INSERT, UPDATE, DELETE worded as release 15 words them, chained by prev_lsn', () => {
    db.execSync('CREATE TABLE t (a int PRIMARY KEY, b text)');
    const rel = one("SELECT relfilenode::int AS r FROM pg_class WHERE relname = 't'").r as number;
    const start = one('SELECT pg_current_wal_lsn()::text AS l').l as string;
    db.execSync("INSERT INTO t VALUES (1, 'x')");
    db.execSync("INSERT INTO t VALUES (2, 'y')");
    db.execSync('BEGIN');
    const xid = Number(one('SELECT txid_current()::int AS x').x);
    db.execSync("UPDATE t SET b = 'z' WHERE a = 1; DELETE FROM t WHERE a = 2; COMMIT");
    const recs = rows(`SELECT start_lsn::text AS s, end_lsn::text AS e, prev_lsn::text AS p, xid::text AS xid, resource_manager AS rm,
                              record_type AS type, record_length AS len, main_data_length AS mlen, fpi_length AS fpi, description AS d, block_ref AS b
                         FROM pg_get_wal_records_info($1, pg_current_wal_lsn())`, [start]);
    const heap = recs.filter((r) => r.rm === 'Heap');
    expect(heap.map((r) => r.type)).toEqual(['INSERT+INIT', 'INSERT', 'HOT_UPDATE', 'DELETE']);
    expect(heap[0].d).toBe('off 1 flags 0x00');
    expect(heap[1].d).toBe('off 2 flags 0x00');
    expect(heap[2].d).toMatch(new RegExp(`^off 1 xmax ${xid} flags 0x[0-9A-F]{2} ; new off 3 xmax 0$`));
    expect(heap[3].d).toBe('off 2 flags 0x00 KEYS_UPDATED ');
    expect(heap[3].xid).toBe(String(xid));
    for (const h of heap) expect(h.b).toMatch(new RegExp(`^blkref #0: rel 1663/\\d+/${rel} fork main blk 0( \\(FPW\\); hole: offset: \\d+, length: \\d+)?$`));
    const commits = recs.filter((r) => r.rm === 'Transaction');
    expect(commits.map((r) => r.type)).toEqual(['COMMIT', 'COMMIT', 'COMMIT']);
    for (const c of commits) {
      expect(c.d).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00$/);
      expect(c.b).toBe('');
    }
    const leaf = recs.filter((r) => r.rm === 'Btree' && r.type === 'INSERT_LEAF');
    expect(leaf.map((r) => r.d)).toEqual(['off 1', 'off 2']);
    // The WAL's chain: every record follows the one before, and its lengths add up.
    for (let i = 1; i < recs.length; i++) {
      expect(recs[i].p).toBe(recs[i - 1].s);
      expect(recs[i].s).toBe(recs[i - 1].e);
    }
    for (const r of recs) expect(Number(r.len)).toBeGreaterThanOrEqual(24 + Number(r.mlen) + Number(r.fpi));
    // pg_get_wal_record_info inside a record: the next record (XLogFindNextRecord).
    const inside = (lsn(recs[1].s) + 1n);
    const next = one(`SELECT start_lsn::text AS s FROM pg_get_wal_record_info($1::pg_lsn)`, [`${(inside >> 32n).toString(16)}/${(inside & 0xffffffffn).toString(16)}`]);
    expect(next.s).toBe(recs[2].s);
    expect(rows('SELECT * FROM pg_get_wal_records_info_till_end_of_wal($1)', [start]).length).toBe(recs.length);
  });

  it('words row locks, page splits and VACUUM as release 15 does', () => {
    db.execSync("CREATE TABLE lk (a int PRIMARY KEY, b text)");
    const start = one('SELECT pg_current_wal_lsn()::text AS l').l as string;
    db.execSync("INSERT INTO lk SELECT i, 'x' FROM generate_series(1, 1000) i");
    db.execSync('BEGIN');
    const xid = Number(one('SELECT txid_current()::int AS x').x);
    db.execSync('SELECT * FROM lk WHERE a = 1 FOR UPDATE; COMMIT');
    db.execSync('DELETE FROM lk WHERE a <= 200');
    db.execSync('VACUUM lk');
    const recs = rows(`SELECT resource_manager AS rm, record_type AS t, description AS d FROM pg_get_wal_records_info($1, pg_current_wal_lsn())`, [start]);
    const of = (rm: string, t: string): string[] => recs.filter((r) => r.rm === rm && r.t === t).map((r) => r.d as string);
    // The strings a PostgreSQL 15 server printed for the same statements (its XIDs and offsets aside).
    expect(of('Heap', 'LOCK')).toEqual([`off 1: xid ${xid}: flags 0x00 LOCK_ONLY EXCL_LOCK KEYS_UPDATED `]);
    const splits = [...of('Btree', 'SPLIT_L'), ...of('Btree', 'SPLIT_R')];
    expect(splits.length).toBeGreaterThan(0);
    for (const d of splits) expect(d).toMatch(/^level 0, firstrightoff \d+, newitemoff \d+, postingoff 0$/);
    const vac = of('Btree', 'VACUUM');
    expect(vac.length).toBeGreaterThan(0);
    for (const d of vac) expect(d).toMatch(/^ndeleted \d+; nupdated 0$/);
    for (const d of of('Heap2', 'PRUNE')) expect(d).toMatch(/^latestRemovedXid \d+ nredirected \d+ ndead \d+$/);
    for (const d of of('Heap2', 'VACUUM')) expect(d).toMatch(/^nunused \d+$/);
    for (const d of of('Heap2', 'VISIBLE')) expect(d).toMatch(/^cutoff xid \d+ flags 0x0[0-9A-F]$/);
  });

  it('marks a full-page image after a checkpoint as release 15 does', () => {
    db.execSync("CREATE TABLE f (a int); INSERT INTO f VALUES (1); CHECKPOINT");
    const start = one('SELECT pg_current_wal_lsn()::text AS l').l as string;
    db.execSync('INSERT INTO f VALUES (2)');
    const r = one(`SELECT fpi_length, record_length, block_ref FROM pg_get_wal_records_info($1, pg_current_wal_lsn()) WHERE resource_manager = 'Heap'`, [start]);
    expect(Number(r.fpi_length)).toBeGreaterThan(0);
    expect(Number(r.record_length)).toBeGreaterThan(Number(r.fpi_length));
    expect(r.block_ref).toMatch(/^blkref #0: rel 1663\/\d+\/\d+ fork main blk 0 \(FPW\); hole: offset: \d+, length: \d+$/);
  });

  it("gives release 15's errors", () => {
    const cur = one('SELECT pg_current_wal_flush_lsn()::text AS l').l as string;
    let e = errorOf(`SELECT * FROM pg_get_wal_records_info('${cur}', '${cur}')`);
    expect([e.code, e.message]).toEqual(['22023', 'cannot accept future start LSN']);
    expect(e.detail).toBe(`Last known WAL LSN on the database system is at ${cur}.`);
    e = errorOf(`SELECT * FROM pg_get_wal_records_info('0/1000000', 'FFFFFFFF/FFFFFFFF')`);
    expect([e.code, e.message]).toEqual(['22023', 'cannot accept future end LSN']);
    e = errorOf(`SELECT * FROM pg_get_wal_records_info('0/1000000', '0/1000000')`);
    expect([e.code, e.message]).toEqual(['22023', 'WAL start LSN must be less than end LSN']);
    e = errorOf(`SELECT * FROM pg_get_wal_record_info('${cur}')`);
    expect([e.code, e.message]).toEqual(['22023', 'cannot accept future input LSN']);
    e = errorOf(`SELECT * FROM pg_get_wal_records_info('0/1', '0/2')`);
    expect([e.code, e.message]).toEqual(['XX000', 'could not read WAL at LSN 0/1']);
  });
});

describe('pg_lsn and pg_current_wal_*lsn', () => {
  it("reads, prints and compares LSNs as PostgreSQL's pg_lsn", () => {
    expect(one("SELECT '0/16B3748'::pg_lsn::text AS a, 'ff/abc'::pg_lsn::text AS b, 'FFFFFFFF/FFFFFFFF'::pg_lsn > '0/0'::pg_lsn AS c")).toEqual({ a: '0/16B3748', b: 'FF/ABC', c: true });
    const e = errorOf("SELECT 'x'::pg_lsn");
    expect([e.code, e.message]).toEqual(['22P02', 'invalid input syntax for type pg_lsn: "x"']);
    const r = one('SELECT pg_current_wal_lsn() AS w, pg_current_wal_insert_lsn() AS i, pg_current_wal_flush_lsn() AS f');
    expect(lsn(r.i) >= lsn(r.w) && lsn(r.w) >= lsn(r.f) && lsn(r.f) > 0n).toBe(true);
  });
});
