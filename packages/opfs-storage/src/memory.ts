/*
 * memory.ts — a StorageDirectory held in memory, for throwaway databases.
 *
 * Exports: MemoryDirectory.
 *
 * Each file is a GrowableBytes; handles copy in and out of it with
 * Uint8Array.set, so an 8 KB page read or write is one memcpy. flush() does
 * nothing: nothing here survives the process anyway. Everything is lost when
 * the object is dropped.
 *
 * Handle states:
 *
 *     open() --> OPEN --close()--> CLOSED   (every call but close() throws EBADF)
 */

import { checkOffset, checkSize, GrowableBytes, viewBytes } from './bytes.ts';
import { MEMORY_FILE_SIZE_MAX_BYTES } from './constants.ts';
import { FileTree } from './filetree.ts';
import { normalizePath } from './path.ts';
import {
  StorageError,
  type OpenOptions,
  type ReadWriteOptions,
  type StorageDirectory,
  type SyncFile,
} from './types.ts';

class MemoryFile implements SyncFile {
  private closed = false;

  constructor(
    private readonly bytes: GrowableBytes,
    /** The path at open time, for error messages; the handle follows the file through renames. */
    private readonly path: string,
  ) {}

  read(buffer: ArrayBufferView, options?: ReadWriteOptions): number {
    this.assertOpen();
    const dst = viewBytes(buffer, this.path);
    const at = checkOffset(options?.at, 0, MEMORY_FILE_SIZE_MAX_BYTES, this.path);
    return this.bytes.read(dst, at);
  }

  write(buffer: ArrayBufferView, options?: ReadWriteOptions): number {
    this.assertOpen();
    const src = viewBytes(buffer, this.path);
    const at = checkOffset(options?.at, src.length, MEMORY_FILE_SIZE_MAX_BYTES, this.path);
    this.bytes.write(src, at);
    return src.length;
  }

  truncate(newSize: number): void {
    this.assertOpen();
    this.bytes.truncate(checkSize(newSize, MEMORY_FILE_SIZE_MAX_BYTES, this.path));
  }

  getSize(): number {
    this.assertOpen();
    return this.bytes.size;
  }

  flush(): void {
    this.assertOpen();
  }

  /** Closing twice is allowed, as with FileSystemSyncAccessHandle. */
  close(): void {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('EBADF', this.path, 'file handle is closed');
  }
}

export class MemoryDirectory implements StorageDirectory {
  readonly kind = 'memory';
  private readonly tree = new FileTree<GrowableBytes>();

  open(path: string, options?: OpenOptions): SyncFile {
    const p = normalizePath(path, 'file');
    let bytes = this.tree.get(p);
    if (bytes === undefined) {
      if (options?.create !== true) throw new StorageError('ENOENT', p, 'no such file');
      this.tree.checkCreatable(p);
      bytes = new GrowableBytes();
      this.tree.add(p, bytes);
    }
    return new MemoryFile(bytes, p);
  }

  exists(path: string): boolean {
    return this.tree.exists(normalizePath(path, 'folder'));
  }

  list(folder: string): string[] {
    return this.tree.list(normalizePath(folder, 'folder'));
  }

  rename(from: string, to: string): void {
    this.tree.move(normalizePath(from, 'file'), normalizePath(to, 'file'));
  }

  remove(path: string): void {
    this.tree.remove(normalizePath(path, 'file'));
  }
}
