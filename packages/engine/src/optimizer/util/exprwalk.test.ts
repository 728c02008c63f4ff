// equalExpr (structural equality without building keys) must agree with exprKey equality on every pair.
import { describe, expect, it } from 'vitest';
import type { Expr, Var } from '../../nodes/primnodes.ts';
import { equalExpr, exprKey } from './exprwalk.ts';

const v = (varno: number, varattno: number, extra: Partial<Var> = {}): Var => ({
  type: 'Var', varno, varattno, vartype: 23, vartypmod: -1, varlevelsup: 0, location: -1, ...extra,
});
const c = (value: unknown, consttype = 23, constisnull = false): Expr =>
  ({ type: 'Const', consttype, consttypmod: -1, constvalue: value, constisnull, location: -1 }) as Expr;
const op = (opno: number, l: Expr, r: Expr, location = -1): Expr =>
  ({ type: 'OpExpr', opno, opfuncid: 65, opresulttype: 16, opretset: false, args: [l, r], location }) as Expr;

describe('equalExpr', () => {
  const samples: Expr[] = [
    v(1, 1), v(1, 2), v(2, 1), v(1, 1, { varlevelsup: 1 }), v(1, 1, { vartype: 20 }), v(1, 1, { location: 17 }),
    c(5), c(5, 20), c(6), c(5n, 20), c(null, 23, true), c('5', 25), c(Number.NaN, 701), c(0, 701), c(-0, 701),
    c(new Uint8Array([1, 2])), c(new Uint8Array([1, 3])), c([1, 2], 1007), c([1, 2, 3], 1007),
    op(96, v(1, 1), c(5)), op(96, v(1, 1), c(5), 40), op(96, v(1, 1), c(6)), op(97, v(1, 1), c(5)), op(96, c(5), v(1, 1)),
  ];

  it('agrees with exprKey equality on every pair', () => {
    for (const a of samples) {
      for (const b of samples) {
        expect(equalExpr(a, b), `${exprKey(a)} vs ${exprKey(b)}`).toBe(exprKey(a) === exprKey(b));
      }
    }
  });

  it('ignores location at any depth', () => {
    expect(equalExpr(op(96, v(1, 1, { location: 3 }), c(5), 10), op(96, v(1, 1), c(5)))).toBe(true);
  });

  it('treats an absent field and an undefined one alike, and an extra field as a difference', () => {
    const plain = v(1, 1);
    const withUndefined = { ...v(1, 1), varnosyn: undefined } as unknown as Expr;
    const withExtra = { ...v(1, 1), varnosyn: 4 } as unknown as Expr;
    expect(equalExpr(plain, withUndefined)).toBe(true);
    expect(equalExpr(plain, withExtra)).toBe(false);
    expect(equalExpr(withExtra, plain)).toBe(false);
  });
});
