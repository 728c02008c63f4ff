/*
 * bool.ts — boolean.
 *
 * Exports:
 *   boolType          the TypeInfo
 *   parseBool(text)   PostgreSQL's parse_bool: true/false/null (not a boolean)
 *   boolin(text)      input: parseBool or 22P02
 *
 * Datum form: a JS boolean. On disk: one byte, 0 or 1.
 *
 * Accepted spellings (case-insensitive, surrounding C spaces ignored), each
 * by any prefix long enough to be unambiguous, as boolin does:
 *   true:  t tr tru true   y ye yes   on    1
 *   false: f fa ... false  n no       of off 0
 * "o" alone is ambiguous (on/off) and rejected; "1" and "0" must stand alone.
 * Output is "t" or "f"; false sorts before true.
 */

import type { TypeInfo } from './datum.ts';
import { asBoolean, invalidSyntax } from './datumutils.ts';
import { trimCSpace } from './numutils.ts';

function isPrefixOf(s: string, word: string, minLen: number): boolean {
  return s.length >= minLen && s.length <= word.length && word.startsWith(s);
}

export function parseBool(text: string): boolean | null {
  const s = trimCSpace(text).toLowerCase();
  switch (s.charAt(0)) {
    case 't':
      return isPrefixOf(s, 'true', 1) ? true : null;
    case 'f':
      return isPrefixOf(s, 'false', 1) ? false : null;
    case 'y':
      return isPrefixOf(s, 'yes', 1) ? true : null;
    case 'n':
      return isPrefixOf(s, 'no', 1) ? false : null;
    case 'o':
      if (isPrefixOf(s, 'on', 2)) return true;
      if (isPrefixOf(s, 'off', 2)) return false;
      return null;
    case '1':
      return s.length === 1 ? true : null;
    case '0':
      return s.length === 1 ? false : null;
    default:
      return null;
  }
}

export function boolin(text: string): boolean {
  const v = parseBool(text);
  if (v === null) invalidSyntax('boolean', text);
  return v;
}

export const boolType: TypeInfo = {
  oid: 16,
  name: 'bool',
  typlen: 1,
  typbyval: true,
  typalign: 'c',
  typstorage: 'p',
  typcategory: 'B',
  input: (text) => boolin(text),
  output: (v) => (asBoolean(v) ? 't' : 'f'),
  writeFixed: (view, off, v) => view.setUint8(off, asBoolean(v) ? 1 : 0),
  readFixed: (view, off) => view.getUint8(off) !== 0,
  compare: (a, b) => Number(asBoolean(a)) - Number(asBoolean(b)),
};
