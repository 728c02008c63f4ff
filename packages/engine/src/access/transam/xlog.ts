/*
 * xlog.ts — the write-ahead log's shared state and each backend's handle on
 * it (PostgreSQL's xlog.c: XLogInsertRecord, AdvanceXLInsertBuffer,
 * XLogWrite, XLogFlush, XLogBackgroundFlush, CreateCheckPoint,
 * BootStrapXLOG).
 *
 * Exports: xlogShmemSize, xlogShmemInit, xlogStatsOf, XLogSettings, XLog (insertRecord,
 * insertSimple, flush, backgroundFlush, getInsertRecPtr, getWriteRecPtr,
 * getFlushRecPtr, getRedoRecPtr, getControlFile, updateControlFile,
 * createCheckPoint, checkpointNeeded, requestCheckpoint,
 * requestCheckpointIfNeeded, takeCheckpointRequest, logNextOid, stats,
 * close, and the startup hooks beginStartup / finishStartup),
 * CheckpointHooks, CHECKPOINT_* flags; re-exports bootstrapXLog and
 * BootstrapOptions from xlogbootstrap.ts.
 *
 * See README.md in this folder ("## WAL") for the rules; "rule N" below
 * refers to them.
 *
 * Shared memory: one region, "XLogCtl", made by the postmaster:
 *
 *   byte 0     Int32 words (lock words and published positions; table below)
 *   byte 256   Float64 Insert state, guarded by WALInsertLock:
 *                [0] CurrPos       end of the last record inserted (MAXALIGNed);
 *                                  the next record starts here (after the page
 *                                  header if this is a page boundary)
 *                [1] PrevRecPtr    start of the last record inserted (next xl_prev)
 *                [2] RedoRecPtr    redo pointer of the current checkpoint
 *                [3] InitializedUpTo  end of the last WAL buffer page initialized
 *   byte 512   the control file (136 bytes), guarded by ControlFileLock
 *   byte 768   xlblocks: Float64 per WAL buffer, the LSN of the page the slot
 *              holds (0 = none); written under WALInsertLock when a page is
 *              initialized, read under WALWriteLock by the writer
 *   then       the WAL buffers: walBuffers pages of XLOG_BLCKSZ, a ring:
 *              page at LSN p lives in slot (p / XLOG_BLCKSZ) % walBuffers
 *
 * Published positions are 53-bit numbers kept as two Int32 words under a
 * seqlock (a counter that is odd while the writer stores): one writer at a
 * time (the lock named below), any number of lock-free readers. The insert
 * position is not published that way: it changes with every record, and the
 * four atomic operations a seqlock write costs would be a fifth of an
 * insertion. Readers take WALInsertLock in shared mode instead
 * (readInsertPos); only flushes and checkpoint checks read it.
 *
 * The state of the WAL, as a whole:
 *
 *   UNINITIALIZED --beginStartup()--> RECOVERY --finishStartup()--> PRODUCTION
 *   (shmem made)                      (startup reads and replays;   (backends insert,
 *                                      flush() is a no-op, no        flush, checkpoint)
 *                                      insertion allowed)
 */

import type { StorageDirectory } from '@tabgres/opfs-storage';
import {
  COMMIT_DELAY_US_MAX,
  COMMIT_SIBLINGS_MAX,
  DEFAULT_CHECKPOINT_TIMEOUT_MS,
  DEFAULT_CHECKPOINT_WAL_BYTES,
  DEFAULT_COMMIT_SIBLINGS,
  DEFAULT_WAL_BUFFERS,
  WAL_BUFFERS_MIN,
  WAL_SEQLOCK_RETRIES_MAX,
  XLOG_BLCKSZ,
} from '../../constants.ts';
import {
  type CheckPoint,
  type ControlFileData,
  DB_IN_PRODUCTION,
  DB_SHUTDOWNED,
  DB_SHUTDOWNING,
  SIZE_OF_CHECKPOINT,
  SIZE_OF_CONTROL_FILE_DATA,
  XLOG_CHECKPOINT_ONLINE,
  XLOG_CHECKPOINT_SHUTDOWN,
  XLOG_NEXTOID,
  decodeControlFile,
  encodeCheckPoint,
  encodeControlFile,
  sysidHi,
  sysidLo,
  writeControlFile,
} from '../../catalog/pg_control.ts';
import type { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockMode, type LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { Assert, elog, panic } from '../../utils/errors.ts';
import { RM_XLOG_ID } from './rmgr.ts';
import { InvalidXLogRecPtr, lsnToString, putU32, type XLogRecPtr } from './xlogdefs.ts';
import { XLogSegmentFiles } from './xlogfile.ts';

export { bootstrapXLog, type BootstrapOptions } from './xlogbootstrap.ts';
import {
  SIZE_OF_XLOG_LONG_PHD,
  SIZE_OF_XLOG_SHORT_PHD,
  XLP_FIRST_IS_CONTRECORD,
  XLP_INFO,
  XLP_REM_LEN,
  isValidWalSegSize,
  writePageHeader,
  xlByteToSeg,
} from './xlog_internal.ts';
import {
  SIZE_OF_XLOG_RECORD,
  SIZE_OF_XLOG_RECORD_DATA_HEADER_LONG,
  XLogRecData,
  writeMainDataRecordHeader,
} from './xlogrecord.ts';

// ---------------------------------------------------------------- checkpoint flags (PostgreSQL's values)

export const CHECKPOINT_IS_SHUTDOWN = 0x0001;
export const CHECKPOINT_END_OF_RECOVERY = 0x0002;
export const CHECKPOINT_IMMEDIATE = 0x0004;
export const CHECKPOINT_FORCE = 0x0008;
export const CHECKPOINT_FLUSH_ALL = 0x0010;
export const CHECKPOINT_WAIT = 0x0020;
export const CHECKPOINT_REQUESTED = 0x0040;
export const CHECKPOINT_CAUSE_XLOG = 0x0080;
export const CHECKPOINT_CAUSE_TIME = 0x0100;

/** What a checkpoint needs from the rest of the engine (supplied by the lead's checkpointer code). */
export interface CheckpointHooks {
  /** CheckPointGuts: write CLOG, every dirty buffer, and fsync relation files; all changes before `redo` become durable. */
  checkPointGuts(redo: XLogRecPtr, flags: number): void;
  /** The transaction counters to record in the checkpoint. */
  nextXidAndOid(): { nextXid: number; nextOid: number; oldestXid: number; oldestActiveXid: number };
}

// ---------------------------------------------------------------- shared layout

/*
 * Int32 words of XLogCtl, each with what guards it:
 */
const W_INSERT_LOCK = 0; //          LWLock WALInsertLock: reserve + copy of a record (rule 6)
const W_WRITE_LOCK = 1; //           LWLock WALWriteLock: writing and flushing WAL files, pg_wal/ changes
const W_CONTROL_LOCK = 2; //         LWLock ControlFileLock: the control file image and global/pg_control
const W_CHECKPOINT_LOCK = 3; //      LWLock CheckpointLock: one checkpoint at a time
const W_COMMIT_DELAY_US = 4; //      commit_delay (microseconds), read-only after xlogShmemInit
const W_COMMIT_SIBLINGS = 5; //      commit_siblings, read-only
const W_GROUP_COMMIT = 6; //         1 = flush() writes all inserted WAL (group commit); 0 only its own record. Read-only
const W_WRITTEN_SEQ = 7; //          seqlock, writer holds WALWriteLock
const W_WRITE = 8; //      (2 words) LogwrtResult.Write: written to files up to here
const W_FLUSH = 10; //     (2 words) LogwrtResult.Flush: flushed (durable) up to here
const W_REDO_SEQ = 12; //            seqlock, writer holds CheckpointLock (and WALInsertLock for W_REDO)
const W_REDO = 13; //      (2 words) XLogCtl->RedoRecPtr: the current checkpoint's redo pointer
const W_CKPT_TIME = 15; // (2 words) when the last checkpoint started, ms since 1970
const W_CKPT_END = 17; //  (2 words) end of the last checkpoint record
const W_STATE = 19; //               XLOG_STATE_*, Atomics; set by the startup process only
const W_FULL_PAGE_WRITES = 20; //    full_page_writes, read under WALInsertLock
const W_SEG_SIZE = 21; //            set by startup before PRODUCTION, read-only after
const W_NBUFFERS = 22; //            set by xlogShmemInit, read-only
const W_TLI = 23; //                 set by startup, read-only after
const W_SYSID_LO = 24; //            set by startup, read-only after
const W_SYSID_HI = 25;
const W_CKPT_WAL_BYTES = 26; //      setting, read-only
const W_CKPT_TIMEOUT_MS = 27; //     setting, read-only
const W_CKPT_REQ_FLAGS = 28; //      Atomics.or by requesters, exchanged to 0 by the checkpointer
const W_CKPT_REQUESTS = 29; //       Atomics counters for the playground and the checkpointer
const W_CKPT_STARTED = 30;
const W_CKPT_DONE = 31;
const W_STAT_WRITES = 32; //         pg_stat_wal: wal_write (write calls), wal_sync (flushes), wal_buffers_full
const W_STAT_SYNCS = 33;
const W_STAT_BUFFERS_FULL = 34;
const W_STAT_RECORDS = 35; //        records inserted (Atomics.add under WALInsertLock)
const W_STAT_FPI = 36; //            full-page images inserted

const F64_OFFSET = 256;
const F_CURR_POS = 0;
const F_PREV_REC = 1;
const F_INS_REDO = 2;
const F_INIT_UPTO = 3;
const CONTROL_OFFSET = 512;
const XLBLOCKS_OFFSET = 768;

const XLOG_STATE_UNINITIALIZED = 0;
const XLOG_STATE_RECOVERY = 1;
const XLOG_STATE_PRODUCTION = 2;

const TWO_32 = 4294967296;

/*
 * LSNs are doubles to V8 (they pass 2^31), and `%` on doubles is a call to
 * fmod costing tens of nanoseconds. The hot paths use these instead.
 */

/** lsn % m for a power of two m <= 2^31: ToUint32 keeps the low 32 bits exactly, and m divides 2^32. */
function offsetIn(lsn: number, m: number): number {
  return (lsn >>> 0) & (m - 1);
}

/** Zeroes for WAL buffer pages: set() from it is 8x faster than fill() on a SharedArrayBuffer in V8. */
const ZERO_PAGE = new Uint8Array(XLOG_BLCKSZ);

/** The WAL buffer slot of the page holding `lsn`: (lsn / XLOG_BLCKSZ) mod nbuf, without fmod. */
function slotOf(lsn: number, nbuf: number): number {
  const pageNo = Math.floor(lsn / XLOG_BLCKSZ);
  return pageNo - Math.floor(pageNo / nbuf) * nbuf;
}

function pagesOffset(nbuf: number): number {
  return Math.ceil((XLBLOCKS_OFFSET + 8 * nbuf) / 64) * 64;
}

function regionSize(nbuf: number): number {
  return pagesOffset(nbuf) + nbuf * XLOG_BLCKSZ;
}

export interface XLogSettings {
  /** wal_buffers, in XLOG_BLCKSZ pages. */
  walBuffers: number;
  /** full_page_writes (rule 3); off only for tests that want to see torn pages hurt. */
  fullPageWrites: boolean;
  /** A checkpoint is wanted after this much WAL since the last redo pointer. */
  checkpointWalBytes: number;
  /** checkpoint_timeout. */
  checkpointTimeoutMs: number;
  /**
   * commit_delay, in microseconds (0 = off): the backend that will flush
   * sleeps this long first, holding WALWriteLock, when at least
   * commitSiblings other transactions are open, so that their commit
   * records join its flush.
   */
  commitDelayUs: number;
  /** commit_siblings. */
  commitSiblings: number;
  /**
   * true (always, in PostgreSQL): a flush writes and fsyncs everything
   * inserted so far, covering concurrent committers. false, for benchmarks
   * only: each flush stops at its own record, so concurrent commits share a
   * flush only when one's record happens to lie before another's.
   */
  groupCommit: boolean;
}

const DEFAULT_SETTINGS: XLogSettings = {
  walBuffers: DEFAULT_WAL_BUFFERS,
  fullPageWrites: true,
  checkpointWalBytes: DEFAULT_CHECKPOINT_WAL_BYTES,
  checkpointTimeoutMs: DEFAULT_CHECKPOINT_TIMEOUT_MS,
  commitDelayUs: 0,
  commitSiblings: DEFAULT_COMMIT_SIBLINGS,
  groupCommit: true,
};

/** Adds XLogCtl to a shared-memory size estimate (XLOGShmemSize). */
export function xlogShmemSize(sizer: ShmemSizer, walBuffers = DEFAULT_WAL_BUFFERS): void {
  sizer.add(regionSize(walBuffers));
}

/** XLOGShmemInit: creates XLogCtl. Called once, by the postmaster, before any backend attaches. */
export function xlogShmemInit(shmem: Shmem, settings: Partial<XLogSettings> = {}): void {
  const s = { ...DEFAULT_SETTINGS, ...settings };
  Assert(Number.isInteger(s.walBuffers) && s.walBuffers >= WAL_BUFFERS_MIN, `wal_buffers must be at least ${WAL_BUFFERS_MIN}`);
  Assert(s.checkpointWalBytes > 0 && s.checkpointWalBytes < TWO_32, 'checkpoint WAL bytes must fit in 32 bits');
  Assert(s.checkpointTimeoutMs > 0 && s.checkpointTimeoutMs < TWO_32, 'checkpoint_timeout must fit in 32 bits');
  Assert(Number.isInteger(s.commitDelayUs) && s.commitDelayUs >= 0 && s.commitDelayUs <= COMMIT_DELAY_US_MAX, `commit_delay must be between 0 and ${COMMIT_DELAY_US_MAX}`);
  Assert(Number.isInteger(s.commitSiblings) && s.commitSiblings >= 0 && s.commitSiblings <= COMMIT_SIBLINGS_MAX, `commit_siblings must be between 0 and ${COMMIT_SIBLINGS_MAX}`);
  const region = shmem.initStruct('XLogCtl', regionSize(s.walBuffers));
  Assert(!region.found, 'XLogCtl initialized twice');
  const wi = region.offset >> 2;
  const w = shmem.i32;
  w[wi + W_NBUFFERS] = s.walBuffers;
  w[wi + W_FULL_PAGE_WRITES] = s.fullPageWrites ? 1 : 0;
  w[wi + W_CKPT_WAL_BYTES] = s.checkpointWalBytes | 0;
  w[wi + W_CKPT_TIMEOUT_MS] = s.checkpointTimeoutMs | 0;
  w[wi + W_TLI] = 1;
  w[wi + W_COMMIT_DELAY_US] = s.commitDelayUs;
  w[wi + W_COMMIT_SIBLINGS] = s.commitSiblings;
  w[wi + W_GROUP_COMMIT] = s.groupCommit ? 1 : 0;
}

/** Counters for pg_stat_wal and the playground. */
export interface XLogStats {
  records: number;
  fpi: number;
  writes: number;
  syncs: number;
  buffersFull: number;
  checkpointsRequested: number;
  checkpointsStarted: number;
  checkpointsDone: number;
}

/**
 * The WAL counters of a segment, read with Atomics.load and no lock: for
 * the postmaster's thread, which must never wait (lwlock.ts rule 5), and
 * benchmarks (fdatasyncs per commit shows group commit at work).
 */
export function xlogStatsOf(shmem: Shmem): XLogStats {
  const region = shmem.lookup('XLogCtl');
  if (region === undefined) elog('XLogCtl is missing from shared memory (xlogShmemInit was not called)');
  return readXLogStats(shmem.i32, region.offset >> 2);
}

/** The counters at words wi + W_STAT_* / W_CKPT_* of the XLogCtl region. */
function readXLogStats(w: Int32Array, wi: number): XLogStats {
  const at = (k: number): number => Atomics.load(w, wi + k) >>> 0;
  return {
    records: at(W_STAT_RECORDS),
    fpi: at(W_STAT_FPI),
    writes: at(W_STAT_WRITES),
    syncs: at(W_STAT_SYNCS),
    buffersFull: at(W_STAT_BUFFERS_FULL),
    checkpointsRequested: at(W_CKPT_REQUESTS),
    checkpointsStarted: at(W_CKPT_STARTED),
    checkpointsDone: at(W_CKPT_DONE),
  };
}

/**
 * One backend's handle on the WAL. Holds only this backend's scratch state
 * and caches (open segment files, the last known flush position); all shared
 * state is in XLogCtl.
 */
export class XLog {
  private readonly lw: LWLockOwner;
  private readonly dir: StorageDirectory;
  private readonly files: XLogSegmentFiles;
  private readonly w: Int32Array;
  private readonly u8: Uint8Array;
  private readonly f64: Float64Array;
  private readonly xlblocks: Float64Array;
  private readonly controlImage: Uint8Array;
  /** Word index of XLogCtl in shmem.i32; every W_* is relative to it. */
  private readonly wi: number;
  private readonly nbuf: number;
  /** Byte offset of WAL buffer slot 0 in the segment. */
  private readonly pagesOff: number;
  private readonly now: () => number;

  /** This backend's copy of RedoRecPtr (PostgreSQL's backend-local RedoRecPtr); refreshed under WALInsertLock. */
  private localRedo: XLogRecPtr = InvalidXLogRecPtr;
  /** This backend's copy of doPageWrites. */
  private localDoPageWrites = true;
  /** Last known LogwrtResult (may lag the shared values; only ever too small). */
  private localWrite: XLogRecPtr = 0;
  private localFlush: XLogRecPtr = 0;

  /** Start of the last record this backend inserted (ProcLastRecPtr). */
  lastRecStart: XLogRecPtr = InvalidXLogRecPtr;
  /** End of the last record this backend inserted (XactLastRecEnd). */
  lastRecEnd: XLogRecPtr = InvalidXLogRecPtr;

  /**
   * MinimumActiveBackends(n): whether at least n other backends have a
   * transaction with an XID open, for commit_delay. Set by the engine once
   * the proc array is attached; until then no delay is taken.
   */
  minimumActiveBackends: (n: number) => boolean = () => false;
  /** For commit_delay's sleep (Atomics.wait needs an Int32Array; nobody notifies it). */
  private readonly sleepWord = new Int32Array(new SharedArrayBuffer(4));

  // Scratch for insertSimple (RM_XLOG records with main data only).
  private readonly simpleHdr = new Uint8Array(SIZE_OF_XLOG_RECORD + SIZE_OF_XLOG_RECORD_DATA_HEADER_LONG);
  private readonly simpleRdata = new XLogRecData(this.simpleHdr, 4);
  private readonly oidBuf = new Uint8Array(4);

  constructor(shmem: Shmem, lw: LWLockOwner, dir: StorageDirectory, options: { now?: () => number } = {}) {
    const region = shmem.lookup('XLogCtl');
    if (region === undefined) elog('XLogCtl is missing from shared memory (xlogShmemInit was not called)');
    this.lw = lw;
    this.dir = dir;
    this.w = shmem.i32;
    this.u8 = shmem.u8;
    this.wi = region.offset >> 2;
    this.nbuf = this.w[this.wi + W_NBUFFERS];
    this.f64 = new Float64Array(shmem.sab, region.offset + F64_OFFSET, 4);
    this.controlImage = new Uint8Array(shmem.sab, region.offset + CONTROL_OFFSET, SIZE_OF_CONTROL_FILE_DATA);
    this.xlblocks = new Float64Array(shmem.sab, region.offset + XLBLOCKS_OFFSET, this.nbuf);
    this.pagesOff = region.offset + pagesOffset(this.nbuf);
    this.files = new XLogSegmentFiles(dir, 1);
    this.now = options.now ?? Date.now;
  }

  // ---------------------------------------------------------------- seqlock-published positions

  private seqRead(seq: number, at: number): number {
    const w = this.w;
    const s = this.wi + seq;
    const a = this.wi + at;
    for (let i = 0; i < WAL_SEQLOCK_RETRIES_MAX; i++) {
      const before = Atomics.load(w, s);
      if ((before & 1) !== 0) continue;
      const lo = Atomics.load(w, a) >>> 0;
      const hi = Atomics.load(w, a + 1) >>> 0;
      if (Atomics.load(w, s) === before) return hi * TWO_32 + lo;
    }
    panic('WAL position seqlock stuck (a backend died while publishing a WAL position)');
  }

  /** Publishes one position; the caller is the only writer of this seqlock (it holds the named lock). */
  private seqWrite(seq: number, at: number, value: number): void {
    const w = this.w;
    const s = this.wi + seq;
    const a = this.wi + at;
    Atomics.add(w, s, 1);
    Atomics.store(w, a, value >>> 0);
    Atomics.store(w, a + 1, Math.floor(value / TWO_32));
    Atomics.add(w, s, 1);
  }

  private get segSize(): number {
    return this.w[this.wi + W_SEG_SIZE];
  }

  private state(): number {
    return Atomics.load(this.w, this.wi + W_STATE);
  }

  /** The lock words' indexes in shmem.i32, for the playground's lock view. */
  lockIds(): { walInsert: number; walWrite: number; controlFile: number; checkpoint: number } {
    return {
      walInsert: this.wi + W_INSERT_LOCK,
      walWrite: this.wi + W_WRITE_LOCK,
      controlFile: this.wi + W_CONTROL_LOCK,
      checkpoint: this.wi + W_CHECKPOINT_LOCK,
    };
  }

  /** GetInsertRecPtr: the end of the WAL inserted so far (everything before it is in the WAL buffers). */
  getInsertRecPtr(): XLogRecPtr {
    return this.readInsertPos();
  }

  /**
   * CurrPos, read under WALInsertLock (shared): a position every byte
   * before which is copied. Never called with WALWriteLock held (lock order,
   * rule 6); see flush() for the conditional read under it.
   */
  private readInsertPos(): XLogRecPtr {
    const lockId = this.wi + W_INSERT_LOCK;
    this.lw.acquire(lockId, LWLockMode.Shared);
    const pos = this.f64[F_CURR_POS];
    this.lw.release(lockId);
    return pos;
  }

  /** GetXLogWriteRecPtr: written to files (not necessarily durable) up to here. */
  getWriteRecPtr(): XLogRecPtr {
    return this.seqRead(W_WRITTEN_SEQ, W_WRITE);
  }

  /** GetFlushRecPtr: durable up to here. */
  getFlushRecPtr(): XLogRecPtr {
    const f = this.seqRead(W_WRITTEN_SEQ, W_FLUSH);
    if (f > this.localFlush) this.localFlush = f;
    return f;
  }

  /** GetRedoRecPtr: the redo pointer of the latest checkpoint (begun), for hint-bit decisions. */
  getRedoRecPtr(): XLogRecPtr {
    const r = this.seqRead(W_REDO_SEQ, W_REDO);
    if (r > this.localRedo) this.localRedo = r;
    return r;
  }

  /** GetFullPageWriteInfo: this backend's RedoRecPtr and doPageWrites, possibly stale (insertRecord rechecks). */
  get cachedRedoRecPtr(): XLogRecPtr {
    return this.localRedo;
  }

  get cachedDoPageWrites(): boolean {
    return this.localDoPageWrites;
  }

  get inRecovery(): boolean {
    return this.state() === XLOG_STATE_RECOVERY;
  }

  get walSegmentSize(): number {
    return this.segSize;
  }

  stats(): XLogStats {
    return readXLogStats(this.w, this.wi);
  }

  // ---------------------------------------------------------------- insertion

  /**
   * XLogInsertRecord: reserves room for the assembled record at the end of
   * the WAL and copies it into the WAL buffers, all under WALInsertLock.
   *
   * `rdata` chunk 0 is the record header (xl_tot_len, xl_xid, xl_info,
   * xl_rmid filled; xl_prev and xl_crc are filled here); `dataCrc` is the
   * running CRC over everything after the 24-byte header. `fpwLsn` is the
   * lowest page LSN of the blocks the caller decided need no image (0 if
   * none): if the redo pointer has moved past it since the caller looked
   * (a checkpoint began), that decision is stale, and this returns
   * InvalidXLogRecPtr so the caller re-assembles (rule 4).
   *
   * Returns the end of the record (MAXALIGNed): XLogInsert's result, the LSN
   * the caller stamps on the pages it changed.
   */
  insertRecord(rdata: XLogRecData, dataCrc: number, fpwLsn: XLogRecPtr, prevDoPageWrites: boolean, numFpi: number): XLogRecPtr {
    const w = this.w;
    const wi = this.wi;
    // A plain read: the state changes only in the startup process, before backends insert.
    if (w[wi + W_STATE] !== XLOG_STATE_PRODUCTION) elog('cannot make new WAL entries during recovery');
    const f64 = this.f64;
    const lockId = wi + W_INSERT_LOCK;
    this.lw.acquire(lockId, LWLockMode.Exclusive);
    try {
      // The redo pointer and full_page_writes may have changed since the caller decided about images.
      this.localRedo = f64[F_INS_REDO];
      this.localDoPageWrites = w[wi + W_FULL_PAGE_WRITES] !== 0;
      if (this.localDoPageWrites && (!prevDoPageWrites || (fpwLsn !== InvalidXLogRecPtr && fpwLsn <= this.localRedo))) {
        return InvalidXLogRecPtr;
      }
      let start = f64[F_CURR_POS];
      if (offsetIn(start, XLOG_BLCKSZ) === 0) {
        this.initPage(start);
        start += offsetIn(start, this.segSize) === 0 ? SIZE_OF_XLOG_LONG_PHD : SIZE_OF_XLOG_SHORT_PHD;
      }
      rdata.finishHeader(f64[F_PREV_REC], dataCrc);
      const end = this.copyRecord(rdata, start);
      // MAXALIGN: the padding bytes are already zero (pages are zeroed when initialized).
      const endAligned = end + ((8 - offsetIn(end, 8)) & 7);
      f64[F_CURR_POS] = endAligned;
      f64[F_PREV_REC] = start;
      w[wi + W_STAT_RECORDS]++;
      if (numFpi > 0) w[wi + W_STAT_FPI] += numFpi;
      this.lastRecStart = start;
      this.lastRecEnd = endAligned;
      return endAligned;
    } finally {
      this.lw.release(lockId);
    }
  }

  /** CopyXLogRecordToWAL: copies the chunks from `startPos`, starting new pages as needed. Returns the end. */
  private copyRecord(rdata: XLogRecData, startPos: XLogRecPtr): XLogRecPtr {
    const u8 = this.u8;
    let pos = startPos;
    let pageOff = offsetIn(pos, XLOG_BLCKSZ);
    let dstBase = this.pagesOff + slotOf(pos, this.nbuf) * XLOG_BLCKSZ;
    let free = XLOG_BLCKSZ - pageOff;
    let remaining = rdata.totalLen;
    const bufs = rdata.bufs;
    const starts = rdata.starts;
    const lens = rdata.lens;
    const head = rdata.head;
    const headWords = rdata.headWords;
    const words = this.w;
    for (let i = 0, n = rdata.n; i < n; i++) {
      const src = bufs[i];
      let s = starts[i];
      let len = lens[i];
      while (len > 0) {
        if (free === 0) {
          // The record goes on: initialize the next page and say how much of the record it holds.
          this.initPage(pos);
          dstBase = this.pagesOff + slotOf(pos, this.nbuf) * XLOG_BLCKSZ;
          putU32(u8, dstBase + XLP_REM_LEN, remaining);
          u8[dstBase + XLP_INFO] |= XLP_FIRST_IS_CONTRECORD;
          const hs = offsetIn(pos, this.segSize) === 0 ? SIZE_OF_XLOG_LONG_PHD : SIZE_OF_XLOG_SHORT_PHD;
          pos += hs;
          pageOff = hs;
          free = XLOG_BLCKSZ - hs;
        }
        const k = len < free ? len : free;
        const d = dstBase + pageOff;
        // Byte loops cost ~1.4 ns a byte, set() ~20 ns a call plus ~40 ns for a subarray:
        // the header scratch (chunk 0, the whole of a small record) goes a 32-bit word at a
        // time. Its pieces start 8-aligned on both sides: records start MAXALIGNed, and a
        // record breaks at page ends and resumes after 24- or 40-byte page headers.
        if (src === head) {
          if (((d | s) & 3) !== 0) panic('WAL record header copy is not word-aligned');
          const dw = d >> 2;
          const sw = s >> 2;
          const nw = k >> 2;
          for (let j = 0; j < nw; j++) words[dw + j] = headWords[sw + j];
          for (let j = nw << 2; j < k; j++) u8[d + j] = src[s + j];
        } else if (k < 32) {
          for (let j = 0; j < k; j++) u8[d + j] = src[s + j];
        } else if (s === 0 && k === src.length) {
          u8.set(src, d);
        } else {
          u8.set(src.subarray(s, s + k), d);
        }
        s += k;
        len -= k;
        pos += k;
        pageOff += k;
        free -= k;
        remaining -= k;
      }
    }
    return pos;
  }

  /**
   * AdvanceXLInsertBuffer for one page: makes the WAL buffer slot for the
   * page at `pageAddr` hold that page, zeroed, with its header. If the slot
   * still holds an older page that is not written yet, writes WAL first
   * (rule 7). Caller holds WALInsertLock.
   */
  private initPage(pageAddr: XLogRecPtr): void {
    const f64 = this.f64;
    if (pageAddr !== f64[F_INIT_UPTO]) panic(`WAL page ${lsnToString(pageAddr)} initialized out of order`);
    const slot = slotOf(pageAddr, this.nbuf);
    const old = this.xlblocks[slot];
    if (old !== 0 && this.localWrite < old + XLOG_BLCKSZ) {
      this.localWrite = this.seqRead(W_WRITTEN_SEQ, W_WRITE);
      if (this.localWrite < old + XLOG_BLCKSZ) {
        // Lock order: WALInsertLock, then WALWriteLock (rule 6). Everything before pageAddr is copied.
        Atomics.add(this.w, this.wi + W_STAT_BUFFERS_FULL, 1);
        const lockId = this.wi + W_WRITE_LOCK;
        this.lw.acquire(lockId, LWLockMode.Exclusive);
        try {
          if (this.seqRead(W_WRITTEN_SEQ, W_WRITE) < old + XLOG_BLCKSZ) this.xlogWrite(pageAddr, false);
        } finally {
          this.lw.release(lockId);
        }
      }
    }
    const base = this.pagesOff + slot * XLOG_BLCKSZ;
    this.u8.set(ZERO_PAGE, base);
    writePageHeader(this.u8, base, pageAddr, this.w[this.wi + W_TLI], {
      sysidLo: this.w[this.wi + W_SYSID_LO] >>> 0,
      sysidHi: this.w[this.wi + W_SYSID_HI] >>> 0,
      segSize: this.segSize,
    });
    this.xlblocks[slot] = pageAddr;
    f64[F_INIT_UPTO] = pageAddr + XLOG_BLCKSZ;
  }

  /**
   * Inserts a record that has only main data (RM_XLOG's checkpoint and
   * NEXTOID records). Returns the end LSN; lastRecStart is its start.
   */
  insertSimple(rmid: number, info: number, data: Uint8Array, xid = 0): XLogRecPtr {
    const hdr = this.simpleHdr;
    const hdrLen = writeMainDataRecordHeader(hdr, rmid, info, xid, data.length);
    const rd = this.simpleRdata;
    rd.reset();
    rd.push(hdr, 0, hdrLen);
    if (data.length > 0) rd.push(data, 0, data.length);
    const crc = rd.dataCrc();
    // No block references, so the full-page-write recheck can never ask for a retry.
    return this.insertRecord(rd, crc, InvalidXLogRecPtr, this.localDoPageWrites, 0);
  }

  /** XLogPutNextOid: logs that OIDs up to `nextOid` may have been handed out. */
  logNextOid(nextOid: number): XLogRecPtr {
    putU32(this.oidBuf, 0, nextOid);
    return this.insertSimple(RM_XLOG_ID, XLOG_NEXTOID, this.oidBuf);
  }

  // ---------------------------------------------------------------- writing and flushing

  /**
   * XLogWrite: writes the WAL buffers to the segment files up to `upTo`
   * (whole pages; the last one may be partial and is written again later)
   * and, with `flush`, makes them durable. Finished segments are flushed as
   * soon as they are complete, so only the last segment can be unflushed.
   * Caller holds WALWriteLock; every byte before `upTo` is copied.
   */
  private xlogWrite(upTo: XLogRecPtr, flush: boolean): void {
    const segSize = this.segSize;
    let write = this.seqRead(W_WRITTEN_SEQ, W_WRITE);
    let flushed = this.seqRead(W_WRITTEN_SEQ, W_FLUSH);
    const w = this.w;
    if (upTo > write) {
      let page = write - offsetIn(write, XLOG_BLCKSZ);
      const endPage = Math.ceil(upTo / XLOG_BLCKSZ) * XLOG_BLCKSZ;
      while (page < endPage) {
        const segno = Math.floor(page / segSize);
        const segEnd = (segno + 1) * segSize;
        const slot = slotOf(page, this.nbuf);
        // One write call per run of pages contiguous in the ring and in one segment.
        const runEnd = Math.min(endPage, segEnd, page + (this.nbuf - slot) * XLOG_BLCKSZ);
        for (let p = page, sl = slot; p < runEnd; p += XLOG_BLCKSZ, sl++) {
          if (this.xlblocks[sl] !== p) {
            panic(`xlog write request ${lsnToString(upTo)} is past end of log ${lsnToString(this.xlblocks[sl] + XLOG_BLCKSZ)}`);
          }
        }
        const off = this.pagesOff + slot * XLOG_BLCKSZ;
        this.files.write(segno, this.u8.subarray(off, off + (runEnd - page)), offsetIn(page, segSize));
        Atomics.add(w, this.wi + W_STAT_WRITES, 1);
        if (runEnd === segEnd && upTo >= segEnd) {
          this.files.flushSegment(segno);
          Atomics.add(w, this.wi + W_STAT_SYNCS, 1);
          if (segEnd > flushed) flushed = segEnd;
        }
        page = runEnd;
      }
      write = upTo;
    }
    if (flush && flushed < write) {
      for (let s = Math.floor(flushed / segSize), last = Math.floor((write - 1) / segSize); s <= last; s++) {
        this.files.flushSegment(s);
        Atomics.add(w, this.wi + W_STAT_SYNCS, 1);
      }
      flushed = write;
    }
    // One seqlock section for both, so readers never see Flush > Write.
    const s = this.wi + W_WRITTEN_SEQ;
    Atomics.add(w, s, 1);
    Atomics.store(w, this.wi + W_WRITE, write >>> 0);
    Atomics.store(w, this.wi + W_WRITE + 1, Math.floor(write / TWO_32));
    Atomics.store(w, this.wi + W_FLUSH, flushed >>> 0);
    Atomics.store(w, this.wi + W_FLUSH + 1, Math.floor(flushed / TWO_32));
    Atomics.add(w, s, 1);
    this.localWrite = write;
    this.localFlush = flushed;
  }

  /**
   * XLogFlush: makes the WAL durable at least up to `record` (rule 1, rule
   * 2). Flushes everything inserted so far, so backends that committed
   * meanwhile are covered too; a backend that waited for WALWriteLock
   * rechecks first and returns if someone else flushed far enough (group
   * commit: PostgreSQL's waiters use LWLockAcquireOrWait to skip taking the
   * lock then; here they take it and release it at once, the same outcome
   * for one more lock hand-off). With commit_delay the holder sleeps before
   * reading the insert position when commit_siblings other transactions
   * are open, so more commit records go into its flush. During recovery the
   * WAL being replayed is already on disk, so this does nothing.
   */
  flush(record: XLogRecPtr): void {
    if (record <= this.localFlush) return;
    const st = this.state();
    if (st !== XLOG_STATE_PRODUCTION) {
      if (st === XLOG_STATE_RECOVERY) return;
      elog('WAL is not initialized');
    }
    this.localFlush = this.seqRead(W_WRITTEN_SEQ, W_FLUSH);
    if (record <= this.localFlush) return;
    let inserted = this.readInsertPos();
    if (record > inserted) {
      panic(`request to flush past end of generated WAL; request ${lsnToString(record)}, current position ${lsnToString(inserted)}`);
    }
    const lockId = this.wi + W_WRITE_LOCK;
    this.lw.acquire(lockId, LWLockMode.Exclusive);
    try {
      this.localFlush = this.seqRead(W_WRITTEN_SEQ, W_FLUSH);
      if (record <= this.localFlush) return; // group commit: someone flushed for us while we waited
      const w = this.w;
      if (w[this.wi + W_GROUP_COMMIT] === 0) {
        // Benchmark switch (XLogSettings.groupCommit): only this backend's own record.
        this.xlogWrite(record, true);
      } else {
        const delayUs = w[this.wi + W_COMMIT_DELAY_US];
        if (delayUs > 0 && this.minimumActiveBackends(w[this.wi + W_COMMIT_SIBLINGS])) {
          Atomics.wait(this.sleepWord, 0, 0, delayUs / 1000);
        }
        // Take in what was inserted while we waited, if that needs no wait (WALWriteLock is held:
        // waiting for WALInsertLock here could deadlock with an inserter waiting for WALWriteLock).
        const insLock = this.wi + W_INSERT_LOCK;
        if (this.lw.conditionalAcquire(insLock, LWLockMode.Shared)) {
          inserted = this.f64[F_CURR_POS];
          this.lw.release(insLock);
        }
        this.xlogWrite(inserted, true);
      }
    } finally {
      this.lw.release(lockId);
    }
    if (this.localFlush < record) {
      panic(`xlog flush request ${lsnToString(record)} is not satisfied --- flushed only to ${lsnToString(this.localFlush)}`);
    }
  }

  /**
   * XLogBackgroundFlush (for the WAL writer): writes and flushes every
   * completed WAL page; if those are all flushed already, the partial last
   * page too. Returns whether it did any work.
   */
  backgroundFlush(): boolean {
    if (this.state() !== XLOG_STATE_PRODUCTION) return false;
    const inserted = this.readInsertPos();
    let target = inserted - offsetIn(inserted, XLOG_BLCKSZ);
    this.localFlush = this.seqRead(W_WRITTEN_SEQ, W_FLUSH);
    if (target <= this.localFlush) target = inserted;
    if (target <= this.localFlush) return false;
    const lockId = this.wi + W_WRITE_LOCK;
    this.lw.acquire(lockId, LWLockMode.Exclusive);
    try {
      if (this.seqRead(W_WRITTEN_SEQ, W_FLUSH) >= target) return false;
      this.xlogWrite(target, true);
      return true;
    } finally {
      this.lw.release(lockId);
    }
  }

  // ---------------------------------------------------------------- control file

  /** The control file as in shared memory (its latest version). */
  getControlFile(): ControlFileData {
    const lockId = this.wi + W_CONTROL_LOCK;
    this.lw.acquire(lockId, LWLockMode.Shared);
    try {
      return decodeControlFile(this.controlImage);
    } finally {
      this.lw.release(lockId);
    }
  }

  /** UpdateControlFile: changes the control file and writes it out (atomically). */
  updateControlFile(change: (cf: ControlFileData) => void): ControlFileData {
    const lockId = this.wi + W_CONTROL_LOCK;
    this.lw.acquire(lockId, LWLockMode.Exclusive);
    try {
      const cf = decodeControlFile(this.controlImage);
      change(cf);
      cf.time = Math.floor(this.now() / 1000);
      writeControlFile(this.dir, cf);
      encodeControlFile(cf, this.controlImage);
      return cf;
    } finally {
      this.lw.release(lockId);
    }
  }

  // ---------------------------------------------------------------- checkpoints

  /**
   * CreateCheckPoint, in PostgreSQL's order (README "Checkpoints"):
   *   1. under WALInsertLock, the redo pointer := the current insert position;
   *      from now on the first change of any page logs a full-page image
   *   2. collect the XID/OID counters, then CheckPointGuts: write and fsync
   *      everything dirty (CLOG, buffers, relation files)
   *   3. insert the checkpoint record and flush it
   *   4. point pg_control at it
   *   5. recycle or remove the segments before the redo pointer's segment
   * A checkpoint that is not forced is skipped if no WAL was written since
   * the last one. Returns whether a checkpoint was made.
   *
   * END_OF_RECOVERY writes a shutdown-kind record (nothing else can be
   * running), but leaves the cluster in production.
   */
  createCheckPoint(flags: number, hooks: CheckpointHooks): boolean {
    if (this.state() !== XLOG_STATE_PRODUCTION) elog('can\'t create a checkpoint during recovery');
    const ckptLock = this.wi + W_CHECKPOINT_LOCK;
    this.lw.acquire(ckptLock, LWLockMode.Exclusive);
    try {
      const isShutdown = (flags & CHECKPOINT_IS_SHUTDOWN) !== 0;
      const shutdownRecord = (flags & (CHECKPOINT_IS_SHUTDOWN | CHECKPOINT_END_OF_RECOVERY)) !== 0;
      if ((flags & (CHECKPOINT_IS_SHUTDOWN | CHECKPOINT_END_OF_RECOVERY | CHECKPOINT_FORCE)) === 0) {
        if (this.getInsertRecPtr() === this.seqRead(W_REDO_SEQ, W_CKPT_END)) return false;
      }
      Atomics.add(this.w, this.wi + W_CKPT_STARTED, 1);
      if (isShutdown) {
        this.updateControlFile((cf) => {
          cf.state = DB_SHUTDOWNING;
        });
      }

      // 1. The redo pointer.
      const insLock = this.wi + W_INSERT_LOCK;
      let redo: XLogRecPtr;
      this.lw.acquire(insLock, LWLockMode.Exclusive);
      try {
        redo = this.f64[F_CURR_POS];
        if (offsetIn(redo, XLOG_BLCKSZ) === 0) redo += offsetIn(redo, this.segSize) === 0 ? SIZE_OF_XLOG_LONG_PHD : SIZE_OF_XLOG_SHORT_PHD;
        this.f64[F_INS_REDO] = redo;
        this.localRedo = redo;
        this.seqWrite(W_REDO_SEQ, W_REDO, redo);
        this.seqWrite(W_REDO_SEQ, W_CKPT_TIME, this.now());
      } finally {
        this.lw.release(insLock);
      }

      // 2. Counters, then everything dirty to disk.
      const ids = hooks.nextXidAndOid();
      hooks.checkPointGuts(redo, flags);

      // 3. The record.
      const cp: CheckPoint = {
        redo,
        thisTimeLineID: this.w[this.wi + W_TLI],
        prevTimeLineID: this.w[this.wi + W_TLI],
        fullPageWrites: this.w[this.wi + W_FULL_PAGE_WRITES] !== 0,
        nextXid: ids.nextXid,
        nextOid: ids.nextOid,
        oldestXid: ids.oldestXid,
        oldestXidDB: 0,
        oldestActiveXid: ids.oldestActiveXid,
        time: Math.floor(this.now() / 1000),
      };
      const body = encodeCheckPoint(cp, new Uint8Array(SIZE_OF_CHECKPOINT));
      const end = this.insertSimple(RM_XLOG_ID, shutdownRecord ? XLOG_CHECKPOINT_SHUTDOWN : XLOG_CHECKPOINT_ONLINE, body);
      const recStart = this.lastRecStart;
      if (shutdownRecord && recStart !== redo) panic('concurrent write-ahead log activity while database system is shutting down');
      this.flush(end);

      // 4. pg_control.
      this.updateControlFile((cf) => {
        cf.state = isShutdown ? DB_SHUTDOWNED : DB_IN_PRODUCTION;
        cf.checkPoint = recStart;
        cf.checkPointCopy = cp;
        cf.minRecoveryPoint = 0;
        cf.minRecoveryPointTLI = 0;
      });
      this.seqWrite(W_REDO_SEQ, W_CKPT_END, end);

      // 5. Old segments. The insert position is read first: WALInsertLock is never taken under WALWriteLock.
      const currentSeg = xlByteToSeg(this.getInsertRecPtr(), this.segSize);
      const wlock = this.wi + W_WRITE_LOCK;
      this.lw.acquire(wlock, LWLockMode.Exclusive);
      try {
        this.files.segSize = this.segSize;
        this.files.removeOldSegments(xlByteToSeg(redo, this.segSize), currentSeg);
      } finally {
        this.lw.release(wlock);
      }
      Atomics.add(this.w, this.wi + W_CKPT_DONE, 1);
      return true;
    } finally {
      this.lw.release(ckptLock);
    }
  }

  /**
   * Whether a checkpoint is due: checkpointWalBytes of WAL since the last
   * redo pointer, or checkpoint_timeout since the last checkpoint began with
   * some WAL written since.
   */
  checkpointNeeded(): boolean {
    if (this.state() !== XLOG_STATE_PRODUCTION) return false;
    const inserted = this.readInsertPos();
    const redo = this.seqRead(W_REDO_SEQ, W_REDO);
    if (inserted - redo >= (this.w[this.wi + W_CKPT_WAL_BYTES] >>> 0)) return true;
    const started = this.seqRead(W_REDO_SEQ, W_CKPT_TIME);
    if (this.now() - started >= (this.w[this.wi + W_CKPT_TIMEOUT_MS] >>> 0)) {
      return inserted !== this.seqRead(W_REDO_SEQ, W_CKPT_END);
    }
    return false;
  }

  /** RequestCheckpoint without waiting: records the wish for whoever runs checkpoints. */
  requestCheckpoint(flags: number): void {
    Atomics.or(this.w, this.wi + W_CKPT_REQ_FLAGS, flags | CHECKPOINT_REQUESTED);
    Atomics.add(this.w, this.wi + W_CKPT_REQUESTS, 1);
  }

  /** Requests a checkpoint if one is due; returns whether it did. */
  requestCheckpointIfNeeded(): boolean {
    if (!this.checkpointNeeded()) return false;
    const inserted = this.readInsertPos();
    const redo = this.seqRead(W_REDO_SEQ, W_REDO);
    const byWal = inserted - redo >= (this.w[this.wi + W_CKPT_WAL_BYTES] >>> 0);
    this.requestCheckpoint(byWal ? CHECKPOINT_CAUSE_XLOG : CHECKPOINT_CAUSE_TIME);
    return true;
  }

  /** For the checkpointer: the pending request flags (0 if none), cleared. */
  takeCheckpointRequest(): number {
    return Atomics.exchange(this.w, this.wi + W_CKPT_REQ_FLAGS, 0);
  }

  // ---------------------------------------------------------------- startup (xlogrecovery.ts)

  /**
   * Startup, step 1: adopts pg_control's geometry and identity and enters
   * RECOVERY. The redo pointer is the checkpoint's, so the buffer manager's
   * hint-bit decisions during replay are the ones PostgreSQL makes.
   */
  beginStartup(cf: ControlFileData): void {
    Assert(this.state() === XLOG_STATE_UNINITIALIZED, 'WAL startup run twice');
    if (!isValidWalSegSize(cf.xlogSegSize)) elog(`invalid WAL segment size ${cf.xlogSegSize}`);
    const w = this.w;
    const wi = this.wi;
    w[wi + W_SEG_SIZE] = cf.xlogSegSize;
    w[wi + W_SYSID_LO] = sysidLo(cf.systemIdentifier);
    w[wi + W_SYSID_HI] = sysidHi(cf.systemIdentifier);
    w[wi + W_TLI] = cf.checkPointCopy.thisTimeLineID;
    this.files.segSize = cf.xlogSegSize;
    encodeControlFile(cf, this.controlImage);
    this.f64[F_INS_REDO] = cf.checkPointCopy.redo;
    this.seqWrite(W_REDO_SEQ, W_REDO, cf.checkPointCopy.redo);
    this.localRedo = cf.checkPointCopy.redo;
    Atomics.store(w, wi + W_STATE, XLOG_STATE_RECOVERY);
  }

  /**
   * Startup, step 2: the WAL ends at `endOfLog` (end of the last valid
   * record, which starts at `lastRec`). `lastPage` holds the file's bytes of
   * the page containing endOfLog, if endOfLog is inside a page: its valid
   * part is copied into the WAL buffers and the rest zeroed, so stale bytes
   * after the end (a torn write, a recycled segment) are overwritten by the
   * next write of that page. `checkpointEnd` is the end of the checkpoint
   * record startup began from.
   */
  finishStartup(endOfLog: XLogRecPtr, lastRec: XLogRecPtr, lastPage: Uint8Array | null, checkpointEnd: XLogRecPtr): void {
    Assert(this.state() === XLOG_STATE_RECOVERY, 'finishStartup outside recovery');
    const f64 = this.f64;
    f64[F_CURR_POS] = endOfLog;
    f64[F_PREV_REC] = lastRec;
    const off = offsetIn(endOfLog, XLOG_BLCKSZ);
    if (off !== 0) {
      Assert(lastPage !== null && lastPage.length >= off, 'the last WAL page is needed to continue inside it');
      const pageAddr = endOfLog - off;
      const slot = slotOf(pageAddr, this.nbuf);
      const base = this.pagesOff + slot * XLOG_BLCKSZ;
      this.u8.set(lastPage.subarray(0, off), base);
      this.u8.set(ZERO_PAGE.subarray(off), base + off);
      this.xlblocks[slot] = pageAddr;
      f64[F_INIT_UPTO] = pageAddr + XLOG_BLCKSZ;
    } else {
      f64[F_INIT_UPTO] = endOfLog;
    }
    const s = this.wi + W_WRITTEN_SEQ;
    Atomics.add(this.w, s, 1);
    for (const at of [W_WRITE, W_FLUSH]) {
      Atomics.store(this.w, this.wi + at, endOfLog >>> 0);
      Atomics.store(this.w, this.wi + at + 1, Math.floor(endOfLog / TWO_32));
    }
    Atomics.add(this.w, s, 1);
    this.localWrite = endOfLog;
    this.localFlush = endOfLog;
    this.seqWrite(W_REDO_SEQ, W_CKPT_END, checkpointEnd);
    // checkpoint_timeout counts from startup, as the checkpointer's last_checkpoint_time does.
    this.seqWrite(W_REDO_SEQ, W_CKPT_TIME, this.now());
    Atomics.store(this.w, this.wi + W_STATE, XLOG_STATE_PRODUCTION);
  }

  /** Closes this backend's WAL files. */
  close(): void {
    this.files.closeAll();
  }
}
