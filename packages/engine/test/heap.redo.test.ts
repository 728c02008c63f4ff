/*
 * Crash recovery of the heap's WAL records, small and focused: a workload
 * that produces every heap record kind (INSERT, MULTI_INSERT, DELETE, UPDATE,
 * HOT_UPDATE, PRUNE, VACUUM, FREEZE_PAGE, VISIBLE), a crash that loses every unsynced
 * data-file write, and a restart whose redo must rebuild exactly what had
 * committed. The randomized crash suite lives in crash*.test.ts.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrashSimDirectory, type CrashMode } from '@tabgres/opfs-storage';
import { StorageEngine, type ScannedRow } from '../src/engine.ts';
import { INT4OID, TEXTOID } from '../src/utils/adt/types.ts';
import type { Relation } from '../src/access/heap/relation.ts';
import { tidBlock, tidOffset, type Tid } from '../src/access/common/itemptr.ts';
import { getRmgr, RM_HEAP2_ID, RM_HEAP_ID, type RmgrData } from '../src/access/transam/rmgr.ts';
import { VISIBILITYMAP_ALL_VISIBLE } from '../src/access/heap/visibilitymap.ts';
import { HEAP_HOT_UPDATED, HEAP_ONLY_TUPLE, HEAP_XMIN_FROZEN } from '../src/access/common/htup_details.ts';
import { fingerprint, pageAllVisible, pageItems, randomBytes, relBlocks, typ, type PageItem } from '../src/access/heap/heap_testutil.ts';

const cols = [{ name: 'id', type: typ(INT4OID), notNull: true }, { name: 'v', type: typ(TEXTOID) }];
/** Small shared buffers, so pages are evicted (and WAL flushed ahead of them) mid-workload; no automatic checkpoints. */
const OPTIONS = { sharedBuffers: 16, walSegmentSize: 1024 * 1024, checkpointWalBytes: 2 ** 30, checkpointTimeoutMs: 2 ** 31 };
const pad = (s: string, n = 40): string => s.padEnd(n, '.');

/** Counts the heap records redo replays, by kind ("INSERT", "HOT_UPDATE", "PRUNE", ...). */
class RedoCounter {
  readonly counts = new Map<string, number>();
  private readonly saved: [RmgrData, RmgrData['redo']][] = [];

  install(): void {
    for (const id of [RM_HEAP_ID, RM_HEAP2_ID]) {
      const rmgr = getRmgr(id);
      if (rmgr === undefined) throw new Error(`rmgr ${id} is not registered`);
      const redo = rmgr.redo;
      this.saved.push([rmgr, redo]);
      rmgr.redo = (record, ctx) => {
        const name = rmgr.identify(record.info) ?? '?';
        const kind = name.replace('+INIT', '');
        this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
        if (name !== kind) this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        redo(record, ctx);
      };
    }
  }

  uninstall(): void {
    for (const [rmgr, redo] of this.saved) rmgr.redo = redo;
    this.saved.length = 0;
  }
}

/**
 * What redo must reproduce of a line pointer: its state, redirect target and
 * the WAL-logged parts of the tuple header (hint bits may be lost; frozen
 * and the HOT bits may not).
 */
const durablePart = (it: PageItem): unknown => [
  it.state, it.redirectTo, it.xmin, it.xmax, (it.infomask & HEAP_XMIN_FROZEN) === HEAP_XMIN_FROZEN,
  it.infomask2 & (HEAP_HOT_UPDATED | HEAP_ONLY_TUPLE),
];

/** Every page's line pointers, and its all-visible flag and VM bits. */
function pagesOf(db: StorageEngine, rel: Relation): { items: PageItem[]; allVisible: boolean; vm: number }[] {
  const out = [];
  for (let b = 0; b < relBlocks(db, rel); b++) {
    out.push({ items: pageItems(db, rel, b), allVisible: pageAllVisible(db, rel, b), vm: db.vm.getStatus(rel.locator, b) });
  }
  return out;
}

/** Rows as comparable plain data: TID and values (large ones by digest). */
const snapshotOf = (rows: ScannedRow[]): unknown[] => rows.map((r) => [r.tid, fingerprint(r.values)]);

describe('heap redo after a crash', () => {
  const counter = new RedoCounter();
  beforeEach(() => counter.install());
  afterEach(() => counter.uninstall());

  /**
   * Runs the workload on a fresh directory, leaves one transaction in
   * flight, and returns what had committed plus what the relation was.
   */
  function workload(dir: CrashSimDirectory): {
    db: StorageEngine; rel: Relation; committed: unknown[]; toastCommitted: number;
    pages: ReturnType<typeof pagesOf>; inFlight: Tid[];
  } {
    const db = StorageEngine.open({ dir, ...OPTIONS });
    const rel = db.createRelation('t', cols);
    db.checkpoint(); // redo starts here: everything below is replayed

    // INSERT (+INIT on new pages): full pages of small rows, and two toasted values.
    let tids: Tid[] = db.insertMany(rel, Array.from({ length: 600 }, (_, i) => [i, pad(`row ${i}`)]));
    const bigA = db.insert(rel, [1000, Buffer.from(randomBytes(12_000, 1)).toString('hex')]);
    db.insert(rel, [1001, Buffer.from(randomBytes(9_000, 2)).toString('hex')]);

    // HOT_UPDATE: a row updated in place many times; committed versions get pruned.
    let hot = tids[5];
    for (let i = 0; i < 40; i++) hot = db.update(rel, hot, [5, pad(`hot ${i}`)]);
    // UPDATE: rows that grow no longer fit their full page and move.
    db.begin();
    for (const k of [100, 101, 102]) tids[k] = db.update(rel, tids[k], [k, pad(`moved ${k}`, 300)]);
    db.commit();
    // DELETE on a full page, then a scan prunes it opportunistically: PRUNE leaves LP_DEAD items.
    db.begin();
    for (let k = 200; k < 230; k++) db.delete(rel, tids[k]);
    db.commit();
    db.count(rel);
    // An update of the toasted row that keeps its value, and a delete of the other one.
    db.update(rel, bigA, [1000, db.scan(rel).find((r) => r.values[0] === 1000)?.values[1] ?? null]);
    db.delete(rel, db.scan(rel).find((r) => r.values[0] === 1001)?.tid ?? 0);

    // VACUUM: prunes the rest, VACUUM sets the LP_DEAD items unused, VISIBLE sets the map.
    db.vacuum(rel);
    // More changes, a rollback among them, then VACUUM FREEZE: FREEZE_PAGE and VISIBLE with all-frozen.
    db.begin();
    db.insert(rel, [2000, 'rolled back']);
    db.delete(rel, tids[300]);
    db.update(rel, tids[301], [301, 'rolled back']);
    db.rollback();
    db.begin();
    for (let k = 400; k < 420; k++) db.delete(rel, tids[k]);
    db.commit();
    db.vacuum(rel, { freeze: true });
    // Changes on all-visible pages clear their bits (the *_ALL_VISIBLE_CLEARED flags in the records).
    tids = tids.slice();
    tids[10] = db.update(rel, tids[10], [10, pad('after freeze')]);
    db.delete(rel, tids[550]); // on another all-visible page than the update
    // MULTI_INSERT onto the existing (all-visible, frozen) target page, then onto new pages (+INIT).
    db.insertMany(rel, Array.from({ length: 3 }, (_, i) => [3100 + i, pad(`batch ${i}`)]));
    db.insertMany(rel, Array.from({ length: 150 }, (_, i) => [3200 + i, pad(`batch ${i}`, 100)]));
    db.insert(rel, [3000, 'after freeze']);

    const committed = snapshotOf(db.scan(rel));
    const toastCommitted = rel.toast === null ? 0 : db.count(rel.toast);
    const pages = pagesOf(db, rel);
    // The scans above pruned pages; a commit elsewhere flushes that WAL, so the pages above are what redo must rebuild.
    db.createRelation('flush', cols);

    // In flight at the crash: none of this may survive.
    db.begin();
    const inFlight = [
      db.insert(rel, [4000, 'in flight']),
      tids[20], db.update(rel, tids[20], [20, 'in flight']),
      tids[21],
      db.insert(rel, [4001, Buffer.from(randomBytes(8_000, 3)).toString('hex')]),
    ];
    db.delete(rel, tids[21]);
    return { db, rel, committed, toastCommitted, pages, inFlight };
  }

  function crashAndRecover(mode: CrashMode, seed: number): void {
    const dir = new CrashSimDirectory();
    const { db, rel, committed, toastCommitted, pages, inFlight } = workload(dir);
    db.abandon();
    dir.crash({ seed, mode });

    const db2 = StorageEngine.open({ dir, ...OPTIONS });
    try {
      expect(db2.startup.recoveryPerformed).toBe(true);
      const rel2 = db2.openRelation({ oid: rel.oid, name: 't', columns: cols, toastOid: rel.toast?.oid ?? null });

      // Page by page, before a scan prunes anything: what redo rebuilt is what there was,
      // except where the in-flight transaction wrote (its records may or may not have reached WAL).
      const touched = new Set(inFlight.map((t) => `${tidBlock(t)}/${tidOffset(t)}`));
      const touchedBlocks = new Set(inFlight.map(tidBlock));
      const recovered = pagesOf(db2, rel2);
      expect(recovered.length).toBeGreaterThanOrEqual(pages.length);
      for (const [b, page] of pages.entries()) {
        for (const it of page.items) {
          if (touched.has(`${b}/${it.off}`)) continue;
          const got = recovered[b].items[it.off - 1];
          expect(got === undefined ? 'missing' : durablePart(got), `block ${b} item ${it.off}`).toEqual(durablePart(it));
        }
        if (!touchedBlocks.has(b)) {
          expect(recovered[b].allVisible, `block ${b} PD_ALL_VISIBLE`).toBe(page.allVisible);
          expect(recovered[b].vm, `block ${b} VM bits`).toBe(page.vm);
        }
      }

      expect(snapshotOf(db2.scan(rel2))).toEqual(committed);
      if (rel2.toast !== null) expect(db2.count(rel2.toast)).toBe(toastCommitted);

      // The visibility map never claims more than the page says (visibilitymap.ts rule 1),
      // and a page claiming all-visible holds no in-flight or deleted tuple.
      for (let b = 0; b < relBlocks(db2, rel2); b++) {
        if ((db2.vm.getStatus(rel2.locator, b) & VISIBILITYMAP_ALL_VISIBLE) === 0) continue;
        expect(pageAllVisible(db2, rel2, b)).toBe(true);
        for (const it of pageItems(db2, rel2, b)) if (it.state === 'normal') expect(it.xmax).toBe(0);
      }
      // Frozen tuples stayed frozen.
      const frozen = db2.scan(rel2).filter((r) => r.values[0] === 50);
      expect((db2.heap.tupleHeader(rel2, frozen[0].tid)?.infomask ?? 0) & HEAP_XMIN_FROZEN).toBe(HEAP_XMIN_FROZEN);

      // The recovered table takes new work, and survives a clean restart.
      const t = db2.update(rel2, frozen[0].tid, [50, 'after recovery']);
      expect(tidBlock(t)).toBeGreaterThanOrEqual(0);
      db2.vacuum(rel2);
      const after = snapshotOf(db2.scan(rel2));
      db2.close();
      const db3 = StorageEngine.open({ dir, ...OPTIONS });
      expect(db3.startup.recoveryPerformed).toBe(false);
      const rel3 = db3.openRelation({ oid: rel.oid, name: 't', columns: cols, toastOid: rel.toast?.oid ?? null });
      expect(snapshotOf(db3.scan(rel3))).toEqual(after);
      db3.close();
    } finally {
      db2.close();
    }
  }

  it('rebuilds exactly the committed rows when every unsynced data write is lost (drop)', () => {
    crashAndRecover('drop', 1);
    for (const kind of ['INSERT', 'DELETE', 'UPDATE', 'HOT_UPDATE', 'PRUNE', 'VACUUM', 'FREEZE_PAGE', 'VISIBLE', 'MULTI_INSERT', 'MULTI_INSERT+INIT']) {
      expect(counter.counts.get(kind) ?? 0, `${kind} records replayed`).toBeGreaterThan(0);
    }
    // Multi-insert records that add to an existing page carry their offsets.
    expect(counter.counts.get('MULTI_INSERT') ?? 0).toBeGreaterThan(counter.counts.get('MULTI_INSERT+INIT') ?? 0);
  });

  it('rebuilds the same rows when the crash tears or keeps part of the unsynced writes', () => {
    for (const [mode, seed] of [['tear', 2], ['prefix', 3], ['random', 4]] as const) crashAndRecover(mode, seed);
  });

  it('does not hand out again the XID of a transaction that crashed with its inserts, but no commit, in WAL', () => {
    const dir = new CrashSimDirectory();
    const db = StorageEngine.open({ dir, ...OPTIONS });
    const rel = db.createRelation('t', cols);
    db.insert(rel, [0, 'committed']);
    db.checkpoint();
    db.begin();
    db.insertMany(rel, [[1, 'in flight'], [2, 'in flight']]);
    // The inserts reach durable WAL (as a full WAL buffer or an evicted page would make them), the commit never does.
    db.xlog.flush(db.xlog.getInsertRecPtr());
    db.abandon();
    dir.crash({ seed: 5, mode: 'drop' });

    const db2 = StorageEngine.open({ dir, ...OPTIONS });
    try {
      const rel2 = db2.openRelation({ oid: rel.oid, name: 't', columns: cols });
      expect(db2.scan(rel2).map((r) => r.values[0])).toEqual([0]);
      // Redo moved nextXid past the crashed transaction's XID: a new one gets another, so the
      // crashed rows stay dead after it commits.
      db2.insert(rel2, [3, 'after recovery']);
      expect(db2.scan(rel2).map((r) => r.values[0]).sort()).toEqual([0, 3]);
    } finally {
      db2.close();
    }
  });

  it('replays a VACUUM truncation followed by new pages at the same block numbers', () => {
    const dir = new CrashSimDirectory();
    const db = StorageEngine.open({ dir, ...OPTIONS });
    const rel = db.createRelation('t', cols);
    const tids = db.insertMany(rel, Array.from({ length: 500 }, (_, i) => [i, pad(`row ${i}`)]));
    db.checkpoint();
    const pagesBefore = relBlocks(db, rel);
    db.begin();
    for (let i = 100; i < 500; i++) db.delete(rel, tids[i]);
    db.commit();
    const stats = db.vacuum(rel);
    expect(stats.pagesRemoved).toBeGreaterThan(0);
    // Refill past the old end: the truncated block numbers are used again, for different rows.
    db.insertMany(rel, Array.from({ length: 600 }, (_, i) => [1000 + i, pad(`new ${i}`, 60)]));
    expect(relBlocks(db, rel)).toBeGreaterThan(pagesBefore);
    const committed = snapshotOf(db.scan(rel));
    db.abandon();
    dir.crash({ seed: 5, mode: 'drop' });

    const db2 = StorageEngine.open({ dir, ...OPTIONS });
    try {
      const rel2 = db2.openRelation({ oid: rel.oid, name: 't', columns: cols, toastOid: rel.toast?.oid ?? null });
      expect(snapshotOf(db2.scan(rel2))).toEqual(committed);
      expect(counter.counts.get('INSERT') ?? 0).toBeGreaterThan(0);
    } finally {
      db2.close();
    }
  });
});
