/*
 * parse_expr.ts — raw expressions to analyzed, typed expressions
 * (PostgreSQL's parse_expr.c, plus the call-site part of parse_func.c's
 * ParseFuncOrColumn that decides between function, aggregate, window
 * function and cast).
 *
 * Exports:
 *   transformExpr(pstate, node, exprKind)   the entry point: sets the clause
 *                                           kind, then transforms
 *   transformExprRecurse(pstate, node)      inside an expression
 *   coerceExprTo(...)                       coerce_to_target_type with $n
 *                                           inference and error positions
 *   resolveUnknownParams(...)               re-exported from parse_param.ts
 *   makeConstFromValue, exprContainsVarsOfLevel, walkExpr
 *
 * Rules:
 *  1. Operator, function and cast resolution belong to parse_oper.ts,
 *     parse_func.ts and parse_coerce.ts; this file only decides which of them
 *     a construct becomes (BETWEEN is two comparisons, IN a ScalarArrayOpExpr
 *     or an OR of "=", ...), exactly as parse_expr.c does.
 *  2. A $n whose type is not yet known is a Param of type unknown (705); the
 *     first coercion applied to it fixes its type for the whole statement
 *     (written back to AnalyzeContext.paramTypes), as parse_param.c's
 *     p_coerce_param_hook does.
 *  3. Recursion is bounded: beyond MAX_EXPR_DEPTH nested levels the analyzer
 *     raises 54001 as PostgreSQL's check_stack_depth would, instead of
 *     overflowing the JavaScript stack.
 */

import type {
  Aggref, BoolExpr, CaseExpr, CaseTestExpr, CaseWhen, CoalesceExpr, Const, Expr, MinMaxExpr, NullTest, Param, RowExpr,
  SQLValueFunction, SubLink,
} from '../nodes/primnodes.ts';
import type * as raw from './primnodes.ts';
import type { Query } from '../nodes/parsenodes.ts';
import { exprType, exprTypmod } from '../nodes/nodeFuncs.ts';
import { PgError } from '../utils/errors.ts';
import { canCoerceType, coerceToBoolean, coerceToCommonType, coerceToTargetType, selectCommonType } from './parse_coerce.ts';
import { makeOp, makeScalarArrayOp } from './parse_oper.ts';
import { funcGetDetail, makeFuncArgsCoerced } from './parse_func.ts';
import { formatTypeWithTypmod, typenameTypeIdAndMod } from './parse_type.ts';
import { functionsByName } from '../utils/fmgr/fmgrtab.ts';
import { arrayTypeOf, elementTypeOf, typeByOid } from '../utils/adt/types.ts';
import { makeConst, parserError, parseExprKindName, type ParseExprKind, type ParseState } from './parse_node.ts';
import { colNameToVar, errorMissingColumn, errorMissingRTE, refnameNamespaceItem, scanNSItemForColumn } from './parse_relation.ts';
import { transformAggregateCall, transformWindowFuncCall } from './parse_agg.ts';
import { parseSubAnalyze } from './analyze.ts';
import { deduceParamType, isUnknownParam, resolveUnknownParams, transformParamRef } from './parse_param.ts';
import { transformExpressionList } from './parse_target.ts';
import { transformContainerSubscripts } from './parse_subscript.ts';
import { transformFieldSelect, transformWholeRowRef } from './parse_rowref.ts';

export const BOOLOID = 16;
export const INT8OID = 20;
export const INT4OID = 23;
export const TEXTOID = 25;
export const NAMEOID = 19;
export const NUMERICOID = 1700;
export const UNKNOWNOID = 705;
export const RECORDOID = 2249;
const DATEOID = 1082;
const TIMEOID = 1083;
const TIMETZOID = 1266;
const TIMESTAMPOID = 1114;
const TIMESTAMPTZOID = 1184;

/** Nesting limit of analyzed expressions; deeper input gets 54001 (see rule 3). */
export const MAX_EXPR_DEPTH = 1000;

let depth = 0;

/** Transform an expression of a given clause kind (transformExpr). */
export function transformExpr(pstate: ParseState, node: raw.Node, exprKind: ParseExprKind): Expr {
  const saved = pstate.exprKind;
  pstate.exprKind = exprKind;
  try {
    return transformExprRecurse(pstate, node);
  } catch (e) {
    // A helper recursing past the JavaScript stack gives PostgreSQL's error, not a crash.
    if (e instanceof RangeError) throw stackDepthError();
    throw e;
  } finally {
    pstate.exprKind = saved;
  }
}

function stackDepthError(): PgError {
  return new PgError('54001', 'stack depth limit exceeded', {
    hint: 'Increase the configuration parameter "max_stack_depth" (currently 2048kB), after ensuring the platform\'s stack depth limit is adequate.',
  });
}

export function transformExprRecurse(pstate: ParseState, node: raw.Node): Expr {
  if (++depth > MAX_EXPR_DEPTH) {
    depth = 0;
    throw stackDepthError();
  }
  try {
    return transformNode(pstate, node);
  } finally {
    if (depth > 0) depth--;
  }
}

function transformNode(pstate: ParseState, node: raw.Node): Expr {
  switch (node.type) {
    case 'ColumnRef': return transformColumnRef(pstate, node);
    case 'ParamRef': return transformParamRef(pstate, node);
    case 'A_Const': return makeConstFromValue(pstate, node);
    case 'TypeCast': return transformTypeCast(pstate, node);
    case 'CollateClause': return transformCollateClause(pstate, node);
    case 'A_Expr': return transformAExpr(pstate, node);
    case 'BoolExpr': return transformBoolExpr(pstate, node);
    case 'NullTest': return transformNullTest(pstate, node);
    case 'BooleanTest': return transformBooleanTest(pstate, node);
    case 'FuncCall': return transformFuncCall(pstate, node);
    case 'A_Indirection': return transformIndirection(pstate, node);
    case 'A_ArrayExpr': return transformArrayExpr(pstate, node, 0, 0, -1);
    case 'CaseExpr': return transformCaseExpr(pstate, node);
    case 'CoalesceExpr': return transformCoalesceExpr(pstate, node);
    case 'MinMaxExpr': return transformMinMaxExpr(pstate, node);
    case 'RowExpr': return transformRowExpr(pstate, node);
    case 'SQLValueFunction': return transformSQLValueFunction(pstate, node);
    case 'SubLink': return transformSubLink(pstate, node);
    case 'SetToDefault':
      return parserError(pstate, '42601', 'DEFAULT is not allowed in this context', node.location);
    case 'MultiAssignRef':
      return parserError(pstate, '0A000', 'multiple-column UPDATE assignment is not supported here', -1);
    default:
      throw new PgError('XX000', `unrecognized node type: ${node.type}`);
  }
}

// ---------------------------------------------------------------------------
// Constants and parameters.

function parseBigIntLiteral(text: string): bigint | null {
  const t = text.replace(/_/g, '');
  if (/^[+-]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/.test(t)) {
    const neg = t.startsWith('-');
    const body = t.replace(/^[+-]/, '');
    const v = BigInt(body);
    return neg ? -v : v;
  }
  return null;
}

/** make_const: Integer is int4, an integral Float that fits is int8, else numeric; strings stay unknown. */
export function makeConstFromValue(pstate: ParseState, c: raw.A_Const): Const {
  if (c.isnull || c.val === undefined) return makeConst(UNKNOWNOID, -1, null, true, c.location);
  const v = c.val;
  switch (v.type) {
    case 'Integer':
      return makeConst(INT4OID, -1, v.ival, false, c.location);
    case 'Float': {
      const big = parseBigIntLiteral(v.fval);
      // An integral literal that fits int4 (only -2147483648 gets here: the lexer makes the others Integers) is int4.
      if (big !== null && big >= -2147483648n && big <= 2147483647n) return makeConst(INT4OID, -1, Number(big), false, c.location);
      if (big !== null && big >= -(2n ** 63n) && big < 2n ** 63n) return makeConst(INT8OID, -1, big, false, c.location);
      const numeric = typeByOid(NUMERICOID);
      if (numeric === undefined) return parserError(pstate, '0A000', 'type numeric is not supported', c.location);
      let text = v.fval.replace(/_/g, '');
      if (big !== null) text = big.toString();
      try {
        return makeConst(NUMERICOID, -1, numeric.input(text, -1), false, c.location);
      } catch (e) {
        throw withPosition(pstate, e, c.location);
      }
    }
    case 'String':
      return makeConst(UNKNOWNOID, -1, v.sval, false, c.location);
    case 'Boolean':
      return makeConst(BOOLOID, -1, v.boolval, false, c.location);
    case 'BitString':
      return parserError(pstate, '0A000', 'bit string constants are not supported', c.location);
  }
}

/** Give an error raised below (a literal's input function) the position of the literal, as PostgreSQL's errposition callback does. */
export function withPosition(pstate: ParseState, e: unknown, location: number): unknown {
  if (e instanceof PgError && e.position === undefined && location >= 0) {
    return new PgError(e.code, e.message, {
      ...(e.detail !== undefined ? { detail: e.detail } : {}),
      ...(e.hint !== undefined ? { hint: e.hint } : {}),
      position: pstate.position(location),
    });
  }
  return e;
}

/**
 * coerce_to_target_type with the analyzer's additions: an unknown $n takes
 * the target type; an error from a literal's input function gets the
 * literal's position. Returns null when no coercion path exists.
 */
export function coerceExprTo(
  pstate: ParseState,
  expr: Expr,
  targetType: number,
  targetTypmod: number,
  ccontext: 'COERCION_IMPLICIT' | 'COERCION_ASSIGNMENT' | 'COERCION_EXPLICIT',
  cformat: 'COERCE_EXPLICIT_CALL' | 'COERCE_EXPLICIT_CAST' | 'COERCE_IMPLICIT_CAST',
  location: number,
): Expr | null {
  if (isUnknownParam(expr) && targetType !== UNKNOWNOID) {
    const p = deduceParamType(pstate, expr, targetType);
    if (targetTypmod === -1) return p;
    expr = p;
  }
  try {
    const r = coerceToTargetType(expr, exprType(expr), targetType, targetTypmod, ccontext, cformat, location);
    return r === null ? null : resolveUnknownParams(pstate, r);
  } catch (e) {
    throw withPosition(pstate, e, expr.type === 'Const' ? expr.location : location);
  }
}

/**
 * Where an error about a resolved construct points: a data exception (22xxx)
 * comes from a literal's input function and points at the literal; anything
 * else (no operator, no function) points at the construct itself.
 */
function errorLocation(e: unknown, construct: number, ...inputs: (Expr | null)[]): number {
  if (e instanceof PgError && e.code.startsWith('22')) {
    const c = constLocation(...inputs);
    if (c >= 0) return c;
  }
  return construct;
}

/** makeOp with parameter inference and PostgreSQL's error positions. */
export function makeOpExpr(pstate: ParseState, opname: string[], l: Expr | null, r: Expr, location: number): Expr {
  try {
    return resolveUnknownParams(pstate, makeOp(opname, l, r, location));
  } catch (e) {
    throw withPosition(pstate, e, errorLocation(e, location, l, r));
  }
}

/** PostgreSQL's exprLocation: the leftmost known location of an expression (the contract's exprLocation gives the node's own). */
export function exprLocationPG(node: unknown, depth = 0): number {
  if (typeof node !== 'object' || node === null || depth > MAX_EXPR_DEPTH) return -1;
  if (Array.isArray(node)) {
    for (const x of node) {
      const l = exprLocationPG(x, depth + 1);
      if (l >= 0) return l;
    }
    return -1;
  }
  const e = node as Expr | { type: 'TargetEntry'; expr: Expr };
  const leftmost = (a: number, b: number): number => (a < 0 ? b : b < 0 ? a : Math.min(a, b));
  switch (e.type) {
    case 'TargetEntry': return exprLocationPG(e.expr, depth + 1);
    case 'OpExpr':
    case 'DistinctExpr':
    case 'NullIfExpr':
    case 'ScalarArrayOpExpr':
    case 'BoolExpr':
    case 'FuncExpr':
      return leftmost(e.location, exprLocationPG(e.args, depth + 1));
    case 'RelabelType':
    case 'CoerceViaIO':
    case 'ArrayCoerceExpr':
    case 'NullTest':
    case 'BooleanTest':
      return leftmost(e.location, exprLocationPG(e.arg, depth + 1));
    case 'SubLink':
      return leftmost(e.location, exprLocationPG(e.testexpr, depth + 1));
    case 'RowCompareExpr':
      return exprLocationPG(e.largs, depth + 1);
    case 'SubscriptingRef':
      return exprLocationPG(e.refexpr, depth + 1);
    case 'CaseTestExpr':
    case 'NextValueExpr':
    case 'SubPlan':
      return -1;
    default:
      return e.location;
  }
}

function constLocation(...es: (Expr | null)[]): number {
  for (const e of es) if (e !== null && e.type === 'Const' && e.consttype === UNKNOWNOID) return e.location;
  return -1;
}

export function coerceBool(pstate: ParseState, e: Expr, constructName: string): Expr {
  if (isUnknownParam(e)) return deduceParamType(pstate, e, BOOLOID);
  try {
    return resolveUnknownParams(pstate, coerceToBoolean(e, constructName));
  } catch (err) {
    throw withPosition(pstate, err, exprLocationPG(e));
  }
}

/**
 * select_common_type. A mismatch is reported at the first expression whose
 * type cannot join the ones before it, as PostgreSQL positions it.
 */
export function commonType(pstate: ParseState, exprs: Expr[], context: string | null): number {
  try {
    return selectCommonType(exprs, context);
  } catch (e) {
    let at = -1;
    for (let k = 2; k <= exprs.length; k++) {
      try {
        selectCommonType(exprs.slice(0, k), context);
      } catch {
        at = exprLocationPG(exprs[k - 1]);
        break;
      }
    }
    throw withPosition(pstate, e, at);
  }
}

export function coerceCommon(pstate: ParseState, e: Expr, targetType: number, context: string): Expr {
  if (isUnknownParam(e)) return deduceParamType(pstate, e, targetType);
  try {
    return resolveUnknownParams(pstate, coerceToCommonType(e, targetType, context));
  } catch (err) {
    throw withPosition(pstate, err, exprLocationPG(e));
  }
}

// ---------------------------------------------------------------------------
// Column references.

function transformColumnRef(pstate: ParseState, cref: raw.ColumnRef): Expr {
  if (pstate.exprKind === 'EXPR_KIND_COLUMN_DEFAULT') {
    parserError(pstate, '0A000', 'cannot use column reference in DEFAULT expression', cref.location);
  }
  const f = cref.fields;
  const last = f[f.length - 1];
  if (last !== undefined && typeof last !== 'string') {
    // `t.*` outside a SELECT list / row constructor: a whole-row value.
    if (f.length < 2 || f.length > 3) return parserError(pstate, '0A000', 'whole-row references are not supported', cref.location);
    const relname = f[f.length - 2] as string;
    const schemaname = f.length === 3 ? (f[0] as string) : null;
    const found = refnameNamespaceItem(pstate, schemaname, relname, cref.location);
    if (found === null) return errorMissingRTE(pstate, schemaname, relname, cref.location);
    return transformWholeRowRef(pstate, found.nsitem, found.levelsup, cref.location);
  }
  const names = f as string[];
  switch (names.length) {
    case 1: {
      const colname = names[0] as string;
      const v = colNameToVar(pstate, colname, false, cref.location);
      if (v !== null) return v;
      // A bare relation name is a whole-row reference.
      const rowref = refnameNamespaceItem(pstate, null, colname, cref.location);
      if (rowref !== null) return transformWholeRowRef(pstate, rowref.nsitem, rowref.levelsup, cref.location);
      return errorMissingColumn(pstate, null, colname, cref.location);
    }
    case 2:
    case 3:
    case 4: {
      if (names.length === 4 && names[0] !== currentDatabase()) {
        parserError(pstate, '0A000', `cross-database references are not implemented: ${names.join('.')}`, cref.location);
      }
      const colname = names[names.length - 1] as string;
      const relname = names[names.length - 2] as string;
      const schemaname = names.length >= 3 ? (names[names.length - 3] as string) : null;
      const found = refnameNamespaceItem(pstate, schemaname, relname, cref.location);
      if (found === null) return errorMissingRTE(pstate, schemaname, relname, cref.location);
      const v = scanNSItemForColumn(pstate, found.nsitem, found.levelsup, colname, cref.location);
      if (v !== null) return v;
      return errorMissingColumn(pstate, relname, colname, cref.location);
    }
    default:
      return parserError(pstate, '42601', `improper qualified name (too many dotted names): ${names.join('.')}`, cref.location);
  }
}

/** The database name a four-part name may start with. */
function currentDatabase(): string {
  return 'postgres';
}

// ---------------------------------------------------------------------------
// Operators.

function transformAExpr(pstate: ParseState, a: raw.A_Expr): Expr {
  switch (a.kind) {
    case 'AEXPR_OP': return transformAExprOp(pstate, a);
    case 'AEXPR_OP_ANY': return transformAExprOpAnyAll(pstate, a, true);
    case 'AEXPR_OP_ALL': return transformAExprOpAnyAll(pstate, a, false);
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT': return transformAExprDistinct(pstate, a);
    case 'AEXPR_NULLIF': return transformAExprNullIf(pstate, a);
    case 'AEXPR_IN': return transformAExprIn(pstate, a);
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE': return transformAExprOp(pstate, a);
    case 'AEXPR_SIMILAR':
      if (functionsByName('similar_to_escape').length === 0) {
        return parserError(pstate, '0A000', 'SIMILAR TO is not supported', a.location);
      }
      return transformAExprOp(pstate, a);
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN':
    case 'AEXPR_BETWEEN_SYM':
    case 'AEXPR_NOT_BETWEEN_SYM':
      return transformAExprBetween(pstate, a);
  }
}

function rexprNode(a: raw.A_Expr): raw.Node {
  const r = a.rexpr;
  if (r === null || Array.isArray(r)) throw new PgError('XX000', 'unexpected right operand');
  return r;
}

function transformAExprOp(pstate: ParseState, a: raw.A_Expr): Expr {
  const r = rexprNode(a);
  // (a, b) op (c, d): a row comparison.
  if (a.lexpr !== null && a.lexpr.type === 'RowExpr' && r.type === 'RowExpr') {
    const l = transformExprRecurse(pstate, a.lexpr) as RowExpr;
    const rr = transformExprRecurse(pstate, r) as RowExpr;
    return makeRowComparisonOp(pstate, a.name, l.args, rr.args, a.location);
  }
  if (a.lexpr !== null && a.lexpr.type === 'RowExpr' && r.type === 'SubLink' && r.subLinkType === 'EXPR_SUBLINK') {
    return transformSubLink(pstate, { ...r, subLinkType: 'ROWCOMPARE_SUBLINK', testexpr: a.lexpr, operName: a.name, location: a.location });
  }
  const lexpr = a.lexpr === null ? null : transformExprRecurse(pstate, a.lexpr);
  const rexpr = transformExprRecurse(pstate, r);
  return makeOpExpr(pstate, a.name, lexpr, rexpr, a.location);
}

function transformAExprOpAnyAll(pstate: ParseState, a: raw.A_Expr, useOr: boolean): Expr {
  const lexpr = transformExprRecurse(pstate, a.lexpr as raw.Node);
  const rexpr = transformExprRecurse(pstate, rexprNode(a));
  try {
    return resolveUnknownParams(pstate, makeScalarArrayOp(a.name, useOr, lexpr, rexpr, a.location));
  } catch (e) {
    throw withPosition(pstate, e, errorLocation(e, a.location, lexpr, rexpr));
  }
}

function transformAExprDistinct(pstate: ParseState, a: raw.A_Expr): Expr {
  const r = rexprNode(a);
  let result: Expr;
  if (a.lexpr !== null && a.lexpr.type === 'RowExpr' && r.type === 'RowExpr') {
    const l = transformExprRecurse(pstate, a.lexpr) as RowExpr;
    const rr = transformExprRecurse(pstate, r) as RowExpr;
    result = makeRowDistinctOp(pstate, a.name, l.args, rr.args, a.location);
  } else {
    const lexpr = transformExprRecurse(pstate, a.lexpr as raw.Node);
    const rexpr = transformExprRecurse(pstate, r);
    result = makeDistinctOp(pstate, a.name, lexpr, rexpr, a.location);
  }
  if (a.kind === 'AEXPR_NOT_DISTINCT') {
    return { type: 'BoolExpr', boolop: 'NOT_EXPR', args: [result], location: a.location };
  }
  return result;
}

function makeDistinctOp(pstate: ParseState, opname: string[], l: Expr, r: Expr, location: number): Expr {
  const op = makeOpExpr(pstate, opname, l, r, location);
  if (op.type !== 'OpExpr' || op.opresulttype !== BOOLOID) {
    parserError(pstate, '42804', 'IS DISTINCT FROM requires = operator to yield boolean', location);
  }
  if (op.opretset) parserError(pstate, '42804', 'IS DISTINCT FROM must not return a set', location);
  return { ...op, type: 'DistinctExpr' };
}

function makeRowDistinctOp(pstate: ParseState, opname: string[], largs: Expr[], rargs: Expr[], location: number): Expr {
  if (largs.length !== rargs.length) parserError(pstate, '42601', 'unequal number of entries in row expressions', location);
  let result: Expr | null = null;
  for (let i = 0; i < largs.length; i++) {
    const cmp = makeDistinctOp(pstate, opname, largs[i] as Expr, rargs[i] as Expr, location);
    result = result === null ? cmp : orExpr(result, cmp, location);
  }
  // Zero-column rows are never distinct.
  return result ?? makeConst(BOOLOID, -1, false, false, -1);
}

function orExpr(l: Expr, r: Expr, location: number): BoolExpr {
  if (l.type === 'BoolExpr' && l.boolop === 'OR_EXPR') return { ...l, args: [...l.args, r] };
  return { type: 'BoolExpr', boolop: 'OR_EXPR', args: [l, r], location };
}

function transformAExprNullIf(pstate: ParseState, a: raw.A_Expr): Expr {
  const lexpr = transformExprRecurse(pstate, a.lexpr as raw.Node);
  const rexpr = transformExprRecurse(pstate, rexprNode(a));
  const op = makeOpExpr(pstate, a.name, lexpr, rexpr, a.location);
  if (op.type !== 'OpExpr' || op.opresulttype !== BOOLOID) {
    parserError(pstate, '42804', 'NULLIF requires = operator to yield boolean', a.location);
  }
  if (op.opretset) parserError(pstate, '42804', 'NULLIF must not return a set', a.location);
  const first = op.args[0] as Expr;
  return { ...op, type: 'NullIfExpr', opresulttype: exprType(first) };
}

/**
 * `x IN (a, b, c)`: the constant-ish elements (no Vars of this level) become
 * one `x = ANY (ARRAY[...])` when they share a type with x that has an array
 * type; anything left over is OR'ed as `x = e` (AND of `<>` for NOT IN).
 */
function transformAExprIn(pstate: ParseState, a: raw.A_Expr): Expr {
  const useOr = a.name[a.name.length - 1] !== '<>';
  const lraw = a.lexpr as raw.Node;
  const list = a.rexpr as raw.Node[];
  const haveRowExpr = lraw.type === 'RowExpr';
  const lexpr = transformExprRecurse(pstate, lraw);
  const rexprs: Expr[] = [];
  const rvars: Expr[] = [];
  const rnonvars: Expr[] = [];
  for (const n of list) {
    const e = transformExprRecurse(pstate, n);
    rexprs.push(e);
    if (exprContainsVarsOfLevel(e, 0)) rvars.push(e);
    else rnonvars.push(e);
  }
  let result: Expr | null = null;
  let rest = rexprs;
  if (!haveRowExpr && rnonvars.length > 1) {
    let scalarType = 0;
    try {
      scalarType = selectCommonType([lexpr, ...rnonvars], null as unknown as string);
    } catch {
      scalarType = 0;
    }
    if (scalarType !== 0 && scalarType !== RECORDOID && verifyCommonType(scalarType, [lexpr, ...rnonvars])) {
      const arrayType = arrayTypeOf(scalarType);
      if (arrayType !== 0 && arrayType !== undefined) {
        const elements = rnonvars.map((e) => coerceCommon(pstate, e, scalarType, 'IN'));
        const arr: Expr = { type: 'ArrayExpr', array_typeid: arrayType, element_typeid: scalarType, elements, multidims: false, location: -1 };
        try {
          result = resolveUnknownParams(pstate, makeScalarArrayOp(a.name, useOr, lexpr, arr, a.location));
        } catch (e) {
          throw withPosition(pstate, e, errorLocation(e, a.location, lexpr, ...rnonvars));
        }
        rest = rvars;
      }
    }
  }
  for (const r of rest) {
    let cmp: Expr;
    if (haveRowExpr) {
      if (r.type !== 'RowExpr') parserError(pstate, '42601', 'arguments of row IN must all be row expressions', a.location);
      cmp = makeRowComparisonOp(pstate, a.name, (lexpr as RowExpr).args, r.args, a.location);
    } else {
      cmp = makeOpExpr(pstate, a.name, lexpr, r, a.location);
    }
    cmp = coerceBool(pstate, cmp, 'IN');
    if (result === null) result = cmp;
    else if (useOr) result = orExpr(result, cmp, a.location);
    else result = andExpr(result, cmp, a.location);
  }
  return result as Expr;
}

function verifyCommonType(target: number, exprs: Expr[]): boolean {
  return canCoerceType(exprs.map((e) => exprType(e)), exprs.map(() => target), 'COERCION_IMPLICIT');
}

function andExpr(l: Expr, r: Expr, location: number): BoolExpr {
  if (l.type === 'BoolExpr' && l.boolop === 'AND_EXPR') return { ...l, args: [...l.args, r] };
  return { type: 'BoolExpr', boolop: 'AND_EXPR', args: [l, r], location };
}

/** BETWEEN is expanded as gram.y used to: `a >= x AND a <= y`, NOT: `a < x OR a > y`, SYMMETRIC both ways. */
function transformAExprBetween(pstate: ParseState, a: raw.A_Expr): Expr {
  const bounds = a.rexpr as raw.Node[];
  const aexpr = a.lexpr as raw.Node;
  const b1 = bounds[0] as raw.Node;
  const b2 = bounds[1] as raw.Node;
  const op = (name: string, l: raw.Node, r: raw.Node): raw.A_Expr => ({ type: 'A_Expr', kind: 'AEXPR_OP', name: [name], lexpr: l, rexpr: r, location: a.location });
  const bool = (boolop: 'AND_EXPR' | 'OR_EXPR', args: raw.Node[]): raw.BoolExpr => ({ type: 'BoolExpr', boolop, args, location: a.location });
  let tree: raw.Node;
  switch (a.kind) {
    case 'AEXPR_BETWEEN':
      tree = bool('AND_EXPR', [op('>=', aexpr, b1), op('<=', aexpr, b2)]);
      break;
    case 'AEXPR_NOT_BETWEEN':
      tree = bool('OR_EXPR', [op('<', aexpr, b1), op('>', aexpr, b2)]);
      break;
    case 'AEXPR_BETWEEN_SYM':
      tree = bool('OR_EXPR', [
        bool('AND_EXPR', [op('>=', aexpr, b1), op('<=', aexpr, b2)]),
        bool('AND_EXPR', [op('>=', aexpr, b2), op('<=', aexpr, b1)]),
      ]);
      break;
    default:
      tree = bool('AND_EXPR', [
        bool('OR_EXPR', [op('<', aexpr, b1), op('>', aexpr, b2)]),
        bool('OR_EXPR', [op('<', aexpr, b2), op('>', aexpr, b1)]),
      ]);
  }
  return transformExprRecurse(pstate, tree);
}

/** (a, b) < (c, d): pairwise operators; `=` / `<>` become AND / OR, others a RowCompareExpr. */
function makeRowComparisonOp(pstate: ParseState, opname: string[], largs: Expr[], rargs: Expr[], location: number): Expr {
  if (largs.length !== rargs.length) parserError(pstate, '42601', 'unequal number of entries in row expressions', location);
  if (largs.length === 0) parserError(pstate, '0A000', 'cannot compare rows of zero length', location);
  const ops: Expr[] = [];
  for (let i = 0; i < largs.length; i++) {
    const cmp = makeOpExpr(pstate, opname, largs[i] as Expr, rargs[i] as Expr, location);
    if (cmp.type !== 'OpExpr' || cmp.opresulttype !== BOOLOID) {
      parserError(pstate, '42804', `row comparison operator must yield type boolean, not type ${formatTypeWithTypmod(exprType(cmp), -1)}`, location);
    }
    if (cmp.opretset) parserError(pstate, '42804', 'row comparison operator must not return a set', location);
    ops.push(cmp);
  }
  if (ops.length === 1) return ops[0] as Expr;
  const name = opname[opname.length - 1];
  if (name === '=') return { type: 'BoolExpr', boolop: 'AND_EXPR', args: ops, location };
  if (name === '<>') return { type: 'BoolExpr', boolop: 'OR_EXPR', args: ops, location };
  const rctype = ({ '<': 'ROWCOMPARE_LT', '<=': 'ROWCOMPARE_LE', '>=': 'ROWCOMPARE_GE', '>': 'ROWCOMPARE_GT' } as const)[name as '<'];
  if (rctype === undefined) {
    parserError(pstate, '0A000', `could not determine interpretation of row comparison operator ${name ?? ''}`, location, {
      hint: 'Row comparison operators must be associated with btree operator families.',
    });
  }
  return {
    type: 'RowCompareExpr',
    rctype,
    opnos: ops.map((o) => (o as { opno: number }).opno),
    largs: ops.map((o) => (o as { args: Expr[] }).args[0] as Expr),
    rargs: ops.map((o) => (o as { args: Expr[] }).args[1] as Expr),
  };
}

function transformBoolExpr(pstate: ParseState, b: raw.BoolExpr): Expr {
  const name = b.boolop === 'AND_EXPR' ? 'AND' : b.boolop === 'OR_EXPR' ? 'OR' : 'NOT';
  const only = b.args[0];
  if (b.boolop === 'NOT_EXPR' && only !== undefined && only.type === 'SubLink' && only.subLinkType === 'ANY_SUBLINK' && only.testexpr !== null && b.location > exprLocationRaw(only.testexpr)) {
    // `x NOT IN (SELECT ...)`: gram.y gives the sublink the location of NOT, which its errors report.
    const link = transformSubLink(pstate, { ...only, location: b.location });
    return { type: 'BoolExpr', boolop: 'NOT_EXPR', args: [link], location: b.location };
  }
  const args = b.args.map((a) => coerceBool(pstate, transformExprRecurse(pstate, a), name));
  return { type: 'BoolExpr', boolop: b.boolop, args, location: b.location };
}

function transformNullTest(pstate: ParseState, n: raw.NullTest): NullTest {
  const arg = transformExprRecurse(pstate, n.arg);
  const t = exprType(arg);
  return { type: 'NullTest', arg, nulltesttype: n.nulltesttype, argisrow: t === RECORDOID || arg.type === 'RowExpr', location: n.location };
}

const BOOLTEST_NAMES = {
  IS_TRUE: 'IS TRUE', IS_NOT_TRUE: 'IS NOT TRUE', IS_FALSE: 'IS FALSE',
  IS_NOT_FALSE: 'IS NOT FALSE', IS_UNKNOWN: 'IS UNKNOWN', IS_NOT_UNKNOWN: 'IS NOT UNKNOWN',
} as const;

function transformBooleanTest(pstate: ParseState, b: raw.BooleanTest): Expr {
  const arg = coerceBool(pstate, transformExprRecurse(pstate, b.arg), BOOLTEST_NAMES[b.booltesttype]);
  return { type: 'BooleanTest', arg, booltesttype: b.booltesttype, location: b.location };
}

// ---------------------------------------------------------------------------
// Casts, COLLATE.

function transformTypeCast(pstate: ParseState, tc: raw.TypeCast): Expr {
  let target: { typeOid: number; typmod: number };
  try {
    target = typenameTypeIdAndMod(tc.typeName);
  } catch (e) {
    throw withPosition(pstate, e, tc.typeName.location);
  }
  let expr: Expr;
  if (tc.arg.type === 'A_ArrayExpr') {
    // ARRAY[...]::int[]: the element type comes from the cast (so ARRAY[]::int[] works).
    const elem = elementTypeOf(target.typeOid);
    expr = elem !== 0 && elem !== undefined
      ? transformArrayExpr(pstate, tc.arg, target.typeOid, elem, target.typmod)
      : transformExprRecurse(pstate, tc.arg);
  } else {
    expr = transformExprRecurse(pstate, tc.arg);
  }
  const location = tc.location >= 0 ? tc.location : tc.typeName.location;
  const inputType = exprType(expr);
  const result = coerceExprTo(pstate, expr, target.typeOid, target.typmod, 'COERCION_EXPLICIT', 'COERCE_EXPLICIT_CAST', location);
  if (result === null) {
    parserError(pstate, '42846', `cannot cast type ${formatTypeWithTypmod(inputType, -1)} to ${formatTypeWithTypmod(target.typeOid, -1)}`, location >= 0 ? location : exprLocationPG(expr));
  }
  return result;
}

const STRING_TYPES = new Set([TEXTOID, 1043, 1042, NAMEOID, UNKNOWNOID]);

function transformCollateClause(pstate: ParseState, c: raw.CollateClause): Expr {
  const arg = transformExprRecurse(pstate, c.arg as raw.Node);
  const t = exprType(arg);
  if (!STRING_TYPES.has(t) && elementTypeOf(t) === 0) {
    parserError(pstate, '42804', `collations are not supported by type ${formatTypeWithTypmod(t, -1)}`, c.location);
  }
  const name = c.collname[c.collname.length - 1] ?? '';
  const schema = c.collname.length > 1 ? c.collname[0] : 'pg_catalog';
  if (schema !== 'pg_catalog' || !['C', 'POSIX', 'default', 'ucs_basic'].includes(name)) {
    parserError(pstate, '0A000', `collation "${c.collname.join('.')}" is not supported`, c.location, {
      hint: 'Only the "C" collation (byte order, the database default here) is available.',
    });
  }
  // tabgres compares text in C (code point) order everywhere, so COLLATE "C" changes nothing.
  return t === UNKNOWNOID ? coerceExprTo(pstate, arg, TEXTOID, -1, 'COERCION_IMPLICIT', 'COERCE_IMPLICIT_CAST', -1) ?? arg : arg;
}

// ---------------------------------------------------------------------------
// Function calls.

function funcSignature(funcname: string[], argTypes: number[]): string {
  return `${funcname.join('.')}(${argTypes.map((t) => formatTypeWithTypmod(t, -1)).join(', ')})`;
}

/** True for constructs PostgreSQL accepts only on aggregates. */
function aggDecorations(fc: raw.FuncCall): boolean {
  return fc.agg_star || fc.agg_distinct || fc.agg_order.length > 0 || fc.agg_filter !== null || fc.agg_within_group;
}

function transformFuncCall(pstate: ParseState, fc: raw.FuncCall): Expr {
  if (fc.agg_within_group) parserError(pstate, '0A000', 'WITHIN GROUP is not supported', fc.location);
  if (fc.func_variadic) parserError(pstate, '0A000', 'VARIADIC in a function call is not supported', fc.location);
  // Arguments of an aggregate are analyzed with the aggregate marked open, so a nested call is caught.
  const args: Expr[] = [];
  for (const a of fc.args) {
    args.push(transformExprRecurse(pstate, a));
  }
  const argTypes = args.map((a) => exprType(a));
  const name = fc.funcname[fc.funcname.length - 1] as string;
  if (fc.funcname.length > 1) {
    const schema = fc.funcname[fc.funcname.length - 2] as string;
    if (fc.funcname.length > 3) parserError(pstate, '42601', `improper qualified name (too many dotted names): ${fc.funcname.join('.')}`, fc.location);
    if (pstate.catalog.namespaceOid(schema) === null) parserError(pstate, '3F000', `schema "${schema}" does not exist`, fc.location);
  }
  let detail: ReturnType<typeof funcGetDetail>;
  try {
    detail = funcGetDetail(fc.funcname, argTypes, false, fc.location);
  } catch (e) {
    throw withPosition(pstate, e, fc.location);
  }
  switch (detail.kind) {
    case 'FUNCDETAIL_COERCION': {
      if (aggDecorations(fc) || fc.over !== null) {
        parserError(pstate, '42809', `${aggDecorationName(fc)} specified, but ${name} is not an aggregate function`, fc.location);
      }
      const arg = args[0] as Expr;
      const r = coerceExprTo(pstate, arg, detail.rettype, -1, 'COERCION_EXPLICIT', 'COERCE_EXPLICIT_CALL', fc.location);
      if (r === null) {
        parserError(pstate, '42846', `cannot cast type ${formatTypeWithTypmod(argTypes[0] ?? 0, -1)} to ${formatTypeWithTypmod(detail.rettype, -1)}`, fc.location);
      }
      return r;
    }
    case 'FUNCDETAIL_NOTFOUND': {
      if (fc.agg_order.length > 0 || fc.agg_distinct || fc.agg_star || fc.agg_filter !== null) {
        const anyAgg = functionsByName(name).some((f) => f.prokind === 'a');
        if (anyAgg && fc.agg_order.length > 0 && fc.args.length > 1) {
          parserError(pstate, '42883', `function ${funcSignature(fc.funcname, argTypes)} does not exist`, fc.location, {
            hint: 'No aggregate function matches the given name and argument types. Perhaps you misplaced ORDER BY; ORDER BY must appear after all regular arguments of the aggregate.',
          });
        }
      }
      parserError(pstate, '42883', `function ${funcSignature(fc.funcname, argTypes)} does not exist`, fc.location, {
        hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
      });
      break;
    }
    case 'FUNCDETAIL_MULTIPLE':
      parserError(pstate, '42725', `function ${funcSignature(fc.funcname, argTypes)} is not unique`, fc.location, {
        hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
      });
      break;
    default:
      break;
  }
  const kind = detail.kind;
  if (kind === 'FUNCDETAIL_NORMAL') {
    if (fc.agg_star) parserError(pstate, '42809', `${name}(*) specified, but ${name} is not an aggregate function`, fc.location);
    if (fc.agg_distinct) parserError(pstate, '42809', `DISTINCT specified, but ${name} is not an aggregate function`, fc.location);
    if (fc.agg_order.length > 0) parserError(pstate, '42809', `ORDER BY specified, but ${name} is not an aggregate function`, fc.location);
    if (fc.agg_filter !== null) parserError(pstate, '42809', `FILTER specified, but ${name} is not an aggregate function`, fc.location);
    if (fc.over !== null) parserError(pstate, '42809', `OVER specified, but ${name} is not a window function nor an aggregate function`, fc.location);
  }
  if (kind === 'FUNCDETAIL_WINDOWFUNC') {
    if (fc.over === null) parserError(pstate, '42809', `window function ${name} requires an OVER clause`, fc.location);
    if (fc.agg_order.length > 0) parserError(pstate, '0A000', 'aggregate ORDER BY is not implemented for window functions', fc.location);
    if (fc.agg_distinct) parserError(pstate, '0A000', 'DISTINCT is not implemented for window functions', fc.location);
    if (fc.agg_filter !== null) parserError(pstate, '0A000', 'FILTER is not implemented for non-aggregate window functions', fc.location);
  }
  if (kind === 'FUNCDETAIL_AGGREGATE' && !fc.agg_star && argTypes.length === 0) {
    parserError(pstate, '42809', `${name}(*) must be used to call a parameterless aggregate function`, fc.location);
  }
  if (fc.agg_star && argTypes.length > 0) parserError(pstate, '42809', `${name}(*) must be used to call a parameterless aggregate function`, fc.location);
  let coerced: Expr[];
  try {
    coerced = makeFuncArgsCoerced(args, argTypes, detail.declaredArgTypes, fc.location).map((e) => resolveUnknownParams(pstate, e));
  } catch (e) {
    throw withPosition(pstate, e, errorLocation(e, fc.location, ...args));
  }
  if (detail.retset) {
    if (kind !== 'FUNCDETAIL_NORMAL') parserError(pstate, '0A000', 'set-returning aggregates are not supported', fc.location);
    checkSrfCallPlacement(pstate, fc.location);
  }
  const funcformat = fc.funcformat === 'COERCE_SQL_SYNTAX' ? 'COERCE_SQL_SYNTAX' : 'COERCE_EXPLICIT_CALL';
  if (kind === 'FUNCDETAIL_NORMAL') {
    return {
      type: 'FuncExpr',
      funcid: detail.funcid,
      funcresulttype: detail.rettype,
      funcresulttypmod: -1,
      funcretset: detail.retset,
      funcvariadic: detail.variadic,
      funcformat,
      args: coerced,
      location: fc.location,
    };
  }
  if (fc.over === null) {
    return transformAggregateCall(pstate, fc, detail.funcid, detail.rettype, coerced, detail.variadic);
  }
  return transformWindowFuncCall(pstate, fc, detail.funcid, detail.rettype, coerced, kind === 'FUNCDETAIL_AGGREGATE');
}

function aggDecorationName(fc: raw.FuncCall): string {
  if (fc.agg_star) return `${fc.funcname[fc.funcname.length - 1] ?? ''}(*)`;
  if (fc.agg_distinct) return 'DISTINCT';
  if (fc.agg_order.length > 0) return 'ORDER BY';
  if (fc.agg_filter !== null) return 'FILTER';
  return 'OVER';
}

/** check_srf_call_placement: where a set-returning function may appear. */
function checkSrfCallPlacement(pstate: ParseState, location: number): void {
  const k = pstate.exprKind;
  switch (k) {
    case 'EXPR_KIND_SELECT_TARGET':
    case 'EXPR_KIND_INSERT_TARGET':
    case 'EXPR_KIND_GROUP_BY':
    case 'EXPR_KIND_ORDER_BY':
    case 'EXPR_KIND_DISTINCT_ON':
    case 'EXPR_KIND_WINDOW_PARTITION':
    case 'EXPR_KIND_WINDOW_ORDER':
    case 'EXPR_KIND_VALUES_SINGLE':
      pstate.hasTargetSRFs = true;
      break;
    case 'EXPR_KIND_FROM_FUNCTION':
      break;
    case 'EXPR_KIND_JOIN_ON':
    case 'EXPR_KIND_JOIN_USING':
      parserError(pstate, '0A000', 'set-returning functions are not allowed in JOIN conditions', location);
      break;
    case 'EXPR_KIND_CHECK_CONSTRAINT':
      parserError(pstate, '0A000', 'set-returning functions are not allowed in check constraints', location);
      break;
    case 'EXPR_KIND_COLUMN_DEFAULT':
      parserError(pstate, '0A000', 'set-returning functions are not allowed in DEFAULT expressions', location);
      break;
    case 'EXPR_KIND_GENERATED_COLUMN':
      parserError(pstate, '0A000', 'set-returning functions are not allowed in column generation expressions', location);
      break;
    default:
      parserError(pstate, '0A000', `set-returning functions are not allowed in ${parseExprKindName(k)}`, location);
  }
  if (pstate.srfForbiddenIn !== null) {
    parserError(pstate, '0A000', `set-returning functions are not allowed in ${pstate.srfForbiddenIn}`, location, {
      hint: 'You might be able to move the set-returning function into a LATERAL FROM item.',
    });
  }
}

// ---------------------------------------------------------------------------
// Subscripts, arrays, rows, conditionals.

/** transformIndirection: subscripts and field selections applied left to right. */
function transformIndirection(pstate: ParseState, ind: raw.A_Indirection): Expr {
  let result = transformExprRecurse(pstate, ind.arg);
  let subscripts: raw.A_Indices[] = [];
  for (const n of ind.indirection) {
    if (typeof n !== 'string' && n.type === 'A_Indices') {
      subscripts.push(n);
      continue;
    }
    if (typeof n !== 'string') {
      return parserError(pstate, '0A000', 'row expansion via "*" is not supported here', exprLocationRaw(ind.arg));
    }
    if (subscripts.length > 0) result = transformContainerSubscripts(pstate, result, subscripts, false);
    subscripts = [];
    result = transformFieldSelect(pstate, result, n, exprLocationRaw(ind.arg));
  }
  if (subscripts.length > 0) result = transformContainerSubscripts(pstate, result, subscripts, false);
  return result;
}

function exprLocationRaw(n: raw.Node): number {
  return 'location' in n && typeof n.location === 'number' ? n.location : -1;
}

/**
 * ARRAY[...] (transformArrayExpr). With arrayType/elementType from a cast,
 * elements are coerced to it; otherwise the common type of the elements.
 */
function transformArrayExpr(pstate: ParseState, a: raw.A_ArrayExpr, arrayType: number, elementType: number, typmod: number): Expr {
  const newelems: Expr[] = [];
  for (const e of a.elements) {
    if (e.type === 'A_ArrayExpr') {
      newelems.push(transformArrayExpr(pstate, e, arrayType, elementType, typmod));
    } else {
      newelems.push(transformExprRecurse(pstate, e));
    }
  }
  const multidims = newelems.length > 0 && newelems.every((e) => e.type === 'ArrayExpr' && a.elements.some((r) => r.type === 'A_ArrayExpr'));
  if (a.elements.some((r) => r.type === 'A_ArrayExpr') && !a.elements.every((r) => r.type === 'A_ArrayExpr')) {
    parserError(pstate, '42601', 'multidimensional arrays must have array expressions with matching dimensions', a.location);
  }
  let coerceType: number;
  if (arrayType !== 0) {
    coerceType = multidims ? arrayType : elementType;
  } else {
    if (newelems.length === 0) {
      parserError(pstate, '42P18', 'cannot determine type of empty array', a.location, {
        hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].',
      });
    }
    coerceType = commonType(pstate, newelems, 'ARRAY');
    if (multidims) {
      elementType = elementTypeOf(coerceType) ?? 0;
      arrayType = coerceType;
      if (elementType === 0) parserError(pstate, '42704', `could not find element type for data type ${formatTypeWithTypmod(coerceType, -1)}`, a.location);
    } else {
      if (coerceType === UNKNOWNOID) coerceType = TEXTOID;
      elementType = coerceType;
      arrayType = arrayTypeOf(elementType) ?? 0;
      if (arrayType === 0) parserError(pstate, '42704', `could not find array type for data type ${formatTypeWithTypmod(elementType, -1)}`, a.location);
    }
  }
  const elements = newelems.map((e) => {
    if (arrayType !== 0 && a.elements.length > 0 && coerceType !== 0) {
      const r = coerceExprTo(pstate, e, coerceType, -1, 'COERCION_EXPLICIT', 'COERCE_EXPLICIT_CAST', -1);
      if (r === null) {
        parserError(pstate, '42846', `cannot cast type ${formatTypeWithTypmod(exprType(e), -1)} to ${formatTypeWithTypmod(coerceType, -1)}`, exprLocationPG(e));
      }
      return r;
    }
    return e;
  });
  return { type: 'ArrayExpr', array_typeid: arrayType, element_typeid: elementType, elements, multidims, location: a.location };
}

function transformRowExpr(pstate: ParseState, r: raw.RowExpr): RowExpr {
  // ROW(t.*) lists t's columns (transformExpressionList expands the star).
  const args = transformExpressionList(pstate, r.args, pstate.exprKind, false);
  if (args.length > 1664) parserError(pstate, '54011', 'ROW expressions can have at most 1664 entries', r.location);
  return {
    type: 'RowExpr',
    args,
    row_typeid: RECORDOID,
    row_format: r.row_format,
    colnames: args.map((_, i) => `f${i + 1}`),
    location: r.location,
  };
}

/** Transform while marking that a set-returning function here is an error (CASE, COALESCE, ...). */
function withSrfForbidden<T>(pstate: ParseState, construct: string, fn: () => T): T {
  const saved = pstate.srfForbiddenIn;
  pstate.srfForbiddenIn = construct;
  try {
    return fn();
  } finally {
    pstate.srfForbiddenIn = saved;
  }
}

function transformCaseExpr(pstate: ParseState, c: raw.CaseExpr): CaseExpr {
  return withSrfForbidden(pstate, 'CASE', () => {
    let arg: Expr | null = null;
    let placeholder: CaseTestExpr | null = null;
    if (c.arg !== null) {
      arg = transformExprRecurse(pstate, c.arg);
      if (exprType(arg) === UNKNOWNOID) arg = coerceExprTo(pstate, arg, TEXTOID, -1, 'COERCION_IMPLICIT', 'COERCE_IMPLICIT_CAST', -1) ?? arg;
      placeholder = { type: 'CaseTestExpr', typeId: exprType(arg), typeMod: exprTypmod(arg) };
    }
    const whens: CaseWhen[] = [];
    const results: Expr[] = [];
    for (const w of c.args) {
      let cond: Expr;
      if (placeholder !== null) {
        const wv = transformExprRecurse(pstate, w.expr);
        cond = makeOpExpr(pstate, ['='], placeholder, wv, w.location);
      } else {
        cond = transformExprRecurse(pstate, w.expr);
      }
      cond = coerceBool(pstate, cond, 'CASE/WHEN');
      const result = transformExprRecurse(pstate, w.result);
      whens.push({ type: 'CaseWhen', expr: cond, result, location: w.location });
      results.push(result);
    }
    const defraw: raw.Node = c.defresult ?? { type: 'A_Const', isnull: true, location: -1 };
    const defresult = transformExprRecurse(pstate, defraw);
    // PostgreSQL puts the ELSE result first when choosing the type.
    let ptype = commonType(pstate, [defresult, ...results], 'CASE');
    if (ptype === UNKNOWNOID) ptype = TEXTOID;
    for (const w of whens) w.result = coerceCommon(pstate, w.result, ptype, 'CASE/THEN');
    return {
      type: 'CaseExpr',
      casetype: ptype,
      arg,
      args: whens,
      defresult: coerceCommon(pstate, defresult, ptype, 'CASE/ELSE'),
      location: c.location,
    };
  });
}

function transformCoalesceExpr(pstate: ParseState, c: raw.CoalesceExpr): CoalesceExpr {
  return withSrfForbidden(pstate, 'COALESCE', () => {
    const args = c.args.map((a) => transformExprRecurse(pstate, a));
    let t = commonType(pstate, args, 'COALESCE');
    if (t === UNKNOWNOID) t = TEXTOID;
    return { type: 'CoalesceExpr', coalescetype: t, args: args.map((a) => coerceCommon(pstate, a, t, 'COALESCE')), location: c.location };
  });
}

function transformMinMaxExpr(pstate: ParseState, m: raw.MinMaxExpr): MinMaxExpr {
  const name = m.op === 'IS_GREATEST' ? 'GREATEST' : 'LEAST';
  return withSrfForbidden(pstate, name, () => {
    const args = m.args.map((a) => transformExprRecurse(pstate, a));
    let t = commonType(pstate, args, name);
    if (t === UNKNOWNOID) t = TEXTOID;
    return { type: 'MinMaxExpr', minmaxtype: t, op: m.op, args: args.map((a) => coerceCommon(pstate, a, t, name)), location: m.location };
  });
}

function transformSQLValueFunction(pstate: ParseState, s: raw.SQLValueFunction): SQLValueFunction {
  let t: number;
  switch (s.op) {
    case 'SVFOP_CURRENT_DATE': t = DATEOID; break;
    case 'SVFOP_CURRENT_TIME':
    case 'SVFOP_CURRENT_TIME_N': t = TIMETZOID; break;
    case 'SVFOP_CURRENT_TIMESTAMP':
    case 'SVFOP_CURRENT_TIMESTAMP_N': t = TIMESTAMPTZOID; break;
    case 'SVFOP_LOCALTIME':
    case 'SVFOP_LOCALTIME_N': t = TIMEOID; break;
    case 'SVFOP_LOCALTIMESTAMP':
    case 'SVFOP_LOCALTIMESTAMP_N': t = TIMESTAMPOID; break;
    default: t = NAMEOID;
  }
  if (typeByOid(t) === undefined) parserError(pstate, '0A000', `type ${t === TIMETZOID ? 'time with time zone' : 'time without time zone'} is not supported`, s.location);
  let typmod = s.typmod;
  if (typmod > 6) typmod = 6;
  return { type: 'SQLValueFunction', op: s.op, resulttype: t, typmod, location: s.location };
}

// ---------------------------------------------------------------------------
// Subqueries in expressions.

function transformSubLink(pstate: ParseState, s: raw.SubLink): Expr {
  const k = pstate.exprKind;
  if (k === 'EXPR_KIND_CHECK_CONSTRAINT') parserError(pstate, '0A000', 'cannot use subquery in check constraint', s.location);
  if (k === 'EXPR_KIND_COLUMN_DEFAULT') parserError(pstate, '0A000', 'cannot use subquery in DEFAULT expression', s.location);
  if (k === 'EXPR_KIND_GENERATED_COLUMN') parserError(pstate, '0A000', 'cannot use subquery in column generation expression', s.location);
  if (s.subLinkType === 'MULTIEXPR_SUBLINK') parserError(pstate, '0A000', 'multiple-column subquery assignment is not supported', s.location);
  pstate.hasSubLinks = true;
  const q: Query = parseSubAnalyze(pstate, s.subselect);
  if (q.commandType !== 'CMD_SELECT') parserError(pstate, '42601', 'subquery must be a SELECT', s.location);
  const cols = q.targetList.filter((t) => !t.resjunk);
  const link: SubLink = { type: 'SubLink', subLinkType: s.subLinkType, subLinkId: 0, testexpr: null, operName: [], subselect: q, location: s.location };
  switch (s.subLinkType) {
    case 'EXISTS_SUBLINK':
      return link;
    case 'EXPR_SUBLINK':
    case 'ARRAY_SUBLINK': {
      if (cols.length !== 1) parserError(pstate, '42601', 'subquery must return only one column', s.location);
      if (s.subLinkType === 'ARRAY_SUBLINK') {
        const t = exprType((cols[0] as { expr: Expr }).expr);
        if ((arrayTypeOf(t) ?? 0) === 0) parserError(pstate, '42704', `could not find array type for data type ${formatTypeWithTypmod(t, -1)}`, s.location);
      }
      return link;
    }
    default: {
      // ANY / ALL / row comparison: testexpr compares the left side with Params standing for the subquery's columns.
      const left = s.testexpr as raw.Node;
      const lefts = left.type === 'RowExpr' ? (transformExprRecurse(pstate, left) as RowExpr).args : [transformExprRecurse(pstate, left)];
      const rights: Param[] = cols.map((t, i) => ({
        type: 'Param', paramkind: 'PARAM_EXEC', paramid: i + 1, paramtype: exprType(t.expr), paramtypmod: exprTypmod(t.expr), location: -1,
      }));
      if (lefts.length < rights.length) parserError(pstate, '42601', 'subquery has too many columns', s.location);
      if (lefts.length > rights.length) parserError(pstate, '42601', 'subquery has too few columns', s.location);
      const opname = s.operName.length === 0 ? ['='] : s.operName;
      let testexpr: Expr;
      if (lefts.length === 1) {
        testexpr = makeOpExpr(pstate, opname, lefts[0] as Expr, rights[0] as Expr, s.location);
        if (exprType(testexpr) !== BOOLOID) {
          parserError(pstate, '42804', `operator ${opname.join('.')} must return type boolean, not type ${formatTypeWithTypmod(exprType(testexpr), -1)}`, s.location);
        }
      } else {
        testexpr = makeRowComparisonOp(pstate, opname, lefts, rights, s.location);
      }
      link.testexpr = testexpr;
      link.operName = opname;
      if (s.subLinkType === 'ROWCOMPARE_SUBLINK' && lefts.length === 1) link.subLinkType = 'EXPR_SUBLINK';
      return link;
    }
  }
}

// ---------------------------------------------------------------------------
// Walkers.

/** Calls fn on every node of an analyzed expression (not descending into sub-Queries); fn returning true stops the walk. */
export function walkExpr(node: unknown, fn: (n: Expr) => boolean, level = 0): boolean {
  if (typeof node !== 'object' || node === null || level > MAX_EXPR_DEPTH) return false;
  if (Array.isArray(node)) {
    for (const x of node) if (walkExpr(x, fn, level + 1)) return true;
    return false;
  }
  const o = node as { type?: string };
  if (o.type === 'Query') return false;
  if (typeof o.type === 'string' && fn(o as Expr)) return true;
  for (const v of Object.values(o)) {
    if (typeof v === 'object' && v !== null && walkExpr(v, fn, level + 1)) return true;
  }
  return false;
}

/** Every node including those inside sub-Queries, with the query depth (for varlevelsup checks). */
export function walkExprWithSubqueries(node: unknown, fn: (n: Expr, sublevels: number) => boolean, sublevels = 0, level = 0): boolean {
  if (typeof node !== 'object' || node === null || level > MAX_EXPR_DEPTH) return false;
  if (Array.isArray(node)) {
    for (const x of node) if (walkExprWithSubqueries(x, fn, sublevels, level + 1)) return true;
    return false;
  }
  const o = node as { type?: string };
  // for-in rather than Object.values: nodes are plain objects (no inherited enumerable keys), and
  // the walk runs a few times per aggregate call, where an array per visited node showed up.
  const inner = o.type === 'Query' ? sublevels + 1 : sublevels;
  if (o.type !== 'Query' && typeof o.type === 'string' && fn(o as Expr, sublevels)) return true;
  const r = o as Record<string, unknown>;
  for (const k in r) {
    const v = r[k];
    if (typeof v === 'object' && v !== null && walkExprWithSubqueries(v, fn, inner, level + 1)) return true;
  }
  return false;
}

/** contain_vars_of_level: a Var of the given query level (sublinks' inner levels adjusted). */
export function exprContainsVarsOfLevel(e: unknown, levelsup: number): boolean {
  return walkExprWithSubqueries(e, (n, sub) => n.type === 'Var' && n.varlevelsup === levelsup + sub);
}

export type { Aggref };

export { resolveUnknownParams };
