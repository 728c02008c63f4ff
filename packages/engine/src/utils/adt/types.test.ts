import { describe, expect, it } from 'vitest';
import { makeNumericTypmod } from './numeric.ts';
import {
  BOOLOID, BPCHAROID, FLOAT8OID, INT2OID, INT4OID, INT8OID, INTERVALOID, NUMERICOID, TEXTOID, TIMESTAMPOID,
  TIMESTAMPTZOID, TYPES, UUIDOID, VARCHAROID, typeByName, typeByOid, arrayTypeOf, elementTypeOf, formatType, FLOAT4OID, BYTEAOID, NAMEOID, DATEOID, OIDOID,
} from './types.ts';
import type { Datum, TypeInfo } from './datum.ts';

describe('registry', () => {
  it('finds types by OID and by any SQL spelling', () => {
    expect(typeByOid(INT4OID)?.name).toBe('int4');
    const aliases: [string, number][] = [
      ['int', INT4OID], ['INTEGER', INT4OID], ['int4', INT4OID], ['bigint', INT8OID], ['int8', INT8OID],
      ['smallint', INT2OID], ['real', FLOAT4OID], ['float4', FLOAT4OID], ['double  precision', FLOAT8OID],
      ['float8', FLOAT8OID], ['boolean', BOOLOID], ['bool', BOOLOID], ['varchar', VARCHAROID],
      ['character varying', VARCHAROID], ['char', BPCHAROID], ['character', BPCHAROID], ['bpchar', BPCHAROID],
      ['timestamp', TIMESTAMPOID], ['timestamp without time zone', TIMESTAMPOID],
      ['timestamptz', TIMESTAMPTZOID], ['Timestamp With Time Zone', TIMESTAMPTZOID], ['decimal', NUMERICOID],
      ['numeric', NUMERICOID], ['text', TEXTOID], ['uuid', UUIDOID], ['interval', INTERVALOID],
      ['bytea', BYTEAOID], ['name', NAMEOID], ['date', DATEOID], ['oid', OIDOID],
    ];
    for (const [name, oid] of aliases) expect(typeByName(name)?.oid, name).toBe(oid);
    expect(typeByName('no such type')).toBeUndefined();
    // Every base type has its array type, with PostgreSQL's OIDs.
    for (const t of TYPES.values()) {
      if (t.typtype === 'p' || t.typcategory === 'A') continue;
      expect(typeByOid(arrayTypeOf(t.oid))?.typelem, t.name).toBe(t.oid);
    }
    expect(arrayTypeOf(INT4OID)).toBe(1007);
    expect(elementTypeOf(1007)).toBe(INT4OID);
    expect(typeByOid(1009)?.name).toBe('_text');
    expect(formatType(1043, 9)).toBe('character varying(5)');
    expect(formatType(1007)).toBe('integer[]');
    expect(formatType(1042)).toBe('character');
    expect(formatType(1700, makeNumericTypmod(10, 2))).toBe('numeric(10,2)');
    expect(formatType(1184, 3)).toBe('timestamp(3) with time zone');
  });

  it('declares fixed lengths with read/write and varlenas with toBytes/fromBytes', () => {
    for (const t of TYPES.values()) {
      // Pseudo-types are never stored.
      if (t.typtype === 'p') continue;
      if (t.typlen > 0) {
        expect(t.writeFixed, t.name).toBeTypeOf('function');
        expect(t.readFixed, t.name).toBeTypeOf('function');
      } else {
        expect(t.typlen, t.name).toBe(-1);
        expect(t.toBytes, t.name).toBeTypeOf('function');
        expect(t.fromBytes, t.name).toBeTypeOf('function');
      }
    }
  });
});

/** input -> storage -> output for a few literals of every type. */
const samples: Record<string, string[]> = {
  bool: ['t', 'f'],
  bytea: ['\\x', '\\x00ff10'],
  name: ['pg_class', 'é'.repeat(31)],
  int8: ['-9223372036854775808', '42'],
  int2: ['-32768', '7'],
  int4: ['2147483647', '-1'],
  text: ['', 'héllo 😀'],
  oid: ['4294967295', '0'],
  float4: ['3.4028235e+38', 'NaN', '-0', '1e-45'],
  float8: ['1e+100', '-Infinity', '5e-324'],
  bpchar: ['ab  '],
  varchar: ['xyz'],
  date: ['2024-01-15', '4714-11-24 BC', '5874897-12-31', 'infinity', '-infinity'],
  timestamp: ['2024-01-15 13:45:00.5', '294276-12-31 23:59:59.999999', '4714-11-24 00:00:00 BC', 'infinity'],
  timestamptz: ['2024-01-15 13:45:00.5+00', '-infinity'],
  interval: ['1 year 2 mons 3 days 04:05:06', '-00:00:01', '-178956970 years -8 mons -2147483648 days -2562047788:00:54.775807', 'infinity'],
  numeric: ['12.50', 'NaN', '-Infinity', '0.000'],
  uuid: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
};

function throughStorage(t: TypeInfo, v: Datum): Datum {
  if (t.typlen > 0) {
    const view = new DataView(new ArrayBuffer(t.typlen + 8));
    t.writeFixed?.(view, 8, v);
    return t.readFixed?.(view, 8) as Datum;
  }
  const bytes = t.toBytes?.(v) as Uint8Array;
  const page = new Uint8Array(bytes.length + 5);
  page.set(bytes, 5);
  return t.fromBytes?.(page.subarray(5)) as Datum;
}

describe('storage round trip of every type', () => {
  for (const [name, texts] of Object.entries(samples)) {
    it(name, () => {
      const t = typeByName(name) as TypeInfo;
      for (const text of texts) {
        const v = t.input(text, -1);
        const back = throughStorage(t, v);
        expect(t.output(back)).toBe(text);
        expect(t.compare(v, back)).toBe(0);
      }
    });
  }
});
