/*
 * Differential tests against PostgreSQL's own parser, through PGlite.
 *
 * 1. Every statement of testdata/syntax_errors.sql fails in PostgreSQL's
 *    parser; tabgres must fail with the same SQLSTATE, message and position.
 * 3. Seeded mutations of the corpus's queries (tokens dropped, replaced,
 *    truncated): whenever either side reports a syntax error, both must
 *    report the same one.
 * 2. Every statement of testdata/corpus.sql is accepted by PostgreSQL's
 *    parser: run on PGlite it may fail in analysis (no such table), but never
 *    with a syntax error. This keeps the round-trip corpus honest.
 */

import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgError } from '../utils/errors.ts';
import { parse } from './gram.ts';
import { tokenize } from './scan.ts';
import { loadStatements } from './testdata/load.ts';

interface Outcome {
  code: string;
  message: string;
  position: number | undefined;
}

function pgOutcome(e: unknown): Outcome {
  if (typeof e !== 'object' || e === null) throw e;
  const f = e as { code?: unknown; message?: unknown; position?: unknown };
  if (typeof f.code !== 'string' || typeof f.message !== 'string') throw e;
  return { code: f.code, message: f.message, position: f.position === undefined ? undefined : Number(f.position) };
}

let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
});
afterAll(async () => {
  await db.close();
});

describe('syntax errors match PostgreSQL', () => {
  it.each(loadStatements('syntax_errors.sql'))('%s', async (sql) => {
    let pg: Outcome | null = null;
    try {
      await db.exec(sql);
    } catch (e) {
      pg = pgOutcome(e);
    }
    expect(pg, 'PostgreSQL should reject this statement').not.toBeNull();
    let ours: Outcome | null = null;
    try {
      parse(sql);
    } catch (e) {
      if (!(e instanceof PgError)) throw e;
      ours = { code: e.code, message: e.message, position: e.position };
    }
    expect(ours).toEqual(pg);
  });
});

describe('PostgreSQL accepts the syntax of the round-trip corpus', () => {
  it.each(loadStatements('corpus.sql'))('%s', async (sql) => {
    let code: string | null = null;
    try {
      await db.exec(sql);
    } catch (e) {
      code = pgOutcome(e).code;
    }
    await db.exec('ROLLBACK').catch(() => undefined);
    expect(code).not.toBe('42601');
  });
});

describe('mutated queries: syntax errors agree with PostgreSQL', () => {
  /** mulberry32: a small seeded PRNG, so every run tries the same inputs. */
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  // Only side-effect-free statements, so running them on PGlite is harmless.
  const queries = loadStatements('corpus.sql').filter((s) => /^(SELECT|VALUES|TABLE|\(|WITH [a-z]+ AS \(SELECT|EXPLAIN SELECT|SHOW)/.test(s) && !s.includes(';'));
  const tokens = queries.map((sql) => tokenize(sql).filter((t) => t.kind !== 'EOF').map((t) => sql.slice(t.start, t.end)));
  const pool = tokens.flat();
  const rand = prng(12);
  const cases: string[] = [];
  for (let i = 0; i < 300; i++) {
    const toks = [...tokens[Math.floor(rand() * tokens.length)]];
    const m = rand();
    if (m < 0.4) {
      for (let k = toks.length - 1; k >= 0; k--) if (rand() < 0.1) toks.splice(k, 1);
    } else if (m < 0.8) {
      for (let k = 0; k < toks.length; k++) if (rand() < 0.1) toks[k] = pool[Math.floor(rand() * pool.length)];
    } else toks.length = Math.floor(rand() * toks.length);
    const sql = toks.join(' ');
    if (!sql.includes(';') && !/\b(INSERT|UPDATE|DELETE)\b/i.test(sql)) cases.push(sql);
  }

  it.each(cases)('%s', async (sql) => {
    let pg: Outcome | null = null;
    try {
      await db.exec(sql);
    } catch (e) {
      pg = pgOutcome(e);
    }
    await db.exec('ROLLBACK').catch(() => undefined);
    let ours: Outcome | null = null;
    try {
      parse(sql);
    } catch (e) {
      if (!(e instanceof PgError)) throw e;
      ours = { code: e.code, message: e.message, position: e.position };
    }
    const pgSyntax = pg !== null && pg.code === '42601' && pg.message.startsWith('syntax error');
    const oursSyntax = ours !== null && ours.code === '42601';
    if (pgSyntax || oursSyntax) expect(ours).toEqual(pg);
  });
});
