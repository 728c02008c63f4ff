/*
 * nbtenv.ts — what the B-tree needs from the rest of the backend, as narrow
 * interfaces (like access/heap/heapam_env.ts), so the access method depends
 * on contracts rather than on the transaction manager's classes.
 *
 * Exports: BtWal, BtXidHorizon, BtVacuumCycles, LocalVacuumCycles, BtEnv,
 *          UniqueCheckHeap, DirtyFetch, UniqueCheckMode.
 */

import type { BufferManager } from '../../storage/buffer/bufmgr.ts';
import type { FreeSpaceMap } from '../../storage/freespace/freespace.ts';
import type { Tid } from '../common/itemptr.ts';
import type { Relation } from '../heap/relation.ts';
import type { IndexRelation } from './indexrel.ts';
import { MAX_BT_CYCLE_ID } from './nbtree_constants.ts';

/**
 * WAL insertion, shaped exactly like access/transam/xloginsert.ts's
 * XLogInsertState, which can be passed as it is.
 */
export interface BtWal {
  beginInsert(): void;
  registerData(bytes: Uint8Array, start?: number, len?: number): void;
  registerBuffer(blockId: number, buffer: number, flags: number): void;
  registerBufData(blockId: number, bytes: Uint8Array, start?: number, len?: number): void;
  /** XLogInsert: returns the record's end LSN, to be set on every changed page before unlocking it. */
  insert(rmid: number, info: number): number;
  /** log_newpage_buffer: a full image of a page built without other WAL (the bottom-up build). */
  logNewPage(buffer: number, pageStd: boolean): number;
}

/**
 * The transaction horizon that decides when a deleted page can be reused
 * (nbtree README, "Placing deleted pages in the FSM").
 */
export interface BtXidHorizon {
  /** ReadNextFullTransactionId: stamped on a page as it is deleted (its safexid). */
  readNextFullXid(): number;
  /**
   * GlobalVisCheckRemovableFullXid: true when every transaction that could
   * have seen a link to a page deleted at `fxid` has ended, so no scan can
   * still land on it.
   */
  isRemovableFullXid(fxid: number): boolean;
}

/**
 * VACUUM cycle ids (PostgreSQL's BtreeVacuumShmem): while a VACUUM of an
 * index runs, page splits stamp both halves with its cycle id, so VACUUM
 * can tell that tuples moved to a page it had already passed.
 * With several backends the table lives in shared memory
 * (nbtvacstate.ts SharedVacuumCycles); LocalVacuumCycles below is the
 * single-backend one.
 */
export interface BtVacuumCycles {
  /** _bt_start_vacuum: assigns a fresh cycle id to the index; error if one is running. */
  start(index: IndexRelation): number;
  /** _bt_end_vacuum. */
  end(index: IndexRelation): void;
  /** _bt_vacuum_cycleid: the running VACUUM's cycle id, 0 if none. */
  current(index: IndexRelation): number;
}

/** An in-process BtVacuumCycles: enough while every backend is one thread. */
export class LocalVacuumCycles implements BtVacuumCycles {
  private readonly running = new Map<string, number>();
  private next = 1;

  private static key(index: IndexRelation): string {
    const l = index.locator;
    return `${l.spcOid}/${l.dbOid}/${l.relNumber}`;
  }

  start(index: IndexRelation): number {
    const k = LocalVacuumCycles.key(index);
    if (this.running.has(k)) throw new Error(`multiple active vacuums for index "${index.name}"`);
    const id = this.next;
    this.next = id >= MAX_BT_CYCLE_ID ? 1 : id + 1;
    this.running.set(k, id);
    return id;
  }

  end(index: IndexRelation): void {
    this.running.delete(LocalVacuumCycles.key(index));
  }

  current(index: IndexRelation): number {
    return this.running.get(LocalVacuumCycles.key(index)) ?? 0;
  }
}

/** One backend's handles, passed to every B-tree routine. */
export interface BtEnv {
  readonly bufmgr: BufferManager;
  readonly wal: BtWal;
  /** Free pages of the index (recycled after deletion) are kept in its FSM fork. */
  readonly fsm: FreeSpaceMap;
  readonly xids: BtXidHorizon;
  readonly cycles: BtVacuumCycles;
  /**
   * SSI's B-tree hooks (storage/lmgr/predicate.ts): the rw-conflict check
   * of an insert into a leaf, and SIREAD page locks following a split or a
   * page deletion. Absent in harnesses without one.
   */
  readonly predicate?: BtPredicateHooks;
}

/** What the B-tree calls of serializable snapshot isolation (PredicateLockManager implements it). */
export interface BtPredicateHooks {
  /** CheckForSerializableConflictIn(rel, NULL, leaf): called with the leaf write-locked. */
  checkForSerializableConflictIn(relOid: number, tid: null, blkno: number): void;
  /** PredicateLockPageSplit: the right half gets the old page's SIREAD locks. */
  pageSplit(relOid: number, oldBlkno: number, newBlkno: number): void;
  /** PredicateLockPageCombine: a deleted leaf's SIREAD locks move to its right sibling. */
  pageCombine(relOid: number, oldBlkno: number, newBlkno: number): void;
}

/** IndexUniqueCheck (genam.h). */
export type UniqueCheckMode =
  /** Not a unique index, or the check is skipped. */
  | 'no'
  /** Check now; raise 23505 on a conflict. */
  | 'yes'
  /** Deferred constraint: insert anyway and report whether a conflict is possible. */
  | 'partial'
  /** Recheck of an existing entry (deferred constraint trigger): insert nothing. */
  | 'existing';

/** What table_index_fetch_tuple_check with SnapshotDirty tells about one TID. */
export interface DirtyFetch {
  /** Some version of the row (its HOT chain) is live or being inserted/deleted. */
  found: boolean;
  /** When found: the XID of an in-progress inserter or deleter to wait for, else 0. */
  xwait: number;
  /**
   * When xwait is an inserter whose insertion is speculative (ON CONFLICT):
   * its speculative token, to wait on instead of the whole transaction
   * (SnapshotDirty.speculativeToken); else 0.
   */
  speculativeToken: number;
  /** Every version is dead to every transaction: the index entry can be marked LP_DEAD. */
  allDead: boolean;
}

/** What a unique check needs from the table (the heap relation passed to aminsert). */
export interface UniqueCheckHeap {
  /** The table, for the error's table name; null if not known. */
  readonly rel: Relation | null;
  /** table_index_fetch_tuple_check(heapRel, tid, SnapshotDirty). */
  fetchDirty(tid: Tid): DirtyFetch;
  /**
   * XactLockTableWait, or SpeculativeInsertionWait when `speculativeToken`
   * is not 0: waits until the transaction ends (or its speculative
   * insertion is confirmed or super-deleted); the insert then checks again.
   * A harness without a lock manager cannot wait and raises 23505 instead.
   */
  waitForXact(xid: number, speculativeToken: number): void;
}
