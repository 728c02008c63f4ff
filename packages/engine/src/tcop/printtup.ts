/*
 * printtup.ts — a result value's text form (PostgreSQL's printtup.c, which
 * calls each column type's output function before a row goes to the
 * client). The CLI and the differential corpus print these; Database's
 * JavaScript values come from jsvalue.ts instead.
 *
 * Exports: datumToText(typeOid, value), rowToText(fields, row).
 */

import { typeByOid } from '../utils/adt/types.ts';

/** The type's output function applied to a Datum; null stays null (SQL NULL). */
export function datumToText(typeOid: number, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const t = typeByOid(typeOid);
  if (t === undefined) return String(value);
  return t.output(value as never);
}

export function rowToText(fields: readonly { typeOid: number }[], row: readonly unknown[]): (string | null)[] {
  const out = new Array<string | null>(row.length);
  for (let i = 0; i < row.length; i++) out[i] = datumToText(fields[i].typeOid, row[i]);
  return out;
}
