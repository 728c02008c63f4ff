/*
 * crash_workload.ts — the seeded random workload behind the crash tests.
 *
 * A Workload drives a StorageEngine on a CrashSimDirectory with random
 * transactions (inserts, updates, deletes, savepoints, commits, rollbacks,
 * checkpoints, VACUUM, values large enough to be TOASTed) and keeps a model
 * of what is committed. At any step the test can take a crash point: copy
 * the directory (durable bytes plus unflushed writes), crash the copy with a
 * seed (unflushed writes dropped, partly kept, or a page torn), reopen it
 * (crash recovery) and compare what it holds with the model:
 *
 *   - every transaction whose commit returned is there, with its last values;
 *   - nothing of a transaction that had not committed (or rolled back) is;
 *   - the relation scans without error, and each key appears once;
 *   - both indexes (unique on k; (g, k) with duplicates and NULLs in g) pass
 *     amcheck's check with heapallindexed, and scans through them return
 *     exactly the committed rows in index order.
 *
 * Some inserts come in batches (insertMany, heap_multi_insert's
 * XLOG_HEAP2_MULTI_INSERT records). The workload also makes updates that
 * change only g (not HOT: an indexed
 * column), only v and blob (HOT when the page has room), and inserts of an
 * existing key that must fail with 23505 inside a savepoint.
 */

import { CrashSimDirectory, Prng } from '@tabgres/opfs-storage';
import { StorageEngine } from '../src/engine.ts';
import type { Relation } from '../src/access/heap/relation.ts';
import type { ColumnDef } from '../src/access/common/tupdesc.ts';
import type { Tid } from '../src/access/common/itemptr.ts';
import type { TypeInfo } from '../src/utils/adt/datum.ts';
import { BYTEAOID, INT4OID, TEXTOID, typeByOid } from '../src/utils/adt/types.ts';
import type { IndexKeyColumn, IndexRelation } from '../src/access/nbtree/nbtree.ts';
import { PgError } from '../src/utils/errors.ts';

const type = (oid: number): TypeInfo => {
  const t = typeByOid(oid);
  if (t === undefined) throw new Error(`no type ${oid}`);
  return t;
};

/** (k, v, blob): also the corruption tests' table. */
export const COLUMNS: ColumnDef[] = [
  { name: 'k', type: type(INT4OID), notNull: true },
  { name: 'v', type: type(TEXTOID) },
  { name: 'blob', type: type(BYTEAOID) },
];

/** The workload's table: COLUMNS plus g, a small group number for the multi-column index. */
export const WORKLOAD_COLUMNS: ColumnDef[] = [...COLUMNS, { name: 'g', type: type(INT4OID) }];

/** The unique index on k (a primary key). */
const PKEY: IndexKeyColumn[] = [{ name: 'k', type: type(INT4OID), heapAttnum: 1 }];
/** The multi-column index on (g DESC NULLS LAST, k): many duplicates of g, some NULLs. */
const G_K: IndexKeyColumn[] = [
  { name: 'g', type: type(INT4OID), heapAttnum: 4, desc: true, nullsFirst: false },
  { name: 'k', type: type(INT4OID), heapAttnum: 1 },
];

/** A committed row as the model keeps it. */
interface ModelRow {
  v: string | null;
  blobLen: number;
  blobSeed: number;
  g: number | null;
}

export interface EngineSettings {
  sharedBuffers: number;
  walSegmentSize: number;
  walBuffers: number;
  checkpointWalBytes: number;
}

export const SMALL_ENGINE: EngineSettings = {
  sharedBuffers: 48,
  walSegmentSize: 1 << 20,
  walBuffers: 16,
  checkpointWalBytes: 1 << 20,
};

export function blobFor(len: number, seed: number): Uint8Array {
  const b = new Uint8Array(len);
  const r = new Prng(seed);
  // Half compressible, half random, so both pglz and out-of-line storage run.
  for (let i = 0; i < len; i++) b[i] = i < len / 2 ? (i * 7) & 0x0f : r.nextUint32() & 0xff;
  return b;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class Workload {
  readonly dir = new CrashSimDirectory();
  readonly rng: Prng;
  db: StorageEngine;
  rel: Relation;
  pkey: IndexRelation;
  gk: IndexRelation;
  /** Committed state: key -> row. */
  private committed = new Map<number, ModelRow>();
  /** The open transaction's view: key -> row (null = deleted). */
  private pending = new Map<number, ModelRow | null>();
  /** Where each live key's current version is (in the open transaction's view). */
  private tids = new Map<number, Tid>();
  private committedTids = new Map<number, Tid>();
  private savepoint: { pending: Map<number, ModelRow | null>; tids: Map<number, Tid> } | null = null;
  private inTxn = false;
  private nextKey = 1;
  readonly settings: EngineSettings;
  steps = 0;

  constructor(seed: number, settings: EngineSettings = SMALL_ENGINE) {
    this.rng = new Prng(seed);
    this.settings = settings;
    this.db = StorageEngine.open({ dir: this.dir, ...settings });
    this.rel = this.db.createRelation('crash_t', WORKLOAD_COLUMNS);
    this.pkey = this.db.createIndex(this.rel, 'crash_t_pkey', { columns: PKEY, unique: true });
    this.gk = this.db.createIndex(this.rel, 'crash_t_g_k', { columns: G_K });
  }

  private group(): number | null {
    return this.rng.chance(0.1) ? null : this.rng.int(12);
  }

  private row(): ModelRow {
    const r = this.rng;
    const big = r.chance(0.05);
    return {
      v: r.chance(0.1) ? null : `value-${r.nextUint32().toString(36)}`.repeat(big ? 200 : 1 + r.int(4)),
      blobLen: big ? 3000 + r.int(30000) : r.int(40),
      blobSeed: r.nextUint32(),
      g: this.group(),
    };
  }

  private values(m: ModelRow): (string | Uint8Array | number | null)[] {
    return [0, m.v, blobFor(m.blobLen, m.blobSeed), m.g];
  }

  /** The open transaction's view of key k. */
  private current(k: number): ModelRow {
    const p = this.pending.get(k);
    return (p ?? this.committed.get(k)) as ModelRow;
  }

  private liveKeys(): number[] {
    const keys = new Set(this.committed.keys());
    for (const [k, v] of this.pending) {
      if (v === null) keys.delete(k);
      else keys.add(k);
    }
    return [...keys];
  }

  /** One random step of work. */
  step(): void {
    const r = this.rng;
    this.steps++;
    if (!this.inTxn) {
      const p = r.next();
      if (p < 0.04) {
        this.db.checkpoint();
        return;
      }
      if (p < 0.07) {
        this.db.vacuum(this.rel, { freeze: r.chance(0.3) });
        return;
      }
      this.db.begin();
      this.inTxn = true;
      this.pending = new Map();
      this.tids = new Map(this.committedTids);
      this.savepoint = null;
      return;
    }
    const p = r.next();
    if (p < 0.35) {
      // A fifth of the inserts are batches (insertMany: heap_multi_insert, a WAL record per page filled).
      const n = r.chance(0.2) ? 2 + r.int(40) : 1;
      const keys: number[] = [];
      const rows: (string | number | Uint8Array | null)[][] = [];
      const models: ModelRow[] = [];
      for (let i = 0; i < n; i++) {
        const k = this.nextKey++;
        const m = this.row();
        const vals = this.values(m);
        vals[0] = k;
        keys.push(k);
        rows.push(vals);
        models.push(m);
      }
      const tids = n === 1 ? [this.db.insert(this.rel, rows[0])] : this.db.insertMany(this.rel, rows);
      for (let i = 0; i < n; i++) {
        this.pending.set(keys[i], models[i]);
        this.tids.set(keys[i], tids[i]);
      }
    } else if (p < 0.6) {
      const keys = this.liveKeys();
      if (keys.length === 0) return;
      const k = keys[r.int(keys.length)];
      // A third change only g (an indexed column: not HOT), a third keep it (HOT when there is room).
      const q = r.next();
      const old = this.current(k);
      const m = q < 0.33 ? { ...old, g: this.group() } : q < 0.66 ? { ...this.row(), g: old.g } : this.row();
      const vals = this.values(m);
      vals[0] = k;
      const tid = this.db.update(this.rel, this.tids.get(k) as Tid, vals);
      this.pending.set(k, m);
      this.tids.set(k, tid);
    } else if (p < 0.72) {
      const keys = this.liveKeys();
      if (keys.length === 0) return;
      const k = keys[r.int(keys.length)];
      this.db.delete(this.rel, this.tids.get(k) as Tid);
      this.pending.set(k, null);
      this.tids.delete(k);
    } else if (p < 0.735) {
      // A duplicate key: 23505, undone by rolling back to a savepoint around it.
      const keys = this.liveKeys();
      if (keys.length === 0) return;
      const vals = this.values(this.row());
      vals[0] = keys[r.int(keys.length)];
      this.db.savepoint('dup');
      try {
        this.db.insert(this.rel, vals);
        throw new Error(`inserting existing key ${String(vals[0])} did not fail`);
      } catch (e) {
        if (!(e instanceof PgError) || e.code !== '23505') throw e;
      }
      this.db.rollbackToSavepoint('dup');
      this.db.releaseSavepoint('dup');
    } else if (p < 0.76 && this.savepoint === null) {
      this.db.savepoint('s');
      this.savepoint = { pending: new Map(this.pending), tids: new Map(this.tids) };
    } else if (p < 0.79 && this.savepoint !== null) {
      this.db.rollbackToSavepoint('s');
      this.pending = new Map(this.savepoint.pending);
      this.tids = new Map(this.savepoint.tids);
    } else if (p < 0.92) {
      this.db.commit();
      for (const [k, v] of this.pending) {
        if (v === null) {
          this.committed.delete(k);
          this.committedTids.delete(k);
        } else {
          this.committed.set(k, v);
          this.committedTids.set(k, this.tids.get(k) as Tid);
        }
      }
      this.inTxn = false;
    } else {
      this.db.rollback();
      this.inTxn = false;
    }
  }

  /**
   * Crashes a copy of the current directory and checks the recovered data
   * against the committed model. Returns a description of any mismatch.
   */
  checkCrashPoint(crashSeed: number): string | null {
    const copy = CrashSimDirectory.fromSnapshot(this.dir.snapshot());
    const mode = (['drop', 'prefix', 'tear', 'random'] as const)[crashSeed & 3];
    copy.crash({ seed: crashSeed, mode });
    const db = StorageEngine.open({ dir: copy, ...this.settings });
    try {
      return this.verify(db);
    } finally {
      db.close();
    }
  }

  /** Compares a (recovered) engine's rows with the committed model. */
  verify(db: StorageEngine): string | null {
    const rel = db.openRelation({ oid: this.rel.oid, name: 'crash_t', columns: WORKLOAD_COLUMNS, toastOid: this.rel.toast?.oid ?? null });
    const pkey = db.openIndex(rel, { oid: this.pkey.oid, name: this.pkey.name, columns: PKEY, unique: true });
    const gk = db.openIndex(rel, { oid: this.gk.oid, name: this.gk.name, columns: G_K });
    const seen = new Map<number, (string | Uint8Array | number | null)[]>();
    for (const row of db.scan(rel)) {
      const k = row.values[0] as number;
      if (seen.has(k)) return `key ${k} appears twice`;
      seen.set(k, row.values as (string | Uint8Array | number | null)[]);
    }
    if (seen.size !== this.committed.size) {
      const extra = [...seen.keys()].filter((k) => !this.committed.has(k)).slice(0, 5);
      const missing = [...this.committed.keys()].filter((k) => !seen.has(k)).slice(0, 5);
      return `expected ${this.committed.size} rows, found ${seen.size} (extra ${extra.join(',')}; missing ${missing.join(',')})`;
    }
    for (const [k, m] of this.committed) {
      const got = seen.get(k);
      if (got === undefined) return `committed key ${k} is missing`;
      if (got[1] !== m.v) return `key ${k}: v is ${String(got[1]).slice(0, 40)}, expected ${String(m.v).slice(0, 40)}`;
      if (!sameBytes(got[2] as Uint8Array, blobFor(m.blobLen, m.blobSeed))) return `key ${k}: blob differs`;
      if (got[3] !== m.g) return `key ${k}: g is ${String(got[3])}, expected ${String(m.g)}`;
    }
    return this.verifyIndexes(db, rel, pkey, gk);
  }

  /** Both indexes pass amcheck (heapallindexed) and list exactly the committed rows in their order. */
  private verifyIndexes(db: StorageEngine, rel: Relation, pkey: IndexRelation, gk: IndexRelation): string | null {
    // One statement (one snapshot, one transaction) for the checks and both scans.
    db.startStatement();
    try {
      return this.compareIndexes(db, rel, pkey, gk);
    } finally {
      db.endStatement();
    }
  }

  private compareIndexes(db: StorageEngine, rel: Relation, pkey: IndexRelation, gk: IndexRelation): string | null {
    // amcheck with heapallindexed on both (one heap pass feeds both checks).
    try {
      const checks = db.checkIndexes(rel);
      if (checks.length !== 2) return `expected 2 indexes, ${checks.length} open`;
      for (const { index, result } of checks) {
        if (result.heapTuplesChecked < this.committed.size) return `index ${index.name}: checked ${result.heapTuplesChecked} heap tuples, ${this.committed.size} committed`;
      }
    } catch (e) {
      return `index check: ${e instanceof Error ? e.message : String(e)}`;
    }
    const wantK = [...this.committed.keys()].sort((a, b) => a - b);
    // (g DESC NULLS LAST, k): largest g first, NULLs at the end, k ascending within a group.
    const rank = (g: number | null): number => (g === null ? -1 : g);
    const wantGK = [...this.committed.entries()].map(([k, m]) => [m.g, k]).sort((a, b) => rank(b[0]) - rank(a[0]) || (a[1] as number) - (b[1] as number));
    const gotK: unknown[] = [];
    // Index-only: the heap rows were compared above; visiting them again would fetch their TOASTed values.
    const pk = db.beginIndexScan(pkey, [], { indexOnly: true });
    while (pk.next()) gotK.push(pk.values[0]);
    pk.end();
    if (JSON.stringify(gotK) !== JSON.stringify(wantK)) return `index ${pkey.name} scan returns ${gotK.length} keys, expected ${wantK.length} (or a different order)`;
    const gotGK: unknown[] = [];
    const s = db.beginIndexScan(gk, [], { indexOnly: true, direction: 'backward' });
    while (s.next()) gotGK.push([s.values[0], s.values[1]]);
    s.end();
    gotGK.reverse();
    if (JSON.stringify(gotGK) !== JSON.stringify(wantGK)) return `index ${gk.name} backward index-only scan differs from the model (${gotGK.length} rows, expected ${wantGK.length})`;
    return null;
  }

  /** Ends the workload's own engine cleanly. */
  finish(): void {
    if (this.inTxn) this.db.rollback();
    this.db.close();
  }
}
