/*
 * catalogtypes.ts — the few types only the system catalogs use, for as long
 * as utils/adt does not register them: "char" (18), int2vector (22),
 * regproc (24), xid (28), cid (29), oidvector (30), pg_node_tree (194) and
 * int2[] (1005).
 *
 * Exports:
 *   catalogOnlyType(oid)    the fallback TypeInfo (catalog/pg_type.ts's
 *                           catalogTypeByOid prefers utils/adt's)
 *   CATALOG_ONLY_TYPES      all fallbacks, for pg_type rows and for
 *                           utils/adt/types.ts to register
 *   CHAROID, INT2VECTOROID, REGPROCOID, XIDOID, CIDOID, OIDVECTOROID,
 *   PGNODETREEOID, INT2ARRAYOID
 *   intList(value)          a vector/array column's elements as numbers,
 *                           whatever the registered type's Datum form is
 *
 * The fallbacks store exactly PostgreSQL's bytes ("char" one byte; xid and
 * regproc four; the vectors in PostgreSQL's one-dimensional array layout),
 * so a data directory keeps working when utils/adt registers the real types
 * with PostgreSQL's layout. Their Datum form: "char" a one-character string
 * ('' for the zero byte), xid/regproc a number, vectors and int2[] a
 * number[], pg_node_tree a string.
 *
 * regproc prints as its OID number here (PostgreSQL prints the function's
 * name); utils/adt's regproc replaces this once it exists.
 *
 * This module must not import utils/adt/types.ts: types.ts imports
 * CATALOG_ONLY_TYPES from here while it loads, and a cycle would leave it
 * undefined at that moment.
 */

import type { Datum, TypeInfo } from '../utils/adt/datum.ts';
import { textType } from '../utils/adt/text.ts';
import { int2Type, oidType } from '../utils/adt/int.ts';
import { elog, ereport, SQLSTATE } from '../utils/errors.ts';

export const CHAROID = 18;
export const INT2VECTOROID = 22;
export const REGPROCOID = 24;
export const XIDOID = 28;
export const CIDOID = 29;
export const OIDVECTOROID = 30;
export const PGNODETREEOID = 194;
export const INT2ARRAYOID = 1005;

function charValue(v: Datum): string {
  return typeof v === 'string' ? v : String(v);
}

/** "char": one byte; PostgreSQL's charin keeps the first byte of its input. */
const charType: TypeInfo = {
  oid: CHAROID,
  name: 'char',
  typlen: 1,
  typbyval: true,
  typalign: 'c',
  typstorage: 'p',
  typcategory: 'Z',
  input: (text) => text.slice(0, 1),
  output: (v) => charValue(v),
  writeFixed: (view, off, v) => view.setUint8(off, charValue(v).length === 0 ? 0 : charValue(v).charCodeAt(0) & 0xff),
  readFixed: (view, off) => {
    const b = view.getUint8(off);
    return b === 0 ? '' : String.fromCharCode(b);
  },
  compare: (a, b) => {
    const x = charValue(a);
    const y = charValue(b);
    return x < y ? -1 : x > y ? 1 : 0;
  },
};

const xidType: TypeInfo = { ...oidType, oid: XIDOID, name: 'xid', typcategory: 'U' };
const cidType: TypeInfo = { ...oidType, oid: CIDOID, name: 'cid', typcategory: 'U' };
const regprocType: TypeInfo = { ...oidType, oid: REGPROCOID, name: 'regproc', typcategory: 'N' };
const nodeTreeType: TypeInfo = { ...textType, oid: PGNODETREEOID, name: 'pg_node_tree', typcategory: 'Z', typispreferred: false };

/*
 * One-dimensional array bytes, as PostgreSQL's ArrayType (after the varlena
 * header the tuple code writes):
 *
 *   0  ndim      int32  (0 for an empty array, else 1)
 *   4  dataoffset int32 (0: no null bitmap)
 *   8  elemtype  uint32
 *  12  dim       int32  (number of elements)
 *  16  lbound    int32  (0 for int2vector/oidvector, 1 for int2[])
 *  20  elements, each elemlen bytes, little-endian
 */
function vectorType(oid: number, name: string, elem: TypeInfo, lbound: number, textForm: 'vector' | 'array'): TypeInfo {
  const elemLen = elem.typlen;
  const asList = (v: Datum): number[] => intList(v);
  return {
    oid,
    name,
    typelem: elem.oid,
    typlen: -1,
    typbyval: false,
    typalign: 'i',
    typstorage: textForm === 'vector' ? 'p' : 'x',
    typcategory: 'A',
    input: (text) => {
      const body = textForm === 'vector' ? text.trim() : text.trim().replace(/^\{|\}$/g, '');
      if (body === '') return [] as unknown as Datum;
      return body.split(textForm === 'vector' ? /\s+/ : /\s*,\s*/).map((s) => elem.input(s, -1) as number) as unknown as Datum;
    },
    output: (v) => {
      const list = asList(v);
      return textForm === 'vector' ? list.join(' ') : `{${list.join(',')}}`;
    },
    toBytes: (v) => {
      const list = asList(v);
      const out = new Uint8Array(list.length === 0 ? 12 : 20 + list.length * elemLen);
      const dv = new DataView(out.buffer);
      dv.setInt32(0, list.length === 0 ? 0 : 1, true);
      dv.setInt32(4, 0, true);
      dv.setUint32(8, elem.oid, true);
      if (list.length > 0) {
        dv.setInt32(12, list.length, true);
        dv.setInt32(16, lbound, true);
        for (let i = 0; i < list.length; i++) {
          if (elemLen === 2) dv.setInt16(20 + i * 2, list[i], true);
          else dv.setUint32(20 + i * 4, list[i], true);
        }
      }
      return out;
    },
    fromBytes: (bytes) => {
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const ndim = dv.getInt32(0, true);
      if (ndim === 0) return [] as unknown as Datum;
      if (ndim !== 1 || dv.getInt32(4, true) !== 0) {
        ereport(SQLSTATE.data_corrupted, `${name} value has ${ndim} dimensions or nulls`);
      }
      const n = dv.getInt32(12, true);
      const list = new Array<number>(n);
      for (let i = 0; i < n; i++) list[i] = elemLen === 2 ? dv.getInt16(20 + i * 2, true) : dv.getUint32(20 + i * 4, true);
      return list as unknown as Datum;
    },
    compare: (a, b) => {
      const x = asList(a);
      const y = asList(b);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
      return x.length - y.length;
    },
  };
}

const FALLBACK: ReadonlyMap<number, TypeInfo> = new Map([
  [CHAROID, charType],
  [XIDOID, xidType],
  [CIDOID, cidType],
  [REGPROCOID, regprocType],
  [PGNODETREEOID, nodeTreeType],
  [INT2VECTOROID, vectorType(INT2VECTOROID, 'int2vector', int2Type, 0, 'vector')],
  [OIDVECTOROID, vectorType(OIDVECTOROID, 'oidvector', oidType, 0, 'vector')],
  [INT2ARRAYOID, vectorType(INT2ARRAYOID, '_int2', int2Type, 1, 'array')],
]);

/** The fallback TypeInfo of a catalog-only type, or undefined (catalog/pg_type.ts prefers utils/adt's). */
export function catalogOnlyType(oid: number): TypeInfo | undefined {
  return FALLBACK.get(oid);
}

/**
 * The elements of an int2vector / oidvector / int2[] value as numbers. The
 * fallback form is number[]; utils/adt's array form is accepted through its
 * `elements` (or `values`) list, so callers do not depend on which type
 * registered the OID.
 */
export function intList(v: unknown): number[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.map(Number);
  if (typeof v === 'object') {
    const o = v as { elements?: unknown; values?: unknown };
    const inner = o.elements ?? o.values;
    if (Array.isArray(inner)) return inner.map(Number);
  }
  return elog(`unexpected vector value ${String(v)}`);
}

/** The fallbacks, for pg_type rows of the types utils/adt does not register. */
export const CATALOG_ONLY_TYPES: readonly TypeInfo[] = [...FALLBACK.values()];
