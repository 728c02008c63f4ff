/*
 * gram_dml.ts — INSERT, UPDATE and DELETE (gram.y's InsertStmt, UpdateStmt,
 * DeleteStmt and their clauses).
 *
 * Exports: parseInsertStmt(), parseUpdateStmt(), parseDeleteStmt().
 *
 * Each takes the WITH clause that preceded it (or null): gram.ts and WITH
 * bodies parse `WITH ...` first and only then learn which statement follows.
 */

import { parseIndexParams } from './gram_ddl.ts';
import { parseExpr, parseIndirection } from './gram_expr.ts';
import { parseFromList, parseQualifiedName, parseRelationExpr, parseSelectStmt, parseTargetList, parseWhereClause } from './gram_select.ts';
import type { Parser } from './gramparse.ts';
import type { DeleteStmt, InferClause, InsertStmt, OnConflictClause, UpdateStmt, WithClause } from './nodes.ts';
import type { RangeVar, ResTarget } from './primnodes.ts';

/** INSERT INTO t [AS a] [(cols)] [OVERRIDING ...] {query | DEFAULT VALUES} [ON CONFLICT ...] [RETURNING ...]. */
export function parseInsertStmt(p: Parser, withClause: WithClause | null): InsertStmt {
  p.expectKw('insert');
  p.expectKw('into');
  const relation = parseQualifiedName(p);
  if (p.acceptKw('as')) relation.alias = { type: 'Alias', aliasname: p.colId(), colnames: [] };
  const stmt: InsertStmt = {
    type: 'InsertStmt',
    relation,
    cols: [],
    selectStmt: null,
    onConflictClause: null,
    returningList: [],
    withClause,
    override: 'OVERRIDING_NOT_SET',
  };
  if (p.isChar('(') && !p.parenStartsSelect()) {
    p.advance();
    do {
      const t = p.tok;
      const name = p.colId();
      stmt.cols.push({ type: 'ResTarget', name, indirection: parseIndirection(p), val: null, location: t.start });
    } while (p.acceptChar(','));
    p.expectChar(')');
  }
  if (p.acceptKw('overriding')) {
    if (p.acceptKw('user')) stmt.override = 'OVERRIDING_USER_VALUE';
    else {
      p.expectKw('system');
      stmt.override = 'OVERRIDING_SYSTEM_VALUE';
    }
    p.expectKw('value');
  }
  if (p.isKw('default') && stmt.cols.length === 0 && stmt.override === 'OVERRIDING_NOT_SET') {
    p.advance();
    p.expectKw('values');
  } else {
    stmt.selectStmt = parseSelectStmt(p);
  }
  if (p.isKw('on') && p.isKw('conflict', 1)) stmt.onConflictClause = parseOnConflict(p);
  stmt.returningList = parseReturning(p);
  return stmt;
}

/** ON CONFLICT [(index_params) [WHERE ...] | ON CONSTRAINT name] DO NOTHING | DO UPDATE SET ... [WHERE ...]. */
function parseOnConflict(p: Parser): OnConflictClause {
  const loc = p.advance().start;
  p.advance();
  let infer: InferClause | null = null;
  if (p.isChar('(')) {
    const iloc = p.tok.start;
    p.advance();
    const indexElems = parseIndexParams(p);
    p.expectChar(')');
    infer = { type: 'InferClause', indexElems, whereClause: parseWhereClause(p), conname: null, location: iloc };
  } else if (p.isKw('on')) {
    const iloc = p.advance().start;
    p.expectKw('constraint');
    infer = { type: 'InferClause', indexElems: [], whereClause: null, conname: p.colId(), location: iloc };
  }
  p.expectKw('do');
  if (p.acceptKw('nothing')) {
    return { type: 'OnConflictClause', action: 'ONCONFLICT_NOTHING', infer, targetList: [], whereClause: null, location: loc };
  }
  p.expectKw('update');
  p.expectKw('set');
  const targetList = parseSetClauseList(p);
  return { type: 'OnConflictClause', action: 'ONCONFLICT_UPDATE', infer, targetList, whereClause: parseWhereClause(p), location: loc };
}

function parseReturning(p: Parser): ResTarget[] {
  if (!p.acceptKw('returning')) return [];
  if (p.isKw('with') && p.isChar('(', 1)) p.notSupported('RETURNING WITH');
  return parseTargetList(p);
}

/** relation_expr_opt_alias: relation_expr [[AS] ColId]; SET is never the alias. */
function parseRelationExprOptAlias(p: Parser): RangeVar {
  const rv = parseRelationExpr(p);
  if (p.acceptKw('as') || (p.isColId() && !p.isKw('set'))) {
    rv.alias = { type: 'Alias', aliasname: p.colId(), colnames: [] };
  }
  return rv;
}

/** set_clause_list: `a = 1`, `a[2] = 3`, `(a, b) = (1, 2)`, `(a, b) = (SELECT ...)`. */
function parseSetClauseList(p: Parser): ResTarget[] {
  const list: ResTarget[] = [];
  do {
    if (p.isChar('(')) {
      p.advance();
      const targets: ResTarget[] = [];
      do {
        const t = p.tok;
        const name = p.colId();
        targets.push({ type: 'ResTarget', name, indirection: parseIndirection(p), val: null, location: t.start });
      } while (p.acceptChar(','));
      p.expectChar(')');
      p.expectChar('=');
      const source = parseExpr(p);
      targets.forEach((r, i) => {
        r.val = { type: 'MultiAssignRef', source, colno: i + 1, ncolumns: targets.length };
      });
      list.push(...targets);
    } else {
      const t = p.tok;
      const name = p.colId();
      const indirection = parseIndirection(p);
      p.expectChar('=');
      list.push({ type: 'ResTarget', name, indirection, val: parseExpr(p), location: t.start });
    }
  } while (p.acceptChar(','));
  return list;
}

/** UPDATE t [AS a] SET ... [FROM ...] [WHERE ...] [RETURNING ...]. */
export function parseUpdateStmt(p: Parser, withClause: WithClause | null): UpdateStmt {
  p.expectKw('update');
  const relation = parseRelationExprOptAlias(p);
  p.expectKw('set');
  const targetList = parseSetClauseList(p);
  const fromClause = p.acceptKw('from') ? parseFromList(p) : [];
  const whereClause = parseWhereClause(p);
  return { type: 'UpdateStmt', relation, targetList, whereClause, fromClause, returningList: parseReturning(p), withClause };
}

/** DELETE FROM t [AS a] [USING ...] [WHERE ...] [RETURNING ...]. */
export function parseDeleteStmt(p: Parser, withClause: WithClause | null): DeleteStmt {
  p.expectKw('delete');
  p.expectKw('from');
  const relation = parseRelationExprOptAlias(p);
  const usingClause = p.acceptKw('using') ? parseFromList(p) : [];
  const whereClause = parseWhereClause(p);
  return { type: 'DeleteStmt', relation, usingClause, whereClause, returningList: parseReturning(p), withClause };
}
