/*
 * pgstat.ts — the per-table activity counters of pg_stat_all_tables /
 * pg_stat_user_tables (PostgreSQL's pgstat_relation.c), kept by this
 * backend: scans counted from each executed plan, rows inserted, updated
 * and deleted counted from ModifyTable's result, VACUUM and ANALYZE times.
 *
 * Exports: TableStats, TableStatsMap (a Map with helpers).
 *
 * Differences from PostgreSQL: counters are per backend and not persistent
 * (PostgreSQL's cumulative statistics survive a clean restart); they count
 * at statement end, also for transactions that later roll back (PostgreSQL
 * adds them at transaction end, both committed and aborted ones, for the
 * n_tup_* columns). Rows read by scans (seq_tup_read, idx_tup_fetch) are
 * not counted: the views show NULL there.
 */

import type { Plan, PlannedStmt } from '../nodes/plannodes.ts';

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
    t.nLiveTup = liveTuples;
    t.nDeadTup = deadRemaining;
    t.insSinceVacuum = 0;
    t.lastVacuum = now;
    t.vacuumCount++;
  }

  onAnalyze(relid: number, liveTuples: number, deadTuples: number, now: bigint): void {
    const t = this.entry(relid);
    t.nLiveTup = liveTuples;
    t.nDeadTup = deadTuples;
    t.modSinceAnalyze = 0;
    t.lastAnalyze = now;
    t.analyzeCount++;
  }
}
