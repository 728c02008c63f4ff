import { describe, expect, it } from 'vitest';
import { CrashSimDirectory, MemoryDirectory, type StorageDirectory, type SyncFile } from '@tabgres/opfs-storage';
import { BLCKSZ, CLOG_XACTS_PER_PAGE, SLRU_PAGES_PER_SEGMENT } from '../../constants.ts';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockMode, LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { PgError } from '../../utils/errors.ts';
import { SlruCtl, slruPagePrecedes, slruSegmentName, slruShmemInit, slruShmemSize, type SlruConfig } from './slru.ts';

const CFG: SlruConfig = { name: 'Test', dirName: 'pg_test', nslots: 4, xactsPerPage: CLOG_XACTS_PER_PAGE, syncOnCheckpoint: true };
const LAST_PAGE = 2 ** 32 / CLOG_XACTS_PER_PAGE - 1;

const owners = new Map<SlruCtl, LWLockOwner>();

function makeSlru(dir: StorageDirectory, cfg: SlruConfig = CFG): SlruCtl {
  const sizer = new ShmemSizer();
  sizer.add(slruShmemSize(cfg));
  const shmem = Shmem.create(sizer.size);
  slruShmemInit(shmem, cfg);
  const lw = new LWLockOwner(shmem.i32);
  const slru = new SlruCtl(shmem, lw, dir, cfg);
  owners.set(slru, lw);
  return slru;
}

/** Creates `pageno` filled with `marker` and leaves it dirty in the cache. */
function writeMarker(slru: SlruCtl, pageno: number, marker: number): void {
  slru.lockControl(LWLockMode.Exclusive);
  try {
    const slot = slru.zeroPage(pageno);
    slru.pages.fill(marker, slot * BLCKSZ, slot * BLCKSZ + 16);
  } finally {
    slru.unlockControl();
  }
}

function readMarker(slru: SlruCtl, pageno: number): number {
  try {
    const slot = slru.readPageReadOnly(pageno, pageno * CLOG_XACTS_PER_PAGE);
    const v = slru.pages[slot * BLCKSZ];
    slru.unlockControl();
    return v;
  } catch (e) {
    // A failed read returns with the control lock held, as in PostgreSQL; error recovery releases all LWLocks.
    owners.get(slru)?.releaseAll();
    throw e;
  }
}

describe('SLRU naming and page order', () => {
  it('names segments with four or more upper-case hex digits', () => {
    expect(slruSegmentName(0)).toBe('0000');
    expect(slruSegmentName(0xabc)).toBe('0ABC');
    expect(slruSegmentName(0x12345)).toBe('12345');
  });

  it('orders pages modulo the XID space', () => {
    expect(slruPagePrecedes(1, 2, CLOG_XACTS_PER_PAGE)).toBe(true);
    expect(slruPagePrecedes(2, 1, CLOG_XACTS_PER_PAGE)).toBe(false);
    // The last page before the wrap precedes page 0 after it.
    expect(slruPagePrecedes(LAST_PAGE, 0, CLOG_XACTS_PER_PAGE)).toBe(true);
    expect(slruPagePrecedes(0, LAST_PAGE, CLOG_XACTS_PER_PAGE)).toBe(false);
    // A page exactly half the space away is never older from both sides.
    const half = (LAST_PAGE + 1) / 2;
    expect(slruPagePrecedes(0, half, CLOG_XACTS_PER_PAGE) && slruPagePrecedes(half, 0, CLOG_XACTS_PER_PAGE)).toBe(false);
  });
});

describe('SlruCtl', () => {
  it('keeps more pages than slots by writing victims out and reading them back', () => {
    const dir = new MemoryDirectory();
    const slru = makeSlru(dir);
    for (let p = 0; p < 40; p++) writeMarker(slru, p, (p % 250) + 1);
    for (let p = 0; p < 40; p++) expect(readMarker(slru, p)).toBe((p % 250) + 1);
    expect(dir.list('pg_test').sort()).toEqual(['0000', '0001']);
    // The latest page is never the victim.
    expect(slru.describe().some((s) => s.pageNumber === 39 && s.status === 'VALID')).toBe(true);
  });

  it('makes pages durable at writeAll, across a crash and a new shared memory', () => {
    const dir = new CrashSimDirectory();
    const slru = makeSlru(dir);
    for (let p = 0; p < 3; p++) writeMarker(slru, p, 10 + p);
    slru.writeAll();
    writeMarker(slru, 3, 99); // after the checkpoint: only in memory
    for (let p = 4; p < 12; p++) writeMarker(slru, p, 50); // forces evictions, written but not flushed
    dir.crash({ seed: 1, mode: 'drop' });
    const again = makeSlru(dir);
    for (let p = 0; p < 3; p++) expect(readMarker(again, p)).toBe(10 + p);
    // An unflushed page write was lost: outside recovery that is an error, in recovery zeroes.
    expect(() => readMarker(again, 5)).toThrow(PgError);
    again.inRecovery = true;
    expect(readMarker(again, 5)).toBe(0);
  });

  it('reads a missing page as zeroes during recovery and fails otherwise', () => {
    const dir = new MemoryDirectory();
    const slru = makeSlru(dir);
    let err: unknown = null;
    try {
      readMarker(slru, 70);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PgError);
    expect((err as PgError).code).toBe('58P01');
    expect((err as PgError).message).toBe(`could not access status of transaction ${70 * CLOG_XACTS_PER_PAGE}`);
    expect((err as PgError).detail).toBe('Could not open file "pg_test/0002": No such file or directory.');

    const rec = makeSlru(dir);
    rec.inRecovery = true;
    expect(readMarker(rec, 70)).toBe(0);
  });

  it('flushes WAL up to the group LSN before writing a page', () => {
    const events: string[] = [];
    const inner = new MemoryDirectory();
    const dir: StorageDirectory = {
      kind: 'memory',
      open(path, options): SyncFile {
        const f = inner.open(path, options);
        return {
          read: (b, o) => f.read(b, o),
          write: (b, o) => {
            events.push(`write ${path}@${o?.at ?? 0}`);
            return f.write(b, o);
          },
          truncate: (n) => f.truncate(n),
          getSize: () => f.getSize(),
          flush: () => f.flush(),
          close: () => f.close(),
        };
      },
      exists: (p) => inner.exists(p),
      list: (p) => inner.list(p),
      rename: (a, b) => inner.rename(a, b),
      remove: (p) => inner.remove(p),
    };
    const slru = makeSlru(dir);
    slru.walFlush = (lsn) => events.push(`flush ${lsn}`);
    writeMarker(slru, 1, 7);
    slru.lockControl(LWLockMode.Exclusive);
    const slot = slru.readPage(1, true, 0);
    slru.advanceGroupLsn(slot, 5000);
    slru.advanceGroupLsn(slot, 4000); // never moves back
    slru.unlockControl();
    slru.writeAll();
    expect(events).toEqual(['flush 5000', `write pg_test/0000@${BLCKSZ}`]);
  });

  it('truncates segments before the cutoff, also across the wraparound', () => {
    const dir = new MemoryDirectory();
    const slru = makeSlru(dir);
    for (const seg of [0, 1, 2, 3]) writeMarker(slru, seg * SLRU_PAGES_PER_SEGMENT, seg + 1);
    slru.writeAll();
    expect(slru.truncate(2 * SLRU_PAGES_PER_SEGMENT + 5)).toBe(true);
    expect(slru.listSegments()).toEqual([2, 3]);
    expect(slru.describe().filter((s) => s.status !== 'EMPTY').map((s) => s.pageNumber).sort((a, b) => a - b)).toEqual([64, 96]);

    // Wrapped: segments at the top of the page range, the latest page back at the start.
    const dir2 = new MemoryDirectory();
    const w = makeSlru(dir2);
    const topSeg = (LAST_PAGE + 1) / SLRU_PAGES_PER_SEGMENT - 1;
    writeMarker(w, (topSeg - 1) * SLRU_PAGES_PER_SEGMENT, 1);
    writeMarker(w, topSeg * SLRU_PAGES_PER_SEGMENT, 2);
    writeMarker(w, 0, 3);
    writeMarker(w, 10, 4);
    w.writeAll();
    expect(w.listSegments()).toEqual([0, topSeg - 1, topSeg]);
    expect(w.truncate(SLRU_PAGES_PER_SEGMENT * 0 + 3)).toBe(true);
    expect(w.listSegments()).toEqual([0]);
    expect(readMarker(w, 10)).toBe(4);
  });

  it('refuses to truncate past the latest page (apparent wraparound)', () => {
    const dir = new MemoryDirectory();
    const slru = makeSlru(dir);
    writeMarker(slru, 5, 1);
    slru.writeAll();
    expect(slru.truncate(200)).toBe(false);
    expect(slru.listSegments()).toEqual([0]);
  });
});
