/*
 * basebackup.test.ts — a data directory archived and restored (memory and
 * node file systems), and the damaged archives restore must refuse without
 * writing a file: a byte flipped in a header, in a file, in pg_control (with
 * a manifest that agrees, so pg_control's own CRC is what catches it), a
 * truncated archive, a wrong magic, a gzip stream cut short.
 */

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryDirectory, NodeDirectory, type StorageDirectory } from '@tabgres/opfs-storage';
import { Database } from '../database.ts';
import { PgError } from '../utils/errors.ts';
import { writeTar, readTar, TAR_BLOCK_SIZE } from '../port/tar.ts';
import {
  archiveDataDirectory, backupManifest, BACKUP_MANIFEST_PATH, compressBaseBackup, decompressBaseBackup, readBaseBackup,
  readDataDirectory, restoreDataDirectory,
} from './basebackup.ts';

let source: MemoryDirectory;
let archive: Uint8Array;

beforeAll(async () => {
  source = new MemoryDirectory();
  const db = await Database.open({ dir: source });
  await db.exec("CREATE TABLE shop (id int PRIMARY KEY, item text); INSERT INTO shop SELECT g, 'item ' || g FROM generate_series(1, 500) g;");
  await db.close();
  archive = archiveDataDirectory(source);
}, 60_000);

/** The error `fn` throws, which must be a PgError. */
function pgErrorOf(fn: () => unknown): PgError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PgError);
    return e as PgError;
  }
  throw new Error('expected a PgError, nothing was thrown');
}

function expectRefused(bytes: Uint8Array, code: string, message: RegExp): void {
  const dir = new MemoryDirectory();
  const e = pgErrorOf(() => restoreDataDirectory(bytes, dir));
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
  expect(dir.list('')).toEqual([]);
}

/** Where member `p`'s header starts in an archive. */
function headerOffset(bytes: Uint8Array, p: string): number {
  let at = 0;
  for (const m of readTar(bytes)) {
    if (m.path === p) return at;
    at += TAR_BLOCK_SIZE + Math.ceil(m.bytes.length / TAR_BLOCK_SIZE) * TAR_BLOCK_SIZE;
  }
  throw new Error(`no member ${p}`);
}

describe('ustar writer and reader', () => {
  it('round-trips files, an empty file and a path longer than 100 bytes (prefix field)', () => {
    const long = `${'a'.repeat(60)}/${'b'.repeat(60)}/c`;
    const members = [
      { path: 'x', type: 'file' as const, bytes: new Uint8Array([1, 2, 3]), mtime: 1700000000 },
      { path: 'd/empty', type: 'file' as const, bytes: new Uint8Array(0), mtime: 0 },
      { path: long, type: 'file' as const, bytes: new Uint8Array(513).fill(7), mtime: 5 },
    ];
    const tar = writeTar(members);
    expect(tar.length % TAR_BLOCK_SIZE).toBe(0);
    const back = readTar(tar);
    expect(back.map((m) => [m.path, m.type, m.mtime, Array.from(m.bytes)])).toEqual(members.map((m) => [m.path, m.type, m.mtime, Array.from(m.bytes)]));
  });

  it('is read by GNU tar', () => {
    const tar = writeTar([{ path: 'base/5/16384', type: 'file', bytes: new TextEncoder().encode('hello'), mtime: 1700000000 }]);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-tar-'));
    try {
      fs.writeFileSync(path.join(tmp, 'a.tar'), tar);
      execFileSync('tar', ['-xf', 'a.tar'], { cwd: tmp });
      expect(fs.readFileSync(path.join(tmp, 'base/5/16384'), 'utf8')).toBe('hello');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('refuses paths that leave the archive and members that are links', () => {
    expect(() => writeTar([{ path: '../x', type: 'file', bytes: new Uint8Array(0), mtime: 0 }])).toThrow(/invalid member path/);
    const tar = writeTar([{ path: 'x', type: 'file', bytes: new Uint8Array(0), mtime: 0 }]);
    const link = tar.slice();
    link[156] = 0x32; // '2', a symbolic link; the checksum is fixed below so only the type is wrong
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : link[i];
    link.set(new TextEncoder().encode(sum.toString(8).padStart(6, '0')), 148);
    expect(pgErrorOf(() => readTar(link)).message).toMatch(/only files and folders/);
  });
});

describe('base backup of a data directory', () => {
  it('restores into a fresh memory directory with the same files and rows', async () => {
    const dir = new MemoryDirectory();
    restoreDataDirectory(archive, dir);
    expect(readDataDirectory(dir).map((f) => f.path)).toEqual(readDataDirectory(source).map((f) => f.path));
    const db = await Database.open({ dir });
    const r = await db.query('SELECT count(*) AS n, max(item) AS m FROM shop');
    expect(r.rows).toEqual([{ n: 500n, m: 'item 99' }]);
    await db.exec("INSERT INTO shop VALUES (501, 'after restore')");
    await db.close();
  });

  describe('on the node file system', () => {
    let tmp = '';
    beforeAll(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-backup-'));
    });
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('round-trips gzipped through a NodeDirectory, and the archive of the restored directory is the same files', async () => {
      const gz = await compressBaseBackup(archive);
      expect(gz.length).toBeLessThan(archive.length / 10);
      const dir: StorageDirectory = new NodeDirectory(path.join(tmp, 'restored'));
      restoreDataDirectory(await decompressBaseBackup(gz), dir);
      const again = readBaseBackup(archiveDataDirectory(dir));
      const before = readBaseBackup(archive);
      expect(again.map((f) => [f.path, f.bytes.length])).toEqual(before.map((f) => [f.path, f.bytes.length]));
      const db = await Database.open({ dir });
      expect((await db.query('SELECT count(*) AS n FROM shop')).rows).toEqual([{ n: 500n }]);
      await db.close();
    });
  });

  it('refuses to archive a directory that was not shut down cleanly', async () => {
    const dir = new MemoryDirectory();
    const db = await Database.open({ dir });
    await db.exec('CREATE TABLE t (a int)');
    try {
      const e = pgErrorOf(() => archiveDataDirectory(dir));
      expect(e.code).toBe('55000');
      expect(e.message).toBe('the database was not shut down cleanly (pg_control says "in production")');
    } finally {
      await db.close();
    }
  });

  it('refuses to restore into a directory that is not empty', () => {
    const dir = new MemoryDirectory();
    dir.open('stray', { create: true }).close();
    expect(pgErrorOf(() => restoreDataDirectory(archive, dir)).message).toMatch(/not empty/);
    expect(dir.list('')).toEqual(['stray']);
  });
});

describe('damaged archives are refused and nothing is written', () => {
  it('a wrong magic: 22P03', () => {
    const bad = archive.slice();
    bad.set(new TextEncoder().encode('XXXXX'), 257);
    expectRefused(bad, '22P03', /^archive signature not recognized$/);
    expectRefused(new TextEncoder().encode('PK\x03\x04 this is a zip file'), '22P03', /^archive signature not recognized$/);
  });

  it('a ustar archive that is not a database archive: 22P03', () => {
    const other = writeTar([{ path: 'notes.txt', type: 'file', bytes: new Uint8Array(3), mtime: 0 }]);
    expectRefused(other, '22P03', /^archive signature not recognized$/);
  });

  it('a byte flipped in a member header: the header checksum', () => {
    const bad = archive.slice();
    const at = headerOffset(archive, 'global/pg_control');
    bad[at + 124 + 3] ^= 0x01; // a digit of the size field
    expectRefused(bad, 'XX001', /^invalid tar archive: header at byte \d+ has checksum/);
  });

  it('a byte flipped inside a file: its CRC-32C in the manifest', () => {
    const bad = archive.slice();
    const at = headerOffset(archive, 'base/5/1259');
    bad[at + TAR_BLOCK_SIZE + 100] ^= 0x40;
    expectRefused(bad, 'XX001', /^checksum mismatch for file "base\/5\/1259"$/);
  });

  it('a byte flipped in the manifest: the manifest checksum', () => {
    const bad = archive.slice();
    const text = new TextDecoder().decode(readTar(archive)[0].bytes);
    const i = text.indexOf('"Size":');
    expect(i).toBeGreaterThan(0);
    bad[TAR_BLOCK_SIZE + i + '"Size":'.length] ^= 0x01; // a digit of the first file's size
    expectRefused(bad, 'XX001', /^manifest checksum mismatch/);
  });

  it('pg_control damaged but listed in a manifest that agrees: pg_control\'s own CRC', () => {
    const files = readBaseBackup(archive).map((f) => ({ path: f.path, bytes: f.bytes.slice() }));
    const control = files.find((f) => f.path === 'global/pg_control');
    if (control === undefined) throw new Error('no pg_control');
    control.bytes[40] ^= 0xff;
    const tar = writeTar([
      { path: BACKUP_MANIFEST_PATH, type: 'file', bytes: new TextEncoder().encode(backupManifest(files)), mtime: 0 },
      ...files.map((f) => ({ path: f.path, type: 'file' as const, bytes: f.bytes, mtime: 0 })),
    ]);
    expectRefused(tar, 'XX001', /^invalid "global\/pg_control": incorrect checksum in control file$/);
  });

  it('no pg_control at all', () => {
    const files = readBaseBackup(archive).filter((f) => f.path !== 'global/pg_control');
    const tar = writeTar([
      { path: BACKUP_MANIFEST_PATH, type: 'file', bytes: new TextEncoder().encode(backupManifest(files)), mtime: 0 },
      ...files.map((f) => ({ path: f.path, type: 'file' as const, bytes: f.bytes, mtime: 0 })),
    ]);
    expectRefused(tar, 'XX001', /^the data directory has no "global\/pg_control"$/);
  });

  it('truncated: inside a member, between members, inside the end blocks', () => {
    const at = headerOffset(archive, 'base/5/1259');
    expectRefused(archive.subarray(0, at + TAR_BLOCK_SIZE + 1000), 'XX001', /^invalid tar archive: truncated: member "base\/5\/1259"/);
    expectRefused(archive.subarray(0, at), 'XX001', /^invalid tar archive: truncated: the archive ends at byte/);
    expectRefused(archive.subarray(0, archive.length - 100), 'XX001', /^invalid tar archive: truncated/);
  });

  it('a gzip stream cut short or damaged', async () => {
    const gz = await compressBaseBackup(archive);
    for (const bad of [gz.subarray(0, gz.length >> 1), (() => {
      const b = gz.slice();
      b[b.length - 6] ^= 0xff; // the CRC-32 trailer
      return b;
    })()]) {
      let caught: unknown = null;
      try {
        restoreDataDirectory(await decompressBaseBackup(bad), new MemoryDirectory());
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(PgError);
      expect((caught as PgError).code).toBe('XX001');
    }
  });
});
