/*
 * bytea.ts — binary strings.
 *
 * Exports:
 *   byteaType            the TypeInfo
 *   byteain(text)        hex format (\x0102...) or escape format (a\001b\\)
 *   byteaout(bytes)      hex format, PostgreSQL's default bytea_output
 *   byteaCompare(a, b)   memcmp order, then shorter first
 *
 * Datum form: a Uint8Array. On disk: the bytes themselves after the varlena
 * header. fromBytes copies, because the bytes it is given may be a view on a
 * shared buffer page that will be reused.
 *
 * Input formats, as byteain accepts them:
 *   hex      \x followed by pairs of hex digits (either case); whitespace is
 *            allowed between pairs, not inside one
 *   escape   any other text: characters stand for their UTF-8 bytes, \\ is a
 *            backslash, \ooo (first digit 0-3) is one octal byte; any other
 *            backslash is a syntax error
 */

import type { TypeInfo } from './datum.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { asBytes } from './datumutils.ts';
import { utf8Encode } from './text.ts';

const HEX = '0123456789abcdef';
const HEX_PAIRS: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4] + HEX[i & 15]);

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Whitespace hex_decode skips between byte pairs. */
const isHexSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;

function invalidHexDigit(s: string, i: number): never {
  const ch = String.fromCodePoint(s.codePointAt(i) as number);
  return ereport(SQLSTATE.invalid_parameter_value, `invalid hexadecimal digit: "${ch}"`);
}

function hexDecode(s: string, start: number): Uint8Array {
  const out = new Uint8Array((s.length - start) >> 1);
  let n = 0;
  let i = start;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (isHexSpace(c)) {
      i++;
      continue;
    }
    const hi = hexValue(c);
    if (hi < 0) invalidHexDigit(s, i);
    if (i + 1 >= s.length) {
      ereport(SQLSTATE.invalid_parameter_value, 'invalid hexadecimal data: odd number of digits');
    }
    const lo = hexValue(s.charCodeAt(i + 1));
    if (lo < 0) invalidHexDigit(s, i + 1);
    out[n++] = (hi << 4) | lo;
    i += 2;
  }
  return out.slice(0, n);
}

const isOctal = (c: number): boolean => c >= 48 && c <= 55;

function escapeDecode(s: string): Uint8Array {
  const raw = utf8Encode(s);
  if (raw.indexOf(0x5c) < 0) return raw;
  const out = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; ) {
    const b = raw[i];
    if (b !== 0x5c) {
      out[n++] = b;
      i++;
    } else if (raw[i + 1] === 0x5c) {
      out[n++] = 0x5c;
      i += 2;
    } else if (
      i + 3 < raw.length &&
      raw[i + 1] >= 48 &&
      raw[i + 1] <= 51 &&
      isOctal(raw[i + 2]) &&
      isOctal(raw[i + 3])
    ) {
      out[n++] = ((raw[i + 1] - 48) << 6) | ((raw[i + 2] - 48) << 3) | (raw[i + 3] - 48);
      i += 4;
    } else {
      ereport(SQLSTATE.invalid_text_representation, 'invalid input syntax for type bytea');
    }
  }
  return out.slice(0, n);
}

export function byteain(text: string): Uint8Array {
  if (text.charCodeAt(0) === 0x5c && text.charCodeAt(1) === 0x78) return hexDecode(text, 2);
  return escapeDecode(text);
}

export function byteaout(bytes: Uint8Array): string {
  const parts: string[] = new Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = HEX_PAIRS[bytes[i]];
  return '\\x' + parts.join('');
}

export function byteaCompare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export const byteaType: TypeInfo = {
  oid: 17,
  name: 'bytea',
  typlen: -1,
  typbyval: false,
  typalign: 'i',
  typstorage: 'x',
  typcategory: 'U',
  input: (text) => byteain(text),
  output: (v) => byteaout(asBytes(v)),
  toBytes: (v) => asBytes(v),
  fromBytes: (bytes) => bytes.slice(),
  compare: (a, b) => byteaCompare(asBytes(a), asBytes(b)),
};
