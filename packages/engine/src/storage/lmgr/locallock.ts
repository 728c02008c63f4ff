/*
 * locallock.ts — one backend's table of the locks it holds (PostgreSQL's
 * LOCALLOCK hash in lock.c).
 *
 * Exports: LocalLock, LocalLockTable, SESSION_LOCK_OWNER.
 *
 * One LocalLock per (tag, mode) this backend holds or is acquiring, with
 * how often, and for whom: the session (owner 0) or the subtransaction that
 * asked (its id, >= 1). Re-acquiring a held lock is a lookup here and a
 * count; the shared table is only touched by the first acquisition and the
 * last release. Nothing here is shared, so nothing needs a lock.
 *
 * The table is a chained hash over an array of buckets keyed by the tag's
 * hash code and the mode; entries and their owner arrays are reused, so a
 * transaction that takes and releases locks allocates nothing once warm.
 */

import { Assert } from '../../utils/errors.ts';
import { LockTag } from './lockdefs.ts';

/** The owner of session locks; transaction-level locks are owned by their subtransaction id (>= 1). */
export const SESSION_LOCK_OWNER = 0;

const INITIAL_BUCKETS = 64;

export class LocalLock {
  readonly tag = new LockTag();
  mode = 0;
  hashcode = 0;
  /** Shared LOCK and PROCLOCK entries, valid while nLocks > 0 or while waiting. */
  lock = -1;
  procLock = -1;
  /** Total count over all owners. */
  nLocks = 0;
  /** This request raised the strong-lock counter of its hash (fastpath.ts); removal lowers it. */
  holdsStrongLockCount = false;
  /** (owner, count) pairs in the first nOwners slots. */
  private readonly ownerIds: number[] = [0, 0, 0, 0];
  private readonly ownerCounts: number[] = [0, 0, 0, 0];
  nOwners = 0;
  /** Next LocalLock in the same bucket. */
  chain: LocalLock | null = null;
  /** Position in LocalLockTable.entries. */
  index = -1;

  ownerIndex(owner: number): number {
    for (let i = 0; i < this.nOwners; i++) if (this.ownerIds[i] === owner) return i;
    return -1;
  }

  countOf(owner: number): number {
    const i = this.ownerIndex(owner);
    return i < 0 ? 0 : this.ownerCounts[i];
  }

  ownerAt(i: number): number {
    return this.ownerIds[i];
  }

  countAt(i: number): number {
    return this.ownerCounts[i];
  }

  /** Adds `n` counts for `owner` (nLocks included). */
  add(owner: number, n: number): void {
    const i = this.ownerIndex(owner);
    if (i >= 0) {
      this.ownerCounts[i] += n;
    } else if (this.nOwners < this.ownerIds.length) {
      this.ownerIds[this.nOwners] = owner;
      this.ownerCounts[this.nOwners] = n;
      this.nOwners++;
    } else {
      this.ownerIds.push(owner);
      this.ownerCounts.push(n);
      this.nOwners++;
    }
    this.nLocks += n;
  }

  /** Takes one count from owner slot `i`; the slot goes when it reaches 0. */
  decrementAt(i: number): void {
    this.nLocks--;
    if (--this.ownerCounts[i] === 0) this.removeAt(i);
  }

  /** Drops owner slot `i` with all its counts; returns how many there were. */
  removeAt(i: number): number {
    const n = this.ownerCounts[i];
    const last = --this.nOwners;
    this.ownerIds[i] = this.ownerIds[last];
    this.ownerCounts[i] = this.ownerCounts[last];
    this.nLocks -= n;
    return n;
  }
}

export class LocalLockTable {
  private buckets: (LocalLock | null)[] = new Array<LocalLock | null>(INITIAL_BUCKETS).fill(null);
  private mask = INITIAL_BUCKETS - 1;
  /** Every entry, for LockReleaseAll; entries[i].index === i. */
  readonly entries: LocalLock[] = [];
  private readonly spare: LocalLock[] = [];

  private static key(hash: number, mode: number): number {
    return (hash ^ Math.imul(mode, 0x9e3779b1)) >>> 0;
  }

  find(tag: LockTag, mode: number, hash: number): LocalLock | null {
    for (let ll = this.buckets[LocalLockTable.key(hash, mode) & this.mask]; ll !== null; ll = ll.chain) {
      if (ll.mode === mode && ll.hashcode === hash && ll.tag.equals(tag)) return ll;
    }
    return null;
  }

  /** A new entry with no counts yet. */
  insert(tag: LockTag, mode: number, hash: number): LocalLock {
    if (this.entries.length >= this.buckets.length) this.grow();
    const ll = this.spare.pop() ?? new LocalLock();
    ll.tag.copyFrom(tag);
    ll.mode = mode;
    ll.hashcode = hash;
    ll.lock = -1;
    ll.procLock = -1;
    ll.nLocks = 0;
    ll.nOwners = 0;
    ll.holdsStrongLockCount = false;
    const b = LocalLockTable.key(hash, mode) & this.mask;
    ll.chain = this.buckets[b];
    this.buckets[b] = ll;
    ll.index = this.entries.length;
    this.entries.push(ll);
    return ll;
  }

  /** RemoveLocalLock. The entry is reused by a later insert. */
  remove(ll: LocalLock): void {
    const b = LocalLockTable.key(ll.hashcode, ll.mode) & this.mask;
    if (this.buckets[b] === ll) {
      this.buckets[b] = ll.chain;
    } else {
      let p = this.buckets[b];
      while (p !== null && p.chain !== ll) p = p.chain;
      Assert(p !== null, 'local lock not in its bucket');
      p.chain = ll.chain;
    }
    const last = this.entries.pop();
    Assert(last !== undefined, 'local lock table is empty');
    if (last !== ll) {
      this.entries[ll.index] = last;
      last.index = ll.index;
    }
    ll.chain = null;
    ll.index = -1;
    this.spare.push(ll);
  }

  private grow(): void {
    const size = this.buckets.length * 2;
    this.buckets = new Array<LocalLock | null>(size).fill(null);
    this.mask = size - 1;
    for (const ll of this.entries) {
      const b = LocalLockTable.key(ll.hashcode, ll.mode) & this.mask;
      ll.chain = this.buckets[b];
      this.buckets[b] = ll;
    }
  }
}
