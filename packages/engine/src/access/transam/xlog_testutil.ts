/*
 * xlog_testutil.ts — fakes and set-up shared by the WAL tests and the WAL
 * benchmark: a buffer manager made of a Map of pages, a test resource
 * manager, and "start an instance" in one call.
 *
 * Exports: FakeBuffers, TEST_RMGR_ID, testRmgr, TestRedoLog, TEST_REDO_LOG,
 * WalInstance, startWal, makeTestPage.
 */

import type { StorageDirectory } from '@tabgres/opfs-storage';
import { BLCKSZ } from '../../constants.ts';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { pageGetLSN, pageSetLSN } from '../../storage/page/bufpage.ts';
import type { RelFileLocator } from '../../storage/relfilelocator.ts';
import { Assert } from '../../utils/errors.ts';
import {
  RM_EXPERIMENTAL_ID,
  RedoServiceKey,
  RedoServices,
  SimpleRedoCounters,
  registerRmgr,
  type RedoContext,
} from './rmgr.ts';
import { XLog, xlogShmemInit, xlogShmemSize, type XLogSettings } from './xlog.ts';
import { getU32, putU16, putU32 } from './xlogdefs.ts';
import { XLogInsertState, type WalBufferTag } from './xloginsert.ts';
import type { DecodedXLogRecord } from './xlogreader.ts';
import { startupXLOG, type StartupResult } from './xlogrecovery.ts';
import { XLogReadBufferForRedo, type RedoBufferAccess } from './xlogutils.ts';

/** A buffer manager over a Map: buffers are 1-based like PostgreSQL's; "disk" is the same Map. */
export class FakeBuffers implements RedoBufferAccess {
  private readonly pages: Uint8Array[] = [];
  private readonly tags: WalBufferTag[] = [];
  private readonly byTag = new Map<string, number>();
  readonly dirty = new Set<number>();
  /** Buffers currently pinned+locked through readBufferForRedo. */
  pinned = 0;

  private static key(spc: number, db: number, rel: number, fork: number, block: number): string {
    return `${spc}/${db}/${rel}/${fork}/${block}`;
  }

  /** Creates (or returns) the buffer of a block; its page starts zeroed. */
  buffer(rel: RelFileLocator, fork: number, block: number): number {
    const k = FakeBuffers.key(rel.spcOid, rel.dbOid, rel.relNumber, fork, block);
    const found = this.byTag.get(k);
    if (found !== undefined) return found;
    this.pages.push(new Uint8Array(BLCKSZ));
    this.tags.push({ spcOid: rel.spcOid, dbOid: rel.dbOid, relNumber: rel.relNumber, forkNum: fork, blockNum: block });
    const id = this.pages.length;
    this.byTag.set(k, id);
    return id;
  }

  getPage(buffer: number): Uint8Array {
    return this.pages[buffer - 1];
  }

  getTag(buffer: number, out: WalBufferTag): void {
    const t = this.tags[buffer - 1];
    out.spcOid = t.spcOid;
    out.dbOid = t.dbOid;
    out.relNumber = t.relNumber;
    out.forkNum = t.forkNum;
    out.blockNum = t.blockNum;
  }

  readBufferForRedo(rloc: RelFileLocator, fork: number, block: number, zeroAndLock: boolean): number {
    const b = this.buffer(rloc, fork, block);
    if (zeroAndLock) this.getPage(b).fill(0);
    this.pinned++;
    return b;
  }

  markBufferDirty(buffer: number): void {
    this.dirty.add(buffer);
  }

  unlockReleaseBuffer(buffer: number): void {
    Assert(buffer > 0 && this.pinned > 0, 'release of a buffer not held');
    this.pinned--;
  }
}

/** A page with a standard header: LSN, pd_lower, pd_upper, and pseudo-random bytes outside the hole. */
export function makeTestPage(page: Uint8Array, lsn: number, lower: number, upper: number, seed: number): void {
  let x = seed | 1;
  for (let i = 0; i < BLCKSZ; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    page[i] = x & 0xff;
  }
  page.fill(0, lower, upper);
  pageSetLSN(page, lsn);
  putU16(page, 12, lower);
  putU16(page, 14, upper);
  putU16(page, 16, BLCKSZ);
}

export const TEST_RMGR_ID = RM_EXPERIMENTAL_ID;

/** What the test rmgr's redo saw, in order. */
export interface TestRedoLog {
  /** The u32 at the start of each record's main data (its sequence number), or -1. */
  seqs: number[];
  actions: string[];
}

export const TEST_REDO_LOG = new RedoServiceKey<TestRedoLog>('test redo log');

/**
 * The test rmgr: main data starts with a u32 sequence number; each block's
 * data (if any) is copied to the page at offset 64 by redo.
 */
export const testRmgr = {
  id: TEST_RMGR_ID,
  name: 'Test',
  redo(record: DecodedXLogRecord, ctx: RedoContext): void {
    const log = ctx.services.get(TEST_REDO_LOG);
    log.seqs.push(record.mainDataLength >= 4 ? getU32(record.mainData, 0) : -1);
    for (const blk of record.blocks) {
      const { action, buffer } = XLogReadBufferForRedo(record, blk.id, ctx);
      log.actions.push(action);
      if (action === 'needs_redo') {
        const page = ctx.buffers.getPage(buffer);
        if (blk.hasData) page.set(blk.data.subarray(0, Math.min(blk.dataLength, BLCKSZ - 64)), 64);
        pageSetLSN(page, record.endLsn);
        ctx.buffers.markBufferDirty(buffer);
      }
      if (action !== 'not_found') ctx.buffers.unlockReleaseBuffer(buffer);
    }
  },
  desc(record: DecodedXLogRecord): string {
    return record.mainDataLength >= 4 ? `seq ${getU32(record.mainData, 0)}` : '';
  },
  identify(info: number): string | null {
    return info === 0x10 ? 'TEST' : null;
  },
};
registerRmgr(testRmgr);

export interface WalInstance {
  shmem: Shmem;
  lw: LWLockOwner;
  xlog: XLog;
  ins: XLogInsertState;
  buffers: FakeBuffers;
  counters: SimpleRedoCounters;
  redoLog: TestRedoLog;
  startup: StartupResult;
  logLines: string[];
}

/**
 * "Starts the server": fresh shared memory (as after a crash or restart),
 * the startup process, and one backend's XLog + XLogInsertState.
 */
export function startWal(
  dir: StorageDirectory,
  settings: Partial<XLogSettings> = {},
  now?: () => number,
  buffers: FakeBuffers = new FakeBuffers(),
): WalInstance {
  const walBuffers = settings.walBuffers ?? 16;
  const sizer = new ShmemSizer();
  xlogShmemSize(sizer, walBuffers);
  const shmem = Shmem.create(sizer.size);
  xlogShmemInit(shmem, { ...settings, walBuffers });
  const lw = new LWLockOwner(shmem.i32);
  const xlog = new XLog(shmem, lw, dir, now === undefined ? {} : { now });
  const counters = new SimpleRedoCounters();
  const redoLog: TestRedoLog = { seqs: [], actions: [] };
  const services = new RedoServices().provide(TEST_REDO_LOG, redoLog);
  const logLines: string[] = [];
  const startup = startupXLOG({ dir, xlog, redo: { buffers, counters, services }, log: (m) => logLines.push(m) });
  const ins = new XLogInsertState(xlog, buffers);
  return { shmem, lw, xlog, ins, buffers, counters, redoLog, startup, logLines };
}

/** The LSN a page of the fake buffers carries (convenience for assertions). */
export function bufferLsn(bufs: FakeBuffers, buffer: number): number {
  return pageGetLSN(bufs.getPage(buffer));
}

/** Writes a test record: main data = u32 seq + `extra` bytes. */
export function seqData(seq: number, extra: number, fill = seq & 0xff): Uint8Array {
  const d = new Uint8Array(4 + extra);
  putU32(d, 0, seq);
  d.fill(fill, 4);
  return d;
}
