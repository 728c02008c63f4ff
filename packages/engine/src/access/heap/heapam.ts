/*
 * heapam.ts — the heap access method: insert, delete, update and fetch of
 * tuples on heap pages (PostgreSQL's heapam.c). Scans are in heapscan.ts,
 * pruning in pruneheap.ts, VACUUM in vacuumlazy.ts, TOAST in heaptoast.ts.
 *
 * Exports: HeapAM (insert, multiInsert, delete, update, lockTuple, fetch, fetchValues,
 *          finishSpeculative, abortSpeculative),
 *          HeapModifyResult, HeapLockResult, xmaxLockMode, lockModesConflict,
 *          computeInfobits, datumImageEqual.
 *
 * Row locks and waits (heap_lock_tuple, README.tuplock): a lock is xmax :=
 * the locker's XID with HEAP_XMAX_LOCK_ONLY and the mode's bits (FOR UPDATE
 * also HEAP_KEYS_UPDATED), WAL-logged as XLOG_HEAP_LOCK; compatible lockers
 * share a MultiXactId (access/transam/multixact.ts) with HEAP_XMAX_IS_MULTI.
 * update, delete and lockTuple that find the row held by a running
 * transaction release the page, take the heavyweight tuple lock (waiters
 * queue in order), sleep on the holder's XID (each running member of a
 * MultiXactId), and look at the tuple again: it may now be theirs to
 * change, or updated / deleted by a committed transaction (TM_Updated /
 * TM_Deleted: the executor decides, EvalPlanQual or 40001). My own lock
 * never stops my own update. An UPDATE that changes no key column (a
 * column of a unique index: heap_update compares them on the locked old
 * version) takes NO KEY EXCLUSIVE, which FOR KEY SHARE lockers do not
 * stop: the old version's xmax becomes a MultiXactId of those lockers and
 * me as its updater (MultiXactStatusNoKeyUpdate, compute_new_xmax_infomask),
 * and the new version carries the lockers on (KEY SHARE, lock only), so a
 * later key change or delete still waits for them. A writer waits for
 * every other running member of a MultiXactId it conflicts with some of
 * (PostgreSQL waits only for the conflicting ones). Not done: FOR KEY
 * SHARE on a row whose non-key update is in progress waits for the
 * updater (PostgreSQL joins it in a MultiXactId and locks the successor
 * versions too, heap_lock_updated_tuple).
 *
 * Rules (PostgreSQL's README.HOT and heapam.c):
 *  1. Every change to a heap page happens under the page's exclusive content
 *     lock, marks the buffer dirty, inserts its WAL record, and sets the page
 *     LSN to the record's end before the lock is released (the WAL record is
 *     inserted after the change is made in the buffer, as XLogInsert wants).
 *  2. A change that may make the page not all-visible clears PD_ALL_VISIBLE and
 *     the visibility-map bits in the same critical section, and says so in
 *     its WAL record (visibilitymap.ts rule 2).
 *  3. An UPDATE is HOT (heap-only tuple) when the new version fits on the same
 *     page and no indexed column changed: the old version gets
 *     HEAP_HOT_UPDATED, the new one HEAP_ONLY_TUPLE, and indexes are not
 *     touched; pruning later collapses the chain (pruneheap.ts).
 *  4. t_ctid of the newest version points to itself; an updated version's
 *     t_ctid points to its successor.
 *  5. Two heap pages are locked in block-number order (hio.ts rule 1).
 */

import {
  BLCKSZ, HEAP_MULTI_INSERT_MAX_TUPLES, MAX_HEAP_TUPLE_SIZE, MAX_HEAP_TUPLES_PER_PAGE, TOAST_TUPLE_THRESHOLD, maxAlign,
} from '../../constants.ts';
import { BUFFER_LOCK_EXCLUSIVE, BUFFER_LOCK_SHARE, BUFFER_LOCK_UNLOCK } from '../../storage/buffer/buf_internals.ts';
import {
  itemIdGet, itemIdGetFlags, itemIdGetLength, itemIdGetOffset, LP_NORMAL, pageAddItem, pageClearAllVisible,
  pageGetHeapFreeSpace, pageGetMaxOffsetNumber, pageGetPrunXid, pageIsAllVisible, pageSetLSN, pageSetPrunXid,
} from '../../storage/page/bufpage.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import { Assert, PgError, SQLSTATE, elog } from '../../utils/errors.ts';
import { heapDeformTuple, heapFormTuple, heapGetAttr, type TupleValue } from '../common/heaptuple.ts';
import { isRawVarlena } from '../common/varlena.ts';
import type { Interval } from '../../utils/adt/datum.ts';
import {
  HEAP_COMBOCID, HEAP_HOT_UPDATED, HEAP_KEYS_UPDATED, HEAP_ONLY_TUPLE, HEAP_UPDATED, HEAP_XACT_MASK, HEAP2_XACT_MASK,
  HEAP_XMAX_COMMITTED, HEAP_XMAX_EXCL_LOCK, HEAP_XMAX_INVALID, HEAP_XMAX_IS_MULTI, HEAP_XMAX_KEYSHR_LOCK, HEAP_XMAX_LOCK_ONLY,
  HEAP_XMAX_SHR_LOCK, HEAP_LOCK_MASK, HEAP_XMAX_BITS, htupGetXmin, htupIsSpeculative, htupSetSpeculativeToken,
  T_CID, T_HOFF, T_INFOMASK, T_INFOMASK2, htupGetCtidBlock, htupGetCtidOffset, htupGetInfomask,
  htupGetInfomask2, htupGetXmax, htupSetCid, htupSetCtid, htupSetInfomask, htupSetInfomask2, htupSetXmax, htupSetXmin,
  xmaxIsKeyShrLocked, xmaxIsLockedOnly, xmaxIsShrLocked,
} from '../common/htup_details.ts';
import {
  conditionalLockTuple, conditionalXactLockTableWait, lockTuple as lmgrLockTuple, rowLockNotAvailable, unlockTuple, xactLockTableWait,
} from '../../storage/lmgr/lmgr.ts';
import { LockMode } from '../../storage/lmgr/lockdefs.ts';
import { makeTid, tidBlock, tidOffset, type Tid } from '../common/itemptr.ts';
import { RM_HEAP2_ID, RM_HEAP_ID } from '../transam/rmgr.ts';
import { transactionIdPrecedes } from '../transam/transam.ts';
import { REGBUF_STANDARD, REGBUF_WILL_INIT } from '../transam/xloginsert.ts';
import type { HeapEnv, HeapSnapshot } from './heapam_env.ts';
import { LockTupleMode, LockWaitPolicy, TM_Result } from './heapam_env.ts';
import {
  SIZE_OF_HEAP_CONFIRM, XLH_DELETE_IS_SUPER, XLH_INSERT_IS_SPECULATIVE, XLOG_HEAP_CONFIRM,
  SIZE_OF_HEAP_DELETE, SIZE_OF_HEAP_HEADER, SIZE_OF_HEAP_LOCK, XLOG_HEAP_LOCK, SIZE_OF_HEAP_INSERT, SIZE_OF_HEAP_MULTI_INSERT, SIZE_OF_HEAP_UPDATE,
  SIZE_OF_MULTI_INSERT_TUPLE, XLH_DELETE_ALL_VISIBLE_CLEARED, XLH_INSERT_ALL_VISIBLE_CLEARED, XLH_UPDATE_NEW_ALL_VISIBLE_CLEARED,
  XLH_UPDATE_OLD_ALL_VISIBLE_CLEARED, XLOG_HEAP_DELETE, XLOG_HEAP_HOT_UPDATE, XLOG_HEAP_INIT_PAGE, XLOG_HEAP_INSERT,
  XLOG_HEAP_UPDATE, XLOG_HEAP2_MULTI_INSERT, putU16, putU32, shortAlign,
} from './heapam_xlog.ts';
import { HeapPageChooser, type BulkInsertState } from './hio.ts';
import type { Relation } from './relation.ts';
import { HeapToaster } from './heaptoast.ts';
import { heapPagePruneOpt } from './pruneheap.ts';

/** Outcome of heap_update / heap_delete when it is not TM_Ok. */
export interface HeapModifyResult {
  result: TM_Result;
  /** For TM_Updated: the successor version's TID (for EvalPlanQual); else the tuple's own. */
  ctid: Tid;
  /** The XID that modified the tuple (xmax), for waiting on it. */
  xmax: number;
  /** xmax is a MultiXactId (lockers, perhaps an updater): TM_BeingModified waits for its conflicting running members. */
  isMulti?: boolean;
  /** The new version's TID (UPDATE, TM_Ok). */
  newTid: Tid;
  /** UPDATE, TM_Ok: the new version is heap-only (HOT), so no index needs a new entry. */
  hot: boolean;
}

/** Outcome of heap_lock_tuple. */
export interface HeapLockResult {
  result: TM_Result;
  /** TM_Updated: the successor version's TID; else the tuple's own. */
  ctid: Tid;
  /** The XID found in xmax (the updater, for TM_Updated / TM_Deleted). */
  xmax: number;
  /** TM_Ok: the locked version's values (not detoasted). */
  values: (TupleValue | null)[] | null;
}

/**
 * The strength a single-XID xmax stands for: a locker's from its lock bits
 * (FOR UPDATE also sets HEAP_KEYS_UPDATED), an updater's EXCLUSIVE when it
 * deleted the row or changed a key, else NO KEY EXCLUSIVE
 * (get_mxact_status_for_lock / the single-XID case of heap_lock_tuple).
 */
export function xmaxLockMode(infomask: number, infomask2: number): LockTupleMode {
  if (xmaxIsLockedOnly(infomask)) {
    if (xmaxIsShrLocked(infomask)) return LockTupleMode.Share;
    if (xmaxIsKeyShrLocked(infomask)) return LockTupleMode.KeyShare;
  }
  return (infomask2 & HEAP_KEYS_UPDATED) !== 0 ? LockTupleMode.Exclusive : LockTupleMode.NoKeyExclusive;
}

/**
 * DoLockModesConflict for tuple lock modes (README.tuplock's table). With
 * the modes numbered 0..3 weakest first, two conflict exactly when their
 * numbers add up to 3 or more: KEY SHARE only with EXCLUSIVE, SHARE with
 * SHARE not, NO KEY EXCLUSIVE with itself.
 */
export function lockModesConflict(a: LockTupleMode, b: LockTupleMode): boolean {
  return a + b >= 3;
}

/** The infomask / infomask2 lock bits a single-XID locker of `mode` sets (compute_new_xmax_infomask). */
function lockBits(mode: LockTupleMode): { infomask: number; keysUpdated: boolean } {
  switch (mode) {
    case LockTupleMode.KeyShare: return { infomask: HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_KEYSHR_LOCK, keysUpdated: false };
    case LockTupleMode.Share: return { infomask: HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_SHR_LOCK, keysUpdated: false };
    case LockTupleMode.NoKeyExclusive: return { infomask: HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_EXCL_LOCK, keysUpdated: false };
    default: return { infomask: HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_EXCL_LOCK, keysUpdated: true };
  }
}

/** A MultiXact member's status for a lock of `mode` (tupleLockExtraInfo's lockstatus). */
function lockStatus(mode: LockTupleMode): number {
  return mode; // MultiXactStatus ForKeyShare..ForUpdate number the modes alike
}

/** The lock mode a member status stands for (an updater's counts as EXCLUSIVE / NO KEY EXCLUSIVE). */
function statusLockMode(status: number): LockTupleMode {
  return status <= 3 ? (status as LockTupleMode) : status === 4 ? LockTupleMode.NoKeyExclusive : LockTupleMode.Exclusive;
}

function multixactNotSupported(): never {
  throw new PgError(SQLSTATE.feature_not_supported, 'rows locked by several transactions at once (MultiXact) need the multixact module');
}

/** MultiXactStatusNoKeyUpdate / MultiXactStatusUpdate (multixact.ts). */
const MULTI_STATUS_NO_KEY_UPDATE = 4;
const MULTI_STATUS_UPDATE = 5;
const NO_LOCKERS: readonly { xid: number; status: number }[] = [];

/** tupleLockExtraInfo's heavyweight lock mode for each tuple lock mode. */
const TUPLE_LOCK_HW_MODE: readonly LockMode[] = [LockMode.AccessShare, LockMode.RowShare, LockMode.Exclusive, LockMode.AccessExclusive];

/** heap_prepare_insert's header part: the tuple is a new version made by this transaction and command. */
function prepareInsert(tup: Uint8Array, xid: number, cid: number): void {
  htupSetXmin(tup, 0, xid);
  htupSetXmax(tup, 0, 0);
  htupSetCid(tup, 0, cid);
  htupSetInfomask(tup, 0, (htupGetInfomask(tup, 0) & ~HEAP_XACT_MASK) | HEAP_XMAX_INVALID);
  htupSetInfomask2(tup, 0, htupGetInfomask2(tup, 0) & ~HEAP2_XACT_MASK);
}

const EMPTY_TUPLE = new Uint8Array(0);

/** xl_heap_header fields written into the WAL record scratch. */
function writeHeapHeader(dst: Uint8Array, o: number, page: Uint8Array, tup: number): void {
  putU16(dst, o, htupGetInfomask2(page, tup));
  putU16(dst, o + 2, htupGetInfomask(page, tup));
  dst[o + 4] = page[tup + T_HOFF];
}

/** compute_infobits: the xmax bits of infomask/infomask2 in a WAL record byte. */
export function computeInfobits(infomask: number, infomask2: number): number {
  return ((infomask & 0x1000) !== 0 ? 0x01 : 0) | ((infomask & 0x0080) !== 0 ? 0x02 : 0) | ((infomask & 0x0040) !== 0 ? 0x04 : 0) |
    ((infomask & 0x0010) !== 0 ? 0x08 : 0) | ((infomask2 & HEAP_KEYS_UPDATED) !== 0 ? 0x10 : 0);
}

export class HeapAM<S extends HeapSnapshot = HeapSnapshot> {
  readonly env: HeapEnv<S>;
  readonly chooser: HeapPageChooser;
  readonly toaster: HeapToaster<S>;
  private readonly rec = new Uint8Array(64);
  /** updateCheck's out-parameter: running lockers that stay beside my update (compute_new_xmax_infomask). */
  private keepLockers: readonly { xid: number; status: number }[] = NO_LOCKERS;
  /** updateCheck's out-parameter for TM_BeingModified on a MultiXactId: the running members to wait for. */
  private conflictingMembers: number[] = [];
  /** lockVersion's out-parameter: the next version to lock after one locked past its non-key updater. */
  private lockChainNext: { tid: Tid; updater: number } | null = null;
  /** updateOnce's lock strength (EXCLUSIVE, or NO KEY EXCLUSIVE when no key column changed). */
  private lastUpdateMode = LockTupleMode.Exclusive;
  /** formTransient's tuple (a tuple that needs no TOAST work is smaller than a page). */
  private readonly formScratch = new Uint8Array(BLCKSZ);
  /** multiInsert's formed tuples, its record's main data (offsets) and block data (a page's tuples at most). */
  private readonly multiTuples: Uint8Array[] = new Array<Uint8Array>(HEAP_MULTI_INSERT_MAX_TUPLES).fill(EMPTY_TUPLE);
  private readonly multiMain = new Uint8Array(SIZE_OF_HEAP_MULTI_INSERT + 2 * MAX_HEAP_TUPLES_PER_PAGE);
  private readonly multiData = new Uint8Array(BLCKSZ + MAX_HEAP_TUPLES_PER_PAGE * (SIZE_OF_MULTI_INSERT_TUPLE + 1));

  constructor(env: HeapEnv<S>) {
    this.env = env;
    this.chooser = new HeapPageChooser(env.bufmgr, env.fsm);
    this.toaster = new HeapToaster(this);
  }

  /** Forms the tuple for `values`, moving large values to TOAST when needed. */
  private formTuple(rel: Relation, values: readonly (TupleValue | null)[], oldValues: readonly (TupleValue | null)[] | null): Uint8Array {
    let tup = heapFormTuple(rel.desc, values);
    if (tup.length > TOAST_TUPLE_THRESHOLD || this.toaster.hasExternal(values)) {
      const toasted = this.toaster.toastValues(rel, values, oldValues, tup.length);
      if (toasted !== values) tup = heapFormTuple(rel.desc, toasted);
    }
    if (tup.length > MAX_HEAP_TUPLE_SIZE) {
      throw new PgError(SQLSTATE.program_limit_exceeded, `row is too big: size ${tup.length}, maximum size ${MAX_HEAP_TUPLE_SIZE}`);
    }
    return tup;
  }

  /**
   * heap_insert: stores a new tuple and returns its TID. `cid` is the
   * inserting command's id (GetCurrentCommandId(true)). A non-zero
   * `specToken` makes it a speculative insertion (HEAP_INSERT_SPECULATIVE,
   * INSERT ... ON CONFLICT): t_ctid holds the token instead of the tuple's
   * own TID until finishSpeculative or abortSpeculative (README.md,
   * "Speculative insertion").
   */
  insert(rel: Relation, values: readonly (TupleValue | null)[], cid: number, specToken = 0): Tid {
    return this.insertFormed(rel, this.formTransient(rel, values) ?? this.formTuple(rel, values, null), cid, null, specToken);
  }

  /**
   * The tuple for `values` formed into this backend's scratch, when it needs
   * no TOAST work (else null: formTuple's path). No array is allocated per
   * row; the result is valid until the next call, so the caller copies it
   * (onto the page) before anything else forms a tuple.
   */
  private formTransient(rel: Relation, values: readonly (TupleValue | null)[]): Uint8Array | null {
    const tup = heapFormTuple(rel.desc, values, this.formScratch);
    return tup.length > TOAST_TUPLE_THRESHOLD || this.toaster.hasExternal(values) ? null : tup;
  }

  /** heap_insert of an already formed tuple (TOAST chunk rows, tests). */
  insertFormed(rel: Relation, tup: Uint8Array, cid: number, bistate: BulkInsertState | null = null, specToken = 0): Tid {
    const { bufmgr, wal } = this.env;
    const xid = this.env.xact.getCurrentTransactionId();
    const len = tup.length;
    prepareInsert(tup, xid, cid);

    const { buffer, isNew } = this.chooser.getBufferForTuple(rel, len, 0, bistate);
    // SSI: a new row conflicts only with relation-level SIREAD locks (a seq scan's); checked with the page locked.
    this.env.predicate?.checkForSerializableConflictIn(rel.oid, null, null);
    const page = bufmgr.getPage(buffer);
    const block = bufmgr.getBlockNumber(buffer);
    const flags = this.clearAllVisible(page, rel, block, XLH_INSERT_ALL_VISIBLE_CLEARED);
    const off = pageAddItem(page, tup, 0, len, 0, false, true);
    if (off === 0) {
      bufmgr.unlockReleaseBuffer(buffer);
      elog(`failed to add tuple to page ${block} of relation "${rel.name}"`);
    }
    const at = itemIdGetOffset(itemIdGet(page, off));
    if (specToken !== 0) htupSetSpeculativeToken(page, at, specToken);
    else htupSetCtid(page, at, block, off);
    bufmgr.markBufferDirty(buffer);

    const init = isNew && off === 1;
    const rec = this.rec;
    putU16(rec, 0, off);
    rec[2] = flags | (specToken !== 0 ? XLH_INSERT_IS_SPECULATIVE : 0);
    writeHeapHeader(rec, 8, page, at);
    wal.beginInsert();
    wal.registerData(rec, 0, SIZE_OF_HEAP_INSERT);
    wal.registerBuffer(0, buffer, REGBUF_STANDARD | (init ? REGBUF_WILL_INIT : 0));
    wal.registerBufData(0, rec, 8, SIZE_OF_HEAP_HEADER);
    wal.registerBufData(0, page, at + 23, len - 23);
    const lsn = wal.insert(RM_HEAP_ID, XLOG_HEAP_INSERT | (init ? XLOG_HEAP_INIT_PAGE : 0), xid);
    pageSetLSN(page, lsn);
    bufmgr.unlockReleaseBuffer(buffer);
    return makeTid(block, off);
  }

  /**
   * heap_multi_insert: stores rows[0..n) and sets tids[i] to row i's TID.
   * Every tuple is formed (and TOASTed) first, with no heap page locked
   * (rule 8 of README.md); then each page is filled with as many of them as
   * fit, under one lock, and logged as one XLOG_HEAP2_MULTI_INSERT record,
   * where heap_insert costs a lock and a record per row. The fill-factor
   * reserve is kept as for a plain insert. `bistate` keeps the last page
   * pinned for the caller's next batch. Index entries are the caller's, row
   * by row, after this returns (as COPY does).
   */
  multiInsert(
    rel: Relation,
    rows: readonly (readonly (TupleValue | null)[])[],
    n: number,
    cid: number,
    tids: Tid[],
    bistate: BulkInsertState | null,
  ): void {
    if (n > rows.length || n > tids.length || n > HEAP_MULTI_INSERT_MAX_TUPLES) {
      elog(`heap_multi_insert of ${n} rows given ${rows.length} rows and ${tids.length} TID slots (at most ${HEAP_MULTI_INSERT_MAX_TUPLES})`);
    }
    const { bufmgr, wal } = this.env;
    const xid = this.env.xact.getCurrentTransactionId();
    const tups = this.multiTuples;
    for (let i = 0; i < n; i++) {
      const tup = this.formTuple(rel, rows[i], null);
      prepareInsert(tup, xid, cid);
      tups[i] = tup;
    }
    const saveFreeSpace = Math.floor((BLCKSZ * (100 - rel.fillfactor)) / 100);
    const main = this.multiMain;
    const data = this.multiData;
    try {
      let ndone = 0;
      while (ndone < n) {
        const { buffer, isNew } = this.chooser.getBufferForTuple(rel, tups[ndone].length, 0, bistate);
        // SSI: as heap_insert, per page, with the page locked (relation-level SIREAD locks only).
        this.env.predicate?.checkForSerializableConflictIn(rel.oid, null, null);
        const page = bufmgr.getPage(buffer);
        const block = bufmgr.getBlockNumber(buffer);
        const flags = this.clearAllVisible(page, rel, block, XLH_INSERT_ALL_VISIBLE_CLEARED);
        // The tuples that fit, each copied into the record's block data as it goes onto the page.
        let nthispage = 0;
        let firstOff = 0;
        let d = 0;
        while (ndone < n) {
          const tup = tups[ndone];
          const len = tup.length;
          if (nthispage > 0 && pageGetHeapFreeSpace(page) < maxAlign(len) + saveFreeSpace) break;
          const off = pageAddItem(page, tup, 0, len, 0, false, true);
          if (off === 0) {
            if (nthispage > 0) break;
            bufmgr.unlockReleaseBuffer(buffer);
            elog(`failed to add tuple to page ${block} of relation "${rel.name}"`);
          }
          const at = itemIdGetOffset(itemIdGet(page, off));
          htupSetCtid(page, at, block, off);
          if (nthispage === 0) firstOff = off;
          putU16(main, SIZE_OF_HEAP_MULTI_INSERT + 2 * nthispage, off);
          d = shortAlign(d);
          putU16(data, d, len - 23);
          writeHeapHeader(data, d + 2, page, at);
          data.set(page.subarray(at + 23, at + len), d + SIZE_OF_MULTI_INSERT_TUPLE);
          d += SIZE_OF_MULTI_INSERT_TUPLE + len - 23;
          tids[ndone] = makeTid(block, off);
          tups[ndone] = EMPTY_TUPLE;
          nthispage++;
          ndone++;
        }
        bufmgr.markBufferDirty(buffer);

        // A new page filled from offset 1 is rebuilt by redo, so the offsets need not be logged.
        const init = isNew && firstOff === 1;
        main[0] = flags;
        main[1] = 0;
        putU16(main, 2, nthispage);
        wal.beginInsert();
        wal.registerData(main, 0, SIZE_OF_HEAP_MULTI_INSERT + (init ? 0 : 2 * nthispage));
        wal.registerBuffer(0, buffer, REGBUF_STANDARD | (init ? REGBUF_WILL_INIT : 0));
        wal.registerBufData(0, data, 0, d);
        const lsn = wal.insert(RM_HEAP2_ID, XLOG_HEAP2_MULTI_INSERT | (init ? XLOG_HEAP_INIT_PAGE : 0), xid);
        pageSetLSN(page, lsn);
        bufmgr.unlockReleaseBuffer(buffer);
      }
    } finally {
      tups.fill(EMPTY_TUPLE, 0, n);
    }
  }

  /**
   * heap_finish_speculative: the speculative insertion at `tid` met no
   * conflict; its t_ctid becomes its own TID, so it is an ordinary tuple of
   * my transaction from now on (XLOG_HEAP_CONFIRM). The caller then
   * releases its speculative insertion lock, waking whoever waits on it.
   */
  finishSpeculative(rel: Relation, tid: Tid): void {
    const { bufmgr, wal } = this.env;
    const block = tidBlock(tid);
    const off = tidOffset(tid);
    const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, block);
    bufmgr.lockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
    const page = bufmgr.getPage(buffer);
    const at = this.tupleAt(page, off);
    if (at < 0 || !htupIsSpeculative(page, at)) {
      bufmgr.unlockReleaseBuffer(buffer);
      elog(`tuple (${block},${off}) of relation "${rel.name}" is not a speculative insertion`);
    }
    htupSetCtid(page, at, block, off);
    bufmgr.markBufferDirty(buffer);
    const rec = this.rec;
    putU16(rec, 0, off);
    wal.beginInsert();
    wal.registerData(rec, 0, SIZE_OF_HEAP_CONFIRM);
    wal.registerBuffer(0, buffer, REGBUF_STANDARD);
    const lsn = wal.insert(RM_HEAP_ID, XLOG_HEAP_CONFIRM, this.env.xact.getCurrentTransactionId());
    pageSetLSN(page, lsn);
    bufmgr.unlockReleaseBuffer(buffer);
  }

  /**
   * heap_abort_speculative, the "super-delete": my speculative insertion at
   * `tid` lost to a conflicting row (an arbiter index said so). Its xmin
   * becomes InvalidTransactionId, which no visibility rule accepts, so the
   * tuple is invisible to every snapshot at once, my own included, and to
   * every dirty check that wakes up on my speculative token; an ordinary
   * delete would leave it visible to my transaction until commit and a
   * conflict to everyone else until then. Logged as XLOG_HEAP_DELETE with
   * XLH_DELETE_IS_SUPER. Its TOAST chunks (inserted by the same command)
   * are super-deleted too: `toastChunk` is that call, for a chunk row,
   * which never carries a token.
   */
  abortSpeculative(rel: Relation, tid: Tid, toastChunk = false): void {
    const { bufmgr } = this.env;
    const xid = this.env.xact.getCurrentTransactionId();
    const block = tidBlock(tid);
    const off = tidOffset(tid);
    const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, block);
    bufmgr.lockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
    const page = bufmgr.getPage(buffer);
    const at = this.tupleAt(page, off);
    if (at < 0 || htupGetXmin(page, at) !== xid) {
      bufmgr.unlockReleaseBuffer(buffer);
      elog('attempted to kill a tuple inserted by another transaction');
    }
    if (!toastChunk && !htupIsSpeculative(page, at)) {
      bufmgr.unlockReleaseBuffer(buffer);
      elog('attempted to kill a non-speculative tuple');
    }
    let toastValues: (TupleValue | null)[] | null = null;
    if ((htupGetInfomask(page, at) & 0x0004) !== 0 && rel.toast !== null) {
      toastValues = new Array<TupleValue | null>(rel.desc.natts);
      heapDeformTuple(rel.desc, page, at, itemIdGetLength(itemIdGet(page, off)), toastValues, new Array<boolean>(rel.desc.natts));
    }
    // Dead at once, but pruning only looks at pages whose hint precedes the horizon: use the horizon itself.
    const pruneXid = this.env.vis.oldestXmin();
    if (pageGetPrunXid(page) === 0 || transactionIdPrecedes(pruneXid, pageGetPrunXid(page))) pageSetPrunXid(page, pruneXid);
    htupSetInfomask(page, at, htupGetInfomask(page, at) & ~HEAP_XMAX_BITS);
    htupSetInfomask2(page, at, htupGetInfomask2(page, at) & ~HEAP_KEYS_UPDATED);
    htupSetXmin(page, at, 0);
    htupSetCtid(page, at, block, off);
    bufmgr.markBufferDirty(buffer);

    this.logDelete(buffer, page, at, xid, off, XLH_DELETE_IS_SUPER);
    bufmgr.unlockReleaseBuffer(buffer);
    if (toastValues !== null) this.toaster.superDeleteValues(rel, toastValues);
  }

  /** Locates the tuple at `tid` on a locked page: its byte offset, or -1 if the slot holds no normal tuple. */
  private tupleAt(page: Uint8Array, off: number): number {
    if (off < 1 || off > pageGetMaxOffsetNumber(page)) return -1;
    const lp = itemIdGet(page, off);
    if (itemIdGetFlags(lp) !== LP_NORMAL) return -1;
    return itemIdGetOffset(lp);
  }

  /**
   * heap_fetch: the tuple at `tid` if visible to the snapshot, as values;
   * null when not visible or gone.
   */
  fetch(rel: Relation, tid: Tid, snapshot: S): (TupleValue | null)[] | null {
    const { bufmgr } = this.env;
    const block = tidBlock(tid);
    if (block >= bufmgr.nblocks(rel.locator, ForkNumber.MAIN)) return null;
    const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, block);
    bufmgr.lockBuffer(buffer, BUFFER_LOCK_SHARE);
    try {
      const page = bufmgr.getPage(buffer);
      const at = this.tupleAt(page, tidOffset(tid));
      if (at < 0 || !this.env.vis.satisfiesMVCC(page, at, snapshot, buffer)) return null;
      const len = itemIdGetLength(itemIdGet(page, tidOffset(tid)));
      const values = new Array<TupleValue | null>(rel.desc.natts);
      const isnull = new Array<boolean>(rel.desc.natts);
      heapDeformTuple(rel.desc, page, at, len, values, isnull);
      return values;
    } finally {
      bufmgr.unlockReleaseBuffer(buffer);
    }
  }

  /**
   * What ON CONFLICT asks of the row version an arbiter check found
   * (ExecCheckTupleVisible, and ExecOnConflictUpdate's TM_Invisible case):
   * 'visible' to the snapshot; 'mine' when not visible but inserted by my
   * transaction (by this very command: a row the statement itself proposed
   * earlier); else 'invisible' (committed after the snapshot, or gone).
   */
  snapshotVisibility(rel: Relation, tid: Tid, snapshot: S): 'visible' | 'mine' | 'invisible' {
    const { bufmgr } = this.env;
    const block = tidBlock(tid);
    if (block >= bufmgr.nblocks(rel.locator, ForkNumber.MAIN)) return 'invisible';
    const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, block);
    bufmgr.lockBuffer(buffer, BUFFER_LOCK_SHARE);
    try {
      const page = bufmgr.getPage(buffer);
      const at = this.tupleAt(page, tidOffset(tid));
      if (at < 0) return 'invisible';
      if (this.env.vis.satisfiesMVCC(page, at, snapshot, buffer)) return 'visible';
      return this.env.xact.isCurrentTransactionId(htupGetXmin(page, at)) ? 'mine' : 'invisible';
    } finally {
      bufmgr.unlockReleaseBuffer(buffer);
    }
  }

  /** The values of a fetched or scanned tuple with TOAST pointers and compression undone. */
  detoastValues(rel: Relation, values: (TupleValue | null)[]): void {
    this.toaster.detoastInPlace(rel, values);
  }

  /**
   * The old tuple of an update after its page was unlocked (to toast the new
   * version, or to prune) and locked again: null when it is still there and
   * still ours to update; else the failure, with the buffer released.
   */
  private recheckOldTuple(obuf: number, ooff: number, cid: number, otid: Tid, mode: LockTupleMode): HeapModifyResult | null {
    const { bufmgr } = this.env;
    const page = bufmgr.getPage(obuf);
    const at = this.tupleAt(page, ooff);
    const result = at < 0 ? TM_Result.TM_Invisible : this.updateCheck(page, at, cid, obuf, mode);
    if (result === TM_Result.TM_Ok) return null;
    const r = at < 0 ? { result: TM_Result.TM_Deleted, ctid: otid, xmax: 0, newTid: 0, hot: false } : this.notOk(result, page, at, otid);
    bufmgr.unlockReleaseBuffer(obuf);
    return r;
  }

  /**
   * A change to an all-visible page clears PD_ALL_VISIBLE and the page's
   * visibility-map bit; returns the record flag that tells redo to do the
   * same (`flag`), or 0 when the page was not all-visible.
   */
  /**
   * XLOG_HEAP_DELETE for the tuple at `at` (line pointer `off`) of the
   * locked, already changed page: a delete (flags say whether all-visible
   * was cleared) or a super-delete (XLH_DELETE_IS_SUPER); sets the page LSN.
   */
  private logDelete(buffer: number, page: Uint8Array, at: number, xid: number, off: number, flags: number): void {
    const wal = this.env.wal;
    const rec = this.rec;
    putU32(rec, 0, xid);
    putU16(rec, 4, off);
    rec[6] = computeInfobits(htupGetInfomask(page, at), htupGetInfomask2(page, at));
    rec[7] = flags;
    wal.beginInsert();
    wal.registerData(rec, 0, SIZE_OF_HEAP_DELETE);
    wal.registerBuffer(0, buffer, REGBUF_STANDARD);
    pageSetLSN(page, wal.insert(RM_HEAP_ID, XLOG_HEAP_DELETE, xid));
  }

  private clearAllVisible(page: Uint8Array, rel: Relation, block: number, flag: number): number {
    if (!pageIsAllVisible(page)) return 0;
    pageClearAllVisible(page);
    this.env.vm.clear(rel.locator, block);
    return flag;
  }

  private notOk(result: TM_Result, page: Uint8Array, at: number, tid: Tid): HeapModifyResult {
    const updated = (htupGetInfomask2(page, at) & HEAP_HOT_UPDATED) !== 0 || htupGetCtidBlock(page, at) !== tidBlock(tid) || htupGetCtidOffset(page, at) !== tidOffset(tid);
    const ctid = makeTid(htupGetCtidBlock(page, at), htupGetCtidOffset(page, at));
    const r = result === TM_Result.TM_Updated && !updated ? TM_Result.TM_Deleted : result;
    return { result: r, ctid, xmax: htupGetXmax(page, at), isMulti: (htupGetInfomask(page, at) & HEAP_XMAX_IS_MULTI) !== 0, newTid: 0, hot: false };
  }

  /**
   * satisfiesUpdate for a writer: my own transaction's lock on the tuple
   * (xmax mine, lock only) does not stop me from updating or deleting it,
   * as heap_update's "locked by us" case says (SELECT ... FOR UPDATE, then
   * UPDATE). Running lockers whose mode does not conflict with `mode` (FOR
   * KEY SHARE under a non-key update) do not stop me either: they are left
   * in keepLockers for the new xmax. For TM_BeingModified on a MultiXactId,
   * conflictingMembers are the members to wait for. A MultiXactId whose
   * updater committed is TM_Updated even while its lockers run.
   */
  private updateCheck(page: Uint8Array, at: number, cid: number, buffer: number, mode: LockTupleMode): TM_Result {
    this.keepLockers = NO_LOCKERS;
    const result = this.env.vis.satisfiesUpdate(page, at, cid, buffer);
    if (result !== TM_Result.TM_BeingModified) return result;
    const infomask = htupGetInfomask(page, at);
    const xmax = htupGetXmax(page, at);
    if ((infomask & HEAP_XMAX_IS_MULTI) !== 0) {
      // Members still running besides me: go ahead only when none conflicts with `mode`; they stay.
      const others = this.otherRunningMembers(xmax);
      const keep: { xid: number; status: number }[] = [];
      const conflicting: number[] = [];
      if (others.length > 0) {
        for (const m of this.env.vis.getMultiXactMembers?.(xmax) ?? multixactNotSupported()) {
          if (!others.includes(m.xid)) continue;
          if (lockModesConflict(statusLockMode(m.status), mode)) conflicting.push(m.xid);
          else keep.push({ xid: m.xid, status: m.status });
        }
      }
      if (conflicting.length > 0) {
        this.conflictingMembers = conflicting;
        return result;
      }
      // An updater member that is not running (none conflicts) either aborted or committed: then the row is gone.
      if (!xmaxIsLockedOnly(infomask) && this.env.vis.isOnlyLocked?.(page, at) === false) return TM_Result.TM_Updated;
      this.keepLockers = keep;
      return TM_Result.TM_Ok;
    }
    if (!xmaxIsLockedOnly(infomask)) return result;
    if (this.env.xact.isCurrentTransactionId(xmax)) return TM_Result.TM_Ok;
    // One running locker: a weak enough lock (FOR KEY SHARE under a non-key update) stays beside me.
    const held = xmaxLockMode(infomask, htupGetInfomask2(page, at));
    if (lockModesConflict(held, mode) || this.env.multixact === undefined) return result;
    this.keepLockers = [{ xid: xmax, status: lockStatus(held) }];
    return TM_Result.TM_Ok;
  }

  /**
   * The wait of heap_update / heap_delete / heap_lock_tuple for the
   * transaction `xmax` that holds the row (README.tuplock): first the
   * heavyweight tuple lock, so that waiters for one row queue in arrival
   * order, then a sleep on xmax's transaction lock. The caller has released
   * the page and re-examines the tuple afterwards: the holder may have
   * committed, aborted, or been followed by another. Returns whether this
   * call took the tuple lock (the caller releases it when done), or null
   * when it could not wait: SKIP LOCKED (the caller skips the row); NOWAIT
   * and a backend without a lock manager raise 55P03.
   */
  private waitForXmax(rel: Relation, block: number, off: number, xids: readonly number[], mode: LockTupleMode, policy: LockWaitPolicy, haveTupleLock: boolean): boolean | null {
    const lm = this.env.lockManager;
    if (lm === undefined) {
      if (policy === LockWaitPolicy.Skip) return null;
      throw rowLockNotAvailable(rel.name);
    }
    const db = this.env.lockDatabaseOid ?? 0;
    const hwmode = TUPLE_LOCK_HW_MODE[mode];
    let took = false;
    if (!haveTupleLock) {
      if (policy === LockWaitPolicy.Block) {
        lmgrLockTuple(lm, db, rel.oid, block, off, hwmode);
      } else if (!conditionalLockTuple(lm, db, rel.oid, block, off, hwmode)) {
        if (policy === LockWaitPolicy.Skip) return null;
        throw rowLockNotAvailable(rel.name);
      }
      took = true;
    }
    // MultiXactIdWait: a MultiXactId's conflicting members are waited for one by one.
    for (const xid of xids) {
      if (policy === LockWaitPolicy.Block) {
        xactLockTableWait(lm, xid, this.env.xactWait);
      } else if (!conditionalXactLockTableWait(lm, xid)) {
        if (took) unlockTuple(lm, db, rel.oid, block, off, hwmode);
        if (policy === LockWaitPolicy.Skip) return null;
        throw rowLockNotAvailable(rel.name);
      }
    }
    return took;
  }

  /** The running members of a MultiXactId xmax other than my transaction's. */
  private otherRunningMembers(multi: number): number[] {
    const running = this.env.vis.multiXactRunningMembers?.(multi) ?? multixactNotSupported();
    return running.filter((x) => !this.env.xact.isCurrentTransactionId(x));
  }

  /** Releases the heavyweight tuple lock waitForXmax took (UnlockTupleTuplock). */
  private releaseTupleLock(rel: Relation, block: number, off: number, mode: LockTupleMode): void {
    const lm = this.env.lockManager;
    if (lm !== undefined) unlockTuple(lm, this.env.lockDatabaseOid ?? 0, rel.oid, block, off, TUPLE_LOCK_HW_MODE[mode]);
  }

  /**
   * heap_lock_tuple: locks the tuple at `tid` in `mode` for my transaction
   * (SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE), waiting
   * for a transaction holding a conflicting lock or modifying the row as
   * `policy` says. The lock is xmax := my XID with HEAP_XMAX_LOCK_ONLY and
   * the mode's bits; it is WAL-logged (XLOG_HEAP_LOCK) because a lock taken
   * before a crash must still stop a later update of the row by a prepared
   * or recovered view of it, and the page is dirtied anyway.
   *
   * TM_Ok with the locked version's values; TM_Updated (with the
   * successor's TID) / TM_Deleted when a committed transaction changed the
   * row; TM_SelfModified when my own transaction did; TM_WouldBlock for
   * SKIP LOCKED. A lock already held by my transaction in the same or a
   * stronger mode is kept.
   *
   * A compatible lock held by another running transaction (two FOR SHARE)
   * makes xmax a MultiXactId of both lockers. FOR KEY SHARE does not
   * conflict with an update that left the key alone (NO KEY UPDATE), running
   * or committed: it locks the version it was given, the updater kept in a
   * MultiXactId xmax, and then every later version of the row along t_ctid
   * (heap_lock_updated_tuple), so that a key update or DELETE of the newest
   * version waits for this locker too. A committed key update or delete met
   * on the way ends it with TM_Updated / TM_Deleted, as for the first version.
   */
  lockTuple(rel: Relation, tid: Tid, cid: number, mode: LockTupleMode, policy: LockWaitPolicy): HeapLockResult {
    this.lockChainNext = null;
    const first = this.lockVersion(rel, tid, cid, mode, policy, 0);
    // heap_lock_updated_tuple: the versions after one locked past its non-key updater.
    for (let next = this.lockChainNext as { tid: Tid; updater: number } | null; first.result === TM_Result.TM_Ok && next !== null;) {
      this.lockChainNext = null;
      const r = this.lockVersion(rel, next.tid, cid, mode, policy, next.updater);
      if (r.result !== TM_Result.TM_Ok) return { result: r.result, ctid: r.ctid, xmax: r.xmax, values: null };
      next = this.lockChainNext;
    }
    this.lockChainNext = null;
    return first;
  }

  /**
   * lockTuple for one version. `priorXmax` 0: the version the caller asked
   * for. Otherwise a later version reached from one locked past its updater
   * `priorXmax` (heap_lock_updated_tuple_rec): the chain ends (TM_Ok, nothing
   * locked) unless its xmin is that updater and did not abort; its inserter
   * may still run (then no snapshot sees it, and satisfiesUpdate says
   * invisible); no heavyweight tuple lock is taken for it. Sets
   * lockChainNext when the version was locked past a kept updater.
   */
  private lockVersion(rel: Relation, tid: Tid, cid: number, mode: LockTupleMode, policy: LockWaitPolicy, priorXmax: number): HeapLockResult {
    const { bufmgr, vis, wal } = this.env;
    const block = tidBlock(tid);
    const off = tidOffset(tid);
    const chain = priorXmax !== 0;
    let haveTupleLock = false;
    this.env.lockManager?.beginWaitEpisode();
    try {
      for (;;) {
        const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, block);
        bufmgr.lockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
        const page = bufmgr.getPage(buffer);
        const at = this.tupleAt(page, off);
        if (chain && (at < 0 || htupGetXmin(page, at) !== priorXmax || !vis.satisfiesToast(page, at, buffer))) {
          // Pruned away, a different tuple in the slot, or an aborted inserter: the chain ends here.
          bufmgr.unlockReleaseBuffer(buffer);
          return { result: TM_Result.TM_Ok, ctid: tid, xmax: 0, values: null };
        }
        if (at < 0) {
          bufmgr.unlockReleaseBuffer(buffer);
          elog('attempted to lock invisible tuple');
        }
        let result = vis.satisfiesUpdate(page, at, cid, buffer);
        if (result === TM_Result.TM_Invisible && chain) result = this.chainVersionStatus(page, at);
        if (result === TM_Result.TM_Invisible) {
          bufmgr.unlockReleaseBuffer(buffer);
          elog('attempted to lock invisible tuple');
        }
        // The lockers (and an updater) the new xmax must keep besides me (a MultiXactId when there are any).
        let keep: { xid: number; status: number }[] = [];
        const keysUpdated = (htupGetInfomask2(page, at) & HEAP_KEYS_UPDATED) !== 0;
        if (result === TM_Result.TM_Updated && mode === LockTupleMode.KeyShare && !keysUpdated) {
          // A committed update that left the key alone does not stop FOR KEY SHARE (heap_lock_tuple's
          // "can still continue if the key hasn't been modified"): lock this version, the updater kept.
          const infomask = htupGetInfomask(page, at);
          const xmax = htupGetXmax(page, at);
          if ((infomask & HEAP_XMAX_IS_MULTI) !== 0) {
            const running = new Set(vis.multiXactRunningMembers?.(xmax) ?? []);
            const members = vis.getMultiXactMembers?.(xmax) ?? multixactNotSupported();
            if (members.some((m) => m.status < MULTI_STATUS_NO_KEY_UPDATE && this.env.xact.isCurrentTransactionId(m.xid))) {
              // Locked by my transaction already (FOR KEY SHARE is the weakest mode): nothing to change.
              const values = chain ? null : this.deformAt(rel, page, at, off);
              bufmgr.unlockReleaseBuffer(buffer);
              return { result: TM_Result.TM_Ok, ctid: tid, xmax, values };
            }
            for (const m of members) {
              if (this.env.xact.isCurrentTransactionId(m.xid)) continue;
              if (m.status >= MULTI_STATUS_NO_KEY_UPDATE || running.has(m.xid)) keep.push({ xid: m.xid, status: m.status });
            }
          } else {
            keep.push({ xid: xmax, status: MULTI_STATUS_NO_KEY_UPDATE });
          }
          if (this.env.multixact === undefined) multixactNotSupported();
          result = TM_Result.TM_Ok;
        } else if (result === TM_Result.TM_BeingModified) {
          const infomask = htupGetInfomask(page, at);
          const xmax = htupGetXmax(page, at);
          const isMulti = (infomask & HEAP_XMAX_IS_MULTI) !== 0;
          // Who holds the row now, and in what mode (a MultiXactId's running members, or the one XID).
          const holders: { xid: number; mode: LockTupleMode; status: number; updater: boolean }[] = [];
          if (isMulti) {
            const running = new Set(this.env.vis.multiXactRunningMembers?.(xmax) ?? []);
            for (const m of this.env.vis.getMultiXactMembers?.(xmax) ?? []) {
              if (running.has(m.xid)) holders.push({ xid: m.xid, mode: statusLockMode(m.status), status: m.status, updater: m.status >= MULTI_STATUS_NO_KEY_UPDATE });
            }
          } else {
            // An updater's mode is EXCLUSIVE or NO KEY EXCLUSIVE by its KEYS_UPDATED bit (xmaxLockMode).
            const m = xmaxLockMode(infomask, htupGetInfomask2(page, at));
            const updater = !xmaxIsLockedOnly(infomask);
            const status = updater ? (keysUpdated ? MULTI_STATUS_UPDATE : MULTI_STATUS_NO_KEY_UPDATE) : lockStatus(m);
            holders.push({ xid: xmax, mode: m, status, updater });
          }
          const isCurrent = (x: number): boolean => this.env.xact.isCurrentTransactionId(x);
          const mine = holders.filter((h) => isCurrent(h.xid));
          const others = holders.filter((h) => !isCurrent(h.xid));
          const lockOnly = xmaxIsLockedOnly(infomask);
          let committedUpdater: { xid: number; status: number } | null = null;
          if (isMulti && !lockOnly && !others.some((h) => h.updater) && vis.isOnlyLocked?.(page, at) === false) {
            // Lockers and an updater that is neither running nor mine: it committed, the row was replaced.
            // FOR KEY SHARE goes on when the key stayed (kept in the new xmax, as above); others stop here.
            const upd = (vis.getMultiXactMembers?.(xmax) ?? []).find((m) => m.status >= MULTI_STATUS_NO_KEY_UPDATE);
            if (mode !== LockTupleMode.KeyShare || keysUpdated || upd === undefined) {
              const r = this.notOk(TM_Result.TM_Updated, page, at, tid);
              bufmgr.unlockReleaseBuffer(buffer);
              return { result: r.result, ctid: r.ctid, xmax: r.xmax, values: null };
            }
            committedUpdater = { xid: upd.xid, status: upd.status };
          }
          // Holders whose mode conflicts with mine are waited for: a running updater's is EXCLUSIVE
          // (key changed, or deleted) or NO KEY EXCLUSIVE, which only FOR KEY SHARE passes (an aborted
          // updater's multi keeps just its lockers).
          const blocking = others.filter((h) => lockModesConflict(h.mode, mode) || this.env.multixact === undefined);
          if (blocking.length > 0) {
            // Wait for them (README.tuplock), then look at the tuple again.
            bufmgr.unlockReleaseBuffer(buffer);
            const took = this.waitForXmax(rel, block, off, blocking.map((h) => h.xid), mode, policy, haveTupleLock || chain);
            if (took === null) return { result: TM_Result.TM_WouldBlock, ctid: tid, xmax, values: null };
            haveTupleLock ||= took;
            continue;
          }
          if (mine.some((h) => h.mode >= mode)) {
            // Mine already, at least as strong: nothing to change.
            const values = this.deformAt(rel, page, at, off);
            bufmgr.unlockReleaseBuffer(buffer);
            return { result: TM_Result.TM_Ok, ctid: tid, xmax, values };
          }
          // Compatible lockers and a non-key updater (or only mine): they stay, with me added (or strengthened) beside them.
          keep = others.map((h) => ({ xid: h.xid, status: h.status }));
          if (committedUpdater !== null) keep.push(committedUpdater);
          result = TM_Result.TM_Ok;
        }
        if (result !== TM_Result.TM_Ok) {
          const r = this.notOk(result, page, at, tid);
          bufmgr.unlockReleaseBuffer(buffer);
          return { result: r.result, ctid: r.ctid, xmax: r.xmax, values: null };
        }

        const xid = this.env.xact.getCurrentTransactionId();
        let newXmax = xid;
        let strongest = mode;
        let multiBit = 0;
        // A kept updater (always a non-key one here): xmax is no longer lock-only, t_ctid still leads on.
        const updater = keep.find((k) => k.status >= MULTI_STATUS_NO_KEY_UPDATE);
        if (keep.length > 0) {
          // MultiXactIdCreate: the other lockers and me under one id (its CREATE_ID record comes first).
          for (const k of keep) if (statusLockMode(k.status) > strongest) strongest = statusLockMode(k.status);
          newXmax = this.env.multixact!.create([...keep, { xid, status: lockStatus(mode) }], xid);
          multiBit = HEAP_XMAX_IS_MULTI;
        }
        const bits = lockBits(strongest);
        const lockOnlyBit = updater === undefined ? 0 : HEAP_XMAX_LOCK_ONLY;
        const infomask = (htupGetInfomask(page, at) & ~(HEAP_XMAX_COMMITTED | HEAP_XMAX_INVALID | HEAP_XMAX_IS_MULTI | HEAP_LOCK_MASK | HEAP_XMAX_LOCK_ONLY)) | (bits.infomask & ~lockOnlyBit) | multiBit;
        htupSetInfomask(page, at, infomask);
        const im2 = htupGetInfomask2(page, at);
        htupSetInfomask2(page, at, bits.keysUpdated ? im2 | HEAP_KEYS_UPDATED : im2 & ~HEAP_KEYS_UPDATED);
        htupSetXmax(page, at, newXmax);
        bufmgr.markBufferDirty(buffer);

        const rec = this.rec;
        putU32(rec, 0, newXmax);
        putU16(rec, 4, off);
        rec[6] = computeInfobits(htupGetInfomask(page, at), htupGetInfomask2(page, at));
        rec[7] = 0;
        wal.beginInsert();
        wal.registerData(rec, 0, SIZE_OF_HEAP_LOCK);
        wal.registerBuffer(0, buffer, REGBUF_STANDARD);
        const lsn = wal.insert(RM_HEAP_ID, XLOG_HEAP_LOCK, xid);
        pageSetLSN(page, lsn);
        const values = chain ? null : this.deformAt(rel, page, at, off);
        if (updater !== undefined) {
          const next = makeTid(htupGetCtidBlock(page, at), htupGetCtidOffset(page, at));
          if (next !== tid) this.lockChainNext = { tid: next, updater: updater.xid };
        }
        bufmgr.unlockReleaseBuffer(buffer);
        return { result: TM_Result.TM_Ok, ctid: tid, xmax: newXmax, values };
      }
    } finally {
      if (haveTupleLock) this.releaseTupleLock(rel, block, off, mode);
      this.env.lockManager?.endWaitEpisode();
    }
  }

  /**
   * A later version whose inserter (the updater of the version before it)
   * still runs: satisfiesUpdate calls it invisible, but it is the row's
   * future and is locked too. TM_BeingModified when someone running holds
   * its xmax (that updater again, or lockers), else TM_Ok.
   */
  private chainVersionStatus(page: Uint8Array, at: number): TM_Result {
    const infomask = htupGetInfomask(page, at);
    if ((infomask & HEAP_XMAX_INVALID) !== 0) return TM_Result.TM_Ok;
    const xmax = htupGetXmax(page, at);
    if (xmax === 0) return TM_Result.TM_Ok;
    if ((infomask & HEAP_XMAX_IS_MULTI) !== 0) return (this.env.vis.multiXactRunningMembers?.(xmax) ?? []).length > 0 ? TM_Result.TM_BeingModified : TM_Result.TM_Ok;
    const running = this.env.xact.isCurrentTransactionId(xmax) || this.env.xactWait?.isInProgress(xmax) === true;
    return running ? TM_Result.TM_BeingModified : TM_Result.TM_Ok;
  }

  private deformAt(rel: Relation, page: Uint8Array, at: number, off: number): (TupleValue | null)[] {
    const values = new Array<TupleValue | null>(rel.desc.natts);
    heapDeformTuple(rel.desc, page, at, itemIdGetLength(itemIdGet(page, off)), values, new Array<boolean>(rel.desc.natts));
    return values;
  }

  /**
   * heap_delete: marks the tuple at `tid` deleted by this transaction.
   * TM_Ok on success; otherwise why not (the caller raises the error or
   * waits and retries).
   */
  delete(rel: Relation, tid: Tid, cid: number): HeapModifyResult {
    const block = tidBlock(tid);
    const off = tidOffset(tid);
    let haveTupleLock = false;
    this.env.lockManager?.beginWaitEpisode();
    try {
      for (;;) {
        const r = this.deleteOnce(rel, tid, cid);
        if (r.result !== TM_Result.TM_BeingModified || this.env.lockManager === undefined) return r;
        // Another transaction holds the row: wait for it, then look again (heap_delete's l1 loop).
        const xids = r.isMulti === true ? this.conflictingMembers : [r.xmax];
        haveTupleLock ||= this.waitForXmax(rel, block, off, xids, LockTupleMode.Exclusive, LockWaitPolicy.Block, haveTupleLock) === true;
      }
    } finally {
      if (haveTupleLock) this.releaseTupleLock(rel, block, off, LockTupleMode.Exclusive);
      this.env.lockManager?.endWaitEpisode();
    }
  }

  private deleteOnce(rel: Relation, tid: Tid, cid: number): HeapModifyResult {
    const { bufmgr, vis } = this.env;
    const block = tidBlock(tid);
    const off = tidOffset(tid);
    const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, block);
    bufmgr.lockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
    const page = bufmgr.getPage(buffer);
    const at = this.tupleAt(page, off);
    if (at < 0) {
      bufmgr.unlockReleaseBuffer(buffer);
      elog(`attempted to delete invisible tuple`);
    }
    const result = this.updateCheck(page, at, cid, buffer, LockTupleMode.Exclusive);
    if (result !== TM_Result.TM_Ok) {
      const r = this.notOk(result, page, at, tid);
      bufmgr.unlockReleaseBuffer(buffer);
      if (result === TM_Result.TM_Invisible) elog('attempted to delete invisible tuple');
      return r;
    }
    const xid = this.env.xact.getCurrentTransactionId();
    // SSI: serializable readers of this row, its page or the table read before this delete (page still locked).
    this.env.predicate?.checkForSerializableConflictIn(rel.oid, tid, block);
    const hasExternal = (htupGetInfomask(page, at) & 0x0004) !== 0;
    let toastValues: (TupleValue | null)[] | null = null;
    if (hasExternal && rel.toast !== null) {
      toastValues = new Array<TupleValue | null>(rel.desc.natts);
      heapDeformTuple(rel.desc, page, at, itemIdGetLength(itemIdGet(page, off)), toastValues, new Array<boolean>(rel.desc.natts));
    }

    const flags = this.clearAllVisible(page, rel, block, XLH_DELETE_ALL_VISIBLE_CLEARED);
    const cmax = vis.cmaxFor(page, at, cid);
    this.setXmax(page, at, xid, cmax.cid, cmax.combo);
    htupSetCtid(page, at, block, off);
    if (pageGetPrunXid(page) === 0 || transactionIdPrecedes(xid, pageGetPrunXid(page))) pageSetPrunXid(page, xid);
    bufmgr.markBufferDirty(buffer);

    this.logDelete(buffer, page, at, xid, off, flags);
    bufmgr.unlockReleaseBuffer(buffer);
    // TOAST values of the deleted row die with it (toast_delete).
    if (toastValues !== null) this.toaster.deleteValues(rel, toastValues, null, cid);
    return { result: TM_Result.TM_Ok, ctid: tid, xmax: xid, newTid: 0, hot: false };
  }

  /** Stamps xmax/cmax on a tuple being deleted or updated by this transaction. */
  private setXmax(page: Uint8Array, at: number, xid: number, cid: number, combo: boolean, keysUpdated = true, multiBits = 0): void {
    htupSetXmax(page, at, xid);
    let infomask = (htupGetInfomask(page, at) & ~(0x0400 | HEAP_XMAX_INVALID | 0x1000 | 0x0080 | 0x0040 | 0x0010)) | multiBits;
    if (combo) infomask |= HEAP_COMBOCID;
    else infomask &= ~HEAP_COMBOCID;
    htupSetInfomask(page, at, infomask);
    const im2 = htupGetInfomask2(page, at) & ~HEAP_HOT_UPDATED;
    htupSetInfomask2(page, at, keysUpdated ? im2 | HEAP_KEYS_UPDATED : im2 & ~HEAP_KEYS_UPDATED);
    page[at + T_CID] = cid & 0xff;
    page[at + T_CID + 1] = (cid >>> 8) & 0xff;
    page[at + T_CID + 2] = (cid >>> 16) & 0xff;
    page[at + T_CID + 3] = (cid >>> 24) & 0xff;
  }

  /**
   * heap_update: replaces the tuple at `otid` with `values`. `hotAllowed`
   * says whether the new version may be heap-only (rule 3): true when the
   * relation has no indexes, false when the caller knows an indexed column
   * changed, or the heap attribute numbers of the indexed columns, which
   * heap_update compares itself (HeapDetermineColumnsInfo) on the old
   * version it has locked: HOT only if none of them changed. `keyAttrs` are
   * the heap attribute numbers of the key columns (those of unique indexes,
   * RelationGetIndexAttrBitmap's KEY set): an update changing none of them
   * takes NO KEY EXCLUSIVE and does not wait for FOR KEY SHARE lockers;
   * null: treat every update as changing the key (EXCLUSIVE).
   */
  update(rel: Relation, otid: Tid, values: readonly (TupleValue | null)[], cid: number, hotAllowed: boolean | readonly number[] = true, keyAttrs: readonly number[] | null = null): HeapModifyResult {
    const block = tidBlock(otid);
    const off = tidOffset(otid);
    let haveTupleLock = false;
    // The tuple lock's mode: EXCLUSIVE, or NO KEY EXCLUSIVE once updateOnce found no key column changed
    // (the old version's values do not change, so neither does the mode, from one try to the next).
    let tupleLockMode = LockTupleMode.Exclusive;
    this.env.lockManager?.beginWaitEpisode();
    try {
      for (;;) {
        const r = this.updateOnce(rel, otid, values, cid, hotAllowed, keyAttrs);
        if (r.result !== TM_Result.TM_BeingModified || this.env.lockManager === undefined) return r;
        // Another transaction holds the row: wait for it, then look again (heap_update's l2 loop).
        if (!haveTupleLock) tupleLockMode = this.lastUpdateMode;
        const xids = r.isMulti === true ? this.conflictingMembers : [r.xmax];
        haveTupleLock ||= this.waitForXmax(rel, block, off, xids, tupleLockMode, LockWaitPolicy.Block, haveTupleLock) === true;
      }
    } finally {
      if (haveTupleLock) this.releaseTupleLock(rel, block, off, tupleLockMode);
      this.env.lockManager?.endWaitEpisode();
    }
  }

  private updateOnce(rel: Relation, otid: Tid, values: readonly (TupleValue | null)[], cid: number, hotAllowed: boolean | readonly number[], keyAttrs: readonly number[] | null): HeapModifyResult {
    const { bufmgr, vm, wal, vis } = this.env;
    const oblock = tidBlock(otid);
    const ooff = tidOffset(otid);
    // A new version that needs no TOAST work does not depend on the old one: it is formed before
    // the page is locked, which is then locked once (heap_update's usual path). One that needs
    // TOAST work is formed below, with the page unlocked, once the old values are known.
    let tup = this.formTransient(rel, values);
    const obuf = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, oblock);
    bufmgr.lockBuffer(obuf, BUFFER_LOCK_EXCLUSIVE);
    let opage = bufmgr.getPage(obuf);
    let oat = this.tupleAt(opage, ooff);
    if (oat < 0) {
      bufmgr.unlockReleaseBuffer(obuf);
      elog('attempted to update invisible tuple');
    }
    // HeapDetermineColumnsInfo's key half: the old version's values cannot change while it is ours to update.
    const keysChanged = keyAttrs === null || indexedColumnChanged(rel, opage, oat, itemIdGetLength(itemIdGet(opage, ooff)), values, keyAttrs);
    const mode = keysChanged ? LockTupleMode.Exclusive : LockTupleMode.NoKeyExclusive;
    this.lastUpdateMode = mode;
    const result = this.updateCheck(opage, oat, cid, obuf, mode);
    if (result !== TM_Result.TM_Ok) {
      const r = this.notOk(result, opage, oat, otid);
      bufmgr.unlockReleaseBuffer(obuf);
      if (result === TM_Result.TM_Invisible) elog('attempted to update invisible tuple');
      return r;
    }
    const xid = this.env.xact.getCurrentTransactionId();

    // The old values, for TOAST reuse and cleanup.
    let oldValues: (TupleValue | null)[] | null = null;
    if ((htupGetInfomask(opage, oat) & 0x0004) !== 0 && rel.toast !== null) {
      oldValues = new Array<TupleValue | null>(rel.desc.natts);
      heapDeformTuple(rel.desc, opage, oat, itemIdGetLength(itemIdGet(opage, ooff)), oldValues, new Array<boolean>(rel.desc.natts));
    }
    if (tup === null) {
      // Forming may toast values, which inserts into the toast relation: do it
      // with no heap page locked, then re-check the old tuple.
      bufmgr.lockBuffer(obuf, BUFFER_LOCK_UNLOCK);
      tup = this.formTuple(rel, values, oldValues);
      bufmgr.lockBuffer(obuf, BUFFER_LOCK_EXCLUSIVE);
      const failed = this.recheckOldTuple(obuf, ooff, cid, otid, mode);
      if (failed !== null) return failed;
      opage = bufmgr.getPage(obuf);
      oat = this.tupleAt(opage, ooff);
    }
    // SSI: serializable readers of the old version, its page or the table read before this update (page locked).
    this.env.predicate?.checkForSerializableConflictIn(rel.oid, otid, oblock);
    const len = tup.length;
    htupSetXmin(tup, 0, xid);
    htupSetXmax(tup, 0, 0);
    htupSetCid(tup, 0, cid);
    htupSetInfomask(tup, 0, (htupGetInfomask(tup, 0) & ~HEAP_XACT_MASK) | HEAP_XMAX_INVALID | HEAP_UPDATED);
    htupSetInfomask2(tup, 0, htupGetInfomask2(tup, 0) & ~HEAP2_XACT_MASK);

    // Same page if it fits (rule 3), else another page locked in order (rule 5).
    let nbuf = obuf;
    let isNew = false;
    if (pageGetHeapFreeSpace(opage) < maxAlign(len)) {
      // Try pruning first: it may free enough room to stay on this page.
      bufmgr.lockBuffer(obuf, BUFFER_LOCK_UNLOCK);
      heapPagePruneOpt(this.env, rel, obuf, len);
      bufmgr.lockBuffer(obuf, BUFFER_LOCK_EXCLUSIVE);
      const failed = this.recheckOldTuple(obuf, ooff, cid, otid, mode);
      if (failed !== null) return failed;
      opage = bufmgr.getPage(obuf);
      oat = this.tupleAt(opage, ooff);
      if (pageGetHeapFreeSpace(opage) < maxAlign(len)) {
        const target = this.chooser.getBufferForTuple(rel, len, obuf);
        nbuf = target.buffer;
        isNew = target.isNew;
      }
    }
    const samePage = nbuf === obuf;
    const hot = samePage && (typeof hotAllowed === 'boolean' ? hotAllowed : !indexedColumnChanged(rel, opage, oat, itemIdGetLength(itemIdGet(opage, ooff)), values, hotAllowed));
    const npage = bufmgr.getPage(nbuf);
    const nblock = bufmgr.getBlockNumber(nbuf);

    let flags = 0;
    if (pageIsAllVisible(opage)) {
      pageClearAllVisible(opage);
      vm.clear(rel.locator, oblock);
      flags |= XLH_UPDATE_OLD_ALL_VISIBLE_CLEARED;
    }
    if (!samePage && pageIsAllVisible(npage)) {
      pageClearAllVisible(npage);
      vm.clear(rel.locator, nblock);
      flags |= XLH_UPDATE_NEW_ALL_VISIBLE_CLEARED;
    }
    if (hot) htupSetInfomask2(tup, 0, htupGetInfomask2(tup, 0) | HEAP_ONLY_TUPLE);
    const noff = pageAddItem(npage, tup, 0, len, 0, false, true);
    if (noff === 0) {
      if (!samePage) bufmgr.unlockReleaseBuffer(nbuf);
      bufmgr.unlockReleaseBuffer(obuf);
      elog(`failed to add tuple to page ${nblock} of relation "${rel.name}"`);
    }
    const nat = itemIdGetOffset(itemIdGet(npage, noff));
    htupSetCtid(npage, nat, nblock, noff);
    // compute_new_xmax_infomask: alone, xmax := my XID; beside running key-share lockers, a
    // MultiXactId of them and me as updater (its CREATE_ID record precedes this update's), and
    // the new version carries the lockers on (one XID, or a MultiXactId of lockers).
    const keep = this.keepLockers;
    let oldXmax = xid;
    let oldMultiBits = 0;
    let newXmax = 0;
    if (keep.length > 0) {
      const multixact = this.env.multixact ?? multixactNotSupported();
      oldXmax = multixact.create([...keep, { xid, status: keysChanged ? MULTI_STATUS_UPDATE : MULTI_STATUS_NO_KEY_UPDATE }], xid);
      oldMultiBits = HEAP_XMAX_IS_MULTI | HEAP_XMAX_EXCL_LOCK;
      newXmax = keep.length === 1 ? keep[0].xid : multixact.create(keep, xid);
      htupSetXmax(npage, nat, newXmax);
      htupSetInfomask(npage, nat, (htupGetInfomask(npage, nat) & ~HEAP_XMAX_INVALID) | HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_KEYSHR_LOCK | (keep.length === 1 ? 0 : HEAP_XMAX_IS_MULTI));
      this.keepLockers = NO_LOCKERS;
    }
    const cmax = vis.cmaxFor(opage, oat, cid);
    this.setXmax(opage, oat, oldXmax, cmax.cid, cmax.combo, keysChanged, oldMultiBits);
    if (hot) htupSetInfomask2(opage, oat, htupGetInfomask2(opage, oat) | HEAP_HOT_UPDATED);
    htupSetCtid(opage, oat, nblock, noff);
    if (pageGetPrunXid(opage) === 0 || transactionIdPrecedes(xid, pageGetPrunXid(opage))) pageSetPrunXid(opage, xid);
    bufmgr.markBufferDirty(obuf);
    if (!samePage) bufmgr.markBufferDirty(nbuf);

    const init = isNew && noff === 1;
    const rec = this.rec;
    putU32(rec, 0, oldXmax);
    putU16(rec, 4, ooff);
    rec[6] = computeInfobits(htupGetInfomask(opage, oat), htupGetInfomask2(opage, oat));
    rec[7] = flags;
    putU32(rec, 8, newXmax);
    putU16(rec, 12, noff);
    writeHeapHeader(rec, 16, npage, nat);
    wal.beginInsert();
    wal.registerData(rec, 0, SIZE_OF_HEAP_UPDATE);
    wal.registerBuffer(0, nbuf, REGBUF_STANDARD | (init ? REGBUF_WILL_INIT : 0));
    wal.registerBufData(0, rec, 16, SIZE_OF_HEAP_HEADER);
    wal.registerBufData(0, npage, nat + 23, len - 23);
    if (!samePage) wal.registerBuffer(1, obuf, REGBUF_STANDARD);
    const info = (hot ? XLOG_HEAP_HOT_UPDATE : XLOG_HEAP_UPDATE) | (init ? XLOG_HEAP_INIT_PAGE : 0);
    const lsn = wal.insert(RM_HEAP_ID, info, xid);
    pageSetLSN(npage, lsn);
    if (!samePage) pageSetLSN(opage, lsn);
    if (!samePage) bufmgr.unlockReleaseBuffer(nbuf);
    bufmgr.unlockReleaseBuffer(obuf);
    if (oldValues !== null) this.toaster.deleteValues(rel, oldValues, values, cid);
    return { result: TM_Result.TM_Ok, ctid: otid, xmax: xid, newTid: makeTid(nblock, noff), hot };
  }

  /**
   * The raw header of the tuple at tid (tests, the page inspector, and the
   * system columns xmin/xmax/cmin/cmax: heap_getsysattr reads the same raw
   * fields; cid is t_cid, a combo command id when HEAP_COMBOCID is set).
   */
  tupleHeader(rel: Relation, tid: Tid): { xmin: number; xmax: number; cid: number; infomask: number; infomask2: number; ctid: Tid } | null {
    const { bufmgr } = this.env;
    const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, tidBlock(tid));
    bufmgr.lockBuffer(buffer, BUFFER_LOCK_SHARE);
    try {
      const page = bufmgr.getPage(buffer);
      const at = this.tupleAt(page, tidOffset(tid));
      if (at < 0) return null;
      const b = page;
      return {
        xmin: (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0,
        xmax: htupGetXmax(b, at),
        cid: (b[at + T_CID] | (b[at + T_CID + 1] << 8) | (b[at + T_CID + 2] << 16) | (b[at + T_CID + 3] << 24)) >>> 0,
        infomask: b[at + T_INFOMASK] | (b[at + T_INFOMASK + 1] << 8),
        infomask2: b[at + T_INFOMASK2] | (b[at + T_INFOMASK2 + 1] << 8),
        ctid: makeTid(htupGetCtidBlock(b, at), htupGetCtidOffset(b, at)),
      };
    } finally {
      bufmgr.unlockReleaseBuffer(buffer);
    }
  }
}

/**
 * HeapDetermineColumnsInfo for the HOT decision: whether any of `attnums`
 * differs between the old tuple (on the locked page) and the new values.
 * The comparison is of stored images, as heap_attr_equals does: a value
 * that is equal but stored differently (compressed or TOASTed in one and
 * not the other) counts as changed, which only costs a HOT update.
 */
function indexedColumnChanged(rel: Relation, page: Uint8Array, at: number, len: number, values: readonly (TupleValue | null)[], attnums: readonly number[]): boolean {
  for (let i = 0; i < attnums.length; i++) {
    const attnum = attnums[i];
    if (!datumImageEqual(heapGetAttr(rel.desc, page, at, len, attnum), values[attnum - 1] ?? null)) return true;
  }
  return false;
}

/** datum_image_eq over tuple values: same type of JS value and the same bytes. */
export function datumImageEqual(a: TupleValue | null, b: TupleValue | null): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'number') return typeof b === 'number' && Object.is(a, b);
  if (typeof a !== 'object') return a === b;
  if (typeof b !== 'object') return false;
  const ab = a instanceof Uint8Array ? a : isRawVarlena(a) ? a.bytes : null;
  const bb = b instanceof Uint8Array ? b : isRawVarlena(b) ? b.bytes : null;
  if (ab !== null || bb !== null) {
    if (ab === null || bb === null || ab.length !== bb.length || isRawVarlena(a) !== isRawVarlena(b)) return false;
    for (let i = 0; i < ab.length; i++) if (ab[i] !== bb[i]) return false;
    return true;
  }
  const ia = a as Interval;
  const ib = b as Interval;
  return ia.months === ib.months && ia.days === ib.days && ia.micros === ib.micros;
}

Assert(T_HOFF === 22, 'tuple header layout');
