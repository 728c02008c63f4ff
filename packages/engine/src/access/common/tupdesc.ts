/*
 * tupdesc.ts — tuple descriptors: the column list a tuple is read with.
 *
 * Exports: Attribute, ColumnDef, TupleDesc, createTupleDesc, alignBy,
 *          tupleDescAttrType
 *
 * A TupleDesc is PostgreSQL's TupleDescData with its pg_attribute rows
 * (Attribute) and, next to them, what the hot loops of heaptuple.ts need in
 * flat typed arrays, computed once here instead of on first use:
 *
 *   attlen       typlen of each attribute (-1 for varlena)
 *   attalignby   typalign as a byte count: 'c' 1, 's' 2, 'i' 4, 'd' 8
 *   attpackable  1 when a varlena attribute may use the 1-byte header
 *                (attstorage is not 'p'): ATT_IS_PACKABLE
 *   attcacheoff  offset of the attribute from the start of the data area
 *                whenever no earlier attribute is null, or -1 when that
 *                offset depends on the lengths of earlier varlenas
 *
 * PostgreSQL fills attcacheoff lazily while deforming, writing into the
 * shared descriptor; here a descriptor is immutable once made, so every
 * backend (worker) can build it from the catalog and read it without any
 * coordination. attcacheoff[i] >= 0 exactly when every attribute before i is
 * fixed-width; the first varlena also gets one when it starts on an
 * aligned offset, since then no form of its header moves it.
 */

import { MAX_HEAP_ATTRIBUTE_NUMBER } from '../../constants.ts';
import type { TypAlign, TypStorage, TypeInfo } from '../../utils/adt/datum.ts';
import { SQLSTATE, ereport, featureNotSupported, elog } from '../../utils/errors.ts';

/** One column as pg_attribute describes it. */
export interface Attribute {
  readonly attname: string;
  readonly atttypid: number;
  /** Type modifier: varchar(n) length, numeric precision, ...; -1 when none. */
  readonly atttypmod: number;
  readonly attlen: number;
  readonly attbyval: boolean;
  readonly attalign: TypAlign;
  /** 'p' plain, 'e' external, 'm' main, 'x' extended (see README.md, "varlena forms"). */
  readonly attstorage: TypStorage;
  readonly attnotnull: boolean;
  /** 1-based position in the table. */
  readonly attnum: number;
}

/** What createTupleDesc needs to know about one column. */
export interface ColumnDef {
  name: string;
  type: TypeInfo;
  typmod?: number;
  notNull?: boolean;
  /** ALTER TABLE ... SET STORAGE; the type's typstorage when absent. */
  storage?: TypStorage;
}

export interface TupleDesc {
  readonly natts: number;
  readonly attrs: readonly Attribute[];
  /** The type of each attribute; index i is attribute number i + 1. */
  readonly types: readonly TypeInfo[];
  readonly attlen: Int16Array;
  readonly attalignby: Uint8Array;
  readonly attpackable: Uint8Array;
  readonly attcacheoff: Int32Array;
  /** Every attribute is fixed-width: in a tuple without nulls, every attcacheoff applies. */
  readonly fixedWidth: boolean;
  /** Every attribute is fixed-width and NOT NULL, so (missing trailing columns aside) tuples have no nulls. */
  readonly fixedNotNull: boolean;
  /** When fixedWidth: bytes of the data area of a tuple without nulls; otherwise -1. */
  readonly fixedDataLen: number;
}

/** Byte alignment of a typalign code. */
export function alignBy(align: TypAlign): number {
  switch (align) {
    case 'c':
      return 1;
    case 's':
      return 2;
    case 'i':
      return 4;
    case 'd':
      return 8;
  }
}

function checkType(name: string, type: TypeInfo): void {
  if (type.typlen > 0) {
    if (type.writeFixed === undefined || type.readFixed === undefined) {
      elog(`fixed-length type ${type.name} of column "${name}" lacks writeFixed/readFixed`);
    }
  } else if (type.typlen === -1) {
    if (type.toBytes === undefined || type.fromBytes === undefined) {
      elog(`varlena type ${type.name} of column "${name}" lacks toBytes/fromBytes`);
    }
  } else {
    featureNotSupported(`type ${type.name} with typlen ${type.typlen} in a table`);
  }
}

export function createTupleDesc(columns: readonly ColumnDef[]): TupleDesc {
  const natts = columns.length;
  if (natts > MAX_HEAP_ATTRIBUTE_NUMBER) {
    ereport(SQLSTATE.too_many_columns, `number of columns (${natts}) exceeds limit (${MAX_HEAP_ATTRIBUTE_NUMBER})`);
  }
  const attrs: Attribute[] = [];
  const types: TypeInfo[] = [];
  const attlen = new Int16Array(natts);
  const attalignby = new Uint8Array(natts);
  const attpackable = new Uint8Array(natts);
  const attcacheoff = new Int32Array(natts).fill(-1);
  let fixedWidth = true;
  let fixedNotNull = true;
  let off = 0;
  let cacheable = true;

  for (let i = 0; i < natts; i++) {
    const c = columns[i];
    checkType(c.name, c.type);
    const attr: Attribute = {
      attname: c.name,
      atttypid: c.type.oid,
      atttypmod: c.typmod ?? -1,
      attlen: c.type.typlen,
      attbyval: c.type.typbyval,
      attalign: c.type.typalign,
      attstorage: c.storage ?? c.type.typstorage,
      attnotnull: c.notNull ?? false,
      attnum: i + 1,
    };
    attrs.push(attr);
    types.push(c.type);
    const by = alignBy(attr.attalign);
    attlen[i] = attr.attlen;
    attalignby[i] = by;
    attpackable[i] = attr.attlen === -1 && attr.attstorage !== 'p' ? 1 : 0;
    if (attr.attlen < 0) fixedWidth = false;
    if (attr.attlen < 0 || !attr.attnotnull) fixedNotNull = false;

    if (cacheable) {
      const aligned = (off + by - 1) & -by;
      if (attr.attlen > 0) {
        attcacheoff[i] = aligned;
        off = aligned + attr.attlen;
      } else {
        if (aligned === off) attcacheoff[i] = off;
        cacheable = false;
      }
    }
  }
  const fixedDataLen = fixedWidth ? off : -1;
  return { natts, attrs, types, attlen, attalignby, attpackable, attcacheoff, fixedWidth, fixedNotNull, fixedDataLen };
}

/** The type of attribute attnum (1-based). */
export function tupleDescAttrType(desc: TupleDesc, attnum: number): TypeInfo {
  if (attnum < 1 || attnum > desc.natts) elog(`invalid attribute number ${attnum}`);
  return desc.types[attnum - 1];
}
