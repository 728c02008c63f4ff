/*
 * node.ts — a StorageDirectory over node:fs, for the CLI, tests and benchmarks.
 *
 * Exports: NodeDirectory.
 *
 * Every call is synchronous (readSync, writeSync, ...) because the engine
 * above is synchronous, as it is over OPFS sync access handles. The caller's
 * ArrayBufferView goes straight to readSync/writeSync: no copy on the 8 KB
 * page path.
 *
 * Durability (README rules 3 and 4): flush() is fdatasync. Creating, renaming
 * and removing a file also fsync the folders whose entries changed, as
 * PostgreSQL's durable_rename() and fsync_fname() do, so those operations are
 * durable once they return. On Windows a folder cannot be opened for fsync;
 * there NTFS's metadata journal is relied on instead. On macOS fdatasync does
 * not flush the drive's cache (F_FULLFSYNC would, and node:fs cannot issue it).
 *
 * Handle states:
 *
 *     open() --> OPEN --close()--> CLOSED   (every call but close() throws EBADF)
 */

import * as fs from 'node:fs';
import * as nodePath from 'node:path';

import { checkOffset, checkSize } from './bytes.ts';
import { normalizePath, parentOf } from './path.ts';
import {
  StorageError,
  type OpenOptions,
  type ReadWriteOptions,
  type StorageDirectory,
  type StorageErrorCode,
  type SyncFile,
} from './types.ts';

/** Node's files are bounded by the filesystem, not by us; offsets must stay exact numbers. */
const NODE_FILE_SIZE_MAX_BYTES = Number.MAX_SAFE_INTEGER;

function errnoOf(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/**
 * Maps a node:fs error to the file layer's codes. Errors that mean "that path
 * is the wrong kind of thing" (a folder where a file belongs, a file in the
 * middle of a path) are the caller's mistake and become EINVAL, as the memory
 * implementations report them; anything unexpected is EIO.
 */
function toStorageError(err: unknown, path: string): StorageError {
  if (err instanceof StorageError) return err;
  const errno = errnoOf(err);
  const message = err instanceof Error ? err.message : String(err);
  let code: StorageErrorCode;
  switch (errno) {
    case 'ENOENT':
      code = 'ENOENT';
      break;
    case 'ENOSPC':
    case 'EDQUOT':
      code = 'ENOSPC';
      break;
    case 'EISDIR':
    case 'ENOTDIR':
    case 'ENOTEMPTY':
    case 'EEXIST':
    case 'ENAMETOOLONG':
      code = 'EINVAL';
      break;
    default:
      code = 'EIO';
  }
  return new StorageError(code, path, message);
}

/** The view as the type node:fs declares; ArrayBuffer.isView is the runtime check at this boundary. */
function asNodeView(buffer: ArrayBufferView, path: string): NodeJS.ArrayBufferView {
  if (!ArrayBuffer.isView(buffer)) throw new StorageError('EINVAL', path, 'buffer is not an ArrayBufferView');
  return buffer as NodeJS.ArrayBufferView;
}

class NodeFile implements SyncFile {
  private fd: number | null;

  constructor(
    fd: number,
    /** The path at open time, for error messages; the descriptor follows the file through renames. */
    private readonly path: string,
  ) {
    this.fd = fd;
  }

  read(buffer: ArrayBufferView, options?: ReadWriteOptions): number {
    const fd = this.openFd();
    const view = asNodeView(buffer, this.path);
    const length = view.byteLength;
    const at = checkOffset(options?.at, 0, NODE_FILE_SIZE_MAX_BYTES, this.path);
    if (length === 0) return 0; // readSync rejects an empty buffer
    let done = 0;
    try {
      // A regular file returns less than asked only at end of file (0 there),
      // or for reads over 2 GB; the loop covers the second case.
      while (done < length) {
        const n = fs.readSync(fd, view, done, length - done, at + done);
        if (n === 0) break;
        done += n;
      }
    } catch (err) {
      throw toStorageError(err, this.path);
    }
    return done;
  }

  write(buffer: ArrayBufferView, options?: ReadWriteOptions): number {
    const fd = this.openFd();
    const view = asNodeView(buffer, this.path);
    const length = view.byteLength;
    const at = checkOffset(options?.at, length, NODE_FILE_SIZE_MAX_BYTES, this.path);
    if (length === 0) return 0; // as pwrite: an empty write never extends the file
    let done = 0;
    try {
      while (done < length) {
        const n = fs.writeSync(fd, view, done, length - done, at + done);
        // Zero progress would loop forever; a regular file never does it without an error.
        if (n <= 0) throw new StorageError('EIO', this.path, `write made no progress at ${at + done}`);
        done += n;
      }
    } catch (err) {
      throw toStorageError(err, this.path);
    }
    return done;
  }

  truncate(newSize: number): void {
    const fd = this.openFd();
    const size = checkSize(newSize, NODE_FILE_SIZE_MAX_BYTES, this.path);
    try {
      fs.ftruncateSync(fd, size);
    } catch (err) {
      throw toStorageError(err, this.path);
    }
  }

  getSize(): number {
    const fd = this.openFd();
    try {
      return fs.fstatSync(fd).size;
    } catch (err) {
      throw toStorageError(err, this.path);
    }
  }

  flush(): void {
    const fd = this.openFd();
    try {
      fs.fdatasyncSync(fd);
    } catch (err) {
      throw toStorageError(err, this.path);
    }
  }

  /** Closing twice is allowed, as with FileSystemSyncAccessHandle; the descriptor is closed once. */
  close(): void {
    const fd = this.fd;
    if (fd === null) return;
    this.fd = null;
    try {
      fs.closeSync(fd);
    } catch (err) {
      throw toStorageError(err, this.path);
    }
  }

  private openFd(): number {
    if (this.fd === null) throw new StorageError('EBADF', this.path, 'file handle is closed');
    return this.fd;
  }
}

export class NodeDirectory implements StorageDirectory {
  readonly kind = 'node';
  /** Absolute path of the root folder. */
  readonly root: string;

  /** Opens (creating if missing) the folder `root` as a directory. */
  constructor(root: string) {
    this.root = nodePath.resolve(root);
    try {
      fs.mkdirSync(this.root, { recursive: true });
    } catch (err) {
      throw toStorageError(err, this.root);
    }
  }

  open(path: string, options?: OpenOptions): SyncFile {
    const p = normalizePath(path, 'file');
    const full = this.fullPath(p);
    try {
      return new NodeFile(fs.openSync(full, fs.constants.O_RDWR), p);
    } catch (err) {
      const errno = errnoOf(err);
      // A file in the middle of the path means this file does not exist either.
      if (errno === 'ENOTDIR' && options?.create !== true) throw new StorageError('ENOENT', p, 'no such file');
      if (errno !== 'ENOENT') throw toStorageError(err, p);
      if (options?.create !== true) throw new StorageError('ENOENT', p, 'no such file');
    }
    try {
      const firstCreated = this.makeFolders(parentOf(p));
      let fd: number;
      try {
        fd = fs.openSync(full, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o666);
      } catch (err) {
        // Another process created it since our first attempt; then it is not ours to make durable.
        if (errnoOf(err) !== 'EEXIST') throw err;
        return new NodeFile(fs.openSync(full, fs.constants.O_RDWR), p);
      }
      try {
        this.syncFolders(parentOf(p), firstCreated);
      } catch (err) {
        fs.closeSync(fd);
        throw err;
      }
      return new NodeFile(fd, p);
    } catch (err) {
      throw toStorageError(err, p);
    }
  }

  exists(path: string): boolean {
    return fs.existsSync(this.fullPath(normalizePath(path, 'folder')));
  }

  list(folder: string): string[] {
    const f = normalizePath(folder, 'folder');
    try {
      return fs.readdirSync(this.fullPath(f)).sort();
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === 'ENOENT' || errno === 'ENOTDIR') return [];
      throw toStorageError(err, f);
    }
  }

  /** durable_rename(): rename, then fsync the folders whose entries changed. */
  rename(from: string, to: string): void {
    const src = normalizePath(from, 'file');
    const dst = normalizePath(to, 'file');
    try {
      if (!fs.statSync(this.fullPath(src)).isFile()) throw new StorageError('EINVAL', src, 'not a file');
      const firstCreated = this.makeFolders(parentOf(dst));
      fs.renameSync(this.fullPath(src), this.fullPath(dst));
      this.syncFolders(parentOf(dst), firstCreated);
      if (parentOf(src) !== parentOf(dst)) this.syncFolders(parentOf(src), undefined);
    } catch (err) {
      throw toStorageError(err, src);
    }
  }

  /** Removes a file, or an empty folder (the memory implementations never have those). */
  remove(path: string): void {
    const p = normalizePath(path, 'file');
    const full = this.fullPath(p);
    try {
      try {
        fs.unlinkSync(full);
      } catch (err) {
        const errno = errnoOf(err);
        if (errno === 'ENOENT') return;
        // Linux says EISDIR for unlink() on a folder, macOS says EPERM.
        if ((errno !== 'EISDIR' && errno !== 'EPERM') || !fs.statSync(full).isDirectory()) throw err;
        fs.rmdirSync(full);
      }
      this.syncFolders(parentOf(p), undefined);
    } catch (err) {
      throw toStorageError(err, p);
    }
  }

  private fullPath(p: string): string {
    return p === '' ? this.root : nodePath.join(this.root, p);
  }

  /** mkdir -p for a normalized folder; returns the absolute path of the first folder it created. */
  private makeFolders(folder: string): string | undefined {
    if (folder === '') return undefined;
    return fs.mkdirSync(this.fullPath(folder), { recursive: true });
  }

  /**
   * fsyncs `folder` (whose entries just changed) and, when mkdir created
   * folders down to it starting at `firstCreated`, the parent of each of them,
   * since a new folder's entry lives in its parent.
   */
  private syncFolders(folder: string, firstCreated: string | undefined): void {
    if (process.platform === 'win32') return;
    let dir = this.fullPath(folder);
    syncFolder(dir);
    if (firstCreated === undefined) return;
    // Walks up at most the depth of `folder`: firstCreated is one of its ancestors-or-self.
    while (dir !== firstCreated && dir.length > this.root.length) {
      dir = nodePath.dirname(dir);
      syncFolder(dir);
    }
    syncFolder(nodePath.dirname(firstCreated));
  }
}

function syncFolder(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
