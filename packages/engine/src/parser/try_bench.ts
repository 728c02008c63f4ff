/* eslint-disable */
import { TestCatalog } from './analyze.testutil.ts';
import { parse } from './gram.ts';
import { parseAnalyze } from './analyze.ts';
import { queryRewrite } from '../rewrite/rewriteHandler.ts';
const cat = new TestCatalog();
for (const sql of ['SELECT * FROM t WHERE a = $1', "SELECT b, count(*) FROM t JOIN u USING (a) WHERE c > 1 GROUP BY b ORDER BY 2", "INSERT INTO t VALUES ($1, $2, $3)", "UPDATE t SET b = $1 WHERE a = $2"]) {
  const raw = parse(sql)[0]!;
  const N = 20000;
  for (let i = 0; i < 2000; i++) queryRewrite(parseAnalyze(raw, { catalog: cat, sourceText: sql, paramTypes: [23, 25, 23] }), cat);
  let t0 = performance.now();
  for (let i = 0; i < N; i++) queryRewrite(parseAnalyze(raw, { catalog: cat, sourceText: sql, paramTypes: [23, 25, 23] }), cat);
  let t1 = performance.now();
  for (let i = 0; i < N; i++) parse(sql);
  let t2 = performance.now();
  console.log(sql, 'analyze+rewrite µs', ((t1 - t0) * 1000 / N).toFixed(2), 'parse µs', ((t2 - t1) * 1000 / N).toFixed(2));
}
