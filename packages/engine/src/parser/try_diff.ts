/* eslint-disable */
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PgError } from '../utils/errors.ts';
import { parse } from './gram.ts';
import { parseAnalyze } from './analyze.ts';
import { queryRewrite } from '../rewrite/rewriteHandler.ts';
import { SCHEMA_SQL, TestCatalog } from './analyze.testutil.ts';
const file = process.argv[2] ?? 'testdata/analyze_errors.sql';
const lines = readFileSync(new URL(file, import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('--'));
const db = await PGlite.create();
for (const s of SCHEMA_SQL) await db.exec(s);
const cat = new TestCatalog();
const fmt = (o: any) => o === null ? 'OK' : `${o.code} ${o.message} @${o.position}${o.hint ? ' H:' + o.hint : ''}${o.detail ? ' D:' + o.detail : ''}`;
let bad = 0;
for (const sql of lines) {
  let pg: any = null;
  try { await db.exec('BEGIN'); await db.query(sql); } catch (e: any) { pg = { code: e.code, message: e.message, position: e.position === undefined ? undefined : Number(e.position), hint: e.hint, detail: e.detail }; } finally { await db.exec('ROLLBACK'); }
  let us: any = null;
  try { for (const r of parse(sql)) queryRewrite(parseAnalyze(r, { catalog: cat, sourceText: sql, paramTypes: [] }), cat); }
  catch (e: any) { if (!(e instanceof PgError)) { us = { code: 'JS', message: String(e.stack).slice(0, 300) }; } else us = { code: e.code, message: e.message, position: e.position, hint: e.hint, detail: e.detail }; }
  if (fmt(pg) !== fmt(us)) { bad++; console.log(`${sql}\n  pg: ${fmt(pg)}\n  us: ${fmt(us)}`); }
}
console.log('mismatches', bad, 'of', lines.length);
await db.close();
