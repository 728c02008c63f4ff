/*
 * dbsize.ts — relation sizes and their human-readable form (PostgreSQL's
 * dbsize.c): pg_relation_size(regclass [, fork]), pg_table_size,
 * pg_indexes_size, pg_total_relation_size, pg_size_pretty(bigint | numeric),
 * registered with fmgrtab's registerBuiltin at module load (database.ts
 * imports this module before initdb writes pg_proc), with PostgreSQL's OIDs.
 *
 * Exports: sizePrettyBigint(n), sizePrettyNumeric(text) (for tests); the rest
 * is the registrations.
 *
 * Sizes are the files' sizes: blocks reported by smgr (smgrnblocks, 0 for a
 * fork that does not exist) times BLCKSZ. A relation without storage (a
 * view) has size 0; an OID naming no relation gives NULL, as
 * try_relation_open does. tabgres's TOAST tables have no index (chunks are
 * found by a scan of the TOAST heap), so pg_table_size of a table with a
 * TOAST table counts one relation fewer than PostgreSQL, whose TOAST index
 * has at least a metapage (8192 bytes).
 */

import { registerBuiltin } from '../fmgr/fmgrtab.ts';
import type { FunctionCallContext, FunctionInfo } from '../fmgr/fmgrtypes.ts';
import { PgError, SQLSTATE } from '../errors.ts';
import type { SessionBackend } from '../../tcop/session.ts';
import { BLCKSZ } from '../../constants.ts';
import { ForkNumber, type RelFileLocator } from '../../storage/relfilelocator.ts';
import type { RelationInfo } from '../rel.ts';
import { backendOf, indexRelationOf } from './pageinspect.ts';

const REGCLASSOID = 2205;
const TEXTOID = 25;
const INT8OID = 20;
const NUMERICOID = 1700;

const FORKS: readonly ForkNumber[] = [ForkNumber.MAIN, ForkNumber.FSM, ForkNumber.VISIBILITYMAP, ForkNumber.INIT];
const FORK_BY_NAME: Readonly<Record<string, ForkNumber>> = {
  main: ForkNumber.MAIN, fsm: ForkNumber.FSM, vm: ForkNumber.VISIBILITYMAP, init: ForkNumber.INIT,
};

function fn(oid: number, proname: string, argtypes: number[], rettype: number, provolatile: 'i' | 'v', impl: FunctionInfo['impl']): void {
  registerBuiltin({
    oid, proname, prokind: 'f', proargtypes: argtypes, prorettype: rettype, provariadic: 0, proretset: false,
    proisstrict: true, provolatile, pronargdefaults: 0, impl,
  });
}

/** try_relation_open: the relation, or null when the OID names none (a concurrently dropped table gives NULL, not an error). */
function tryRelation(b: SessionBackend, oid: number): RelationInfo | null {
  try {
    return b.catalog.getRelation(oid);
  } catch {
    return null;
  }
}

/** The relation's own storage: a table's (or sequence's) heap, an index's B-tree; null for a view. */
function storageOf(b: SessionBackend, info: RelationInfo): RelFileLocator | null {
  if (info.heap !== null) return info.heap.locator;
  if (info.relkind === 'i') return indexRelationOf(b, info.oid).locator;
  return null;
}

/** calculate_relation_size: one fork's bytes. */
function forkBytes(b: SessionBackend, locator: RelFileLocator | null, fork: ForkNumber): bigint {
  if (locator === null) return 0n;
  return BigInt(b.engine.bufmgr.nblocks(locator, fork)) * BigInt(BLCKSZ);
}

function allForksBytes(b: SessionBackend, locator: RelFileLocator | null): bigint {
  let total = 0n;
  for (const f of FORKS) total += forkBytes(b, locator, f);
  return total;
}

/** calculate_table_size: every fork of the relation and of its TOAST table. */
function tableBytes(b: SessionBackend, info: RelationInfo): bigint {
  let total = allForksBytes(b, storageOf(b, info));
  const toast = info.heap?.toast ?? null;
  if (toast !== null) total += allForksBytes(b, toast.locator);
  return total;
}

/** calculate_indexes_size: every fork of every index of the table (0 for an index or a view). */
function indexesBytes(b: SessionBackend, info: RelationInfo): bigint {
  let total = 0n;
  if (info.heap === null) return total;
  for (const ix of info.indexes) total += allForksBytes(b, ix.index.locator);
  return total;
}

function relationSize(ctx: FunctionCallContext, oid: number, forkName: string): bigint | null {
  const fork = FORK_BY_NAME[forkName];
  if (fork === undefined) {
    throw new PgError(SQLSTATE.invalid_parameter_value, 'invalid fork name', { hint: 'Valid fork names are "main", "fsm", "vm", and "init".' });
  }
  const b = backendOf(ctx);
  const info = tryRelation(b, oid);
  if (info === null) return null;
  return forkBytes(b, storageOf(b, info), fork);
}

fn(2332, 'pg_relation_size', [REGCLASSOID, TEXTOID], INT8OID, 'v', (a, ctx) => relationSize(ctx, a[0] as number, a[1] as string));
// PostgreSQL's one-argument form is the SQL function pg_relation_size($1, 'main').
fn(2325, 'pg_relation_size', [REGCLASSOID], INT8OID, 'v', (a, ctx) => relationSize(ctx, a[0] as number, 'main'));

function withRelation(pick: (b: SessionBackend, info: RelationInfo) => bigint): FunctionInfo['impl'] {
  return (a, ctx) => {
    const b = backendOf(ctx);
    const info = tryRelation(b, a[0] as number);
    return info === null ? null : pick(b, info);
  };
}

fn(2997, 'pg_table_size', [REGCLASSOID], INT8OID, 'v', withRelation(tableBytes));
fn(2998, 'pg_indexes_size', [REGCLASSOID], INT8OID, 'v', withRelation(indexesBytes));
fn(2286, 'pg_total_relation_size', [REGCLASSOID], INT8OID, 'v', withRelation((b, info) => tableBytes(b, info) + indexesBytes(b, info)));

// ---------------------------------------------------------------- pg_size_pretty

/**
 * The units of pg_size_pretty: a unit is used while the absolute value is
 * below its limit (the last unit always); `round` units print the value
 * half-rounded (away from zero), which is why the divisor between two units
 * is one bit smaller when the next unit rounds: it keeps the bit the
 * rounding needs.
 */
const UNITS: readonly { name: string; limit: bigint; round: boolean; bits: number }[] = [
  { name: 'bytes', limit: 10n * 1024n, round: false, bits: 0 },
  { name: 'kB', limit: 20n * 1024n - 1n, round: true, bits: 10 },
  { name: 'MB', limit: 20n * 1024n - 1n, round: true, bits: 20 },
  { name: 'GB', limit: 20n * 1024n - 1n, round: true, bits: 30 },
  { name: 'TB', limit: 20n * 1024n - 1n, round: true, bits: 40 },
  { name: 'PB', limit: 20n * 1024n - 1n, round: true, bits: 50 },
];

/** half_rounded: (x ± 1) / 2 with C's truncating division, so .5 rounds away from zero. */
const halfRounded = (x: bigint): bigint => (x + (x < 0n ? -1n : 1n)) / 2n;

/** pg_size_pretty over an integer; BigInt division truncates toward zero as C's does. */
function prettyInteger(size: bigint, first: number): string {
  for (let i = first; i < UNITS.length; i++) {
    const unit = UNITS[i];
    const abs = size < 0n ? -size : size;
    if (i === UNITS.length - 1 || abs < unit.limit) {
      return `${unit.round ? halfRounded(size) : size} ${unit.name}`;
    }
    const next = UNITS[i + 1];
    const bits = next.bits - unit.bits - (next.round ? 1 : 0) + (unit.round ? 1 : 0);
    size /= 1n << BigInt(bits);
  }
  throw new Error('unreachable');
}

export function sizePrettyBigint(size: bigint): string {
  return prettyInteger(size, 0);
}

/**
 * pg_size_pretty(numeric): the same steps in numeric arithmetic. A value
 * under the bytes limit prints as it is (fraction included); past it,
 * numeric_div_trunc makes it an integer at the first division, so the rest
 * is the integer algorithm on the truncated value (trunc(trunc(x) / d) ==
 * trunc(x / d) for a positive integer d). NaN and ±Infinity compare above
 * every limit and survive every step, so they end in the last unit.
 */
export function sizePrettyNumeric(text: string): string {
  if (text === 'NaN' || text === 'Infinity' || text === '-Infinity') return `${text} ${UNITS[UNITS.length - 1].name}`;
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) throw new PgError(SQLSTATE.internal_error, `unexpected numeric value "${text}"`);
  const intPart = BigInt(m[2]);
  const neg = m[1] === '-';
  // abs(x) < 10240 exactly when its integer part is (the limit is an integer).
  if (intPart < UNITS[0].limit) return `${text} ${UNITS[0].name}`;
  const truncated = neg ? -intPart : intPart;
  const unit = UNITS[0];
  const next = UNITS[1];
  const bits = next.bits - unit.bits - (next.round ? 1 : 0) + (unit.round ? 1 : 0);
  return prettyInteger(truncated / (1n << BigInt(bits)), 1);
}

fn(2288, 'pg_size_pretty', [INT8OID], TEXTOID, 'i', (a) => sizePrettyBigint(a[0] as bigint));
fn(3166, 'pg_size_pretty', [NUMERICOID], TEXTOID, 'i', (a) => sizePrettyNumeric(String(a[0])));
