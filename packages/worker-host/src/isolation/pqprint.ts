/*
 * pqprint.ts — a result set printed as isolationtester prints it: libpq's
 * PQprint with header, align and fieldSep "|" (fe-print.c).
 *
 *   id|v |note
 *   --+--+----
 *    1|a |
 *   -2|bb|x
 *   (2 rows)
 *   <empty line>
 *
 * A column is right-aligned when every non-empty value in it looks numeric
 * (only digits, '.', 'e', 'E', ' ', '-'; not starting with e/E; ending in a
 * digit); NULL and the empty string are printed as nothing and do not count.
 * Widths are in bytes (libpq's strlen), so a multibyte value is padded as
 * libpq pads it.
 *
 * Exports: printResultSet.
 */

import type { TextResult } from './driver.ts';

function looksNumeric(v: string): boolean {
  if (v[0] === 'e' || v[0] === 'E') return false;
  if (!/^[0-9.eE -]*$/.test(v)) return false;
  const last = v[v.length - 1];
  return last >= '0' && last <= '9';
}

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

function pad(s: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - byteLength(s)));
  return right ? fill + s : s + fill;
}

/** The text PQprint writes for one result set (nothing for a result with no columns). */
export function printResultSet(r: TextResult): string {
  const n = r.fields.length;
  if (n === 0) return '';
  const width = r.fields.map((f) => byteLength(f));
  const numeric = r.fields.map(() => true);
  for (const row of r.rows) {
    for (let j = 0; j < n; j++) {
      const v = row[j];
      if (v === null || v === '') continue;
      if (numeric[j] && !looksNumeric(v)) numeric[j] = false;
      width[j] = Math.max(width[j], byteLength(v));
    }
  }
  const lines: string[] = [];
  lines.push(r.fields.map((f, j) => pad(f, width[j], numeric[j])).join('|'));
  lines.push(width.map((w) => '-'.repeat(w)).join('+'));
  for (const row of r.rows) lines.push(row.map((v, j) => pad(v ?? '', width[j], numeric[j])).join('|'));
  lines.push(`(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`);
  lines.push('');
  return lines.join('\n') + '\n';
}
