/*
 * uuid.ts — uuid.
 *
 * Exports:
 *   uuidType            the TypeInfo
 *   uuidIn(text)        accepts PostgreSQL's spellings, returns the canonical form
 *   uuidToBytes, uuidFromBytes
 *
 * Datum form: the canonical text, lower-case 8-4-4-4-12 hex. Comparing these
 * strings orders uuids exactly as PostgreSQL's memcmp of the 16 bytes does.
 * On disk: 16 bytes, typalign 'c' (no padding).
 *
 * Input (string_to_uuid): 32 hex digits in either case, optionally inside
 * one pair of braces, with an optional single hyphen after any group of four
 * digits (but not at the end). No whitespace anywhere.
 *   a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11   {a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}
 *   A0EEBC999C0B4EF8BB6D6BB9BD380A11       a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11
 */

import type { TypeInfo } from './datum.ts';
import { asString, invalidSyntax } from './datumutils.ts';

export const UUID_LEN = 16;

const UUID_RE = /^[0-9a-f]{4}(?:-?[0-9a-f]{4}){7}$/i;

export function uuidIn(text: string): string {
  let s = text;
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) invalidSyntax('uuid', text);
    s = s.slice(1, -1);
  }
  if (!UUID_RE.test(s)) invalidSyntax('uuid', text);
  const hex = s.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuidToBytes(canonical: string): Uint8Array {
  const hex = canonical.replaceAll('-', '');
  const out = new Uint8Array(UUID_LEN);
  for (let i = 0; i < UUID_LEN; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function uuidFromBytes(bytes: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < UUID_LEN; i++) hex += bytes[i].toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const uuidType: TypeInfo = {
  oid: 2950,
  name: 'uuid',
  typlen: UUID_LEN,
  typbyval: false,
  typalign: 'c',
  typstorage: 'p',
  typcategory: 'U',
  input: (text) => uuidIn(text),
  output: (v) => asString(v),
  writeFixed: (view, off, v) => {
    new Uint8Array(view.buffer, view.byteOffset + off, UUID_LEN).set(uuidToBytes(asString(v)));
  },
  readFixed: (view, off) => uuidFromBytes(new Uint8Array(view.buffer, view.byteOffset + off, UUID_LEN)),
  compare: (a, b) => {
    const x = asString(a);
    const y = asString(b);
    return x < y ? -1 : x > y ? 1 : 0;
  },
};
