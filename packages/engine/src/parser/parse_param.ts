/*
 * parse_param.ts — $n parameters (PostgreSQL's parse_param.c, the variable
 * parameters of parse_analyze_varparams).
 *
 * Exports:
 *   transformParamRef      `$n` -> Param, typed from AnalyzeContext.paramTypes
 *                          or unknown (705) until a use decides
 *   isUnknownParam         a Param still waiting for its type
 *   deduceParamType        fix $n's type (the coerce-param hook), 42P08 on conflict
 *   resolveUnknownParams   after operator / function / cast resolution wrapped an
 *                          unknown Param in a coercion, replace it by a Param of
 *                          the target type (the hook's effect)
 *
 * Rule: the first coercion applied to an untyped $n fixes its type for the
 * whole statement; later references are typed from paramTypes at once, as
 * in PostgreSQL. The walk runs only while some $n is untyped
 * (SharedParseState.unknownParams), so ordinary statements pay nothing.
 */

import type { Expr, Param } from '../nodes/primnodes.ts';
import type * as raw from './primnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { formatTypeWithTypmod } from './parse_type.ts';
import { parserError, type ParseState } from './parse_node.ts';

const UNKNOWNOID = 705;
/** Tree walks stop here (expressions are bounded by the analyzer's depth limit anyway). */
const MAX_WALK_DEPTH = 5000;

export function transformParamRef(pstate: ParseState, p: raw.ParamRef): Param {
  const n = p.number;
  if (n <= 0 || n > 65535) parserError(pstate, '42P02', `there is no parameter $${n}`, p.location);
  const t = pstate.paramTypes[n - 1];
  if (t === undefined || t === 0) {
    for (let i = pstate.paramTypes.length; i < n; i++) pstate.paramTypes.push(0);
    pstate.shared.unknownParams = true;
    return { type: 'Param', paramkind: 'PARAM_EXTERN', paramid: n, paramtype: UNKNOWNOID, paramtypmod: -1, location: p.location };
  }
  return { type: 'Param', paramkind: 'PARAM_EXTERN', paramid: n, paramtype: t, paramtypmod: -1, location: p.location };
}

export function isUnknownParam(e: Expr): e is Param {
  return e.type === 'Param' && e.paramkind === 'PARAM_EXTERN' && e.paramtype === UNKNOWNOID;
}

/** Record the type deduced for $n (variable_coerce_param_hook), 42P08 if it conflicts. */
export function deduceParamType(pstate: ParseState, p: Param, typeId: number): Param {
  const n = p.paramid;
  const cur = pstate.paramTypes[n - 1] ?? 0;
  if (cur === 0 || cur === UNKNOWNOID) pstate.paramTypes[n - 1] = typeId;
  else if (cur !== typeId) {
    parserError(pstate, '42P08', `inconsistent types deduced for parameter $${n}`, p.location, {
      detail: `${formatTypeWithTypmod(cur, -1)} versus ${formatTypeWithTypmod(typeId, -1)}`,
    });
  }
  return { type: 'Param', paramkind: 'PARAM_EXTERN', paramid: n, paramtype: typeId, paramtypmod: -1, location: p.location };
}

const COERCION_NODES = new Set(['FuncExpr', 'RelabelType', 'CoerceViaIO']);

/**
 * After operator or function resolution coerced an unknown $n to some type,
 * replace the coercion by a Param of that type (the hook's effect). Only run
 * while unknown Params exist, so ordinary statements pay nothing.
 */
export function resolveUnknownParams<T extends Expr>(pstate: ParseState, e: T): T {
  if (!pstate.shared.unknownParams) return e;
  return fixParams(pstate, e, 0) as T;
}

function fixParams(pstate: ParseState, node: unknown, level: number): unknown {
  if (typeof node !== 'object' || node === null || level > MAX_WALK_DEPTH) return node;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = fixParams(pstate, node[i], level + 1);
    return node;
  }
  const o = node as Record<string, unknown> & { type?: string };
  if (o.type === 'Query') return node;
  if (o.type !== undefined && COERCION_NODES.has(o.type)) {
    const arg = o.type === 'FuncExpr' ? (o.args as Expr[] | undefined)?.[0] : (o.arg as Expr | undefined);
    const single = o.type !== 'FuncExpr' || (o.args as Expr[]).length === 1;
    if (arg !== undefined && single && isUnknownParam(arg) && (o.type !== 'FuncExpr' || o.funcformat === 'COERCE_IMPLICIT_CAST')) {
      return deduceParamType(pstate, arg, exprType(o as unknown as Expr));
    }
  }
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (typeof v === 'object' && v !== null) o[k] = fixParams(pstate, v, level + 1);
  }
  return node;
}

