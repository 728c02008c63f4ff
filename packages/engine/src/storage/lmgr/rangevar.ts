/*
 * rangevar.ts — a relation name resolved to an OID with the relation
 * locked, the name re-checked after the lock (PostgreSQL's
 * RangeVarGetRelidExtended in namespace.c, the part about locking).
 *
 * Exports: rangeVarGetRelidLocked, lockRelationsOfRangeTable.
 *
 * Why the loop: the name is looked up before the lock is held, so another
 * backend may rename or drop the relation, or create another of the same
 * name earlier in search_path, before our lock is granted. Taking a new
 * lock processes the invalidations it committed meanwhile
 * (StorageEngine.lockRelation), so looking the name up again gives the
 * answer as of now; if it names another relation, the lock on the old one
 * is given back and the new one is locked, until the two agree.
 */

import type { LockMode } from '../../nodes/parsenodes.ts';
import type { CatalogAccess } from '../../utils/rel.ts';
import { relationLockNotAvailable } from './lmgr.ts';

/** How often the name may move under us before giving up (PostgreSQL loops forever; a bound never hurts). */
const MAX_RETRIES = 100;

export interface RangeVarLockOptions {
  /** Null instead of an error when the name is not found (the caller raises its own 42P01). */
  missingOk: boolean;
  /** ConditionalLockRelationOid: 55P03 "could not obtain lock on relation" instead of waiting. */
  nowait?: boolean;
  location?: number;
}

/**
 * RangeVarGetRelidExtended with a lock mode: the OID of the relation the
 * name denotes, locked in `mode` for the current transaction; null when it
 * does not exist and missingOk. A catalog without a lock manager (analyzer
 * harnesses) only looks the name up.
 */
export function rangeVarGetRelidLocked(
  cat: CatalogAccess,
  schemaname: string | null,
  relname: string,
  mode: LockMode,
  opts: RangeVarLockOptions,
): number | null {
  const lock = cat.lockRelationOid?.bind(cat);
  if (lock === undefined) return cat.relnameGetRelid(schemaname, relname, opts.missingOk, opts.location);
  let locked: number | null = null;
  for (let i = 0; i < MAX_RETRIES; i++) {
    const relid = cat.relnameGetRelid(schemaname, relname, true, opts.location);
    if (relid === locked && locked !== null) return relid;
    if (locked !== null) {
      // The name moved to another relation (or away) while we waited.
      cat.unlockRelationOid?.(locked, mode);
      locked = null;
    }
    if (relid === null) {
      if (opts.missingOk) return null;
      return cat.relnameGetRelid(schemaname, relname, false, opts.location);
    }
    if (!lock(relid, mode, opts.nowait === true)) throw relationLockNotAvailable(relname);
    locked = relid;
  }
  return locked;
}

/** What AcquireExecutorLocks / AcquireRewriteLocks read of a range table entry. */
interface LockableRte {
  rtekind: string;
  relid: number;
  rellockmode: LockMode | '';
}

/**
 * AcquireExecutorLocks: every relation a plan (or query) reads or writes,
 * locked in the mode its range table entry asks for. A cached plan does
 * this before it runs; a lock newly taken processes invalidations, which
 * may mark the plan stale (the caller re-plans then).
 */
export function lockRelationsOfRangeTable(cat: CatalogAccess, rtable: readonly LockableRte[]): void {
  const lock = cat.lockRelationOid;
  if (lock === undefined) return;
  for (const rte of rtable) {
    if (rte.rtekind !== 'RTE_RELATION' || rte.rellockmode === '' || rte.relid === 0) continue;
    lock.call(cat, rte.relid, rte.rellockmode, false);
  }
}
