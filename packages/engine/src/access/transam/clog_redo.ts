/*
 * clog_redo.ts — replay and description of CLOG records (PostgreSQL's
 * clog_redo, clog_desc and clog_identify).
 *
 * Exports: CLOG_REDO (the service key recovery provides the Clog under),
 *          clogRedo, clogDesc, clogIdentify, clogRmgr. Importing this
 *          module registers the rmgr.
 *
 * Records:
 *   CLOG_ZEROPAGE  i32 pageno                      page zeroed when the XID
 *                                                  counter entered it
 *   CLOG_TRUNCATE  i32 pageno, u32 oldestXact,     segments before pageno
 *                  u32 oldestXactDb                were removed
 *
 * Replaying ZEROPAGE zeroes the page and writes it at once, so the segment
 * file exists from then on; replaying TRUNCATE removes the same segments.
 */

import { Clog, CLOG_TRUNCATE, CLOG_ZEROPAGE, decodeClogPageno, decodeClogTruncate } from './clog.ts';
import { RedoServiceKey, registerRmgr, RM_CLOG_ID, type RedoContext, type RmgrData } from './rmgr.ts';
import { panic } from '../../utils/errors.ts';

/** What clog redo needs from the record (DecodedXLogRecord satisfies it). */
export interface ClogRedoRecord {
  info: number;
  mainData: Uint8Array;
  mainDataLength: number;
}

export const CLOG_REDO = new RedoServiceKey<Clog>('clog');

const XLR_INFO_MASK = 0x0f;

function body(record: ClogRedoRecord): Uint8Array {
  return record.mainData.subarray(0, record.mainDataLength);
}

/** clog_redo, with the Clog handle given directly (tests) or from the redo context. */
export function clogRedo(record: ClogRedoRecord, clog: Clog): void {
  const info = record.info & ~XLR_INFO_MASK;
  if (info === CLOG_ZEROPAGE) {
    clog.redoZeroPage(decodeClogPageno(body(record)));
  } else if (info === CLOG_TRUNCATE) {
    clog.redoTruncate(decodeClogTruncate(body(record)).pageno);
  } else {
    panic(`clog_redo: unknown op code ${info}`);
  }
}

export function clogDesc(record: ClogRedoRecord): string {
  const info = record.info & ~XLR_INFO_MASK;
  if (info === CLOG_ZEROPAGE) return `page ${decodeClogPageno(body(record))}`;
  if (info === CLOG_TRUNCATE) {
    const t = decodeClogTruncate(body(record));
    return `page ${t.pageno}; oldestXact ${t.oldestXact}`;
  }
  return '';
}

export function clogIdentify(info: number): string | null {
  switch (info & ~XLR_INFO_MASK) {
    case CLOG_ZEROPAGE:
      return 'ZEROPAGE';
    case CLOG_TRUNCATE:
      return 'TRUNCATE';
    default:
      return null;
  }
}

export const clogRmgr: RmgrData = {
  id: RM_CLOG_ID,
  name: 'CLOG',
  redo: (record, ctx: RedoContext) => clogRedo(record, ctx.services.get(CLOG_REDO)),
  desc: clogDesc,
  identify: clogIdentify,
};

registerRmgr(clogRmgr);
