import { describe, expect, it } from 'vitest';

import { describeConformance, expectStorageError } from './conformance.ts';
import { CrashSimDirectory, type CrashMode } from './crashsim.ts';
import { Prng } from './prng.ts';

describeConformance('CrashSimDirectory', () => {
  const dir = new CrashSimDirectory();
  return { dir, cleanup: () => dir.checkInvariants() };
});

const PAGE = 8192;

function contents(dir: CrashSimDirectory, path: string): Uint8Array {
  const file = dir.open(path);
  const buf = new Uint8Array(file.getSize());
  file.read(buf, { at: 0 });
  file.close();
  return buf;
}

const page = (value: number): Uint8Array => new Uint8Array(PAGE).fill(value);

/** A file of one flushed page of 0xAA, then `pages` unflushed pages filled with 1, 2, 3, ... at pages 0, 1, 2, ... */
function dirtyFile(pages: number): CrashSimDirectory {
  const dir = new CrashSimDirectory();
  const file = dir.open('base/5/16384', { create: true });
  file.write(page(0xaa), { at: 0 });
  file.flush();
  for (let i = 0; i < pages; i++) file.write(page(i + 1), { at: i * PAGE });
  file.close();
  return dir;
}

/** A random workload over a few files with occasional flushes, driven by `seed`. */
function workload(seed: number): CrashSimDirectory {
  const prng = new Prng(seed);
  const dir = new CrashSimDirectory();
  const files = ['base/5/1', 'base/5/2', 'pg_wal/000000010000000000000001'].map((p) =>
    dir.open(p, { create: true }),
  );
  for (let step = 0; step < 200; step++) {
    const file = prng.pick(files);
    const roll = prng.int(20);
    if (roll === 0) file.flush();
    else if (roll === 1) file.truncate(prng.int(6) * PAGE);
    else file.write(page(prng.range(1, 255)).subarray(0, prng.range(1, PAGE)), { at: prng.int(8 * PAGE) });
  }
  return dir;
}

function sameState(a: CrashSimDirectory, b: CrashSimDirectory): boolean {
  const sa = a.snapshot();
  const sb = b.snapshot();
  if ([...sa.files.keys()].join() !== [...sb.files.keys()].join()) return false;
  for (const [path, image] of sa.files) {
    const other = sb.files.get(path);
    if (other === undefined || Buffer.compare(image.durable, other.durable) !== 0) return false;
    if (image.pending.length !== other.pending.length) return false;
  }
  return true;
}

describe('CrashSimDirectory', () => {
  it('shows current state before a crash and only flushed state after a drop', () => {
    const dir = dirtyFile(2);
    expect(contents(dir, 'base/5/16384').length).toBe(2 * PAGE);
    expect(contents(dir, 'base/5/16384')[0]).toBe(1);
    const outcomes = dir.crash({ seed: 1, mode: 'drop' });
    expect(outcomes).toEqual([{ path: 'base/5/16384', mode: 'drop', pending: 2, kept: 0, tornPageAt: null }]);
    const after = contents(dir, 'base/5/16384');
    expect(after.length).toBe(PAGE);
    expect(after.every((b) => b === 0xaa)).toBe(true);
    dir.checkInvariants();
  });

  it('keeps everything written before a flush', () => {
    const dir = new CrashSimDirectory();
    const file = dir.open('f', { create: true });
    file.write(page(1), { at: 0 });
    file.truncate(100);
    file.write(new Uint8Array([7]), { at: 200 });
    file.flush();
    for (const mode of ['drop', 'prefix', 'tear', 'random'] as const) {
      dir.crash({ seed: 3, mode });
      const after = contents(dir, 'f');
      expect(after.length).toBe(201);
      expect(after[0]).toBe(1);
      expect(after[150]).toBe(0);
      expect(after[200]).toBe(7);
    }
  });

  it('keeps a prefix of the pending writes, in write order', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const dir = dirtyFile(4);
      const [outcome] = dir.crash({ seed, mode: 'prefix' });
      seen.add(outcome.kept);
      const after = contents(dir, 'base/5/16384');
      // Pages 0..kept-1 hold their new value, nothing later was applied.
      expect(after.length).toBe(Math.max(1, outcome.kept) * PAGE);
      expect(after[0]).toBe(outcome.kept === 0 ? 0xaa : 1);
      for (let i = 1; i < outcome.kept; i++) expect(after[i * PAGE]).toBe(i + 1);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('tears a page: first half new, second half old', () => {
    const dir = new CrashSimDirectory();
    const file = dir.open('base/5/16384', { create: true });
    file.write(page(0xaa), { at: 0 });
    file.flush();
    file.write(page(0xbb), { at: 0 });
    const [outcome] = dir.crash({ seed: 42, mode: 'tear' });
    expect(outcome).toMatchObject({ mode: 'tear', kept: 0, tornPageAt: 0 });
    const after = contents(dir, 'base/5/16384');
    expect(after.length).toBe(PAGE);
    expect(after.subarray(0, 4096).every((b) => b === 0xbb)).toBe(true);
    expect(after.subarray(4096).every((b) => b === 0xaa)).toBe(true);
  });

  it('tears a page that extended the file into a full-length page with a zero second half', () => {
    const dir = new CrashSimDirectory();
    const file = dir.open('pg_wal/seg', { create: true });
    file.write(page(0xbb), { at: PAGE });
    const [outcome] = dir.crash({ seed: 5, mode: 'tear' });
    expect(outcome.tornPageAt).toBe(PAGE);
    const after = contents(dir, 'pg_wal/seg');
    expect(after.length).toBe(2 * PAGE);
    expect(after.subarray(0, PAGE + 4096).every((b, i) => b === (i < PAGE ? 0 : 0xbb))).toBe(true);
    expect(after.subarray(PAGE + 4096).every((b) => b === 0)).toBe(true);
  });

  it('tears exactly one page of a multi-page write, after the ops before it', () => {
    for (let seed = 0; seed < 50; seed++) {
      const dir = new CrashSimDirectory();
      const file = dir.open('f', { create: true });
      file.write(new Uint8Array(4 * PAGE).fill(0xaa), { at: 0 });
      file.flush();
      file.write(new Uint8Array([1]), { at: 5 });
      file.write(new Uint8Array(4 * PAGE).fill(0xbb), { at: 0 });
      const [outcome] = dir.crash({ seed, mode: 'tear' });
      expect(outcome.tornPageAt).not.toBeNull();
      const torn = outcome.tornPageAt ?? -1;
      const after = contents(dir, 'f');
      expect(after.length).toBe(4 * PAGE);
      for (let p = 0; p < 4; p++) {
        const at = p * PAGE;
        const firstHalf = after.subarray(at, at + 4096);
        const secondHalf = after.subarray(at + 4096, at + PAGE);
        if (outcome.kept === 0 && p === 0) {
          // The one-byte write at 5 was torn: it lies in page 0's first half.
          expect(after[5]).toBe(1);
          expect(after[6]).toBe(0xaa);
        } else if (at === torn) {
          expect(firstHalf.every((b) => b === 0xbb)).toBe(true);
          expect(secondHalf.every((b) => b === 0xaa)).toBe(true);
        } else {
          expect(after[at + 4096]).toBe(0xaa);
        }
      }
    }
  });

  it('falls back to a prefix when no pending write can be torn', () => {
    const dir = new CrashSimDirectory();
    const file = dir.open('f', { create: true });
    file.write(new Uint8Array(10), { at: 5000 });
    file.truncate(3);
    const [outcome] = dir.crash({ seed: 9, mode: 'tear' });
    expect(outcome.tornPageAt).toBeNull();
    expect(outcome.kept).toBeGreaterThanOrEqual(0);
  });

  it('leaves the same bytes for the same seed, and different bytes for some other seed', () => {
    const outcomes = (seed: number, mode: CrashMode): CrashSimDirectory => {
      const dir = workload(7);
      dir.crash({ seed, mode });
      return dir;
    };
    for (const mode of ['prefix', 'tear', 'random'] as const) {
      expect(sameState(outcomes(11, mode), outcomes(11, mode))).toBe(true);
      const differs = [12, 13, 14, 15, 16].some((seed) => !sameState(outcomes(11, mode), outcomes(seed, mode)));
      expect(differs).toBe(true);
    }
  });

  it('picks a mode per file in random mode', () => {
    const modes = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      for (const outcome of workload(seed).crash({ seed })) modes.add(outcome.mode);
    }
    expect([...modes].sort()).toEqual(['drop', 'prefix', 'tear']);
  });

  it('keeps C = D + P through a random workload', () => {
    for (let seed = 0; seed < 10; seed++) {
      const dir = workload(seed);
      dir.checkInvariants();
      dir.crash({ seed });
      dir.checkInvariants();
      expect(dir.pendingBytes()).toBe(0);
    }
  });

  it('invalidates open handles on crash and keeps serving the reopened database', () => {
    const dir = new CrashSimDirectory();
    const stale = dir.open('global/pg_control', { create: true });
    stale.write(new Uint8Array([1]), { at: 0 });
    stale.flush();
    dir.crash({ seed: 1 });
    const buf = new Uint8Array(1);
    expectStorageError(() => stale.read(buf, { at: 0 }), 'EBADF');
    expectStorageError(() => stale.write(buf, { at: 0 }), 'EBADF');
    expectStorageError(() => stale.truncate(0), 'EBADF');
    expectStorageError(() => stale.getSize(), 'EBADF');
    expectStorageError(() => stale.flush(), 'EBADF');
    stale.close();
    const fresh = dir.open('global/pg_control');
    fresh.write(new Uint8Array([2]), { at: 1 });
    fresh.flush();
    expect([...contents(dir, 'global/pg_control')]).toEqual([1, 2]);
  });

  it('makes create, rename and remove durable at once', () => {
    const dir = new CrashSimDirectory();
    dir.open('created', { create: true }).close();
    const tmp = dir.open('global/pg_control.tmp', { create: true });
    tmp.write(new Uint8Array([5]), { at: 0 });
    tmp.flush();
    tmp.write(new Uint8Array([6]), { at: 1 });
    tmp.close();
    dir.rename('global/pg_control.tmp', 'global/pg_control');
    dir.open('doomed', { create: true }).close();
    dir.remove('doomed');
    dir.crash({ seed: 1, mode: 'drop' });
    expect(dir.list('')).toEqual(['created', 'global']);
    expect(dir.list('global')).toEqual(['pg_control']);
    // The renamed file carried its unflushed write along, and the crash dropped it.
    expect([...contents(dir, 'global/pg_control')]).toEqual([5]);
    expect(contents(dir, 'created').length).toBe(0);
  });

  it('counts pending bytes and flushes', () => {
    const dir = new CrashSimDirectory();
    const a = dir.open('a', { create: true });
    const b = dir.open('b', { create: true });
    a.write(new Uint8Array(100), { at: 0 });
    a.write(new Uint8Array(50), { at: 10 });
    b.write(new Uint8Array(8), { at: 0 });
    b.truncate(1000);
    expect(dir.pendingBytes()).toBe(158);
    a.flush();
    expect(dir.pendingBytes()).toBe(8);
    a.flush();
    b.flush();
    expect(dir.pendingBytes()).toBe(0);
    expect(dir.flushCount).toBe(3);
    b.write(new Uint8Array(4), { at: 0 });
    dir.crash({ seed: 0 });
    expect(dir.pendingBytes()).toBe(0);
  });

  it('fails writes with ENOSPC once the byte budget is spent', () => {
    const dir = new CrashSimDirectory();
    const file = dir.open('f', { create: true });
    file.write(new Uint8Array(1000), { at: 0 });
    dir.failWritesAfter(PAGE + 10);
    file.write(page(1), { at: 0 });
    file.write(new Uint8Array(10).fill(2), { at: PAGE });
    const err = expectStorageError(() => file.write(new Uint8Array([3]), { at: 0 }), 'ENOSPC');
    expect(err.path).toBe('f');
    expect(file.getSize()).toBe(PAGE + 10);
    expect(contents(dir, 'f')[0]).toBe(1);
    file.truncate(2 * PAGE); // not counted: growing by truncate allocates nothing
    expectStorageError(() => dir.open('g', { create: true }).write(new Uint8Array(1), { at: 0 }), 'ENOSPC');
    dir.failWritesAfter(null);
    expect(file.write(new Uint8Array([3]), { at: 0 })).toBe(1);
    expect(() => dir.failWritesAfter(-1)).toThrow(RangeError);
  });

  it('restores a snapshot independently, so one state can be crashed many ways', () => {
    const original = workload(3);
    const snap = original.snapshot();
    const restored = CrashSimDirectory.fromSnapshot(snap);
    restored.checkInvariants();
    expect(restored.pendingBytes()).toBe(original.pendingBytes());
    for (const path of snap.files.keys()) {
      expect(Buffer.compare(contents(restored, path), contents(original, path))).toBe(0);
    }
    const results = new Set<string>();
    for (let seed = 0; seed < 10; seed++) {
      const copy = CrashSimDirectory.fromSnapshot(snap);
      copy.crash({ seed, mode: 'prefix' });
      results.add([...snap.files.keys()].map((p) => contents(copy, p).join(',')).join('|'));
    }
    expect(results.size).toBeGreaterThan(1);
    // Crashing the copies left the original and the snapshot untouched.
    expect(sameState(CrashSimDirectory.fromSnapshot(snap), original)).toBe(true);
    original.checkInvariants();
  });
});

describe('Prng', () => {
  it('repeats its sequence for a seed', () => {
    const a = new Prng(123);
    const b = new Prng(123);
    for (let i = 0; i < 100; i++) expect(a.nextUint32()).toBe(b.nextUint32());
    expect(new Prng(1).nextUint32()).not.toBe(new Prng(2).nextUint32());
  });

  it('stays in range', () => {
    const prng = new Prng(0);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const f = prng.next();
      expect(f >= 0 && f < 1).toBe(true);
      const n = prng.range(3, 6);
      expect(n >= 3 && n <= 6).toBe(true);
      seen.add(n);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    expect(() => prng.int(0)).toThrow(RangeError);
    expect(() => prng.pick([])).toThrow(RangeError);
  });
});
