/*
 * deadlock.ts — deadlock detection over the shared lock table
 * (PostgreSQL's deadlock.c).
 *
 * Exports: DeadLockState, DeadLockResult, deadLockCheck, applyWaitOrders.
 *
 * Runs in a backend that has waited deadlock_timeout for a lock, with every
 * lock-table partition lock held exclusively, so the graph cannot change
 * underneath it. The wait-for graph has an edge from each waiter P to:
 *
 *   - hard edges: every other backend holding a mode that conflicts with
 *     P's request. Only an abort removes them.
 *   - soft edges: every backend queued ahead of P for the same lock whose
 *     request conflicts with P's. Reordering the queue removes them.
 *
 * A cycle through the checking backend with only hard edges is a deadlock.
 * A cycle with soft edges may be broken by moving a waiter ahead of the
 * one it waits behind: the detector searches, depth first, for a set of
 * such constraints ("waiter before blocker") under which every wait queue
 * still has a topological order and no cycle through the checker or the
 * constrained backends remains. If it finds one, the queues are rewritten
 * in that order and whoever can go is woken (a "soft deadlock"); if not, it
 * is a hard deadlock, reported with the cycle as it is without any
 * rearrangement.
 *
 * Differences from PostgreSQL: no lock groups (parallel query) and no
 * autovacuum cancellation; the search is bounded by
 * DEADLOCK_MAX_CONSTRAINTS and DEADLOCK_MAX_CONFIGURATIONS instead of the
 * size of preallocated arrays. Choosing the victim is the caller's business
 * (lock.ts aborts the youngest transaction of the cycle; PostgreSQL aborts
 * the checker).
 */

import { DEADLOCK_MAX_CONFIGURATIONS, DEADLOCK_MAX_CONSTRAINTS, MAX_BACKENDS } from '../../constants.ts';
import { Assert } from '../../utils/errors.ts';
import { LOCK_CONFLICTS, lockbit } from './lockdefs.ts';
import { LK_PROCLOCKS, PLK_HOLD_MASK, PLK_LOCK_NEXT, PLK_PROCNO, type LockTable } from './lock_table.ts';

export const enum DeadLockState {
  /** No cycle through the checker. */
  NoDeadlock = 0,
  /** A cycle with soft edges, broken by rearranging wait queues (already done). */
  SoftDeadlock = 1,
  /** A cycle that only an abort breaks. */
  HardDeadlock = 2,
}

/** One member of a cycle: `procno` waits for `mode` of LOCK `lock` and is blocked by the next member. */
export interface DeadLockMember {
  procno: number;
  lock: number;
  mode: number;
}

export interface DeadLockResult {
  state: DeadLockState;
  /** For a hard deadlock: the cycle, starting at the checker. */
  cycle: DeadLockMember[];
}

/** A soft edge on a cycle, or a constraint reversing one: `waiter` is to be queued before `blocker` on `lock`. */
interface Edge {
  waiter: number;
  blocker: number;
  lock: number;
}

/** DeadLockCheck: looks for a deadlock involving `procno`; rearranges wait queues when that resolves a soft one. */
export function deadLockCheck(table: LockTable, procno: number): DeadLockResult {
  const c = new DeadLockChecker(table);
  if (c.checkRecurse(procno)) {
    // Report the cycle as the queues really are, without trial rearrangements.
    c.waitOrders.clear();
    const soft: Edge[] = [];
    Assert(c.findLockCycle(procno, soft), 'deadlock seems to have disappeared');
    return { state: DeadLockState.HardDeadlock, cycle: c.details.slice(0, c.nDetails) };
  }
  if (c.waitOrders.size === 0) return { state: DeadLockState.NoDeadlock, cycle: [] };
  applyWaitOrders(table, c.waitOrders);
  return { state: DeadLockState.SoftDeadlock, cycle: [] };
}

/** Installs rearranged wait queues (procnos in their new order) and wakes whoever can go now. */
export function applyWaitOrders(table: LockTable, orders: ReadonlyMap<number, readonly number[]>): void {
  for (const [lock, procs] of orders) {
    table.rewriteQueue(
      lock,
      procs.map((p) => table.waitProcLockOf(p)),
    );
    table.procLockWakeup(lock);
  }
}

class DeadLockChecker {
  /** Procs visited by the current FindLockCycle, marked with its generation. */
  private readonly visited = new Int32Array(MAX_BACKENDS);
  private generation = 0;
  private startProc = -1;
  /** The cycle found last: details[0] is the start, each blocked by the next. */
  readonly details: DeadLockMember[] = [];
  nDetails = 0;
  /** Constraints being tried (curConstraints). */
  private readonly constraints: Edge[] = [];
  /** Rearranged queues implied by the constraints: LOCK -> procnos in queue order. */
  readonly waitOrders = new Map<number, number[]>();
  private configurations = 0;
  private readonly scratch = new Int32Array(MAX_BACKENDS);

  constructor(private readonly t: LockTable) {}

  /**
   * DeadLockCheckRecurse: true if no rearrangement reachable by adding
   * constraints to the current ones avoids a deadlock.
   */
  checkRecurse(start: number): boolean {
    const edges = this.testConfiguration(start);
    if (edges === null) return true; // a hard cycle, or constraints that cannot be satisfied
    if (edges.length === 0) return false; // this configuration is free of cycles
    if (this.constraints.length >= DEADLOCK_MAX_CONSTRAINTS) return true;
    for (const e of edges) {
      this.constraints.push(e);
      if (!this.checkRecurse(start)) return false;
      this.constraints.pop();
    }
    return true;
  }

  /**
   * TestConfiguration: under the current constraints, null when a cycle
   * with only hard edges exists (or the constraints contradict each other),
   * otherwise the soft edges of some remaining cycle (empty: none remains).
   * Cycles through the start and through every constrained backend count,
   * since moving a waiter may close a cycle elsewhere.
   */
  private testConfiguration(start: number): Edge[] | null {
    if (++this.configurations > DEADLOCK_MAX_CONFIGURATIONS) return null;
    if (!this.expandConstraints()) return null;
    let found: Edge[] = [];
    const soft: Edge[] = [];
    const check = (p: number): boolean => {
      if (!this.findLockCycle(p, soft)) return true;
      if (soft.length === 0) return false;
      found = soft.slice();
      return true;
    };
    if (!check(start)) return null;
    for (let i = 0; i < this.constraints.length; i++) {
      if (!check(this.constraints[i].waiter) || !check(this.constraints[i].blocker)) return null;
    }
    return found;
  }

  /**
   * ExpandConstraints: turns the constraints into a new order for each
   * affected wait queue (newest constraints first, as PostgreSQL does);
   * false when some queue has no order satisfying them.
   */
  private expandConstraints(): boolean {
    this.waitOrders.clear();
    for (let i = this.constraints.length - 1; i >= 0; i--) {
      const lock = this.constraints[i].lock;
      if (this.waitOrders.has(lock)) continue;
      const order = this.topoSort(lock);
      if (order === null) return false;
      this.waitOrders.set(lock, order);
    }
    return true;
  }

  /**
   * TopoSort: the lock's waiters in an order where every constrained waiter
   * precedes its blocker, otherwise as close to the current order as
   * possible (at each step the earliest waiter whose predecessors are out).
   */
  private topoSort(lock: number): number[] | null {
    const n = this.t.waitQueue(lock, this.scratch);
    const pending: number[] = [];
    for (let i = 0; i < n; i++) pending.push(this.procOfProcLock(this.scratch[i]));
    const cons = this.constraints.filter((e) => e.lock === lock);
    const out: number[] = [];
    while (pending.length > 0) {
      let pick = -1;
      for (let i = 0; i < pending.length && pick < 0; i++) {
        const q = pending[i];
        if (!cons.some((e) => e.blocker === q && pending.includes(e.waiter))) pick = i;
      }
      if (pick < 0) return null;
      out.push(pending[pick]);
      pending.splice(pick, 1);
    }
    return out;
  }

  private procOfProcLock(pl: number): number {
    return this.t.w[this.t.procLockWord(pl) + PLK_PROCNO];
  }

  /**
   * FindLockCycle: is there a cycle of waits leading from `start` back to
   * itself? Fills `details` with it and `soft` with its soft edges.
   */
  findLockCycle(start: number, soft: Edge[]): boolean {
    this.generation++;
    this.startProc = start;
    soft.length = 0;
    this.nDetails = 0;
    return this.recurse(start, 0, soft);
  }

  private recurse(p: number, depth: number, soft: Edge[]): boolean {
    if (this.visited[p] === this.generation) {
      // Back at the start: a cycle. Anywhere else: a cycle not through the start, or a
      // backend already explored without finding one; either way not ours.
      if (p !== this.startProc) return false;
      this.nDetails = depth;
      return true;
    }
    this.visited[p] = this.generation;
    return this.recurseMember(p, depth, soft);
  }

  private recurseMember(p: number, depth: number, soft: Edge[]): boolean {
    const t = this.t;
    const w = t.w;
    const lock = t.waitingFor(p);
    if (lock < 0) return false;
    const mode = t.waitModeOf(p);
    const conflictMask = LOCK_CONFLICTS[mode];
    // Hard edges: holders of conflicting modes.
    for (let n = w[t.lockWord(lock) + LK_PROCLOCKS]; n !== 0; n = w[t.procLockWord(n - 1) + PLK_LOCK_NEXT]) {
      const plb = t.procLockWord(n - 1);
      const q = w[plb + PLK_PROCNO];
      if (q === p || (w[plb + PLK_HOLD_MASK] & conflictMask) === 0) continue;
      if (this.recurse(q, depth + 1, soft)) {
        this.record(depth, p, lock, mode);
        return true;
      }
    }
    // Soft edges: conflicting waiters ahead of p, in the (possibly rearranged) queue.
    const order = this.waitOrders.get(lock) ?? this.currentQueue(lock);
    for (const q of order) {
      if (q === p) break;
      if ((conflictMask & lockbit(t.waitModeOf(q))) === 0) continue;
      if (this.recurse(q, depth + 1, soft)) {
        this.record(depth, p, lock, mode);
        soft.push({ waiter: p, blocker: q, lock });
        return true;
      }
    }
    return false;
  }

  private currentQueue(lock: number): number[] {
    const n = this.t.waitQueue(lock, this.scratch);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.procOfProcLock(this.scratch[i]));
    return out;
  }

  private record(depth: number, procno: number, lock: number, mode: number): void {
    this.details[depth] = { procno, lock, mode };
  }
}
