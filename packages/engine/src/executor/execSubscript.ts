/*
 * execSubscript.ts — SubscriptingRef compiled to a closure (PostgreSQL's
 * ExecInitSubscriptingRef / ExecEvalSubscriptingRef* in execExpr.c and
 * execExprInterp.c, with arraysubs.c's fetch and assign steps).
 *
 * Exports: compileSubscriptingRef(e, compile)
 *
 * Fetch: a NULL array or any NULL subscript gives NULL; out-of-range
 * subscripts give NULL (a slice: the empty array). Assignment: a NULL
 * subscript is 22004; a NULL array is taken as the empty array, so
 * `SET a[2] = 5` on NULL gives `[2:2]={5}`; a NULL slice source leaves the
 * array as it was.
 */

import type { SubscriptingRef, Expr } from '../nodes/primnodes.ts';
import type { Datum } from '../utils/adt/datum.ts';
import { ArrayValue } from '../utils/adt/array.ts';
import { arrayAssignElement, arrayAssignSlice, arrayFetchElement, arrayFetchSlice } from '../utils/adt/arraysubs.ts';
import { ereport } from '../utils/errors.ts';
import type { ExprContext, ExprState } from './execnodes.ts';

const NULL_VALUE_NOT_ALLOWED = '22004';

export function compileSubscriptingRef(e: SubscriptingRef, compile: (x: Expr) => ExprState): ExprState {
  const container = compile(e.refexpr);
  const upper = e.refupperindexpr.map((x) => (x === null ? null : compile(x)));
  const lower = e.reflowerindexpr.map((x) => (x === null ? null : compile(x)));
  const isSlice = lower.length > 0;
  const n = upper.length;
  const elemtype = e.refelemtype;
  // Subscript values of one evaluation; reused, the arraysubs functions copy what they keep.
  const up = new Array<number | null>(n);
  const lo = new Array<number | null>(n);
  /** Evaluates the subscripts; false when one is NULL. */
  const evalSubscripts = (ec: ExprContext): boolean => {
    for (let i = 0; i < n; i++) {
      const u = upper[i];
      if (u === null) up[i] = null;
      else {
        const v = u(ec);
        if (v === null) return false;
        up[i] = v as number;
      }
      if (isSlice) {
        const l = lower[i];
        if (l === null) lo[i] = null;
        else {
          const v = l(ec);
          if (v === null) return false;
          lo[i] = v as number;
        }
      }
    }
    return true;
  };

  if (e.refassgnexpr === null) {
    if (isSlice) {
      return (ec) => {
        const a = container(ec);
        if (a === null || !evalSubscripts(ec)) return null;
        return arrayFetchSlice(a as ArrayValue, lo, up);
      };
    }
    return (ec) => {
      const a = container(ec);
      if (a === null || !evalSubscripts(ec)) return null;
      return arrayFetchElement(a as ArrayValue, up as number[]);
    };
  }

  const value = compile(e.refassgnexpr);
  return (ec) => {
    const old = container(ec);
    if (!evalSubscripts(ec)) {
      ereport(NULL_VALUE_NOT_ALLOWED, 'array subscript in assignment must not be null');
    }
    const src = old === null ? new ArrayValue(elemtype, [], [], []) : (old as ArrayValue);
    const v = value(ec) as Datum | null;
    if (isSlice) {
      if (v === null) return src;
      return arrayAssignSlice(src, lo, up, v as ArrayValue);
    }
    return arrayAssignElement(src, up as number[], v);
  };
}
