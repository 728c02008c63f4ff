/*
 * parse_subscript.ts — array subscripts in expressions and in assignment
 * targets (PostgreSQL's transformContainerSubscripts in parse_node.c with
 * arraysubs.c's array_subscript_transform, and transformAssignmentIndirection
 * / transformAssignmentSubscripts of parse_target.c).
 *
 * Exports:
 *   transformContainerSubscripts(pstate, base, subscripts, isAssignment)
 *                              a[1], a[1][2], a[2:3], a[:2] -> SubscriptingRef
 *   transformAssignmentSubscripts(pstate, base, colname, targetType, targetTypmod, indirection, rhs, location)
 *                              UPDATE t SET a[2] = 5, INSERT INTO t (a[1]) ...:
 *                              a SubscriptingRef whose refassgnexpr is the new value
 *
 * Rules, as PostgreSQL's:
 *  - only arrays can be subscripted (42804 otherwise);
 *  - each subscript is coerced to integer as an assignment would
 *    (`a[1.6]` is `a[2]`); 42804 when it cannot be;
 *  - when any subscript is a slice, all are: `[n]` means `[1:n]` and an
 *    omitted bound is null (the array's own bound at run time);
 *  - a fetch returns the element type (typmod of the array), a slice or an
 *    assignment the array type;
 *  - more than MAXDIM (6) subscripts is 54000.
 */

import type { Expr, SubscriptingRef } from '../nodes/primnodes.ts';
import type * as raw from './primnodes.ts';
import { exprType, exprTypmod } from '../nodes/nodeFuncs.ts';
import { elementTypeOf, INT4OID } from '../utils/adt/types.ts';
import { MAXDIM } from '../utils/adt/array.ts';
import { PgError } from '../utils/errors.ts';
import { makeConst, parserError, type ParseState } from './parse_node.ts';
import { coerceExprTo, exprLocationPG, transformExprRecurse } from './parse_expr.ts';
import { formatTypeWithTypmod } from './parse_type.ts';

function subscriptExpr(pstate: ParseState, n: raw.Node): Expr {
  const e = transformExprRecurse(pstate, n);
  const r = coerceExprTo(pstate, e, INT4OID, -1, 'COERCION_ASSIGNMENT', 'COERCE_IMPLICIT_CAST', -1);
  if (r === null) parserError(pstate, '42804', 'array subscript must have type integer', exprLocationPG(e));
  return r;
}

/** The container's element type, or 42804 when the type has no subscripting. */
function arrayElementType(pstate: ParseState, base: Expr): number {
  const containerType = exprType(base);
  const elem = elementTypeOf(containerType);
  if (elem === 0) {
    parserError(pstate, '42804', `cannot subscript type ${formatTypeWithTypmod(containerType, -1)} because it does not support subscripting`, exprLocationPG(base));
  }
  return elem;
}

export function transformContainerSubscripts(pstate: ParseState, base: Expr, subscripts: raw.A_Indices[], isAssignment: boolean): SubscriptingRef {
  const containerType = exprType(base);
  const containerTypmod = exprTypmod(base);
  const elemType = arrayElementType(pstate, base);
  const isSlice = subscripts.some((s) => s.is_slice);
  const upper: (Expr | null)[] = [];
  const lower: (Expr | null)[] = [];
  for (const ai of subscripts) {
    if (isSlice) {
      if (ai.lidx !== null) lower.push(subscriptExpr(pstate, ai.lidx));
      else if (!ai.is_slice) lower.push(makeConst(INT4OID, -1, 1, false, -1));
      else lower.push(null);
    }
    upper.push(ai.uidx !== null ? subscriptExpr(pstate, ai.uidx) : null);
  }
  if (upper.length > MAXDIM) {
    // PostgreSQL reports this one without a position.
    throw new PgError('54000', `number of array dimensions (${upper.length}) exceeds the maximum allowed (${MAXDIM})`);
  }
  return {
    type: 'SubscriptingRef',
    refcontainertype: containerType,
    refelemtype: elemType,
    refrestype: isSlice || isAssignment ? containerType : elemType,
    reftypmod: containerTypmod,
    refupperindexpr: upper,
    reflowerindexpr: lower,
    refexpr: base,
    refassgnexpr: null,
  };
}

/**
 * `col[subs] = rhs` (transformAssignmentSubscripts): base is the column's
 * current value (a Var for UPDATE, a NULL constant for INSERT); the value
 * is coerced to the element type (the array type for a slice).
 */
export function transformAssignmentSubscripts(
  pstate: ParseState, base: Expr, colname: string, targetType: number, targetTypmod: number,
  indirection: readonly unknown[], rhs: Expr, location: number,
): Expr {
  for (const x of indirection) {
    if (typeof x === 'string' || (x as raw.Node).type !== 'A_Indices') {
      parserError(pstate, '0A000', 'assignment to a field of a composite column is not supported', location);
    }
  }
  const sref = transformContainerSubscripts(pstate, base, indirection as raw.A_Indices[], true);
  const isSlice = sref.reflowerindexpr.length > 0;
  const typeNeeded = isSlice ? targetType : sref.refelemtype;
  const typmodNeeded = targetTypmod;
  const value = coerceExprTo(pstate, rhs, typeNeeded, typmodNeeded, 'COERCION_ASSIGNMENT', 'COERCE_IMPLICIT_CAST', -1);
  if (value === null) {
    parserError(pstate, '42804', `subscripted assignment to "${colname}" requires type ${formatTypeWithTypmod(typeNeeded, -1)} but expression is of type ${formatTypeWithTypmod(exprType(rhs), -1)}`, exprLocationPG(rhs), {
      hint: 'You will need to rewrite or cast the expression.',
    });
  }
  sref.refassgnexpr = value;
  return sref;
}
