/*
 * datumutils.ts — type guards for Datum values and the errors every input
 * function shares.
 *
 * Exports:
 *   asNumber, asBigInt, asString, asBytes, asBoolean, asInterval
 *                       narrow a Datum to the JS form a type expects, or raise
 *                       an internal error (a caller passed the wrong kind of
 *                       value: a bug, not a user error)
 *   invalidSyntax(typeName, text)     22P02 `invalid input syntax for type T: "x"`
 *   outOfRange(typeName, text)        22003 `value "x" is out of range for type T`
 *
 * PostgreSQL's C functions get a Datum and trust the catalog to have paired
 * them with the right type; TypeScript gets a union, so each type narrows at
 * its boundary instead of casting.
 */

import type { Datum, Interval } from './datum.ts';
import { SQLSTATE, elog, ereport } from '../errors.ts';

function kindOf(v: Datum): string {
  if (v instanceof Uint8Array) return 'Uint8Array';
  if (typeof v === 'object') return 'Interval';
  return typeof v;
}

export function asNumber(v: Datum): number {
  if (typeof v !== 'number') elog(`expected a number datum, got ${kindOf(v)}`);
  return v;
}

export function asBigInt(v: Datum): bigint {
  if (typeof v !== 'bigint') elog(`expected a bigint datum, got ${kindOf(v)}`);
  return v;
}

export function asString(v: Datum): string {
  if (typeof v !== 'string') elog(`expected a string datum, got ${kindOf(v)}`);
  return v;
}

export function asBoolean(v: Datum): boolean {
  if (typeof v !== 'boolean') elog(`expected a boolean datum, got ${kindOf(v)}`);
  return v;
}

export function asBytes(v: Datum): Uint8Array {
  if (!(v instanceof Uint8Array)) elog(`expected a Uint8Array datum, got ${kindOf(v)}`);
  return v;
}

export function isInterval(v: unknown): v is Interval {
  return (
    typeof v === 'object' &&
    v !== null &&
    !(v instanceof Uint8Array) &&
    typeof (v as { months?: unknown }).months === 'number' &&
    typeof (v as { days?: unknown }).days === 'number' &&
    typeof (v as { micros?: unknown }).micros === 'bigint'
  );
}

export function asInterval(v: Datum): Interval {
  if (!isInterval(v)) elog(`expected an Interval datum, got ${kindOf(v)}`);
  return v;
}

export function invalidSyntax(typeName: string, text: string): never {
  return ereport(SQLSTATE.invalid_text_representation, `invalid input syntax for type ${typeName}: "${text}"`);
}

export function outOfRange(typeName: string, text: string): never {
  return ereport(SQLSTATE.numeric_value_out_of_range, `value "${text}" is out of range for type ${typeName}`);
}
