/*
 * var.ts — finding the Vars of an expression (PostgreSQL's optimizer/util/var.c):
 * which relations of this query level it references (pull_varnos), the Vars
 * themselves (pull_var_clause), and whether it reaches an outer level.
 *
 * Exports: pullVarnos, pullVars, containsVarOfLevel, maxVarLevelsup,
 * containAggs, containWindowFuncs, containSubplans.
 *
 * varlevelsup counts query levels: a Var with varlevelsup 1 inside a
 * SubLink's subselect belongs to the query containing the SubLink. Walks
 * into sub-selects adjust the level they look for.
 */

import type { Query } from '../../nodes/parsenodes.ts';
import type { Expr, Var } from '../../nodes/primnodes.ts';
import { walkExpr } from './exprwalk.ts';
import { relidBit, type Relids } from '../pathnodes.ts';

/** Calls fn on every expression of a query (target list, quals, join tree, ...), not entering sub-selects. */
export function queryExprs(q: Query): Expr[] {
  const out: Expr[] = [];
  for (const t of q.targetList) out.push(t.expr);
  for (const t of q.returningList) out.push(t.expr);
  if (q.havingQual !== null) out.push(q.havingQual);
  if (q.limitCount !== null) out.push(q.limitCount);
  if (q.limitOffset !== null) out.push(q.limitOffset);
  const walkJt = (n: import('../../nodes/primnodes.ts').JoinTreeNode): void => {
    if (n.type === 'FromExpr') {
      if (n.quals !== null) out.push(n.quals);
      n.fromlist.forEach(walkJt);
    } else if (n.type === 'JoinExpr') {
      if (n.quals !== null) out.push(n.quals);
      walkJt(n.larg);
      walkJt(n.rarg);
    }
  };
  walkJt(q.jointree);
  for (const rte of q.rtable) {
    if (rte.rtekind === 'RTE_FUNCTION') for (const f of rte.functions) out.push(f.funcexpr);
    if (rte.rtekind === 'RTE_VALUES') for (const row of rte.values_lists) out.push(...row);
    if (rte.rtekind === 'RTE_JOIN') out.push(...rte.joinaliasvars);
  }
  if (q.onConflict !== null) {
    for (const t of q.onConflict.onConflictSet) out.push(t.expr);
    if (q.onConflict.onConflictWhere !== null) out.push(q.onConflict.onConflictWhere);
  }
  for (const w of q.windowClause) {
    if (w.startOffset !== null) out.push(w.startOffset);
    if (w.endOffset !== null) out.push(w.endOffset);
  }
  return out;
}

/**
 * Walks e and the sub-selects of its SubLinks; fn receives each node and the
 * number of query levels between e's level and the node's.
 */
export function walkExprDeep(e: Expr, fn: (n: Expr, depth: number) => boolean, depth = 0): boolean {
  return walkExpr(e, (n) => {
    if (fn(n, depth)) return true;
    if (n.type === 'SubLink') {
      for (const se of queryExprs(n.subselect)) if (walkExprDeep(se, fn, depth + 1)) return true;
      for (const rte of n.subselect.rtable) {
        if (rte.rtekind === 'RTE_SUBQUERY' && rte.subquery !== null) {
          for (const se of queryExprs(rte.subquery)) if (walkExprDeep(se, fn, depth + 2)) return true;
        }
      }
    }
    return false;
  });
}

/** The range-table indexes of this level's Vars in e (including those inside sub-selects that refer up to this level). */
export function pullVarnos(e: Expr): Relids {
  // The sides of most clauses are a column or a constant: no walk for those.
  if (e.type === 'Var') return e.varlevelsup === 0 && e.varno > 0 ? relidBit(e.varno) : 0n;
  if (e.type === 'Const' || e.type === 'Param') return 0n;
  let r = 0n;
  walkExprDeep(e, (n, depth) => {
    if (n.type === 'Var' && n.varlevelsup === depth && n.varno > 0) r |= relidBit(n.varno);
    return false;
  });
  return r;
}

/** This level's Vars in e, not entering sub-selects or aggregates' arguments when told. */
export function pullVars(e: Expr, opts: { intoAggs?: boolean } = {}): Var[] {
  const out: Var[] = [];
  const visit = (n: Expr): boolean => {
    if (n.type === 'Var' && n.varlevelsup === 0) out.push(n);
    if (n.type === 'Aggref' && opts.intoAggs === false) return false;
    return false;
  };
  if (opts.intoAggs === false) {
    const rec = (n: Expr): void => {
      if (n.type === 'Aggref' || n.type === 'WindowFunc') return;
      visit(n);
      for (const c of childrenOf(n)) rec(c);
    };
    rec(e);
  } else {
    walkExpr(e, visit);
  }
  return out;
}

import { exprChildren as childrenOf } from './exprwalk.ts';

/** The highest varlevelsup of a Var in e (0 when none refers up), counting from e's own level. */
export function maxVarLevelsup(e: Expr): number {
  let max = 0;
  walkExprDeep(e, (n, depth) => {
    if (n.type === 'Var' && n.varlevelsup - depth > max) max = n.varlevelsup - depth;
    if (n.type === 'Aggref' && n.agglevelsup - depth > max) max = n.agglevelsup - depth;
    return false;
  });
  return max;
}

export const containAggs = (e: Expr): boolean => walkExpr(e, (n) => n.type === 'Aggref' && n.agglevelsup === 0);
export const containWindowFuncs = (e: Expr): boolean => walkExpr(e, (n) => n.type === 'WindowFunc');
export const containSubplans = (e: Expr): boolean => walkExpr(e, (n) => n.type === 'SubPlan' || n.type === 'SubLink');
export const containSublinks = (e: Expr): boolean => walkExpr(e, (n) => n.type === 'SubLink');
export const containVars = (e: Expr): boolean => walkExprDeep(e, (n, depth) => n.type === 'Var' && n.varlevelsup === depth);
