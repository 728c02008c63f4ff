/*
 * ddl.testutil.ts — a small backend for commands/ and DML tests: a
 * StorageEngine with real catalogs, SQL run through parse -> (utility:
 * the command functions here | DML and SELECT: parseAnalyze -> planner ->
 * executor, with ModifyTable initialized by ExecInitModifyTable), each
 * statement inside engine.startStatement()/endStatement(), as tcop will.
 * Also a catalog double (FakeCatalog) for the sequence tests that predate
 * the catalogs.
 */

import { StorageEngine } from '../engine.ts';
import type { StorageDirectory } from '@tabgres/opfs-storage';
import type { ColumnDef } from '../access/common/tupdesc.ts';
import { BOOLOID, INT8OID, typeByOid } from '../utils/adt/types.ts';
import type { TypeInfo } from '../utils/adt/datum.ts';
import { PgError, isPgError } from '../utils/errors.ts';
import type { RelationInfo, AttributeInfo } from '../utils/rel.ts';
import { Catalog } from '../catalog/catalog.ts';
import type { FunctionCallContext } from '../utils/fmgr/fmgrtypes.ts';
import type { UtilityContext } from './utility_context.ts';
import { parse } from '../parser/gram.ts';
import type { RawStmt } from '../parser/nodes.ts';
import { parseAnalyze } from '../parser/analyze.ts';
import { planner } from '../optimizer/plan/planner.ts';
import { queryRewrite } from '../rewrite/rewriteHandler.ts';
import { ExecutorEnd, ExecutorRun, ExecutorStart } from '../executor/execMain.ts';
import type { EState } from '../executor/execnodes.ts';
import type { PlannedStmt } from '../nodes/plannodes.ts';
import { ExecInitModifyTable } from '../executor/nodeModifyTable.ts';
import { SequenceSession } from './sequence.ts';
import { setRegclassResolver } from '../utils/adt/pseudotypes.ts';
import { DefineRelation, AlterTable, ExecRenameStmt } from './tablecmds.ts';
import { DefineIndex } from './indexcmds.ts';
import { RemoveRelations } from './dropcmds.ts';
import { DefineView } from './view.ts';
import { ExecuteTruncate } from './truncate.ts';
import { CreateSchemaCommand } from './schemacmds.ts';
import { AlterSequence, DefineSequence } from './sequence.ts';

const t = (oid: number): TypeInfo => typeByOid(oid) as TypeInfo;

export const SEQ_COLUMNS: ColumnDef[] = [
  { name: 'last_value', type: t(INT8OID), notNull: true },
  { name: 'log_cnt', type: t(INT8OID), notNull: true },
  { name: 'is_called', type: t(BOOLOID), notNull: true },
];

function attrsOf(cols: ColumnDef[]): AttributeInfo[] {
  return cols.map((c, i) => ({
    attnum: i + 1, attname: c.name, atttypid: c.type.oid, atttypmod: c.typmod ?? -1, attnotnull: c.notNull ?? false,
    atthasdef: false, attidentity: '', attgenerated: '', attisdropped: false,
  }));
}

/** A catalog double: one schema "public" (2200), sequences only. */
export class FakeCatalog {
  rels = new Map<number, RelationInfo>();
  /** No pg_sequence here: AlterSequence finds no row to update. */
  heaps = { findOne: (): null => null };
  constructor(public engine: StorageEngine) {}
  relnameGetRelid(_schema: string | null, relname: string, missingOk: boolean): number | null {
    for (const r of this.rels.values()) if (r.relname === relname) return r.oid;
    if (missingOk) return null;
    throw new PgError('42P01', `relation "${relname}" does not exist`);
  }
  getRelation(oid: number): RelationInfo {
    const r = this.rels.get(oid);
    if (r === undefined) throw new PgError('XX000', `cache lookup failed for relation ${oid}`);
    return r;
  }
  namespaceOid(n: string): number | null {
    return n === 'public' ? 2200 : null;
  }
  searchPath(): number[] {
    return [11, 2200];
  }
  creationNamespace(): number {
    return 2200;
  }
  namespaceForCreate(): number {
    return 2200;
  }
  createSequenceRelation(spec: { relname: string; relnamespace: number; ifNotExists?: boolean }): number {
    const { relname, relnamespace } = spec;
    if (this.relnameGetRelid(null, relname, true) !== null) {
      if (spec.ifNotExists === true) return 0;
      throw new PgError('42P07', `relation "${relname}" already exists`);
    }
    const heap = this.engine.createRelation(relname, SEQ_COLUMNS);
    this.rels.set(heap.oid, {
      oid: heap.oid, relname, relnamespace, nspname: 'public', relkind: 'S', relpages: 1, reltuples: 1,
      attrs: attrsOf(SEQ_COLUMNS), heap, indexes: [], constraints: [], defaults: new Map(), viewQuery: null,
    });
    return heap.oid;
  }
  /** After a restart: re-attach the sequences' storage. */
  reattach(engine: StorageEngine): void {
    this.engine = engine;
    for (const r of this.rels.values()) {
      if (r.relkind === 'S') r.heap = engine.openRelation({ oid: r.oid, name: r.relname, columns: SEQ_COLUMNS });
    }
  }
}

export function fakeUtilityContext(engine: StorageEngine, catalog: FakeCatalog, notices: string[] = [], sourceText = ''): UtilityContext {
  return { engine, catalog: catalog as unknown as Catalog, sourceText, notice: (m) => notices.push(m), fmgr: {} as FunctionCallContext };
}

/** What one statement returned. */
export interface Result {
  rows: unknown[][];
  processed: number;
}

/** One backend over real catalogs (see the header). */
export class Backend {
  engine: StorageEngine;
  catalog: Catalog;
  seq: SequenceSession;
  notices: string[] = [];
  readonly fmgr: FunctionCallContext;

  constructor(dir?: StorageDirectory) {
    this.engine = StorageEngine.open({ dir, sharedBuffers: 256, walSegmentSize: 1024 * 1024 });
    this.catalog = Catalog.openOrBootstrap(this.engine);
    this.seq = new SequenceSession(this.engine, this.catalog);
    const seq = this.seq;
    const catalog = this.catalog;
    this.fmgr = {
      transactionTimestamp: () => 0n,
      statementTimestamp: () => 0n,
      getSetting: () => null,
      setSetting: () => {},
      nextval: (oid) => seq.nextval(oid),
      currval: (oid) => seq.currval(oid),
      setval: (oid, v, c) => seq.setval(oid, v, c),
      lastval: () => seq.lastval(),
      regclassIn: (name) => {
        const parts = name.split('.').map((x) => x.replace(/^"|"$/g, ''));
        return catalog.relnameGetRelid(parts.length > 1 ? parts[0] : null, parts[parts.length - 1], false)!;
      },
      regclassOut: (oid) => catalog.getRelation(oid).relname,
      backendPid: () => 1,
    };
    setRegclassResolver(this.fmgr);
  }

  ctx(sourceText: string): UtilityContext {
    return { engine: this.engine, catalog: this.catalog, sourceText, notice: (m) => this.notices.push(m), fmgr: this.fmgr };
  }

  /** Runs every statement of sql; returns the last one's result. */
  exec(sql: string): Result {
    let last: Result = { rows: [], processed: 0 };
    for (const raw of parse(sql)) last = this.one(raw, sql);
    return last;
  }

  /** The error a statement raises, as "CODE message | detail", or "OK". */
  error(sql: string): string {
    try {
      this.exec(sql);
      return 'OK';
    } catch (e) {
      if (isPgError(e)) return `${e.code} ${e.message}${e.detail !== undefined ? ` | ${e.detail}` : ''}`;
      throw e;
    }
  }

  private one(raw: RawStmt, sql: string): Result {
    const s = raw.stmt;
    if (s.type === 'TransactionStmt') {
      if (s.kind === 'TRANS_STMT_BEGIN' || s.kind === 'TRANS_STMT_START') this.engine.begin();
      else if (s.kind === 'TRANS_STMT_COMMIT') this.engine.commit();
      else if (s.kind === 'TRANS_STMT_ROLLBACK') this.engine.rollback();
      this.catalog.invalidateAll();
      return { rows: [], processed: 0 };
    }
    this.engine.startStatement();
    try {
      const r = this.statement(raw, sql);
      this.engine.endStatement();
      return r;
    } catch (e) {
      this.engine.abortStatement(e);
      this.catalog.invalidateAll();
      throw e;
    }
  }

  private statement(raw: RawStmt, sql: string): Result {
    const s = raw.stmt;
    const ctx = this.ctx(sql);
    const none: Result = { rows: [], processed: 0 };
    switch (s.type) {
      case 'CreateStmt': DefineRelation(s, ctx); return none;
      case 'AlterTableStmt': AlterTable(s, ctx); return none;
      case 'RenameStmt': ExecRenameStmt(s, ctx); return none;
      case 'IndexStmt': DefineIndex(s, ctx); return none;
      case 'DropStmt': RemoveRelations(s, ctx); return none;
      case 'ViewStmt': DefineView(s, ctx); return none;
      case 'TruncateStmt': ExecuteTruncate(s, ctx); return none;
      case 'CreateSchemaStmt': CreateSchemaCommand(s, ctx); return none;
      case 'CreateSeqStmt': DefineSequence(s, ctx); return none;
      case 'AlterSeqStmt': AlterSequence(s, ctx); return none;
      default: break;
    }
    const query = parseAnalyze(raw, { catalog: this.catalog, sourceText: sql, paramTypes: [] });
    let result = none;
    for (const q of queryRewrite(query, this.catalog)) {
      const stmt = planner(q, { catalog: this.catalog, settings: (n: string) => (n === 'enable_bitmapscan' ? 'off' : '') } as never);
      const r = this.run(stmt);
      if (q.canSetTag) result = r;
    }
    return result;
  }

  private run(stmt: PlannedStmt): Result {
    const init = { engine: this.engine, catalog: this.catalog, externParams: [], fmgr: this.fmgr, workMemBytes: 4 << 20, checkInterrupts: () => {}, instrument: false };
    if (stmt.planTree.type === 'ModifyTable') {
      // ExecInitNode does not dispatch ModifyTable yet: build the top node directly.
      const estate: EState = { ...init, plannedstmt: stmt, execParams: new Array<unknown>(stmt.paramExecTypes.length).fill(null), processed: 0 };
      const ps = ExecInitModifyTable(stmt.planTree, estate);
      const rows: unknown[][] = [];
      try {
        for (let slot = ps.next(); slot !== null; slot = ps.next()) rows.push(slot.values.slice());
      } finally {
        ps.end();
      }
      return { rows, processed: estate.processed };
    }
    const qd = ExecutorStart(stmt, init);
    const rows: unknown[][] = [];
    try {
      ExecutorRun(qd, (v) => rows.push(v));
    } finally {
      ExecutorEnd(qd);
    }
    return { rows, processed: rows.length };
  }

  /** SELECT's rows as text lines "a|b" (NULL as empty), in order. */
  rows(sql: string): string[] {
    return this.exec(sql).rows.map((r) => r.map((v) => (v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))).join('|'));
  }

  close(): void {
    this.engine.close();
  }
}

// ---------------------------------------------------------------- differential runs against PGlite

/** Our OIDs whose values PGlite should hand back as PostgreSQL's text, unparsed. */
const RAW_OIDS = [16, 17, 19, 20, 21, 23, 25, 26, 700, 701, 1042, 1043, 1082, 1114, 1184, 1186, 1700, 2950];
const RAW: Record<number, (v: string) => string> = Object.fromEntries(RAW_OIDS.map((oid) => [oid, (v: string) => v]));

function isDml(sql: string): boolean {
  return /^\s*(insert|update|delete)\b/i.test(sql);
}

function renderValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return String(v);
}

function renderRows(rows: unknown[][]): string {
  return rows.map((r) => r.map(renderValue).join(',')).join(';');
}

interface PgLike {
  query<T>(sql: string, params?: unknown[], opts?: object): Promise<{ rows: T[]; affectedRows?: number }>;
}

/** A statement's outcome on PostgreSQL: "OK [n=N] rows" or "ERR code message | detail". */
export async function pgOutcome(pg: PgLike, sql: string): Promise<string> {
  try {
    const r = await pg.query<unknown[]>(sql, [], { rowMode: 'array', parsers: RAW });
    return `OK${isDml(sql) ? ` n=${r.affectedRows ?? 0}` : ''} ${renderRows(r.rows)}`;
  } catch (e) {
    const x = e as { code?: string; message: string; detail?: string; hint?: string; position?: string };
    return `ERR ${x.code} ${x.message}${x.detail !== undefined && x.detail !== '' ? ` | ${x.detail}` : ''}${x.hint !== undefined && x.hint !== '' ? ` | HINT ${x.hint}` : ''}${x.position !== undefined && x.position !== '' ? ` @${x.position}` : ''}`;
  }
}

/** The same on our side. */
export function ourOutcome(b: Backend, sql: string): string {
  try {
    const r = b.exec(sql);
    return `OK${isDml(sql) ? ` n=${r.processed}` : ''} ${renderRows(r.rows)}`;
  } catch (e) {
    if (!isPgError(e)) throw e;
    return `ERR ${e.code} ${e.message}${e.detail !== undefined ? ` | ${e.detail}` : ''}${e.hint !== undefined ? ` | HINT ${e.hint}` : ''}${e.position !== undefined ? ` @${e.position}` : ''}`;
  }
}

let schemaSeq = 0;

/** Runs a script statement by statement on PGlite (in a fresh schema) and on a fresh Backend; returns both outcome lists. */
export async function runBoth(pg: PgLike, script: readonly string[], backend?: Backend): Promise<{ pg: string[]; ours: string[]; backend: Backend }> {
  const nsp = `t${++schemaSeq}`;
  await pg.query(`CREATE SCHEMA ${nsp}`);
  await pg.query(`SET search_path = ${nsp}`);
  const theirs: string[] = [];
  for (const sql of script) theirs.push(`${sql} => ${await pgOutcome(pg, sql)}`);
  const b = backend ?? new Backend();
  await pg.query(`SET search_path = public`);
  await pg.query(`DROP SCHEMA ${nsp} CASCADE`);
  const ours = script.map((sql) => `${sql} => ${ourOutcome(b, sql)}`);
  return { pg: theirs, ours, backend: b };
}
