/*
 * combocid.ts — combo command ids (PostgreSQL's utils/time/combocid.c).
 *
 * Exports: ComboCids (per backend), FirstCommandId, InvalidCommandId.
 *
 * A tuple header has one 32-bit field for the command id, but a tuple that
 * one transaction both inserts and deletes needs two: cmin (the inserting
 * command) and cmax (the deleting one), so that scans of the commands between
 * them see it. Since only the inserting transaction ever looks at those
 * numbers (everyone else decides by xmin/xmax), the pair is replaced by a
 * "combo" id, an index into a backend-local array of (cmin, cmax) pairs, and
 * HEAP_COMBOCID is set in t_infomask. The array lives only as long as the
 * transaction: no other backend and no later transaction needs it.
 *
 *   HEAP_COMBOCID clear: t_cid is cmin while the tuple is only inserted, and
 *                        cmax once another transaction deleted it (the
 *                        deleter has no use for the inserter's cmin)
 *   HEAP_COMBOCID set:   t_cid indexes this backend's (cmin, cmax) pairs
 *
 * Rules:
 *  1. Only the transaction that inserted the tuple creates a combo id for it
 *     (adjustCmax); a delete of someone else's tuple just stores cmax.
 *  2. The same (cmin, cmax) pair always maps to the same combo id (a hash
 *     map), so a large UPDATE does not grow the array per row.
 *  3. atEOXact forgets everything.
 */

import { htupGetCid, htupGetInfomask, htupGetXmin, HEAP_COMBOCID, HEAP_XMIN_COMMITTED } from '../../access/common/htup_details.ts';
import { ereport, SQLSTATE } from '../errors.ts';

export const FirstCommandId = 0;
export const InvalidCommandId = 0xffffffff;

const TWO_32 = 4294967296;
const INITIAL_CAPACITY = 64;

/** One backend's combo command ids. */
export class ComboCids {
  private cmins = new Uint32Array(INITIAL_CAPACITY);
  private cmaxs = new Uint32Array(INITIAL_CAPACITY);
  private count = 0;
  /** (cmin, cmax) as cmin * 2^32 + cmax -> combo id (rule 2). */
  private readonly hash = new Map<number, number>();
  /** Whether the last adjustCmax produced a combo id. */
  lastAdjustIsCombo = false;

  /** HeapTupleHeaderGetCmin: only meaningful to the inserting transaction. */
  getCmin(page: Uint8Array, off: number): number {
    const cid = htupGetCid(page, off);
    return (htupGetInfomask(page, off) & HEAP_COMBOCID) !== 0 ? this.realCmin(cid) : cid;
  }

  /** HeapTupleHeaderGetCmax: only meaningful to the deleting transaction. */
  getCmax(page: Uint8Array, off: number): number {
    const cid = htupGetCid(page, off);
    return (htupGetInfomask(page, off) & HEAP_COMBOCID) !== 0 ? this.realCmax(cid) : cid;
  }

  /**
   * HeapTupleHeaderAdjustCmax: the value to store in t_cid when this
   * transaction deletes or updates the tuple in command `cmax`. If the same
   * transaction (any of its subtransactions) inserted it, that is a combo id
   * for (cmin, cmax) and lastAdjustIsCombo is set: the caller then sets
   * HEAP_COMBOCID. The XMIN_COMMITTED test goes first: it is cheaper, and a
   * tuple with a committed xmin is not ours.
   */
  adjustCmax(page: Uint8Array, off: number, cmax: number, isCurrentTransactionId: (xid: number) => boolean): number {
    if ((htupGetInfomask(page, off) & HEAP_XMIN_COMMITTED) === 0 && isCurrentTransactionId(htupGetXmin(page, off))) {
      const cmin = this.getCmin(page, off);
      this.lastAdjustIsCombo = true;
      return this.getComboCommandId(cmin, cmax);
    }
    this.lastAdjustIsCombo = false;
    return cmax;
  }

  /** GetComboCommandId: the combo id of (cmin, cmax), made on first use. */
  getComboCommandId(cmin: number, cmax: number): number {
    const key = cmin * TWO_32 + cmax;
    const found = this.hash.get(key);
    if (found !== undefined) return found;
    if (this.count >= InvalidCommandId) ereport(SQLSTATE.program_limit_exceeded, 'cannot have more than 2^32-1 combo command ids in a transaction');
    if (this.count === this.cmins.length) {
      const grow = (a: Uint32Array): Uint32Array<ArrayBuffer> => {
        const b = new Uint32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.cmins = grow(this.cmins);
      this.cmaxs = grow(this.cmaxs);
    }
    const id = this.count++;
    this.cmins[id] = cmin;
    this.cmaxs[id] = cmax;
    this.hash.set(key, id);
    return id;
  }

  realCmin(comboId: number): number {
    return this.cmins[comboId];
  }

  realCmax(comboId: number): number {
    return this.cmaxs[comboId];
  }

  get size(): number {
    return this.count;
  }

  /** AtEOXact_ComboCid (rule 3). */
  atEOXact(): void {
    // Most transactions make no combo CIDs; Map.clear() allocates a new table even when empty.
    if (this.count === 0) return;
    this.hash.clear();
    this.count = 0;
    if (this.cmins.length > INITIAL_CAPACITY) {
      this.cmins = new Uint32Array(INITIAL_CAPACITY);
      this.cmaxs = new Uint32Array(INITIAL_CAPACITY);
    }
  }
}
