/*
 * The structure check must notice damage, not only pass on good trees:
 * each test breaks one invariant on a valid tree and expects the error.
 */

import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '@tabgres/opfs-storage';
import { BUFFER_LOCK_EXCLUSIVE } from '../../storage/buffer/buf_internals.ts';
import { itemIdGet, itemIdGetOffset, pageGetMaxOffsetNumber } from '../../storage/page/bufpage.ts';
import { ForkNumber } from '../../storage/relfilelocator.ts';
import { PgError } from '../../utils/errors.ts';
import type { IndexRelation } from './indexrel.ts';
import { btbuild, btIndexCheck } from './nbtree.ts';
import { intKey, startInstance, testIndex, type BtInstance } from './nbtree_testutil.ts';
import { btPageFirstDataKey, btPageIsLeaf, btpoLevel, btpoNext, btpoSetPrev } from './nbtpageops.ts';
import { btTupleGetDownLink, btTupleSetDownLink } from './nbttuple.ts';

function build(n: number): { inst: BtInstance; idx: IndexRelation } {
  const inst = startInstance(new MemoryDirectory());
  const idx = testIndex(inst, [intKey()], { name: 'victim' });
  btbuild(idx, inst.env, (cb) => {
    for (let i = 0; i < n; i++) cb(i + 1, [i * 2], true);
  });
  return { inst, idx };
}

/** Runs `change` on block `blk` under an exclusive lock. */
function damage(inst: BtInstance, idx: IndexRelation, blk: number, change: (page: Uint8Array) => void): void {
  const buf = inst.bufmgr.readBuffer(idx.locator, ForkNumber.MAIN, blk);
  inst.bufmgr.lockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
  change(inst.bufmgr.getPage(buf));
  inst.bufmgr.markBufferDirty(buf);
  inst.bufmgr.unlockReleaseBuffer(buf);
}

function checkError(inst: BtInstance, idx: IndexRelation): PgError {
  try {
    btIndexCheck(idx, inst.env);
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error('the check passed a damaged index');
}

function writeI32(page: Uint8Array, at: number, v: number): void {
  page[at] = v;
  page[at + 1] = v >>> 8;
  page[at + 2] = v >>> 16;
  page[at + 3] = v >>> 24;
}

/** The first leaf block (builds place leaves from block 1). */
const LEAF = 1;

describe('the structure check detects corruption', () => {
  it('passes the undamaged tree', () => {
    const { inst, idx } = build(5000);
    expect(btIndexCheck(idx, inst.env)).toMatchObject({ levels: 2, leafTuples: 5000 });
  });

  it('items out of order on a leaf', () => {
    const { inst, idx } = build(5000);
    damage(inst, idx, LEAF, (p) => {
      const at = itemIdGetOffset(itemIdGet(p, btPageFirstDataKey(p) + 10));
      writeI32(p, at + 8, 1_000_000);
    });
    const e = checkError(inst, idx);
    expect(e.code).toBe('XX002');
    expect(e.message).toBe('item order invariant violated for index "victim"');
  });

  it('an item above its page\'s high key', () => {
    const { inst, idx } = build(5000);
    damage(inst, idx, LEAF, (p) => {
      const at = itemIdGetOffset(itemIdGet(p, pageGetMaxOffsetNumber(p)));
      writeI32(p, at + 8, 1_000_000);
    });
    expect(checkError(inst, idx).message).toBe('high key invariant violated for index "victim"');
  });

  it('a broken left-link', () => {
    const { inst, idx } = build(5000);
    damage(inst, idx, LEAF, (p) => {
      expect(btPageIsLeaf(p)).toBe(true);
      const next = btpoNext(p);
      damage(inst, idx, next, (q) => btpoSetPrev(q, 999));
    });
    expect(checkError(inst, idx).message).toBe('left link/right link pair in index "victim" not in agreement');
  });

  it('a downlink to the wrong child', () => {
    const { inst, idx } = build(5000);
    let root = 0;
    const metabuf = inst.bufmgr.readBuffer(idx.locator, ForkNumber.MAIN, 0);
    const m = inst.bufmgr.getPage(metabuf);
    root = m[24 + 8] | (m[24 + 9] << 8);
    inst.bufmgr.releaseBuffer(metabuf);
    damage(inst, idx, root, (p) => {
      expect(btpoLevel(p)).toBe(1);
      const a = itemIdGetOffset(itemIdGet(p, 2));
      const b = itemIdGetOffset(itemIdGet(p, 3));
      const da = btTupleGetDownLink(p, a);
      btTupleSetDownLink(p, a, btTupleGetDownLink(p, b));
      btTupleSetDownLink(p, b, da);
    });
    expect(checkError(inst, idx).code).toBe('XX002');
  });

  it('a live page that nothing links to', () => {
    const { inst, idx } = build(5000);
    // Unlink the second leaf from the chain by pointing the first past it.
    damage(inst, idx, LEAF, (p) => {
      const skip = btpoNext(p);
      let after = 0;
      damage(inst, idx, skip, (q) => {
        after = btpoNext(q);
      });
      writeI32(p, 8192 - 16 + 4, after);
      damage(inst, idx, after, (q) => btpoSetPrev(q, LEAF));
    });
    expect(checkError(inst, idx).code).toBe('XX002');
  });

  it('a zeroed page in the middle of the tree', () => {
    const { inst, idx } = build(5000);
    damage(inst, idx, 5, (p) => p.fill(0));
    expect(checkError(inst, idx).message).toMatch(/index "victim" contains unexpected zero page at block 5/);
  });
});
