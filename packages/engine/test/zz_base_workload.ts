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
 *   - the relation scans without error, and each key appears once.
 */

import { CrashSimDirectory, Prng } from '@tabgres/opfs-storage';
import { StorageEngine } from '../src/engine.ts';
import type { Relation } from '../src/access/heap/relation.ts';
import type { ColumnDef } from '../src/access/common/tupdesc.ts';
import type { Tid } from '../src/access/common/itemptr.ts';
import type { TypeInfo } from '../src/utils/adt/datum.ts';
import { BYTEAOID, INT4OID, TEXTOID, typeByOid } from '../src/utils/adt/types.ts';

const type = (oid: number): TypeInfo => {
  const t = typeByOid(oid);
  if (t === undefined) throw new Error(`no type ${oid}`);
  return t;
};

export const COLUMNS: ColumnDef[] = [
  { name: 'k', type: type(INT4OID), notNull: true },
  { name: 'v', type: type(TEXTOID) },
  { name: 'blob', type: type(BYTEAOID) },
];

/** A committed row as the model keeps it. */
interface ModelRow {
  v: string | null;
  blobLen: number;
  blobSeed: number;
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
    this.rel = this.db.createRelation('crash_t', COLUMNS);
  }

  private row(): ModelRow {
    const r = this.rng;
    const big = r.chance(0.05);
    return {
      v: r.chance(0.1) ? null : `value-${r.nextUint32().toString(36)}`.repeat(big ? 200 : 1 + r.int(4)),
      blobLen: big ? 3000 + r.int(30000) : r.int(40),
      blobSeed: r.nextUint32(),
    };
  }

  private values(m: ModelRow): (string | Uint8Array | number | null)[] {
    return [0, m.v, blobFor(m.blobLen, m.blobSeed)];
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
      const k = this.nextKey++;
      const m = this.row();
      const vals = this.values(m);
      vals[0] = k;
      const tid = this.db.insert(this.rel, vals);
      this.pending.set(k, m);
      this.tids.set(k, tid);
    } else if (p < 0.6) {
      const keys = this.liveKeys();
      if (keys.length === 0) return;
      const k = keys[r.int(keys.length)];
      const m = this.row();
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
    const rel = db.openRelation({ oid: this.rel.oid, name: 'crash_t', columns: COLUMNS, toastOid: this.rel.toast?.oid ?? null });
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
    }
    return null;
  }

  /** Ends the workload's own engine cleanly. */
  finish(): void {
    if (this.inTxn) this.db.rollback();
    this.db.close();
  }
}
