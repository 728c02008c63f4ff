/*
 * inval.ts — cache invalidation for catalog changes (PostgreSQL's
 * utils/cache/inval.c).
 *
 * Exports:
 *   InvalidationMessage     what a catalog change makes stale
 *   InvalidationManager     collects the messages of the running transaction
 *                           and applies them at the right moments
 *
 * A DDL primitive changes catalog rows and registers what that makes stale:
 * a relation's relcache entry ({kind: 'relcache', relId}; relId 0 = all), or
 * one of the whole-catalog caches ({kind: 'catcache', cacheId}). The messages
 * are applied to this backend's caches:
 *
 *   1. at CommandCounterIncrement: the current command's messages, so the
 *      next command (which sees the new rows) rebuilds what it reads;
 *   2. at commit: whatever is left of the current command; then the whole
 *      transaction's list is handed to `broadcast`, the hook through which
 *      the shared invalidation queue (storage/ipc/sinval.ts) tells other
 *      backends, which apply them with applyRemote;
 *   3. at abort: every message of the transaction, because the caches may
 *      hold entries built from rows the abort just made invisible (a
 *      rolled-back CREATE TABLE vanishes, a rolled-back DROP comes back);
 *   4. at subtransaction abort: the messages of that subtransaction and its
 *      children; at subtransaction commit they join the parent's list.
 *
 * Messages are plain data so that they can be copied into a shared queue
 * unchanged. Applying a message twice is harmless (it only drops entries).
 */

import type { Xact, XactEvent, XactCallbackInfo } from '../../access/transam/xact.ts';

/** The whole-catalog caches (syscache.ts): relation names per namespace, and namespaces. */
export type CatCacheId = 'RELNAMENSP' | 'NAMESPACE';

export type InvalidationMessage =
  | { readonly kind: 'relcache'; readonly relId: number }
  | { readonly kind: 'catcache'; readonly cacheId: CatCacheId };

/** The messages of one (sub)transaction level. */
interface InvalidationGroup {
  level: number;
  /** Messages of earlier commands of this level, already applied locally. */
  prior: InvalidationMessage[];
  /** Messages of the running command, applied at its CommandCounterIncrement. */
  current: InvalidationMessage[];
}

export class InvalidationManager {
  /** Innermost level last; empty when the transaction has registered nothing. */
  private groups: InvalidationGroup[] = [];
  /** Set by Database (database.ts): appends a committed transaction's messages to the shared queue (storage/ipc/sinval.ts). */
  broadcast: ((msgs: readonly InvalidationMessage[]) => void) | null = null;

  constructor(
    private readonly xact: Xact,
    /** LocalExecuteInvalidationMessage: drops what the message names from this backend's caches. */
    private readonly apply: (msg: InvalidationMessage) => void,
  ) {
    xact.registerCommandCounterCallback(() => this.atCommandCounterIncrement());
    xact.registerXactCallback((event: XactEvent, info: XactCallbackInfo) => this.atXactEvent(event, info));
  }

  /**
   * A message another backend committed, read from the shared queue
   * (AcceptInvalidationMessages -> LocalExecuteInvalidationMessage):
   * applied to this backend's caches at once, never broadcast again.
   */
  applyRemote(msg: InvalidationMessage): void {
    this.apply(msg);
  }

  /** CacheInvalidateRelcache & co: called by the catalog writers right after they change a row. */
  register(msg: InvalidationMessage): void {
    const level = this.xact.isTransactionState() ? this.xact.nestingLevel() : 1;
    let top = this.groups.length > 0 ? this.groups[this.groups.length - 1] : null;
    if (top === null || top.level < level) {
      top = { level, prior: [], current: [] };
      this.groups.push(top);
    }
    const list = top.current;
    for (let i = 0; i < list.length; i++) if (sameMessage(list[i], msg)) return;
    list.push(msg);
  }

  /** Rule 1. */
  atCommandCounterIncrement(): void {
    for (const g of this.groups) {
      if (g.current.length === 0) continue;
      for (const m of g.current) this.apply(m);
      g.prior.push(...g.current);
      g.current = [];
    }
  }

  /** Messages registered by the running transaction (applied or not), for tests and assertions. */
  pendingCount(): number {
    let n = 0;
    for (const g of this.groups) n += g.prior.length + g.current.length;
    return n;
  }

  private atXactEvent(event: XactEvent, info: XactCallbackInfo): void {
    switch (event) {
      case 'commit': {
        // Rule 2.
        const all: InvalidationMessage[] = [];
        for (const g of this.groups) {
          for (const m of g.current) this.apply(m);
          all.push(...g.prior, ...g.current);
        }
        this.groups = [];
        if (all.length > 0 && this.broadcast !== null) this.broadcast(all);
        return;
      }
      case 'abort':
        // Rule 3.
        for (const g of this.groups) this.applyGroup(g);
        this.groups = [];
        return;
      case 'subcommit': {
        // Rule 4: the subtransaction's messages become the parent's.
        const g = this.groups.length > 0 ? this.groups[this.groups.length - 1] : null;
        if (g === null || g.level < info.nestingLevel) return;
        this.groups.pop();
        const parent = this.groups.length > 0 ? this.groups[this.groups.length - 1] : null;
        if (parent !== null && parent.level === info.nestingLevel - 1) {
          parent.prior.push(...g.prior);
          parent.current.push(...g.current);
        } else {
          g.level = info.nestingLevel - 1;
          this.groups.push(g);
        }
        return;
      }
      case 'subabort':
        // Rule 4: drop what this level (and any deeper level left over) made.
        while (this.groups.length > 0 && this.groups[this.groups.length - 1].level >= info.nestingLevel) {
          this.applyGroup(this.groups.pop() as InvalidationGroup);
        }
        return;
      case 'pre_commit':
        return;
    }
  }

  private applyGroup(g: InvalidationGroup): void {
    for (const m of g.prior) this.apply(m);
    for (const m of g.current) this.apply(m);
  }
}

function sameMessage(a: InvalidationMessage, b: InvalidationMessage): boolean {
  if (a.kind === 'relcache') return b.kind === 'relcache' && a.relId === b.relId;
  return b.kind === 'catcache' && a.cacheId === b.cacheId;
}
