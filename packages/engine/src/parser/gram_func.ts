/*
 * gram_func.ts — primary expressions (gram.y's c_expr, AexprConst,
 * func_expr, func_expr_common_subexpr, window specifications).
 *
 * Exports: parsePrimary(), parseFuncCallRest(), parseFuncExprWindowless(),
 *          parseSortClause(), parseSortByList(), parseWindowSpecification(),
 *          isSpecialFuncStart().
 *
 * A primary is a constant, a column reference with its indirection, a
 * parameter, a parenthesized expression, row or subquery, a function call
 * with its aggregate and window decorations, or one of SQL's special forms
 * (CASE, CAST, EXTRACT, SUBSTRING, TRIM, CURRENT_DATE, ...), which gram.y
 * turns into ordinary function calls or dedicated nodes exactly as here.
 */

import { parseBExpr, parseExpr, parseExprList, parseIndirection } from './gram_expr.ts';
import { parseSelectWithParens } from './gram_select.ts';
import { isConstTypeStart, parseTypename, tryTypedLiteral } from './gram_type.ts';
import { ERRCODE_SYNTAX_ERROR, ERRCODE_WINDOWING_ERROR, type Parser } from './gramparse.ts';
import {
  FRAMEOPTION as F,
  FRAMEOPTION_DEFAULTS,
  makeA_Expr,
  makeColumnRef,
  makeFuncCall,
  makeIntConst,
  makeNullConst,
  makeStringConst,
  makeBoolConst,
  makeTypeName,
  type A_ArrayExpr,
  type A_Star,
  type CaseWhen,
  type FuncCall,
  type Node,
  type SortBy,
  type SQLValueFunctionOp,
  type WindowDef,
} from './primnodes.ts';

/** Keywords that start a func_expr_common_subexpr or another special c_expr. */
const SPECIAL_FUNCS = new Set([
  'coalesce', 'greatest', 'least', 'nullif', 'extract', 'position', 'substring', 'trim', 'overlay', 'cast', 'collation',
  'treat', 'normalize', 'grouping', 'xmlconcat', 'xmlelement', 'xmlexists', 'xmlforest', 'xmlparse', 'xmlpi',
  'xmlroot', 'xmlserialize', 'json_object', 'json_array', 'json_objectagg', 'json_arrayagg', 'json_query',
  'json_exists', 'json_value', 'json_scalar', 'json_serialize', 'json', 'merge_action',
]);

export function isSpecialFuncStart(p: Parser): boolean {
  if (p.tok.kind !== 'KEYWORD' || !SPECIAL_FUNCS.has(p.tok.value)) return false;
  return p.tok.value === 'collation' ? p.isKw('for', 1) : p.isChar('(', 1);
}

export function parsePrimary(p: Parser): Node {
  const t = p.tok;
  switch (t.kind) {
    case 'ICONST':
      p.advance();
      return { type: 'A_Const', isnull: false, val: { type: 'Integer', ival: t.ival }, location: t.start };
    case 'FCONST':
      p.advance();
      return { type: 'A_Const', isnull: false, val: { type: 'Float', fval: t.value }, location: t.start };
    case 'SCONST':
      p.advance();
      return makeStringConst(t.value, t.start);
    case 'BCONST':
    case 'XCONST':
      p.advance();
      return { type: 'A_Const', isnull: false, val: { type: 'BitString', bsval: t.value }, location: t.start };
    case 'PARAM': {
      p.advance();
      const ind = parseIndirection(p);
      const ref: Node = { type: 'ParamRef', number: t.ival, location: t.start };
      return ind.length === 0 ? ref : { type: 'A_Indirection', arg: ref, indirection: ind };
    }
    case 'CHAR':
      if (t.value === '(') return parseParenExpr(p);
      return p.fail();
    case 'IDENT':
      return parseNameExpr(p);
    case 'KEYWORD':
      return parseKeywordExpr(p);
  }
  return p.fail();
}

/** '(' a_expr ')' [indirection] | implicit row '(' a, b ')' | subquery '(' SELECT ... ')'. */
function parseParenExpr(p: Parser): Node {
  const open = p.tok;
  if (p.parenStartsSelect()) {
    const sub = parseSelectWithParens(p);
    const link: Node = { type: 'SubLink', subLinkType: 'EXPR_SUBLINK', subLinkId: 0, testexpr: null, operName: [], subselect: sub, location: open.start };
    const ind = parseIndirection(p);
    return ind.length === 0 ? link : { type: 'A_Indirection', arg: link, indirection: ind };
  }
  p.advance();
  const first = parseExpr(p);
  if (p.isChar(',')) {
    const args = [first];
    while (p.acceptChar(',')) args.push(parseExpr(p));
    p.expectChar(')');
    return { type: 'RowExpr', args, row_format: 'COERCE_IMPLICIT_CAST', colnames: [], location: open.start };
  }
  p.expectChar(')');
  const ind = parseIndirection(p);
  return ind.length === 0 ? first : { type: 'A_Indirection', arg: first, indirection: ind };
}

/**
 * An identifier-led primary: a column reference `a.b[1]`, a function call
 * `s.f(x)`, or a typed literal `mytype 'value'`.
 */
function parseNameExpr(p: Parser): Node {
  const t = p.tok;
  const canFunc = p.isTypeFuncName();
  const canCol = p.isColId();
  p.advance();
  if (p.isChar('(') && canFunc) return parseFuncCallRest(p, [t.value], t.start);
  if (p.tok.kind === 'SCONST' && canFunc) {
    const s = p.advance();
    return { type: 'TypeCast', arg: makeStringConst(s.value, s.start), typeName: makeTypeName([t.value], t.start), location: -1 };
  }
  // A type_func_name keyword (LIKE, JOIN, ...) can only be a function name
  // here, so the error is at the token that should have been '('.
  if (!canCol) return p.fail();
  const fields: (string | A_Star)[] = [t.value];
  const ind = parseIndirection(p);
  // Leading '.name' and '.*' items are part of the ColumnRef; the rest
  // (from the first subscript on) is indirection applied to it.
  let k = 0;
  while (k < ind.length && (typeof ind[k] === 'string' || (ind[k] as A_Star).type === 'A_Star')) {
    fields.push(ind[k] as string | A_Star);
    if (typeof ind[k] !== 'string') {
      k++;
      break;
    }
    k++;
  }
  const allNames = k === ind.length && fields.every((f) => typeof f === 'string');
  if (allNames && fields.length > 1) {
    if (p.isChar('(')) return parseFuncCallRest(p, fields as string[], t.start);
    if (p.tok.kind === 'SCONST') {
      const s = p.advance();
      return { type: 'TypeCast', arg: makeStringConst(s.value, s.start), typeName: makeTypeName(fields as string[], t.start), location: -1 };
    }
  }
  // '*' may only be the last field of a column reference.
  for (let i = 0; i < fields.length - 1; i++) if (typeof fields[i] !== 'string') p.fail();
  const ref = makeColumnRef(fields, t.start);
  if (k < ind.length) {
    for (let i = k; i < ind.length - 1; i++) {
      const e = ind[i];
      if (typeof e !== 'string' && e.type === 'A_Star') p.fail();
    }
    return { type: 'A_Indirection', arg: ref, indirection: ind.slice(k) };
  }
  return ref;
}

function svf(op: SQLValueFunctionOp, typmod: number, location: number): Node {
  return { type: 'SQLValueFunction', op, typmod, location };
}

/** Keyword-led primaries: constants, CASE, CAST, ARRAY, EXISTS, ROW, special functions. */
function parseKeywordExpr(p: Parser): Node {
  const t = p.tok;
  const loc = t.start;
  switch (t.value) {
    case 'true':
    case 'false':
      p.advance();
      return makeBoolConst(t.value === 'true', loc);
    case 'null':
      p.advance();
      return makeNullConst(loc);
    case 'default':
      p.advance();
      return { type: 'SetToDefault', location: loc };
    case 'case':
      return parseCase(p);
    case 'cast': {
      p.advance();
      p.expectChar('(');
      const arg = parseExpr(p);
      p.expectKw('as');
      const typeName = parseTypename(p);
      p.expectChar(')');
      return { type: 'TypeCast', arg, typeName, location: loc };
    }
    case 'exists': {
      if (!p.isChar('(', 1)) break; // a column named "exists"
      p.advance();
      const sub = parseSelectWithParens(p);
      return { type: 'SubLink', subLinkType: 'EXISTS_SUBLINK', subLinkId: 0, testexpr: null, operName: [], subselect: sub, location: loc };
    }
    case 'array': {
      p.advance();
      if (p.isChar('(')) {
        if (!p.parenStartsSelect()) p.fail(p.peek(1));
        const sub = parseSelectWithParens(p);
        return { type: 'SubLink', subLinkType: 'ARRAY_SUBLINK', subLinkId: 0, testexpr: null, operName: [], subselect: sub, location: loc };
      }
      return parseArrayExpr(p, loc);
    }
    case 'row': {
      if (!p.isChar('(', 1)) break;
      p.advance();
      p.advance();
      const args = p.isChar(')') ? [] : parseExprList(p);
      p.expectChar(')');
      return { type: 'RowExpr', args, row_format: 'COERCE_EXPLICIT_CALL', colnames: [], location: loc };
    }
    case 'current_date':
      p.advance();
      return svf('SVFOP_CURRENT_DATE', -1, loc);
    case 'current_time':
    case 'current_timestamp':
    case 'localtime':
    case 'localtimestamp': {
      p.advance();
      const base = { current_time: 'SVFOP_CURRENT_TIME', current_timestamp: 'SVFOP_CURRENT_TIMESTAMP', localtime: 'SVFOP_LOCALTIME', localtimestamp: 'SVFOP_LOCALTIMESTAMP' }[t.value]!;
      if (p.acceptChar('(')) {
        if (p.tok.kind !== 'ICONST') p.fail();
        const n = p.advance().ival;
        p.expectChar(')');
        return svf(`${base}_N` as SQLValueFunctionOp, n, loc);
      }
      return svf(base as SQLValueFunctionOp, -1, loc);
    }
    case 'current_role':
      p.advance();
      return svf('SVFOP_CURRENT_ROLE', -1, loc);
    case 'current_user':
      p.advance();
      return svf('SVFOP_CURRENT_USER', -1, loc);
    case 'session_user':
      p.advance();
      return svf('SVFOP_SESSION_USER', -1, loc);
    case 'user':
      p.advance();
      return svf('SVFOP_USER', -1, loc);
    case 'current_catalog':
      p.advance();
      return svf('SVFOP_CURRENT_CATALOG', -1, loc);
    case 'current_schema':
      if (p.isChar('(', 1)) break; // current_schema() is an ordinary function call
      p.advance();
      return svf('SVFOP_CURRENT_SCHEMA', -1, loc);
    case 'system_user':
      p.advance();
      return makeFuncCall(['pg_catalog', 'system_user'], [], loc, 'COERCE_SQL_SYNTAX');
  }
  if (isSpecialFuncStart(p)) return parseSpecialFunc(p);
  if (isConstTypeStart(p)) {
    const lit = tryTypedLiteral(p);
    if (lit !== null) return lit;
  }
  const cat = t.keyword!.category;
  if (cat === 'R') return p.fail();
  if (cat === 'C' && p.isChar('(', 1)) {
    // col_name keywords are not function names (`int(1)` is an error), but
    // they are column names.
    return p.fail(p.peek(1));
  }
  return parseNameExpr(p);
}

/** ARRAY '[' ... ']' (after the ARRAY keyword); nested '[...]' are sub-arrays. */
function parseArrayExpr(p: Parser, loc: number): A_ArrayExpr {
  p.enter();
  p.expectChar('[');
  const elements: Node[] = [];
  if (p.isChar('[')) {
    do elements.push(parseArrayExpr(p, p.tok.start));
    while (p.acceptChar(','));
  } else if (!p.isChar(']')) {
    elements.push(...parseExprList(p));
  }
  p.expectChar(']');
  p.leave();
  return { type: 'A_ArrayExpr', elements, location: loc };
}

/** CASE [arg] WHEN ... THEN ... [ELSE ...] END. */
function parseCase(p: Parser): Node {
  const loc = p.advance().start;
  const arg = p.isKw('when') ? null : parseExpr(p);
  const args: CaseWhen[] = [];
  while (p.isKw('when')) {
    const wloc = p.advance().start;
    const expr = parseExpr(p);
    p.expectKw('then');
    args.push({ type: 'CaseWhen', expr, result: parseExpr(p), location: wloc });
  }
  if (args.length === 0) p.fail();
  const defresult = p.acceptKw('else') ? parseExpr(p) : null;
  p.expectKw('end');
  return { type: 'CaseExpr', arg, args, defresult, location: loc };
}

/** SQL-syntax functions: COALESCE, EXTRACT(f FROM x), SUBSTRING(x FROM a FOR b), TRIM, ... */
function parseSpecialFunc(p: Parser): Node {
  const t = p.advance();
  const loc = t.start;
  const sql = (name: string, args: Node[]): FuncCall => makeFuncCall(['pg_catalog', name], args, loc, 'COERCE_SQL_SYNTAX');
  if (t.value === 'collation') {
    p.expectKw('for');
    p.expectChar('(');
    const arg = parseExpr(p);
    p.expectChar(')');
    return sql('pg_collation_for', [arg]);
  }
  p.expectChar('(');
  let result: Node;
  switch (t.value) {
    case 'coalesce':
      result = { type: 'CoalesceExpr', args: parseExprList(p), location: loc };
      break;
    case 'greatest':
    case 'least':
      result = { type: 'MinMaxExpr', op: t.value === 'greatest' ? 'IS_GREATEST' : 'IS_LEAST', args: parseExprList(p), location: loc };
      break;
    case 'nullif': {
      const a = parseExpr(p);
      p.expectChar(',');
      const b = parseExpr(p);
      result = makeA_Expr('AEXPR_NULLIF', ['='], a, b, loc);
      break;
    }
    case 'extract': {
      const f = p.tok;
      let field: string;
      if (f.kind === 'SCONST') field = f.value;
      else if (f.kind === 'IDENT' || (f.kind === 'KEYWORD' && ['year', 'month', 'day', 'hour', 'minute', 'second'].includes(f.value))) field = f.value;
      else return p.fail();
      p.advance();
      p.expectKw('from');
      result = sql('extract', [makeStringConst(field, f.start), parseExpr(p)]);
      break;
    }
    case 'position': {
      const needle = parseBExpr(p);
      p.expectKw('in');
      result = sql('position', [parseBExpr(p), needle]);
      break;
    }
    case 'substring':
    case 'overlay': {
      if (p.isChar(')')) {
        result = makeFuncCall([t.value], [], loc);
        break;
      }
      const savedSubstring = p.substringDepth;
      if (t.value === 'substring') p.substringDepth = p.depth + 1;
      const a = parseExpr(p);
      p.substringDepth = savedSubstring;
      if (t.value === 'overlay' && p.acceptKw('placing')) {
        const b = parseExpr(p);
        p.expectKw('from');
        const c = parseExpr(p);
        result = sql('overlay', p.acceptKw('for') ? [a, b, c, parseExpr(p)] : [a, b, c]);
      } else if (t.value === 'substring' && p.acceptKw('from')) {
        const b = parseExpr(p);
        result = sql('substring', p.acceptKw('for') ? [a, b, parseExpr(p)] : [a, b]);
      } else if (t.value === 'substring' && p.acceptKw('for')) {
        const c = parseExpr(p);
        result = sql('substring', p.acceptKw('from') ? [a, parseExpr(p), c] : [a, makeIntConst(1, -1), c]);
      } else if (t.value === 'substring' && p.acceptKw('similar')) {
        const b = parseExpr(p);
        p.expectKw('escape');
        result = sql('substring', [a, b, parseExpr(p)]);
      } else {
        const args = [a];
        while (p.acceptChar(',')) args.push(parseExpr(p));
        result = makeFuncCall([t.value], args, loc);
      }
      break;
    }
    case 'trim': {
      let fn = 'btrim';
      if (p.acceptKw('leading')) fn = 'ltrim';
      else if (p.acceptKw('trailing')) fn = 'rtrim';
      else p.acceptKw('both');
      let args: Node[];
      if (p.acceptKw('from')) args = parseExprList(p);
      else {
        const first = parseExpr(p);
        if (p.acceptKw('from')) args = [...parseExprList(p), first];
        else {
          args = [first];
          while (p.acceptChar(',')) args.push(parseExpr(p));
        }
      }
      result = sql(fn, args);
      break;
    }
    case 'grouping':
      return p.notSupported('GROUPING', t);
    default:
      return p.notSupported(t.value.toUpperCase(), t);
  }
  p.expectChar(')');
  return result;
}

/**
 * After a function name: '(' [ALL|DISTINCT|VARIADIC] args [ORDER BY ...] ')'
 * then WITHIN GROUP (...), FILTER (WHERE ...), OVER ... . A call followed by
 * a string is the typed literal `mytype(10) 'value'`.
 */
export function parseFuncCallRest(p: Parser, funcname: string[], loc: number, windowless = false): Node {
  p.enter();
  const fc = makeFuncCall(funcname, [], loc);
  p.expectChar('(');
  let plainArgs = true;
  if (p.acceptChar('*')) {
    fc.agg_star = true;
    plainArgs = false;
  } else if (!p.isChar(')')) {
    if (p.acceptKw('distinct')) {
      fc.agg_distinct = true;
      plainArgs = false;
    } else if (p.acceptKw('all')) plainArgs = false;
    for (;;) {
      if (p.isKw('variadic')) {
        p.advance();
        fc.func_variadic = true;
        plainArgs = false;
        fc.args.push(parseFuncArg(p));
        break;
      }
      fc.args.push(parseFuncArg(p));
      if (!p.acceptChar(',')) break;
    }
    if (p.isKw('order')) {
      fc.agg_order = parseSortClause(p);
      plainArgs = false;
    }
  }
  p.expectChar(')');
  p.leave();
  if (plainArgs && p.tok.kind === 'SCONST') {
    const s = p.advance();
    return { type: 'TypeCast', arg: makeStringConst(s.value, s.start), typeName: makeTypeName(funcname, loc, fc.args), location: -1 };
  }
  if (windowless) return fc;
  if (p.isKw('within')) {
    const wg = p.advance();
    p.expectKw('group');
    p.expectChar('(');
    const order = parseSortClause(p);
    p.expectChar(')');
    if (fc.agg_order.length > 0) p.errorAt(ERRCODE_SYNTAX_ERROR, 'cannot use multiple ORDER BY clauses with WITHIN GROUP', wg);
    if (fc.agg_distinct) p.errorAt(ERRCODE_SYNTAX_ERROR, 'cannot use DISTINCT with WITHIN GROUP', wg);
    if (fc.func_variadic) p.errorAt(ERRCODE_SYNTAX_ERROR, 'cannot use VARIADIC with WITHIN GROUP', wg);
    fc.agg_order = order;
    fc.agg_within_group = true;
  }
  if (p.acceptKw('filter')) {
    p.expectChar('(');
    p.expectKw('where');
    fc.agg_filter = parseExpr(p);
    p.expectChar(')');
  }
  if (p.isKw('over')) {
    p.advance();
    if (p.isChar('(')) fc.over = parseWindowSpecification(p);
    else {
      const nameTok = p.tok;
      fc.over = makeWindowDef(p.colId(), null, nameTok.start);
    }
  }
  return fc;
}

/** func_arg_expr: a_expr; named arguments (name => value) are not supported yet. */
function parseFuncArg(p: Parser): Node {
  if ((p.isKind('COLON_EQUALS', 1) || p.isKind('EQUALS_GREATER', 1)) && p.isNonReservedWord()) {
    p.notSupported('named function arguments');
  }
  return parseExpr(p);
}

/**
 * func_expr_windowless: a function call without OVER/FILTER, as used in FROM
 * (`generate_series(1, 3)`) and index expressions.
 */
export function parseFuncExprWindowless(p: Parser): Node {
  if (isSpecialFuncStart(p)) return parseSpecialFunc(p);
  const t = p.tok;
  if (!p.isTypeFuncName() && !p.isColId()) p.fail();
  const names = [p.advance().value];
  while (p.isChar('.')) {
    p.advance();
    names.push(p.colLabel());
  }
  if (names.length === 1 && !(t.kind === 'IDENT' || t.keyword!.category === 'U' || t.keyword!.category === 'T')) p.fail(t);
  if (!p.isChar('(')) p.fail();
  return parseFuncCallRest(p, names, t.start, true);
}

/** sort_clause: ORDER BY sortby (',' sortby)*. */
export function parseSortClause(p: Parser): SortBy[] {
  p.expectKw('order');
  p.expectKw('by');
  return parseSortByList(p);
}

export function parseSortByList(p: Parser): SortBy[] {
  const list: SortBy[] = [];
  do {
    const node = parseExpr(p);
    const s: SortBy = { type: 'SortBy', node, sortby_dir: 'SORTBY_DEFAULT', sortby_nulls: 'SORTBY_NULLS_DEFAULT', useOp: [], location: -1 };
    if (p.isKw('using')) {
      s.location = p.advance().start;
      s.sortby_dir = 'SORTBY_USING';
      s.useOp = parseAllOp(p);
    } else if (p.isKw('asc') || p.isKw('desc')) {
      s.sortby_dir = p.tok.value === 'asc' ? 'SORTBY_ASC' : 'SORTBY_DESC';
      p.advance();
    }
    if (p.isKw('nulls') && (p.isKw('first', 1) || p.isKw('last', 1))) {
      p.advance();
      s.sortby_nulls = p.advance().value === 'first' ? 'SORTBY_NULLS_FIRST' : 'SORTBY_NULLS_LAST';
    }
    list.push(s);
  } while (p.acceptChar(','));
  return list;
}

/** qual_all_Op after USING: an operator or OPERATOR(schema.op). */
function parseAllOp(p: Parser): string[] {
  const t = p.tok;
  if (t.kind === 'KEYWORD' && t.value === 'operator') {
    p.advance();
    p.expectChar('(');
    const names: string[] = [];
    while (p.isColId() && p.isChar('.', 1)) {
      names.push(p.advance().value);
      p.advance();
    }
    const op = p.advance();
    if (!(op.kind === 'Op' || op.kind === 'CHAR' || op.kind === 'LESS_EQUALS' || op.kind === 'GREATER_EQUALS' || op.kind === 'NOT_EQUALS')) p.fail(op);
    names.push(op.value);
    p.expectChar(')');
    return names;
  }
  if (t.kind === 'Op' || t.kind === 'LESS_EQUALS' || t.kind === 'GREATER_EQUALS' || t.kind === 'NOT_EQUALS' || (t.kind === 'CHAR' && '+-*/%^<>='.includes(t.value))) {
    p.advance();
    return [t.value];
  }
  return p.fail();
}

function makeWindowDef(name: string | null, refname: string | null, location: number): WindowDef {
  return { type: 'WindowDef', name, refname, partitionClause: [], orderClause: [], frameOptions: FRAMEOPTION_DEFAULTS, startOffset: null, endOffset: null, location };
}

/**
 * window_specification: '(' [existing_name] [PARTITION BY ...] [ORDER BY ...]
 * [frame clause] ')'. PARTITION, RANGE, ROWS and GROUPS are never taken as the
 * existing window's name, as gram.y's precedence for them arranges.
 */
export function parseWindowSpecification(p: Parser): WindowDef {
  const open = p.expectChar('(');
  const w = makeWindowDef(null, null, open.start);
  const t = p.tok;
  if (p.isColId() && !(t.kind === 'KEYWORD' && ['partition', 'range', 'rows', 'groups'].includes(t.value))) {
    w.refname = p.advance().value;
  }
  if (p.isKw('partition')) {
    p.advance();
    p.expectKw('by');
    w.partitionClause = parseExprList(p);
  }
  if (p.isKw('order')) w.orderClause = parseSortClause(p);
  if (p.isKw('range') || p.isKw('rows') || p.isKw('groups')) parseFrameClause(p, w);
  p.expectChar(')');
  return w;
}

/** RANGE|ROWS|GROUPS frame_extent [EXCLUDE ...], with gram.y's checks. */
function parseFrameClause(p: Parser, w: WindowDef): void {
  const mode = p.advance().value;
  let opts = F.NONDEFAULT | (mode === 'range' ? F.RANGE : mode === 'rows' ? F.ROWS : F.GROUPS);
  const extentTok = p.tok;
  const bound = (): { opts: number; offset: Node | null; tok: number } => {
    const tok = p.tok.start;
    if (p.isKw('unbounded') && (p.isKw('preceding', 1) || p.isKw('following', 1))) {
      p.advance();
      return { opts: p.advance().value === 'preceding' ? F.START_UNBOUNDED_PRECEDING : F.START_UNBOUNDED_FOLLOWING, offset: null, tok };
    }
    if (p.isKw('current') && p.isKw('row', 1)) {
      p.pos += 2;
      return { opts: F.START_CURRENT_ROW, offset: null, tok };
    }
    const offset = parseExpr(p);
    if (p.acceptKw('preceding')) return { opts: F.START_OFFSET_PRECEDING, offset, tok };
    if (p.acceptKw('following')) return { opts: F.START_OFFSET_FOLLOWING, offset, tok };
    return p.fail();
  };
  const err = (msg: string, at: number): never => p.errorAt(ERRCODE_WINDOWING_ERROR, msg, at);
  if (p.acceptKw('between')) {
    const s = bound();
    p.expectKw('and');
    const e = bound();
    if (s.opts & F.START_UNBOUNDED_FOLLOWING) err('frame start cannot be UNBOUNDED FOLLOWING', s.tok);
    if (e.opts & F.START_UNBOUNDED_PRECEDING) err('frame end cannot be UNBOUNDED PRECEDING', e.tok);
    if (s.opts & F.START_CURRENT_ROW && e.opts & F.START_OFFSET_PRECEDING) err('frame starting from current row cannot have preceding rows', e.tok);
    if (s.opts & F.START_OFFSET_FOLLOWING && e.opts & (F.START_OFFSET_PRECEDING | F.START_CURRENT_ROW)) {
      err('frame starting from following row cannot have preceding rows', e.tok);
    }
    opts |= F.BETWEEN | s.opts | (e.opts << 1);
    w.startOffset = s.offset;
    w.endOffset = e.offset;
  } else {
    const s = bound();
    if (s.opts & F.START_UNBOUNDED_FOLLOWING) err('frame start cannot be UNBOUNDED FOLLOWING', extentTok.start);
    if (s.opts & F.START_OFFSET_FOLLOWING) err('frame starting from following row cannot end with current row', extentTok.start);
    opts |= s.opts | F.END_CURRENT_ROW;
    w.startOffset = s.offset;
  }
  if (p.acceptKw('exclude')) {
    if (p.acceptKw('current')) {
      p.expectKw('row');
      opts |= F.EXCLUDE_CURRENT_ROW;
    } else if (p.acceptKw('group')) opts |= F.EXCLUDE_GROUP;
    else if (p.acceptKw('ties')) opts |= F.EXCLUDE_TIES;
    else if (p.acceptKw('no')) p.expectKw('others');
    else p.fail();
  }
  w.frameOptions = opts;
}
