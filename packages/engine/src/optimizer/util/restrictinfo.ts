/*
 * restrictinfo.ts — wrapping a clause in a RestrictInfo (PostgreSQL's
 * optimizer/util/restrictinfo.c): which relations it needs, whether it can
 * drive a merge or hash join, and caches for its selectivity and cost.
 *
 * Exports: makeRestrictInfo, clauseSidesMatch.
 */

import type { Expr } from '../../nodes/primnodes.ts';
import type { Relids, RestrictInfo } from '../pathnodes.ts';
import { relidsIsSubset, relidsOverlap } from '../pathnodes.ts';
import { containVolatileFunctions } from './clauses.ts';
import { opIsHashjoinable, opIsMergejoinable } from './lsyscache.ts';
import { pullVarnos } from './var.ts';

export function makeRestrictInfo(clause: Expr, isPushedDown: boolean, requiredRelids: Relids | null): RestrictInfo {
  const clauseRelids = pullVarnos(clause);
  const ri: RestrictInfo = {
    clause,
    clause_relids: clauseRelids,
    required_relids: requiredRelids ?? clauseRelids,
    is_pushed_down: isPushedDown,
    left_relids: 0n,
    right_relids: 0n,
    mergeop: 0,
    hashjoinable: false,
    pseudoconstant: clauseRelids === 0n && !containVolatileFunctions(clause),
    norm_selec: -1,
    outer_selec: -1,
    eval_cost: -1,
    left_ec: -1,
    right_ec: -1,
  };
  if (clause.type === 'OpExpr' && clause.args.length === 2 && !clause.opretset) {
    const l = pullVarnos(clause.args[0]);
    const r = pullVarnos(clause.args[1]);
    ri.left_relids = l;
    ri.right_relids = r;
    if (l !== 0n && r !== 0n && !relidsOverlap(l, r) && !containVolatileFunctions(clause)) {
      if (opIsMergejoinable(clause.opno)) ri.mergeop = clause.opno;
      ri.hashjoinable = opIsHashjoinable(clause.opno);
    }
  }
  return ri;
}

/** For a join clause `l op r`: true when l comes from `outer` and r from `inner`, false when swapped, null when neither. */
export function clauseSidesMatch(ri: RestrictInfo, outer: Relids, inner: Relids): boolean | null {
  if (ri.left_relids === 0n || ri.right_relids === 0n) return null;
  if (relidsIsSubset(ri.left_relids, outer) && relidsIsSubset(ri.right_relids, inner)) return true;
  if (relidsIsSubset(ri.left_relids, inner) && relidsIsSubset(ri.right_relids, outer)) return false;
  return null;
}
