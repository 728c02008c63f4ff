/*
 * parse_resolve.pglite.test.ts — operator and function resolution and the
 * built-in functions' results compared with PostgreSQL (PGlite).
 *
 * Each case is an operator or function applied to literals of given types
 * (an unknown literal is a bare string). PostgreSQL runs
 * `SELECT pg_typeof(expr)::text, (expr)::text`; this side resolves the same
 * call with makeOp / parseFuncOrColumn, evaluates it through the registry's
 * impl, and prints the result with the type's output function. The chosen
 * result type, the value and any error's SQLSTATE and message must agree.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { makeOp } from './parse_oper.ts';
import { parseFuncOrColumn } from './parse_func.ts';
import { coerceToBoolean, coerceToTargetType, selectCommonType } from './parse_coerce.ts';
import { typenameTypeIdAndMod } from './parse_type.ts';
import { formatType } from '../utils/adt/types.ts';
import { isPgError, PgError } from '../utils/errors.ts';
import { startPostgres } from '../utils/adt/pgdiff.testutil.ts';
import { type Lit, describeOurs, describePg as describePgOn, literal, sqlLit, typeNameOf } from './resolve.testutil.ts';

let db: PGlite;
beforeAll(async () => {
  db = await startPostgres();
}, 60_000);
afterAll(async () => {
  await db.close();
});

const describePg = (sql: string): Promise<string> => describePgOn(db, sql);

const OPS: [string, Lit | null, Lit][] = [
  ['+', ['1', 'int4'], ['2', 'int4']],
  ['+', ['1', 'int4'], ['2', 'int8']],
  ['+', ['1', 'int2'], ['2', 'int4']],
  ['+', ['2147483647', 'int4'], ['1', 'int4']],
  ['*', ['9223372036854775807', 'int8'], ['2', 'int8']],
  ['/', ['1', 'int4'], ['0', 'int4']],
  ['/', ['7', 'int4'], ['2', 'int4']],
  ['%', ['-7', 'int4'], ['2', 'int4']],
  ['+', ['1', 'int4'], ['2.5', 'numeric']],
  ['+', ['1', 'int4'], ['2.5', 'float8']],
  ['+', ['1', 'int4'], '2'],
  ['+', '1', '2'],
  ['=', 'a', 'b'],
  ['=', ['1', 'int4'], ['1', 'int8']],
  ['<', ['1.5', 'float4'], ['1.5', 'float8']],
  ['=', ['2024-01-01', 'date'], ['2024-01-01 00:00', 'timestamp']],
  ['||', 'a', ['1', 'int4']],
  ['||', ['1', 'int4'], ['2', 'int4']],
  ['||', ['ab', 'text'], ['cd', 'varchar']],
  ['+', ['1', 'int4'], ['a', 'text']],
  ['+', ['2024-01-31', 'date'], ['1', 'int4']],
  ['-', ['2024-03-01', 'date'], ['2024-01-01', 'date']],
  ['+', ['2024-01-31', 'date'], ['1 month', 'interval']],
  ['-', ['2024-01-31 10:00', 'timestamp'], ['2024-01-01', 'timestamp']],
  ['-', null, ['5', 'int4']],
  ['-', null, ['a', 'text']],
  ['~~', ['abc', 'text'], 'a%'],
  ['~~*', ['ABC', 'text'], 'a_c'],
  ['!~~', ['abc', 'text'], 'b%'],
  ['~', ['abc', 'text'], '^a.c$'],
  ['~*', ['ABC', 'text'], 'b'],
  ['!~', ['abc', 'text'], 'z'],
  ['~', ['abc', 'text'], '('],
  ['->>', ['{"a": [1, 2]}', 'jsonb'], 'a'],
  ['->', ['{"a": [1, 2]}', 'jsonb'], 'a'],
  ['@>', ['{"a": 1, "b": 2}', 'jsonb'], '{"a": 1}'],
  ['?', ['{"a": 1}', 'jsonb'], 'a'],
  ['||', ['{1,2}', 'int4[]'], ['3', 'int4']],
  ['@>', ['{1,2,3}', 'int4[]'], '{2,3}'],
  ['&&', ['{1,2,3}', 'int4[]'], '{5,3}'],
  ['=', ['{1,2}', 'int4[]'], '{1,2}'],
  ['<', ['{1,2}', 'int4[]'], '{1,3}'],
  ['+', 'a', 'b'],
  ['+', ['1', 'int4'], ['2', 'bool']],
  ['=', ['1', 'int4'], 'x'],
  ['=', ['1', 'int4'], '1.5'],
  ['<', ['abc', 'text'], ['abd', 'varchar']],
  ['=', ['a', 'bpchar'], 'a  '],
  ['=', ['a', 'name'], ['a', 'text']],
  ['-', ['2024-01-01', 'timestamptz'], ['1', 'int4']],
  ['-', ['2024-01-01 10:00', 'timestamptz'], ['2024-01-01', 'date']],
  ['*', ['2 days', 'interval'], ['1.5', 'float8']],
  ['/', ['1 day', 'interval'], '2'],
  ['+', ['1 day', 'interval'], ['2024-01-01', 'date']],
  ['+', ['3', 'int4'], ['2024-01-01', 'date']],
  ['-', ['-2147483648', 'int4'], ['1', 'int4']],
  ['-', null, ['-2147483648', 'int4']],
  ['/', ['-2147483648', 'int4'], ['-1', 'int4']],
  ['%', ['-2147483648', 'int4'], ['-1', 'int4']],
  ['/', ['1', 'float8'], ['0', 'float8']],
  ['/', ['1', 'numeric'], ['3', 'numeric']],
  ['^', ['2', 'float8'], ['0.5', 'float8']],
  ['^', ['2', 'int4'], ['3', 'int4']],
  ['|/', null, ['16', 'float8']],
  ['@', null, ['-4', 'int4']],
  ['&', ['12', 'int4'], ['10', 'int4']],
  ['<<', ['1', 'int8'], ['40', 'int4']],
  ['||', ['ab', 'bpchar'], ['cd', 'bpchar']],
  ['||', ['{"a":1}', 'jsonb'], ['{"b":2}', 'jsonb']],
  ['-', ['{"a":1,"b":2}', 'jsonb'], 'a'],
  ['#>', ['{"a":{"b":[1,2]}}', 'jsonb'], '{a,b,1}'],
  ['#>>', ['{"a":{"b":[1,2]}}', 'jsonb'], '{a,b}'],
  ['->', ['[1,2,3]', 'jsonb'], ['-1', 'int4']],
  ['->>', ['{"a":"x"}', 'json'], 'a'],
  ['->', ['{"a":1,"a":2}', 'json'], 'a'],
  ['->', ['{"a": [1,  2] }', 'json'], 'a'],
  ['->>', ['{"a": [1,  2] }', 'json'], 'a'],
  ['->>', ['{"a": "x\\ny", "b": null}', 'json'], 'a'],
  ['->>', ['{"a": "x", "b": null}', 'json'], 'b'],
  ['->', ['[1, {"x" :  3}]', 'json'], ['1', 'int4']],
  ['->', ['[1, {"x" :  3}]', 'json'], ['-1', 'int4']],
  ['#>', ['{"a":{"b": [ 1 ]}}', 'json'], '{a,b}'],
  ['#>>', ['{"a":{"b": [ 1 , "z"]}}', 'json'], '{a,b,1}'],
  ['?|', ['{"a":1}', 'jsonb'], '{b,a}'],
  ['?&', ['{"a":1}', 'jsonb'], '{b,a}'],
  ['<@', ['{"a":1}', 'jsonb'], '{"a":1,"b":2}'],
  ['@>', ['[1,2,[3]]', 'jsonb'], '[[3]]'],
  ['=', ['{"a":1}', 'jsonb'], '{"a":1.0}'],
  ['<', ['[1,2]', 'jsonb'], '{"a":1}'],
  ['~~', ['a_c', 'text'], 'a\\_c'],
  ['~~', ['abc', 'varchar'], 'a%'],
  ['~~', ['abc', 'name'], 'a%'],
  ['||', ['{1,2}', 'int4[]'], ['{3,4}', 'int4[]']],
  ['||', ['1', 'int4'], ['{3,4}', 'int4[]']],
  ['||', ['{1}', 'int4[]'], '{2}'],
  ['=', ['{1,2}', 'int4[]'], ['{1,2}', 'int8[]']],
  ['<@', ['{1}', 'int4[]'], ['{1,2}', 'int4[]']],
  ['<', 'a', ['b', 'varchar']],
  ['=', ['1', 'int2'], '1'],
  ['=', ['1', 'oid'], ['1', 'int4']],
  ['=', ['1', 'int8'], ['1.0', 'numeric']],
  ['=', ['1', 'float4'], ['1', 'numeric']],
  ['+', ['1', 'int4'], ['1', 'oid']],
  ['-', ['2024-01-02', 'date'], '2024-01-01'],
  ['-', ['2024-01-02', 'date'], '1 day'],
  ['+', ['2024-01-02', 'timestamp'], '1 day'],
  ['-', ['2024-01-02', 'timestamptz'], '2024-01-01'],
  ['<', ['2024-01-02', 'date'], '2024-01-01 10:00'],
  ['=', ['{"a":1}', 'json'], ['{"a":1}', 'json']],
  ['||', 'a', 'b'],
  ['||', ['a', 'varchar'], ['b', 'varchar']],
  ['||', ['a', 'bpchar'], ['1', 'int4']],
  ['||', 'a', ['{1}', 'int4[]']],
  ['||', ['{a}', 'text[]'], 'b'],
  ['@>', ['{1}', 'int4[]'], ['{1}', 'int8[]']],
  ['=', ['(0,1)', 'tid'], '(0,1)'],
  ['=', ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'uuid'], 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'],
  ['<', ['\\x01', 'bytea'], ['\\x0102', 'bytea']],
  ['=', ['t', 'bool'], 'yes'],
  ['<', ['t', 'bool'], ['f', 'bool']],
  ['-', null, '5'],
  ['-', null, ['5', 'numeric']],
  ['~~', ['abc', 'bpchar'], 'a%'],
  ['!', null, ['5', 'int4']],
];

const FUNCS: [string, Lit[]][] = [
  ['length', ['abc']],
  ['length', [['abc  ', 'bpchar']]],
  ['upper', ['abc']],
  ['initcap', ['hello wORLD']],
  ['substr', ['hello', ['2', 'int4'], ['3', 'int4']]],
  ['substr', ['hello', ['-1', 'int4'], ['3', 'int4']]],
  ['substring', ['hello', ['2', 'int4']]],
  ['strpos', ['hello', 'll']],
  ['btrim', ['  x  ']],
  ['ltrim', ['xxaxx', 'x']],
  ['replace', ['abcabc', 'b', 'X']],
  ['concat', ['a', ['1', 'int4'], ['2024-01-01', 'date']]],
  ['concat_ws', [',', 'a', ['1', 'int4']]],
  ['left', ['hello', ['-2', 'int4']]],
  ['right', ['hello', ['2', 'int4']]],
  ['lpad', ['hi', ['5', 'int4'], 'xy']],
  ['rpad', ['hi', ['5', 'int4']]],
  ['repeat', ['ab', ['3', 'int4']]],
  ['reverse', ['abc']],
  ['split_part', ['a,b,c', ',', ['-1', 'int4']]],
  ['starts_with', ['hello', 'he']],
  ['md5', ['abc']],
  ['chr', [['65', 'int4']]],
  ['ascii', ['A']],
  ['to_hex', [['255', 'int4']]],
  ['to_hex', [['-1', 'int8']]],
  ['abs', [['-5', 'int4']]],
  ['abs', ['-5.5']],
  ['round', [['2.5', 'numeric']]],
  ['round', [['2.345', 'numeric'], ['2', 'int4']]],
  ['round', [['2.5', 'float8']]],
  ['trunc', [['-2.7', 'numeric']]],
  ['floor', [['-2.5', 'numeric']]],
  ['ceil', [['2.1', 'float8']]],
  ['mod', [['7', 'int4'], ['3', 'int4']]],
  ['power', [['2', 'int4'], ['10', 'int4']]],
  ['power', [['2', 'numeric'], ['10', 'numeric']]],
  ['sqrt', [['2', 'float8']]],
  ['sqrt', [['-1', 'float8']]],
  ['ln', [['0', 'float8']]],
  ['exp', [['1', 'float8']]],
  ['sign', [['-3', 'numeric']]],
  ['div', [['7', 'numeric'], ['2', 'numeric']]],
  ['int4', [['2.5', 'numeric']]],
  ['text', [['12', 'int4']]],
  ['date_trunc', ['month', ['2024-05-17 10:11:12', 'timestamp']]],
  ['date_part', ['year', ['2024-05-17', 'date']]],
  ['date_part', ['epoch', ['2024-05-17 10:00', 'timestamp']]],
  ['age', [['2024-05-17', 'timestamp'], ['2020-01-01', 'timestamp']]],
  ['make_date', [['2024', 'int4'], ['2', 'int4'], ['29', 'int4']]],
  ['make_date', [['2023', 'int4'], ['2', 'int4'], ['29', 'int4']]],
  ['justify_hours', [['27 hours', 'interval']]],
  ['to_timestamp', [['0', 'float8']]],
  ['array_length', [['{1,2,3}', 'int4[]'], ['1', 'int4']]],
  ['array_upper', [['[0:2]={1,2,3}', 'int4[]'], ['1', 'int4']]],
  ['cardinality', [['{{1,2},{3,4}}', 'int4[]']]],
  ['array_append', [['{1,2}', 'int4[]'], ['3', 'int4']]],
  ['array_prepend', [['0', 'int4'], ['{1,2}', 'int4[]']]],
  ['array_cat', [['{1,2}', 'int4[]'], ['{3}', 'int4[]']]],
  ['array_position', [['{a,b,c}', 'text[]'], 'b']],
  ['array_to_string', [['{1,NULL,3}', 'int4[]'], ',', '*']],
  ['string_to_array', ['a,b,,c', ',']],
  ['jsonb_build_object', ['a', ['1', 'int4'], 'b', ['x', 'text']]],
  ['jsonb_build_array', [['1', 'int4'], 'x', ['true', 'bool']]],
  ['to_jsonb', [['{1,2}', 'int4[]']]],
  ['jsonb_typeof', [['[1]', 'jsonb']]],
  ['jsonb_array_length', [['[1,2,3]', 'jsonb']]],
  ['jsonb_set', [['{"a": 1}', 'jsonb'], '{b}', '2']],
  ['jsonb_pretty', [['{"a": [1, {"b": 2}]}', 'jsonb']]],
  ['json_build_object', ['a', ['1', 'int4']]],
  ['pg_typeof', ['x']],
  ['pg_typeof', [['1', 'int4']]],
  ['nullif_missing', ['x']],
  ['length', [['1', 'int4']]],
  ['substr', [['1', 'int4'], ['2', 'int4']]],
  ['abs', ['x']],
  ['round', ['2.5']],
  ['round', [['2.5', 'int4']]],
  ['sqrt', [['2', 'int4']]],
  ['sqrt', ['2']],
  ['log', [['100', 'float8']]],
  ['ln', [['2.718281828459045', 'float8']]],
  ['cbrt', [['27', 'float8']]],
  ['pi', []],
  ['degrees', [['1', 'float8']]],
  ['radians', [['180', 'float8']]],
  ['greatest_missing', []],
  ['trunc', [['-2.789', 'numeric'], ['1', 'int4']]],
  ['mod', [['-7.5', 'numeric'], ['2', 'numeric']]],
  ['mod', [['7', 'int4'], ['0', 'int4']]],
  ['power', [['0', 'float8'], ['-1', 'float8']]],
  ['power', [['-8', 'float8'], ['0.5', 'float8']]],
  ['power', [['1.5', 'numeric'], ['3', 'int4']]],
  ['power', [['2', 'numeric'], ['-2', 'numeric']]],
  ['char_length', ['héllo']],
  ['octet_length', ['héllo']],
  ['lower', ['ÀBC']],
  ['chr', [['0', 'int4']]],
  ['chr', [['233', 'int4']]],
  ['split_part', ['a,b,c', ',', ['0', 'int4']]],
  ['split_part', ['a,b,c', ',', ['5', 'int4']]],
  ['lpad', ['hello', ['3', 'int4']]],
  ['repeat', ['x', ['-1', 'int4']]],
  ['substr', ['hello', ['2', 'int4'], ['-1', 'int4']]],
  ['position_missing', []],
  ['concat', []],
  ['concat', [['{1,2}', 'int4[]'], ['{"a":1}', 'jsonb'], ['t', 'bool']]],
  ['concat_ws', ['-', ['1', 'int4'], ['2.50', 'numeric']]],
  ['md5', [['\\x00ff', 'bytea']]],
  ['date_trunc', ['week', ['2024-05-17 10:11:12', 'timestamp']]],
  ['date_trunc', ['hour', ['2 days 3 hours 4 minutes', 'interval']]],
  ['date_part', ['dow', ['2024-05-17', 'timestamp']]],
  ['age', [['2024-05-17 10:00', 'timestamptz'], ['2024-01-31 23:00', 'timestamptz']]],
  ['make_interval', [['1', 'int4'], ['2', 'int4']]],
  ['justify_days', [['35 days', 'interval']]],
  ['justify_interval', [['1 mon -1 hour', 'interval']]],
  ['isfinite', [['infinity', 'date']]],
  ['to_timestamp', [['1700000000.5', 'float8']]],
  ['array_ndims', [['{{1},{2}}', 'int4[]']]],
  ['array_dims', [['[0:1]={1,2}', 'int4[]']]],
  ['array_lower', [['{1,2}', 'int4[]'], ['2', 'int4']]],
  ['array_positions', [['{1,2,1}', 'int4[]'], ['1', 'int4']]],
  ['array_remove', [['{1,2,1}', 'int4[]'], ['1', 'int4']]],
  ['array_replace', [['{1,2,1}', 'int4[]'], ['1', 'int4'], ['9', 'int4']]],
  ['array_to_string', [['{a,b}', 'text[]'], '-']],
  ['string_to_array', ['a b c', ' ', 'b']],
  ['string_to_array', ['abc', ['', 'text']]],
  ['array_cat', [['{{1,2}}', 'int4[]'], ['{3,4}', 'int4[]']]],
  ['array_append', [['{1}', 'int4[]'], '2']],
  ['array_append', [['{{1}}', 'int4[]'], ['2', 'int4']]],
  ['array_fill', [['7', 'int4'], '{2,2}']],
  ['trim_array', [['{1,2,3}', 'int4[]'], ['1', 'int4']]],
  ['jsonb_build_object', ['a', ['1.50', 'numeric'], 'b', ['NaN', 'float8'], 'c', ['2024-01-01 10:00', 'timestamp']]],
  ['jsonb_build_object', ['a']],
  ['json_build_array', [['1', 'int4'], 'x', ['{"a":1}', 'json']]],
  ['to_json', [['a"b', 'text']]],
  ['to_jsonb', [['2024-01-01', 'date']]],
  ['to_jsonb', [['{"x":[1]}', 'json']]],
  ['jsonb_typeof', [['null', 'jsonb']]],
  ['jsonb_array_length', [['{}', 'jsonb']]],
  ['jsonb_set', [['[1,2]', 'jsonb'], '{5}', '9']],
  ['jsonb_set', [['{"a":{"b":1}}', 'jsonb'], '{a,b}', '[2]', ['false', 'bool']]],
  ['jsonb_strip_nulls', [['{"a":null,"b":[null]}', 'jsonb']]],
  ['jsonb_extract_path_text', [['{"a":{"b":"x"}}', 'jsonb'], 'a', 'b']],
  ['jsonb_extract_path', [['{"a":{"b":"x"}}', 'jsonb'], 'a']],
  ['json_typeof', [['"x"', 'json']]],
  ['gen_random_uuid_missing', []],
  ['int8', [['12', 'int4']]],
  ['float8', ['1.5']],
  ['date', [['2024-01-01 10:00', 'timestamp']]],
  ['bool', ['t']],
  ['int4', [['t', 'bool']]],
  ['starts_with', [['abc', 'varchar'], 'a']],
  ['version_missing', []],
  ['regexp_replace', ['foobarbaz', 'b(..)', 'X\\1Y']],
  ['regexp_replace', ['foobarbaz', 'b(..)', 'X\\1Y', 'g']],
  ['regexp_replace', ['aaa', 'A', 'b', 'gi']],
  ['regexp_match', ['foobarbequebaz', '(bar)(beque)']],
  ['regexp_match', ['abc', 'x']],
  ['regexp_match', ['abc', 'b']],
  ['regexp_split_to_array', ['hello world  foo', '\\s+']],
  ['regexp_split_to_array', ['abc', '']],
  ['substring', ['foobar', 'o(.)b']],
  ['substring', ['foobar', 'o.b']],
  ['textregexeq', ['abc', '^a[[:alpha:]]+$']],
  ['format', ['Hello %s, %I %L %%', 'World', 'My Table', "O'Reilly"]],
  ['format', ['%2$s %1$s', 'a', 'b']],
  ['format', ['|%-5s|%5s|', 'ab', 'cd']],
  ['format', ['%s', ['{1,2}', 'int4[]']]],
  ['format', ['%x', 'a']],
  ['quote_ident', ['select']],
  ['quote_ident', ['abc']],
  ['quote_ident', ['Abc']],
  ['quote_literal', ["it's"]],
  ['quote_literal', ['back\\slash']],
  ['quote_nullable', ['x']],
  ['translate', ['12345', '143', 'ax']],
  ['overlay', ['Txxxxas', 'hom', ['2', 'int4'], ['4', 'int4']]],
  ['timezone', ['UTC', ['2024-01-01 10:00+02', 'timestamptz']]],
  ['timezone', ['America/New_York', ['2024-07-01 10:00', 'timestamp']]],
  ['timezone', ['+02', ['2024-01-01 10:00+00', 'timestamptz']]],
  ['timezone', ['Nowhere/Zone', ['2024-01-01 10:00+00', 'timestamptz']]],
  ['timezone', [['-05:00', 'interval'], ['2024-01-01 10:00+00', 'timestamptz']]],
  ['int4', [['12', 'jsonb']]],
  ['float8', [['1.5', 'jsonb']]],
  ['int4', [['"x"', 'jsonb']]],
  ['bool', [['true', 'jsonb']]],
  ['overlaps', [['2024-01-01', 'timestamp'], ['2 days', 'interval'], ['2024-01-02', 'timestamp'], ['2024-01-05', 'timestamp']]],
  ['overlaps', [['2024-01-01', 'timestamptz'], ['2024-01-02', 'timestamptz'], ['2024-01-02', 'timestamptz'], ['1 day', 'interval']]],
  ['overlaps', [['2024-01-01', 'date'], ['2024-01-02', 'date'], ['2024-01-03', 'date'], ['2024-01-04', 'date']]],
  ['row_to_json', [['(1,"a b")', 'record']]],
  ['to_json', [['{"a":1}', 'jsonb']]],
  ['array_to_json', [['{{1,2},{3,4}}', 'int4[]']]],
  ['length', ['abc']],
  ['round', ['1.5']],
  ['abs', ['1']],
  ['abs', [['1', 'int2']]],
  ['sqrt', [['4', 'int8']]],
  ['power', [['2', 'int8'], ['3', 'numeric']]],
  ['mod', [['7', 'int2'], ['3', 'int8']]],
  ['mod', ['7', '3']],
  ['lpad', [['x', 'varchar'], ['3', 'int8']]],
  ['left', [['abc', 'bpchar'], ['1', 'int2']]],
  ['date_trunc', ['day', '2024-01-01 10:00']],
  ['date_trunc', ['day', ['2024-01-01', 'date']]],
  ['date_part', ['day', '2024-01-05']],
  ['age', ['2024-01-01', '2023-01-01']],
  ['array_length', ['{1,2}', ['1', 'int4']]],
  ['array_append', ['{1,2}', ['3', 'int4']]],
  ['array_cat', ['{1}', '{2}']],
  ['array_cat', [['{1}', 'int4[]'], ['{2}', 'int8[]']]],
  ['array_position', [['{1,2}', 'int8[]'], ['2', 'int4']]],
  ['cardinality', ['{1,2}']],
  ['jsonb_build_object', []],
  ['jsonb_typeof', ['{}']],
  ['to_jsonb', ['x']],
  ['concat', ['a', 'b']],
  ['greatest_missing', ['1', '2']],
  ['md5', ['x']],
  ['starts_with', [['abc', 'name'], 'a']],
  ['split_part', [['a-b', 'bpchar'], '-', ['1', 'int8']]],
  ['make_interval', [['1', 'int4']]],
  ['justify_days', ['40 days']],
  ['to_timestamp', ['1700000000']],
  ['to_timestamp', [['1700000000', 'int4']]],
  ['generate_series_missing', []],
  ['int8', ['12']],
  ['float4', [['1.25', 'numeric']]],
  ['timestamptz', [['2024-01-01', 'date']]],
  ['date', ['2024-01-01']],
  ['bool', [['1', 'int4']]],
  ['text', [['t', 'bool']]],
  ['name', [['abc', 'text']]],
  ['oid', [['12', 'int8']]],
  ['uuid', [['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'text']]],
  ['jsonb', [['{"a":1}', 'json']]],
  ['regclass', [['12', 'int4']]],
];

/** [literal, target type as written in SQL] for explicit casts. */
const CASTS: [Lit, string][] = [
  ['12', 'int4'], ['x', 'int4'], ['12.5', 'int4'], [['12.5', 'numeric'], 'int4'], [['12.5', 'float8'], 'int8'],
  [['3000000000', 'int8'], 'int4'], [['70000', 'int4'], 'int2'], ['abcdef', 'varchar(3)'], [['abcdef', 'text'], 'varchar(3)'],
  ['ab', 'char(4)'], [['ab', 'text'], 'char(4)'], [['1.23456', 'numeric'], 'numeric(4,2)'], [['123.456', 'numeric'], 'numeric(4,2)'],
  ['2024-01-01 10:11:12.345678', 'timestamp(2)'], [['2024-01-01', 'date'], 'timestamp'], [['2024-01-01 10:00', 'timestamp'], 'date'],
  [['1', 'int4'], 'bool'], [['true', 'bool'], 'int4'], [['1', 'int4'], 'date'], [['12', 'int4'], 'text'], [['t', 'bool'], 'text'],
  [['2024-01-01', 'date'], 'varchar'], [['abc', 'text'], 'int4'], [['{"a":1}', 'jsonb'], 'text'], [['{"a": 1}', 'json'], 'jsonb'],
  [['{"a":1}', 'jsonb'], 'json'], ['{1,2}', 'int4[]'], [['{1,2}', 'int4[]'], 'int8[]'], [['{1,2}', 'int4[]'], 'text[]'],
  [['{1.5,2.5}', 'numeric[]'], 'int4[]'], [['{1,2}', 'int4[]'], 'text'], [['1.5', 'float8'], 'numeric'], [['1e300', 'float8'], 'float4'],
  [['NaN', 'numeric'], 'float8'], [['abc', 'varchar'], 'name'], ['1 day', 'interval'], [['1', 'int4'], 'oid'], [['42', 'oid'], 'int8'],
  [['5', 'int8'], 'oid'], ['{1,2', 'int4[]'], [['abc', 'bpchar'], 'text'], [['abc  ', 'bpchar'], 'varchar'], [['1', 'int4'], 'interval'],
  ['(0,1)', 'tid'], [['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'uuid'], 'text'], [['12', 'text'], 'numeric'],
];

/** Inputs of COALESCE / CASE / UNION: the common type or the error must agree. */
const COMMON: Lit[][] = [
  [['1', 'int4'], ['2', 'int8']], [['1', 'int4'], '2'], ['a', 'b'], [['1', 'int4'], ['a', 'text']], [['1', 'int2'], ['1.5', 'numeric']],
  [['1', 'int4'], ['1.5', 'float4']], [['1.5', 'float4'], ['1.5', 'numeric']], [['a', 'varchar'], ['b', 'text']],
  [['a', 'bpchar'], ['b', 'varchar']], [['2024-01-01', 'date'], ['2024-01-01', 'timestamp']], [['2024-01-01', 'date'], ['2024-01-01', 'timestamptz']],
  [['1 day', 'interval'], ['2024-01-01', 'date']], [['t', 'bool'], ['1', 'int4']], [['{1}', 'int4[]'], ['{1}', 'int8[]']],
  [['{"a":1}', 'jsonb'], ['{}', 'json']], [['1', 'int4'], ['1', 'oid']], [['a', 'name'], ['b', 'text']], ['x', ['1', 'int4'], ['2', 'numeric']],
  [['12', 'int8'], ['1.5', 'float8'], ['1', 'numeric']],
];

describe('resolution and results agree with PostgreSQL', () => {
  it('common types', async () => {
    const mismatches: string[] = [];
    for (const lits of COMMON) {
      const sql = `COALESCE(${lits.map(sqlLit).join(', ')})`;
      let pg: string;
      try {
        const r = await db.query<[string]>(`SELECT pg_typeof(${sql})::text`, [], { rowMode: 'array' });
        pg = `OK ${r.rows[0][0]}`;
      } catch (err) {
        const e = err as { code?: string; message?: string };
        pg = `ERR ${e.code} ${e.message}`;
      }
      let ours: string;
      try {
        const t = selectCommonType(lits.map(literal), 'COALESCE');
        for (const l of lits) {
          const c = literal(l);
          if (c.consttype !== t && coerceToTargetType(c, c.consttype, t, -1, 'COERCION_IMPLICIT', 'COERCE_IMPLICIT_CAST', 0) === null) {
            throw new PgError('42846', `COALESCE could not convert type ${formatType(c.consttype)} to ${formatType(t)}`);
          }
        }
        ours = `OK ${formatType(t)}`;
      } catch (err) {
        ours = isPgError(err) ? `ERR ${err.code} ${err.message}` : `THROW ${String(err)}`;
      }
      if (pg !== ours) mismatches.push(`${sql}\n  pg:   ${pg}\n  ours: ${ours}`);
    }
    expect(mismatches).toEqual([]);
  }, 60_000);

  it('boolean contexts', async () => {
    const mismatches: string[] = [];
    for (const lit of [['1', 'int4'], 't', 'x', ['t', 'bool'], ['true', 'text']] as Lit[]) {
      let pg: string;
      try {
        await db.query(`SELECT 1 WHERE ${sqlLit(lit)}`);
        pg = 'OK';
      } catch (err) {
        const e = err as { code?: string; message?: string };
        pg = `ERR ${e.code} ${e.message}`;
      }
      let ours: string;
      try {
        coerceToBoolean(literal(lit), 'WHERE');
        ours = 'OK';
      } catch (err) {
        ours = isPgError(err) ? `ERR ${err.code} ${err.message}` : `THROW ${String(err)}`;
      }
      if (pg !== ours) mismatches.push(`WHERE ${sqlLit(lit)}\n  pg:   ${pg}\n  ours: ${ours}`);
    }
    expect(mismatches).toEqual([]);
  }, 60_000);

  it('explicit casts', async () => {
    const mismatches: string[] = [];
    for (const [lit, type] of CASTS) {
      const sql = `CAST(${sqlLit(lit)} AS ${type})`;
      const pg = await describePg(sql);
      const ours = describeOurs(() => {
        const arg = literal(lit);
        const { typeOid, typmod } = typenameTypeIdAndMod(typeNameOf(type));
        const r = coerceToTargetType(arg, arg.consttype, typeOid, typmod, 'COERCION_EXPLICIT', 'COERCE_EXPLICIT_CAST', 0);
        if (r === null) throw new PgError('42846', `cannot cast type ${formatType(arg.consttype)} to ${formatType(typeOid)}`);
        return r;
      });
      if (process.env.DEBUG_CASTS) console.log(sql, '|', pg, '|', ours);
      if (pg !== ours) mismatches.push(`${sql}\n  pg:   ${pg}\n  ours: ${ours}`);
    }
    expect(mismatches).toEqual([]);
  }, 60_000);

  it('operators', async () => {
    const mismatches: string[] = [];
    for (const [op, l, r] of OPS) {
      const sql = l === null ? `${op} ${sqlLit(r)}` : `${sqlLit(l)} ${op} ${sqlLit(r)}`;
      const pg = await describePg(sql);
      const ours = describeOurs(() => makeOp([op], l === null ? null : literal(l), literal(r), 0));
      if (pg !== ours) mismatches.push(`${sql}\n  pg:   ${pg}\n  ours: ${ours}`);
    }
    expect(mismatches).toEqual([]);
  }, 60_000);

  it('functions', async () => {
    const mismatches: string[] = [];
    for (const [name, args] of FUNCS) {
      const sql = `${name}(${args.map(sqlLit).join(', ')})`;
      const pg = await describePg(sql);
      const ours = describeOurs(() => parseFuncOrColumn([name], args.map(literal), 0));
      if (pg !== ours) mismatches.push(`${sql}\n  pg:   ${pg}\n  ours: ${ours}`);
    }
    expect(mismatches).toEqual([]);
  }, 60_000);
});
