/*
 * Fuzz tests: whatever the input, parse() either returns statements or
 * throws a PgError, never another exception, and always returns promptly.
 * Inputs are bounded (a few hundred characters) and generated from a seeded
 * PRNG, so failures reproduce; set PARSER_FUZZ_ITERATIONS for longer runs.
 */

import { describe, expect, it } from 'vitest';
import { PgError } from '../utils/errors.ts';
import { deparse } from './deparse.ts';
import { parse } from './gram.ts';
import { tokenize } from './scan.ts';
import { loadStatements } from './testdata/load.ts';

const ITERATIONS = Number(process.env.PARSER_FUZZ_ITERATIONS ?? 3000);

/** mulberry32: a small seeded PRNG. */
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

function checkInput(sql: string): void {
  const t0 = performance.now();
  try {
    const stmts = parse(sql);
    // Whatever parses must also deparse and parse again.
    parse(deparse(stmts));
  } catch (e) {
    if (!(e instanceof PgError)) {
      throw new Error(`non-PgError for ${JSON.stringify(sql)}: ${String(e)}`);
    }
    expect(e.code).toMatch(/^(42601|0A000|54001|22023|22025|22021|42P20)$/);
  }
  const ms = performance.now() - t0;
  if (ms > 100) throw new Error(`parse took ${ms.toFixed(1)} ms for ${JSON.stringify(sql)}`);
}

describe('parser fuzzing', () => {
  it('random byte strings give statements or PgError', () => {
    const rand = prng(1);
    const alphabet = "abcSELECTFROMWHERE ()[],.;:'\"$-+*/<>=!~@#%^&|`?{}\\\n\t0123456789_eExXbB\u00e9\u{1F600}\u0000";
    const chars = [...alphabet];
    for (let i = 0; i < ITERATIONS; i++) {
      const len = Math.floor(rand() * 80);
      let s = '';
      for (let j = 0; j < len; j++) s += rand() < 0.1 ? String.fromCharCode(Math.floor(rand() * 256)) : chars[Math.floor(rand() * chars.length)];
      checkInput(s);
    }
  });

  it('shuffled and mutated tokens of valid statements give statements or PgError', () => {
    const rand = prng(2);
    const corpus = loadStatements('corpus.sql');
    const tokenTexts = corpus.map((sql) => tokenize(sql).filter((t) => t.kind !== 'EOF').map((t) => sql.slice(t.start, t.end)));
    const pool = tokenTexts.flat();
    for (let i = 0; i < ITERATIONS; i++) {
      const toks = [...tokenTexts[Math.floor(rand() * tokenTexts.length)]];
      const mode = rand();
      if (mode < 0.3) {
        // Shuffle a window of the statement.
        for (let k = toks.length - 1; k > 0; k--) {
          if (rand() < 0.3) {
            const j = Math.floor(rand() * (k + 1));
            [toks[k], toks[j]] = [toks[j], toks[k]];
          }
        }
      } else if (mode < 0.6) {
        // Drop some tokens.
        for (let k = toks.length - 1; k >= 0; k--) if (rand() < 0.15) toks.splice(k, 1);
      } else if (mode < 0.9) {
        // Replace some tokens with tokens from other statements.
        for (let k = 0; k < toks.length; k++) if (rand() < 0.15) toks[k] = pool[Math.floor(rand() * pool.length)];
      } else {
        // Truncate.
        toks.length = Math.floor(rand() * toks.length);
      }
      checkInput(toks.join(' '));
    }
  });

  it('pathological nesting and long inputs stay bounded', () => {
    for (const sql of [
      'SELECT ' + '1 + '.repeat(20_000) + '1',
      'SELECT ' + 'a AND '.repeat(20_000) + 'b',
      'SELECT ' + '(('.repeat(3000) + '1' + '))'.repeat(3000),
      'SELECT ' + '((SELECT '.repeat(3000),
      'SELECT ARRAY' + '['.repeat(5000),
      'SELECT * FROM ' + 'a JOIN '.repeat(5000) + 'b',
      'SELECT ' + "'".repeat(10001),
      '/*'.repeat(10_000),
      'SELECT f(' + 'g('.repeat(5000),
      'SELECT CASE ' + 'WHEN 1 THEN CASE '.repeat(3000),
    ]) {
      try {
        parse(sql);
      } catch (e) {
        expect(e).toBeInstanceOf(PgError);
      }
    }
  });
});
