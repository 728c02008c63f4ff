/*
 * bench-nbtree.ts — micro-benchmark of the B-tree on 1,000,000 int4 keys:
 * bottom-up build time, point lookups per second, range-scan keys per
 * second, and random inserts per second. Not a test: timings only.
 *
 *   npx tsx packages/engine/src/access/nbtree/bench-nbtree.ts [keys]
 *
 * Runs in one process on memory storage with a buffer pool big enough to
 * hold the index (so it measures the access method, not I/O), with the
 * real WAL (every change is logged as in production).
 */

import { MemoryDirectory, Prng } from '@tabgres/opfs-storage';
import { btbeginscan, btbuild, btbuildempty, btIndexCheck, btinsert } from './nbtree.ts';
import { intKey, startInstance, testIndex } from './nbtree_testutil.ts';
import type { IndexBuildScan } from './nbtsort.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const LOOKUPS = 200_000;
const RANGE_SCANS = 2_000;
const RANGE_WIDTH = 1_000;
const INSERTS = 200_000;

function time<T>(fn: () => T): { ms: number; result: T } {
  const t = performance.now();
  const result = fn();
  return { ms: performance.now() - t, result };
}

function main(): void {
  const inst = startInstance(new MemoryDirectory(), { nbuffers: 16_384, walBuffers: 512, segmentSize: 16 * 1024 * 1024 });
  const rng = new Prng(1);
  // Distinct keys 0, 2, 4, ... in random order: lookups of even keys hit, odd ones miss.
  const keys = new Int32Array(N);
  for (let i = 0; i < N; i++) keys[i] = 2 * i;
  for (let i = N - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = keys[i];
    keys[i] = keys[j];
    keys[j] = t;
  }
  const scan: IndexBuildScan = (cb) => {
    const v = [0];
    for (let i = 0; i < N; i++) {
      v[0] = keys[i];
      cb(Math.floor(i / 200) * 65536 + (i % 200) + 1, v, true);
    }
  };
  const idx = testIndex(inst, [intKey()]);
  const build = time(() => btbuild(idx, inst.env, scan));
  const check = btIndexCheck(idx, inst.env);

  // Point lookups: one scan object re-used with rescan, as an index nested loop does.
  const s = btbeginscan(idx, inst.env, [{ attno: 1, op: '=', arg: 0 }]);
  const key = [{ attno: 1, op: '=' as const, arg: 0 }];
  let found = 0;
  const lookups = time(() => {
    for (let q = 0; q < LOOKUPS; q++) {
      key[0].arg = 2 * rng.int(N);
      s.rescan(key);
      while (s.next()) found++;
    }
  });
  s.end();
  if (found !== LOOKUPS) throw new Error(`lookups found ${found} of ${LOOKUPS}`);

  // Range scans of RANGE_WIDTH consecutive keys, forward.
  let scanned = 0;
  const ranges = time(() => {
    for (let q = 0; q < RANGE_SCANS; q++) {
      const lo = 2 * rng.int(N - RANGE_WIDTH);
      const r = btbeginscan(idx, inst.env, [{ attno: 1, op: '>=', arg: lo }, { attno: 1, op: '<', arg: lo + 2 * RANGE_WIDTH }]);
      while (r.next()) scanned++;
      r.end();
    }
  });
  if (scanned !== RANGE_SCANS * RANGE_WIDTH) throw new Error(`range scans returned ${scanned}`);

  // Random inserts into a fresh index (splits, WAL per insert).
  const ins = testIndex(inst, [intKey()]);
  btbuildempty(ins, inst.env);
  const inserts = time(() => {
    for (let i = 0; i < INSERTS; i++) btinsert(ins, inst.env, [keys[i]], null, i + 1, null);
  });

  const perSec = (n: number, ms: number): string => Math.round((n * 1000) / ms).toLocaleString('en');
  console.log(`B-tree on ${N.toLocaleString('en')} int4 keys (${check.levels} levels, ${check.pagesPerLevel[0]} leaf pages)`);
  console.log(`  build (bottom-up, sort + load + WAL):  ${(build.ms / 1000).toFixed(2)} s`);
  console.log(`  point lookups:                         ${perSec(LOOKUPS, lookups.ms)} lookups/s`);
  console.log(`  range scans (${RANGE_WIDTH} keys each):          ${perSec(scanned, ranges.ms)} keys/s`);
  console.log(`  random inserts (${INSERTS.toLocaleString('en')}, fresh index):  ${perSec(INSERTS, inserts.ms)} inserts/s`);
}

main();
