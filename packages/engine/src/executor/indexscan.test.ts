/*
 * IndexScan / IndexOnlyScan over a real B-tree: bounds, direction, = ANY,
 * IS NULL, and a parameterized inner side of a nested loop (rescanned with
 * each outer row's value).
 */
import { describe, expect, it } from 'vitest';
import type { BitmapHeapScan, BitmapIndexScan, IndexOnlyScan, IndexScan, NestLoop } from '../nodes/plannodes.ts';
import type { Expr, NullTest, ScalarArrayOpExpr } from '../nodes/primnodes.ts';
import { INDEX_VAR } from '../nodes/primnodes.ts';
import { typeByOid } from '../utils/adt/types.ts';
import type { TypeInfo } from '../utils/adt/datum.ts';
import { ArrayValue } from '../utils/adt/array.ts';
import { lookupOperatorByOid } from '../utils/fmgr/fmgrtab.ts';
import { TestDb, INT4, TEXT, stmt, op, v, c, base, tle, opOid, param, rteRelation, seqscan } from './exec.testutil.ts';
import { ExecutorEnd, ExecutorRun } from './execMain.ts';

const db = new TestDb();
const rows: unknown[][] = [];
for (let i = 1; i <= 200; i++) rows.push([i % 50 === 0 ? null : i, `v${i}`]);
const T = db.createTable('ix', [['a', INT4], ['b', TEXT]], rows);
const index = db.engine.createIndex(T.rel, 'ix_a', { columns: [{ name: 'a', type: typeByOid(INT4) as TypeInfo, heapAttnum: 1 }] });
const INDEXOID = index.oid;
db.catalog.getRelation(T.oid).indexes.push({
  indexrelid: INDEXOID, indrelid: T.oid, name: 'ix_a', indkey: [1], indoption: [0], indisunique: false, indisprimary: false, index, relpages: 1, reltuples: 200, treeHeight: 1,
});
const rt = [rteRelation(T)];
const ix = (indexqual: Expr[], dir: IndexScan['indexorderdir'] = 'ForwardScanDirection', rti = 1): IndexScan => ({
  type: 'IndexScan', ...base([tle(v(rti, 1, INT4), 1), tle(v(rti, 2, TEXT), 2)]), scanrelid: rti, indexid: INDEXOID, indexqual, indexqualorig: [], indexorderdir: dir,
});
const col = v(INDEX_VAR, 1, INT4);

describe('IndexScan', () => {
  it('range bounds, forward and backward', () => {
    expect(db.run(stmt(ix([op('>=', col, c(196, INT4))]), rt)).map((r) => r[0])).toEqual([196, 197, 198, 199]);
    expect(db.run(stmt(ix([op('>=', col, c(196, INT4)), op('<', col, c(199, INT4))], 'BackwardScanDirection'), rt)).map((r) => r[0])).toEqual([198, 197, 196]);
  });
  it('a NULL comparison value finds nothing; IS NULL finds the NULLs', () => {
    expect(db.run(stmt(ix([op('=', col, c(null, INT4))]), rt))).toEqual([]);
    const isnull: NullTest = { type: 'NullTest', arg: col, nulltesttype: 'IS_NULL', argisrow: false, location: -1 };
    expect(db.run(stmt(ix([isnull]), rt)).map((r) => r[1]).sort()).toEqual(['v100', 'v150', 'v200', 'v50']);
  });
  it('= ANY (array) scans each distinct element in index order', () => {
    const eq = lookupOperatorByOid(opOid('=', INT4, INT4));
    const saop: ScalarArrayOpExpr = { type: 'ScalarArrayOpExpr', opno: eq.oid, opfuncid: eq.oprcode, useOr: true, args: [col, c(ArrayValue.of(INT4, [7, 3, null, 7, 120]), 1007)], location: -1 };
    expect(db.run(stmt(ix([saop]), rt)).map((r) => r[0])).toEqual([3, 7, 120]);
  });
  it('the inner side of a nested loop is rescanned with each outer value', () => {
    const outer = seqscan(2, T, [op('<', v(2, 1, INT4), c(4, INT4))]);
    const inner = ix([op('=', col, param('PARAM_EXEC', 0, INT4))], 'ForwardScanDirection', 1);
    const nl: NestLoop = {
      type: 'NestLoop', ...base([tle(v(-2, 1, INT4), 1), tle(v(-1, 2, TEXT), 2)], outer, inner), jointype: 'JOIN_INNER', inner_unique: true, joinqual: [],
      nestParams: [{ type: 'NestLoopParam', paramno: 0, paramval: v(-2, 1, INT4) }],
    };
    expect(db.run(stmt(nl, [rteRelation(T), rteRelation(T)], [], 1))).toEqual([[1, 'v1'], [2, 'v2'], [3, 'v3']]);
  });
});

describe('IndexOnlyScan', () => {
  it('returns index columns and counts heap fetches', () => {
    const ios: IndexOnlyScan = {
      type: 'IndexOnlyScan', ...base([tle(v(INDEX_VAR, 1, INT4), 1)]), scanrelid: 1, indexid: INDEXOID,
      indexqual: [op('<=', col, c(3, INT4))], indexqualorig: [], indextlist: [tle(v(1, 1, INT4), 1)], indexorderdir: 'ForwardScanDirection',
    };
    const qd = db.start(stmt(ios, rt), { instrument: true });
    const out: unknown[][] = [];
    ExecutorRun(qd, (r) => out.push(r));
    ExecutorEnd(qd);
    expect(out).toEqual([[1], [2], [3]]);
    expect(typeof qd.planstate.instrument?.extra.get('Heap Fetches')).toBe('number');
  });
});

describe('BitmapHeapScan', () => {
  const bitmap = (indexqual: Expr[], qual: Expr[] = []): BitmapHeapScan => ({
    type: 'BitmapHeapScan', ...base([tle(v(1, 1, INT4), 1), tle(v(1, 2, TEXT), 2)],
      { type: 'BitmapIndexScan', ...base([]), scanrelid: 1, indexid: INDEXOID, indexqual, indexqualorig: [] } as BitmapIndexScan, null, qual),
    scanrelid: 1, bitmapqualorig: [],
  });
  it('returns the matching rows in physical order, filtered by its qual', () => {
    const eq = lookupOperatorByOid(opOid('=', INT4, INT4));
    const saop: ScalarArrayOpExpr = { type: 'ScalarArrayOpExpr', opno: eq.oid, opfuncid: eq.oprcode, useOr: true, args: [col, c(ArrayValue.of(INT4, [120, 3, 7]), 1007)], location: -1 };
    expect(db.run(stmt(bitmap([saop]), rt)).map((r) => r[0])).toEqual([3, 7, 120]);
    expect(db.run(stmt(bitmap([op('<', col, c(6, INT4))], [op('<>', v(1, 1, INT4), c(2, INT4))]), rt)).map((r) => r[0])).toEqual([1, 3, 4, 5]);
  });
  it('reading no column (DELETE\'s ctid) keeps TIDs only: every row once, in physical order, also past work_mem', () => {
    const ctidOnly = (indexqual: Expr[]): BitmapHeapScan => ({ ...bitmap(indexqual), targetlist: [tle(v(1, -1, 27), 1)] });
    // A TID is the number block * 65536 + offset here; rows 1..149 but 50 and 100, on page 0.
    const all = db.run(stmt(ctidOnly([op('<', col, c(150, INT4))]), rt)).map((r) => Number(r[0]));
    expect(all).toEqual(Array.from({ length: 149 }, (_, i) => i + 1).filter((i) => i !== 50 && i !== 100));
    db.workMemBytes = 500;
    try {
      const got = db.run(stmt(ctidOnly([op('<', col, c(150, INT4))]), rt)).map((r) => Number(r[0]));
      expect(got).toHaveLength(147);
      expect(new Set(got).size).toBe(147);
    } finally {
      db.workMemBytes = 4 * 1024 * 1024;
    }
  });
  it('past work_mem it still returns every row once (the rest in index order)', () => {
    db.workMemBytes = 500;
    try {
      const got = db.run(stmt(bitmap([op('<', col, c(150, INT4))]), rt)).map((r) => r[0] as number);
      expect(got).toHaveLength(147);
      expect(new Set(got).size).toBe(147);
    } finally {
      db.workMemBytes = 4 * 1024 * 1024;
    }
  });
});

describe('cross-type index keys', () => {
  it('an int8 index column is searched with an int4 value and the reverse', () => {
    const t8 = db.createTable('ix8', [['a', 20]], Array.from({ length: 50 }, (_, i) => [BigInt(i)]));
    const idx = db.engine.createIndex(t8.rel, 'ix8_a', { columns: [{ name: 'a', type: typeByOid(20) as TypeInfo, heapAttnum: 1 }] });
    db.catalog.getRelation(t8.oid).indexes.push({
      indexrelid: idx.oid, indrelid: t8.oid, name: 'ix8_a', indkey: [1], indoption: [0], indisunique: false, indisprimary: false, index: idx, relpages: 1, reltuples: 50, treeHeight: 1,
    });
    const scan8: IndexScan = {
      type: 'IndexScan', ...base([tle(v(1, 1, 20), 1)]), scanrelid: 1, indexid: idx.oid, indexqual: [op('>', v(INDEX_VAR, 1, 20), c(47, INT4))], indexqualorig: [], indexorderdir: 'ForwardScanDirection',
    };
    expect(db.run(stmt(scan8, [rteRelation(t8)]))).toEqual([[48n], [49n]]);
    expect(db.run(stmt(ix([op('=', col, c(7n, 20))]), rt)).map((r) => r[0])).toEqual([7]);
  });
});
