/*
 * prepjointree.ts — reshaping the join tree before planning (PostgreSQL's
 * optimizer/prep/prepjointree.c).
 *
 * Exports:
 *   flattenJoinAliasVars(q)   Vars of JOIN RTEs replaced by the columns they alias
 *   pullUpSublinks(q)         WHERE [NOT] EXISTS (...) and x IN (SELECT ...) become
 *                             semi / anti joins
 *   pullUpSubqueries(q)       simple sub-selects in FROM (and expanded views) are
 *                             merged into the parent, so a view costs nothing
 *   reduceOuterJoins(q)       a strict WHERE clause on the nullable side of an
 *                             outer join makes it an inner join; RIGHT joins become LEFT
 *
 * Each returns a new Query; nothing is modified in place.
 */

import type { Query, RangeTblEntry } from '../../nodes/parsenodes.ts';
import type { Expr, FromExpr, JoinExpr, JoinTreeNode, SubLink } from '../../nodes/primnodes.ts';
import { containVolatileFunctions, findNonnullableRels, makeAndsExplicit, makeAndsImplicit } from '../util/clauses.ts';
import { mutateExprDeep, incrementQuerySublevelsUp, mutateQuery, offsetVarNodes, replaceVarsInQuery } from '../util/querywalk.ts';
import { relidBit, relidsOverlap, type Relids } from '../pathnodes.ts';
import { maxVarLevelsup, pullVarnos, queryExprs, walkExprDeep } from '../util/var.ts';

// ---------------------------------------------------------------------------
// Join alias Vars.

/** Replaces references to JOIN RTEs' columns with the underlying expressions (flatten_join_alias_vars). */
export function flattenJoinAliasVars(q: Query): Query {
  if (!q.rtable.some((r) => r.rtekind === 'RTE_JOIN')) return q;
  const resolve = (rtable: RangeTblEntry[], varno: number, attno: number, depth: number): Expr | undefined => {
    const rte = rtable[varno - 1];
    if (rte === undefined || rte.rtekind !== 'RTE_JOIN' || attno <= 0) return undefined;
    const alias = rte.joinaliasvars[attno - 1];
    if (alias === undefined) return undefined;
    // Alias vars may themselves reference another join; they are at q's level.
    const flat = mutateExprDeep(alias, (n, d) => {
      if (n.type === 'Var' && n.varlevelsup === d) return resolve(rtable, n.varno, n.varattno, 0);
      return undefined;
    }, 0);
    return depth === 0 ? flat : mutateExprDeep(flat, (n, d) => (n.type === 'Var' && n.varlevelsup >= d ? { ...n, varlevelsup: n.varlevelsup + depth } : undefined), 0);
  };
  return mutateQuery(q, (n, depth) => {
    if (n.type === 'Var' && n.varlevelsup === depth) return resolve(q.rtable, n.varno, n.varattno, depth);
    return undefined;
  });
}

// ---------------------------------------------------------------------------
// Sublinks to semi/anti joins.

function jtRelids(n: JoinTreeNode): Relids {
  switch (n.type) {
    case 'RangeTblRef': return relidBit(n.rtindex);
    case 'FromExpr': return n.fromlist.reduce((a, c) => a | jtRelids(c), 0n);
    case 'JoinExpr': return jtRelids(n.larg) | jtRelids(n.rarg);
  }
}

/** Vars of level 1 in the sub-select (references to the query containing the SubLink). */
function subselectRefersUp(sub: Query): boolean {
  return queryExprs(sub).some((e) => maxVarLevelsup(e) >= 1)
    || sub.rtable.some((r) => r.rtekind === 'RTE_SUBQUERY' && r.subquery !== null && queryExprs(r.subquery).some((e) => maxVarLevelsup(e) >= 2));
}

function isSimpleExistsSubselect(sub: Query): boolean {
  return sub.commandType === 'CMD_SELECT' && sub.setOperations === null && !sub.hasAggs && !sub.hasWindowFuncs
    && sub.groupClause.length === 0 && sub.havingQual === null && sub.limitCount === null && sub.limitOffset === null
    && sub.rowMarks.length === 0 && sub.cteList.length === 0 && !sub.hasTargetSRFs && sub.jointree.fromlist.length > 0;
}

/**
 * WHERE EXISTS (SELECT ... WHERE corr) → a semi join of the query's FROM
 * with the sub-select's FROM on corr (convert_EXISTS_sublink_to_join).
 * Only correlated EXISTS are converted: an uncorrelated one is cheaper as an
 * initplan evaluated once.
 */
function convertExists(q: Query, sl: SubLink, anti: boolean): { q: Query; join: JoinExpr } | null {
  const sub = sl.subselect;
  if (!isSimpleExistsSubselect(sub)) return null;
  const where = sub.jointree.quals;
  if (where === null || maxVarLevelsup(where) < 1) return null;
  if (containVolatileFunctions(where)) return null;
  // Outer references anywhere but WHERE (a lateral FROM item, say) are not handled.
  const others = queryExprs({ ...sub, jointree: { ...sub.jointree, quals: null }, targetList: [] });
  if (others.some((e) => maxVarLevelsup(e) >= 1)) return null;
  const offset = q.rtable.length;
  let moved = offsetVarNodes({ ...sub, targetList: [] }, offset);
  moved = incrementQuerySublevelsUp(moved, -1, 1);
  const join: JoinExpr = {
    type: 'JoinExpr', jointype: anti ? 'JOIN_ANTI' : 'JOIN_SEMI', isNatural: false,
    larg: { type: 'FromExpr', fromlist: [], quals: null },
    rarg: { ...moved.jointree, quals: null },
    usingClause: [], quals: moved.jointree.quals, alias: null, rtindex: 0,
  };
  return { q: { ...q, rtable: [...q.rtable, ...moved.rtable] }, join };
}

/** x IN (SELECT y ...) → a semi join with the sub-select as a FROM item (convert_ANY_sublink_to_join). */
function convertAny(q: Query, sl: SubLink): { q: Query; join: JoinExpr } | null {
  const sub = sl.subselect;
  if (sl.testexpr === null || subselectRefersUp(sub)) return null;
  if (walkExprDeep(sl.testexpr, (n) => n.type === 'SubLink')) return null;
  if (pullVarnos(sl.testexpr) === 0n) return null;
  if (containVolatileFunctions(sl.testexpr)) return null;
  const rti = q.rtable.length + 1;
  const cols = sub.targetList.filter((t) => !t.resjunk);
  const rte: RangeTblEntry = {
    type: 'RangeTblEntry', rtekind: 'RTE_SUBQUERY', alias: null,
    eref: { aliasname: 'ANY_subquery', colnames: cols.map((t) => t.resname ?? '?column?') },
    relid: 0, relkind: '', rellockmode: '', inh: false, subquery: sub, viewRelid: 0,
    jointype: '', joinmergedcols: 0, joinaliasvars: [], joinleftcols: [], joinrightcols: [],
    functions: [], funcordinality: false, values_lists: [], ctename: '', ctelevelsup: 0, self_reference: false,
    coltypes: cols.map((t) => exprTypeOf(t.expr)), coltypmods: cols.map((t) => exprTypmodOf(t.expr)),
    lateral: false, inFromCl: true,
  };
  // The test's Params name the sub-select's output columns; make them Vars of the new FROM item.
  const quals = mutateExprDeep(sl.testexpr, (n) => {
    if (n.type === 'Param' && n.paramkind === 'PARAM_EXEC' && n.paramid >= 1 && n.paramid <= cols.length) {
      return { type: 'Var', varno: rti, varattno: n.paramid, vartype: n.paramtype, vartypmod: n.paramtypmod, varlevelsup: 0, location: -1 };
    }
    return undefined;
  }, 0);
  const join: JoinExpr = {
    type: 'JoinExpr', jointype: 'JOIN_SEMI', isNatural: false,
    larg: { type: 'FromExpr', fromlist: [], quals: null },
    rarg: { type: 'RangeTblRef', rtindex: rti },
    usingClause: [], quals, alias: null, rtindex: 0,
  };
  return { q: { ...q, rtable: [...q.rtable, rte] }, join };
}

import { exprType as exprTypeOf, exprTypmod as exprTypmodOf } from '../../nodes/nodeFuncs.ts';

/**
 * Converts the top-level WHERE's EXISTS / NOT EXISTS / IN (sub-select)
 * clauses into semi and anti joins (pull_up_sublinks). Each converted
 * clause wraps the current FROM as the left input of a new join.
 */
export function pullUpSublinks(q: Query): Query {
  if (!q.hasSubLinks || q.jointree.quals === null) return q;
  const clauses = makeAndsImplicit(q.jointree.quals);
  const remaining: Expr[] = [];
  const joins: JoinExpr[] = [];
  let cur = q;
  for (const c of clauses) {
    let res: { q: Query; join: JoinExpr } | null = null;
    if (c.type === 'SubLink' && c.subLinkType === 'EXISTS_SUBLINK') res = convertExists(cur, c, false);
    else if (c.type === 'SubLink' && c.subLinkType === 'ANY_SUBLINK') res = convertAny(cur, c);
    else if (c.type === 'BoolExpr' && c.boolop === 'NOT_EXPR' && c.args[0].type === 'SubLink' && c.args[0].subLinkType === 'EXISTS_SUBLINK') {
      res = convertExists(cur, c.args[0], true);
    }
    if (res === null) {
      remaining.push(c);
    } else {
      cur = res.q;
      joins.push(res.join);
    }
  }
  if (joins.length === 0) return q;
  let tree: JoinTreeNode = { type: 'FromExpr', fromlist: cur.jointree.fromlist, quals: null };
  for (const j of joins) tree = { ...j, larg: tree };
  const jointree: FromExpr = { type: 'FromExpr', fromlist: [tree], quals: remaining.length === 0 ? null : makeAndsExplicit(remaining) };
  return { ...cur, jointree };
}

// ---------------------------------------------------------------------------
// Sub-selects in FROM.

function isSimpleSubquery(sub: Query, underNullable: boolean): boolean {
  if (sub.commandType !== 'CMD_SELECT' || sub.setOperations !== null) return false;
  if (sub.hasAggs || sub.hasWindowFuncs || sub.hasTargetSRFs || sub.groupClause.length > 0 || sub.havingQual !== null) return false;
  if (sub.sortClause.length > 0 || sub.distinctClause.length > 0 || sub.limitCount !== null || sub.limitOffset !== null) return false;
  // A locking clause of the subquery's own would lock at the wrong level once merged; one pushed down from
  // the parent (FOR UPDATE of a view or sub-select) moves up with its relations (is_simple_subquery).
  if (sub.rowMarks.some((r) => !r.pushedDown) || sub.cteList.length > 0 || sub.hasRecursive || sub.hasForUpdate) return false;
  if (sub.jointree.fromlist.length === 0) return false;
  if (sub.targetList.some((t) => containVolatileFunctions(t.expr))) return false;
  // Without placeholder expressions, a non-Var output under an outer join's nullable side would not go NULL.
  if (underNullable && sub.targetList.some((t) => !t.resjunk && t.expr.type !== 'Var')) return false;
  return true;
}

/** Merges simple sub-selects of FROM into the parent query (pull_up_subqueries). */
export function pullUpSubqueries(q0: Query): Query {
  if (!q0.rtable.some((r) => r.rtekind === 'RTE_SUBQUERY')) return q0;
  let q = q0;
  for (const rti of collectRefs(q.jointree, [])) {
    const rte = q.rtable[rti - 1];
    if (rte.rtekind !== 'RTE_SUBQUERY' || rte.subquery === null) continue;
    let sub = pullUpSubqueries(flattenJoinAliasVars(rte.subquery));
    if (!isSimpleSubquery(sub, isUnderNullable(q.jointree, rti, false))) continue;
    sub = offsetVarNodes(sub, q.rtable.length);
    sub = incrementQuerySublevelsUp(sub, -1, 1);
    const subTree = sub.jointree;
    q = { ...q, rtable: [...q.rtable, ...sub.rtable], jointree: visitOne(q.jointree, rti, () => subTree) as FromExpr, rowMarks: [...q.rowMarks, ...sub.rowMarks] };
    q = replaceVarsInQuery(q, rti, sub.targetList);
  }
  return q;
}

/** The range-table indexes of the join tree's leaves, left to right, appended to out. */
function collectRefs(n: JoinTreeNode, out: number[]): number[] {
  switch (n.type) {
    case 'RangeTblRef':
      out.push(n.rtindex);
      break;
    case 'FromExpr':
      for (const c of n.fromlist) collectRefs(c, out);
      break;
    case 'JoinExpr':
      collectRefs(n.larg, out);
      collectRefs(n.rarg, out);
      break;
  }
  return out;
}

/** Whether the join tree has an outer join (PostgreSQL's hasOuterJoins, which gates reduce_outer_joins). */
function hasOuterJoins(n: JoinTreeNode): boolean {
  switch (n.type) {
    case 'RangeTblRef': return false;
    case 'FromExpr': return n.fromlist.some(hasOuterJoins);
    case 'JoinExpr': return n.jointype !== 'JOIN_INNER' || hasOuterJoins(n.larg) || hasOuterJoins(n.rarg);
  }
}

function isUnderNullable(n: JoinTreeNode, rti: number, under: boolean): boolean {
  switch (n.type) {
    case 'RangeTblRef': return n.rtindex === rti ? under : false;
    case 'FromExpr': return n.fromlist.some((c) => isUnderNullable(c, rti, under));
    case 'JoinExpr': {
      const rn = n.jointype === 'JOIN_LEFT' || n.jointype === 'JOIN_FULL' || n.jointype === 'JOIN_ANTI' || n.jointype === 'JOIN_SEMI';
      const ln = n.jointype === 'JOIN_RIGHT' || n.jointype === 'JOIN_FULL';
      return isUnderNullable(n.larg, rti, under || ln) || isUnderNullable(n.rarg, rti, under || rn);
    }
  }
}

function visitOne(n: JoinTreeNode, rti: number, f: (ref: JoinTreeNode) => JoinTreeNode): JoinTreeNode {
  switch (n.type) {
    case 'RangeTblRef': return n.rtindex === rti ? f(n) : n;
    case 'FromExpr': return { ...n, fromlist: n.fromlist.map((c) => visitOne(c, rti, f)) };
    case 'JoinExpr': return { ...n, larg: visitOne(n.larg, rti, f), rarg: visitOne(n.rarg, rti, f) };
  }
}

// ---------------------------------------------------------------------------
// Outer join reduction.

/**
 * Turns outer joins into inner joins where a strict qual above them rejects
 * the NULL-extended rows (reduce_outer_joins), and RIGHT joins into LEFT
 * joins with the inputs swapped so later stages see only LEFT.
 */
export function reduceOuterJoins(q: Query): Query {
  if (!hasOuterJoins(q.jointree)) return q;
  const visit = (n: JoinTreeNode, nonnullable: Relids): JoinTreeNode => {
    switch (n.type) {
      case 'RangeTblRef': return n;
      case 'FromExpr': {
        const nn = nonnullable | (n.quals === null ? 0n : findNonnullableRels(n.quals));
        return { ...n, fromlist: n.fromlist.map((c) => visit(c, nn)) };
      }
      case 'JoinExpr': {
        let jt = n.jointype;
        const l = jtRelids(n.larg);
        const r = jtRelids(n.rarg);
        if (jt === 'JOIN_LEFT' && relidsOverlap(nonnullable, r)) jt = 'JOIN_INNER';
        else if (jt === 'JOIN_RIGHT' && relidsOverlap(nonnullable, l)) jt = 'JOIN_INNER';
        else if (jt === 'JOIN_FULL') {
          const lnn = relidsOverlap(nonnullable, l);
          const rnn = relidsOverlap(nonnullable, r);
          if (lnn && rnn) jt = 'JOIN_INNER';
          else if (lnn) jt = 'JOIN_LEFT';
          else if (rnn) jt = 'JOIN_RIGHT';
        }
        let larg = n.larg;
        let rarg = n.rarg;
        if (jt === 'JOIN_RIGHT') {
          [larg, rarg] = [rarg, larg];
          jt = 'JOIN_LEFT';
        }
        // Quals of this join prove non-nullness for inner joins' inputs (and for the nullable side's own subtree: its rows must match).
        const own = n.quals === null ? 0n : findNonnullableRels(n.quals);
        let lnn = nonnullable;
        let rnn = nonnullable;
        if (jt === 'JOIN_INNER') {
          lnn |= own;
          rnn |= own;
        } else if (jt === 'JOIN_LEFT' || jt === 'JOIN_SEMI' || jt === 'JOIN_ANTI') {
          rnn = own;
          lnn = nonnullable;
        } else {
          lnn = 0n;
          rnn = 0n;
        }
        return { ...n, jointype: jt, larg: visit(larg, lnn), rarg: visit(rarg, rnn) };
      }
    }
  };
  return { ...q, jointree: visit(q.jointree, 0n) as FromExpr };
}
