/*
 * shmem_view.ts — the playground's read-only window on the instance's
 * shared memory, from the page's main thread (where the postmaster runs and
 * the SharedArrayBuffer lives too).
 *
 * It reads the same regions the backends use, through the engine's own
 * layout modules (buf_internals.ts for buffer descriptors, bufmgr.ts's
 * strategyWordsIndex for the clock hand, procarray.ts for the proc array
 * and the lock manager's per-proc words, backend_status.ts for
 * pg_stat_activity's slots), so there is one definition of every offset.
 *
 * Rules:
 *  1. Read only, and never a lock: Atomics loads (or plain loads of aligned
 *     32-bit words, which never tear). The main thread must not block
 *     (lwlock.ts rule 5), and a viewer must not change what it watches.
 *  2. A snapshot of many words is not consistent as a whole (a buffer may
 *     change between two descriptors' reads): fine for a picture refreshed
 *     many times a second, never for a decision.
 *  3. After a crash restart the postmaster makes a new segment: callers ask
 *     the postmaster for the current one at every refresh (attach() is
 *     cheap: it only looks regions up by name).
 */

import type { Shmem } from '@tabgres/engine';
import {
  BM_DIRTY, BM_IO_IN_PROGRESS, BM_TAG_VALID, BM_VALID, BUF_DESC_SIZE, BUF_DESC_WORDS, D_BLOCK, D_FORK, D_REL, D_STATE,
  bufStateGetRefcount, bufStateGetUsagecount,
} from '../../engine/src/storage/buffer/buf_internals.ts';
import { strategyWordsIndex } from '../../engine/src/storage/buffer/bufmgr.ts';
import { S_COMPLETE_PASSES, S_NEXT_VICTIM, S_NUM_ALLOCS } from '../../engine/src/storage/buffer/freelist.ts';
import { MAX_BACKENDS } from '../../engine/src/constants.ts';
import {
  PL_WAIT_STATUS, PROC_ARRAY_REGION, PROC_LOCK_WORDS, procArrayColumnOffset, procArrayLockWordsOffset,
} from '../../engine/src/storage/ipc/procarray.ts';
import { readBackendStatuses } from '../../engine/src/storage/ipc/backend_status.ts';
import { PROC_WAIT_STATUS_WAITING } from '../../engine/src/storage/lmgr/lock_table.ts';

/** One buffer descriptor as the grid draws it. */
export interface BufferCell {
  tagValid: boolean;
  valid: boolean;
  dirty: boolean;
  ioInProgress: boolean;
  refcount: number;
  usageCount: number;
  relNumber: number;
  forkNum: number;
  blockNum: number;
}

export interface BufferPoolSnapshot {
  nbuffers: number;
  /** The clock sweep's next victim (0-based buffer id). */
  clockHand: number;
  completePasses: number;
  numAllocs: number;
  cells: BufferCell[];
}

/** What the session panels show of one backend. */
export interface BackendActivity {
  pid: number;
  /** pg_stat_activity.state ('idle', 'active', 'idle in transaction', ...), or null. */
  state: string | null;
  /** Sleeping on a heavyweight lock (PGPROC waitStatus = waiting). */
  waitingForLock: boolean;
  xactStart: bigint | null;
}

function region(shmem: Shmem, name: string): { offset: number; size: number } {
  const r = shmem.lookup(name);
  if (r === undefined) throw new Error(`shared memory region "${name}" is missing`);
  return r;
}

/** The buffer pool: every descriptor's state word and tag, and the clock sweep's words. */
export function readBufferPool(shmem: Shmem): BufferPoolSnapshot {
  const desc = region(shmem, 'Buffer Descriptors');
  const lookup = region(shmem, 'Buffer Lookup Table');
  const nbuffers = desc.size / BUF_DESC_SIZE;
  const w = shmem.i32;
  const strategy = strategyWordsIndex(lookup.offset, nbuffers);
  const descBase = desc.offset >> 2;
  const cells: BufferCell[] = new Array(nbuffers);
  for (let id = 0; id < nbuffers; id++) {
    const d = descBase + id * BUF_DESC_WORDS;
    const state = Atomics.load(w, d + D_STATE);
    cells[id] = {
      tagValid: (state & BM_TAG_VALID) !== 0,
      valid: (state & BM_VALID) !== 0,
      dirty: (state & BM_DIRTY) !== 0,
      ioInProgress: (state & BM_IO_IN_PROGRESS) !== 0,
      refcount: bufStateGetRefcount(state),
      usageCount: bufStateGetUsagecount(state),
      relNumber: w[d + D_REL] >>> 0,
      forkNum: w[d + D_FORK],
      blockNum: w[d + D_BLOCK] >>> 0,
    };
  }
  return {
    nbuffers,
    clockHand: (Atomics.load(w, strategy + S_NEXT_VICTIM) >>> 0) % nbuffers,
    completePasses: Atomics.load(w, strategy + S_COMPLETE_PASSES),
    numAllocs: Atomics.load(w, strategy + S_NUM_ALLOCS),
    cells,
  };
}

/**
 * Each backend's state and lock wait, keyed by pid: the proc array gives
 * pid → procno, backend_status.ts the state, the lock manager's per-proc
 * words whether it sleeps on a lock.
 */
export function readBackendActivity(shmem: Shmem): Map<number, BackendActivity> {
  const pa = region(shmem, PROC_ARRAY_REGION).offset;
  const w = shmem.i32;
  const inUse = procArrayColumnOffset(pa, 'inUse') >> 2;
  const pids = procArrayColumnOffset(pa, 'pid') >> 2;
  const lockWords = procArrayLockWordsOffset(pa) >> 2;
  const statuses = new Map(readBackendStatuses(shmem).map((s) => [s.procno, s]));
  const out = new Map<number, BackendActivity>();
  for (let p = 0; p < MAX_BACKENDS; p++) {
    if (Atomics.load(w, inUse + p) === 0) continue;
    const pid = Atomics.load(w, pids + p);
    const st = statuses.get(p);
    out.set(pid, {
      pid,
      state: st?.state ?? null,
      waitingForLock: Atomics.load(w, lockWords + p * PROC_LOCK_WORDS + PL_WAIT_STATUS) === PROC_WAIT_STATUS_WAITING,
      xactStart: st?.xactStart ?? null,
    });
  }
  return out;
}
