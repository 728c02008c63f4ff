/*
 * Agg (plain, sorted, hashed; FILTER, DISTINCT, ORDER BY inside the call,
 * HAVING) and WindowAgg (ranking on peers, offsets, frames) against models.
 */
import { describe, expect, it } from 'vitest';
import type { Agg, Plan, Sort, WindowAgg } from '../nodes/plannodes.ts';
import type { Aggref, Expr, WindowFunc } from '../nodes/primnodes.ts';
import { FRAMEOPTION } from '../parser/primnodes.ts';
import { functionsByName } from '../utils/fmgr/fmgrtab.ts';
import { ArrayValue } from '../utils/adt/array.ts';
import { TestDb, INT4, INT8, TEXT, seqscan, rteRelation, stmt, op, v, c, base, outerTlist, tle, opOid, canon, aggref, sortClause, type TestTable } from './exec.testutil.ts';

const db = new TestDb();

function sortBy(p: Plan, types: number[], cols: number[]): Sort {
  return { type: 'Sort', ...base(outerTlist(types), p), numCols: cols.length, sortColIdx: cols, sortOperators: cols.map((k) => opOid('<', types[k - 1], types[k - 1])), nullsFirst: cols.map(() => false) };
}

describe('Agg', () => {
  // x is int8, so sum(x) is numeric: its text form checks the final function's path.
  const t = db.createTable('g', [['g', INT4], ['x', INT8]], [[1, 10n], [2, 5n], [1, null], [null, 7n], [2, 5n], [1, 30n], [null, null], [3, 1n]]);
  const rt = [rteRelation(t)];
  const rows = db.engine.scan(t.rel).map((r) => [r.values[0], r.values[1] === null ? null : Number(r.values[1])] as (number | null)[]);

  /** The model: per group (NULLs together) count(*), count(x), sum(x), max(x), count(x) filter (x > 5), count(distinct x). */
  function model(having = false): unknown[][] {
    const groups = new Map<number | null, (number | null)[]>();
    for (const [g, x] of rows) {
      const list = groups.get(g) ?? [];
      list.push(x);
      groups.set(g, list);
    }
    const out: unknown[][] = [];
    for (const [g, xs] of groups) {
      const nn = xs.filter((x): x is number => x !== null);
      if (having && xs.length <= 1) continue;
      out.push([g, BigInt(xs.length), BigInt(nn.length), nn.length ? String(nn.reduce((a, b) => a + b, 0)) : null, nn.length ? BigInt(Math.max(...nn)) : null,
        BigInt(nn.filter((x) => x > 5).length), BigInt(new Set(nn).size)]);
    }
    return out;
  }

  const x = v(-2, 2, INT8);
  const aggs = (): Aggref[] => [
    aggref('count', [], 0),
    aggref('count', [x], 1, { aggfnoid: 2147 }),
    aggref('sum', [x], 2),
    aggref('max', [x], 3),
    aggref('count', [x], 4, { aggfnoid: 2147, aggfilter: op('>', x, c(5n, INT8)) }),
    aggref('count', [x], 5, { aggfnoid: 2147, aggdistinct: [sortClause(1, INT8)] }),
  ];
  const tlist = (as: Aggref[]) => [tle(v(-2, 1, INT4), 1, 'g'), ...as.map((a, i) => tle(a, i + 2))];
  const agg = (strategy: Agg['aggstrategy'], having: boolean): Agg => {
    const as = aggs();
    const child = strategy === 'AGG_SORTED' ? sortBy(seqscan(1, t), t.types, [1]) : seqscan(1, t);
    return {
      type: 'Agg', ...base(tlist(as), child, null, having ? [op('>', as[0], c(1n, INT8))] : []),
      aggstrategy: strategy, aggsplit: 'AGGSPLIT_SIMPLE', numCols: 1, grpColIdx: [1], grpOperators: [opOid('=', INT4, INT4)], numGroups: 4,
    };
  };

  for (const s of ['AGG_SORTED', 'AGG_HASHED'] as const) {
    it(`${s} groups with NULLs, FILTER, DISTINCT`, () => {
      expect(canon(db.run(stmt(agg(s, false), rt)))).toEqual(canon(model()));
    });
    it(`${s} HAVING`, () => {
      expect(canon(db.run(stmt(agg(s, true), rt)))).toEqual(canon(model(true)));
    });
  }

  it('AGG_PLAIN over no rows returns one row (count 0, sum NULL)', () => {
    const as = [aggref('count', [], 0), aggref('sum', [v(-2, 2, INT8)], 1)];
    const p: Agg = {
      type: 'Agg', ...base(as.map((a, i) => tle(a, i + 1)), seqscan(1, t, [c(false, 16)])),
      aggstrategy: 'AGG_PLAIN', aggsplit: 'AGGSPLIT_SIMPLE', numCols: 0, grpColIdx: [], grpOperators: [], numGroups: 1,
    };
    expect(db.run(stmt(p, rt))).toEqual([[0n, null]]);
  });

  it('ORDER BY inside the call (array_agg(x ORDER BY x DESC))', () => {
    const arrayAgg = functionsByName('array_agg').find((f) => f.proargtypes[0] === 2776)?.oid as number;
    const a = aggref('count', [v(-2, 2, INT8)], 0, { aggfnoid: arrayAgg, aggtype: 1016, aggorder: [sortClause(1, INT8, true, false)] });
    const p: Agg = {
      type: 'Agg', ...base([tle(a, 1)], seqscan(1, t, [op('=', v(1, 1, INT4), c(1, INT4))])),
      aggstrategy: 'AGG_PLAIN', aggsplit: 'AGGSPLIT_SIMPLE', numCols: 0, grpColIdx: [], grpOperators: [], numGroups: 1,
    };
    const [[arr]] = db.run(stmt(p, rt));
    // DESC puts NULLs first by default; here nulls_first is false, so NULL comes last.
    expect(arr instanceof ArrayValue && arr.elements).toEqual([30n, 10n, null]);
  });

  it('hashed Agg past work_mem raises 53200', () => {
    db.workMemBytes = 200;
    try {
      expect(() => db.run(stmt(agg('AGG_HASHED', false), rt))).toThrowError(/out of memory/);
    } finally {
      db.workMemBytes = 4 * 1024 * 1024;
    }
  });
});

describe('WindowAgg', () => {
  const w: TestTable = db.createTable('w', [['p', INT4], ['o', INT4], ['x', INT8]], [[1, 1, 10n], [2, 5, 5n], [1, 2, 20n], [1, 2, 30n], [1, 3, null]]);
  const rt = [rteRelation(w)];
  const input = (): Sort => sortBy(seqscan(1, w), w.types, [1, 2]);
  const X = v(-2, 3, INT8);
  const O = v(-2, 2, INT4);

  function wf(name: string, args: Expr[], winref: number, wintype = INT4, pick?: (argtypes: number[]) => boolean): WindowFunc {
    const f = functionsByName(name).find((g) => g.proargtypes.length === args.length && (pick === undefined || pick(g.proargtypes)));
    if (f === undefined) throw new Error(`no ${name}`);
    return { type: 'WindowFunc', winfnoid: f.oid, wintype, args, aggfilter: null, winref, winstar: false, winagg: f.prokind === 'a', location: -1 };
  }

  function windowPlan(winref: number, frameOptions: number, funcs: WindowFunc[], startOffset: Expr | null = null, endOffset: Expr | null = null, partition = true): WindowAgg {
    return {
      type: 'WindowAgg', ...base([tle(v(-2, 1, INT4), 1), tle(O, 2), tle(X, 3), ...funcs.map((f, i) => tle(f, i + 4))], input()),
      winref, partNumCols: partition ? 1 : 0, partColIdx: partition ? [1] : [], partOperators: partition ? [opOid('=', INT4, INT4)] : [],
      ordNumCols: 1, ordColIdx: [2], ordOperators: [opOid('=', INT4, INT4)], frameOptions, startOffset, endOffset,
    };
  }
  const DEFAULT = FRAMEOPTION.RANGE | FRAMEOPTION.START_UNBOUNDED_PRECEDING | FRAMEOPTION.END_CURRENT_ROW;
  const cols = (rows: unknown[][], from: number): unknown[][] => rows.map((r) => r.slice(from));

  it('ranking functions on peers, ntile, lag/lead, first/last/nth_value and a running sum', () => {
    const funcs = [
      wf('row_number', [], 1, INT8), wf('rank', [], 1, INT8), wf('dense_rank', [], 1, INT8), wf('percent_rank', [], 1, 701), wf('cume_dist', [], 1, 701),
      wf('ntile', [c(2, INT4)], 1), wf('lag', [X], 1), wf('lead', [X, c(1, INT4), c(-1n, INT8)], 1),
      wf('first_value', [X], 1), wf('last_value', [X], 1), wf('nth_value', [X, c(2, INT4)], 1), wf('sum', [X], 1, 1700, (a) => a[0] === INT8),
    ];
    const rows = db.run(stmt(windowPlan(1, DEFAULT, funcs), rt));
    expect(cols(rows, 1)).toEqual([
      [1, 10n, 1n, 1n, 1n, 0, 0.25, 1, null, 20n, 10n, 10n, null, '10'],
      [2, 20n, 2n, 2n, 2n, 1 / 3, 0.75, 1, 10n, 30n, 10n, 30n, 20n, '60'],
      [2, 30n, 3n, 2n, 2n, 1 / 3, 0.75, 2, 20n, null, 10n, 30n, 20n, '60'],
      [3, null, 4n, 4n, 3n, 1, 1, 2, 30n, -1n, 10n, null, 20n, '60'],
      [5, 5n, 1n, 1n, 1n, 0, 1, 1, null, -1n, 5n, 5n, null, '5'],
    ]);
  });

  it('ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING', () => {
    const fo = FRAMEOPTION.NONDEFAULT | FRAMEOPTION.ROWS | FRAMEOPTION.BETWEEN | FRAMEOPTION.START_OFFSET_PRECEDING | FRAMEOPTION.END_OFFSET_FOLLOWING;
    const rows = db.run(stmt(windowPlan(1, fo, [wf('sum', [X], 1, 1700, (a) => a[0] === INT8)], c(1n, INT8), c(1n, INT8)), rt));
    expect(rows.map((r) => r[3])).toEqual(['30', '60', '50', '30', '5']);
  });

  it('GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW', () => {
    const fo = FRAMEOPTION.NONDEFAULT | FRAMEOPTION.GROUPS | FRAMEOPTION.BETWEEN | FRAMEOPTION.START_OFFSET_PRECEDING | FRAMEOPTION.END_CURRENT_ROW;
    const rows = db.run(stmt(windowPlan(1, fo, [wf('count', [], 1, INT8)], c(1n, INT8)), rt));
    expect(rows.map((r) => r[3])).toEqual([1n, 3n, 3n, 3n, 1n]);
  });

  it('RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING on an integer column', () => {
    const fo = FRAMEOPTION.NONDEFAULT | FRAMEOPTION.RANGE | FRAMEOPTION.BETWEEN | FRAMEOPTION.START_OFFSET_PRECEDING | FRAMEOPTION.END_OFFSET_FOLLOWING;
    const rows = db.run(stmt(windowPlan(1, fo, [wf('sum', [O], 1, INT8, (a) => a[0] === INT4)], c(1, INT4), c(1, INT4)), rt));
    expect(rows.map((r) => r[3])).toEqual([5n, 8n, 8n, 7n, 5n]);
  });

  it('ranks over a text ORDER BY column (no RANGE offset: the column type does not matter)', () => {
    const t = db.createTable('wt', [['s', TEXT]], [['b'], ['a'], ['b']]);
    const sort: Sort = { type: 'Sort', ...base(outerTlist([TEXT]), seqscan(1, t)), numCols: 1, sortColIdx: [1], sortOperators: [opOid('<', TEXT, TEXT)], nullsFirst: [false] };
    const p: WindowAgg = {
      type: 'WindowAgg', ...base([tle(v(-2, 1, TEXT), 1), tle(wf('rank', [], 1, INT8), 2)], sort), winref: 1, partNumCols: 0, partColIdx: [], partOperators: [],
      ordNumCols: 1, ordColIdx: [1], ordOperators: [opOid('=', TEXT, TEXT)], frameOptions: DEFAULT, startOffset: null, endOffset: null,
    };
    expect(db.run(stmt(p, [rteRelation(t)]))).toEqual([['a', 1n], ['b', 2n], ['b', 2n]]);
  });

  it('whole partition frame and errors of offsets', () => {
    const fo = FRAMEOPTION.NONDEFAULT | FRAMEOPTION.ROWS | FRAMEOPTION.BETWEEN | FRAMEOPTION.START_UNBOUNDED_PRECEDING | FRAMEOPTION.END_UNBOUNDED_FOLLOWING;
    const rows = db.run(stmt(windowPlan(1, fo, [wf('last_value', [X], 1)]), rt));
    expect(rows.map((r) => r[3])).toEqual([null, null, null, null, 5n]);
    const bad = FRAMEOPTION.NONDEFAULT | FRAMEOPTION.ROWS | FRAMEOPTION.BETWEEN | FRAMEOPTION.START_OFFSET_PRECEDING | FRAMEOPTION.END_CURRENT_ROW;
    expect(() => db.run(stmt(windowPlan(1, bad, [wf('count', [], 1, INT8)], c(-1n, INT8)), rt))).toThrowError('frame starting offset must not be negative');
    expect(() => db.run(stmt(windowPlan(1, DEFAULT, [wf('ntile', [c(0, INT4)], 1)]), rt))).toThrowError('argument of ntile must be greater than zero');
  });
});
