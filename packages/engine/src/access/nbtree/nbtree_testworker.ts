/*
 * nbtree_testworker.ts — a backend in a worker thread for the concurrent
 * B-tree test (nbtree_concurrent.test.ts): attaches to the shared memory
 * (buffer pool and WAL), opens the same index, and inserts, scans or
 * vacuums while the other workers do the same.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { NodeDirectory, Prng } from '@tabgres/opfs-storage';
import { BufferManager } from '../../storage/buffer/bufmgr.ts';
import { FreeSpaceMap } from '../../storage/freespace/freespace.ts';
import { Shmem } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { Smgr } from '../../storage/smgr/smgr.ts';
import { XLog } from '../transam/xlog.ts';
import { XLogInsertState } from '../transam/xloginsert.ts';
import { int4Type } from '../common/testtypes.ts';
import { btbeginscan, btbulkdelete, btinsert, makeIndexRelation, type BtEnv } from './nbtree.ts';
import { SharedVacuumCycles } from './nbtvacstate.ts';
import { concurrentInserterKeys, concurrentRowIsDead as isDead } from './nbtree_testutil.ts';

export interface WorkerJob {
  sab: SharedArrayBuffer;
  root: string;
  nbuffers: number;
  relNumber: number;
  role: 'insert' | 'scan' | 'vacuum';
  id: number;
  workers: number;
  keys: number;
  /** Int32 [0]: inserters still running; [1 + w]: keys inserter w has inserted so far ("committed"). */
  flags: SharedArrayBuffer;
}

function isJob(v: unknown): v is WorkerJob {
  if (typeof v !== 'object' || v === null) return false;
  const j = v as Record<string, unknown>;
  return j.sab instanceof SharedArrayBuffer && typeof j.root === 'string' && typeof j.role === 'string' && typeof j.id === 'number';
}

if (!isJob(workerData) || parentPort === null) throw new Error('nbtree_testworker: bad job');
const job = workerData;
const shmem = Shmem.attach(job.sab);
const lw = new LWLockOwner(shmem.i32);
const dir = new NodeDirectory(job.root);
const smgr = new Smgr(dir);
const bufmgr = new BufferManager(shmem, job.nbuffers, smgr, lw);
const xlog = new XLog(shmem, lw, dir);
bufmgr.setWal({ flush: (lsn) => xlog.flush(lsn), getRedoRecPtr: () => xlog.getRedoRecPtr() });
const env: BtEnv = {
  bufmgr,
  wal: new XLogInsertState(xlog, bufmgr),
  fsm: new FreeSpaceMap(bufmgr),
  // Deleted pages are never recycled during the test: a concurrent scan may still be on its way to one.
  xids: { readNextFullXid: () => 1000, isRemovableFullXid: () => false },
  cycles: new SharedVacuumCycles(shmem, lw),
};
const idx = makeIndexRelation({
  oid: job.relNumber,
  name: 'concurrent_idx',
  locator: { spcOid: 1663, dbOid: 5, relNumber: job.relNumber },
  columns: [{ name: 'k', type: int4Type }],
});
const flags = new Int32Array(job.flags);
const running = (): number => Atomics.load(flags, 0);
const rng = new Prng(job.id * 7919);
let result: Record<string, number> = {};

if (job.role === 'insert') {
  // Keys k with k % workers == id, in a random order the scanner can reproduce; the heap TID is k + 1.
  const mine = concurrentInserterKeys(job.id, job.workers, job.keys);
  for (let i = 0; i < mine.length; i++) {
    btinsert(idx, env, [mine[i]], null, mine[i] + 1, null);
    Atomics.store(flags, 1 + job.id, i + 1); // "commit": scans that start from now on must see it
  }
  Atomics.sub(flags, 0, 1);
  result = { inserted: mine.length };
} else if (job.role === 'scan') {
  // Like an MVCC snapshot: a scan must return, in order and once each, every entry committed before
  // it started (unless VACUUM removed it); entries inserted meanwhile may or may not appear, anywhere.
  const position = new Int32Array(job.keys);
  for (let w = 0; w < job.workers; w++) concurrentInserterKeys(w, job.workers, job.keys).forEach((k, i) => (position[k] = i));
  const committed = new Int32Array(job.workers);
  let scans = 0;
  let entries = 0;
  while (running() > 0 || scans < 3) {
    for (let w = 0; w < job.workers; w++) committed[w] = Atomics.load(flags, 1 + w);
    const visible = (k: number): boolean => position[k] < committed[k % job.workers];
    const backward = scans % 2 === 1;
    const lo = scans % 3 === 0 ? 0 : rng.int(job.keys);
    const hi = scans % 3 === 0 ? job.keys : lo + 20_000;
    const keys = scans % 3 === 0 ? [] : [{ attno: 1, op: '>=' as const, arg: lo }, { attno: 1, op: '<' as const, arg: hi }];
    const s = btbeginscan(idx, env, keys, { direction: backward ? 'backward' : 'forward' });
    let prev = backward ? Infinity : -Infinity;
    const seen = new Set<number>();
    while (s.next()) {
      const k = s.heapTid - 1;
      if (seen.has(k)) throw new Error(`scan ${scans} (${backward ? 'backward' : 'forward'}) returned ${k} twice`);
      seen.add(k);
      entries++;
      if (!visible(k)) continue;
      if (backward ? k >= prev : k <= prev) throw new Error(`scan ${scans} (${backward ? 'backward' : 'forward'}) returned ${k} after ${prev}`);
      prev = k;
    }
    s.end();
    for (let k = lo; k < Math.min(hi, job.keys); k++) {
      if (visible(k) && !isDead(k, job.keys) && !seen.has(k)) throw new Error(`scan ${scans} (${backward ? 'backward' : 'forward'}) missed committed key ${k}`);
    }
    scans++;
  }
  result = { scans, entries };
} else {
  let passes = 0;
  let removed = 0;
  let deleted = 0;
  while (running() > 0) {
    // "Dead" rows: every key in the lowest third (so whole pages empty out and are deleted while
    // others insert into and scan them) and every seventh key elsewhere.
    const stats = btbulkdelete(idx, env, (tid) => isDead(tid - 1, job.keys));
    removed += stats.tuplesRemoved;
    deleted += stats.pagesNewlyDeleted;
    passes++;
  }
  result = { passes, removed, deleted };
}
if (bufmgr.pinnedBufferCount() !== 0) throw new Error(`worker ${job.id} leaked buffer pins`);
xlog.flush(xlog.getInsertRecPtr());
xlog.close();
smgr.closeAll();
parentPort.postMessage(result);
