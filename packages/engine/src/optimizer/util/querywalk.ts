/*
 * querywalk.ts — rewriting every expression of a Query, including those of
 * its sub-selects at deeper levels (PostgreSQL's query_tree_mutator with
 * range-table and sublink recursion). The planner's pull-up passes use it
 * to renumber Vars (OffsetVarNodes), change their level
 * (IncrementVarSublevelsUp) and substitute a sub-query's outputs for the
 * Vars that referenced it (ReplaceVarsFromTargetList).
 *
 * Exports: mutateQuery, offsetVarNodes, incrementVarSublevelsUp,
 * replaceVarsFromTlist.
 */

import type { Query, RangeTblEntry } from '../../nodes/parsenodes.ts';
import type { Expr, JoinTreeNode, TargetEntry } from '../../nodes/primnodes.ts';
import { mapChildren } from './exprwalk.ts';

/**
 * fn is asked about each node with the depth (0 = q's own level); returning
 * a node replaces it, undefined means recurse. SubLinks' sub-selects and
 * RTE_SUBQUERY queries are rewritten at depth + 1.
 */
export type DepthMutator = (e: Expr, depth: number) => Expr | undefined;

export function mutateExprDeep(e: Expr, fn: DepthMutator, depth: number): Expr {
  const r = fn(e, depth);
  if (r !== undefined) return r;
  if (e.type === 'SubLink') {
    return {
      ...e,
      testexpr: e.testexpr === null ? null : mutateExprDeep(e.testexpr, fn, depth),
      subselect: mutateQuery(e.subselect, fn, depth + 1),
    };
  }
  return mapChildren(e, (c) => mutateExprDeep(c, fn, depth));
}

function mutateJt(n: JoinTreeNode, m: (e: Expr) => Expr): JoinTreeNode {
  switch (n.type) {
    case 'RangeTblRef': return n;
    case 'FromExpr': return { ...n, fromlist: n.fromlist.map((c) => mutateJt(c, m)), quals: n.quals === null ? null : m(n.quals) };
    case 'JoinExpr': return { ...n, larg: mutateJt(n.larg, m), rarg: mutateJt(n.rarg, m), quals: n.quals === null ? null : m(n.quals) };
  }
}

const mutateTl = (tl: TargetEntry[], m: (e: Expr) => Expr): TargetEntry[] => tl.map((t) => ({ ...t, expr: m(t.expr) }));

/** A copy of q with fn applied to every expression at every level below and including q (at `depth`). */
export function mutateQuery(q: Query, fn: DepthMutator, depth = 0): Query {
  const m = (e: Expr): Expr => mutateExprDeep(e, fn, depth);
  const rtable = q.rtable.map((rte): RangeTblEntry => {
    switch (rte.rtekind) {
      case 'RTE_SUBQUERY':
        return rte.subquery === null ? rte : { ...rte, subquery: mutateQuery(rte.subquery, fn, depth + 1) };
      case 'RTE_FUNCTION':
        return { ...rte, functions: rte.functions.map((f) => ({ ...f, funcexpr: m(f.funcexpr) })) };
      case 'RTE_VALUES':
        return { ...rte, values_lists: rte.values_lists.map((row) => row.map(m)) };
      case 'RTE_JOIN':
        return { ...rte, joinaliasvars: rte.joinaliasvars.map(m) };
      default:
        return rte;
    }
  });
  return {
    ...q,
    rtable,
    cteList: q.cteList.map((c) => ({ ...c, ctequery: mutateQuery(c.ctequery, fn, depth + 1) })),
    jointree: mutateJt(q.jointree, m) as Query['jointree'],
    targetList: mutateTl(q.targetList, m),
    returningList: mutateTl(q.returningList, m),
    havingQual: q.havingQual === null ? null : m(q.havingQual),
    limitCount: q.limitCount === null ? null : m(q.limitCount),
    limitOffset: q.limitOffset === null ? null : m(q.limitOffset),
    onConflict: q.onConflict === null ? null : {
      ...q.onConflict,
      onConflictSet: mutateTl(q.onConflict.onConflictSet, m),
      onConflictWhere: q.onConflict.onConflictWhere === null ? null : m(q.onConflict.onConflictWhere),
    },
    windowClause: q.windowClause.map((w) => ({
      ...w,
      startOffset: w.startOffset === null ? null : m(w.startOffset),
      endOffset: w.endOffset === null ? null : m(w.endOffset),
    })),
  };
}

/** Vars of q's own level (and references to it from deeper levels) get varno + offset (OffsetVarNodes). */
export function offsetVarNodes(q: Query, offset: number): Query {
  const out = mutateQuery(q, (e, depth) => {
    if (e.type === 'Var' && e.varlevelsup === depth && e.varno > 0) return { ...e, varno: e.varno + offset };
    return undefined;
  });
  const offJt = (n: JoinTreeNode): JoinTreeNode => {
    switch (n.type) {
      case 'RangeTblRef': return { ...n, rtindex: n.rtindex + offset };
      case 'FromExpr': return { ...n, fromlist: n.fromlist.map(offJt) };
      case 'JoinExpr': return { ...n, rtindex: n.rtindex === 0 ? 0 : n.rtindex + offset, larg: offJt(n.larg), rarg: offJt(n.rarg) };
    }
  };
  return {
    ...out,
    jointree: offJt(out.jointree) as Query['jointree'],
    resultRelation: out.resultRelation === 0 ? 0 : out.resultRelation + offset,
    rowMarks: out.rowMarks.map((r) => ({ ...r, rti: r.rti + offset })),
  };
}

/** Change the level of Vars and Aggrefs that point at or above `minDepth` levels above e by delta (IncrementVarSublevelsUp). */
export function incrementVarSublevelsUp(e: Expr, delta: number, minDepth: number): Expr {
  return mutateExprDeep(e, (n, depth) => {
    if (n.type === 'Var' && n.varlevelsup >= depth + minDepth) return { ...n, varlevelsup: n.varlevelsup + delta };
    if (n.type === 'Aggref' && n.agglevelsup >= depth + minDepth) {
      return { ...n, agglevelsup: n.agglevelsup + delta, args: n.args.map((t) => ({ ...t, expr: incrementVarSublevelsUp(t.expr, delta, minDepth + depth) })) };
    }
    return undefined;
  }, 0);
}

/** References to CTEs of levels at or above minDepth (relative to each nested query) move by delta, as their Vars do. */
function adjustCteLevels(q: Query, delta: number, minDepth: number, depth: number): Query {
  return {
    ...q,
    rtable: q.rtable.map((rte) => {
      let r = rte;
      if (r.rtekind === 'RTE_CTE' && r.ctelevelsup >= depth + minDepth) r = { ...r, ctelevelsup: r.ctelevelsup + delta };
      if (r.rtekind === 'RTE_SUBQUERY' && r.subquery !== null) r = { ...r, subquery: adjustCteLevels(r.subquery, delta, minDepth, depth + 1) };
      return r;
    }),
    cteList: q.cteList.map((c) => ({ ...c, ctequery: adjustCteLevels(c.ctequery, delta, minDepth, depth + 1) })),
  };
}

export function incrementQuerySublevelsUp(q0: Query, delta: number, minDepth: number): Query {
  const q = adjustCteLevels(q0, delta, minDepth, 0);
  return mutateQuery(q, (n, depth) => {
    if (n.type === 'Var' && n.varlevelsup >= depth + minDepth) return { ...n, varlevelsup: n.varlevelsup + delta };
    if (n.type === 'Aggref' && n.agglevelsup >= depth + minDepth) return { ...n, agglevelsup: n.agglevelsup + delta };
    return undefined;
  });
}

/**
 * Replaces Vars of `varno` at q's level with the expression of the
 * sub-query's target entry they name (ReplaceVarsFromTargetList), raising
 * the substituted expression's outer references by the depth it lands at.
 */
export function replaceVarsInExpr(e: Expr, varno: number, tlist: TargetEntry[], depth0 = 0): Expr {
  return mutateExprDeep(e, (n, depth) => {
    if (n.type === 'Var' && n.varno === varno && n.varlevelsup === depth) {
      if (n.varattno <= 0) return undefined;
      const tle = tlist.find((t) => t.resno === n.varattno);
      if (tle === undefined) return undefined;
      return depth === 0 ? tle.expr : incrementVarSublevelsUp(tle.expr, depth, 0);
    }
    return undefined;
  }, depth0);
}

export function replaceVarsInQuery(q: Query, varno: number, tlist: TargetEntry[]): Query {
  return mutateQuery(q, (n, depth) => {
    if (n.type === 'Var' && n.varno === varno && n.varlevelsup === depth && n.varattno > 0) {
      const tle = tlist.find((t) => t.resno === n.varattno);
      if (tle === undefined) return undefined;
      return depth === 0 ? tle.expr : incrementVarSublevelsUp(tle.expr, depth, 0);
    }
    return undefined;
  });
}
