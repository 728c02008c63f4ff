/*
 * btinsert-probe.ts — a probe (not a test): random int4 inserts into fresh
 * B-trees (speed tests 11 and 14's index side: 51,000 keys each, splits
 * included), CPU ms per index, in one process so later rounds are warm.
 *   npx esbuild ... --outfile=bench/out/x.mjs && node bench/out/x.mjs [rounds]
 */
import { MemoryDirectory, Prng } from '@tabgres/opfs-storage';
import { btbuildempty, btinsert } from '../../packages/engine/src/access/nbtree/nbtree.ts';
import { intKey, startInstance, testIndex } from '../../packages/engine/src/access/nbtree/nbtree_testutil.ts';
import { startTiming } from '../measure.ts';

const ROUNDS = Number(process.argv[2] ?? 6);
const N = 51_000;
const inst = startInstance(new MemoryDirectory(), { nbuffers: 16_384, walBuffers: 512, segmentSize: 16 * 1024 * 1024 });
const rng = new Prng(3);
const v = [0];
const out: string[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const idx = testIndex(inst, [intKey()]);
  btbuildempty(idx, inst.env);
  const stop = startTiming();
  for (let i = 0; i < N; i++) {
    v[0] = rng.int(500_000);
    btinsert(idx, inst.env, v, null, Math.floor(i / 100) * 65536 + (i % 100) + 1, null);
  }
  out.push(stop().cpuMs.toFixed(0));
}
console.log(`btinsert ${N} random keys, cpu ms per round: ${out.join(' ')}`);
