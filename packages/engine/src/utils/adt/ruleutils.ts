/*
 * ruleutils.ts — the catalog deparsing functions of PostgreSQL's
 * ruleutils.c that read a constraint or index back as SQL text:
 * pg_get_constraintdef(oid [, pretty]), pg_get_indexdef(oid [, column,
 * pretty]) and pg_get_expr(pg_node_tree, relation, pretty). Registered with
 * fmgrtab's registerBuiltin at module load (database.ts imports it before
 * Catalog.bootstrap writes pg_proc), with PostgreSQL's OIDs and signatures.
 * (The two-argument pg_get_expr lives in pgstatfuncs.ts.)
 *
 * Output follows PostgreSQL 18 exactly: column and relation names through
 * quote_identifier, a referenced table qualified with its schema only when
 * it is not visible on search_path, the constraint tail
 * (DEFERRABLE, INITIALLY DEFERRED, NOT VALID) in PostgreSQL's order, an
 * index always qualified with its table's schema.
 *
 * Pretty printing (PRETTYFLAG_PAREN: only the parentheses the precedence
 * needs) is done for the trees CHECK constraints are usually made of:
 * AND / OR / NOT over comparisons, x op ANY/ALL (ARRAY[...]) (IN lists),
 * IS [NOT] NULL and IS TRUE-style tests whose operands are columns or
 * constants. Any other pretty request is
 * 0A000 rather than text with PostgreSQL's non-pretty parentheses.
 *
 * Not done: pg_get_viewdef (a view keeps its source text, not a tree to
 * deparse the way PostgreSQL reformats it), so it is not registered.
 * An index's fillfactor is known only from its open handle: one created
 * with WITH (fillfactor = 90), the default, prints no WITH clause.
 *
 * Exports: nothing but the registrations.
 */

import { registerBuiltin } from '../fmgr/fmgrtab.ts';
import type { FunctionCallContext, FunctionInfo } from '../fmgr/fmgrtypes.ts';
import { PgError, SQLSTATE } from '../errors.ts';
import { SessionFunctionContext } from '../../tcop/session.ts';
import { decodeNodeTree } from '../../catalog/nodetree.ts';
import { deparseRelationExpr, quoteIdentifier } from '../../commands/explain_deparse.ts';
import { BTREE_DEFAULT_FILLFACTOR } from '../../access/nbtree/nbtree_constants.ts';
import type { Expr } from '../../nodes/primnodes.ts';
import type { RelationInfo } from '../rel.ts';

const OIDOID = 26;
const TEXTOID = 25;
const INT4OID = 23;
const BOOLOID = 16;
const PGNODETREEOID = 194;

type Backend = NonNullable<SessionFunctionContext['backend']>;

function backendOf(ctx: FunctionCallContext): Backend | null {
  if (!(ctx instanceof SessionFunctionContext)) {
    throw new PgError(SQLSTATE.feature_not_supported, 'this function needs a database session');
  }
  return ctx.backend;
}

function fn(oid: number, proname: string, argtypes: number[], impl: FunctionInfo['impl']): void {
  registerBuiltin({
    oid, proname, prokind: 'f', proargtypes: argtypes, prorettype: TEXTOID, provariadic: 0, proretset: false,
    proisstrict: true, provolatile: 's', pronargdefaults: 0, impl,
  });
}

function prettyNotSupported(): never {
  throw new PgError(SQLSTATE.feature_not_supported, 'pretty-printing this expression is not supported');
}

// ---------------------------------------------------------------- pretty expressions

/** Column or constant: printed the same with or without PRETTYFLAG_PAREN. */
function isLeaf(e: Expr, colnames: readonly string[]): boolean {
  if (e.type === 'Var') return true;
  return e.type === 'Const' && !deparseRelationExpr(e, colnames).startsWith('(');
}

/**
 * deparse_expression_pretty with PRETTYFLAG_PAREN for the supported node
 * kinds (see the header), or null when the tree has another kind. An
 * operator or test over leaves is its plain text without the outer
 * parentheses; under AND / OR / NOT those need none (isSimpleNode), and a
 * boolean child needs them unless it binds tighter (NOT and AND under AND
 * or OR, OR under OR).
 */
function prettyExpr(e: Expr, colnames: readonly string[]): string | null {
  switch (e.type) {
    case 'Var':
    case 'Const':
      return isLeaf(e, colnames) ? deparseRelationExpr(e, colnames) : null;
    case 'OpExpr':
      if (!e.args.every((a) => isLeaf(a, colnames))) return null;
      return stripParens(deparseRelationExpr(e, colnames));
    case 'ScalarArrayOpExpr': {
      const [l, r] = e.args;
      const rightOk = isLeaf(r, colnames) || (r.type === 'ArrayExpr' && r.elements.every((x) => isLeaf(x, colnames)));
      if (!isLeaf(l, colnames) || !rightOk) return null;
      return stripParens(deparseRelationExpr(e, colnames));
    }
    case 'NullTest':
    case 'BooleanTest':
      if (!isLeaf(e.arg, colnames)) return null;
      return stripParens(deparseRelationExpr(e, colnames));
    case 'BoolExpr': {
      const parts: string[] = [];
      for (const a of e.args) {
        const s = prettyExpr(a, colnames);
        if (s === null) return null;
        let simple = true;
        if (a.type === 'BoolExpr') {
          if (e.boolop === 'NOT_EXPR') simple = false;
          else if (a.boolop === 'OR_EXPR') simple = e.boolop === 'OR_EXPR';
        }
        parts.push(simple ? s : `(${s})`);
      }
      if (e.boolop === 'NOT_EXPR') return `NOT ${parts[0]}`;
      return parts.join(e.boolop === 'AND_EXPR' ? ' AND ' : ' OR ');
    }
    default:
      return null;
  }
}

function stripParens(s: string): string {
  return s.startsWith('(') && s.endsWith(')') ? s.slice(1, -1) : s;
}

function liveColnames(rel: RelationInfo): string[] {
  return rel.attrs.map((a) => (a.attisdropped ? '' : a.attname));
}

// ---------------------------------------------------------------- pg_get_expr

/** pg_get_expr(expr, relation, pretty): the stored text, or the tree printed with only the needed parentheses. */
fn(2509, 'pg_get_expr', [PGNODETREEOID, OIDOID, BOOLOID], (a, ctx) => {
  const tree = decodeNodeTree<Expr>(String(a[0]));
  if (a[2] !== true) return tree.src;
  const b = backendOf(ctx);
  if (b === null) return null;
  const relid = a[1] as number;
  // A relation-less expression (relid 0) has no Vars to name.
  const colnames = relid === 0 ? [] : liveColnames(b.catalog.getRelation(relid));
  return prettyExpr(tree.node, colnames) ?? prettyNotSupported();
});

// ---------------------------------------------------------------- pg_get_constraintdef

interface ConstraintFlags {
  conrelid: number;
  contype: string;
  condeferrable: boolean;
  condeferred: boolean;
  convalidated: boolean;
  connoinherit: boolean;
}

function constraintFlags(b: Backend, oid: number): ConstraintFlags | null {
  const rows = b.executePlanForSql(
    `SELECT conrelid, contype, condeferrable, condeferred, convalidated, connoinherit FROM pg_catalog.pg_constraint WHERE oid = ${oid}`,
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  return {
    conrelid: Number(r[0]), contype: String(r[1]), condeferrable: r[2] === true, condeferred: r[3] === true,
    convalidated: r[4] === true, connoinherit: r[5] === true,
  };
}

/** generate_relation_name: the name, schema-qualified when search_path would not find this relation by it. */
function relationName(b: Backend, rel: RelationInfo): string {
  const name = quoteIdentifier(rel.relname);
  return b.catalog.relationIsVisible(rel.oid) ? name : `${quoteIdentifier(rel.nspname)}.${name}`;
}

function columnList(rel: RelationInfo, attnums: readonly number[]): string {
  return attnums.map((n) => quoteIdentifier(rel.attrs[n - 1]?.attname ?? String(n))).join(', ');
}

/** " WITH (fillfactor='n')" of an index with a non-default fill factor (flatten_reloptions). */
function indexOptions(rel: RelationInfo, indexrelid: number): string {
  const info = rel.indexes.find((i) => i.indexrelid === indexrelid);
  const ff = info?.index.fillfactor;
  return ff === undefined || ff === BTREE_DEFAULT_FILLFACTOR ? '' : ` WITH (fillfactor='${ff}')`;
}

const FK_ACTIONS: Record<string, string> = { r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** pg_get_constraintdef_worker: the constraint as it would be written in ALTER TABLE ... ADD CONSTRAINT. */
function constraintDef(b: Backend, oid: number, pretty: boolean): string | null {
  const flags = constraintFlags(b, oid);
  if (flags === null) return null;
  if (flags.conrelid === 0) throw new PgError(SQLSTATE.feature_not_supported, 'constraints of domains are not supported');
  const rel = b.catalog.getRelation(flags.conrelid);
  const con = rel.constraints.find((c) => c.oid === oid);
  if (con === undefined) throw new PgError(SQLSTATE.internal_error, `cache lookup failed for constraint ${oid}`);
  let def: string;
  switch (con.contype) {
    case 'f': {
      const ref = b.catalog.getRelation(con.confrelid);
      def = `FOREIGN KEY (${columnList(rel, con.conkey)}) REFERENCES ${relationName(b, ref)}(${columnList(ref, con.confkey)})`;
      if (con.confmatchtype === 'f') def += ' MATCH FULL';
      else if (con.confmatchtype === 'p') def += ' MATCH PARTIAL';
      if (FK_ACTIONS[con.confupdtype] !== undefined) def += ` ON UPDATE ${FK_ACTIONS[con.confupdtype]}`;
      if (FK_ACTIONS[con.confdeltype] !== undefined) def += ` ON DELETE ${FK_ACTIONS[con.confdeltype]}`;
      break;
    }
    case 'p':
    case 'u':
      def = `${con.contype === 'p' ? 'PRIMARY KEY' : 'UNIQUE'} (${columnList(rel, con.conkey)})${indexOptions(rel, con.conindid)}`;
      break;
    case 'c': {
      if (pretty) {
        const text = con.conbin === null ? null : prettyExpr(con.conbin, liveColnames(rel));
        def = `CHECK (${text ?? prettyNotSupported()})`;
      } else {
        def = con.consrc;
      }
      if (flags.connoinherit) def += ' NO INHERIT';
      break;
    }
    case 'n':
      // NOT NULL constraints here are never NO INHERIT (catalog/index.ts marks every non-CHECK row connoinherit).
      def = `NOT NULL ${columnList(rel, con.conkey)}`;
      break;
    default:
      throw new PgError(SQLSTATE.feature_not_supported, `constraints of type "${String(con.contype)}" are not supported`);
  }
  if (flags.condeferrable) def += ' DEFERRABLE';
  if (flags.condeferred) def += ' INITIALLY DEFERRED';
  if (!flags.convalidated) def += ' NOT VALID';
  return def;
}

fn(1387, 'pg_get_constraintdef', [OIDOID], (a, ctx) => {
  const b = backendOf(ctx);
  return b === null ? null : constraintDef(b, a[0] as number, false);
});
fn(2508, 'pg_get_constraintdef', [OIDOID, BOOLOID], (a, ctx) => {
  const b = backendOf(ctx);
  return b === null ? null : constraintDef(b, a[0] as number, a[1] === true);
});

// ---------------------------------------------------------------- pg_get_indexdef

/**
 * pg_get_indexdef_worker for a b-tree over columns: column 0 is the whole
 * CREATE INDEX statement, column n the n-th key column's name alone
 * (nothing past the last), NULL for an OID that is not an index.
 * `pretty` names the table unqualified when search_path finds it (it
 * would also print expressions, which indexes here do not have).
 */
function indexDef(b: Backend, idxOid: number, colno: number, pretty: boolean): string | null {
  const rows = b.executePlanForSql(`SELECT indrelid FROM pg_catalog.pg_index WHERE indexrelid = ${idxOid}`);
  if (rows.length === 0) return null;
  const table = b.catalog.getRelation(Number(rows[0][0]));
  const info = table.indexes.find((i) => i.indexrelid === idxOid);
  if (info === undefined) return null;
  if (colno !== 0) {
    const attnum = info.indkey[colno - 1];
    return attnum === undefined ? '' : quoteIdentifier(table.attrs[attnum - 1]?.attname ?? String(attnum));
  }
  // Pretty: the table named as search_path finds it; otherwise always schema-qualified.
  const tableName = pretty ? relationName(b, table) : `${quoteIdentifier(table.nspname)}.${quoteIdentifier(table.relname)}`;
  const cols = info.indkey.map((k, i) => {
    const name = quoteIdentifier(table.attrs[k - 1]?.attname ?? String(k));
    const desc = (info.indoption[i] & 1) !== 0;
    const nullsFirst = (info.indoption[i] & 2) !== 0;
    return name + (desc ? ' DESC' : '') + (desc && !nullsFirst ? ' NULLS LAST' : !desc && nullsFirst ? ' NULLS FIRST' : '');
  });
  return `CREATE ${info.indisunique ? 'UNIQUE ' : ''}INDEX ${quoteIdentifier(info.name)} ON ${tableName} USING btree (${cols.join(', ')})${indexOptions(table, idxOid)}`;
}

fn(1643, 'pg_get_indexdef', [OIDOID], (a, ctx) => {
  const b = backendOf(ctx);
  return b === null ? null : indexDef(b, a[0] as number, 0, false);
});
fn(2507, 'pg_get_indexdef', [OIDOID, INT4OID, BOOLOID], (a, ctx) => {
  const b = backendOf(ctx);
  return b === null ? null : indexDef(b, a[0] as number, a[1] as number, a[2] === true);
});
