/*
 * relation.ts — what the heap needs to know about a relation (a slice of
 * PostgreSQL's RelationData, the relcache entry).
 *
 * The SQL layer builds these from the catalogs; the storage API builds them
 * from what its caller passes. `targetBlock` and `fsmHint` are this
 * backend's private insertion hints and are never shared.
 */

import type { TupleDesc } from '../common/tupdesc.ts';
import type { RelFileLocator } from '../../storage/relfilelocator.ts';

export interface Relation {
  /** pg_class.oid */
  readonly oid: number;
  readonly name: string;
  readonly locator: RelFileLocator;
  readonly desc: TupleDesc;
  /** The TOAST relation holding this relation's out-of-line values, or null. */
  toast: Relation | null;
  /** Percentage of each page plain inserts may fill (the rest is kept for updates). */
  fillfactor: number;
  /** rd_targblock: the page this backend last inserted into, -1 if none. */
  targetBlock: number;
  /** Where the next free-space-map search starts. */
  fsmHint: number;
}

export function makeRelation(oid: number, name: string, locator: RelFileLocator, desc: TupleDesc, toast: Relation | null = null, fillfactor = 100): Relation {
  return { oid, name, locator, desc, toast, fillfactor, targetBlock: -1, fsmHint: 0 };
}
