/*
 * testtypes.ts — small stand-ins for the real types of utils/adt, used only
 * by the tests and the micro-benchmark of this folder, so that they do not
 * depend on the data-type code. Each has PostgreSQL's oid, typlen, typalign
 * and typstorage, which is all the tuple code looks at.
 */

import type { Datum, TypAlign, TypStorage, TypeInfo } from '../../utils/adt/datum.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function cmp(a: Datum, b: Datum): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Base {
  oid: number;
  name: string;
  typlen: number;
  typbyval: boolean;
  typalign: TypAlign;
  typstorage: TypStorage;
  typcategory: string;
}

function fixed(
  base: Base,
  writeFixed: (v: DataView, o: number, x: Datum) => void,
  readFixed: (v: DataView, o: number) => Datum,
): TypeInfo {
  return {
    ...base,
    input: (t) => t,
    output: (v) => String(v),
    writeFixed,
    readFixed,
    compare: cmp,
  };
}

function varlena(base: Base, toBytes: (v: Datum) => Uint8Array, fromBytes: (b: Uint8Array) => Datum): TypeInfo {
  return { ...base, input: (t) => t, output: (v) => String(v), toBytes, fromBytes, compare: cmp };
}

export const boolType = fixed(
  { oid: 16, name: 'bool', typlen: 1, typbyval: true, typalign: 'c', typstorage: 'p', typcategory: 'B' },
  (v, o, x) => v.setUint8(o, x === true ? 1 : 0),
  (v, o) => v.getUint8(o) !== 0,
);

export const int2Type = fixed(
  { oid: 21, name: 'int2', typlen: 2, typbyval: true, typalign: 's', typstorage: 'p', typcategory: 'N' },
  (v, o, x) => v.setInt16(o, x as number, true),
  (v, o) => v.getInt16(o, true),
);

export const int4Type = fixed(
  { oid: 23, name: 'int4', typlen: 4, typbyval: true, typalign: 'i', typstorage: 'p', typcategory: 'N' },
  (v, o, x) => v.setInt32(o, x as number, true),
  (v, o) => v.getInt32(o, true),
);

export const int8Type = fixed(
  { oid: 20, name: 'int8', typlen: 8, typbyval: true, typalign: 'd', typstorage: 'p', typcategory: 'N' },
  (v, o, x) => v.setBigInt64(o, x as bigint, true),
  (v, o) => v.getBigInt64(o, true),
);

export const float8Type = fixed(
  { oid: 701, name: 'float8', typlen: 8, typbyval: true, typalign: 'd', typstorage: 'p', typcategory: 'N' },
  (v, o, x) => v.setFloat64(o, x as number, true),
  (v, o) => v.getFloat64(o, true),
);

/** name: 64 bytes, NUL-padded, pass by reference, char-aligned. */
export const nameType = fixed(
  { oid: 19, name: 'name', typlen: 64, typbyval: false, typalign: 'c', typstorage: 'p', typcategory: 'S' },
  (v, o, x) => {
    const b = encoder.encode(x as string);
    for (let k = 0; k < 64; k++) v.setUint8(o + k, k < b.length && k < 63 ? b[k] : 0);
  },
  (v, o) => {
    let n = 0;
    while (n < 63 && v.getUint8(o + n) !== 0) n++;
    return decoder.decode(new Uint8Array(v.buffer, v.byteOffset + o, n).slice());
  },
);

export const textType = varlena(
  { oid: 25, name: 'text', typlen: -1, typbyval: false, typalign: 'i', typstorage: 'x', typcategory: 'S' },
  (x) => encoder.encode(x as string),
  (b) => decoder.decode(b),
);

export const byteaType = varlena(
  { oid: 17, name: 'bytea', typlen: -1, typbyval: false, typalign: 'i', typstorage: 'x', typcategory: 'U' },
  (x) => x as Uint8Array,
  (b) => b.slice(),
);

/** A varlena with plain storage (like oidvector): never uses the 1-byte header. */
export const plainVarlenaType = varlena(
  { oid: 30, name: 'oidvector', typlen: -1, typbyval: false, typalign: 'i', typstorage: 'p', typcategory: 'A' },
  (x) => x as Uint8Array,
  (b) => b.slice(),
);

/** A double-aligned varlena (like float8[]): a 4-byte header goes on an 8-byte boundary. */
export const doubleAlignedVarlenaType = varlena(
  { oid: 1022, name: '_float8', typlen: -1, typbyval: false, typalign: 'd', typstorage: 'x', typcategory: 'A' },
  (x) => x as Uint8Array,
  (b) => b.slice(),
);
