/*
 * builtins.ts — every built-in function's code, by implementation key
 * (fmgrimpl.ts): the union of the tables the files in utils/adt export,
 * PostgreSQL's fmgr_builtins[] array.
 *
 * Exports:
 *   BUILTIN_IMPLS       ImplTable
 *   WINDOW_FUNCTIONS    the window functions registered as prokind 'w'
 *                       rows without code (the executor implements them)
 */

import type { ImplTable } from './fmgrimpl.ts';
import { OP_FUNCS } from '../adt/opfuncs.ts';
import { STRING_FUNCS } from '../adt/varlena.ts';
import { DATETIME_FUNCS } from '../adt/datetimefuncs.ts';
import { ARRAY_FUNCS } from '../adt/arrayfuncs.ts';
import { JSON_FUNCS } from '../adt/jsonfuncs.ts';
import { MISC_FUNCS } from '../adt/misc.ts';
import { REGEXP_FUNCS } from '../adt/regexp.ts';
import { MATH_FUNCS } from '../adt/mathfuncs.ts';
import { FORMATTING_FUNCS } from '../adt/formatting.ts';
import { PSEUDORANDOM_FUNCS } from '../adt/pseudorandomfuncs.ts';
import { TIME_FUNCS } from '../adt/time.ts';
import { TIMETZ_FUNCS } from '../adt/timetz.ts';
import { NUM_FORMATTING_FUNCS } from '../adt/formatting_num.ts';

export const BUILTIN_IMPLS: ImplTable = {
  ...OP_FUNCS,
  ...STRING_FUNCS,
  ...DATETIME_FUNCS,
  ...ARRAY_FUNCS,
  ...JSON_FUNCS,
  ...MISC_FUNCS,
  ...REGEXP_FUNCS,
  ...MATH_FUNCS,
  ...FORMATTING_FUNCS,
  ...PSEUDORANDOM_FUNCS,
  ...TIME_FUNCS,
  ...TIMETZ_FUNCS,
  ...NUM_FORMATTING_FUNCS,
};

export const WINDOW_FUNCTIONS: ReadonlySet<string> = new Set([
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead',
  'first_value', 'last_value', 'nth_value',
]);
