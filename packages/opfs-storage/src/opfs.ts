/*
 * opfs.ts — the file layer on the browser's Origin Private File System,
 * the backend's half: OpfsDirectory, a synchronous StorageDirectory whose
 * every call is one request to an OPFS I/O worker (opfs_server.ts) over a
 * SharedArrayBuffer channel, answered while the backend waits in
 * Atomics.wait.
 *
 * Exports: OpfsDirectory, makeOpfsChannel, OPFS_CHANNEL_DATA_BYTES,
 *          OpfsOp, OPFS_ERROR_CODES, and the channel's word indexes
 *
 * Why a server at all: opening an OPFS file (getFileHandle,
 * createSyncAccessHandle), listing, renaming and removing are
 * asynchronous, and the engine above is synchronous (it runs inside a
 * statement, holding LWLocks). A thread cannot wait for its own promise,
 * so the asynchronous part runs in another worker, which holds the
 * FileSystemSyncAccessHandles and serves reads and writes too (a sync
 * handle cannot be transferred to the backend).
 *
 * The channel (one per backend, one request at a time):
 *
 *   Int32 words                         Float64 words        data bytes
 *   [STATE, OP, FILE, STATUS, LEN,      [ARG, RESULT]        paths (UTF-8), bytes to
 *    LEN2, FLAGS]                                            write / read, error text
 *
 *   client: fill OP/FILE/ARG/data, STATE 0 -> 1, notify, wait while 1
 *   server: sees 1, does the work, fills STATUS/RESULT/data, STATE -> 2, notify
 *   client: reads the reply, STATE -> 0
 *
 * Rules:
 *  1. One request in flight per channel: a backend is one thread and waits
 *     for each reply, so the channel needs no lock.
 *  2. Requests longer than the data area (a large write or read) are split
 *     into chunks of OPFS_CHANNEL_DATA_BYTES, each one request.
 *  3. An error comes back as STATUS (a StorageErrorCode's number) and its
 *     message in the data area, and is thrown here as a StorageError with the
 *     caller's path, so the engine maps ENOSPC (QuotaExceededError) to
 *     53100 as it does for NodeDirectory.
 *  4. Handles are numbers the server gives out; a closed handle throws
 *     EBADF here, without a request.
 */

import { checkOffset, checkSize, viewBytes } from './bytes.ts';
import { MEMORY_FILE_SIZE_MAX_BYTES } from './constants.ts';
import { normalizePath } from './path.ts';
import { StorageError, type OpenOptions, type ReadWriteOptions, type StorageDirectory, type StorageErrorCode, type SyncFile } from './types.ts';

/** Bytes of payload one request carries (rule 2): 32 pages. */
export const OPFS_CHANNEL_DATA_BYTES = 256 * 1024;

/** The channel's Int32 words. */
export const CH_STATE = 0;
export const CH_OP = 1;
export const CH_FILE = 2;
export const CH_STATUS = 3;
export const CH_LEN = 4;
export const CH_LEN2 = 5;
export const CH_FLAGS = 6;
const CH_INT_WORDS = 8;
/** The Float64 words (offsets and sizes beyond 2^31), after the Int32 words. */
export const CH_F64_OFFSET = CH_INT_WORDS * 4;
export const CH_ARG = 0;
export const CH_RESULT = 1;
/** Where the data area starts. */
export const CH_DATA_OFFSET = CH_F64_OFFSET + 16;

export const CH_IDLE = 0;
export const CH_REQUEST = 1;
export const CH_REPLY = 2;

export const OpfsOp = {
  Open: 1,
  Exists: 2,
  List: 3,
  Rename: 4,
  Remove: 5,
  Read: 6,
  Write: 7,
  Truncate: 8,
  GetSize: 9,
  Flush: 10,
  Close: 11,
} as const;
export type OpfsOp = (typeof OpfsOp)[keyof typeof OpfsOp];

/** STATUS values: 0 is success, then the StorageErrorCodes in this order. */
export const OPFS_ERROR_CODES: readonly StorageErrorCode[] = ['ENOENT', 'ENOSPC', 'EIO', 'EBADF', 'EINVAL'];

/** A new channel for one backend and its I/O server. */
export function makeOpfsChannel(): SharedArrayBuffer {
  return new SharedArrayBuffer(CH_DATA_OFFSET + OPFS_CHANNEL_DATA_BYTES);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The backend's side of a channel: one synchronous request at a time (rule 1). */
class ChannelClient {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly data: Uint8Array;

  constructor(sab: SharedArrayBuffer) {
    this.i32 = new Int32Array(sab, 0, CH_INT_WORDS);
    this.f64 = new Float64Array(sab, CH_F64_OFFSET, 2);
    this.data = new Uint8Array(sab, CH_DATA_OFFSET, OPFS_CHANNEL_DATA_BYTES);
  }

  /** Puts a string in the data area at `at`; returns its byte length. */
  putString(s: string, at: number): number {
    // TextEncoder cannot write into shared memory: encode, then copy.
    const bytes = encoder.encode(s);
    if (at + bytes.length > this.data.length) throw new StorageError('EINVAL', s.slice(0, 64), 'path too long for the OPFS channel');
    this.data.set(bytes, at);
    return bytes.length;
  }

  /** Sends the request filled in and waits for its reply; throws its error (rule 3). */
  request(op: OpfsOp, path: string): void {
    const i32 = this.i32;
    Atomics.store(i32, CH_OP, op);
    Atomics.store(i32, CH_STATE, CH_REQUEST);
    Atomics.notify(i32, CH_STATE);
    while (Atomics.load(i32, CH_STATE) === CH_REQUEST) Atomics.wait(i32, CH_STATE, CH_REQUEST);
    const status = Atomics.load(i32, CH_STATUS);
    const len = Atomics.load(i32, CH_LEN);
    Atomics.store(i32, CH_STATE, CH_IDLE);
    if (status !== 0) {
      const code = OPFS_ERROR_CODES[status - 1] ?? 'EIO';
      throw new StorageError(code, path, decoder.decode(this.data.slice(0, len)));
    }
  }
}

class OpfsFile implements SyncFile {
  private closed = false;

  constructor(
    private readonly ch: ChannelClient,
    private readonly id: number,
    private readonly path: string,
  ) {}

  private check(): void {
    if (this.closed) throw new StorageError('EBADF', this.path, 'file handle is closed');
  }

  read(buffer: ArrayBufferView, options?: ReadWriteOptions): number {
    this.check();
    const dst = viewBytes(buffer, this.path);
    let at = checkOffset(options?.at, 0, Number.MAX_SAFE_INTEGER, this.path);
    let done = 0;
    while (done < dst.length) {
      const n = Math.min(dst.length - done, OPFS_CHANNEL_DATA_BYTES);
      this.ch.i32[CH_FILE] = this.id;
      this.ch.i32[CH_LEN] = n;
      this.ch.f64[CH_ARG] = at;
      this.ch.request(OpfsOp.Read, this.path);
      const got = this.ch.f64[CH_RESULT];
      dst.set(this.ch.data.subarray(0, got), done);
      done += got;
      at += got;
      if (got < n) break;
    }
    return done;
  }

  write(buffer: ArrayBufferView, options?: ReadWriteOptions): number {
    this.check();
    const src = viewBytes(buffer, this.path);
    let at = checkOffset(options?.at, src.length, MEMORY_FILE_SIZE_MAX_BYTES * 16, this.path);
    let done = 0;
    while (done < src.length) {
      const n = Math.min(src.length - done, OPFS_CHANNEL_DATA_BYTES);
      this.ch.data.set(src.subarray(done, done + n), 0);
      this.ch.i32[CH_FILE] = this.id;
      this.ch.i32[CH_LEN] = n;
      this.ch.f64[CH_ARG] = at;
      this.ch.request(OpfsOp.Write, this.path);
      done += n;
      at += n;
    }
    return done;
  }

  truncate(newSize: number): void {
    this.check();
    this.ch.i32[CH_FILE] = this.id;
    this.ch.f64[CH_ARG] = checkSize(newSize, MEMORY_FILE_SIZE_MAX_BYTES * 16, this.path);
    this.ch.request(OpfsOp.Truncate, this.path);
  }

  getSize(): number {
    this.check();
    this.ch.i32[CH_FILE] = this.id;
    this.ch.request(OpfsOp.GetSize, this.path);
    return this.ch.f64[CH_RESULT];
  }

  flush(): void {
    this.check();
    this.ch.i32[CH_FILE] = this.id;
    this.ch.request(OpfsOp.Flush, this.path);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ch.i32[CH_FILE] = this.id;
    this.ch.request(OpfsOp.Close, this.path);
  }
}

/**
 * A data directory in OPFS, as one backend worker sees it. `channel` is
 * the SharedArrayBuffer its I/O server (opfs_server.ts) was attached to;
 * the server's root is the data directory, so paths here are relative to
 * it as in every StorageDirectory.
 */
export class OpfsDirectory implements StorageDirectory {
  readonly kind = 'opfs' as const;
  private readonly ch: ChannelClient;

  constructor(channel: SharedArrayBuffer) {
    this.ch = new ChannelClient(channel);
  }

  private withPath(op: OpfsOp, path: string, flags = 0): void {
    const len = this.ch.putString(path, 0);
    this.ch.i32[CH_LEN] = len;
    this.ch.i32[CH_FLAGS] = flags;
    this.ch.request(op, path);
  }

  open(path: string, options?: OpenOptions): SyncFile {
    const p = normalizePath(path, 'file');
    this.withPath(OpfsOp.Open, p, options?.create === true ? 1 : 0);
    return new OpfsFile(this.ch, this.ch.f64[CH_RESULT], p);
  }

  exists(path: string): boolean {
    const p = normalizePath(path, 'folder');
    if (p === '') return true;
    this.withPath(OpfsOp.Exists, p);
    return this.ch.f64[CH_RESULT] === 1;
  }

  list(folder: string): string[] {
    const p = normalizePath(folder, 'folder');
    this.withPath(OpfsOp.List, p);
    const len = this.ch.i32[CH_LEN];
    const text = decoder.decode(this.ch.data.slice(0, len));
    return text === '' ? [] : text.split('/');
  }

  rename(from: string, to: string): void {
    const f = normalizePath(from, 'file');
    const t = normalizePath(to, 'file');
    const len = this.ch.putString(f, 0);
    const len2 = this.ch.putString(t, len);
    this.ch.i32[CH_LEN] = len;
    this.ch.i32[CH_LEN2] = len2;
    this.ch.request(OpfsOp.Rename, f);
  }

  remove(path: string): void {
    this.withPath(OpfsOp.Remove, normalizePath(path, 'file'));
  }
}
