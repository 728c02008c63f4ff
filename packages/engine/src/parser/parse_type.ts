/*
 * parse_type.ts — type names to type OIDs and typmods (PostgreSQL's
 * parse_type.c and the typmodin functions of the built-in types), and
 * type names for messages (format_type).
 *
 * Exports:
 *   typenameTypeIdAndMod(typeName)      {typeOid, typmod}; 42704 `type "x" does not exist`
 *   typenameTypeId(typeName)            the OID only
 *   typmodIn(typeOid, typmods, typeName)  a typmod from `varchar(5)`, `numeric(10,2)`, `timestamp(3)`
 *   formatTypeWithTypmod(oid, typmod)   "character varying(5)", "integer[]", as format_type
 *
 * Built-in types live in pg_catalog; a qualified name in another schema, or
 * an unknown name, does not exist (there are no user-defined types yet).
 * Errors carry no position: the analyzer adds the TypeName's location.
 */

import type { TypeName, Node } from './primnodes.ts';
import type { ResolvedType } from '../utils/rel.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import { arrayTypeOf, formatType, typeByName, typeByOid } from '../utils/adt/types.ts';
import { makeNumericTypmod } from '../utils/adt/numeric.ts';

const VARHDRSZ = 4;
/** PostgreSQL's MaxAttrSize / 1MB limit on varchar(n) and char(n). */
const MAX_CHAR_LENGTH = 10485760;
const MAX_TIMESTAMP_PRECISION = 6;
const MAX_INTERVAL_PRECISION = 6;
/** INTERVAL_FULL_RANGE and INTERVAL_FULL_PRECISION of datetime.h. */
const INTERVAL_FULL_RANGE = 0x7fff;
const INTERVAL_FULL_PRECISION = 0xffff;

function fail(code: string, message: string, location?: number): never {
  void location;
  throw new PgError(code, message);
}

export function formatTypeWithTypmod(oid: number, typmod: number): string {
  return formatType(oid, typmod);
}

function typmodInts(typeName: TypeName): number[] {
  return typeName.typmods.map((n: Node) => {
    if (n.type === 'A_Const' && n.val !== undefined && n.val.type === 'Integer') return n.val.ival;
    return fail('22023', 'type modifiers must be simple constants or identifiers');
  });
}

/** The typmodin of each type that takes modifiers; -1 when none are given. */
export function typmodIn(typeOid: number, typeName: TypeName): number {
  if (typeName.typmods.length === 0) return typeName.typemod ?? -1;
  const shown = formatType(typeOid);
  const mods = typmodInts(typeName);
  switch (typeOid) {
    case 1043:
    case 1042: {
      const label = typeOid === 1043 ? 'varchar' : 'char';
      if (mods.length !== 1) fail('22023', 'invalid type modifier');
      const n = mods[0];
      if (n < 1) fail('22023', `length for type ${label} must be at least 1`);
      if (n > MAX_CHAR_LENGTH) fail('22023', `length for type ${label} cannot exceed ${MAX_CHAR_LENGTH}`);
      return n + VARHDRSZ;
    }
    case 1700: {
      if (mods.length > 2) fail('22023', 'invalid NUMERIC type modifier');
      const p = mods[0];
      const s = mods[1] ?? 0;
      if (p < 1 || p > 1000) fail('22023', `NUMERIC precision ${p} must be between 1 and 1000`);
      if (s < -1000 || s > 1000) fail('22023', `NUMERIC scale ${s} must be between -1000 and 1000`);
      return makeNumericTypmod(p, s);
    }
    case 1114:
    case 1184:
    case 1083:
    case 1266: {
      if (mods.length !== 1) fail('22023', 'invalid type modifier');
      const label = typeOid === 1114 ? 'TIMESTAMP' : typeOid === 1083 ? 'TIME' : typeOid === 1266 ? 'TIME WITH TIME ZONE' : 'TIMESTAMP WITH TIME ZONE';
      const p = mods[0];
      if (p < 0) fail('22023', `${label}(${p}) precision must not be negative`);
      // PostgreSQL warns and reduces a larger precision to the maximum.
      return Math.min(p, MAX_TIMESTAMP_PRECISION);
    }
    case 1186: {
      // [range mask] or [range mask, precision] from the grammar's opt_interval.
      const range = mods[0] ?? INTERVAL_FULL_RANGE;
      let precision = mods.length > 1 ? mods[1] : INTERVAL_FULL_PRECISION;
      if (mods.length > 1) {
        if (precision < 0) fail('22023', `INTERVAL(${precision}) precision must not be negative`);
        precision = Math.min(precision, MAX_INTERVAL_PRECISION);
      }
      return ((range & 0x7fff) << 16) | (precision & 0xffff);
    }
    default:
      return fail('42601', `type modifier is not allowed for type "${typeByOid(typeOid)?.name ?? shown}"`);
  }
}

/** LookupTypeName + typenameTypeMod: the type a TypeName denotes. */
export function typenameTypeIdAndMod(typeName: TypeName): ResolvedType {
  if (typeName.pct_type) fail(SQLSTATE.feature_not_supported, '%TYPE references are not supported');
  if (typeName.setof) fail(SQLSTATE.feature_not_supported, 'SETOF type names are not supported here');
  let oid = typeName.typeOid !== 0 && typeName.typeOid !== undefined ? typeName.typeOid : 0;
  const names = typeName.names;
  const printable = names.join('.');
  if (oid === 0) {
    if (names.length > 3) fail('42601', `improper qualified name (too many dotted names): ${printable}`);
    const schema = names.length >= 2 ? names[names.length - 2] : null;
    const name = names[names.length - 1];
    const t = schema === null || schema === 'pg_catalog' ? lookupBuiltinTypeName(name) : undefined;
    if (t === undefined) fail(SQLSTATE.undefined_object, `type "${printable}" does not exist`, typeName.location);
    oid = t;
  }
  const typmod = typmodIn(oid, typeName);
  if (typeName.arrayBounds.length > 0) {
    const arr = arrayTypeOf(oid);
    if (arr === 0) fail(SQLSTATE.undefined_object, `could not find array type for data type ${formatType(oid)}`);
    return { typeOid: arr, typmod };
  }
  return { typeOid: oid, typmod };
}

export const typenameTypeId = (typeName: TypeName): number => typenameTypeIdAndMod(typeName).typeOid;

/** A type name as stored in pg_type (typname, "_int4" for arrays) or an SQL spelling; pseudo-types too. */
function lookupBuiltinTypeName(name: string): number | undefined {
  const t = typeByName(name);
  if (t !== undefined) return t.oid;
  if (name.startsWith('_')) {
    const elem = typeByName(name.slice(1));
    if (elem !== undefined) {
      const arr = arrayTypeOf(elem.oid);
      if (arr !== 0) return arr;
    }
  }
  return PSEUDO_NAMES.get(name);
}

const PSEUDO_NAMES: ReadonlyMap<string, number> = new Map([
  ['unknown', 705], ['record', 2249], ['void', 2278], ['anyelement', 2283], ['anyarray', 2277], ['anynonarray', 2776],
  ['anycompatible', 5077], ['anycompatiblearray', 5078], ['anycompatiblenonarray', 5079], ['any', 2276],
  ['internal', 2281], ['cstring', 2275], ['tid', 27], ['regclass', 2205], ['regtype', 2206],
]);
