/*
 * parse_coerce.ts — type coercion of analyzed expressions (PostgreSQL's
 * parse_coerce.c): which casts apply in which context, the nodes that
 * perform them, unknown literals typed by context, and the common type of
 * UNION/CASE/COALESCE/VALUES/ARRAY branches.
 *
 * Exports:
 *   coerceToTargetType(expr, exprType, targetType, targetTypmod, ccontext, cformat, location): Expr | null
 *   coerceType(...)          the same without the can-coerce check (callers that checked)
 *   coerceTypeTypmod(expr, targetType, targetTypmod, cformat, isExplicit)  the length coercion
 *   canCoerceType(fromTypes, toTypes, ccontext): boolean
 *   coerceToBoolean(expr, constructName): Expr            42804 when not boolean
 *   selectCommonType(exprs, context, locations?): number  42804 `CASE types integer and text cannot be matched`
 *   coerceToCommonType(expr, targetType, context): Expr   42846
 *   findCoercionPathway(target, source, ccontext)          the pg_cast decision
 *   CoercionContext
 *
 * Rules (PostgreSQL's, in order):
 *  1. The same type needs nothing (a typmod may still need a length coercion).
 *  2. An unknown literal becomes a Const of the target type by running the
 *     type's input function now, at analysis time; errors are the input
 *     function's (22P02 `invalid input syntax for type integer: "x"`), and
 *     the analyzer positions them at the literal.
 *  3. Otherwise pg_cast decides: castcontext 'i' applies everywhere, 'a' in
 *     assignment and explicit casts, 'e' only in explicit ones; castmethod
 *     'b' relabels, 'f' calls the cast function, 'i' goes through text.
 *  4. Without a pg_cast row: any type converts to a string type through its
 *     output function in assignment and explicit contexts, and a string type
 *     converts to any type through its input function in explicit casts.
 *  5. Arrays convert element by element when their element types do.
 *  6. A target typmod is applied by the type's length-coercion function
 *     (varchar(n), numeric(p,s), timestamp(p), interval(p)); on a constant
 *     it is applied at once.
 */

import type { CoercionForm, Const, Expr } from '../nodes/primnodes.ts';
import { exprType, exprTypmod } from '../nodes/nodeFuncs.ts';
import { PgError } from '../utils/errors.ts';
import {
  ANYOID, ANYARRAYOID, ANYCOMPATIBLEARRAYOID, ANYCOMPATIBLENONARRAYOID, ANYCOMPATIBLEOID, ANYELEMENTOID, ANYNONARRAYOID,
  BOOLOID, RECORDOID, TEXTOID, UNKNOWNOID, elementTypeOf, formatType, isArrayType, isPolymorphicType, isPreferredType,
  typeByOid, typeCategory,
} from '../utils/adt/types.ts';
import { lookupCast, lookupFunctionByOid } from '../utils/fmgr/fmgrtab.ts';

export type CoercionContext = 'COERCION_IMPLICIT' | 'COERCION_ASSIGNMENT' | 'COERCION_EXPLICIT';

const ERR_DATATYPE_MISMATCH = '42804';
const ERR_CANNOT_COERCE = '42846';

export type CoercionPathType =
  | { kind: 'NONE' }
  | { kind: 'RELABELTYPE' }
  | { kind: 'FUNC'; funcid: number }
  | { kind: 'COERCEVIAIO' }
  | { kind: 'ARRAYCOERCE' };

const NONE: CoercionPathType = { kind: 'NONE' };
const RELABEL: CoercionPathType = { kind: 'RELABELTYPE' };
const VIAIO: CoercionPathType = { kind: 'COERCEVIAIO' };

function contextAllows(castcontext: 'e' | 'a' | 'i', ccontext: CoercionContext): boolean {
  if (castcontext === 'i') return true;
  if (castcontext === 'a') return ccontext !== 'COERCION_IMPLICIT';
  return ccontext === 'COERCION_EXPLICIT';
}

const isStringCategory = (t: number): boolean => typeCategory(t) === 'S';

/** find_coercion_pathway: how (and whether) sourceType converts to targetType in ccontext. */
export function findCoercionPathway(targetType: number, sourceType: number, ccontext: CoercionContext): CoercionPathType {
  if (sourceType === targetType) return RELABEL;
  const cast = lookupCast(sourceType, targetType);
  if (cast !== undefined) {
    if (!contextAllows(cast.castcontext, ccontext)) return NONE;
    if (cast.castmethod === 'b') return RELABEL;
    if (cast.castmethod === 'i') return VIAIO;
    return { kind: 'FUNC', funcid: cast.castfunc };
  }
  // Arrays: element by element, if the elements convert in this context.
  const te = elementTypeOf(targetType);
  const se = elementTypeOf(sourceType);
  if (te !== 0 && se !== 0) {
    const elemPath = findCoercionPathway(te, se, ccontext);
    if (elemPath.kind !== 'NONE') return { kind: 'ARRAYCOERCE' };
  }
  // Automatic I/O conversion to and from the string types.
  if (ccontext !== 'COERCION_IMPLICIT' && isStringCategory(targetType) && sourceType !== UNKNOWNOID) return VIAIO;
  if (ccontext === 'COERCION_EXPLICIT' && isStringCategory(sourceType)) return VIAIO;
  return NONE;
}

/** can_coerce_type: can every input type convert to its target in ccontext (polymorphic targets checked for consistency). */
export function canCoerceType(fromTypes: readonly number[], toTypes: readonly number[], ccontext: CoercionContext): boolean {
  let havePoly = false;
  for (let i = 0; i < fromTypes.length; i++) {
    const input = fromTypes[i];
    const target = toTypes[i];
    if (input === target) continue;
    if (target === ANYOID) continue;
    if (isPolymorphicType(target)) {
      havePoly = true;
      continue;
    }
    if (input === UNKNOWNOID) continue;
    if (target === RECORDOID) return false; // a record converts only through I/O, to the string types (below)
    if (findCoercionPathway(target, input, ccontext).kind !== 'NONE') continue;
    return false;
  }
  if (havePoly && resolvePolymorphicTypes(fromTypes, toTypes) === null) return false;
  return true;
}

/**
 * enforce_generic_type_consistency, simplified to the pseudo-types in use:
 * every anyelement/anyarray/anynonarray argument must agree on one element
 * type, and the anycompatible family on a common type. Returns the element
 * types chosen ({elem, compatElem}), or null when they do not agree.
 */
export function resolvePolymorphicTypes(
  actual: readonly number[],
  declared: readonly number[],
): { elem: number; compat: number; elemFamily: boolean } | null {
  let elem = 0;
  let elemFamily = false;
  let compatFamily = false;
  const compatTypes: number[] = [];
  for (let i = 0; i < declared.length; i++) {
    const d = declared[i];
    const a = actual[i];
    if (d === ANYELEMENTOID || d === ANYNONARRAYOID || d === ANYARRAYOID) elemFamily = true;
    if (d === ANYCOMPATIBLEOID || d === ANYCOMPATIBLENONARRAYOID || d === ANYCOMPATIBLEARRAYOID) compatFamily = true;
    if (d === ANYELEMENTOID || d === ANYNONARRAYOID) {
      if (a === UNKNOWNOID) continue;
      if (d === ANYNONARRAYOID && isArrayType(a)) return null;
      if (elem !== 0 && elem !== a) return null;
      elem = a;
    } else if (d === ANYARRAYOID) {
      if (a === UNKNOWNOID) continue;
      const e = elementTypeOf(a);
      if (e === 0) return null;
      if (elem !== 0 && elem !== e) return null;
      elem = e;
    } else if (d === ANYCOMPATIBLEOID || d === ANYCOMPATIBLENONARRAYOID) {
      if (a === UNKNOWNOID) continue;
      if (d === ANYCOMPATIBLENONARRAYOID && isArrayType(a)) return null;
      compatTypes.push(a);
    } else if (d === ANYCOMPATIBLEARRAYOID) {
      if (a === UNKNOWNOID) continue;
      const e = elementTypeOf(a);
      if (e === 0) return null;
      compatTypes.push(e);
    }
  }
  // Unknown literals alone cannot fix anyelement (the caller reports it); the anycompatible family falls back to text.
  let compat = compatFamily ? TEXTOID : 0;
  if (compatTypes.length > 0) {
    compat = selectCommonTypeOfTypes(compatTypes);
    if (compat === 0) return null;
    for (const t of compatTypes) if (t !== compat && findCoercionPathway(compat, t, 'COERCION_IMPLICIT').kind === 'NONE') return null;
  }
  return { elem, compat, elemFamily };
}

/* ------------------------------------------------------------ coercion */

function makeConstOf(type: number, typmod: number, value: unknown, isnull: boolean, location: number): Const {
  return { type: 'Const', consttype: type, consttypmod: typmod, constvalue: isnull ? null : value, constisnull: isnull, location };
}

/**
 * coerce_type: converts expr to targetType (which the caller has checked is
 * reachable), then applies targetTypmod.
 */
export function coerceType(
  expr: Expr,
  inputType: number,
  targetType: number,
  targetTypmod: number,
  ccontext: CoercionContext,
  cformat: CoercionForm,
  location: number,
): Expr {
  if (targetType === inputType || targetType === ANYOID || isPolymorphicType(targetType)) {
    if (targetType === inputType && targetTypmod >= 0) {
      return coerceTypeTypmod(expr, targetType, targetTypmod, cformat, ccontext === 'COERCION_EXPLICIT', location);
    }
    return expr;
  }
  if (inputType === UNKNOWNOID && expr.type === 'Const') {
    return coerceUnknownConst(expr, targetType, targetTypmod, cformat, ccontext === 'COERCION_EXPLICIT', location);
  }
  let result: Expr;
  const path = inputType === UNKNOWNOID ? VIAIO : findCoercionPathway(targetType, inputType, ccontext);
  switch (path.kind) {
    case 'RELABELTYPE':
      result = { type: 'RelabelType', arg: expr, resulttype: targetType, resulttypmod: -1, relabelformat: cformat, location };
      break;
    case 'FUNC': {
      const f = lookupFunctionByOid(path.funcid);
      const args: Expr[] = [expr];
      // Cast functions may take (value, typmod, isExplicit), as varchar(varchar, int4, bool) does.
      if (f.proargtypes.length >= 2) args.push(makeConstOf(23, -1, -1, false, -1));
      if (f.proargtypes.length >= 3) args.push(makeConstOf(BOOLOID, -1, ccontext === 'COERCION_EXPLICIT', false, -1));
      result = {
        type: 'FuncExpr', funcid: f.oid, funcresulttype: targetType, funcresulttypmod: -1, funcretset: false, funcvariadic: false,
        funcformat: cformat, args, location,
      };
      break;
    }
    case 'COERCEVIAIO':
      result = { type: 'CoerceViaIO', arg: expr, resulttype: targetType, resulttypmod: -1, coerceformat: cformat, location };
      break;
    case 'ARRAYCOERCE': {
      const se = elementTypeOf(inputType);
      const te = elementTypeOf(targetType);
      const elemexpr = coerceType({ type: 'CaseTestExpr', typeId: se, typeMod: -1 }, se, te, targetTypmod, ccontext, 'COERCE_IMPLICIT_CAST', -1);
      result = { type: 'ArrayCoerceExpr', arg: expr, elemexpr, resulttype: targetType, resulttypmod: targetTypmod, coerceformat: cformat, location };
      return result;
    }
    default:
      throw new PgError(ERR_CANNOT_COERCE, `cannot cast type ${formatType(inputType)} to ${formatType(targetType)}`);
  }
  if (targetTypmod >= 0) return coerceTypeTypmod(result, targetType, targetTypmod, cformat, ccontext === 'COERCION_EXPLICIT', location);
  return result;
}

/** An unknown literal of the target type: its input function runs now. */
function coerceUnknownConst(c: Const, targetType: number, targetTypmod: number, cformat: CoercionForm, isExplicit: boolean, location: number): Expr {
  const t = typeByOid(targetType);
  if (t === undefined) throw new PgError(ERR_CANNOT_COERCE, `cannot cast type unknown to ${formatType(targetType)}`);
  if (t.typtype === 'p' && targetType !== UNKNOWNOID) {
    throw new PgError(ERR_CANNOT_COERCE, `cannot cast type unknown to ${formatType(targetType)}`);
  }
  // interval's input needs the typmod (field restrictions); other types get the length coercion after.
  const inputTypmod = targetType === 1186 ? targetTypmod : -1;
  const value = c.constisnull ? null : t.input(c.constvalue as string, inputTypmod);
  const out = makeConstOf(targetType, inputTypmod, value, c.constisnull, c.location);
  if (targetTypmod >= 0 && targetType !== 1186) return coerceTypeTypmod(out, targetType, targetTypmod, cformat, isExplicit, location);
  if (targetType === 1186) out.consttypmod = targetTypmod;
  return out;
}

/** The length-coercion function of a type (pg_cast's self-cast: varchar(varchar,int4,bool), ...), 0 if none. */
function lengthCoercionFunc(typeOid: number): number {
  const c = lookupCast(typeOid, typeOid);
  return c !== undefined && c.castmethod === 'f' ? c.castfunc : 0;
}

/**
 * coerce_type_typmod: applies targetTypmod with the type's length-coercion
 * function. A constant is not folded here, as in PostgreSQL: a stored
 * default or view keeps the call (shown as the bare constant, `1.5` for a
 * numeric(5,2) column), and the planner folds it.
 */
export function coerceTypeTypmod(expr: Expr, targetType: number, targetTypmod: number, cformat: CoercionForm, isExplicit: boolean, location: number): Expr {
  if (targetTypmod < 0 || targetTypmod === exprTypmod(expr)) return expr;
  const funcid = lengthCoercionFunc(targetType);
  if (funcid === 0) return expr;
  return {
    type: 'FuncExpr', funcid, funcresulttype: targetType, funcresulttypmod: targetTypmod, funcretset: false, funcvariadic: false,
    funcformat: cformat,
    args: [expr, makeConstOf(23, -1, targetTypmod, false, -1), makeConstOf(BOOLOID, -1, isExplicit, false, -1)],
    location,
  };
}

export function coerceToTargetType(
  expr: Expr,
  exprTypeOid: number,
  targetType: number,
  targetTypmod: number,
  ccontext: CoercionContext,
  cformat: CoercionForm,
  location: number,
): Expr | null {
  if (!canCoerceType([exprTypeOid], [targetType], ccontext)) return null;
  return coerceType(expr, exprTypeOid, targetType, targetTypmod, ccontext, cformat, location);
}

/** coerce_to_boolean: WHERE, HAVING, JOIN/ON, CASE WHEN, AND/OR/NOT arguments. */
export function coerceToBoolean(expr: Expr, constructName: string): Expr {
  const t = exprType(expr);
  if (t === BOOLOID) return expr;
  const r = coerceToTargetType(expr, t, BOOLOID, -1, 'COERCION_ASSIGNMENT', 'COERCE_IMPLICIT_CAST', -1);
  if (r === null) {
    throw new PgError(ERR_DATATYPE_MISMATCH, `argument of ${constructName} must be type boolean, not type ${formatType(t)}`);
  }
  return r;
}

/* ---------------------------------------------------------- common type */

/** The common type of a list of type OIDs (select_common_type's rules), 0 if the categories differ. */
function selectCommonTypeOfTypes(types: readonly number[]): number {
  let ptype = 0;
  let pcategory = '';
  let pispreferred = false;
  for (const ntype of types) {
    if (ntype === UNKNOWNOID) continue;
    if (ptype === 0) {
      ptype = ntype;
      pcategory = typeCategory(ptype);
      pispreferred = isPreferredType(ptype);
      continue;
    }
    if (ntype === ptype) continue;
    const ncategory = typeCategory(ntype);
    if (ncategory !== pcategory) return 0;
    if (!pispreferred && canCoerceType([ptype], [ntype], 'COERCION_IMPLICIT') && !canCoerceType([ntype], [ptype], 'COERCION_IMPLICIT')) {
      ptype = ntype;
      pcategory = ncategory;
      pispreferred = isPreferredType(ptype);
    }
  }
  return ptype === 0 ? TEXTOID : ptype;
}

/**
 * select_common_type: the type every expression converts to. All unknown is
 * text; different categories are an error (42804 `UNION types integer and
 * text cannot be matched`); within a category the preferred type, else the
 * type the others convert to implicitly. With a null context a mismatch
 * returns 0 instead of raising (IN lists fall back to separate comparisons).
 */
export function selectCommonType(exprs: readonly Expr[], context: string | null, locations?: readonly number[]): number {
  void locations;
  if (exprs.length === 0) return TEXTOID;
  const first = exprType(exprs[0]);
  if (first !== UNKNOWNOID && exprs.every((e) => exprType(e) === first)) return first;
  let ptype = 0;
  let pcategory = '';
  let pispreferred = false;
  for (const e of exprs) {
    const ntype = exprType(e);
    if (ntype === UNKNOWNOID) continue;
    if (ptype === 0) {
      ptype = ntype;
      pcategory = typeCategory(ptype);
      pispreferred = isPreferredType(ptype);
      continue;
    }
    if (ntype === ptype) continue;
    const ncategory = typeCategory(ntype);
    if (ncategory !== pcategory) {
      if (context === null) return 0;
      throw new PgError(ERR_DATATYPE_MISMATCH, `${context} types ${formatType(ptype)} and ${formatType(ntype)} cannot be matched`);
    }
    if (!pispreferred && canCoerceType([ptype], [ntype], 'COERCION_IMPLICIT') && !canCoerceType([ntype], [ptype], 'COERCION_IMPLICIT')) {
      ptype = ntype;
      pcategory = ncategory;
      pispreferred = isPreferredType(ptype);
    }
  }
  if (ptype === 0) return TEXTOID;
  // With no context (an IN list) the caller wants 0 unless every input converts (verify_common_type);
  // otherwise coerceToCommonType reports the input that does not (42846).
  if (context === null) {
    for (const e of exprs) {
      const ntype = exprType(e);
      if (ntype !== ptype && ntype !== UNKNOWNOID && !canCoerceType([ntype], [ptype], 'COERCION_IMPLICIT')) return 0;
    }
  }
  return ptype;
}

/** coerce_to_common_type: one branch converted to the type selectCommonType chose. */
export function coerceToCommonType(expr: Expr, targetType: number, context: string): Expr {
  const t = exprType(expr);
  if (t === targetType) return expr;
  if (!canCoerceType([t], [targetType], 'COERCION_IMPLICIT')) {
    throw new PgError(ERR_CANNOT_COERCE, `${context} could not convert type ${formatType(t)} to ${formatType(targetType)}`);
  }
  return coerceType(expr, t, targetType, -1, 'COERCION_IMPLICIT', 'COERCE_IMPLICIT_CAST', -1);
}
