/*
 * xlogrmgr.ts — the XLOG resource manager, RM_XLOG_ID: redo, desc and
 * identify for the WAL's own records (PostgreSQL's xlog_redo in xlog.c and
 * rmgrdesc/xlogdesc.c).
 *
 * Exports: xlogRmgr (registered on import).
 *
 *   XLOG_CHECKPOINT_SHUTDOWN / _ONLINE  main data: CheckPoint (pg_control.ts);
 *                                       redo restores the XID/OID counters
 *   XLOG_NEXTOID                        main data: u32 next OID
 *   XLOG_FPI, XLOG_FPI_FOR_HINT         block 0..n with images; redo restores them
 */

import {
  SIZE_OF_CHECKPOINT,
  XLOG_BACKUP_END,
  XLOG_CHECKPOINT_ONLINE,
  XLOG_CHECKPOINT_REDO,
  XLOG_CHECKPOINT_SHUTDOWN,
  XLOG_END_OF_RECOVERY,
  XLOG_FPI,
  XLOG_FPI_FOR_HINT,
  XLOG_FPW_CHANGE,
  XLOG_NEXTOID,
  XLOG_NOOP,
  XLOG_OVERWRITE_CONTRECORD,
  XLOG_PARAMETER_CHANGE,
  XLOG_RESTORE_POINT,
  XLOG_SWITCH,
  decodeCheckPoint,
} from '../../catalog/pg_control.ts';
import { elog } from '../../utils/errors.ts';
import { RM_XLOG_ID, registerRmgr, type RedoContext, type RmgrData } from './rmgr.ts';
import { getU32, lsnToString } from './xlogdefs.ts';
import type { DecodedXLogRecord } from './xlogreader.ts';
import { XLR_INFO_MASK } from './xlogrecord.ts';
import { XLogReadBufferForRedo } from './xlogutils.ts';

function xlogRedo(record: DecodedXLogRecord, ctx: RedoContext): void {
  const info = record.info & ~XLR_INFO_MASK;
  switch (info) {
    case XLOG_CHECKPOINT_SHUTDOWN:
    case XLOG_CHECKPOINT_ONLINE: {
      if (record.mainDataLength !== SIZE_OF_CHECKPOINT) elog(`invalid checkpoint record length ${record.mainDataLength}`);
      ctx.counters.checkpoint(decodeCheckPoint(record.mainData), info === XLOG_CHECKPOINT_SHUTDOWN);
      return;
    }
    case XLOG_NEXTOID:
      ctx.counters.setNextOid(getU32(record.mainData, 0));
      return;
    case XLOG_FPI:
    case XLOG_FPI_FOR_HINT:
      // Every block carries an image to restore; nothing else to do.
      for (const blk of record.blocks) {
        const { action, buffer } = XLogReadBufferForRedo(record, blk.id, ctx);
        if (action !== 'restored') elog('unexpected XLogReadBufferForRedo result when restoring backup block');
        ctx.buffers.unlockReleaseBuffer(buffer);
      }
      return;
    case XLOG_NOOP:
      return;
    default:
      elog(`xlog_redo: unknown op code ${info}`);
  }
}

function xlogDesc(record: DecodedXLogRecord): string {
  const info = record.info & ~XLR_INFO_MASK;
  if (info === XLOG_CHECKPOINT_SHUTDOWN || info === XLOG_CHECKPOINT_ONLINE) {
    const cp = decodeCheckPoint(record.mainData);
    const epoch = Math.floor(cp.nextXid / 4294967296);
    return (
      `redo ${lsnToString(cp.redo)}; tli ${cp.thisTimeLineID}; prev tli ${cp.prevTimeLineID}; fpw ${cp.fullPageWrites}; ` +
      `xid ${epoch}:${cp.nextXid >>> 0}; oid ${cp.nextOid}; oldest xid ${cp.oldestXid} in DB ${cp.oldestXidDB}; ` +
      `oldest running xid ${cp.oldestActiveXid}; ${info === XLOG_CHECKPOINT_SHUTDOWN ? 'shutdown' : 'online'}`
    );
  }
  if (info === XLOG_NEXTOID) return String(getU32(record.mainData, 0));
  return '';
}

const NAMES = new Map<number, string>([
  [XLOG_CHECKPOINT_SHUTDOWN, 'CHECKPOINT_SHUTDOWN'],
  [XLOG_CHECKPOINT_ONLINE, 'CHECKPOINT_ONLINE'],
  [XLOG_NOOP, 'NOOP'],
  [XLOG_NEXTOID, 'NEXTOID'],
  [XLOG_SWITCH, 'SWITCH'],
  [XLOG_BACKUP_END, 'BACKUP_END'],
  [XLOG_PARAMETER_CHANGE, 'PARAMETER_CHANGE'],
  [XLOG_RESTORE_POINT, 'RESTORE_POINT'],
  [XLOG_FPW_CHANGE, 'FPW_CHANGE'],
  [XLOG_END_OF_RECOVERY, 'END_OF_RECOVERY'],
  [XLOG_OVERWRITE_CONTRECORD, 'OVERWRITE_CONTRECORD'],
  [XLOG_FPI, 'FPI'],
  [XLOG_FPI_FOR_HINT, 'FPI_FOR_HINT'],
  [XLOG_CHECKPOINT_REDO, 'CHECKPOINT_REDO'],
]);

export const xlogRmgr: RmgrData = {
  id: RM_XLOG_ID,
  name: 'XLOG',
  redo: xlogRedo,
  desc: xlogDesc,
  identify: (info) => NAMES.get(info & ~XLR_INFO_MASK) ?? null,
};

registerRmgr(xlogRmgr);
