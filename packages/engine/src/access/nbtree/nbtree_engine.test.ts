/*
 * The B-tree inside the assembled storage engine: a real heap, real
 * transactions and visibility, the engine's WAL and crash recovery. The
 * adapter below is what the table access method will provide to unique
 * checks (table_index_fetch_tuple_check with SnapshotDirty); after every
 * simulated crash the index must agree with its heap.
 */

import { describe, expect, it } from 'vitest';
import { CrashSimDirectory, Prng } from '@tabgres/opfs-storage';
import { StorageEngine } from '../../engine.ts';
import { BUFFER_LOCK_SHARE } from '../../storage/buffer/buf_internals.ts';
import { itemIdGet, itemIdGetFlags, itemIdGetOffset, LP_NORMAL, LP_DEAD, LP_UNUSED, pageGetMaxOffsetNumber } from '../../storage/page/bufpage.ts';
import { ForkNumber, type RelFileLocator } from '../../storage/relfilelocator.ts';
import { PgError } from '../../utils/errors.ts';
import { initDirtySnapshot } from '../../utils/time/snapmgr.ts';
import { int4Type, textType } from '../common/testtypes.ts';
import { tidBlock, tidOffset, type Tid } from '../common/itemptr.ts';
import { HTSV_Result } from '../heap/heapam_visibility.ts';
import type { Relation } from '../heap/relation.ts';
import { transactionIdPrecedes } from '../transam/transam.ts';
import {
  btbuild,
  btbuildempty,
  btIndexCheck,
  btinsert,
  LocalVacuumCycles,
  makeIndexRelation,
  type BtEnv,
  type IndexRelation,
  type UniqueCheckHeap,
} from './nbtree.ts';
import type { IndexBuildScan } from './nbtsort.ts';

function indexEnv(engine: StorageEngine, cycles = new LocalVacuumCycles()): BtEnv {
  return {
    bufmgr: engine.bufmgr,
    wal: engine.xlogInsert,
    fsm: engine.fsm,
    xids: {
      readNextFullXid: () => engine.transam.varsup.readNextFullTransactionId(),
      isRemovableFullXid: (fxid) => transactionIdPrecedes(fxid % 4294967296, engine.vis.oldestXmin()),
    },
    cycles,
  };
}

/** table_index_fetch_tuple_check(SnapshotDirty) on the engine's heap (no HOT chains: the test does no updates). */
function uniqueHeap(engine: StorageEngine, rel: Relation): UniqueCheckHeap {
  return {
    rel,
    fetchDirty(tid: Tid) {
      const bm = engine.bufmgr;
      if (tidBlock(tid) >= bm.nblocks(rel.locator, ForkNumber.MAIN)) return { found: false, xwait: 0, speculativeToken: 0, allDead: true };
      const buf = bm.readBuffer(rel.locator, ForkNumber.MAIN, tidBlock(tid));
      bm.lockBuffer(buf, BUFFER_LOCK_SHARE);
      try {
        const page = bm.getPage(buf);
        const off = tidOffset(tid);
        if (off > pageGetMaxOffsetNumber(page)) return { found: false, xwait: 0, speculativeToken: 0, allDead: true };
        const lp = itemIdGet(page, off);
        const flags = itemIdGetFlags(lp);
        if (flags !== LP_NORMAL) return { found: false, xwait: 0, speculativeToken: 0, allDead: flags === LP_DEAD || flags === LP_UNUSED };
        const at = itemIdGetOffset(lp);
        const snap = initDirtySnapshot();
        if (engine.vis.satisfiesDirty(page, at, snap, buf)) return { found: true, xwait: snap.xmin !== 0 ? snap.xmin : snap.xmax, speculativeToken: snap.speculativeToken, allDead: false };
        return { found: false, xwait: 0, speculativeToken: 0, allDead: engine.vis.satisfiesVacuum(page, at, engine.vis.oldestXmin(), buf) === HTSV_Result.HEAPTUPLE_DEAD };
      } finally {
        bm.unlockReleaseBuffer(buf);
      }
    },
    waitForXact(xid: number) {
      throw new PgError('55P03', `could not wait for transaction ${xid}: worker backends do not exist yet`);
    },
  };
}

const INDEX_LOCATOR: RelFileLocator = { spcOid: 1663, dbOid: 5, relNumber: 90_001 };
const columns = [{ name: 'id', type: int4Type }];

function openIndex(engine: StorageEngine, create: boolean): IndexRelation {
  if (create) engine.smgr.create(INDEX_LOCATOR, ForkNumber.MAIN, false);
  return makeIndexRelation({ oid: 90_001, name: 't_pkey', locator: INDEX_LOCATOR, columns, unique: true });
}

/** The heap's committed rows as the index must hold them. */
function heapRows(engine: StorageEngine, rel: Relation): IndexBuildScan {
  return (cb) => {
    engine.scanEach(rel, (values, tid) => cb(tid, [values[0] as number], true));
  };
}

describe('B-tree in the storage engine', () => {
  it('unique checks see the real heap: committed, aborted and deleted rows', () => {
    const engine = StorageEngine.open({ sharedBuffers: 256 });
    const rel = engine.createRelation('t', [{ name: 'id', type: int4Type }, { name: 'v', type: textType }]);
    const idx = openIndex(engine, true);
    const env = indexEnv(engine);
    btbuildempty(idx, env);
    const heap = uniqueHeap(engine, rel);
    const insert = (id: number): Tid => {
      const tid = engine.insert(rel, [id, 'row ' + id]);
      btinsert(idx, env, [id], null, tid, heap);
      return tid;
    };
    engine.begin();
    for (let i = 0; i < 500; i++) insert(i);
    engine.commit();

    // A committed duplicate.
    engine.begin();
    let err: unknown = null;
    try {
      insert(42);
    } catch (e) {
      err = e;
    }
    engine.rollback();
    expect(err).toBeInstanceOf(PgError);
    expect((err as PgError).message).toBe('duplicate key value violates unique constraint "t_pkey"');
    expect((err as PgError).detail).toBe('Key (id)=(42) already exists.');

    // The duplicate's heap row was rolled back: its index entry points at a dead row, no conflict.
    engine.begin();
    insert(600);
    engine.rollback();
    engine.begin();
    insert(600);
    engine.commit();

    // Deleted and committed: the key is free again.
    const tid7 = engine.scan(rel).find((r) => r.values[0] === 7)!.tid;
    engine.delete(rel, tid7);
    engine.begin();
    insert(7);
    engine.commit();

    // Duplicates within one transaction.
    engine.begin();
    insert(1000);
    expect(() => insert(1000)).toThrow('duplicate key value violates unique constraint "t_pkey"');
    engine.rollback();

    btIndexCheck(idx, env, { heapAllIndexed: heapRows(engine, rel) });
    engine.close();
  });

  it('builds from the heap and agrees with it after every crash', () => {
    const dir = new CrashSimDirectory();
    const rng = new Prng(2024);
    let engine = StorageEngine.open({ dir, sharedBuffers: 64, walSegmentSize: 1024 * 1024 });
    let rel = engine.createRelation('t', [{ name: 'id', type: int4Type }, { name: 'v', type: textType }]);
    engine.begin();
    for (let i = 0; i < 3000; i++) engine.insert(rel, [i, 'x'.repeat(i % 200)]);
    engine.commit();
    let idx = openIndex(engine, true);
    let env = indexEnv(engine);
    btbuild(idx, env, heapRows(engine, rel), rel);
    engine.checkpoint();
    let nextId = 3000;
    for (let round = 0; round < 40; round++) {
      const heap = uniqueHeap(engine, rel);
      const ntx = rng.range(1, 6);
      for (let t = 0; t < ntx; t++) {
        engine.begin();
        const n = rng.range(1, 400);
        let failed = false;
        for (let i = 0; i < n; i++) {
          const id = rng.chance(0.02) ? rng.int(nextId) : nextId++;
          const tid = engine.insert(rel, [id, 'y'.repeat(rng.int(100))]);
          try {
            btinsert(idx, env, [id], null, tid, heap);
          } catch (e) {
            if (!(e instanceof PgError) || e.code !== '23505') throw e;
            failed = true; // the statement failed, so its transaction must not commit
            break;
          }
        }
        if (!failed && rng.chance(0.75)) engine.commit();
        else engine.rollback();
        if (rng.chance(0.2)) engine.checkpoint();
      }
      // A crash: unflushed writes are dropped, kept in part, or torn.
      dir.crash({ seed: round + 1, mode: rng.pick(['drop', 'prefix', 'tear', 'random'] as const) });
      engine.abandon();
      engine = StorageEngine.open({ dir, sharedBuffers: 64, walSegmentSize: 1024 * 1024 });
      expect(engine.startup.recoveryPerformed).toBe(true);
      rel = engine.openRelation({ oid: rel.oid, name: rel.name, desc: rel.desc });
      idx = openIndex(engine, false);
      env = indexEnv(engine);
      const check = btIndexCheck(idx, env, { heapAllIndexed: heapRows(engine, rel) });
      expect(check.heapTuplesChecked).toBeGreaterThanOrEqual(3000);
    }
    engine.close();
  });
});
