/*
 * argtypes.ts — the actual type of a polymorphic or "any" argument
 * (PostgreSQL's get_fn_expr_argtype).
 *
 * Exports: argType(types, i, declared, value)
 *
 * The executor passes each call's argument types (FunctionInfo.impl's
 * argTypes, AggregateInfo.trans/final's argTypes). When a caller does not,
 * the declared type is used if it is concrete, and otherwise the type is
 * inferred from the value's JavaScript form (a bigint is int8, a whole
 * number int4, other numbers float8, a string text, an ArrayValue its
 * array type, ...), which is right for everything but the types that
 * share a form (date and oid are numbers, numeric is a string).
 */

import { ArrayValue } from './array.ts';
import { Jsonb } from './jsonb.ts';
import { RecordValue } from './rowtypes.ts';
import { ANYOID, UNKNOWNOID, arrayTypeOf, isPolymorphicType } from './types.ts';
import { isInterval } from './datumutils.ts';

const concrete = (t: number | undefined): t is number => t !== undefined && t !== 0 && t !== ANYOID && !isPolymorphicType(t);

function inferType(v: unknown): number {
  if (typeof v === 'boolean') return 16;
  if (typeof v === 'bigint') return 20;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= 2147483647 ? 23 : 701;
  if (typeof v === 'string') return 25;
  if (v instanceof Uint8Array) return 17;
  if (v instanceof ArrayValue) return arrayTypeOf(v.elemtype);
  if (v instanceof Jsonb) return 3802;
  if (v instanceof RecordValue) return 2249;
  if (isInterval(v)) return 1186;
  return UNKNOWNOID;
}

export function argType(types: readonly number[] | undefined, i: number, declared: number | undefined, value: unknown): number {
  const t = types?.[i];
  if (concrete(t)) return t;
  if (concrete(declared)) return declared;
  return inferType(value);
}
