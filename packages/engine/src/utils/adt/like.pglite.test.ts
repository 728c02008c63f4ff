/*
 * like.pglite.test.ts — LIKE and ILIKE (like.ts) against PostgreSQL: the
 * string form and the byte form must both give PostgreSQL's answer, or its
 * error, for patterns of every shape: the fast forms (exact, prefix,
 * suffix, substring), `_` over multi-byte and astral characters, escapes,
 * a trailing escape that is reached or not, and ILIKE.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { Prng } from '@tabgres/opfs-storage';
import { pgValue, ourValue, startPostgres } from './pgdiff.testutil.ts';
import { LikePattern, likeMatch } from './like.ts';
import { utf8Encode } from './text.ts';

let db: PGlite;
beforeAll(async () => {
  db = await startPostgres();
}, 60_000);
afterAll(async () => {
  await db.close();
});

const TEXTS = ['', 'a', 'abc', 'ABC', 'abcabc', 'aXbXc', 'a_c', 'a%c', 'a\\c', 'héllo', 'hé', 'Ñandú', '日本語テキスト', 'x😀y', '😀', 'fifty one', 'one hundred fifty'];
const PATTERNS = [
  '', '%', '%%', '_', '__', '___', 'a', 'abc', 'abc%', '%abc', '%abc%', '%b%', 'a%c', 'a_c', '_b_', '%_', '_%', '%a%b%c%',
  'a\\_c', 'a\\%c', 'a\\\\c', '\\a\\b\\c', 'abc\\', 'x\\', '%\\', '%c\\', 'h_llo', 'h%o', '_é%', 'x_y', '_', '日本%', '%テキ%', '%語_キ%',
  '%fifty%', 'fifty%', '%one', 'ABC', 'a%', '%C%', 'É%', '%😀%',
];

/** Our answer for one pair, both forms, rendered as pgValue renders PostgreSQL's. */
function ours(s: string, p: string, ci: boolean): string {
  const viaString = ourValue(() => (likeMatch(s, p, ci) ? 't' : 'f'));
  if (!ci) {
    const bytes = utf8Encode(`..${s}..`);
    const viaBytes = ourValue(() => (new LikePattern(p, false).matchBytes(bytes, 2, bytes.length - 2) ? 't' : 'f'));
    expect(viaBytes, `byte form of '${s}' LIKE '${p}'`).toBe(viaString);
  }
  return viaString;
}

describe('LIKE against PostgreSQL', () => {
  it('gives PostgreSQL answers and errors for every text and pattern', async () => {
    const mismatches: string[] = [];
    for (const ci of [false, true]) {
      for (const s of TEXTS) {
        for (const p of PATTERNS) {
          const pg = await pgValue(db, `SELECT $1::text ${ci ? 'ILIKE' : 'LIKE'} $2::text`, [s, p]);
          const mine = ours(s, p, ci);
          if (pg !== mine) mismatches.push(`'${s}' ${ci ? 'ILIKE' : 'LIKE'} '${p}': postgres ${pg}, ours ${mine}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('agrees on random texts and patterns over a small alphabet', async () => {
    const rnd = new Prng(11);
    const alpha = ['a', 'b', 'é', '😀', '%', '_', '\\'];
    const pick = (n: number, from: string[]): string => {
      let s = '';
      for (let i = 0; i < n; i++) s += from[rnd.nextUint32() % from.length];
      return s;
    };
    const mismatches: string[] = [];
    for (let i = 0; i < 300; i++) {
      const s = pick(rnd.nextUint32() % 6, alpha.slice(0, 4));
      const p = pick(rnd.nextUint32() % 6, alpha);
      const pg = await pgValue(db, 'SELECT $1::text LIKE $2::text', [s, p]);
      const mine = ours(s, p, false);
      if (pg !== mine) mismatches.push(`'${s}' LIKE '${p}': postgres ${pg}, ours ${mine}`);
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
