/*
 * nodeFuncs.ts — generic questions about analyzed expressions
 * (PostgreSQL's nodeFuncs.c): the type and typmod an expression returns.
 *
 * Every component that builds or reads expressions (analyzer, planner,
 * executor, EXPLAIN) asks these instead of switching on node types itself.
 */

import type { Expr } from './primnodes.ts';

const BOOLOID = 16;
const INT8OID = 20;
const RECORDOID = 2249;

/** The type OID an expression's value has. */
export function exprType(e: Expr): number {
  switch (e.type) {
    case 'Var': return e.vartype;
    case 'Const': return e.consttype;
    case 'Param': return e.paramtype;
    case 'CaseTestExpr': return e.typeId;
    case 'SetToDefault': return e.typeId;
    case 'FuncExpr': return e.funcresulttype;
    case 'OpExpr': return e.opresulttype;
    case 'DistinctExpr': return BOOLOID;
    case 'NullIfExpr': return exprType(e.args[0] as Expr);
    case 'ScalarArrayOpExpr': return BOOLOID;
    case 'BoolExpr': return BOOLOID;
    case 'Aggref': return e.aggtype;
    case 'WindowFunc': return e.wintype;
    case 'RelabelType': return e.resulttype;
    case 'CoerceViaIO': return e.resulttype;
    case 'ArrayCoerceExpr': return e.resulttype;
    case 'CaseExpr': return e.casetype;
    case 'ArrayExpr': return e.array_typeid;
    case 'RowExpr': return e.row_typeid;
    case 'RowCompareExpr': return BOOLOID;
    case 'CoalesceExpr': return e.coalescetype;
    case 'MinMaxExpr': return e.minmaxtype;
    case 'SQLValueFunction': return e.resulttype;
    case 'NullTest': return BOOLOID;
    case 'BooleanTest': return BOOLOID;
    case 'NextValueExpr': return e.typeId;
    case 'SubscriptingRef': return e.refrestype;
    case 'SubLink':
    case 'SubPlan':
      return subqueryResultType(e);
  }
}

function subqueryResultType(e: Extract<Expr, { type: 'SubLink' | 'SubPlan' }>): number {
  switch (e.subLinkType) {
    case 'EXISTS_SUBLINK':
    case 'ALL_SUBLINK':
    case 'ANY_SUBLINK':
    case 'ROWCOMPARE_SUBLINK':
      return BOOLOID;
    case 'MULTIEXPR_SUBLINK':
      return RECORDOID;
    case 'EXPR_SUBLINK':
    case 'CTE_SUBLINK':
    case 'ARRAY_SUBLINK': {
      if (e.type === 'SubPlan') return e.subLinkType === 'ARRAY_SUBLINK' ? arrayTypeOfSubPlan(e.firstColType) : e.firstColType;
      const tle = e.subselect.targetList.find((t) => !t.resjunk);
      if (tle === undefined) return INT8OID; // unreachable: the analyzer requires one column
      const t = exprType(tle.expr);
      return e.subLinkType === 'ARRAY_SUBLINK' ? arrayTypeOfSubPlan(t) : t;
    }
  }
}

/**
 * The array type of an element type, for ARRAY(SELECT ...). The registry of
 * array types lives in utils/adt; this hook is set by it so nodes/ stays free
 * of type knowledge.
 */
let arrayTypeLookup: (elemType: number) => number = () => 0;
export function setArrayTypeLookup(fn: (elemType: number) => number): void {
  arrayTypeLookup = fn;
}
function arrayTypeOfSubPlan(elemType: number): number {
  return arrayTypeLookup(elemType);
}

/** The typmod of an expression's value, -1 when it has none or it cannot be known. */
export function exprTypmod(e: Expr): number {
  switch (e.type) {
    case 'Var': return e.vartypmod;
    case 'Const': return e.consttypmod;
    case 'Param': return e.paramtypmod;
    case 'CaseTestExpr': return e.typeMod;
    case 'SetToDefault': return e.typeMod;
    case 'FuncExpr': return e.funcresulttypmod;
    case 'RelabelType': return e.resulttypmod;
    case 'CoerceViaIO': return e.resulttypmod;
    case 'ArrayCoerceExpr': return e.resulttypmod;
    case 'SQLValueFunction': return e.typmod;
    case 'SubscriptingRef': return e.reftypmod;
    case 'SubPlan': return e.subLinkType === 'EXPR_SUBLINK' ? e.firstColTypmod : -1;
    default: return -1;
  }
}

/** Where an expression starts in the query text (exprLocation), -1 if unknown. */
export function exprLocation(e: Expr): number {
  return 'location' in e ? e.location : -1;
}
