/*
 * pgstat.ts — the per-table activity counters of pg_stat_all_tables /
 * pg_stat_user_tables (PostgreSQL's pgstat_relation.c), kept by this
 * backend: scans counted from each executed plan, rows inserted, updated
 * and deleted counted from ModifyTable's result, VACUUM and ANALYZE times.
 *
 * Exports: TableStats, TableStatsMap (a Map with helpers).
 *
 * Two halves: the row counters (n_tup_ins/upd/del, n_live_tup,
 * n_dead_tup) are shared: this map keeps only their pending deltas (and
 * VACUUM/ANALYZE's measured live/dead counts) until flushShared adds them
 * to utils/activity/pgstat_relation.ts's shared hash at transaction end,
 * where every backend and the autovacuum launcher read them. The rest
 * (scan counts and times, vacuum/analyze counts and times,
 * n_mod_since_analyze, n_ins_since_vacuum) stays per backend: another
 * backend's scans and VACUUMs do not show in this backend's view.
 *
 * Differences from PostgreSQL: the per-backend half is not cumulative
 * across backends; nothing is persistent (PostgreSQL's cumulative
 * statistics survive a clean restart); rows a rolled-back transaction
 * inserted count as live, not dead (PostgreSQL tracks the transaction's
 * outcome). Rows read by scans (seq_tup_read, idx_tup_fetch) are not
 * counted: the views show NULL there.
 */

import type { Plan, PlannedStmt } from '../nodes/plannodes.ts';
import type { Shmem } from '../storage/ipc/shmem.ts';
import { flushRelationCounts, setRelationLiveDead } from '../utils/activity/pgstat_relation.ts';

/** Pending shared deltas, in pgstat_relation.ts's REL_COUNTERS order: ins, upd, del, live, dead. */
const P_INS = 0;
const P_UPD = 1;
const P_DEL = 2;
const P_LIVE = 3;
const P_DEAD = 4;

export interface TableStats {
  seqScan: number;
  lastSeqScan: bigint | null;
  idxScan: number;
  lastIdxScan: bigint | null;
  nTupIns: number;
  nTupUpd: number;
  nTupDel: number;
  nLiveTup: number;
  nDeadTup: number;
  modSinceAnalyze: number;
  insSinceVacuum: number;
  lastVacuum: bigint | null;
  lastAnalyze: bigint | null;
  vacuumCount: number;
  analyzeCount: number;
}

function fresh(): TableStats {
  return {
    seqScan: 0, lastSeqScan: null, idxScan: 0, lastIdxScan: null, nTupIns: 0, nTupUpd: 0, nTupDel: 0, nLiveTup: 0,
    nDeadTup: 0, modSinceAnalyze: 0, insSinceVacuum: 0, lastVacuum: null, lastAnalyze: null, vacuumCount: 0, analyzeCount: 0,
  };
}

/** The plan nodes directly below a node (the fields plannodes.ts gives children in). */
function childPlans(p: Plan): Plan[] {
  const out: Plan[] = [];
  if (p.lefttree !== null) out.push(p.lefttree);
  if (p.righttree !== null) out.push(p.righttree);
  const n = p as unknown as { appendplans?: Plan[]; mergeplans?: Plan[]; subplan?: Plan };
  if (n.appendplans !== undefined) out.push(...n.appendplans);
  if (n.mergeplans !== undefined) out.push(...n.mergeplans);
  if (n.subplan !== undefined) out.push(n.subplan);
  return out;
}

export class TableStatsMap {
  private readonly map = new Map<number, TableStats>();
  /** Row-count deltas not yet in the shared hash, by table. */
  private readonly pendingShared = new Map<number, Float64Array>();
  /** VACUUM/ANALYZE's measured [live, dead] not yet stored in the shared hash, by table. */
  private readonly pendingSet = new Map<number, [number, number]>();

  private pending(relid: number): Float64Array {
    let p = this.pendingShared.get(relid);
    if (p === undefined) {
      p = new Float64Array(5);
      this.pendingShared.set(relid, p);
    }
    return p;
  }

  /** pgstat_report_stat's relation half, at transaction end: measured counts first, then the deltas since. */
  flushShared(shmem: Shmem): void {
    for (const [relid, [live, dead]] of this.pendingSet) setRelationLiveDead(shmem, relid, live, dead);
    this.pendingSet.clear();
    for (const [relid, d] of this.pendingShared) flushRelationCounts(shmem, relid, d);
    this.pendingShared.clear();
  }

  get(oid: number): TableStats | undefined {
    return this.map.get(oid);
  }

  private entry(oid: number): TableStats {
    let t = this.map.get(oid);
    if (t === undefined) {
      t = fresh();
      this.map.set(oid, t);
    }
    return t;
  }

  /** The scans of each plan, found once per PlannedStmt (plans are reused by the plan cache). */
  private readonly scansOf = new WeakMap<PlannedStmt, { relid: number; seq: boolean }[]>();

  private findScans(stmt: PlannedStmt): { relid: number; seq: boolean }[] {
    const out: { relid: number; seq: boolean }[] = [];
    const visit = (p: Plan, depth: number): void => {
      if (depth > 1000) return;
      const n = p as unknown as { type: string; scanrelid?: number; indexid?: number };
      if (n.scanrelid !== undefined && n.scanrelid > 0) {
        const rte = stmt.rtable[n.scanrelid - 1];
        if (rte !== undefined && rte.rtekind === 'RTE_RELATION') {
          if (n.type === 'SeqScan') out.push({ relid: rte.relid, seq: true });
          else if (n.indexid !== undefined) out.push({ relid: rte.relid, seq: false });
        }
      }
      for (const c of childPlans(p)) visit(c, depth + 1);
    };
    visit(stmt.planTree, 0);
    for (const sp of stmt.subplans) visit(sp, 0);
    return out;
  }

  /** Counts the scans of an executed plan (its subplans included). */
  countScans(stmt: PlannedStmt, now: bigint): void {
    let scans = this.scansOf.get(stmt);
    if (scans === undefined) {
      scans = this.findScans(stmt);
      this.scansOf.set(stmt, scans);
    }
    for (const s of scans) {
      const t = this.entry(s.relid);
      if (s.seq) {
        t.seqScan++;
        t.lastSeqScan = now;
      } else {
        t.idxScan++;
        t.lastIdxScan = now;
      }
    }
  }

  /** Rows a DML statement changed in its target table. */
  countModify(relid: number, op: 'CMD_INSERT' | 'CMD_UPDATE' | 'CMD_DELETE', n: number): void {
    if (n === 0) return;
    const t = this.entry(relid);
    const p = this.pending(relid);
    switch (op) {
      case 'CMD_INSERT':
        p[P_INS] += n;
        p[P_LIVE] += n;
        break;
      case 'CMD_UPDATE':
        p[P_UPD] += n;
        p[P_DEAD] += n;
        break;
      case 'CMD_DELETE':
        p[P_DEL] += n;
        p[P_LIVE] -= n;
        p[P_DEAD] += n;
        break;
    }
    switch (op) {
      case 'CMD_INSERT':
        t.nTupIns += n;
        t.nLiveTup += n;
        t.insSinceVacuum += n;
        break;
      case 'CMD_UPDATE':
        t.nTupUpd += n;
        t.nDeadTup += n;
        break;
      case 'CMD_DELETE':
        t.nTupDel += n;
        t.nLiveTup = Math.max(0, t.nLiveTup - n);
        t.nDeadTup += n;
        break;
    }
    t.modSinceAnalyze += n;
  }

  onVacuum(relid: number, liveTuples: number, deadRemaining: number, now: bigint): void {
    const t = this.entry(relid);
    this.pendingShared.delete(relid);
    this.pendingSet.set(relid, [liveTuples, deadRemaining]);
    t.nLiveTup = liveTuples;
    t.nDeadTup = deadRemaining;
    t.insSinceVacuum = 0;
    t.lastVacuum = now;
    t.vacuumCount++;
  }

  onAnalyze(relid: number, liveTuples: number, deadTuples: number, now: bigint): void {
    const t = this.entry(relid);
    this.pendingShared.delete(relid);
    this.pendingSet.set(relid, [liveTuples, deadTuples]);
    t.nLiveTup = liveTuples;
    t.nDeadTup = deadTuples;
    t.modSinceAnalyze = 0;
    t.lastAnalyze = now;
    t.analyzeCount++;
  }
}
