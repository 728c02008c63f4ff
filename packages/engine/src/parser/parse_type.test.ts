/*
 * parse_type.test.ts — type names, typmods and format_type; assignment
 * coercions with their length checks (parse_coerce.ts).
 */

import { describe, expect, it } from 'vitest';
import type { TypeName } from './primnodes.ts';
import type { Const, Expr } from '../nodes/primnodes.ts';
import { evalConstExpressions } from '../optimizer/util/clauses.ts';
import { parse } from './gram.ts';
import { formatTypeWithTypmod, typenameTypeIdAndMod } from './parse_type.ts';
import { canCoerceType, coerceToTargetType, selectCommonType } from './parse_coerce.ts';
import { getSortGroupOperators } from './parse_oper.ts';
import { funcGetDetail } from './parse_func.ts';
import { lookupOperatorByOid } from '../utils/fmgr/fmgrtab.ts';

function typeNameOf(type: string): TypeName {
  const stmt = parse(`SELECT CAST(NULL AS ${type})`)[0].stmt as unknown as { targetList: { val: { typeName: TypeName } }[] };
  return stmt.targetList[0].val.typeName;
}

const resolve = (type: string): string => {
  const { typeOid, typmod } = typenameTypeIdAndMod(typeNameOf(type));
  return formatTypeWithTypmod(typeOid, typmod);
};

const lit = (type: number, value: unknown): Const => ({ type: 'Const', consttype: type, consttypmod: -1, constvalue: value, constisnull: false, location: 0 });

describe('parse_type', () => {
  it('resolves names and typmods as format_type prints them', () => {
    expect(resolve('int')).toBe('integer');
    expect(resolve('varchar(5)')).toBe('character varying(5)');
    expect(resolve('character varying')).toBe('character varying');
    expect(resolve('char')).toBe('character(1)');
    expect(resolve('numeric(10,2)')).toBe('numeric(10,2)');
    expect(resolve('decimal')).toBe('numeric');
    expect(resolve('timestamp(3)')).toBe('timestamp(3) without time zone');
    expect(resolve('timestamptz')).toBe('timestamp with time zone');
    expect(resolve('timestamp(3) with time zone')).toBe('timestamp(3) with time zone');
    expect(resolve('int[]')).toBe('integer[]');
    expect(resolve('text[][]')).toBe('text[]');
    expect(resolve('jsonb')).toBe('jsonb');
    expect(resolve('pg_catalog.int8')).toBe('bigint');
    expect(resolve('double precision')).toBe('double precision');
    expect(resolve('regclass')).toBe('regclass');
  });

  it("raises PostgreSQL's errors", () => {
    expect(() => resolve('nosuchtype')).toThrow('type "nosuchtype" does not exist');
    expect(() => resolve('public.int4')).toThrow('type "public.int4" does not exist');
    expect(() => resolve('varchar(0)')).toThrow('length for type varchar must be at least 1');
    expect(() => resolve('numeric(1001)')).toThrow('NUMERIC precision 1001 must be between 1 and 1000');
    expect(() => resolve('text(3)')).toThrow('type modifier is not allowed for type "text"');
  });
});

describe('parse_coerce', () => {
  it('checks lengths in assignment and truncates in explicit casts (the length coercion, folded by the planner)', () => {
    const vc5 = typenameTypeIdAndMod(typeNameOf('varchar(5)'));
    const unknown = lit(705, 'abcdefg');
    // As PostgreSQL: the literal is read without the typmod and wrapped in varchar(varchar, int4, bool).
    const assigned = coerceToTargetType(unknown, 705, vc5.typeOid, vc5.typmod, 'COERCION_ASSIGNMENT', 'COERCE_IMPLICIT_CAST', 0);
    expect(assigned?.type).toBe('FuncExpr');
    expect(() => evalConstExpressions(assigned as Expr)).toThrow('value too long for type character varying(5)');
    const explicit = coerceToTargetType(unknown, 705, vc5.typeOid, vc5.typmod, 'COERCION_EXPLICIT', 'COERCE_EXPLICIT_CAST', 0) as Expr;
    const e = evalConstExpressions(explicit) as Const;
    expect(e.type).toBe('Const');
    expect(e.constvalue).toBe('abcde');
    expect(e.consttypmod).toBe(vc5.typmod);
  });

  it('knows the cast contexts', () => {
    expect(canCoerceType([23], [20], 'COERCION_IMPLICIT')).toBe(true);
    expect(canCoerceType([20], [23], 'COERCION_IMPLICIT')).toBe(false);
    expect(canCoerceType([20], [23], 'COERCION_ASSIGNMENT')).toBe(true);
    expect(canCoerceType([23], [25], 'COERCION_IMPLICIT')).toBe(false);
    expect(canCoerceType([23], [25], 'COERCION_ASSIGNMENT')).toBe(true);
    expect(canCoerceType([25], [23], 'COERCION_ASSIGNMENT')).toBe(false);
    expect(canCoerceType([25], [23], 'COERCION_EXPLICIT')).toBe(true);
    expect(canCoerceType([1007], [1016], 'COERCION_IMPLICIT')).toBe(true);
    expect(canCoerceType([705], [1082], 'COERCION_IMPLICIT')).toBe(true);
  });

  it('selects common types', () => {
    expect(selectCommonType([lit(23, 1), lit(1700, '1.5')], 'CASE')).toBe(1700);
    expect(selectCommonType([lit(705, 'a'), lit(705, 'b')], 'UNION')).toBe(25);
    expect(() => selectCommonType([lit(23, 1), lit(25, 'a')], 'UNION')).toThrow('UNION types integer and text cannot be matched');
    expect(selectCommonType([lit(23, 1), lit(25, 'a')], null)).toBe(0);
  });
});

describe('parse_oper and parse_func', () => {
  it('finds sort and group operators', () => {
    const int4 = getSortGroupOperators(23, true, true, true, -1);
    expect([int4.ltOpr, int4.eqOpr, int4.gtOpr, int4.hashable]).toEqual([97, 96, 521, true]);
    const varchar = getSortGroupOperators(1043, true, true, false, -1);
    expect(lookupOperatorByOid(varchar.ltOpr).oprleft).toBe(25);
    const arr = getSortGroupOperators(1007, true, true, false, -1);
    expect(lookupOperatorByOid(arr.eqOpr).oprleft).toBe(2277);
    expect(() => getSortGroupOperators(114, true, false, false, -1)).toThrow('could not identify an ordering operator for type json');
  });

  it('resolves polymorphic and variadic calls', () => {
    const unnest = funcGetDetail(['unnest'], [1009], false, -1);
    expect(unnest.rettype).toBe(25);
    expect(unnest.retset).toBe(true);
    const agg = funcGetDetail(['array_agg'], [23], false, -1);
    expect(agg.kind).toBe('FUNCDETAIL_AGGREGATE');
    expect(agg.rettype).toBe(1007);
    const path = funcGetDetail(['jsonb_extract_path'], [3802, 705, 705], false, -1);
    expect(path.declaredArgTypes).toEqual([3802, 25, 25]);
    expect(path.variadic).toBe(true);
    const rank = funcGetDetail(['rank'], [], false, -1);
    expect(rank.kind).toBe('FUNCDETAIL_WINDOWFUNC');
    expect(funcGetDetail(['nosuch'], [23], false, -1).kind).toBe('FUNCDETAIL_NOTFOUND');
    expect(() => funcGetDetail(['length'], [25], true, -1)).toThrow('named arguments');
  });
});
