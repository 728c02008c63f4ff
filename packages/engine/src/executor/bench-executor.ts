/*
 * bench-executor.ts — a micro-benchmark of the executor (not a test): rows
 * per second for SeqScan + Agg (COUNT(*), SUM) over 1,000,000 rows, and a
 * hash join of 100,000 x 10,000 rows (alone and under a hashed GROUP BY),
 * on a real in-memory StorageEngine with hand-built plans.
 *
 *   npx tsx packages/engine/src/executor/bench-executor.ts [rows] [shared_buffers pages]
 *
 * With the default shared_buffers (2048 pages = 16 MB) a million rows do
 * not fit, and the scan also measures the buffer manager's evictions; pass
 * a larger pool (e.g. 16384) to see the executor's own rate.
 */

import type { Agg, Hash, HashJoin, Plan } from '../nodes/plannodes.ts';
import { TestDb, INT4, TEXT, seqscan, rteRelation, stmt, v, base, tle, opOid, op, aggref, outerTlist } from './exec.testutil.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const db = new TestDb(process.argv[3] !== undefined ? { sharedBuffers: Number(process.argv[3]) } : {});
db.workMemBytes = 256 * 1024 * 1024;

/** Runs fn five times: the first (cold: JIT and buffer warm-up) and the best of the rest are printed. */
function time<T>(label: string, rows: number, fn: () => T): T {
  const rate = (ms: number): string => Math.round((rows / ms) * 1000).toLocaleString('en-US').padStart(12);
  let r = fn();
  let best = Infinity;
  let first = 0;
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    r = fn();
    const ms = performance.now() - t0;
    if (k === 0) first = ms;
    best = Math.min(best, ms);
  }
  console.log(`${label.padEnd(52)} first ${rate(first)} rows/s   best ${rate(best)} rows/s (${best.toFixed(1)} ms)`);
  return r;
}

let t0 = performance.now();
const big: unknown[][] = [];
for (let i = 0; i < N; i++) big.push([i, i % 1000]);
const T = db.createTable('t', [['a', INT4], ['b', INT4]], []);
for (let i = 0; i < N; i += 50_000) db.engine.insertMany(T.rel, big.slice(i, i + 50_000) as never);
console.log(`loaded ${N.toLocaleString('en-US')} rows in ${(performance.now() - t0).toFixed(0)} ms`);

const countSum: Agg = {
  type: 'Agg', ...base([tle(aggref('count', [], 0), 1), tle(aggref('sum', [v(-2, 1, INT4)], 1), 2)], seqscan(1, T)),
  aggstrategy: 'AGG_PLAIN', aggsplit: 'AGGSPLIT_SIMPLE', numCols: 0, grpColIdx: [], grpOperators: [], numGroups: 1,
};
const r1 = time(`SeqScan + Agg count(*), sum(a) over ${N} rows`, N, () => db.run(stmt(countSum, [rteRelation(T)])));
console.log('  result', r1[0].map(String).join(', '));

// Hash join: 100,000 outer rows x 10,000 inner rows, one match each.
const NO = 100_000;
const NI = 10_000;
t0 = performance.now();
const O = db.createTable('o', [['k', INT4], ['x', INT4]], Array.from({ length: NO }, (_, i) => [i % NI, i]));
const I = db.createTable('i', [['k', INT4], ['name', TEXT]], Array.from({ length: NI }, (_, i) => [i, `name${i % 100}`]));
console.log(`loaded ${NO} + ${NI} rows in ${(performance.now() - t0).toFixed(0)} ms`);
const rt = [rteRelation(O), rteRelation(I)];
const join = (tlist: ReturnType<typeof tle>[]): HashJoin => {
  const hash: Hash = { type: 'Hash', ...base(outerTlist(I.types), seqscan(2, I)), hashkeys: [v(-2, 1, INT4)], rows_total: NI };
  return {
    type: 'HashJoin', ...base(tlist, seqscan(1, O), hash), jointype: 'JOIN_INNER', inner_unique: true, joinqual: [],
    hashclauses: [op('=', v(-2, 1, INT4), v(-1, 1, INT4))], hashoperators: [opOid('=', INT4, INT4)], hashkeys: [v(-2, 1, INT4)],
  };
};
const hj = join([tle(v(-2, 2, INT4), 1), tle(v(-1, 2, TEXT), 2)]);
const r2 = time(`HashJoin ${NO} x ${NI} (rows out)`, NO, () => db.run(stmt(hj, rt)));
console.log('  rows', r2.length);
const grouped: Plan = {
  type: 'Agg', ...base([tle(v(-2, 1, TEXT), 1), tle(aggref('count', [], 0), 2), tle(aggref('sum', [v(-2, 2, INT4)], 1), 3)],
    join([tle(v(-1, 2, TEXT), 1), tle(v(-2, 2, INT4), 2)])),
  aggstrategy: 'AGG_HASHED', aggsplit: 'AGGSPLIT_SIMPLE', numCols: 1, grpColIdx: [1], grpOperators: [opOid('=', TEXT, TEXT)], numGroups: 100,
};
const r3 = time(`HashJoin ${NO} x ${NI} + HashAggregate (input rows)`, NO, () => db.run(stmt(grouped, rt)));
console.log('  groups', r3.length);
db.engine.close();
