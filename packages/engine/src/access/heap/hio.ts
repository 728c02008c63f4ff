/*
 * hio.ts — finding a heap page with room for a new tuple (PostgreSQL's
 * hio.c: RelationGetBufferForTuple).
 *
 * Order of preference: the relation's last target page (rd_targblock, kept
 * per backend), then a page the free space map suggests, then a new page at
 * the end. Every candidate is checked under its exclusive lock, because the
 * FSM is only a hint (freespace.ts rule 1); a candidate that turns out full is
 * corrected in the FSM and skipped.
 *
 * A bulk insert (heap_multi_insert, or any caller inserting many rows into
 * one table) passes a BulkInsertState: the target page stays pinned between
 * calls, so the next insert into the same page only locks it
 * (ReadBufferBI). The state holds one pin of its own on `current`; the
 * buffer returned holds another, which the caller releases as usual.
 *
 *   no pin (current = 0) --readBufferBI / extend--> pinned (current = B)
 *   pinned (B) --readBufferBI(B)--> pinned (B), one more pin for the caller
 *   pinned (B) --readBufferBI(C) / extend--> B released, pinned (C)
 *   pinned (B) --freeBulkInsertState--> no pin
 *
 * Rules:
 *  1. When the caller already holds `otherBuffer` locked (UPDATE to another
 *     page), a second page is locked only in block-number order: a candidate
 *     before the other page is taken only with a conditional lock, so two
 *     backends updating across the same pair of pages cannot deadlock.
 *  2. The relation extension lock is taken with no buffer lock held except
 *     `otherBuffer`, and the new page cannot be locked by anyone else.
 */

import { MAX_HEAP_TUPLE_SIZE, maxAlign } from '../../constants.ts';
import { BUFFER_LOCK_EXCLUSIVE } from '../../storage/buffer/buf_internals.ts';
import type { BufferManager } from '../../storage/buffer/bufmgr.ts';
import type { FreeSpaceMap } from '../../storage/freespace/freespace.ts';
import { pageGetHeapFreeSpace, pageInit, pageIsNew } from '../../storage/page/bufpage.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import { PgError, SQLSTATE, elog } from '../../utils/errors.ts';
import type { Relation } from './relation.ts';

export interface TargetBuffer {
  buffer: number;
  /** The page was just created (or was all-zero) and has been initialized: its first insert WAL-logs an init. */
  isNew: boolean;
}

/**
 * BulkInsertStateData: the page a bulk insert is filling, kept pinned
 * across rows. Belongs to one backend and one relation (`relNumber`);
 * release it with freeBulkInsertState when the insert ends, also on error.
 */
export class BulkInsertState {
  /** The buffer this state keeps pinned, 0 for none. */
  current = 0;
  /** The relation `current` belongs to. */
  relNumber = -1;
}

/** FreeBulkInsertState: drops the state's pin. Safe to call twice. */
export function freeBulkInsertState(bufmgr: BufferManager, bistate: BulkInsertState): void {
  const buffer = bistate.current;
  bistate.current = 0;
  bistate.relNumber = -1;
  if (buffer !== 0) bufmgr.releaseBuffer(buffer);
}

/** How many FSM suggestions to try before extending; each failed one is corrected. */
const MAX_FSM_TRIES = 8;

export class HeapPageChooser {
  private readonly bufmgr: BufferManager;
  private readonly fsm: FreeSpaceMap;

  constructor(bufmgr: BufferManager, fsm: FreeSpaceMap) {
    this.bufmgr = bufmgr;
    this.fsm = fsm;
  }

  /**
   * ReadBufferBI: the block pinned, through the bulk insert state when
   * there is one (its pin is reused when it holds this block; otherwise it
   * moves to this block).
   */
  private readBufferBI(rel: Relation, block: number, bistate: BulkInsertState | null): number {
    const bm = this.bufmgr;
    if (bistate === null) return bm.readBuffer(rel.locator, ForkNumber.MAIN, block);
    const cur = bistate.current;
    if (cur !== 0) {
      if (bistate.relNumber === rel.locator.relNumber && bm.getBlockNumber(cur) === block) {
        bm.incrRefCount(cur);
        return cur;
      }
      freeBulkInsertState(bm, bistate);
    }
    const buffer = bm.readBuffer(rel.locator, ForkNumber.MAIN, block);
    this.keepPinned(rel, buffer, bistate);
    return buffer;
  }

  /** The bulk insert state takes a pin of its own on `buffer` (a new page from extension). */
  private keepPinned(rel: Relation, buffer: number, bistate: BulkInsertState | null): void {
    if (bistate === null) return;
    if (bistate.current !== 0) freeBulkInsertState(this.bufmgr, bistate);
    this.bufmgr.incrRefCount(buffer);
    bistate.current = buffer;
    bistate.relNumber = rel.locator.relNumber;
  }

  /**
   * RelationGetBufferForTuple: a pinned, exclusively locked buffer with at
   * least `len` bytes free (plus the fill-factor reserve for plain inserts).
   * `bistate` (plain inserts only, otherBuffer 0) keeps the page pinned for
   * the next call.
   */
  getBufferForTuple(rel: Relation, len: number, otherBuffer: number, bistate: BulkInsertState | null = null): TargetBuffer {
    if (len > MAX_HEAP_TUPLE_SIZE) {
      throw new PgError(SQLSTATE.program_limit_exceeded, `row is too big: size ${len}, maximum size ${MAX_HEAP_TUPLE_SIZE}`);
    }
    const bm = this.bufmgr;
    if (bistate !== null && otherBuffer !== 0) elog('a bulk insert state is only for plain inserts');
    // Fill factor: leave room on pages for updates (HOT) of their own tuples.
    const reserve = otherBuffer === 0 ? Math.floor((8192 * (100 - rel.fillfactor)) / 100) : 0;
    // pageAddItem places items MAXALIGN'd: ask for the aligned size (PostgreSQL does too).
    const need = maxAlign(len) + reserve;
    const otherBlock = otherBuffer !== 0 ? bm.getBlockNumber(otherBuffer) : -1;
    // The target block is trusted without asking the file's size (an fstat
    // per insert would dominate bulk loads); whoever truncates the relation
    // resets targetBlock.
    let candidate = rel.targetBlock;
    let nblocks = -1;
    if (candidate < 0) {
      nblocks = bm.nblocks(rel.locator, ForkNumber.MAIN);
      if (nblocks > 0) candidate = this.fsm.findPage(rel.locator, need, nblocks, rel.fsmHint);
      // The FSM knows nothing (a backend that never inserted here, and a table
      // no VACUUM has mapped yet): try the last page before extending, as
      // RelationGetBufferForTuple does, so the rows another backend left
      // room for go there and not to a new page.
      if (candidate < 0 && nblocks > 0) candidate = nblocks - 1;
    }

    for (let tries = 0; candidate >= 0 && tries < MAX_FSM_TRIES; tries++) {
      if (candidate === otherBlock) {
        const page = bm.getPage(otherBuffer);
        if (pageGetHeapFreeSpace(page) >= need) return { buffer: otherBuffer, isNew: false };
      } else {
        const buffer = this.readBufferBI(rel, candidate, bistate);
        let locked = true;
        if (otherBlock >= 0 && candidate < otherBlock) locked = bm.conditionalLockBuffer(buffer);
        else bm.lockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
        if (locked) {
          const page = bm.getPage(buffer);
          if (pageIsNew(page)) {
            // A page extended but never initialized (crash after extension): use it.
            pageInit(page, 0);
            rel.targetBlock = candidate;
            return { buffer, isNew: true };
          }
          const free = pageGetHeapFreeSpace(page);
          if (free >= need) {
            rel.targetBlock = candidate;
            return { buffer, isNew: false };
          }
          bm.unlockReleaseBuffer(buffer);
          this.fsm.recordFreeSpace(rel.locator, candidate, free);
        } else {
          bm.releaseBuffer(buffer);
        }
      }
      rel.fsmHint = candidate + 1;
      if (nblocks < 0) nblocks = bm.nblocks(rel.locator, ForkNumber.MAIN);
      candidate = this.fsm.findPage(rel.locator, need, nblocks, rel.fsmHint);
    }

    // Extend the relation (rule 2).
    const buffer = bm.extendBuffer(rel.locator, ForkNumber.MAIN);
    pageInit(bm.getPage(buffer), 0);
    rel.targetBlock = bm.getBlockNumber(buffer);
    this.keepPinned(rel, buffer, bistate);
    return { buffer, isNew: true };
  }
}
