import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { MAX_BACKENDS, PGPROC_MAX_CACHED_SUBXIDS } from '../../constants.ts';
import type { TransamWal } from '../../access/transam/transam.ts';
import { attachTransam, bootstrapTransam, transamShmemInit, transamShmemSize, type TransamBackend } from '../../access/transam/xact.ts';
import { PgError } from '../../utils/errors.ts';
import { SnapshotData } from '../../utils/time/snapmgr.ts';
import { LWLockOwner } from '../lmgr/lwlock.ts';
import { DELAY_CHKPT_START, PROC_IN_VACUUM } from './procarray.ts';
import { Shmem, ShmemSizer } from './shmem.ts';

const wal: TransamWal = {
  insertRecord: (() => {
    let pos = 100;
    return () => (pos += 64);
  })(),
  flush: () => {},
  needsFlush: () => false,
  setAsyncXactLsn: () => {},
  logNextOid: () => {},
};

function cluster(): { shmem: Shmem; mk: (db?: number) => TransamBackend } {
  const sizer = new ShmemSizer();
  transamShmemSize(sizer);
  const shmem = Shmem.create(sizer.size);
  transamShmemInit(shmem);
  const dir = new MemoryDirectory();
  let pid = 100;
  const mk = (db = 5): TransamBackend => attachTransam({ shmem, lw: new LWLockOwner(shmem.i32), dir, wal, pid: pid++, databaseOid: db });
  const boot = mk();
  bootstrapTransam(boot, 1000);
  boot.procArray.removeProc(boot.procno);
  return { shmem, mk };
}

function begin(b: TransamBackend): number {
  b.xact.begin();
  b.xact.startTransactionCommand();
  const xid = b.xact.getCurrentTransactionId();
  b.xact.commitTransactionCommand();
  return xid;
}

function savepointXid(b: TransamBackend, name: string): number {
  b.xact.startTransactionCommand();
  b.xact.defineSavepoint(name);
  b.xact.commitTransactionCommand();
  b.xact.startTransactionCommand();
  const xid = b.xact.getCurrentTransactionId();
  b.xact.commitTransactionCommand();
  return xid;
}

function commitOne(b: TransamBackend): number {
  b.xact.startTransactionCommand();
  const xid = b.xact.getCurrentTransactionId();
  b.xact.commitTransactionCommand();
  return xid;
}

describe('ProcArray snapshots', () => {
  it("lists other backends' running XIDs and subtransactions, not my own", () => {
    const { mk } = cluster();
    const a = mk();
    const b = mk();
    const c = mk();
    const xa = begin(a);
    const xb = begin(b);
    const sb1 = savepointXid(b, 's1');
    const sb2 = savepointXid(b, 's2');
    const xc = commitOne(c); // completes after them, so they are below xmax
    const snap = new SnapshotData();
    a.procArray.getSnapshotData(snap, a.procno);
    expect(snap.xmax).toBe(xc + 1);
    expect(snap.xmin).toBe(xa);
    expect(Array.from(snap.xip.subarray(0, snap.xcnt))).toEqual([xb]);
    expect(Array.from(snap.subxip.subarray(0, snap.subxcnt))).toEqual([sb1, sb2]);
    expect(snap.suboverflowed).toBe(false);
    // Setting my xmin is the snapshot's job; the second call keeps it.
    expect(a.procArray.xminOf(a.procno)).toBe(xa);
    const info = a.procArray.describe().find((p) => p.procno === b.procno)!;
    expect(info).toMatchObject({ xid: xb, subxids: [sb1, sb2], subxidOverflowed: false, databaseOid: 5 });
    expect(info.vxid).toMatch(/^\d+\/\d+$/);
  });

  it('marks the snapshot overflowed past PGPROC_MAX_CACHED_SUBXIDS and still finds running subtransactions', () => {
    const { mk } = cluster();
    const a = mk();
    const b = mk();
    const top = begin(b);
    const subs: number[] = [];
    for (let i = 0; i <= PGPROC_MAX_CACHED_SUBXIDS; i++) subs.push(savepointXid(b, `s${i}`));
    commitOne(a);
    const snap = new SnapshotData();
    a.procArray.getSnapshotData(snap, a.procno);
    expect(snap.suboverflowed).toBe(true);
    const last = subs[subs.length - 1];
    // Not in any cache: found through pg_subtrans.
    expect(a.procArray.transactionIdIsInProgress(last)).toBe(true);
    expect(a.procArray.transactionIdIsInProgress(subs[0])).toBe(true);
    expect(a.procArray.transactionIdIsInProgress(top)).toBe(true);
    b.xact.startTransactionCommand();
    b.xact.endTransactionBlock();
    b.xact.commitTransactionCommand();
    expect(a.procArray.transactionIdIsInProgress(last)).toBe(false);
    expect(a.status.didCommit(last)).toBe(true);
  });

  it('reuses a snapshot until some transaction with an XID ends', () => {
    const { mk } = cluster();
    const a = mk();
    const b = mk();
    const snap = new SnapshotData();
    a.procArray.getSnapshotData(snap, a.procno);
    const count = snap.snapXactCompletionCount;
    snap.xip[0] = 4242; // a marker a recomputation would not restore
    snap.xcnt = 1;
    begin(b); // assigning an XID does not invalidate it: the new XID is >= xmax
    a.procArray.getSnapshotData(snap, a.procno);
    expect(snap.xcnt).toBe(1);
    expect(snap.snapXactCompletionCount).toBe(count);
    b.xact.startTransactionCommand();
    b.xact.endTransactionBlock();
    b.xact.commitTransactionCommand();
    a.procArray.getSnapshotData(snap, a.procno);
    expect(snap.xcnt).toBe(0);
    expect(snap.snapXactCompletionCount).toBe(count + 1);
  });

  it('refuses a backend when every slot is taken', () => {
    const { mk } = cluster();
    const all: TransamBackend[] = [];
    for (let i = 0; i < MAX_BACKENDS; i++) all.push(mk());
    let err: unknown = null;
    try {
      mk();
    } catch (e) {
      err = e;
    }
    expect((err as PgError).code).toBe('53300');
    expect((err as PgError).message).toBe('sorry, too many clients already');
    all[3].procArray.removeProc(all[3].procno);
    expect(mk().procno).toBe(all[3].procno);
  });
});

describe('ProcArray horizons and flags', () => {
  it('holds the vacuum horizon at the oldest xmin or XID, ignoring vacuum and other databases', () => {
    const { mk } = cluster();
    const a = mk();
    const b = mk();
    const other = mk(6);
    const xOther = begin(other);
    const xb = begin(b);
    const later = commitOne(a);
    expect(a.procArray.getOldestNonRemovableXid(5)).toBe(xb);
    expect(a.procArray.getOldestNonRemovableXid()).toBe(xOther);
    b.procArray.setStatusFlags(b.procno, PROC_IN_VACUUM);
    expect(a.procArray.getOldestNonRemovableXid(5)).toBe(later + 1);
    // A snapshot's xmin holds it back too.
    a.xact.startTransactionCommand();
    a.xact.snapmgr.getTransactionSnapshot();
    expect(a.procArray.getOldestNonRemovableXid(5)).toBe(xOther);
    a.xact.commitTransactionCommand();
    expect(a.procArray.getOldestActiveTransactionId(later + 1)).toBe(xOther);
  });

  it('reports backends delaying a checkpoint while they are in the commit critical section', () => {
    const { mk } = cluster();
    const a = mk();
    const b = mk();
    b.procArray.setLocalXid(b.procno, 77);
    b.procArray.setDelayChkpt(b.procno, DELAY_CHKPT_START);
    const list = a.procArray.getDelayingCheckpoint(DELAY_CHKPT_START);
    expect(list).toEqual([{ procno: b.procno, lxid: 77 }]);
    expect(a.procArray.haveDelayingCheckpoint(list, DELAY_CHKPT_START)).toBe(true);
    b.procArray.setDelayChkpt(b.procno, 0);
    expect(a.procArray.haveDelayingCheckpoint(list, DELAY_CHKPT_START)).toBe(false);
    a.procArray.waitForDelayingCheckpoint(DELAY_CHKPT_START);
  });
});
