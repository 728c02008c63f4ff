import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { describeConformance, expectStorageError } from './conformance.ts';
import { NodeDirectory } from './node.ts';

function tempRoot(): string {
  return fs.mkdtempSync(nodePath.join(os.tmpdir(), 'tabgres-opfs-storage-'));
}

describeConformance('NodeDirectory', () => {
  const root = tempRoot();
  return { dir: new NodeDirectory(root), cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
});

describe('NodeDirectory', () => {
  const roots: string[] = [];
  const makeRoot = (): string => {
    const root = tempRoot();
    roots.push(root);
    return root;
  };
  afterEach(() => {
    for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
  });

  it('creates a missing root folder', () => {
    const root = nodePath.join(makeRoot(), 'nested', 'pgdata');
    const dir = new NodeDirectory(root);
    expect(dir.kind).toBe('node');
    expect(dir.root).toBe(root);
    expect(fs.statSync(root).isDirectory()).toBe(true);
  });

  it('lays files out under the root as their paths say', () => {
    const root = makeRoot();
    const dir = new NodeDirectory(root);
    const file = dir.open('base/5/16384', { create: true });
    file.write(new Uint8Array([1, 2, 3]), { at: 0 });
    file.flush();
    file.close();
    expect([...fs.readFileSync(nodePath.join(root, 'base', '5', '16384'))]).toEqual([1, 2, 3]);
  });

  it('sees the same files from a second NodeDirectory on the same root', () => {
    const root = makeRoot();
    const file = new NodeDirectory(root).open('global/pg_control', { create: true });
    file.write(new Uint8Array([9]), { at: 4 });
    file.flush();
    file.close();
    const again = new NodeDirectory(root).open('global/pg_control');
    expect(again.getSize()).toBe(5);
    again.close();
  });

  it('removes an empty folder, as the memory implementations have none', () => {
    const root = makeRoot();
    const dir = new NodeDirectory(root);
    fs.mkdirSync(nodePath.join(root, 'base', '7'), { recursive: true });
    dir.remove('base/7');
    expect(dir.exists('base/7')).toBe(false);
  });

  it('names the file in errors', () => {
    const dir = new NodeDirectory(makeRoot());
    const err = expectStorageError(() => dir.open('pg_wal/000000010000000000000009'), 'ENOENT');
    expect(err.path).toBe('pg_wal/000000010000000000000009');
    expect(err.name).toBe('StorageError');
  });
});
