/*
 * sinval.ts — shared cache invalidation: the ring of invalidation messages
 * every backend reads (PostgreSQL's sinvaladt.c and sinval.c).
 *
 * Exports:
 *   sinvalShmemSize(sizer) / sinvalShmemInit(shmem)   region "SharedInvalidation"
 *   SharedInvalidation    one backend's end of the queue:
 *                           send(msgs)                 SendSharedInvalidMessages
 *                           receive(apply, reset)      ReceiveSharedInvalidMessages
 *                           detach()                   CleanupInvalidationState
 *
 * Each backend caches catalog rows (relcache, syscache) and plans built
 * from them. When a transaction that changed catalogs commits, its
 * backend appends the transaction's invalidation messages (inval.ts) to
 * this ring; every other backend reads what it has not read yet before its
 * next statement (AcceptInvalidationMessages) and drops the entries the
 * messages name. The ring is fixed-size: when a writer needs room, a
 * backend that has not read far enough is marked for reset and stops
 * holding the oldest messages back; on its next read it drops every cache
 * entry instead of reading the messages it missed.
 *
 * Region "SharedInvalidation" (sizes from constants.ts):
 *
 *   header, 64 bytes
 *     word 0   i32 SInvalLock     the LWLock: exclusive to write, to read, to reset
 *     word 1   i32 minMsgNum      oldest message a backend may still need    SInvalLock
 *     word 2   i32 maxMsgNum      number of the next message written         SInvalLock to change;
 *                                                                            Atomics.load without it (rule 3)
 *     word 3   i32 resets         backends reset so far (statistics)         SInvalLock
 *   MAX_BACKENDS slots of 16 bytes, indexed by proc number:
 *     word 0   i32 inUse          1 while a backend is attached              SInvalLock
 *     word 1   i32 nextMsgNum     the next message this backend reads        SInvalLock to change
 *     word 2   i32 resetState     1: it fell behind, reset at its next read  SInvalLock
 *   SINVAL_MAX_MESSAGES messages of 16 bytes, message n at n & (MAX - 1):
 *     word 0   i32 kind           1 relcache, 2 catcache
 *     word 1   u32 id             relcache: relation OID (0 = all); catcache: cache number
 *     word 2   u32 dbOid          the database the message is for (0 = shared catalogs)
 *
 * Rules:
 *  1. Messages are appended after the transaction's commit is visible in the
 *     proc array (xact.ts calls the 'commit' callbacks after endTransaction),
 *     so a backend that reads them rebuilds from rows it can see.
 *  2. A message n is overwritten only when every attached backend that is
 *     not marked for reset has nextMsgNum > n: minMsgNum is the minimum
 *     over those, recomputed under SInvalLock before a writer reuses space.
 *  3. maxMsgNum is published with Atomics.store after the messages are
 *     written, and a reader's fast path ("nothing new") compares it with
 *     its own nextMsgNum without the lock; anything else is done holding
 *     SInvalLock, so a reader never copies a message being overwritten.
 *  4. Applying a message only drops cache entries, so applying one twice,
 *     or a reset instead of any number of messages, is always safe.
 *  5. Every loop is bounded by SINVAL_MAX_MESSAGES or MAX_BACKENDS.
 *
 * Differences from PostgreSQL: one lock instead of SInvalReadLock and
 * SInvalWriteLock (readers take it only when there is something to read,
 * for the time it takes to copy the messages); no signal to laggards
 * (PostgreSQL's catchup interrupt): a reset backend rebuilds lazily.
 */

import { MAX_BACKENDS, SINVAL_MAX_MESSAGES, SINVAL_MSGNUM_WRAPAROUND } from '../../constants.ts';
import { LWLockMode, type LWLockOwner } from '../lmgr/lwlock.ts';
import type { CatCacheId, InvalidationMessage } from '../../utils/cache/inval.ts';
import type { Shmem, ShmemSizer } from './shmem.ts';
import { Assert, elog } from '../../utils/errors.ts';

const REGION = 'SharedInvalidation';
const HEADER_WORDS = 16;
const SLOT_WORDS = 4;
const MSG_WORDS = 4;
const SLOTS_OFF = HEADER_WORDS;
const MSGS_OFF = SLOTS_OFF + MAX_BACKENDS * SLOT_WORDS;
const REGION_WORDS = MSGS_OFF + SINVAL_MAX_MESSAGES * MSG_WORDS;

const H_LOCK = 0;
const H_MIN = 1;
const H_MAX = 2;
const H_RESETS = 3;
const S_INUSE = 0;
const S_NEXT = 1;
const S_RESET = 2;
const M_KIND = 0;
const M_ID = 1;
const M_DB = 2;

const KIND_RELCACHE = 1;
const KIND_CATCACHE = 2;
/** Messages written per lock hold (WRITE_QUANTUM), so a long list does not starve readers. */
const WRITE_QUANTUM = 64;
const MSG_MASK = SINVAL_MAX_MESSAGES - 1;

/** The catalog caches by number in a message (the order is part of the shared layout). */
const CATCACHE_IDS: readonly CatCacheId[] = ['RELNAMENSP', 'NAMESPACE'];

export function sinvalShmemSize(sizer: ShmemSizer): void {
  sizer.add(REGION_WORDS * 4);
}

/** Creates the region (the postmaster): an empty queue, no backend attached. */
export function sinvalShmemInit(shmem: Shmem): void {
  shmem.initStruct(REGION, REGION_WORDS * 4);
}

/** What one receive() did, for tests and statistics. */
export interface SinvalReceiveResult {
  /** Messages applied. */
  messages: number;
  /** Whether this backend had fallen behind and was reset instead. */
  reset: boolean;
}

export class SharedInvalidation {
  private readonly w: Int32Array;
  /** Word index of the region's start. */
  private readonly base: number;
  /** Word index of this backend's slot. */
  private readonly slot: number;
  private attached = true;
  /** Reused by receive(): the raw words of the messages copied under the lock. */
  private readonly copy = new Int32Array(SINVAL_MAX_MESSAGES * MSG_WORDS);

  /**
   * SharedInvalBackendInit: takes the slot of proc number `procno` and
   * starts reading at the end of the queue (a new backend has empty caches,
   * so nothing sent before concerns it).
   */
  constructor(shmem: Shmem, private readonly lw: LWLockOwner, readonly procno: number, private readonly databaseOid: number) {
    const region = shmem.lookup(REGION);
    if (region === undefined) elog('SharedInvalidation is missing from shared memory (sinvalShmemInit was not called)');
    Assert(procno >= 0 && procno < MAX_BACKENDS, `sinval: proc number ${procno} out of range`);
    this.w = shmem.i32;
    this.base = region.offset >> 2;
    this.slot = this.base + SLOTS_OFF + procno * SLOT_WORDS;
    const lock = this.base + H_LOCK;
    lw.acquire(lock, LWLockMode.Exclusive);
    try {
      Assert(this.w[this.slot + S_INUSE] === 0, `sinval slot ${procno} is already in use`);
      this.w[this.slot + S_INUSE] = 1;
      this.w[this.slot + S_NEXT] = this.w[this.base + H_MAX];
      this.w[this.slot + S_RESET] = 0;
    } finally {
      lw.release(lock);
    }
  }

  /**
   * SendSharedInvalidMessages (SIInsertDataEntries): appends a committed
   * transaction's messages. If this backend had read everything before, it
   * also skips past its own messages: it applied them at its commit.
   */
  send(msgs: readonly InvalidationMessage[]): void {
    this.checkAttached();
    const w = this.w;
    const b = this.base;
    let i = 0;
    while (i < msgs.length) {
      const n = Math.min(WRITE_QUANTUM, msgs.length - i);
      this.lw.acquire(b + H_LOCK, LWLockMode.Exclusive);
      try {
        const max = w[b + H_MAX];
        if (max - w[b + H_MIN] + n > SINVAL_MAX_MESSAGES) this.cleanup(n);
        const caughtUp = w[this.slot + S_NEXT] === max && w[this.slot + S_RESET] === 0;
        for (let k = 0; k < n; k++) {
          const at = b + MSGS_OFF + ((max + k) & MSG_MASK) * MSG_WORDS;
          encode(msgs[i + k], w, at, this.databaseOid);
        }
        // Rule 3: the messages are in place before anyone can see the new end.
        Atomics.store(w, b + H_MAX, max + n);
        if (caughtUp) w[this.slot + S_NEXT] = max + n;
        if (w[b + H_MIN] >= SINVAL_MSGNUM_WRAPAROUND) this.wrapAround();
      } finally {
        this.lw.release(b + H_LOCK);
      }
      i += n;
    }
  }

  /**
   * ReceiveSharedInvalidMessages: applies every message this backend has
   * not read yet, or, if it fell behind (rule 2), calls `reset` once
   * instead (InvalidateSystemCaches). The fast path is two atomic loads.
   */
  receive(apply: (msg: InvalidationMessage) => void, reset: () => void): SinvalReceiveResult {
    this.checkAttached();
    const w = this.w;
    const b = this.base;
    if (Atomics.load(w, b + H_MAX) === Atomics.load(w, this.slot + S_NEXT) && Atomics.load(w, this.slot + S_RESET) === 0) {
      return NOTHING;
    }
    let count = 0;
    let wasReset = false;
    this.lw.acquire(b + H_LOCK, LWLockMode.Exclusive);
    try {
      const max = w[b + H_MAX];
      if (w[this.slot + S_RESET] !== 0) {
        wasReset = true;
        w[this.slot + S_RESET] = 0;
      } else {
        const next = w[this.slot + S_NEXT];
        count = max - next;
        Assert(count >= 0 && count <= SINVAL_MAX_MESSAGES, `sinval: ${count} unread messages in a ring of ${SINVAL_MAX_MESSAGES}`);
        for (let k = 0; k < count; k++) {
          const at = b + MSGS_OFF + ((next + k) & MSG_MASK) * MSG_WORDS;
          this.copy[k * MSG_WORDS + M_KIND] = w[at + M_KIND];
          this.copy[k * MSG_WORDS + M_ID] = w[at + M_ID];
          this.copy[k * MSG_WORDS + M_DB] = w[at + M_DB];
        }
      }
      w[this.slot + S_NEXT] = max;
    } finally {
      this.lw.release(b + H_LOCK);
    }
    // Rule 4: applying only drops entries, so it runs after the lock is released.
    if (wasReset) {
      reset();
      return RESET;
    }
    let applied = 0;
    for (let k = 0; k < count; k++) {
      const db = this.copy[k * MSG_WORDS + M_DB] >>> 0;
      if (db !== 0 && db !== this.databaseOid) continue;
      apply(decode(this.copy, k * MSG_WORDS));
      applied++;
    }
    return { messages: applied, reset: false };
  }

  /** Whether another backend sent messages this backend has not read (SIGetDataEntries' unlocked check). */
  hasMessages(): boolean {
    const w = this.w;
    return Atomics.load(w, this.base + H_MAX) !== Atomics.load(w, this.slot + S_NEXT) || Atomics.load(w, this.slot + S_RESET) !== 0;
  }

  /** Backends reset so far, by any writer. */
  get resets(): number {
    return Atomics.load(this.w, this.base + H_RESETS);
  }

  /** CleanupInvalidationState: gives the slot back; this backend no longer holds messages back. */
  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    const lock = this.base + H_LOCK;
    this.lw.acquire(lock, LWLockMode.Exclusive);
    try {
      this.w[this.slot + S_INUSE] = 0;
      this.w[this.slot + S_RESET] = 0;
    } finally {
      this.lw.release(lock);
    }
  }

  private checkAttached(): void {
    if (!this.attached) elog('sinval: this backend has detached from the invalidation queue');
  }

  /**
   * SICleanupQueue, with SInvalLock held: makes room for `minFree` more
   * messages by marking for reset every backend that has not read past the
   * messages that room needs, then recomputes minMsgNum over the rest.
   */
  private cleanup(minFree: number): void {
    const w = this.w;
    const b = this.base;
    const max = w[b + H_MAX];
    const lowbound = max - SINVAL_MAX_MESSAGES + minFree;
    let min = max;
    for (let p = 0; p < MAX_BACKENDS; p++) {
      const s = b + SLOTS_OFF + p * SLOT_WORDS;
      if (w[s + S_INUSE] === 0 || w[s + S_RESET] !== 0) continue;
      const next = w[s + S_NEXT];
      if (next < lowbound) {
        w[s + S_RESET] = 1;
        w[b + H_RESETS]++;
      } else if (next < min) {
        min = next;
      }
    }
    w[b + H_MIN] = min;
  }

  /** Lowers every message number by SINVAL_MSGNUM_WRAPAROUND (ring positions stay, see constants.ts). */
  private wrapAround(): void {
    const w = this.w;
    const b = this.base;
    w[b + H_MIN] -= SINVAL_MSGNUM_WRAPAROUND;
    Atomics.store(w, b + H_MAX, w[b + H_MAX] - SINVAL_MSGNUM_WRAPAROUND);
    for (let p = 0; p < MAX_BACKENDS; p++) {
      const s = b + SLOTS_OFF + p * SLOT_WORDS;
      if (w[s + S_INUSE] !== 0) w[s + S_NEXT] -= SINVAL_MSGNUM_WRAPAROUND;
    }
  }
}

const NOTHING: SinvalReceiveResult = Object.freeze({ messages: 0, reset: false });
const RESET: SinvalReceiveResult = Object.freeze({ messages: 0, reset: true });

function encode(msg: InvalidationMessage, w: Int32Array, at: number, databaseOid: number): void {
  if (msg.kind === 'relcache') {
    w[at + M_KIND] = KIND_RELCACHE;
    w[at + M_ID] = msg.relId | 0;
  } else {
    const id = CATCACHE_IDS.indexOf(msg.cacheId);
    Assert(id >= 0, `sinval: catalog cache ${msg.cacheId} has no message number`);
    w[at + M_KIND] = KIND_CATCACHE;
    w[at + M_ID] = id;
  }
  w[at + M_DB] = databaseOid | 0;
}

function decode(words: Int32Array, at: number): InvalidationMessage {
  const kind = words[at + M_KIND];
  const id = words[at + M_ID];
  if (kind === KIND_RELCACHE) return { kind: 'relcache', relId: id >>> 0 };
  if (kind === KIND_CATCACHE && id >= 0 && id < CATCACHE_IDS.length) return { kind: 'catcache', cacheId: CATCACHE_IDS[id] };
  return elog(`sinval: unknown message kind ${kind} (id ${id})`);
}
