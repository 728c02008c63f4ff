import { describe, expect, it } from 'vitest';
import {
  FirstNormalTransactionId,
  FrozenTransactionId,
  InvalidTransactionId,
  TRANSACTION_STATUS_ABORTED,
  TRANSACTION_STATUS_COMMITTED,
  TRANSACTION_STATUS_IN_PROGRESS,
  TRANSACTION_STATUS_SUB_COMMITTED,
  TransamStatus,
  epochFromFull,
  fullTransactionId,
  fullTransactionIdAdvance,
  fullXidRelativeTo,
  transactionIdAdvance,
  transactionIdFollows,
  transactionIdFollowsOrEquals,
  transactionIdLatest,
  transactionIdPrecedes,
  transactionIdPrecedesOrEquals,
  transactionIdRetreat,
  xidFromFull,
  type ClogAccess,
  type SubTransAccess,
  type XidStatus,
} from './transam.ts';

const MAX = 0xffffffff;

describe('TransactionId comparisons', () => {
  it('compares normal XIDs modulo 2^32', () => {
    expect(transactionIdPrecedes(100, 200)).toBe(true);
    expect(transactionIdPrecedes(200, 100)).toBe(false);
    // Across the wrap: 2^32 - 10 is older than 5.
    expect(transactionIdPrecedes(MAX - 10, 5)).toBe(true);
    expect(transactionIdFollows(5, MAX - 10)).toBe(true);
    // 2^31 - 1 ahead is still the future; 2^31 + 1 ahead is the past. At exactly
    // 2^31 each precedes the other (PostgreSQL's int32 cast gives INT_MIN both ways).
    expect(transactionIdPrecedes(3, 3 + 2 ** 31 - 1)).toBe(true);
    expect(transactionIdPrecedes(3, (3 + 2 ** 31 + 1) >>> 0)).toBe(false);
    expect(transactionIdPrecedes(3, (3 + 2 ** 31) >>> 0)).toBe(true);
    expect(transactionIdPrecedes((3 + 2 ** 31) >>> 0, 3)).toBe(true);
    expect(transactionIdPrecedesOrEquals(7, 7)).toBe(true);
    expect(transactionIdFollowsOrEquals(7, 7)).toBe(true);
  });

  it('treats permanent XIDs as older than every normal XID', () => {
    expect(transactionIdPrecedes(FrozenTransactionId, MAX)).toBe(true);
    expect(transactionIdPrecedes(FrozenTransactionId, FirstNormalTransactionId)).toBe(true);
    expect(transactionIdPrecedes(MAX, FrozenTransactionId)).toBe(false);
    expect(transactionIdPrecedes(InvalidTransactionId, 1)).toBe(true);
  });

  it('advances and retreats past the permanent XIDs', () => {
    expect(transactionIdAdvance(MAX)).toBe(FirstNormalTransactionId);
    expect(transactionIdAdvance(MAX - 1)).toBe(MAX);
    expect(transactionIdRetreat(FirstNormalTransactionId)).toBe(MAX);
    expect(transactionIdRetreat(10)).toBe(9);
  });

  it('finds the latest XID of a tree across the wrap', () => {
    expect(transactionIdLatest(MAX - 1, [MAX, 3, 4])).toBe(4);
    expect(transactionIdLatest(10, [])).toBe(10);
  });
});

describe('FullTransactionId', () => {
  it('packs epoch and XID into one exact number', () => {
    const f = fullTransactionId(7, 123);
    expect(epochFromFull(f)).toBe(7);
    expect(xidFromFull(f)).toBe(123);
    expect(Number.isSafeInteger(fullTransactionId(2 ** 20, MAX))).toBe(true);
  });

  it('skips XIDs 0..2 when the epoch changes', () => {
    const last = fullTransactionId(0, MAX);
    const next = fullTransactionIdAdvance(last);
    expect(epochFromFull(next)).toBe(1);
    expect(xidFromFull(next)).toBe(FirstNormalTransactionId);
    expect(fullTransactionIdAdvance(0)).toBe(1); // bootstrap counts through them in epoch 0
  });

  it('widens a 32-bit XID relative to a nearby full XID', () => {
    const rel = fullTransactionId(3, 10);
    expect(fullXidRelativeTo(rel, MAX - 5)).toBe(fullTransactionId(2, MAX - 5));
    expect(fullXidRelativeTo(rel, 20)).toBe(fullTransactionId(3, 20));
  });
});

class FakeClog implements ClogAccess {
  readonly status = new Map<number, XidStatus>();
  lastStatusLsn = 0;
  reads = 0;
  getStatus(xid: number): XidStatus {
    this.reads++;
    return this.status.get(xid) ?? TRANSACTION_STATUS_IN_PROGRESS;
  }
  setTreeStatus(xid: number, subxids: ArrayLike<number>, n: number, status: XidStatus): void {
    this.status.set(xid, status);
    for (let i = 0; i < n; i++) this.status.set(subxids[i], status);
  }
}

class FakeSubtrans implements SubTransAccess {
  readonly parents = new Map<number, number>();
  getParent(xid: number): number {
    return this.parents.get(xid) ?? 0;
  }
  getTopmostTransaction(xid: number): number {
    let x = xid;
    while (this.parents.has(x)) x = this.parents.get(x)!;
    return x;
  }
}

describe('TransamStatus', () => {
  it('answers for the permanent XIDs without CLOG', () => {
    const clog = new FakeClog();
    const st = new TransamStatus(clog, new FakeSubtrans());
    expect(st.didCommit(FrozenTransactionId)).toBe(true);
    expect(st.didCommit(1)).toBe(true);
    expect(st.didAbort(InvalidTransactionId)).toBe(true);
    expect(clog.reads).toBe(0);
  });

  it('resolves SUB_COMMITTED through the parent', () => {
    const clog = new FakeClog();
    const sub = new FakeSubtrans();
    const st = new TransamStatus(clog, sub);
    clog.status.set(100, TRANSACTION_STATUS_IN_PROGRESS);
    clog.status.set(101, TRANSACTION_STATUS_SUB_COMMITTED);
    clog.status.set(102, TRANSACTION_STATUS_SUB_COMMITTED);
    sub.parents.set(101, 100);
    sub.parents.set(102, 101);
    expect(st.didCommit(102)).toBe(false);
    expect(st.didAbort(102)).toBe(false);
    clog.status.set(100, TRANSACTION_STATUS_COMMITTED);
    expect(st.didCommit(102)).toBe(true);
    clog.status.set(100, TRANSACTION_STATUS_ABORTED);
    // 100 was cached as committed: a final status never changes in real life. A new lookup object sees the change.
    const fresh = new TransamStatus(clog, sub);
    expect(fresh.didAbort(102)).toBe(true);
  });

  it('treats a SUB_COMMITTED XID older than TransactionXmin as aborted (its parent crashed)', () => {
    const clog = new FakeClog();
    const st = new TransamStatus(clog, new FakeSubtrans());
    clog.status.set(50, TRANSACTION_STATUS_SUB_COMMITTED);
    st.transactionXmin = 60;
    expect(st.didCommit(50)).toBe(false);
    expect(st.didAbort(50)).toBe(true);
  });

  it('caches only final statuses', () => {
    const clog = new FakeClog();
    const st = new TransamStatus(clog, new FakeSubtrans());
    clog.status.set(10, TRANSACTION_STATUS_COMMITTED);
    st.didCommit(10);
    st.didCommit(10);
    expect(clog.reads).toBe(1);
    expect(st.isKnownCompleted(10)).toBe(true);
    st.didCommit(11); // in progress: not cached
    st.didCommit(11);
    expect(clog.reads).toBe(3);
    expect(st.isKnownCompleted(11)).toBe(false);
  });
});
