/*
 * analyze_print.ts — an analyzed Query as indented text, for the
 * playground's "analyzed query" view and for debugging.
 *
 * Exports:
 *   printQuery(query): string   the range table, join tree, target list and
 *                               clauses, one item per line
 *   printExpr(expr, rtables)    one expression: Vars as alias.column (outer
 *                               levels through rtables[varlevelsup]),
 *                               operators and functions by name, each
 *                               constant with its type
 *
 * nodes/outfuncs.ts's nodeToString is the exact (JSON) form; this is the
 * readable one and loses detail on purpose (no typmods, no locations).
 */

import type { Query, RangeTblEntry, SetOperationStmt } from '../nodes/parsenodes.ts';
import type { Expr, JoinTreeNode, SortGroupClause, TargetEntry } from '../nodes/primnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { findFunctionByOid, lookupOperatorByOid } from '../utils/fmgr/fmgrtab.ts';
import { formatTypeWithTypmod } from './parse_type.ts';

/** Printing stops descending past this depth (deep expression chains stay printable). */
const MAX_PRINT_DEPTH = 200;

function typeName(oid: number): string {
  try {
    return formatTypeWithTypmod(oid, -1);
  } catch {
    return String(oid);
  }
}

function opName(opno: number): string {
  try {
    return lookupOperatorByOid(opno).oprname;
  } catch {
    return `op${opno}`;
  }
}

function funcName(oid: number): string {
  return findFunctionByOid(oid)?.proname ?? `func${oid}`;
}

function constText(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return `'\\x${[...v].map((b) => b.toString(16).padStart(2, '0')).join('')}'`;
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** One expression. rtables[0] is the query's range table, rtables[1] its parent's, ... */
export function printExpr(e: Expr | null, rtables: RangeTblEntry[][], depth = 0): string {
  if (e === null) return 'NULL';
  if (depth > MAX_PRINT_DEPTH) return '...';
  const p = (x: Expr | null): string => printExpr(x, rtables, depth + 1);
  const list = (xs: Expr[]): string => xs.map(p).join(', ');
  switch (e.type) {
    case 'Var': {
      const rte = rtables[e.varlevelsup]?.[e.varno - 1];
      if (rte === undefined) return `$var(${e.varno},${e.varattno})`;
      const col = e.varattno === 0 ? '*' : e.varattno === -1 ? 'ctid' : e.varattno === -6 ? 'tableoid' : (rte.eref.colnames[e.varattno - 1] ?? `#${e.varattno}`);
      return `${rte.eref.aliasname}.${col}${e.varlevelsup > 0 ? `^${e.varlevelsup}` : ''}`;
    }
    case 'Const': return e.constisnull ? `NULL::${typeName(e.consttype)}` : `${constText(e.constvalue)}::${typeName(e.consttype)}`;
    case 'Param': return e.paramkind === 'PARAM_EXTERN' ? `$${e.paramid}` : `$exec${e.paramid}`;
    case 'CaseTestExpr': return 'CaseTest';
    case 'SetToDefault': return 'DEFAULT';
    case 'FuncExpr':
      if (e.funcformat === 'COERCE_IMPLICIT_CAST' || e.funcformat === 'COERCE_EXPLICIT_CAST') return `${p(e.args[0] ?? null)}::${typeName(e.funcresulttype)}`;
      return `${funcName(e.funcid)}(${list(e.args)})`;
    case 'OpExpr':
    case 'DistinctExpr':
    case 'NullIfExpr': {
      const name = e.type === 'DistinctExpr' ? 'IS DISTINCT FROM' : opName(e.opno);
      if (e.type === 'NullIfExpr') return `NULLIF(${list(e.args)})`;
      return e.args.length === 1 ? `(${name} ${p(e.args[0] ?? null)})` : `(${p(e.args[0] ?? null)} ${name} ${p(e.args[1] ?? null)})`;
    }
    case 'ScalarArrayOpExpr': return `(${p(e.args[0] ?? null)} ${opName(e.opno)} ${e.useOr ? 'ANY' : 'ALL'} (${p(e.args[1] ?? null)}))`;
    case 'BoolExpr':
      if (e.boolop === 'NOT_EXPR') return `(NOT ${p(e.args[0] ?? null)})`;
      return `(${e.args.map(p).join(e.boolop === 'AND_EXPR' ? ' AND ' : ' OR ')})`;
    case 'Aggref': {
      const args = e.aggstar ? '*' : e.args.map((t) => p(t.expr)).join(', ');
      const filter = e.aggfilter !== null ? ` FILTER (WHERE ${p(e.aggfilter)})` : '';
      return `${funcName(e.aggfnoid)}(${e.aggdistinct.length > 0 ? 'DISTINCT ' : ''}${args})${filter}${e.agglevelsup > 0 ? `^${e.agglevelsup}` : ''}`;
    }
    case 'WindowFunc': return `${funcName(e.winfnoid)}(${e.winstar ? '*' : list(e.args)}) OVER w${e.winref}`;
    case 'RelabelType': return `${p(e.arg)}::${typeName(e.resulttype)}`;
    case 'CoerceViaIO': return `${p(e.arg)}::${typeName(e.resulttype)}`;
    case 'ArrayCoerceExpr': return `${p(e.arg)}::${typeName(e.resulttype)}`;
    case 'CaseExpr':
      return `CASE${e.arg !== null ? ` ${p(e.arg)}` : ''} ${e.args.map((w) => `WHEN ${p(w.expr)} THEN ${p(w.result)}`).join(' ')} ELSE ${p(e.defresult)} END`;
    case 'ArrayExpr': return `ARRAY[${list(e.elements)}]`;
    case 'RowExpr': return `ROW(${list(e.args)})`;
    case 'RowCompareExpr': return `(ROW(${list(e.largs)}) ${e.rctype} ROW(${list(e.rargs)}))`;
    case 'CoalesceExpr': return `COALESCE(${list(e.args)})`;
    case 'MinMaxExpr': return `${e.op === 'IS_GREATEST' ? 'GREATEST' : 'LEAST'}(${list(e.args)})`;
    case 'SQLValueFunction': return e.op.replace('SVFOP_', '');
    case 'NullTest': return `(${p(e.arg)} ${e.nulltesttype === 'IS_NULL' ? 'IS NULL' : 'IS NOT NULL'})`;
    case 'BooleanTest': return `(${p(e.arg)} ${e.booltesttype.replace(/_/g, ' ')})`;
    case 'NextValueExpr': return `nextval(${e.seqid})`;
    case 'SubLink': {
      const test = e.testexpr !== null ? ` test ${printExpr(e.testexpr, rtables, depth + 1)}` : '';
      return `${e.subLinkType}(subquery: ${e.subselect.targetList.filter((t) => !t.resjunk).length} column(s))${test}`;
    }
    case 'SubPlan': return `SubPlan ${e.plan_id}`;
    case 'SubscriptingRef': {
      const subs = e.refupperindexpr.map((u, i) => {
        const l = e.reflowerindexpr[i];
        return e.reflowerindexpr.length > 0 ? `[${l === null || l === undefined ? '' : p(l)}:${u === null ? '' : p(u)}]` : `[${p(u)}]`;
      }).join('');
      return `${p(e.refexpr)}${subs}${e.refassgnexpr !== null ? ` := ${p(e.refassgnexpr)}` : ''}`;
    }
  }
}

function printJoinTree(n: JoinTreeNode | SetOperationStmt, rtable: RangeTblEntry[], rtables: RangeTblEntry[][]): string {
  switch (n.type) {
    case 'RangeTblRef': return `${n.rtindex}:${rtable[n.rtindex - 1]?.eref.aliasname ?? '?'}`;
    case 'JoinExpr': {
      const on = n.usingClause.length > 0 ? ` USING (${n.usingClause.join(', ')})` : n.quals !== null ? ` ON ${printExpr(n.quals, rtables)}` : '';
      return `(${printJoinTree(n.larg, rtable, rtables)} ${n.jointype.replace('JOIN_', '')} JOIN ${printJoinTree(n.rarg, rtable, rtables)}${on})`;
    }
    case 'FromExpr':
      return n.fromlist.map((x) => printJoinTree(x, rtable, rtables)).join(', ') + (n.quals !== null ? ` WHERE ${printExpr(n.quals, rtables)}` : '');
    case 'SetOperationStmt':
      return `(${printJoinTree(n.larg, rtable, rtables)} ${n.op.replace('SETOP_', '')}${n.all ? ' ALL' : ''} ${printJoinTree(n.rarg, rtable, rtables)})`;
  }
}

function printSort(list: SortGroupClause[], tl: TargetEntry[], rtables: RangeTblEntry[][]): string {
  return list.map((s) => {
    const tle = tl.find((t) => t.ressortgroupref === s.tleSortGroupRef);
    return `${tle === undefined ? '?' : printExpr(tle.expr, rtables)} (sortop ${s.sortop}${s.nulls_first ? ', nulls first' : ''})`;
  }).join(', ');
}

function printRTE(r: RangeTblEntry, i: number): string {
  const cols = `(${r.eref.colnames.filter((c) => c !== '').join(', ')})`;
  switch (r.rtekind) {
    case 'RTE_RELATION': return `${i} relation ${r.eref.aliasname} ${cols} oid=${r.relid} relkind=${r.relkind} lock=${r.rellockmode}`;
    case 'RTE_SUBQUERY': return `${i} subquery ${r.eref.aliasname} ${cols}${r.viewRelid !== 0 ? ` (view ${r.viewRelid})` : ''}${r.lateral ? ' LATERAL' : ''}`;
    case 'RTE_JOIN': return `${i} join ${r.eref.aliasname} ${r.jointype} ${cols}`;
    case 'RTE_FUNCTION': return `${i} function ${r.eref.aliasname} ${cols}${r.funcordinality ? ' WITH ORDINALITY' : ''}`;
    case 'RTE_VALUES': return `${i} values ${r.eref.aliasname} ${cols} rows=${r.values_lists.length}`;
    case 'RTE_CTE': return `${i} cte ${r.ctename} ${cols} levelsup=${r.ctelevelsup}${r.self_reference ? ' self' : ''}`;
    case 'RTE_RESULT': return `${i} result`;
  }
}

/** A Query as indented text. */
export function printQuery(q: Query, indent = '', parents: RangeTblEntry[][] = []): string {
  const out: string[] = [];
  const rtables = [q.rtable, ...parents];
  const line = (s: string): void => {
    out.push(indent + s);
  };
  line(`Query ${q.commandType}${q.resultRelation !== 0 ? ` result=${q.resultRelation}` : ''}`);
  if (q.commandType === 'CMD_UTILITY') {
    line(`  utility ${q.utilityStmt?.type ?? ''}`);
    return out.join('\n');
  }
  for (const cte of q.cteList) {
    line(`  WITH ${cte.ctename}(${cte.ctecolnames.join(', ')})${cte.cterecursive ? ' RECURSIVE' : ''}:`);
    out.push(printQuery(cte.ctequery, `${indent}    `, rtables));
  }
  line('  rtable:');
  q.rtable.forEach((r, i) => {
    line(`    ${printRTE(r, i + 1)}`);
    if (r.rtekind === 'RTE_SUBQUERY' && r.subquery !== null) out.push(printQuery(r.subquery, `${indent}      `, rtables));
    for (const f of r.functions) line(`      ${printExpr(f.funcexpr, rtables)}`);
    for (const row of r.values_lists) line(`      (${row.map((e) => printExpr(e, rtables)).join(', ')})`);
  });
  if (q.setOperations !== null) line(`  setop: ${printJoinTree(q.setOperations, q.rtable, rtables)}`);
  else line(`  from: ${printJoinTree(q.jointree, q.rtable, rtables)}`);
  line('  targetList:');
  for (const t of q.targetList) {
    line(`    ${t.resno} ${t.resname ?? ''}${t.resjunk ? ' (junk)' : ''} := ${printExpr(t.expr, rtables)} : ${typeName(exprType(t.expr))}`);
  }
  if (q.groupClause.length > 0) line(`  GROUP BY ${printSort(q.groupClause, q.targetList, rtables)}`);
  if (q.havingQual !== null) line(`  HAVING ${printExpr(q.havingQual, rtables)}`);
  for (const w of q.windowClause) line(`  WINDOW w${w.winref}${w.name !== null ? ` (${w.name})` : ''}: PARTITION BY ${printSort(w.partitionClause, q.targetList, rtables)} ORDER BY ${printSort(w.orderClause, q.targetList, rtables)}`);
  if (q.distinctClause.length > 0) line(`  DISTINCT${q.hasDistinctOn ? ' ON' : ''} ${printSort(q.distinctClause, q.targetList, rtables)}`);
  if (q.sortClause.length > 0) line(`  ORDER BY ${printSort(q.sortClause, q.targetList, rtables)}`);
  if (q.limitOffset !== null) line(`  OFFSET ${printExpr(q.limitOffset, rtables)}`);
  if (q.limitCount !== null) line(`  LIMIT ${printExpr(q.limitCount, rtables)}${q.limitOption === 'LIMIT_OPTION_WITH_TIES' ? ' WITH TIES' : ''}`);
  for (const m of q.rowMarks) line(`  ${m.strength} of ${m.rti}`);
  if (q.onConflict !== null) {
    line(`  ON CONFLICT ${q.onConflict.action} arbiters=${q.onConflict.arbiterIndexes.join(',')}`);
    for (const t of q.onConflict.onConflictSet) line(`    SET ${t.resname ?? ''} := ${printExpr(t.expr, rtables)}`);
  }
  if (q.returningList.length > 0) line(`  RETURNING ${q.returningList.map((t) => `${printExpr(t.expr, rtables)} AS ${t.resname ?? ''}`).join(', ')}`);
  return out.join('\n');
}
