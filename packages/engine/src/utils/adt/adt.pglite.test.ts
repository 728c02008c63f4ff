/*
 * Differential test of text input and output: several hundred literals of
 * every type go through PostgreSQL (PGlite, `SELECT $1::text::type`) and
 * through TypeInfo.input/output; the text, or the SQLSTATE and message of
 * the error, must be the same.
 *
 * `$1::text::type` runs the type's input function on the text, and for a
 * type with a modifier the explicit-cast length coercion, which is what
 * input(text, -1) followed by applyTypmod(value, typmod, true) does here.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { compareAll, ourValue, pgValue, seededRandom, startPostgres } from './pgdiff.testutil.ts';
import { typeByName } from './types.ts';
import { makeNumericTypmod } from './numeric.ts';

let db: PGlite;
beforeAll(async () => {
  db = await startPostgres();
});
afterAll(async () => {
  await db.close();
});

/** A literal for `sqlType` (as written in SQL); typmod is the modifier our side applies. */
interface Case {
  sqlType: string;
  text: string;
  typmod?: number;
}

async function check(cases: Case[]): Promise<void> {
  const mismatches = await compareAll(
    cases,
    (c) => `${JSON.stringify(c.text)}::${c.sqlType}`,
    (c) => pgValue(db, `SELECT $1::text::${c.sqlType}`, [c.text]),
    (c) =>
      ourValue(() => {
        const t = typeByName(c.sqlType.replace(/\(.*\)$/, ''));
        if (t === undefined) throw new Error(`no type ${c.sqlType}`);
        let v = t.input(c.text, -1);
        if (c.typmod !== undefined && t.applyTypmod !== undefined) v = t.applyTypmod(v, c.typmod, true);
        return t.output(v);
      }),
  );
  expect(mismatches).toEqual([]);
}

const of = (sqlType: string, texts: string[]): Case[] => texts.map((text) => ({ sqlType, text }));

describe('integers and booleans', () => {
  it('int2, int4, int8, oid', async () => {
    await check([
      ...of('int4', [
        '0', '1', '-1', ' 12 ', '+7', '1_000', '0x1F', '0x_1F', '_1', '1__0', '1_', '99999999999',
        '2147483647', '2147483648', '-2147483648', '-2147483649', '', '+', '-', '12 3', '1e3', '1.0',
        '0x', '0b101', '0o17', '-0x80000000', '0x80000000', '0X1f', '\t12\n', '00000000000000000000000001',
        'abc', '٣',
      ]),
      ...of('int2', ['32767', '32768', '-32768', '-32769', 'x', ' 5 ', '0x7fff', '0x8000']),
      ...of('int8', [
        '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809',
        '0x7FFFFFFFFFFFFFFF', '0x8000000000000000', '-0x8000000000000000', 'x', '1_000_000_000_000',
        '123456789012345678901234567890',
      ]),
      ...of('oid', [
        '0', '-1', '4294967295', '4294967296', '-4294967295', '-4294967296', '010', '08', '0x10',
        ' 0x10 ', '1_0', '+5', 'x', '', '0xFFFFFFFF', '-0',
      ]),
    ]);
  });

  it('bool', async () => {
    await check(
      of('bool', [
        't', 'true', 'TRUE', ' tr ', 'tru', 'truex', 'f', 'fa', 'false', 'y', 'yes', 'ye', 'n', 'no', 'on',
        'of', 'off', 'o', '1', '0', '10', '', 'x', ' \t yes \n', 'ON', 'oN', 'nO',
      ]),
    );
  });
});

describe('floating point', () => {
  it('float8: specials, range errors and shortest output', async () => {
    const rnd = seededRandom(1);
    const texts = [
      '0', '-0', '1', '-1', '0.1', '0.2', '0.3', '1e23', '1e22', '1e21', '1e100', '1.5e-7',
      '123456789012345678901', '1e15', '1e14', '123456789012345', '1234567890123456', '5e-324',
      '4.9e-324', '2.5e-324', '2e-324', '1e-400', '1e400', '1.7976931348623157e308',
      '1.7976931348623159e308', '9007199254740993', '0x10', '0x1p-2', '0x1.8p1', '0x', 'NaN', 'nan',
      ' nan ', '-nan', '+NaN', 'Infinity', '-Infinity', 'inf', '-inf', '+INF', 'infinityx', 'nanx', '1e',
      '', '.5', '5.', '-.5e-3', '1_000', '  1.5  ', 'x', '1e-5', '0.0001', '0.00001', '100', '1e16',
      '3.141592653589793', '2.718281828459045', '1e-310', '0.30000000000000004', '123.456e10', '1E+2',
      '1e+', '++1', '1.5.5',
    ];
    for (let i = 0; i < 150; i++) texts.push(`${rnd() * 10}e${Math.floor(rnd() * 629) - 320}`);
    for (let i = 0; i < 50; i++) texts.push(String(Math.floor((rnd() - 0.5) * 2e18)));
    for (let i = 0; i < 50; i++) texts.push(String((rnd() - 0.5) * 2000));
    await check(of('float8', texts));
  });

  it('float4: correct rounding from decimal and shortest float4 output', async () => {
    const rnd = seededRandom(2);
    const texts = [
      '0', '-0', '1', '0.1', '1e6', '1e5', '123456', '1234567', '1e-4', '1e-5', '3.14159', '16777217',
      '16777216', '1.1754942e-38', '1.17549435e-38', '7.0064923e-45', '1e-45', '1e-46', '7e-46', '8e-46',
      '-3.4e38', '3.4028235e38', '3.4028236e38', '3.40282357e38', '3.4028234664e38', '12345.678', '1e39',
      'nan', '-inf', '1e-40', '0.333333333', '2.5', '1.00000005', '1.0000001', '1.00000006', '0.1e-44',
      // Decimals whose nearest double is exactly halfway between two floats (double rounding).
      '1.000000059604644775390625', '1.0000000596046447753906251', '1.0000000596046447753906249',
    ];
    for (let i = 0; i < 150; i++) {
      texts.push(`${(rnd() * 10).toPrecision(1 + Math.floor(rnd() * 12))}e${Math.floor(rnd() * 85) - 46}`);
    }
    await check(of('float4', texts));
  });
});

describe('numeric', () => {
  it('input syntax, specials, limits and canonical output', async () => {
    const rnd = seededRandom(3);
    const texts = [
      '0', '-0', '-0.000', '12.50', ' 12.50 ', '1e3', '1.5e-3', '.5', '5.', '1_000.5', '0x1F', '-0x10',
      '0x10e5', '0xFFFFFFFFFFFFFFFFFFFFFFFF', '0o_17', '0b101.1', '0x', '0x1.5', '1.5_0', '1e1_0', '1._5',
      '1_.5', '_1', '1e_1', 'nan', 'NaN', '  NaN  ', '-NaN', 'inf', '-Infinity', '+infinity', 'Infinityx',
      'abc', '1e', 'e5', '1e+', '.', '-.', '1.2.3', ' - 1', '1e-0', '1E+5', '0.00e2', '12.3400e1', '-0.0',
      '0e100000', '0e-16384', '0.5e-16383', '1.5e-16383', '1e131072', '1e999999999999999999',
      '0e1073741824', '0e1073741823', '123456789012345678901234567890.123456789012345678901234567890',
      '-99999999999999999999.99999999999', '0.000000000000000000001', '1e-20', '1e20',
    ];
    const digits = (n: number): string => {
      let s = '';
      for (let i = 0; i < n; i++) s += Math.floor(rnd() * 10);
      return s || '0';
    };
    for (let i = 0; i < 100; i++) {
      const sign = ['', '-', '+'][Math.floor(rnd() * 3)];
      const exp = rnd() < 0.5 ? '' : `e${Math.floor(rnd() * 61) - 30}`;
      texts.push(`${sign}${digits(Math.floor(rnd() * 30))}.${digits(Math.floor(rnd() * 20))}${exp}`);
    }
    await check(of('numeric', texts));
  });

  it('numeric(p,s) rounding and overflow errors', async () => {
    const cases: [number, number, string][] = [
      [5, 2, '123.456'], [5, 2, '999.995'], [5, 2, '-999.994'], [2, 2, '0.5'], [2, 2, '1.5'],
      [5, 2, 'inf'], [5, 2, 'nan'], [3, -2, '12345'], [3, -2, '123456'], [2, 4, '0.0012'],
      [2, 4, '0.012'], [1, 0, '-9.5'], [2, 0, '10.0'], [1000, -1000, '1e5'], [10, 3, '-0.0005'],
      [10, 3, '-0.0004'], [3, 5, '0.001234'], [3, 5, '0.01'], [1, 1, '-0.95'],
    ];
    await check(
      cases.map(([p, s, text]) => ({ sqlType: `numeric(${p},${s})`, text, typmod: makeNumericTypmod(p, s) })),
    );
  });
});

describe('character types, bytea, uuid', () => {
  it('text, varchar(n), char(n), name', async () => {
    const cases: Case[] = of('text', ['', 'abc', 'héllo', '日本語', '😀x', 'a\\b', "it's"]);
    const sized: [number, string][] = [
      [3, 'abcdef'], [3, 'abc   '], [4, 'abc   '], [1, 'éé'], [1, 'é  '], [2, '😀😀😀'], [5, 'ab'], [3, ''],
    ];
    for (const [n, text] of sized) {
      cases.push({ sqlType: `varchar(${n})`, text, typmod: n + 4 }, { sqlType: `char(${n})`, text, typmod: n + 4 });
    }
    cases.push(...of('bpchar', ['ab', 'ab  ', '', '  a']));
    cases.push(...of('name', ['abc', 'é'.repeat(40), 'a'.repeat(70), '😀'.repeat(20), '']));
    await check(cases);
  });

  it('bytea hex and escape input', async () => {
    await check(
      of('bytea', [
        '\\x0102', '\\xAbCd', '\\x 01 02 ', '\\x', '\\x012', '\\x0g', 'abc', 'a\\\\b', 'a\\001b', 'é', 'a\\9',
        'a\\', 'a\\400', '\\X01', '\\x0 1', '\\x01\n02', 'a\\0011', '\\xé0', '\\\\x01', '\\x\t01\r\n02',
        '\\x01 2', '\\', '\\\\', '\\000',
      ]),
    );
  });

  it('uuid spellings', async () => {
    await check(
      of('uuid', [
        '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', 'A0EEBC999C0B4EF8BB6D6BB9BD380A11',
        'a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11', 'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11',
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', ' a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-', 'a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11',
        '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
        'a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11', '', 'x', '00000000-0000-0000-0000-000000000000', '{}',
        '{a0eebc999c0b4ef8bb6d6bb9bd380a11}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 ',
        '-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g',
      ]),
    );
  });
});

describe('date and time', () => {
  it('date', async () => {
    const rnd = seededRandom(4);
    const texts = [
      '2024-01-15', '2024-1-5', '20240115', '2024/01/15', '01/15/2024', 'Jan 15 2024', '15 January 2024',
      'January 15, 2024', '0001-01-01 BC', '0000-01-01', '4714-11-24 BC', '4714-11-23 BC', '5874897-12-31',
      '5874898-01-01', '2024-13-01', '2024-02-30', '2024-02-29', '2023-02-29', 'x', '', 'infinity',
      '-infinity', 'epoch', ' 2024-01-15 ', '2024-01-15 13:45:00', '2024-01-15T13:45', '99-01-15', '1/2/3',
      'J2451545', '2024-001', '2024-366', '2023-366', '2023-000', '2024.01.15', '15-jan-2024', 'jan-15-2024',
      '2024-01-15 BC', '2024-01-15 AD', 'Monday, January 15, 2024', '240115', '1999-12-31', '1900-02-29',
      '2000-02-29', '0044-03-15 BC', '10000-01-01', '2024-01-15 +05', '2024-01-15 junk', '15/01/2024',
      '1/15/24', '1/15/70', '1/15/69', '2024-01-15 25:00', 'Jan 2024', '2024', '2024-01', '+infinity',
      'INFINITY', '2024-06-31', '2024-04-31', '12-31-1999',
    ];
    for (let i = 0; i < 60; i++) {
      const y = 1 + Math.floor(rnd() * 9999);
      const m = 1 + Math.floor(rnd() * 12);
      const d = 1 + Math.floor(rnd() * 28);
      texts.push(`${String(y).padStart(4, '0')}-${m}-${d}${rnd() < 0.3 ? ' BC' : ''}`);
    }
    await check(of('date', texts));
  });

  it('timestamp and timestamptz (TimeZone UTC)', async () => {
    const rnd = seededRandom(5);
    const texts = [
      '2024-01-15 13:45:00.123456', '2024-01-15T13:45:00.5', '2024-01-15 13:45', '2024-01-15',
      '2024-01-15 13:45:00.1234567', '2024-01-15 23:59:59.9999999', '2024-01-15 13:45:00+02',
      '294276-12-31 23:59:59.999999', '294277-01-01 00:00:00', '4714-11-24 00:00:00 BC',
      '4714-11-23 23:59:59 BC', '2024-01-15 24:00:00', '2024-01-15 24:00:01', '2024-01-15 25:00:00',
      '2024-01-15 13:60:00', '2024-01-15 13:59:60', '2024-01-15 13:59:60.5', '2024-01-15 13:59:61',
      'infinity', '-infinity', 'epoch', '2024-01-15 1:45 pm', '2024-01-15 12:45 am', '2024-01-15 12:00 pm',
      '2024-01-15 12:00 am', '2024-01-15 13:45 pm', '0001-01-01 00:00:00 BC', '2024-01-15 13:45:00.0000005',
      '2024-01-15 13:45:00.0000015', '2024-01-15 13:45:00.0000025', '13:45', 'allballs',
      '2024-01-15 allballs', '2024-01-15 13:45:00 UTC', '2024-01-15 13:45:00Z', '2024-01-15T13:45:00Z',
      '2024-01-15 13:45:00 America/New_York', '2024-01-15 13:45:00 Foo/Bar', '2024-01-15 13:45:00 foo',
      '2024-01-15 13:45:00+16', '2024-01-15 13:45:00+15:59:59', '2024-01-15 13:45:00-0830',
      '2024-01-15 13:45:00 +2', '2024-01-15 13:45:00 EST', 'Jan 15 2024 1:45pm', '20240115T134500',
      '20240115 134500', '2024-01-15 13:45:00.', '2024-01-15 13:45:00.5.5', '2024-01-15 13:45:00 13:45',
      '2024-01-15 2024-01-15', 'Mon Jan 15 13:45:00 2024', '2024-01-15 13:45:00 PST',
      '2024-01-15 13:45:00 CEST', '2024-01-15 13:45:00+05:30', '2024-01-15 13:45:00-00:30',
      '2024-01-15 1:2:3', '1999-12-31 23:59:59.5 BC', '2024-01-15 13:45:00 Europe/Paris',
      '2024-07-15 13:45:00 Europe/Paris', '2024-03-10 02:30 America/New_York',
      '2024-11-03 01:30 America/New_York', '1800-01-01 00:00 America/New_York',
    ];
    for (let i = 0; i < 60; i++) {
      const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
      const y = pad(1 + Math.floor(rnd() * 9999), 4);
      const date = `${y}-${pad(1 + Math.floor(rnd() * 12))}-${pad(1 + Math.floor(rnd() * 28))}`;
      const time = `${pad(Math.floor(rnd() * 24))}:${pad(Math.floor(rnd() * 60))}:${pad(Math.floor(rnd() * 60))}`;
      const zone = ['', ' BC', '+03', '-07:30'][Math.floor(rnd() * 4)];
      texts.push(`${date} ${time}.${pad(Math.floor(rnd() * 1e6), 6)}${zone}`);
    }
    await check([...of('timestamp', texts), ...of('timestamptz', texts)]);
  });

  it('timestamp(p) rounding', async () => {
    const cases: [number, string][] = [
      [1, '2024-01-15 13:45:00.123'], [1, '2024-01-15 13:45:00.15'], [1, '2024-01-15 13:45:00.25'],
      [0, '2024-01-15 13:45:00.55'], [0, '1999-12-31 23:59:59.5 BC'], [3, '2024-01-15 13:45:00.1235'],
      [0, '294276-12-31 23:59:59.6'],
    ];
    await check(
      cases.flatMap(([p, text]) => [
        { sqlType: `timestamp(${p})`, text, typmod: p },
        { sqlType: `timestamptz(${p})`, text, typmod: p },
      ]),
    );
  });

  it('interval, verbose and ISO 8601', async () => {
    const rnd = seededRandom(6);
    const texts = [
      '1 day 02:00:00', '3 months', '1 year 2 mons', 'P1Y2M3DT4H5M6S', '@ 1 hour ago', '-1 second',
      '1.5 days', '1.5 months', '1.5 years', '1.7 years', '0.1 months', '1.01 years', '1.5 weeks',
      '2.5 hours', '-1 day +02:00:00', '-1 days -02:00', '1 day -02:00', '-1 year 2 mons -3 days',
      '-1 years -2 mons +3 days -04:05:06', '10', '1:30', '-1:30', '1:30:45.5', '100:00:00', '1 2:03:04',
      '-1 2:03:04', '1 2', 'x', '', '1 decade', '2 centuries', '1 millennium', '3 weeks 2 days', '1 w',
      '5 mins 3 secs', '1 ms', '7 us', '1 hr', '1y 2mon 3d 4h 5m 6s', 'PT0.5S', 'P1W',
      'P0001-02-03T04:05:06', 'P1.5Y', 'PT1.5H', 'P-1Y-2M', '-P1Y', 'P1D', 'PT36H', '0', '0 days',
      '00:00:00', '1 day 00:00:00', '-00:00:01', '1 year -1 day', 'infinity', '-infinity', '+infinity',
      '2147483647 days', '2147483648 days', '178956970 years', '178956971 years', '2562047788 hours',
      '2562047789 hours', '1 day ago', '1 day 2 hours ago', '-1 day ago', '1 day 1 day', '1 hour 1:00',
      '1.5', '1.123456789', '0.0000005', '0.0000015 sec', '+1 -1',
      '1 mon 2 days 3 hours 4 minutes 5.678 seconds', '@ 1 year 2 mons -3 days', '1:2:3.5', '1:02',
      'P1Y2M3DT4H5M6.5S', 'P1.5M', 'P1.5W', 'P1.5D', 'PT1.5M', 'P1M1.5D', 'p1y', 'P1DT', 'P', 'PT', 'P1H',
      'P1Y1Y', 'P0001-02', 'P0001', 'P0001-02-03', 'PT04:05', 'P1-2', '1.5 seconds 1 millisecond',
      '1 year 1 year', '1 second 1 millisecond 1 microsecond', '@1 day', '1 day @', '1 days ago ago',
      '- 1 day', '1 -day', '1 day -', '1:00:00 1 day', '1 day 1:00:00 1 hour', '25:61:61', '1:60',
      '-1 days +1:00:00 ago', '1e3 days', '.5 days', '5. days', '1 year 13 months', '40 days', '48:00:00',
      '90 seconds', '-90 seconds', '00:00:00.5', '-00:00:00.5', '1 day -00:00:00.5',
      '1.5 seconds 1 microsecond', '1 second 1.5 millisecond', '1:00:00.5 1 millisecond',
      '1:00:00 1 millisecond', '1 week 1 week', '1 century 1 decade 1 millennium', '1.5 mons 1 day',
      '0.5 years 1 mon', '1.5 days 1 hour', '1 2:00:00.5', '-1 -2:00', '1 2 3', '1:2:3:4', '12:34.5',
      '1:2.5', '1 mon 1 month', '2 hours -30 minutes', '-1.5 days', '-1.5 months', '-1.5 years',
      '-0.3 months', '1.333333 months', '0.01 days', '1.0000001 days', '0.7 millennium', 'ago', '1 ago',
      '-2147483648 days', '-2147483648 months', '1 DAY', '1dAY', '1.5.5 days', '10 ago', '1 fortnight',
      '-1:-30', '1.5 ms', '-.5 sec', '99999999999 seconds', '2147483648 seconds', '1 s 1 sec',
      '1.999999999 seconds', '23:59:59.9999999', '0.5 us', '1.5 us', '2.5 us',
    ];
    const units = ['year', 'mon', 'day', 'hour', 'minute', 'second', 'ms', 'week', 'decade'];
    for (let i = 0; i < 80; i++) {
      const parts: string[] = [];
      for (const u of units) {
        if (rnd() < 0.3) {
          const sign = ['', '-', '+'][Math.floor(rnd() * 3)];
          const qty = rnd() < 0.5 ? String(Math.floor(rnd() * 100)) : (rnd() * 50).toFixed(3);
          parts.push(`${sign}${qty} ${u}`);
        }
      }
      if (parts.length === 0 || rnd() < 0.3) parts.push(['ago', '12:34:56', '-1:02:03.5'][Math.floor(rnd() * 3)]);
      texts.push(parts.join(' '));
    }
    await check(of('interval', texts));
  });
});
