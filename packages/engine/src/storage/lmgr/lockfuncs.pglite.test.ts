/*
 * lockfuncs.pglite.test.ts — what one session sees of the lock SQL, against
 * PostgreSQL (PGlite, one session): LOCK TABLE's errors and modes, the
 * advisory-lock functions' results and WARNINGs, and the columns (names
 * and type OIDs) of pg_locks and pg_stat_activity. Blocking between
 * sessions is statement_locks.test.ts's and worker-host's locks.test.ts's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { startPostgres } from '../../utils/adt/pgdiff.testutil.ts';
import { Database } from '../../database.ts';
import { isPgError } from '../../utils/errors.ts';

let pg: PGlite;
let db: Database;

beforeAll(async () => {
  pg = await startPostgres();
  db = Database.openSync();
  const setup = 'CREATE TABLE lk (k int PRIMARY KEY, v text); CREATE VIEW lkv AS SELECT * FROM lk; CREATE SEQUENCE lks';
  await pg.exec(setup);
  db.execSync(setup);
}, 60_000);

afterAll(async () => {
  db?.closeSync();
  await pg?.close();
});

/** A script's last result's rows and its notices, or the error: one comparable string. */
async function theirs(sql: string): Promise<string> {
  const notices: string[] = [];
  try {
    const r = await pg.exec(sql, { onNotice: (n: { severity: string; message: string }) => notices.push(`${n.severity} ${n.message}`) } as never);
    return JSON.stringify({ rows: r[r.length - 1]?.rows ?? [], notices });
  } catch (e) {
    const err = e as { code: string; message: string; detail?: string };
    return `${err.code} ${err.message}${err.detail !== undefined && err.detail !== '' ? ` | ${err.detail}` : ''}`;
  }
}

function ours(sql: string): string {
  try {
    const r = db.execSync(sql);
    const last = r[r.length - 1];
    return JSON.stringify({ rows: last?.rows ?? [], notices: r.flatMap((x) => x.notices.map((n) => `${n.severity} ${n.message}`)) });
  } catch (e) {
    if (!isPgError(e)) throw e;
    return `${e.code} ${e.message}${e.detail !== undefined ? ` | ${e.detail}` : ''}`;
  }
}

const CASES: string[] = [
  'LOCK TABLE lk',
  'BEGIN; LOCK TABLE lk IN SHARE MODE; COMMIT',
  'BEGIN; LOCK lk, lkv IN ROW EXCLUSIVE MODE NOWAIT; COMMIT',
  'BEGIN; LOCK TABLE nosuch; COMMIT',
  'ROLLBACK',
  'BEGIN; LOCK TABLE lk_pkey; COMMIT',
  'ROLLBACK',
  'BEGIN; LOCK TABLE lks; COMMIT',
  'ROLLBACK',
  "BEGIN; LOCK TABLE lk IN ACCESS EXCLUSIVE MODE; SELECT mode, granted FROM pg_locks WHERE relation = 'lk'::regclass; COMMIT",
  "BEGIN; SELECT * FROM lk; SELECT mode FROM pg_locks WHERE relation = 'lk'::regclass; COMMIT",
  "BEGIN; INSERT INTO lk VALUES (1, 'a'); SELECT mode FROM pg_locks WHERE relation = 'lk'::regclass ORDER BY mode; ROLLBACK",
  'SELECT pg_advisory_lock(1), pg_advisory_lock(1), pg_try_advisory_lock(1) AS t',
  "SELECT locktype, classid, objid, objsubid, mode, granted FROM pg_locks WHERE locktype = 'advisory'",
  'SELECT pg_advisory_unlock(1) AS a, pg_advisory_unlock(1) AS b, pg_advisory_unlock(1) AS c',
  'SELECT pg_advisory_unlock(1) AS again',
  'SELECT pg_advisory_unlock_shared(2) AS s',
  'SELECT pg_advisory_lock_shared(3, 4), pg_try_advisory_lock_shared(3, 4) AS t',
  "SELECT classid, objid, objsubid, mode FROM pg_locks WHERE locktype = 'advisory'",
  'SELECT pg_advisory_unlock_all()',
  "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'",
  "BEGIN; SELECT pg_advisory_xact_lock(-5), pg_try_advisory_xact_lock(-5) AS t; SELECT objid, mode FROM pg_locks WHERE locktype = 'advisory'; COMMIT",
  "SELECT count(*)::int AS after_commit FROM pg_locks WHERE locktype = 'advisory'",
  'SELECT pg_advisory_lock(NULL)',
  "SELECT pg_blocking_pids(pg_backend_pid())",
];

describe('lock SQL in one session, against PostgreSQL', () => {
  for (const sql of CASES) {
    it(sql, async () => {
      expect(ours(sql)).toBe(await theirs(sql));
    });
  }

  it('pg_locks and pg_stat_activity have PostgreSQL\'s columns and types', async () => {
    for (const view of ['pg_locks', 'pg_stat_activity']) {
      const mine = db.querySync(`SELECT * FROM ${view} LIMIT 0`).fields.map((f) => `${f.name}:${f.dataTypeID}`);
      const pgs = (await pg.query(`SELECT * FROM ${view} LIMIT 0`)).fields.map((f) => `${f.name}:${f.dataTypeID}`);
      // client_addr is inet (869) in PostgreSQL; tabgres has no inet type and gives text (always NULL).
      expect(mine).toEqual(pgs.map((c) => (c === 'client_addr:869' ? 'client_addr:25' : c)));
    }
  });

  it('pg_stat_activity shows this session active, with its query', async () => {
    // (PGlite runs as a standalone backend without a role row: backend_type and usename differ by design.)
    const q = "SELECT state, query LIKE 'SELECT state, query LIKE%' AS same, datname, wait_event_type, wait_event, backend_xid FROM pg_stat_activity WHERE pid = pg_backend_pid()";
    const mine = ours(q);
    expect(mine).toBe(await theirs(q));
  });
});
