/*
 * storage.ts — creating, truncating and dropping relation files in a
 * transaction-safe, crash-safe way (PostgreSQL's catalog/storage.c), and the
 * RM_SMGR resource manager that replays it.
 *
 * Rules:
 *  1. Creating a fork is WAL-logged (XLOG_SMGR_CREATE) before the file
 *     exists, so recovery recreates it even if the file never reached disk.
 *     If the creating transaction aborts, the file is removed at abort
 *     (a pending delete); after a crash, an orphan file of an aborted
 *     transaction is harmless and unreferenced (PostgreSQL leaves these too).
 *  2. Dropping is deferred to commit (a pending delete): a transaction that
 *     drops a table and then rolls back still has it. The commit record
 *     lists the files, so redo deletes them too.
 *  3. Truncation WAL-logs XLOG_SMGR_TRUNCATE and flushes it *before* cutting
 *     the file: recovery must never replay changes to blocks that no longer
 *     exist without knowing they were truncated.
 *
 * XLOG_SMGR_CREATE 0x10   main: spcOid u32 | dbOid u32 | relNumber u32 | forkNum u32
 * XLOG_SMGR_TRUNCATE 0x20 main: blkno u32 | spcOid u32 | dbOid u32 | relNumber u32 | flags u32
 */

import type { BufferManager } from '../storage/buffer/bufmgr.ts';
import type { FreeSpaceMap } from '../storage/freespace/freespace.ts';
import { ForkNumber, type RelFileLocator } from '../storage/relfilelocator.ts';
import type { Smgr } from '../storage/smgr/smgr.ts';
import type { VisibilityMap } from '../access/heap/visibilitymap.ts';
import { RedoServiceKey, RM_SMGR_ID, registerRmgr, type RedoContext } from '../access/transam/rmgr.ts';
import type { DecodedXLogRecord } from '../access/transam/xlogreader.ts';
import { getU32, putU32 } from '../access/heap/heapam_xlog.ts';

export const XLOG_SMGR_CREATE = 0x10;
export const XLOG_SMGR_TRUNCATE = 0x20;
export const SMGR_TRUNCATE_HEAP = 0x0001;
export const SMGR_TRUNCATE_VM = 0x0002;
export const SMGR_TRUNCATE_FSM = 0x0004;
export const SMGR_TRUNCATE_ALL = SMGR_TRUNCATE_HEAP | SMGR_TRUNCATE_VM | SMGR_TRUNCATE_FSM;

/** What relation-storage changes need from the WAL and the transaction system. */
export interface StorageWal {
  beginInsert(): void;
  registerData(bytes: Uint8Array, start?: number, len?: number): void;
  insert(rmid: number, info: number, xid: number): number;
  flush(lsn: number): void;
}

export interface PendingDeletes {
  /** Remove the relation's files when the current transaction ends (atCommit: on commit; else on abort). */
  registerPendingDelete(rloc: RelFileLocator, atCommit: boolean): void;
}

/** The services smgr redo needs: the storage manager, and the maps to clear on truncate. */
export interface SmgrRedoServices {
  smgr: Smgr;
  bufmgr: BufferManager;
  fsm: FreeSpaceMap;
  vm: VisibilityMap;
}
export const SMGR_REDO_SERVICES = new RedoServiceKey<SmgrRedoServices>('smgr');

function writeLocator(b: Uint8Array, o: number, r: RelFileLocator): void {
  putU32(b, o, r.spcOid);
  putU32(b, o + 4, r.dbOid);
  putU32(b, o + 8, r.relNumber);
}

function readLocator(b: Uint8Array, o: number): RelFileLocator {
  return { spcOid: getU32(b, o), dbOid: getU32(b, o + 4), relNumber: getU32(b, o + 8) };
}

/** RelationCreateStorage: WAL-logs and creates the main fork; schedules its removal on abort. */
export function relationCreateStorage(rloc: RelFileLocator, smgr: Smgr, wal: StorageWal, pending: PendingDeletes, xid: number): void {
  const rec = new Uint8Array(16);
  writeLocator(rec, 0, rloc);
  putU32(rec, 12, ForkNumber.MAIN);
  wal.beginInsert();
  wal.registerData(rec);
  wal.insert(RM_SMGR_ID, XLOG_SMGR_CREATE, xid);
  smgr.create(rloc, ForkNumber.MAIN, false);
  pending.registerPendingDelete(rloc, false);
}

/** RelationDropStorage: the files go away when the transaction commits. */
export function relationDropStorage(rloc: RelFileLocator, pending: PendingDeletes): void {
  pending.registerPendingDelete(rloc, true);
}

/** Drops buffers and unlinks every fork (a pending delete being carried out, or its redo). */
export function dropRelationFiles(rloc: RelFileLocator, smgr: Smgr, bufmgr: BufferManager): void {
  bufmgr.dropRelationBuffers(rloc, -1, 0);
  smgr.unlink(rloc);
}

/** RelationTruncate: cuts the heap to nblocks (rule 3). */
export function relationTruncate(rloc: RelFileLocator, nblocks: number, services: SmgrRedoServices, wal: StorageWal, xid: number): void {
  const rec = new Uint8Array(20);
  putU32(rec, 0, nblocks);
  writeLocator(rec, 4, rloc);
  putU32(rec, 16, SMGR_TRUNCATE_ALL);
  wal.beginInsert();
  wal.registerData(rec);
  const lsn = wal.insert(RM_SMGR_ID, XLOG_SMGR_TRUNCATE, xid);
  wal.flush(lsn);
  truncateForks(rloc, nblocks, SMGR_TRUNCATE_ALL, services);
}

function truncateForks(rloc: RelFileLocator, nblocks: number, flags: number, s: SmgrRedoServices): void {
  if (flags & SMGR_TRUNCATE_FSM) s.fsm.truncate(rloc, nblocks);
  if (flags & SMGR_TRUNCATE_VM) s.vm.truncate(rloc, nblocks);
  if (flags & SMGR_TRUNCATE_HEAP) {
    s.bufmgr.dropRelationBuffers(rloc, ForkNumber.MAIN, nblocks);
    if (s.smgr.exists(rloc, ForkNumber.MAIN) && s.smgr.nblocks(rloc, ForkNumber.MAIN) > nblocks) {
      s.smgr.truncate(rloc, ForkNumber.MAIN, nblocks);
    }
  }
}

function smgrRedo(record: DecodedXLogRecord, ctx: RedoContext): void {
  const s = ctx.services.get(SMGR_REDO_SERVICES);
  const info = record.info & 0xf0;
  const d = record.mainData;
  if (info === XLOG_SMGR_CREATE) {
    s.smgr.create(readLocator(d, 0), getU32(d, 12), true);
  } else if (info === XLOG_SMGR_TRUNCATE) {
    const rloc = readLocator(d, 4);
    // The relation may have been dropped later in the WAL; then there is nothing to cut.
    if (!s.smgr.exists(rloc, ForkNumber.MAIN)) s.smgr.create(rloc, ForkNumber.MAIN, true);
    truncateForks(rloc, getU32(d, 0), getU32(d, 16), s);
  }
}

export function registerSmgrRmgr(): void {
  registerRmgr({
    id: RM_SMGR_ID,
    name: 'Storage',
    redo: smgrRedo,
    identify: (info) => (info === XLOG_SMGR_CREATE ? 'CREATE' : info === XLOG_SMGR_TRUNCATE ? 'TRUNCATE' : null),
    desc: (record) => {
      const d = record.mainData;
      if ((record.info & 0xf0) === XLOG_SMGR_CREATE) {
        const r = readLocator(d, 0);
        return `base/${r.dbOid}/${r.relNumber}`;
      }
      const r = readLocator(d, 4);
      return `base/${r.dbOid}/${r.relNumber} to ${getU32(d, 0)} blocks flags ${getU32(d, 16)}`;
    },
  });
}
