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

/** A seeded generator of SELECTs over the test schema: mostly wrong, in every way the analyzer can be wrong. */
function randomQueries(seed: number, n: number): string[] {
  let s = seed;
  const rnd = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const cols = ['a', 'b', 'c', 'd', 'x', 't.a', 'u.a', 't.b', 'u.d', 'zz', 'q.a'];
  const lits = ['1', "'x'", '1.5', 'NULL', 'true', '10000000000', "'2020-01-01'::date", '$1'];
  const fns = ['lower', 'upper', 'length', 'abs', 'coalesce', 'count', 'sum', 'max', 'avg', 'nullif', 'greatest', 'round'];
  const ops = ['+', '-', '*', '=', '<', '<>', '||', 'AND', 'OR', 'LIKE', 'IS DISTINCT FROM'];
  const expr = (d: number): string => {
    const r = rnd();
    if (d > 2 || r < 0.3) return pick(cols);
    if (r < 0.45) return pick(lits);
    if (r < 0.65) return `${expr(d + 1)} ${pick(ops)} ${expr(d + 1)}`;
    if (r < 0.8) {
      const f = pick(fns);
      const k = f === 'coalesce' || f === 'greatest' || f === 'nullif' ? 2 : 1;
      return `${f}(${Array.from({ length: k }, () => expr(d + 1)).join(', ')})`;
    }
    if (r < 0.85) return `CASE WHEN ${expr(d + 1)} THEN ${expr(d + 1)} ELSE ${expr(d + 1)} END`;
    if (r < 0.9) return `${expr(d + 1)} IN (${expr(d + 1)}, ${expr(d + 1)})`;
    if (r < 0.95) return `(SELECT ${expr(d + 1)} FROM u LIMIT 1)`;
    return `${expr(d + 1)}::${pick(['int', 'text', 'numeric', 'bigint'])}`;
  };
  // Set operations, DISTINCT ON, windows, WITH, sublinks, VALUES, USING/NATURAL joins with GROUP BY.
  const fancy = (): string => {
    const r = rnd();
    const e = (): string => expr(1);
    if (r < 0.15) return `SELECT ${e()} FROM t UNION${rnd() < 0.5 ? ' ALL' : ''} SELECT ${e()} FROM u ORDER BY ${pick(['1', 'a', 'b', 'x', '2'])}`;
    if (r < 0.3) return `SELECT DISTINCT ON (${pick(cols)}) ${e()}, ${pick(cols)} FROM t ORDER BY ${pick(cols)}${rnd() < 0.5 ? `, ${pick(cols)}` : ''}`;
    if (r < 0.45) {
      const part = rnd() < 0.5 ? `PARTITION BY ${pick(cols)}` : '';
      const ord = rnd() < 0.6 ? ` ORDER BY ${pick(cols)}` : '';
      return `SELECT ${pick(['row_number()', 'rank()', 'sum(a)', 'lag(b)', 'count(*)', 'max(c)'])} OVER (${part}${ord}), ${pick(cols)} FROM t${rnd() < 0.3 ? ` GROUP BY ${pick(cols)}` : ''}`;
    }
    if (r < 0.6) return `WITH q AS (SELECT ${e()} AS a, ${e()} AS b FROM t) SELECT ${e()} FROM q${rnd() < 0.5 ? ' JOIN u USING (a)' : ''}`;
    if (r < 0.75) return `SELECT ${e()} FROM t WHERE ${pick(cols)} ${pick(['IN', 'NOT IN', '= ANY', '> ALL'])} (SELECT ${pick(cols)} FROM u${rnd() < 0.5 ? ` WHERE u.a = t.${pick(['a', 'b', 'c', 'zz'])}` : ''})`;
    if (r < 0.85) return `SELECT * FROM (VALUES (${e()}, ${e()}), (${e()}, ${e()})) v${rnd() < 0.5 ? '(p, q)' : ''} ${rnd() < 0.5 ? `ORDER BY ${pick(['1', 'p', 'column1', '3'])}` : ''}`;
    return `SELECT ${e()}, count(*) FROM t ${pick(['NATURAL JOIN u', 'JOIN u USING (a)', 'FULL JOIN u USING (a)', 'CROSS JOIN u', ', LATERAL (SELECT t.a + u.x AS s FROM u) l'])} GROUP BY ${pick([...cols, '1'])}${rnd() < 0.3 ? ` HAVING ${e()}` : ''}`;
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 3 === 2) {
      out.push(fancy());
      continue;
    }
    const from = pick(['t', 'u', 't, u', 't JOIN u USING (a)', 't JOIN u ON t.a = u.a', 't LEFT JOIN u ON t.c = u.x', '(SELECT a, b FROM t) q', 't q']);
    let sql = `SELECT ${Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => expr(0)).join(', ')} FROM ${from}`;
    if (rnd() < 0.5) sql += ` WHERE ${expr(0)}`;
    if (rnd() < 0.3) sql += ` GROUP BY ${pick(cols)}`;
    if (rnd() < 0.15) sql += ` HAVING ${expr(0)}`;
    if (rnd() < 0.3) sql += ` ORDER BY ${pick([...cols, '1', '2', '3'])}`;
    if (rnd() < 0.1) sql += ` LIMIT ${pick(lits)}`;
    out.push(sql);
  }
  return out;
}

describe('random SELECTs: same error or same result columns and parameter types', () => {
  it('agrees on 300 seeded queries', async () => {
    const diffs: string[] = [];
    for (const sql of randomQueries(20261125, 300)) {
      let pg: string;
      try {
        const d = await db.describeQuery(sql);
        pg = `${d.queryParams.map((p) => p.dataTypeID).join(',')}|${d.resultFields.map((f) => `${f.name}:${f.dataTypeID}`).join(',')}`;
      } catch (e) {
        const o = pgOutcome(e);
        pg = `ERR ${o.code} ${o.message} @${String(o.position)}`;
      }
      let us: string;
      try {
        const types: number[] = [];
        const raw = parse(sql)[0];
        if (raw === undefined) throw new Error('no statement');
        const q = queryRewrite(parseAnalyze(raw, { catalog, sourceText: sql, paramTypes: types }), catalog)[0] as NonNullable<ReturnType<typeof queryRewrite>[0]>;
        us = `${types.join(',')}|${q.targetList.filter((t) => !t.resjunk).map((t) => `${t.resname ?? ''}:${exprType(t.expr)}`).join(',')}`;
      } catch (e) {
        if (!(e instanceof PgError)) throw e;
        us = `ERR ${e.code} ${e.message} @${String(e.position)}`;
      }
      if (us !== pg) diffs.push(`${sql}\n  pg: ${pg}\n  us: ${us}`);
    }
    expect(diffs).toEqual([]);
  });
});
