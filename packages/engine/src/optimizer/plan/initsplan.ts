/*
 * initsplan.ts — from the join tree to base relations, join constraints and
 * placed clauses (PostgreSQL's optimizer/plan/initsplan.c).
 *
 * Exports:
 *   addBaseRelsToQuery(root)       a RelOptInfo per FROM item
 *   buildBaseRelTlists(root, exprs) which columns each base relation must output
 *   deconstructJointree(root)      SpecialJoinInfo per outer/semi/anti join, and
 *                                  every clause put where it must be evaluated
 *
 * Placement rules (README.md "Clause placement"):
 *  1. A WHERE or inner-join clause goes to the lowest level that has all its
 *     relations: one relation → that relation's baserestrictinfo; several →
 *     the joininfo of each, evaluated by the first join that contains them.
 *  2. A clause above an outer join that mentions the join's nullable side is
 *     delayed until that join is formed (its required_relids grow to cover
 *     the join), because below it the NULL-extended rows do not exist yet.
 *  3. An outer join's own ON clause is evaluated at that join only, except
 *     that a clause mentioning only the nullable side is pushed into it.
 *  4. A clause with no relations at all is a one-time gating filter.
 */

import type { Expr, JoinTreeNode, Var } from '../../nodes/primnodes.ts';
import type { PlannerInfo, Relids, RestrictInfo, SpecialJoinInfo } from '../pathnodes.ts';
import { relidBit, relidsIsSubset, relidsMembers, relidsOverlap } from '../pathnodes.ts';
import { makeAndsImplicit } from '../util/clauses.ts';
import { makeRestrictInfo } from '../util/restrictinfo.ts';
import { buildSimpleRel } from '../util/relnode.ts';
import { pullVars } from '../util/var.ts';
import { getEclass, mergeEclasses } from '../path/equivclass.ts';
import { walkExprDeep } from '../util/var.ts';

/** Creates the base RelOptInfos for every relation in the join tree, in tree order; returns their rtindexes. */
export function addBaseRelsToQuery(root: PlannerInfo, n: JoinTreeNode = root.parse.jointree, out: number[] = []): number[] {
  switch (n.type) {
    case 'RangeTblRef':
      buildSimpleRel(root, n.rtindex);
      root.all_baserels |= relidBit(n.rtindex);
      out.push(n.rtindex);
      break;
    case 'FromExpr':
      for (const c of n.fromlist) addBaseRelsToQuery(root, c, out);
      break;
    case 'JoinExpr':
      addBaseRelsToQuery(root, n.larg, out);
      addBaseRelsToQuery(root, n.rarg, out);
      break;
  }
  return out;
}

/** Adds the Vars of `exprs` (at this query level, including those inside sub-selects that refer here) to their relations' targets. */
export function buildBaseRelTlists(root: PlannerInfo, exprs: Expr[]): void {
  for (const e of exprs) {
    walkExprDeep(e, (n, depth) => {
      if (n.type === 'Var' && n.varlevelsup === depth) addVarToRel(root, { ...n, varlevelsup: 0, location: -1 }, ABOVE_ALL_JOINS);
      return false;
    });
  }
}

/** A Relids no join contains (bit 0: rtindexes start at 1): "needed in the final output". */
const ABOVE_ALL_JOINS: Relids = 1n;

/** Makes the relation output the column, and records where it is needed (attr_needed). */
export function addVarToRel(root: PlannerInfo, v: Var, neededAt: Relids): void {
  const rel = root.simple_rel_array[v.varno];
  if (rel === null || rel === undefined) return;
  let byAttno = root.attr_needed_above.get(v.varno);
  if (byAttno === undefined) {
    byAttno = new Map();
    root.attr_needed_above.set(v.varno, byAttno);
  }
  const list = byAttno.get(v.varattno) ?? [];
  list.push(neededAt);
  byAttno.set(v.varattno, list);
  if (rel.reltarget.some((e) => e.type === 'Var' && e.varattno === v.varattno)) return;
  rel.reltarget.push({ ...v, varlevelsup: 0, location: -1 });
}

function jtRelids(n: JoinTreeNode): Relids {
  switch (n.type) {
    case 'RangeTblRef': return relidBit(n.rtindex);
    case 'FromExpr': return n.fromlist.reduce((a, c) => a | jtRelids(c), 0n);
    case 'JoinExpr': return jtRelids(n.larg) | jtRelids(n.rarg);
  }
}

/** Grows relids to cover every outer join below whose nullable side they mention (check_outerjoin_delay). */
function outerjoinDelay(relids: Relids, below: SpecialJoinInfo[]): Relids {
  let changed = true;
  while (changed) {
    changed = false;
    for (const sj of below) {
      const nullable = sj.jointype === 'JOIN_FULL' ? sj.min_lefthand | sj.min_righthand : sj.min_righthand;
      if (relidsOverlap(relids, nullable) && !relidsIsSubset(sj.min_lefthand | sj.min_righthand, relids)) {
        relids |= sj.min_lefthand | sj.min_righthand;
        changed = true;
      }
    }
  }
  return relids;
}

/** `col IS NOT NULL` on a NOT NULL column, not below an outer join's nullable side, is always true (PostgreSQL 17+ drops it). */
function isAlwaysTrueNotNull(root: PlannerInfo, clause: Expr, required: Relids): boolean {
  if (clause.type !== 'NullTest' || clause.nulltesttype !== 'IS_NOT_NULL' || clause.argisrow || clause.arg.type !== 'Var') return false;
  const v = clause.arg;
  if (v.varlevelsup !== 0 || v.varattno <= 0 || required !== relidBit(v.varno)) return false;
  if (root.join_info_list.some((sj) => relidsOverlap(sj.min_righthand, required))) return false;
  const rel = root.simple_rel_array[v.varno];
  return rel?.relinfo?.attrs[v.varattno - 1]?.attnotnull === true;
}

function placeClause(root: PlannerInfo, clause: Expr, isPushedDown: boolean, required: Relids): void {
  if (isPushedDown && isAlwaysTrueNotNull(root, clause, required)) return;
  const ri = makeRestrictInfo(clause, isPushedDown, required);
  if (ri.clause_relids === 0n && required === 0n) {
    root.pseudoconstant_quals.push(clause);
    return;
  }
  const members = relidsMembers(required);
  if (members.length === 1 && (isPushedDown || ri.clause_relids === required)) {
    const rel = root.simple_rel_array[members[0]];
    if (rel !== null && rel !== undefined) {
      rel.baserestrictinfo.push(ri);
      return;
    }
  }
  // A join clause: its columns must reach the join.
  walkExprDeep(clause, (n, depth) => {
    if (n.type === 'Var' && n.varlevelsup === depth) addVarToRel(root, { ...n, varlevelsup: 0, location: -1 }, required);
    return false;
  });
  for (const m of members) {
    const rel = root.simple_rel_array[m];
    if (rel !== null && rel !== undefined) rel.joininfo.push(ri);
  }
  // Equalities between two relations, not delayed by an outer join, make their sides interchangeable for ordering.
  if (isPushedDown && ri.mergeop !== 0 && required === ri.clause_relids && clause.type === 'OpExpr') {
    ri.left_ec = getEclass(root, clause.args[0]);
    ri.right_ec = getEclass(root, clause.args[1]);
    const merged = mergeEclasses(root, ri.left_ec, ri.right_ec);
    ri.left_ec = merged;
    ri.right_ec = merged;
  }
}

function setMergeEcs(root: PlannerInfo, ri: RestrictInfo): void {
  if (ri.mergeop !== 0 && ri.left_ec < 0 && ri.clause.type === 'OpExpr') {
    ri.left_ec = getEclass(root, ri.clause.args[0]);
    ri.right_ec = getEclass(root, ri.clause.args[1]);
  }
}

/**
 * Walks the join tree: records a SpecialJoinInfo for each outer, semi and
 * anti join and distributes every clause (deconstruct_jointree).
 */
export function deconstructJointree(root: PlannerInfo): void {
  const recurse = (n: JoinTreeNode): { relids: Relids; sjs: SpecialJoinInfo[] } => {
    switch (n.type) {
      case 'RangeTblRef':
        return { relids: relidBit(n.rtindex), sjs: [] };
      case 'FromExpr': {
        let relids = 0n;
        const sjs: SpecialJoinInfo[] = [];
        for (const c of n.fromlist) {
          const r = recurse(c);
          relids |= r.relids;
          sjs.push(...r.sjs);
        }
        for (const q of makeAndsImplicit(n.quals)) {
          const clauseRelids = pullVarnosOf(q);
          placeClause(root, q, true, outerjoinDelay(clauseRelids, sjs));
        }
        return { relids, sjs };
      }
      case 'JoinExpr': {
        const l = recurse(n.larg);
        const r = recurse(n.rarg);
        const relids = l.relids | r.relids;
        const below = [...l.sjs, ...r.sjs];
        const quals = makeAndsImplicit(n.quals);
        if (n.jointype === 'JOIN_INNER') {
          for (const q of quals) placeClause(root, q, true, outerjoinDelay(pullVarnosOf(q), below));
          return { relids, sjs: below };
        }
        const sj = makeOuterjoininfo(n.jointype, l.relids, r.relids, l.sjs, quals);
        root.join_info_list.push(sj);
        const ojscope = sj.min_lefthand | sj.min_righthand;
        for (const q of quals) {
          const cr = pullVarnosOf(q);
          const rhsOnly = cr !== 0n && relidsIsSubset(cr, r.relids);
          const lhsOnly = cr !== 0n && relidsIsSubset(cr, l.relids);
          if (rhsOnly && n.jointype !== 'JOIN_FULL') {
            placeClause(root, q, false, outerjoinDelay(cr, r.sjs));
          } else if (lhsOnly && n.jointype === 'JOIN_SEMI') {
            placeClause(root, q, true, outerjoinDelay(cr, l.sjs));
          } else {
            const ri = makeRestrictInfo(q, false, ojscope | cr);
            setMergeEcs(root, ri);
            for (const v of pullVars(q)) addVarToRel(root, v, ojscope | cr);
            for (const m of relidsMembers(ojscope | cr)) root.simple_rel_array[m]?.joininfo.push(ri);
          }
        }
        return { relids, sjs: [...below, sj] };
      }
    }
  };
  recurse(root.parse.jointree);
  // Equalities with a constant go through PostgreSQL's equivalence classes and come back after the other restrictions.
  for (const rel of root.simple_rel_array) {
    if (rel === null) continue;
    const ec = rel.baserestrictinfo.filter(isConstEquality);
    if (ec.length > 0) rel.baserestrictinfo = [...rel.baserestrictinfo.filter((r) => !isConstEquality(r)), ...ec];
  }
  // Join clauses placed before their classes existed get their classes now.
  for (const rel of root.simple_rel_array) {
    if (rel === null) continue;
    for (const ri of rel.joininfo) setMergeEcs(root, ri);
  }
}

import { pullVarnos as pullVarnosOf } from '../util/var.ts';
import { opIsMergejoinable } from '../util/lsyscache.ts';
import { containVolatileFunctions } from '../util/clauses.ts';

/** `column = constant` (or between two columns of one relation) with a btree equality: an equivalence-class clause in PostgreSQL. */
function isConstEquality(ri: RestrictInfo): boolean {
  const c = ri.clause;
  if (!ri.is_pushed_down || c.type !== 'OpExpr' || c.args.length !== 2 || !opIsMergejoinable(c.opno)) return false;
  if (containVolatileFunctions(c)) return false;
  const l = pullVarnosOf(c.args[0]);
  const r = pullVarnosOf(c.args[1]);
  return (l !== 0n) !== (r !== 0n) || (l !== 0n && l === r);
}

/** The minimal sides an outer join needs (make_outerjoininfo, simplified: the whole right side stays together). */
function makeOuterjoininfo(jointype: SpecialJoinInfo['jointype'], left: Relids, right: Relids, leftSjs: SpecialJoinInfo[], quals: Expr[]): SpecialJoinInfo {
  let clauseRelids = 0n;
  for (const q of quals) clauseRelids |= pullVarnosOf(q);
  let minLeft = clauseRelids & left;
  if (minLeft === 0n || jointype === 'JOIN_FULL') minLeft = left;
  // A lower outer join in the left input whose nullable side we reference must be complete before us.
  let changed = true;
  while (changed) {
    changed = false;
    for (const sj of leftSjs) {
      if (relidsOverlap(minLeft, sj.min_righthand) && !relidsIsSubset(sj.min_lefthand | sj.min_righthand, minLeft)) {
        minLeft |= sj.min_lefthand | sj.min_righthand;
        changed = true;
      }
    }
  }
  return { jointype, syn_lefthand: left, syn_righthand: right, min_lefthand: minLeft, min_righthand: right, semi_rhs_exprs: [] };
}

export { jtRelids };
