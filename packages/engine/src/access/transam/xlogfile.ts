/*
 * xlogfile.ts — WAL segment files: creating, opening, flushing, recycling
 * and removing them (the file half of PostgreSQL's xlog.c: XLogFileInit,
 * XLogFileOpen, InstallXLogFileSegment, RemoveOldXlogFiles).
 *
 * Exports: XLogSegmentFiles, walIoError.
 *
 * One XLogSegmentFiles belongs to one backend: it keeps a few segment files
 * open (WAL_OPEN_SEGMENTS_MAX), closing the oldest when it needs another.
 * Every call that changes pg_wal/ (creating, recycling, removing a segment)
 * is made with WALWriteLock held (xlog.ts), so two backends never create or
 * rename the same segment at once.
 *
 * A new segment is zero-filled to its full size under a temporary name,
 * flushed, and renamed into place, so a segment that exists always has its
 * full length and reads of pages never come up short (PostgreSQL's
 * wal_init_zero). A recycled segment is an old one renamed to a future name:
 * it keeps its stale pages, which the reader rejects by their xlp_pageaddr.
 */

import type { StorageDirectory, SyncFile } from '@tabgres/opfs-storage';
import { WAL_OPEN_SEGMENTS_MAX, WAL_RECYCLE_SEGMENTS_MAX, WAL_ZERO_FILL_CHUNK_BYTES } from '../../constants.ts';
import { PgError, SQLSTATE } from '../../utils/errors.ts';
import { XLOGDIR, parseXLogFileName, xlogFilePath } from './xlog_internal.ts';

let zeroChunk: Uint8Array | null = null;

function isStorageError(e: unknown): e is Error & { code: string } {
  return e instanceof Error && e.name === 'StorageError' && typeof (e as { code?: unknown }).code === 'string';
}

/**
 * A failed WAL file operation. PostgreSQL PANICs on WAL write and fsync
 * failures: the WAL in memory can no longer be matched with what is on disk,
 * so the only safe way on is crash recovery.
 */
export function walIoError(e: unknown, what: string, path: string): never {
  if (e instanceof PgError) throw e;
  const reason = e instanceof Error ? e.message : String(e);
  const code = isStorageError(e) && e.code === 'ENOSPC' ? SQLSTATE.disk_full : SQLSTATE.io_error;
  throw new PgError(code, `could not ${what} file "${path}": ${reason}`, { severity: 'PANIC' });
}

export class XLogSegmentFiles {
  private readonly dir: StorageDirectory;
  private readonly tli: number;
  /** Open segments by number, oldest opened first (Map keeps insertion order). */
  private readonly open = new Map<number, SyncFile>();
  segSize = 0;

  constructor(dir: StorageDirectory, tli: number) {
    this.dir = dir;
    this.tli = tli;
  }

  path(segno: number): string {
    return xlogFilePath(this.tli, segno, this.segSize);
  }

  /**
   * XLogFileInit: the segment, opened for writing; created zero-filled if it
   * does not exist. Caller holds WALWriteLock.
   */
  openForWrite(segno: number): SyncFile {
    const cached = this.open.get(segno);
    if (cached !== undefined) return cached;
    const path = this.path(segno);
    if (!this.dir.exists(path)) this.createZeroFilled(segno, path);
    let f: SyncFile;
    try {
      f = this.dir.open(path);
    } catch (e) {
      walIoError(e, 'open', path);
    }
    if (this.open.size >= WAL_OPEN_SEGMENTS_MAX) {
      const [oldest, file] = this.open.entries().next().value as [number, SyncFile];
      this.open.delete(oldest);
      file.close();
    }
    this.open.set(segno, f);
    return f;
  }

  /** fsync of one segment (issue_xlog_fsync). */
  flushSegment(segno: number): void {
    const f = this.openForWrite(segno);
    try {
      f.flush();
    } catch (e) {
      walIoError(e, 'fsync', this.path(segno));
    }
  }

  write(segno: number, bytes: Uint8Array, offset: number): void {
    const f = this.openForWrite(segno);
    try {
      f.write(bytes, { at: offset });
    } catch (e) {
      walIoError(e, 'write to', this.path(segno));
    }
  }

  /** Closes the cached handle of a segment (before it is renamed or removed). */
  forget(segno: number): void {
    const f = this.open.get(segno);
    if (f === undefined) return;
    this.open.delete(segno);
    f.close();
  }

  closeAll(): void {
    for (const f of this.open.values()) f.close();
    this.open.clear();
  }

  /** Segment numbers present in pg_wal/, ascending. */
  listSegments(): number[] {
    const out: number[] = [];
    for (const name of this.dir.list(XLOGDIR)) {
      const id = parseXLogFileName(name, this.segSize);
      if (id !== null && id.tli === this.tli) out.push(id.segno);
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * RemoveOldXlogFiles: every segment before `keepFrom` is no longer needed
   * for recovery. Up to WAL_RECYCLE_SEGMENTS_MAX of them are renamed to the
   * first free names after `currentSeg` (InstallXLogFileSegment), the rest
   * removed. Caller holds WALWriteLock.
   */
  removeOldSegments(keepFrom: number, currentSeg: number): { removed: number; recycled: number } {
    let removed = 0;
    let recycled = 0;
    let nextFree = currentSeg + 1;
    const lastAllowed = currentSeg + WAL_RECYCLE_SEGMENTS_MAX;
    for (const segno of this.listSegments()) {
      if (segno >= keepFrom) break;
      this.forget(segno);
      const path = this.path(segno);
      while (nextFree <= lastAllowed && this.dir.exists(this.path(nextFree))) nextFree++;
      try {
        if (nextFree <= lastAllowed) {
          this.dir.rename(path, this.path(nextFree));
          nextFree++;
          recycled++;
        } else {
          this.dir.remove(path);
          removed++;
        }
      } catch (e) {
        walIoError(e, 'rename or remove', path);
      }
    }
    return { removed, recycled };
  }

  private createZeroFilled(segno: number, path: string): void {
    const tmp = `${XLOGDIR}/xlogtemp.${segno}`;
    try {
      const f = this.dir.open(tmp, { create: true });
      try {
        // Size the file first (one allocation for in-memory files), then write the zeroes
        // so a real filesystem allocates every block now, not at the first WAL write.
        f.truncate(0);
        f.truncate(this.segSize);
        zeroChunk ??= new Uint8Array(WAL_ZERO_FILL_CHUNK_BYTES);
        for (let off = 0; off < this.segSize; off += zeroChunk.length) {
          const n = Math.min(zeroChunk.length, this.segSize - off);
          f.write(n === zeroChunk.length ? zeroChunk : zeroChunk.subarray(0, n), { at: off });
        }
        f.flush();
      } finally {
        f.close();
      }
      this.dir.rename(tmp, path);
    } catch (e) {
      walIoError(e, 'create', path);
    }
  }
}
