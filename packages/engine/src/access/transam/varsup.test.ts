import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { CLOG_XACTS_PER_PAGE, VAR_OID_PREFETCH, XID_STOP_LIMIT_MARGIN, XID_WARN_LIMIT_MARGIN } from '../../constants.ts';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { PgError } from '../../utils/errors.ts';
import { clogPageOf } from './clog.ts';
import { RM_CLOG_ID } from './rmgr.ts';
import {
  FirstNormalObjectId,
  TRANSACTION_STATUS_COMMITTED,
  epochFromFull,
  fullTransactionId,
  transactionIdPrecedes,
  xidFromFull,
  type TransamWal,
} from './transam.ts';
import { attachTransam, bootstrapTransam, transamShmemInit, transamShmemSize, type TransamBackend } from './xact.ts';

class FakeWal implements TransamWal {
  pos = 100;
  clogRecords = 0;
  nextOids: number[] = [];
  insertRecord(rmid: number, _info: number, data: Uint8Array): number {
    if (rmid === RM_CLOG_ID) this.clogRecords++;
    this.pos += 24 + data.length;
    return this.pos;
  }
  flush(): void {}
  needsFlush(): boolean {
    return false;
  }
  setAsyncXactLsn(): void {}
  logNextOid(nextOid: number): void {
    this.nextOids.push(nextOid);
  }
}

function cluster(firstXid: number, opts: { bootstrapMode?: boolean } = {}): { b: TransamBackend; wal: FakeWal; notices: PgError[] } {
  const sizer = new ShmemSizer();
  transamShmemSize(sizer);
  const shmem = Shmem.create(sizer.size);
  transamShmemInit(shmem);
  const wal = new FakeWal();
  const notices: PgError[] = [];
  const b = attachTransam({
    shmem,
    lw: new LWLockOwner(shmem.i32),
    dir: new MemoryDirectory(),
    wal,
    pid: 1,
    databaseOid: 5,
    notice: (n) => notices.push(n),
    databaseName: (oid) => (oid === 5 ? 'postgres' : undefined),
  });
  bootstrapTransam(b, firstXid, 5);
  b.varsup.bootstrapMode = opts.bootstrapMode === true;
  return { b, wal, notices };
}

function commitOne(b: TransamBackend): number {
  b.xact.startTransactionCommand();
  const xid = b.xact.getCurrentTransactionId();
  b.xact.commitTransactionCommand();
  return xid;
}

describe('XID wraparound', () => {
  it('assigns XIDs across 2^32, skipping 0..2, with CLOG pages on both sides', () => {
    const start = 2 ** 32 - 1000;
    const { b, wal } = cluster(start);
    const xids: number[] = [];
    for (let i = 0; i < 2000; i++) xids.push(commitOne(b));
    expect(xids[0]).toBe(start);
    expect(xids[999]).toBe(2 ** 32 - 1);
    expect(xids[1000]).toBe(3);
    expect(xids[1999]).toBe(1002);
    expect(epochFromFull(b.varsup.readNextFullTransactionId())).toBe(1);
    expect(xidFromFull(b.varsup.readNextFullTransactionId())).toBe(1003);
    for (let i = 1; i < xids.length; i++) expect(transactionIdPrecedes(xids[i - 1], xids[i])).toBe(true);
    for (const x of xids) expect(b.clog.getStatus(x)).toBe(TRANSACTION_STATUS_COMMITTED);
    // Page 0 was zeroed (and logged) when the counter came back to 3.
    expect(clogPageOf(xids[0])).toBe(2 ** 32 / CLOG_XACTS_PER_PAGE - 1);
    expect(wal.clogRecords).toBe(1);
    // A snapshot taken after the wrap sees transactions from before it as finished.
    b.xact.startTransactionCommand();
    const snap = b.xact.snapmgr.getTransactionSnapshot();
    expect(snap.xmin).toBe(1003);
    expect(transactionIdPrecedes(start, snap.xmin)).toBe(true);
    b.xact.commitTransactionCommand();
    // latestCompletedXid is full: epoch 1.
    expect(b.procArray.getLatestCompletedXid()).toBe(fullTransactionId(1, 1002));
  });

  it('refuses new XIDs at the stop limit with PostgreSQL error 54000', () => {
    const { b } = cluster(1000);
    const next = b.varsup.readNextTransactionId();
    // oldestXid such that next is exactly the stop limit (oldest + 2^31 - 1 - 3M).
    const oldest = (next - (2 ** 31 - 1) + XID_STOP_LIMIT_MARGIN) >>> 0;
    b.varsup.setTransactionIdLimit(oldest, 5);
    expect(b.varsup.limits().stop).toBe(next);
    b.xact.startTransactionCommand();
    let err: unknown = null;
    try {
      b.xact.getCurrentTransactionId();
    } catch (e) {
      err = e;
    }
    b.xact.abortCurrentTransaction();
    expect(err).toBeInstanceOf(PgError);
    const pe = err as PgError;
    expect(pe.code).toBe('54000');
    expect(pe.message).toBe('database is not accepting commands that assign new transaction IDs to avoid wraparound data loss in database "postgres"');
    expect(pe.hint).toBe(
      'Execute a database-wide VACUUM in that database.\nYou might also need to commit or roll back old prepared transactions, or drop stale replication slots.',
    );
    // The counter did not move, and vacuum advancing oldestXid lets transactions run again.
    expect(b.varsup.readNextTransactionId()).toBe(next);
    b.varsup.setTransactionIdLimit(next - 10, 5);
    expect(commitOne(b)).toBe(next);
  });

  it('warns between the warn limit and the stop limit', () => {
    const { b, notices } = cluster(1000);
    const next = b.varsup.readNextTransactionId();
    const oldest = (next - (2 ** 31 - 1) + XID_WARN_LIMIT_MARGIN - 5) >>> 0; // 5 past the warn limit
    b.varsup.setTransactionIdLimit(oldest, 5);
    notices.length = 0;
    commitOne(b);
    expect(notices).toHaveLength(1);
    expect(notices[0].severity).toBe('WARNING');
    expect(notices[0].message).toBe(`database "postgres" must be vacuumed within ${XID_WARN_LIMIT_MARGIN - 5} transactions`);
  });

  it('names the database by OID when its name is unknown', () => {
    const { b } = cluster(1000);
    const next = b.varsup.readNextTransactionId();
    b.varsup.setTransactionIdLimit((next - (2 ** 31 - 1) + XID_STOP_LIMIT_MARGIN) >>> 0, 777);
    expect(() => b.varsup.getNewTransactionId(b.procno, false)).toThrow('in database with OID 777');
  });

  it('advances nextXid past replayed XIDs, into the next epoch when they wrapped', () => {
    const { b } = cluster(2 ** 32 - 10);
    b.varsup.advanceNextFullTransactionIdPastXid(2 ** 32 - 20); // older: no change
    expect(b.varsup.readNextFullTransactionId()).toBe(2 ** 32 - 10);
    b.varsup.advanceNextFullTransactionIdPastXid(5);
    expect(b.varsup.readNextFullTransactionId()).toBe(fullTransactionId(1, 6));
  });
});

describe('OIDs', () => {
  it('start at FirstNormalObjectId after initdb and log NEXTOID ahead in batches', () => {
    const { b, wal } = cluster(3);
    expect(b.varsup.getNewObjectId()).toBe(FirstNormalObjectId);
    expect(wal.nextOids).toEqual([FirstNormalObjectId + VAR_OID_PREFETCH]);
    for (let i = 1; i < VAR_OID_PREFETCH; i++) b.varsup.getNewObjectId();
    expect(wal.nextOids).toHaveLength(1);
    expect(b.varsup.getNewObjectId()).toBe(FirstNormalObjectId + VAR_OID_PREFETCH);
    expect(wal.nextOids).toEqual([FirstNormalObjectId + VAR_OID_PREFETCH, FirstNormalObjectId + 2 * VAR_OID_PREFETCH]);
    // An online checkpoint records the end of the logged range, a shutdown checkpoint the next OID.
    expect(b.varsup.getCheckpointFields().nextOid).toBe(FirstNormalObjectId + 2 * VAR_OID_PREFETCH);
    expect(b.varsup.getCheckpointFields(true).nextOid).toBe(FirstNormalObjectId + VAR_OID_PREFETCH + 1);
  });

  it('hands out initdb OIDs in bootstrap mode and wraps back to FirstNormalObjectId', () => {
    const { b } = cluster(3, { bootstrapMode: true });
    expect(b.varsup.getNewObjectId()).toBe(10000);
    b.varsup.bootstrapMode = false;
    b.varsup.setNextOid(0xffffffff);
    expect(b.varsup.getNewObjectId()).toBe(0xffffffff);
    expect(b.varsup.getNewObjectId()).toBe(FirstNormalObjectId);
  });
});
