/*
 * nbtinsert.ts — inserting into the tree (PostgreSQL's nbtinsert.c): the
 * unique check, finding the place, adding the item, and posting a split's
 * downlink to the parent. Splitting the page itself is nbtsplit.ts.
 *
 * Exports: btDoInsert, btInsertOnPg (the posting of downlinks is nbtparent.ts).
 *
 * An insert (README.md, "Inserting" and "Locking"):
 *   1. descend with read locks, write-locking only the leaf (btSearch), or
 *      take the cached rightmost leaf when keys keep increasing;
 *   2. unique index: look at every equal key on the leaf and to its right
 *      while holding the leaf's write lock, so no conflicting insert can
 *      slip in (btCheckUnique);
 *   3. move right while the key belongs further right (a concurrent split);
 *   4. no room: remove LP_DEAD items; still no room: split (nbtsplit.ts),
 *      which leaves both halves write-locked and the left one flagged
 *      INCOMPLETE_SPLIT;
 *   5. re-find the parent from the descent's stack, write-lock it, release
 *      the right half, insert the downlink; that record clears the flag on
 *      the left half, which is unlocked last. Splitting the parent repeats
 *      4-5 one level up; splitting the root makes a new root above both.
 * A crash between 4 and 5 leaves the flag set: the next insert or
 * deletion that meets the page finishes the split first (btFinishSplit).
 */

import { BUFFER_LOCK_UNLOCK } from '../../storage/buffer/buf_internals.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import {
  itemIdGet,
  itemIdGetOffset,
  itemIdIsDead,
  itemIdMarkDead,
  pageAddItem,
  pageGetFreeSpace,
  pageGetMaxOffsetNumber,
  pageSetLSN,
} from '../../storage/page/bufpage.ts';
import { PgError, SQLSTATE, elog } from '../../utils/errors.ts';
import type { Tid } from '../common/itemptr.ts';
import { REGBUF_STANDARD, REGBUF_WILL_INIT } from '../transam/xloginsert.ts';
import type { IndexRelation } from './indexrel.ts';
import { indexDeformTuple, indexTupleSize, itupGetHeapTid, type IndexValue } from './itup.ts';
import { btCompare, btMakeScanKey, type BTScanInsert } from './nbtcompare.ts';
import type { BtEnv, UniqueCheckHeap, UniqueCheckMode } from './nbtenv.ts';
import {
  BT_READ,
  BT_WRITE,
  btCheckPage,
  btDelItemsDelete,
  btGetBuf,
  btGetMeta,
  btGetRootHeight,
  btMetaToXl,
  btRelAndGetBuf,
  btRelBuf,
  btXLogInsert,
} from './nbtpage.ts';
import {
  btPageFirstDataKey,
  btPageIgnore,
  btPageIncompleteSplit,
  btPageIsLeaf,
  btPageIsLeftmost,
  btPageIsRightmost,
  btPageIsRoot,
  btWriteMeta,
  btpoFlags,
  btpoLevel,
  btpoNext,
  btpoSetFlags,
} from './nbtpageops.ts';
import { btSearch, btBinSrch, type BTStack } from './nbtsearch.ts';
import { btFinishSplit, btInsertParent } from './nbtparent.ts';
import { btSplit } from './nbtsplit.ts';
import {
  BT_MAX_ITEM_SIZE,
  BTP_HAS_GARBAGE,
  BTP_INCOMPLETE_SPLIT,
  BTREE_FASTPATH_MIN_LEVEL,
  BTREE_METAPAGE,
  BTREE_MOVE_RIGHT_MAX,
  BTREE_UNIQUE_RETRIES_MAX,
  BTREE_VERSION,
  MAX_INDEX_TUPLES_PER_PAGE,
  P_HIKEY,
} from './nbtree_constants.ts';
import { NO_TID, btTupleGetHeapTid } from './nbttuple.ts';
import { btBuildIndexValueDescription } from './nbtutils.ts';
import {
  SIZE_OF_BTREE_INSERT,
  SIZE_OF_XL_BTREE_METADATA,
  XLOG_BTREE_INSERT_LEAF,
  XLOG_BTREE_INSERT_META,
  XLOG_BTREE_INSERT_UPPER,
  putU16,
  writeXlMetadata,
} from './nbtxlog.ts';

/** The state of one insertion (BTInsertStateData). */
interface InsertState {
  readonly itup: Uint8Array;
  readonly itemsz: number;
  readonly key: BTScanInsert;
  /** The leaf we hold write-locked (changes when we move right). */
  buf: number;
}

const xlRec = new Uint8Array(16);
const xlMeta = new Uint8Array(SIZE_OF_XL_BTREE_METADATA);
const deletable = new Uint16Array(MAX_INDEX_TUPLES_PER_PAGE);

/**
 * _bt_check_third_page: a tuple too large for a B-tree page is refused with
 * PostgreSQL's message (it must leave room for three per page).
 */
function checkItemSize(rel: IndexRelation, itemsz: number, htid: Tid, heap: UniqueCheckHeap | null): void {
  if (itemsz <= BT_MAX_ITEM_SIZE) return;
  const heapName = heap?.rel?.name ?? '';
  throw new PgError(
    SQLSTATE.program_limit_exceeded,
    `index row size ${itemsz} exceeds btree version ${BTREE_VERSION} maximum ${BT_MAX_ITEM_SIZE} for index "${rel.name}"`,
    {
      detail: `Index row references tuple (${Math.floor(htid / 65536)},${htid % 65536}) in relation "${heapName}".`,
      hint: 'Values larger than 1/3 of a buffer page cannot be indexed.\nConsider a function index of an MD5 hash of the value, or use full text indexing.',
    },
  );
}

/**
 * _bt_doinsert: inserts the formed index tuple at the start of `itup`
 * (t_tid = heap TID; the array may be longer than the tuple, whose size is
 * in its t_info). `itupView`, a DataView of itup, saves a lookup when the
 * caller forms into a scratch it keeps. Returns false only for a 'partial'
 * unique check that saw a possible conflict (the caller re-checks at
 * commit); raises 23505 on a definite conflict.
 */
export function btDoInsert(
  rel: IndexRelation,
  env: BtEnv,
  itup: Uint8Array,
  heap: UniqueCheckHeap | null,
  checkUnique: UniqueCheckMode,
  itupView?: DataView,
): boolean {
  const itemsz = indexTupleSize(itup, 0);
  const htid = itupGetHeapTid(itup, 0);
  checkItemSize(rel, itemsz, htid, heap);
  const key = btMakeScanKey(rel, itup, 0, itupView);
  let checkingunique = checkUnique !== 'no';
  let isUnique = true;
  if (checkingunique) {
    if (heap === null) elog(`unique check on index "${rel.name}" without a heap relation`);
    // NULLs are distinct from everything, so a key with one cannot conflict.
    if (key.anynullkeys) checkingunique = false;
    else key.scantid = NO_TID;
  }
  for (let attempt = 0; ; attempt++) {
    if (attempt > BTREE_UNIQUE_RETRIES_MAX) elog(`gave up waiting for conflicting inserts into index "${rel.name}"`);
    const { buf, stack } = searchInsert(rel, env, key, itemsz);
    const ins: InsertState = { itup, itemsz, key, buf };
    if (checkingunique) {
      const r = checkUnique_(rel, env, ins, heap!, checkUnique);
      if (r.xwait !== 0) {
        btRelBuf(env, ins.buf);
        heap!.waitForXact(r.xwait, r.speculativeToken);
        key.scantid = NO_TID;
        continue;
      }
      isUnique = r.isUnique;
      key.scantid = htid;
    }
    if (checkUnique === 'existing') {
      btRelBuf(env, ins.buf);
      return isUnique;
    }
    // SSI: a serializable reader of this leaf's key range read before our insert (README.md, "SSI").
    env.predicate?.checkForSerializableConflictIn(rel.oid, null, env.bufmgr.getBlockNumber(ins.buf));
    const newitemoff = findInsertLoc(rel, env, ins, checkingunique, stack);
    btInsertOnPg(rel, env, ins.buf, 0, stack, itup, itemsz, newitemoff, false);
    return isUnique;
  }
}

/**
 * _bt_search_insert: the leaf to insert into, write-locked. Tries the
 * cached rightmost leaf first (keys that keep increasing all go there): it
 * is used only if it is still the rightmost leaf, has room for the item
 * without a split, and the key belongs after its first item. No stack is
 * needed then, since nothing will split.
 */
function searchInsert(rel: IndexRelation, env: BtEnv, key: BTScanInsert, itemsz: number): { buf: number; stack: BTStack | null } {
  const bm = env.bufmgr;
  if (rel.targetBlock >= 0) {
    const buf = bm.readBuffer(rel.locator, ForkNumber.MAIN, rel.targetBlock);
    if (bm.conditionalLockBuffer(buf)) {
      const page = bm.getPage(buf);
      btCheckPage(rel, page, rel.targetBlock);
      const first = btPageFirstDataKey(page);
      if (
        btPageIsLeaf(page) && btPageIsRightmost(page) && !btPageIgnore(page) && !btPageIncompleteSplit(page) &&
        pageGetFreeSpace(page) > itemsz && pageGetMaxOffsetNumber(page) >= first && btCompare(rel, key, page, first) > 0
      ) {
        return { buf, stack: null };
      }
      bm.lockBuffer(buf, BUFFER_LOCK_UNLOCK);
    }
    bm.releaseBuffer(buf);
    rel.targetBlock = -1;
  }
  return btSearch(rel, env, key, BT_WRITE);
}

/**
 * _bt_check_unique: walks the items equal to the key (without heap TID)
 * from the write-locked leaf rightwards, asking the heap about each. A live
 * one is a conflict (23505); one whose inserter or deleter is still running
 * returns its XID for the caller to wait on; dead ones are marked LP_DEAD.
 */
function checkUnique_(rel: IndexRelation, env: BtEnv, ins: InsertState, heap: UniqueCheckHeap, mode: UniqueCheckMode): { xwait: number; speculativeToken: number; isUnique: boolean } {
  const bm = env.bufmgr;
  const key = ins.key;
  const ownTid = itupGetHeapTid(ins.itup, 0);
  let curBuf = ins.buf;
  let page = bm.getPage(curBuf);
  let offset = btBinSrch(rel, key, page);
  let maxoff = pageGetMaxOffsetNumber(page);
  let nbuf = 0;
  let found = false;
  const releaseNbuf = (): void => {
    if (nbuf !== 0) btRelBuf(env, nbuf);
    nbuf = 0;
  };
  for (let steps = 0; ; steps++) {
    if (steps > BTREE_MOVE_RIGHT_MAX * MAX_INDEX_TUPLES_PER_PAGE) elog(`unique check of index "${rel.name}" did not end`);
    if (offset <= maxoff) {
      const lp = itemIdGet(page, offset);
      if (!itemIdIsDead(lp)) {
        // Past the last equal key: done. (btCompare is for ordering; two NULLs compare equal,
        // but keys with NULLs never get here.)
        if (btCompare(rel, key, page, offset) !== 0) break;
        const htid = btTupleGetHeapTid(page, itemIdGetOffset(lp));
        if (mode === 'existing' && htid === ownTid) {
          found = true;
        } else {
          const r = heap.fetchDirty(htid);
          if (r.found) {
            if (mode === 'partial') {
              releaseNbuf();
              return { xwait: 0, speculativeToken: 0, isUnique: false };
            }
            if (r.xwait !== 0) {
              releaseNbuf();
              return { xwait: r.xwait, speculativeToken: r.speculativeToken, isUnique: true };
            }
            releaseNbuf();
            btRelBuf(env, ins.buf);
            ins.buf = 0;
            raiseUniqueViolation(rel, heap, ins.itup);
          } else if (r.allDead) {
            // Dead to everyone: a hint for later inserts and scans (not WAL-logged).
            itemIdMarkDead(page, offset);
            btpoSetFlags(page, btpoFlags(page) | BTP_HAS_GARBAGE);
            bm.markBufferDirtyHint(curBuf, true);
          }
        }
      }
    }
    if (offset < maxoff) {
      offset++;
      continue;
    }
    // Equal keys may continue on the next page if the high key is equal too.
    if (btPageIsRightmost(page)) break;
    if (btCompare(rel, key, page, P_HIKEY) !== 0) break;
    let nblkno = btpoNext(page);
    for (let hops = 0; ; hops++) {
      if (hops > BTREE_MOVE_RIGHT_MAX) elog(`fell off the end of index "${rel.name}"`);
      nbuf = btRelAndGetBuf(rel, env, nbuf, nblkno, BT_READ);
      page = bm.getPage(nbuf);
      if (!btPageIgnore(page)) break;
      if (btPageIsRightmost(page)) {
        releaseNbuf();
        throw new PgError(SQLSTATE.index_corrupted, `fell off the end of index "${rel.name}"`);
      }
      nblkno = btpoNext(page);
    }
    curBuf = nbuf;
    maxoff = pageGetMaxOffsetNumber(page);
    offset = btPageFirstDataKey(page);
  }
  releaseNbuf();
  if (mode === 'existing' && !found) {
    btRelBuf(env, ins.buf);
    ins.buf = 0;
    throw new PgError(SQLSTATE.internal_error, `failed to re-find tuple within index "${rel.name}"`, {
      hint: 'This may be because of a non-immutable index expression.',
    });
  }
  return { xwait: 0, speculativeToken: 0, isUnique: true };
}

/** The 23505 error, worded and detailed as PostgreSQL does. */
function raiseUniqueViolation(rel: IndexRelation, heap: UniqueCheckHeap, itup: Uint8Array): never {
  const values: IndexValue[] = new Array<IndexValue>(rel.nkeyatts).fill(null);
  const isnull: boolean[] = new Array<boolean>(rel.nkeyatts).fill(false);
  indexDeformTuple(rel.desc, itup, 0, rel.nkeyatts, values, isnull);
  throw new PgError(SQLSTATE.unique_violation, `duplicate key value violates unique constraint "${rel.name}"`, {
    detail: `Key ${btBuildIndexValueDescription(rel, values)} already exists.`,
    constraint: rel.name,
    ...(heap.rel !== null ? { table: heap.rel.name } : {}),
  });
}

/**
 * _bt_stepright: moves the insertion to the right sibling, write-locking it
 * before releasing the current page (left to right), finishing an
 * incomplete split and skipping dead pages on the way.
 */
function stepRight(rel: IndexRelation, env: BtEnv, ins: InsertState, stack: BTStack | null): void {
  const bm = env.bufmgr;
  let rblkno = btpoNext(bm.getPage(ins.buf));
  let rbuf = 0;
  for (let hops = 0; ; hops++) {
    if (hops > BTREE_MOVE_RIGHT_MAX) elog(`fell off the end of index "${rel.name}"`);
    rbuf = btRelAndGetBuf(rel, env, rbuf, rblkno, BT_WRITE);
    const page = bm.getPage(rbuf);
    if (btPageIncompleteSplit(page)) {
      btFinishSplit(rel, env, rbuf, stack);
      rbuf = 0;
      continue;
    }
    if (!btPageIgnore(page)) break;
    if (btPageIsRightmost(page)) {
      btRelBuf(env, rbuf);
      throw new PgError(SQLSTATE.index_corrupted, `fell off the end of index "${rel.name}"`);
    }
    rblkno = btpoNext(page);
  }
  btRelBuf(env, ins.buf);
  ins.buf = rbuf;
}

/**
 * _bt_findinsertloc: the offset to insert at, after moving right past
 * pages whose high key is below the key (only possible after a unique
 * check, which searched without the heap TID) and, if the page is full,
 * removing LP_DEAD items to avoid a split.
 */
function findInsertLoc(rel: IndexRelation, env: BtEnv, ins: InsertState, checkingunique: boolean, stack: BTStack | null): number {
  const bm = env.bufmgr;
  if (checkingunique) {
    for (let hops = 0; ; hops++) {
      if (hops > BTREE_MOVE_RIGHT_MAX) elog(`fell off the end of index "${rel.name}"`);
      const page = bm.getPage(ins.buf);
      if (btPageIsRightmost(page) || btCompare(rel, ins.key, page, P_HIKEY) <= 0) break;
      stepRight(rel, env, ins, stack);
    }
  }
  const page = bm.getPage(ins.buf);
  if (pageGetFreeSpace(page) < ins.itemsz) deleteDeadItems(env, ins.buf);
  return btBinSrch(rel, ins.key, page);
}

/** The LP_DEAD part of _bt_delete_or_dedup_one_page: drops killed items from a full leaf. */
function deleteDeadItems(env: BtEnv, buf: number): void {
  const page = env.bufmgr.getPage(buf);
  const maxoff = pageGetMaxOffsetNumber(page);
  let n = 0;
  for (let off = btPageFirstDataKey(page); off <= maxoff; off++) {
    if (itemIdIsDead(itemIdGet(page, off))) deletable[n++] = off;
  }
  if (n > 0) btDelItemsDelete(env, buf, deletable, n);
}

/**
 * _bt_insertonpg: adds itup at newitemoff of the write-locked `buf`,
 * splitting if it does not fit. On an internal page, `cbuf` is the
 * write-locked child whose split this downlink completes; the same record
 * clears its INCOMPLETE_SPLIT flag. Releases buf and cbuf. splitOnlyPage:
 * the child was alone on its level (perhaps the fast root), so the fast
 * root may have to move up to this page.
 */
export function btInsertOnPg(
  rel: IndexRelation,
  env: BtEnv,
  buf: number,
  cbuf: number,
  stack: BTStack | null,
  itup: Uint8Array,
  itemsz: number,
  newitemoff: number,
  splitOnlyPage: boolean,
): void {
  const bm = env.bufmgr;
  const page = bm.getPage(buf);
  const isleaf = btPageIsLeaf(page);
  const isroot = btPageIsRoot(page);
  const isrightmost = btPageIsRightmost(page);
  const isonly = btPageIsLeftmost(page) && isrightmost;
  if (isleaf !== (cbuf === 0)) elog('a child buffer must be given exactly when inserting into an internal page');
  if (btPageIncompleteSplit(page)) elog(`cannot insert to incompletely split page ${bm.getBlockNumber(buf)}`);

  if (pageGetFreeSpace(page) < itemsz) {
    const rbuf = btSplit(rel, env, buf, cbuf, newitemoff, itemsz, itup);
    // PredicateLockPageSplit, with both halves still locked: SIREAD locks on the range cover its right half too.
    if (isleaf) env.predicate?.pageSplit(rel.oid, bm.getBlockNumber(buf), bm.getBlockNumber(rbuf));
    btInsertParent(rel, env, buf, rbuf, stack, isroot, isonly);
    return;
  }

  let metabuf = 0;
  if (splitOnlyPage) {
    metabuf = btGetBuf(rel, env, BTREE_METAPAGE, BT_WRITE);
    if (btGetMeta(rel, bm.getPage(metabuf)).fastlevel >= btpoLevel(page)) {
      btRelBuf(env, metabuf);
      metabuf = 0;
    }
  }
  if (pageAddItem(page, itup, 0, itemsz, newitemoff, false, false) !== newitemoff) {
    throw new PgError(SQLSTATE.internal_error, `failed to add new item to block ${bm.getBlockNumber(buf)} in index "${rel.name}"`, { severity: 'PANIC' });
  }
  bm.markBufferDirty(buf);
  let meta = null;
  if (metabuf !== 0) {
    const metapage = bm.getPage(metabuf);
    meta = btGetMeta(rel, metapage);
    meta.fastroot = bm.getBlockNumber(buf);
    meta.fastlevel = btpoLevel(page);
    btWriteMeta(metapage, meta);
    bm.markBufferDirty(metabuf);
    rel.amcache = null;
  }
  if (!isleaf) {
    const cpage = bm.getPage(cbuf);
    btpoSetFlags(cpage, btpoFlags(cpage) & ~BTP_INCOMPLETE_SPLIT);
    bm.markBufferDirty(cbuf);
  }

  const wal = env.wal;
  wal.beginInsert();
  putU16(xlRec, 0, newitemoff);
  wal.registerData(xlRec, 0, SIZE_OF_BTREE_INSERT);
  let info = XLOG_BTREE_INSERT_LEAF;
  if (!isleaf) {
    info = XLOG_BTREE_INSERT_UPPER;
    wal.registerBuffer(1, cbuf, REGBUF_STANDARD);
    if (meta !== null) {
      info = XLOG_BTREE_INSERT_META;
      wal.registerBuffer(2, metabuf, REGBUF_WILL_INIT | REGBUF_STANDARD);
      writeXlMetadata(xlMeta, 0, btMetaToXl(meta));
      wal.registerBufData(2, xlMeta, 0, SIZE_OF_XL_BTREE_METADATA);
    }
  }
  wal.registerBuffer(0, buf, REGBUF_STANDARD);
  wal.registerBufData(0, itup, 0, itemsz);
  const lsn = btXLogInsert(env, info);
  if (metabuf !== 0) pageSetLSN(bm.getPage(metabuf), lsn);
  if (!isleaf) pageSetLSN(bm.getPage(cbuf), lsn);
  pageSetLSN(page, lsn);

  if (metabuf !== 0) btRelBuf(env, metabuf);
  if (!isleaf) btRelBuf(env, cbuf);
  const cacheBlock = isrightmost && isleaf && !isroot ? bm.getBlockNumber(buf) : -1;
  btRelBuf(env, buf);
  if (cacheBlock >= 0 && btGetRootHeight(rel, env) >= BTREE_FASTPATH_MIN_LEVEL) rel.targetBlock = cacheBlock;
}
