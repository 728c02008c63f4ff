/*
 * autovacuum.ts — the autovacuum launcher (PostgreSQL's
 * postmaster/autovacuum.c, AutoVacLauncherMain and the vacuum half of
 * relation_needs_vacanalyze), without its workers: every
 * autovacuum_naptime it reads the shared table statistics
 * (utils/activity/pgstat_relation.ts) and reports which tables would need
 * vacuuming. No autovacuum worker exists yet (it comes with VACUUM's
 * worker process), so nothing is vacuumed: the launcher only says so.
 *
 * Exports: AutovacuumSettings, DEFAULT_AUTOVACUUM_SETTINGS,
 *          tablesNeedingVacuum (the decision, for tests and the loop),
 *          autoVacLauncherMain (the loop an auxiliary worker runs).
 *
 * The rule, as relation_needs_vacanalyze: a table needs vacuuming when
 *   n_dead_tup > autovacuum_vacuum_threshold
 *                + autovacuum_vacuum_scale_factor * reltuples.
 * Difference: the launcher has no catalog access, so reltuples is the
 * shared n_live_tup (PostgreSQL's worker reads pg_class.reltuples, which
 * VACUUM and ANALYZE keep near n_live_tup); tables are named by OID.
 * The insert-driven threshold (autovacuum_vacuum_insert_threshold) and
 * the analyze thresholds are not checked.
 */

import type { StorageEngine } from '../engine.ts';
import type { Shmem } from '../storage/ipc/shmem.ts';
import { scanRelationStats } from '../utils/activity/pgstat_relation.ts';

export interface AutovacuumSettings {
  /** autovacuum_naptime, in milliseconds (60 s by default). */
  naptimeMs: number;
  /** autovacuum_vacuum_threshold (50). */
  vacuumThreshold: number;
  /** autovacuum_vacuum_scale_factor (0.2). */
  vacuumScaleFactor: number;
}

export const DEFAULT_AUTOVACUUM_SETTINGS: AutovacuumSettings = { naptimeMs: 60_000, vacuumThreshold: 50, vacuumScaleFactor: 0.2 };

export interface VacuumCandidate {
  relid: number;
  nDeadTup: number;
  /** The threshold n_dead_tup exceeded. */
  vacthresh: number;
}

/** The tables whose dead rows exceed their threshold, by OID. */
export function tablesNeedingVacuum(shmem: Shmem, s: AutovacuumSettings): VacuumCandidate[] {
  const out: VacuumCandidate[] = [];
  for (const { relid, counts } of scanRelationStats(shmem)) {
    const vacthresh = s.vacuumThreshold + s.vacuumScaleFactor * counts.n_live_tup;
    if (counts.n_dead_tup > vacthresh) out.push({ relid, nDeadTup: counts.n_dead_tup, vacthresh });
  }
  return out.sort((a, b) => a.relid - b.relid);
}

/**
 * AutoVacLauncherMain: checks every naptime until the postmaster asks the
 * auxiliary processes to leave, then detaches. A list of candidates is
 * logged when it differs from the previous round's (a table that stays
 * over its threshold is not repeated every minute). Blocks the thread.
 */
export function autoVacLauncherMain(engine: StorageEngine, s: AutovacuumSettings, log: (message: string) => void): void {
  let last = '';
  do {
    const need = tablesNeedingVacuum(engine.shmem, s);
    const text = need.map((c) => `table OID ${c.relid} (n_dead_tup ${c.nDeadTup} > ${c.vacthresh})`).join(', ');
    if (text !== last && need.length > 0) {
      log(`LOG:  autovacuum launcher: would vacuum ${text}; no autovacuum worker is built, nothing was vacuumed`);
    }
    last = text;
  } while (!engine.syncRequests.auxiliarySleep(s.naptimeMs));
  engine.detach();
}
