/*
 * equivclass.ts — equivalence classes (PostgreSQL's optimizer/path/equivclass.c,
 * reduced to what pathkeys need): expressions known equal because a WHERE or
 * inner-join clause says `a = b` belong to one class, so a path sorted on a
 * is also sorted on b (a merge join's output, an ORDER BY b over a scan of a).
 *
 * Exports: getEclass(root, expr), mergeEclasses(root, a, b), eclassOf(root, id),
 * eclassMemberFor(root, ec, relids).
 *
 * Differences from PostgreSQL: no clauses are derived from classes (a = b
 * AND b = 5 does not add a = 5), and classes are merged only for equalities
 * not below an outer join.
 */

import type { Expr } from '../../nodes/primnodes.ts';
import { exprType } from '../../nodes/nodeFuncs.ts';
import type { EquivalenceClass, EquivalenceMember, PlannerInfo, Relids } from '../pathnodes.ts';
import { relidsIsSubset } from '../pathnodes.ts';
import { equalExpr } from '../util/exprwalk.ts';
import { pullVarnos } from '../util/var.ts';

/** The class's representative (following merges). */
export function eclassOf(root: PlannerInfo, id: number): EquivalenceClass {
  let ec = root.eq_classes[id];
  while (ec.merged >= 0) ec = root.eq_classes[ec.merged];
  return ec;
}

function stripRelabel(e: Expr): Expr {
  while (e.type === 'RelabelType') e = e.arg;
  return e;
}

/** The id of the class containing expr, creating a singleton class when it has none. */
export function getEclass(root: PlannerInfo, e0: Expr): number {
  const e = stripRelabel(e0);
  for (const ec of root.eq_classes) {
    if (ec.merged >= 0) continue;
    if (ec.members.some((m) => equalExpr(m.expr, e))) return ec.id;
  }
  const member: EquivalenceMember = { expr: e, relids: pullVarnos(e), datatype: exprType(e) };
  const ec: EquivalenceClass = { id: root.eq_classes.length, members: [member], merged: -1, has_const: e.type === 'Const', below_outer_join: false };
  root.eq_classes.push(ec);
  return ec.id;
}

/** Records that the two classes' members are equal. */
export function mergeEclasses(root: PlannerInfo, a: number, b: number): number {
  const ea = eclassOf(root, a);
  const eb = eclassOf(root, b);
  if (ea === eb) return ea.id;
  ea.members.push(...eb.members);
  ea.has_const ||= eb.has_const;
  eb.merged = ea.id;
  eb.members = [];
  return ea.id;
}

/** A member of the class computable from `relids` alone (find_ec_member_matching_expr), or null. */
export function eclassMemberFor(root: PlannerInfo, id: number, relids: Relids): EquivalenceMember | null {
  const ec = eclassOf(root, id);
  for (const m of ec.members) {
    if (m.relids !== 0n && relidsIsSubset(m.relids, relids)) return m;
  }
  for (const m of ec.members) if (m.relids === 0n && m.expr.type !== 'Const') return m;
  return null;
}
