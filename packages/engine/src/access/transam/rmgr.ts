/*
 * rmgr.ts — resource managers: who owns each kind of WAL record (PostgreSQL's
 * access/rmgr.h, rmgrlist.h and the record printing of pg_waldump).
 *
 * Exports: RM_*_ID (PostgreSQL's numbers), RmgrData, registerRmgr, getRmgr,
 * rmgrName, rmgrIdIsValid, RedoContext, RedoCounters, RedoServices,
 * RedoServiceKey, SimpleRedoCounters, describeRecord.
 *
 * Every WAL record names the resource manager (rmgr) that wrote it. At
 * recovery the startup process hands each record to its rmgr's redo; the
 * playground and tests print records through desc and identify, in
 * pg_waldump's format. The ids are PostgreSQL's, so a record kind has the
 * same rmgr number in both systems.
 *
 * The registry is a module-level table, like PostgreSQL's static RmgrTable:
 * rmgrs register once, at import, and carry no per-instance state. Whatever
 * a redo routine needs from the running instance (buffers, the XID/OID
 * counters, CLOG, ...) comes in the RedoContext the startup process passes.
 */

import type { CheckPoint } from '../../catalog/pg_control.ts';
import { Assert, elog } from '../../utils/errors.ts';
import { forkName } from '../../storage/relfilelocator.ts';
import { lsnToString08 } from './xlogdefs.ts';
import type { DecodedXLogRecord } from './xlogreader.ts';
import type { RedoBufferAccess } from './xlogutils.ts';

export const RM_XLOG_ID = 0;
export const RM_XACT_ID = 1;
export const RM_SMGR_ID = 2;
export const RM_CLOG_ID = 3;
export const RM_DBASE_ID = 4;
export const RM_TBLSPC_ID = 5;
export const RM_MULTIXACT_ID = 6;
export const RM_RELMAP_ID = 7;
export const RM_STANDBY_ID = 8;
export const RM_HEAP2_ID = 9;
export const RM_HEAP_ID = 10;
export const RM_BTREE_ID = 11;
export const RM_HASH_ID = 12;
export const RM_GIN_ID = 13;
export const RM_GIST_ID = 14;
export const RM_SEQ_ID = 15;
export const RM_SPGIST_ID = 16;
export const RM_BRIN_ID = 17;
export const RM_COMMIT_TS_ID = 18;
export const RM_REPLORIGIN_ID = 19;
export const RM_GENERIC_ID = 20;
export const RM_LOGICALMSG_ID = 21;
export const RM_MAX_BUILTIN_ID = RM_LOGICALMSG_ID;
/** Ids PostgreSQL leaves to extensions; tests use RM_EXPERIMENTAL_ID. */
export const RM_MIN_CUSTOM_ID = 128;
export const RM_MAX_CUSTOM_ID = 255;
export const RM_EXPERIMENTAL_ID = 128;

/** PostgreSQL's rmgr names, shown even before an rmgr registers (pg_waldump's column). */
const BUILTIN_NAMES = [
  'XLOG', 'Transaction', 'Storage', 'CLOG', 'Database', 'Tablespace', 'MultiXact', 'RelMap', 'Standby', 'Heap2',
  'Heap', 'Btree', 'Hash', 'Gin', 'Gist', 'Sequence', 'SPGist', 'BRIN', 'CommitTs', 'ReplicationOrigin', 'Generic',
  'LogicalMessage',
];

/** RmgrIdIsValid: a built-in id or one in the custom range. */
export function rmgrIdIsValid(id: number): boolean {
  return (id >= 0 && id <= RM_MAX_BUILTIN_ID) || (id >= RM_MIN_CUSTOM_ID && id <= RM_MAX_CUSTOM_ID);
}

/**
 * The counters a checkpoint or NEXTOID record restores (RM_XLOG's redo and
 * the startup process call these). PostgreSQL's rules, which
 * SimpleRedoCounters implements: a shutdown checkpoint sets nextXid and
 * nextOid; an online checkpoint only advances nextXid (OIDs are tracked by
 * NEXTOID records); XLOG_NEXTOID sets nextOid.
 */
export interface RedoCounters {
  checkpoint(cp: CheckPoint, shutdown: boolean): void;
  setNextOid(nextOid: number): void;
  /**
   * AdvanceNextFullTransactionIdPastXid: every replayed record's xl_xid
   * (0 for none) moves nextXid past it. A transaction that crashed before
   * its commit or abort record left records (a heap insert) but no xact
   * record: its XID must not be handed out again, or its tuples would
   * become the new transaction's.
   */
  advanceNextXidPast(xid: number): void;
}

/** A typed name for something a redo routine needs from the instance (the CLOG, ...). */
export class RedoServiceKey<T> {
  /** Never set; it only makes RedoServiceKey<A> and RedoServiceKey<B> different types. */
  declare protected readonly phantom: T;
  constructor(readonly name: string) {}
}

/** The instance's services by key; the startup process fills it before redo. */
export class RedoServices {
  private readonly map = new Map<RedoServiceKey<unknown>, unknown>();

  provide<T>(key: RedoServiceKey<T>, value: T): this {
    this.map.set(key, value);
    return this;
  }

  get<T>(key: RedoServiceKey<T>): T {
    if (!this.map.has(key)) elog(`redo service "${key.name}" was not provided to recovery`);
    return this.map.get(key) as T;
  }
}

/** What a redo routine gets besides the record. */
export interface RedoContext {
  readonly buffers: RedoBufferAccess;
  readonly counters: RedoCounters;
  readonly services: RedoServices;
}

export interface RmgrData {
  id: number;
  /** pg_waldump's rmgr column: 'Heap', 'Btree', ... */
  name: string;
  /** Replays the record; runs in the startup process only. */
  redo(record: DecodedXLogRecord, ctx: RedoContext): void;
  /** The record's contents as pg_waldump prints them after "desc: KIND ". */
  desc(record: DecodedXLogRecord): string;
  /** The record kind for xl_info's high bits ('INSERT', 'COMMIT', ...), or null if unknown. */
  identify(info: number): string | null;
}

const table: (RmgrData | undefined)[] = new Array<RmgrData | undefined>(RM_MAX_CUSTOM_ID + 1).fill(undefined);

/**
 * Registers an rmgr. Registering the same name under the same id again
 * replaces it (modules may be loaded twice in tests); a different name under
 * a taken id is an error, as PostgreSQL's RegisterCustomRmgr says.
 */
export function registerRmgr(rmgr: RmgrData): void {
  Assert(rmgrIdIsValid(rmgr.id), `invalid resource manager ID ${rmgr.id}`);
  const old = table[rmgr.id];
  if (old !== undefined && old.name !== rmgr.name) {
    elog(`failed to register resource manager "${rmgr.name}" with ID ${rmgr.id}: resource manager "${old.name}" already registered with the same ID`);
  }
  table[rmgr.id] = rmgr;
}

export function getRmgr(id: number): RmgrData | undefined {
  return id >= 0 && id < table.length ? table[id] : undefined;
}

/** The rmgr's name, registered or not. */
export function rmgrName(id: number): string {
  const r = getRmgr(id);
  if (r !== undefined) return r.name;
  if (id >= 0 && id <= RM_MAX_BUILTIN_ID) return BUILTIN_NAMES[id];
  return `custom${String(id).padStart(3, '0')}`;
}

/**
 * A RedoCounters that keeps the counters in fields, with PostgreSQL's rules.
 * The engine's transaction manager may use it or implement its own.
 */
export class SimpleRedoCounters implements RedoCounters {
  nextXid = 0;
  nextOid = 0;
  oldestXid = 0;
  oldestActiveXid = 0;

  checkpoint(cp: CheckPoint, shutdown: boolean): void {
    if (shutdown) {
      this.nextXid = cp.nextXid;
      this.nextOid = cp.nextOid;
    } else if (cp.nextXid > this.nextXid) {
      this.nextXid = cp.nextXid;
    }
    this.oldestXid = cp.oldestXid;
    this.oldestActiveXid = cp.oldestActiveXid;
  }

  setNextOid(nextOid: number): void {
    this.nextOid = nextOid;
  }

  advanceNextXidPast(xid: number): void {
    // nextXid is a full XID (epoch * 2^32 + xid); XIDs compare modulo 2^32, normal ones (>= 3) only.
    if (xid < 3) return;
    const epoch = Math.floor(this.nextXid / 2 ** 32);
    const cur = this.nextXid % 2 ** 32;
    if (((xid - cur) | 0) < 0) return;
    let after = (xid + 1) >>> 0;
    if (after < 3) after = 3;
    this.nextXid = (after < cur ? epoch + 1 : epoch) * 2 ** 32 + after;
  }
}

/**
 * One record as pg_waldump prints it:
 *
 *   rmgr: Heap        len (rec/tot):     59/    59, tx:        745, lsn: 0/01524B48, prev 0/01524B10, desc: INSERT off: 5, blkref #0: rel 1663/5/16384 blk 0
 *
 * len "rec" is the record without its page images, "tot" with them.
 */
export function describeRecord(record: DecodedXLogRecord): string {
  const r = getRmgr(record.rmid);
  let fpiLen = 0;
  for (const b of record.blocks) if (b.hasImage) fpiLen += b.imageLength;
  const kind = r?.identify(record.info & ~0x0f) ?? null;
  let s =
    `rmgr: ${rmgrName(record.rmid).padEnd(11)} len (rec/tot): ${String(record.totalLen - fpiLen).padStart(6)}/${String(record.totalLen).padStart(8)}, ` +
    `tx: ${String(record.xid).padStart(10)}, lsn: ${lsnToString08(record.lsn)}, prev ${lsnToString08(record.prev)}, ` +
    `desc: ${kind ?? `UNKNOWN (${(record.info & ~0x0f).toString(16)})`} `;
  if (r !== undefined) s += r.desc(record);
  for (const b of record.blocks) {
    s += `, blkref #${b.id}: rel ${b.rlocator.spcOid}/${b.rlocator.dbOid}/${b.rlocator.relNumber}`;
    if (b.forkNum !== 0) s += ` fork ${forkName(b.forkNum)}`;
    s += ` blk ${b.blockNum}`;
    if (b.hasImage) {
      s += b.applyImage ? ' FPW' : ' FPW for WAL verification';
      if (b.holeLength > 0) s += ` (hole: offset: ${b.holeOffset}, length: ${b.holeLength})`;
    }
  }
  return s;
}
