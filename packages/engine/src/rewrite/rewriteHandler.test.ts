/*
 * The rewriter on analyzed queries of the test-double catalog
 * (parser/analyze.testutil.ts): view expansion, INSERT/UPDATE target lists,
 * DML through simple views.
 */

import { describe, expect, it } from 'vitest';
import type { Query } from '../nodes/parsenodes.ts';
import type { Expr } from '../nodes/primnodes.ts';
import { PgError } from '../utils/errors.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { analyzeSQL, TestCatalog } from '../parser/analyze.testutil.ts';
import { queryRewrite } from './rewriteHandler.ts';

const cat = new TestCatalog();
const rw = (sql: string): Query => {
  const r = queryRewrite(analyzeSQL(cat, sql), cat);
  expect(r).toHaveLength(1);
  return r[0] as Query;
};
const fail = (sql: string): PgError => {
  try {
    rw(sql);
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error(`no error for ${sql}`);
};
const itemsSeq = (): number => cat.sequences.get('items.id') as number;

describe('INSERT target lists', () => {
  it('lists every column in attnum order with defaults, identity nextval and NULL', () => {
    const q = rw("INSERT INTO items (name) VALUES ('x')");
    expect(q.targetList.map((t) => [t.resno, t.resname])).toEqual([[1, 'id'], [2, 'name'], [3, 'price'], [4, 'qty'], [5, 'created']]);
    expect(q.targetList[0]?.expr).toEqual({ type: 'NextValueExpr', seqid: itemsSeq(), typeId: 23 });
    expect(exprType(q.targetList[2]?.expr as Expr)).toBe(1700);
    expect(q.targetList[3]?.expr).toMatchObject({ type: 'Const', consttype: 23, constvalue: 1 });
    expect(q.targetList[4]?.expr).toMatchObject({ type: 'Const', consttype: 1082, constisnull: true });
  });

  it('replaces DEFAULT in multi-row VALUES', () => {
    const q = rw("INSERT INTO items (name, qty) VALUES ('a', DEFAULT), ('b', 7)");
    const values = q.rtable.find((r) => r.rtekind === 'RTE_VALUES');
    expect(values?.values_lists[0]?.[1]).toMatchObject({ type: 'Const', constvalue: 1 });
    expect(values?.values_lists[1]?.[1]).toMatchObject({ type: 'Const', constvalue: 7 });
  });

  it('refuses a value for a GENERATED ALWAYS identity column unless OVERRIDING SYSTEM VALUE', () => {
    const e = fail("INSERT INTO items (id, name) VALUES (1, 'x')");
    expect([e.code, e.message, e.detail, e.hint]).toEqual([
      '428C9', 'cannot insert a non-DEFAULT value into column "id"',
      'Column "id" is an identity column defined as GENERATED ALWAYS.', 'Use OVERRIDING SYSTEM VALUE to override.',
    ]);
    expect(rw("INSERT INTO items OVERRIDING SYSTEM VALUE VALUES (1, 'x')").targetList[0]?.expr).toMatchObject({ type: 'Const', constvalue: 1 });
    expect(rw("INSERT INTO items VALUES (DEFAULT, 'x')").targetList[0]?.expr).toMatchObject({ type: 'NextValueExpr' });
  });

  it('uses the identity sequence for OVERRIDING USER VALUE on BY DEFAULT columns', () => {
    const q = rw("INSERT INTO w OVERRIDING USER VALUE VALUES (5, 'v')");
    expect(q.targetList[0]?.expr).toMatchObject({ type: 'NextValueExpr', seqid: cat.sequences.get('w.k') });
  });

  it('fills ON CONFLICT DO UPDATE SET DEFAULT', () => {
    const q = rw('INSERT INTO items (name) VALUES (1) ON CONFLICT (name) DO UPDATE SET qty = DEFAULT');
    expect(q.onConflict?.onConflictSet[0]?.expr).toMatchObject({ type: 'Const', constvalue: 1 });
  });
});

describe('UPDATE target lists', () => {
  it('puts SET columns in attnum order and replaces DEFAULT', () => {
    const q = rw('UPDATE items SET qty = DEFAULT, created = DEFAULT, name = name');
    expect(q.targetList.map((t) => t.resno)).toEqual([2, 4, 5]);
    expect(q.targetList[1]?.expr).toMatchObject({ type: 'Const', constvalue: 1 });
    expect(q.targetList[2]?.expr).toMatchObject({ type: 'Const', constisnull: true });
  });

  it('allows an identity ALWAYS column only to be set to DEFAULT', () => {
    expect(rw('UPDATE items SET id = DEFAULT').targetList[0]?.expr).toMatchObject({ type: 'NextValueExpr' });
    const e = fail('UPDATE items SET id = 5');
    expect([e.code, e.message]).toEqual(['428C9', 'column "id" can only be updated to DEFAULT']);
  });

  it('refuses two assignments to one column', () => {
    const e = fail('UPDATE t SET a = 1, a = 2');
    expect([e.code, e.message]).toEqual(['42601', 'multiple assignments to same column "a"']);
  });
});

describe('views', () => {
  it('expands a view in FROM into a subquery of its definition', () => {
    const q = rw('SELECT b FROM v WHERE a = 1');
    const view = cat.getRelation(cat.relnameGetRelid(null, 'v', false) as number);
    expect(q.rtable[0]).toMatchObject({ rtekind: 'RTE_SUBQUERY', viewRelid: view.oid, relid: 0, eref: { aliasname: 'v' } });
    expect(q.rtable[0]?.subquery?.rtable[0]).toMatchObject({ rtekind: 'RTE_RELATION', eref: { aliasname: 't' } });
    // The stored definition is copied, not shared.
    expect(q.rtable[0]?.subquery).not.toBe(view.viewQuery);
  });

  it('expands views inside sublinks and CTEs', () => {
    const q = rw('WITH c AS (SELECT * FROM v) SELECT (SELECT count(*) FROM v) FROM c');
    expect(q.cteList[0]?.ctequery.rtable[0]?.rtekind).toBe('RTE_SUBQUERY');
    const link = q.targetList[0]?.expr as Extract<Expr, { type: 'SubLink' }>;
    expect(link.subselect.rtable[0]?.rtekind).toBe('RTE_SUBQUERY');
  });

  it('redirects UPDATE of a simple view to its table, adding the view condition', () => {
    const q = rw("UPDATE v SET b = 'x' WHERE a = 1");
    const t = cat.relnameGetRelid(null, 't', false);
    expect(q.rtable[q.resultRelation - 1]).toMatchObject({ rtekind: 'RTE_RELATION', relid: t });
    expect(q.targetList.map((x) => x.resno)).toEqual([2]);
    expect(q.jointree.quals).toMatchObject({ type: 'BoolExpr', boolop: 'AND_EXPR' });
    expect(q.jointree.fromlist).toEqual([{ type: 'RangeTblRef', rtindex: q.resultRelation }]);
  });

  it('redirects INSERT into a simple view, with the table defaults', () => {
    const q = rw("INSERT INTO v VALUES (1, 'z')");
    expect(q.targetList.map((x) => x.resname)).toEqual(['a', 'b', 'c']);
    expect(q.targetList[2]?.expr).toMatchObject({ type: 'Const', constisnull: true });
  });
});
