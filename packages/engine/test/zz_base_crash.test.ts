/*
 * Crash tests: seeded random workloads, crashed at random points.
 *
 * `npm test` runs CRASH_POINTS crash points (at least 1,000) spread over
 * several seeded workloads. TABGRES_CRASH_POINTS=N runs N instead, e.g.
 * TABGRES_CRASH_POINTS=20000 npx vitest run packages/engine/test/crash.test.ts
 * A failure prints its workload seed and crash seed, which replay it exactly.
 */

import { describe, expect, it } from 'vitest';
import { Workload } from './zz_base_workload.ts';

const CRASH_POINTS = Number(process.env.TABGRES_CRASH_POINTS ?? 1000);
const WORKLOADS = 10;
const STEPS_BETWEEN_CRASHES = 6;

describe('crash recovery keeps every acknowledged commit and nothing else', () => {
  const perWorkload = Math.ceil(CRASH_POINTS / WORKLOADS);
  for (let w = 0; w < WORKLOADS; w++) {
    const seed = 1000 + w;
    it(`workload seed ${seed}: ${perWorkload} crash points`, () => {
      const wl = new Workload(seed);
      let checked = 0;
      try {
        for (let i = 0; i < perWorkload; i++) {
          for (let s = 0; s < STEPS_BETWEEN_CRASHES; s++) wl.step();
          const crashSeed = seed * 100_000 + i;
          const problem = wl.checkCrashPoint(crashSeed);
          if (problem !== null) {
            throw new Error(`workload seed ${seed}, step ${wl.steps}, crash seed ${crashSeed}: ${problem}`);
          }
          checked++;
        }
      } finally {
        wl.finish();
      }
      expect(checked).toBe(perWorkload);
    });
  }
});

describe('recovery of a recovered database', () => {
  it('crashes again right after recovery and again after more work', () => {
    const wl = new Workload(77);
    for (let round = 0; round < 5; round++) {
      for (let s = 0; s < 40; s++) wl.step();
      expect(wl.checkCrashPoint(77_000 + round)).toBeNull();
    }
    wl.finish();
  });
});
