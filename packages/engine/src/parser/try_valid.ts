/* eslint-disable */
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { parse } from './gram.ts';
import { parseAnalyze } from './analyze.ts';
import { queryRewrite } from '../rewrite/rewriteHandler.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { SCHEMA_SQL, TestCatalog } from './analyze.testutil.ts';
const lines = readFileSync(new URL(process.argv[2] ?? 'testdata/analyze_valid.sql', import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('--'));
const db = await PGlite.create();
for (const s of SCHEMA_SQL) await db.exec(s);
const cat = new TestCatalog();
let bad = 0;
for (const sql of lines) {
  let pg: string;
  try { await db.exec('BEGIN'); const r = await db.query(sql); pg = r.fields.map((f) => `${f.name}:${f.dataTypeID}`).join(','); } catch (e: any) { pg = 'ERR ' + e.message; } finally { await db.exec('ROLLBACK'); }
  let us: string;
  try {
    const q = queryRewrite(parseAnalyze(parse(sql)[0]!, { catalog: cat, sourceText: sql, paramTypes: [] }), cat)[0]!;
    const tl = q.commandType === 'CMD_SELECT' ? q.targetList : q.returningList;
    us = tl.filter((t) => !t.resjunk).map((t) => `${t.resname}:${exprType(t.expr)}`).join(',');
  } catch (e: any) { us = 'ERR ' + e.code + ' ' + e.message + ' @' + e.position + (e.code ? '' : e.stack); }
  if (pg !== us) { bad++; console.log(`${sql}\n  pg: ${pg}\n  us: ${us}`); }
}
console.log('mismatches', bad, 'of', lines.length);
await db.close();
