import { describe, expect, it } from 'vitest';
import { PgError } from '../utils/errors.ts';
import { tokenize, type Token } from './scan.ts';

const kinds = (sql: string): string[] => tokenize(sql).map((t) => `${t.kind}:${t.value}`);
const one = (sql: string): Token => {
  const toks = tokenize(sql);
  expect(toks).toHaveLength(2);
  return toks[0];
};
function lexError(sql: string): PgError {
  try {
    tokenize(sql);
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error(`no error for ${sql}`);
}

describe('tokenize', () => {
  it('folds identifiers and recognizes keywords with their categories', () => {
    const [sel, id, from, t] = tokenize('SELECT MyCol FROM "MyTable"');
    expect(sel).toMatchObject({ kind: 'KEYWORD', value: 'select', start: 0, end: 6 });
    expect(sel.keyword?.category).toBe('R');
    expect(id).toMatchObject({ kind: 'IDENT', value: 'mycol', start: 7, end: 12 });
    expect(from.kind).toBe('KEYWORD');
    expect(t).toMatchObject({ kind: 'IDENT', value: 'MyTable', quoted: true });
    expect(tokenize('year')[0].keyword).toMatchObject({ category: 'U', bareLabel: false });
    expect(tokenize('int')[0].keyword?.category).toBe('C');
    expect(tokenize('left')[0].keyword?.category).toBe('T');
  });

  it('keeps non-ASCII letters in identifiers and only folds ASCII', () => {
    expect(one('ÉtÉ').value).toBe('ÉtÉ');
    expect(one('Añb').value).toBe('añb');
  });

  it('truncates identifiers to 63 bytes', () => {
    expect(one('a'.repeat(100)).value).toBe('a'.repeat(63));
    expect(one('"' + 'é'.repeat(40) + '"').value).toBe('é'.repeat(31));
    // Around the fast paths: 63 ASCII bytes stay, 22 three-byte characters (66 bytes) lose one,
    // 62 ASCII bytes and a two-byte character lose the character whole.
    expect(one('a'.repeat(63)).value).toBe('a'.repeat(63));
    expect(one('"' + '€'.repeat(22) + '"').value).toBe('€'.repeat(21));
    expect(one('"' + 'a'.repeat(62) + 'é"').value).toBe('a'.repeat(62));
  });

  it('reads quoted identifiers with "" escapes', () => {
    expect(one('"a""b"').value).toBe('a"b');
  });

  it('reads string constants, escapes and continuation', () => {
    expect(one("'it''s'").value).toBe("it's");
    expect(one("'a\\nb'").value).toBe('a\\nb'); // standard_conforming_strings
    expect(one("E'a\\nb\\t\\\\\\''").value).toBe("a\nb\t\\'");
    expect(one("e'\\101\\x42\\u00e9\\U0001F600'").value).toBe('ABé😀');
    expect(one("E'\\xc3\\xa9'").value).toBe('é');
    expect(one("'a'\n'b'").value).toBe('ab');
    expect(one("'a'  -- c\n  'b'").value).toBe('ab');
    expect(kinds("'a' 'b'")).toEqual(['SCONST:a', 'SCONST:b', 'EOF:']);
  });

  it('reads dollar-quoted strings', () => {
    expect(one('$$a\'b$$').value).toBe("a'b");
    expect(one('$fn$ $$ inside $fn$').value).toBe(' $$ inside ');
  });

  it('reads bit strings and national strings', () => {
    expect(one("B'0101'")).toMatchObject({ kind: 'BCONST', value: 'b0101' });
    expect(one("x'1F'")).toMatchObject({ kind: 'XCONST', value: 'x1F' });
    expect(kinds("N'x'")).toEqual(['KEYWORD:nchar', 'SCONST:x', 'EOF:']);
  });

  it('reads numbers as PostgreSQL 16+ does', () => {
    expect(one('42')).toMatchObject({ kind: 'ICONST', ival: 42 });
    expect(one('2147483647')).toMatchObject({ kind: 'ICONST', ival: 2147483647 });
    expect(one('2147483648')).toMatchObject({ kind: 'FCONST', value: '2147483648' });
    expect(one('1.5')).toMatchObject({ kind: 'FCONST', value: '1.5' });
    expect(one('.5')).toMatchObject({ kind: 'FCONST', value: '.5' });
    expect(one('1.')).toMatchObject({ kind: 'FCONST', value: '1.' });
    expect(one('1e10')).toMatchObject({ kind: 'FCONST' });
    expect(one('1.5E-3')).toMatchObject({ kind: 'FCONST', value: '1.5E-3' });
    expect(one('0x1F')).toMatchObject({ kind: 'ICONST', ival: 31 });
    expect(one('0o17')).toMatchObject({ kind: 'ICONST', ival: 15 });
    expect(one('0b101')).toMatchObject({ kind: 'ICONST', ival: 5 });
    expect(one('1_000_000')).toMatchObject({ kind: 'ICONST', ival: 1000000 });
    expect(one('0xFFFFFFFFFF')).toMatchObject({ kind: 'FCONST', value: '0xFFFFFFFFFF' });
    expect(kinds('1..2')).toEqual(['ICONST:1', 'DOT_DOT:..', 'ICONST:2', 'EOF:']);
  });

  it('reads parameters', () => {
    expect(one('$12')).toMatchObject({ kind: 'PARAM', ival: 12 });
  });

  it('applies the multi-character operator rules', () => {
    expect(kinds('a*-1')).toEqual(['IDENT:a', 'CHAR:*', 'CHAR:-', 'ICONST:1', 'EOF:']);
    expect(kinds('a@-b')).toEqual(['IDENT:a', 'Op:@-', 'IDENT:b', 'EOF:']);
    expect(kinds('a+-b')).toEqual(['IDENT:a', 'CHAR:+', 'CHAR:-', 'IDENT:b', 'EOF:']);
    expect(kinds('a ->> b')).toEqual(['IDENT:a', 'Op:->>', 'IDENT:b', 'EOF:']);
    expect(kinds('a<>b!=c<=d>=e=>f')).toEqual([
      'IDENT:a', 'NOT_EQUALS:<>', 'IDENT:b', 'NOT_EQUALS:<>', 'IDENT:c', 'LESS_EQUALS:<=', 'IDENT:d',
      'GREATER_EQUALS:>=', 'IDENT:e', 'EQUALS_GREATER:=>', 'IDENT:f', 'EOF:',
    ]);
    expect(kinds('a::int := :')).toEqual(['IDENT:a', 'TYPECAST:::', 'KEYWORD:int', 'COLON_EQUALS::=', 'CHAR::', 'EOF:']);
    expect(kinds('1+--c\n2')).toEqual(['ICONST:1', 'CHAR:+', 'ICONST:2', 'EOF:']);
    expect(kinds('1*/*c*/2')).toEqual(['ICONST:1', 'CHAR:*', 'ICONST:2', 'EOF:']);
    expect(kinds('a <=> b')).toEqual(['IDENT:a', 'Op:<=>', 'IDENT:b', 'EOF:']);
  });

  it('skips comments, including nested ones', () => {
    expect(kinds('1 /* a /* b */ c */ 2 -- x')).toEqual(['ICONST:1', 'ICONST:2', 'EOF:']);
  });

  it('returns stray characters as single tokens for the grammar to reject', () => {
    expect(kinds('{$')).toEqual(['CHAR:{', 'CHAR:$', 'EOF:']);
  });

  it('reports PostgreSQL lexer errors with 1-based positions', () => {
    const cases: [string, string, number][] = [
      ["SELECT 'abc", `unterminated quoted string at or near "'abc"`, 8],
      ['SELECT "abc', 'unterminated quoted identifier at or near ""abc"', 8],
      ['SELECT ""', 'zero-length delimited identifier at or near """"', 8],
      ['SELECT $$abc', 'unterminated dollar-quoted string at or near "$$abc"', 8],
      ['SELECT 1 /* x', 'unterminated /* comment at or near "/* x"', 10],
      ['SELECT 1abc', 'trailing junk after numeric literal at or near "1abc"', 8],
      ['SELECT 0x', 'invalid hexadecimal integer at or near "0x"', 8],
      ['SELECT 1e+', 'trailing junk after numeric literal at or near "1e+"', 8],
      ['SELECT $1a', 'trailing junk after parameter at or near "$1a"', 8],
      ["SELECT B'01", `unterminated bit string literal at or near "B'01"`, 8],
      ["SELECT X'01", `unterminated hexadecimal string literal at or near "X'01"`, 8],
      ["SELECT 'é' || 'x", `unterminated quoted string at or near "'x"`, 15],
    ];
    for (const [sql, msg, pos] of cases) {
      const e = lexError(sql);
      expect(e.code, sql).toBe('42601');
      expect(e.message, sql).toBe(msg);
      expect(e.position, sql).toBe(pos);
    }
  });

  it('decodes U& literals, with UESCAPE, into one token', () => {
    const toks = tokenize(String.raw`SELECT U&'d\0061t\+000061', U&'x!0041' UESCAPE '!', U&"d\0061ta", U&'\D83D\DE00'`);
    const values = toks.filter((t) => t.kind === 'SCONST' || t.kind === 'IDENT').map((t) => [t.kind, t.value]);
    expect(values).toEqual([['SCONST', 'data'], ['SCONST', 'xA'], ['IDENT', 'data'], ['SCONST', '\u{1F600}']]);
    // The UESCAPE clause is consumed: SELECT, 4 literals, 3 commas, EOF.
    expect(toks.length).toBe(9);
    expect(tokenize('SELECT U&"ABC"')[1]).toMatchObject({ kind: 'IDENT', value: 'ABC', quoted: true });
  });

  it('reports bad U& escapes as PostgreSQL does', () => {
    const cases: [string, string, number][] = [
      [String.raw`SELECT U&'\006'`, 'invalid Unicode escape', 11],
      [String.raw`SELECT U&'ab\zz'`, 'invalid Unicode escape', 13],
      ["SELECT U&'a' UESCAPE '+'", `invalid Unicode escape character at or near "'+'"`, 22],
      ["SELECT U&'a' UESCAPE 1", 'UESCAPE must be followed by a simple string literal at or near "1"', 22],
      ["SELECT U&'a' UESCAPE", 'UESCAPE must be followed by a simple string literal at end of input', 21],
      [String.raw`SELECT U&'\D800'`, 'invalid Unicode surrogate pair', 16],
      [String.raw`SELECT U&'\DC00'`, 'invalid Unicode surrogate pair', 11],
      [String.raw`SELECT U&'\0000'`, 'invalid Unicode escape value', 11],
      ['SELECT U&""', 'zero-length delimited identifier at or near "U&"""', 8],
    ];
    for (const [sql, msg, pos] of cases) {
      const e = lexError(sql);
      expect(e.code, sql).toBe('42601');
      expect(e.message, sql).toBe(msg);
      expect(e.position, sql).toBe(pos);
    }
  });

  it('reports bad escapes with their SQLSTATEs', () => {
    expect(lexError("SELECT E'\\u12'").code).toBe('22025');
    expect(lexError("SELECT E'\\xff'").code).toBe('22021');
    expect(lexError("SELECT E'\\0'").code).toBe('22021');
  });
});
