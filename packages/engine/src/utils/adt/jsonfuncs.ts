/*
 * jsonfuncs.ts — the SQL-callable json and jsonb functions and operators
 * (PostgreSQL's jsonfuncs.c, jsonb_op.c, json.c's builders): -> ->> #> #>>
 * @> <@ ? ?| ?& ||, the builders, to_json/to_jsonb, the set-returning
 * jsonb_each / jsonb_array_elements / jsonb_object_keys, jsonb_set,
 * jsonb_pretty.
 *
 * Exports:
 *   JSON_FUNCS                ImplTable keyed by prosrc
 *   toJsonbNode(v, typeOid)   a SQL value as a JSON value (to_jsonb's rules)
 *   toJsonText(v, typeOid)    a SQL value as json text (to_json's rules)
 *
 * json (the text type) is handled by parsing its text into the same tree
 * jsonb uses, without normalization, so key order and duplicates are kept.
 * Set-returning functions with two OUT columns (jsonb_each: key, value)
 * yield a RecordValue per row (rowtypes.ts).
 */

import { argType } from './argtypes.ts';
import type { Datum } from './datum.ts';
import type { ImplTable } from '../fmgr/fmgrimpl.ts';
import { fixed, set } from '../fmgr/fmgrimpl.ts';
import { SQLSTATE, ereport } from '../errors.ts';
import { Jsonb, JsonbNumber, JsonbObject, type JsonbNode, asJsonb, escapeJson, jsonbNodeCompare, jsonbNodeOut, jsonbPretty, makeJsonbObject, parseJson } from './jsonb.ts';
import { ArrayValue, asArray } from './array.ts';
import { RecordValue } from './rowtypes.ts';
import { typeByOid } from './types.ts';
import { float8out } from './float.ts';
import { timestampOut, timestamptzOut } from './timestamp.ts';
import { dateOut } from './date.ts';
import { numericToFloat4, numericToFloat8, numericToInt2, numericToInt4, numericToInt8 } from './numericarith.ts';

const str = (v: unknown): string => v as string;

/* -------------------------------------------------------- SQL -> JSON */

/** ISO 8601 with a T, as to_json writes timestamps (JsonEncodeDateTime). */
const isoT = (s: string): string => s.replace(' ', 'T');

/** to_jsonb's mapping: numbers stay numbers (NaN/Infinity become strings), booleans, json/jsonb inline, arrays to arrays, else the text form. */
export function toJsonbNode(v: unknown, typeOid: number): JsonbNode {
  if (v === null) return null;
  switch (typeOid) {
    case 16:
      return v as boolean;
    case 20: case 21: case 23: case 26:
      return new JsonbNumber(String(v));
    case 700: case 701: {
      const x = v as number;
      return Number.isFinite(x) ? new JsonbNumber(float8out(x, typeOid === 700 ? 0 : 1)) : float8out(x);
    }
    case 1700:
      return v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? str(v) : new JsonbNumber(str(v));
    case 3802:
      return (v as Jsonb).root;
    case 114:
      return parseJson(str(v), false);
    case 1082:
      return dateOut(v as number);
    case 1114:
      return isoT(timestampOut(v as bigint));
    case 1184:
      return isoT(timestamptzOut(v as bigint));
    case 705: case 25: case 1043: case 19: case 1042:
      return str(v);
  }
  if (v instanceof ArrayValue) return arrayToJsonNode(v);
  if (v instanceof RecordValue) {
    return new JsonbObject(v.values.map((_, i) => v.names?.[i] ?? `f${i + 1}`), v.values.map((x, i) => toJsonbNode(x, v.types[i])));
  }
  const t = typeByOid(typeOid);
  if (t === undefined) return ereport(SQLSTATE.feature_not_supported, `cannot convert type ${typeOid} to json`);
  return t.output(v as Datum);
}

function arrayToJsonNode(a: ArrayValue): JsonbNode {
  if (a.dims.length === 0) return [];
  let k = 0;
  const build = (level: number): JsonbNode[] => {
    const out: JsonbNode[] = [];
    for (let i = 0; i < a.dims[level]; i++) {
      if (level === a.dims.length - 1) out.push(toJsonbNode(a.elements[k++], a.elemtype));
      else out.push(build(level + 1));
    }
    return out;
  };
  return build(0);
}

/** json's text output of a value: like jsonb, but objects keep order and use no extra spaces in arrays built here. */
export function toJsonText(v: unknown, typeOid: number): string {
  if (v === null) return 'null';
  if (typeOid === 114) return str(v);
  if (typeOid === 3802) return jsonbNodeOut((v as Jsonb).root);
  if (v instanceof RecordValue) {
    // composite_to_json: the field names ("fN" for an anonymous record), no spaces.
    return '{' + v.values.map((x, i) => `${JSON.stringify(v.names?.[i] ?? `f${i + 1}`)}:${toJsonText(x, v.types[i])}`).join(',') + '}';
  }
  if (v instanceof ArrayValue) {
    if (v.dims.length === 0) return '[]';
    let k = 0;
    const build = (level: number): string => {
      const parts: string[] = [];
      for (let i = 0; i < v.dims[level]; i++) {
        parts.push(level === v.dims.length - 1 ? toJsonText(v.elements[k++], v.elemtype) : build(level + 1));
      }
      return '[' + parts.join(',') + ']';
    };
    return build(0);
  }
  return jsonbNodeOut(toJsonbNode(v, typeOid));
}

/* ------------------------------------------------------------- access */

function nodeOf(v: unknown, isJsonb: boolean): JsonbNode {
  return isJsonb ? asJsonb(v).root : parseJson(str(v), false);
}

function field(node: JsonbNode, key: string): JsonbNode | undefined {
  if (!(node instanceof JsonbObject)) return undefined;
  let found: JsonbNode | undefined;
  for (let i = 0; i < node.keys.length; i++) if (node.keys[i] === key) found = node.values[i];
  return found;
}

function element(node: JsonbNode, idx: number, isJsonb = false): JsonbNode | undefined {
  // A jsonb scalar is stored as a one-element array, so `'"x"'::jsonb -> 0` is "x" in PostgreSQL.
  if (isJsonb && !Array.isArray(node) && !(node instanceof JsonbObject)) return idx === 0 || idx === -1 ? node : undefined;
  if (!Array.isArray(node)) return undefined;
  const i = idx < 0 ? node.length + idx : idx;
  return i >= 0 && i < node.length ? node[i] : undefined;
}

function path(node: JsonbNode, keys: (string | null)[]): JsonbNode | undefined {
  let cur: JsonbNode | undefined = node;
  for (const k of keys) {
    if (cur === undefined || k === null) return undefined;
    if (cur instanceof JsonbObject) cur = field(cur, k);
    else if (Array.isArray(cur)) {
      if (!/^\s*-?\d+\s*$/.test(k)) return undefined;
      cur = element(cur, Number(k));
    } else return undefined;
  }
  return cur;
}

/** ->> and #>>: strings unquoted, JSON null as SQL NULL, everything else as its JSON text. */
function asText(node: JsonbNode | undefined): string | null {
  if (node === undefined || node === null) return null;
  if (typeof node === 'string') return node;
  return jsonbNodeOut(node);
}

const wrap = (node: JsonbNode | undefined): Jsonb | null => (node === undefined ? null : new Jsonb(node));

/* ------------------------------------------------- json (text) navigation */

/*
 * json keeps its input text, and PostgreSQL's json operators return a
 * sub-value's original text (`'{"a": [1,  2]}'::json -> 'a'` is `[1,  2]`).
 * The datum was validated on input, so these scanners only find where
 * values start and end.
 */

interface JsonSpan {
  start: number;
  end: number;
}

const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

function skipWs(t: string, p: number): number {
  while (isWs(t[p])) p++;
  return p;
}

/** The end (exclusive) of the value starting at p. */
function valueEnd(t: string, p: number): number {
  const c = t[p];
  if (c === '"') {
    for (let i = p + 1; i < t.length; i++) {
      if (t[i] === '\\') i++;
      else if (t[i] === '"') return i + 1;
    }
    return t.length;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let i = p; i < t.length; i++) {
      const d = t[i];
      if (d === '"') i = valueEnd(t, i) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        if (--depth === 0) return i + 1;
      }
    }
    return t.length;
  }
  let i = p;
  while (i < t.length && !isWs(t[i]) && t[i] !== ',' && t[i] !== '}' && t[i] !== ']') i++;
  return i;
}

function rootSpan(t: string): JsonSpan {
  const start = skipWs(t, 0);
  return { start, end: valueEnd(t, start) };
}

/** The members of an object span (key and value span), or undefined if it is not an object. */
function objectMembers(t: string, sp: JsonSpan): { key: string; value: JsonSpan }[] | undefined {
  if (t[sp.start] !== '{') return undefined;
  const out: { key: string; value: JsonSpan }[] = [];
  let p = skipWs(t, sp.start + 1);
  while (t[p] === '"') {
    const keyEnd = valueEnd(t, p);
    const key = parseJson(t.slice(p, keyEnd), false) as string;
    p = skipWs(t, keyEnd) + 1; // past ':'
    p = skipWs(t, p);
    const end = valueEnd(t, p);
    out.push({ key, value: { start: p, end } });
    p = skipWs(t, end);
    if (t[p] === ',') p = skipWs(t, p + 1);
  }
  return out;
}

function arrayMembers(t: string, sp: JsonSpan): JsonSpan[] | undefined {
  if (t[sp.start] !== '[') return undefined;
  const out: JsonSpan[] = [];
  let p = skipWs(t, sp.start + 1);
  while (p < sp.end - 1 && t[p] !== ']') {
    const end = valueEnd(t, p);
    out.push({ start: p, end });
    p = skipWs(t, end);
    if (t[p] === ',') p = skipWs(t, p + 1);
  }
  return out;
}

function spanField(t: string, sp: JsonSpan | undefined, key: string): JsonSpan | undefined {
  if (sp === undefined) return undefined;
  const members = objectMembers(t, sp);
  let found: JsonSpan | undefined;
  // The last of duplicate keys, as PostgreSQL's json -> finds it.
  for (const m of members ?? []) if (m.key === key) found = m.value;
  return found;
}

function spanElement(t: string, sp: JsonSpan | undefined, idx: number): JsonSpan | undefined {
  if (sp === undefined) return undefined;
  const items = arrayMembers(t, sp);
  if (items === undefined) return undefined;
  const i = idx < 0 ? items.length + idx : idx;
  return items[i];
}

function spanPath(t: string, keys: (string | null)[]): JsonSpan | undefined {
  let sp: JsonSpan | undefined = rootSpan(t);
  for (const k of keys) {
    if (sp === undefined || k === null) return undefined;
    if (t[sp.start] === '{') sp = spanField(t, sp, k);
    else if (t[sp.start] === '[') sp = /^\s*-?\d+\s*$/.test(k) ? spanElement(t, sp, Number(k)) : undefined;
    else return undefined;
  }
  return sp;
}

const spanText = (t: string, sp: JsonSpan | undefined): string | null => (sp === undefined ? null : t.slice(sp.start, sp.end));

/** ->> on json: a string's value, SQL NULL for JSON null, other values' original text. */
function spanAsText(t: string, sp: JsonSpan | undefined): string | null {
  if (sp === undefined) return null;
  const raw = t.slice(sp.start, sp.end);
  if (raw === 'null') return null;
  if (raw.startsWith('"')) return parseJson(raw, false) as string;
  return raw;
}

function* jsonEach(t: string, asTextValues: boolean, fn: string): Iterable<RecordValue> {
  const members = objectMembers(t, rootSpan(t));
  if (members === undefined) ereport(SQLSTATE.invalid_parameter_value, `cannot call ${fn} on a non-object`);
  for (const m of members) {
    yield asTextValues ? new RecordValue([m.key, spanAsText(t, m.value)], [25, 25]) : new RecordValue([m.key, spanText(t, m.value)], [25, 114]);
  }
}

function* jsonElements(t: string, asTextValues: boolean): Iterable<string | null> {
  const root = rootSpan(t);
  const items = arrayMembers(t, root);
  if (items === undefined) {
    ereport(SQLSTATE.invalid_parameter_value, `cannot extract elements from ${t[root.start] === '{' ? 'an object' : 'a scalar'}`);
  }
  for (const sp of items) yield asTextValues ? spanAsText(t, sp) : spanText(t, sp);
}

/* ---------------------------------------------------------- containment */

/** jsonb @>: objects contain sub-objects key by key, arrays contain every element of the other (in any order); scalars equal. */
function contains(a: JsonbNode, b: JsonbNode, top = true): boolean {
  if (a instanceof JsonbObject) {
    if (!(b instanceof JsonbObject)) return false;
    for (let i = 0; i < b.keys.length; i++) {
      const v = a.get(b.keys[i]);
      if (v === undefined || !contains(v, b.values[i], false)) return false;
    }
    return true;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) {
      // A top-level array contains a scalar that is one of its elements.
      return top && !(b instanceof JsonbObject) && a.some((x) => !Array.isArray(x) && !(x instanceof JsonbObject) && jsonbNodeCompare(x, b) === 0);
    }
    return b.every((y) => a.some((x) => (Array.isArray(y) || y instanceof JsonbObject ? contains(x, y, false) : !Array.isArray(x) && !(x instanceof JsonbObject) && jsonbNodeCompare(x, y) === 0)));
  }
  if (Array.isArray(b) || b instanceof JsonbObject) return false;
  return jsonbNodeCompare(a, b) === 0;
}

/** jsonb ?: a key of an object, or a string element of an array, or the string scalar itself. */
function exists(a: JsonbNode, key: string): boolean {
  if (a instanceof JsonbObject) return a.get(key) !== undefined;
  if (Array.isArray(a)) return a.some((x) => x === key);
  return a === key;
}

/* ------------------------------------------------------------- builders */

function buildObject(args: unknown[], types: readonly number[] | undefined, isJsonb: boolean): Jsonb | string {
  if (args.length % 2 !== 0) {
    ereport(SQLSTATE.invalid_parameter_value, 'argument list must have even number of elements', {
      hint: `The arguments of ${isJsonb ? 'jsonb' : 'json'}_build_object() must consist of alternating keys and values.`,
    });
  }
  const pairs: [string, JsonbNode][] = [];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === null) ereport('22004', `argument ${i + 1}: key must not be null`);
    const kt = argType(types, i, undefined, args[i]);
    const key = typeof args[i] === 'string' ? str(args[i]) : (typeByOid(kt)?.output(args[i] as Datum) ?? String(args[i]));
    pairs.push([key, toJsonbNode(args[i + 1], argType(types, i + 1, undefined, args[i + 1]))]);
  }
  if (isJsonb) return new Jsonb(makeJsonbObject(pairs));
  return '{' + pairs.map(([k, _v], j) => `${escapeJson(k)} : ${toJsonText(args[2 * j + 1], argType(types, 2 * j + 1, undefined, args[2 * j + 1]))}`).join(', ') + '}';
}

function buildArray(args: unknown[], types: readonly number[] | undefined, isJsonb: boolean): Jsonb | string {
  if (isJsonb) return new Jsonb(args.map((a, i) => toJsonbNode(a, argType(types, i, undefined, a))));
  return '[' + args.map((a, i) => toJsonText(a, argType(types, i, undefined, a))).join(', ') + ']';
}

/* ---------------------------------------------------------------- setters */

function textArray(v: unknown): (string | null)[] {
  return asArray(v).elements as (string | null)[];
}

/** jsonb_set(target, path, new_value, create_missing). */
function jsonbSet(target: JsonbNode, keys: (string | null)[], value: JsonbNode, create: boolean): JsonbNode {
  if (keys.length === 0) return target;
  const [k, ...rest] = keys;
  if (k === null) {
    ereport(SQLSTATE.invalid_parameter_value, `path element at position 1 is null`);
  }
  if (target instanceof JsonbObject) {
    const cur = target.get(k);
    if (cur === undefined) {
      if (rest.length > 0 || !create) return target;
      return makeJsonbObject([...target.keys.map((kk, i) => [kk, target.values[i]] as [string, JsonbNode]), [k, value]]);
    }
    const nv = rest.length === 0 ? value : jsonbSet(cur, rest, value, create);
    return new JsonbObject(target.keys, target.values.map((x, i) => (target.keys[i] === k ? nv : x)));
  }
  if (Array.isArray(target)) {
    if (!/^\s*-?\d+\s*$/.test(k)) {
      return ereport(SQLSTATE.invalid_text_representation, `path element at position 1 is not an integer: "${k}"`);
    }
    let i = Number(k);
    if (i < 0) i += target.length;
    if (i < 0 || i >= target.length) {
      if (rest.length > 0 || !create) return target;
      return i < 0 ? [value, ...target] : [...target, value];
    }
    const out = target.slice();
    out[i] = rest.length === 0 ? value : jsonbSet(target[i], rest, value, create);
    return out;
  }
  return ereport(SQLSTATE.invalid_parameter_value, 'cannot set path in scalar');
}

function typeofNode(n: JsonbNode): string {
  if (n === null) return 'null';
  if (typeof n === 'boolean') return 'boolean';
  if (typeof n === 'string') return 'string';
  if (n instanceof JsonbNumber) return 'number';
  if (Array.isArray(n)) return 'array';
  return 'object';
}

function arrayLength(n: JsonbNode, isJsonb: boolean): number {
  if (!Array.isArray(n)) {
    const what = n instanceof JsonbObject ? 'a non-array' : 'a scalar';
    return ereport(SQLSTATE.invalid_parameter_value, `cannot get array length of ${what}`);
  }
  void isJsonb;
  return n.length;
}

function* eachPairs(n: JsonbNode, asTextValues: boolean, isJsonb: boolean, fn: string): Iterable<RecordValue> {
  if (!(n instanceof JsonbObject)) ereport(SQLSTATE.invalid_parameter_value, `cannot call ${fn} on a non-object`);
  for (let i = 0; i < n.keys.length; i++) {
    const v = n.values[i];
    if (asTextValues) yield new RecordValue([n.keys[i], asText(v)], [25, 25]);
    else yield new RecordValue([n.keys[i], isJsonb ? new Jsonb(v) : jsonbNodeOut(v)], [25, isJsonb ? 3802 : 114]);
  }
}

function* arrayElements(n: JsonbNode, asTextValues: boolean, isJsonb: boolean, fn: string): Iterable<unknown> {
  if (!Array.isArray(n)) {
    ereport(SQLSTATE.invalid_parameter_value, `cannot extract elements from ${n instanceof JsonbObject ? 'an object' : 'a scalar'}`);
  }
  void fn;
  for (const v of n) yield asTextValues ? asText(v) : isJsonb ? new Jsonb(v) : jsonbNodeOut(v);
}

function* objectKeys(n: JsonbNode, fn: string): Iterable<string> {
  if (!(n instanceof JsonbObject)) {
    ereport(SQLSTATE.invalid_parameter_value, `cannot call ${fn} on ${Array.isArray(n) ? 'an array' : 'a scalar'}`);
  }
  yield* n.keys;
}

function concatJsonb(a: JsonbNode, b: JsonbNode): JsonbNode {
  if (a instanceof JsonbObject && b instanceof JsonbObject) {
    return makeJsonbObject([...a.keys.map((k, i) => [k, a.values[i]] as [string, JsonbNode]), ...b.keys.map((k, i) => [k, b.values[i]] as [string, JsonbNode])]);
  }
  const arrA = Array.isArray(a) ? a : [a];
  const arrB = Array.isArray(b) ? b : [b];
  return [...arrA, ...arrB];
}

function deleteKey(a: JsonbNode, key: string): JsonbNode {
  if (a instanceof JsonbObject) {
    const i = a.indexOf(key);
    if (i < 0) return a;
    return new JsonbObject(a.keys.filter((_, j) => j !== i), a.values.filter((_, j) => j !== i));
  }
  if (Array.isArray(a)) return a.filter((x) => x !== key);
  return ereport(SQLSTATE.invalid_parameter_value, 'cannot delete from scalar');
}

function scalarCast(n: JsonbNode, target: string, check: (x: JsonbNode) => boolean): JsonbNode {
  if (!check(n)) {
    const what = Array.isArray(n) ? 'array' : n instanceof JsonbObject ? 'object' : typeofNode(n);
    ereport(SQLSTATE.invalid_parameter_value, `cannot cast jsonb ${what} to type ${target}`);
  }
  return n;
}
const isNum = (x: JsonbNode): boolean => x instanceof JsonbNumber;

export const JSON_FUNCS: ImplTable = {
  jsonb_object_field: fixed((a) => wrap(field(asJsonb(a[0]).root, str(a[1])))),
  jsonb_object_field_text: fixed((a) => asText(field(asJsonb(a[0]).root, str(a[1])))),
  jsonb_array_element: fixed((a) => wrap(element(asJsonb(a[0]).root, a[1] as number, true))),
  jsonb_array_element_text: fixed((a) => asText(element(asJsonb(a[0]).root, a[1] as number, true))),
  jsonb_extract_path: fixed((a) => wrap(path(asJsonb(a[0]).root, textArray(a[1])))),
  jsonb_extract_path_text: fixed((a) => asText(path(asJsonb(a[0]).root, textArray(a[1])))),
  json_object_field: fixed((a) => spanText(str(a[0]), spanField(str(a[0]), rootSpan(str(a[0])), str(a[1])))),
  json_object_field_text: fixed((a) => spanAsText(str(a[0]), spanField(str(a[0]), rootSpan(str(a[0])), str(a[1])))),
  json_array_element: fixed((a) => spanText(str(a[0]), spanElement(str(a[0]), rootSpan(str(a[0])), a[1] as number))),
  json_array_element_text: fixed((a) => spanAsText(str(a[0]), spanElement(str(a[0]), rootSpan(str(a[0])), a[1] as number))),
  json_extract_path: fixed((a) => spanText(str(a[0]), spanPath(str(a[0]), textArray(a[1])))),
  json_extract_path_text: fixed((a) => spanAsText(str(a[0]), spanPath(str(a[0]), textArray(a[1])))),

  jsonb_contains: fixed((a) => contains(asJsonb(a[0]).root, asJsonb(a[1]).root)),
  jsonb_contained: fixed((a) => contains(asJsonb(a[1]).root, asJsonb(a[0]).root)),
  jsonb_exists: fixed((a) => exists(asJsonb(a[0]).root, str(a[1]))),
  jsonb_exists_any: fixed((a) => textArray(a[1]).some((k) => k !== null && exists(asJsonb(a[0]).root, k))),
  jsonb_exists_all: fixed((a) => textArray(a[1]).every((k) => k === null || exists(asJsonb(a[0]).root, k))),
  jsonb_concat: fixed((a) => new Jsonb(concatJsonb(asJsonb(a[0]).root, asJsonb(a[1]).root))),
  jsonb_delete: fixed((a) => new Jsonb(deleteKey(asJsonb(a[0]).root, str(a[1])))),
  jsonb_delete_array: fixed((a) => new Jsonb(textArray(a[1]).reduce<JsonbNode>((n, k) => (k === null ? n : deleteKey(n, k)), asJsonb(a[0]).root))),
  jsonb_delete_idx: fixed((a) => {
    const n = asJsonb(a[0]).root;
    if (!Array.isArray(n)) ereport(SQLSTATE.invalid_parameter_value, n instanceof JsonbObject ? 'cannot delete from object using integer index' : 'cannot delete from scalar');
    let i = a[1] as number;
    if (i < 0) i += n.length;
    return new Jsonb(n.filter((_, j) => j !== i));
  }),

  jsonb_build_object: fixed((a, _c, _t, types) => buildObject(a, types, true)),
  jsonb_build_object_noargs: fixed(() => new Jsonb(new JsonbObject([], []))),
  jsonb_build_array: fixed((a, _c, _t, types) => buildArray(a, types, true)),
  jsonb_build_array_noargs: fixed(() => new Jsonb([])),
  json_build_object: fixed((a, _c, _t, types) => buildObject(a, types, false)),
  json_build_object_noargs: fixed(() => '{}'),
  json_build_array: fixed((a, _c, _t, types) => buildArray(a, types, false)),
  json_build_array_noargs: fixed(() => '[]'),
  to_jsonb: (argtypes) => (a, _c, _t, types) => new Jsonb(toJsonbNode(a[0], argType(types, 0, argtypes[0], a[0]))),
  to_json: (argtypes) => (a, _c, _t, types) => toJsonText(a[0], argType(types, 0, argtypes[0], a[0])),
  array_to_json: fixed((a) => toJsonText(a[0], 0)),
  row_to_json: fixed((a) => toJsonText(a[0], 2249)),

  jsonb_typeof: fixed((a) => typeofNode(asJsonb(a[0]).root)),
  json_typeof: fixed((a) => typeofNode(nodeOf(a[0], false))),
  jsonb_array_length: fixed((a) => arrayLength(asJsonb(a[0]).root, true)),
  json_array_length: fixed((a) => arrayLength(nodeOf(a[0], false), false)),
  jsonb_set: fixed((a) => new Jsonb(jsonbSet(asJsonb(a[0]).root, textArray(a[1]), asJsonb(a[2]).root, a[3] !== false))),
  jsonb_pretty: fixed((a) => jsonbPretty(asJsonb(a[0]).root)),
  jsonb_strip_nulls: fixed((a) => new Jsonb(stripNulls(asJsonb(a[0]).root, a[1] === true))),

  jsonb_each: set((a) => eachPairs(asJsonb(a[0]).root, false, true, 'jsonb_each')),
  jsonb_each_text: set((a) => eachPairs(asJsonb(a[0]).root, true, true, 'jsonb_each_text')),
  json_each: set((a) => jsonEach(str(a[0]), false, 'json_each')),
  json_each_text: set((a) => jsonEach(str(a[0]), true, 'json_each_text')),
  jsonb_array_elements: set((a) => arrayElements(asJsonb(a[0]).root, false, true, 'jsonb_array_elements')),
  jsonb_array_elements_text: set((a) => arrayElements(asJsonb(a[0]).root, true, true, 'jsonb_array_elements_text')),
  json_array_elements: set((a) => jsonElements(str(a[0]), false)),
  json_array_elements_text: set((a) => jsonElements(str(a[0]), true)),
  jsonb_object_keys: set((a) => objectKeys(asJsonb(a[0]).root, 'jsonb_object_keys')),
  json_object_keys: set((a) => objectKeys(nodeOf(a[0], false), 'json_object_keys')),

  // Casts from jsonb scalars.
  jsonb_bool: fixed((a) => scalarCast(asJsonb(a[0]).root, 'boolean', (x) => typeof x === 'boolean') as boolean),
  jsonb_int2: fixed((a) => numericToInt2((scalarCast(asJsonb(a[0]).root, 'smallint', isNum) as JsonbNumber).num)),
  jsonb_int4: fixed((a) => numericToInt4((scalarCast(asJsonb(a[0]).root, 'integer', isNum) as JsonbNumber).num)),
  jsonb_int8: fixed((a) => numericToInt8((scalarCast(asJsonb(a[0]).root, 'bigint', isNum) as JsonbNumber).num)),
  jsonb_float4: fixed((a) => numericToFloat4((scalarCast(asJsonb(a[0]).root, 'real', isNum) as JsonbNumber).num)),
  jsonb_float8: fixed((a) => numericToFloat8((scalarCast(asJsonb(a[0]).root, 'double precision', isNum) as JsonbNumber).num)),
  jsonb_numeric: fixed((a) => (scalarCast(asJsonb(a[0]).root, 'numeric', isNum) as JsonbNumber).num),
};

function stripNulls(n: JsonbNode, inArrays: boolean): JsonbNode {
  if (n instanceof JsonbObject) {
    const keys: string[] = [];
    const values: JsonbNode[] = [];
    n.keys.forEach((k, i) => {
      if (n.values[i] !== null) {
        keys.push(k);
        values.push(stripNulls(n.values[i], inArrays));
      }
    });
    return new JsonbObject(keys, values);
  }
  if (Array.isArray(n)) return (inArrays ? n.filter((x) => x !== null) : n).map((x) => stripNulls(x, inArrays));
  return n;
}
