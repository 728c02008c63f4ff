/* eslint-disable */
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { parse } from './gram.ts';
import { parseAnalyze } from './analyze.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { SCHEMA_SQL, TestCatalog } from './analyze.testutil.ts';
const lines = readFileSync(new URL(process.argv[2]!, import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('--'));
const db = await PGlite.create();
for (const s of SCHEMA_SQL) await db.exec(s);
const cat = new TestCatalog();
let bad = 0;
for (const sql of lines) {
  let pg: string;
  try { const d = await (db as any).describeQuery(sql); pg = d.queryParams.map((p: any) => p.dataTypeID).join(',') + ' | ' + d.resultFields.map((f: any) => `${f.name}:${f.dataTypeID}`).join(','); } catch (e: any) { pg = 'ERR ' + e.code + ' ' + e.message + ' @' + e.position; }
  let us: string;
  try {
    const types: number[] = [];
    const q = parseAnalyze(parse(sql)[0]!, { catalog: cat, sourceText: sql, paramTypes: types });
    const tl = q.commandType === 'CMD_SELECT' ? q.targetList : q.returningList;
    us = types.join(',') + ' | ' + tl.filter((t) => !t.resjunk).map((t) => `${t.resname}:${exprType(t.expr)}`).join(',');
  } catch (e: any) { us = 'ERR ' + e.code + ' ' + e.message + ' @' + e.position + (e.code ? '' : e.stack); }
  if (pg !== us) { bad++; console.log(`${sql}\n  pg: ${pg}\n  us: ${us}`); }
}
console.log('mismatches', bad, 'of', lines.length);
await db.close();
