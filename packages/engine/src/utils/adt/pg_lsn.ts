/*
 * pg_lsn.ts — the pg_lsn type (a WAL position, PostgreSQL's utils/adt/pg_lsn.c)
 * and the pg_snapshot type (a transaction snapshot as text,
 * utils/adt/xid8funcs.c).
 *
 * Exports: pgLsnType (OID 3220), pgSnapshotType (OID 5038), lsnIn, lsnOut,
 * pgSnapshotOut.
 *
 * pg_lsn's value is a bigint (a WAL position is 64 bits; the engine's
 * XLogRecPtr is a number below 2^53, which converts exactly). Text form:
 * the high and the low 32 bits in upper-case hex, "0/16B3748". Comparison
 * operators come from PostgreSQL's pg_operator rows through genfmgrtab
 * (generic comparison on this type's compare).
 *
 * pg_snapshot's value is its canonical text "xmin:xmax:xip1,xip2" (full
 * transaction ids, xip ascending and without duplicates, as
 * pg_snapshot_out prints them). Input checks PostgreSQL's rules: xmin <=
 * xmax, each xip in [xmin, xmax) and ascending.
 */

import type { TypeInfo } from './datum.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { asString } from './datumutils.ts';

const MAX_U64 = (1n << 64n) - 1n;

function lsnSyntax(text: string): never {
  return ereport(SQLSTATE.invalid_text_representation, `invalid input syntax for type pg_lsn: "${text}"`);
}

/** pg_lsn_in: "%X/%X", each half 1 to 8 hex digits, nothing around them. */
export function lsnIn(text: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (m === null) return lsnSyntax(text);
  return (BigInt('0x' + m[1]) << 32n) | BigInt('0x' + m[2]);
}

/** pg_lsn_out for a bigint or a number (the engine's XLogRecPtr). */
export function lsnOut(lsn: bigint | number): string {
  const v = typeof lsn === 'bigint' ? lsn : BigInt(lsn);
  return `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase()}`;
}

const asLsn = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));

export const pgLsnType: TypeInfo = {
  oid: 3220,
  name: 'pg_lsn',
  typlen: 8,
  typbyval: true,
  typalign: 'd',
  typstorage: 'p',
  typcategory: 'U',
  input: (text) => lsnIn(text),
  output: (v) => lsnOut(asLsn(v)),
  writeFixed: (view, off, v) => view.setBigUint64(off, asLsn(v) & MAX_U64, true),
  readFixed: (view, off) => view.getBigUint64(off, true),
  compare: (a, b) => {
    const x = asLsn(a);
    const y = asLsn(b);
    return x < y ? -1 : x > y ? 1 : 0;
  },
};

/** pg_snapshot_out of the parts: xip sorted and de-duplicated. */
export function pgSnapshotOut(xmin: bigint | number, xmax: bigint | number, xip: readonly (bigint | number)[]): string {
  const sorted = [...new Set(xip.map((x) => BigInt(x)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `${xmin}:${xmax}:${sorted.join(',')}`;
}

function pgSnapshotIn(text: string): string {
  const bad = (): never => ereport(SQLSTATE.invalid_text_representation, `invalid input syntax for type pg_snapshot: "${text}"`);
  const m = /^(\d+):(\d+):((?:\d+(?:,\d+)*)?)$/.exec(text);
  if (m === null) return bad();
  const xmin = BigInt(m[1]);
  const xmax = BigInt(m[2]);
  if (xmin === 0n || xmax === 0n || xmin > xmax || xmax > MAX_U64) return bad();
  const xip = m[3] === '' ? [] : m[3].split(',').map((s) => BigInt(s));
  let last = 0n;
  for (const x of xip) {
    if (x < xmin || x >= xmax || x < last) return bad();
    last = x;
  }
  return pgSnapshotOut(xmin, xmax, xip);
}

export const pgSnapshotType: TypeInfo = {
  oid: 5038,
  name: 'pg_snapshot',
  typlen: -1,
  typbyval: false,
  typalign: 'd',
  typstorage: 'x',
  typcategory: 'U',
  input: (text) => pgSnapshotIn(text),
  output: (v) => asString(v),
  toBytes: (v) => new TextEncoder().encode(asString(v)),
  fromBytes: (bytes) => new TextDecoder().decode(bytes),
  compare: (a, b) => (asString(a) < asString(b) ? -1 : asString(a) > asString(b) ? 1 : 0),
};
