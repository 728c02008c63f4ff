/*
 * fmgrimpl.ts — how the code of a built-in function is registered: an
 * implementation is found by its key (pg_proc.prosrc for internal functions,
 * as PostgreSQL's fmgrtab finds C functions by symbol name) and built once
 * for the pg_proc row that uses it, so one factory serves every signature
 * that shares a C function (int4eq, int48eq, ... or `=` of any two types).
 *
 * Exports:
 *   ScalarImpl, SetImpl, BuiltinImpl, ImplFactory, ImplTable
 *   fixed(fn)              a factory that ignores the signature
 *   set(fn)                the same for a set-returning function
 *
 * Keys: a prosrc name ("int4pl", "textlen"), "sql:name(argoids)" for
 * PostgreSQL functions written in SQL (round(numeric) is `round($1, 0)`),
 * and "cmp:<op>" / "arith:<op>" for the comparison and arithmetic operators
 * of the built-in scalar types, which one generic factory per operator
 * implements from the argument types (genfmgrtab.ts assigns these).
 */

import type { FmgrValue, FunctionCallContext } from './fmgrtypes.ts';

export type ScalarImpl = (args: FmgrValue[], ctx: FunctionCallContext, resultTypmod: number, argTypes?: readonly number[]) => FmgrValue;
export type SetFn = (args: FmgrValue[], ctx: FunctionCallContext, argTypes?: readonly number[]) => Iterable<FmgrValue>;
export interface SetImpl {
  set: SetFn;
}
export type BuiltinImpl = ScalarImpl | SetImpl;

/** Builds the implementation for one pg_proc row from its declared argument and result types. */
export type ImplFactory = (argtypes: readonly number[], rettype: number) => BuiltinImpl;

export type ImplTable = Record<string, ImplFactory>;

export const fixed = (fn: ScalarImpl): ImplFactory => () => fn;
export const set = (fn: SetFn): ImplFactory => () => ({ set: fn });
