import { describe, expect, it } from 'vitest';
import { MemoryDirectory, type StorageDirectory } from '@tabgres/opfs-storage';
import { XLOG_BLCKSZ } from '../../constants.ts';
import { crc32cFinal, crc32cInit, crc32cUpdate } from '../../port/crc32c.ts';
import { bootstrapXLog } from './xlog.ts';
import { lsnToString, putU32, putU64 } from './xlogdefs.ts';
import { XLOGDIR, xlogFilePath } from './xlog_internal.ts';
import { TEST_RMGR_ID, seqData, startWal, type WalInstance } from './xlog_testutil.ts';
import { XLogReader } from './xlogreader.ts';

const SEG = 64 * 1024;

function walBytes(dir: StorageDirectory, lsn: number, n: number): Uint8Array {
  const f = dir.open(xlogFilePath(1, Math.floor(lsn / SEG), SEG));
  const b = new Uint8Array(n);
  f.read(b, { at: lsn % SEG });
  f.close();
  return b;
}

function patchWal(dir: StorageDirectory, lsn: number, bytes: Uint8Array): void {
  const f = dir.open(xlogFilePath(1, Math.floor(lsn / SEG), SEG));
  f.write(bytes, { at: lsn % SEG });
  f.close();
}

/** A fresh cluster with `n` small test records (main data = seq + `extra` bytes), flushed. */
function withRecords(n: number, extra: (i: number) => number): { w: WalInstance; dir: MemoryDirectory; starts: number[]; ends: number[] } {
  const dir = new MemoryDirectory();
  bootstrapXLog(dir, { segmentSize: SEG });
  const w = startWal(dir, { walBuffers: 8 });
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < n; i++) {
    w.ins.beginInsert();
    w.ins.registerData(seqData(i, extra(i)));
    ends.push(w.ins.insert(TEST_RMGR_ID, 0x10));
    starts.push(w.xlog.lastRecStart);
  }
  w.xlog.flush(ends[n - 1]);
  return { w, dir, starts, ends };
}

function readFrom(dir: StorageDirectory, lsn: number): { lsns: number[]; reason: string | null } {
  const r = new XLogReader(dir, { segmentSize: SEG });
  r.beginRead(lsn);
  const lsns: number[] = [];
  for (let rec = r.readRecord(); rec !== null; rec = r.readRecord()) lsns.push(rec.lsn);
  r.close();
  return { lsns, reason: r.errorMessage };
}

describe('end of WAL detection', () => {
  it('a CRC error in the middle stops reading at that record', () => {
    const { dir, starts } = withRecords(300, () => 100);
    const bad = starts[150];
    const b = walBytes(dir, bad + 40, 1);
    b[0] ^= 0x01;
    patchWal(dir, bad + 40, b);
    const { lsns, reason } = readFrom(dir, starts[0]);
    expect(lsns).toEqual(starts.slice(0, 150));
    expect(reason).toBe(`incorrect resource manager data checksum in record at ${lsnToString(bad)}`);
  });

  it('a torn last page ends the WAL at the last record complete before the tear', () => {
    const { dir, starts, ends } = withRecords(200, () => 60);
    const lastPage = ends[199] - (ends[199] % XLOG_BLCKSZ);
    const tear = lastPage + 4096;
    // The second half of the page holds what was there before: zeroes of a fresh segment, or garbage.
    patchWal(dir, tear, new Uint8Array(4096).fill(0xa5));
    const complete = starts.filter((s, i) => ends[i] <= tear);
    const { lsns, reason } = readFrom(dir, starts[0]);
    expect(lsns).toEqual(complete);
    expect(reason).toMatch(/incorrect resource manager data checksum|invalid record length|incorrect prev-link|invalid resource manager ID/);
  });

  it('checks xl_prev: a record whose back-link is wrong ends the WAL even with a good CRC', () => {
    const { dir, starts } = withRecords(50, () => 20);
    const victim = starts[30];
    const rec = walBytes(dir, victim, 24 + 2 + 24);
    putU64(rec, 8, starts[10]); // points at the wrong predecessor
    let crc = crc32cUpdate(crc32cInit(), rec, 24, rec.length);
    crc = crc32cFinal(crc32cUpdate(crc, rec, 0, 20));
    putU32(rec, 20, crc);
    patchWal(dir, victim, rec);
    const { lsns, reason } = readFrom(dir, starts[0]);
    expect(lsns).toEqual(starts.slice(0, 30));
    expect(reason).toBe(`record with incorrect prev-link ${lsnToString(starts[10])} at ${lsnToString(victim)}`);
    // Reading from the record itself is random access: only xl_prev < lsn is required.
    expect(readFrom(dir, victim).lsns[0]).toBe(victim);
  });

  it('a stale page of a recycled segment ends the WAL by its xlp_pageaddr', () => {
    const { dir, starts, ends } = withRecords(80, () => 1000);
    const last = ends[79];
    const nextSeg = Math.floor(last / SEG) + 1;
    // Pretend an old segment (number 1, full of valid-looking pages) was recycled into the next segment's name.
    const old = dir.open(xlogFilePath(1, 1, SEG));
    const bytes = new Uint8Array(SEG);
    old.read(bytes, { at: 0 });
    old.close();
    const f = dir.open(xlogFilePath(1, nextSeg, SEG), { create: true });
    f.write(bytes, { at: 0 });
    f.close();
    // Move the end of the WAL onto the segment boundary by reading from a record whose successor would be there.
    const reader = new XLogReader(dir, { segmentSize: SEG });
    reader.beginRead(nextSeg * SEG);
    expect(reader.readRecord()).toBeNull();
    expect(reader.errorMessage).toBe(
      `unexpected pageaddr 0/${(SEG).toString(16).toUpperCase()} in WAL segment ${xlogFilePath(1, nextSeg, SEG).slice(XLOGDIR.length + 1)}, ` +
        `LSN ${lsnToString(nextSeg * SEG)}, offset 0`,
    );
    reader.close();
    expect(readFrom(dir, starts[0]).lsns.length).toBe(80);
  });

  it('a continuation page that is missing ends the WAL before the spanning record', () => {
    const { dir, starts, ends } = withRecords(40, (i) => (i === 39 ? 20000 : 100));
    // Record 39 spans three pages; wipe the page after its first.
    const firstPage = starts[39] - (starts[39] % XLOG_BLCKSZ);
    patchWal(dir, firstPage + XLOG_BLCKSZ, new Uint8Array(XLOG_BLCKSZ));
    const { lsns, reason } = readFrom(dir, starts[0]);
    expect(lsns).toEqual(starts.slice(0, 39));
    expect(reason).toMatch(/^invalid magic number 0000 in WAL segment /);
    expect(ends[39] - starts[39]).toBeGreaterThan(20000);
  });

  it('rejects WAL of another cluster by the long header', () => {
    const { dir, w } = withRecords(5, () => 10);
    const reader = new XLogReader(dir, { segmentSize: SEG, systemIdentifier: w.startup.control.systemIdentifier + 1n });
    reader.beginRead(SEG + 40);
    expect(reader.readRecord()).toBeNull();
    expect(reader.errorMessage).toMatch(/^WAL file is from different database system: WAL file database system identifier is \d+, pg_control database system identifier is \d+$/);
  });

  it('reports a missing segment and a record offset inside a page header', () => {
    const { dir } = withRecords(5, () => 10);
    const r = new XLogReader(dir, { segmentSize: SEG });
    r.beginRead(50 * SEG);
    expect(r.readRecord()).toBeNull();
    expect(r.errorMessage).toBe(`could not open file "${xlogFilePath(1, 50, SEG)}": No such file or directory`);
    r.beginRead(SEG + 16);
    expect(r.readRecord()).toBeNull();
    expect(r.errorMessage).toBe(`invalid record offset at ${lsnToString(SEG + 16)}: expected at least 40, got 16`);
  });
});

describe('records across page and buffer boundaries', () => {
  it('reads a record whose 24-byte header is split across two pages', () => {
    for (const leave of [8, 16]) {
      const dir = new MemoryDirectory();
      bootstrapXLog(dir, { segmentSize: SEG });
      const w = startWal(dir, { walBuffers: 8 });
      // One record that ends `leave` bytes before the page end (main data header: 2 or 5 bytes).
      let free = XLOG_BLCKSZ - (w.xlog.getInsertRecPtr() % XLOG_BLCKSZ);
      if (free < 64) {
        w.ins.beginInsert();
        w.ins.registerData(seqData(0, 0));
        w.ins.insert(TEST_RMGR_ID, 0x10);
        free = XLOG_BLCKSZ - (w.xlog.getInsertRecPtr() % XLOG_BLCKSZ);
      }
      const want = free - leave;
      const n = want - 26 <= 255 ? want - 26 : want - 29;
      w.ins.beginInsert();
      w.ins.registerData(seqData(1, n - 4));
      w.ins.insert(TEST_RMGR_ID, 0x10);
      expect(XLOG_BLCKSZ - (w.xlog.getInsertRecPtr() % XLOG_BLCKSZ)).toBe(leave);
      w.ins.beginInsert();
      w.ins.registerData(seqData(2, 100));
      const end = w.ins.insert(TEST_RMGR_ID, 0x10);
      const split = w.xlog.lastRecStart;
      w.xlog.flush(end);
      const r = new XLogReader(dir, { segmentSize: SEG });
      r.beginRead(split);
      const rec = r.readRecord();
      expect(rec, r.errorMessage ?? '').not.toBeNull();
      expect(rec!.mainDataLength).toBe(104);
      expect(rec!.endLsn).toBe(end);
      r.close();
    }
  });

  it('inserts a record larger than all WAL buffers together', () => {
    const dir = new MemoryDirectory();
    bootstrapXLog(dir, { segmentSize: SEG });
    const w = startWal(dir, { walBuffers: 4 });
    const big = seqData(7, 200 * 1024, 0x3c);
    w.ins.beginInsert();
    w.ins.registerData(big);
    const end = w.ins.insert(TEST_RMGR_ID, 0x10);
    const start = w.xlog.lastRecStart;
    w.xlog.flush(end);
    const r = new XLogReader(dir, { segmentSize: SEG });
    r.beginRead(start);
    const rec = r.readRecord()!;
    expect(rec.mainDataLength).toBe(big.length);
    expect(Buffer.compare(rec.mainData, big)).toBe(0);
    expect(Math.floor(end / SEG)).toBeGreaterThan(Math.floor(start / SEG) + 2); // spans several segments
    r.close();
  });
});
