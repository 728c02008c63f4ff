/*
 * gram_type.ts — type names (gram.y's Typename, SimpleTypename,
 * ConstTypename, opt_interval).
 *
 * Exports: parseTypename(), parseSimpleTypename(), tryTypedLiteral(),
 *          parseOptInterval(), isConstTypeStart().
 *
 * SQL's built-in type spellings are mapped to the catalog's names in
 * pg_catalog, as gram.y does: `integer` -> pg_catalog.int4, `double
 * precision` -> pg_catalog.float8, `character varying(10)` ->
 * pg_catalog.varchar with typmod 10, `timestamp(3) with time zone` ->
 * pg_catalog.timestamptz with typmod 3. Other names stay as written
 * (`text`, `date`, `jsonb` are plain identifiers) and are looked up by the
 * analyzer along the search path.
 */

import { parseExprList } from './gram_expr.ts';
import { PgError } from '../utils/errors.ts';
import { ERRCODE_INVALID_PARAMETER_VALUE, ERRCODE_SYNTAX_ERROR, type Parser } from './gramparse.ts';
import { makeIntConst, makeStringConst, makeTypeName, systemTypeName, type Node, type TypeCast, type TypeName } from './primnodes.ts';

/** INTERVAL_MASK bits of datetime.h, for interval typmods. */
const INTERVAL_MASK = { MONTH: 1 << 1, YEAR: 1 << 2, DAY: 1 << 3, HOUR: 1 << 10, MINUTE: 1 << 11, SECOND: 1 << 12 };
export const INTERVAL_FULL_RANGE = 0x7fff;

/** Keywords that begin a ConstTypename and so may begin a typed literal (`INT '1'`). */
const CONST_TYPE_START = new Set([
  'int', 'integer', 'smallint', 'bigint', 'real', 'float', 'double', 'decimal', 'dec', 'numeric', 'boolean',
  'bit', 'character', 'char', 'varchar', 'national', 'nchar', 'timestamp', 'time', 'interval', 'json',
]);

export function isConstTypeStart(p: Parser): boolean {
  return p.tok.kind === 'KEYWORD' && CONST_TYPE_START.has(p.tok.value);
}

/** Typename: [SETOF] SimpleTypename [ '[' n ']' ... | ARRAY [ '[' n ']' ] ]. */
export function parseTypename(p: Parser): TypeName {
  const loc = p.tok.start;
  const setof = p.acceptKw('setof');
  const t = parseSimpleTypename(p, false);
  if (p.acceptKw('array')) {
    if (p.acceptChar('[')) {
      t.arrayBounds.push(iconst(p));
      p.expectChar(']');
    } else t.arrayBounds.push(-1);
  } else {
    while (p.acceptChar('[')) {
      t.arrayBounds.push(p.tok.kind === 'ICONST' ? iconst(p) : -1);
      p.expectChar(']');
    }
  }
  if (setof) {
    t.setof = true;
    t.location = loc;
  }
  return t;
}

function iconst(p: Parser): number {
  if (p.tok.kind !== 'ICONST') p.fail();
  return p.advance().ival;
}

/**
 * SimpleTypename, or ConstTypename when `forLiteral` (the form before a
 * string in `CHAR 'x'`, where a bare CHAR and BIT get no default length).
 */
export function parseSimpleTypename(p: Parser, forLiteral: boolean): TypeName {
  const t = p.tok;
  const loc = t.start;
  if (t.kind === 'KEYWORD') {
    switch (t.value) {
      case 'int':
      case 'integer':
        p.advance();
        return systemTypeName('int4', loc);
      case 'smallint':
        p.advance();
        return systemTypeName('int2', loc);
      case 'bigint':
        p.advance();
        return systemTypeName('int8', loc);
      case 'real':
        p.advance();
        return systemTypeName('float4', loc);
      case 'boolean':
        p.advance();
        return systemTypeName('bool', loc);
      case 'float': {
        p.advance();
        if (!p.acceptChar('(')) return systemTypeName('float8', loc);
        const precTok = p.tok;
        const prec = iconst(p);
        p.expectChar(')');
        if (prec < 1) p.errorAt(ERRCODE_INVALID_PARAMETER_VALUE, 'precision for type float must be at least 1 bit', precTok);
        if (prec <= 24) return systemTypeName('float4', loc);
        if (prec <= 53) return systemTypeName('float8', loc);
        p.errorAt(ERRCODE_INVALID_PARAMETER_VALUE, 'precision for type float must be less than 54 bits', precTok);
        break;
      }
      case 'double':
        if (p.isKw('precision', 1)) {
          p.advance();
          p.advance();
          return systemTypeName('float8', loc);
        }
        break; // "double" alone is an ordinary (unreserved) type name
      case 'decimal':
      case 'dec':
      case 'numeric':
        p.advance();
        return systemTypeName('numeric', loc, optTypeModifiers(p));
      case 'bit': {
        p.advance();
        const varying = p.acceptKw('varying');
        if (p.isChar('(')) return systemTypeName(varying ? 'varbit' : 'bit', loc, optTypeModifiers(p));
        if (varying) return systemTypeName('varbit', loc);
        return systemTypeName('bit', loc, forLiteral ? [] : [makeIntConst(1, -1)]);
      }
      case 'character':
      case 'char':
      case 'varchar':
      case 'national':
      case 'nchar': {
        p.advance();
        let varying = t.value === 'varchar';
        if (t.value === 'national') {
          if (!p.acceptKw('character') && !p.acceptKw('char')) p.fail();
        }
        if (t.value !== 'varchar' && p.acceptKw('varying')) varying = true;
        const name = varying ? 'varchar' : 'bpchar';
        if (p.acceptChar('(')) {
          const n = iconst(p);
          p.expectChar(')');
          return systemTypeName(name, loc, [makeIntConst(n, -1)]);
        }
        return systemTypeName(name, loc, !varying && !forLiteral ? [makeIntConst(1, -1)] : []);
      }
      case 'timestamp':
      case 'time': {
        p.advance();
        let typmods: Node[] = [];
        if (p.acceptChar('(')) {
          const precTok = p.tok;
          typmods = [makeIntConst(iconst(p), precTok.start)];
          p.expectChar(')');
        }
        let tz = false;
        if (p.isKw('with') && p.isKw('time', 1) && p.isKw('zone', 2)) {
          p.pos += 3;
          tz = true;
        } else if (p.isKw('without') && p.isKw('time', 1) && p.isKw('zone', 2)) {
          p.pos += 3;
        }
        return systemTypeName(t.value + (tz ? 'tz' : ''), loc, typmods);
      }
      case 'interval': {
        p.advance();
        if (p.acceptChar('(')) {
          const n = iconst(p);
          p.expectChar(')');
          return systemTypeName('interval', loc, [makeIntConst(INTERVAL_FULL_RANGE, -1), makeIntConst(n, -1)]);
        }
        return systemTypeName('interval', loc, forLiteral ? [] : parseOptInterval(p));
      }
      case 'json':
        p.advance();
        return systemTypeName('json', loc);
    }
  }
  // GenericType: type_function_name [attrs] [opt_type_modifiers].
  if (!p.isTypeFuncName()) p.fail();
  const names = [p.advance().value];
  while (p.isChar('.')) {
    p.advance();
    names.push(p.colLabel());
  }
  if (p.isChar('%')) p.notSupported('%TYPE references');
  return makeTypeName(names, loc, optTypeModifiers(p));
}

/** opt_type_modifiers: '(' expr_list ')'. */
function optTypeModifiers(p: Parser): Node[] {
  if (!p.acceptChar('(')) return [];
  const mods = parseExprList(p);
  p.expectChar(')');
  return mods;
}

/**
 * opt_interval: the field restriction after INTERVAL: YEAR, DAY TO SECOND,
 * SECOND(3), ... as typmods [mask] or [mask, precision]; [] when absent.
 */
export function parseOptInterval(p: Parser): Node[] {
  const M = INTERVAL_MASK;
  const second = (mask: number): Node[] => {
    p.expectKw('second');
    if (p.acceptChar('(')) {
      const n = iconst(p);
      p.expectChar(')');
      return [makeIntConst(mask, -1), makeIntConst(n, -1)];
    }
    return [makeIntConst(mask, -1)];
  };
  const t = p.tok;
  if (t.kind !== 'KEYWORD') return [];
  const loc = t.start;
  switch (t.value) {
    case 'year':
      p.advance();
      if (p.acceptKw('to')) {
        p.expectKw('month');
        return [makeIntConst(M.YEAR | M.MONTH, loc)];
      }
      return [makeIntConst(M.YEAR, loc)];
    case 'month':
      p.advance();
      return [makeIntConst(M.MONTH, loc)];
    case 'day':
      p.advance();
      if (p.acceptKw('to')) {
        if (p.acceptKw('hour')) return [makeIntConst(M.DAY | M.HOUR, loc)];
        if (p.acceptKw('minute')) return [makeIntConst(M.DAY | M.HOUR | M.MINUTE, loc)];
        return second(M.DAY | M.HOUR | M.MINUTE | M.SECOND);
      }
      return [makeIntConst(M.DAY, loc)];
    case 'hour':
      p.advance();
      if (p.acceptKw('to')) {
        if (p.acceptKw('minute')) return [makeIntConst(M.HOUR | M.MINUTE, loc)];
        return second(M.HOUR | M.MINUTE | M.SECOND);
      }
      return [makeIntConst(M.HOUR, loc)];
    case 'minute':
      p.advance();
      if (p.acceptKw('to')) return second(M.MINUTE | M.SECOND);
      return [makeIntConst(M.MINUTE, loc)];
    case 'second':
      return second(M.SECOND);
  }
  return [];
}

/**
 * A typed literal starting with a type keyword: `INT '1'`, `TIMESTAMP(3)
 * '2024-01-01'`, `INTERVAL '1' DAY`, `INTERVAL(2) '1.234 s'`. Returns null
 * (and leaves the cursor where it was) when the keyword is not followed by a
 * type and then a string, so `SELECT time FROM t` still reads `time` as a
 * column.
 */
export function tryTypedLiteral(p: Parser): TypeCast | null {
  const save = p.pos;
  const depth = p.depth;
  let tn: TypeName;
  // A col_name keyword followed by '(' cannot be a column or a function, so
  // it must be a type with modifiers: parse it for real and let its errors
  // stand (`CHAR(3 'x'` fails at the string, as in PostgreSQL).
  if (p.tok.keyword?.category === 'C' && p.isChar('(', 1)) {
    tn = parseSimpleTypename(p, true);
    if (p.tok.kind !== 'SCONST') p.fail();
    const s = p.advance();
    return { type: 'TypeCast', arg: makeStringConst(s.value, s.start), typeName: tn, location: -1 };
  }
  try {
    tn = parseSimpleTypename(p, true);
  } catch (e) {
    // Only a syntax error means "not a type here"; bad precisions and the
    // depth limit are real errors, as in gram.y.
    if (!(e instanceof PgError) || e.code !== ERRCODE_SYNTAX_ERROR) throw e;
    p.pos = save;
    p.depth = depth;
    return null;
  }
  if (p.tok.kind !== 'SCONST') {
    // `DOUBLE PRECISION`, `CHARACTER VARYING`, `TIMESTAMP WITH TIME ZONE`:
    // once more than one word was read it can only be a type.
    if (p.pos - save > 1) p.fail();
    p.pos = save;
    return null;
  }
  const str = p.advance();
  if (tn.names[1] === 'interval' && tn.typmods.length === 0) tn.typmods = parseOptInterval(p);
  return { type: 'TypeCast', arg: makeStringConst(str.value, str.start), typeName: tn, location: -1 };
}
