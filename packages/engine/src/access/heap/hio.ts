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
import { PgError, SQLSTATE } from '../../utils/errors.ts';
import type { Relation } from './relation.ts';

export interface TargetBuffer {
  buffer: number;
  /** The page was just created (or was all-zero) and has been initialized: its first insert WAL-logs an init. */
  isNew: boolean;
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
   * RelationGetBufferForTuple: a pinned, exclusively locked buffer with at
   * least `len` bytes free (plus the fill-factor reserve for plain inserts).
   */
  getBufferForTuple(rel: Relation, len: number, otherBuffer: number): TargetBuffer {
    if (len > MAX_HEAP_TUPLE_SIZE) {
      throw new PgError(SQLSTATE.program_limit_exceeded, `row is too big: size ${len}, maximum size ${MAX_HEAP_TUPLE_SIZE}`);
    }
    const bm = this.bufmgr;
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
    }

    for (let tries = 0; candidate >= 0 && tries < MAX_FSM_TRIES; tries++) {
      if (candidate === otherBlock) {
        const page = bm.getPage(otherBuffer);
        if (pageGetHeapFreeSpace(page) >= need) return { buffer: otherBuffer, isNew: false };
      } else {
        const buffer = bm.readBuffer(rel.locator, ForkNumber.MAIN, candidate);
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
    return { buffer, isNew: true };
  }
}
