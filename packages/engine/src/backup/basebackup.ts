/*
 * basebackup.ts — a whole data directory as one archive file, and back
 * (the part of PostgreSQL's pg_basebackup tar format, backup_manifest and
 * pg_verifybackup that a database in a browser tab needs to be downloaded
 * and uploaded again).
 *
 * Exports: BackupFile, BACKUP_MANIFEST_PATH, backupManifest, makeBaseBackup,
 *          readBaseBackup, readDataDirectory, archiveDataDirectory, cleanlyShutDown,
 *          restoreDataDirectory, compressBaseBackup, decompressBaseBackup
 *
 * The archive is a ustar file (port/tar.ts), optionally gzipped
 * (compressBaseBackup: the 16 MB WAL segments are mostly zeroes):
 *
 *   backup_manifest          JSON, PostgreSQL's manifest version 1: every
 *                            file's path, size and CRC-32C, the WAL range,
 *                            and a checksum of the manifest itself
 *   base/..., global/..., pg_wal/..., pg_xact/..., ...   the files, by path
 *
 * Differences from PostgreSQL: an archive is taken only from a data directory
 * that was shut down cleanly (pg_control says "shut down"), so it needs no
 * backup_label and no WAL replay; PostgreSQL copies a running server and
 * replays the WAL written meanwhile. The manifest's own checksum is CRC-32C,
 * not SHA-256 (the engine has CRC-32C already; it guards against damage, not
 * against someone forging a file).
 *
 * Rules:
 *  1. An archive is made only of a cleanly shut down directory: pg_control
 *     present, its CRC right, its state DB_SHUTDOWNED, and the WAL segment
 *     holding its checkpoint record present (55000 otherwise).
 *  2. readBaseBackup checks everything before anything is written: the tar
 *     structure (port/tar.ts), the manifest first and its checksum, every
 *     file listed and no other, each size and CRC-32C, then rule 1 on the
 *     files it holds. A damaged archive is XX001 data_corrupted, one that is
 *     not a database archive 22P03.
 *  3. restoreDataDirectory writes only into an empty directory, every file
 *     flushed, pg_control last: a directory whose restore failed half way
 *     has no pg_control, so it can never start as a database; the files it
 *     wrote are removed.
 */

import type { StorageDirectory } from '@tabgres/opfs-storage';
import { crc32c } from '../port/crc32c.ts';
import { readTar, writeTar, type TarMember } from '../port/tar.ts';
import { CONTROL_FILE_PATH, DB_SHUTDOWNED, dbStateName, decodeControlFile, type ControlFileData } from '../catalog/pg_control.ts';
import { xlByteToSeg, xlogFilePath } from '../access/transam/xlog_internal.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';

/** One file of a data directory: its path relative to the directory and its bytes. */
export interface BackupFile {
  path: string;
  bytes: Uint8Array;
}

export const BACKUP_MANIFEST_PATH = 'backup_manifest';
const MANIFEST_VERSION = 1;
const CHECKSUM_FIELD = '"Manifest-Checksum": "';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const hex32 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const lsnText = (lsn: number): string => `${Math.floor(lsn / 2 ** 32).toString(16).toUpperCase()}/${(lsn % 2 ** 32).toString(16).toUpperCase()}`;

interface ManifestFile {
  Path: string;
  Size: number;
  'Checksum-Algorithm': 'CRC32C';
  Checksum: string;
}

function corrupt(message: string, detail?: string): PgError {
  return new PgError(SQLSTATE.data_corrupted, message, detail !== undefined ? { detail } : {});
}

/** pg_control decoded (its own checks: version, CRC, geometry), or the reason it cannot be. */
function checkControlFile(files: readonly BackupFile[], makeError: (m: string, d?: string) => PgError): ControlFileData {
  const control = files.find((f) => f.path === CONTROL_FILE_PATH);
  if (control === undefined) throw makeError(`the data directory has no "${CONTROL_FILE_PATH}"`);
  let cf: ControlFileData;
  try {
    cf = decodeControlFile(control.bytes);
  } catch (e) {
    if (e instanceof PgError) throw makeError(`invalid "${CONTROL_FILE_PATH}": ${e.message}`, e.detail);
    throw e;
  }
  if (cf.state !== DB_SHUTDOWNED) {
    throw new PgError(SQLSTATE.object_not_in_prerequisite_state, `the database was not shut down cleanly (pg_control says "${dbStateName(cf.state)}")`, {
      hint: 'Close the database before exporting it, so that its files are consistent without WAL replay.',
    });
  }
  const wal = xlogFilePath(cf.checkPointCopy.thisTimeLineID, xlByteToSeg(cf.checkPoint, cf.xlogSegSize), cf.xlogSegSize);
  if (!files.some((f) => f.path === wal)) throw makeError(`WAL segment "${wal}" holding the latest checkpoint record is missing`);
  return cf;
}

/**
 * True when the files' pg_control is readable and says "shut down": an
 * archive can be made of them as they are (rule 1). A directory whose
 * postmaster was not closed (a browser tab closed) says "in production"
 * and needs a start (crash recovery) and a clean shutdown first.
 */
export function cleanlyShutDown(files: readonly BackupFile[]): boolean {
  const control = files.find((f) => f.path === CONTROL_FILE_PATH);
  if (control === undefined) return false;
  try {
    return decodeControlFile(control.bytes).state === DB_SHUTDOWNED;
  } catch {
    return false;
  }
}

/**
 * The manifest of `files` (PostgreSQL's backup_manifest layout, one file
 * per line): exported so tests can build archives whose manifest is right
 * and whose contents are not.
 */
export function backupManifest(files: readonly BackupFile[], checkpointLsn = 0): string {
  const entries: ManifestFile[] = files.map((f) => ({ Path: f.path, Size: f.bytes.length, 'Checksum-Algorithm': 'CRC32C', Checksum: hex32(crc32c(f.bytes)) }));
  const body =
    `{ "PostgreSQL-Backup-Manifest-Version": ${MANIFEST_VERSION},\n"Files": [\n` +
    entries.map((e) => JSON.stringify(e)).join(',\n') +
    `\n],\n"WAL-Ranges": [\n${JSON.stringify({ Timeline: 1, 'Start-LSN': lsnText(checkpointLsn), 'End-LSN': lsnText(checkpointLsn) })}\n],\n`;
  return `${body}${CHECKSUM_FIELD}${hex32(crc32c(encoder.encode(body)))}"}\n`;
}

/** The archive (uncompressed ustar) of a cleanly shut down data directory's files (rule 1). */
export function makeBaseBackup(files: readonly BackupFile[]): Uint8Array {
  const cf = checkControlFile(files, (m, d) => new PgError(SQLSTATE.object_not_in_prerequisite_state, m, d !== undefined ? { detail: d } : {}));
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const mtime = Math.floor(Date.now() / 1000);
  const members: TarMember[] = [
    { path: BACKUP_MANIFEST_PATH, type: 'file', bytes: encoder.encode(backupManifest(sorted, cf.checkPoint)), mtime },
    ...sorted.map((f): TarMember => ({ path: f.path, type: 'file', bytes: f.bytes, mtime })),
  ];
  return writeTar(members);
}

/** Parses and checks the manifest text (rule 2). */
function parseManifest(text: string): Map<string, ManifestFile> {
  const at = text.lastIndexOf(CHECKSUM_FIELD);
  if (at < 0) throw corrupt('the backup manifest has no Manifest-Checksum');
  const stored = text.slice(at + CHECKSUM_FIELD.length, at + CHECKSUM_FIELD.length + 8);
  const computed = hex32(crc32c(encoder.encode(text.slice(0, at))));
  if (stored !== computed) throw corrupt(`manifest checksum mismatch: stored ${stored}, computed ${computed}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw corrupt(`could not parse the backup manifest: ${e instanceof Error ? e.message : String(e)}`);
  }
  const m = json as { 'PostgreSQL-Backup-Manifest-Version'?: unknown; Files?: unknown };
  if (m['PostgreSQL-Backup-Manifest-Version'] !== MANIFEST_VERSION || !Array.isArray(m.Files)) {
    throw corrupt(`unsupported backup manifest version ${String(m['PostgreSQL-Backup-Manifest-Version'])}`);
  }
  const files = new Map<string, ManifestFile>();
  for (const f of m.Files as unknown[]) {
    const e = f as Partial<ManifestFile>;
    if (typeof e.Path !== 'string' || typeof e.Size !== 'number' || e['Checksum-Algorithm'] !== 'CRC32C' || typeof e.Checksum !== 'string') {
      throw corrupt('the backup manifest has a malformed file entry');
    }
    files.set(e.Path, e as ManifestFile);
  }
  return files;
}

/**
 * The files of an archive made by makeBaseBackup (uncompressed; see
 * decompressBaseBackup), every check of rule 2 passed. Writes nothing.
 */
export function readBaseBackup(archive: Uint8Array): BackupFile[] {
  const members = readTar(archive);
  if (members.length === 0 || members[0].path !== BACKUP_MANIFEST_PATH) {
    throw new PgError(SQLSTATE.invalid_binary_representation, 'archive signature not recognized', {
      detail: `A tabgres database archive starts with "${BACKUP_MANIFEST_PATH}".`,
    });
  }
  const manifest = parseManifest(decoder.decode(members[0].bytes));
  const files: BackupFile[] = [];
  const seen = new Set<string>();
  for (const m of members.slice(1)) {
    if (m.type === 'folder') continue;
    const e = manifest.get(m.path);
    if (e === undefined) throw corrupt(`"${m.path}" is present in the archive but not in the manifest`);
    if (seen.has(m.path)) throw corrupt(`"${m.path}" appears twice in the archive`);
    seen.add(m.path);
    if (m.bytes.length !== e.Size) throw corrupt(`"${m.path}" has size ${m.bytes.length} in the archive, but size ${e.Size} in the manifest`);
    const crc = hex32(crc32c(m.bytes));
    if (crc !== e.Checksum) throw corrupt(`checksum mismatch for file "${m.path}"`, `The manifest says CRC-32C ${e.Checksum}, the archive's bytes give ${crc}.`);
    files.push({ path: m.path, bytes: m.bytes });
  }
  for (const path of manifest.keys()) if (!seen.has(path)) throw corrupt(`"${path}" is present in the manifest but not in the archive`);
  checkControlFile(files, corrupt);
  return files;
}

function storageCode(e: unknown): unknown {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'StorageError' ? (e as { code?: unknown }).code : undefined;
}

/** Every file under `dir`, read whole, in path order (empty folders left out). */
export function readDataDirectory(dir: StorageDirectory, folder = ''): BackupFile[] {
  const out: BackupFile[] = [];
  for (const name of dir.list(folder)) {
    const path = folder === '' ? name : `${folder}/${name}`;
    // A folder has entries; a file has none (list() of a file is [] in every StorageDirectory).
    if (dir.list(path).length > 0) {
      out.push(...readDataDirectory(dir, path));
      continue;
    }
    let file;
    try {
      file = dir.open(path);
    } catch (e) {
      // An empty folder: EINVAL where folders are real (node), ENOENT where they are implicit.
      const code = storageCode(e);
      if (code === 'EINVAL' || code === 'ENOENT') continue;
      throw e;
    }
    try {
      const bytes = new Uint8Array(file.getSize());
      const n = file.read(bytes, { at: 0 });
      if (n !== bytes.length) throw new PgError(SQLSTATE.io_error, `could not read file "${path}": read ${n} of ${bytes.length}`);
      out.push({ path, bytes });
    } finally {
      file.close();
    }
  }
  return out;
}

/** The archive of a data directory that is not in use and was shut down cleanly. */
export function archiveDataDirectory(dir: StorageDirectory): Uint8Array {
  return makeBaseBackup(readDataDirectory(dir));
}

/**
 * Writes an archive's files into `dir`, which must be empty (rule 3). Every
 * check of readBaseBackup comes first, so a damaged archive writes nothing.
 */
export function restoreDataDirectory(archive: Uint8Array, dir: StorageDirectory): BackupFile[] {
  const files = readBaseBackup(archive);
  if (dir.list('').length > 0) {
    throw new PgError(SQLSTATE.object_not_in_prerequisite_state, 'could not restore into a data directory that is not empty');
  }
  writeDataDirectory(files, dir);
  return files;
}

/** Rule 3's writing half, for a caller that checked the files itself (readBaseBackup). */
export function writeDataDirectory(files: readonly BackupFile[], dir: StorageDirectory): void {
  const ordered = [...files.filter((f) => f.path !== CONTROL_FILE_PATH), ...files.filter((f) => f.path === CONTROL_FILE_PATH)];
  const written: string[] = [];
  try {
    for (const f of ordered) {
      const h = dir.open(f.path, { create: true });
      written.push(f.path);
      try {
        h.truncate(0);
        h.write(f.bytes, { at: 0 });
        h.flush();
      } finally {
        h.close();
      }
    }
  } catch (e) {
    for (const path of written.reverse()) {
      try {
        dir.remove(path);
      } catch {
        // Best effort: without pg_control what is left cannot start.
      }
    }
    throw e;
  }
}

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** gzip of an archive (CompressionStream: browsers and Node 18+). */
export async function compressBaseBackup(tar: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([tar as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The ustar bytes of an archive file: gunzipped when it is gzip, as it is otherwise. */
export async function decompressBaseBackup(file: Uint8Array): Promise<Uint8Array> {
  if (!isGzip(file)) return file;
  try {
    const stream = new Blob([file as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw corrupt(`could not decompress the archive: ${e instanceof Error ? e.message : String(e)}`, 'The gzip stream is damaged or truncated.');
  }
}
