/*
 * multixact.ts — MultiXactIds (PostgreSQL's access/transam/multixact.c):
 * one 32-bit id standing for a set of transactions that lock (and, in
 * PostgreSQL, update) one row together, so that a tuple's single xmax word
 * can name several lockers ("FOR SHARE" by two sessions).
 *
 * Exports: MultiXact (per backend), MultiXactStatus, MultiXactMember,
 *          multixactShmemSize, multixactShmemInit, MULTIXACT_REDO,
 *          XLOG_MULTIXACT_CREATE_ID, encodeCreateId, decodeCreateId,
 *          isUpdateStatus.
 *
 * Storage, as PostgreSQL's:
 *
 *   pg_multixact/offsets   SLRU, one u32 per MultiXactId: where its members
 *                          start in the members SLRU (0 = not written)
 *   pg_multixact/members   SLRU, two u32 per member: xid, status
 *   "MultiXactState"       shared: i32 MultiXactGenLock (an LWLock word),
 *                          u32 nextMulti, u32 nextOffset
 *
 * A multi's members are offsets[m] .. offsets[m+1] (or nextOffset for the
 * newest). MultiXactIds start at 1 and member offsets at 1, so 0 means
 * "none" in both. Ids wrap like XIDs in PostgreSQL; here they are not
 * expected to wrap (2^32 multis) and no truncation is done yet.
 *
 * Rules:
 *  1. A new multi is created under MultiXactGenLock held exclusively: its
 *     id and member range are taken from the counters, its
 *     XLOG_MULTIXACT_CREATE_ID record is inserted, and its offsets and
 *     members are written to the SLRU pages, all before the lock is
 *     released. So every id below nextMulti is fully recorded, and
 *     getMembers needs no "not written yet" wait (PostgreSQL's sleeps in
 *     GetMultiXactIdMembers).
 *  2. The CREATE_ID record is inserted before the tuple whose xmax names
 *     the multi is changed, and that change's record follows it in WAL: a
 *     multi on a page on disk is always in WAL or in the SLRU files.
 *  3. Redo rewrites the offsets and members and moves the counters past
 *     the replayed multi; after redo, startup takes the larger of those and
 *     what the SLRU files hold (a checkpoint wrote the pages of multis
 *     created before its redo point), and makes sure the pages the counters
 *     point into exist.
 *  4. A checkpoint writes both SLRUs durably (their pages carry no LSN: a
 *     page that reaches disk before its record only wastes an id).
 *  5. Lock order: MultiXactGenLock, then the offsets SLRU's control lock,
 *     then the members SLRU's; never the reverse.
 */

import type { StorageDirectory } from '@tabgres/opfs-storage';
import { SLRU_PAGES_PER_SEGMENT } from '../../constants.ts';
import type { Shmem, ShmemSizer } from '../../storage/ipc/shmem.ts';
import { LWLockMode, type LWLockOwner } from '../../storage/lmgr/lwlock.ts';
import { elog, panic } from '../../utils/errors.ts';
import { RedoServiceKey, registerRmgr, RM_MULTIXACT_ID, type RedoContext } from './rmgr.ts';
import { SlruCtl, slruShmemInit, slruShmemSize, type SlruConfig } from './slru.ts';
import type { TransamWal } from './transam.ts';

/** MultiXactStatus: what one member does to the row. */
export const enum MultiXactStatus {
  ForKeyShare = 0,
  ForShare = 1,
  ForNoKeyUpdate = 2,
  ForUpdate = 3,
  NoKeyUpdate = 4,
  Update = 5,
}

export interface MultiXactMember {
  xid: number;
  status: MultiXactStatus;
}

/** ISUPDATE_from_mxstatus */
export function isUpdateStatus(s: MultiXactStatus): boolean {
  return s > MultiXactStatus.ForUpdate;
}

const MULTIXACT_OFFSETS_PER_PAGE = 2048;
const MULTIXACT_MEMBERS_PER_PAGE = 1024;

export const MULTIXACT_OFFSETS_SLRU: SlruConfig = {
  name: 'MultiXactOffset',
  dirName: 'pg_multixact/offsets',
  nslots: 8,
  xactsPerPage: MULTIXACT_OFFSETS_PER_PAGE,
  syncOnCheckpoint: true,
};

export const MULTIXACT_MEMBERS_SLRU: SlruConfig = {
  name: 'MultiXactMember',
  dirName: 'pg_multixact/members',
  nslots: 16,
  xactsPerPage: MULTIXACT_MEMBERS_PER_PAGE,
  syncOnCheckpoint: true,
};

const STATE_REGION = 'MultiXactState';
const STATE_BYTES = 64;
const W_GEN_LOCK = 0;
const W_NEXT_MULTI = 1;
const W_NEXT_OFFSET = 2;

export const XLOG_MULTIXACT_CREATE_ID = 0x20;

export function multixactShmemSize(sizer: ShmemSizer): void {
  sizer.add(STATE_BYTES);
  sizer.add(slruShmemSize(MULTIXACT_OFFSETS_SLRU));
  sizer.add(slruShmemSize(MULTIXACT_MEMBERS_SLRU));
}

export function multixactShmemInit(shmem: Shmem): void {
  shmem.initStruct(STATE_REGION, STATE_BYTES);
  slruShmemInit(shmem, MULTIXACT_OFFSETS_SLRU);
  slruShmemInit(shmem, MULTIXACT_MEMBERS_SLRU);
}

/** xl_multixact_create: mid u32 | moff u32 | nmembers u32 | (xid u32, status u32) * nmembers. */
export function encodeCreateId(multi: number, offset: number, members: readonly MultiXactMember[]): Uint8Array {
  const out = new Uint8Array(12 + 8 * members.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, multi, true);
  dv.setUint32(4, offset, true);
  dv.setUint32(8, members.length, true);
  members.forEach((m, i) => {
    dv.setUint32(12 + 8 * i, m.xid, true);
    dv.setUint32(16 + 8 * i, m.status, true);
  });
  return out;
}

export function decodeCreateId(data: Uint8Array): { multi: number; offset: number; members: MultiXactMember[] } {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = dv.getUint32(8, true);
  const members: MultiXactMember[] = [];
  for (let i = 0; i < n; i++) members.push({ xid: dv.getUint32(12 + 8 * i, true), status: dv.getUint32(16 + 8 * i, true) as MultiXactStatus });
  return { multi: dv.getUint32(0, true), offset: dv.getUint32(4, true), members };
}

/** One backend's handle on the MultiXact SLRUs and counters. */
export class MultiXact {
  readonly offsets: SlruCtl;
  readonly members: SlruCtl;
  private readonly lw: LWLockOwner;
  private readonly u32: Uint32Array;
  private readonly wBase: number;
  private readonly wal: TransamWal | null;

  constructor(shmem: Shmem, lw: LWLockOwner, dir: StorageDirectory, wal: TransamWal | null) {
    this.offsets = new SlruCtl(shmem, lw, dir, MULTIXACT_OFFSETS_SLRU);
    this.members = new SlruCtl(shmem, lw, dir, MULTIXACT_MEMBERS_SLRU);
    this.lw = lw;
    this.u32 = shmem.u32;
    this.wBase = (shmem.lookup(STATE_REGION) ?? elog('MultiXactState is not in shared memory')).offset >> 2;
    this.wal = wal;
  }

  set inRecovery(v: boolean) {
    this.offsets.inRecovery = v;
    this.members.inRecovery = v;
  }

  private get genLock(): number {
    return this.wBase + W_GEN_LOCK;
  }

  /** ReadNextMultiXactId. */
  readNextMulti(): number {
    this.lw.acquire(this.genLock, LWLockMode.Shared);
    try {
      return this.u32[this.wBase + W_NEXT_MULTI];
    } finally {
      this.lw.release(this.genLock);
    }
  }

  /**
   * MultiXactIdCreateFromMembers (rule 1): a new MultiXactId for `members`,
   * WAL-logged (stamped with `xid`, the creating transaction's) and recorded.
   */
  create(members: readonly MultiXactMember[], xid: number): number {
    if (members.length < 2) elog('a MultiXactId needs at least two members');
    this.lw.acquire(this.genLock, LWLockMode.Exclusive);
    try {
      const multi = this.u32[this.wBase + W_NEXT_MULTI];
      const offset = this.u32[this.wBase + W_NEXT_OFFSET];
      if (multi === 0 || offset === 0) elog('MultiXact counters are not initialized');
      if (this.wal !== null) this.wal.insertRecord(RM_MULTIXACT_ID, XLOG_MULTIXACT_CREATE_ID, encodeCreateId(multi, offset, members), xid);
      this.record(multi, offset, members);
      this.u32[this.wBase + W_NEXT_MULTI] = (multi + 1) >>> 0 || 1;
      this.u32[this.wBase + W_NEXT_OFFSET] = (offset + members.length) >>> 0;
      return multi;
    } finally {
      this.lw.release(this.genLock);
    }
  }

  /** RecordNewMultiXact: offsets[multi] and the member entries; a page's first entry zeroes the page. */
  private record(multi: number, offset: number, members: readonly MultiXactMember[]): void {
    const off = this.offsets;
    off.lockControl(LWLockMode.Exclusive);
    try {
      const page = Math.floor(multi / MULTIXACT_OFFSETS_PER_PAGE);
      const entry = multi % MULTIXACT_OFFSETS_PER_PAGE;
      const slot = entry === 0 ? off.zeroPage(page) : off.readPage(page, true, multi);
      off.setU32(slot, entry, offset);
      off.markDirty(slot);
      const mem = this.members;
      mem.lockControl(LWLockMode.Exclusive);
      try {
        for (let i = 0; i < members.length; i++) {
          const o = (offset + i) >>> 0;
          const mpage = Math.floor(o / MULTIXACT_MEMBERS_PER_PAGE);
          const mentry = o % MULTIXACT_MEMBERS_PER_PAGE;
          const mslot = mentry === 0 ? mem.zeroPage(mpage) : mem.readPage(mpage, true, multi);
          mem.setU32(mslot, 2 * mentry, members[i].xid);
          mem.setU32(mslot, 2 * mentry + 1, members[i].status);
          mem.markDirty(mslot);
        }
      } finally {
        mem.unlockControl();
      }
    } finally {
      off.unlockControl();
    }
  }

  /** GetMultiXactIdMembers: the members of `multi` (rule 1: recorded before its id was handed out). */
  getMembers(multi: number): MultiXactMember[] {
    this.lw.acquire(this.genLock, LWLockMode.Shared);
    let start: number;
    let end: number;
    try {
      const next = this.u32[this.wBase + W_NEXT_MULTI];
      if (multi === 0 || ((multi - next) | 0) >= 0) elog(`MultiXactId ${multi} has not been created yet -- apparent wraparound`);
      start = this.offsetOf(multi);
      end = ((multi + 1) >>> 0) === next ? this.u32[this.wBase + W_NEXT_OFFSET] : this.offsetOf((multi + 1) >>> 0);
    } finally {
      this.lw.release(this.genLock);
    }
    if (start === 0 || end === 0) elog(`MultiXactId ${multi} has invalid member offset`);
    const out: MultiXactMember[] = [];
    const mem = this.members;
    for (let o = start; o !== end; o = (o + 1) >>> 0) {
      const slot = mem.readPageReadOnly(Math.floor(o / MULTIXACT_MEMBERS_PER_PAGE), multi);
      const e = o % MULTIXACT_MEMBERS_PER_PAGE;
      out.push({ xid: mem.getU32(slot, 2 * e), status: mem.getU32(slot, 2 * e + 1) as MultiXactStatus });
      mem.unlockControl();
    }
    return out;
  }

  private offsetOf(multi: number): number {
    const slot = this.offsets.readPageReadOnly(Math.floor(multi / MULTIXACT_OFFSETS_PER_PAGE), multi);
    const v = this.offsets.getU32(slot, multi % MULTIXACT_OFFSETS_PER_PAGE);
    this.offsets.unlockControl();
    return v;
  }

  /** multixact_redo's CREATE_ID: record it again and move the counters past it (rule 3). */
  redoCreate(multi: number, offset: number, members: readonly MultiXactMember[]): void {
    this.lw.acquire(this.genLock, LWLockMode.Exclusive);
    try {
      this.record(multi, offset, members);
      const nextMulti = (multi + 1) >>> 0 || 1;
      const nextOffset = (offset + members.length) >>> 0;
      if (((nextMulti - this.u32[this.wBase + W_NEXT_MULTI]) | 0) > 0 || this.u32[this.wBase + W_NEXT_MULTI] === 0) this.u32[this.wBase + W_NEXT_MULTI] = nextMulti;
      if (((nextOffset - this.u32[this.wBase + W_NEXT_OFFSET]) | 0) > 0 || this.u32[this.wBase + W_NEXT_OFFSET] === 0) this.u32[this.wBase + W_NEXT_OFFSET] = nextOffset;
    } finally {
      this.lw.release(this.genLock);
    }
  }

  /**
   * StartupMultiXact + TrimMultiXact (rule 3), after redo: the counters
   * are the larger of what redo replayed and what the SLRU files hold, and
   * the pages they point into exist.
   */
  startup(): void {
    this.lw.acquire(this.genLock, LWLockMode.Exclusive);
    try {
      const fromDisk = this.scanFiles();
      const w = this.wBase;
      if (this.u32[w + W_NEXT_MULTI] === 0 || fromDisk.nextMulti > this.u32[w + W_NEXT_MULTI]) this.u32[w + W_NEXT_MULTI] = fromDisk.nextMulti;
      if (this.u32[w + W_NEXT_OFFSET] === 0 || fromDisk.nextOffset > this.u32[w + W_NEXT_OFFSET]) this.u32[w + W_NEXT_OFFSET] = fromDisk.nextOffset;
      this.ensurePage(this.offsets, Math.floor(this.u32[w + W_NEXT_MULTI] / MULTIXACT_OFFSETS_PER_PAGE));
      this.ensurePage(this.members, Math.floor(this.u32[w + W_NEXT_OFFSET] / MULTIXACT_MEMBERS_PER_PAGE));
    } finally {
      this.lw.release(this.genLock);
    }
  }

  /** The page exists in the cache or on disk; else it is zeroed and written (the first start of a directory). */
  private ensurePage(slru: SlruCtl, page: number): void {
    if (slru.describe().some((s) => s.pageNumber === page && s.status !== 'EMPTY')) return; // replayed, not yet written
    slru.lockControl(LWLockMode.Exclusive);
    try {
      if (slru.doesPhysicalPageExist(page)) return;
      slru.writePage(slru.zeroPage(page));
    } finally {
      slru.unlockControl();
    }
  }

  /** The counters the SLRU files imply: one past the highest written multi and its last member. */
  private scanFiles(): { nextMulti: number; nextOffset: number } {
    const segs = this.offsets.listSegments();
    if (segs.length === 0) return { nextMulti: 1, nextOffset: 1 };
    const lastSeg = Math.max(...segs);
    for (let page = (lastSeg + 1) * SLRU_PAGES_PER_SEGMENT - 1; page >= lastSeg * SLRU_PAGES_PER_SEGMENT; page--) {
      if (!this.physicalPageExists(this.offsets, page)) continue;
      const off = this.offsets;
      const slot = off.readPageReadOnly(page, page * MULTIXACT_OFFSETS_PER_PAGE);
      let last = -1;
      let startOffset = 0;
      for (let e = MULTIXACT_OFFSETS_PER_PAGE - 1; e >= 0; e--) {
        const v = off.getU32(slot, e);
        if (v !== 0) {
          last = e;
          startOffset = v;
          break;
        }
      }
      off.unlockControl();
      if (last < 0) continue;
      const multi = page * MULTIXACT_OFFSETS_PER_PAGE + last;
      // Its members run until the first empty member entry.
      let o = startOffset;
      for (;;) {
        const mpage = Math.floor(o / MULTIXACT_MEMBERS_PER_PAGE);
        if (!this.physicalPageExists(this.members, mpage)) break;
        const mslot = this.members.readPageReadOnly(mpage, multi);
        const xid = this.members.getU32(mslot, 2 * (o % MULTIXACT_MEMBERS_PER_PAGE));
        this.members.unlockControl();
        if (xid === 0) break;
        o = (o + 1) >>> 0;
      }
      return { nextMulti: (multi + 1) >>> 0, nextOffset: Math.max(o, 1) };
    }
    return { nextMulti: 1, nextOffset: 1 };
  }

  private physicalPageExists(slru: SlruCtl, page: number): boolean {
    slru.lockControl(LWLockMode.Shared);
    try {
      return slru.doesPhysicalPageExist(page);
    } finally {
      slru.unlockControl();
    }
  }

  /** CheckPointMultiXact (rule 4). */
  checkpoint(): void {
    this.offsets.writeAll();
    this.members.writeAll();
  }
}

/* ---------------------------------------------------------------- redo */

export const MULTIXACT_REDO = new RedoServiceKey<MultiXact>('multixact');

function multixactRedo(record: { info: number; mainData: Uint8Array; mainDataLength: number }, ctx: RedoContext): void {
  const info = record.info & 0xf0;
  if (info !== XLOG_MULTIXACT_CREATE_ID) panic(`multixact_redo: unknown op code ${info}`);
  const c = decodeCreateId(record.mainData.subarray(0, record.mainDataLength));
  ctx.services.get(MULTIXACT_REDO).redoCreate(c.multi, c.offset, c.members);
}

registerRmgr({
  id: RM_MULTIXACT_ID,
  name: 'MultiXact',
  redo: multixactRedo,
  desc: (record: { info: number; mainData: Uint8Array; mainDataLength: number }) => {
    const c = decodeCreateId(record.mainData.subarray(0, record.mainDataLength));
    return `${c.multi} offset ${c.offset} nmembers ${c.members.length}: ${c.members.map((m) => `${m.xid} (${m.status})`).join(' ')}`;
  },
  identify: (info: number) => ((info & 0xf0) === XLOG_MULTIXACT_CREATE_ID ? 'CREATE_ID' : null),
});
