/*
 * Query shapes produced by parse analysis, against the test-double catalog
 * of analyze.testutil.ts. (Errors are compared with PostgreSQL in
 * analyze_pglite.test.ts.)
 */

import { describe, expect, it } from 'vitest';
import type { Query } from '../nodes/parsenodes.ts';
import type { Expr, TargetEntry } from '../nodes/primnodes.ts';
import { exprType } from '../nodes/nodeFuncs.ts';
import { PgError } from '../utils/errors.ts';
import { parse } from './gram.ts';
import { parseAnalyze, transformExprForDDL } from './analyze.ts';
import { queryRewrite } from '../rewrite/rewriteHandler.ts';
import { loadStatements } from './testdata/load.ts';
import { analyzeSQL, TestCatalog } from './analyze.testutil.ts';
import { MAX_EXPR_DEPTH } from './parse_expr.ts';
import { printQuery } from './analyze_print.ts';

const cat = new TestCatalog();
const q = (sql: string, params: number[] = []): Query => analyzeSQL(cat, sql, params);
const tle = (query: Query, i: number): TargetEntry => query.targetList[i] as TargetEntry;

function err(sql: string): PgError {
  try {
    q(sql);
  } catch (e) {
    if (e instanceof PgError) return e;
    throw e;
  }
  throw new Error(`no error for ${sql}`);
}

describe('SELECT', () => {
  it('resolves columns to Vars of range-table entries', () => {
    const r = q('SELECT a, b FROM t WHERE a = 1');
    expect(r.commandType).toBe('CMD_SELECT');
    expect(r.rtable[0]).toMatchObject({ rtekind: 'RTE_RELATION', relkind: 'r', eref: { aliasname: 't', colnames: ['a', 'b', 'c'] }, rellockmode: 'AccessShareLock' });
    expect(tle(r, 0)).toMatchObject({ resno: 1, resname: 'a', expr: { type: 'Var', varno: 1, varattno: 1, vartype: 23 }, resorigcol: 1 });
    expect(tle(r, 1).expr).toMatchObject({ type: 'Var', varattno: 2, vartype: 25 });
    expect(r.jointree.fromlist).toEqual([{ type: 'RangeTblRef', rtindex: 1 }]);
    expect(r.jointree.quals).toMatchObject({ type: 'OpExpr', opresulttype: 16 });
  });

  it('names unnamed columns as PostgreSQL does', () => {
    const r = q("SELECT count(*), lower(b), a + 1, CASE WHEN a > 0 THEN 1 END, coalesce(c, 0), 'y'::varchar, 'x', (SELECT a FROM u), EXISTS (SELECT 1) FROM t GROUP BY a");
    expect(r.targetList.filter((t) => !t.resjunk).map((t) => t.resname)).toEqual(['count', 'lower', '?column?', 'case', 'coalesce', 'varchar', '?column?', 'a', 'exists']);
  });

  it('types constants as make_const does and resolves unknown outputs to text', () => {
    const r = q("SELECT 1, 3000000000, 1.5, 'x', true, NULL");
    expect(r.targetList.map((t) => exprType(t.expr))).toEqual([23, 20, 1700, 25, 16, 25]);
  });

  it('merges USING columns: the left Var for INNER, COALESCE over the join RTE for FULL', () => {
    const inner = q('SELECT a FROM t JOIN u USING (a)');
    expect(tle(inner, 0).expr).toMatchObject({ type: 'Var', varno: 1, varattno: 1 });
    expect(inner.rtable[2]).toMatchObject({ rtekind: 'RTE_JOIN', jointype: 'JOIN_INNER', joinmergedcols: 1, eref: { colnames: ['a', 'b', 'c', 'd', 'x'] } });
    const full = q('SELECT a FROM t FULL JOIN u USING (a)');
    expect(tle(full, 0).expr).toMatchObject({ type: 'Var', varno: 3, varattno: 1 });
    expect(full.rtable[2]?.joinaliasvars[0]).toMatchObject({ type: 'CoalesceExpr' });
    expect(full.jointree.fromlist[0]).toMatchObject({ type: 'JoinExpr', jointype: 'JOIN_FULL', rtindex: 3, quals: { type: 'OpExpr' } });
  });

  it('adds ORDER BY expressions as resjunk entries and links sort/group clauses', () => {
    const r = q('SELECT b FROM t GROUP BY b, c ORDER BY c DESC, 1');
    expect(r.targetList.map((t) => [t.resname, t.resjunk])).toEqual([['b', false], [null, true]]);
    expect(r.sortClause).toHaveLength(2);
    expect(r.sortClause[0]).toMatchObject({ tleSortGroupRef: tle(r, 1).ressortgroupref, nulls_first: true });
    expect(r.groupClause.map((g) => g.tleSortGroupRef).sort()).toEqual([tle(r, 0).ressortgroupref, tle(r, 1).ressortgroupref].sort());
  });

  it('builds Aggrefs with TargetEntry args, DISTINCT and FILTER', () => {
    const r = q('SELECT count(DISTINCT b) FILTER (WHERE a > 1), sum(a) FROM t');
    expect(r.hasAggs).toBe(true);
    const agg = tle(r, 0).expr;
    expect(agg).toMatchObject({ type: 'Aggref', aggtype: 20, args: [{ type: 'TargetEntry', resno: 1 }], aggfilter: { type: 'OpExpr' } });
    expect((agg as { aggdistinct: unknown[] }).aggdistinct).toHaveLength(1);
  });

  it('gives an aggregate over an outer column to the outer level', () => {
    const r = q('SELECT (SELECT count(t.a) FROM u) FROM t');
    expect(r.hasAggs).toBe(true);
    const link = tle(r, 0).expr as Extract<Expr, { type: 'SubLink' }>;
    expect(link.subselect.hasAggs).toBe(false);
    expect(link.subselect.targetList[0]?.expr).toMatchObject({ type: 'Aggref', agglevelsup: 1 });
  });

  it('numbers window clauses and shares equal window definitions', () => {
    const r = q('SELECT row_number() OVER (ORDER BY a), rank() OVER (ORDER BY a), sum(c) OVER w FROM t WINDOW w AS (PARTITION BY b)');
    expect(r.hasWindowFuncs).toBe(true);
    expect(r.windowClause.map((w) => [w.name, w.winref])).toEqual([['w', 1], [null, 2]]);
    expect(r.targetList.slice(0, 3).map((t) => (t.expr as { winref: number }).winref)).toEqual([2, 2, 1]);
    expect(tle(r, 2).expr).toMatchObject({ type: 'WindowFunc', winagg: true });
  });

  it('turns constant IN lists into = ANY (ARRAY) and others into OR', () => {
    expect(q('SELECT 1 FROM t WHERE a IN (1, 2, 3)').jointree.quals).toMatchObject({ type: 'ScalarArrayOpExpr', useOr: true, args: [{ type: 'Var' }, { type: 'ArrayExpr', element_typeid: 23 }] });
    expect(q('SELECT 1 FROM t WHERE a NOT IN (1, 2)').jointree.quals).toMatchObject({ type: 'ScalarArrayOpExpr', useOr: false });
    expect(q('SELECT 1 FROM t WHERE a IN (c, 2)').jointree.quals).toMatchObject({ type: 'BoolExpr', boolop: 'OR_EXPR' });
    expect(q('SELECT 1 FROM t WHERE a IN (1)').jointree.quals).toMatchObject({ type: 'OpExpr' });
  });

  it('expands BETWEEN into two comparisons', () => {
    expect(q('SELECT 1 FROM t WHERE a BETWEEN 1 AND 2').jointree.quals).toMatchObject({ type: 'BoolExpr', boolop: 'AND_EXPR', args: [{ type: 'OpExpr' }, { type: 'OpExpr' }] });
    expect(q('SELECT 1 FROM t WHERE a NOT BETWEEN 1 AND 2').jointree.quals).toMatchObject({ type: 'BoolExpr', boolop: 'OR_EXPR' });
  });

  it('marks correlated references with varlevelsup', () => {
    const r = q('SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a)');
    expect(r.hasSubLinks).toBe(true);
    const link = r.jointree.quals as Extract<Expr, { type: 'SubLink' }>;
    expect(link.subLinkType).toBe('EXISTS_SUBLINK');
    expect(link.subselect.jointree.quals).toMatchObject({ args: [{ varlevelsup: 0 }, { varlevelsup: 1, varno: 1 }] });
  });

  it('builds ANY sublinks with a test expression over PARAM_EXEC placeholders', () => {
    const r = q('SELECT a FROM t WHERE a IN (SELECT x FROM u)');
    expect(r.jointree.quals).toMatchObject({
      type: 'SubLink', subLinkType: 'ANY_SUBLINK', operName: ['='],
      testexpr: { type: 'OpExpr', args: [{ type: 'Var' }, { type: 'Param', paramkind: 'PARAM_EXEC', paramid: 1 }] },
    });
  });

  it('represents UNION as a SetOperationStmt over subquery RTEs', () => {
    const r = q('SELECT a FROM t UNION SELECT 2.5 ORDER BY 1');
    expect(r.setOperations).toMatchObject({ type: 'SetOperationStmt', op: 'SETOP_UNION', all: false, colTypes: [1700], larg: { rtindex: 1 }, rarg: { rtindex: 2 } });
    expect(r.rtable.map((e) => e.eref.aliasname)).toEqual(['*SELECT* 1', '*SELECT* 2']);
    expect(r.sortClause).toHaveLength(1);
  });

  it('analyzes WITH RECURSIVE with a self-referencing RTE_CTE', () => {
    const r = q('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r');
    expect(r.hasRecursive).toBe(true);
    const cte = r.cteList[0];
    expect(cte).toMatchObject({ ctename: 'r', cterecursive: true, ctecolnames: ['n'], ctecoltypes: [23], cterefcount: 1 });
    const inner = cte?.ctequery.rtable[1]?.subquery;
    expect(inner?.rtable[0]).toMatchObject({ rtekind: 'RTE_CTE', ctename: 'r', self_reference: true, ctelevelsup: 2 });
    expect(r.rtable[0]).toMatchObject({ rtekind: 'RTE_CTE', self_reference: false, ctelevelsup: 0 });
  });

  it('makes functions in FROM RTE_FUNCTION with ordinality', () => {
    const r = q('SELECT * FROM generate_series(1, 3) WITH ORDINALITY AS g(v, n)');
    expect(r.rtable[0]).toMatchObject({ rtekind: 'RTE_FUNCTION', funcordinality: true, eref: { colnames: ['v', 'n'] }, coltypes: [23, 20] });
    expect(r.targetList.map((t) => t.resname)).toEqual(['v', 'n']);
  });

  it('records FOR UPDATE as row marks', () => {
    const r = q('SELECT t.a FROM t, u FOR UPDATE OF t');
    expect(r.hasForUpdate).toBe(true);
    expect(r.rowMarks).toEqual([{ type: 'RowMarkClause', rti: 1, strength: 'LCS_FORUPDATE', waitPolicy: 'LockWaitBlock', pushedDown: false }]);
    expect(r.rtable[0]?.rellockmode).toBe('RowShareLock');
  });

  it('coerces LIMIT to int8', () => {
    const lim = q('SELECT a FROM t LIMIT 5 OFFSET 1').limitCount;
    expect(lim === null ? 0 : exprType(lim)).toBe(20);
  });

  it('leaves utility statements as CMD_UTILITY with the raw statement', () => {
    const r = q('CREATE TABLE z (a int)');
    expect(r.commandType).toBe('CMD_UTILITY');
    expect(r.utilityStmt).toMatchObject({ type: 'CreateStmt' });
  });

  it('guards deep expressions with 54001 instead of overflowing the stack', () => {
    const sql = `SELECT ${Array.from({ length: MAX_EXPR_DEPTH + 10 }, () => '1').join('+')}`;
    expect(err(sql).code).toBe('54001');
    // And the analyzer still works afterwards.
    expect(q('SELECT 1 + 1').targetList).toHaveLength(1);
  });
});

describe('parameters', () => {
  it('uses given types and infers unknown ones from context', () => {
    const types = [0, 25];
    const r = q('SELECT a FROM t WHERE a = $1 AND b = $2', types);
    expect(types).toEqual([23, 25]);
    expect(r.jointree.quals).toMatchObject({ args: [{ args: [{}, { type: 'Param', paramid: 1, paramtype: 23 }] }, { args: [{}, { type: 'Param', paramid: 2, paramtype: 25 }] }] });
  });

  it('types a bare $1 in the SELECT list as text, and INSERT values by their column', () => {
    const t1: number[] = [];
    q('SELECT $1', t1);
    expect(t1).toEqual([25]);
    const t2: number[] = [];
    q('INSERT INTO t VALUES ($1, $2, $3)', t2);
    expect(t2).toEqual([23, 25, 23]);
  });

  it('types a later $1 by the first deduction, as PostgreSQL does', () => {
    const e = (() => {
      try {
        q('SELECT 1 FROM t WHERE a = $1 AND b = $1', []);
      } catch (x) {
        return x as PgError;
      }
      throw new Error('no error');
    })();
    expect(e.code).toBe('42883');
    expect(e.message).toBe('operator does not exist: text = integer');
  });
});

describe('INSERT / UPDATE / DELETE', () => {
  it('analyzes INSERT target columns by attnum', () => {
    const r = q("INSERT INTO t (c, a) VALUES (1, 2) RETURNING b");
    expect(r.commandType).toBe('CMD_INSERT');
    expect(r.resultRelation).toBe(1);
    expect(r.targetList.map((t) => [t.resno, t.resname])).toEqual([[3, 'c'], [1, 'a']]);
    expect(r.returningList[0]?.expr).toMatchObject({ type: 'Var', varno: 1, varattno: 2 });
  });

  it('keeps DEFAULT as SetToDefault and multi-row VALUES as an RTE_VALUES', () => {
    const r = q("INSERT INTO t VALUES (1, DEFAULT, 3), (2, 'x', 4)");
    expect(r.rtable[1]).toMatchObject({ rtekind: 'RTE_VALUES' });
    expect(r.rtable[1]?.values_lists[0]?.[1]).toMatchObject({ type: 'SetToDefault', typeId: 25 });
    expect(tle(r, 0).expr).toMatchObject({ type: 'Var', varno: 2, varattno: 1 });
  });

  it('infers ON CONFLICT arbiters from unique indexes', () => {
    const r = q('INSERT INTO pair VALUES (1, 2) ON CONFLICT (q, p) DO UPDATE SET r = excluded.r');
    const rel = cat.getRelation(r.rtable[0]?.relid ?? 0);
    expect(r.onConflict).toMatchObject({ action: 'ONCONFLICT_UPDATE', arbiterIndexes: [rel.indexes[0]?.indexrelid], exclRelIndex: 2 });
    expect(r.onConflict?.onConflictSet[0]).toMatchObject({ resno: 3, expr: { type: 'Var', varno: 2, varattno: 3 } });
    expect(r.rtable[1]).toMatchObject({ eref: { aliasname: 'excluded' }, relkind: 'c' });
  });

  it('analyzes UPDATE ... FROM with the target first in the join list', () => {
    const r = q('UPDATE t SET c = u.x, b = DEFAULT FROM u WHERE u.a = t.a');
    expect(r.commandType).toBe('CMD_UPDATE');
    expect(r.jointree.fromlist).toEqual([{ type: 'RangeTblRef', rtindex: 1 }, { type: 'RangeTblRef', rtindex: 2 }]);
    expect(r.targetList.map((t) => t.resno)).toEqual([3, 2]);
    expect(tle(r, 1).expr).toMatchObject({ type: 'SetToDefault', typeId: 25 });
  });

  it('analyzes DELETE ... USING', () => {
    const r = q('DELETE FROM t USING u WHERE u.a = t.a RETURNING t.*');
    expect(r.commandType).toBe('CMD_DELETE');
    expect(r.returningList.map((t) => t.resname)).toEqual(['a', 'b', 'c']);
  });
});

describe('transformExprForDDL', () => {
  const cols = [{ attname: 'a', atttypid: 23, atttypmod: -1 }, { attname: 'b', atttypid: 25, atttypmod: -1 }];
  const expr = (sql: string) => (parse(`SELECT ${sql}`)[0]?.stmt as unknown as { targetList: { val: never }[] }).targetList[0]?.val as never;
  const ctx = { catalog: cat, sourceText: '', paramTypes: [] };

  it('coerces a DEFAULT to the column type', () => {
    expect(transformExprForDDL(ctx, cols, expr("'5'"), 'DEFAULT', 23, -1)).toMatchObject({ type: 'Const', consttype: 23, constvalue: 5 });
  });
  it('gives CHECK expressions Vars of varno 1', () => {
    expect(transformExprForDDL(ctx, cols, expr('a > 0'), 'CHECK')).toMatchObject({ type: 'OpExpr', args: [{ type: 'Var', varno: 1, varattno: 1 }, {}] });
  });
  it('refuses what PostgreSQL refuses', () => {
    const code = (sql: string, kind: 'DEFAULT' | 'CHECK' | 'GENERATED'): [string, string] => {
      try {
        transformExprForDDL(ctx, cols, expr(sql), kind, 23, -1);
      } catch (e) {
        return [(e as PgError).code, (e as PgError).message];
      }
      return ['', ''];
    };
    expect(code('a + 1', 'DEFAULT')).toEqual(['0A000', 'cannot use column reference in DEFAULT expression']);
    expect(code('(SELECT 1)', 'CHECK')).toEqual(['0A000', 'cannot use subquery in check constraint']);
    expect(code('count(*)', 'CHECK')).toEqual(['42803', 'aggregate functions are not allowed in check constraints']);
    expect(code('(SELECT 1)', 'DEFAULT')).toEqual(['0A000', 'cannot use subquery in DEFAULT expression']);
    expect(code('a', 'CHECK')).toEqual(['42804', 'argument of CHECK constraint must be type boolean, not type integer']);
  });
});

describe('printQuery', () => {
  it('prints a readable form of a Query', () => {
    const text = printQuery(q("SELECT b, count(*) FROM t JOIN u USING (a) WHERE t.c > 1 GROUP BY b ORDER BY 2 DESC LIMIT 3"));
    expect(text).toContain('Query CMD_SELECT');
    expect(text).toContain('1 relation t (a, b, c)');
    expect(text).toContain('(1:t INNER JOIN 2:u USING (a)) WHERE (t.c > 1::integer)');
    expect(text).toContain('2 count := count(*) : bigint');
    expect(text).toContain('LIMIT 3::integer::bigint');
  });
});

describe('robustness', () => {
  it('analyzes every statement of the parser corpus without an internal error', () => {
    const crashes: string[] = [];
    for (const sql of loadStatements('corpus.sql')) {
      let raws;
      try {
        raws = parse(sql);
      } catch {
        continue;
      }
      for (const raw of raws) {
        try {
          queryRewrite(parseAnalyze(raw, { catalog: cat, sourceText: sql, paramTypes: [] }), cat);
        } catch (e) {
          if (!(e instanceof PgError) || e.code === 'XX000') crashes.push(`${sql}: ${String(e)}`);
        }
      }
    }
    expect(crashes).toEqual([]);
  });
});
