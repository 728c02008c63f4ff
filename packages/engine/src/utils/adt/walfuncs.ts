/*
 * walfuncs.ts — WAL positions and records from SQL: PostgreSQL's
 * pg_current_wal_*lsn (access/transam/xlogfuncs.c) and contrib
 * pg_walinspect of release 15, built in (in pg_catalog from initdb on).
 *
 * Exports: nothing but the registrations (pageinspect.ts imports this
 * module, database.ts imports that one).
 *
 *   pg_current_wal_lsn() pg_lsn          written to the WAL files up to here (GetXLogWriteRecPtr)
 *   pg_current_wal_insert_lsn() pg_lsn   inserted into the WAL buffers up to here
 *   pg_current_wal_flush_lsn() pg_lsn    durable up to here
 *   pg_get_wal_record_info(in_lsn pg_lsn) record
 *   pg_get_wal_records_info(start_lsn pg_lsn, end_lsn pg_lsn) setof record
 *   pg_get_wal_records_info_till_end_of_wal(start_lsn pg_lsn) setof record
 *       start_lsn, end_lsn, prev_lsn pg_lsn, xid xid, resource_manager text,
 *       record_type text, record_length int4, main_data_length int4,
 *       fpi_length int4, description text, block_ref text
 *
 * As pg_walinspect 1.0 (release 15): records are read from the WAL files
 * (xlogreader.ts) only up to the flush position, so a record still in the
 * WAL buffers is not shown until some commit or the WAL writer flushes it;
 * a start LSN inside a record begins at the next record (XLogFindNextRecord);
 * the range takes every record that starts before end_lsn; the errors and
 * their SQLSTATEs are release 15's ("cannot accept future start LSN", 22023;
 * "could not read WAL at LSN 0/1000", XX000). The description is release
 * 15's wording (access/rmgrdesc/rmgrdesc.ts); block_ref is
 * "blkref #0: rel 1663/5/16384 fork main blk 0", with
 * " (FPW); hole: offset: 40, length: 8024" after a block that carries a
 * full-page image, block references separated by a space.
 *
 * The functions' OIDs: PostgreSQL's for pg_current_wal_*; 9916-9918 for
 * pg_walinspect's (an extension's OIDs are assigned at CREATE EXTENSION).
 */

import { registerBuiltin } from '../fmgr/fmgrtab.ts';
import type { FunctionCallContext } from '../fmgr/fmgrtypes.ts';
import { PgError, SQLSTATE } from '../errors.ts';
import { INT4OID, TEXTOID } from './types.ts';
import { lsnOut } from './pg_lsn.ts';
import { backendOf, outRecord } from './pageinspect.ts';
import { XLOG_BLCKSZ } from '../../constants.ts';
import { XLogReader, validatePageHeader, type DecodedXLogRecord } from '../../access/transam/xlogreader.ts';
import { rmgrName } from '../../access/transam/rmgr.ts';
import { getU16, getU32 } from '../../access/transam/xlogdefs.ts';
import { XLP_FIRST_IS_CONTRECORD, XLP_INFO, XLP_REM_LEN, xlogPageHeaderSize } from '../../access/transam/xlog_internal.ts';
import { forkName } from '../../storage/relfilelocator.ts';
import { walRecordDescPg15, walRecordType } from '../../access/rmgrdesc/rmgrdesc.ts';
import type { StorageEngine } from '../../engine.ts';

const PG_LSNOID = 3220;
const XIDOID = 28;

const toLsn = (v: unknown): number => Number(v as bigint);
const lsnDatum = (lsn: number): bigint => BigInt(lsn);

function engineOf(ctx: FunctionCallContext): StorageEngine {
  return backendOf(ctx).engine;
}

function lsnFunc(oid: number, proname: string, get: (e: StorageEngine) => number): void {
  registerBuiltin({
    oid, proname, prokind: 'f', proargtypes: [], prorettype: PG_LSNOID, provariadic: 0, proretset: false,
    proisstrict: true, provolatile: 'v', pronargdefaults: 0,
    impl: (_a, ctx) => lsnDatum(get(engineOf(ctx))),
  });
}

lsnFunc(2849, 'pg_current_wal_lsn', (e) => e.xlog.getWriteRecPtr());
lsnFunc(2852, 'pg_current_wal_insert_lsn', (e) => e.xlog.getInsertRecPtr());
lsnFunc(3330, 'pg_current_wal_flush_lsn', (e) => e.xlog.getFlushRecPtr());

// ---------------------------------------------------------------- reading

const maxAlign8 = (n: number): number => n + ((8 - (n % 8)) % 8);

function invalidParam(msg: string, detail?: string): never {
  throw new PgError(SQLSTATE.invalid_parameter_value, msg, detail === undefined ? undefined : { detail });
}

function cannotRead(lsn: number): never {
  throw new PgError('XX000', `could not read WAL at LSN ${lsnOut(lsn)}`);
}

function openReader(engine: StorageEngine): XLogReader {
  const cf = engine.xlog.getControlFile();
  return new XLogReader(engine.dir, { segmentSize: engine.xlog.walSegmentSize, systemIdentifier: cf.systemIdentifier });
}

/**
 * XLogFindNextRecord: the first record that starts at or after `target`.
 * The page holding `target` says how much of it belongs to a record from
 * an earlier page (xlp_rem_len); the first record of the page starts after
 * that, and records are read from there until one starts at or after the
 * target. Returns null (reader.errorMessage says why) when there is none.
 */
function findNextRecord(engine: StorageEngine, reader: XLogReader, target: number): DecodedXLogRecord | null {
  const segSize = engine.xlog.walSegmentSize;
  const sysid = engine.xlog.getControlFile().systemIdentifier;
  const page = new Uint8Array(XLOG_BLCKSZ);
  let pageAddr = target - (target % XLOG_BLCKSZ);
  let first = -1;
  // A record may span many pages (a full-page image): skip pages that are all continuation.
  for (let i = 0; i < segSize / XLOG_BLCKSZ + 1 && first < 0; i++) {
    if (reader.readPageRaw(pageAddr, page) < XLOG_BLCKSZ) return null;
    if (validatePageHeader(page, pageAddr, segSize, 1, sysid) !== null) return null;
    const info = getU16(page, XLP_INFO);
    const hdr = xlogPageHeaderSize(info);
    if ((info & XLP_FIRST_IS_CONTRECORD) !== 0) {
      const rem = getU32(page, XLP_REM_LEN);
      if (hdr + maxAlign8(rem) >= XLOG_BLCKSZ) {
        pageAddr += XLOG_BLCKSZ;
        continue;
      }
      first = pageAddr + hdr + maxAlign8(rem);
    } else {
      first = pageAddr + hdr;
    }
  }
  if (first < 0) return null;
  reader.beginRead(first);
  for (;;) {
    const rec = reader.readRecord();
    if (rec === null) return null;
    if (rec.lsn >= target) return rec;
  }
}

/** GetWALRecordInfo: one output row. */
function recordRow(r: DecodedXLogRecord): unknown[] {
  let fpiLen = 0;
  const refs: string[] = [];
  for (const b of r.blocks) {
    let s = `blkref #${b.id}: rel ${b.rlocator.spcOid}/${b.rlocator.dbOid}/${b.rlocator.relNumber} fork ${forkName(b.forkNum)} blk ${b.blockNum}`;
    if (b.hasImage) {
      fpiLen += b.imageLength;
      s += ` (FPW${b.applyImage ? '' : ' for WAL verification'}); hole: offset: ${b.holeOffset}, length: ${b.holeLength}`;
    }
    refs.push(s);
  }
  return [
    lsnDatum(r.lsn), lsnDatum(r.endLsn), lsnDatum(r.prev), r.xid, rmgrName(r.rmid), walRecordType(r),
    r.totalLen, r.mainDataLength, fpiLen, walRecordDescPg15(r), refs.join(' '),
  ];
}

/** The records starting in [start, end), read from the WAL files. */
function recordsBetween(engine: StorageEngine, start: number, end: number): unknown[][] {
  const reader = openReader(engine);
  try {
    const rows: unknown[][] = [];
    let rec = findNextRecord(engine, reader, start);
    if (rec === null) cannotRead(start);
    while (rec !== null && rec.lsn < end) {
      rows.push(recordRow(rec));
      if (reader.endRecPtr >= end) break;
      rec = reader.readRecord();
    }
    return rows;
  } finally {
    reader.close();
  }
}

const COLUMNS: [string, number][] = [
  ['start_lsn', PG_LSNOID], ['end_lsn', PG_LSNOID], ['prev_lsn', PG_LSNOID], ['xid', XIDOID],
  ['resource_manager', TEXTOID], ['record_type', TEXTOID], ['record_length', INT4OID], ['main_data_length', INT4OID],
  ['fpi_length', INT4OID], ['description', TEXTOID], ['block_ref', TEXTOID],
];

function lastKnown(curr: number): string {
  return `Last known WAL LSN on the database system is at ${lsnOut(curr)}.`;
}

outRecord(9916, 'pg_get_wal_record_info', [PG_LSNOID], COLUMNS, false, (a, ctx) => {
  const engine = engineOf(ctx);
  const lsn = toLsn(a[0]);
  const curr = engine.xlog.getFlushRecPtr();
  if (lsn >= curr) invalidParam('cannot accept future input LSN', lastKnown(curr));
  const reader = openReader(engine);
  try {
    const rec = findNextRecord(engine, reader, lsn);
    if (rec === null) cannotRead(lsn);
    return [recordRow(rec)];
  } finally {
    reader.close();
  }
}, ['in_lsn']);

outRecord(9917, 'pg_get_wal_records_info', [PG_LSNOID, PG_LSNOID], COLUMNS, true, (a, ctx) => {
  const engine = engineOf(ctx);
  const start = toLsn(a[0]);
  const end = toLsn(a[1]);
  const curr = engine.xlog.getFlushRecPtr();
  if (start >= curr) invalidParam('cannot accept future start LSN', lastKnown(curr));
  if (end > curr) invalidParam('cannot accept future end LSN', lastKnown(curr));
  if (start >= end) invalidParam('WAL start LSN must be less than end LSN');
  return recordsBetween(engine, start, end);
}, ['start_lsn', 'end_lsn']);

outRecord(9918, 'pg_get_wal_records_info_till_end_of_wal', [PG_LSNOID], COLUMNS, true, (a, ctx) => {
  const engine = engineOf(ctx);
  const start = toLsn(a[0]);
  const curr = engine.xlog.getFlushRecPtr();
  if (start >= curr) invalidParam('cannot accept future start LSN', lastKnown(curr));
  return recordsBetween(engine, start, curr);
}, ['start_lsn']);
