/*
 * Differential test: the tuples heapFormTuple makes against the tuples
 * PostgreSQL itself writes (PGlite, with pageinspect's heap_page_items), for
 * random schemas and rows. Header fields that depend on the transaction
 * (xmin, ctid, hint bits) are left out; everything the tuple code decides is
 * compared: t_hoff, natts, HASNULL/HASVARWIDTH/HASEXTERNAL, the null bitmap
 * and every byte of the data area.
 *
 * Rows are kept under TOAST_TUPLE_THRESHOLD so PostgreSQL stores them as
 * they are, and varlena columns keep their default (packable) storage:
 * under PLAIN storage PostgreSQL's bytes depend on whether the executor
 * happened to hand it a packed datum (see README.md, differences).
 */

import { PGlite } from '@electric-sql/pglite';
import { pageinspect } from '@electric-sql/pglite/contrib/pageinspect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TypeInfo } from '../../utils/adt/datum.ts';
import { heapFormTuple, type TupleValue } from './heaptuple.ts';
import * as H from './htup_details.ts';
import { boolType, byteaType, float8Type, int2Type, int4Type, int8Type, nameType, textType } from './testtypes.ts';
import { createTupleDesc } from './tupdesc.ts';

interface PageItem {
  t_hoff: number;
  t_bits: string | null;
  t_infomask: number;
  t_infomask2: number;
  t_data: Uint8Array;
}

const SQL_TYPE = new Map<TypeInfo, string>([
  [boolType, 'bool'],
  [int2Type, 'int2'],
  [int4Type, 'int4'],
  [int8Type, 'int8'],
  [float8Type, 'float8'],
  [nameType, 'name'],
  [textType, 'text'],
  [byteaType, 'bytea'],
]);
const TYPES = [...SQL_TYPE.keys()];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lengths around the short-header boundary, and small ones; at most 130 bytes. */
function randomLength(rnd: () => number): number {
  const edges = [0, 1, 2, 3, 125, 126, 127, 128];
  return rnd() < 0.5 ? edges[Math.floor(rnd() * edges.length)] : Math.floor(rnd() * 131);
}

/** A value for our form and the parameter PGlite sends for it. */
function randomValue(t: TypeInfo, rnd: () => number): [TupleValue, unknown] {
  switch (t) {
    case boolType: {
      const v = rnd() < 0.5;
      return [v, v];
    }
    case int2Type: {
      const v = Math.floor(rnd() * 65536) - 32768;
      return [v, v];
    }
    case int4Type: {
      const v = Math.floor(rnd() * 2 ** 32) | 0;
      return [v, v];
    }
    case int8Type: {
      const v = BigInt.asIntN(64, (BigInt(Math.floor(rnd() * 2 ** 32)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32)));
      return [v, v.toString()];
    }
    case float8Type: {
      const v = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 20 - 10) || 1.5;
      return [v, v];
    }
    case nameType: {
      const v = 'n'.repeat(Math.floor(rnd() * 40));
      return [v, v];
    }
    case textType: {
      // Multi-byte characters would make the byte length differ from the
      // character count; the length edges are about bytes, so keep one byte
      // per character but include a non-ASCII one now and then.
      const n = randomLength(rnd);
      let s = '';
      while (new TextEncoder().encode(s).length < n) s += rnd() < 0.95 ? String.fromCharCode(97 + Math.floor(rnd() * 26)) : 'é';
      return [s, s];
    }
    default: {
      const b = new Uint8Array(randomLength(rnd));
      for (let k = 0; k < b.length; k++) b[k] = Math.floor(rnd() * 256);
      return [b, b];
    }
  }
}

function bitString(t: Uint8Array): string | null {
  if (!H.htupHasNulls(t, 0)) return null;
  let s = '';
  for (let i = 0; i < H.bitmapLen(H.htupGetNatts(t, 0)) * 8; i++) s += (t[H.T_BITS + (i >>> 3)] >>> (i & 7)) & 1;
  return s;
}

let db: PGlite;

beforeAll(async () => {
  db = await PGlite.create({ extensions: { pageinspect } });
  await db.exec('CREATE EXTENSION pageinspect');
});

afterAll(async () => {
  await db.close();
});

describe('heapFormTuple against PostgreSQL', () => {
  it('writes the same header fields, null bitmap and data bytes as heap_insert', async () => {
    const rnd = mulberry32(42);
    let compared = 0;
    for (let schema = 0; schema < 12; schema++) {
      const natts = 1 + Math.floor(rnd() * (schema === 0 ? 20 : 10));
      const types = Array.from({ length: natts }, () => TYPES[Math.floor(rnd() * TYPES.length)]);
      const desc = createTupleDesc(types.map((type, i) => ({ name: `c${i}`, type })));
      const table = `t${schema}`;
      await db.exec(`CREATE TABLE ${table} (${types.map((t, i) => `c${i} ${SQL_TYPE.get(t)}`).join(', ')})`);

      const expected: Uint8Array[] = [];
      const insert = `INSERT INTO ${table} VALUES (${types.map((_, i) => `$${i + 1}`).join(', ')})`;
      for (let row = 0; row < 15; row++) {
        const nullRate = [0, 0.2, 0.6][row % 3];
        const pairs = types.map((t) => (rnd() < nullRate ? null : randomValue(t, rnd)));
        expected.push(heapFormTuple(desc, pairs.map((p) => (p === null ? null : p[0]))));
        await db.query(insert, pairs.map((p) => (p === null ? null : p[1])));
      }

      const items = await db.query<PageItem>(
        `SELECT t_hoff, t_bits, t_infomask, t_infomask2, t_data
           FROM generate_series(0, (pg_relation_size('${table}') / 8192)::int - 1) AS blk,
                heap_page_items(get_raw_page('${table}', blk)) ORDER BY blk, lp`,
      );
      expect(items.rows.length).toBe(expected.length);
      items.rows.forEach((pg, i) => {
        const ours = expected[i];
        const where = `table ${table} (${types.map((t) => t.name).join(', ')}), row ${i}`;
        expect(H.htupGetHoff(ours, 0), where).toBe(pg.t_hoff);
        expect(H.htupGetNatts(ours, 0), where).toBe(pg.t_infomask2 & H.HEAP_NATTS_MASK);
        expect(H.htupGetInfomask(ours, 0), where).toBe(pg.t_infomask & (H.HEAP_HASNULL | H.HEAP_HASVARWIDTH | H.HEAP_HASEXTERNAL));
        expect(bitString(ours), where).toBe(pg.t_bits);
        expect([...ours.subarray(H.htupGetHoff(ours, 0))], where).toEqual([...pg.t_data]);
        compared++;
      });
    }
    expect(compared).toBe(12 * 15);
  });
});
