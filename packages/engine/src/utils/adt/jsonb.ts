/*
 * jsonb.ts — the json and jsonb types: one JSON parser for both (json.c's
 * lexer and recursive-descent parser), jsonb's normalized tree and its text
 * output, and jsonb's btree order. PostgreSQL's json.c, jsonb.c,
 * jsonapi.c and jsonb_util.c.
 *
 * Exports:
 *   Jsonb, JsonbNode, JsonbNumber, JsonbObject   the jsonb Datum and its tree
 *   jsonType, jsonbType            TypeInfos (json 114, jsonb 3802)
 *   parseJson(text, forJsonb)      text -> JsonbNode (22P02 as PostgreSQL words it)
 *   jsonbOut(node) / jsonbNodeOut  jsonb_out's text (`{"a": 1, "b": [1, 2]}`)
 *   jsonbCompare(a, b)             jsonb's btree order
 *   escapeJson(s)                  a JSON string literal (escape_json)
 *   makeJsonbObject(pairs)         sorts keys as jsonb does, last duplicate wins
 *
 * json keeps its input text exactly (it is only validated); its Datum is a
 * string. jsonb is parsed into a tree once: object keys sorted by length
 * then by bytes, duplicate keys resolved to the last value, numbers kept as
 * numeric text (so 1.50 stays 1.50 and 1e2 is 100). A jsonb value is stored
 * on disk as its normalized text (see README.md: PostgreSQL's binary
 * JsonbContainer format is not reproduced).
 */

import type { TypeInfo } from './datum.ts';
import { SQLSTATE, ereport, elog } from '../errors.ts';
import { numericIn, numericCmp } from './numeric.ts';
import { compareCodePoints, utf8Decode, utf8Encode } from './text.ts';

/** A JSON number in jsonb: numeric's canonical text. */
export class JsonbNumber {
  constructor(readonly num: string) {}
}

/** A JSON object in jsonb: keys unique and in jsonb's order (shorter first, then by bytes). */
export class JsonbObject {
  constructor(
    readonly keys: string[],
    readonly values: JsonbNode[],
  ) {}

  get(key: string): JsonbNode | undefined {
    const i = this.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }

  indexOf(key: string): number {
    let lo = 0;
    let hi = this.keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = compareJsonbKeys(this.keys[mid], key);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

/** A JSON value inside jsonb. JSON null is `null` (SQL NULL never appears inside a tree). */
export type JsonbNode = null | boolean | string | JsonbNumber | JsonbNode[] | JsonbObject;

/** The jsonb Datum: a wrapper, so that a JSON null is not confused with SQL NULL. */
export class Jsonb {
  constructor(readonly root: JsonbNode) {}
}

export function isJsonb(v: unknown): v is Jsonb {
  return v instanceof Jsonb;
}

export function asJsonb(v: unknown): Jsonb {
  if (!(v instanceof Jsonb)) elog('expected a jsonb datum');
  return v;
}

/** jsonb key order: length in UTF-8 bytes first, then the bytes (lengthCompareJsonbString). */
export function compareJsonbKeys(a: string, b: string): number {
  if (a === b) return 0;
  const la = utf8Length(a);
  const lb = utf8Length(b);
  if (la !== lb) return la < lb ? -1 : 1;
  return compareCodePoints(a, b);
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Builds an object from pairs in input order: sorted, and the last of duplicate keys wins (as jsonb_in does). */
export function makeJsonbObject(pairs: [string, JsonbNode][]): JsonbObject {
  const indexed = pairs.map((p, i) => ({ k: p[0], v: p[1], i }));
  indexed.sort((x, y) => compareJsonbKeys(x.k, y.k) || x.i - y.i);
  const keys: string[] = [];
  const values: JsonbNode[] = [];
  for (const e of indexed) {
    if (keys.length > 0 && keys[keys.length - 1] === e.k) values[values.length - 1] = e.v;
    else {
      keys.push(e.k);
      values.push(e.v);
    }
  }
  return new JsonbObject(keys, values);
}

/* ----------------------------------------------------------------- parser */

function jsonSyntax(detail: string, text: string, pos: number): never {
  const lineNo = text.slice(0, pos).split('\n').length;
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  return ereport(SQLSTATE.invalid_text_representation, 'invalid input syntax for type json', {
    detail,
    where: `JSON data, line ${lineNo}: ${text.slice(lineStart, Math.max(pos, lineStart))}`,
  });
}

const isJsonSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isDelimiter = (c: string | undefined): boolean =>
  c === undefined || isJsonSpace(c) || c === ',' || c === '{' || c === '}' || c === '[' || c === ']' || c === ':' || c === '"';

/**
 * Parses JSON text. With forJsonb the result tree is normalized (objects
 * sorted, numbers canonical) and `\u0000` is refused, as jsonb_in does;
 * without it the tree is only a by-product of validation.
 */
export function parseJson(text: string, forJsonb: boolean): JsonbNode {
  let pos = 0;
  const n = text.length;
  let depth = 0;

  const skipSpace = (): void => {
    while (pos < n && isJsonSpace(text[pos])) pos++;
  };
  /** The token at pos, for error messages: a punctuation character or a run up to the next delimiter. */
  const tokenAt = (p: number): string => {
    const c = text[p];
    if (c === undefined) return '';
    if (isDelimiter(c) && !isJsonSpace(c)) return c;
    let e = p;
    while (e < n && !isDelimiter(text[e])) e++;
    return text.slice(p, Math.max(e, p + 1));
  };
  const endOfInput = (): never => jsonSyntax('The input string ended unexpectedly.', text, n);
  /** The lexer reports an invalid token before the parser can complain about a valid but unexpected one. */
  const unexpected = (p: number, expected: (tok: string) => string): never => {
    const tok = tokenAt(p);
    const c = text[p];
    if (c !== undefined && !isDelimiter(c) && !/^(true|false|null|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)$/.test(tok)) {
      return jsonSyntax(`Token "${tok}" is invalid.`, text, p + tok.length);
    }
    return jsonSyntax(expected(tok), text, p);
  };

  const parseString = (): string => {
    // pos is at the opening quote.
    const start = pos;
    pos++;
    let out = '';
    let chunkStart = pos;
    for (;;) {
      if (pos >= n) {
        jsonSyntax(`Token "${text.slice(start)}" is invalid.`, text, n);
      }
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(chunkStart, pos);
        pos++;
        return out;
      }
      if (c < 0x20) {
        jsonSyntax(`Character with value 0x${c.toString(16).padStart(2, '0')} must be escaped.`, text, pos);
      }
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(chunkStart, pos);
      const e = text[pos + 1];
      if (e === undefined) jsonSyntax(`Token "${text.slice(start)}" is invalid.`, text, n);
      pos += 2;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = text.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            jsonSyntax('"\\u" must be followed by four hexadecimal digits.', text, pos);
          }
          pos += 4;
          const code = parseInt(hex, 16);
          if (code === 0 && forJsonb) {
            ereport(SQLSTATE.untranslatable_character, 'unsupported Unicode escape sequence', {
              detail: '\\u0000 cannot be converted to text.',
            });
          }
          if (code >= 0xd800 && code <= 0xdbff) {
            const low = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(text.slice(pos));
            if (low === null) {
              ereport(SQLSTATE.invalid_text_representation, 'invalid input syntax for type json', {
                detail: 'Unicode high surrogate must not be followed by another high surrogate.',
              });
            }
            pos += 6;
            out += String.fromCharCode(code, parseInt(low[1], 16));
          } else if (code >= 0xdc00 && code <= 0xdfff) {
            ereport(SQLSTATE.invalid_text_representation, 'invalid input syntax for type json', {
              detail: 'Unicode low surrogate must follow a high surrogate.',
            });
          } else {
            out += String.fromCharCode(code);
          }
          break;
        }
        default:
          jsonSyntax(`Escape sequence "\\${e}" is invalid.`, text, pos);
      }
      chunkStart = pos;
    }
  };

  const parseValue = (): JsonbNode => {
    skipSpace();
    if (pos >= n) endOfInput();
    const c = text[pos];
    if (c === '{') {
      if (++depth > 6400) ereport(SQLSTATE.program_limit_exceeded, 'stack depth limit exceeded');
      pos++;
      skipSpace();
      const pairs: [string, JsonbNode][] = [];
      if (text[pos] === '}') {
        pos++;
      } else {
        for (;;) {
          skipSpace();
          if (pos >= n) endOfInput();
          if (text[pos] !== '"') {
            unexpected(pos, (tok) => (pairs.length === 0 ? `Expected string or "}", but found "${tok}".` : `Expected string, but found "${tok}".`));
          }
          const key = parseString();
          skipSpace();
          if (pos >= n) endOfInput();
          if (text[pos] !== ':') unexpected(pos, (tok) => `Expected ":", but found "${tok}".`);
          pos++;
          const v = parseValue();
          pairs.push([key, v]);
          skipSpace();
          if (pos >= n) endOfInput();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === '}') {
            pos++;
            break;
          }
          unexpected(pos, (tok) => `Expected "," or "}", but found "${tok}".`);
        }
      }
      depth--;
      return forJsonb ? makeJsonbObject(pairs) : new JsonbObject(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
    }
    if (c === '[') {
      if (++depth > 6400) ereport(SQLSTATE.program_limit_exceeded, 'stack depth limit exceeded');
      pos++;
      skipSpace();
      const items: JsonbNode[] = [];
      if (text[pos] === ']') {
        pos++;
      } else {
        for (;;) {
          items.push(parseValue());
          skipSpace();
          if (pos >= n) endOfInput();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === ']') {
            pos++;
            break;
          }
          unexpected(pos, (tok) => `Expected "," or "]", but found "${tok}".`);
        }
      }
      depth--;
      return items;
    }
    if (c === '"') return parseString();
    // A number or a literal: the token runs to the next delimiter.
    const start = pos;
    while (pos < n && !isDelimiter(text[pos])) pos++;
    const tok = text.slice(start, pos);
    if (tok === '') jsonSyntax(`Expected JSON value, but found "${tokenAt(start)}".`, text, start);
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (tok === 'null') return null;
    if (/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(tok)) {
      return new JsonbNumber(forJsonb ? numericIn(tok) : tok);
    }
    return jsonSyntax(`Token "${tok}" is invalid.`, text, pos);
  };

  const root = parseValue();
  skipSpace();
  if (pos < n) unexpected(pos, (tok) => `Expected end of input, but found "${tok}".`);
  return root;
}

/* ----------------------------------------------------------------- output */

/** escape_json: a JSON string literal. */
export function escapeJson(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(start, i);
    start = i + 1;
    switch (c) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += '\\\\'; break;
      case 0x08: out += '\\b'; break;
      case 0x0c: out += '\\f'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      default: out += '\\u' + c.toString(16).padStart(4, '0');
    }
  }
  return out + s.slice(start) + '"';
}

/** jsonb_out of one node: `, ` between items and `: ` after keys. */
export function jsonbNodeOut(node: JsonbNode): string {
  const parts: string[] = [];
  const emit = (v: JsonbNode): void => {
    if (v === null) parts.push('null');
    else if (typeof v === 'boolean') parts.push(v ? 'true' : 'false');
    else if (typeof v === 'string') parts.push(escapeJson(v));
    else if (v instanceof JsonbNumber) parts.push(v.num);
    else if (Array.isArray(v)) {
      parts.push('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) parts.push(', ');
        emit(v[i]);
      }
      parts.push(']');
    } else {
      parts.push('{');
      for (let i = 0; i < v.keys.length; i++) {
        if (i > 0) parts.push(', ');
        parts.push(escapeJson(v.keys[i]), ': ');
        emit(v.values[i]);
      }
      parts.push('}');
    }
  };
  emit(node);
  return parts.join('');
}

export const jsonbOut = (j: Jsonb): string => jsonbNodeOut(j.root);

/** jsonb_pretty: four-space indentation, one item per line. */
export function jsonbPretty(node: JsonbNode): string {
  const parts: string[] = [];
  const emit = (v: JsonbNode, level: number): void => {
    const pad = '    '.repeat(level + 1);
    const close = '    '.repeat(level);
    if (Array.isArray(v)) {
      if (v.length === 0) {
        parts.push('[\n' + close + ']');
        return;
      }
      parts.push('[\n');
      v.forEach((x, i) => {
        parts.push(pad);
        emit(x, level + 1);
        parts.push(i < v.length - 1 ? ',\n' : '\n');
      });
      parts.push(close + ']');
    } else if (v instanceof JsonbObject) {
      if (v.keys.length === 0) {
        parts.push('{\n' + close + '}');
        return;
      }
      parts.push('{\n');
      v.keys.forEach((k, i) => {
        parts.push(pad, escapeJson(k), ': ');
        emit(v.values[i], level + 1);
        parts.push(i < v.keys.length - 1 ? ',\n' : '\n');
      });
      parts.push(close + '}');
    } else {
      parts.push(jsonbNodeOut(v));
    }
  };
  emit(node, 0);
  return parts.join('');
}

/* ------------------------------------------------------------------ order */

/** Type ranks of jsonb's btree order: Object > Array > Boolean > Number > String > Null. */
function rank(v: JsonbNode): number {
  if (v === null) return 0;
  if (typeof v === 'string') return 1;
  if (v instanceof JsonbNumber) return 2;
  if (typeof v === 'boolean') return 3;
  if (Array.isArray(v)) return 4;
  return 5;
}

/**
 * compareJsonbContainers: by type rank; arrays by length, then element by
 * element; objects by pair count, then key, value, key, value ... in jsonb's
 * key order.
 */
export function jsonbNodeCompare(a: JsonbNode, b: JsonbNode): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return compareCodePoints(a as string, b as string);
    case 2:
      return numericCmp((a as JsonbNumber).num, (b as JsonbNumber).num);
    case 3:
      return a === b ? 0 : a === false ? -1 : 1;
    case 4: {
      const x = a as JsonbNode[];
      const y = b as JsonbNode[];
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      for (let i = 0; i < x.length; i++) {
        const c = jsonbNodeCompare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return 0;
    }
    default: {
      const x = a as JsonbObject;
      const y = b as JsonbObject;
      if (x.keys.length !== y.keys.length) return x.keys.length < y.keys.length ? -1 : 1;
      for (let i = 0; i < x.keys.length; i++) {
        const ck = compareJsonbKeys(x.keys[i], y.keys[i]);
        if (ck !== 0) return ck;
        const cv = jsonbNodeCompare(x.values[i], y.values[i]);
        if (cv !== 0) return cv;
      }
      return 0;
    }
  }
}

const isScalar = (v: JsonbNode): boolean => !Array.isArray(v) && !(v instanceof JsonbObject);

/**
 * The btree order of two jsonb values. PostgreSQL stores a top-level scalar
 * as a one-element "raw scalar" array, so against a top-level array it
 * compares by element count first (an empty array sorts below a scalar) and
 * then sorts the scalar first.
 */
export function jsonbCompare(a: Jsonb, b: Jsonb): number {
  const x = a.root;
  const y = b.root;
  if (isScalar(x) !== isScalar(y) && (Array.isArray(x) || Array.isArray(y))) {
    const nx = Array.isArray(x) ? x.length : 1;
    const ny = Array.isArray(y) ? y.length : 1;
    if (nx !== ny) return nx < ny ? -1 : 1;
    return isScalar(x) ? -1 : 1;
  }
  return jsonbNodeCompare(x, y);
}

/* -------------------------------------------------------------- TypeInfos */

function asJsonText(v: unknown): string {
  if (typeof v !== 'string') elog('expected a json datum (string)');
  return v;
}

export const jsonType: TypeInfo = {
  oid: 114,
  name: 'json',
  typlen: -1,
  typbyval: false,
  typalign: 'i',
  typstorage: 'x',
  typcategory: 'U',
  input: (text) => {
    parseJson(text, false);
    return text;
  },
  output: (v) => asJsonText(v),
  toBytes: (v) => utf8Encode(asJsonText(v)),
  fromBytes: (bytes) => utf8Decode(bytes),
  // json has no btree order in PostgreSQL; the registry exposes no comparison operators for it.
  compare: (a, b) => compareCodePoints(asJsonText(a), asJsonText(b)),
};

export const jsonbType: TypeInfo = {
  oid: 3802,
  name: 'jsonb',
  typlen: -1,
  typbyval: false,
  typalign: 'i',
  typstorage: 'x',
  typcategory: 'U',
  input: (text) => new Jsonb(parseJson(text, true)),
  output: (v) => jsonbOut(asJsonb(v)),
  toBytes: (v) => utf8Encode(jsonbOut(asJsonb(v))),
  fromBytes: (bytes) => new Jsonb(parseJson(utf8Decode(bytes), true)),
  compare: (a, b) => jsonbCompare(asJsonb(a), asJsonb(b)),
};
