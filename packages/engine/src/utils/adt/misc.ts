/*
 * misc.ts — session and system functions (PostgreSQL's misc.c, guc.c's
 * SQL functions, sequence.c's, uuid.c's generator) and the integer/numeric
 * generate_series.
 *
 * Exports: MISC_FUNCS (ImplTable keyed by prosrc).
 *
 * Everything that needs the session (settings, sequences, relation names,
 * the backend's pid) goes through FunctionCallContext, which tcop provides.
 */

import type { ImplTable } from '../fmgr/fmgrimpl.ts';
import { fixed, set } from '../fmgr/fmgrimpl.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { formatType } from './types.ts';
import { numericAdd, numericFromInt } from './numericarith.ts';
import { numericCmp } from './numeric.ts';

/** version()'s text: the PostgreSQL release this project follows, and what it is. */
export const VERSION_STRING = 'PostgreSQL 18.0 (tabgres) on wasm32/javascript, compiled by TypeScript';

function randomUuid(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function* seriesInt(start: number, stop: number, step: number): Iterable<number> {
  if (step === 0) ereport(SQLSTATE.invalid_parameter_value, 'step size cannot equal zero');
  if (step > 0) for (let i = start; i <= stop; i += step) yield i;
  else for (let i = start; i >= stop; i += step) yield i;
}

function* seriesInt8(start: bigint, stop: bigint, step: bigint): Iterable<bigint> {
  if (step === 0n) ereport(SQLSTATE.invalid_parameter_value, 'step size cannot equal zero');
  if (step > 0n) for (let i = start; i <= stop; i += step) yield i;
  else for (let i = start; i >= stop; i += step) yield i;
}

function* seriesNumeric(start: string, stop: string, step: string): Iterable<string> {
  for (const [v, what] of [[start, 'start'], [stop, 'stop'], [step, 'step size']] as const) {
    if (v === 'NaN') ereport(SQLSTATE.invalid_parameter_value, `${what} value cannot be NaN`);
    if (v === 'Infinity' || v === '-Infinity') ereport(SQLSTATE.invalid_parameter_value, `${what} value cannot be infinity`);
  }
  const dir = numericCmp(step, '0');
  if (dir === 0) ereport(SQLSTATE.invalid_parameter_value, 'step size cannot equal zero');
  for (let v = start; dir > 0 ? numericCmp(v, stop) <= 0 : numericCmp(v, stop) >= 0; v = numericAdd(v, step)) yield v;
}

export const MISC_FUNCS: ImplTable = {
  pgsql_version: fixed(() => VERSION_STRING),
  pg_typeof: fixed((_a, _c, _t, types) => types?.[0] ?? ereport(SQLSTATE.internal_error, 'pg_typeof needs its argument type')),
  show_config_by_name: fixed((a, ctx) => ctx.getSetting(a[0] as string, false)),
  show_config_by_name_missing_ok: fixed((a, ctx) => ctx.getSetting(a[0] as string, a[1] as boolean)),
  set_config_by_name: fixed((a, ctx) => {
    if (a[0] === null) ereport(SQLSTATE.invalid_parameter_value, 'SET requires parameter name');
    const value = a[1] === null ? 'DEFAULT' : (a[1] as string);
    ctx.setSetting(a[0] as string, value, a[2] === true);
    return ctx.getSetting(a[0] as string, false);
  }),
  nextval_oid: fixed((a, ctx) => ctx.nextval(a[0] as number)),
  currval_oid: fixed((a, ctx) => ctx.currval(a[0] as number)),
  setval_oid: fixed((a, ctx) => ctx.setval(a[0] as number, a[1] as bigint, true)),
  setval3_oid: fixed((a, ctx) => ctx.setval(a[0] as number, a[1] as bigint, a[2] as boolean)),
  lastval: fixed((_a, ctx) => ctx.lastval()),
  pg_backend_pid: fixed((_a, ctx) => ctx.backendPid()),
  text_regclass: fixed((a, ctx) => ctx.regclassIn(a[0] as string)),
  gen_random_uuid: fixed(() => randomUuid()),
  format_type: fixed((a) => (a[0] === null ? null : formatType(a[0] as number, a[1] === null ? -1 : (a[1] as number)))),

  generate_series_int4: set((a) => seriesInt(a[0] as number, a[1] as number, 1)),
  generate_series_step_int4: set((a) => seriesInt(a[0] as number, a[1] as number, a[2] as number)),
  generate_series_int8: set((a) => seriesInt8(a[0] as bigint, a[1] as bigint, 1n)),
  generate_series_step_int8: set((a) => seriesInt8(a[0] as bigint, a[1] as bigint, a[2] as bigint)),
  generate_series_numeric: set((a) => seriesNumeric(a[0] as string, a[1] as string, numericFromInt(1))),
  generate_series_step_numeric: set((a) => seriesNumeric(a[0] as string, a[1] as string, a[2] as string)),
};
