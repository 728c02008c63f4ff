/*
 * jsvalue.ts — JavaScript values in and out of the SQL layer, as DESIGN.md
 * section 6 lists them (the Database API's value forms).
 *
 * Exports: datumToJs(typeOid, datum), jsToDatum(value, typeOid),
 * bindParams(params, paramTypes) (the extended protocol's Bind).
 *
 *   SQL type                    JavaScript
 *   int2, int4, float4, float8  number
 *   int8                        bigint
 *   numeric                     string (exact digits)
 *   bool                        boolean
 *   text, varchar, bpchar, name, uuid   string
 *   bytea                       Uint8Array
 *   date, timestamp, timestamptz Date (date: midnight UTC; timestamp: its
 *                               wall-clock time read as UTC; infinities as
 *                               Date(±8.64e15) is not possible: they stay
 *                               the strings 'infinity' / '-infinity')
 *   json, jsonb                 the parsed value (JSON.parse of the text)
 *   arrays                      nested arrays of the element's form
 *   anything else (interval, tid, regclass, oid types, record)  its text form
 *
 * Parameters take the same kinds; a string is always accepted and goes
 * through the type's input function (exactly as a text parameter of the
 * extended protocol), so every type can be passed as text.
 */

import { PgError, SQLSTATE } from '../utils/errors.ts';
import { typeByOid, elementTypeOf } from '../utils/adt/types.ts';
import { ArrayValue } from '../utils/adt/array.ts';

const UNKNOWNOID = 705;
const TEXTOID = 25;
const POSTGRES_EPOCH_MS = 946_684_800_000;
const MS_PER_DAY = 86_400_000;
const DATE_INFINITY = 2147483647;
const DATE_NEG_INFINITY = -2147483648;
const TS_INFINITY = 9223372036854775807n;
const TS_NEG_INFINITY = -9223372036854775808n;

function textOf(typeOid: number, v: unknown): string {
  const t = typeByOid(typeOid);
  return t === undefined ? String(v) : t.output(v as never);
}

/** A result Datum as the JavaScript value Database.query returns. */
export function datumToJs(typeOid: number, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (typeOid) {
    case 16: case 17: case 20: case 21: case 23: case 700: case 701: case 1700:
    case 25: case 1042: case 1043: case 19: case 2950:
      return v;
    case 26:
      return v;
    case 1082: {
      const d = v as number;
      if (d === DATE_INFINITY) return 'infinity';
      if (d === DATE_NEG_INFINITY) return '-infinity';
      return new Date(POSTGRES_EPOCH_MS + d * MS_PER_DAY);
    }
    case 1114: case 1184: {
      const ts = v as bigint;
      if (ts === TS_INFINITY) return 'infinity';
      if (ts === TS_NEG_INFINITY) return '-infinity';
      const ms = Number(ts / 1000n) - (ts < 0n && ts % 1000n !== 0n ? 1 : 0);
      return new Date(POSTGRES_EPOCH_MS + ms);
    }
    case 114: case 3802:
      return JSON.parse(textOf(typeOid, v));
    default:
      break;
  }
  if (v instanceof ArrayValue) {
    const elem = elementTypeOf(typeOid) || v.elemtype;
    return arrayToJs(v, elem);
  }
  return textOf(typeOid, v);
}

function arrayToJs(a: ArrayValue, elemOid: number): unknown[] {
  if (a.dims.length === 0) return [];
  let pos = 0;
  const build = (dim: number): unknown[] => {
    const n = a.dims[dim];
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      out[i] = dim + 1 < a.dims.length ? build(dim + 1) : datumToJs(elemOid, a.elements[pos++]);
    }
    return out;
  };
  return build(0);
}

function invalidParam(typeOid: number, v: unknown): never {
  const t = typeByOid(typeOid);
  throw new PgError(SQLSTATE.invalid_parameter_value,
    `cannot convert a JavaScript ${typeof v} to type ${t?.name ?? String(typeOid)}`);
}

/** A literal of PostgreSQL's array syntax for a JS array (elements through their text form). */
function arrayLiteral(v: readonly unknown[], elemOid: number): string {
  const parts = v.map((e) => {
    if (e === null || e === undefined) return 'NULL';
    if (Array.isArray(e)) return arrayLiteral(e, elemOid);
    const s = paramText(e, elemOid);
    return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
  });
  return '{' + parts.join(',') + '}';
}

/** The text form of a JS parameter value for a type (what node-postgres would send). */
function paramText(v: unknown, typeOid: number): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) invalidParam(typeOid, v);
    if (typeOid === 1082) return v.toISOString().slice(0, 10);
    if (typeOid === 1114) return v.toISOString().replace('T', ' ').replace('Z', '');
    return v.toISOString();
  }
  if (v instanceof Uint8Array) {
    let hex = '\\x';
    for (const b of v) hex += b.toString(16).padStart(2, '0');
    return hex;
  }
  if (Array.isArray(v) && typeOid !== 114 && typeOid !== 3802) return arrayLiteral(v, elementTypeOf(typeOid) || 25);
  if (typeof v === 'object') {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  }
  return invalidParam(typeOid, v);
}

/**
 * A JS parameter value as a Datum of the parameter's type. Fast paths for
 * the common exact matches; everything else goes through the type's input
 * function, so errors are PostgreSQL's (22P02 invalid input syntax, ...).
 */
export function jsToDatum(v: unknown, typeOid: number): unknown {
  if (v === null || v === undefined) return null;
  switch (typeOid) {
    case 23:
      if (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
      break;
    case 20:
      if (typeof v === 'bigint' && v >= TS_NEG_INFINITY && v <= TS_INFINITY) return v;
      if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
      break;
    case 701:
      if (typeof v === 'number') return v;
      break;
    case 25: case 1043:
      if (typeof v === 'string') return v;
      break;
    case 16:
      if (typeof v === 'boolean') return v;
      break;
    case 17:
      if (v instanceof Uint8Array) return v.slice();
      break;
    case 1184:
      if (v instanceof Date && !Number.isNaN(v.getTime())) return BigInt(v.getTime() - POSTGRES_EPOCH_MS) * 1000n;
      break;
    default:
      break;
  }
  const t = typeByOid(typeOid);
  if (t === undefined) return paramText(v, typeOid);
  return t.input(paramText(v, typeOid), -1);
}

/**
 * Bind: the client's JS values converted to the parameter types the
 * analyzer settled on (unresolved ones as text). `params` null is the
 * simple protocol, which has no parameters (parse_analyze_fixedparams with none).
 */
export function bindParams(params: readonly unknown[] | null, paramTypes: readonly number[]): unknown[] {
  if (params === null) {
    if (paramTypes.length > 0) throw new PgError('42P02', 'there is no parameter $1');
    return [];
  }
  if (paramTypes.length !== params.length) {
    throw new PgError('08P01', `bind message supplies ${params.length} parameters, but prepared statement "" requires ${paramTypes.length}`);
  }
  return params.map((v, i) => jsToDatum(v, paramTypes[i] === 0 || paramTypes[i] === UNKNOWNOID ? TEXTOID : paramTypes[i]));
}
