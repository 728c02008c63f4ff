/*
 * text.ts — the character types: text, varchar(n), char(n) (bpchar) and name.
 *
 * Exports:
 *   textType, varcharType, bpcharType, nameType     the TypeInfo objects
 *   utf8Encode, utf8Decode       cached TextEncoder/TextDecoder
 *   compareCodePoints(a, b)      the "C" collation: byte order of UTF-8
 *   charLength(s)                length in characters (code points), as length() counts
 *   varcharApplyTypmod, bpcharApplyTypmod, bpcharCompare, bpcharTrim
 *   nameIn                       truncation to NAMEDATALEN - 1 bytes
 *   NAMEDATALEN
 *
 * Datum form: a JS string. On disk: UTF-8 bytes (no terminator) after the
 * varlena header for text, varchar and bpchar; name is a fixed 64-byte field,
 * NUL-padded, always holding at most 63 bytes (typalign 'c').
 *
 * Collation. PostgreSQL with the "C" collation compares strings with memcmp
 * on their UTF-8 bytes. UTF-8 byte order equals Unicode code point order, so
 * compareCodePoints compares code points. It cannot use JavaScript's `<`,
 * which compares UTF-16 code units: a character above U+FFFF (a surrogate
 * pair, 0xD800-0xDFFF) would sort below U+E000..U+FFFF. Linguistic collations
 * (ICU, libc locales) are not implemented; see README.md.
 *
 * Type modifiers (typmod = n + 4, PostgreSQL's VARHDRSZ offset):
 *   varchar(n)  longer input is an error (22001) unless the excess is all
 *               spaces, which are cut; an explicit cast cuts silently
 *   char(n)     the same, and shorter values are padded with spaces to n;
 *               comparison ignores trailing spaces
 * Lengths count characters, not bytes or UTF-16 units.
 */

import type { TypeInfo } from './datum.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { asString } from './datumutils.ts';

/** Bytes of a name field, including the terminating NUL (PostgreSQL's NAMEDATALEN). */
export const NAMEDATALEN = 64;
const VARHDRSZ = 4;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** Short ASCII strings are decoded by hand: cheaper than a TextDecoder call. */
const SMALL_DECODE_BYTES = 32;

export const utf8Encode = (s: string): Uint8Array => encoder.encode(s);

/**
 * UTF-8 bytes to a string. Pages live in a SharedArrayBuffer, and browsers'
 * TextDecoder refuses views of shared memory, so those are copied first.
 */
export function utf8Decode(bytes: Uint8Array): string {
  if (bytes.length <= SMALL_DECODE_BYTES) {
    let s = '';
    let i = 0;
    for (; i < bytes.length; i++) {
      const b = bytes[i];
      if (b >= 0x80) break;
      s += String.fromCharCode(b);
    }
    if (i === bytes.length) return s;
  }
  const shared = typeof SharedArrayBuffer !== 'undefined' && bytes.buffer instanceof SharedArrayBuffer;
  return decoder.decode(shared ? bytes.slice() : bytes);
}

const SUSPICIOUS_RE = /[\0\uD800-\uDFFF]/;

/**
 * Text input accepts what a UTF-8 database accepts: no NUL characters and no
 * unpaired surrogates (they have no UTF-8 encoding). PostgreSQL reports the
 * offending bytes; an unpaired surrogate is shown as the bytes its 3-byte
 * encoding would have.
 */
export function verifyText(s: string): string {
  if (!SUSPICIOUS_RE.test(s)) return s;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) ereport(SQLSTATE.character_not_in_repertoire, 'invalid byte sequence for encoding "UTF8": 0x00');
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const bytes = [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
      ereport(
        SQLSTATE.character_not_in_repertoire,
        `invalid byte sequence for encoding "UTF8": ${bytes.map((b) => '0x' + b.toString(16)).join(' ')}`,
      );
    }
  }
  return s;
}

export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // Lift surrogates above U+E000..U+FFFF so the order is by code point.
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

const SURROGATE_RE = /[\uD800-\uDFFF]/;

/** Number of code points (what char_length() counts). */
export function charLength(s: string): number {
  if (!SURROGATE_RE.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The first `n` code points of s. */
function sliceChars(s: string, n: number): string {
  if (!SURROGATE_RE.test(s)) return s.slice(0, n);
  let out = '';
  let i = 0;
  for (const ch of s) {
    if (i++ >= n) break;
    out += ch;
  }
  return out;
}

function isAllSpaces(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) if (s.charCodeAt(i) !== 0x20) return false;
  return true;
}

/** Cuts s to maxlen characters: silently when explicit, else only if the rest is spaces. */
function cutTo(s: string, maxlen: number, isExplicit: boolean, typeName: string): string {
  const head = sliceChars(s, maxlen);
  if (!isExplicit && !isAllSpaces(s, head.length)) {
    ereport(SQLSTATE.string_data_right_truncation, `value too long for type ${typeName}(${maxlen})`);
  }
  return head;
}

export function varcharApplyTypmod(s: string, typmod: number, isExplicit = false): string {
  if (typmod < VARHDRSZ) return s;
  const maxlen = typmod - VARHDRSZ;
  if (s.length <= maxlen || charLength(s) <= maxlen) return s;
  return cutTo(s, maxlen, isExplicit, 'character varying');
}

export function bpcharApplyTypmod(s: string, typmod: number, isExplicit = false): string {
  if (typmod < VARHDRSZ) return s;
  const maxlen = typmod - VARHDRSZ;
  const len = charLength(s);
  if (len > maxlen) return cutTo(s, maxlen, isExplicit, 'character');
  return len < maxlen ? s + ' '.repeat(maxlen - len) : s;
}

/** The value without trailing spaces: how char(n) compares, and its cast to text. */
export function bpcharTrim(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x20) end--;
  return end === s.length ? s : s.slice(0, end);
}

export const bpcharCompare = (a: string, b: string): number => compareCodePoints(bpcharTrim(a), bpcharTrim(b));

/** namein: cut to at most NAMEDATALEN - 1 bytes of UTF-8, never inside a character. */
export function nameIn(s: string): string {
  verifyText(s);
  if (s.length * 3 < NAMEDATALEN) return s;
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + n > NAMEDATALEN - 1) break;
    bytes += n;
    end += ch.length;
  }
  return s.slice(0, end);
}

export const textType: TypeInfo = {
  oid: 25,
  name: 'text',
  typlen: -1,
  typbyval: false,
  typalign: 'i',
  typstorage: 'x',
  typcategory: 'S',
  input: (text) => verifyText(text),
  output: (v) => asString(v),
  toBytes: (v) => encoder.encode(asString(v)),
  fromBytes: (bytes) => utf8Decode(bytes),
  compare: (a, b) => compareCodePoints(asString(a), asString(b)),
};

export const varcharType: TypeInfo = {
  oid: 1043,
  name: 'varchar',
  typlen: -1,
  typbyval: false,
  typalign: 'i',
  typstorage: 'x',
  typcategory: 'S',
  input: (text, typmod) => varcharApplyTypmod(verifyText(text), typmod, false),
  output: (v) => asString(v),
  toBytes: (v) => encoder.encode(asString(v)),
  fromBytes: (bytes) => utf8Decode(bytes),
  compare: (a, b) => compareCodePoints(asString(a), asString(b)),
  applyTypmod: (v, typmod, isExplicit) => varcharApplyTypmod(asString(v), typmod, isExplicit ?? false),
};

export const bpcharType: TypeInfo = {
  oid: 1042,
  name: 'bpchar',
  typlen: -1,
  typbyval: false,
  typalign: 'i',
  typstorage: 'x',
  typcategory: 'S',
  input: (text, typmod) => bpcharApplyTypmod(verifyText(text), typmod, false),
  output: (v) => asString(v),
  toBytes: (v) => encoder.encode(asString(v)),
  fromBytes: (bytes) => utf8Decode(bytes),
  compare: (a, b) => bpcharCompare(asString(a), asString(b)),
  applyTypmod: (v, typmod, isExplicit) => bpcharApplyTypmod(asString(v), typmod, isExplicit ?? false),
};

export const nameType: TypeInfo = {
  oid: 19,
  name: 'name',
  typlen: NAMEDATALEN,
  typbyval: false,
  typalign: 'c',
  typstorage: 'p',
  typcategory: 'S',
  input: (text) => nameIn(text),
  output: (v) => asString(v),
  writeFixed: (view, off, v) => {
    const bytes = encoder.encode(nameIn(asString(v)));
    const dest = new Uint8Array(view.buffer, view.byteOffset + off, NAMEDATALEN);
    dest.set(bytes);
    dest.fill(0, bytes.length);
  },
  readFixed: (view, off) => {
    const field = new Uint8Array(view.buffer, view.byteOffset + off, NAMEDATALEN);
    const nul = field.indexOf(0);
    return utf8Decode(field.subarray(0, nul < 0 ? NAMEDATALEN : nul));
  },
  compare: (a, b) => compareCodePoints(asString(a), asString(b)),
};
