/*
 * nbtpage.ts — B-tree pages through the buffer manager: locking, the
 * metapage and the root, allocating pages, and deleting items
 * (PostgreSQL's nbtpage.c, except page deletion, which is nbtpagedel.ts).
 *
 * Exports: BT_READ, BT_WRITE, btGetBuf, btRelBuf, btRelAndGetBuf,
 *          btLockBuf, btUnlockBuf, btCheckPage, btGetMeta, btMetaToXl,
 *          btAllocBuf, btPageRecyclable, btCreateMetaPage, btGetRoot,
 *          btGetTrueRoot, btGetRootHeight, btDelItemsVacuum, btDelItemsDelete,
 *          btXLogInsert.
 *
 * Rules (README.md, "Locking", numbers the whole list):
 *  - a page is pinned before it is locked, and both are dropped together
 *    by btRelBuf;
 *  - the metapage is locked after any tree page the caller holds, never
 *    before (so lock order is: pages left to right, children before
 *    parents, metapage last);
 *  - the cached metapage (IndexRelation.amcache) is only a hint: the root
 *    it names is checked to be a live page alone on its level before use.
 */

import { BLCKSZ } from '../../constants.ts';
import { BUFFER_LOCK_EXCLUSIVE, BUFFER_LOCK_SHARE, BUFFER_LOCK_UNLOCK } from '../../storage/buffer/buf_internals.ts';
import { pageGetSpecialSize, pageIndexMultiDelete, pageIsNew, pageSetLSN } from '../../storage/page/bufpage.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import { PgError, SQLSTATE, elog } from '../../utils/errors.ts';
import { RM_BTREE_ID } from '../transam/rmgr.ts';
import { REGBUF_STANDARD, REGBUF_WILL_INIT } from '../transam/xloginsert.ts';
import type { IndexRelation } from './indexrel.ts';
import type { BtEnv } from './nbtenv.ts';
import {
  BTP_HAS_GARBAGE,
  BTP_LEAF,
  BTP_ROOT,
  BTREE_HEIGHT_MAX,
  BTREE_MAGIC,
  BTREE_METAPAGE,
  BTREE_MIN_VERSION,
  BTREE_MOVE_RIGHT_MAX,
  BTREE_VERSION,
  MAX_INDEX_TUPLES_PER_PAGE,
  P_NONE,
  SIZE_OF_BT_PAGE_OPAQUE,
} from './nbtree_constants.ts';
import {
  btInitMetaPage,
  btPageGetDeleteXid,
  btPageHasFullXid,
  btPageIgnore,
  btPageInit,
  btPageIsDeleted,
  btPageIsLeftmost,
  btPageIsRightmost,
  btReadMeta,
  btWriteMeta,
  btpoFlags,
  btpoLevel,
  btpoNext,
  btpoSet,
  btpoSetCycleId,
  btpoSetFlags,
  type BtMetaData,
} from './nbtpageops.ts';
import {
  SIZE_OF_BTREE_DELETE,
  SIZE_OF_BTREE_NEWROOT,
  SIZE_OF_BTREE_VACUUM,
  SIZE_OF_XL_BTREE_METADATA,
  XLD_NDELETED,
  XLOG_BTREE_DELETE,
  XLOG_BTREE_NEWROOT,
  XLOG_BTREE_VACUUM,
  XLN_LEVEL,
  XLN_ROOTBLK,
  XLV_NDELETED,
  putU16,
  putU32,
  writeXlMetadata,
  type BtXlMetadata,
} from './nbtxlog.ts';

/**
 * XLogInsert for a change already made in shared buffers (a critical
 * section in PostgreSQL): if the record cannot be written, the pages in
 * memory are ahead of the WAL and only a restart through recovery can
 * repair that, so any failure becomes a PANIC.
 */
export function btXLogInsert(env: BtEnv, info: number): number {
  try {
    return env.wal.insert(RM_BTREE_ID, info);
  } catch (e) {
    if (e instanceof PgError) {
      throw new PgError(e.code, e.message, { detail: e.detail, hint: e.hint, severity: 'PANIC' });
    }
    throw new PgError(SQLSTATE.internal_error, e instanceof Error ? e.message : String(e), { severity: 'PANIC' });
  }
}

/** Access modes of _bt_getbuf: a share or an exclusive content lock. */
export const BT_READ = BUFFER_LOCK_SHARE;
export const BT_WRITE = BUFFER_LOCK_EXCLUSIVE;

function indexCorrupted(message: string, hint?: string): never {
  throw new PgError(SQLSTATE.index_corrupted, message, hint === undefined ? {} : { hint });
}

/** _bt_checkpage: refuses a zero page or one without B-tree special space. */
export function btCheckPage(rel: IndexRelation, page: Uint8Array, blkno: number): void {
  if (pageIsNew(page)) indexCorrupted(`index "${rel.name}" contains unexpected zero page at block ${blkno}`, 'Please REINDEX it.');
  if (pageGetSpecialSize(page) !== SIZE_OF_BT_PAGE_OPAQUE) indexCorrupted(`index "${rel.name}" contains corrupted page at block ${blkno}`, 'Please REINDEX it.');
}

/** _bt_getbuf: the block pinned and locked in `access` mode, checked. */
export function btGetBuf(rel: IndexRelation, env: BtEnv, blkno: number, access: number): number {
  const bm = env.bufmgr;
  const buf = bm.readBuffer(rel.locator, ForkNumber.MAIN, blkno);
  bm.lockBuffer(buf, access);
  try {
    btCheckPage(rel, bm.getPage(buf), blkno);
  } catch (e) {
    bm.unlockReleaseBuffer(buf);
    throw e;
  }
  return buf;
}

/** _bt_relbuf: unlock and unpin. */
export function btRelBuf(env: BtEnv, buf: number): void {
  env.bufmgr.unlockReleaseBuffer(buf);
}

/** _bt_relandgetbuf: releases `obuf` (if any) and gets `blkno`; one lock at a time. */
export function btRelAndGetBuf(rel: IndexRelation, env: BtEnv, obuf: number, blkno: number, access: number): number {
  if (obuf !== 0) env.bufmgr.unlockReleaseBuffer(obuf);
  return btGetBuf(rel, env, blkno, access);
}

export function btLockBuf(env: BtEnv, buf: number, access: number): void {
  env.bufmgr.lockBuffer(buf, access);
}

export function btUnlockBuf(env: BtEnv, buf: number): void {
  env.bufmgr.lockBuffer(buf, BUFFER_LOCK_UNLOCK);
}

/** _bt_getmeta: the metapage's contents, checked for magic and version. */
export function btGetMeta(rel: IndexRelation, page: Uint8Array): BtMetaData {
  const m = btReadMeta(page);
  if (m.magic !== BTREE_MAGIC) indexCorrupted(`index "${rel.name}" is not a btree`);
  if (m.version < BTREE_MIN_VERSION || m.version > BTREE_VERSION) {
    indexCorrupted(`version mismatch in index "${rel.name}": file version ${m.version}, current version ${BTREE_VERSION}, minimal supported version ${BTREE_MIN_VERSION}`);
  }
  return m;
}

/** The metapage fields a WAL record carries (xl_btree_metadata). */
export function btMetaToXl(m: BtMetaData): BtXlMetadata {
  return {
    version: m.version,
    root: m.root,
    level: m.level,
    fastroot: m.fastroot,
    fastlevel: m.fastlevel,
    lastCleanupNumDelpages: m.lastCleanupNumDelpages,
    allequalimage: m.allequalimage,
  };
}

/**
 * BTPageIsRecyclable: a deleted page whose safexid no transaction can
 * still see past, or an all-zero page: one the relation was extended by
 * but that was never used (its extender crashed or failed before the
 * first WAL record). The caller holds the page locked.
 *
 * An all-zero page may also be one another backend is extending the
 * relation with right now: bufmgr.extendBuffer makes the block visible
 * (the file grows) a moment before it locks the new buffer, and would zero
 * the page again after we had put it to use. That backend holds the
 * relation's extension lock until it has the buffer locked, so nobody can
 * extend past it meanwhile: a zero page that is not the last block is never
 * in that window, and only those are reused.
 */
export function btPageRecyclable(rel: IndexRelation, env: BtEnv, page: Uint8Array, blkno: number): boolean {
  if (pageIsNew(page)) return blkno + 1 < env.bufmgr.nblocks(rel.locator, ForkNumber.MAIN);
  if (btPageIsDeleted(page) && btPageHasFullXid(page)) return env.xids.isRemovableFullXid(btPageGetDeleteXid(page));
  return false;
}

/**
 * _bt_allocbuf: a new page, write-locked and initialized (all opaque
 * fields zero). A recyclable page from the free space map if there is one,
 * else the relation is extended. The caller fills the page and WAL-logs it
 * with WILL_INIT, so an allocated page that never gets a WAL record is an
 * all-zero page after a crash, which the next allocation reuses.
 */
export function btAllocBuf(rel: IndexRelation, env: BtEnv): number {
  const bm = env.bufmgr;
  for (let tries = 0; tries < BTREE_MOVE_RIGHT_MAX; tries++) {
    const nblocks = bm.nblocks(rel.locator, ForkNumber.MAIN);
    const blkno = env.fsm.findPage(rel.locator, BLCKSZ / 2, nblocks);
    if (blkno < 0) break;
    // RecordUsedIndexPage: nobody else is sent to it while we look.
    env.fsm.recordFreeSpace(rel.locator, blkno, 0);
    if (blkno === BTREE_METAPAGE) continue;
    const buf = bm.readBuffer(rel.locator, ForkNumber.MAIN, blkno);
    if (bm.conditionalLockBuffer(buf)) {
      const page = bm.getPage(buf);
      if (btPageRecyclable(rel, env, page, blkno)) {
        btPageInit(page);
        return buf;
      }
      bm.unlockReleaseBuffer(buf);
    } else {
      bm.releaseBuffer(buf);
    }
  }
  const buf = bm.extendBuffer(rel.locator, ForkNumber.MAIN);
  btPageInit(bm.getPage(buf));
  return buf;
}

/**
 * Writes the metapage of an empty index into block 0 (btbuildempty and the
 * start of a build): extends the relation, initializes, logs a full image.
 */
export function btCreateMetaPage(rel: IndexRelation, env: BtEnv, root: number, level: number): void {
  const bm = env.bufmgr;
  if (bm.nblocks(rel.locator, ForkNumber.MAIN) !== 0) elog(`index "${rel.name}" already contains data`);
  const buf = bm.extendBuffer(rel.locator, ForkNumber.MAIN);
  if (bm.getBlockNumber(buf) !== BTREE_METAPAGE) elog(`metapage of index "${rel.name}" is not block 0`);
  btInitMetaPage(bm.getPage(buf), root, level, true);
  bm.markBufferDirty(buf);
  env.wal.logNewPage(buf, true);
  bm.unlockReleaseBuffer(buf);
}

const xlMeta = new Uint8Array(SIZE_OF_XL_BTREE_METADATA);
const xlRec = new Uint8Array(16);

/**
 * The first root: a leaf that is also the root, made by the first insert
 * into an empty index (the part of _bt_getroot that creates it). Caller
 * holds metabuf write-locked; returns the root write-locked.
 */
function btCreateFirstRoot(rel: IndexRelation, env: BtEnv, metabuf: number, meta: BtMetaData): number {
  const bm = env.bufmgr;
  const rootbuf = btAllocBuf(rel, env);
  const rootblk = bm.getBlockNumber(rootbuf);
  const rootpage = bm.getPage(rootbuf);
  btpoSet(rootpage, P_NONE, P_NONE, 0, BTP_LEAF | BTP_ROOT, 0);
  const metapage = bm.getPage(metabuf);
  meta.root = rootblk;
  meta.level = 0;
  meta.fastroot = rootblk;
  meta.fastlevel = 0;
  meta.lastCleanupNumDelpages = 0;
  meta.lastCleanupNumHeapTuples = -1;
  btWriteMeta(metapage, meta);
  bm.markBufferDirty(rootbuf);
  bm.markBufferDirty(metabuf);

  const wal = env.wal;
  wal.beginInsert();
  wal.registerBuffer(0, rootbuf, REGBUF_WILL_INIT);
  wal.registerBuffer(2, metabuf, REGBUF_WILL_INIT | REGBUF_STANDARD);
  writeXlMetadata(xlMeta, 0, btMetaToXl(meta));
  wal.registerBufData(2, xlMeta, 0, SIZE_OF_XL_BTREE_METADATA);
  putU32(xlRec, XLN_ROOTBLK, rootblk);
  putU32(xlRec, XLN_LEVEL, 0);
  wal.registerData(xlRec, 0, SIZE_OF_BTREE_NEWROOT);
  const lsn = btXLogInsert(env, XLOG_BTREE_NEWROOT);
  pageSetLSN(rootpage, lsn);
  pageSetLSN(metapage, lsn);
  return rootbuf;
}

/**
 * _bt_getroot: the (fast) root, pinned and read-locked, where descents
 * start; 0 if the index is empty and access is BT_READ. With BT_WRITE an
 * empty index gets its first root (a leaf). Uses and refreshes the cached
 * metapage.
 */
export function btGetRoot(rel: IndexRelation, env: BtEnv, access: number): number {
  const bm = env.bufmgr;
  for (let attempt = 0; attempt < BTREE_MOVE_RIGHT_MAX; attempt++) {
    const cache = rel.amcache;
    if (cache !== null) {
      const buf = btGetBuf(rel, env, cache.fastroot, BT_READ);
      const page = bm.getPage(buf);
      // The cache may be stale: accept only a live page alone on the cached level.
      if (!btPageIgnore(page) && btpoLevel(page) === cache.fastlevel && btPageIsLeftmost(page) && btPageIsRightmost(page)) return buf;
      btRelBuf(env, buf);
      rel.amcache = null;
    }
    const metabuf = btGetBuf(rel, env, BTREE_METAPAGE, BT_READ);
    let meta = btGetMeta(rel, bm.getPage(metabuf));
    if (meta.root === P_NONE) {
      if (access === BT_READ) {
        btRelBuf(env, metabuf);
        return 0;
      }
      btUnlockBuf(env, metabuf);
      btLockBuf(env, metabuf, BT_WRITE);
      meta = btGetMeta(rel, bm.getPage(metabuf));
      if (meta.root !== P_NONE) {
        // Someone else made the root meanwhile: start over.
        btRelBuf(env, metabuf);
        continue;
      }
      const rootbuf = btCreateFirstRoot(rel, env, metabuf, meta);
      btUnlockBuf(env, rootbuf);
      btLockBuf(env, rootbuf, BT_READ);
      btRelBuf(env, metabuf);
      return rootbuf;
    }
    rel.amcache = { root: meta.root, level: meta.level, fastroot: meta.fastroot, fastlevel: meta.fastlevel };
    return btWalkToLiveRoot(rel, env, metabuf, meta.fastroot, meta.fastlevel);
  }
  return elog(`could not find the root of index "${rel.name}"`);
}

/**
 * From the metapage (whose buffer `buf` holds, read-locked) to the first live
 * page at or right of `rootblk`, read-locked, checked to be at
 * `expectedLevel`. A root deleted by a concurrent page deletion is skipped
 * by moving right, as _bt_getroot and _bt_gettrueroot both do.
 */
function btWalkToLiveRoot(rel: IndexRelation, env: BtEnv, buf: number, rootblk: number, expectedLevel: number): number {
  const bm = env.bufmgr;
  for (let hops = 0; ; hops++) {
    if (hops > BTREE_MOVE_RIGHT_MAX) indexCorrupted(`no live root page found in index "${rel.name}"`);
    buf = btRelAndGetBuf(rel, env, buf, rootblk, BT_READ);
    const page = bm.getPage(buf);
    if (!btPageIgnore(page)) break;
    if (btPageIsRightmost(page)) {
      btRelBuf(env, buf);
      indexCorrupted(`no live root page found in index "${rel.name}"`);
    }
    rootblk = btpoNext(page);
  }
  const level = btpoLevel(bm.getPage(buf));
  if (level !== expectedLevel) {
    btRelBuf(env, buf);
    rel.amcache = null;
    indexCorrupted(`root page ${rootblk} of index "${rel.name}" has level ${level}, expected ${expectedLevel}`);
  }
  return buf;
}

/**
 * _bt_gettrueroot: the true root (not the fast root), read-locked; 0 if
 * the index is empty. Page deletion and the structure check need the top.
 */
export function btGetTrueRoot(rel: IndexRelation, env: BtEnv): number {
  const bm = env.bufmgr;
  rel.amcache = null;
  const metabuf = btGetBuf(rel, env, BTREE_METAPAGE, BT_READ);
  const meta = btGetMeta(rel, bm.getPage(metabuf));
  if (meta.root === P_NONE) {
    btRelBuf(env, metabuf);
    return 0;
  }
  if (meta.level >= BTREE_HEIGHT_MAX) indexCorrupted(`index "${rel.name}" claims ${meta.level + 1} levels`);
  const buf = btWalkToLiveRoot(rel, env, metabuf, meta.root, meta.level);
  return buf;
}

/**
 * _bt_getrootheight: the fast root's level, which is what a descent
 * costs in internal pages (0 for an empty or one-page index). The planner's
 * B-tree cost uses it.
 */
export function btGetRootHeight(rel: IndexRelation, env: BtEnv): number {
  if (rel.amcache === null) {
    const metabuf = btGetBuf(rel, env, BTREE_METAPAGE, BT_READ);
    const meta = btGetMeta(rel, env.bufmgr.getPage(metabuf));
    btRelBuf(env, metabuf);
    if (meta.root === P_NONE) return 0;
    rel.amcache = { root: meta.root, level: meta.level, fastroot: meta.fastroot, fastlevel: meta.fastlevel };
  }
  return rel.amcache.fastlevel;
}

const delOffsets = new Uint8Array(2 * MAX_INDEX_TUPLES_PER_PAGE);

function logDeletion(env: BtEnv, buf: number, deletable: Uint16Array, n: number, rec: Uint8Array, recLen: number, info: number): void {
  for (let i = 0; i < n; i++) putU16(delOffsets, 2 * i, deletable[i]);
  const wal = env.wal;
  wal.beginInsert();
  wal.registerBuffer(0, buf, REGBUF_STANDARD);
  wal.registerBufData(0, delOffsets, 0, 2 * n);
  wal.registerData(rec, 0, recLen);
  pageSetLSN(env.bufmgr.getPage(buf), btXLogInsert(env, info));
}

/**
 * _bt_delitems_vacuum: VACUUM removes the items deletable[0..n) (ascending
 * offsets) from a leaf it holds a cleanup lock on, clearing the page's
 * vacuum cycle id and its has-garbage hint.
 */
export function btDelItemsVacuum(env: BtEnv, buf: number, deletable: Uint16Array, n: number): void {
  const bm = env.bufmgr;
  const page = bm.getPage(buf);
  pageIndexMultiDelete(page, deletable, n);
  btpoSetCycleId(page, 0);
  btpoSetFlags(page, btpoFlags(page) & ~BTP_HAS_GARBAGE);
  bm.markBufferDirty(buf);
  const rec = xlRec;
  putU16(rec, XLV_NDELETED, n);
  putU16(rec, XLV_NDELETED + 2, 0);
  logDeletion(env, buf, deletable, n, rec, SIZE_OF_BTREE_VACUUM, XLOG_BTREE_VACUUM);
}

/**
 * _bt_delitems_delete: an inserter removes LP_DEAD items from a full leaf
 * it holds write-locked, to avoid a split. Only a write lock is needed: no
 * scan can still need these entries, because their heap rows are dead to
 * everyone and their heap TIDs are not reused until VACUUM has passed this
 * page with a cleanup lock (README.md, "Deleting items").
 */
export function btDelItemsDelete(env: BtEnv, buf: number, deletable: Uint16Array, n: number): void {
  const bm = env.bufmgr;
  const page = bm.getPage(buf);
  pageIndexMultiDelete(page, deletable, n);
  btpoSetFlags(page, btpoFlags(page) & ~BTP_HAS_GARBAGE);
  bm.markBufferDirty(buf);
  const rec = xlRec;
  putU32(rec, 0, 0); // snapshotConflictHorizon: only hot standby needs it
  putU16(rec, XLD_NDELETED, n);
  putU16(rec, XLD_NDELETED + 2, 0);
  rec[8] = 0;
  logDeletion(env, buf, deletable, n, rec, SIZE_OF_BTREE_DELETE, XLOG_BTREE_DELETE);
}
