/*
 * avg over integers (aggregates.ts avgInt): the sum runs in a JavaScript
 * number and is folded into a bigint before it could lose precision. Sums
 * far past 2^53, negative sums and int8 inputs must give the exact numeric
 * PostgreSQL gives (checked here against bigint arithmetic).
 */
import { describe, expect, it } from 'vitest';
import type { FunctionCallContext } from '../fmgr/fmgrtypes.ts';
import { AGGREGATE_IMPLS } from './aggregates.ts';
import { numericDivInts } from './numericarith.ts';

const ctx = {} as FunctionCallContext;

function avg(argtype: number, inputs: Iterable<number | bigint>): unknown {
  const info = AGGREGATE_IMPLS[`avg(${argtype})`]([argtype], 1700);
  let s = info.initValue();
  const args: unknown[] = [null];
  for (const v of inputs) {
    args[0] = v;
    s = info.trans(s, args, ctx);
  }
  return info.final === undefined ? s : info.final(s, ctx);
}

function* repeat<T>(v: T, n: number): Generator<T> {
  for (let i = 0; i < n; i++) yield v;
}

describe('avg(int)', () => {
  it('is exact for sums past 2^53', () => {
    const n = 5_000_000;
    const max = 2147483647;
    expect(avg(23, repeat(max, n))).toBe('2147483647.00000000'); // PostgreSQL's text for this avg
    const mixed = function* (): Generator<number> {
      for (let i = 0; i < n; i++) yield i % 3 === 0 ? -2147483648 : max - (i % 7);
    };
    let sum = 0n;
    for (const v of mixed()) sum += BigInt(v);
    expect(avg(23, mixed())).toBe(numericDivInts(sum, BigInt(n)));
  });

  it('handles negative sums, int2 and int8 inputs, and no rows', () => {
    expect(avg(23, [-1, -2])).toBe('-1.5000000000000000');
    expect(avg(21, [1, 2, 2])).toBe('1.6666666666666667');
    expect(avg(20, [9223372036854775807n, 9223372036854775807n, 1n])).toBe(numericDivInts(9223372036854775807n * 2n + 1n, 3n));
    expect(avg(23, [])).toBeNull();
  });
});
