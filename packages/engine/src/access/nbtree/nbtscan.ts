/*
 * nbtscan.ts — index scans: positioning on the first match, reading a leaf
 * page's matches at once, stepping to siblings in either direction, and
 * marking dead entries (PostgreSQL's _bt_first, _bt_next, _bt_readpage,
 * _bt_steppage, _bt_walk_left, _bt_endpoint in nbtsearch.c, and
 * _bt_killitems in nbtutils.c).
 *
 * Exports: ScanDirection, BTScanOptions, BTScan.
 *
 * A scan's states (transition -> method):
 *
 *   NEW --next(): first() positions and reads a page--> ON_PAGE
 *   ON_PAGE --next(): next item on the page--> ON_PAGE
 *   ON_PAGE --next(): page exhausted, stepPage() reads a sibling--> ON_PAGE
 *   ON_PAGE or NEW --no more matches--> DONE
 *   any --rescan()--> NEW          any --end()--> ENDED
 *
 * Locking (README.md rules): the scan holds one page lock at a time and
 * only while reading a page: it copies every matching item of the page
 * (heap TIDs, and the tuples for index-only scans) and unlocks it, keeping
 * the page pinned while its items are returned. That pin is what keeps
 * VACUUM, which needs a cleanup lock on each leaf, from removing entries
 * (and letting their heap TIDs be reused) under the scan. Stepping right
 * uses the right-link saved while the page was locked, which is correct
 * even if the page has split since: everything that moved right was read
 * before it moved. Stepping left must cope with the left sibling having
 * split or been deleted meanwhile (walkLeft).
 */

import { BLCKSZ } from '../../constants.ts';
import {
  itemIdGet,
  itemIdGetOffset,
  itemIdIsDead,
  itemIdMarkDead,
  pageGetMaxOffsetNumber,
} from '../../storage/page/bufpage.ts';
import { Assert, PgError, SQLSTATE, elog } from '../../utils/errors.ts';
import type { Tid } from '../common/itemptr.ts';
import { INDOPTION_NULLS_FIRST, type IndexRelation } from './indexrel.ts';
import { indexDeformTuple, indexTupleSize, itupGetHeapTid, type IndexValue } from './itup.ts';
import type { BTScanInsert } from './nbtcompare.ts';
import type { BtEnv } from './nbtenv.ts';
import { BT_READ, btGetBuf, btLockBuf, btRelAndGetBuf, btRelBuf, btUnlockBuf } from './nbtpage.ts';
import {
  btPageFirstDataKey,
  btPageIgnore,
  btPageIsDeleted,
  btPageIsLeftmost,
  btPageIsRightmost,
  btpoFlags,
  btpoNext,
  btpoPrev,
  btpoSetFlags,
} from './nbtpageops.ts';
import { btBinSrch, btGetEndpoint, btSearch } from './nbtsearch.ts';
import {
  BTP_HAS_GARBAGE,
  BTREE_MOVE_RIGHT_MAX,
  BTREE_WALK_LEFT_HOPS,
  BTREE_WALK_LEFT_TRIES_MAX,
  MAX_INDEX_TUPLES_PER_PAGE,
  P_HIKEY,
  P_NONE,
} from './nbtree_constants.ts';
import { NO_TID, btTupleGetNAtts } from './nbttuple.ts';
import {
  STRAT_EQ,
  STRAT_GE,
  STRAT_GT,
  STRAT_LE,
  STRAT_LT,
  btCheckKeys,
  btHighKeyEndsScan,
  btPreprocessKeys,
  checkState,
  type BtKey,
  type PreparedKeys,
  type ScanKey,
} from './nbtutils.ts';

export type ScanDirection = 'forward' | 'backward';

export interface BTScanOptions {
  direction?: ScanDirection;
  /** Keep each returned entry's key values (index-only scans): getValues() works. */
  indexOnly?: boolean;
  /**
   * A serializable transaction's scan (storage/lmgr/predicate.ts): every
   * leaf read takes a SIREAD page lock, an empty index a relation lock.
   */
  predicate?: BtScanPredicate;
}

/** The SIREAD locks a B-tree scan takes (PredicateLockManager's SerializableReadScan). */
export interface BtScanPredicate {
  lockPage(relOid: number, blkno: number): void;
  lockRelation(relOid: number): void;
}

const enum ScanState {
  New,
  OnPage,
  Done,
  Ended,
}

const MAXITEMS = MAX_INDEX_TUPLES_PER_PAGE;

/**
 * The per-page item arrays of a scan (BTScanPosData's items): room for a
 * whole leaf page's matches, about 5.6 KB, plus a page-sized tuple buffer
 * for index-only scans. Allocating them costs more than a primary-key
 * lookup's whole descent, so ended scans hand them back to a small free
 * list and the next scan takes them (a lookup loop then allocates none).
 * The contents need no clearing: a scan only reads items readPage wrote.
 */
interface ScanPosArrays {
  readonly heapTids: Float64Array;
  readonly indexOffsets: Uint16Array;
  readonly tupleOffsets: Int32Array;
  /** Empty until an index-only scan first needs it. */
  tuples: Uint8Array;
}

const NO_TUPLES = new Uint8Array(0);
/** Enough for the scans one statement keeps open at once in practice (nested loops, several indexes). */
const POS_POOL_MAX = 16;
const posPool: ScanPosArrays[] = [];

function acquirePos(indexOnly: boolean): ScanPosArrays {
  const pos = posPool.pop() ?? { heapTids: new Float64Array(MAXITEMS), indexOffsets: new Uint16Array(MAXITEMS), tupleOffsets: new Int32Array(MAXITEMS), tuples: NO_TUPLES };
  if (indexOnly && pos.tuples.length === 0) pos.tuples = new Uint8Array(BLCKSZ);
  return pos;
}

function releasePos(pos: ScanPosArrays): void {
  if (posPool.length < POS_POOL_MAX) posPool.push(pos);
}

/** An index scan (IndexScanDesc with BTScanOpaqueData). */
export class BTScan {
  readonly rel: IndexRelation;
  private readonly env: BtEnv;
  private keys: PreparedKeys;
  direction: ScanDirection;
  private readonly indexOnly: boolean;
  private readonly predicate: BtScanPredicate | null;
  private state = ScanState.New;

  // The current page (BTScanPosData).
  private buf = 0; // pinned, not locked, while on a page
  private currPage = P_NONE;
  private nextPage = P_NONE;
  private moreLeft = false;
  private moreRight = false;
  private firstItem = 0;
  private lastItem = -1;
  private itemIndex = 0;
  /** From the free list until end() gives them back; the four fields below are its arrays. */
  private pos: ScanPosArrays | null;
  private heapTids: Float64Array;
  private indexOffsets: Uint16Array;
  private tupleOffsets: Int32Array;
  private tuples: Uint8Array;
  private tuplesUsed = 0;
  private readonly killed: number[] = [];

  constructor(rel: IndexRelation, env: BtEnv, keys: readonly ScanKey[], options: BTScanOptions = {}) {
    this.rel = rel;
    this.env = env;
    this.keys = btPreprocessKeys(rel, keys);
    this.direction = options.direction ?? 'forward';
    this.indexOnly = options.indexOnly === true;
    this.predicate = options.predicate ?? null;
    const pos = acquirePos(this.indexOnly);
    this.pos = pos;
    this.heapTids = pos.heapTids;
    this.indexOffsets = pos.indexOffsets;
    this.tupleOffsets = pos.tupleOffsets;
    this.tuples = pos.tuples;
  }

  /**
   * Checks the scan's state against the diagram above: only ON_PAGE holds
   * a pin, and its item index lies within the page's saved items.
   */
  assertState(): void {
    if (this.state === ScanState.OnPage) {
      Assert(this.buf !== 0 && this.firstItem <= this.itemIndex && this.itemIndex <= this.lastItem, 'scan on a page without a current item');
      Assert(this.env.bufmgr.pinCount(this.buf) > 0 && this.env.bufmgr.heldLockMode(this.buf) === 0, 'scan page must be pinned and unlocked');
    } else {
      Assert(this.buf === 0 || this.state === ScanState.New, 'a scan not on a page holds a pin');
      Assert(this.killed.length === 0, 'killed items outlived their page');
    }
  }

  /** The heap TID of the current entry (valid after next() returned true). */
  get heapTid(): Tid {
    return this.heapTids[this.itemIndex];
  }

  /** The current entry's key values (index-only scans). */
  getValues(values: IndexValue[], isnull: boolean[]): void {
    if (!this.indexOnly) elog('getValues needs an index-only scan');
    if (this.state !== ScanState.OnPage) elog('no current index entry');
    indexDeformTuple(this.rel.desc, this.tuples, this.tupleOffsets[this.itemIndex], this.rel.nkeyatts, values, isnull);
  }

  /**
   * btgettuple: advances to the next matching entry in `dir` (default: the
   * scan's direction); false when there are no more.
   */
  next(dir: ScanDirection = this.direction): boolean {
    const forward = dir === 'forward';
    switch (this.state) {
      case ScanState.Ended:
        elog('index scan used after end()');
      // eslint-disable-next-line no-fallthrough
      case ScanState.Done:
        return false;
      case ScanState.New:
        if (this.first(forward)) {
          this.state = ScanState.OnPage;
          return true;
        }
        this.state = ScanState.Done;
        return false;
      case ScanState.OnPage:
        if (forward ? ++this.itemIndex <= this.lastItem : --this.itemIndex >= this.firstItem) return true;
        if (this.stepPage(forward)) return true;
        this.state = ScanState.Done;
        return false;
    }
  }

  /**
   * kill_prior_tuple: the caller found the current entry's heap row dead to
   * every transaction; the entry is marked LP_DEAD before the scan leaves
   * the page, so later scans skip it and inserts may reclaim it.
   */
  killPriorTuple(): void {
    if (this.state === ScanState.OnPage && this.killed.length < MAXITEMS) this.killed.push(this.itemIndex);
  }

  /** btrescan: starts over, optionally with new keys and direction. */
  rescan(keys?: readonly ScanKey[], direction?: ScanDirection): void {
    if (this.state === ScanState.Ended) elog('index scan used after end()');
    this.leavePage();
    if (keys !== undefined) this.keys = btPreprocessKeys(this.rel, keys);
    if (direction !== undefined) this.direction = direction;
    this.state = ScanState.New;
  }

  /** btendscan: drops the pin. Safe to call twice. */
  end(): void {
    if (this.state !== ScanState.Ended) this.leavePage();
    this.state = ScanState.Ended;
    if (this.pos !== null) {
      releasePos(this.pos);
      this.pos = null;
    }
  }

  /** Kills marked items and drops the current page's pin. */
  private leavePage(): void {
    if (this.killed.length > 0) this.killItems();
    if (this.buf !== 0) this.env.bufmgr.releaseBuffer(this.buf);
    this.buf = 0;
    this.firstItem = 0;
    this.lastItem = -1;
  }

  /* ---------------------------------------------------------------- positioning */

  /** _bt_first: descends to where the first match in `forward` order would be, and reads that page. */
  private first(forward: boolean): boolean {
    const pk = this.keys;
    if (!pk.qualOk) return false;
    this.moreLeft = !forward;
    this.moreRight = forward;
    const start = this.startKeys(forward);
    if (start === null) return this.endpoint(forward);
    const { key, goback } = start;
    const { buf } = btSearch(this.rel, this.env, key, BT_READ);
    if (buf === 0) {
      // No root yet: whatever is inserted later would have been in range (PredicateLockRelation on the index).
      this.predicate?.lockRelation(this.rel.oid);
      return false;
    }
    const page = this.env.bufmgr.getPage(buf);
    let offnum = btBinSrch(this.rel, key, page);
    if (goback) offnum--;
    this.buf = buf;
    if (this.readPage(forward, offnum)) {
      btUnlockBuf(this.env, this.buf);
      return true;
    }
    btUnlockBuf(this.env, this.buf);
    return this.stepPage(forward);
  }

  /**
   * The insertion key _bt_first builds from the search keys: equalities on
   * leading columns, then the boundary in the scan's direction of the next
   * column, with IS NOT NULL implied by a bound on the other side when
   * NULLs sit at the start. Null if no key bounds the start.
   */
  private startKeys(forward: boolean): { key: BTScanInsert; goback: boolean } | null {
    const pk = this.keys;
    const chosen: BtKey[] = [];
    let stratTotal = STRAT_EQ;
    let col = 0;
    let i = 0;
    const keys = pk.keys;
    for (;;) {
      let pick: BtKey | null = null;
      let impliesNN: BtKey | null = null;
      for (; i < keys.length && keys[i].col === col; i++) {
        const k = keys[i];
        if (k.strategy === STRAT_EQ) pick = k;
        else if (k.strategy < STRAT_EQ) {
          if (pick === null) {
            if (!forward) pick = k;
            else impliesNN = k;
          }
        } else if (pick === null) {
          if (forward) pick = k;
          else impliesNN = k;
        }
      }
      if (pick === null && impliesNN !== null) {
        const nullsFirst = (this.rel.indoption[col] & INDOPTION_NULLS_FIRST) !== 0;
        if (nullsFirst === forward) pick = { col, op: 'notnull', arg: null, strategy: nullsFirst ? STRAT_GT : STRAT_LT, reqFwd: false, reqBkwd: false };
      }
      if (pick === null) break;
      chosen.push(pick);
      if (pick.strategy !== STRAT_EQ) {
        stratTotal = pick.strategy;
        if (pick.strategy === STRAT_GT || pick.strategy === STRAT_LT) break;
      }
      if (i >= keys.length || keys[i].col !== col + 1) break;
      col++;
    }
    if (chosen.length === 0) return null;
    const values: IndexValue[] = new Array<IndexValue>(this.rel.nkeyatts).fill(null);
    for (const k of chosen) values[k.col] = k.op === 'isnull' || k.op === 'notnull' ? null : k.arg;
    let nextkey: boolean;
    let goback: boolean;
    switch (stratTotal) {
      case STRAT_LT:
        nextkey = false;
        goback = true;
        break;
      case STRAT_LE:
        nextkey = true;
        goback = true;
        break;
      case STRAT_EQ:
        nextkey = !forward;
        goback = !forward;
        break;
      case STRAT_GE:
        nextkey = false;
        goback = false;
        break;
      default:
        nextkey = true;
        goback = false;
    }
    const key: BTScanInsert = { nextkey, backward: !forward, keysz: chosen.length, values, scantid: NO_TID, anynullkeys: false };
    return { key, goback };
  }

  /** _bt_endpoint: no usable start key, so begin at the first or last leaf. */
  private endpoint(forward: boolean): boolean {
    const buf = btGetEndpoint(this.rel, this.env, 0, !forward);
    if (buf === 0) {
      this.predicate?.lockRelation(this.rel.oid);
      return false;
    }
    const page = this.env.bufmgr.getPage(buf);
    this.buf = buf;
    const start = forward ? btPageFirstDataKey(page) : pageGetMaxOffsetNumber(page);
    if (this.readPage(forward, start)) {
      btUnlockBuf(this.env, this.buf);
      return true;
    }
    btUnlockBuf(this.env, this.buf);
    return this.stepPage(forward);
  }

  /* ---------------------------------------------------------------- reading pages */

  /**
   * _bt_readpage: saves every item of the locked page this.buf that passes
   * the keys, from offnum in the scan's direction, stopping where a
   * required key fails (then moreRight / moreLeft becomes false).
   */
  private readPage(forward: boolean, offnum: number): boolean {
    const bm = this.env.bufmgr;
    const rel = this.rel;
    const pk = this.keys;
    const page = bm.getPage(this.buf);
    this.currPage = bm.getBlockNumber(this.buf);
    // PredicateLockPage while the leaf is locked: an insert into its range checks for it under the write lock.
    if (this.predicate !== null) this.predicate.lockPage(this.rel.oid, this.currPage);
    this.nextPage = btpoNext(page);
    this.tuplesUsed = 0;
    const minoff = btPageFirstDataKey(page);
    const maxoff = pageGetMaxOffsetNumber(page);
    let continuescan = true;
    if (forward) {
      let n = 0;
      for (let off = Math.max(offnum, minoff); off <= maxoff; off++) {
        const lp = itemIdGet(page, off);
        if (itemIdIsDead(lp)) continue;
        const at = itemIdGetOffset(lp);
        if (btCheckKeys(rel, pk, page, at, true)) this.saveItem(n++, off, page, at);
        if (!checkState.continuescan) {
          continuescan = false;
          break;
        }
      }
      if (continuescan && !btPageIsRightmost(page)) {
        const hk = itemIdGetOffset(itemIdGet(page, P_HIKEY));
        if (btHighKeyEndsScan(rel, pk, page, hk, btTupleGetNAtts(page, hk, rel.nkeyatts))) continuescan = false;
      }
      if (!continuescan) this.moreRight = false;
      this.firstItem = 0;
      this.lastItem = n - 1;
      this.itemIndex = 0;
    } else {
      let n = MAXITEMS;
      for (let off = Math.min(offnum, maxoff); off >= minoff; off--) {
        const lp = itemIdGet(page, off);
        if (itemIdIsDead(lp)) continue;
        const at = itemIdGetOffset(lp);
        if (btCheckKeys(rel, pk, page, at, false)) this.saveItem(--n, off, page, at);
        if (!checkState.continuescan) {
          this.moreLeft = false;
          break;
        }
      }
      this.firstItem = n;
      this.lastItem = MAXITEMS - 1;
      this.itemIndex = MAXITEMS - 1;
    }
    return this.firstItem <= this.lastItem;
  }

  /** _bt_saveitem. */
  private saveItem(i: number, offnum: number, page: Uint8Array, at: number): void {
    this.heapTids[i] = itupGetHeapTid(page, at);
    this.indexOffsets[i] = offnum;
    if (this.indexOnly) {
      const size = indexTupleSize(page, at);
      this.tuples.set(page.subarray(at, at + size), this.tuplesUsed);
      this.tupleOffsets[i] = this.tuplesUsed;
      this.tuplesUsed += size;
    }
  }

  /**
   * _bt_steppage: leaves the current page (marking killed items) and reads
   * the next page in the direction that has matches.
   */
  private stepPage(forward: boolean): boolean {
    const env = this.env;
    const bm = env.bufmgr;
    if (this.killed.length > 0) this.killItems();
    if (forward) {
      this.moreLeft = true; // we leave a page with data behind us
      let blkno = this.nextPage;
      if (this.buf !== 0) bm.releaseBuffer(this.buf);
      this.buf = 0;
      for (let hops = 0; ; hops++) {
        if (hops > BTREE_MOVE_RIGHT_MAX) throw new PgError(SQLSTATE.index_corrupted, `fell off the end of index "${this.rel.name}"`);
        if (blkno === P_NONE || !this.moreRight) return false;
        this.buf = btGetBuf(this.rel, env, blkno, BT_READ);
        const page = bm.getPage(this.buf);
        if (!btPageIgnore(page) && this.readPage(true, btPageFirstDataKey(page))) {
          btUnlockBuf(env, this.buf);
          return true;
        }
        blkno = btpoNext(page);
        btRelBuf(env, this.buf);
        this.buf = 0;
      }
    }
    this.moreRight = true;
    if (!this.moreLeft) {
      if (this.buf !== 0) bm.releaseBuffer(this.buf);
      this.buf = 0;
      return false;
    }
    let buf = this.buf;
    if (buf !== 0) btLockBuf(env, buf, BT_READ);
    else buf = btGetBuf(this.rel, env, this.currPage, BT_READ);
    this.buf = 0;
    for (let hops = 0; ; hops++) {
      if (hops > BTREE_MOVE_RIGHT_MAX) throw new PgError(SQLSTATE.index_corrupted, `fell off the end of index "${this.rel.name}"`);
      if (!this.moreLeft) {
        btRelBuf(env, buf);
        return false;
      }
      buf = this.walkLeft(buf);
      if (buf === 0) return false;
      const page = bm.getPage(buf);
      if (!btPageIgnore(page)) {
        this.buf = buf;
        if (this.readPage(false, pageGetMaxOffsetNumber(page))) {
          btUnlockBuf(env, buf);
          return true;
        }
        this.buf = 0;
      }
    }
  }

  /**
   * _bt_walk_left: from the locked page `buf`, the locked page to its left
   * (0 at the left end, buf released). The left-link may be stale: the left
   * sibling may have split (walk right from it until the page whose
   * right-link is ours) or our page may have been deleted (go right to the
   * page that took over its key space and try again).
   */
  private walkLeft(buf: number): number {
    const env = this.env;
    const bm = env.bufmgr;
    const rel = this.rel;
    for (let tries = 0; tries < BTREE_WALK_LEFT_TRIES_MAX; tries++) {
      let page = bm.getPage(buf);
      if (btPageIsLeftmost(page)) {
        btRelBuf(env, buf);
        return 0;
      }
      const obknum = bm.getBlockNumber(buf);
      const lblkno = btpoPrev(page);
      buf = btRelAndGetBuf(rel, env, buf, lblkno, BT_READ);
      page = bm.getPage(buf);
      for (let hops = 0; ; hops++) {
        if (!btPageIsDeleted(page) && btpoNext(page) === obknum) return buf;
        if (btPageIsRightmost(page) || hops >= BTREE_WALK_LEFT_HOPS) break;
        buf = btRelAndGetBuf(rel, env, buf, btpoNext(page), BT_READ);
        page = bm.getPage(buf);
      }
      // Back to where we started, to see what happened to it.
      buf = btRelAndGetBuf(rel, env, buf, obknum, BT_READ);
      page = bm.getPage(buf);
      if (btPageIsDeleted(page)) {
        for (let hops = 0; btPageIsDeleted(page); hops++) {
          if (btPageIsRightmost(page) || hops > BTREE_MOVE_RIGHT_MAX) {
            btRelBuf(env, buf);
            throw new PgError(SQLSTATE.index_corrupted, `fell off the end of index "${rel.name}"`);
          }
          buf = btRelAndGetBuf(rel, env, buf, btpoNext(page), BT_READ);
          page = bm.getPage(buf);
        }
      }
      // Not deleted: the left sibling split or was deleted meanwhile, so try again. PostgreSQL
      // gives up here if our left-link did not change, but it can legitimately be back where it
      // was: the left sibling split and the new page was deleted again while we walked. The
      // retries are bounded, so a broken chain still ends in the error below.
    }
    const obknum = bm.getBlockNumber(buf);
    btRelBuf(env, buf);
    throw new PgError(SQLSTATE.index_corrupted, `could not find left sibling of block ${obknum} in index "${rel.name}"`);
  }

  /**
   * _bt_killitems: marks the killed items LP_DEAD on the current page under
   * a share lock (a hint: other backends may set the same bits at once).
   * An item is re-found by its heap TID, from its old offset rightwards,
   * since inserts may have shifted it; one that moved to another page by a
   * split is simply not killed.
   */
  private killItems(): void {
    const env = this.env;
    const bm = env.bufmgr;
    const killed = this.killed;
    if (this.buf === 0) {
      killed.length = 0;
      return;
    }
    btLockBuf(env, this.buf, BT_READ);
    const page = bm.getPage(this.buf);
    const minoff = btPageFirstDataKey(page);
    const maxoff = pageGetMaxOffsetNumber(page);
    let any = false;
    for (const idx of killed) {
      const tid = this.heapTids[idx];
      for (let off = Math.max(this.indexOffsets[idx], minoff); off <= maxoff; off++) {
        const lp = itemIdGet(page, off);
        if (itupGetHeapTid(page, itemIdGetOffset(lp)) !== tid) continue;
        if (!itemIdIsDead(lp)) {
          itemIdMarkDead(page, off);
          any = true;
        }
        break;
      }
    }
    killed.length = 0;
    if (any) {
      btpoSetFlags(page, btpoFlags(page) | BTP_HAS_GARBAGE);
      bm.markBufferDirtyHint(this.buf, true);
    }
    btUnlockBuf(env, this.buf);
  }
}
