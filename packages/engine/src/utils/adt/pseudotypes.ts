/*
 * pseudotypes.ts — the types that are not stored data types, and the small
 * system types the SQL layer needs: unknown (an untyped literal), void,
 * the polymorphic pseudo-types (anyelement, anyarray, anycompatible, ...),
 * tid (a row's physical address, ctid) and regclass (a relation's OID that
 * prints as its name). PostgreSQL's pseudotypes.c, tid.c and regproc.c.
 *
 * Exports:
 *   unknownType, voidType, tidType, regclassType, PSEUDO_TYPES
 *   tidIn(text) / tidOut(tid)
 *   setRegclassResolver(ctx)   the backend's name <-> OID lookups for
 *                              regclass text I/O (FunctionCallContext's
 *                              regclassIn/regclassOut); without one, names
 *                              raise 0A000 and output prints the OID
 *
 * regclass input runs the catalog lookup at analysis time, as PostgreSQL's
 * regclassin does when it coerces the literal in `'t'::regclass`; tcop sets
 * the resolver for the session before it runs statements.
 */

import type { TypeInfo } from './datum.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { asNumber, asString, invalidSyntax } from './datumutils.ts';
import { oidin } from './int.ts';
import { compareCodePoints, utf8Decode, utf8Encode, verifyText } from './text.ts';
import { makeTid, tidBlock, tidOffset } from '../../access/common/itemptr.ts';

const cmpNum = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/** unknown (705): a string literal whose type context has not decided yet. Stored like text. */
export const unknownType: TypeInfo = {
  oid: 705,
  name: 'unknown',
  typlen: -1,
  typbyval: false,
  typalign: 'c',
  typstorage: 'p',
  typcategory: 'X',
  typtype: 'p',
  input: (text) => verifyText(text),
  output: (v) => asString(v),
  toBytes: (v) => utf8Encode(asString(v)),
  fromBytes: (bytes) => utf8Decode(bytes),
  compare: (a, b) => compareCodePoints(asString(a), asString(b)),
};

/** void (2278): the result of a function that returns nothing; prints as the empty string. */
export const voidType: TypeInfo = {
  oid: 2278,
  name: 'void',
  typlen: 4,
  typbyval: true,
  typalign: 'i',
  typstorage: 'p',
  typcategory: 'P',
  typtype: 'p',
  input: () => '',
  output: () => '',
  compare: () => 0,
};

function pseudo(oid: number, name: string): TypeInfo {
  const refuse = (what: string): never =>
    ereport(SQLSTATE.feature_not_supported, `cannot ${what} a value of type ${name}`);
  return {
    oid,
    name,
    typlen: 4,
    typbyval: true,
    typalign: 'i',
    typstorage: 'p',
    typcategory: 'P',
    typtype: 'p',
    input: () => refuse('accept'),
    output: () => refuse('display'),
    compare: () => refuse('compare'),
  };
}

/** The polymorphic and other pseudo-types (pg_type.dat OIDs). */
export const PSEUDO_TYPES: readonly TypeInfo[] = [
  pseudo(2276, 'any'),
  pseudo(2277, 'anyarray'),
  pseudo(2283, 'anyelement'),
  pseudo(2776, 'anynonarray'),
  pseudo(5077, 'anycompatible'),
  pseudo(5078, 'anycompatiblearray'),
  pseudo(5079, 'anycompatiblenonarray'),
  pseudo(2281, 'internal'),
  pseudo(2275, 'cstring'),
];

/* ------------------------------------------------------------------- tid */

/** tidin: `(block,offset)`, block 0 .. 2^32-1 and offset 0 .. 65535. */
export function tidIn(text: string): number {
  const m = /^\s*\(\s*([^,()]*?)\s*,\s*([^,()]*?)\s*\)\s*$/.exec(text);
  if (m === null || !/^\d+$/.test(m[1]) || !/^\d+$/.test(m[2])) return invalidSyntax('tid', text);
  const block = Number(m[1]);
  const offset = Number(m[2]);
  if (block > 0xffffffff || offset > 0xffff) return invalidSyntax('tid', text);
  return makeTid(block, offset);
}

export const tidOut = (tid: number): string => `(${tidBlock(tid)},${tidOffset(tid)})`;

export const tidType: TypeInfo = {
  oid: 27,
  name: 'tid',
  typlen: 6,
  typbyval: false,
  typalign: 's',
  typstorage: 'p',
  typcategory: 'U',
  input: (text) => tidIn(text),
  output: (v) => tidOut(asNumber(v)),
  writeFixed: (view, off, v) => {
    const tid = asNumber(v);
    const block = tidBlock(tid);
    view.setUint16(off, block >>> 16, true);
    view.setUint16(off + 2, block & 0xffff, true);
    view.setUint16(off + 4, tidOffset(tid), true);
  },
  readFixed: (view, off) => makeTid(view.getUint16(off, true) * 65536 + view.getUint16(off + 2, true), view.getUint16(off + 4, true)),
  compare: (a, b) => cmpNum(asNumber(a), asNumber(b)),
};

/* -------------------------------------------------------------- regclass */

export interface RegclassResolver {
  regclassIn(name: string): number;
  regclassOut(oid: number): string;
}

let resolver: RegclassResolver | null = null;

/** Installs (or with null removes) the session's relation name lookups for regclass I/O. */
export function setRegclassResolver(r: RegclassResolver | null): void {
  resolver = r;
}

/** regclassin: an OID in digits, or a (possibly qualified) relation name looked up along search_path. */
export function regclassIn(text: string): number {
  if (/^\s*\d+\s*$/.test(text)) return oidin(text);
  if (text.trim() === '-') return 0;
  if (resolver === null) {
    return ereport(SQLSTATE.feature_not_supported, 'regclass input of a relation name needs a database session');
  }
  return resolver.regclassIn(text);
}

/** regclassout: the relation's name, or the OID when it names no relation ("-" for 0). */
export function regclassOut(oid: number): string {
  if (oid === 0) return '-';
  return resolver === null ? String(oid) : resolver.regclassOut(oid);
}

export const regclassType: TypeInfo = {
  oid: 2205,
  name: 'regclass',
  typlen: 4,
  typbyval: true,
  typalign: 'i',
  typstorage: 'p',
  typcategory: 'N',
  input: (text) => regclassIn(text),
  output: (v) => regclassOut(asNumber(v)),
  writeFixed: (view, off, v) => view.setUint32(off, asNumber(v), true),
  readFixed: (view, off) => view.getUint32(off, true),
  compare: (a, b) => cmpNum(asNumber(a), asNumber(b)),
};

/* --------------------------------------------------------------- regtype */

let formatTypeHook: (oid: number) => string = String;
let typeByNameHook: (name: string) => number | undefined = () => undefined;
/** types.ts installs format_type and the name lookup (it imports this file, so this file cannot import it). */
export function setRegtypeHooks(format: (oid: number) => string, byName: (name: string) => number | undefined): void {
  formatTypeHook = format;
  typeByNameHook = byName;
}

/** regtype (2206): a type's OID that prints as format_type's name (pg_typeof's result). */
export const regtypeType: TypeInfo = {
  oid: 2206,
  name: 'regtype',
  typlen: 4,
  typbyval: true,
  typalign: 'i',
  typstorage: 'p',
  typcategory: 'N',
  input: (text) => {
    if (/^\s*\d+\s*$/.test(text)) return oidin(text);
    const t = typeByNameHook(text);
    if (t === undefined) return ereport(SQLSTATE.undefined_object, `type "${text.trim()}" does not exist`);
    return t;
  },
  output: (v) => formatTypeHook(asNumber(v)),
  writeFixed: (view, off, v) => view.setUint32(off, asNumber(v), true),
  readFixed: (view, off) => view.getUint32(off, true),
  compare: (a, b) => cmpNum(asNumber(a), asNumber(b)),
};
