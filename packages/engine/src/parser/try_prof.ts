/* eslint-disable */
import { TestCatalog } from './analyze.testutil.ts';
import { parse } from './gram.ts';
import { parseAnalyze } from './analyze.ts';
import { queryRewrite } from '../rewrite/rewriteHandler.ts';
const cat = new TestCatalog();
const sql = 'SELECT * FROM t WHERE a = $1';
const raw = parse(sql)[0]!;
const t0 = performance.now();
for (let i = 0; i < 100000; i++) queryRewrite(parseAnalyze(raw, { catalog: cat, sourceText: sql, paramTypes: [23] }), cat);
console.log((performance.now() - t0) * 1000 / 100000);
