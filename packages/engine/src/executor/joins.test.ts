/*
 * Joins of every type and method against a model nested loop, over inputs
 * with NULL keys and duplicate keys on both sides.
 */
import { describe, expect, it } from 'vitest';
import type { HashJoin, Hash, MergeJoin, NestLoop, Plan, Sort } from '../nodes/plannodes.ts';
import type { Expr, JoinType, TargetEntry } from '../nodes/primnodes.ts';
import { TestDb, INT4, TEXT, seqscan, rteRelation, stmt, op, v, base, outerTlist, tle, opOid, canon, param, and } from './exec.testutil.ts';

const db = new TestDb();
const L = db.createTable('l', [['a', INT4], ['b', TEXT]], [[1, 'l1'], [2, 'l2'], [2, 'l2b'], [null, 'lnull'], [4, 'l4'], [5, 'l5']]);
const R = db.createTable('r', [['a', INT4], ['c', TEXT]], [[2, 'r2'], [2, 'r2b'], [3, 'r3'], [null, 'rnull'], [5, 'r5'], [0, 'r0']]);
const lrows = db.engine.scan(L.rel).map((r) => r.values as unknown[]);
const rrows = db.engine.scan(R.rel).map((r) => r.values as unknown[]);
const rtable = [rteRelation(L), rteRelation(R)];

/** The model: a nested loop with the join condition l.a = r.a (and an optional extra filter). */
function model(jt: JoinType, extra: (l: unknown[], r: unknown[]) => boolean = () => true): unknown[][] {
  const out: unknown[][] = [];
  const matchedR = new Set<number>();
  const nullR = [null, null];
  const nullL = [null, null];
  for (const l of lrows) {
    let matched = false;
    rrows.forEach((r, j) => {
      if (l[0] === null || r[0] === null || l[0] !== r[0] || !extra(l, r)) return;
      if ((jt === 'JOIN_SEMI' || jt === 'JOIN_ANTI') && matched) return;
      matched = true;
      matchedR.add(j);
      if (jt !== 'JOIN_SEMI' && jt !== 'JOIN_ANTI') out.push([...l, ...r]);
    });
    if (jt === 'JOIN_SEMI' && matched) out.push([...l, ...nullR]);
    if (!matched && (jt === 'JOIN_LEFT' || jt === 'JOIN_FULL' || jt === 'JOIN_ANTI')) out.push([...l, ...nullR]);
  }
  if (jt === 'JOIN_RIGHT' || jt === 'JOIN_FULL') rrows.forEach((r, j) => {
    if (!matchedR.has(j)) out.push([...nullL, ...r]);
  });
  return out;
}

function joinTlist(jt: JoinType): TargetEntry[] {
  const semi = jt === 'JOIN_SEMI' || jt === 'JOIN_ANTI';
  return [
    tle(v(-2, 1, INT4), 1), tle(v(-2, 2, TEXT), 2),
    tle(semi ? { type: 'Const', consttype: INT4, consttypmod: -1, constvalue: null, constisnull: true, location: -1 } : v(-1, 1, INT4), 3),
    tle(semi ? { type: 'Const', consttype: TEXT, consttypmod: -1, constvalue: null, constisnull: true, location: -1 } : v(-1, 2, TEXT), 4),
  ];
}

const eqClause = op('=', v(-2, 1, INT4), v(-1, 1, INT4));
const extraFilter = op('<', v(-2, 2, TEXT), v(-1, 2, TEXT));
const extraModel = (l: unknown[], r: unknown[]): boolean => (l[1] as string) < (r[1] as string);

function hashJoin(jt: JoinType, joinqual = [] as typeof eqClause[]): HashJoin {
  const hash: Hash = { type: 'Hash', ...base(outerTlist(R.types), seqscan(2, R)), hashkeys: [v(-2, 1, INT4)], rows_total: 0 };
  return {
    type: 'HashJoin', ...base(joinTlist(jt), seqscan(1, L), hash), jointype: jt, inner_unique: false, joinqual,
    hashclauses: [eqClause], hashoperators: [opOid('=', INT4, INT4)], hashkeys: [v(-2, 1, INT4)],
  };
}

function sorted(p: Plan, types: number[], nullsFirst: boolean, desc = false): Sort {
  return { type: 'Sort', ...base(outerTlist(types), p), numCols: 1, sortColIdx: [1], sortOperators: [opOid(desc ? '>' : '<', INT4, INT4)], nullsFirst: [nullsFirst] };
}

function mergeJoin(jt: JoinType, nullsFirst: boolean, joinqual = [] as typeof eqClause[], desc = false): MergeJoin {
  return {
    type: 'MergeJoin', ...base(joinTlist(jt), sorted(seqscan(1, L), L.types, nullsFirst, desc), sorted(seqscan(2, R), R.types, nullsFirst, desc)),
    jointype: jt, inner_unique: false, joinqual, mergeclauses: [eqClause], mergeReversed: [desc], mergeNullsFirst: [nullsFirst],
  };
}

function nestLoop(jt: JoinType, joinqual: Expr[] = [eqClause]): NestLoop {
  return { type: 'NestLoop', ...base(joinTlist(jt), seqscan(1, L), seqscan(2, R)), jointype: jt, inner_unique: false, joinqual, nestParams: [] };
}

const ALL: JoinType[] = ['JOIN_INNER', 'JOIN_LEFT', 'JOIN_RIGHT', 'JOIN_FULL', 'JOIN_SEMI', 'JOIN_ANTI'];

describe('HashJoin', () => {
  for (const jt of ALL) {
    it(`${jt} agrees with the model`, () => {
      expect(canon(db.run(stmt(hashJoin(jt), rtable)))).toEqual(canon(model(jt)));
    });
    it(`${jt} with a join filter agrees with the model`, () => {
      expect(canon(db.run(stmt(hashJoin(jt, [extraFilter]), rtable)))).toEqual(canon(model(jt, extraModel)));
    });
  }
});

describe('MergeJoin', () => {
  for (const jt of ALL) {
    for (const nf of [false, true]) {
      it(`${jt} (nulls ${nf ? 'first' : 'last'}) agrees with the model`, () => {
        expect(canon(db.run(stmt(mergeJoin(jt, nf), rtable)))).toEqual(canon(model(jt)));
        expect(canon(db.run(stmt(mergeJoin(jt, nf, [], true), rtable)))).toEqual(canon(model(jt)));
      });
    }
    it(`${jt} with a join filter agrees with the model`, () => {
      expect(canon(db.run(stmt(mergeJoin(jt, false, [extraFilter]), rtable)))).toEqual(canon(model(jt, extraModel)));
    });
  }
});

describe('NestLoop', () => {
  for (const jt of ['JOIN_INNER', 'JOIN_LEFT', 'JOIN_SEMI', 'JOIN_ANTI'] as JoinType[]) {
    it(`${jt} agrees with the model`, () => {
      expect(canon(db.run(stmt(nestLoop(jt), rtable)))).toEqual(canon(model(jt)));
      expect(canon(db.run(stmt(nestLoop(jt, [and(eqClause, extraFilter)]), rtable)))).toEqual(canon(model(jt, extraModel)));
    });
  }
  it('RIGHT and FULL are refused (0A000), as PostgreSQL never plans them', () => {
    expect(() => db.run(stmt(nestLoop('JOIN_FULL'), rtable))).toThrowError(/nested loop/);
  });
  it('a parameterized inner side gets each outer row through NestLoopParam', () => {
    const inner = seqscan(2, R, [op('=', v(2, 1, INT4), param('PARAM_EXEC', 0, INT4))]);
    const nl: NestLoop = {
      type: 'NestLoop', ...base(joinTlist('JOIN_LEFT'), seqscan(1, L), inner), jointype: 'JOIN_LEFT', inner_unique: false, joinqual: [],
      nestParams: [{ type: 'NestLoopParam', paramno: 0, paramval: v(-2, 1, INT4) }],
    };
    expect(canon(db.run(stmt(nl, rtable, [], 1)))).toEqual(canon(model('JOIN_LEFT')));
  });
});

describe('HashJoin rescan', () => {
  it('keeps its hash table when the inner side reads no params, and matches again', () => {
    // (L join R) as the inner side of a cross join with a 2-row outer: the hash join is rescanned.
    const outer = seqscan(3, L, [op('<', v(3, 1, INT4), { type: 'Const', consttype: INT4, consttypmod: -1, constvalue: 3, constisnull: false, location: -1 })]);
    const hj = hashJoin('JOIN_FULL');
    const nl: NestLoop = {
      type: 'NestLoop', ...base([tle(v(-2, 1, INT4), 1), tle(v(-1, 1, INT4), 2), tle(v(-1, 3, INT4), 3)], outer, hj),
      jointype: 'JOIN_INNER', inner_unique: false, joinqual: [], nestParams: [],
    };
    const rows = db.run(stmt(nl, [...rtable, rteRelation(L)]));
    expect(rows).toHaveLength(3 * model('JOIN_FULL').length);
  });
});

describe('cross-type join keys (int4 = int8)', () => {
  const B8 = db.createTable('r8', [['a', 20]], [[2n], [5n], [null], [7n]]);
  const clause = op('=', v(-2, 1, INT4), v(-1, 1, 20));
  const tl = [tle(v(-2, 1, INT4), 1), tle(v(-1, 1, 20), 2)];
  const expected = [[2, 2n], [2, 2n], [5, 5n]];
  it('hash join hashes 2 and 2n alike', () => {
    const hash: Hash = { type: 'Hash', ...base(outerTlist([20]), seqscan(2, B8)), hashkeys: [v(-2, 1, 20)], rows_total: 0 };
    const hj: HashJoin = {
      type: 'HashJoin', ...base(tl, seqscan(1, L), hash), jointype: 'JOIN_INNER', inner_unique: false, joinqual: [],
      hashclauses: [clause], hashoperators: [clause.opno], hashkeys: [v(-2, 1, INT4)],
    };
    expect(canon(db.run(stmt(hj, [rteRelation(L), rteRelation(B8)])))).toEqual(canon(expected));
  });
  it('merge join compares across the integer types', () => {
    const s8: Sort = { type: 'Sort', ...base(outerTlist([20]), seqscan(2, B8)), numCols: 1, sortColIdx: [1], sortOperators: [opOid('<', 20, 20)], nullsFirst: [false] };
    const mj: MergeJoin = {
      type: 'MergeJoin', ...base(tl, sorted(seqscan(1, L), L.types, false), s8), jointype: 'JOIN_INNER', inner_unique: false, joinqual: [],
      mergeclauses: [clause], mergeReversed: [false], mergeNullsFirst: [false],
    };
    expect(canon(db.run(stmt(mj, [rteRelation(L), rteRelation(B8)])))).toEqual(canon(expected));
  });
});
