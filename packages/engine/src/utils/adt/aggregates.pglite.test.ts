/*
 * aggregates.pglite.test.ts — the built-in aggregates compared with
 * PostgreSQL (PGlite): the result type (pg_typeof) and the result text of
 * `SELECT agg(x) FROM (VALUES ...) v(x)` against this side's
 * AggregateInfo run over the same values.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { startPostgres } from './pgdiff.testutil.ts';
import { arrayTypeOf, formatType, typeByName, typeByOid, TYPES } from './types.ts';
import { funcGetDetail } from '../../parser/parse_func.ts';
import { lookupAggregate } from '../fmgr/fmgrtab.ts';
import type { FunctionCallContext } from '../fmgr/fmgrtypes.ts';
import { isPgError } from '../errors.ts';

let db: PGlite;
const RAW: Record<number, (v: string) => string> = Object.fromEntries([...TYPES.keys()].map((oid) => [oid, (v: string) => v]));
beforeAll(async () => {
  db = await startPostgres();
}, 60_000);
afterAll(async () => {
  await db.close();
});

const ctx = {} as FunctionCallContext;

function typeOid(name: string): number {
  return name.endsWith('[]') ? arrayTypeOf(typeByName(name.slice(0, -2))!.oid) : typeByName(name)!.oid;
}

/** [aggregate, type of x, values (null = NULL), optional second argument text] */
const CASES: [string, string, (string | null)[], string?][] = [];
const INTS = ['1', '2', null, '4', '-7'];
for (const t of ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8']) {
  for (const agg of ['count', 'sum', 'avg', 'min', 'max', 'variance', 'var_pop', 'stddev', 'stddev_pop', 'var_samp', 'stddev_samp']) {
    CASES.push([agg, t, INTS]);
    CASES.push([agg, t, []]);
  }
  if (!t.startsWith('int')) CASES.push(['sum', t, ['1.5', '2.25']], ['avg', t, ['1.5', '2.25', '3']]);
}
CASES.push(['sum', 'int8', ['9223372036854775807', '1']]);
CASES.push(['sum', 'int4', ['2147483647', '1']]);
CASES.push(['avg', 'numeric', ['1', '2', '2']]);
CASES.push(['stddev', 'numeric', ['1.5', '2.25', '7']]);
CASES.push(['variance', 'float8', ['0.1', '0.2', '0.3']]);
CASES.push(['sum', 'interval', ['1 day', '2 hours', null]]);
CASES.push(['avg', 'interval', ['1 day', '2 hours']]);
for (const t of ['text', 'date', 'timestamp', 'timestamptz', 'interval', 'int4[]', 'bpchar']) {
  const vals: Record<string, string[]> = {
    text: ['b', 'a', 'ab'], date: ['2024-01-02', '2023-12-31'], timestamp: ['2024-01-02 10:00', '2024-01-02 09:00'],
    timestamptz: ['2024-01-02 10:00+00', '2024-01-02 09:00+05'], interval: ['1 day', '25 hours'], 'int4[]': ['{1,2}', '{1,3}', '{0,9}'],
    bpchar: ['b ', 'a'],
  };
  CASES.push(['min', t, vals[t]], ['max', t, vals[t]]);
}
CASES.push(['bool_and', 'bool', ['true', 'false', null]], ['bool_or', 'bool', ['false', null]], ['every', 'bool', ['true']]);
CASES.push(['string_agg', 'text', ['a', null, 'b', 'c'], ', ']);
CASES.push(['array_agg', 'int4', ['1', null, '3']], ['array_agg', 'text', ['a b', 'c']], ['array_agg', 'int4[]', ['{1,2}', '{3,4}']]);
CASES.push(['jsonb_agg', 'int4', ['1', null, '3']], ['json_agg', 'text', ['a', 'b']], ['jsonb_agg', 'jsonb', ['{"a":1}', '[2]']]);

async function pgRun(agg: string, t: string, vals: (string | null)[], extra?: string): Promise<string> {
  const rows = vals.length === 0 ? `SELECT NULL::${t} AS x WHERE false` : `VALUES ${vals.map((v) => `(${v === null ? 'NULL' : `'${v}'`}::${t})`).join(', ')}`;
  const call = `${agg}(x${extra !== undefined ? `, '${extra}'` : ''})`;
  try {
    const r = await db.query<unknown[]>(`SELECT pg_typeof(${call})::text, ${call} FROM (${rows}) v(x)`, [], { rowMode: 'array', parsers: RAW });
    const row = r.rows[0];
    return `OK ${String(row[0])} ${row[1] === null ? '<null>' : String(row[1])}`;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return `ERR ${err.code} ${err.message}`;
  }
}

function ourRun(agg: string, t: string, vals: (string | null)[], extra?: string): string {
  try {
    const oid = typeOid(t);
    const argTypes = extra !== undefined ? [oid, 705] : [oid];
    const d = funcGetDetail([agg], argTypes, false, -1);
    if (d.kind !== 'FUNCDETAIL_AGGREGATE') return `NOT AN AGGREGATE ${d.kind}`;
    const info = lookupAggregate(d.funcid);
    const ti = typeByOid(oid)!;
    const types = d.declaredArgTypes;
    let state = info.initValue();
    for (const v of vals) {
      const x = v === null ? null : ti.input(v, -1);
      const args = extra !== undefined ? [x, extra] : [x];
      if (info.transStrict && args.some((a) => a === null)) continue;
      if (info.transStrict && state === null) {
        state = args[0];
        continue;
      }
      state = info.trans(state, args, ctx, types);
    }
    const result = info.final !== undefined ? info.final(state, ctx, types) : state;
    return `OK ${formatType(d.rettype)} ${result === null ? '<null>' : typeByOid(d.rettype)!.output(result as never)}`;
  } catch (e) {
    return isPgError(e) ? `ERR ${e.code} ${e.message}` : `THROW ${String(e)}`;
  }
}

describe('aggregates agree with PostgreSQL', () => {
  it('results and result types', async () => {
    const mismatches: string[] = [];
    for (const [agg, t, vals, extra] of CASES) {
      const pg = await pgRun(agg, t, vals, extra);
      const ours = ourRun(agg, t, vals, extra);
      if (pg !== ours) mismatches.push(`${agg}(${t}) over ${JSON.stringify(vals)}\n  pg:   ${pg}\n  ours: ${ours}`);
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
