/*
 * AggTransition's count and integer-sum fast paths (a JavaScript number
 * folded into the bigint state) against the exact bigint results, and the
 * generic transition of the same aggregates.
 */
import { describe, expect, it } from 'vitest';
import type { FunctionCallContext } from '../utils/fmgr/fmgrtypes.ts';
import { lookupAggregate } from '../utils/fmgr/fmgrtab.ts';
import { AggTransition } from './execAggTrans.ts';

// None of these aggregates calls into its context.
const ctx = {} as FunctionCallContext;
const INT4 = 23;
const INT2 = 21;

/** The aggregate's own transition function, called for every row. */
function generic(aggfnoid: number, argTypes: number[], rows: unknown[][]): unknown {
  const info = lookupAggregate(aggfnoid);
  let s = info.initValue();
  let noValue = s === null && info.transStrict;
  for (const args of rows) {
    if (info.transStrict) {
      if (args.some((a) => a === null)) continue;
      if (noValue) {
        s = args[0];
        noValue = false;
        continue;
      }
    }
    s = info.trans(s, args, ctx, argTypes);
  }
  return s === null || info.final === undefined ? s : info.final(s, ctx, argTypes);
}

function fast(aggfnoid: number, argTypes: number[], rows: unknown[][]): unknown {
  const t = new AggTransition(aggfnoid, ctx, argTypes);
  const s = t.init();
  for (const r of rows) t.advance(s, r);
  return t.final(s);
}

describe('AggTransition fast paths', () => {
  const mixed: unknown[][] = [[5], [null], [-7], [2147483647], [null], [-2147483648], [12]];

  it('count(*) and count(any) count rows, count(any) skips NULLs', () => {
    expect(fast(2803, [], mixed.map(() => []))).toBe(7n);
    expect(fast(2147, [INT4], mixed)).toBe(5n);
    expect(fast(2147, [INT4], mixed)).toBe(generic(2147, [INT4], mixed));
    expect(fast(2803, [], [])).toBe(0n);
  });

  it('sum(int4) and sum(int2) equal the bigint sums, NULL without a non-NULL input', () => {
    expect(fast(2108, [INT4], mixed)).toBe(generic(2108, [INT4], mixed));
    expect(fast(2108, [INT4], [[null], [null]])).toBe(null);
    expect(fast(2108, [INT4], [])).toBe(null);
    const small: unknown[][] = [[3], [null], [-300], [32767], [-32768]];
    expect(fast(2109, [INT2], small)).toBe(generic(2109, [INT2], small));
  });

  it('sum(int4) stays exact past 2^53, folding before the number loses precision', () => {
    const n = 3_000_000;
    const t = new AggTransition(2108, ctx, [INT4]);
    const s = t.init();
    const row = [2147483647];
    for (let i = 0; i < n; i++) t.advance(s, row);
    t.advance(s, [-1]);
    expect(t.final(s)).toBe(2147483647n * BigInt(n) - 1n);
  });

  it('final() can be read and advanced again (a window aggregate running total)', () => {
    const t = new AggTransition(2803, ctx, []);
    const s = t.init();
    t.advance(s, []);
    expect(t.final(s)).toBe(1n);
    t.advance(s, []);
    t.advance(s, []);
    expect(t.final(s)).toBe(3n);
    const u = new AggTransition(2108, ctx, [INT4]);
    const g = u.init();
    u.advance(g, [4]);
    expect(u.final(g)).toBe(4n);
    u.advance(g, [6]);
    expect(u.final(g)).toBe(10n);
  });
});
