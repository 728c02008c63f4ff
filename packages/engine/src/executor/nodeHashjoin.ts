/*
 * nodeHashjoin.ts — HashJoin (PostgreSQL's nodeHashjoin.c): builds a hash
 * table of the inner side (nodeHash.ts), then probes it with each outer row.
 *
 * Join types: INNER, LEFT, RIGHT, FULL, SEMI, ANTI. NULL keys never match.
 * RIGHT/FULL remember which inner rows matched and return the others at the
 * end with NULL outer columns. An empty inner side ends INNER, SEMI and
 * RIGHT joins before the outer side is read, as PostgreSQL does.
 *
 * The table's keys are exact (execGrouping.ts), so the hash clauses need no
 * recheck; the join filter (joinqual) and the qual are tested per pair.
 * On rescan the table is kept when the inner side reads no PARAM_EXEC
 * value (PostgreSQL's reuse when the inner chgParam is empty).
 *
 * Exports: HashJoinState
 */

import type { HashJoin } from '../nodes/plannodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import type { EState, ExprContext, ExprState, PlanState } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { ExecBuildProjectionInfo, ExecInitExprList, ExecInitQual } from './execExpr.ts';
import { TupleKeyer } from './execGrouping.ts';
import { ExecInitNode } from './execProcnode.ts';
import { PlanStateBase, rescanRerunsInput } from './execUtils.ts';
import { HashState, type HashTable } from './nodeHash.ts';

export class HashJoinState extends PlanStateBase<HashJoin> {
  private readonly outer: PlanState;
  private readonly hash: HashState;
  private readonly outerKeys: ExprState[];
  private readonly keyer: TupleKeyer;
  private readonly keyVals: unknown[];
  private readonly identity: number[];
  private readonly joinqual: (ec: ExprContext) => boolean;
  private readonly otherqual: (ec: ExprContext) => boolean;
  private readonly project: () => void;
  private readonly slot: TupleTableSlot;
  private readonly innerSlot: TupleTableSlot;
  private readonly nullInner: TupleTableSlot;
  private readonly nullOuter: TupleTableSlot;
  private readonly innerReadsParams: boolean;
  private readonly emitUnmatchedOuter: boolean;
  private readonly emitUnmatchedInner: boolean;
  private readonly isSemi: boolean;
  private readonly isAnti: boolean;
  private table: HashTable | null = null;
  private matchedInner: Set<unknown[]> | null = null;
  /** The bucket being matched against the current outer row. */
  private bucket: unknown[][] | null = null;
  private bucketPos = 0;
  private outerMatched = false;
  private outerDone = false;
  /** Iterating unmatched inner rows after the outer side ended. */
  private unmatchedIter: Iterator<unknown[]> | null = null;

  constructor(plan: HashJoin, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null || plan.righttree === null || plan.righttree.type !== 'Hash') throw new Error('HashJoin needs an outer child and a Hash');
    this.outer = ExecInitNode(plan.lefttree, estate);
    const h = ExecInitNode(plan.righttree, estate);
    // Instrumentation may wrap the state, but it stays the HashState instance.
    if (!(h instanceof HashState)) throw new Error('inner side of a HashJoin is not a Hash');
    this.hash = h;
    const jt = plan.jointype;
    this.emitUnmatchedOuter = jt === 'JOIN_LEFT' || jt === 'JOIN_FULL' || jt === 'JOIN_ANTI';
    this.emitUnmatchedInner = jt === 'JOIN_RIGHT' || jt === 'JOIN_FULL';
    this.isSemi = jt === 'JOIN_SEMI';
    this.isAnti = jt === 'JOIN_ANTI';
    this.hash.keepNullKeys = this.emitUnmatchedInner;
    this.outerKeys = ExecInitExprList(plan.hashkeys, this, estate);
    this.keyer = new TupleKeyer(plan.hashkeys.map(exprType));
    this.keyVals = new Array<unknown>(plan.hashkeys.length).fill(null);
    this.identity = plan.hashkeys.map((_, i) => i);
    this.joinqual = ExecInitQual(plan.joinqual, this, estate);
    this.otherqual = ExecInitQual(plan.qual, this, estate);
    this.slot = new TupleTableSlot(plan.targetlist.length);
    this.project = ExecBuildProjectionInfo(plan.targetlist, this.econtext, this.slot, this, estate);
    const innerWidth = plan.righttree.targetlist.length;
    this.innerSlot = new TupleTableSlot(innerWidth);
    this.nullInner = new TupleTableSlot(innerWidth);
    this.nullOuter = new TupleTableSlot(plan.lefttree.targetlist.length);
    this.innerReadsParams = rescanRerunsInput(plan.righttree, estate);
  }

  private emit(): TupleTableSlot | null {
    if (this.otherqual(this.econtext)) {
      this.project();
      return this.slot;
    }
    if (this.instrument !== null) this.instrument.nfiltered2++;
    return null;
  }

  next(): TupleTableSlot | null {
    const ec = this.econtext;
    if (this.table === null) {
      this.table = this.hash.build();
      if (this.emitUnmatchedInner) this.matchedInner = new Set();
      if (this.table.ntuples === 0 && !this.emitUnmatchedOuter && this.table.nullKeyRows.length === 0) {
        // Nothing can match and no outer row is returned unmatched.
        this.outerDone = true;
        return null;
      }
    }
    const table = this.table;
    for (;;) {
      if (this.unmatchedIter !== null) return this.nextUnmatchedInner();
      if (this.bucket !== null) {
        const b = this.bucket;
        while (this.bucketPos < b.length) {
          this.estate.checkInterrupts();
          const row = b[this.bucketPos++];
          this.innerSlot.values = row;
          ec.innertuple = this.innerSlot;
          if (!this.joinqual(ec)) {
            if (this.instrument !== null) this.instrument.nfiltered1++;
            continue;
          }
          this.outerMatched = true;
          if (this.matchedInner !== null) this.matchedInner.add(row);
          if (this.isAnti) {
            this.bucketPos = b.length;
            break;
          }
          if (this.isSemi || this.plan.inner_unique) this.bucketPos = b.length;
          const out = this.emit();
          if (out !== null) return out;
        }
        this.bucket = null;
        if (!this.outerMatched && this.emitUnmatchedOuter) {
          ec.innertuple = this.nullInner;
          const out = this.emit();
          if (out !== null) return out;
        }
      }
      if (this.outerDone) {
        if (!this.emitUnmatchedInner) return null;
        this.unmatchedIter = this.unmatchedRows(table);
        continue;
      }
      const o = this.outer.next();
      if (o === null) {
        this.outerDone = true;
        continue;
      }
      ec.outertuple = o;
      const kv = this.keyVals;
      for (let i = 0; i < kv.length; i++) kv[i] = this.outerKeys[i](ec);
      const key = this.keyer.key(kv, this.identity, false);
      this.outerMatched = false;
      this.bucketPos = 0;
      this.bucket = key === null ? EMPTY : (table.buckets.get(key) ?? EMPTY);
    }
  }

  private *unmatchedRows(table: HashTable): Generator<unknown[]> {
    const matched = this.matchedInner as Set<unknown[]>;
    for (const b of table.buckets.values()) for (const row of b) if (!matched.has(row)) yield row;
    yield* table.nullKeyRows;
  }

  private nextUnmatchedInner(): TupleTableSlot | null {
    const ec = this.econtext;
    const it = this.unmatchedIter as Iterator<unknown[]>;
    for (;;) {
      const r = it.next();
      if (r.done === true) return null;
      this.innerSlot.values = r.value;
      ec.innertuple = this.innerSlot;
      ec.outertuple = this.nullOuter;
      const out = this.emit();
      if (out !== null) return out;
    }
  }

  rescan(): void {
    this.bucket = null;
    this.unmatchedIter = null;
    this.outerDone = false;
    if (this.innerReadsParams) {
      this.table = null;
      this.hash.rescan();
    } else if (this.matchedInner !== null) {
      this.matchedInner.clear();
    }
    this.outer.rescan();
  }

  end(): void {
    this.table = null;
    this.outer.end();
    this.hash.end();
  }

  children(): PlanState[] {
    return [this.outer, this.hash];
  }
}

const EMPTY: unknown[][] = [];
