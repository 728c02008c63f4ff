/*
 * gram.ts — the grammar's entry point: a query string to raw statements
 * (gram.y's stmtmulti and stmt, raw_parser() in parser.c).
 *
 * Exports: parse(), parseOne().
 *
 * parse() tokenizes the whole string (scan.ts), then reads statements
 * separated by ';' (empty statements are skipped, as PostgreSQL does),
 * dispatching on each statement's first keyword to the production of its
 * family:
 *   gram_select.ts   SELECT, VALUES, TABLE, WITH ... SELECT
 *   gram_dml.ts      INSERT, UPDATE, DELETE
 *   gram_ddl.ts      CREATE, DROP, ALTER, TRUNCATE
 *   gram_utility.ts  BEGIN/COMMIT/..., SET/SHOW/RESET, EXPLAIN, VACUUM,
 *                    ANALYZE, CHECKPOINT, LOCK
 *   gram_expr.ts, gram_func.ts, gram_type.ts: expressions and type names.
 * Statements PostgreSQL has and tabgres does not yet raise 0A000
 * feature_not_supported naming the statement; anything else is a syntax
 * error at the offending token (README.md, "Errors").
 */

import { parseDeleteStmt, parseInsertStmt, parseUpdateStmt } from './gram_dml.ts';
import { parseAlter } from './gram_alter.ts';
import { parseCreate, parseDrop, parseTruncate } from './gram_ddl.ts';
import { parseSelectAfterWith, parseSelectStmt, parseWithClause } from './gram_select.ts';
import { parseAnalyze, parseExplain, parseLock, parseReset, parseSet, parseShow, parseTransaction, parseVacuum } from './gram_utility.ts';
import { Parser } from './gramparse.ts';
import type { RawStmt, Stmt } from './nodes.ts';

/** First keywords of PostgreSQL statements that tabgres does not implement yet. */
const UNSUPPORTED_STATEMENTS = new Set([
  'copy', 'grant', 'revoke', 'comment', 'prepare', 'execute', 'deallocate', 'declare', 'fetch', 'move', 'close',
  'listen', 'notify', 'unlisten', 'do', 'call', 'merge', 'cluster', 'reindex', 'discard', 'refresh', 'security',
  'import', 'load', 'reassign',
]);

/** Parse a query string into its statements. Throws PgError on the first error. */
export function parse(sql: string): RawStmt[] {
  const p = new Parser(sql);
  const out: RawStmt[] = [];
  for (;;) {
    while (p.acceptChar(';'));
    if (p.tok.kind === 'EOF') return out;
    const start = p.tok.start;
    const stmt = parseStmt(p);
    const t = p.tok;
    if (t.kind === 'EOF') {
      out.push({ type: 'RawStmt', stmt, stmt_location: start, stmt_len: 0 });
      return out;
    }
    if (!(t.kind === 'CHAR' && t.value === ';')) p.fail();
    out.push({ type: 'RawStmt', stmt, stmt_location: start, stmt_len: t.start - start });
  }
}

/** Parse a string that must hold exactly one statement (the usual case for query()). */
export function parseOne(sql: string): Stmt {
  const stmts = parse(sql);
  if (stmts.length !== 1) throw new RangeError(`expected one statement, got ${stmts.length}`);
  return stmts[0].stmt;
}

function parseStmt(p: Parser): Stmt {
  const t = p.tok;
  if (t.kind === 'CHAR' && t.value === '(') return parseSelectStmt(p);
  if (t.kind !== 'KEYWORD') return p.fail();
  switch (t.value) {
    case 'select':
    case 'values':
    case 'table':
      return parseSelectStmt(p);
    case 'with': {
      const w = parseWithClause(p);
      if (p.isKw('insert')) return parseInsertStmt(p, w);
      if (p.isKw('update')) return parseUpdateStmt(p, w);
      if (p.isKw('delete')) return parseDeleteStmt(p, w);
      if (p.isKw('merge')) p.notSupported('MERGE');
      return parseSelectAfterWith(p, w);
    }
    case 'insert':
      return parseInsertStmt(p, null);
    case 'update':
      return parseUpdateStmt(p, null);
    case 'delete':
      return parseDeleteStmt(p, null);
    case 'create':
      return parseCreate(p);
    case 'drop':
      return parseDrop(p);
    case 'alter':
      return parseAlter(p);
    case 'truncate':
      return parseTruncate(p);
    case 'begin':
    case 'start':
    case 'commit':
    case 'end':
    case 'rollback':
    case 'abort':
    case 'savepoint':
    case 'release':
      if (t.value === 'start' && !p.isKw('transaction', 1)) return p.fail(p.peek(1));
      return parseTransaction(p);
    case 'set':
      return parseSet(p);
    case 'show':
      return parseShow(p);
    case 'reset':
      return parseReset(p);
    case 'explain':
      return parseExplain(p);
    case 'vacuum':
      return parseVacuum(p);
    case 'analyze':
    case 'analyse':
      return parseAnalyze(p);
    case 'checkpoint':
      p.advance();
      return { type: 'CheckPointStmt' };
    case 'lock':
      return parseLock(p);
  }
  if (UNSUPPORTED_STATEMENTS.has(t.value)) return p.notSupported(t.value.toUpperCase(), t);
  return p.fail();
}
