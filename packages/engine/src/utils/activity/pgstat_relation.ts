/*
 * pgstat_relation.ts — the cumulative per-table row counters every backend
 * adds to and every backend (and the autovacuum launcher) reads
 * (PostgreSQL's utils/activity/pgstat_relation.c with its shared hash of
 * PgStatShared_Relation in pgstat_shmem.c): n_tup_ins, n_tup_upd,
 * n_tup_del, n_live_tup and n_dead_tup of pg_stat_all_tables.
 *
 * Exports: pgstatRelationShmemSize, pgstatRelationShmemInit,
 *          RelCounter, REL_COUNTERS, flushRelationCounts (a backend's
 *          deltas at transaction end), setRelationLiveDead (VACUUM /
 *          ANALYZE's measured counts), readRelationStats (one table),
 *          scanRelationStats (every table, for the autovacuum launcher),
 *          relationStatsOverflowed, PGSTAT_RELATION_SLOTS.
 *
 * Region "PgStatRelation":
 *
 *   byte 0    i32 overflow     relations refused because every slot was taken
 *        8    entries[PGSTAT_RELATION_SLOTS], ENTRY_BYTES each:
 *               +0  i32 relid        0 = free; claimed once, by compareExchange
 *               +8  i64 counters[REL_COUNTERS.length]
 *
 * Rules:
 *  1. A fixed-size open-addressing hash by relation OID (linear probing
 *     from a multiplicative hash). An entry is claimed with a
 *     compareExchange of its relid word from 0 and never given back (a
 *     dropped table keeps its slot until the instance restarts: PostgreSQL
 *     drops the entry at DROP TABLE; not built).
 *  2. Overflow: when every slot is taken, a new relation's counts are not
 *     kept and `overflow` grows; readers then answer NULL (unknown), not
 *     zero, for any table without an entry — never a wrong zero.
 *  3. Deltas are added with Atomics.add (flushRelationCounts, at
 *     transaction end like pgstat_report_stat); VACUUM and ANALYZE store
 *     the counts they measured (Atomics.store), as
 *     pgstat_report_vacuum/pgstat_report_analyze overwrite them. A store
 *     racing with another backend's add can lose that add: the counts are
 *     estimates, as in PostgreSQL.
 *  4. The segment dies with the instance: counters start at zero after a
 *     start or crash restart (PostgreSQL keeps them across a clean
 *     shutdown; not built).
 */

import type { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { elog } from '../errors.ts';

export const REL_COUNTERS = ['n_tup_ins', 'n_tup_upd', 'n_tup_del', 'n_live_tup', 'n_dead_tup'] as const;
export type RelCounter = (typeof REL_COUNTERS)[number];
const NCOUNTERS = REL_COUNTERS.length;
const I_LIVE = 3;
const I_DEAD = 4;

/** Tables the shared hash can hold (rule 2). */
export const PGSTAT_RELATION_SLOTS = 1024;
const REGION = 'PgStatRelation';
const HEADER_BYTES = 8;
const ENTRY_BYTES = 8 + NCOUNTERS * 8;
const REGION_BYTES = HEADER_BYTES + PGSTAT_RELATION_SLOTS * ENTRY_BYTES;

export function pgstatRelationShmemSize(sizer: ShmemSizer): void {
  sizer.add(REGION_BYTES);
}

/** Creates the zeroed region (every slot free). */
export function pgstatRelationShmemInit(shmem: Shmem): void {
  shmem.initStruct(REGION, REGION_BYTES);
}

interface View {
  i32: Int32Array;
  i64: BigInt64Array;
  /** Byte offset of the region in the segment. */
  base: number;
}

const views = new WeakMap<SharedArrayBuffer, View>();

function view(shmem: Shmem): View {
  let v = views.get(shmem.sab);
  if (v === undefined) {
    const r = shmem.lookup(REGION);
    if (r === undefined) return elog('PgStatRelation is missing from shared memory (not made by createSharedMemoryAndSemaphores)');
    v = { i32: shmem.i32, i64: new BigInt64Array(shmem.sab, r.offset, REGION_BYTES / 8), base: r.offset };
    views.set(shmem.sab, v);
  }
  return v;
}

function relidWord(v: View, slot: number): number {
  return (v.base + HEADER_BYTES + slot * ENTRY_BYTES) >> 2;
}

function counterWord(slot: number, i: number): number {
  return (HEADER_BYTES + slot * ENTRY_BYTES + 8) / 8 + i;
}

function startSlot(relid: number): number {
  return (Math.imul(relid, 0x9e3779b1) >>> 0) % PGSTAT_RELATION_SLOTS;
}

/** The slot of `relid`, claiming a free one when `create` (rule 1); -1 when absent or full. */
function findSlot(v: View, relid: number, create: boolean): number {
  if (relid <= 0) return -1;
  const start = startSlot(relid);
  for (let k = 0; k < PGSTAT_RELATION_SLOTS; k++) {
    const slot = (start + k) % PGSTAT_RELATION_SLOTS;
    const w = relidWord(v, slot);
    const cur = Atomics.load(v.i32, w);
    if (cur === relid) return slot;
    if (cur !== 0) continue;
    if (!create) return -1;
    const prev = Atomics.compareExchange(v.i32, w, 0, relid);
    if (prev === 0 || prev === relid) return slot;
  }
  if (create) Atomics.add(v.i32, v.base >> 2, 1);
  return -1;
}

/** Adds one table's deltas (rule 3); a table that finds no slot is counted in `overflow` (rule 2). */
export function flushRelationCounts(shmem: Shmem, relid: number, deltas: ArrayLike<number>): void {
  const v = view(shmem);
  const slot = findSlot(v, relid, true);
  if (slot < 0) return;
  for (let i = 0; i < NCOUNTERS; i++) if (deltas[i] !== 0) Atomics.add(v.i64, counterWord(slot, i), BigInt(deltas[i]));
}

/** VACUUM / ANALYZE: the live and dead row counts it measured replace the running ones (rule 3). */
export function setRelationLiveDead(shmem: Shmem, relid: number, live: number, dead: number): void {
  const v = view(shmem);
  const slot = findSlot(v, relid, true);
  if (slot < 0) return;
  Atomics.store(v.i64, counterWord(slot, I_LIVE), BigInt(Math.max(0, Math.round(live))));
  Atomics.store(v.i64, counterWord(slot, I_DEAD), BigInt(Math.max(0, Math.round(dead))));
}

export function relationStatsOverflowed(shmem: Shmem): boolean {
  const v = view(shmem);
  return Atomics.load(v.i32, v.base >> 2) > 0;
}

function readSlot(v: View, slot: number): Record<RelCounter, number> {
  const out = {} as Record<RelCounter, number>;
  for (let i = 0; i < NCOUNTERS; i++) {
    // Live and dead counts can dip below zero while deltas from several backends arrive out of order.
    out[REL_COUNTERS[i]] = Math.max(0, Number(Atomics.load(v.i64, counterWord(slot, i))));
  }
  return out;
}

/** One table's counters: zeros for a table never counted, null when it may have been refused (rule 2). */
export function readRelationStats(shmem: Shmem, relid: number): Record<RelCounter, number> | null {
  const v = view(shmem);
  const slot = findSlot(v, relid, false);
  if (slot >= 0) return readSlot(v, slot);
  if (relationStatsOverflowed(shmem)) return null;
  return { n_tup_ins: 0, n_tup_upd: 0, n_tup_del: 0, n_live_tup: 0, n_dead_tup: 0 };
}

/** Every table with an entry, with its counters (the autovacuum launcher's read). */
export function scanRelationStats(shmem: Shmem): { relid: number; counts: Record<RelCounter, number> }[] {
  const v = view(shmem);
  const out: { relid: number; counts: Record<RelCounter, number> }[] = [];
  for (let slot = 0; slot < PGSTAT_RELATION_SLOTS; slot++) {
    const relid = Atomics.load(v.i32, relidWord(v, slot));
    if (relid !== 0) out.push({ relid, counts: readSlot(v, slot) });
  }
  return out;
}

/** Frees every slot: only for the bootstrap backend, alone on a new segment (dropping initdb's own counts). */
export function resetRelationStats(shmem: Shmem): void {
  const v = view(shmem);
  v.i64.fill(0n);
}
