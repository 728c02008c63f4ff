/*
 * pgstat_database.ts — the cumulative per-database statistics every
 * backend adds to and every backend reads (PostgreSQL's
 * utils/activity/pgstat_database.c with its shared-memory entry from
 * pgstat_shmem.c): the counters behind pg_stat_database.
 *
 * Exports: pgstatDatabaseShmemSize, pgstatDatabaseShmemInit,
 *          PgStatDatabasePending (a backend's local counters and their
 *          flush, pgstat_report_stat), readDatabaseStats (a snapshot of one
 *          database's shared entry), DbCounter, DB_COUNTERS.
 *
 * Region "PgStatDatabase": one entry of NCOUNTERS i64 words per database
 * slot; slot 0 is datid 0 (shared objects), slot 1 the one database
 * (DATABASE_OID 5). A datid outside those has no entry (reads as zero).
 *
 * Rules:
 *  1. A backend counts into its PgStatDatabasePending (plain numbers, no
 *     shared-memory traffic on the hot path) and flushes at transaction end
 *     (commit or abort, as pgstat_report_stat runs when the backend goes
 *     idle): one Atomics.add per non-zero counter, then the pending
 *     counters are zero. A backend never sees its own unflushed counts,
 *     like PostgreSQL (its stats snapshot is the shared state).
 *  2. The words only grow (no reset function yet: pg_stat_reset is not
 *     built), so a reader needs no lock; counters of one entry read
 *     together may come from different flushes, as in PostgreSQL's
 *     unlocked reads of pgStatLocal.
 *  3. The segment dies with the instance: counters start at zero after a
 *     start or a crash restart (PostgreSQL keeps them across a clean
 *     shutdown in pg_stat/pgstat.stat; not built).
 */

import type { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { elog } from '../errors.ts';

/** The counters of one database's entry, in word order. */
export const DB_COUNTERS = [
  'xact_commit', 'xact_rollback', 'blks_read', 'blks_hit', 'tup_returned', 'tup_fetched', 'tup_inserted',
  'tup_updated', 'tup_deleted', 'deadlocks', 'sessions',
] as const;
export type DbCounter = (typeof DB_COUNTERS)[number];

const NCOUNTERS = DB_COUNTERS.length;
const COUNTER_INDEX = new Map<DbCounter, number>(DB_COUNTERS.map((c, i) => [c, i]));
const REGION = 'PgStatDatabase';
/** Database slots: datid 0 and the one database. */
const DATABASE_SLOTS = [0, 5];
const REGION_BYTES = DATABASE_SLOTS.length * NCOUNTERS * 8;

export function pgstatDatabaseShmemSize(sizer: ShmemSizer): void {
  sizer.add(REGION_BYTES);
}

/** Creates the zeroed region (every counter 0). */
export function pgstatDatabaseShmemInit(shmem: Shmem): void {
  shmem.initStruct(REGION, REGION_BYTES);
}

/** The i64 view of the region, made once per segment. */
const views = new WeakMap<SharedArrayBuffer, BigInt64Array>();

function regionView(shmem: Shmem): BigInt64Array {
  let v = views.get(shmem.sab);
  if (v === undefined) {
    const r = shmem.lookup(REGION);
    if (r === undefined) return elog('PgStatDatabase is missing from shared memory (not made by createSharedMemoryAndSemaphores)');
    v = new BigInt64Array(shmem.sab, r.offset, DATABASE_SLOTS.length * NCOUNTERS);
    views.set(shmem.sab, v);
  }
  return v;
}

function slotOf(datid: number): number {
  return DATABASE_SLOTS.indexOf(datid);
}

/** One database's shared counters (rule 2), or null for a datid without an entry. */
export function readDatabaseStats(shmem: Shmem, datid: number): Record<DbCounter, bigint> | null {
  const slot = slotOf(datid);
  if (slot < 0) return null;
  const v = regionView(shmem);
  const out = {} as Record<DbCounter, bigint>;
  for (let i = 0; i < NCOUNTERS; i++) out[DB_COUNTERS[i]] = Atomics.load(v, slot * NCOUNTERS + i);
  return out;
}

/** A backend's not-yet-flushed counts for its database (PgStat_StatDBEntry pending). */
export class PgStatDatabasePending {
  private readonly pending = new Float64Array(NCOUNTERS);
  private readonly view: BigInt64Array;
  private readonly base: number;

  constructor(shmem: Shmem, datid: number) {
    const slot = slotOf(datid);
    if (slot < 0) elog(`no statistics entry for database ${datid}`);
    this.view = regionView(shmem);
    this.base = slot * NCOUNTERS;
  }

  count(counter: DbCounter, n = 1): void {
    this.pending[COUNTER_INDEX.get(counter) as number] += n;
  }

  /** pgstat_report_stat: adds the pending counts to the shared entry (rule 1). */
  flush(): void {
    const p = this.pending;
    for (let i = 0; i < NCOUNTERS; i++) {
      if (p[i] === 0) continue;
      Atomics.add(this.view, this.base + i, BigInt(p[i]));
      p[i] = 0;
    }
  }
}

/**
 * Zeroes every database entry: only for the bootstrap backend, alone on a
 * new segment, dropping what initdb's own statements counted (pg_stat_reset
 * for other backends is not built: rule 2).
 */
export function resetDatabaseStats(shmem: Shmem): void {
  const v = regionView(shmem);
  for (let i = 0; i < v.length; i++) Atomics.store(v, i, 0n);
}
