/*
 * nbtutils.ts — search keys for scans: preparing them (_bt_preprocess_keys),
 * testing tuples against them (_bt_checkkeys), and the text of a key for
 * error messages (BuildIndexValueDescription). PostgreSQL's nbtutils.c.
 *
 * Exports: ScanKeyOp, ScanKey, BtKey, PreparedKeys, btPreprocessKeys,
 *          btCheckKeys (its second result in checkState), btHighKeyEndsScan,
 *          btBuildIndexValueDescription, quoteIdentifier, STRAT_LT/LE/EQ/GE/GT.
 *
 * A scan key is `column op value` (or IS NULL / IS NOT NULL) on one index
 * column; a scan's keys are ANDed. BETWEEN a AND b is two keys (>= a, <= b).
 * Preparing them:
 *   - keeps only the tightest bound of each direction per column, and one
 *     equality (two different equalities, an equality outside a bound, or
 *     IS NULL beside any comparison make the scan return nothing);
 *   - translates each key's operator into index order: on a DESC column
 *     "a < 5" is a lower bound in index order (values > 5 come first);
 *   - marks which keys are "required" for each direction: keys on a prefix
 *     of columns that all have equalities, plus the first inequality
 *     column. Once a tuple fails a required key in the scan's direction,
 *     no later tuple can pass: the scan stops there.
 */

import type { Datum } from '../../utils/adt/datum.ts';
import { SQLSTATE, ereport } from '../../utils/errors.ts';
import { INDOPTION_DESC, INDOPTION_NULLS_FIRST, type IndexRelation } from './indexrel.ts';
import { indexDeformTuple, type IndexValue } from './itup.ts';
import { INDEX_MAX_KEYS } from './nbtree_constants.ts';

/** A scan key's operator: a comparison with its argument, or a null test. */
export type ScanKeyOp = '<' | '<=' | '=' | '>=' | '>' | 'isnull' | 'notnull';

/** One search condition on an index column. */
export interface ScanKey {
  /** Index column, 1-based. */
  attno: number;
  op: ScanKeyOp;
  /** The value compared with (not used by the null tests). */
  arg?: Datum;
}

/** Index-order strategies (BTLessStrategyNumber .. BTGreaterStrategyNumber). */
export const STRAT_LT = 1;
export const STRAT_LE = 2;
export const STRAT_EQ = 3;
export const STRAT_GE = 4;
export const STRAT_GT = 5;

/** A prepared key. */
export interface BtKey {
  /** Column, 0-based. */
  col: number;
  op: ScanKeyOp;
  /** The argument; null for the null tests. */
  arg: Datum | null;
  /** The key's strategy in index order (DESC commuted; IS NULL is =, IS NOT NULL a bound). */
  strategy: number;
  /** Failing it while scanning forward (backward) ends the scan. */
  reqFwd: boolean;
  reqBkwd: boolean;
}

export interface PreparedKeys {
  /** False when the keys contradict each other: the scan returns nothing. */
  qualOk: boolean;
  /** By column, in column order. */
  keys: BtKey[];
  /** Columns a tuple must be deformed to test the keys (highest col + 1). */
  natts: number;
}

const COMMUTE = [0, STRAT_GT, STRAT_GE, STRAT_EQ, STRAT_LE, STRAT_LT];
const OP_STRATEGY: Record<string, number> = { '<': STRAT_LT, '<=': STRAT_LE, '=': STRAT_EQ, '>=': STRAT_GE, '>': STRAT_GT };

function test(cmp: number, op: ScanKeyOp): boolean {
  switch (op) {
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '=':
      return cmp === 0;
    case '>=':
      return cmp >= 0;
    case '>':
      return cmp > 0;
    default:
      return false;
  }
}

const NO_KEYS: PreparedKeys = { qualOk: false, keys: [], natts: 0 };

/** Appends a prepared key (a plain function: closures cost an allocation per scan). */
function addKey(out: BtKey[], col: number, op: ScanKeyOp, arg: Datum | null, strategy: number): void {
  out.push({ col, op, arg, strategy, reqFwd: false, reqBkwd: false });
}

/** _bt_preprocess_keys (with _bt_fix_scankey_strategy and _bt_mark_scankey_required). */
export function btPreprocessKeys(rel: IndexRelation, scanKeys: readonly ScanKey[]): PreparedKeys {
  const n = rel.nkeyatts;
  for (const k of scanKeys) {
    if (!Number.isInteger(k.attno) || k.attno < 1 || k.attno > n) {
      ereport(SQLSTATE.invalid_parameter_value, `invalid scan key attribute number ${k.attno} for index "${rel.name}"`);
    }
    // A comparison with NULL is never true: PostgreSQL marks the qual unsatisfiable.
    if (k.op !== 'isnull' && k.op !== 'notnull' && (k.arg === undefined || k.arg === null)) return NO_KEYS;
  }
  const keys: BtKey[] = [];
  let prefixEq = true;
  let natts = 0;
  for (let col = 0; col < n; col++) {
    const type = rel.desc.types[col];
    let any = false;
    let isnull = false;
    let notnull = false;
    let eq: Datum | null = null;
    let lo: ScanKey | null = null; // > or >= in value order
    let hi: ScanKey | null = null; // < or <=
    for (const k of scanKeys) {
      if (k.attno !== col + 1) continue;
      any = true;
      if (k.op === 'isnull') isnull = true;
      else if (k.op === 'notnull') notnull = true;
      else if (k.op === '=') {
        if (eq !== null && type.compare(eq, k.arg!) !== 0) return NO_KEYS;
        eq = k.arg!;
      } else if (k.op === '>' || k.op === '>=') {
        if (lo === null) lo = k;
        else {
          const c = type.compare(k.arg!, lo.arg!);
          if (c > 0 || (c === 0 && k.op === '>')) lo = k;
        }
      } else if (hi === null) hi = k;
      else {
        const c = type.compare(k.arg!, hi.arg!);
        if (c < 0 || (c === 0 && k.op === '<')) hi = k;
      }
    }
    if (!any) {
      prefixEq = false;
      continue;
    }
    const hasCmp = eq !== null || lo !== null || hi !== null;
    if (isnull && (notnull || hasCmp)) return NO_KEYS;
    if (eq !== null) {
      if (lo !== null && !test(type.compare(eq, lo.arg!), lo.op)) return NO_KEYS;
      if (hi !== null && !test(type.compare(eq, hi.arg!), hi.op)) return NO_KEYS;
      lo = null;
      hi = null;
    } else if (lo !== null && hi !== null) {
      const c = type.compare(lo.arg!, hi.arg!);
      if (c > 0 || (c === 0 && (lo.op === '>' || hi.op === '<'))) return NO_KEYS;
    }
    const desc = (rel.indoption[col] & INDOPTION_DESC) !== 0;
    const nullsFirst = (rel.indoption[col] & INDOPTION_NULLS_FIRST) !== 0;
    const first = keys.length;
    if (isnull) addKey(keys, col, 'isnull', null, STRAT_EQ);
    else if (eq !== null) addKey(keys, col, '=', eq, STRAT_EQ);
    else {
      if (lo !== null) addKey(keys, col, lo.op, lo.arg!, desc ? COMMUTE[OP_STRATEGY[lo.op]] : OP_STRATEGY[lo.op]);
      if (hi !== null) addKey(keys, col, hi.op, hi.arg!, desc ? COMMUTE[OP_STRATEGY[hi.op]] : OP_STRATEGY[hi.op]);
      // IS NOT NULL is implied by any comparison; alone it bounds the non-null range.
      if (notnull && lo === null && hi === null) addKey(keys, col, 'notnull', null, nullsFirst ? STRAT_GT : STRAT_LT);
    }
    if (prefixEq) {
      for (let i = first; i < keys.length; i++) {
        const k = keys[i];
        if (k.strategy === STRAT_EQ) {
          k.reqFwd = true;
          k.reqBkwd = true;
        } else if (k.strategy < STRAT_EQ) k.reqFwd = true;
        else k.reqBkwd = true;
      }
    }
    if (!(isnull || eq !== null)) prefixEq = false;
    natts = col + 1;
  }
  return { qualOk: true, keys, natts };
}

const vals: IndexValue[] = new Array<IndexValue>(INDEX_MAX_KEYS).fill(null);
const nulls: boolean[] = new Array<boolean>(INDEX_MAX_KEYS).fill(false);

/** Result of btCheckKeys beside its boolean: whether the scan may continue past this tuple. */
export const checkState = { continuescan: true };

/**
 * _bt_checkkeys: whether the (non-pivot) tuple at b[off] satisfies every
 * key; sets checkState.continuescan false when it fails a key required in
 * the scan's direction (or meets NULLs at the end of a required column's
 * range), so no later tuple can pass.
 */
export function btCheckKeys(rel: IndexRelation, pk: PreparedKeys, b: Uint8Array, off: number, forward: boolean): boolean {
  checkState.continuescan = true;
  if (pk.natts === 0) return true;
  indexDeformTuple(rel.desc, b, off, pk.natts, vals, nulls);
  const keys = pk.keys;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const isNull = nulls[k.col];
    if (k.op === 'isnull' || k.op === 'notnull') {
      if ((k.op === 'isnull') === isNull) continue;
      if ((forward && k.reqFwd) || (!forward && k.reqBkwd)) checkState.continuescan = false;
      return false;
    }
    if (isNull) {
      // NULLs sit at one end of the column's range: past them, a required key stays false.
      const nullsFirst = (rel.indoption[k.col] & INDOPTION_NULLS_FIRST) !== 0;
      if ((k.reqFwd || k.reqBkwd) && forward !== nullsFirst) checkState.continuescan = false;
      return false;
    }
    const cmp = rel.desc.types[k.col].compare(vals[k.col] as Datum, k.arg!);
    if (!test(cmp, k.op)) {
      if ((forward && k.reqFwd) || (!forward && k.reqBkwd)) checkState.continuescan = false;
      return false;
    }
  }
  return true;
}

/**
 * Whether a high key (pivot, maybe truncated) already fails a key required
 * for a forward scan: then every tuple on the pages to its right fails too.
 * Truncated columns are minus infinity and prove nothing.
 */
export function btHighKeyEndsScan(rel: IndexRelation, pk: PreparedKeys, b: Uint8Array, off: number, hikeyNatts: number): boolean {
  const n = Math.min(pk.natts, hikeyNatts);
  if (n === 0) return false;
  indexDeformTuple(rel.desc, b, off, n, vals, nulls);
  for (const k of pk.keys) {
    if (k.col >= n || !k.reqFwd) continue;
    if (k.op === 'isnull' || k.op === 'notnull') {
      if ((k.op === 'isnull') !== nulls[k.col]) return true;
      continue;
    }
    if (nulls[k.col]) {
      if ((rel.indoption[k.col] & INDOPTION_NULLS_FIRST) === 0) return true;
      continue;
    }
    if (!test(rel.desc.types[k.col].compare(vals[k.col] as Datum, k.arg!), k.op)) return true;
  }
  return false;
}

const RESERVED = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check',
  'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time',
  'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except',
  'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into',
  'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order',
  'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'system_user',
  'table', 'then', 'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where',
  'window', 'with',
]);

/** quote_identifier: double-quotes a name unless it is a plain lower-case identifier and not reserved. */
export function quoteIdentifier(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * BuildIndexValueDescription: "(a, b)=(1, x)", the key shown in a unique
 * violation's DETAIL, with each value in its type's output form and NULL
 * as "null".
 */
export function btBuildIndexValueDescription(rel: IndexRelation, values: readonly IndexValue[]): string {
  const names: string[] = [];
  const texts: string[] = [];
  for (let i = 0; i < rel.nkeyatts; i++) {
    names.push(quoteIdentifier(rel.desc.attrs[i].attname));
    const v = values[i];
    texts.push(v === null ? 'null' : rel.desc.types[i].output(v));
  }
  return `(${names.join(', ')})=(${texts.join(', ')})`;
}
