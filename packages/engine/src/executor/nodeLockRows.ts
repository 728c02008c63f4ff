/*
 * nodeLockRows.ts — LockRows (PostgreSQL's nodeLockRows.c) for SELECT ...
 * FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE [OF t]
 * [NOWAIT | SKIP LOCKED].
 *
 * Exports: LockRowsState
 *
 * For each row its child returns, the node locks, in every relation named
 * by a ROW_MARK_LOCK PlanRowMark, the row version whose TID the child
 * carries in the junk column `ctid<rowmarkId>` (the planner adds it), with heap_lock_tuple
 * (engine.lockRow). A NULL TID (the nullable side of an outer join) locks
 * nothing. What a lock meets:
 *
 *   held by a running transaction   wait for it (the heap does: tuple lock,
 *                                   then its XID), fail with 55P03 (NOWAIT),
 *                                   or skip the row (SKIP LOCKED)
 *   changed by a committed one      REPEATABLE READ / SERIALIZABLE: 40001;
 *                                   READ COMMITTED: deleted rows are skipped,
 *                                   updated ones are followed along their
 *                                   ctid chain to the newest version, which
 *                                   is locked and re-checked against the
 *                                   plan with the other marks' locked rows
 *                                   and the unlocked FROM items' rows held
 *                                   fixed (ROW_MARK_REFERENCE / COPY marks;
 *                                   EvalPlanQual, execEPQ.ts); the row
 *                                   returned is the plan's row for them
 *   changed by my own transaction   skipped (a later command updated it)
 *
 * Rows are locked as they are returned, so a LIMIT above the node locks
 * only the rows it passes (PostgreSQL places LockRows below Limit for this).
 * The locks are the transactions' own: they go when it ends.
 */

import type { Tid } from '../access/common/itemptr.ts';
import { LockTupleMode, LockWaitPolicy } from '../access/heap/heapam_env.ts';
import type { Relation } from '../access/heap/relation.ts';
import type { LockRows, PlanRowMark } from '../nodes/plannodes.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import { ERRCODE } from '../commands/errcodes.ts';
import { EPQState, findFixedMarks, fixedMarkRow, type EPQFixedMark, type EPQRow } from './execEPQ.ts';
import type { EState, PlanState, TupleTableSlot } from './execnodes.ts';
import { ExecInitNode } from './execProcnode.ts';
import { PlanStateBase } from './execUtils.ts';

/** ExecRowMark: one locked relation of the query. */
interface ExecRowMark {
  rti: number;
  rel: Relation;
  relname: string;
  tableOid: number;
  mode: LockTupleMode;
  policy: LockWaitPolicy;
  /** The child's column holding this relation's row TID (ctid<rti>). */
  ctidColumn: number;
}

function lockModeOf(strength: NonNullable<PlanRowMark['strength']>): LockTupleMode {
  switch (strength) {
    case 'LCS_FORKEYSHARE': return LockTupleMode.KeyShare;
    case 'LCS_FORSHARE': return LockTupleMode.Share;
    case 'LCS_FORNOKEYUPDATE': return LockTupleMode.NoKeyExclusive;
    default: return LockTupleMode.Exclusive;
  }
}

function waitPolicyOf(p: PlanRowMark['waitPolicy']): LockWaitPolicy {
  return p === 'LockWaitError' ? LockWaitPolicy.Error : p === 'LockWaitSkip' ? LockWaitPolicy.Skip : LockWaitPolicy.Block;
}

export class LockRowsState extends PlanStateBase<LockRows> {
  private readonly child: PlanState;
  private readonly marks: ExecRowMark[];
  private epq: EPQState | null = null;
  /** The FROM items the query does not lock: held fixed in a re-check (ROW_MARK_REFERENCE / COPY). */
  private readonly fixedMarks: EPQFixedMark[];

  constructor(plan: LockRows, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null) throw new Error('LockRows without a child');
    this.child = ExecInitNode(plan.lefttree, estate);
    const tlist = plan.lefttree.targetlist;
    this.marks = [];
    for (const rm of plan.rowMarks) {
      if (rm.markType !== 'ROW_MARK_LOCK') continue;
      const rte = estate.plannedstmt.rtable[rm.rti - 1];
      if (rte === undefined || rte.rtekind !== 'RTE_RELATION') continue;
      const info = estate.catalog.getRelation(rte.relid);
      if (info.heap === null) {
        throw new PgError(ERRCODE.wrong_object_type, `cannot lock rows in relation "${info.relname}"`);
      }
      const ctidColumn = tlist.findIndex((t) => t.resjunk && t.resname === `ctid${rm.rowmarkId}`);
      if (ctidColumn < 0) throw new PgError(SQLSTATE.internal_error, `could not find junk ctid${rm.rowmarkId} column`);
      this.marks.push({
        rti: rm.rti, rel: info.heap, relname: info.relname, tableOid: info.oid,
        mode: lockModeOf(rm.strength!), policy: waitPolicyOf(rm.waitPolicy), ctidColumn,
      });
    }
    this.fixedMarks = findFixedMarks(tlist, plan.rowMarks);
  }

  next(): TupleTableSlot | null {
    for (;;) {
      const slot = this.child.next();
      if (slot === null) return null;
      const out = this.lockRow(slot);
      if (out !== null) return out;
    }
  }

  /** ExecLockRows for one row: the row to return (the child's, or EvalPlanQual's), or null to skip it. */
  private lockRow(slot: TupleTableSlot): TupleTableSlot | null {
    const engine = this.estate.engine;
    // Each mark's locked row, for EvalPlanQual when one of them had to be followed to a newer version.
    const rows = new Map<number, EPQRow | null>();
    let followedAny = false;
    for (const mark of this.marks) {
      const v = slot.values[mark.ctidColumn];
      if (v === null || v === undefined) {
        rows.set(mark.rti, null);
        continue;
      }
      let tid = v as Tid;
      let followed = false;
      for (;;) {
        const r = engine.lockRow(mark.rel, tid, mark.mode, mark.policy);
        if (r.outcome === 'ok') {
          rows.set(mark.rti, { values: r.values as unknown[], tid: r.tid, tableOid: mark.tableOid });
          followedAny ||= followed;
          break;
        }
        if (r.outcome === 'would-block' || r.outcome === 'self-modified') return null;
        if (r.outcome === 'updated' || r.outcome === 'deleted') {
          if (engine.xact.usesXactSnapshot()) {
            throw new PgError(SQLSTATE.serialization_failure, 'could not serialize access due to concurrent update');
          }
          if (r.outcome === 'deleted') return null;
          tid = r.tid;
          followed = true;
          continue;
        }
        throw new PgError(SQLSTATE.lock_not_available, `could not obtain lock on row in relation "${mark.relname}"`);
      }
    }
    if (!followedAny) return slot;
    // A newer version was locked: does the row still satisfy the query, and what row does it make?
    if (this.epq === null) {
      const locked = new Set(this.marks.map((m) => m.rti));
      this.epq = new EPQState(this.plan.lefttree!, this.estate, new Set([...locked, ...this.fixedMarks.map((m) => m.rti)]), locked);
    }
    if (!this.epq.supported) throw new PgError(SQLSTATE.serialization_failure, 'could not serialize access due to concurrent update');
    for (const m of this.fixedMarks) rows.set(m.rti, fixedMarkRow(this.estate, m, slot.values));
    return this.epq.recheck(rows);
  }

  rescan(): void {
    this.child.rescan();
  }

  end(): void {
    this.child.end();
  }

  children(): PlanState[] {
    return [this.child];
  }
}
