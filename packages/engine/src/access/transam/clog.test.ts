import { describe, expect, it } from 'vitest';
import { CrashSimDirectory, MemoryDirectory, type StorageDirectory } from '@tabgres/opfs-storage';
import { CLOG_XACTS_PER_PAGE, SLRU_PAGES_PER_SEGMENT } from '../../constants.ts';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { Clog, CLOG_TRUNCATE, CLOG_ZEROPAGE, clogPageOf, clogShmemInit, clogShmemSize } from './clog.ts';
import { clogDesc, clogIdentify, clogRedo } from './clog_redo.ts';
import { describeRecord, getRmgr, RM_CLOG_ID } from './rmgr.ts';
import {
  TRANSACTION_STATUS_ABORTED,
  TRANSACTION_STATUS_COMMITTED,
  TRANSACTION_STATUS_IN_PROGRESS,
  TRANSACTION_STATUS_SUB_COMMITTED,
  type TransamWal,
  type XidStatus,
} from './transam.ts';

interface Rec {
  rmid: number;
  info: number;
  data: Uint8Array;
  endLsn: number;
}

class FakeWal implements TransamWal {
  pos = 100;
  flushed = 100;
  records: Rec[] = [];
  insertRecord(rmid: number, info: number, data: Uint8Array): number {
    this.pos += 32;
    this.records.push({ rmid, info, data: data.slice(), endLsn: this.pos });
    return this.pos;
  }
  flush(lsn: number): void {
    this.flushed = Math.max(this.flushed, lsn);
  }
  needsFlush(lsn: number): boolean {
    return lsn > this.flushed;
  }
  setAsyncXactLsn(): void {}
  logNextOid(): void {}
}

function asRecord(r: Rec): { info: number; mainData: Uint8Array; mainDataLength: number } {
  return { info: r.info, mainData: r.data, mainDataLength: r.data.length };
}

function makeClog(dir: StorageDirectory, wal: TransamWal | null = new FakeWal()): Clog {
  const sizer = new ShmemSizer();
  sizer.add(clogShmemSize());
  const shmem = Shmem.create(sizer.size);
  clogShmemInit(shmem);
  return new Clog(shmem, new LWLockOwner(shmem.i32), dir, wal);
}

/** Zeroes the page of every XID in `xids` as the XID counter would, with WAL. */
function extendFor(clog: Clog, xids: number[]): void {
  const pages = new Set(xids.map(clogPageOf));
  for (const p of pages) clog.extend(p * CLOG_XACTS_PER_PAGE === 0 ? 3 : p * CLOG_XACTS_PER_PAGE);
}

describe('CLOG', () => {
  it('stores two bits per XID across pages and segments', () => {
    const clog = makeClog(new MemoryDirectory());
    clog.bootstrap();
    const xids = [3, 4, 5, 6, 7, 32767, 32768, 32769, CLOG_XACTS_PER_PAGE * SLRU_PAGES_PER_SEGMENT + 11, 5_000_000];
    extendFor(clog, xids);
    xids.forEach((x, i) => clog.setTreeStatus(x, [], 0, i % 2 === 0 ? TRANSACTION_STATUS_COMMITTED : TRANSACTION_STATUS_ABORTED, 0));
    xids.forEach((x, i) => expect(clog.getStatus(x)).toBe(i % 2 === 0 ? TRANSACTION_STATUS_COMMITTED : TRANSACTION_STATUS_ABORTED));
    expect(clog.getStatus(8)).toBe(TRANSACTION_STATUS_IN_PROGRESS);
    clog.checkpoint();
    expect(clog.slru.listSegments()).toEqual([0, 1, 4]);
  });

  it('commits a tree in two steps when subtransactions are on other pages', () => {
    const clog = makeClog(new MemoryDirectory());
    clog.bootstrap();
    const top = 32760;
    const subs = [32761, 32770, 65540];
    extendFor(clog, [top, ...subs]);
    // Record every status after each page's update: a reader between steps.
    const seen: XidStatus[][] = [];
    const inner = clog as unknown as { setPageStatus: (...a: unknown[]) => void };
    const orig = inner.setPageStatus.bind(clog);
    inner.setPageStatus = (...a: unknown[]) => {
      orig(...a);
      seen.push([top, ...subs].map((x) => clog.getStatus(x)));
    };
    clog.setTreeStatus(top, subs, subs.length, TRANSACTION_STATUS_COMMITTED, 0);
    const C = TRANSACTION_STATUS_COMMITTED;
    const S = TRANSACTION_STATUS_SUB_COMMITTED;
    const I = TRANSACTION_STATUS_IN_PROGRESS;
    expect(seen).toEqual([
      [I, I, S, I], // other pages first: sub-committed
      [I, I, S, S],
      [C, C, S, S], // then the top XID and the subxids on its page at once
      [C, C, C, S], // then the other pages: committed
      [C, C, C, C],
    ]);
  });

  it('aborts a tree without the sub-committed step', () => {
    const clog = makeClog(new MemoryDirectory());
    clog.bootstrap();
    extendFor(clog, [32767, 32768]);
    clog.setTreeStatus(32767, [32768], 1, TRANSACTION_STATUS_ABORTED, 0);
    expect(clog.getStatus(32767)).toBe(TRANSACTION_STATUS_ABORTED);
    expect(clog.getStatus(32768)).toBe(TRANSACTION_STATUS_ABORTED);
  });

  it('remembers the newest asynchronous commit LSN of a page', () => {
    const clog = makeClog(new MemoryDirectory());
    clog.bootstrap();
    clog.setTreeStatus(10, [], 0, TRANSACTION_STATUS_COMMITTED, 5000);
    clog.setTreeStatus(11, [], 0, TRANSACTION_STATUS_COMMITTED, 0);
    expect(clog.getStatus(11)).toBe(TRANSACTION_STATUS_COMMITTED);
    expect(clog.lastStatusLsn).toBe(5000);
  });

  it('logs CLOG_ZEROPAGE when the XID counter enters a page, and at the wraparound', () => {
    const wal = new FakeWal();
    const clog = makeClog(new MemoryDirectory(), wal);
    clog.bootstrap();
    clog.extend(100); // not the first XID of a page: nothing
    clog.extend(CLOG_XACTS_PER_PAGE * 2);
    clog.extend(3); // after 2^32 - 1 the counter continues at 3, on page 0
    expect(wal.records.map((r) => [r.rmid, r.info, clogDesc(asRecord(r))])).toEqual([
      [RM_CLOG_ID, CLOG_ZEROPAGE, 'page 2'],
      [RM_CLOG_ID, CLOG_ZEROPAGE, 'page 0'],
    ]);
  });

  it('survives a crash through its checkpoint plus WAL replay', () => {
    const dir = new CrashSimDirectory();
    const wal = new FakeWal();
    const clog = makeClog(dir, wal);
    clog.bootstrap();
    clog.setTreeStatus(3, [], 0, TRANSACTION_STATUS_COMMITTED, 0);
    clog.checkpoint();
    clog.extend(CLOG_XACTS_PER_PAGE);
    clog.setTreeStatus(4, [], 0, TRANSACTION_STATUS_ABORTED, 0);
    clog.setTreeStatus(CLOG_XACTS_PER_PAGE, [], 0, TRANSACTION_STATUS_COMMITTED, 0);
    dir.crash({ seed: 7, mode: 'drop' });

    const after = makeClog(dir, null);
    after.inRecovery = true;
    expect(after.getStatus(3)).toBe(TRANSACTION_STATUS_COMMITTED);
    expect(after.getStatus(4)).toBe(TRANSACTION_STATUS_IN_PROGRESS); // a crashed transaction reads as running...
    // ...until WAL replay: the ZEROPAGE record recreates page 1, commit records (xact_redo) set bits.
    for (const r of wal.records) clogRedo(asRecord(r), after);
    after.setTreeStatus(CLOG_XACTS_PER_PAGE, [], 0, TRANSACTION_STATUS_COMMITTED, 0);
    after.inRecovery = false;
    expect(after.getStatus(CLOG_XACTS_PER_PAGE)).toBe(TRANSACTION_STATUS_COMMITTED);
    expect(dir.exists('pg_xact/0000')).toBe(true);
  });

  it('truncates old segments with a flushed CLOG_TRUNCATE record, and replays it', () => {
    const dir = new MemoryDirectory();
    const wal = new FakeWal();
    const clog = makeClog(dir, wal);
    clog.bootstrap();
    const segXids = SLRU_PAGES_PER_SEGMENT * CLOG_XACTS_PER_PAGE;
    for (const seg of [1, 2, 3]) clog.extend(seg * segXids);
    clog.checkpoint();
    expect(clog.slru.listSegments()).toEqual([0, 1, 2, 3]);
    clog.truncate(2 * segXids + 5, 16384);
    expect(clog.slru.listSegments()).toEqual([2, 3]);
    const rec = wal.records[wal.records.length - 1];
    expect(rec.info).toBe(CLOG_TRUNCATE);
    expect(wal.flushed).toBe(rec.endLsn);
    expect(clogDesc(asRecord(rec))).toBe(`page ${2 * SLRU_PAGES_PER_SEGMENT}; oldestXact ${2 * segXids + 5}`);
    // Nothing left to remove: no second record.
    clog.truncate(2 * segXids + 6, 16384);
    expect(wal.records[wal.records.length - 1]).toBe(rec);

    // Replaying the same records on a fresh copy leaves the same files.
    const replica = makeClog(new MemoryDirectory(), null);
    replica.bootstrap();
    replica.inRecovery = true;
    for (const r of wal.records) clogRedo(asRecord(r), replica);
    expect(replica.slru.listSegments()).toEqual([2, 3]);
    expect(clogIdentify(CLOG_TRUNCATE)).toBe('TRUNCATE');
    expect(clogIdentify(CLOG_ZEROPAGE)).toBe('ZEROPAGE');
  });

  it('registers the CLOG resource manager for pg_waldump-style output', () => {
    const r = getRmgr(RM_CLOG_ID);
    expect(r?.name).toBe('CLOG');
    expect(typeof describeRecord).toBe('function');
  });
});
