/*
 * buf_table.ts — the buffer mapping table: buffer tag -> buffer number
 * (PostgreSQL's buf_table.c).
 *
 * A chained hash table in shared memory. Buckets hold the first buffer
 * number (+1) of their chain; the chain links run through the buffer
 * descriptors themselves (word D_HASH_NEXT), because every buffer is in the
 * table at most once. That gives a table that can never run out of entries,
 * without a separate entry pool and free list.
 *
 * Rules:
 *  1. The table is split into NUM_BUFFER_PARTITIONS partitions; bucket b
 *     belongs to partition b mod NUM_BUFFER_PARTITIONS, and the partition's
 *     LWLock guards its buckets, the chains hanging off them, and the tag words
 *     of every buffer on those chains.
 *  2. Lookups hold the partition lock shared; inserts and deletes hold it
 *     exclusively. A backend that needs two partitions (re-tagging a buffer)
 *     locks the lower-numbered one first.
 *  3. A buffer's tag words change only while it is off every chain, or while
 *     the partition lock of its chain is held exclusively.
 */

import { BUF_DESC_WORDS, D_BLOCK, D_DB, D_FORK, D_HASH_NEXT, D_REL, D_SPC } from './buf_internals.ts';

export class BufTable {
  private readonly w: Int32Array;
  private readonly descBase: number;
  private readonly bucketBase: number;
  readonly bucketMask: number;

  constructor(words: Int32Array, descBase: number, bucketBase: number, nbuckets: number) {
    this.w = words;
    this.descBase = descBase;
    this.bucketBase = bucketBase;
    this.bucketMask = nbuckets - 1;
  }

  /** BufTableLookup: the buffer id (0-based) holding the tag, or -1. Caller holds the partition lock. */
  lookup(hash: number, spc: number, db: number, rel: number, fork: number, block: number): number {
    const w = this.w;
    let id = w[this.bucketBase + (hash & this.bucketMask)] - 1;
    let guard = 0;
    while (id >= 0) {
      const d = this.descBase + id * BUF_DESC_WORDS;
      if (w[d + D_BLOCK] === block && w[d + D_REL] === rel && w[d + D_FORK] === fork && w[d + D_DB] === db && w[d + D_SPC] === spc) {
        return id;
      }
      id = w[d + D_HASH_NEXT] - 1;
      // Chains are short; a cycle would be memory corruption.
      if (++guard > 1 << 24) throw new Error('buffer mapping chain is corrupt');
    }
    return -1;
  }

  /**
   * A lookup without the partition lock (bufmgr's fast path). Chains may
   * change underneath it, so the walk is bounded and its answer is only a
   * guess that the caller verifies after pinning.
   */
  lookupOptimistic(hash: number, spc: number, db: number, rel: number, fork: number, block: number): number {
    const w = this.w;
    let id = w[this.bucketBase + (hash & this.bucketMask)] - 1;
    for (let guard = 0; id >= 0 && guard < 64; guard++) {
      const d = this.descBase + id * BUF_DESC_WORDS;
      if (w[d + D_BLOCK] === block && w[d + D_REL] === rel && w[d + D_FORK] === fork && w[d + D_DB] === db && w[d + D_SPC] === spc) {
        return id;
      }
      id = w[d + D_HASH_NEXT] - 1;
    }
    return -1;
  }

  /** BufTableInsert: links buffer `id` (whose tag words are already set) into its bucket. */
  insert(hash: number, id: number): void {
    const w = this.w;
    const b = this.bucketBase + (hash & this.bucketMask);
    w[this.descBase + id * BUF_DESC_WORDS + D_HASH_NEXT] = w[b];
    w[b] = id + 1;
  }

  /** BufTableDelete: unlinks buffer `id` from its bucket's chain. */
  delete(hash: number, id: number): void {
    const w = this.w;
    const b = this.bucketBase + (hash & this.bucketMask);
    let prev = -1;
    let cur = w[b] - 1;
    while (cur >= 0) {
      const next = w[this.descBase + cur * BUF_DESC_WORDS + D_HASH_NEXT];
      if (cur === id) {
        if (prev < 0) w[b] = next;
        else w[this.descBase + prev * BUF_DESC_WORDS + D_HASH_NEXT] = next;
        w[this.descBase + id * BUF_DESC_WORDS + D_HASH_NEXT] = 0;
        return;
      }
      prev = cur;
      cur = next - 1;
    }
    throw new Error(`buffer ${id + 1} is not in the mapping table`);
  }
}
