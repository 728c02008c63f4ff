/*
 * XID wraparound: a cluster initialized just below 2^32 runs a few thousand
 * transactions across the wrap (XIDs continue at 3, varsup.ts rule 3), every
 * committed row stays visible and no rolled-back one appears; VACUUM FREEZE
 * then lets the wraparound limits move forward.
 */

import { describe, expect, it } from 'vitest';
import { StorageEngine } from '../src/engine.ts';
import { INT4OID, TEXTOID } from '../src/utils/adt/types.ts';
import { HEAP_XMIN_FROZEN } from '../src/access/common/htup_details.ts';
import { FirstNormalTransactionId, transactionIdPrecedes } from '../src/access/transam/transam.ts';
import { XID_STOP_LIMIT_MARGIN } from '../src/constants.ts';
import { typ } from '../src/access/heap/heap_testutil.ts';

const FIRST_XID = 2 ** 32 - 2000;
const TRANSACTIONS = 4000;

describe('XID wraparound', () => {
  it('keeps committed rows visible and rolled-back rows invisible across the wrap, then freezes', () => {
    const db = StorageEngine.open({ sharedBuffers: 128, walSegmentSize: 1024 * 1024, firstXid: FIRST_XID });
    try {
      const nextBefore = db.transam.varsup.readNextTransactionId();
      expect(nextBefore).toBe(FIRST_XID);
      // Opening so close to 2^32 must not trip the wraparound stop limit.
      const start = db.transam.varsup.limits();
      expect(transactionIdPrecedes(nextBefore, start.stop)).toBe(true);

      const rel = db.createRelation('t', [{ name: 'id', type: typ(INT4OID), notNull: true }, { name: 'v', type: typ(TEXTOID) }]);
      const committed = new Set<number>();
      const xmins = new Map<number, number>();
      for (let i = 0; i < TRANSACTIONS; i++) {
        db.begin();
        const tid = db.insert(rel, [i, `row ${i}`]);
        if (i % 5 === 0) db.insert(rel, [-i - 1, 'second row, same xact']);
        if (i % 7 === 3) {
          db.rollback();
        } else {
          db.commit();
          committed.add(i);
          xmins.set(i, db.heap.tupleHeader(rel, tid)?.xmin ?? 0);
        }
      }
      const nextAfter = db.transam.varsup.readNextTransactionId();
      // The counter wrapped: it is now a small number, and "after" the first XID modulo 2^32.
      expect(nextAfter).toBeLessThan(FIRST_XID);
      expect(nextAfter).toBeGreaterThanOrEqual(FirstNormalTransactionId);
      expect(transactionIdPrecedes(FIRST_XID, nextAfter)).toBe(true);
      const xminValues = [...xmins.values()];
      expect(xminValues.some((x) => x > 2 ** 31)).toBe(true);
      expect(xminValues.some((x) => x < 2 ** 31)).toBe(true);
      // XIDs 0, 1 and 2 are never handed out.
      expect(xminValues.every((x) => x >= FirstNormalTransactionId)).toBe(true);

      const expectRows = (): void => {
        const seen = new Map<number, string>();
        db.scanEach(rel, (values) => {
          const id = values[0] as number;
          expect(seen.has(id)).toBe(false);
          seen.set(id, values[1] as string);
        });
        const want = new Set<number>();
        for (const i of committed) {
          want.add(i);
          if (i % 5 === 0) want.add(-i - 1);
        }
        expect(seen.size).toBe(want.size);
        for (const id of want) expect(seen.has(id)).toBe(true);
        for (const i of committed) expect(seen.get(i)).toBe(`row ${i}`);
      };
      expectRows();

      // VACUUM FREEZE: every live tuple frozen, so relfrozenxid is the horizon itself.
      const stats = db.vacuum(rel, { freeze: true });
      expect(stats.liveTuples).toBe(committed.size + [...committed].filter((i) => i % 5 === 0).length);
      expect(stats.pagesAllFrozen).toBe(stats.relPages);
      expect(stats.newRelFrozenXid).toBe(db.transam.varsup.readNextTransactionId());
      for (const i of [...committed].slice(0, 50)) {
        const rows = db.scan(rel).filter((r) => r.values[0] === i);
        expect(rows).toHaveLength(1);
        expect((db.heap.tupleHeader(rel, rows[0].tid)?.infomask ?? 0) & HEAP_XMIN_FROZEN).toBe(HEAP_XMIN_FROZEN);
      }
      expectRows();

      db.setOldestXid(stats.newRelFrozenXid);
      const moved = db.transam.varsup.limits();
      expect(moved.oldestXid).toBe(stats.newRelFrozenXid);
      expect(moved.wrap).toBe((stats.newRelFrozenXid + 2 ** 31 - 1) >>> 0);
      expect(moved.stop).toBe((moved.wrap - XID_STOP_LIMIT_MARGIN) >>> 0);
      // Every limit moved forward (modulo 2^32) from where it started.
      for (const k of ['vac', 'warn', 'stop', 'wrap'] as const) expect(transactionIdPrecedes(start[k], moved[k])).toBe(true);

      // The table keeps working after the limits and CLOG moved.
      db.begin();
      db.insert(rel, [TRANSACTIONS, 'after freeze']);
      db.commit();
      committed.add(TRANSACTIONS);
      const after = db.scan(rel).filter((r) => r.values[0] === TRANSACTIONS);
      expect(after.map((r) => r.values)).toEqual([[TRANSACTIONS, 'after freeze']]);
      committed.delete(TRANSACTIONS);
    } finally {
      db.close();
    }
  });
});
