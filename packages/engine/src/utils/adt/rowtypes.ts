/*
 * rowtypes.ts — anonymous records (type record, 2249): the value of ROW(...)
 * and of a set-returning function's row with several columns
 * (jsonb_each). PostgreSQL's rowtypes.c; output only.
 *
 * Exports:
 *   RecordValue        the Datum: the field values and their type OIDs
 *   recordOut(r)       record_out's text: `(1,abc)`, `(,"a b")`
 *   recordType         the TypeInfo (input raises 0A000, as PostgreSQL's
 *                      record_in does for an anonymous record)
 *
 * Set-returning functions with OUT columns (jsonb_each's key, value) yield a
 * RecordValue per row; FROM-clause callers read `values` as the columns.
 */

import type { Datum, TypeInfo } from './datum.ts';
import { SQLSTATE, ereport, elog } from '../errors.ts';

const DATATYPE_MISMATCH = '42804';

/** Resolves field types for output; set by types.ts to break the import cycle. */
let typeLookup: (oid: number) => TypeInfo | undefined = () => undefined;
export function setRecordTypeLookup(fn: (oid: number) => TypeInfo | undefined): void {
  typeLookup = fn;
}

export class RecordValue {
  constructor(
    /** Field values; null is a NULL field. */
    readonly values: (Datum | null)[],
    /** The type OID of each field. */
    readonly types: number[],
    /** Field names (row_to_json's keys); an anonymous ROW(...) has f1, f2, ... */
    readonly names: readonly string[] | null = null,
  ) {}
}

/**
 * record_cmp / record_eq's order: field by field with each field type's
 * btree order, two NULLs equal and NULL above any value. Rows of
 * different shapes cannot be compared (42804), as in PostgreSQL.
 */
export function recordCompare(a: RecordValue, b: RecordValue): number {
  const n = Math.min(a.values.length, b.values.length);
  for (let i = 0; i < n; i++) {
    if (a.types[i] !== b.types[i]) {
      const ta = typeLookup(a.types[i]);
      const tb = typeLookup(b.types[i]);
      ereport(DATATYPE_MISMATCH, `cannot compare dissimilar column types ${ta?.name ?? a.types[i]} and ${tb?.name ?? b.types[i]} at record column ${i + 1}`);
    }
    const x = a.values[i];
    const y = b.values[i];
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const t = typeLookup(a.types[i]);
    if (t === undefined) elog(`record field of unknown type ${a.types[i]}`);
    const c = t.compare(x, y);
    if (c !== 0) return c;
  }
  if (a.values.length !== b.values.length) {
    ereport(DATATYPE_MISMATCH, 'cannot compare record types with different numbers of columns');
  }
  return 0;
}

export function asRecord(v: unknown): RecordValue {
  if (!(v instanceof RecordValue)) elog('expected a record datum');
  return v;
}

/** record_out quotes a field that is empty or holds a quote, backslash, parenthesis, comma or space. */
function quoteField(s: string): string {
  if (s.length > 0 && !/["\\(),\s]/.test(s)) return s;
  return '"' + s.replace(/["\\]/g, (m) => m + m) + '"';
}

export function recordOut(r: RecordValue): string {
  const parts: string[] = [];
  for (let i = 0; i < r.values.length; i++) {
    const v = r.values[i];
    if (v === null) {
      parts.push('');
      continue;
    }
    const t = typeLookup(r.types[i]);
    if (t === undefined) elog(`record field of unknown type ${r.types[i]}`);
    parts.push(quoteField(t.output(v)));
  }
  return '(' + parts.join(',') + ')';
}

export const recordType: TypeInfo = {
  oid: 2249,
  name: 'record',
  typlen: -1,
  typbyval: false,
  typalign: 'd',
  typstorage: 'x',
  typcategory: 'P',
  typtype: 'p',
  input: () => ereport(SQLSTATE.feature_not_supported, 'input of anonymous composite types is not implemented'),
  output: (v) => recordOut(asRecord(v)),
  compare: (a, b) => recordCompare(asRecord(a), asRecord(b)),
};
