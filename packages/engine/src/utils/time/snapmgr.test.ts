import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import type { SubTransAccess, TransamWal } from '../../access/transam/transam.ts';
import {
  attachTransam,
  bootstrapTransam,
  transamShmemInit,
  transamShmemSize,
  XACT_REPEATABLE_READ,
  type TransamBackend,
} from '../../access/transam/xact.ts';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { SnapshotData, xidInMVCCSnapshot } from './snapmgr.ts';

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

function cluster(): () => TransamBackend {
  const sizer = new ShmemSizer();
  transamShmemSize(sizer);
  const shmem = Shmem.create(sizer.size);
  transamShmemInit(shmem);
  const dir = new MemoryDirectory();
  let pid = 100;
  const mk = (): TransamBackend => attachTransam({ shmem, lw: new LWLockOwner(shmem.i32), dir, wal, pid: pid++, databaseOid: 5 });
  const boot = mk();
  bootstrapTransam(boot, 500);
  boot.procArray.removeProc(boot.procno);
  return mk;
}

function stmt<T>(b: TransamBackend, body: () => T): T {
  b.xact.startTransactionCommand();
  const r = body();
  b.xact.commitTransactionCommand();
  return r;
}

function commitOne(b: TransamBackend): number {
  return stmt(b, () => b.xact.getCurrentTransactionId());
}

const noSubtrans: SubTransAccess = {
  getParent: () => 0,
  getTopmostTransaction: (x) => x,
};

describe('xidInMVCCSnapshot', () => {
  it('applies xmin, xmax, xip and subxip', () => {
    const s = new SnapshotData();
    s.xmin = 100;
    s.xmax = 200;
    s.xip[0] = 150;
    s.xcnt = 1;
    s.subxip[0] = 160;
    s.subxcnt = 1;
    expect(xidInMVCCSnapshot(99, s, noSubtrans)).toBe(false);
    expect(xidInMVCCSnapshot(200, s, noSubtrans)).toBe(true);
    expect(xidInMVCCSnapshot(150, s, noSubtrans)).toBe(true);
    expect(xidInMVCCSnapshot(160, s, noSubtrans)).toBe(true);
    expect(xidInMVCCSnapshot(170, s, noSubtrans)).toBe(false);
  });

  it('maps subtransactions to their top level when the snapshot overflowed', () => {
    const s = new SnapshotData();
    s.xmin = 100;
    s.xmax = 200;
    s.xip[0] = 150;
    s.xcnt = 1;
    s.suboverflowed = true;
    const parents: SubTransAccess = {
      getParent: () => 0,
      getTopmostTransaction: (x) => (x === 170 ? 150 : x === 180 ? 90 : x),
    };
    expect(xidInMVCCSnapshot(170, s, parents)).toBe(true);
    expect(xidInMVCCSnapshot(180, s, parents)).toBe(false); // its top level finished before xmin
  });

  it('works across the XID wraparound', () => {
    const s = new SnapshotData();
    s.xmin = 2 ** 32 - 10;
    s.xmax = 20;
    s.xip[0] = 5;
    s.xcnt = 1;
    expect(xidInMVCCSnapshot(2 ** 32 - 20, s, noSubtrans)).toBe(false);
    expect(xidInMVCCSnapshot(5, s, noSubtrans)).toBe(true);
    expect(xidInMVCCSnapshot(6, s, noSubtrans)).toBe(false);
    expect(xidInMVCCSnapshot(25, s, noSubtrans)).toBe(true);
  });
});

describe('SnapshotManager', () => {
  it('READ COMMITTED takes a new snapshot per statement, in the same object', () => {
    const mk = cluster();
    const a = mk();
    const b = mk();
    stmt(a, () => a.xact.beginTransactionBlock());
    const first = stmt(a, () => a.xact.snapmgr.getTransactionSnapshot());
    const xmaxBefore = first.xmax;
    commitOne(b);
    const second = stmt(a, () => a.xact.snapmgr.getTransactionSnapshot());
    expect(second).toBe(first); // reused, no allocation
    expect(second.xmax).toBe(xmaxBefore + 1);
    stmt(a, () => a.xact.endTransactionBlock());
  });

  it('REPEATABLE READ keeps its first snapshot; GetLatestSnapshot still sees new commits', () => {
    const mk = cluster();
    const a = mk();
    const b = mk();
    stmt(a, () => a.xact.beginTransactionBlock());
    stmt(a, () => a.xact.setTransactionIsolation(XACT_REPEATABLE_READ));
    const first = stmt(a, () => a.xact.snapmgr.getTransactionSnapshot());
    const xmax = first.xmax;
    const committed = commitOne(b);
    const second = stmt(a, () => a.xact.snapmgr.getTransactionSnapshot());
    expect(second).toBe(first);
    expect(second.xmax).toBe(xmax);
    expect(xidInMVCCSnapshot(committed, second, a.subtrans)).toBe(true);
    const latest = stmt(a, () => a.xact.snapmgr.getLatestSnapshot());
    expect(xidInMVCCSnapshot(committed, latest, a.subtrans)).toBe(false);
    expect(a.xact.snapmgr.describe().registered).toBe(1);
    stmt(a, () => a.xact.endTransactionBlock());
    expect(a.xact.snapmgr.describe().registered).toBe(0);
    expect(a.procArray.xminOf(a.procno)).toBe(0);
  });

  it("registered snapshots bound the backend's xmin until unregistered", () => {
    const mk = cluster();
    const a = mk();
    const b = mk();
    stmt(a, () => a.xact.beginTransactionBlock());
    const kept = stmt(a, () => a.xact.snapmgr.registerSnapshot(a.xact.snapmgr.getTransactionSnapshot()));
    expect(kept.copied).toBe(true);
    const heldXmin = a.procArray.xminOf(a.procno);
    expect(heldXmin).toBe(kept.xmin);
    commitOne(b);
    commitOne(b);
    // A new statement snapshot does not move xmin back or forward while the old one is registered.
    stmt(a, () => a.xact.snapmgr.getTransactionSnapshot());
    expect(a.procArray.xminOf(a.procno)).toBe(heldXmin);
    stmt(a, () => {
      a.xact.snapmgr.unregisterSnapshot(kept);
    });
    expect(a.procArray.xminOf(a.procno)).toBe(0);
    stmt(a, () => a.xact.endTransactionBlock());
  });

  it('active snapshots stack per subtransaction and are dropped when it aborts', () => {
    const mk = cluster();
    const a = mk();
    const x = a.xact;
    stmt(a, () => x.beginTransactionBlock());
    stmt(a, () => x.defineSavepoint('s'));
    x.startTransactionCommand();
    x.snapmgr.pushActiveSnapshot(x.snapmgr.getTransactionSnapshot());
    expect(x.snapmgr.activeSnapshotSet()).toBe(true);
    x.abortCurrentTransaction(); // an error in the statement inside the savepoint
    expect(x.snapmgr.activeSnapshotSet()).toBe(false);
    stmt(a, () => x.rollbackToSavepoint('s'));
    stmt(a, () => x.endTransactionBlock());
  });
});
