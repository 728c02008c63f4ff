/*
 * Speculative insertion (README.md "Speculative insertion"): a tuple
 * inserted with a token carries it in t_ctid, another backend's dirty check
 * reports the token (so it waits on the insertion, not the transaction),
 * heap_finish_speculative gives the tuple its own TID back, and
 * heap_abort_speculative ("super-delete") makes it invisible to everyone at
 * once: xmin 0, its TOAST chunks too. After a crash, redo of XLOG_HEAP_CONFIRM and of the
 * super-delete flag leaves the same picture: the super-deleted tuple stays
 * invisible and is no conflict for the unique index. Two engines share one
 * shared memory in one thread, so nothing here may sleep.
 */
import { describe, expect, it } from 'vitest';
import { CrashSimDirectory, MemoryDirectory } from '@tabgres/opfs-storage';
import { StorageEngine } from '../../engine.ts';
import { PgError } from '../../utils/errors.ts';
import { int4Type, textType } from '../common/testtypes.ts';
import { makeTid, tidBlock, tidOffset } from '../common/itemptr.ts';
import { SPEC_TOKEN_OFFSET_NUMBER } from '../common/htup_details.ts';
import { speculativeInsertionLockAcquire, speculativeInsertionLockRelease } from '../../storage/lmgr/lmgr.ts';
import { LockAcquireResult } from '../../storage/lmgr/lock.ts';
import { LockMode } from '../../storage/lmgr/lockdefs.ts';
import { HeapUniqueCheck } from './heapam_handler.ts';

const cols = [{ name: 'id', type: int4Type }, { name: 'v', type: int4Type }];

function uniqueOnId(engine: StorageEngine, rel: ReturnType<StorageEngine['createRelation']>) {
  return engine.createIndex(rel, 't_id', { columns: [{ name: 'id', type: int4Type, heapAttnum: 1 }], unique: true });
}

function code(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof PgError) return `${e.code} ${e.message}`;
    throw e;
  }
}

describe('speculative insertion in the heap', () => {
  it('the token is in t_ctid; another backend sees it, and cannot take the token lock until the insertion is settled', () => {
    const a = StorageEngine.open({ dir: new MemoryDirectory(), sharedBuffers: 64 });
    const rel = a.createRelation('t', cols);
    const b = StorageEngine.attach({ dir: a.dir, shmem: a.shmem, pid: 2 });
    const relB = b.openRelation({ oid: rel.oid, name: rel.name, desc: rel.desc });
    const checkB = new HeapUniqueCheck(b.heap, b.vis, relB);
    const tokenFree = (xid: number, token: number): boolean => {
      const tag = b.lockManager.tagScratch.setSpeculativeInsertion(xid, token);
      if (b.lockManager.lockAcquire(tag, LockMode.Share, false, true) === LockAcquireResult.NotAvail) return false;
      b.lockManager.lockRelease(b.lockManager.tagScratch.setSpeculativeInsertion(xid, token), LockMode.Share);
      return true;
    };

    a.begin();
    const xid = a.xact.getCurrentTransactionId();
    const cid = a.xact.getCurrentCommandId(true);
    // Lost race: inserted with a token, then super-deleted.
    const t1 = speculativeInsertionLockAcquire(a.lockManager, xid);
    const lost = a.heap.insert(rel, [1, 10], cid, t1);
    const h = a.heap.tupleHeader(rel, lost)!;
    expect(tidOffset(h.ctid)).toBe(SPEC_TOKEN_OFFSET_NUMBER);
    expect(tidBlock(h.ctid)).toBe(t1);
    expect(checkB.fetchDirty(lost)).toEqual({ found: true, xwait: xid, speculativeToken: t1, allDead: false });
    expect(tokenFree(xid, t1)).toBe(false);
    a.heap.abortSpeculative(rel, lost);
    expect(a.heap.tupleHeader(rel, lost)).toMatchObject({ xmin: 0, ctid: lost });
    // Gone for the other backend at once, though the inserting transaction still runs.
    expect(checkB.fetchDirty(lost)).toMatchObject({ found: false });
    speculativeInsertionLockRelease(a.lockManager, xid, t1);
    expect(tokenFree(xid, t1)).toBe(true);

    // Won: confirmed, then an ordinary insert in progress (waited for through the transaction).
    const t2 = speculativeInsertionLockAcquire(a.lockManager, xid);
    expect(t2).not.toBe(t1);
    const won = a.heap.insert(rel, [1, 20], cid, t2);
    expect(checkB.fetchDirty(won)).toEqual({ found: true, xwait: xid, speculativeToken: t2, allDead: false });
    a.heap.finishSpeculative(rel, won);
    speculativeInsertionLockRelease(a.lockManager, xid, t2);
    expect(a.heap.tupleHeader(rel, won)).toMatchObject({ xmin: xid, ctid: won });
    expect(checkB.fetchDirty(won)).toEqual({ found: true, xwait: xid, speculativeToken: 0, allDead: false });
    // Only a speculative tuple of mine can be finished or killed.
    expect(code(() => a.heap.finishSpeculative(rel, won))).toMatch(/is not a speculative insertion/);
    expect(code(() => a.heap.abortSpeculative(rel, won))).toMatch(/attempted to kill a non-speculative tuple/);
    a.commit();
    expect(a.scan(rel).map((r) => r.values)).toEqual([[1, 20]]);
    expect(b.scan(relB).map((r) => r.values)).toEqual([[1, 20]]);
    b.close();
    a.close();
  });

  it('a super-deleted row takes its TOAST chunks along', () => {
    const engine = StorageEngine.open({ dir: new MemoryDirectory(), sharedBuffers: 64 });
    const rel = engine.createRelation('big', [{ name: 'id', type: int4Type }, { name: 'body', type: textType }]);
    const index = uniqueOnId(engine, rel);
    const toast = rel.toast!;
    // Incompressible text well past the TOAST threshold: stored out of line in several chunks.
    let body = '';
    for (let i = 0; body.length < 12_000; i++) body += ((i * 7919) % 100_003).toString(36);
    engine.insert(rel, [1, 'small']);
    engine.begin();
    expect(engine.insertSpeculative(rel, [1, body], new Set([index.oid]))).toBe(null);
    const chunks = engine.scan(toast);
    expect(chunks).toEqual([]); // invisible at once, to my own transaction too
    let dead = 0;
    for (let off = 1; off <= 20; off++) if (engine.heap.tupleHeader(toast, makeTid(0, off))?.xmin === 0) dead++;
    expect(dead).toBeGreaterThan(3);
    const won = engine.insertSpeculative(rel, [2, body], new Set([index.oid]));
    expect(won).not.toBe(null);
    engine.commit();
    expect(engine.fetch(rel, won!)).toEqual([2, body]);
    expect(engine.scan(rel).map((r) => r.values[0])).toEqual([1, 2]);
    engine.close();
  });

  it('insertSpeculative: an arbiter that sees the key super-deletes the new tuple; redo after a crash keeps it invisible', () => {
    const dir = new CrashSimDirectory();
    let engine = StorageEngine.open({ dir, sharedBuffers: 64 });
    let rel = engine.createRelation('t', cols);
    const index = uniqueOnId(engine, rel);
    engine.insert(rel, [1, 10]);
    engine.checkpoint();

    engine.begin();
    const arbiters = new Set([index.oid]);
    // Key 1 exists: the insertion is undone (super-deleted) and reported as a conflict.
    expect(engine.insertSpeculative(rel, [1, 11], arbiters)).toBe(null);
    const lost = makeTid(0, 2);
    expect(engine.heap.tupleHeader(rel, lost)).toMatchObject({ xmin: 0, ctid: lost });
    // Key 2 does not: confirmed, t_ctid is its own TID.
    const won = engine.insertSpeculative(rel, [2, 20], arbiters)!;
    expect(engine.heap.tupleHeader(rel, won)?.ctid).toBe(won);
    engine.commit();
    // A unique index that is not an arbiter still raises 23505 (here: no arbiter named).
    expect(code(() => engine.insertSpeculative(rel, [2, 21], new Set()))).toBe('23505 duplicate key value violates unique constraint "t_id"');
    const xid = engine.heap.tupleHeader(rel, won)!.xmin;

    dir.crash({ seed: 7, mode: 'drop' });
    engine.abandon();
    engine = StorageEngine.open({ dir, sharedBuffers: 64 });
    expect(engine.startup.recoveryPerformed).toBe(true);
    rel = engine.openRelation({ oid: rel.oid, name: rel.name, desc: rel.desc });
    // Replayed: the super-delete (XLOG_HEAP_DELETE + XLH_DELETE_IS_SUPER) and the confirmation (XLOG_HEAP_CONFIRM).
    expect(engine.heap.tupleHeader(rel, lost)).toMatchObject({ xmin: 0, ctid: lost });
    expect(engine.heap.tupleHeader(rel, won)).toMatchObject({ xmin: xid, ctid: won });
    expect(engine.scan(rel).map((r) => r.values)).toEqual([[1, 10], [2, 20]]);
    const idx = engine.openIndex(rel, { oid: index.oid, name: index.name, columns: [{ name: 'id', type: int4Type, heapAttnum: 1 }], unique: true });
    expect(engine.checkIndex(idx).leafTuples).toBe(3); // (1), the super-deleted (1), (2); the 23505 insert made no entry
    // The super-deleted entry is no conflict; the live ones are.
    expect(code(() => engine.insert(rel, [1, 12]))).toBe('23505 duplicate key value violates unique constraint "t_id"');
    expect(code(() => engine.insert(rel, [3, 30]))).toBe('ok');
    // VACUUM removes the super-deleted tuple like any dead one.
    engine.vacuum(rel);
    expect(engine.heap.tupleHeader(rel, lost)).toBe(null);
    engine.close();
  });
});
