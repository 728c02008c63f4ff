import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { SUBTRANS_XACTS_PER_PAGE } from '../../constants.ts';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { SubTrans, subtransShmemInit, subtransShmemSize } from './subtrans.ts';

function make(dir = new MemoryDirectory()): SubTrans {
  const sizer = new ShmemSizer();
  sizer.add(subtransShmemSize());
  const shmem = Shmem.create(sizer.size);
  subtransShmemInit(shmem);
  return new SubTrans(shmem, new LWLockOwner(shmem.i32), dir);
}

describe('pg_subtrans', () => {
  it('records parents and walks to the top level', () => {
    const st = make();
    st.startup(100, 100);
    st.setParent(101, 100);
    st.setParent(102, 101);
    st.setParent(103, 100);
    expect(st.getParent(100)).toBe(0);
    expect(st.getParent(102)).toBe(101);
    expect(st.getTopmostTransaction(102, 3)).toBe(100);
    expect(st.getTopmostTransaction(103, 3)).toBe(100);
    // The walk stops at the bound: 101 precedes 102, so 101 is returned when the bound is 102.
    expect(st.getTopmostTransaction(102, 102)).toBe(101);
  });

  it('zeroes the pages from the oldest active XID to nextXid at startup, across the wraparound', () => {
    const dir = new MemoryDirectory();
    const st = make(dir);
    const oldest = 2 ** 32 - 3 * SUBTRANS_XACTS_PER_PAGE;
    st.startup(oldest, 5000);
    // Every page in between is present (zeroed), so parents can be set without reading files.
    st.setParent(oldest + 1, oldest);
    st.setParent(4999, 4000);
    expect(st.getParent(oldest + 1)).toBe(oldest);
    expect(st.getParent(4999)).toBe(4000);
    expect(st.getTopmostTransaction(oldest + 1, oldest)).toBe(oldest);
  });

  it('is not kept across restarts: startup removes old files', () => {
    const dir = new MemoryDirectory();
    const st = make(dir);
    st.startup(3, 3);
    for (let x = 10; x < 10 + 40 * SUBTRANS_XACTS_PER_PAGE; x += SUBTRANS_XACTS_PER_PAGE) {
      st.extend(Math.floor(x / SUBTRANS_XACTS_PER_PAGE) * SUBTRANS_XACTS_PER_PAGE);
      st.setParent(x, x - 1);
    }
    st.checkpoint(0);
    expect(st.slru.listSegments().length).toBeGreaterThan(0);
    const again = make(dir);
    again.startup(20 * SUBTRANS_XACTS_PER_PAGE, 20 * SUBTRANS_XACTS_PER_PAGE);
    expect(again.slru.listSegments()).toEqual([]);
    expect(again.getParent(20 * SUBTRANS_XACTS_PER_PAGE + 5)).toBe(0);
  });

  it('checkpoint truncates pages older than the oldest xmin', () => {
    const dir = new MemoryDirectory();
    const st = make(dir);
    st.startup(3, 3);
    const segXids = 32 * SUBTRANS_XACTS_PER_PAGE;
    for (let seg = 1; seg <= 3; seg++) st.extend(seg * segXids);
    st.checkpoint(0);
    expect(st.slru.listSegments()).toEqual([0, 1, 2, 3]);
    st.checkpoint(2 * segXids + 100);
    expect(st.slru.listSegments()).toEqual([2, 3]);
  });
});
