/*
 * like.ts — LIKE and ILIKE (PostgreSQL's like.c and like_match.c): a
 * pattern is prepared once and then matched against strings (the Datum
 * form of text) or against the UTF-8 bytes of a stored value, without
 * decoding them (a scan key, access/common/scankey.ts).
 *
 * Exports:
 *   LikePattern                  a prepared pattern: matchString, matchBytes
 *   likePattern(pattern, ci)     the prepared form, memoized (fn_extra's role)
 *   likeMatch(s, pattern, ci)    one test, as textlike / texticlike
 *
 * Matching follows MatchText of like_match.c, on UTF-16 code units for
 * strings and on bytes for UTF-8 (UTF8_MatchText): literal units compare
 * one by one (equal code-unit or byte sequences are equal characters in
 * both encodings), `_` steps over one whole character (a surrogate pair, a
 * multi-byte sequence), `%` tries each later position whose unit equals
 * the pattern's next literal unit, and the ABORT result cuts the search
 * short when the rest of the text is too short. Backslash escapes the next
 * unit. As in PostgreSQL, a pattern ending in a lone backslash is an error
 * (22025) only when the match reaches it: 'xyz' LIKE 'a\' is false.
 *
 * Patterns without `_` or escapes whose `%` are only at the ends, by far
 * the common ones ('abc', 'abc%', '%abc', '%abc%'), are matched as equality,
 * prefix, suffix or substring tests (indexOf on strings, a byte search on
 * bytes): for them MatchText gives exactly these answers.
 *
 * ILIKE, as PostgreSQL does in a multi-byte encoding: lower() of the string
 * and of the pattern, then LIKE. It has no byte form (matchBytes is null).
 */

import { ereport } from '../errors.ts';
import { utf8Encode } from './text.ts';

const PERCENT = 0x25;
const UNDERSCORE = 0x5f;
const BACKSLASH = 0x5c;

/** MatchText's three answers: ABORT means no later start position can match either. */
const LIKE_TRUE = 1;
const LIKE_FALSE = 0;
const LIKE_ABORT = -1;

const enum LikeForm {
  /** Any text matches: only `%` in the pattern. */
  Any,
  Exact,
  Prefix,
  Suffix,
  Contains,
  /** Everything else: the MatchText walk. */
  General,
}

function endsWithEscapeError(): never {
  return ereport('22025', 'LIKE pattern must not end with escape character');
}

/* ------------------------------------------------------------ strings */

/** Steps over the character at s[i] (two units for a surrogate pair). */
function nextCharUnit(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return i + 2;
  }
  return i + 1;
}

/** MatchText over UTF-16 code units: t[ti..], p[pi..]. */
function matchTextString(t: string, ti: number, p: string, pi: number): number {
  const tlen = t.length;
  const plen = p.length;
  if (plen - pi === 1 && p.charCodeAt(pi) === PERCENT) return LIKE_TRUE;
  while (ti < tlen && pi < plen) {
    const pc = p.charCodeAt(pi);
    if (pc === BACKSLASH) {
      pi++;
      if (pi >= plen) endsWithEscapeError();
      if (p.charCodeAt(pi) !== t.charCodeAt(ti)) return LIKE_FALSE;
    } else if (pc === PERCENT) {
      pi++;
      // A run of % and _: each _ consumes one character of the text.
      while (pi < plen) {
        const c = p.charCodeAt(pi);
        if (c === PERCENT) pi++;
        else if (c === UNDERSCORE) {
          if (ti >= tlen) return LIKE_ABORT;
          ti = nextCharUnit(t, ti);
          pi++;
        } else break;
      }
      if (pi >= plen) return LIKE_TRUE;
      let first: number;
      if (p.charCodeAt(pi) === BACKSLASH) {
        if (pi + 1 >= plen) endsWithEscapeError();
        first = p.charCodeAt(pi + 1);
      } else first = p.charCodeAt(pi);
      while (ti < tlen) {
        if (t.charCodeAt(ti) === first) {
          const r = matchTextString(t, ti, p, pi);
          if (r !== LIKE_FALSE) return r;
        }
        ti = nextCharUnit(t, ti);
      }
      return LIKE_ABORT;
    } else if (pc === UNDERSCORE) {
      ti = nextCharUnit(t, ti);
      pi++;
      continue;
    } else if (pc !== t.charCodeAt(ti)) {
      return LIKE_FALSE;
    }
    ti++;
    pi++;
  }
  if (ti < tlen) return LIKE_FALSE;
  while (pi < plen && p.charCodeAt(pi) === PERCENT) pi++;
  return pi >= plen ? LIKE_TRUE : LIKE_ABORT;
}

/* -------------------------------------------------------------- bytes */

/** Steps over the UTF-8 character starting at b[i] (its continuation bytes are 10xxxxxx). */
function nextCharByte(b: Uint8Array, i: number, end: number): number {
  i++;
  while (i < end && (b[i] & 0xc0) === 0x80) i++;
  return i;
}

/** MatchText over UTF-8 bytes: t[ti..tend), p[pi..) (UTF8_MatchText). */
function matchTextBytes(t: Uint8Array, ti: number, tend: number, p: Uint8Array, pi: number): number {
  const plen = p.length;
  if (plen - pi === 1 && p[pi] === PERCENT) return LIKE_TRUE;
  while (ti < tend && pi < plen) {
    const pc = p[pi];
    if (pc === BACKSLASH) {
      pi++;
      if (pi >= plen) endsWithEscapeError();
      if (p[pi] !== t[ti]) return LIKE_FALSE;
    } else if (pc === PERCENT) {
      pi++;
      while (pi < plen) {
        const c = p[pi];
        if (c === PERCENT) pi++;
        else if (c === UNDERSCORE) {
          if (ti >= tend) return LIKE_ABORT;
          ti = nextCharByte(t, ti, tend);
          pi++;
        } else break;
      }
      if (pi >= plen) return LIKE_TRUE;
      let first: number;
      if (p[pi] === BACKSLASH) {
        if (pi + 1 >= plen) endsWithEscapeError();
        first = p[pi + 1];
      } else first = p[pi];
      while (ti < tend) {
        if (t[ti] === first) {
          const r = matchTextBytes(t, ti, tend, p, pi);
          if (r !== LIKE_FALSE) return r;
        }
        ti = nextCharByte(t, ti, tend);
      }
      return LIKE_ABORT;
    } else if (pc === UNDERSCORE) {
      ti = nextCharByte(t, ti, tend);
      pi++;
      continue;
    } else if (pc !== t[ti]) {
      return LIKE_FALSE;
    }
    ti++;
    pi++;
  }
  if (ti < tend) return LIKE_FALSE;
  while (pi < plen && p[pi] === PERCENT) pi++;
  return pi >= plen ? LIKE_TRUE : LIKE_ABORT;
}

/** Whether lit occurs in b[start..end) at position at. */
function bytesAt(b: Uint8Array, at: number, lit: Uint8Array): boolean {
  for (let k = 0; k < lit.length; k++) if (b[at + k] !== lit[k]) return false;
  return true;
}

/** Whether lit occurs anywhere in b[start..end): a first-byte scan, then a compare. */
function bytesContain(b: Uint8Array, start: number, end: number, lit: Uint8Array): boolean {
  const n = lit.length;
  if (n === 0) return true;
  const first = lit[0];
  const last = end - n;
  for (let i = start; i <= last; i++) {
    if (b[i] !== first) continue;
    let k = 1;
    while (k < n && b[i + k] === lit[k]) k++;
    if (k === n) return true;
  }
  return false;
}

/* ------------------------------------------------------------ pattern */

/** A LIKE pattern (backslash escapes), prepared once for many texts. */
export class LikePattern {
  readonly pattern: string;
  readonly caseInsensitive: boolean;
  private readonly form: LikeForm;
  /** The pattern as matched (lower-cased for ILIKE). */
  private readonly pat: string;
  /** The literal of the Exact/Prefix/Suffix/Contains forms. */
  private readonly lit: string;
  private readonly patBytes: Uint8Array;
  private readonly litBytes: Uint8Array;

  constructor(pattern: string, caseInsensitive: boolean) {
    this.pattern = pattern;
    this.caseInsensitive = caseInsensitive;
    const pat = caseInsensitive ? pattern.toLowerCase() : pattern;
    this.pat = pat;
    let form = LikeForm.General;
    let lit = '';
    if (pat.indexOf('_') < 0 && pat.indexOf('\\') < 0) {
      let a = 0;
      let b = pat.length;
      while (a < b && pat.charCodeAt(a) === PERCENT) a++;
      while (b > a && pat.charCodeAt(b - 1) === PERCENT) b--;
      lit = pat.slice(a, b);
      if (lit.indexOf('%') < 0) {
        const lead = a > 0;
        const trail = b < pat.length;
        if (lit.length === 0) form = lead ? LikeForm.Any : LikeForm.Exact;
        else if (lead && trail) form = LikeForm.Contains;
        else if (lead) form = LikeForm.Suffix;
        else if (trail) form = LikeForm.Prefix;
        else form = LikeForm.Exact;
      }
    }
    this.form = form;
    this.lit = lit;
    this.patBytes = utf8Encode(pat);
    this.litBytes = utf8Encode(lit);
  }

  /** textlike(s, pattern) (texticlike for ILIKE). */
  matchString(s: string): boolean {
    const t = this.caseInsensitive ? s.toLowerCase() : s;
    switch (this.form) {
      case LikeForm.Any:
        return true;
      case LikeForm.Exact:
        return t === this.lit;
      case LikeForm.Prefix:
        return t.startsWith(this.lit);
      case LikeForm.Suffix:
        return t.endsWith(this.lit);
      case LikeForm.Contains:
        return t.includes(this.lit);
      default:
        return matchTextString(t, 0, this.pat, 0) === LIKE_TRUE;
    }
  }

  /**
   * LIKE on the UTF-8 bytes b[start..end) of a text value, with the same
   * answers as matchString on its decoded string. Not for ILIKE (lower()
   * needs the characters).
   */
  matchBytes(b: Uint8Array, start: number, end: number): boolean {
    const lit = this.litBytes;
    switch (this.form) {
      case LikeForm.Any:
        return true;
      case LikeForm.Exact:
        return end - start === lit.length && bytesAt(b, start, lit);
      case LikeForm.Prefix:
        return end - start >= lit.length && bytesAt(b, start, lit);
      case LikeForm.Suffix:
        return end - start >= lit.length && bytesAt(b, end - lit.length, lit);
      case LikeForm.Contains:
        return bytesContain(b, start, end, lit);
      default:
        return matchTextBytes(b, start, end, this.patBytes, 0) === LIKE_TRUE;
    }
  }
}

/*
 * The prepared pattern of the last call, per case mode, and a bounded map
 * behind it: a query's pattern is nearly always one constant string (the
 * same object every row, so the identity test is all it costs), and the
 * map serves queries that alternate a few patterns. PostgreSQL keeps such
 * per-call-site state in fn_extra.
 */
let lastCs: LikePattern | null = null;
let lastCi: LikePattern | null = null;
const preparedCs = new Map<string, LikePattern>();
const preparedCi = new Map<string, LikePattern>();
const PREPARED_MAX = 256;

/** The prepared form of a pattern (memoized). */
export function likePattern(pattern: string, caseInsensitive: boolean): LikePattern {
  const last = caseInsensitive ? lastCi : lastCs;
  if (last !== null && last.pattern === pattern) return last;
  const map = caseInsensitive ? preparedCi : preparedCs;
  let lp = map.get(pattern);
  if (lp === undefined) {
    lp = new LikePattern(pattern, caseInsensitive);
    if (map.size >= PREPARED_MAX) map.clear();
    map.set(pattern, lp);
  }
  if (caseInsensitive) lastCi = lp;
  else lastCs = lp;
  return lp;
}

/** s LIKE pattern (ILIKE when caseInsensitive), backslash as the escape. */
export function likeMatch(s: string, pattern: string, caseInsensitive: boolean): boolean {
  return likePattern(pattern, caseInsensitive).matchString(s);
}
