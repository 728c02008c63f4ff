/*
 * outfuncs.ts — analyzed trees to text and back (PostgreSQL's outfuncs.c and
 * readfuncs.c): how pg_attrdef.adbin, pg_constraint.conbin and
 * pg_rewrite.ev_action store an Expr or a Query.
 *
 * Exports:
 *   nodeToString(node)   the tree as JSON text
 *   stringToNode(text)   the tree back; every object that had a `type` tag has it again
 *
 * PostgreSQL writes its own `{OPEXPR :opno 96 ...}` syntax; nodes here are
 * plain data already (nodes/README.md rule 2), so JSON is the natural text
 * form. JSON has no bigint, bytes, class instances or non-finite numbers,
 * which Const values need (utils/adt/datum.ts), so those are written as
 * one-key tagged objects:
 *
 *   {"$bigint":"-42"}                       int8, timestamp, interval.micros
 *   {"$num":"NaN"|"Infinity"|"-Infinity"|"-0"}   float NaN/±Infinity, date ±infinity, -0
 *   {"$bytea":"00ff"}                       Uint8Array (hex)
 *   {"$array":[elemtype, dims, lbounds, elements]}      utils/adt ArrayValue
 *   {"$jsonb":root}  {"$jnum":"1.5"}  {"$jobj":[keys, values]}   Jsonb trees
 *   {"$record":[values, types]}             RecordValue
 *
 * An Interval is a plain object whose micros is a bigint, so it needs no tag
 * of its own. Node field names never start with "$", so a one-key object
 * whose key does is always a tag.
 */

import { ArrayValue } from '../utils/adt/array.ts';
import { Jsonb, JsonbNumber, JsonbObject } from '../utils/adt/jsonb.ts';
import { RecordValue } from '../utils/adt/rowtypes.ts';
import { elog } from '../utils/errors.ts';

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}

function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

/** Replaces the values JSON cannot carry by tagged objects (recursively for class instances). */
function encode(v: unknown): unknown {
  switch (typeof v) {
    case 'bigint':
      return { $bigint: v.toString() };
    case 'number':
      if (Number.isFinite(v) && !Object.is(v, -0)) return v;
      return { $num: Object.is(v, -0) ? '-0' : String(v) };
    case 'object':
      if (v === null) return null;
      if (v instanceof Uint8Array) return { $bytea: hex(v) };
      if (v instanceof ArrayValue) return { $array: [v.elemtype, v.dims, v.lbounds, v.elements.map(encode)] };
      if (v instanceof Jsonb) return { $jsonb: encode(v.root) };
      if (v instanceof JsonbNumber) return { $jnum: v.num };
      if (v instanceof JsonbObject) return { $jobj: [v.keys, v.values.map(encode)] };
      if (v instanceof RecordValue) return { $record: [v.values.map(encode), v.types] };
      if (Array.isArray(v)) return v.map(encode);
      {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v)) {
          const x = (v as Record<string, unknown>)[k];
          if (x !== undefined) out[k] = encode(x);
        }
        return out;
      }
    default:
      return v;
  }
}

function decodeTag(tag: string, arg: unknown): unknown {
  switch (tag) {
    case '$bigint':
      return BigInt(arg as string);
    case '$num':
      return arg === '-0' ? -0 : Number(arg);
    case '$bytea':
      return unhex(arg as string);
    case '$array': {
      const [elemtype, dims, lbounds, elements] = arg as [number, number[], number[], unknown[]];
      return new ArrayValue(elemtype, dims, lbounds, elements as ArrayValue['elements']);
    }
    case '$jsonb':
      return new Jsonb(arg as Jsonb['root']);
    case '$jnum':
      return new JsonbNumber(arg as string);
    case '$jobj': {
      const [keys, values] = arg as [string[], JsonbObject['values']];
      return new JsonbObject(keys, values);
    }
    case '$record': {
      const [values, types] = arg as [RecordValue['values'], number[]];
      return new RecordValue(values, types);
    }
    default:
      return elog(`stringToNode: unknown tag ${tag}`);
  }
}

/** The tree as text for a pg_node_tree column. */
export function nodeToString(node: unknown): string {
  return JSON.stringify(encode(node));
}

/** A tree written by nodeToString. JSON.parse revives bottom-up, so a tag's argument is already decoded. */
export function stringToNode<T = unknown>(text: string): T {
  return JSON.parse(text, function revive(this: unknown, _key: string, value: unknown): unknown {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0].charCodeAt(0) === 36 /* $ */) return decodeTag(keys[0], (value as Record<string, unknown>)[keys[0]]);
    }
    return value;
  }) as T;
}
