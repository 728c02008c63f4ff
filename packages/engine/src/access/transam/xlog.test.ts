import { describe, expect, it } from 'vitest';
import { MemoryDirectory, Prng, type StorageDirectory, type SyncFile } from '@tabgres/opfs-storage';
import { BLCKSZ, XLOG_BLCKSZ } from '../../constants.ts';
import { DB_IN_PRODUCTION, DB_SHUTDOWNED, readControlFile } from '../../catalog/pg_control.ts';
import { pageGetLSN, pageSetLSN } from '../../storage/page/bufpage.ts';
import { PgError } from '../../utils/errors.ts';
import { describeRecord } from './rmgr.ts';
import {
  CHECKPOINT_FORCE,
  CHECKPOINT_IS_SHUTDOWN,
  XLog,
  bootstrapXLog,
  type CheckpointHooks,
} from './xlog.ts';
import { XLOGDIR, xlByteToSeg, parseXLogFileName } from './xlog_internal.ts';
import { TEST_RMGR_ID, makeTestPage, seqData, startWal, type WalInstance } from './xlog_testutil.ts';
import { REGBUF_FORCE_IMAGE, REGBUF_KEEP_DATA, REGBUF_NO_IMAGE, REGBUF_STANDARD, REGBUF_WILL_INIT, XLogInsertState } from './xloginsert.ts';
import { XLogReader } from './xlogreader.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';

const SEG = 64 * 1024;
const INFO = 0x10;

const hooks = (): CheckpointHooks & { gutsRedo: number[] } => {
  const gutsRedo: number[] = [];
  return {
    gutsRedo,
    checkPointGuts: (redo) => void gutsRedo.push(redo),
    nextXidAndOid: () => ({ nextXid: 1000, nextOid: 20000, oldestXid: 3, oldestActiveXid: 900 }),
  };
};

function fresh(settings: Parameters<typeof startWal>[1] = {}, now?: () => number): { dir: MemoryDirectory } & WalInstance {
  const dir = new MemoryDirectory();
  bootstrapXLog(dir, { segmentSize: SEG });
  return { dir, ...startWal(dir, { walBuffers: 8, ...settings }, now) };
}

interface ExpectedBlock {
  id: number;
  rel: number;
  fork: number;
  blk: number;
  image: Uint8Array | null;
  hole: number;
  data: Uint8Array | null;
  willInit: boolean;
}
interface Expected {
  lsn: number;
  end: number;
  xid: number;
  main: Uint8Array;
  blocks: ExpectedBlock[];
}

/** Inserts one random record and returns what reading it back must give. */
function randomRecord(w: WalInstance, rng: Prng, seq: number): Expected {
  const { ins, buffers, xlog } = w;
  const xid = rng.chance(0.5) ? rng.int(1 << 30) : 0;
  // xl_xid either from setTopXid or from insert's third argument.
  const xidAsArgument = rng.chance(0.5);
  ins.setTopXid(xidAsArgument ? 12345 : xid);
  ins.beginInsert();
  const blocks: ExpectedBlock[] = [];
  const nblocks = rng.chance(0.5) ? 0 : rng.range(1, 3);
  let id = -1;
  for (let i = 0; i < nblocks; i++) {
    id = rng.range(id + 1, id + 5);
    const rel = rng.range(1, 2);
    const fork = rng.chance(0.8) ? 0 : 2;
    const blk = rng.int(1000) * 4 + i; // distinct pages within one record
    const buf = buffers.buffer({ spcOid: 1663, dbOid: 5, relNumber: 16384 + rel }, fork, blk);
    const page = buffers.getPage(buf);
    const lower = rng.range(24, 4000);
    const upper = rng.chance(0.2) ? lower : rng.range(lower + 1, BLCKSZ);
    const oldPage = rng.chance(0.5); // LSN before the redo pointer: needs an image
    makeTestPage(page, oldPage ? 1 : 2 ** 40, lower, upper, rng.nextUint32());
    const flags = rng.pick([0, REGBUF_STANDARD, REGBUF_STANDARD | REGBUF_KEEP_DATA, REGBUF_FORCE_IMAGE, REGBUF_NO_IMAGE, REGBUF_WILL_INIT | REGBUF_STANDARD]);
    ins.registerBuffer(id, buf, flags);
    const data = rng.chance(0.7) ? seqData(seq, rng.range(0, 300), rng.int(256)) : null;
    if (data !== null) ins.registerBufData(id, data);
    const image = (flags & REGBUF_FORCE_IMAGE) !== 0 || ((flags & REGBUF_NO_IMAGE) === 0 && oldPage);
    const hole = image && (flags & REGBUF_STANDARD) !== 0 && upper > lower ? upper - lower : 0;
    blocks.push({
      id,
      rel,
      fork,
      blk,
      image: image ? page.slice() : null,
      hole,
      data: data !== null && (!image || (flags & REGBUF_KEEP_DATA) !== 0) ? data : null,
      willInit: (flags & REGBUF_WILL_INIT) === REGBUF_WILL_INIT,
    });
  }
  const mainSize = rng.chance(0.05) ? rng.range(0, 20 * 1024) : rng.range(0, 200);
  const main = mainSize >= 4 ? seqData(seq, mainSize - 4) : new Uint8Array(mainSize).fill(7);
  if (main.length > 0) {
    // Register in two pieces to exercise chunk lists.
    const half = rng.int(main.length + 1);
    ins.registerData(main, 0, half);
    ins.registerData(main, half);
  }
  const end = xidAsArgument ? ins.insert(TEST_RMGR_ID, INFO, xid) : ins.insert(TEST_RMGR_ID, INFO);
  return { lsn: xlog.lastRecStart, end, xid, main, blocks };
}

function readAll(dir: StorageDirectory, from: number, w?: WalInstance): { recs: number; reason: string | null; lsns: number[] } {
  const reader = new XLogReader(dir, { segmentSize: SEG, systemIdentifier: w?.startup.control.systemIdentifier ?? null });
  reader.beginRead(from);
  const lsns: number[] = [];
  for (;;) {
    const r = reader.readRecord();
    if (r === null) break;
    lsns.push(r.lsn);
  }
  reader.close();
  return { recs: lsns.length, reason: reader.errorMessage, lsns };
}

describe('WAL insertion and reading', () => {
  it('bootstrap writes a shutdown checkpoint that startup reads without recovery', () => {
    const w = fresh();
    expect(w.startup.recoveryPerformed).toBe(false);
    expect(w.startup.checkPointLoc).toBe(SEG + 40);
    expect(w.startup.control.state).toBe(DB_IN_PRODUCTION);
    expect(w.counters.nextOid).toBe(10000);
    expect(w.xlog.getInsertRecPtr()).toBe(w.startup.endOfLog);
    expect(w.xlog.getFlushRecPtr()).toBe(w.startup.endOfLog);
    expect(w.xlog.getRedoRecPtr()).toBe(SEG + 40);
    expect(w.logLines[0]).toMatch(/^database system was shut down at /);
    const reader = new XLogReader(w.dir, { segmentSize: SEG });
    reader.beginRead(SEG + 40);
    const r = reader.readRecord();
    expect(r).not.toBeNull();
    expect(describeRecord(r!)).toMatch(
      /^rmgr: XLOG {8}len \(rec\/tot\): {5}82\/ {6}82, tx: {10}0, lsn: 0\/00010028, prev 0\/00000000, desc: CHECKPOINT_SHUTDOWN redo 0\/10028; tli 1; prev tli 1; fpw true; xid 0:3; oid 10000;/,
    );
  });

  it('reads back thousands of random records identically across pages and segments', () => {
    const w = fresh();
    const rng = new Prng(42);
    const expected: Expected[] = [];
    for (let i = 0; i < 3000; i++) expected.push(randomRecord(w, rng, i));
    const last = expected[expected.length - 1].end;
    w.xlog.flush(last);
    expect(w.xlog.getFlushRecPtr()).toBeGreaterThanOrEqual(last);
    expect(xlByteToSeg(last, SEG)).toBeGreaterThan(20); // crossed many segments

    const reader = new XLogReader(w.dir, { segmentSize: SEG, systemIdentifier: w.startup.control.systemIdentifier });
    reader.beginRead(expected[0].lsn);
    for (const e of expected) {
      const r = reader.readRecord();
      if (r === null) throw new Error(`record at ${e.lsn} unreadable: ${reader.errorMessage}`);
      expect(r.lsn).toBe(e.lsn);
      expect(r.endLsn).toBe(e.end);
      expect(r.rmid).toBe(TEST_RMGR_ID);
      expect(r.info).toBe(INFO);
      expect(r.xid).toBe(e.xid);
      expect(r.mainDataLength).toBe(e.main.length);
      expect(Buffer.compare(r.mainData, e.main)).toBe(0);
      expect(r.blocks.map((b) => b.id)).toEqual(e.blocks.map((b) => b.id));
      for (const eb of e.blocks) {
        const b = r.getBlock(eb.id)!;
        expect(b.rlocator).toEqual({ spcOid: 1663, dbOid: 5, relNumber: 16384 + eb.rel });
        expect(b.forkNum).toBe(eb.fork);
        expect(b.blockNum).toBe(eb.blk);
        expect(b.willInit).toBe(eb.willInit);
        expect(b.hasImage).toBe(eb.image !== null);
        if (eb.image !== null) {
          expect(b.holeLength).toBe(eb.hole);
          // Rebuild the page the way redo does and compare with the page at insert time.
          const page = new Uint8Array(BLCKSZ);
          page.set(b.image.subarray(0, b.holeOffset), 0);
          page.set(b.image.subarray(b.holeOffset), b.holeOffset + b.holeLength);
          expect(Buffer.compare(page, eb.image)).toBe(0);
        }
        expect(b.hasData).toBe(eb.data !== null);
        if (eb.data !== null) expect(Buffer.compare(b.data, eb.data)).toBe(0);
      }
    }
    expect(reader.readRecord()).toBeNull();
    expect(reader.errorMessage).toMatch(/^invalid record length at 0\/[0-9A-F]+: expected at least 24, got 0$/);
    reader.close();
  });

  it('returns MAXALIGNed end LSNs that chain through xl_prev', () => {
    const w = fresh();
    let prevStart = w.startup.lastRec;
    for (let i = 0; i < 500; i++) {
      w.ins.beginInsert();
      w.ins.registerData(seqData(i, i % 37));
      const end = w.ins.insert(TEST_RMGR_ID, INFO);
      expect(end % 8).toBe(0);
      expect(w.xlog.lastRecStart).toBeGreaterThan(prevStart);
      prevStart = w.xlog.lastRecStart;
    }
    w.xlog.flush(w.xlog.lastRecEnd);
    expect(readAll(w.dir, w.startup.endOfLog).recs).toBe(500);
  });

  it('refuses to flush past the end of generated WAL', () => {
    const w = fresh();
    const e = (() => {
      try {
        w.xlog.flush(w.xlog.getInsertRecPtr() + 8);
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(PgError);
    expect((e as PgError).message).toMatch(/^request to flush past end of generated WAL; request /);
    expect((e as PgError).severity).toBe('PANIC');
  });

  it('checks the insertion protocol', () => {
    const w = fresh();
    expect(() => w.ins.insert(TEST_RMGR_ID, INFO)).toThrow('XLogBeginInsert was not called');
    w.ins.beginInsert();
    expect(() => w.ins.beginInsert()).toThrow('XLogBeginInsert was already called');
    expect(() => w.ins.registerBufData(3, new Uint8Array(1))).toThrow('no block with id 3 registered with WAL insertion');
    expect(() => w.ins.insert(TEST_RMGR_ID, 0x0c)).toThrow(/invalid xlog info mask 0C/);
    w.ins.assertState();
    w.ins.reset();
    w.ins.assertState();
  });
});

/** Wraps a directory to count file flushes. */
class CountingDirectory implements StorageDirectory {
  readonly kind = 'memory';
  flushes = 0;
  constructor(private readonly inner: StorageDirectory) {}
  open(path: string, options?: { create?: boolean }): SyncFile {
    const f = this.inner.open(path, options);
    return {
      read: (b, o) => f.read(b, o),
      write: (b, o) => f.write(b, o),
      truncate: (n) => f.truncate(n),
      getSize: () => f.getSize(),
      flush: () => {
        this.flushes++;
        f.flush();
      },
      close: () => f.close(),
    };
  }
  exists(p: string): boolean {
    return this.inner.exists(p);
  }
  list(p: string): string[] {
    return this.inner.list(p);
  }
  rename(a: string, b: string): void {
    this.inner.rename(a, b);
  }
  remove(p: string): void {
    this.inner.remove(p);
  }
}

describe('flushing', () => {
  it('group commit: one flush covers a second backend that inserted meanwhile', () => {
    const dir = new CountingDirectory(new MemoryDirectory());
    bootstrapXLog(dir, { segmentSize: SEG });
    const a = startWal(dir, { walBuffers: 8 });
    // A second backend on the same shared memory: own LWLockOwner, own XLog.
    const bLw = new LWLockOwner(a.shmem.i32);
    const bXlog = new XLog(a.shmem, bLw, dir);
    const r1 = a.xlog.logNextOid(20000);
    const r2 = bXlog.logNextOid(30000);
    expect(r2).toBeGreaterThan(r1);
    const before = dir.flushes;
    a.xlog.flush(r1);
    expect(dir.flushes).toBe(before + 1);
    expect(a.xlog.getFlushRecPtr()).toBe(r2); // flushed everything inserted, not just r1
    bXlog.flush(r2);
    expect(dir.flushes).toBe(before + 1); // b found its record already durable
    expect(bXlog.getFlushRecPtr()).toBe(r2);
    expect(a.xlog.stats().records).toBe(2);
  });

  it('backgroundFlush writes completed pages first, then the partial page', () => {
    const w = fresh({ walBuffers: 16 });
    for (let i = 0; i < 100; i++) {
      w.ins.beginInsert();
      w.ins.registerData(seqData(i, 200));
      w.ins.insert(TEST_RMGR_ID, INFO);
    }
    const inserted = w.xlog.getInsertRecPtr();
    expect(w.xlog.backgroundFlush()).toBe(true);
    expect(w.xlog.getFlushRecPtr()).toBe(inserted - (inserted % XLOG_BLCKSZ));
    expect(w.xlog.backgroundFlush()).toBe(true);
    expect(w.xlog.getFlushRecPtr()).toBe(inserted);
    expect(w.xlog.backgroundFlush()).toBe(false);
  });

  it('writes full WAL buffers out when the ring wraps, without flushing them', () => {
    const w = fresh({ walBuffers: 4 });
    for (let i = 0; i < 200; i++) {
      w.ins.beginInsert();
      w.ins.registerData(seqData(i, 1000));
      w.ins.insert(TEST_RMGR_ID, INFO);
    }
    const s = w.xlog.stats();
    expect(s.buffersFull).toBeGreaterThan(0);
    expect(w.xlog.getWriteRecPtr()).toBeGreaterThan(w.startup.endOfLog);
    expect(w.xlog.getWriteRecPtr()).toBeLessThan(w.xlog.getInsertRecPtr());
  });
});

describe('checkpoints', () => {
  it('move the redo pointer, update pg_control, and recycle old segments', () => {
    const w = fresh();
    for (let i = 0; i < 400; i++) {
      w.ins.beginInsert();
      w.ins.registerData(seqData(i, 1000));
      w.ins.insert(TEST_RMGR_ID, INFO);
    }
    const insertAt = w.xlog.getInsertRecPtr();
    const segsBefore = w.dir.list(XLOGDIR).filter((n) => parseXLogFileName(n, SEG) !== null);
    expect(segsBefore.length).toBeGreaterThan(5);
    const h = hooks();
    expect(w.xlog.createCheckPoint(CHECKPOINT_FORCE, h)).toBe(true);
    const redo = h.gutsRedo[0];
    expect(redo).toBeGreaterThanOrEqual(insertAt);
    expect(w.xlog.getRedoRecPtr()).toBe(redo);
    const cf = readControlFile(w.dir);
    expect(cf.checkPointCopy.redo).toBe(redo);
    expect(cf.checkPoint).toBe(w.xlog.lastRecStart);
    expect(cf.checkPointCopy.nextOid).toBe(20000);
    expect(cf.state).toBe(DB_IN_PRODUCTION);
    const segs = w.dir
      .list(XLOGDIR)
      .map((n) => parseXLogFileName(n, SEG))
      .filter((x) => x !== null)
      .map((x) => x.segno);
    const redoSeg = xlByteToSeg(redo, SEG);
    // Nothing before the redo pointer's segment survives under its old name; a few were recycled ahead.
    expect(Math.min(...segs)).toBe(redoSeg);
    expect(segs.filter((s) => s > xlByteToSeg(insertAt, SEG)).length).toBeGreaterThan(0);
    expect(segs.length).toBeLessThanOrEqual(1 + 1 + 4);
    // Nothing to do: an unforced checkpoint right after is skipped.
    expect(w.xlog.createCheckPoint(0, h)).toBe(false);
    expect(w.xlog.stats().checkpointsDone).toBe(1);
  });

  it('a shutdown checkpoint leaves the cluster shut down, and restart needs no recovery', () => {
    const w = fresh();
    for (let i = 0; i < 50; i++) {
      w.ins.beginInsert();
      w.ins.registerData(seqData(i, 10));
      w.ins.insert(TEST_RMGR_ID, INFO);
    }
    const h = hooks();
    w.xlog.createCheckPoint(CHECKPOINT_IS_SHUTDOWN, h);
    const cf = readControlFile(w.dir);
    expect(cf.state).toBe(DB_SHUTDOWNED);
    expect(cf.checkPoint).toBe(cf.checkPointCopy.redo); // a shutdown checkpoint is its own redo point
    w.xlog.close();
    const w2 = startWal(w.dir, { walBuffers: 8 });
    expect(w2.startup.recoveryPerformed).toBe(false);
    expect(w2.counters.nextXid).toBe(1000);
    expect(w2.counters.nextOid).toBe(20000);
  });

  it('are requested after enough WAL or after the timeout', () => {
    let now = 1_000_000;
    const w = fresh({ checkpointWalBytes: 100_000, checkpointTimeoutMs: 60_000 }, () => now);
    expect(w.xlog.checkpointNeeded()).toBe(false);
    for (let i = 0; i < 20; i++) {
      w.ins.beginInsert();
      w.ins.registerData(seqData(i, 1000));
      w.ins.insert(TEST_RMGR_ID, INFO);
    }
    expect(w.xlog.checkpointNeeded()).toBe(false);
    now += 61_000;
    expect(w.xlog.checkpointNeeded()).toBe(true);
    expect(w.xlog.requestCheckpointIfNeeded()).toBe(true);
    expect(w.xlog.takeCheckpointRequest() & 0x0100).toBe(0x0100); // CHECKPOINT_CAUSE_TIME
    w.xlog.createCheckPoint(0, hooks());
    expect(w.xlog.checkpointNeeded()).toBe(false);
    for (let i = 0; i < 120; i++) {
      w.ins.beginInsert();
      w.ins.registerData(seqData(i, 1000));
      w.ins.insert(TEST_RMGR_ID, INFO);
    }
    expect(w.xlog.checkpointNeeded()).toBe(true);
    expect(w.xlog.requestCheckpointIfNeeded()).toBe(true);
    expect(w.xlog.takeCheckpointRequest() & 0x0080).toBe(0x0080); // CHECKPOINT_CAUSE_XLOG
    expect(w.xlog.takeCheckpointRequest()).toBe(0);
  });
});

describe('full-page images', () => {
  const rel = { spcOid: 1663, dbOid: 5, relNumber: 16384 };

  it('are taken on the first change after the redo pointer, with the hole left out', () => {
    const w = fresh();
    const buf = w.buffers.buffer(rel, 0, 7);
    const page = w.buffers.getPage(buf);
    makeTestPage(page, 1, 64, 8000, 99);
    w.ins.beginInsert();
    w.ins.registerBuffer(0, buf, REGBUF_STANDARD);
    w.ins.registerBufData(0, new Uint8Array([1, 2, 3]));
    w.ins.registerData(seqData(1, 0));
    const end1 = w.ins.insert(TEST_RMGR_ID, INFO);
    const start1 = w.xlog.lastRecStart;
    // The caller stamps the page; the next change needs no image.
    page[100] = 42;
    pageSetLSN(page, end1);
    expect(pageGetLSN(page)).toBe(end1);
    w.ins.beginInsert();
    w.ins.registerBuffer(0, buf, REGBUF_STANDARD);
    w.ins.registerBufData(0, new Uint8Array([4, 5]));
    w.ins.registerData(seqData(2, 0));
    w.ins.insert(TEST_RMGR_ID, INFO);
    w.xlog.flush(w.xlog.lastRecEnd);

    const reader = new XLogReader(w.dir, { segmentSize: SEG });
    reader.beginRead(start1);
    const r1 = reader.readRecord()!;
    const b1 = r1.getBlock(0)!;
    expect(b1.hasImage).toBe(true);
    expect(b1.holeOffset).toBe(64);
    expect(b1.holeLength).toBe(8000 - 64);
    expect(b1.imageLength).toBe(BLCKSZ - (8000 - 64));
    expect(b1.hasData).toBe(false); // dropped: the image replaces it
    expect(r1.totalLen).toBeLessThan(400);
    expect(describeRecord(r1)).toContain('blkref #0: rel 1663/5/16384 blk 7 FPW (hole: offset: 64, length: 7936)');
    const r2 = reader.readRecord()!;
    expect(r2.getBlock(0)!.hasImage).toBe(false);
    expect([...r2.getBlock(0)!.data]).toEqual([4, 5]);
    expect(w.xlog.stats().fpi).toBe(1);
  });

  it('are re-decided when a checkpoint moves the redo pointer between assembly and insertion', () => {
    const w = fresh();
    const buf = w.buffers.buffer(rel, 0, 1);
    const page = w.buffers.getPage(buf);
    // A second backend, whose cached redo pointer is the startup one.
    const bLw = new LWLockOwner(w.shmem.i32);
    const bXlog = new XLog(w.shmem, bLw, w.dir);
    const bIns = new XLogInsertState(bXlog, w.buffers);
    bIns.beginInsert();
    bIns.registerData(seqData(0, 0));
    bIns.insert(TEST_RMGR_ID, INFO); // b's cache now holds the startup redo pointer
    const pageLsn = w.xlog.getInsertRecPtr();
    makeTestPage(page, pageLsn, 100, 200, 5); // newer than the old redo pointer: no image by b's cache
    w.xlog.createCheckPoint(CHECKPOINT_FORCE, hooks()); // redo pointer moves past the page LSN
    expect(bXlog.cachedRedoRecPtr).toBeLessThan(pageLsn);
    bIns.beginInsert();
    bIns.registerBuffer(0, buf, REGBUF_STANDARD);
    bIns.registerData(seqData(1, 0));
    bIns.insert(TEST_RMGR_ID, INFO);
    const start = bXlog.lastRecStart;
    bXlog.flush(bXlog.lastRecEnd);
    const reader = new XLogReader(w.dir, { segmentSize: SEG });
    reader.beginRead(start);
    expect(reader.readRecord()!.getBlock(0)!.hasImage).toBe(true);
  });
});
