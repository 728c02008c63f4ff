/*
 * predicate_release.ts — the life of SERIALIZABLEXACT records after their
 * transaction ends: the pool, the XID hash, clearing what no running
 * transaction can need, and summarizing the oldest committed transaction
 * when the pool runs out (PostgreSQL's predicate.c: CreatePredXact,
 * ReleasePredXact, SetNewSxactGlobalXmin, ClearOldPredicateLocks,
 * ReleaseOneSerializableXact, SummarizeOldestCommittedSxact).
 *
 * Exports: PredCtx, createPredXact, releasePredXact, findSxactByXid,
 * registerSxactXid, setNewSxactGlobalXmin, clearOldPredicateLocks,
 * releaseOneSerializableXact, summarizeOldestCommittedSxact,
 * addToFinished, FirstNormalSerCommitSeqNo.
 *
 * A committed SERIALIZABLEXACT stays, with its SIREAD locks and conflicts,
 * while a serializable transaction that overlapped it runs (README.md rule
 * 5). A long-running serializable transaction therefore pins every
 * transaction that commits after it began. When a new serializable
 * transaction finds the pool empty, the oldest committed one is
 * summarized instead of failing:
 *
 *   committed sxact --summarizeOldestCommittedSxact-->
 *     SIREAD locks  -> folded into OldCommittedSxact's (one per target,
 *                      keeping the latest commitSeqNo and finishedBefore)
 *     conflicts out -> the writers get SUMMARY_CONFLICT_IN, records freed
 *     conflicts in  -> the readers get SUMMARY_CONFLICT_OUT, records freed
 *     topXid        -> pg_serial: its earliest out-conflict commit number
 *                      (predicate_serial.ts), for readers that meet its writes
 *     record        -> free list
 *
 * Only committed transactions are summarized; a pool full of running ones
 * (only possible when it is smaller than the number of backends, which
 * tests arrange) is 53200 at registration.
 *
 * Everything here runs with the predicate lock table's LWLock held.
 */

import { transactionIdPrecedes, transactionIdPrecedesOrEquals, type TransactionId } from '../../access/transam/transam.ts';
import { Assert } from '../../utils/errors.ts';
import { releasePossibleUnsafe } from './predicate_conflict.ts';
import {
  H_ACTIVE_HEAD, H_FIN_HEAD, H_FIN_TAIL, H_GLOBAL_XMIN, H_GLOBAL_XMIN_COUNT, H_SUMMARIZED, H_SXACT_FREE, H_SXACTS_USED,
  HF_CAN_PARTIAL_CLEAR, HF_HAVE_PARTIAL_CLEARED, LK_FINISHED_BEFORE, LK_S_NEXT, PredShared, SX_FIN_NEXT,
  SX_FINISHED_BEFORE, SX_FLAGS, SX_IN_HEAD, SX_LOCK_HEAD, SX_NEXT, SX_ON_FIN, SX_OUT_HEAD, SX_PREV, SX_TOPXID,
  SX_UNSAFE_OUT_HEAD, SX_XID_NEXT, SX_XMIN, SXACT_FLAG_COMMITTED, SXACT_FLAG_CONFLICT_OUT, SXACT_FLAG_READ_ONLY,
  SXACT_FLAG_ROLLED_BACK, SXACT_FLAG_SUMMARY_CONFLICT_IN, SXACT_FLAG_SUMMARY_CONFLICT_OUT, SXF_COMMIT_SEQ,
  SXF_EARLIEST_OUT_CONFLICT_COMMIT, CF_IN, CF_OUT,
} from './predicate_internals.ts';
import { SERIAL_NO_CONFLICT, type SerialLog } from './predicate_serial.ts';

/** The first commit sequence number ever assigned (FirstNormalSerCommitSeqNo): "some time before anything running". */
export const FirstNormalSerCommitSeqNo = 1;

/** The shared structures a cleanup step touches. */
export interface PredCtx {
  s: PredShared;
  serial: SerialLog;
}

/** CreatePredXact: a record off the free list, onto the active list; 0 when the pool is empty. */
export function createPredXact(s: PredShared): number {
  const sx = s.hget(H_SXACT_FREE);
  if (sx === 0) return 0;
  s.hset(H_SXACT_FREE, s.sget(sx, SX_NEXT));
  s.hset(H_SXACTS_USED, s.hget(H_SXACTS_USED) + 1);
  const head = s.hget(H_ACTIVE_HEAD);
  s.sset(sx, SX_PREV, 0);
  s.sset(sx, SX_NEXT, head);
  if (head !== 0) s.sset(head, SX_PREV, sx);
  s.hset(H_ACTIVE_HEAD, sx);
  return sx;
}

/** ReleasePredXact: off the active list, onto the free list. */
export function releasePredXact(s: PredShared, sx: number): void {
  const prev = s.sget(sx, SX_PREV);
  const next = s.sget(sx, SX_NEXT);
  if (prev !== 0) s.sset(prev, SX_NEXT, next);
  else s.hset(H_ACTIVE_HEAD, next);
  if (next !== 0) s.sset(next, SX_PREV, prev);
  s.sset(sx, SX_FLAGS, 0);
  s.sset(sx, SX_TOPXID, 0);
  s.sset(sx, SX_PREV, 0);
  s.sset(sx, SX_NEXT, s.hget(H_SXACT_FREE));
  s.hset(H_SXACT_FREE, sx);
  s.hset(H_SXACTS_USED, s.hget(H_SXACTS_USED) - 1);
}

/** SerializableXidHash lookup: the record of top-level `xid`, 0 when none is in memory. */
export function findSxactByXid(s: PredShared, xid: TransactionId): number {
  for (let sx = s.w[s.xidBucket(xid)]; sx !== 0; sx = s.sget(sx, SX_XID_NEXT)) {
    if (s.sget(sx, SX_TOPXID) === xid) return sx;
  }
  return 0;
}

/** RegisterPredicateLockingXid's hash insert. */
export function registerSxactXid(s: PredShared, sx: number, xid: TransactionId): void {
  s.sset(sx, SX_TOPXID, xid);
  const b = s.xidBucket(xid);
  s.sset(sx, SX_XID_NEXT, s.w[b]);
  s.w[b] = sx;
}

function removeXid(s: PredShared, sx: number): void {
  const xid = s.sget(sx, SX_TOPXID);
  if (xid === 0) return;
  const b = s.xidBucket(xid);
  let prev = 0;
  for (let cur = s.w[b]; cur !== 0; prev = cur, cur = s.sget(cur, SX_XID_NEXT)) {
    if (cur !== sx) continue;
    if (prev === 0) s.w[b] = s.sget(cur, SX_XID_NEXT);
    else s.sset(prev, SX_XID_NEXT, s.sget(cur, SX_XID_NEXT));
    return;
  }
}

/** FinishedSerializableTransactions, in commit order: a committed transaction joins at the tail. */
export function addToFinished(s: PredShared, sx: number): void {
  s.sset(sx, SX_FIN_NEXT, 0);
  s.sset(sx, SX_ON_FIN, 1);
  const tail = s.hget(H_FIN_TAIL);
  if (tail === 0) s.hset(H_FIN_HEAD, sx);
  else s.sset(tail, SX_FIN_NEXT, sx);
  s.hset(H_FIN_TAIL, sx);
}

/** Takes the head of the finished list off (always the head: the list is consumed in order). */
function removeFromFinished(s: PredShared, sx: number): void {
  Assert(s.hget(H_FIN_HEAD) === sx, 'finished transactions are released in commit order');
  const next = s.sget(sx, SX_FIN_NEXT);
  s.hset(H_FIN_HEAD, next);
  if (next === 0) s.hset(H_FIN_TAIL, 0);
  s.sset(sx, SX_ON_FIN, 0);
  s.sset(sx, SX_FIN_NEXT, 0);
}

/**
 * SetNewSxactGlobalXmin: the oldest snapshot xmin of running (not
 * committed, not rolled back) serializable transactions, and how many
 * have it; pg_serial's tail follows it.
 */
export function setNewSxactGlobalXmin(c: PredCtx): void {
  const s = c.s;
  let gx = 0;
  let count = 0;
  for (let sx = s.hget(H_ACTIVE_HEAD); sx !== 0; sx = s.sget(sx, SX_NEXT)) {
    if ((s.flags(sx) & (SXACT_FLAG_COMMITTED | SXACT_FLAG_ROLLED_BACK)) !== 0) continue;
    const x = s.sget(sx, SX_XMIN);
    if (gx === 0 || transactionIdPrecedes(x, gx)) {
      gx = x;
      count = 1;
    } else if (x === gx) {
      count++;
    }
  }
  s.hset(H_GLOBAL_XMIN, gx);
  s.hset(H_GLOBAL_XMIN_COUNT, count);
  c.serial.setActiveSerXmin(gx);
}

/**
 * ClearOldPredicateLocks: committed transactions that finished before
 * every running serializable transaction's snapshot are forgotten; those
 * only read-only transactions can still see lose their locks and
 * in-conflicts (read-write ones) or everything (read-only ones). The
 * dummy's locks go on the same two grounds: every transaction folded into
 * one finished before every running snapshot, or committed before the
 * last read-write serializable transaction ended.
 */
export function clearOldPredicateLocks(c: PredCtx): void {
  const s = c.s;
  const gx = s.hget(H_GLOBAL_XMIN);
  for (let sx = s.hget(H_FIN_HEAD); sx !== 0;) {
    const next = s.sget(sx, SX_FIN_NEXT);
    const commitSeq = s.sfget(sx, SXF_COMMIT_SEQ);
    if (gx === 0 || transactionIdPrecedesOrEquals(s.sget(sx, SX_FINISHED_BEFORE), gx)) {
      removeFromFinished(s, sx);
      releaseOneSerializableXact(c, sx, false, false);
    } else if (commitSeq > s.hfget(HF_HAVE_PARTIAL_CLEARED) && commitSeq <= s.hfget(HF_CAN_PARTIAL_CLEAR)) {
      if ((s.flags(sx) & SXACT_FLAG_READ_ONLY) !== 0) {
        removeFromFinished(s, sx);
        releaseOneSerializableXact(c, sx, false, false);
      } else {
        releaseOneSerializableXact(c, sx, true, false);
      }
      s.hfset(HF_HAVE_PARTIAL_CLEARED, commitSeq);
    } else {
      break;
    }
    sx = next;
  }
  const canPartialClear = s.hfget(HF_CAN_PARTIAL_CLEAR);
  for (let lk = s.sget(s.oldCommitted, SX_LOCK_HEAD); lk !== 0;) {
    const next = s.lget(lk, LK_S_NEXT);
    if (
      s.lfget(lk) <= canPartialClear ||
      gx === 0 ||
      transactionIdPrecedesOrEquals(s.lget(lk, LK_FINISHED_BEFORE), gx)
    ) {
      s.freeLock(lk);
    }
    lk = next;
  }
}

/**
 * ReleaseOneSerializableXact: its SIREAD locks and in-conflicts go; unless
 * `partial`, also its out-conflicts, its XID mapping and the record itself.
 * With `summarize` the locks are folded into OldCommittedSxact and the
 * other ends of its conflicts keep a summary flag (see the header).
 */
export function releaseOneSerializableXact(c: PredCtx, sx: number, partial: boolean, summarize: boolean): void {
  const s = c.s;
  if (summarize) {
    const commitSeq = s.sfget(sx, SXF_COMMIT_SEQ);
    const finishedBefore = s.sget(sx, SX_FINISHED_BEFORE);
    while (s.sget(sx, SX_LOCK_HEAD) !== 0) s.foldLockIntoOldCommitted(s.sget(sx, SX_LOCK_HEAD), commitSeq, finishedBefore);
  } else {
    while (s.sget(sx, SX_LOCK_HEAD) !== 0) s.freeLock(s.sget(sx, SX_LOCK_HEAD));
  }
  if (!partial) {
    for (let cf = s.sget(sx, SX_OUT_HEAD); cf !== 0; cf = s.sget(sx, SX_OUT_HEAD)) {
      if (summarize) s.orFlags(s.cget(cf, CF_IN), SXACT_FLAG_SUMMARY_CONFLICT_IN);
      s.releaseConflict(cf, false);
    }
  }
  for (let cf = s.sget(sx, SX_IN_HEAD); cf !== 0; cf = s.sget(sx, SX_IN_HEAD)) {
    if (summarize) s.orFlags(s.cget(cf, CF_OUT), SXACT_FLAG_SUMMARY_CONFLICT_OUT);
    s.releaseConflict(cf, false);
  }
  if (partial) return;
  while (s.sget(sx, SX_UNSAFE_OUT_HEAD) !== 0) s.releaseConflict(s.sget(sx, SX_UNSAFE_OUT_HEAD), true);
  releasePossibleUnsafe(s, sx);
  removeXid(s, sx);
  releasePredXact(s, sx);
}

/**
 * SummarizeOldestCommittedSxact: frees the record of the oldest committed
 * transaction still kept, keeping what later transactions need of it
 * (header). Returns false when no committed transaction is kept: the pool
 * is full of running ones.
 */
export function summarizeOldestCommittedSxact(c: PredCtx): boolean {
  const s = c.s;
  const sx = s.hget(H_FIN_HEAD);
  if (sx === 0) return false;
  removeFromFinished(s, sx);
  const xid = s.sget(sx, SX_TOPXID);
  const fl = s.flags(sx);
  // A read-only transaction wrote nothing a later reader could meet.
  if (xid !== 0 && (fl & SXACT_FLAG_READ_ONLY) === 0) {
    c.serial.add(xid, (fl & SXACT_FLAG_CONFLICT_OUT) !== 0 ? s.sfget(sx, SXF_EARLIEST_OUT_CONFLICT_COMMIT) : SERIAL_NO_CONFLICT);
  }
  releaseOneSerializableXact(c, sx, false, true);
  s.hset(H_SUMMARIZED, s.hget(H_SUMMARIZED) + 1);
  return true;
}
