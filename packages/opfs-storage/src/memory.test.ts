import { describe, expect, it } from 'vitest';

import { describeConformance, expectStorageError } from './conformance.ts';
import { MEMORY_FILE_SIZE_MAX_BYTES } from './constants.ts';
import { MemoryDirectory } from './memory.ts';

describeConformance('MemoryDirectory', () => ({ dir: new MemoryDirectory() }));

describe('MemoryDirectory', () => {
  it('says which implementation it is', () => {
    expect(new MemoryDirectory().kind).toBe('memory');
  });

  it('drops a folder with its last file', () => {
    const dir = new MemoryDirectory();
    dir.open('base/5/16384', { create: true }).close();
    dir.remove('base/5/16384');
    expect(dir.exists('base/5')).toBe(false);
    expect(dir.list('base')).toEqual([]);
  });

  it('grows one file through many doublings without losing bytes', () => {
    const dir = new MemoryDirectory();
    const file = dir.open('pg_wal/segment', { create: true });
    const page = new Uint8Array(8192);
    for (let block = 0; block < 300; block++) {
      page.fill(block & 0xff);
      file.write(page, { at: block * 8192 });
    }
    for (let block = 0; block < 300; block++) {
      file.read(page, { at: block * 8192 });
      expect(page[0]).toBe(block & 0xff);
      expect(page[8191]).toBe(block & 0xff);
    }
    file.close();
  });

  it('fails with ENOSPC past the largest in-memory file', () => {
    const file = new MemoryDirectory().open('huge', { create: true });
    expectStorageError(() => file.write(new Uint8Array(1), { at: MEMORY_FILE_SIZE_MAX_BYTES }), 'ENOSPC');
    expectStorageError(() => file.truncate(MEMORY_FILE_SIZE_MAX_BYTES + 1), 'ENOSPC');
    expect(file.getSize()).toBe(0);
  });
});
