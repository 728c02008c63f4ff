/*
 * crashsim.ts — the crash-simulation directory, a test double that every
 * durability test runs on.
 *
 * Exports: CrashSimDirectory, CrashMode, CrashOptions, CrashOutcome,
 * CrashSimSnapshot, PendingOp.
 *
 * Each file keeps three things (README "Crash model"):
 *
 *   durable  D   the bytes that survived the last flush() of the file
 *   pending  P   the writes and truncates since then, in the order made
 *   current  C   D with all of P applied: what reads and getSize() see
 *
 * and moves between two states:
 *
 *            write() / truncate(): append to P, apply to C
 *              +------+
 *              v      |
 *     CLEAN (P empty) --write()/truncate()--> DIRTY (P not empty)
 *        ^                                      |
 *        +---- flush(): D := D + P, P := [] ----+
 *        +---- crash(): D := D + choose(P), C := D, P := [] ----+
 *
 * choose(P) is what a crash leaves of the unflushed writes: nothing ('drop'),
 * a prefix of them ('prefix'), or a prefix plus half of one page of the next
 * write ('tear'). checkInvariants() asserts C = D + P for every file.
 *
 * Creating, renaming and removing files are durable at once. That models a
 * filesystem that orders metadata before returning, such as ext4 with
 * data=ordered plus an fsync of the folder, which is what NodeDirectory does
 * after each of them; a rename therefore never reappears undone, and the file
 * it moved keeps its pending writes.
 *
 * crash() invalidates every open handle (each holds the epoch it was opened
 * in); afterwards the directory holds only durable state and serves the
 * "restarted" database as usual.
 */

import { checkOffset, checkSize, GrowableBytes, viewBytes } from './bytes.ts';
import { MEMORY_FILE_SIZE_MAX_BYTES, TEAR_ATOMIC_BYTES, TEAR_PAGE_BYTES } from './constants.ts';
import { FileTree } from './filetree.ts';
import { normalizePath } from './path.ts';
import { Prng } from './prng.ts';
import {
  StorageError,
  type OpenOptions,
  type ReadWriteOptions,
  type StorageDirectory,
  type SyncFile,
} from './types.ts';

/** One unflushed change to a file. `data` is the directory's own copy and is never mutated. */
export type PendingOp =
  | { readonly kind: 'write'; readonly at: number; readonly data: Uint8Array }
  | { readonly kind: 'truncate'; readonly size: number };

export type CrashMode = 'drop' | 'prefix' | 'tear' | 'random';

export interface CrashOptions {
  /** Seeds every choice, so one seed always leaves the same bytes. */
  seed: number;
  /** How pending ops are resolved; 'random' (the default) picks one of the others per file. */
  mode?: CrashMode;
}

/** What crash() did to one file that had pending ops; for test failure messages. */
export interface CrashOutcome {
  readonly path: string;
  readonly mode: 'drop' | 'prefix' | 'tear';
  /** Pending ops the file had. */
  readonly pending: number;
  /** Pending ops applied in full (a prefix of them). */
  readonly kept: number;
  /** For 'tear': file offset of the page whose first half was written; null when nothing was torn. */
  readonly tornPageAt: number | null;
}

/** A copy of a CrashSimDirectory's files, durable and pending; see snapshot(). */
export interface CrashSimSnapshot {
  readonly files: ReadonlyMap<string, { readonly durable: Uint8Array; readonly pending: readonly PendingOp[] }>;
}

class CrashFile {
  pending: PendingOp[] = [];
  /** Sum of the pending writes' lengths. */
  pendingBytes = 0;
  readonly current: GrowableBytes;

  constructor(readonly durable: GrowableBytes) {
    this.current = new GrowableBytes(durable.copy());
  }

  /** Appends an op to P and applies it to C. */
  record(op: PendingOp): void {
    this.pending.push(op);
    applyOp(this.current, op);
    if (op.kind === 'write') this.pendingBytes += op.data.length;
  }

  /** flush(): D := D + P. */
  makeDurable(): void {
    for (const op of this.pending) applyOp(this.durable, op);
    this.clearPending();
  }

  clearPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }
}

function applyOp(bytes: GrowableBytes, op: PendingOp): void {
  if (op.kind === 'write') bytes.write(op.data, op.at);
  else bytes.truncate(op.size);
}

/**
 * The directory-wide counters its handles update. Kept apart from
 * CrashSimDirectory so that handles do not need public hooks on it.
 */
class CrashSimState {
  /** Number of crash() calls so far; handles from an earlier epoch are stale. */
  epoch = 0;
  flushes = 0;
  /** failWritesAfter() budget in bytes, or null when writes never fail. */
  writeBudget: number | null = null;
  /** Bytes written since failWritesAfter() was last called. */
  writtenSinceBudget = 0;

  /** Called by a handle before it records a write; enforces failWritesAfter(). */
  chargeWrite(length: number, path: string): void {
    if (this.writeBudget !== null && this.writtenSinceBudget + length > this.writeBudget) {
      throw new StorageError('ENOSPC', path, 'no space left on device (simulated)');
    }
    this.writtenSinceBudget += length;
  }
}

class CrashSimFile implements SyncFile {
  private closed = false;

  constructor(
    private readonly state: CrashSimState,
    private readonly file: CrashFile,
    /** The path at open time, for error messages; the handle follows the file through renames. */
    private readonly path: string,
    /** CrashSimState.epoch when opened; a crash since then makes this handle stale. */
    private readonly epoch: number,
  ) {}

  read(buffer: ArrayBufferView, options?: ReadWriteOptions): number {
    this.assertUsable();
    const dst = viewBytes(buffer, this.path);
    const at = checkOffset(options?.at, 0, MEMORY_FILE_SIZE_MAX_BYTES, this.path);
    return this.file.current.read(dst, at);
  }

  write(buffer: ArrayBufferView, options?: ReadWriteOptions): number {
    this.assertUsable();
    const src = viewBytes(buffer, this.path);
    const at = checkOffset(options?.at, src.length, MEMORY_FILE_SIZE_MAX_BYTES, this.path);
    if (src.length === 0) return 0;
    this.state.chargeWrite(src.length, this.path);
    // Copied because the caller reuses its buffer, and a crash may replay this write later.
    this.file.record({ kind: 'write', at, data: src.slice() });
    return src.length;
  }

  truncate(newSize: number): void {
    this.assertUsable();
    this.file.record({ kind: 'truncate', size: checkSize(newSize, MEMORY_FILE_SIZE_MAX_BYTES, this.path) });
  }

  getSize(): number {
    this.assertUsable();
    return this.file.current.size;
  }

  flush(): void {
    this.assertUsable();
    this.state.flushes++;
    this.file.makeDurable();
  }

  /** Closing twice, or closing a handle made stale by crash(), is allowed and does nothing more. */
  close(): void {
    this.closed = true;
  }

  private assertUsable(): void {
    if (this.closed) throw new StorageError('EBADF', this.path, 'file handle is closed');
    if (this.epoch !== this.state.epoch) {
      throw new StorageError('EBADF', this.path, 'file handle was opened before a simulated crash');
    }
  }
}

export class CrashSimDirectory implements StorageDirectory {
  readonly kind = 'crash-sim';
  private readonly tree = new FileTree<CrashFile>();
  private readonly state = new CrashSimState();

  /** Builds a directory holding exactly the state of `snapshot`, with no open handles. */
  static fromSnapshot(snapshot: CrashSimSnapshot): CrashSimDirectory {
    const dir = new CrashSimDirectory();
    for (const [path, image] of snapshot.files) {
      const file = new CrashFile(new GrowableBytes(image.durable));
      // Pending data is immutable, so the ops themselves can be shared with the snapshot.
      for (const op of image.pending) file.record(op);
      dir.tree.add(path, file);
    }
    return dir;
  }

  /** flush() calls made through this directory's handles since it was made. */
  get flushCount(): number {
    return this.state.flushes;
  }

  open(path: string, options?: OpenOptions): SyncFile {
    const p = normalizePath(path, 'file');
    let file = this.tree.get(p);
    if (file === undefined) {
      if (options?.create !== true) throw new StorageError('ENOENT', p, 'no such file');
      this.tree.checkCreatable(p);
      file = new CrashFile(new GrowableBytes());
      this.tree.add(p, file);
    }
    return new CrashSimFile(this.state, file, p, this.state.epoch);
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

  /** Total bytes of unflushed writes over all files. */
  pendingBytes(): number {
    let total = 0;
    for (const path of this.tree.paths()) total += this.fileAt(path).pendingBytes;
    return total;
  }

  /**
   * Simulates a full disk: once `nBytes` more bytes have been written, every
   * write that would pass that total throws StorageError('ENOSPC') and changes
   * nothing. null turns it off. The budget counts from this call and survives
   * crash(), as a full disk stays full across a restart; truncate() is not
   * counted, since growing a file that way allocates no blocks.
   */
  failWritesAfter(nBytes: number | null): void {
    if (nBytes !== null && (!Number.isSafeInteger(nBytes) || nBytes < 0)) {
      throw new RangeError(`failWritesAfter: bad byte count ${nBytes}`);
    }
    this.state.writeBudget = nBytes;
    this.state.writtenSinceBudget = 0;
  }

  /**
   * Simulates a power loss: resolves every file's pending ops as `mode`
   * says, makes the result durable, and invalidates all open handles. Files are
   * visited in path order, so the outcome depends only on the seed and on the
   * writes made. Returns what happened to each file that had pending ops.
   */
  crash(options: CrashOptions): CrashOutcome[] {
    const prng = new Prng(options.seed);
    const modes = ['drop', 'prefix', 'tear'] as const;
    const outcomes: CrashOutcome[] = [];
    this.state.epoch++;
    for (const path of this.tree.paths()) {
      const file = this.fileAt(path);
      if (file.pending.length === 0) continue;
      const requested = options.mode ?? 'random';
      const mode = requested === 'random' ? prng.pick(modes) : requested;
      const outcome = resolvePending(file, mode, prng);
      outcomes.push({ path, mode, pending: file.pending.length, ...outcome });
      file.clearPending();
      // C := D. A fresh CrashFile would do, but the handles are stale anyway.
      file.current.truncate(0);
      file.current.write(file.durable.copy(), 0);
    }
    return outcomes;
  }

  /** A copy of every file's durable image and pending ops; restore it with fromSnapshot(). */
  snapshot(): CrashSimSnapshot {
    const files = new Map<string, { durable: Uint8Array; pending: readonly PendingOp[] }>();
    for (const path of this.tree.paths()) {
      const file = this.fileAt(path);
      files.set(path, { durable: file.durable.copy(), pending: [...file.pending] });
    }
    return { files };
  }

  /** Asserts C = D + P for every file; O(total bytes), for tests. */
  checkInvariants(): void {
    for (const path of this.tree.paths()) {
      const file = this.fileAt(path);
      const replay = new GrowableBytes(file.durable.copy());
      for (const op of file.pending) applyOp(replay, op);
      if (!sameBytes(replay.copy(), file.current.copy())) {
        throw new Error(`CrashSimDirectory: ${path}: current contents are not durable + pending`);
      }
      const bytes = file.pending.reduce((sum, op) => sum + (op.kind === 'write' ? op.data.length : 0), 0);
      if (bytes !== file.pendingBytes) throw new Error(`CrashSimDirectory: ${path}: pendingBytes is wrong`);
    }
  }

  private fileAt(path: string): CrashFile {
    const file = this.tree.get(path);
    if (file === undefined) throw new Error(`CrashSimDirectory: ${path} vanished during a walk`);
    return file;
  }
}

/** Applies to D what a crash in `mode` leaves of P; returns how much that was. */
function resolvePending(
  file: CrashFile,
  mode: 'drop' | 'prefix' | 'tear',
  prng: Prng,
): { kept: number; tornPageAt: number | null } {
  const ops = file.pending;
  let kept = 0;
  let tear: { op: PendingOp & { kind: 'write' }; pageAt: number } | null = null;
  if (mode === 'prefix') {
    kept = prng.range(0, ops.length);
  } else if (mode === 'tear') {
    // Tear a write that has a page whose first half it touches; without one,
    // a tear is indistinguishable from a prefix, so fall back to that.
    const tearable: number[] = [];
    ops.forEach((op, i) => {
      if (op.kind === 'write' && tearablePages(op).length > 0) tearable.push(i);
    });
    if (tearable.length === 0) {
      kept = prng.range(0, ops.length);
    } else {
      kept = prng.pick(tearable);
      const op = ops[kept];
      if (op.kind === 'write') tear = { op, pageAt: prng.pick(tearablePages(op)) };
    }
  }
  for (let i = 0; i < kept; i++) applyOp(file.durable, ops[i]);
  if (tear !== null) applyTear(file.durable, tear.op, tear.pageAt);
  return { kept, tornPageAt: tear === null ? null : tear.pageAt };
}

/** Offsets of the pages whose first TEAR_ATOMIC_BYTES the write touches. */
function tearablePages(op: { at: number; data: Uint8Array }): number[] {
  const end = op.at + op.data.length;
  const pages: number[] = [];
  const first = Math.floor(op.at / TEAR_PAGE_BYTES) * TEAR_PAGE_BYTES;
  // Bounded by the write's length: one step per page it covers.
  for (let page = first; page < end; page += TEAR_PAGE_BYTES) {
    if (op.at < page + TEAR_ATOMIC_BYTES) pages.push(page);
  }
  return pages;
}

/**
 * Writes the part of `op` that falls in the first half of the page at
 * `pageAt`. The file grows as far as the whole write would have within that
 * page, so the second half holds its old bytes, or zeroes where the file was
 * shorter: a full-length page with a stale half, the case full_page_writes
 * exists for.
 */
function applyTear(bytes: GrowableBytes, op: { at: number; data: Uint8Array }, pageAt: number): void {
  const end = op.at + op.data.length;
  const lo = Math.max(op.at, pageAt);
  const hi = Math.min(end, pageAt + TEAR_ATOMIC_BYTES);
  bytes.write(op.data.subarray(lo - op.at, hi - op.at), lo);
  const grownTo = Math.min(end, pageAt + TEAR_PAGE_BYTES);
  if (grownTo > bytes.size) bytes.truncate(grownTo);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
