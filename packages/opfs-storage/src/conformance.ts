/*
 * conformance.ts — the test suite every StorageDirectory must pass.
 *
 * Exports: describeConformance.
 *
 * node.test.ts, memory.test.ts and crashsim.test.ts each run it against their
 * implementation, and the OPFS implementation will run it in a browser, so
 * the engine can rely on the same behaviour from all of them. Imported only by
 * tests (it uses vitest); not part of index.ts.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { StorageError, type StorageDirectory, type StorageErrorCode } from './types.ts';

export interface ConformanceTarget {
  dir: StorageDirectory;
  /** Called after each test, e.g. to delete a temporary folder. */
  cleanup?: () => void;
}

/** Asserts that `fn` throws a StorageError with `code`, and returns it. */
export function expectStorageError(fn: () => unknown, code: StorageErrorCode): StorageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StorageError);
    if (!(err instanceof StorageError)) throw err;
    expect(err.code).toBe(code);
    return err;
  }
  throw new Error(`expected StorageError(${code}), nothing was thrown`);
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

/** Reads `length` bytes at `at` (short at end of file). */
function readAt(dir: StorageDirectory, path: string, at: number, length: number): Uint8Array {
  const file = dir.open(path);
  try {
    const buf = new Uint8Array(length);
    const n = file.read(buf, { at });
    return buf.subarray(0, n);
  } finally {
    file.close();
  }
}

function writeFile(dir: StorageDirectory, path: string, data: Uint8Array): void {
  const file = dir.open(path, { create: true });
  try {
    file.truncate(0);
    file.write(data, { at: 0 });
    file.flush();
  } finally {
    file.close();
  }
}

export function describeConformance(name: string, make: () => ConformanceTarget): void {
  describe(`StorageDirectory conformance: ${name}`, () => {
    let target: ConformanceTarget;
    let dir: StorageDirectory;
    beforeEach(() => {
      target = make();
      dir = target.dir;
    });
    afterEach(() => target.cleanup?.());

    it('writes and reads back at offsets', () => {
      const file = dir.open('base/5/16384', { create: true });
      expect(file.write(bytes(1, 2, 3, 4), { at: 0 })).toBe(4);
      expect(file.write(bytes(9, 9), { at: 1 })).toBe(2);
      const buf = new Uint8Array(4);
      expect(file.read(buf, { at: 0 })).toBe(4);
      expect([...buf]).toEqual([1, 9, 9, 4]);
      expect(file.read(buf.subarray(0, 2), { at: 2 })).toBe(2);
      expect([...buf]).toEqual([9, 4, 9, 4]);
      expect(file.getSize()).toBe(4);
      file.close();
    });

    it('defaults the offset to 0', () => {
      const file = dir.open('f', { create: true });
      file.write(bytes(7, 8));
      const buf = new Uint8Array(2);
      expect(file.read(buf)).toBe(2);
      expect([...buf]).toEqual([7, 8]);
      file.close();
    });

    it('accepts any ArrayBufferView: DataView, wider typed arrays, offset views, SharedArrayBuffer', () => {
      const file = dir.open('views', { create: true });
      const words = new Uint32Array([0x04030201, 0x08070605]);
      expect(file.write(words, { at: 0 })).toBe(8);
      const backing = new Uint8Array(16);
      const dv = new DataView(backing.buffer, 4, 8);
      expect(file.read(dv, { at: 0 })).toBe(8);
      expect([...backing.subarray(4, 12)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(backing[3]).toBe(0);
      expect(backing[12]).toBe(0);
      const shared = new Uint8Array(new SharedArrayBuffer(8));
      expect(file.read(shared.subarray(2, 6), { at: 4 })).toBe(4);
      expect([...shared]).toEqual([0, 0, 5, 6, 7, 8, 0, 0]);
      expect(file.write(shared.subarray(2, 4), { at: 0 })).toBe(2);
      expect([...readAt(dir, 'views', 0, 3)]).toEqual([5, 6, 3]);
      file.close();
    });

    it('returns short reads at end of file and 0 past it', () => {
      const file = dir.open('short', { create: true });
      file.write(bytes(1, 2, 3), { at: 0 });
      const buf = new Uint8Array(8).fill(0xee);
      expect(file.read(buf, { at: 1 })).toBe(2);
      expect([...buf.subarray(0, 3)]).toEqual([2, 3, 0xee]);
      expect(file.read(buf, { at: 3 })).toBe(0);
      expect(file.read(buf, { at: 1000 })).toBe(0);
      expect(file.read(new Uint8Array(0), { at: 0 })).toBe(0);
      file.close();
    });

    it('reads a gap left by a write past the end as zeroes', () => {
      const file = dir.open('gap', { create: true });
      file.write(bytes(1), { at: 0 });
      file.write(bytes(2), { at: 8191 });
      expect(file.getSize()).toBe(8192);
      const page = new Uint8Array(8192).fill(0xee);
      expect(file.read(page, { at: 0 })).toBe(8192);
      expect(page[0]).toBe(1);
      expect(page.subarray(1, 8191).every((b) => b === 0)).toBe(true);
      expect(page[8191]).toBe(2);
      file.close();
    });

    it('does not extend the file on an empty write', () => {
      const file = dir.open('empty-write', { create: true });
      expect(file.write(new Uint8Array(0), { at: 100 })).toBe(0);
      expect(file.getSize()).toBe(0);
      file.close();
    });

    it('truncates down and up, growing with zeroes', () => {
      const file = dir.open('trunc', { create: true });
      file.write(new Uint8Array(100).fill(7), { at: 0 });
      file.truncate(10);
      expect(file.getSize()).toBe(10);
      file.truncate(50);
      expect(file.getSize()).toBe(50);
      const buf = new Uint8Array(50);
      expect(file.read(buf, { at: 0 })).toBe(50);
      expect(buf.subarray(0, 10).every((b) => b === 7)).toBe(true);
      // Bytes cut off by the shrink must not come back when the file grows again.
      expect(buf.subarray(10).every((b) => b === 0)).toBe(true);
      file.write(bytes(1), { at: 60 });
      expect(file.read(buf, { at: 10 })).toBe(50);
      expect(buf.subarray(0, 49).every((b) => b === 0)).toBe(true);
      file.truncate(0);
      expect(file.getSize()).toBe(0);
      file.close();
    });

    it('keeps data across close and reopen, and shares it between handles', () => {
      const a = dir.open('pg_xact/0000', { create: true });
      const b = dir.open('pg_xact/0000');
      a.write(bytes(5, 6), { at: 0 });
      expect(b.getSize()).toBe(2);
      const buf = new Uint8Array(2);
      b.read(buf, { at: 0 });
      expect([...buf]).toEqual([5, 6]);
      a.flush();
      a.close();
      b.close();
      expect([...readAt(dir, 'pg_xact/0000', 0, 10)]).toEqual([5, 6]);
    });

    it('does not truncate an existing file when opened with create', () => {
      writeFile(dir, 'keep', bytes(1, 2, 3));
      const file = dir.open('keep', { create: true });
      expect(file.getSize()).toBe(3);
      file.close();
    });

    it('throws ENOENT when opening a missing file without create', () => {
      const err = expectStorageError(() => dir.open('base/5/missing'), 'ENOENT');
      expect(err.path).toBe('base/5/missing');
      expectStorageError(() => dir.open('nofolder/file', { create: false }), 'ENOENT');
      expect(dir.exists('nofolder')).toBe(false);
    });

    it('reports files and folders in exists()', () => {
      writeFile(dir, 'base/5/16384', bytes(1));
      expect(dir.exists('base/5/16384')).toBe(true);
      expect(dir.exists('base/5')).toBe(true);
      expect(dir.exists('base')).toBe(true);
      expect(dir.exists('base/6')).toBe(false);
      expect(dir.exists('base/5/16384/x')).toBe(false);
    });

    it('lists the names directly inside a folder, sorted', () => {
      writeFile(dir, 'global/pg_control', bytes(1));
      writeFile(dir, 'base/5/16384', bytes(1));
      writeFile(dir, 'base/5/16384_fsm', bytes(1));
      writeFile(dir, 'base/1/1259', bytes(1));
      writeFile(dir, 'base/10', bytes(1));
      expect(dir.list('')).toEqual(['base', 'global']);
      expect(dir.list('base')).toEqual(['1', '10', '5']);
      expect(dir.list('base/5')).toEqual(['16384', '16384_fsm']);
      expect(dir.list('/base/5/')).toEqual(['16384', '16384_fsm']);
      expect(dir.list('pg_wal')).toEqual([]);
      expect(dir.list('base/10')).toEqual([]);
    });

    it('renames, replacing the target in one step and creating its folders', () => {
      writeFile(dir, 'global/pg_control', bytes(1, 1, 1, 1));
      writeFile(dir, 'global/pg_control.tmp', bytes(2, 2));
      dir.rename('global/pg_control.tmp', 'global/pg_control');
      expect(dir.exists('global/pg_control.tmp')).toBe(false);
      expect([...readAt(dir, 'global/pg_control', 0, 10)]).toEqual([2, 2]);
      expect(dir.list('global')).toEqual(['pg_control']);

      dir.rename('global/pg_control', 'archive/deep/pg_control');
      expect(dir.list('global')).toEqual([]);
      expect([...readAt(dir, 'archive/deep/pg_control', 0, 10)]).toEqual([2, 2]);
      dir.rename('archive/deep/pg_control', 'archive/deep/pg_control');
      expect(dir.exists('archive/deep/pg_control')).toBe(true);
    });

    it('keeps an open handle on the file through a rename', () => {
      const file = dir.open('wal.tmp', { create: true });
      dir.rename('wal.tmp', 'wal');
      file.write(bytes(3), { at: 0 });
      file.close();
      expect([...readAt(dir, 'wal', 0, 10)]).toEqual([3]);
    });

    it('throws ENOENT when renaming a missing file, and EINVAL for a folder in the way', () => {
      expectStorageError(() => dir.rename('nope', 'other'), 'ENOENT');
      expect(dir.exists('other')).toBe(false);
      writeFile(dir, 'a', bytes(1));
      writeFile(dir, 'folder/b', bytes(1));
      expectStorageError(() => dir.rename('a', 'folder'), 'EINVAL');
      expectStorageError(() => dir.rename('folder/b', 'a/b'), 'EINVAL');
      expect(dir.exists('a')).toBe(true);
      expect(dir.exists('folder/b')).toBe(true);
    });

    it('removes files; removing a missing file is not an error', () => {
      writeFile(dir, 'pg_wal/000000010000000000000001', bytes(1));
      writeFile(dir, 'pg_wal/000000010000000000000002', bytes(1));
      dir.remove('pg_wal/000000010000000000000001');
      expect(dir.exists('pg_wal/000000010000000000000001')).toBe(false);
      expect(dir.list('pg_wal')).toEqual(['000000010000000000000002']);
      expectStorageError(() => dir.open('pg_wal/000000010000000000000001'), 'ENOENT');
      dir.remove('pg_wal/000000010000000000000001');
      dir.remove('never/existed');
    });

    it('refuses to remove a folder that still holds files', () => {
      writeFile(dir, 'base/5/16384', bytes(1));
      expectStorageError(() => dir.remove('base/5'), 'EINVAL');
      expect(dir.exists('base/5/16384')).toBe(true);
    });

    it('refuses a file where a folder is, and a folder where a file is', () => {
      writeFile(dir, 'base/5/16384', bytes(1));
      expectStorageError(() => dir.open('base/5', { create: true }), 'EINVAL');
      expectStorageError(() => dir.open('base/5/16384/x', { create: true }), 'EINVAL');
      expectStorageError(() => dir.open('base/5/16384/x'), 'ENOENT');
    });

    it('throws EBADF for every call on a closed handle, and allows closing twice', () => {
      const file = dir.open('closed', { create: true });
      file.close();
      const buf = new Uint8Array(1);
      expectStorageError(() => file.read(buf, { at: 0 }), 'EBADF');
      expectStorageError(() => file.write(buf, { at: 0 }), 'EBADF');
      expectStorageError(() => file.truncate(0), 'EBADF');
      expectStorageError(() => file.getSize(), 'EBADF');
      expectStorageError(() => file.flush(), 'EBADF');
      file.close();
    });

    it('rejects bad offsets, sizes and paths with EINVAL', () => {
      const file = dir.open('args', { create: true });
      const buf = new Uint8Array(1);
      expectStorageError(() => file.read(buf, { at: -1 }), 'EINVAL');
      expectStorageError(() => file.write(buf, { at: 1.5 }), 'EINVAL');
      expectStorageError(() => file.write(buf, { at: Number.NaN }), 'EINVAL');
      expectStorageError(() => file.truncate(-1), 'EINVAL');
      file.close();
      expectStorageError(() => dir.open('../escape', { create: true }), 'EINVAL');
      expectStorageError(() => dir.open('a\\b', { create: true }), 'EINVAL');
      expectStorageError(() => dir.open('', { create: true }), 'EINVAL');
      expectStorageError(() => dir.open('x'.repeat(2000), { create: true }), 'EINVAL');
      expectStorageError(() => dir.list('..'), 'EINVAL');
    });

    it('normalizes paths, so spellings of one path name one file', () => {
      writeFile(dir, '/base//5/./16384/', bytes(4));
      expect([...readAt(dir, 'base/5/16384', 0, 4)]).toEqual([4]);
    });

    it('reads and writes whole 8 KB pages at page offsets', () => {
      const file = dir.open('base/5/pages', { create: true });
      const page = new Uint8Array(8192);
      for (let block = 0; block < 8; block++) {
        page.fill(block + 1);
        expect(file.write(page, { at: block * 8192 })).toBe(8192);
      }
      file.flush();
      expect(file.getSize()).toBe(8 * 8192);
      for (let block = 7; block >= 0; block--) {
        expect(file.read(page, { at: block * 8192 })).toBe(8192);
        expect(page.every((b) => b === block + 1)).toBe(true);
      }
      file.close();
    });
  });
}
