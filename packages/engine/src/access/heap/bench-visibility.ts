/*
 * bench-visibility.ts — micro-benchmarks of the hot paths of the
 * transaction system: HeapTupleSatisfiesMVCC on hinted tuples (every tuple
 * of a sequential scan) and GetSnapshotData (every statement).
 *
 * Run: npx tsx packages/engine/src/access/heap/bench-visibility.ts
 *
 * Prints nanoseconds per call. The tuples sit in a SharedArrayBuffer-backed
 * page, as in the buffer pool; the snapshot has other backends running.
 */

import { MemoryDirectory } from '@tabgres/opfs-storage';
import { BLCKSZ } from '../../constants.ts';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { SnapshotData } from '../../utils/time/snapmgr.ts';
import { HEAP_XMAX_INVALID, HEAP_XMIN_COMMITTED, htupSetCid, htupSetInfomask, htupSetXmax, htupSetXmin } from '../common/htup_details.ts';
import type { TransamWal } from '../transam/transam.ts';
import { attachTransam, bootstrapTransam, transamShmemInit, transamShmemSize, type TransamBackend } from '../transam/xact.ts';
import { HeapVisibility } from './heapam_visibility.ts';

const wal: TransamWal = {
  insertRecord: () => 1000,
  flush: () => {},
  needsFlush: () => false,
  setAsyncXactLsn: () => {},
  logNextOid: () => {},
};

function main(): void {
  const sizer = new ShmemSizer();
  transamShmemSize(sizer);
  sizer.add(BLCKSZ);
  const shmem = Shmem.create(sizer.size);
  transamShmemInit(shmem);
  const pageRegion = shmem.initStruct('bench page', BLCKSZ);
  const dir = new MemoryDirectory();
  const backends: TransamBackend[] = [];
  for (let i = 0; i < 9; i++) {
    backends.push(attachTransam({ shmem, lw: new LWLockOwner(shmem.i32), dir, wal, pid: 100 + i, databaseOid: 5 }));
  }
  bootstrapTransam(backends[0], 1000);
  const me = backends[0];
  // Some committed history, then eight backends with a running transaction each.
  for (let i = 0; i < 100; i++) {
    me.xact.startTransactionCommand();
    me.xact.getCurrentTransactionId();
    me.xact.commitTransactionCommand();
  }
  for (const b of backends.slice(1)) {
    b.xact.begin();
    b.xact.startTransactionCommand();
    b.xact.getCurrentTransactionId();
    b.xact.commitTransactionCommand();
  }
  // One more commit, so the eight running XIDs are below xmax and listed in the snapshot.
  me.xact.startTransactionCommand();
  me.xact.getCurrentTransactionId();
  me.xact.commitTransactionCommand();

  // A page of 200 old, committed, undeleted tuples of 40 bytes.
  const page = new Uint8Array(shmem.sab, pageRegion.offset, BLCKSZ);
  const offsets: number[] = [];
  for (let i = 0; i < 200; i++) {
    const off = 24 + i * 40;
    htupSetXmin(page, off, 1000 + (i % 50));
    htupSetXmax(page, off, 0);
    htupSetCid(page, off, 0);
    htupSetInfomask(page, off, HEAP_XMIN_COMMITTED | HEAP_XMAX_INVALID);
    offsets.push(off);
  }
  const offs = Int32Array.from(offsets);

  const vis = new HeapVisibility({
    xact: me.xact,
    status: me.status,
    procArray: me.procArray,
    subtrans: me.subtrans,
    combo: me.xact.combo,
    snapmgr: me.xact.snapmgr,
    needsFlush: () => false,
    markBufferDirtyHint: () => {},
  });
  me.xact.startTransactionCommand();
  const snap = me.xact.snapmgr.getTransactionSnapshot();
  console.log(`snapshot: xmin ${snap.xmin} xmax ${snap.xmax} xcnt ${snap.xcnt}`);

  // As a sequential scan calls it: every tuple of a page, page after page (20 million calls a round).
  const pages = 100_000;
  const rounds: number[] = [];
  let visible = 0;
  for (let round = 0; round < 7; round++) {
    const t0 = performance.now();
    visible = 0;
    for (let pg = 0; pg < pages; pg++) {
      for (let k = 0; k < 200; k++) if (vis.satisfiesMVCC(page, offs[k], snap, 1)) visible++;
    }
    rounds.push(((performance.now() - t0) * 1e6) / (pages * 200));
  }
  rounds.sort((x, y) => x - y);
  console.log(
    `HeapTupleSatisfiesMVCC, hinted tuple: median ${rounds[3].toFixed(2)} ns/call, best ${rounds[0].toFixed(2)}, worst ${rounds[6].toFixed(2)} ` +
      `(7 rounds of ${pages * 200} calls; ${visible} visible in the last)`,
  );

  // A tuple whose xmin is inside the snapshot's range (not below xmin): the slow path with the xip search.
  const recent = new Uint8Array(BLCKSZ);
  htupSetXmin(recent, 24, snap.xmax - 1);
  htupSetInfomask(recent, 24, HEAP_XMIN_COMMITTED | HEAP_XMAX_INVALID);
  const slowCalls = 5_000_000;
  let t0 = performance.now();
  for (let i = 0; i < slowCalls; i++) vis.satisfiesMVCC(recent, 24, snap, 0);
  console.log(`HeapTupleSatisfiesMVCC, hinted xmin between xmin and xmax: ${(((performance.now() - t0) * 1e6) / slowCalls).toFixed(2)} ns/call`);
  me.xact.commitTransactionCommand();

  // GetSnapshotData with 8 running transactions: recomputed (a transaction ended since) and reused.
  const s = new SnapshotData();
  const snaps = 1_000_000;
  t0 = performance.now();
  for (let i = 0; i < snaps; i++) {
    s.snapXactCompletionCount = 0; // force the full computation
    me.procArray.getSnapshotData(s, me.procno);
  }
  console.log(`GetSnapshotData (8 running xacts, computed): ${(((performance.now() - t0) * 1e6) / snaps).toFixed(1)} ns/call`);
  t0 = performance.now();
  for (let i = 0; i < snaps; i++) me.procArray.getSnapshotData(s, me.procno);
  console.log(`GetSnapshotData (reused, nothing ended): ${(((performance.now() - t0) * 1e6) / snaps).toFixed(1)} ns/call`);
  me.procArray.setXmin(me.procno, 0);

  // A whole read-only transaction: start, snapshot, commit.
  const xacts = 200_000;
  t0 = performance.now();
  for (let i = 0; i < xacts; i++) {
    me.xact.startTransactionCommand();
    me.xact.snapmgr.getTransactionSnapshot();
    me.xact.commitTransactionCommand();
  }
  console.log(`read-only transaction (start, snapshot, commit): ${(((performance.now() - t0) * 1e6) / xacts).toFixed(0)} ns`);
}

main();
