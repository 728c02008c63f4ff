/*
 * deparse_stmt.ts — statements back to SQL text: DML, DDL and utility
 * statements (the query and expression printers are in deparse.ts).
 *
 * Exports: stmt().
 */

import { constText, expr, fromItem, indirection, intervalFields, qn, quoteIdentifier, quoteLiteral, rangeVar, selectStmt, targetList, typeName, withClause } from './deparse.ts';
import type { ColumnDef, Constraint, DefElem, IndexElem, Stmt } from './nodes.ts';
import type { A_Const, Node, ResTarget } from './primnodes.ts';


function returning(r: ResTarget[]): string {
  return r.length > 0 ? ' RETURNING ' + targetList(r) : '';
}

function setClauses(ts: ResTarget[]): string {
  const out: string[] = [];
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    const target = (r: ResTarget): string => quoteIdentifier(r.name!) + indirection(r.indirection);
    if (t.val !== null && t.val.type === 'MultiAssignRef') {
      const n = t.val.ncolumns;
      const group = ts.slice(i, i + n);
      out.push(`(${group.map(target).join(', ')}) = ${expr(t.val.source)}`);
      i += n - 1;
    } else out.push(`${target(t)} = ${expr(t.val!)}`);
  }
  return out.join(', ');
}

function defArg(d: DefElem): string {
  const a = d.arg;
  if (a === null) return '';
  if (Array.isArray(a)) return qn(a);
  switch (a.type) {
    case 'Integer':
      return String(a.ival);
    case 'Float':
      return a.fval;
    case 'String':
      return quoteLiteral(a.sval);
    case 'Boolean':
      return a.boolval ? 'true' : 'false';
    case 'TypeName':
      return typeName(a);
    default:
      return expr(a);
  }
}

function seqOptions(opts: DefElem[]): string {
  return opts
    .map((o) => {
      switch (o.defname) {
        case 'as':
          return `AS ${defArg(o)}`;
        case 'cycle':
          return o.arg !== null && !Array.isArray(o.arg) && o.arg.type === 'Boolean' && o.arg.boolval ? 'CYCLE' : 'NO CYCLE';
        case 'increment':
          return `INCREMENT BY ${defArg(o)}`;
        case 'maxvalue':
        case 'minvalue':
          return o.arg === null ? `NO ${o.defname.toUpperCase()}` : `${o.defname.toUpperCase()} ${defArg(o)}`;
        case 'owned_by':
          return `OWNED BY ${defArg(o)}`;
        case 'sequence_name':
          return `SEQUENCE NAME ${defArg(o)}`;
        case 'start':
          return `START WITH ${defArg(o)}`;
        case 'restart':
          return o.arg === null ? 'RESTART' : `RESTART WITH ${defArg(o)}`;
        case 'cache':
          return `CACHE ${defArg(o)}`;
      }
      throw new Error(`deparse: unexpected sequence option ${o.defname}`);
    })
    .join(' ');
}

const FK_ACTION = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

function constraint(c: Constraint, column: boolean): string {
  let s = c.conname !== null ? `CONSTRAINT ${quoteIdentifier(c.conname)} ` : '';
  const cols = (xs: string[]): string => `(${xs.map(quoteIdentifier).join(', ')})`;
  switch (c.contype) {
    case 'CONSTR_NULL':
      return s + 'NULL';
    case 'CONSTR_NOTNULL':
      s += 'NOT NULL' + (column ? '' : ' ' + quoteIdentifier(c.keys[0]));
      return s + (c.is_no_inherit ? ' NO INHERIT' : '');
    case 'CONSTR_DEFAULT':
      return s + 'DEFAULT ' + expr(c.raw_expr!);
    case 'CONSTR_CHECK':
      s += `CHECK (${expr(c.raw_expr!)})`;
      if (c.is_no_inherit) s += ' NO INHERIT';
      break;
    case 'CONSTR_PRIMARY':
      s += 'PRIMARY KEY' + (column ? '' : ' ' + cols(c.keys));
      break;
    case 'CONSTR_UNIQUE':
      s += 'UNIQUE' + (c.nulls_not_distinct ? ' NULLS NOT DISTINCT' : '') + (column ? '' : ' ' + cols(c.keys));
      break;
    case 'CONSTR_IDENTITY':
      return s + `GENERATED ${c.generated_when === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY${c.options.length > 0 ? ` (${seqOptions(c.options)})` : ''}`;
    case 'CONSTR_GENERATED':
      return s + `GENERATED ALWAYS AS (${expr(c.raw_expr!)}) STORED`;
    case 'CONSTR_FOREIGN':
      if (!column) s += `FOREIGN KEY ${cols(c.fk_attrs)} `;
      s += `REFERENCES ${rangeVar(c.pktable!, false)}`;
      if (c.pk_attrs.length > 0) s += ' ' + cols(c.pk_attrs);
      if (c.fk_matchtype === 'f') s += ' MATCH FULL';
      if (c.fk_del_action !== 'a') s += ` ON DELETE ${FK_ACTION[c.fk_del_action]}${c.fk_del_set_cols.length > 0 ? ' ' + cols(c.fk_del_set_cols) : ''}`;
      if (c.fk_upd_action !== 'a') s += ` ON UPDATE ${FK_ACTION[c.fk_upd_action]}`;
      break;
    case 'CONSTR_ATTR_DEFERRABLE':
      return 'DEFERRABLE';
    case 'CONSTR_ATTR_NOT_DEFERRABLE':
      return 'NOT DEFERRABLE';
    case 'CONSTR_ATTR_DEFERRED':
      return 'INITIALLY DEFERRED';
    case 'CONSTR_ATTR_IMMEDIATE':
      return 'INITIALLY IMMEDIATE';
    default:
      throw new Error(`deparse: unexpected constraint ${c.contype}`);
  }
  if (!column) {
    if (c.deferrable) s += ' DEFERRABLE';
    if (c.initdeferred) s += ' INITIALLY DEFERRED';
    if (c.skip_validation) s += ' NOT VALID';
  }
  return s;
}

function columnDef(c: ColumnDef): string {
  let s = `${quoteIdentifier(c.colname)} ${typeName(c.typeName)}`;
  if (c.collClause) s += ` COLLATE ${qn(c.collClause.collname)}`;
  for (const k of c.constraints) s += ' ' + constraint(k, true);
  return s;
}

function indexElems(es: IndexElem[]): string {
  return es
    .map((e) => {
      let s = e.name !== null ? quoteIdentifier(e.name) : `(${expr(e.expr!)})`;
      if (e.collation.length > 0) s += ` COLLATE ${qn(e.collation)}`;
      if (e.opclass.length > 0) s += ' ' + qn(e.opclass);
      if (e.ordering !== 'SORTBY_DEFAULT') s += e.ordering === 'SORTBY_ASC' ? ' ASC' : ' DESC';
      if (e.nulls_ordering !== 'SORTBY_NULLS_DEFAULT') s += e.nulls_ordering === 'SORTBY_NULLS_FIRST' ? ' NULLS FIRST' : ' NULLS LAST';
      return s;
    })
    .join(', ');
}

function transactionModes(opts: DefElem[]): string {
  return opts
    .map((o) => {
      const v = o.arg as A_Const;
      if (o.defname === 'transaction_isolation') return `ISOLATION LEVEL ${(v.val as { sval: string }).sval.toUpperCase()}`;
      const on = (v.val as { ival: number }).ival !== 0;
      if (o.defname === 'transaction_read_only') return on ? 'READ ONLY' : 'READ WRITE';
      return on ? 'DEFERRABLE' : 'NOT DEFERRABLE';
    })
    .join(', ');
}

function utilityOptions(opts: DefElem[]): string {
  return `(${opts.map((o) => quoteIdentifier(o.defname) + (o.arg !== null ? ' ' + defArg(o) : '')).join(', ')})`;
}

const OBJECT_WORD: Record<string, string> = {
  OBJECT_TABLE: 'TABLE',
  OBJECT_INDEX: 'INDEX',
  OBJECT_VIEW: 'VIEW',
  OBJECT_SEQUENCE: 'SEQUENCE',
  OBJECT_SCHEMA: 'SCHEMA',
};
const LOCK_MODE_WORDS = ['', 'ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];

/** Print any statement; deparse.ts's deparseStmt() is the entry point. */
export function stmt(s: Stmt): string {
  switch (s.type) {
    case 'SelectStmt':
      return selectStmt(s);
    case 'InsertStmt': {
      let out = withClause(s.withClause) + 'INSERT INTO ' + rangeVar(s.relation, false);
      if (s.relation.alias) out += ' AS ' + quoteIdentifier(s.relation.alias.aliasname);
      if (s.cols.length > 0) out += ` (${s.cols.map((c) => quoteIdentifier(c.name!) + indirection(c.indirection)).join(', ')})`;
      if (s.override !== 'OVERRIDING_NOT_SET') out += s.override === 'OVERRIDING_USER_VALUE' ? ' OVERRIDING USER VALUE' : ' OVERRIDING SYSTEM VALUE';
      out += s.selectStmt === null ? ' DEFAULT VALUES' : ' ' + selectStmt(s.selectStmt);
      const oc = s.onConflictClause;
      if (oc !== null) {
        out += ' ON CONFLICT';
        if (oc.infer !== null) {
          if (oc.infer.conname !== null) out += ' ON CONSTRAINT ' + quoteIdentifier(oc.infer.conname);
          else {
            out += ` (${indexElems(oc.infer.indexElems)})`;
            if (oc.infer.whereClause) out += ' WHERE ' + expr(oc.infer.whereClause);
          }
        }
        if (oc.action === 'ONCONFLICT_NOTHING') out += ' DO NOTHING';
        else {
          out += ' DO UPDATE SET ' + setClauses(oc.targetList);
          if (oc.whereClause) out += ' WHERE ' + expr(oc.whereClause);
        }
      }
      return out + returning(s.returningList);
    }
    case 'UpdateStmt': {
      let out = withClause(s.withClause) + 'UPDATE ' + rangeVar(s.relation) + ' SET ' + setClauses(s.targetList);
      if (s.fromClause.length > 0) out += ' FROM ' + s.fromClause.map(fromItem).join(', ');
      if (s.whereClause) out += ' WHERE ' + expr(s.whereClause);
      return out + returning(s.returningList);
    }
    case 'DeleteStmt': {
      let out = withClause(s.withClause) + 'DELETE FROM ' + rangeVar(s.relation);
      if (s.usingClause.length > 0) out += ' USING ' + s.usingClause.map(fromItem).join(', ');
      if (s.whereClause) out += ' WHERE ' + expr(s.whereClause);
      return out + returning(s.returningList);
    }
    case 'CreateStmt': {
      const p = s.relation.relpersistence;
      let out = `CREATE ${p === 't' ? 'TEMPORARY ' : p === 'u' ? 'UNLOGGED ' : ''}TABLE ${s.if_not_exists ? 'IF NOT EXISTS ' : ''}${rangeVar(s.relation, false)} (`;
      out += s.tableElts.map((e) => (e.type === 'ColumnDef' ? columnDef(e) : constraint(e, false))).join(', ') + ')';
      if (s.oncommit !== 'ONCOMMIT_NOOP') out += ' ON COMMIT ' + { ONCOMMIT_DROP: 'DROP', ONCOMMIT_DELETE_ROWS: 'DELETE ROWS', ONCOMMIT_PRESERVE_ROWS: 'PRESERVE ROWS' }[s.oncommit];
      return out;
    }
    case 'IndexStmt': {
      let out = `CREATE ${s.unique ? 'UNIQUE ' : ''}INDEX ${s.concurrent ? 'CONCURRENTLY ' : ''}${s.if_not_exists ? 'IF NOT EXISTS ' : ''}`;
      if (s.idxname !== null) out += quoteIdentifier(s.idxname) + ' ';
      out += `ON ${rangeVar(s.relation, false)} USING ${quoteIdentifier(s.accessMethod)} (${indexElems(s.indexParams)})`;
      if (s.indexIncludingParams.length > 0) out += ` INCLUDE (${indexElems(s.indexIncludingParams)})`;
      if (s.nulls_not_distinct) out += ' NULLS NOT DISTINCT';
      if (s.whereClause) out += ' WHERE ' + expr(s.whereClause);
      return out;
    }
    case 'DropStmt':
      return `DROP ${OBJECT_WORD[s.removeType]} ${s.concurrent ? 'CONCURRENTLY ' : ''}${s.missing_ok ? 'IF EXISTS ' : ''}${s.objects.map(qn).join(', ')}${s.behavior === 'DROP_CASCADE' ? ' CASCADE' : ''}`;
    case 'AlterTableStmt': {
      const cmds = s.cmds.map((c) => {
        const name = c.name !== null ? quoteIdentifier(c.name) : '';
        const beh = c.behavior === 'DROP_CASCADE' ? ' CASCADE' : '';
        switch (c.subtype) {
          case 'AT_AddColumn':
            return `ADD COLUMN ${c.missing_ok ? 'IF NOT EXISTS ' : ''}${columnDef(c.def as ColumnDef)}`;
          case 'AT_DropColumn':
            return `DROP COLUMN ${c.missing_ok ? 'IF EXISTS ' : ''}${name}${beh}`;
          case 'AT_ColumnDefault':
            return c.def === null ? `ALTER COLUMN ${name} DROP DEFAULT` : `ALTER COLUMN ${name} SET DEFAULT ${expr(c.def as Node)}`;
          case 'AT_SetNotNull':
            return `ALTER COLUMN ${name} SET NOT NULL`;
          case 'AT_DropNotNull':
            return `ALTER COLUMN ${name} DROP NOT NULL`;
          case 'AT_AlterColumnType': {
            const d = c.def as ColumnDef;
            let t = `ALTER COLUMN ${name} TYPE ${typeName(d.typeName)}`;
            if (d.collClause) t += ` COLLATE ${qn(d.collClause.collname)}`;
            if (d.raw_default) t += ` USING ${expr(d.raw_default)}`;
            return t;
          }
          case 'AT_AddConstraint':
            return 'ADD ' + constraint(c.def as Constraint, false);
          case 'AT_DropConstraint':
            return `DROP CONSTRAINT ${c.missing_ok ? 'IF EXISTS ' : ''}${name}${beh}`;
          case 'AT_ValidateConstraint':
            return `VALIDATE CONSTRAINT ${name}`;
        }
        throw new Error(`deparse: unexpected ALTER TABLE command ${c.subtype}`);
      });
      return `ALTER TABLE ${s.missing_ok ? 'IF EXISTS ' : ''}${rangeVar(s.relation, false)} ${cmds.join(', ')}`;
    }
    case 'RenameStmt': {
      let out = `ALTER ${OBJECT_WORD[s.relationType]} ${s.missing_ok ? 'IF EXISTS ' : ''}${rangeVar(s.relation!, false)} RENAME `;
      if (s.renameType === 'OBJECT_COLUMN') out += `COLUMN ${quoteIdentifier(s.subname!)} `;
      else if (s.renameType === 'OBJECT_TABCONSTRAINT') out += `CONSTRAINT ${quoteIdentifier(s.subname!)} `;
      return out + 'TO ' + quoteIdentifier(s.newname);
    }
    case 'ViewStmt': {
      let out = `CREATE ${s.replace ? 'OR REPLACE ' : ''}${s.view.relpersistence === 't' ? 'TEMPORARY ' : ''}VIEW ${rangeVar(s.view, false)}`;
      if (s.aliases.length > 0) out += ` (${s.aliases.map(quoteIdentifier).join(', ')})`;
      out += ' AS ' + selectStmt(s.query);
      if (s.withCheckOption !== 'NO_CHECK_OPTION') out += s.withCheckOption === 'LOCAL_CHECK_OPTION' ? ' WITH LOCAL CHECK OPTION' : ' WITH CASCADED CHECK OPTION';
      return out;
    }
    case 'TruncateStmt':
      return `TRUNCATE ${s.relations.map((r) => rangeVar(r, false)).join(', ')}${s.restart_seqs ? ' RESTART IDENTITY' : ''}${s.behavior === 'DROP_CASCADE' ? ' CASCADE' : ''}`;
    case 'CreateSchemaStmt': {
      let out = `CREATE SCHEMA ${s.if_not_exists ? 'IF NOT EXISTS ' : ''}`;
      if (s.schemaname !== null) out += quoteIdentifier(s.schemaname);
      if (s.authrole !== null) out += `${s.schemaname !== null ? ' ' : ''}AUTHORIZATION ${quoteIdentifier(s.authrole)}`;
      return out;
    }
    case 'CreateSeqStmt': {
      const p = s.sequence.relpersistence;
      return `CREATE ${p === 't' ? 'TEMPORARY ' : p === 'u' ? 'UNLOGGED ' : ''}SEQUENCE ${s.if_not_exists ? 'IF NOT EXISTS ' : ''}${rangeVar(s.sequence, false)} ${seqOptions(s.options)}`.trimEnd();
    }
    case 'AlterSeqStmt':
      return `ALTER SEQUENCE ${s.missing_ok ? 'IF EXISTS ' : ''}${rangeVar(s.sequence, false)} ${seqOptions(s.options)}`;
    case 'TransactionStmt':
      switch (s.kind) {
        case 'TRANS_STMT_BEGIN':
          return ('BEGIN ' + transactionModes(s.options)).trimEnd();
        case 'TRANS_STMT_START':
          return ('START TRANSACTION ' + transactionModes(s.options)).trimEnd();
        case 'TRANS_STMT_COMMIT':
          return 'COMMIT' + (s.chain ? ' AND CHAIN' : '');
        case 'TRANS_STMT_ROLLBACK':
          return 'ROLLBACK' + (s.chain ? ' AND CHAIN' : '');
        case 'TRANS_STMT_SAVEPOINT':
          return 'SAVEPOINT ' + quoteIdentifier(s.savepoint_name!);
        case 'TRANS_STMT_RELEASE':
          return 'RELEASE SAVEPOINT ' + quoteIdentifier(s.savepoint_name!);
        case 'TRANS_STMT_ROLLBACK_TO':
          return 'ROLLBACK TO SAVEPOINT ' + quoteIdentifier(s.savepoint_name!);
      }
      break;
    case 'VariableSetStmt': {
      const local = s.is_local ? 'LOCAL ' : '';
      const name = s.name === null ? '' : s.name.split('.').map(quoteIdentifier).join('.');
      switch (s.kind) {
        case 'VAR_RESET_ALL':
          return 'RESET ALL';
        case 'VAR_RESET':
          return 'RESET ' + name;
        case 'VAR_SET_DEFAULT':
          return `SET ${local}${name} TO DEFAULT`;
        case 'VAR_SET_CURRENT':
          return `SET ${local}${name} FROM CURRENT`;
        case 'VAR_SET_MULTI':
          return `SET ${local}${s.name === 'TRANSACTION' ? 'TRANSACTION' : 'SESSION CHARACTERISTICS AS TRANSACTION'} ${transactionModes(s.args as DefElem[])}`;
        case 'VAR_SET_VALUE': {
          const a0 = s.args[0];
          if (s.name === 'timezone' && s.args.length === 1 && a0.type === 'TypeCast') {
            return `SET ${local}TIME ZONE INTERVAL ${expr(a0.arg)}${intervalFields(a0.typeName.typmods)}`;
          }
          return `SET ${local}${name} TO ${(s.args as Node[]).map((a) => (a.type === 'A_Const' ? constText(a).replace(/^\((.*)\)$/, '$1') : expr(a))).join(', ')}`;
        }
      }
      break;
    }
    case 'VariableShowStmt':
      return 'SHOW ' + (s.name === 'all' ? 'ALL' : s.name.split('.').map(quoteIdentifier).join('.'));
    case 'ExplainStmt':
      return `EXPLAIN ${s.options.length > 0 ? utilityOptions(s.options) + ' ' : ''}${stmt(s.query)}`;
    case 'VacuumStmt': {
      let out = (s.is_vacuumcmd ? 'VACUUM' : 'ANALYZE') + (s.options.length > 0 ? ' ' + utilityOptions(s.options) : '');
      if (s.rels.length > 0) {
        out += ' ' + s.rels.map((r) => rangeVar(r.relation, false) + (r.va_cols.length > 0 ? ` (${r.va_cols.map(quoteIdentifier).join(', ')})` : '')).join(', ');
      }
      return out;
    }
    case 'CheckPointStmt':
      return 'CHECKPOINT';
    case 'LockStmt':
      return `LOCK TABLE ${s.relations.map((r) => rangeVar(r, false)).join(', ')} IN ${LOCK_MODE_WORDS[s.mode]} MODE${s.nowait ? ' NOWAIT' : ''}`;
  }
  throw new Error(`deparse: unexpected statement ${(s as { type: string }).type}`);
}
