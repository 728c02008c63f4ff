/*
 * SetOp (sorted and hashed, INTERSECT/EXCEPT [ALL]), Unique, Group, Append,
 * MergeAppend over ValuesScans; set-returning functions in the target list
 * (ProjectSet) and in FROM (FunctionScan, ORDINALITY, ROWS FROM).
 */
import { describe, expect, it } from 'vitest';
import type { Append, FunctionScan, Group, LockRows, MergeAppend, Plan, ProjectSet, SetOp, Sort, SubqueryScan, Unique, ValuesScan } from '../nodes/plannodes.ts';
import { ExecutorEnd } from './execMain.ts';
import type { Expr } from '../nodes/primnodes.ts';
import type { RangeTblEntry } from '../nodes/parsenodes.ts';
import { TestDb, INT4, INT8, rteBase, stmt, op, v, c, base, tle, opOid, canon, fn, outerTlist } from './exec.testutil.ts';

const db = new TestDb();

/** VALUES (x, flag), ... as range-table entry rti. */
function values(rti: number, rows: (number | null)[], flag: number | null = null): ValuesScan {
  const lists: Expr[][] = rows.map((x) => (flag === null ? [c(x, INT4)] : [c(x, INT4), c(flag, INT4)]));
  const types = flag === null ? [INT4] : [INT4, INT4];
  return { type: 'ValuesScan', ...base(types.map((t, i) => tle(v(rti, i + 1, t), i + 1))), scanrelid: rti, values_lists: lists };
}
const valuesRte = (n: number): RangeTblEntry => rteBase('RTE_VALUES', n === 1 ? ['x'] : ['x', 'flag'], n === 1 ? [INT4] : [INT4, INT4]);

const sortOn = (p: Plan, cols: number[], ncols: number): Sort => ({
  type: 'Sort', ...base(outerTlist(new Array(ncols).fill(INT4)), p), numCols: cols.length, sortColIdx: cols,
  sortOperators: cols.map(() => opOid('<', INT4, INT4)), nullsFirst: cols.map(() => false),
});

describe('SetOp', () => {
  const left = [1, 1, 2, null, null, 3];
  const right = [1, null, 4];
  const rt = [valuesRte(2), valuesRte(2)];
  const append = (): Append => ({ type: 'Append', ...base(outerTlist([INT4, INT4])), appendplans: [values(1, left, 0), values(2, right, 1)] });
  const setop = (cmd: SetOp['cmd'], strategy: SetOp['strategy']): SetOp => ({
    type: 'SetOp', ...base(outerTlist([INT4, INT4]), strategy === 'SETOP_SORTED' ? sortOn(append(), [1, 2], 2) : append()),
    cmd, strategy, numCols: 1, dupColIdx: [1], dupOperators: [opOid('=', INT4, INT4)], flagColIdx: 2, firstFlag: 0, numGroups: 4,
  });
  const expected: Record<SetOp['cmd'], (number | null)[]> = {
    SETOPCMD_INTERSECT: [1, null],
    SETOPCMD_INTERSECT_ALL: [1, null],
    SETOPCMD_EXCEPT: [2, 3],
    SETOPCMD_EXCEPT_ALL: [1, 2, null, 3],
  };
  for (const strategy of ['SETOP_SORTED', 'SETOP_HASHED'] as const) {
    for (const cmd of Object.keys(expected) as SetOp['cmd'][]) {
      it(`${cmd} ${strategy}`, () => {
        const rows = db.run(stmt(setop(cmd, strategy), rt)).map((r) => [r[0]]);
        expect(canon(rows)).toEqual(canon(expected[cmd].map((x) => [x])));
      });
    }
  }
});

describe('Unique, Group, Append, MergeAppend', () => {
  const rt = [valuesRte(1), valuesRte(1)];
  it('Unique keeps the first of each run, NULLs equal', () => {
    const u: Unique = { type: 'Unique', ...base(outerTlist([INT4]), sortOn(values(1, [3, null, 1, 3, null, 1]), [1], 1)), numCols: 1, uniqColIdx: [1], uniqOperators: [opOid('=', INT4, INT4)] };
    expect(db.run(stmt(u, rt))).toEqual([[1], [3], [null]]);
  });
  it('Group returns one row per group and applies its qual', () => {
    const g: Group = {
      type: 'Group', ...base(outerTlist([INT4]), sortOn(values(1, [3, null, 1, 3, null, 1, 5]), [1], 1), null, [op('<', v(-2, 1, INT4), c(5, INT4))]),
      numCols: 1, grpColIdx: [1], grpOperators: [opOid('=', INT4, INT4)],
    };
    expect(db.run(stmt(g, rt))).toEqual([[1], [3]]);
  });
  it('Append concatenates; rescan starts over', () => {
    const a: Append = { type: 'Append', ...base(outerTlist([INT4])), appendplans: [values(1, [1, 2]), values(2, [3])] };
    expect(db.run(stmt(a, rt))).toEqual([[1], [2], [3]]);
  });
  it('MergeAppend merges sorted inputs', () => {
    const m: MergeAppend = {
      type: 'MergeAppend', ...base(outerTlist([INT4])), mergeplans: [sortOn(values(1, [5, 1, 3, null]), [1], 1), sortOn(values(2, [2, 4, 6, 0]), [1], 1)],
      numCols: 1, sortColIdx: [1], sortOperators: [opOid('<', INT4, INT4)], nullsFirst: [false],
    };
    expect(db.run(stmt(m, rt)).map((r) => r[0])).toEqual([0, 1, 2, 3, 4, 5, 6, null]);
  });
});

describe('set-returning functions', () => {
  const gs = (a: Expr, b: Expr): Expr => fn('generate_series', [a, b]);
  it('ProjectSet runs SRFs in lockstep (PostgreSQL 10+)', () => {
    const p: ProjectSet = { type: 'ProjectSet', ...base([tle(gs(c(1, INT4), c(3, INT4)), 1), tle(gs(c(1, INT4), c(2, INT4)), 2), tle(c(7, INT4), 3)]) };
    expect(db.run(stmt(p, []))).toEqual([[1, 1, 7], [2, 2, 7], [3, null, 7]]);
  });
  it('ProjectSet evaluates an expression around a set-returning call in the same lockstep', () => {
    const p: ProjectSet = {
      type: 'ProjectSet', ...base([tle(op('*', gs(c(1, INT4), c(3, INT4)), c(10, INT4)), 1), tle(gs(c(1, INT4), c(2, INT4)), 2)]),
    };
    expect(db.run(stmt(p, []))).toEqual([[10, 1], [20, 2], [30, null]]);
    const nestedArgs: ProjectSet = { type: 'ProjectSet', ...base([tle(gs(c(1, INT4), gs(c(1, INT4), c(2, INT4))), 1)]) };
    expect(() => db.run(stmt(nestedArgs, []))).toThrowError(/not supported/);
  });
  it('ProjectSet over a child, and a strict SRF with a NULL argument returns nothing', () => {
    const child = values(1, [2, null, 0]);
    const p: ProjectSet = { type: 'ProjectSet', ...base([tle(v(-2, 1, INT4), 1), tle(gs(c(1, INT4), v(-2, 1, INT4)), 2)], child) };
    expect(db.run(stmt(p, [valuesRte(1)]))).toEqual([[2, 1], [2, 2]]);
  });
  it('FunctionScan WITH ORDINALITY and ROWS FROM', () => {
    const rte: RangeTblEntry = {
      ...rteBase('RTE_FUNCTION', ['a', 'b', 'ord'], [INT4, INT4, INT8]),
      functions: [0, 1].map(() => ({ type: 'RangeTblFunction', funcexpr: c(null, INT4), funccolcount: 1, funccolnames: ['g'], funccoltypes: [INT4], funccoltypmods: [-1] })),
      funcordinality: true,
    };
    const f: FunctionScan = {
      type: 'FunctionScan', ...base([tle(v(1, 1, INT4), 1), tle(v(1, 2, INT4), 2), tle(v(1, 3, INT8), 3)]), scanrelid: 1,
      functions: [gs(c(1, INT4), c(2, INT4)), gs(c(10, INT4), c(12, INT4))], funcordinality: true,
    };
    expect(db.run(stmt(f, [rte]))).toEqual([[1, 10, 1n], [2, 11, 2n], [null, 12, 3n]]);
  });
});

describe('SubqueryScan and LockRows', () => {
  it('SubqueryScan filters and projects its subplan\'s rows', () => {
    const sq: SubqueryScan = {
      type: 'SubqueryScan', ...base([tle(op('*', v(2, 1, INT4), c(10, INT4)), 1)], null, null, [op('>', v(2, 1, INT4), c(1, INT4))]),
      scanrelid: 2, subplan: values(1, [1, 2, 3]),
    };
    expect(db.run(stmt(sq, [valuesRte(1), valuesRte(1)]))).toEqual([[20], [30]]);
  });
  it('LockRows passes rows through (one backend: nothing to lock against)', () => {
    const lr: LockRows = { type: 'LockRows', ...base(outerTlist([INT4]), values(1, [4, 5])), rowMarks: [] };
    expect(db.run(stmt(lr, [valuesRte(1)]))).toEqual([[4], [5]]);
  });
  it('ExecutorEnd is idempotent and safe after a partial run', () => {
    const a: Append = { type: 'Append', ...base(outerTlist([INT4])), appendplans: [values(1, [1, 2]), values(2, [3])] };
    const qd = db.start(stmt(a, [valuesRte(1), valuesRte(1)]));
    expect(qd.planstate.next()?.values[0]).toBe(1);
    ExecutorEnd(qd);
    ExecutorEnd(qd);
  });
});
