/*
 * execAggTrans.ts — one aggregate's transition machinery, shared by Agg
 * (nodeAgg.ts) and aggregates used as window functions (nodeWindowAgg.ts):
 * PostgreSQL's advance_transition_function / finalize_aggregate.
 *
 * A group's state for one aggregate is {value, noValue}. For a strict
 * transition function a NULL input is skipped, and when the initial value is
 * NULL the first non-NULL input becomes the state without a call
 * (noTransValue). The final function is not called on a NULL state: the
 * result is NULL, as for PostgreSQL's strict final functions (every
 * built-in aggregate whose state can be NULL returns NULL then).
 *
 * count(*) and count(any) (F_COUNT_, F_COUNT_ANY) count, and sum(int4) /
 * sum(int2) (F_SUM_INT4, F_SUM_INT2) add, in a JavaScript number beside the
 * bigint state, folded into it when the value is read or before the number
 * could lose precision (|pending| past 2^52, far from int4 inputs' reach
 * in one step): one BigInt operation per row is the largest cost of
 * SELECT count(*) and sum(a). Results are exactly the bigint ones.
 *
 * Exports: AggTransition, AggGroupState
 */

import type { AggregateInfo, FunctionCallContext } from '../utils/fmgr/fmgrtypes.ts';
import { lookupAggregate } from '../utils/fmgr/fmgrtab.ts';

export interface AggGroupState {
  value: unknown;
  /** The initial value was NULL and no input was seen yet (strict transition only). */
  noValue: boolean;
  /** count aggregates: rows counted and not yet added to value. */
  pending: number;
}

/** pg_proc OIDs of count(*) and count("any"): their transition adds 1 to a bigint. */
const F_COUNT_ = 2803;
const F_COUNT_ANY = 2147;
/** sum(int4) and sum(int2): a bigint running sum, NULL until the first non-NULL input. */
const F_SUM_INT4 = 2108;
const F_SUM_INT2 = 2109;
/** pending is folded into the bigint beyond this magnitude (2^52: one more int4 keeps it exact). */
const PENDING_LIMIT = 2 ** 52;

export class AggTransition {
  readonly info: AggregateInfo;
  private readonly ctx: FunctionCallContext;
  /** The call's actual argument types (exprType of each), computed once: polymorphic aggregates need them. */
  private readonly argTypes: readonly number[];
  /** A count aggregate: advance() only increments pending. */
  private readonly isCount: boolean;
  /** sum(int4) / sum(int2): advance() adds the argument to pending. */
  private readonly isIntSum: boolean;
  constructor(aggfnoid: number, ctx: FunctionCallContext, argTypes: readonly number[]) {
    this.info = lookupAggregate(aggfnoid);
    this.ctx = ctx;
    this.argTypes = argTypes;
    this.isCount = aggfnoid === F_COUNT_ || aggfnoid === F_COUNT_ANY;
    this.isIntSum = (aggfnoid === F_SUM_INT4 || aggfnoid === F_SUM_INT2) && !this.info.transStrict;
  }

  init(): AggGroupState {
    const v = this.info.initValue();
    return { value: v, noValue: v === null && this.info.transStrict, pending: 0 };
  }

  reset(s: AggGroupState): void {
    const v = this.info.initValue();
    s.value = v;
    s.noValue = v === null && this.info.transStrict;
    s.pending = 0;
  }

  /** Feeds one input row (the evaluated arguments). */
  advance(s: AggGroupState, args: unknown[]): void {
    const info = this.info;
    if (this.isIntSum) {
      const v = args[0];
      if (v === null) return;
      if (s.value === null) s.value = 0n;
      const p = (s.pending += v as number);
      if (p > PENDING_LIMIT || p < -PENDING_LIMIT) this.fold(s);
      return;
    }
    if (info.transStrict) {
      for (let i = 0; i < args.length; i++) if (args[i] === null) return;
      if (s.noValue) {
        s.value = args[0];
        s.noValue = false;
        return;
      }
      if (s.value === null) return;
    }
    if (this.isCount) {
      s.pending++;
      return;
    }
    s.value = info.trans(s.value, args, this.ctx, this.argTypes);
  }

  private fold(s: AggGroupState): void {
    s.value = (s.value as bigint) + BigInt(s.pending);
    s.pending = 0;
  }

  final(s: AggGroupState): unknown {
    // Folded, not consumed: a window aggregate reads the running value and goes on.
    if (s.pending !== 0) this.fold(s);
    if (s.value === null) return null;
    const f = this.info.final;
    return f === undefined ? s.value : f(s.value, this.ctx, this.argTypes);
  }
}
