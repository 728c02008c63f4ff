/*
 * regexp.ts — POSIX regular expressions (~, ~*, !~, !~*, substring(x from
 * pattern), regexp_replace, regexp_match, regexp_split_to_table/array),
 * PostgreSQL's regexp.c, and the text functions that sit beside them in
 * varlena.c and quote.c: format, quote_ident, quote_literal,
 * quote_nullable, translate, overlay.
 *
 * Exports: REGEXP_FUNCS (ImplTable keyed by prosrc), compileRegex(pattern, flags)
 *
 * PostgreSQL's advanced regular expressions (Henry Spencer's engine) are
 * run on JavaScript's RegExp after a translation of what differs: `.`
 * matches a newline (dotAll) unless the 'n' flag is given, bracket classes
 * [[:alpha:]] and friends become explicit ranges, \m \M \y become \b, \A
 * and \Z become ^ and $. Constructs JavaScript lacks (back-references to
 * later groups, collating elements [[.x.]]) raise 2201B as an invalid
 * regular expression. README.md lists this among the deliberate differences.
 */

import type { ImplTable } from '../fmgr/fmgrimpl.ts';
import { fixed, set } from '../fmgr/fmgrimpl.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { ArrayValue } from './array.ts';
import { lookupKeyword } from '../../parser/kwlist.ts';
import { anyToText } from './varlena.ts';

const str = (v: unknown): string => v as string;

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z\\u00C0-\\u024F', digit: '0-9', alnum: 'a-zA-Z0-9\\u00C0-\\u024F', upper: 'A-Z', lower: 'a-z',
  space: '\\s', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: '\\w', blank: ' \\t', cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e', graph: '\\x21-\\x7e',
};

function invalidRegex(detail: string): never {
  return ereport('2201B', `invalid regular expression: ${detail}`);
}

/** Translates a PostgreSQL ARE to JavaScript's syntax. */
function translate(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const d = pattern[i + 1];
      if (d === undefined) invalidRegex('invalid escape \\ sequence');
      i++;
      if (d === 'm' || d === 'M' || d === 'y') out += '\\b';
      else if (d === 'A') out += '^';
      else if (d === 'Z') out += '$';
      else out += '\\' + d;
      continue;
    }
    if (c === '[') {
      // A bracket expression: copy it, expanding [:class:].
      let j = i + 1;
      let body = '';
      if (pattern[j] === '^') {
        body += '^';
        j++;
      }
      if (pattern[j] === ']') {
        body += '\\]';
        j++;
      }
      for (; j < pattern.length && pattern[j] !== ']'; j++) {
        if (pattern[j] === '[' && pattern[j + 1] === ':') {
          const end = pattern.indexOf(':]', j + 2);
          if (end < 0) invalidRegex('brackets [] not balanced');
          const name = pattern.slice(j + 2, end);
          const cls = POSIX_CLASSES[name];
          if (cls === undefined) invalidRegex('invalid character class');
          body += cls;
          j = end + 1;
        } else if (pattern[j] === '[' && (pattern[j + 1] === '.' || pattern[j + 1] === '=')) {
          invalidRegex('invalid collating element');
        } else if (pattern[j] === '\\') {
          body += '\\\\';
        } else {
          body += pattern[j];
        }
      }
      if (j >= pattern.length) invalidRegex('brackets [] not balanced');
      out += '[' + body + ']';
      i = j;
      continue;
    }
    out += c;
  }
  return out;
}

/** PostgreSQL's wording (regerror) for the JavaScript parser's complaints. */
function regexErrorText(js: string): string {
  if (/Unterminated group|Unmatched '\)'/.test(js)) return 'parentheses () not balanced';
  if (/Unterminated character class/.test(js)) return 'brackets [] not balanced';
  if (/Nothing to repeat/.test(js)) return 'quantifier operand invalid';
  if (/Incomplete quantifier|numbers out of order/.test(js)) return 'invalid repetition count(s)';
  if (/Invalid escape|\\ at end of pattern/.test(js)) return 'invalid escape \\ sequence';
  if (/Range out of order/.test(js)) return 'invalid character range';
  return js.replace(/^Invalid regular expression: /, '');
}

const cache = new Map<string, RegExp>();
const CACHE_MAX = 256;

/** The compiled pattern for PostgreSQL flags ('i' case-insensitive, 'g' global, 'n' newline-sensitive, 's', 'c', 'x'). */
export function compileRegex(pattern: string, flags: string): RegExp {
  const key = flags + '\u0000' + pattern;
  const hit = cache.get(key);
  if (hit !== undefined) {
    hit.lastIndex = 0;
    return hit;
  }
  let js = '';
  let newlineSensitive = false;
  let src = pattern;
  for (const f of flags) {
    switch (f) {
      case 'i': js += 'i'; break;
      case 'g': js += 'g'; break;
      case 'c': case 's': break;
      case 'n': case 'm': newlineSensitive = true; break;
      case 'x': src = src.replace(/\s+|#[^\n]*/g, ''); break;
      default:
        ereport(SQLSTATE.invalid_parameter_value, `invalid regular expression option: "${f}"`);
    }
  }
  js += newlineSensitive ? 'm' : 's';
  let re: RegExp;
  try {
    re = new RegExp(translate(src), js);
  } catch (e) {
    return invalidRegex(regexErrorText(e instanceof Error ? e.message : String(e)));
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, re);
  return re;
}

/** regexp_replace's replacement: \1..\9 and \& name the groups; other backslashes escape. */
function jsReplacement(r: string): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const c = r[i];
    if (c === '$') out += '$$';
    else if (c === '\\' && i + 1 < r.length) {
      const d = r[++i];
      if (d >= '1' && d <= '9') out += '$' + d;
      else if (d === '&') out += '$&';
      else out += d === '$' ? '$$' : d;
    } else out += c;
  }
  return out;
}

function regexpReplace(s: string, p: string, r: string, flags: string): string {
  const re = compileRegex(p, flags);
  return s.replace(re, jsReplacement(r));
}

function regexpMatch(s: string, p: string, flags: string): ArrayValue | null {
  if (flags.includes('g')) {
    ereport(SQLSTATE.invalid_parameter_value, 'regexp_match() does not support the "global" option', {
      hint: 'Use the regexp_matches function instead.',
    });
  }
  const m = compileRegex(p, flags).exec(s);
  if (m === null) return null;
  const groups = m.length > 1 ? m.slice(1).map((g) => g ?? null) : [m[0]];
  return ArrayValue.of(25, groups);
}

function regexpSplit(s: string, p: string, flags: string): string[] {
  if (flags.includes('g')) {
    ereport(SQLSTATE.invalid_parameter_value, 'regexp_split_to_table() does not support the "global" option');
  }
  const re = compileRegex(p, flags + 'g');
  const out: string[] = [];
  let start = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (m === null) break;
    const at = m.index;
    const len = m[0].length;
    if (len === 0) {
      // An empty match splits between characters, never at either end or right where a piece starts.
      if (at >= s.length) break;
      if (at === start) {
        pos = at + 1;
        continue;
      }
    }
    out.push(s.slice(start, at));
    start = at + len;
    pos = len === 0 ? at + 1 : start;
  }
  out.push(s.slice(start));
  return out;
}

/** substring(s from pattern): the first parenthesized group's text if there is one, else the whole match. */
function regexSubstr(s: string, p: string): string | null {
  const m = compileRegex(p, '').exec(s);
  if (m === null) return null;
  return m.length > 1 ? (m[1] ?? null) : m[0];
}

/* ------------------------------------------------------------ quoting */

export function quoteIdent(s: string): string {
  const safe = /^[a-z_][a-z0-9_$]*$/.test(s);
  const kw = lookupKeyword(s);
  if (safe && (kw === undefined || kw.category === 'U')) return s;
  return '"' + s.replace(/"/g, '""') + '"';
}

export function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** format(): %s, %I, %L and %% with optional n$ positions and widths (- for left alignment). */
function format(fmt: string, args: unknown[], types: readonly number[] | undefined): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    if (++i >= fmt.length) ereport(SQLSTATE.invalid_parameter_value, 'unterminated format() type specifier', { hint: 'For a single "%" use "%%".' });
    if (fmt[i] === '%') {
      out += '%';
      continue;
    }
    const m = /^(?:(\d+)\$)?(-)?(\d+)?([sIL])/.exec(fmt.slice(i));
    if (m === null) {
      const bad = fmt[i];
      ereport(SQLSTATE.invalid_parameter_value, `unrecognized format() type specifier "${bad}"`, { hint: 'For a single "%" use "%%".' });
    }
    i += m[0].length - 1;
    const argIndex = m[1] !== undefined ? Number(m[1]) - 1 : next;
    if (m[1] !== undefined && Number(m[1]) === 0) ereport(SQLSTATE.invalid_parameter_value, 'format specifies argument 0, but arguments are numbered from 1');
    next = argIndex + 1;
    if (argIndex >= args.length) ereport(SQLSTATE.invalid_parameter_value, 'too few arguments for format()');
    const v = args[argIndex];
    const text = v === null ? null : anyToText(v, types?.[argIndex + 1]);
    let piece: string;
    switch (m[4]) {
      case 's': piece = text ?? ''; break;
      case 'I':
        if (text === null) ereport('22004', 'null values cannot be formatted as an SQL identifier');
        piece = quoteIdent(text);
        break;
      default: piece = text === null ? 'NULL' : quoteLiteral(text);
    }
    const width = m[3] !== undefined ? Number(m[3]) : 0;
    if (piece.length < width) piece = m[2] !== undefined ? piece.padEnd(width) : piece.padStart(width);
    out += piece;
  }
  return out;
}

function translateChars(s: string, from: string, to: string): string {
  const f = Array.from(from);
  const t = Array.from(to);
  let out = '';
  for (const c of s) {
    const i = f.indexOf(c);
    if (i < 0) out += c;
    else if (i < t.length) out += t[i];
  }
  return out;
}

function overlay(s: string, r: string, start: number, len: number | null): string {
  const a = Array.from(s);
  const l = len ?? Array.from(r).length;
  if (start < 1) ereport('22011', 'negative substring length not allowed');
  if (l < 0) ereport('22011', 'negative substring length not allowed');
  return a.slice(0, start - 1).join('') + r + a.slice(start - 1 + l).join('');
}

export const REGEXP_FUNCS: ImplTable = {
  textregexeq: fixed((a) => compileRegex(str(a[1]), '').test(str(a[0]))),
  textregexne: fixed((a) => !compileRegex(str(a[1]), '').test(str(a[0]))),
  texticregexeq: fixed((a) => compileRegex(str(a[1]), 'i').test(str(a[0]))),
  texticregexne: fixed((a) => !compileRegex(str(a[1]), 'i').test(str(a[0]))),
  textregexsubstr: fixed((a) => regexSubstr(str(a[0]), str(a[1]))),
  textregexreplace_noopt: fixed((a) => regexpReplace(str(a[0]), str(a[1]), str(a[2]), '')),
  textregexreplace: fixed((a) => regexpReplace(str(a[0]), str(a[1]), str(a[2]), str(a[3]))),
  regexp_match_no_flags: fixed((a) => regexpMatch(str(a[0]), str(a[1]), '')),
  regexp_match: fixed((a) => regexpMatch(str(a[0]), str(a[1]), str(a[2]))),
  regexp_split_to_array_no_flags: fixed((a) => ArrayValue.of(25, regexpSplit(str(a[0]), str(a[1]), ''))),
  regexp_split_to_array: fixed((a) => ArrayValue.of(25, regexpSplit(str(a[0]), str(a[1]), str(a[2])))),
  regexp_split_to_table_no_flags: set((a) => regexpSplit(str(a[0]), str(a[1]), '')),
  regexp_split_to_table: set((a) => regexpSplit(str(a[0]), str(a[1]), str(a[2]))),
  quote_ident: fixed((a) => quoteIdent(str(a[0]))),
  quote_literal: fixed((a) => quoteLiteral(str(a[0]))),
  quote_nullable: fixed((a) => (a[0] === null ? 'NULL' : quoteLiteral(str(a[0])))),
  text_format: fixed((a, _c, _t, types) => (a[0] === null ? null : format(str(a[0]), a.slice(1), types))),
  text_format_nv: fixed((a) => (a[0] === null ? null : format(str(a[0]), [], undefined))),
  translate: fixed((a) => translateChars(str(a[0]), str(a[1]), str(a[2]))),
  textoverlay: fixed((a) => overlay(str(a[0]), str(a[1]), a[2] as number, a[3] as number)),
  textoverlay_no_len: fixed((a) => overlay(str(a[0]), str(a[1]), a[2] as number, null)),
};
