/*
 * execExpr.ts — compiles analyzed expressions (nodes/primnodes.ts) into
 * closures, once per query (PostgreSQL's execExpr.c + execExprInterp.c,
 * where the "program" is a tree of JavaScript closures instead of a step
 * array: V8 inlines the small ones, and no node is inspected per row).
 *
 * Exports:
 *   ExecInitExpr(expr, parent, estate): ExprState
 *   ExecInitExprWithOverrides(expr, parent, estate, overrides)   (ProjectSet)
 *   ExecInitQual(quals, parent, estate): (econtext) => boolean
 *   ExecInitExprList(exprs, parent, estate): ExprState[]
 *   ExecBuildProjectionInfo(tlist, econtext, slot, parent, estate): () => void
 *   ExecQualAndReset, ExecEvalBool helpers
 *
 * Rules:
 *  1. NULL is `null` everywhere; a strict function (FunctionInfo.proisstrict)
 *     is not called when an argument is NULL, and its result is NULL.
 *  2. Argument arrays handed to function implementations are reused between
 *     calls (no per-row allocation); implementations must not keep them.
 *     Variadic functions get a fresh array, since some return their
 *     arguments as a value.
 *  3. Three-valued logic: AND is false if any argument is false, else NULL
 *     if any is NULL; OR the mirror; both stop at the deciding argument.
 *  4. Set-returning functions are evaluated only by ProjectSet and
 *     FunctionScan; reaching one here is 0A000, as PostgreSQL's "set-valued
 *     function called in context that cannot accept a set".
 */

import type { Expr, Var, TargetEntry, WindowFunc, ScalarArrayOpExpr, RowCompareExpr } from '../nodes/primnodes.ts';
import { INNER_VAR, OUTER_VAR, INDEX_VAR } from '../nodes/primnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { lookupFunctionByOid, lookupOperatorByOid } from '../utils/fmgr/fmgrtab.ts';
import type { FunctionCallContext, FunctionInfo } from '../utils/fmgr/fmgrtypes.ts';
import { typeByOid } from '../utils/adt/types.ts';
import type { Datum } from '../utils/adt/datum.ts';
import { ArrayValue, isArrayValue } from '../utils/adt/array.ts';
import { RecordValue } from '../utils/adt/rowtypes.ts';
import { PgError, SQLSTATE, elog, ereport } from '../utils/errors.ts';
import type { EState, ExprContext, ExprState, PlanState, TupleTableSlot } from './execnodes.ts';
import { executorPrivate } from './execUtils.ts';
import { hashKeyFn, opfamilyComparator, setComparisonContext, type HashKey } from './execGrouping.ts';
import { ExecInitSubPlan } from './nodeSubplan.ts';
import { datumTypeOid, ExecInitSQLValueFunction } from './execExprInterp.ts';
import { compileSubscriptingRef } from './execSubscript.ts';
import type { Relation } from '../access/heap/relation.ts';
import type { Tid } from '../access/common/itemptr.ts';

const UNKNOWNOID = 705;
const INT2OID = 21;
const INT4OID = 23;
const TEXTOID = 25;
/** Arrays of at least this many constant elements are probed through a hash set (PostgreSQL's MIN_ARRAY_SIZE_FOR_HASHED_SAOP). */
const MIN_ARRAY_SIZE_FOR_HASHED_SAOP = 9;

/** What a WindowAgg state exposes so WindowFunc nodes find their result slot (nodeWindowAgg.ts). */
export interface WindowFuncOwner {
  wfuncIndex: Map<WindowFunc, number>;
}

function isWindowFuncOwner(p: PlanState | null): p is PlanState & WindowFuncOwner {
  return p !== null && (p as Partial<WindowFuncOwner>).wfuncIndex instanceof Map;
}

/** Compiles one expression. */
export function ExecInitExpr(expr: Expr, parent: PlanState | null, estate: EState): ExprState {
  setComparisonContext(estate.fmgr);
  return new ExprCompiler(parent, estate).compile(expr);
}

/** Compiles an expression in which some nodes are replaced by given closures (ProjectSet's nested set-returning calls). */
export function ExecInitExprWithOverrides(expr: Expr, parent: PlanState | null, estate: EState, overrides: ReadonlyMap<Expr, ExprState>): ExprState {
  setComparisonContext(estate.fmgr);
  return new ExprCompiler(parent, estate, overrides).compile(expr);
}

export function ExecInitExprList(exprs: readonly Expr[], parent: PlanState | null, estate: EState): ExprState[] {
  const c = new ExprCompiler(parent, estate);
  return exprs.map((e) => c.compile(e));
}

/** An implicitly ANDed qual: true only when every condition is true (NULL counts as false). */
export function ExecInitQual(quals: readonly Expr[], parent: PlanState | null, estate: EState): (econtext: ExprContext) => boolean {
  const c = new ExprCompiler(parent, estate);
  const fs = quals.map((q) => c.compile(q));
  switch (fs.length) {
    case 0:
      return () => true;
    case 1: {
      const f0 = fs[0];
      return (ec) => f0(ec) === true;
    }
    case 2: {
      const f0 = fs[0];
      const f1 = fs[1];
      return (ec) => f0(ec) === true && f1(ec) === true;
    }
    default:
      return (ec) => {
        for (let i = 0; i < fs.length; i++) if (fs[i](ec) !== true) return false;
        return true;
      };
  }
}

/**
 * Projection (ExecProject): evaluates a target list into `slot.values`. Plain
 * column references are copied directly from their input slot.
 */
export function ExecBuildProjectionInfo(
  tlist: readonly TargetEntry[],
  econtext: ExprContext,
  slot: TupleTableSlot,
  parent: PlanState | null,
  estate: EState,
): () => void {
  const c = new ExprCompiler(parent, estate);
  const n = tlist.length;
  const exprs = tlist.map((t) => c.compile(t.expr));
  const out = slot.values;
  // All plain Vars of one input slot: copy by index.
  const simple = tlist.every((t) => t.expr.type === 'Var' && t.expr.varattno > 0);
  if (simple && n > 0) {
    const vars = tlist.map((t) => t.expr as Var);
    const kinds = vars.map((v) => slotKind(v.varno));
    if (kinds.every((k) => k === kinds[0])) {
      const cols = Int32Array.from(vars.map((v) => v.varattno - 1));
      const kind = kinds[0];
      return () => {
        const src = (kind === 'outer' ? econtext.outertuple : kind === 'inner' ? econtext.innertuple : econtext.scantuple) as TupleTableSlot;
        const sv = src.values;
        for (let i = 0; i < n; i++) out[i] = sv[cols[i]];
      };
    }
  }
  return () => {
    for (let i = 0; i < n; i++) out[i] = exprs[i](econtext);
  };
}

type SlotKind = 'scan' | 'outer' | 'inner';
function slotKind(varno: number): SlotKind {
  if (varno === OUTER_VAR) return 'outer';
  if (varno === INNER_VAR) return 'inner';
  return 'scan';
}

/* ------------------------------------------------------------------ the compiler */

class ExprCompiler {
  private readonly ctx: FunctionCallContext;
  constructor(
    private readonly parent: PlanState | null,
    private readonly estate: EState,
    /** Nodes compiled to a given closure instead (ProjectSet: a set-returning call inside an expression reads its current row). */
    private readonly overrides: ReadonlyMap<Expr, ExprState> | null = null,
  ) {
    this.ctx = estate.fmgr;
  }

  compile(e: Expr): ExprState {
    if (this.overrides !== null) {
      const o = this.overrides.get(e);
      if (o !== undefined) return o;
    }
    switch (e.type) {
      case 'Var':
        return this.compileVar(e);
      case 'Const': {
        const v = e.constisnull ? null : e.constvalue;
        return () => v;
      }
      case 'Param':
        return this.compileParam(e.paramkind, e.paramid);
      case 'CaseTestExpr':
        return (ec) => ec.caseValue;
      case 'SetToDefault':
        return elog('SetToDefault reached the executor (the rewriter replaces it)');
      case 'FuncExpr':
        if (e.funcretset) {
          throw new PgError(SQLSTATE.feature_not_supported, 'set-valued function called in context that cannot accept a set');
        }
        return this.compileCall(lookupFunctionByOid(e.funcid), e.args, e.funcresulttypmod, e.funcvariadic);
      case 'OpExpr':
        if (e.opretset) throw new PgError(SQLSTATE.feature_not_supported, 'set-valued function called in context that cannot accept a set');
        return this.compileCall(lookupFunctionByOid(e.opfuncid), e.args, -1, false);
      case 'DistinctExpr':
        return this.compileDistinct(e.opfuncid, e.args);
      case 'NullIfExpr':
        return this.compileNullIf(e.opfuncid, e.args);
      case 'ScalarArrayOpExpr':
        return this.compileScalarArrayOp(e);
      case 'BoolExpr':
        return this.compileBool(e.boolop, e.args);
      case 'Aggref': {
        const no = e.aggno;
        return (ec) => ec.aggvalues[no];
      }
      case 'WindowFunc': {
        const parent = this.parent;
        if (!isWindowFuncOwner(parent)) return elog('WindowFunc found outside a WindowAgg');
        const idx = parent.wfuncIndex.get(e);
        if (idx === undefined) return elog('WindowFunc not registered by its WindowAgg');
        return (ec) => ec.windowvalues[idx];
      }
      case 'RelabelType':
        return this.compile(e.arg);
      case 'CoerceViaIO':
        return this.compileCoerceViaIO(e.arg, e.resulttype, e.resulttypmod, e.coerceformat === 'COERCE_EXPLICIT_CAST' || e.coerceformat === 'COERCE_EXPLICIT_CALL');
      case 'ArrayCoerceExpr': {
        const arg = this.compile(e.arg);
        const elem = this.compile(e.elemexpr);
        const elemType = typeByOid(e.resulttype)?.typelem ?? 0;
        return (ec) => {
          const a = arg(ec);
          if (a === null) return null;
          const arr = a as ArrayValue;
          const saved = ec.caseValue;
          const out = new Array<Datum | null>(arr.elements.length);
          for (let i = 0; i < out.length; i++) {
            ec.caseValue = arr.elements[i];
            out[i] = elem(ec) as Datum | null;
          }
          ec.caseValue = saved;
          return new ArrayValue(elemType, arr.dims.slice(), arr.lbounds.slice(), out);
        };
      }
      case 'CaseExpr':
        return this.compileCase(e);
      case 'ArrayExpr':
        return this.compileArray(e.element_typeid, e.elements, e.multidims);
      case 'RowExpr': {
        const args = e.args.map((a) => this.compile(a));
        const types = e.args.map((a) => exprType(a));
        const names = e.colnames.length === args.length ? e.colnames : null;
        return (ec) => {
          const vals = new Array<Datum | null>(args.length);
          for (let i = 0; i < args.length; i++) vals[i] = args[i](ec) as Datum | null;
          return new RecordValue(vals, types, names);
        };
      }
      case 'RowCompareExpr':
        return this.compileRowCompare(e);
      case 'SubscriptingRef':
        return compileSubscriptingRef(e, (x) => this.compile(x));
      case 'CoalesceExpr': {
        const args = e.args.map((a) => this.compile(a));
        return (ec) => {
          for (let i = 0; i < args.length; i++) {
            const v = args[i](ec);
            if (v !== null) return v;
          }
          return null;
        };
      }
      case 'MinMaxExpr': {
        const args = e.args.map((a) => this.compile(a));
        const t = typeByOid(e.minmaxtype);
        if (t === undefined) return elog(`no comparison for type ${e.minmaxtype}`);
        const cmp = t.compare as (a: unknown, b: unknown) => number;
        const greatest = e.op === 'IS_GREATEST';
        return (ec) => {
          let best: unknown = null;
          for (let i = 0; i < args.length; i++) {
            const v = args[i](ec);
            if (v === null) continue;
            if (best === null) best = v;
            else {
              const c = cmp(v, best);
              if (greatest ? c > 0 : c < 0) best = v;
            }
          }
          return best;
        };
      }
      case 'SQLValueFunction':
        return ExecInitSQLValueFunction(e, this.ctx, this.estate.catalog);
      case 'NullTest': {
        const arg = this.compile(e.arg);
        const isNull = e.nulltesttype === 'IS_NULL';
        if (e.argisrow) {
          return (ec) => {
            const v = arg(ec);
            if (v === null) return isNull;
            const fields = v instanceof RecordValue ? v.values : [v];
            // IS NULL: every field is NULL; IS NOT NULL: no field is NULL.
            for (const f of fields) if ((f === null) !== isNull) return false;
            return true;
          };
        }
        return isNull ? (ec) => arg(ec) === null : (ec) => arg(ec) !== null;
      }
      case 'BooleanTest': {
        const arg = this.compile(e.arg);
        switch (e.booltesttype) {
          case 'IS_TRUE': return (ec) => arg(ec) === true;
          case 'IS_NOT_TRUE': return (ec) => arg(ec) !== true;
          case 'IS_FALSE': return (ec) => arg(ec) === false;
          case 'IS_NOT_FALSE': return (ec) => arg(ec) !== false;
          case 'IS_UNKNOWN': return (ec) => arg(ec) === null;
          case 'IS_NOT_UNKNOWN': return (ec) => arg(ec) !== null;
        }
        return elog('unknown BooleanTest');
      }
      case 'NextValueExpr': {
        const seq = e.seqid;
        const small = e.typeId === INT4OID || e.typeId === INT2OID;
        const ctx = this.ctx;
        return () => {
          const v = ctx.nextval(seq);
          return small ? Number(v) : v;
        };
      }
      case 'SubLink':
        return elog('SubLink reached the executor (the planner turns it into a SubPlan)');
      case 'SubPlan':
        return ExecInitSubPlan(e, this.parent, this.estate);
    }
  }

  private compileVar(v: Var): ExprState {
    const attno = v.varattno;
    const kind = slotKind(v.varno);
    if (attno > 0) {
      const i = attno - 1;
      if (kind === 'outer') return (ec) => (ec.outertuple as TupleTableSlot).values[i];
      if (kind === 'inner') return (ec) => (ec.innertuple as TupleTableSlot).values[i];
      return (ec) => (ec.scantuple as TupleTableSlot).values[i];
    }
    const pick = kind === 'outer'
      ? (ec: ExprContext) => ec.outertuple as TupleTableSlot
      : kind === 'inner' ? (ec: ExprContext) => ec.innertuple as TupleTableSlot : (ec: ExprContext) => ec.scantuple as TupleTableSlot;
    switch (attno) {
      case 0: {
        // A whole-row reference: the row as a record value.
        const rte = v.varno > 0 ? this.estate.plannedstmt.rtable[v.varno - 1] : undefined;
        const types = rte !== undefined && rte.coltypes.length > 0 ? rte.coltypes : null;
        return (ec) => {
          const s = pick(ec);
          const vals = s.values.slice() as (Datum | null)[];
          return new RecordValue(vals, types ?? vals.map((x) => datumTypeOid(x)));
        };
      }
      case -1:
        return (ec) => pick(ec).tid;
      case -6:
        return (ec) => pick(ec).tableOid;
      case -2: // xmin
      case -3: // cmin
      case -4: // xmax
      case -5: // cmax
        return this.compileHeaderSysattr(attno, pick);
      default:
        if (v.varno === INDEX_VAR) return elog('system column of an index tuple');
        throw new PgError(SQLSTATE.feature_not_supported, `system column ${attno} is not supported`);
    }
  }

  /**
   * xmin, cmin, xmax, cmax (heap_getsysattr): the raw header fields of the
   * version the scan returned, read through its TID on the page, as
   * PostgreSQL reads them from the pinned buffer's tuple. xmax is the raw
   * value (a locker's xid or a multixact id too); cmin and cmax are both the
   * raw t_cid (a combo command id once the row is deleted by its inserter).
   */
  private compileHeaderSysattr(attno: number, pick: (ec: ExprContext) => TupleTableSlot): ExprState {
    const estate = this.estate;
    let cachedOid = 0;
    let cachedRel: Relation | null = null;
    return (ec) => {
      const s = pick(ec);
      if (s.tableOid === 0 || s.tid === -1) {
        throw new PgError(SQLSTATE.feature_not_supported, 'system column is not available for this row');
      }
      if (s.tableOid !== cachedOid) {
        cachedRel = estate.catalog.getRelation(s.tableOid).heap;
        cachedOid = s.tableOid;
      }
      if (cachedRel === null) throw new PgError(SQLSTATE.feature_not_supported, 'system column is not available for this row');
      const h = estate.engine.heap.tupleHeader(cachedRel, s.tid as Tid);
      if (h === null) return elog(`system column of a tuple that is gone (tid ${String(s.tid)})`);
      return attno === -2 ? h.xmin : attno === -4 ? h.xmax : h.cid;
    };
  }

  private compileParam(kind: 'PARAM_EXTERN' | 'PARAM_EXEC', id: number): ExprState {
    const estate = this.estate;
    if (kind === 'PARAM_EXTERN') {
      const params = estate.externParams;
      return () => {
        const v = params[id - 1];
        return v === undefined ? null : v;
      };
    }
    const plans = executorPrivate(estate).paramExecPlans;
    const vals = estate.execParams;
    return () => {
      const p = plans[id];
      // An initplan computes its params the first time one is read (ExecSetParamPlan).
      if (p) p.run();
      const v = vals[id];
      return v === undefined ? null : v;
    };
  }

  /** A function call with strictness (rule 1) and a reused argument array (rule 2). */
  private compileCall(fn: FunctionInfo, argExprs: readonly Expr[], typmod: number, variadic: boolean): ExprState {
    const impl = fn.impl;
    if (impl === undefined) {
      if (fn.proretset) throw new PgError(SQLSTATE.feature_not_supported, 'set-valued function called in context that cannot accept a set');
      throw new PgError(SQLSTATE.feature_not_supported, `function ${fn.proname} is not implemented`);
    }
    const args = argExprs.map((a) => this.compile(a));
    // The call's actual argument types (get_fn_expr_argtype), for "any" and polymorphic functions (fmgrtypes.ts).
    const argTypes = argExprs.map((a) => exprType(a));
    const n = args.length;
    const ctx = this.ctx;
    const strict = fn.proisstrict;
    if (variadic || fn.provariadic !== 0) {
      return (ec) => {
        const buf = new Array<unknown>(n);
        for (let i = 0; i < n; i++) {
          const v = args[i](ec);
          if (v === null && strict) return null;
          buf[i] = v;
        }
        return impl(buf, ctx, typmod, argTypes);
      };
    }
    const buf = new Array<unknown>(n).fill(null);
    if (n === 0) return () => impl(buf, ctx, typmod, argTypes);
    if (n === 1) {
      const a0 = args[0];
      return strict
        ? (ec) => {
          const v = a0(ec);
          if (v === null) return null;
          buf[0] = v;
          return impl(buf, ctx, typmod, argTypes);
        }
        : (ec) => {
          buf[0] = a0(ec);
          return impl(buf, ctx, typmod, argTypes);
        };
    }
    if (n === 2) {
      const a0 = args[0];
      const a1 = args[1];
      return strict
        ? (ec) => {
          const v0 = a0(ec);
          if (v0 === null) return null;
          const v1 = a1(ec);
          if (v1 === null) return null;
          buf[0] = v0;
          buf[1] = v1;
          return impl(buf, ctx, typmod, argTypes);
        }
        : (ec) => {
          const v0 = a0(ec);
          buf[1] = a1(ec);
          buf[0] = v0;
          return impl(buf, ctx, typmod, argTypes);
        };
    }
    return (ec) => {
      // Evaluate into locals first: an argument may call this same function (nested calls share buf).
      const vals = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const v = args[i](ec);
        if (v === null && strict) return null;
        vals[i] = v;
      }
      return impl(vals, ctx, typmod, argTypes);
    };
  }

  /** A two-argument operator function as a plain (a, b) call for non-null inputs. */
  private binaryFunction(funcid: number): (a: unknown, b: unknown) => unknown {
    const fn = lookupFunctionByOid(funcid);
    const impl = fn.impl;
    if (impl === undefined) throw new PgError(SQLSTATE.feature_not_supported, `function ${fn.proname} is not implemented`);
    const ctx = this.ctx;
    const buf: unknown[] = [null, null];
    return (a, b) => {
      buf[0] = a;
      buf[1] = b;
      return impl(buf, ctx, -1);
    };
  }

  private compileDistinct(funcid: number, argExprs: readonly Expr[]): ExprState {
    const eq = this.binaryFunction(funcid);
    const a = this.compile(argExprs[0]);
    const b = this.compile(argExprs[1]);
    return (ec) => {
      const x = a(ec);
      const y = b(ec);
      if (x === null) return y !== null;
      if (y === null) return true;
      return eq(x, y) !== true;
    };
  }

  private compileNullIf(funcid: number, argExprs: readonly Expr[]): ExprState {
    const eq = this.binaryFunction(funcid);
    const a = this.compile(argExprs[0]);
    const b = this.compile(argExprs[1]);
    return (ec) => {
      const x = a(ec);
      const y = b(ec);
      if (x !== null && y !== null && eq(x, y) === true) return null;
      return x;
    };
  }

  /**
   * `x op ANY (array)` / `x op ALL (array)`. ANY: true if some element
   * gives true, else NULL if x or some element or result was NULL, else
   * false (and false for an empty array). ALL mirrors it. A constant array
   * of many elements with a hashable "=" is probed through a Set, as
   * PostgreSQL 14+ does.
   */
  private compileScalarArrayOp(e: ScalarArrayOpExpr): ExprState {
    const fn = lookupFunctionByOid(e.opfuncid);
    const strict = fn.proisstrict;
    const op = this.binaryFunction(e.opfuncid);
    const scalar = this.compile(e.args[0]);
    const arrExpr = e.args[1];
    const useOr = e.useOr;
    if (useOr && arrExpr.type === 'Const' && !arrExpr.constisnull && isArrayValue(arrExpr.constvalue) && strict) {
      const arr = arrExpr.constvalue;
      const opInfo = lookupOperatorByOid(e.opno);
      const lt = exprType(e.args[0]);
      if (arr.elements.length >= MIN_ARRAY_SIZE_FOR_HASHED_SAOP && opInfo.oprcanhash && hashKeyFn(lt) === hashKeyFn(arr.elemtype)) {
        const key = hashKeyFn(lt);
        const set = new Set<HashKey>();
        let hasNull = false;
        for (const el of arr.elements) {
          if (el === null) hasNull = true;
          else set.add(key(el));
        }
        return (ec) => {
          const x = scalar(ec);
          if (x === null) return null;
          if (set.has(key(x))) return true;
          return hasNull ? null : false;
        };
      }
    }
    const arrayOf = this.compile(arrExpr);
    return (ec) => {
      const x = scalar(ec);
      const a = arrayOf(ec);
      if (a === null) return null;
      const elems = (a as ArrayValue).elements;
      if (elems.length === 0) return !useOr;
      if (x === null && strict) return null;
      let sawNull = false;
      for (let i = 0; i < elems.length; i++) {
        const el = elems[i];
        let r: unknown;
        if (el === null && strict) r = null;
        else r = op(x, el);
        if (r === null) sawNull = true;
        else if (useOr) {
          if (r === true) return true;
        } else if (r !== true) {
          return false;
        }
      }
      return sawNull ? null : !useOr;
    };
  }

  private compileBool(boolop: 'AND_EXPR' | 'OR_EXPR' | 'NOT_EXPR', argExprs: readonly Expr[]): ExprState {
    const args = argExprs.map((a) => this.compile(a));
    if (boolop === 'NOT_EXPR') {
      const a0 = args[0];
      return (ec) => {
        const v = a0(ec);
        return v === null ? null : !v;
      };
    }
    const n = args.length;
    if (boolop === 'AND_EXPR') {
      if (n === 2) {
        const a0 = args[0];
        const a1 = args[1];
        return (ec) => {
          const x = a0(ec);
          if (x === false) return false;
          const y = a1(ec);
          if (y === false) return false;
          return x === null || y === null ? null : true;
        };
      }
      return (ec) => {
        let sawNull = false;
        for (let i = 0; i < n; i++) {
          const v = args[i](ec);
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      };
    }
    return (ec) => {
      let sawNull = false;
      for (let i = 0; i < n; i++) {
        const v = args[i](ec);
        if (v === true) return true;
        if (v === null) sawNull = true;
      }
      return sawNull ? null : false;
    };
  }

  private compileCoerceViaIO(argExpr: Expr, resulttype: number, typmod: number, isExplicit: boolean): ExprState {
    const arg = this.compile(argExpr);
    const srcOid = exprType(argExpr);
    const src = typeByOid(srcOid);
    const dst = typeByOid(resulttype);
    if (dst === undefined) throw new PgError(SQLSTATE.feature_not_supported, `type ${resulttype} has no input function`);
    if (src === undefined && srcOid !== UNKNOWNOID) throw new PgError(SQLSTATE.feature_not_supported, `type ${srcOid} has no output function`);
    const out = srcOid === UNKNOWNOID || src === undefined ? (v: unknown) => v as string : (v: unknown) => src.output(v as Datum);
    const apply = typmod >= 0 && dst.applyTypmod !== undefined ? dst.applyTypmod.bind(dst) : null;
    // Output to text-like types is the text itself; input functions take it as is.
    const toTextOnly = resulttype === TEXTOID && apply === null;
    return (ec) => {
      const v = arg(ec);
      if (v === null) return null;
      const text = out(v);
      if (toTextOnly) return text;
      const r = dst.input(text, -1);
      return apply !== null ? apply(r, typmod, isExplicit) : r;
    };
  }

  private compileCase(e: Extract<Expr, { type: 'CaseExpr' }>): ExprState {
    const arg = e.arg !== null ? this.compile(e.arg) : null;
    const whens = e.args.map((w) => this.compile(w.expr));
    const thens = e.args.map((w) => this.compile(w.result));
    const dflt = e.defresult !== null ? this.compile(e.defresult) : () => null;
    const n = whens.length;
    if (arg === null) {
      return (ec) => {
        for (let i = 0; i < n; i++) if (whens[i](ec) === true) return thens[i](ec);
        return dflt(ec);
      };
    }
    return (ec) => {
      const saved = ec.caseValue;
      ec.caseValue = arg(ec);
      for (let i = 0; i < n; i++) {
        if (whens[i](ec) === true) {
          ec.caseValue = saved;
          return thens[i](ec);
        }
      }
      ec.caseValue = saved;
      return dflt(ec);
    };
  }

  private compileArray(elemType: number, elemExprs: readonly Expr[], multidims: boolean): ExprState {
    const elems = elemExprs.map((a) => this.compile(a));
    const n = elems.length;
    if (!multidims) {
      return (ec) => {
        const vals = new Array<Datum | null>(n);
        for (let i = 0; i < n; i++) vals[i] = elems[i](ec) as Datum | null;
        return ArrayValue.of(elemType, vals);
      };
    }
    // ARRAY[ARRAY[1,2], ARRAY[3,4]]: the sub-arrays must agree in shape; NULL or empty sub-arrays are skipped.
    return (ec) => {
      let dims: number[] | null = null;
      let lbs: number[] = [];
      const out: (Datum | null)[] = [];
      let count = 0;
      for (let i = 0; i < n; i++) {
        const v = elems[i](ec);
        if (v === null) continue;
        const a = v as ArrayValue;
        if (a.elements.length === 0) continue;
        if (dims === null) {
          dims = a.dims.slice();
          lbs = a.lbounds.slice();
        } else if (dims.length !== a.dims.length || dims.some((d, k) => d !== a.dims[k]) || lbs.some((l, k) => l !== a.lbounds[k])) {
          ereport('2202E', 'multidimensional arrays must have array expressions with matching dimensions');
        }
        for (const el of a.elements) out.push(el);
        count++;
      }
      if (dims === null) return new ArrayValue(elemType, [], [], []);
      return new ArrayValue(elemType, [count, ...dims], [1, ...lbs], out);
    };
  }

  private compileRowCompare(e: RowCompareExpr): ExprState {
    const ls = e.largs.map((a) => this.compile(a));
    const rs = e.rargs.map((a) => this.compile(a));
    const cmps = e.opnos.map((op) => opfamilyComparator(op));
    const decide = (c: number): boolean => {
      switch (e.rctype) {
        case 'ROWCOMPARE_LT': return c < 0;
        case 'ROWCOMPARE_LE': return c <= 0;
        case 'ROWCOMPARE_EQ': return c === 0;
        case 'ROWCOMPARE_GE': return c >= 0;
        case 'ROWCOMPARE_GT': return c > 0;
        case 'ROWCOMPARE_NE': return c !== 0;
      }
    };
    return (ec) => {
      for (let i = 0; i < ls.length; i++) {
        const a = ls[i](ec);
        const b = rs[i](ec);
        if (a === null || b === null) return null;
        const c = cmps[i](a, b);
        if (c !== 0) return decide(c);
      }
      return decide(0);
    };
  }
}
