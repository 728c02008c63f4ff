/*
 * Differential tests of parse analysis against PostgreSQL (PGlite).
 *
 * The schema of analyze.testutil.ts is created in PGlite.
 * 1. Every statement of testdata/analyze_errors.sql must fail there, and
 *    tabgres's analyzer + rewriter must fail with the same SQLSTATE, message
 *    and position (and the same HINT / DETAIL when PostgreSQL gives one).
 * 2. Every statement of testdata/analyze_valid.sql must succeed on both, and
 *    the result columns (SELECT list or RETURNING) must have the same names
 *    and type OIDs.
 */

import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgError } from '../utils/errors.ts';
import { parse } from './gram.ts';
import { parseAnalyze } from './analyze.ts';
import { queryRewrite } from '../rewrite/rewriteHandler.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { SCHEMA_SQL, TestCatalog } from './analyze.testutil.ts';

interface Outcome {
  code: string;
  message: string;
  position: number | undefined;
  hint?: string | undefined;
  detail?: string | undefined;
}

function load(file: string): string[] {
  const text = readFileSync(new URL(`testdata/${file}`, import.meta.url), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('--'));
}

function pgOutcome(e: unknown): Outcome {
  const f = e as { code?: unknown; message?: unknown; position?: unknown; hint?: unknown; detail?: unknown };
  if (typeof f.code !== 'string' || typeof f.message !== 'string') throw e;
  return {
    code: f.code,
    message: f.message,
    position: f.position === undefined ? undefined : Number(f.position),
    hint: typeof f.hint === 'string' ? f.hint : undefined,
    detail: typeof f.detail === 'string' ? f.detail : undefined,
  };
}

let db: PGlite;
const catalog = new TestCatalog();

beforeAll(async () => {
  db = await PGlite.create();
  for (const s of SCHEMA_SQL) await db.exec(s);
});
afterAll(async () => {
  await db.close();
});

function ours(sql: string): Outcome | null {
  try {
    for (const raw of parse(sql)) {
      const q = parseAnalyze(raw, { catalog, sourceText: sql, paramTypes: [] });
      queryRewrite(q, catalog);
    }
    return null;
  } catch (e) {
    if (!(e instanceof PgError)) throw e;
    return { code: e.code, message: e.message, position: e.position, hint: e.hint, detail: e.detail };
  }
}

describe('analysis errors match PostgreSQL', () => {
  it.each(load('analyze_errors.sql'))('%s', async (sql) => {
    let pg: Outcome | null = null;
    try {
      // Inside a transaction that is rolled back, so DML that PostgreSQL accepts changes nothing.
      await db.exec('BEGIN');
      await db.query(sql);
    } catch (e) {
      pg = pgOutcome(e);
    } finally {
      await db.exec('ROLLBACK');
    }
    expect(pg, 'PostgreSQL should reject this statement').not.toBeNull();
    expect(ours(sql)).toEqual(pg);
  });
});

describe('accepted statements give PostgreSQL\'s result columns', () => {
  it.each(load('analyze_valid.sql'))('%s', async (sql) => {
    let pg: string;
    try {
      await db.exec('BEGIN');
      const r = await db.query(sql);
      pg = r.fields.map((f) => `${f.name}:${f.dataTypeID}`).join(',');
    } finally {
      await db.exec('ROLLBACK');
    }
    const raw = parse(sql)[0];
    if (raw === undefined) throw new Error('no statement');
    const q = queryRewrite(parseAnalyze(raw, { catalog, sourceText: sql, paramTypes: [] }), catalog)[0];
    if (q === undefined) throw new Error('no query');
    const tl = q.commandType === 'CMD_SELECT' ? q.targetList : q.returningList;
    expect(tl.filter((t) => !t.resjunk).map((t) => `${t.resname ?? ''}:${exprType(t.expr)}`).join(',')).toBe(pg);
  });
});

describe('parameter types are inferred as PostgreSQL infers them', () => {
  it.each(load('analyze_params.sql'))('%s', async (sql) => {
    let pg: string;
    try {
      const d = await db.describeQuery(sql);
      pg = `${d.queryParams.map((p) => p.dataTypeID).join(',')} | ${d.resultFields.map((f) => `${f.name}:${f.dataTypeID}`).join(',')}`;
    } catch (e) {
      const o = pgOutcome(e);
      pg = `ERROR ${o.code} ${o.message}`;
    }
    let us: string;
    try {
      const raw = parse(sql)[0];
      if (raw === undefined) throw new Error('no statement');
      const types: number[] = [];
      const q = parseAnalyze(raw, { catalog, sourceText: sql, paramTypes: types });
      const tl = q.commandType === 'CMD_SELECT' ? q.targetList : q.returningList;
      us = `${types.join(',')} | ${tl.filter((t) => !t.resjunk).map((t) => `${t.resname ?? ''}:${exprType(t.expr)}`).join(',')}`;
    } catch (e) {
      if (!(e instanceof PgError)) throw e;
      us = `ERROR ${e.code} ${e.message}`;
    }
    expect(us).toBe(pg);
  });
});
