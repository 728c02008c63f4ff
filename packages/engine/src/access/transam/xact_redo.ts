/*
 * xact_redo.ts — the transaction records (RM_XACT): their layout, replay
 * and description (PostgreSQL's xact.h record structs, xact_redo in xact.c,
 * and rmgrdesc/xactdesc.c).
 *
 * Exports: XLOG_XACT_* kinds, XACT_XINFO_* flags, XactRecordContents,
 *          ParsedXactRecord, encodeXactRecord, parseXactRecord,
 *          XACT_REDO (service key), XactRedoServices, xactRedo, xactDesc,
 *          xactIdentify, xactRmgr, currentTimestamp, timestamptzToString,
 *          PG_EPOCH_MS. Importing this module registers the rmgr.
 *
 * A commit or abort record (xl_xact_commit / xl_xact_abort and the optional
 * parts that follow, all little-endian, no padding):
 *
 *   xl_info = XLOG_XACT_COMMIT (0x00) or XLOG_XACT_ABORT (0x20),
 *             | XLOG_XACT_HAS_INFO (0x80) when anything follows the time
 *   xl_xid  = the (sub)transaction ending: for a subtransaction abort, the
 *             subtransaction's own XID
 *
 *   0      8              12                    ...
 *   +------+--------------+--------------------+---------------------------+
 *   | time | xinfo (u32)  | [dbId u32, tsId u32]| [nsubxacts i32, xids u32[]]|
 *   | i64  | if HAS_INFO  |  if HAS_DBINFO      |  if HAS_SUBXACTS          |
 *   +------+--------------+--------------------+---------------------------+
 *   | [nrels i32, {spcOid u32, dbOid u32, relNumber u32}[]] if HAS_RELFILELOCATORS
 *   +---------------------------------------------------------------------+
 *
 *   time   commit / abort timestamp, microseconds since 2000-01-01 UTC
 *   xids   the committed (or, in an abort, also aborted) subtransactions
 *   rels   relation files to delete now that the transaction is over:
 *          for a commit those it dropped, for an abort those it created
 *
 * Redo (the startup process, in WAL order):
 *  1. nextXid moves past the newest XID of the record.
 *  2. CLOG gets the tree's final status (two-step commit as at run time).
 *  3. The record's files are removed, after WAL is flushed past it (the
 *     minimum recovery point), since a removed file cannot come back.
 */

import { ForkNumber, relPath, type RelFileLocator } from '../../storage/relfilelocator.ts';
import { elog, panic } from '../../utils/errors.ts';
import { RedoServiceKey, registerRmgr, RM_XACT_ID, type RedoContext, type RmgrData } from './rmgr.ts';
import { transactionIdLatest, type TransactionId } from './transam.ts';
import { getU32, getU64, putU32, putU64, type XLogRecPtr } from './xlogdefs.ts';

export const XLOG_XACT_COMMIT = 0x00;
export const XLOG_XACT_PREPARE = 0x10;
export const XLOG_XACT_ABORT = 0x20;
export const XLOG_XACT_COMMIT_PREPARED = 0x30;
export const XLOG_XACT_ABORT_PREPARED = 0x40;
export const XLOG_XACT_ASSIGNMENT = 0x50;
export const XLOG_XACT_INVALIDATIONS = 0x60;
export const XLOG_XACT_OPMASK = 0x70;
/** Does the record carry xinfo (and the parts it announces)? */
export const XLOG_XACT_HAS_INFO = 0x80;

export const XACT_XINFO_HAS_DBINFO = 1 << 0;
export const XACT_XINFO_HAS_SUBXACTS = 1 << 1;
export const XACT_XINFO_HAS_RELFILELOCATORS = 1 << 2;
/* PostgreSQL's other xinfo bits (invalidations, two-phase, origin, ...) are never written here. */

/** 2000-01-01 00:00:00 UTC in Unix milliseconds: PostgreSQL's timestamp epoch. */
export const PG_EPOCH_MS = 946_684_800_000;

/** GetCurrentTimestamp: microseconds since 2000-01-01 UTC (a JS number, exact for millennia). */
export function currentTimestamp(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000) - PG_EPOCH_MS * 1000;
}

/** timestamptz_to_str as pg_waldump prints it, in UTC: "2026-11-25 10:00:00.123456 UTC". */
export function timestamptzToString(us: number): string {
  const ms = Math.floor(us / 1000);
  const d = new Date(ms + PG_EPOCH_MS);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const frac = String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return (
    `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${frac} UTC`
  );
}

export interface XactRecordContents {
  /** Microseconds since 2000-01-01 UTC. */
  xactTime: number;
  subxacts: ArrayLike<number>;
  rels: readonly RelFileLocator[];
  /** Present only when a consumer needs the database (invalidations; none yet). */
  dbInfo?: { dbId: number; tsId: number };
}

export interface ParsedXactRecord {
  /** XLOG_XACT_COMMIT, XLOG_XACT_ABORT, ... */
  kind: number;
  xactTime: number;
  xinfo: number;
  dbId: number;
  tsId: number;
  subxacts: Uint32Array;
  rels: RelFileLocator[];
}

/** XactLogCommitRecord / XactLogAbortRecord: the info byte and the main data. */
export function encodeXactRecord(kind: number, c: XactRecordContents): { info: number; data: Uint8Array } {
  let xinfo = 0;
  if (c.dbInfo !== undefined) xinfo |= XACT_XINFO_HAS_DBINFO;
  if (c.subxacts.length > 0) xinfo |= XACT_XINFO_HAS_SUBXACTS;
  if (c.rels.length > 0) xinfo |= XACT_XINFO_HAS_RELFILELOCATORS;
  let size = 8;
  if (xinfo !== 0) size += 4;
  if ((xinfo & XACT_XINFO_HAS_DBINFO) !== 0) size += 8;
  if ((xinfo & XACT_XINFO_HAS_SUBXACTS) !== 0) size += 4 + 4 * c.subxacts.length;
  if ((xinfo & XACT_XINFO_HAS_RELFILELOCATORS) !== 0) size += 4 + 12 * c.rels.length;
  const b = new Uint8Array(size);
  putU64(b, 0, c.xactTime);
  let at = 8;
  if (xinfo !== 0) {
    putU32(b, at, xinfo);
    at += 4;
  }
  if (c.dbInfo !== undefined) {
    putU32(b, at, c.dbInfo.dbId);
    putU32(b, at + 4, c.dbInfo.tsId);
    at += 8;
  }
  if ((xinfo & XACT_XINFO_HAS_SUBXACTS) !== 0) {
    putU32(b, at, c.subxacts.length);
    at += 4;
    for (let i = 0; i < c.subxacts.length; i++, at += 4) putU32(b, at, c.subxacts[i]);
  }
  if ((xinfo & XACT_XINFO_HAS_RELFILELOCATORS) !== 0) {
    putU32(b, at, c.rels.length);
    at += 4;
    for (const r of c.rels) {
      putU32(b, at, r.spcOid);
      putU32(b, at + 4, r.dbOid);
      putU32(b, at + 8, r.relNumber);
      at += 12;
    }
  }
  return { info: kind | (xinfo !== 0 ? XLOG_XACT_HAS_INFO : 0), data: b };
}

/** ParseCommitRecord / ParseAbortRecord. */
export function parseXactRecord(info: number, data: Uint8Array): ParsedXactRecord {
  const need = (n: number, at: number): void => {
    if (at + n > data.length) elog(`transaction record too short (${data.length} bytes)`);
  };
  need(8, 0);
  const parsed: ParsedXactRecord = {
    kind: info & XLOG_XACT_OPMASK,
    xactTime: getU64(data, 0),
    xinfo: 0,
    dbId: 0,
    tsId: 0,
    subxacts: new Uint32Array(0),
    rels: [],
  };
  let at = 8;
  if ((info & XLOG_XACT_HAS_INFO) !== 0) {
    need(4, at);
    parsed.xinfo = getU32(data, at);
    at += 4;
  }
  if ((parsed.xinfo & XACT_XINFO_HAS_DBINFO) !== 0) {
    need(8, at);
    parsed.dbId = getU32(data, at);
    parsed.tsId = getU32(data, at + 4);
    at += 8;
  }
  if ((parsed.xinfo & XACT_XINFO_HAS_SUBXACTS) !== 0) {
    need(4, at);
    const n = getU32(data, at);
    at += 4;
    need(4 * n, at);
    parsed.subxacts = new Uint32Array(n);
    for (let i = 0; i < n; i++, at += 4) parsed.subxacts[i] = getU32(data, at);
  }
  if ((parsed.xinfo & XACT_XINFO_HAS_RELFILELOCATORS) !== 0) {
    need(4, at);
    const n = getU32(data, at);
    at += 4;
    need(12 * n, at);
    for (let i = 0; i < n; i++, at += 12) {
      parsed.rels.push({ spcOid: getU32(data, at), dbOid: getU32(data, at + 4), relNumber: getU32(data, at + 8) });
    }
  }
  return parsed;
}

/* ---- redo ---- */

/** What transaction redo needs from the instance; the startup process provides it under XACT_REDO. */
export interface XactRedoServices {
  /** TransactionIdCommitTree / AbortTree (TransamStatus). */
  status: {
    commitTree(xid: TransactionId, subxids: ArrayLike<number>, nsubxids?: number): void;
    abortTree(xid: TransactionId, subxids: ArrayLike<number>, nsubxids?: number): void;
  };
  /** AdvanceNextFullTransactionIdPastXid (VarSup). */
  varsup: { advanceNextFullTransactionIdPastXid(xid: TransactionId): void };
  /** DropRelationFiles: the storage manager removes the files (rule 3). */
  dropRelationFiles(rels: readonly RelFileLocator[]): void;
  /** XLogFlush during recovery: advances the minimum recovery point. */
  flush?(lsn: XLogRecPtr): void;
}

export const XACT_REDO = new RedoServiceKey<XactRedoServices>('xact');

/** What xact redo needs from the record (DecodedXLogRecord satisfies it). */
export interface XactRedoRecord {
  info: number;
  xid: TransactionId;
  endLsn: XLogRecPtr;
  mainData: Uint8Array;
  mainDataLength: number;
}

function body(record: { mainData: Uint8Array; mainDataLength: number }): Uint8Array {
  return record.mainData.subarray(0, record.mainDataLength);
}

/** xact_redo. */
export function xactRedo(record: XactRedoRecord, svc: XactRedoServices): void {
  const kind = record.info & XLOG_XACT_OPMASK;
  switch (kind) {
    case XLOG_XACT_COMMIT:
    case XLOG_XACT_ABORT: {
      const parsed = parseXactRecord(record.info, body(record));
      const xid = record.xid;
      svc.varsup.advanceNextFullTransactionIdPastXid(transactionIdLatest(xid, parsed.subxacts));
      if (kind === XLOG_XACT_COMMIT) svc.status.commitTree(xid, parsed.subxacts);
      else svc.status.abortTree(xid, parsed.subxacts);
      if (parsed.rels.length > 0) {
        svc.flush?.(record.endLsn);
        svc.dropRelationFiles(parsed.rels);
      }
      return;
    }
    case XLOG_XACT_ASSIGNMENT:
    case XLOG_XACT_INVALIDATIONS:
      return; // only hot standby and logical decoding use these
    default:
      panic(`xact_redo: unknown op code ${kind}`);
  }
}

/** xact_desc: what follows the kind in pg_waldump's "desc:" column. */
export function xactDesc(record: { info: number; mainData: Uint8Array; mainDataLength: number }): string {
  const kind = record.info & XLOG_XACT_OPMASK;
  if (kind !== XLOG_XACT_COMMIT && kind !== XLOG_XACT_ABORT) return '';
  const p = parseXactRecord(record.info, body(record));
  let s = timestamptzToString(p.xactTime);
  if (p.rels.length > 0) s += `; rels: ${p.rels.map((r) => relPath(r, ForkNumber.MAIN)).join(' ')}`;
  if (p.subxacts.length > 0) s += `; subxacts: ${Array.from(p.subxacts).join(' ')}`;
  return s;
}

/** xact_identify. */
export function xactIdentify(info: number): string | null {
  switch (info & XLOG_XACT_OPMASK) {
    case XLOG_XACT_COMMIT:
      return 'COMMIT';
    case XLOG_XACT_PREPARE:
      return 'PREPARE';
    case XLOG_XACT_ABORT:
      return 'ABORT';
    case XLOG_XACT_COMMIT_PREPARED:
      return 'COMMIT_PREPARED';
    case XLOG_XACT_ABORT_PREPARED:
      return 'ABORT_PREPARED';
    case XLOG_XACT_ASSIGNMENT:
      return 'ASSIGNMENT';
    case XLOG_XACT_INVALIDATIONS:
      return 'INVALIDATION';
    default:
      return null;
  }
}

export const xactRmgr: RmgrData = {
  id: RM_XACT_ID,
  name: 'Transaction',
  redo: (record, ctx: RedoContext) => xactRedo(record, ctx.services.get(XACT_REDO)),
  desc: xactDesc,
  identify: xactIdentify,
};

registerRmgr(xactRmgr);
