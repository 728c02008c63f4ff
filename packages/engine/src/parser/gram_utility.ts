/*
 * gram_utility.ts — transactions and utility statements (gram.y's
 * TransactionStmt, VariableSetStmt, VariableShowStmt, VariableResetStmt,
 * ExplainStmt, VacuumStmt, AnalyzeStmt, CheckPointStmt, LockStmt).
 *
 * Exports: parseTransaction(), parseSet(), parseShow(), parseReset(),
 *          parseExplain(), parseVacuum(), parseAnalyze(), parseLock().
 */

import { parseDeleteStmt, parseInsertStmt, parseUpdateStmt } from './gram_dml.ts';
import { parseRelationExpr, parseSelectAfterWith, parseSelectStmt, parseWithClause } from './gram_select.ts';
import { parseOptInterval } from './gram_type.ts';
import type { Parser } from './gramparse.ts';
import { makeDefElem, type DefElem, type Stmt, type TransactionStmt, type VacuumRelation, type VariableSetStmt } from './nodes.ts';
import { makeIntConst, makeStringConst, systemTypeName, type Node, type RangeVar } from './primnodes.ts';

function txn(kind: TransactionStmt['kind'], location: number): TransactionStmt {
  return { type: 'TransactionStmt', kind, options: [], savepoint_name: null, gid: null, chain: false, location };
}

/** opt_transaction: [WORK | TRANSACTION]. */
function optTransaction(p: Parser): void {
  if (!p.acceptKw('work')) p.acceptKw('transaction');
}

/** opt_transaction_chain: [AND [NO] CHAIN]. */
function optChain(p: Parser): boolean {
  if (!p.isKw('and')) return false;
  p.advance();
  const no = p.acceptKw('no');
  p.expectKw('chain');
  return !no;
}

/** transaction_mode_list: ISOLATION LEVEL ..., READ ONLY|WRITE, [NOT] DEFERRABLE, with optional commas. */
function parseTransactionModes(p: Parser, required: boolean): DefElem[] {
  const modes: DefElem[] = [];
  for (;;) {
    const t = p.tok;
    if (p.acceptKw('isolation')) {
      p.expectKw('level');
      let level: string;
      if (p.acceptKw('serializable')) level = 'serializable';
      else if (p.acceptKw('repeatable')) {
        p.expectKw('read');
        level = 'repeatable read';
      } else {
        p.expectKw('read');
        if (p.acceptKw('committed')) level = 'read committed';
        else {
          p.expectKw('uncommitted');
          level = 'read uncommitted';
        }
      }
      modes.push(makeDefElem('transaction_isolation', makeStringConst(level, t.start), t.start));
    } else if (p.acceptKw('read')) {
      if (!p.isKw('only') && !p.isKw('write')) p.fail();
      const ro = p.advance().value === 'only';
      modes.push(makeDefElem('transaction_read_only', makeIntConst(ro ? 1 : 0, t.start), t.start));
    } else if (p.acceptKw('deferrable')) {
      modes.push(makeDefElem('transaction_deferrable', makeIntConst(1, t.start), t.start));
    } else if (p.acceptKw('not')) {
      p.expectKw('deferrable');
      modes.push(makeDefElem('transaction_deferrable', makeIntConst(0, t.start), t.start));
    } else {
      if ((modes.length > 0 && p.peek(-1).value === ',') || (required && modes.length === 0)) p.fail();
      return modes;
    }
    p.acceptChar(',');
  }
}

/** BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE, ROLLBACK TO. */
export function parseTransaction(p: Parser): Stmt {
  const t = p.advance();
  const loc = t.start;
  switch (t.value) {
    case 'begin': {
      optTransaction(p);
      const s = txn('TRANS_STMT_BEGIN', loc);
      s.options = parseTransactionModes(p, false);
      return s;
    }
    case 'start': {
      p.expectKw('transaction');
      const s = txn('TRANS_STMT_START', loc);
      s.options = parseTransactionModes(p, false);
      return s;
    }
    case 'commit':
    case 'end': {
      if (t.value === 'commit' && p.isKw('prepared')) p.notSupported('COMMIT PREPARED');
      optTransaction(p);
      const s = txn('TRANS_STMT_COMMIT', loc);
      s.chain = optChain(p);
      return s;
    }
    case 'rollback':
    case 'abort': {
      if (t.value === 'rollback' && p.isKw('prepared')) p.notSupported('ROLLBACK PREPARED');
      optTransaction(p);
      if (t.value === 'rollback' && p.acceptKw('to')) {
        p.acceptKw('savepoint');
        const s = txn('TRANS_STMT_ROLLBACK_TO', loc);
        s.savepoint_name = p.colId();
        return s;
      }
      const s = txn('TRANS_STMT_ROLLBACK', loc);
      s.chain = optChain(p);
      return s;
    }
    case 'savepoint': {
      const s = txn('TRANS_STMT_SAVEPOINT', loc);
      s.savepoint_name = p.colId();
      return s;
    }
    case 'release': {
      p.acceptKw('savepoint');
      const s = txn('TRANS_STMT_RELEASE', loc);
      s.savepoint_name = p.colId();
      return s;
    }
  }
  return p.fail(t);
}

/** var_name: ColId ('.' ColId)*, joined with dots. */
function parseVarName(p: Parser): string {
  let name = p.colId();
  while (p.acceptChar('.')) name += '.' + p.colId();
  return name;
}

/** var_value: TRUE/FALSE/ON, a name or string, or a signed number. */
function parseVarValue(p: Parser): Node {
  const t = p.tok;
  if (t.kind === 'SCONST') {
    p.advance();
    return makeStringConst(t.value, t.start);
  }
  if (t.kind === 'ICONST' || t.kind === 'FCONST' || p.isChar('-') || p.isChar('+')) {
    let neg = false;
    const signTok = t;
    if (p.acceptChar('-')) neg = true;
    else p.acceptChar('+');
    const n = p.tok;
    if (n.kind === 'ICONST') {
      p.advance();
      return makeIntConst(neg ? -n.ival : n.ival, signTok.start);
    }
    if (n.kind === 'FCONST') {
      p.advance();
      return { type: 'A_Const', isnull: false, val: { type: 'Float', fval: neg ? '-' + n.value : n.value }, location: signTok.start };
    }
    return p.fail();
  }
  if (p.isKw('true') || p.isKw('false') || p.isKw('on')) {
    p.advance();
    return makeStringConst(t.value, t.start);
  }
  if (p.isNonReservedWord()) {
    p.advance();
    return makeStringConst(t.value, t.start);
  }
  return p.fail();
}

function setStmt(kind: VariableSetStmt['kind'], name: string | null, args: VariableSetStmt['args'], location: number): VariableSetStmt {
  return { type: 'VariableSetStmt', kind, name, args, is_local: false, location };
}

/** SET [SESSION | LOCAL] name {TO | =} value[, ...] | DEFAULT, SET TIME ZONE, SET TRANSACTION, ... */
export function parseSet(p: Parser): Stmt {
  const loc = p.expectKw('set').start;
  let isLocal = false;
  if (p.acceptKw('local')) isLocal = true;
  else if (p.isKw('session') && !p.isKw('characteristics', 1) && !p.isKw('authorization', 1)) p.advance();
  const s = parseSetRest(p, loc);
  s.is_local = isLocal;
  return s;
}

function parseSetRest(p: Parser, loc: number): VariableSetStmt {
  const t = p.tok;
  if (p.acceptKw('transaction')) {
    if (p.isKw('snapshot')) p.notSupported('SET TRANSACTION SNAPSHOT');
    return setStmt('VAR_SET_MULTI', 'TRANSACTION', parseTransactionModes(p, true), loc);
  }
  if (p.isKw('session') && p.isKw('characteristics', 1)) {
    p.pos += 2;
    p.expectKw('as');
    p.expectKw('transaction');
    return setStmt('VAR_SET_MULTI', 'SESSION CHARACTERISTICS', parseTransactionModes(p, true), loc);
  }
  if (p.isKw('time') && p.isKw('zone', 1)) {
    p.pos += 2;
    return parseZoneValue(p, loc);
  }
  if (p.isKw('schema') && p.peek(1).kind === 'SCONST') {
    p.advance();
    const v = p.advance();
    return setStmt('VAR_SET_VALUE', 'search_path', [makeStringConst(v.value, v.start)], loc);
  }
  if (p.acceptKw('names')) {
    if (p.tok.kind === 'SCONST' || p.isNonReservedWord()) return setStmt('VAR_SET_VALUE', 'client_encoding', [parseVarValue(p)], loc);
    if (p.acceptKw('default')) return setStmt('VAR_SET_DEFAULT', 'client_encoding', [], loc);
    return setStmt('VAR_SET_DEFAULT', 'client_encoding', [], loc);
  }
  if ((p.isKw('session') && p.isKw('authorization', 1)) || p.isKw('role') || p.isKw('catalog') || (p.isKw('xml') && p.isKw('option', 1)) || p.isKw('constraints')) {
    p.notSupported(`SET ${t.value.toUpperCase()}`);
  }
  const name = parseVarName(p);
  if (p.acceptKw('from')) {
    p.expectKw('current');
    return setStmt('VAR_SET_CURRENT', name, [], loc);
  }
  if (!p.acceptKw('to') && !p.acceptChar('=')) p.fail();
  if (p.acceptKw('default')) return setStmt('VAR_SET_DEFAULT', name, [], loc);
  const args = [parseVarValue(p)];
  while (p.acceptChar(',')) args.push(parseVarValue(p));
  return setStmt('VAR_SET_VALUE', name, args, loc);
}

/** zone_value: 'UTC' | name | INTERVAL '...' [fields] | number | LOCAL | DEFAULT. */
function parseZoneValue(p: Parser, loc: number): VariableSetStmt {
  const t = p.tok;
  if (p.acceptKw('local') || p.acceptKw('default')) return setStmt('VAR_SET_DEFAULT', 'timezone', [], loc);
  if (p.acceptKw('interval')) {
    const s = p.tok;
    const str = p.sconst();
    const typmods = parseOptInterval(p);
    const arg: Node = { type: 'TypeCast', arg: makeStringConst(str, s.start), typeName: systemTypeName('interval', t.start, typmods), location: -1 };
    return setStmt('VAR_SET_VALUE', 'timezone', [arg], loc);
  }
  if (t.kind === 'IDENT' || t.kind === 'SCONST') {
    p.advance();
    return setStmt('VAR_SET_VALUE', 'timezone', [makeStringConst(t.value, t.start)], loc);
  }
  return setStmt('VAR_SET_VALUE', 'timezone', [parseVarValue(p)], loc);
}

/** SHOW name | TIME ZONE | TRANSACTION ISOLATION LEVEL | SESSION AUTHORIZATION | ALL. */
export function parseShow(p: Parser): Stmt {
  p.expectKw('show');
  let name: string;
  if (p.isKw('time') && p.isKw('zone', 1)) {
    p.pos += 2;
    name = 'timezone';
  } else if (p.isKw('transaction') && p.isKw('isolation', 1)) {
    p.pos += 2;
    p.expectKw('level');
    name = 'transaction_isolation';
  } else if (p.isKw('session') && p.isKw('authorization', 1)) {
    p.pos += 2;
    name = 'session_authorization';
  } else if (p.acceptKw('all')) name = 'all';
  else name = parseVarName(p);
  return { type: 'VariableShowStmt', name };
}

/** RESET name | ALL | TIME ZONE | TRANSACTION ISOLATION LEVEL | SESSION AUTHORIZATION. */
export function parseReset(p: Parser): Stmt {
  const loc = p.expectKw('reset').start;
  if (p.acceptKw('all')) return setStmt('VAR_RESET_ALL', null, [], loc);
  let name: string;
  if (p.isKw('time') && p.isKw('zone', 1)) {
    p.pos += 2;
    name = 'timezone';
  } else if (p.isKw('transaction') && p.isKw('isolation', 1)) {
    p.pos += 2;
    p.expectKw('level');
    name = 'transaction_isolation';
  } else if (p.isKw('session') && p.isKw('authorization', 1)) {
    p.pos += 2;
    name = 'session_authorization';
  } else name = parseVarName(p);
  return setStmt('VAR_RESET', name, [], loc);
}

/** utility_option_list: '(' name [value] (',' name [value])* ')'. */
function parseUtilityOptions(p: Parser): DefElem[] {
  p.expectChar('(');
  const opts: DefElem[] = [];
  do {
    const t = p.tok;
    if (!p.isNonReservedWord() && !p.isKw('analyze') && !p.isKw('analyse')) p.fail();
    p.advance();
    const name = t.value === 'analyse' ? 'analyze' : t.value;
    let arg: Node | null = null;
    const a = p.tok;
    if (a.kind === 'ICONST' || a.kind === 'FCONST' || p.isChar('-') || p.isChar('+')) {
      const v = parseVarValue(p);
      arg = v.type === 'A_Const' && v.val !== undefined ? v.val : null;
    } else if (a.kind === 'SCONST' || p.isKw('true') || p.isKw('false') || p.isKw('on') || (p.isNonReservedWord() && !p.isChar(',') && !p.isChar(')'))) {
      p.advance();
      arg = { type: 'String', sval: a.value };
    }
    opts.push(makeDefElem(name, arg, t.start));
  } while (p.acceptChar(','));
  p.expectChar(')');
  return opts;
}

/** EXPLAIN [ANALYZE] [VERBOSE] stmt | EXPLAIN (options) stmt. */
export function parseExplain(p: Parser): Stmt {
  p.expectKw('explain');
  let options: DefElem[] = [];
  if (p.isChar('(') && !p.parenStartsSelect()) options = parseUtilityOptions(p);
  else {
    if (p.isKw('analyze') || p.isKw('analyse')) options.push(makeDefElem('analyze', null, p.advance().start));
    if (p.isKw('verbose')) options.push(makeDefElem('verbose', null, p.advance().start));
  }
  return { type: 'ExplainStmt', query: parseExplainable(p), options };
}

function parseExplainable(p: Parser): Stmt {
  if (p.isKw('insert')) return parseInsertStmt(p, null);
  if (p.isKw('update')) return parseUpdateStmt(p, null);
  if (p.isKw('delete')) return parseDeleteStmt(p, null);
  if (p.isKw('with')) {
    const w = parseWithClause(p);
    if (p.isKw('insert')) return parseInsertStmt(p, w);
    if (p.isKw('update')) return parseUpdateStmt(p, w);
    if (p.isKw('delete')) return parseDeleteStmt(p, w);
    return parseSelectAfterWith(p, w);
  }
  if (p.isKw('select') || p.isKw('values') || p.isKw('table') || p.isChar('(')) return parseSelectStmt(p);
  if (p.isKw('create') || p.isKw('execute') || p.isKw('declare') || p.isKw('merge') || p.isKw('refresh')) {
    p.notSupported(`EXPLAIN ${p.tok.value.toUpperCase()}`);
  }
  return p.fail();
}

function parseVacuumRelations(p: Parser): VacuumRelation[] {
  const rels: VacuumRelation[] = [];
  if (!p.isColId() && !p.isKw('only')) return rels;
  do {
    const relation = parseRelationExpr(p);
    const va_cols = p.isChar('(') ? p.parenNameList() : [];
    rels.push({ type: 'VacuumRelation', relation, va_cols });
  } while (p.acceptChar(','));
  return rels;
}

/** VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [rels] | VACUUM (options) [rels]. */
export function parseVacuum(p: Parser): Stmt {
  p.expectKw('vacuum');
  let options: DefElem[] = [];
  if (p.isChar('(')) options = parseUtilityOptions(p);
  else {
    for (const kw of ['full', 'freeze', 'verbose']) {
      if (p.isKw(kw)) options.push(makeDefElem(kw, null, p.advance().start));
    }
    if (p.isKw('analyze') || p.isKw('analyse')) options.push(makeDefElem('analyze', null, p.advance().start));
  }
  return { type: 'VacuumStmt', options, rels: parseVacuumRelations(p), is_vacuumcmd: true };
}

/** ANALYZE [VERBOSE] [rels] | ANALYZE (options) [rels]. */
export function parseAnalyze(p: Parser): Stmt {
  p.advance();
  let options: DefElem[] = [];
  if (p.isChar('(')) options = parseUtilityOptions(p);
  else if (p.isKw('verbose')) options.push(makeDefElem('verbose', null, p.advance().start));
  return { type: 'VacuumStmt', options, rels: parseVacuumRelations(p), is_vacuumcmd: false };
}

/** lock_type: the words of a lock mode, read as gram.y does; its lockdefs.h number. */
function parseLockType(p: Parser): number {
  if (p.acceptKw('access')) {
    if (p.acceptKw('share')) return 1; // AccessShareLock
    p.expectKw('exclusive');
    return 8; // AccessExclusiveLock
  }
  if (p.acceptKw('row')) {
    if (p.acceptKw('share')) return 2; // RowShareLock
    p.expectKw('exclusive');
    return 3; // RowExclusiveLock
  }
  if (p.acceptKw('share')) {
    if (p.acceptKw('update')) {
      p.expectKw('exclusive');
      return 4; // ShareUpdateExclusiveLock
    }
    if (p.acceptKw('row')) {
      p.expectKw('exclusive');
      return 6; // ShareRowExclusiveLock
    }
    return 5; // ShareLock
  }
  p.expectKw('exclusive');
  return 7; // ExclusiveLock
}

/** LOCK [TABLE] rels [IN mode MODE] [NOWAIT]. */
export function parseLock(p: Parser): Stmt {
  p.expectKw('lock');
  p.acceptKw('table');
  const relations: RangeVar[] = [];
  do relations.push(parseRelationExpr(p));
  while (p.acceptChar(','));
  let mode = 8;
  if (p.acceptKw('in')) {
    mode = parseLockType(p);
    p.expectKw('mode');
  }
  return { type: 'LockStmt', relations, mode, nowait: p.acceptKw('nowait') };
}
