/*
 * fastpath.ts — fast-path relation locks (the fast-path part of
 * PostgreSQL's lock.c: FastPathGrantRelationLock,
 * FastPathUnGrantRelationLock, FastPathTransferRelationLocks).
 *
 * Exports: FastPath, eligibleForRelationFastPath,
 *          conflictsWithRelationFastPath.
 *
 * Almost every statement takes a weak lock (AccessShare, RowShare,
 * RowExclusive) on the relations it uses, and weak locks never conflict
 * with each other. So a backend records them in its own proc-array words,
 * up to FP_LOCK_SLOTS_PER_BACKEND relations, under its own LWLock
 * (PL_FP_INFO_LOCK), without touching the shared table:
 *
 *   PL_FP_LOCK_BITS  two words; slot s has 3 bits at word s >> 3, bit
 *                    3 * (s & 7): AccessShare, RowShare, RowExclusive
 *   PL_FP_REL_ID     16 words: the relation OID of each slot
 *   PL_FP_DATABASE   the backend's database; fast-path locks are only on
 *                    relations of it
 *
 * The protocol that makes this safe: a strong relation lock (modes above
 * ShareUpdateExclusive, the ones that conflict with weak modes) first
 * increments the strong-lock counter of its tag's hash, then moves every
 * backend's fast-path entry for that relation into the shared table
 * (transfer), each under that backend's fpInfoLock. A weak request uses the
 * fast path only if, under its own fpInfoLock, the counter is 0. Either the
 * weak locker saw the counter (and went to the shared table), or it granted
 * itself first and the transfer, which takes the same fpInfoLock later,
 * finds the entry. The counter stays up while the strong lock is held or
 * awaited.
 *
 * Lock order: a backend's fpInfoLock -> lock-table partition lock.
 */

import { FP_LOCK_SLOTS_PER_BACKEND, MAX_BACKENDS } from '../../constants.ts';
import { PL_FP_DATABASE, PL_FP_INFO_LOCK, PL_FP_LOCK_BITS, PL_FP_REL_ID, PROC_LOCK_WORDS } from '../ipc/procarray.ts';
import { LockMethodId, LockMode, LockTagType, lockbit, type LockTag } from './lockdefs.ts';
import type { LockTable } from './lock_table.ts';
import { LWLockMode, type LWLockOwner } from './lwlock.ts';

const FAST_PATH_BITS_PER_SLOT = 3;
const FAST_PATH_SLOTS_PER_WORD = 8;
const FAST_PATH_MASK = (1 << FAST_PATH_BITS_PER_SLOT) - 1;

/** EligibleForRelationFastPath: a weak lock on a relation of this backend's database. */
export function eligibleForRelationFastPath(tag: LockTag, mode: number, myDatabase: number): boolean {
  return (
    mode <= LockMode.RowExclusive &&
    tag.type === LockTagType.Relation &&
    tag.method === LockMethodId.Default &&
    tag.field1 === myDatabase &&
    myDatabase !== 0
  );
}

/** ConflictsWithRelationFastPath: a relation lock strong enough to conflict with weak ones. */
export function conflictsWithRelationFastPath(tag: LockTag, mode: number): boolean {
  return mode > LockMode.ShareUpdateExclusive && tag.type === LockTagType.Relation && tag.method === LockMethodId.Default;
}

export class FastPath {
  private readonly words: Int32Array;
  private readonly mine: number;
  /** Slots in use by this backend, or more (transfers clear slots behind our back): a hint. */
  localUseCount = 0;

  constructor(
    private readonly table: LockTable,
    private readonly lw: LWLockOwner,
    /** Index in the segment's Int32Array of slot 0's first lock word (ProcArray.lockWordsIndex). */
    private readonly lockWordsIndex: number,
    private readonly procno: number,
    readonly databaseOid: number,
  ) {
    this.words = table.procWords;
    this.mine = procno * PROC_LOCK_WORDS;
    this.lw.acquire(this.infoLock(procno), LWLockMode.Exclusive);
    for (let i = 0; i < 2; i++) this.words[this.mine + PL_FP_LOCK_BITS + i] = 0;
    this.words[this.mine + PL_FP_DATABASE] = databaseOid;
    this.lw.release(this.infoLock(procno));
  }

  private infoLock(procno: number): number {
    return this.lockWordsIndex + procno * PROC_LOCK_WORDS + PL_FP_INFO_LOCK;
  }

  private bits(base: number, slot: number): number {
    return (this.words[base + PL_FP_LOCK_BITS + (slot >> 3)] >>> (FAST_PATH_BITS_PER_SLOT * (slot & 7))) & FAST_PATH_MASK;
  }

  private setBit(base: number, slot: number, mode: number): void {
    this.words[base + PL_FP_LOCK_BITS + (slot >> 3)] |= 1 << (FAST_PATH_BITS_PER_SLOT * (slot & 7) + mode - 1);
  }

  private clearBit(base: number, slot: number, mode: number): void {
    this.words[base + PL_FP_LOCK_BITS + (slot >> 3)] &= ~(1 << (FAST_PATH_BITS_PER_SLOT * (slot & 7) + mode - 1));
  }

  /**
   * Grants `mode` on `relid` through the fast path if no strong lock on the
   * tag's hash is held or awaited and a slot is free; false otherwise.
   */
  tryAcquire(hash: number, relid: number, mode: number): boolean {
    if (this.localUseCount >= FP_LOCK_SLOTS_PER_BACKEND) return false;
    const lock = this.infoLock(this.procno);
    this.lw.acquire(lock, LWLockMode.Exclusive);
    let granted = false;
    if (Atomics.load(this.table.w, this.table.strongCountWord(hash)) === 0) granted = this.grant(relid, mode);
    this.lw.release(lock);
    return granted;
  }

  /**
   * FastPathGrantRelationLock (my fpInfoLock held). The two bit words are
   * read once and written back once: the loop then runs on locals.
   */
  private grant(relid: number, mode: number): boolean {
    const w = this.words;
    const bitsAt = this.mine + PL_FP_LOCK_BITS;
    const relAt = this.mine + PL_FP_REL_ID;
    const lo = w[bitsAt];
    const hi = w[bitsAt + 1];
    let unused = -1;
    for (let f = 0; f < FP_LOCK_SLOTS_PER_BACKEND; f++) {
      const bits = ((f < FAST_PATH_SLOTS_PER_WORD ? lo : hi) >>> (FAST_PATH_BITS_PER_SLOT * (f & 7))) & FAST_PATH_MASK;
      if (bits === 0) {
        if (unused < 0) unused = f;
      } else if (w[relAt + f] === (relid | 0)) {
        this.setBit(this.mine, f, mode);
        return true;
      }
    }
    if (unused < 0) return false;
    w[relAt + unused] = relid;
    this.setBit(this.mine, unused, mode);
    this.localUseCount++;
    return true;
  }

  /**
   * FastPathUnGrantRelationLock: releases `mode` on `relid` from my slots;
   * false if it is not there (a strong locker transferred it to the shared
   * table, where the caller must release it).
   */
  unGrant(relid: number, mode: number): boolean {
    const lock = this.infoLock(this.procno);
    const w = this.words;
    const bitsAt = this.mine + PL_FP_LOCK_BITS;
    const relAt = this.mine + PL_FP_REL_ID;
    this.lw.acquire(lock, LWLockMode.Exclusive);
    let released = false;
    let lo = w[bitsAt];
    let hi = w[bitsAt + 1];
    for (let f = 0; f < FP_LOCK_SLOTS_PER_BACKEND; f++) {
      const shift = FAST_PATH_BITS_PER_SLOT * (f & 7) + mode - 1;
      const word = f < FAST_PATH_SLOTS_PER_WORD ? lo : hi;
      if ((word & (1 << shift)) === 0 || w[relAt + f] !== (relid | 0)) continue;
      if (f < FAST_PATH_SLOTS_PER_WORD) lo &= ~(1 << shift);
      else hi &= ~(1 << shift);
      released = true;
      break;
    }
    if (released) {
      w[bitsAt] = lo;
      w[bitsAt + 1] = hi;
    }
    let used = 0;
    for (let f = 0; f < FP_LOCK_SLOTS_PER_BACKEND; f++) {
      if ((((f < FAST_PATH_SLOTS_PER_WORD ? lo : hi) >>> (FAST_PATH_BITS_PER_SLOT * (f & 7))) & FAST_PATH_MASK) !== 0) used++;
    }
    this.localUseCount = used;
    this.lw.release(lock);
    return released;
  }

  /**
   * FastPathTransferRelationLocks: moves every backend's fast-path locks on
   * the relation of `tag` into the shared table. Called by a strong locker
   * after raising the strong-lock counter; false when the shared table is
   * full.
   */
  transfer(tag: LockTag, hash: number, typeMethod: number): boolean {
    const t = this.table;
    const w = this.words;
    const relid = tag.field2 | 0;
    const partitionLock = t.partitionLock(hash);
    for (let p = 0; p < MAX_BACKENDS; p++) {
      const base = p * PROC_LOCK_WORDS;
      const info = this.infoLock(p);
      this.lw.acquire(info, LWLockMode.Exclusive);
      try {
        if (w[base + PL_FP_DATABASE] !== (tag.field1 | 0)) continue;
        for (let f = 0; f < FP_LOCK_SLOTS_PER_BACKEND; f++) {
          const bits = this.bits(base, f);
          if (bits === 0 || w[base + PL_FP_REL_ID + f] !== relid) continue;
          this.lw.acquire(partitionLock, LWLockMode.Exclusive);
          try {
            for (let mode = LockMode.AccessShare; mode <= LockMode.RowExclusive; mode++) {
              if ((bits & lockbit(mode - 1)) === 0) continue;
              let lock = t.findLock(hash, tag.field1, tag.field2, tag.field3, tag.field4, typeMethod);
              if (lock < 0) lock = t.createLock(hash, tag.field1, tag.field2, tag.field3, tag.field4, typeMethod);
              let pl = lock < 0 ? -1 : t.findProcLock(lock, p);
              if (lock >= 0 && pl < 0) pl = t.createProcLock(lock, p);
              if (pl < 0) {
                if (lock >= 0) t.removeLockIfUnused(lock);
                return false;
              }
              t.request(lock, mode);
              t.grantLock(lock, pl, mode);
              this.clearBit(base, f, mode);
            }
          } finally {
            this.lw.release(partitionLock);
          }
          break; // a relation has at most one slot per backend
        }
      } finally {
        this.lw.release(info);
      }
    }
    return true;
  }

  /** Every backend's fast-path locks, for pg_locks: (procno, database, relid, mode) each. */
  statusRows(out: (procno: number, database: number, relid: number, mode: number) => void): void {
    const w = this.words;
    for (let p = 0; p < MAX_BACKENDS; p++) {
      const base = p * PROC_LOCK_WORDS;
      const info = this.infoLock(p);
      this.lw.acquire(info, LWLockMode.Shared);
      for (let f = 0; f < FP_LOCK_SLOTS_PER_BACKEND; f++) {
        const bits = this.bits(base, f);
        for (let mode = LockMode.AccessShare; mode <= LockMode.RowExclusive; mode++) {
          if ((bits & lockbit(mode - 1)) !== 0) out(p, w[base + PL_FP_DATABASE] >>> 0, w[base + PL_FP_REL_ID + f] >>> 0, mode);
        }
      }
      this.lw.release(info);
    }
  }
}
