/*
 * Serializable snapshot isolation (predicate.ts) with two backends in one
 * thread (Database.attachSync over one segment): the steps interleave as
 * the tests write them, and none of them waits for a lock. The outcomes
 * are PostgreSQL 15's (the same schedules as isolation specs, with their
 * expected output from a PostgreSQL 15 server, are
 * packages/worker-host/src/isolation/specs/write-skew.spec,
 * ssi-read-only-anomaly.spec and ssi-disjoint-rows.spec).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { Database, PgError, createSharedMemoryAndSemaphores } from '../../index.ts';
import { MAX_BACKENDS } from '../../constants.ts';
import { SXACTS_PER_BACKEND } from './predicate_internals.ts';

const open: Database[] = [];

/** `n` backends over one new segment (the first started it); `config` adds shared-memory settings. */
function sessions(n: number, config: { maxSerializableXacts?: number } = {}): Database[] {
  const dir = new MemoryDirectory();
  const shmem = createSharedMemoryAndSemaphores({ sharedBuffers: 128, walBuffers: 64, ...config }).sab;
  const out: Database[] = [];
  for (let i = 0; i < n; i++) {
    const db = Database.attachSync({ dir, shmem, startup: i === 0, pid: 101 + i });
    open.push(db);
    out.push(db);
  }
  return out;
}

function pair(): { a: Database; b: Database; c: Database } {
  const dir = new MemoryDirectory();
  const shmem = createSharedMemoryAndSemaphores({ sharedBuffers: 128, walBuffers: 64 }).sab;
  const a = Database.attachSync({ dir, shmem, startup: true, pid: 101 });
  open.push(a);
  const b = Database.attachSync({ dir, shmem, startup: false, pid: 102 });
  open.push(b);
  const c = Database.attachSync({ dir, shmem, startup: false, pid: 103 });
  open.push(c);
  return { a, b, c };
}

afterEach(() => {
  const all = open.splice(0);
  for (let k = all.length - 1; k >= 0; k--) {
    if (all[k].isClosed) continue;
    if (k === 0) all[k].closeSync();
    else all[k].detachSync();
  }
});

function failure(fn: () => unknown): PgError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

function rows(db: Database, sql: string): unknown[] {
  return db.querySync(sql).rows.map((r) => JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as unknown);
}

const SERIALIZATION_FAILURE = 'could not serialize access due to read/write dependencies among transactions';

describe('write skew (two doctors on call)', () => {
  function setup(a: Database): void {
    a.execSync("CREATE TABLE doctors (name text PRIMARY KEY, on_call bool NOT NULL); INSERT INTO doctors VALUES ('alice', true), ('bob', true)");
  }

  function schedule(a: Database, b: Database, level: string): PgError | null {
    a.execSync(`BEGIN ISOLATION LEVEL ${level}`);
    b.execSync(`BEGIN ISOLATION LEVEL ${level}`);
    expect(rows(a, 'SELECT count(*) AS n FROM doctors WHERE on_call')).toEqual([{ n: 2 }]);
    expect(rows(b, 'SELECT count(*) AS n FROM doctors WHERE on_call')).toEqual([{ n: 2 }]);
    a.execSync("UPDATE doctors SET on_call = false WHERE name = 'alice'");
    b.execSync("UPDATE doctors SET on_call = false WHERE name = 'bob'");
    a.execSync('COMMIT');
    try {
      b.execSync('COMMIT');
      return null;
    } catch (e) {
      if (e instanceof PgError) return e;
      throw e;
    }
  }

  it('REPEATABLE READ lets both commit: nobody is on call', () => {
    const { a, b } = pair();
    setup(a);
    expect(schedule(a, b, 'REPEATABLE READ')).toBeNull();
    expect(rows(a, 'SELECT name, on_call FROM doctors ORDER BY name')).toEqual([
      { name: 'alice', on_call: false },
      { name: 'bob', on_call: false },
    ]);
    // Other isolation levels take no SIREAD locks and leave nothing in the predicate lock table.
    expect(a.engine.predicateLocks.usage()).toEqual({ sxacts: 0, targets: 0, locks: 0, conflicts: 0, finished: 0 });
  });

  it('SERIALIZABLE refuses the second commit with 40001, as PostgreSQL does', () => {
    const { a, b } = pair();
    setup(a);
    const e = schedule(a, b, 'SERIALIZABLE');
    expect(e).not.toBeNull();
    expect([e?.code, e?.message, e?.detail, e?.hint]).toEqual([
      '40001',
      SERIALIZATION_FAILURE,
      'Reason code: Canceled on identification as a pivot, during commit attempt.',
      'The transaction might succeed if retried.',
    ]);
    // The failed COMMIT rolled back and ended the block: bob stays on call, the session is idle.
    expect(b.backend.transactionStatus).toBe('I');
    expect(rows(b, 'SELECT name, on_call FROM doctors ORDER BY name')).toEqual([
      { name: 'alice', on_call: false },
      { name: 'bob', on_call: true },
    ]);
    // Nothing serializable runs any more: every SERIALIZABLEXACT, lock and conflict is gone.
    expect(a.engine.predicateLocks.usage()).toEqual({ sxacts: 0, targets: 0, locks: 0, conflicts: 0, finished: 0 });
    // A retry succeeds.
    b.execSync("BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT count(*) FROM doctors WHERE on_call; COMMIT");
  });

  it('the pivot that writes second fails at its write when the other already committed', () => {
    const { a, b } = pair();
    setup(a);
    a.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    b.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    rows(a, 'SELECT count(*) FROM doctors WHERE on_call');
    rows(b, 'SELECT count(*) FROM doctors WHERE on_call');
    a.execSync("UPDATE doctors SET on_call = false WHERE name = 'alice'");
    a.execSync('COMMIT');
    // b read alice's row before a's committed update: b -> a; b's update of bob, which a read: a -> b, a committed.
    const e = failure(() => b.execSync("UPDATE doctors SET on_call = false WHERE name = 'bob'"));
    expect([e.code, e.detail]).toEqual(['40001', 'Reason code: Canceled on identification as a pivot, during write.']);
    b.execSync('ROLLBACK');
    // The failure was raised with the heap page exclusive-locked: the abort dropped that lock and its pin
    // (a leaked pin made the next DROP TABLE wait forever).
    expect(b.engine.bufmgr.pinnedBufferCount()).toBe(0);
    a.execSync('DROP TABLE doctors');
  });
});

describe('the read-only transaction anomaly', () => {
  function setup(a: Database): void {
    a.execSync("CREATE TABLE accounts (kind text PRIMARY KEY, balance int NOT NULL); INSERT INTO accounts VALUES ('checking', 0), ('savings', 0)");
  }

  it('without the reader both writers commit; once it has read, the withdrawal fails', () => {
    const { a: s1, b: s2, c: s3 } = pair();
    setup(s1);
    // Schedule 1: s3 reads nothing.
    s2.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    s1.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    s3.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY');
    rows(s2, "SELECT balance FROM accounts WHERE kind = 'checking'");
    rows(s2, "SELECT balance FROM accounts WHERE kind = 'savings'");
    rows(s1, "SELECT balance FROM accounts WHERE kind = 'savings'");
    s1.execSync("UPDATE accounts SET balance = balance + 20 WHERE kind = 'savings'");
    s1.execSync('COMMIT');
    s2.execSync("UPDATE accounts SET balance = balance - 11 WHERE kind = 'checking'");
    s2.execSync('COMMIT');
    s3.execSync('COMMIT');
    expect(rows(s1, 'SELECT kind, balance FROM accounts ORDER BY kind')).toEqual([
      { kind: 'checking', balance: -11 },
      { kind: 'savings', balance: 20 },
    ]);

    // Schedule 2: s3 sees the deposit but not the withdrawal that charged the penalty.
    s1.execSync("UPDATE accounts SET balance = 0");
    s2.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    s1.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    rows(s2, "SELECT balance FROM accounts WHERE kind = 'checking'");
    rows(s2, "SELECT balance FROM accounts WHERE kind = 'savings'");
    rows(s1, "SELECT balance FROM accounts WHERE kind = 'savings'");
    s1.execSync("UPDATE accounts SET balance = balance + 20 WHERE kind = 'savings'");
    s1.execSync('COMMIT');
    s3.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY');
    expect(rows(s3, 'SELECT kind, balance FROM accounts ORDER BY kind')).toEqual([
      { kind: 'checking', balance: 0 },
      { kind: 'savings', balance: 20 },
    ]);
    s3.execSync('COMMIT');
    const e = failure(() => s2.execSync("UPDATE accounts SET balance = balance - 11 WHERE kind = 'checking'"));
    expect([e.code, e.message, e.detail]).toEqual(['40001', SERIALIZATION_FAILURE, 'Reason code: Canceled on identification as a pivot, during write.']);
    s2.execSync('ROLLBACK');
    expect(rows(s1, 'SELECT kind, balance FROM accounts ORDER BY kind')).toEqual([
      { kind: 'checking', balance: 0 },
      { kind: 'savings', balance: 20 },
    ]);
  });
});

describe('granularity', () => {
  function setup(a: Database): void {
    a.execSync('CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL); INSERT INTO items SELECT g, 10 FROM generate_series(1, 200) g; ANALYZE items');
  }

  it('rows read and updated through the index by different transactions do not conflict', () => {
    const { a, b } = pair();
    setup(a);
    for (const secondFirst of [false, true]) {
      a.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE; SET LOCAL enable_seqscan = off');
      b.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE; SET LOCAL enable_seqscan = off');
      const qty = secondFirst ? 9 : 10;
      expect(rows(a, 'SELECT qty FROM items WHERE id = 10')).toEqual([{ qty }]);
      expect(rows(b, 'SELECT qty FROM items WHERE id = 150')).toEqual([{ qty }]);
      const locks = a.engine.predicateLocks.sireadLocks();
      // Each holds its index leaf page and its heap tuple: no relation lock.
      expect(locks.filter((l) => l.locktype === 'relation')).toEqual([]);
      expect(locks.filter((l) => l.locktype === 'tuple').map((l) => l.pid).sort()).toEqual([101, 102]);
      if (secondFirst) {
        b.execSync('UPDATE items SET qty = qty - 1 WHERE id = 150');
        a.execSync('UPDATE items SET qty = qty - 1 WHERE id = 10');
        b.execSync('COMMIT');
        a.execSync('COMMIT');
      } else {
        a.execSync('UPDATE items SET qty = qty - 1 WHERE id = 10');
        b.execSync('UPDATE items SET qty = qty - 1 WHERE id = 150');
        a.execSync('COMMIT');
        b.execSync('COMMIT');
      }
    }
    expect(rows(a, 'SELECT id, qty FROM items WHERE id IN (10, 150) ORDER BY id')).toEqual([
      { id: 10, qty: 8 },
      { id: 150, qty: 8 },
    ]);
  });

  it('after whole-table reads the same updates conflict', () => {
    const { a, b } = pair();
    setup(a);
    a.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    b.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    expect(rows(a, 'SELECT sum(qty)::int AS s FROM items')).toEqual([{ s: 2000 }]);
    expect(rows(b, 'SELECT sum(qty)::int AS s FROM items')).toEqual([{ s: 2000 }]);
    a.execSync('UPDATE items SET qty = qty - 1 WHERE id = 10');
    b.execSync('UPDATE items SET qty = qty - 1 WHERE id = 150');
    a.execSync('COMMIT');
    expect(failure(() => b.execSync('COMMIT')).code).toBe('40001');
  });

  it('a third tuple lock on a heap page becomes a page lock; many pages become a relation lock', () => {
    const { a } = pair();
    setup(a);
    a.execSync('CREATE TABLE wide (id int PRIMARY KEY, pad text)');
    a.execSync("INSERT INTO wide SELECT g, repeat('x', 1500) FROM generate_series(1, 200) g");
    a.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE; SET LOCAL enable_seqscan = off');
    rows(a, 'SELECT qty FROM items WHERE id = 1');
    rows(a, 'SELECT qty FROM items WHERE id = 2');
    let heap = a.engine.predicateLocks.sireadLocks().filter((l) => l.locktype !== 'page' || l.page === 0);
    expect(heap.filter((l) => l.locktype === 'tuple').length).toBe(2);
    rows(a, 'SELECT qty FROM items WHERE id = 3');
    heap = a.engine.predicateLocks.sireadLocks();
    // The three heap tuples (all on heap page 0) are one page lock now.
    expect(heap.filter((l) => l.locktype === 'tuple')).toEqual([]);
    const pages = heap.filter((l) => l.locktype === 'page').length;
    expect(pages).toBeGreaterThanOrEqual(2); // heap page 0 and the index leaf
    // A range over many leaf and heap pages: more than 31 (64 / 2 - 1) locks under one relation become a relation lock.
    // (Rows this transaction wrote itself would take no tuple locks: its writes cover them.)
    rows(a, 'SELECT count(*) FROM wide WHERE id BETWEEN 1 AND 150');
    const wideLocks = a.engine.predicateLocks.sireadLocks().filter((l) => l.locktype === 'relation');
    expect(wideLocks.length).toBe(1);
    a.execSync('COMMIT');
  });
});

describe('DDL', () => {
  it('DROP INDEX moves the index page locks to the table: a later insert into the range read still conflicts', () => {
    const { a: t1, b: t2, c } = pair();
    c.execSync("CREATE TABLE items (id int, pad text); INSERT INTO items SELECT g, 'x' FROM generate_series(1, 200) g; CREATE INDEX items_id ON items (id)");
    c.execSync('CREATE TABLE other (k int); INSERT INTO other VALUES (0); ANALYZE items; ANALYZE other');
    t2.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    rows(t2, 'SELECT k FROM other');
    t1.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off');
    expect(rows(t1, 'SELECT count(*)::int AS n FROM items WHERE id BETWEEN 1 AND 5')).toEqual([{ n: 5 }]);
    expect(t1.engine.predicateLocks.sireadLocks().some((l) => l.locktype === 'page' && l.pid === 101)).toBe(true);
    t1.execSync('UPDATE other SET k = k + 1');
    t1.execSync('COMMIT');
    const relationLocks = (): number => t1.engine.predicateLocks.sireadLocks().filter((l) => l.pid === 101 && l.locktype === 'relation').length;
    expect(relationLocks()).toBe(1); // the UPDATE's scan of "other"
    c.execSync('DROP INDEX items_id');
    // The committed t1 is kept (t2 overlaps it); its index leaf lock became a lock on all of items.
    expect(relationLocks()).toBe(2);
    // An insert into items now (PostgreSQL 15: INSERT INTO items VALUES (3, 'new') fails so) makes the
    // heap's relation-level check; it is called directly because t2's catalog view would still
    // list the dropped index under its old snapshot (42P01 on "items_id"), unlike PostgreSQL's.
    const itemsOid = Number((rows(c, "SELECT 'items'::regclass::oid AS o")[0] as { o: number }).o);
    const e = failure(() => t2.engine.predicateLocks.checkForSerializableConflictIn(itemsOid, null, null));
    expect([e.code, e.detail]).toEqual(['40001', 'Reason code: Canceled on identification as a pivot, during write.']);
    t2.execSync('ROLLBACK');
  });
});

describe('limits and settings', () => {
  it('a pool full of running serializable transactions gives 53200; a committed one is summarized instead', () => {
    const [a, b, c] = sessions(3, { maxSerializableXacts: 2 });
    a.execSync('CREATE TABLE t (x int); INSERT INTO t VALUES (1)');
    a.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    rows(a, 'SELECT count(*) FROM t');
    b.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    rows(b, 'SELECT count(*) FROM t');
    c.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    const e = failure(() => c.execSync('SELECT count(*) FROM t'));
    expect([e.code, e.message, e.hint]).toEqual(['53200', 'out of shared memory', 'You might need to increase max_connections.']);
    c.execSync('ROLLBACK');
    // b commits but must be kept (a overlapped it): the next registration summarizes it rather than failing.
    b.execSync('COMMIT');
    expect(a.engine.predicateLocks.usage()).toMatchObject({ sxacts: 2, finished: 1 });
    c.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT count(*) FROM t');
    expect(a.engine.predicateLocks.summaryUsage()).toMatchObject({ summarized: 1, oldCommittedLocks: 1 });
    c.execSync('COMMIT');
    a.execSync('COMMIT');
    expect(a.engine.predicateLocks.usage()).toEqual({ sxacts: 0, targets: 0, locks: 0, conflicts: 0, finished: 0 });
    expect(a.engine.predicateLocks.summaryUsage()).toMatchObject({ oldCommittedLocks: 0, serialTailXid: 0, serialHeadXid: 0 });
  });

  it('2000 short read-write serializable transactions commit while a long one runs: no 53200, the oldest are summarized', () => {
    const [a, b] = sessions(2);
    a.execSync('CREATE TABLE t (x int); INSERT INTO t VALUES (1); CREATE TABLE w (id int PRIMARY KEY, n int); INSERT INTO w SELECT g, 0 FROM generate_series(1, 50) g');
    a.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    rows(a, 'SELECT count(*) FROM t');
    const pool = MAX_BACKENDS * SXACTS_PER_BACKEND;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      b.execSync(`BEGIN ISOLATION LEVEL SERIALIZABLE; UPDATE w SET n = n + 1 WHERE id = ${(i % 50) + 1}; COMMIT`);
    }
    const lm = a.engine.predicateLocks;
    // Every one of them had to be kept for `a`; all but the pool's worth were folded away.
    expect(lm.usage().sxacts).toBe(pool);
    expect(lm.summaryUsage().summarized).toBe(n + 1 - pool);
    // Their SIREAD locks collapsed into the dummy's, one per target: each kept only a leaf page of w's pkey
    // (the tuple lock went when it updated the tuple, as in PostgreSQL), so at most one per page of the index.
    const pkey = (rows(b, "SELECT oid::int AS o FROM pg_class WHERE relname = 'w_pkey'") as { o: number }[])[0].o;
    const dummy = lm.sireadLocks().filter((l) => l.pid === null);
    expect(dummy.length).toBe(lm.summaryUsage().oldCommittedLocks);
    expect(dummy.length).toBeGreaterThanOrEqual(1);
    for (const l of dummy) expect([l.locktype, l.relation, l.virtualtransaction]).toEqual(['page', pkey, '-1/0']);
    expect(new Set(dummy.map((l) => l.page)).size).toBe(dummy.length);
    expect(rows(a, 'SELECT count(*) AS n FROM t')).toEqual([{ n: 1 }]);
    a.execSync('COMMIT');
    expect(lm.usage()).toEqual({ sxacts: 0, targets: 0, locks: 0, conflicts: 0, finished: 0 });
    expect(lm.summaryUsage().oldCommittedLocks).toBe(0);
    expect(rows(b, 'SELECT sum(n)::int AS s FROM w')).toEqual([{ s: n }]);
  }, 180_000);

  /** L pins SxactGlobalXmin; `fill` commits enough serializable transactions through `via` to summarize every kept one. */
  function fill(via: Database, count: number): void {
    for (let i = 0; i < count; i++) via.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE; UPDATE filler SET n = n + 1; COMMIT');
  }

  function summarySetup(l: Database): void {
    l.execSync("CREATE TABLE doctors (name text PRIMARY KEY, on_call bool NOT NULL); INSERT INTO doctors VALUES ('alice', true), ('bob', true)");
    l.execSync('CREATE TABLE other (x int); INSERT INTO other VALUES (1); CREATE TABLE filler (n int); INSERT INTO filler VALUES (0)');
    l.execSync('CREATE TABLE acct (id int PRIMARY KEY, bal int); INSERT INTO acct VALUES (1, 100), (2, 100)');
    l.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    rows(l, 'SELECT * FROM other');
  }

  it('a reader meeting the write of a summarized pivot fails from pg_serial, as PostgreSQL 15 does', () => {
    // T1 -> T2 -> T3, T3 committed first; T2 and T3 are summarized before T1 reads T2's write.
    // PostgreSQL 15 (pool of 70, same schedule): "Canceled on conflict out to old pivot <T2>."
    const [l, t1, t2, t3] = sessions(4, { maxSerializableXacts: 8 });
    summarySetup(l);
    t1.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    rows(t1, 'SELECT * FROM other');
    t2.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    rows(t2, 'SELECT bal FROM acct WHERE id = 1');
    t3.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE; UPDATE acct SET bal = bal - 10 WHERE id = 1; COMMIT');
    t2.execSync('UPDATE acct SET bal = bal + 10 WHERE id = 2');
    const t2xid = (rows(t2, 'SELECT txid_current()::int AS x') as { x: number }[])[0].x;
    t2.execSync('COMMIT');
    fill(t3, 10);
    const lm = l.engine.predicateLocks;
    expect(lm.summaryUsage().summarized).toBeGreaterThanOrEqual(2);
    const e = failure(() => t1.execSync('SELECT bal FROM acct WHERE id = 2'));
    expect([e.code, e.message, e.detail, e.hint]).toEqual([
      '40001', SERIALIZATION_FAILURE, `Reason code: Canceled on conflict out to old pivot ${t2xid}.`, 'The transaction might succeed if retried.',
    ]);
    t1.execSync('ROLLBACK');
    l.execSync('COMMIT');
    expect(lm.usage()).toEqual({ sxacts: 0, targets: 0, locks: 0, conflicts: 0, finished: 0 });
  });

  it('without summarization the same schedule fails the reader as the pivot is found in memory', () => {
    const [l, t1, t2, t3] = sessions(4, { maxSerializableXacts: 8 });
    summarySetup(l);
    t1.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    rows(t1, 'SELECT * FROM other');
    t2.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    rows(t2, 'SELECT bal FROM acct WHERE id = 1');
    t3.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE; UPDATE acct SET bal = bal - 10 WHERE id = 1; COMMIT');
    t2.execSync('UPDATE acct SET bal = bal + 10 WHERE id = 2');
    const t2xid = (rows(t2, 'SELECT txid_current()::int AS x') as { x: number }[])[0].x;
    t2.execSync('COMMIT');
    expect(l.engine.predicateLocks.summaryUsage().summarized).toBe(0);
    const e = failure(() => t1.execSync('SELECT bal FROM acct WHERE id = 2'));
    expect(e.detail).toBe(`Reason code: Canceled on conflict out to pivot ${t2xid}, during read.`);
    t1.execSync('ROLLBACK');
    l.execSync('COMMIT');
  });

  it('write skew against a summarized transaction still fails with 40001 (PostgreSQL 15 lets this one commit)', () => {
    // T1 and T2 both read the doctors; T2 takes alice off call and commits and is summarized; T1 then takes bob off.
    // Without summarization PostgreSQL and tabgres fail T1's UPDATE. After it, PostgreSQL 15 (checked with a pool of 70
    // and 100 fillers) commits T1 and leaves nobody on call: its OldCommittedSxact has no finishedBefore, so the
    // summarized SIREAD locks never flag a conflict in. tabgres keeps the latest finishedBefore per folded lock.
    const [l, t1, t2, f] = sessions(4, { maxSerializableXacts: 8 });
    summarySetup(l);
    t1.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    expect(rows(t1, 'SELECT count(*)::int AS n FROM doctors WHERE on_call')).toEqual([{ n: 2 }]);
    t2.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE');
    expect(rows(t2, 'SELECT count(*)::int AS n FROM doctors WHERE on_call')).toEqual([{ n: 2 }]);
    t2.execSync("UPDATE doctors SET on_call = false WHERE name = 'alice'");
    t2.execSync('COMMIT');
    fill(f, 10);
    expect(l.engine.predicateLocks.summaryUsage().summarized).toBeGreaterThanOrEqual(1);
    const e = failure(() => t1.execSync("UPDATE doctors SET on_call = false WHERE name = 'bob'"));
    expect([e.code, e.detail]).toEqual(['40001', 'Reason code: Canceled on identification as a pivot, during write.']);
    t1.execSync('ROLLBACK');
    l.execSync('COMMIT');
    expect(rows(f, 'SELECT name, on_call FROM doctors ORDER BY name')).toEqual([
      { name: 'alice', on_call: false },
      { name: 'bob', on_call: true },
    ]);
  });

  it('SERIALIZABLE READ ONLY DEFERRABLE with no writer running is safe at once; the isolation level cannot change after the first query', () => {
    const { a, b } = pair();
    a.execSync('CREATE TABLE t (x int)');
    // A read-only serializable transaction running does not make the snapshot unsafe (only read-write ones do).
    b.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY');
    rows(b, 'SELECT * FROM t');
    a.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE');
    rows(a, 'SELECT * FROM t');
    // Safe: no SERIALIZABLEXACT kept for it, no SIREAD lock taken (the wait itself is in worker-host's ssi.test.ts).
    expect(a.engine.predicateLocks.isActive).toBe(false);
    expect(a.engine.predicateLocks.sireadLocks().filter((l) => l.pid === 101)).toEqual([]);
    a.execSync('COMMIT');
    b.execSync('COMMIT');
    a.execSync('BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY');
    rows(a, 'SELECT * FROM t');
    a.execSync('COMMIT');
    a.execSync('BEGIN');
    rows(a, 'SELECT * FROM t');
    const e = failure(() => a.execSync('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE'));
    expect([e.code, e.message]).toEqual(['25001', 'SET TRANSACTION ISOLATION LEVEL must be called before any query']);
    a.execSync('ROLLBACK');
  });
});
