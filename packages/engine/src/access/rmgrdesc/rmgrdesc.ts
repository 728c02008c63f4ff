/*
 * rmgrdesc.ts — WAL record descriptions worded as PostgreSQL 15's
 * rmgrdesc/*.c print them (pg_waldump and pg_walinspect of release 15:
 * "off 3 flags 0x00", "off 1 xmax 726 flags 0x20 ; new off 3 xmax 0",
 * "lev 0"), for pg_walinspect's description column (utils/adt/walfuncs.ts).
 *
 * Exports: walRecordDescPg15(record), walRecordType(record).
 *
 * Why not the rmgrs' own desc (RmgrData.desc)? Those follow release 16's
 * wording ("off: 3, flags: 0x00"), which pg_waldump and the engine's tests
 * print; pg_walinspect here promises release 15's columns and text, and the
 * two releases disagree on nearly every record. The main-data layouts read
 * here are the engine's, which are PostgreSQL's for these records
 * (heapam_xlog.ts, nbtxlog.ts, xact_redo.ts). A record this file does not
 * know is described by its rmgr's own desc.
 *
 * Commit and abort records keep xact_desc's text, their timestamp written
 * as release 15 writes it in the log time zone UTC ("...+00").
 *
 * Differences that come from the engine, not the wording: the checkpoint
 * record carries no MultiXact or commit-timestamp fields, so those parts of
 * release 15's checkpoint text are left out.
 */

import { getRmgr, RM_BTREE_ID, RM_HEAP2_ID, RM_HEAP_ID, RM_XACT_ID, RM_XLOG_ID } from '../transam/rmgr.ts';
import type { DecodedXLogRecord } from '../transam/xlogreader.ts';
import { getU16, getU32, getU64, lsnToString } from '../transam/xlogdefs.ts';
import { decodeCheckPoint } from '../../catalog/pg_control.ts';
import {
  XLOG_BTREE_DEDUP, XLOG_BTREE_DELETE, XLOG_BTREE_INSERT_LEAF, XLOG_BTREE_INSERT_META, XLOG_BTREE_INSERT_POST,
  XLOG_BTREE_INSERT_UPPER, XLOG_BTREE_MARK_PAGE_HALFDEAD, XLOG_BTREE_META_CLEANUP, XLOG_BTREE_NEWROOT,
  XLOG_BTREE_REUSE_PAGE, XLOG_BTREE_SPLIT_L, XLOG_BTREE_SPLIT_R, XLOG_BTREE_UNLINK_PAGE, XLOG_BTREE_UNLINK_PAGE_META,
  XLOG_BTREE_VACUUM, XLS_FIRSTRIGHTOFF, XLS_LEVEL, XLS_NEWITEMOFF, XLS_POSTINGOFF, XLD_HORIZON, XLD_NDELETED,
  XLD_NUPDATED, XLV_NDELETED, XLV_NUPDATED, XLH_LEAFBLK, XLH_LEFTBLK, XLH_RIGHTBLK, XLH_TOPPARENT, XLU_LEAFLEFTSIB,
  XLU_LEAFRIGHTSIB, XLU_LEAFTOPPARENT, XLU_LEFTSIB, XLU_LEVEL, XLU_RIGHTSIB, XLU_SAFEXID, XLN_LEVEL, readXlMetadata,
} from '../nbtree/nbtxlog.ts';

/* Heap and Heap2 kinds (heapam_xlog.h); the engine writes the ones it needs. */
const XLOG_HEAP_INSERT = 0x00;
const XLOG_HEAP_DELETE = 0x10;
const XLOG_HEAP_UPDATE = 0x20;
const XLOG_HEAP_TRUNCATE = 0x30;
const XLOG_HEAP_HOT_UPDATE = 0x40;
const XLOG_HEAP_CONFIRM = 0x50;
const XLOG_HEAP_LOCK = 0x60;
const XLOG_HEAP_INPLACE = 0x70;
const XLOG_HEAP_OPMASK = 0x70;
const XLOG_HEAP2_PRUNE = 0x10;
const XLOG_HEAP2_VACUUM = 0x20;
const XLOG_HEAP2_FREEZE_PAGE = 0x30;
const XLOG_HEAP2_VISIBLE = 0x40;
const XLOG_HEAP2_MULTI_INSERT = 0x50;
const XLOG_HEAP2_LOCK_UPDATED = 0x60;

/* XLOG kinds (pg_control.h). */
const XLOG_CHECKPOINT_SHUTDOWN = 0x00;
const XLOG_CHECKPOINT_ONLINE = 0x10;
const XLOG_NEXTOID = 0x30;

/* xl_heap_* infobits_set (heapam_xlog.h). */
const XLHL_XMAX_IS_MULTI = 0x01;
const XLHL_XMAX_LOCK_ONLY = 0x02;
const XLHL_XMAX_EXCL_LOCK = 0x04;
const XLHL_XMAX_KEYSHR_LOCK = 0x08;
const XLHL_KEYS_UPDATED = 0x10;

const hex2 = (n: number): string => '0x' + n.toString(16).toUpperCase().padStart(2, '0');

/** out_infobits: each lock/update bit by name, each followed by a space. */
function infobits(bits: number): string {
  let s = '';
  if (bits & XLHL_XMAX_IS_MULTI) s += 'IS_MULTI ';
  if (bits & XLHL_XMAX_LOCK_ONLY) s += 'LOCK_ONLY ';
  if (bits & XLHL_XMAX_EXCL_LOCK) s += 'EXCL_LOCK ';
  if (bits & XLHL_XMAX_KEYSHR_LOCK) s += 'KEYSHR_LOCK ';
  if (bits & XLHL_KEYS_UPDATED) s += 'KEYS_UPDATED ';
  return s;
}

function heapDesc(info: number, m: Uint8Array): string | null {
  switch (info & XLOG_HEAP_OPMASK) {
    case XLOG_HEAP_INSERT:
      return `off ${getU16(m, 0)} flags ${hex2(m[2])}`;
    case XLOG_HEAP_DELETE:
      return `off ${getU16(m, 4)} flags ${hex2(m[7])} ${infobits(m[6])}`;
    case XLOG_HEAP_UPDATE:
    case XLOG_HEAP_HOT_UPDATE:
      return `off ${getU16(m, 4)} xmax ${getU32(m, 0)} flags ${hex2(m[7])} ${infobits(m[6])}; new off ${getU16(m, 12)} xmax ${getU32(m, 8)}`;
    case XLOG_HEAP_CONFIRM:
    case XLOG_HEAP_INPLACE:
      return `off ${getU16(m, 0)}`;
    case XLOG_HEAP_LOCK:
      return `off ${getU16(m, 4)}: xid ${getU32(m, 0)}: flags ${hex2(m[7])} ${infobits(m[6])}`;
    case XLOG_HEAP_TRUNCATE:
      return null;
    default:
      return null;
  }
}

function heap2Desc(info: number, m: Uint8Array): string | null {
  switch (info & XLOG_HEAP_OPMASK) {
    case XLOG_HEAP2_PRUNE:
      return `latestRemovedXid ${getU32(m, 0)} nredirected ${getU16(m, 4)} ndead ${getU16(m, 6)}`;
    case XLOG_HEAP2_VACUUM:
      return `nunused ${getU16(m, 0)}`;
    case XLOG_HEAP2_FREEZE_PAGE:
      return `cutoff xid ${getU32(m, 0)} ntuples ${getU16(m, 4)}`;
    case XLOG_HEAP2_VISIBLE:
      return `cutoff xid ${getU32(m, 0)} flags ${hex2(m[4])}`;
    case XLOG_HEAP2_MULTI_INSERT:
      return `${getU16(m, 2)} tuples flags ${hex2(m[0])}`;
    case XLOG_HEAP2_LOCK_UPDATED:
      return `off ${getU16(m, 4)}: xmax ${getU32(m, 0)}: flags ${hex2(m[7])} ${infobits(m[6])}`;
    default:
      return null;
  }
}

function btreeDesc(record: DecodedXLogRecord): string | null {
  const m = record.mainData;
  switch (record.info & 0xf0) {
    case XLOG_BTREE_INSERT_LEAF:
    case XLOG_BTREE_INSERT_UPPER:
    case XLOG_BTREE_INSERT_META:
    case XLOG_BTREE_INSERT_POST:
      return `off ${getU16(m, 0)}`;
    case XLOG_BTREE_SPLIT_L:
    case XLOG_BTREE_SPLIT_R:
      return `level ${getU32(m, XLS_LEVEL)}, firstrightoff ${getU16(m, XLS_FIRSTRIGHTOFF)}, newitemoff ${getU16(m, XLS_NEWITEMOFF)}, postingoff ${getU16(m, XLS_POSTINGOFF)}`;
    case XLOG_BTREE_DEDUP:
      return `nintervals ${getU16(m, 0)}`;
    case XLOG_BTREE_VACUUM:
      return `ndeleted ${getU16(m, XLV_NDELETED)}; nupdated ${getU16(m, XLV_NUPDATED)}`;
    case XLOG_BTREE_DELETE:
      return `latestRemovedXid ${getU32(m, XLD_HORIZON)}; ndeleted ${getU16(m, XLD_NDELETED)}; nupdated ${getU16(m, XLD_NUPDATED)}`;
    case XLOG_BTREE_MARK_PAGE_HALFDEAD:
      return `topparent ${getU32(m, XLH_TOPPARENT)}; leaf ${getU32(m, XLH_LEAFBLK)}; left ${getU32(m, XLH_LEFTBLK)}; right ${getU32(m, XLH_RIGHTBLK)}`;
    case XLOG_BTREE_UNLINK_PAGE:
    case XLOG_BTREE_UNLINK_PAGE_META: {
      const fx = getU64(m, XLU_SAFEXID);
      return `left ${getU32(m, XLU_LEFTSIB)}; right ${getU32(m, XLU_RIGHTSIB)}; level ${getU32(m, XLU_LEVEL)}; ` +
        `safexid ${Math.floor(fx / 4294967296)}:${fx >>> 0}; leafleft ${getU32(m, XLU_LEAFLEFTSIB)}; ` +
        `leafright ${getU32(m, XLU_LEAFRIGHTSIB)}; leaftopparent ${getU32(m, XLU_LEAFTOPPARENT)}`;
    }
    case XLOG_BTREE_NEWROOT:
      return `lev ${getU32(m, XLN_LEVEL)}`;
    case XLOG_BTREE_REUSE_PAGE:
      return null;
    case XLOG_BTREE_META_CLEANUP: {
      const blk = record.getBlock(0);
      if (blk === undefined || !blk.hasData) return '';
      return `last_cleanup_num_delpages ${readXlMetadata(blk.data, 0).lastCleanupNumDelpages}`;
    }
    default:
      return null;
  }
}

function xlogDesc(record: DecodedXLogRecord): string | null {
  const info = record.info & 0xf0;
  if (info === XLOG_CHECKPOINT_SHUTDOWN || info === XLOG_CHECKPOINT_ONLINE) {
    const cp = decodeCheckPoint(record.mainData);
    return (
      `redo ${lsnToString(cp.redo)}; tli ${cp.thisTimeLineID}; prev tli ${cp.prevTimeLineID}; fpw ${cp.fullPageWrites}; ` +
      `xid ${Math.floor(cp.nextXid / 4294967296)}:${cp.nextXid >>> 0}; oid ${cp.nextOid}; ` +
      `oldest xid ${cp.oldestXid} in DB ${cp.oldestXidDB}; oldest running xid ${cp.oldestActiveXid}; ` +
      (info === XLOG_CHECKPOINT_SHUTDOWN ? 'shutdown' : 'online')
    );
  }
  if (info === XLOG_NEXTOID) return String(getU32(record.mainData, 0));
  return null;
}

/**
 * The description column: release 15's text for the records above, the
 * rmgr's own desc for the rest (Transaction, Storage, CLOG, MultiXact,
 * Sequence print the same in both releases for what the engine writes).
 */
export function walRecordDescPg15(record: DecodedXLogRecord): string {
  let s: string | null = null;
  switch (record.rmid) {
    case RM_HEAP_ID:
      s = heapDesc(record.info, record.mainData);
      break;
    case RM_HEAP2_ID:
      s = heap2Desc(record.info, record.mainData);
      break;
    case RM_BTREE_ID:
      s = btreeDesc(record);
      break;
    case RM_XLOG_ID:
      s = xlogDesc(record);
      break;
  }
  if (s !== null) return s;
  s = getRmgr(record.rmid)?.desc(record) ?? '';
  // xact_desc's timestamp is timestamptz_to_str in log_timezone (UTC here): "2022-04-01 10:00:00.123456+00".
  if (record.rmid === RM_XACT_ID) s = s.replace(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) UTC/, '$1+00');
  return s;
}

/** record_type: the rmgr's identify of xl_info's high bits, "UNKNOWN (%x)" if it has none. */
export function walRecordType(record: DecodedXLogRecord): string {
  const kind = record.info & ~0x0f;
  return getRmgr(record.rmid)?.identify(kind) ?? `UNKNOWN (${kind.toString(16)})`;
}
