/*
 * pg_control.ts — the control file, global/pg_control (PostgreSQL's
 * catalog/pg_control.h and the reading/writing parts of xlog.c).
 *
 * Exports: DBState and its values, CheckPoint (encodeCheckPoint,
 * decodeCheckPoint, SIZE_OF_CHECKPOINT), the RM_XLOG record kinds
 * (XLOG_CHECKPOINT_SHUTDOWN ...), ControlFileData, encodeControlFile,
 * decodeControlFile, readControlFile, writeControlFile, newSystemIdentifier,
 * dbStateName, PG_CONTROL_FILE_SIZE, CONTROL_FILE_PATH.
 *
 * pg_control is the one file the server reads before anything else: it says
 * whether the cluster was shut down cleanly, where the last checkpoint record
 * is (so recovery knows where to start reading WAL), and the geometry the
 * cluster was created with. It is small, so a write of it is atomic on any
 * disk; tabgres makes that explicit by writing pg_control.tmp, flushing it
 * and renaming it over pg_control (DESIGN.md, durability rule 4).
 *
 * CheckPoint, 56 bytes (also the main data of a checkpoint WAL record):
 *
 *    0  u64 redo             where redo starts: the insert position when the checkpoint began
 *    8  u32 ThisTimeLineID   always 1
 *   12  u32 PrevTimeLineID   always 1
 *   16  u32 fullPageWrites   0 or 1
 *   20  u32 nextOid
 *   24  u64 nextXid          FullTransactionId: epoch * 2^32 + xid
 *   32  u32 oldestXid        oldest datfrozenxid
 *   36  u32 oldestXidDB      database holding it
 *   40  u32 oldestActiveXid  oldest XID running when the checkpoint began
 *   44  u32 (pad)
 *   48  u64 time             pg_time_t: seconds since 1970
 *
 * ControlFileData, 136 bytes at the start of an 8 KB file (the rest zero):
 *
 *    0  u64 system_identifier      random at initdb; WAL long page headers repeat it
 *    8  u32 pg_control_version     PG_CONTROL_VERSION
 *   12  u32 catalog_version_no     CATALOG_VERSION_NO
 *   16  u32 state                  DBState
 *   20  u32 (pad)
 *   24  u64 time                   last update, seconds since 1970
 *   32  u64 checkPoint             LSN of the last checkpoint record
 *   40  CheckPoint checkPointCopy  (56 bytes) copy of that record's contents
 *   96  u64 minRecoveryPoint       (archive recovery only; 0 here)
 *  104  u32 minRecoveryPointTLI
 *  108  u32 maxAlign               MAXIMUM_ALIGNOF
 *  112  u32 blcksz                 BLCKSZ
 *  116  u32 relseg_size            RELSEG_SIZE
 *  120  u32 xlog_blcksz            XLOG_BLCKSZ
 *  124  u32 xlog_seg_size          WAL segment size
 *  128  u32 data_checksum_version  0 = no page checksums
 *  132  u32 crc                    CRC-32C of bytes 0..131
 */

import type { StorageDirectory, SyncFile } from '@tabgres/opfs-storage';
import {
  BLCKSZ,
  CATALOG_VERSION_NO,
  MAXIMUM_ALIGNOF,
  PG_CONTROL_VERSION,
  RELSEG_SIZE,
  WAL_SEGMENT_SIZE_MAX,
  WAL_SEGMENT_SIZE_MIN,
  XLOG_BLCKSZ,
} from '../constants.ts';
import { crc32c } from '../port/crc32c.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import { getU32, getU64, putU32, putU64, type XLogRecPtr } from '../access/transam/xlogdefs.ts';

/** Where the control file lives, relative to the data directory. */
export const CONTROL_FILE_PATH = 'global/pg_control';
const CONTROL_FILE_TMP_PATH = 'global/pg_control.tmp';

/** The file is padded to this size so a read never comes up short (PG_CONTROL_FILE_SIZE). */
export const PG_CONTROL_FILE_SIZE = 8192;
/** Bytes of real content; well under the 512 bytes PostgreSQL trusts to be written atomically. */
export const SIZE_OF_CONTROL_FILE_DATA = 136;
const CONTROL_CRC_OFFSET = 132;

// ---------------------------------------------------------------- DBState

export const DB_STARTUP = 0;
export const DB_SHUTDOWNED = 1;
export const DB_SHUTDOWNED_IN_RECOVERY = 2;
export const DB_SHUTDOWNING = 3;
export const DB_IN_CRASH_RECOVERY = 4;
export const DB_IN_ARCHIVE_RECOVERY = 5;
export const DB_IN_PRODUCTION = 6;
export type DBState = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** The state as pg_controldata prints it ("Database cluster state"). */
export function dbStateName(state: number): string {
  switch (state) {
    case DB_STARTUP:
      return 'starting up';
    case DB_SHUTDOWNED:
      return 'shut down';
    case DB_SHUTDOWNED_IN_RECOVERY:
      return 'shut down in recovery';
    case DB_SHUTDOWNING:
      return 'shutting down';
    case DB_IN_CRASH_RECOVERY:
      return 'in crash recovery';
    case DB_IN_ARCHIVE_RECOVERY:
      return 'in archive recovery';
    case DB_IN_PRODUCTION:
      return 'in production';
    default:
      return 'unrecognized status code';
  }
}

// ---------------------------------------------------------------- RM_XLOG record kinds (xl_info high bits)

export const XLOG_CHECKPOINT_SHUTDOWN = 0x00;
export const XLOG_CHECKPOINT_ONLINE = 0x10;
export const XLOG_NOOP = 0x20;
export const XLOG_NEXTOID = 0x30;
export const XLOG_SWITCH = 0x40;
export const XLOG_BACKUP_END = 0x50;
export const XLOG_PARAMETER_CHANGE = 0x60;
export const XLOG_RESTORE_POINT = 0x70;
export const XLOG_FPW_CHANGE = 0x80;
export const XLOG_END_OF_RECOVERY = 0x90;
export const XLOG_FPI_FOR_HINT = 0xa0;
export const XLOG_FPI = 0xb0;
export const XLOG_OVERWRITE_CONTRECORD = 0xd0;
export const XLOG_CHECKPOINT_REDO = 0xe0;

// ---------------------------------------------------------------- CheckPoint

export interface CheckPoint {
  redo: XLogRecPtr;
  thisTimeLineID: number;
  prevTimeLineID: number;
  fullPageWrites: boolean;
  /** FullTransactionId as one number: epoch * 2^32 + xid. */
  nextXid: number;
  nextOid: number;
  oldestXid: number;
  oldestXidDB: number;
  oldestActiveXid: number;
  /** Seconds since 1970 (pg_time_t). */
  time: number;
}

export const SIZE_OF_CHECKPOINT = 56;

export function encodeCheckPoint(cp: CheckPoint, out: Uint8Array = new Uint8Array(SIZE_OF_CHECKPOINT), off = 0): Uint8Array {
  out.fill(0, off, off + SIZE_OF_CHECKPOINT);
  putU64(out, off + 0, cp.redo);
  putU32(out, off + 8, cp.thisTimeLineID);
  putU32(out, off + 12, cp.prevTimeLineID);
  putU32(out, off + 16, cp.fullPageWrites ? 1 : 0);
  putU32(out, off + 20, cp.nextOid);
  putU64(out, off + 24, cp.nextXid);
  putU32(out, off + 32, cp.oldestXid);
  putU32(out, off + 36, cp.oldestXidDB);
  putU32(out, off + 40, cp.oldestActiveXid);
  putU64(out, off + 48, cp.time);
  return out;
}

export function decodeCheckPoint(b: Uint8Array, off = 0): CheckPoint {
  return {
    redo: getU64(b, off + 0),
    thisTimeLineID: getU32(b, off + 8),
    prevTimeLineID: getU32(b, off + 12),
    fullPageWrites: getU32(b, off + 16) !== 0,
    nextOid: getU32(b, off + 20),
    nextXid: getU64(b, off + 24),
    oldestXid: getU32(b, off + 32),
    oldestXidDB: getU32(b, off + 36),
    oldestActiveXid: getU32(b, off + 40),
    time: getU64(b, off + 48),
  };
}

// ---------------------------------------------------------------- ControlFileData

export interface ControlFileData {
  /** Random 64-bit cluster identity (PostgreSQL's system_identifier). */
  systemIdentifier: bigint;
  pgControlVersion: number;
  catalogVersionNo: number;
  state: DBState;
  /** Seconds since 1970 of the last update. */
  time: number;
  /** LSN of the last checkpoint record. */
  checkPoint: XLogRecPtr;
  checkPointCopy: CheckPoint;
  minRecoveryPoint: XLogRecPtr;
  minRecoveryPointTLI: number;
  maxAlign: number;
  blcksz: number;
  relsegSize: number;
  xlogBlcksz: number;
  xlogSegSize: number;
  dataChecksumVersion: number;
}

/**
 * A fresh system identifier, made as PostgreSQL's BootStrapXLOG makes it:
 * seconds since 1970 in the high word, the sub-second time shifted by 12
 * in the low word, and 12 bits that tell apart clusters made in the same
 * microsecond (PostgreSQL: the pid; here random bits, since several
 * clusters are made in one process). Not crypto.getRandomValues: in Node
 * its first call loads the WebCrypto module, a few ms of every initdb.
 */
export function newSystemIdentifier(): bigint {
  const nowMs = Date.now();
  const seconds = Math.floor(nowMs / 1000);
  const micros = ((nowMs % 1000) * 1000 + Math.floor(Math.random() * 1000)) % 1_000_000;
  const low = ((micros << 12) | Math.floor(Math.random() * 4096)) >>> 0;
  // Keep the top bit clear so the value prints the same as a signed int8 too.
  return (BigInt(seconds & 0x7fffffff) << 32n) | BigInt(low);
}

export function sysidHi(id: bigint): number {
  return Number((id >> 32n) & 0xffffffffn);
}

export function sysidLo(id: bigint): number {
  return Number(id & 0xffffffffn);
}

/** Serializes into `out` (at least SIZE_OF_CONTROL_FILE_DATA bytes), CRC included. */
export function encodeControlFile(cf: ControlFileData, out: Uint8Array = new Uint8Array(PG_CONTROL_FILE_SIZE)): Uint8Array {
  out.fill(0, 0, SIZE_OF_CONTROL_FILE_DATA);
  putU32(out, 0, sysidLo(cf.systemIdentifier));
  putU32(out, 4, sysidHi(cf.systemIdentifier));
  putU32(out, 8, cf.pgControlVersion);
  putU32(out, 12, cf.catalogVersionNo);
  putU32(out, 16, cf.state);
  putU64(out, 24, cf.time);
  putU64(out, 32, cf.checkPoint);
  encodeCheckPoint(cf.checkPointCopy, out, 40);
  putU64(out, 96, cf.minRecoveryPoint);
  putU32(out, 104, cf.minRecoveryPointTLI);
  putU32(out, 108, cf.maxAlign);
  putU32(out, 112, cf.blcksz);
  putU32(out, 116, cf.relsegSize);
  putU32(out, 120, cf.xlogBlcksz);
  putU32(out, 124, cf.xlogSegSize);
  putU32(out, 128, cf.dataChecksumVersion);
  putU32(out, CONTROL_CRC_OFFSET, crc32c(out.subarray(0, CONTROL_CRC_OFFSET)));
  return out;
}

function fatal(code: string, message: string, fields: { detail?: string; hint?: string; path: string }): never {
  throw new PgError(code, message, {
    severity: 'FATAL',
    detail: fields.detail,
    hint: fields.hint,
    where: `control file "${fields.path}"`,
  });
}

/**
 * Decodes and checks control file bytes, in PostgreSQL's order
 * (ReadControlFile): the format version first (a different layout would make
 * the CRC meaningless), then the CRC, then the compiled-in geometry. Errors
 * are FATAL PgErrors with PostgreSQL's wording; `where` names the file.
 */
export function decodeControlFile(b: Uint8Array, path = CONTROL_FILE_PATH): ControlFileData {
  if (b.length < SIZE_OF_CONTROL_FILE_DATA) {
    fatal(SQLSTATE.data_corrupted, `could not read file "${path}": read ${b.length} of ${SIZE_OF_CONTROL_FILE_DATA}`, { path });
  }
  const version = getU32(b, 8);
  if (version !== PG_CONTROL_VERSION) {
    fatal(SQLSTATE.object_not_in_prerequisite_state, 'database files are incompatible with server', {
      detail:
        `The database cluster was initialized with PG_CONTROL_VERSION ${version}, ` +
        `but the server was compiled with PG_CONTROL_VERSION ${PG_CONTROL_VERSION}.`,
      hint: 'It looks like you need to initdb.',
      path,
    });
  }
  if (crc32c(b.subarray(0, CONTROL_CRC_OFFSET)) !== getU32(b, CONTROL_CRC_OFFSET)) {
    fatal(SQLSTATE.data_corrupted, 'incorrect checksum in control file', { path });
  }
  const incompatible = (what: string, had: number, want: number, hint: string): never =>
    fatal(SQLSTATE.object_not_in_prerequisite_state, 'database files are incompatible with server', {
      detail: `The database cluster was initialized with ${what} ${had}, but the server was compiled with ${what} ${want}.`,
      hint,
      path,
    });
  const catalogVersionNo = getU32(b, 12);
  if (catalogVersionNo !== CATALOG_VERSION_NO) {
    incompatible('CATALOG_VERSION_NO', catalogVersionNo, CATALOG_VERSION_NO, 'It looks like you need to initdb.');
  }
  const recompile = 'It looks like you need to recompile or initdb.';
  const maxAlign = getU32(b, 108);
  if (maxAlign !== MAXIMUM_ALIGNOF) incompatible('MAXALIGN', maxAlign, MAXIMUM_ALIGNOF, recompile);
  const blcksz = getU32(b, 112);
  if (blcksz !== BLCKSZ) incompatible('BLCKSZ', blcksz, BLCKSZ, recompile);
  const relsegSize = getU32(b, 116);
  if (relsegSize !== RELSEG_SIZE) incompatible('RELSEG_SIZE', relsegSize, RELSEG_SIZE, recompile);
  const xlogBlcksz = getU32(b, 120);
  if (xlogBlcksz !== XLOG_BLCKSZ) incompatible('XLOG_BLCKSZ', xlogBlcksz, XLOG_BLCKSZ, recompile);
  const xlogSegSize = getU32(b, 124);
  if (xlogSegSize < WAL_SEGMENT_SIZE_MIN || xlogSegSize > WAL_SEGMENT_SIZE_MAX || (xlogSegSize & (xlogSegSize - 1)) !== 0) {
    fatal(SQLSTATE.data_corrupted, `invalid WAL segment size in control file (${xlogSegSize} bytes)`, {
      detail: `The WAL segment size must be a power of two between ${WAL_SEGMENT_SIZE_MIN} bytes and 1 GB.`,
      path,
    });
  }
  const state = getU32(b, 16);
  if (state > DB_IN_PRODUCTION) fatal(SQLSTATE.data_corrupted, `invalid database cluster state ${state} in control file`, { path });
  return {
    systemIdentifier: (BigInt(getU32(b, 4)) << 32n) | BigInt(getU32(b, 0)),
    pgControlVersion: version,
    catalogVersionNo,
    state: state as DBState,
    time: getU64(b, 24),
    checkPoint: getU64(b, 32),
    checkPointCopy: decodeCheckPoint(b, 40),
    minRecoveryPoint: getU64(b, 96),
    minRecoveryPointTLI: getU32(b, 104),
    maxAlign,
    blcksz,
    relsegSize,
    xlogBlcksz,
    xlogSegSize,
    dataChecksumVersion: getU32(b, 128),
  };
}

/** A control file for a new cluster (the parts bootstrap fills in come from the caller). */
export function newControlFile(
  systemIdentifier: bigint,
  xlogSegSize: number,
  checkPoint: XLogRecPtr,
  checkPointCopy: CheckPoint,
  dataChecksumVersion: number,
): ControlFileData {
  return {
    systemIdentifier,
    pgControlVersion: PG_CONTROL_VERSION,
    catalogVersionNo: CATALOG_VERSION_NO,
    state: DB_SHUTDOWNED,
    time: checkPointCopy.time,
    checkPoint,
    checkPointCopy,
    minRecoveryPoint: 0,
    minRecoveryPointTLI: 0,
    maxAlign: MAXIMUM_ALIGNOF,
    blcksz: BLCKSZ,
    relsegSize: RELSEG_SIZE,
    xlogBlcksz: XLOG_BLCKSZ,
    xlogSegSize,
    dataChecksumVersion,
  };
}

function isStorageError(e: unknown): e is Error & { code: string; path: string } {
  return e instanceof Error && e.name === 'StorageError' && typeof (e as { code?: unknown }).code === 'string';
}

function ioError(e: unknown, what: string, path: string): never {
  if (isStorageError(e)) {
    if (e.code === 'ENOENT') {
      throw new PgError(SQLSTATE.undefined_file, `could not open file "${path}": No such file or directory`, { severity: 'FATAL' });
    }
    const code = e.code === 'ENOSPC' ? SQLSTATE.disk_full : SQLSTATE.io_error;
    throw new PgError(code, `could not ${what} file "${path}": ${e.message}`, { severity: 'PANIC' });
  }
  throw e;
}

/** ReadControlFile: reads and checks global/pg_control. Creates nothing. */
export function readControlFile(dir: StorageDirectory): ControlFileData {
  let f: SyncFile;
  try {
    f = dir.open(CONTROL_FILE_PATH);
  } catch (e) {
    ioError(e, 'open', CONTROL_FILE_PATH);
  }
  try {
    const buf = new Uint8Array(PG_CONTROL_FILE_SIZE);
    let n: number;
    try {
      n = f.read(buf, { at: 0 });
    } catch (e) {
      ioError(e, 'read', CONTROL_FILE_PATH);
    }
    return decodeControlFile(buf.subarray(0, n), CONTROL_FILE_PATH);
  } finally {
    f.close();
  }
}

/**
 * WriteControlFile / UpdateControlFile: replaces global/pg_control
 * atomically. The new contents go to pg_control.tmp, which is flushed, then
 * renamed over pg_control; the rename is durable when it returns (file layer
 * contract), so a crash leaves either the old or the new file, whole.
 */
export function writeControlFile(dir: StorageDirectory, cf: ControlFileData): void {
  const bytes = encodeControlFile(cf);
  let f: SyncFile;
  try {
    f = dir.open(CONTROL_FILE_TMP_PATH, { create: true });
  } catch (e) {
    ioError(e, 'create', CONTROL_FILE_TMP_PATH);
  }
  try {
    f.truncate(0);
    f.write(bytes, { at: 0 });
    f.flush();
  } catch (e) {
    ioError(e, 'write', CONTROL_FILE_TMP_PATH);
  } finally {
    f.close();
  }
  try {
    dir.rename(CONTROL_FILE_TMP_PATH, CONTROL_FILE_PATH);
  } catch (e) {
    ioError(e, 'rename', CONTROL_FILE_TMP_PATH);
  }
}
