import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { PgError } from '../../utils/errors.ts';
import { initDirtySnapshot } from '../../utils/time/snapmgr.ts';
import {
  HEAP_COMBOCID,
  HEAP_XMAX_COMMITTED,
  HEAP_XMAX_EXCL_LOCK,
  HEAP_XMAX_INVALID,
  HEAP_XMAX_IS_MULTI,
  HEAP_XMAX_LOCK_ONLY,
  HEAP_XMIN_COMMITTED,
  HEAP_XMIN_FROZEN,
  HEAP_XMIN_INVALID,
  htupGetInfomask,
  htupOrInfomask,
  htupSetCid,
  htupSetCtid,
  htupSetInfomask,
  htupSetXmax,
  htupSetXmin,
} from '../common/htup_details.ts';
import { makeTid } from '../common/itemptr.ts';
import type { TransamWal } from '../transam/transam.ts';
import { attachTransam, bootstrapTransam, detachTransam, transamShmemInit, transamShmemSize, XACT_REPEATABLE_READ, type TransamBackend } from '../transam/xact.ts';
import { HeapVisibility, HTSV_Result, TM_Result } from './heapam_visibility.ts';

class FakeWal implements TransamWal {
  pos = 1000;
  flushed = 1000;
  insertRecord(_rmid: number, _info: number, data: Uint8Array): number {
    this.pos += 24 + Math.ceil(data.length / 8) * 8;
    return this.pos;
  }
  flush(lsn: number): void {
    if (lsn > this.flushed) this.flushed = lsn;
  }
  needsFlush(lsn: number): boolean {
    return lsn > this.flushed;
  }
  setAsyncXactLsn(): void {}
  logNextOid(): void {}
}

interface Env {
  wal: FakeWal;
  a: TransamBackend;
  b: TransamBackend;
  visA: HeapVisibility;
  visB: HeapVisibility;
  dirtied: number[];
}

function setup(opts: { asyncB?: boolean } = {}): Env {
  const sizer = new ShmemSizer();
  transamShmemSize(sizer);
  const shmem = Shmem.create(sizer.size);
  transamShmemInit(shmem);
  const dir = new MemoryDirectory();
  const wal = new FakeWal();
  const mk = (pid: number, async = false): TransamBackend =>
    attachTransam({ shmem, lw: new LWLockOwner(shmem.i32), dir, wal, pid, databaseOid: 5, settings: { synchronousCommit: !async } });
  const boot = mk(1);
  bootstrapTransam(boot);
  detachTransam(boot);
  const a = mk(10);
  const b = mk(11, opts.asyncB === true);
  const dirtied: number[] = [];
  const vis = (t: TransamBackend): HeapVisibility =>
    new HeapVisibility({
      xact: t.xact,
      status: t.status,
      procArray: t.procArray,
      subtrans: t.subtrans,
      combo: t.xact.combo,
      snapmgr: t.xact.snapmgr,
      needsFlush: (lsn) => wal.needsFlush(lsn),
      markBufferDirtyHint: (buf) => dirtied.push(buf),
    });
  return { wal, a, b, visA: vis(a), visB: vis(b), dirtied };
}

const OFF = 64;
const BUF = 7;

function makeTuple(xmin: number, opts: { xmax?: number; cid?: number; infomask?: number } = {}): Uint8Array {
  const page = new Uint8Array(8192);
  htupSetXmin(page, OFF, xmin);
  htupSetXmax(page, OFF, opts.xmax ?? 0);
  htupSetCid(page, OFF, opts.cid ?? 0);
  htupSetCtid(page, OFF, 0, 1);
  htupSetInfomask(page, OFF, (opts.infomask ?? 0) | (opts.xmax === undefined ? HEAP_XMAX_INVALID : 0));
  return page;
}

/** Runs `body` as one statement of a block already begun (or a single statement). */
function stmt<T>(t: TransamBackend, body: () => T): T {
  t.xact.startTransactionCommand();
  const r = body();
  t.xact.commitTransactionCommand();
  return r;
}

/** A committed transaction of `t` that does `body` with its XID; returns the XID. */
function committedXact(t: TransamBackend): number {
  return stmt(t, () => t.xact.getCurrentTransactionId());
}

describe('HeapTupleSatisfiesMVCC', () => {
  it('own insert is invisible to the inserting command and visible after CommandCounterIncrement', () => {
    const { a, visA } = setup();
    const x = a.xact;
    stmt(a, () => x.beginTransactionBlock());
    const page = stmt(a, () => {
      const xid = x.getCurrentTransactionId();
      const p = makeTuple(xid, { cid: x.getCurrentCommandId(true) });
      expect(visA.satisfiesMVCC(p, OFF, x.snapmgr.getTransactionSnapshot(), BUF)).toBe(false);
      return p;
    });
    stmt(a, () => expect(visA.satisfiesMVCC(page, OFF, x.snapmgr.getTransactionSnapshot(), BUF)).toBe(true));
    stmt(a, () => x.endTransactionBlock());
  });

  it('own delete: visible to the deleting command, invisible after it', () => {
    const { a, b, visA } = setup();
    const inserter = committedXact(b);
    const page = makeTuple(inserter, { infomask: HEAP_XMIN_COMMITTED });
    const x = a.xact;
    stmt(a, () => x.beginTransactionBlock());
    stmt(a, () => {
      const snap = x.snapmgr.getTransactionSnapshot();
      htupSetXmax(page, OFF, x.getCurrentTransactionId());
      htupSetCid(page, OFF, x.getCurrentCommandId(true));
      htupSetInfomask(page, OFF, HEAP_XMIN_COMMITTED);
      expect(visA.satisfiesMVCC(page, OFF, snap, BUF)).toBe(true);
    });
    stmt(a, () => expect(visA.satisfiesMVCC(page, OFF, x.snapmgr.getTransactionSnapshot(), BUF)).toBe(false));
    stmt(a, () => x.endTransactionBlock());
  });

  it('insert and delete in one transaction use a combo command id', () => {
    const { a, visA } = setup();
    const x = a.xact;
    stmt(a, () => x.beginTransactionBlock());
    const page = stmt(a, () => makeTuple(x.getCurrentTransactionId(), { cid: x.getCurrentCommandId(true) }));
    let snapBetween = stmt(a, () => x.snapmgr.copySnapshot(x.snapmgr.getTransactionSnapshot()));
    stmt(a, () => {
      const cmax = x.getCurrentCommandId(true);
      const cid = x.combo.adjustCmax(page, OFF, cmax, (xid) => x.isCurrentTransactionId(xid));
      expect(x.combo.lastAdjustIsCombo).toBe(true);
      htupSetXmax(page, OFF, x.getCurrentTransactionId());
      htupSetCid(page, OFF, cid);
      htupSetInfomask(page, OFF, HEAP_COMBOCID);
    });
    expect(x.combo.getCmin(page, OFF)).toBe(0);
    expect(x.combo.getCmax(page, OFF)).toBe(1);
    expect(visA.satisfiesMVCC(page, OFF, snapBetween, BUF)).toBe(true); // curcid 1: inserted by 0, deleted by 1
    snapBetween = stmt(a, () => x.snapmgr.getTransactionSnapshot());
    expect(visA.satisfiesMVCC(page, OFF, snapBetween, BUF)).toBe(false);
    stmt(a, () => x.endTransactionBlock());
  });

  it("another backend's insert: invisible while running, visible after commit, hint set once", () => {
    const { a, b, visA, dirtied } = setup();
    stmt(b, () => b.xact.beginTransactionBlock());
    const xid = stmt(b, () => b.xact.getCurrentTransactionId());
    const page = makeTuple(xid);
    stmt(a, () => a.xact.beginTransactionBlock());
    stmt(a, () => a.xact.setTransactionIsolation(XACT_REPEATABLE_READ));
    stmt(a, () => expect(visA.satisfiesMVCC(page, OFF, a.xact.snapmgr.getTransactionSnapshot(), BUF)).toBe(false));
    expect(htupGetInfomask(page, OFF) & (HEAP_XMIN_COMMITTED | HEAP_XMIN_INVALID)).toBe(0);
    stmt(b, () => b.xact.endTransactionBlock());
    // REPEATABLE READ keeps its snapshot: still invisible, although CLOG says committed.
    stmt(a, () => expect(visA.satisfiesMVCC(page, OFF, a.xact.snapmgr.getTransactionSnapshot(), BUF)).toBe(false));
    stmt(a, () => a.xact.endTransactionBlock());
    stmt(a, () => expect(visA.satisfiesMVCC(page, OFF, a.xact.snapmgr.getTransactionSnapshot(), BUF)).toBe(true));
    expect(htupGetInfomask(page, OFF) & HEAP_XMIN_COMMITTED).toBe(HEAP_XMIN_COMMITTED);
    expect(dirtied).toEqual([BUF]);
  });

  it('aborted inserts are invisible and get XMIN_INVALID', () => {
    const { a, b, visA } = setup();
    let xid = 0;
    b.xact.startTransactionCommand();
    xid = b.xact.getCurrentTransactionId();
    b.xact.abortCurrentTransaction();
    const page = makeTuple(xid);
    stmt(a, () => expect(visA.satisfiesMVCC(page, OFF, a.xact.snapmgr.getTransactionSnapshot(), BUF)).toBe(false));
    expect(htupGetInfomask(page, OFF) & HEAP_XMIN_FROZEN).toBe(HEAP_XMIN_INVALID);
    expect(visA.isSurelyDead(page, OFF, 3)).toBe(true);
  });

  it('deleters: committed hides, running and aborted do not; lock-only never hides', () => {
    const { a, b, visA } = setup();
    const inserter = committedXact(b);
    const deleter = committedXact(b);
    let aborted = 0;
    b.xact.startTransactionCommand();
    aborted = b.xact.getCurrentTransactionId();
    b.xact.abortCurrentTransaction();
    stmt(b, () => b.xact.beginTransactionBlock());
    const running = stmt(b, () => b.xact.getCurrentTransactionId());

    const snapOf = (): ReturnType<typeof a.xact.snapmgr.getTransactionSnapshot> => a.xact.snapmgr.getTransactionSnapshot();
    stmt(a, () => {
      const deleted = makeTuple(inserter, { xmax: deleter });
      expect(visA.satisfiesMVCC(deleted, OFF, snapOf(), BUF)).toBe(false);
      expect(htupGetInfomask(deleted, OFF) & (HEAP_XMIN_COMMITTED | HEAP_XMAX_COMMITTED)).toBe(HEAP_XMIN_COMMITTED | HEAP_XMAX_COMMITTED);
      const beingDeleted = makeTuple(inserter, { xmax: running });
      expect(visA.satisfiesMVCC(beingDeleted, OFF, snapOf(), BUF)).toBe(true);
      const abortedDelete = makeTuple(inserter, { xmax: aborted });
      expect(visA.satisfiesMVCC(abortedDelete, OFF, snapOf(), BUF)).toBe(true);
      expect(htupGetInfomask(abortedDelete, OFF) & HEAP_XMAX_INVALID).toBe(HEAP_XMAX_INVALID);
      const locked = makeTuple(inserter, { xmax: deleter, infomask: HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_EXCL_LOCK });
      expect(visA.satisfiesMVCC(locked, OFF, snapOf(), BUF)).toBe(true);
    });
    stmt(b, () => b.xact.endTransactionBlock());
  });

  it('frozen tuples are visible to everyone, whatever their xmin', () => {
    const { a, visA } = setup();
    const page = makeTuple(0xfffffff0, { infomask: HEAP_XMIN_FROZEN });
    stmt(a, () => expect(visA.satisfiesMVCC(page, OFF, a.xact.snapmgr.getTransactionSnapshot(), BUF)).toBe(true));
  });

  it("a committed subtransaction's rows become visible with its parent, an aborted one's never", () => {
    const { a, b, visA } = setup();
    const x = b.xact;
    stmt(b, () => x.beginTransactionBlock());
    stmt(b, () => x.defineSavepoint('ok'));
    const good = stmt(b, () => x.getCurrentTransactionId());
    stmt(b, () => x.releaseSavepoint('ok'));
    stmt(b, () => x.defineSavepoint('bad'));
    const bad = stmt(b, () => x.getCurrentTransactionId());
    stmt(b, () => x.rollbackToSavepoint('bad'));
    const goodRow = makeTuple(good);
    const badRow = makeTuple(bad);
    stmt(a, () => {
      const snap = a.xact.snapmgr.getTransactionSnapshot();
      expect(visA.satisfiesMVCC(goodRow, OFF, snap, BUF)).toBe(false);
      expect(visA.satisfiesMVCC(badRow, OFF, snap, BUF)).toBe(false);
    });
    stmt(b, () => x.endTransactionBlock());
    stmt(a, () => {
      const snap = a.xact.snapmgr.getTransactionSnapshot();
      expect(visA.satisfiesMVCC(goodRow, OFF, snap, BUF)).toBe(true);
      expect(visA.satisfiesMVCC(badRow, OFF, snap, BUF)).toBe(false);
    });
  });

  it('sees its own subtransaction rows, not those of an aborted one', () => {
    const { a, visA } = setup();
    const x = a.xact;
    stmt(a, () => x.beginTransactionBlock());
    stmt(a, () => x.defineSavepoint('s'));
    const page = stmt(a, () => makeTuple(x.getCurrentTransactionId(), { cid: x.getCurrentCommandId(true) }));
    stmt(a, () => expect(visA.satisfiesMVCC(page, OFF, x.snapmgr.getTransactionSnapshot(), BUF)).toBe(true));
    stmt(a, () => x.rollbackToSavepoint('s'));
    stmt(a, () => expect(visA.satisfiesMVCC(page, OFF, x.snapmgr.getTransactionSnapshot(), BUF)).toBe(false));
    stmt(a, () => x.endTransactionBlock());
  });

  it('does not set a COMMITTED hint before an asynchronous commit is flushed', () => {
    const { a, b, visA, wal } = setup({ asyncB: true });
    const xid = committedXact(b);
    const page = makeTuple(xid);
    stmt(a, () => expect(visA.satisfiesMVCC(page, OFF, a.xact.snapmgr.getTransactionSnapshot(), BUF)).toBe(true));
    expect(htupGetInfomask(page, OFF) & HEAP_XMIN_COMMITTED).toBe(0);
    wal.flush(wal.pos);
    stmt(a, () => expect(visA.satisfiesMVCC(page, OFF, a.xact.snapmgr.getTransactionSnapshot(), BUF)).toBe(true));
    expect(htupGetInfomask(page, OFF) & HEAP_XMIN_COMMITTED).toBe(HEAP_XMIN_COMMITTED);
  });

  it('raises feature_not_supported for MultiXact deleters', () => {
    const { a, b, visA } = setup();
    const inserter = committedXact(b);
    const page = makeTuple(inserter, { xmax: 12345, infomask: HEAP_XMIN_COMMITTED | HEAP_XMAX_IS_MULTI });
    stmt(a, () => {
      let err: unknown = null;
      try {
        visA.satisfiesMVCC(page, OFF, a.xact.snapmgr.getTransactionSnapshot(), BUF);
      } catch (e) {
        err = e;
      }
      expect((err as PgError).code).toBe('0A000');
    });
  });
});

describe('HeapTupleSatisfiesUpdate', () => {
  it('reports Ok, Invisible, SelfModified, BeingModified, Updated and Deleted', () => {
    const { a, b, visA } = setup();
    const inserter = committedXact(b);
    const self = makeTid(0, 1);
    const x = a.xact;
    stmt(a, () => x.beginTransactionBlock());
    stmt(a, () => {
      expect(visA.satisfiesUpdate(makeTuple(inserter), OFF, x.getCurrentCommandId(false), BUF, self)).toBe(TM_Result.TM_Ok);
      const mine = makeTuple(x.getCurrentTransactionId(), { cid: x.getCurrentCommandId(true) });
      expect(visA.satisfiesUpdate(mine, OFF, 0, BUF, self)).toBe(TM_Result.TM_Invisible);
      const mineDeleted = makeTuple(inserter, { xmax: x.getCurrentTransactionId(), cid: 0 });
      expect(visA.satisfiesUpdate(mineDeleted, OFF, 0, BUF, self)).toBe(TM_Result.TM_SelfModified);
      expect(visA.satisfiesUpdate(mineDeleted, OFF, 1, BUF, self)).toBe(TM_Result.TM_Invisible);
    });
    stmt(b, () => b.xact.beginTransactionBlock());
    const other = stmt(b, () => b.xact.getCurrentTransactionId());
    stmt(a, () => expect(visA.satisfiesUpdate(makeTuple(inserter, { xmax: other }), OFF, 1, BUF, self)).toBe(TM_Result.TM_BeingModified));
    stmt(b, () => b.xact.endTransactionBlock());
    stmt(a, () => {
      expect(visA.satisfiesUpdate(makeTuple(inserter, { xmax: other }), OFF, 1, BUF, self)).toBe(TM_Result.TM_Deleted);
      const updated = makeTuple(inserter, { xmax: other });
      htupSetCtid(updated, OFF, 3, 7);
      expect(visA.satisfiesUpdate(updated, OFF, 1, BUF, self)).toBe(TM_Result.TM_Updated);
      // Without its own TID the caller gets TM_Updated for both and compares t_ctid itself.
      expect(visA.satisfiesUpdate(makeTuple(inserter, { xmax: other }), OFF, 1, BUF)).toBe(TM_Result.TM_Updated);
      const lockedByCommitted = makeTuple(inserter, { xmax: other, infomask: HEAP_XMAX_LOCK_ONLY });
      expect(visA.satisfiesUpdate(lockedByCommitted, OFF, 1, BUF, self)).toBe(TM_Result.TM_Ok);
      expect(htupGetInfomask(lockedByCommitted, OFF) & HEAP_XMAX_INVALID).toBe(HEAP_XMAX_INVALID);
    });
    stmt(a, () => x.endTransactionBlock());
  });
});

describe('HeapTupleSatisfiesVacuum', () => {
  it('classifies tuples for pruning', () => {
    const { a, b, visA } = setup();
    const inserter = committedXact(b);
    const deleter = committedXact(b);
    b.xact.startTransactionCommand();
    const aborted = b.xact.getCurrentTransactionId();
    b.xact.abortCurrentTransaction();
    stmt(b, () => b.xact.beginTransactionBlock());
    const running = stmt(b, () => b.xact.getCurrentTransactionId());

    expect(visA.satisfiesVacuum(makeTuple(aborted), OFF, running, BUF)).toBe(HTSV_Result.HEAPTUPLE_DEAD);
    expect(visA.satisfiesVacuum(makeTuple(inserter), OFF, running, BUF)).toBe(HTSV_Result.HEAPTUPLE_LIVE);
    expect(visA.satisfiesVacuum(makeTuple(running), OFF, running, BUF)).toBe(HTSV_Result.HEAPTUPLE_INSERT_IN_PROGRESS);
    expect(visA.satisfiesVacuum(makeTuple(inserter, { xmax: running }), OFF, running, BUF)).toBe(HTSV_Result.HEAPTUPLE_DELETE_IN_PROGRESS);
    expect(visA.satisfiesVacuum(makeTuple(inserter, { xmax: deleter }), OFF, deleter, BUF)).toBe(HTSV_Result.HEAPTUPLE_RECENTLY_DEAD);
    expect(visA.satisfiesVacuum(makeTuple(inserter, { xmax: deleter }), OFF, running, BUF)).toBe(HTSV_Result.HEAPTUPLE_DEAD);
    expect(visA.satisfiesVacuum(makeTuple(inserter, { xmax: aborted }), OFF, running, BUF)).toBe(HTSV_Result.HEAPTUPLE_LIVE);
    // The horizon the proc array computes is b's running XID.
    expect(a.procArray.getOldestNonRemovableXid(5)).toBe(running);
    const hinted = makeTuple(inserter, { xmax: deleter });
    htupOrInfomask(hinted, OFF, HEAP_XMIN_COMMITTED | HEAP_XMAX_COMMITTED);
    expect(visA.isSurelyDead(hinted, OFF, running)).toBe(true);
    expect(visA.isSurelyDead(hinted, OFF, deleter)).toBe(false);
    stmt(b, () => b.xact.endTransactionBlock());
  });
});

describe('HeapTupleSatisfiesSelf / Dirty / Any', () => {
  it('Self sees committed and own rows; Dirty also running inserts and reports them', () => {
    const { b, visA } = setup();
    stmt(b, () => b.xact.beginTransactionBlock());
    const running = stmt(b, () => b.xact.getCurrentTransactionId());
    const page = makeTuple(running);
    expect(visA.satisfiesSelf(page, OFF, BUF)).toBe(false);
    const dirty = initDirtySnapshot();
    expect(visA.satisfiesDirty(page, OFF, dirty, BUF)).toBe(true);
    expect(dirty.xmin).toBe(running);
    expect(visA.satisfiesAny(page, OFF, BUF)).toBe(true);
    stmt(b, () => b.xact.endTransactionBlock());
    expect(visA.satisfiesSelf(page, OFF, BUF)).toBe(true);
    expect(visA.satisfiesDirty(page, OFF, dirty, BUF)).toBe(true);
    expect(dirty.xmin).toBe(0);
  });
});

describe('helpers for heapam', () => {
  it('cmaxFor gives a combo id only for my own inserts; oldestXmin is the proc array horizon', () => {
    const { a, b, visA } = setup();
    const inserter = committedXact(b);
    const x = a.xact;
    stmt(a, () => x.beginTransactionBlock());
    stmt(a, () => {
      const mine = makeTuple(x.getCurrentTransactionId(), { cid: 0 });
      expect(visA.cmaxFor(mine, OFF, 3)).toEqual({ cid: 0, combo: true });
      expect(x.combo.realCmax(0)).toBe(3);
      expect(visA.cmaxFor(makeTuple(inserter, { infomask: HEAP_XMIN_COMMITTED }), OFF, 3)).toEqual({ cid: 3, combo: false });
      expect(visA.oldestXmin()).toBe(x.getTopTransactionIdIfAny());
    });
    stmt(a, () => x.endTransactionBlock());
  });
});
