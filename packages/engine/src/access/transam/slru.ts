/*
 * slru.ts — simple LRU buffering for transaction status logs (PostgreSQL's
 * access/transam/slru.c). CLOG (pg_xact) and pg_subtrans are built on it.
 *
 * Exports: SlruCtl (per backend), SlruConfig, SlruPageStatus, slruShmemSize,
 *          slruShmemInit, slruSegmentName, slruPagePrecedes.
 *
 * An SLRU is a small cache of 8 KB pages in shared memory in front of a folder
 * of segment files, SLRU_PAGES_PER_SEGMENT pages (256 KB) each, named with
 * four or more upper-case hex digits as PostgreSQL names them (pg_xact/0000,
 * pg_xact/0001, ...). Page numbers wrap around with the XIDs they cover: page
 * p holds XIDs p*xactsPerPage ..; after the last page comes page 0 again.
 *
 * Shared region "<name> SLRU" (all words guarded by the control lock unless
 * said otherwise):
 *
 *   byte 0   i32 controlLock      the LWLock itself
 *        4   i32 curLruCount      bumped on every "recently used"
 *        8   i32 latestPageNumber the page the XID counter is in; never evicted
 *       12   i32 nslots
 *       64   i32 pageNumber[n]
 *            i32 status[n]        SlruPageStatus
 *            i32 dirty[n]         1 = differs from disk
 *            i32 lruCount[n]      curLruCount when last used (updated racily
 *                                 under a shared lock, as PostgreSQL does)
 *            i32 ioLock[n]        per-slot LWLock, held exclusively during I/O
 *            f64 groupLsn[n]      newest async-commit LSN on the page
 *            u32 needsSync[s]     one bit per segment written since the last
 *                                 checkpoint's sync (atomic or / exchange)
 *   64-aligned: n pages of BLCKSZ bytes
 *
 * Slot states (transition -> function):
 *
 *   EMPTY --readPage: claim--> READ_IN_PROGRESS --read ok--> VALID
 *                                   |--read fails--> EMPTY
 *   EMPTY / clean VALID --zeroPage--> VALID + dirty
 *   VALID + dirty --internalWritePage--> WRITE_IN_PROGRESS (dirty cleared)
 *        --write ok--> VALID (dirty again if changed meanwhile)
 *        --write fails--> VALID + dirty
 *   clean VALID --selectLruPage (victim) / truncate--> reused / EMPTY
 *
 * Rules:
 *  1. The control lock guards every slot's metadata. Page bytes are read
 *     under it (shared is enough) and changed under it exclusively.
 *  2. I/O happens with the control lock released and the slot's I/O lock
 *     held exclusively; a backend that needs the slot meanwhile waits by
 *     taking the I/O lock shared (waitIo). Lock order: control lock, then an
 *     I/O lock; the WAL is flushed holding only the I/O lock.
 *  3. Write-ahead: before a page goes to disk, WAL is flushed up to its
 *     group LSN (the newest asynchronous commit recorded on it). Changes
 *     that carry an LSN wait for a running write of the page to finish
 *     (readPage with writeOk = false), so the LSN read at write time covers
 *     every bit in the written image.
 *  4. The page the XID counter is in (latestPageNumber) is never evicted.
 *  5. A checkpoint (writeAll) writes every dirty page and then flushes every
 *     segment file that any backend wrote since the previous checkpoint.
 *  6. During recovery a page that is missing on disk, or past the end of its
 *     file, reads as zeroes: a crash can lose page writes that WAL replay
 *     will redo.
 */

import { StorageError, type StorageDirectory, type SyncFile } from '@tabgres/opfs-storage';
import { BLCKSZ, SLRU_PAGES_PER_SEGMENT, SLRU_SELECT_ATTEMPTS_MAX } from '../../constants.ts';
import { shmemAlign, type Shmem } from '../../storage/ipc/shmem.ts';
import { LWLockMode, type LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { Assert, elog, PgError, SQLSTATE } from '../../utils/errors.ts';
import { FirstNormalTransactionId, transactionIdPrecedes, type TransactionId } from './transam.ts';
import type { XLogRecPtr } from './xlogdefs.ts';

export const enum SlruPageStatus {
  EMPTY = 0,
  READ_IN_PROGRESS = 1,
  VALID = 2,
  WRITE_IN_PROGRESS = 3,
}

export interface SlruConfig {
  /** Names the shared region and appears in the playground ("Xact", "Subtrans"). */
  name: string;
  /** Folder of the segment files ("pg_xact"). */
  dirName: string;
  /** Buffer slots in shared memory. */
  nslots: number;
  /** XIDs per page: PagePrecedes and wraparound are computed from it. */
  xactsPerPage: number;
  /** Whether checkpoints must make the files durable (CLOG yes, pg_subtrans no). */
  syncOnCheckpoint: boolean;
}

const HEADER_BYTES = 64;
const W_CONTROL_LOCK = 0;
const W_CUR_LRU = 1;
const W_LATEST_PAGE = 2;
const W_NSLOTS = 3;

interface SlruLayout {
  pageNumber: number;
  status: number;
  dirty: number;
  lruCount: number;
  ioLock: number;
  groupLsn: number;
  needsSync: number;
  syncWords: number;
  pages: number;
  size: number;
}

function pagesTotal(cfg: SlruConfig): number {
  return 2 ** 32 / cfg.xactsPerPage;
}

function segmentsTotal(cfg: SlruConfig): number {
  return pagesTotal(cfg) / SLRU_PAGES_PER_SEGMENT;
}

function layout(cfg: SlruConfig): SlruLayout {
  const n = cfg.nslots;
  const pageNumber = HEADER_BYTES;
  const status = pageNumber + 4 * n;
  const dirty = status + 4 * n;
  const lruCount = dirty + 4 * n;
  const ioLock = lruCount + 4 * n;
  const groupLsn = Math.ceil((ioLock + 4 * n) / 8) * 8;
  const needsSync = groupLsn + 8 * n;
  const syncWords = cfg.syncOnCheckpoint ? Math.ceil(segmentsTotal(cfg) / 32) : 0;
  const pages = shmemAlign(needsSync + 4 * syncWords);
  return { pageNumber, status, dirty, lruCount, ioLock, groupLsn, needsSync, syncWords, pages, size: pages + n * BLCKSZ };
}

/** Bytes of shared memory an SLRU needs (SimpleLruShmemSize). */
export function slruShmemSize(cfg: SlruConfig): number {
  return layout(cfg).size;
}

/** Creates the SLRU's region, or finds it when another process made it (SimpleLruInit). */
export function slruShmemInit(shmem: Shmem, cfg: SlruConfig): void {
  Assert(cfg.nslots >= 4, 'an SLRU needs at least 4 buffer slots');
  const region = shmem.initStruct(`${cfg.name} SLRU`, slruShmemSize(cfg));
  if (!region.found) shmem.i32[region.offset / 4 + W_NSLOTS] = cfg.nslots;
}

/** A segment's file name: at least four upper-case hex digits, as PostgreSQL's short SLRU names. */
export function slruSegmentName(segno: number): string {
  return segno.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * PagePrecedes for an SLRU of XIDs (CLOGPagePrecedes, SubTransPagePrecedes):
 * is page1 older than page2, comparing the XIDs they hold modulo 2^32? Both
 * the first and the last XID of page2 must follow page1's, so that a page at
 * exactly half the XID space away is never judged older from both sides.
 */
export function slruPagePrecedes(page1: number, page2: number, xactsPerPage: number): boolean {
  const xid1 = (page1 * xactsPerPage + FirstNormalTransactionId + 1) >>> 0;
  const xid2 = (page2 * xactsPerPage + FirstNormalTransactionId + 1) >>> 0;
  return transactionIdPrecedes(xid1, xid2) && transactionIdPrecedes(xid1, (xid2 + xactsPerPage - 1) >>> 0);
}

export interface SlruSlotInfo {
  slot: number;
  pageNumber: number;
  status: 'EMPTY' | 'READ_IN_PROGRESS' | 'VALID' | 'WRITE_IN_PROGRESS';
  dirty: boolean;
  lruCount: number;
  groupLsn: number;
}

const STATUS_NAMES = ['EMPTY', 'READ_IN_PROGRESS', 'VALID', 'WRITE_IN_PROGRESS'] as const;

/**
 * One backend's handle on an SLRU: the shared slots plus the file layer.
 * Methods marked "control lock held" expect the caller to hold the control
 * lock exclusively (see lockControl) and return with it held, also when
 * they throw; the others take it themselves.
 */
export class SlruCtl {
  readonly cfg: SlruConfig;
  /** The page bytes of every slot; slot s starts at s * BLCKSZ. */
  readonly pages: Uint8Array;
  /** Offset of the page area in shmem.u32 (for 4-byte entries such as pg_subtrans parents). */
  readonly pagesU32Index: number;
  /** Set by the startup process while it replays WAL (rule 6). */
  inRecovery = false;
  /** XLogFlush, for the write-ahead rule; null for an SLRU that is not WAL-protected. */
  walFlush: ((lsn: XLogRecPtr) => void) | null = null;

  readonly controlLock: number;
  private readonly i32: Int32Array;
  private readonly u32: Uint32Array;
  private readonly f64: Float64Array;
  private readonly lw: LWLockOwner;
  private readonly dir: StorageDirectory;
  private readonly n: number;
  private readonly wPageNumber: number;
  private readonly wStatus: number;
  private readonly wDirty: number;
  private readonly wLru: number;
  private readonly wIoLock: number;
  private readonly wNeedsSync: number;
  private readonly syncWords: number;
  private readonly base: number;

  /** `lw` must be an LWLockOwner over shmem.i32 (lock numbers are word indexes in the segment). */
  constructor(shmem: Shmem, lw: LWLockOwner, dir: StorageDirectory, cfg: SlruConfig) {
    const region = shmem.lookup(`${cfg.name} SLRU`);
    if (region === undefined) elog(`shared memory region "${cfg.name} SLRU" was not initialized`);
    const lay = layout(cfg);
    Assert(region.size === lay.size, `SLRU "${cfg.name}" has a different layout in shared memory`);
    this.cfg = cfg;
    this.lw = lw;
    this.dir = dir;
    this.n = cfg.nslots;
    this.i32 = shmem.i32;
    this.u32 = shmem.u32;
    this.f64 = new Float64Array(shmem.sab, region.offset + lay.groupLsn, cfg.nslots);
    this.base = region.offset / 4;
    this.controlLock = this.base + W_CONTROL_LOCK;
    this.wPageNumber = (region.offset + lay.pageNumber) / 4;
    this.wStatus = (region.offset + lay.status) / 4;
    this.wDirty = (region.offset + lay.dirty) / 4;
    this.wLru = (region.offset + lay.lruCount) / 4;
    this.wIoLock = (region.offset + lay.ioLock) / 4;
    this.wNeedsSync = (region.offset + lay.needsSync) / 4;
    this.syncWords = lay.syncWords;
    this.pages = new Uint8Array(shmem.sab, region.offset + lay.pages, cfg.nslots * BLCKSZ);
    this.pagesU32Index = (region.offset + lay.pages) / 4;
  }

  /* ---- small accessors ---- */

  lockControl(mode: LWLockMode): void {
    this.lw.acquire(this.controlLock, mode);
  }

  unlockControl(): void {
    this.lw.release(this.controlLock);
  }

  pageNumberOf(slot: number): number {
    return this.i32[this.wPageNumber + slot];
  }

  statusOf(slot: number): SlruPageStatus {
    return this.i32[this.wStatus + slot] as SlruPageStatus;
  }

  /** Marks a slot's page changed (control lock held exclusively). */
  markDirty(slot: number): void {
    this.i32[this.wDirty + slot] = 1;
  }

  groupLsnOf(slot: number): XLogRecPtr {
    return this.f64[slot];
  }

  /** Raises the slot's group LSN to `lsn` (control lock held exclusively). */
  advanceGroupLsn(slot: number, lsn: XLogRecPtr): void {
    if (lsn > this.f64[slot]) this.f64[slot] = lsn;
  }

  get latestPageNumber(): number {
    return this.i32[this.base + W_LATEST_PAGE];
  }

  /** Sets the page the XID counter is in (startup; control lock held or single process). */
  setLatestPageNumber(pageno: number): void {
    this.i32[this.base + W_LATEST_PAGE] = pageno;
  }

  pagePrecedes(page1: number, page2: number): boolean {
    return slruPagePrecedes(page1, page2, this.cfg.xactsPerPage);
  }

  private setStatus(slot: number, s: SlruPageStatus): void {
    this.i32[this.wStatus + slot] = s;
  }

  private isDirty(slot: number): boolean {
    return this.i32[this.wDirty + slot] !== 0;
  }

  /** SlruRecentlyUsed: stamps the slot with a new LRU count. */
  private recentlyUsed(slot: number): void {
    const i32 = this.i32;
    let count = i32[this.base + W_CUR_LRU];
    if (count !== i32[this.wLru + slot]) {
      count = (count + 1) | 0;
      i32[this.base + W_CUR_LRU] = count;
      i32[this.wLru + slot] = count;
    }
  }

  /* ---- page access ---- */

  /**
   * SimpleLruZeroPage (control lock held): gives `pageno` a slot filled
   * with zeroes, marked dirty, and makes it the latest page.
   */
  zeroPage(pageno: number): number {
    const slot = this.selectLruPage(pageno);
    const st = this.statusOf(slot);
    Assert(
      st === SlruPageStatus.EMPTY || (st === SlruPageStatus.VALID && !this.isDirty(slot)) || this.pageNumberOf(slot) === pageno,
      'zeroPage got a slot in use',
    );
    this.i32[this.wPageNumber + slot] = pageno;
    this.setStatus(slot, SlruPageStatus.VALID);
    this.i32[this.wDirty + slot] = 1;
    this.recentlyUsed(slot);
    this.pages.fill(0, slot * BLCKSZ, (slot + 1) * BLCKSZ);
    this.f64[slot] = 0;
    this.setLatestPageNumber(pageno);
    return slot;
  }

  /**
   * SimpleLruReadPage (control lock held exclusively): finds or reads
   * `pageno` and returns its slot. With writeOk false it also waits for a
   * running write of the page (rule 3). `xid` names the transaction whose
   * status was wanted, for the error message.
   */
  readPage(pageno: number, writeOk: boolean, xid: TransactionId): number {
    for (let attempt = 0; attempt < SLRU_SELECT_ATTEMPTS_MAX; attempt++) {
      const slot = this.selectLruPage(pageno);
      const st = this.statusOf(slot);
      if (this.pageNumberOf(slot) === pageno && st !== SlruPageStatus.EMPTY) {
        if (st === SlruPageStatus.READ_IN_PROGRESS || (st === SlruPageStatus.WRITE_IN_PROGRESS && !writeOk)) {
          this.waitIo(slot);
          continue;
        }
        this.recentlyUsed(slot);
        return slot;
      }
      // The slot is empty or holds a clean page we may replace: read ours into it.
      this.i32[this.wPageNumber + slot] = pageno;
      this.setStatus(slot, SlruPageStatus.READ_IN_PROGRESS);
      this.i32[this.wDirty + slot] = 0;
      const ioLock = this.wIoLock + slot;
      this.lw.acquire(ioLock, LWLockMode.Exclusive);
      this.unlockControl();
      try {
        this.physicalRead(pageno, slot, xid);
      } catch (e) {
        this.lockControl(LWLockMode.Exclusive);
        this.setStatus(slot, SlruPageStatus.EMPTY);
        this.lw.release(ioLock);
        throw e;
      }
      this.f64[slot] = 0;
      this.lockControl(LWLockMode.Exclusive);
      Assert(this.pageNumberOf(slot) === pageno && this.statusOf(slot) === SlruPageStatus.READ_IN_PROGRESS, 'SLRU slot changed during read');
      this.setStatus(slot, SlruPageStatus.VALID);
      this.lw.release(ioLock);
      this.recentlyUsed(slot);
      return slot;
    }
    return elog(`could not find a buffer for page ${pageno} in SLRU "${this.cfg.name}"`);
  }

  /**
   * SimpleLruReadPage_ReadOnly: finds `pageno` under a shared control lock
   * when it is already cached, otherwise reads it under an exclusive one.
   * Returns the slot with the control lock held (shared or exclusive); the
   * caller reads the page and calls unlockControl().
   */
  readPageReadOnly(pageno: number, xid: TransactionId): number {
    this.lockControl(LWLockMode.Shared);
    const i32 = this.i32;
    for (let slot = 0; slot < this.n; slot++) {
      if (i32[this.wPageNumber + slot] === pageno) {
        const st = i32[this.wStatus + slot];
        if (st !== SlruPageStatus.EMPTY && st !== SlruPageStatus.READ_IN_PROGRESS) {
          this.recentlyUsed(slot);
          return slot;
        }
      }
    }
    this.unlockControl();
    this.lockControl(LWLockMode.Exclusive);
    return this.readPage(pageno, true, xid);
  }

  /** SimpleLruWritePage (control lock held): writes the slot's page if it is dirty. */
  writePage(slot: number): void {
    this.internalWritePage(slot, null);
  }

  /**
   * SlruSelectLRUPage (control lock held): the slot holding `pageno`, or an
   * EMPTY or clean VALID slot to read it into. Writes out or waits for
   * victims as needed; the least recently used page goes first, the older
   * page number breaking ties, and the latest page never (rule 4).
   */
  private selectLruPage(pageno: number): number {
    const i32 = this.i32;
    for (let attempt = 0; attempt < SLRU_SELECT_ATTEMPTS_MAX; attempt++) {
      for (let slot = 0; slot < this.n; slot++) {
        if (i32[this.wPageNumber + slot] === pageno && i32[this.wStatus + slot] !== SlruPageStatus.EMPTY) return slot;
      }
      let bestValidDelta = -1;
      let bestValidSlot = 0;
      let bestValidPage = 0;
      let bestInvalidDelta = -1;
      let bestInvalidSlot = 0;
      let bestInvalidPage = 0;
      const cur = i32[this.base + W_CUR_LRU];
      const latest = i32[this.base + W_LATEST_PAGE];
      for (let slot = 0; slot < this.n; slot++) {
        const st = i32[this.wStatus + slot];
        if (st === SlruPageStatus.EMPTY) return slot;
        let delta = (cur - i32[this.wLru + slot]) | 0;
        if (delta < 0) {
          // A racy update under a shared lock left a count in the future; repair it.
          i32[this.wLru + slot] = cur;
          delta = 0;
        }
        const page = i32[this.wPageNumber + slot];
        if (page === latest) continue;
        if (st === SlruPageStatus.VALID) {
          if (delta > bestValidDelta || (delta === bestValidDelta && this.pagePrecedes(page, bestValidPage))) {
            bestValidDelta = delta;
            bestValidSlot = slot;
            bestValidPage = page;
          }
        } else if (delta > bestInvalidDelta || (delta === bestInvalidDelta && this.pagePrecedes(page, bestInvalidPage))) {
          bestInvalidDelta = delta;
          bestInvalidSlot = slot;
          bestInvalidPage = page;
        }
      }
      if (bestValidDelta < 0) {
        if (bestInvalidDelta < 0) elog(`no evictable buffer in SLRU "${this.cfg.name}"`);
        this.waitIo(bestInvalidSlot);
        continue;
      }
      if (!this.isDirty(bestValidSlot)) return bestValidSlot;
      this.internalWritePage(bestValidSlot, null);
    }
    return elog(`could not find a free buffer in SLRU "${this.cfg.name}"`);
  }

  /**
   * SimpleLruWaitIO (control lock held): waits for the I/O on a slot by
   * taking its I/O lock shared. If the slot still shows I/O in progress and
   * nobody holds the I/O lock, the backend doing it failed without cleaning
   * up (an error between the two lock steps): repair the state.
   */
  private waitIo(slot: number): void {
    const ioLock = this.wIoLock + slot;
    this.unlockControl();
    this.lw.acquire(ioLock, LWLockMode.Shared);
    this.lw.release(ioLock);
    this.lockControl(LWLockMode.Exclusive);
    const st = this.statusOf(slot);
    if (st === SlruPageStatus.READ_IN_PROGRESS || st === SlruPageStatus.WRITE_IN_PROGRESS) {
      if (this.lw.conditionalAcquire(ioLock, LWLockMode.Shared)) {
        if (st === SlruPageStatus.READ_IN_PROGRESS) {
          this.setStatus(slot, SlruPageStatus.EMPTY);
        } else {
          this.setStatus(slot, SlruPageStatus.VALID);
          this.i32[this.wDirty + slot] = 1;
        }
        this.lw.release(ioLock);
      }
    }
  }

  /**
   * SlruInternalWritePage (control lock held): writes a dirty VALID page.
   * `batch` keeps files open across a writeAll.
   */
  private internalWritePage(slot: number, batch: Map<number, SyncFile> | null): void {
    const pageno = this.pageNumberOf(slot);
    for (let attempt = 0; attempt < SLRU_SELECT_ATTEMPTS_MAX; attempt++) {
      if (this.statusOf(slot) !== SlruPageStatus.WRITE_IN_PROGRESS || this.pageNumberOf(slot) !== pageno) break;
      this.waitIo(slot);
    }
    if (!this.isDirty(slot) || this.statusOf(slot) !== SlruPageStatus.VALID || this.pageNumberOf(slot) !== pageno) return;
    this.setStatus(slot, SlruPageStatus.WRITE_IN_PROGRESS);
    this.i32[this.wDirty + slot] = 0;
    const ioLock = this.wIoLock + slot;
    this.lw.acquire(ioLock, LWLockMode.Exclusive);
    this.unlockControl();
    let failure: unknown = null;
    try {
      this.physicalWrite(pageno, slot, batch);
    } catch (e) {
      failure = e;
    }
    this.lockControl(LWLockMode.Exclusive);
    Assert(this.pageNumberOf(slot) === pageno && this.statusOf(slot) === SlruPageStatus.WRITE_IN_PROGRESS, 'SLRU slot changed during write');
    if (failure !== null) this.i32[this.wDirty + slot] = 1;
    this.setStatus(slot, SlruPageStatus.VALID);
    this.lw.release(ioLock);
    if (failure !== null) throw failure;
  }

  /* ---- files ---- */

  segmentPath(segno: number): string {
    return `${this.cfg.dirName}/${slruSegmentName(segno)}`;
  }

  private ioError(xid: TransactionId, detail: string, cause: unknown): PgError {
    let code: string = SQLSTATE.io_error;
    let reason = cause instanceof Error ? cause.message : String(cause);
    if (cause instanceof StorageError) {
      if (cause.code === 'ENOENT') {
        code = SQLSTATE.undefined_file;
        reason = 'No such file or directory';
      } else if (cause.code === 'ENOSPC') {
        code = SQLSTATE.disk_full;
        reason = 'No space left on device';
      }
    }
    return new PgError(code, `could not access status of transaction ${xid}`, { detail: `${detail}: ${reason}.` });
  }

  /** SlruPhysicalReadPage: reads a page into its slot (no lock held but the slot's I/O lock). */
  private physicalRead(pageno: number, slot: number, xid: TransactionId): void {
    const segno = Math.floor(pageno / SLRU_PAGES_PER_SEGMENT);
    const offset = (pageno % SLRU_PAGES_PER_SEGMENT) * BLCKSZ;
    const path = this.segmentPath(segno);
    const dst = this.pages.subarray(slot * BLCKSZ, (slot + 1) * BLCKSZ);
    let file: SyncFile;
    try {
      file = this.dir.open(path);
    } catch (e) {
      if (e instanceof StorageError && e.code === 'ENOENT' && this.inRecovery) {
        dst.fill(0);
        return;
      }
      throw this.ioError(xid, `Could not open file "${path}"`, e);
    }
    let n: number;
    try {
      n = file.read(dst, { at: offset });
    } catch (e) {
      throw this.ioError(xid, `Could not read from file "${path}" at offset ${offset}`, e);
    } finally {
      file.close();
    }
    if (n < BLCKSZ) {
      if (!this.inRecovery) {
        throw new PgError(SQLSTATE.data_corrupted, `could not access status of transaction ${xid}`, {
          detail: `Could not read from file "${path}" at offset ${offset}: read too few bytes.`,
        });
      }
      dst.fill(0, n);
    }
  }

  /**
   * SlruPhysicalWritePage: flushes WAL to the page's group LSN (rule 3),
   * then writes the page. Called with only the slot's I/O lock held.
   */
  private physicalWrite(pageno: number, slot: number, batch: Map<number, SyncFile> | null): void {
    const lsn = this.f64[slot];
    if (lsn > 0 && this.walFlush !== null) this.walFlush(lsn);
    const segno = Math.floor(pageno / SLRU_PAGES_PER_SEGMENT);
    const offset = (pageno % SLRU_PAGES_PER_SEGMENT) * BLCKSZ;
    const path = this.segmentPath(segno);
    const xid = (pageno * this.cfg.xactsPerPage) >>> 0;
    let file = batch?.get(segno);
    if (file === undefined) {
      try {
        file = this.dir.open(path, { create: true });
      } catch (e) {
        throw this.ioError(xid, `Could not open file "${path}"`, e);
      }
      if (batch !== null) batch.set(segno, file);
    }
    try {
      file.write(this.pages.subarray(slot * BLCKSZ, (slot + 1) * BLCKSZ), { at: offset });
    } catch (e) {
      throw this.ioError(xid, `Could not write to file "${path}" at offset ${offset}`, e);
    } finally {
      if (batch === null) file.close();
    }
    if (this.syncWords > 0) Atomics.or(this.i32, this.wNeedsSync + (segno >>> 5), 1 << (segno & 31));
  }

  /**
   * SimpleLruWriteAll, for checkpoints and shutdown: writes every dirty page,
   * then makes durable every segment written since the last checkpoint, by
   * this backend or any other (rule 5).
   */
  writeAll(): void {
    const batch = new Map<number, SyncFile>();
    try {
      this.lockControl(LWLockMode.Exclusive);
      try {
        for (let slot = 0; slot < this.n; slot++) this.internalWritePage(slot, batch);
      } finally {
        this.unlockControl();
      }
    } finally {
      for (const f of batch.values()) f.close();
    }
    this.syncSegments();
  }

  /** Flushes the segments whose needs-sync bit is set, clearing the bits first. */
  private syncSegments(): void {
    for (let w = 0; w < this.syncWords; w++) {
      const bits = Atomics.exchange(this.i32, this.wNeedsSync + w, 0);
      if (bits === 0) continue;
      for (let b = 0; b < 32; b++) {
        if ((bits & (1 << b)) === 0) continue;
        const segno = w * 32 + b;
        const path = this.segmentPath(segno);
        let file: SyncFile;
        try {
          file = this.dir.open(path);
        } catch (e) {
          if (e instanceof StorageError && e.code === 'ENOENT') continue; // truncated meanwhile
          Atomics.or(this.i32, this.wNeedsSync + w, 1 << b);
          throw this.ioError((segno * SLRU_PAGES_PER_SEGMENT * this.cfg.xactsPerPage) >>> 0, `Could not open file "${path}"`, e);
        }
        try {
          file.flush();
        } catch (e) {
          Atomics.or(this.i32, this.wNeedsSync + w, 1 << b);
          throw this.ioError((segno * SLRU_PAGES_PER_SEGMENT * this.cfg.xactsPerPage) >>> 0, `Could not fsync file "${path}"`, e);
        } finally {
          file.close();
        }
      }
    }
  }

  /** SimpleLruDoesPhysicalPageExist: whether the page is in its segment file on disk. */
  doesPhysicalPageExist(pageno: number): boolean {
    const segno = Math.floor(pageno / SLRU_PAGES_PER_SEGMENT);
    const offset = (pageno % SLRU_PAGES_PER_SEGMENT) * BLCKSZ;
    const path = this.segmentPath(segno);
    if (!this.dir.exists(path)) return false;
    const file = this.dir.open(path);
    try {
      return file.getSize() >= offset + BLCKSZ;
    } finally {
      file.close();
    }
  }

  /** Segment numbers of the files in the folder (SlruScanDirectory), ascending. */
  listSegments(): number[] {
    const out: number[] = [];
    for (const name of this.dir.list(this.cfg.dirName)) {
      if (/^[0-9A-F]{4,6}$/.test(name)) out.push(parseInt(name, 16));
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * SimpleLruTruncate: drops every page before `cutoffPage` (rounded down to
   * a segment) from the cache and removes its segment files. Refuses, and
   * returns false, when the latest page itself precedes the cutoff: the
   * cutoff is then from the other side of a wraparound.
   */
  truncate(cutoffPage: number): boolean {
    const cutoff = cutoffPage - (cutoffPage % SLRU_PAGES_PER_SEGMENT);
    this.lockControl(LWLockMode.Exclusive);
    try {
      let restart = true;
      for (let attempt = 0; restart; attempt++) {
        if (attempt >= SLRU_SELECT_ATTEMPTS_MAX) elog(`could not truncate SLRU "${this.cfg.name}": pages stay busy`);
        restart = false;
        if (this.pagePrecedes(this.latestPageNumber, cutoff)) return false;
        for (let slot = 0; slot < this.n; slot++) {
          const st = this.statusOf(slot);
          if (st === SlruPageStatus.EMPTY || !this.pagePrecedes(this.pageNumberOf(slot), cutoff)) continue;
          if (st === SlruPageStatus.VALID && !this.isDirty(slot)) {
            this.setStatus(slot, SlruPageStatus.EMPTY);
            continue;
          }
          // Dirty or busy: it is older than the cutoff, but let its I/O finish (PostgreSQL writes it too).
          if (st === SlruPageStatus.VALID) this.internalWritePage(slot, null);
          else this.waitIo(slot);
          restart = true;
          break;
        }
      }
    } finally {
      this.unlockControl();
    }
    for (const segno of this.listSegments()) {
      if (this.mayDeleteSegment(segno * SLRU_PAGES_PER_SEGMENT, cutoff)) this.dir.remove(this.segmentPath(segno));
    }
    return true;
  }

  /** SlruMayDeleteSegment: both the first and the last page of the segment precede the cutoff. */
  private mayDeleteSegment(segpage: number, cutoffPage: number): boolean {
    const last = segpage + SLRU_PAGES_PER_SEGMENT - 1;
    return this.pagePrecedes(segpage, cutoffPage) && this.pagePrecedes(last, cutoffPage);
  }

  /** Whether any segment file would be removed by truncate(cutoffPage) (SlruScanDirCbReportPresence). */
  hasSegmentsBefore(cutoffPage: number): boolean {
    const cutoff = cutoffPage - (cutoffPage % SLRU_PAGES_PER_SEGMENT);
    return this.listSegments().some((segno) => this.mayDeleteSegment(segno * SLRU_PAGES_PER_SEGMENT, cutoff));
  }

  /** Removes every segment file (pg_subtrans at startup). */
  removeAllSegments(): void {
    for (const segno of this.listSegments()) this.dir.remove(this.segmentPath(segno));
  }

  /** The slots, for the playground and tests (takes the control lock shared). */
  describe(): SlruSlotInfo[] {
    this.lockControl(LWLockMode.Shared);
    try {
      const out: SlruSlotInfo[] = [];
      for (let slot = 0; slot < this.n; slot++) {
        out.push({
          slot,
          pageNumber: this.pageNumberOf(slot),
          status: STATUS_NAMES[this.statusOf(slot)],
          dirty: this.isDirty(slot),
          lruCount: this.i32[this.wLru + slot],
          groupLsn: this.groupLsnOf(slot),
        });
      }
      return out;
    } finally {
      this.unlockControl();
    }
  }

  /** A 32-bit word in a slot's page, for SLRUs of 4-byte entries (control lock held). */
  getU32(slot: number, entry: number): number {
    return this.u32[this.pagesU32Index + slot * (BLCKSZ / 4) + entry];
  }

  setU32(slot: number, entry: number, value: number): void {
    this.u32[this.pagesU32Index + slot * (BLCKSZ / 4) + entry] = value;
  }
}
