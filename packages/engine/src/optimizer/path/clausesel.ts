/*
 * clausesel.ts — the selectivity of a list of clauses (PostgreSQL's
 * optimizer/path/clausesel.c): the product of each clause's selectivity,
 * except that `x > a AND x < b` on the same x is estimated as one range.
 *
 * Exports: clauselistSelectivity, clauseSelectivity.
 *
 * A clause is estimated as a join clause (oprjoin) when a SpecialJoinInfo
 * is given and it references more than one relation; otherwise as a
 * restriction (oprrest).
 */

import type { Expr } from '../../nodes/primnodes.ts';
import type { PlannerInfo, RestrictInfo, SpecialJoinInfo } from '../pathnodes.ts';
import { relidBit, relidsCount } from '../pathnodes.ts';
import { equalExpr } from '../util/exprwalk.ts';
import { getOperator } from '../util/lsyscache.ts';
import {
  booltestsel, DEFAULT_INEQ_SEL, DEFAULT_RANGE_INEQ_SEL, joinSelectivity, nulltestsel, restrictionSelectivity, scalararraysel,
} from '../util/selfuncs.ts';
import { pullVarnos } from '../util/var.ts';

type Clause = RestrictInfo | Expr;

const isRinfo = (c: Clause): c is RestrictInfo => 'clause' in c && !('type' in c);

interface RangePair {
  /** The variable side of `var < const` / `var > const`. */
  variable: Expr;
  lo: number | null;
  hi: number | null;
}

/** Product of the clauses' selectivities, with range pairing (clauselist_selectivity). */
export function clauselistSelectivity(root: PlannerInfo, clauses: Clause[], varRelid: number, sjinfo: SpecialJoinInfo | null): number {
  if (clauses.length === 1) return clauseSelectivity(root, clauses[0], varRelid, sjinfo);
  let s1 = 1.0;
  const ranges: RangePair[] = [];
  for (const c of clauses) {
    const expr = isRinfo(c) ? c.clause : c;
    const s2 = clauseSelectivity(root, c, varRelid, sjinfo);
    // `var < const` / `var > const` on one variable: remember it for range pairing.
    if (expr.type === 'OpExpr' && expr.args.length === 2) {
      const rest = getOperator(expr.opno)?.oprrest ?? '';
      const isLt = rest === 'scalarltsel' || rest === 'scalarlesel';
      const isGt = rest === 'scalargtsel' || rest === 'scalargesel';
      if ((isLt || isGt) && (isRinfo(c) ? relidsCount(c.clause_relids) === 1 : true)) {
        // A RestrictInfo knows its sides' relations already (makeRestrictInfo).
        const known = isRinfo(c) && !expr.opretset;
        const lvars = known ? c.left_relids : pullVarnos(expr.args[0]);
        const rvars = known ? c.right_relids : pullVarnos(expr.args[1]);
        const varonleft = lvars !== 0n && rvars === 0n;
        const varonright = rvars !== 0n && lvars === 0n;
        if (varonleft || varonright) {
          const varExpr = varonleft ? expr.args[0] : expr.args[1];
          const isHi = varonleft ? isLt : isGt;
          let r = ranges.find((x) => equalExpr(x.variable, varExpr));
          if (r === undefined) {
            r = { variable: varExpr, lo: null, hi: null };
            ranges.push(r);
          }
          if (isHi) r.hi = r.hi === null ? s2 : Math.min(r.hi, s2);
          else r.lo = r.lo === null ? s2 : Math.min(r.lo, s2);
          continue;
        }
      }
    }
    s1 *= s2;
  }
  for (const r of ranges) {
    if (r.lo !== null && r.hi !== null) {
      let s2: number;
      if (r.hi === DEFAULT_INEQ_SEL && r.lo === DEFAULT_INEQ_SEL) {
        s2 = DEFAULT_RANGE_INEQ_SEL;
      } else {
        s2 = r.hi + r.lo - 1.0;
        if (s2 <= 0.0) s2 = s2 < -0.01 ? 1.0e-10 : 1.0e-10;
      }
      s1 *= s2;
    } else {
      s1 *= r.lo !== null ? r.lo : (r.hi as number);
    }
  }
  return s1;
}

/** Selectivity of one clause (clause_selectivity_ext). */
export function clauseSelectivity(root: PlannerInfo, c: Clause, varRelid: number, sjinfo: SpecialJoinInfo | null): number {
  if (isRinfo(c)) {
    if (c.pseudoconstant) return 1.0; // gating quals do not change the estimated rows of a relation
    const asJoin = sjinfo !== null && varRelid === 0 && relidsCount(c.clause_relids) > 1;
    // A clause on varRelid alone is estimated the same with or without varRelid (the index cost
    // estimates ask for each restriction again per index and direction), so it shares the cache.
    const cacheable = varRelid === 0
      ? sjinfo === null || sjinfo.jointype === 'JOIN_INNER' || !asJoin
      : sjinfo === null && (c.clause_relids & ~relidBit(varRelid)) === 0n;
    if (cacheable) {
      if (c.norm_selec >= 0) return c.norm_selec;
      const s = exprSelectivity(root, c.clause, varRelid, sjinfo);
      c.norm_selec = s;
      return s;
    }
    return exprSelectivity(root, c.clause, varRelid, sjinfo);
  }
  return exprSelectivity(root, c, varRelid, sjinfo);
}

function exprSelectivity(root: PlannerInfo, e: Expr, varRelid: number, sjinfo: SpecialJoinInfo | null): number {
  const treatAsJoin = (): boolean => varRelid === 0 && sjinfo !== null && relidsCount(pullVarnos(e)) > 1;
  switch (e.type) {
    case 'Const':
      return e.constisnull ? 0.0 : e.constvalue === true ? 1.0 : 0.0;
    case 'Var':
      // A boolean column as a clause (boolvarsel without statistics).
      return 0.5;
    case 'Param':
      return 0.5;
    case 'BoolExpr':
      if (e.boolop === 'NOT_EXPR') return 1.0 - exprSelectivity(root, e.args[0], varRelid, sjinfo);
      if (e.boolop === 'AND_EXPR') return clauselistSelectivity(root, e.args, varRelid, sjinfo);
      {
        let s1 = 0.0;
        for (const a of e.args) {
          const s2 = exprSelectivity(root, a, varRelid, sjinfo);
          s1 = s1 + s2 - s1 * s2;
        }
        return s1;
      }
    case 'OpExpr':
    case 'DistinctExpr': {
      let s: number;
      if (treatAsJoin()) s = joinSelectivity(root, e.opno, e.args, sjinfo);
      else s = restrictionSelectivity(root, e.opno, e.args, varRelid);
      // IS DISTINCT FROM is estimated as the negation of "=" (as PostgreSQL does).
      if (e.type === 'DistinctExpr') s = 1.0 - s;
      return s;
    }
    case 'ScalarArrayOpExpr':
      return scalararraysel(root, e.opno, e.useOr, e.args, treatAsJoin(), sjinfo);
    case 'NullTest':
      return nulltestsel(e.nulltesttype === 'IS_NULL', e.arg);
    case 'BooleanTest':
      return booltestsel(e.booltesttype);
    case 'RelabelType':
      return exprSelectivity(root, e.arg, varRelid, sjinfo);
    case 'FuncExpr':
      // A boolean function without a support function: PostgreSQL guesses a third.
      return 0.3333333;
    case 'SubPlan':
    case 'SubLink':
      return 0.5;
    default:
      return 0.5;
  }
}
