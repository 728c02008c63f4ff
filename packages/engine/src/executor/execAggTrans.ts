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
 * Exports: AggTransition, AggGroupState
 */

import type { AggregateInfo, FunctionCallContext } from '../utils/fmgr/fmgrtypes.ts';
import { lookupAggregate } from '../utils/fmgr/fmgrtab.ts';

export interface AggGroupState {
  value: unknown;
  /** The initial value was NULL and no input was seen yet (strict transition only). */
  noValue: boolean;
}

export class AggTransition {
  readonly info: AggregateInfo;
  private readonly ctx: FunctionCallContext;
  /** The call's actual argument types (exprType of each), computed once: polymorphic aggregates need them. */
  private readonly argTypes: readonly number[];
  constructor(aggfnoid: number, ctx: FunctionCallContext, argTypes: readonly number[]) {
    this.info = lookupAggregate(aggfnoid);
    this.ctx = ctx;
    this.argTypes = argTypes;
  }

  init(): AggGroupState {
    const v = this.info.initValue();
    return { value: v, noValue: v === null && this.info.transStrict };
  }

  reset(s: AggGroupState): void {
    const v = this.info.initValue();
    s.value = v;
    s.noValue = v === null && this.info.transStrict;
  }

  /** Feeds one input row (the evaluated arguments). */
  advance(s: AggGroupState, args: unknown[]): void {
    const info = this.info;
    if (info.transStrict) {
      for (let i = 0; i < args.length; i++) if (args[i] === null) return;
      if (s.noValue) {
        s.value = args[0];
        s.noValue = false;
        return;
      }
      if (s.value === null) return;
    }
    s.value = info.trans(s.value, args, this.ctx, this.argTypes);
  }

  final(s: AggGroupState): unknown {
    if (s.value === null) return null;
    const f = this.info.final;
    return f === undefined ? s.value : f(s.value, this.ctx, this.argTypes);
  }
}
