/*
 * scan.ts — the lexer: PostgreSQL's lexical rules (src/backend/parser/scan.l).
 *
 * Exports: tokenize(), Token, TokenKind, NAMEDATALEN, syntaxErrorAt(),
 *          charPosition().
 *
 * The lexer turns the query text into a flat array of tokens, one pass, no
 * backtracking beyond a few characters. The grammar (gram.ts) then walks the
 * array; having every token up front lets it look ahead as far as it needs
 * without re-scanning (PostgreSQL's base_yylex has a one-token lookahead for
 * NOT_LA, NULLS_LA, WITH_LA; here lookahead is just an index).
 *
 * Rules kept from scan.l (see README.md, "Lexical rules"):
 *  - identifiers fold ASCII letters to lower case and are truncated to
 *    NAMEDATALEN-1 bytes; "quoted" identifiers keep case, "" is a quote;
 *  - standard_conforming_strings is on: backslash is literal in '...'
 *    strings, escapes work only in E'...' strings;
 *  - two string literals separated by whitespace that holds a newline are one
 *    literal ('a'\n'b' = 'ab');
 *  - an operator is the longest run of operator characters, cut at a comment
 *    start, and losing trailing + and - unless it holds one of ~ ! @ # % ^ &
 *    | ` ? (so `a*-1` is a * (-1), but `a @- b` is the operator @-);
 *  - integers that do not fit int4 become FCONST (numeric) as in PostgreSQL.
 * Errors are PgError 42601 with PostgreSQL's message and the 1-based
 * character position of the offending token.
 */

import { PgError } from '../utils/errors.ts';
import { lookupKeyword, type Keyword } from './kwlist.ts';
import { applyUnicodeEscapes, type PendingUnicodeLiteral } from './scan_uescape.ts';

/** Identifiers are truncated to NAMEDATALEN-1 bytes, as PostgreSQL does. */
export const NAMEDATALEN = 64;

const SYNTAX_ERROR = '42601';
const INVALID_ESCAPE_SEQUENCE = '22025';
const CHARACTER_NOT_IN_REPERTOIRE = '22021';

/**
 * Token kinds follow the terminal names of gram.y. Single-character tokens
 * that gram.y names by their character (',', '(', '+', ...) are CHAR with the
 * character in `value`.
 */
export type TokenKind =
  | 'IDENT' // name; value = folded (or dequoted) name
  | 'KEYWORD' // value = lower-case keyword, keyword = its kwlist entry
  | 'SCONST' // string constant; value = the string
  | 'BCONST' // B'0101'; value = "b0101"
  | 'XCONST' // X'1F'; value = "x1F"
  | 'ICONST' // integer fitting int4; ival = its value
  | 'FCONST' // numeric constant; value = its text
  | 'PARAM' // $n; ival = n
  | 'Op' // any other operator; value = its text
  | 'TYPECAST' // ::
  | 'DOT_DOT' // ..
  | 'COLON_EQUALS' // :=
  | 'EQUALS_GREATER' // =>
  | 'LESS_EQUALS' // <=
  | 'GREATER_EQUALS' // >=
  | 'NOT_EQUALS' // <> or != (value is always "<>")
  | 'CHAR' // one of , ( ) [ ] . ; : + - * / % ^ < > = and stray characters
  | 'EOF';

export interface Token {
  kind: TokenKind;
  /** Meaning of the token (see TokenKind). */
  value: string;
  /** Integer value of ICONST and PARAM; 0 otherwise. */
  ival: number;
  /** The kwlist entry, for KEYWORD tokens. */
  keyword: Keyword | undefined;
  /** Was this IDENT written in double quotes? (Quoted names are never keywords.) */
  quoted: boolean;
  /** 0-based offset of the first character (UTF-16 units of the JS string). */
  start: number;
  /** 0-based offset just past the last character. */
  end: number;
}

/** 1-based character (code point) position of a 0-based string offset, as PostgreSQL counts. */
export function charPosition(sql: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < sql.length; i++) {
    const c = sql.charCodeAt(i);
    // The second half of a surrogate pair does not start a new character.
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = sql.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) continue;
    }
    n++;
  }
  return n;
}

/** `msg at or near "text"` (or `at end of input`), with PostgreSQL's position. */
export function syntaxErrorAt(sql: string, start: number, end: number, msg = 'syntax error', code = SYNTAX_ERROR): never {
  if (start >= sql.length) {
    throw new PgError(code, `${msg} at end of input`, { position: charPosition(sql, sql.length) });
  }
  throw new PgError(code, `${msg} at or near "${sql.slice(start, end)}"`, { position: charPosition(sql, start) });
}

// Character classes, as scan.l defines them. Codes >= 0x80 are identifier
// characters (scan.l's \200-\377: every byte of a multibyte character).
function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0x80;
}
function isIdentCont(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}
/** scan.l's space: [ \t\n\r\f\v]. */
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}
/** op_chars: ~ ! @ # ^ & | ` ? + - * / % < > = */
const OP_CHARS = new Uint8Array(128);
for (const ch of '~!@#^&|`?+-*/%<>=') OP_CHARS[ch.charCodeAt(0)] = 1;
/** Characters whose presence lets a multi-character operator end in + or -. */
const OP_KEEP_TRAILING_SIGN = new Uint8Array(128);
for (const ch of '~!@#^&|`?%') OP_KEEP_TRAILING_SIGN[ch.charCodeAt(0)] = 1;
/** scan.l's "self" characters: returned as themselves. */
const SELF_CHARS = ',()[].;:+-*/%^<>=';

function isOpChar(c: number): boolean {
  return c < 128 && OP_CHARS[c] === 1;
}

/** ASCII-only lower-casing, as downcase_identifier does for UTF-8 databases. */
function downcase(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return asciiLower(s);
  }
  return s;
}
function asciiLower(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s[i];
  }
  return out;
}

const utf8 = new TextEncoder();
/** truncate_identifier: keep at most NAMEDATALEN-1 bytes, never splitting a character. */
export function truncateIdentifier(name: string): string {
  if (name.length * 3 < NAMEDATALEN) return name; // at most 3 bytes per UTF-16 unit
  // Every identifier of every statement comes here: spare the common ASCII name an encode.
  if (name.length < NAMEDATALEN) {
    let ascii = true;
    for (let i = 0; i < name.length && ascii; i++) ascii = name.charCodeAt(i) < 0x80;
    if (ascii) return name;
  }
  if (utf8.encode(name).length < NAMEDATALEN) return name;
  let bytes = 0;
  let i = 0;
  for (const ch of name) {
    const n = utf8.encode(ch).length;
    if (bytes + n > NAMEDATALEN - 1) break;
    bytes += n;
    i += ch.length;
  }
  return name.slice(0, i);
}

/**
 * Scan `sql` into tokens, ending with one EOF token whose start is sql.length.
 * Throws PgError (42601, 22025/22021 for bad escapes) on the first lexical
 * error.
 */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  let pending: PendingUnicodeLiteral[] | null = null;

  const push = (kind: TokenKind, value: string, start: number, end: number, ival = 0, keyword?: Keyword, quoted = false): void => {
    out.push({ kind, value, ival, keyword, quoted, start, end });
  };

  while (i < n) {
    const c = sql.charCodeAt(i);

    // Whitespace and comments.
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 45 /* - */ && sql.charCodeAt(i + 1) === 45) {
      i = skipLineComment(sql, i);
      continue;
    }
    if (c === 47 /* / */ && sql.charCodeAt(i + 1) === 42 /* * */) {
      i = skipBlockComment(sql, i);
      continue;
    }

    const start = i;

    // Identifiers, keywords, and the prefixed literals B'', X'', E'', N'', U&.
    if (isIdentStart(c)) {
      const next = sql.charCodeAt(i + 1);
      if (next === 39 /* ' */) {
        if (c === 98 || c === 66) {
          const [v, e] = scanSimpleQuoted(sql, i + 1, 'unterminated bit string literal', start);
          push('BCONST', 'b' + v, start, e);
          i = e;
          continue;
        }
        if (c === 120 || c === 88) {
          const [v, e] = scanSimpleQuoted(sql, i + 1, 'unterminated hexadecimal string literal', start);
          push('XCONST', 'x' + v, start, e);
          i = e;
          continue;
        }
        if (c === 101 || c === 69) {
          const [v, e] = scanEscapeString(sql, i + 1, start);
          push('SCONST', v, start, e);
          i = e;
          continue;
        }
        if (c === 110 || c === 78) {
          // National character literal: the keyword NCHAR, then a plain string.
          push('KEYWORD', 'nchar', start, start + 1, 0, lookupKeyword('nchar'));
          i = start + 1;
          continue;
        }
      }
      if ((c === 117 || c === 85) && next === 38 /* & */) {
        // U&'...' and U&"...": scanned as plain literals, decoded after the loop (scan_uescape.ts).
        const q = sql.charCodeAt(i + 2);
        if (q === 39) {
          const [v, e] = scanPlainString(sql, i + 2, start);
          (pending ??= []).push({ index: out.length, text: v, identifier: false });
          push('SCONST', v, start, e);
          i = e;
          continue;
        }
        if (q === 34) {
          const [v, e] = scanQuotedIdentifier(sql, i + 2, start);
          (pending ??= []).push({ index: out.length, text: v, identifier: true });
          push('IDENT', v, start, e, 0, undefined, true);
          i = e;
          continue;
        }
      }
      i++;
      while (i < n && isIdentCont(sql.charCodeAt(i))) i++;
      const raw = sql.slice(start, i);
      const lower = downcase(raw);
      const kw = lookupKeyword(lower);
      if (kw !== undefined) push('KEYWORD', lower, start, i, 0, kw);
      else push('IDENT', truncateIdentifier(lower), start, i);
      continue;
    }

    // Numbers.
    if (isDigit(c) || (c === 46 /* . */ && isDigit(sql.charCodeAt(i + 1)))) {
      i = scanNumber(sql, i, push);
      continue;
    }

    switch (c) {
      case 39: {
        // '...' string constant
        const [v, e] = scanPlainString(sql, i, start);
        push('SCONST', v, start, e);
        i = e;
        continue;
      }
      case 34: {
        // "quoted identifier"
        const [v, j] = scanQuotedIdentifier(sql, i, start);
        push('IDENT', truncateIdentifier(v), start, j, 0, undefined, true);
        i = j;
        continue;
      }
      case 36: {
        // $n parameter, $tag$ dollar quote, or a stray $
        const d = sql.charCodeAt(i + 1);
        if (isDigit(d)) {
          let j = i + 1;
          while (j < n && (isDigit(sql.charCodeAt(j)) || (sql.charCodeAt(j) === 95 && isDigit(sql.charCodeAt(j + 1))))) j++;
          if (j < n && isIdentCont(sql.charCodeAt(j))) {
            let k = j;
            while (k < n && isIdentCont(sql.charCodeAt(k))) k++;
            syntaxErrorAt(sql, start, k, 'trailing junk after parameter');
          }
          const num = Number(sql.slice(i + 1, j).replace(/_/g, ''));
          if (num > 0x7fffffff) syntaxErrorAt(sql, start, j, 'parameter number too large');
          push('PARAM', sql.slice(i, j), start, j, num);
          i = j;
          continue;
        }
        let j = i + 1;
        if (d === 36 || (isIdentStart(d) && d !== 36)) {
          while (j < n && isIdentCont(sql.charCodeAt(j)) && sql.charCodeAt(j) !== 36) j++;
          if (sql.charCodeAt(j) === 36) {
            const delim = sql.slice(i, j + 1);
            const bodyStart = j + 1;
            const close = sql.indexOf(delim, bodyStart);
            if (close < 0) syntaxErrorAt(sql, start, n, 'unterminated dollar-quoted string');
            push('SCONST', sql.slice(bodyStart, close), start, close + delim.length);
            i = close + delim.length;
            continue;
          }
        }
        push('CHAR', '$', start, i + 1);
        i++;
        continue;
      }
      case 58: {
        // : :: :=
        const d = sql.charCodeAt(i + 1);
        if (d === 58) {
          push('TYPECAST', '::', start, i + 2);
          i += 2;
        } else if (d === 61) {
          push('COLON_EQUALS', ':=', start, i + 2);
          i += 2;
        } else {
          push('CHAR', ':', start, i + 1);
          i++;
        }
        continue;
      }
      case 46: {
        if (sql.charCodeAt(i + 1) === 46) {
          push('DOT_DOT', '..', start, i + 2);
          i += 2;
        } else {
          push('CHAR', '.', start, i + 1);
          i++;
        }
        continue;
      }
      case 44:
      case 40:
      case 41:
      case 91:
      case 93:
      case 59:
        push('CHAR', sql[i], start, i + 1);
        i++;
        continue;
    }

    if (isOpChar(c)) {
      i = scanOperator(sql, i, push);
      continue;
    }

    // Anything else is returned as a one-character token that the grammar
    // will reject with "syntax error at or near", as scan.l's catch-all does.
    const cp = sql.codePointAt(i) ?? c;
    const len = cp > 0xffff ? 2 : 1;
    push('CHAR', sql.slice(i, i + len), start, i + len);
    i += len;
  }
  push('EOF', '', n, n);
  return pending === null ? out : applyUnicodeEscapes(sql, out, pending);
}

/** "..." with "" for a quote; an empty name is an error. Returns the name (not truncated) and the end. */
function scanQuotedIdentifier(sql: string, q: number, start: number): [string, number] {
  let j = q + 1;
  let v = '';
  for (;;) {
    const k = sql.indexOf('"', j);
    if (k < 0) syntaxErrorAt(sql, start, sql.length, 'unterminated quoted identifier');
    v += sql.slice(j, k);
    if (sql.charCodeAt(k + 1) === 34) {
      v += '"';
      j = k + 2;
      continue;
    }
    j = k + 1;
    break;
  }
  if (v.length === 0) syntaxErrorAt(sql, start, j, 'zero-length delimited identifier');
  return [v, j];
}

function skipLineComment(sql: string, i: number): number {
  const k = sql.indexOf('\n', i + 2);
  const r = sql.indexOf('\r', i + 2);
  if (k < 0 && r < 0) return sql.length;
  if (k < 0) return r;
  if (r < 0) return k;
  return Math.min(k, r);
}

/** Skip a possibly nested comment starting at /* (scan.l's xc state). */
function skipBlockComment(sql: string, start: number): number {
  let depth = 1;
  let i = start + 2;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      depth++;
      i += 2;
    } else if (c === 42 && sql.charCodeAt(i + 1) === 47) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  syntaxErrorAt(sql, start, n, 'unterminated /* comment');
}

/**
 * After a closing quote: if only whitespace holding a newline (and -- comments)
 * separates it from another quote, return the index of that quote (the
 * literal continues), else -1. This is scan.l's quotecontinue.
 */
function quoteContinues(sql: string, i: number): number {
  const n = sql.length;
  let sawNewline = false;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 10 || c === 13) {
      sawNewline = true;
      i++;
    } else if (isSpace(c)) i++;
    else if (c === 45 && sql.charCodeAt(i + 1) === 45) i = skipLineComment(sql, i);
    else if (c === 39 && sawNewline) return i;
    else return -1;
  }
  return -1;
}

/** '...' with '' for a quote; backslashes are literal (standard_conforming_strings). */
function scanPlainString(sql: string, q: number, start: number): [string, number] {
  let v = '';
  let j = q + 1;
  for (;;) {
    const k = sql.indexOf("'", j);
    if (k < 0) syntaxErrorAt(sql, start, sql.length, 'unterminated quoted string');
    v += sql.slice(j, k);
    if (sql.charCodeAt(k + 1) === 39) {
      v += "'";
      j = k + 2;
      continue;
    }
    const more = quoteContinues(sql, k + 1);
    if (more >= 0) {
      j = more + 1;
      continue;
    }
    return [v, k + 1];
  }
}

/** Body of B'..' or X'..': no escapes; continuation across newlines as for strings. */
function scanSimpleQuoted(sql: string, q: number, unterminated: string, start: number): [string, number] {
  let v = '';
  let j = q + 1;
  for (;;) {
    const k = sql.indexOf("'", j);
    if (k < 0) syntaxErrorAt(sql, start, sql.length, unterminated);
    v += sql.slice(j, k);
    const more = quoteContinues(sql, k + 1);
    if (more >= 0) {
      j = more + 1;
      continue;
    }
    return [v, k + 1];
  }
}

/**
 * E'...' strings: backslash escapes \b \f \n \r \t \v, octal \ooo, hex \xhh,
 * Unicode \uXXXX and \UXXXXXXXX, and \c for any other c. Octal and hex
 * escapes produce bytes, so the result is assembled as UTF-8 and must decode.
 */
function scanEscapeString(sql: string, q: number, start: number): [string, number] {
  const bytes: number[] = [];
  const n = sql.length;
  let j = q + 1;
  let pendingHighSurrogate = -1;
  const pushCodePoint = (cp: number): void => {
    if (cp < 0x80) bytes.push(cp);
    else for (const b of utf8.encode(String.fromCodePoint(cp))) bytes.push(b);
  };
  const escError = (msg: string, at: number, hint?: string): never => {
    throw new PgError(INVALID_ESCAPE_SEQUENCE, msg, { position: charPosition(sql, at), ...(hint ? { hint } : {}) });
  };
  for (;;) {
    if (j >= n) syntaxErrorAt(sql, start, n, 'unterminated quoted string');
    const c = sql.charCodeAt(j);
    if (pendingHighSurrogate >= 0 && !(c === 92 && (sql[j + 1] === 'u' || sql[j + 1] === 'U'))) {
      escError('invalid Unicode surrogate pair', j);
    }
    if (c === 39) {
      if (sql.charCodeAt(j + 1) === 39) {
        bytes.push(39);
        j += 2;
        continue;
      }
      const more = quoteContinues(sql, j + 1);
      if (more >= 0) {
        j = more + 1;
        continue;
      }
      j++;
      break;
    }
    if (c !== 92) {
      const cp = sql.codePointAt(j) ?? c;
      pushCodePoint(cp);
      j += cp > 0xffff ? 2 : 1;
      continue;
    }
    // Backslash escape.
    const e = sql[j + 1];
    if (e === undefined) syntaxErrorAt(sql, start, n, 'unterminated quoted string');
    if (e >= '0' && e <= '7') {
      let k = j + 1;
      let v = 0;
      while (k < j + 4 && sql[k] >= '0' && sql[k] <= '7') v = v * 8 + (sql.charCodeAt(k++) - 48);
      bytes.push(v & 0xff);
      j = k;
      continue;
    }
    if (e === 'x' && isHexDigit(sql.charCodeAt(j + 2))) {
      let k = j + 2;
      let v = 0;
      while (k < j + 4 && isHexDigit(sql.charCodeAt(k))) v = v * 16 + parseInt(sql[k++], 16);
      bytes.push(v);
      j = k;
      continue;
    }
    if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const hex = sql.slice(j + 2, j + 2 + len);
      if (hex.length !== len || !/^[0-9A-Fa-f]+$/.test(hex)) {
        escError('invalid Unicode escape', j, 'Unicode escapes must be \\uXXXX or \\UXXXXXXXX.');
      }
      const cp = parseInt(hex, 16);
      if (pendingHighSurrogate >= 0) {
        if (cp < 0xdc00 || cp > 0xdfff) escError('invalid Unicode surrogate pair', j);
        pushCodePoint(0x10000 + ((pendingHighSurrogate - 0xd800) << 10) + (cp - 0xdc00));
        pendingHighSurrogate = -1;
      } else if (cp >= 0xd800 && cp <= 0xdbff) {
        pendingHighSurrogate = cp;
      } else if (cp === 0 || cp > 0x10ffff || (cp >= 0xdc00 && cp <= 0xdfff)) {
        escError(cp >= 0xdc00 && cp <= 0xdfff ? 'invalid Unicode surrogate pair' : 'invalid Unicode escape value', j);
      } else pushCodePoint(cp);
      j += 2 + len;
      continue;
    }
    const simple: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
    const s = simple[e];
    if (s !== undefined) bytes.push(s);
    else {
      const cp = sql.codePointAt(j + 1) ?? 0;
      pushCodePoint(cp);
      j += cp > 0xffff ? 3 : 2;
      continue;
    }
    j += 2;
  }
  for (let k = 0; k < bytes.length; k++) {
    if (bytes[k] === 0) {
      throw new PgError(CHARACTER_NOT_IN_REPERTOIRE, 'invalid byte sequence for encoding "UTF8": 0x00');
    }
  }
  let value: string;
  try {
    value = new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw new PgError(CHARACTER_NOT_IN_REPERTOIRE, `invalid byte sequence for encoding "UTF8": ${bad}`);
  }
  return [value, j];
}

/** The bytes PostgreSQL quotes in "invalid byte sequence" (roughly: the first bad sequence). */
function firstInvalidUtf8(bytes: number[]): string {
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k];
    const len = b < 0x80 ? 1 : b >= 0xf0 && b < 0xf8 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
    const seq = bytes.slice(k, k + Math.max(len, 1));
    const ok = len > 0 && seq.length === len && seq.slice(1).every((x) => (x & 0xc0) === 0x80);
    if (!ok) return bytes.slice(k, k + Math.max(Math.min(len, bytes.length - k), 1)).map((x) => '0x' + x.toString(16).padStart(2, '0')).join(' ');
    k += len - 1;
  }
  return '0x00';
}

type Push = (kind: TokenKind, value: string, start: number, end: number, ival?: number) => void;

/** Integer, decimal and real constants (scan.l's decinteger ... real_junk). */
function scanNumber(sql: string, i: number, push: Push): number {
  const n = sql.length;
  const start = i;
  // The common case first, before the closures below are made: plain digits ending at something that
  // cannot continue a number ({decinteger} without underscores, not "0x", not before '.', 'e' or junk).
  if (sql.charCodeAt(i) !== 48 || !isIdentCont(sql.charCodeAt(i + 1))) {
    let k = i;
    while (k < n && isDigit(sql.charCodeAt(k))) k++;
    if (k > i) {
      const c = k < n ? sql.charCodeAt(k) : -1;
      if (c !== 46 && c !== 95 && !isIdentCont(c)) return finishInteger(sql, start, k, push);
    }
  }
  const junkFrom = (k: number): never => {
    let e = k;
    while (e < n && isIdentCont(sql.charCodeAt(e))) e++;
    syntaxErrorAt(sql, start, e, 'trailing junk after numeric literal');
  };
  const digits = (k: number, ok: (c: number) => boolean): number => {
    // {d}(_?{d})*
    while (k < n) {
      const c = sql.charCodeAt(k);
      if (ok(c)) k++;
      else if (c === 95 && ok(sql.charCodeAt(k + 1)) && k > start && ok(sql.charCodeAt(k - 1))) k++;
      else break;
    }
    return k;
  };

  // 0x / 0o / 0b
  const c1 = sql.charCodeAt(i + 1) | 0x20;
  if (sql.charCodeAt(i) === 48 && (c1 === 120 || c1 === 111 || c1 === 98)) {
    const ok = c1 === 120 ? isHexDigit : c1 === 111 ? (c: number) => c >= 48 && c <= 55 : (c: number) => c === 48 || c === 49;
    const name = c1 === 120 ? 'hexadecimal' : c1 === 111 ? 'octal' : 'binary';
    let k = i + 2;
    if (sql.charCodeAt(k) === 95) k++;
    if (!ok(sql.charCodeAt(k))) {
      syntaxErrorAt(sql, start, k, `invalid ${name} integer`);
    }
    while (k < n) {
      const c = sql.charCodeAt(k);
      if (ok(c)) k++;
      else if (c === 95 && ok(sql.charCodeAt(k + 1))) k++;
      else break;
    }
    if (k < n && isIdentCont(sql.charCodeAt(k))) junkFrom(k);
    const text = sql.slice(start, k);
    const big = BigInt(text.replace(/_/g, ''));
    if (big <= 0x7fffffffn) push('ICONST', text, start, k, Number(big));
    else push('FCONST', text, start, k);
    return k;
  }

  let k = i;
  let isFloat = false;
  if (sql.charCodeAt(k) !== 46) k = digits(k, isDigit);
  if (sql.charCodeAt(k) === 46) {
    if (sql.charCodeAt(k + 1) === 46) {
      // numericfail: "1..": the integer, then DOT_DOT.
      return finishInteger(sql, start, k, push);
    }
    isFloat = true;
    k++;
    if (isDigit(sql.charCodeAt(k))) {
      const s = k;
      while (k < n) {
        const c = sql.charCodeAt(k);
        if (isDigit(c)) k++;
        else if (c === 95 && isDigit(sql.charCodeAt(k + 1)) && k > s) k++;
        else break;
      }
    }
  }
  const e = sql.charCodeAt(k) | 0x20;
  if (e === 101) {
    let m = k + 1;
    const sign = sql.charCodeAt(m);
    if (sign === 43 || sign === 45) m++;
    if (isDigit(sql.charCodeAt(m))) {
      const s = m;
      while (m < n) {
        const c = sql.charCodeAt(m);
        if (isDigit(c)) m++;
        else if (c === 95 && isDigit(sql.charCodeAt(m + 1)) && m > s) m++;
        else break;
      }
      k = m;
      isFloat = true;
    } else if (sign === 43 || sign === 45) {
      // realfail: "1e+" with no digits.
      syntaxErrorAt(sql, start, m, 'trailing junk after numeric literal');
    } else junkFrom(k);
  }
  if (k < n && isIdentCont(sql.charCodeAt(k))) junkFrom(k);
  if (isFloat) {
    push('FCONST', sql.slice(start, k), start, k);
    return k;
  }
  return finishInteger(sql, start, k, push);
}

function finishInteger(sql: string, start: number, k: number, push: Push): number {
  const text = sql.slice(start, k);
  const digitsOnly = text.length > 10 || text.includes('_') ? text.replace(/_/g, '') : text;
  const v = digitsOnly.length <= 10 ? Number(digitsOnly) : Infinity;
  if (v <= 0x7fffffff) push('ICONST', text, start, k, v);
  else push('FCONST', text, start, k);
  return k;
}

/** Operators (scan.l's {operator} rule with its trailing +/- and comment cuts). */
function scanOperator(sql: string, i: number, push: Push): number {
  const start = i;
  const n = sql.length;
  let k = i;
  while (k < n && isOpChar(sql.charCodeAt(k))) k++;
  // A comment start inside the run ends the operator.
  const run = sql.slice(start, k);
  const a = run.indexOf('/*');
  const b = run.indexOf('--');
  const cut = a < 0 ? b : b < 0 ? a : Math.min(a, b);
  if (cut > 0) k = start + cut;
  let len = k - start;
  if (len > 1) {
    const last = sql.charCodeAt(start + len - 1);
    if (last === 43 || last === 45) {
      let keep = false;
      for (let m = start; m < start + len - 1; m++) {
        if (OP_KEEP_TRAILING_SIGN[sql.charCodeAt(m)] === 1) {
          keep = true;
          break;
        }
      }
      if (!keep) {
        do len--;
        while (len > 1 && (sql.charCodeAt(start + len - 1) === 43 || sql.charCodeAt(start + len - 1) === 45));
      }
    }
  }
  const text = sql.slice(start, start + len);
  if (len === 1 && SELF_CHARS.includes(text)) {
    push('CHAR', text, start, start + 1);
  } else if (len === 2 && text === '=>') push('EQUALS_GREATER', text, start, start + 2);
  else if (len === 2 && text === '>=') push('GREATER_EQUALS', text, start, start + 2);
  else if (len === 2 && text === '<=') push('LESS_EQUALS', text, start, start + 2);
  else if (len === 2 && (text === '<>' || text === '!=')) push('NOT_EQUALS', '<>', start, start + 2);
  else {
    if (len >= NAMEDATALEN) syntaxErrorAt(sql, start, start + len, 'operator too long');
    push('Op', text, start, start + len);
  }
  return start + len;
}
