/*
 * pg_serial (predicate_serial.ts) on its own: the range rules (tail..head),
 * pages zeroed as they enter the range, values surviving eviction to disk,
 * and the checkpoint's truncation. The predicate LWLock is taken as the
 * callers in predicate.ts do (rule 1).
 */
import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { createSharedMemoryAndSemaphores } from '../ipc/ipci.ts';
import { LWLockMode, LWLockOwner } from './lwlock.ts';
import { NUM_SERIAL_BUFFERS, PredShared, SERIAL_ENTRIES_PER_PAGE } from './predicate_internals.ts';
import { SERIAL_NO_CONFLICT, SerialLog } from './predicate_serial.ts';

function setup(): { log: SerialLog; locked<T>(fn: () => T): T } {
  const shmem = createSharedMemoryAndSemaphores({ sharedBuffers: 16, walBuffers: 8 });
  const lw = new LWLockOwner(shmem.i32);
  const s = new PredShared(shmem);
  const dir = new MemoryDirectory();
  const log = new SerialLog(shmem, lw, dir, s);
  const locked = <T>(fn: () => T): T => {
    lw.acquire(s.lockWord, LWLockMode.Exclusive);
    try {
      return fn();
    } finally {
      lw.release(s.lockWord);
    }
  };
  return { log, locked };
}

describe('pg_serial', () => {
  it('answers only for XIDs from the tail (SxactGlobalXmin) to the newest added', () => {
    const { log, locked } = setup();
    locked(() => {
      // No serializable transaction running: nothing is recorded, nothing is found.
      log.add(1000, 7);
      expect(log.getMinConflictCommitSeqNo(1000)).toBe(0);
      log.setActiveSerXmin(900);
      log.add(1000, 7);
      log.add(1001, SERIAL_NO_CONFLICT);
      expect(log.getMinConflictCommitSeqNo(1000)).toBe(7);
      expect(log.getMinConflictCommitSeqNo(1001)).toBe(SERIAL_NO_CONFLICT);
      // In range, never added: a zeroed entry.
      expect(log.getMinConflictCommitSeqNo(950)).toBe(0);
      // Past the head, before the tail: not summarized.
      expect(log.getMinConflictCommitSeqNo(1002)).toBe(0);
      expect(log.getMinConflictCommitSeqNo(899)).toBe(0);
      // An XID before the tail is not recorded at all.
      log.add(800, 3);
      expect(log.getMinConflictCommitSeqNo(800)).toBe(0);
      // The tail only moves forward.
      log.setActiveSerXmin(1001);
      log.setActiveSerXmin(950);
      expect(log.getMinConflictCommitSeqNo(1000)).toBe(0);
      expect(log.getMinConflictCommitSeqNo(1001)).toBe(SERIAL_NO_CONFLICT);
      // Nothing running: the log is idle; the next use starts from clean pages.
      log.setActiveSerXmin(0);
      expect(log.getMinConflictCommitSeqNo(1001)).toBe(0);
      log.setActiveSerXmin(1001);
      log.add(1005, 9);
      expect(log.getMinConflictCommitSeqNo(1001)).toBe(0);
      expect(log.getMinConflictCommitSeqNo(1005)).toBe(9);
    });
  });

  it('keeps values across pages written out to pg_serial/ and read back', () => {
    const { log, locked } = setup();
    const first = 5000;
    const pages = NUM_SERIAL_BUFFERS + 4; // more pages than buffer slots: some go to disk
    locked(() => {
      log.setActiveSerXmin(first);
      for (let p = 0; p < pages; p++) log.add(first + p * SERIAL_ENTRIES_PER_PAGE, p + 1);
      for (let p = 0; p < pages; p++) expect(log.getMinConflictCommitSeqNo(first + p * SERIAL_ENTRIES_PER_PAGE)).toBe(p + 1);
    });
    expect(log.slru.listSegments().length).toBeGreaterThan(0);
    // Checkpoint: segments wholly before the tail's page go (here none: all 20 pages are in segment 0); the tail's entry stays readable.
    const tail = first + (pages - 1) * SERIAL_ENTRIES_PER_PAGE;
    const cutoff = locked(() => {
      log.setActiveSerXmin(tail);
      return log.checkpointCutoff();
    });
    expect(cutoff).toBe(Math.floor(tail / SERIAL_ENTRIES_PER_PAGE));
    log.truncateAndWrite(cutoff as number);
    locked(() => expect(log.getMinConflictCommitSeqNo(tail)).toBe(pages));
  });
});
