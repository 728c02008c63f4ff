/*
 * backend_status.ts — what each backend is doing, in shared memory, for
 * every other backend to read (PostgreSQL's utils/activity/backend_status.c:
 * PgBackendStatus, pgstat_report_activity, pgstat_report_xact_timestamp,
 * pgstat_read_current_status). pg_stat_activity is built from it and the
 * proc array (utils/adt/pgstatfuncs.ts).
 *
 * Exports: backendStatusShmemSize, backendStatusShmemInit, BackendStatus
 *          (one per backend: its own slot), BackendState,
 *          readBackendStatuses (every slot, consistently copied),
 *          BackendStatusRow, TRACK_ACTIVITY_QUERY_SIZE.
 *
 * Region "BackendStatus": one slot of SLOT_BYTES per proc-array slot
 * (MAX_BACKENDS), indexed by procno:
 *
 *   byte 0    i32 changecount   odd while the owner writes (st_changecount)
 *        4    i32 state         BackendState
 *        8    i32 backendType   BACKEND_TYPES index
 *       12    i32 usesysid      the session user's role OID
 *       16    f64 backendStart  µs since 2000-01-01 UTC; 0 = slot unused
 *       24    f64 xactStart     0 = no transaction
 *       32    f64 queryStart    0 = no query yet
 *       40    f64 stateChange
 *       48    i32 queryLen      bytes of query text
 *       52    i32 appNameLen    bytes of application_name
 *       56    u8[NAMEDATALEN]   application_name (UTF-8, truncated)
 *      120    u8[TRACK_ACTIVITY_QUERY_SIZE] query text (UTF-8, truncated)
 *
 * Rules:
 *  1. Only the owner (the backend whose procno it is) writes its slot; it
 *     makes changecount odd first and even again last (Atomics, which order
 *     the plain writes between them).
 *  2. A reader copies a slot, then checks that changecount was even and
 *     unchanged across the copy; otherwise it copies again. No lock is
 *     taken by either side (pgstat_begin_read_activity's protocol).
 *  3. A slot is valid while backendStart != 0: set at reportBackendStart,
 *     cleared at the owner's exit (clear()). A slot whose procno is not in
 *     the proc array is stale and is not shown.
 */

import { MAX_BACKENDS } from '../../constants.ts';
import type { ShmemSizer } from './shmem.ts';
import { shmemAlign, type Shmem } from './shmem.ts';
import { elog } from '../../utils/errors.ts';

/** NAMEDATALEN: application_name is a name. */
const NAMEDATALEN = 64;

/** track_activity_query_size: bytes of query text kept per backend (PostgreSQL's default). */
export const TRACK_ACTIVITY_QUERY_SIZE = 1024;

const REGION = 'BackendStatus';
const O_CHANGECOUNT = 0;
const O_STATE = 4;
const O_BACKEND_TYPE = 8;
const O_USESYSID = 12;
const O_BACKEND_START = 16;
const O_XACT_START = 24;
const O_QUERY_START = 32;
const O_STATE_CHANGE = 40;
const O_QUERY_LEN = 48;
const O_APPNAME_LEN = 52;
const O_APPNAME = 56;
const O_QUERY = O_APPNAME + 64;
const SLOT_BYTES = shmemAlign(O_QUERY + TRACK_ACTIVITY_QUERY_SIZE);
if (NAMEDATALEN > 64) throw new Error('application_name field too small for NAMEDATALEN');

/** BackendState: pg_stat_activity.state. */
export const enum BackendState {
  Undefined = 0,
  Idle = 1,
  Running = 2,
  IdleInTransaction = 3,
  IdleInTransactionAborted = 4,
  Disabled = 5,
}

const STATE_NAMES = ['', 'idle', 'active', 'idle in transaction', 'idle in transaction (aborted)', 'disabled'];

/** pg_stat_activity.backend_type, by BackendStatus's backendType. */
export const BACKEND_TYPES = ['client backend', 'checkpointer', 'background writer', 'walwriter', 'startup', 'autovacuum launcher'] as const;
export type BackendType = (typeof BACKEND_TYPES)[number];

export function backendStatusShmemSize(sizer: ShmemSizer): void {
  sizer.add(SLOT_BYTES * MAX_BACKENDS);
}

/** Creates the zeroed region (every slot unused). */
export function backendStatusShmemInit(shmem: Shmem): void {
  shmem.initStruct(REGION, SLOT_BYTES * MAX_BACKENDS);
}

/** One slot as readBackendStatuses copies it. */
export interface BackendStatusRow {
  procno: number;
  state: string | null;
  backendType: BackendType;
  usesysid: number;
  applicationName: string;
  /** Timestamps in µs since 2000-01-01 UTC (a timestamptz Datum's value); null when unset. */
  backendStart: bigint;
  xactStart: bigint | null;
  queryStart: bigint | null;
  stateChange: bigint | null;
  query: string;
}

const encoder = new TextEncoder();
/** reportActivity's query text, encoded here first: not shared memory, which encodeInto may not accept everywhere. */
const queryScratch = new Uint8Array(TRACK_ACTIVITY_QUERY_SIZE);
const decoder = new TextDecoder();

function regionOffset(shmem: Shmem): number {
  const r = shmem.lookup(REGION);
  if (r === undefined) return elog('BackendStatus is missing from shared memory (not made by createSharedMemoryAndSemaphores)');
  return r.offset;
}

/** Encodes `s` into at most `max` bytes, cut at a character boundary (pg_mbcliplen). */
function clipUtf8(s: string, max: number): Uint8Array {
  const bytes = encoder.encode(s);
  if (bytes.length <= max) return bytes;
  let n = max;
  while (n > 0 && (bytes[n] & 0xc0) === 0x80) n--;
  return bytes.subarray(0, n);
}

/** One backend's own slot (rule 1). */
export class BackendStatus {
  private readonly i32: Int32Array;
  private readonly dv: DataView;
  private readonly u8: Uint8Array;
  private readonly base: number;
  /** The query text the slot holds, so a repeated statement is not encoded and copied again. */
  private lastQuery: string | null = null;

  constructor(shmem: Shmem, readonly procno: number) {
    if (procno < 0 || procno >= MAX_BACKENDS) elog(`procno ${procno} out of range`);
    this.i32 = shmem.i32;
    this.dv = shmem.dv;
    this.u8 = shmem.u8;
    this.base = regionOffset(shmem) + procno * SLOT_BYTES;
  }

  private begin(): void {
    Atomics.add(this.i32, (this.base + O_CHANGECOUNT) >> 2, 1);
  }

  private end(): void {
    Atomics.add(this.i32, (this.base + O_CHANGECOUNT) >> 2, 1);
  }

  private setTime(off: number, micros: bigint | null): void {
    this.dv.setFloat64(this.base + off, micros === null ? 0 : Number(micros), true);
  }

  /** pgstat_bestart: the slot becomes this backend's, idle. */
  reportBackendStart(type: BackendType, usesysid: number, applicationName: string, now: bigint): void {
    this.begin();
    this.dv.setInt32(this.base + O_STATE, type === 'client backend' ? BackendState.Idle : BackendState.Undefined, true);
    this.dv.setInt32(this.base + O_BACKEND_TYPE, BACKEND_TYPES.indexOf(type), true);
    this.dv.setInt32(this.base + O_USESYSID, usesysid, true);
    this.setTime(O_BACKEND_START, now);
    this.setTime(O_XACT_START, null);
    this.setTime(O_QUERY_START, null);
    this.setTime(O_STATE_CHANGE, now);
    this.dv.setInt32(this.base + O_QUERY_LEN, 0, true);
    this.lastQuery = null;
    this.writeAppName(applicationName);
    this.end();
  }

  private writeAppName(name: string): void {
    const b = clipUtf8(name, NAMEDATALEN - 1);
    this.u8.set(b, this.base + O_APPNAME);
    this.dv.setInt32(this.base + O_APPNAME_LEN, b.length, true);
  }

  /** application_name changed (SET application_name). */
  reportAppName(name: string): void {
    this.begin();
    this.writeAppName(name);
    this.end();
  }

  /**
   * pgstat_report_activity: the backend's state changes; a query that
   * starts running also sets query_start and the text (kept after it ends,
   * as pg_stat_activity shows an idle backend's last query).
   */
  reportActivity(state: BackendState, query: string | null, now: bigint): void {
    const base = this.base;
    if (this.dv.getFloat64(base + O_BACKEND_START, true) === 0) return;
    this.begin();
    if (this.dv.getInt32(base + O_STATE, true) !== state) {
      this.dv.setInt32(base + O_STATE, state, true);
      this.setTime(O_STATE_CHANGE, now);
    }
    if (query !== null) {
      // Every statement comes through here: encode at most what the slot
      // keeps into a reused buffer (encodeInto stops before a character that
      // does not fit whole) rather than the whole text into a new array.
      if (query !== this.lastQuery) {
        const { written } = encoder.encodeInto(query, queryScratch);
        this.u8.set(written === TRACK_ACTIVITY_QUERY_SIZE ? queryScratch : queryScratch.subarray(0, written), base + O_QUERY);
        this.dv.setInt32(base + O_QUERY_LEN, written, true);
        this.lastQuery = query;
      }
      this.setTime(O_QUERY_START, now);
    }
    this.end();
  }

  /** pgstat_report_xact_timestamp: the transaction's start, or null when none runs. */
  reportXactStart(micros: bigint | null): void {
    this.begin();
    this.setTime(O_XACT_START, micros);
    this.end();
  }

  /** pgstat_beshutdown_hook: the slot is free again (rule 3). */
  clear(): void {
    this.begin();
    this.setTime(O_BACKEND_START, null);
    this.dv.setInt32(this.base + O_STATE, BackendState.Undefined, true);
    this.end();
  }
}

function timeOrNull(v: number): bigint | null {
  return v === 0 ? null : BigInt(v);
}

/** pgstat_read_current_status: a consistent copy of every valid slot (rule 2). */
export function readBackendStatuses(shmem: Shmem): BackendStatusRow[] {
  const start = regionOffset(shmem);
  const { dv, i32, u8 } = shmem;
  const out: BackendStatusRow[] = [];
  for (let p = 0; p < MAX_BACKENDS; p++) {
    const base = start + p * SLOT_BYTES;
    const ccIdx = (base + O_CHANGECOUNT) >> 2;
    for (let attempt = 0; ; attempt++) {
      const before = Atomics.load(i32, ccIdx);
      if ((before & 1) !== 0) {
        if (attempt > 1000) break; // the owner died mid-write; skip the slot
        continue;
      }
      const backendStart = dv.getFloat64(base + O_BACKEND_START, true);
      if (backendStart === 0) {
        if (Atomics.load(i32, ccIdx) === before) break;
        continue;
      }
      const qlen = Math.min(dv.getInt32(base + O_QUERY_LEN, true), TRACK_ACTIVITY_QUERY_SIZE);
      const alen = Math.min(dv.getInt32(base + O_APPNAME_LEN, true), NAMEDATALEN - 1);
      const state = dv.getInt32(base + O_STATE, true);
      const row: BackendStatusRow = {
        procno: p,
        state: state === BackendState.Undefined ? null : STATE_NAMES[state] ?? null,
        backendType: BACKEND_TYPES[dv.getInt32(base + O_BACKEND_TYPE, true)] ?? 'client backend',
        usesysid: dv.getInt32(base + O_USESYSID, true),
        applicationName: decoder.decode(u8.slice(base + O_APPNAME, base + O_APPNAME + alen)),
        backendStart: BigInt(backendStart),
        xactStart: timeOrNull(dv.getFloat64(base + O_XACT_START, true)),
        queryStart: timeOrNull(dv.getFloat64(base + O_QUERY_START, true)),
        stateChange: timeOrNull(dv.getFloat64(base + O_STATE_CHANGE, true)),
        query: decoder.decode(u8.slice(base + O_QUERY, base + O_QUERY + qlen)),
      };
      if (Atomics.load(i32, ccIdx) !== before) continue;
      out.push(row);
      break;
    }
  }
  return out;
}
