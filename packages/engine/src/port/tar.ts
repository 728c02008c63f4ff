/*
 * tar.ts — the POSIX ustar archive format, written and read in memory
 * (PostgreSQL's src/port/tar.c and pgtar.h write the same headers for
 * pg_basebackup's tar format).
 *
 * Exports: writeTar, readTar, TarMember, TAR_BLOCK_SIZE
 *
 * An archive is a sequence of 512-byte blocks: per file one header block,
 * then its bytes padded with zeroes to a whole block; at the end two blocks
 * of zeroes. The header (only the fields this reader looks at named; all
 * numbers are octal ASCII, NUL- or space-terminated):
 *
 *     0  name[100]      the path, or its last part when prefix is used
 *   100  mode[8]        0000600 for files, 0000700 for folders
 *   108  uid[8], gid[8] 0
 *   124  size[12]       bytes of content (11 octal digits: < 8 GB)
 *   136  mtime[12]      seconds since 1970
 *   148  chksum[8]      sum of the 512 header bytes as unsigned, with this
 *                       field counted as 8 spaces; 6 digits, NUL, space
 *   156  typeflag       '0' (or NUL) a regular file, '5' a folder
 *   157  linkname[100]
 *   257  magic[6]       "ustar\0" (POSIX); GNU tar writes "ustar " + " \0"
 *   263  version[2]     "00"
 *   265  uname[32], gname[32], devmajor[8], devminor[8]
 *   345  prefix[155]    the path's folders when it is longer than 100 bytes
 *   500  (pad)[12]
 *
 * Rules:
 *  1. Only regular files and folders are written or accepted; links, devices
 *     and the extended (pax 'x', GNU 'L') headers are an error, so nothing
 *     outside the archive's own tree can be named.
 *  2. A path is relative, '/'-separated, without '.' or '..' parts; the
 *     reader refuses anything else (an archive must not write outside the
 *     folder it is extracted into).
 *  3. Every header's checksum is verified, and every member's bytes must be
 *     inside the archive: a short archive is "truncated", not a smaller file.
 *  4. The end is two zero blocks; bytes missing before them are
 *     "truncated". Anything but zeroes after them is an error too.
 *
 * Errors are PgErrors: 22P03 (invalid_binary_representation, as COPY's
 * "file signature not recognized") when the first block is not a ustar
 * header, XX001 (data_corrupted) for everything after.
 */

import { PgError, SQLSTATE } from '../utils/errors.ts';

export const TAR_BLOCK_SIZE = 512;
/** Largest member size the 11-digit octal size field holds. */
const TAR_SIZE_MAX = 8 ** 11 - 1;

export interface TarMember {
  /** Relative '/'-separated path; a folder's has no trailing '/'. */
  path: string;
  type: 'file' | 'folder';
  /** The content (empty for folders). */
  bytes: Uint8Array;
  /** Seconds since 1970. */
  mtime: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function corrupt(message: string): PgError {
  return new PgError(SQLSTATE.data_corrupted, `invalid tar archive: ${message}`);
}

/** Rule 2. */
function checkPath(path: string, fail: (m: string) => never): void {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0')) fail(`invalid member path "${path}"`);
  for (const part of path.split('/')) if (part === '' || part === '.' || part === '..') fail(`invalid member path "${path}"`);
}

/** Writes `value` as `width - 1` octal digits and a NUL. */
function putOctal(h: Uint8Array, off: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, '0');
  if (digits.length > width - 1) throw new PgError(SQLSTATE.program_limit_exceeded, `tar field value ${value} does not fit in ${width - 1} octal digits`);
  h.set(encoder.encode(digits), off);
  h[off + width - 1] = 0;
}

function putString(h: Uint8Array, off: number, width: number, s: string): void {
  const b = encoder.encode(s);
  if (b.length > width) throw new PgError(SQLSTATE.program_limit_exceeded, `tar field "${s}" is longer than ${width} bytes`);
  h.set(b, off);
}

/** Sum of the header's bytes with the checksum field read as spaces (rule 3). */
function headerChecksum(h: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK_SIZE; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return sum;
}

/** Splits a path longer than 100 bytes into prefix and name at a '/'. */
function splitName(path: string): { prefix: string; name: string } {
  if (encoder.encode(path).length <= 100) return { prefix: '', name: path };
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== '/') continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (encoder.encode(prefix).length <= 155 && encoder.encode(name).length <= 100) return { prefix, name };
  }
  throw new PgError(SQLSTATE.program_limit_exceeded, `path "${path}" is too long for a ustar archive`);
}

function makeHeader(m: TarMember): Uint8Array {
  const h = new Uint8Array(TAR_BLOCK_SIZE);
  const { prefix, name } = splitName(m.path);
  putString(h, 0, 100, name);
  putOctal(h, 100, 8, m.type === 'folder' ? 0o700 : 0o600);
  putOctal(h, 108, 8, 0);
  putOctal(h, 116, 8, 0);
  putOctal(h, 124, 12, m.type === 'folder' ? 0 : m.bytes.length);
  putOctal(h, 136, 12, Math.max(0, Math.floor(m.mtime)));
  h[156] = m.type === 'folder' ? 0x35 : 0x30;
  putString(h, 257, 6, 'ustar');
  putString(h, 263, 2, '00');
  putString(h, 345, 155, prefix);
  // The checksum: 6 octal digits, NUL, space (as tar.c writes it).
  const sum = headerChecksum(h);
  h.set(encoder.encode(sum.toString(8).padStart(6, '0')), 148);
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

const padded = (n: number): number => Math.ceil(n / TAR_BLOCK_SIZE) * TAR_BLOCK_SIZE;

/** One archive holding `members`, in the order given. */
export function writeTar(members: readonly TarMember[]): Uint8Array {
  let total = 2 * TAR_BLOCK_SIZE;
  for (const m of members) {
    checkPath(m.path, (msg) => {
      throw new PgError(SQLSTATE.invalid_parameter_value, msg);
    });
    if (m.bytes.length > TAR_SIZE_MAX) throw new PgError(SQLSTATE.program_limit_exceeded, `file "${m.path}" is too large for a ustar archive`);
    total += TAR_BLOCK_SIZE + (m.type === 'file' ? padded(m.bytes.length) : 0);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const m of members) {
    out.set(makeHeader(m), at);
    at += TAR_BLOCK_SIZE;
    if (m.type === 'file') {
      out.set(m.bytes, at);
      at += padded(m.bytes.length);
    }
  }
  return out;
}

function isZeroBlock(b: Uint8Array, at: number): boolean {
  for (let i = at; i < at + TAR_BLOCK_SIZE; i++) if (b[i] !== 0) return false;
  return true;
}

/** A NUL- or space-terminated octal field; -1 when it is not one. */
function readOctal(h: Uint8Array, off: number, width: number): number {
  let i = off;
  const end = off + width;
  while (i < end && h[i] === 0x20) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = h[i];
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return -1;
    value = value * 8 + (c - 0x30);
    digits++;
  }
  return digits === 0 ? -1 : value;
}

function readString(h: Uint8Array, off: number, width: number): string {
  let end = off;
  while (end < off + width && h[end] !== 0) end++;
  try {
    return decoder.decode(h.subarray(off, end));
  } catch {
    throw corrupt(`header at byte ${off - (off % TAR_BLOCK_SIZE)} has a name that is not UTF-8`);
  }
}

function isUstarMagic(h: Uint8Array): boolean {
  // "ustar\0" (POSIX) or "ustar " (GNU).
  return h[257] === 0x75 && h[258] === 0x73 && h[259] === 0x74 && h[260] === 0x61 && h[261] === 0x72 && (h[262] === 0 || h[262] === 0x20);
}

/** The members of an archive, checked as the rules say. The bytes of each are views into `bytes`. */
export function readTar(bytes: Uint8Array): TarMember[] {
  if (bytes.length < TAR_BLOCK_SIZE || !isUstarMagic(bytes.subarray(0, TAR_BLOCK_SIZE))) {
    throw new PgError(SQLSTATE.invalid_binary_representation, 'archive signature not recognized', {
      detail: 'The file does not start with a ustar header.',
    });
  }
  const members: TarMember[] = [];
  let at = 0;
  for (;;) {
    if (at + TAR_BLOCK_SIZE > bytes.length) throw corrupt(`truncated: the archive ends at byte ${bytes.length} without its end-of-archive blocks`);
    if (isZeroBlock(bytes, at)) {
      // Rule 4: a second zero block, then only zeroes.
      if (at + 2 * TAR_BLOCK_SIZE > bytes.length) throw corrupt(`truncated: the archive ends at byte ${bytes.length} inside its end-of-archive blocks`);
      for (let i = at + TAR_BLOCK_SIZE; i < bytes.length; i++) {
        if (bytes[i] !== 0) throw corrupt(`unexpected data after the end-of-archive blocks, at byte ${i}`);
      }
      return members;
    }
    const h = bytes.subarray(at, at + TAR_BLOCK_SIZE);
    if (!isUstarMagic(h)) throw corrupt(`header at byte ${at} has no ustar magic`);
    const stored = readOctal(h, 148, 8);
    if (stored !== headerChecksum(h)) throw corrupt(`header at byte ${at} has checksum ${stored}, computed ${headerChecksum(h)}`);
    const size = readOctal(h, 124, 12);
    const mtime = readOctal(h, 136, 12);
    if (size < 0 || mtime < 0) throw corrupt(`header at byte ${at} has an invalid size or mtime field`);
    const name = readString(h, 0, 100);
    const prefix = readString(h, 345, 155);
    let path = prefix === '' ? name : `${prefix}/${name}`;
    const flag = h[156];
    let type: TarMember['type'];
    if (flag === 0x30 || flag === 0) type = 'file';
    else if (flag === 0x35) type = 'folder';
    else throw corrupt(`member "${path}" has type '${String.fromCharCode(flag)}': only files and folders are accepted`);
    if (type === 'folder' && path.endsWith('/')) path = path.slice(0, -1);
    checkPath(path, (m) => {
      throw corrupt(m);
    });
    at += TAR_BLOCK_SIZE;
    const len = type === 'file' ? size : 0;
    if (at + len > bytes.length) throw corrupt(`truncated: member "${path}" has ${size} bytes, the archive ends ${bytes.length - at} bytes into it`);
    members.push({ path, type, bytes: bytes.subarray(at, at + len), mtime });
    at += padded(len);
  }
}
