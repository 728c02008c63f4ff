/*
 * nbtree_testutil.ts — a one-backend instance for the B-tree's tests and
 * benchmark: shared memory with a buffer pool and WAL, the storage manager,
 * the startup process (crash recovery), checkpoints; plus a fake heap and
 * fake transaction horizon.
 *
 * Exports: BtInstance, startInstance, FakeXids, FakeHeap, intKey, textKey,
 *          testIndex, TEST_SEGMENT_SIZE.
 *
 * Not a test file: the tests and bench-nbtree.ts import it.
 */

import { Prng, type StorageDirectory } from '@tabgres/opfs-storage';
import { CONTROL_FILE_PATH } from '../../catalog/pg_control.ts';
import { BufferManager, bufMgrShmemSize } from '../../storage/buffer/bufmgr.ts';
import { FreeSpaceMap } from '../../storage/freespace/freespace.ts';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { ForkNumber, type RelFileLocator } from '../../storage/relfilelocator.ts';
import { Smgr } from '../../storage/smgr/smgr.ts';
import { makeTid, type Tid } from '../common/itemptr.ts';
import { int4Type, textType } from '../common/testtypes.ts';
import { RedoServices, SimpleRedoCounters } from '../transam/rmgr.ts';
import { CHECKPOINT_END_OF_RECOVERY, CHECKPOINT_FORCE, CHECKPOINT_IMMEDIATE, XLog, bootstrapXLog, xlogShmemInit, xlogShmemSize, type CheckpointHooks } from '../transam/xlog.ts';
import { XLogInsertState } from '../transam/xloginsert.ts';
import { startupXLOG, type StartupResult } from '../transam/xlogrecovery.ts';
import { makeIndexRelation, type IndexKeyColumn, type IndexRelation } from './indexrel.ts';
import type { IndexValue } from './itup.ts';
import type { BtEnv, BtXidHorizon, DirtyFetch, UniqueCheckHeap } from './nbtenv.ts';
import { SharedVacuumCycles, btVacuumShmemSize } from './nbtvacstate.ts';
import type { IndexBuildScan } from './nbtsort.ts';
import './nbtredo.ts';

/** Small segments so tests cross segment boundaries; the bench uses the default. */
export const TEST_SEGMENT_SIZE = 1024 * 1024;

/**
 * A transaction horizon that tests move by hand: a page deleted at safexid
 * x is recyclable once the horizon passes x.
 */
export class FakeXids implements BtXidHorizon {
  next = 1000;
  horizon = 1000;

  readNextFullXid(): number {
    return this.next;
  }

  isRemovableFullXid(fxid: number): boolean {
    return fxid < this.horizon;
  }

  /** Every transaction so far has ended: everything deleted until now may be reused. */
  advance(): void {
    this.next++;
    this.horizon = this.next;
  }
}

export interface BtInstance {
  dir: StorageDirectory;
  shmem: Shmem;
  smgr: Smgr;
  bufmgr: BufferManager;
  xlog: XLog;
  ins: XLogInsertState;
  xids: FakeXids;
  env: BtEnv;
  startup: StartupResult;
  /** A CHECKPOINT: every dirty buffer written and synced, the redo pointer moved. */
  checkpoint(): void;
  /** Makes all WAL inserted so far durable (a commit's flush). */
  flushWal(): number;
  close(): void;
}

export interface InstanceOptions {
  nbuffers?: number;
  walBuffers?: number;
  segmentSize?: number;
}

/**
 * Starts an instance on `dir`: bootstraps the WAL on an empty directory,
 * runs crash recovery if the last shutdown was not clean, and ends recovery
 * with a checkpoint as PostgreSQL does.
 */
export function startInstance(dir: StorageDirectory, o: InstanceOptions = {}): BtInstance {
  const nbuffers = o.nbuffers ?? 512;
  const walBuffers = o.walBuffers ?? 128;
  if (!dir.exists(CONTROL_FILE_PATH)) bootstrapXLog(dir, { segmentSize: o.segmentSize ?? TEST_SEGMENT_SIZE });
  const sizer = new ShmemSizer();
  bufMgrShmemSize(sizer, nbuffers);
  xlogShmemSize(sizer, walBuffers);
  btVacuumShmemSize(sizer);
  const shmem = Shmem.create(sizer.size);
  xlogShmemInit(shmem, { walBuffers });
  const lw = new LWLockOwner(shmem.i32);
  const smgr = new Smgr(dir);
  const bufmgr = new BufferManager(shmem, nbuffers, smgr, lw);
  const xlog = new XLog(shmem, lw, dir);
  bufmgr.setWal({ flush: (lsn) => xlog.flush(lsn), getRedoRecPtr: () => xlog.getRedoRecPtr() });
  const startup = startupXLOG({ dir, xlog, redo: { buffers: bufmgr, counters: new SimpleRedoCounters(), services: new RedoServices() } });
  const hooks: CheckpointHooks = {
    checkPointGuts: () => {
      bufmgr.bufferSync();
      smgr.syncAll();
    },
    nextXidAndOid: () => ({ nextXid: 1000, nextOid: 20000, oldestXid: 3, oldestActiveXid: 0 }),
  };
  if (startup.recoveryPerformed) xlog.createCheckPoint(CHECKPOINT_END_OF_RECOVERY | CHECKPOINT_IMMEDIATE, hooks);
  const ins = new XLogInsertState(xlog, bufmgr);
  const xids = new FakeXids();
  const env: BtEnv = { bufmgr, wal: ins, fsm: new FreeSpaceMap(bufmgr), xids, cycles: new SharedVacuumCycles(shmem, lw) };
  return {
    dir,
    shmem,
    smgr,
    bufmgr,
    xlog,
    ins,
    xids,
    env,
    startup,
    checkpoint: () => {
      xlog.createCheckPoint(CHECKPOINT_FORCE | CHECKPOINT_IMMEDIATE, hooks);
    },
    flushWal: () => {
      const end = xlog.getInsertRecPtr();
      xlog.flush(end);
      return end;
    },
    close: () => {
      smgr.closeAll();
      xlog.close();
    },
  };
}

/** A relation file number per test index. */
let nextRelNumber = 20000;

/** An index relation whose main fork exists (created, empty). */
export function testIndex(inst: BtInstance, columns: IndexKeyColumn[], opts: { unique?: boolean; fillfactor?: number; name?: string; relNumber?: number } = {}): IndexRelation {
  const relNumber = opts.relNumber ?? nextRelNumber++;
  const locator: RelFileLocator = { spcOid: 1663, dbOid: 5, relNumber };
  if (!inst.smgr.exists(locator, ForkNumber.MAIN)) inst.smgr.create(locator, ForkNumber.MAIN, false);
  return makeIndexRelation({ oid: relNumber, name: opts.name ?? `idx_${relNumber}`, locator, columns, unique: opts.unique, fillfactor: opts.fillfactor });
}

export function intKey(name = 'a', extra: Partial<IndexKeyColumn> = {}): IndexKeyColumn {
  return { name, type: int4Type, ...extra };
}

export function textKey(name = 't', extra: Partial<IndexKeyColumn> = {}): IndexKeyColumn {
  return { name, type: textType, ...extra };
}

/** The state a fake heap row is in, as a unique check sees it. */
export type FakeRowState = 'live' | 'dead' | 'inserting' | 'deleting';

/**
 * A stand-in for a table: rows with index key values and a visibility
 * state, TIDs handed out 100 per block. It answers unique checks and
 * offers its rows to builds and to heapallindexed.
 */
export class FakeHeap implements UniqueCheckHeap {
  readonly rel = null;
  readonly rows = new Map<Tid, { values: IndexValue[]; state: FakeRowState; xid: number }>();
  private n = 0;
  waits: number[] = [];
  /** What waitForXact does: by default the waited-for transaction "commits" its insert. */
  onWait: (xid: number) => void = (xid) => {
    for (const r of this.rows.values()) {
      if (r.xid === xid && r.state === 'inserting') r.state = 'live';
      if (r.xid === xid && r.state === 'deleting') r.state = 'dead';
    }
  };

  nextTid(): Tid {
    const i = this.n++;
    return makeTid(Math.floor(i / 100), (i % 100) + 1);
  }

  add(values: IndexValue[], state: FakeRowState = 'live', xid = 0): Tid {
    const tid = this.nextTid();
    this.rows.set(tid, { values, state, xid });
    return tid;
  }

  fetchDirty(tid: Tid): DirtyFetch {
    const r = this.rows.get(tid);
    if (r === undefined || r.state === 'dead') return { found: false, xwait: 0, speculativeToken: 0, allDead: true };
    if (r.state === 'inserting' || r.state === 'deleting') return { found: true, xwait: r.xid, speculativeToken: 0, allDead: false };
    return { found: true, xwait: 0, speculativeToken: 0, allDead: false };
  }

  waitForXact(xid: number): void {
    this.waits.push(xid);
    this.onWait(xid);
  }

  /** table_index_build_scan over the rows that are not dead. */
  readonly scan: IndexBuildScan = (cb) => {
    for (const [tid, r] of this.rows) if (r.state !== 'dead') cb(tid, r.values, r.state === 'live');
  };
}

/**
 * The rows the concurrent test's VACUUM worker treats as dead: every key
 * in the lowest third (so whole pages empty out and are deleted while other
 * backends insert into and scan them) and every seventh key elsewhere.
 */
export function concurrentRowIsDead(k: number, keys: number): boolean {
  return k < keys / 3 || k % 7 === 0;
}

/** The keys concurrent-test inserter `id` inserts, in the order it inserts them. */
export function concurrentInserterKeys(id: number, workers: number, keys: number): number[] {
  const rng = new Prng(id * 7919 + 1);
  const mine: number[] = [];
  for (let k = id; k < keys; k += workers) mine.push(k);
  for (let i = mine.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [mine[i], mine[j]] = [mine[j], mine[i]];
  }
  return mine;
}
