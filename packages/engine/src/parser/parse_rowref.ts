/*
 * parse_rowref.ts — whole-row references and field selection: `SELECT t
 * FROM t`, `row_to_json(t)`, `t IS NULL`, `(t).a`, `(ROW(1, 2)).f1`
 * (PostgreSQL's transformWholeRowRef in parse_relation.c and the field
 * selection branch of ParseFuncOrColumn in parse_func.c).
 *
 * Exports:
 *   transformWholeRowRef(pstate, nsitem, levelsup, location)
 *   transformFieldSelect(pstate, expr, fieldname, location)
 *
 * Where PostgreSQL makes a whole-row Var (varattno 0) typed with the
 * relation's composite type, tabgres builds the equivalent RowExpr of the
 * item's visible columns, named after them (tables have no composite type
 * in pg_type here, so the value's type is record). It prints, compares and
 * converts to JSON as PostgreSQL's does, and it passes through joins,
 * subqueries and views like any expression. One difference remains: the
 * NULL-extended side of an outer join gives a row of NULLs, `(,)`, where
 * PostgreSQL gives a NULL row (both are `IS NULL`).
 *
 * A field of a row value is taken at analysis time: `(t).a` is t's column
 * a, as PostgreSQL's planner folds it (FieldSelect over a whole-row Var).
 */

import type { Expr, RowExpr } from '../nodes/primnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { RECORDOID } from '../utils/adt/types.ts';
import { parserError, type ParseNamespaceItem, type ParseState } from './parse_node.ts';
import { expandNSItemVars } from './parse_relation.ts';
import { formatTypeWithTypmod } from './parse_type.ts';

/** The range-table alias each whole-row RowExpr stands for, for `column t.x does not exist`. */
const wholeRowAlias = new WeakMap<RowExpr, string>();

export function transformWholeRowRef(pstate: ParseState, ns: ParseNamespaceItem, levelsup: number, location: number): RowExpr {
  const { names, vars } = expandNSItemVars(ns, levelsup, location);
  if (vars.length > 1664) parserError(pstate, '54011', 'ROW expressions can have at most 1664 entries', location);
  const row: RowExpr = {
    type: 'RowExpr',
    args: vars,
    row_typeid: RECORDOID,
    row_format: 'COERCE_IMPLICIT_CAST',
    colnames: names,
    location,
  };
  wholeRowAlias.set(row, ns.names.aliasname);
  return row;
}

export function transformFieldSelect(pstate: ParseState, e: Expr, fieldname: string, location: number): Expr {
  if (e.type === 'RowExpr') {
    const k = e.colnames.indexOf(fieldname);
    if (k < 0) {
      const alias = wholeRowAlias.get(e);
      if (alias !== undefined) return parserError(pstate, '42703', `column ${alias}.${fieldname} does not exist`, location);
      return parserError(pstate, '42703', `could not identify column "${fieldname}" in record data type`, location);
    }
    return e.args[k] as Expr;
  }
  const t = exprType(e);
  if (t === RECORDOID) {
    return parserError(pstate, '42703', `could not identify column "${fieldname}" in record data type`, location);
  }
  return parserError(pstate, '42809', `column notation .${fieldname} applied to type ${formatTypeWithTypmod(t, -1)}, which is not a composite type`, location);
}
