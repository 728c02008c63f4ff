/*
 * heap_testutil.ts — helpers the heap tests share: table definitions, and a
 * look at a heap page's line pointers without going through MVCC (what
 * pageinspect's heap_page_items shows in PostgreSQL).
 *
 * Test code only; nothing in the engine imports it.
 */

import { createHash } from 'node:crypto';
import { BUFFER_LOCK_SHARE } from '../../storage/buffer/buf_internals.ts';
import { itemIdGet, itemIdGetFlags, itemIdGetLength, itemIdGetOffset, LP_DEAD, LP_NORMAL, LP_REDIRECT, LP_UNUSED, pageGetMaxOffsetNumber, pageIsAllVisible } from '../../storage/page/bufpage.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import type { TypeInfo } from '../../utils/adt/datum.ts';
import { typeByOid } from '../../utils/adt/types.ts';
import type { StorageEngine } from '../../engine.ts';
import type { TupleValue } from '../common/heaptuple.ts';
import { htupGetInfomask, htupGetInfomask2, htupGetXmax, htupGetXmin } from '../common/htup_details.ts';
import type { Relation } from './relation.ts';

export type LpState = 'unused' | 'normal' | 'redirect' | 'dead';

const LP_NAMES: Record<number, LpState> = { [LP_UNUSED]: 'unused', [LP_NORMAL]: 'normal', [LP_REDIRECT]: 'redirect', [LP_DEAD]: 'dead' };

/** One line pointer of a heap page, and the header of the tuple it holds. */
export interface PageItem {
  off: number;
  state: LpState;
  /** LP_REDIRECT: the offset it points to. */
  redirectTo: number;
  /** LP_NORMAL: the tuple's length and header words (0 otherwise). */
  len: number;
  xmin: number;
  xmax: number;
  infomask: number;
  infomask2: number;
}

/** The built-in type with this OID (every OID the tests use is built in). */
export function typ(oid: number): TypeInfo {
  const t = typeByOid(oid);
  if (t === undefined) throw new Error(`type ${oid} is not built in`);
  return t;
}

/** heap_page_items: every line pointer of one page of the relation's main fork. */
export function pageItems(db: StorageEngine, rel: Relation, block: number): PageItem[] {
  const bufmgr = db.bufmgr;
  const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, block);
  bufmgr.lockBuffer(buffer, BUFFER_LOCK_SHARE);
  try {
    const page = bufmgr.getPage(buffer);
    const items: PageItem[] = [];
    const max = pageGetMaxOffsetNumber(page);
    for (let off = 1; off <= max; off++) {
      const lp = itemIdGet(page, off);
      const flags = itemIdGetFlags(lp);
      const at = itemIdGetOffset(lp);
      const normal = flags === LP_NORMAL;
      items.push({
        off,
        state: LP_NAMES[flags],
        redirectTo: flags === LP_REDIRECT ? at : 0,
        len: normal ? itemIdGetLength(lp) : 0,
        xmin: normal ? htupGetXmin(page, at) : 0,
        xmax: normal ? htupGetXmax(page, at) : 0,
        infomask: normal ? htupGetInfomask(page, at) : 0,
        infomask2: normal ? htupGetInfomask2(page, at) : 0,
      });
    }
    return items;
  } finally {
    bufmgr.unlockReleaseBuffer(buffer);
  }
}

/**
 * The state of line pointer `off` in a pageItems() result. Pruning and
 * VACUUM drop unused line pointers from the end of the array
 * (pageRepairFragmentation), so an offset past the end reads as unused.
 */
export function stateAt(items: readonly PageItem[], off: number): LpState {
  return off >= 1 && off <= items.length ? items[off - 1].state : 'unused';
}

/** PD_ALL_VISIBLE of one heap page. */
export function pageAllVisible(db: StorageEngine, rel: Relation, block: number): boolean {
  const bufmgr = db.bufmgr;
  const buffer = bufmgr.readBuffer(rel.locator, ForkNumber.MAIN, block);
  bufmgr.lockBuffer(buffer, BUFFER_LOCK_SHARE);
  try {
    return pageIsAllVisible(bufmgr.getPage(buffer));
  } finally {
    bufmgr.unlockReleaseBuffer(buffer);
  }
}

/** The number of blocks in the relation's main fork. */
export function relBlocks(db: StorageEngine, rel: Relation): number {
  return db.bufmgr.nblocks(rel.locator, ForkNumber.MAIN);
}

/** Line pointers holding tuples (LP_NORMAL) over the whole relation, visible or not. */
export function physicalTuples(db: StorageEngine, rel: Relation): number {
  let n = 0;
  for (let b = 0; b < relBlocks(db, rel); b++) for (const it of pageItems(db, rel, b)) if (it.state === 'normal') n++;
  return n;
}

/** A deterministic pseudo-random generator (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Incompressible bytes of the given length. */
export function randomBytes(len: number, seed: number): Uint8Array {
  const next = rng(seed);
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = Math.floor(next() * 256);
  return out;
}

/**
 * A row with large values replaced by their length and SHA-1, for toEqual:
 * comparing megabyte values element by element makes expect() take seconds.
 */
export function fingerprint(values: readonly (TupleValue | null)[] | null): unknown[] | null {
  if (values === null) return null;
  return values.map((v) => {
    if (v instanceof Uint8Array && v.length > 256) return `bytea(${v.length}) ${createHash('sha1').update(v).digest('hex')}`;
    if (typeof v === 'string' && v.length > 256) return `text(${v.length}) ${createHash('sha1').update(v).digest('hex')}`;
    return v;
  });
}
