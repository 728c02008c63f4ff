/*
 * parse_target.ts — target lists (PostgreSQL's parse_target.c).
 *
 * Exports:
 *   transformTargetList       SELECT / RETURNING / UPDATE SET lists, with `*`
 *                             and `t.*` expanded
 *   transformTargetEntry      one item, named by FigureColname when unnamed
 *   transformExpressionList   VALUES rows and ROW() args (DEFAULT allowed on request)
 *   figureColname             the `?column?` rules: `count`, `case`, `int4`, ...
 *   resolveTargetListUnknowns unknown-typed outputs become text
 *   transformAssignedExpr     coerce a value to its target column (42804 + HINT)
 *   checkInsertTargets        INSERT's column list as attnums
 */

import type { Expr, SetToDefault, TargetEntry } from '../nodes/primnodes.ts';
import type * as raw from './primnodes.ts';
import type { SelectStmt } from './nodes.ts';
import type { RelationInfo } from '../utils/rel.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { formatTypeWithTypmod } from './parse_type.ts';
import { makeConst, makeTargetEntry, makeVar, parserError, type ParseExprKind, type ParseState } from './parse_node.ts';
import { transformAssignmentSubscripts } from './parse_subscript.ts';
import { errorMissingRTE, expandNSItemVars, refnameNamespaceItem } from './parse_relation.ts';
import { coerceExprTo, exprLocationPG, TEXTOID, transformExpr, UNKNOWNOID } from './parse_expr.ts';

/** Whether a raw node is `*` or `t.*`. */
function isStarRef(n: raw.Node | null): n is raw.ColumnRef {
  if (n === null || n.type !== 'ColumnRef') return false;
  const last = n.fields[n.fields.length - 1];
  return last !== undefined && typeof last !== 'string';
}

/** `*` / `t.*` as Vars and names (ExpandColumnRefStar). */
function expandStar(pstate: ParseState, cref: raw.ColumnRef, inTargetList: boolean): { names: string[]; vars: Expr[] } {
  const names: string[] = [];
  const vars: Expr[] = [];
  if (cref.fields.length === 1) {
    // `*`: every item visible for unqualified column access (ExpandAllTables).
    let found = false;
    for (const ns of pstate.namespace) {
      if (!ns.colsVisible || ns.lateralOnly) continue;
      found = true;
      const r = expandNSItemVars(ns, 0, cref.location);
      names.push(...r.names);
      vars.push(...r.vars);
    }
    if (!found) {
      parserError(pstate, '42601', inTargetList ? 'SELECT * with no tables specified is not valid' : 'row expansion via "*" is not supported here', cref.location);
    }
    return { names, vars };
  }
  const quals = cref.fields.slice(0, -1) as string[];
  if (quals.length > 3) parserError(pstate, '42601', `improper qualified name (too many dotted names): ${quals.join('.')}.*`, cref.location);
  const relname = quals[quals.length - 1] as string;
  const schemaname = quals.length >= 2 ? (quals[quals.length - 2] as string) : null;
  const found = refnameNamespaceItem(pstate, schemaname, relname, cref.location);
  if (found === null) errorMissingRTE(pstate, schemaname, relname, cref.location);
  return expandNSItemVars(found.nsitem, found.levelsup, cref.location);
}

export function transformTargetList(pstate: ParseState, targetlist: raw.ResTarget[], exprKind: ParseExprKind): TargetEntry[] {
  const out: TargetEntry[] = [];
  for (const res of targetlist) {
    if (isStarRef(res.val)) {
      const { names, vars } = expandStar(pstate, res.val, true);
      names.forEach((n, i) => out.push(makeTargetEntry(vars[i] as Expr, out.length + 1, n, false)));
      continue;
    }
    const tle = transformTargetEntry(pstate, res.val as raw.Node, null, exprKind, res.name, false);
    tle.resno = out.length + 1;
    out.push(tle);
  }
  return out;
}

export function transformTargetEntry(
  pstate: ParseState,
  node: raw.Node,
  expr: Expr | null,
  exprKind: ParseExprKind,
  colname: string | null,
  resjunk: boolean,
): TargetEntry {
  let e = expr;
  if (e === null) {
    // UPDATE SET a = DEFAULT keeps the placeholder; its type is filled in later.
    if (exprKind === 'EXPR_KIND_UPDATE_SOURCE' && node.type === 'SetToDefault') {
      e = { type: 'SetToDefault', typeId: 0, typeMod: -1, location: node.location };
    } else {
      e = transformExpr(pstate, node, exprKind);
    }
  }
  const name = colname ?? (resjunk ? null : figureColname(node, e));
  return makeTargetEntry(e, 0, name, resjunk);
}

/** VALUES rows and the like: each item transformed; `t.*` expands; DEFAULT kept when allowed. */
export function transformExpressionList(pstate: ParseState, exprlist: raw.Node[], exprKind: ParseExprKind, allowDefault: boolean): Expr[] {
  const out: Expr[] = [];
  for (const n of exprlist) {
    if (isStarRef(n)) {
      out.push(...expandStar(pstate, n, false).vars);
      continue;
    }
    if (allowDefault && n.type === 'SetToDefault') {
      const d: SetToDefault = { type: 'SetToDefault', typeId: 0, typeMod: -1, location: n.location };
      out.push(d);
      continue;
    }
    out.push(transformExpr(pstate, n, exprKind));
  }
  return out;
}

/** resolveTargetListUnknowns: outputs of type unknown become text (PostgreSQL 10+). */
export function resolveTargetListUnknowns(pstate: ParseState, tlist: TargetEntry[]): void {
  for (const tle of tlist) {
    if (exprType(tle.expr) === UNKNOWNOID) {
      tle.expr = coerceExprTo(pstate, tle.expr, TEXTOID, -1, 'COERCION_IMPLICIT', 'COERCE_IMPLICIT_CAST', -1) ?? tle.expr;
    }
  }
}

// ---------------------------------------------------------------------------
// FigureColname.

/** The name PostgreSQL gives an unnamed output column; "?column?" when nothing fits. */
export function figureColname(node: raw.Node, transformed: Expr | null = null): string {
  const r = figureColnameInternal(node, transformed);
  return r.strength > 0 && r.name !== null ? r.name : '?column?';
}

const SVF_NAMES: Record<raw.SQLValueFunctionOp, string> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

function figureColnameInternal(node: raw.Node, transformed: Expr | null): { name: string | null; strength: number } {
  switch (node.type) {
    case 'ColumnRef': {
      const last = node.fields[node.fields.length - 1];
      return typeof last === 'string' ? { name: last, strength: 2 } : { name: null, strength: 0 };
    }
    case 'A_Indirection': {
      for (let i = node.indirection.length - 1; i >= 0; i--) {
        const x = node.indirection[i];
        if (typeof x === 'string') return { name: x, strength: 2 };
      }
      return figureColnameInternal(node.arg, null);
    }
    case 'FuncCall':
      return { name: node.funcname[node.funcname.length - 1] ?? null, strength: 2 };
    case 'A_Expr':
      return node.kind === 'AEXPR_NULLIF' ? { name: 'nullif', strength: 2 } : { name: null, strength: 0 };
    case 'TypeCast': {
      const r = figureColnameInternal(node.arg, null);
      if (r.strength <= 1) {
        const n = node.typeName.names[node.typeName.names.length - 1];
        if (n !== undefined) return { name: n, strength: 1 };
      }
      return r;
    }
    case 'CollateClause':
      return node.arg === null ? { name: null, strength: 0 } : figureColnameInternal(node.arg, null);
    case 'SubLink':
      switch (node.subLinkType) {
        case 'EXISTS_SUBLINK': return { name: 'exists', strength: 2 };
        case 'ARRAY_SUBLINK': return { name: 'array', strength: 2 };
        case 'EXPR_SUBLINK': {
          if (transformed !== null && transformed.type === 'SubLink') {
            const te = transformed.subselect.targetList[0];
            if (te?.resname != null) return { name: te.resname, strength: 2 };
            return { name: null, strength: 0 };
          }
          const n = firstOutputName(node.subselect);
          return n !== null ? { name: n, strength: 2 } : { name: null, strength: 0 };
        }
        default:
          return { name: null, strength: 0 };
      }
    case 'CaseExpr': {
      const r = node.defresult === null ? { name: null, strength: 0 } : figureColnameInternal(node.defresult, null);
      return r.strength <= 1 ? { name: 'case', strength: 1 } : r;
    }
    case 'A_ArrayExpr': return { name: 'array', strength: 2 };
    case 'RowExpr': return { name: 'row', strength: 2 };
    case 'CoalesceExpr': return { name: 'coalesce', strength: 2 };
    case 'MinMaxExpr': return { name: node.op === 'IS_GREATEST' ? 'greatest' : 'least', strength: 2 };
    case 'SQLValueFunction': return { name: SVF_NAMES[node.op], strength: 2 };
    default:
      return { name: null, strength: 0 };
  }
}

/** The first output column's name of a raw sub-SELECT (what its transformed target list would call it). */
function firstOutputName(s: SelectStmt): string | null {
  let sel = s;
  while (sel.op !== 'SETOP_NONE' && sel.larg !== null) sel = sel.larg;
  if (sel.valuesLists.length > 0) return 'column1';
  const first = sel.targetList[0];
  if (first === undefined) return null;
  if (first.name !== null) return first.name;
  if (first.val === null || isStarRef(first.val)) return null;
  return figureColname(first.val);
}

// ---------------------------------------------------------------------------
// INSERT / UPDATE targets.

/** INSERT's column list as [ResTarget, attnum] pairs; all live columns when none was written. */
export function checkInsertTargets(pstate: ParseState, rel: RelationInfo, cols: raw.ResTarget[]): { cols: raw.ResTarget[]; attnos: number[] } {
  if (cols.length === 0) {
    const all: raw.ResTarget[] = [];
    const attnos: number[] = [];
    for (const a of rel.attrs) {
      if (a.attisdropped) continue;
      all.push({ type: 'ResTarget', name: a.attname, indirection: [], val: null, location: -1 });
      attnos.push(a.attnum);
    }
    return { cols: all, attnos };
  }
  const attnos: number[] = [];
  // Several assignments to parts of one column (`(a[1], a[2])`) are allowed; a whole column only once.
  const partial = new Set<number>();
  for (const col of cols) {
    const name = col.name as string;
    const attr = rel.attrs.find((a) => !a.attisdropped && a.attname === name);
    if (attr === undefined) {
      parserError(pstate, '42703', `column "${name}" of relation "${rel.relname}" does not exist`, col.location);
    }
    const whole = attnos.includes(attr.attnum) && !partial.has(attr.attnum);
    if (whole || (col.indirection.length === 0 && attnos.includes(attr.attnum))) {
      parserError(pstate, '42701', `column "${name}" specified more than once`, col.location);
    }
    if (col.indirection.length > 0) partial.add(attr.attnum);
    attnos.push(attr.attnum);
  }
  return { cols, attnos };
}

/**
 * Coerce a value to its target column (transformAssignedExpr). A DEFAULT
 * placeholder takes the column's type; anything else must be assignable
 * (42804 with PostgreSQL's HINT).
 */
export function transformAssignedExpr(pstate: ParseState, rel: RelationInfo, expr: Expr, exprKind: ParseExprKind, colname: string, attrno: number, indirection: unknown[], location: number): Expr {
  const attr = rel.attrs[attrno - 1];
  if (attr === undefined) throw new Error(`invalid attnum ${attrno}`);
  const saved = pstate.exprKind;
  pstate.exprKind = exprKind;
  try {
    if (expr.type === 'SetToDefault') {
      return { ...expr, typeId: attr.atttypid, typeMod: attr.atttypmod };
    }
    if (indirection.length > 0) {
      // The column's current value (UPDATE) or NULL (INSERT) with the parts replaced.
      const base: Expr = pstate.isInsert
        ? makeConst(attr.atttypid, attr.atttypmod, null, true, -1)
        : makeVar(pstate.targetRtindex, attrno, attr.atttypid, attr.atttypmod, 0, location);
      expr = transformAssignmentSubscripts(pstate, base, colname, attr.atttypid, attr.atttypmod, indirection, expr, location);
    }
    const typeId = exprType(expr);
    const r = coerceExprTo(pstate, expr, attr.atttypid, attr.atttypmod, 'COERCION_ASSIGNMENT', 'COERCE_IMPLICIT_CAST', -1);
    if (r === null) {
      parserError(pstate, '42804', `column "${colname}" is of type ${formatTypeWithTypmod(attr.atttypid, -1)} but expression is of type ${formatTypeWithTypmod(typeId, -1)}`, exprLocationPG(expr), {
        hint: 'You will need to rewrite or cast the expression.',
      });
    }
    return r;
  } finally {
    pstate.exprKind = saved;
  }
}
