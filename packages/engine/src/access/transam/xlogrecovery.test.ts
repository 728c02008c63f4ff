import { describe, expect, it } from 'vitest';
import { CrashSimDirectory, MemoryDirectory, Prng, type StorageDirectory } from '@tabgres/opfs-storage';
import { BLCKSZ, XLOG_BLCKSZ } from '../../constants.ts';
import { CONTROL_FILE_PATH, DB_IN_PRODUCTION, readControlFile, writeControlFile } from '../../catalog/pg_control.ts';
import { pageGetLSN, pageSetLSN } from '../../storage/page/bufpage.ts';
import { PgError } from '../../utils/errors.ts';
import {
  CHECKPOINT_END_OF_RECOVERY,
  CHECKPOINT_FORCE,
  CHECKPOINT_IMMEDIATE,
  bootstrapXLog,
  type CheckpointHooks,
} from './xlog.ts';
import { xlByteToSeg } from './xlog_internal.ts';
import { FakeBuffers, TEST_RMGR_ID, makeTestPage, seqData, startWal, type WalInstance } from './xlog_testutil.ts';
import { REGBUF_STANDARD } from './xloginsert.ts';

const SEG = 64 * 1024;
const rel = { spcOid: 1663, dbOid: 5, relNumber: 16384 };

const hooks: CheckpointHooks = {
  checkPointGuts: () => {},
  nextXidAndOid: () => ({ nextXid: 500, nextOid: 12345, oldestXid: 3, oldestActiveXid: 0 }),
};

interface Inserted {
  seq: number;
  lsn: number;
  end: number;
}

function insertSeq(w: WalInstance, seq: number, extra: number): Inserted {
  w.ins.beginInsert();
  w.ins.registerData(seqData(seq, extra));
  const end = w.ins.insert(TEST_RMGR_ID, 0x10);
  return { seq, lsn: w.xlog.lastRecStart, end };
}

/** Inserts one record that ends exactly at the end of the current WAL page. */
function fillPage(w: WalInstance, seq: number): Inserted {
  let free = XLOG_BLCKSZ - (w.xlog.getInsertRecPtr() % XLOG_BLCKSZ);
  if (free < 32) {
    insertSeq(w, seq, 0);
    free = XLOG_BLCKSZ - (w.xlog.getInsertRecPtr() % XLOG_BLCKSZ);
  }
  const n = free - 26 <= 255 ? free - 26 : free - 29;
  const r = insertSeq(w, seq, n - 4);
  expect(r.end % XLOG_BLCKSZ).toBe(0);
  return r;
}

function mustThrow(fn: () => unknown): PgError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error('expected a PgError');
}

describe('crash recovery', () => {
  it('replays exactly the flushed records after a crash that drops unflushed writes', () => {
    const dir = new CrashSimDirectory();
    bootstrapXLog(dir, { segmentSize: SEG });
    const w = startWal(dir, { walBuffers: 4 });
    const all: Inserted[] = [];
    for (let i = 0; i < 400; i++) {
      all.push(insertSeq(w, i, (i * 37) % 900));
      if (i === 250) w.xlog.flush(all[i].end);
    }
    const flushed = w.xlog.getFlushRecPtr();
    expect(flushed).toBeLessThan(all[399].end);
    dir.crash({ seed: 1, mode: 'drop' });
    const w2 = startWal(dir, { walBuffers: 4 });
    expect(w2.startup.recoveryPerformed).toBe(true);
    const expected = all.filter((r) => r.end <= flushed).map((r) => r.seq);
    expect(expected.length).toBeGreaterThanOrEqual(251);
    expect(w2.redoLog.seqs).toEqual(expected);
    expect(w2.startup.endOfLog).toBe(all[expected.length - 1].end);
    expect(w2.startup.control.state).toBe(DB_IN_PRODUCTION);
    expect(w2.logLines).toContain('database system was not properly shut down; automatic recovery in progress');
    expect(w2.logLines.some((l) => l.startsWith('redo done at '))).toBe(true);
  });

  it('restores page images, skips pages already newer than the record, and sets page LSNs', () => {
    const dir = new MemoryDirectory();
    bootstrapXLog(dir, { segmentSize: SEG });
    const w = startWal(dir, { walBuffers: 8 });
    // Record 1: first change of block 1 after the checkpoint: carries its image.
    const b1 = w.buffers.buffer(rel, 0, 1);
    makeTestPage(w.buffers.getPage(b1), 1, 200, 7000, 11);
    const original = w.buffers.getPage(b1).slice();
    w.ins.beginInsert();
    w.ins.registerBuffer(0, b1, REGBUF_STANDARD);
    w.ins.registerBufData(0, new Uint8Array([9, 9, 9]));
    w.ins.registerData(seqData(1, 0));
    const end1 = w.ins.insert(TEST_RMGR_ID, 0x10);
    pageSetLSN(w.buffers.getPage(b1), end1);
    // Record 2: change of block 1 again (no image) and block 2 (no image: newer LSN).
    const b2 = w.buffers.buffer(rel, 0, 2);
    makeTestPage(w.buffers.getPage(b2), 2 ** 40, 100, 200, 12);
    w.ins.beginInsert();
    w.ins.registerBuffer(0, b1, REGBUF_STANDARD);
    w.ins.registerBufData(0, new Uint8Array([7, 7]));
    w.ins.registerBuffer(1, b2, REGBUF_STANDARD);
    w.ins.registerBufData(1, new Uint8Array([5]));
    w.ins.registerData(seqData(2, 0));
    const end2 = w.ins.insert(TEST_RMGR_ID, 0x10);
    w.xlog.flush(end2);

    // After the "crash": block 2 on disk is newer than record 2 (it was written after); block 1 is gone.
    const disk = new FakeBuffers();
    const d2 = disk.buffer(rel, 0, 2);
    makeTestPage(disk.getPage(d2), 2 ** 40, 100, 200, 12);
    const w2 = startWal(dir, { walBuffers: 8 }, undefined, disk);
    expect(w2.redoLog.seqs).toEqual([1, 2]);
    expect(w2.redoLog.actions).toEqual(['restored', 'needs_redo', 'done']);
    const p1 = disk.getPage(disk.buffer(rel, 0, 1));
    expect(pageGetLSN(p1)).toBe(end2);
    // The image was restored with its hole zeroed, then record 2's data applied at offset 64.
    const want = original.slice();
    want.fill(0, 200, 7000);
    want.set([7, 7], 64);
    pageSetLSN(want, end2);
    expect(Buffer.compare(p1, want)).toBe(0);
    expect(pageGetLSN(disk.getPage(d2))).toBe(2 ** 40);
    expect(disk.pinned).toBe(0);
    expect(w2.counters.nextOid).toBe(10000);
  });

  it('finds the end of WAL in a recycled segment without replaying its stale records', () => {
    const dir = new MemoryDirectory();
    bootstrapXLog(dir, { segmentSize: SEG });
    const w = startWal(dir, { walBuffers: 8 });
    let seq = 0;
    for (let i = 0; i < 300; i++) insertSeq(w, seq++, 1000);
    w.xlog.createCheckPoint(CHECKPOINT_FORCE, hooks);
    const redo = w.xlog.getRedoRecPtr();
    const recycledInto = xlByteToSeg(w.xlog.getInsertRecPtr(), SEG) + 1;
    const after: Inserted[] = [];
    // Cross into the recycled segment, then end the WAL exactly at a page boundary there.
    while (xlByteToSeg(w.xlog.getInsertRecPtr(), SEG) < recycledInto || w.xlog.getInsertRecPtr() % SEG < 2 * XLOG_BLCKSZ) {
      after.push(insertSeq(w, seq++, 500));
    }
    after.push(fillPage(w, seq++));
    w.xlog.flush(after[after.length - 1].end);
    w.xlog.close();

    const w2 = startWal(dir, { walBuffers: 8 });
    expect(w2.startup.redoStart).toBe(redo);
    expect(w2.redoLog.seqs).toEqual(after.map((r) => r.seq));
    expect(w2.startup.endOfWalReason).toMatch(/^unexpected pageaddr /);
    expect(w2.startup.endOfLog).toBe(after[after.length - 1].end);
    // The WAL goes on from there; a second restart sees old and new records.
    const more = [insertSeq(w2, seq++, 10), insertSeq(w2, seq++, 3000)];
    w2.xlog.flush(more[1].end);
    const w3 = startWal(dir, { walBuffers: 8 });
    expect(w3.redoLog.seqs).toEqual([...after, ...more].map((r) => r.seq));
  });

  it('overwrites stale bytes after the end of WAL so they are never read as records', () => {
    const dir = new MemoryDirectory();
    bootstrapXLog(dir, { segmentSize: SEG });
    const w = startWal(dir, { walBuffers: 8 });
    const a = [insertSeq(w, 1, 100), insertSeq(w, 2, 100), insertSeq(w, 3, 100)];
    w.xlog.flush(a[2].end);
    // Garbage after the end, on the same page (a torn or half-written tail).
    const f = dir.open(`pg_wal/${'000000010000000000000001'}`);
    f.write(new Uint8Array(300).fill(0x5a), { at: a[2].end % SEG });
    f.close();
    const w2 = startWal(dir, { walBuffers: 8 });
    expect(w2.redoLog.seqs).toEqual([1, 2, 3]);
    const b = [insertSeq(w2, 4, 10)];
    w2.xlog.flush(b[0].end);
    const w3 = startWal(dir, { walBuffers: 8 });
    expect(w3.redoLog.seqs).toEqual([1, 2, 3, 4]);
  });

  it('PANICs when pg_control points at no valid checkpoint record', () => {
    const dir = new MemoryDirectory();
    const cf = bootstrapXLog(dir, { segmentSize: SEG });
    cf.checkPoint += 8;
    writeControlFile(dir, cf);
    const e = mustThrow(() => startWal(dir));
    expect(e.message).toBe('could not locate a valid checkpoint record');
    expect(e.severity).toBe('PANIC');
    expect(e.detail).toMatch(/^Checkpoint record at 0\/10030: /);
  });

  it('does not create pg_control when it is missing', () => {
    const dir = new MemoryDirectory();
    const e = mustThrow(() => startWal(dir));
    expect(e.message).toBe(`could not open file "${CONTROL_FILE_PATH}": No such file or directory`);
    expect(dir.exists(CONTROL_FILE_PATH)).toBe(false);
  });

  it('survives random crashes: replays a prefix of the WAL containing everything flushed', () => {
    let keptUnflushed = 0;
    for (let seed = 1; seed <= 25; seed++) {
      const rng = new Prng(seed);
      const dir = new CrashSimDirectory();
      bootstrapXLog(dir, { segmentSize: SEG });
      let w = startWal(dir, { walBuffers: 4 });
      let wal: Inserted[] = []; // records in WAL order since the last redo pointer we know of
      let seq = 0;
      for (let round = 0; round < 4; round++) {
        const n = rng.range(20, 250);
        for (let i = 0; i < n; i++) {
          wal.push(insertSeq(w, seq++, rng.chance(0.1) ? rng.range(0, 12000) : rng.range(0, 300)));
          if (rng.chance(0.01)) w.xlog.flush(wal[wal.length - 1].end);
          if (rng.chance(0.01)) w.xlog.createCheckPoint(CHECKPOINT_FORCE, hooks);
          if (rng.chance(0.01)) w.xlog.backgroundFlush();
        }
        const flushed = w.xlog.getFlushRecPtr();
        dir.crash({ seed: seed * 100 + round, mode: rng.pick(['drop', 'prefix', 'tear', 'random'] as const) });
        dir.checkInvariants();
        w = startWal(dir, { walBuffers: 4 });
        const redo = w.startup.redoStart ?? w.startup.endOfLog;
        const candidates = wal.filter((r) => r.lsn >= redo);
        const replayed = w.redoLog.seqs;
        // A prefix of what was inserted after the redo pointer...
        expect(replayed).toEqual(candidates.slice(0, replayed.length).map((r) => r.seq));
        // ...that includes every record that was flushed.
        const mustHave = candidates.filter((r) => r.end <= flushed).length;
        expect(replayed.length, `seed ${seed} round ${round}`).toBeGreaterThanOrEqual(mustHave);
        // The lost records are gone for good: the WAL goes on after the survivors.
        const survivors = candidates.slice(0, replayed.length);
        keptUnflushed += replayed.length - mustHave;
        wal = survivors;
        expect(w.startup.endOfLog).toBe(survivors.length > 0 ? survivors[survivors.length - 1].end : w.startup.endOfLog);
        if (rng.chance(0.5)) {
          w.xlog.createCheckPoint(CHECKPOINT_END_OF_RECOVERY | CHECKPOINT_IMMEDIATE, hooks);
          expect(readControlFile(dir).state).toBe(DB_IN_PRODUCTION);
          wal = [];
        }
      }
    }
    // Some crashes kept unflushed writes ('prefix', 'tear'): those records were replayed too.
    expect(keptUnflushed).toBeGreaterThan(0);
  });

  it('replays records with full-page images through random crashes, ending with the right pages', () => {
    const dir = new CrashSimDirectory();
    bootstrapXLog(dir, { segmentSize: SEG });
    const w = startWal(dir, { walBuffers: 4 });
    const expectedPage = new Map<number, Uint8Array>();
    // Each record rewrites the data at offset 64 of one of 5 blocks; the first touch of each carries an image.
    for (let i = 0; i < 200; i++) {
      const blk = i % 5;
      const buf = w.buffers.buffer(rel, 0, blk);
      const page = w.buffers.getPage(buf);
      if (pageGetLSN(page) === 0) makeTestPage(page, 1, 100, 4000, blk + 1);
      const data = seqData(i, 20);
      page.set(data, 64);
      w.ins.beginInsert();
      w.ins.registerBuffer(0, buf, REGBUF_STANDARD);
      w.ins.registerBufData(0, data);
      w.ins.registerData(seqData(i, 0));
      const end = w.ins.insert(TEST_RMGR_ID, 0x10);
      pageSetLSN(page, end);
      const snapshot = page.slice();
      snapshot.fill(0, 100, 4000);
      expectedPage.set(blk, snapshot);
    }
    w.xlog.flush(w.xlog.lastRecEnd);
    dir.crash({ seed: 7, mode: 'tear' });
    const w2 = startWal(dir, { walBuffers: 4 });
    expect(w2.redoLog.seqs.length).toBe(200);
    for (let blk = 0; blk < 5; blk++) {
      const got = w2.buffers.getPage(w2.buffers.buffer(rel, 0, blk));
      expect(Buffer.compare(got, expectedPage.get(blk)!), `block ${blk}`).toBe(0);
    }
    expect(BLCKSZ).toBe(8192);
  });
});

describe('pg_control after startup', () => {
  it('reads its segment size from pg_control, not from settings', () => {
    const dir: StorageDirectory = new MemoryDirectory();
    bootstrapXLog(dir, { segmentSize: 128 * 1024 });
    const w = startWal(dir, { walBuffers: 8 });
    expect(w.xlog.walSegmentSize).toBe(128 * 1024);
    expect(w.startup.checkPointLoc).toBe(128 * 1024 + 40);
  });
});
