/*
 * planner.testutil.ts — a test-double catalog and helpers for planner tests:
 * SQL → parse → analyze → rewrite → planner → EXPLAIN, with no storage.
 *
 * Tables are declared with their columns, indexes and (optionally) pg_class
 * statistics; a table without statistics is "never vacuumed" and sized as
 * PostgreSQL sizes an empty new table (10 pages).
 */

import type { AttributeInfo, CatalogAccess, IndexInfo, RelationInfo } from '../utils/rel.ts';
import type { IndexRelation } from '../access/nbtree/nbtree.ts';
import type { PlannedStmt, Plan } from '../nodes/plannodes.ts';
import type { Query } from '../nodes/parsenodes.ts';
import { parse } from '../parser/gram.ts';
import { parseAnalyze } from '../parser/analyze.ts';
import { queryRewrite } from '../rewrite/rewriteHandler.ts';
import { typeByName } from '../utils/adt/types.ts';
import { planner } from './plan/planner.ts';
import { explainOneQuery, type ExplainOptions } from '../commands/explain.ts';
import { validatePlan } from './plan/planvalidate.ts';

export interface TableSpec {
  name: string;
  /** [name, type name, typmod?, not null?] */
  columns: [string, string, number?, boolean?][];
  indexes?: { name: string; columns: string[]; unique?: boolean; primary?: boolean; desc?: boolean[] }[];
  relpages?: number;
  reltuples?: number;
}

export class FakeCatalog implements CatalogAccess {
  private rels = new Map<number, RelationInfo>();
  private byName = new Map<string, number>();
  private nextOid = 16384;

  addTable(spec: TableSpec): RelationInfo {
    const oid = this.nextOid++;
    const attrs: AttributeInfo[] = spec.columns.map(([name, type, typmod, notnull], i) => {
      const t = typeByName(type);
      if (t === undefined) throw new Error(`unknown type ${type}`);
      return {
        attnum: i + 1, attname: name, atttypid: t.oid, atttypmod: typmod ?? -1, attnotnull: notnull ?? false,
        atthasdef: false, attidentity: '', attgenerated: '', attisdropped: false,
      };
    });
    const rel: RelationInfo = {
      oid, relname: spec.name, relnamespace: 2200, nspname: 'public', relkind: 'r',
      relpages: spec.relpages ?? 0, reltuples: spec.reltuples ?? -1, attrs, heap: null, indexes: [], constraints: [],
      defaults: new Map(), viewQuery: null,
    };
    for (const ix of spec.indexes ?? []) {
      const ioid = this.nextOid++;
      const info: IndexInfo = {
        indexrelid: ioid, indrelid: oid, name: ix.name,
        indkey: ix.columns.map((c) => attrs.findIndex((a) => a.attname === c) + 1),
        indoption: ix.columns.map((_, i) => ((ix.desc?.[i] ?? false) ? 3 : 0)),
        indisunique: ix.unique ?? ix.primary ?? false, indisprimary: ix.primary ?? false,
        index: null as unknown as IndexRelation, relpages: 1, reltuples: 0, treeHeight: 0,
      };
      rel.indexes.push(info);
    }
    this.rels.set(oid, rel);
    this.byName.set(spec.name, oid);
    return rel;
  }

  relnameGetRelid(_schema: string | null, relname: string, missingOk: boolean): number | null {
    const oid = this.byName.get(relname);
    if (oid === undefined) {
      if (missingOk) return null;
      throw Object.assign(new Error(`relation "${relname}" does not exist`), { code: '42P01' });
    }
    return oid;
  }
  getRelation(oid: number): RelationInfo {
    const r = this.rels.get(oid);
    if (r === undefined) throw new Error(`no relation ${oid}`);
    return r;
  }
  namespaceOid(nspname: string): number | null {
    return nspname === 'public' ? 2200 : nspname === 'pg_catalog' ? 11 : null;
  }
  searchPath(): number[] {
    return [11, 2200];
  }
  creationNamespace(): number {
    return 2200;
  }
}

export const defaultSettings = (over: Record<string, string> = {}) => (name: string): string => over[name] ?? '';

export function analyzeSql(catalog: CatalogAccess, sql: string): Query {
  const raws = parse(sql);
  if (raws.length !== 1) throw new Error('one statement expected');
  const q = parseAnalyze(raws[0], { catalog, sourceText: sql, paramTypes: [] });
  const rewritten = queryRewrite(q, catalog);
  return rewritten[0];
}

/** Plans a statement and checks every Var of the plan is resolvable. */
export function planSql(catalog: CatalogAccess, sql: string, settings: Record<string, string> = {}): PlannedStmt {
  const stmt = planner(analyzeSql(catalog, sql), { catalog, settings: defaultSettings(settings) });
  validatePlan(stmt);
  return stmt;
}

export function explainSql(catalog: CatalogAccess, sql: string, opts: Partial<ExplainOptions> = {}, settings: Record<string, string> = {}): string {
  const stmt = planSql(catalog, sql, settings);
  return explainOneQuery(stmt, {
    analyze: false, verbose: false, costs: true, buffers: false, timing: true, summary: false, format: 'text', ...opts, catalog,
  }).join('\n');
}

/** Node types in pre-order, for shape assertions. */
export function planShape(p: Plan): string[] {
  const out: string[] = [];
  const visit = (n: Plan | null): void => {
    if (n === null) return;
    out.push(n.type);
    visit(n.lefttree);
    visit(n.righttree);
    if (n.type === 'Append') n.appendplans.forEach(visit);
    if (n.type === 'SubqueryScan') visit(n.subplan);
  };
  visit(p);
  return out;
}
