/*
 * sequence_xlog.ts — a sequence's single page, its WAL record and the
 * "Sequence" resource manager (PostgreSQL's sequence.c page handling,
 * sequence_xlog.h and seq_redo).
 *
 * Exports: SeqParams, SeqState, SEQ_LOG_VALS, XLOG_SEQ_LOG, SEQ_MAGIC,
 *          readSeqPage, writeSeqPage, modifySeqPage, registerSeqRmgr (also run on import).
 *
 * A sequence is a relation (relkind 'S') of one block. Its value is not
 * changed by heap_update (that would be transactional, and nextval must not
 * be): it is overwritten in place under the buffer's exclusive content lock
 * and WAL-logged, exactly as PostgreSQL does.
 *
 *   block 0
 *   +-------------+---------+---- free ----+------------------+--------------+
 *   | PageHeader  | lp 1    |              | tuple (41 bytes) | special (56) |
 *   | 24 bytes    | 4 bytes |              |                  |              |
 *   +-------------+---------+--------------+------------------+--------------+
 *   tuple: HeapTupleHeader (xmin FrozenTransactionId, frozen and xmax-invalid
 *          hint bits, ctid (0,1)) | last_value int8 | log_cnt int8 | is_called bool
 *   special (offsets from pd_special, little-endian):
 *     0 magic u32 (0x1717) | 4 seqtypid u32 | 8 start i64 | 16 increment i64
 *     24 max i64 | 32 min i64 | 40 cache i64 | 48 cycle u8 | 49..55 zero
 *
 * The tuple is frozen so that `SELECT * FROM s` through an ordinary heap scan
 * sees it from every snapshot. The special space keeps what PostgreSQL 10+
 * keeps in the pg_sequence catalog (tabgres has no pg_sequence): so ALTER
 * SEQUENCE changes the parameters non-transactionally, as PostgreSQL before
 * version 10 did.
 *
 * WAL: XLOG_SEQ_LOG (0x00) registers block 0 with REGBUF_WILL_INIT; main
 * data is the special space followed by the tuple. Redo rebuilds the page
 * from the record alone (a full image is never needed), so replaying it any
 * number of times gives the same page.
 *
 * Rules:
 *  1. The page is changed only with its buffer pinned and exclusively locked;
 *     the buffer is marked dirty before the record is inserted, and the
 *     page's LSN set to the record's end before the lock is released.
 *  2. nextval logs the state SEQ_LOG_VALS fetches ahead (sequence.ts), so a
 *     crash can skip values but never hand one out twice.
 */

import { createTupleDesc, type TupleDesc } from '../access/common/tupdesc.ts';
import { heapDeformTuple, heapFormTuple, type TupleValue } from '../access/common/heaptuple.ts';
import {
  HEAP_XMAX_INVALID, HEAP_XMIN_FROZEN, htupOrInfomask, htupSetCtid, htupSetXmin,
} from '../access/common/htup_details.ts';
import { FrozenTransactionId } from '../access/transam/transam.ts';
import { RM_SEQ_ID, registerRmgr, type RedoContext } from '../access/transam/rmgr.ts';
import type { DecodedXLogRecord } from '../access/transam/xlogreader.ts';
import { XLogInitBufferForRedo } from '../access/transam/xlogutils.ts';
import { REGBUF_WILL_INIT, type XLogInsertState } from '../access/transam/xloginsert.ts';
import {
  pageAddItem, pageGetLSN, pageGetItemLength, pageGetItemOffset, pageGetMaxOffsetNumber, pageGetSpecial, pageInit, pageSetLSN,
} from '../storage/page/bufpage.ts';
import { BUFFER_LOCK_EXCLUSIVE, BUFFER_LOCK_SHARE } from '../storage/buffer/buf_internals.ts';
import type { BufferManager } from '../storage/buffer/bufmgr.ts';
import { ForkNumber, type RelFileLocator } from '../storage/relfilelocator.ts';
import { BOOLOID, INT8OID, typeByOid } from '../utils/adt/types.ts';
import { SQLSTATE, ereport, elog } from '../utils/errors.ts';

/** XLOG_SEQ_LOG: the only sequence record kind. */
export const XLOG_SEQ_LOG = 0x00;
/** Page magic in the special space, PostgreSQL's SEQ_MAGIC. */
export const SEQ_MAGIC = 0x1717;
/**
 * How many values nextval logs ahead (PostgreSQL's SEQ_LOG_VALS): one WAL
 * record per 32 calls instead of one per call; after a crash up to 32 values
 * are skipped.
 */
export const SEQ_LOG_VALS = 32;
/** MAXALIGN'd size of the special space drawn above. */
const SEQ_SPECIAL_SIZE = 56;

/** The sequence's parameters (PostgreSQL's pg_sequence row). */
export interface SeqParams {
  seqtypid: number;
  start: bigint;
  increment: bigint;
  max: bigint;
  min: bigint;
  cache: bigint;
  cycle: boolean;
}

/** The sequence's current value (PostgreSQL's FormData_pg_sequence_data). */
export interface SeqState {
  lastValue: bigint;
  logCnt: bigint;
  isCalled: boolean;
}

/** The tuple's columns, as PostgreSQL's sequence relations have them. */
const SEQ_DESC: TupleDesc = createTupleDesc([
  { name: 'last_value', type: typeOrDie(INT8OID), notNull: true },
  { name: 'log_cnt', type: typeOrDie(INT8OID), notNull: true },
  { name: 'is_called', type: typeOrDie(BOOLOID), notNull: true },
]);

function typeOrDie(oid: number): NonNullable<ReturnType<typeof typeByOid>> {
  const t = typeByOid(oid);
  if (t === undefined) elog(`type ${oid} missing`);
  return t;
}

function formSeqTuple(st: SeqState): Uint8Array {
  const tup = heapFormTuple(SEQ_DESC, [st.lastValue, st.logCnt, st.isCalled]);
  htupSetXmin(tup, 0, FrozenTransactionId);
  htupOrInfomask(tup, 0, HEAP_XMIN_FROZEN | HEAP_XMAX_INVALID);
  htupSetCtid(tup, 0, 0, 1);
  return tup;
}

function encodeSpecial(p: SeqParams): Uint8Array {
  const b = new Uint8Array(SEQ_SPECIAL_SIZE);
  const v = new DataView(b.buffer);
  v.setUint32(0, SEQ_MAGIC, true);
  v.setUint32(4, p.seqtypid, true);
  v.setBigInt64(8, p.start, true);
  v.setBigInt64(16, p.increment, true);
  v.setBigInt64(24, p.max, true);
  v.setBigInt64(32, p.min, true);
  v.setBigInt64(40, p.cache, true);
  b[48] = p.cycle ? 1 : 0;
  return b;
}

function decodeSpecial(page: Uint8Array, at: number, relname: string): SeqParams {
  const v = new DataView(page.buffer, page.byteOffset + at, SEQ_SPECIAL_SIZE);
  if (v.getUint32(0, true) !== SEQ_MAGIC) {
    ereport(SQLSTATE.data_corrupted, `bad magic number in sequence "${relname}": ${v.getUint32(0, true).toString(16)}`);
  }
  return {
    seqtypid: v.getUint32(4, true),
    start: v.getBigInt64(8, true),
    increment: v.getBigInt64(16, true),
    max: v.getBigInt64(24, true),
    min: v.getBigInt64(32, true),
    cache: v.getBigInt64(40, true),
    cycle: page[at + 48] !== 0,
  };
}

/** Lays out a fresh sequence page (empty page, special space, the tuple at offset 1). */
function initSeqPage(page: Uint8Array, special: Uint8Array, tuple: Uint8Array): void {
  page.fill(0);
  pageInit(page, SEQ_SPECIAL_SIZE);
  page.set(special, pageGetSpecial(page));
  if (pageAddItem(page, tuple, 0, tuple.length, 1, false, true) !== 1) elog('failed to add sequence tuple to page');
}

/** The engine services a sequence page change needs. */
export interface SeqStorage {
  bufmgr: BufferManager;
  xlogInsert: XLogInsertState;
  /** XLogFlush: nextval flushes its record at once so no value is handed out twice after a crash. */
  flush(lsn: number): void;
  /** The redo pointer of the last checkpoint (GetRedoRecPtr). */
  redoRecPtr(): number;
}

/** Reads the parameters, state and page LSN of a sequence under a share lock. */
export function readSeqPage(s: SeqStorage, rloc: RelFileLocator, relname: string): { params: SeqParams; state: SeqState; lsn: number } {
  if (s.bufmgr.nblocks(rloc, ForkNumber.MAIN) === 0) elog(`sequence "${relname}" has no page`);
  const buffer = s.bufmgr.readBuffer(rloc, ForkNumber.MAIN, 0);
  s.bufmgr.lockBuffer(buffer, BUFFER_LOCK_SHARE);
  try {
    const page = s.bufmgr.getPage(buffer);
    return { params: decodeSpecial(page, pageGetSpecial(page), relname), state: readTuple(page), lsn: pageGetLSN(page) };
  } finally {
    s.bufmgr.unlockReleaseBuffer(buffer);
  }
}

const scratchValues: (TupleValue | null)[] = [null, null, null];
const scratchNulls: boolean[] = [false, false, false];

function readTuple(page: Uint8Array): SeqState {
  if (pageGetMaxOffsetNumber(page) !== 1) elog('sequence page does not hold exactly one tuple');
  heapDeformTuple(SEQ_DESC, page, pageGetItemOffset(page, 1), pageGetItemLength(page, 1), scratchValues, scratchNulls);
  return { lastValue: scratchValues[0] as bigint, logCnt: scratchValues[1] as bigint, isCalled: scratchValues[2] as boolean };
}

/**
 * Writes the sequence page of a new sequence (CREATE SEQUENCE): block 0 is
 * created when the relation is still empty, and the state is WAL-logged.
 * Returns the record's LSN.
 */
export function writeSeqPage(s: SeqStorage, rloc: RelFileLocator, params: SeqParams, state: SeqState, logged: SeqState | null): number {
  const bm = s.bufmgr;
  const buffer = bm.nblocks(rloc, ForkNumber.MAIN) === 0 ? bm.extendBuffer(rloc, ForkNumber.MAIN) : lockedBlock0(bm, rloc);
  let lsn: number;
  try {
    lsn = applySeqChange(s, buffer, params, state, logged);
  } finally {
    bm.unlockReleaseBuffer(buffer);
  }
  if (lsn !== 0) s.flush(lsn);
  return lsn;
}

/** What a change of the sequence page leaves: the new parameters and state, and the state to WAL-log (null: no record). */
export interface SeqChange {
  params: SeqParams;
  state: SeqState;
  logged: SeqState | null;
}

/**
 * Reads and changes the sequence page under one exclusive buffer lock
 * (rule 1): `change` sees the current parameters, state and page LSN and
 * returns what to write, or null to leave the page alone. Errors thrown by
 * `change` leave the page untouched. Returns the record's LSN or 0.
 */
export function modifySeqPage(s: SeqStorage, rloc: RelFileLocator, relname: string, change: (params: SeqParams, state: SeqState, lsn: number) => SeqChange | null): number {
  const bm = s.bufmgr;
  if (bm.nblocks(rloc, ForkNumber.MAIN) === 0) elog(`sequence "${relname}" has no page`);
  const buffer = lockedBlock0(bm, rloc);
  let lsn = 0;
  try {
    const page = bm.getPage(buffer);
    const c = change(decodeSpecial(page, pageGetSpecial(page), relname), readTuple(page), pageGetLSN(page));
    if (c !== null) lsn = applySeqChange(s, buffer, c.params, c.state, c.logged);
  } finally {
    bm.unlockReleaseBuffer(buffer);
  }
  if (lsn !== 0) s.flush(lsn);
  return lsn;
}

/**
 * The change itself, on a pinned and exclusively locked buffer: `logged`
 * is the state the WAL record carries (nextval logs a state ahead of the
 * one it leaves on the page), `state` the one the page keeps.
 */
function applySeqChange(s: SeqStorage, buffer: number, params: SeqParams, state: SeqState, logged: SeqState | null): number {
  const bm = s.bufmgr;
  const page = bm.getPage(buffer);
  const special = encodeSpecial(params);
  let lsn = 0;
  if (logged !== null) {
    // The record carries the logged-ahead state; the page gets it first so the page and the record agree.
    const rec = formSeqTuple(logged);
    initSeqPage(page, special, rec);
    bm.markBufferDirty(buffer);
    const ins = s.xlogInsert;
    ins.beginInsert();
    ins.registerBuffer(0, buffer, REGBUF_WILL_INIT);
    ins.registerData(special);
    ins.registerData(rec);
    // Not tied to a transaction: redo replays it whatever became of the caller's.
    lsn = ins.insert(RM_SEQ_ID, XLOG_SEQ_LOG, 0);
    pageSetLSN(page, lsn);
  } else if (pageGetMaxOffsetNumber(page) !== 1) {
    initSeqPage(page, special, formSeqTuple(state));
  }
  // The state the page keeps: the same length as the logged tuple, so only the data changes.
  page.set(formSeqTuple(state), pageGetItemOffset(page, 1));
  bm.markBufferDirty(buffer);
  return lsn;
}

function lockedBlock0(bm: BufferManager, rloc: RelFileLocator): number {
  const buffer = bm.readBuffer(rloc, ForkNumber.MAIN, 0);
  bm.lockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
  return buffer;
}

function seqRedo(record: DecodedXLogRecord, ctx: RedoContext): void {
  if ((record.info & 0xf0) !== XLOG_SEQ_LOG) elog(`seq_redo: unknown op code ${record.info & 0xf0}`);
  const d = record.mainData;
  const buffer = XLogInitBufferForRedo(record, 0, ctx);
  const page = ctx.buffers.getPage(buffer);
  initSeqPage(page, d.subarray(0, SEQ_SPECIAL_SIZE), d.subarray(SEQ_SPECIAL_SIZE));
  pageSetLSN(page, record.endLsn);
  ctx.buffers.markBufferDirty(buffer);
  ctx.buffers.unlockReleaseBuffer(buffer);
}

/** Registers RM_SEQ_ID ("Sequence") so recovery replays XLOG_SEQ_LOG. */
export function registerSeqRmgr(): void {
  registerRmgr({
    id: RM_SEQ_ID,
    name: 'Sequence',
    redo: seqRedo,
    identify: (info) => ((info & 0xf0) === XLOG_SEQ_LOG ? 'LOG' : null),
    desc: (record) => {
      const blk = record.getBlock(0);
      return blk === undefined ? '' : `rel ${blk.rlocator.spcOid}/${blk.rlocator.dbOid}/${blk.rlocator.relNumber}`;
    },
  });
}

registerSeqRmgr();
