/*
 * nodeNestloop.ts — NestLoop (PostgreSQL's nodeNestloop.c): for each outer
 * row, rescan the inner side and test every pair.
 *
 * NestLoopParams pass outer columns to the inner side as PARAM_EXEC values
 * before each rescan (a parameterized inner index scan looks them up).
 * Join types: INNER, LEFT, SEMI, ANTI — as in PostgreSQL, RIGHT and FULL
 * joins are done by hash or merge join, never by a nested loop.
 *
 * Instrumentation as PostgreSQL's joins count it: rows failing the join
 * filter in nfiltered1 ("Rows Removed by Join Filter"), rows failing the
 * other qual in nfiltered2 ("Rows Removed by Filter").
 *
 * Exports: NestLoopState
 */

import type { NestLoop } from '../nodes/plannodes.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import type { EState, ExprContext, ExprState, PlanState } from './execnodes.ts';
import { TupleTableSlot } from './execnodes.ts';
import { ExecBuildProjectionInfo, ExecInitExpr, ExecInitQual } from './execExpr.ts';
import { ExecInitNode } from './execProcnode.ts';
import { PlanStateBase } from './execUtils.ts';

export class NestLoopState extends PlanStateBase<NestLoop> {
  private readonly outer: PlanState;
  private readonly inner: PlanState;
  private readonly joinqual: (ec: ExprContext) => boolean;
  private readonly otherqual: (ec: ExprContext) => boolean;
  private readonly project: () => void;
  private readonly slot: TupleTableSlot;
  private readonly nullInner: TupleTableSlot;
  private readonly paramNos: number[];
  private readonly paramVals: ExprState[];
  private needOuter = true;
  private matched = false;
  private firstOuter = true;
  private readonly emitUnmatched: boolean;
  private readonly isSemi: boolean;
  private readonly isAnti: boolean;

  constructor(plan: NestLoop, estate: EState) {
    super(plan, estate);
    if (plan.lefttree === null || plan.righttree === null) throw new Error('NestLoop needs two children');
    const jt = plan.jointype;
    if (jt === 'JOIN_RIGHT' || jt === 'JOIN_FULL') {
      throw new PgError(SQLSTATE.feature_not_supported, `nested loop does not support ${jt === 'JOIN_RIGHT' ? 'RIGHT' : 'FULL'} joins`);
    }
    this.outer = ExecInitNode(plan.lefttree, estate);
    this.inner = ExecInitNode(plan.righttree, estate);
    this.joinqual = ExecInitQual(plan.joinqual, this, estate);
    this.otherqual = ExecInitQual(plan.qual, this, estate);
    this.slot = new TupleTableSlot(plan.targetlist.length);
    this.project = ExecBuildProjectionInfo(plan.targetlist, this.econtext, this.slot, this, estate);
    this.nullInner = new TupleTableSlot(plan.righttree.targetlist.length);
    this.paramNos = plan.nestParams.map((p) => p.paramno);
    this.paramVals = plan.nestParams.map((p) => ExecInitExpr(p.paramval, this, estate));
    this.emitUnmatched = jt === 'JOIN_LEFT' || jt === 'JOIN_ANTI';
    this.isSemi = jt === 'JOIN_SEMI';
    this.isAnti = jt === 'JOIN_ANTI';
  }

  next(): TupleTableSlot | null {
    const ec = this.econtext;
    const estate = this.estate;
    for (;;) {
      if (this.needOuter) {
        const o = this.outer.next();
        if (o === null) return null;
        ec.outertuple = o;
        const vals = estate.execParams;
        for (let i = 0; i < this.paramNos.length; i++) vals[this.paramNos[i]] = this.paramVals[i](ec);
        if (!this.firstOuter) this.inner.rescan();
        this.firstOuter = false;
        this.needOuter = false;
        this.matched = false;
      }
      estate.checkInterrupts();
      const i = this.inner.next();
      if (i === null) {
        this.needOuter = true;
        if (!this.matched && this.emitUnmatched) {
          ec.innertuple = this.nullInner;
          if (this.otherqual(ec)) {
            this.project();
            return this.slot;
          }
          if (this.instrument !== null) this.instrument.nfiltered2++;
        }
        continue;
      }
      ec.innertuple = i;
      if (!this.joinqual(ec)) {
        if (this.instrument !== null) this.instrument.nfiltered1++;
        continue;
      }
      this.matched = true;
      if (this.isAnti) {
        this.needOuter = true;
        continue;
      }
      if (this.isSemi || this.plan.inner_unique) this.needOuter = true;
      if (this.otherqual(ec)) {
        this.project();
        return this.slot;
      }
      if (this.instrument !== null) this.instrument.nfiltered2++;
    }
  }

  rescan(): void {
    this.needOuter = true;
    this.firstOuter = true;
    this.outer.rescan();
    this.inner.rescan();
  }

  end(): void {
    this.outer.end();
    this.inner.end();
  }

  children(): PlanState[] {
    return [this.outer, this.inner];
  }
}
