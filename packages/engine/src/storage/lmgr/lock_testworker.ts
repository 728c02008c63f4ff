/*
 * lock_testworker.ts — a backend in a worker thread for
 * lock_concurrent.test.ts: attaches to the shared segment (proc array and
 * lock table) and runs the lock commands the test sends, one at a time, in
 * order. A command that waits for a lock blocks the worker until it is
 * granted or fails, exactly as a backend would; its reply says which.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { Prng } from '@tabgres/opfs-storage';
import { PgError } from '../../utils/errors.ts';
import { Shmem } from '../ipc/shmem.ts';
import { LOCK_CONFLICTS, LockMode, LockTag, lockbit, MAX_LOCKMODES } from './lockdefs.ts';
import { xactLockTableInsert } from './lmgr.ts';
import { attachLockBackend, TEST_DB } from './lock_testutil.ts';

export interface LockWorkerData {
  sab: SharedArrayBuffer;
  pid: number;
  deadlockTimeoutMs: number;
  lockTimeoutMs: number;
  /** Int32 [0]: a counter each grant of an 'acquire' takes a number from (grant order). */
  sequence: SharedArrayBuffer;
}

export type TagSpec = { kind: 'rel'; oid: number } | { kind: 'xid'; xid: number } | { kind: 'advisory'; key: string };

export type LockCommand =
  | { op: 'acquire'; tag: TagSpec; mode: number; session?: boolean; dontWait?: boolean }
  | { op: 'release'; tag: TagSpec; mode: number; session?: boolean }
  | { op: 'endXact' }
  | { op: 'setXid'; xid: number }
  | { op: 'xactLock'; xid: number }
  | { op: 'stress'; iterations: number; seed: number; rels: number; holders: SharedArrayBuffer }
  | { op: 'detach' };

export type LockReply =
  | { ok: true; result: number; seq: number; waitedMs: number; procno: number }
  | { ok: false; code: string; message: string; detail: string | undefined; hint: string | undefined };

function isWorkerData(v: unknown): v is LockWorkerData {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  return d.sab instanceof SharedArrayBuffer && typeof d.pid === 'number' && d.sequence instanceof SharedArrayBuffer;
}

function isCommand(v: unknown): v is LockCommand {
  return typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).op === 'string';
}

if (!isWorkerData(workerData) || parentPort === null) throw new Error('lock_testworker: bad worker data');
const data = workerData;
const port = parentPort;
const b = attachLockBackend(Shmem.attach(data.sab), data.pid, { deadlockTimeoutMs: data.deadlockTimeoutMs, lockTimeoutMs: data.lockTimeoutMs });
const sequence = new Int32Array(data.sequence);
const tag = new LockTag();

function setTag(t: TagSpec): LockTag {
  if (t.kind === 'rel') return tag.setRelation(TEST_DB, t.oid);
  if (t.kind === 'xid') return tag.setTransaction(t.xid);
  return tag.setAdvisoryInt64(TEST_DB, BigInt(t.key));
}

function run(cmd: LockCommand): number {
  switch (cmd.op) {
    case 'acquire':
      return b.lm.lockAcquire(setTag(cmd.tag), cmd.mode, cmd.session ?? false, cmd.dontWait ?? false);
    case 'release':
      return b.lm.lockRelease(setTag(cmd.tag), cmd.mode, cmd.session ?? false) ? 1 : 0;
    case 'endXact':
      b.lm.atEOXact(false);
      return 0;
    case 'setXid':
      b.setXid(cmd.xid);
      return 0;
    case 'xactLock':
      xactLockTableInsert(b.lm, cmd.xid);
      return 0;
    case 'stress':
      return stress(cmd.iterations, cmd.seed, cmd.rels, new Int32Array(cmd.holders));
    case 'detach':
      b.detach();
      return 0;
  }
}

const STRESS_MODES = [LockMode.AccessShare, LockMode.RowExclusive, LockMode.Share, LockMode.Exclusive, LockMode.AccessExclusive];

/**
 * Transactions that each lock two or three random tables of `rels`, in
 * random order and modes (so lock-order inversions and deadlocks happen),
 * and, while holding them, check in `holders` (MAX_LOCKMODES counters per
 * table: backends holding each mode) that no other backend holds a
 * conflicting mode. A deadlock victim ends its transaction and goes on.
 * Returns deadlocks * 1_000_000 + violations.
 */
function stress(iterations: number, seed: number, rels: number, holders: Int32Array): number {
  const rng = new Prng(seed);
  let deadlocks = 0;
  let violations = 0;
  const picked: number[] = [];
  const modes: number[] = [];
  for (let i = 0; i < iterations; i++) {
    b.setXid(data.pid * 100_000 + i + 1);
    picked.length = 0;
    modes.length = 0;
    const n = 2 + rng.int(2);
    while (picked.length < n) {
      const r = rng.int(rels);
      if (!picked.includes(r)) picked.push(r);
    }
    try {
      for (const r of picked) {
        const mode = STRESS_MODES[rng.int(STRESS_MODES.length)];
        b.lm.lockAcquire(tag.setRelation(TEST_DB, 500 + r), mode);
        modes.push(mode);
        Atomics.add(holders, r * MAX_LOCKMODES + mode, 1);
        for (let m = 1; m < MAX_LOCKMODES; m++) {
          if ((LOCK_CONFLICTS[mode] & lockbit(m)) !== 0 && Atomics.load(holders, r * MAX_LOCKMODES + m) > (m === mode ? 1 : 0)) violations++;
        }
      }
    } catch (e) {
      if (!(e instanceof PgError) || e.code !== '40P01') throw e;
      deadlocks++;
    }
    for (let k = 0; k < modes.length; k++) Atomics.sub(holders, picked[k] * MAX_LOCKMODES + modes[k], 1);
    b.lm.atEOXact(false);
  }
  b.setXid(0);
  return deadlocks * 1_000_000 + violations;
}

port.on('message', (m: unknown) => {
  if (!isCommand(m)) throw new Error('lock_testworker: bad command');
  const start = performance.now();
  let reply: LockReply;
  try {
    const result = run(m);
    const seq = m.op === 'acquire' ? Atomics.add(sequence, 0, 1) + 1 : 0;
    reply = { ok: true, result, seq, waitedMs: performance.now() - start, procno: b.procno };
  } catch (e) {
    if (!(e instanceof PgError)) throw e;
    reply = { ok: false, code: e.code, message: e.message, detail: e.detail, hint: e.hint };
  }
  port.postMessage(reply);
  if (m.op === 'detach') port.close();
});
port.postMessage({ ok: true, result: 0, seq: 0, waitedMs: 0, procno: b.procno } satisfies LockReply);
