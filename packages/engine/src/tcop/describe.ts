/*
 * describe.ts — psql's \d family (psql's describe.c) for the CLI: listing
 * relations and describing one, printed as psql prints them. psql runs
 * catalog queries from the client; here the backend is in the same process,
 * so the relation cache is read directly and only the listing is SQL.
 *
 * Exports: describeCommand(backend, cmd, pattern) -> text to print.
 *
 *   \d        tables, views, sequences          \dt  tables
 *   \di       indexes (with their table)        \dv  views     \ds  sequences
 *   \d NAME   columns, type, collation, nullable, default; then Indexes,
 *             Check constraints, Foreign-key constraints, Referenced by
 *
 * Defaults and constraint expressions print their source text (pg_attrdef
 * and pg_constraint keep it beside the tree; catalog/nodetree.ts) where
 * PostgreSQL deparses the tree, so `DEFAULT 'x'` on a varchar column shows
 * 'x' rather than 'x'::character varying.
 */

import { PgError } from '../utils/errors.ts';
import { formatTypeWithTypmod } from '../parser/parse_type.ts';
import type { RelationInfo } from '../utils/rel.ts';
import { decodeNodeTree } from '../catalog/nodetree.ts';
import { printAligned, displayWidth, type PrintField } from './psql_print.ts';
import { rowToText } from './printtup.ts';
import { parseQualifiedName } from './session.ts';
import type { PostgresBackend } from './postgres.ts';

const TEXT = 25;
const KIND_NAMES: Record<string, string> = { r: 'table', v: 'view', S: 'sequence', i: 'index', m: 'materialized view', p: 'partitioned table', f: 'foreign table' };

function query(b: PostgresBackend, sql: string): (string | null)[][] {
  const out = b.execSimpleQuery(sql);
  if (out.error !== null) throw out.error;
  const r = out.results[out.results.length - 1];
  return r.rows.map((row) => rowToText(r.fields ?? [], row));
}

function quoteLiteral(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

/** A table with a centered title, as psql prints \d output. */
function titled(title: string, fields: PrintField[], rows: (string | null)[][], footer = true): string {
  const body = printAligned(fields, rows, { footer });
  const width = displayWidth(body.split('\n')[1] ?? '');
  const pad = Math.max(0, Math.floor((width - displayWidth(title)) / 2));
  return ' '.repeat(pad) + title + '\n' + body;
}

/** psql's listTables: \d, \dt, \di, \dv, \ds. */
function listRelations(b: PostgresBackend, kinds: string, pattern: string): string {
  const names = kinds.split('').map((k) => quoteLiteral(k)).join(', ');
  let where = `c.relkind IN (${names}) AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_toast'`;
  if (pattern !== '') {
    const parts = parseQualifiedName(pattern);
    where += ` AND c.relname = ${quoteLiteral(parts[parts.length - 1])}`;
    if (parts.length > 1) where += ` AND n.nspname = ${quoteLiteral(parts[parts.length - 2])}`;
  }
  const withTable = kinds === 'i';
  const sql = withTable
    ? `SELECT n.nspname, c.relname, c.relkind, t.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid JOIN pg_catalog.pg_class t ON t.oid = i.indrelid WHERE ${where} ORDER BY 1, 2`
    : `SELECT n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ${where} ORDER BY 1, 2`;
  const rows = query(b, sql);
  if (rows.length === 0) {
    const what = kinds === 'r' ? 'tables' : kinds === 'i' ? 'indexes' : kinds === 'v' ? 'views' : kinds === 'S' ? 'sequences' : 'relations';
    return pattern !== '' ? `Did not find any relation named "${pattern}".\n` : `Did not find any ${what}.\n`;
  }
  const owner = b.guc.has('session_authorization') ? b.guc.show('session_authorization').value : 'postgres';
  const out = rows.map((r) => {
    const base = [r[0], r[1], KIND_NAMES[r[2] ?? ''] ?? String(r[2]), owner];
    return withTable ? [...base, r[3]] : base;
  });
  const fields: PrintField[] = ['Schema', 'Name', 'Type', 'Owner', ...(withTable ? ['Table'] : [])].map((name) => ({ name, typeOid: TEXT }));
  return titled('List of relations', fields, out) + '\n\n';
}

function attrDefaults(b: PostgresBackend, relid: number): Map<number, string> {
  const m = new Map<number, string>();
  for (const [attnum, adbin] of query(b, `SELECT adnum, adbin FROM pg_catalog.pg_attrdef WHERE adrelid = ${relid}`)) {
    if (adbin === null) continue;
    try {
      m.set(Number(attnum), decodeNodeTree(adbin).src);
    } catch {
      m.set(Number(attnum), adbin);
    }
  }
  return m;
}

function describeTable(b: PostgresBackend, rel: RelationInfo): string {
  const isView = rel.relkind === 'v';
  const defaults = isView ? new Map<number, string>() : attrDefaults(b, rel.oid);
  const rows: (string | null)[][] = [];
  for (const a of rel.attrs) {
    if (a.attisdropped) continue;
    let def = defaults.get(a.attnum) ?? '';
    if (a.attidentity === 'a') def = 'generated always as identity';
    else if (a.attidentity === 'd') def = 'generated by default as identity';
    else if (a.attgenerated === 's') def = `generated always as (${def}) stored`;
    rows.push([a.attname, formatTypeWithTypmod(a.atttypid, a.atttypmod), '', a.attnotnull ? 'not null' : '', def]);
  }
  const fields: PrintField[] = ['Column', 'Type', 'Collation', 'Nullable', 'Default'].map((name) => ({ name, typeOid: TEXT }));
  const kind = isView ? 'View' : 'Table';
  let out = titled(`${kind} "${rel.nspname}.${rel.relname}"`, fields, rows, false) + '\n';
  if (isView) return out + '\n';

  const byName = (x: { name: string }, y: { name: string }): number => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);
  const indexes = [...rel.indexes].sort((x, y) => (x.indisprimary !== y.indisprimary ? (x.indisprimary ? -1 : 1) : byName(x, y)));
  if (indexes.length > 0) {
    out += 'Indexes:\n';
    for (const ix of indexes) {
      const con = rel.constraints.find((c) => c.conindid === ix.indexrelid && (c.contype === 'p' || c.contype === 'u'));
      const kindText = ix.indisprimary ? 'PRIMARY KEY, ' : con !== undefined ? 'UNIQUE CONSTRAINT, ' : ix.indisunique ? 'UNIQUE, ' : '';
      const cols = ix.indkey.map((k, i) => {
        const name = rel.attrs[k - 1]?.attname ?? String(k);
        const desc = (ix.indoption[i] & 1) !== 0;
        const nullsFirst = (ix.indoption[i] & 2) !== 0;
        return name + (desc ? ' DESC' : '') + (desc && !nullsFirst ? ' NULLS LAST' : !desc && nullsFirst ? ' NULLS FIRST' : '');
      });
      out += `    "${ix.name}" ${kindText}btree (${cols.join(', ')})\n`;
    }
  }
  const checks = rel.constraints.filter((c) => c.contype === 'c').sort((x, y) => (x.conname < y.conname ? -1 : 1));
  if (checks.length > 0) {
    out += 'Check constraints:\n';
    for (const c of checks) out += `    "${c.conname}" ${c.consrc}\n`;
  }
  const fks = rel.constraints.filter((c) => c.contype === 'f').sort((x, y) => (x.conname < y.conname ? -1 : 1));
  if (fks.length > 0) {
    out += 'Foreign-key constraints:\n';
    for (const c of fks) out += `    "${c.conname}" ${c.consrc}\n`;
  }
  const refs = query(b, `SELECT conrelid, conname, oid FROM pg_catalog.pg_constraint WHERE contype = 'f' AND confrelid = ${rel.oid} ORDER BY conname`);
  if (refs.length > 0) {
    out += 'Referenced by:\n';
    for (const [conrelid, conname] of refs) {
      const child = b.catalog.getRelation(Number(conrelid));
      const c = child.constraints.find((x) => x.conname === conname);
      out += `    TABLE "${child.relname}" CONSTRAINT "${conname}" ${c?.consrc ?? ''}\n`;
    }
  }
  return out + '\n';
}

function describeIndex(b: PostgresBackend, rel: RelationInfo): string {
  const rows: (string | null)[][] = rel.attrs.map((a) => [a.attname, formatTypeWithTypmod(a.atttypid, a.atttypmod), 'yes', a.attname]);
  const fields: PrintField[] = ['Column', 'Type', 'Key?', 'Definition'].map((name) => ({ name, typeOid: TEXT }));
  let out = titled(`Index "${rel.nspname}.${rel.relname}"`, fields, rows, false) + '\n';
  const owner = query(b, `SELECT indrelid, indisprimary, indisunique FROM pg_catalog.pg_index WHERE indexrelid = ${rel.oid}`)[0];
  if (owner !== undefined) {
    const table = b.catalog.getRelation(Number(owner[0]));
    const kind = owner[1] === 't' ? 'primary key, ' : owner[2] === 't' ? 'unique, ' : '';
    out += `${kind}btree, for table "${table.nspname}.${table.relname}"\n`;
  }
  return out + '\n';
}

function describeSequence(b: PostgresBackend, rel: RelationInfo): string {
  const r = query(b, `SELECT format_type(seqtypid, NULL), seqstart, seqmin, seqmax, seqincrement, CASE WHEN seqcycle THEN 'yes' ELSE 'no' END, seqcache FROM pg_catalog.pg_sequence WHERE seqrelid = ${rel.oid}`);
  const fields: PrintField[] = ['Type', 'Start', 'Minimum', 'Maximum', 'Increment', 'Cycles?', 'Cache'].map((name, i) => ({ name, typeOid: i >= 1 && i <= 4 || i === 6 ? 20 : TEXT }));
  return titled(`Sequence "${rel.nspname}.${rel.relname}"`, fields, r, false) + '\n\n';
}

export function describeCommand(b: PostgresBackend, cmd: string, pattern: string): string {
  const kinds: Record<string, string> = { d: 'rvmSfp', dt: 'rp', di: 'i', dv: 'v', ds: 'S' };
  const cleanCmd = cmd.replace(/[S+]+$/, '');
  const k = kinds[cleanCmd];
  if (k === undefined) throw new PgError('0A000', `\\${cmd} is not supported`);
  if (cleanCmd !== 'd' || pattern === '') return listRelations(b, k, pattern);
  const parts = parseQualifiedName(pattern);
  const oid = b.catalog.relnameGetRelid(parts.length > 1 ? parts[parts.length - 2] : null, parts[parts.length - 1], true);
  if (oid === null) return `Did not find any relation named "${pattern}".\n`;
  const rel = b.catalog.getRelation(oid);
  switch (rel.relkind) {
    case 'i': return describeIndex(b, rel);
    case 'S': return describeSequence(b, rel);
    default: return describeTable(b, rel);
  }
}
