/*
 * view.ts — CREATE [OR REPLACE] VIEW (PostgreSQL's commands/view.c).
 *
 * Exports: DefineView(ViewStmt, ctx): number
 *
 * The defining SELECT is analyzed (parseAnalyze) and stored as the view's
 * _RETURN rule through the catalog; the rewriter expands it at each use.
 * The view's columns are the query's visible target entries, renamed by
 * the optional column list; a column of type unknown ('abc') becomes text,
 * as in PostgreSQL 10 and later.
 *
 * OR REPLACE (checkViewColumns): the new query must keep every existing
 * column, in order, with the same name and type; it may add columns at the
 * end. Anything else is 42P16 with PostgreSQL's wording.
 */

import type { ViewStmt } from '../parser/nodes.ts';
import { parseAnalyze } from '../parser/analyze.ts';
import { formatTypeWithTypmod } from '../parser/parse_type.ts';
import { exprType, exprTypmod } from '../nodes/nodeFuncs.ts';
import type { ColumnSpec } from '../catalog/catalog.ts';
import { PgError } from '../utils/errors.ts';
import { ERRCODE } from './errcodes.ts';
import type { UtilityContext } from './utility_context.ts';

const UNKNOWNOID = 705;
const TEXTOID = 25;

/** CREATE [OR REPLACE] VIEW name [(columns)] AS query. Returns the view's OID. */
export function DefineView(stmt: ViewStmt, ctx: UtilityContext): number {
  const rv = stmt.view;
  if (rv.relpersistence === 't') throw new PgError(ERRCODE.feature_not_supported, 'temporary views are not supported', { position: rv.location + 1 });
  if (stmt.options.length > 0) throw new PgError(ERRCODE.feature_not_supported, 'view options (WITH ...) are not supported');
  if (stmt.withCheckOption !== 'NO_CHECK_OPTION') throw new PgError(ERRCODE.feature_not_supported, 'WITH CHECK OPTION is not supported');
  const query = parseAnalyze({ type: 'RawStmt', stmt: stmt.query, stmt_location: 0, stmt_len: 0 }, { catalog: ctx.catalog, sourceText: ctx.sourceText, paramTypes: [] });
  if (query.commandType !== 'CMD_SELECT') throw new PgError(ERRCODE.syntax_error, 'views must not contain data-modifying statements');
  const visible = query.targetList.filter((t) => !t.resjunk);
  if (stmt.aliases.length > visible.length) throw new PgError(ERRCODE.syntax_error, 'CREATE VIEW specifies more column names than columns');
  const columns: ColumnSpec[] = visible.map((t, i) => {
    const type = exprType(t.expr);
    return {
      attname: stmt.aliases[i] ?? t.resname ?? '?column?',
      atttypid: type === UNKNOWNOID ? TEXTOID : type,
      atttypmod: type === UNKNOWNOID ? -1 : exprTypmod(t.expr),
      attnotnull: false,
    };
  });
  // The rule's target list carries the view's column names.
  for (let i = 0; i < visible.length; i++) visible[i].resname = columns[i].attname;
  const nsp = ctx.catalog.namespaceForCreate(rv.schemaname);
  const existing = ctx.catalog.syscache.relnameNsp(nsp, rv.relname);
  if (existing !== 0 && stmt.replace) {
    const old = ctx.catalog.getRelation(existing);
    if (old.relkind === 'v') {
      const oldCols = old.attrs.filter((a) => !a.attisdropped);
      if (columns.length < oldCols.length) throw new PgError(ERRCODE.invalid_table_definition, 'cannot drop columns from view');
      for (let i = 0; i < oldCols.length; i++) {
        const o = oldCols[i];
        const n = columns[i];
        if (o.attname !== n.attname) {
          throw new PgError(ERRCODE.invalid_table_definition, `cannot change name of view column "${o.attname}" to "${n.attname}"`, {
            hint: 'Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.',
          });
        }
        if (o.atttypid !== n.atttypid) {
          throw new PgError(ERRCODE.invalid_table_definition, `cannot change data type of view column "${o.attname}" from ${formatTypeWithTypmod(o.atttypid, o.atttypmod)} to ${formatTypeWithTypmod(n.atttypid, n.atttypmod)}`);
        }
        if (o.atttypmod !== n.atttypmod) {
          throw new PgError(ERRCODE.invalid_table_definition, `cannot change data type of view column "${o.attname}" from ${formatTypeWithTypmod(o.atttypid, o.atttypmod)} to ${formatTypeWithTypmod(n.atttypid, n.atttypmod)}`);
        }
      }
      for (let i = oldCols.length; i < columns.length; i++) ctx.catalog.addColumn(existing, columns[i]);
    }
  }
  return ctx.catalog.createView(rv.relname, nsp, query, columns, stmt.replace);
}
