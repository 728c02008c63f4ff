/*
 * WAL redo of the B-tree: a workload's WAL replayed from scratch must
 * rebuild exactly the pages it produced (masked as btree_mask masks them),
 * and crashes at random points must leave trees that pass the structure
 * check and hold exactly the entries whose WAL survived.
 */

import { describe, expect, it } from 'vitest';
import { CrashSimDirectory, Prng } from '@tabgres/opfs-storage';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import { describeRecord } from '../transam/rmgr.ts';
import { XLogReader } from '../transam/xlogreader.ts';
import { readControlFile } from '../../catalog/pg_control.ts';
import type { Tid } from '../common/itemptr.ts';
import type { IndexRelation } from './indexrel.ts';
import type { IndexValue } from './itup.ts';
import type { BtWal } from './nbtenv.ts';
import {
  btbeginscan,
  btbuild,
  btbuildempty,
  btbulkdelete,
  btIndexCheck,
  btinsert,
  btMaskPage,
  btvacuumcleanup,
  makeIndexRelation,
  type IndexKeyColumn,
} from './nbtree.ts';
import { btPageIncompleteSplit } from './nbtpageops.ts';
import { FakeHeap, intKey, startInstance, testIndex, textKey, TEST_SEGMENT_SIZE, type BtInstance } from './nbtree_testutil.ts';
import { XLOG_BTREE_NEWROOT, XLOG_BTREE_SPLIT_L, XLOG_BTREE_SPLIT_R } from './nbtxlog.ts';

/** Masked copies of every block of the index. */
function snapshot(inst: BtInstance, idx: IndexRelation): Uint8Array[] {
  const n = inst.bufmgr.nblocks(idx.locator, ForkNumber.MAIN);
  const pages: Uint8Array[] = [];
  for (let b = 0; b < n; b++) {
    const buf = inst.bufmgr.readBuffer(idx.locator, ForkNumber.MAIN, b);
    inst.bufmgr.lockBuffer(buf, 1);
    pages.push(btMaskPage(inst.bufmgr.getPage(buf)));
    inst.bufmgr.unlockReleaseBuffer(buf);
  }
  return pages;
}

function tids(inst: BtInstance, idx: IndexRelation): Tid[] {
  const s = btbeginscan(idx, inst.env, []);
  const out: Tid[] = [];
  while (s.next()) out.push(s.heapTid);
  s.end();
  return out;
}

/** Reopens an index relation (same file) in a restarted instance. */
function reopen(idx: IndexRelation, columns: IndexKeyColumn[]): IndexRelation {
  return makeIndexRelation({ oid: idx.oid, name: idx.name, locator: idx.locator, columns, unique: idx.unique, fillfactor: idx.fillfactor });
}

function countIncompleteSplits(inst: BtInstance, idx: IndexRelation): number {
  const n = inst.bufmgr.nblocks(idx.locator, ForkNumber.MAIN);
  let count = 0;
  for (let b = 1; b < n; b++) {
    const buf = inst.bufmgr.readBuffer(idx.locator, ForkNumber.MAIN, b);
    if (btPageIncompleteSplit(inst.bufmgr.getPage(buf))) count++;
    inst.bufmgr.releaseBuffer(buf);
  }
  return count;
}

describe('B-tree WAL redo', () => {
  it('replaying the WAL from scratch rebuilds every page of every kind of change', () => {
    const dir = new CrashSimDirectory();
    const inst = startInstance(dir, { nbuffers: 128 });
    const rng = new Prng(1);
    const colsA = [intKey('a')];
    const colsB = [textKey('t'), intKey('n', { desc: true })];
    const colsC = [intKey('k')];
    // A: random inserts (splits at every level, new roots), a unique check that kills dead entries.
    const a = testIndex(inst, colsA, { unique: true });
    btbuildempty(a, inst.env);
    const heap = new FakeHeap();
    for (let i = 0; i < 15_000; i++) {
      const k = rng.int(10_000_000);
      btinsert(a, inst.env, [k], null, heap.add([k]), heap, 'no');
    }
    // B: long text keys, DESC, NULLs.
    const b = testIndex(inst, colsB);
    btbuildempty(b, inst.env);
    for (let i = 0; i < 4000; i++) {
      const v: IndexValue[] = [rng.chance(0.05) ? null : 'w' + rng.int(500) + 'x'.repeat(rng.int(1500)), rng.chance(0.1) ? null : rng.int(100)];
      btinsert(b, inst.env, v, null, i + 1, null);
    }
    // C: built bottom-up (full-page images), then VACUUM deletes most of it (half-dead, unlink,
    // fast root moves), deleted pages are recycled by new inserts, LP_DEAD items are removed.
    const c = testIndex(inst, colsC);
    btbuild(c, inst.env, (cb) => {
      for (let i = 0; i < 30_000; i++) cb(i + 1, [i], true);
    });
    btbulkdelete(c, inst.env, (tid) => tid % 500 !== 0 && tid < 29_000);
    inst.xids.advance();
    btvacuumcleanup(c, inst.env, null);
    for (let i = 0; i < 8000; i++) btinsert(c, inst.env, [rng.int(30_000)], null, 100_000 + i, null);
    const s = btbeginscan(c, inst.env, [{ attno: 1, op: '<', arg: 15_000 }]);
    while (s.next()) if (rng.chance(0.5)) s.killPriorTuple();
    s.end();
    for (let i = 0; i < 8000; i++) btinsert(c, inst.env, [rng.int(15_000)], null, 200_000 + i, null);
    // D: everything but the last leaf goes, so whole levels empty out and the fast root moves down.
    const d = testIndex(inst, colsC);
    btbuild(d, inst.env, (cb) => {
      for (let i = 0; i < 20_000; i++) cb(i + 1, [i], true);
    });
    // Cleanup records how many deleted pages still wait for the horizon (META_CLEANUP).
    btvacuumcleanup(d, inst.env, btbulkdelete(d, inst.env, (tid) => tid <= 19_990));

    const all = [a, b, c, d];
    const before = all.map((idx) => snapshot(inst, idx));
    const beforeTids = all.map((idx) => tids(inst, idx));
    const beforeCount = all.map((idx) => btIndexCheck(idx, inst.env).leafTuples);
    inst.flushWal();

    // Which record kinds the workload wrote (so the test proves what it claims).
    const kinds = new Set<string>();
    const reader = new XLogReader(dir, { segmentSize: TEST_SEGMENT_SIZE, systemIdentifier: readControlFile(dir).systemIdentifier });
    reader.beginRead(readControlFile(dir).checkPoint);
    for (let r = reader.readRecord(); r !== null; r = reader.readRecord()) {
      const m = /rmgr: (\w+)\s.*desc: (\w+)/.exec(describeRecord(r));
      if (m !== null && m[1] === 'Btree') kinds.add(m[2]);
    }
    reader.close();
    for (const k of ['INSERT_LEAF', 'INSERT_UPPER', 'SPLIT_L', 'SPLIT_R', 'NEWROOT', 'VACUUM', 'DELETE', 'MARK_PAGE_HALFDEAD', 'UNLINK_PAGE', 'UNLINK_PAGE_META', 'META_CLEANUP']) {
      expect(kinds, k).toContain(k);
    }

    // No checkpoint ran, so the crash leaves empty relation files: recovery rebuilds everything.
    dir.crash({ seed: 1, mode: 'drop' });
    const inst2 = startInstance(dir, { nbuffers: 128 });
    expect(inst2.startup.recoveryPerformed).toBe(true);
    const after = [reopen(a, colsA), reopen(b, colsB), reopen(c, colsC), reopen(d, colsC)];
    for (let i = 0; i < after.length; i++) {
      const pages = snapshot(inst2, after[i]);
      expect(pages.length).toBe(before[i].length);
      for (let blk = 0; blk < pages.length; blk++) {
        // Byte loop first: expect().toEqual on 8 KB arrays is slow, so it only runs to report a difference.
        const x = pages[blk];
        const y = before[i][blk];
        let same = x.length === y.length;
        for (let j = 0; same && j < x.length; j++) same = x[j] === y[j];
        if (!same) expect(x, `index ${i} block ${blk}`).toEqual(y);
      }
      expect(btIndexCheck(after[i], inst2.env).leafTuples).toBe(beforeCount[i]);
      // LP_DEAD marks are hints, not WAL-logged: after recovery killed entries are back in scans.
      const got = tids(inst2, after[i]);
      if (i === 2) expect(got.length).toBeGreaterThan(beforeTids[i].length);
      else expect(got).toEqual(beforeTids[i]);
    }
  });

  it('recovers after crashes at random points, with checkpoints and torn pages', () => {
    const dir = new CrashSimDirectory();
    const rng = new Prng(77);
    const cols = [intKey('a'), textKey('b')];
    let inst = startInstance(dir, { nbuffers: 48 });
    let idx = testIndex(inst, cols, { relNumber: 30_000 });
    btbuildempty(idx, inst.env);
    inst.flushWal();
    /** Key -> whether it was inserted (all inserts use distinct TIDs). */
    const ops: { tid: Tid; values: IndexValue[]; start: number; end: number }[] = [];
    let nextTid = 1;
    for (let round = 0; round < 12; round++) {
      const n = rng.range(500, 4000);
      for (let i = 0; i < n; i++) {
        const start = inst.xlog.getInsertRecPtr();
        const values: IndexValue[] = [rng.int(5000), rng.chance(0.1) ? null : 'v'.repeat(rng.int(300)) + rng.int(100)];
        const tid = nextTid++;
        btinsert(idx, inst.env, values, null, tid, null);
        ops.push({ tid, values, start, end: inst.xlog.lastRecEnd });
        if (rng.chance(0.001)) inst.flushWal();
        if (rng.chance(0.0005)) inst.checkpoint();
      }
      const crashMode = rng.pick(['drop', 'prefix', 'tear', 'random'] as const);
      dir.crash({ seed: round + 1, mode: crashMode });
      inst = startInstance(dir, { nbuffers: 48 });
      idx = reopen(idx, cols);
      const endOfLog = inst.startup.endOfLog;
      btIndexCheck(idx, inst.env);
      const present = new Set(tids(inst, idx));
      for (const op of ops) {
        if (op.end <= endOfLog) expect(present.has(op.tid), `tid ${op.tid} (durable) in round ${round}`).toBe(true);
        else if (op.start >= endOfLog) expect(present.has(op.tid), `tid ${op.tid} (lost) in round ${round}`).toBe(false);
      }
      // Forget what was lost; what is left is the new truth.
      for (let i = ops.length - 1; i >= 0; i--) if (!present.has(ops[i].tid)) ops.splice(i, 1);
      for (const op of ops) {
        op.start = 0;
        op.end = 0;
      }
    }
    expect(ops.length).toBeGreaterThan(1000);
  });

  it('finishes a split whose downlink insertion a crash interrupted', () => {
    const dir = new CrashSimDirectory();
    const inst = startInstance(dir, { nbuffers: 256 });
    const idx = testIndex(inst, [intKey()], { relNumber: 31_000 });
    btbuildempty(idx, inst.env);
    for (let i = 0; i < 5000; i++) btinsert(idx, inst.env, [i * 2], null, i + 1, null);
    // The backend "dies" right after a split record, before the parent learns of the new page.
    const real = inst.env.wal;
    let lastWasSplit = false;
    let died = false;
    const dying: BtWal = {
      beginInsert: () => real.beginInsert(),
      registerData: (b, s, l) => real.registerData(b, s, l),
      registerBuffer: (id, buf, f) => real.registerBuffer(id, buf, f),
      registerBufData: (id, b, s, l) => real.registerBufData(id, b, s, l),
      logNewPage: (buf, std) => real.logNewPage(buf, std),
      insert: (rmid, info) => {
        if (lastWasSplit && rmid === 11) {
          died = true;
          throw new Error('backend died');
        }
        lastWasSplit = rmid === 11 && (info === XLOG_BTREE_SPLIT_L || info === XLOG_BTREE_SPLIT_R);
        return real.insert(rmid, info);
      },
    };
    const env = { ...inst.env, wal: dying };
    let k = 1;
    while (!died) {
      try {
        btinsert(idx, env, [k], null, 100_000 + k, null);
      } catch (e) {
        if (!died) throw e;
      }
      k += 2;
    }
    inst.flushWal();
    dir.crash({ seed: 3, mode: 'drop' });
    const inst2 = startInstance(dir, { nbuffers: 256 });
    const idx2 = reopen(idx, [intKey()]);
    expect(countIncompleteSplits(inst2, idx2)).toBe(1);
    // The tree is still valid and complete for searches.
    btIndexCheck(idx2, inst2.env);
    expect(tids(inst2, idx2)).toHaveLength(5000 + (k - 1) / 2);
    // The next insert that passes the page finishes the split.
    for (let i = 0; i < 2000; i++) btinsert(idx2, inst2.env, [i * 5 + 1], null, 500_000 + i, null);
    expect(countIncompleteSplits(inst2, idx2)).toBe(0);
    btIndexCheck(idx2, inst2.env);
  });

  it('finishes an interrupted root split by making the new root later', () => {
    const dir = new CrashSimDirectory();
    const inst = startInstance(dir);
    const idx = testIndex(inst, [intKey()], { relNumber: 32_000 });
    btbuildempty(idx, inst.env);
    const real = inst.env.wal;
    let died = false;
    const dying: BtWal = {
      ...real,
      beginInsert: () => real.beginInsert(),
      registerData: (b, s, l) => real.registerData(b, s, l),
      registerBuffer: (id, buf, f) => real.registerBuffer(id, buf, f),
      registerBufData: (id, b, s, l) => real.registerBufData(id, b, s, l),
      logNewPage: (buf, std) => real.logNewPage(buf, std),
      insert: (rmid, info) => {
        if (rmid === 11 && info === XLOG_BTREE_NEWROOT && inst.bufmgr.nblocks(idx.locator, ForkNumber.MAIN) > 2) {
          died = true;
          throw new Error('backend died');
        }
        return real.insert(rmid, info);
      },
    };
    const env = { ...inst.env, wal: dying };
    let i = 0;
    while (!died) {
      try {
        btinsert(idx, env, [i], null, i + 1, null);
      } catch (e) {
        if (!died) throw e;
      }
      i++;
    }
    inst.flushWal();
    dir.crash({ seed: 4, mode: 'drop' });
    const inst2 = startInstance(dir);
    const idx2 = reopen(idx, [intKey()]);
    btIndexCheck(idx2, inst2.env);
    expect(tids(inst2, idx2)).toHaveLength(i);
    for (let j = 0; j < 100; j++) btinsert(idx2, inst2.env, [-j], null, 10_000 + j, null);
    expect(countIncompleteSplits(inst2, idx2)).toBe(0);
    expect(btIndexCheck(idx2, inst2.env).levels).toBe(2);
  });
});
