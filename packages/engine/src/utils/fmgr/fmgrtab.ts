/*
 * fmgrtab.ts — the registry of built-in functions, operators, aggregates and
 * casts (PostgreSQL's fmgrtab plus the pg_proc, pg_operator, pg_aggregate and
 * pg_cast rows initdb loads).
 *
 * Exports:
 *   lookupFunctionByOid(oid)       FunctionInfo (XX000 if absent: OIDs come from the catalogs)
 *   functionsByName(name)          every FunctionInfo with that proname ([] if none)
 *   lookupOperatorByOid(oid)       OperatorInfo
 *   operatorsByName(name)          every OperatorInfo with that oprname
 *   lookupAggregate(aggfnoid)      AggregateInfo
 *   lookupCast(source, target)     CastInfo | undefined
 *   allFunctions(), allOperators(), allCasts(), allAggregates()
 *   registerBuiltin(info)          adds a function (another folder's, e.g. pg_stat_*)
 *   registerAggregate(info)        adds an aggregate's code
 *   findFunctionOid(name, argtypes) / findOperatorOid(name, left, right)   exact-signature lookups
 *   functionRegistryGeneration()   changes when a function is added (for caches of resolved calls)
 *
 * The rows come from pg_catalog_data.ts (generated from PostgreSQL's own
 * catalogs by genfmgrtab.ts, so OIDs match PostgreSQL's); the code of each
 * function is found by its implementation key in builtins.ts. The maps are
 * built once, on first use, so importing the engine stays cheap.
 *
 * Window functions (row_number, rank, dense_rank, percent_rank, cume_dist,
 * ntile, lag, lead, first_value, last_value, nth_value) are registered as
 * prokind 'w' rows without impl: they need the partition and frame, so the
 * executor (nodeWindowAgg) implements them by name.
 */

import type { AggregateInfo, CastInfo, FunctionInfo, OperatorInfo } from './fmgrtypes.ts';
import { PG_AGGREGATE, PG_CAST, PG_OPERATOR, PG_PROC } from './pg_catalog_data.ts';
import { BUILTIN_IMPLS } from './builtins.ts';
import { AGGREGATE_IMPLS } from '../adt/aggregates.ts';
import { elog } from '../errors.ts';

interface Registry {
  functions: Map<number, FunctionInfo>;
  functionsByName: Map<string, FunctionInfo[]>;
  operators: Map<number, OperatorInfo>;
  operatorsByName: Map<string, OperatorInfo[]>;
  aggregates: Map<number, AggregateInfo>;
  casts: Map<number, CastInfo>;
  castList: CastInfo[];
}

let registry: Registry | null = null;
/** Registrations made before the registry was first built are replayed into it. */
const pendingFunctions: FunctionInfo[] = [];
const pendingAggregates: AggregateInfo[] = [];

/** Casts are keyed by source * 2^20 + target, one number per pair: every type OID here is below 2^20. */
const castKey = (source: number, target: number): number => source * 1048576 + target;

/** Bumped by every function added after the registry was built (caches of resolved calls compare it). */
let functionGeneration = 0;

/** Changes whenever the set of functions does (parse_func.ts's cache of resolved calls checks it). */
export const functionRegistryGeneration = (): number => functionGeneration;

function addFunction(r: Registry, f: FunctionInfo): void {
  functionGeneration++;
  r.functions.set(f.oid, f);
  const list = r.functionsByName.get(f.proname);
  if (list === undefined) r.functionsByName.set(f.proname, [f]);
  else {
    const i = list.findIndex((x) => x.oid === f.oid);
    if (i >= 0) list[i] = f;
    else list.push(f);
  }
}

function build(): Registry {
  const r: Registry = {
    functions: new Map(),
    functionsByName: new Map(),
    operators: new Map(),
    operatorsByName: new Map(),
    aggregates: new Map(),
    casts: new Map(),
    castList: [],
  };
  for (const [oid, proname, prokind, args, ret, retset, strict, vol, ndefaults, variadic, key, names, allargs, modes] of PG_PROC) {
    const f: FunctionInfo = {
      oid,
      proname,
      prokind,
      proargtypes: args,
      prorettype: ret,
      provariadic: variadic,
      proretset: retset === 1,
      proisstrict: strict === 1,
      provolatile: vol,
      pronargdefaults: ndefaults,
    };
    if (names !== null) f.proargnames = names;
    if (allargs !== null) f.proallargtypes = allargs;
    if (modes !== null) f.proargmodes = modes;
    if (prokind === 'f') {
      const factory = BUILTIN_IMPLS[key];
      if (factory === undefined) elog(`no implementation "${key}" for function ${proname} (${oid})`);
      const impl = factory(args, ret);
      if (typeof impl === 'function') f.impl = impl;
      else f.implSet = impl.set;
    }
    addFunction(r, f);
    if (prokind === 'a') {
      const agg = AGGREGATE_IMPLS[key];
      if (agg !== undefined) r.aggregates.set(oid, { ...agg(args, ret), aggfnoid: oid });
    }
  }
  for (const [aggfnoid, transtype, sortop] of PG_AGGREGATE) {
    const a = r.aggregates.get(aggfnoid);
    if (a !== undefined) r.aggregates.set(aggfnoid, { ...a, aggtranstype: transtype, aggsortop: sortop });
  }
  for (const [oid, name, kind, left, right, result, code, com, negate, merge, hash, rest, join, strategy, btreeType] of PG_OPERATOR) {
    const o: OperatorInfo = {
      oid,
      oprname: name,
      oprkind: kind,
      oprleft: left,
      oprright: right,
      oprresult: result,
      oprcode: code,
      oprcom: com,
      oprnegate: negate,
      oprcanmerge: merge === 1,
      oprcanhash: hash === 1,
      btreeStrategy: strategy as OperatorInfo['btreeStrategy'],
      btreeType,
      oprrest: rest === '-' ? '' : rest,
      oprjoin: join === '-' ? '' : join,
    };
    r.operators.set(oid, o);
    const list = r.operatorsByName.get(name);
    if (list === undefined) r.operatorsByName.set(name, [o]);
    else list.push(o);
  }
  for (const [source, target, func, context, method] of PG_CAST) {
    const c: CastInfo = { castsource: source, casttarget: target, castfunc: func, castcontext: context, castmethod: method };
    r.casts.set(castKey(source, target), c);
    r.castList.push(c);
  }
  for (const f of pendingFunctions) addFunction(r, f);
  for (const a of pendingAggregates) r.aggregates.set(a.aggfnoid, a);
  return r;
}

function reg(): Registry {
  if (registry === null) registry = build();
  return registry;
}

export function lookupFunctionByOid(oid: number): FunctionInfo {
  const f = reg().functions.get(oid);
  if (f === undefined) elog(`cache lookup failed for function ${oid}`);
  return f;
}

/** The function with that OID, or undefined (for callers that probe). */
export const findFunctionByOid = (oid: number): FunctionInfo | undefined => reg().functions.get(oid);

const NO_FUNCTIONS: readonly FunctionInfo[] = [];
const NO_OPERATORS: readonly OperatorInfo[] = [];

export function functionsByName(name: string): FunctionInfo[] {
  return (reg().functionsByName.get(name) ?? NO_FUNCTIONS) as FunctionInfo[];
}

export function lookupOperatorByOid(oid: number): OperatorInfo {
  const o = reg().operators.get(oid);
  if (o === undefined) elog(`cache lookup failed for operator ${oid}`);
  return o;
}

export function operatorsByName(name: string): OperatorInfo[] {
  return (reg().operatorsByName.get(name) ?? NO_OPERATORS) as OperatorInfo[];
}

export function lookupAggregate(aggfnoid: number): AggregateInfo {
  const a = reg().aggregates.get(aggfnoid);
  if (a === undefined) elog(`cache lookup failed for aggregate ${aggfnoid}`);
  return a;
}

export function lookupCast(source: number, target: number): CastInfo | undefined {
  return reg().casts.get(castKey(source, target));
}

export const allFunctions = (): FunctionInfo[] => [...reg().functions.values()];
export const allOperators = (): OperatorInfo[] => [...reg().operators.values()];
export const allCasts = (): CastInfo[] => reg().castList.slice();
export const allAggregates = (): AggregateInfo[] => [...reg().aggregates.values()];

/**
 * Adds (or replaces, by OID) a built-in function: for code outside this
 * folder that owns a function (tcop's pg_stat_* functions). Call it at module
 * load, before the catalogs are bootstrapped, so pg_proc gets the row.
 */
export function registerBuiltin(info: FunctionInfo): void {
  if (registry === null) pendingFunctions.push(info);
  else addFunction(registry, info);
}

export function registerAggregate(info: AggregateInfo): void {
  if (registry === null) pendingAggregates.push(info);
  else registry.aggregates.set(info.aggfnoid, info);
}

/** The OID of the function with exactly these argument types, or 0. */
export function findFunctionOid(name: string, argtypes: readonly number[]): number {
  for (const f of functionsByName(name)) {
    if (f.proargtypes.length === argtypes.length && f.proargtypes.every((t, i) => t === argtypes[i])) return f.oid;
  }
  return 0;
}

/** The OID of the operator with exactly these operand types (left 0 for a prefix operator), or 0. */
export function findOperatorOid(name: string, left: number, right: number): number {
  for (const o of operatorsByName(name)) if (o.oprleft === left && o.oprright === right) return o.oid;
  return 0;
}
