/*
 * harness.ts — the differential SQL corpus runner: each statement of a .sql
 * file runs on PGlite (PostgreSQL 18 in WASM) and on tabgres, and each
 * side's outcome is rendered as psql would show it; a statement agrees when
 * the renderings are equal.
 *
 * Exports: splitStatements(text), PgliteSide, TabgresSide, renderOutcome,
 *          runCorpusFile(file, sides), CORPUS_DIR, corpusFiles().
 *
 * What is compared, per statement (sent alone, through the simple query
 * protocol, so a "statement" may also be a multi-statement string):
 *   - rows: psql's aligned table of the values' text output (NULL shown as
 *     "(null)" so it differs from an empty string), column names included;
 *   - the command tag ("SELECT 3", "INSERT 0 1", "CREATE TABLE");
 *   - NOTICE and WARNING messages;
 *   - errors: SQLSTATE and message (positions are not compared: PostgreSQL
 *     and tabgres agree on most, but a position difference is not a wrong
 *     answer, and the errors file checks positions separately).
 * Each side runs the whole file in one session, so state carries over.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { printAligned, type PrintField } from '../../src/tcop/psql_print.ts';

export const CORPUS_DIR = fileURLToPath(new URL('.', import.meta.url));

export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.sql')).sort().map((f) => join(CORPUS_DIR, f));
}

export interface CorpusStatement {
  sql: string;
  line: number;
}

/**
 * Splits a script at top-level semicolons, respecting '...' (with ''),
 * E'...' (with \'), "...", $tag$...$tag$, -- comments and nested block
 * comments. Comment-only chunks are dropped.
 */
export function splitStatements(text: string): CorpusStatement[] {
  const out: CorpusStatement[] = [];
  let start = 0;
  let i = 0;
  let line = 1;
  let startLine = 1;
  const n = text.length;
  const push = (end: number): void => {
    const raw = text.slice(start, end);
    const stripped = raw.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').trim();
    if (stripped !== '') {
      const lead = raw.length - raw.trimStart().length;
      const skipped = raw.slice(0, lead);
      out.push({ sql: raw.trim(), line: startLine + (skipped.match(/\n/g)?.length ?? 0) });
    }
  };
  while (i < n) {
    const c = text[i];
    if (c === '\n') line++;
    if (c === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '\n') line++;
        if (text[i] === '/' && text[i + 1] === '*') { depth++; i += 2; continue; }
        if (text[i] === '*' && text[i + 1] === '/') { depth--; i += 2; continue; }
        i++;
      }
      continue;
    }
    if (c === "'" || c === '"') {
      const escapes = c === "'" && i > 0 && (text[i - 1] === 'E' || text[i - 1] === 'e');
      i++;
      while (i < n) {
        if (text[i] === '\n') line++;
        if (escapes && text[i] === '\\') { i += 2; continue; }
        if (text[i] === c) {
          if (text[i + 1] === c) { i += 2; continue; }
          break;
        }
        i++;
      }
      i++;
      continue;
    }
    if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64));
      if (m !== null && !(i > 0 && /[A-Za-z0-9_]/.test(text[i - 1]))) {
        const tag = m[0];
        const end = text.indexOf(tag, i + tag.length);
        const stop = end < 0 ? n : end + tag.length;
        line += (text.slice(i, stop).match(/\n/g)?.length ?? 0);
        i = stop;
        continue;
      }
    }
    if (c === ';') {
      push(i);
      start = i + 1;
      startLine = line;
      i++;
      continue;
    }
    i++;
  }
  push(n);
  return out;
}

/** One side's view of a statement's outcome, before rendering. */
export interface Outcome {
  results: { fields: PrintField[] | null; rows: (string | null)[][]; command: string }[];
  notices: { severity: string; message: string }[];
  error: { code: string; message: string; position?: number } | null;
}

export function renderOutcome(o: Outcome): string {
  const out: string[] = [];
  for (const n of o.notices) out.push(`${n.severity}:  ${n.message}`);
  for (const r of o.results) {
    if (r.fields !== null && r.fields.length > 0) out.push(printAligned(r.fields, r.rows, { nullDisplay: '(null)' }));
    out.push(r.command);
  }
  if (o.error !== null) out.push(`ERROR:  ${o.error.code}: ${o.error.message}`);
  return out.join('\n');
}

export interface Side {
  readonly name: string;
  run(sql: string): Promise<Outcome>;
  close(): Promise<void>;
}

function queryMessage(sql: string): Uint8Array {
  const body = new TextEncoder().encode(sql + '\0');
  const m = new Uint8Array(5 + body.length);
  m[0] = 0x51; // 'Q'
  new DataView(m.buffer).setInt32(1, 4 + body.length);
  m.set(body, 5);
  return m;
}

interface RawMessage {
  name: string;
  text?: string;
  fields?: unknown[];
  code?: string;
  message?: string;
  severity?: string;
  position?: string;
}

/** PostgreSQL through PGlite's wire protocol (the simple query message), so tags and text values are the server's own. */
export class PgliteSide implements Side {
  readonly name = 'postgres';
  private constructor(private readonly db: PGlite) {}

  static async start(): Promise<PgliteSide> {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create();
    // tabgres's defaults where PGlite's startup differs from PostgreSQL's.
    await db.exec(`SET search_path = "$user", public`);
    return new PgliteSide(db);
  }

  async run(sql: string): Promise<Outcome> {
    const r = await this.db.execProtocol(queryMessage(sql), { throwOnError: false });
    const o: Outcome = { results: [], notices: [], error: null };
    let fields: PrintField[] | null = null;
    let rows: (string | null)[][] = [];
    for (const m of r.messages as unknown as RawMessage[]) {
      switch (m.name) {
        case 'rowDescription':
          fields = (m.fields as { name: string; dataTypeID: number }[]).map((f) => ({ name: f.name, typeOid: f.dataTypeID }));
          rows = [];
          break;
        case 'dataRow':
          rows.push(m.fields as (string | null)[]);
          break;
        case 'commandComplete':
          o.results.push({ fields, rows, command: m.text as string });
          fields = null;
          rows = [];
          break;
        case 'notice':
          o.notices.push({ severity: m.severity as string, message: m.message as string });
          break;
        case 'error':
          o.error = { code: m.code as string, message: m.message as string, ...(m.position !== undefined ? { position: Number(m.position) } : {}) };
          break;
        default:
          break;
      }
    }
    return o;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** What the tabgres side needs of the backend (tcop/postgres.ts's simple query path). */
export interface TextBackend {
  execSimpleQueryText(sql: string): Outcome;
  close(): void;
}

export class TabgresSide implements Side {
  readonly name = 'tabgres';
  constructor(private readonly backend: TextBackend) {}
  async run(sql: string): Promise<Outcome> {
    return this.backend.execSimpleQueryText(sql);
  }
  async close(): Promise<void> {
    this.backend.close();
  }
}

export interface StatementReport {
  line: number;
  sql: string;
  outputs: string[];
  agree: boolean;
}

export interface FileReport {
  file: string;
  statements: StatementReport[];
  agreeing: number;
}

/** Runs one corpus file through every side (fresh sessions made by `open`). */
export async function runCorpusFile(file: string, sides: Side[]): Promise<FileReport> {
  const text = readFileSync(file, 'utf8');
  const statements: StatementReport[] = [];
  for (const s of splitStatements(text)) {
    const outputs: string[] = [];
    for (const side of sides) {
      let rendered: string;
      try {
        rendered = renderOutcome(await side.run(s.sql));
      } catch (e) {
        rendered = `CRASH: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
      }
      outputs.push(rendered);
    }
    statements.push({ line: s.line, sql: s.sql, outputs, agree: outputs.every((x) => x === outputs[0]) });
  }
  return { file, statements, agreeing: statements.filter((s) => s.agree).length };
}

/** mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

