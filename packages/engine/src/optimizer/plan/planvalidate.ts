/*
 * planvalidate.ts — checks that a finished plan's references resolve
 * (an assert function over setrefs' output, in the spirit of SQLite's
 * invariant checkers). Tests run it on every planned statement.
 *
 * Exports: validatePlan(stmt) — throws an Error naming the first
 * unresolvable reference.
 *
 * Invariants:
 *  1. A scan node's Vars have varno = its scanrelid (an IndexOnlyScan's
 *     INDEX_VAR points into its indextlist), with a valid column number.
 *  2. A join's Vars are OUTER_VAR / INNER_VAR within its children's target
 *     lists; an upper node's are OUTER_VAR within its child's.
 *  3. No Var refers to an outer query level (those became Params).
 *  4. PARAM_EXEC ids are below paramExecTypes.length; SubPlan ids name
 *     a subplan; sort, group and unique column numbers are in range.
 *  5. plan_node_id is unique.
 */

import type { Plan, PlannedStmt } from '../../nodes/plannodes.ts';
import type { Expr } from '../../nodes/primnodes.ts';
import { INDEX_VAR, INNER_VAR, OUTER_VAR } from '../../nodes/primnodes.ts';
import { walkExpr } from '../util/exprwalk.ts';

export function validatePlan(stmt: PlannedStmt): void {
  const ids = new Set<number>();
  const fail = (p: Plan, msg: string): never => {
    throw new Error(`invalid plan: ${p.type} (node ${p.plan_node_id}): ${msg}`);
  };
  const checkExprs = (p: Plan, exprs: Expr[], allowed: { scan?: number; outer?: Plan | null; inner?: Plan | null; index?: number; result?: number; anyRel?: boolean }): void => {
    for (const e of exprs) {
      walkExpr(e, (n) => {
        if (n.type === 'Var') {
          if (n.varlevelsup !== 0) fail(p, `Var with varlevelsup ${n.varlevelsup}`);
          if (n.varno === OUTER_VAR || n.varno === INNER_VAR) {
            const child = n.varno === OUTER_VAR ? allowed.outer : allowed.inner;
            if (child === undefined || child === null) fail(p, `${n.varno === OUTER_VAR ? 'OUTER' : 'INNER'}_VAR without that child`);
            const c = child as Plan;
            if (n.varattno < 1 || n.varattno > c.targetlist.length) fail(p, `${n.varno === OUTER_VAR ? 'OUTER' : 'INNER'}_VAR ${n.varattno} beyond the child's ${c.targetlist.length} columns`);
          } else if (n.varno === INDEX_VAR) {
            if (allowed.index === undefined || n.varattno < 1 || n.varattno > allowed.index) fail(p, `INDEX_VAR ${n.varattno} not allowed here`);
          } else if (n.varno > 0) {
            if (n.varno !== allowed.scan && n.varno !== allowed.result && allowed.anyRel !== true) fail(p, `Var of relation ${n.varno} in a node scanning ${allowed.scan ?? 'nothing'}`);
            const rte = stmt.rtable[n.varno - 1];
            if (rte === undefined) fail(p, `Var of missing range table entry ${n.varno}`);
            if (n.varattno > 0 && rte.rtekind !== 'RTE_RELATION' && n.varattno > rte.eref.colnames.length) fail(p, `column ${n.varattno} beyond ${rte.eref.aliasname}'s columns`);
          } else {
            fail(p, `unexpected varno ${n.varno}`);
          }
        }
        if (n.type === 'Param' && n.paramkind === 'PARAM_EXEC' && (n.paramid < 0 || n.paramid >= stmt.paramExecTypes.length)) fail(p, `PARAM_EXEC ${n.paramid} not allocated`);
        if (n.type === 'SubPlan' && (n.plan_id < 1 || n.plan_id > stmt.subplans.length)) fail(p, `SubPlan ${n.plan_id} missing`);
        return false;
      });
    }
  };
  const colsIn = (p: Plan, child: Plan | null, cols: number[], what: string): void => {
    for (const c of cols) if (child === null || c < 1 || c > child.targetlist.length) fail(p, `${what} column ${c} out of range`);
  };
  const visit = (p: Plan | null): void => {
    if (p === null) return;
    if (ids.has(p.plan_node_id)) fail(p, 'duplicate plan_node_id');
    ids.add(p.plan_node_id);
    const tl = p.targetlist.map((t) => t.expr);
    for (const sp of p.initPlan) if (sp.plan_id < 1 || sp.plan_id > stmt.subplans.length) fail(p, `initplan ${sp.plan_id} missing`);
    switch (p.type) {
      case 'SeqScan': case 'SubqueryScan': case 'FunctionScan': case 'ValuesScan': case 'CteScan': case 'WorkTableScan':
        checkExprs(p, [...tl, ...p.qual], { scan: p.scanrelid });
        if (p.type === 'FunctionScan') checkExprs(p, p.functions, {});
        break;
      case 'IndexScan':
        checkExprs(p, [...tl, ...p.qual, ...p.indexqualorig], { scan: p.scanrelid });
        checkExprs(p, p.indexqual, { scan: p.scanrelid, index: 32 });
        break;
      case 'IndexOnlyScan':
        checkExprs(p, [...tl, ...p.qual], { index: p.indextlist.length });
        checkExprs(p, p.indexqualorig, { scan: p.scanrelid });
        break;
      case 'BitmapHeapScan':
        checkExprs(p, [...tl, ...p.qual, ...p.bitmapqualorig], { scan: p.scanrelid });
        break;
      case 'BitmapIndexScan':
        checkExprs(p, p.indexqualorig, { scan: p.scanrelid });
        break;
      case 'NestLoop': case 'MergeJoin': case 'HashJoin': {
        const inner = p.type === 'HashJoin' ? p.righttree : p.righttree;
        const allowed = { outer: p.lefttree, inner };
        checkExprs(p, [...tl, ...p.qual, ...p.joinqual], allowed);
        if (p.type === 'HashJoin') checkExprs(p, p.hashclauses, allowed);
        if (p.type === 'MergeJoin') checkExprs(p, p.mergeclauses, allowed);
        if (p.type === 'NestLoop') checkExprs(p, p.nestParams.map((np) => np.paramval), { outer: p.lefttree });
        break;
      }
      case 'ModifyTable':
        checkExprs(p, p.returningLists.flat().map((t) => t.expr), { outer: p.lefttree, result: p.nominalRelation });
        break;
      case 'Result': {
        // A Result proven empty (One-Time Filter: false) never computes its columns: they may name the relation it replaced, as in PostgreSQL.
        const neverRuns = p.lefttree === null && p.resconstantqual !== null && p.resconstantqual.type === 'Const' && p.resconstantqual.constvalue === false;
        checkExprs(p, [...tl, ...p.qual], { outer: p.lefttree, anyRel: neverRuns });
        break;
      }
      case 'Append': case 'MergeAppend': case 'RecursiveUnion': {
        const first = p.type === 'Append' ? p.appendplans[0] : p.type === 'MergeAppend' ? p.mergeplans[0] : p.lefttree;
        checkExprs(p, tl, { outer: first ?? null });
        break;
      }
      default:
        checkExprs(p, [...tl, ...p.qual], { outer: p.lefttree });
    }
    if (p.type === 'Sort') colsIn(p, p.lefttree, p.sortColIdx, 'sort');
    if (p.type === 'Agg' || p.type === 'Group') colsIn(p, p.lefttree, p.grpColIdx, 'group');
    if (p.type === 'Unique') colsIn(p, p.lefttree, p.uniqColIdx, 'unique');
    if (p.type === 'WindowAgg') {
      colsIn(p, p.lefttree, p.partColIdx, 'partition');
      colsIn(p, p.lefttree, p.ordColIdx, 'order');
    }
    visit(p.lefttree);
    visit(p.righttree);
    if (p.type === 'Append') p.appendplans.forEach(visit);
    if (p.type === 'MergeAppend') p.mergeplans.forEach(visit);
    if (p.type === 'SubqueryScan') visit(p.subplan);
  };
  visit(stmt.planTree);
  stmt.subplans.forEach(visit);
}
