/*
 * bytes.ts — argument checks shared by all implementations, and the growable
 * byte array that backs an in-memory file.
 *
 * Exports: viewBytes, checkOffset, checkSize, GrowableBytes.
 */

import { MEMORY_FILE_CAPACITY_MIN_BYTES, MEMORY_FILE_SIZE_MAX_BYTES } from './constants.ts';
import { StorageError } from './types.ts';

/**
 * A Uint8Array over exactly the bytes of `view`, sharing its memory (no copy),
 * so any ArrayBufferView works, including views on a SharedArrayBuffer.
 */
export function viewBytes(view: ArrayBufferView, path: string): Uint8Array {
  // The common case on the page path needs no new view object.
  if (view instanceof Uint8Array) return view;
  if (!ArrayBuffer.isView(view)) throw new StorageError('EINVAL', path, 'buffer is not an ArrayBufferView');
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Checks a byte offset from ReadWriteOptions and that `length` bytes from it
 * stay below `sizeMax`. A bad offset is the caller's bug (EINVAL); running past
 * the largest file an implementation can hold is a full disk (ENOSPC).
 */
export function checkOffset(at: number | undefined, length: number, sizeMax: number, path: string): number {
  const offset = at ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new StorageError('EINVAL', path, `offset ${String(offset)} is not a non-negative integer`);
  }
  if (offset + length > sizeMax) {
    throw new StorageError('ENOSPC', path, `file would pass ${sizeMax} bytes`);
  }
  return offset;
}

/** Checks a truncate() size, with the same rules as checkOffset. */
export function checkSize(size: number, sizeMax: number, path: string): number {
  return checkOffset(size, 0, sizeMax, path);
}

/**
 * A byte array that grows by doubling. Invariant: every byte of `data` at or
 * past `size` is zero, so growing (by a write past the end or by truncate)
 * exposes zeroes without clearing anything.
 */
export class GrowableBytes {
  private data: Uint8Array;
  private length = 0;

  constructor(initial?: Uint8Array) {
    this.data = new Uint8Array(0);
    if (initial !== undefined) this.write(initial, 0);
  }

  get size(): number {
    return this.length;
  }

  /** Copies into `dst` from `at`; returns the byte count, short at end of file. */
  read(dst: Uint8Array, at: number): number {
    if (at >= this.length) return 0;
    const n = Math.min(dst.length, this.length - at);
    dst.set(this.data.subarray(at, at + n));
    return n;
  }

  /** Copies `src` in at `at`; a zero-length write never extends the file (as pwrite). */
  write(src: Uint8Array, at: number): void {
    if (src.length === 0) return;
    const end = at + src.length;
    this.reserve(end);
    this.data.set(src, at);
    if (end > this.length) this.length = end;
  }

  truncate(size: number): void {
    if (size < this.length) this.data.fill(0, size, this.length);
    else this.reserve(size);
    this.length = size;
  }

  /** A copy of the contents, exactly `size` bytes long. */
  copy(): Uint8Array {
    return this.data.slice(0, this.length);
  }

  private reserve(size: number): void {
    if (size <= this.data.length) return;
    // Callers check sizes against the limit first (checkOffset), so passing it here is a bug.
    if (size > MEMORY_FILE_SIZE_MAX_BYTES) throw new Error(`GrowableBytes: ${size} passes the size limit`);
    const doubled = Math.max(this.data.length * 2, MEMORY_FILE_CAPACITY_MIN_BYTES);
    const next = new Uint8Array(Math.min(Math.max(size, doubled), MEMORY_FILE_SIZE_MAX_BYTES));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
}
