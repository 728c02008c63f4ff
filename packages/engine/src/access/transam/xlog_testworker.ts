/*
 * xlog_testworker.ts — a backend in a worker thread for the concurrent WAL
 * test (xlog.concurrent.test.ts): attaches to the shared memory, inserts
 * records tagged with its id and a sequence number, flushes now and then
 * (group commit), and reports the end LSNs it got.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Shmem } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { XLog } from './xlog.ts';
import { putU32 } from './xlogdefs.ts';
import { XLogInsertState, type WalBufferAccess } from './xloginsert.ts';

interface Job {
  sab: SharedArrayBuffer;
  root: string;
  id: number;
  records: number;
  rmid: number;
}

function isJob(v: unknown): v is Job {
  if (typeof v !== 'object' || v === null) return false;
  const j = v as Record<string, unknown>;
  return j.sab instanceof SharedArrayBuffer && typeof j.root === 'string' && typeof j.id === 'number' && typeof j.records === 'number';
}

const noBuffers: WalBufferAccess = {
  getPage: () => {
    throw new Error('no buffers in this test');
  },
  getTag: () => {
    throw new Error('no buffers in this test');
  },
};

if (!isJob(workerData) || parentPort === null) throw new Error('xlog_testworker: bad job');
const job = workerData;
const shmem = Shmem.attach(job.sab);
const xlog = new XLog(shmem, new LWLockOwner(shmem.i32), new NodeDirectory(job.root));
const ins = new XLogInsertState(xlog, noBuffers);
const data = new Uint8Array(8 + (job.id % 3) * 700);
let last = 0;
let maxEnd = 0;
for (let i = 0; i < job.records; i++) {
  putU32(data, 0, job.id * 1_000_000 + i);
  putU32(data, 4, job.id);
  ins.beginInsert();
  ins.registerData(data);
  last = ins.insert(job.rmid, 0x10, job.id);
  if (last <= maxEnd) throw new Error('end LSNs of one backend must increase');
  maxEnd = last;
  if (i % 97 === 0) xlog.flush(last);
}
xlog.flush(last);
if (xlog.getFlushRecPtr() < last) throw new Error('flush did not reach the last record');
xlog.close();
parentPort.postMessage({ id: job.id, last });
