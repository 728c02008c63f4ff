/*
 * gram_select.ts — queries (gram.y's SelectStmt and everything under it).
 *
 * Exports: parseSelectStmt(), parseSelectWithParens(), parseSelectAfterWith(),
 *          parseWithClause(), parseTargetList(), parseFromList(),
 *          parseQualifiedName(), parseRelationExpr(), parseWhereClause().
 *
 * Set operations are parsed by precedence climbing like expressions:
 * INTERSECT (level 2) binds tighter than UNION and EXCEPT (level 1), all
 * left-associative, so `a UNION b INTERSECT c` is `a UNION (b INTERSECT c)`.
 * ORDER BY, LIMIT/OFFSET/FETCH, FOR UPDATE and WITH attach to the whole
 * set operation (insertSelectOptions), and a parenthesized query that already
 * has one of them may not get a second (`multiple ORDER BY clauses not
 * allowed`), as in PostgreSQL.
 */

import { parseDeleteStmt, parseInsertStmt, parseUpdateStmt } from './gram_dml.ts';
import { parseExpr, parseExprList } from './gram_expr.ts';
import { isSpecialFuncStart, parseFuncExprWindowless, parsePrimary, parseSortClause, parseWindowSpecification } from './gram_func.ts';
import { parseTypename } from './gram_type.ts';
import { ERRCODE_FEATURE_NOT_SUPPORTED, ERRCODE_SYNTAX_ERROR, type Parser } from './gramparse.ts';
import { makeSelectStmt, type CommonTableExpr, type LockingClause, type SelectStmt, type Stmt, type WithClause, type ColumnDef } from './nodes.ts';
import {
  makeColumnRef,
  makeIntConst,
  makeNullConst,
  makeRangeVar,
  type Alias,
  type JoinExpr,
  type Node,
  type RangeVar,
  type ResTarget,
  type SortBy,
} from './primnodes.ts';

/** SelectStmt: select_no_parens | select_with_parens, with an optional WITH in front. */
export function parseSelectStmt(p: Parser): SelectStmt {
  p.enter();
  const withClause = p.isKw('with') ? parseWithClause(p) : null;
  const stmt = parseSelectAfterWith(p, withClause);
  p.leave();
  return stmt;
}

/** The query after a WITH clause (or none). */
export function parseSelectAfterWith(p: Parser, withClause: WithClause | null): SelectStmt {
  const stmt = parseSelectClause(p, 0);
  return parseSelectTail(p, stmt, withClause);
}

/** select_with_parens: '(' SelectStmt ')'. */
export function parseSelectWithParens(p: Parser): SelectStmt {
  p.enter();
  p.expectChar('(');
  const stmt = parseSelectStmt(p);
  p.expectChar(')');
  p.leave();
  return stmt;
}

const SETOP_PREC: Record<string, number> = { union: 1, except: 1, intersect: 2 };

function parseSelectClause(p: Parser, minPrec: number): SelectStmt {
  let left = parseSelectPrimary(p);
  for (;;) {
    const t = p.tok;
    const prec = t.kind === 'KEYWORD' ? SETOP_PREC[t.value] : undefined;
    if (prec === undefined || prec < minPrec) return left;
    p.advance();
    let all = false;
    if (p.acceptKw('all')) all = true;
    else p.acceptKw('distinct');
    p.enter();
    const right = parseSelectClause(p, prec + 1);
    p.leave();
    const s = makeSelectStmt();
    s.op = t.value === 'union' ? 'SETOP_UNION' : t.value === 'intersect' ? 'SETOP_INTERSECT' : 'SETOP_EXCEPT';
    s.all = all;
    s.larg = left;
    s.rarg = right;
    left = s;
  }
}

function parseSelectPrimary(p: Parser): SelectStmt {
  const t = p.tok;
  if (t.kind === 'CHAR' && t.value === '(') return parseSelectWithParens(p);
  if (t.kind === 'KEYWORD') {
    if (t.value === 'select') return parseSimpleSelect(p);
    if (t.value === 'values') return parseValues(p);
    if (t.value === 'table') {
      p.advance();
      const s = makeSelectStmt();
      s.targetList = [{ type: 'ResTarget', name: null, indirection: [], val: makeColumnRef([{ type: 'A_Star' }], -1), location: -1 }];
      s.fromClause = [parseRelationExpr(p)];
      return s;
    }
  }
  return p.fail();
}

/** VALUES (a, b), (c, d). */
function parseValues(p: Parser): SelectStmt {
  p.expectKw('values');
  const s = makeSelectStmt();
  do {
    p.expectChar('(');
    s.valuesLists.push(parseExprList(p));
    p.expectChar(')');
  } while (p.acceptChar(','));
  return s;
}

/** Tokens after which a SELECT has no target list: `SELECT FROM t`, `SELECT;`. */
const NO_TARGETS = new Set(['from', 'where', 'group', 'having', 'window', 'order', 'limit', 'offset', 'fetch', 'for', 'union', 'intersect', 'except', 'into']);

function parseSimpleSelect(p: Parser): SelectStmt {
  p.expectKw('select');
  const s = makeSelectStmt();
  let needTargets = false;
  if (p.isKw('distinct')) {
    p.advance();
    needTargets = true;
    if (p.acceptKw('on')) {
      p.expectChar('(');
      s.distinctClause = parseExprList(p);
      p.expectChar(')');
    } else s.distinctClause = [];
  } else p.acceptKw('all');
  const t = p.tok;
  const empty = t.kind === 'EOF' || (t.kind === 'CHAR' && (t.value === ';' || t.value === ')')) || (t.kind === 'KEYWORD' && NO_TARGETS.has(t.value));
  if (!empty || needTargets) s.targetList = parseTargetList(p);
  if (p.isKw('into')) p.notSupported('SELECT INTO');
  if (p.acceptKw('from')) s.fromClause = parseFromList(p);
  s.whereClause = parseWhereClause(p);
  if (p.isKw('group')) {
    p.advance();
    p.expectKw('by');
    if (p.acceptKw('distinct')) s.groupDistinct = true;
    else p.acceptKw('all');
    s.groupClause = parseGroupByList(p);
  }
  if (p.acceptKw('having')) s.havingClause = parseExpr(p);
  if (p.acceptKw('window')) {
    do {
      const name = p.colId();
      p.expectKw('as');
      const w = parseWindowSpecification(p);
      w.name = name;
      s.windowClause.push(w);
    } while (p.acceptChar(','));
  }
  return s;
}

function parseGroupByList(p: Parser): Node[] {
  const list: Node[] = [];
  do {
    if ((p.isKw('rollup') || p.isKw('cube')) && p.isChar('(', 1)) p.notSupported(p.tok.value.toUpperCase());
    if (p.isKw('grouping') && p.isKw('sets', 1)) p.notSupported('GROUPING SETS');
    if (p.isChar('(') && p.isChar(')', 1)) p.notSupported('empty grouping set');
    list.push(parseExpr(p));
  } while (p.acceptChar(','));
  return list;
}

/** target_list: target_el (',' target_el)*. */
export function parseTargetList(p: Parser): ResTarget[] {
  const list: ResTarget[] = [];
  do {
    const t = p.tok;
    if (t.kind === 'CHAR' && t.value === '*') {
      p.advance();
      list.push({ type: 'ResTarget', name: null, indirection: [], val: makeColumnRef([{ type: 'A_Star' }], t.start), location: t.start });
      continue;
    }
    const savedLabelDepth = p.labelDepth;
    p.labelDepth = p.depth + 1;
    const val = parseExpr(p);
    p.labelDepth = savedLabelDepth;
    let name: string | null = null;
    if (p.acceptKw('as')) name = p.colLabel();
    else if (p.isBareColLabel()) name = p.advance().value;
    list.push({ type: 'ResTarget', name, indirection: [], val, location: t.start });
  } while (p.acceptChar(','));
  return list;
}

export function parseWhereClause(p: Parser): Node | null {
  if (!p.acceptKw('where')) return null;
  if (p.isKw('current') && p.isKw('of', 1)) p.notSupported('WHERE CURRENT OF');
  return parseExpr(p);
}

// ---------------------------------------------------------------------------
// ORDER BY, LIMIT, locking: the clauses that attach to a whole query.

function parseSelectTail(p: Parser, stmt: SelectStmt, withClause: WithClause | null): SelectStmt {
  let sort: SortBy[] | null = null;
  if (p.isKw('order')) sort = parseSortClause(p);
  let limit: LimitClause | null = null;
  let locking: LockingClause[] | null = null;
  if (p.isKw('limit') || p.isKw('offset') || p.isKw('fetch')) limit = parseSelectLimit(p);
  if (p.isKw('for')) {
    locking = parseLockingClause(p);
    if (limit === null && (p.isKw('limit') || p.isKw('offset') || p.isKw('fetch'))) limit = parseSelectLimit(p);
  }
  if (sort !== null) {
    if (stmt.sortClause.length > 0) p.errorAt(ERRCODE_SYNTAX_ERROR, 'multiple ORDER BY clauses not allowed', sortLocation(sort));
    stmt.sortClause = sort;
  }
  if (locking !== null) stmt.lockingClause.push(...locking);
  if (limit !== null) {
    if (limit.offset !== null) {
      if (stmt.limitOffset !== null) p.errorAt(ERRCODE_SYNTAX_ERROR, 'multiple OFFSET clauses not allowed', limit.offsetLoc);
      stmt.limitOffset = limit.offset;
    }
    if (limit.count !== null) {
      if (stmt.limitCount !== null) p.errorAt(ERRCODE_SYNTAX_ERROR, 'multiple LIMIT clauses not allowed', limit.countLoc);
      stmt.limitCount = limit.count;
      stmt.limitOption = limit.option;
    }
    if (stmt.limitOption === 'LIMIT_OPTION_WITH_TIES') {
      if (stmt.sortClause.length === 0) p.errorAt(ERRCODE_SYNTAX_ERROR, 'WITH TIES cannot be specified without ORDER BY clause', limit.optionLoc);
      if (stmt.lockingClause.some((l) => l.waitPolicy === 'LockWaitSkip')) {
        p.errorAt(ERRCODE_FEATURE_NOT_SUPPORTED, 'SKIP LOCKED and WITH TIES options cannot be used together', limit.optionLoc);
      }
    }
  }
  if (withClause !== null) {
    if (stmt.withClause !== null) p.errorAt(ERRCODE_SYNTAX_ERROR, 'multiple WITH clauses not allowed', withClause.location);
    stmt.withClause = withClause;
  }
  return stmt;
}

function sortLocation(sort: SortBy[]): number {
  const n = sort[0].node;
  return 'location' in n && typeof n.location === 'number' && n.location >= 0 ? n.location : 0;
}

interface LimitClause {
  count: Node | null;
  offset: Node | null;
  option: SelectStmt['limitOption'];
  countLoc: number;
  offsetLoc: number;
  optionLoc: number;
}

/** select_limit: LIMIT and OFFSET (or FETCH FIRST), each at most once, either order. */
function parseSelectLimit(p: Parser): LimitClause {
  const lc: LimitClause = { count: null, offset: null, option: 'LIMIT_OPTION_DEFAULT', countLoc: 0, offsetLoc: 0, optionLoc: 0 };
  let sawLimit = false;
  let sawOffset = false;
  for (;;) {
    if (!sawLimit && p.isKw('limit')) {
      sawLimit = true;
      const limitTok = p.advance();
      lc.countLoc = limitTok.start;
      if (p.isKw('all')) lc.count = makeNullConst(p.advance().start);
      else lc.count = parseExpr(p);
      if (p.isChar(',')) {
        p.errorAt(ERRCODE_SYNTAX_ERROR, 'LIMIT #,# syntax is not supported', limitTok, 'Use separate LIMIT and OFFSET clauses.');
      }
      lc.option = 'LIMIT_OPTION_COUNT';
    } else if (!sawLimit && p.isKw('fetch')) {
      sawLimit = true;
      lc.countLoc = p.advance().start;
      if (!p.acceptKw('first') && !p.acceptKw('next')) p.fail();
      if (p.isKw('row') || p.isKw('rows')) lc.count = makeIntConst(1, -1);
      else lc.count = parseFetchFirstValue(p);
      if (!p.acceptKw('row') && !p.acceptKw('rows')) p.fail();
      if (p.isKw('with')) {
        lc.optionLoc = p.advance().start;
        p.expectKw('ties');
        lc.option = 'LIMIT_OPTION_WITH_TIES';
      } else {
        p.expectKw('only');
        lc.option = 'LIMIT_OPTION_COUNT';
      }
    } else if (!sawOffset && p.isKw('offset')) {
      sawOffset = true;
      lc.offsetLoc = p.advance().start;
      lc.offset = parseExpr(p);
      if (!p.acceptKw('row')) p.acceptKw('rows');
    } else return lc;
  }
}

/** select_fetch_first_value: c_expr | '+' number | '-' number. */
function parseFetchFirstValue(p: Parser): Node {
  if (p.isChar('+') || p.isChar('-')) {
    const sign = p.advance();
    const t = p.tok;
    if (t.kind !== 'ICONST' && t.kind !== 'FCONST') p.fail();
    const n = parsePrimary(p);
    if (sign.value === '-' && n.type === 'A_Const' && n.val !== undefined) {
      if (n.val.type === 'Integer') n.val.ival = -n.val.ival;
      else if (n.val.type === 'Float') n.val.fval = '-' + n.val.fval;
      n.location = sign.start;
    }
    return n;
  }
  return parsePrimary(p);
}

/** for_locking_clause: FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF ...] [NOWAIT | SKIP LOCKED], repeated; or FOR READ ONLY. */
function parseLockingClause(p: Parser): LockingClause[] {
  const list: LockingClause[] = [];
  if (p.isKw('for') && p.isKw('read', 1)) {
    p.pos += 2;
    p.expectKw('only');
    return list;
  }
  while (p.acceptKw('for')) {
    let strength: LockingClause['strength'];
    if (p.acceptKw('update')) strength = 'LCS_FORUPDATE';
    else if (p.acceptKw('share')) strength = 'LCS_FORSHARE';
    else if (p.acceptKw('no')) {
      p.expectKw('key');
      p.expectKw('update');
      strength = 'LCS_FORNOKEYUPDATE';
    } else if (p.acceptKw('key')) {
      p.expectKw('share');
      strength = 'LCS_FORKEYSHARE';
    } else return p.fail();
    const lockedRels: RangeVar[] = [];
    if (p.acceptKw('of')) {
      do lockedRels.push(parseQualifiedName(p));
      while (p.acceptChar(','));
    }
    let waitPolicy: LockingClause['waitPolicy'] = 'LockWaitBlock';
    if (p.acceptKw('nowait')) waitPolicy = 'LockWaitError';
    else if (p.isKw('skip')) {
      p.advance();
      p.expectKw('locked');
      waitPolicy = 'LockWaitSkip';
    }
    list.push({ type: 'LockingClause', lockedRels, strength, waitPolicy });
  }
  return list;
}

// ---------------------------------------------------------------------------
// WITH.

/** with_clause: WITH [RECURSIVE] cte (',' cte)*. */
export function parseWithClause(p: Parser): WithClause {
  const loc = p.expectKw('with').start;
  const recursive = p.acceptKw('recursive');
  const ctes: CommonTableExpr[] = [];
  do {
    const nameTok = p.tok;
    const ctename = p.colId();
    const aliascolnames = p.isChar('(') ? p.parenNameList() : [];
    p.expectKw('as');
    let ctematerialized: CommonTableExpr['ctematerialized'] = 'CTEMaterializeDefault';
    if (p.acceptKw('materialized')) ctematerialized = 'CTEMaterializeAlways';
    else if (p.acceptKw('not')) {
      p.expectKw('materialized');
      ctematerialized = 'CTEMaterializeNever';
    }
    p.expectChar('(');
    p.enter();
    const ctequery = parsePreparableStmt(p);
    p.leave();
    p.expectChar(')');
    if (p.isKw('search')) p.notSupported('SEARCH in WITH queries');
    if (p.isKw('cycle')) p.notSupported('CYCLE in WITH queries');
    ctes.push({ type: 'CommonTableExpr', ctename, aliascolnames, ctematerialized, ctequery, location: nameTok.start });
  } while (p.acceptChar(','));
  return { type: 'WithClause', ctes, recursive, location: loc };
}

/** PreparableStmt: SELECT, INSERT, UPDATE or DELETE (the bodies of WITH entries). */
export function parsePreparableStmt(p: Parser): Stmt {
  if (p.isKw('insert')) return parseInsertStmt(p, null);
  if (p.isKw('update')) return parseUpdateStmt(p, null);
  if (p.isKw('delete')) return parseDeleteStmt(p, null);
  if (p.isKw('with')) {
    const w = parseWithClause(p);
    if (p.isKw('insert')) return parseInsertStmt(p, w);
    if (p.isKw('update')) return parseUpdateStmt(p, w);
    if (p.isKw('delete')) return parseDeleteStmt(p, w);
    return parseSelectAfterWith(p, w);
  }
  if (p.isKw('merge')) p.notSupported('MERGE');
  return parseSelectStmt(p);
}

// ---------------------------------------------------------------------------
// FROM.

/** from_list: table_ref (',' table_ref)*. */
export function parseFromList(p: Parser): Node[] {
  const list: Node[] = [];
  do list.push(parseTableRef(p));
  while (p.acceptChar(','));
  return list;
}

function parseTableRef(p: Parser): Node {
  p.enter();
  let left = parseTableRefPrimary(p);
  while (isJoinStart(p)) left = parseOneJoin(p, left);
  p.leave();
  return left;
}

function isJoinStart(p: Parser): boolean {
  const t = p.tok;
  if (t.kind !== 'KEYWORD') return false;
  switch (t.value) {
    case 'join':
    case 'inner':
    case 'left':
    case 'right':
    case 'full':
    case 'natural':
      return true;
    case 'cross':
      return true;
  }
  return false;
}

/** One join with `left` as its left input. */
function parseOneJoin(p: Parser, left: Node): JoinExpr {
  p.enter();
  const j: JoinExpr = { type: 'JoinExpr', jointype: 'JOIN_INNER', isNatural: false, larg: left, rarg: left, usingClause: [], join_using_alias: null, quals: null, alias: null, rtindex: 0 };
  if (p.acceptKw('cross')) {
    p.expectKw('join');
    j.rarg = parseTableRefPrimary(p);
    p.leave();
    return j;
  }
  if (p.acceptKw('natural')) j.isNatural = true;
  if (p.acceptKw('left')) j.jointype = 'JOIN_LEFT';
  else if (p.acceptKw('right')) j.jointype = 'JOIN_RIGHT';
  else if (p.acceptKw('full')) j.jointype = 'JOIN_FULL';
  else if (p.acceptKw('inner')) j.jointype = 'JOIN_INNER';
  if (j.jointype !== 'JOIN_INNER') p.acceptKw('outer');
  p.expectKw('join');
  let right = parseTableRefPrimary(p);
  if (j.isNatural) {
    j.rarg = right;
    p.leave();
    return j;
  }
  // `a JOIN b JOIN c ON x ON y` nests to the right until a qualifier comes.
  while (isJoinStart(p)) right = parseOneJoin(p, right);
  j.rarg = right;
  if (p.acceptKw('using')) {
    j.usingClause = p.parenNameList();
    if (p.acceptKw('as')) j.join_using_alias = { type: 'Alias', aliasname: p.colId(), colnames: [] };
  } else {
    p.expectKw('on');
    j.quals = parseExpr(p);
  }
  p.leave();
  return j;
}

/** Does a (possibly qualified) function call start at the cursor? */
function looksLikeFunc(p: Parser): boolean {
  if (isSpecialFuncStart(p)) return true;
  let k = 0;
  if (!p.isColLabel(k)) return false;
  k++;
  while (p.isChar('.', k) && p.isColLabel(k + 1)) k += 2;
  return p.isChar('(', k);
}

function parseTableRefPrimary(p: Parser): Node {
  const t = p.tok;
  if (t.kind === 'CHAR' && t.value === '(') {
    if (p.parenStartsSelect()) {
      const subquery = parseSelectWithParens(p);
      return { type: 'RangeSubselect', lateral: false, subquery, alias: parseOptAlias(p) };
    }
    p.advance();
    const inner = parseTableRef(p);
    if (inner.type !== 'JoinExpr') p.fail();
    p.expectChar(')');
    inner.alias = parseOptAlias(p);
    return inner;
  }
  let lateral = false;
  if (p.acceptKw('lateral')) {
    lateral = true;
    if (p.isChar('(')) {
      if (!p.parenStartsSelect()) p.fail(p.peek(1));
      const subquery = parseSelectWithParens(p);
      return { type: 'RangeSubselect', lateral, subquery, alias: parseOptAlias(p) };
    }
  }
  if (p.isKw('xmltable') || p.isKw('json_table')) p.notSupported(p.tok.value.toUpperCase());
  if (p.isKw('rows') && p.isKw('from', 1)) p.notSupported('ROWS FROM');
  if (!p.isKw('only') && (looksLikeFunc(p) || (p.isTypeFuncName() && !p.isColId()))) return parseFuncTable(p, lateral);
  if (lateral) p.fail();
  const rv = parseRelationExpr(p);
  if (p.isKw('tablesample')) p.notSupported('TABLESAMPLE');
  rv.alias = parseOptAlias(p);
  return rv;
}

/** func_table [WITH ORDINALITY] [func_alias_clause]. */
function parseFuncTable(p: Parser, lateral: boolean): Node {
  const fn = parseFuncExprWindowless(p);
  let ordinality = false;
  if (p.isKw('with') && p.isKw('ordinality', 1)) {
    p.pos += 2;
    ordinality = true;
  }
  let alias: Alias | null = null;
  let coldeflist: ColumnDef[] = [];
  const hasAs = p.acceptKw('as');
  if (hasAs || p.isColId()) {
    let name: string | null = null;
    if (!(hasAs && p.isChar('('))) name = p.colId();
    if (p.isChar('(')) {
      // Column aliases (names only) or a column definition list (name type).
      const list = parseAliasOrColDefList(p, name === null);
      if (list.defs.length > 0) coldeflist = list.defs;
      else if (name !== null) alias = { type: 'Alias', aliasname: name, colnames: list.names };
      if (name !== null && alias === null) alias = { type: 'Alias', aliasname: name, colnames: [] };
    } else if (name !== null) alias = { type: 'Alias', aliasname: name, colnames: [] };
  }
  return { type: 'RangeFunction', lateral, ordinality, is_rowsfrom: false, functions: [[fn, []]], alias, coldeflist };
}

function parseAliasOrColDefList(p: Parser, defsOnly: boolean): { names: string[]; defs: ColumnDef[] } {
  p.expectChar('(');
  const names: string[] = [];
  const defs: ColumnDef[] = [];
  do {
    const t = p.tok;
    const name = p.colId();
    if (defsOnly || (!p.isChar(',') && !p.isChar(')'))) {
      if (names.length > 0) p.fail();
      defs.push(makeColumnDefLite(name, parseTypename(p), t.start));
    } else {
      if (defs.length > 0) p.fail();
      names.push(name);
    }
  } while (p.acceptChar(','));
  p.expectChar(')');
  return { names, defs };
}

function makeColumnDefLite(colname: string, typeName: ReturnType<typeof parseTypename>, location: number): ColumnDef {
  return {
    type: 'ColumnDef', colname, typeName, compression: null, inhcount: 0, is_local: true, is_not_null: false, is_from_type: false,
    storage: '', raw_default: null, cooked_default: null, identity: '', identitySequence: null, generated: '', collClause: null,
    collOid: 0, constraints: [], fdwoptions: [], location,
  };
}

/** opt_alias_clause: [AS] ColId ['(' name_list ')']. */
function parseOptAlias(p: Parser): Alias | null {
  const hasAs = p.acceptKw('as');
  if (!hasAs && !p.isColId()) return null;
  const aliasname = p.colId();
  const colnames = p.isChar('(') ? p.parenNameList() : [];
  return { type: 'Alias', aliasname, colnames };
}

/** relation_expr: qualified_name ['*'] | ONLY qualified_name | ONLY '(' qualified_name ')'. */
export function parseRelationExpr(p: Parser): RangeVar {
  if (p.acceptKw('only')) {
    const paren = p.acceptChar('(');
    const rv = parseQualifiedName(p);
    if (paren) p.expectChar(')');
    rv.inh = false;
    return rv;
  }
  const rv = parseQualifiedName(p);
  p.acceptChar('*');
  return rv;
}

/** qualified_name: ColId ('.' ColLabel){0,2} as a RangeVar. */
export function parseQualifiedName(p: Parser): RangeVar {
  const t = p.tok;
  const names = p.anyName();
  if (names.length === 1) return makeRangeVar(null, names[0], t.start);
  if (names.length === 2) return makeRangeVar(names[0], names[1], t.start);
  if (names.length === 3) {
    const rv = makeRangeVar(names[1], names[2], t.start);
    rv.catalogname = names[0];
    return rv;
  }
  return p.errorAt(ERRCODE_SYNTAX_ERROR, `improper qualified name (too many dotted names): ${names.join('.')}`, t);
}
