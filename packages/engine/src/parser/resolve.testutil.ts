/*
 * resolve.testutil.ts — the harness of the resolution differential tests:
 * literals of a given type (or unknown), an evaluator for the analyzed
 * expressions the coercion and resolution code builds (Const, FuncExpr,
 * OpExpr, casts, ArrayExpr), and the "OK <type> <value>" / "ERR <code>
 * <message>" rendering both sides are compared in.
 */

import type { PGlite } from '@electric-sql/pglite';
import type { Const, Expr } from '../nodes/primnodes.ts';
import type { TypeName } from './primnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { parse } from './gram.ts';
import { lookupFunctionByOid } from '../utils/fmgr/fmgrtab.ts';
import type { FunctionCallContext } from '../utils/fmgr/fmgrtypes.ts';
import { arrayTypeOf, elementTypeOf, formatType, typeByName, typeByOid, TYPES, UNKNOWNOID } from '../utils/adt/types.ts';
import { isPgError } from '../utils/errors.ts';
import { ArrayValue } from '../utils/adt/array.ts';

/** Every type's values as PostgreSQL's text output, unparsed. */
export const RAW: Record<number, (v: string) => string> = Object.fromEntries([...TYPES.keys()].map((oid) => [oid, (v: string) => v]));

/** A literal: [text, type name] or a bare string for an unknown literal. */
export type Lit = string | [string, string];

const ctx = {} as FunctionCallContext;

export function literal(l: Lit): Const {
  if (typeof l === 'string') return { type: 'Const', consttype: UNKNOWNOID, consttypmod: -1, constvalue: l, constisnull: false, location: 0 };
  const base = typeByName(l[1].replace(/\[\]$/, ''));
  const t = l[1].endsWith('[]') ? typeByOid(arrayTypeOf(base?.oid ?? 0)) : base;
  if (t === undefined) throw new Error(`no type ${l[1]}`);
  return { type: 'Const', consttype: t.oid, consttypmod: -1, constvalue: t.input(l[0], -1), constisnull: false, location: 0 };
}

export const sqlLit = (l: Lit): string => (typeof l === 'string' ? `'${l.replace(/'/g, "''")}'` : `'${l[0].replace(/'/g, "''")}'::${l[1]}`);

/** Evaluates an analyzed expression made of Consts, casts and calls. */
export function evaluate(e: Expr): unknown {
  switch (e.type) {
    case 'Const':
      return e.constisnull ? null : e.constvalue;
    case 'FuncExpr':
    case 'OpExpr': {
      const f = lookupFunctionByOid(e.type === 'FuncExpr' ? e.funcid : e.opfuncid);
      const args = e.args.map(evaluate);
      if (f.proisstrict && args.some((a) => a === null)) return null;
      if (f.impl === undefined) throw new Error(`no impl for ${f.proname}`);
      return f.impl(args, ctx, -1, e.args.map(exprType));
    }
    case 'CoerceViaIO': {
      const v = evaluate(e.arg);
      if (v === null) return null;
      const from = typeByOid(exprType(e.arg));
      const to = typeByOid(e.resulttype);
      return to!.input(from!.output(v as never), -1);
    }
    case 'RelabelType':
      return evaluate(e.arg);
    case 'ArrayExpr':
      return ArrayValue.of(e.element_typeid, e.elements.map((x) => evaluate(x)) as never[]);
    case 'ArrayCoerceExpr': {
      const v = evaluate(e.arg) as ArrayValue | null;
      if (v === null) return null;
      const elems = v.elements.map((x) => (x === null ? null : evaluate(substituteCaseTest(e.elemexpr, x))));
      return new ArrayValue(elementTypeOf(e.resulttype), v.dims, v.lbounds, elems as never[]);
    }
    default:
      throw new Error(`cannot evaluate ${e.type}`);
  }
}

/** The element expression of an ArrayCoerceExpr with its CaseTestExpr replaced by one element's value. */
function substituteCaseTest(e: Expr, value: unknown): Expr {
  if (e.type === 'CaseTestExpr') return { type: 'Const', consttype: e.typeId, consttypmod: -1, constvalue: value, constisnull: false, location: -1 };
  if (e.type === 'FuncExpr') return { ...e, args: e.args.map((a) => substituteCaseTest(a, value)) };
  if (e.type === 'CoerceViaIO' || e.type === 'RelabelType') return { ...e, arg: substituteCaseTest(e.arg, value) };
  return e;
}

/** The TypeName of `CAST(NULL AS type)`, from the grammar. */
export function typeNameOf(type: string): TypeName {
  const stmt = parse(`SELECT CAST(NULL AS ${type})`)[0].stmt as unknown as { targetList: { val: { typeName: TypeName } }[] };
  return stmt.targetList[0].val.typeName;
}

export function describeOurs(build: () => Expr): string {
  try {
    const e = build();
    const t = exprType(e);
    const v = evaluate(e);
    const out = v === null ? '<null>' : typeByOid(t)!.output(v as never);
    return `OK ${formatType(t)} ${out}`;
  } catch (err) {
    if (isPgError(err)) return `ERR ${err.code} ${err.message}`;
    return `THROW ${String(err)}`;
  }
}

export async function describePg(db: PGlite, sql: string): Promise<string> {
  try {
    const r = await db.query<[string, string | null]>(`SELECT pg_typeof(${sql})::text, ${sql}`, [], { rowMode: 'array', parsers: RAW });
    const row = r.rows[0];
    return `OK ${row[0]} ${row[1] ?? '<null>'}`;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return `ERR ${e.code} ${e.message}`;
  }
}
