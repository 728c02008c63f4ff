/*
 * gram_alter.ts — ALTER TABLE / INDEX / VIEW / SEQUENCE (gram.y's
 * AlterTableStmt, alter_table_cmd, RenameStmt, AlterSeqStmt).
 *
 * Exports: parseAlter().
 *
 * As in gram.y, the RENAME forms become a RenameStmt and every other action
 * an AlterTableCmd inside one AlterTableStmt, so `ALTER TABLE t ADD a int,
 * DROP b` is one statement with two commands.
 */

import { parseExpr } from './gram_expr.ts';
import {
  DROP_TYPES,
  TABLE_CONSTRAINT_START,
  parseColumnDef,
  parseDropBehavior,
  parseIfExists,
  parseIfNotExists,
  parseSeqOptList,
  parseTableConstraint,
} from './gram_ddl.ts';
import { parseRelationExpr } from './gram_select.ts';
import { parseTypename } from './gram_type.ts';
import type { Parser } from './gramparse.ts';
import type { AlterTableCmd, ColumnDef, ObjectType, Stmt } from './nodes.ts';
import type { RangeVar } from './primnodes.ts';

/** ALTER TABLE / INDEX / VIEW / SEQUENCE. */
export function parseAlter(p: Parser): Stmt {
  const alterTok = p.expectKw('alter');
  const t = p.tok;
  const objType = t.kind === 'KEYWORD' ? DROP_TYPES[t.value] : undefined;
  if (objType === undefined || objType === 'OBJECT_SCHEMA') {
    if (t.kind !== 'KEYWORD') p.fail();
    return p.notSupported(`ALTER ${t.value.toUpperCase()}`, alterTok);
  }
  p.advance();
  const missing_ok = parseIfExists(p);
  const relation = parseRelationExpr(p);
  if (p.acceptKw('rename')) return parseRename(p, objType, relation, missing_ok);
  if (objType === 'OBJECT_SEQUENCE') {
    const options = parseSeqOptList(p);
    if (options.length === 0) p.fail();
    return { type: 'AlterSeqStmt', sequence: relation, options, for_identity: false, missing_ok };
  }
  if (objType !== 'OBJECT_TABLE') return p.notSupported(`ALTER ${t.value.toUpperCase()} other than RENAME`, alterTok);
  const cmds: AlterTableCmd[] = [];
  do cmds.push(parseAlterTableCmd(p));
  while (p.acceptChar(','));
  return { type: 'AlterTableStmt', relation, cmds, objtype: 'OBJECT_TABLE', missing_ok };
}

function parseRename(p: Parser, objType: ObjectType, relation: RangeVar, missing_ok: boolean): Stmt {
  let renameType: ObjectType = objType;
  let subname: string | null = null;
  if (!p.isKw('to')) {
    if (objType !== 'OBJECT_TABLE' && objType !== 'OBJECT_VIEW') p.fail();
    if (p.acceptKw('constraint')) renameType = 'OBJECT_TABCONSTRAINT';
    else {
      p.acceptKw('column');
      renameType = 'OBJECT_COLUMN';
    }
    subname = p.colId();
  }
  p.expectKw('to');
  const newname = p.colId();
  return { type: 'RenameStmt', renameType, relationType: objType, relation, subname, newname, behavior: 'DROP_RESTRICT', missing_ok };
}

/** First words of ALTER TABLE actions PostgreSQL has and tabgres does not. */
const ALTER_TABLE_OTHER = new Set([
  'set', 'reset', 'owner', 'enable', 'disable', 'cluster', 'inherit', 'no', 'of', 'not', 'replica', 'force', 'validate',
  'attach', 'detach', 'options', 'split', 'merge',
]);

function makeCmd(subtype: AlterTableCmd['subtype']): AlterTableCmd {
  return { type: 'AlterTableCmd', subtype, name: null, num: 0, def: null, behavior: 'DROP_RESTRICT', missing_ok: false, recurse: true };
}

/** One alter_table_cmd. */
function parseAlterTableCmd(p: Parser): AlterTableCmd {
  const t = p.tok;
  if (p.acceptKw('add')) {
    if (p.tok.kind === 'KEYWORD' && TABLE_CONSTRAINT_START.has(p.tok.value)) {
      const cmd = makeCmd('AT_AddConstraint');
      cmd.def = parseTableConstraint(p);
      return cmd;
    }
    p.acceptKw('column');
    const cmd = makeCmd('AT_AddColumn');
    cmd.missing_ok = parseIfNotExists(p);
    cmd.def = parseColumnDef(p);
    return cmd;
  }
  if (p.acceptKw('drop')) {
    if (p.acceptKw('constraint')) {
      const cmd = makeCmd('AT_DropConstraint');
      cmd.missing_ok = parseIfExists(p);
      cmd.name = p.colId();
      cmd.behavior = parseDropBehavior(p);
      return cmd;
    }
    p.acceptKw('column');
    const cmd = makeCmd('AT_DropColumn');
    cmd.missing_ok = parseIfExists(p);
    cmd.name = p.colId();
    cmd.behavior = parseDropBehavior(p);
    return cmd;
  }
  if (p.acceptKw('alter')) {
    p.acceptKw('column');
    const name = p.colId();
    if (p.acceptKw('set')) {
      if (p.acceptKw('default')) {
        const cmd = makeCmd('AT_ColumnDefault');
        cmd.name = name;
        cmd.def = parseExpr(p);
        return cmd;
      }
      if (p.isKw('not') && p.isKw('null', 1)) {
        p.pos += 2;
        const cmd = makeCmd('AT_SetNotNull');
        cmd.name = name;
        return cmd;
      }
      if (p.acceptKw('data')) {
        p.expectKw('type');
        return alterType(p, name);
      }
      if (['statistics', 'storage', 'compression', 'expression', 'generated', 'options'].includes(p.tok.value) || p.isChar('(')) {
        p.notSupported(`ALTER COLUMN SET ${p.tok.value.toUpperCase()}`);
      }
      return p.fail();
    }
    if (p.acceptKw('drop')) {
      if (p.acceptKw('default')) {
        const cmd = makeCmd('AT_ColumnDefault');
        cmd.name = name;
        return cmd;
      }
      if (p.isKw('not') && p.isKw('null', 1)) {
        p.pos += 2;
        const cmd = makeCmd('AT_DropNotNull');
        cmd.name = name;
        return cmd;
      }
      if (p.isKw('identity') || p.isKw('expression')) p.notSupported(`ALTER COLUMN DROP ${p.tok.value.toUpperCase()}`);
      return p.fail();
    }
    if (p.acceptKw('type')) return alterType(p, name);
    if (p.isKw('add') || p.isKw('restart') || p.isKw('reset') || p.isKw('options')) p.notSupported(`ALTER COLUMN ${p.tok.value.toUpperCase()}`);
    return p.fail();
  }
  if (p.isKw('validate') && p.isKw('constraint', 1)) {
    p.pos += 2;
    const cmd = makeCmd('AT_ValidateConstraint');
    cmd.name = p.colId();
    return cmd;
  }
  if (t.kind === 'KEYWORD' && ALTER_TABLE_OTHER.has(t.value)) return p.notSupported(`ALTER TABLE ${t.value.toUpperCase()}`);
  return p.fail();
}

/** ALTER COLUMN c [SET DATA] TYPE t [COLLATE c] [USING expr]. */
function alterType(p: Parser, name: string): AlterTableCmd {
  const cmd = makeCmd('AT_AlterColumnType');
  cmd.name = name;
  const loc = p.tok.start;
  const typeName = parseTypename(p);
  const def: ColumnDef = {
    type: 'ColumnDef', colname: '', typeName, compression: null, inhcount: 0, is_local: true, is_not_null: false, is_from_type: false,
    storage: '', raw_default: null, cooked_default: null, identity: '', identitySequence: null, generated: '', collClause: null,
    collOid: 0, constraints: [], fdwoptions: [], location: loc,
  };
  if (p.isKw('collate')) {
    const c = p.advance();
    def.collClause = { type: 'CollateClause', arg: null, collname: p.anyName(), location: c.start };
  }
  if (p.acceptKw('using')) def.raw_default = parseExpr(p);
  cmd.def = def;
  return cmd;
}
