/*
 * types.ts — the registry of SQL types: by OID and by name.
 *
 * Exports:
 *   TYPES                  Map<oid, TypeInfo> of every built-in type
 *   typeByOid(oid)         the TypeInfo, or undefined
 *   typeByName(name)       by pg_type.typname or an SQL spelling
 *                          ("integer", "character varying", "timestamp with
 *                          time zone", ...), case-insensitive; undefined if unknown
 *   BOOLOID ... UUIDOID    PostgreSQL's OIDs for the built-in types, and the
 *                          new ones: UNKNOWNOID, RECORDOID, TIDOID, REGCLASSOID,
 *                          VOIDOID, JSONOID, JSONBOID, ANYELEMENTOID, ... and
 *                          the array types (INT4ARRAYOID, TEXTARRAYOID, ...)
 *   arrayTypeOf(elemOid)   the array type of an element type, 0 if none
 *   elementTypeOf(arrOid)  the element type of an array type, 0 if not an array
 *   isArrayType(oid), isPolymorphicType(oid), typeCategory(oid), isPreferredType(oid)
 *   formatType(oid, typmod)  format_type(): "integer", "character varying(5)", "integer[]"
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
import { timetzType } from './timetz.ts';
import { numericType } from './numeric.ts';
import { bpcharType, nameType, textType, varcharType } from './text.ts';
import { timestampType, timestamptzType } from './timestamp.ts';
import { timeType } from './time.ts';
import { uuidType } from './uuid.ts';
import { makeArrayTypeInfo } from './array.ts';
import { jsonType, jsonbType } from './jsonb.ts';
import { PSEUDO_TYPES, regclassType, regtypeType, setRegtypeHooks, tidType, unknownType, voidType } from './pseudotypes.ts';
import { isValidNumericTypmod, numericTypmodPrecision, numericTypmodScale } from './numeric.ts';
import { recordType, setRecordTypeLookup } from './rowtypes.ts';
import { setArrayTypeLookup } from '../../nodes/nodeFuncs.ts';
import { CATALOG_ONLY_TYPES } from '../../catalog/catalogtypes.ts';
import { pgLsnType, pgSnapshotType } from './pg_lsn.ts';

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
export const TIMEOID = 1083;
export const TIMESTAMPOID = 1114;
export const TIMESTAMPTZOID = 1184;
export const INTERVALOID = 1186;
export const NUMERICOID = 1700;
export const UUIDOID = 2950;
export const TIDOID = 27;
export const JSONOID = 114;
export const UNKNOWNOID = 705;
export const REGCLASSOID = 2205;
export const REGTYPEOID = 2206;
export const RECORDOID = 2249;
export const CSTRINGOID = 2275;
export const ANYOID = 2276;
export const ANYARRAYOID = 2277;
export const VOIDOID = 2278;
export const INTERNALOID = 2281;
export const ANYELEMENTOID = 2283;
export const ANYNONARRAYOID = 2776;
export const JSONBOID = 3802;
export const ANYCOMPATIBLEOID = 5077;
export const ANYCOMPATIBLEARRAYOID = 5078;
export const ANYCOMPATIBLENONARRAYOID = 5079;

export const BOOLARRAYOID = 1000;
export const INT2ARRAYOID = 1005;
export const INT4ARRAYOID = 1007;
export const TEXTARRAYOID = 1009;
export const INT8ARRAYOID = 1016;
export const FLOAT8ARRAYOID = 1022;
export const NUMERICARRAYOID = 1231;
export const RECORDARRAYOID = 2287;

/**
 * "char" (18), the one-byte type of catalog columns such as pg_class.relkind:
 * catalog/catalogtypes.ts defines it (PostgreSQL's bytes); registered here so
 * SQL can compare and print it (relkind = 'r').
 */
const charType = CATALOG_ONLY_TYPES.find((t) => t.oid === 18) as TypeInfo;
/**
 * xid (28), likewise catalogtypes.ts's: registered so pg_locks.transactionid
 * and pg_stat_activity.backend_xid can be compared and printed (the
 * lock-monitoring queries join pg_locks on every column).
 */
const xidType = CATALOG_ONLY_TYPES.find((t) => t.oid === 28) as TypeInfo;
/** cid (29), catalogtypes.ts's too: the type of the system columns cmin and cmax (an unsigned 32-bit number). */
const cidType = CATALOG_ONLY_TYPES.find((t) => t.oid === 29) as TypeInfo;

/** Base types with their array type's OID (pg_type.typarray), PostgreSQL's numbers. */
const BASE: readonly [TypeInfo, number][] = [
  [charType, 1002], [xidType, 1011], [cidType, 1012],
  [boolType, 1000], [byteaType, 1001], [nameType, 1003], [int8Type, 1016], [int2Type, 1005],
  [int4Type, 1007], [textType, 1009], [oidType, 1028], [tidType, 1010], [jsonType, 199],
  [float4Type, 1021], [float8Type, 1022], [bpcharType, 1014], [varcharType, 1015],
  [dateType, 1182], [timeType, 1183], [timetzType, 1270], [timestampType, 1115], [timestamptzType, 1185], [intervalType, 1187],
  [numericType, 1231], [regclassType, 2210], [regtypeType, 2211], [uuidType, 2951], [jsonbType, 3807],
  // pg_lsn (WAL positions: pg_current_wal_lsn, pg_walinspect), pg_snapshot (pg_current_snapshot): pg_lsn.ts.
  [pgLsnType, 3221], [pgSnapshotType, 5039],
];

/** The preferred type of each category (pg_type.typispreferred), for operator and function resolution. */
const PREFERRED = new Set([BOOLOID, TEXTOID, OIDOID, FLOAT8OID, TIMESTAMPTZOID, INTERVALOID]);

function withCatalogFields(t: TypeInfo, typarray: number): TypeInfo {
  return { ...t, typispreferred: PREFERRED.has(t.oid), typtype: t.typtype ?? 'b', typelem: t.typelem ?? 0, typarray };
}

const ALL: readonly TypeInfo[] = [
  ...BASE.map(([t, arr]) => withCatalogFields(t, arr)),
  ...BASE.map(([t, arr]) => makeArrayTypeInfo(t, arr, '_' + t.name)),
  withCatalogFields(recordType, RECORDARRAYOID),
  // record[]: array_agg of row values, ARRAY[ROW(...)].
  makeArrayTypeInfo(withCatalogFields(recordType, RECORDARRAYOID), RECORDARRAYOID, '_record'),
  withCatalogFields(unknownType, 0),
  withCatalogFields(voidType, 0),
  ...PSEUDO_TYPES.map((t) => withCatalogFields(t, 0)),
];

export const TYPES: ReadonlyMap<number, TypeInfo> = new Map(ALL.map((t) => [t.oid, t]));

const ARRAY_OF: ReadonlyMap<number, number> = new Map([...BASE.map(([t, arr]) => [t.oid, arr] as [number, number]), [RECORDOID, RECORDARRAYOID]]);
const ELEMENT_OF: ReadonlyMap<number, number> = new Map([...ARRAY_OF].map(([e, a]) => [a, e]));

/** The array type whose elements are elemOid (int4 -> _int4 1007), 0 if there is none. */
export const arrayTypeOf = (elemOid: number): number => ARRAY_OF.get(elemOid) ?? 0;
/** The element type of an array type (1007 -> 23), 0 if oid is not an array type. */
export const elementTypeOf = (arrayOid: number): number => ELEMENT_OF.get(arrayOid) ?? 0;
export const isArrayType = (oid: number): boolean => ELEMENT_OF.has(oid);

const POLYMORPHIC = new Set([
  ANYELEMENTOID, ANYARRAYOID, ANYNONARRAYOID, ANYCOMPATIBLEOID, ANYCOMPATIBLEARRAYOID, ANYCOMPATIBLENONARRAYOID,
]);
/** IsPolymorphicType: the pseudo-types a function can declare to take any type, resolved per call. */
export const isPolymorphicType = (oid: number): boolean => POLYMORPHIC.has(oid);

/** pg_type.typcategory, 'X' for unknown, '' for an OID with no type. */
export const typeCategory = (oid: number): string => TYPES.get(oid)?.typcategory ?? '';
export const isPreferredType = (oid: number): boolean => PREFERRED.has(oid);

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
  ['time without time zone', TIMEOID],
  ['time with time zone', 1266],
  ['timestamp with time zone', TIMESTAMPTZOID],
  ['decimal', NUMERICOID], ['dec', NUMERICOID],
  ['json', JSONOID], ['jsonb', JSONBOID],
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
  TIDOID, JSONOID, UNKNOWNOID, REGCLASSOID, RECORDOID, CSTRINGOID, ANYOID, ANYARRAYOID, VOIDOID, INTERNALOID,
  ANYELEMENTOID, ANYNONARRAYOID, JSONBOID, ANYCOMPATIBLEOID, ANYCOMPATIBLEARRAYOID, ANYCOMPATIBLENONARRAYOID,
  BOOLARRAYOID, INT2ARRAYOID, INT4ARRAYOID, TEXTARRAYOID, INT8ARRAYOID, FLOAT8ARRAYOID, NUMERICARRAYOID,
]) {
  if (TYPES.get(oid)?.oid !== oid) throw new Error(`types.ts: no type registered for OID ${oid}`);
}

setRecordTypeLookup(typeByOid);
setRegtypeHooks(formatType, (name) => typeByName(name)?.oid);
setArrayTypeLookup(arrayTypeOf);

/* ------------------------------------------------------------ format_type */

/** The SQL-standard spellings format_type uses instead of typnames. */
const SQL_NAMES: Record<number, string> = {
  16: 'boolean', 20: 'bigint', 21: 'smallint', 23: 'integer', 700: 'real', 701: 'double precision',
  1042: 'character', 1043: 'character varying', 1083: 'time without time zone', 1266: 'time with time zone', 1114: 'timestamp without time zone',
  1184: 'timestamp with time zone', 1700: 'numeric', 1186: 'interval', 2276: '"any"',
};

function typmodSuffix(oid: number, typmod: number): string {
  if (typmod < 0) return '';
  switch (oid) {
    case 1042:
    case 1043:
      return `(${typmod - 4})`;
    case 1700:
      if (!isValidNumericTypmod(typmod)) return '';
      return `(${numericTypmodPrecision(typmod)},${numericTypmodScale(typmod)})`;
    case 1083:
    case 1266:
    case 1114:
    case 1184:
    case 1186:
      return `(${typmod})`;
    default:
      return '';
  }
}

export function formatType(oid: number, typmod = -1): string {
  const t = typeByOid(oid);
  if (t === undefined) return '???';
  if (t.typelem !== undefined && t.typelem !== 0 && t.typcategory === 'A') return formatType(t.typelem, typmod) + '[]';
  const base = SQL_NAMES[oid] ?? t.name;
  const suffix = typmodSuffix(oid, typmod);
  if (suffix === '') return base;
  if (oid === 1114) return `timestamp${suffix} without time zone`;
  if (oid === 1083) return `time${suffix} without time zone`;
  if (oid === 1266) return `time${suffix} with time zone`;
  if (oid === 1184) return `timestamp${suffix} with time zone`;
  return base + suffix;
}
