/*
 * clauses.ts — expression simplification and properties (PostgreSQL's
 * optimizer/util/clauses.c and prep/prepqual.c).
 *
 * Exports:
 *   evalConstExpressions(e)   fold immutable calls with constant arguments,
 *                             simplify AND/OR/NOT with constants, push NOT down
 *   makeAndsImplicit / makeAndsExplicit   Expr <-> list of ANDed clauses
 *   negateClause(e)           NOT e with the NOT pushed down (negate_clause)
 *   containVolatileFunctions(e)
 *   findNonnullableRels(e)    relations a strict clause proves non-null (reduce_outer_joins)
 *   isConstFalseOrNull(e), isConstTrue(e), makeBoolConst, makeNullConst
 *
 * Folding calls FunctionInfo.impl at plan time, as PostgreSQL evaluates
 * immutable functions in eval_const_expressions: an error there (1/0)
 * surfaces while planning, exactly as PostgreSQL reports it.
 */

import type { BoolExpr, Const, Expr } from '../../nodes/primnodes.ts';
import { exprType, exprTypmod } from '../../nodes/nodeFuncs.ts';
import type { FunctionCallContext, FunctionInfo } from '../../utils/fmgr/fmgrtypes.ts';
import { lookupFunctionByOid } from '../../utils/fmgr/fmgrtab.ts';
import { typeByOid } from '../../utils/adt/types.ts';
import { ArrayValue } from '../../utils/adt/array.ts';
import type { Datum } from '../../utils/adt/datum.ts';
import { featureNotSupported } from '../../utils/errors.ts';
import { mapChildren, walkExpr } from './exprwalk.ts';
import { getNegator } from './lsyscache.ts';
import { relidBit, type Relids } from '../pathnodes.ts';

const BOOLOID = 16;

export function makeBoolConst(value: boolean, isnull = false): Const {
  return { type: 'Const', consttype: BOOLOID, consttypmod: -1, constvalue: isnull ? null : value, constisnull: isnull, location: -1 };
}

export function makeNullConst(typ: number, typmod: number): Const {
  return { type: 'Const', consttype: typ, consttypmod: typmod, constvalue: null, constisnull: true, location: -1 };
}

export const isConstTrue = (e: Expr): boolean => e.type === 'Const' && !e.constisnull && e.constvalue === true;
export const isConstFalseOrNull = (e: Expr): boolean => e.type === 'Const' && (e.constisnull || e.constvalue === false);

/** A qual as a list of clauses that are ANDed (make_ands_implicit). */
export function makeAndsImplicit(e: Expr | null): Expr[] {
  const out: Expr[] = [];
  if (e !== null) addAndedClauses(e, out);
  return out;
}

function addAndedClauses(e: Expr, out: Expr[]): void {
  if (e.type === 'BoolExpr' && e.boolop === 'AND_EXPR') {
    for (const a of e.args) addAndedClauses(a, out);
  } else if (!isConstTrue(e)) {
    out.push(e);
  }
}

export function makeAndsExplicit(list: Expr[]): Expr {
  if (list.length === 0) return makeBoolConst(true);
  if (list.length === 1) return list[0];
  return { type: 'BoolExpr', boolop: 'AND_EXPR', args: list, location: -1 };
}

const funcCache = new Map<number, FunctionInfo | null>();
export function getFunction(oid: number): FunctionInfo | null {
  let f = funcCache.get(oid);
  if (f === undefined) {
    try {
      f = lookupFunctionByOid(oid) ?? null;
    } catch {
      f = null;
    }
    funcCache.set(oid, f);
  }
  return f;
}

export function funcIsStrict(oid: number): boolean {
  return getFunction(oid)?.proisstrict ?? true;
}

function funcVolatility(oid: number): 'i' | 's' | 'v' {
  return getFunction(oid)?.provolatile ?? 'v';
}

/** Any volatile function call (or nextval) in e: such expressions must not be duplicated or moved. */
export function containVolatileFunctions(e: Expr): boolean {
  return walkExpr(e, (n) => {
    switch (n.type) {
      case 'FuncExpr': return funcVolatility(n.funcid) === 'v';
      case 'OpExpr': case 'DistinctExpr': case 'NullIfExpr': case 'ScalarArrayOpExpr': return funcVolatility(n.opfuncid) === 'v';
      case 'NextValueExpr': return true;
      default: return false;
    }
  });
}

/** Any non-immutable function in e (contain_mutable_functions): such an expression cannot be an index's comparison value folded at plan time. */
export function containMutableFunctions(e: Expr): boolean {
  return walkExpr(e, (n) => {
    switch (n.type) {
      case 'FuncExpr': return funcVolatility(n.funcid) !== 'i';
      case 'OpExpr': case 'DistinctExpr': case 'NullIfExpr': case 'ScalarArrayOpExpr': return funcVolatility(n.opfuncid) !== 'i';
      case 'NextValueExpr': case 'SQLValueFunction': return true;
      default: return false;
    }
  });
}

/** Plan-time function calls may not touch session state: immutable functions never do. */
const planTimeCallContext: FunctionCallContext = {
  transactionTimestamp: () => featureNotSupported('session state in an immutable function at plan time'),
  statementTimestamp: () => featureNotSupported('session state in an immutable function at plan time'),
  getSetting: () => featureNotSupported('session state in an immutable function at plan time'),
  setSetting: () => featureNotSupported('session state in an immutable function at plan time'),
  nextval: () => featureNotSupported('sequence access at plan time'),
  currval: () => featureNotSupported('sequence access at plan time'),
  setval: () => featureNotSupported('sequence access at plan time'),
  lastval: () => featureNotSupported('sequence access at plan time'),
  regclassIn: () => featureNotSupported('regclass at plan time'),
  regclassOut: () => featureNotSupported('regclass at plan time'),
  backendPid: () => 0,
};

/** Calls an immutable function whose arguments are all Consts; null when it cannot be folded. */
function evaluateFunction(funcid: number, args: Expr[], resultType: number, resultTypmod: number): Expr | null {
  const f = getFunction(funcid);
  if (f === null || f.proretset || f.provolatile !== 'i' || f.impl === undefined) {
    // A strict function with a NULL argument is NULL whatever it is (as long as it is not a set).
    if (f !== null && !f.proretset && f.proisstrict && args.some((a) => a.type === 'Const' && a.constisnull)) {
      return makeNullConst(resultType, resultTypmod);
    }
    return null;
  }
  if (f.proisstrict && args.some((a) => a.type === 'Const' && a.constisnull)) return makeNullConst(resultType, resultTypmod);
  if (!args.every((a) => a.type === 'Const')) return null;
  const values = args.map((a) => (a as Const).constvalue);
  const v = f.impl(values, planTimeCallContext, resultTypmod);
  if (v === null || v === undefined) return makeNullConst(resultType, resultTypmod);
  return { type: 'Const', consttype: resultType, consttypmod: resultTypmod, constvalue: v, constisnull: false, location: -1 };
}

/** NOT e, pushed down through AND/OR, comparisons (negator) and tests (negate_clause). */
export function negateClause(e: Expr): Expr {
  switch (e.type) {
    case 'Const':
      if (e.consttype === BOOLOID) return e.constisnull ? e : makeBoolConst(e.constvalue !== true);
      break;
    case 'OpExpr': {
      const neg = getNegator(e.opno);
      if (neg !== 0) {
        const negFunc = opFuncOf(neg);
        if (negFunc !== 0) return { ...e, opno: neg, opfuncid: negFunc };
      }
      break;
    }
    case 'ScalarArrayOpExpr': {
      const neg = getNegator(e.opno);
      if (neg !== 0) {
        const negFunc = opFuncOf(neg);
        if (negFunc !== 0) return { ...e, opno: neg, opfuncid: negFunc, useOr: !e.useOr };
      }
      break;
    }
    case 'BoolExpr':
      if (e.boolop === 'NOT_EXPR') return e.args[0];
      return { type: 'BoolExpr', boolop: e.boolop === 'AND_EXPR' ? 'OR_EXPR' : 'AND_EXPR', args: e.args.map(negateClause), location: e.location };
    case 'NullTest':
      if (!e.argisrow) return { ...e, nulltesttype: e.nulltesttype === 'IS_NULL' ? 'IS_NOT_NULL' : 'IS_NULL' };
      break;
    case 'BooleanTest': {
      const map = { IS_TRUE: 'IS_NOT_TRUE', IS_NOT_TRUE: 'IS_TRUE', IS_FALSE: 'IS_NOT_FALSE', IS_NOT_FALSE: 'IS_FALSE', IS_UNKNOWN: 'IS_NOT_UNKNOWN', IS_NOT_UNKNOWN: 'IS_UNKNOWN' } as const;
      return { ...e, booltesttype: map[e.booltesttype] };
    }
    default:
      break;
  }
  return { type: 'BoolExpr', boolop: 'NOT_EXPR', args: [e], location: -1 };
}

import { getOperator } from './lsyscache.ts';
const opFuncOf = (opno: number): number => getOperator(opno)?.oprcode ?? 0;

function simplifyBoolArgs(boolop: 'AND_EXPR' | 'OR_EXPR', args: Expr[]): Expr {
  const isAnd = boolop === 'AND_EXPR';
  const out: Expr[] = [];
  let haveNull = false;
  const stack = [...args];
  while (stack.length > 0) {
    const a = stack.shift() as Expr;
    if (a.type === 'BoolExpr' && a.boolop === boolop) {
      stack.unshift(...a.args);
      continue;
    }
    if (a.type === 'Const') {
      if (a.constisnull) {
        haveNull = true;
        continue;
      }
      if (a.constvalue === !isAnd) return makeBoolConst(!isAnd); // FALSE in AND, TRUE in OR decides
      continue; // TRUE in AND, FALSE in OR is a no-op
    }
    out.push(a);
  }
  if (haveNull) out.push(makeBoolConst(false, true));
  if (out.length === 0) return makeBoolConst(isAnd);
  if (out.length === 1) return out[0];
  return { type: 'BoolExpr', boolop, args: out, location: -1 } satisfies BoolExpr;
}

/** The constant-folding pass (eval_const_expressions). Returns a new tree; the input is not changed. */
export function evalConstExpressions(e: Expr): Expr {
  switch (e.type) {
    case 'FuncExpr': {
      const args = e.args.map(evalConstExpressions);
      if (!e.funcretset) {
        const folded = evaluateFunction(e.funcid, args, e.funcresulttype, e.funcresulttypmod);
        if (folded !== null) return folded;
      }
      return { ...e, args };
    }
    case 'OpExpr': {
      const args = e.args.map(evalConstExpressions);
      if (!e.opretset) {
        const folded = evaluateFunction(e.opfuncid, args, e.opresulttype, -1);
        if (folded !== null) return folded;
      }
      return { ...e, args };
    }
    case 'DistinctExpr': {
      const args = e.args.map(evalConstExpressions);
      if (args.every((a) => a.type === 'Const')) {
        const [l, r] = args as Const[];
        if (l.constisnull || r.constisnull) return makeBoolConst(l.constisnull !== r.constisnull);
        const eq = evaluateFunction(e.opfuncid, args, BOOLOID, -1);
        if (eq !== null && eq.type === 'Const' && !eq.constisnull) return makeBoolConst(eq.constvalue !== true);
      }
      return { ...e, args };
    }
    case 'BoolExpr': {
      const args = e.args.map(evalConstExpressions);
      if (e.boolop === 'NOT_EXPR') {
        const a = args[0];
        if (a.type === 'Const') return a.constisnull ? a : makeBoolConst(a.constvalue !== true);
        return negateClause(a);
      }
      return simplifyBoolArgs(e.boolop, args);
    }
    case 'RelabelType': {
      const arg = evalConstExpressions(e.arg);
      if (arg.type === 'Const') return { ...arg, consttype: e.resulttype, consttypmod: e.resulttypmod, location: arg.location };
      if (arg.type === 'RelabelType') return { ...e, arg: arg.arg };
      return { ...e, arg };
    }
    case 'CoerceViaIO': {
      const arg = evalConstExpressions(e.arg);
      if (arg.type === 'Const') {
        if (arg.constisnull) return makeNullConst(e.resulttype, e.resulttypmod);
        const src = typeByOid(arg.consttype);
        const dst = typeByOid(e.resulttype);
        // Text-like types' I/O is immutable; date/time output depends on DateStyle and input on the time zone, so only fold between these.
        if (src !== undefined && dst !== undefined && ioIsImmutable(src.oid) && ioIsImmutable(dst.oid)) {
          const text = src.output(arg.constvalue as never);
          const v = dst.input(text, e.resulttypmod);
          return { type: 'Const', consttype: e.resulttype, consttypmod: e.resulttypmod, constvalue: v, constisnull: false, location: arg.location };
        }
      }
      return { ...e, arg };
    }
    case 'NullTest': {
      const arg = evalConstExpressions(e.arg);
      if (arg.type === 'Const' && !e.argisrow) {
        return makeBoolConst(e.nulltesttype === 'IS_NULL' ? arg.constisnull : !arg.constisnull);
      }
      return { ...e, arg };
    }
    case 'BooleanTest': {
      const arg = evalConstExpressions(e.arg);
      if (arg.type === 'Const') {
        const v = arg.constisnull ? null : arg.constvalue === true;
        switch (e.booltesttype) {
          case 'IS_TRUE': return makeBoolConst(v === true);
          case 'IS_NOT_TRUE': return makeBoolConst(v !== true);
          case 'IS_FALSE': return makeBoolConst(v === false);
          case 'IS_NOT_FALSE': return makeBoolConst(v !== false);
          case 'IS_UNKNOWN': return makeBoolConst(v === null);
          case 'IS_NOT_UNKNOWN': return makeBoolConst(v !== null);
        }
      }
      return { ...e, arg };
    }
    case 'CoalesceExpr': {
      const args: Expr[] = [];
      for (const a0 of e.args) {
        const a = evalConstExpressions(a0);
        if (a.type === 'Const') {
          if (a.constisnull) continue;
          if (args.length === 0) return a;
          args.push(a);
          break;
        }
        args.push(a);
      }
      if (args.length === 0) return makeNullConst(e.coalescetype, exprTypmod(e));
      return { ...e, args };
    }
    case 'CaseExpr': {
      if (e.arg !== null) return mapChildren(e, evalConstExpressions);
      const whens: typeof e.args = [];
      for (const w of e.args) {
        const cond = evalConstExpressions(w.expr);
        if (cond.type === 'Const') {
          if (cond.constisnull || cond.constvalue !== true) continue;
          const result = evalConstExpressions(w.result);
          if (whens.length === 0) return result;
          return { ...e, args: whens, defresult: result };
        }
        whens.push({ ...w, expr: cond, result: evalConstExpressions(w.result) });
      }
      const defresult = e.defresult === null ? makeNullConst(e.casetype, -1) : evalConstExpressions(e.defresult);
      if (whens.length === 0) return defresult;
      return { ...e, args: whens, defresult };
    }
    case 'ArrayExpr': {
      const elements = e.elements.map(evalConstExpressions);
      // ARRAY[1, 2, 3] of constants is itself a constant ('{1,2,3}'::integer[]), as PostgreSQL folds it.
      if (!e.multidims && elements.every((x) => x.type === 'Const')) {
        const values = elements.map((x) => ((x as Const).constisnull ? null : (x as Const).constvalue)) as (Datum | null)[];
        const arr = new ArrayValue(e.element_typeid, values.length === 0 ? [] : [values.length], values.length === 0 ? [] : [1], values);
        return { type: 'Const', consttype: e.array_typeid, consttypmod: -1, constvalue: arr, constisnull: false, location: e.location };
      }
      return { ...e, elements };
    }
    case 'SubLink':
      return { ...e, testexpr: e.testexpr === null ? null : evalConstExpressions(e.testexpr) };
    default:
      return mapChildren(e, evalConstExpressions);
  }
}

const IO_IMMUTABLE = new Set([16, 18, 19, 20, 21, 23, 25, 26, 700, 701, 1042, 1043, 1700, 2950, 17]);
const ioIsImmutable = (oid: number): boolean => IO_IMMUTABLE.has(oid);

/**
 * Relations that must have a non-null row for the clause to be true
 * (find_nonnullable_rels): a strict operator over a Var of rel r fails on
 * the NULL-extended rows an outer join adds for r.
 */
export function findNonnullableRels(e: Expr): Relids {
  switch (e.type) {
    case 'Var':
      return e.varlevelsup === 0 && e.varno > 0 ? relidBit(e.varno) : 0n;
    case 'OpExpr':
    case 'FuncExpr': {
      const fid = e.type === 'OpExpr' ? e.opfuncid : e.funcid;
      if (!funcIsStrict(fid)) return 0n;
      let r = 0n;
      for (const a of e.args) r |= findNonnullableRels(a);
      return r;
    }
    case 'ScalarArrayOpExpr':
      return funcIsStrict(e.opfuncid) ? findNonnullableRels(e.args[0]) : 0n;
    case 'RelabelType': case 'CoerceViaIO':
      return findNonnullableRels(e.arg);
    case 'BoolExpr':
      if (e.boolop === 'AND_EXPR') {
        let r = 0n;
        for (const a of e.args) r |= findNonnullableRels(a);
        return r;
      }
      if (e.boolop === 'OR_EXPR') {
        let r: Relids | null = null;
        for (const a of e.args) r = r === null ? findNonnullableRels(a) : r & findNonnullableRels(a);
        return r ?? 0n;
      }
      return 0n;
    case 'NullTest':
      return e.nulltesttype === 'IS_NOT_NULL' && !e.argisrow ? findNonnullableRels(e.arg) : 0n;
    case 'BooleanTest':
      return e.booltesttype === 'IS_TRUE' || e.booltesttype === 'IS_FALSE' || e.booltesttype === 'IS_NOT_UNKNOWN' ? findNonnullableRels(e.arg) : 0n;
    default:
      return 0n;
  }
}

export { exprType, exprTypmod };
