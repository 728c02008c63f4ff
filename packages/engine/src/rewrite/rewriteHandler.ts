/*
 * rewriteHandler.ts — the query rewriter (PostgreSQL's rewriteHandler.c,
 * for the rules tabgres has: views' _RETURN rules and column defaults).
 *
 * Exports:
 *   queryRewrite(query, catalog): Query[]   the rewritten statement (always
 *                                           one Query: there are no other rules)
 *
 * What it does (README.md has the rules):
 *   - INSERT / UPDATE target lists are completed and put in attnum order
 *     (rewriteTargetListIU): DEFAULT and missing INSERT columns become the
 *     column default, nextval of the identity sequence (NextValueExpr), or
 *     NULL; DEFAULT inside a multi-row VALUES list likewise (rewriteValuesRTE).
 *   - Views read in FROM become subqueries of a copy of their defining query
 *     (ApplyRetrieveRule), recursively, also inside sublinks and CTEs.
 *   - INSERT / UPDATE / DELETE on a simple view are redirected to its base
 *     table (rewriteTargetView) when the view is automatically updatable.
 */

import type { Query, RangeTblEntry } from '../nodes/parsenodes.ts';
import type { Const, Expr, SetToDefault, TargetEntry, Var } from '../nodes/primnodes.ts';
import type { AttributeInfo, CatalogAccess, RelationInfo } from '../utils/rel.ts';
import { PgError } from '../utils/errors.ts';

/** How deep views may nest in one another before we call it a loop (PostgreSQL detects cycles; depth also bounds recursion). */
const MAX_VIEW_DEPTH = 100;

export function queryRewrite(query: Query, catalog: CatalogAccess): Query[] {
  if (query.commandType === 'CMD_UTILITY') return [query];
  let q = query;
  if (q.commandType !== 'CMD_SELECT') {
    q = rewriteTargetView(q, catalog);
    rewriteTargetListIU(q, catalog);
  }
  fireRIRrules(q, catalog, []);
  return [q];
}

// ---------------------------------------------------------------------------
// Defaults.

function nullConst(a: AttributeInfo): Const {
  return { type: 'Const', consttype: a.atttypid, consttypmod: a.atttypmod, constvalue: null, constisnull: true, location: -1 };
}

/** build_column_default: identity -> nextval, stored default, or null (caller decides NULL). */
function buildColumnDefault(rel: RelationInfo, a: AttributeInfo, catalog: CatalogAccess): Expr | null {
  if (a.attidentity !== '') {
    const seqid = catalog.getOwnedSequence?.(rel.oid, a.attnum) ?? 0;
    if (seqid === 0) throw new PgError('XX000', `no owned sequence found for identity column "${a.attname}" of relation "${rel.relname}"`);
    return { type: 'NextValueExpr', seqid, typeId: a.atttypid };
  }
  if (a.attgenerated !== '') return null;
  const d = rel.defaults.get(a.attnum);
  return d === undefined ? null : structuredClone(d);
}

function defaultOrNull(rel: RelationInfo, a: AttributeInfo, catalog: CatalogAccess): Expr {
  return buildColumnDefault(rel, a, catalog) ?? nullConst(a);
}

function isDefault(e: Expr): e is SetToDefault {
  return e.type === 'SetToDefault';
}

function identityAlwaysError(a: AttributeInfo, isInsert: boolean): never {
  if (isInsert) {
    throw new PgError('428C9', `cannot insert a non-DEFAULT value into column "${a.attname}"`, {
      detail: `Column "${a.attname}" is an identity column defined as GENERATED ALWAYS.`,
      hint: 'Use OVERRIDING SYSTEM VALUE to override.',
    });
  }
  throw new PgError('428C9', `column "${a.attname}" can only be updated to DEFAULT`, {
    detail: `Column "${a.attname}" is an identity column defined as GENERATED ALWAYS.`,
  });
}

function generatedError(a: AttributeInfo, isInsert: boolean): never {
  throw new PgError('428C9', isInsert ? `cannot insert a non-DEFAULT value into column "${a.attname}"` : `column "${a.attname}" can only be updated to DEFAULT`, {
    detail: `Column "${a.attname}" is a generated column.`,
  });
}

/**
 * rewriteTargetListIU: INSERT gets one entry per live column in attnum
 * order; UPDATE keeps its SET columns, in attnum order, with DEFAULT
 * replaced. Also the ON CONFLICT DO UPDATE SET list.
 */
function rewriteTargetListIU(q: Query, catalog: CatalogAccess): void {
  const rte = q.rtable[q.resultRelation - 1] as RangeTblEntry;
  const rel = catalog.getRelation(rte.relid);
  if (q.commandType === 'CMD_INSERT') {
    const override = q.override ?? 'OVERRIDING_NOT_SET';
    const valuesRte = findValuesRte(q);
    const byAttno = new Map<number, TargetEntry>();
    for (const tle of q.targetList) {
      const prior = byAttno.get(tle.resno);
      byAttno.set(tle.resno, prior === undefined ? tle : processMatchedTle(tle, prior));
    }
    const out: TargetEntry[] = [];
    for (const a of rel.attrs) {
      if (a.attisdropped) continue;
      const tle = byAttno.get(a.attnum);
      let expr: Expr;
      if (tle === undefined) {
        expr = defaultOrNull(rel, a, catalog);
      } else {
        let applyDefault = isDefault(tle.expr);
        const valuesCol = valuesRte !== null && tle.expr.type === 'Var' && tle.expr.varno === valuesRte.index ? tle.expr.varattno : 0;
        if (!applyDefault && valuesCol > 0 && valuesRte !== null) {
          // A VALUES column counts as DEFAULT only if every row says DEFAULT.
          applyDefault = valuesRte.rte.values_lists.every((row) => isDefault(row[valuesCol - 1] as Expr));
        }
        if (a.attidentity === 'a' && !applyDefault && override !== 'OVERRIDING_SYSTEM_VALUE') identityAlwaysError(a, true);
        if (a.attidentity === 'd' && override === 'OVERRIDING_USER_VALUE') applyDefault = true;
        if (a.attgenerated !== '' && !applyDefault) generatedError(a, true);
        if (applyDefault) expr = defaultOrNull(rel, a, catalog);
        else expr = tle.expr;
        if (valuesCol > 0 && valuesRte !== null) {
          for (const row of valuesRte.rte.values_lists) {
            const e = row[valuesCol - 1] as Expr;
            if (isDefault(e) || (a.attidentity === 'd' && override === 'OVERRIDING_USER_VALUE')) row[valuesCol - 1] = defaultOrNull(rel, a, catalog);
          }
          if (applyDefault) expr = defaultOrNull(rel, a, catalog);
        }
      }
      out.push({
        type: 'TargetEntry', expr, resno: a.attnum, resname: a.attname, ressortgroupref: 0, resorigtbl: 0, resorigcol: 0, resjunk: false,
      });
    }
    q.targetList = out;
    if (q.onConflict !== null) q.onConflict.onConflictSet = rewriteUpdateList(q.onConflict.onConflictSet, rel, catalog);
  } else if (q.commandType === 'CMD_UPDATE') {
    q.targetList = rewriteUpdateList(q.targetList, rel, catalog);
  }
}

function rewriteUpdateList(tlist: TargetEntry[], rel: RelationInfo, catalog: CatalogAccess): TargetEntry[] {
  const seen = new Map<number, number>();
  const junk = tlist.filter((t) => t.resjunk);
  const out: TargetEntry[] = [];
  for (const orig of tlist) {
    if (orig.resjunk) continue;
    const at = seen.get(orig.resno);
    if (at !== undefined) {
      out[at] = processMatchedTle(orig, out[at] as TargetEntry);
      continue;
    }
    const tle = orig;
    seen.set(tle.resno, out.length);
    const a = rel.attrs[tle.resno - 1] as AttributeInfo;
    const applyDefault = isDefault(tle.expr);
    if (a.attidentity === 'a' && !applyDefault) identityAlwaysError(a, false);
    if (a.attgenerated !== '' && !applyDefault) generatedError(a, false);
    out.push(applyDefault ? { ...tle, expr: defaultOrNull(rel, a, catalog) } : tle);
  }
  out.sort((x, y) => x.resno - y.resno);
  return [...out, ...junk];
}

/**
 * process_matched_tle: two assignments to one column are allowed only when
 * both assign parts of it (`a[1] = x, a[2] = y`); the second then applies to
 * the result of the first instead of the column's old value.
 */
function processMatchedTle(tle: TargetEntry, prior: TargetEntry): TargetEntry {
  const e = tle.expr;
  if (e.type !== 'SubscriptingRef' || e.refassgnexpr === null || prior.expr.type !== 'SubscriptingRef' || prior.expr.refassgnexpr === null) {
    throw new PgError('42601', `multiple assignments to same column "${tle.resname ?? ''}"`);
  }
  return { ...tle, expr: { ...e, refexpr: prior.expr } };
}

function findValuesRte(q: Query): { rte: RangeTblEntry; index: number } | null {
  for (const n of q.jointree.fromlist) {
    if (n.type !== 'RangeTblRef') continue;
    const rte = q.rtable[n.rtindex - 1];
    if (rte !== undefined && rte.rtekind === 'RTE_VALUES') return { rte, index: n.rtindex };
  }
  return null;
}

// ---------------------------------------------------------------------------
// Views in FROM.

/** fireRIRrules: every view RTE (at any depth) becomes a subquery of its definition. */
function fireRIRrules(q: Query, catalog: CatalogAccess, activeViews: number[]): void {
  if (activeViews.length > MAX_VIEW_DEPTH) throw new PgError('54001', 'stack depth limit exceeded');
  q.rtable.forEach((rte, i) => {
    if (rte.rtekind === 'RTE_SUBQUERY' && rte.subquery !== null) {
      fireRIRrules(rte.subquery, catalog, activeViews);
      return;
    }
    if (rte.rtekind !== 'RTE_RELATION' || rte.relkind !== 'v') return;
    if (i + 1 === q.resultRelation) return;
    if (activeViews.includes(rte.relid)) {
      throw new PgError('42P17', `infinite recursion detected in rules for relation "${catalog.getRelation(rte.relid).relname}"`);
    }
    const rel = catalog.getRelation(rte.relid);
    if (rel.viewQuery === null) throw new PgError('XX000', `view "${rel.relname}" has no defining query`);
    const sub = structuredClone(rel.viewQuery);
    fireRIRrules(sub, catalog, [...activeViews, rte.relid]);
    // FOR UPDATE on the view locks the rows of its tables.
    const mark = q.rowMarks.find((m) => m.rti === i + 1);
    if (mark !== undefined) markViewRelations(sub, mark.strength, mark.waitPolicy);
    rte.rtekind = 'RTE_SUBQUERY';
    rte.subquery = sub;
    rte.viewRelid = rte.relid;
    rte.relid = 0;
    rte.relkind = '';
    rte.rellockmode = '';
    rte.inh = false;
  });
  for (const cte of q.cteList) fireRIRrules(cte.ctequery, catalog, activeViews);
  // Only queries with sublinks need the expression walk (the common point query has none).
  if (q.hasSubLinks || q.rtable.some((r) => r.rtekind === 'RTE_FUNCTION' || r.rtekind === 'RTE_VALUES')) {
    forEachSubLinkQuery(q, (sub) => fireRIRrules(sub, catalog, activeViews));
  }
}

function markViewRelations(sub: Query, strength: Query['rowMarks'][number]['strength'], waitPolicy: Query['rowMarks'][number]['waitPolicy']): void {
  sub.rtable.forEach((r, i) => {
    if (!r.inFromCl || (r.rtekind !== 'RTE_RELATION' && r.rtekind !== 'RTE_SUBQUERY')) return;
    if (sub.rowMarks.some((m) => m.rti === i + 1)) return;
    // Pushed down (markQueryForLocking): not hasForUpdate, so the view's query may still be pulled up.
    sub.rowMarks.push({ type: 'RowMarkClause', rti: i + 1, strength, waitPolicy, pushedDown: true });
    if (r.rtekind === 'RTE_SUBQUERY' && r.subquery !== null) markViewRelations(r.subquery, strength, waitPolicy);
  });
}

/** Calls fn on each SubLink's subquery of this query level (not descending into range-table subqueries). */
function forEachSubLinkQuery(q: Query, fn: (sub: Query) => void): void {
  const walk = (node: unknown, depth: number): void => {
    if (typeof node !== 'object' || node === null || depth > 10000) return;
    if (Array.isArray(node)) {
      for (const x of node) walk(x, depth + 1);
      return;
    }
    const o = node as { type?: string; subselect?: Query };
    if (o.type === 'Query') return;
    if (o.type === 'SubLink' && o.subselect !== undefined) {
      fn(o.subselect);
    }
    for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) walk(v, depth + 1);
  };
  const { rtable, cteList, ...rest } = q;
  // Walk the fields, not the Query itself (walk stops at Query nodes: those are other levels).
  for (const v of Object.values(rest)) walk(v, 0);
  for (const rte of rtable) {
    walk(rte.functions, 0);
    walk(rte.values_lists, 0);
    walk(rte.joinaliasvars, 0);
  }
  void cteList;
}

// ---------------------------------------------------------------------------
// DML on views.

/**
 * view_query_is_auto_updatable, simplified to the rules that matter here:
 * one base table (or updatable view) in FROM, no DISTINCT, GROUP BY,
 * HAVING, LIMIT/OFFSET, aggregates, window functions, set operations, WITH
 * or set-returning functions, and output columns that are plain columns.
 */
function viewNotUpdatableDetail(v: Query): string | null {
  if (v.distinctClause.length > 0) return 'Views containing DISTINCT are not automatically updatable.';
  if (v.groupClause.length > 0) return 'Views containing GROUP BY are not automatically updatable.';
  if (v.havingQual !== null) return 'Views containing HAVING are not automatically updatable.';
  if (v.setOperations !== null) return 'Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.';
  if (v.cteList.length > 0) return 'Views containing WITH are not automatically updatable.';
  if (v.limitOffset !== null || v.limitCount !== null) return 'Views containing LIMIT or OFFSET are not automatically updatable.';
  if (v.hasAggs) return 'Views that return aggregate functions are not automatically updatable.';
  if (v.hasWindowFuncs) return 'Views that return window functions are not automatically updatable.';
  if (v.hasTargetSRFs) return 'Views that return set-returning functions are not automatically updatable.';
  const from = v.jointree.fromlist;
  const only = from[0];
  if (from.length !== 1 || only === undefined || only.type !== 'RangeTblRef') return 'Views that do not select from a single table or view are not automatically updatable.';
  const base = v.rtable[only.rtindex - 1];
  if (base === undefined || base.rtekind !== 'RTE_RELATION' || (base.relkind !== 'r' && base.relkind !== 'v' && base.relkind !== 'p')) {
    return 'Views that do not select from a single table or view are not automatically updatable.';
  }
  return null;
}

function rewriteTargetView(q: Query, catalog: CatalogAccess): Query {
  const rte = q.rtable[q.resultRelation - 1] as RangeTblEntry;
  if (rte.relkind !== 'v') return q;
  const view = catalog.getRelation(rte.relid);
  const verb = q.commandType === 'CMD_INSERT' ? 'insert into' : q.commandType === 'CMD_UPDATE' ? 'update' : 'delete from';
  const action = q.commandType === 'CMD_INSERT' ? 'INSERT' : q.commandType === 'CMD_UPDATE' ? 'UPDATE' : 'DELETE';
  const notUpdatable = (detail: string): never => {
    throw new PgError('55000', `cannot ${verb} view "${view.relname}"`, {
      detail,
      hint: `To enable ${action === 'INSERT' ? 'inserting into' : action === 'UPDATE' ? 'updating' : 'deleting from'} the view, provide an INSTEAD OF ${action} trigger or an unconditional ON ${action} DO INSTEAD rule.`,
    });
  };
  const vq = view.viewQuery;
  if (vq === null) throw new PgError('XX000', `view "${view.relname}" has no defining query`);
  const detail = viewNotUpdatableDetail(vq);
  if (detail !== null) notUpdatable(detail);
  if (q.onConflict !== null) throw new PgError('0A000', 'INSERT with ON CONFLICT clause cannot be used with a view');
  const baseRef = vq.jointree.fromlist[0] as { rtindex: number };
  const baseRteV = vq.rtable[baseRef.rtindex - 1] as RangeTblEntry;
  // View column k -> base attnum (0 when not a plain column of the base table).
  const viewCols = vq.targetList.filter((t) => !t.resjunk);
  const colMap = viewCols.map((t) => (t.expr.type === 'Var' && t.expr.varno === baseRef.rtindex && t.expr.varlevelsup === 0 && t.expr.varattno > 0 ? t.expr.varattno : 0));
  const assigned = q.commandType === 'CMD_DELETE' ? [] : q.targetList.filter((t) => !t.resjunk);
  for (const tle of assigned) {
    if ((colMap[tle.resno - 1] ?? 0) === 0) {
      throw new PgError('0A000', `cannot ${verb} column "${tle.resname ?? ''}" of view "${view.relname}"`, {
        detail: 'View columns that are not columns of their base relation are not updatable.',
      });
    }
  }
  // The base table becomes the result relation; the view RTE stays for permission-like bookkeeping but is unused.
  const newRte: RangeTblEntry = { ...structuredClone(baseRteV), inFromCl: false, rellockmode: 'RowExclusiveLock' };
  q.rtable.push(newRte);
  const newIndex = q.rtable.length;
  const viewIndex = q.resultRelation;
  // Vars of the view RTE elsewhere in the query (WHERE, RETURNING) become base-table Vars.
  const mapVar = (v: Var): Expr => {
    const tle = viewCols[v.varattno - 1];
    if (tle === undefined) return v;
    const base = colMap[v.varattno - 1] ?? 0;
    if (base > 0) return { ...v, varno: newIndex, varattno: base };
    return remapVars(structuredClone(tle.expr), baseRef.rtindex, newIndex, v.varlevelsup);
  };
  replaceVars(q, viewIndex, mapVar);
  q.resultRelation = newIndex;
  // Nothing refers to the view's own entry any more; it stays only so range-table indexes do not move.
  const old = q.rtable[viewIndex - 1] as RangeTblEntry;
  old.rtekind = 'RTE_RESULT';
  old.inFromCl = false;
  old.rellockmode = 'AccessShareLock';
  for (const tle of assigned) tle.resno = colMap[tle.resno - 1] as number;
  if (q.commandType !== 'CMD_INSERT') {
    // The view's own row filter applies to the rows UPDATE/DELETE can see.
    q.jointree.fromlist = q.jointree.fromlist.map((n) => (n.type === 'RangeTblRef' && n.rtindex === viewIndex ? { type: 'RangeTblRef', rtindex: newIndex } : n));
    if (vq.jointree.quals !== null) {
      const vqual = remapVars(structuredClone(vq.jointree.quals), baseRef.rtindex, newIndex, 0);
      q.jointree.quals = q.jointree.quals === null ? vqual : { type: 'BoolExpr', boolop: 'AND_EXPR', args: [vqual, q.jointree.quals], location: -1 };
    }
  }
  // Nested simple views: the base may itself be a view.
  if (newRte.relkind === 'v') return rewriteTargetView(q, catalog);
  return q;
}

function remapVars<T>(e: T, from: number, to: number, levelsup: number): T {
  const walk = (node: unknown, sub: number, depth: number): void => {
    if (typeof node !== 'object' || node === null || depth > 10000) return;
    if (Array.isArray(node)) {
      node.forEach((x) => walk(x, sub, depth + 1));
      return;
    }
    const o = node as Record<string, unknown>;
    if (o.type === 'Query') {
      for (const v of Object.values(o)) walk(v, sub + 1, depth + 1);
      return;
    }
    if (o.type === 'Var' && o.varno === from && o.varlevelsup === sub) {
      o.varno = to;
      o.varlevelsup = sub + levelsup;
    }
    for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) walk(v, sub, depth + 1);
  };
  walk(e, 0, 0);
  return e;
}

function replaceVars(q: Query, varno: number, fn: (v: Var) => Expr): void {
  const walk = (node: unknown, sub: number, depth: number): unknown => {
    if (typeof node !== 'object' || node === null || depth > 10000) return node;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = walk(node[i], sub, depth + 1);
      return node;
    }
    const o = node as Record<string, unknown>;
    if (o.type === 'Query') {
      for (const k of Object.keys(o)) if (k !== 'rtable' || sub >= 0) o[k] = walk(o[k], sub + 1, depth + 1);
      return node;
    }
    if (o.type === 'Var' && o.varno === varno && o.varlevelsup === sub) {
      const v = fn({ ...(o as unknown as Var), varlevelsup: 0 });
      return remapLevels(v, sub);
    }
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (typeof v === 'object' && v !== null) o[k] = walk(v, sub, depth + 1);
    }
    return node;
  };
  q.targetList = walk(q.targetList, 0, 0) as TargetEntry[];
  q.returningList = walk(q.returningList, 0, 0) as TargetEntry[];
  q.jointree = walk(q.jointree, 0, 0) as Query['jointree'];
}

function remapLevels(e: Expr, sub: number): Expr {
  if (sub === 0) return e;
  const walk = (node: unknown, depth: number): void => {
    if (typeof node !== 'object' || node === null || depth > 10000) return;
    if (Array.isArray(node)) {
      node.forEach((x) => walk(x, depth + 1));
      return;
    }
    const o = node as Record<string, unknown>;
    if (o.type === 'Var') o.varlevelsup = (o.varlevelsup as number) + sub;
    for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) walk(v, depth + 1);
  };
  walk(e, 0);
  return e;
}
