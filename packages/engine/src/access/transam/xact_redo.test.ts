import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import type { RelFileLocator } from '../../storage/relfilelocator.ts';
import { clogRedo } from './clog_redo.ts';
import { describeRecord, getRmgr, RM_CLOG_ID, RM_XACT_ID } from './rmgr.ts';
import {
  TRANSACTION_STATUS_ABORTED,
  TRANSACTION_STATUS_COMMITTED,
  TRANSACTION_STATUS_IN_PROGRESS,
  epochFromFull,
  xidFromFull,
  type TransamWal,
} from './transam.ts';
import {
  attachTransam,
  bootstrapTransam,
  finishTransamRecovery,
  startTransamRecovery,
  transamShmemInit,
  transamShmemSize,
  type TransamBackend,
} from './xact.ts';
import {
  encodeXactRecord,
  parseXactRecord,
  PG_EPOCH_MS,
  timestamptzToString,
  xactDesc,
  xactIdentify,
  xactRedo,
  XACT_XINFO_HAS_SUBXACTS,
  XLOG_XACT_ABORT,
  XLOG_XACT_COMMIT,
  XLOG_XACT_HAS_INFO,
} from './xact_redo.ts';
import { DecodedXLogRecord } from './xlogreader.ts';

interface Rec {
  rmid: number;
  info: number;
  data: Uint8Array;
  xid: number;
  endLsn: number;
}

class RecordingWal implements TransamWal {
  pos = 1000;
  records: Rec[] = [];
  insertRecord(rmid: number, info: number, data: Uint8Array, xid: number): number {
    this.pos += 64;
    this.records.push({ rmid, info, data: data.slice(), xid, endLsn: this.pos });
    return this.pos;
  }
  flush(): void {}
  needsFlush(): boolean {
    return false;
  }
  setAsyncXactLsn(): void {}
  logNextOid(): void {}
}

function instance(wal: TransamWal, dir = new MemoryDirectory()): TransamBackend {
  const sizer = new ShmemSizer();
  transamShmemSize(sizer);
  const shmem = Shmem.create(sizer.size);
  transamShmemInit(shmem);
  return attachTransam({ shmem, lw: new LWLockOwner(shmem.i32), dir, wal, pid: 1, databaseOid: 5 });
}

// 2026-11-25 10:00:00.123456 UTC in microseconds since 2000-01-01.
const T = (Date.UTC(2026, 10, 25, 10, 0, 0) - PG_EPOCH_MS) * 1000 + 123456;

describe('transaction records', () => {
  it('round-trips commit and abort bodies', () => {
    const rels: RelFileLocator[] = [{ spcOid: 1663, dbOid: 5, relNumber: 16384 }];
    const c = encodeXactRecord(XLOG_XACT_COMMIT, { xactTime: T, subxacts: [1002, 1003], rels });
    expect(c.info).toBe(XLOG_XACT_COMMIT | XLOG_XACT_HAS_INFO);
    const p = parseXactRecord(c.info, c.data);
    expect(p.xactTime).toBe(T);
    expect(p.xinfo & XACT_XINFO_HAS_SUBXACTS).not.toBe(0);
    expect(Array.from(p.subxacts)).toEqual([1002, 1003]);
    expect(p.rels).toEqual(rels);
    const bare = encodeXactRecord(XLOG_XACT_ABORT, { xactTime: T, subxacts: [], rels: [] });
    expect(bare.info).toBe(XLOG_XACT_ABORT);
    expect(bare.data.length).toBe(8);
    expect(parseXactRecord(bare.info, bare.data).subxacts.length).toBe(0);
  });

  it("describes records in pg_waldump's words", () => {
    expect(timestamptzToString(T)).toBe('2026-11-25 10:00:00.123456 UTC');
    const c = encodeXactRecord(XLOG_XACT_COMMIT, { xactTime: T, subxacts: [1002, 1003], rels: [] });
    const rec = { info: c.info, mainData: c.data, mainDataLength: c.data.length };
    expect(`${xactIdentify(c.info)} ${xactDesc(rec)}`).toBe('COMMIT 2026-11-25 10:00:00.123456 UTC; subxacts: 1002 1003');
    const a = encodeXactRecord(XLOG_XACT_ABORT, { xactTime: T, subxacts: [], rels: [{ spcOid: 1663, dbOid: 5, relNumber: 16390 }] });
    expect(`${xactIdentify(a.info)} ${xactDesc({ info: a.info, mainData: a.data, mainDataLength: a.data.length })}`).toBe(
      'ABORT 2026-11-25 10:00:00.123456 UTC; rels: base/5/16390',
    );

    const d = new DecodedXLogRecord();
    d.rmid = RM_XACT_ID;
    d.info = c.info;
    d.xid = 1001;
    d.lsn = 0x1000028;
    d.prev = 0x1000000;
    d.totalLen = 24 + c.data.length;
    d.mainData = c.data;
    d.mainDataLength = c.data.length;
    expect(getRmgr(RM_XACT_ID)?.name).toBe('Transaction');
    expect(describeRecord(d)).toContain('desc: COMMIT 2026-11-25 10:00:00.123456 UTC; subxacts: 1002 1003');
  });

  it('replays commits and aborts into CLOG, advances nextXid and drops files', () => {
    const wal = new RecordingWal();
    const live = instance(wal);
    bootstrapTransam(live, 2 ** 32 - 2);
    const x = live.xact;
    x.setPendingDeleteExecutor(() => {});
    // Transaction 1: commits with a subtransaction and a dropped file.
    x.begin();
    x.startTransactionCommand();
    const t1 = x.getCurrentTransactionId();
    x.registerPendingDelete({ spcOid: 1663, dbOid: 5, relNumber: 777 }, true);
    x.defineSavepoint('s');
    x.commitTransactionCommand();
    x.startTransactionCommand();
    const s1 = x.getCurrentTransactionId(); // wraps: 2^32 - 1
    x.commitTransactionCommand();
    x.commit();
    // Transaction 2: aborts (its XID is 3, in the next epoch).
    x.startTransactionCommand();
    const t2 = x.getCurrentTransactionId();
    x.abortCurrentTransaction();
    expect([t1, s1, t2]).toEqual([2 ** 32 - 2, 2 ** 32 - 1, 3]);

    // Replay on a fresh instance that only has the bootstrap state.
    const dropped: RelFileLocator[][] = [];
    const replica = instance(new RecordingWal());
    bootstrapTransam(replica, 2 ** 32 - 2);
    startTransamRecovery(replica, replica.varsup.getCheckpointFields(true));
    expect(replica.clog.getStatus(t1)).toBe(TRANSACTION_STATUS_IN_PROGRESS);
    const svc = { status: replica.status, varsup: replica.varsup, dropRelationFiles: (r: readonly RelFileLocator[]) => dropped.push([...r]) };
    for (const r of wal.records) {
      const rec = { info: r.info, xid: r.xid, endLsn: r.endLsn, mainData: r.data, mainDataLength: r.data.length };
      if (r.rmid === RM_XACT_ID) xactRedo(rec, svc);
      else if (r.rmid === RM_CLOG_ID) clogRedo(rec, replica.clog);
    }
    finishTransamRecovery(replica);
    expect(replica.clog.getStatus(t1)).toBe(TRANSACTION_STATUS_COMMITTED);
    expect(replica.clog.getStatus(s1)).toBe(TRANSACTION_STATUS_COMMITTED);
    expect(replica.clog.getStatus(t2)).toBe(TRANSACTION_STATUS_ABORTED);
    expect(dropped).toEqual([[{ spcOid: 1663, dbOid: 5, relNumber: 777 }]]);
    const next = replica.varsup.readNextFullTransactionId();
    expect([epochFromFull(next), xidFromFull(next)]).toEqual([1, 4]);
    // After recovery the instance assigns XIDs again, after the replayed ones.
    replica.xact.startTransactionCommand();
    expect(replica.xact.getCurrentTransactionId()).toBe(4);
    replica.xact.commitTransactionCommand();
  });
});
