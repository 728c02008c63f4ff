/*
 * arrayjson.pglite.test.ts — array, json and jsonb text I/O compared with
 * PostgreSQL (PGlite): `SELECT $1::text::type` there, input then output
 * here; the text or the SQLSTATE and message must agree.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { compareAll, ourValue, pgValue, startPostgres } from './pgdiff.testutil.ts';
import { typeByName, typeByOid, arrayTypeOf } from './types.ts';

let db: PGlite;
beforeAll(async () => {
  db = await startPostgres();
}, 60_000);
afterAll(async () => {
  await db.close();
});

const RAW_ALL: Record<number, (v: string) => string> = {};
for (const oid of [1000, 1005, 1007, 1009, 1016, 1022, 1015, 1014, 1182, 1115, 1231, 2951, 3807, 199, 114, 3802, 1187]) RAW_ALL[oid] = (v) => v;

async function pgText(sql: string, params: unknown[]): Promise<string> {
  try {
    const r = await db.query<unknown[]>(sql, params, { rowMode: 'array', parsers: RAW_ALL });
    const v = r.rows[0]?.[0];
    return v === null || v === undefined ? 'OK <null>' : `OK ${String(v)}`;
  } catch {
    return pgValue(db, sql, params);
  }
}

function typeOf(name: string): number {
  if (name.endsWith('[]')) return arrayTypeOf(typeByName(name.slice(0, -2))!.oid);
  return typeByName(name)!.oid;
}

const ARRAY_CASES: [string, string][] = [
  ['{1,2,3}', 'int4[]'], ['{}', 'int4[]'], ['{ 1 , 2 }', 'int4[]'], ['{NULL,1}', 'int4[]'], ['{null,NULL}', 'text[]'],
  ['{{1,2},{3,4}}', 'int4[]'], ['[0:1]={5,6}', 'int4[]'], ['[1:2][1:1]={{1},{2}}', 'int4[]'], ['{{1,2},{3}}', 'int4[]'],
  ['{1,2', 'int4[]'], ['1,2', 'int4[]'], ['{1,x}', 'int4[]'], ['{1}}', 'int4[]'], ['{1} x', 'int4[]'],
  ['{a,"b c","",NULL,"NULL","x\\"y","back\\\\slash"}', 'text[]'], ['{"a,b","{c}"}', 'text[]'], ['{ a b }', 'text[]'],
  ['{\\a,b\\,c}', 'text[]'], ['{"\\\\"}', 'text[]'], ['{t,f,true}', 'bool[]'], ['{1.50,NaN,-0}', 'numeric[]'],
  ['{1.5,Infinity}', 'float8[]'], ['{2024-01-01,infinity}', 'date[]'], ['{"2024-01-01 10:00"}', 'timestamp[]'],
  ['{"1 day","2 hours"}', 'interval[]'], ['{abc}', 'varchar[]'], ['{9223372036854775807}', 'int8[]'],
  ['{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', 'uuid[]'], ['{"{\\"a\\": 1}"}', 'jsonb[]'], ['{{}}', 'int4[]'],
  ['[2:1]={}', 'int4[]'], ['[1:2]={1}', 'int4[]'], ['{1,,2}', 'int4[]'], ['{,}', 'int4[]'], ['  {1}  ', 'int4[]'],
];

const JSON_CASES: string[] = [
  '{"a": 1, "b": [1, 2]}', '{"b":1,"a":2,"aa":3,"a":4}', '[1, 2.50, 1e2, -0, 1E-3]', '"str\\n\\u0041\\u00e9"', 'null', 'true',
  '  {"x" : { "y" : [ ] } }  ', '{}', '[]', '{"a":}', '{"a" 1}', '[1,]', 'tru', '01', '1.', '"abc', '{"a":1} x', '',
  '"\\u0000"', '"\\ud83d\\ude00"', '{"key with \\"quote\\"": "v"}', '[[1,[2,[3]]]]', '12345678901234567890.123456789',
  '{"a":1,"a":2}', '"\\x"', '[1 2]', '{1:2}', 'NaN',
];

describe('array and json I/O agree with PostgreSQL', () => {
  it('arrays', async () => {
    const mismatches = await compareAll(
      ARRAY_CASES,
      ([text, type]) => `${text}::${type}`,
      ([text, type]) => pgText(`SELECT $1::text::${type}`, [text]),
      ([text, type]) => ourValue(() => {
        const t = typeByOid(typeOf(type))!;
        return t.output(t.input(text, -1));
      }),
    );
    expect(mismatches).toEqual([]);
  }, 60_000);

  it('jsonb and json', async () => {
    for (const type of ['jsonb', 'json']) {
      const mismatches = await compareAll(
        JSON_CASES,
        (text) => `${text}::${type}`,
        (text) => pgText(`SELECT $1::text::${type}`, [text]),
        (text) => ourValue(() => {
          const t = typeByName(type)!;
          return t.output(t.input(text, -1));
        }),
      );
      expect(mismatches).toEqual([]);
    }
  }, 60_000);

  it('array bytes round-trip', () => {
    for (const [text, type] of ARRAY_CASES) {
      const t = typeByOid(typeOf(type))!;
      let v;
      try {
        v = t.input(text, -1);
      } catch {
        continue;
      }
      const back = t.fromBytes!(t.toBytes!(v));
      expect(t.output(back)).toBe(t.output(v));
      expect(t.compare(back, v)).toBe(0);
    }
  });
});
