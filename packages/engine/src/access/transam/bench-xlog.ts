/*
 * bench-xlog.ts — micro-benchmark of WAL insertion and WAL write+flush.
 *
 *   npx tsx packages/engine/src/access/transam/bench-xlog.ts [records]
 *
 * 1. ns per XLogInsert of a small record with one registered buffer and no
 *    image, the shape of a heap insert: 64-byte records (15 bytes of block
 *    data + 3 bytes of main data, the rest headers) and 112-byte records
 *    (a 60-byte tuple), into the default 4 MB of WAL buffers. The ring's
 *    write-outs go to a directory that discards them, so this is the CPU
 *    cost of insertion alone; a second line writes them to a
 *    MemoryDirectory. Times are CPU time (process.cpuUsage), best of 5 runs,
 *    next to a reference loop so numbers from a busy machine can be judged.
 * 2. MB/s of WAL written and flushed to a NodeDirectory in a temporary folder:
 *    a bulk stream flushed every 1 MB, and one flush per 64-byte "commit"
 *    (fsyncs per second).
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryDirectory, NodeDirectory, type StorageDirectory, type SyncFile } from '@tabgres/opfs-storage';
import { pageSetLSN } from '../../storage/page/bufpage.ts';
import { bootstrapXLog } from './xlog.ts';
import { FakeBuffers, makeTestPage, startWal, TEST_RMGR_ID } from './xlog_testutil.ts';
import { REGBUF_STANDARD } from './xloginsert.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const SEG = 16 * 1024 * 1024;

/** pg_wal/ writes vanish after bootstrap: insertion measured without file I/O. */
class DiscardingDirectory implements StorageDirectory {
  readonly kind = 'memory';
  private readonly inner = new MemoryDirectory();
  discard = false;
  open(p: string, o?: { create?: boolean }): SyncFile {
    const f = this.inner.open(p, o);
    if (!this.discard || !p.startsWith('pg_wal/')) return f;
    return { read: (b, x) => f.read(b, x), write: (b) => b.byteLength, truncate: () => {}, getSize: () => f.getSize(), flush: () => {}, close: () => f.close() };
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

/** ns per iteration of a 64-byte typed-array copy loop: how fast this machine is right now. */
function referenceLoop(): number {
  const a = new Uint8Array(1 << 16);
  const b = new Uint8Array(64).fill(3);
  let p = 0;
  const n = 2_000_000;
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 64; j++) a[p + j] = b[j];
    p = (p + 64) & 0xffff;
  }
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1000) / n;
}

function setup(dir: StorageDirectory): ReturnType<typeof startWal> {
  bootstrapXLog(dir, { segmentSize: SEG });
  return startWal(dir, { walBuffers: 512 });
}

function insertLoop(w: ReturnType<typeof startWal>, n: number, tupleLen: number): { ns: number; bytes: number } {
  const rel = { spcOid: 1663, dbOid: 5, relNumber: 16384 };
  const buf = w.buffers.buffer(rel, 0, 0);
  const page = w.buffers.getPage(buf);
  makeTestPage(page, 2 ** 40, 200, 8000, 1);
  const tuple = new Uint8Array(tupleLen).fill(0x42);
  const xlrec = new Uint8Array(3);
  const ins = w.ins;
  ins.setTopXid(745);
  const start = w.xlog.getInsertRecPtr();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    ins.beginInsert();
    ins.registerData(xlrec, 0, 3);
    ins.registerBuffer(0, buf, REGBUF_STANDARD);
    ins.registerBufData(0, tuple, 0, tupleLen);
    const lsn = ins.insert(TEST_RMGR_ID, 0x10);
    pageSetLSN(page, lsn);
  }
  const c = process.cpuUsage(c0);
  return { ns: ((c.user + c.system) * 1000) / n, bytes: w.xlog.getInsertRecPtr() - start };
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tabgres-bench-xlog-'));
}

function main(): void {
  console.log(`WAL insert benchmark: ${N} records, wal_buffers 4 MB, segment 16 MB, Node ${process.version}`);
  for (const [label, tupleLen] of [
    ['64-byte record (15 B block data + 3 B main data)', 15],
    ['112-byte record (60 B tuple + 3 B main data)', 60],
  ] as const) {
    for (const [where, make] of [
      ['no file I/O', (): StorageDirectory => new DiscardingDirectory()],
      ['ring written to MemoryDirectory', (): StorageDirectory => new MemoryDirectory()],
    ] as const) {
      let best = Infinity;
      let perRec = 0;
      for (let run = 0; run < 5; run++) {
        const dir = make();
        const w = setup(dir);
        if (dir instanceof DiscardingDirectory) dir.discard = true;
        const r = insertLoop(w, N, tupleLen);
        best = Math.min(best, r.ns);
        perRec = r.bytes / N;
      }
      console.log(
        `  XLogInsert, ${label}, ${where}: ${best.toFixed(0)} ns/record, ${(1e3 / best).toFixed(2)} M records/s, ` +
          `${perRec.toFixed(0)} WAL bytes/record`,
      );
    }
  }
  console.log(`  reference: a 64-byte Uint8Array copy loop takes ${referenceLoop().toFixed(0)} ns on this machine now`);

  // Bulk: insert + write + flush every 1 MB to real files.
  {
    const root = tmpDir();
    try {
      const dir = new NodeDirectory(root);
      const w = setup(dir);
      const rel = { spcOid: 1663, dbOid: 5, relNumber: 16384 };
      const bufs: FakeBuffers = w.buffers;
      const buf = bufs.buffer(rel, 0, 0);
      makeTestPage(bufs.getPage(buf), 2 ** 40, 200, 8000, 1);
      const payload = new Uint8Array(1000).fill(7);
      const total = 256 * 1024 * 1024;
      const start = w.xlog.getInsertRecPtr();
      let nextFlush = start + 1024 * 1024;
      const t0 = process.hrtime.bigint();
      while (w.xlog.getInsertRecPtr() - start < total) {
        w.ins.beginInsert();
        w.ins.registerBuffer(0, buf, REGBUF_STANDARD);
        w.ins.registerBufData(0, payload);
        const lsn = w.ins.insert(TEST_RMGR_ID, 0x10);
        if (lsn >= nextFlush) {
          w.xlog.flush(lsn);
          nextFlush = lsn + 1024 * 1024;
        }
      }
      w.xlog.flush(w.xlog.getInsertRecPtr());
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      const mb = (w.xlog.getFlushRecPtr() - start) / 1024 / 1024;
      const s = w.xlog.stats();
      console.log(
        `  WAL write+flush to NodeDirectory, 1 KB records, flush every 1 MB: ${(mb / secs).toFixed(0)} MB/s ` +
          `(${mb.toFixed(0)} MB in ${secs.toFixed(2)} s, ${s.writes} writes, ${s.syncs} fsyncs)`,
      );
      w.xlog.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }

  // Commit-like: one small record, then flush it.
  {
    const root = tmpDir();
    try {
      const dir = new NodeDirectory(root);
      const w = setup(dir);
      const xlrec = new Uint8Array(40);
      const n = 2000;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        w.ins.beginInsert();
        w.ins.registerData(xlrec);
        w.xlog.flush(w.ins.insert(TEST_RMGR_ID, 0x10));
      }
      const us = Number(process.hrtime.bigint() - t0) / 1e3 / n;
      console.log(`  insert + XLogFlush per 64-byte record ("commit"), NodeDirectory: ${us.toFixed(0)} us each, ${(1e6 / us).toFixed(0)} flushes/s`);
      w.xlog.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
}

main();
