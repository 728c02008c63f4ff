/*
 * xlogbootstrap.ts — the first WAL segment and pg_control of a new cluster
 * (PostgreSQL's BootStrapXLOG, run by initdb).
 *
 * Exports: bootstrapXLog, BootstrapOptions (also re-exported by xlog.ts).
 *
 * No shared memory is involved: initdb writes the files directly, then the
 * cluster starts as after a clean shutdown (startupXLOG finds the shutdown
 * checkpoint and nothing after it).
 */

import type { StorageDirectory } from '@tabgres/opfs-storage';
import { DEFAULT_WAL_SEGMENT_SIZE, XLOG_BLCKSZ } from '../../constants.ts';
import {
  type CheckPoint,
  type ControlFileData,
  XLOG_CHECKPOINT_SHUTDOWN,
  encodeCheckPoint,
  newControlFile,
  newSystemIdentifier,
  sysidHi,
  sysidLo,
  writeControlFile,
} from '../../catalog/pg_control.ts';
import { Assert, elog } from '../../utils/errors.ts';
import { RM_XLOG_ID } from './rmgr.ts';
import { InvalidXLogRecPtr } from './xlogdefs.ts';
import { XLogSegmentFiles } from './xlogfile.ts';
import { SIZE_OF_XLOG_LONG_PHD, isValidWalSegSize, writePageHeader, xlByteToSeg, xlogFilePath } from './xlog_internal.ts';
import { buildMainDataRecord } from './xlogrecord.ts';

export interface BootstrapOptions {
  segmentSize?: number;
  systemIdentifier?: bigint;
  /** FullTransactionId of the first XID to assign (FirstNormalTransactionId = 3). */
  nextXid?: number;
  /** First OID to assign (FirstGenbkiObjectId = 10000 in PostgreSQL). */
  nextOid?: number;
  dataChecksumVersion?: number;
  fullPageWrites?: boolean;
  now?: () => number;
}

/**
 * BootStrapXLOG (initdb): writes the first WAL segment holding one shutdown
 * checkpoint record, and a pg_control pointing at it, state "shut down".
 * The WAL starts in segment 1, as PostgreSQL's does, so LSN 0 is never a
 * record. Returns the control file written.
 */
export function bootstrapXLog(dir: StorageDirectory, options: BootstrapOptions = {}): ControlFileData {
  const segSize = options.segmentSize ?? DEFAULT_WAL_SEGMENT_SIZE;
  if (!isValidWalSegSize(segSize)) elog(`invalid WAL segment size ${segSize}`);
  const sysid = options.systemIdentifier ?? newSystemIdentifier();
  const now = options.now ?? Date.now;
  const firstPage = segSize; // segment 1, offset 0
  const recPtr = firstPage + SIZE_OF_XLOG_LONG_PHD;
  const cp: CheckPoint = {
    redo: recPtr,
    thisTimeLineID: 1,
    prevTimeLineID: 1,
    fullPageWrites: options.fullPageWrites ?? true,
    nextXid: options.nextXid ?? 3,
    nextOid: options.nextOid ?? 10000,
    // Nothing older than the first XID exists yet: the wraparound limits count from it.
    oldestXid: (options.nextXid ?? 3) % 4294967296 < 3 ? 3 : (options.nextXid ?? 3) % 4294967296,
    oldestXidDB: 1,
    oldestActiveXid: 0,
    time: Math.floor(now() / 1000),
  };
  const rec = buildMainDataRecord(RM_XLOG_ID, XLOG_CHECKPOINT_SHUTDOWN, 0, InvalidXLogRecPtr, encodeCheckPoint(cp));
  const page = new Uint8Array(XLOG_BLCKSZ);
  const hs = writePageHeader(page, 0, firstPage, 1, { sysidHi: sysidHi(sysid), sysidLo: sysidLo(sysid), segSize });
  page.set(rec, hs);

  const files = new XLogSegmentFiles(dir, 1);
  files.segSize = segSize;
  const segno = xlByteToSeg(firstPage, segSize);
  Assert(!dir.exists(xlogFilePath(1, segno, segSize)), 'bootstrap found an existing WAL segment');
  files.write(segno, page, 0);
  files.flushSegment(segno);
  files.closeAll();

  const cf = newControlFile(sysid, segSize, recPtr, cp, options.dataChecksumVersion ?? 0);
  writeControlFile(dir, cf);
  return cf;
}

