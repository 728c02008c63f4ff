/*
 * parse_relation.ts — the range table and name lookup (PostgreSQL's
 * parse_relation.c).
 *
 * Exports:
 *   addRangeTableEntryForRelation / ForSubquery / ForFunction / ForValues /
 *   ForJoin / ForCTE      append an RTE and return its namespace item
 *   refnameNamespaceItem  `t` in `t.col`: the visible FROM item named t
 *   colNameToVar          an unqualified column: search the namespace, level by level
 *   scanNSItemForColumn   a column of one FROM item, as a Var
 *   expandNSItemVars      `t.*` / `*`: the visible columns of one item
 *   errorMissingRTE / errorMissingColumn   PostgreSQL's 42P01 / 42703 with its hints
 *   markTargetListOrigin  resorigtbl / resorigcol of plain column outputs
 *
 * Rules (as parse_relation.c):
 *  1. A name is looked up innermost level first; the first level with a
 *     match wins, and two matches at that level are ambiguous (42702/42712).
 *  2. Within a level only namespace items are searched; the whole range
 *     table (including items not visible here) is searched only to word the
 *     error when nothing matched.
 *  3. Dropped columns keep their place in eref.colnames as "" so attnums and
 *     positions agree; "" never matches an identifier.
 */

import type { CommonTableExpr, LockMode, Query, RangeTblEntry, RangeTblFunction } from '../nodes/parsenodes.ts';
import type { Expr, TargetEntry, Var } from '../nodes/primnodes.ts';
import type { RelationInfo } from '../utils/rel.ts';
import type { Alias, RangeVar } from './primnodes.ts';
import { exprType, exprTypmod } from '../nodes/nodeFuncs.ts';
import {
  makeRTE,
  makeVar,
  parserError,
  type ParseNamespaceColumn,
  type ParseNamespaceItem,
  type ParseState,
} from './parse_node.ts';

const TIDOID = 27;
const OIDOID = 26;

/** System columns of a heap relation (sysattr.h): xmin/xmax are xid (28), cmin/cmax cid (29). */
const SYSTEM_COLUMNS: ReadonlyMap<string, { attnum: number; typid: number }> = new Map([
  ['ctid', { attnum: -1, typid: TIDOID }],
  ['xmin', { attnum: -2, typid: 28 }],
  ['cmin', { attnum: -3, typid: 29 }],
  ['xmax', { attnum: -4, typid: 28 }],
  ['cmax', { attnum: -5, typid: 29 }],
  ['tableoid', { attnum: -6, typid: OIDOID }],
]);

// ---------------------------------------------------------------------------
// Building range-table entries.

function buildNSItem(pstate: ParseState, rte: RangeTblEntry, rtindex: number, nscolumns: ParseNamespaceColumn[]): ParseNamespaceItem {
  return {
    names: rte.eref,
    rte,
    rtindex,
    nscolumns,
    relVisible: true,
    colsVisible: true,
    lateralOnly: false,
    lateralOk: true,
  };
}

/** nscolumns for an RTE whose columns are its own Vars (everything but a join). */
function simpleNSColumns(rtindex: number, types: number[], typmods: number[], dropped?: boolean[]): ParseNamespaceColumn[] {
  return types.map((t, i) => ({ varno: rtindex, varattno: i + 1, vartype: t, vartypmod: typmods[i] ?? -1, dropped: dropped?.[i] ?? false }));
}

/** Column names from an alias over the underlying names: `AS x (a, b)` renames the first columns (buildNSItemFromTupleDesc). */
function applyColumnAliases(pstate: ParseState, alias: Alias | null, refname: string, names: string[], location = -1): string[] {
  const out = names.slice();
  if (alias === null) return out;
  const live = names.map((n, i) => (n === '' ? -1 : i)).filter((i) => i >= 0);
  if (alias.colnames.length > live.length) {
    parserError(pstate, '42P10', `table "${refname}" has ${live.length} columns available but ${alias.colnames.length} columns specified`, location);
  }
  alias.colnames.forEach((n, k) => {
    out[live[k] as number] = n;
  });
  return out;
}

function addRTE(pstate: ParseState, rte: RangeTblEntry): number {
  pstate.rtable.push(rte);
  pstate.joinexprs.push(null);
  return pstate.rtable.length;
}

export function addRangeTableEntryForRelation(
  pstate: ParseState,
  rel: RelationInfo,
  alias: Alias | null,
  inh: boolean,
  inFromCl: boolean,
  lockmode: LockMode,
  _location = -1,
): ParseNamespaceItem {
  const refname = alias?.aliasname ?? rel.relname;
  const rawNames = rel.attrs.map((a) => (a.attisdropped ? '' : a.attname));
  const rte = makeRTE('RTE_RELATION', { aliasname: refname, colnames: applyColumnAliases(pstate, alias, refname, rawNames) });
  rte.alias = alias === null ? null : { aliasname: alias.aliasname, colnames: alias.colnames.slice() };
  rte.relid = rel.oid;
  rte.relkind = rel.relkind;
  rte.rellockmode = lockmode;
  rte.inh = inh;
  rte.inFromCl = inFromCl;
  rte.coltypes = rel.attrs.map((a) => a.atttypid);
  rte.coltypmods = rel.attrs.map((a) => a.atttypmod);
  const rtindex = addRTE(pstate, rte);
  return buildNSItem(pstate, rte, rtindex, simpleNSColumns(rtindex, rte.coltypes, rte.coltypmods, rel.attrs.map((a) => a.attisdropped)));
}

/** The output columns of a (sub)query: names, types, typmods of its non-junk target entries. */
export function queryOutputColumns(q: Query): { names: string[]; types: number[]; typmods: number[] } {
  const names: string[] = [];
  const types: number[] = [];
  const typmods: number[] = [];
  for (const tle of q.targetList) {
    if (tle.resjunk) continue;
    names.push(tle.resname ?? '?column?');
    types.push(exprType(tle.expr));
    typmods.push(exprTypmod(tle.expr));
  }
  return { names, types, typmods };
}

export function addRangeTableEntryForSubquery(
  pstate: ParseState,
  subquery: Query,
  alias: Alias | null,
  lateral: boolean,
  inFromCl: boolean,
): ParseNamespaceItem {
  const cols = queryOutputColumns(subquery);
  // PostgreSQL 16+: an unaliased subquery gets the name "unnamed_subquery" for display only.
  const refname = alias?.aliasname ?? 'unnamed_subquery';
  const rte = makeRTE('RTE_SUBQUERY', { aliasname: refname, colnames: applyColumnAliases(pstate, alias, refname, cols.names) });
  rte.alias = alias === null ? null : { aliasname: alias.aliasname, colnames: alias.colnames.slice() };
  rte.subquery = subquery;
  rte.lateral = lateral;
  rte.inFromCl = inFromCl;
  rte.coltypes = cols.types;
  rte.coltypmods = cols.typmods;
  const rtindex = addRTE(pstate, rte);
  const ns = buildNSItem(pstate, rte, rtindex, simpleNSColumns(rtindex, cols.types, cols.typmods));
  if (alias === null) ns.relVisible = false;
  return ns;
}

export function addRangeTableEntryForFunction(
  pstate: ParseState,
  funcnames: string[],
  functions: RangeTblFunction[],
  alias: Alias | null,
  lateral: boolean,
  ordinality: boolean,
  _location: number,
): ParseNamespaceItem {
  const refname = alias?.aliasname ?? funcnames[0] ?? 'unnamed_function';
  const names: string[] = [];
  const types: number[] = [];
  const typmods: number[] = [];
  for (const f of functions) {
    names.push(...f.funccolnames);
    types.push(...f.funccoltypes);
    typmods.push(...f.funccoltypmods);
  }
  if (ordinality) {
    names.push('ordinality');
    types.push(20);
    typmods.push(-1);
  }
  // A single scalar function's one column takes the alias name (`generate_series(1,3) AS g` gives column g).
  if (alias !== null && alias.colnames.length === 0 && functions.length === 1 && functions[0]?.funccolcount === 1 && functions[0].funccolnames[0] === funcnames[0]) {
    names[0] = alias.aliasname;
  }
  const rte = makeRTE('RTE_FUNCTION', { aliasname: refname, colnames: applyColumnAliases(pstate, alias, refname, names) });
  rte.alias = alias === null ? null : { aliasname: alias.aliasname, colnames: alias.colnames.slice() };
  rte.functions = functions;
  rte.funcordinality = ordinality;
  rte.lateral = lateral;
  rte.coltypes = types;
  rte.coltypmods = typmods;
  const rtindex = addRTE(pstate, rte);
  return buildNSItem(pstate, rte, rtindex, simpleNSColumns(rtindex, types, typmods));
}

export function addRangeTableEntryForValues(
  pstate: ParseState,
  exprsLists: Expr[][],
  coltypes: number[],
  coltypmods: number[],
  alias: Alias | null,
  lateral: boolean,
  inFromCl: boolean,
): ParseNamespaceItem {
  const refname = alias?.aliasname ?? '*VALUES*';
  const names = coltypes.map((_, i) => `column${i + 1}`);
  const rte = makeRTE('RTE_VALUES', { aliasname: refname, colnames: applyColumnAliases(pstate, alias, refname, names) });
  rte.alias = alias === null ? null : { aliasname: alias.aliasname, colnames: alias.colnames.slice() };
  rte.values_lists = exprsLists;
  rte.coltypes = coltypes;
  rte.coltypmods = coltypmods;
  rte.lateral = lateral;
  rte.inFromCl = inFromCl;
  const rtindex = addRTE(pstate, rte);
  return buildNSItem(pstate, rte, rtindex, simpleNSColumns(rtindex, coltypes, coltypmods));
}

/**
 * A join's RTE. colnames/aliasvars are the join's output columns (merged
 * USING columns first); nscolumns say which Var each gives (the inputs' own
 * Vars for unmerged columns).
 */
export function addRangeTableEntryForJoin(
  pstate: ParseState,
  colnames: string[],
  nscolumns: ParseNamespaceColumn[],
  jointype: RangeTblEntry['jointype'],
  nummergedcols: number,
  aliasvars: Expr[],
  leftcols: number[],
  rightcols: number[],
  joinUsingAlias: Alias | null,
  alias: Alias | null,
  inFromCl: boolean,
): ParseNamespaceItem {
  const refname = alias?.aliasname ?? 'unnamed_join';
  if (alias !== null && alias.colnames.length > colnames.length) {
    parserError(pstate, '42P10', `join expression "${alias.aliasname}" has ${colnames.length} columns available but ${alias.colnames.length} columns specified`, -1);
  }
  const rte = makeRTE('RTE_JOIN', { aliasname: refname, colnames: applyColumnAliases(pstate, alias, refname, colnames) });
  rte.alias = alias === null ? null : { aliasname: alias.aliasname, colnames: alias.colnames.slice() };
  rte.jointype = jointype;
  rte.joinmergedcols = nummergedcols;
  rte.joinaliasvars = aliasvars;
  rte.joinleftcols = leftcols;
  rte.joinrightcols = rightcols;
  rte.inFromCl = inFromCl;
  rte.coltypes = aliasvars.map((v) => exprType(v));
  rte.coltypmods = aliasvars.map((v) => exprTypmod(v));
  const rtindex = addRTE(pstate, rte);
  const ns = buildNSItem(pstate, rte, rtindex, nscolumns);
  // An unaliased join is not visible by name (there is no name to use).
  if (alias === null) ns.relVisible = false;
  if (joinUsingAlias !== null) {
    // `JOIN ... USING (a) AS x`: x.a names the merged columns only.
    ns.names = { aliasname: joinUsingAlias.aliasname, colnames: rte.eref.colnames.slice(0, nummergedcols) };
  }
  return ns;
}

export function addRangeTableEntryForCTE(
  pstate: ParseState,
  cte: CommonTableExpr,
  levelsup: number,
  rv: RangeVar,
  inFromCl: boolean,
): ParseNamespaceItem {
  const refname = rv.alias?.aliasname ?? cte.ctename;
  const rte = makeRTE('RTE_CTE', { aliasname: refname, colnames: applyColumnAliases(pstate, rv.alias, refname, cte.ctecolnames) });
  rte.alias = rv.alias === null ? null : { aliasname: rv.alias.aliasname, colnames: rv.alias.colnames.slice() };
  rte.ctename = cte.ctename;
  rte.ctelevelsup = levelsup;
  rte.inFromCl = inFromCl;
  rte.coltypes = cte.ctecoltypes.slice();
  rte.coltypmods = cte.ctecoltypmods.slice();
  const rtindex = addRTE(pstate, rte);
  return buildNSItem(pstate, rte, rtindex, simpleNSColumns(rtindex, rte.coltypes, rte.coltypmods));
}

// ---------------------------------------------------------------------------
// Looking names up.

/**
 * The namespace item a qualifier names (`t` in `t.a`), searching outward;
 * null if none. For a schema-qualified name only an unaliased relation with
 * that OID matches.
 */
export function refnameNamespaceItem(
  pstate: ParseState,
  schemaname: string | null,
  refname: string,
  location: number,
): { nsitem: ParseNamespaceItem; levelsup: number } | null {
  let relId = 0;
  if (schemaname !== null) {
    const oid = pstate.catalog.relnameGetRelid(schemaname, refname, true, location);
    if (oid === null) return null;
    relId = oid;
  }
  let levelsup = 0;
  for (let ps: ParseState | null = pstate; ps !== null; ps = ps.parentParseState, levelsup++) {
    let result: ParseNamespaceItem | null = null;
    for (const ns of ps.namespace) {
      if (!ns.relVisible) continue;
      if (ns.lateralOnly && !ps.lateralActive) continue;
      const match = schemaname !== null
        ? ns.rte.rtekind === 'RTE_RELATION' && ns.rte.relid === relId && ns.rte.alias === null
        : ns.names.aliasname === refname;
      if (!match) continue;
      if (result !== null) {
        parserError(pstate, '42712', `table reference "${schemaname !== null ? `${schemaname}.${refname}` : refname}" is ambiguous`, location);
      }
      checkLateralRefOk(pstate, ns, location);
      result = ns;
    }
    if (result !== null) return { nsitem: result, levelsup };
  }
  return null;
}

function checkLateralRefOk(pstate: ParseState, ns: ParseNamespaceItem, location: number): void {
  if (ns.lateralOnly && !ns.lateralOk) {
    const refname = ns.names.aliasname;
    if (pstate.targetRtindex !== 0 && ns.rtindex === pstate.targetRtindex) {
      parserError(pstate, '42P10', `invalid reference to FROM-clause entry for table "${refname}"`, location, {
        hint: `There is an entry for table "${refname}", but it cannot be referenced from this part of the query.`,
      });
    }
    parserError(pstate, '42P10', `invalid reference to FROM-clause entry for table "${refname}"`, location, {
      detail: 'The combining JOIN type must be INNER or LEFT for a LATERAL reference.',
    });
  }
}

/** The attnum of colname among the names (0 if none; 42702 if two). */
function scanNamesForColumn(pstate: ParseState, colnames: string[], colname: string, location: number): number {
  let result = 0;
  for (let i = 0; i < colnames.length; i++) {
    if (colnames[i] === colname) {
      if (result !== 0) parserError(pstate, '42702', `column reference "${colname}" is ambiguous`, location);
      result = i + 1;
    }
  }
  return result;
}

/** A column of one namespace item as a Var (or null when it has no such column). */
export function scanNSItemForColumn(pstate: ParseState, ns: ParseNamespaceItem, levelsup: number, colname: string, location: number): Var | null {
  const attnum = scanNamesForColumn(pstate, ns.names.colnames, colname, location);
  if (attnum > 0) {
    const c = ns.nscolumns[attnum - 1];
    if (c === undefined || c.dropped) {
      parserError(pstate, '42703', `column "${colname}" of relation "${ns.names.aliasname}" does not exist`, location);
    }
    return makeVar(c.varno, c.varattno, c.vartype, c.vartypmod, levelsup, location);
  }
  if (ns.rte.rtekind === 'RTE_RELATION' && ns.rte.relkind !== 'c') {
    const sys = SYSTEM_COLUMNS.get(colname);
    if (sys !== undefined && ns.rte.relkind !== 'v') {
      if (pstate.exprKind === 'EXPR_KIND_CHECK_CONSTRAINT' && sys.attnum !== -6) {
        parserError(pstate, '42P10', `system column "${colname}" reference in check constraint is invalid`, location);
      }
      if (pstate.exprKind === 'EXPR_KIND_GENERATED_COLUMN' && sys.attnum !== -6) {
        parserError(pstate, '42P10', `cannot use system column "${colname}" in column generation expression`, location);
      }
      return makeVar(ns.rtindex, sys.attnum, sys.typid, -1, levelsup, location);
    }
  }
  return null;
}

/** An unqualified column name: the innermost level where some visible item has it. */
export function colNameToVar(pstate: ParseState, colname: string, localonly: boolean, location: number): Var | null {
  let levelsup = 0;
  for (let ps: ParseState | null = pstate; ps !== null; ps = ps.parentParseState, levelsup++) {
    let result: Var | null = null;
    for (const ns of ps.namespace) {
      if (!ns.colsVisible) continue;
      if (ns.lateralOnly && !ps.lateralActive) continue;
      const v = scanNSItemForColumn(pstate, ns, levelsup, colname, location);
      if (v !== null) {
        if (result !== null) parserError(pstate, '42702', `column reference "${colname}" is ambiguous`, location);
        checkLateralRefOk(pstate, ns, location);
        result = v;
      }
    }
    if (result !== null || localonly) return result;
  }
  return null;
}

/** The Vars and names of an item's visible columns (expandNSItemVars), for `*`. */
export function expandNSItemVars(ns: ParseNamespaceItem, levelsup: number, location: number): { names: string[]; vars: Var[] } {
  const names: string[] = [];
  const vars: Var[] = [];
  const count = ns.names.colnames.length;
  for (let i = 0; i < count; i++) {
    const c = ns.nscolumns[i];
    const name = ns.names.colnames[i] ?? '';
    if (c === undefined || c.dropped || name === '') continue;
    names.push(name);
    vars.push(makeVar(c.varno, c.varattno, c.vartype, c.vartypmod, levelsup, location));
  }
  return { names, vars };
}

// ---------------------------------------------------------------------------
// Error reports that look at the whole range table for a better message.

const MAX_FUZZY_DISTANCE = 3;

function levenshtein(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n] as number;
}

interface FuzzyState {
  distance: number;
  rfirst: RangeTblEntry | null;
  first: number;
  rsecond: RangeTblEntry | null;
  second: number;
  rexact1: RangeTblEntry | null;
  rexact2: RangeTblEntry | null;
}

function updateFuzzy(penalty: number, st: FuzzyState, rte: RangeTblEntry, actual: string, match: string, attnum: number): void {
  if (penalty > st.distance || actual === '') return;
  let d = levenshtein(actual, match);
  if (d > Math.floor(match.length / 2)) return;
  d += penalty;
  if (d < st.distance) {
    st.distance = d;
    st.rfirst = rte;
    st.first = attnum;
    st.rsecond = null;
  } else if (d === st.distance) {
    if (st.rsecond !== null) {
      st.rfirst = null;
      st.rsecond = null;
    } else if (st.rfirst !== null) {
      st.rsecond = rte;
      st.second = attnum;
    }
  }
}

function searchRangeTableForCol(pstate: ParseState, alias: string | null, colname: string): FuzzyState {
  const st: FuzzyState = { distance: MAX_FUZZY_DISTANCE + 1, rfirst: null, first: 0, rsecond: null, second: 0, rexact1: null, rexact2: null };
  for (let ps: ParseState | null = pstate; ps !== null; ps = ps.parentParseState) {
    for (const rte of ps.rtable) {
      if (rte.rtekind === 'RTE_JOIN') continue;
      const penalty = alias !== null ? levenshtein(alias, rte.eref.aliasname) : 0;
      let exact = 0;
      rte.eref.colnames.forEach((n, i) => {
        if (n === colname && exact === 0) exact = i + 1;
        updateFuzzy(penalty, st, rte, n, colname, i + 1);
      });
      if (exact === 0 && rte.rtekind === 'RTE_RELATION' && SYSTEM_COLUMNS.has(colname)) exact = -1;
      if (exact !== 0 && penalty === 0) {
        if (st.rexact1 === null) st.rexact1 = rte;
        else st.rexact2 = rte;
      }
    }
  }
  return st;
}

function findNSItemForRTE(pstate: ParseState, rte: RangeTblEntry): ParseNamespaceItem | null {
  for (let ps: ParseState | null = pstate; ps !== null; ps = ps.parentParseState) {
    for (const ns of ps.namespace) if (ns.rte === rte) return ns;
  }
  return null;
}

function rteVisibleIfLateral(pstate: ParseState, rte: RangeTblEntry): boolean {
  if (pstate.lateralActive) return false;
  const ns = findNSItemForRTE(pstate, rte);
  return ns !== null && ns.lateralOnly && ns.lateralOk;
}

function rteVisibleIfQualified(pstate: ParseState, rte: RangeTblEntry): boolean {
  const ns = findNSItemForRTE(pstate, rte);
  return ns !== null && ns.relVisible && !ns.colsVisible;
}

/** 42703 for a column that no visible item has, with PostgreSQL's hints. */
export function errorMissingColumn(pstate: ParseState, relname: string | null, colname: string, location: number): never {
  const st = searchRangeTableForCol(pstate, relname, colname);
  const msg = relname !== null ? `column ${relname}.${colname} does not exist` : `column "${colname}" does not exist`;
  if (st.rexact1 !== null) {
    if (st.rexact2 !== null) {
      parserError(pstate, '42703', msg, location, {
        detail: `There are columns named "${colname}", but they are in tables that cannot be referenced from this part of the query.`,
        ...(relname === null ? { hint: 'Try using a table-qualified name.' } : {}),
      });
    }
    const r = st.rexact1;
    const hint = rteVisibleIfLateral(pstate, r)
      ? 'To reference that column, you must mark this subquery with LATERAL.'
      : relname === null && rteVisibleIfQualified(pstate, r)
        ? 'To reference that column, you must use a table-qualified name.'
        : undefined;
    parserError(pstate, '42703', msg, location, {
      detail: `There is a column named "${colname}" in table "${r.eref.aliasname}", but it cannot be referenced from this part of the query.`,
      ...(hint !== undefined ? { hint } : {}),
    });
  }
  if (st.rsecond === null) {
    if (st.rfirst === null) parserError(pstate, '42703', msg, location);
    parserError(pstate, '42703', msg, location, {
      hint: `Perhaps you meant to reference the column "${st.rfirst.eref.aliasname}.${st.rfirst.eref.colnames[st.first - 1] ?? ''}".`,
    });
  }
  const f = st.rfirst as RangeTblEntry;
  parserError(pstate, '42703', msg, location, {
    hint: `Perhaps you meant to reference the column "${f.eref.aliasname}.${f.eref.colnames[st.first - 1] ?? ''}" or the column "${st.rsecond.eref.aliasname}.${st.rsecond.eref.colnames[st.second - 1] ?? ''}".`,
  });
}

function searchRangeTableForRel(pstate: ParseState, schemaname: string | null, relname: string, location: number): RangeTblEntry | null {
  let relId = 0;
  let isCte = false;
  if (schemaname === null) {
    for (let ps: ParseState | null = pstate; ps !== null; ps = ps.parentParseState) {
      if (ps.ctenamespace.some((c) => c.ctename === relname)) isCte = true;
    }
  }
  if (!isCte) {
    try {
      relId = pstate.catalog.relnameGetRelid(schemaname, relname, true, location) ?? 0;
    } catch {
      relId = 0;
    }
  }
  for (let ps: ParseState | null = pstate; ps !== null; ps = ps.parentParseState) {
    for (const rte of ps.rtable) {
      if (rte.rtekind === 'RTE_RELATION' && relId !== 0 && rte.relid === relId) return rte;
      if (rte.eref.aliasname === relname) return rte;
    }
  }
  return null;
}

/** 42P01 for a qualifier that names no visible FROM item. */
export function errorMissingRTE(pstate: ParseState, schemaname: string | null, relname: string, location: number): never {
  const rte = searchRangeTableForRel(pstate, schemaname, relname, location);
  if (rte !== null && rte.alias !== null && rte.eref.aliasname !== relname) {
    const found = refnameNamespaceItem(pstate, null, rte.eref.aliasname, location);
    if (found !== null && found.nsitem.rte === rte) {
      parserError(pstate, '42P01', `invalid reference to FROM-clause entry for table "${relname}"`, location, {
        hint: `Perhaps you meant to reference the table alias "${rte.eref.aliasname}".`,
      });
    }
  }
  if (rte !== null) {
    parserError(pstate, '42P01', `invalid reference to FROM-clause entry for table "${relname}"`, location, {
      detail: `There is an entry for table "${rte.eref.aliasname}", but it cannot be referenced from this part of the query.`,
      ...(rteVisibleIfLateral(pstate, rte) ? { hint: 'To reference that table, you must mark this subquery with LATERAL.' } : {}),
    });
  }
  parserError(pstate, '42P01', `missing FROM-clause entry for table "${relname}"`, location);
}

// ---------------------------------------------------------------------------

/**
 * markTargetListOrigin: for output columns that are plain columns of a table
 * (possibly through subqueries, CTEs and joins), record the table OID and
 * attnum — clients show them in RowDescription.
 */
export function markTargetListOrigins(pstate: ParseState, tlist: TargetEntry[]): void {
  for (const tle of tlist) {
    if (tle.resjunk || tle.expr.type !== 'Var') continue;
    const origin = varOrigin(pstate, tle.expr, 0);
    if (origin !== null) {
      tle.resorigtbl = origin.tbl;
      tle.resorigcol = origin.col;
    }
  }
}

function varOrigin(pstate: ParseState, v: Var, depth: number): { tbl: number; col: number } | null {
  if (depth > 100) return null;
  let ps: ParseState | null = pstate;
  for (let i = 0; i < v.varlevelsup && ps !== null; i++) ps = ps.parentParseState;
  if (ps === null) return null;
  const rte = ps.rtable[v.varno - 1];
  if (rte === undefined || v.varattno <= 0) return null;
  return rteColumnOrigin(rte, v.varattno, ps, depth);
}

function rteColumnOrigin(rte: RangeTblEntry, attno: number, ps: ParseState, depth: number): { tbl: number; col: number } | null {
  switch (rte.rtekind) {
    case 'RTE_RELATION':
      return { tbl: rte.relid, col: attno };
    case 'RTE_SUBQUERY': {
      const q = rte.subquery;
      if (q === null) return null;
      const tle = q.targetList.find((t) => t.resno === attno && !t.resjunk);
      if (tle === undefined) return null;
      return tle.resorigtbl !== 0 ? { tbl: tle.resorigtbl, col: tle.resorigcol } : null;
    }
    case 'RTE_JOIN': {
      const av = rte.joinaliasvars[attno - 1];
      if (av === undefined || av.type !== 'Var') return null;
      return varOrigin(ps, av, depth + 1);
    }
    case 'RTE_CTE': {
      let cps: ParseState | null = ps;
      for (let i = 0; i < rte.ctelevelsup && cps !== null; i++) cps = cps.parentParseState;
      const cte = cps?.ctenamespace.find((c) => c.ctename === rte.ctename);
      if (cte === undefined) return null;
      const tle = cte.ctequery.targetList.find((t) => t.resno === attno && !t.resjunk);
      return tle !== undefined && tle.resorigtbl !== 0 ? { tbl: tle.resorigtbl, col: tle.resorigcol } : null;
    }
    default:
      return null;
  }
}
