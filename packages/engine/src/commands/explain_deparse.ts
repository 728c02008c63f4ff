/*
 * explain_deparse.ts — printing plan expressions as SQL for EXPLAIN
 * (the part of PostgreSQL's utils/adt/ruleutils.c that deparse_expression
 * uses for plans): operator expressions in parentheses, constants with a
 * type label unless their type is obvious (`'abc'::text`, `1`, `1.5`),
 * casts as `(x)::type`, Vars resolved through OUTER_VAR / INNER_VAR /
 * INDEX_VAR to the child plan column they name, NestLoop parameters as the
 * outer column they carry, and subplans as `(SubPlan 1)` / `(InitPlan 1).col1`.
 *
 * Exports: DeparseContext, deparseExpr, formatType, quoteIdentifier.
 *
 * Owned by the planner engineer beside commands/explain.ts (EXPLAIN is the
 * only user).
 */

import type { RangeTblEntry } from '../nodes/parsenodes.ts';
import type { NestLoop, Plan, PlannedStmt } from '../nodes/plannodes.ts';
import type { Const, Expr, SubPlan, Var } from '../nodes/primnodes.ts';
import { INDEX_VAR, INNER_VAR, OUTER_VAR } from '../nodes/primnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { typeByOid } from '../utils/adt/types.ts';
import { lookupKeyword } from '../parser/kwlist.ts';
import { findFunctionByOid, lookupOperatorByOid } from '../utils/fmgr/fmgrtab.ts';

/** Where a plan expression is printed: the node, its ancestors (for NestLoop params) and the names of range-table entries. */
export interface DeparseContext {
  stmt: PlannedStmt;
  /** Refname per rtindex (index 0 unused). */
  rtNames: string[];
  plan: Plan;
  /** Outer plan nodes, nearest first (for NestLoop parameters). */
  ancestors: Plan[];
  /** Qualify column names with their relation's name. */
  useprefix: boolean;
  /** Print implicit casts (inside operator and function arguments). */
  showimplicit?: boolean;
}

/** quote_identifier: bare when lower-case, simple and not a reserved word. */
export function quoteIdentifier(s: string): string {
  const simple = /^[a-z_][a-z0-9_$]*$/.test(s);
  if (simple) {
    const kw = lookupKeyword(s);
    if (kw === undefined || kw.category === 'U') return s;
  }
  return `"${s.replace(/"/g, '""')}"`;
}

const TYPE_NAMES = new Map<number, string>([
  [16, 'boolean'], [17, 'bytea'], [18, '"char"'], [19, 'name'], [20, 'bigint'], [21, 'smallint'], [23, 'integer'], [25, 'text'], [26, 'oid'],
  [27, 'tid'], [114, 'json'], [700, 'real'], [701, 'double precision'], [705, 'unknown'], [1042, 'character'], [1043, 'character varying'],
  [1082, 'date'], [1083, 'time without time zone'], [1266, 'time with time zone'], [1114, 'timestamp without time zone'], [1184, 'timestamp with time zone'],
  [1186, 'interval'], [1700, 'numeric'], [2205, 'regclass'], [2206, 'regtype'], [2249, 'record'], [2950, 'uuid'], [3802, 'jsonb'],
]);

/** format_type_with_typmod for the built-in types. */
export function formatType(oid: number, typmod: number): string {
  const base = TYPE_NAMES.get(oid);
  if (base !== undefined) {
    if (typmod >= 0) {
      if (oid === 1043 || oid === 1042) return `${base}(${typmod - 4})`;
      if (oid === 1700) return `numeric(${((typmod - 4) >> 16) & 0xffff},${(typmod - 4) & 0xffff})`;
      if (oid === 1114 || oid === 1184) return base.replace('timestamp', `timestamp(${typmod})`);
      if (oid === 1083 || oid === 1266) return base.replace('time', `time(${typmod})`);
    }
    return base;
  }
  const t = typeByOid(oid) as { name: string; elemtype?: number; typelem?: number } | undefined;
  if (t !== undefined) {
    const elem = t.typelem ?? t.elemtype ?? 0;
    if (t.name.startsWith('_') && elem !== 0) return `${formatType(elem, typmod)}[]`;
    if (t.name.startsWith('_')) {
      const e = [...TYPE_NAMES.keys()].find((k) => typeByOid(k)?.name === t.name.slice(1));
      if (e !== undefined) return `${formatType(e, typmod)}[]`;
    }
    return quoteIdentifier(t.name);
  }
  return `type ${oid}`;
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function outputValue(c: Const): string {
  const t = typeByOid(c.consttype);
  if (t !== undefined) {
    try {
      return t.output(c.constvalue as never);
    } catch {
      return String(c.constvalue);
    }
  }
  return String(c.constvalue);
}

/** get_const_expr. */
function deparseConst(c: Const, showtype: number): string {
  if (c.constisnull) return showtype >= 0 ? `NULL::${formatType(c.consttype, c.consttypmod)}` : 'NULL';
  const v = outputValue(c);
  let out: string;
  let needlabel = true;
  switch (c.consttype) {
    case 23:
      if (!v.startsWith('-')) {
        out = v;
        needlabel = false;
      } else out = quoteLiteral(v);
      break;
    case 1700:
      if (/^[0-9]/.test(v) && /[eE.]/.test(v)) {
        out = v;
        needlabel = c.consttypmod >= 0;
      } else out = quoteLiteral(v);
      break;
    case 16:
      out = v === 't' ? 'true' : v === 'f' ? 'false' : v;
      needlabel = false;
      break;
    case 705:
      out = quoteLiteral(v);
      needlabel = false;
      break;
    default:
      out = quoteLiteral(v);
  }
  if (showtype < 0) return out;
  if (needlabel || showtype > 0) out += `::${formatType(c.consttype, c.consttypmod)}`;
  return out;
}

function rteColname(rte: RangeTblEntry | undefined, attno: number): string {
  if (attno === -1) return 'ctid';
  if (attno === 0) return '*';
  const n = rte?.eref.colnames[attno - 1];
  return n === undefined || n === '' ? `?column${attno}?` : n;
}

function childFor(plan: Plan, varno: number): Plan | null {
  if (varno === OUTER_VAR) {
    if (plan.type === 'Append') return plan.appendplans[0] ?? null;
    if (plan.type === 'MergeAppend') return plan.mergeplans[0] ?? null;
    return plan.lefttree;
  }
  if (varno === INNER_VAR) return plan.righttree;
  return null;
}

function deparseVar(v: Var, ctx: DeparseContext): string {
  if (v.varno === OUTER_VAR || v.varno === INNER_VAR) {
    const child = childFor(ctx.plan, v.varno);
    const tle = child?.targetlist[v.varattno - 1];
    if (child === null || tle === undefined) return `?${v.varno}.${v.varattno}?`;
    const inner = deparseInner(tle.expr, { ...ctx, plan: child, ancestors: [ctx.plan, ...ctx.ancestors] }, true);
    // The caller took this for a simple column: an expression it stands for gets parentheses (get_variable).
    return tle.expr.type === 'Var' ? inner : `(${inner})`;
  }
  if (v.varno === INDEX_VAR) {
    if (ctx.plan.type === 'IndexOnlyScan') {
      const tle = ctx.plan.indextlist[v.varattno - 1];
      if (tle !== undefined) return deparseInner(tle.expr, ctx, true);
    }
    return `?index.${v.varattno}?`;
  }
  const rte = ctx.stmt.rtable[v.varno - 1];
  const col = quoteIdentifier(rteColname(rte, v.varattno));
  if (v.varattno === 0) return quoteIdentifier(ctx.rtNames[v.varno] ?? '?') + '.*';
  return ctx.useprefix ? `${quoteIdentifier(ctx.rtNames[v.varno] ?? '?')}.${col}` : col;
}

function findNestParam(ctx: DeparseContext, paramid: number): { nl: NestLoop; val: Expr; ancestors: Plan[] } | null {
  for (let i = 0; i < ctx.ancestors.length; i++) {
    const a = ctx.ancestors[i];
    if (a.type === 'NestLoop') {
      const np = a.nestParams.find((p) => p.paramno === paramid);
      if (np !== undefined) return { nl: a, val: np.paramval, ancestors: ctx.ancestors.slice(i + 1) };
    }
  }
  return null;
}

/** A correlated SubPlan's parameter: the outer expression its args give it (find_param_referent). */
function findSubPlanArg(ctx: DeparseContext, paramid: number): { plan: Plan; val: Expr; ancestors: Plan[] } | null {
  for (let i = 0; i < ctx.ancestors.length; i++) {
    const a = ctx.ancestors[i];
    const exprs: Expr[] = [...a.targetlist.map((t) => t.expr), ...a.qual];
    if (a.type === 'NestLoop' || a.type === 'HashJoin' || a.type === 'MergeJoin') exprs.push(...a.joinqual);
    if (a.type === 'Result' && a.resconstantqual !== null) exprs.push(a.resconstantqual);
    for (const e of exprs) {
      const sp = findSubPlanWithParParam(e, paramid);
      if (sp !== null) return { plan: a, val: sp.args[sp.parParam.indexOf(paramid)], ancestors: ctx.ancestors.slice(i + 1) };
    }
  }
  return null;
}

function findSubPlanWithParParam(e: Expr, paramid: number): SubPlan | null {
  if (e.type === 'SubPlan' && e.parParam.includes(paramid)) return e;
  for (const c of childrenOf(e)) {
    const r = findSubPlanWithParParam(c, paramid);
    if (r !== null) return r;
  }
  return null;
}

function findInitPlanParam(ctx: DeparseContext, paramid: number): string | null {
  const visit = (p: Plan | null): string | null => {
    if (p === null) return null;
    for (const sp of p.initPlan) {
      const i = sp.setParam.indexOf(paramid);
      if (i >= 0 && sp.subLinkType !== 'CTE_SUBLINK') return `(${sp.plan_name}).col${i + 1}`;
    }
    return null;
  };
  for (const p of [ctx.plan, ...ctx.ancestors]) {
    const r = visit(p);
    if (r !== null) return r;
  }
  // Initplans of other levels (a subplan's): search the whole statement.
  const all: Plan[] = [ctx.stmt.planTree, ...ctx.stmt.subplans];
  const stack = [...all];
  while (stack.length > 0) {
    const p = stack.pop() as Plan;
    const r = visit(p);
    if (r !== null) return r;
    if (p.lefttree !== null) stack.push(p.lefttree);
    if (p.righttree !== null) stack.push(p.righttree);
    if (p.type === 'Append') stack.push(...p.appendplans);
    if (p.type === 'SubqueryScan') stack.push(p.subplan);
  }
  return null;
}

function subplanOutputParam(ctx: DeparseContext, paramid: number): string | null {
  // Params a SubPlan's testexpr reads from the subplan's output: (SubPlan n).colK
  const stack: Expr[] = [];
  const scan = (p: Plan): void => {
    for (const t of p.targetlist) stack.push(t.expr);
    stack.push(...p.qual);
  };
  scan(ctx.plan);
  for (const e of stack) {
    const found = findSubPlanWithParam(e, paramid);
    if (found !== null) return `(${found.useHashTable ? 'hashed ' : ''}${found.plan_name}).col${found.paramIds.indexOf(paramid) + 1}`;
  }
  return null;
}

function findSubPlanWithParam(e: Expr, paramid: number): SubPlan | null {
  if (e.type === 'SubPlan' && e.paramIds.includes(paramid)) return e;
  for (const c of childrenOf(e)) {
    const r = findSubPlanWithParam(c, paramid);
    if (r !== null) return r;
  }
  return null;
}

import { exprChildren as childrenOf } from '../optimizer/util/exprwalk.ts';

function opName(opno: number): string {
  try {
    return lookupOperatorByOid(opno).oprname;
  } catch {
    return `OPERATOR(${opno})`;
  }
}

function funcName(oid: number): string {
  const f = findFunctionByOid(oid);
  return f === undefined ? `function${oid}` : quoteIdentifier(f.proname);
}

function coercion(arg: Expr, ctx: DeparseContext, typ: number, typmod: number): string {
  if (arg.type === 'Const' && arg.consttype === typ && arg.consttypmod === -1) return `${deparseConst(arg, -1)}::${formatType(typ, typmod)}`;
  return `(${deparseInner(arg, ctx, false)})::${formatType(typ, typmod)}`;
}

const SVF: Record<string, string> = {
  SVFOP_CURRENT_DATE: 'CURRENT_DATE', SVFOP_CURRENT_TIME: 'CURRENT_TIME', SVFOP_CURRENT_TIMESTAMP: 'CURRENT_TIMESTAMP',
  SVFOP_LOCALTIME: 'LOCALTIME', SVFOP_LOCALTIMESTAMP: 'LOCALTIMESTAMP', SVFOP_CURRENT_ROLE: 'CURRENT_ROLE', SVFOP_CURRENT_USER: 'CURRENT_USER',
  SVFOP_USER: 'USER', SVFOP_SESSION_USER: 'SESSION_USER', SVFOP_CURRENT_CATALOG: 'CURRENT_CATALOG', SVFOP_CURRENT_SCHEMA: 'CURRENT_SCHEMA',
};

function deparseInner(e: Expr, ctx: DeparseContext, showimplicit: boolean): string {
  const sub = (x: Expr, implicit = true): string => deparseInner(x, ctx, implicit);
  switch (e.type) {
    case 'Var': return deparseVar(e, ctx);
    case 'Const': return deparseConst(e, 0);
    case 'Param': {
      if (e.paramkind === 'PARAM_EXEC') {
        // A parameter's referent is always printed with its relation's name.
        const nl = findNestParam(ctx, e.paramid);
        if (nl !== null) return deparseInner(nl.val, { ...ctx, plan: nl.nl, ancestors: nl.ancestors, useprefix: true }, showimplicit);
        const sa = findSubPlanArg(ctx, e.paramid);
        if (sa !== null) return deparseInner(sa.val, { ...ctx, plan: sa.plan, ancestors: sa.ancestors, useprefix: true }, showimplicit);
        const ip = findInitPlanParam(ctx, e.paramid);
        if (ip !== null) return ip;
        const sp = subplanOutputParam(ctx, e.paramid);
        if (sp !== null) return sp;
      }
      return `$${e.paramid}`;
    }
    case 'OpExpr': {
      const name = opName(e.opno);
      if (e.args.length === 1) return `(${name} ${sub(e.args[0])})`;
      return `(${sub(e.args[0])} ${name} ${sub(e.args[1])})`;
    }
    case 'DistinctExpr': return `(${sub(e.args[0])} IS DISTINCT FROM ${sub(e.args[1])})`;
    case 'NullIfExpr': return `NULLIF(${sub(e.args[0])}, ${sub(e.args[1])})`;
    case 'ScalarArrayOpExpr': return `(${sub(e.args[0])} ${opName(e.opno)} ${e.useOr ? 'ANY' : 'ALL'} (${sub(e.args[1])}))`;
    case 'BoolExpr':
      if (e.boolop === 'NOT_EXPR') return `(NOT ${sub(e.args[0], false)})`;
      return `(${e.args.map((a) => sub(a, false)).join(e.boolop === 'AND_EXPR' ? ' AND ' : ' OR ')})`;
    case 'FuncExpr': {
      if (e.funcformat === 'COERCE_IMPLICIT_CAST' && !showimplicit) return sub(e.args[0], false);
      if (e.funcformat === 'COERCE_EXPLICIT_CAST' || e.funcformat === 'COERCE_IMPLICIT_CAST') return coercion(e.args[0], ctx, e.funcresulttype, e.funcresulttypmod);
      return `${funcName(e.funcid)}(${e.args.map((a) => sub(a)).join(', ')})`;
    }
    case 'RelabelType':
      if (e.relabelformat === 'COERCE_IMPLICIT_CAST' && !showimplicit) return sub(e.arg, false);
      return coercion(e.arg, ctx, e.resulttype, e.resulttypmod);
    case 'CoerceViaIO':
      if (e.coerceformat === 'COERCE_IMPLICIT_CAST' && !showimplicit) return sub(e.arg, false);
      return coercion(e.arg, ctx, e.resulttype, e.resulttypmod);
    case 'ArrayCoerceExpr':
      if (e.coerceformat === 'COERCE_IMPLICIT_CAST' && !showimplicit) return sub(e.arg, false);
      return coercion(e.arg, ctx, e.resulttype, e.resulttypmod);
    case 'NullTest': return `(${sub(e.arg)} ${e.nulltesttype === 'IS_NULL' ? 'IS NULL' : 'IS NOT NULL'})`;
    case 'BooleanTest': return `(${sub(e.arg)} ${e.booltesttype.replace(/_/g, ' ')})`;
    case 'CaseExpr': {
      let s = 'CASE';
      if (e.arg !== null) s += ` ${sub(e.arg)}`;
      for (const w of e.args) {
        let cond = w.expr;
        if (e.arg !== null && cond.type === 'OpExpr' && cond.args[0].type === 'CaseTestExpr') cond = cond.args[1];
        s += ` WHEN ${sub(cond)} THEN ${sub(w.result)}`;
      }
      if (e.defresult !== null) s += ` ELSE ${sub(e.defresult)}`;
      return `${s} END`;
    }
    case 'CaseTestExpr': return 'CASE_TEST';
    case 'CoalesceExpr': return `COALESCE(${e.args.map((a) => sub(a)).join(', ')})`;
    case 'MinMaxExpr': return `${e.op === 'IS_GREATEST' ? 'GREATEST' : 'LEAST'}(${e.args.map((a) => sub(a)).join(', ')})`;
    case 'ArrayExpr': return `ARRAY[${e.elements.map((a) => sub(a)).join(', ')}]`;
    case 'RowExpr': return `ROW(${e.args.map((a) => sub(a)).join(', ')})`;
    case 'RowCompareExpr': {
      const op = opName(e.opnos[0]);
      return `(ROW(${e.largs.map((a) => sub(a)).join(', ')}) ${op} ROW(${e.rargs.map((a) => sub(a)).join(', ')}))`;
    }
    case 'SQLValueFunction': return SVF[e.op.replace(/_N$/, '')] ?? e.op;
    case 'Aggref': {
      const name = funcName(e.aggfnoid);
      let args = e.aggstar ? '*' : e.args.filter((t) => !t.resjunk).map((t) => sub(t.expr)).join(', ');
      if (e.aggdistinct.length > 0) args = `DISTINCT ${args}`;
      let s = `${name}(${args})`;
      if (e.aggfilter !== null) s += ` FILTER (WHERE ${sub(e.aggfilter, false)})`;
      return s;
    }
    case 'WindowFunc': {
      const s = `${funcName(e.winfnoid)}(${e.winstar ? '*' : e.args.map((a) => sub(a)).join(', ')})`;
      return `${s} OVER w${e.winref}`;
    }
    case 'SubPlan': {
      const name = `${e.useHashTable ? 'hashed ' : ''}${e.plan_name}`;
      switch (e.subLinkType) {
        case 'EXISTS_SUBLINK': return `EXISTS(${name})`;
        case 'ARRAY_SUBLINK': return `ARRAY(${name})`;
        case 'ANY_SUBLINK': return e.testexpr === null ? `(${name})` : `(ANY ${sub(e.testexpr)})`;
        case 'ALL_SUBLINK': return e.testexpr === null ? `(${name})` : `(ALL ${sub(e.testexpr)})`;
        default: return `(${name})`;
      }
    }
    case 'SubLink': return '(SubLink)';
    case 'NextValueExpr': return `nextval('${e.seqid}'::regclass)`;
    case 'SetToDefault': return 'DEFAULT';
    case 'SubscriptingRef': {
      // ruleutils parenthesizes the container unless it is a plain Var.
      const base = e.refexpr.type === 'Var' ? sub(e.refexpr) : `(${sub(e.refexpr)})`;
      const subs = e.refupperindexpr.map((u, i) => {
        if (e.reflowerindexpr.length === 0) return `[${u === null ? '' : sub(u)}]`;
        const l = e.reflowerindexpr[i];
        return `[${l === null || l === undefined ? '' : sub(l)}:${u === null ? '' : sub(u)}]`;
      }).join('');
      return e.refassgnexpr === null ? `${base}${subs}` : `${base}${subs} := ${sub(e.refassgnexpr)}`;
    }
  }
}

/** deparse_expression(expr, context, forceprefix, showimplicit = false). */
export function deparseExpr(e: Expr, ctx: DeparseContext): string {
  return deparseInner(e, ctx, ctx.showimplicit ?? false);
}

export { exprType };

/**
 * pg_get_expr for an expression over one relation's columns (a column
 * default, a CHECK constraint): Vars of range-table entry 1 are that
 * relation's columns, printed without a prefix.
 */
export function deparseRelationExpr(e: Expr, colnames: readonly string[]): string {
  const rte = { eref: { aliasname: '', colnames: [...colnames] } } as unknown as RangeTblEntry;
  const plan = { type: 'Result', targetlist: [], qual: [], lefttree: null, righttree: null, initPlan: [] } as unknown as Plan;
  const stmt = { rtable: [rte], planTree: plan, subplans: [] } as unknown as PlannedStmt;
  // The analyzer applies a column's typmod to a constant default itself ('ab' for varchar(5));
  // PostgreSQL keeps a plain constant under an implicit length coercion, which prints without it.
  const top = e.type === 'Const' && e.consttypmod >= 0 ? { ...e, consttypmod: -1 } : e;
  return deparseExpr(top, { stmt, rtNames: ['', ''], plan, ancestors: [], useprefix: false });
}
