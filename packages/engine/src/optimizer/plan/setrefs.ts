/*
 * setrefs.ts — the planner's last pass (PostgreSQL's optimizer/plan/setrefs.c):
 * from plan trees over each query level's Vars to the executor's form.
 *
 * Exports: setPlanReferences(glob, root, plan, query) -> PlannedStmt,
 * registerSubqueryRoot(plan, subroot).
 *
 *  1. The range tables of all query levels (sub-selects in FROM, SubPlans,
 *     CTEs, set-operation leaves) are appended into one flat range table;
 *     each level's Vars and scanrelids are shifted by its offset.
 *  2. Scan nodes keep Vars with varno = their scanrelid. Join nodes'
 *     expressions become OUTER_VAR / INNER_VAR references to a child
 *     target-list position; upper nodes (Agg, WindowAgg, projecting Result)
 *     reference their child with OUTER_VAR, matching whole expressions first
 *     (a GROUP BY expression computed below) and then Vars; an
 *     IndexOnlyScan reads its index's columns (INDEX_VAR).
 *  3. Non-projecting nodes (Sort, Limit, Hash, ...) get a target list of
 *     OUTER_VAR references, position for position.
 *  4. A SubqueryScan that only passes its sub-plan's rows through is removed.
 *  5. Aggrefs get aggno (their slot in the Agg); every node gets a
 *     plan_node_id, unique in the statement.
 */

import type { Query, RangeTblEntry } from '../../nodes/parsenodes.ts';
import type { Plan, PlannedStmt } from '../../nodes/plannodes.ts';
import type { Expr, TargetEntry, Var } from '../../nodes/primnodes.ts';
import { INDEX_VAR, INNER_VAR, OUTER_VAR } from '../../nodes/primnodes.ts';
import type { PlannerGlobal, PlannerInfo } from '../pathnodes.ts';
import { equalExpr, mapChildren, mutateExpr } from '../util/exprwalk.ts';

const subqueryRoots = new WeakMap<Plan, PlannerInfo>();

/** Records which query level a sub-plan was made under, so its range table can be flattened. */
export function registerSubqueryRoot(plan: Plan, subroot: PlannerInfo): void {
  subqueryRoots.set(plan, subroot);
}

interface SetrefsState {
  rtable: RangeTblEntry[];
  /** The child's target-list expressions as its parent sees them (after the level offset, before its own fixing). */
  semantic: Map<Plan, Expr[]>;
  nextNodeId: number;
  roots: Map<PlannerInfo, number>;
}

function offsetExpr(e: Expr, rtoffset: number): Expr {
  if (rtoffset === 0) return e;
  return mutateExpr(e, (n) => (n.type === 'Var' && n.varno > 0 && n.varlevelsup === 0 ? { ...n, varno: n.varno + rtoffset } : undefined));
}

const offTl = (tl: TargetEntry[], off: number): TargetEntry[] => tl.map((t) => ({ ...t, expr: offsetExpr(t.expr, off) }));

/** The position of an expression equal to e in a child's target list, or -1 (tlist_member). */
function tlistIndexOf(list: Expr[] | null, e: Expr): number {
  if (list === null) return -1;
  for (let i = 0; i < list.length; i++) if (equalExpr(list[i], e)) return i;
  return -1;
}

/** Finds e in the child target lists: whole expressions first, then Vars (fix_join_expr / fix_upper_expr). */
function fixExpr(e: Expr, outer: Expr[] | null, inner: Expr[] | null, what: string): Expr {
  const rec = (n: Expr): Expr => {
    if (n.type === 'Const' || n.type === 'Param') return n;
    if (n.type === 'Var' && n.varno < 0) return n;
    let i = tlistIndexOf(outer, n);
    if (i >= 0 && outer !== null) return makeRef(OUTER_VAR, i + 1, outer[i]);
    i = tlistIndexOf(inner, n);
    if (i >= 0 && inner !== null) return makeRef(INNER_VAR, i + 1, inner[i]);
    if (n.type === 'Var') {
      if (n.varlevelsup > 0) return n;
      throw new Error(`variable ${n.varno}.${n.varattno} not found in subplan target lists (${what})`);
    }
    return mapChildren(n, rec);
  };
  return rec(e);
}

function makeRef(varno: number, attno: number, src: Expr): Var {
  return { type: 'Var', varno, varattno: attno, vartype: exprTypeOf(src), vartypmod: exprTypmodOf(src), varlevelsup: 0, location: -1 };
}

import { exprType as exprTypeOf, exprTypmod as exprTypmodOf } from '../../nodes/nodeFuncs.ts';

function dummyTlist(tl: TargetEntry[]): TargetEntry[] {
  return tl.map((t, i) => ({ ...t, expr: t.expr.type === 'Var' && t.expr.varno === OUTER_VAR ? t.expr : makeRef(OUTER_VAR, i + 1, t.expr) }));
}

/** Whether a SubqueryScan just returns its sub-plan's columns in order (trivial_subqueryscan). */
function trivialSubqueryScan(p: Plan & { type: 'SubqueryScan' }): boolean {
  if (p.qual.length > 0) return false;
  // A junk column in the sub-plan (a GROUP BY key not selected, say) makes the lists differ: PostgreSQL keeps the node then.
  const sub = p.subplan.targetlist;
  if (p.targetlist.length !== sub.length) return false;
  return p.targetlist.every((t, i) => t.expr.type === 'Var' && t.expr.varno === p.scanrelid && t.expr.varattno === i + 1 && !t.resjunk);
}

function numberAggrefs(plan: Plan): void {
  // Equal aggregates share one slot: each is compared with aggno blanked out.
  const slots: Expr[] = [];
  const assign = (e: Expr): Expr => mutateExpr(e, (n) => {
    if (n.type !== 'Aggref') return undefined;
    const unnumbered = { ...n, aggno: -1 };
    let i = tlistIndexOf(slots, unnumbered);
    if (i < 0) {
      slots.push(unnumbered);
      i = slots.length - 1;
    }
    return { ...n, aggno: i };
  });
  plan.targetlist = plan.targetlist.map((t) => ({ ...t, expr: assign(t.expr) }));
  plan.qual = plan.qual.map(assign);
}

function levelOffset(st: SetrefsState, root: PlannerInfo): number {
  let off = st.roots.get(root);
  if (off === undefined) {
    off = st.rtable.length;
    st.roots.set(root, off);
    for (const rte of root.parse.rtable) st.rtable.push({ ...rte, subquery: null });
  }
  return off;
}

function setPlanRefs(st: SetrefsState, plan: Plan, root: PlannerInfo, off: number): Plan {
  const fixSubPlanExprs = (e: Expr): Expr => offsetExpr(e, off);
  plan.initPlan = plan.initPlan.map((sp) => ({ ...sp, args: sp.args.map(fixSubPlanExprs), testexpr: sp.testexpr === null ? null : fixSubPlanExprs(sp.testexpr) }));
  const tl = offTl(plan.targetlist, off);
  const qual = plan.qual.map((q) => offsetExpr(q, off));
  const sem = (p: Plan | null): Expr[] | null => (p === null ? null : st.semantic.get(p) ?? p.targetlist.map((t) => t.expr));
  let result: Plan = plan;
  switch (plan.type) {
    case 'SeqScan': case 'FunctionScan': case 'ValuesScan': case 'CteScan': case 'WorkTableScan': case 'IndexScan': case 'BitmapHeapScan': {
      plan.scanrelid += off;
      st.semantic.set(plan, tl.map((t) => t.expr));
      plan.targetlist = tl;
      plan.qual = qual;
      if (plan.type === 'FunctionScan') plan.functions = plan.functions.map((f) => offsetExpr(f, off));
      if (plan.type === 'ValuesScan') plan.values_lists = plan.values_lists.map((r) => r.map((e) => offsetExpr(e, off)));
      if (plan.type === 'IndexScan') {
        plan.indexqualorig = plan.indexqualorig.map((e) => offsetExpr(e, off));
        plan.indexqual = plan.indexqual.map((e) => offsetExpr(e, off));
      }
      if (plan.type === 'BitmapHeapScan') {
        plan.bitmapqualorig = plan.bitmapqualorig.map((e) => offsetExpr(e, off));
        if (plan.lefttree !== null && plan.lefttree.type === 'BitmapIndexScan') {
          const bis = plan.lefttree;
          bis.scanrelid += off;
          bis.indexqualorig = bis.indexqualorig.map((e) => offsetExpr(e, off));
          bis.indexqual = bis.indexqual.map((e) => offsetExpr(e, off));
          bis.plan_node_id = st.nextNodeId++;
        }
      }
      break;
    }
    case 'IndexOnlyScan': {
      plan.scanrelid += off;
      const itl = offTl(plan.indextlist, off);
      plan.indextlist = itl;
      const ie = itl.map((t) => t.expr);
      st.semantic.set(plan, tl.map((t) => t.expr));
      const toIndex = (e: Expr): Expr => {
        const f = fixExpr(e, ie, null, 'index-only scan');
        return mutateExpr(f, (n) => (n.type === 'Var' && n.varno === OUTER_VAR ? { ...n, varno: INDEX_VAR } : undefined));
      };
      plan.targetlist = tl.map((t) => ({ ...t, expr: toIndex(t.expr) }));
      plan.qual = qual.map(toIndex);
      plan.indexqualorig = plan.indexqualorig.map((e) => offsetExpr(e, off));
      plan.indexqual = plan.indexqual.map((e) => offsetExpr(e, off));
      break;
    }
    case 'SubqueryScan': {
      const subroot = subqueryRoots.get(plan.subplan) ?? null;
      const subOff = subroot === null ? off : levelOffset(st, subroot);
      plan.subplan = setPlanRefs(st, plan.subplan, subroot ?? root, subOff);
      plan.scanrelid += off;
      plan.targetlist = tl;
      plan.qual = qual;
      if (trivialSubqueryScan(plan)) {
        const sub = plan.subplan;
        // The parent sees the sub-plan's columns under the SubqueryScan's names.
        st.semantic.set(sub, tl.map((t) => t.expr));
        sub.targetlist = sub.targetlist.map((t, i) => ({ ...t, resname: tl[i]?.resname ?? t.resname }));
        sub.initPlan = [...sub.initPlan, ...plan.initPlan];
        return sub;
      }
      st.semantic.set(plan, tl.map((t) => t.expr));
      break;
    }
    case 'NestLoop': case 'HashJoin': case 'MergeJoin': {
      const outer = setPlanRefs(st, plan.lefttree as Plan, root, off);
      const inner = setPlanRefs(st, plan.righttree as Plan, root, off);
      plan.lefttree = outer;
      plan.righttree = inner;
      const oe = sem(outer);
      const ie = plan.type === 'HashJoin' ? sem(inner.lefttree) : sem(inner);
      const fx = (e: Expr): Expr => fixExpr(offsetExpr(e, off), oe, ie, plan.type);
      st.semantic.set(plan, tl.map((t) => t.expr));
      plan.targetlist = tl.map((t) => ({ ...t, expr: fixExpr(t.expr, oe, ie, plan.type) }));
      plan.qual = qual.map((q) => fixExpr(q, oe, ie, plan.type));
      plan.joinqual = plan.joinqual.map(fx);
      if (plan.type === 'NestLoop') plan.nestParams = plan.nestParams.map((np) => ({ ...np, paramval: fixExpr(offsetExpr(np.paramval, off), oe, null, 'nestloop param') as Var }));
      if (plan.type === 'HashJoin') {
        plan.hashclauses = plan.hashclauses.map(fx);
        plan.hashkeys = plan.hashkeys.map((e) => fixExpr(offsetExpr(e, off), oe, null, 'hash keys'));
        if (inner.type === 'Hash') inner.hashkeys = inner.hashkeys.map((e) => fixExpr(offsetExpr(e, off), sem(inner.lefttree), null, 'hash'));
      }
      if (plan.type === 'MergeJoin') plan.mergeclauses = plan.mergeclauses.map(fx);
      break;
    }
    case 'Hash': case 'Material': case 'Sort': case 'Unique': case 'SetOp': case 'LockRows': case 'Limit': {
      const child = setPlanRefs(st, plan.lefttree as Plan, root, off);
      plan.lefttree = child;
      st.semantic.set(plan, sem(child) ?? []);
      plan.targetlist = dummyTlist(tl);
      plan.qual = [];
      // PlanRowMark.rti indexes the flattened range table, as scanrelid does (the junk columns keep rowmarkId).
      if (plan.type === 'LockRows') plan.rowMarks = plan.rowMarks.map((rm) => ({ ...rm, rti: rm.rti + off }));
      if (plan.type === 'Limit') {
        plan.limitCount = plan.limitCount === null ? null : offsetExpr(plan.limitCount, off);
        plan.limitOffset = plan.limitOffset === null ? null : offsetExpr(plan.limitOffset, off);
      }
      break;
    }
    case 'Append': case 'MergeAppend': case 'RecursiveUnion': {
      if (plan.type === 'Append') plan.appendplans = plan.appendplans.map((c) => setPlanRefs(st, c, root, off));
      if (plan.type === 'MergeAppend') plan.mergeplans = plan.mergeplans.map((c) => setPlanRefs(st, c, root, off));
      if (plan.type === 'RecursiveUnion') {
        plan.lefttree = setPlanRefs(st, plan.lefttree as Plan, root, off);
        plan.righttree = setPlanRefs(st, plan.righttree as Plan, root, off);
      }
      st.semantic.set(plan, tl.map((t) => t.expr));
      plan.targetlist = dummyTlist(tl);
      break;
    }
    case 'Agg': case 'WindowAgg': case 'ProjectSet': case 'Group': case 'Result': {
      if (plan.lefttree === null) {
        st.semantic.set(plan, tl.map((t) => t.expr));
        plan.targetlist = tl;
        plan.qual = qual;
        if (plan.type === 'Result' && plan.resconstantqual !== null) plan.resconstantqual = offsetExpr(plan.resconstantqual, off);
        break;
      }
      const child = setPlanRefs(st, plan.lefttree, root, off);
      plan.lefttree = child;
      const ce = sem(child);
      st.semantic.set(plan, tl.map((t) => t.expr));
      plan.targetlist = tl.map((t) => ({ ...t, expr: fixExpr(t.expr, ce, null, plan.type) }));
      plan.qual = qual.map((q) => fixExpr(q, ce, null, plan.type));
      if (plan.type === 'Result' && plan.resconstantqual !== null) plan.resconstantqual = fixExpr(offsetExpr(plan.resconstantqual, off), ce, null, 'one-time filter');
      if (plan.type === 'Agg') numberAggrefs(plan);
      if (plan.type === 'WindowAgg') {
        plan.startOffset = plan.startOffset === null ? null : offsetExpr(plan.startOffset, off);
        plan.endOffset = plan.endOffset === null ? null : offsetExpr(plan.endOffset, off);
      }
      break;
    }
    case 'ModifyTable': {
      const child = setPlanRefs(st, plan.lefttree as Plan, root, off);
      plan.lefttree = child;
      const ce = sem(child);
      const resultRel = plan.nominalRelation + off;
      plan.nominalRelation = resultRel;
      plan.resultRelations = plan.resultRelations.map((r) => r + off);
      plan.rowMarks = plan.rowMarks.map((rm) => ({ ...rm, rti: rm.rti + off }));
      // RETURNING reads the new row of the result relation directly; other relations' columns come from the subplan.
      const fixReturning = (e: Expr): Expr => {
        const o = offsetExpr(e, off);
        return mutateExpr(o, (n) => {
          if (n.type === 'Var' && n.varno === resultRel) return n;
          if (n.type === 'Var' && n.varno > 0) return fixExpr(n, ce, null, 'RETURNING');
          return undefined;
        });
      };
      plan.returningLists = plan.returningLists.map((l) => l.map((t) => ({ ...t, expr: fixReturning(t.expr) })));
      plan.targetlist = plan.returningLists[0] ?? [];
      plan.onConflictSet = offTl(plan.onConflictSet, off);
      plan.onConflictWhere = plan.onConflictWhere === null ? null : offsetExpr(plan.onConflictWhere, off);
      if (plan.exclRelRTI !== 0) plan.exclRelRTI += off;
      plan.exclRelTlist = offTl(plan.exclRelTlist, off);
      st.semantic.set(plan, plan.targetlist.map((t) => t.expr));
      break;
    }
    case 'BitmapIndexScan':
      break;
  }
  result.plan_node_id = st.nextNodeId++;
  void result;
  result = plan;
  return result;
}

/** Finishes the plan of a statement (set_plan_references over the main plan and every subplan). */
export function setPlanReferences(glob: PlannerGlobal, root: PlannerInfo, plan: Plan, query: Query): PlannedStmt {
  const st: SetrefsState = { rtable: [], semantic: new Map(), nextNodeId: 0, roots: new Map() };
  const off = levelOffset(st, root);
  const top = setPlanRefs(st, plan, root, off);
  const subplans: Plan[] = glob.subplans.map((sp, i) => {
    const subroot = glob.subroots[i];
    const soff = levelOffset(st, subroot);
    return setPlanRefs(st, sp, subroot, soff);
  });
  renumber(top, subplans);
  return {
    type: 'PlannedStmt', commandType: query.commandType, canSetTag: query.canSetTag, planTree: top, rtable: st.rtable,
    resultRelations: query.resultRelation > 0 ? [query.resultRelation + off] : [], subplans, paramExecTypes: glob.paramExecTypes.slice(),
    relationOids: [...glob.relationOids], rowMarks: query.rowMarks.map((r) => ({ ...r, rti: r.rti + off })), utilityStmt: null,
    stmt_location: query.stmt_location, stmt_len: query.stmt_len,
  };
}

/** plan_node_id in pre-order over the main plan, then the subplans. */
function renumber(top: Plan, subplans: Plan[]): void {
  let id = 0;
  const visit = (p: Plan | null): void => {
    if (p === null) return;
    p.plan_node_id = id++;
    visit(p.lefttree);
    visit(p.righttree);
    if (p.type === 'Append') p.appendplans.forEach(visit);
    if (p.type === 'MergeAppend') p.mergeplans.forEach(visit);
    if (p.type === 'SubqueryScan') visit(p.subplan);
  };
  visit(top);
  subplans.forEach(visit);
}
