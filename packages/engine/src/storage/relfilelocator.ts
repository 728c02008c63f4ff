/*
 * relfilelocator.ts — names of relation files (RelFileLocator, ForkNumber).
 *
 * A relation's storage is identified by tablespace, database and relation
 * file number, as in PostgreSQL; each relation has up to four forks, stored
 * as separate files: base/<dbOid>/<relNumber>[_fsm|_vm|_init][.<segno>].
 */

export interface RelFileLocator {
  readonly spcOid: number;
  readonly dbOid: number;
  readonly relNumber: number;
}

export const enum ForkNumber {
  MAIN = 0,
  FSM = 1,
  VISIBILITYMAP = 2,
  INIT = 3,
}
export const MAX_FORKNUM = 3;

/** pg_default's OID; tabgres has no other tablespaces. */
export const DEFAULTTABLESPACE_OID = 1663;
/** pg_global: shared catalogs live in global/. */
export const GLOBALTABLESPACE_OID = 1664;

const FORK_SUFFIX = ['', '_fsm', '_vm', '_init'];

/** relpath(): the file name of a fork's first segment. */
export function relPath(rel: RelFileLocator, fork: ForkNumber): string {
  const base = rel.spcOid === GLOBALTABLESPACE_OID ? `global/${rel.relNumber}` : `base/${rel.dbOid}/${rel.relNumber}`;
  return base + FORK_SUFFIX[fork];
}

/** The file of segment `segno` (the first segment has no suffix). */
export function segmentPath(rel: RelFileLocator, fork: ForkNumber, segno: number): string {
  const p = relPath(rel, fork);
  return segno === 0 ? p : `${p}.${segno}`;
}

export function relFileLocatorEquals(a: RelFileLocator, b: RelFileLocator): boolean {
  return a.relNumber === b.relNumber && a.dbOid === b.dbOid && a.spcOid === b.spcOid;
}

export function forkName(fork: ForkNumber): string {
  return ['main', 'fsm', 'vm', 'init'][fork];
}
