/*
 * createplan.ts — turning the chosen Path tree into a Plan tree (PostgreSQL's
 * optimizer/plan/createplan.c).
 *
 * Exports: createPlan(root, path), makeTle, makeSortFromPathkeys,
 * isProjectionCapable, applyTlist, makeGatingResult.
 *
 * Plan nodes are object literals with every field written out, the Plan
 * fields (costs, targetlist, qual, children) right after `type`, as
 * PostgreSQL's make_xxx functions set them. Not `{ ...common, own }`:
 * copying properties from a spread costs V8 (Node 20) a runtime call per
 * node, and with the spread first, tens of microseconds per node (each
 * literal's hidden class is rebuilt property by property).
 *
 * Plans made here still use the query's own Vars (varno = range-table
 * index) everywhere; setrefs.ts later turns references to child outputs into
 * OUTER_VAR / INNER_VAR and index columns into INDEX_VAR. The exceptions made
 * here: an index condition's left side is already an INDEX_VAR (the index
 * column it constrains), and a parameterized inner path's references to the
 * outer relation are PARAM_EXEC Params filled by the NestLoop (nestParams).
 */

import type { Expr, Param, TargetEntry, Var } from '../../nodes/primnodes.ts';
import { INDEX_VAR } from '../../nodes/primnodes.ts';
import { exprType, exprTypmod } from '../../nodes/nodeFuncs.ts';
import type {
  Agg, Unique, BitmapHeapScan, BitmapIndexScan, CteScan, FunctionScan, Hash, HashJoin, IndexOnlyScan, IndexScan, Material, MergeJoin,
  NestLoop, NestLoopParam, Plan, Result, SeqScan, Sort, SubqueryScan, ValuesScan, WorkTableScan,
} from '../../nodes/plannodes.ts';
import type { IndexPath, Path, PathKey, PlannerInfo, Relids, RestrictInfo } from '../pathnodes.ts';
import { relidsIsSubset } from '../pathnodes.ts';
import { clampRowEst, costExprEval, costSort } from '../path/costsize.ts';
import { pathkeyExprFor, pathkeySortOp } from '../path/pathkeys.ts';
import { eclassOf } from '../path/equivclass.ts';
import { equalExpr, mutateExpr } from '../util/exprwalk.ts';
import { clauseSidesMatch } from '../util/restrictinfo.ts';
import { btreeEqOpForType, btreeLtOpForType, getCommutator, getOperator } from '../util/lsyscache.ts';
import { pullVarnos } from '../util/var.ts';
import { findCtePlan } from './planner.ts';
import { exprWidth } from '../util/relnode.ts';

export function makeTle(expr: Expr, resno: number, resname: string | null = null, resjunk = false): TargetEntry {
  return { type: 'TargetEntry', expr, resno, resname, ressortgroupref: 0, resorigtbl: 0, resorigcol: 0, resjunk };
}


const tlistFrom = (exprs: Expr[]): TargetEntry[] => exprs.map((e, i) => makeTle(e, i + 1));

/** Nodes that can compute arbitrary output expressions (the rest pass their input through). */
export function isProjectionCapable(p: Plan): boolean {
  switch (p.type) {
    case 'Hash': case 'Material': case 'Sort': case 'Unique': case 'SetOp': case 'LockRows': case 'Limit':
    case 'ModifyTable': case 'Append': case 'MergeAppend': case 'RecursiveUnion':
      return false;
    default:
      return true;
  }
}

/** Makes `plan` output `tlist`: in place when it can project, else under a Result (change_plan_targetlist). */
export function applyTlist(root: PlannerInfo, plan: Plan, tlist: TargetEntry[], width: number): Plan {
  // Computing the new output expressions costs per row what they cost beyond the old ones (apply_scanjoin_target_to_paths).
  const newCost = tlistEvalCost(root, tlist);
  if (isProjectionCapable(plan)) {
    const oldCost = tlistEvalCost(root, plan.targetlist);
    plan.startup_cost += newCost.startup - oldCost.startup;
    plan.total_cost += newCost.startup - oldCost.startup + (newCost.per_tuple - oldCost.per_tuple) * plan.plan_rows;
    plan.targetlist = tlist;
    plan.plan_width = width;
    return plan;
  }
  const c = root.glob.cost;
  const r: Result = {
    type: 'Result',
    startup_cost: plan.startup_cost + newCost.startup, total_cost: plan.total_cost + newCost.startup + (c.cpu_tuple_cost + newCost.per_tuple) * plan.plan_rows, plan_rows: plan.plan_rows, plan_width: width, plan_node_id: 0,
    targetlist: tlist, qual: [], righttree: null, initPlan: [],
    resconstantqual: null, lefttree: plan,
  };
  return r;
}

function tlistEvalCost(root: PlannerInfo, tlist: TargetEntry[]): { startup: number; per_tuple: number } {
  const acc = { startup: 0, per_tuple: 0 };
  for (const t of tlist) costExprEval(root, t.expr, acc);
  return acc;
}

/** A Result gating a plan on quals without Vars (One-Time Filter). */
export function makeGatingResult(plan: Plan, quals: Expr[]): Plan {
  const resconstantqual = quals.length === 1 ? quals[0] : { type: 'BoolExpr' as const, boolop: 'AND_EXPR' as const, args: quals, location: -1 };
  return {
    type: 'Result',
    startup_cost: plan.startup_cost, total_cost: plan.total_cost, plan_rows: plan.plan_rows, plan_width: plan.plan_width, plan_node_id: 0,
    targetlist: plan.targetlist.map((t) => ({ ...t })), qual: [], righttree: null, initPlan: [],
    resconstantqual, lefttree: plan,
  };
}

/** Allocates a PARAM_EXEC slot (SS_assign_special_param / assign_param_for_var). */
export function newExecParam(root: PlannerInfo, typ: number): number {
  root.glob.paramExecTypes.push(typ);
  return root.glob.paramExecTypes.length - 1;
}

/** Outer Vars that parameterized inner scans read, as Params, collected until their NestLoop takes them. */
interface NestLoopParamCtx { params: { param: Param; v: Var }[] }
const nlpCtx = new WeakMap<PlannerInfo, NestLoopParamCtx>();
function curParams(root: PlannerInfo): NestLoopParamCtx {
  let c = nlpCtx.get(root);
  if (c === undefined) {
    c = { params: [] };
    nlpCtx.set(root, c);
  }
  return c;
}

/** Replaces Vars not of `self` with NestLoop Params (replace_nestloop_params). */
function replaceNestloopParams(root: PlannerInfo, e: Expr, self: Relids): Expr {
  return mutateExpr(e, (n) => {
    if (n.type === 'Var' && n.varlevelsup === 0 && n.varno > 0 && !relidsIsSubset(pullVarnos(n), self)) {
      const ctx = curParams(root);
      const key = `${n.varno}/${n.varattno}`;
      const found = ctx.params.find((p) => `${p.v.varno}/${p.v.varattno}` === key);
      if (found !== undefined) return found.param;
      const param: Param = { type: 'Param', paramkind: 'PARAM_EXEC', paramid: newExecParam(root, n.vartype), paramtype: n.vartype, paramtypmod: n.vartypmod, location: -1 };
      ctx.params.push({ param, v: n });
      return param;
    }
    return undefined;
  });
}

function stripRelabel(e: Expr): Expr {
  while (e.type === 'RelabelType') e = e.arg;
  return e;
}

/** The index condition with its column side as an INDEX_VAR (fix_indexqual_references). */
function fixIndexqual(ip: IndexPath, e: Expr, indexcol: number): Expr {
  const col = ip.indexinfo.indexkeys[indexcol];
  const rti = ip.parent.relid;
  const toIndexVar = (x: Expr): Expr => {
    const s = stripRelabel(x);
    if (s.type === 'Var' && s.varno === rti && s.varattno === col) return { ...s, varno: INDEX_VAR, varattno: indexcol + 1 };
    return x;
  };
  switch (e.type) {
    case 'OpExpr': return { ...e, args: [toIndexVar(e.args[0]), e.args[1]] };
    case 'ScalarArrayOpExpr': return { ...e, args: [toIndexVar(e.args[0]), e.args[1]] };
    case 'NullTest': return { ...e, arg: toIndexVar(e.arg) };
    default: return e;
  }
}

/** Cheaper clauses first, keeping the given order among equals (order_qual_clauses). */
function orderQualClauses(root: PlannerInfo, quals: Expr[]): Expr[] {
  if (quals.length < 2) return quals;
  const costed = quals.map((q, i) => ({ q, i, c: costExprEval(root, q).per_tuple }));
  costed.sort((a, b) => a.c - b.c || a.i - b.i);
  return costed.map((x) => x.q);
}

let currentRoot: PlannerInfo | null = null;
const rinfoClauses = (ris: RestrictInfo[]): Expr[] => (currentRoot === null ? ris.map((r) => r.clause) : orderQualClauses(currentRoot, ris.map((r) => r.clause)));

/** The relation's needed columns, or with `physical` every column in order (use_physical_tlist: no projection work in the scan). */
function relTlist(path: Path, physical = false): TargetEntry[] {
  const rel = path.parent;
  if (physical && rel.reloptkind === 'RELOPT_BASEREL' && rel.reltarget.every((e) => e.type === 'Var' && e.varattno > 0)) {
    const rte = currentRoot?.parse.rtable[rel.relid - 1];
    const cols: Var[] = [];
    if (rel.relinfo !== null) {
      for (const a of rel.relinfo.attrs) {
        if (a.attisdropped) return tlistFrom(rel.reltarget);
        cols.push({ type: 'Var', varno: rel.relid, varattno: a.attnum, vartype: a.atttypid, vartypmod: a.atttypmod, varlevelsup: 0, location: -1 });
      }
    } else if (rte !== undefined && rte.coltypes.length === rte.eref.colnames.length && rte.coltypes.length > 0) {
      rte.coltypes.forEach((t, i) => cols.push({ type: 'Var', varno: rel.relid, varattno: i + 1, vartype: t, vartypmod: rte.coltypmods[i] ?? -1, varlevelsup: 0, location: -1 }));
    } else {
      return tlistFrom(rel.reltarget);
    }
    return tlistFrom(cols);
  }
  return tlistFrom(rel.reltarget);
}

function createIndexScanPlan(root: PlannerInfo, ip: IndexPath, physical: boolean): IndexScan | IndexOnlyScan {
  const rel = ip.parent;
  const self = rel.relids;
  const used = new Set(ip.indexclauses.map((ic) => ic.rinfo));
  const qual = orderQualClauses(root, rel.baserestrictinfo.filter((ri) => !used.has(ri)).map((ri) => ri.clause));
  const indexqualorig = ip.indexclauses.map((ic) => replaceNestloopParams(root, ic.clause, self));
  const indexqual = ip.indexclauses.map((ic, i) => fixIndexqual(ip, indexqualorig[i], ic.indexcol));
  const tlist = relTlist(ip, physical);
  const filter = qual.map((q) => replaceNestloopParams(root, q, self));
  if (ip.pathtype === 'IndexOnlyScan') {
    const attrs = rel.relinfo?.attrs ?? [];
    const indextlist = ip.indexinfo.indexkeys.map((k, i) => {
      const a = attrs[k - 1];
      const v: Var = { type: 'Var', varno: rel.relid, varattno: k, vartype: a?.atttypid ?? 0, vartypmod: a?.atttypmod ?? -1, varlevelsup: 0, location: -1 };
      return makeTle(v, i + 1, a?.attname ?? null);
    });
    return {
      type: 'IndexOnlyScan',
      startup_cost: ip.startup_cost, total_cost: ip.total_cost, plan_rows: ip.rows, plan_width: rel.width, plan_node_id: 0,
      targetlist: tlist, qual: filter, lefttree: null, righttree: null, initPlan: [],
      scanrelid: rel.relid, indexid: ip.indexinfo.indexoid, indexqual, indexqualorig, indextlist, indexorderdir: ip.indexorderdir,
    };
  }
  return {
    type: 'IndexScan',
    startup_cost: ip.startup_cost, total_cost: ip.total_cost, plan_rows: ip.rows, plan_width: rel.width, plan_node_id: 0,
    targetlist: tlist, qual: filter, lefttree: null, righttree: null, initPlan: [],
    scanrelid: rel.relid, indexid: ip.indexinfo.indexoid, indexqual, indexqualorig, indexorderdir: ip.indexorderdir,
  };
}

/** Puts a clause `a op b` in the orientation outer op inner (get_switched_clauses). */
function switchToOuterFirst(ri: RestrictInfo, outer: Relids, inner: Relids): Expr {
  const c = ri.clause;
  if (c.type !== 'OpExpr') return c;
  const side = clauseSidesMatch(ri, outer, inner);
  if (side !== false) return c;
  const com = getCommutator(c.opno);
  const comOp = com === 0 ? null : getOperator(com);
  if (comOp === null) return c;
  return { ...c, opno: com, opfuncid: comOp.oprcode, args: [c.args[1], c.args[0]] };
}

/** Finds or adds the sort columns for pathkeys in plan's target list (prepare_sort_from_pathkeys), and builds the Sort. */
export function makeSortFromPathkeys(root: PlannerInfo, input: Plan, pathkeys: PathKey[], relids: Relids, limitTuples: number): Sort {
  let plan = input;
  const sortColIdx: number[] = [];
  const sortOperators: number[] = [];
  const nullsFirst: boolean[] = [];
  for (const pk of pathkeys) {
    const ec = eclassOf(root, pk.ec);
    let idx = plan.targetlist.findIndex((t) => {
      const te = stripRelabel(t.expr);
      return ec.members.some((m) => equalExpr(m.expr, te));
    });
    let expr: Expr;
    if (idx < 0) {
      const e = pathkeyExprFor(root, pk, relids);
      if (e === null) throw new Error('could not find pathkey item to sort');
      if (!isProjectionCapable(plan)) plan = applyTlist(root, plan, plan.targetlist.map((t) => ({ ...t })), plan.plan_width);
      plan.targetlist = [...plan.targetlist, makeTle(e, plan.targetlist.length + 1, null, true)];
      idx = plan.targetlist.length - 1;
      expr = e;
    } else {
      expr = plan.targetlist[idx].expr;
    }
    sortColIdx.push(idx + 1);
    sortOperators.push(pathkeySortOp(pk, exprType(expr)));
    nullsFirst.push(pk.nulls_first);
  }
  const c = costSort(root, plan.total_cost, plan.plan_rows, plan.plan_width, limitTuples);
  return {
    type: 'Sort',
    startup_cost: c.startup_cost, total_cost: c.total_cost, plan_rows: plan.plan_rows, plan_width: plan.plan_width, plan_node_id: 0,
    targetlist: plan.targetlist.map((t) => ({ ...t })), qual: [], righttree: null, initPlan: [],
    lefttree: plan, numCols: sortColIdx.length, sortColIdx, sortOperators, nullsFirst,
  };
}

/** The Plan for a Path (create_plan_recurse). */
/**
 * The Plan for a Path (create_plan_recurse). `small` asks for only the
 * needed columns (CP_SMALL_TLIST: the input of a Hash, Sort or Materialize,
 * which store rows); otherwise a base-relation scan returns every column,
 * which costs it no projection.
 */
export function createPlan(root: PlannerInfo, path: Path, small = false): Plan {
  currentRoot = root;
  const rel = path.parent;
  const physical = !small;
  switch (path.pathtype) {
    case 'SeqScan': {
      const p: SeqScan = {
        type: 'SeqScan',
        startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: rel.width, plan_node_id: 0,
        targetlist: relTlist(path, physical), qual: rinfoClauses(rel.baserestrictinfo), lefttree: null, righttree: null, initPlan: [],
        scanrelid: rel.relid,
      };
      return p;
    }
    case 'IndexScan':
    case 'IndexOnlyScan':
      return createIndexScanPlan(root, path, physical && path.pathtype === 'IndexScan');
    case 'BitmapHeapScan': {
      const ip = path.bitmapqual;
      const self = rel.relids;
      const indexqualorig = ip.indexclauses.map((ic) => replaceNestloopParams(root, ic.clause, self));
      const indexqual = ip.indexclauses.map((ic, i) => fixIndexqual(ip, indexqualorig[i], ic.indexcol));
      const bis: BitmapIndexScan = {
        type: 'BitmapIndexScan',
        startup_cost: 0, total_cost: ip.indextotalcost, plan_rows: clampRowEst(ip.indexselectivity * rel.tuples), plan_width: 0, plan_node_id: 0,
        targetlist: [], qual: [], lefttree: null, righttree: null, initPlan: [],
        scanrelid: rel.relid, indexid: ip.indexinfo.indexoid, indexqual, indexqualorig,
      };
      const used = new Set(ip.indexclauses.map((ic) => ic.rinfo));
      const qual = orderQualClauses(root, rel.baserestrictinfo.filter((ri) => !used.has(ri)).map((ri) => replaceNestloopParams(root, ri.clause, self)));
      const p: BitmapHeapScan = {
        type: 'BitmapHeapScan',
        startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: rel.width, plan_node_id: 0,
        targetlist: relTlist(path, physical), qual: qual, righttree: null, initPlan: [],
        scanrelid: rel.relid, bitmapqualorig: indexqualorig, lefttree: bis,
      };
      return p;
    }
    case 'SubqueryScan': {
      const sub = rel.subplan as Plan;
      const p: SubqueryScan = {
        type: 'SubqueryScan',
        startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: rel.width, plan_node_id: 0,
        targetlist: relTlist(path, physical), qual: rinfoClauses(rel.baserestrictinfo), lefttree: null, righttree: null, initPlan: [],
        scanrelid: rel.relid, subplan: sub,
      };
      return p;
    }
    case 'FunctionScan': {
      const rte = root.parse.rtable[rel.relid - 1];
      const p: FunctionScan = {
        type: 'FunctionScan',
        startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: rel.width, plan_node_id: 0,
        targetlist: relTlist(path, physical), qual: rinfoClauses(rel.baserestrictinfo), lefttree: null, righttree: null, initPlan: [],
        scanrelid: rel.relid, functions: rte.functions.map((f) => replaceNestloopParams(root, f.funcexpr, rel.relids)), funcordinality: rte.funcordinality,
      };
      return p;
    }
    case 'ValuesScan': {
      const rte = root.parse.rtable[rel.relid - 1];
      const p: ValuesScan = {
        type: 'ValuesScan',
        startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: rel.width, plan_node_id: 0,
        targetlist: relTlist(path, physical), qual: rinfoClauses(rel.baserestrictinfo), lefttree: null, righttree: null, initPlan: [],
        scanrelid: rel.relid, values_lists: rte.values_lists,
      };
      return p;
    }
    case 'CteScan': {
      const rte = root.parse.rtable[rel.relid - 1];
      const cte = findCtePlan(root, rte);
      const p: CteScan = {
        type: 'CteScan',
        startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: rel.width, plan_node_id: 0,
        targetlist: relTlist(path, physical), qual: rinfoClauses(rel.baserestrictinfo), lefttree: null, righttree: null, initPlan: [],
        scanrelid: rel.relid, ctePlanId: cte.planId, cteParam: cte.param,
      };
      return p;
    }
    case 'WorkTableScan': {
      const rte = root.parse.rtable[rel.relid - 1];
      const cte = findCtePlan(root, rte);
      const p: WorkTableScan = {
        type: 'WorkTableScan',
        startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: rel.width, plan_node_id: 0,
        targetlist: relTlist(path, physical), qual: rinfoClauses(rel.baserestrictinfo), lefttree: null, righttree: null, initPlan: [],
        scanrelid: rel.relid, wtParam: cte.param,
      };
      return p;
    }
    case 'Result': {
      const p: Result = {
        type: 'Result',
        startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: rel.width, plan_node_id: 0,
        targetlist: relTlist(path), qual: rinfoClauses(rel.baserestrictinfo), lefttree: null, righttree: null, initPlan: [],
        resconstantqual: null,
      };
      return p;
    }
    case 'Unique': {
      const sub = createPlan(root, path.subpath, true);
      const uniq = path.uniq_exprs.map(stripRelabel);
      const position = (e: Expr): number => sub.targetlist.findIndex((t) => equalExpr(stripRelabel(t.expr), e));
      for (const [i, e] of path.uniq_exprs.entries()) {
        if (position(uniq[i]) < 0) sub.targetlist = [...sub.targetlist, makeTle(e, sub.targetlist.length + 1, null, true)];
      }
      const cols = uniq.map((e) => position(e) + 1);
      const eqops = path.uniq_exprs.map((e) => btreeEqOpForType(exprType(e)));
      const tl = sub.targetlist.map((t) => ({ ...t }));
      if (path.hashed) {
        const agg: Agg = {
          type: 'Agg',
          startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: sub.plan_width, plan_node_id: 0,
          targetlist: tl, qual: [], righttree: null, initPlan: [],
          aggstrategy: 'AGG_HASHED',
          aggsplit: 'AGGSPLIT_SIMPLE', numCols: cols.length, grpColIdx: cols, grpOperators: eqops, numGroups: path.numGroups, lefttree: sub,
        };
        return agg;
      }
      const sortCost = costSort(root, sub.total_cost, sub.plan_rows, sub.plan_width, -1);
      const sort: Sort = {
        type: 'Sort',
        startup_cost: sortCost.startup_cost, total_cost: sortCost.total_cost, plan_rows: sub.plan_rows, plan_width: sub.plan_width, plan_node_id: 0,
        targetlist: sub.targetlist.map((t) => ({ ...t })), qual: [], righttree: null, initPlan: [],
        numCols: cols.length, sortColIdx: cols, sortOperators: path.uniq_exprs.map((e) => btreeLtOpForType(exprType(e))), nullsFirst: cols.map(() => false), lefttree: sub,
      };
      const u: Unique = {
        type: 'Unique',
        startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: sub.plan_width, plan_node_id: 0,
        targetlist: tl, qual: [], righttree: null, initPlan: [],
        numCols: cols.length, uniqColIdx: cols, uniqOperators: eqops, lefttree: sort,
      };
      return u;
    }
    case 'Material': {
      const sub = createPlan(root, path.subpath, true);
      const p: Material = {
        type: 'Material',
        startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: sub.plan_width, plan_node_id: 0,
        targetlist: sub.targetlist.map((t) => ({ ...t })), qual: [], righttree: null, initPlan: [],
        lefttree: sub,
      };
      return p;
    }
    case 'Sort': {
      const sub = createPlan(root, path.subpath, true);
      const s = makeSortFromPathkeys(root, sub, path.pathkeys, path.subpath.parent.relids, -1);
      return s;
    }
    case 'NestLoop': {
      const outer = createPlan(root, path.outerjoinpath);
      const ctx = curParams(root);
      const before = ctx.params.length;
      const inner = createPlan(root, path.innerjoinpath);
      const outerRelids = path.outerjoinpath.parent.relids;
      const mine = ctx.params.slice(before).filter((p) => relidsIsSubset(pullVarnos(p.v), outerRelids));
      ctx.params = ctx.params.filter((p) => !mine.includes(p));
      const nestParams: NestLoopParam[] = mine.map((p) => ({ type: 'NestLoopParam', paramno: p.param.paramid, paramval: p.v }));
      const { joinqual, otherqual } = splitJoinQuals(path.jointype, path.joinrestrictinfo);
      const p: NestLoop = {
        type: 'NestLoop',
        startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: rel.width, plan_node_id: 0,
        targetlist: relTlist(path), qual: otherqual, initPlan: [],
        jointype: path.jointype, inner_unique: path.inner_unique, joinqual, nestParams, lefttree: outer, righttree: inner,
      };
      return p;
    }
    case 'HashJoin': {
      const outer = createPlan(root, path.outerjoinpath, path.num_batches > 1);
      const inner = createPlan(root, path.innerjoinpath, true);
      const o = path.outerjoinpath.parent.relids;
      const i = path.innerjoinpath.parent.relids;
      const hashclauses = path.path_hashclauses.map((ri) => switchToOuterFirst(ri, o, i));
      const rest = path.joinrestrictinfo.filter((ri) => !path.path_hashclauses.includes(ri));
      const { joinqual, otherqual } = splitJoinQuals(path.jointype, rest);
      const hashkeys = hashclauses.map((c) => (c.type === 'OpExpr' ? c.args[0] : c));
      const innerkeys = hashclauses.map((c) => (c.type === 'OpExpr' ? c.args[1] : c));
      const hash: Hash = {
        type: 'Hash',
        startup_cost: inner.total_cost, total_cost: inner.total_cost, plan_rows: inner.plan_rows, plan_width: inner.plan_width, plan_node_id: 0,
        targetlist: inner.targetlist.map((t) => ({ ...t })), qual: [], righttree: null, initPlan: [],
        hashkeys: innerkeys, rows_total: path.inner_rows_total, lefttree: inner,
      };
      const p: HashJoin = {
        type: 'HashJoin',
        startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: rel.width, plan_node_id: 0,
        targetlist: relTlist(path), qual: otherqual, initPlan: [],
        jointype: path.jointype, inner_unique: path.inner_unique, joinqual,
        hashclauses, hashoperators: hashclauses.map((c) => (c.type === 'OpExpr' ? c.opno : 0)), hashkeys,
        lefttree: outer, righttree: hash,
      };
      return p;
    }
    case 'MergeJoin': {
      let outer = createPlan(root, path.outerjoinpath, path.outersortkeys.length > 0);
      let inner = createPlan(root, path.innerjoinpath, path.innersortkeys.length > 0);
      const o = path.outerjoinpath.parent.relids;
      const i = path.innerjoinpath.parent.relids;
      if (path.outersortkeys.length > 0) outer = makeSortFromPathkeys(root, outer, path.outersortkeys, o, -1);
      if (path.innersortkeys.length > 0) inner = makeSortFromPathkeys(root, inner, path.innersortkeys, i, -1);
      if (path.materialize_inner) {
        const m: Material = {
          type: 'Material',
          startup_cost: inner.startup_cost, total_cost: inner.total_cost, plan_rows: inner.plan_rows, plan_width: inner.plan_width, plan_node_id: 0,
          targetlist: inner.targetlist.map((t) => ({ ...t })), qual: [], righttree: null, initPlan: [],
          lefttree: inner,
        };
        inner = m;
      }
      const mergeclauses = path.path_mergeclauses.map((ri) => switchToOuterFirst(ri, o, i));
      const rest = path.joinrestrictinfo.filter((ri) => !path.path_mergeclauses.includes(ri));
      const { joinqual, otherqual } = splitJoinQuals(path.jointype, rest);
      const p: MergeJoin = {
        type: 'MergeJoin',
        startup_cost: path.startup_cost, total_cost: path.total_cost, plan_rows: path.rows, plan_width: rel.width, plan_node_id: 0,
        targetlist: relTlist(path), qual: otherqual, initPlan: [],
        jointype: path.jointype, inner_unique: path.inner_unique, joinqual,
        mergeclauses, mergeReversed: mergeclauses.map(() => false), mergeNullsFirst: mergeclauses.map(() => false),
        lefttree: outer, righttree: inner,
      };
      return p;
    }
  }
}

/** An outer join's own ON clauses are its join quals; pushed-down clauses filter its output. Inner joins have only join quals. */
function splitJoinQuals(jointype: string, ris: RestrictInfo[]): { joinqual: Expr[]; otherqual: Expr[] } {
  if (jointype === 'JOIN_INNER') return { joinqual: ris.map((r) => r.clause), otherqual: [] };
  return { joinqual: ris.filter((r) => !r.is_pushed_down).map((r) => r.clause), otherqual: ris.filter((r) => r.is_pushed_down).map((r) => r.clause) };
}

/** Width of a target list (set_pathtarget_cost_width). */
export function tlistWidth(root: PlannerInfo, tlist: TargetEntry[]): number {
  let w = 0;
  for (const t of tlist) w += exprWidth(root, t.expr);
  return w;
}

export { exprTypmod };
