/*
 * scan_uescape.ts — Unicode escape literals: U&'...' strings and U&"..."
 * identifiers with an optional UESCAPE clause (scan.l's xus/xui states and
 * the UIDENT/USCONST branch of parser.c's base_yylex, with str_udeescape).
 *
 * Exports: applyUnicodeEscapes(sql, tokens, pending).
 *
 * The lexer scans U&'..' and U&".." like plain quoted literals and records
 * them as pending. Afterwards this pass looks one token ahead of each: a
 * UESCAPE keyword must be followed by a simple string literal of one
 * character, which replaces the default escape `\`; the three tokens become
 * one. Then the escapes are decoded: `\XXXX` (4 hex digits), `\+XXXXXX`
 * (6 hex digits), `\\` for the escape character itself; UTF-16 surrogate
 * pairs written as two escapes combine into one character. A decoded
 * identifier is then truncated to NAMEDATALEN-1 bytes (never folded to lower
 * case).
 *
 * Errors, as PostgreSQL reports them: a UESCAPE without a string after it,
 * or an escape character that is a hex digit, `+`, a quote or white space,
 * is 42601 at the third token; bad escapes inside the literal are 42601 with
 * the position of the escape (the literal's start + 3 + the offset in its
 * dequoted text, as str_udeescape computes it).
 */

import { PgError } from '../utils/errors.ts';
import { charPosition, syntaxErrorAt, truncateIdentifier, type Token } from './scan.ts';

const SYNTAX_ERROR = '42601';

/** A U& literal found by the lexer: its token's index and its dequoted, still escaped text. */
export interface PendingUnicodeLiteral {
  index: number;
  text: string;
  identifier: boolean;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** check_uescapechar: anything but a hex digit, `+`, a quote or white space. */
function validEscapeChar(s: string): boolean {
  if (s.length !== 1) return false;
  const c = s.charCodeAt(0);
  return !(isHex(c) || c === 43 || c === 39 || c === 34 || c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11);
}

/**
 * Decode the pending U& literals of `tokens` in place (consuming UESCAPE
 * clauses). Returns the token array, shortened when UESCAPE clauses were
 * consumed.
 */
export function applyUnicodeEscapes(sql: string, tokens: Token[], pending: PendingUnicodeLiteral[]): Token[] {
  let drop: Set<number> | null = null;
  for (const p of pending) {
    const tok = tokens[p.index];
    let esc = '\\';
    const next = tokens[p.index + 1];
    if (next !== undefined && next.kind === 'KEYWORD' && next.value === 'uescape') {
      const third = tokens[p.index + 2];
      if (third.kind !== 'SCONST' || pending.some((q) => q.index === p.index + 2)) {
        syntaxErrorAt(sql, third.start, third.end, 'UESCAPE must be followed by a simple string literal');
      }
      if (!validEscapeChar(third.value)) syntaxErrorAt(sql, third.start, third.end, 'invalid Unicode escape character');
      esc = third.value;
      drop ??= new Set();
      drop.add(p.index + 1);
      drop.add(p.index + 2);
      tok.end = third.end;
    }
    const v = decodeUnicodeEscapes(sql, p.text, esc, tok.start);
    if (p.identifier) {
      tok.value = truncateIdentifier(v);
    } else tok.value = v;
  }
  if (drop === null) return tokens;
  const kept = drop;
  return tokens.filter((_, i) => !kept.has(i));
}

/** str_udeescape: the escapes of a U& literal's text decoded. `start` is the token's offset in sql. */
function decodeUnicodeEscapes(sql: string, text: string, esc: string, start: number): string {
  const escCode = esc.charCodeAt(0);
  const fail = (msg: string, at: number, hint?: string): never => {
    throw new PgError(SYNTAX_ERROR, msg, { position: charPosition(sql, start + 3 + at), ...(hint !== undefined ? { hint } : {}) });
  };
  if (text.indexOf(esc) < 0) return text;
  let out = '';
  let pairFirst = -1;
  let i = 0;
  const n = text.length;
  const hexRun = (from: number, len: number): number => {
    for (let k = from; k < from + len; k++) if (k >= n || !isHex(text.charCodeAt(k))) return -1;
    return parseInt(text.slice(from, from + len), 16);
  };
  while (i < n) {
    if (text.charCodeAt(i) !== escCode) {
      if (pairFirst >= 0) fail('invalid Unicode surrogate pair', i);
      const cp = text.codePointAt(i) ?? 0;
      const len = cp > 0xffff ? 2 : 1;
      out += text.slice(i, i + len);
      i += len;
      continue;
    }
    if (text.charCodeAt(i + 1) === escCode) {
      if (pairFirst >= 0) fail('invalid Unicode surrogate pair', i);
      out += esc;
      i += 2;
      continue;
    }
    let cp = hexRun(i + 1, 4);
    let width = 5;
    if (cp < 0 && text.charCodeAt(i + 1) === 43 /* + */) {
      cp = hexRun(i + 2, 6);
      width = 8;
    }
    if (cp < 0) fail('invalid Unicode escape', i, 'Unicode escapes must be \\XXXX or \\+XXXXXX.');
    if (cp === 0 || cp > 0x10ffff) fail('invalid Unicode escape value', i);
    if (pairFirst >= 0) {
      if (cp < 0xdc00 || cp > 0xdfff) fail('invalid Unicode surrogate pair', i);
      out += String.fromCodePoint(0x10000 + ((pairFirst - 0xd800) << 10) + (cp - 0xdc00));
      pairFirst = -1;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      fail('invalid Unicode surrogate pair', i);
    } else if (cp >= 0xd800 && cp <= 0xdbff) {
      pairFirst = cp;
    } else out += String.fromCodePoint(cp);
    i += width;
  }
  if (pairFirst >= 0) fail('invalid Unicode surrogate pair', i);
  return out;
}
