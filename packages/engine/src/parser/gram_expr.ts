/*
 * gram_expr.ts — value expressions (gram.y's a_expr, b_expr, c_expr).
 *
 * Exports: parseExpr(), parseBExpr(), parseExprList(), parseIndirection().
 *
 * Binary and postfix operators are parsed by precedence climbing over the
 * levels of gram.y's %left/%right/%nonassoc table (README.md, "Operator
 * precedence"). parseA(p, minPrec) parses an expression whose operators all
 * bind at least as tightly as minPrec. A left-associative operator at level
 * L parses its right operand at L+1, a right-associative one at L; after a
 * non-associative operator (comparison, IS, LIKE, ...) another operator of the
 * same level is a syntax error, as in PostgreSQL (`a < b < c`).
 *
 * Primary expressions (constants, column references, function calls, CASE,
 * subqueries, ...) are in gram_func.ts.
 */

import { parseSelectWithParens } from './gram_select.ts';
import { parsePrimary } from './gram_func.ts';
import { parseTypename } from './gram_type.ts';
import type { Parser } from './gramparse.ts';
import {
  makeA_Expr,
  makeBoolExpr,
  makeFuncCall,
  makeNotExpr,
  type A_Indices,
  type A_Star,
  type Node,
  type SubLink,
} from './primnodes.ts';

/** Precedence levels, lowest first (gram.y's precedence declarations). */
export const PREC = {
  OR: 1,
  AND: 2,
  NOT: 3,
  IS: 4, // IS, ISNULL, NOTNULL
  CMP: 5, // < > = <= >= <>
  LIKE: 6, // BETWEEN IN LIKE ILIKE SIMILAR NOT_LA
  ESCAPE: 7,
  OP: 9, // any other operator, OPERATOR(...)
  ADD: 10, // + -
  MUL: 11, // * / %
  EXP: 12, // ^
  AT: 13, // AT TIME ZONE, AT LOCAL
  COLLATE: 14,
  UMINUS: 15,
  TYPECAST: 18,
} as const;

/** a_expr: a full value expression. */
export function parseExpr(p: Parser): Node {
  return parseA(p, 0, false);
}

/**
 * b_expr: the restricted expression used where AND, NOT, IS NULL, IN ...
 * would be ambiguous: BETWEEN's lower bound and column DEFAULT values
 * (`DEFAULT 0 NOT NULL`).
 */
export function parseBExpr(p: Parser): Node {
  return parseA(p, 0, true);
}

/** expr_list: a_expr (',' a_expr)*. */
export function parseExprList(p: Parser): Node[] {
  const list = [parseExpr(p)];
  while (p.acceptChar(',')) list.push(parseExpr(p));
  return list;
}

/** The precedence of the binary or postfix operator at the cursor, or -1. */
function infixPrec(p: Parser, restricted: boolean): number {
  const t = p.tok;
  switch (t.kind) {
    case 'CHAR':
      switch (t.value) {
        case '<':
        case '>':
        case '=':
          return PREC.CMP;
        case '+':
        case '-':
          return PREC.ADD;
        case '*':
        case '/':
        case '%':
          return PREC.MUL;
        case '^':
          return PREC.EXP;
      }
      return -1;
    case 'LESS_EQUALS':
    case 'GREATER_EQUALS':
    case 'NOT_EQUALS':
      return PREC.CMP;
    case 'Op':
      return PREC.OP;
    case 'TYPECAST':
      return PREC.TYPECAST;
    case 'KEYWORD':
      switch (t.value) {
        case 'operator':
          return PREC.OP;
        case 'is':
          if (restricted) {
            // b_expr keeps only IS [NOT] DISTINCT FROM.
            const k = p.isKw('not', 1) ? 2 : 1;
            return p.isKw('distinct', k) ? PREC.IS : -1;
          }
          return PREC.IS;
      }
      if (restricted) return -1;
      switch (t.value) {
        case 'or':
          return PREC.OR;
        case 'and':
          return PREC.AND;
        case 'isnull':
        case 'notnull':
          return PREC.IS;
        case 'between':
        case 'in':
        case 'like':
        case 'ilike':
          return PREC.LIKE;
        case 'similar':
          // Inside SUBSTRING(a SIMILAR b ESCAPE c) a SIMILAR without TO ends the operand.
          return p.isKw('to', 1) || p.depth !== p.substringDepth ? PREC.LIKE : -1;
        case 'not': {
          // NOT_LA: NOT followed by BETWEEN, IN, LIKE, ILIKE or SIMILAR.
          const n = p.peek(1);
          if (n.kind !== 'KEYWORD') return -1;
          if (n.value === 'between' || n.value === 'in' || n.value === 'like' || n.value === 'ilike') return PREC.LIKE;
          if (n.value === 'similar' && p.isKw('to', 2)) return PREC.LIKE;
          return -1;
        }
        case 'at':
          return p.isKw('time', 1) || p.isKw('local', 1) ? PREC.AT : -1;
        case 'collate':
          return PREC.COLLATE;
      }
      return -1;
  }
  return -1;
}

/** Tokens that can follow a SELECT-list item (FOLLOW(target_el) in gram.y). */
const TARGET_FOLLOW = new Set(['from', 'into', 'where', 'group', 'having', 'window', 'order', 'limit', 'offset', 'fetch', 'for', 'union', 'intersect', 'except', 'on']);

/**
 * An operator keyword that is also a bare label (IS, AND, LIKE, AT, ...)
 * followed by something that ends a SELECT-list item is the item's label,
 * as bison's lookahead decides: `SELECT a is FROM t`.
 */
function endsTargetWithLabel(p: Parser): boolean {
  const t = p.tok;
  if (t.kind !== 'KEYWORD' || !t.keyword!.bareLabel) return false;
  const n = p.peek(1);
  if (n.kind === 'EOF') return true;
  if (n.kind === 'CHAR') return n.value === ',' || n.value === ';' || n.value === ')';
  return n.kind === 'KEYWORD' && TARGET_FOLLOW.has(n.value);
}

/** Levels whose operators do not associate (a second one in a row is an error). */
function isNonAssoc(prec: number): boolean {
  return prec === PREC.IS || prec === PREC.CMP || prec === PREC.LIKE;
}

/** Precedence climbing: an expression whose operators bind at least at minPrec. */
export function parseA(p: Parser, minPrec: number, restricted: boolean): Node {
  p.enter();
  let left = parsePrefix(p, restricted);
  let lastNonAssoc = -1;
  for (;;) {
    const prec = infixPrec(p, restricted);
    if (prec < 0 || prec < minPrec) break;
    if (p.depth === p.labelDepth && endsTargetWithLabel(p)) break;
    if (prec === lastNonAssoc) p.fail();
    const folded = parseInfix(p, left, prec, restricted);
    left = folded.node;
    // Only a rule that ends in an operand conflicts with the next operator
    // (bison reports nonassoc errors on shift/reduce conflicts): `a < b < c`
    // fails, `a IS NULL IS NULL` and `a IN (1) IN (2)` do not.
    lastNonAssoc = isNonAssoc(prec) && folded.open ? prec : -1;
  }
  p.leave();
  return left;
}

/** Prefix operators: NOT, unary + and -, prefix Op; else a primary expression. */
function parsePrefix(p: Parser, restricted: boolean): Node {
  const t = p.tok;
  if (t.kind === 'CHAR' && (t.value === '-' || t.value === '+')) {
    p.advance();
    const arg = parseA(p, PREC.UMINUS, restricted);
    if (t.value === '-') return doNegate(arg, t.start);
    return makeA_Expr('AEXPR_OP', ['+'], null, arg, t.start);
  }
  if (t.kind === 'KEYWORD' && t.value === 'not' && !restricted) {
    p.advance();
    return makeNotExpr(parseA(p, PREC.NOT, false), t.start);
  }
  if (t.kind === 'Op' || (t.kind === 'KEYWORD' && t.value === 'operator' && p.isChar('(', 1))) {
    const name = parseQualOp(p);
    const arg = parseA(p, PREC.OP + 1, restricted);
    return makeA_Expr('AEXPR_OP', name, null, arg, t.start);
  }
  return parsePrimary(p);
}

/** doNegate: fold a minus sign into a numeric constant, as gram.y does. */
function doNegate(arg: Node, location: number): Node {
  if (arg.type === 'A_Const' && arg.val !== undefined) {
    if (arg.val.type === 'Integer') {
      arg.val.ival = 0 - arg.val.ival;
      arg.location = location;
      return arg;
    }
    if (arg.val.type === 'Float') {
      arg.val.fval = arg.val.fval.startsWith('-') ? arg.val.fval.slice(1) : '-' + arg.val.fval;
      arg.location = location;
      return arg;
    }
  }
  return makeA_Expr('AEXPR_OP', ['-'], null, arg, location);
}

/**
 * qual_Op / all_Op: an operator token, or OPERATOR(schema.op). Returns the
 * operator's (possibly qualified) name.
 */
function parseQualOp(p: Parser): string[] {
  const t = p.tok;
  if (t.kind === 'KEYWORD' && t.value === 'operator') {
    p.advance();
    p.expectChar('(');
    const names: string[] = [];
    while (p.isColId() && p.isChar('.', 1)) {
      names.push(p.advance().value);
      p.advance();
    }
    const op = p.tok;
    if (!isOperatorToken(op.kind, op.value)) p.fail();
    names.push(op.value);
    p.advance();
    p.expectChar(')');
    return names;
  }
  p.advance();
  return [t.value];
}

function isOperatorToken(kind: string, value: string): boolean {
  if (kind === 'Op' || kind === 'LESS_EQUALS' || kind === 'GREATER_EQUALS' || kind === 'NOT_EQUALS') return true;
  return kind === 'CHAR' && '+-*/%^<>='.includes(value) && value.length === 1;
}

/** Parse one binary or postfix operator and its right operand. */
function parseInfix(p: Parser, left: Node, prec: number, restricted: boolean): { node: Node; open: boolean } {
  const t = p.tok;
  const loc = t.start;
  if (t.kind === 'TYPECAST') {
    p.advance();
    return { node: { type: 'TypeCast', arg: left, typeName: parseTypename(p), location: loc }, open: false };
  }
  if (t.kind === 'KEYWORD') {
    switch (t.value) {
      case 'or':
      case 'and':
        p.advance();
        return { node: makeBoolExpr(t.value === 'or' ? 'OR_EXPR' : 'AND_EXPR', left, parseA(p, prec + 1, false), loc), open: true };
      case 'isnull':
        p.advance();
        return { node: { type: 'NullTest', arg: left, nulltesttype: 'IS_NULL', argisrow: false, location: loc }, open: false };
      case 'notnull':
        p.advance();
        return { node: { type: 'NullTest', arg: left, nulltesttype: 'IS_NOT_NULL', argisrow: false, location: loc }, open: false };
      case 'is':
        return parseIs(p, left, restricted);
      case 'collate': {
        p.advance();
        return { node: { type: 'CollateClause', arg: left, collname: p.anyName(), location: loc }, open: false };
      }
      case 'at': {
        p.advance();
        if (p.acceptKw('local')) {
          return { node: makeFuncCall(['pg_catalog', 'timezone'], [left], loc, 'COERCE_SQL_SYNTAX'), open: false };
        }
        p.expectKw('time');
        p.expectKw('zone');
        const zone = parseA(p, PREC.AT + 1, false);
        return { node: makeFuncCall(['pg_catalog', 'timezone'], [zone, left], loc, 'COERCE_SQL_SYNTAX'), open: true };
      }
      case 'operator':
        return parseBinaryOp(p, left, prec, restricted);
    }
    // BETWEEN, IN, LIKE, ILIKE, SIMILAR TO, optionally after NOT.
    return parseLikeLevel(p, left);
  }
  return parseBinaryOp(p, left, prec, restricted);
}

/** a op b, and a op ANY/ALL/SOME (subquery or array). */
function parseBinaryOp(p: Parser, left: Node, prec: number, restricted: boolean): { node: Node; open: boolean } {
  const loc = p.tok.start;
  const name = parseQualOp(p);
  if (p.isKw('any') || p.isKw('some') || p.isKw('all')) {
    return { node: parseSubqueryOp(p, left, name, loc), open: false };
  }
  const right = parseA(p, prec + 1, restricted);
  return { node: makeA_Expr('AEXPR_OP', name, left, right, loc), open: true };
}

/** `a op ANY (SELECT ...)` is a SubLink; `a op ANY (array)` is an A_Expr. */
function parseSubqueryOp(p: Parser, left: Node, name: string[], loc: number): Node {
  const all = p.advance().value === 'all';
  if (!p.isChar('(')) p.fail();
  if (p.parenStartsSelect()) {
    const sub = parseSelectWithParens(p);
    const link: SubLink = {
      type: 'SubLink',
      subLinkType: all ? 'ALL_SUBLINK' : 'ANY_SUBLINK',
      subLinkId: 0,
      testexpr: left,
      operName: name,
      subselect: sub,
      location: loc,
    };
    return link;
  }
  p.expectChar('(');
  const arr = parseExpr(p);
  p.expectChar(')');
  return makeA_Expr(all ? 'AEXPR_OP_ALL' : 'AEXPR_OP_ANY', name, left, arr, loc);
}

/** IS [NOT] NULL / TRUE / FALSE / UNKNOWN / DISTINCT FROM x. */
function parseIs(p: Parser, left: Node, restricted: boolean): { node: Node; open: boolean } {
  const loc = p.advance().start;
  const not = p.acceptKw('not');
  const t = p.tok;
  if (t.kind === 'KEYWORD') {
    switch (t.value) {
      case 'null':
        if (restricted) break;
        p.advance();
        return { node: { type: 'NullTest', arg: left, nulltesttype: not ? 'IS_NOT_NULL' : 'IS_NULL', argisrow: false, location: loc }, open: false };
      case 'true':
      case 'false':
      case 'unknown': {
        if (restricted) break;
        p.advance();
        const kind = `IS_${not ? 'NOT_' : ''}${t.value.toUpperCase()}` as 'IS_TRUE';
        return { node: { type: 'BooleanTest', arg: left, booltesttype: kind, location: loc }, open: false };
      }
      case 'distinct': {
        p.advance();
        p.expectKw('from');
        const right = parseA(p, PREC.IS + 1, restricted);
        return { node: makeA_Expr(not ? 'AEXPR_NOT_DISTINCT' : 'AEXPR_DISTINCT', ['='], left, right, loc), open: true };
      }
      case 'document':
        p.notSupported('IS DOCUMENT');
        break;
      case 'json':
        p.notSupported('IS JSON');
        break;
      case 'normalized':
      case 'nfc':
      case 'nfd':
      case 'nfkc':
      case 'nfkd':
        p.notSupported('IS NORMALIZED');
    }
  }
  return p.fail();
}

/** [NOT] BETWEEN / IN / LIKE / ILIKE / SIMILAR TO. */
function parseLikeLevel(p: Parser, left: Node): { node: Node; open: boolean } {
  const notTok = p.isKw('not') ? p.advance() : null;
  const not = notTok !== null;
  const opTok = p.advance();
  const loc = opTok.start;
  switch (opTok.value) {
    case 'between': {
      let sym = false;
      if (p.acceptKw('symmetric')) sym = true;
      else p.acceptKw('asymmetric');
      const lower = parseBExpr(p);
      p.expectKw('and');
      const upper = parseA(p, PREC.LIKE + 1, false);
      const kind = sym ? (not ? 'AEXPR_NOT_BETWEEN_SYM' : 'AEXPR_BETWEEN_SYM') : not ? 'AEXPR_NOT_BETWEEN' : 'AEXPR_BETWEEN';
      return { node: makeA_Expr(kind, [sym ? (not ? 'NOT BETWEEN SYMMETRIC' : 'BETWEEN SYMMETRIC') : not ? 'NOT BETWEEN' : 'BETWEEN'], left, [lower, upper], loc), open: true };
    }
    case 'in': {
      if (!p.isChar('(')) p.fail();
      if (p.parenStartsSelect()) {
        const sub = parseSelectWithParens(p);
        const link: SubLink = { type: 'SubLink', subLinkType: 'ANY_SUBLINK', subLinkId: 0, testexpr: left, operName: [], subselect: sub, location: loc };
        return { node: not ? makeNotExpr(link, notTok.start) : link, open: false };
      }
      p.expectChar('(');
      const list = parseExprList(p);
      p.expectChar(')');
      return { node: makeA_Expr('AEXPR_IN', [not ? '<>' : '='], left, list, not ? notTok.start : loc), open: false };
    }
    case 'like':
    case 'ilike':
    case 'similar': {
      if (opTok.value === 'similar') p.expectKw('to');
      // `a LIKE ANY (...)`: LIKE as a subquery_Op.
      const opName = opTok.value === 'like' ? '~~' : opTok.value === 'ilike' ? '~~*' : '~';
      const name = [(not ? '!' : '') + opName];
      if (opTok.value !== 'similar' && (p.isKw('any') || p.isKw('some') || p.isKw('all'))) {
        return { node: parseSubqueryOp(p, left, name, not ? notTok.start : loc), open: false };
      }
      let pattern = parseA(p, PREC.ESCAPE, false);
      if (p.isKw('escape')) {
        const escLoc = p.advance().start;
        const esc = parseA(p, PREC.ESCAPE, false);
        const fn = opTok.value === 'similar' ? 'similar_to_escape' : 'like_escape';
        pattern = makeFuncCall(['pg_catalog', fn], [pattern, esc], escLoc);
      } else if (opTok.value === 'similar') {
        pattern = makeFuncCall(['pg_catalog', 'similar_to_escape'], [pattern], loc);
      }
      const kind = opTok.value === 'like' ? 'AEXPR_LIKE' : opTok.value === 'ilike' ? 'AEXPR_ILIKE' : 'AEXPR_SIMILAR';
      return { node: makeA_Expr(kind, name, left, pattern, not ? notTok.start : loc), open: true };
    }
  }
  return p.fail(opTok);
}

/**
 * indirection: ('.' ColLabel | '.' '*' | '[' a_expr ']' | '[' [a_expr] ':' [a_expr] ']')*
 * after a column reference, parameter or parenthesized expression.
 */
export function parseIndirection(p: Parser): (A_Indices | string | A_Star)[] {
  const out: (A_Indices | string | A_Star)[] = [];
  for (;;) {
    if (p.isChar('.')) {
      p.advance();
      if (p.acceptChar('*')) out.push({ type: 'A_Star' });
      else out.push(p.colLabel());
    } else if (p.isChar('[')) {
      p.advance();
      let lidx: Node | null = null;
      if (!p.isChar(':')) lidx = parseExpr(p);
      if (p.acceptChar(':')) {
        const uidx = p.isChar(']') ? null : parseExpr(p);
        p.expectChar(']');
        out.push({ type: 'A_Indices', is_slice: true, lidx, uidx });
      } else {
        p.expectChar(']');
        out.push({ type: 'A_Indices', is_slice: false, lidx: null, uidx: lidx });
      }
    } else return out;
  }
}
