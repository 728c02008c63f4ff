import { describe, expect, it } from 'vitest';
import { deparse, quoteIdentifier, quoteLiteral } from './deparse.ts';
import { parse } from './gram.ts';
import { loadStatements } from './testdata/load.ts';

/** The tree without source positions, which deparsing cannot keep. */
function withoutLocations(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'location' || k === 'stmt_location' || k === 'stmt_len' ? undefined : v)));
}

describe('deparse round trip: parse(deparse(parse(sql))) equals parse(sql)', () => {
  const corpus = loadStatements('corpus.sql');

  it('has a corpus of a few hundred statements', () => {
    expect(corpus.length).toBeGreaterThan(300);
  });

  it.each(corpus)('%s', (sql) => {
    const tree = parse(sql);
    const text = deparse(tree);
    expect(withoutLocations(parse(text))).toEqual(withoutLocations(tree));
    // Deparsing is a fixed point after one round.
    expect(deparse(parse(text))).toBe(text);
  });
});

describe('quoting', () => {
  it('quotes identifiers as quote_identifier does', () => {
    expect(quoteIdentifier('abc')).toBe('abc');
    expect(quoteIdentifier('year')).toBe('year'); // unreserved keyword
    expect(quoteIdentifier('select')).toBe('"select"');
    expect(quoteIdentifier('int')).toBe('"int"'); // col_name keyword
    expect(quoteIdentifier('Abc')).toBe('"Abc"');
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });
});
