/*
 * gramparse.ts — the grammar's shared state: the token cursor, name rules,
 * error reporting and the recursion-depth guard (PostgreSQL's gramparse.h).
 *
 * Exports: Parser (the cursor every gram_*.ts production takes as its first
 * argument), MAX_PARSE_DEPTH, SQLSTATE codes the grammar raises.
 *
 * Each production is a function `parseXxx(p: Parser, ...)` in the file of
 * its statement family; they share nothing but this object. Productions
 * consume tokens with accept/expect and report a syntax error at the first
 * token they cannot use, which is the token bison would have failed on.
 */

import { PgError } from '../utils/errors.ts';
import { charPosition, syntaxErrorAt, tokenize, type Token, type TokenKind } from './scan.ts';

export const ERRCODE_SYNTAX_ERROR = '42601';
export const ERRCODE_FEATURE_NOT_SUPPORTED = '0A000';
export const ERRCODE_STATEMENT_TOO_COMPLEX = '54001';
export const ERRCODE_WINDOWING_ERROR = '42P20';
export const ERRCODE_INVALID_PARAMETER_VALUE = '22023';

/**
 * How deeply productions may nest (parentheses, subqueries, prefix
 * operators). One level costs about six JavaScript frames; 1,000 levels stay
 * far below Node's and browsers' stack limits (about 10,000 frames), so deep
 * input ends in PostgreSQL's "stack depth limit exceeded" and never in a
 * RangeError. PostgreSQL's own limit comes from max_stack_depth (2 MB),
 * which allows a few thousand levels; queries never need that many.
 */
export const MAX_PARSE_DEPTH = 1000;

export class Parser {
  readonly sql: string;
  readonly toks: Token[];
  pos = 0;
  /** Current nesting of productions that called enter(). */
  depth = 0;
  /**
   * The depth of the expression that is a whole SELECT-list item, where a
   * bare-label keyword may end the expression (`SELECT a is` names the
   * column "is"); -1 elsewhere. See gram_expr.ts, parseA().
   */
  labelDepth = -1;
  /** The depth of SUBSTRING's first argument, where SIMILAR ends the operand; -1 elsewhere. */
  substringDepth = -1;
  /** For each '(' token index, the index of its matching ')' (or -1); built on first use. */
  private matching: Int32Array | null = null;
  /** parenStartsSelect() answers by token index: 0 unknown, 1 yes, 2 no. */
  private selectMemo: Int8Array | null = null;

  constructor(sql: string) {
    this.sql = sql;
    this.toks = tokenize(sql);
  }

  // -- cursor ---------------------------------------------------------------

  get tok(): Token {
    return this.toks[this.pos];
  }
  peek(k = 0): Token {
    const i = this.pos + k;
    return this.toks[i < this.toks.length ? i : this.toks.length - 1];
  }
  advance(): Token {
    const t = this.toks[this.pos];
    if (t.kind !== 'EOF') this.pos++;
    return t;
  }
  /** Is the token k ahead the (unquoted) keyword `kw`? */
  isKw(kw: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'KEYWORD' && t.value === kw;
  }
  acceptKw(kw: string): boolean {
    if (this.isKw(kw)) {
      this.pos++;
      return true;
    }
    return false;
  }
  expectKw(kw: string): Token {
    if (!this.isKw(kw)) this.fail();
    return this.advance();
  }
  /** Is the token k ahead the one-character token `ch`? */
  isChar(ch: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'CHAR' && t.value === ch;
  }
  acceptChar(ch: string): boolean {
    if (this.isChar(ch)) {
      this.pos++;
      return true;
    }
    return false;
  }
  expectChar(ch: string): Token {
    if (!this.isChar(ch)) this.fail();
    return this.advance();
  }
  isKind(kind: TokenKind, k = 0): boolean {
    return this.peek(k).kind === kind;
  }

  // -- errors ---------------------------------------------------------------

  /** `syntax error at or near "X"` at token t (default: the current token). */
  fail(t: Token = this.tok): never {
    syntaxErrorAt(this.sql, t.start, t.end);
  }
  /** An error of any SQLSTATE positioned at token t. */
  errorAt(code: string, message: string, t: Token | number = this.tok, hint?: string): never {
    const offset = typeof t === 'number' ? t : t.start;
    throw new PgError(code, message, { position: charPosition(this.sql, offset), ...(hint !== undefined ? { hint } : {}) });
  }
  /** 0A000 for a construct tabgres recognizes but does not implement yet. */
  notSupported(what: string, t: Token | number = this.tok): never {
    this.errorAt(ERRCODE_FEATURE_NOT_SUPPORTED, `${what} is not supported`, t);
  }

  // -- recursion guard --------------------------------------------------------

  /** check_stack_depth(): call on entry to every production that can recurse. */
  enter(): void {
    if (++this.depth > MAX_PARSE_DEPTH) {
      throw new PgError(ERRCODE_STATEMENT_TOO_COMPLEX, 'stack depth limit exceeded', {
        hint: 'Increase the configuration parameter "max_stack_depth" (currently 2048kB), after ensuring the platform\'s stack depth limit is adequate.',
      });
    }
  }
  leave(): void {
    this.depth--;
  }

  // -- names (gram.y's ColId, ColLabel, type_function_name, ...) -------------

  /** IDENT, unreserved or col_name keyword: names of columns, tables, aliases. */
  isColId(k = 0): boolean {
    const t = this.peek(k);
    if (t.kind === 'IDENT') return true;
    return t.kind === 'KEYWORD' && (t.keyword!.category === 'U' || t.keyword!.category === 'C');
  }
  colId(): string {
    if (!this.isColId()) this.fail();
    return this.advance().value;
  }
  /** IDENT, unreserved or type_func_name keyword: names of functions and types. */
  isTypeFuncName(k = 0): boolean {
    const t = this.peek(k);
    if (t.kind === 'IDENT') return true;
    return t.kind === 'KEYWORD' && (t.keyword!.category === 'U' || t.keyword!.category === 'T');
  }
  /** IDENT or any keyword except reserved ones: NonReservedWord. */
  isNonReservedWord(k = 0): boolean {
    const t = this.peek(k);
    if (t.kind === 'IDENT') return true;
    return t.kind === 'KEYWORD' && t.keyword!.category !== 'R';
  }
  /** IDENT or any keyword at all: labels after AS and names after a dot. */
  isColLabel(k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'IDENT' || t.kind === 'KEYWORD';
  }
  colLabel(): string {
    if (!this.isColLabel()) this.fail();
    return this.advance().value;
  }
  /** IDENT or a keyword marked BARE_LABEL: a column alias written without AS. */
  isBareColLabel(k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'IDENT' || (t.kind === 'KEYWORD' && t.keyword!.bareLabel);
  }

  /** any_name: ColId ('.' ColLabel)* — qualified names of objects. */
  anyName(): string[] {
    const names = [this.colId()];
    while (this.isChar('.')) {
      this.advance();
      names.push(this.colLabel());
    }
    return names;
  }

  /** name_list: ColId (',' ColId)*. */
  nameList(): string[] {
    const names = [this.colId()];
    while (this.acceptChar(',')) names.push(this.colId());
    return names;
  }

  /** '(' name_list ')'. */
  parenNameList(): string[] {
    this.expectChar('(');
    const names = this.nameList();
    this.expectChar(')');
    return names;
  }

  /** Sconst: a string constant's value. */
  sconst(): string {
    if (this.tok.kind !== 'SCONST') this.fail();
    return this.advance().value;
  }

  // -- parentheses lookahead ------------------------------------------------

  /** Index of the ')' matching the '(' at token index i, or -1. */
  matchingParen(i: number): number {
    if (this.matching === null) {
      const m = new Int32Array(this.toks.length).fill(-1);
      const stack: number[] = [];
      for (let j = 0; j < this.toks.length; j++) {
        const t = this.toks[j];
        if (t.kind !== 'CHAR') continue;
        if (t.value === '(') stack.push(j);
        else if (t.value === ')' && stack.length > 0) m[stack.pop()!] = j;
      }
      this.matching = m;
    }
    return this.matching[i];
  }

  /**
   * Does the '(' at token offset k begin a parenthesized query
   * (select_with_parens) rather than a parenthesized expression or join?
   * `(SELECT 1)`, `((SELECT 1) UNION (SELECT 2))` and `((VALUES (1)))` do;
   * `((SELECT 1) + 1)` and `(a JOIN b)` do not. bison decides this with its
   * LALR(1) tables; here we look ahead over the run of '(' once, decide for
   * every '(' of the run from the innermost outwards, and remember the
   * answers, so deeply nested input costs linear time.
   */
  parenStartsSelect(k = 0): boolean {
    const i = this.pos + k;
    if (this.selectMemo === null) this.selectMemo = new Int8Array(this.toks.length);
    const memo = this.selectMemo;
    const known: number = memo[i];
    if (known !== 0) return known === 1;
    const opens: number[] = [];
    let j = i;
    while (j < this.toks.length && this.toks[j].kind === 'CHAR' && this.toks[j].value === '(') opens.push(j++);
    const first = this.toks[j];
    const isQuery = first !== undefined && first.kind === 'KEYWORD' && (first.value === 'select' || first.value === 'values' || first.value === 'with' || first.value === 'table');
    if (!isQuery) {
      for (const o of opens) memo[o] = 2;
      return false;
    }
    // The innermost '(' holds a query. Walk outwards: an enclosing '(' also
    // holds a query when what follows its inner group continues a query.
    let result = true;
    memo[opens[opens.length - 1]] = 1;
    for (let level = opens.length - 2; level >= 0; level--) {
      if (result) {
        const close = this.matchingParen(opens[level + 1]);
        if (close >= 0) {
          const after = this.toks[close + 1];
          const continues = (after.kind === 'CHAR' && after.value === ')') || (after.kind === 'KEYWORD' && SELECT_CONTINUATIONS.has(after.value));
          if (!continues) result = false;
        }
      }
      memo[opens[level]] = result ? 1 : 2;
    }
    return result;
  }
}

/** Keywords that can follow a parenthesized query inside a larger query. */
const SELECT_CONTINUATIONS = new Set(['union', 'intersect', 'except', 'order', 'limit', 'offset', 'fetch', 'for']);
