/*
 * checksum.ts — the statement checksum every engine of the SQL benchmarks
 * reports, so that engines (and storage back ends) are seen to give the
 * same answers and none can skip work: for a query the sum of its first
 * column over the rows, for INSERT / UPDATE / DELETE the number of rows
 * affected, else 0.
 *
 * Exports: StatementKind, kindOf(sql), sumFirstColumn(rows, field).
 *
 * Shared by systems.ts (Node: tabgres, PGlite, sql.js) and the Chromium
 * speed page (packages/playground-ui/bench/speed_page.ts), so it imports
 * nothing.
 */

/** 0: a query, 1: a row-changing statement, 2: anything else. */
export type StatementKind = 0 | 1 | 2;
const DML = /^\s*(INSERT|UPDATE|DELETE)\b/i;
const QUERY = /^\s*(SELECT|WITH|VALUES)\b/i;
export const kindOf = (sql: string): StatementKind => (QUERY.test(sql) ? 0 : DML.test(sql) ? 1 : 2);

export function sumFirstColumn(rows: readonly Record<string, unknown>[], field: string | undefined): number {
  if (field === undefined) return 0;
  let s = 0;
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i][field];
    if (v !== null && v !== undefined) s += Number(v);
  }
  return s;
}
