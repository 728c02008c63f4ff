/*
 * nbtvacstate.ts — the shared table of running B-tree VACUUMs and their
 * cycle ids (PostgreSQL's BtreeVacuumShmem in nbtutils.c: _bt_start_vacuum,
 * _bt_end_vacuum, _bt_vacuum_cycleid, BTreeShmemSize, BTreeShmemInit).
 *
 * Exports: btVacuumShmemSize, SharedVacuumCycles.
 *
 * A page split stamps both halves with the cycle id of the VACUUM running
 * on the index, if any, so that VACUUM can tell that entries moved behind
 * its scan (nbtvacuum.ts). Every backend must therefore see the same table:
 * it lives in shared memory, one region made by the postmaster:
 *
 *   word 0   LWLock BtreeVacuumLock: guards every other word
 *   word 1   cycle_ctr: the last cycle id handed out
 *   word 2   num_vacuums: slots in use
 *   word 3+4i .. 6+4i   slot i: spcOid, dbOid, relNumber, cycleid
 *
 * Slots are kept packed (0 .. num_vacuums - 1). MAX_BACKENDS slots: each
 * backend runs at most one VACUUM at a time. LocalVacuumCycles (nbtenv.ts)
 * is the same thing for one backend alone.
 */

import { MAX_BACKENDS } from '../../constants.ts';
import type { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockMode, type LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { PgError, SQLSTATE } from '../../utils/errors.ts';
import type { IndexRelation } from './indexrel.ts';
import type { BtVacuumCycles } from './nbtenv.ts';
import { MAX_BT_CYCLE_ID } from './nbtree_constants.ts';

const REGION = 'Btree Vacuum State';
const W_LOCK = 0;
const W_CTR = 1;
const W_NUM = 2;
const W_SLOTS = 3;
const SLOT_WORDS = 4;
const SLOTS = MAX_BACKENDS;
const WORDS = W_SLOTS + SLOTS * SLOT_WORDS;

/** BTreeShmemSize: adds the table to a shared-memory size estimate. */
export function btVacuumShmemSize(sizer: ShmemSizer): void {
  sizer.add(WORDS * 4);
}

/** BtVacuumCycles over the shared table; construct one per backend (the first creates the region). */
export class SharedVacuumCycles implements BtVacuumCycles {
  private readonly w: Int32Array;
  private readonly base: number;
  private readonly lw: LWLockOwner;

  constructor(shmem: Shmem, lw: LWLockOwner) {
    const region = shmem.initStruct(REGION, WORDS * 4);
    this.w = shmem.i32;
    this.base = region.offset >> 2;
    this.lw = lw;
  }

  private find(index: IndexRelation): number {
    const w = this.w;
    const l = index.locator;
    const n = w[this.base + W_NUM];
    for (let i = 0; i < n; i++) {
      const s = this.base + W_SLOTS + i * SLOT_WORDS;
      if (w[s + 2] === (l.relNumber | 0) && w[s + 1] === (l.dbOid | 0) && w[s] === (l.spcOid | 0)) return i;
    }
    return -1;
  }

  /** _bt_start_vacuum. */
  start(index: IndexRelation): number {
    const lock = this.base + W_LOCK;
    this.lw.acquire(lock, LWLockMode.Exclusive);
    try {
      const w = this.w;
      let id = w[this.base + W_CTR] + 1;
      if (id <= 0 || id > MAX_BT_CYCLE_ID) id = 1;
      w[this.base + W_CTR] = id;
      if (this.find(index) >= 0) throw new PgError(SQLSTATE.internal_error, `multiple active vacuums for index "${index.name}"`);
      const n = w[this.base + W_NUM];
      if (n >= SLOTS) throw new PgError(SQLSTATE.internal_error, 'out of btvacinfo slots');
      const s = this.base + W_SLOTS + n * SLOT_WORDS;
      w[s] = index.locator.spcOid;
      w[s + 1] = index.locator.dbOid;
      w[s + 2] = index.locator.relNumber;
      w[s + 3] = id;
      w[this.base + W_NUM] = n + 1;
      return id;
    } finally {
      this.lw.release(lock);
    }
  }

  /** _bt_end_vacuum: also called at abort, so a missing entry is not an error. */
  end(index: IndexRelation): void {
    const lock = this.base + W_LOCK;
    this.lw.acquire(lock, LWLockMode.Exclusive);
    try {
      const i = this.find(index);
      if (i < 0) return;
      const w = this.w;
      const last = w[this.base + W_NUM] - 1;
      const from = this.base + W_SLOTS + last * SLOT_WORDS;
      const to = this.base + W_SLOTS + i * SLOT_WORDS;
      for (let k = 0; k < SLOT_WORDS; k++) w[to + k] = w[from + k];
      w[this.base + W_NUM] = last;
    } finally {
      this.lw.release(lock);
    }
  }

  /** _bt_vacuum_cycleid: 0 when no VACUUM of the index is running. */
  current(index: IndexRelation): number {
    const lock = this.base + W_LOCK;
    // Without a VACUUM anywhere there is nothing to look up. Reading the count without the
    // lock is safe: a VACUUM that registers after this read has not yet passed the split's
    // new right page, which the splitting backend holds locked, so it will see the moved
    // entries there.
    if (Atomics.load(this.w, this.base + W_NUM) === 0) return 0;
    this.lw.acquire(lock, LWLockMode.Shared);
    try {
      const i = this.find(index);
      return i < 0 ? 0 : this.w[this.base + W_SLOTS + i * SLOT_WORDS + 3];
    } finally {
      this.lw.release(lock);
    }
  }
}
