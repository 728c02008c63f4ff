/*
 * Torn pages, corrupted pages, and bad files: each either repairs itself
 * through WAL (torn page + full-page image) or fails with a clear error that
 * names the file; none returns wrong rows.
 */

import { describe, expect, it } from 'vitest';
import { CrashSimDirectory, MemoryDirectory, type StorageDirectory } from '@tabgres/opfs-storage';
import { StorageEngine } from '../src/engine.ts';
import { BLCKSZ } from '../src/constants.ts';
import { relPath, ForkNumber } from '../src/storage/relfilelocator.ts';
import { xlogFilePath, xlByteToSeg, xlogSegmentOffset } from '../src/access/transam/xlog_internal.ts';
import type { PgError } from '../src/utils/errors.ts';
import { COLUMNS } from './crash_workload.ts';
import type { Relation } from '../src/access/heap/relation.ts';

const SEG = 1 << 20;

function open(dir: StorageDirectory, log?: (m: string) => void): StorageEngine {
  return StorageEngine.open({ dir, sharedBuffers: 32, walSegmentSize: SEG, walBuffers: 16, log });
}

function reopenRel(db: StorageEngine, rel: Relation): Relation {
  return db.openRelation({ oid: rel.oid, name: rel.name, columns: COLUMNS, toastOid: rel.toast?.oid ?? null });
}

function flipByte(dir: StorageDirectory, path: string, at: number): void {
  const f = dir.open(path);
  const b = new Uint8Array(1);
  f.read(b, { at });
  b[0] ^= 0x5a;
  f.write(b, { at });
  f.flush();
  f.close();
}

function errorOf(fn: () => unknown): PgError {
  try {
    fn();
  } catch (e) {
    return e as PgError;
  }
  throw new Error('expected an error');
}

describe('torn pages', () => {
  it('a data page torn in half after a checkpoint is rebuilt from its full-page image', () => {
    const dir = new CrashSimDirectory();
    const db = open(dir);
    const rel = db.createRelation('t', COLUMNS);
    db.begin();
    for (let k = 0; k < 60; k++) db.insert(rel, [k, `before ${k}`, new Uint8Array([k])]);
    db.commit();
    db.checkpoint();
    // First change of page 0 after the checkpoint: its WAL record carries the page image.
    const rows = db.scan(rel);
    db.begin();
    for (const r of rows.slice(0, 30)) db.update(rel, r.tid, [r.values[0], `after ${String(r.values[0])}`, new Uint8Array([1, 2, 3])]);
    db.commit();
    // The page reaches the file (not flushed), then the crash tears it.
    db.bufmgr.bufferSync();
    db.abandon();
    const outcomes = dir.crash({ seed: 5, mode: 'tear' });
    const torn = outcomes.find((o) => o.path === relPath(rel.locator, ForkNumber.MAIN));
    expect(torn?.tornPageAt).not.toBeNull();
    const db2 = open(dir);
    expect(db2.startup.recoveryPerformed).toBe(true);
    const after = db2.scan(reopenRel(db2, rel));
    expect(after.length).toBe(60);
    const byKey = new Map(after.map((r) => [r.values[0] as number, r.values[1]]));
    for (let k = 0; k < 60; k++) expect(byKey.get(k)).toBe(k < 30 ? `after ${k}` : `before ${k}`);
    db2.close();
  });

  it('a corrupted page with no image to repair it raises XX001, never wrong rows', () => {
    const dir = new MemoryDirectory();
    const db = open(dir);
    const rel = db.createRelation('t', COLUMNS);
    db.insertMany(rel, Array.from({ length: 300 }, (_, k) => [k, `row ${k}`, null]));
    db.close(); // clean shutdown: no WAL replay will touch the pages again
    flipByte(dir, relPath(rel.locator, ForkNumber.MAIN), BLCKSZ + 4000);
    const db2 = open(dir);
    expect(db2.startup.recoveryPerformed).toBe(false);
    const err = errorOf(() => db2.scan(reopenRel(db2, rel)));
    expect(err.code).toBe('XX001');
    expect(err.message).toBe(`invalid page in block 1 of relation ${relPath(rel.locator, ForkNumber.MAIN)}`);
    db2.close();
  });
});

describe('bad files', () => {
  it('a corrupt pg_control is refused with an error naming the file', () => {
    const dir = new MemoryDirectory();
    open(dir).close();
    flipByte(dir, 'global/pg_control', 40);
    const err = errorOf(() => open(dir));
    expect(err.message).toBe('incorrect checksum in control file');
    expect(err.where).toContain('global/pg_control');
  });

  it('a data directory of another format version is refused', () => {
    const dir = new MemoryDirectory();
    open(dir).close();
    flipByte(dir, 'global/pg_control', 8); // pg_control_version
    const err = errorOf(() => open(dir));
    expect(err.message).toBe('database files are incompatible with server');
    expect(err.detail).toMatch(/initialized with PG_CONTROL_VERSION \d+, but the server was compiled with PG_CONTROL_VERSION \d+/);
    expect(err.where).toContain('global/pg_control');
  });

  it('a missing pg_control is a clear error', () => {
    const dir = new MemoryDirectory();
    open(dir).close();
    dir.remove('global/pg_control');
    // The rest of the data directory is still there: it must not be initialized over.
    const err = errorOf(() => open(dir));
    expect(err.code).toBe('58P01');
    expect(err.message).toBe('could not open file "global/pg_control": No such file or directory');
    expect(dir.exists('pg_wal/000000010000000000000001')).toBe(true);
  });

  it('recovery stops at a WAL record with a bad CRC, as at the end of WAL', () => {
    const dir = new CrashSimDirectory();
    const db = open(dir);
    const rel = db.createRelation('t', COLUMNS);
    db.checkpoint();
    db.insert(rel, [1, 'first', null]);
    const before = db.xlog.getInsertRecPtr();
    db.insert(rel, [2, 'second', null]);
    db.abandon();
    dir.crash({ seed: 1, mode: 'drop' });
    // Damage the second insert's record (inside its payload).
    const seg = xlByteToSeg(before, SEG);
    flipByte(dir, xlogFilePath(1, seg, SEG), xlogSegmentOffset(before, SEG) + 40);
    const log: string[] = [];
    const db2 = open(dir, (m) => log.push(m));
    const keys = db2.scan(reopenRel(db2, rel)).map((r) => r.values[0]);
    expect(keys).toEqual([1]);
    expect(log.some((m) => /checksum in record at|invalid record/.test(m))).toBe(true);
    db2.close();
  });
});
