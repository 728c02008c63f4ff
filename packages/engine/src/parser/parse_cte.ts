/*
 * parse_cte.ts — WITH and WITH RECURSIVE (PostgreSQL's parse_cte.c).
 *
 * Exports:
 *   transformWithClause   analyze each CTE; returns the level's cteList
 *   scanNameSpaceForCTE   a FROM name that is a CTE in scope, and how many levels up
 *   isFutureCTE           for the "cannot be referenced from this part" hint
 *
 * Rules (as parse_cte.c):
 *  1. Without RECURSIVE a CTE sees only the CTEs before it. With RECURSIVE
 *     all are visible; they are analyzed in dependency order, and a CTE that
 *     refers to itself must be `non-recursive term UNION [ALL] recursive term`
 *     with exactly one self-reference, in the recursive term, not under an
 *     outer join, a subquery, INTERSECT or EXCEPT, aggregates or ORDER BY.
 *  2. The recursive term is analyzed with the CTE's column types taken from
 *     the non-recursive term (determineRecursiveColTypes); the final types
 *     must equal them (42804).
 *  3. Mutual recursion between CTEs is refused (0A000), as in PostgreSQL.
 */

import type { CommonTableExpr, Query } from '../nodes/parsenodes.ts';
import type { TargetEntry } from '../nodes/primnodes.ts';
import type * as rawn from './nodes.ts';
import type * as raw from './primnodes.ts';
import { exprType, exprTypmod } from '../nodes/nodeFuncs.ts';
import { formatTypeWithTypmod } from './parse_type.ts';
import { makeQuery, parserError, type ParseState } from './parse_node.ts';
import { parseSubAnalyze } from './analyze.ts';
import { exprLocationPG, TEXTOID, UNKNOWNOID } from './parse_expr.ts';

/** CTEs whose query is still being analyzed: a reference to one of them is the self-reference. */
const inProgress = new WeakSet<CommonTableExpr>();

export function isSelfReference(cte: CommonTableExpr): boolean {
  return inProgress.has(cte);
}

export function scanNameSpaceForCTE(pstate: ParseState, refname: string): { cte: CommonTableExpr; levelsup: number } | null {
  let levelsup = 0;
  for (let ps: ParseState | null = pstate; ps !== null; ps = ps.parentParseState, levelsup++) {
    const cte = ps.ctenamespace.find((c) => c.ctename === refname);
    if (cte !== undefined) {
      if (inProgress.has(cte) && cte.ctecoltypes.length === 0 && cte.cterecursive) {
        parserError(pstate, '42P19', `recursive reference to query "${cte.ctename}" must not appear within its non-recursive term`, -1);
      }
      if (!inProgress.has(cte)) cte.cterefcount++;
      return { cte, levelsup };
    }
  }
  return null;
}

export function isFutureCTE(pstate: ParseState, refname: string): boolean {
  for (let ps: ParseState | null = pstate; ps !== null; ps = ps.parentParseState) {
    if (ps.futureCtes.some((c) => c.ctename === refname)) return true;
  }
  return false;
}

/** Names of relations a raw statement refers to without a schema (for the dependency order). */
function referencedNames(node: unknown, out: Set<string>, depth = 0): void {
  if (typeof node !== 'object' || node === null || depth > 2000) return;
  if (Array.isArray(node)) {
    for (const x of node) referencedNames(x, out, depth + 1);
    return;
  }
  const o = node as { type?: string; schemaname?: string | null; relname?: string };
  if (o.type === 'RangeVar' && o.schemaname === null && typeof o.relname === 'string') out.add(o.relname);
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) referencedNames(v, out, depth + 1);
}

function countSelfRefs(node: unknown, name: string, depth = 0): number {
  if (typeof node !== 'object' || node === null || depth > 2000) return 0;
  if (Array.isArray(node)) return node.reduce((s: number, x) => s + countSelfRefs(x, name, depth + 1), 0);
  const o = node as { type?: string; schemaname?: string | null; relname?: string };
  let n = o.type === 'RangeVar' && o.schemaname === null && o.relname === name ? 1 : 0;
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) n += countSelfRefs(v, name, depth + 1);
  return n;
}

function newCTE(c: rawn.CommonTableExpr): CommonTableExpr {
  return {
    type: 'CommonTableExpr',
    ctename: c.ctename,
    aliascolnames: c.aliascolnames.slice(),
    ctematerialized: c.ctematerialized,
    ctequery: makeQuery('CMD_SELECT'),
    cterecursive: false,
    cterefcount: 0,
    ctecolnames: [],
    ctecoltypes: [],
    ctecoltypmods: [],
    location: c.location,
  };
}

export function transformWithClause(pstate: ParseState, withClause: rawn.WithClause): CommonTableExpr[] {
  const ctes = withClause.ctes;
  ctes.forEach((c, i) => {
    for (let k = i + 1; k < ctes.length; k++) {
      const c2 = ctes[k] as rawn.CommonTableExpr;
      if (c2.ctename === c.ctename) parserError(pstate, '42712', `WITH query name "${c2.ctename}" specified more than once`, c2.location);
    }
    if (c.ctequery.type !== 'SelectStmt') {
      parserError(pstate, '0A000', 'WITH clause containing a data-modifying statement is not supported', c.location);
    }
  });
  if (!withClause.recursive) {
    pstate.futureCtes = ctes.slice();
    for (const c of ctes) {
      const cte = newCTE(c);
      analyzeCTE(pstate, cte, c);
      pstate.ctenamespace.push(cte);
      pstate.futureCtes.shift();
    }
    return pstate.ctenamespace.slice();
  }
  // WITH RECURSIVE: order by dependencies; all names are visible to all.
  const names = ctes.map((c) => c.ctename);
  const deps = ctes.map((c) => {
    const s = new Set<string>();
    referencedNames(c.ctequery, s);
    return names.map((n, i) => (s.has(n) ? i : -1)).filter((i) => i >= 0);
  });
  const order: number[] = [];
  const state = ctes.map(() => 0);
  const visit = (i: number, stack: number[]): void => {
    if (state[i] === 2) return;
    if (state[i] === 1) {
      if (stack[stack.length - 1] !== i) {
        parserError(pstate, '0A000', 'mutual recursion between WITH items is not implemented', (ctes[i] as rawn.CommonTableExpr).location);
      }
      return;
    }
    state[i] = 1;
    for (const d of deps[i] as number[]) if (d !== i) visit(d, [...stack, i]);
    state[i] = 2;
    order.push(i);
  };
  ctes.forEach((_, i) => visit(i, []));
  const analyzed = ctes.map((c) => newCTE(c));
  analyzed.forEach((cte, i) => {
    cte.cterecursive = (deps[i] as number[]).includes(i);
  });
  for (const i of order) pstate.ctenamespace.push(analyzed[i] as CommonTableExpr);
  for (const i of order) analyzeCTE(pstate, analyzed[i] as CommonTableExpr, ctes[i] as rawn.CommonTableExpr);
  return pstate.ctenamespace.slice();
}

function checkWellFormedRecursion(pstate: ParseState, cte: CommonTableExpr, stmt: rawn.SelectStmt): void {
  const name = cte.ctename;
  if (stmt.op !== 'SETOP_UNION') {
    parserError(pstate, '42P19', `recursive query "${name}" does not have the form non-recursive-term UNION [ALL] recursive-term`, cte.location);
  }
  const larg = stmt.larg as rawn.SelectStmt;
  const rarg = stmt.rarg as rawn.SelectStmt;
  if (countSelfRefs(larg, name) > 0) {
    parserError(pstate, '42P19', `recursive reference to query "${name}" must not appear within its non-recursive term`, firstSelfRefLocation(larg, name));
  }
  const loc = (n: raw.Node | null | undefined): number => (n != null && 'location' in n && typeof n.location === 'number' ? n.location : -1);
  if (stmt.sortClause.length > 0) parserError(pstate, '0A000', 'ORDER BY in a recursive query is not implemented', loc(stmt.sortClause[0]?.node));
  if (stmt.limitOffset !== null) parserError(pstate, '0A000', 'OFFSET in a recursive query is not implemented', loc(stmt.limitOffset));
  if (stmt.limitCount !== null) parserError(pstate, '0A000', 'LIMIT in a recursive query is not implemented', loc(stmt.limitCount));
  if (stmt.lockingClause.length > 0) parserError(pstate, '0A000', 'FOR UPDATE/SHARE in a recursive query is not implemented', -1);
  checkRecursiveTerm(pstate, rarg, name, false);
  const refs = countSelfRefs(rarg, name);
  if (refs > 1) parserError(pstate, '42P19', `recursive reference to query "${name}" must not appear more than once`, secondSelfRefLocation(rarg, name));
}

function firstSelfRefLocation(node: unknown, name: string): number {
  let loc = -1;
  const walk = (n: unknown, depth: number): boolean => {
    if (typeof n !== 'object' || n === null || depth > 2000) return false;
    if (Array.isArray(n)) return n.some((x) => walk(x, depth + 1));
    const o = n as raw.RangeVar;
    if (o.type === 'RangeVar' && o.schemaname === null && o.relname === name) {
      loc = o.location;
      return true;
    }
    return Object.values(o).some((v) => typeof v === 'object' && walk(v, depth + 1));
  };
  walk(node, 0);
  return loc;
}

function secondSelfRefLocation(node: unknown, name: string): number {
  const locs: number[] = [];
  const walk = (n: unknown, depth: number): void => {
    if (typeof n !== 'object' || n === null || depth > 2000) return;
    if (Array.isArray(n)) {
      n.forEach((x) => walk(x, depth + 1));
      return;
    }
    const o = n as raw.RangeVar;
    if (o.type === 'RangeVar' && o.schemaname === null && o.relname === name) locs.push(o.location);
    Object.values(o).forEach((v) => typeof v === 'object' && walk(v, depth + 1));
  };
  walk(node, 0);
  return locs[1] ?? -1;
}

/** The self-reference may not sit under an outer join's nullable side, a subquery, INTERSECT / EXCEPT. */
function checkRecursiveTerm(pstate: ParseState, stmt: rawn.SelectStmt, name: string, inSub: boolean): void {
  if (stmt.op === 'SETOP_INTERSECT' || stmt.op === 'SETOP_EXCEPT') {
    if (countSelfRefs(stmt, name) > 0) {
      parserError(pstate, '42P19', `recursive reference to query "${name}" must not appear within ${stmt.op === 'SETOP_INTERSECT' ? 'INTERSECT' : 'EXCEPT'}`, firstSelfRefLocation(stmt, name));
    }
    return;
  }
  if (stmt.op === 'SETOP_UNION') {
    checkRecursiveTerm(pstate, stmt.larg as rawn.SelectStmt, name, inSub);
    checkRecursiveTerm(pstate, stmt.rarg as rawn.SelectStmt, name, inSub);
    return;
  }
  const fromRefs = (n: raw.Node, nullable: boolean): void => {
    if (n.type === 'JoinExpr') {
      const lNull = nullable || n.jointype === 'JOIN_RIGHT' || n.jointype === 'JOIN_FULL';
      const rNull = nullable || n.jointype === 'JOIN_LEFT' || n.jointype === 'JOIN_FULL';
      fromRefs(n.larg, lNull);
      fromRefs(n.rarg, rNull);
      if (n.quals !== null && countSelfRefs(n.quals, name) > 0) {
        parserError(pstate, '42P19', `recursive reference to query "${name}" must not appear within a subquery`, firstSelfRefLocation(n.quals, name));
      }
    } else if (n.type === 'RangeVar') {
      if (n.schemaname === null && n.relname === name && nullable) {
        parserError(pstate, '42P19', `recursive reference to query "${name}" must not appear within an outer join`, n.location);
      }
    } else if (n.type === 'RangeSubselect') {
      // A sub-SELECT in FROM may hold the reference (it is still part of the recursive term's FROM).
      checkRecursiveTerm(pstate, n.subquery, name, true);
    } else if (countSelfRefs(n, name) > 0) {
      parserError(pstate, '42P19', `recursive reference to query "${name}" must not appear within a subquery`, firstSelfRefLocation(n, name));
    }
  };
  for (const f of stmt.fromClause) fromRefs(f, false);
  for (const part of [stmt.targetList, stmt.whereClause, stmt.havingClause, stmt.groupClause, stmt.sortClause]) {
    if (countSelfRefs(part, name) > 0) {
      parserError(pstate, '42P19', `recursive reference to query "${name}" must not appear within a subquery`, firstSelfRefLocation(part, name));
    }
  }
  void inSub;
}

/** Column names/types of a CTE from its output (analyzeCTETargetList). */
export function setCTEColumns(pstate: ParseState, cte: CommonTableExpr, tlist: TargetEntry[]): void {
  const cols = tlist.filter((t) => !t.resjunk);
  if (cte.aliascolnames.length > cols.length) {
    parserError(pstate, '42P10', `WITH query "${cte.ctename}" has ${cols.length} columns available but ${cte.aliascolnames.length} columns specified`, cte.location);
  }
  cte.ctecolnames = cols.map((t, i) => cte.aliascolnames[i] ?? t.resname ?? '?column?');
  // A recursive CTE's unknown columns are text already here (the recursive term needs a type).
  cte.ctecoltypes = cols.map((t) => (cte.cterecursive && exprType(t.expr) === UNKNOWNOID ? TEXTOID : exprType(t.expr)));
  cte.ctecoltypmods = cols.map((t) => exprTypmod(t.expr));
}

function analyzeCTE(pstate: ParseState, cte: CommonTableExpr, rawCte: rawn.CommonTableExpr): void {
  const stmt = rawCte.ctequery as rawn.SelectStmt;
  if (cte.cterecursive) checkWellFormedRecursion(pstate, cte, stmt);
  inProgress.add(cte);
  let q: Query;
  try {
    q = parseSubAnalyze(pstate, stmt, cte);
  } finally {
    inProgress.delete(cte);
  }
  cte.ctequery = q;
  if (!cte.cterecursive) {
    setCTEColumns(pstate, cte, q.targetList);
    return;
  }
  // The non-recursive term fixed the column types; the whole query must agree.
  const cols = q.targetList.filter((t) => !t.resjunk);
  const leftRti = leftmostRti(q);
  const leftQuery = leftRti > 0 ? q.rtable[leftRti - 1]?.subquery ?? null : null;
  cols.forEach((t, i) => {
    const want = cte.ctecoltypes[i];
    const got = exprType(t.expr);
    if (want !== undefined && want !== got) {
      const lt = leftQuery?.targetList.filter((x) => !x.resjunk)[i];
      parserError(pstate, '42804', `recursive query "${cte.ctename}" column ${i + 1} has type ${formatTypeWithTypmod(want, cte.ctecoltypmods[i] ?? -1)} in non-recursive term but type ${formatTypeWithTypmod(got, exprTypmod(t.expr))} overall`, lt === undefined ? -1 : exprLocationPG(lt.expr), {
        hint: 'Cast the output of the non-recursive term to the correct type.',
      });
    }
  });
  cte.ctecolnames = cols.map((t, i) => cte.aliascolnames[i] ?? t.resname ?? '?column?');
}

function leftmostRti(q: Query): number {
  let n = q.setOperations?.larg ?? null;
  while (n !== null && n.type === 'SetOperationStmt') n = n.larg;
  return n !== null && n.type === 'RangeTblRef' ? n.rtindex : 0;
}
