/*
 * genfmgrtab.ts — writes pg_catalog_data.ts, the pg_proc / pg_operator /
 * pg_cast / pg_aggregate rows of the built-in functions this project
 * implements, read from a real PostgreSQL (PGlite) so that every OID, name,
 * strictness, volatility and cast context is PostgreSQL's. PostgreSQL does
 * the same from its .dat files with Gen_fmgrtab.pl.
 *
 *   npx tsx packages/engine/src/utils/fmgr/genfmgrtab.ts
 *
 * A pg_proc row is kept when its types are all registered in
 * utils/adt/types.ts and its implementation key (fmgrimpl.ts) has code in
 * builtins.ts, or when it is an aggregate with code in aggregates.ts, or a
 * window function the executor implements. Operators are kept when their
 * function is; casts when both types are registered and the cast function
 * (if any) is kept.
 *
 * Not imported by the engine: a development tool.
 */

import { writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { TYPES } from '../adt/types.ts';
import { BUILTIN_IMPLS, WINDOW_FUNCTIONS } from './builtins.ts';
import { AGGREGATE_IMPLS } from '../adt/aggregates.ts';

const CMP_OPS = new Set(['=', '<>', '<', '<=', '>', '>=']);
const ARITH_OPS = new Set(['+', '-', '*', '/', '%']);
const NUMERIC_SCALARS = new Set([20, 21, 23, 700, 701]);

interface ProcRow {
  oid: number;
  proname: string;
  prosrc: string;
  prolang: number;
  prokind: string;
  proretset: boolean;
  args: number[];
  prorettype: number;
  provariadic: number;
  proisstrict: boolean;
  provolatile: string;
  pronargdefaults: number;
  allargs: number[] | null;
  proargmodes: string[] | null;
  proargnames: string[] | null;
}

async function main(): Promise<void> {
  const db = await PGlite.create();
  const typeOids = [...TYPES.keys()];
  const known = new Set(typeOids);
  const procs = (
    await db.query<ProcRow>(
      `select p.oid::int, proname, prosrc, prolang::int, prokind, proretset, proargtypes::oid[]::int[] as args,
              prorettype::int, provariadic::int, proisstrict, provolatile, pronargdefaults::int,
              proallargtypes::int[] as allargs, proargmodes::text[] as proargmodes, proargnames
         from pg_proc p where pronamespace = 'pg_catalog'::regnamespace order by p.oid`,
    )
  ).rows.filter((p) => known.has(p.prorettype) && p.args.every((t) => known.has(t)) && (p.allargs ?? []).every((t) => known.has(t)));

  const ops = (
    await db.query<{
      oid: number; oprname: string; oprkind: string; oprleft: number; oprright: number; oprresult: number; oprcode: number;
      oprcom: number; oprnegate: number; oprcanmerge: boolean; oprcanhash: boolean; oprrest: string; oprjoin: string;
      strategy: number | null; btreetype: number | null;
    }>(
      `select o.oid::int, oprname, oprkind, oprleft::int, oprright::int, oprresult::int, oprcode::oid::int as oprcode,
              oprcom::int, oprnegate::int, oprcanmerge, oprcanhash, oprrest::text, oprjoin::text,
              (select amopstrategy::int from pg_amop a where a.amopopr = o.oid and a.amopmethod = 403
                 and exists (select 1 from pg_opclass c where c.opcfamily = a.amopfamily and c.opcdefault) limit 1) as strategy,
              (select amoplefttype::int from pg_amop a where a.amopopr = o.oid and a.amopmethod = 403
                 and exists (select 1 from pg_opclass c where c.opcfamily = a.amopfamily and c.opcdefault) limit 1) as btreetype
         from pg_operator o where oprnamespace = 'pg_catalog'::regnamespace order by o.oid`,
    )
  ).rows;

  // Implementation keys: generic comparison/arithmetic for the operators of the scalar types, else prosrc.
  const opKey = new Map<number, string>();
  for (const o of ops) {
    if (o.oprkind !== 'b') continue;
    if (CMP_OPS.has(o.oprname) && o.oprresult === 16 && known.has(o.oprleft) && known.has(o.oprright)) {
      opKey.set(o.oprcode, `cmp:${o.oprname}`);
    } else if (ARITH_OPS.has(o.oprname) && NUMERIC_SCALARS.has(o.oprleft) && NUMERIC_SCALARS.has(o.oprright)) {
      opKey.set(o.oprcode, `arith:${o.oprname}`);
    }
  }
  const keyOf = (p: ProcRow): string => {
    const k = opKey.get(p.oid);
    if (k !== undefined && BUILTIN_IMPLS[k] !== undefined && !BUILTIN_IMPLS[p.prosrc]) return k;
    if (p.prolang === 12) return p.prosrc;
    return `sql:${p.proname}(${p.args.join(',')})`;
  };
  const aggKey = (p: ProcRow): string => `${p.proname}(${p.args.join(',')})`;

  const kept = procs.filter((p) => {
    if (p.prokind === 'a') return AGGREGATE_IMPLS[aggKey(p)] !== undefined;
    if (p.prokind === 'w') return WINDOW_FUNCTIONS.has(p.proname);
    if (p.prokind !== 'f') return false;
    return BUILTIN_IMPLS[keyOf(p)] !== undefined;
  });
  const keptOids = new Set(kept.map((p) => p.oid));

  const keptOps = ops.filter(
    (o) => keptOids.has(o.oprcode) && (o.oprleft === 0 || known.has(o.oprleft)) && known.has(o.oprright) && known.has(o.oprresult),
  );

  const casts = (
    await db.query<{ castsource: number; casttarget: number; castfunc: number; castcontext: string; castmethod: string }>(
      `select castsource::int, casttarget::int, castfunc::int, castcontext, castmethod from pg_cast order by castsource, casttarget`,
    )
  ).rows.filter((c) => known.has(c.castsource) && known.has(c.casttarget) && (c.castfunc === 0 || keptOids.has(c.castfunc)));

  const aggs = (
    await db.query<{ aggfnoid: number; aggtranstype: number; aggsortop: number }>(
      `select aggfnoid::oid::int as aggfnoid, aggtranstype::int, aggsortop::int from pg_aggregate order by 1`,
    )
  ).rows.filter((a) => keptOids.has(a.aggfnoid));

  const j = (v: unknown): string => JSON.stringify(v);
  const lines: string[] = [];
  lines.push(`/*
 * pg_catalog_data.ts — GENERATED by genfmgrtab.ts from PostgreSQL 18's
 * catalogs (PGlite); do not edit by hand. The pg_proc, pg_operator, pg_cast
 * and pg_aggregate rows of the built-in functions this project implements,
 * with PostgreSQL's OIDs. fmgrtab.ts turns them into FunctionInfo,
 * OperatorInfo, CastInfo and AggregateInfo.
 */

/** [oid, proname, prokind, proargtypes, prorettype, proretset, proisstrict, provolatile, pronargdefaults, provariadic, implKey, proargnames, proallargtypes, proargmodes] */
export type ProcTuple = [number, string, 'f' | 'a' | 'w', number[], number, 0 | 1, 0 | 1, 'i' | 's' | 'v', number, number, string, string[] | null, number[] | null, string[] | null];
/** [oid, oprname, oprkind, oprleft, oprright, oprresult, oprcode, oprcom, oprnegate, oprcanmerge, oprcanhash, oprrest, oprjoin, btreeStrategy, btreeType] */
export type OperTuple = [number, string, 'b' | 'l', number, number, number, number, number, number, 0 | 1, 0 | 1, string, string, number, number];
/** [castsource, casttarget, castfunc, castcontext, castmethod] */
export type CastTuple = [number, number, number, 'e' | 'a' | 'i', 'f' | 'b' | 'i'];
/** [aggfnoid, aggtranstype, aggsortop] */
export type AggTuple = [number, number, number];
`);
  lines.push('export const PG_PROC: readonly ProcTuple[] = [');
  for (const p of kept) {
    const key = p.prokind === 'a' ? aggKey(p) : p.prokind === 'w' ? p.proname : keyOf(p);
    const names = p.proargnames !== null && p.proargnames.some((n) => n !== '') ? p.proargnames : null;
    lines.push(
      `  [${p.oid}, ${j(p.proname)}, '${p.prokind}', ${j(p.args)}, ${p.prorettype}, ${p.proretset ? 1 : 0}, ${p.proisstrict ? 1 : 0}, '${p.provolatile}', ${p.pronargdefaults}, ${p.provariadic}, ${j(key)}, ${j(names)}, ${j(p.allargs)}, ${j(p.proargmodes)}],`,
    );
  }
  lines.push('];', '');
  lines.push('export const PG_OPERATOR: readonly OperTuple[] = [');
  for (const o of keptOps) {
    lines.push(
      `  [${o.oid}, ${j(o.oprname)}, '${o.oprkind}', ${o.oprleft}, ${o.oprright}, ${o.oprresult}, ${o.oprcode}, ${o.oprcom}, ${o.oprnegate}, ${o.oprcanmerge ? 1 : 0}, ${o.oprcanhash ? 1 : 0}, ${j(o.oprrest)}, ${j(o.oprjoin)}, ${o.strategy ?? 0}, ${o.btreetype ?? 0}],`,
    );
  }
  lines.push('];', '');
  lines.push('export const PG_CAST: readonly CastTuple[] = [');
  for (const c of casts) lines.push(`  [${c.castsource}, ${c.casttarget}, ${c.castfunc}, '${c.castcontext}', '${c.castmethod}'],`);
  lines.push('];', '');
  lines.push('export const PG_AGGREGATE: readonly AggTuple[] = [');
  for (const a of aggs) lines.push(`  [${a.aggfnoid}, ${a.aggtranstype}, ${a.aggsortop}],`);
  lines.push('];', '');
  writeFileSync(new URL('./pg_catalog_data.ts', import.meta.url), lines.join('\n'));
  console.log(`pg_proc ${kept.length}, pg_operator ${keptOps.length}, pg_cast ${casts.length}, pg_aggregate ${aggs.length}`);
  const missing = Object.keys(BUILTIN_IMPLS).filter((k) => !kept.some((p) => keyOf(p) === k));
  if (missing.length > 0) console.log('implementations no kept row uses:', missing.join(' '));
  await db.close();
}

void main();
