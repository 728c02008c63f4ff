/*
 * types.ts — the registry of SQL types: by OID and by name.
 *
 * Exports:
 *   TYPES                  Map<oid, TypeInfo> of every built-in type
 *   typeByOid(oid)         the TypeInfo, or undefined
 *   typeByName(name)       by pg_type.typname or an SQL spelling
 *                          ("integer", "character varying", "timestamp with
 *                          time zone", ...), case-insensitive; undefined if unknown
 *   BOOLOID ... UUIDOID    PostgreSQL's OIDs for the built-in types
 *
 * The OIDs are PostgreSQL's (pg_type.dat), so clients that switch on
 * dataTypeID (node-postgres, PGlite) read our results unchanged.
 */

import type { TypeInfo } from './datum.ts';
import { boolType } from './bool.ts';
import { byteaType } from './bytea.ts';
import { dateType } from './date.ts';
import { float4Type, float8Type } from './float.ts';
import { int2Type, int4Type, int8Type, oidType } from './int.ts';
import { intervalType } from './interval.ts';
import { numericType } from './numeric.ts';
import { bpcharType, nameType, textType, varcharType } from './text.ts';
import { timestampType, timestamptzType } from './timestamp.ts';
import { uuidType } from './uuid.ts';

export const BOOLOID = 16;
export const BYTEAOID = 17;
export const NAMEOID = 19;
export const INT8OID = 20;
export const INT2OID = 21;
export const INT4OID = 23;
export const TEXTOID = 25;
export const OIDOID = 26;
export const FLOAT4OID = 700;
export const FLOAT8OID = 701;
export const BPCHAROID = 1042;
export const VARCHAROID = 1043;
export const DATEOID = 1082;
export const TIMESTAMPOID = 1114;
export const TIMESTAMPTZOID = 1184;
export const INTERVALOID = 1186;
export const NUMERICOID = 1700;
export const UUIDOID = 2950;

const ALL: readonly TypeInfo[] = [
  boolType, byteaType, nameType, int8Type, int2Type, int4Type, textType, oidType,
  float4Type, float8Type, bpcharType, varcharType, dateType, timestampType,
  timestamptzType, intervalType, numericType, uuidType,
];

export const TYPES: ReadonlyMap<number, TypeInfo> = new Map(ALL.map((t) => [t.oid, t]));

/** SQL's spellings of the built-in types, beside their typnames. */
const ALIASES: ReadonlyMap<string, number> = new Map([
  ['int', INT4OID], ['integer', INT4OID],
  ['bigint', INT8OID],
  ['smallint', INT2OID],
  ['real', FLOAT4OID], ['float', FLOAT8OID], ['double precision', FLOAT8OID],
  ['boolean', BOOLOID],
  ['character varying', VARCHAROID], ['char varying', VARCHAROID],
  ['character', BPCHAROID], ['char', BPCHAROID],
  ['timestamp without time zone', TIMESTAMPOID],
  ['timestamp with time zone', TIMESTAMPTZOID],
  ['decimal', NUMERICOID], ['dec', NUMERICOID],
]);

const BY_NAME: ReadonlyMap<string, TypeInfo> = new Map([
  ...ALL.map((t) => [t.name, t] as [string, TypeInfo]),
  ...[...ALIASES].map(([name, oid]) => [name, TYPES.get(oid) as TypeInfo] as [string, TypeInfo]),
]);

export const typeByOid = (oid: number): TypeInfo | undefined => TYPES.get(oid);

export function typeByName(name: string): TypeInfo | undefined {
  const key = name.trim().toLowerCase().replace(/\s+/g, ' ');
  return BY_NAME.get(key);
}

/* Every OID constant above must name a registered type with that OID. */
for (const oid of [
  BOOLOID, BYTEAOID, NAMEOID, INT8OID, INT2OID, INT4OID, TEXTOID, OIDOID, FLOAT4OID, FLOAT8OID,
  BPCHAROID, VARCHAROID, DATEOID, TIMESTAMPOID, TIMESTAMPTZOID, INTERVALOID, NUMERICOID, UUIDOID,
]) {
  if (TYPES.get(oid)?.oid !== oid) throw new Error(`types.ts: no type registered for OID ${oid}`);
}
