/*
 * varlena.ts — the string functions: PostgreSQL's varlena.c,
 * oracle_compat.c, like.c and the text parts of misc functions, as fmgr
 * sees them.
 *
 * Exports:
 *   STRING_FUNCS     ImplTable keyed by prosrc (textlen, text_substr, lpad, textlike, ...)
 *   likeEscape(pattern, escape)              like_escape()
 *   md5Hex(bytes)
 *
 * LIKE's matching itself is like.ts; textlike and friends call it.
 *
 * Strings are JavaScript strings; positions and lengths count code points,
 * as PostgreSQL counts characters in a UTF-8 database. lower/upper/initcap
 * use Unicode case mapping, as PostgreSQL does with a UTF-8 ctype (PGlite's
 * C.UTF-8); comparison stays by code point (README.md "Collation").
 */

import { argType } from './argtypes.ts';
import type { Datum } from './datum.ts';
import type { ImplTable, ScalarImpl } from '../fmgr/fmgrimpl.ts';
import { fixed } from '../fmgr/fmgrimpl.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { bpcharTrim, charLength, utf8Encode } from './text.ts';
import { typeByOid } from './types.ts';
import { likeMatch } from './like.ts';

const str = (v: unknown): string => v as string;
const int = (v: unknown): number => v as number;

const SURROGATE_RE = /[\uD800-\uDFFF]/;
/** Code points of s (only split when s has astral characters, the rare case). */
const chars = (s: string): string[] => (SURROGATE_RE.test(s) ? Array.from(s) : s.split(''));

/* ------------------------------------------------------------------ case */

const asciiLower = (s: string): string => s.toLowerCase();
const asciiUpper = (s: string): string => s.toUpperCase();

function initcap(s: string): string {
  let out = '';
  let wasAlnum = false;
  for (const c of s) {
    const isAlnum = /[\p{L}\p{N}]/u.test(c);
    if (/\p{L}/u.test(c)) out += wasAlnum ? c.toLowerCase() : c.toUpperCase();
    else out += c;
    wasAlnum = isAlnum;
  }
  return out;
}

/* ------------------------------------------------------------- substring */

/** text_substr: characters from position start (1-based, may be <= 0), count len (absent: to the end). */
function substr(s: string, start: number, len: number | null): string {
  if (len !== null && len < 0) ereport('22011', 'negative substring length not allowed');
  const begin = Math.max(start, 1);
  let end: number;
  if (len === null) end = Number.MAX_SAFE_INTEGER;
  else {
    end = start + len;
    if (end < begin) return '';
  }
  if (!SURROGATE_RE.test(s)) return s.slice(begin - 1, Math.min(end - 1, s.length));
  return chars(s).slice(begin - 1, end - 1).join('');
}

function position(s: string, needle: string): number {
  const i = s.indexOf(needle);
  if (i < 0) return 0;
  return charLength(s.slice(0, i)) + 1;
}

/* ------------------------------------------------------------------ trim */

function trim(s: string, set: string, left: boolean, right: boolean): string {
  const cs = new Set(chars(set));
  const a = chars(s);
  let i = 0;
  let j = a.length;
  if (left) while (i < j && cs.has(a[i])) i++;
  if (right) while (j > i && cs.has(a[j - 1])) j--;
  return a.slice(i, j).join('');
}

/* ------------------------------------------------------------------- pad */

function pad(s: string, len: number, fill: string, left: boolean): string {
  if (len <= 0) return '';
  const a = chars(s);
  if (a.length >= len) return a.slice(0, len).join('');
  const f = chars(fill);
  if (f.length === 0) return s;
  const need = len - a.length;
  let p = '';
  for (let i = 0; i < need; i++) p += f[i % f.length];
  return left ? p + s : s + p;
}

/* ------------------------------------------------------------------ LIKE */

/** like_escape(pattern, escape): rewrites the pattern to use backslash as its escape character. */
export function likeEscape(pattern: string, escape: string): string {
  const e = chars(escape);
  if (e.length > 1) {
    ereport('22025', 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  }
  if (e.length === 0) return pattern.replace(/\\/g, '\\\\');
  if (e[0] === '\\') return pattern;
  let out = '';
  const a = chars(pattern);
  for (let i = 0; i < a.length; i++) {
    const c = a[i];
    if (c === e[0]) {
      if (i + 1 < a.length) out += '\\' + a[++i];
      else out += '\\';
    } else if (c === '\\') out += '\\\\';
    else out += c;
  }
  return out;
}

/* ------------------------------------------------------------------- md5 */

const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const MD5_K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

export function md5Hex(msg: Uint8Array): string {
  const len = msg.length;
  const total = ((len + 8) >> 6) * 64 + 64;
  const buf = new Uint8Array(total);
  buf.set(msg);
  buf[len] = 0x80;
  const view = new DataView(buf.buffer);
  view.setUint32(total - 8, (len * 8) >>> 0, true);
  view.setUint32(total - 4, Math.floor(len / 0x20000000), true);
  let a0 = 0x67452301;
  let b0 = 0xefcdab89;
  let c0 = 0x98badcfe;
  let d0 = 0x10325476;
  const m = new Uint32Array(16);
  for (let off = 0; off < total; off += 64) {
    for (let i = 0; i < 16; i++) m[i] = view.getUint32(off + 4 * i, true);
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const tmp = d;
      d = c;
      c = b;
      const x = (a + f + MD5_K[i] + m[g]) >>> 0;
      const s = MD5_S[(i >> 4) * 4 + (i & 3)];
      b = (b + ((x << s) | (x >>> (32 - s)))) >>> 0;
      a = tmp;
    }
    a0 = (a0 + a) >>> 0;
    b0 = (b0 + b) >>> 0;
    c0 = (c0 + c) >>> 0;
    d0 = (d0 + d) >>> 0;
  }
  let hex = '';
  for (const w of [a0, b0, c0, d0]) for (let i = 0; i < 4; i++) hex += ((w >>> (8 * i)) & 0xff).toString(16).padStart(2, '0');
  return hex;
}

/* ---------------------------------------------------------- concat & co. */

/** A value of any type as text, by its type's output function (concat, ||, format). */
export function anyToText(v: unknown, typeOid: number | undefined): string {
  if (typeof v === 'string' && (typeOid === undefined || typeOid === 25 || typeOid === 1043 || typeOid === 705 || typeOid === 19)) return v;
  if (typeOid === 1042) return v as string;
  const t = typeByOid(argType(typeOid === undefined ? undefined : [typeOid], 0, undefined, v));
  if (t === undefined) return ereport(SQLSTATE.feature_not_supported, 'cannot convert a value of unknown type to text');
  return t.output(v as Datum);
}

const concatImpl: ScalarImpl = (args, _ctx, _typmod, argTypes) => {
  let out = '';
  for (let i = 0; i < args.length; i++) if (args[i] !== null) out += anyToText(args[i], argTypes?.[i]);
  return out;
};

const concatWsImpl: ScalarImpl = (args, _ctx, _typmod, argTypes) => {
  if (args[0] === null) return null;
  const sep = str(args[0]);
  const parts: string[] = [];
  for (let i = 1; i < args.length; i++) if (args[i] !== null) parts.push(anyToText(args[i], argTypes?.[i]));
  return parts.join(sep);
};

function splitPart(s: string, delim: string, field: number): string {
  if (field === 0) ereport(SQLSTATE.invalid_parameter_value, 'field position must not be zero');
  const parts = delim === '' ? [s] : s.split(delim);
  const i = field > 0 ? field - 1 : parts.length + field;
  return i >= 0 && i < parts.length ? parts[i] : '';
}

function chr(code: number): string {
  if (code < 0) ereport(SQLSTATE.program_limit_exceeded, 'character number must be positive');
  if (code === 0) ereport(SQLSTATE.program_limit_exceeded, 'null character not permitted');
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
    ereport(SQLSTATE.program_limit_exceeded, `requested character too large for encoding: ${code}`);
  }
  return String.fromCodePoint(code);
}

const toHex32 = (v: number): string => (v >>> 0).toString(16);
const toHex64 = (v: bigint): string => BigInt.asUintN(64, v).toString(16);

function leftChars(s: string, k: number): string {
  const a = chars(s);
  return (k >= 0 ? a.slice(0, k) : a.slice(0, Math.max(a.length + k, 0))).join('');
}
function rightChars(s: string, k: number): string {
  const a = chars(s);
  return (k >= 0 ? a.slice(Math.max(a.length - k, 0)) : a.slice(Math.min(-k, a.length))).join('');
}

function repeatText(s: string, count: number): string {
  if (count <= 0) return '';
  if (s.length * count > 0x3fffffff) ereport(SQLSTATE.program_limit_exceeded, 'requested length too large');
  return s.repeat(count);
}

export const STRING_FUNCS: ImplTable = {
  textlen: fixed((a) => charLength(str(a[0]))),
  bpcharlen: fixed((a) => charLength(bpcharTrim(str(a[0])))),
  textoctetlen: fixed((a) => utf8Encode(str(a[0])).length),
  bpcharoctetlen: fixed((a) => utf8Encode(str(a[0])).length),
  byteaoctetlen: fixed((a) => (a[0] as Uint8Array).length),
  lower: fixed((a) => asciiLower(str(a[0]))),
  upper: fixed((a) => asciiUpper(str(a[0]))),
  initcap: fixed((a) => initcap(str(a[0]))),
  text_substr: fixed((a) => substr(str(a[0]), int(a[1]), int(a[2]))),
  text_substr_no_len: fixed((a) => substr(str(a[0]), int(a[1]), null)),
  textpos: fixed((a) => position(str(a[0]), str(a[1]))),
  btrim: fixed((a) => trim(str(a[0]), str(a[1]), true, true)),
  btrim1: fixed((a) => trim(str(a[0]), ' ', true, true)),
  ltrim: fixed((a) => trim(str(a[0]), str(a[1]), true, false)),
  ltrim1: fixed((a) => trim(str(a[0]), ' ', true, false)),
  rtrim: fixed((a) => trim(str(a[0]), str(a[1]), false, true)),
  rtrim1: fixed((a) => trim(str(a[0]), ' ', false, true)),
  replace_text: fixed((a) => (str(a[1]) === '' ? a[0] : str(a[0]).split(str(a[1])).join(str(a[2])))),
  text_concat: fixed(concatImpl),
  text_concat_ws: fixed(concatWsImpl),
  text_left: fixed((a) => leftChars(str(a[0]), int(a[1]))),
  text_right: fixed((a) => rightChars(str(a[0]), int(a[1]))),
  lpad: fixed((a) => pad(str(a[0]), int(a[1]), str(a[2]), true)),
  rpad: fixed((a) => pad(str(a[0]), int(a[1]), str(a[2]), false)),
  'sql:lpad(25,23)': fixed((a) => pad(str(a[0]), int(a[1]), ' ', true)),
  'sql:rpad(25,23)': fixed((a) => pad(str(a[0]), int(a[1]), ' ', false)),
  repeat: fixed((a) => repeatText(str(a[0]), int(a[1]))),
  text_reverse: fixed((a) => chars(str(a[0])).reverse().join('')),
  split_part: fixed((a) => splitPart(str(a[0]), str(a[1]), int(a[2]))),
  text_starts_with: fixed((a) => str(a[0]).startsWith(str(a[1]))),
  md5_text: fixed((a) => md5Hex(utf8Encode(str(a[0])))),
  md5_bytea: fixed((a) => md5Hex(a[0] as Uint8Array)),
  chr: fixed((a) => chr(int(a[0]))),
  ascii: fixed((a) => (str(a[0]) === '' ? 0 : str(a[0]).codePointAt(0) ?? 0)),
  to_hex32: fixed((a) => toHex32(int(a[0]))),
  to_hex64: fixed((a) => toHex64(a[0] as bigint)),
  textcat: fixed((a) => str(a[0]) + str(a[1])),
  'sql:textanycat(25,2776)': fixed((a, _c, _t, types) => str(a[0]) + anyToText(a[1], types?.[1])),
  'sql:anytextcat(2776,25)': fixed((a, _c, _t, types) => anyToText(a[0], types?.[0]) + str(a[1])),
  byteacat: fixed((a) => {
    const x = a[0] as Uint8Array;
    const y = a[1] as Uint8Array;
    const out = new Uint8Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  }),
  textlike: fixed((a) => likeMatch(str(a[0]), str(a[1]), false)),
  textnlike: fixed((a) => !likeMatch(str(a[0]), str(a[1]), false)),
  texticlike: fixed((a) => likeMatch(str(a[0]), str(a[1]), true)),
  texticnlike: fixed((a) => !likeMatch(str(a[0]), str(a[1]), true)),
  namelike: fixed((a) => likeMatch(str(a[0]), str(a[1]), false)),
  namenlike: fixed((a) => !likeMatch(str(a[0]), str(a[1]), false)),
  nameiclike: fixed((a) => likeMatch(str(a[0]), str(a[1]), true)),
  nameicnlike: fixed((a) => !likeMatch(str(a[0]), str(a[1]), true)),
  like_escape: fixed((a) => likeEscape(str(a[0]), str(a[1]))),
};
