/*
 * Heavyweight locks taken by SQL statements, in one thread: two backends
 * attached to one segment (Database.attachSync). A wait cannot be left
 * pending here (the thread would sleep), so every conflicting request is
 * NOWAIT, or bounded by lock_timeout / statement_timeout: which is how a
 * wait, its cancellation and pg_locks are observed. Real blocking between
 * worker threads is packages/worker-host/src/locks.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { Database, PgError } from '../../index.ts';
import { createSharedMemoryAndSemaphores } from '../ipc/ipci.ts';

let a: Database;
let b: Database;

function failure(fn: () => unknown): PgError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

function rows(db: Database, sql: string): Record<string, unknown>[] {
  return db.querySync(sql).rows;
}

beforeAll(() => {
  const dir = new MemoryDirectory();
  const shmem = createSharedMemoryAndSemaphores({ sharedBuffers: 128, walBuffers: 64 }).sab;
  a = Database.attachSync({ dir, shmem, startup: true, pid: 101 });
  b = Database.attachSync({ dir, shmem, startup: false, pid: 102 });
  a.execSync('CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 10), (2, 20)');
  b.execSync('SELECT 1'); // reads a's invalidations
}, 60_000);

afterAll(() => {
  b?.detachSync();
  a?.closeSync();
});

/** The relation locks `pid` holds or awaits on t, as pg_locks shows them. */
function locksOnT(db: Database, pid: number): { mode: string; granted: boolean }[] {
  return db.querySync<{ mode: string; granted: boolean }>(
    `SELECT mode, granted FROM pg_locks WHERE locktype = 'relation' AND relation = 't'::regclass AND pid = ${pid} ORDER BY mode`,
  ).rows;
}

describe('statement locks', () => {
  it('SELECT takes AccessShareLock, DML RowExclusiveLock, held until the transaction ends', () => {
    a.execSync('BEGIN');
    a.execSync('SELECT * FROM t');
    expect(locksOnT(b, 101)).toEqual([{ mode: 'AccessShareLock', granted: true }]);
    a.execSync('UPDATE t SET v = v + 1 WHERE id = 1');
    expect(locksOnT(b, 101)).toEqual([{ mode: 'AccessShareLock', granted: true }, { mode: 'RowExclusiveLock', granted: true }]);
    a.execSync('COMMIT');
    expect(locksOnT(b, 101)).toEqual([]);
  });

  it('SELECT FOR UPDATE takes RowShareLock on its target', () => {
    a.execSync('BEGIN');
    try {
      a.execSync('SELECT * FROM t WHERE id = 2 FOR UPDATE');
      expect(locksOnT(b, 101).map((l) => l.mode)).toContain('RowShareLock');
    } finally {
      a.execSync('ROLLBACK');
    }
  });

  it('a transaction holds ExclusiveLock on its own XID once it has one', () => {
    a.execSync('BEGIN');
    try {
      a.execSync('INSERT INTO t VALUES (3, 30)');
      const xid = rows(a, 'SELECT backend_xid AS x FROM pg_stat_activity WHERE pid = pg_backend_pid()')[0].x;
      expect(xid).toMatch(/^[0-9]+$/);
      const l = rows(b, `SELECT mode, granted FROM pg_locks WHERE locktype = 'transactionid' AND pid = 101`);
      expect(l).toEqual([{ mode: 'ExclusiveLock', granted: true }]);
      expect(rows(b, `SELECT transactionid AS x FROM pg_locks WHERE locktype = 'transactionid' AND pid = 101`)[0].x).toBe(xid);
    } finally {
      a.execSync('ROLLBACK');
    }
  });

  it('a subtransaction\'s XID lock goes with its abort; the parent\'s, assigned while the child ran, stays', () => {
    const xidLocks = (): number => rows(b, `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'transactionid' AND pid = 101 AND granted`)[0].n as number;
    a.execSync('BEGIN; SAVEPOINT s1');
    try {
      // The first write is in the subtransaction: the parent's XID is assigned first, then the child's.
      a.execSync('INSERT INTO t VALUES (4, 40)');
      expect(xidLocks()).toBe(2);
      a.execSync('ROLLBACK TO SAVEPOINT s1');
      expect(xidLocks()).toBe(1);
      // ROLLBACK TO keeps s1 open as a new subtransaction: s1 and s2 get XIDs now, parent first.
      a.execSync('SAVEPOINT s2; INSERT INTO t VALUES (5, 50); RELEASE SAVEPOINT s2');
      // A committed subtransaction hands its XID lock to the parent until the top level ends.
      expect(xidLocks()).toBe(3);
    } finally {
      a.execSync('ROLLBACK');
    }
    expect(xidLocks()).toBe(0);
  });

  it('LOCK TABLE ... NOWAIT gives 55P03 while another session holds a conflicting lock', () => {
    a.execSync('BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
    try {
      expect(locksOnT(a, 101)).toEqual([{ mode: 'AccessExclusiveLock', granted: true }]);
      b.execSync('BEGIN');
      const e = failure(() => b.execSync('LOCK TABLE t IN ACCESS SHARE MODE NOWAIT'));
      expect([e.code, e.message]).toEqual(['55P03', 'could not obtain lock on relation "t"']);
      b.execSync('ROLLBACK');
    } finally {
      a.execSync('COMMIT');
    }
    b.execSync('BEGIN; LOCK TABLE t IN ACCESS SHARE MODE NOWAIT; COMMIT');
  });

  it('LOCK TABLE defaults to ACCESS EXCLUSIVE, refuses indexes and runs only in a block', () => {
    a.execSync('BEGIN; LOCK t');
    expect(locksOnT(b, 101)).toEqual([{ mode: 'AccessExclusiveLock', granted: true }]);
    a.execSync('COMMIT');
    const e = failure(() => a.execSync('LOCK TABLE t'));
    expect([e.code, e.message]).toEqual(['25P01', 'LOCK TABLE can only be used in transaction blocks']);
    a.execSync('BEGIN');
    const ix = failure(() => a.execSync('LOCK TABLE t_pkey'));
    expect([ix.code, ix.message, ix.detail]).toEqual(['42809', 'cannot lock relation "t_pkey"', 'This operation is not supported for indexes.']);
    a.execSync('ROLLBACK');
  });

  it('LOCK TABLE of a view locks the tables it reads, through views it uses', () => {
    a.execSync('CREATE VIEW tv AS SELECT id FROM t; CREATE VIEW tvv AS SELECT * FROM (SELECT * FROM tv) s');
    a.execSync('BEGIN; LOCK TABLE tvv IN SHARE MODE');
    try {
      expect(locksOnT(b, 101)).toEqual([{ mode: 'ShareLock', granted: true }]);
      b.execSync('BEGIN');
      expect(failure(() => b.execSync('LOCK TABLE t IN ROW EXCLUSIVE MODE NOWAIT')).message).toBe('could not obtain lock on relation "t"');
      b.execSync('ROLLBACK');
    } finally {
      a.execSync('COMMIT');
    }
    a.execSync('DROP VIEW tvv; DROP VIEW tv');
  });

  it('a SELECT waiting behind LOCK TABLE ends at lock_timeout; pg_locks and pg_stat_activity showed nothing stale', () => {
    a.execSync('BEGIN; LOCK TABLE t IN EXCLUSIVE MODE');
    try {
      b.execSync("SET lock_timeout = '50ms'");
      // Exclusive lets AccessShare through: a plain SELECT runs.
      expect(rows(b, 'SELECT count(*)::int AS n FROM t')[0].n).toBe(2);
      const e = failure(() => b.execSync('UPDATE t SET v = 0'));
      expect([e.code, e.message]).toEqual(['55P03', 'canceling statement due to lock timeout']);
      expect(locksOnT(a, 102)).toEqual([]);
    } finally {
      b.execSync('RESET lock_timeout');
      a.execSync('COMMIT');
    }
  });

  it('statement_timeout cancels a lock wait with 57014', () => {
    a.execSync('BEGIN; LOCK TABLE t');
    try {
      b.execSync("SET statement_timeout = '80ms'");
      const e = failure(() => b.execSync('SELECT * FROM t'));
      expect([e.code, e.message]).toEqual(['57014', 'canceling statement due to statement timeout']);
    } finally {
      b.execSync('RESET statement_timeout');
      a.execSync('COMMIT');
    }
    expect(rows(b, 'SELECT count(*)::int AS n FROM t')[0].n).toBe(2);
  });

  it('DROP TABLE, TRUNCATE and CREATE INDEX conflict with a reader; VACUUM with a LOCK SHARE UPDATE EXCLUSIVE', () => {
    a.execSync('BEGIN; SELECT * FROM t');
    try {
      b.execSync("SET lock_timeout = '30ms'");
      expect(failure(() => b.execSync('DROP TABLE t')).code).toBe('55P03');
      expect(failure(() => b.execSync('TRUNCATE t')).code).toBe('55P03');
      expect(failure(() => b.execSync('ALTER TABLE t ADD COLUMN w int')).code).toBe('55P03');
      // CREATE INDEX (ShareLock) goes along with readers.
      b.execSync('CREATE INDEX t_v ON t (v)');
    } finally {
      a.execSync('COMMIT');
    }
    a.execSync('BEGIN; UPDATE t SET v = v WHERE id = 1');
    try {
      expect(failure(() => b.execSync('CREATE INDEX t_v2 ON t (v)')).code).toBe('55P03');
      // DROP INDEX takes the table's AccessExclusiveLock first.
      expect(failure(() => b.execSync('DROP INDEX t_v')).code).toBe('55P03');
    } finally {
      a.execSync('COMMIT');
    }
    a.execSync('BEGIN; LOCK TABLE t IN SHARE UPDATE EXCLUSIVE MODE');
    try {
      expect(failure(() => b.execSync('VACUUM t')).code).toBe('55P03');
      expect(failure(() => b.execSync('ANALYZE t')).code).toBe('55P03');
    } finally {
      b.execSync('RESET lock_timeout');
      a.execSync('COMMIT');
    }
    b.execSync('DROP INDEX t_v');
    b.execSync('VACUUM t');
    b.execSync('ANALYZE t');
  });

  it('a cached plan takes its locks again before it runs (AcquireExecutorLocks)', () => {
    b.querySync('SELECT v FROM t WHERE id = $1', [1]);
    b.querySync('SELECT v FROM t WHERE id = $1', [1]);
    a.execSync('BEGIN; LOCK TABLE t');
    try {
      b.execSync("SET lock_timeout = '30ms'");
      expect(failure(() => b.querySync('SELECT v FROM t WHERE id = $1', [1])).code).toBe('55P03');
    } finally {
      b.execSync('RESET lock_timeout');
      a.execSync('COMMIT');
    }
  });

  it('a lock newly granted reads the DDL its holder committed (the plan is made again)', () => {
    b.querySync('SELECT * FROM t WHERE id = $1', [1]);
    a.execSync('BEGIN; ALTER TABLE t ADD COLUMN extra int DEFAULT 7');
    a.execSync('COMMIT');
    // b has read no invalidation since: its cached plan is for two columns until the lock makes it look.
    expect(Object.keys(b.querySync('SELECT * FROM t WHERE id = $1', [1]).rows[0])).toEqual(['id', 'v', 'extra']);
    a.execSync('ALTER TABLE t DROP COLUMN extra');
  });
});

describe('advisory locks', () => {
  it('session locks stack, block others and go at unlock; xact locks go at commit', () => {
    expect(rows(a, 'SELECT pg_advisory_lock(42) AS r')[0].r).toBe('');
    expect(rows(a, 'SELECT pg_try_advisory_lock(42) AS r')[0].r).toBe(true);
    expect(rows(b, 'SELECT pg_try_advisory_lock(42) AS r')[0].r).toBe(false);
    expect(rows(b, 'SELECT pg_try_advisory_lock_shared(42) AS r')[0].r).toBe(false);
    const l = rows(b, `SELECT locktype, database, classid::int8 AS classid, objid::int8 AS objid, objsubid, mode, granted FROM pg_locks WHERE locktype = 'advisory'`);
    expect(l).toEqual([{ locktype: 'advisory', database: 5, classid: 0n, objid: 42n, objsubid: 1, mode: 'ExclusiveLock', granted: true }]);
    expect(rows(a, 'SELECT pg_advisory_unlock(42) AS r')[0].r).toBe(true);
    expect(rows(b, 'SELECT pg_try_advisory_lock(42) AS r')[0].r).toBe(false);
    expect(rows(a, 'SELECT pg_advisory_unlock(42) AS r')[0].r).toBe(true);
    const w = a.querySync('SELECT pg_advisory_unlock(42) AS r');
    expect(w.rows[0].r).toBe(false);
    expect(w.notices.map((n) => n.message)).toEqual(['you don\'t own a lock of type ExclusiveLock']);
    expect(rows(b, 'SELECT pg_try_advisory_lock(42) AS r')[0].r).toBe(true);
    b.execSync('SELECT pg_advisory_unlock_all()');
    expect(rows(a, 'SELECT pg_try_advisory_lock(1, 2) AS r')[0].r).toBe(true);
    expect(rows(b, 'SELECT pg_try_advisory_lock(1, 2) AS r')[0].r).toBe(false);
    expect(rows(b, 'SELECT pg_try_advisory_lock(2, 1) AS r')[0].r).toBe(true);
    a.execSync('SELECT pg_advisory_unlock_all()');
    b.execSync('SELECT pg_advisory_unlock_all()');

    a.execSync('BEGIN; SELECT pg_advisory_xact_lock_shared(7)');
    expect(rows(b, 'SELECT pg_try_advisory_xact_lock_shared(7) AS r')[0].r).toBe(true);
    expect(rows(b, 'SELECT pg_try_advisory_xact_lock(7) AS r')[0].r).toBe(false);
    a.execSync('COMMIT');
    expect(rows(b, 'SELECT pg_try_advisory_xact_lock(7) AS r')[0].r).toBe(true);
  });

  it('a wait for an advisory lock ends at lock_timeout', () => {
    a.execSync('SELECT pg_advisory_lock(5)');
    try {
      b.execSync("SET lock_timeout = '30ms'");
      expect(failure(() => b.execSync('SELECT pg_advisory_lock(5)')).code).toBe('55P03');
    } finally {
      b.execSync('RESET lock_timeout');
      a.execSync('SELECT pg_advisory_unlock(5)');
    }
  });
});

describe('pg_stat_activity', () => {
  it('shows every backend with its state, query and transaction start', () => {
    a.execSync('BEGIN; SELECT 1');
    try {
      const r = rows(b, 'SELECT pid, datname, usename, state, query, backend_type, xact_start IS NOT NULL AS x, backend_start <= now() AS s FROM pg_stat_activity ORDER BY pid');
      expect(r).toEqual([
        { pid: 101, datname: 'postgres', usename: 'postgres', state: 'idle in transaction', query: 'BEGIN; SELECT 1', backend_type: 'client backend', x: true, s: true },
        { pid: 102, datname: 'postgres', usename: 'postgres', state: 'active', query: r[1].query, backend_type: 'client backend', x: true, s: true },
      ]);
      expect(r[1].query).toMatch(/^SELECT pid, datname/);
    } finally {
      a.execSync('COMMIT');
    }
    expect(rows(b, 'SELECT state, xact_start FROM pg_stat_activity WHERE pid = 101')).toEqual([{ state: 'idle', xact_start: null }]);
    failure(() => a.execSync('BEGIN; SELECT 1/0'));
    expect(rows(b, 'SELECT state FROM pg_stat_activity WHERE pid = 101')[0].state).toBe('idle in transaction (aborted)');
    a.execSync('ROLLBACK');
  });

  it('shows application_name as SET, and as it was again after ROLLBACK', () => {
    a.execSync("SET application_name = 'billing'");
    expect(rows(b, 'SELECT application_name AS n FROM pg_stat_activity WHERE pid = 101')[0].n).toBe('billing');
    a.execSync("BEGIN; SET application_name = 'temp'; ROLLBACK");
    expect(rows(b, 'SELECT application_name AS n FROM pg_stat_activity WHERE pid = 101')[0].n).toBe('billing');
    a.execSync('RESET application_name');
    expect(rows(b, 'SELECT application_name AS n FROM pg_stat_activity WHERE pid = 101')[0].n).toBe('');
  });

  it('has PostgreSQL 18 columns and types', () => {
    const f = a.querySync('SELECT * FROM pg_stat_activity LIMIT 0').fields.map((x) => x.name);
    expect(f).toEqual(['datid', 'datname', 'pid', 'leader_pid', 'usesysid', 'usename', 'application_name', 'client_addr', 'client_hostname',
      'client_port', 'backend_start', 'xact_start', 'query_start', 'state_change', 'wait_event_type', 'wait_event', 'state', 'backend_xid',
      'backend_xmin', 'query_id', 'query', 'backend_type']);
    const l = a.querySync('SELECT * FROM pg_locks LIMIT 0').fields.map((x) => `${x.name}:${x.dataTypeID}`);
    expect(l).toEqual(['locktype:25', 'database:26', 'relation:26', 'page:23', 'tuple:21', 'virtualxid:25', 'transactionid:28', 'classid:26',
      'objid:26', 'objsubid:21', 'virtualtransaction:25', 'pid:23', 'mode:25', 'granted:16', 'fastpath:16', 'waitstart:1184']);
  });
});
