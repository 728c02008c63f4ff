/*
 * measure.ts — timing for the benchmarks: a stopwatch that reads the wall
 * clock and the process's CPU time together, medians, percentiles.
 *
 * Why both clocks: the benchmarks often share a small machine with other
 * work. The wall clock then also counts time the benchmark spent waiting
 * for a CPU; CPU time (user + system, all threads of this process) does
 * not, but it includes V8's GC helper threads, so for allocating work it
 * overstates a little. The report shows the wall clock and, beside it, the
 * figure from CPU time.
 *
 * No forced GC between rounds (no --expose-gc / gc()): a full GC makes V8
 * discard optimized code that embeds objects which died ("weak objects"
 * deopts), and the next round then measures partly unoptimized code; in
 * the scans that showed as a 3× slowdown that steady-state use does not see.
 */

import { performance } from 'node:perf_hooks';

export interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** Starts a stopwatch; calling the result stops it. */
export function startTiming(): () => Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const wallMs = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return { wallMs, cpuMs: (c.user + c.system) / 1000 };
  };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of nothing');
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** The median of each clock separately. */
export function medianTiming(ts: readonly Timing[]): Timing {
  return { wallMs: median(ts.map((t) => t.wallMs)), cpuMs: median(ts.map((t) => t.cpuMs)) };
}

export function addTimings(a: Timing, b: Timing): Timing {
  return { wallMs: a.wallMs + b.wallMs, cpuMs: a.cpuMs + b.cpuMs };
}

/** Runs fn `warmups` times untimed, then `rounds` times; the medians. */
export function timeMedian(warmups: number, rounds: number, fn: () => void): Timing {
  for (let i = 0; i < warmups; i++) fn();
  const ts: Timing[] = [];
  for (let i = 0; i < rounds; i++) {
    const stop = startTiming();
    fn();
    ts.push(stop());
  }
  return medianTiming(ts);
}

/** Times one call of an asynchronous function. */
export async function timeAsync(fn: () => Promise<void>): Promise<Timing> {
  const stop = startTiming();
  await fn();
  return stop();
}

export const perSecond = (items: number, ms: number): number => (items * 1000) / ms;

/** A benchmark fails only when an answer is wrong, never when it is slow. */
export function check(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what}: got ${got}, expected ${want}`);
}
