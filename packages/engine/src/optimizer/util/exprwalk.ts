/*
 * exprwalk.ts — generic traversal of analyzed expressions (PostgreSQL's
 * expression_tree_walker / expression_tree_mutator in nodeFuncs.c), used by
 * every planner pass that looks into or rewrites expressions.
 *
 * Exports:
 *   exprChildren(e)        the direct sub-expressions of e
 *   walkExpr(e, fn)        pre-order visit; fn returns true to stop (walker's answer)
 *   mutateExpr(e, fn)      bottom-up copy: fn sees each node after its children
 *                          were rewritten and returns the node to use
 *   mapChildren(e, fn)     a shallow copy of e with each child replaced by fn(child)
 *   equalExpr(a, b)        structural equality ignoring location (equal())
 *   exprKey(e)             a string equal for equal expressions (for maps and sets)
 *
 * SubLink.subselect is not entered (a different query level): callers that
 * need to look into sub-selects do it themselves, as PostgreSQL's walkers do
 * with QTW flags. SubPlan.args and testexpr are entered.
 */

import type { Expr, TargetEntry } from '../../nodes/primnodes.ts';

/** The direct sub-expressions of e, in argument order. */
export function exprChildren(e: Expr): Expr[] {
  switch (e.type) {
    case 'Var': case 'Const': case 'Param': case 'CaseTestExpr': case 'SetToDefault':
    case 'SQLValueFunction': case 'NextValueExpr':
      return [];
    case 'FuncExpr': case 'OpExpr': case 'DistinctExpr': case 'NullIfExpr': case 'ScalarArrayOpExpr':
    case 'BoolExpr': case 'CoalesceExpr': case 'MinMaxExpr':
      return e.args;
    case 'Aggref': {
      const out: Expr[] = e.args.map((t) => t.expr);
      if (e.aggfilter !== null) out.push(e.aggfilter);
      return out;
    }
    case 'WindowFunc':
      return e.aggfilter !== null ? [...e.args, e.aggfilter] : e.args;
    case 'RelabelType': case 'CoerceViaIO':
      return [e.arg];
    case 'ArrayCoerceExpr':
      return [e.arg];
    case 'CaseExpr': {
      const out: Expr[] = [];
      if (e.arg !== null) out.push(e.arg);
      for (const w of e.args) out.push(w.expr, w.result);
      if (e.defresult !== null) out.push(e.defresult);
      return out;
    }
    case 'ArrayExpr': return e.elements;
    case 'RowExpr': return e.args;
    case 'RowCompareExpr': return [...e.largs, ...e.rargs];
    case 'NullTest': case 'BooleanTest': return [e.arg];
    case 'SubLink': return e.testexpr !== null ? [e.testexpr] : [];
    case 'SubPlan': return e.testexpr !== null ? [e.testexpr, ...e.args] : e.args;
    case 'SubscriptingRef': {
      const out: Expr[] = [];
      for (const x of e.refupperindexpr) if (x !== null) out.push(x);
      for (const x of e.reflowerindexpr) if (x !== null) out.push(x);
      out.push(e.refexpr);
      if (e.refassgnexpr !== null) out.push(e.refassgnexpr);
      return out;
    }
  }
}

/** Pre-order walk; stops and returns true as soon as fn returns true. */
export function walkExpr(e: Expr, fn: (e: Expr) => boolean): boolean {
  if (fn(e)) return true;
  for (const c of exprChildren(e)) if (walkExpr(c, fn)) return true;
  return false;
}

/** A shallow copy of e with each direct child replaced by f(child). */
export function mapChildren(e: Expr, f: (c: Expr) => Expr): Expr {
  switch (e.type) {
    case 'Var': case 'Const': case 'Param': case 'CaseTestExpr': case 'SetToDefault':
    case 'SQLValueFunction': case 'NextValueExpr':
      return e;
    case 'FuncExpr': return { ...e, args: e.args.map(f) };
    case 'OpExpr': return { ...e, args: e.args.map(f) };
    case 'DistinctExpr': return { ...e, args: e.args.map(f) };
    case 'NullIfExpr': return { ...e, args: e.args.map(f) };
    case 'ScalarArrayOpExpr': return { ...e, args: e.args.map(f) };
    case 'BoolExpr': return { ...e, args: e.args.map(f) };
    case 'CoalesceExpr': return { ...e, args: e.args.map(f) };
    case 'MinMaxExpr': return { ...e, args: e.args.map(f) };
    case 'Aggref':
      return {
        ...e,
        args: e.args.map((t): TargetEntry => ({ ...t, expr: f(t.expr) })),
        aggfilter: e.aggfilter === null ? null : f(e.aggfilter),
      };
    case 'WindowFunc':
      return { ...e, args: e.args.map(f), aggfilter: e.aggfilter === null ? null : f(e.aggfilter) };
    case 'RelabelType': return { ...e, arg: f(e.arg) };
    case 'CoerceViaIO': return { ...e, arg: f(e.arg) };
    case 'ArrayCoerceExpr': return { ...e, arg: f(e.arg) };
    case 'CaseExpr':
      return {
        ...e,
        arg: e.arg === null ? null : f(e.arg),
        args: e.args.map((w) => ({ ...w, expr: f(w.expr), result: f(w.result) })),
        defresult: e.defresult === null ? null : f(e.defresult),
      };
    case 'ArrayExpr': return { ...e, elements: e.elements.map(f) };
    case 'RowExpr': return { ...e, args: e.args.map(f) };
    case 'RowCompareExpr': return { ...e, largs: e.largs.map(f), rargs: e.rargs.map(f) };
    case 'NullTest': return { ...e, arg: f(e.arg) };
    case 'BooleanTest': return { ...e, arg: f(e.arg) };
    case 'SubLink': return { ...e, testexpr: e.testexpr === null ? null : f(e.testexpr) };
    case 'SubPlan': return { ...e, testexpr: e.testexpr === null ? null : f(e.testexpr), args: e.args.map(f) };
    case 'SubscriptingRef':
      return {
        ...e,
        refupperindexpr: e.refupperindexpr.map((x) => (x === null ? null : f(x))),
        reflowerindexpr: e.reflowerindexpr.map((x) => (x === null ? null : f(x))),
        refexpr: f(e.refexpr),
        refassgnexpr: e.refassgnexpr === null ? null : f(e.refassgnexpr),
      };
  }
}

/**
 * Rewrite top-down: fn is asked first; if it returns a node, that node is
 * used as is (its children are not visited); if it returns undefined, the
 * children are rewritten and the node copied. This is the shape of
 * PostgreSQL's mutators, which handle the nodes they care about and defer
 * to expression_tree_mutator for the rest.
 */
export function mutateExpr(e: Expr, fn: (e: Expr) => Expr | undefined): Expr {
  const r = fn(e);
  if (r !== undefined) return r;
  return mapChildren(e, (c) => mutateExpr(c, fn));
}

/**
 * Structural equality of two expressions (PostgreSQL's equal(), ignoring
 * location): true exactly when exprKey(a) === exprKey(b), but without
 * building either key. Most comparisons the planner makes are between
 * different nodes (a target entry against each column of a child's target
 * list), and those stop at the first differing field, usually `type`.
 */
export function equalExpr(a: Expr, b: Expr): boolean {
  return equalValue(a, b);
}

function equalValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // exprKey writes NaN as "NaN" and both zeros as "0" (=== already covers the zeros).
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalValue(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array || typeof (a as { toJSON?: unknown }).toJSON === 'function' || typeof (b as { toJSON?: unknown }).toJSON === 'function') {
    return valueKey(a) === valueKey(b);
  }
  const oa = a as Record<string, unknown>;
  const ob = b as Record<string, unknown>;
  if (oa.type !== ob.type) return false;
  // Vars are most of what is compared: different columns differ here already.
  if (oa.type === 'Var' && (oa.varattno !== ob.varattno || oa.varno !== ob.varno || oa.varlevelsup !== ob.varlevelsup)) return false;
  let fields = 0;
  for (const k in oa) {
    if (k === 'location') continue;
    const x = oa[k];
    if (x === undefined || typeof x === 'function') continue;
    if (!equalValue(x, ob[k])) return false;
    fields++;
  }
  for (const k in ob) {
    if (k === 'location') continue;
    const y = ob[k];
    if (y === undefined || typeof y === 'function') continue;
    fields--;
  }
  return fields === 0;
}

/**
 * A string that identifies an expression up to location (for equal() and
 * hashing). Built by hand rather than with JSON.stringify and a replacer:
 * the planner keys every target entry, clause and pathkey expression, and
 * the replacer's per-property callback made keying most of the planning
 * time of a simple query. Two expressions get the same key exactly when
 * they have the same properties (other than location and undefined ones)
 * with the same values, in the same order — the order nodes are built in.
 */
export function exprKey(e: Expr): string {
  return valueKey(e);
}

function valueKey(v: unknown): string {
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'number': return String(v);
    case 'boolean': return v ? 't' : 'f';
    case 'bigint': return `${v.toString()}n`;
    case 'undefined': return 'u';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + valueKey(v[i]);
        return `${out}]`;
      }
      if (v instanceof Uint8Array) return `b${v.join(',')}`;
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return `j${valueKey((toJSON as () => unknown).call(v))}`;
      let out = '{';
      const o = v as Record<string, unknown>;
      for (const k in o) {
        if (k === 'location') continue;
        const x = o[k];
        if (x === undefined || typeof x === 'function') continue;
        out += `${k}:${valueKey(x)},`;
      }
      return `${out}}`;
    }
    default: return '';
  }
}
