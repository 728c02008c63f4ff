/*
 * initdb_template.ts — a new cluster copied from a template image instead
 * of bootstrapped row by row (what PostgreSQL's CREATE DATABASE does with
 * template1, and what PGlite does with the data directory it ships).
 *
 * Exports:
 *   InitdbTemplate, TemplateFile        the image: every file of a freshly initialized,
 *                                       cleanly shut down data directory
 *   captureInitdbTemplate(dir, fp)      the image of such a directory (the generator, tests)
 *   instantiateInitdbTemplate(t, dir)   writes the image into an empty directory
 *   initdbTemplateFingerprint(viewsSql) what the image was made from, as JSON text (see below)
 *   forEachRun(file, fn), decodeFile(file)   a file's stretches, its bytes
 *   encodeBase64 / decodeBase64         the image's text encoding
 *
 * Why: initdb writes ~2,100 catalog rows, builds seven catalog indexes and
 * creates the system views through SQL. Each of those runs once per process
 * and so runs in the interpreter, cold; it cost ~3/4 of a cold start
 * (Database.open() + SELECT 1). The result is the same bytes every time, so
 * a fresh data directory is written from an image of it instead.
 *
 * The image is made by the project's own initdb: initdb_template_gen.ts runs
 * Database.open({ initdbTemplate: false }) — Catalog.bootstrap and the
 * system views — on a memory directory, shuts it down cleanly and captures
 * the files into initdb_template_data.ts. initdb_template.test.ts proves that
 * the stored image equals a fresh bootstrap, byte for byte in every relation
 * and transaction-status file.
 *
 * What is copied, and what is not:
 *   - relation files (base/), pg_xact, pg_subtrans: verbatim. The bootstrap
 *     transactions' commits are in pg_xact, so the rows are visible exactly
 *     as after a real initdb, and the page LSNs are below the end of the
 *     copied WAL, so the full-page-image and redo rules hold for the WAL
 *     written after it.
 *   - pg_wal: after a clean shutdown recovery reads only the shutdown
 *     checkpoint record; the image keeps the segment's first page (its long
 *     header) and the pages from that record to the end of WAL, and zeroes
 *     the WAL before it, which nothing reads again.
 *   - pg_control: copied, then given a new system identifier (also written
 *     into the WAL segment's long page header), since every cluster must
 *     have its own; it is written last, through writeControlFile's
 *     rename, so a crash while the image is written leaves a directory
 *     without pg_control, which StorageEngine.open reports as damaged —
 *     as a crash during initdb does.
 *
 * Staleness. The image is only valid for the code that made it. A runtime
 * check guards the common case: the fingerprint is the JSON text of
 * everything the bootstrap rows are made from (the catalogs' descriptors, the types, the
 * functions, operators, casts and aggregates of utils/fmgr, the system
 * views' SQL, the catalog version); when it differs, Database.open runs the
 * real bootstrap. A change the fingerprint cannot see (the row layout, the
 * analyzed form of a view) makes initdb_template.test.ts fail until the
 * image is made again: `npx tsx packages/engine/src/catalog/initdb_template_gen.ts`.
 */

import type { StorageDirectory } from '@tabgres/opfs-storage';
import { CATALOG_VERSION_NO, XLOG_BLCKSZ } from '../constants.ts';
import { TYPES } from '../utils/adt/types.ts';
import { allAggregates, allCasts, allFunctions, allOperators } from '../utils/fmgr/fmgrtab.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import { putU32 } from '../access/transam/xlogdefs.ts';
import { XLOGDIR, XLP_SYSID, xlogFilePath } from '../access/transam/xlog_internal.ts';
import { CATALOGS, CATALOG_INDEXES } from './schemapg.ts';
import { CATALOG_ONLY_TYPES } from './catalogtypes.ts';
import { CONTROL_FILE_PATH, DB_SHUTDOWNED, decodeControlFile, newSystemIdentifier, sysidHi, sysidLo, writeControlFile } from './pg_control.ts';

/**
 * One file of the image: its size and its non-zero stretches. Zero runs of
 * at least ZERO_RUN_MIN bytes (a page's hole between pd_lower and pd_upper,
 * unused pages, the unread WAL) are left out.
 */
export interface TemplateFile {
  path: string;
  size: number;
  /**
   * The stretches in offset order, each `offset:base64`, separated by
   * spaces: one string literal per file, which a JavaScript parser reads far
   * faster than thousands of small array literals.
   */
  runs: string;
}

export interface InitdbTemplate {
  /** initdbTemplateFingerprint of the code that made the image. */
  fingerprint: string;
  files: TemplateFile[];
}

/** Shorter zero runs stay in their stretch: a new stretch costs ~8 characters, as many as 6 zero bytes in base64. */
const ZERO_RUN_MIN = 8;

// ---------------------------------------------------------------- base64

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
let b64Index: Uint8Array | null = null;

export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >>> 18] + B64[(n >>> 12) & 63] + B64[(n >>> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += `${B64[n >>> 18]}${B64[(n >>> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += `${B64[n >>> 18]}${B64[(n >>> 12) & 63]}${B64[(n >>> 6) & 63]}=`;
  }
  return out;
}

/**
 * A native base64 decoder into bytes, where the platform has one: Node's
 * global Buffer (read from globalThis, so the engine imports nothing of
 * Node's). Browsers have none that writes bytes (Uint8Array.fromBase64 is
 * not there yet) and take atob below.
 */
interface NativeBase64 {
  from(text: string, encoding: 'base64'): Uint8Array;
}

/**
 * Decodes into `out` at `at`; returns the number of bytes written. With
 * Node's Buffer the whole decoding is native (~270 KB of image at a cold
 * start, a loop over every byte otherwise). Where the platform has atob
 * (browsers, workers) the decoding itself is native and only the copy of
 * its one-byte characters runs here: at a cold start, still interpreted,
 * that is about twice as fast as decoding four characters at a time
 * through the table below.
 */
export function decodeBase64(text: string, out: Uint8Array, at: number): number {
  const nativeBase64 = (globalThis as { Buffer?: NativeBase64 }).Buffer;
  if (nativeBase64 !== undefined) {
    const bytes = nativeBase64.from(text, 'base64');
    out.set(bytes, at);
    return bytes.length;
  }
  if (typeof atob === 'function') {
    const bin = atob(text);
    const n = bin.length;
    for (let i = 0; i < n; i++) out[at + i] = bin.charCodeAt(i);
    return n;
  }
  let index = b64Index;
  if (index === null) {
    index = new Uint8Array(128);
    for (let i = 0; i < B64.length; i++) index[B64.charCodeAt(i)] = i;
    b64Index = index;
  }
  let len = text.length;
  while (len > 0 && text.charCodeAt(len - 1) === 61 /* = */) len--;
  let o = at;
  let i = 0;
  for (; i + 3 < len; i += 4) {
    const n = (index[text.charCodeAt(i)] << 18) | (index[text.charCodeAt(i + 1)] << 12) | (index[text.charCodeAt(i + 2)] << 6) | index[text.charCodeAt(i + 3)];
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = len - i;
  if (rest >= 2) {
    const n = (index[text.charCodeAt(i)] << 18) | (index[text.charCodeAt(i + 1)] << 12) | (rest === 3 ? index[text.charCodeAt(i + 2)] << 6 : 0);
    out[o++] = n >>> 16;
    if (rest === 3) out[o++] = (n >>> 8) & 255;
  }
  return o - at;
}

// ---------------------------------------------------------------- fingerprint

const jsonBigint = (_key: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v.toString()}n` : v);

/**
 * What a bootstrap with this code would write from, as JSON text: the
 * catalog version, the catalogs' descriptors and indexes, the types, the
 * functions, operators, casts and aggregates of utils/fmgr, and
 * `viewsSql`, the system views' SQL (tcop/system_views.ts). JSON.stringify
 * writes every own enumerable data field at any depth, with its key, so a
 * field added to a FunctionInfo or a catalog column changes the text;
 * functions (the implementations) are left out.
 *
 * The image stores this text itself, not a hash of it: the check runs once
 * per cold start, in code that is still interpreted, where hashing ~300 KB
 * character by character (or walking ~1,500 objects) cost 15-20 ms, while
 * JSON.stringify and comparing two strings are native (~2 ms together).
 */
export function initdbTemplateFingerprint(viewsSql: string): string {
  const inputs = [CATALOG_VERSION_NO, CATALOGS, CATALOG_INDEXES, [...TYPES.values()], CATALOG_ONLY_TYPES, allFunctions(), allOperators(), allCasts(), allAggregates(), viewsSql];
  try {
    return JSON.stringify(inputs);
  } catch {
    // A bigint somewhere (JSON.stringify refuses them): the replacer is slower, so only then.
    return JSON.stringify(inputs, jsonBigint);
  }
}

// ---------------------------------------------------------------- capture

function listFiles(dir: StorageDirectory, folder: string, out: string[]): void {
  for (const name of dir.list(folder)) {
    const path = folder === '' ? name : `${folder}/${name}`;
    // A folder lists entries; a file lists none but exists as a file.
    if (dir.list(path).length > 0) listFiles(dir, path, out);
    else out.push(path);
  }
}

function readWhole(dir: StorageDirectory, path: string): Uint8Array {
  const f = dir.open(path);
  try {
    const bytes = new Uint8Array(f.getSize());
    f.read(bytes, { at: 0 });
    return bytes;
  } finally {
    f.close();
  }
}

function encodeFile(path: string, bytes: Uint8Array): TemplateFile {
  const runs: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    while (i < bytes.length && bytes[i] === 0) i++;
    if (i >= bytes.length) break;
    const start = i;
    let end = i;
    // Extend the stretch until ZERO_RUN_MIN zero bytes in a row (or the end).
    while (i < bytes.length) {
      if (bytes[i] !== 0) {
        end = ++i;
        continue;
      }
      let z = i;
      while (z < bytes.length && bytes[z] === 0 && z - i < ZERO_RUN_MIN) z++;
      if (z - i >= ZERO_RUN_MIN || z >= bytes.length) break;
      i = z;
    }
    runs.push(`${start}:${encodeBase64(bytes.subarray(start, end))}`);
    i = end;
  }
  return { path, size: bytes.length, runs: runs.join(' ') };
}

/** Calls fn(offset, base64) for each stretch of a file of the image. */
export function forEachRun(tf: TemplateFile, fn: (offset: number, text: string) => void): void {
  const runs = tf.runs;
  let at = 0;
  while (at < runs.length) {
    const colon = runs.indexOf(':', at);
    let end = runs.indexOf(' ', colon);
    if (end < 0) end = runs.length;
    fn(Number(runs.slice(at, colon)), runs.slice(colon + 1, end));
    at = end + 1;
  }
}

/**
 * The image of a data directory that initdb just made and that was shut
 * down cleanly (its pg_control says so): every file, with the WAL before
 * the shutdown checkpoint's page zeroed and other WAL segments left out.
 */
export function captureInitdbTemplate(dir: StorageDirectory, fingerprint: string): InitdbTemplate {
  const control = decodeControlFile(readWhole(dir, CONTROL_FILE_PATH));
  if (control.state !== DB_SHUTDOWNED) throw new PgError(SQLSTATE.object_not_in_prerequisite_state, 'an initdb template needs a cleanly shut down data directory');
  const segSize = control.xlogSegSize;
  const checkpointSegPath = xlogFilePath(control.checkPointCopy.thisTimeLineID, Math.floor(control.checkPoint / segSize), segSize);
  const keepFrom = Math.floor((control.checkPoint % segSize) / XLOG_BLCKSZ) * XLOG_BLCKSZ;
  const paths: string[] = [];
  listFiles(dir, '', paths);
  paths.sort();
  const files: TemplateFile[] = [];
  for (const path of paths) {
    const bytes = readWhole(dir, path);
    if (path.startsWith(`${XLOGDIR}/`)) {
      // Only the segment holding the checkpoint record is read again.
      if (path !== checkpointSegPath) continue;
      bytes.fill(0, XLOG_BLCKSZ, keepFrom);
    }
    files.push(encodeFile(path, bytes));
  }
  return { fingerprint, files };
}

// ---------------------------------------------------------------- instantiate

/**
 * Writes the image into `dir`, which must be empty: every file but
 * pg_control, flushed; then pg_control with a new system identifier. The
 * caller opens the directory as an existing cluster afterwards.
 */
export function instantiateInitdbTemplate(t: InitdbTemplate, dir: StorageDirectory): void {
  if (dir.list('').length !== 0) throw new PgError(SQLSTATE.object_not_in_prerequisite_state, 'an initdb template is only written into an empty directory');
  let controlFile: TemplateFile | null = null;
  for (const tf of t.files) if (tf.path === CONTROL_FILE_PATH) controlFile = tf;
  if (controlFile === null) throw new PgError(SQLSTATE.internal_error, 'the initdb template has no pg_control');
  const controlBytes = decodeFile(controlFile);
  const control = decodeControlFile(controlBytes);
  control.systemIdentifier = newSystemIdentifier();
  const checkpointSegPath = xlogFilePath(control.checkPointCopy.thisTimeLineID, Math.floor(control.checkPoint / control.xlogSegSize), control.xlogSegSize);

  for (const tf of t.files) {
    if (tf === controlFile) continue;
    const f = dir.open(tf.path, { create: true });
    try {
      f.truncate(tf.size);
      let scratch = new Uint8Array(XLOG_BLCKSZ);
      forEachRun(tf, (offset, text) => {
        const need = (text.length >>> 2) * 3;
        if (scratch.length < need) scratch = new Uint8Array(need);
        const n = decodeBase64(text, scratch, 0);
        f.write(scratch.subarray(0, n), { at: offset });
      });
      if (tf.path === checkpointSegPath) {
        // The WAL segment's long page header carries the cluster's identifier too.
        const sysid = new Uint8Array(8);
        putU32(sysid, 0, sysidLo(control.systemIdentifier));
        putU32(sysid, 4, sysidHi(control.systemIdentifier));
        f.write(sysid, { at: XLP_SYSID });
      }
      f.flush();
    } finally {
      f.close();
    }
  }
  control.time = Math.floor(Date.now() / 1000);
  writeControlFile(dir, control);
}

/** A file of the image as bytes (tests, and pg_control). */
export function decodeFile(tf: TemplateFile): Uint8Array {
  const out = new Uint8Array(tf.size);
  forEachRun(tf, (offset, text) => decodeBase64(text, out, offset));
  return out;
}
