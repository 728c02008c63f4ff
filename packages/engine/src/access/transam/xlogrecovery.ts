/*
 * xlogrecovery.ts — the startup process: from pg_control to a WAL open for
 * inserting, replaying the WAL after a crash (PostgreSQL's StartupXLOG in
 * xlog.c and xlogrecovery.c, crash recovery only).
 *
 * Exports: startupXLOG, StartupContext, StartupResult; re-exports
 * XLogReadBufferForRedo, XLogInitBufferForRedo, RedoBufferAccess and
 * RedoAction from xlogutils.ts.
 *
 * startupXLOG, step by step (README.md "Recovery"):
 *   1. read pg_control (nothing is created if it is missing)
 *   2. read the checkpoint record it points to; without one, PANIC
 *      "could not locate a valid checkpoint record"
 *   3. recovery is needed unless the cluster was shut down cleanly, the
 *      checkpoint is a shutdown checkpoint and nothing follows it
 *   4. crash recovery: state := DB_IN_CRASH_RECOVERY, read from the
 *      checkpoint's redo pointer to the end of the WAL, handing each record
 *      to its rmgr's redo
 *   5. the WAL continues right after the last valid record: the page
 *      holding its end is loaded into the WAL buffers with the bytes after
 *      the end zeroed (README rule 5), and insertion opens
 *   6. state := DB_IN_PRODUCTION. After a recovery the caller runs the
 *      end-of-recovery checkpoint: createCheckPoint(CHECKPOINT_END_OF_RECOVERY
 *      | CHECKPOINT_IMMEDIATE).
 */

import type { StorageDirectory } from '@tabgres/opfs-storage';
import { XLOG_BLCKSZ } from '../../constants.ts';
import {
  type CheckPoint,
  type ControlFileData,
  DB_IN_CRASH_RECOVERY,
  DB_IN_PRODUCTION,
  DB_SHUTDOWNED,
  DB_SHUTDOWNING,
  SIZE_OF_CHECKPOINT,
  XLOG_CHECKPOINT_ONLINE,
  XLOG_CHECKPOINT_SHUTDOWN,
  decodeCheckPoint,
  readControlFile,
} from '../../catalog/pg_control.ts';
import { PgError, SQLSTATE, isPgError, panic } from '../../utils/errors.ts';
import { RM_XLOG_ID, getRmgr, type RedoContext } from './rmgr.ts';
import type { XLog } from './xlog.ts';
import { lsnToString, type XLogRecPtr } from './xlogdefs.ts';
import { XLogReader } from './xlogreader.ts';
import { XLR_INFO_MASK } from './xlogrecord.ts';
import './xlogrmgr.ts';

export { XLogReadBufferForRedo, XLogInitBufferForRedo, type RedoBufferAccess, type RedoAction } from './xlogutils.ts';

export interface StartupContext {
  dir: StorageDirectory;
  /** This process's XLog over the shared XLogCtl (xlogShmemInit done, state UNINITIALIZED). */
  xlog: XLog;
  /** Buffers, counters and services for the rmgrs' redo routines. */
  redo: RedoContext;
  /** LOG-level messages, worded as PostgreSQL writes them to its server log. */
  log?: (message: string) => void;
}

export interface StartupResult {
  /** Whether crash recovery ran (the caller then makes the end-of-recovery checkpoint). */
  recoveryPerformed: boolean;
  /** pg_control as left by startup (state DB_IN_PRODUCTION). */
  control: ControlFileData;
  checkPointLoc: XLogRecPtr;
  checkPoint: CheckPoint;
  /** Where redo started (the checkpoint's redo pointer), or null without recovery. */
  redoStart: XLogRecPtr | null;
  /** Start of the last valid record. */
  lastRec: XLogRecPtr;
  /** End of the last valid record: where new WAL goes. */
  endOfLog: XLogRecPtr;
  recordsReplayed: number;
  /** Why reading stopped, in PostgreSQL's words (null if no record was read past the start). */
  endOfWalReason: string | null;
}

function timeString(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function noCheckpoint(reason: string, at: XLogRecPtr): never {
  throw new PgError(SQLSTATE.data_corrupted, 'could not locate a valid checkpoint record', {
    severity: 'PANIC',
    detail: `Checkpoint record at ${lsnToString(at)}: ${reason}.`,
  });
}

/** StartupXLOG (crash recovery only: no archive, no standby, one timeline). */
export function startupXLOG(ctx: StartupContext): StartupResult {
  const log = ctx.log ?? ((): void => {});
  const cf = readControlFile(ctx.dir);
  switch (cf.state) {
    case DB_SHUTDOWNED:
      log(`database system was shut down at ${timeString(cf.time)}`);
      break;
    case DB_SHUTDOWNING:
      log(`database system shutdown was interrupted; last known up at ${timeString(cf.time)}`);
      break;
    case DB_IN_CRASH_RECOVERY:
      log(`database system was interrupted while in recovery at ${timeString(cf.time)}`);
      break;
    default:
      log(`database system was interrupted; last known up at ${timeString(cf.time)}`);
  }
  const xlog = ctx.xlog;
  xlog.beginStartup(cf);

  const reader = new XLogReader(ctx.dir, { segmentSize: cf.xlogSegSize, systemIdentifier: cf.systemIdentifier });
  try {
    // 2. The checkpoint record.
    const checkPointLoc = cf.checkPoint;
    reader.beginRead(checkPointLoc);
    const rec = reader.readRecord();
    if (rec === null) noCheckpoint(reader.errorMessage ?? 'no record', checkPointLoc);
    const info = rec.info & ~XLR_INFO_MASK;
    if (rec.rmid !== RM_XLOG_ID) noCheckpoint('invalid resource manager ID in checkpoint record', checkPointLoc);
    if (info !== XLOG_CHECKPOINT_SHUTDOWN && info !== XLOG_CHECKPOINT_ONLINE) noCheckpoint('invalid xl_info in checkpoint record', checkPointLoc);
    if (rec.mainDataLength !== SIZE_OF_CHECKPOINT || rec.blocks.length !== 0) noCheckpoint('invalid length of checkpoint record', checkPointLoc);
    const checkPoint = decodeCheckPoint(rec.mainData);
    const checkpointEnd = reader.endRecPtr;
    log(`checkpoint record is at ${lsnToString(checkPointLoc)}`);
    if (checkPoint.redo > checkPointLoc) panic('invalid redo in checkpoint record');
    // The counters start from the checkpoint; replay moves them on.
    ctx.redo.counters.checkpoint(checkPoint, true);

    // 3. Is recovery needed?
    let needRecovery = cf.state !== DB_SHUTDOWNED || checkPoint.redo < checkPointLoc || info !== XLOG_CHECKPOINT_SHUTDOWN;
    let endOfLog = checkpointEnd;
    let lastRec = checkPointLoc;
    let endOfWalReason: string | null = null;
    if (!needRecovery) {
      if (reader.readRecord() !== null) {
        log('found WAL after the shutdown checkpoint; performing recovery');
        needRecovery = true;
      } else {
        endOfWalReason = reader.errorMessage;
      }
    }

    // 4. Replay.
    let recordsReplayed = 0;
    let redoStart: XLogRecPtr | null = null;
    if (needRecovery) {
      log('database system was not properly shut down; automatic recovery in progress');
      xlog.updateControlFile((c) => {
        c.state = DB_IN_CRASH_RECOVERY;
      });
      redoStart = checkPoint.redo;
      reader.beginRead(redoStart);
      log(`redo starts at ${lsnToString(redoStart)}`);
      for (;;) {
        const r = reader.readRecord();
        if (r === null) break;
        const rmgr = getRmgr(r.rmid);
        if (rmgr === undefined) {
          panic(`resource manager with ID ${r.rmid} not registered`, {
            hint: 'Include the module that implements this resource manager before starting recovery.',
          });
        }
        // ApplyWalRecord: nextXid passes every XID the WAL names (RedoCounters.advanceNextXidPast says why).
        ctx.redo.counters.advanceNextXidPast(r.xid);
        try {
          rmgr.redo(r, ctx.redo);
        } catch (e) {
          if (!isPgError(e)) throw e;
          const kind = rmgr.identify(r.info & ~XLR_INFO_MASK) ?? `UNKNOWN (${(r.info & ~XLR_INFO_MASK).toString(16)})`;
          throw new PgError(e.code, e.message, {
            severity: e.severity,
            detail: e.detail,
            hint: e.hint,
            where: `WAL redo at ${lsnToString(r.lsn)} for ${rmgr.name}/${kind}`,
          });
        }
        recordsReplayed++;
        lastRec = reader.readRecPtr;
        endOfLog = reader.endRecPtr;
      }
      endOfWalReason = reader.errorMessage;
      if (endOfWalReason !== null) log(endOfWalReason);
      if (endOfLog < checkpointEnd) {
        panic(`WAL ends at ${lsnToString(endOfLog)}, before the end of the checkpoint record at ${lsnToString(checkPointLoc)}`);
      }
      log(`redo done at ${lsnToString(lastRec)}`);
    }

    // 5. Continue the WAL right after the last valid record.
    let lastPage: Uint8Array | null = null;
    const off = endOfLog % XLOG_BLCKSZ;
    if (off !== 0) {
      lastPage = new Uint8Array(XLOG_BLCKSZ);
      const n = reader.readPageRaw(endOfLog - off, lastPage);
      if (n < off) panic(`could not read the last WAL page at ${lsnToString(endOfLog - off)}`);
    }
    xlog.finishStartup(endOfLog, lastRec, lastPage, checkpointEnd);

    // 6. In production.
    const control = xlog.updateControlFile((c) => {
      c.state = DB_IN_PRODUCTION;
    });
    return { recoveryPerformed: needRecovery, control, checkPointLoc, checkPoint, redoStart, lastRec, endOfLog, recordsReplayed, endOfWalReason };
  } finally {
    reader.close();
  }
}
