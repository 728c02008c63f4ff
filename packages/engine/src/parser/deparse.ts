/*
 * deparse.ts — raw parse tree back to SQL text.
 *
 * Exports: deparse(), deparseStmt(), deparseExpr(), quoteIdentifier(),
 *          quoteLiteral(); and the expression and query printers that
 *          deparse_stmt.ts (INSERT/UPDATE/DELETE, DDL, utility) builds on.
 *
 * The output is canonical rather than pretty: every compound expression is
 * parenthesized and every name goes through quoteIdentifier(), so that
 * parse(deparse(tree)) gives back the same tree (locations aside). That
 * property is what the round-trip tests check, and what lets the playground
 * show "what the parser understood". It is not ruleutils.c: it prints the
 * raw tree, before any name resolution.
 */

import { PgError } from '../utils/errors.ts';
import { MAX_PARSE_DEPTH, ERRCODE_STATEMENT_TOO_COMPLEX } from './gramparse.ts';
import { lookupKeyword } from './kwlist.ts';
import { stmt } from './deparse_stmt.ts';
import type { LockingClause, RawStmt, SelectStmt, Stmt, WithClause } from './nodes.ts';
import { FRAMEOPTION as F, type A_Const, type A_Expr, type A_Indices, type A_Star, type Alias, type FuncCall, type Node, type RangeVar, type ResTarget, type SortBy, type TypeName, type WindowDef } from './primnodes.ts';

/** quote_identifier(): bare when lower-case, identifier-shaped and not a non-unreserved keyword. */
export function quoteIdentifier(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name)) {
    const kw = lookupKeyword(name);
    if (kw === undefined || kw.category === 'U') return name;
  }
  return '"' + name.replace(/"/g, '""') + '"';
}

/** A standard-conforming string literal. */
export function quoteLiteral(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

export const qn = (names: string[]): string => names.map(quoteIdentifier).join('.');

/** The statements of a parse, joined by semicolons. */
export function deparse(stmts: RawStmt[]): string {
  return stmts.map((s) => deparseStmt(s.stmt)).join(';\n');
}

/** One statement as SQL text. */
export function deparseStmt(s: Stmt): string {
  depth = 0;
  return stmt(s);
}

let depth = 0;
function guard<T>(f: () => T): T {
  if (++depth > MAX_PARSE_DEPTH * 4) {
    depth = 0;
    throw new PgError(ERRCODE_STATEMENT_TOO_COMPLEX, 'stack depth limit exceeded');
  }
  try {
    return f();
  } finally {
    depth--;
  }
}

export function deparseExpr(n: Node): string {
  return guard(() => expr(n));
}

function list(ns: Node[]): string {
  return ns.map(expr).join(', ');
}

export function constText(c: A_Const): string {
  if (c.isnull || c.val === undefined) return 'NULL';
  const v = c.val;
  switch (v.type) {
    case 'Integer':
      return v.ival < 0 || Object.is(v.ival, -0) ? `(${v.ival === 0 ? '-0' : v.ival})` : String(v.ival);
    case 'Float':
      return v.fval.startsWith('-') ? `(${v.fval})` : v.fval;
    case 'String':
      return quoteLiteral(v.sval);
    case 'Boolean':
      return v.boolval ? 'TRUE' : 'FALSE';
    case 'BitString':
      return v.bsval[0].toUpperCase() + quoteLiteral(v.bsval.slice(1));
  }
}

export function indirection(ind: (A_Indices | string | A_Star)[]): string {
  return ind
    .map((i) => {
      if (typeof i === 'string') return '.' + quoteIdentifier(i);
      if (i.type === 'A_Star') return '.*';
      if (i.is_slice) return `[${i.lidx ? expr(i.lidx) : ''}:${i.uidx ? expr(i.uidx) : ''}]`;
      return `[${expr(i.uidx!)}]`;
    })
    .join('');
}

function opName(name: string[]): string {
  if (name.length === 1) return name[0];
  return `OPERATOR(${name.slice(0, -1).map(quoteIdentifier).join('.')}.${name[name.length - 1]})`;
}

/** Print an expression so that it can stand as an operand anywhere. */
export function expr(n: Node): string {
  return guard(() => exprInner(n));
}

function exprInner(n: Node): string {
  switch (n.type) {
    case 'A_Const':
      return constText(n);
    case 'ColumnRef':
      return n.fields.map((f) => (typeof f === 'string' ? quoteIdentifier(f) : '*')).join('.');
    case 'ParamRef':
      return `$${n.number}`;
    case 'TypeCast':
      return `(${expr(n.arg)}::${typeName(n.typeName)})`;
    case 'CollateClause':
      return `(${expr(n.arg!)} COLLATE ${qn(n.collname)})`;
    case 'A_Expr':
      return aexpr(n);
    case 'BoolExpr':
      if (n.boolop === 'NOT_EXPR') return `(NOT ${expr(n.args[0])})`;
      return '(' + n.args.map(expr).join(n.boolop === 'AND_EXPR' ? ' AND ' : ' OR ') + ')';
    case 'NullTest':
      return `(${expr(n.arg)} ${n.nulltesttype === 'IS_NULL' ? 'IS NULL' : 'IS NOT NULL'})`;
    case 'BooleanTest':
      return `(${expr(n.arg)} ${n.booltesttype.replace(/_/g, ' ')})`;
    case 'FuncCall':
      return funcCall(n);
    case 'A_Indirection':
      return `(${expr(n.arg)})${indirection(n.indirection)}`;
    case 'A_ArrayExpr':
      return `ARRAY[${list(n.elements)}]`;
    case 'CaseExpr': {
      let s = 'CASE';
      if (n.arg) s += ' ' + expr(n.arg);
      for (const w of n.args) s += ` WHEN ${expr(w.expr)} THEN ${expr(w.result)}`;
      if (n.defresult) s += ` ELSE ${expr(n.defresult)}`;
      return s + ' END';
    }
    case 'CoalesceExpr':
      return `COALESCE(${list(n.args)})`;
    case 'MinMaxExpr':
      return `${n.op === 'IS_GREATEST' ? 'GREATEST' : 'LEAST'}(${list(n.args)})`;
    case 'RowExpr':
      return n.row_format === 'COERCE_EXPLICIT_CALL' ? `ROW(${list(n.args)})` : `(${list(n.args)})`;
    case 'SQLValueFunction': {
      const name = n.op.slice('SVFOP_'.length).replace(/_N$/, '');
      return n.op.endsWith('_N') ? `${name}(${n.typmod})` : name;
    }
    case 'SubLink': {
      const q = selectStmt(n.subselect);
      switch (n.subLinkType) {
        case 'EXISTS_SUBLINK':
          return `EXISTS (${q})`;
        case 'ARRAY_SUBLINK':
          return `ARRAY(${q})`;
        case 'EXPR_SUBLINK':
          return `(${q})`;
        case 'ANY_SUBLINK':
          if (n.operName.length === 0) return `(${expr(n.testexpr!)} IN (${q}))`;
          return `(${expr(n.testexpr!)} ${opName(n.operName)} ANY (${q}))`;
        case 'ALL_SUBLINK':
          return `(${expr(n.testexpr!)} ${opName(n.operName)} ALL (${q}))`;
      }
      throw new Error(`deparse: unexpected ${n.subLinkType}`);
    }
    case 'SetToDefault':
      return 'DEFAULT';
    case 'SelectStmt':
      return `(${selectStmt(n)})`;
  }
  throw new Error(`deparse: unexpected expression node ${n.type}`);
}

function aexpr(n: A_Expr): string {
  const l = n.lexpr;
  const r = n.rexpr;
  const op = opName(n.name);
  const rl = (): Node[] => r as Node[];
  const rn = (): Node => r as Node;
  switch (n.kind) {
    case 'AEXPR_OP':
      return l === null ? `(${op} ${expr(rn())})` : `(${expr(l)} ${op} ${expr(rn())})`;
    case 'AEXPR_OP_ANY':
      return `(${expr(l!)} ${op} ANY (${expr(rn())}))`;
    case 'AEXPR_OP_ALL':
      return `(${expr(l!)} ${op} ALL (${expr(rn())}))`;
    case 'AEXPR_DISTINCT':
      return `(${expr(l!)} IS DISTINCT FROM ${expr(rn())})`;
    case 'AEXPR_NOT_DISTINCT':
      return `(${expr(l!)} IS NOT DISTINCT FROM ${expr(rn())})`;
    case 'AEXPR_NULLIF':
      return `NULLIF(${expr(l!)}, ${expr(rn())})`;
    case 'AEXPR_IN':
      return `(${expr(l!)} ${n.name[0] === '=' ? 'IN' : 'NOT IN'} (${list(rl())}))`;
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
    case 'AEXPR_SIMILAR': {
      const not = n.name[0].startsWith('!') ? 'NOT ' : '';
      const word = n.kind === 'AEXPR_LIKE' ? 'LIKE' : n.kind === 'AEXPR_ILIKE' ? 'ILIKE' : 'SIMILAR TO';
      const pat = rn();
      const escFn = n.kind === 'AEXPR_SIMILAR' ? 'similar_to_escape' : 'like_escape';
      if (pat.type === 'FuncCall' && pat.funcname.length === 2 && pat.funcname[0] === 'pg_catalog' && pat.funcname[1] === escFn) {
        const esc = pat.args.length === 2 ? ` ESCAPE ${expr(pat.args[1])}` : '';
        return `(${expr(l!)} ${not}${word} ${expr(pat.args[0])}${esc})`;
      }
      return `(${expr(l!)} ${not}${word} ${expr(pat)})`;
    }
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN':
    case 'AEXPR_BETWEEN_SYM':
    case 'AEXPR_NOT_BETWEEN_SYM':
      return `(${expr(l!)} ${n.name[0]} ${expr(rl()[0])} AND ${expr(rl()[1])})`;
  }
}

function funcCall(n: FuncCall): string {
  if (n.funcformat === 'COERCE_SQL_SYNTAX' && n.funcname.length === 2 && n.funcname[0] === 'pg_catalog') {
    const a = n.args;
    switch (n.funcname[1]) {
      case 'extract':
        return `EXTRACT(${expr(a[0])} FROM ${expr(a[1])})`;
      case 'position':
        return `POSITION(${expr(a[1])} IN ${expr(a[0])})`;
      case 'substring':
        return `SUBSTRING(${expr(a[0])} FROM ${expr(a[1])}${a.length > 2 ? ` FOR ${expr(a[2])}` : ''})`;
      case 'overlay':
        return `OVERLAY(${expr(a[0])} PLACING ${expr(a[1])} FROM ${expr(a[2])}${a.length > 3 ? ` FOR ${expr(a[3])}` : ''})`;
      case 'btrim':
      case 'ltrim':
      case 'rtrim':
        return `TRIM(${{ btrim: 'BOTH', ltrim: 'LEADING', rtrim: 'TRAILING' }[n.funcname[1]]} FROM ${list(a)})`;
      case 'timezone':
        return a.length === 1 ? `(${expr(a[0])} AT LOCAL)` : `(${expr(a[1])} AT TIME ZONE ${expr(a[0])})`;
      case 'pg_collation_for':
        return `COLLATION FOR (${expr(a[0])})`;
      case 'system_user':
        return 'SYSTEM_USER';
    }
  }
  let s = qn(n.funcname) + '(';
  if (n.agg_star) s += '*';
  else {
    if (n.agg_distinct) s += 'DISTINCT ';
    const args = n.args.map(expr);
    if (n.func_variadic) args[args.length - 1] = 'VARIADIC ' + args[args.length - 1];
    s += args.join(', ');
    if (n.agg_order.length > 0 && !n.agg_within_group) s += ' ORDER BY ' + sortList(n.agg_order);
  }
  s += ')';
  if (n.agg_within_group) s += ` WITHIN GROUP (ORDER BY ${sortList(n.agg_order)})`;
  if (n.agg_filter) s += ` FILTER (WHERE ${expr(n.agg_filter)})`;
  if (n.over) s += ' OVER ' + windowDef(n.over);
  return s;
}

export function sortList(list: SortBy[]): string {
  return list
    .map((s) => {
      let t = expr(s.node);
      if (s.sortby_dir === 'SORTBY_ASC') t += ' ASC';
      else if (s.sortby_dir === 'SORTBY_DESC') t += ' DESC';
      else if (s.sortby_dir === 'SORTBY_USING') t += ` USING ${opName(s.useOp)}`;
      if (s.sortby_nulls === 'SORTBY_NULLS_FIRST') t += ' NULLS FIRST';
      else if (s.sortby_nulls === 'SORTBY_NULLS_LAST') t += ' NULLS LAST';
      return t;
    })
    .join(', ');
}

function windowDef(w: WindowDef): string {
  if (w.name !== null && w.refname === null && w.partitionClause.length === 0 && w.orderClause.length === 0 && !(w.frameOptions & F.NONDEFAULT)) {
    return quoteIdentifier(w.name);
  }
  const parts: string[] = [];
  if (w.refname !== null) parts.push(quoteIdentifier(w.refname));
  if (w.partitionClause.length > 0) parts.push('PARTITION BY ' + list(w.partitionClause));
  if (w.orderClause.length > 0) parts.push('ORDER BY ' + sortList(w.orderClause));
  const o = w.frameOptions;
  if (o & F.NONDEFAULT) {
    let s = o & F.RANGE ? 'RANGE ' : o & F.ROWS ? 'ROWS ' : 'GROUPS ';
    const bound = (shift: number, offset: Node | null): string => {
      if (o & (F.START_UNBOUNDED_PRECEDING << shift)) return 'UNBOUNDED PRECEDING';
      if (o & (F.START_UNBOUNDED_FOLLOWING << shift)) return 'UNBOUNDED FOLLOWING';
      if (o & (F.START_CURRENT_ROW << shift)) return 'CURRENT ROW';
      if (o & (F.START_OFFSET_PRECEDING << shift)) return `${expr(offset!)} PRECEDING`;
      return `${expr(offset!)} FOLLOWING`;
    };
    s += o & F.BETWEEN ? `BETWEEN ${bound(0, w.startOffset)} AND ${bound(1, w.endOffset)}` : bound(0, w.startOffset);
    if (o & F.EXCLUDE_CURRENT_ROW) s += ' EXCLUDE CURRENT ROW';
    if (o & F.EXCLUDE_GROUP) s += ' EXCLUDE GROUP';
    if (o & F.EXCLUDE_TIES) s += ' EXCLUDE TIES';
    parts.push(s);
  }
  return `(${parts.join(' ')})`;
}

/** Built-in types printed with their SQL spelling (the reverse of gram_type.ts). */
export function typeName(t: TypeName): string {
  let s: string;
  const mods = t.typmods;
  const modList = mods.length > 0 ? `(${list(mods)})` : '';
  const sys = t.names.length === 2 && t.names[0] === 'pg_catalog' ? t.names[1] : null;
  const intMods = mods.every((m) => m.type === 'A_Const' && m.val?.type === 'Integer');
  const one = mods.length === 1 && intMods && (mods[0] as A_Const).val?.type === 'Integer' && ((mods[0] as A_Const).val as { ival: number }).ival === 1;
  switch (sys !== null && intMods ? sys : '') {
    case 'int4':
    case 'int2':
    case 'int8':
    case 'float4':
    case 'float8':
    case 'bool':
      s = mods.length === 0 ? { int4: 'integer', int2: 'smallint', int8: 'bigint', float4: 'real', float8: 'double precision', bool: 'boolean' }[sys!]! : qn(t.names) + modList;
      break;
    case 'numeric':
      s = 'numeric' + modList;
      break;
    case 'bpchar':
      s = mods.length === 1 ? `character${modList}` : qn(t.names) + modList;
      break;
    case 'varchar':
      s = 'character varying' + modList;
      break;
    case 'bit':
      s = one || mods.length === 1 ? `bit${modList}` : qn(t.names) + modList;
      break;
    case 'varbit':
      s = 'bit varying' + modList;
      break;
    case 'timestamp':
    case 'time':
      s = `${sys}${modList} without time zone`;
      break;
    case 'timestamptz':
    case 'timetz':
      s = `${sys!.slice(0, -2)}${modList} with time zone`;
      break;
    case 'json':
      s = mods.length === 0 ? 'json' : qn(t.names) + modList;
      break;
    default:
      s = qn(t.names) + modList;
  }
  for (const b of t.arrayBounds) s += b < 0 ? '[]' : `[${b}]`;
  return (t.setof ? 'SETOF ' : '') + s;
}

/** opt_interval from an interval typmod list: [mask] or [mask, precision]. */
export function intervalFields(mods: Node[]): string {
  if (mods.length === 0) return '';
  const ival = (n: Node): number => ((n as A_Const).val as { ival: number }).ival;
  const names: Record<number, string> = {
    4: 'YEAR', 2: 'MONTH', 8: 'DAY', 1024: 'HOUR', 2048: 'MINUTE', 4096: 'SECOND', 6: 'YEAR TO MONTH', 1032: 'DAY TO HOUR',
    3080: 'DAY TO MINUTE', 7176: 'DAY TO SECOND', 3072: 'HOUR TO MINUTE', 7168: 'HOUR TO SECOND', 6144: 'MINUTE TO SECOND',
  };
  const s = names[ival(mods[0])];
  if (s === undefined) throw new Error(`deparse: unexpected interval mask ${ival(mods[0])}`);
  return ' ' + s + (mods.length > 1 ? `(${ival(mods[1])})` : '');
}

// ---------------------------------------------------------------------------
// Queries.

export function withClause(w: WithClause | null): string {
  if (w === null) return '';
  const ctes = w.ctes.map((c) => {
    let s = quoteIdentifier(c.ctename);
    if (c.aliascolnames.length > 0) s += ` (${c.aliascolnames.map(quoteIdentifier).join(', ')})`;
    s += ' AS ';
    if (c.ctematerialized === 'CTEMaterializeAlways') s += 'MATERIALIZED ';
    else if (c.ctematerialized === 'CTEMaterializeNever') s += 'NOT MATERIALIZED ';
    return s + `(${stmt(c.ctequery)})`;
  });
  return `WITH ${w.recursive ? 'RECURSIVE ' : ''}${ctes.join(', ')} `;
}

export function targetList(ts: ResTarget[]): string {
  return ts.map((t) => expr(t.val!) + (t.name !== null ? ' AS ' + quoteIdentifier(t.name) : '')).join(', ');
}

function alias(a: Alias | null): string {
  if (a === null) return '';
  return ` AS ${quoteIdentifier(a.aliasname)}${a.colnames.length > 0 ? ` (${a.colnames.map(quoteIdentifier).join(', ')})` : ''}`;
}

export function rangeVar(r: RangeVar, withAlias = true): string {
  const names = [r.catalogname, r.schemaname, r.relname].filter((x): x is string => x !== null);
  return (r.inh ? '' : 'ONLY ') + qn(names) + (withAlias ? alias(r.alias) : '');
}

export function fromItem(n: Node): string {
  return guard(() => {
    switch (n.type) {
      case 'RangeVar':
        return rangeVar(n);
      case 'RangeSubselect':
        return `${n.lateral ? 'LATERAL ' : ''}(${selectStmt(n.subquery)})${alias(n.alias)}`;
      case 'RangeFunction': {
        let s = (n.lateral ? 'LATERAL ' : '') + expr(n.functions[0][0]);
        if (n.ordinality) s += ' WITH ORDINALITY';
        if (n.coldeflist.length > 0) {
          const defs = n.coldeflist.map((c) => `${quoteIdentifier(c.colname)} ${typeName(c.typeName)}`).join(', ');
          s += ` AS ${n.alias ? quoteIdentifier(n.alias.aliasname) + ' ' : ''}(${defs})`;
        } else s += alias(n.alias);
        return s;
      }
      case 'JoinExpr': {
        let s = '(' + fromItem(n.larg) + ' ';
        const cross = !n.isNatural && n.jointype === 'JOIN_INNER' && n.quals === null && n.usingClause.length === 0;
        if (cross) s += 'CROSS JOIN ';
        else {
          if (n.isNatural) s += 'NATURAL ';
          s += { JOIN_INNER: '', JOIN_LEFT: 'LEFT ', JOIN_RIGHT: 'RIGHT ', JOIN_FULL: 'FULL ' }[n.jointype] + 'JOIN ';
        }
        s += fromItem(n.rarg);
        if (n.usingClause.length > 0) {
          s += ` USING (${n.usingClause.map(quoteIdentifier).join(', ')})`;
          if (n.join_using_alias) s += ` AS ${quoteIdentifier(n.join_using_alias.aliasname)}`;
        } else if (n.quals !== null) s += ` ON ${expr(n.quals)}`;
        return s + ')' + alias(n.alias);
      }
    }
    throw new Error(`deparse: unexpected FROM item ${n.type}`);
  });
}

function locking(l: LockingClause): string {
  let s = ' FOR ' + { LCS_FORUPDATE: 'UPDATE', LCS_FORNOKEYUPDATE: 'NO KEY UPDATE', LCS_FORSHARE: 'SHARE', LCS_FORKEYSHARE: 'KEY SHARE' }[l.strength];
  if (l.lockedRels.length > 0) s += ' OF ' + l.lockedRels.map((r) => rangeVar(r)).join(', ');
  if (l.waitPolicy === 'LockWaitError') s += ' NOWAIT';
  else if (l.waitPolicy === 'LockWaitSkip') s += ' SKIP LOCKED';
  return s;
}

export function selectStmt(s: SelectStmt): string {
  return guard(() => {
    let out = withClause(s.withClause);
    if (s.op !== 'SETOP_NONE') {
      const op = { SETOP_UNION: 'UNION', SETOP_INTERSECT: 'INTERSECT', SETOP_EXCEPT: 'EXCEPT' }[s.op];
      out += `(${selectStmt(s.larg!)}) ${op}${s.all ? ' ALL' : ''} (${selectStmt(s.rarg!)})`;
    } else if (s.valuesLists.length > 0) {
      out += 'VALUES ' + s.valuesLists.map((row) => `(${list(row)})`).join(', ');
    } else {
      out += 'SELECT';
      if (s.distinctClause !== null) out += s.distinctClause.length === 0 ? ' DISTINCT' : ` DISTINCT ON (${list(s.distinctClause)})`;
      if (s.targetList.length > 0) out += ' ' + targetList(s.targetList);
      if (s.fromClause.length > 0) out += ' FROM ' + s.fromClause.map(fromItem).join(', ');
      if (s.whereClause) out += ' WHERE ' + expr(s.whereClause);
      if (s.groupClause.length > 0 || s.groupDistinct) out += ` GROUP BY ${s.groupDistinct ? 'DISTINCT ' : ''}${list(s.groupClause)}`;
      if (s.havingClause) out += ' HAVING ' + expr(s.havingClause);
      if (s.windowClause.length > 0) out += ' WINDOW ' + s.windowClause.map((w) => `${quoteIdentifier(w.name!)} AS ${windowDef({ ...w, name: null })}`).join(', ');
    }
    if (s.sortClause.length > 0) out += ' ORDER BY ' + sortList(s.sortClause);
    if (s.limitOption === 'LIMIT_OPTION_WITH_TIES') out += ` FETCH FIRST ${expr(s.limitCount!)} ROWS WITH TIES`;
    else if (s.limitCount !== null) out += ' LIMIT ' + expr(s.limitCount);
    if (s.limitOffset !== null) out += ' OFFSET ' + expr(s.limitOffset);
    for (const l of s.lockingClause) out += locking(l);
    return out;
  });
}
