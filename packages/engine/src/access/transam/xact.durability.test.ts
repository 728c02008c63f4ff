/*
 * Durability of commits with the real WAL: commit, crash the simulated disk,
 * restart through crash recovery, and check CLOG says exactly what was
 * reported (DESIGN.md section 5, rules 2 and 5).
 */
import { describe, expect, it } from 'vitest';
import { CrashSimDirectory } from '@tabgres/opfs-storage';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { CLOG_REDO } from './clog_redo.ts';
import { RedoServices } from './rmgr.ts';
import {
  TRANSACTION_STATUS_ABORTED,
  TRANSACTION_STATUS_COMMITTED,
  TRANSACTION_STATUS_IN_PROGRESS,
  xidFromFull,
} from './transam.ts';
import {
  attachTransam,
  bootstrapTransamFiles,
  checkPointTransam,
  finishTransamRecovery,
  startTransamRecovery,
  transamCheckpointFields,
  transamRedoCounters,
  transamShmemInit,
  transamShmemSize,
  transamWalFromXLog,
  type TransamBackend,
  type XactSettings,
} from './xact.ts';
import { XACT_REDO } from './xact_redo.ts';
import { bootstrapXLog, CHECKPOINT_END_OF_RECOVERY, CHECKPOINT_FORCE, XLog, xlogShmemInit, xlogShmemSize } from './xlog.ts';
import { FakeBuffers } from './xlog_testutil.ts';
import { startupXLOG } from './xlogrecovery.ts';

const SEG = 1 << 20;

interface Instance {
  shmem: Shmem;
  startup: TransamBackend;
  recovered: boolean;
  backend(settings?: Partial<XactSettings>): TransamBackend;
  checkpoint(): void;
}

/** "Starts the server": fresh shared memory, crash recovery if needed, then backends. */
function start(dir: CrashSimDirectory): Instance {
  const sizer = new ShmemSizer();
  xlogShmemSize(sizer, 16);
  transamShmemSize(sizer);
  const shmem = Shmem.create(sizer.size);
  xlogShmemInit(shmem, { walBuffers: 16 });
  transamShmemInit(shmem);
  let pid = 1;
  const attach = (settings?: Partial<XactSettings>): { b: TransamBackend; xlog: XLog } => {
    const lw = new LWLockOwner(shmem.i32);
    const xlog = new XLog(shmem, lw, dir);
    return { b: attachTransam({ shmem, lw, dir, wal: transamWalFromXLog(xlog), pid: pid++, databaseOid: 5, settings }), xlog };
  };
  const { b: startup, xlog } = attach();
  startTransamRecovery(startup);
  const services = new RedoServices()
    .provide(CLOG_REDO, startup.clog)
    .provide(XACT_REDO, { status: startup.status, varsup: startup.varsup, dropRelationFiles: () => {}, flush: () => {} });
  const result = startupXLOG({ dir, xlog, redo: { buffers: new FakeBuffers(), counters: transamRedoCounters(startup), services } });
  finishTransamRecovery(startup);
  const hooks = {
    checkPointGuts: () => checkPointTransam(startup),
    nextXidAndOid: () => transamCheckpointFields(startup),
  };
  if (result.recoveryPerformed) xlog.createCheckPoint(CHECKPOINT_END_OF_RECOVERY, hooks);
  return {
    shmem,
    startup,
    recovered: result.recoveryPerformed,
    backend: (settings) => attach(settings).b,
    checkpoint: () => {
      xlog.createCheckPoint(CHECKPOINT_FORCE, hooks);
    },
  };
}

/** initdb: the WAL's first checkpoint and the first CLOG page, both durable. */
function initdb(): CrashSimDirectory {
  const dir = new CrashSimDirectory();
  bootstrapXLog(dir, { segmentSize: SEG, nextXid: 3 });
  bootstrapTransamFiles(dir, 3);
  return dir;
}

function commitOne(b: TransamBackend): number {
  b.xact.startTransactionCommand();
  const xid = b.xact.getCurrentTransactionId();
  b.xact.commitTransactionCommand();
  return xid;
}

describe('commit durability through crash recovery', () => {
  it('keeps every reported commit, and nothing else, after a crash', () => {
    for (const seed of [1, 2, 3]) {
      const dir = initdb();
      let inst = start(dir);
      const b = inst.backend();
      const committed: number[] = [];
      for (let i = 0; i < 5; i++) committed.push(commitOne(b));
      // A transaction with savepoints: one released (committed with the parent), one rolled back.
      b.xact.begin();
      b.xact.startTransactionCommand();
      const top = b.xact.getCurrentTransactionId();
      b.xact.defineSavepoint('keep');
      b.xact.commitTransactionCommand();
      b.xact.startTransactionCommand();
      const kept = b.xact.getCurrentTransactionId();
      b.xact.releaseSavepoint('keep');
      b.xact.commitTransactionCommand();
      b.xact.startTransactionCommand();
      b.xact.defineSavepoint('drop');
      b.xact.commitTransactionCommand();
      b.xact.startTransactionCommand();
      const dropped = b.xact.getCurrentTransactionId();
      b.xact.rollbackToSavepoint('drop');
      b.xact.commitTransactionCommand();
      b.xact.commit();
      b.xact.startTransactionCommand();
      const aborted = b.xact.getCurrentTransactionId();
      b.xact.abortCurrentTransaction();
      const other = inst.backend();
      other.xact.begin();
      other.xact.startTransactionCommand();
      const running = other.xact.getCurrentTransactionId();
      other.xact.commitTransactionCommand();

      dir.crash({ seed, mode: 'random' });
      inst = start(dir);
      expect(inst.recovered).toBe(true);
      const r = inst.backend();
      for (const x of committed) expect(r.clog.getStatus(x)).toBe(TRANSACTION_STATUS_COMMITTED);
      expect(r.status.didCommit(top)).toBe(true);
      expect(r.status.didCommit(kept)).toBe(true);
      expect(r.status.didCommit(dropped)).toBe(false);
      // The abort record was never flushed: the abort may be lost, but never becomes a commit.
      expect([TRANSACTION_STATUS_ABORTED, TRANSACTION_STATUS_IN_PROGRESS]).toContain(r.clog.getStatus(aborted));
      expect(r.status.didCommit(running)).toBe(false);
      // New XIDs come after everything durable WAL mentions. XIDs no flushed record names (the
      // lost abort, the running one) may be handed out again: TrimCLOG cleared their bits.
      const next = commitOne(r);
      expect(next).toBeGreaterThan(Math.max(...committed, top, kept, dropped));
      expect(r.clog.getStatus(next)).toBe(TRANSACTION_STATUS_COMMITTED);
      if (next <= running) expect(r.clog.getStatus(running)).toBe(next === running ? TRANSACTION_STATUS_COMMITTED : TRANSACTION_STATUS_IN_PROGRESS);
    }
  });

  it('asynchronous commits may be lost in a crash, but never half of a tree', () => {
    const dir = initdb();
    let inst = start(dir);
    const b = inst.backend({ synchronousCommit: false });
    const xids: number[] = [];
    for (let i = 0; i < 3; i++) xids.push(commitOne(b));
    dir.crash({ seed: 9, mode: 'drop' });
    inst = start(dir);
    const r = inst.backend();
    for (const x of xids) expect(r.status.didCommit(x)).toBe(false);
  });

  it('recovers from the last checkpoint: CLOG written by the checkpoint plus the WAL after it', () => {
    const dir = initdb();
    let inst = start(dir);
    const b = inst.backend();
    const before = [commitOne(b), commitOne(b)];
    inst.checkpoint();
    expect(dir.exists('pg_xact/0000')).toBe(true);
    const after = [commitOne(b), commitOne(b)];
    const nextBefore = xidFromFull(inst.startup.varsup.readNextFullTransactionId());
    dir.crash({ seed: 4, mode: 'drop' });
    inst = start(dir);
    const r = inst.backend();
    for (const x of [...before, ...after]) expect(r.clog.getStatus(x)).toBe(TRANSACTION_STATUS_COMMITTED);
    expect(xidFromFull(r.varsup.readNextFullTransactionId())).toBe(nextBefore);
    // pg_subtrans starts empty after a restart.
    expect(r.subtrans.getParent(after[1])).toBe(0);
  });
});
