/*
 * types.ts — the file layer's contract.
 *
 * Everything above the file layer (the storage manager, WAL, pg_control,
 * CLOG) sees only these two interfaces. SyncFile is shaped exactly like the
 * browser's FileSystemSyncAccessHandle, so the OPFS implementation is a thin
 * wrapper and the Node, memory and crash-simulation implementations behave the
 * same way:
 *
 *   read(buf, {at})   -> bytes read (short at end of file, never throws for EOF)
 *   write(buf, {at})  -> bytes written; writing past the end extends the file,
 *                        a gap reads back as zeroes
 *   truncate(n)       -> file becomes exactly n bytes (grows with zeroes)
 *   getSize()         -> current size in bytes, including unflushed writes
 *   flush()           -> durability point: everything written before it
 *                        survives a crash (fdatasync)
 *   close()           -> handle unusable afterwards
 *
 * Paths are '/'-separated and relative to the directory's root, e.g.
 * "base/5/16384" or "pg_wal/000000010000000000000001". Parent folders are
 * created on demand by open({create: true}) and rename().
 */

export interface ReadWriteOptions {
  /** Byte offset in the file; defaults to 0. */
  at?: number;
}

export interface SyncFile {
  read(buffer: ArrayBufferView, options?: ReadWriteOptions): number;
  write(buffer: ArrayBufferView, options?: ReadWriteOptions): number;
  truncate(newSize: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}

export interface OpenOptions {
  /** Create the file (and its parent folders) when it does not exist. */
  create?: boolean;
}

export interface StorageDirectory {
  /** Which implementation this is, for logs and the playground. */
  readonly kind: 'node' | 'memory' | 'crash-sim' | 'opfs';
  /** Opens a file; throws StorageError('ENOENT') when missing and !create. */
  open(path: string, options?: OpenOptions): SyncFile;
  exists(path: string): boolean;
  /** Names (not paths) of the entries directly inside a folder; [] when the folder does not exist. */
  list(folder: string): string[];
  /**
   * Atomically replaces `to` with `from` (POSIX rename semantics). Durable
   * once it returns: pg_control relies on this.
   */
  rename(from: string, to: string): void;
  /** Removes a file; removing a missing file is not an error. */
  remove(path: string): void;
}

export type StorageErrorCode = 'ENOENT' | 'ENOSPC' | 'EIO' | 'EBADF' | 'EINVAL';

/**
 * The file layer's one error type. The engine turns it into a PgError
 * (ENOSPC -> 53100 disk_full, the others -> 58030 io_error) naming the file.
 */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly path: string;
  constructor(code: StorageErrorCode, path: string, message: string) {
    super(message);
    this.name = 'StorageError';
    this.code = code;
    this.path = path;
  }
}
