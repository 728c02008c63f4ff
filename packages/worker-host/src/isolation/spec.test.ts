/*
 * spec.test.ts — the spec parser (spec.ts) and the result printer
 * (pqprint.ts) without a database: PostgreSQL 15's scanner rules, the
 * checks isolationtester makes before it runs, the order of generated
 * permutations, and PQprint's alignment. Texts were taken from
 * PostgreSQL's isolationtester.
 */

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printResultSet } from './pqprint.ts';
import { SpecSyntaxError, allPermutations, parseSpec } from './spec.ts';
import { expectedPath, listSpecs, specPath } from './specs.ts';

describe('parseSpec', () => {
  it('reads setup, teardown, sessions, steps and permutations with blockers', () => {
    const spec = parseSpec(`
      # a comment
      setup { CREATE TABLE t (a int); }
      setup { INSERT INTO t VALUES (1); }
      teardown { DROP TABLE t; }
      session s1
      setup { BEGIN; }
      step a { SELECT 1; }
      step b { COMMIT; }
      teardown { SELECT 2; }
      session "s 2"
      step "c d" { SELECT 3; }
      permutation a "c d"(a) b(*)
      permutation "c d"(a notices 2, *) a b
    `);
    expect(spec.setup).toEqual(['CREATE TABLE t (a int); ', 'INSERT INTO t VALUES (1); '].map((s) => s.trimEnd()));
    expect(spec.teardown).toBe('DROP TABLE t;');
    expect(spec.sessions.map((s) => s.name)).toEqual(['s1', 's 2']);
    expect(spec.sessions[0]).toMatchObject({ setup: 'BEGIN;', teardown: 'SELECT 2;' });
    expect(spec.sessions[1].steps[0]).toEqual({ name: 'c d', sql: 'SELECT 3;', session: 1 });
    expect(spec.permutations).toEqual([
      [
        { name: 'a', blockers: [] },
        { name: 'c d', blockers: [{ kind: 'step', step: 'a' }] },
        { name: 'b', blockers: [{ kind: 'once' }] },
      ],
      [
        { name: 'c d', blockers: [{ kind: 'notices', step: 'a', count: 2 }, { kind: 'once' }] },
        { name: 'a', blockers: [] },
        { name: 'b', blockers: [] },
      ],
    ]);
  });

  it('keeps an SQL block verbatim but for spaces and tabs after { and before }', () => {
    const spec = parseSpec('session s\nstep a {\n  SELECT 1;\n  \n}\nstep b {\t SELECT 2 \t}');
    expect(spec.sessions[0].steps[0].sql).toBe('\n  SELECT 1;\n  \n');
    expect(spec.sessions[0].steps[1].sql).toBe('SELECT 2');
  });

  it('ends an SQL block at the first }, as PostgreSQL 15 does', () => {
    expect(() => parseSpec('session s\nstep a { SELECT $$}$$; }')).toThrow(/unexpected character "\$"/);
  });

  it('refuses what isolationtester refuses', () => {
    const bad = (src: string, msg: RegExp): void => {
      expect(() => parseSpec(src)).toThrow(SpecSyntaxError);
      expect(() => parseSpec(src)).toThrow(msg);
    };
    bad('setup { SELECT 1 }', /expected a session/);
    bad('session s\nstep a { x }\nsession t\nstep a { y }', /duplicate step name: a/);
    bad('session s\nstep a { x }\npermutation b', /undefined step "b" specified in permutation/);
    bad('session s\nstep a { x }\nstep b { y }\npermutation a(b) b', /cannot block on its own session/);
    bad('session s\nstep a { x }\nsession t\nstep b { y }\npermutation a(c)', /undefined blocking step "c"/);
    bad('session s\nstep a { x', /unterminated sql block/);
    bad('session "s\n"', /unexpected newline in quoted string/);
    bad('session s\nstep a { x }\n%', /unexpected character "%"/);
  });

  it('generates every interleaving in isolationtester order', () => {
    const spec = parseSpec('session s1\nstep a { }\nstep b { }\nsession s2\nstep c { }');
    expect(allPermutations(spec).map((p) => p.map((s) => s.name).join(' '))).toEqual(['a b c', 'a c b', 'c a b']);
  });

  it('parses every stored spec, and each has its expected output', () => {
    expect(listSpecs().length).toBeGreaterThanOrEqual(12);
    for (const name of listSpecs()) {
      expect(() => parseSpec(readFileSync(specPath(name), 'utf8')), name).not.toThrow();
      expect(existsSync(expectedPath(name)), name).toBe(true);
    }
  });
});

describe('printResultSet (PQprint: header, align, fieldSep "|")', () => {
  it('right-aligns numeric-looking columns and pads in bytes', () => {
    const out = printResultSet({
      fields: ['id', 'v', 'longer header name', 'big', 'neg', 'sci', 'empty', 'arr'],
      rows: [
        ['-2', null, null, '10000000000', '-3.5', '1e5', '', '{1,2}'],
        ['1', 'a', 'a', '10000000000', '-3.5', '1e5', '', '{1,2}'],
        ['4', ' 5', ' 5', '10000000000', '-3.5', '1e5', '', '{1,2}'],
        ['30', '12', '12', '10000000000', '-3.5', '1e5', '', '{1,2}'],
      ],
    });
    // Taken from PostgreSQL 15's isolationtester.
    expect(out).toBe(
      [
        'id|v |longer header name|        big| neg|sci|empty|arr  ',
        '--+--+------------------+-----------+----+---+-----+-----',
        '-2|  |                  |10000000000|-3.5|1e5|     |{1,2}',
        ' 1|a |a                 |10000000000|-3.5|1e5|     |{1,2}',
        ' 4| 5| 5                |10000000000|-3.5|1e5|     |{1,2}',
        '30|12|12                |10000000000|-3.5|1e5|     |{1,2}',
        '(4 rows)',
        '',
        '',
      ].join('\n'),
    );
  });

  it('prints zero rows, one row, and nothing for a result without columns', () => {
    expect(printResultSet({ fields: ['id', 'v'], rows: [] })).toBe('id|v\n--+-\n(0 rows)\n\n');
    expect(printResultSet({ fields: ['x', 'nully'], rows: [['long text value here', null]] })).toBe(
      'x                   |nully\n--------------------+-----\nlong text value here|     \n(1 row)\n\n',
    );
    expect(printResultSet({ fields: [], rows: [[]] })).toBe('');
  });

  it('does not take e1 or a value ending in a non-digit for a number', () => {
    expect(printResultSet({ fields: ['a', 'b'], rows: [['e1', '1.'], ['2', '3']] })).toBe('a |b \n--+--\ne1|1.\n2 |3 \n(2 rows)\n\n');
  });
});
