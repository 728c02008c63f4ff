/*
 * pgdiff.testutil.ts — helpers for the differential tests (*.pglite.test.ts)
 * that run the same input through PostgreSQL (PGlite) and through this
 * folder's code and compare the text, or the SQLSTATE and message.
 *
 * Every outcome is rendered as one string, "OK <text>" or
 * "ERR <sqlstate> <message>[ | <detail>]", so a mismatch prints as a
 * readable pair.
 */

import { PGlite } from '@electric-sql/pglite';
import { isPgError } from '../errors.ts';

/** Our OIDs whose values PGlite should hand back as PostgreSQL's text, unparsed. */
const RAW_OIDS = [16, 17, 19, 20, 21, 23, 25, 26, 700, 701, 1042, 1043, 1082, 1114, 1184, 1186, 1700, 2950];
const RAW: Record<number, (v: string) => string> = Object.fromEntries(RAW_OIDS.map((oid) => [oid, (v: string) => v]));

export async function startPostgres(): Promise<PGlite> {
  const db = await PGlite.create();
  await db.exec("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1");
  return db;
}

function describeError(e: unknown): string {
  if (isPgError(e)) return `ERR ${e.code} ${e.message}${e.detail !== undefined ? ' | ' + e.detail : ''}`;
  if (typeof e === 'object' && e !== null && 'code' in e && 'message' in e) {
    const err = e as { code: unknown; message: unknown; detail?: unknown };
    const detail = typeof err.detail === 'string' && err.detail !== '' ? ' | ' + err.detail : '';
    return `ERR ${String(err.code)} ${String(err.message)}${detail}`;
  }
  return `THROW ${String(e)}`;
}

/** One value (first column of the first row) of a query, as text. NULL is "OK <null>". */
export async function pgValue(db: PGlite, sql: string, params: unknown[] = []): Promise<string> {
  try {
    const r = await db.query<unknown[]>(sql, params, { rowMode: 'array', parsers: RAW });
    const v = r.rows[0]?.[0];
    return v === null || v === undefined ? 'OK <null>' : `OK ${String(v)}`;
  } catch (e) {
    return describeError(e);
  }
}

/** The same rendering for our side. */
export function ourValue(fn: () => string | null): string {
  try {
    const v = fn();
    return v === null ? 'OK <null>' : `OK ${v}`;
  } catch (e) {
    return describeError(e);
  }
}

export interface Mismatch {
  input: string;
  postgres: string;
  ours: string;
}

/** Runs every case through both sides; returns the ones that differ. */
export async function compareAll<T>(
  cases: readonly T[],
  label: (c: T) => string,
  postgres: (c: T) => Promise<string>,
  ours: (c: T) => string,
): Promise<Mismatch[]> {
  const out: Mismatch[] = [];
  for (const c of cases) {
    const p = await postgres(c);
    const o = ours(c);
    if (p !== o) out.push({ input: label(c), postgres: p, ours: o });
  }
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32), so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
