/*
 * lock_testutil.ts — a shared segment with the proc array and the lock
 * table, and backends attached to it, for the lock manager's tests (one
 * thread: lock.test.ts, deadlock.test.ts; worker threads:
 * lock_concurrent.test.ts through lock_testworker.ts).
 */

import { MemoryDirectory } from '@tabgres/opfs-storage';
import type { TransamWal } from '../../access/transam/transam.ts';
import { attachTransam, transamShmemInit, transamShmemSize, type TransamBackend } from '../../access/transam/xact.ts';
import type { PgError } from '../../utils/errors.ts';
import { Shmem, ShmemSizer } from '../ipc/shmem.ts';
import { LockManager, type LockSettings } from './lock.ts';
import { lockShmemInit, lockShmemSize } from './lock_table.ts';
import { LWLockOwner } from './lwlock.ts';

/** The database the tests' backends are in. */
export const TEST_DB = 5;

const wal: TransamWal = {
  insertRecord: () => 0,
  flush: () => {},
  needsFlush: () => false,
  setAsyncXactLsn: () => {},
  logNextOid: () => {},
};

/** The postmaster's part: a segment with the transaction regions and the lock table. */
export function createLockSegment(maxLocksPerTransaction?: number): Shmem {
  const sizer = new ShmemSizer();
  transamShmemSize(sizer);
  lockShmemSize(sizer, maxLocksPerTransaction);
  const shmem = Shmem.create(sizer.size);
  transamShmemInit(shmem);
  lockShmemInit(shmem, maxLocksPerTransaction);
  return shmem;
}

export interface TestBackend {
  pid: number;
  procno: number;
  transam: TransamBackend;
  lm: LockManager;
  /** WARNINGs the lock manager raised. */
  notices: PgError[];
  /** The current resource owner (subtransaction id) the lock manager sees. */
  owner: { current: number };
  /** Pretends the backend's transaction has this XID (0: none), for choosing deadlock victims. */
  setXid(xid: number): void;
  detach(): void;
}

/** A backend: a proc-array slot and a lock manager over `shmem`. */
export function attachLockBackend(shmem: Shmem, pid: number, settings?: Partial<LockSettings>, interrupts?: () => void): TestBackend {
  const lw = new LWLockOwner(shmem.i32);
  const transam = attachTransam({ shmem, lw, dir: new MemoryDirectory(), wal, pid, databaseOid: TEST_DB });
  const notices: PgError[] = [];
  const owner = { current: 1 };
  const lm = new LockManager({
    shmem,
    lw,
    procno: transam.procno,
    procs: transam.procArray,
    databaseOid: TEST_DB,
    notice: (n) => notices.push(n),
    currentOwner: () => owner.current,
    interrupts,
    settings,
  });
  return {
    pid,
    procno: transam.procno,
    transam,
    lm,
    notices,
    owner,
    setXid: (xid) => transam.procArray.setTopXid(transam.procno, xid),
    detach: () => {
      lm.lockReleaseAll(true);
      transam.procArray.setTopXid(transam.procno, 0);
      transam.procArray.removeProc(transam.procno);
    },
  };
}
