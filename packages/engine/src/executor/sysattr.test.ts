/*
 * sysattr.test.ts — the system columns xmin, cmin, xmax, cmax (and ctid,
 * tableoid) read through SQL, checked against the raw tuple headers
 * (pageinspect's heap_page_items) and against the transactions that wrote
 * them, with two backends attached to one shared memory. XIDs differ from
 * PostgreSQL's, so relationships are checked, not numbers (the XID-independent
 * outputs are in test/sql/rowrefs.sql, compared with PostgreSQL there).
 */

import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { Database, createSharedMemoryAndSemaphores } from '../index.ts';
import { rowToText } from '../tcop/printtup.ts';

const open: Database[] = [];

function twoBackends(): [Database, Database] {
  const dir = new MemoryDirectory();
  const shmem = createSharedMemoryAndSemaphores({ sharedBuffers: 128, walBuffers: 64 }).sab;
  const a = Database.attachSync({ dir, shmem, startup: true, pid: 1 });
  const b = Database.attachSync({ dir, shmem, startup: false, pid: 2 });
  open.push(a, b);
  return [a, b];
}

afterEach(() => {
  const all = open.splice(0);
  for (let k = all.length - 1; k >= 0; k--) {
    if (k === 0) all[k].closeSync();
    else all[k].detachSync();
  }
});

function q(db: Database, sql: string): string[][] {
  const out = db.backend.execSimpleQuery(sql);
  if (out.error !== null) throw new Error(`${sql}: ${out.error.code} ${out.error.message}`);
  const r = out.results[out.results.length - 1];
  return r.rows.map((row) => rowToText(r.fields ?? [], row).map((v) => v ?? 'NULL'));
}

/** Each row's system columns beside its raw header fields from the page. */
const HEADER_CHECK = `
  SELECT t.a, t.xmin::text = h.t_xmin::text, t.xmax::text = h.t_xmax::text, t.cmin::text = h.t_field3::text,
         t.cmax::text = h.t_field3::text, (h.t_infomask & 4096) <> 0 AS multi
    FROM sa t JOIN heap_page_items(get_raw_page('sa', 0)) h ON t.ctid = ('(0,' || h.lp || ')')::tid
   ORDER BY t.a`;

describe('system columns', () => {
  it('are the raw header fields of the version the scan returned', () => {
    const [a, b] = twoBackends();
    q(a, 'CREATE TABLE sa (a int)');
    q(a, 'BEGIN');
    q(a, 'INSERT INTO sa VALUES (1)');
    q(a, 'INSERT INTO sa VALUES (2)');
    // Inserted by this transaction: xmin is its XID, cmin the inserting command's id, xmax 0.
    expect(q(a, 'SELECT a, xmin = txid_current()::text::xid, cmin, cmax, xmax FROM sa ORDER BY a')).toEqual([
      ['1', 't', '0', '0', '0'],
      ['2', 't', '1', '1', '0'],
    ]);
    const [[xidA]] = q(a, 'SELECT txid_current()');
    q(a, 'COMMIT');

    // Another backend's lock: xmax becomes the locker's XID while the row stays visible.
    q(b, 'BEGIN');
    q(b, 'SELECT * FROM sa WHERE a = 1 FOR UPDATE');
    const [[xidB]] = q(b, 'SELECT txid_current()');
    expect(q(a, 'SELECT a, xmin::text, xmax::text FROM sa ORDER BY a')).toEqual([['1', xidA, xidB], ['2', xidA, '0']]);
    q(b, 'ROLLBACK');

    // Two sharers: xmax is a multixact id (HEAP_XMAX_IS_MULTI), not either XID.
    q(a, 'BEGIN');
    q(b, 'BEGIN');
    q(a, 'SELECT * FROM sa WHERE a = 2 FOR SHARE');
    q(b, 'SELECT * FROM sa WHERE a = 2 FOR SHARE');
    const rows = q(a, HEADER_CHECK);
    expect(rows).toEqual([['1', 't', 't', 't', 't', 'f'], ['2', 't', 't', 't', 't', 't']]);
    q(a, 'COMMIT');
    q(b, 'COMMIT');

    // An update after a plain SELECT (which uses no command id): the new version's cmin is 0; row 2 keeps
    // the cmin of its inserting command (1) and the multixact in xmax.
    q(a, 'BEGIN');
    q(a, 'SELECT 1');
    q(a, 'UPDATE sa SET a = 3 WHERE a = 1');
    expect(q(a, 'SELECT a, xmin = txid_current()::text::xid, xmax, cmin FROM sa ORDER BY a')).toEqual([
      ['2', 'f', q(a, "SELECT xmax::text FROM sa WHERE a = 2")[0][0], '1'],
      ['3', 't', '0', '0'],
    ]);
    q(a, 'COMMIT');
    expect(q(a, HEADER_CHECK).map((r) => r.slice(0, 5))).toEqual([['2', 't', 't', 't', 't'], ['3', 't', 't', 't', 't']]);
  });

  it('are not in SELECT * and are unavailable on a view', () => {
    const [a] = twoBackends();
    q(a, 'CREATE TABLE sa (a int)');
    q(a, 'INSERT INTO sa VALUES (1)');
    q(a, 'CREATE VIEW sav AS SELECT * FROM sa');
    const out = a.backend.execSimpleQuery('SELECT * FROM sa');
    expect(out.results[0].fields?.map((f) => f.name)).toEqual(['a']);
    expect(a.backend.execSimpleQuery('SELECT xmin FROM sav').error?.code).toBe('42703');
    expect(q(a, 'SELECT pg_typeof(xmin), pg_typeof(cmin), pg_typeof(xmax), pg_typeof(cmax) FROM sa')).toEqual([['xid', 'cid', 'xid', 'cid']]);
  });
});

describe('insert target page across backends', () => {
  it('a backend with no cached target block tries the last page before extending', () => {
    const [a, b] = twoBackends();
    q(a, 'CREATE TABLE ins (a int)');
    q(a, 'INSERT INTO ins VALUES (1), (2)');
    q(b, 'INSERT INTO ins VALUES (3)');
    q(a, 'INSERT INTO ins VALUES (4)');
    // PostgreSQL: (0,3) and (0,4), the one page both backends share.
    expect(q(b, 'SELECT a, ctid FROM ins ORDER BY a')).toEqual([['1', '(0,1)'], ['2', '(0,2)'], ['3', '(0,3)'], ['4', '(0,4)']]);
    expect(q(b, "SELECT pg_relation_size('ins')")).toEqual([['8192']]);
  });
});
