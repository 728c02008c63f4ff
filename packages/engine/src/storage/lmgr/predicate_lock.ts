/*
 * predicate_lock.ts — a backend's SIREAD locks: the local lock table and
 * PredicateLockAcquire with its promotion to coarser locks (PostgreSQL's
 * predicate.c: LocalPredicateLockHash, PredicateLockAcquire,
 * CheckAndPromotePredicateLockRequest, DeleteChildTargetLocks,
 * DecrementParentLocks, CreatePredicateLock).
 *
 * Exports: LocalPredicateLocks (one per backend, owned by
 * PredicateLockManager), Tag, TagKind, tagKind, parentTag, coveredBy, keyOf.
 *
 * A lock target is a relation, a page of it or a tuple (Tag: page NO_PAGE
 * for a relation, off 0 for a page). The local table mirrors the backend's
 * own locks in shared memory and counts, for each coarser target, how many
 * finer locks the backend holds under it:
 *
 *   acquire(tag): covered by a held coarser lock -> nothing
 *                 else the lock in shared memory, then counted in each
 *                 ancestor; an ancestor past its threshold is acquired
 *                 instead (a third tuple on a page: the page, PostgreSQL's
 *                 max_pred_locks_per_page 2; more than
 *                 max_pred_locks_per_transaction / 2 - 1 under a relation:
 *                 the relation), which deletes the finer ones.
 *
 * Rules:
 *  1. A held lock is always in shared memory too; the local table may
 *     forget one only when shared memory lost it first (another backend's
 *     page combine, the DDL transfer, my own write of the tuple).
 *  2. Shared memory is touched only under the predicate LWLock (`lock` /
 *     `unlock` given by the manager); the local table needs no lock.
 */

import { LK_S_NEXT, LK_TARGET, MAX_PRED_LOCKS_PER_PAGE, MAX_PRED_LOCKS_PER_RELATION, NO_PAGE, SX_LOCK_HEAD, TG_DB, TG_OFF, TG_PAGE, TG_REL, type PredShared } from './predicate_internals.ts';

/** A lock this backend holds or counts children under (LOCALPREDICATELOCK). */
interface LocalLock {
  held: boolean;
  childLocks: number;
}

export const enum TagKind {
  Relation = 0,
  Page = 1,
  Tuple = 2,
}

export interface Tag {
  rel: number;
  page: number;
  off: number;
}

export function tagKind(t: Tag): TagKind {
  return t.page === NO_PAGE ? TagKind.Relation : t.off === 0 ? TagKind.Page : TagKind.Tuple;
}

/** GetParentPredicateLockTag: tuple -> page -> relation -> none. */
export function parentTag(t: Tag): Tag | null {
  switch (tagKind(t)) {
    case TagKind.Tuple:
      return { rel: t.rel, page: t.page, off: 0 };
    case TagKind.Page:
      return { rel: t.rel, page: NO_PAGE, off: 0 };
    default:
      return null;
  }
}

/** TargetTagIsCoveredBy: `covering` is a strict ancestor of `covered`. */
export function coveredBy(covered: Tag, covering: Tag): boolean {
  if (covered.rel !== covering.rel) return false;
  const kc = tagKind(covering);
  const k = tagKind(covered);
  if (kc === TagKind.Relation) return k !== TagKind.Relation;
  if (kc === TagKind.Page) return k === TagKind.Tuple && covered.page === covering.page;
  return false;
}

export function keyOf(t: Tag): string {
  return `${t.rel}/${t.page}/${t.off}`;
}

/** LocalPredicateLockHash and the acquisition that keeps it. */
export class LocalPredicateLocks {
  private readonly s: PredShared;
  private readonly databaseOid: number;
  private readonly lock: () => void;
  private readonly unlock: () => void;
  private readonly local = new Map<string, LocalLock>();

  constructor(s: PredShared, databaseOid: number, lock: () => void, unlock: () => void) {
    this.s = s;
    this.databaseOid = databaseOid;
    this.lock = lock;
    this.unlock = unlock;
  }

  /** The transaction ended (or became RO-safe): nothing is held any more. */
  clear(): void {
    this.local.clear();
  }

  /** Is exactly this target locked by me? */
  holds(tag: Tag): boolean {
    return this.local.get(keyOf(tag))?.held === true;
  }

  /** Shared memory dropped my lock on `tag` (rule 1): forget it and its place in its ancestors' counts. */
  forget(tag: Tag): void {
    this.local.delete(keyOf(tag));
    this.decrementParents(tag);
  }

  /** A page split or combine gave me a lock on `newPage` (not a new read: no parent count); a combine took `oldPage`'s. */
  pageLockMoved(rel: number, oldPage: number, newPage: number, removeOld: boolean): void {
    const k = keyOf({ rel, page: newPage, off: 0 });
    const l = this.local.get(k);
    if (l === undefined) this.local.set(k, { held: true, childLocks: 0 });
    else l.held = true;
    if (removeOld) this.local.delete(keyOf({ rel, page: oldPage, off: 0 }));
  }

  /** Every entry of relation `rel` (its locks moved elsewhere by DDL). */
  forgetRelation(rel: number): void {
    for (const k of [...this.local.keys()]) if (k.startsWith(`${rel}/`)) this.local.delete(k);
  }

  /** PredicateLockAcquire. */
  acquire(sx: number, tag: Tag): void {
    const key = keyOf(tag);
    if (this.local.get(key)?.held === true) return;
    // CoarserLockCovers.
    for (let p = parentTag(tag); p !== null; p = parentTag(p)) {
      if (this.local.get(keyOf(p))?.held === true) return;
    }
    this.createLock(sx, tag);
    const l = this.local.get(key);
    if (l === undefined) this.local.set(key, { held: true, childLocks: 0 });
    else l.held = true;
    if (!this.checkAndPromote(sx, tag) && tagKind(tag) !== TagKind.Tuple) this.deleteChildLocks(sx, tag);
  }

  /**
   * CheckAndPromotePredicateLockRequest: counts the new lock in each
   * ancestor; one with more children than its threshold is taken instead
   * (the coarsest such), which deletes the children.
   */
  private checkAndPromote(sx: number, tag: Tag): boolean {
    let promotion: Tag | null = null;
    for (let p = parentTag(tag); p !== null; p = parentTag(p)) {
      const k = keyOf(p);
      let l = this.local.get(k);
      if (l === undefined) {
        l = { held: false, childLocks: 0 };
        this.local.set(k, l);
      }
      l.childLocks++;
      if (l.childLocks > this.maxChildLocks(p)) promotion = p;
    }
    if (promotion === null) return false;
    this.acquire(sx, promotion);
    return true;
  }

  /** MaxPredicateChildLocks. */
  private maxChildLocks(t: Tag): number {
    if (tagKind(t) === TagKind.Relation) {
      const perXact = this.s.maxPredLocksPerTransaction;
      return MAX_PRED_LOCKS_PER_RELATION < 0 ? Math.floor(perXact / -MAX_PRED_LOCKS_PER_RELATION) - 1 : MAX_PRED_LOCKS_PER_RELATION;
    }
    return MAX_PRED_LOCKS_PER_PAGE;
  }

  /** DecrementParentLocks: a child lock went away. */
  decrementParents(tag: Tag): void {
    for (let p = parentTag(tag); p !== null; p = parentTag(p)) {
      const k = keyOf(p);
      const l = this.local.get(k);
      if (l === undefined) continue;
      l.childLocks--;
      if (l.childLocks < 0) l.childLocks = 0;
      if (l.childLocks === 0 && !l.held) this.local.delete(k);
    }
  }

  /** DeleteChildTargetLocks: my finer locks under `tag`, now covered by it. */
  private deleteChildLocks(sx: number, tag: Tag): void {
    const s = this.s;
    const removed: Tag[] = [];
    this.lock();
    try {
      let lk = s.sget(sx, SX_LOCK_HEAD);
      while (lk !== 0) {
        const next = s.lget(lk, LK_S_NEXT);
        const tg = s.lget(lk, LK_TARGET);
        const t: Tag = { rel: s.tget(tg, TG_REL), page: s.tget(tg, TG_PAGE), off: s.tget(tg, TG_OFF) };
        if (s.tget(tg, TG_DB) === this.databaseOid && coveredBy(t, tag)) {
          this.s.freeLock(lk);
          removed.push(t);
        }
        lk = next;
      }
    } finally {
      this.unlock();
    }
    for (const t of removed) {
      const k = keyOf(t);
      const l = this.local.get(k);
      if (l !== undefined) {
        l.held = false;
        if (l.childLocks === 0) this.local.delete(k);
      }
      this.decrementParents(t);
    }
  }

  /** CreatePredicateLock: the target (found or made) and my lock on it, in shared memory. */
  private createLock(sx: number, tag: Tag): void {
    this.lock();
    try {
      this.s.addLock(sx, this.databaseOid, tag.rel, tag.page, tag.off);
    } finally {
      this.unlock();
    }
  }

}
