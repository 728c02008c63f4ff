import { describe, expect, it } from 'vitest';
import { CrashSimDirectory, MemoryDirectory } from '@tabgres/opfs-storage';
import { BLCKSZ } from '../../constants.ts';
import { Shmem, ShmemSizer } from '../ipc/shmem.ts';
import { LWLockOwner } from '../lmgr/lwlock.ts';
import { pageGetLSN, pageInit, pageSetLSN } from '../page/bufpage.ts';
import { ForkNumber, type RelFileLocator } from '../relfilelocator.ts';
import { Smgr } from '../smgr/smgr.ts';
import { BUFFER_LOCK_EXCLUSIVE, BUFFER_LOCK_SHARE, BUFFER_LOCK_UNLOCK, ReadBufferMode } from './buf_internals.ts';
import { BufferManager, bufMgrShmemSize } from './bufmgr.ts';
import type { StorageDirectory } from '@tabgres/opfs-storage';

const rel: RelFileLocator = { spcOid: 1663, dbOid: 5, relNumber: 16384 };

function setup(nbuffers: number, dir: StorageDirectory = new MemoryDirectory()) {
  const sizer = new ShmemSizer();
  bufMgrShmemSize(sizer, nbuffers);
  const shmem = Shmem.create(sizer.size);
  const smgr = new Smgr(dir);
  const bm = new BufferManager(shmem, nbuffers, smgr, new LWLockOwner(shmem.i32));
  const flushed: number[] = [];
  let redo = 0;
  bm.setWal({ flush: (lsn) => flushed.push(lsn), getRedoRecPtr: () => redo });
  return { shmem, smgr, bm, flushed, setRedo: (r: number) => (redo = r), dir };
}

function newPage(bm: BufferManager, fill: number, lsn = 0): number {
  const buf = bm.extendBuffer(rel, ForkNumber.MAIN);
  const page = bm.getPage(buf);
  pageInit(page, 0);
  page.fill(fill, 100, 200);
  pageSetLSN(page, lsn);
  bm.markBufferDirty(buf);
  bm.unlockReleaseBuffer(buf);
  return bm.getBlockNumber(buf);
}

describe('buffer manager', () => {
  it('keeps more blocks than buffers: evicted pages are written and read back', () => {
    const { bm, smgr } = setup(16);
    smgr.create(rel, ForkNumber.MAIN, false);
    for (let i = 0; i < 100; i++) expect(newPage(bm, i & 0xff)).toBe(i);
    expect(bm.nblocks(rel, ForkNumber.MAIN)).toBe(100);
    for (let i = 0; i < 100; i++) {
      const buf = bm.readBuffer(rel, ForkNumber.MAIN, i);
      bm.lockBuffer(buf, BUFFER_LOCK_SHARE);
      expect(bm.getPage(buf)[150]).toBe(i & 0xff);
      bm.unlockReleaseBuffer(buf);
    }
    expect(bm.stats.writes).toBeGreaterThan(0);
    expect(bm.pinnedBufferCount()).toBe(0);
  });

  it('flushes WAL up to the page LSN before writing a dirty page (write-ahead rule)', () => {
    const { bm, smgr, flushed } = setup(16);
    smgr.create(rel, ForkNumber.MAIN, false);
    newPage(bm, 1, 0x1234);
    expect(flushed).toEqual([]);
    bm.bufferSync();
    expect(flushed).toEqual([0x1234]);
  });

  it('hits do not read from disk and bump the usage count', () => {
    const { bm, smgr } = setup(16);
    smgr.create(rel, ForkNumber.MAIN, false);
    newPage(bm, 7);
    const reads = bm.stats.reads;
    const b1 = bm.readBuffer(rel, ForkNumber.MAIN, 0);
    bm.releaseBuffer(b1);
    const b2 = bm.readBuffer(rel, ForkNumber.MAIN, 0);
    expect(b2).toBe(b1);
    expect(bm.describe(b2 - 1).usageCount).toBeGreaterThanOrEqual(2);
    bm.releaseBuffer(b2);
    expect(bm.stats.reads).toBe(reads);
  });

  it('raises "no unpinned buffers available" when everything is pinned', () => {
    const { bm, smgr } = setup(16);
    smgr.create(rel, ForkNumber.MAIN, false);
    for (let i = 0; i < 20; i++) newPage(bm, 1);
    const pinned: number[] = [];
    for (let i = 0; i < 16; i++) pinned.push(bm.readBuffer(rel, ForkNumber.MAIN, i));
    expect(() => bm.readBuffer(rel, ForkNumber.MAIN, 17)).toThrow(/no unpinned buffers available/);
    for (const b of pinned) bm.releaseBuffer(b);
    expect(bm.readBuffer(rel, ForkNumber.MAIN, 17)).toBeGreaterThan(0);
  });

  it('detects a corrupted page on read with XX001 naming block and relation', () => {
    const dir = new MemoryDirectory();
    const { bm, smgr } = setup(16, dir);
    smgr.create(rel, ForkNumber.MAIN, false);
    for (let i = 0; i < 3; i++) newPage(bm, 9);
    bm.bufferSync();
    // Flip one byte of block 1 behind the buffer manager's back, then re-read through a fresh pool.
    const f = dir.open('base/5/16384');
    const one = new Uint8Array(1);
    f.read(one, { at: BLCKSZ + 150 });
    one[0] ^= 0xff;
    f.write(one, { at: BLCKSZ + 150 });
    const fresh = setup(16, dir);
    const ok = fresh.bm.readBuffer(rel, ForkNumber.MAIN, 0);
    fresh.bm.releaseBuffer(ok);
    let err: unknown;
    try {
      fresh.bm.readBuffer(rel, ForkNumber.MAIN, 1);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'XX001', message: 'invalid page in block 1 of relation base/5/16384' });
    // ZeroOnError (used for the FSM and VM) returns a zeroed page instead.
    const z = fresh.bm.readBuffer(rel, ForkNumber.MAIN, 1, ReadBufferMode.ZeroOnError);
    expect(fresh.bm.getPage(z).every((b) => b === 0)).toBe(true);
    fresh.bm.releaseBuffer(z);
    expect(fresh.bm.pinnedBufferCount()).toBe(0);
  });

  it('a page written to the wrong block fails its checksum (block number is mixed in)', () => {
    const dir = new MemoryDirectory();
    const { bm, smgr } = setup(16, dir);
    smgr.create(rel, ForkNumber.MAIN, false);
    newPage(bm, 1);
    newPage(bm, 2);
    bm.bufferSync();
    const f = dir.open('base/5/16384');
    const p0 = new Uint8Array(BLCKSZ);
    f.read(p0, { at: 0 });
    f.write(p0, { at: BLCKSZ });
    const fresh = setup(16, dir);
    expect(() => fresh.bm.readBuffer(rel, ForkNumber.MAIN, 1)).toThrow(/invalid page in block 1/);
  });

  it('hint-bit dirtying only happens when an image since the redo point covers the page', () => {
    const { bm, smgr, setRedo } = setup(16);
    smgr.create(rel, ForkNumber.MAIN, false);
    newPage(bm, 1, 100);
    bm.bufferSync();
    const buf = bm.readBuffer(rel, ForkNumber.MAIN, 0);
    bm.lockBuffer(buf, BUFFER_LOCK_SHARE);
    setRedo(200); // a checkpoint after the page's last WAL record
    bm.markBufferDirtyHint(buf, true);
    expect(bm.describe(buf - 1).dirty).toBe(false);
    setRedo(50);
    bm.markBufferDirtyHint(buf, true);
    expect(bm.describe(buf - 1).dirty).toBe(true);
    bm.unlockReleaseBuffer(buf);
  });

  it('drops relation buffers without writing them', () => {
    const { bm, smgr } = setup(16);
    smgr.create(rel, ForkNumber.MAIN, false);
    for (let i = 0; i < 4; i++) newPage(bm, 3);
    bm.dropRelationBuffers(rel, ForkNumber.MAIN, 2);
    expect(bm.stats.writes).toBe(0);
    const described = Array.from({ length: 16 }, (_, i) => bm.describe(i)).filter((d) => d.tag !== null);
    expect(described.map((d) => d.tag?.blockNum).sort()).toEqual([0, 1]);
  });

  it('drops a small relation block by block and a large one by a full scan, leaving other relations alone', () => {
    // 256 buffers: relations below 256 / 32 = 8 blocks take the mapping-table path.
    const { bm, smgr } = setup(256);
    const other: RelFileLocator = { ...rel, relNumber: 16390 };
    const big: RelFileLocator = { ...rel, relNumber: 16400 };
    for (const r of [rel, other, big]) smgr.create(r, ForkNumber.MAIN, false);
    const fill = (r: RelFileLocator, n: number): void => {
      for (let i = 0; i < n; i++) {
        const buf = bm.extendBuffer(r, ForkNumber.MAIN);
        pageInit(bm.getPage(buf), 0);
        bm.markBufferDirty(buf);
        bm.unlockReleaseBuffer(buf);
      }
    };
    fill(rel, 5);
    fill(other, 3);
    fill(big, 20);
    smgr.create(rel, ForkNumber.FSM, false);
    const fsmBuf = bm.extendBuffer(rel, ForkNumber.FSM);
    bm.unlockReleaseBuffer(fsmBuf);
    const tags = (): string[] => Array.from({ length: 256 }, (_, i) => bm.describe(i).tag)
      .filter((t) => t !== null)
      .map((t) => `${t!.relNumber}/${t!.forkNum}/${t!.blockNum}`)
      .sort();
    bm.dropRelationBuffers(rel, ForkNumber.MAIN, 3); // truncation to 3 blocks
    expect(tags().filter((t) => t.startsWith('16384/'))).toEqual(['16384/0/0', '16384/0/1', '16384/0/2', '16384/1/0']);
    bm.dropRelationBuffers(rel, -1, 0); // every fork
    bm.dropRelationBuffers(big, -1, 15); // 5 blocks of 20: the lookup path
    expect(tags().filter((t) => t.startsWith('16384/'))).toEqual([]);
    expect(tags().filter((t) => t.startsWith('16390/'))).toHaveLength(3);
    expect(tags().filter((t) => t.startsWith('16400/'))).toHaveLength(15);
    bm.dropRelationBuffers(big, -1, 0); // 15 blocks: the full scan
    expect(tags().filter((t) => t.startsWith('16400/'))).toEqual([]);
    expect(tags().filter((t) => t.startsWith('16390/'))).toHaveLength(3);
    expect(bm.stats.writes).toBe(0);
  });

  it('ZeroAndLock returns an exclusively locked zero page; unlock and release leave nothing held', () => {
    const { bm, smgr } = setup(16);
    smgr.create(rel, ForkNumber.MAIN, false);
    newPage(bm, 5);
    const buf = bm.readBuffer(rel, ForkNumber.MAIN, 0, ReadBufferMode.ZeroAndLock);
    expect(bm.heldLockMode(buf)).toBe(BUFFER_LOCK_EXCLUSIVE);
    expect(bm.getPage(buf).every((b) => b === 0)).toBe(true);
    bm.lockBuffer(buf, BUFFER_LOCK_UNLOCK);
    bm.releaseBuffer(buf);
    expect(bm.pinnedBufferCount()).toBe(0);
  });

  it('releaseAll drops pins and locks after an error', () => {
    const { bm, smgr } = setup(16);
    smgr.create(rel, ForkNumber.MAIN, false);
    newPage(bm, 5);
    const b = bm.readBuffer(rel, ForkNumber.MAIN, 0);
    bm.incrRefCount(b);
    bm.lockBuffer(b, BUFFER_LOCK_EXCLUSIVE);
    bm.releaseAll();
    expect(bm.pinnedBufferCount()).toBe(0);
    expect(bm.describe(b - 1).refcount).toBe(0);
    expect(bm.describe(b - 1).locked).toBe('none');
  });

  it('checkpoint writes are durable only after smgr sync (crash simulation)', () => {
    const dir = new CrashSimDirectory();
    const { bm, smgr } = setup(16, dir);
    smgr.create(rel, ForkNumber.MAIN, false);
    newPage(bm, 5, 10);
    bm.bufferSync();
    expect(dir.pendingBytes()).toBeGreaterThan(0);
    smgr.syncAll();
    expect(dir.pendingBytes()).toBe(0);
    const p = new Uint8Array(BLCKSZ);
    dir.crash({ seed: 1, mode: 'drop' });
    dir.open('base/5/16384').read(p, { at: 0 });
    expect(pageGetLSN(p)).toBe(10);
  });
});
