import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { PgError } from '../../utils/errors.ts';
import type { RelFileLocator } from '../../storage/relfilelocator.ts';
import {
  TRANSACTION_STATUS_ABORTED,
  TRANSACTION_STATUS_COMMITTED,
  TRANSACTION_STATUS_IN_PROGRESS,
  type TransamWal,
} from './transam.ts';
import {
  attachTransam,
  bootstrapTransam,
  detachTransam,
  transamShmemInit,
  transamShmemSize,
  XACT_REPEATABLE_READ,
  type TransamBackend,
  type XactEvent,
} from './xact.ts';
import { parseXactRecord, XLOG_XACT_ABORT, XLOG_XACT_COMMIT, XLOG_XACT_OPMASK } from './xact_redo.ts';
import { RM_CLOG_ID, RM_XACT_ID } from './rmgr.ts';

interface FakeRecord {
  rmid: number;
  info: number;
  data: Uint8Array;
  xid: number;
  endLsn: number;
}

/** A WAL that keeps records in an array and logs the order of calls. */
class FakeWal implements TransamWal {
  pos = 1000;
  flushed = 1000;
  readonly records: FakeRecord[] = [];
  readonly log: string[] = [];
  nextOidLogged = 0;

  insertRecord(rmid: number, info: number, data: Uint8Array, xid: number): number {
    this.pos += 24 + Math.ceil(data.length / 8) * 8;
    this.records.push({ rmid, info, data: data.slice(), xid, endLsn: this.pos });
    this.log.push(`insert ${rmid}/${info & XLOG_XACT_OPMASK} xid ${xid}`);
    return this.pos;
  }
  flush(lsn: number): void {
    this.log.push(`flush ${lsn}`);
    if (lsn > this.flushed) this.flushed = Math.min(lsn, this.pos);
  }
  needsFlush(lsn: number): boolean {
    return lsn > this.flushed;
  }
  setAsyncXactLsn(lsn: number): void {
    this.log.push(`async ${lsn}`);
  }
  logNextOid(nextOid: number): void {
    this.nextOidLogged = nextOid;
    this.log.push(`nextoid ${nextOid}`);
  }
}

interface Cluster {
  shmem: Shmem;
  dir: MemoryDirectory;
  wal: FakeWal;
  backend(pid?: number): TransamBackend;
  notices: PgError[];
}

function makeCluster(firstXid?: number): Cluster {
  const sizer = new ShmemSizer();
  transamShmemSize(sizer);
  const shmem = Shmem.create(sizer.size);
  transamShmemInit(shmem);
  const dir = new MemoryDirectory();
  const wal = new FakeWal();
  const notices: PgError[] = [];
  let pids = 100;
  const backend = (pid = pids++): TransamBackend =>
    attachTransam({ shmem, lw: new LWLockOwner(shmem.i32), dir, wal, pid, databaseOid: 5, notice: (n) => notices.push(n) });
  const first = backend(1);
  bootstrapTransam(first, firstXid);
  detachTransam(first);
  return { shmem, dir, wal, backend, notices };
}

/** One SQL statement: start, body, commit (or abort on error, as the tcop loop does). */
function statement(b: TransamBackend, body: () => void): unknown {
  const x = b.xact;
  try {
    x.startTransactionCommand();
    body();
    x.commitTransactionCommand();
    x.assertXactState();
    return null;
  } catch (e) {
    x.abortCurrentTransaction();
    x.assertXactState();
    return e;
  }
}

describe('transaction block state machine', () => {
  it('runs a single statement as its own transaction', () => {
    const c = makeCluster();
    const b = c.backend();
    b.xact.startTransactionCommand();
    expect(b.xact.describe().blockState).toBe('STARTED');
    expect(b.xact.transactionBlockStatusCode()).toBe('I');
    b.xact.commitTransactionCommand();
    expect(b.xact.describe().blockState).toBe('DEFAULT');
    b.xact.assertXactState();
  });

  it('BEGIN; SAVEPOINT a; ROLLBACK TO a; RELEASE a; COMMIT', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    statement(b, () => x.beginTransactionBlock());
    expect(x.describe().blockState).toBe('INPROGRESS');
    expect(x.transactionBlockStatusCode()).toBe('T');
    let xidA = 0;
    statement(b, () => x.defineSavepoint('a'));
    expect(x.describe().blockState).toBe('SUBINPROGRESS');
    expect(x.nestingLevel()).toBe(2);
    statement(b, () => {
      xidA = x.getCurrentTransactionId();
    });
    const top = x.getTopTransactionIdIfAny();
    expect(top).toBeGreaterThan(0);
    expect(xidA).toBe(top + 1); // the parent got its XID first
    expect(b.subtrans.getParent(xidA)).toBe(top);
    statement(b, () => x.rollbackToSavepoint('a'));
    expect(x.describe().blockState).toBe('SUBINPROGRESS');
    expect(x.describe().levels.map((l) => l.name)).toEqual([null, 'a']);
    expect(b.clog.getStatus(xidA)).toBe(TRANSACTION_STATUS_ABORTED);
    expect(x.isCurrentTransactionId(xidA)).toBe(false);
    statement(b, () => x.releaseSavepoint('a'));
    expect(x.describe().blockState).toBe('INPROGRESS');
    expect(x.nestingLevel()).toBe(1);
    let committed = false;
    statement(b, () => {
      committed = x.endTransactionBlock();
    });
    expect(committed).toBe(true);
    expect(x.describe().blockState).toBe('DEFAULT');
    expect(b.clog.getStatus(top)).toBe(TRANSACTION_STATUS_COMMITTED);
    expect(b.clog.getStatus(xidA)).toBe(TRANSACTION_STATUS_ABORTED);
  });

  it('refuses commands in a failed transaction until ROLLBACK, and COMMIT rolls back', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    statement(b, () => x.beginTransactionBlock());
    let xid = 0;
    const err = statement(b, () => {
      xid = x.getCurrentTransactionId();
      throw new PgError('22012', 'division by zero');
    });
    expect((err as PgError).code).toBe('22012');
    expect(x.describe().blockState).toBe('ABORT');
    expect(x.transactionBlockStatusCode()).toBe('E');
    expect(b.clog.getStatus(xid)).toBe(TRANSACTION_STATUS_ABORTED);
    expect(b.procArray.xidOf(b.procno)).toBe(0); // the XID left the proc array already
    const refused = statement(b, () => x.checkNotAborted());
    expect(refused).toBeInstanceOf(PgError);
    expect((refused as PgError).code).toBe('25P02');
    expect((refused as PgError).message).toBe('current transaction is aborted, commands ignored until end of transaction block');
    expect(x.describe().blockState).toBe('ABORT');
    let committed = true;
    statement(b, () => {
      committed = x.endTransactionBlock();
    });
    expect(committed).toBe(false);
    expect(x.describe().blockState).toBe('DEFAULT');
  });

  it('an error inside a savepoint aborts only the savepoint; ROLLBACK TO recovers', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    let top = 0;
    let sub = 0;
    statement(b, () => x.beginTransactionBlock());
    statement(b, () => {
      top = x.getCurrentTransactionId();
    });
    statement(b, () => x.defineSavepoint('s1'));
    statement(b, () => {
      sub = x.getCurrentTransactionId();
      throw new Error('boom');
    });
    expect(x.describe().blockState).toBe('SUBABORT');
    expect(b.clog.getStatus(sub)).toBe(TRANSACTION_STATUS_ABORTED);
    expect(b.clog.getStatus(top)).toBe(TRANSACTION_STATUS_IN_PROGRESS);
    expect((statement(b, () => x.checkNotAborted()) as PgError).code).toBe('25P02');
    statement(b, () => x.rollbackToSavepoint('s1'));
    expect(x.describe().blockState).toBe('SUBINPROGRESS');
    let sub2 = 0;
    statement(b, () => {
      sub2 = x.getCurrentTransactionId();
    });
    expect(sub2).toBeGreaterThan(sub);
    statement(b, () => x.endTransactionBlock());
    expect(b.clog.getStatus(top)).toBe(TRANSACTION_STATUS_COMMITTED);
    expect(b.clog.getStatus(sub2)).toBe(TRANSACTION_STATUS_COMMITTED);
    expect(b.clog.getStatus(sub)).toBe(TRANSACTION_STATUS_ABORTED);
  });

  it('gives PostgreSQL warnings and errors for misplaced block commands', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    statement(b, () => x.endTransactionBlock());
    expect(c.notices.map((n) => [n.code, n.severity, n.message])).toEqual([['25P01', 'WARNING', 'there is no transaction in progress']]);
    statement(b, () => x.userAbortTransactionBlock());
    expect(c.notices[1].message).toBe('there is no transaction in progress');
    statement(b, () => x.beginTransactionBlock());
    statement(b, () => x.beginTransactionBlock());
    expect([c.notices[2].code, c.notices[2].message]).toEqual(['25001', 'there is already a transaction in progress']);
    const e1 = statement(b, () => x.releaseSavepoint('nope')) as PgError;
    expect([e1.code, e1.message]).toEqual(['3B001', 'savepoint "nope" does not exist']);
    expect(x.describe().blockState).toBe('ABORT');
    const e2 = statement(b, () => x.rollbackToSavepoint('nope')) as PgError;
    expect([e2.code, e2.message]).toEqual(['3B001', 'savepoint "nope" does not exist']);
    statement(b, () => x.userAbortTransactionBlock());
    expect(x.describe().blockState).toBe('DEFAULT');
    const e3 = statement(b, () => x.requireTransactionBlock(true, 'SAVEPOINT')) as PgError;
    expect([e3.code, e3.message]).toEqual(['25P01', 'SAVEPOINT can only be used in transaction blocks']);
    statement(b, () => x.beginTransactionBlock());
    const e4 = statement(b, () => x.preventInTransactionBlock(true, 'VACUUM')) as PgError;
    expect([e4.code, e4.message]).toEqual(['25001', 'VACUUM cannot run inside a transaction block']);
    statement(b, () => x.userAbortTransactionBlock());
  });

  it('ROLLBACK TO an outer savepoint aborts the inner ones and restarts the target', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    const xids: number[] = [];
    statement(b, () => x.beginTransactionBlock());
    for (const name of ['a', 'b', 'c']) {
      statement(b, () => x.defineSavepoint(name));
      statement(b, () => xids.push(x.getCurrentTransactionId()));
    }
    expect(x.nestingLevel()).toBe(4);
    statement(b, () => x.rollbackToSavepoint('a'));
    expect(x.nestingLevel()).toBe(2);
    expect(x.describe().levels.map((l) => [l.name, l.blockState])).toEqual([
      [null, 'INPROGRESS'],
      ['a', 'SUBINPROGRESS'],
    ]);
    for (const xid of xids) expect(b.clog.getStatus(xid)).toBe(TRANSACTION_STATUS_ABORTED);
    statement(b, () => x.endTransactionBlock());
    expect(x.describe().blockState).toBe('DEFAULT');
  });

  it('RELEASE of an outer savepoint commits the inner ones into the parent', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    const xids: number[] = [];
    statement(b, () => x.beginTransactionBlock());
    statement(b, () => xids.push(x.getCurrentTransactionId()));
    for (const name of ['a', 'b']) {
      statement(b, () => x.defineSavepoint(name));
      statement(b, () => xids.push(x.getCurrentTransactionId()));
    }
    statement(b, () => x.releaseSavepoint('a'));
    expect(x.nestingLevel()).toBe(1);
    expect(x.describe().levels[0].childXids).toEqual([xids[1], xids[2]]);
    for (const xid of xids) expect(x.isCurrentTransactionId(xid)).toBe(true);
    statement(b, () => x.endTransactionBlock());
    for (const xid of xids) expect(b.clog.getStatus(xid)).toBe(TRANSACTION_STATUS_COMMITTED);
    const commit = c.wal.records.find((r) => r.rmid === RM_XACT_ID && (r.info & XLOG_XACT_OPMASK) === XLOG_XACT_COMMIT);
    expect(commit).toBeDefined();
    expect(Array.from(parseXactRecord(commit!.info, commit!.data).subxacts)).toEqual([xids[1], xids[2]]);
  });

  it('COMMIT with open savepoints commits them all; ROLLBACK aborts them all', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    const xids: number[] = [];
    statement(b, () => x.beginTransactionBlock());
    statement(b, () => x.defineSavepoint('a'));
    statement(b, () => xids.push(x.getCurrentTransactionId()));
    statement(b, () => x.defineSavepoint('b'));
    statement(b, () => xids.push(x.getCurrentTransactionId()));
    statement(b, () => x.endTransactionBlock());
    expect(x.describe().blockState).toBe('DEFAULT');
    for (const xid of xids) expect(b.clog.getStatus(xid)).toBe(TRANSACTION_STATUS_COMMITTED);
    const top = xids[0] - 1;
    expect(b.clog.getStatus(top)).toBe(TRANSACTION_STATUS_COMMITTED);

    const ys: number[] = [];
    statement(b, () => x.beginTransactionBlock());
    statement(b, () => x.defineSavepoint('a'));
    statement(b, () => ys.push(x.getCurrentTransactionId()));
    statement(b, () => {
      throw new Error('fail inside');
    });
    statement(b, () => x.userAbortTransactionBlock());
    expect(x.describe().blockState).toBe('DEFAULT');
    expect(b.clog.getStatus(ys[0])).toBe(TRANSACTION_STATUS_ABORTED);
    expect(b.clog.getStatus(ys[0] - 1)).toBe(TRANSACTION_STATUS_ABORTED);
  });

  it('implicit transaction blocks: several statements commit together, SAVEPOINT is refused', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    x.startTransactionCommand();
    x.beginImplicitTransactionBlock();
    expect(x.isTransactionBlock()).toBe(true);
    const xid = x.getCurrentTransactionId();
    x.commitTransactionCommand();
    expect(b.clog.getStatus(xid)).toBe(TRANSACTION_STATUS_IN_PROGRESS);
    x.startTransactionCommand();
    expect(() => x.defineSavepoint('a')).toThrow('SAVEPOINT can only be used in transaction blocks');
    x.abortCurrentTransaction();
    expect(x.describe().blockState).toBe('DEFAULT');
    expect(b.clog.getStatus(xid)).toBe(TRANSACTION_STATUS_ABORTED);
  });

  it('COMMIT AND CHAIN starts a new transaction with the same isolation level', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    statement(b, () => x.beginTransactionBlock());
    statement(b, () => x.setTransactionIsolation(XACT_REPEATABLE_READ));
    statement(b, () => x.endTransactionBlock(true));
    expect(x.describe().blockState).toBe('INPROGRESS');
    expect(x.xactIsoLevel).toBe(XACT_REPEATABLE_READ);
    statement(b, () => x.endTransactionBlock());
    expect(x.describe().blockState).toBe('DEFAULT');
  });

  it('SET TRANSACTION ISOLATION LEVEL after the first query is refused', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    statement(b, () => x.beginTransactionBlock());
    statement(b, () => x.snapmgr.getTransactionSnapshot());
    const e = statement(b, () => x.setTransactionIsolation(XACT_REPEATABLE_READ)) as PgError;
    expect([e.code, e.message]).toEqual(['25001', 'SET TRANSACTION ISOLATION LEVEL must be called before any query']);
    statement(b, () => x.userAbortTransactionBlock());
  });
});

describe('commit and abort', () => {
  it('a read-only transaction gets no XID and writes no WAL', () => {
    const c = makeCluster();
    const b = c.backend();
    const before = c.wal.records.length;
    statement(b, () => {
      b.xact.snapmgr.getTransactionSnapshot();
      b.xact.getCurrentCommandId(false);
    });
    expect(c.wal.records.length).toBe(before);
    expect(b.xact.getTopTransactionIdIfAny()).toBe(0);
  });

  it('writes and flushes the commit record before CLOG says committed, then leaves the proc array', () => {
    const c = makeCluster();
    const b = c.backend();
    const watcher = c.backend();
    const events: string[] = [];
    let xid = 0;
    const origFlush = c.wal.flush.bind(c.wal);
    c.wal.flush = (lsn: number) => {
      events.push(`flush: clog=${watcher.clog.getStatus(xid)} running=${watcher.procArray.transactionIdIsInProgress(xid)}`);
      origFlush(lsn);
    };
    const origCommit = b.status.commitTree.bind(b.status);
    b.status.commitTree = (x: number, subs: ArrayLike<number>, n?: number) => {
      events.push('clog commit');
      origCommit(x, subs, n);
      events.push(`after clog: running=${watcher.procArray.transactionIdIsInProgress(xid)}`);
    };
    statement(b, () => {
      xid = b.xact.getCurrentTransactionId();
      events.push('write');
    });
    expect(events).toEqual(['write', 'flush: clog=0 running=true', 'clog commit', 'after clog: running=true']);
    expect(watcher.procArray.transactionIdIsInProgress(xid)).toBe(false);
    expect(watcher.status.didCommit(xid)).toBe(true);
    const rec = c.wal.records[c.wal.records.length - 1];
    expect([rec.rmid, rec.info & XLOG_XACT_OPMASK, rec.xid]).toEqual([RM_XACT_ID, XLOG_XACT_COMMIT, xid]);
  });

  it('asynchronous commit skips the flush and records the LSN for CLOG', () => {
    const c = makeCluster();
    const b = attachTransam({
      shmem: c.shmem,
      lw: new LWLockOwner(c.shmem.i32),
      dir: c.dir,
      wal: c.wal,
      pid: 7,
      databaseOid: 5,
      settings: { synchronousCommit: false },
    });
    c.wal.log.length = 0;
    let xid = 0;
    statement(b, () => {
      xid = b.xact.getCurrentTransactionId();
    });
    expect(c.wal.log.some((l) => l.startsWith('flush'))).toBe(false);
    expect(c.wal.log[c.wal.log.length - 1]).toMatch(/^async /);
    expect(b.clog.getStatus(xid)).toBe(TRANSACTION_STATUS_COMMITTED);
    expect(b.clog.lastStatusLsn).toBe(b.xact.lastRecordEnd);
    expect(b.status.getCommitLsn(xid)).toBe(b.xact.lastRecordEnd);
  });

  it('abort writes an abort record without flushing it', () => {
    const c = makeCluster();
    const b = c.backend();
    c.wal.log.length = 0;
    let xid = 0;
    statement(b, () => {
      xid = b.xact.getCurrentTransactionId();
      throw new Error('fail');
    });
    // (The first XID also zeroes CLOG page 0: a CLOG record before ours.)
    expect(c.wal.log.filter((l) => l.startsWith(`insert ${RM_XACT_ID}/`) || l.startsWith('flush'))).toEqual([
      `insert ${RM_XACT_ID}/${XLOG_XACT_ABORT} xid ${xid}`,
    ]);
    expect(b.clog.getStatus(xid)).toBe(TRANSACTION_STATUS_ABORTED);
  });

  it('a subtransaction abort logs its own XID and its committed children', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    statement(b, () => x.beginTransactionBlock());
    statement(b, () => x.getCurrentTransactionId());
    statement(b, () => x.defineSavepoint('a'));
    let a = 0;
    let inner = 0;
    statement(b, () => {
      a = x.getCurrentTransactionId();
    });
    statement(b, () => x.defineSavepoint('b'));
    statement(b, () => {
      inner = x.getCurrentTransactionId();
    });
    statement(b, () => x.releaseSavepoint('b'));
    expect(b.procArray.describe().find((p) => p.procno === b.procno)!.subxids).toEqual([a, inner]);
    statement(b, () => x.rollbackToSavepoint('a'));
    const rec = c.wal.records[c.wal.records.length - 1];
    expect(rec.xid).toBe(a);
    expect(rec.info & XLOG_XACT_OPMASK).toBe(XLOG_XACT_ABORT);
    expect(Array.from(parseXactRecord(rec.info, rec.data).subxacts)).toEqual([inner]);
    expect(b.clog.getStatus(inner)).toBe(TRANSACTION_STATUS_ABORTED);
    expect(b.procArray.describe().find((p) => p.procno === b.procno)!.subxids).toEqual([]);
    statement(b, () => x.userAbortTransactionBlock());
  });

  it('deletes relation files at commit or abort and logs them in the record', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    const deleted: RelFileLocator[][] = [];
    x.setPendingDeleteExecutor((rels) => deleted.push([...rels]));
    const dropped = { spcOid: 1663, dbOid: 5, relNumber: 16384 };
    const created = { spcOid: 1663, dbOid: 5, relNumber: 16390 };
    statement(b, () => x.beginTransactionBlock());
    statement(b, () => {
      x.getCurrentTransactionId();
      x.registerPendingDelete(dropped, true);
      x.registerPendingDelete(created, false);
    });
    statement(b, () => x.defineSavepoint('s'));
    const inSub = { spcOid: 1663, dbOid: 5, relNumber: 16400 };
    statement(b, () => {
      x.getCurrentTransactionId();
      x.registerPendingDelete(inSub, false);
    });
    statement(b, () => x.rollbackToSavepoint('s'));
    expect(deleted).toEqual([[inSub]]);
    const subAbort = c.wal.records[c.wal.records.length - 1];
    expect(parseXactRecord(subAbort.info, subAbort.data).rels).toEqual([inSub]);
    statement(b, () => x.endTransactionBlock());
    expect(deleted).toEqual([[inSub], [dropped]]);
    const commit = c.wal.records[c.wal.records.length - 1];
    expect(parseXactRecord(commit.info, commit.data).rels).toEqual([dropped]);
  });

  it('calls xact callbacks and resource cleanups at every end', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    const events: string[] = [];
    x.registerXactCallback((ev: XactEvent, info) => events.push(`${ev}:${info.nestingLevel}`));
    x.registerResourceCleanup({
      atEOXact: (isCommit) => events.push(`res ${isCommit}`),
      atEOSubXact: (isCommit, my, parent) => events.push(`subres ${isCommit} ${my}->${parent}`),
    });
    statement(b, () => x.beginTransactionBlock());
    statement(b, () => x.defineSavepoint('a'));
    statement(b, () => x.releaseSavepoint('a'));
    statement(b, () => x.defineSavepoint('b'));
    statement(b, () => x.rollbackToSavepoint('b'));
    statement(b, () => x.endTransactionBlock());
    statement(b, () => {
      throw new Error('x');
    });
    expect(events).toEqual([
      'subcommit:2',
      'subres true 2->1',
      'subabort:2',
      'subres false 3->1',
      'subcommit:2',
      'subres true 4->1',
      'pre_commit:1',
      'commit:1',
      'res true',
      'abort:1',
      'res false',
    ]);
  });

  it('a failing pre_commit callback turns COMMIT into an abort', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    x.registerXactCallback((ev) => {
      if (ev === 'pre_commit') throw new PgError('23505', 'deferred constraint violated');
    });
    let xid = 0;
    const e = statement(b, () => {
      xid = x.getCurrentTransactionId();
    }) as PgError;
    expect(e.code).toBe('23505');
    expect(b.clog.getStatus(xid)).toBe(TRANSACTION_STATUS_ABORTED);
    expect(x.describe().blockState).toBe('DEFAULT');
  });

  it('releases LWLocks held when a statement fails', () => {
    const c = makeCluster();
    const b = c.backend();
    const err = statement(b, () => {
      b.lw.acquire(b.procArray.lock, 0);
      throw new Error('fail while holding ProcArrayLock');
    });
    expect(err).toBeInstanceOf(Error);
    expect(b.lw.heldCount).toBe(0);
  });

  it('limits command ids to 2^32-2 per transaction', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    statement(b, () => x.beginTransactionBlock());
    x.setCommandIdForTests(0xfffffffd);
    statement(b, () => x.getCurrentCommandId(true));
    expect(x.getCurrentCommandId(false)).toBe(0xfffffffe);
    const e = statement(b, () => x.getCurrentCommandId(true)) as PgError;
    expect([e.code, e.message]).toEqual(['54000', 'cannot have more than 2^32-2 commands in a transaction']);
    statement(b, () => x.userAbortTransactionBlock());
  });

  it('command ids advance only after a command that used one', () => {
    const c = makeCluster();
    const b = c.backend();
    const x = b.xact;
    statement(b, () => x.beginTransactionBlock());
    statement(b, () => x.getCurrentCommandId(false));
    expect(x.getCurrentCommandId(false)).toBe(0);
    statement(b, () => x.getCurrentCommandId(true));
    expect(x.getCurrentCommandId(false)).toBe(1);
    statement(b, () => x.endTransactionBlock());
  });

  it('the CLOG_ZEROPAGE record precedes the first commit on a new page', () => {
    const c = makeCluster(32767);
    const b = c.backend();
    const xids: number[] = [];
    for (let i = 0; i < 2; i++) statement(b, () => xids.push(b.xact.getCurrentTransactionId()));
    expect(xids).toEqual([32767, 32768]);
    const kinds = c.wal.records.map((r) => (r.rmid === RM_CLOG_ID ? 'zeropage' : `xact ${r.xid}`));
    expect(kinds).toEqual(['xact 32767', 'zeropage', 'xact 32768']);
  });
});
