/*
 * snapshotfuncs.ts — a backend's transaction and snapshot from SQL
 * (PostgreSQL's utils/adt/xid8funcs.c: pg_current_snapshot, txid_current,
 * txid_current_if_assigned) and tabgres_tuple_visibility, which says which
 * tuple versions of a table the calling backend's snapshot sees and why.
 *
 * Exports: explainMVCC (for tests), and the registrations (database.ts
 * imports this module).
 *
 *   pg_current_snapshot() pg_snapshot      the active snapshot: "xmin:xmax:xip,..." (full XIDs)
 *   txid_current() int8                    the top-level XID (assigned if there is none yet)
 *   txid_current_if_assigned() int8        the top-level XID, or NULL before the first write
 *   tabgres_tuple_visibility(relname text) setof (ctid tid, xmin xid, xmax xid, visible bool, reason text)
 *
 * tabgres_tuple_visibility runs in the caller's backend with its active
 * snapshot (READ COMMITTED: the statement's; REPEATABLE READ and
 * SERIALIZABLE: the transaction's) and current command id, so its answer is
 * the one that backend's own scans give. `visible` is the engine's
 * HeapTupleSatisfiesMVCC (heapam_visibility.ts, on the shared buffer under
 * a share lock, hint bits set as a scan would set them). `reason` is
 * explainMVCC's account of the same decision, step by step with the same
 * primitives (the hint bits, "is it mine?", XidInMVCCSnapshot, CLOG); if the
 * two ever disagreed, the reason says so instead of hiding it.
 *
 * Like every SELECT, calling these in a REPEATABLE READ transaction that
 * has not taken its snapshot yet takes it now.
 */

import { registerBuiltin } from '../fmgr/fmgrtab.ts';
import type { FunctionCallContext } from '../fmgr/fmgrtypes.ts';
import { PgError } from '../errors.ts';
import { BOOLOID, INT8OID, TEXTOID, TIDOID } from './types.ts';
import { pgSnapshotOut } from './pg_lsn.ts';
import { backendOf, outRecord, relationByName } from './pageinspect.ts';
import type { StorageEngine } from '../../engine.ts';
import { xidInMVCCSnapshot, type SnapshotData } from '../time/snapmgr.ts';
import {
  HEAP_XMAX_COMMITTED, HEAP_XMAX_INVALID, HEAP_XMAX_IS_MULTI, HEAP_XMIN_COMMITTED, HEAP_XMIN_FROZEN, HEAP_XMIN_INVALID,
  htupGetInfomask, htupGetXmax, htupGetXmin, xmaxIsLockedOnly,
} from '../../access/common/htup_details.ts';
import { pageGetMaxOffsetNumber } from '../../storage/page/bufpage.ts';
import { itemIdGet, itemIdGetFlags, itemIdGetOffset, LP_NORMAL } from '../../storage/page/itemid.ts';
import { makeTid } from '../../access/common/itemptr.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import { BUFFER_LOCK_SHARE } from '../../storage/buffer/buf_internals.ts';

const PG_SNAPSHOTOID = 5038;
const XIDOID = 28;

/** A 32-bit XID widened with the epoch of the next full XID (FullTransactionIdFromAllowableAt). */
function fullXid(engine: StorageEngine, xid: number): bigint {
  const next = BigInt(engine.transam.varsup.readNextFullTransactionId());
  const next32 = next & 0xffffffffn;
  const back = (next32 - BigInt(xid >>> 0)) & 0xffffffffn;
  return next - back;
}

registerBuiltin({
  oid: 5061, proname: 'pg_current_snapshot', prokind: 'f', proargtypes: [], prorettype: PG_SNAPSHOTOID, provariadic: 0,
  proretset: false, proisstrict: true, provolatile: 's', pronargdefaults: 0,
  impl: (_a, ctx) => {
    const engine = backendOf(ctx).engine;
    const snapmgr = engine.xact.snapmgr;
    if (!snapmgr.activeSnapshotSet()) throw new PgError('XX000', 'no active snapshot set');
    const snap = snapmgr.getActiveSnapshot();
    const xip: bigint[] = [];
    for (let i = 0; i < snap.xcnt; i++) xip.push(fullXid(engine, snap.xip[i]));
    return pgSnapshotOut(fullXid(engine, snap.xmin), fullXid(engine, snap.xmax), xip);
  },
});

registerBuiltin({
  oid: 2943, proname: 'txid_current', prokind: 'f', proargtypes: [], prorettype: INT8OID, provariadic: 0,
  proretset: false, proisstrict: true, provolatile: 's', pronargdefaults: 0,
  impl: (_a, ctx) => {
    const engine = backendOf(ctx).engine;
    return fullXid(engine, engine.xact.getTopTransactionId());
  },
});

registerBuiltin({
  oid: 3348, proname: 'txid_current_if_assigned', prokind: 'f', proargtypes: [], prorettype: INT8OID, provariadic: 0,
  proretset: false, proisstrict: true, provolatile: 's', pronargdefaults: 0,
  impl: (_a, ctx) => {
    const engine = backendOf(ctx).engine;
    const xid = engine.xact.getTopTransactionIdIfAny();
    return xid === 0 ? null : fullXid(engine, xid);
  },
});

// ---------------------------------------------------------------- visibility

/** Why an XID counts as running for `snap` (XidInMVCCSnapshot's two cases), for the reason text. */
function runningWhy(xid: number, snap: SnapshotData): string {
  return ((xid - snap.xmax) | 0) >= 0 ? `started after the snapshot (xmax ${snap.xmax})` : 'in progress when the snapshot was taken';
}

/**
 * HeapTupleSatisfiesMVCC told as a story: the same steps in the same order
 * (heapam_visibility.ts), reading the hint bits without setting them.
 */
export function explainMVCC(engine: StorageEngine, page: Uint8Array, off: number, snap: SnapshotData): { visible: boolean; reason: string } {
  const infomask = htupGetInfomask(page, off);
  const xmin = htupGetXmin(page, off);
  const isCurrent = (x: number): boolean => engine.xact.isCurrentTransactionId(x);
  const inSnap = (x: number): boolean => xidInMVCCSnapshot(x, snap, engine.transam.subtrans);
  const didCommit = (x: number): boolean => engine.transam.status.didCommit(x);
  const combo = engine.xact.combo;
  const curcid = snap.curcid;
  let prefix: string;
  if ((infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN) {
    prefix = 'xmin frozen';
  } else if ((infomask & HEAP_XMIN_COMMITTED) === 0) {
    if ((infomask & HEAP_XMIN_INVALID) !== 0) return { visible: false, reason: `xmin ${xmin} aborted` };
    if (isCurrent(xmin)) {
      const cmin = combo.getCmin(page, off);
      if (cmin >= curcid) return { visible: false, reason: `inserted by this transaction by a later command (cmin ${cmin} >= curcid ${curcid})` };
      if ((infomask & HEAP_XMAX_INVALID) !== 0) return { visible: true, reason: 'inserted by this transaction' };
      if (xmaxIsLockedOnly(infomask)) return { visible: true, reason: 'inserted by this transaction, xmax only locks it' };
      const upd = (infomask & HEAP_XMAX_IS_MULTI) !== 0 ? engine.vis.getUpdateXid(htupGetXmax(page, off)) : htupGetXmax(page, off);
      if ((infomask & HEAP_XMAX_IS_MULTI) !== 0 && !isCurrent(upd)) return { visible: true, reason: 'inserted by this transaction, locked by others' };
      if (!isCurrent(upd)) return { visible: true, reason: 'inserted by this transaction, its deleting subtransaction aborted' };
      const cmax = combo.getCmax(page, off);
      return cmax >= curcid
        ? { visible: true, reason: `inserted and deleted by this transaction, deleted by a later command (cmax ${cmax} >= curcid ${curcid})` }
        : { visible: false, reason: 'inserted and deleted by this transaction' };
    }
    if (inSnap(xmin)) return { visible: false, reason: `xmin ${xmin} ${runningWhy(xmin, snap)}` };
    if (!didCommit(xmin)) return { visible: false, reason: `xmin ${xmin} aborted` };
    prefix = `xmin ${xmin} committed`;
  } else if (inSnap(xmin)) {
    return { visible: false, reason: `xmin ${xmin} committed but ${runningWhy(xmin, snap)}` };
  } else {
    prefix = `xmin ${xmin} committed`;
  }
  if ((infomask & HEAP_XMAX_INVALID) !== 0) return { visible: true, reason: `${prefix}, no xmax` };
  if (xmaxIsLockedOnly(infomask)) return { visible: true, reason: `${prefix}, xmax ${htupGetXmax(page, off)} only locks the row` };
  let xmax = htupGetXmax(page, off);
  if ((infomask & HEAP_XMAX_IS_MULTI) !== 0) {
    const multi = xmax;
    xmax = engine.vis.getUpdateXid(multi);
    if (xmax === 0) return { visible: true, reason: `${prefix}, multixact ${multi} only locks the row` };
  }
  if (isCurrent(xmax)) {
    const cmax = combo.getCmax(page, off);
    return cmax >= curcid
      ? { visible: true, reason: `${prefix}, deleted by this transaction by a later command (cmax ${cmax} >= curcid ${curcid})` }
      : { visible: false, reason: `${prefix}, deleted by this transaction` };
  }
  if (inSnap(xmax)) return { visible: true, reason: `${prefix}, xmax ${xmax} ${runningWhy(xmax, snap)}` };
  if ((infomask & HEAP_XMAX_COMMITTED) === 0 && (infomask & HEAP_XMAX_IS_MULTI) === 0 && !didCommit(xmax)) {
    return { visible: true, reason: `${prefix}, xmax ${xmax} aborted` };
  }
  if ((infomask & HEAP_XMAX_IS_MULTI) !== 0 && !didCommit(xmax)) return { visible: true, reason: `${prefix}, updater ${xmax} aborted` };
  return { visible: false, reason: `${prefix}, xmax ${xmax} committed` };
}

outRecord(9923, 'tabgres_tuple_visibility', [TEXTOID], [
  ['ctid', TIDOID], ['xmin', XIDOID], ['xmax', XIDOID], ['visible', BOOLOID], ['reason', TEXTOID],
], true, (a, ctx: FunctionCallContext) => {
  const backend = backendOf(ctx);
  const engine = backend.engine;
  const info = relationByName(backend, a[0] as string);
  if (info.heap === null) throw new PgError('42809', `"${info.relname}" is not a table`);
  const snapmgr = engine.xact.snapmgr;
  if (!snapmgr.activeSnapshotSet()) throw new PgError('XX000', 'no active snapshot set');
  const snap = snapmgr.getActiveSnapshot();
  const bm = engine.bufmgr;
  const locator = info.heap.locator;
  const rows: unknown[][] = [];
  const nblocks = bm.nblocks(locator, ForkNumber.MAIN);
  for (let blk = 0; blk < nblocks; blk++) {
    const buffer = bm.readBuffer(locator, ForkNumber.MAIN, blk);
    bm.lockBuffer(buffer, BUFFER_LOCK_SHARE);
    try {
      const page = bm.getPage(buffer);
      const maxoff = pageGetMaxOffsetNumber(page);
      for (let off = 1; off <= maxoff; off++) {
        const lp = itemIdGet(page, off);
        if (itemIdGetFlags(lp) !== LP_NORMAL) continue;
        const t = itemIdGetOffset(lp);
        // The story first: the engine's check may set hint bits, which would change the story's path, not its verdict.
        const story = explainMVCC(engine, page, t, snap);
        const visible = engine.vis.satisfiesMVCC(page, t, snap, buffer);
        const reason = story.visible === visible ? story.reason : `${story.reason} (HeapTupleSatisfiesMVCC says ${visible ? 'visible' : 'invisible'})`;
        rows.push([makeTid(blk, off), htupGetXmin(page, t), htupGetXmax(page, t), visible, reason]);
      }
    } finally {
      bm.unlockReleaseBuffer(buffer);
    }
  }
  return rows;
}, ['relname']);
