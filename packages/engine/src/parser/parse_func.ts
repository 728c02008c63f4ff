/*
 * parse_func.ts — function resolution (PostgreSQL's parse_func.c):
 * func_get_detail with variadic and default arguments, casts written as
 * calls (`int4(x)`, `text(x)`), polymorphic argument and result types, and
 * coercion of the arguments to the chosen signature.
 *
 * Exports:
 *   funcGetDetail(funcname, argTypes, hasNamedArgs, location): FuncDetail
 *   makeFuncArgsCoerced(args, actualTypes, declaredArgTypes, location): Expr[]
 *   parseFuncOrColumn(funcname, args, location): Expr   plain calls, with PostgreSQL's 42883 / 42725
 *   funcSignatureText(funcname, argTypes)               "foo(integer, text)" for messages
 *
 * Resolution follows parse_oper.ts's rules (shared funcSelectCandidate):
 * an exact signature first; then a one-argument call named after a type is
 * a cast if the cast is binary or through I/O; then the candidates the
 * arguments coerce to implicitly, narrowed by the tie-breaking rules.
 * Arguments declared "any" are passed with their own type (an unknown
 * literal stays unknown, as PostgreSQL's concat and pg_typeof see it).
 * Arguments matched to a VARIADIC array parameter are packed into an
 * ArrayExpr by makeFuncArgsCoerced.
 */

import type { ArrayExpr, Expr, FuncExpr } from '../nodes/primnodes.ts';
import type { FunctionInfo } from '../utils/fmgr/fmgrtypes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { PgError, SQLSTATE } from '../utils/errors.ts';
import { functionRegistryGeneration, functionsByName } from '../utils/fmgr/fmgrtab.ts';
import {
  ANYARRAYOID, ANYOID, TEXTOID, UNKNOWNOID, arrayTypeOf, formatType, isPolymorphicType, typeByName,
} from '../utils/adt/types.ts';
import { canCoerceType, coerceToTargetType, coerceType, findCoercionPathway, resolvePolymorphicTypes } from './parse_coerce.ts';
import { funcSelectCandidate } from './parse_oper.ts';

export type FuncDetailKind =
  | 'FUNCDETAIL_NORMAL' | 'FUNCDETAIL_AGGREGATE' | 'FUNCDETAIL_WINDOWFUNC' | 'FUNCDETAIL_COERCION'
  | 'FUNCDETAIL_NOTFOUND' | 'FUNCDETAIL_MULTIPLE';

export interface FuncDetail {
  kind: FuncDetailKind;
  funcid: number;
  rettype: number;
  retset: boolean;
  /** The argument types the call's arguments are coerced to (polymorphic types resolved). */
  declaredArgTypes: number[];
  /** The function is VARIADIC and its trailing arguments were packed (or are "any"). */
  variadic: boolean;
  /** How many arguments matched the VARIADIC parameter. */
  nvargs: number;
}

/** Packing instructions for a variadic call, keyed by the declaredArgTypes array funcGetDetail returned. */
const variadicPacking = new WeakMap<number[], { first: number; elemType: number; arrayType: number }>();

const notFound = (): FuncDetail => ({ kind: 'FUNCDETAIL_NOTFOUND', funcid: 0, rettype: 0, retset: false, declaredArgTypes: [], variadic: false, nvargs: 0 });

interface Candidate {
  f: FunctionInfo;
  /** Declared types lined up with the call's arguments (variadic expanded, defaults dropped). */
  args: number[];
  nvargs: number;
}

function candidatesFor(name: string, nargs: number): Candidate[] {
  const out: Candidate[] = [];
  for (const f of functionsByName(name)) {
    const n = f.proargtypes.length;
    if (n === nargs) {
      out.push({ f, args: f.proargtypes, nvargs: f.provariadic !== 0 ? 1 : 0 });
      // A variadic function may also be called with one element in place of the array.
      if (f.provariadic !== 0 && f.provariadic !== ANYOID) {
        out.push({ f, args: [...f.proargtypes.slice(0, n - 1), f.provariadic], nvargs: 1 });
      }
      continue;
    }
    if (f.provariadic !== 0 && nargs >= n) {
      const elem = f.provariadic;
      out.push({ f, args: [...f.proargtypes.slice(0, n - 1), ...new Array<number>(nargs - n + 1).fill(elem)], nvargs: nargs - n + 1 });
      continue;
    }
    if (f.pronargdefaults > 0 && nargs < n && nargs >= n - f.pronargdefaults) {
      out.push({ f, args: f.proargtypes.slice(0, nargs), nvargs: 0 });
    }
  }
  return out;
}

function funcNameAsType(funcname: string[]): number {
  const name = funcname[funcname.length - 1];
  if (funcname.length > 1 && funcname[0] !== 'pg_catalog') return 0;
  return typeByName(name)?.oid ?? 0;
}

/**
 * Calls already resolved, by name and argument types (what PostgreSQL's
 * syscache lookups of pg_proc make cheap for it): every `count(*)` or
 * `avg(b)` of a statement otherwise lists, filters and ranks the
 * candidates again. The answer depends only on the function registry and
 * on the built-in types and casts, which do not change while the process
 * runs except when a function is registered (the registry's generation
 * then drops the cache). Only calls whose argument types are all built-in
 * (OID below FirstNormalObjectId) and that resolved to a function are kept;
 * failures and casts written as calls are resolved every time.
 */
const FIRST_NORMAL_OBJECT_ID = 16384;
const FUNC_CACHE_MAX = 4096;
const funcCache = new Map<string, FuncDetail>();
let funcCacheGeneration = -1;

/** `<name length>:<name>,<type>,<type>...`: the length keeps a quoted name holding "," or digits from reading as arguments. */
function funcCacheKey(name: string, argTypes: readonly number[]): string | null {
  let key = `${name.length}:${name}`;
  for (let i = 0; i < argTypes.length; i++) {
    const t = argTypes[i];
    if (t >= FIRST_NORMAL_OBJECT_ID) return null;
    key += `,${t}`;
  }
  return key;
}

export function funcGetDetail(funcname: string[], argTypes: number[], hasNamedArgs: boolean, location: number): FuncDetail {
  if (hasNamedArgs) throw new PgError(SQLSTATE.feature_not_supported, 'named arguments in function calls are not supported');
  if (funcname.length > 1 && funcname[0] !== 'pg_catalog') return notFound();
  const name = funcname[funcname.length - 1];
  const key = funcCacheKey(name, argTypes);
  if (key !== null) {
    const generation = functionRegistryGeneration();
    if (generation !== funcCacheGeneration) {
      funcCache.clear();
      funcCacheGeneration = generation;
    }
    const hit = funcCache.get(key);
    if (hit !== undefined) return { ...hit };
  }
  const d = resolveFuncDetail(funcname, name, argTypes, location);
  if (key !== null && (d.kind === 'FUNCDETAIL_NORMAL' || d.kind === 'FUNCDETAIL_AGGREGATE' || d.kind === 'FUNCDETAIL_WINDOWFUNC')) {
    if (funcCache.size >= FUNC_CACHE_MAX) funcCache.clear();
    funcCache.set(key, { ...d });
  }
  return d;
}

/** func_get_detail proper (funcGetDetail without its cache). */
function resolveFuncDetail(funcname: string[], name: string, argTypes: number[], location: number): FuncDetail {
  void location;
  const cands = candidatesFor(name, argTypes.length);

  let chosen: Candidate | undefined = cands.find((c) => c.args.every((t, i) => t === argTypes[i]));
  if (chosen === undefined) {
    // A call named after a type with one argument is a cast when the cast is binary or through text.
    if (argTypes.length === 1) {
      const target = funcNameAsType(funcname);
      if (target !== 0) {
        const source = argTypes[0];
        const path = source === UNKNOWNOID ? 'COERCEVIAIO' : findCoercionPathway(target, source, 'COERCION_EXPLICIT').kind;
        if (path === 'RELABELTYPE' || path === 'COERCEVIAIO') {
          return { kind: 'FUNCDETAIL_COERCION', funcid: 0, rettype: target, retset: false, declaredArgTypes: [source], variadic: false, nvargs: 0 };
        }
      }
    }
    const viable = cands.filter((c) => canCoerceType(argTypes, c.args, 'COERCION_IMPLICIT'));
    const best = funcSelectCandidate(argTypes, viable, (c) => c.args);
    if (best.length === 0) return notFound();
    if (best.length > 1) {
      // The same function reached two ways (array or element for a variadic parameter) is one candidate.
      const oids = new Set(best.map((c) => c.f.oid));
      if (oids.size > 1) return { ...notFound(), kind: 'FUNCDETAIL_MULTIPLE' };
    }
    chosen = best[0];
  }
  const f = chosen.f;
  // Resolve polymorphic declarations from the actual argument types.
  let declared = chosen.args.map((t, i) => (t === ANYOID ? argTypes[i] : t));
  let rettype = f.prorettype;
  if (declared.some(isPolymorphicType) || isPolymorphicType(rettype)) {
    const r = resolvePolymorphicTypes(argTypes, declared);
    if (r === null) return notFound();
    if ((r.elemFamily && r.elem === 0) || (isPolymorphicType(rettype) && r.elem === 0 && r.compat === 0)) {
      throw new PgError('42804', 'could not determine polymorphic type because input has type unknown');
    }
    const mapOne = (t: number, elem: number): number => {
      if (t === 2283 || t === 2776) return elem;
      if (t === ANYARRAYOID) return arrayTypeOf(elem);
      return t;
    };
    const compat = r.compat !== 0 ? r.compat : r.elem;
    const map = (t: number): number => {
      if (t === 5077 || t === 5079) return compat;
      if (t === 5078) return arrayTypeOf(compat);
      return mapOne(t, r.elem !== 0 ? r.elem : compat);
    };
    declared = declared.map(map);
    rettype = map(rettype);
    if (rettype === 0) rettype = TEXTOID;
  }
  const variadicArray = f.provariadic !== 0 && f.provariadic !== ANYOID && chosen.args !== f.proargtypes;
  if (variadicArray) {
    const first = f.proargtypes.length - 1;
    const elemType = declared[first] ?? f.provariadic;
    variadicPacking.set(declared, { first, elemType, arrayType: arrayTypeOf(elemType) });
  }
  const kind: FuncDetailKind = f.prokind === 'a' ? 'FUNCDETAIL_AGGREGATE' : f.prokind === 'w' ? 'FUNCDETAIL_WINDOWFUNC' : 'FUNCDETAIL_NORMAL';
  return {
    kind,
    funcid: f.oid,
    rettype,
    retset: f.proretset,
    declaredArgTypes: declared,
    variadic: f.provariadic !== 0 && chosen.nvargs > 0 && f.provariadic === ANYOID ? false : variadicArray,
    nvargs: chosen.nvargs,
  };
}

/** make_fn_arguments: each argument coerced to its declared type; VARIADIC array arguments packed into an ArrayExpr. */
export function makeFuncArgsCoerced(args: Expr[], actualTypes: number[], declaredArgTypes: number[], location: number): Expr[] {
  const coerced = args.map((a, i) => {
    const d = declaredArgTypes[i];
    const t = actualTypes[i];
    if (d === undefined || d === t || d === ANYOID) return a;
    return coerceType(a, t, d, -1, 'COERCION_IMPLICIT', 'COERCE_IMPLICIT_CAST', -1);
  });
  const pack = variadicPacking.get(declaredArgTypes);
  if (pack === undefined) return coerced;
  const elements = coerced.slice(pack.first);
  const arr: ArrayExpr = {
    type: 'ArrayExpr', array_typeid: pack.arrayType, element_typeid: pack.elemType, elements, multidims: false, location,
  };
  return [...coerced.slice(0, pack.first), arr];
}

export function funcSignatureText(funcname: string[], argTypes: number[]): string {
  return `${funcname.join('.')}(${argTypes.map((t) => formatType(t)).join(', ')})`;
}

/** ParseFuncOrColumn for a plain call: a FuncExpr, or a cast node for `int4(x)`-style casts. */
export function parseFuncOrColumn(funcname: string[], args: Expr[], location: number): Expr {
  const argTypes = args.map((a) => exprType(a));
  const d = funcGetDetail(funcname, argTypes, false, location);
  switch (d.kind) {
    case 'FUNCDETAIL_NOTFOUND':
      throw new PgError('42883', `function ${funcSignatureText(funcname, argTypes)} does not exist`, {
        hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
      });
    case 'FUNCDETAIL_MULTIPLE':
      throw new PgError('42725', `function ${funcSignatureText(funcname, argTypes)} is not unique`, {
        hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
      });
    case 'FUNCDETAIL_COERCION': {
      const r = coerceToTargetType(args[0], argTypes[0], d.rettype, -1, 'COERCION_EXPLICIT', 'COERCE_EXPLICIT_CALL', location);
      if (r === null) throw new PgError('42846', `cannot cast type ${formatType(argTypes[0])} to ${formatType(d.rettype)}`);
      return r;
    }
    case 'FUNCDETAIL_AGGREGATE':
    case 'FUNCDETAIL_WINDOWFUNC':
      throw new PgError(SQLSTATE.feature_not_supported, `${funcname.join('.')} is an aggregate or window function; the analyzer builds those calls`);
    default: {
      const expr: FuncExpr = {
        type: 'FuncExpr', funcid: d.funcid, funcresulttype: d.rettype, funcresulttypmod: -1, funcretset: d.retset,
        funcvariadic: false, funcformat: 'COERCE_EXPLICIT_CALL', args: makeFuncArgsCoerced(args, argTypes, d.declaredArgTypes, location),
        location,
      };
      return expr;
    }
  }
}
