/*
 * @tabgres/engine — one backend's code: the storage engine today; the SQL
 * layer (Database.open) arrives with the SQL issue.
 */

export { StorageEngine, STORAGE_DB_OID, type StorageEngineOptions, type ScannedRow } from './engine.ts';
export { PgError, SQLSTATE, isPgError } from './utils/errors.ts';
export type { Relation } from './access/heap/relation.ts';
export type { ColumnDef, TupleDesc } from './access/common/tupdesc.ts';
export type { Tid } from './access/common/itemptr.ts';
export { makeTid, tidBlock, tidOffset } from './access/common/itemptr.ts';
export { TYPES, typeByOid, typeByName } from './utils/adt/types.ts';
export type { Datum, TypeInfo } from './utils/adt/datum.ts';
export { parse } from './parser/gram.ts';
export { tokenize } from './parser/scan.ts';
