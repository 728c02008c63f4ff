/* eslint-disable */
import { readFileSync, appendFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { SCHEMA_SQL } from './analyze.testutil.ts';
const skip = new Set(process.argv.slice(3));
const lines = readFileSync(new URL(process.argv[2]!, import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('--') && !skip.has(l));
const db = await PGlite.create();
for (const s of SCHEMA_SQL) await db.exec(s);
const errs: string[] = [], oks: string[] = [];
for (const sql of lines) {
  let ok = true;
  try { await db.exec('BEGIN'); await db.query(sql); } catch { ok = false; } finally { await db.exec('ROLLBACK'); }
  (ok ? oks : errs).push(sql);
}
appendFileSync(new URL('testdata/analyze_errors.sql', import.meta.url), '-- more probes\n' + errs.join('\n') + '\n');
appendFileSync(new URL('testdata/analyze_valid.sql', import.meta.url), oks.join('\n') + '\n');
console.log(errs.length, oks.length);
await db.close();
