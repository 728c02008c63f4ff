/*
 * exec.testutil.ts — what the executor tests share: a real StorageEngine
 * with tables, a catalog double that knows only those tables, an fmgr
 * context double, and small builders for expressions and plan nodes, so a
 * test can write the PlannedStmt the planner would produce by hand.
 *
 * Test code only; nothing in the engine imports it.
 */

import { StorageEngine } from '../engine.ts';
import type { Relation } from '../access/heap/relation.ts';
import type { ColumnDef } from '../access/common/tupdesc.ts';
import type { Plan, PlannedStmt, SeqScan } from '../nodes/plannodes.ts';
import type { RangeTblEntry } from '../nodes/parsenodes.ts';
import type { Aggref, Const, Expr, OpExpr, FuncExpr, Param, SortGroupClause, SubPlan, TargetEntry, Var, BoolExpr } from '../nodes/primnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { typeByOid } from '../utils/adt/types.ts';
import type { TypeInfo } from '../utils/adt/datum.ts';
import { findFunctionOid, findOperatorOid, lookupFunctionByOid, lookupOperatorByOid } from '../utils/fmgr/fmgrtab.ts';
import type { FunctionCallContext } from '../utils/fmgr/fmgrtypes.ts';
import type { CatalogAccess, RelationInfo } from '../utils/rel.ts';
import { PgError, SQLSTATE, elog } from '../utils/errors.ts';
import { ExecutorEnd, ExecutorRun, ExecutorStart, type QueryDesc } from './execMain.ts';

export const BOOL = 16;
export const INT8 = 20;
export const INT4 = 23;
export const TEXT = 25;
export const FLOAT8 = 701;
export const NUMERIC = 1700;

/* ------------------------------------------------------------------ database */

export class TestCatalog implements CatalogAccess {
  readonly rels = new Map<number, RelationInfo>();
  relnameGetRelid(_s: string | null, relname: string): number | null {
    for (const r of this.rels.values()) if (r.relname === relname) return r.oid;
    return null;
  }
  getRelation(oid: number): RelationInfo {
    const r = this.rels.get(oid);
    if (r === undefined) elog(`relation ${oid} not in the test catalog`);
    return r;
  }
  namespaceOid(nspname: string): number | null {
    return nspname === 'public' ? 2200 : nspname === 'pg_catalog' ? 11 : null;
  }
  searchPath(): number[] {
    return [11, 2200];
  }
  creationNamespace(): number {
    return 2200;
  }
}

export interface TestTable {
  oid: number;
  rel: Relation;
  types: number[];
  names: string[];
}

export class TestDb {
  readonly engine: StorageEngine;
  readonly catalog = new TestCatalog();
  workMemBytes = 4 * 1024 * 1024;
  interrupts = 0;
  /** Raise 57014 after this many checkInterrupts calls in one statement (a stand-in for statement_timeout). */
  interruptAfter = Infinity;
  readonly fmgr = fmgrContext();

  constructor(opts: { sharedBuffers?: number } = {}) {
    this.engine = StorageEngine.open(opts.sharedBuffers !== undefined ? { sharedBuffers: opts.sharedBuffers } : {});
  }

  createTable(name: string, cols: [string, number][], rows: unknown[][]): TestTable {
    const defs: ColumnDef[] = cols.map(([n, t]) => ({ name: n, type: typeByOid(t) as TypeInfo }));
    const rel = this.engine.createRelation(name, defs);
    if (rows.length > 0) this.engine.insertMany(rel, rows as never);
    this.catalog.rels.set(rel.oid, {
      oid: rel.oid, relname: name, relnamespace: 2200, nspname: 'public', relkind: 'r', relpages: -1, reltuples: -1,
      attrs: cols.map(([n, t], i) => ({
        attnum: i + 1, attname: n, atttypid: t, atttypmod: -1, attnotnull: false, atthasdef: false, attidentity: '', attgenerated: '', attisdropped: false,
      })),
      heap: rel, indexes: [], constraints: [], defaults: new Map(), viewQuery: null,
    });
    return { oid: rel.oid, rel, types: cols.map((c) => c[1]), names: cols.map((c) => c[0]) };
  }

  start(stmt: PlannedStmt, opts: { params?: unknown[]; instrument?: boolean } = {}): QueryDesc {
    let calls = 0;
    return ExecutorStart(stmt, {
      engine: this.engine, catalog: this.catalog, externParams: opts.params ?? [], fmgr: this.fmgr, workMemBytes: this.workMemBytes,
      checkInterrupts: () => {
        this.interrupts++;
        if (++calls > this.interruptAfter) throw new PgError(SQLSTATE.query_canceled, 'canceling statement due to statement timeout');
      },
      instrument: opts.instrument ?? false,
    });
  }

  run(stmt: PlannedStmt, opts: { params?: unknown[]; instrument?: boolean } = {}): unknown[][] {
    const qd = this.start(stmt, opts);
    const rows: unknown[][] = [];
    try {
      ExecutorRun(qd, (v) => rows.push(v));
    } finally {
      ExecutorEnd(qd);
    }
    return rows;
  }
}

export function fmgrContext(): FunctionCallContext {
  let seq = 0n;
  return {
    transactionTimestamp: () => 800_000_000_000_000n,
    statementTimestamp: () => 800_000_000_000_000n,
    getSetting: (name) => (name === 'search_path' ? '"$user", public' : null),
    setSetting: () => undefined,
    nextval: () => ++seq,
    currval: () => seq,
    setval: (_o, v) => (seq = v),
    lastval: () => seq,
    regclassIn: () => 0,
    regclassOut: (oid) => String(oid),
    backendPid: () => 1,
  };
}

/* ------------------------------------------------------------------ expressions */

export const v = (varno: number, varattno: number, vartype: number): Var => ({ type: 'Var', varno, varattno, vartype, vartypmod: -1, varlevelsup: 0, location: -1 });

export const c = (value: unknown, consttype: number): Const => ({
  type: 'Const', consttype, consttypmod: -1, constvalue: value, constisnull: value === null, location: -1,
});

export const param = (paramkind: 'PARAM_EXTERN' | 'PARAM_EXEC', paramid: number, paramtype: number): Param => ({
  type: 'Param', paramkind, paramid, paramtype, paramtypmod: -1, location: -1,
});

export function opOid(name: string, left: number, right: number): number {
  const o = findOperatorOid(name, left, right);
  if (o === 0) elog(`no operator ${name}(${left}, ${right})`);
  return o;
}

export function op(name: string, l: Expr, r: Expr): OpExpr {
  const opno = opOid(name, exprType(l), exprType(r));
  const info = lookupOperatorByOid(opno);
  return { type: 'OpExpr', opno, opfuncid: info.oprcode, opresulttype: info.oprresult, opretset: false, args: [l, r], location: -1 };
}

export function fn(name: string, args: Expr[], argtypes?: number[]): FuncExpr {
  const oid = findFunctionOid(name, argtypes ?? args.map(exprType));
  if (oid === 0) elog(`no function ${name}`);
  const f = lookupFunctionByOid(oid);
  return {
    type: 'FuncExpr', funcid: oid, funcresulttype: f.prorettype, funcresulttypmod: -1, funcretset: f.proretset, funcvariadic: false,
    funcformat: 'COERCE_EXPLICIT_CALL', args, location: -1,
  };
}

export const and = (...args: Expr[]): BoolExpr => ({ type: 'BoolExpr', boolop: 'AND_EXPR', args, location: -1 });
export const or = (...args: Expr[]): BoolExpr => ({ type: 'BoolExpr', boolop: 'OR_EXPR', args, location: -1 });
export const not = (a: Expr): BoolExpr => ({ type: 'BoolExpr', boolop: 'NOT_EXPR', args: [a], location: -1 });

export function tle(expr: Expr, resno: number, resname: string | null = null, ressortgroupref = 0): TargetEntry {
  return { type: 'TargetEntry', expr, resno, resname, ressortgroupref, resorigtbl: 0, resorigcol: 0, resjunk: false };
}

/** A target list of Vars over columns 1..n of varno. */
export function passthrough(varno: number, types: readonly number[]): TargetEntry[] {
  return types.map((t, i) => tle(v(varno, i + 1, t), i + 1, `c${i + 1}`));
}

export function aggref(name: string, args: Expr[], aggno: number, extra: Partial<Aggref> = {}): Aggref {
  const argtypes = args.map(exprType);
  const oid = extra.aggfnoid ?? findFunctionOid(name, argtypes);
  if (oid === 0) elog(`no aggregate ${name}`);
  const f = lookupFunctionByOid(oid);
  return {
    type: 'Aggref', aggfnoid: oid, aggtype: f.prorettype, aggtranstype: 0, args: args.map((a, i) => tle(a, i + 1, null, i + 1)),
    aggorder: [], aggdistinct: [], aggfilter: null, aggstar: args.length === 0, aggvariadic: false, aggkind: 'n', agglevelsup: 0, aggno, location: -1,
    ...extra,
  };
}

export function sortClause(ref: number, type: number, desc = false, nullsFirst = false): SortGroupClause {
  return { type: 'SortGroupClause', tleSortGroupRef: ref, eqop: opOid('=', type, type), sortop: opOid(desc ? '>' : '<', type, type), nulls_first: nullsFirst, hashable: true };
}

export function subplan(planId: number, kind: SubPlan['subLinkType'], extra: Partial<SubPlan> = {}): SubPlan {
  return {
    type: 'SubPlan', subLinkType: kind, testexpr: null, paramIds: [], plan_id: planId, plan_name: `SubPlan ${planId}`, firstColType: INT4, firstColTypmod: -1,
    useHashTable: false, unknownEqFalse: false, setParam: [], parParam: [], args: [], startup_cost: 0, per_call_cost: 0, ...extra,
  };
}

/* ------------------------------------------------------------------ plans */

let nodeId = 0;

/** The fields every plan node has, with the given target list and children. */
export function base(targetlist: TargetEntry[], lefttree: Plan | null = null, righttree: Plan | null = null, qual: Expr[] = []) {
  return {
    startup_cost: 0, total_cost: 0, plan_rows: 0, plan_width: 0, plan_node_id: nodeId++, targetlist, qual, lefttree, righttree, initPlan: [] as SubPlan[],
  };
}

export function seqscan(rtindex: number, t: TestTable, qual: Expr[] = [], tlist?: TargetEntry[]): SeqScan {
  return { type: 'SeqScan', scanrelid: rtindex, ...base(tlist ?? passthrough(rtindex, t.types), null, null, qual) };
}

/** A target list reading every column of a child (OUTER_VAR) with the given types. */
export function outerTlist(types: readonly number[]): TargetEntry[] {
  return passthrough(-2, types);
}

export function rteRelation(t: TestTable): RangeTblEntry {
  return { ...rteBase('RTE_RELATION', t.names, t.types), relid: t.oid, relkind: 'r', rellockmode: 'AccessShareLock' };
}

export function rteBase(kind: RangeTblEntry['rtekind'], names: string[], types: number[]): RangeTblEntry {
  return {
    type: 'RangeTblEntry', rtekind: kind, alias: null, eref: { aliasname: 'x', colnames: names }, relid: 0, relkind: '', rellockmode: '', inh: false,
    subquery: null, viewRelid: 0, jointype: '', joinmergedcols: 0, joinaliasvars: [], joinleftcols: [], joinrightcols: [], functions: [],
    funcordinality: false, values_lists: [], ctename: '', ctelevelsup: 0, self_reference: false, coltypes: types, coltypmods: types.map(() => -1),
    lateral: false, inFromCl: true,
  };
}

export function stmt(planTree: Plan, rtable: RangeTblEntry[], subplans: Plan[] = [], nParams = 0): PlannedStmt {
  return {
    type: 'PlannedStmt', commandType: 'CMD_SELECT', canSetTag: true, planTree, rtable, resultRelations: [], subplans,
    paramExecTypes: new Array<number>(nParams).fill(INT4), relationOids: [], rowMarks: [], utilityStmt: null, stmt_location: 0, stmt_len: 0,
  };
}

/* ------------------------------------------------------------------ models */

/** Sorts rows into a canonical order, to compare multisets. */
export function canon(rows: unknown[][]): string[] {
  return rows.map((r) => JSON.stringify(r, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))).sort();
}
