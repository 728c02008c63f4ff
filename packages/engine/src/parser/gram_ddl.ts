/*
 * gram_ddl.ts — data definition (gram.y's CreateStmt, IndexStmt, DropStmt,
 * ViewStmt, TruncateStmt, CreateSchemaStmt, CreateSeqStmt). ALTER is in
 * gram_alter.ts.
 *
 * Exports: parseCreate(), parseDrop(), parseTruncate(), parseIndexParams(),
 *          parseSeqOptList(), and the pieces gram_alter.ts reuses
 *          (parseColumnDef(), parseTableConstraint(), parseIfExists(), ...).
 *
 * Column constraints stay in ColumnDef.constraints, including DEFAULT and the
 * DEFERRABLE / INITIALLY attributes (as separate Constraint nodes), exactly as
 * gram.y leaves them for parse_utilcmd.c to sort out.
 */

import { parseBExpr, parseExpr } from './gram_expr.ts';
import { isSpecialFuncStart, parseFuncExprWindowless } from './gram_func.ts';
import { parseQualifiedName, parseRelationExpr, parseSelectStmt, parseWhereClause } from './gram_select.ts';
import { parseSimpleTypename, parseTypename } from './gram_type.ts';
import { ERRCODE_FEATURE_NOT_SUPPORTED, type Parser } from './gramparse.ts';
import {
  makeConstraint,
  makeDefElem,
  type ColumnDef,
  type Constraint,
  type CreateStmt,
  type DefElem,
  type DropBehavior,
  type FkAction,
  type IndexElem,
  type IndexStmt,
  type ObjectType,
  type Stmt,
} from './nodes.ts';
import type { Node, RangeVar } from './primnodes.ts';

/** CREATE ... : dispatch on what is being created. */
export function parseCreate(p: Parser): Stmt {
  const createTok = p.expectKw('create');
  let replace = false;
  if (p.isKw('or') && p.isKw('replace', 1)) {
    p.pos += 2;
    replace = true;
  }
  let persistence: RangeVar['relpersistence'] = 'p';
  if (p.isKw('temp') || p.isKw('temporary')) {
    p.advance();
    persistence = 't';
  } else if ((p.isKw('local') || p.isKw('global')) && (p.isKw('temp', 1) || p.isKw('temporary', 1))) {
    p.pos += 2;
    persistence = 't';
  } else if (p.acceptKw('unlogged')) persistence = 'u';
  const t = p.tok;
  if (t.kind === 'KEYWORD') {
    if (t.value === 'table' && !replace) return parseCreateTable(p, persistence);
    if (t.value === 'view') return parseCreateView(p, replace, persistence);
    if (t.value === 'recursive' && p.isKw('view', 1)) p.notSupported('CREATE RECURSIVE VIEW');
    if (persistence === 'p' && !replace) {
      if (t.value === 'index' || (t.value === 'unique' && p.isKw('index', 1))) return parseCreateIndex(p);
      if (t.value === 'schema') return parseCreateSchema(p);
    }
    if (t.value === 'sequence' && !replace) {
      p.advance();
      const ifNot = parseIfNotExists(p);
      const sequence = parseQualifiedName(p);
      sequence.relpersistence = persistence;
      return { type: 'CreateSeqStmt', sequence, options: parseSeqOptList(p), for_identity: false, if_not_exists: ifNot };
    }
  }
  if (t.kind === 'KEYWORD' && t.value === 'unique') return p.fail(p.peek(1));
  if (t.kind !== 'KEYWORD' || !CREATE_OBJECTS.has(t.value)) return p.fail();
  const more = t.value === 'materialized' || t.value === 'foreign' || t.value === 'event' ? ' ' + p.peek(1).value.toUpperCase() : '';
  return p.notSupported(`CREATE ${t.value.toUpperCase()}${more}`, createTok);
}

/** Objects PostgreSQL can CREATE that tabgres cannot yet: these give 0A000, anything else a syntax error. */
const CREATE_OBJECTS = new Set([
  'function', 'procedure', 'trigger', 'constraint', 'type', 'domain', 'extension', 'role', 'user', 'group', 'database',
  'materialized', 'aggregate', 'operator', 'collation', 'conversion', 'cast', 'text', 'foreign', 'server', 'policy',
  'publication', 'subscription', 'rule', 'event', 'language', 'trusted', 'procedural', 'access', 'statistics',
  'tablespace', 'transform', 'default',
]);

export function parseIfNotExists(p: Parser): boolean {
  if (p.isKw('if') && p.isKw('not', 1) && p.isKw('exists', 2)) {
    p.pos += 3;
    return true;
  }
  return false;
}

export function parseIfExists(p: Parser): boolean {
  if (p.isKw('if') && p.isKw('exists', 1)) {
    p.pos += 2;
    return true;
  }
  return false;
}

export function parseDropBehavior(p: Parser): DropBehavior {
  if (p.acceptKw('cascade')) return 'DROP_CASCADE';
  p.acceptKw('restrict');
  return 'DROP_RESTRICT';
}

/** CREATE TABLE [IF NOT EXISTS] name (elements) [ON COMMIT ...]. */
function parseCreateTable(p: Parser, persistence: RangeVar['relpersistence']): CreateStmt {
  p.expectKw('table');
  const ifNot = parseIfNotExists(p);
  const relation = parseQualifiedName(p);
  relation.relpersistence = persistence;
  const stmt: CreateStmt = {
    type: 'CreateStmt',
    relation,
    tableElts: [],
    inhRelations: [],
    constraints: [],
    options: [],
    oncommit: 'ONCOMMIT_NOOP',
    tablespacename: null,
    accessMethod: null,
    if_not_exists: ifNot,
  };
  if (p.isKw('of')) p.notSupported('CREATE TABLE OF');
  if (p.isKw('partition')) p.notSupported('CREATE TABLE PARTITION OF');
  if (!p.isChar('(')) {
    if (p.isKw('as') || (p.isChar('(', 0) === false && p.isKw('with'))) p.notSupported('CREATE TABLE AS');
    p.fail();
  }
  p.advance();
  if (!p.isChar(')')) {
    do stmt.tableElts.push(parseTableElement(p));
    while (p.acceptChar(','));
  }
  p.expectChar(')');
  if (p.isKw('inherits')) p.notSupported('INHERITS');
  if (p.isKw('partition')) p.notSupported('PARTITION BY');
  if (p.isKw('using')) p.notSupported('table access methods (USING)');
  if (p.isKw('with') || p.isKw('without')) p.notSupported('storage parameters (WITH)');
  if (p.isKw('on') && p.isKw('commit', 1)) {
    p.pos += 2;
    if (p.acceptKw('drop')) stmt.oncommit = 'ONCOMMIT_DROP';
    else if (p.acceptKw('delete')) {
      p.expectKw('rows');
      stmt.oncommit = 'ONCOMMIT_DELETE_ROWS';
    } else {
      p.expectKw('preserve');
      p.expectKw('rows');
      stmt.oncommit = 'ONCOMMIT_PRESERVE_ROWS';
    }
  }
  if (p.isKw('tablespace')) p.notSupported('TABLESPACE');
  return stmt;
}

export const TABLE_CONSTRAINT_START = new Set(['constraint', 'check', 'unique', 'primary', 'foreign', 'exclude']);

function parseTableElement(p: Parser): ColumnDef | Constraint {
  if (p.isKw('like')) p.notSupported('CREATE TABLE ... LIKE');
  if (p.tok.kind === 'KEYWORD' && TABLE_CONSTRAINT_START.has(p.tok.value)) return parseTableConstraint(p);
  return parseColumnDef(p);
}

/** columnDef: ColId Typename [COLLATE ...] ColQualList. */
export function parseColumnDef(p: Parser): ColumnDef {
  const t = p.tok;
  const colname = p.colId();
  const typeName = parseTypename(p);
  const def: ColumnDef = {
    type: 'ColumnDef', colname, typeName, compression: null, inhcount: 0, is_local: true, is_not_null: false, is_from_type: false,
    storage: '', raw_default: null, cooked_default: null, identity: '', identitySequence: null, generated: '', collClause: null,
    collOid: 0, constraints: [], fdwoptions: [], location: t.start,
  };
  if (p.isKw('storage')) p.notSupported('STORAGE');
  if (p.isKw('compression')) p.notSupported('COMPRESSION');
  for (;;) {
    const c = parseColConstraint(p, def);
    if (c === null) break;
    if (c !== 'collate') def.constraints.push(c);
  }
  return def;
}

/** One ColConstraint, a ConstraintAttr, COLLATE (returns 'collate'), or null at the end. */
function parseColConstraint(p: Parser, def: ColumnDef): Constraint | 'collate' | null {
  const start = p.tok;
  if (p.isKw('collate')) {
    p.advance();
    def.collClause = { type: 'CollateClause', arg: null, collname: p.anyName(), location: start.start };
    return 'collate';
  }
  let conname: string | null = null;
  if (p.acceptKw('constraint')) conname = p.colId();
  const t = p.tok;
  const loc = conname !== null ? start.start : t.start;
  let c: Constraint;
  if (t.kind !== 'KEYWORD') {
    if (conname !== null) p.fail();
    return null;
  }
  switch (t.value) {
    case 'not':
      if (p.isKw('null', 1)) {
        p.pos += 2;
        c = makeConstraint('CONSTR_NOTNULL', loc);
        c.keys = [];
        if (p.isKw('no') && p.isKw('inherit', 1)) {
          p.pos += 2;
          c.is_no_inherit = true;
        }
        break;
      }
      if (p.isKw('deferrable', 1) && conname === null) {
        p.pos += 2;
        return makeConstraint('CONSTR_ATTR_NOT_DEFERRABLE', loc);
      }
      return p.fail(p.peek(1));
    case 'null':
      p.advance();
      c = makeConstraint('CONSTR_NULL', loc);
      break;
    case 'unique':
      p.advance();
      c = makeConstraint('CONSTR_UNIQUE', loc);
      c.nulls_not_distinct = parseNullsDistinct(p);
      rejectIndexOptions(p);
      break;
    case 'primary':
      p.advance();
      p.expectKw('key');
      c = makeConstraint('CONSTR_PRIMARY', loc);
      rejectIndexOptions(p);
      break;
    case 'check':
      p.advance();
      c = makeConstraint('CONSTR_CHECK', loc);
      p.expectChar('(');
      c.raw_expr = parseExpr(p);
      p.expectChar(')');
      if (p.isKw('no') && p.isKw('inherit', 1)) {
        p.pos += 2;
        c.is_no_inherit = true;
      }
      break;
    case 'default':
      p.advance();
      c = makeConstraint('CONSTR_DEFAULT', loc);
      c.raw_expr = parseBExpr(p);
      break;
    case 'generated': {
      p.advance();
      let when = 'a';
      if (!p.acceptKw('always')) {
        p.expectKw('by');
        p.expectKw('default');
        when = 'd';
      }
      p.expectKw('as');
      if (p.acceptKw('identity')) {
        c = makeConstraint('CONSTR_IDENTITY', loc);
        c.generated_when = when;
        if (p.acceptChar('(')) {
          c.options = parseSeqOptList(p);
          p.expectChar(')');
        }
      } else {
        c = makeConstraint('CONSTR_GENERATED', loc);
        c.generated_when = when;
        p.expectChar('(');
        c.raw_expr = parseExpr(p);
        p.expectChar(')');
        if (!p.acceptKw('stored')) {
          if (p.isKw('virtual')) p.notSupported('virtual generated columns');
          p.fail();
        }
        if (when === 'd') p.errorAt('42601', 'for a generated column, GENERATED ALWAYS must be specified', loc);
      }
      break;
    }
    case 'references':
      c = makeConstraint('CONSTR_FOREIGN', loc);
      parseReferences(p, c);
      break;
    case 'deferrable':
    case 'initially':
      if (conname !== null) p.fail();
      return parseConstraintAttr(p);
    default:
      if (conname !== null) p.fail();
      return null;
  }
  c.conname = conname;
  return c;
}

function parseConstraintAttr(p: Parser): Constraint {
  const t = p.advance();
  if (t.value === 'deferrable') return makeConstraint('CONSTR_ATTR_DEFERRABLE', t.start);
  if (p.acceptKw('deferred')) return makeConstraint('CONSTR_ATTR_DEFERRED', t.start);
  p.expectKw('immediate');
  return makeConstraint('CONSTR_ATTR_IMMEDIATE', t.start);
}

function parseNullsDistinct(p: Parser): boolean {
  if (p.isKw('nulls') && p.isKw('distinct', 1)) {
    p.pos += 2;
    return false;
  }
  if (p.isKw('nulls') && p.isKw('not', 1) && p.isKw('distinct', 2)) {
    p.pos += 3;
    return true;
  }
  return false;
}

/** Index options of PRIMARY KEY / UNIQUE that tabgres does not implement. */
function rejectIndexOptions(p: Parser): void {
  if (p.isKw('include')) p.notSupported('INCLUDE');
  if (p.isKw('with')) p.notSupported('index storage parameters (WITH)');
  if (p.isKw('using') && p.isKw('index', 1)) p.notSupported('USING INDEX');
}

/** REFERENCES t [(cols)] [MATCH ...] [ON DELETE action] [ON UPDATE action]. */
function parseReferences(p: Parser, c: Constraint): void {
  p.expectKw('references');
  c.pktable = parseQualifiedName(p);
  if (p.isChar('(')) c.pk_attrs = p.parenNameList();
  if (p.acceptKw('match')) {
    if (p.acceptKw('full')) c.fk_matchtype = 'f';
    else if (p.acceptKw('simple')) c.fk_matchtype = 's';
    else if (p.isKw('partial')) p.errorAt(ERRCODE_FEATURE_NOT_SUPPORTED, 'MATCH PARTIAL not yet implemented');
    else p.fail();
  }
  let sawDelete = false;
  let sawUpdate = false;
  while (p.isKw('on') && (p.isKw('delete', 1) || p.isKw('update', 1))) {
    p.advance();
    const which = p.advance().value;
    if ((which === 'delete' && sawDelete) || (which === 'update' && sawUpdate)) p.fail(p.peek(-2));
    const action = parseKeyAction(p, which === 'delete' ? c : null);
    if (which === 'delete') {
      sawDelete = true;
      c.fk_del_action = action;
    } else {
      sawUpdate = true;
      c.fk_upd_action = action;
    }
  }
  c.initially_valid = true;
}

function parseKeyAction(p: Parser, delCols: Constraint | null): FkAction {
  if (p.acceptKw('cascade')) return 'c';
  if (p.acceptKw('restrict')) return 'r';
  if (p.acceptKw('no')) {
    p.expectKw('action');
    return 'a';
  }
  p.expectKw('set');
  let a: FkAction;
  if (p.acceptKw('null')) a = 'n';
  else {
    p.expectKw('default');
    a = 'd';
  }
  if (p.isChar('(')) {
    if (delCols === null) p.notSupported('a column list with SET NULL/SET DEFAULT for ON UPDATE');
    delCols.fk_del_set_cols = p.parenNameList();
  }
  return a;
}

/** TableConstraint: [CONSTRAINT name] CHECK | UNIQUE | PRIMARY KEY | FOREIGN KEY, with attributes. */
export function parseTableConstraint(p: Parser): Constraint {
  const start = p.tok.start;
  let conname: string | null = null;
  if (p.acceptKw('constraint')) conname = p.colId();
  const t = p.tok;
  let c: Constraint;
  if (p.acceptKw('check')) {
    c = makeConstraint('CONSTR_CHECK', start);
    p.expectChar('(');
    c.raw_expr = parseExpr(p);
    p.expectChar(')');
  } else if (p.acceptKw('unique')) {
    c = makeConstraint('CONSTR_UNIQUE', start);
    c.nulls_not_distinct = parseNullsDistinct(p);
    if (!p.isChar('(')) {
      if (p.isKw('using')) p.notSupported('USING INDEX');
      p.fail();
    }
    c.keys = p.parenNameList();
    rejectIndexOptions(p);
  } else if (p.acceptKw('primary')) {
    p.expectKw('key');
    c = makeConstraint('CONSTR_PRIMARY', start);
    if (!p.isChar('(')) {
      if (p.isKw('using')) p.notSupported('USING INDEX');
      p.fail();
    }
    c.keys = p.parenNameList();
    rejectIndexOptions(p);
  } else if (p.acceptKw('foreign')) {
    p.expectKw('key');
    c = makeConstraint('CONSTR_FOREIGN', start);
    c.fk_attrs = p.parenNameList();
    parseReferences(p, c);
  } else if (p.isKw('exclude')) {
    return p.notSupported('EXCLUDE constraints', t);
  } else if (p.isKw('not') && p.isKw('null', 1)) {
    p.pos += 2;
    c = makeConstraint('CONSTR_NOTNULL', start);
    c.keys = [p.colId()];
  } else return p.fail();
  c.conname = conname;
  // ConstraintAttributeSpec
  for (;;) {
    if (p.acceptKw('deferrable')) c.deferrable = true;
    else if (p.isKw('not') && p.isKw('deferrable', 1)) {
      p.pos += 2;
      c.deferrable = false;
    } else if (p.acceptKw('initially')) {
      if (p.acceptKw('deferred')) c.initdeferred = true;
      else {
        p.expectKw('immediate');
        c.initdeferred = false;
      }
    } else if (p.isKw('not') && p.isKw('valid', 1)) {
      p.pos += 2;
      c.skip_validation = true;
      c.initially_valid = false;
    } else if (p.isKw('no') && p.isKw('inherit', 1)) {
      p.pos += 2;
      c.is_no_inherit = true;
    } else break;
  }
  return c;
}

/** CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON t [USING m] (params) [INCLUDE ...] [WHERE ...]. */
function parseCreateIndex(p: Parser): IndexStmt {
  const unique = p.acceptKw('unique');
  p.expectKw('index');
  const concurrent = p.acceptKw('concurrently');
  const ifNot = parseIfNotExists(p);
  let idxname: string | null = null;
  if (!p.isKw('on')) idxname = p.colId();
  else if (ifNot) p.fail();
  p.expectKw('on');
  const relation = parseRelationExpr(p);
  let accessMethod = 'btree';
  if (p.acceptKw('using')) accessMethod = p.colId();
  p.expectChar('(');
  const indexParams = parseIndexParams(p);
  p.expectChar(')');
  const stmt: IndexStmt = {
    type: 'IndexStmt', idxname, relation, accessMethod, tableSpace: null, indexParams, indexIncludingParams: [], options: [],
    whereClause: null, unique, nulls_not_distinct: false, primary: false, isconstraint: false, deferrable: false,
    initdeferred: false, concurrent, if_not_exists: ifNot,
  };
  if (p.acceptKw('include')) {
    p.expectChar('(');
    stmt.indexIncludingParams = parseIndexParams(p);
    p.expectChar(')');
  }
  stmt.nulls_not_distinct = parseNullsDistinct(p);
  if (p.isKw('with')) p.notSupported('index storage parameters (WITH)');
  if (p.isKw('tablespace')) p.notSupported('TABLESPACE');
  stmt.whereClause = parseWhereClause(p);
  return stmt;
}

/** index_params: index_elem (',' index_elem)*; also the ON CONFLICT target. */
export function parseIndexParams(p: Parser): IndexElem[] {
  const list: IndexElem[] = [];
  do {
    const e: IndexElem = { type: 'IndexElem', name: null, expr: null, indexcolname: null, collation: [], opclass: [], ordering: 'SORTBY_DEFAULT', nulls_ordering: 'SORTBY_NULLS_DEFAULT' };
    if (p.isChar('(')) {
      p.advance();
      e.expr = parseExpr(p);
      p.expectChar(')');
    } else if (isSpecialFuncStart(p) || ((p.isTypeFuncName() || p.isColId()) && (p.isChar('(', 1) || (p.isChar('.', 1) && !p.isKw('collate', 0))))) {
      e.expr = parseFuncExprWindowless(p);
    } else {
      e.name = p.colId();
    }
    if (p.acceptKw('collate')) e.collation = p.anyName();
    if (p.isColId() && !p.isKw('nulls')) e.opclass = p.anyName();
    if (p.acceptKw('asc')) e.ordering = 'SORTBY_ASC';
    else if (p.acceptKw('desc')) e.ordering = 'SORTBY_DESC';
    if (p.isKw('nulls') && (p.isKw('first', 1) || p.isKw('last', 1))) {
      p.advance();
      e.nulls_ordering = p.advance().value === 'first' ? 'SORTBY_NULLS_FIRST' : 'SORTBY_NULLS_LAST';
    }
    list.push(e);
  } while (p.acceptChar(','));
  return list;
}

/** CREATE [OR REPLACE] VIEW name [(cols)] AS query [WITH [CASCADED|LOCAL] CHECK OPTION]. */
function parseCreateView(p: Parser, replace: boolean, persistence: RangeVar['relpersistence']): Stmt {
  p.expectKw('view');
  const view = parseQualifiedName(p);
  view.relpersistence = persistence;
  const aliases = p.isChar('(') ? p.parenNameList() : [];
  if (p.isKw('with')) p.notSupported('view options (WITH)');
  p.expectKw('as');
  const query = parseSelectStmt(p);
  let withCheckOption: 'NO_CHECK_OPTION' | 'LOCAL_CHECK_OPTION' | 'CASCADED_CHECK_OPTION' = 'NO_CHECK_OPTION';
  if (p.acceptKw('with')) {
    withCheckOption = 'CASCADED_CHECK_OPTION';
    if (p.acceptKw('local')) withCheckOption = 'LOCAL_CHECK_OPTION';
    else p.acceptKw('cascaded');
    p.expectKw('check');
    p.expectKw('option');
  }
  return { type: 'ViewStmt', view, aliases, query, replace, options: [], withCheckOption };
}

/** CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role] | CREATE SCHEMA AUTHORIZATION role. */
function parseCreateSchema(p: Parser): Stmt {
  p.expectKw('schema');
  const ifNot = parseIfNotExists(p);
  let schemaname: string | null = null;
  let authrole: string | null = null;
  if (p.acceptKw('authorization')) authrole = parseRoleSpec(p);
  else {
    schemaname = p.colId();
    if (p.acceptKw('authorization')) authrole = parseRoleSpec(p);
  }
  const t = p.tok;
  if (!(t.kind === 'EOF' || (t.kind === 'CHAR' && t.value === ';'))) {
    if (t.kind === 'KEYWORD' && ['create', 'grant'].includes(t.value) && !ifNot) p.notSupported('schema elements in CREATE SCHEMA');
  }
  return { type: 'CreateSchemaStmt', schemaname, authrole, schemaElts: [], if_not_exists: ifNot };
}

function parseRoleSpec(p: Parser): string {
  if (p.isKw('current_user') || p.isKw('session_user') || p.isKw('current_role')) return p.advance().value;
  return p.isNonReservedWord() ? p.advance().value : p.fail();
}

/** NumericOnly: a signed integer or numeric constant as a value node. */
function parseNumericOnly(p: Parser): Node {
  let neg = false;
  if (p.acceptChar('-')) neg = true;
  else p.acceptChar('+');
  const t = p.tok;
  if (t.kind === 'ICONST') {
    p.advance();
    return { type: 'Integer', ival: neg ? -t.ival : t.ival };
  }
  if (t.kind === 'FCONST') {
    p.advance();
    return { type: 'Float', fval: neg ? '-' + t.value : t.value };
  }
  return p.fail();
}

/** SeqOptList: sequence options as DefElems (gram.y's SeqOptElem). */
export function parseSeqOptList(p: Parser): DefElem[] {
  const opts: DefElem[] = [];
  for (;;) {
    const t = p.tok;
    const loc = t.start;
    if (t.kind !== 'KEYWORD') return opts;
    switch (t.value) {
      case 'as':
        p.advance();
        opts.push(makeDefElem('as', parseSimpleTypename(p, false), loc));
        continue;
      case 'cache':
        p.advance();
        opts.push(makeDefElem('cache', parseNumericOnly(p), loc));
        continue;
      case 'cycle':
        p.advance();
        opts.push(makeDefElem('cycle', { type: 'Boolean', boolval: true }, loc));
        continue;
      case 'increment':
        p.advance();
        p.acceptKw('by');
        opts.push(makeDefElem('increment', parseNumericOnly(p), loc));
        continue;
      case 'maxvalue':
      case 'minvalue':
        p.advance();
        opts.push(makeDefElem(t.value, parseNumericOnly(p), loc));
        continue;
      case 'no':
        p.advance();
        if (p.acceptKw('cycle')) opts.push(makeDefElem('cycle', { type: 'Boolean', boolval: false }, loc));
        else if (p.acceptKw('maxvalue')) opts.push(makeDefElem('maxvalue', null, loc));
        else if (p.acceptKw('minvalue')) opts.push(makeDefElem('minvalue', null, loc));
        else p.fail();
        continue;
      case 'owned':
        p.advance();
        p.expectKw('by');
        opts.push(makeDefElem('owned_by', p.anyName(), loc));
        continue;
      case 'sequence':
        p.advance();
        p.expectKw('name');
        opts.push(makeDefElem('sequence_name', p.anyName(), loc));
        continue;
      case 'start':
        p.advance();
        p.acceptKw('with');
        opts.push(makeDefElem('start', parseNumericOnly(p), loc));
        continue;
      case 'restart':
        p.advance();
        if (p.acceptKw('with') || p.tok.kind === 'ICONST' || p.tok.kind === 'FCONST' || p.isChar('-') || p.isChar('+')) {
          opts.push(makeDefElem('restart', parseNumericOnly(p), loc));
        } else opts.push(makeDefElem('restart', null, loc));
        continue;
      case 'logged':
      case 'unlogged':
        p.notSupported(`${t.value.toUpperCase()} sequences`);
    }
    return opts;
  }
}

export const DROP_TYPES: Record<string, ObjectType> = {
  table: 'OBJECT_TABLE',
  index: 'OBJECT_INDEX',
  view: 'OBJECT_VIEW',
  sequence: 'OBJECT_SEQUENCE',
  schema: 'OBJECT_SCHEMA',
};

/** DROP TABLE|INDEX|VIEW|SEQUENCE|SCHEMA [CONCURRENTLY] [IF EXISTS] names [CASCADE|RESTRICT]. */
export function parseDrop(p: Parser): Stmt {
  const dropTok = p.expectKw('drop');
  const t = p.tok;
  const removeType = t.kind === 'KEYWORD' ? DROP_TYPES[t.value] : undefined;
  if (removeType === undefined) {
    if (t.kind !== 'KEYWORD') p.fail();
    return p.notSupported(`DROP ${t.value.toUpperCase()}`, dropTok);
  }
  p.advance();
  const concurrent = removeType === 'OBJECT_INDEX' && p.acceptKw('concurrently');
  const missing_ok = parseIfExists(p);
  const objects: string[][] = [];
  do objects.push(removeType === 'OBJECT_SCHEMA' ? [p.colId()] : p.anyName());
  while (p.acceptChar(','));
  return { type: 'DropStmt', objects, removeType, behavior: parseDropBehavior(p), missing_ok, concurrent };
}

/** TRUNCATE [TABLE] rels [RESTART IDENTITY | CONTINUE IDENTITY] [CASCADE | RESTRICT]. */
export function parseTruncate(p: Parser): Stmt {
  p.expectKw('truncate');
  p.acceptKw('table');
  const relations: RangeVar[] = [];
  do relations.push(parseRelationExpr(p));
  while (p.acceptChar(','));
  let restart_seqs = false;
  if (p.acceptKw('restart')) {
    p.expectKw('identity');
    restart_seqs = true;
  } else if (p.acceptKw('continue')) p.expectKw('identity');
  return { type: 'TruncateStmt', relations, restart_seqs, behavior: parseDropBehavior(p) };
}
