/*
 * smgr.ts — the storage manager: relation forks as files of 8 KB blocks
 * (PostgreSQL's smgr.c and md.c in one, since tabgres has one storage kind).
 *
 * A fork is stored as segment files of RELSEG_SIZE blocks (1 GB) named
 * base/<db>/<relNumber>[_fsm|_vm][.<segno>] through the file layer's
 * StorageDirectory. All I/O is synchronous and block-aligned.
 *
 * Rules:
 *  1. Writes are not durable until the checkpoint's sync(): every file written
 *     since the last checkpoint is forwarded to the shared fsync request
 *     queue (`syncRequests`; remembered in `pendingSync` without one) and
 *     flushed by syncAll() before the checkpoint record is written, by
 *     whichever backend runs it. WAL, not these files, is what makes a
 *     commit durable (DESIGN.md section 5).
 *  2. A short read past the end of a fork is an error (PostgreSQL: "could not
 *     read block"), except where the caller asks for zero-filled pages
 *     (recovery extends relations with zero pages).
 *  3. The handle cache is bounded (MAX_OPEN_FILES): browsers limit open sync
 *     access handles per origin. A file evicted from the cache keeps its sync
 *     obligation; sync opens it again, and a flush on a new handle covers
 *     writes made through the old one (the file layer's contract).
 *  4. File-layer errors become PgErrors naming the file: ENOSPC is 53100
 *     disk_full, everything else 58030 io_error.
 */

import type { StorageDirectory, SyncFile } from '@tabgres/opfs-storage';
import { StorageError } from '@tabgres/opfs-storage';
import { BLCKSZ, MAX_OPEN_FILES, RELSEG_SIZE } from '../../constants.ts';
import { PgError, SQLSTATE } from '../../utils/errors.ts';
import { ForkNumber, MAX_FORKNUM, type RelFileLocator, relPath, segmentPath } from '../relfilelocator.ts';

const ZERO_PAGE = new Uint8Array(BLCKSZ);

/** Converts a file-layer failure into PostgreSQL's error for the operation. */
export function storageErrorToPg(e: unknown, what: string): PgError {
  if (e instanceof PgError) return e;
  if (e instanceof StorageError && e.code === 'ENOSPC') {
    return new PgError(SQLSTATE.disk_full, `${what}: No space left on device`, { hint: 'Check free disk space.' });
  }
  const reason = e instanceof Error ? e.message : String(e);
  return new PgError(SQLSTATE.io_error, `${what}: ${reason}`);
}

export class Smgr {
  private readonly dir: StorageDirectory;
  /** Open files by path, in least-recently-used order (Map keeps insertion order). */
  private readonly files = new Map<string, SyncFile>();
  /** Files written since the last checkpoint's sync (PostgreSQL's pending sync requests). */
  private readonly pendingSync = new Set<string>();
  /**
   * The shared fsync request queue (storage/ipc/syncrequest.ts): when set,
   * written files are forwarded to it instead of kept in pendingSync, so
   * whichever process runs the checkpoint syncs them; false from forward()
   * means "sync it yourself" (a full queue).
   */
  syncRequests: { forward(path: string): boolean } | null = null;
  private readonly segBlocks: number;

  constructor(dir: StorageDirectory, segmentBlocks = RELSEG_SIZE) {
    this.dir = dir;
    this.segBlocks = segmentBlocks;
  }

  get directory(): StorageDirectory {
    return this.dir;
  }

  private file(path: string, create: boolean): SyncFile {
    const f = this.files.get(path);
    if (f) {
      // Refresh its LRU position only occasionally matters; keep it cheap.
      return f;
    }
    const opened = this.dir.open(path, { create });
    if (this.files.size >= MAX_OPEN_FILES) {
      const oldest = this.files.keys().next().value as string;
      this.files.get(oldest)?.close();
      this.files.delete(oldest);
    }
    this.files.set(path, opened);
    return opened;
  }

  /** smgrexists */
  exists(rel: RelFileLocator, fork: ForkNumber): boolean {
    return this.files.has(relPath(rel, fork)) || this.dir.exists(relPath(rel, fork));
  }

  /** smgrcreate: makes an empty fork. During redo an existing file is fine. */
  create(rel: RelFileLocator, fork: ForkNumber, isRedo: boolean): void {
    const path = relPath(rel, fork);
    if (this.exists(rel, fork)) {
      if (isRedo) return;
      throw new PgError(SQLSTATE.io_error, `could not create file "${path}": File exists`);
    }
    try {
      this.file(path, true);
      this.registerSync(path);
    } catch (e) {
      throw storageErrorToPg(e, `could not create file "${path}"`);
    }
  }

  /** smgrnblocks: number of blocks in the fork (0 when it does not exist). */
  nblocks(rel: RelFileLocator, fork: ForkNumber): number {
    let total = 0;
    for (let segno = 0; ; segno++) {
      const path = segmentPath(rel, fork, segno);
      if (!this.files.has(path) && !this.dir.exists(path)) return total;
      const size = this.file(path, false).getSize();
      const blocks = Math.floor(size / BLCKSZ);
      total += blocks;
      if (blocks < this.segBlocks) return total;
    }
  }

  private locate(rel: RelFileLocator, fork: ForkNumber, block: number): { path: string; at: number } {
    const segno = Math.floor(block / this.segBlocks);
    return { path: segmentPath(rel, fork, segno), at: (block - segno * this.segBlocks) * BLCKSZ };
  }

  /** smgrread: reads one block into `page`. */
  read(rel: RelFileLocator, fork: ForkNumber, block: number, page: Uint8Array): void {
    const { path, at } = this.locate(rel, fork, block);
    let n: number;
    try {
      n = this.file(path, false).read(page, { at });
    } catch (e) {
      throw storageErrorToPg(e, `could not read block ${block} in file "${path}"`);
    }
    if (n !== BLCKSZ) {
      throw new PgError(SQLSTATE.data_corrupted, `could not read block ${block} in file "${path}": read only ${n} of ${BLCKSZ} bytes`);
    }
  }

  /** smgrwrite: writes one existing block. */
  write(rel: RelFileLocator, fork: ForkNumber, block: number, page: Uint8Array): void {
    const { path, at } = this.locate(rel, fork, block);
    try {
      this.file(path, true).write(page, { at });
    } catch (e) {
      throw storageErrorToPg(e, `could not write block ${block} in file "${path}"`);
    }
    this.registerSync(path);
  }

  /** smgrextend / smgrzeroextend: adds blocks [from, to) as zero pages. */
  zeroExtend(rel: RelFileLocator, fork: ForkNumber, from: number, to: number): void {
    for (let b = from; b < to; b++) {
      const { path, at } = this.locate(rel, fork, b);
      try {
        this.file(path, true).write(ZERO_PAGE, { at });
      } catch (e) {
        throw storageErrorToPg(e, `could not extend file "${path}"`);
      }
      this.registerSync(path);
    }
  }

  /** smgrtruncate: cuts the fork to `nblocks` blocks. */
  truncate(rel: RelFileLocator, fork: ForkNumber, nblocks: number): void {
    for (let segno = 0; ; segno++) {
      const path = segmentPath(rel, fork, segno);
      if (!this.files.has(path) && !this.dir.exists(path)) return;
      const segStart = segno * this.segBlocks;
      const keep = Math.max(0, Math.min(this.segBlocks, nblocks - segStart));
      try {
        if (keep === 0 && segno > 0) {
          this.closeFile(path);
          this.dir.remove(path);
          this.pendingSync.delete(path);
        } else {
          this.file(path, false).truncate(keep * BLCKSZ);
          // Truncation must reach disk before the WAL that says it happened is
          // obsolete; md.c fsyncs right away, and so do we.
          this.file(path, false).flush();
        }
      } catch (e) {
        throw storageErrorToPg(e, `could not truncate file "${path}" to ${keep} blocks`);
      }
    }
  }

  /** smgrunlink: removes every segment of the given forks (all forks by default). */
  unlink(rel: RelFileLocator, forks: ForkNumber[] = [0, 1, 2, 3]): void {
    for (const fork of forks) {
      if (fork > MAX_FORKNUM) continue;
      for (let segno = 0; ; segno++) {
        const path = segmentPath(rel, fork, segno);
        if (!this.files.has(path) && !this.dir.exists(path)) break;
        this.closeFile(path);
        this.pendingSync.delete(path);
        try {
          this.dir.remove(path);
        } catch (e) {
          throw storageErrorToPg(e, `could not remove file "${path}"`);
        }
      }
    }
  }

  /** smgrimmedsync: flushes a fork now (used after writes that bypass WAL). */
  immedSync(rel: RelFileLocator, fork: ForkNumber): void {
    for (let segno = 0; ; segno++) {
      const path = segmentPath(rel, fork, segno);
      if (!this.files.has(path) && !this.dir.exists(path)) return;
      this.syncFile(path);
    }
  }

  /** register_dirty_segment: the file's fsync is owed by the next checkpoint (rule 1). */
  private registerSync(path: string): void {
    if (this.syncRequests === null) this.pendingSync.add(path);
    else if (!this.syncRequests.forward(path)) this.syncFile(path);
  }

  /** Checkpoint: flushes every file written since the last checkpoint (here, and `absorbed` from the shared queue). */
  syncAll(absorbed: readonly string[] = []): void {
    for (const path of [...this.pendingSync]) {
      if (this.files.has(path) || this.dir.exists(path)) this.syncFile(path);
      this.pendingSync.delete(path);
    }
    // A file dropped since its request was queued has nothing left to sync.
    for (const path of absorbed) if (this.files.has(path) || this.dir.exists(path)) this.syncFile(path);
  }

  private syncFile(path: string): void {
    try {
      this.file(path, false).flush();
    } catch (e) {
      throw storageErrorToPg(e, `could not fsync file "${path}"`);
    }
    this.pendingSync.delete(path);
  }

  private closeFile(path: string): void {
    const f = this.files.get(path);
    if (f) {
      f.close();
      this.files.delete(path);
    }
  }

  /** Closes every handle (shutdown, or after the file layer crashed in a test). */
  closeAll(): void {
    for (const f of this.files.values()) {
      try {
        f.close();
      } catch {
        // A handle invalidated by a simulated crash cannot be closed again.
      }
    }
    this.files.clear();
  }

  /** Drops the pending-sync list (the instance is being thrown away after a crash). */
  forgetPendingSyncs(): void {
    this.pendingSync.clear();
  }
}
