/*
 * parse_oper.ts — operator resolution (PostgreSQL's parse_oper.c and the
 * candidate selection it shares with functions, parse_func.c's
 * func_select_candidate).
 *
 * Exports:
 *   makeOp(opname, ltree, rtree, location): Expr       an OpExpr with coerced arguments
 *   makeScalarArrayOp(opname, useOr, ltree, rtree, location): Expr   `x op ANY/ALL (array)`
 *   operOid(opname, ltype, rtype): OperatorInfo         resolution only (42883 / 42725)
 *   getSortGroupOperators(typeOid, needLt, needEq, needGt, location)  {ltOpr, eqOpr, gtOpr, hashable}
 *   funcSelectCandidate(inputTypes, candidates)         the shared tie-breaking rules
 *
 * Resolution (PostgreSQL's, section 10.2 of its manual):
 *  1. An operator whose operand types are exactly the inputs wins; an
 *     unknown literal beside a known type is taken to be of that type.
 *  2. Otherwise the operators every input converts to implicitly are the
 *     candidates; one candidate wins outright.
 *  3. Ties break by: most exact type matches; most matches of exact or
 *     preferred types (within the input's category); for unknown inputs,
 *     the string category if any candidate takes one there, else the one
 *     category all candidates agree on (its preferred type if offered);
 *     finally, with known inputs all of one type, unknowns taken as that type.
 *  4. None left: 42883 `operator does not exist: integer + text`; several:
 *     42725 `operator is not unique: unknown + unknown`.
 */

import type { Expr, OpExpr, ScalarArrayOpExpr } from '../nodes/primnodes.ts';
import type { OperatorInfo } from '../utils/fmgr/fmgrtypes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { PgError } from '../utils/errors.ts';
import { operatorsByName, lookupFunctionByOid } from '../utils/fmgr/fmgrtab.ts';
import {
  ANYARRAYOID, BOOLOID, TEXTOID, UNKNOWNOID, arrayTypeOf, elementTypeOf, formatType, isArrayType, isPolymorphicType,
  isPreferredType, typeCategory,
} from '../utils/adt/types.ts';
import { canCoerceType, coerceType, findCoercionPathway, resolvePolymorphicTypes } from './parse_coerce.ts';

const ERR_UNDEFINED_FUNCTION = '42883';
const ERR_AMBIGUOUS = '42725';
const ERR_WRONG_OBJECT_TYPE = '42809';

/* ------------------------------------------------- candidate selection */

/**
 * func_select_candidate: narrows candidates (arrays of declared argument
 * types, already filtered to those the inputs can coerce to) to one.
 * Returns the chosen index set (length 1 = success).
 */
export function funcSelectCandidate<T>(inputTypes: readonly number[], candidates: readonly T[], argsOf: (c: T) => readonly number[]): T[] {
  const nargs = inputTypes.length;
  let list = candidates.slice();
  if (list.length <= 1) return list;

  // Most exact matches.
  const keepBest = (score: (args: readonly number[]) => number): void => {
    let best = -1;
    let kept: T[] = [];
    for (const c of list) {
      const s = score(argsOf(c));
      if (s > best) {
        best = s;
        kept = [c];
      } else if (s === best) kept.push(c);
    }
    list = kept;
  };
  keepBest((args) => {
    let n = 0;
    for (let i = 0; i < nargs; i++) if (inputTypes[i] !== UNKNOWNOID && args[i] === inputTypes[i]) n++;
    return n;
  });
  if (list.length === 1) return list;

  // Exact or preferred types (of the input's own category) where coercion is needed.
  const slotCategory = inputTypes.map((t) => typeCategory(t));
  keepBest((args) => {
    let n = 0;
    for (let i = 0; i < nargs; i++) {
      if (inputTypes[i] === UNKNOWNOID) continue;
      if (args[i] === inputTypes[i] || (isPreferredType(args[i]) && typeCategory(args[i]) === slotCategory[i])) n++;
    }
    return n;
  });
  if (list.length === 1) return list;

  // Unknown inputs: pick a category per slot from the candidates.
  if (inputTypes.some((t) => t === UNKNOWNOID)) {
    let resolved = true;
    const chosenCategory: (string | null)[] = [];
    const chosenPreferred: boolean[] = [];
    for (let i = 0; i < nargs; i++) {
      chosenCategory.push(null);
      chosenPreferred.push(false);
      if (inputTypes[i] !== UNKNOWNOID) continue;
      let cat: string | null = null;
      let preferred = false;
      let conflict = false;
      for (const c of list) {
        const t = argsOf(c)[i];
        const tc = typeCategory(t);
        if (cat === null) {
          cat = tc;
          preferred = isPreferredType(t);
        } else if (tc === cat) {
          if (isPreferredType(t)) preferred = true;
        } else if (tc === 'S') {
          // The string category wins over any other.
          cat = tc;
          preferred = isPreferredType(t);
        } else if (cat !== 'S') {
          conflict = true;
        }
      }
      if (conflict && cat !== 'S') {
        resolved = false;
        break;
      }
      chosenCategory[i] = cat;
      chosenPreferred[i] = preferred;
    }
    if (resolved) {
      const kept = list.filter((c) => {
        const args = argsOf(c);
        for (let i = 0; i < nargs; i++) {
          if (inputTypes[i] !== UNKNOWNOID) continue;
          if (typeCategory(args[i]) !== chosenCategory[i]) return false;
          if (chosenPreferred[i] && !isPreferredType(args[i])) return false;
        }
        return true;
      });
      if (kept.length > 0) list = kept;
      if (list.length === 1) return list;
    }
  }

  // Last gasp: known inputs all of one type; unknowns taken as that type.
  const known = inputTypes.filter((t) => t !== UNKNOWNOID);
  if (known.length > 0 && known.length < nargs && known.every((t) => t === known[0])) {
    const assumed = inputTypes.map((t) => (t === UNKNOWNOID ? known[0] : t));
    const kept = list.filter((c) => canCoerceType(assumed, argsOf(c), 'COERCION_IMPLICIT'));
    if (kept.length === 1) return kept;
  }
  return list;
}

/* ---------------------------------------------------------- resolution */

function opSignature(opname: string, ltype: number, rtype: number): string {
  return ltype === 0 ? `${opname} ${formatType(rtype)}` : `${formatType(ltype)} ${opname} ${formatType(rtype)}`;
}

/**
 * Operators already resolved, by name and operand types (parse_oper.c's
 * OprCacheHash): every `b >= 5` of a statement resolves int4 >= int4 again
 * otherwise, filtering and ranking the candidates. The operator and cast
 * registries (utils/fmgr/fmgrtab.ts) do not change while the process runs,
 * so entries never go stale; only successful lookups are kept.
 */
const operCache = new Map<string, OperatorInfo>();

/** oper() / left_oper(): the operator for these operand types (ltype 0 for a prefix operator). */
export function operOid(opname: string, ltype: number, rtype: number): OperatorInfo {
  const key = `${opname} ${ltype} ${rtype}`;
  let op = operCache.get(key);
  if (op === undefined) {
    op = resolveOper(opname, ltype, rtype);
    operCache.set(key, op);
  }
  return op;
}

function resolveOper(opname: string, ltype: number, rtype: number): OperatorInfo {
  const kind = ltype === 0 ? 'l' : 'b';
  const all = operatorsByName(opname).filter((o) => o.oprkind === kind);
  // 1. Exact match, an unknown side assumed to be the other side's type.
  const l = ltype === UNKNOWNOID && rtype !== UNKNOWNOID ? rtype : ltype;
  const r = rtype === UNKNOWNOID && ltype !== UNKNOWNOID && ltype !== 0 ? ltype : rtype;
  const exact = all.find((o) => o.oprleft === l && o.oprright === r);
  if (exact !== undefined) return exact;

  const inputs = kind === 'l' ? [rtype] : [ltype, rtype];
  const argsOf = (o: OperatorInfo): number[] => (kind === 'l' ? [o.oprright] : [o.oprleft, o.oprright]);
  const candidates = all.filter((o) => canCoerceType(inputs, argsOf(o), 'COERCION_IMPLICIT'));
  const chosen = funcSelectCandidate(inputs, candidates, argsOf);
  if (chosen.length === 1) return chosen[0];
  if (chosen.length === 0) {
    throw new PgError(ERR_UNDEFINED_FUNCTION, `operator does not exist: ${opSignature(opname, ltype, rtype)}`, {
      hint: kind === 'l'
        ? 'No operator matches the given name and argument type. You might need to add an explicit type cast.'
        : 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  throw new PgError(ERR_AMBIGUOUS, `operator is not unique: ${opSignature(opname, ltype, rtype)}`, {
    hint: kind === 'l'
      ? 'Could not choose a best candidate operator. You might need to add an explicit type cast.'
      : 'Could not choose a best candidate operator. You might need to add explicit type casts.',
  });
}

function opName(opname: string[]): string {
  if (opname.length > 1 && opname[0] !== 'pg_catalog') {
    throw new PgError(ERR_UNDEFINED_FUNCTION, `schema "${opname[0]}" does not exist`);
  }
  return opname[opname.length - 1];
}

/** The declared operand types with polymorphic ones replaced by the actual types (anyarray || anyelement). */
function resolveDeclared(actual: number[], declared: number[], result: number): { declared: number[]; result: number } {
  if (!declared.some(isPolymorphicType) && !isPolymorphicType(result)) return { declared, result };
  const r = resolvePolymorphicTypes(actual, declared);
  if (r !== null && r.elemFamily && r.elem === 0) {
    throw new PgError('42804', 'could not determine polymorphic type because input has type unknown');
  }
  const elem = r?.elem || r?.compat || TEXTOID;
  const map = (t: number): number => {
    if (t === 2283 || t === 2776 || t === 5077 || t === 5079) return elem;
    if (t === ANYARRAYOID || t === 5078) return arrayTypeOf(elem);
    return t;
  };
  return { declared: declared.map(map), result: map(result) };
}

/** make_op: resolves the operator and coerces both operands to its declared types. */
export function makeOp(opname: string[], ltree: Expr | null, rtree: Expr, location: number): Expr {
  const name = opName(opname);
  const ltype = ltree === null ? 0 : exprType(ltree);
  const rtype = exprType(rtree);
  const op = operOid(name, ltype, rtype);
  const actual = ltree === null ? [rtype] : [ltype, rtype];
  const { declared, result } = resolveDeclared(actual, ltree === null ? [op.oprright] : [op.oprleft, op.oprright], op.oprresult);
  const inputs = ltree === null ? [rtree] : [ltree, rtree];
  const args = inputs.map((e, i) => coerceType(e, actual[i], declared[i], -1, 'COERCION_IMPLICIT', 'COERCE_IMPLICIT_CAST', -1));
  const f = lookupFunctionByOid(op.oprcode);
  const expr: OpExpr = { type: 'OpExpr', opno: op.oid, opfuncid: op.oprcode, opresulttype: result, opretset: f.proretset, args, location };
  return expr;
}

/** make_scalar_array_op: `scalar op ANY (array)`; the operator is resolved against the array's element type. */
export function makeScalarArrayOp(opname: string[], useOr: boolean, ltree: Expr, rtree: Expr, location: number): Expr {
  const name = opName(opname);
  const ltype = exprType(ltree);
  const rtype = exprType(rtree);
  let atype: number;
  if (rtype === UNKNOWNOID) atype = UNKNOWNOID;
  else {
    atype = elementTypeOf(rtype);
    if (atype === 0) throw new PgError(ERR_WRONG_OBJECT_TYPE, 'op ANY/ALL (array) requires array on right side');
  }
  const op = operOid(name, ltype, atype);
  if (op.oprresult !== BOOLOID) throw new PgError(ERR_WRONG_OBJECT_TYPE, 'op ANY/ALL (array) requires operator to yield boolean');
  if (lookupFunctionByOid(op.oprcode).proretset) {
    throw new PgError(ERR_WRONG_OBJECT_TYPE, 'op ANY/ALL (array) requires operator not to return a set');
  }
  const { declared } = resolveDeclared([ltype, atype], [op.oprleft, op.oprright], op.oprresult);
  const arrayType = isArrayType(declared[1]) ? declared[1] : arrayTypeOf(declared[1]);
  if (arrayType === 0) throw new PgError('42704', `could not find array type for data type ${formatType(declared[1])}`);
  const l = coerceType(ltree, ltype, declared[0], -1, 'COERCION_IMPLICIT', 'COERCE_IMPLICIT_CAST', -1);
  const r = coerceType(rtree, rtype, arrayType, -1, 'COERCION_IMPLICIT', 'COERCE_IMPLICIT_CAST', -1);
  const expr: ScalarArrayOpExpr = { type: 'ScalarArrayOpExpr', opno: op.oid, opfuncid: op.oprcode, useOr, args: [l, r], location };
  return expr;
}

/* ------------------------------------------------ sort/group operators */

export interface SortGroupOperators {
  ltOpr: number;
  eqOpr: number;
  gtOpr: number;
  hashable: boolean;
}

const sortOpsCache = new Map<number, SortGroupOperators>();

/** The type whose default btree opclass serves typeOid: itself, anyarray for arrays, text for varchar. */
function opclassType(typeOid: number): number {
  if (isArrayType(typeOid)) return ANYARRAYOID;
  if (typeOid === 1043) return TEXTOID;
  return typeOid;
}

function findBtreeOps(typeOid: number): SortGroupOperators {
  const hit = sortOpsCache.get(typeOid);
  if (hit !== undefined) return hit;
  const t = opclassType(typeOid);
  const find = (name: string, strategy: number): OperatorInfo | undefined =>
    operatorsByName(name).find((o) => o.oprleft === t && o.oprright === t && o.btreeStrategy === strategy);
  const lt = find('<', 1);
  const eq = find('=', 3) ?? operatorsByName('=').find((o) => o.oprleft === t && o.oprright === t);
  const gt = find('>', 5);
  const r: SortGroupOperators = { ltOpr: lt?.oid ?? 0, eqOpr: eq?.oid ?? 0, gtOpr: gt?.oid ?? 0, hashable: eq?.oprcanhash ?? false };
  sortOpsCache.set(typeOid, r);
  return r;
}

/** get_sort_group_operators: 42883 `could not identify an ordering operator for type json` when a needed one is missing. */
export function getSortGroupOperators(typeOid: number, needLt: boolean, needEq: boolean, needGt: boolean, location: number): SortGroupOperators {
  void location;
  const r = findBtreeOps(typeOid);
  const hint = 'Use an explicit ordering operator or modify the query.';
  if ((needLt && r.ltOpr === 0) || (needGt && r.gtOpr === 0)) {
    throw new PgError(ERR_UNDEFINED_FUNCTION, `could not identify an ordering operator for type ${formatType(typeOid)}`, { hint });
  }
  if (needEq && r.eqOpr === 0) {
    throw new PgError(ERR_UNDEFINED_FUNCTION, `could not identify an equality operator for type ${formatType(typeOid)}`, { hint });
  }
  return r;
}

/** Whether a value of sourceType can be compared with an operator declared for targetType without a cast node (binary coercible). */
export const isBinaryCoercible = (sourceType: number, targetType: number): boolean =>
  sourceType === targetType || findCoercionPathway(targetType, sourceType, 'COERCION_IMPLICIT').kind === 'RELABELTYPE';
