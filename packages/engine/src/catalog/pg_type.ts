/*
 * pg_type.ts — the TypeInfo a catalog column is read and written with
 * (the catalog side of PostgreSQL's catalog/pg_type.c lookups).
 *
 * Exports:
 *   catalogTypeByOid(oid)      utils/adt's TypeInfo when it registers the OID,
 *                              else the catalog-only fallback (catalogtypes.ts);
 *                              XX000 for an OID neither knows
 *   intListDatum(typeOid, list)  the Datum for an int2vector / oidvector / int2[]
 *                              column, in the form of whichever type is registered
 */

import type { TypeInfo } from '../utils/adt/datum.ts';
import { typeByOid } from '../utils/adt/types.ts';
import { elog } from '../utils/errors.ts';
import { INT2VECTOROID, OIDVECTOROID, catalogOnlyType } from './catalogtypes.ts';

export function catalogTypeByOid(oid: number): TypeInfo {
  const t = typeByOid(oid) ?? catalogOnlyType(oid);
  if (t === undefined) elog(`catalog column type ${oid} is not registered`);
  return t;
}

export function intListDatum(typeOid: number, list: readonly number[]): unknown {
  const t = catalogTypeByOid(typeOid);
  if (catalogOnlyType(typeOid) === t) return [...list];
  // utils/adt's type: build its Datum through its text input function.
  const isVector = typeOid === INT2VECTOROID || typeOid === OIDVECTOROID;
  return t.input(isVector ? list.join(' ') : `{${list.join(',')}}`, -1);
}
